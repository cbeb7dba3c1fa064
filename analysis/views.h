/* The tables report and compare print, shared with the HTML and Markdown
 * documents so that both say the same. */
#ifndef PB_VIEWS_H
#define PB_VIEWS_H

#include "compare.h"
#include "dataset.h"
#include "table.h"

/* report: every value metric with percentile intervals; failure rates
 * with Wilson intervals; the spread of per-run values. */
struct table *report_values_table(const struct dataset *d, double alpha);
struct table *report_rates_table(const struct dataset *d, double alpha);
struct table *report_runs_table(const struct dataset *d);
/* compare: medians and verdicts of every candidate side by side; the
 * tests of one candidate against the base. */
struct table *compare_overview_table(struct comparison *c, size_t ncand);
struct table *compare_detail_table(const struct comparison *c);

#endif
