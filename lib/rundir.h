/* The run directory, the contract between the runner and analysis
 * (results/README.md): the one module that writes and reads its files.
 * samples.csv's columns are one table here; the runner writes through
 * the writer below, and dataset, capacity and plot read through the
 * readers, which type-check every field and name FILE:LINE and the field
 * in their errors. */
#ifndef PB_RUNDIR_H
#define PB_RUNDIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The largest files read: a JSON file, and a CSV file. Anything larger,
 * or not a regular file, is an error rather than a hang or an exhausted
 * memory. */
#define RUNDIR_MAX_JSON (64u << 20)
#define RUNDIR_MAX_CSV (1024u << 20)

/* samples.csv's columns, in file order. */
enum rundir_column {
	RD_RUN, RD_ITERATION, RD_JOB, RD_NODE, RD_CHUNK, RD_BYTES, RD_START_NS, RD_PIN_NS, RD_ERRNO,
	RD_ERROR, RD_UNPIN_NS, RD_UNPIN_ERRNO, RD_MOVABLE_BEFORE, RD_UNPINNABLE, RD_MIGRATE_SUCCEEDED,
	RD_MIGRATE_FAILED, RD_THP_UNSPLIT, RD_MESSAGE, RD_NCOLUMNS
};
extern const char *const rundir_column_names[RD_NCOLUMNS];

/* One row of samples.csv: one pin call and the unpin of its chunk. */
struct rundir_sample {
	unsigned run, iteration, chunk; /* run and iteration count from 1 */
	const char *job;                /* the pin job's section name */
	int node;
	uint64_t bytes;
	uint64_t start_ns, pin_ns;      /* since the run's time 0; the pin call */
	int err;                        /* errno of the pin, 0 when it succeeded */
	bool unpinned;                  /* false when the pin failed */
	uint64_t unpin_ns;
	int unpin_err;                  /* errno of the unpin (0: fine) */
	/* pages in ZONE_MOVABLE/CMA before the pin, pinned pages found there,
	 * pages the tracepoint saw migrated and failed, and the THPs it saw
	 * fail without being split (a failed split): -1 when unknown */
	int64_t movable_before, unpinnable, migrate_succeeded, migrate_failed, thp_unsplit;
	const char *message;            /* what the pin client said of a failure (a VMM's error line), or "" */
};

/* ---- reading ---- */

/* Calls fn on every row of DIR/samples.csv in file order; fn's non-zero
 * return stops the walk and is returned. -1 with "FILE:LINE: column
 * 'x': why" in err for a damaged file. Numbers must be written whole
 * (decimal digits, as the writer writes them). In a run (DIR holds
 * summary.json) the file is also held against summary.json: a last line
 * without its newline, or rows that do not add up to its counts per run
 * and node (rundir_check.h), is -1 with one line saying what disagrees.
 * In a .partial directory a last line without its newline (a write cut
 * short by a full disk or a crash) is left out. */
typedef int (*rundir_sample_fn)(const struct rundir_sample *s, unsigned line, void *ctx);
int rundir_read_samples(const char *dir, rundir_sample_fn fn, void *ctx, char *err, size_t errlen);

/* The same for DIR/vmstat.csv (time_ns,node,counter,value; node "all"
 * or a node id; rows in time order). A positive return of fn stops the
 * calls but not the checks: the whole file is read, and that return is
 * returned when the file is sound. */
typedef int (*rundir_vmstat_fn)(uint64_t t_ns, const char *node, const char *counter, uint64_t value,
				void *ctx);
int rundir_read_vmstat(const char *dir, rundir_vmstat_fn fn, void *ctx, char *err, size_t errlen);

/* DIR/FILE as a JSON object, or NULL with "PATH: why" in err. */
json_t *rundir_load_json(const char *dir, const char *file, char *err, size_t errlen);

/* A run directory's two JSON files, with every field analysis reads
 * type-checked and run.json's `complete` agreeing with summary.json's. */
struct rundir {
	json_t *run, *summary;
	bool complete;               /* the run finished */
	const json_t *env_changed;   /* summary's environment_changed: NULL or [] when nothing changed */
};
int rundir_open(const char *dir, struct rundir *rd, char *err, size_t errlen);
void rundir_close(struct rundir *rd);
/* Whether DIR holds a summary.json: a run, finished or not. */
bool rundir_is_run(const char *dir);
/* Whether DIR is a run that finished on an unchanged environment: what
 * analysis compares, and what a capacity sweep keeps on resume. */
bool rundir_complete(const char *dir);

/* ---- writing ---- */

/* samples.csv written as the run goes: rows are appended and flushed
 * after every iteration, so a run killed or stopped by a full disk keeps
 * the samples it had. A failed write is kept (sticky) and the file cut
 * back to its last whole line. */
struct rundir_samples {
	FILE *f;
	char path[4200];
	off_t good;  /* bytes known written: whole lines */
	int error;   /* the first write error, -errno; 0 while fine */
};
int rundir_samples_open(struct rundir_samples *w, const char *dir);
/* Appends rows and flushes them. 0, or the (first) -errno. */
int rundir_samples_append(struct rundir_samples *w, const struct rundir_sample *s, size_t n);
/* Closes the file (fsync first); 0 or the first -errno. */
int rundir_samples_close(struct rundir_samples *w);
/* Replaces DIR/samples.csv at once (temporary file, fsync, rename) with
 * the final rows; on failure the one appended so far stays. */
int rundir_write_samples(const char *dir, const struct rundir_sample *s, size_t n);

/* vmstat.csv: its header, and one row. */
void rundir_vmstat_header(FILE *f);
void rundir_vmstat_row(FILE *f, uint64_t t_ns, const char *node, const char *counter, uint64_t value);

/* DIR/NAME written atomically and synced (keys sorted, indented). 0, or
 * -errno (-EINVAL: not encodable as JSON). */
int rundir_write_json(const char *dir, const char *name, const json_t *j);
/* Gives a directory whose files are all written and synced (by the
 * functions above) its final name: renames tmpdir to dir and syncs the
 * parent. 0; 1 when only the parent's sync failed (the rename may not be
 * durable yet); -errno when the rename failed. */
int rundir_publish(const char *tmpdir, const char *dir);

#endif
