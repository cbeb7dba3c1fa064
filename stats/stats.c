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

/* GSL sorts with heapsort, which jumps across the whole array: on 1 M
 * values nearly every step misses the cache. Large arrays are sorted by
 * least-significant-digit radix on the values' bits instead: six
 * sequential passes of 11 bits, fewer when the values share a digit (the
 * exponent of latencies mostly does). The bits are made to order as the
 * numbers do: a negative value's bits all flipped, a positive's sign bit
 * set. They are moved with memcpy: never read as a double. */
#define SORT_BLOCK 32768
#define RADIX_BITS 11
#define RADIX_PASSES 6
#define RADIX_BUCKETS (1u << RADIX_BITS)

static uint64_t load_bits(const void *base, size_t i)
{
	uint64_t u;

	memcpy(&u, (const char *)base + i * sizeof(u), sizeof(u));
	return u;
}

static void store_bits(void *base, size_t i, uint64_t u)
{
	memcpy((char *)base + i * sizeof(u), &u, sizeof(u));
}

static uint64_t ordered_bits(uint64_t u)
{
	return u >> 63 ? ~u : u | (1ull << 63);
}

static uint64_t value_bits(uint64_t u)
{
	return u >> 63 ? u & ~(1ull << 63) : ~u;
}

static void radix_sort(double *v, size_t n, uint64_t *tmp)
{
	size_t(*count)[RADIX_BUCKETS] = xcalloc(RADIX_PASSES, sizeof(*count));
	void *from = v, *to = tmp;

	for (size_t i = 0; i < n; i++) {
		uint64_t u = ordered_bits(load_bits(v, i));
		store_bits(v, i, u);
		for (unsigned p = 0; p < RADIX_PASSES; p++)
			count[p][(u >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1)]++;
	}
	for (unsigned p = 0; p < RADIX_PASSES; p++) {
		unsigned shift = p * RADIX_BITS;
		if (count[p][(load_bits(from, 0) >> shift) & (RADIX_BUCKETS - 1)] == n)
			continue; /* every value has this digit */
		size_t at = 0;
		for (size_t d = 0; d < RADIX_BUCKETS; d++) {
			size_t c = count[p][d];
			count[p][d] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t u = load_bits(from, i);
			store_bits(to, count[p][(u >> shift) & (RADIX_BUCKETS - 1)]++, u);
		}
		void *t = from;
		from = to;
		to = t;
	}
	for (size_t i = 0; i < n; i++)
		store_bits(v, i, value_bits(load_bits(from, i)));
	free(count);
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
	uint64_t *tmp = n > SORT_BLOCK ? malloc(n * sizeof(*tmp)) : NULL;

	if (!tmp) { /* small, or no memory for the second buffer */
		gsl_sort(v, 1, n);
		return;
	}
	radix_sort(v, n, tmp);
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
	/* a sum over n: exact for counts (GSL's running mean leaves -4e-19
	 * of a mean that is 0) */
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	d->mean = sum / (double)n;
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
