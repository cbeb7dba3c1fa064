#include "config.h"
#include "stats.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

void describe(double *v, size_t n, struct describe *d)
{
	d->n = n;
	if (!n) {
		d->min = d->max = d->mean = d->stddev = NAN;
		d->p50 = d->p90 = d->p99 = d->p999 = NAN;
		return;
	}
	gsl_sort(v, 1, n);
	d->min = v[0];
	d->max = v[n - 1];
	d->mean = gsl_stats_mean(v, 1, n);
	d->stddev = n > 1 ? gsl_stats_sd_m(v, 1, n, d->mean) : 0;
	d->p50 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.50);
	d->p90 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.90);
	d->p99 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.99);
	d->p999 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.999);
}
