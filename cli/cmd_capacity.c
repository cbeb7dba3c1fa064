/* pinbench capacity SCENARIO [-o DIR]: runs a scenario over the grid its
 * [sweep] section spans, one run directory per point (each `runs` times),
 * with progress and ETA for the whole sweep; resumes an interrupted sweep
 * keeping the points already complete (bench/sweep.c); then analyses it
 * (capacity.h). */
#include "config.h"
#include "cmd.h"
#include "capacity.h"
#include "capacity_view.h"
#include "env.h"
#include "ini_doc.h"
#include "log.h"
#include "sweep.h"
#include "paths.h"
#include "exitcode.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option capacity_options[] = {
	{ "output", 'o', "DIR", "where to write" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_capacity_options[] = { capacity_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench capacity SCENARIO [-o DIR]\n"
	"\n"
	"Runs SCENARIO at every point of the grid its [sweep] section spans, e.g.\n"
	"  [sweep]\n"
	"  pin.size = 256M, 512M, 1G      ; SECTION.KEY = values: any key of any section\n"
	"  global.movable = 1G\n"
	"  max_failure_rate = 1%          ; the largest size per node under this rate\n"
	"  plan = 64G, 256G, 1T           ; guest sizes to extrapolate the pin time to\n"
	"then fits pin time against pinned size per node and writes DIR/capacity.json.\n"
	"DIR (default results/capacity-NAME-TIME) may hold an interrupted sweep of the\n"
	"same scenario: its complete points are kept, the rest run again.\n",
	cmd_capacity_options,
	NULL,
};

/* max_failure_rate and plan are checked when the sweep is read, not after
 * it has run. */
static int check_setting(const char *key, const char *value, char *why, size_t len)
{
	uint64_t plan[CAPACITY_MAX_PLAN];
	size_t nplan;
	double rate;

	return strcmp(key, "max_failure_rate") ? capacity_parse_plan(value, plan, &nplan, why, len)
						: capacity_parse_rate(value, &rate, why, len);
}

int cmd_capacity(int argc, char **argv)
{
	struct cli_parser parser;
	const char *out = NULL;
	char err[1024], dir[4096], name[256], path[4200];
	struct ini_doc doc = { .err = err, .errlen = sizeof(err) };
	struct sweep sw = { 0 };
	int c, ret = EXIT_BAD_INPUT;
	char *text = NULL;

	cli_parser_init(&parser, cmd_capacity_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1) {
		if (c == 'h') {
			cli_usage_print(stdout, &usage);
			return 0;
		}
		if (c != 'o') {
			cli_usage_print(stderr, &usage);
			return EXIT_BAD_INPUT;
		}
		out = optarg;
	}
	if (optind != argc - 1) {
		pb_err("capacity: expected one SCENARIO file, got %d argument(s)", argc - optind);
		return EXIT_BAD_INPUT;
	}
	doc.name = argv[optind];
	text = ini_doc_read(argv[optind], err, sizeof(err));
	if (!text || ini_doc_parse(&doc, text) || sweep_read(&doc, &sw, check_setting, err, sizeof(err)) ||
	    sweep_check_points(&doc, &sw, err, sizeof(err))) {
		pb_err("%s", err);
		goto out;
	}
	const char *base = path_base(argv[optind]);
	snprintf(name, sizeof(name), "capacity-%.*s", (int)strcspn(base, "."), base);
	if (out)
		snprintf(dir, sizeof(dir), "%s", out);
	else
		default_results_dir(name, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, SWEEP_JSON);
	if (sweep_prepare_dir(dir, text) || sweep_write_json(path, argv[optind], &sw))
		goto out;
	printf("capacity sweep of %s: %zu point(s) -> %s\n", argv[optind], sw.npoints, dir);
	env_catch_signals();
	ret = sweep_run(dir, &doc, &sw);
	if (!ret)
		ret = capacity_analyse(dir, 0.05) ? EXIT_FAILED : EXIT_OK;
	else if (ret == EXIT_FAILED)
		printf("the sweep stopped; 'pinbench capacity %s -o %s' resumes it\n", argv[optind], dir);
out:
	sweep_free(&sw);
	ini_doc_free(&doc);
	free(text);
	return ret;
}
