/* The change of one statistic between a baseline and a candidate, with
 * the test, the interval and the number of runs a decision needs, all in
 * one statistical unit:
 *
 * - runs (both sides have at least two runs with values): the statistic
 *   is computed within each run (its median, its p99, its max...), and
 *   the per-run values are compared with the Mann-Whitney U test. The
 *   interval is the Hodges-Lehmann interval of the ratio (of the shift of
 *   the logarithms; of the shift itself where a value is not positive),
 *   which excludes "no change" exactly when the test rejects. Tail
 *   quantiles thereby get a test with power at a few hundred pins, where
 *   pooled order-statistic intervals are still unbounded.
 * - samples (a side has one run): the pooled values. The median and mean
 *   as above on the values; a tail quantile by the order-statistic
 *   intervals of each side (quantile_change), its p the smallest alpha at
 *   which that interval excludes no change; min, max and sum cannot be
 *   tested.
 * - pins (failure_rate): Fisher's exact test on the pooled counts.
 *
 * p is never adjusted here: the caller knows the family. */
#ifndef PB_EFFECT_H
#define PB_EFFECT_H

#include "compare.h"
#include "dataset.h"

enum statistic {
	STAT_MEDIAN, STAT_MEAN, STAT_P90, STAT_P99, STAT_P999, STAT_MIN, STAT_MAX, STAT_SUM, STAT_RATE,
	STAT_COUNT
};

enum test_unit { UNIT_RUNS, UNIT_SAMPLES, UNIT_PINS, UNIT_NONE };

struct effect {
	enum statistic stat;
	enum test_unit unit;
	size_t n_base, n_cand;   /* values behind the test (runs, samples, pins) */
	double base, cand;       /* the statistic of each side (runs: the median of the per-run values) */
	struct change change;    /* cand / base - 1, with its interval at level 1 - alpha */
	double p;                /* two-sided, unadjusted; NAN: no test */
	double min_p;            /* the smallest p these sizes allow in the observed direction */
	double direction;        /* > 0: the candidate is larger */
	/* standard deviation of the log per-run values, each side's (NAN unless runs) */
	double log_spread_base, log_spread_cand;
	bool exact, constant;    /* exact null distribution; one value on both sides */
	const char *test;        /* "Mann-Whitney U on per-run p99", ... */
};

extern const char *const statistic_names[STAT_COUNT];
/* -1 when name is not a statistic. */
int statistic_parse(const char *name);
/* The statistic of sorted values (STAT_RATE: NAN). */
double statistic_of_sorted(const double *v, size_t n, enum statistic s);
/* The statistic within each run of m, sorted, in out (room for
 * m->ngroups or m->nruns values); returns the count. */
size_t metric_per_run(const struct metric *m, enum statistic s, double *out);
/* Whether two sides are compared run by run. */
bool effect_per_run(const struct metric *base, const struct metric *cand);

void effect_measure(const struct metric *base, const struct metric *cand, enum statistic s, double alpha,
		    struct effect *e);
/* The statistic of a side whose other side lacks the metric (a latency
 * where every pin of the other side failed), in the unit effect_measure
 * would have used against a side of other_runs runs: the median of the
 * per-run values, the statistic of the pooled values, or the rate. *n
 * gets the values behind it, *per_run the unit. NAN without values. */
double effect_one_side(const struct metric *m, enum statistic s, size_t other_runs, size_t *n, bool *per_run);

/* Runs a side (equal sides) at which a test on per-run values can reach
 * p <= alpha at all (0 when none up to 1000 can): more runs is the way
 * to a decision for every statistic but a failure rate, whose unit is
 * the pin. */
size_t runs_to_reach(double alpha);
/* The spread between runs: the standard deviation of the logarithms of
 * the per-run medians, each side about its own mean, pooled over the n
 * sides given (NULL entries skipped); NAN without two runs on a side or
 * where a value is not positive. */
double metric_log_spread(const struct metric *const *m, size_t n);
/* Runs a side to detect a relative change `change` of the statistic with
 * the given power at level alpha (two-sided; the family's alpha), from
 * each side's spread between runs (sd of its log per-run values): the
 * fewest runs at which the verdict's own test, mann_whitney on per-run
 * values, rejects in that share of 2000 simulated pairs of sides (log
 * normal per-run values, a fixed seed), and at least runs_to_reach.
 * 0 when it cannot be told or needs more than 1000. */
size_t runs_for_change_sides(double sd_base, double sd_cand, double change, double alpha, double power);
/* The same with one spread for both sides. */
size_t runs_for_change(double log_spread, double change, double alpha, double power);

#endif
