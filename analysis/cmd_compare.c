/* pinbench compare BASE CAND [CAND...]: the same metrics side by side,
 * with a verdict per metric and candidate. */
#include "config.h"
#include "util.h"
#include "cmd.h"
#include "analysis_cli.h"
#include "compare.h"
#include "table.h"
#include "views.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinbench compare BASE CAND [CAND...] [--format text|markdown|json] [--alpha A]\n"
	"                        [--column NAME] [--higher-is-better] [--all-counters] [-o FILE]\n"
	"\n"
	"BASE and each CAND: a run directory, a directory of run directories (pooled),\n"
	"a file with one number per line, a CSV file with --column, or runs from the\n"
	"results database: db:URL?scenario=S&host=H&label=L&last=N (see pinbench store).\n"
	"      --baseline BASE     the base side given as an option; then only CANDs follow\n"
	"  -f, --format F          text (default; colour on a terminal), markdown or json\n"
	"  -a, --alpha A           significance level (default 0.05)\n"
	"  -c, --column NAME       read this column of CSV files\n"
	"      --higher-is-better  for plain files and columns (default: lower is better)\n"
	"      --all-counters      every vmstat counter, not only migration-related ones\n"
	"  -o, --output FILE       write there instead of stdout\n";

static enum cell_colour verdict_colour(const struct metric_comparison *r)
{
	return r->regressed ? COLOUR_BAD : r->improved ? COLOUR_GOOD : r->changed ? COLOUR_NOTE : COLOUR_NONE;
}

/* "+3.9% [+1.2, +6.5]" */
static void format_change(const struct change *c, char *buf, size_t len)
{
	char a[16], b[16], r[16];

	format_percent(c->rel, r, sizeof(r));
	if (isnan(c->lo) && isnan(c->hi)) {
		snprintf(buf, len, "%s", r);
		return;
	}
	format_percent(c->lo, a, sizeof(a));
	format_percent(c->hi, b, sizeof(b));
	snprintf(buf, len, "%s [%s, %s]", r, a, b);
}

static void format_shift(const struct metric_comparison *r, char *buf, size_t len)
{
	char s[24], lo[24], hi[24];

	if (isnan(r->hl.shift)) {
		snprintf(buf, len, "-");
		return;
	}
	format_value(r->hl.shift, r->unit, s, sizeof(s));
	format_value(r->hl.lo, r->unit, lo, sizeof(lo));
	format_value(r->hl.hi, r->unit, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s, %s]", s, lo, hi);
}

static void format_centre(const struct metric_comparison *r, bool base, char *buf, size_t len)
{
	double v = base ? r->base_median : r->cand_median;

	if (r->kind == METRIC_RATE && !isnan(v))
		snprintf(buf, len, "%.3g%%", v * 100);
	else
		format_value(v, r->unit, buf, len);
}

struct table *compare_overview_table(struct comparison *c, size_t ncand)
{
	const char **head = xcalloc(1 + 1 + 3 * ncand, sizeof(*head));
	char (*labels)[24] = xcalloc(ncand, sizeof(*labels));
	size_t h = 0;

	head[h++] = "metric (median)";
	head[h++] = "base";
	for (size_t k = 0; k < ncand; k++) {
		snprintf(labels[k], sizeof(labels[k]), "[%zu]", k + 1);
		head[h++] = labels[k];
		head[h++] = "change";
		head[h++] = "verdict";
	}
	struct table *t = table_new(head, h);
	char buf[64];
	for (size_t i = 0; i < c[0].n; i++) {
		table_row(t);
		table_cell(t, "%s", c[0].m[i].name);
		format_centre(&c[0].m[i], true, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		for (size_t k = 0; k < ncand; k++) {
			const struct metric_comparison *r = NULL;
			for (size_t j = 0; j < c[k].n && !r; j++)
				if (!strcmp(c[k].m[j].name, c[0].m[i].name))
					r = &c[k].m[j];
			if (!r) {
				table_cell(t, "-");
				table_cell(t, "-");
				table_cell(t, "only in base");
				continue;
			}
			format_centre(r, false, buf, sizeof(buf));
			table_cell(t, "%s", buf);
			format_percent(r->median.rel, buf, sizeof(buf));
			table_cell(t, "%s", buf);
			table_cell(t, "%s", r->verdict);
			table_colour(t, verdict_colour(r));
		}
	}
	free(head);
	free(labels);
	return t;
}

struct table *compare_detail_table(const struct comparison *c)
{
	static const char *const head[] = {
		"metric", "n", "median change [CI]", "p99 change [CI]", "shift (HL) [CI]", "Cliff's d",
		"p (MWU)", "p (Welch)", "p (Fisher)", "p (Holm)", "verdict",
	};
	struct table *t = table_new(head, sizeof(head) / sizeof(head[0]));
	char buf[128];

	for (size_t i = 0; i < c->n; i++) {
		const struct metric_comparison *r = &c->m[i];
		table_row(t);
		table_cell(t, "%s", r->name);
		table_cell(t, "%zu/%zu%s", r->n_base, r->n_cand, r->per_run ? " runs" : "");
		format_change(&r->median, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		format_change(&r->p99, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		format_shift(r, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		if (isnan(r->mw.cliffs_delta))
			table_cell(t, "-");
		else
			table_cell(t, "%+.2f", r->mw.cliffs_delta);
		double ps[] = { r->mw.p, r->p_welch, r->p_fisher, r->p_adjusted };
		for (size_t k = 0; k < 4; k++) {
			format_p(ps[k], buf, sizeof(buf));
			table_cell(t, "%s", buf);
		}
		table_cell(t, "%s", r->verdict);
		table_colour(t, verdict_colour(r));
	}
	return t;
}

static void print_text(FILE *f, struct comparison *c, size_t ncand, bool markdown, bool colour)
{
	char what[256];
	const char *h = markdown ? "### " : "";

	fprintf(f, "%spinbench compare\n\n", h);
	dataset_describe(c[0].base, what, sizeof(what));
	fprintf(f, "%sbase: %s\n", markdown ? "- " : "  ", what);
	for (size_t k = 0; k < ncand; k++) {
		dataset_describe(c[k].cand, what, sizeof(what));
		fprintf(f, "%s[%zu]: %s\n", markdown ? "- " : "  ", k + 1, what);
	}
	fprintf(f, "\nalpha %g; p (Holm) adjusts across the metrics of each candidate.\n", c[0].alpha);
	for (size_t k = 0; k < ncand; k++) {
		fprintf(f, "%s", markdown ? "- " : "");
		if (c[k].base->nruns >= 2 && c[k].cand->nruns >= 2)
			fprintf(f, "[%zu]: tests on per-run values (%zu vs %zu runs, each run's median)%s\n", k + 1,
				c[k].base->nruns, c[k].cand->nruns,
				c[k].min_p >= c[k].alpha ? "; too few runs to reach alpha: more runs needed" : "");
		else
			fprintf(f, "[%zu]: tests on pooled samples (a side has a single run)\n", k + 1);
	}
	fputc('\n', f);
	struct table *t = compare_overview_table(c, ncand);
	table_print(t, f, markdown, colour);
	table_free(t);
	for (size_t k = 0; k < ncand; k++) {
		fprintf(f, "\n%s[%zu] against base\n%s", h, k + 1, markdown ? "\n" : "");
		t = compare_detail_table(&c[k]);
		table_print(t, f, markdown, colour);
		table_free(t);
	}
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *change_json(const struct change *ch)
{
	return json_pack("{s:o, s:[o, o]}", "relative", num(ch->rel), "ci", num(ch->lo), num(ch->hi));
}

static json_t *comparison_json(const struct comparison *c)
{
	json_t *metrics = json_array();

	for (size_t i = 0; i < c->n; i++) {
		const struct metric_comparison *r = &c->m[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "metric", r->name,
			"unit", r->unit, "better", better_name(r->better),
			"test_unit", r->kind == METRIC_RATE ? "events" : r->per_run ? "runs" : "samples",
			"n_base", (json_int_t)r->n_base, "n_cand", (json_int_t)r->n_cand,
			"base_median", num(r->base_median), "cand_median", num(r->cand_median),
			"base_p99", num(r->base_p99), "cand_p99", num(r->cand_p99));
		json_object_set_new(o, "median_change", change_json(&r->median));
		json_object_set_new(o, "p99_change", change_json(&r->p99));
		json_object_set_new(o, "p_mannwhitney", num(r->mw.p));
		json_object_set_new(o, "mannwhitney_method", isnan(r->mw.p) ? json_null()
						: json_string(r->mw.exact ? "exact" : "asymptotic"));
		json_object_set_new(o, "p_welch", num(r->p_welch));
		json_object_set_new(o, "hodges_lehmann", json_pack("{s:o, s:[o, o]}", "shift", num(r->hl.shift),
						"ci", num(r->hl.lo), num(r->hl.hi)));
		json_object_set_new(o, "cliffs_delta", num(r->mw.cliffs_delta));
		if (r->kind == METRIC_RATE)
			json_object_set_new(o, "events", json_pack("{s:I, s:I, s:I, s:I}",
				"base", (json_int_t)r->base->events, "base_trials", (json_int_t)r->base->trials,
				"cand", (json_int_t)r->cand->events, "cand_trials", (json_int_t)r->cand->trials));
		json_object_set_new(o, "p_fisher", num(r->p_fisher));
		json_object_set_new(o, "p_adjusted", num(r->p_adjusted));
		json_object_set_new(o, "verdict", json_string(r->verdict));
		json_array_append_new(metrics, o);
	}
	return json_pack("{s:s, s:I, s:s, s:o, s:o}", "candidate", c->cand->path,
			 "runs", (json_int_t)c->cand->nruns,
			 "test_unit", c->base->nruns >= 2 && c->cand->nruns >= 2 ? "runs" : "samples",
			 "min_p", num(c->min_p), "metrics", metrics);
}

static void print_json(FILE *f, struct comparison *c, size_t ncand)
{
	json_t *cands = json_array();

	for (size_t k = 0; k < ncand; k++)
		json_array_append_new(cands, comparison_json(&c[k]));
	json_t *root = json_pack("{s:i, s:f, s:s, s:{s:s, s:I}, s:o}", "schema_version", 1, "alpha", c[0].alpha,
				 "holm", "across the metrics of each candidate", "base", "path", c[0].base->path,
				 "runs", (json_int_t)c[0].base->nruns, "candidates", cands);
	analysis_print_json(f, root);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "alpha", required_argument, NULL, 'a' },
		{ "column", required_argument, NULL, 'c' }, { "higher-is-better", no_argument, NULL, 'H' },
		{ "all-counters", no_argument, NULL, 'A' }, { "output", required_argument, NULL, 'o' },
		{ "baseline", required_argument, NULL, 'B' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct analysis_args a = { .alpha = 0.05, .format = "text" };
	int ret = analysis_parse(argc, argv, NULL, longopts, NULL, usage, 2, "needs BASE and at least one CAND", &a);

	if (ret >= 0)
		return ret;
	size_t nops;
	char **ops = analysis_operands(&a, argc, argv, &nops);
	argc = (int)nops;
	argv = ops;

	struct dataset *d = xcalloc((size_t)argc, sizeof(*d));
	struct comparison *c = xcalloc((size_t)argc, sizeof(*c));
	ret = analysis_load_all(&a, argv, (size_t)argc, d);
	FILE *f = ret ? NULL : analysis_open_output(&a, &ret);
	if (f) {
		for (int k = 1; k < argc; k++)
			compare_datasets(&d[0], &d[k], a.alpha, NULL, 0, &c[k - 1]);
		if (!strcmp(a.format, "json"))
			print_json(f, c, (size_t)argc - 1);
		else
			print_text(f, c, (size_t)argc - 1, !strcmp(a.format, "markdown"), !a.output && want_colour(f));
		ret = analysis_close_output(&a, f);
	}
	for (int k = 0; k < argc; k++) {
		if (k)
			comparison_free(&c[k - 1]);
		dataset_free(&d[k]);
	}
	free(c);
	free(d);
	free(ops);
	return ret;
}
