#include "config.h"
#include "analysis_cli.h"
#include "differences.h"
#include "exitcode.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_alpha(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !(*out > 0 && *out < 1) ? -1 : 0;
}

static int parse_count(const char *s, unsigned *out)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 1000000)
		return -1;
	*out = (unsigned)v;
	return 0;
}

const struct cli_option analysis_options[] = {
	{ "alpha", 'a', "A", "significance level (default 0.05)" },
	{ "correction", OPT_CORRECTION, "C",
	  "holm (default), bonferroni or none: the adjustment of p across the family of tests" },
	{ "warmup", OPT_WARMUP, "N",
	  "leave the first N iterations of every run out of the statistics (default: the runs' own warmup)" },
	{ "force", OPT_FORCE, NULL, "compare or pool runs of different scenarios or node counts" },
	{ "column", 'c', "NAME", "read this column of CSV files" },
	{ "higher-is-better", OPT_HIGHER_IS_BETTER, NULL, "for plain files and columns (default: lower is better)" },
	{ "all-counters", OPT_ALL_COUNTERS, NULL, "every vmstat counter, not only migration-related ones" },
	{ "baseline", OPT_BASELINE, "BASE",
	  "the base side as an option (then only the candidates follow), e.g. stored runs:\n"
	  "db:sqlite:results/pinbench.db?scenario=S&last=10" },
	CLI_HELP,
	CLI_END,
};

int analysis_usage(const struct cli_usage *usage, const char *why)
{
	return why ? cli_usage_error(usage, "%s", why) : cli_usage_error(usage, NULL);
}

int analysis_option(struct analysis_args *a, int opt, const char *arg, const struct cli_usage *usage)
{
	char why[160];

	switch (opt) {
	case 'f':
		a->format = arg;
		return 0;
	case 'a':
		if (parse_alpha(arg, &a->alpha)) {
			snprintf(why, sizeof(why), "--alpha '%s': not a number between 0 and 1", arg);
			analysis_usage(usage, why);
			return -1;
		}
		return 0;
	case 'c':
		a->load.column = arg;
		return 0;
	case OPT_HIGHER_IS_BETTER:
		a->load.higher_is_better = true;
		return 0;
	case OPT_ALL_COUNTERS:
		a->load.all_counters = true;
		return 0;
	case OPT_FORCE:
		a->load.force = true;
		return 0;
	case OPT_WARMUP:
		if (parse_count(arg, &a->load.warmup)) {
			snprintf(why, sizeof(why), "--warmup '%s': not a number of iterations", arg);
			analysis_usage(usage, why);
			return -1;
		}
		a->load.warmup_given = true;
		return 0;
	case OPT_CORRECTION:
		if (correction_parse(arg) < 0) {
			snprintf(why, sizeof(why), "--correction '%s': holm, bonferroni or none", arg);
			analysis_usage(usage, why);
			return -1;
		}
		a->correction = (enum correction)correction_parse(arg);
		return 0;
	case 'o':
		a->output = arg;
		return 0;
	case OPT_BASELINE:
		a->baseline = arg;
		return 0;
	case 'h':
		cli_usage_print(stdout, usage);
		return -1;
	default:
		analysis_usage(usage, NULL);
		return -1;
	}
}

int analysis_parse(int argc, char **argv, analysis_option_fn option, const struct cli_usage *usage,
		   int min_operands, const char *operands_needed, struct analysis_args *a)
{
	struct cli_parser parser;
	int opt;

	cli_parser_init(&parser, usage->tables);
	while ((opt = cli_getopt(&parser, argc, argv)) != -1)
		if (option ? option(a, opt, optarg) : analysis_option(a, opt, optarg, usage))
			return opt == 'h' ? EXIT_OK : EXIT_BAD_INPUT;
	if (argc - optind + (a->baseline != NULL) < min_operands)
		return analysis_usage(usage, operands_needed);
	if (strcmp(a->format, "text") && strcmp(a->format, "markdown") && strcmp(a->format, "json"))
		return analysis_usage(usage, "--format is text, markdown or json");
	return -1;
}

char **analysis_operands(const struct analysis_args *a, int argc, char **argv, size_t *n)
{
	char **ops = xcalloc((size_t)argc + 2, sizeof(*ops));

	*n = 0;
	if (a->baseline)
		ops[(*n)++] = (char *)a->baseline;
	for (int i = optind; i < argc; i++)
		ops[(*n)++] = argv[i];
	return ops;
}

void analysis_print_json(FILE *f, json_t *root)
{
	json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

/* The refusal names the first difference that makes the sides
 * incomparable and counts the others. */
int analysis_check_comparable(const struct analysis_args *a, const struct dataset *base, const struct dataset *cand)
{
	struct differences ds = { 0 };
	const struct difference *refusing;
	char more[48] = "";
	size_t others = 0;
	int ret = EXIT_OK;

	differences_find(base->run_json, cand->run_json, &ds);
	refusing = differences_refusing(&ds);
	for (size_t i = 0; i < ds.n; i++)
		others += ds.d[i].refuse && &ds.d[i] != refusing;
	if (others)
		snprintf(more, sizeof(more), " (and %zu more)", others);
	if (refusing && !a->load.force) {
		char b[64], c[64];
		pb_err("%s and %s did not run the same test: %s is %.60s against %.60s%s; compare them anyway "
		       "with --force", base->path, cand->path, refusing->key,
		       difference_text(refusing, refusing->base, b, sizeof(b)),
		       difference_text(refusing, refusing->cand, c, sizeof(c)), more);
		ret = EXIT_BAD_INPUT;
	}
	differences_free(&ds);
	const char *shared = ret ? NULL : dataset_shared_run(base, cand);
	if (shared)
		pb_warn("%s and %s hold the same run (%s): what differs between them is noise", base->path,
			cand->path, shared);
	return ret;
}

int analysis_load_all(const struct analysis_args *a, char **paths, size_t n, struct dataset *d)
{
	char err[2048];

	for (size_t i = 0; i < n; i++) {
		int ret = store_is_source(paths[i]) ? store_load_dataset(paths[i], &a->load, &d[i], err, sizeof(err))
						    : dataset_load(paths[i], &a->load, &d[i], err, sizeof(err));
		if (ret) {
			pb_err("%s", err);
			return EXIT_BAD_INPUT;
		}
		if (i && analysis_check_comparable(a, &d[0], &d[i]))
			return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

FILE *analysis_open_output(const struct analysis_args *a, int *ret)
{
	FILE *f = a->output ? open_atomic(a->output) : stdout;

	*ret = f ? EXIT_OK : EXIT_BAD_INPUT;
	return f;
}

int analysis_close_output(const struct analysis_args *a, FILE *f)
{
	if (!a->output)
		return fflush(f) ? EXIT_BAD_INPUT : EXIT_OK;
	return close_atomic(a->output, f);
}
