/* Memory blocks (/sys/devices/system/memory) and the question a pin must
 * answer: is this physical page in memory that may not be pinned long-term
 * (ZONE_MOVABLE or a CMA area)? */
#ifndef PB_MEMBLOCK_H
#define PB_MEMBLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct memblock {
	unsigned id;
	int node;
	bool online;
	char zone[16]; /* zone of an online block, "" when offline */
};

struct memblocks {
	uint64_t block_size;
	size_t n;
	struct memblock *b;
};

/* sysdir is normally /sys/devices/system/memory (tests pass a fake tree). */
int memblocks_read(const char *sysdir, struct memblocks *m);
void memblocks_free(struct memblocks *m);
/* Bytes of online blocks in zone on node (node < 0: all nodes). */
uint64_t memblocks_bytes_in_zone(const struct memblocks *m, int node, const char *zone);

/* Physical ranges that cannot be long-term pinned. Built from the memory
 * blocks that are Movable (zoneinfo's spans overlap once blocks are
 * hot-plugged, so block granularity is the reliable answer) and from the
 * CMA areas debugfs lists. */
struct pfn_ranges {
	size_t n;
	struct { uint64_t start, end; } *r; /* [start, end) in pfns */
	bool cma_known; /* false when CMA may exist but debugfs does not say where */
};

int unpinnable_ranges_build(struct pfn_ranges *pr);
void pfn_ranges_free(struct pfn_ranges *pr);
bool pfn_ranges_contain(const struct pfn_ranges *pr, uint64_t pfn);

/* Counts the pages of [addr, addr+len) of this process that sit in pr.
 * Needs CAP_SYS_ADMIN (pagemap shows PFNs only to it). Returns the count,
 * or -errno. Pages not present are not counted. */
long count_pages_in_ranges(const void *addr, size_t len, const struct pfn_ranges *pr);
/* The same walk, keeping the indexes (page numbers from addr) of the first
 * max pages found in idx; stops there. Returns how many it kept, or -errno. */
long pages_in_ranges(const void *addr, size_t len, const struct pfn_ranges *pr, size_t *idx, size_t max);

/* Offlines a block, retrying while the kernel says it is busy migrating
 * (EBUSY/EAGAIN) for up to timeout_ms. Returns 0 or -errno. */
int memblock_offline(const char *sysdir, unsigned id, unsigned timeout_ms);
/* Onlines an offline block into zone ("Movable" or a kernel zone). */
int memblock_online(const char *sysdir, unsigned id, const char *zone);
/* Puts a block back into zone ("" = offline); a no-op when already there. */
int memblock_restore(const char *sysdir, unsigned id, const char *zone);
#endif
