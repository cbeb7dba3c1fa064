#include "config.h"
#include "util.h"
#include "compare.h"
#include "stats.h"

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

static void test_values(struct metric_comparison *r, double alpha)
{
	const double *x = r->per_run ? r->base->runs : r->base->v;
	const double *y = r->per_run ? r->cand->runs : r->cand->v;

	r->n_base = r->per_run ? r->base->nruns : r->base->n;
	r->n_cand = r->per_run ? r->cand->nruns : r->cand->n;
	mann_whitney(x, r->n_base, y, r->n_cand, &r->mw);
	r->p_welch = welch_p(x, r->n_base, y, r->n_cand);
	hodges_lehmann(x, r->n_base, y, r->n_cand, alpha, r->mw.exact, &r->hl);
	r->p = r->mw.p;
	r->direction = r->mw.cliffs_delta;
}

static void test_rate(struct metric_comparison *r)
{
	const struct metric *b = r->base, *c = r->cand;

	r->n_base = b->trials;
	r->n_cand = c->trials;
	r->constant = !b->events && !c->events; /* no failure on either side: nothing to test */
	r->p_fisher = r->constant ? NAN : fisher_exact_p(b->events, b->trials - b->events, c->events, c->trials - c->events);
	r->p = r->p_fisher;
	double rb = b->trials ? (double)b->events / (double)b->trials : NAN;
	double rc = c->trials ? (double)c->events / (double)c->trials : NAN;
	r->base_median = rb;
	r->cand_median = rc;
	r->median.rel = rb > 0 ? rc / rb - 1 : NAN;
	r->median.lo = r->median.hi = NAN;
	r->direction = rc - rb;
}

static void compare_metric(struct metric_comparison *r, bool per_run, double alpha)
{
	const struct metric *m = r->base ? r->base : r->cand;

	r->name = m->name;
	r->unit = m->unit;
	r->better = m->better;
	r->kind = m->kind;
	r->p = r->p_welch = r->p_fisher = r->p_adjusted = NAN;
	r->mw.p = r->mw.cliffs_delta = NAN;
	r->hl.shift = r->hl.lo = r->hl.hi = NAN;
	r->base_median = r->cand_median = r->base_p99 = r->cand_p99 = NAN;
	r->median = r->p99 = (struct change){ NAN, NAN, NAN };
	if (!r->base || !r->cand)
		return;
	if (m->kind == METRIC_RATE) {
		test_rate(r);
		return;
	}
	r->base_median = gsl_stats_median_from_sorted_data(r->base->v, 1, r->base->n);
	r->cand_median = gsl_stats_median_from_sorted_data(r->cand->v, 1, r->cand->n);
	r->base_p99 = gsl_stats_quantile_from_sorted_data(r->base->v, 1, r->base->n, 0.99);
	r->cand_p99 = gsl_stats_quantile_from_sorted_data(r->cand->v, 1, r->cand->n, 0.99);
	r->median = quantile_change(r->base, r->cand, 0.5, alpha);
	r->p99 = quantile_change(r->base, r->cand, 0.99, alpha);
	r->per_run = per_run;
	const struct metric *b = r->base, *x = r->cand;
	if (b->v[0] == b->v[b->n - 1] && x->v[0] == x->v[x->n - 1] && b->v[0] == x->v[0]) {
		r->n_base = per_run ? b->nruns : b->n; /* one constant on both sides: nothing to test */
		r->n_cand = per_run ? x->nruns : x->n;
		r->constant = true;
		return;
	}
	test_values(r, alpha);
}

static void give_verdict(struct metric_comparison *r, double alpha)
{
	if (r->constant) {
		r->verdict = "no change";
		return;
	}
	if (isnan(r->p_adjusted)) {
		r->verdict = r->base && r->cand ? "not testable" : r->base ? "only in base" : "only in candidate";
		return;
	}
	if (!(r->p_adjusted < alpha) || r->direction == 0) {
		r->verdict = "no significant change";
		return;
	}
	bool larger = r->direction > 0;
	r->changed = true;
	if (r->better == BETTER_NEITHER) {
		r->verdict = larger ? "increased" : "decreased";
		return;
	}
	r->regressed = larger == (r->better == BETTER_LOWER);
	r->improved = !r->regressed;
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
		      const char *const *extra, size_t nextra, struct comparison *c)
{
	bool per_run = base->nruns >= 2 && cand->nruns >= 2;

	memset(c, 0, sizeof(*c));
	c->base = base;
	c->cand = cand;
	c->alpha = alpha;
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
					.better = strstr(extra[i], "fail") ? BETTER_LOWER : BETTER_NEITHER };
		bool known = false;
		for (size_t j = 0; j < c->n && !known; j++)
			known = !strcmp(c->m[j].base ? c->m[j].base->name : c->m[j].cand->name, extra[i]);
		if (known || !(c->m[c->n].cand = counterpart(c, cand, &proto)))
			continue;
		c->m[c->n++].base = counterpart(c, base, &proto);
	}

	double *p = xmalloc((c->n + 1) * sizeof(*p)), *adj = xmalloc((c->n + 1) * sizeof(*adj));
	for (size_t i = 0; i < c->n; i++) {
		compare_metric(&c->m[i], per_run, alpha);
		p[i] = c->m[i].p;
	}
	holm_adjust(p, c->n, adj);
	for (size_t i = 0; i < c->n; i++) {
		c->m[i].p_adjusted = adj[i];
		give_verdict(&c->m[i], alpha);
	}
	free(p);
	free(adj);
	/* with n and m runs and no ties, the most extreme two-sided p */
	c->min_p = per_run ? fmin(1.0, 2 / gsl_sf_choose((unsigned)(base->nruns + cand->nruns), (unsigned)base->nruns))
			   : NAN;
}

void comparison_free(struct comparison *c)
{
	for (size_t i = 0; i < c->nzeros; i++) {
		free(c->zeros[i].v);
		free(c->zeros[i].runs);
	}
	free(c->zeros);
	free(c->m);
	memset(c, 0, sizeof(*c));
}
