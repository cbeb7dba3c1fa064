/* The matrix of `pinbench vm` with several scenarios: one row per
 * scenario and metric (failure rate, median pin latency), one column per
 * kernel, each cell the kernel's value and its verdict against the
 * first kernel. The verdicts are the comparisons' own (compare.h: the
 * same tests, family and adjustment as each scenario's compare.txt);
 * this view only lays them out, in text, Markdown and HTML through
 * document.h and as JSON, every cell's text written once for all. */
#ifndef PB_MATRIX_VIEW_H
#define PB_MATRIX_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "document.h"

/* One kernel's runs of one scenario. */
struct matrix_cell {
	/* this kernel against the base kernel; NULL for the base itself,
	 * and when either has no complete boot of the scenario */
	const struct comparison *c;
	/* this kernel's runs against themselves, for its values alone (the
	 * same statistics as a comparison's): the base's where no comparison
	 * of its row has a metric on both sides, and a kernel's without c;
	 * NULL without runs */
	const struct comparison *own;
	unsigned boots, failed;  /* complete and failed boots */
	const char *failures;    /* how the failed boots ended: "panic, hung" */
};

/* What a scenario's compare.txt holds beside the matrix: its kernels
 * with complete boots, the first as the base (not always the matrix's
 * base: compare.txt compares what booted). */
struct matrix_scenario {
	const char *name, *path;
	const char *compare_file; /* relative to the matrix, or NULL: fewer than two kernels booted */
	struct comparison *c;     /* the comparisons compare.txt shows */
	size_t nc;
};

struct matrix {
	const struct matrix_scenario *scenarios;
	size_t ns;
	const char *const *kernels; /* names; the first is the base */
	size_t nk;
	const struct matrix_cell *cells; /* ns * nk, scenario by scenario */
	double alpha;
	enum correction correction;
	unsigned boots;          /* asked per kernel and scenario */
	const char *guest;       /* the guests' layout and accelerator, in words */
};

/* The matrix, its notes and each scenario's comparison, as one document. */
void matrix_document(struct doc *d, const struct matrix *m);
/* The same cells as JSON (schema_version 1), to release. */
json_t *matrix_json(const struct matrix *m);

#endif
