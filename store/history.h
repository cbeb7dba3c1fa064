/* pinbench history: one value per stored run of a scenario on a host, in
 * the order the runs started, and the change points of that series
 * (analysis/changepoint.h), as text, JSON, CSV or an HTML page. */
#ifndef PB_HISTORY_H
#define PB_HISTORY_H

#include "changepoint.h"
#include "db.h"
#include "report_doc.h"
#include "store.h"

#include <jansson.h>
#include <stdio.h>

struct history {
	const char *url, *metric;
	struct run_filter filter;
	struct cp_params params;
	struct stored_run *r;    /* the series, oldest first */
	size_t n;
	size_t left_out;         /* runs of the series' scenario without a value */
	struct stored_run *left; /* those runs, oldest first */
	const char **left_why;   /* why each was left out */
	double smallest_p;       /* the least p any step in n runs can reach */
	size_t runs_to_detect;   /* when that is not below alpha: the runs that can */
	size_t source_skip;      /* the directories every run's source path shares */
	struct differences mixed; /* --force: what the scenarios pooled differ in */
	struct change_point *cp;
	size_t ncp;
};

/* Reads the series and finds its change points; accounts for every run
 * of its scenario left out. 0, or -1 with one line in err. */
int history_load(struct history *h, struct db *db, char *err, size_t errlen);
void history_free(struct history *h);

json_t *history_json(const struct history *h);
void history_print_text(const struct history *h, FILE *f);
void history_print_csv(const struct history *h, FILE *f);
/* The HTML page (or Markdown): the trend plot with change points marked,
 * the change points, the series. 0, or -1 after printing why. */
int history_document(const struct history *h, const struct doc_options *o);

#endif
