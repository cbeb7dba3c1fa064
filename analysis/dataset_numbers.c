/* Datasets from a plain file of numbers (one per line, as ministat
 * reads) or one column of a CSV file. */
#include "config.h"
#include "dataset_load.h"
#include "csv.h"
#include "stats.h"
#include "util.h"
#include "files.h"

#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct numbers_ctx {
	const char *path, *column;
	int col;
	size_t ncols;
	double *v;
	size_t n, cap;
	char *err;
	size_t errlen;
};

static int numbers_push(struct numbers_ctx *c, const char *s, unsigned no)
{
	char why[96];
	double x;

	if (parse_finite(s, &x, why, sizeof(why))) {
		if (c->column)
			snprintf(c->err, c->errlen, "%s:%u: column '%s': %s", c->path, no, c->column, why);
		else
			snprintf(c->err, c->errlen, "%s:%u: %s", c->path, no, why);
		return -1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = x;
	return 0;
}

static int plain_line(char *line, unsigned no, void *ctx)
{
	const char *s = line + strspn(line, " \t\r");

	if (!*s || *s == '#')
		return 0;
	return numbers_push(ctx, s, no);
}

static int csv_line(char *line, unsigned no, void *ctx)
{
	struct numbers_ctx *c = ctx;
	char *f[256], known[512];

	size_t n = csv_split(line, f, ARRAY_SIZE(f));
	if (no == 1) {
		size_t o = 0;
		known[0] = '\0';
		c->ncols = n;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(f[i], c->column))
				c->col = (int)i;
			appendf(known, sizeof(known), &o, "%s%s", i ? ", " : "", f[i]);
		}
		if (c->col < 0)
			snprintf(c->err, c->errlen, "%s:1: no column '%s' (columns: %s)", c->path, c->column, known);
		return c->col < 0 ? -1 : 0;
	}
	if (n == 1 && !*f[0])
		return 0;
	if (n != c->ncols) {
		snprintf(c->err, c->errlen, "%s:%u: %zu fields where the header has %zu", c->path, no, n, c->ncols);
		return -1;
	}
	return numbers_push(c, f[c->col], no);
}

int dataset_load_numbers(const char *path, struct dataset *d, const struct load_options *o, char *err, size_t errlen)
{
	size_t len;
	char *text = read_input_file(path, RUNDIR_MAX_CSV, &len, err, errlen);
	struct numbers_ctx c = { .path = path, .column = o->column, .col = -1, .err = err, .errlen = errlen };

	if (!text)
		return -1;
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte: not a text file", path);
		free(text);
		return -1;
	}
	int ret = csv_each_line(text, len, o->column ? csv_line : plain_line, &c);
	free(text);
	if (!ret && !c.n) {
		snprintf(err, errlen, "%s: no numbers in it", path);
		ret = -1;
	}
	if (ret) {
		free(c.v);
		return -1;
	}
	struct metric *m = d->m = xcalloc(1, sizeof(*d->m));
	d->nm = 1;
	d->nruns = 1;
	m->name = xstrdup(o->column ? o->column : "value");
	m->unit = "";
	m->better = o->higher_is_better ? BETTER_HIGHER : BETTER_LOWER;
	m->kind = METRIC_VALUES;
	m->v = c.v;
	m->n = c.n;
	sort_doubles(m->v, m->n);
	m->runs = xmalloc(sizeof(*m->runs));
	m->runs[0] = gsl_stats_median_from_sorted_data(m->v, 1, m->n);
	m->nruns = 1;
	m->grouped = xmalloc(m->n * sizeof(*m->grouped));
	memcpy(m->grouped, m->v, m->n * sizeof(*m->grouped));
	m->start = xmalloc(2 * sizeof(*m->start));
	m->start[0] = 0;
	m->start[1] = m->n;
	m->ngroups = 1;
	return 0;
}
