#include "config.h"
#include "util.h"
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cell {
	char *text;
	enum cell_colour colour;
};

struct table {
	size_t ncols, nrows;
	struct cell *cells; /* nrows * ncols, row 0 the header */
	size_t filled;      /* cells of the last row so far */
	bool wrap;          /* HTML: class "wrap" */
};

struct table *table_new(const char *const *header, size_t ncols)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->ncols = ncols;
	table_row(t);
	for (size_t i = 0; i < ncols; i++)
		table_cell(t, "%s", header[i]);
	return t;
}

size_t table_rows(const struct table *t)
{
	return t->nrows - 1;
}

void table_row(struct table *t)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
	t->filled = 0;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;

	if (t->filled >= t->ncols)
		return;
	va_start(ap, fmt);
	struct cell *c = &t->cells[(t->nrows - 1) * t->ncols + t->filled++];
	if (vasprintf(&c->text, fmt, ap) < 0)
		c->text = NULL;
	va_end(ap);
}

void table_wrap(struct table *t)
{
	t->wrap = true;
}

void table_colour(struct table *t, enum cell_colour colour)
{
	if (t->filled)
		t->cells[(t->nrows - 1) * t->ncols + t->filled - 1].colour = colour;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void table_print(const struct table *t, FILE *f, bool markdown, bool colour)
{
	static const char *const codes[] = { "", "\033[32m", "\033[31m", "\033[33m", "\033[35m" };
	size_t *w = xcalloc(t->ncols, sizeof(*w));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = width(t->cells[r * t->ncols + c].text);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			const char *s = cell->text ? cell->text : "";
			size_t pad = w[c] - width(s);
			bool coloured = colour && cell->colour != COLOUR_NONE;
			if (markdown)
				fprintf(f, "| %s%*s ", s, (int)pad, "");
			else
				fprintf(f, "%s%s%s%s%*s", c ? "  " : "", coloured ? codes[cell->colour] : "", s,
					coloured ? "\033[0m" : "", c + 1 < t->ncols ? (int)pad : 0, "");
		}
		fprintf(f, markdown ? "|\n" : "\n");
		if (markdown && r == 0) {
			for (size_t c = 0; c < t->ncols; c++)
				fprintf(f, "|%s", c ? "---:" : ":---");
			fprintf(f, "|\n");
		}
	}
	free(w);
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].text);
	free(t->cells);
	free(t);
}

bool want_colour(FILE *f)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fileno(f)) && !(no && *no);
}

void table_print_html(const struct table *t, FILE *f)
{
	static const char *const classes[] = { "", " class=\"good\"", " class=\"bad\"", " class=\"note\"",
						     " class=\"undecided\"" };

	fputs(t->wrap ? "<table class=\"wrap\">\n" : "<table>\n", f);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs("<tr>", f);
		for (size_t c = 0; c < t->ncols; c++) {
			const struct cell *cell = &t->cells[r * t->ncols + c];
			fprintf(f, "<%s%s>", r ? "td" : "th", classes[cell->colour]);
			html_escape(f, cell->text);
			fprintf(f, "</%s>", r ? "td" : "th");
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* One escaper for HTML and XML: XML (JUnit) also spells out the
 * apostrophe, which attributes there may be quoted with. Control
 * characters other than newline and tab are dropped: XML 1.0 forbids
 * them, and HTML has no use for them. */
static void markup_escape(FILE *f, const char *text, bool xml)
{
	for (const char *s = text ? text : ""; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs(xml ? "&apos;" : "'", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

void html_escape(FILE *f, const char *text)
{
	markup_escape(f, text, false);
}

void xml_escape(FILE *f, const char *text)
{
	markup_escape(f, text, true);
}
