/* Descriptive statistics of a sample, with distribution-free confidence
 * intervals. GSL does the sorting, the quantiles and the binomial
 * distribution; quantile definitions are GSL's (linear interpolation
 * between order statistics). */
#ifndef PB_STATS_H
#define PB_STATS_H

#include <stddef.h>
#include <stdint.h>

struct describe {
	size_t n;
	double min, max, mean, stddev, cv; /* cv: NAN unless every value >= 0 and the mean > 0 */
	double p50, p90, p99, p999;
};

/* Sorts v in place and describes it. n may be 0 (everything NAN). */
void describe(double *v, size_t n, struct describe *d);
/* The same for data already sorted ascending. */
void describe_sorted(const double *v, size_t n, struct describe *d);

void sort_doubles(double *v, size_t n);

/* Replaces GSL's default error handler, which aborts the process (on
 * extreme values such as 1e100, deep inside a distribution function),
 * with one that only counts the error: the function then returns NaN or
 * its best value, and no input can abort pinbench. Called by main() and
 * by every program that links the analysis. */
void stats_init(void);
/* GSL errors since the last call (and resets the count). */
unsigned stats_gsl_errors(void);

/* A confidence interval for the q-quantile of the population a sorted
 * sample came from, by the order-statistic (binomial) method: the pair of
 * order statistics X(l) <= X(u) that covers the quantile with probability
 * at least 1 - alpha, splitting alpha evenly between the two tails. When
 * the sample is too small for a side, that side is NAN (unbounded). */
void quantile_ci(const double *sorted, size_t n, double q, double alpha, double *lo, double *hi);
/* The 1-based ranks behind quantile_ci (0 and n + 1 mean unbounded). */
void quantile_ci_ranks(size_t n, double q, double alpha, size_t *l, size_t *u);

/* Wilson score interval for a proportion k/n (NAN when n is 0). */
void wilson_ci(uint64_t k, uint64_t n, double alpha, double *lo, double *hi);

#endif
