/* Checking the rules of pinbench gate against a comparison: the verdicts
 * and the sentences that explain them. */
#include "config.h"
#include "gate.h"
#include "effect.h"
#include "format.h"
#include "util.h"
#include "units.h"

#include <stdint.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* A failure rate is a percentage of pins, and so is its limit: "5%" is
 * 5 percentage points, as a bound and as a regression (a relative change
 * of a rate, 1 % -> 17 % as +1550 %, would say another thing in another
 * unit); a bare number other than 0 is refused, as 0.1 could mean 10 %. */
static int parse_rate_threshold(const char *s, double *v, char *why, size_t len)
{
	char *end;

	*v = strtod(s, &end);
	if (end != s && isfinite(*v) && (!strcmp(end, "%") || (!*end && *v == 0))) {
		*v /= 100;
		return 0;
	}
	snprintf(why, len, "'%s': a failure rate's limit is in percent of pins (0.1%%), a change in percentage points",
		 s);
	return -1;
}

static int parse_threshold(const char *s, const struct metric_comparison *mc, bool allow_relative, double *v,
			   bool *relative, char *why, size_t len)
{
	char *end;
	uint64_t ns;

	*relative = false;
	if (mc->kind == METRIC_RATE) /* limits and changes in percentage points */
		return parse_rate_threshold(s, v, why, len);
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
	snprintf(err, errlen, "%s:%u: [%s] key '%s': %s", rs->path ? rs->path : "--max-regression",
		 rule_key_line(r, key), r->name, key, why);
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
	} else if (mc->kind == METRIC_RATE && !absolute) {
		format_points(o->change, o->change_s, sizeof(o->change_s));
		format_points(o->limit, o->limit_s, sizeof(o->limit_s));
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
static void no_candidate_pins(struct rule_result *o, const struct metric_comparison *mc, size_t cand_runs)
{
	const struct rule *r = o->rule;
	int s = statistic_parse(*r->statistic ? r->statistic : "median");

	size_t n;
	bool per_run;

	o->statistic = statistic_names[s < 0 ? STAT_MEDIAN : s];
	/* as compare shows it: in the unit the rule would have been tested in */
	o->base = effect_one_side(mc->base, s < 0 ? STAT_MEDIAN : (enum statistic)s, cand_runs, &n, &per_run);
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
		no_candidate_pins(o, mc, c->cand->nruns);
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
							 : "rate applies to failure rates only");
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
		o->runs_for_limit = runs_for_change_sides(o->e.log_spread_base, o->e.log_spread_cand, o->limit, need, 0.8);
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
