/* One candidate against the baseline, metric by metric: changes with
 * confidence intervals, the tests, an adjustment across the metrics of
 * the candidate (Holm's by default) and a direction-aware verdict.
 *
 * The unit: when both sides hold at least two runs, the tests and the
 * intervals of the median and of p99 use one value per run (its median,
 * its p99), so that the spread between runs (boots, kernels) is not
 * hidden by thousands of samples from one run; otherwise the pooled
 * samples (see effect.h). Failure rates are compared with Fisher's exact
 * test on the pooled pins. */
#ifndef PB_COMPARE_H
#define PB_COMPARE_H

#include "dataset.h"
#include "differences.h"
#include "hypothesis.h"
#include "shift.h"

struct change {
	double rel, lo, hi; /* candidate / base - 1, NAN when undefined */
};

enum correction { CORRECT_HOLM, CORRECT_BONFERRONI, CORRECT_NONE };
extern const char *const correction_names[3];
/* -1 when name is none of holm, bonferroni, none. */
int correction_parse(const char *name);
/* Adjusted p-values of a family (NAN entries are not hypotheses). */
void correct_p(enum correction how, const double *p, size_t n, double *adjusted);
/* The alpha a single test must reach for the family to reject it at all:
 * alpha / size for Holm and Bonferroni (Holm's first step), alpha for none. */
double family_alpha(enum correction how, double alpha, size_t size);

/* What a verdict says, one kind a row: every view counts, colours and
 * explains rows by it, so none can sum a row up as another does. */
enum verdict_kind {
	VERDICT_REGRESSED, VERDICT_IMPROVED, VERDICT_CHANGED, /* significant; changed: no better side */
	VERDICT_UNDECIDED,       /* the test cannot reach the family's alpha with these runs */
	VERDICT_NOT_SIGNIFICANT, /* it could have, and did not (or not after the adjustment) */
	VERDICT_NO_CHANGE,       /* one value on both sides */
	VERDICT_NOT_TESTABLE, VERDICT_ONE_SIDED,
	VERDICT_KINDS
};
/* How a summary counts rows of each kind: "regressed", "undecided (too few runs)"... */
extern const char *const verdict_kind_names[VERDICT_KINDS];

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
	double p_adjusted;       /* across the metrics of this comparison */
	double min_p;            /* the smallest p these sizes allow */
	double direction;        /* > 0: the candidate is larger */
	const char *verdict;     /* improved, regressed, increased, decreased, no significant change,
				  * no change (the same constant), not testable */
	enum verdict_kind outcome;
	bool regressed, improved, changed; /* changed: significant either way */
	bool constant;           /* the same single value on both sides */
	bool reachable;          /* the test could reach alpha after the adjustment */
	double tail_p;           /* p99's test, unadjusted */
	char warning[320];       /* the tail moved against the median ("" when not) */
};

struct comparison {
	const struct dataset *base, *cand;
	double alpha;
	enum correction correction;
	size_t family;           /* tests in the adjustment */
	size_t runs_to_decide;   /* runs a side at which the per-run test can reach the family's alpha;
				  * 0 when these runs can, or the test is on samples */
	struct metric_comparison *m;
	size_t n;
	double min_p;            /* smallest p the per-run test can reach, unadjusted; NAN with samples */
	struct differences differences; /* of the first run.json of each side */
	bool same_runs;          /* the candidate is (some of) the base's own runs */
	struct metric *zeros;    /* counters a run directory left out because they stayed 0 */
	size_t nzeros;
};

/* Compares every metric of either side, and the vmstat counters named in
 * extra ("vmstat.NAME") that did not move on either side. */
void compare_datasets(const struct dataset *base, const struct dataset *cand, double alpha,
		      enum correction correction, const char *const *extra, size_t nextra, struct comparison *c);
/* Each of ncand candidates against base (c[k] for cand[k]), over the
 * same vmstat counters: one that moved on any side is a row of every
 * comparison (a run of zeros where it stayed 0), so that a table of
 * several candidates never reads "only in base" for a counter that did
 * not move. The families are those of compare_datasets: a counter that
 * stayed 0 on both sides is no test. */
void compare_candidates(const struct dataset *base, const struct dataset *cand, size_t ncand, double alpha,
			enum correction correction, struct comparison *c);
void comparison_free(struct comparison *c);
/* The change of one statistic, with the interval of the ratio of two
 * independent order-statistic intervals (each at level sqrt(1 - alpha)). */
struct change quantile_change(const struct metric *base, const struct metric *cand, double q, double alpha);

#endif
