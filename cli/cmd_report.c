/* pinbench report RUN...: every metric of each run directory (or sample
 * file) with distribution-free confidence intervals, and how much the
 * runs differ from one another. */
#include "config.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "stats.h"
#include "table.h"
#include "views.h"
#include "report_doc.h"
#include "capacity.h"
#include "util.h"
#include "log.h"

#include <getopt.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinbench report RUN [RUN...] [--format text|markdown|json] [--alpha A]\n"
	"                       [--correction C] [--warmup N] [--force] [--column NAME]\n"
	"                       [--all-counters] [-o FILE]\n"
	"       pinbench report RUN [RUN...] --html FILE | --markdown FILE [--png]\n"
	"\n"
	"RUN: a run directory, a directory of run directories (pooled), a file with\n"
	"one number per line, a CSV file with --column, or a capacity sweep directory.\n"
	"With --html or --markdown: one document with the verdicts first (several RUNs\n"
	"are compared with the first), plots (gnuplot; written to FILE's stem + -plots/\n"
	"with their .gp and .dat), every metric, the environment and the scenario.\n"
	"  -f, --format F          text (default), markdown or json\n"
	ANALYSIS_USAGE
	"  -o, --output FILE       write there instead of stdout\n"
	"  -W, --html FILE         a self-contained HTML document (plots inlined)\n"
	"  -M, --markdown FILE     a Markdown document, plots beside it\n"
	"      --png               PNG plots instead of SVG\n";

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

static void print_text(FILE *f, const struct dataset *d, size_t n, double alpha, bool markdown)
{
	char what[512];

	for (size_t k = 0; k < n; k++) {
		dataset_describe(&d[k], what, sizeof(what));
		fprintf(f, "%s%s\n\n", markdown ? "### " : "", what);
		fprintf(f, "Intervals: %g%%, order statistics (binomial) for percentiles, Wilson for rates.\n\n",
			100 * (1 - alpha));
		struct table *t = report_values_table(&d[k], alpha);
		table_print(t, f, markdown, false);
		table_free(t);
		fputc('\n', f);
		t = report_rates_table(&d[k], alpha);
		table_print(t, f, markdown, false);
		table_free(t);
		if (d[k].nruns >= 2) {
			fprintf(f, "\n%sSpread between runs\n\n", markdown ? "#### " : "");
			t = report_runs_table(&d[k]);
			table_print(t, f, markdown, false);
			table_free(t);
		}
		if (k + 1 < n)
			fputc('\n', f);
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

static void print_json(FILE *f, const struct dataset *d, size_t n, double alpha)
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
	json_t *root = json_pack("{s:i, s:f, s:o}", "schema_version", 1, "alpha", alpha, "reports", sets);
	analysis_print_json(f, root);
}

struct report_args { /* a first: report_option gets it */
	struct analysis_args a;
	struct doc_options doc;
};

static int report_option(struct analysis_args *a, int opt, const char *arg)
{
	struct report_args *r = (struct report_args *)a;

	switch (opt) {
	case 'W':
	case 'M':
		if (r->doc.path)
			return analysis_usage(usage, "give one of --html and --markdown"), -1;
		r->doc.path = arg;
		r->doc.fmt = opt == 'W' ? DOC_HTML : DOC_MARKDOWN;
		return 0;
	case 'P':
		r->doc.png = true;
		return 0;
	default:
		return analysis_option(&r->a, opt, arg, usage);
	}
}

static int print_report(const struct analysis_args *a, struct dataset *d, size_t n)
{
	int ret;
	FILE *f = analysis_open_output(a, &ret);

	if (!f)
		return ret;
	if (!strcmp(a->format, "json"))
		print_json(f, d, n, a->alpha);
	else
		print_text(f, d, n, a->alpha, !strcmp(a->format, "markdown"));
	return analysis_close_output(a, f);
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		ANALYSIS_LONGOPTS, { "output", required_argument, NULL, 'o' }, { "html", required_argument, NULL, 'W' },
		{ "markdown", required_argument, NULL, 'M' }, { "png", no_argument, NULL, 'P' }, { 0 },
	};
	struct report_args r = { .a = { .alpha = 0.05, .format = "text", .load.allow_incomplete = true } };
	int ret = analysis_parse(argc, argv, "f:a:c:o:W:M:h", longopts, report_option, usage, 1,
				 "needs at least one RUN", &r.a);

	if (ret >= 0)
		return ret;
	argc -= optind;
	argv += optind;
	r.doc.alpha = r.a.alpha;
	r.doc.correction = r.a.correction;
	if (r.doc.path && argc == 1 && capacity_is_sweep(argv[0]))
		return capacity_document(&r.doc, argv[0]) ? 2 : 0;

	for (int k = 0; k < argc && !r.a.load.force; k++)
		if (capacity_is_sweep(argv[k])) {
			pb_err("%s is a capacity sweep: its points pinned different sizes and are not pooled; read it with "
			       "pinbench report %s --html FILE (or pinbench capacity), or one point alone", argv[k], argv[k]);
			return 2;
		}
	struct dataset *d = xcalloc((size_t)argc, sizeof(*d));
	ret = analysis_load_all(&r.a, argv, (size_t)argc, d);
	if (!ret && r.doc.path)
		ret = report_document(&r.doc, d, (size_t)argc) ? 2 : 0;
	else if (!ret)
		ret = print_report(&r.a, d, (size_t)argc);
	for (int k = 0; k < argc; k++)
		dataset_free(&d[k]);
	free(d);
	return ret;
}
