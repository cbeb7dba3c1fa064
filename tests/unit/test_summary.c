/* summary.json and its table: what the summary says about migration on a
 * kernel with and without vmstat event counters. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"

/* One run of 4 successful 16 MiB pins on node 0, with /proc/vmstat
 * snapshots of the given text before and after. */
static json_t *summary_with_warmup(const char *before_text, const char *after_text, unsigned warmup);

static json_t *summary_of(const char *before_text, const char *after_text)
{
	return summary_with_warmup(before_text, after_text, 0);
}

/* The 4 pins are of iterations 1 and 2, the first iteration's slower. */
static json_t *summary_with_warmup(const char *before_text, const char *after_text, unsigned warmup)
{
	static const int nodes[] = { 0 };
	static const double mean[] = { 1.0 }, min[] = { 1.0 };
	struct sample_list samples = { 0 };
	struct counters node_before = { 0 }, node_after = { 0 }; /* the node's vmstat: empty */
	int node_ids[] = { 0 };
	struct vmstat_snapshot before = { .nnodes = 1, .node_ids = node_ids, .nodes = &node_before };
	struct vmstat_snapshot after = { .nnodes = 1, .node_ids = node_ids, .nodes = &node_after };
	unsigned bad;

	for (uint32_t i = 0; i < 4; i++) {
		struct sample s = { .run = 1, .iteration = 1 + i / 2, .chunk = i % 2, .bytes = 16 << 20,
				    .pin_ns = i < 2 ? 3000000 : 1000000,
				    .unpin_ns = 100000, .movable_before = -1, .unpinnable = -1,
				    .migrate_succeeded = -1, .migrate_failed = -1, .unpinned = true };
		sample_list_push(&samples, &s);
	}
	assert_int_equal(counters_parse(before_text, &before.system, &bad), 0);
	assert_int_equal(counters_parse(after_text, &after.system, &bad), 0);
	struct summary_input in = { .samples = &samples, .nodes = nodes, .nnodes = 1, .placement_mean = mean,
				    .placement_min = min, .nruns = 1, .before = &before, .after = &after,
				    .complete = 1, .warmup = warmup };
	json_t *j = summary_build(&in);

	counters_free(&before.system);
	counters_free(&after.system);
	free(samples.v);
	return j;
}

static char *printed(const json_t *summary)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	summary_print(f, summary);
	fclose(f);
	return text;
}

/* Without CONFIG_VM_EVENT_COUNTERS /proc/vmstat has no pgmigrate_* at all:
 * the summary says the counters are missing, never that nothing moved. */
static void no_event_counters_is_not_no_migration(void **state)
{
	(void)state;
	json_t *j = summary_of("nr_free_pages 1000\nnr_isolated_anon 0\n", "nr_free_pages 900\nnr_isolated_anon 0\n");
	char *text = printed(j);

	assert_true(json_is_false(json_object_get(j, "event_counters")));
	assert_non_null(strstr(text, "no vmstat event counters (CONFIG_VM_EVENT_COUNTERS is off)"));
	assert_null(strstr(text, "no page was migrated"));
	free(text);
	json_decref(j);
}

static void counters_that_did_not_move_say_no_migration(void **state)
{
	(void)state;
	json_t *j = summary_of("pgmigrate_success 5\npgmigrate_fail 0\n", "pgmigrate_success 5\npgmigrate_fail 0\n");
	char *text = printed(j);

	assert_true(json_is_true(json_object_get(j, "event_counters")));
	assert_non_null(strstr(text, "no page was migrated"));
	assert_null(strstr(text, "event counters"));
	free(text);
	json_decref(j);
}

static void migration_counted(void **state)
{
	(void)state;
	json_t *j = summary_of("pgmigrate_success 5\n", "pgmigrate_success 16389\n");
	char *text = printed(j);

	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "vmstat_delta"), "pgmigrate_success")),
			 16384);
	assert_null(strstr(text, "no page was migrated"));
	assert_non_null(strstr(text, "pgmigrate_success                +16384"));
	free(text);
	json_decref(j);
}

/* warmup = 1: iteration 1 is in the samples but not in the numbers, and
 * the table says so. */
static void warmup_iterations_are_left_out(void **state)
{
	(void)state;
	json_t *all = summary_with_warmup("pgmigrate_success 5\n", "pgmigrate_success 9\n", 0);
	json_t *warm = summary_with_warmup("pgmigrate_success 5\n", "pgmigrate_success 9\n", 1);
	json_t *pa = json_object_get(all, "pin"), *pw = json_object_get(warm, "pin");
	char *text = printed(warm);

	assert_int_equal(json_integer_value(json_object_get(pa, "ops")), 4);
	assert_int_equal(json_integer_value(json_object_get(pw, "ops")), 2);
	assert_true(json_number_value(json_object_get(json_object_get(pw, "latency_ns"), "max")) < 2e6);
	assert_int_equal(json_integer_value(json_object_get(warm, "warmup")), 1);
	assert_non_null(strstr(text, "the first 1 iteration(s) of each run are a warm-up"));
	free(text);
	json_decref(all);
	json_decref(warm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_event_counters_is_not_no_migration),
		cmocka_unit_test(counters_that_did_not_move_say_no_migration),
		cmocka_unit_test(warmup_iterations_are_left_out),
		cmocka_unit_test(migration_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
