#include "config.h"
#include "compare_view.h"
#include "effect.h"
#include "util.h"
#include "warnings.h"

#include <math.h>
#include <string.h>

static enum cell_colour verdict_colour(const struct metric_comparison *r)
{
	static const enum cell_colour of[VERDICT_KINDS] = {
		[VERDICT_REGRESSED] = COLOUR_BAD, [VERDICT_IMPROVED] = COLOUR_GOOD, [VERDICT_CHANGED] = COLOUR_NOTE,
		[VERDICT_UNDECIDED] = COLOUR_UNDECIDED,
	};
	return of[r->outcome];
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

static const struct metric_comparison *find_row(const struct comparison *c, const char *name)
{
	for (size_t j = 0; j < c->n; j++)
		if (!strcmp(c->m[j].name, name))
			return &c->m[j];
	return NULL;
}

/* One metric: the base (from the first comparison that has it), then
 * each candidate. A comparison without the metric had it on neither
 * side (compare_candidates gives every one each counter that moved). */
static void overview_row(struct table *t, const struct comparison *c, size_t ncand,
			 const struct metric_comparison *first)
{
	char buf[64];

	table_row(t);
	table_cell(t, "%s", first->name);
	format_centre(first, true, buf, sizeof(buf));
	table_cell(t, "%s", buf);
	for (size_t k = 0; k < ncand; k++) {
		const struct metric_comparison *r = find_row(&c[k], first->name);
		if (!r) {
			table_cell(t, "-");
			table_cell(t, "-");
			table_cell(t, "on neither side");
			continue;
		}
		format_centre(r, false, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		compare_change_words(r, buf, sizeof(buf));
		table_cell(t, "%s", buf);
		table_cell(t, "%s", r->verdict);
		table_colour(t, verdict_colour(r));
	}
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
	/* every metric of any comparison, in the first one's order, then the others' */
	for (size_t first = 0; first < ncand; first++)
		for (size_t i = 0; i < c[first].n; i++) {
			const char *name = c[first].m[i].name;
			bool earlier = false;
			for (size_t k = 0; k < first && !earlier; k++)
				earlier = find_row(&c[k], name) != NULL;
			if (!earlier)
				overview_row(t, c, ncand, &c[first].m[i]);
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
		if (r->kind == METRIC_RATE || isnan(r->median.rel))
			compare_change_words(r, buf, sizeof(buf));
		else
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

void compare_change_words(const struct metric_comparison *r, char *buf, size_t len)
{
	bool both = !isnan(r->base_median) && !isnan(r->cand_median);

	if (r->kind == METRIC_RATE && both)
		format_points(r->cand_median - r->base_median, buf, len);
	else if (both && r->base_median == 0 && r->cand_median != 0)
		snprintf(buf, len, "from 0");
	else if (both && isnan(r->median.rel)) { /* below 0: no relative change */
		char a[32], b[32];
		format_value(r->base_median, r->unit, a, sizeof(a));
		format_value(r->cand_median, r->unit, b, sizeof(b));
		snprintf(buf, len, "%s -> %s", a, b);
	} else {
		format_percent(r->median.rel, buf, len);
	}
}

void compare_undecided_reason(const struct comparison *c, char *buf, size_t len)
{
	*buf = 0;
	if (c->runs_to_decide)
		snprintf(buf, len, "too few runs to reach alpha: %zu vs %zu runs allow p >= %.3g, %s over %zu tests "
			 "needs %.3g; %zu runs a side can", c->base->nruns, c->cand->nruns, c->min_p,
			 correction_names[c->correction], c->family, family_alpha(c->correction, c->alpha, c->family),
			 c->runs_to_decide);
}

/* Which family p is adjusted over, and whether the test can decide. */
static void print_unit(FILE *f, const struct comparison *c, size_t k, bool markdown)
{
	const char *li = markdown ? "- " : "  ";
	char why[400];

	if (!(c->base->nruns >= 2 && c->cand->nruns >= 2)) {
		fprintf(f, "%s[%zu]: tests on pooled samples (a side has a single run)\n", li, k + 1);
		return;
	}
	fprintf(f, "%s[%zu]: tests on per-run values (%zu vs %zu runs: each run's median, each run's p99)\n", li,
		k + 1, c->base->nruns, c->cand->nruns);
	compare_undecided_reason(c, why, sizeof(why));
	if (*why)
		fprintf(f, "%s     %s\n", li, why);
}

static void print_differences(FILE *f, const struct comparison *c, size_t k, bool markdown)
{
	if (!c->differences.n)
		return;
	fprintf(f, "\n%swhat differs between base and [%zu]%s\n%s", markdown ? "#### " : "", k + 1,
		differences_refusing(&c->differences) ? " (compared with --force)" : "", markdown ? "\n" : "");
	differences_print(f, &c->differences, markdown ? "- " : "  ", markdown ? 0 : 12);
}

void compare_print(FILE *f, struct comparison *c, size_t ncand, bool markdown, bool colour)
{
	char what[256];
	const char *h = markdown ? "### " : "";
	struct warnings w = { 0 };

	fprintf(f, "%spinbench compare\n\n", h);
	dataset_describe(c[0].base, what, sizeof(what));
	fprintf(f, "%sbase: %s\n", markdown ? "- " : "  ", what);
	for (size_t k = 0; k < ncand; k++) {
		dataset_describe(c[k].cand, what, sizeof(what));
		fprintf(f, "%s[%zu]: %s\n", markdown ? "- " : "  ", k + 1, what);
		warnings_of_comparison(&c[k], &w);
	}
	fprintf(f, "\nalpha %g; p adjusted (%s) across the tested metrics of each candidate.\n", c[0].alpha,
		correction_names[c[0].correction]);
	for (size_t k = 0; k < ncand; k++)
		print_unit(f, &c[k], k, markdown);
	if (w.n)
		fputc('\n', f);
	warnings_print(f, &w, markdown ? "- " : "");
	warnings_free(&w);
	for (size_t k = 0; k < ncand; k++)
		print_differences(f, &c[k], k, markdown);
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
		json_object_set_new(o, "min_p", num(r->min_p));
		json_object_set_new(o, "p99_p", num(r->tail_p));
		json_object_set_new(o, "verdict", json_string(r->verdict));
		json_object_set_new(o, "outcome", json_string(verdict_kind_names[r->outcome]));
		json_array_append_new(metrics, o);
	}
	struct warnings w = { 0 };
	warnings_of_comparison(c, &w);
	json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o, s:{s:s, s:I}, s:o, s:o, s:o}", "candidate", c->cand->path,
			 "runs", (json_int_t)c->cand->nruns,
			 "test_unit", c->base->nruns >= 2 && c->cand->nruns >= 2 ? "runs" : "samples",
			 "min_p", num(c->min_p), "min_p_adjusted", num(fmin(1, c->min_p * (double)(c->family ? c->family : 1))),
			 "family", "correction", correction_names[c->correction], "tests", (json_int_t)c->family,
			 "differences", differences_json(&c->differences), "warnings", warnings_json(&w),
			 "metrics", metrics);
	char why[400];
	compare_undecided_reason(c, why, sizeof(why));
	json_object_set_new(o, "runs_a_side_to_decide", c->runs_to_decide ? json_integer((json_int_t)c->runs_to_decide)
										: json_null());
	json_object_set_new(o, "undecided_reason", *why ? json_string(why) : json_null());
	warnings_free(&w);
	return o;
}

json_t *compare_json(struct comparison *c, size_t ncand)
{
	json_t *cands = json_array();

	for (size_t k = 0; k < ncand; k++)
		json_array_append_new(cands, comparison_json(&c[k]));
	return json_pack("{s:i, s:f, s:s, s:s, s:{s:s, s:I}, s:o}", "schema_version", 2, "alpha", c[0].alpha,
			 "correction", correction_names[c[0].correction],
			 "family", "the tested metrics of each candidate", "base", "path", c[0].base->path,
			 "runs", (json_int_t)c[0].base->nruns, "candidates", cands);
}

/* The family the verdict adjusts over: the tests of each candidate
 * against the base (of the base against itself when only it is given),
 * the largest of them. */
static size_t plan_family(const struct dataset *d, size_t n, double alpha, enum correction correction)
{
	size_t family = 0;

	for (size_t k = n > 1 ? 1 : 0; k < n; k++) {
		struct comparison c = { 0 };
		compare_datasets(&d[0], &d[k], alpha, correction, NULL, 0, &c);
		if (c.family > family)
			family = c.family;
		comparison_free(&c);
	}
	return family;
}

/* The spread between runs of one side's metric (NAN without two runs). */
static double side_spread(const struct metric *m)
{
	const struct metric *one[] = { m };

	return m ? metric_log_spread(one, 1) : NAN;
}

/* The runs a side for each value metric of the base: the verdict's test at
 * the family's alpha, the base's spread against the noisiest candidate's
 * (the base's own on both sides when it is the only one given). */
json_t *compare_plan_json(const struct dataset *d, size_t n, double change, double alpha, enum correction correction,
			  double power)
{
	json_t *rows = json_array();
	size_t family = plan_family(d, n, alpha, correction);
	double need = family_alpha(correction, alpha, family);

	for (size_t i = 0; i < d[0].nm; i++) {
		if (d[0].m[i].kind != METRIC_VALUES || d[0].m[i].one_per_run)
			continue;
		double sd_base = side_spread(&d[0].m[i]), sd_cand = n > 1 ? NAN : sd_base;
		for (size_t k = 1; k < n; k++) {
			double sd = side_spread(dataset_metric(&d[k], d[0].m[i].name));
			if (isnan(sd_cand) || sd > sd_cand)
				sd_cand = sd;
		}
		size_t runs = runs_for_change_sides(sd_base, sd_cand, change, need, power);
		json_array_append_new(rows, json_pack("{s:s, s:o, s:o, s:o}", "metric", d[0].m[i].name,
			"spread_base", isnan(sd_base) ? json_null() : json_real(expm1(sd_base)),
			"spread_cand", isnan(sd_cand) ? json_null() : json_real(expm1(sd_cand)),
			"runs_per_side", runs ? json_integer((json_int_t)runs) : json_null()));
	}
	return json_pack("{s:f, s:f, s:f, s:s, s:I, s:f, s:s, s:o}", "change", change, "alpha", alpha, "power",
			 power, "correction", correction_names[correction], "family", (json_int_t)family,
			 "alpha_per_test", need, "method", "the verdict's Mann-Whitney test on per-run values at "
			 "the family's alpha, simulated on 2000 pairs of sides with log-normal per-run values of "
			 "each side's own spread; at least the runs that can reach that alpha", "metrics", rows);
}

void compare_plan_print(FILE *f, json_t *plan, size_t n, bool markdown)
{
	static const char *const head[] = { "metric", "spread base", "spread cand", "runs a side" };
	struct table *t = table_new(head, ARRAY_SIZE(head));
	double change = json_real_value(json_object_get(plan, "change"));
	json_t *row;
	char pct[16];
	size_t i;

	format_percent(change, pct, sizeof(pct));
	fprintf(f, "runs a side to detect a change of %s with power %g: Mann-Whitney on per-run medians at alpha %g, "
		"%s over the %" JSON_INTEGER_FORMAT " tests of the comparison (%.3g a test); spread between runs "
		"from %s:\n\n", pct, json_real_value(json_object_get(plan, "power")),
		json_real_value(json_object_get(plan, "alpha")),
		json_string_value(json_object_get(plan, "correction")),
		json_integer_value(json_object_get(plan, "family")),
		json_real_value(json_object_get(plan, "alpha_per_test")),
		n > 1 ? "the base and the noisiest candidate" : "the base, for both sides");
	json_array_foreach(json_object_get(plan, "metrics"), i, row) {
		table_row(t);
		table_cell(t, "%s", json_string_value(json_object_get(row, "metric")));
		const char *side[] = { "spread_base", "spread_cand" };
		for (size_t k = 0; k < 2; k++) {
			json_t *sd = json_object_get(row, side[k]);
			format_percent(json_real_value(sd), pct, sizeof(pct));
			table_cell(t, "%s", json_is_null(sd) ? "- (needs 2 runs)" : pct + 1);
		}
		json_t *runs = json_object_get(row, "runs_per_side");
		table_cell(t, json_is_null(runs) ? "-" : "%" JSON_INTEGER_FORMAT, json_integer_value(runs));
	}
	table_print(t, f, markdown, false);
	table_free(t);
}
