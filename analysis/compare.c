#include "config.h"
#include "util.h"
#include "compare.h"
#include "effect.h"
#include "stats.h"
#include "format.h"

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct change quantile_change(const struct metric *base, const struct metric *cand, double q, double alpha)
{
	struct change ch = { NAN, NAN, NAN };
	double each = 1 - sqrt(1 - alpha), blo, bhi, clo, chi;

	if (!base || !cand || !base->n || !cand->n)
		return ch;
	double b = gsl_stats_quantile_from_sorted_data(base->v, 1, base->n, q);
	double c = gsl_stats_quantile_from_sorted_data(cand->v, 1, cand->n, q);
	if (b <= 0)
		return ch;
	ch.rel = c / b - 1;
	quantile_ci(base->v, base->n, q, each, &blo, &bhi);
	quantile_ci(cand->v, cand->n, q, each, &clo, &chi);
	if (bhi > 0)
		ch.lo = clo / bhi - 1; /* NAN propagates: an unbounded side stays unbounded */
	if (blo > 0)
		ch.hi = chi / blo - 1;
	return ch;
}

const char *const correction_names[3] = { "holm", "bonferroni", "none" };
const char *const verdict_kind_names[VERDICT_KINDS] = {
	"regressed", "improved", "changed without a better side", "undecided (too few runs)",
	"without significant change", "unchanged (one value on both sides)", "not testable", "on one side only",
};

int correction_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, correction_names[i]))
			return i;
	return -1;
}

void correct_p(enum correction how, const double *p, size_t n, double *adjusted)
{
	size_t m = 0;

	if (how == CORRECT_HOLM) {
		holm_adjust(p, n, adjusted);
		return;
	}
	for (size_t i = 0; i < n; i++)
		m += !isnan(p[i]);
	for (size_t i = 0; i < n; i++)
		adjusted[i] = how == CORRECT_NONE || isnan(p[i]) ? p[i] : fmin(1.0, p[i] * (double)m);
}

double family_alpha(enum correction how, double alpha, size_t size)
{
	return how == CORRECT_NONE || size < 2 ? alpha : alpha / (double)size;
}

/* Welch and the shift in the metric's unit, on the values of the test's
 * unit (the per-run medians, or the pooled samples); the Mann-Whitney
 * test itself is the effect's. */
static void test_values(struct metric_comparison *r, const struct effect *centre, double alpha)
{
	const double *x = r->per_run ? r->base->runs : r->base->v;
	const double *y = r->per_run ? r->cand->runs : r->cand->v;

	r->mw = (struct mann_whitney){ .p = centre->p, .exact = centre->exact, .cliffs_delta = centre->direction };
	r->p_welch = welch_p(x, r->n_base, y, r->n_cand);
	hodges_lehmann(x, r->n_base, y, r->n_cand, alpha, r->mw.exact, &r->hl);
}

/* A tail that moved significantly against the median is named: a median
 * improvement can hide a p99 regression. */
static void check_tail(struct metric_comparison *r, const struct effect *tail, double alpha)
{
	char a[16], b[16], p[16];

	r->tail_p = tail->p;
	if (!(tail->p < alpha) || r->better == BETTER_NEITHER || isnan(r->median.rel) || isnan(tail->change.rel) ||
	    (tail->change.rel > 0) == (r->median.rel > 0))
		return;
	bool tail_worse = (tail->change.rel > 0) == (r->better == BETTER_LOWER);
	format_percent(r->median.rel, a, sizeof(a));
	format_percent(tail->change.rel, b, sizeof(b));
	format_p(tail->p, p, sizeof(p));
	snprintf(r->warning, sizeof(r->warning), "%s: the median %s %s but p99 %s %s (%s, p = %s unadjusted)", r->name,
		 tail_worse ? "improved" : "regressed", a, tail_worse ? "regressed" : "improved", b,
		 tail->test ? tail->test : "", p);
}

/* A metric one side lacks: the other side's numbers still stand. */
static void one_side(struct metric_comparison *r, const struct comparison *c)
{
	bool base = r->base != NULL;
	const struct metric *m = base ? r->base : r->cand;
	size_t other = base ? c->cand->nruns : c->base->nruns, n, ignored;
	double median = effect_one_side(m, m->kind == METRIC_RATE ? STAT_RATE : STAT_MEDIAN, other, &n, &r->per_run);
	double p99 = m->kind == METRIC_RATE ? NAN : effect_one_side(m, STAT_P99, other, &ignored, &r->per_run);

	*(base ? &r->n_base : &r->n_cand) = n;
	*(base ? &r->base_median : &r->cand_median) = median;
	*(base ? &r->base_p99 : &r->cand_p99) = p99;
}

static void compare_metric(struct metric_comparison *r, double alpha, const struct comparison *c)
{
	const struct metric *m = r->base ? r->base : r->cand;
	struct effect centre, tail;

	r->name = m->name;
	r->unit = m->unit;
	r->better = m->better;
	r->kind = m->kind;
	r->p = r->p_welch = r->p_fisher = r->p_adjusted = r->min_p = r->tail_p = NAN;
	r->mw.p = r->mw.cliffs_delta = NAN;
	r->hl.shift = r->hl.lo = r->hl.hi = NAN;
	r->base_median = r->cand_median = r->base_p99 = r->cand_p99 = NAN;
	r->median = r->p99 = (struct change){ NAN, NAN, NAN };
	if (!r->base || !r->cand) {
		one_side(r, c);
		return;
	}
	effect_measure(r->base, r->cand, m->kind == METRIC_RATE ? STAT_RATE : STAT_MEDIAN, alpha, &centre);
	r->per_run = centre.unit == UNIT_RUNS;
	r->n_base = centre.n_base;
	r->n_cand = centre.n_cand;
	r->base_median = centre.base;
	r->cand_median = centre.cand;
	r->median = centre.change;
	r->constant = centre.constant;
	r->p = centre.p;
	r->min_p = centre.min_p;
	r->direction = centre.direction;
	if (m->kind == METRIC_RATE) {
		r->p_fisher = centre.p;
		r->median.lo = r->median.hi = NAN;
		return;
	}
	effect_measure(r->base, r->cand, STAT_P99, alpha, &tail);
	r->base_p99 = tail.base;
	r->cand_p99 = tail.cand;
	r->p99 = tail.change;
	if (r->constant)
		return;
	test_values(r, &centre, alpha);
	check_tail(r, &tail, alpha);
}

static void give_verdict(struct metric_comparison *r, double alpha)
{
	if (r->constant) {
		r->outcome = VERDICT_NO_CHANGE;
		r->verdict = "no change";
		return;
	}
	if (isnan(r->p_adjusted)) {
		r->outcome = r->base && r->cand ? VERDICT_NOT_TESTABLE : VERDICT_ONE_SIDED;
		r->verdict = r->base && r->cand ? "not testable" : r->base ? "only in base" : "only in candidate";
		return;
	}
	if (!(r->p_adjusted < alpha) || r->direction == 0) {
		r->outcome = r->reachable ? VERDICT_NOT_SIGNIFICANT : VERDICT_UNDECIDED;
		r->verdict = !r->reachable ? "undecided: too few runs"
			   : r->p < alpha ? "not significant after adjustment" : "no significant change";
		return;
	}
	bool larger = r->direction > 0;
	r->changed = true;
	if (r->better == BETTER_NEITHER) {
		r->outcome = VERDICT_CHANGED;
		r->verdict = larger ? "increased" : "decreased";
		return;
	}
	r->regressed = larger == (r->better == BETTER_LOWER);
	r->improved = !r->regressed;
	r->outcome = r->regressed ? VERDICT_REGRESSED : VERDICT_IMPROVED;
	r->verdict = r->regressed ? "regressed" : "improved";
}

/* The metric of the same name in d. A vmstat counter missing from a run
 * directory did not move there: it is a run of zeros. */
static const struct metric *counterpart(struct comparison *c, const struct dataset *d, const struct metric *m)
{
	const struct metric *found = dataset_metric(d, m->name);

	if (found || strncmp(m->name, "vmstat.", 7) || !dataset_has_counter(d, m->name + 7))
		return found;
	struct metric *z = &c->zeros[c->nzeros++];
	*z = *m;
	z->v = xcalloc(d->nruns + 1, sizeof(*z->v));
	z->runs = xcalloc(d->nruns + 1, sizeof(*z->runs));
	z->n = z->nruns = d->nruns;
	return z;
}

void compare_datasets(const struct dataset *base, const struct dataset *cand, double alpha,
		      enum correction correction, const char *const *extra, size_t nextra, struct comparison *c)
{
	memset(c, 0, sizeof(*c));
	c->base = base;
	c->cand = cand;
	c->alpha = alpha;
	c->correction = correction;
	c->m = xcalloc(base->nm + cand->nm + nextra + 1, sizeof(*c->m));
	c->zeros = xcalloc(base->nm + cand->nm + 2 * nextra + 1, sizeof(*c->zeros));
	for (size_t i = 0; i < base->nm; i++) {
		c->m[c->n].base = &base->m[i];
		c->m[c->n++].cand = counterpart(c, cand, &base->m[i]);
	}
	for (size_t i = 0; i < cand->nm; i++)
		if (!dataset_metric(base, cand->m[i].name)) {
			c->m[c->n].base = counterpart(c, base, &cand->m[i]);
			c->m[c->n++].cand = &cand->m[i];
		}
	for (size_t i = 0; i < nextra; i++) {
		struct metric proto = { .name = (char *)extra[i], .unit = "", .kind = METRIC_VALUES,
					.better = counter_better(extra[i]) };
		bool known = false;
		for (size_t j = 0; j < c->n && !known; j++)
			known = !strcmp(c->m[j].base ? c->m[j].base->name : c->m[j].cand->name, extra[i]);
		if (known || !(c->m[c->n].cand = counterpart(c, cand, &proto)))
			continue;
		c->m[c->n++].base = counterpart(c, base, &proto);
	}

	double *p = xmalloc((c->n + 1) * sizeof(*p)), *adj = xmalloc((c->n + 1) * sizeof(*adj));
	for (size_t i = 0; i < c->n; i++) {
		compare_metric(&c->m[i], alpha, c);
		p[i] = c->m[i].p;
		c->family += !isnan(p[i]);
	}
	correct_p(correction, p, c->n, adj);
	for (size_t i = 0; i < c->n; i++) {
		c->m[i].p_adjusted = adj[i];
		c->m[i].reachable = c->m[i].min_p <= family_alpha(correction, alpha, c->family);
		give_verdict(&c->m[i], alpha);
	}
	free(p);
	free(adj);
	bool per_run = base->nruns >= 2 && cand->nruns >= 2;
	/* with n and m runs and no ties, the most extreme two-sided p */
	c->min_p = per_run ? fmin(1.0, 2 / gsl_sf_choose((unsigned)(base->nruns + cand->nruns), (unsigned)base->nruns))
			   : NAN;
	double need = family_alpha(correction, alpha, c->family);
	c->runs_to_decide = per_run && c->min_p > need ? runs_to_reach(need) : 0;
	differences_find(base->run_json, cand->run_json, &c->differences);
	c->same_runs = dataset_shared_run(base, cand) != NULL;
}

static void add_counter_names(const struct dataset *d, const char ***names, size_t *n)
{
	for (size_t i = 0; i < d->nm; i++) {
		bool seen = strncmp(d->m[i].name, "vmstat.", 7) != 0;
		for (size_t k = 0; k < *n && !seen; k++)
			seen = !strcmp((*names)[k], d->m[i].name);
		if (seen)
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = d->m[i].name;
	}
}

void compare_candidates(const struct dataset *base, const struct dataset *cand, size_t ncand, double alpha,
			enum correction correction, struct comparison *c)
{
	const char **names = NULL;
	size_t n = 0;

	add_counter_names(base, &names, &n);
	for (size_t k = 0; k < ncand; k++)
		add_counter_names(&cand[k], &names, &n);
	for (size_t k = 0; k < ncand; k++)
		compare_datasets(base, &cand[k], alpha, correction, names, n, &c[k]);
	free(names);
}

void comparison_free(struct comparison *c)
{
	for (size_t i = 0; i < c->nzeros; i++) {
		free(c->zeros[i].v);
		free(c->zeros[i].runs);
	}
	free(c->zeros);
	free(c->m);
	differences_free(&c->differences);
	memset(c, 0, sizeof(*c));
}
