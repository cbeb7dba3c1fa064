#include "config.h"
#include "memory.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

int region_map(struct region *r, size_t len, size_t align, int flags, int fd)
{
	/* Over-map by align so the pinned range can start on a huge page. */
	size_t map_len = len + (align > 4096 ? align : 0);
	void *p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	r->map_addr = p;
	r->map_len = map_len;
	r->addr = (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	r->len = len;
	r->fd = fd;
	return 0;
}

void region_unmap(struct region *r)
{
	if (r->map_addr)
		munmap(r->map_addr, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map_addr = r->addr = NULL;
	r->fd = -1;
}
