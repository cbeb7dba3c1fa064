/* The scenario parser: a good file, defaults, and every bad-input path,
 * each of which must name the file, the line and the key. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"
#include "util.h"

static void good_file(void **state)
{
	const char *text =
		"; comment\n"
		"[global]\n"
		"runs = 3\n"
		"seed = 1234\n"
		"movable = 1G\n"
		"thp = never\n"
		"vmstat_interval = 50ms\n"
		"\n"
		"[vm]\n"
		"type = pin\n"
		"backend = af_xdp\n"
		"memory = memfd-thp\n"
		"nodes = 0,2-3\n"
		"size = 2G\n"
		"chunk = 512M\n"
		"iterations = 4\n"
		"reuse = yes\n"
		"hold = 2s\n";
	struct scenario sc;
	char err[512] = "";

	(void)state;
	assert_int_equal(scenario_parse("t.ini", text, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc.global.runs, 3);
	assert_true(sc.global.seed_given);
	assert_int_equal(sc.global.seed, 1234);
	assert_int_equal(sc.global.movable, GIB);
	assert_string_equal(sc.global.thp, "never");
	assert_int_equal(sc.global.vmstat_interval_ns, 50000000ULL);
	assert_int_equal(sc.njobs, 1);
	struct pin_job *j = &sc.jobs[0];
	assert_string_equal(j->name, "vm");
	assert_string_equal(j->backend->name, "af_xdp");
	assert_string_equal(j->memory->name, "memfd-thp");
	assert_false(j->all_nodes);
	assert_int_equal(j->nnodes, 3);
	assert_int_equal(j->nodes[0], 0);
	assert_int_equal(j->nodes[1], 2);
	assert_int_equal(j->nodes[2], 3);
	assert_int_equal(j->size, 2 * GIB);
	assert_int_equal(j->chunk, 512 * MIB);
	assert_int_equal(j->iterations, 4);
	assert_true(j->reuse);
	assert_int_equal(j->hold_ns, 2000000000ULL);
	assert_int_equal(j->nodes_line, 13);
	scenario_free(&sc);
}

static void defaults(void **state)
{
	struct scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(scenario_parse("d.ini", "[p]\ntype = pin\nsize = 3G\n", &sc, err, sizeof(err)), 0);
	assert_int_equal(sc.global.runs, 1);
	assert_false(sc.global.seed_given);
	assert_int_equal(sc.global.movable, 0);
	assert_string_equal(sc.global.thp, "");
	assert_int_equal(sc.global.vmstat_interval_ns, 100000000ULL);
	assert_string_equal(sc.jobs[0].backend->name, "io_uring");
	assert_string_equal(sc.jobs[0].memory->name, "anon");
	assert_true(sc.jobs[0].all_nodes);
	/* chunk defaults to size, capped at io_uring's 1 GiB */
	assert_int_equal(sc.jobs[0].chunk, GIB);
	assert_int_equal(sc.jobs[0].iterations, 1);
	assert_false(sc.jobs[0].reuse);
	assert_int_equal(sc.jobs[0].hold_ns, 0);
	scenario_free(&sc);
}

static void two_jobs_keep_their_order(void **state)
{
	struct scenario sc;
	char err[512];

	(void)state;
	assert_int_equal(scenario_parse("j.ini", "[b]\ntype=pin\nsize=4M\n[a]\ntype=pin\nsize=8M\n",
					&sc, err, sizeof(err)), 0);
	assert_int_equal(sc.njobs, 2);
	assert_string_equal(sc.jobs[0].name, "b");
	assert_string_equal(sc.jobs[1].name, "a");
	scenario_free(&sc);
}

/* One bad input and what its message must contain. */
static const struct bad_case {
	const char *text;
	const char *want; /* a substring of the message */
} bad_cases[] = {
	{ "[global]\nrunz = 2\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] unknown key 'runz'" },
	{ "[global]\nruns = 0\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'runs': must be at least 1" },
	{ "[global]\nruns = many\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'runs': 'many' is not a whole number" },
	{ "[global]\nseed = -3\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'seed'" },
	{ "[global]\nmovable = lots\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'movable': 'lots' is not a" },
	{ "[global]\nthp = sometimes\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'thp': 'sometimes' is not always, madvise or never" },
	{ "[global]\nvmstat_interval = soon\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'vmstat_interval'" },
	{ "runs = 2\n[p]\ntype=pin\nsize=4M\n", "b.ini:1: key 'runs' is outside any section" },
	{ "[p]\ntype=pin\nsize=4M\nsize=8M\n", "b.ini:4: [p] key 'size' is set twice (first on line 3)" },
	{ "[p]\ntype=pin\nsize=4M\n  8M\n", "an indented line continues the previous key" },
	{ "[p]\nsize=4M\n", "b.ini:2: [p] has no 'type =' key" },
	{ "[p]\ntype=pni\nsize=4M\n", "b.ini:2: [p] key 'type': unknown type 'pni'" },
	{ "[global]\nruns=1\n", "b.ini: no job section" },
	{ "", "b.ini: no job section" },
	{ "[p]\ntype=pin\n", "b.ini:2: [p] key 'size': is required" },
	{ "[p]\ntype=pin\nsize=0\n", "b.ini:3: [p] key 'size': must be a non-zero multiple of 4 KiB" },
	{ "[p]\ntype=pin\nsize=5000\n", "b.ini:3: [p] key 'size': must be a non-zero multiple of 4 KiB" },
	{ "[p]\ntype=pin\nmemory=hugetlb\nsize=3M\n", "b.ini:4: [p] key 'size': must be a non-zero multiple of 2 MiB" },
	{ "[p]\ntype=pin\nmemory=anon-thp\nsize=4M\nchunk=1M\n", "b.ini:5: [p] key 'chunk': must be a non-zero multiple of 2 MiB" },
	{ "[p]\ntype=pin\nsize=12M\nchunk=8M\n", "b.ini:4: [p] key 'chunk': 8 MiB does not divide size (12 MiB)" },
	{ "[p]\ntype=pin\nsize=4M\nchunk=8M\n", "b.ini:4: [p] key 'chunk': 8 MiB does not divide size" },
	{ "[p]\ntype=pin\nsize=4G\nchunk=2G\n", "b.ini:4: [p] key 'chunk': is larger than 1 GiB, the most backend io_uring pins" },
	{ "[p]\ntype=pin\nsize=1G\nchunk=4K\n", "b.ini:4: [p] key 'chunk': makes 262144 chunks per node" },
	{ "[p]\ntype=pin\nsize=4M\nbackend=vfio-typo\n", "b.ini:4: [p] key 'backend': unknown backend 'vfio-typo' (known: io_uring, af_xdp)" },
	{ "[p]\ntype=pin\nsize=4M\nmemory=ram\n", "b.ini:4: [p] key 'memory': unknown memory type 'ram'" },
	{ "[p]\ntype=pin\nsize=4M\nnodes=0,0\n", "b.ini:4: [p] key 'nodes': node 0 is listed twice" },
	{ "[p]\ntype=pin\nsize=4M\nnodes=3-1\n", "b.ini:4: [p] key 'nodes': '3-1' is not 'all' or a node list" },
	{ "[p]\ntype=pin\nsize=4M\nnodes=zero\n", "b.ini:4: [p] key 'nodes'" },
	{ "[p]\ntype=pin\nsize=4M\nnodes=99999\n", "b.ini:4: [p] key 'nodes'" },
	{ "[p]\ntype=pin\nsize=4M\nreuse=perhaps\n", "b.ini:4: [p] key 'reuse': 'perhaps' is not yes or no" },
	{ "[p]\ntype=pin\nsize=4M\nhold=forever\n", "b.ini:4: [p] key 'hold'" },
	{ "[p]\ntype=pin\nsize=4M\niterations=0\n", "b.ini:4: [p] key 'iterations': must be at least 1" },
	{ "[p]\ntype=pin\nsize=4M\nbogus\n", "b.ini:4: not a [section], key = value" },
	{ "[p\ntype=pin\nsize=4M\n", "b.ini:1: not a [section]" },
	{ "[abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij]\ntype=pin\nsize=4M\n",
	  "b.ini:1: section name is longer than 49 characters" },
};

static void bad_input(void **state)
{
	const struct bad_case *c = *state;
	struct scenario sc;
	char err[512] = "";
	int ret = scenario_parse("b.ini", c->text, &sc, err, sizeof(err));

	if (ret != -1 || !strstr(err, c->want))
		fail_msg("got %d '%s', want '%s'", ret, err, c->want);
}

static void long_line(void **state)
{
	char text[600], err[512];
	struct scenario sc;

	(void)state;
	snprintf(text, sizeof(text), "[p]\ntype=pin\nsize=4M\n; %0450d\n", 7);
	assert_int_equal(scenario_parse("l.ini", text, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "l.ini:4: line is longer than"));
}

static void files(void **state)
{
	char dir[] = "/tmp/pinbench-test-XXXXXX", path[256], err[512];
	struct scenario sc;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.ini", dir);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));

	snprintf(path, sizeof(path), "%s/nul.ini", dir);
	f = fopen(path, "w");
	fwrite("[p]\ntype=pin\nsi\0ze=4M\n", 1, 22, f);
	fclose(f);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nul.ini:3: NUL byte"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/my-test.ini", dir);
	f = fopen(path, "w");
	fputs("[p]\ntype=pin\nsize=4M\n", f);
	fclose(f);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), 0);
	assert_string_equal(sc.name, "my-test");
	assert_string_equal(sc.text, "[p]\ntype=pin\nsize=4M\n");
	scenario_free(&sc);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(good_file),
		cmocka_unit_test(defaults),
		cmocka_unit_test(two_jobs_keep_their_order),
		cmocka_unit_test(long_line),
		cmocka_unit_test(files),
	};
	size_t n = ARRAY_SIZE(fixed) + ARRAY_SIZE(bad_cases);
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	char (*names)[96] = calloc(ARRAY_SIZE(bad_cases), sizeof(*names));

	memcpy(tests, fixed, sizeof(fixed));
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		/* Named after the message each case expects. */
		snprintf(names[i], sizeof(names[i]), "bad_input: %s", bad_cases[i].want);
		struct CMUnitTest t = cmocka_unit_test_prestate(bad_input, (void *)&bad_cases[i]);
		t.name = names[i];
		tests[ARRAY_SIZE(fixed) + i] = t;
	}
	int failed = _cmocka_run_group_tests("scenario", tests, n, NULL, NULL);
	free(tests);
	free(names);
	return failed;
}
