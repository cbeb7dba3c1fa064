#include "config.h"
#include "report_doc.h"
#include "compare.h"
#include "log.h"
#include "stats.h"
#include "units.h"
#include "util.h"
#include "report_view.h"
#include "compare_view.h"
#include "files.h"
#include "warnings.h"

#include <dirent.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int document_open(const struct doc_options *o, struct doc *doc, struct plotter *p, char *plots_rel, size_t len)
{
	char dir[4200];
	const char *slash = strrchr(o->path, '/'), *dot = strrchr(o->path, '.');
	int stem = dot && (!slash || dot > slash) ? (int)(dot - o->path) : (int)strlen(o->path);

	/* the document's directory must exist: a typo in it is not a
	 * reason to create a tree of directories */
	char parent[4200];
	struct stat st;
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - o->path) + (slash == o->path) : 1,
		 slash ? o->path : ".");
	if (stat(parent, &st) || !S_ISDIR(st.st_mode)) {
		pb_err("%s: the directory %s does not exist", o->path, parent);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s-plots", stem, o->path);
	snprintf(plots_rel, len, "%s", basename(dir));
	if (plotter_init(p, dir, o->png)) {
		pb_err("cannot create %s", dir);
		return -1;
	}
	memset(doc, 0, sizeof(*doc));
	doc->fmt = o->fmt;
	doc->plots = p;
	doc->plots_rel = plots_rel;
	doc->f = open_atomic(o->path);
	if (!doc->f) {
		pb_err("cannot write %s", o->path);
		plotter_free(p);
		return -1;
	}
	return 0;
}

int document_close(const struct doc_options *o, struct doc *doc, struct plotter *p)
{
	if (p->note[0])
		pb_warn("%s", p->note);
	doc_end(doc);
	int ret = close_atomic(o->path, doc->f);
	if (!ret)
		printf("%s (%zu plot(s) in %s)\n", o->path, p->nimages, p->dir);
	plotter_free(p);
	return ret ? -1 : 0;
}

static const char *base_name(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s", (int)n, path);
	return basename(buf);
}

static bool has_file(const char *dir, const char *name)
{
	char path[4600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* The run directory whose vmstat.csv to draw: path itself, or the first
 * run directory inside it. */
static bool first_run_dir(const char *path, char *buf, size_t len)
{
	DIR *d;
	struct dirent *de;
	char *best = NULL;

	if (has_file(path, "vmstat.csv")) {
		snprintf(buf, len, "%s", path);
		return true;
	}
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char sub[4400];
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_name[0] != '.' && has_file(sub, "vmstat.csv") && (!best || strcmp(sub, best) < 0)) {
			free(best);
			best = xstrdup(sub);
		}
	}
	if (d)
		closedir(d);
	if (best)
		snprintf(buf, len, "%s", best);
	free(best);
	return best != NULL;
}

static void one_run_summary(struct doc *doc, const struct dataset *d, double alpha)
{
	const struct metric *lat = dataset_metric(d, "pin_latency"), *fail = dataset_metric(d, "failure_rate");
	const struct metric *gbps = dataset_metric(d, "pin_throughput"), *mig = dataset_metric(d, "vmstat.pgmigrate_success");
	char a[32], b[32], c[32], p99[32];

	if (fail && fail->events)
		doc_callout(doc, "bad", "%lu of %lu pins failed (%.3g%%).", (unsigned long)fail->events,
			    (unsigned long)fail->trials, 100.0 * (double)fail->events / (double)fail->trials);
	else if (fail)
		doc_callout(doc, "good", "All %lu pins succeeded.", (unsigned long)fail->trials);
	if (lat && lat->n) {
		double lo, hi;
		quantile_ci(lat->v, lat->n, 0.5, alpha, &lo, &hi);
		format_value(gsl_stats_quantile_from_sorted_data(lat->v, 1, lat->n, 0.5), lat->unit, a, sizeof(a));
		format_value(lo, lat->unit, b, sizeof(b));
		format_value(hi, lat->unit, c, sizeof(c));
		format_value(gsl_stats_quantile_from_sorted_data(lat->v, 1, lat->n, 0.99), lat->unit, p99, sizeof(p99));
		doc_item(doc, "Median pin latency %s [%s, %s] over %zu pins in %zu run(s); p99 %s.", a, b, c, lat->n,
			 d->nruns, p99);
	}
	if (gbps && gbps->n) {
		format_value(gsl_stats_quantile_from_sorted_data(gbps->v, 1, gbps->n, 0.5), gbps->unit, a, sizeof(a));
		doc_item(doc, "Median throughput of a pin: %s.", a);
	}
	if (mig && mig->nruns)
		doc_item(doc, "Pages migrated (pgmigrate_success) per run: median %.0f.",
			 gsl_stats_quantile_from_sorted_data(mig->runs, 1, mig->nruns, 0.5));
}

/* The verdicts first: the rows of each kind (compare's own), what
 * regressed and improved, and why undecided rows are. */
static void comparison_summary(struct doc *doc, const struct comparison *c, const char *label)
{
	size_t count[VERDICT_KINDS] = { 0 }, o = 0, os = 0;
	char line[2048] = "", pct[80], kinds[600] = "", why[400];

	for (size_t i = 0; i < c->n; i++) {
		const struct metric_comparison *r = &c->m[i];
		count[r->outcome]++;
		if ((r->regressed || r->improved) && o < sizeof(line) - 200) {
			compare_change_words(r, pct, sizeof(pct));
			appendf(line, sizeof(line), &o, "%s%s %s ", o ? "; " : "", r->name,
				r->regressed ? "regressed" : "improved");
			if (r->kind == METRIC_RATE) /* the two rates, then the change */
				appendf(line, sizeof(line), &o, "%.3g%% -> %.3g%% (%s)", 100 * r->base_median,
					100 * r->cand_median, pct);
			else
				appendf(line, sizeof(line), &o, "%s", pct);
		}
	}
	for (size_t k = 0; k < VERDICT_KINDS; k++)
		if (count[k] || k <= VERDICT_IMPROVED)
			appendf(kinds, sizeof(kinds), &os, "%s%zu %s", os ? ", " : "", count[k], verdict_kind_names[k]);
	doc_callout(doc, count[VERDICT_REGRESSED] ? "bad" : count[VERDICT_IMPROVED] ? "good" : NULL,
		    "%s against the base: %s%s%s", label, kinds, o ? ". " : ".", line);
	compare_undecided_reason(c, why, sizeof(why));
	if (*why)
		doc_callout(doc, "note", "%s: %s.", label, why);
}

/* What compare prints around its tables, in the document too: the
 * warnings (warm-up, tails) and what differs between the sides. */
static void comparison_notes(struct doc *doc, const struct comparison *c)
{
	static const char *const head[] = { "what differs", "base", "candidate" };
	struct warnings w = { 0 };

	warnings_of_comparison(c, &w);
	for (size_t i = 0; i < w.n; i++)
		doc_callout(doc, "note", "%s", w.text[i]);
	warnings_free(&w);
	if (!c->differences.n)
		return;
	struct table *t = table_new(head, ARRAY_SIZE(head));
	for (size_t i = 0; i < c->differences.n; i++) {
		const struct difference *d = &c->differences.d[i];
		table_row(t);
		char base[64], cand[64];
		table_cell(t, "%s%s", d->key, d->refuse ? " (not the same test)" : "");
		table_cell(t, "%s", difference_text(d, d->base, base, sizeof(base)));
		table_cell(t, "%s", difference_text(d, d->cand, cand, sizeof(cand)));
	}
	table_wrap(t);
	doc_table(doc, t);
	table_free(t);
}

static void environment_tables(struct doc *doc, json_t *kernel, json_t *knobs)
{
	static const char *const kh[] = { "kernel", "" }, *const nh[] = { "knob", "value" };
	struct table *t = table_new(kh, 2);
	const char *keys[] = { "release", "version", "cmdline", "machine" }, *k;
	json_t *v;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		table_row(t);
		table_cell(t, "%s", keys[i]);
		table_cell(t, "%s", json_string_value(json_object_get(kernel, keys[i])) ?: "-");
	}
	doc_table(doc, t);
	table_free(t);
	t = table_new(nh, 2);
	json_object_foreach(knobs, k, v) {
		table_row(t);
		table_cell(t, "%s", k);
		table_cell(t, "%s", json_string_value(v) ?: "-");
	}
	doc_table(doc, t);
	table_free(t);
}

/* A JSON scalar as a cell: a *_bytes or *_size value as a size. */
static void json_cell(struct table *t, const char *key, const json_t *v)
{
	char buf[32];

	if (json_is_integer(v) && key_is_size(key) && json_integer_value(v) >= 0) {
		format_size((uint64_t)json_integer_value(v), buf, sizeof(buf));
		table_cell(t, "%s", buf);
	} else if (json_is_string(v)) {
		table_cell(t, "%s", json_string_value(v));
	} else {
		char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		table_cell(t, "%s", text ? text : "-");
		free(text);
	}
}

/* An array of objects (zones, nodes) as a table, a column a key of the
 * first; an object as rows of key and value, its arrays of objects as
 * tables of their own below. */
static void json_tables(struct doc *doc, const char *title, const json_t *v)
{
	const char *key;
	json_t *item, *val;
	size_t i;

	if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
		const char **head = xcalloc(json_object_size(json_array_get(v, 0)) + 1, sizeof(*head));
		size_t nc = 0;
		json_object_foreach(json_array_get(v, 0), key, val)
			head[nc++] = key;
		struct table *t = table_new(head, nc);
		json_array_foreach(v, i, item) {
			table_row(t);
			for (size_t c = 0; c < nc; c++)
				json_cell(t, head[c], json_object_get(item, head[c]));
		}
		doc_para(doc, "%s:", title);
		doc_table(doc, t);
		table_free(t);
		free(head);
		return;
	}
	if (!json_is_object(v))
		return;
	static const char *const kv[] = { "", "" };
	struct table *t = table_new(kv, 2);
	json_object_foreach((json_t *)v, key, val)
		if (!json_is_array(val) || !json_is_object(json_array_get(val, 0))) {
			table_row(t);
			table_cell(t, "%s%s%s", title, *title ? " " : "", key);
			json_cell(t, key, val);
		}
	if (table_rows(t))
		doc_table(doc, t);
	table_free(t);
	json_object_foreach((json_t *)v, key, val)
		if (json_is_array(val) && json_is_object(json_array_get(val, 0)))
			json_tables(doc, key, val);
}

void document_environment(struct doc *doc, json_t *run_json)
{
	if (!run_json)
		return;
	environment_tables(doc, json_object_get(run_json, "kernel"), json_object_get(run_json, "knobs"));
	json_t *memory = json_object_get(run_json, "memory");
	doc_para(doc, "Memory zones and blocks, as the run saw them:");
	json_tables(doc, "", json_object_get(memory, "memory_blocks"));
	json_tables(doc, "zones", json_object_get(memory, "zones"));
	doc_para(doc, "Topology:");
	json_tables(doc, "", json_object_get(run_json, "topology"));
	const char *text = json_string_value(json_object_get(json_object_get(run_json, "scenario"), "text"));
	if (text) {
		doc_heading(doc, 2, "Scenario");
		doc_pre(doc, text);
	}
}

static void draw_plots(struct plotter *p, struct dataset *d, size_t n, const char *const *labels,
		       const struct comparison *c, double alpha)
{
	char name[32], title[300], dir[4200];

	plot_cdf(p, d, n, labels);
	plot_histogram(p, d, n, labels);
	plot_nodes(p, d, n, labels, alpha);
	for (size_t k = 1; k < n; k++) {
		snprintf(name, sizeof(name), "changes-%zu", k);
		snprintf(title, sizeof(title), "%s against %s: change of the median", labels[k], labels[0]);
		plot_changes(p, &c[k - 1], name, title);
	}
	for (size_t k = 0; k < n; k++) {
		if (!first_run_dir(d[k].path, dir, sizeof(dir)))
			continue;
		snprintf(name, sizeof(name), "vmstat-%zu", k);
		snprintf(title, sizeof(title), "%s: kernel counters over time", labels[k]);
		plot_vmstat(p, dir, name, title);
	}
}

static void write_body(struct doc *doc, struct dataset *d, size_t n, const char *const *labels,
		       struct comparison *c, double alpha)
{
	char what[512], name[32];

	doc_heading(doc, 1, "Summary");
	if (n == 1)
		one_run_summary(doc, &d[0], alpha);
	for (size_t k = 1; k < n; k++)
		comparison_summary(doc, &c[k - 1], labels[k]);
	for (size_t k = 0; k < n; k++) {
		dataset_describe(&d[k], what, sizeof(what));
		doc_item(doc, "%s%s", n > 1 ? (k ? "candidate: " : "base: ") : "", what);
		if (d[k].incomplete)
			doc_callout(doc, "note", "%s is INCOMPLETE: the run was interrupted.", labels[k]);
	}
	if (doc->plots->note[0])
		doc_callout(doc, "note", "%s", doc->plots->note);
	doc_heading(doc, 1, "Pin latency");
	doc_plot(doc, "cdf");
	doc_plot(doc, "histogram");
	doc_plot(doc, "nodes");
	if (n > 1) {
		doc_heading(doc, 1, "Comparison");
		doc_para(doc, "alpha %g; p (Holm) adjusts across the metrics of each candidate.", alpha);
		struct table *t = compare_overview_table(c, n - 1);
		doc_table(doc, t);
		table_free(t);
		for (size_t k = 1; k < n; k++) {
			snprintf(name, sizeof(name), "changes-%zu", k);
			doc_heading(doc, 2, "%s against %s", labels[k], labels[0]);
			doc_plot(doc, name);
			doc_para(doc, "Green improved, red regressed, blue changed without a better side, purple "
				 "undecided (too few runs), grey without significant change; gauges (vmstat.nr_*) are "
				 "not drawn: their change is one of level.");
			comparison_notes(doc, &c[k - 1]);
			t = compare_detail_table(&c[k - 1]);
			doc_table(doc, t);
			table_free(t);
		}
	}
	for (size_t k = 0; k < n; k++) {
		char heading[300];
		snprintf(heading, sizeof(heading), "%s: every metric", labels[k]);
		report_metrics(doc, 1, heading, &d[k], alpha);
		snprintf(name, sizeof(name), "vmstat-%zu", k);
		doc_plot(doc, name);
		if (d[k].run_json) {
			doc_heading(doc, 2, "Environment");
			document_environment(doc, d[k].run_json);
		}
	}
}

int report_document(const struct doc_options *o, struct dataset *d, size_t n)
{
	struct doc doc;
	struct plotter p;
	char rel[256], title[600];
	char (*names)[256] = xcalloc(n, sizeof(*names));
	const char **labels = xcalloc(n, sizeof(*labels));
	struct comparison *c = xcalloc(n, sizeof(*c));
	int ret = -1;

	for (size_t k = 0; k < n; k++)
		labels[k] = base_name(d[k].path, names[k], sizeof(names[k]));
	if (document_open(o, &doc, &p, rel, sizeof(rel)))
		goto out;
	compare_candidates(&d[0], d + 1, n - 1, o->alpha, o->correction, c);
	draw_plots(&p, d, n, labels, c, o->alpha);
	if (n == 1)
		snprintf(title, sizeof(title), "pinbench report: %s", labels[0]);
	else
		snprintf(title, sizeof(title), "pinbench comparison: %s (base) and %zu candidate(s)", labels[0], n - 1);
	doc_begin(&doc, title);
	write_body(&doc, d, n, labels, c, o->alpha);
	ret = document_close(o, &doc, &p);
out:
	for (size_t k = 1; k < n; k++)
		comparison_free(&c[k - 1]);
	free(c);
	free(labels);
	free(names);
	return ret;
}
