#include "config.h"
#include "auto_runs.h"
#include "differences.h"
#include "log.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AUTO_ALPHA 0.05

static int auto_runs_check(void *ctx, json_t *identity)
{
	struct auto_runs *a = ctx;
	const struct scenario_global *g = &a->sc->global;
	struct differences ds = { 0 };
	char err[1024];

	if (sequential_open(&a->seq, g->baseline, (unsigned)g->warmup, (unsigned)g->max_runs, AUTO_ALPHA, err,
			    sizeof(err))) {
		pb_err("%s: [global] baseline: %s", a->sc->path, err);
		return -1;
	}
	a->open = true;
	differences_find(a->seq.run_json, identity, &ds);
	const struct difference *refusing = differences_refusing(&ds);
	char b[64], c[64];
	if (refusing)
		pb_err("%s: [global] baseline %s did not run this scenario: %s is %.60s there and %.60s here",
		       a->sc->path, g->baseline, refusing->key, difference_text(refusing, refusing->base, b, sizeof(b)),
		       difference_text(refusing, refusing->cand, c, sizeof(c)));
	differences_free(&ds);
	unsigned need = sequential_min_runs(&a->seq);
	if (!refusing && !need)
		pb_err("%s: [global] runs = auto: against the %zu runs of %s no look within max_runs = %u can reach "
		       "p <= %.3g (alpha 0.05 over %u looks): give the baseline more runs", a->sc->path, a->seq.nbase,
		       g->baseline, a->seq.max_runs, a->seq.alpha_per_look, a->seq.max_runs - 1);
	return refusing || !need ? -1 : 0;
}

/* The median pin latency of each run so far (warm-up left out). */
static size_t run_medians(const struct sample_list *l, unsigned runs, unsigned warmup, double *out)
{
	double *v = xmalloc((l->n + 1) * sizeof(*v));
	size_t n = 0;

	for (unsigned r = 1; r <= runs; r++) {
		size_t k = 0;
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i].run == r && !l->v[i].err && l->v[i].iteration > warmup)
				v[k++] = (double)l->v[i].pin_ns;
		if (!k)
			continue;
		gsl_sort(v, 1, k);
		out[n++] = gsl_stats_median_from_sorted_data(v, 1, k);
	}
	free(v);
	return n;
}

static bool auto_runs_enough(void *ctx, const struct sample_list *samples, unsigned run, uint64_t elapsed_ns)
{
	struct auto_runs *a = ctx;
	const struct scenario_global *g = &a->sc->global;
	double *medians = xmalloc((run + 1) * sizeof(*medians));
	size_t n = run_medians(samples, run, (unsigned)g->warmup, medians);

	if (n >= 2) {
		enum sequential_verdict v = sequential_look(&a->seq, medians, n, &a->p);
		a->looks++;
		if (v != SEQ_GO_ON)
			a->stopped = sequential_verdict_name(v);
		pb_info("runs = auto: %zu run(s) against %zu: p = %.3g, %s at %.3g", n, a->seq.nbase, a->p,
			a->stopped ? "decided" : "undecided", a->seq.alpha_per_look);
	}
	free(medians);
	if (!a->stopped && run >= g->runs)
		a->stopped = "max_runs";
	if (!a->stopped && elapsed_ns >= g->max_time_ns)
		a->stopped = "max_time";
	return a->stopped != NULL;
}

static json_t *auto_runs_report(void *ctx, bool interrupted)
{
	const struct auto_runs *a = ctx;

	return json_pack("{s:s, s:I, s:I, s:f, s:f, s:I, s:o, s:s, s:s}", "baseline", a->seq.path,
			 "baseline_runs", (json_int_t)a->seq.nbase, "max_runs", (json_int_t)a->seq.max_runs,
			 "alpha", a->seq.alpha, "alpha_per_look", a->seq.alpha_per_look, "looks", (json_int_t)a->looks,
			 "p", isnan(a->p) ? json_null() : json_real(a->p),
			 "stopped", interrupted ? "interrupted" : a->stopped ? a->stopped : "max_runs",
			 "error_control", "Mann-Whitney on per-run median pin latency at alpha / (max_runs - 1) a look");
}

const struct run_stop_rule *auto_runs_rule(struct auto_runs *a, const struct scenario *sc)
{
	memset(a, 0, sizeof(*a));
	if (!sc->global.runs_auto)
		return NULL;
	a->sc = sc;
	a->p = NAN;
	a->rule = (struct run_stop_rule){ .ctx = a, .check = auto_runs_check, .enough = auto_runs_enough,
					  .report = auto_runs_report };
	return &a->rule;
}

void auto_runs_close(struct auto_runs *a)
{
	if (a->open)
		sequential_close(&a->seq);
	memset(a, 0, sizeof(*a));
}
