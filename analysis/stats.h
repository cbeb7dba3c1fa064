/* Descriptive statistics of a sample (GSL does the sorting and the
 * quantiles; the definitions are GSL's, i.e. linear interpolation
 * between order statistics). */
#ifndef PB_STATS_H
#define PB_STATS_H

#include <stddef.h>

struct describe {
	size_t n;
	double min, max, mean, stddev;
	double p50, p90, p99, p999;
};

/* Sorts v in place and describes it. n may be 0 (everything NAN). */
void describe(double *v, size_t n, struct describe *d);

#endif
