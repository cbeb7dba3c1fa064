/* A run's plan, inside bench/: the scenario with its nodes resolved, the
 * checks made before anything changes, the system prepared for it, and
 * the workers of one repetition. */
#ifndef PB_PLAN_H
#define PB_PLAN_H

#include "env_watch.h"
#include "runner.h"
#include "scenario.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct plan {
	struct scenario *sc;
	int nodes[PB_MAX_NODES]; /* union of every job's nodes */
	size_t nnodes;
	char dir[4096], tmpdir[4200];
	bool quiet, dry_run;
	json_t *hangs; /* pin calls given up on */
	struct env_watch watch; /* what nobody else may change while the run goes */
	const struct run_stop_rule *stop; /* runs = auto; NULL: runs is a number */
};

/* Everything checked before the system is touched, the run directory
 * created (except for a dry run, which prints the plan). EXIT_* when the
 * run ends here, -1 to go on. */
int plan_make(struct plan *p, const char *out);
/* Knobs, movable memory, reservations; each journalled and listed in
 * changes. 0, or -1 after saying why. */
int plan_prepare_system(struct plan *p, json_t *changes);
/* What is about to run, one line per job. */
void plan_print(const struct plan *p);
/* run.json's "jobs" and "scenario_global". */
json_t *plan_jobs_json(const struct plan *p);
json_t *plan_global_json(const struct scenario_global *g);
/* The index of node in p->nodes, or -1. */
int plan_node_index(const struct plan *p, int node);

enum { RUN_HUNG = -2 }; /* run_workers: a pin call outlived pin_timeout */

/* One repetition: a worker per (job, node), all pinning at once; their
 * samples appended to all, their placement added per node. 0, -1 when a
 * worker had to stop, RUN_HUNG when one was given up on. */
int run_workers(struct plan *p, struct run_context *ctx, unsigned run, struct sample_list *all,
		double *place_sum, double *place_min, unsigned *place_n, uint64_t started);

#endif
