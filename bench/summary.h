/* summary.json, and the terminal table rendered from it (one source of
 * truth for both). */
#ifndef PB_SUMMARY_H
#define PB_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "counters.h"
#include "runner.h"

#define PB_SCHEMA_VERSION 1

struct summary_input {
	const struct sample_list *samples;
	const int *nodes;
	size_t nnodes;
	const double *placement_mean, *placement_min; /* per node; NAN: unknown */
	size_t nruns;                                 /* runs with snapshots */
	const struct vmstat_snapshot *before, *after; /* [nruns] */
	int complete;
	const char *interrupted_by;                   /* signal name or NULL */
	int pinnable_checked;
	unsigned warmup;                              /* iterations per run left out */
};

json_t *summary_build(const struct summary_input *in);
/* The table a person reads at the end of a run. */
void summary_print(FILE *f, const json_t *summary);

#endif
