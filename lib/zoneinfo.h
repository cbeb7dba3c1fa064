/* /proc/zoneinfo: the size of every zone of every node. */
#ifndef PB_ZONEINFO_H
#define PB_ZONEINFO_H

#include <stddef.h>
#include <stdint.h>

struct zone_info {
	int node;
	char name[16];
	uint64_t free, present, managed, spanned, start_pfn, free_cma; /* pages */
};

struct zoneinfo {
	size_t n;
	struct zone_info *zones;
};

/* Returns 0, or -1 with the 1-based line of the first malformed line. */
int zoneinfo_parse(const char *text, struct zoneinfo *zi, unsigned *bad_line);
int zoneinfo_read(struct zoneinfo *zi);
void zoneinfo_free(struct zoneinfo *zi);
/* Pages present in zones called name on node (node < 0: every node). */
uint64_t zoneinfo_present(const struct zoneinfo *zi, int node, const char *name);

#endif
