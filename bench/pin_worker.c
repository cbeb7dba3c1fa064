/* One pin worker: for one job on one node, map and populate memory on the
 * node, pin it chunk by chunk with every call timed, hold, unpin. */
#include "config.h"
#include "affinity.h"
#include "env.h"
#include "run_output.h"
#include "runner.h"
#include "util.h"
#include "clock.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

void sample_list_push(struct sample_list *l, const struct sample *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *s;
}

void sample_list_append(struct sample_list *dst, struct sample_list *src)
{
	for (size_t i = 0; i < src->n; i++)
		sample_list_push(dst, &src->v[i]);
	free(src->v);
	memset(src, 0, sizeof(*src));
}

uint64_t pin_worker_calls(const struct pin_job *job)
{
	return 2 * job->iterations * (job->size / job->chunk);
}

static void fail(struct worker *w, int err, const char *what)
{
	w->fatal = err;
	snprintf(w->why, sizeof(w->why), "[%s] node %d: %s: %s", w->job->name, w->node, what,
		 strerror(-err));
}

/* Binds the range to the node and faults every page in, writing a seeded
 * word into each so that pages are distinct and dirty. */
static int populate(struct worker *w, struct region *r, uint64_t *seed)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long mask[PB_MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };

	mask[w->node / (8 * sizeof(unsigned long))] |= 1UL << (w->node % (8 * sizeof(unsigned long)));
	if (numa_available() >= 0 &&
	    mbind(r->addr, r->len, MPOL_BIND, mask, PB_MAX_NODES, MPOL_MF_STRICT))
		return -errno;
	if (!w->job->dirty) /* clean shmem pages: read faults allocate them */
		return madvise(r->addr, r->len, MADV_POPULATE_READ) ? -errno : 0;
	if (madvise(r->addr, r->len, MADV_POPULATE_WRITE) && errno != EINVAL)
		return -errno; /* EINVAL: kernel before 5.14, the loop below faults */
	for (size_t off = 0; off < r->len; off += page)
		*(volatile uint64_t *)((char *)r->addr + off) = splitmix64(seed);
	return 0;
}

/* Fraction of the pages that really are on the node (move_pages status). */
static double placement(const struct region *r, int node)
{
	enum { BATCH = 4096 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages = r->len / page, on = 0;
	void *pages[BATCH];
	int status[BATCH];

	if (numa_available() < 0)
		return 1.0;
	for (size_t done = 0; done < npages;) {
		size_t n = npages - done < BATCH ? npages - done : BATCH;
		for (size_t i = 0; i < n; i++)
			pages[i] = (char *)r->addr + (done + i) * page;
		if (numa_move_pages(0, (unsigned long)n, pages, NULL, status, 0))
			return -1;
		for (size_t i = 0; i < n; i++)
			on += status[i] == node;
		done += n;
	}
	return npages ? (double)on / (double)npages : 1.0;
}

static int prepare_memory(struct worker *w, struct region *r, uint64_t *seed)
{
	int ret = w->job->memory->map(r, w->job->size);

	if (ret) {
		fail(w, ret, "mapping memory");
		return ret;
	}
	ret = populate(w, r, seed);
	if (ret) {
		fail(w, ret, "populating memory on the node");
		w->job->memory->unmap(r);
		return ret;
	}
	double f = placement(r, w->node);
	if (f >= 0) {
		w->placement_sum += f;
		w->placement_min = w->placement_n ? (f < w->placement_min ? f : w->placement_min) : f;
		w->placement_n++;
	}
	return 0;
}

/* Pages of a chunk in memory that must stay movable; -1 when unknown. */
static int64_t chunk_in_movable(const struct worker *w, const struct region *r, size_t i)
{
	long c;

	if (!w->ctx->check_pinnable)
		return -1;
	c = count_pages_in_ranges((char *)r->addr + i * w->job->chunk, w->job->chunk, &w->ctx->unpinnable);
	return c < 0 ? -1 : c;
}

/* A client's message with its host addresses masked, kept for the life
 * of the process: a run has few distinct ones (QEMU's error line for
 * each cause), and every sample that failed the same way points at the
 * same copy. */
static const char *intern_message(const char *raw)
{
	enum { MAX_MESSAGES = 256 };
	static const char *kept[MAX_MESSAGES];
	static size_t n;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const char *found = NULL;
	char m[1024];

	if (!raw || !*raw)
		return NULL;
	mask_addresses(raw, m, sizeof(m));
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n && !found; i++)
		if (!strcmp(kept[i], m))
			found = kept[i];
	if (!found)
		found = n < MAX_MESSAGES ? (kept[n++] = xstrdup(m)) : "(more distinct messages than are kept)";
	pthread_mutex_unlock(&lock);
	return found;
}

/* A backend whose pins another process makes says which thread made them
 * (for the tracepoint's attribution) and what it said of a failure. */
static void client_facts(const struct pin_backend *b, struct pin_ctx *pc, unsigned slot, struct sample *s)
{
	pid_t tid = 0;
	const char *message = NULL;

	if (!b->client)
		return;
	b->client(pc, slot, &tid, &message);
	if (tid > 0)
		s->tid = tid;
	if (s->err)
		s->message = intern_message(message);
}

/* Pins every chunk; returns how many calls were made (the samples). */
static size_t pin_chunks(struct worker *w, struct pin_ctx *pc, struct region *r, unsigned it,
			 struct sample *s)
{
	const struct pin_backend *b = w->job->backend;
	size_t nchunks = w->job->size / w->job->chunk, i;

	for (i = 0; i < nchunks && !env_stop; i++) {
		char *addr = (char *)r->addr + i * w->job->chunk;
		int64_t before = chunk_in_movable(w, r, i); /* untimed, like prepare */
		int prep = b->prepare ? b->prepare(pc, (unsigned)i) : 0;
		uint64_t t0 = now_ns();
		atomic_store(&w->call_chunk, (unsigned)i);
		atomic_store(&w->call_t0, t0); /* watched by the runner for hangs */
		int ret = prep ? prep : b->pin(pc, (unsigned)i, addr, w->job->chunk);
		uint64_t t1 = now_ns();
		atomic_store(&w->call_t0, 0);
		/* The runner gave up on this call and is ending the run: touch
		 * nothing it may be freeing. */
		while (atomic_load(&w->hung))
			pause();

		s[i] = (struct sample){
			.run = w->run, .iteration = it, .job = w->job_idx, .chunk = (uint32_t)i,
			.node = w->node, .bytes = w->job->chunk, .start_ns = t0 - w->ctx->t0,
			.pin_ns = t1 - t0, .call_ns = t1 - t0, .err = ret < 0 ? -ret : ret, .unpinnable = -1,
			.movable_before = before,
			.migrate_succeeded = -1, .migrate_failed = -1, .thp_unsplit = -1, .tid = w->tid,
		};
		uint64_t kernel_pin, kernel_unpin;
		if (!prep && b->kernel_times && b->kernel_times(pc, (unsigned)i, &kernel_pin, &kernel_unpin))
			s[i].pin_ns = kernel_pin;
		if (!prep)
			client_facts(b, pc, (unsigned)i, &s[i]);
		atomic_fetch_add(&w->calls_done, 1);
	}
	return i;
}

/* While pinned: which pinned pages are still in memory that must stay
 * movable? Any is a kernel bug (or a CMA area we cannot see). */
static void check_pinned_pages(struct worker *w, struct region *r, struct sample *s, size_t n)
{
	if (!w->ctx->check_pinnable)
		return;
	for (size_t i = 0; i < n; i++)
		if (!s[i].err)
			s[i].unpinnable = chunk_in_movable(w, r, i);
}

static void unpin_chunks(struct worker *w, struct pin_ctx *pc, struct sample *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i].err) {
			atomic_fetch_add(&w->calls_done, 1);
			continue;
		}
		uint64_t t0 = now_ns();
		int ret = w->job->backend->unpin(pc, (unsigned)i);
		s[i].unpin_ns = now_ns() - t0;
		uint64_t kernel_pin, kernel_unpin;
		if (w->job->backend->kernel_times &&
		    w->job->backend->kernel_times(pc, (unsigned)i, &kernel_pin, &kernel_unpin))
			s[i].unpin_ns = kernel_unpin;
		s[i].unpin_err = ret < 0 ? -ret : ret;
		s[i].unpinned = true;
		atomic_fetch_add(&w->calls_done, 1);
	}
}

/* The range stressors act on the memory about to be pinned. */
static int stressors_before_pin(struct worker *w, const struct pin_range *pr)
{
	for (size_t i = 0; i < w->ctx->nactive; i++) {
		const struct active_stressor *a = &w->ctx->active[i];
		if (!a->job->stressor->before_pin)
			continue;
		int ret = a->job->stressor->before_pin(a->state, pr);
		if (ret) {
			char what[128];
			snprintf(what, sizeof(what), "stressor [%s] before the pin", a->job->name);
			fail(w, ret, what);
			return ret;
		}
	}
	return 0;
}

static void stressors_after_unpin(struct worker *w, const struct pin_range *pr)
{
	for (size_t i = 0; i < w->ctx->nactive; i++) {
		const struct active_stressor *a = &w->ctx->active[i];
		if (a->job->stressor->after_unpin)
			a->job->stressor->after_unpin(a->state, pr);
	}
}

void *pin_worker_run(void *arg)
{
	struct worker *w = arg;
	const struct pin_job *job = w->job;
	size_t nchunks = job->size / job->chunk;
	struct region r = { .fd = -1 };
	struct sample *s = xcalloc(nchunks, sizeof(*s));
	struct pin_ctx *pc = NULL;
	uint64_t seed = w->ctx->seed ^ ((uint64_t)w->run << 48) ^ ((uint64_t)w->job_idx << 32) ^
			(uint64_t)w->node;
	int ret;

	/* Pins run on the node's own CPUs, as a VMM's vCPU or I/O thread would. */
	bind_thread_to_node(w->ctx->topo, w->node);
	w->tid = gettid();
	ret = job->backend->open(&pc, (unsigned)nchunks, job->backend_cfg);
	if (ret) {
		fail(w, ret, "opening the pin backend");
		free(s);
		return NULL;
	}
	for (unsigned it = 1; it <= job->iterations && !env_stop; it++) {
		atomic_store(&w->iteration, it);
		if (!r.addr && prepare_memory(w, &r, &seed))
			break;
		struct pin_range pr = { r.addr, r.len, job->chunk, r.fd, w->node, sched_getcpu() };
		if (stressors_before_pin(w, &pr)) {
			stressors_after_unpin(w, &pr);
			break;
		}
		size_t n = pin_chunks(w, pc, &r, it, s);
		check_pinned_pages(w, &r, s, n);
		sleep_ns_unless(job->hold_ns, &env_stop);
		unpin_chunks(w, pc, s, n);
		stressors_after_unpin(w, &pr);
		for (size_t i = 0; i < n; i++)
			sample_list_push(&w->samples, &s[i]);
		sample_sink_write(w->ctx->sink, s, n);
		if (!job->reuse)
			job->memory->unmap(&r);
	}
	if (r.addr)
		job->memory->unmap(&r);
	job->backend->close(pc);
	free(s);
	return NULL;
}
