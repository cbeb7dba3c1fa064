/* Tables of text cells printed either aligned for a terminal (with
 * colour when asked) or as Markdown: every analysis command builds its
 * output once and prints it in the format the user chose. */
#ifndef PB_TABLE_H
#define PB_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "format.h"

/* NOTE: significant without a better side; UNDECIDED: too few runs to tell */
enum cell_colour { COLOUR_NONE, COLOUR_GOOD, COLOUR_BAD, COLOUR_NOTE, COLOUR_UNDECIDED };

struct table;

struct table *table_new(const char *const *header, size_t ncols);
/* Appends a row; cells are printf'd one by one with table_cell. */
void table_row(struct table *t);
/* Rows below the header. */
size_t table_rows(const struct table *t);
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Lets the cells of the HTML table after the first two (a row's
 * labels) wrap at the page's width: a table of sentences (the vm matrix)
 * that must read without sideways scrolling. Text and Markdown are
 * unchanged. */
void table_wrap(struct table *t);
/* Colours the last cell. */
void table_colour(struct table *t, enum cell_colour c);
void table_print(const struct table *t, FILE *f, bool markdown, bool colour);
/* An HTML <table>; colours become the classes good, bad, note and undecided. */
void table_print_html(const struct table *t, FILE *f);
void table_free(struct table *t);
/* Writes text with &, <, > and " escaped for HTML. */
void html_escape(FILE *f, const char *text);
void xml_escape(FILE *f, const char *text);

/* Colour when stdout is a terminal and NO_COLOR is unset. */
bool want_colour(FILE *f);

#endif
