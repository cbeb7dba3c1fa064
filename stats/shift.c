/* Selection among the n*m pairwise differences of two sorted samples.
 *
 * For a threshold t, the differences y_j - x_i <= t are counted in one
 * O(n + m) walk: as x_i falls the last qualifying j can only fall. A
 * band (lo, hi] known to hold the wanted ranks is narrowed Floyd-Rivest
 * style: draw s differences uniformly from the band, take the sample
 * values that bracket each wanted rank with a margin of three standard
 * deviations, and count at all bracket ends in one walk. Each round
 * shrinks the band by about sqrt(s) / 6 with high probability. Several
 * ranks (the shift and both interval ends) share a band, and its walks,
 * for as long as their brackets overlap. The first round draws random
 * pairs (no walk); later ones visit the band at sorted random ranks (one
 * walk). A band that does not shrink is one of ties: counting below the
 * tied value settles it. Once the band holds few differences they are
 * listed and the ranks selected. */
#include "config.h"
#include "shift.h"
#include "hypothesis.h"

#include "util.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#define SAMPLE_SIZE 262144
#define LIST_LIMIT (1u << 21)
#define MAX_RANKS 4 /* the shift's two middle ranks and both interval ends */

struct walk {
	const double *x, *y;
	size_t n, m;
	uint64_t seed;
	double *sample;
	unsigned long *ranks;
};

/* A band: the differences in (lo, hi], of which `below` are <= lo and
 * `upto` are <= hi. */
struct band {
	double lo, hi;
	uint64_t below, upto;
};

/* The first column p' <= p of row xi whose difference exceeds t, with
 * every column from p' up to p exceeding it. With as many rows as columns
 * a row's pointer moves about once: four comparisons summed (y ascends, so
 * those true are the nearest) replace a loop whose exit mispredicts. */
static inline size_t fall(const double *y, size_t p, double xi, double t)
{
	if (p >= 4) {
		size_t d = (size_t)(y[p - 1] - xi > t) + (size_t)(y[p - 2] - xi > t) + (size_t)(y[p - 3] - xi > t) +
			   (size_t)(y[p - 4] - xi > t);
		p -= d;
		if (d < 4)
			return p;
	}
	while (p > 0 && y[p - 1] - xi > t)
		p--;
	return p;
}

/* The number of differences <= t[q] for each of nt ascending thresholds,
 * in one walk. */
static void count_le(const struct walk *w, const double *t, size_t nt, uint64_t *le)
{
	size_t p[2 * MAX_RANKS];

	for (size_t q = 0; q < nt; q++) {
		p[q] = w->m;
		le[q] = 0;
	}
	for (size_t i = w->n; i-- > 0;) {
		double xi = w->x[i];
		for (size_t q = 0; q < nt; q++) {
			p[q] = fall(w->y, p[q], xi, t[q]);
			le[q] += p[q];
		}
	}
}

/* Row i's band is columns [a_i, b_i): differences in (lo, hi]. Visits the
 * band's differences whose rank within the band is in ranks[] (sorted),
 * or all of them when ranks is NULL. */
static size_t band_collect(const struct walk *w, const struct band *b, const unsigned long *ranks, size_t nranks,
			   double *out)
{
	size_t a = w->m, e = w->m, got = 0;
	uint64_t base = 0;

	for (size_t i = w->n; i-- > 0;) {
		a = fall(w->y, a, w->x[i], b->lo);
		e = fall(w->y, e, w->x[i], b->hi);
		if (e <= a)
			continue;
		uint64_t width = e - a;
		if (!ranks) {
			for (size_t j = a; j < e; j++)
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

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Puts the k-th smallest (from 0) of v[0..n) at v[k], smaller ones before
 * it and larger ones after (Hoare's selection, median of three). */
static void select_nth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		double pivot = v[mid];
		size_t i = lo, j = hi;
		for (;;) {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i >= j)
				break;
			swap(&v[i++], &v[j--]);
		}
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
}

/* The values at ascending positions pos[] of v[0..n), which is reordered. */
static void select_positions(double *v, size_t n, const size_t *pos, size_t np, double *out)
{
	size_t from = 0;

	for (size_t q = 0; q < np; q++) {
		if (pos[q] >= from) {
			select_nth(v + from, n - from, pos[q] - from);
			from = pos[q] + 1;
		}
		out[q] = v[pos[q]];
	}
}

static double exponential(uint64_t *seed)
{
	return -log(((double)(splitmix64(seed) >> 11) + 0.5) * 0x1p-53);
}

/* s differences drawn uniformly from the band: random pairs when it is
 * every difference, otherwise the band's members at sorted random ranks
 * (cumulative exponential spacings: sorted as drawn). */
static size_t draw_sample(struct walk *w, const struct band *b)
{
	uint64_t size = b->upto - b->below;

	if (b->below == 0 && b->upto == (uint64_t)w->n * w->m) {
		for (size_t s = 0; s < SAMPLE_SIZE; s++) {
			size_t i = (size_t)(((unsigned __int128)splitmix64(&w->seed) * w->n) >> 64);
			size_t j = (size_t)(((unsigned __int128)splitmix64(&w->seed) * w->m) >> 64);
			w->sample[s] = w->y[j] - w->x[i];
		}
		return SAMPLE_SIZE;
	}
	double sum = 0;
	for (size_t s = 0; s < SAMPLE_SIZE; s++) {
		sum += exponential(&w->seed);
		w->sample[s] = sum;
	}
	sum += exponential(&w->seed);
	for (size_t s = 0; s < SAMPLE_SIZE; s++) {
		double r = floor(w->sample[s] / sum * (double)size);
		w->ranks[s] = r >= (double)size ? (unsigned long)(size - 1) : (unsigned long)r;
	}
	return band_collect(w, b, w->ranks, SAMPLE_SIZE, w->sample);
}

/* Lists the band and picks each rank from it. */
static void pick_listed(const struct walk *w, const struct band *b, const uint64_t *k, size_t nk, double *out)
{
	uint64_t size = b->upto - b->below;
	double *all = xmalloc((size ? size : 1) * sizeof(*all));
	size_t pos[MAX_RANKS] = { 0 };

	size_t got = band_collect(w, b, NULL, 0, all);
	for (size_t q = 0; q < nk; q++)
		pos[q] = (size_t)(k[q] - b->below - 1);
	select_positions(all, got, pos, nk, out);
	free(all);
}

static void narrow(struct walk *w, struct band b, const uint64_t *k, size_t nk, double *out);

/* The band held nothing but differences <= v, its top value: those equal
 * to v are counted apart (everything below v is <= nextafter(v, -inf)). */
static void settle_ties(struct walk *w, struct band b, double v, const uint64_t *k, size_t nk, double *out)
{
	double below_v = nextafter(v, -INFINITY);
	uint64_t lt;
	size_t q = 0;

	count_le(w, &below_v, 1, &lt);
	while (q < nk && k[q] <= lt)
		q++;
	if (q)
		narrow(w, (struct band){ b.lo, below_v, b.below, lt }, k, q, out);
	for (; q < nk; q++)
		out[q] = v;
}

/* Positions in the sample that bracket each rank, brackets that overlap
 * merged: two ascending positions per bracket. */
static size_t brackets(const struct band *b, size_t ns, const uint64_t *k, size_t nk, size_t *pos)
{
	double size = (double)(b->upto - b->below), margin = 3 * sqrt((double)ns * 0.25) + 1;
	size_t np = 0;

	for (size_t q = 0; q < nk; q++) {
		double centre = (double)(k[q] - b->below) / size * (double)ns;
		size_t lo = (size_t)fmax(0, centre - margin), hi = (size_t)fmin((double)ns - 1, centre + margin);
		if (np && lo <= pos[np - 1]) {
			pos[np - 1] = hi;
		} else {
			pos[np++] = lo;
			pos[np++] = hi;
		}
	}
	return np;
}

/* The ranks k[] (ascending, all in the band) of the band's differences. */
static void narrow(struct walk *w, struct band b, const uint64_t *k, size_t nk, double *out)
{
	if (b.upto - b.below <= LIST_LIMIT) {
		pick_listed(w, &b, k, nk, out);
		return;
	}
	size_t ns = draw_sample(w, &b), pos[2 * MAX_RANKS] = { 0 }, nt = 0;
	double t[2 * MAX_RANKS];
	uint64_t le[2 * MAX_RANKS];
	size_t np = brackets(&b, ns, k, nk, pos);
	select_positions(w->sample, ns, pos, np, t);
	for (size_t q = 0; q < np; q++) /* equal values are one threshold */
		if (!nt || t[q] > t[nt - 1])
			t[nt++] = t[q];
	count_le(w, t, nt, le);
	for (size_t q = 0; q < nk;) {
		size_t a = 0, r = q + 1;
		while (a < nt && le[a] < k[q])
			a++;
		struct band sub = { a ? t[a - 1] : b.lo, a < nt ? t[a] : b.hi, a ? le[a - 1] : b.below,
				    a < nt ? le[a] : b.upto };
		while (r < nk && k[r] <= sub.upto)
			r++;
		/* a sampled value lies in every interval but the first, so only
		 * (lo, t[0]] can hold the whole band: then all of it is <= t[0] */
		if (sub.below == b.below && sub.upto == b.upto)
			settle_ties(w, sub, t[a], k + q, r - q, out + q);
		else
			narrow(w, sub, k + q, r - q, out + q);
		q = r;
	}
}

/* The differences of ranks k[] (ascending, distinct, 1..n*m). */
static void select_ranks(const double *x, size_t n, const double *y, size_t m, const uint64_t *k, size_t nk,
			 double *out)
{
	uint64_t nm = (uint64_t)n * m;
	struct walk w = { x, y, n, m, 0x5eed, NULL, NULL };

	if (nm > LIST_LIMIT) {
		w.sample = xmalloc(SAMPLE_SIZE * sizeof(*w.sample));
		w.ranks = xmalloc(SAMPLE_SIZE * sizeof(*w.ranks));
	}
	narrow(&w, (struct band){ -INFINITY, INFINITY, 0, nm }, k, nk, out);
	free(w.sample);
	free(w.ranks);
}

double pairwise_diff_select(const double *x, size_t n, const double *y, size_t m, uint64_t k)
{
	double v;

	select_ranks(x, n, y, m, &k, 1, &v);
	return v;
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

/* Adds rank k to the ascending, distinct ranks[]. */
static void add_rank(uint64_t *ranks, size_t *nk, uint64_t k)
{
	size_t q = *nk;

	for (size_t i = 0; i < *nk; i++)
		if (ranks[i] == k)
			return;
	while (q > 0 && ranks[q - 1] > k) {
		ranks[q] = ranks[q - 1];
		q--;
	}
	ranks[q] = k;
	(*nk)++;
}

static double at_rank(const uint64_t *ranks, const double *v, uint64_t k)
{
	size_t q = 0;

	while (ranks[q] != k)
		q++;
	return v[q];
}

/* The shift (when asked) and the interval, selected together: they share
 * the first rounds of narrowing. */
static void shift_and_interval(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
			       bool shift, struct hodges_lehmann *r)
{
	uint64_t nm = (uint64_t)n * m, ranks[MAX_RANKS];
	double v[MAX_RANKS];
	size_t nk = 0;

	r->shift = r->lo = r->hi = NAN;
	if (!nm)
		return;
	uint64_t k = ci_rank(n, m, alpha, exact);
	bool interval = k >= 1 && k <= nm / 2 + 1;
	if (interval) {
		add_rank(ranks, &nk, k);
		add_rank(ranks, &nk, nm + 1 - k);
	}
	if (shift) { /* the mean of the two middle differences when nm is even */
		add_rank(ranks, &nk, (nm + 1) / 2);
		add_rank(ranks, &nk, nm / 2 + 1);
	}
	if (!nk)
		return;
	select_ranks(x, n, y, m, ranks, nk, v);
	if (shift)
		r->shift = (at_rank(ranks, v, (nm + 1) / 2) + at_rank(ranks, v, nm / 2 + 1)) / 2;
	if (interval) {
		r->lo = at_rank(ranks, v, k);
		r->hi = at_rank(ranks, v, nm + 1 - k);
	}
}

void hodges_lehmann(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
		    struct hodges_lehmann *r)
{
	shift_and_interval(x, n, y, m, alpha, exact, true, r);
}

void hodges_lehmann_interval(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
			     struct hodges_lehmann *r)
{
	shift_and_interval(x, n, y, m, alpha, exact, false, r);
}
