#include "config.h"
#include "report_view.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
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
		format_percent(s.cv, buf, sizeof(buf));
		table_cell(t, "%s", isnan(s.cv) ? "-" : buf + 1); /* a CV has no sign */
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
		format_percent(s.cv, buf, sizeof(buf));
		table_cell(t, "%s", isnan(s.cv) ? "-" : buf + 1);
	}
	return t;
}

void report_metrics(struct doc *doc, int level, const char *heading, const struct dataset *d, double alpha)
{
	struct table *t;

	doc_heading(doc, level, "%s", heading);
	doc_para(doc, "Intervals: %g%%, order statistics (binomial) for percentiles, Wilson for rates.",
		 100 * (1 - alpha));
	doc_table(doc, t = report_values_table(d, alpha));
	table_free(t);
	doc_table(doc, t = report_rates_table(d, alpha));
	table_free(t);
	if (d->nruns >= 2) {
		doc_heading(doc, level + 1, "Spread between runs");
		doc_table(doc, t = report_runs_table(d));
		table_free(t);
	}
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

json_t *report_json(const struct dataset *d, size_t n, double alpha)
{
	json_t *sets = json_array();

	for (size_t k = 0; k < n; k++) {
		json_t *metrics = json_array();
		for (size_t i = 0; i < d[k].nm; i++)
			json_array_append_new(metrics, metric_json(&d[k].m[i], alpha));
		json_array_append_new(sets, json_pack("{s:s, s:I, s:b, s:O?, s:o}", "path", d[k].path,
				"runs", (json_int_t)d[k].nruns, "complete", !d[k].incomplete,
				"kernel", json_object_get(d[k].run_json, "kernel"), "metrics", metrics));
	}
	return json_pack("{s:i, s:f, s:o}", "schema_version", 1, "alpha", alpha, "reports", sets);
}
