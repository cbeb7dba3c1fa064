/* pinbench report's views of datasets: the tables of every metric, the
 * section that shows them (printed on a terminal and written into the
 * report documents alike), and the JSON. */
#ifndef PB_REPORT_VIEW_H
#define PB_REPORT_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "dataset.h"
#include "document.h"
#include "table.h"

/* Every value metric with percentile intervals; failure rates with
 * Wilson intervals; the spread of per-run values. */
struct table *report_values_table(const struct dataset *d, double alpha);
struct table *report_rates_table(const struct dataset *d, double alpha);
struct table *report_runs_table(const struct dataset *d);
/* Why pins failed, a row for each run and each run directory. */
struct table *report_failures_table(const struct dataset *d);
/* Pinned pages found in ZONE_MOVABLE or CMA, over the run directories. */
int64_t report_unpinnable_pages(const struct dataset *d);
/* The failures table and the unpinnable-page alarm, when any pin failed
 * or any pinned page stayed movable. */
void report_failures(struct doc *doc, int level, const struct dataset *d);

/* One dataset's metrics under a heading of level (its spread between
 * runs one level below). */
void report_metrics(struct doc *doc, int level, const char *heading, const struct dataset *d, double alpha);
/* The report of n datasets for a terminal: text, or Markdown. */
void report_print(FILE *f, const struct dataset *d, size_t n, double alpha, bool markdown);
/* The report as JSON (schema_version 1), to release. */
json_t *report_json(const struct dataset *d, size_t n, double alpha);

#endif
