/* Private anonymous memory, as most processes and QEMU without memfd use. */
#include "config.h"
#include "memory.h"

#include <errno.h>
#include <sys/mman.h>

static int anon_map_advised(struct region *r, size_t len, size_t align, int advice)
{
	int ret = region_map(r, len, align, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);

	if (!ret && madvise(r->addr, len, advice)) {
		ret = -errno;
		region_unmap(r);
	}
	return ret;
}

/* Base pages only, whatever the THP setting: the plain-page case. */
static int anon_map(struct region *r, size_t len)
{
	return anon_map_advised(r, len, 4096, MADV_NOHUGEPAGE);
}

/* THP when /sys/kernel/mm/transparent_hugepage/enabled allows madvise. */
static int anon_thp_map(struct region *r, size_t len)
{
	return anon_map_advised(r, len, 2 << 20, MADV_HUGEPAGE);
}

const struct memory_type memory_anon = {
	.name = "anon",
	.summary = "private anonymous memory, base pages (MADV_NOHUGEPAGE)",
	.page_size = 4096,
	.map = anon_map,
	.unmap = region_unmap,
};

const struct memory_type memory_anon_thp = {
	.name = "anon-thp",
	.summary = "private anonymous memory, transparent huge pages (MADV_HUGEPAGE)",
	.page_size = 2 << 20,
	.map = anon_thp_map,
	.unmap = region_unmap,
};
