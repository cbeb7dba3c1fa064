/* What the analysis commands (report, compare, gate) share on the command
 * line: the options for reading inputs, the loading, and writing the
 * output file without ever leaving it half-written. */
#ifndef PB_ANALYSIS_CLI_H
#define PB_ANALYSIS_CLI_H

#include "cli_options.h"
#include "compare.h"
#include "dataset.h"

#include <stdbool.h>
#include <stdio.h>

struct analysis_args {
	double alpha;
	enum correction correction;
	const char *format;
	const char *output;
	const char *baseline;  /* --baseline: the base side, before the operands */
	struct load_options load;
};

/* getopt values of the shared long options without a short one
 * (commands number their own from CLI_LONG). */
enum {
	OPT_FORCE = CLI_LONG + 100, OPT_WARMUP, OPT_CORRECTION, OPT_HIGHER_IS_BETTER, OPT_ALL_COUNTERS,
	OPT_BASELINE,
};

/* The options every analysis command takes beside its own (--format and
 * --output are each command's: what they take differs). */
extern const struct cli_option analysis_options[];

/* Handles one getopt result of the shared options ('f' --format, 'a',
 * 'c', 'o' --output, 'h', OPT_*, '?'). 0 when handled; -1 to stop (help
 * printed, or an error already reported: exit 0 for 'h', 2 otherwise). */
int analysis_option(struct analysis_args *a, int opt, const char *arg, const struct cli_usage *usage);
/* "pinbench: why" and the usage on stderr; returns EXIT_BAD_INPUT. */
int analysis_usage(const struct cli_usage *usage, const char *why);
/* A command's own option handler: its options, then analysis_option for
 * the rest; 0 when handled, -1 to stop as analysis_option does. The
 * command's arguments start with its struct analysis_args. */
typedef int (*analysis_option_fn)(struct analysis_args *a, int opt, const char *arg);
/* getopt over usage's option tables through option (NULL:
 * analysis_option), then checks --format (text, markdown, json) and that
 * at least min_operands remain (from optind). Returns -1 to go on, or the
 * exit status (0 after --help, 2). */
int analysis_parse(int argc, char **argv, analysis_option_fn option, const struct cli_usage *usage,
		   int min_operands, const char *operands_needed, struct analysis_args *a);
/* The operands after getopt, with --baseline (when given) first: an
 * array to free (not its strings); *n its length. */
char **analysis_operands(const struct analysis_args *a, int argc, char **argv, size_t *n);
/* Prints root as indented JSON and releases it. */
void analysis_print_json(FILE *f, json_t *root);
/* Loads every path (a run directory, a file, or stored runs:
 * "db:URL?scenario=S&host=H&last=N", see store.h); 0, or 2 after
 * printing the first error. Each side after the first must have run what
 * the first ran (the scenario, the node count, the run-directory schema)
 * unless --force; a side that holds the first side's own runs is warned
 * about. */
int analysis_load_all(const struct analysis_args *a, char **paths, size_t n, struct dataset *d);
/* The check analysis_load_all makes of each side after the first: 0, or 2
 * after printing the refusal. */
int analysis_check_comparable(const struct analysis_args *a, const struct dataset *base,
			      const struct dataset *cand);
/* stdout, or a temporary file beside --output renamed on close. */
FILE *analysis_open_output(const struct analysis_args *a, int *ret);
int analysis_close_output(const struct analysis_args *a, FILE *f);

#endif
