#include "config.h"
#include "warnings.h"
#include "differences.h"
#include "hypothesis.h"
#include "stats.h"
#include "format.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void add(struct warnings *w, const char *fmt, ...)
{
	va_list ap;
	char buf[640];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->text[i], buf))
			return; /* the base's warning, once for all candidates */
	w->text = xrealloc(w->text, (w->n + 1) * sizeof(*w->text));
	w->text[w->n++] = xstrdup(buf);
}

/* Of the slowest tenth of all pins, how many came from the first iteration. */
static size_t slowest_from_first(const struct first_iteration *f, size_t *slowest)
{
	size_t n = f->nfirst + f->nlater, k = 0;
	double *all = xmalloc((n + 1) * sizeof(*all));

	memcpy(all, f->first, f->nfirst * sizeof(*all));
	memcpy(all + f->nfirst, f->later, f->nlater * sizeof(*all));
	sort_doubles(all, n);
	double p90 = gsl_stats_quantile_from_sorted_data(all, 1, n, 0.9);
	*slowest = 0;
	for (size_t i = 0; i < n; i++)
		*slowest += all[i] > p90;
	for (size_t i = 0; i < f->nfirst; i++)
		k += f->first[i] > p90;
	free(all);
	return k;
}

/* P(X >= k) for X ~ Binomial(n, q). */
static double binomial_upper(size_t k, size_t n, double q)
{
	return k ? gsl_cdf_binomial_Q((unsigned)k - 1, q, (unsigned)n) : 1.0;
}

/* Runs pooled under --force that did not run the same test: what they
 * differ in, as compare lists a difference between its sides. */
static void pooled_scenarios(const struct dataset *d, struct warnings *w)
{
	char list[480] = "";
	size_t o = 0, shown = 0, refusing = 0;

	for (size_t i = 0; i < d->npooled_differences; i++) {
		const struct difference *x = &d->pooled_differences[i];
		if (!x->refuse)
			continue;
		if (refusing++ < 4 && o < sizeof(list) - 1) {
			appendf(list, sizeof(list), &o, "%s%s: %.40s -> %.40s", shown ? "; " : "", x->key, x->base, x->cand);
			shown++;
		}
	}
	if (refusing)
		add(w, "%s pools runs of different scenarios (--force): %s%s", d->path, list,
		    refusing > shown ? "; ..." : "");
}

void warnings_of_dataset(const struct dataset *d, double alpha, struct warnings *w)
{
	const struct first_iteration *f = &d->first;
	struct mann_whitney mw;
	char a[24], b[24], p[16];

	pooled_scenarios(d, w);
	if (f->nfirst < 3 || f->nlater < 3)
		return;
	sort_doubles(f->first, f->nfirst);
	sort_doubles(f->later, f->nlater);
	double mf = gsl_stats_median_from_sorted_data(f->first, 1, f->nfirst);
	double ml = gsl_stats_median_from_sorted_data(f->later, 1, f->nlater);
	mann_whitney(f->later, f->nlater, f->first, f->nfirst, &mw);
	/* slower as a whole, or only in the tail: the slowest tenth crowded
	 * into the first iteration beyond its share of the pins */
	size_t slowest, k = slowest_from_first(f, &slowest);
	double share = (double)f->nfirst / (double)(f->nfirst + f->nlater);
	double p_tail = binomial_upper(k, slowest, share);
	bool slower = mw.p < alpha && ml > 0 && mf >= 1.1 * ml;
	bool tail = p_tail < alpha && (double)k > 2 * share * (double)slowest;
	if (!slower && !tail)
		return;
	format_value(mf, "ns", a, sizeof(a));
	format_value(ml, "ns", b, sizeof(b));
	format_p(slower ? mw.p : p_tail, p, sizeof(p));
	add(w, "%s: iteration %u looks like a warm-up: its pins took a median %s against %s later, and %zu of the "
	       "%zu slowest tenth of all pins came from it where %.0f were its share (p = %s). Leave it out with "
	       "warmup = %u in the scenario, or --warmup %u", d->path, f->iteration, a, b, k, slowest,
	    share * (double)slowest, p, f->iteration, f->iteration);
}

void warnings_of_comparison(const struct comparison *c, struct warnings *w)
{
	warnings_of_dataset(c->base, c->alpha, w);
	warnings_of_dataset(c->cand, c->alpha, w);
	for (size_t i = 0; i < c->n; i++)
		if (c->m[i].warning[0])
			add(w, "%s", c->m[i].warning);
	if (c->same_runs)
		add(w, "%s and %s hold the same runs: what differs between them is noise", c->base->path,
		    c->cand->path);
}

void warnings_print(FILE *f, const struct warnings *w, const char *indent)
{
	for (size_t i = 0; i < w->n; i++)
		fprintf(f, "%sWARNING: %s\n", indent, w->text[i]);
}

json_t *warnings_json(const struct warnings *w)
{
	json_t *a = json_array();

	for (size_t i = 0; i < w->n; i++)
		json_array_append_new(a, json_string(w->text[i]));
	return a;
}

void warnings_free(struct warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w->text);
	memset(w, 0, sizeof(*w));
}
