#include "config.h"
#include "changepoint.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cp_defaults(struct cp_params *p)
{
	p->alpha = 0.05;
	p->permutations = 199;
	p->min_size = 3;
	p->seed = 1;
}

/* Sum of |v[i] - x| over v[from..to). */
static double dist_sum(const double *v, size_t from, size_t to, double x)
{
	double s = 0;

	for (size_t i = from; i < to; i++)
		s += fabs(v[i] - x);
	return s;
}

size_t cp_best_split(const double *v, size_t n, size_t min_size, double *q)
{
	size_t best = n;

	*q = -INFINITY;
	if (min_size < 2)
		min_size = 2;
	if (n < 2 * min_size)
		return n;
	/* within(X), within(Y) and between(X, Y) as tau moves one value from
	 * Y to X: each step costs O(n) instead of recomputing O(n^2) */
	double wx = 0, wy = 0, bxy = 0;
	for (size_t i = 0; i < n; i++)
		wy += dist_sum(v, i + 1, n, v[i]);
	for (size_t tau = 1; tau + min_size <= n; tau++) {
		double z = v[tau - 1];
		double to_x = dist_sum(v, 0, tau - 1, z), to_y = dist_sum(v, tau, n, z);
		wx += to_x;
		wy -= to_y;
		bxy += to_y - to_x;
		if (tau < min_size)
			continue;
		double m = (double)tau, k = (double)(n - tau);
		double e = 2 * bxy / (m * k) - wx / (m * (m - 1) / 2) - wy / (k * (k - 1) / 2);
		double score = m * k / (m + k) * e;
		if (score > *q) {
			*q = score;
			best = tau;
		}
	}
	return best;
}

/* Fisher-Yates with splitmix64. */
static void shuffle(double *v, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(splitmix64(state) % i);
		double t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* The permutation p of the best split's statistic q in v[0..n). */
static double permutation_p(const double *v, size_t n, double q, const struct cp_params *p, uint64_t *state)
{
	double *w = xmalloc(n * sizeof(*w)), qs;
	unsigned above = 0;

	memcpy(w, v, n * sizeof(*w));
	for (unsigned r = 0; r < p->permutations; r++) {
		shuffle(w, n, state);
		cp_best_split(w, n, p->min_size, &qs);
		above += qs >= q;
	}
	free(w);
	return (1.0 + above) / (1.0 + p->permutations);
}

static double median_of(const double *v, size_t n)
{
	double *w = xmalloc((n + 1) * sizeof(*w));

	memcpy(w, v, n * sizeof(*w));
	sort_doubles(w, n);
	double m = n ? gsl_stats_median_from_sorted_data(w, 1, n) : NAN;
	free(w);
	return m;
}

struct cp_search {
	const double *v;
	const struct cp_params *p;
	uint64_t state;
	struct change_point *cp;
	size_t n;
};

/* Bisection: the best split of v[from..to), tested; when significant,
 * each side in turn. */
static void search(struct cp_search *s, size_t from, size_t to)
{
	double q;
	size_t len = to - from, tau = cp_best_split(s->v + from, len, s->p->min_size, &q);

	if (tau >= len || !(q > 0))
		return;
	double pval = permutation_p(s->v + from, len, q, s->p, &s->state);
	if (pval >= s->p->alpha)
		return;
	s->cp = xrealloc(s->cp, (s->n + 1) * sizeof(*s->cp));
	s->cp[s->n++] = (struct change_point){ .index = from + tau, .q = q, .p = pval };
	search(s, from, from + tau);
	search(s, from + tau, to);
}

static int by_index(const void *a, const void *b)
{
	const struct change_point *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

size_t cp_find(const double *v, size_t n, const struct cp_params *p, struct change_point **out)
{
	struct cp_search s = { .v = v, .p = p, .state = p->seed };

	search(&s, 0, n);
	if (s.n) /* qsort of NULL, 0 is undefined */
		qsort(s.cp, s.n, sizeof(*s.cp), by_index);
	/* the levels either side: between the neighbouring change points */
	for (size_t i = 0; i < s.n; i++) {
		size_t from = i ? s.cp[i - 1].index : 0, to = i + 1 < s.n ? s.cp[i + 1].index : n;
		s.cp[i].before = median_of(v + from, s.cp[i].index - from);
		s.cp[i].after = median_of(v + s.cp[i].index, to - s.cp[i].index);
	}
	*out = s.cp;
	return s.n;
}

double cp_smallest_p(size_t n, const struct cp_params *p)
{
	if (n < 2 * p->min_size)
		return 1;
	double orders = 1; /* C(n, n/2) */
	for (size_t i = 1; i <= n / 2; i++)
		orders = orders * (double)(n - n / 2 + i) / (double)i;
	return fmax(2 / orders, 1.0 / (1.0 + p->permutations));
}
