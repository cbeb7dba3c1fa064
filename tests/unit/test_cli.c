/* The command-line option tables: every command's tables are consistent
 * (no name or key twice, within the parser's size), getopt parses what
 * the usage lists, and the usage lists every option within 80 columns. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_cli.h"
#include "cli_options.h"
#include "cmd.h"
#include "util.h"

static const struct {
	const char *name;
	const struct cli_option *const *tables;
} commands[] = {
	{ "run", cmd_run_options },       { "report", cmd_report_options },     { "compare", cmd_compare_options },
	{ "gate", cmd_gate_options },     { "capacity", cmd_capacity_options }, { "vm", cmd_vm_options },
	{ "kernel", cmd_kernel_options }, { "store", cmd_store_options },       { "history", cmd_history_options },
};

static void no_option_twice(void **state)
{
	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		const struct cli_option *seen[CLI_MAX_OPTIONS];
		size_t n = 0;
		for (const struct cli_option *const *t = commands[c].tables; *t; t++)
			for (const struct cli_option *o = *t; o->name; o++) {
				for (size_t i = 0; i < n; i++) {
					if (!strcmp(seen[i]->name, o->name) || seen[i]->key == o->key)
						fail_msg("%s: --%s and --%s share a name or key", commands[c].name,
							 seen[i]->name, o->name);
				}
				assert_true(n < CLI_MAX_OPTIONS);
				seen[n++] = o;
			}
	}
}

/* Everything the usage prints of a command. */
static char *usage_text(const struct cli_option *const *tables)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_print_options(f, tables);
	fclose(f);
	return buf;
}

static void usage_lists_every_option(void **state)
{
	char want[96];

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		char *text = usage_text(commands[c].tables);
		for (char *line = text, *end; *line; line = end + 1) {
			end = strchr(line, '\n');
			assert_non_null(end);
			if (end - line > 80)
				fail_msg("%s: a usage line of %d columns: %.*s", commands[c].name, (int)(end - line),
					 (int)(end - line), line);
		}
		for (const struct cli_option *const *t = commands[c].tables; *t; t++)
			for (const struct cli_option *o = *t; o->name; o++) {
				snprintf(want, sizeof(want), "--%s%s%s ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
				if (o->help && !strstr(text, want))
					fail_msg("%s: the usage does not list '%s'", commands[c].name, want);
				if (!o->help && strstr(text, want))
					fail_msg("%s: the usage lists hidden '%s'", commands[c].name, want);
			}
		free(text);
	}
}

static void wraps_at_words(void **state)
{
	static const struct cli_option opts[] = {
		{ "long", 'l', "X",
		  "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen" },
		{ "an-option-name-wider-than-the-column", CLI_LONG, NULL, "help" },
		CLI_END,
	};
	static const struct cli_option *const tables[] = { opts, NULL };
	char *text = usage_text(tables);

	(void)state;
	assert_string_equal(text, "  -l, --long X  one two three four five six seven eight nine ten eleven twelve\n"
				  "                thirteen fourteen fifteen\n"
				  "      --an-option-name-wider-than-the-column\n"
				  "                help\n");
	free(text);
}

static void parses_what_it_lists(void **state)
{
	struct cli_parser p;
	char *argv[] = { "compare", "--alpha", "0.1", "-c", "col", "--force", "-o", "out", "a", "b", NULL };
	int argc = 10, keys[8], n = 0, k;
	char *args[8];

	(void)state;
	cli_parser_init(&p, cmd_compare_options);
	/* the leading colon: a missing argument is told apart from an unknown option */
	assert_string_equal(p.optstring, ":f:a:c:ho:");
	optind = 1;
	while ((k = cli_getopt(&p, argc, argv)) != -1 && n < 8) {
		args[n] = optarg;
		keys[n++] = k;
	}
	assert_int_equal(n, 4);
	assert_int_equal(keys[0], 'a');
	assert_string_equal(args[0], "0.1");
	assert_int_equal(keys[1], 'c');
	assert_int_equal(keys[2], OPT_FORCE);
	assert_int_equal(keys[3], 'o');
	assert_string_equal(args[3], "out");
	assert_int_equal(optind, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_option_twice),
		cmocka_unit_test(usage_lists_every_option),
		cmocka_unit_test(wraps_at_words),
		cmocka_unit_test(parses_what_it_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
