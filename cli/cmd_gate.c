/* pinbench gate BASE CAND: pass or fail by rules, for CI. Exit 0 when
 * every rule passes, 1 when one fails, 2 on bad input or usage. */
#include "config.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "exitcode.h"
#include "gate_view.h"
#include "log.h"
#include "util.h"
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_INCONCLUSIVE = CLI_LONG, OPT_BISECT };

static const struct cli_option gate_options[] = {
	{ "rules", 'r', "FILE", "rules (INI; see man pinbench, GATE RULES)" },
	{ "max-regression", 'm', "P%", "the limit of the default rules" },
	{ "inconclusive", OPT_INCONCLUSIVE, "X",
	  "what a rule that cannot be decided with the runs given exits with: pass (0) or fail (1); default 3" },
	{ "format", 'f', "F", "text (default; colour on a terminal), markdown or json" },
	{ "junit", 'j', "FILE", "JUnit XML: one testcase per rule" },
	{ "markdown", 'M', "FILE", "a Markdown summary for a CI comment" },
	{ "bisect", OPT_BISECT, NULL,
	  "exit as git bisect run wants: 0 good, 1 bad, 125 skip (an inconclusive verdict, or a candidate that "
	  "cannot be read: incomplete, or no run at all from an unbootable kernel), 128 abort (bad baseline, "
	  "rules or usage)" },
	CLI_END,
};
const struct cli_option *const cmd_gate_options[] = { gate_options, analysis_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench gate BASE CAND [--rules FILE | --max-regression P%] [--alpha A]\n"
	"                     [--correction C] [--inconclusive pass|fail] [--warmup N] [--force]\n"
	"                     [--format F] [--junit FILE] [--markdown FILE] [--column NAME]\n"
	"                     [--higher-is-better]\n"
	"\n"
	"BASE and CAND as for compare. Without --rules, every latency metric's median\n"
	"may regress by at most P% (default 5%) where the regression is significant,\n"
	"and pins may not fail more often (Fisher's test).\n",
	cmd_gate_options,
	"The family: p is adjusted over the rules that need significance, and only those.\n"
	"Exit: 0 every rule passes, 1 a rule failed, 2 bad input or usage, 3 no rule\n"
	"failed but one is inconclusive (too few runs to reach alpha; it says how many).\n",
	"gate",
};

/* f: opened before anything was read or printed, so that a path that
 * cannot be written fails first; written and renamed here. */
static int write_file(const char *path, FILE *f, const struct rules *rs, const struct rule_result *res,
		      struct gate_tally t, const struct comparison *c, const struct gate_family *fam, bool junit)
{
	if (junit)
		gate_junit(f, rs, res, t, c, fam);
	else
		gate_print(f, rs, res, t, c, fam, true, false);
	return close_atomic(path, f);
}

struct gate_args { /* a first: gate_option gets it */
	struct analysis_args a;
	const char *rules, *junit, *markdown;
	FILE *junit_f, *markdown_f; /* open_atomic'd before the inputs are read */
	double max_regression;
	bool alpha_given, correction_given, bisect;
	int inconclusive_exit;
};

static int gate_option(struct analysis_args *a, int opt, const char *arg)
{
	struct gate_args *g = (struct gate_args *)a;
	char *end;

	switch (opt) {
	case 'r': g->rules = arg; return 0;
	case 'j': g->junit = arg; return 0;
	case 'M': g->markdown = arg; return 0;
	case OPT_BISECT: g->bisect = true; return 0;
	case 'm':
		g->max_regression = strtod(arg, &end);
		if (end == arg || (*end && strcmp(end, "%")) || !(g->max_regression >= 0)) {
			analysis_usage(&usage, "--max-regression: give a percentage such as 5%");
			return -1;
		}
		return 0;
	case OPT_INCONCLUSIVE:
		if (strcmp(arg, "pass") && strcmp(arg, "fail")) {
			analysis_usage(&usage, "--inconclusive: pass or fail");
			return -1;
		}
		g->inconclusive_exit = !strcmp(arg, "fail") ? EXIT_FAILED : EXIT_OK;
		return 0;
	case OPT_CORRECTION:
		g->correction_given = true;
		return analysis_option(&g->a, opt, arg, &usage);
	case 'a':
		g->alpha_given = true;
		/* fall through */
	default:
		return analysis_option(&g->a, opt, arg, &usage);
	}
}

static int gate_exit(const struct gate_args *g, struct gate_tally t)
{
	return t.failed ? EXIT_FAILED : t.inconclusive ? g->inconclusive_exit : EXIT_OK;
}

static int run_gate(struct gate_args *g, struct rules *given, struct dataset *d)
{
	struct rules rs;
	struct comparison c;
	char err[2048];

	if (given)
		rs = *given;
	if (!g->rules)
		rules_default(&d[0], g->max_regression, &rs);
	struct gate_family fam = {
		.alpha = g->alpha_given || !rs.alpha_given ? g->a.alpha : rs.alpha,
		.correction = g->correction_given || !rs.correction_given ? g->a.correction : rs.correction,
	};
	const char **names = xcalloc(rs.n + 1, sizeof(*names));
	for (size_t i = 0; i < rs.n; i++)
		names[i] = rs.r[i].metric;
	compare_datasets(&d[0], &d[1], fam.alpha, fam.correction, names, rs.n, &c);
	free(names);
	struct rule_result *res = xcalloc(rs.n + 1, sizeof(*res));
	int ret = EXIT_OK;
	if (!rs.n) {
		pb_err("%s: no latency metric (unit ns) to gate; give --rules", d[0].path);
		ret = EXIT_BAD_INPUT;
	} else if (gate_evaluate(&rs, &c, &fam, res, err, sizeof(err))) {
		pb_err("%s", err);
		ret = EXIT_BAD_INPUT;
	}
	struct gate_tally t = ret ? (struct gate_tally){ 0 } : gate_tally(res, rs.n);
	if (!ret) {
		if (!strcmp(g->a.format, "json"))
			analysis_print_json(stdout, gate_json(&rs, res, t, &c, &fam));
		else
			gate_print(stdout, &rs, res, t, &c, &fam, !strcmp(g->a.format, "markdown"),
				   want_colour(stdout));
		if (g->junit)
			ret = write_file(g->junit, g->junit_f, &rs, res, t, &c, &fam, true);
		g->junit_f = NULL;
		if (g->markdown && !ret) {
			ret = write_file(g->markdown, g->markdown_f, &rs, res, t, &c, &fam, false);
			g->markdown_f = NULL;
		}
		if (!ret)
			ret = gate_exit(g, t);
	}
	free(res);
	comparison_free(&c);
	if (!given)
		rules_free(&rs);
	return ret;
}

/* git bisect run: 0 good, 1-127 but 125 bad, 125 skip, above 127 abort.
 * An inconclusive verdict (3) or a candidate without a readable run
 * (incomplete, or an unbootable kernel that left none) says nothing
 * about the commit: skip. Bad input on the baseline side, the rules or
 * the command line would say the same of every commit: abort. */
static int bisect_status(int status, bool cand_unreadable)
{
	switch (status) {
	case EXIT_OK: return EXIT_OK;
	case EXIT_FAILED: return EXIT_FAILED;
	case EXIT_INCONCLUSIVE: return EXIT_BISECT_SKIP;
	default: return cand_unreadable ? EXIT_BISECT_SKIP : EXIT_BISECT_ABORT;
	}
}

int cmd_gate(int argc, char **argv)
{
	struct gate_args g = { .a = { .alpha = 0.05, .format = "text" }, .max_regression = 5,
				.inconclusive_exit = EXIT_INCONCLUSIVE };
	struct dataset d[2];
	struct rules rs;
	char err[2048];
	int ret = analysis_parse(argc, argv, gate_option, &usage, 2, "needs BASE and CAND", &g.a);

	if (ret >= 0)
		return g.bisect ? bisect_status(ret, false) : ret;
	size_t nops;
	char **ops = analysis_operands(&g.a, argc, argv, &nops);
	argv = ops;
	if (nops != 2) {
		free(ops);
		ret = nops < 2 ? analysis_usage(&usage, "needs BASE and CAND")
			       : cli_usage_error(&usage, "takes one BASE and one CAND, not %zu operands (compare "
						 "takes several candidates)", nops);
		return g.bisect ? bisect_status(ret, false) : ret;
	}
	if (g.rules && g.max_regression != 5)
		pb_warn("--max-regression is ignored: the rules file decides");
	/* the rules first: a typo there should not wait for large inputs */
	if (g.rules && rules_load(g.rules, &rs, err, sizeof(err))) {
		pb_err("%s", err);
		free(ops);
		return g.bisect ? bisect_status(EXIT_BAD_INPUT, false) : EXIT_BAD_INPUT;
	}
	memset(d, 0, sizeof(d));
	/* the output files before anything is read or printed */
	if ((g.junit && !(g.junit_f = open_atomic(g.junit))) ||
	    (g.markdown && !(g.markdown_f = open_atomic(g.markdown)))) {
		if (g.junit_f)
			abandon_atomic(g.junit, g.junit_f);
		if (g.rules)
			rules_free(&rs);
		free(ops);
		return g.bisect ? bisect_status(EXIT_BAD_INPUT, false) : EXIT_BAD_INPUT;
	}
	/* the candidate apart: one that cannot be read is skipped by a bisect */
	ret = analysis_load_all(&g.a, argv, 1, d);
	bool cand_unreadable = !ret && (ret = analysis_load_all(&g.a, argv + 1, 1, d + 1)) != 0;
	if (!ret)
		ret = analysis_check_comparable(&g.a, &d[0], &d[1]);
	if (!ret)
		ret = run_gate(&g, g.rules ? &rs : NULL, d);
	if (g.junit_f) /* not written: an error came first */
		abandon_atomic(g.junit, g.junit_f);
	if (g.markdown_f)
		abandon_atomic(g.markdown, g.markdown_f);
	if (g.rules)
		rules_free(&rs);
	dataset_free(&d[0]);
	dataset_free(&d[1]);
	free(ops);
	return g.bisect ? bisect_status(ret, cand_unreadable) : ret;
}
