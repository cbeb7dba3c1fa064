/* drop-caches: writes to /proc/sys/vm/drop_caches in a loop. The second
 * seed report saw drop_caches walk dirty shmem pages of the guest's memfd
 * and take temporary references while a long-term pin split THPs. Every
 * write is timestamped so reports can mark it. */
#include "config.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"
#include "clock.h"
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DROP_CACHES "/proc/sys/vm/drop_caches"

struct drop_cfg {
	uint64_t interval_ns;
	char value[8];
};

/* What the one thread records: when each write started and how long it took. */
struct drop_log {
	size_t n, cap;
	uint64_t *start_ns, *took_ns;
};

static const struct scenario_key drop_options[] = {
	OPT_TYPE("drop-caches"),
	OPT_DURATION(struct drop_cfg, interval_ns, "interval", "1s", "time between writes"),
	OPT_CHOICE(struct drop_cfg, value, "value", "3", "1|2|3", "1: page cache, 2: slab, 3: both"),
};

static int drop_probe(const void *cfg, char *why, size_t len)
{
	(void)cfg;
	if (access(DROP_CACHES, W_OK)) {
		snprintf(why, len, "cannot write %s: %s (needs root)", DROP_CACHES, strerror(errno));
		return -errno;
	}
	return 0;
}

static void drop_run(struct harness_thread *t)
{
	const struct drop_cfg *cfg = harness_cfg(t->h);
	struct drop_log *log = harness_priv(t->h);
	uint64_t t0 = harness_env(t->h)->t0;

	while (!harness_stopping(t)) {
		uint64_t start = now_ns();
		int ret = write_knob(DROP_CACHES, cfg->value);
		uint64_t end = now_ns();
		if (ret) {
			t->err = ret;
			break;
		}
		if (log->n == log->cap) {
			log->cap = log->cap ? log->cap * 2 : 64;
			log->start_ns = xrealloc(log->start_ns, log->cap * sizeof(uint64_t));
			log->took_ns = xrealloc(log->took_ns, log->cap * sizeof(uint64_t));
		}
		log->start_ns[log->n] = start - t0;
		log->took_ns[log->n++] = end - start;
		sleep_ns_unless(cfg->interval_ns, &t->stop);
	}
}

static void drop_report(struct harness *h, json_t *j)
{
	const struct drop_cfg *cfg = harness_cfg(h);
	struct drop_log *log = harness_priv(h);
	json_t *starts = json_array(), *took = json_array();

	for (size_t i = 0; i < log->n; i++) {
		json_array_append_new(starts, json_integer((json_int_t)log->start_ns[i]));
		json_array_append_new(took, json_integer((json_int_t)log->took_ns[i]));
	}
	json_object_set_new(j, "writes", json_integer((json_int_t)log->n));
	json_object_set_new(j, "value", json_string(cfg->value));
	json_object_set_new(j, "start_ns", starts);
	json_object_set_new(j, "took_ns", took);
	json_object_set_new(j, "error", harness_error(h) ? json_string(strerror(-harness_error(h))) : json_null());
	free(log->start_ns);
	free(log->took_ns);
}

static const struct harness_ops drop_ops = {
	.priv_size = sizeof(struct drop_log),
	.run = drop_run,
	.report = drop_report,
};
HARNESS_START(drop_start, drop_ops)

const struct stressor stressor_drop_caches = {
	.type = "drop-caches",
	.summary = "writes 1, 2 or 3 to /proc/sys/vm/drop_caches every interval, timestamped",
	.options = drop_options,
	.noptions = ARRAY_SIZE(drop_options),
	.config_size = sizeof(struct drop_cfg),
	.probe = drop_probe,
	.start = drop_start,
	.stop = harness_stop,
};
