/* What analysis reads: named metrics, each a sample of values (pooled
 * over runs) and one value per run, from a run directory, a directory of
 * run directories, a plain file of numbers (one per line, as ministat
 * reads) or one column of a CSV file. */
#ifndef PB_DATASET_H
#define PB_DATASET_H

#include <jansson.h>
#include "rundir.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct difference;

enum better { BETTER_LOWER, BETTER_HIGHER, BETTER_NEITHER };

enum metric_kind {
	METRIC_VALUES, /* a sample of numbers */
	METRIC_RATE,   /* events out of trials (pin failures) */
};

struct metric {
	char *name;       /* pin_latency, pin_latency.node1, failure_rate, vmstat.pgmigrate_fail... */
	const char *unit; /* "ns", "GB/s" or "" */
	enum better better;
	enum metric_kind kind;
	double *v;        /* every value, pooled over runs, sorted */
	size_t n;
	double *runs;     /* one value per run (its median; its total rate), sorted */
	size_t nruns;
	uint64_t events, trials; /* METRIC_RATE */
	/* METRIC_VALUES run by run: run r is grouped[start[r] .. start[r + 1]),
	 * sorted; ngroups is the dataset's runs. A per-run statistic other
	 * than the median (p99, max...) is computed from these. */
	double *grouped;
	size_t *start, ngroups;
	bool one_per_run; /* a vmstat delta: one value per run, whatever the statistic */
};

/* The pins of the first counted iteration against the later ones, to see
 * whether a run needed a warm-up that was not excluded. */
struct first_iteration {
	double *first, *later; /* pin latencies */
	size_t nfirst, nlater, cap_first, cap_later;
	unsigned iteration;    /* the first counted iteration (warmup + 1) */
};

/* Why pins failed, as summary.json counted it: one record a run, and one
 * for each run directory's totals with its tracepoint counts. Counts a
 * file lacks are -1. */
struct run_failures {
	char *where;            /* "boot-1 run 2", or "boot-1" for a directory's totals */
	bool directory;
	int64_t pins, failures;
	int64_t migration, thp, base_pages, other, unattributed;
	char *by_errno;         /* "ENOMEM 60, EFAULT 1", or "" */
	int64_t unpinnable;     /* pinned pages found in ZONE_MOVABLE or CMA; -1 unchecked */
	double movable_fraction; /* of the memory before pinning; NAN unknown */
	/* the migrate tracepoint's longterm_pin reason: pages migrated and
	 * failed, THPs split and failed (directories only; -1 untraced) */
	int64_t migrated, migrate_failed, thp_split, thp_failed;
};

struct dataset {
	char *path;
	size_t nruns;     /* runs behind the data: 1 for a plain file */
	bool incomplete;  /* a run directory was interrupted */
	bool env_changed; /* the environment changed under a run (summary.json environment_changed) */
	struct metric *m;
	size_t nm;
	json_t *run_json; /* the first run directory's run.json, or NULL */
	char **counters;  /* every vmstat counter the kernel had (vmstat.csv) */
	size_t ncounters;
	unsigned warmup;  /* iterations of each run left out of the statistics */
	struct first_iteration first;
	char **run_ids;   /* of every run directory read ("" for plain files) */
	size_t nrun_ids;
	/* what differed between the run directories pooled here (with --force) */
	struct difference *pooled_differences;
	size_t npooled_differences;
	struct run_failures *failures; /* run directories only */
	size_t nfailures;
};

/* One row of samples.csv as analysis reads it. */
struct pin_sample {
	unsigned run;             /* 1..runs of its run directory */
	int node;
	double bytes, pin_ns;
	int errnum;               /* 0: the pin succeeded */
	double unpin_ns;          /* -1: not unpinned */
	int unpin;                /* -1 not unpinned, 0 fine, 1 failed */
	/* the tracepoint saw the call's migrations (false for older files and
	 * the database), and saw a THP fail without being split */
	bool split_traced, split_failed;
	/* passed on to on_pin only: -1 (and "") when the file lacks them */
	double iteration, chunk, start_ns;
	const char *job;
};

struct load_options {
	const char *column;   /* CSV: the column to read */
	bool higher_is_better; /* plain files and CSV columns */
	bool all_counters;    /* every vmstat counter, not only migration-related ones */
	bool allow_incomplete; /* and runs whose environment changed */
	bool warmup_given;    /* leave out warmup iterations, not what each run.json says */
	unsigned warmup;
	bool force;           /* pool run directories that did not run the same thing */
	/* Called for every sample row and every vmstat delta of a run
	 * directory as it is read (the results database keeps them). */
	void (*on_pin)(void *ctx, const struct pin_sample *s);
	void (*on_counter)(void *ctx, unsigned run, const char *counter, int64_t delta);
	void *hook_ctx;
};

/* The largest files read: a JSON file of a run directory, and a CSV or
 * plain file of numbers. Anything larger, or not a regular file, is an
 * error rather than a hang or an exhausted memory. */
#define DATASET_MAX_JSON RUNDIR_MAX_JSON
#define DATASET_MAX_CSV RUNDIR_MAX_CSV

/* 0, or -1 with one message naming the file (and line and column) in err. */
int dataset_load(const char *path, const struct load_options *o, struct dataset *d, char *err, size_t errlen);
void dataset_free(struct dataset *d);
/* Whether a run directory finished on an unchanged environment
 * (rundir_complete). */
bool run_dir_complete(const char *dir);
/* Whether dir holds a summary.json (a run directory, finished or not). */
bool is_run_dir(const char *dir);

/* A dataset built from values read elsewhere (the results database):
 * samples and counter deltas by run index (0-based over the dataset),
 * then the number of runs, then finish. finish fills d's metrics and
 * nruns (set d->path, run_json and counters around it) and frees b; 0,
 * or -1 with a message when there is no pin at all. */
struct dataset_builder;
struct dataset_builder *dataset_builder_new(void);
void dataset_builder_pin(struct dataset_builder *b, unsigned run, const struct pin_sample *s);
void dataset_builder_counter(struct dataset_builder *b, unsigned run, const char *counter, int64_t delta,
			     bool all_counters);
/* What [global] profile_functions counted of one kernel function in one
 * run: metrics function.NAME.hits and function.NAME.time (ns, callees
 * included). */
void dataset_builder_function(struct dataset_builder *b, unsigned run, const char *function, int64_t hits,
			      double time_ns);
void dataset_builder_add_runs(struct dataset_builder *b, size_t nruns);
/* Pins of iterations up to warmup are left out from now on; the first
 * counted iteration's latencies are kept apart in first (may be NULL). */
void dataset_builder_warmup(struct dataset_builder *b, unsigned warmup, struct first_iteration *first);
int dataset_builder_finish(struct dataset_builder *b, struct dataset *d, char *err, size_t errlen);

const struct metric *dataset_metric(const struct dataset *d, const char *name);
/* A run both sides hold (its identity), the path when both are one
 * file, or NULL: what differs between such sides is noise. */
const char *dataset_shared_run(const struct dataset *a, const struct dataset *b);
/* The kernel of the runs had this vmstat counter (a run directory leaves
 * out counters that did not move: they were 0). */
bool dataset_has_counter(const struct dataset *d, const char *counter);
/* "ns" metrics are latencies: what --max-regression gates by default. */
bool metric_is_latency(const struct metric *m);
/* A vmstat gauge (nr_*): its delta over a run is a change of level. */
bool metric_is_gauge(const struct metric *m);
/* Which way a vmstat counter (or its metric, "vmstat.NAME") is better:
 * lower for one that counts failures, neither for the rest. */
enum better counter_better(const char *name);
const char *better_name(enum better b);
/* "results/x (5 runs, kernel 6.12.0)" or "file (1000 values)" */
void dataset_describe(const struct dataset *d, char *buf, size_t len);

#endif
