/* One candidate against the baseline, metric by metric: changes with
 * confidence intervals, the tests, Holm's adjustment across the metrics
 * and a direction-aware verdict.
 *
 * The unit of the tests: when both sides hold at least two runs, the
 * tests compare one value per run (its median; its rate), so that the
 * spread between runs (boots, kernels) is not hidden by thousands of
 * samples from one run; otherwise they compare the pooled samples. The
 * changes of median and p99 and their intervals always use the pooled
 * samples. Failure rates are compared with Fisher's exact test on the
 * pooled counts. */
#ifndef PB_COMPARE_H
#define PB_COMPARE_H

#include "dataset.h"
#include "hypothesis.h"
#include "shift.h"

struct change {
	double rel, lo, hi; /* candidate / base - 1, NAN when undefined */
};

struct metric_comparison {
	const struct metric *base, *cand; /* either may be NULL */
	const char *name, *unit;
	enum better better;
	enum metric_kind kind;
	bool per_run;            /* tests on per-run values */
	size_t n_base, n_cand;   /* values behind the tests */
	double base_median, cand_median, base_p99, cand_p99;
	struct change median, p99;
	struct mann_whitney mw;
	double p_welch;
	struct hodges_lehmann hl;
	double p_fisher;         /* METRIC_RATE */
	double p;                /* the primary test: Mann-Whitney, or Fisher for rates */
	double p_adjusted;       /* Holm across the metrics of this comparison */
	double direction;        /* > 0: the candidate is larger */
	const char *verdict;     /* improved, regressed, increased, decreased, no significant change,
				  * no change (the same constant), not testable */
	bool regressed, improved, changed; /* changed: significant either way */
	bool constant;           /* the same single value on both sides */
};

struct comparison {
	const struct dataset *base, *cand;
	double alpha;
	struct metric_comparison *m;
	size_t n;
	double min_p;            /* smallest p the per-run test can reach; NAN with samples */
	struct metric *zeros;    /* counters a run directory left out because they stayed 0 */
	size_t nzeros;
};

/* Compares every metric of either side, and the vmstat counters named in
 * extra ("vmstat.NAME") that did not move on either side. */
void compare_datasets(const struct dataset *base, const struct dataset *cand, double alpha,
		      const char *const *extra, size_t nextra, struct comparison *c);
void comparison_free(struct comparison *c);
/* The change of one statistic, with the interval of the ratio of two
 * independent order-statistic intervals (each at level sqrt(1 - alpha)). */
struct change quantile_change(const struct metric *base, const struct metric *cand, double q, double alpha);

#endif
