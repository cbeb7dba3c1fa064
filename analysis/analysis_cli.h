/* What the analysis commands (report, compare, gate) share on the command
 * line: the options for reading inputs, the loading, and writing the
 * output file without ever leaving it half-written. */
#ifndef PB_ANALYSIS_CLI_H
#define PB_ANALYSIS_CLI_H

#include "dataset.h"

#include <stdbool.h>
#include <stdio.h>

struct analysis_args {
	double alpha;
	const char *format;
	const char *output;
	const char *baseline;  /* --baseline: the base side, before the operands */
	struct load_options load;
};

/* Handles one getopt result of the shared options ('f', 'a', 'c', 'H',
 * 'A', 'o', 'B' (--baseline), 'h', '?'). 0 when handled; -1 to stop (help printed, or an
 * error already reported: exit 0 for 'h', 2 otherwise). */
int analysis_option(struct analysis_args *a, int opt, const char *arg, const char *usage);
/* "pinbench: why" and the usage on stderr; returns 2. */
int analysis_usage(const char *usage, const char *why);
/* A command's own option handler: its options, then analysis_option for
 * the rest; 0 when handled, -1 to stop as analysis_option does. The
 * command's arguments start with its struct analysis_args. */
typedef int (*analysis_option_fn)(struct analysis_args *a, int opt, const char *arg);
/* getopt_long with optstring (NULL: the shared options) through option
 * (NULL: analysis_option), then checks --format (text, markdown, json)
 * and that at least min_operands remain (from optind). Returns -1 to go
 * on, or the exit status (0 after --help, 2). */
struct option;
int analysis_parse(int argc, char **argv, const char *optstring, const struct option *longopts,
		   analysis_option_fn option, const char *usage, int min_operands, const char *operands_needed,
		   struct analysis_args *a);
/* The operands after getopt, with --baseline (when given) first: an
 * array to free (not its strings); *n its length. */
char **analysis_operands(const struct analysis_args *a, int argc, char **argv, size_t *n);
/* Prints root as indented JSON and releases it. */
void analysis_print_json(FILE *f, json_t *root);
/* Loads every path (a run directory, a file, or stored runs:
 * "db:URL?scenario=S&host=H&last=N", see store.h); 0, or 2 after
 * printing the first error. */
int analysis_load_all(const struct analysis_args *a, char **paths, size_t n, struct dataset *d);
/* stdout, or a temporary file beside --output renamed on close. */
FILE *analysis_open_output(const struct analysis_args *a, int *ret);
int analysis_close_output(const struct analysis_args *a, FILE *f);
/* Same, for any path (JUnit, Markdown side files). */
FILE *open_atomic(const char *path);
int close_atomic(const char *path, FILE *f);

#endif
