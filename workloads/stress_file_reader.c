/* file-reader: while a range is pinned, a thread on another CPU reads the
 * file behind it (the memfd of memfd/memfd-thp memory) with pread, a few
 * bytes of one folio after another. Each read holds a temporary reference on
 * the folio it copies from, reached through the page cache: migration's
 * unmapping does not stop it. That is the second seed's reference: a THP
 * split needs the reference count to be exactly the mappings', and before
 * 6.2 one failed split failed the long-term pin. (A process_vm_readv
 * reader cannot do this: it goes through the page tables, which
 * migration has already cleared.) */
#include "config.h"
#include "affinity.h"
#include "range_state.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX 4096 /* the reader's buffer */

struct reader_cfg {
	uint64_t stride;
	uint64_t bytes;
	uint64_t interval_ns;
};

struct reader_state {
	const struct reader_cfg *cfg;
	hwloc_topology_t topo;
	struct range_state running; /* range -> its reader */
	atomic_uint_fast64_t readers, reads, errors;
};

struct reader {
	struct reader_state *s;
	int fd, cpu;
	size_t len;
	atomic_bool stop;
	pthread_t thread;
};

static const struct scenario_key reader_options[] = {
	OPT_TYPE("file-reader"),
	OPT_SIZE(struct reader_cfg, stride, "stride", "2M", 1, UINT64_MAX, 0,
		 "distance between reads: one read per folio of this size"),
	OPT_SIZE(struct reader_cfg, bytes, "bytes", "64", 1, READ_MAX, 0, "bytes per read"),
	OPT_DURATION(struct reader_cfg, interval_ns, "interval", "0", "pause between reads: how rarely a reference is held"),
};

/* The folios are read in random order: a reader walking them in address
 * order would fall in step with the migration, which also takes them in
 * order, and meet the same folio at every retry. */
static void *read_loop(void *arg)
{
	struct reader *r = arg;
	const struct reader_cfg *cfg = r->s->cfg;
	struct timespec pause = { (time_t)(cfg->interval_ns / 1000000000ULL), (long)(cfg->interval_ns % 1000000000ULL) };
	size_t nfolios = (r->len + cfg->stride - 1) / cfg->stride;
	uint64_t reads = 0, errors = 0, rng = (uint64_t)(uintptr_t)r ^ now_ns();
	char buf[READ_MAX];

	bind_thread_to_cpu(r->s->topo, r->cpu);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		off_t off = (off_t)((splitmix64(&rng) % nfolios) * cfg->stride);
		if (pread(r->fd, buf, cfg->bytes, off) < 0)
			errors++;
		reads++;
		if (cfg->interval_ns)
			nanosleep(&pause, NULL);
	}
	atomic_fetch_add(&r->s->reads, reads);
	atomic_fetch_add(&r->s->errors, errors);
	return NULL;
}

static int reader_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct reader_state *s = xcalloc(1, sizeof(*s));

	(void)why;
	(void)len;
	s->cfg = cfg;
	s->topo = env->topo;
	range_state_init(&s->running);
	*state = s;
	return 0;
}

static int reader_before_pin(void *state, const struct pin_range *pr)
{
	struct reader_state *s = state;
	struct reader *r;

	if (pr->fd < 0)
		return -EBADF; /* anonymous memory has no file to read */
	r = xcalloc(1, sizeof(*r));
	*r = (struct reader){ .s = s, .fd = pr->fd, .len = pr->len, .cpu = other_cpu(s->topo, pr->pin_cpu) };
	int ret = -pthread_create(&r->thread, NULL, read_loop, r);
	if (ret) {
		free(r);
		return ret;
	}
	atomic_fetch_add(&s->readers, 1);
	range_state_put(&s->running, pr->addr, r);
	usleep(1000); /* reading before the pin starts */
	return 0;
}

static void reader_after_unpin(void *state, const struct pin_range *pr)
{
	struct reader_state *s = state;
	struct reader *r = range_state_take(&s->running, pr->addr);

	if (!r)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	free(r);
}

static json_t *reader_stop(void *state)
{
	struct reader_state *s = state;
	json_t *j = json_pack("{s:I, s:I, s:I}", "readers", (json_int_t)s->readers, "reads", (json_int_t)s->reads,
			      "read_errors", (json_int_t)s->errors);

	range_state_free(&s->running);
	free(s);
	return j;
}

const struct stressor stressor_file_reader = {
	.type = "file-reader",
	.summary = "reads the pinned memfd through the page cache from another CPU while it is pinned",
	.options = reader_options,
	.noptions = ARRAY_SIZE(reader_options),
	.config_size = sizeof(struct reader_cfg),
	.start = reader_start,
	.before_pin = reader_before_pin,
	.after_unpin = reader_after_unpin,
	.stop = reader_stop,
};
