#include "config.h"
#include "history.h"
#include "document.h"
#include "plot.h"
#include "table.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int history_load(struct history *h, struct db *db, char *err, size_t errlen)
{
	if (store_series(db, &h->filter, h->metric, &h->r, &h->n, &h->mixed, err, errlen))
		return -1;
	/* a run without the value (every pin failed: no latency) is left out */
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (isnan(h->r[i].value)) {
			stored_run_clear(&h->r[i]);
			h->left_out++;
			continue;
		}
		h->r[k++] = h->r[i];
	}
	h->n = k;
	double *v = xcalloc(h->n + 1, sizeof(*v));
	for (size_t i = 0; i < h->n; i++)
		v[i] = h->r[i].value;
	h->ncp = cp_find(v, h->n, &h->params, &h->cp);
	free(v);
	return 0;
}

void history_free(struct history *h)
{
	stored_runs_free(h->r, h->n);
	differences_free(&h->mixed);
	free(h->cp);
	h->r = NULL;
	h->cp = NULL;
	h->n = h->ncp = 0;
}

static const char *unit_of(const struct history *h)
{
	return h->n && h->r[0].unit ? h->r[0].unit : "";
}

/* A value in its unit: "21.1 ms", "1.5%" for a rate. */
static void format_series_value(const struct history *h, double v, char *buf, size_t len)
{
	if (!strcmp(unit_of(h), STORE_UNIT_RATE))
		snprintf(buf, len, "%.3g%%", v * 100);
	else
		format_value(v, unit_of(h), buf, len);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static double change_of(const struct change_point *c)
{
	return c->before != 0 ? c->after / c->before - 1 : NAN;
}

/* The scenarios (by content) of the series: 1 unless --force pooled more. */
static size_t scenarios_of(const struct history *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(h->r[k].identity, h->r[i].identity);
		n += !seen;
	}
	return n;
}

/* The scenario's name: the one asked for (runs of its content stored
 * under another name belong to it), else the first run's. */
static const char *name_of(const struct history *h)
{
	return h->filter.scenario ? h->filter.scenario : h->n ? h->r[0].scenario : NULL;
}

json_t *history_json(const struct history *h)
{
	json_t *series = json_array(), *cps = json_array();

	for (size_t i = 0; i < h->n; i++)
		json_array_append_new(series, json_pack("{s:s, s:s, s:s, s:o}", "label", h->r[i].label, "started",
							h->r[i].started, "run_id", h->r[i].run_id, "value",
							num(h->r[i].value)));
	for (size_t i = 0; i < h->ncp; i++) {
		const struct change_point *c = &h->cp[i];
		json_array_append_new(cps, json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o}", "index",
						     (json_int_t)c->index, "label", h->r[c->index].label, "before",
						     num(c->before), "after", num(c->after), "change",
						     num(change_of(c)), "p", num(c->p), "q", num(c->q)));
	}
	json_t *j = json_pack("{s:i, s:s?, s:s?, s:s, s:s, s:I, s:{s:s, s:f, s:I, s:I, s:I}, s:o, s:o}",
			 "schema_version", 1, "scenario", name_of(h), "host",
			 h->n ? h->r[0].host : h->filter.host, "metric", h->metric, "unit", unit_of(h), "left_out",
			 (json_int_t)h->left_out, "method", "name", "e-divisive", "alpha", h->params.alpha,
			 "permutations", (json_int_t)h->params.permutations, "min_size",
			 (json_int_t)h->params.min_size, "seed", (json_int_t)h->params.seed, "series", series,
			 "change_points", cps);
	if (h->mixed.n) { /* --force pooled several scenarios */
		json_object_set_new(j, "scenarios", json_integer((json_int_t)scenarios_of(h)));
		json_object_set_new(j, "differences", differences_json(&h->mixed));
	}
	return j;
}

static struct table *change_table(const struct history *h)
{
	static const char *const head[] = { "#", "from label", "started", "before", "after", "change", "p" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char a[32], b[32], c[32], p[32];

	for (size_t i = 0; i < h->ncp; i++) {
		const struct change_point *cp = &h->cp[i];
		format_series_value(h, cp->before, a, sizeof(a));
		format_series_value(h, cp->after, b, sizeof(b));
		format_percent(change_of(cp), c, sizeof(c));
		format_p(cp->p, p, sizeof(p));
		table_row(t);
		table_cell(t, "%zu", cp->index + 1);
		table_cell(t, "%s", h->r[cp->index].label);
		table_cell(t, "%s", h->r[cp->index].started);
		table_cell(t, "%s", a);
		table_cell(t, "%s", b);
		table_cell(t, "%s", c);
		table_colour(t, (change_of(cp) > 0) == (strcmp(unit_of(h), "GB/s") != 0) ? COLOUR_BAD : COLOUR_GOOD);
		table_cell(t, "%s", p);
	}
	return t;
}

/* Whether index i starts a new level. */
static const struct change_point *change_at(const struct history *h, size_t i)
{
	for (size_t k = 0; k < h->ncp; k++)
		if (h->cp[k].index == i)
			return &h->cp[k];
	return NULL;
}

static struct table *series_table(const struct history *h)
{
	static const char *const head[] = { "#", "label", "started", "run", "value", "" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char v[32], c[32];

	for (size_t i = 0; i < h->n; i++) {
		const struct change_point *cp = change_at(h, i);
		format_series_value(h, h->r[i].value, v, sizeof(v));
		table_row(t);
		table_cell(t, "%zu", i + 1);
		table_cell(t, "%s", h->r[i].label);
		table_cell(t, "%s", h->r[i].started);
		table_cell(t, "%s", h->r[i].run_id);
		table_cell(t, "%s", v);
		format_percent(cp ? change_of(cp) : NAN, c, sizeof(c));
		table_cell(t, "%s%s", cp ? "<- change point " : "", cp ? c : "");
	}
	return t;
}

static void print_head(const struct history *h, FILE *f)
{
	fprintf(f, "pinbench history: %s of scenario %s on host %s, %zu run(s)", h->metric,
		name_of(h) ? name_of(h) : "?", h->n ? h->r[0].host : "?", h->n);
	if (h->left_out)
		fprintf(f, " (%zu without a value left out)", h->left_out);
	fprintf(f, "\nchange points: E-divisive, alpha %g, %u permutations (seed %llu), at least %zu runs a "
		   "level: %zu found\n", h->params.alpha, h->params.permutations,
		(unsigned long long)h->params.seed, h->params.min_size, h->ncp);
}

void history_print_text(const struct history *h, FILE *f)
{
	struct table *t;

	print_head(h, f);
	if (h->mixed.n) {
		fprintf(f, "WARNING: the series pools runs of %zu different scenarios (by content; --force); the newest "
			   "run's against the others:\n", scenarios_of(h));
		differences_print(f, &h->mixed, "  ", 0);
	}
	if (h->ncp) {
		fputc('\n', f);
		table_print(t = change_table(h), f, false, false);
		table_free(t);
	}
	fputc('\n', f);
	table_print(t = series_table(h), f, false, false);
	table_free(t);
}

void history_print_csv(const struct history *h, FILE *f)
{
	fprintf(f, "index,label,started,run_id,value,change_point_p\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct change_point *cp = change_at(h, i);
		/* labels are the user's text: commas and quotes would break the row */
		fputc('"', f);
		for (const char *s = h->r[i].label; *s; s++)
			fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
		fprintf(f, "\",%s,%s,%.17g,", h->r[i].started, h->r[i].run_id, h->r[i].value);
		if (cp)
			fprintf(f, "%g", cp->p);
		fputc('\n', f);
	}
}

/* The series as points and lines, each level's median as a flat segment,
 * a dashed line where a level starts; x tics are the labels. */
static void plot_trend(struct plotter *p, const struct history *h)
{
	struct plot_script ps;
	bool rate = !strcmp(unit_of(h), STORE_UNIT_RATE), ns = !strcmp(unit_of(h), "ns");
	double scale = rate ? 100 : ns ? 1e-6 : 1;

	/* at most about 15 labels along the x axis, whatever the length */
	size_t every = h->n > 15 ? (h->n + 14) / 15 : 1;

	plot_begin(&ps);
	for (size_t i = 0; i < h->n; i++) {
		fprintf(ps.df, "%zu %.9g \"", i + 1, h->r[i].value * scale);
		for (const char *s = h->r[i].label; *s && i % every == 0; s++)
			fputc(*s == '"' ? '\'' : *s, ps.df);
		fputs("\"\n", ps.df);
	}
	fputs("\n\n", ps.df);
	for (size_t k = 0; k <= h->ncp; k++) { /* the levels */
		size_t from = k ? h->cp[k - 1].index : 0, to = k < h->ncp ? h->cp[k].index : h->n;
		double level = k < h->ncp ? h->cp[k].before : h->ncp ? h->cp[k - 1].after : NAN;
		if (!isnan(level))
			fprintf(ps.df, "%g %.9g\n%g %.9g\n\n", from + 0.5, level * scale, to + 0.5, level * scale);
	}
	for (size_t k = 0; k < h->ncp; k++)
		fprintf(ps.bf, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 2 lc rgb '#c62828'\n",
			h->cp[k].index + 0.5, h->cp[k].index + 0.5);
	fprintf(ps.bf, "set xlabel 'label (in the order the runs started)'\nset ylabel '%s%s'\n"
		       "set xtics rotate by 45 right\nset offsets 0.5, 0.5, 0, 0\nset key inside top left box opaque\n",
		h->metric, rate ? " (%)" : ns ? " (ms)" : "");
	fprintf(ps.bf, "plot 'history.dat' index 0 using 1:2:xtic(3) with linespoints pt 7 ps 0.7 lc rgb '%s' "
		       "title '%s'", plot_palette[0], "one value per run");
	if (h->ncp)
		fprintf(ps.bf, ", \\\n     'history.dat' index 1 using 1:2 with lines lw 3 lc rgb '#c62828' "
			       "title 'level (median) between change points'");
	fputc('\n', ps.bf);
	plot_end(p, &ps, "history", "History, change points dashed", h->n > 0);
}

int history_document(const struct history *h, const struct doc_options *o)
{
	struct doc doc;
	struct plotter p;
	char rel[256], title[600];
	struct table *t;

	if (document_open(o, &doc, &p, rel, sizeof(rel)))
		return -1;
	plot_trend(&p, h);
	snprintf(title, sizeof(title), "pinbench history: %s, %s on %s", h->metric, name_of(h) ? name_of(h) : "?",
		 h->n ? h->r[0].host : "?");
	doc_begin(&doc, title);
	if (h->ncp)
		doc_callout(&doc, "bad", "%zu change point(s) in %zu runs; the first at label %s (%+.1f%%, p %.3g).",
			    h->ncp, h->n, h->r[h->cp[0].index].label, 100 * change_of(&h->cp[0]), h->cp[0].p);
	else
		doc_callout(&doc, "good", "No change point in %zu runs.", h->n);
	if (p.note[0])
		doc_callout(&doc, "note", "%s", p.note);
	if (h->mixed.n)
		doc_callout(&doc, "bad", "The series pools runs of %zu different scenarios (by content; --force): "
			    "the first of what they differ in is %s (%s -> %s).", scenarios_of(h), h->mixed.d[0].key,
			    h->mixed.d[0].base, h->mixed.d[0].cand);
	doc_plot(&doc, "history");
	doc_para(&doc, "Change points by E-divisive (energy statistic, bisection), each tested with %u permutations "
		 "(seed %llu) at alpha %g; a level holds at least %zu runs. Database: %s.", h->params.permutations,
		 (unsigned long long)h->params.seed, h->params.alpha, h->params.min_size, h->url);
	if (h->ncp) {
		doc_heading(&doc, 1, "Change points");
		doc_table(&doc, t = change_table(h));
		table_free(t);
	}
	doc_heading(&doc, 1, "Series");
	doc_table(&doc, t = series_table(h));
	table_free(t);
	return document_close(o, &doc, &p);
}
