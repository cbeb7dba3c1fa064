/* Whether the environment a run measures stays as the run set it up:
 * every knob run.json records (THP, mTHP, compaction, hugetlb...) and
 * the size of every zone of every node (memory blocks moved into or out
 * of ZONE_MOVABLE, offlined or onlined). Someone else changing them
 * under a run (an admin, a pinbench of another build) makes its numbers
 * describe two setups: the run says so in summary.json and run.json
 * (`environment_changed`), and analysis treats it like an interrupted
 * run. */
#ifndef PB_ENV_WATCH_H
#define PB_ENV_WATCH_H

#include <jansson.h>
#include <stdint.h>

#include "zoneinfo.h"

/* How often the runner compares while pins go on. */
#define ENV_WATCH_INTERVAL_NS 1000000000ULL

struct env_watch {
	json_t *knobs;          /* path -> value at the start */
	struct zoneinfo zones;  /* at the start */
	json_t *changed;        /* what changed, one sentence each, in the order seen */
	json_t *seen;           /* the keys already said */
	uint64_t t0, last;
};

/* Takes the reference state: once the run has made its own changes. */
void env_watch_start(struct env_watch *w, uint64_t t0);
/* Compares now with the reference; every difference not said before is
 * warned about and appended to w->changed. when: "run 2", "the end". */
void env_watch_check(struct env_watch *w, const char *when);
/* The same, at most every ENV_WATCH_INTERVAL_NS. */
void env_watch_poll(struct env_watch *w, const char *when);
void env_watch_free(struct env_watch *w);

#endif
