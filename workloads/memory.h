/* A memory type: how the memory to be pinned is mapped. The runner binds
 * it to a node and populates it the same way for every type, so a type only
 * says how to map and unmap (and, for hugetlb, what to reserve first). */
#ifndef PB_MEMORY_H
#define PB_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct region {
	void *addr;      /* what is pinned, aligned to the type's page size */
	size_t len;
	void *map_addr;  /* what munmap needs (may be larger, for alignment) */
	size_t map_len;
	int fd;          /* memfd, or -1 */
};

struct memory_type {
	const char *name;
	const char *summary;
	uint64_t page_size; /* size and chunk must be multiples of it */
	/* The memory is a file (a memfd) that read faults fill with its own
	 * pages and that another process can map (a VMM's guest RAM). */
	bool shared_file;
	/* Optional, before any mapping: reserve what the type needs on node
	 * for bytes (journalled system changes only). 0 or -errno + why. */
	int (*reserve)(int node, uint64_t bytes, char *why, size_t len);
	int (*map)(struct region *r, size_t len);
	void (*unmap)(struct region *r);
};

const struct memory_type *memory_type_find(const char *name);
const struct memory_type *memory_type_at(size_t i);
const char *memory_type_names(void);

/* Shared by the types: an anonymous or fd mapping aligned to align. */
int region_map(struct region *r, size_t len, size_t align, int flags, int fd);
void region_unmap(struct region *r);

#endif
