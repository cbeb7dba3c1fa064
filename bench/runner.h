/* The runner: plans a scenario, prepares the system, drives one pin worker
 * per (job, node) in threads, samples vmstat, and writes the run
 * directory (runner.c; the plan in plan.c, the workers of a repetition in
 * run_workers.c, the files in run_output.c). */
#ifndef PB_RUNNER_H
#define PB_RUNNER_H

#include <hwloc.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "memblock.h"
#include "scenario.h"

/* One pin call (and the unpin of the same chunk). */
struct sample {
	uint32_t run, iteration, job, chunk;
	int32_t node;
	uint64_t bytes;
	uint64_t start_ns;  /* since the run directory's t0 */
	uint64_t pin_ns, unpin_ns;
	uint64_t call_ns;   /* wall time of the pin call: its tracepoint window (pin_ns may be the kernel's) */
	int32_t err;        /* errno of the pin, 0 when it succeeded */
	int32_t unpin_err;
	int64_t movable_before; /* pages in ZONE_MOVABLE/CMA before the pin: what it had to move; -1 unknown */
	int64_t unpinnable; /* pinned pages found in ZONE_MOVABLE/CMA; -1 unknown */
	int64_t migrate_succeeded, migrate_failed; /* traced during the call; -1 unknown */
	int64_t thp_unsplit; /* THPs traced failing without a split during the call (thp_failed - thp_split) */
	int32_t tid;        /* the pinning thread (a client's, for a VMM backend) */
	const char *message; /* what the client said of a failure (interned, never freed), or NULL */
	bool unpinned;
};

struct sample_list {
	struct sample *v;
	size_t n, cap;
};

void sample_list_push(struct sample_list *l, const struct sample *s);
void sample_list_append(struct sample_list *dst, struct sample_list *src);

struct sample_sink;

/* A started stressor. */
struct active_stressor {
	const struct stressor_job *job;
	void *state;
};

/* Shared, read-only while workers run. */
struct run_context {
	const struct scenario *sc;
	hwloc_topology_t topo;
	uint64_t t0;
	uint64_t seed;
	bool check_pinnable;          /* root: look up PFNs of pinned pages */
	struct pfn_ranges unpinnable; /* ZONE_MOVABLE blocks and CMA areas */
	size_t nactive;
	struct active_stressor *active; /* range hooks are called from workers */
	struct sample_sink *sink;     /* samples.csv, appended after each iteration */
};

struct worker {
	const struct run_context *ctx;
	const struct pin_job *job;
	unsigned job_idx, run;
	int node;
	int tid;
	struct sample_list samples;
	atomic_uint_fast64_t calls_done; /* pins + unpins, for progress */
	atomic_uint iteration;           /* the one under way, for progress */
	atomic_uint_fast64_t call_t0;    /* CLOCK_MONOTONIC start of the pin call under way, 0: none */
	atomic_uint call_chunk;          /* its chunk */
	atomic_bool hung;                /* given up on: its thread is stuck in a pin call */
	double placement_sum, placement_min; /* fraction of pages on node */
	unsigned placement_n;
	int fatal;                    /* -errno when the worker had to stop */
	char why[256];
};

/* When to stop adding runs (runs = auto): asked after every run. The
 * runner knows nothing of the test behind it. */
struct run_stop_rule {
	void *ctx;
	/* Before anything changes; identity is this plan as run.json will
	 * describe it (jobs, scenario, scenario_global, topology). 0, or -1
	 * after saying why the run cannot go on. */
	int (*check)(void *ctx, json_t *identity);
	/* After run `run` (1-based), elapsed_ns after the first began. */
	bool (*enough)(void *ctx, const struct sample_list *samples, unsigned run, uint64_t elapsed_ns);
	/* summary.json's runs_auto (NULL: nothing to say). */
	json_t *(*report)(void *ctx, bool interrupted);
};

struct run_options {
	const char *output; /* the run directory; NULL: results/NAME-TIME */
	bool quiet, dry_run;
	const struct run_stop_rule *stop; /* NULL: runs is a number */
};

/* Runs the loaded scenario sc (its `nodes = all` resolved in place) and
 * writes the run directory; the exit status (lib/exitcode.h, or 128 + a
 * signal that stopped the run). */
int runner_run(struct scenario *sc, const struct run_options *o);

/* Thread body: runs every iteration of one job on one node. */
void *pin_worker_run(void *worker);
/* Calls one worker makes per run (pins + unpins), for progress. */
uint64_t pin_worker_calls(const struct pin_job *job);
#endif
