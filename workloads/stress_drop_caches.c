/* drop-caches: writes to /proc/sys/vm/drop_caches in a loop. The second
 * seed report saw drop_caches walk dirty shmem pages of the guest's memfd
 * and take temporary references while a long-term pin split THPs. Every
 * write is timestamped so reports can mark it. */
#include "config.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DROP_CACHES "/proc/sys/vm/drop_caches"

struct drop_cfg {
	uint64_t interval_ns;
	char value[8];
};

struct drop_state {
	const struct drop_cfg *cfg;
	const struct stressor_env *env;
	pthread_t thread;
	atomic_int stop;
	size_t n, cap;
	uint64_t *start_ns, *took_ns;
	int err;
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

static void *drop_main(void *arg)
{
	struct drop_state *s = arg;

	while (!s->stop && !*s->env->stop) {
		uint64_t t0 = now_ns();
		int ret = write_knob(DROP_CACHES, s->cfg->value);
		uint64_t t1 = now_ns();
		if (ret) {
			s->err = ret;
			break;
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->start_ns = xrealloc(s->start_ns, s->cap * sizeof(uint64_t));
			s->took_ns = xrealloc(s->took_ns, s->cap * sizeof(uint64_t));
		}
		s->start_ns[s->n] = t0 - s->env->t0;
		s->took_ns[s->n++] = t1 - t0;
		sleep_ns_unless(s->cfg->interval_ns, &s->stop);
	}
	return NULL;
}

static int drop_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct drop_state *s = xcalloc(1, sizeof(*s));
	int ret;

	s->cfg = cfg;
	s->env = env;
	ret = -pthread_create(&s->thread, NULL, drop_main, s);
	if (ret) {
		snprintf(why, len, "cannot start a thread: %s", strerror(-ret));
		free(s);
		return ret;
	}
	*state = s;
	return 0;
}

static json_t *drop_stop(void *state)
{
	struct drop_state *s = state;
	json_t *starts = json_array(), *took = json_array();

	s->stop = 1;
	pthread_join(s->thread, NULL);
	for (size_t i = 0; i < s->n; i++) {
		json_array_append_new(starts, json_integer((json_int_t)s->start_ns[i]));
		json_array_append_new(took, json_integer((json_int_t)s->took_ns[i]));
	}
	json_t *j = json_pack("{s:I, s:s, s:o, s:o, s:s?}", "writes", (json_int_t)s->n,
			      "value", s->cfg->value, "start_ns", starts, "took_ns", took,
			      "error", s->err ? strerror(-s->err) : NULL);
	free(s->start_ns);
	free(s->took_ns);
	free(s);
	return j;
}

const struct stressor stressor_drop_caches = {
	.type = "drop-caches",
	.summary = "writes 1, 2 or 3 to /proc/sys/vm/drop_caches every interval, timestamped",
	.options = drop_options,
	.noptions = ARRAY_SIZE(drop_options),
	.config_size = sizeof(struct drop_cfg),
	.probe = drop_probe,
	.start = drop_start,
	.stop = drop_stop,
};
