/* hugetlbfs 2 MiB pages (MAP_HUGETLB), as QEMU's -mem-path does. The pool
 * on the node is grown for the run (journalled) when it is too small. */
#include "config.h"
#include "memory.h"
#include "journal.h"
#include "clock.h"
#include "files.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M (2ULL << 20)

static uint64_t node_hugepages(int node, const char *file)
{
	char path[256];
	char *s;
	uint64_t v;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s", node, file);
	s = read_line_file(path);
	v = s ? strtoull(s, NULL, 10) : 0;
	free(s);
	return v;
}

static int hugetlb_reserve(int node, uint64_t bytes, char *why, size_t len)
{
	uint64_t need = bytes / HUGE_2M, free_pages = node_hugepages(node, "free_hugepages");
	uint64_t total = node_hugepages(node, "nr_hugepages");
	char path[256], value[32];
	int ret;

	if (free_pages >= need)
		return 0;
	snprintf(path, sizeof(path),
		 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages", node);
	snprintf(value, sizeof(value), "%" PRIu64, total + need - free_pages);
	ret = knob_set(path, value);
	if (ret) {
		snprintf(why, len, "cannot grow the 2 MiB huge page pool of node %d (%s): %s",
			 node, path, strerror(-ret));
		return ret;
	}
	if (node_hugepages(node, "free_hugepages") < need) {
		snprintf(why, len, "node %d has %" PRIu64 " free 2 MiB huge pages after asking for %s; "
			 "%" PRIu64 " are needed (memory too fragmented?)",
			 node, node_hugepages(node, "free_hugepages"), value, need);
		return -ENOMEM;
	}
	return 0;
}

static int hugetlb_map(struct region *r, size_t len)
{
	uint64_t deadline = now_ns() + 2000000000ULL;
	int ret;

	/* hugetlb mappings come huge-page aligned, and over-mapping would
	 * reserve a page more than the pool was grown by. A backend that
	 * unpins from a workqueue (AF_XDP) returns the previous iteration's
	 * pages to the pool a moment after its unpin call: wait for them. */
	while ((ret = region_map(r, len, 4096, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1)) == -ENOMEM &&
	       now_ns() < deadline)
		usleep(10000);
	return ret;
}

const struct memory_type memory_hugetlb = {
	.name = "hugetlb",
	.summary = "hugetlb 2 MiB pages (MAP_HUGETLB); the node's pool is grown for the run",
	.page_size = HUGE_2M,
	.reserve = hugetlb_reserve,
	.map = hugetlb_map,
	.unmap = region_unmap,
};
