/* lru-batch: just before each pin, leaves pages of the pin range queued in
 * another CPU's per-CPU folio batches: the first seed's failure. A folio
 * sitting in a batch carries the batch's reference, and migration for a
 * long-term pin sees it as "unexpected refcount". Before 6.11 gup drained
 * the other CPUs only when it met a folio *without* PG_lru; the batches
 * below keep PG_lru set, so nothing drained them and the pin failed.
 *
 *   activate: two process_vm_readv reads of each page from the other CPU
 *             (FOLL_TOUCH: the first marks it referenced, the second
 *             queues it on that CPU's activate batch, PG_lru still set);
 *   fault:    drop the pages and fault them in again there (lru_add batch,
 *             PG_lru clear: pre-6.11 gup drained it, so this one does not
 *             provoke the seed);
 *   mlock:    mlock2(MLOCK_ONFAULT) them there (mlock batch; the syscall
 *             drains its own CPU's batch before it returns);
 *   cold:     MADV_COLD them there (lru_deactivate batch).
 *
 * Three things make the batches hold until the pin looks at them:
 *   - every CPU's batches are drained first (mbind MPOL_MF_MOVE calls
 *     lru_add_drain_all()), so no page of the range still sits, without
 *     PG_lru, in the lru_add batch of the CPU that faulted it: meeting one
 *     would make pre-6.11 gup drain everything;
 *   - the helper thread stays parked on its CPU until the pin is released:
 *     a thread's exit unmaps its stack, and that zap drains its CPU;
 *   - fewer pages than a batch holds are queued (15 on 6.1: the 15th add
 *     drains the batch), spread over the chunks so that every pin call has
 *     some, and chosen inside ZONE_MOVABLE or CMA, where the pin must
 *     migrate them (as root; otherwise evenly, and the report says so). */
#include "config.h"
#include "affinity.h"
#include "memblock.h"
#include "range_state.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

enum { MAX_PAGES = 64, KPF_LRU = 5, KPF_ACTIVE = 6 };

struct lru_cfg {
	char action[32];
	uint64_t pages;
};

struct lru_state {
	const struct lru_cfg *cfg;
	hwloc_topology_t topo;
	size_t page;
	pthread_mutex_t ranges_lock;
	bool ranges_built;
	struct pfn_ranges unpinnable; /* where the chosen pages should be */
	bool placement_known;         /* pagemap shows PFNs (root) */
	atomic_uint_fast64_t calls, pages, in_movable, queued, errors;
	struct range_state parked;    /* range -> its parked helper */
};

/* One helper thread per pin range: acts on the chosen pages from its CPU,
 * then waits there until the range is unpinned. */
struct helper {
	struct lru_state *s;
	void *page[MAX_PAGES];
	size_t n;
	int cpu, err;
	unsigned queued;              /* pages kpageflags shows waiting in a batch */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, release;
};

static const struct scenario_key lru_options[] = {
	OPT_TYPE("lru-batch"),
	OPT_CHOICE(struct lru_cfg, action, "action", "activate", "activate|fault|mlock|cold",
		   "what the other CPU does to the pages (see the man page)"),
	OPT_UINT(struct lru_cfg, pages, "pages", "8", 1, MAX_PAGES,
		 "pages of each pin range to queue, spread over its chunks (fewer than a batch holds: 15 on 6.1, 31 later)"),
};

static int lru_probe(const void *c, char *why, size_t len)
{
	const struct lru_cfg *cfg = c;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		snprintf(why, len, "needs two CPUs: the batches must be another CPU's");
		return -ENODEV;
	}
	if (!strcmp(cfg->action, "activate"))
		return probe_process_vm_readv(why, len);
	return 0;
}

/* Drains every CPU's folio batches: mbind with MPOL_MF_MOVE calls
 * lru_add_drain_all() before it looks at the range. */
static int drain_all_cpus(size_t page)
{
	void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret = 0;

	if (p == MAP_FAILED)
		return -errno;
	if (mbind(p, page, MPOL_DEFAULT, NULL, 0, MPOL_MF_MOVE))
		ret = -errno;
	munmap(p, page);
	return ret;
}

/* Two FOLL_TOUCH reads of each page through process_vm_readv. */
static int touch_twice(struct helper *h)
{
	struct iovec local[MAX_PAGES], remote[MAX_PAGES];
	char sink[MAX_PAGES];

	for (size_t i = 0; i < h->n; i++) {
		local[i] = (struct iovec){ sink + i, 1 };
		remote[i] = (struct iovec){ h->page[i], 1 };
	}
	for (int pass = 0; pass < 2; pass++)
		if (process_vm_readv(getpid(), local, h->n, remote, h->n, 0) != (ssize_t)h->n)
			return errno ? -errno : -EIO;
	return 0;
}

static int act(struct helper *h)
{
	const char *action = h->s->cfg->action;
	size_t page = h->s->page;
	int ret = 0;

	if (!strcmp(action, "activate"))
		return touch_twice(h);
	for (size_t i = 0; i < h->n && !ret; i++) {
		if (!strcmp(action, "fault")) {
			if (madvise(h->page[i], page, MADV_DONTNEED))
				ret = -errno;
			else
				*(volatile char *)h->page[i] = 1;
		} else if (!strcmp(action, "mlock")) {
			ret = mlock2(h->page[i], page, MLOCK_ONFAULT) ? -errno : 0;
		} else if (madvise(h->page[i], page, MADV_COLD)) {
			ret = -errno;
		}
	}
	return ret;
}

/* kpageflags of the chosen pages right after two touches: a page on the
 * LRU and still not active has its activation waiting in a batch (whether
 * it was referenced before or not, one of the two touches queued it;
 * PG_referenced tells only which). Without MGLRU, which has no activate
 * batch. */
static unsigned count_queued(const struct helper *h)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	unsigned queued = 0;

	for (size_t i = 0; pm >= 0 && kf >= 0 && i < h->n; i++) {
		uint64_t entry, flags;
		off_t at = (off_t)((uintptr_t)h->page[i] / h->s->page * sizeof(entry));
		if (pread(pm, &entry, sizeof(entry), at) != sizeof(entry) || !(entry & (1ULL << 63)))
			continue;
		at = (off_t)((entry & ((1ULL << 55) - 1)) * sizeof(flags));
		if (pread(kf, &flags, sizeof(flags), at) != sizeof(flags))
			continue;
		queued += (flags >> KPF_LRU & 1) && !(flags >> KPF_ACTIVE & 1);
	}
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	return queued;
}

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	bind_thread_to_cpu(h->s->topo, h->cpu);
	h->err = act(h);
	if (!h->err && !strcmp(h->s->cfg->action, "activate") && h->s->placement_known)
		h->queued = count_queued(h);
	pthread_mutex_lock(&h->lock);
	h->done = true;
	pthread_cond_broadcast(&h->cond);
	while (!h->release) /* parked: a blocked thread drains nothing */
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* The zones exist once the run has set them up, which is after start. */
static void build_ranges(struct lru_state *s)
{
	pthread_mutex_lock(&s->ranges_lock);
	if (!s->ranges_built)
		s->placement_known = unpinnable_ranges_build(&s->unpinnable) == 0 && s->unpinnable.n > 0;
	s->ranges_built = true;
	pthread_mutex_unlock(&s->ranges_lock);
}

/* Chooses the pages: per chunk its share of cfg->pages, the first ones
 * inside movable memory (or evenly spaced when that cannot be seen). */
static void choose_pages(struct lru_state *s, const struct pin_range *r, struct helper *h)
{
	size_t chunk = r->chunk ? r->chunk : r->len, nchunks = r->len / chunk;
	size_t want = s->cfg->pages, per_chunk = chunk / s->page;

	for (size_t c = 0; c < nchunks && h->n < want; c++) {
		size_t share = want / nchunks + (c < want % nchunks), idx[MAX_PAGES];
		char *base = (char *)r->addr + c * chunk;
		long found = s->placement_known ? pages_in_ranges(base, chunk, &s->unpinnable, idx, share) : -1;
		if (found < 0) { /* evenly over the chunk */
			for (size_t k = 0; k < share; k++)
				idx[k] = (k * per_chunk) / share;
			found = (long)share;
		} else {
			atomic_fetch_add(&s->in_movable, (uint64_t)found);
		}
		for (long k = 0; k < found && h->n < want; k++)
			h->page[h->n++] = base + idx[k] * s->page;
	}
}

static int lru_start(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len)
{
	struct lru_state *s = xcalloc(1, sizeof(*s));

	(void)why;
	(void)len;
	s->cfg = cfg;
	s->topo = env->topo;
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_mutex_init(&s->ranges_lock, NULL);
	range_state_init(&s->parked);
	*state = s;
	return 0;
}

static void release_helper(struct helper *h)
{
	pthread_mutex_lock(&h->lock);
	h->release = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static int lru_before_pin(void *state, const struct pin_range *r)
{
	struct lru_state *s = state;
	struct helper *h = xcalloc(1, sizeof(*h));
	int ret;

	build_ranges(s);
	h->s = s;
	h->cpu = other_cpu(s->topo, r->pin_cpu);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	choose_pages(s, r, h);
	ret = h->cpu < 0 ? -ENODEV : drain_all_cpus(s->page);
	if (!ret && (ret = -pthread_create(&h->thread, NULL, helper_main, h)) == 0) {
		pthread_mutex_lock(&h->lock);
		while (!h->done)
			pthread_cond_wait(&h->cond, &h->lock);
		pthread_mutex_unlock(&h->lock);
		ret = h->err;
		range_state_put(&s->parked, r->addr, h);
	} else {
		pthread_cond_destroy(&h->cond);
		pthread_mutex_destroy(&h->lock);
		free(h);
	}
	atomic_fetch_add(&s->calls, 1);
	if (ret) {
		atomic_fetch_add(&s->errors, 1);
		return ret;
	}
	atomic_fetch_add(&s->pages, h->n);
	atomic_fetch_add(&s->queued, h->queued);
	return 0;
}

static void lru_after_unpin(void *state, const struct pin_range *r)
{
	struct lru_state *s = state;
	struct helper *h = range_state_take(&s->parked, r->addr);

	if (!h)
		return;
	if (!strcmp(s->cfg->action, "mlock"))
		for (size_t i = 0; i < h->n; i++)
			munlock(h->page[i], s->page);
	release_helper(h); /* its exit drains its CPU's batches */
}

static json_t *lru_stop(void *state)
{
	struct lru_state *s = state;
	json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I}", "action", s->cfg->action, "calls", (json_int_t)s->calls,
			      "pages", (json_int_t)s->pages, "errors", (json_int_t)s->errors, "pages_in_movable",
			      (json_int_t)s->in_movable);

	/* Only where kpageflags could be read does the count mean anything. */
	if (j && !strcmp(s->cfg->action, "activate") && s->placement_known)
		json_object_set_new(j, "pages_queued", json_integer((json_int_t)s->queued));
	if (j && !s->placement_known)
		json_object_set_new(j, "placement", json_string("unknown: pagemap shows no PFNs (not root) or no "
								"movable memory; pages were spread evenly"));
	range_state_free(&s->parked);
	pfn_ranges_free(&s->unpinnable);
	pthread_mutex_destroy(&s->ranges_lock);
	free(s);
	return j;
}

const struct stressor stressor_lru_batch = {
	.type = "lru-batch",
	.summary = "leaves pages of the pin range queued in another CPU's per-CPU folio batches during each pin",
	.options = lru_options,
	.noptions = ARRAY_SIZE(lru_options),
	.config_size = sizeof(struct lru_cfg),
	.probe = lru_probe,
	.start = lru_start,
	.before_pin = lru_before_pin,
	.after_unpin = lru_after_unpin,
	.stop = lru_stop,
};
