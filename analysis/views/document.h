/* Reports as documents: one self-contained HTML file (plots inlined as
 * data: URIs, no script, no network), or Markdown with the plots beside
 * it; and the same calls print a terminal's text or Markdown (stream),
 * so that what a command prints and its document are written by one
 * function and cannot drift. */
#ifndef PB_DOCUMENT_H
#define PB_DOCUMENT_H

#include <stdbool.h>
#include <stdio.h>

#include "plot.h"
#include "table.h"

enum doc_format { DOC_HTML, DOC_MARKDOWN, DOC_TEXT /* for a terminal: no plots */ };

struct doc {
	FILE *f;
	enum doc_format fmt;
	const struct plotter *plots;
	const char *plots_rel;   /* the plot directory as Markdown links name it */
	bool in_list;            /* doc_item opened a list that the next block closes */
	/* Markdown for a terminal: blank lines between blocks, none after the
	 * last (DOC_TEXT always is one) */
	bool stream;
	bool colour;             /* DOC_TEXT: tables in colour */
	bool started;            /* a block was written */
};

void doc_begin(struct doc *d, const char *title);
void doc_end(struct doc *d);
void doc_heading(struct doc *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph that stands out: a verdict, a warning. */
void doc_callout(struct doc *d, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A list item (consecutive items form one list). */
void doc_item(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_table(struct doc *d, const struct table *t);
void doc_pre(struct doc *d, const char *text);
/* A plot of the plotter by its name ("cdf"); nothing when it was not drawn. */
void doc_plot(struct doc *d, const char *name);

#endif
