/* lru-batch: just before each pin, puts pages of the pin range into the
 * per-CPU folio batches of another CPU: the first seed's failure. A page
 * sitting in a batch carries the batch's reference, and before 6.11 a
 * long-term pin's migration saw it as "unexpected refcount".
 *   fault: drop the pages (MADV_DONTNEED) and fault them in again there
 *          (lru_add batch);
 *   mlock: mlock2(MLOCK_ONFAULT) them there (mlock batch);
 *   cold:  MADV_COLD them there (lru_deactivate batch).
 * The pin thread runs on its node's CPUs; the helper on a CPU that is not
 * the pin thread's at the moment of the call. */
#include "config.h"
#include "affinity.h"
#include "range_state.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

struct lru_cfg {
	char action[OPT_STRING_MAX];
	uint64_t pages;
};

struct lru_state {
	const struct lru_cfg *cfg;
	hwloc_topology_t topo;
	atomic_uint_fast64_t calls, pages, errors;
	struct range_state locked; /* mlock: ranges to munlock after unpin */
};

struct helper_job {
	struct lru_state *s;
	char *addr;
	size_t len;
	int cpu, err;
};

static int opt_lru_action(const char *v, void *f, char *err, size_t len)
{
	return opt_choice(v, "fault|mlock|cold", f, err, len);
}

static const struct scenario_key lru_options[] = {
	{ "type", NULL, NULL, 0, "lru-batch" },
	{ "action", "fault", opt_lru_action, offsetof(struct lru_cfg, action), "fault, mlock or cold" },
	{ "pages", "15", opt_count, offsetof(struct lru_cfg, pages), "pages at the end of each pin range to act on (a batch holds 31)" },
};

static int lru_probe(const void *cfg, char *why, size_t len)
{
	(void)cfg;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		snprintf(why, len, "needs two CPUs: the batches must be another CPU's");
		return -ENODEV;
	}
	return 0;
}

static void *helper(void *arg)
{
	struct helper_job *h = arg;
	const char *action = h->s->cfg->action;

	bind_thread_to_cpu(h->s->topo, h->cpu);
	if (!strcmp(action, "fault")) {
		if (madvise(h->addr, h->len, MADV_DONTNEED))
			h->err = -errno;
		for (size_t off = 0; !h->err && off < h->len; off += 4096)
			*(volatile char *)(h->addr + off) = 1;
	} else if (!strcmp(action, "mlock")) {
		if (mlock2(h->addr, h->len, MLOCK_ONFAULT))
			h->err = -errno;
	} else if (madvise(h->addr, h->len, MADV_COLD)) {
		h->err = -errno;
	}
	return NULL;
}

static int lru_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct lru_state *s = calloc(1, sizeof(*s));

	(void)why;
	(void)len;
	s->cfg = cfg;
	s->topo = env->topo;
	range_state_init(&s->locked);
	*state = s;
	return 0;
}

static int lru_before_pin(void *state, const struct pin_range *r)
{
	struct lru_state *s = state;
	size_t len = s->cfg->pages * 4096 < r->len ? s->cfg->pages * 4096 : r->len;
	struct helper_job h = {
		.s = s, .addr = (char *)r->addr + r->len - len, .len = len,
		.cpu = other_cpu(s->topo, sched_getcpu()),
	};
	pthread_t t;

	if (h.cpu < 0 || pthread_create(&t, NULL, helper, &h))
		return -ENODEV;
	pthread_join(t, NULL);
	atomic_fetch_add(&s->calls, 1);
	if (h.err) {
		atomic_fetch_add(&s->errors, 1);
		return h.err;
	}
	atomic_fetch_add(&s->pages, len / 4096);
	if (!strcmp(s->cfg->action, "mlock"))
		range_state_put(&s->locked, r->addr, (void *)(uintptr_t)len);
	return 0;
}

static void lru_after_unpin(void *state, const struct pin_range *r)
{
	struct lru_state *s = state;
	size_t len = (size_t)(uintptr_t)range_state_take(&s->locked, r->addr);

	if (len)
		munlock((char *)r->addr + r->len - len, len);
}

static json_t *lru_stop(void *state)
{
	struct lru_state *s = state;
	json_t *j = json_pack("{s:s, s:I, s:I, s:I}", "action", s->cfg->action, "calls", (json_int_t)s->calls,
			      "pages", (json_int_t)s->pages, "errors", (json_int_t)s->errors);

	range_state_free(&s->locked);
	free(s);
	return j;
}

const struct stressor stressor_lru_batch = {
	.type = "lru-batch",
	.summary = "puts pages of the pin range into another CPU's per-CPU LRU/mlock batches before each pin",
	.options = lru_options,
	.noptions = ARRAY_SIZE(lru_options),
	.config_size = sizeof(struct lru_cfg),
	.probe = lru_probe,
	.start = lru_start,
	.before_pin = lru_before_pin,
	.after_unpin = lru_after_unpin,
	.stop = lru_stop,
};
