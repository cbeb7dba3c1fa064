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
	"usage: pinbench run SCENARIO [-o DIR] [-q]\n"
	"       pinbench run --dry-run SCENARIO...\n"
	"       pinbench run --help-keys\n\n"
	"Runs a scenario file and writes a run directory (default results/NAME-TIME/).\n"
	"--dry-run checks each scenario given.\n",
	cmd_run_options,
	NULL,
	"run",
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
		default: return cli_usage_error(&usage, NULL);
		}
	}
	if (optind == argc || (optind != argc - 1 && !o->dry_run))
		return cli_usage_error(&usage, "expected one SCENARIO file%s, got %d argument(s)",
				       optind == argc ? "" : " (several with --dry-run)", argc - optind);
	if (optind != argc - 1 && o->output)
		return cli_usage_error(&usage, "-o names the directory of one run: give one SCENARIO with it");
	return -1; /* go on */
}

static int run_one(const char *path, struct run_options *o)
{
	struct scenario sc = { 0 };
	struct auto_runs autoruns;
	char err[1024];

	if (scenario_load(path, &sc, err, sizeof(err))) {
		pb_err("%s", err);
		return EXIT_BAD_INPUT;
	}
	o->stop = auto_runs_rule(&autoruns, &sc);
	int ret = runner_run(&sc, o);
	auto_runs_close(&autoruns);
	scenario_free(&sc);
	return ret;
}

/* Several dry runs: each is checked; the exit is the worst (bad input,
 * then what the machine cannot). */
static int worst(int a, int b)
{
	return a == EXIT_BAD_INPUT || b == EXIT_BAD_INPUT ? EXIT_BAD_INPUT : a ? a : b;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = { 0 };
	int ret = parse_args(argc, argv, &o);

	if (ret >= 0)
		return ret;
	ret = EXIT_OK;
	for (int i = optind; i < argc; i++)
		ret = worst(ret, run_one(argv[i], &o));
	return ret;
}
