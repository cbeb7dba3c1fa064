/* `pinbench run SCENARIO [-o DIR]`: the scenario loaded, runs = auto's
 * stop rule built, and the runner given both. */
#include "config.h"
#include "auto_runs.h"
#include "cli_options.h"
#include "cmd.h"
#include "exitcode.h"
#include "log.h"
#include "runner.h"
#include "scenario.h"

#include <stdio.h>

enum { OPT_HELP_KEYS = CLI_LONG };

static const struct cli_option run_options[] = {
	{ "output", 'o', "DIR", "where to write the run directory (must not exist)" },
	{ "quiet", 'q', NULL, "no progress line" },
	{ "dry-run", 'n', NULL,
	  "check everything a run would check and print the plan; change nothing (exit 0, 2 bad input, 3 the "
	  "machine cannot)" },
	{ "help-keys", OPT_HELP_KEYS, NULL, "list every scenario key with its default" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_run_options[] = { run_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench run SCENARIO [-o DIR] [-q] [-n]\n"
	"       pinbench run --help-keys\n\n"
	"Runs a scenario file and writes a run directory (default results/NAME-TIME/).\n",
	cmd_run_options,
	NULL,
};

static int parse_args(int argc, char **argv, struct run_options *o)
{
	struct cli_parser parser;
	int c;

	cli_parser_init(&parser, cmd_run_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'q': o->quiet = true; break;
		case 'n': o->dry_run = true; break;
		case 'h': cli_usage_print(stdout, &usage); return 0;
		case OPT_HELP_KEYS: scenario_print_keys(); return 0;
		default: cli_usage_print(stderr, &usage); return EXIT_BAD_INPUT;
		}
	}
	if (optind != argc - 1) {
		pb_err("run: expected one SCENARIO file, got %d argument(s)", argc - optind);
		cli_usage_print(stderr, &usage);
		return EXIT_BAD_INPUT;
	}
	return -1; /* go on */
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = { 0 };
	struct scenario sc = { 0 };
	struct auto_runs autoruns;
	char err[1024];
	int ret = parse_args(argc, argv, &o);

	if (ret >= 0)
		return ret;
	if (scenario_load(argv[optind], &sc, err, sizeof(err))) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	o.stop = auto_runs_rule(&autoruns, &sc);
	ret = runner_run(&sc, &o);
	auto_runs_close(&autoruns);
	scenario_free(&sc);
	return ret;
}
