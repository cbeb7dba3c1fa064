/* The Hodges-Lehmann estimate of the shift between two samples (the
 * median of all n*m differences y_j - x_i) and its confidence interval,
 * without forming the n*m differences. */
#ifndef PB_SHIFT_H
#define PB_SHIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The k-th smallest (1 <= k <= n*m) of the differences y_j - x_i of two
 * samples sorted ascending. Expected O((n + m) log(n*m) / log(s)) time
 * for a sample of s = 262144 differences per round (see shift.c). */
double pairwise_diff_select(const double *x, size_t n, const double *y, size_t m, uint64_t k);

struct hodges_lehmann {
	double shift;  /* candidate y minus baseline x */
	double lo, hi; /* NAN when the samples are too small for the level */
};

/* The interval is [d(k), d(nm + 1 - k)] with k from the Mann-Whitney null
 * distribution (Hollander & Wolfe): exact when `exact`, otherwise the
 * normal approximation k = floor(nm/2 - z * sqrt(nm(n+m+1)/12)). */
void hodges_lehmann(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
		    struct hodges_lehmann *r);

/* The interval alone (shift NAN): what a relative interval needs. */
void hodges_lehmann_interval(const double *x, size_t n, const double *y, size_t m, double alpha, bool exact,
			     struct hodges_lehmann *r);

#endif
