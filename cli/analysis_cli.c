#include "config.h"
#include "analysis_cli.h"
#include "differences.h"
#include "exitcode.h"
#include "log.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
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

int analysis_usage(const char *usage, const char *why)
{
	if (why)
		fprintf(stderr, "pinbench: %s\n", why);
	fputs(usage, stderr);
	return EXIT_BAD_INPUT;
}

int analysis_option(struct analysis_args *a, int opt, const char *arg, const char *usage)
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
	case 'H':
		a->load.higher_is_better = true;
		return 0;
	case 'A':
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
	case 'B':
		a->baseline = arg;
		return 0;
	case 'h':
		fputs(usage, stdout);
		return -1;
	default:
		analysis_usage(usage, NULL);
		return -1;
	}
}

int analysis_parse(int argc, char **argv, const char *optstring, const struct option *longopts,
		   analysis_option_fn option, const char *usage, int min_operands, const char *operands_needed,
		   struct analysis_args *a)
{
	int opt;

	while ((opt = getopt_long(argc, argv, optstring ? optstring : "f:a:c:o:h", longopts, NULL)) != -1)
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
		pb_err("%s and %s did not run the same test: %s is %.60s against %.60s%s; compare them anyway "
		       "with --force", base->path, cand->path, refusing->key, refusing->base, refusing->cand, more);
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
	char err[1024];

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
