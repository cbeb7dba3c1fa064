/* A pin's failure told by its cause: the THPs the migrate tracepoint saw
 * fail without being split during the pin call (thp_unsplit), kept in
 * samples.csv and counted in summary.json, and samples.csv files written
 * before the column existed still read (as unknown). */
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

#include "rundir.h"
#include "paths.h"
#include "runner.h"
#include "summary.h"
#include "trace.h"

static char dir[] = "/tmp/pinbench-unit-XXXXXX";

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static int collect(const struct rundir_sample *s, unsigned line, void *ctx)
{
	int64_t *got = ctx;

	got[line - 2] = s->thp_unsplit;
	return 0;
}

/* Written and read back: a failed split, none, and a pin not traced. */
static void round_trip(void **state)
{
	struct rundir_sample s[3] = {
		{ .run = 1, .iteration = 1, .job = "guest", .bytes = 4096, .err = 12, .movable_before = -1,
		  .unpinnable = -1, .migrate_succeeded = 0, .migrate_failed = 512, .thp_unsplit = 1 },
		{ .run = 1, .iteration = 2, .job = "guest", .bytes = 4096, .err = 12, .movable_before = -1,
		  .unpinnable = -1, .migrate_succeeded = 500, .migrate_failed = 12, .thp_unsplit = 0 },
		{ .run = 1, .iteration = 3, .job = "guest", .bytes = 4096, .movable_before = -1, .unpinnable = -1,
		  .migrate_succeeded = -1, .migrate_failed = -1, .thp_unsplit = -1 },
	};
	int64_t got[3] = { 99, 99, 99 };
	char err[256];

	(void)state;
	assert_int_equal(rundir_write_samples(dir, s, 3), 0);
	assert_int_equal(rundir_read_samples(dir, collect, got, err, sizeof(err)), 0);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[2], -1);
}

/* A samples.csv of an older pinbench, without the column. */
static void older_file(void **state)
{
	char path[256], err[256];
	int64_t got[1] = { 99 };

	(void)state;
	snprintf(path, sizeof(path), "%s/samples.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("run,iteration,job,node,chunk,bytes,start_ns,pin_ns,errno,error,unpin_ns,unpin_errno,"
	      "movable_pages_before,unpinnable_pages,migrate_succeeded,migrate_failed\n"
	      "1,1,guest,0,0,4096,0,1000,12,ENOMEM,,,,,0,512\n", f);
	fclose(f);
	assert_int_equal(rundir_read_samples(dir, collect, got, err, sizeof(err)), 0);
	assert_int_equal(got[0], -1);
}

/* Events of the pinning thread inside the call's window count; a THP
 * split after failing (thp_failed and thp_split both) is no failed split. */
static void attributed_per_pin(void **state)
{
	struct migrate_event ev[] = {
		{ .ts = 1500, .pid = 7, .failed = 512, .thp_failed = 1, .thp_split = 0 }, /* pin 1: split failed */
		{ .ts = 2500, .pid = 7, .failed = 20, .thp_failed = 2, .thp_split = 2 },  /* pin 2: base pages */
		{ .ts = 2600, .pid = 8, .failed = 512, .thp_failed = 1 },                /* another thread */
	};
	struct trace_monitor tm = { .v = ev, .n = 3, .active = true };
	struct sample_list l = { 0 };
	struct sample s1 = { .start_ns = 1000, .pin_ns = 900, .call_ns = 900, .tid = 7, .err = 12 };
	struct sample s2 = { .start_ns = 2000, .pin_ns = 900, .call_ns = 900, .tid = 7, .err = 12 };

	(void)state;
	sample_list_push(&l, &s1);
	sample_list_push(&l, &s2);
	trace_attribute(&tm, &l, 0);
	assert_int_equal(l.v[0].thp_unsplit, 1);
	assert_int_equal(l.v[0].migrate_failed, 512);
	assert_int_equal(l.v[1].thp_unsplit, 0);
	assert_int_equal(l.v[1].migrate_failed, 20);
	free(l.v);
}

/* summary.json counts the two causes apart. */
static void summary_counts_causes(void **state)
{
	static const int nodes[] = { 0 };
	static const double mean[] = { 1.0 }, min[] = { 1.0 };
	struct sample_list samples = { 0 };
	struct counters empty = { 0 };
	int node_ids[] = { 0 };
	struct vmstat_snapshot before = { .nnodes = 1, .node_ids = node_ids, .nodes = &empty };
	struct vmstat_snapshot after = { .nnodes = 1, .node_ids = node_ids, .nodes = &empty };
	const int64_t unsplit[] = { 1, 0, 2, -1 }, failed[] = { 512, 30, 1024, -1 };

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		struct sample s = { .run = 1, .iteration = 1 + i, .bytes = 16 << 20, .pin_ns = 1000, .err = 12,
				    .movable_before = -1, .unpinnable = -1, .migrate_succeeded = 0,
				    .migrate_failed = failed[i], .thp_unsplit = unsplit[i] };
		sample_list_push(&samples, &s);
	}
	struct summary_input in = { .samples = &samples, .nodes = nodes, .nnodes = 1, .placement_mean = mean,
				    .placement_min = min, .nruns = 1, .before = &before, .after = &after,
				    .complete = 1 };
	json_t *j = summary_build(&in);
	json_t *pin = json_object_get(j, "pin");

	assert_non_null(pin);
	assert_int_equal(json_integer_value(json_object_get(pin, "failures_migration")), 3);
	assert_int_equal(json_integer_value(json_object_get(pin, "failures_thp")), 2);
	assert_int_equal(json_integer_value(json_object_get(pin, "failures_base_pages")), 1);
	assert_int_equal(json_integer_value(json_object_get(pin, "failures_unattributed")), 1);
	json_decref(j);
	free(samples.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(older_file),
		cmocka_unit_test(attributed_per_pin),
		cmocka_unit_test(summary_counts_causes),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
