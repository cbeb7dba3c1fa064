#include "config.h"
#include "history.h"
#include "document.h"
#include "plot.h"
#include "stats.h"
#include "table.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void check_detectable(struct history *h)
{
	h->smallest_p = cp_smallest_p(h->n, &h->params);
	h->runs_to_detect = 0;
	if (h->smallest_p < h->params.alpha)
		return;
	for (size_t n = h->n + 1; n <= 1000 && !h->runs_to_detect; n++)
		if (cp_smallest_p(n, &h->params) < h->params.alpha)
			h->runs_to_detect = n;
}

static bool in_series(const struct history *h, const struct stored_run *r, bool *same_identity)
{
	*same_identity = false;
	for (size_t i = 0; i < h->n; i++) {
		if (h->r[i].id == r->id)
			return true;
		*same_identity = *same_identity || !strcmp(h->r[i].identity, r->identity);
	}
	return false;
}

static bool in_left(const struct history *h, const struct stored_run *r)
{
	for (size_t i = 0; i < h->left_out; i++)
		if (h->left[i].id == r->id)
			return true;
	return false;
}

/* The leading directories all sources share: what tells the runs apart
 * is the rest (a guest's run directories are all named "run"). */
static size_t shared_directories(const struct history *h)
{
	if (!h->n)
		return 0;
	const char *first = h->r[0].source;
	size_t len = strlen(first);
	for (size_t i = 1; i < h->n; i++) {
		size_t k = 0;
		while (k < len && first[k] == h->r[i].source[k])
			k++;
		len = k;
	}
	while (len > 0 && first[len - 1] != '/')
		len--;
	return h->n > 1 ? len : 0;
}

static void leave_out(struct history *h, struct stored_run *r, const char *why)
{
	h->left = xrealloc(h->left, (h->left_out + 1) * sizeof(*h->left));
	h->left_why = xrealloc(h->left_why, (h->left_out + 1) * sizeof(*h->left_why));
	h->left[h->left_out] = *r;
	h->left_why[h->left_out++] = why;
	memset(r, 0, sizeof(*r));
}

/* The runs of the series' scenarios (and window) that have no value of
 * the metric: every pin failed, so no latency was stored. */
static int account_for_runs(struct history *h, struct db *db, char *err, size_t errlen)
{
	struct run_filter f = h->filter;
	struct stored_run *all;
	size_t n;

	f.last = 0;
	f.force = true; /* the series already refused what it must */
	if (store_select(db, &f, &all, &n, NULL, err, errlen))
		return -1;
	long long from = h->n ? h->r[0].started_ns : 0;
	for (size_t i = 0; i < n; i++) {
		bool same;
		if (!in_series(h, &all[i], &same) && same && all[i].started_ns >= from && !in_left(h, &all[i]))
			leave_out(h, &all[i], "no value (no successful pin)");
	}
	stored_runs_free(all, n);
	return 0;
}

/* Each level's median, from the values between change points: what the
 * change table says before and after, and what the plot draws. */
static void set_levels(struct history *h)
{
	double *v = xcalloc(h->n + 1, sizeof(*v));

	for (size_t k = 0; k <= h->ncp; k++) {
		size_t from = k ? h->cp[k - 1].index : 0, to = k < h->ncp ? h->cp[k].index : h->n;
		for (size_t i = from; i < to; i++)
			v[i - from] = h->r[i].value;
		sort_doubles(v, to - from);
		double level = gsl_stats_median_from_sorted_data(v, 1, to - from);
		if (k < h->ncp)
			h->cp[k].before = level;
		if (k)
			h->cp[k - 1].after = level;
	}
	free(v);
}

int history_load(struct history *h, struct db *db, char *err, size_t errlen)
{
	if (store_series(db, &h->filter, h->metric, &h->r, &h->n, &h->mixed, err, errlen))
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (isnan(h->r[i].value)) {
			leave_out(h, &h->r[i], "the value is undefined");
			continue;
		}
		h->r[k++] = h->r[i];
	}
	h->n = k;
	if (h->n && account_for_runs(h, db, err, errlen))
		return -1;
	double *v = xcalloc(h->n + 1, sizeof(*v));
	for (size_t i = 0; i < h->n; i++)
		v[i] = h->r[i].value;
	h->ncp = cp_find(v, h->n, &h->params, &h->cp);
	free(v);
	set_levels(h);
	check_detectable(h);
	h->source_skip = shared_directories(h);
	return 0;
}

void history_free(struct history *h)
{
	stored_runs_free(h->r, h->n);
	stored_runs_free(h->left, h->left_out);
	free(h->left_why);
	differences_free(&h->mixed);
	free(h->cp);
	h->r = h->left = NULL;
	h->left_why = NULL;
	h->cp = NULL;
	h->n = h->ncp = h->left_out = 0;
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

/* A run as the tables and plots tell it apart: its source path less the
 * directories every run of the series shares. */
static const char *run_name(const struct history *h, const struct stored_run *r)
{
	bool shared = h->n && !strncmp(r->source, h->r[0].source, h->source_skip);

	return shared && r->source[h->source_skip] ? r->source + h->source_skip : r->source;
}

/* "too few runs to detect a step: ..." when no step in the series could
 * reach alpha, else "". */
static void detectable_note(const struct history *h, char *buf, size_t len)
{
	*buf = 0;
	if (h->smallest_p < h->params.alpha)
		return;
	size_t o = 0;
	appendf(buf, len, &o, "too few runs to detect a step: ");
	if (h->n < 2 * h->params.min_size)
		appendf(buf, len, &o, "%zu runs hold no split of at least %zu runs a level", h->n, h->params.min_size);
	else
		appendf(buf, len, &o, "with %zu runs the permutation test's p is at least %.3g, alpha %g", h->n,
			h->smallest_p, h->params.alpha);
	if (h->runs_to_detect)
		appendf(buf, len, &o, "; %zu runs can", h->runs_to_detect);
}

static json_t *left_json(const struct history *h)
{
	json_t *a = json_array();

	for (size_t i = 0; i < h->left_out; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "label", h->left[i].label, "started",
						   h->left[i].started, "run_id", h->left[i].run_id, "source",
						   h->left[i].source, "why", h->left_why[i]));
	return a;
}

json_t *history_json(const struct history *h)
{
	json_t *series = json_array(), *cps = json_array();

	for (size_t i = 0; i < h->n; i++)
		json_array_append_new(series, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "index", (json_int_t)(i + 1),
							"label", h->r[i].label, "started", h->r[i].started, "run_id",
							h->r[i].run_id, "source", h->r[i].source, "value",
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
	char note[300];
	detectable_note(h, note, sizeof(note));
	json_object_set_new(j, "left_out_runs", left_json(h));
	json_object_set_new(j, "smallest_p", num(h->smallest_p));
	json_object_set_new(j, "too_few_runs", *note ? json_string(note) : json_null());
	json_object_set_new(j, "runs_to_detect", h->runs_to_detect ? json_integer((json_int_t)h->runs_to_detect)
								   : json_null());
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
		table_cell(t, "%s", run_name(h, &h->r[i]));
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
	char note[300];
	detectable_note(h, note, sizeof(note));
	if (*note)
		fprintf(f, "NOTE: %s\n", note);
	for (size_t i = 0; i < h->left_out; i++)
		fprintf(f, "left out: %s (%s, %s): %s\n", run_name(h, &h->left[i]), h->left[i].label,
			h->left[i].started, h->left_why[i]);
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

/* Text of the user's (labels, paths): commas and quotes would break the row. */
static void csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
	fputc('"', f);
}

void history_print_csv(const struct history *h, FILE *f)
{
	fprintf(f, "index,label,started,run_id,source,value,change_point_p\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct change_point *cp = change_at(h, i);
		fprintf(f, "%zu,", i + 1);
		csv_quoted(f, h->r[i].label);
		fprintf(f, ",%s,", h->r[i].started);
		csv_quoted(f, h->r[i].run_id);
		fputc(',', f);
		csv_quoted(f, h->r[i].source);
		fprintf(f, ",%.17g,", h->r[i].value);
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
		/* the table's number first: labels (a kernel release) repeat */
		fprintf(ps.df, "%zu %.9g \"", i + 1, h->r[i].value * scale);
		if (i % every == 0)
			fprintf(ps.df, "#%zu ", i + 1);
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
	char note[300];
	detectable_note(h, note, sizeof(note));
	if (*note)
		doc_callout(&doc, "note", "%c%s.", toupper((unsigned char)note[0]), note + 1);
	for (size_t i = 0; i < h->left_out; i++)
		doc_callout(&doc, "note", "Left out: %s (%s, %s): %s.", run_name(h, &h->left[i]), h->left[i].label,
			    h->left[i].started, h->left_why[i]);
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
