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
#include "runner.h"
#include "rundir.h"
#include "scenario.h"
#include "util.h"
#include "paths.h"
#include "exitcode.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct cli_option capacity_options[] = {
	{ "output", 'o', "DIR", "where to write" },
	{ "dry-run", 'n', NULL,
	  "check the grid and every point as pinbench run --dry-run does, print the points; run nothing, "
	  "write nothing (exit 0, 2 bad input, 3 the machine cannot)" },
	CLI_HELP,
	CLI_END,
};
const struct cli_option *const cmd_capacity_options[] = { capacity_options, NULL };

static const struct cli_usage usage = {
	"usage: pinbench capacity SCENARIO [-o DIR]\n"
	"       pinbench capacity --dry-run SCENARIO\n"
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
	"capacity",
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

/* --dry-run: each point checked on this machine as its run would be,
 * into the directory the sweep would write (a complete point of an
 * interrupted sweep in DIR is kept, as the sweep keeps it). */
static int dry_run(const struct ini_doc *doc, const struct sweep *sw, const char *path, const char *dir)
{
	struct run_options o = { .dry_run = true, .quiet = true };
	char label[512], name[32], err[1024], run_dir[4200];
	struct stat st;
	int ret = EXIT_OK;

	printf("capacity sweep of %s: %zu point(s) -> %s\n", path, sw->npoints, dir);
	for (size_t p = 0; p < sw->npoints && ret != EXIT_BAD_INPUT; p++) {
		struct scenario sc = { 0 };
		sweep_point_label(sw, p, label, sizeof(label));
		snprintf(name, sizeof(name), "point-%02zu", p + 1);
		snprintf(run_dir, sizeof(run_dir), "%s/%s", dir, name);
		printf("%s: %s\n", name, label);
		if (rundir_complete(run_dir)) {
			printf("  complete in %s: kept\n", run_dir);
			continue;
		}
		/* an interrupted attempt there is moved aside before the point runs */
		o.output = stat(run_dir, &st) ? run_dir : NULL;
		char *text = sweep_point_text(doc, sw, p);
		if (scenario_parse(name, text, &sc, err, sizeof(err))) { /* sweep_check_points took it */
			pb_err("%s", err);
			free(text);
			return EXIT_BAD_INPUT;
		}
		sc.name = xstrdup(name);
		sc.path = xstrdup(name);
		sc.text = text;
		int r = runner_run(&sc, &o);
		scenario_free(&sc);
		if (r && ret != EXIT_BAD_INPUT)
			ret = r;
	}
	return ret;
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
	bool dry = false;

	cli_parser_init(&parser, cmd_capacity_options);
	optind = 1;
	while ((c = cli_getopt(&parser, argc, argv)) != -1) {
		if (c == 'h') {
			cli_usage_print(stdout, &usage);
			return 0;
		}
		if (c == 'n') {
			dry = true;
			continue;
		}
		if (c != 'o')
			return cli_usage_error(&usage, NULL);
		out = optarg;
	}
	if (optind != argc - 1)
		return cli_usage_error(&usage, "expected one SCENARIO file, got %d argument(s)", argc - optind);
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
	if (dry) {
		ret = dry_run(&doc, &sw, argv[optind], dir);
		goto out;
	}
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
