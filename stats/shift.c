/* Selection among the n*m pairwise differences of two sorted samples.
 *
 * For a threshold t, the differences y_j - x_i <= t are counted in one
 * O(n + m) walk: as x_i falls the last qualifying j can only fall. A
 * band (lo, hi] known to hold the k-th difference is narrowed Floyd-Rivest
 * style: draw s differences uniformly from the band (one walk), sort them,
 * take the two sample values that bracket rank k with a margin of a few
 * standard deviations, and count at both (one walk). Each round shrinks
 * the band by about sqrt(s) / 6 with high probability; when a bracket
 * misses, the band still loses the pivot's ties, so the loop always ends.
 * Once the band holds few differences they are listed and sorted. */
#include "config.h"
#include "shift.h"
#include "hypothesis.h"

#include "util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#define SAMPLE_SIZE 16384
#define LIST_LIMIT 65536

struct walk {
	const double *x, *y;
	size_t n, m;
};

/* Numbers of differences <= t and < t, for two thresholds in one walk. */
struct counts {
	uint64_t le, lt;
};

static void count_at(const struct walk *w, const double t[2], struct counts c[2])
{
	size_t le[2] = { w->m, w->m }, lt[2] = { w->m, w->m };

	c[0] = c[1] = (struct counts){ 0, 0 };
	for (size_t i = w->n; i-- > 0;) {
		double xi = w->x[i];
		for (int k = 0; k < 2; k++) {
			while (le[k] > 0 && w->y[le[k] - 1] - xi > t[k])
				le[k]--;
			while (lt[k] > 0 && w->y[lt[k] - 1] - xi >= t[k])
				lt[k]--;
			c[k].le += le[k];
			c[k].lt += lt[k];
		}
	}
}

/* Row i's band is columns [a_i, b_i): differences in (lo, hi]. Visits the
 * band's differences whose rank within the band is in ranks[] (sorted),
 * or all of them when ranks is NULL. */
static size_t band_collect(const struct walk *w, double lo, double hi, const unsigned long *ranks, size_t nranks,
			   double *out)
{
	size_t a = w->m, b = w->m, got = 0;
	uint64_t base = 0;

	for (size_t i = w->n; i-- > 0;) {
		while (a > 0 && w->y[a - 1] - w->x[i] > lo)
			a--;
		while (b > 0 && w->y[b - 1] - w->x[i] > hi)
			b--;
		if (b <= a)
			continue;
		uint64_t width = b - a;
		if (!ranks) {
			for (size_t j = a; j < b; j++)
				out[got++] = w->y[j] - w->x[i];
		} else {
			while (got < nranks && ranks[got] < base + width) {
				out[got] = w->y[a + (ranks[got] - base)] - w->x[i];
				got++;
			}
		}
		base += width;
	}
	return got;
}

double pairwise_diff_select(const double *x, size_t n, const double *y, size_t m, uint64_t k)
{
	const struct walk w = { x, y, n, m };
	double lo = -INFINITY, hi = INFINITY;
	uint64_t below = 0, upto = (uint64_t)n * m; /* counts at lo and hi */
	uint64_t seed = 0x5eed;
	unsigned long *ranks = xmalloc(SAMPLE_SIZE * sizeof(*ranks));
	double *sample = xmalloc(SAMPLE_SIZE * sizeof(*sample)), answer = NAN;

	for (;;) {
		uint64_t band = upto - below, want = k - below; /* 1 <= want <= band */
		if (band <= LIST_LIMIT) {
			double *all = xmalloc(band * sizeof(*all));
			size_t got = band_collect(&w, lo, hi, NULL, 0, all);
			gsl_sort(all, 1, got);
			answer = all[want - 1];
			free(all);
			break;
		}
		for (size_t s = 0; s < SAMPLE_SIZE; s++)
			ranks[s] = (unsigned long)(((unsigned __int128)splitmix64(&seed) * band) >> 64);
		gsl_sort_ulong(ranks, 1, SAMPLE_SIZE);
		band_collect(&w, lo, hi, ranks, SAMPLE_SIZE, sample);
		gsl_sort(sample, 1, SAMPLE_SIZE);

		double pos = (double)want / (double)band * SAMPLE_SIZE;
		double margin = 3 * sqrt(SAMPLE_SIZE * 0.25) + 1;
		double p[2] = { sample[(size_t)fmax(0, pos - margin)], sample[(size_t)fmin(SAMPLE_SIZE - 1, pos + margin)] };
		struct counts c[2];
		count_at(&w, p, c);
		double p1 = p[0], p2 = p[1];
		uint64_t le1 = c[0].le, lt1 = c[0].lt, le2 = c[1].le, lt2 = c[1].lt;
		if (lt1 < k && k <= le1) {
			answer = p1;
			break;
		}
		if (lt2 < k && k <= le2) {
			answer = p2;
			break;
		}
		if (k <= lt1) { /* below p1 and its ties: no double lies between */
			hi = nextafter(p1, -INFINITY);
			upto = lt1;
		} else if (k > le2) {
			lo = p2;
			below = le2;
		} else {
			lo = p1;
			below = le1;
			hi = p2;
			upto = le2;
		}
	}
	free(ranks);
	free(sample);
	return answer;
}

/* The smallest difference > t (the next order statistic after t). */
static double next_above(const double *x, size_t n, const double *y, size_t m, double t)
{
	double best = INFINITY;
	size_t j = m;

	for (size_t i = n; i-- > 0;) { /* j: the first column with y_j - x_i > t */
		while (j > 0 && y[j - 1] - x[i] > t)
			j--;
		if (j < m && y[j] - x[i] < best)
			best = y[j] - x[i];
	}
	return best;
}

/* The rank k of the lower end: the largest k with P(U <= k - 1) <= alpha/2
 * (0 when none: the interval is unbounded). */
static uint64_t ci_rank(size_t n, size_t m, double alpha, bool exact)
{
	double nm = (double)n * (double)m;

	if (exact) {
		double *cdf = mann_whitney_null_cdf(n, m);
		uint64_t k = 0;
		while (k < (uint64_t)nm && cdf[k] <= alpha / 2)
			k++;
		free(cdf);
		return k;
	}
	double z = gsl_cdf_ugaussian_Qinv(alpha / 2);
	double k = floor(nm / 2 - z * sqrt(nm * ((double)n + (double)m + 1) / 12));
	return k < 1 ? 0 : (uint64_t)k;
}

void hodges_lehmann(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
		    struct hodges_lehmann *r)
{
	uint64_t nm = (uint64_t)n * m;

	r->shift = r->lo = r->hi = NAN;
	if (!nm)
		return;
	r->shift = pairwise_diff_select(x, n, y, m, (nm + 1) / 2);
	if (nm % 2 == 0) { /* the mean of the two middle differences */
		const struct walk w = { x, y, n, m };
		struct counts c[2];
		count_at(&w, (const double[2]){ r->shift, r->shift }, c);
		double upper = c[0].le > nm / 2 ? r->shift : next_above(x, n, y, m, r->shift);
		r->shift = (r->shift + upper) / 2;
	}
	uint64_t k = ci_rank(n, m, alpha, exact);
	if (k >= 1 && k <= nm / 2 + 1) {
		r->lo = pairwise_diff_select(x, n, y, m, k);
		r->hi = pairwise_diff_select(x, n, y, m, nm + 1 - k);
	}
}
