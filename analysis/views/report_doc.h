/* `pinbench report --html FILE | --markdown FILE`: the document of one
 * run or several (then compared with the first), and of a capacity sweep
 * (analysis/capacity.h). Plots go to FILE's stem + "-plots/". */
#ifndef PB_REPORT_DOC_H
#define PB_REPORT_DOC_H

#include <stdbool.h>

#include "dataset.h"
#include "compare.h"
#include "document.h"

struct doc_options {
	const char *path;        /* the document */
	enum doc_format fmt;
	bool png;
	double alpha;
	enum correction correction;
};

/* 0, or -1 after printing why. */
int report_document(const struct doc_options *o, struct dataset *d, size_t n);

/* Opens the document and its plot directory (stem-plots beside it);
 * shared with the capacity report. 0, or -1 after printing why. */
int document_open(const struct doc_options *o, struct doc *doc, struct plotter *p, char *plots_rel, size_t len);
int document_close(const struct doc_options *o, struct doc *doc, struct plotter *p);

/* The environment a run directory records (kernel, knobs, zones,
 * topology) and its scenario. */
void document_environment(struct doc *doc, json_t *run_json);

#endif
