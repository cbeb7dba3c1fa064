#include "config.h"
#include "gate.h"
#include "effect.h"
#include "ini_doc.h"
#include "format.h"
#include "util.h"

#include <stdint.h>
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
	char correction[OPT_STRING_MAX];
};

static int opt_correction(const char *v, void *f, char *err, size_t len)
{
	return opt_choice(v, "|holm|bonferroni|none", f, err, len);
}

static const struct scenario_key default_keys[] = {
	{ "alpha", "", opt_string, offsetof(struct defaults, alpha), "significance level (default 0.05)" },
	{ "require", "both", opt_require, offsetof(struct defaults, require), "the default of every rule's require" },
	{ "correction", "", opt_correction, offsetof(struct defaults, correction), "holm (default), bonferroni or none: the adjustment of p over the rules that need significance" },
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
	rs->r = xcalloc(base->nm + 1, sizeof(*rs->r));
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

/* The statistic of the candidate alone, for absolute rules. */
static double statistic_of(const struct metric *m, enum statistic s)
{
	if (s == STAT_RATE)
		return m->trials ? (double)m->events / (double)m->trials : NAN;
	return statistic_of_sorted(m->v, m->n, s);
}

/* "5%" (relative, or a fraction for rates), an amount with the metric's
 * unit ("2ms" for latencies, "0.1GB/s"), or a plain number for a metric
 * without a unit. A plain number for a metric with one is refused: it
 * means a percentage on the command line and could be read either way. */
static int parse_threshold(const char *s, const struct metric_comparison *mc, bool allow_relative, double *v,
			   bool *relative, char *why, size_t len)
{
	char *end;
	uint64_t ns;

	*relative = false;
	*v = strtod(s, &end);
	if (end != s && !strcmp(end, "%") && isfinite(*v)) {
		*v /= 100;
		*relative = allow_relative;
		if (allow_relative || mc->kind == METRIC_RATE)
			return 0;
		snprintf(why, len, "'%s': a bound is an amount in the metric's unit, not a percentage", s);
		return -1;
	}
	const char *unit = end + strspn(end, " ");
	if (end != s && isfinite(*v) && *mc->unit && !strcmp(unit, mc->unit))
		return 0;
	if (end != s && !*end && isfinite(*v) && (!*mc->unit || *v == 0))
		return 0;
	if (end != s && !*end && *mc->unit) {
		snprintf(why, len, "'%s' has no unit: write %s%% for a relative change or %s%s for an amount", s, s, s,
			 !strcmp(mc->unit, "ns") ? "ms" : mc->unit);
		return -1;
	}
	if (!strcmp(mc->unit, "ns") && !parse_duration_ns(s, &ns, why, len)) {
		*v = (double)ns;
		return 0;
	}
	snprintf(why, len, "'%s' is not a percentage (5%%) or an amount in the metric's unit (%s)", s,
			 !strcmp(mc->unit, "ns") ? "2ms" : *mc->unit ? mc->unit : "a plain number");
	return -1;
}

static const struct metric_comparison *find(const struct comparison *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), prev[65], cur[65];

	if (m > 64 || n > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (m + 1) * sizeof(*prev));
	}
	return prev[m];
}

/* "'pin_latncy' is not in X; did you mean pin_latency? (metrics: ...)" */
static void unknown_metric(const struct comparison *c, const char *metric, const char *where, char *why,
			   size_t len)
{
	const char *best = NULL;
	char counter[256], best_counter[256];
	size_t best_d = 4, o = 0; /* suggest only near misses */

	for (size_t i = 0; i < c->n; i++) {
		size_t d = edit_distance(metric, c->m[i].name);
		if (d < best_d) {
			best_d = d;
			best = c->m[i].name;
		}
	}
	for (size_t i = 0; i < c->cand->ncounters; i++) { /* counters that never moved are metrics too */
		snprintf(counter, sizeof(counter), "vmstat.%s", c->cand->counters[i]);
		size_t d = edit_distance(metric, counter);
		if (d < best_d) {
			best_d = d;
			snprintf(best_counter, sizeof(best_counter), "%s", counter);
			best = best_counter;
		}
	}
	appendf(why, len, &o, "'%s' is not in %s", metric, where);
	if (best)
		appendf(why, len, &o, "; did you mean %s?", best);
	appendf(why, len, &o, " (metrics:");
	for (size_t i = 0; i < c->n && i < 12; i++)
		appendf(why, len, &o, " %s", c->m[i].name);
	appendf(why, len, &o, "%s)", c->n > 12 ? " ... (pinbench compare lists them all)" : "");
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

static void format_numbers(struct rule_result *o, const struct metric_comparison *mc)
{
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
	format_p(o->p, o->p_s, sizeof(o->p_s));
}

static const char *unit_name(const struct effect *e)
{
	return e->unit == UNIT_RUNS ? "runs" : e->unit == UNIT_PINS ? "pins" : "values";
}

/* What the significance part of the verdict rests on. */
static void describe_test(const struct rule_result *o, const struct gate_family *fam, char *buf, size_t len)
{
	const struct rule *r = o->rule;
	const struct effect *e = &o->e;
	char p[16], minp[16];
	size_t off = 0;

	if (!strcmp(r->require, "threshold")) {
		snprintf(buf, len, "significance not required");
		return;
	}
	if (e->constant) {
		snprintf(buf, len, "the same value on both sides");
		return;
	}
	if (!e->test) {
		snprintf(buf, len, "%s of pooled values cannot be tested; with at least %zu runs a side each run's %s "
			 "is compared", o->statistic, o->runs_to_reach, o->statistic);
		return;
	}
	format_p(e->p, p, sizeof(p));
	bool below = *p == '<'; /* "<1e-9" */
	appendf(buf, len, &off, "p %s %s (%s, %zu vs %zu %s", below ? "<" : "=", p + below, e->test, e->n_base,
		e->n_cand, unit_name(e));
	if (fam->size > 1 && fam->correction != CORRECT_NONE)
		appendf(buf, len, &off, "; %s over %zu rules: %s", correction_names[fam->correction], fam->size, o->p_s);
	appendf(buf, len, &off, "), alpha %g: %s", fam->alpha,
		o->significant ? "significant" : o->p < fam->alpha ? "significant, but not a regression"
								   : "not significant");
	if (o->outcome == OUTCOME_INCONCLUSIVE) {
		double need = family_alpha(fam->correction, fam->alpha, fam->size);
		format_p(e->min_p, minp, sizeof(minp));
		if (need < fam->alpha)
			appendf(buf, len, &off, "; %zu vs %zu %s cannot reach the %.3g %s over %zu rules needs (smallest "
				"possible p %s)", e->n_base, e->n_cand, unit_name(e), need, correction_names[fam->correction],
				fam->size, minp);
		else
			appendf(buf, len, &off, "; %zu vs %zu %s cannot reach it (smallest possible p %s)", e->n_base,
				e->n_cand, unit_name(e), minp);
		if (o->runs_to_reach)
			appendf(buf, len, &off, ": %zu runs a side can", o->runs_to_reach);
		if (o->runs_for_limit)
			appendf(buf, len, &off, ", about %zu detect %s with 80%% power", o->runs_for_limit, o->limit_s);
		if (e->unit == UNIT_PINS)
			appendf(buf, len, &off, ": more pins a side are needed");
	}
}

static void describe_result(struct rule_result *o, const struct metric_comparison *mc, const struct gate_family *fam)
{
	const struct rule *r = o->rule;
	char test[512] = "";

	format_numbers(o, mc);
	if (isnan(o->base)) {
		snprintf(o->message, sizeof(o->message), "%s %s = %s, bound %s: %s", r->metric, o->statistic,
			 o->cand_s, o->limit_s, o->outcome == OUTCOME_FAIL ? "outside the bound" : "within the bound");
		return;
	}
	describe_test(o, fam, test, sizeof(test));
	snprintf(o->message, sizeof(o->message), "%s %s %s -> %s: regression %s (limit %s), %s: %s", r->metric,
		 o->statistic, o->base_s, o->cand_s, o->change_s, o->limit_s,
		 o->beyond ? "beyond the limit" : "within the limit", test);
}

/* A latency only of successful pins: the candidate had none. */
static void no_candidate_pins(struct rule_result *o, const struct metric_comparison *mc)
{
	const struct rule *r = o->rule;
	int s = statistic_parse(*r->statistic ? r->statistic : "median");

	o->statistic = statistic_names[s < 0 ? STAT_MEDIAN : s];
	o->base = statistic_of(mc->base, s < 0 ? STAT_MEDIAN : (enum statistic)s);
	o->cand = o->change = o->p = o->limit = NAN;
	o->beyond = o->significant = true;
	o->outcome = OUTCOME_FAIL;
	format_stat(o->base, mc, o->base_s, sizeof(o->base_s));
	snprintf(o->cand_s, sizeof(o->cand_s), "-");
	snprintf(o->message, sizeof(o->message), "%s %s %s -> none: the candidate has no successful pin", r->metric,
		 o->statistic, o->base_s);
}

static int check_absolute(const struct rules *rs, const struct rule *r, const struct metric_comparison *mc,
			  struct rule_result *o, char *err, size_t errlen)
{
	double lo = -INFINITY, hi = INFINITY;
	bool rel;
	char why[256];

	if ((*r->max && parse_threshold(r->max, mc, false, &hi, &rel, why, sizeof(why))) ||
	    (*r->min && parse_threshold(r->min, mc, false, &lo, &rel, why, sizeof(why))))
		return fail_rule(rs, r, *r->max && isinf(hi) ? "max" : *r->max && !*r->min ? "max" : "min", err,
				 errlen, why);
	if (lo > hi)
		return fail_rule(rs, r, "max", err, errlen, "is less than min: no value could pass");
	o->cand = statistic_of(mc->cand, (enum statistic)statistic_parse(o->statistic));
	o->limit_is_min = !*r->max || (*r->min && o->cand < lo);
	o->limit = o->limit_is_min ? lo : hi;
	o->beyond = !(o->cand <= hi && o->cand >= lo);
	o->outcome = o->beyond ? OUTCOME_FAIL : OUTCOME_PASS;
	return 0;
}

static int measure_rule(const struct rules *rs, const struct rule *r, const struct comparison *c,
			struct rule_result *o, char *err, size_t errlen)
{
	const struct metric_comparison *mc = find(c, r->metric);
	bool absolute = !*r->max_regression;
	char why[768];

	memset(o, 0, sizeof(*o));
	o->rule = r;
	o->p = o->base = NAN;
	if (mc && mc->base && !mc->cand && metric_is_latency(mc->base)) {
		no_candidate_pins(o, mc);
		return 0;
	}
	if (!mc || !mc->cand || (!absolute && !mc->base)) {
		unknown_metric(c, r->metric, !mc || !mc->cand ? c->cand->path : c->base->path, why, sizeof(why));
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
	if (absolute)
		return check_absolute(rs, r, mc, o, err, errlen);
	if (parse_threshold(r->max_regression, mc, true, &o->limit, &o->relative, why, sizeof(why)))
		return fail_rule(rs, r, "max_regression", err, errlen, why);
	effect_measure(mc->base, mc->cand, (enum statistic)statistic_parse(o->statistic), c->alpha, &o->e);
	o->base = o->e.base;
	o->cand = o->e.cand;
	double sign = better == BETTER_LOWER ? 1 : -1, delta = (o->cand - o->base) * sign;
	o->change = !o->relative ? delta : delta == 0 ? 0 : o->base != 0 ? delta / fabs(o->base) : INFINITY * delta;
	o->beyond = o->change > o->limit;
	o->lower_is_better = sign > 0;
	o->tested = strcmp(r->require, "threshold") && !o->e.constant;
	return 0;
}

/* After the family's adjustment: pass, fail or inconclusive. */
static void decide(struct rule_result *o, const struct gate_family *fam)
{
	const struct rule *r = o->rule;
	bool regression = o->e.direction != 0 && (o->e.direction > 0) == o->lower_is_better;
	double need = family_alpha(fam->correction, fam->alpha, fam->size);

	o->significant = o->p < fam->alpha && regression;
	o->reachable = o->e.min_p <= need;
	o->runs_to_reach = runs_to_reach(need);
	if (o->relative)
		o->runs_for_limit = runs_for_change(o->e.log_spread, o->limit, need, 0.8);
	bool needs_significance = !strcmp(r->require, "significance") ? regression : o->beyond;
	if (!strcmp(r->require, "threshold"))
		o->outcome = o->beyond ? OUTCOME_FAIL : OUTCOME_PASS;
	else if (o->e.constant || !needs_significance)
		o->outcome = OUTCOME_PASS;
	else if (o->significant)
		o->outcome = OUTCOME_FAIL;
	else
		o->outcome = o->reachable && o->e.test ? OUTCOME_PASS : OUTCOME_INCONCLUSIVE;
}

int gate_evaluate(const struct rules *rs, const struct comparison *c, struct gate_family *fam,
		  struct rule_result *out, char *err, size_t errlen)
{
	double *p = xcalloc(rs->n + 1, sizeof(*p)), *adj = xcalloc(rs->n + 1, sizeof(*adj));

	fam->size = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (measure_rule(rs, &rs->r[i], c, &out[i], err, errlen)) {
			free(p);
			free(adj);
			return -1;
		}
		p[i] = out[i].tested ? out[i].e.p : NAN;
		fam->size += !isnan(p[i]);
	}
	correct_p(fam->correction, p, rs->n, adj);
	for (size_t i = 0; i < rs->n; i++) {
		const struct metric_comparison *mc = find(c, rs->r[i].metric);
		if (!*rs->r[i].max_regression || !mc || !mc->cand) {
			if (mc && mc->cand)
				describe_result(&out[i], mc, fam);
			continue; /* absolute rules and candidates without pins are decided */
		}
		out[i].p = adj[i];
		decide(&out[i], fam);
		describe_result(&out[i], mc, fam);
	}
	free(p);
	free(adj);
	return 0;
}

struct gate_tally gate_tally(const struct rule_result *res, size_t n)
{
	struct gate_tally t = { 0 };

	for (size_t i = 0; i < n; i++) {
		t.failed += res[i].outcome == OUTCOME_FAIL;
		t.inconclusive += res[i].outcome == OUTCOME_INCONCLUSIVE;
	}
	return t;
}
