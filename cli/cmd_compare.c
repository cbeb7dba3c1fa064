/* pinbench compare BASE CAND [CAND...]: the same metrics side by side,
 * with a verdict per metric and candidate. */
#include "config.h"
#include "util.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "compare_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_PLAN = CLI_LONG, OPT_POWER };

static const struct cli_option compare_format[] = {
	{ "format", 'f', "F", "text (default; colour on a terminal), markdown or json" },
	CLI_END,
};
static const struct cli_option compare_options[] = {
	{ "plan", OPT_PLAN, "CHANGE",
	  "the runs a side needed to detect a relative change such as 5%, from the spread between the runs given" },
	{ "power", OPT_POWER, "P", "for --plan (default 0.8)" },
	{ "output", 'o', "FILE", "write there instead of stdout" },
	CLI_END,
};
const struct cli_option *const cmd_compare_options[] = { compare_format, analysis_options, compare_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench compare BASE CAND [CAND...] [--format text|markdown|json] [--alpha A]\n"
	"                        [--correction C] [--warmup N] [--force] [--column NAME]\n"
	"                        [--higher-is-better] [--all-counters] [-o FILE]\n"
	"       pinbench compare BASE [CAND...] --plan CHANGE [--power P]\n"
	"\n"
	"BASE and each CAND: a run directory, a directory of run directories (pooled),\n"
	"a file with one number per line, a CSV file with --column, or runs from the\n"
	"results database: db:URL?scenario=S&host=H&label=L&last=N (see pinbench store).\n",
	cmd_compare_options,
	NULL,
	"compare",
};

struct compare_args { /* a first: compare_option gets it */
	struct analysis_args a;
	double plan, power;
};

static int compare_option(struct analysis_args *a, int opt, const char *arg)
{
	struct compare_args *c = (struct compare_args *)a;
	char *end;

	switch (opt) {
	case OPT_PLAN:
		c->plan = strtod(arg, &end);
		if (end == arg || strcmp(end, "%") || !(c->plan > 0 && c->plan < 1000)) {
			analysis_usage(&usage, "--plan: give the relative change to detect, such as 5%");
			return -1;
		}
		c->plan /= 100;
		return 0;
	case OPT_POWER:
		c->power = strtod(arg, &end);
		if (end == arg || *end || !(c->power > 0 && c->power < 1)) {
			analysis_usage(&usage, "--power: a probability such as 0.8");
			return -1;
		}
		return 0;
	default:
		return analysis_option(a, opt, arg, &usage);
	}
}

static void print_plan(FILE *f, const struct compare_args *ca, const struct dataset *d, size_t n)
{
	json_t *plan = compare_plan_json(d, n, ca->plan, ca->a.alpha, ca->a.correction, ca->power);

	if (!strcmp(ca->a.format, "json")) {
		analysis_print_json(f, json_pack("{s:i, s:o}", "schema_version", 2, "plan", plan));
		return;
	}
	compare_plan_print(f, plan, n, !strcmp(ca->a.format, "markdown"));
	json_decref(plan);
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args ca = { .a = { .alpha = 0.05, .format = "text" }, .power = 0.8 };
	struct analysis_args *a = &ca.a;
	int ret = analysis_parse(argc, argv, compare_option, &usage, 1, "needs BASE", a);

	if (ret >= 0)
		return ret;
	size_t nops;
	char **ops = analysis_operands(a, argc, argv, &nops);
	argc = (int)nops;
	argv = ops;
	if (argc < 2 && !ca.plan) {
		free(ops);
		return analysis_usage(&usage, "needs BASE and at least one CAND (or --plan)");
	}

	struct dataset *d = xcalloc((size_t)argc, sizeof(*d));
	struct comparison *c = xcalloc((size_t)argc, sizeof(*c));
	ret = analysis_load_all(a, argv, (size_t)argc, d);
	FILE *f = ret ? NULL : analysis_open_output(a, &ret);
	if (f && ca.plan) {
		print_plan(f, &ca, d, (size_t)argc);
		ret = analysis_close_output(a, f);
	} else if (f) {
		compare_candidates(&d[0], d + 1, (size_t)argc - 1, a->alpha, a->correction, c);
		if (!strcmp(a->format, "json"))
			analysis_print_json(f, compare_json(c, (size_t)argc - 1));
		else
			compare_print(f, c, (size_t)argc - 1, !strcmp(a->format, "markdown"), !a->output && want_colour(f));
		ret = analysis_close_output(a, f);
	}
	for (int k = 0; k < argc; k++) {
		if (k)
			comparison_free(&c[k - 1]);
		dataset_free(&d[k]);
	}
	free(c);
	free(d);
	free(ops);
	return ret;
}
