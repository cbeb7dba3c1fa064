/* Datasets from run directories, read through lib/rundir: one run
 * directory, or a directory of them pooled. */
#include "config.h"
#include "dataset_load.h"
#include "differences.h"
#include "rundir.h"
#include "util.h"
#include "paths.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct samples_ctx {
	struct dataset_builder *b;
	const struct load_options *o;
	unsigned run_offset, max_run;
};

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
		.split_traced = r->thp_unsplit >= 0, .split_failed = r->thp_unsplit > 0,
	};

	(void)line;
	if (run + 1 > c->max_run)
		c->max_run = run + 1;
	if (c->o->on_pin)
		c->o->on_pin(c->o->hook_ctx, &s);
	dataset_builder_pin(c->b, run, &s);
	return 0;
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
		json_object_foreach(json_object_get(run, "functions"), key, val)
			dataset_builder_function(b, run_offset + (unsigned)r - 1, key,
						 json_integer_value(json_object_get(val, "hits")),
						 1000 * json_number_value(json_object_get(val, "time_us")));
	}
	return max_run;
}

/* The counters of the first sample of vmstat.csv (node "all"): every
 * counter the kernel had. */
struct counters_ctx {
	struct dataset *d;
	bool collect;  /* the counters are not known yet */
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
	if (t != c->first || !c->collect)
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

/* A count of an object, or -1 when the file has none. */
static int64_t count_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* One run's (or a directory's) failure record from its part of summary.json. */
static void add_failures(struct dataset *d, const char *where, bool directory, const json_t *s)
{
	const json_t *pin = json_object_get(s, "pin"), *errnos = json_object_get(pin, "failures_by_errno"), *n;
	const json_t *mov = json_object_get(s, "movable_fraction_before");
	const char *name;
	char by[256] = "";
	size_t len = 0;

	json_object_foreach((json_t *)errnos, name, n)
		if (len < sizeof(by))
			len += (size_t)snprintf(by + len, sizeof(by) - len, "%s%s %" JSON_INTEGER_FORMAT, len ? ", " : "",
						name, json_integer_value(n));
	d->failures = xrealloc(d->failures, (d->nfailures + 1) * sizeof(*d->failures));
	d->failures[d->nfailures++] = (struct run_failures){
		.where = xstrdup(where), .directory = directory,
		.pins = count_of(pin, "ops"), .failures = count_of(pin, "failures"),
		.migration = count_of(pin, "failures_migration"), .thp = count_of(pin, "failures_thp"),
		.base_pages = count_of(pin, "failures_base_pages"), .other = count_of(pin, "failures_other"),
		.unattributed = count_of(pin, "failures_unattributed"), .by_errno = xstrdup(by),
		.unpinnable = count_of(s, "unpinnable_pages"),
		.movable_fraction = json_is_number(mov) ? json_number_value(mov) : NAN,
		.migrated = -1, .migrate_failed = -1, .thp_split = -1, .thp_failed = -1,
	};
}

/* Every run's failures, then the directory's with the tracepoint's
 * longterm_pin counts (the tracepoint counts a directory, not a run). */
static void add_run_dir_failures(struct dataset *d, const char *dir, const json_t *summary)
{
	size_t top = strlen(d->path), i;

	while (top > 1 && d->path[top - 1] == '/') /* "runs/" names its runs as "runs" does */
		top--;
	const char *where = !strncmp(dir, d->path, top) && dir[top] == '/' ? dir + top + 1 : path_base(dir);
	while (*where == '/')
		where++;
	if (!*where)
		where = dir;
	const json_t *run, *t = json_object_get(json_object_get(summary, "trace"), "longterm_pin");
	char label[512];

	json_array_foreach(json_object_get(summary, "runs"), i, run) {
		snprintf(label, sizeof(label), "%s run %" JSON_INTEGER_FORMAT, where,
			 json_integer_value(json_object_get(run, "run")));
		add_failures(d, label, false, run);
	}
	add_failures(d, where, true, summary);
	struct run_failures *f = &d->failures[d->nfailures - 1];
	if (json_is_object(t)) {
		f->migrated = count_of(t, "succeeded");
		f->migrate_failed = count_of(t, "failed");
		f->thp_split = count_of(t, "thp_split");
		f->thp_failed = count_of(t, "thp_failed");
	}
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
	struct samples_ctx c = { .b = b, .o = o, .run_offset = (unsigned)dataset_builder_runs(b) };
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
	size_t vmstat_runs = load_vmstat(b, rd.summary, (unsigned)dataset_builder_runs(b), o);
	if (vmstat_runs > runs)
		runs = vmstat_runs;
	dataset_builder_add_runs(b, runs > c.max_run - c.run_offset ? runs : c.max_run - c.run_offset);
	add_run_id(d, rd.run, dir);
	add_run_dir_failures(d, dir, rd.summary);
	if (!d->run_json)
		d->run_json = json_incref(rd.run);
	/* Every run's vmstat.csv is read whole (a damaged one is refused);
	 * the first one's first sample names the kernel's counters. */
	struct counters_ctx cc = { .d = d, .collect = !d->ncounters };
	ret = rundir_read_vmstat(dir, counters_row, &cc, err, errlen) < 0;
	rundir_close(&rd);
	return ret ? -1 : 0;
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

int dataset_load_directory(const char *dir, struct dataset *d, const struct load_options *o, char *err,
			   size_t errlen)
{
	struct dataset_builder *b = dataset_builder_new();
	int ret = is_run_dir(dir) ? load_run_dir(dir, b, d, o, err, errlen) : load_run_dirs(dir, b, d, o, err, errlen);

	return dataset_builder_end(b, d, ret, dir, err, errlen);
}

bool run_dir_complete(const char *dir)
{
	return rundir_complete(dir);
}
