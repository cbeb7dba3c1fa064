/* Two-sample tests. Samples are sorted ascending; "x" is the baseline and
 * "y" the candidate throughout. Conventions follow SciPy's so that its
 * results can serve as the reference (tests/unit/fixtures). */
#ifndef PB_HYPOTHESIS_H
#define PB_HYPOTHESIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mann_whitney {
	double u1;           /* U of x: #(x > y) + #(x == y) / 2 */
	double p;            /* two-sided */
	bool exact;          /* exact null distribution (one side <= 8, no ties) */
	double cliffs_delta; /* P(y > x) - P(y < x), in [-1, 1] */
};

/* Mann-Whitney U test, as scipy.stats.mannwhitneyu(x, y) with
 * method='auto': the exact distribution when one sample has at most 8
 * values and there are no ties, otherwise the normal approximation with
 * tie and continuity corrections. p is NAN when a sample is empty. */
void mann_whitney(const double *x, size_t n, const double *y, size_t m, struct mann_whitney *r);

/* The smallest two-sided p mann_whitney can give with n and m values:
 * its p for two samples that do not overlap. */
double mann_whitney_min_p(size_t n, size_t m);

/* P(U <= u) for u = 0..n*m under the null hypothesis, no ties: the
 * coefficients of the Gaussian binomial [n+m choose n]_q, normalised.
 * Returns a malloc'd array of n*m + 1 values. */
double *mann_whitney_null_cdf(size_t n, size_t m);

/* Welch's unequal-variances t-test, two-sided p (NAN when either sample
 * has fewer than two values, or both have zero variance and one mean). */
double welch_p(const double *x, size_t n, const double *y, size_t m);

/* Fisher's exact test of the 2x2 table [[a, b], [c, d]], two-sided as
 * scipy.stats.fisher_exact: the sum of the probabilities of all tables
 * with the same margins no more likely than the observed one. */
double fisher_exact_p(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/* Holm-Bonferroni adjusted p-values; NAN entries are skipped and stay
 * NAN, and do not count as hypotheses. */
void holm_adjust(const double *p, size_t n, double *adjusted);

#endif
