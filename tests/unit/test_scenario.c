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
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "util.h"
#include "units.h"

/* A valid pin job to put stressor sections beside (lines 1-3). */
#define PIN "[p]\ntype=pin\nsize=4M\n"

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

static void stressors_with_defaults(void **state)
{
	const char *text = PIN
		"[churn]\ntype=pagecache\nthreads=2\n"
		"[drop]\ntype=drop-caches\ninterval=250ms\n"
		"[hold]\ntype=vmsplice\n"
		"[ng]\ntype=stress-ng\nargs=--cpu 1 --timeout '60'\n";
	struct scenario sc;
	char err[512] = "";

	(void)state;
	assert_int_equal(scenario_parse("s.ini", text, &sc, err, sizeof(err)), 0);
	assert_int_equal(sc.nstressors, 4);
	assert_string_equal(sc.stressors[0].name, "churn");
	assert_string_equal(sc.stressors[0].stressor->type, "pagecache");
	/* the option tables fill each stressor's own config: threads first */
	assert_int_equal(*(uint64_t *)sc.stressors[0].cfg, 2);
	assert_string_equal(sc.stressors[1].stressor->type, "drop-caches");
	assert_int_equal(*(uint64_t *)sc.stressors[1].cfg, 250000000ULL);
	assert_string_equal(sc.stressors[2].stressor->type, "vmsplice");
	assert_int_equal(*(uint64_t *)sc.stressors[2].cfg, 16); /* pages default */
	assert_string_equal((char *)sc.stressors[3].cfg, "--cpu 1 --timeout '60'"); /* quotes are fine */
	scenario_free(&sc);
}

static void shipped_scenarios_parse(void **state)
{
	static const char *const files[] = { "smoke", "known-failure", "seed-lru-batch", "seed-thp-split", "vm-start" };
	const char *srcdir = getenv("SRCDIR");
	char path[4096], err[512];
	struct scenario sc;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/bench/scenarios/%s.ini", srcdir ? srcdir : ".", files[i]);
		if (scenario_load(path, &sc, err, sizeof(err)))
			fail_msg("%s", err);
		scenario_free(&sc);
	}
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
	{ "[global]\nthp = sometimes\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'thp': 'sometimes' is not one of always,madvise,never" },
	{ "[global]\nvmstat_interval = soon\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'vmstat_interval'" },
	{ "runs = 2\n[p]\ntype=pin\nsize=4M\n", "b.ini:1: key 'runs' is outside any section" },
	{ "[p]\ntype=pin\nsize=4M\nsize=8M\n", "b.ini:4: [p] key 'size' is set twice (first on line 3)" },
	{ "[p]\ntype=pin\nsize=4M\n  8M\n", "b.ini:3: [p] key 'size': '4M 8M' is not a size" },
	/* issue 13, item 8: job names are a field of samples.csv */
	{ "[pin,job]\ntype=pin\nsize=4M\n", "b.ini:2: [pin,job]: a section name may not hold a comma" },
	{ "[pin\"job]\ntype=pin\nsize=4M\n", "b.ini:2: [pin\"job]: a section name may not hold a comma" },
	{ PIN "[s,t]\ntype=vmsplice\n", "b.ini:5: [s,t]: a section name may not hold" },
	{ "[p]\nsize=4M\n", "b.ini:2: [p] has no 'type =' key" },
	{ "[p]\ntype=pni\nsize=4M\n", "b.ini:2: [p] key 'type': unknown type 'pni'" },
	{ "[global]\nruns=1\n", "b.ini: no pin job" },
	{ "[global]\nruns = auto\n[p]\ntype=pin\nsize=4M\n",
	  "b.ini:2: [global] key 'runs': auto needs baseline = DIR: the runs its verdict is against" },
	{ "[global]\nbaseline = x\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'baseline': is for runs = auto" },
	{ "[global]\nruns = auto\nbaseline = x\nmax_runs = 1\n[p]\ntype=pin\nsize=4M\n",
	  "b.ini:4: [global] key 'max_runs': must be at least 2: a look needs two runs" },
	{ "[global]\nwarmup = 2\n[p]\ntype=pin\nsize=4M\niterations=2\n",
	  "b.ini:2: [global] key 'warmup': leaves no iteration of [p] (iterations = 2) to measure" },
	{ "", "b.ini: no pin job" },
	{ "[v]\ntype=vmsplice\n", "b.ini: no pin job" },
	{ "[p]\ntype=pin\n", "b.ini:2: [p] key 'size': is required" },
	{ "[p]\ntype=pin\nsize=0\n", "b.ini:3: [p] key 'size': must be a non-zero multiple of 4 KiB" },
	{ "[p]\ntype=pin\nsize=5000\n", "b.ini:3: [p] key 'size': must be a non-zero multiple of 4 KiB" },
	{ "[p]\ntype=pin\nmemory=hugetlb\nsize=3M\n", "b.ini:4: [p] key 'size': must be a non-zero multiple of 2 MiB" },
	{ "[p]\ntype=pin\nmemory=anon-thp\nsize=4M\nchunk=1M\n", "b.ini:5: [p] key 'chunk': must be a non-zero multiple of 2 MiB" },
	{ "[p]\ntype=pin\nsize=12M\nchunk=8M\n", "b.ini:4: [p] key 'chunk': 8 MiB does not divide size (12 MiB)" },
	{ "[p]\ntype=pin\nsize=4M\nchunk=8M\n", "b.ini:4: [p] key 'chunk': 8 MiB does not divide size" },
	{ "[p]\ntype=pin\nsize=4G\nchunk=2G\n", "b.ini:4: [p] key 'chunk': is larger than 1 GiB, the most backend io_uring pins" },
	{ "[p]\ntype=pin\nsize=1G\nchunk=4K\n", "b.ini:4: [p] key 'chunk': makes 262144 chunks per node" },
	{ "[p]\ntype=pin\nbackend=qemu\nmemory=memfd\nsize=64M\nchunk=32M\n",
	  "b.ini:6: [p] key 'chunk': backend qemu starts one client a pin, holding the device, so a worker pins one chunk: make chunk = size" },
	{ "[p]\ntype=pin\nbackend=qemu\nsize=64M\n",
	  "b.ini:2: [p] key 'memory': backend qemu maps the memory in another process: memory = memfd or memfd-thp" },
	{ "[p]\ntype=pin\nbackend=qemu\nmemory=memfd\nsize=64M\nargs=-smp \"2\n",
	  "b.ini:6: [p] key 'args': has an unterminated quote" },
	{ "[p]\ntype=pin\nsize=4M\nbackend=vfio-typo\n", "b.ini:4: [p] key 'backend': unknown backend 'vfio-typo' (known: io_uring, af_xdp, vfio, iommufd, gup_test, qemu)" },
	{ "[p]\ntype=pin\nsize=4M\nnr_pages_per_call=512\n", "b.ini:4: [p] unknown key 'nr_pages_per_call' (known: type, backend" },
	{ "[p]\ntype=pin\nsize=4M\nbackend=gup_test\nnr_pages_per_call=4294967296\n", "b.ini:5: [p] key 'nr_pages_per_call':" },
	{ "[global]\nsequential=maybe\n[p]\ntype=pin\nsize=4M\n", "b.ini:2: [global] key 'sequential':" },
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
	/* global knobs of issue 3 */
	{ "[global]\nshmem_thp = sometimes\n" PIN, "b.ini:2: [global] key 'shmem_thp': 'sometimes' is not one of always,within_size,advise,never,deny,force" },
	{ "[global]\nmthp = 64=always\n" PIN, "b.ini:2: [global] key 'mthp': '64=always' is not SIZEkB=MODE" },
	{ "[global]\nmthp = 64kB=sometimes\n" PIN, "b.ini:2: [global] key 'mthp': 'sometimes' is not one of always,inherit,madvise,never" },
	{ "[global]\nmthp_shmem = 2048kB=madvise\n" PIN, "b.ini:2: [global] key 'mthp_shmem': 'madvise' is not one of" },
	{ PIN "dirty=no\n", "b.ini:4: [p] key 'dirty': = no needs memory = memfd" },
	/* stressors: every key's bad values */
	{ PIN "[s]\ntype=stressful\n", "b.ini:5: [s] key 'type': unknown type 'stressful' (known: pin, pagecache, drop-caches, vmsplice, procvm, odirect, lru-batch, fragment, stress-ng, file-reader)" },
	{ PIN "[s]\ntype=vmsplice\npages=0\n", "b.ini:6: [s] key 'pages': must be at least 1" },
	{ PIN "[s]\ntype=vmsplice\noffset=100\n", "b.ini:6: [s] key 'offset': must be a multiple of 4 KiB" },
	/* issue 13, item 10: an offset past every pin range holds nothing */
	{ PIN "[s]\ntype=vmsplice\noffset=999G\n", "b.ini:6: [s] key 'offset': 999 GiB is not inside the pin ranges (the smallest chunk is 4 MiB)" },
	{ PIN "[q]\ntype=pin\nsize=8M\nchunk=2M\n[s]\ntype=vmsplice\noffset=2M\n", "b.ini:10: [s] key 'offset': 2 MiB is not inside the pin ranges (the smallest chunk is 2 MiB)" },
	{ PIN "[s]\ntype=vmsplice\nhold=1\n", "b.ini:6: [s] unknown key 'hold' (known: type, pages, offset)" },
	{ PIN "[s]\ntype=drop-caches\nvalue=4\n", "b.ini:6: [s] key 'value': '4' is not one of 1,2,3" },
	{ PIN "[s]\ntype=drop-caches\ninterval=often\n", "b.ini:6: [s] key 'interval': 'often' is not a duration" },
	{ PIN "[s]\ntype=pagecache\nthreads=0\n", "b.ini:6: [s] key 'threads': must be at least 1" },
	{ PIN "[s]\ntype=pagecache\nmix=write=x\n", "b.ini:6: [s] key 'mix': 'write' is not NAME=WEIGHT" },
	{ PIN "[s]\ntype=pagecache\nmix=erase=3\n", "b.ini:6: [s] key 'mix': 'erase' is not NAME=WEIGHT" },
	{ PIN "[s]\ntype=pagecache\nmix=write=0,read=0\n", "b.ini:6: [s] key 'mix': gives every operation weight 0" },
	{ PIN "[s]\ntype=pagecache\nblock=1000\n", "b.ini:6: [s] key 'block': must be a non-zero multiple of 4 KiB" },
	{ PIN "[s]\ntype=pagecache\nsize=4K\nblock=64K\n", "b.ini:7: [s] key 'block': must be a non-zero multiple of 4 KiB, at most size" },
	{ PIN "[s]\ntype=procvm\nmethod=ptrace\n", "b.ini:6: [s] key 'method': 'ptrace' is not one of process_vm_readv,procmem" },
	{ PIN "[s]\ntype=procvm\nblock=0\n", "b.ini:6: [s] key 'block': must be at least 1 B" },
	/* bounds and choices the option tables declare */
	{ PIN "[s]\ntype=procvm\nblock=65M\n", "b.ini:6: [s] key 'block': '65M' is more than the maximum 64 MiB" },
	{ PIN "[s]\ntype=lru-batch\npages=65\n", "b.ini:6: [s] key 'pages': 65 is more than the maximum 64" },
	{ PIN "[s]\ntype=file-reader\nbytes=8K\n", "b.ini:6: [s] key 'bytes': '8K' is more than the maximum 4 KiB" },
	{ PIN "[s]\ntype=file-reader\nstride=0\n", "b.ini:6: [s] key 'stride': must be at least 1 B" },
	{ PIN "[s]\ntype=drop-caches\nvalue=\n", "b.ini:6: [s] key 'value': '' is not one of 1,2,3" },
	{ "[global]\nthp = madvise,never\n" PIN, "b.ini:2: [global] key 'thp': 'madvise,never' is not one of" },
	{ "[global]\nruns = 1000001\n" PIN, "b.ini:2: [global] key 'runs': 1000001 is more than the maximum 1000000" },
	/* a backend's keys belong to it alone */
	{ "[p]\ntype=pin\nsize=4M\ndevice=0000:00:03.0\n", "b.ini:4: [p] unknown key 'device' (known: type, backend, memory, nodes" },
	{ "[p]\ntype=pin\nsize=4M\nbackend=vfio\nbogus=1\n", "b.ini:5: [p] unknown key 'bogus' (known: type, backend, memory, nodes, size, chunk, iterations, reuse, hold, dirty, device)" },
	{ PIN "[s]\ntype=odirect\nblock=3000\n", "b.ini:6: [s] key 'block': block must be a multiple of 4 KiB dividing file_size" },
	{ PIN "[s]\ntype=odirect\nfile_size=100K\n", "b.ini:6: [s] key 'file_size': block must be a multiple of 4 KiB dividing file_size" },
	{ PIN "[s]\ntype=lru-batch\naction=swap\n", "b.ini:6: [s] key 'action': 'swap' is not one of activate,fault,mlock,mlock-fault,cold" },
	{ PIN "[s]\ntype=lru-batch\npages=none\n", "b.ini:6: [s] key 'pages': 'none' is not a whole number" },
	{ PIN "[s]\ntype=fragment\nfree_every=0\n", "b.ini:6: [s] key 'free_every': must be at least 1" },
	{ PIN "[s]\ntype=fragment\nsize=lots\n", "b.ini:6: [s] key 'size': 'lots' is not a size" },
	{ PIN "[s]\ntype=stress-ng\n", "b.ini:5: [s] key 'args': is required" },
	{ PIN "[s]\ntype=stress-ng\nargs=--cpu 1; rm -rf /\n", "b.ini:6: [s] key 'args': holds shell syntax" },
	{ PIN "[s]\ntype=stress-ng\nargs=--cpu $HOME\n", "b.ini:6: [s] key 'args': holds shell syntax ($" },
	{ PIN "[s]\ntype=stress-ng\nargs=--cpu 1 --vm-method 'flip\n", "b.ini:6: [s] key 'args': has an unterminated quote" },
	{ "[abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij]\ntype=pin\nsize=4M\n",
	  "b.ini:1: section name is longer than 49 characters" },
};

/* What C cannot check at compile time: every default parses, within its
 * bounds, and every choice fits its field, in every table. */
static void option_tables(void **state)
{
	const struct scenario_key *t;
	const char *title;
	size_t n, size, ntables = 0;
	char err[256];

	(void)state;
	for (size_t i = 0; (t = scenario_table_at(i, &n, &title, &size)); i++, ntables++)
		if (option_table_check(t, n, size, err, sizeof(err)))
			fail_msg("%s: %s", title, err);
	assert_true(ntables >= 4 + 9); /* global, pin, 4 backends with keys, the stressors */
}

/* A backend's keys fill its own config: vfio's and iommufd's device. */
static void backend_options(void **state)
{
	struct scenario sc;
	char err[512] = "";

	(void)state;
	if (scenario_parse("v.ini", "[p]\ntype=pin\nsize=4M\nbackend=vfio\ndevice=0000:00:03.0\n", &sc, err,
			   sizeof(err)))
		fail_msg("%s", err);
	assert_non_null(sc.jobs[0].backend_cfg);
	assert_string_equal((const char *)sc.jobs[0].backend_cfg, "0000:00:03.0");
	scenario_free(&sc);
	assert_int_equal(scenario_parse("v.ini", "[p]\ntype=pin\nsize=4M\nbackend=vfio\n", &sc, err, sizeof(err)), 0);
	assert_string_equal((const char *)sc.jobs[0].backend_cfg, "auto");
	scenario_free(&sc);
	/* iommufd takes the same key, meaning the same device */
	if (scenario_parse("i.ini", "[p]\ntype=pin\nsize=4M\nbackend=iommufd\ndevice=0000:00:03.0\n", &sc, err,
			   sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(sc.jobs[0].backend->name, "iommufd");
	assert_string_equal((const char *)sc.jobs[0].backend_cfg, "0000:00:03.0");
	scenario_free(&sc);
	/* gup_test's pages per call: a whole chunk (0) unless given */
	if (scenario_parse("g.ini", "[p]\ntype=pin\nsize=4M\nbackend=gup_test\n", &sc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(*(const uint64_t *)sc.jobs[0].backend_cfg, 0);
	scenario_free(&sc);
	if (scenario_parse("g.ini", "[p]\ntype=pin\nsize=4M\nbackend=gup_test\nnr_pages_per_call=512\n", &sc, err,
			   sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(*(const uint64_t *)sc.jobs[0].backend_cfg, 512);
	scenario_free(&sc);
	/* [global] sequential: no unless given */
	if (scenario_parse("q.ini", "[p]\ntype=pin\nsize=4M\n", &sc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_false(sc.global.sequential);
	scenario_free(&sc);
	if (scenario_parse("q.ini", "[global]\nsequential=yes\n[p]\ntype=pin\nsize=4M\n", &sc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(sc.global.sequential);
	scenario_free(&sc);
}

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

/* issue 13, item 10: an indented line continues the value before it (as
 * the man page says), and old Mac line endings (CR alone) are lines. */
static void continuation_and_cr(void **state)
{
	struct scenario sc;
	char err[512] = "";

	(void)state;
	if (scenario_parse("c.ini", "[global]\nmthp = 64kB=always,\n\t2048kB=inherit\n" PIN, &sc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(sc.global.mthp, "64kB=always, 2048kB=inherit");
	scenario_free(&sc);
	if (scenario_parse("r.ini", "[global]\rruns = 2\r[p]\rtype = pin\rsize = 4M\r", &sc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(sc.global.runs, 2);
	assert_int_equal(sc.njobs, 1);
	scenario_free(&sc);
	assert_int_equal(scenario_parse("r.ini", "[p]\rtype = pin\rsize = 4Q\r", &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "r.ini:3: [p] key 'size'"));
}

/* issue 13, item 7: a message longer than the buffer is cut short, never
 * written past it (a long path and an error found after parsing). */
static void long_path_error(void **state)
{
	struct {
		char err[256];
		char canary[64];
	} buf;
	char name[251]; /* the message's prefix is a little longer than err */
	struct scenario sc;

	(void)state;
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(buf.canary, 'c', sizeof(buf.canary));
	assert_int_equal(scenario_parse(name, "[p]\ntype=pin\nsize=4M\nchunk=3M\n", &sc, buf.err, sizeof(buf.err)), -1);
	assert_int_equal(strlen(buf.err), sizeof(buf.err) - 1);
	for (size_t i = 0; i < sizeof(buf.canary); i++)
		assert_int_equal(buf.canary[i], 'c');
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

/* issue 13, items 1 and 3: what is not UTF-8 text, not a regular file or
 * too large is refused when read, naming the file (and the line). */
static void not_text(void **state)
{
	char dir[] = "/tmp/pinbench-test-XXXXXX", path[256], err[512];
	struct scenario sc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/latin1.ini", dir);
	write_text(path, "[global]\n; caf\xe9\nruns = 1\n[pin]\ntype = pin\nsize = 4M\n", 52);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "latin1.ini:2: not UTF-8 text"));
	unlink(path);

	assert_int_equal(scenario_load("/dev/zero", &sc, err, sizeof(err)), -1);
	assert_string_equal(err, "/dev/zero: not a regular file");

	snprintf(path, sizeof(path), "%s/fifo.ini", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "fifo.ini: not a regular file"));
	unlink(path);

	snprintf(path, sizeof(path), "%s/big.ini", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("[p]\ntype=pin\nsize=4M\n", f);
	for (int i = 0; i < 20000; i++)
		fputs("; a comment line that makes this file larger than a megabyte, bit by bit\n", f);
	fclose(f);
	assert_int_equal(scenario_load(path, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "big.ini: larger than 1 MiB"));
	unlink(path);

	char bad_name[64];
	snprintf(bad_name, sizeof(bad_name), "%s/caf\xe9.ini", dir);
	write_text(bad_name, PIN, strlen(PIN));
	assert_int_equal(scenario_load(bad_name, &sc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the file name is not UTF-8"));
	unlink(bad_name);
	rmdir(dir);
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
		cmocka_unit_test(stressors_with_defaults),
		cmocka_unit_test(shipped_scenarios_parse),
		cmocka_unit_test(long_line),
		cmocka_unit_test(files),
		cmocka_unit_test(continuation_and_cr),
		cmocka_unit_test(long_path_error),
		cmocka_unit_test(not_text),
		cmocka_unit_test(option_tables),
		cmocka_unit_test(backend_options),
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
