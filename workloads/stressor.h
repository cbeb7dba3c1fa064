/* A stressor: a workload that puts the machine into the conditions a
 * long-term pin fails under. Each is one file exporting one of these tables,
 * listed once in workloads/registry.c; a scenario section `type = NAME`
 * names it, with the keys of its option table. The runner never names one.
 *
 * Background stressors do their work between start and stop. Range
 * stressors act on the memory about to be pinned: the pin worker calls
 * before_pin once the memory of an iteration is populated, and after_unpin
 * when its pins are released.
 *
 * A stressor does not write its own threads, stop flag, counters and
 * report: it fills a struct harness_ops (workloads/harness.h) and takes
 * start, stop, before_pin and after_unpin from the harness. */
#ifndef PB_STRESSOR_H
#define PB_STRESSOR_H

#include <stdatomic.h>
#include <hwloc.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* What the runner gives a stressor. */
struct stressor_env {
	const char *name;     /* the scenario section */
	const char *workdir;  /* the run directory being written: files, logs */
	const int *nodes;     /* nodes the pin jobs use */
	size_t nnodes;
	hwloc_topology_t topo;
	uint64_t seed;
	uint64_t t0;          /* CLOCK_MONOTONIC time 0 of the run directory */
	atomic_int *stop;   /* set on SIGINT/SIGTERM */
};

/* The memory of one iteration of one pin worker. */
struct pin_range {
	void *addr;
	size_t len;
	size_t chunk;         /* bytes per pin call: the range is pinned chunk by chunk */
	int fd;               /* the file behind the range (memfd), or -1 */
	int node;
	int pin_cpu;          /* the CPU the pin worker runs on */
};

struct stressor {
	const char *type;
	const char *summary;
	/* Optional: the external program it runs (searched in PATH), which
	 * a `pinbench vm` guest must carry too. */
	const char *program;
	const struct scenario_key *options;
	size_t noptions;
	size_t config_size;   /* the option table fills a struct of this size */
	/* Optional: checks across keys; names the key at fault in *key. */
	int (*check)(const void *cfg, const char **key, char *err, size_t len);
	/* Optional, for range stressors: checks against the smallest pin
	 * range (chunk) of the scenario's jobs; names the key in *key. */
	int (*check_range)(const void *cfg, uint64_t smallest_chunk, const char **key, char *err, size_t len);
	/* Optional: whether this machine can run it (EXIT 3 otherwise). */
	int (*probe)(const void *cfg, char *why, size_t len);
	/* Bytes of memory it will take, for the host safety check. */
	uint64_t (*memory)(const void *cfg, size_t nnodes);
	/* Starts it; 0, or -errno with a sentence in why. */
	int (*start)(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len);
	/* Optional range hooks, called from pin worker threads (concurrently
	 * for different nodes). */
	int (*before_pin)(void *state, const struct pin_range *r);
	void (*after_unpin)(void *state, const struct pin_range *r);
	/* Stops it, frees everything, and returns what it has to report
	 * (summary.json "stressors.<name>"), or NULL. */
	json_t *(*stop)(void *state);
	/* Optional: the body of a helper process the stressor spawns as
	 * `pinbench _helper TYPE ARGS...` (argv[0] is TYPE). */
	int (*helper_main)(int argc, char **argv);
};

const struct stressor *stressor_find(const char *type);
const struct stressor *stressor_at(size_t i);

#endif
