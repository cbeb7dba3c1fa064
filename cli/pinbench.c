/* pinbench: long-term page pinning (FOLL_LONGTERM) stress and benchmark.
 * One command with subcommands, each a line of the table below. */
#include "config.h"
#include "exitcode.h"
#include "cmd.h"
#include "log.h"
#include "stats.h"
#include "scenario.h"
#include "stressor.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

/* `pinbench _helper TYPE ARGS...`: the body of a process a stressor
 * spawns (not listed in help). */
static int cmd_helper(int argc, char **argv)
{
	const struct stressor *st = argc > 1 ? stressor_find(argv[1]) : NULL;

	if (!st || !st->helper_main)
		return EXIT_BAD_INPUT;
	return st->helper_main(argc - 1, argv + 1);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return 0;
}

static const struct command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
	const struct cli_option *const *options; /* for `help options` */
} commands[] = {
	{ "run", "run a scenario: pin memory per NUMA node, time every call, record vmstat", cmd_run, cmd_run_options },
	{ "env", "show what this machine offers; create or undo a movable zone", cmd_env },
	{ "report", "statistics of runs: percentiles with confidence intervals, spread between runs", cmd_report, cmd_report_options },
	{ "compare", "compare runs (or sample files) with a verdict per metric: tests, intervals, effect sizes", cmd_compare, cmd_compare_options },
	{ "gate", "pass or fail a candidate against a baseline by rules; JUnit and Markdown for CI", cmd_gate, cmd_gate_options },
	{ "capacity", "sweep a scenario over a grid; fit pin time against size per node; plan guest sizes", cmd_capacity, cmd_capacity_options },
	{ "vm", "boot kernels in QEMU with the NUMA, CMA and movable layout asked; run a scenario in each; compare", cmd_vm, cmd_vm_options },
	{ "kernel", "build the kernels vm boots: Debian's 6.1/6.12 source, a config fragment, patches; cached", cmd_kernel, cmd_kernel_options },
	{ "store", "add run directories to the results database (SQLite, or PostgreSQL for a fleet)", cmd_store, cmd_store_options },
	{ "history", "one metric over the stored runs of a scenario, with its change points; HTML trend plot", cmd_history, cmd_history_options },
	{ "version", "print the version", cmd_version },
	{ "help", "this list; 'help keys': every scenario key (as run --help-keys); 'help options': every option", cmd_help },
	{ "_helper", NULL, cmd_helper },
};

/* `help options`: "COMMAND -x --name ARG" a line, every option each
 * command parses (tests/man-keys.sh checks the man page against it). */
static void print_options(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		for (const struct cli_option *const *t = commands[i].options; t && *t; t++)
			for (const struct cli_option *o = *t; o->name; o++)
				if (o->help)
					printf("%s %c%c --%s%s%s\n", commands[i].name, o->key < CLI_LONG ? '-' : ' ',
					       o->key < CLI_LONG ? o->key : ' ', o->name, o->arg ? " " : "",
					       o->arg ? o->arg : "");
}

static const struct command *find_command(const char *name)
{
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		if (commands[c].summary && !strcmp(commands[c].name, name))
			return &commands[c];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "keys")) {
		scenario_print_keys();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "options")) {
		print_options();
		return 0;
	}
	if (argc == 2 && find_command(argv[1]) && strcmp(argv[1], "help")) {
		/* help COMMAND is COMMAND --help */
		char *args[] = { argv[1], "--help", NULL };
		return find_command(argv[1])->fn(2, args);
	}
	if (argc >= 2) {
		pb_err("help: no command or topic '%s' (pinbench help lists the commands; 'help keys', "
		       "'help options')", argc > 2 ? argv[2] : argv[1]);
		return EXIT_BAD_INPUT;
	}
	printf("usage: pinbench [-v] COMMAND [ARGS]\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			printf("  %-9s %s\n", commands[i].name, commands[i].summary);
	printf("\n'pinbench COMMAND --help' for a command's options; man pinbench for the rest.\n");
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	stats_init();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			pb_verbose++;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cmd_help(0, NULL);
		else if (!strcmp(argv[i], "--version"))
			return cmd_version(0, NULL);
		else {
			pb_err("unknown option '%s'", argv[i]);
			return EXIT_BAD_INPUT;
		}
	}
	if (i >= argc) {
		cmd_help(0, NULL);
		return EXIT_BAD_INPUT;
	}
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		if (!strcmp(commands[c].name, argv[i]))
			return commands[c].fn(argc - i, argv + i);
	pb_err("unknown command '%s' (pinbench help lists them)", argv[i]);
	return EXIT_BAD_INPUT;
}
