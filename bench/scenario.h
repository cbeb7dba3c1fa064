/* Scenario files: INI in the spirit of fio job files. A [global] section
 * and one section per job; the job's kind is its `type =`. Every key is
 * declared once in a typed option table (scenario.c, and each backend's
 * and stressor's own), with its default, bounds or choices and help;
 * `pinbench run --help-keys` prints the tables. */
#ifndef PB_SCENARIO_H
#define PB_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory.h"
#include "nodelist.h"
#include "options.h"
#include "pin_backend.h"
#include "stressor.h"

#define PB_MAX_NODES NODE_LIST_MAX
#define PB_MAX_CHUNKS 65536

struct scenario_global {
	uint64_t runs;
	uint64_t seed;
	bool seed_given;
	uint64_t movable;            /* bytes of ZONE_MOVABLE per node, 0: leave as is */
	unsigned movable_line;       /* for errors found when the run starts */
	char thp[32];                /* THP "enabled" for the run, "": leave as is */
	char shmem_thp[OPT_STRING_MAX];  /* THP "shmem_enabled" for the run */
	char mthp[OPT_STRING_MAX];       /* "64kB=always,..." per-size enabled */
	char mthp_shmem[OPT_STRING_MAX]; /* per-size shmem_enabled */
	uint64_t vmstat_interval_ns;
	uint64_t pin_timeout_ns;     /* a pin call longer than this is a hang (0: never) */
	uint64_t warmup;             /* first iterations of each run left out of the statistics */
	bool sequential;             /* the pin jobs take turns instead of pinning at once */
	bool runs_auto;              /* runs = auto: until decided against baseline (runs: max_runs) */
	uint64_t max_runs;
	uint64_t max_time_ns;
	char baseline[OPT_STRING_MAX];
	char profile_functions[OPT_STRING_MAX]; /* kernel functions to count and time, "": none */
};

struct pin_job {
	char name[64];
	const struct pin_backend *backend;
	const struct memory_type *memory;
	bool all_nodes;
	unsigned nnodes;
	int nodes[PB_MAX_NODES];
	uint64_t size;               /* per node */
	uint64_t chunk;              /* bytes per pin call */
	uint64_t iterations;
	bool reuse;
	uint64_t hold_ns;
	bool dirty;
	void *backend_cfg;           /* what the backend's option table filled, or NULL */
	unsigned nodes_line;         /* for errors found when the run starts */
};

/* A stressor section: its table and the config its options filled. */
struct stressor_job {
	char name[64];
	const struct stressor *stressor;
	void *cfg;
};

struct scenario {
	char *path;
	char *name;                  /* file name without directory and .ini */
	char *text;                  /* the file as read, kept in run.json */
	struct scenario_global global;
	size_t njobs;
	struct pin_job *jobs;
	size_t nstressors;
	struct stressor_job *stressors;
};

/* Reads and checks a scenario. On error returns -1 and writes one message,
 * "FILE:LINE: [section] key 'k': reason", into err. */
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errlen);
/* The same from memory; name stands for the file in messages. */
int scenario_parse(const char *name, const char *text, struct scenario *sc, char *err, size_t errlen);
void scenario_free(struct scenario *sc);
/* Parses "all" or "0,2-3" into job->all_nodes / job->nodes. */
int scenario_parse_nodes(const char *text, struct pin_job *job, char *err, size_t errlen);
/* Prints every section type's keys with defaults, what they take and help. */
void scenario_print_keys(void);
/* Every option table of a scenario section, for the tests: the i-th, NULL
 * past the last; *title names its section, *struct_size the struct it fills. */
const struct scenario_key *scenario_table_at(size_t i, size_t *n, const char **title, size_t *struct_size);

#endif
