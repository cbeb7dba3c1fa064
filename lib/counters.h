/* "name value" counter files: /proc/vmstat and each node's vmstat in sysfs. */
#ifndef PB_COUNTERS_H
#define PB_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counters {
	size_t n;
	char **names;
	uint64_t *values;
};

/* Parses "name value" lines. Returns 0, or -1 with the 1-based number of
 * the first malformed line in *bad_line. */
int counters_parse(const char *text, struct counters *c, unsigned *bad_line);
/* Reads and parses a counters file. Returns 0 or -errno. */
int counters_read(const char *path, struct counters *c);
void counters_free(struct counters *c);
/* Index of name, or -1. Tries the same index first (files keep their order). */
long counters_find(const struct counters *c, const char *name, size_t hint);
/* Difference after - before for the counter at index i of after (counters
 * absent from before count from 0). Signed: nr_* gauges go down. */
int64_t counters_delta(const struct counters *before, const struct counters *after, size_t i);

/* A snapshot of the system's counters and every node's. */
struct vmstat_snapshot {
	uint64_t t_ns;
	struct counters system;
	size_t nnodes;
	int *node_ids;
	struct counters *nodes;
};

int vmstat_snapshot_take(struct vmstat_snapshot *s, const int *node_ids, size_t nnodes);
void vmstat_snapshot_free(struct vmstat_snapshot *s);

/* The counter families the summary shows: migration, THP split/migration,
 * compaction, CMA. */
bool counter_is_migration_related(const char *name);

#endif
