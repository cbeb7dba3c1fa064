/* The command-line options of a command, declared once: getopt_long's
 * table, its optstring and the option lines of the usage are all made
 * from the same array, so none of them can drift from the others (and
 * `pinbench help options` lists them for the man page check). */
#ifndef PB_CLI_OPTIONS_H
#define PB_CLI_OPTIONS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

struct cli_option {
	const char *name; /* --name */
	int key;          /* 'x' for -x as well, or CLI_LONG + n: no short form */
	const char *arg;  /* the argument as the usage names it ("FILE"); NULL: none */
	const char *help; /* wrapped to 80 columns; NULL: not listed (--help) */
};
/* Array terminator. */
#define CLI_END { NULL, 0, NULL, NULL }
/* getopt values from here have no short option. */
#define CLI_LONG 256
/* Every command takes it; not listed in the usage. */
#define CLI_HELP { "help", 'h', NULL, NULL }

#define CLI_MAX_OPTIONS 48

/* A command's tables (each ended by CLI_END; the list by NULL) made
 * into what getopt_long takes. */
struct cli_parser {
	struct option longopts[CLI_MAX_OPTIONS + 1];
	char optstring[3 * CLI_MAX_OPTIONS + 2];
};

void cli_parser_init(struct cli_parser *p, const struct cli_option *const *tables);
/* getopt_long over the tables, from argv[optind] (set optind first).
 * getopt prints nothing: an unknown option or a missing argument is '?',
 * and cli_usage_error(u, NULL) then says which. */
int cli_getopt(const struct cli_parser *p, int argc, char **argv);
/* "  -o, --output DIR   where to ...", one or more lines an option, the
 * help column set by the widest option of the tables. */
void cli_print_options(FILE *f, const struct cli_option *const *tables);
/* A command's usage: the text before its options, its option tables,
 * the text after (either text may be NULL). */
struct cli_usage {
	const char *before;
	const struct cli_option *const *tables;
	const char *after;
	const char *command; /* "compare": what a usage error points at */
};
/* before, the option lines, after. */
void cli_usage_print(FILE *f, const struct cli_usage *u);
/* A usage error: one line on stderr, "pinbench: error: COMMAND: WHY;
 * see 'pinbench COMMAND --help'" (the usage itself is for --help). A
 * NULL fmt: the option the last cli_getopt could not take. Returns
 * EXIT_BAD_INPUT. */
int cli_usage_error(const struct cli_usage *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a command without a cli_usage (env, kernel). */
int cli_usage_fail(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What one command takes, for `pinbench help options`. */
struct cli_command_options {
	const char *command;
	const struct cli_option *const *tables;
};

#endif
