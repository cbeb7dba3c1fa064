/* The rules file of pinbench gate, and the default rules without one. */
#include "config.h"
#include "gate.h"
#include "ini_doc.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule R;
static const struct scenario_key rule_keys[] = {
	OPT_STRING(R, metric, "metric", "", NULL,
		   "the metric: pin_latency, failure_rate, vmstat.NAME... (as compare names them)"),
	OPT_CHOICE(R, statistic, "statistic", "", "|median|mean|p90|p99|p999|min|max|sum|rate",
		   "median (default), mean, p90, p99, p999, min, max, sum; rate for failure_rate"),
	OPT_CHOICE(R, direction, "direction", "", "|lower|higher", "lower or higher is better (default: the metric's)"),
	OPT_STRING(R, max_regression, "max_regression", "", NULL,
		   "against the baseline: 5% (relative) or an amount (2ms)"),
	OPT_STRING(R, max, "max", "", NULL,
		   "on the candidate alone: the statistic must not exceed this (0.1% for rates)"),
	OPT_STRING(R, min, "min", "", NULL, "on the candidate alone: the statistic must reach this"),
	OPT_CHOICE(R, require, "require", "", "|both|threshold|significance",
		   "both (default): fail only when beyond the threshold and significant; threshold; significance"),
};
_Static_assert(ARRAY_SIZE(rule_keys) <= ARRAY_SIZE(((struct rule *)0)->key_line), "key_line too short");

struct defaults {
	char alpha[OPT_STRING_MAX];
	char require[OPT_STRING_MAX];
	char correction[OPT_STRING_MAX];
};

typedef struct defaults D;
static const struct scenario_key default_keys[] = {
	OPT_STRING(D, alpha, "alpha", "", NULL, "significance level (default 0.05)"),
	OPT_CHOICE(D, require, "require", "both", "|both|threshold|significance", "the default of every rule's require"),
	OPT_CHOICE(D, correction, "correction", "", "|holm|bonferroni|none",
		   "holm (default), bonferroni or none: the adjustment of p over the rules that need significance"),
};

static int rule_error(struct ini_doc *d, const char *section, const char *key, const char *why)
{
	const struct ini_entry *e = ini_doc_find(d, section, key);

	snprintf(d->err, d->errlen, "%s:%u: [%s] key '%s': %s", d->name,
		 e ? e->line : ini_doc_section_line(d, section), section, key, why);
	return -1;
}

static int read_defaults(struct ini_doc *d, struct rules *rs)
{
	struct defaults def;
	char *end;

	if (ini_doc_apply_with_defaults(d, "defaults", default_keys, ARRAY_SIZE(default_keys), &def))
		return -1;
	snprintf(rs->require, sizeof(rs->require), "%s", def.require);
	if (*def.correction) {
		rs->correction = (enum correction)correction_parse(def.correction);
		rs->correction_given = true;
	}
	if (*def.alpha) {
		rs->alpha = strtod(def.alpha, &end);
		if (*end || end == def.alpha || !(rs->alpha > 0 && rs->alpha < 1))
			return rule_error(d, "defaults", "alpha", "is not a number between 0 and 1");
		rs->alpha_given = true;
	}
	return 0;
}

static int read_rule(struct ini_doc *d, const char *section, struct rules *rs)
{
	struct rule r;

	if (ini_doc_apply_with_defaults(d, section, rule_keys, ARRAY_SIZE(rule_keys), &r))
		return -1;
	snprintf(r.name, sizeof(r.name), "%s", section);
	r.line = ini_doc_section_line(d, section);
	for (size_t k = 0; k < ARRAY_SIZE(rule_keys); k++) {
		const struct ini_entry *e = ini_doc_find(d, section, rule_keys[k].key);
		r.key_line[k] = e ? e->line : 0;
	}
	if (!*r.metric)
		return rule_error(d, section, "metric", "is required (e.g. metric = pin_latency)");
	if (!*r.max_regression && !*r.max && !*r.min)
		return rule_error(d, section, "max_regression", "a rule needs max_regression, or max and/or min");
	if (*r.max_regression && (*r.max || *r.min))
		return rule_error(d, section, *r.max ? "max" : "min",
				  "cannot be combined with max_regression (make two rules)");
	/* What can be told without the metric's unit. */
	char *end, *end2;
	double v = strtod(r.max_regression, &end);
	if (*r.max_regression && end != r.max_regression && v < 0)
		return rule_error(d, section, "max_regression",
				  "is negative: a rule allows at most this much regression (0 allows none)");
	double hi = strtod(r.max, &end), lo = strtod(r.min, &end2);
	if (*r.max && *r.min && end != r.max && end2 != r.min && !strcmp(end, end2) && lo > hi)
		return rule_error(d, section, "max", "is less than min: no value could pass");
	if (!*r.require)
		snprintf(r.require, sizeof(r.require), "%s", rs->require);
	rs->r = xrealloc(rs->r, (rs->n + 1) * sizeof(*rs->r));
	rs->r[rs->n++] = r;
	return 0;
}

int rules_load(const char *path, struct rules *rs, char *err, size_t errlen)
{
	struct ini_doc d = { .name = path, .hint = " (start a rule with [name])", .err = err, .errlen = errlen };
	char *text = ini_doc_read(path, err, errlen);
	size_t nsections = 0;
	const char **sections = NULL;
	int ret = -1;

	memset(rs, 0, sizeof(*rs));
	rs->path = xstrdup(path);
	rs->alpha = 0.05;
	if (!text || ini_doc_parse(&d, text) || read_defaults(&d, rs))
		goto out;
	sections = ini_doc_sections(&d, &nsections);
	ret = 0;
	for (size_t i = 0; i < nsections && !ret; i++)
		if (strcmp(sections[i], "defaults"))
			ret = read_rule(&d, sections[i], rs);
	if (!ret && !rs->n) {
		snprintf(err, errlen, "%s: no rules (add e.g. [latency] with metric = pin_latency, max_regression = 5%%)",
			 path);
		ret = -1;
	}
out:
	free(sections);
	ini_doc_free(&d);
	free(text);
	if (ret)
		rules_free(rs);
	return ret;
}

void rules_default(const struct dataset *base, double pct, struct rules *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->alpha = 0.05;
	rs->r = xcalloc(base->nm + 2, sizeof(*rs->r));
	for (size_t i = 0; i < base->nm; i++) {
		/* latencies; a sample file is taken for one unless --higher-is-better */
		const struct metric *m = &base->m[i];
		if (!metric_is_latency(m) && (base->run_json || m->better != BETTER_LOWER))
			continue;
		/* per-node latencies repeat pin_latency and would only widen
		 * the family: compare shows them */
		if (strstr(m->name, ".node"))
			continue;
		struct rule *r = &rs->r[rs->n++];
		snprintf(r->name, sizeof(r->name), "%s", base->m[i].name);
		snprintf(r->metric, sizeof(r->metric), "%s", base->m[i].name);
		snprintf(r->statistic, sizeof(r->statistic), "median");
		snprintf(r->require, sizeof(r->require), "both");
		snprintf(r->max_regression, sizeof(r->max_regression), "%g%%", pct);
	}
	/* Pins that fail more often (Fisher's test) fail the gate, at any
	 * rate: that is the regression a long-term pin benchmark exists for.
	 * Where the tracepoint told the causes apart, so do pins that fail
	 * more often with a THP neither migrated nor split behind them
	 * (a failed split), whatever else fails them. */
	static const char *const rates[] = { "failure_rate", "thp_failure_rate" };
	for (size_t i = 0; i < ARRAY_SIZE(rates); i++) {
		if (!dataset_metric(base, rates[i]) || !base->run_json)
			continue;
		struct rule *r = &rs->r[rs->n++];
		snprintf(r->name, sizeof(r->name), "%s", rates[i]);
		snprintf(r->metric, sizeof(r->metric), "%s", rates[i]);
		snprintf(r->statistic, sizeof(r->statistic), "rate");
		snprintf(r->require, sizeof(r->require), "both");
		snprintf(r->max_regression, sizeof(r->max_regression), "0");
	}
}

void rules_free(struct rules *rs)
{
	free(rs->path);
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

unsigned rule_key_line(const struct rule *r, const char *key)
{
	for (size_t k = 0; k < ARRAY_SIZE(rule_keys); k++)
		if (!strcmp(rule_keys[k].key, key) && r->key_line[k])
			return r->key_line[k];
	return r->line;
}
