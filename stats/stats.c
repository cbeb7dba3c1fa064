#include "config.h"
#include "util.h"
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GSL sorts with heapsort, which jumps across the whole array: on 10 M
 * values nearly every step misses the cache. So GSL sorts blocks that fit
 * in cache, and bottom-up merge passes (sequential reads and writes) join
 * them. */
#define SORT_BLOCK 32768

static void merge_runs(const double *in, double *out, size_t n, size_t width)
{
	for (size_t lo = 0; lo < n; lo += 2 * width) {
		size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
		size_t i = lo, j = mid, k = lo;
		while (i < mid && j < hi)
			out[k++] = in[j] < in[i] ? in[j++] : in[i++];
		while (i < mid)
			out[k++] = in[i++];
		while (j < hi)
			out[k++] = in[j++];
	}
}

static _Thread_local unsigned gsl_errors;

static void count_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
	(void)reason;
	(void)file;
	(void)line;
	(void)gsl_errno;
	gsl_errors++;
}

void stats_init(void)
{
	gsl_set_error_handler(count_gsl_error);
}

unsigned stats_gsl_errors(void)
{
	unsigned n = gsl_errors;

	gsl_errors = 0;
	return n;
}

void sort_doubles(double *v, size_t n)
{
	double *tmp = n > SORT_BLOCK ? xmalloc(n * sizeof(*tmp)) : NULL;

	if (!tmp) { /* small, or no memory for the merge buffer */
		gsl_sort(v, 1, n);
		return;
	}
	for (size_t lo = 0; lo < n; lo += SORT_BLOCK)
		gsl_sort(v + lo, 1, n - lo < SORT_BLOCK ? n - lo : SORT_BLOCK);
	double *from = v, *to = tmp;
	for (size_t width = SORT_BLOCK; width < n; width *= 2) {
		merge_runs(from, to, n, width);
		double *t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	free(tmp);
}

void describe_sorted(const double *v, size_t n, struct describe *d)
{
	d->n = n;
	if (!n) {
		d->min = d->max = d->mean = d->stddev = d->cv = NAN;
		d->p50 = d->p90 = d->p99 = d->p999 = NAN;
		return;
	}
	d->min = v[0];
	d->max = v[n - 1];
	d->mean = gsl_stats_mean(v, 1, n);
	d->stddev = n > 1 ? gsl_stats_sd_m(v, 1, n, d->mean) : NAN;
	/* a coefficient of variation only means something for a quantity
	 * that cannot go below 0: a gauge's change (nr_isolated_anon) can,
	 * and its mean may be 1e-19 */
	d->cv = d->min >= 0 && d->mean > 0 ? d->stddev / d->mean : NAN;
	d->p50 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.50);
	d->p90 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.90);
	d->p99 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.99);
	d->p999 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.999);
}

void describe(double *v, size_t n, struct describe *d)
{
	sort_doubles(v, n);
	describe_sorted(v, n, d);
}

/* P(B <= k) for B ~ Binomial(n, q); k may be -1. */
static double binom_cdf(long long k, size_t n, double q)
{
	return k < 0 ? 0.0 : gsl_cdf_binomial_P((unsigned)k, q, (unsigned)n);
}

/* The largest k in [0, n - 1] with P(B <= k) <= p, or < p when strict
 * (-1 if none): the cdf grows with k, so bisect. */
static long long binom_last_below(size_t n, double q, double p, int strict)
{
	long long lo = 0, hi = (long long)n - 1, ans = -1;

	while (lo <= hi) {
		long long mid = lo + (hi - lo) / 2;
		double c = binom_cdf(mid, n, q);
		if (strict ? c < p : c <= p) {
			ans = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return ans;
}

/* X(l) <= quantile with probability P(B >= l) = 1 - P(B <= l - 1), so l is
 * one more than the last k with P(B <= k) <= alpha/2. Symmetrically u is
 * the first u with P(B <= u - 1) >= 1 - alpha/2: two more than the last k
 * with P(B <= k) < 1 - alpha/2. l = 0 and u = n + 1 mean unbounded. */
void quantile_ci_ranks(size_t n, double q, double alpha, size_t *l, size_t *u)
{
	*l = (size_t)(binom_last_below(n, q, alpha / 2, 0) + 1);
	long long k = binom_last_below(n, q, 1 - alpha / 2, 1);
	*u = k + 2 > (long long)n ? n + 1 : (size_t)(k + 2);
}

void quantile_ci(const double *sorted, size_t n, double q, double alpha, double *lo, double *hi)
{
	size_t l, u;

	*lo = *hi = NAN;
	if (!n)
		return;
	quantile_ci_ranks(n, q, alpha, &l, &u);
	if (l >= 1)
		*lo = sorted[l - 1];
	if (u <= n)
		*hi = sorted[u - 1];
}

void wilson_ci(uint64_t k, uint64_t n, double alpha, double *lo, double *hi)
{
	if (!n) {
		*lo = *hi = NAN;
		return;
	}
	double z = gsl_cdf_ugaussian_Qinv(alpha / 2), z2 = z * z, nn = (double)n;
	double p = (double)k / nn;
	double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double half = z / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	/* exact at the ends, where rounding would leave 1e-18 */
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
}
