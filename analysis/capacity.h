/* Capacity planning from a sweep (`pinbench capacity`): a directory of
 * run directories, one per grid point, and sweep.json. Per node: pin time
 * against pinned size (least squares, with prediction intervals),
 * throughput with and without migration, the largest size whose failure
 * rate stays under the target, and the time to pin planned guest sizes. */
#ifndef PB_CAPACITY_H
#define PB_CAPACITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report_doc.h"

/* The sweep directory's description, written by the sweep runner. */
#define SWEEP_JSON "sweep.json"
#define CAPACITY_JSON "capacity.json"

/* [sweep] max_failure_rate: "1%" or a fraction, between 0 and 100 %.
 * 0, or -1 with a reason in why. */
int capacity_parse_rate(const char *s, double *rate, char *why, size_t len);
/* [sweep] plan: "64G, 256G, 1T", at most CAPACITY_MAX_PLAN non-zero sizes. */
#define CAPACITY_MAX_PLAN 16
int capacity_parse_plan(const char *s, uint64_t *plan, size_t *n, char *why, size_t len);

bool capacity_is_sweep(const char *dir);
/* Analyses the complete points of dir; writes capacity.json and prints
 * the tables. 0, or -1 after printing why. */
int capacity_analyse(const char *dir, double alpha);
/* The HTML or Markdown capacity report (analyses first when needed). */
int capacity_document(const struct doc_options *o, const char *dir);

#endif
