/* CI gates: rules read from an INI file (or one rule per latency metric
 * from --max-regression), each checked against a comparison of a
 * candidate with its baseline, or against the candidate alone. */
#ifndef PB_GATE_H
#define PB_GATE_H

#include "compare.h"
#include "effect.h"
#include "options.h"

#include <stdbool.h>

enum rule_require { REQUIRE_BOTH, REQUIRE_THRESHOLD, REQUIRE_SIGNIFICANCE };

struct rule {
	char name[OPT_STRING_MAX];
	char metric[OPT_STRING_MAX];
	char statistic[OPT_STRING_MAX];  /* median, mean, p90, p99, p999, min, max, sum, rate; "" default */
	char direction[OPT_STRING_MAX];  /* lower, higher; "" from the metric */
	char require[OPT_STRING_MAX];    /* both, threshold, significance */
	char max_regression[OPT_STRING_MAX], max[OPT_STRING_MAX], min[OPT_STRING_MAX];
	unsigned line;           /* of the section */
	unsigned key_line[8];    /* of each key, in the order of gate.c's table (0: not given) */
};

struct rules {
	char *path;
	double alpha;
	bool alpha_given;
	enum correction correction;
	bool correction_given;
	char require[OPT_STRING_MAX];
	struct rule *r;
	size_t n;
};

enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_INCONCLUSIVE };

struct rule_result {
	const struct rule *rule;
	const char *statistic;
	struct effect e;         /* the test of the statistic (relative rules) */
	double base, cand;       /* the statistic on each side (base NAN for absolute rules) */
	double change;           /* regression amount: relative or in the metric's unit */
	bool relative;           /* change and limit are fractions */
	double limit;            /* the threshold (absolute rules: the bound) */
	bool limit_is_min;       /* absolute rules: the bound shown is the minimum */
	bool lower_is_better;    /* the rule's direction */
	bool tested;             /* in the family: a relative rule whose verdict needs significance */
	double p;                /* adjusted over the family; NAN when not tested */
	bool beyond, significant, reachable;
	enum outcome outcome;
	size_t runs_to_reach;    /* runs a side at which the family could decide it (0: unknown) */
	size_t runs_for_limit;   /* runs a side to detect the limit with 80 % power (0: unknown) */
	/* the numbers as printed, and a sentence with all of them */
	char base_s[32], cand_s[32], change_s[32], limit_s[40], p_s[48];
	char message[768];
};

struct gate_family {
	double alpha;
	enum correction correction;
	size_t size;             /* rules tested */
};

/* Reads a rules file; 0, or -1 with FILE:LINE: [rule] key 'k': reason. */
int rules_load(const char *path, struct rules *rs, char *err, size_t errlen);
/* One rule per latency metric of base: median, max_regression = pct %. */
void rules_default(const struct dataset *base, double pct, struct rules *rs);
void rules_free(struct rules *rs);
/* The line of key in r's section of the rules file (the section's line
 * when the key was not given). */
unsigned rule_key_line(const struct rule *r, const char *key);

/* Checks every rule: each relative rule's own test of its statistic
 * (effect.h), its p adjusted over the rules that need significance only.
 * A rule whose verdict needs a significance its test cannot reach with
 * the runs given is inconclusive. 0, or -1 with a message naming the
 * rule's line when a rule does not fit the data (unknown metric, bad
 * threshold). */
int gate_evaluate(const struct rules *rs, const struct comparison *c, struct gate_family *family,
		  struct rule_result *out, char *err, size_t errlen);

/* The outcomes of n rules counted: what the summary heads with and the
 * exit status follows. */
struct gate_tally {
	size_t failed, inconclusive;
};
struct gate_tally gate_tally(const struct rule_result *res, size_t n);

#endif
