/* Change points of a series (one value per run, in time order), by an
 * E-divisive-style method (Matteson and James, "A nonparametric approach
 * for multiple change point analysis of multivariate data", 2014):
 *
 * 1. In a segment, every split tau with at least min_size values on each
 *    side is scored by the energy statistic of the two sides X (before)
 *    and Y (from tau on), with exponent 1:
 *        q = m n / (m + n) * (2/(m n) sum|x - y| - sum_{i<k}|x_i - x_k| / C(m,2)
 *                                                - sum_{i<k}|y_i - y_k| / C(n,2))
 *    It is large when the two sides differ in any way (level, spread),
 *    and assumes no distribution. The best split maximizes q.
 * 2. Its significance: the segment's values are shuffled `permutations`
 *    times (splitmix64 from `seed`: the same answer on every machine) and
 *    the best q of each shuffle computed; p = (1 + shuffles scoring at
 *    least q) / (1 + permutations).
 * 3. When p < alpha the split is a change point and both sides are
 *    searched again the same way (bisection), until no segment has a
 *    significant split or is shorter than 2 * min_size.
 *
 * One scan costs O(n^2) (the sums are updated as tau moves), so a series
 * of 1,000 runs with 199 permutations takes well under a second. */
#ifndef PB_CHANGEPOINT_H
#define PB_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

struct cp_params {
	double alpha;          /* significance of each split (default 0.05) */
	unsigned permutations; /* shuffles per test (default 199) */
	size_t min_size;       /* values on each side of a split, at least 2 (default 3) */
	uint64_t seed;         /* of the shuffles (default 1) */
};

struct change_point {
	size_t index;          /* the first value of the new level */
	double q;              /* the energy statistic of the split */
	double p;              /* permutation p of the split in its segment */
	double before, after;  /* medians of the segments on either side */
};

void cp_defaults(struct cp_params *p);
/* The change points of v[0..n), in index order, into *out (malloc'd;
 * free it). Returns their count. */
size_t cp_find(const double *v, size_t n, const struct cp_params *p, struct change_point **out);
/* The best split of v[0..n) and its statistic (for the tests): n when
 * the series is too short. */
size_t cp_best_split(const double *v, size_t n, size_t min_size, double *q);

/* The least p any split of n values can get: a shuffle that puts each
 * side's values back on its side (in any order, or the sides swapped)
 * scores the same, and 2 in C(n, k) shuffles do, fewest at k = n/2; and
 * never below 1 / (1 + permutations). 1 when n holds no split. A series
 * with this at or above alpha cannot show a change point, however large
 * the step. */
double cp_smallest_p(size_t n, const struct cp_params *p);

#endif
