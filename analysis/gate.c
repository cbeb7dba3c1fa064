#include "config.h"
#include "gate.h"
#include "ini_doc.h"
#include "table.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rules file ---- */

static int opt_statistic(const char *v, void *f, char *err, size_t len)
{
	return opt_choice(v, "|median|mean|p90|p99|p999|min|max|sum|rate", f, err, len);
}

static int opt_direction(const char *v, void *f, char *err, size_t len)
{
	return opt_choice(v, "|lower|higher", f, err, len);
}

static int opt_require(const char *v, void *f, char *err, size_t len)
{
	return opt_choice(v, "|both|threshold|significance", f, err, len);
}

#define R(field) offsetof(struct rule, field)
static const struct scenario_key rule_keys[] = {
	{ "metric", "", opt_string, R(metric), "the metric: pin_latency, failure_rate, vmstat.NAME... (as compare names them)" },
	{ "statistic", "", opt_statistic, R(statistic), "median (default), mean, p90, p99, p999, min, max, sum; rate for failure_rate" },
	{ "direction", "", opt_direction, R(direction), "lower or higher is better (default: the metric's)" },
	{ "max_regression", "", opt_string, R(max_regression), "against the baseline: 5% (relative) or an amount (2ms)" },
	{ "max", "", opt_string, R(max), "on the candidate alone: the statistic must not exceed this (0.1% for rates)" },
	{ "min", "", opt_string, R(min), "on the candidate alone: the statistic must reach this" },
	{ "require", "", opt_require, R(require), "both (default): fail only when beyond the threshold and significant; threshold; significance" },
};
#undef R
_Static_assert(ARRAY_SIZE(rule_keys) <= ARRAY_SIZE(((struct rule *)0)->key_line), "key_line too short");

struct defaults {
	char alpha[OPT_STRING_MAX];
	char require[OPT_STRING_MAX];
};

static const struct scenario_key default_keys[] = {
	{ "alpha", "", opt_string, offsetof(struct defaults, alpha), "significance level (default 0.05)" },
	{ "require", "both", opt_require, offsetof(struct defaults, require), "the default of every rule's require" },
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
	rs->r = xcalloc(base->nm + 1, sizeof(*rs->r));
	for (size_t i = 0; i < base->nm; i++) {
		/* latencies; a sample file is taken for one unless --higher-is-better */
		const struct metric *m = &base->m[i];
		if (!metric_is_latency(m) && (base->run_json || m->better != BETTER_LOWER))
			continue;
		struct rule *r = &rs->r[rs->n++];
		snprintf(r->name, sizeof(r->name), "%s", base->m[i].name);
		snprintf(r->metric, sizeof(r->metric), "%s", base->m[i].name);
		snprintf(r->statistic, sizeof(r->statistic), "median");
		snprintf(r->require, sizeof(r->require), "both");
		snprintf(r->max_regression, sizeof(r->max_regression), "%g%%", pct);
	}
	/* Pins that fail more often (Fisher's test) fail the gate, at any
	 * rate: that is the regression a long-term pin benchmark exists for. */
	const struct metric *fr = dataset_metric(base, "failure_rate");
	if (fr && base->run_json) {
		struct rule *r = &rs->r[rs->n++];
		snprintf(r->name, sizeof(r->name), "failure_rate");
		snprintf(r->metric, sizeof(r->metric), "failure_rate");
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

/* ---- evaluation ---- */

static double statistic_of(const struct metric *m, const char *stat)
{
	static const struct { const char *name; double q; } q[] = {
		{ "median", 0.5 }, { "p90", 0.9 }, { "p99", 0.99 }, { "p999", 0.999 },
	};

	if (!strcmp(stat, "rate"))
		return m->trials ? (double)m->events / (double)m->trials : NAN;
	if (!m->n)
		return NAN;
	for (size_t i = 0; i < ARRAY_SIZE(q); i++)
		if (!strcmp(stat, q[i].name))
			return gsl_stats_quantile_from_sorted_data(m->v, 1, m->n, q[i].q);
	if (!strcmp(stat, "mean"))
		return gsl_stats_mean(m->v, 1, m->n);
	if (!strcmp(stat, "min"))
		return m->v[0];
	if (!strcmp(stat, "max"))
		return m->v[m->n - 1];
	double sum = 0; /* "sum" */
	for (size_t i = 0; i < m->n; i++)
		sum += m->v[i];
	return sum;
}

/* "5%" (relative, or a fraction for rates), "2ms" for latencies, or a
 * plain number in the metric's unit. */
static int parse_threshold(const char *s, const struct metric_comparison *mc, bool allow_relative, double *v,
			   bool *relative)
{
	char *end;
	uint64_t ns;
	char why[128];

	*relative = false;
	*v = strtod(s, &end);
	if (end != s && !strcmp(end, "%") && isfinite(*v)) {
		*v /= 100;
		*relative = allow_relative;
		return allow_relative || mc->kind == METRIC_RATE ? 0 : -1;
	}
	if (end != s && !*end && isfinite(*v))
		return 0;
	if (!strcmp(mc->unit, "ns") && !parse_duration_ns(s, &ns, why, sizeof(why))) {
		*v = (double)ns;
		return 0;
	}
	return -1;
}

static const struct metric_comparison *find(const struct comparison *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	return NULL;
}

static int fail_rule(const struct rules *rs, const struct rule *r, const char *key, char *err, size_t errlen,
		     const char *why)
{
	unsigned line = r->line;

	for (size_t k = 0; k < ARRAY_SIZE(rule_keys); k++)
		if (!strcmp(rule_keys[k].key, key) && r->key_line[k])
			line = r->key_line[k];
	snprintf(err, errlen, "%s:%u: [%s] key '%s': %s", rs->path ? rs->path : "--max-regression", line,
		 r->name, key, why);
	return -1;
}

/* Rates print as percentages, everything else in the metric's unit. */
static void format_stat(double v, const struct metric_comparison *mc, char *buf, size_t len)
{
	if (mc->kind == METRIC_RATE && !isnan(v))
		snprintf(buf, len, "%.3g%%", 100 * v);
	else
		format_value(v, mc->kind == METRIC_RATE ? "" : mc->unit, buf, len);
}

static void describe_result(struct rule_result *o, const struct metric_comparison *mc, double alpha)
{
	const struct rule *r = o->rule;
	bool absolute = isnan(o->base);

	format_stat(o->base, mc, o->base_s, sizeof(o->base_s));
	format_stat(o->cand, mc, o->cand_s, sizeof(o->cand_s));
	if (o->relative) {
		format_percent(o->change, o->change_s, sizeof(o->change_s));
		format_percent(o->limit, o->limit_s, sizeof(o->limit_s));
	} else {
		char lim[32];
		format_stat(absolute ? NAN : o->change, mc, o->change_s, sizeof(o->change_s));
		format_stat(o->limit, mc, lim, sizeof(lim));
		snprintf(o->limit_s, sizeof(o->limit_s), "%s%s", !absolute ? "" : o->limit_is_min ? ">= " : "<= ", lim);
	}
	if (!isnan(o->ci.rel)) {
		char lo[16], hi[16];
		format_percent(o->ci.lo, lo, sizeof(lo));
		format_percent(o->ci.hi, hi, sizeof(hi));
		snprintf(o->p_s, sizeof(o->p_s), "CI [%s, %s]", lo, hi);
	} else {
		format_p(o->p, o->p_s, sizeof(o->p_s));
	}
	if (absolute) {
		snprintf(o->message, sizeof(o->message), "%s %s = %s, bound %s: %s", r->metric, o->statistic,
			 o->cand_s, o->limit_s, o->failed ? "outside the bound" : "within the bound");
		return;
	}
	const char *sig = !strcmp(r->require, "threshold") ? "significance not required"
			: isnan(o->p) && isnan(o->ci.rel) ? "too few values to test significance"
			: o->significant ? "significant" : "not significant";
	snprintf(o->message, sizeof(o->message), "%s %s %s -> %s: regression %s (limit %s), %s%s (alpha %g): %s, %s",
		 r->metric, o->statistic, o->base_s, o->cand_s, o->change_s, o->limit_s,
		 isnan(o->ci.rel) ? "p (Holm) = " : "", o->p_s, alpha,
		 o->beyond ? "beyond the limit" : "within the limit", sig);
}

static int evaluate_rule(const struct rules *rs, const struct rule *r, const struct comparison *c,
			 struct rule_result *o, char *err, size_t errlen)
{
	const struct metric_comparison *mc = find(c, r->metric);
	bool absolute = !*r->max_regression;
	char why[512];

	memset(o, 0, sizeof(*o));
	o->rule = r;
	if (mc && mc->base && !mc->cand && metric_is_latency(mc->base)) {
		/* a latency only of successful pins: the candidate had none */
		o->statistic = *r->statistic ? r->statistic : "median";
		o->base = statistic_of(mc->base, o->statistic);
		o->cand = o->change = o->p = o->limit = NAN;
		o->ci.rel = o->ci.lo = o->ci.hi = NAN;
		o->beyond = o->significant = o->failed = true;
		format_stat(o->base, mc, o->base_s, sizeof(o->base_s));
		snprintf(o->cand_s, sizeof(o->cand_s), "-");
		snprintf(o->message, sizeof(o->message), "%s %s %s -> none: the candidate has no successful pin",
			 r->metric, o->statistic, o->base_s);
		return 0;
	}
	if (!mc || !mc->cand || (!absolute && !mc->base)) {
		snprintf(why, sizeof(why), "'%s' is not in %s", r->metric,
			 !mc || !mc->cand ? c->cand->path : c->base->path);
		return fail_rule(rs, r, "metric", err, errlen, why);
	}
	enum better better = !*r->direction ? mc->better : !strcmp(r->direction, "lower") ? BETTER_LOWER
											       : BETTER_HIGHER;
	if (!absolute && better == BETTER_NEITHER)
		return fail_rule(rs, r, "direction", err, errlen,
				 "is needed: neither lower nor higher is better for this metric");
	o->statistic = *r->statistic ? r->statistic : mc->kind == METRIC_RATE ? "rate"
						 : absolute && !strncmp(r->metric, "vmstat.", 7) ? "max" : "median";
	if ((mc->kind == METRIC_RATE) != !strcmp(o->statistic, "rate"))
		return fail_rule(rs, r, "statistic", err, errlen,
				 mc->kind == METRIC_RATE ? "a failure rate has only the statistic rate"
							 : "rate applies to failure_rate only");
	o->cand = statistic_of(mc->cand, o->statistic);
	o->base = o->p = NAN;
	o->ci.rel = NAN;
	if (absolute) {
		double lo = -INFINITY, hi = INFINITY;
		bool rel;
		if ((*r->max && parse_threshold(r->max, mc, false, &hi, &rel)) ||
		    (*r->min && parse_threshold(r->min, mc, false, &lo, &rel)))
			return fail_rule(rs, r, *r->max ? "max" : "min", err, errlen,
					 "is not a number in the metric's unit (or a % for a rate)");
		if (lo > hi)
			return fail_rule(rs, r, "max", err, errlen, "is less than min: no value could pass");
		o->limit_is_min = !*r->max || (*r->min && o->cand < lo);
		o->limit = o->limit_is_min ? lo : hi;
		o->beyond = o->failed = !(o->cand <= hi && o->cand >= lo);
		describe_result(o, mc, c->alpha);
		return 0;
	}
	if (parse_threshold(r->max_regression, mc, true, &o->limit, &o->relative))
		return fail_rule(rs, r, "max_regression", err, errlen,
				 "is not a percentage (5%) or an amount in the metric's unit (2ms for latencies)");
	o->base = statistic_of(mc->base, o->statistic);
	double sign = better == BETTER_LOWER ? 1 : -1, delta = (o->cand - o->base) * sign;
	o->change = !o->relative ? delta : delta == 0 ? 0 : o->base != 0 ? delta / fabs(o->base) : INFINITY * delta;
	o->beyond = o->change > o->limit;
	o->ci.rel = o->ci.lo = o->ci.hi = NAN;
	if (!strcmp(o->statistic, "median") || !strcmp(o->statistic, "mean") || mc->kind == METRIC_RATE) {
		/* a shift of the whole distribution: the comparison's test */
		o->p = mc->p_adjusted;
		o->significant = o->p < c->alpha && mc->direction * sign > 0;
	} else if (strcmp(o->statistic, "sum") && strcmp(o->statistic, "min") && strcmp(o->statistic, "max")) {
		/* a tail quantile: significant when its interval excludes no change */
		double q = !strcmp(o->statistic, "p90") ? 0.9 : !strcmp(o->statistic, "p99") ? 0.99 : 0.999;
		o->ci = quantile_change(mc->base, mc->cand, q, c->alpha);
		o->significant = sign > 0 ? o->ci.lo > 0 : o->ci.hi < 0;
	}
	o->failed = !strcmp(r->require, "threshold") ? o->beyond
		  : !strcmp(r->require, "significance") ? o->significant
							 : o->beyond && o->significant;
	describe_result(o, mc, c->alpha);
	return 0;
}

int gate_evaluate(const struct rules *rs, const struct comparison *c, struct rule_result *out, char *err,
		  size_t errlen)
{
	for (size_t i = 0; i < rs->n; i++)
		if (evaluate_rule(rs, &rs->r[i], c, &out[i], err, errlen))
			return -1;
	return 0;
}
