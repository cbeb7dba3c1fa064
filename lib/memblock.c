#include "config.h"
#include "memblock.h"
#include "util.h"
#include "clock.h"
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int block_node(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int node = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && sscanf(de->d_name + 4, "%d", &node) == 1)
			break;
	closedir(d);
	return node;
}

static int cmp_block(const void *a, const void *b)
{
	const struct memblock *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

int memblocks_read(const char *sysdir, struct memblocks *m)
{
	char path[512];
	char *s;
	DIR *d;
	struct dirent *de;
	size_t cap = 0;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/block_size_bytes", sysdir);
	s = read_line_file(path);
	if (!s)
		return -errno;
	m->block_size = strtoull(s, NULL, 16);
	free(s);
	d = opendir(sysdir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned id;
		char extra;
		if (sscanf(de->d_name, "memory%u%c", &id, &extra) != 1)
			continue;
		if (m->n == cap) {
			cap = cap ? cap * 2 : 256;
			m->b = xrealloc(m->b, cap * sizeof(*m->b));
		}
		struct memblock *b = &m->b[m->n++];
		memset(b, 0, sizeof(*b));
		b->id = id;
		snprintf(path, sizeof(path), "%s/%s", sysdir, de->d_name);
		b->node = block_node(path);
		snprintf(path, sizeof(path), "%s/%s/state", sysdir, de->d_name);
		s = read_line_file(path);
		b->online = s && !strcmp(s, "online");
		free(s);
		if (b->online) {
			/* An online block's valid_zones names the zone it is in. */
			snprintf(path, sizeof(path), "%s/%s/valid_zones", sysdir, de->d_name);
			s = read_line_file(path);
			if (s)
				sscanf(s, "%15s", b->zone);
			free(s);
		}
	}
	closedir(d);
	qsort(m->b, m->n, sizeof(*m->b), cmp_block);
	return 0;
}

void memblocks_free(struct memblocks *m)
{
	free(m->b);
	memset(m, 0, sizeof(*m));
}

uint64_t memblocks_bytes_in_zone(const struct memblocks *m, int node, const char *zone)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->b[i].online && (node < 0 || m->b[i].node == node) && !strcmp(m->b[i].zone, zone))
			sum += m->block_size;
	return sum;
}

static void ranges_add(struct pfn_ranges *pr, uint64_t start, uint64_t end)
{
	/* Merge with the previous range when adjacent (blocks come in order). */
	if (pr->n && pr->r[pr->n - 1].end == start) {
		pr->r[pr->n - 1].end = end;
		return;
	}
	pr->r = xrealloc(pr->r, (pr->n + 1) * sizeof(*pr->r));
	pr->r[pr->n].start = start;
	pr->r[pr->n].end = end;
	pr->n++;
}

static uint64_t read_u64(const char *path)
{
	char *s = read_line_file(path);
	uint64_t v = s ? strtoull(s, NULL, 0) : 0;

	free(s);
	return v;
}

static void add_cma_areas(struct pfn_ranges *pr)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	char *meminfo = read_file("/proc/meminfo", NULL);
	unsigned long long cma_kb = 0;
	const char *p = meminfo ? strstr(meminfo, "CmaTotal:") : NULL;

	if (p)
		sscanf(p, "CmaTotal: %llu", &cma_kb);
	free(meminfo);
	pr->cma_known = cma_kb == 0;
	d = opendir("/sys/kernel/debug/cma");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/base_pfn", de->d_name);
		uint64_t base = read_u64(path);
		snprintf(path, sizeof(path), "/sys/kernel/debug/cma/%s/count", de->d_name);
		uint64_t count = read_u64(path);
		if (count) {
			ranges_add(pr, base, base + count);
			pr->cma_known = true;
		}
	}
	closedir(d);
}

int unpinnable_ranges_build(struct pfn_ranges *pr)
{
	struct memblocks m;
	int ret;

	memset(pr, 0, sizeof(*pr));
	ret = memblocks_read("/sys/devices/system/memory", &m);
	if (ret && ret != -ENOENT)
		return ret;
	uint64_t pages_per_block = m.block_size / (uint64_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < m.n; i++)
		if (m.b[i].online && !strcmp(m.b[i].zone, "Movable"))
			ranges_add(pr, m.b[i].id * pages_per_block, (m.b[i].id + 1) * pages_per_block);
	memblocks_free(&m);
	add_cma_areas(pr);
	return 0;
}

void pfn_ranges_free(struct pfn_ranges *pr)
{
	free(pr->r);
	memset(pr, 0, sizeof(*pr));
}

bool pfn_ranges_contain(const struct pfn_ranges *pr, uint64_t pfn)
{
	for (size_t i = 0; i < pr->n; i++)
		if (pfn >= pr->r[i].start && pfn < pr->r[i].end)
			return true;
	return false;
}

/* Walks the pagemap of [addr, addr+len): counts the present pages in pr,
 * keeping the first max indexes in idx when idx is given (and stopping
 * there). Returns the count, or -errno. */
static long walk_pages_in_ranges(const void *addr, size_t len, const struct pfn_ranges *pr, size_t *idx,
				 size_t max)
{
	const uint64_t PM_PRESENT = 1ULL << 63, PFN_MASK = (1ULL << 55) - 1;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = len / page, batch = 4096;
	uint64_t *buf;
	long count = 0;
	int fd;

	if (!pr->n || (idx && !max))
		return 0;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = xmalloc(batch * sizeof(*buf));
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t done = 0; done < npages;) {
		size_t todo = npages - done < batch ? npages - done : batch;
		off_t off = (off_t)(((uintptr_t)addr / page + done) * sizeof(*buf));
		ssize_t n = pread(fd, buf, todo * sizeof(*buf), off);
		if (n <= 0) {
			count = n < 0 ? -errno : -EIO;
			break;
		}
		size_t got = (size_t)n / sizeof(*buf);
		for (size_t i = 0; i < got; i++) {
			if (!(buf[i] & PM_PRESENT))
				continue;
			uint64_t pfn = buf[i] & PFN_MASK;
			if (!pfn) { /* PFNs are hidden without CAP_SYS_ADMIN */
				count = -EPERM;
				goto out;
			}
			if (!pfn_ranges_contain(pr, pfn))
				continue;
			if (idx)
				idx[count] = done + i;
			if (++count == (long)max && idx)
				goto out;
		}
		done += got;
	}
out:
	free(buf);
	close(fd);
	return count;
}

long count_pages_in_ranges(const void *addr, size_t len, const struct pfn_ranges *pr)
{
	return walk_pages_in_ranges(addr, len, pr, NULL, 0);
}

long pages_in_ranges(const void *addr, size_t len, const struct pfn_ranges *pr, size_t *idx, size_t max)
{
	return walk_pages_in_ranges(addr, len, pr, idx, max);
}

static void block_path(char *buf, size_t len, const char *sysdir, unsigned id, const char *file)
{
	snprintf(buf, len, "%s/memory%u/%s", sysdir, id, file);
}

int memblock_offline(const char *sysdir, unsigned id, unsigned timeout_ms)
{
	char path[512];
	uint64_t start = now_ns();
	int ret;

	block_path(path, sizeof(path), sysdir, id, "state");
	for (;;) {
		ret = write_knob(path, "offline");
		uint64_t waited_ms = (now_ns() - start) / 1000000ULL;
		/* The kernel backs off with EINTR/EAGAIN when something else
		 * is in its way for a moment: always worth a second. EBUSY
		 * (unmovable pages) is worth waiting for only when asked. */
		if (ret == -EINTR || ret == -EAGAIN) {
			if (waited_ms >= 1000 + timeout_ms)
				return ret;
		} else if (ret != -EBUSY || waited_ms >= timeout_ms) {
			return ret;
		}
		usleep(20000);
	}
}

int memblock_online(const char *sysdir, unsigned id, const char *zone)
{
	char path[512];

	block_path(path, sizeof(path), sysdir, id, "state");
	return write_knob(path, strcmp(zone, "Movable") ? "online_kernel" : "online_movable");
}

int memblock_restore(const char *sysdir, unsigned id, const char *zone)
{
	char path[512], cur[16] = "";
	char *state, *zones;
	bool online;
	int ret;

	block_path(path, sizeof(path), sysdir, id, "state");
	state = read_line_file(path);
	if (!state)
		return -errno;
	online = !strcmp(state, "online");
	free(state);
	if (online) {
		block_path(path, sizeof(path), sysdir, id, "valid_zones");
		zones = read_line_file(path);
		if (zones)
			sscanf(zones, "%15s", cur);
		free(zones);
		if (!strcmp(cur, zone))
			return 0;
		ret = memblock_offline(sysdir, id, 10000);
		if (ret)
			return ret;
	}
	return *zone ? memblock_online(sysdir, id, zone) : 0;
}
