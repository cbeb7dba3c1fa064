#include "config.h"
#include "report_view.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

static const struct {
	const char *name;
	double q;
} quantiles[] = { { "p50", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 }, { "p999", 0.999 } };

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* "42.1 ms [41.0 ms, 43.3 ms]"; an unbounded side shows as "-". */
static void value_with_ci(double v, double lo, double hi, const char *unit, char *buf, size_t len)
{
	char a[24], b[24], c[24];

	format_value(v, unit, a, sizeof(a));
	format_value(lo, unit, b, sizeof(b));
	format_value(hi, unit, c, sizeof(c));
	snprintf(buf, len, "%s [%s, %s]", a, b, c);
}

/* A gauge's (nr_*) values are changes of a level, about 0: their spread
 * relative to their mean says nothing. */
static void cv_cell(struct table *t, const struct metric *m, double cv)
{
	if (isnan(cv) || metric_is_gauge(m))
		table_cell(t, "-");
	else
		table_cell(t, "%.1f%%", 100 * cv);
}

struct table *report_values_table(const struct dataset *d, double alpha)
{
	static const char *const head[] = { "metric", "n", "mean", "stddev", "CV", "min",
					    "p50 [CI]", "p90 [CI]", "p99 [CI]", "p99.9 [CI]", "max" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char buf[96];

	for (size_t i = 0; i < d->nm; i++) {
		const struct metric *m = &d->m[i];
		struct describe s;
		if (m->kind != METRIC_VALUES)
			continue;
		describe_sorted(m->v, m->n, &s);
		table_row(t);
		table_cell(t, "%s", m->name);
		table_cell(t, "%zu", m->n);
		double plain[] = { s.mean, s.stddev };
		for (size_t k = 0; k < 2; k++) {
			format_value(plain[k], m->unit, buf, sizeof(buf));
			table_cell(t, "%s", buf);
		}
		cv_cell(t, m, s.cv);
		format_value(s.min, m->unit, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		for (size_t k = 0; k < ARRAY_SIZE(quantiles); k++) {
			double lo, hi, v = (&s.p50)[k];
			quantile_ci(m->v, m->n, quantiles[k].q, alpha, &lo, &hi);
			value_with_ci(v, lo, hi, m->unit, buf, sizeof(buf));
			table_cell(t, "%s", buf);
		}
		format_value(s.max, m->unit, buf, sizeof(buf));
		table_cell(t, "%s", buf);
	}
	return t;
}

struct table *report_rates_table(const struct dataset *d, double alpha)
{
	static const char *const head[] = { "metric", "events", "trials", "rate [Wilson CI]" };
	struct table *t = table_new(head, ARRAY_SIZE(head));

	for (size_t i = 0; i < d->nm; i++) {
		const struct metric *m = &d->m[i];
		double lo, hi;
		if (m->kind != METRIC_RATE)
			continue;
		wilson_ci(m->events, m->trials, alpha, &lo, &hi);
		table_row(t);
		table_cell(t, "%s", m->name);
		table_cell(t, "%lu", (unsigned long)m->events);
		table_cell(t, "%lu", (unsigned long)m->trials);
		table_cell(t, "%.3g%% [%.3g%%, %.3g%%]", 100.0 * (double)m->events / (double)m->trials, 100 * lo,
			   100 * hi);
	}
	return t;
}

/* The spread of per-run medians: what a comparison between kernels (one
 * boot each) has to beat. */
struct table *report_runs_table(const struct dataset *d)
{
	static const char *const head[] = { "metric (one value per run)", "runs", "median", "min", "max",
					    "stddev", "CV" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char buf[64];

	for (size_t i = 0; i < d->nm; i++) {
		const struct metric *m = &d->m[i];
		struct describe s;
		if (m->kind != METRIC_VALUES || !strncmp(m->name, "vmstat.", 7))
			continue;
		describe_sorted(m->runs, m->nruns, &s);
		table_row(t);
		table_cell(t, "%s", m->name);
		table_cell(t, "%zu", m->nruns);
		double v[] = { s.p50, s.min, s.max, s.stddev };
		for (size_t k = 0; k < ARRAY_SIZE(v); k++) {
			format_value(v[k], m->unit, buf, sizeof(buf));
			table_cell(t, "%s", buf);
		}
		cv_cell(t, m, s.cv);
	}
	return t;
}

/* A table with rows, then frees it: a run whose every pin failed has no
 * latency to tabulate, and an empty table says nothing. */
static void table_shown(struct doc *doc, struct table *t)
{
	if (table_rows(t))
		doc_table(doc, t);
	table_free(t);
}

/* A count, or "-" where the file had none. */
static void count_cell(struct table *t, int64_t v)
{
	if (v < 0)
		table_cell(t, "-");
	else
		table_cell(t, "%" PRId64, v);
}

static bool any_failure(const struct dataset *d)
{
	for (size_t i = 0; i < d->nfailures; i++)
		if (d->failures[i].failures > 0 || d->failures[i].unpinnable > 0)
			return true;
	return false;
}

/* Why pins failed, run by run: what a kernel developer reads first when
 * pins fail (the errno, whether a migration failed, what the tracepoint
 * saw, whether pinned pages stayed where they must not). */
struct table *report_failures_table(const struct dataset *d)
{
	static const char *const head[] = { "run", "pins", "failed", "by errno", "migration", "THP unsplit",
					    "other", "unattributed", "pages migrated", "pages failed", "THP split",
					    "THP failed", "unpinnable pages", "movable before" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	char buf[24];

	for (size_t i = 0; i < d->nfailures; i++) {
		const struct run_failures *f = &d->failures[i];
		table_row(t);
		table_cell(t, "%s%s", f->where, f->directory ? " (all runs)" : "");
		count_cell(t, f->pins);
		count_cell(t, f->failures);
		table_cell(t, "%s", *f->by_errno ? f->by_errno : "-");
		int64_t counts[] = { f->migration, f->thp, f->other, f->unattributed, f->migrated, f->migrate_failed,
				     f->thp_split, f->thp_failed, f->unpinnable };
		for (size_t k = 0; k < ARRAY_SIZE(counts); k++)
			count_cell(t, counts[k]);
		format_percent(f->movable_fraction, buf, sizeof(buf));
		table_cell(t, "%s", isnan(f->movable_fraction) ? "-" : buf + 1);
	}
	return t;
}

int64_t report_unpinnable_pages(const struct dataset *d)
{
	int64_t pages = 0;

	for (size_t i = 0; i < d->nfailures; i++)
		if (d->failures[i].directory && d->failures[i].unpinnable > 0)
			pages += d->failures[i].unpinnable;
	return pages;
}

void report_failures(struct doc *doc, int level, const struct dataset *d)
{
	int64_t unpinnable = report_unpinnable_pages(d);

	if (!any_failure(d))
		return;
	if (unpinnable)
		doc_callout(doc, "bad", "!!! %" PRId64 " pinned pages were found in ZONE_MOVABLE or CMA: the kernel "
			    "long-term pinned memory that must stay movable. This is a kernel bug. !!!", unpinnable);
	doc_heading(doc, level, "Why pins failed");
	doc_para(doc, "migration: a failed pin during which the migrate tracepoint saw pages fail "
		 "(THP unsplit: a THP neither migrated nor split); other: no migration failed "
		 "(e.g. RLIMIT_MEMLOCK); unattributed: not traced. Pages and THPs: the tracepoint's "
		 "longterm_pin migrations of each run directory.");
	table_shown(doc, report_failures_table(d));
}

void report_metrics(struct doc *doc, int level, const char *heading, const struct dataset *d, double alpha)
{
	doc_heading(doc, level, "%s", heading);
	doc_para(doc, "Intervals: %g%%, order statistics (binomial) for percentiles, Wilson for rates.",
		 100 * (1 - alpha));
	table_shown(doc, report_values_table(d, alpha));
	table_shown(doc, report_rates_table(d, alpha));
	report_failures(doc, level + 1, d);
	struct table *runs = report_runs_table(d);
	if (d->nruns >= 2 && table_rows(runs)) {
		doc_heading(doc, level + 1, "Spread between runs");
		doc_table(doc, runs);
	}
	table_free(runs);
}

void report_print(FILE *f, const struct dataset *d, size_t n, double alpha, bool markdown)
{
	struct doc doc = { .f = f, .fmt = markdown ? DOC_MARKDOWN : DOC_TEXT, .stream = true };
	char what[512];

	for (size_t k = 0; k < n; k++) {
		dataset_describe(&d[k], what, sizeof(what));
		report_metrics(&doc, 2, what, &d[k], alpha);
	}
}

static json_t *describe_json(const double *v, size_t n)
{
	struct describe s;

	describe_sorted(v, n, &s);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)n, "mean", num(s.mean),
			 "stddev", num(s.stddev), "cv", num(s.cv), "min", num(s.min), "median", num(s.p50),
			 "max", num(s.max));
}

static json_t *metric_json(const struct metric *m, double alpha)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "metric", m->name, "unit", m->unit, "better", better_name(m->better));

	if (m->kind == METRIC_RATE) {
		double lo, hi;
		wilson_ci(m->events, m->trials, alpha, &lo, &hi);
		json_object_set_new(o, "rate", json_pack("{s:I, s:I, s:o, s:[o, o]}", "events", (json_int_t)m->events,
				"trials", (json_int_t)m->trials,
				"value", num(m->trials ? (double)m->events / (double)m->trials : NAN),
				"ci", num(lo), num(hi)));
		return o;
	}
	json_object_update_new(o, describe_json(m->v, m->n));
	json_t *q = json_object();
	for (size_t k = 0; k < ARRAY_SIZE(quantiles); k++) {
		double lo, hi;
		quantile_ci(m->v, m->n, quantiles[k].q, alpha, &lo, &hi);
		json_object_set_new(q, quantiles[k].name, json_pack("{s:o, s:[o, o]}", "value",
				num(gsl_stats_quantile_from_sorted_data(m->v, 1, m->n, quantiles[k].q)), "ci", num(lo), num(hi)));
	}
	json_object_set_new(o, "quantiles", q);
	json_object_set_new(o, "between_runs", describe_json(m->runs, m->nruns));
	return o;
}

static json_t *count_json(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *failures_json(const struct dataset *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->nfailures; i++) {
		const struct run_failures *f = &d->failures[i];
		json_array_append_new(a, json_pack("{s:s, s:b, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
						   "s:o, s:o, s:o, s:o}", "run", f->where, "directory", f->directory,
				"pins", count_json(f->pins), "failures", count_json(f->failures), "by_errno", f->by_errno,
				"migration", count_json(f->migration), "thp_unsplit", count_json(f->thp),
				"base_pages", count_json(f->base_pages), "other", count_json(f->other),
				"unattributed", count_json(f->unattributed), "pages_migrated", count_json(f->migrated),
				"pages_failed", count_json(f->migrate_failed), "thp_split", count_json(f->thp_split),
				"thp_failed", count_json(f->thp_failed), "unpinnable_pages", count_json(f->unpinnable),
				"movable_fraction_before", num(f->movable_fraction)));
	}
	return a;
}

json_t *report_json(const struct dataset *d, size_t n, double alpha)
{
	json_t *sets = json_array();

	for (size_t k = 0; k < n; k++) {
		json_t *metrics = json_array();
		for (size_t i = 0; i < d[k].nm; i++)
			json_array_append_new(metrics, metric_json(&d[k].m[i], alpha));
		json_array_append_new(sets, json_pack("{s:s, s:I, s:b, s:O?, s:o, s:o, s:I}", "path", d[k].path,
				"runs", (json_int_t)d[k].nruns, "complete", !d[k].incomplete,
				"kernel", json_object_get(d[k].run_json, "kernel"), "metrics", metrics,
				"failures", failures_json(&d[k]),
				"unpinnable_pages", (json_int_t)report_unpinnable_pages(&d[k])));
	}
	return json_pack("{s:i, s:f, s:o}", "schema_version", 1, "alpha", alpha, "reports", sets);
}
