#include "config.h"
#include "gate_view.h"
#include "table.h"
#include "util.h"
#include "warnings.h"

#include "differences.h"

#include <math.h>
#include <string.h>

static void write_testcase(FILE *f, const struct rule_result *r)
{
	fprintf(f, "    <testcase classname=\"pinbench.gate\" name=\"");
	xml_escape(f, r->rule->name);
	fprintf(f, "\">\n");
	if (r->outcome != OUTCOME_PASS) {
		bool failed = r->outcome == OUTCOME_FAIL;
		fprintf(f, "      <%s %smessage=\"", failed ? "failure" : "skipped",
			!failed ? "" : isnan(r->base) ? "type=\"bound\" " : "type=\"regression\" ");
		xml_escape(f, r->message);
		fprintf(f, "\">");
		xml_escape(f, r->message);
		fprintf(f, "</%s>\n", failed ? "failure" : "skipped");
	} else {
		fprintf(f, "      <system-out>");
		xml_escape(f, r->message);
		fprintf(f, "</system-out>\n");
	}
	fprintf(f, "    </testcase>\n");
}

void gate_junit(FILE *f, const struct rules *rs, const struct rule_result *res, struct gate_tally t,
			const struct comparison *c, const struct gate_family *fam)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"pinbench gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		rs->n, t.failed, t.inconclusive);
	fprintf(f, "  <testsuite name=\"pinbench gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		rs->n, t.failed, t.inconclusive);
	fprintf(f, "    <properties>\n      <property name=\"base\" value=\"");
	xml_escape(f, c->base->path);
	fprintf(f, "\"/>\n      <property name=\"candidate\" value=\"");
	xml_escape(f, c->cand->path);
	fprintf(f, "\"/>\n      <property name=\"alpha\" value=\"%g\"/>\n", fam->alpha);
	fprintf(f, "      <property name=\"correction\" value=\"%s over %zu rules\"/>\n    </properties>\n",
		correction_names[fam->correction], fam->size);
	for (size_t i = 0; i < rs->n; i++)
		write_testcase(f, &res[i]);
	fprintf(f, "  </testsuite>\n</testsuites>\n");
}

static const char *outcome_name(enum outcome o)
{
	return o == OUTCOME_FAIL ? "FAIL" : o == OUTCOME_INCONCLUSIVE ? "inconclusive" : "pass";
}

static struct table *results_table(const struct rules *rs, const struct rule_result *res,
				   const struct gate_family *fam)
{
	char p_head[32];
	const char *head[] = { "rule", "metric", "statistic", "base", "candidate", "regression", "limit", p_head,
			       "result" };
	snprintf(p_head, sizeof(p_head), "p (%s)", correction_names[fam->correction]);
	struct table *t = table_new(head, ARRAY_SIZE(head));

	for (size_t i = 0; i < rs->n; i++) {
		const struct rule_result *o = &res[i];
		table_row(t);
		table_cell(t, "%s", o->rule->name);
		table_cell(t, "%s", o->rule->metric);
		table_cell(t, "%s", o->statistic);
		table_cell(t, "%s", o->base_s);
		table_cell(t, "%s", o->cand_s);
		table_cell(t, "%s", o->change_s);
		table_cell(t, "%s", o->limit_s);
		table_cell(t, "%s", o->p_s);
		table_cell(t, "%s", outcome_name(o->outcome));
		table_colour(t, o->outcome == OUTCOME_FAIL ? COLOUR_BAD : o->outcome == OUTCOME_PASS ? COLOUR_GOOD
													: COLOUR_NOTE);
	}
	return t;
}

void gate_print(FILE *f, const struct rules *rs, const struct rule_result *res, struct gate_tally t,
			  const struct comparison *c, const struct gate_family *fam, bool markdown, bool colour)
{
	char what[512];
	const char *li = markdown ? "- " : "  ";
	struct warnings w = { 0 };

	fprintf(f, "%spinbench gate: %s (%zu of %zu rules failed, %zu inconclusive)\n\n", markdown ? "### " : "",
		t.failed ? "FAIL" : t.inconclusive ? "INCONCLUSIVE" : "pass", t.failed, rs->n, t.inconclusive);
	dataset_describe(c->base, what, sizeof(what));
	fprintf(f, "%sbase: %s\n", li, what);
	dataset_describe(c->cand, what, sizeof(what));
	fprintf(f, "%scandidate: %s\n", li, what);
	fprintf(f, "%salpha %g; p adjusted (%s) over the %zu rule%s that need significance; tests on %s\n", li,
		fam->alpha, correction_names[fam->correction], fam->size, fam->size == 1 ? "" : "s",
		c->base->nruns >= 2 && c->cand->nruns >= 2 ? "per-run values" : "pooled samples");
	warnings_of_comparison(c, &w);
	warnings_print(f, &w, li);
	warnings_free(&w);
	if (c->differences.n) {
		fprintf(f, "%swhat differs:\n", li);
		differences_print(f, &c->differences, markdown ? "  - " : "    ", markdown ? 0 : 8);
	}
	fputc('\n', f);
	struct table *tab = results_table(rs, res, fam);
	table_print(tab, f, markdown, colour);
	table_free(tab);
	/* every verdict with its reason: a pass too (within the limit, or
	 * beyond it without significance), as the JUnit file has it */
	(void)t;
	if (rs->n)
		fputc('\n', f);
	for (size_t i = 0; i < rs->n; i++)
		fprintf(f, "%s%s: %s\n", li, res[i].rule->name, res[i].message);
}

static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count_or_null(size_t n)
{
	return n ? json_integer((json_int_t)n) : json_null();
}

static json_t *rule_json(const struct rule_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "rule", json_string(r->rule->name));
	json_object_set_new(o, "metric", json_string(r->rule->metric));
	json_object_set_new(o, "statistic", json_string(r->statistic));
	json_object_set_new(o, "base", number(r->base));
	json_object_set_new(o, "candidate", number(r->cand));
	json_object_set_new(o, "change", number(r->change));
	json_object_set_new(o, "change_unit", json_string(r->relative ? "fraction" : "metric"));
	json_object_set_new(o, "limit", number(r->limit));
	json_object_set_new(o, "limit_is", json_string(isnan(r->base) ? (r->limit_is_min ? "minimum" : "maximum")
								      : "regression"));
	json_object_set_new(o, "lower_is_better", json_boolean(r->lower_is_better));
	json_object_set_new(o, "tested", json_boolean(r->tested));
	json_object_set_new(o, "p_adjusted", number(r->p));
	json_object_set_new(o, "beyond_limit", json_boolean(r->beyond));
	json_object_set_new(o, "significant", json_boolean(r->significant));
	json_object_set_new(o, "result", json_string(outcome_name(r->outcome)));
	json_object_set_new(o, "runs_a_side_to_decide", count_or_null(r->outcome == OUTCOME_INCONCLUSIVE ? r->runs_to_reach : 0));
	json_object_set_new(o, "runs_a_side_for_limit", count_or_null(r->runs_for_limit));
	json_object_set_new(o, "reason", json_string(r->message));
	return o;
}

json_t *gate_json(const struct rules *rs, const struct rule_result *res, struct gate_tally t,
		  const struct comparison *c, const struct gate_family *fam)
{
	struct warnings w = { 0 };
	json_t *rules = json_array();

	for (size_t i = 0; i < rs->n; i++)
		json_array_append_new(rules, rule_json(&res[i]));
	warnings_of_comparison(c, &w);
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:f, s:{s:s, s:I}, s:s, s:o, s:o, s:o}",
			      "result", t.failed ? "FAIL" : t.inconclusive ? "INCONCLUSIVE" : "pass",
			      "rules_total", (json_int_t)rs->n, "failed", (json_int_t)t.failed,
			      "inconclusive", (json_int_t)t.inconclusive, "base", c->base->path,
			      "candidate", c->cand->path, "base_runs", (json_int_t)c->base->nruns,
			      "candidate_runs", (json_int_t)c->cand->nruns, "alpha", fam->alpha, "family",
			      "correction", correction_names[fam->correction], "tests", (json_int_t)fam->size,
			      "test_unit", c->base->nruns >= 2 && c->cand->nruns >= 2 ? "runs" : "samples",
			      "warnings", warnings_json(&w), "differences", differences_json(&c->differences),
			      "rules", rules);
	warnings_free(&w);
	return o;
}
