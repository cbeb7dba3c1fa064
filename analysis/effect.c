#include "config.h"
#include "effect.h"
#include "hypothesis.h"
#include "shift.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const statistic_names[STAT_COUNT] = {
	"median", "mean", "p90", "p99", "p999", "min", "max", "sum", "rate",
};

static const double quantile_of[STAT_COUNT] = {
	[STAT_MEDIAN] = 0.5, [STAT_P90] = 0.9, [STAT_P99] = 0.99, [STAT_P999] = 0.999,
};

int statistic_parse(const char *name)
{
	for (int s = 0; s < STAT_COUNT; s++)
		if (!strcmp(name, statistic_names[s]))
			return s;
	return -1;
}

double statistic_of_sorted(const double *v, size_t n, enum statistic s)
{
	double sum = 0;

	if (!n || s == STAT_RATE)
		return NAN;
	if (quantile_of[s] > 0)
		return gsl_stats_quantile_from_sorted_data(v, 1, n, quantile_of[s]);
	switch (s) {
	case STAT_MEAN: return gsl_stats_mean(v, 1, n);
	case STAT_MIN: return v[0];
	case STAT_MAX: return v[n - 1];
	default:
		for (size_t i = 0; i < n; i++)
			sum += v[i];
		return sum;
	}
}

size_t metric_per_run(const struct metric *m, enum statistic s, double *out)
{
	size_t n = 0;

	if (m->one_per_run || !m->grouped || s == STAT_MEDIAN) {
		memcpy(out, m->runs, m->nruns * sizeof(*out));
		return m->nruns;
	}
	for (size_t r = 0; r < m->ngroups; r++)
		if (m->start[r + 1] > m->start[r])
			out[n++] = statistic_of_sorted(m->grouped + m->start[r], m->start[r + 1] - m->start[r], s);
	sort_doubles(out, n);
	return n;
}

bool effect_per_run(const struct metric *base, const struct metric *cand)
{
	return base && cand && base->kind == METRIC_VALUES && base->nruns >= 2 && cand->nruns >= 2;
}

static double relative(double base, double cand)
{
	if (base == cand)
		return 0;
	return base != 0 ? (cand - base) / fabs(base) : NAN;
}

/* Of the logarithms, each side about its own mean; y may be empty. */
static double pooled_log_sd(const double *x, size_t n, const double *y, size_t m)
{
	double ss = 0, mx = 0, my = 0;
	size_t df = n + m - (m ? 2 : 1);

	if (n < 1 || n + m < 2 || df < 1 || x[0] <= 0 || (m && y[0] <= 0))
		return NAN;
	for (size_t i = 0; i < n; i++)
		mx += log(x[i]) / (double)n;
	for (size_t j = 0; j < m; j++)
		my += log(y[j]) / (double)m;
	for (size_t i = 0; i < n; i++)
		ss += (log(x[i]) - mx) * (log(x[i]) - mx);
	for (size_t j = 0; j < m; j++)
		ss += (log(y[j]) - my) * (log(y[j]) - my);
	return sqrt(ss / (double)df);
}

/* The Hodges-Lehmann interval as a relative change: of the logarithms
 * when every value is positive (an interval of the ratio), otherwise of
 * the values, relative to the base. */
static void shift_interval(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
			   double base, struct change *ch)
{
	struct hodges_lehmann hl;

	if (x[0] > 0 && y[0] > 0) {
		double *lx = xmalloc((n + m + 1) * sizeof(*lx)), *ly = lx + n;
		for (size_t i = 0; i < n; i++)
			lx[i] = log(x[i]);
		for (size_t j = 0; j < m; j++)
			ly[j] = log(y[j]);
		hodges_lehmann_interval(lx, n, ly, m, alpha, exact, &hl);
		ch->lo = expm1(hl.lo);
		ch->hi = expm1(hl.hi);
		free(lx);
		return;
	}
	hodges_lehmann_interval(x, n, y, m, alpha, exact, &hl);
	ch->lo = base != 0 ? hl.lo / fabs(base) : NAN;
	ch->hi = base != 0 ? hl.hi / fabs(base) : NAN;
}

static void test_location(const double *x, size_t n, const double *y, size_t m, double alpha, struct effect *e)
{
	struct mann_whitney mw;

	e->n_base = n;
	e->n_cand = m;
	e->change.rel = relative(e->base, e->cand);
	if (x[0] == x[n - 1] && y[0] == y[m - 1] && x[0] == y[0]) {
		e->constant = true; /* one value on both sides: nothing to test */
		e->change.lo = e->change.hi = 0;
		return;
	}
	mann_whitney(x, n, y, m, &mw);
	e->p = mw.p;
	e->exact = mw.exact;
	e->direction = mw.cliffs_delta;
	e->min_p = mann_whitney_min_p(n, m);
	shift_interval(x, n, y, m, alpha, mw.exact, e->base, &e->change);
}

/* Whether the order-statistic interval of the change of the q-quantile
 * at level alpha excludes no change (up: the candidate is larger). */
static bool tail_excludes(const struct metric *b, const struct metric *c, double q, double alpha)
{
	struct change ch = quantile_change(b, c, q, alpha);

	return ch.lo > 0 || ch.hi < 0;
}

/* Whether intervals at alpha could exclude no change at all, towards up:
 * the candidate's lower and the base's upper bound exist. */
static bool tail_bounded(size_t nb, size_t nc, double q, double alpha, bool up)
{
	double each = 1 - sqrt(1 - alpha);
	size_t lb, ub, lc, uc;

	quantile_ci_ranks(nb, q, each, &lb, &ub);
	quantile_ci_ranks(nc, q, each, &lc, &uc);
	return up ? lc >= 1 && ub <= nb : lb >= 1 && uc <= nc;
}

/* The smallest alpha in (0, 1) at which pred holds (it holds for every
 * larger alpha); 1 when it never does. */
static double smallest_alpha(bool (*pred)(const void *ctx, double alpha), const void *ctx)
{
	double lo = 1e-12, hi = 0.999;

	if (pred(ctx, lo))
		return lo;
	if (!pred(ctx, hi))
		return 1;
	for (int i = 0; i < 60; i++) {
		double mid = sqrt(lo * hi); /* p-values live on a log scale */
		if (pred(ctx, mid))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

struct tail_ctx {
	const struct metric *b, *c;
	double q;
	bool up;
};

static bool tail_excludes_at(const void *ctx, double alpha)
{
	const struct tail_ctx *t = ctx;
	return tail_excludes(t->b, t->c, t->q, alpha);
}

static bool tail_bounded_at(const void *ctx, double alpha)
{
	const struct tail_ctx *t = ctx;
	return tail_bounded(t->b->n, t->c->n, t->q, alpha, t->up);
}

static void test_tail_pooled(const struct metric *b, const struct metric *c, double q, double alpha,
			     struct effect *e)
{
	struct tail_ctx t = { b, c, q, e->cand >= e->base };

	e->n_base = b->n;
	e->n_cand = c->n;
	e->change = quantile_change(b, c, q, alpha);
	e->direction = e->cand - e->base;
	e->p = smallest_alpha(tail_excludes_at, &t);
	e->min_p = smallest_alpha(tail_bounded_at, &t);
}

static void test_rate(const struct metric *b, const struct metric *c, struct effect *e)
{
	uint64_t events = b->events + c->events;

	e->unit = UNIT_PINS;
	e->test = "Fisher's exact test on the pins";
	e->n_base = b->trials;
	e->n_cand = c->trials;
	e->base = b->trials ? (double)b->events / (double)b->trials : NAN;
	e->cand = c->trials ? (double)c->events / (double)c->trials : NAN;
	e->change.rel = e->base > 0 ? e->cand / e->base - 1 : NAN;
	e->direction = e->cand - e->base;
	if (!events) {
		e->constant = true; /* no failure on either side: nothing to test */
		return;
	}
	e->p = fisher_exact_p(b->events, b->trials - b->events, c->events, c->trials - c->events);
	/* the most extreme table with these margins, in the observed direction */
	uint64_t to_cand = events < c->trials ? events : c->trials, to_base = events < b->trials ? events : b->trials;
	uint64_t ce = e->direction >= 0 ? to_cand : events - to_base, be = events - ce;
	e->min_p = fisher_exact_p(be, b->trials - be, ce, c->trials - ce);
}

static const char *test_name(enum statistic s, bool per_run)
{
	static char names[STAT_COUNT][2][64];

	if (!names[s][per_run][0])
		snprintf(names[s][per_run], sizeof(names[s][per_run]),
			 per_run ? "Mann-Whitney U on per-run %s" : quantile_of[s] > 0.5 ? "order-statistic intervals of the %s"
			 : "Mann-Whitney U on the values (%s)", statistic_names[s]);
	return names[s][per_run];
}

void effect_measure(const struct metric *b, const struct metric *c, enum statistic s, double alpha,
		    struct effect *e)
{
	memset(e, 0, sizeof(*e));
	e->stat = s;
	e->unit = UNIT_NONE;
	e->base = e->cand = e->p = e->min_p = e->log_spread_base = e->log_spread_cand = NAN;
	e->change = (struct change){ NAN, NAN, NAN };
	if (!b || !c || !(b->n || b->trials) || !(c->n || c->trials))
		return;
	if (b->kind == METRIC_RATE) {
		test_rate(b, c, e);
		return;
	}
	if (effect_per_run(b, c)) {
		double *x = xmalloc((b->nruns + b->ngroups + c->nruns + c->ngroups + 2) * sizeof(*x));
		double *y = x + b->nruns + b->ngroups + 1;
		size_t n = metric_per_run(b, s, x), m = metric_per_run(c, s, y);
		e->unit = UNIT_RUNS;
		e->test = test_name(s, true);
		e->base = statistic_of_sorted(x, n, STAT_MEDIAN);
		e->cand = statistic_of_sorted(y, m, STAT_MEDIAN);
		test_location(x, n, y, m, alpha, e);
		e->log_spread_base = pooled_log_sd(x, n, NULL, 0);
		e->log_spread_cand = pooled_log_sd(y, m, NULL, 0);
		free(x);
		return;
	}
	e->unit = UNIT_SAMPLES;
	e->base = statistic_of_sorted(b->v, b->n, s);
	e->cand = statistic_of_sorted(c->v, c->n, s);
	e->test = test_name(s, false);
	if (s == STAT_MEDIAN || s == STAT_MEAN) {
		test_location(b->v, b->n, c->v, c->n, alpha, e);
	} else if (quantile_of[s] > 0) {
		test_tail_pooled(b, c, quantile_of[s], alpha, e);
	} else { /* min, max, sum of pooled values: no test */
		e->test = NULL;
		e->n_base = b->n;
		e->n_cand = c->n;
		e->change.rel = relative(e->base, e->cand);
		e->direction = e->cand - e->base;
	}
}

double effect_one_side(const struct metric *m, enum statistic s, size_t other_runs, size_t *n, bool *per_run)
{
	*n = 0;
	*per_run = false;
	if (!m)
		return NAN;
	if (m->kind == METRIC_RATE) {
		*n = m->trials;
		return m->trials ? (double)m->events / (double)m->trials : NAN;
	}
	if (m->nruns >= 2 && other_runs >= 2) {
		double *x = xmalloc((m->nruns + m->ngroups + 1) * sizeof(*x));
		*n = metric_per_run(m, s, x);
		*per_run = true;
		double v = *n ? statistic_of_sorted(x, *n, STAT_MEDIAN) : NAN;
		free(x);
		return v;
	}
	*n = m->n;
	return m->n ? statistic_of_sorted(m->v, m->n, s) : NAN;
}

size_t runs_to_reach(double alpha)
{
	for (size_t n = 2; n <= 1000; n++)
		if (mann_whitney_min_p(n, n) <= alpha)
			return n;
	return 0;
}

double metric_log_spread(const struct metric *const *m, size_t n)
{
	double ss = 0;
	size_t df = 0;

	for (size_t k = 0; k < n; k++) {
		if (!m[k] || m[k]->nruns < 2)
			continue;
		double sd = pooled_log_sd(m[k]->runs, m[k]->nruns, NULL, 0);
		if (isnan(sd))
			return NAN;
		ss += sd * sd * (double)(m[k]->nruns - 1);
		df += m[k]->nruns - 1;
	}
	return df ? sqrt(ss / (double)df) : NAN;
}

/* The normal approximation for a shift of logs over the rank test's
 * efficiency 3/pi: n = 2 (t(alpha/2) + t(power))^2 sigma^2 / delta^2 on
 * 2n - 2 degrees of freedom, found by iteration. Where the search starts. */
static double runs_approximated(double sd, double delta, double alpha, double power)
{
	double n = 2;

	for (int i = 0; i < 50; i++) {
		double df = fmax(2 * n - 2, 1);
		double t = gsl_cdf_tdist_Qinv(alpha / 2, df) + gsl_cdf_tdist_Pinv(power, df);
		double next = 2 * t * t * sd * sd / (delta * delta) / (3 / M_PI);
		if (fabs(next - n) < 1e-6)
			break;
		n = fmax(next, 2);
	}
	return n;
}

/* Simulated draws of log per-run values: the same standard normal draws
 * at every n (common random numbers), so the power found grows with n as
 * the true power does instead of jumping with the noise of each try. */
#define PLAN_DRAWS 2000
#define PLAN_MAX_RUNS 1000

struct plan_sim {
	double sd_base, sd_cand, delta, alpha;
	double *z;   /* run i of draw d: z[(i * PLAN_DRAWS + d) * 2 + side], drawn as needed */
	size_t have; /* runs a side drawn so far, per draw */
	gsl_rng *rng;
	double *x, *y;
};

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The share of draws in which the verdict's own test (mann_whitney, at
 * the family's alpha) rejects at n runs a side, each side with its own
 * spread between runs. */
static double simulated_power(struct plan_sim *p, size_t n)
{
	size_t rejected = 0;

	if (p->have < n)
		p->z = xrealloc(p->z, n * PLAN_DRAWS * 2 * sizeof(*p->z));
	for (; p->have < n; p->have++)
		for (size_t k = 0; k < PLAN_DRAWS * 2; k++)
			p->z[p->have * PLAN_DRAWS * 2 + k] = gsl_ran_gaussian_ziggurat(p->rng, 1);
	for (size_t d = 0; d < PLAN_DRAWS; d++) {
		struct mann_whitney mw;
		for (size_t i = 0; i < n; i++) {
			p->x[i] = p->sd_base * p->z[(i * PLAN_DRAWS + d) * 2];
			p->y[i] = p->delta + p->sd_cand * p->z[(i * PLAN_DRAWS + d) * 2 + 1];
		}
		qsort(p->x, n, sizeof(*p->x), by_value);
		qsort(p->y, n, sizeof(*p->y), by_value);
		mann_whitney(p->x, n, p->y, n, &mw);
		rejected += mw.p <= p->alpha;
	}
	return (double)rejected / PLAN_DRAWS;
}

/* The fewest runs in [lo, hi] whose simulated power reaches power,
 * given that hi does and lo - 1 does not. */
static size_t fewest_runs(struct plan_sim *p, size_t lo, size_t hi, double power)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (simulated_power(p, mid) >= power)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t runs_for_change_sides(double sd_base, double sd_cand, double change, double alpha, double power)
{
	double delta = log1p(change);

	if (!(sd_base > 0) || !(sd_cand > 0) || !(fabs(delta) > 0) || !(change > -1) || !(power > 0 && power < 1))
		return 0;
	size_t reach = runs_to_reach(alpha), guess;
	double approx = runs_approximated(sqrt((sd_base * sd_base + sd_cand * sd_cand) / 2), fabs(delta), alpha,
					  power);
	if (!reach || !(approx < 4 * PLAN_MAX_RUNS))
		return 0;
	struct plan_sim p = { .sd_base = sd_base, .sd_cand = sd_cand, .delta = fabs(delta), .alpha = alpha,
			      .rng = gsl_rng_alloc(gsl_rng_mt19937) };
	p.x = xmalloc(PLAN_MAX_RUNS * sizeof(*p.x));
	p.y = xmalloc(PLAN_MAX_RUNS * sizeof(*p.y));
	gsl_rng_set(p.rng, 1);
	guess = (size_t)fmin(fmax(ceil(approx), (double)reach), PLAN_MAX_RUNS);
	size_t runs = 0, lo = reach;
	/* bracket from the approximation: up by doubling, then bisect */
	for (size_t hi = guess; !runs; hi = hi * 2 > PLAN_MAX_RUNS ? PLAN_MAX_RUNS : hi * 2) {
		if (simulated_power(&p, hi) >= power)
			runs = fewest_runs(&p, lo, hi, power);
		else if (hi == PLAN_MAX_RUNS)
			break;
		else
			lo = hi + 1;
	}
	gsl_rng_free(p.rng);
	free(p.z);
	free(p.x);
	free(p.y);
	return runs;
}

size_t runs_for_change(double log_spread, double change, double alpha, double power)
{
	return runs_for_change_sides(log_spread, log_spread, change, alpha, power);
}
