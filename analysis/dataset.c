#include "config.h"
#include "dataset.h"
#include "counters.h"
#include "csv.h"
#include "differences.h"
#include "rundir.h"
#include "stats.h"
#include "util.h"

#include <gsl/gsl_statistics_double.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- metrics under construction: (run, value) pairs by name ---- */

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

/* ---- run directories ---- */

struct samples_ctx {
	struct dataset_builder *b;
	const struct load_options *o;
	unsigned run_offset, max_run;
};

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
	b->first = first;
	if (first)
		first->iteration = warmup + 1;
}

void dataset_builder_pin(struct dataset_builder *b, unsigned run, const struct pin_sample *s)
{
	char name[64];

	if (s->iteration >= 1 && s->iteration <= b->warmup)
		return; /* warm-up: on disk, not in the statistics */
	acc_rate(acc_get(b, "failure_rate", "", BETTER_LOWER, METRIC_RATE), run, s->errnum != 0);
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

/* A row of samples.csv (rundir checked every field), to the builder and
 * the on_pin hook. */
static int samples_row(const struct rundir_sample *r, unsigned line, void *ctx)
{
	struct samples_ctx *c = ctx;
	unsigned run = c->run_offset + r->run - 1;
	struct pin_sample s = {
		.run = r->run, .node = r->node, .bytes = (double)r->bytes, .pin_ns = (double)r->pin_ns,
		.errnum = r->err, .unpin_ns = r->unpinned ? (double)r->unpin_ns : -1,
		.unpin = !r->unpinned ? -1 : r->unpin_err ? 1 : 0, .iteration = r->iteration, .chunk = r->chunk,
		.start_ns = (double)r->start_ns, .job = r->job,
	};

	(void)line;
	if (run + 1 > c->max_run)
		c->max_run = run + 1;
	if (c->o->on_pin)
		c->o->on_pin(c->o->hook_ctx, &s);
	dataset_builder_pin(c->b, run, &s);
	return 0;
}

static enum better counter_better(const char *name)
{
	return strstr(name, "fail") ? BETTER_LOWER : BETTER_NEITHER;
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

/* After rundir_open checked it. Returns the highest run number. */
static size_t load_vmstat(struct dataset_builder *b, json_t *summary, unsigned run_offset, const struct load_options *o)
{
	size_t max_run = 0;
	size_t i;
	json_t *run;

	json_array_foreach(json_object_get(summary, "runs"), i, run) {
		json_int_t r = json_integer_value(json_object_get(run, "run"));
		const char *key;
		json_t *val;
		if ((size_t)r > max_run)
			max_run = (size_t)r;
		json_object_foreach(json_object_get(run, "vmstat_delta"), key, val) {
			if (o->on_counter)
				o->on_counter(o->hook_ctx, (unsigned)r, key, json_integer_value(val));
			dataset_builder_counter(b, run_offset + (unsigned)r - 1, key, json_integer_value(val),
						o->all_counters);
		}
	}
	return max_run;
}

/* The counters of the first sample of vmstat.csv (node "all"): every
 * counter the kernel had. */
struct counters_ctx {
	struct dataset *d;
	bool started;
	uint64_t first; /* the time of the first sample */
};

static int counters_row(uint64_t t, const char *node, const char *counter, uint64_t value, void *ctx)
{
	struct counters_ctx *c = ctx;
	struct dataset *d = c->d;

	(void)value;
	if (!c->started)
		c->first = t;
	c->started = true;
	if (t != c->first)
		return 1;
	if (strcmp(node, "all") || dataset_has_counter(d, counter))
		return 0;
	d->counters = xrealloc(d->counters, (d->ncounters + 1) * sizeof(*d->counters));
	d->counters[d->ncounters++] = xstrdup(counter);
	return 0;
}

/* Whether analysis may use a run: finished, on one environment, unless
 * the caller takes interrupted runs too (a report shows them, marked). */
static int check_usable(const char *dir, const struct rundir *rd, struct dataset *d, const struct load_options *o,
			char *err, size_t errlen)
{
	size_t changed = json_array_size(rd->env_changed);

	d->incomplete |= !rd->complete;
	d->env_changed |= changed > 0;
	if (o->allow_incomplete)
		return 0;
	if (!rd->complete) {
		snprintf(err, errlen, "%s: an interrupted run (summary.json has complete: false); "
			 "compare only finished runs", dir);
		return -1;
	}
	if (changed) {
		snprintf(err, errlen, "%s: the environment changed under the run (summary.json "
			 "environment_changed: %s%s); compare only runs on one setup", dir,
			 json_string_value(json_array_get(rd->env_changed, 0)), changed > 1 ? ", ..." : "");
		return -1;
	}
	return 0;
}

/* The warm-up iterations of a run directory: --warmup, or its run.json. */
static int run_warmup(const char *dir, json_t *run, const struct load_options *o, unsigned *warmup, char *err,
		      size_t errlen)
{
	json_t *w = json_object_get(run, "warmup");

	*warmup = 0;
	if (o->warmup_given) {
		*warmup = o->warmup;
		return 0;
	}
	if (w && (!json_is_integer(w) || json_integer_value(w) < 0 || json_integer_value(w) > 1000000)) {
		snprintf(err, errlen, "%s/run.json: field 'warmup': not a number of iterations", dir);
		return -1;
	}
	*warmup = (unsigned)json_integer_value(w);
	return 0;
}

/* A run directory pooled with the first one must have run the same
 * thing; what else differs (the kernel of another boot) is kept. */
static int check_pooled(const char *dir, json_t *run, struct dataset *d, const struct load_options *o, char *err,
			size_t errlen)
{
	struct differences ds = { 0 };

	differences_find(d->run_json, run, &ds);
	const struct difference *refusing = differences_refusing(&ds);
	if (refusing && !o->force) {
		snprintf(err, errlen, "%s: did not run what the first run directory of %s ran (%s: %.60s -> %.60s); "
			 "pool them anyway with --force", dir, d->path, refusing->key, refusing->base, refusing->cand);
		differences_free(&ds);
		return -1;
	}
	for (size_t i = 0; i < ds.n; i++) {
		d->pooled_differences = xrealloc(d->pooled_differences,
						 (d->npooled_differences + 1) * sizeof(*d->pooled_differences));
		d->pooled_differences[d->npooled_differences++] = ds.d[i];
	}
	free(ds.d);
	return 0;
}

/* A run's identity: its directory name alone repeats (every boot of a
 * guest writes "run"), with the host and the start time it does not. */
static void add_run_id(struct dataset *d, json_t *run, const char *dir)
{
	const char *id = json_string_value(json_object_get(run, "run_id"));
	const char *host = json_string_value(json_object_get(run, "hostname"));
	char buf[512];

	snprintf(buf, sizeof(buf), "%s@%s@%" JSON_INTEGER_FORMAT, id ? id : dir, host ? host : "",
		 json_integer_value(json_object_get(run, "t0_realtime_ns")));
	d->run_ids = xrealloc(d->run_ids, (d->nrun_ids + 1) * sizeof(*d->run_ids));
	d->run_ids[d->nrun_ids++] = xstrdup(buf);
}

static int load_run_dir(const char *dir, struct dataset_builder *b, struct dataset *d, const struct load_options *o,
			char *err, size_t errlen)
{
	struct rundir rd;
	unsigned warmup;

	if (rundir_open(dir, &rd, err, errlen))
		return -1;
	struct samples_ctx c = { .b = b, .o = o, .run_offset = (unsigned)b->nruns };
	int ret = run_warmup(dir, rd.run, o, &warmup, err, errlen) || check_usable(dir, &rd, d, o, err, errlen) ||
		  (d->run_json && check_pooled(dir, rd.run, d, o, err, errlen));
	if (!ret) {
		d->warmup = warmup;
		dataset_builder_warmup(b, warmup, &d->first);
		ret = rundir_read_samples(dir, samples_row, &c, err, errlen);
	}
	if (ret) {
		rundir_close(&rd);
		return -1;
	}
	/* Every run number seen must index the runs (a damaged summary.json
	 * may number beyond its own length). */
	size_t runs = json_array_size(json_object_get(rd.summary, "runs"));
	size_t vmstat_runs = load_vmstat(b, rd.summary, (unsigned)b->nruns, o);
	if (vmstat_runs > runs)
		runs = vmstat_runs;
	b->nruns += runs > c.max_run - c.run_offset ? runs : c.max_run - c.run_offset;
	add_run_id(d, rd.run, dir);
	if (!d->run_json)
		d->run_json = json_incref(rd.run);
	if (!d->ncounters) {
		char why[256];
		struct counters_ctx cc = { .d = d };
		rundir_read_vmstat(dir, counters_row, &cc, why, sizeof(why));
	}
	rundir_close(&rd);
	return 0;
}

bool is_run_dir(const char *dir)
{
	return rundir_is_run(dir);
}

static bool keep_run_dir(const char *path, const char *name)
{
	return name[0] != '.' && is_run_dir(path);
}

/* A directory of run directories (one per boot, say), pooled in name order. */
static int load_run_dirs(const char *dir, struct dataset_builder *b, struct dataset *d, const struct load_options *o,
			 char *err, size_t errlen)
{
	size_t n;
	char **names = list_dir_sorted(dir, keep_run_dir, &n, err, errlen);
	int ret = 0;

	if (!names)
		return -1;
	if (!n) {
		snprintf(err, errlen, "%s: not a run directory (no summary.json) and none inside it", dir);
		free(names);
		return -1;
	}
	for (size_t i = 0; i < n && !ret; i++)
		ret = load_run_dir(names[i], b, d, o, err, errlen);
	free_strings(names, n);
	return ret;
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
	static const char *const first[] = { "pin_latency", "unpin_latency", "pin_throughput", "failure_rate" };

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

/* The metrics of the builder into d (none when failed), and b freed. */
static int builder_finish(struct dataset_builder *b, struct dataset *d, int ret, const char *what, char *err,
			  size_t errlen)
{
	/* counted before the loop frees names */
	bool one_node = count_nodes(b) < 2;

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
	qsort(d->m, d->nm, sizeof(*d->m), metric_order);
	/* A kernel whose every pin fails still has a failure rate to compare. */
	if (!ret && !dataset_metric(d, "pin_latency") && !dataset_metric(d, "failure_rate")) {
		snprintf(err, errlen, "%s: no pin in the samples", what);
		ret = -1;
	}
	return ret;
}

int dataset_builder_finish(struct dataset_builder *b, struct dataset *d, char *err, size_t errlen)
{
	int ret = builder_finish(b, d, 0, d->path, err, errlen);

	free(b);
	if (ret)
		dataset_free(d);
	return ret;
}

static int load_directory(const char *dir, struct dataset *d, const struct load_options *o, char *err,
			  size_t errlen)
{
	struct dataset_builder b = { 0 };
	int ret = is_run_dir(dir) ? load_run_dir(dir, &b, d, o, err, errlen)
				  : load_run_dirs(dir, &b, d, o, err, errlen);

	return builder_finish(&b, d, ret, dir, err, errlen);
}

/* ---- plain files and CSV columns ---- */

struct numbers_ctx {
	const char *path, *column;
	int col;
	size_t ncols;
	double *v;
	size_t n, cap;
	char *err;
	size_t errlen;
};

static int numbers_push(struct numbers_ctx *c, const char *s, unsigned no)
{
	char why[96];
	double x;

	if (parse_finite(s, &x, why, sizeof(why))) {
		if (c->column)
			snprintf(c->err, c->errlen, "%s:%u: column '%s': %s", c->path, no, c->column, why);
		else
			snprintf(c->err, c->errlen, "%s:%u: %s", c->path, no, why);
		return -1;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = x;
	return 0;
}

static int plain_line(char *line, unsigned no, void *ctx)
{
	const char *s = line + strspn(line, " \t\r");

	if (!*s || *s == '#')
		return 0;
	return numbers_push(ctx, s, no);
}

static int csv_line(char *line, unsigned no, void *ctx)
{
	struct numbers_ctx *c = ctx;
	char *f[256], known[512];

	size_t n = csv_split(line, f, ARRAY_SIZE(f));
	if (no == 1) {
		size_t o = 0;
		known[0] = '\0';
		c->ncols = n;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(f[i], c->column))
				c->col = (int)i;
			appendf(known, sizeof(known), &o, "%s%s", i ? ", " : "", f[i]);
		}
		if (c->col < 0)
			snprintf(c->err, c->errlen, "%s:1: no column '%s' (columns: %s)", c->path, c->column, known);
		return c->col < 0 ? -1 : 0;
	}
	if (n == 1 && !*f[0])
		return 0;
	if (n != c->ncols) {
		snprintf(c->err, c->errlen, "%s:%u: %zu fields where the header has %zu", c->path, no, n, c->ncols);
		return -1;
	}
	return numbers_push(c, f[c->col], no);
}

static int load_numbers(const char *path, struct dataset *d, const struct load_options *o, char *err,
			size_t errlen)
{
	size_t len;
	char *text = read_input_file(path, RUNDIR_MAX_CSV, &len, err, errlen);
	struct numbers_ctx c = { .path = path, .column = o->column, .col = -1, .err = err, .errlen = errlen };

	if (!text)
		return -1;
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: NUL byte: not a text file", path);
		free(text);
		return -1;
	}
	int ret = csv_each_line(text, len, o->column ? csv_line : plain_line, &c);
	free(text);
	if (!ret && !c.n) {
		snprintf(err, errlen, "%s: no numbers in it", path);
		ret = -1;
	}
	if (ret) {
		free(c.v);
		return -1;
	}
	struct metric *m = d->m = xcalloc(1, sizeof(*d->m));
	d->nm = 1;
	d->nruns = 1;
	m->name = xstrdup(o->column ? o->column : "value");
	m->unit = "";
	m->better = o->higher_is_better ? BETTER_HIGHER : BETTER_LOWER;
	m->kind = METRIC_VALUES;
	m->v = c.v;
	m->n = c.n;
	sort_doubles(m->v, m->n);
	m->runs = xmalloc(sizeof(*m->runs));
	m->runs[0] = gsl_stats_median_from_sorted_data(m->v, 1, m->n);
	m->nruns = 1;
	m->grouped = xmalloc(m->n * sizeof(*m->grouped));
	memcpy(m->grouped, m->v, m->n * sizeof(*m->grouped));
	m->start = xmalloc(2 * sizeof(*m->start));
	m->start[0] = 0;
	m->start[1] = m->n;
	m->ngroups = 1;
	return 0;
}

int dataset_load(const char *path, const struct load_options *o, struct dataset *d, char *err, size_t errlen)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path);
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int ret = S_ISDIR(st.st_mode) ? load_directory(path, d, o, err, errlen)
				      : load_numbers(path, d, o, err, errlen);
	if (ret)
		dataset_free(d);
	return ret;
}

void dataset_free(struct dataset *d)
{
	for (size_t i = 0; i < d->nm; i++) {
		free(d->m[i].name);
		free(d->m[i].v);
		free(d->m[i].runs);
		free(d->m[i].grouped);
		free(d->m[i].start);
	}
	free(d->m);
	for (size_t i = 0; i < d->ncounters; i++)
		free(d->counters[i]);
	free(d->counters);
	free(d->path);
	json_decref(d->run_json);
	free(d->first.first);
	free(d->first.later);
	for (size_t i = 0; i < d->nrun_ids; i++)
		free(d->run_ids[i]);
	free(d->run_ids);
	struct differences pooled = { d->pooled_differences, d->npooled_differences };
	differences_free(&pooled);
	memset(d, 0, sizeof(*d));
}

const char *dataset_shared_run(const struct dataset *a, const struct dataset *b)
{
	char *ra = realpath(a->path, NULL), *rb = realpath(b->path, NULL);
	bool same_file = ra && rb && !strcmp(ra, rb);

	free(ra);
	free(rb);
	if (same_file)
		return a->path;
	for (size_t i = 0; i < a->nrun_ids; i++)
		for (size_t j = 0; j < b->nrun_ids; j++)
			if (!strcmp(a->run_ids[i], b->run_ids[j]))
				return a->run_ids[i];
	return NULL;
}

const struct metric *dataset_metric(const struct dataset *d, const char *name)
{
	for (size_t i = 0; i < d->nm; i++)
		if (!strcmp(d->m[i].name, name))
			return &d->m[i];
	return NULL;
}

bool dataset_has_counter(const struct dataset *d, const char *counter)
{
	for (size_t i = 0; i < d->ncounters; i++)
		if (!strcmp(d->counters[i], counter))
			return true;
	return false;
}

bool metric_is_latency(const struct metric *m)
{
	return !strcmp(m->unit, "ns");
}

const char *better_name(enum better b)
{
	return b == BETTER_LOWER ? "lower" : b == BETTER_HIGHER ? "higher" : "neither";
}

void dataset_describe(const struct dataset *d, char *buf, size_t len)
{
	const char *release = json_string_value(json_object_get(json_object_get(d->run_json, "kernel"), "release"));
	size_t values = d->nm ? d->m[0].n : 0;

	if (d->run_json)
		snprintf(buf, len, "%s (%zu run%s, kernel %s%s%s)", d->path, d->nruns, d->nruns == 1 ? "" : "s",
			 release ? release : "?", d->incomplete ? ", INCOMPLETE" : "",
			 d->env_changed ? ", ENVIRONMENT CHANGED" : "");
	else
		snprintf(buf, len, "%s (%zu values)", d->path, values);
}

bool run_dir_complete(const char *dir)
{
	return rundir_complete(dir);
}
