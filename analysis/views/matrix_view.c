#include "config.h"
#include "matrix_view.h"
#include "compare_view.h"
#include "effect.h"
#include "format.h"
#include "util.h"
#include "warnings.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The two metrics of the matrix, in its row order. */
enum { ROW_RATE, ROW_LATENCY, NROWS };
static const char *const row_metric[NROWS] = { "failure_rate", "pin_latency" };
static const char *const row_label[NROWS] = { "failure rate", "median pin latency" };

/* The latency unit of the whole matrix: stated once, in the notes. */
struct unit {
	const char *name;
	double ns;
};

/* One cell's reading of one metric. */
struct reading {
	const struct metric_comparison *r; /* where the value comes from; NULL: none */
	double value;            /* a rate (0..1) or nanoseconds; NAN: none */
	double change;           /* relative to the base; NAN: none */
	uint64_t events, trials; /* failure rate */
	const char *verdict;     /* base, increase, decrease, no change, no significant change, undecided, no data */
	const char *compare_verdict; /* the comparison's own word (compare.h), NULL when none */
	char reason[320];
	char number[48];         /* the value in the matrix's unit */
	char text[480];          /* what the cell says, in every format */
	enum cell_colour colour;
};

static const struct metric_comparison *find(const struct comparison *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	return NULL;
}

static const struct matrix_cell *cell_at(const struct matrix *m, size_t s, size_t k)
{
	return &m->cells[s * m->nk + k];
}

/* The base's value of a metric comes from the first comparison of its
 * row that has the metric on both sides (compare.txt's base column,
 * where that is its first candidate); without one, from its own runs. */
static const struct comparison *base_source(const struct matrix *m, size_t s, const char *metric, bool *cand_side)
{
	for (size_t k = 1; k < m->nk; k++) {
		const struct metric_comparison *r = find(cell_at(m, s, k)->c, metric);
		if (r && r->base && r->cand) {
			*cand_side = false;
			return cell_at(m, s, k)->c;
		}
	}
	*cand_side = true;
	return cell_at(m, s, 0)->own;
}

/* "1 vs 1 runs allow p >= 0.33, holm over 12 tests needs 0.0042; 6 runs a
 * side can": why a test could not decide. */
static void too_few(const struct comparison *c, const struct metric_comparison *r, char *buf, size_t len)
{
	double need = family_alpha(c->correction, c->alpha, c->family);
	const char *unit = r->kind == METRIC_RATE || !r->per_run ? "pins" : "runs";
	char min[16], needed[16];
	size_t o = 0, runs = r->per_run ? runs_to_reach(need) : 0;

	format_p(r->min_p, min, sizeof(min));
	format_p(need, needed, sizeof(needed));
	appendf(buf, len, &o, "%zu vs %zu %s allow p >= %s, %s over %zu tests needs %s", r->n_base, r->n_cand, unit,
		min, correction_names[c->correction], c->family, needed);
	if (runs)
		appendf(buf, len, &o, "; %zu runs a side can", runs);
}

/* The comparison's verdict in the matrix's words, with its reason. */
static void judge(const struct comparison *c, const struct metric_comparison *r, const char *metric,
		  struct reading *rd)
{
	char p[16], adj[16];

	rd->compare_verdict = r ? r->verdict : NULL;
	rd->verdict = "undecided";
	if (!r) {
		snprintf(rd->reason, sizeof(rd->reason), "no %s in either kernel's runs", metric);
		return;
	}
	format_p(r->p, p, sizeof(p));
	format_p(r->p_adjusted, adj, sizeof(adj));
	if (r->constant) {
		rd->verdict = "no change";
		snprintf(rd->reason, sizeof(rd->reason), "the same single value on both sides");
	} else if (r->changed) {
		rd->verdict = r->direction > 0 ? "increase" : "decrease";
		rd->colour = r->regressed ? COLOUR_BAD : r->improved ? COLOUR_GOOD : COLOUR_NOTE;
		snprintf(rd->reason, sizeof(rd->reason), "p %s", adj);
	} else if (!strncmp(r->verdict, "undecided", 9)) {
		rd->colour = COLOUR_NOTE;
		too_few(c, r, rd->reason, sizeof(rd->reason));
	} else if (!strcmp(r->verdict, "not significant after adjustment")) {
		rd->verdict = "no significant change";
		snprintf(rd->reason, sizeof(rd->reason), "p %s, %s %s", adj, "unadjusted", p);
	} else if (!strcmp(r->verdict, "no significant change")) {
		rd->verdict = "no significant change";
		snprintf(rd->reason, sizeof(rd->reason), "p %s", adj);
	} else {
		rd->colour = COLOUR_NOTE;
		/* a pin latency is missing where no pin succeeded */
		bool latency = !strcmp(metric, "pin_latency");
		snprintf(rd->reason, sizeof(rd->reason), "%s",
			 !strcmp(r->verdict, "only in base")
				 ? latency ? "no pin succeeded on this kernel" : "not in this kernel's runs"
			 : !strcmp(r->verdict, "only in candidate")
				 ? latency ? "no pin succeeded on the base" : "not in the base's runs"
				 : "no test applies to these values");
	}
}

/* What a cell holds for one metric, before its text. */
static void read_cell(const struct matrix *m, size_t s, size_t k, int row, struct reading *rd)
{
	const struct matrix_cell *cell = cell_at(m, s, k);
	bool cand = true;
	const struct comparison *from = k ? (cell->c ? cell->c : cell->own) : base_source(m, s, row_metric[row], &cand);

	memset(rd, 0, sizeof(*rd));
	rd->value = rd->change = NAN;
	if (!cell->boots) {
		rd->verdict = "no data";
		snprintf(rd->reason, sizeof(rd->reason), "no complete boot%s%s%s", cell->failed ? " (" : "",
			 cell->failed ? cell->failures : "", cell->failed ? ")" : "");
		rd->colour = COLOUR_NOTE;
		return;
	}
	rd->r = find(from, row_metric[row]);
	const struct metric *side = rd->r ? (cand ? rd->r->cand : rd->r->base) : NULL;
	if (side) {
		rd->value = cand ? rd->r->cand_median : rd->r->base_median;
		rd->events = side->events;
		rd->trials = side->trials;
	}
	if (!k) {
		rd->verdict = "base";
	} else if (!cell->c) {
		rd->verdict = "undecided";
		rd->colour = COLOUR_NOTE;
		snprintf(rd->reason, sizeof(rd->reason), "the base kernel has no complete boot of this scenario");
	} else {
		judge(cell->c, rd->r, row_metric[row], rd);
		if (rd->r && row == ROW_LATENCY)
			rd->change = rd->r->median.rel;
	}
}

/* The latency unit that keeps the smallest median at 1 or more. */
static struct unit latency_unit(const struct reading *rd, size_t n)
{
	static const struct unit units[] = { { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 } };
	double least = INFINITY;

	for (size_t i = 0; i < n; i++)
		if (rd[i].value > 0 && rd[i].value < least)
			least = rd[i].value;
	for (size_t i = 0; i < ARRAY_SIZE(units) && isfinite(least); i++)
		if (least >= units[i].ns)
			return units[i];
	return units[1]; /* no latency at all: any unit says it */
}

/* Four significant digits, never an exponent: 212.3, 14.12, 0.04123. */
static void four_digits(double v, char *buf, size_t len)
{
	int decimals = v > 0 ? 3 - (int)floor(log10(v)) : 0;

	snprintf(buf, len, "%.*f", decimals < 0 ? 0 : decimals > 6 ? 6 : decimals, v);
}

static void format_reading(struct reading *rd, int row, const struct unit *u, const struct matrix_cell *cell)
{
	char change[24] = "";
	size_t o = 0;

	if (isnan(rd->value))
		snprintf(rd->number, sizeof(rd->number), "-");
	else if (row == ROW_RATE)
		snprintf(rd->number, sizeof(rd->number), "%.3g [%llu/%llu]", rd->value * 100,
			 (unsigned long long)rd->events, (unsigned long long)rd->trials);
	else
		four_digits(rd->value / u->ns, rd->number, sizeof(rd->number));
	if (!isnan(rd->change)) {
		change[0] = ' ';
		format_percent(rd->change, change + 1, sizeof(change) - 1);
	}
	bool base = !strcmp(rd->verdict, "base");
	if (!strcmp(rd->verdict, "no data")) {
		appendf(rd->text, sizeof(rd->text), &o, "%s", rd->reason);
		return;
	}
	if (isnan(rd->value) && base)
		appendf(rd->text, sizeof(rd->text), &o, "- (base)");
	else if (isnan(rd->value)) /* no value: the verdict says why */
		appendf(rd->text, sizeof(rd->text), &o, "%s, %s", rd->verdict, rd->reason);
	else if (base)
		appendf(rd->text, sizeof(rd->text), &o, "%s (base)", rd->number);
	else if (!strcmp(rd->verdict, "no change"))
		appendf(rd->text, sizeof(rd->text), &o, "%s%s: no change", rd->number, change);
	else
		appendf(rd->text, sizeof(rd->text), &o, "%s%s: %s, %s", rd->number, change, rd->verdict, rd->reason);
	if (cell->failed) /* what the values leave out */
		appendf(rd->text, sizeof(rd->text), &o, " (%u of %u boots failed: %s)", cell->failed,
			cell->failed + cell->boots, cell->failures);
}

/* Every reading of the matrix, [s][k][row], with its text. */
static struct reading *read_all(const struct matrix *m, struct unit *u)
{
	size_t n = m->ns * m->nk * NROWS;
	struct reading *rd = xcalloc(n + 1, sizeof(*rd)), *lat = xcalloc(n + 1, sizeof(*lat));
	size_t nlat = 0;

	for (size_t s = 0; s < m->ns; s++)
		for (size_t k = 0; k < m->nk; k++)
			for (int row = 0; row < NROWS; row++) {
				struct reading *r = &rd[(s * m->nk + k) * NROWS + row];
				read_cell(m, s, k, row, r);
				if (row == ROW_LATENCY)
					lat[nlat++] = *r;
			}
	*u = latency_unit(lat, nlat);
	free(lat);
	for (size_t i = 0; i < n; i++)
		format_reading(&rd[i], (int)(i % NROWS), u, &m->cells[i / NROWS]);
	return rd;
}

static struct table *matrix_table(const struct matrix *m, const struct reading *rd)
{
	const char **head = xcalloc(m->nk + 2, sizeof(*head));
	char *base;

	if (asprintf(&base, "%s (base)", m->kernels[0]) < 0)
		abort();
	head[0] = "scenario";
	head[1] = "metric";
	head[2] = base;
	for (size_t k = 1; k < m->nk; k++)
		head[k + 2] = m->kernels[k];
	struct table *t = table_new(head, m->nk + 2);
	table_wrap(t);
	for (size_t s = 0; s < m->ns; s++)
		for (int row = 0; row < NROWS; row++) {
			table_row(t);
			table_cell(t, "%s", m->scenarios[s].name);
			table_cell(t, "%s", row_label[row]);
			for (size_t k = 0; k < m->nk; k++) {
				const struct reading *r = &rd[(s * m->nk + k) * NROWS + row];
				table_cell(t, "%s", r->text);
				table_colour(t, r->colour);
			}
		}
	free(base);
	free(head);
	return t;
}

static void notes(struct doc *d, const struct matrix *m, const struct unit *u)
{
	doc_para(d, "Rows: scenarios; columns: kernels, each against the first, %s, scenario by scenario. "
		 "Failure rate in %% of pins [failed/pins]; median pin latency in %s, with its change against the "
		 "base. p is adjusted (%s) across the tested metrics of the kernel's comparison, alpha %g, as "
		 "each scenario's compare.txt has it.", m->kernels[0], u->name, correction_names[m->correction],
		 m->alpha);
	doc_item(d, "increase, decrease: significant after the adjustment (both metrics are better lower: an "
		 "increase is a regression)");
	doc_item(d, "no change: the same single value on both sides (no failure on either, say)");
	doc_item(d, "no significant change: the test decided, and found no difference at alpha");
	doc_item(d, "undecided: the test could not reach alpha with these runs or pins (the reason says how "
		 "many would), or no test applies");
	doc_item(d, "%u boot(s) per kernel and scenario, interleaved: each round boots every scenario on every "
		 "kernel in turn; each boot runs one scenario on a freshly booted kernel. Guests: %s.", m->boots,
		 m->guest ? m->guest : "-");
}

static void unit_line(struct doc *d, const struct comparison *c, size_t k)
{
	if (!(c->base->nruns >= 2 && c->cand->nruns >= 2))
		doc_item(d, "[%zu]: tests on pooled samples (a side has a single run)", k + 1);
	else
		doc_item(d, "[%zu]: tests on per-run values (%zu vs %zu runs: each run's median, each run's p99)", k + 1,
			 c->base->nruns, c->cand->nruns);
}

/* A scenario's comparison as its compare.txt shows it: the sides, the
 * unit of the tests, the warnings and the medians and verdicts of every
 * metric. */
static void scenario_section(struct doc *d, const struct matrix_scenario *sc)
{
	char what[512];
	struct warnings w = { 0 };

	doc_heading(d, 1, "Scenario %s", sc->name);
	if (!sc->nc) {
		doc_para(d, "%s: fewer than two kernels have a complete boot; nothing to compare.", sc->path);
		return;
	}
	doc_para(d, "%s; the comparison in full: %s.", sc->path, sc->compare_file);
	dataset_describe(sc->c[0].base, what, sizeof(what));
	doc_item(d, "base: %s", what);
	for (size_t k = 0; k < sc->nc; k++) {
		dataset_describe(sc->c[k].cand, what, sizeof(what));
		doc_item(d, "[%zu]: %s", k + 1, what);
		warnings_of_comparison(&sc->c[k], &w);
	}
	for (size_t k = 0; k < sc->nc; k++)
		unit_line(d, &sc->c[k], k);
	for (size_t i = 0; i < w.n; i++)
		doc_callout(d, "note", "%s", w.text[i]);
	warnings_free(&w);
	struct table *t = compare_overview_table(sc->c, sc->nc);
	if (sc->nc > 2) /* 3 columns a candidate: wider than the page from there */
		table_wrap(t);
	doc_table(d, t);
	table_free(t);
}

void matrix_document(struct doc *d, const struct matrix *m)
{
	struct unit u;
	struct reading *rd = read_all(m, &u);

	doc_begin(d, "pinbench vm: the kernels against the first, scenario by scenario");
	notes(d, m, &u);
	struct table *t = matrix_table(m, rd);
	doc_table(d, t);
	table_free(t);
	for (size_t s = 0; s < m->ns; s++)
		scenario_section(d, &m->scenarios[s]);
	doc_end(d);
	free(rd);
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *reading_json(const struct reading *rd, int row)
{
	json_t *o = json_pack("{s:o, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:s}", "value", num(rd->value), "display",
			      rd->number, "change", num(rd->change), "verdict", rd->verdict, "reason", rd->reason,
			      "compare_verdict", rd->compare_verdict ? json_string(rd->compare_verdict) : json_null(),
			      "p", num(rd->r && strcmp(rd->verdict, "base") ? rd->r->p : NAN), "p_adjusted",
			      num(rd->r && strcmp(rd->verdict, "base") ? rd->r->p_adjusted : NAN), "text", rd->text);
	if (row == ROW_RATE && rd->r)
		json_object_update_new(o, json_pack("{s:I, s:I}", "failed", (json_int_t)rd->events, "pins",
						    (json_int_t)rd->trials));
	return o;
}

json_t *matrix_json(const struct matrix *m)
{
	struct unit u;
	struct reading *rd = read_all(m, &u);
	json_t *kernels = json_array(), *scenarios = json_array(), *cells = json_array();

	for (size_t k = 0; k < m->nk; k++)
		json_array_append_new(kernels, json_string(m->kernels[k]));
	for (size_t s = 0; s < m->ns; s++)
		json_array_append_new(scenarios, json_pack("{s:s, s:s, s:s?}", "name", m->scenarios[s].name, "path",
							   m->scenarios[s].path, "compare",
							   m->scenarios[s].compare_file));
	for (size_t s = 0; s < m->ns; s++)
		for (size_t k = 0; k < m->nk; k++) {
			const struct matrix_cell *cell = cell_at(m, s, k);
			json_t *o = json_pack("{s:s, s:s, s:b, s:i, s:i, s:s}", "scenario", m->scenarios[s].name,
					      "kernel", m->kernels[k], "base", k == 0, "boots", cell->boots,
					      "failed_boots", cell->failed, "failures",
					      cell->failures ? cell->failures : "");
			for (int row = 0; row < NROWS; row++)
				json_object_set_new(o, row_metric[row],
						    reading_json(&rd[(s * m->nk + k) * NROWS + row], row));
			json_array_append_new(cells, o);
		}
	free(rd);
	/* display and text in the matrix's units; value as the comparison
	 * holds it */
	json_t *units = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "display", "failure_rate", "% of pins",
				  "pin_latency", u.name, "value", "failure_rate", "fraction of pins", "pin_latency", "ns");
	return json_pack("{s:i, s:f, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, s:o}", "schema_version", 1, "alpha",
			 m->alpha, "correction", correction_names[m->correction], "family",
			 "the tested metrics of each kernel's comparison in its scenario (its compare.json)", "base",
			 m->kernels[0], "boots", m->boots, "guest", m->guest ? m->guest : "", "units", units, "kernels",
			 kernels, "scenarios", scenarios, "cells", cells);
}
