/* summary.json and its table: what the summary says about migration on a
 * kernel with and without vmstat event counters. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "util.h"

/* One run of 4 successful 16 MiB pins on node 0, with /proc/vmstat
 * snapshots of the given text before and after. */
static json_t *summary_with_warmup(const char *before_text, const char *after_text, unsigned warmup);

static json_t *summary_of(const char *before_text, const char *after_text)
{
	return summary_with_warmup(before_text, after_text, 0);
}

/* The summary of samples (freed here) on node 0, in one run, with
 * /proc/vmstat snapshots of the given text before and after. */
static json_t *summarize(struct sample_list *samples, const char *before_text, const char *after_text,
			 unsigned warmup)
{
	static const int nodes[] = { 0 };
	static const double mean[] = { 1.0 }, min[] = { 1.0 };
	struct counters node_before = { 0 }, node_after = { 0 }; /* the node's vmstat: empty */
	int node_ids[] = { 0 };
	struct vmstat_snapshot before = { .nnodes = 1, .node_ids = node_ids, .nodes = &node_before };
	struct vmstat_snapshot after = { .nnodes = 1, .node_ids = node_ids, .nodes = &node_after };
	unsigned bad;

	assert_int_equal(counters_parse(before_text, &before.system, &bad), 0);
	assert_int_equal(counters_parse(after_text, &after.system, &bad), 0);
	struct summary_input in = { .samples = samples, .nodes = nodes, .nnodes = 1, .placement_mean = mean,
				    .placement_min = min, .nruns = 1, .before = &before, .after = &after,
				    .complete = 1, .warmup = warmup };
	json_t *j = summary_build(&in);

	counters_free(&before.system);
	counters_free(&after.system);
	free(samples->v);
	return j;
}

/* The 4 pins are of iterations 1 and 2, the first iteration's slower. */
static json_t *summary_with_warmup(const char *before_text, const char *after_text, unsigned warmup)
{
	struct sample_list samples = { 0 };

	for (uint32_t i = 0; i < 4; i++) {
		struct sample s = { .run = 1, .iteration = 1 + i / 2, .chunk = i % 2, .bytes = 16 << 20,
				    .pin_ns = i < 2 ? 3000000 : 1000000,
				    .unpin_ns = 100000, .movable_before = -1, .unpinnable = -1,
				    .migrate_succeeded = -1, .migrate_failed = -1, .unpinned = true };
		sample_list_push(&samples, &s);
	}
	return summarize(&samples, before_text, after_text, warmup);
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

/* A client's messages (QEMU's error line, its addresses masked as the
 * worker keeps it) are counted by text: starts that failed the same way
 * are one line. */
static void client_messages_counted_once(void **state)
{
	static const char *const messages[] = {
		"vfio_dma_map(0x..., 0x0, 0x10000000, 0x...) = -12 (Cannot allocate memory)",
		"vfio_dma_map(0x..., 0x0, 0x10000000, 0x...) = -12 (Cannot allocate memory)",
		"vfio 0000:00:1f.7: no such host device: No such file or directory",
		NULL,
	};
	struct sample_list samples = { 0 };

	(void)state;
	for (uint32_t i = 0; i < ARRAY_SIZE(messages); i++) {
		struct sample s = { .run = 1, .iteration = 1 + i, .bytes = 16 << 20, .pin_ns = 1000000,
				    .err = i < 2 ? ENOMEM : ENOENT, .movable_before = -1, .unpinnable = -1,
				    .migrate_succeeded = -1, .migrate_failed = -1, .message = messages[i] };
		sample_list_push(&samples, &s);
	}
	json_t *j = summarize(&samples, "", "", 0);
	json_t *m = json_object_get(json_object_get(j, "pin"), "failure_messages");

	assert_int_equal(json_object_size(m), 2);
	assert_int_equal(json_integer_value(json_object_get(m, "vfio_dma_map(0x..., 0x0, 0x10000000, 0x...) = -12 "
							     "(Cannot allocate memory)")), 2);
	assert_int_equal(json_integer_value(json_object_get(m, messages[2])), 1);
	json_decref(j);
	/* without messages there is no key at all */
	j = summary_of("", "");
	assert_null(json_object_get(json_object_get(j, "pin"), "failure_messages"));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_event_counters_is_not_no_migration),
		cmocka_unit_test(counters_that_did_not_move_say_no_migration),
		cmocka_unit_test(warmup_iterations_are_left_out),
		cmocka_unit_test(migration_counted),
		cmocka_unit_test(client_messages_counted_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
