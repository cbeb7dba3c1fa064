/* pinbench report RUN...: every metric of each run directory (or sample
 * file) with distribution-free confidence intervals, and how much the
 * runs differ from one another. */
#include "config.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "report_doc.h"
#include "report_view.h"
#include "capacity_view.h"
#include "exitcode.h"
#include "util.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_PNG = CLI_LONG };

static const struct cli_option report_format[] = {
	{ "format", 'f', "F", "text (default), markdown or json" },
	CLI_END,
};
static const struct cli_option report_options[] = {
	{ "output", 'o', "FILE", "write there instead of stdout" },
	{ "html", 'W', "FILE", "a self-contained HTML document (plots inlined)" },
	{ "markdown", 'M', "FILE", "a Markdown document, plots beside it" },
	{ "png", OPT_PNG, NULL, "PNG plots instead of SVG" },
	CLI_END,
};
const struct cli_option *const cmd_report_options[] = { report_format, analysis_options, report_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench report RUN [RUN...] [--format text|markdown|json] [--alpha A]\n"
	"                       [--correction C] [--warmup N] [--force] [--column NAME]\n"
	"                       [--all-counters] [-o FILE]\n"
	"       pinbench report RUN [RUN...] --html FILE | --markdown FILE [--png]\n"
	"\n"
	"RUN: a run directory, a directory of run directories (pooled), a file with\n"
	"one number per line, a CSV file with --column, or a capacity sweep directory.\n"
	"With --html or --markdown: one document with the verdicts first (several RUNs\n"
	"are compared with the first), plots (gnuplot; written to FILE's stem + -plots/\n"
	"with their .gp and .dat), every metric, the environment and the scenario.\n",
	cmd_report_options,
	NULL,
	"report",
};

struct report_args { /* a first: report_option gets it */
	struct analysis_args a;
	struct doc_options doc;
};

static int report_option(struct analysis_args *a, int opt, const char *arg)
{
	struct report_args *r = (struct report_args *)a;

	switch (opt) {
	case 'W':
	case 'M':
		if (r->doc.path)
			return analysis_usage(&usage, "give one of --html and --markdown"), -1;
		r->doc.path = arg;
		r->doc.fmt = opt == 'W' ? DOC_HTML : DOC_MARKDOWN;
		return 0;
	case OPT_PNG:
		r->doc.png = true;
		return 0;
	default:
		return analysis_option(&r->a, opt, arg, &usage);
	}
}

static int print_report(const struct analysis_args *a, struct dataset *d, size_t n)
{
	int ret;
	FILE *f = analysis_open_output(a, &ret);

	if (!f)
		return ret;
	if (!strcmp(a->format, "json"))
		analysis_print_json(f, report_json(d, n, a->alpha));
	else
		report_print(f, d, n, a->alpha, !strcmp(a->format, "markdown"));
	return analysis_close_output(a, f);
}

int cmd_report(int argc, char **argv)
{
	struct report_args r = { .a = { .alpha = 0.05, .format = "text", .load.allow_incomplete = true } };
	int ret = analysis_parse(argc, argv, report_option, &usage, 1, "needs at least one RUN", &r.a);

	if (ret >= 0)
		return ret;
	if (r.doc.png && !r.doc.path)
		return cli_usage_error(&usage, "--png draws the plots of --html or --markdown; give one of them");
	argc -= optind;
	argv += optind;
	r.doc.alpha = r.a.alpha;
	r.doc.correction = r.a.correction;
	if (r.doc.path && argc == 1 && capacity_is_sweep(argv[0]))
		return capacity_document(&r.doc, argv[0]) ? EXIT_BAD_INPUT : EXIT_OK;

	for (int k = 0; k < argc && !r.a.load.force; k++)
		if (capacity_is_sweep(argv[k])) {
			pb_err("%s is a capacity sweep: its points pinned different sizes and are not pooled; read it with "
			       "pinbench report %s --html FILE (or --markdown FILE; its capacity.json holds the fit), or "
			       "one point alone (%s/point-01)", argv[k], argv[k], argv[k]);
			return EXIT_BAD_INPUT;
		}
	struct dataset *d = xcalloc((size_t)argc, sizeof(*d));
	ret = analysis_load_all(&r.a, argv, (size_t)argc, d);
	if (!ret && r.doc.path)
		ret = report_document(&r.doc, d, (size_t)argc) ? EXIT_BAD_INPUT : EXIT_OK;
	else if (!ret)
		ret = print_report(&r.a, d, (size_t)argc);
	for (int k = 0; k < argc; k++)
		dataset_free(&d[k]);
	free(d);
	return ret;
}
