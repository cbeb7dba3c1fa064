/* runs = auto: a run keeps adding runs until its verdict against a
 * baseline is decided. After each run from the second on, the per-run
 * medians of pin latency so far are compared with the baseline's by the
 * Mann-Whitney test at alpha / L, L being every look the run may take
 * (max_runs - 1): Bonferroni over the looks, so the chance of any false
 * verdict over the whole sequence stays below alpha, however early it
 * stops. The price is power: a look needs more runs than one fixed-size
 * test would (sequential_min_runs says how many at the least). */
#ifndef PB_SEQUENTIAL_H
#define PB_SEQUENTIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct sequential {
	char *path;            /* the baseline */
	double *base;          /* its per-run medians of pin latency, sorted */
	size_t nbase;
	json_t *run_json;      /* its first run.json: what it ran */
	double alpha;
	unsigned max_runs;
	double alpha_per_look; /* alpha / (max_runs - 1) */
};

enum sequential_verdict { SEQ_GO_ON, SEQ_REGRESSED, SEQ_IMPROVED };

/* Loads the baseline (a run directory or a directory of them; warmup as
 * given); 0, or -1 with one message in err. */
int sequential_open(struct sequential *s, const char *baseline, unsigned warmup, unsigned max_runs, double alpha,
		    char *err, size_t errlen);
void sequential_close(struct sequential *s);
/* The fewest runs of ours at which a look can decide at all (0: none up
 * to max_runs: the baseline has too few runs for this alpha). */
unsigned sequential_min_runs(const struct sequential *s);
/* A look at the per-run medians so far (any order); *p its p. */
enum sequential_verdict sequential_look(const struct sequential *s, const double *runs, size_t n, double *p);
const char *sequential_verdict_name(enum sequential_verdict v);

#endif
