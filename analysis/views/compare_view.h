/* pinbench compare's views of comparisons: the overview and per-candidate
 * tables (the report documents show them too), the terminal text, the
 * JSON, and the runs a side --plan asks for. */
#ifndef PB_COMPARE_VIEW_H
#define PB_COMPARE_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "dataset.h"
#include "table.h"

/* Medians and verdicts of every candidate side by side; the tests of one
 * candidate against the base. */
struct table *compare_overview_table(struct comparison *c, size_t ncand);
struct table *compare_detail_table(const struct comparison *c);

/* The comparisons of ncand candidates with one base, for a terminal. */
void compare_print(FILE *f, struct comparison *c, size_t ncand, bool markdown, bool colour);
/* The same as JSON (schema_version 2), to release. */
json_t *compare_json(struct comparison *c, size_t ncand);

/* A metric's change of the median as every view words it: relative
 * ("+3.9%"), "from 0" when the base was 0, a failure rate's in
 * percentage points ("+16.1 pp"). */
void compare_change_words(const struct metric_comparison *r, char *buf, size_t len);

/* Why the per-run tests of c cannot decide, and the runs a side that
 * can ("" when they can): the same words in every view. */
void compare_undecided_reason(const struct comparison *c, char *buf, size_t len);

/* The runs a side each value metric of the base needs to detect a
 * relative change, from the spread between runs of the n sides given;
 * as JSON (to release), and that JSON as a table. */
json_t *compare_plan_json(const struct dataset *d, size_t n, double change, double alpha, enum correction correction,
			  double power);
void compare_plan_print(FILE *f, json_t *plan, size_t n, bool markdown);

#endif
