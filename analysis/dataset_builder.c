/* Metrics under construction: (run, value) pairs by name, finished into
 * a dataset's sorted samples and per-run values. */
#include "config.h"
#include "dataset_load.h"
#include "counters.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct acc {
	struct metric m;
	bool one_per_run;   /* a vmstat delta: a run without it had 0 */
	size_t cap;
	unsigned *run;      /* 0-based over the whole dataset */
	uint64_t *events, *trials; /* METRIC_RATE, per run */
	size_t rate_runs;
};

struct dataset_builder {
	struct acc *a;
	size_t n;
	size_t nruns;
	unsigned warmup;               /* of the run being added */
	struct first_iteration *first; /* where its first counted iteration goes, or NULL */
	size_t warmed;                 /* pins the warm-up left out */
	unsigned most_warmup, last_iteration; /* to say why nothing is left */
};

static struct acc *acc_get(struct dataset_builder *b, const char *name, const char *unit, enum better better,
			   enum metric_kind kind)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->a[i].m.name, name))
			return &b->a[i];
	b->a = xrealloc(b->a, (b->n + 1) * sizeof(*b->a));
	struct acc *a = &b->a[b->n++];
	memset(a, 0, sizeof(*a));
	a->m.name = xstrdup(name);
	a->m.unit = unit;
	a->m.better = better;
	a->m.kind = kind;
	return a;
}

static void acc_add(struct acc *a, unsigned run, double v)
{
	if (a->m.n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 256;
		a->m.v = xrealloc(a->m.v, a->cap * sizeof(*a->m.v));
		a->run = xrealloc(a->run, a->cap * sizeof(*a->run));
	}
	a->m.v[a->m.n] = v;
	a->run[a->m.n++] = run;
}

static void acc_rate(struct acc *a, unsigned run, bool event)
{
	if (run >= a->rate_runs) {
		a->events = xrealloc(a->events, (run + 1) * sizeof(*a->events));
		a->trials = xrealloc(a->trials, (run + 1) * sizeof(*a->trials));
		for (size_t r = a->rate_runs; r <= run; r++)
			a->events[r] = a->trials[r] = 0;
		a->rate_runs = run + 1;
	}
	a->events[run] += event;
	a->trials[run]++;
	a->m.events += event;
	a->m.trials++;
}

/* The values grouped by run (a counting sort on the run index): start[r]
 * is where run r begins in the returned array, start[nruns] its end. */
static double *group_by_run(const struct acc *a, size_t nruns, size_t *start)
{
	double *grouped = xmalloc((a->m.n + 1) * sizeof(*grouped));
	size_t *fill = xcalloc(nruns + 1, sizeof(*fill));

	memset(start, 0, (nruns + 1) * sizeof(*start));
	for (size_t i = 0; i < a->m.n; i++)
		start[a->run[i] + 1]++;
	for (size_t r = 0; r < nruns; r++)
		start[r + 1] += start[r];
	memcpy(fill, start, nruns * sizeof(*fill));
	for (size_t i = 0; i < a->m.n; i++)
		grouped[fill[a->run[i]]++] = a->m.v[i];
	free(fill);
	return grouped;
}

/* Pooled values sorted; one value per run: its median, or its rate. The
 * values stay grouped by run for other per-run statistics. */
static void acc_finish(struct acc *a, size_t nruns, struct metric *out)
{
	struct metric *m = &a->m;
	size_t *start = xmalloc((nruns + 1) * sizeof(*start));
	double *grouped = m->kind == METRIC_VALUES ? group_by_run(a, nruns, start) : NULL;

	m->runs = xmalloc((nruns + 1) * sizeof(*m->runs));
	for (size_t r = 0; r < nruns; r++) {
		if (m->kind == METRIC_RATE) {
			if (r < a->rate_runs && a->trials[r])
				m->runs[m->nruns++] = (double)a->events[r] / (double)a->trials[r];
			continue;
		}
		double *run = grouped + start[r];
		size_t k = start[r + 1] - start[r];
		sort_doubles(run, k);
		if (k || a->one_per_run) /* summary.json leaves out counters that did not move: 0 */
			m->runs[m->nruns++] = k ? gsl_stats_median_from_sorted_data(run, 1, k) : 0;
	}
	m->one_per_run = a->one_per_run;
	if (a->one_per_run) { /* the pooled sample is the per-run values */
		free(m->v);
		m->v = xmalloc((m->nruns + 1) * sizeof(*m->v));
		memcpy(m->v, m->runs, m->nruns * sizeof(*m->v));
		m->n = m->nruns;
	}
	sort_doubles(m->v, m->n);
	sort_doubles(m->runs, m->nruns);
	if (grouped && !a->one_per_run) {
		m->grouped = grouped;
		m->start = start;
		m->ngroups = nruns;
	} else {
		free(grouped);
		free(start);
	}
	free(a->run);
	free(a->events);
	free(a->trials);
	*out = *m;
}

static void first_iteration_add(struct first_iteration *f, bool first, double v)
{
	double **a = first ? &f->first : &f->later;
	size_t *n = first ? &f->nfirst : &f->nlater, *cap = first ? &f->cap_first : &f->cap_later;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[(*n)++] = v;
}

void dataset_builder_warmup(struct dataset_builder *b, unsigned warmup, struct first_iteration *first)
{
	b->warmup = warmup;
	if (warmup > b->most_warmup)
		b->most_warmup = warmup;
	b->first = first;
	if (first)
		first->iteration = warmup + 1;
}

void dataset_builder_pin(struct dataset_builder *b, unsigned run, const struct pin_sample *s)
{
	char name[64];

	if (s->iteration > b->last_iteration)
		b->last_iteration = (unsigned)s->iteration;
	if (s->iteration >= 1 && s->iteration <= b->warmup) {
		b->warmed++;
		return; /* warm-up: on disk, not in the statistics */
	}
	acc_rate(acc_get(b, "failure_rate", "", BETTER_LOWER, METRIC_RATE), run, s->errnum != 0);
	/* The pins that failed with a THP behind them that was neither
	 * migrated nor split (a failed split is the second seed's cause),
	 * told apart from base pages failing to migrate. */
	if (s->split_traced)
		acc_rate(acc_get(b, "thp_failure_rate", "", BETTER_LOWER, METRIC_RATE), run,
			 s->errnum != 0 && s->split_failed);
	if (s->errnum)
		return;
	acc_add(acc_get(b, "pin_latency", "ns", BETTER_LOWER, METRIC_VALUES), run, s->pin_ns);
	if (b->first && s->iteration >= 1)
		first_iteration_add(b->first, s->iteration == b->warmup + 1, s->pin_ns);
	snprintf(name, sizeof(name), "pin_latency.node%d", s->node);
	acc_add(acc_get(b, name, "ns", BETTER_LOWER, METRIC_VALUES), run, s->pin_ns);
	if (s->pin_ns > 0)
		acc_add(acc_get(b, "pin_throughput", "GB/s", BETTER_HIGHER, METRIC_VALUES), run,
			s->bytes / s->pin_ns);
	if (s->unpin == 0 && s->unpin_ns >= 0)
		acc_add(acc_get(b, "unpin_latency", "ns", BETTER_LOWER, METRIC_VALUES), run, s->unpin_ns);
}

void dataset_builder_counter(struct dataset_builder *b, unsigned run, const char *counter, int64_t delta,
			     bool all_counters)
{
	char name[160];

	if (!all_counters && !counter_is_migration_related(counter))
		return;
	snprintf(name, sizeof(name), "vmstat.%s", counter);
	struct acc *a = acc_get(b, name, "", counter_better(counter), METRIC_VALUES);
	a->one_per_run = true;
	acc_add(a, run, (double)delta);
}

void dataset_builder_function(struct dataset_builder *b, unsigned run, const char *function, int64_t hits,
			      double time_ns)
{
	char name[160];

	snprintf(name, sizeof(name), "function.%s.hits", function);
	struct acc *a = acc_get(b, name, "", BETTER_LOWER, METRIC_VALUES);
	a->one_per_run = true;
	acc_add(a, run, (double)hits);
	snprintf(name, sizeof(name), "function.%s.time", function);
	a = acc_get(b, name, "ns", BETTER_LOWER, METRIC_VALUES);
	a->one_per_run = true;
	acc_add(a, run, time_ns);
}

/* Per-node metrics only say something new when there are several nodes. */
static size_t count_nodes(const struct dataset_builder *b)
{
	size_t nodes = 0;

	for (size_t i = 0; i < b->n; i++)
		nodes += strncmp(b->a[i].m.name, "pin_latency.node", 16) == 0;
	return nodes;
}

/* Latencies first, then throughput, failures and counters by name. */
static int metric_rank(const char *name)
{
	static const char *const first[] = { "pin_latency", "unpin_latency", "pin_throughput", "failure_rate",
					     "thp_failure_rate" };

	for (size_t i = 0; i < ARRAY_SIZE(first); i++)
		if (!strncmp(name, first[i], strlen(first[i])))
			return (int)i;
	return (int)ARRAY_SIZE(first);
}

static int metric_order(const void *a, const void *b)
{
	const struct metric *x = a, *y = b;
	int d = metric_rank(x->name) - metric_rank(y->name);

	return d ? d : strcmp(x->name, y->name);
}

struct dataset_builder *dataset_builder_new(void)
{
	return xcalloc(1, sizeof(struct dataset_builder));
}

void dataset_builder_add_runs(struct dataset_builder *b, size_t nruns)
{
	b->nruns += nruns;
}

size_t dataset_builder_runs(const struct dataset_builder *b)
{
	return b->nruns;
}

int dataset_builder_end(struct dataset_builder *b, struct dataset *d, int ret, const char *what, char *err,
			size_t errlen)
{
	/* counted before the loop frees names */
	bool one_node = count_nodes(b) < 2;
	size_t warmed = b->warmed;
	unsigned most_warmup = b->most_warmup, last_iteration = b->last_iteration;

	d->nruns = b->nruns;
	d->m = xcalloc(b->n + 1, sizeof(*d->m));
	for (size_t i = 0; i < b->n; i++) {
		if (ret || (one_node && strstr(b->a[i].m.name, ".node"))) {
			free(b->a[i].m.name);
			free(b->a[i].m.v);
			free(b->a[i].run);
			free(b->a[i].events);
			free(b->a[i].trials);
			continue;
		}
		acc_finish(&b->a[i], b->nruns, &d->m[d->nm++]);
	}
	free(b->a);
	free(b);
	qsort(d->m, d->nm, sizeof(*d->m), metric_order);
	/* A kernel whose every pin fails still has a failure rate to compare. */
	if (!ret && !dataset_metric(d, "pin_latency") && !dataset_metric(d, "failure_rate")) {
		if (warmed)
			snprintf(err, errlen, "%s: the warm-up of %u iterations leaves no pin: its runs have %u "
				 "iterations (give a smaller --warmup)", what, most_warmup, last_iteration);
		else
			snprintf(err, errlen, "%s: no pin in the samples", what);
		ret = -1;
	}
	return ret;
}

int dataset_builder_finish(struct dataset_builder *b, struct dataset *d, char *err, size_t errlen)
{
	int ret = dataset_builder_end(b, d, 0, d->path, err, errlen);

	if (ret)
		dataset_free(d);
	return ret;
}
