/* The stressor harness: what every stressor would otherwise write again
 * (its threads, its stop flag, its counters, its report), as fio's
 * engines fill one ops struct and stress-ng's stressors one info table.
 * A stressor fills a struct harness_ops and points its struct stressor's
 * start at a HARNESS_START trampoline, and stop, before_pin and
 * after_unpin at harness_stop, harness_before_pin and harness_after_unpin.
 *
 * Its work runs in one of three shapes, or none (a subprocess, work done
 * at setup):
 *   - background threads, per node (bound to its CPUs) or one, looping
 *     until harness_stopping();
 *   - one thread per pin range, started before its pin (optionally on a
 *     CPU other than the pinning thread's) and stopped at its unpin;
 *   - per-range resources, held from range_begin to range_end.
 * Counters are named once; threads add to their own copy (no shared cache
 * line in a hot loop), hooks add atomically; the report lists them all. */
#ifndef PB_HARNESS_H
#define PB_HARNESS_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "stressor.h"

#define HARNESS_MAX_COUNTERS 8

struct harness;

/* A background thread, or one pin range (with or without a thread). */
struct harness_thread {
	struct harness *h;
	unsigned index;          /* background: 0.. over all nodes */
	int node;                /* background: the node it runs on; a range: its node */
	int cpu;                 /* a range: the CPU other than the pinner's, or -1 */
	uint64_t seed;           /* background: the run's seed mixed with index */
	struct pin_range range;  /* a range: the pin range */
	void *data;              /* the stressor's, for this thread or range */
	uint64_t counts[HARNESS_MAX_COUNTERS]; /* its own counters, summed at its end */
	int err;                 /* its first error (-errno) */
	/* the harness's */
	pthread_t tid;
	bool started, ready;
	atomic_int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

struct harness_ops {
	const char *const *counters; /* names, reported as integers */
	size_t ncounters;
	size_t priv_size;            /* the stressor's shared state, zeroed: harness_priv() */
	/* Optional: before any thread (files, fds, a subprocess). */
	int (*setup)(struct harness *h, char *why, size_t len);
	/* Background threads: threads_per_node(cfg) on every node (bound to
	 * it), or with threads_per_node NULL one thread. */
	void (*run)(struct harness_thread *t);
	uint64_t (*threads_per_node)(const void *cfg);
	/* Per range: range_begin readies what the range needs (t->data);
	 * range_run, when given, is the range's thread; range_end undoes
	 * range_begin once that thread has ended. */
	int (*range_begin)(struct harness_thread *t);
	void (*range_run)(struct harness_thread *t);
	void (*range_end)(struct harness_thread *t);
	bool other_cpu;    /* t->cpu: a CPU other than the pinner's (range_run bound to it) */
	bool wait_ready;   /* the pin waits for range_run's harness_ready() */
	unsigned settle_us; /* then waits this long: the reader is at work before the pin */
	/* Optional: adds its own fields to the report (counters are in). */
	void (*report)(struct harness *h, json_t *j);
	/* Optional: after every thread has ended. */
	void (*teardown)(struct harness *h);
};

/* stressor.start for ops: `HARNESS_START(name_start, name_ops)`. */
#define HARNESS_START(fn, ops)                                                                   \
	static int fn(const void *cfg, const struct stressor_env *env, void **state, char *why, size_t len) \
	{                                                                                          \
		return harness_start(&(ops), cfg, env, state, why, len);                           \
	}

int harness_start(const struct harness_ops *ops, const void *cfg, const struct stressor_env *env, void **state,
		  char *why, size_t len);
json_t *harness_stop(void *state);
int harness_before_pin(void *state, const struct pin_range *r);
void harness_after_unpin(void *state, const struct pin_range *r);

const void *harness_cfg(const struct harness *h);
const struct stressor_env *harness_env(const struct harness *h);
void *harness_priv(const struct harness *h);
/* Whether t (or the whole stressor, or the run) is to stop. */
bool harness_stopping(struct harness_thread *t);
/* Adds n to counter i from any thread. */
void harness_count(struct harness *h, size_t i, uint64_t n);
uint64_t harness_counter(const struct harness *h, size_t i);
/* The first error any thread recorded (-errno), 0 when none. */
int harness_error(const struct harness *h);
/* The number of background threads. */
size_t harness_nthreads(const struct harness *h);
/* range_run: tells the pin it may go on (wait_ready). */
void harness_ready(struct harness_thread *t);
/* range_run: blocks, without spinning, until the range's end. */
void harness_park(struct harness_thread *t);

#endif
