/* The tables compare prints, shared with the HTML and Markdown documents
 * so that both say the same. */
#ifndef PB_VIEWS_H
#define PB_VIEWS_H

#include "compare.h"
#include "dataset.h"
#include "table.h"

/* compare: medians and verdicts of every candidate side by side; the
 * tests of one candidate against the base. */
struct table *compare_overview_table(struct comparison *c, size_t ncand);
struct table *compare_detail_table(const struct comparison *c);

#endif
