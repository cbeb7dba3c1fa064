/* The small text primitives the readers of pinbench's CSV and plain files
 * share: lines, unquoted fields, finite numbers. */
#ifndef PB_CSV_H
#define PB_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Calls fn on every line of text (cut at '\n', which is overwritten) with
 * its 1-based number; stops at the first non-zero return, which it
 * returns. */
int csv_each_line(char *text, size_t len, int (*fn)(char *line, unsigned no, void *ctx), void *ctx);
/* Splits a CSV line into at most max fields in place; returns the count.
 * A field may be quoted as csv_write_text writes it. A trailing '\r' is
 * dropped. */
size_t csv_split(char *line, char **field, size_t max);
/* Writes text as one CSV field: as it is, or quoted ("" for a quote)
 * when it holds a comma or a quote; line ends become blanks. */
void csv_write_text(FILE *f, const char *s);
/* A whole token as a finite number; surrounding blanks are allowed.
 * 0, or -1 with a reason ("'x' is not a number") in why. */
int parse_finite(const char *s, double *out, char *why, size_t len);

#endif
