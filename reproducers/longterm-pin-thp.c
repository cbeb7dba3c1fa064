// SPDX-License-Identifier: GPL-2.0
/*
 * longterm-pin-thp: long-term pins of shmem THPs that must migrate out of
 * ZONE_MOVABLE while no THP-sized block is free outside it, with a holder
 * of temporary references running. A standalone reproducer in the style
 * of the kernel's selftests: no pinbench, no library beyond libc; exit 0
 * when every pin succeeded, 1 when a pin failed, 4 (KSFT_SKIP) when this
 * machine cannot run it.
 *
 * What it does, in order:
 *  1. Fills the free memory of the zones other than Movable with pipe
 *     pages (allocated without __GFP_MOVABLE) written round-robin over
 *     groups of 512 pipes, then closes all but the first pipe of each
 *     group: one page of every 512 consecutive ones stays, so no free
 *     order-9 block forms from what is freed. io_uring rings of 32768
 *     entries (a 2 MiB SQE array each, one unmovable order-9 allocation)
 *     then take the order-9 blocks that were free already.
 *  2. Creates a memfd of SIZE (MADV_HUGEPAGE, shmem_enabled set to advise
 *     for the run when it is never), dirties it: its THPs come from
 *     ZONE_MOVABLE, the first zone a movable allocation tries.
 *  3. Starts the holder on another thread: "reader" preads 64 bytes of a
 *     THP taken at random every INTERVAL microseconds (a page-cache
 *     reference, as drop_caches' walk of shmem takes in the original
 *     report); "drop-caches" writes 3 to /proc/sys/vm/drop_caches every
 *     INTERVAL microseconds; "none" holds nothing.
 *  4. Pins the memfd 2 MiB at a time with io_uring's buffer registration
 *     (pin_user_pages with FOLL_LONGTERM, one THP a call as VFIO type1
 *     pins a VM's memory), one ring a chunk, unpins, and repeats with a
 *     fresh memfd PASSES times.
 *
 * The kernel cannot allocate an order-9 target, so it splits each THP and
 * migrates the base pages; a failed split or a base page that fails to
 * migrate fails the pin with ENOMEM. Prints the pins failed by errno and
 * the deltas of /proc/vmstat's migration and split counters.
 *
 * Needs root, two CPUs, THP and a movable zone (movablecore= on the
 * kernel command line, or memory blocks onlined movable). No CMA layout:
 * an unmovable allocation never lands in CMA, so the fill below would
 * count CMA's free blocks as its own; use pinbench for that.
 *
 * usage: longterm-pin-thp [-s SIZE_MIB] [-p PASSES] [-l reader|drop-caches|none] [-i INTERVAL_US]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

#define THP_SIZE (2UL << 20)
#define PAGE 4096UL
#define GROUP 512                /* pipes filled round-robin; the first of each is kept */
#define PIPE_PAGES 16            /* a default pipe's buffer slots: one page each */
#define RING_ENTRIES 32768       /* 64-byte SQEs: a 2 MiB array */
#define MAX_RINGS 4096
#define RESERVE (96UL << 20)     /* left free for everything else while filling */
#define SHMEM_THP "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

enum counter { PGMIGRATE_SUCCESS, PGMIGRATE_FAIL, THP_MIGRATION_SUCCESS, THP_MIGRATION_FAIL,
	       THP_MIGRATION_SPLIT, THP_SPLIT_PAGE, THP_SPLIT_PAGE_FAILED, NCOUNTERS };
static const char *const counters[NCOUNTERS] = {
	[PGMIGRATE_SUCCESS] = "pgmigrate_success",         [PGMIGRATE_FAIL] = "pgmigrate_fail",
	[THP_MIGRATION_SUCCESS] = "thp_migration_success", [THP_MIGRATION_FAIL] = "thp_migration_fail",
	[THP_MIGRATION_SPLIT] = "thp_migration_split",     [THP_SPLIT_PAGE] = "thp_split_page",
	[THP_SPLIT_PAGE_FAILED] = "thp_split_page_failed",
};

static char shmem_thp_before[64]; /* "" when left alone */
static atomic_bool stop;

static int skip(const char *why)
{
	printf("# SKIP: %s\n", why);
	return KSFT_SKIP;
}

/* Put back what the run changed; safe in a signal handler. */
static void restore(void)
{
	if (!shmem_thp_before[0])
		return;
	int fd = open(SHMEM_THP, O_WRONLY | O_TRUNC);
	if (fd >= 0) {
		ssize_t n = write(fd, shmem_thp_before, strlen(shmem_thp_before));
		(void)n;
		close(fd);
	}
	shmem_thp_before[0] = '\0';
}

static void on_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* shmem THP for madvised memfds: advise unless always or advise is on. */
static int want_shmem_thp(void)
{
	char cur[256], *sel, *end;

	if (read_text(SHMEM_THP, cur, sizeof(cur)))
		return -1;
	sel = strchr(cur, '[');
	end = sel ? strchr(sel, ']') : NULL;
	if (!sel || !end)
		return -1;
	*end = '\0';
	if (!strcmp(sel + 1, "always") || !strcmp(sel + 1, "advise") || !strcmp(sel + 1, "force"))
		return 0;
	snprintf(shmem_thp_before, sizeof(shmem_thp_before), "%s", sel + 1);
	return write_text(SHMEM_THP, "advise");
}

/* Free pages of the zones other than Movable, and of Movable, from
 * /proc/zoneinfo. */
static int zone_free(unsigned long *other, unsigned long *movable, unsigned long *movable_present)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256], zone[64] = "";
	unsigned long v;

	if (!f)
		return -1;
	*other = *movable = *movable_present = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %63s", zone) == 1)
			continue;
		int is_movable = !strcmp(zone, "Movable");
		if (sscanf(line, " pages free %lu", &v) == 1)
			*(is_movable ? movable : other) += v;
		else if (is_movable && sscanf(line, " present %lu", &v) == 1)
			*movable_present += v;
	}
	fclose(f);
	return 0;
}

/* Free order >= 9 blocks outside Movable, in 2 MiB units, from buddyinfo. */
static unsigned long thp_blocks_free(void)
{
	FILE *f = fopen("/proc/buddyinfo", "r");
	char line[512], zone[64];
	unsigned long n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		int off;
		if (sscanf(line, "Node %*d, zone %63s%n", zone, &off) != 1 || !strcmp(zone, "Movable"))
			continue;
		char *p = line + off;
		for (int order = 0; order <= 10; order++) {
			char *end;
			unsigned long c = strtoul(p, &end, 10);
			if (end == p)
				break;
			if (order >= 9)
				n += c << (order - 9);
			p = end;
		}
	}
	fclose(f);
	return n;
}

static int vmstat(unsigned long long *v)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	unsigned long long x;

	if (!f)
		return -1;
	memset(v, 0, NCOUNTERS * sizeof(*v));
	while (fscanf(f, "%63s %llu", name, &x) == 2)
		for (size_t i = 0; i < NCOUNTERS; i++)
			if (!strcmp(name, counters[i]))
				v[i] = x;
	fclose(f);
	return 0;
}

static int ring_setup(unsigned entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	return (int)syscall(__NR_io_uring_setup, entries, &p);
}

struct fill {
	int *pipes; /* read and write ends: 2 per pipe */
	size_t npipes;
	int rings[MAX_RINGS];
	size_t nrings;
};

/* Step 1: no free THP-sized block outside ZONE_MOVABLE. */
static int fragment(struct fill *fl, unsigned long other_free)
{
	static char page[PAGE];
	unsigned long pages = other_free > RESERVE / PAGE ? other_free - RESERVE / PAGE : 0;
	size_t groups = pages / (GROUP * PIPE_PAGES);
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	fl->npipes = groups * GROUP;
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2 * fl->npipes + MAX_RINGS + 64) {
		rl.rlim_cur = rl.rlim_max = 2 * fl->npipes + MAX_RINGS + 64;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			printf("# cannot raise RLIMIT_NOFILE to %llu: %s\n", (unsigned long long)rl.rlim_cur,
			       strerror(errno));
			return -1;
		}
	}
	fl->pipes = malloc((2 * fl->npipes + 1) * sizeof(int));
	if (!fl->pipes)
		return -1;
	for (size_t i = 0; i < 2 * fl->npipes; i++)
		fl->pipes[i] = -1; /* not open: unfragment() skips it */
	for (size_t i = 0; i < fl->npipes; i++)
		if (pipe2(fl->pipes + 2 * i, O_NONBLOCK)) {
			printf("# pipe %zu of %zu: %s\n", i, fl->npipes, strerror(errno));
			return -1;
		}
	/* a group at a time, round-robin: consecutive page allocations go
	 * to consecutive pipes of the group */
	for (size_t g = 0; g < groups; g++)
		for (int slot = 0; slot < PIPE_PAGES; slot++)
			for (size_t i = g * GROUP; i < (g + 1) * GROUP; i++)
				if (write(fl->pipes[2 * i + 1], page, PAGE) != (ssize_t)PAGE) {
					printf("# filling pipe %zu: %s\n", i, strerror(errno));
					return -1;
				}
	for (size_t i = 0; i < fl->npipes; i++)
		if (i % GROUP) {
			close(fl->pipes[2 * i]);
			close(fl->pipes[2 * i + 1]);
			fl->pipes[2 * i] = fl->pipes[2 * i + 1] = -1;
		}
	/* what was free in whole blocks before: rings take it */
	for (unsigned long want = thp_blocks_free(); fl->nrings < MAX_RINGS && want; want--) {
		int fd = ring_setup(RING_ENTRIES);
		if (fd < 0)
			break;
		fl->rings[fl->nrings++] = fd;
	}
	return 0;
}

static void unfragment(struct fill *fl)
{
	for (size_t i = 0; fl->pipes && i < 2 * fl->npipes; i++)
		if (fl->pipes[i] >= 0)
			close(fl->pipes[i]);
	for (size_t i = 0; i < fl->nrings; i++)
		close(fl->rings[i]);
	free(fl->pipes);
}

struct holder {
	const char *kind;
	int memfd;
	size_t size;
	unsigned interval_us;
};

static void *hold(void *arg)
{
	struct holder *h = arg;
	unsigned seed = 1;
	char buf[64];
	struct timespec pause = { 0, (long)h->interval_us * 1000 };

	while (!atomic_load(&stop)) {
		if (!strcmp(h->kind, "reader")) {
			off_t at = (off_t)(rand_r(&seed) % (h->size / THP_SIZE)) * THP_SIZE +
				   (off_t)(rand_r(&seed) % (THP_SIZE / PAGE)) * PAGE;
			if (pread(h->memfd, buf, sizeof(buf), at) < 0)
				break;
		} else if (!strcmp(h->kind, "drop-caches")) {
			write_text("/proc/sys/vm/drop_caches", "3");
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* Step 4, one chunk: pinned by the registration, unpinned by close. */
static int pin_chunk(char *addr)
{
	struct iovec iov = { addr, THP_SIZE };
	int ring = ring_setup(4), ret = 0;

	if (ring < 0)
		return -errno;
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1) < 0)
		ret = -errno;
	close(ring);
	return ret;
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-s SIZE_MIB] [-p PASSES] [-l reader|drop-caches|none] [-i INTERVAL_US]\n",
		argv0);
	return 2;
}

int main(int argc, char **argv)
{
	size_t size = 64UL << 20;
	unsigned passes = 16, interval_us = 20;
	const char *load = "reader";
	int opt;

	while ((opt = getopt(argc, argv, "s:p:l:i:")) != -1) {
		switch (opt) {
		case 's': size = strtoul(optarg, NULL, 0) << 20; break;
		case 'p': passes = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': load = optarg; break;
		case 'i': interval_us = (unsigned)strtoul(optarg, NULL, 0); break;
		default: return usage(argv[0]);
		}
	}
	if (optind != argc || !passes || size < THP_SIZE || size % THP_SIZE ||
	    (strcmp(load, "reader") && strcmp(load, "drop-caches") && strcmp(load, "none")))
		return usage(argv[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	if (geteuid())
		return skip("needs root (shmem_enabled, drop_caches, the fill's open files)");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return skip("needs two CPUs: the holder runs beside the pins");
	unsigned long other, movable, present;
	if (zone_free(&other, &movable, &present) || !present)
		return skip("no ZONE_MOVABLE (boot with movablecore=, or online memory blocks movable)");
	if (movable * PAGE < 2 * size)
		return skip("the movable zone has less than twice SIZE free");
	int ring = ring_setup(4);
	if (ring < 0)
		return skip("io_uring_setup failed: no io_uring to pin with");
	close(ring);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (want_shmem_thp()) {
		restore();
		return skip("no shmem THP (" SHMEM_THP ")");
	}

	struct fill fl = { 0 };
	if (fragment(&fl, other)) {
		unfragment(&fl);
		restore();
		return skip("could not fill the memory outside ZONE_MOVABLE");
	}
	printf("# filled %lu MiB outside ZONE_MOVABLE with %zu pipes (1 in %d kept), %zu rings; "
	       "free THP-sized blocks left there: %lu\n", other * PAGE >> 20, fl.npipes, GROUP, fl.nrings,
	       thp_blocks_free());

	unsigned long long before[NCOUNTERS], after[NCOUNTERS];
	unsigned pins = 0, failed = 0, by_errno[256] = { 0 };
	vmstat(before);
	for (unsigned pass = 0; pass < passes; pass++) {
		int memfd = memfd_create("longterm-pin-thp", 0);
		char *p = memfd < 0 || ftruncate(memfd, (off_t)size) ? MAP_FAILED :
			  mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		if (p == MAP_FAILED) {
			printf("# memfd of %zu MiB: %s\n", size >> 20, strerror(errno));
			break;
		}
		madvise(p, size, MADV_HUGEPAGE);
		for (size_t o = 0; o < size; o += PAGE)
			p[o] = 1;
		struct holder h = { load, memfd, size, interval_us };
		pthread_t t;
		atomic_store(&stop, false);
		pthread_create(&t, NULL, hold, &h);
		for (size_t o = 0; o < size; o += THP_SIZE, pins++) {
			int ret = pin_chunk(p + o);
			if (ret) {
				failed++;
				by_errno[-ret < 256 ? -ret : 0]++;
			}
		}
		atomic_store(&stop, true);
		pthread_join(t, NULL);
		munmap(p, size);
		close(memfd);
	}
	vmstat(after);
	unfragment(&fl);
	restore();

	printf("# %u of %u long-term pins of 2 MiB failed (load: %s every %u us)", failed, pins, load, interval_us);
	for (int e = 0; e < 256; e++)
		if (by_errno[e])
			printf("; %s %u", e ? strerrorname_np(e) : "other", by_errno[e]);
	printf("\n#");
	for (size_t i = 0; i < NCOUNTERS; i++)
		printf(" %s +%llu", counters[i], after[i] - before[i]);
	printf("\n");
	if (after[THP_MIGRATION_SPLIT] == before[THP_MIGRATION_SPLIT] &&
	    after[THP_SPLIT_PAGE] == before[THP_SPLIT_PAGE])
		printf("# no THP was split: the kernel found order-9 targets, or the memfd had no THPs\n");
	printf("%s 1 long-term pins of THPs split for migration\n", failed ? "not ok" : "ok");
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", !failed, !!failed);
	return failed ? KSFT_FAIL : KSFT_PASS;
}
