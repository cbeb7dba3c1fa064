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
 *   mlock-fault: map each page of the file behind the range (memfd) once
 *             more there, one page a mapping, mlock2(MLOCK_ONFAULT) the
 *             empty mapping and read the page through it: the fault maps a
 *             folio already on the LRU into a VM_LOCKED mapping, and
 *             mlock_folio() queues it on that CPU's mlock batch with PG_lru
 *             set and nothing draining it (the mlock class, Will Deacon's
 *             pKVM report, fixed with the reference-count test of
 *             98c6d259319e). One page a mapping, or fault-around would
 *             mlock up to 16 neighbours and fill the batch;
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
#include "memblock.h"
#include "harness.h"
#include "stressor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
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
	char action[48];
	uint64_t pages;
};

/* What every range's helper shares: where movable memory is. */
struct lru_shared {
	size_t page;
	pthread_mutex_t ranges_lock;
	bool ranges_built;
	struct pfn_ranges unpinnable; /* where the chosen pages should be */
	bool placement_known;         /* pagemap shows PFNs (root) */
};

/* The pages of one range its helper acts on, from its CPU. */
struct lru_pages {
	void *page[MAX_PAGES];
	size_t n;
	int fd;                 /* the file behind the range, or -1 */
	char *base;             /* the range's start: page - base is the file offset */
	void *locked[MAX_PAGES]; /* mlock-fault: the helper's own mappings */
};

enum { C_CALLS, C_PAGES, C_ERRORS, C_IN_MOVABLE, C_QUEUED };
static const char *const lru_counters[] = { "calls", "pages", "errors", "pages_in_movable", "pages_queued" };

static const struct scenario_key lru_options[] = {
	OPT_TYPE("lru-batch"),
	OPT_CHOICE(struct lru_cfg, action, "action", "activate", "activate|fault|mlock|mlock-fault|cold",
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
static int touch_twice(const struct lru_pages *h)
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

/* mlock-fault: a locked one-page mapping of each page's file offset,
 * faulted by a read. */
static int fault_locked(struct lru_pages *h, size_t page)
{
	for (size_t i = 0; i < h->n; i++) {
		off_t off = (off_t)((char *)h->page[i] - h->base);
		void *p = mmap(NULL, page, PROT_READ, MAP_SHARED, h->fd, off);
		if (p == MAP_FAILED)
			return -errno;
		h->locked[i] = p;
		if (mlock2(p, page, MLOCK_ONFAULT))
			return -errno;
		(void)*(volatile const char *)p;
	}
	return 0;
}

static int act(struct lru_pages *h, const char *action, size_t page)
{
	int ret = 0;

	if (!strcmp(action, "activate"))
		return touch_twice(h);
	if (!strcmp(action, "mlock-fault"))
		return fault_locked(h, page);
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
static unsigned count_queued(const struct lru_pages *h, size_t page)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	unsigned queued = 0;

	for (size_t i = 0; pm >= 0 && kf >= 0 && i < h->n; i++) {
		uint64_t entry, flags;
		off_t at = (off_t)((uintptr_t)h->page[i] / page * sizeof(entry));
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

/* The zones exist once the run has set them up, which is after start. */
static void build_ranges(struct lru_shared *s)
{
	pthread_mutex_lock(&s->ranges_lock);
	if (!s->ranges_built)
		s->placement_known = unpinnable_ranges_build(&s->unpinnable) == 0 && s->unpinnable.n > 0;
	s->ranges_built = true;
	pthread_mutex_unlock(&s->ranges_lock);
}

/* Chooses the pages: per chunk its share of cfg->pages, the first ones
 * inside movable memory (or evenly spaced when that cannot be seen). */
static void choose_pages(struct harness *hs, const struct pin_range *r, struct lru_pages *h)
{
	const struct lru_shared *s = harness_priv(hs);
	size_t chunk = r->chunk ? r->chunk : r->len, nchunks = r->len / chunk;
	size_t want = ((const struct lru_cfg *)harness_cfg(hs))->pages, per_chunk = chunk / s->page;

	for (size_t c = 0; c < nchunks && h->n < want; c++) {
		size_t share = want / nchunks + (c < want % nchunks), idx[MAX_PAGES];
		char *base = (char *)r->addr + c * chunk;
		long found = s->placement_known ? pages_in_ranges(base, chunk, &s->unpinnable, idx, share) : -1;
		if (found < 0) { /* evenly over the chunk */
			for (size_t k = 0; k < share; k++)
				idx[k] = (k * per_chunk) / share;
			found = (long)share;
		} else {
			harness_count(hs, C_IN_MOVABLE, (uint64_t)found);
		}
		for (long k = 0; k < found && h->n < want; k++)
			h->page[h->n++] = base + idx[k] * s->page;
	}
}

/* Picks the range's pages and drains every CPU's batches, so that only
 * what the helper queues is queued when the pin looks. */
static int lru_begin(struct harness_thread *t)
{
	struct lru_shared *s = harness_priv(t->h);
	struct lru_pages *pages = xcalloc(1, sizeof(*pages));
	int ret;

	harness_count(t->h, C_CALLS, 1);
	build_ranges(s);
	choose_pages(t->h, &t->range, pages);
	pages->fd = t->range.fd;
	pages->base = t->range.addr;
	/* Only a file's folios can be mapped a second time. */
	if (pages->fd < 0 && !strcmp(((const struct lru_cfg *)harness_cfg(t->h))->action, "mlock-fault"))
		ret = -EBADF;
	else
		ret = t->cpu < 0 ? -ENODEV : drain_all_cpus(s->page);
	if (ret) {
		harness_count(t->h, C_ERRORS, 1);
		free(pages);
		return ret;
	}
	t->data = pages;
	return 0;
}

/* The helper: acts from its CPU, then stays there, parked, until the
 * unpin (a blocked thread drains nothing; its exit would). */
static void lru_helper(struct harness_thread *t)
{
	const struct lru_cfg *cfg = harness_cfg(t->h);
	const struct lru_shared *s = harness_priv(t->h);
	struct lru_pages *pages = t->data;
	int err = act(pages, cfg->action, s->page);

	if (err) {
		t->err = err;
		t->counts[C_ERRORS]++;
	} else {
		t->counts[C_PAGES] += pages->n;
		if (!strcmp(cfg->action, "activate") && s->placement_known)
			t->counts[C_QUEUED] += count_queued(pages, s->page);
	}
	harness_ready(t);
	harness_park(t);
}

static void lru_end(struct harness_thread *t)
{
	const struct lru_cfg *cfg = harness_cfg(t->h);
	struct lru_pages *pages = t->data;

	size_t page = ((const struct lru_shared *)harness_priv(t->h))->page;

	for (size_t i = 0; i < pages->n; i++) {
		if (!strcmp(cfg->action, "mlock"))
			munlock(pages->page[i], page);
		if (pages->locked[i])
			munmap(pages->locked[i], page); /* unlocks it too */
	}
	free(pages);
}

static int lru_setup(struct harness *h, char *why, size_t len)
{
	struct lru_shared *s = harness_priv(h);

	(void)why;
	(void)len;
	s->page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_mutex_init(&s->ranges_lock, NULL);
	return 0;
}

static void lru_report(struct harness *h, json_t *j)
{
	const struct lru_cfg *cfg = harness_cfg(h);
	const struct lru_shared *s = harness_priv(h);

	json_object_set_new(j, "action", json_string(cfg->action));
	/* Only where kpageflags could be read does the count mean anything. */
	if (strcmp(cfg->action, "activate") || !s->placement_known)
		json_object_del(j, "pages_queued");
	if (!s->placement_known)
		json_object_set_new(j, "placement", json_string("unknown: pagemap shows no PFNs (not root) or no "
								"movable memory; pages were spread evenly"));
}

static void lru_teardown(struct harness *h)
{
	struct lru_shared *s = harness_priv(h);

	pfn_ranges_free(&s->unpinnable);
	pthread_mutex_destroy(&s->ranges_lock);
}

static const struct harness_ops lru_ops = {
	.counters = lru_counters,
	.ncounters = ARRAY_SIZE(lru_counters),
	.priv_size = sizeof(struct lru_shared),
	.setup = lru_setup,
	.range_begin = lru_begin,
	.range_run = lru_helper,
	.range_end = lru_end,
	.other_cpu = true,
	.wait_ready = true,
	.report = lru_report,
	.teardown = lru_teardown,
};
HARNESS_START(lru_start, lru_ops)

const struct stressor stressor_lru_batch = {
	.type = "lru-batch",
	.summary = "leaves pages of the pin range queued in another CPU's per-CPU folio batches during each pin",
	.options = lru_options,
	.noptions = ARRAY_SIZE(lru_options),
	.config_size = sizeof(struct lru_cfg),
	.probe = lru_probe,
	.start = lru_start,
	.before_pin = harness_before_pin,
	.after_unpin = harness_after_unpin,
	.stop = harness_stop,
};
