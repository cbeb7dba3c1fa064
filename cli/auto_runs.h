/* runs = auto: the runner's stop rule, built of analysis' sequential
 * test. The baseline is read and checked before anything changes, a look
 * is taken after every run, and summary.json says why the runs stopped
 * (see analysis/sequential.h for the test and its error control). */
#ifndef PB_AUTO_RUNS_H
#define PB_AUTO_RUNS_H

#include "runner.h"
#include "scenario.h"
#include "sequential.h"

#include <stdbool.h>
#include <stdint.h>

struct auto_runs {
	struct run_stop_rule rule;
	const struct scenario *sc;
	struct sequential seq;
	bool open;
	unsigned looks;
	double p;                /* of the last look (NAN before one) */
	const char *stopped;     /* regressed, improved, max_runs, max_time; NULL while going */
};

/* The stop rule of sc's runs = auto in a (NULL when runs is a number). */
const struct run_stop_rule *auto_runs_rule(struct auto_runs *a, const struct scenario *sc);
void auto_runs_close(struct auto_runs *a);

#endif
