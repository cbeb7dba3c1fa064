/* Run directories into the results database, and what comes back out:
 * the stored runs a filter selects, one value per run for history, and a
 * baseline dataset that compare and gate treat like a run directory.
 *
 * A stored run is one run directory (its runs = inner runs, pooled as
 * compare pools them), identified by host, run id and the time it
 * started: storing it again changes nothing. Per run the database keeps
 * run.json, the scenario's name and hash, label, every pin sample, every
 * vmstat delta, and one value per metric (the median of its per-run
 * medians; a rate: failures over pins) for history. */
#ifndef PB_STORE_H
#define PB_STORE_H

#include "dataset.h"
#include "db.h"
#include "differences.h"

#include <stdbool.h>
#include <stddef.h>

struct store_options {
	const char *label;   /* NULL: each run's kernel release */
	const char *host;    /* NULL: run.json's hostname (a guest's "(none)": this machine's) */
};

struct store_counts {
	size_t stored, already;
};

/* Finds the run directories under each path (run directories, directories
 * of them, pinbench vm and capacity outputs), reads them all, then stores
 * them in one transaction: on any error nothing is written. 0, or -1
 * with one line in err. */
int store_runs(struct db *db, char **paths, size_t n, const struct store_options *o, struct store_counts *out,
	       char *err, size_t errlen);

struct run_filter {
	/* NULL: any. A scenario's name selects the identities of the runs
	 * stored under it (scenario_facts.h); identity is a prefix of one. */
	const char *scenario, *host, *label, *identity;
	size_t last;                         /* 0: all */
	bool force;                          /* several identities may be pooled */
	const char *where;                   /* what a refusal starts with (the source), or NULL */
};

struct stored_run {
	long long id, started_ns;
	char *run_id, *host, *label, *started, *scenario, *kernel;
	char *identity, *backend, *memory, *sizes; /* scenario_facts.h */
	char *source;                              /* the path stored */
	long nodes;
	size_t nruns;
	double value; /* store_series: the metric's value */
	char *unit;   /* store_series: the metric's unit */
};

/* The runs a filter selects, oldest first (ties in the order stored);
 * with store_series, only runs that have the metric, each with its value.
 * A selection that mixes hosts the filter left open, or scenarios by
 * content (identities), is an error naming them and what tells them apart;
 * with f->force several identities pass, and what their run.json differ
 * in from the newest run's is put in *mixed (when not NULL; zeroed when
 * they are one). 0, or -1 with one line in err. */
int store_select(struct db *db, const struct run_filter *f, struct stored_run **out, size_t *n,
		 struct differences *mixed, char *err, size_t errlen);
int store_series(struct db *db, const struct run_filter *f, const char *metric, struct stored_run **out, size_t *n,
		 struct differences *mixed, char *err, size_t errlen);
/* The metrics the runs a filter selects have (sorted, each once; free
 * each and the array). 0, or -1 with one line in err. */
int store_metric_names(struct db *db, const struct run_filter *f, char ***names, size_t *n, char *err, size_t errlen);
/* Whether s can be an identity's prefix: 4 to 16 lowercase hex digits. */
bool store_identity_valid(const char *s);
void stored_runs_free(struct stored_run *r, size_t n);
void stored_run_clear(struct stored_run *r);

/* "db:URL?scenario=S&host=H&label=L&identity=ID&last=N": whether a baseline source
 * names stored runs, and the dataset of those runs (the newest run's
 * run.json as its environment). 0, or -1 with one line in err. */
bool store_is_source(const char *source);
int store_load_dataset(const char *source, const struct load_options *o, struct dataset *d, char *err,
		       size_t errlen);

/* The unit stored for a rate (failure_rate): a fraction of pins. */
#define STORE_UNIT_RATE "fraction"

/* The value history keeps of a metric: the median of the per-run values,
 * or events over trials for a rate. */
double store_metric_value(const struct metric *m);

#endif
