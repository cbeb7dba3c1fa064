/* runs = auto in a run: the baseline read and checked before anything
 * changes, a look after every run, and why the runs stopped (see
 * analysis/sequential.h for the test and its error control). */
#ifndef PB_AUTO_RUNS_H
#define PB_AUTO_RUNS_H

#include "runner.h"
#include "scenario.h"
#include "sequential.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct auto_runs {
	bool on;
	struct sequential seq;
	uint64_t deadline_ns;    /* no run starts after this (CLOCK_MONOTONIC) */
	unsigned looks;
	double p;                /* of the last look (NAN before one) */
	const char *stopped;     /* regressed, improved, max_runs, max_time; NULL while going */
};

/* Reads the baseline; it must have run what `identity` (a run.json of
 * this plan: jobs, scenario, scenario_global) describes, and be large
 * enough for a look to decide within max_runs. 0, or -1 after saying why. */
int auto_runs_open(struct auto_runs *a, const struct scenario *sc, json_t *identity);
/* Starts the clock of max_time. */
void auto_runs_start(struct auto_runs *a, uint64_t now_ns, uint64_t max_time_ns);
/* After run `run` (1-based): whether to stop now. */
bool auto_runs_enough(struct auto_runs *a, const struct sample_list *samples, unsigned run, unsigned warmup,
		      unsigned max_runs, uint64_t now_ns);
/* summary.json's runs_auto (NULL when runs is a number). */
json_t *auto_runs_json(const struct auto_runs *a, bool interrupted);
void auto_runs_close(struct auto_runs *a);

#endif
