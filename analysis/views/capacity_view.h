/* The views of a capacity sweep (capacity.h). */
#ifndef PB_CAPACITY_VIEW_H
#define PB_CAPACITY_VIEW_H

#include "capacity.h"
#include "report_doc.h"

/* Analyses the complete points of dir; writes capacity.json and prints
 * the tables. 0, or -1 after printing why. */
int capacity_analyse(const char *dir, double alpha);
/* The HTML or Markdown capacity report (analyses first when needed). */
int capacity_document(const struct doc_options *o, const char *dir);

#endif
