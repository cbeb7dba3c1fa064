/* pinbench store: run directories read through analysis/dataset.c (its
 * hooks hand over every sample and vmstat delta), then written in one
 * transaction. */
#include "config.h"
#include "store.h"
#include "scenario_facts.h"
#include "util.h"
#include "clock.h"
#include "paths.h"

#include <errno.h>
#include <gsl/gsl_statistics_double.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Text parameters of one statement; NULL entries are SQL NULL. */
struct params {
	char **s;
	size_t n, cap;
};

static void param(struct params *p, char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->s = xrealloc(p->s, p->cap * sizeof(*p->s));
	}
	p->s[p->n++] = s;
}

static void param_str(struct params *p, const char *s)
{
	param(p, s ? xstrdup(s) : NULL);
}

static void __attribute__((format(printf, 2, 3))) param_fmt(struct params *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup("");
	va_end(ap);
	param(p, s);
}

/* Whole numbers exactly, others to 17 digits; absent (< 0 where marked) is NULL. */
static void param_num(struct params *p, double v, bool negative_is_null)
{
	char *s;

	if ((negative_is_null && v < 0) || !isfinite(v)) {
		param(p, NULL);
		return;
	}
	if (asprintf(&s, fabs(v) < 1e15 && v == floor(v) ? "%.0f" : "%.17g", v) < 0)
		s = NULL;
	param(p, s ? s : xstrdup("0"));
}

static void params_free(struct params *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	memset(p, 0, sizeof(*p));
}

/* One run directory read and ready to insert. */
struct pending {
	char *dir;
	struct dataset d;
	struct params samples, deltas; /* rows without run_ref, which comes at insert */
	size_t nsamples, ndeltas;
	const char *run_id, *hostname, *started, *release, *scenario_text;
	char scenario[256], host[256], label[256], hash[24];
	struct scenario_facts facts;
	long long started_ns;
};

#define SAMPLE_COLS 11
#define DELTA_COLS 3

static void on_pin(void *ctx, const struct pin_sample *s)
{
	struct pending *p = ctx;
	struct params *q = &p->samples;

	param_num(q, s->run, false);
	param_num(q, s->iteration, true);
	param_str(q, s->job);
	param_num(q, s->node, false);
	param_num(q, s->chunk, true);
	param_num(q, s->bytes, false);
	param_num(q, s->start_ns, true);
	param_num(q, s->pin_ns, false);
	param_num(q, s->errnum, false);
	param_num(q, s->unpin_ns, true);
	param_num(q, s->unpin, false);
	p->nsamples++;
}

static void on_counter(void *ctx, unsigned run, const char *counter, int64_t delta)
{
	struct pending *p = ctx;

	param_num(&p->deltas, run, false);
	param_str(&p->deltas, counter);
	param_num(&p->deltas, (double)delta, false);
	p->ndeltas++;
}

static void pending_free(struct pending *p)
{
	free(p->dir);
	dataset_free(&p->d);
	params_free(&p->samples);
	params_free(&p->deltas);
}

/* The stem of vm.json's scenario file, when DIR/vm.json names one. */
static bool vm_scenario(const char *dir, char *buf, size_t len)
{
	char path[4400];
	bool found = false;

	snprintf(path, sizeof(path), "%s/vm.json", dir);
	json_t *vm = json_load_file(path, 0, NULL);
	const char *s = json_string_value(json_object_get(vm, "scenario"));
	if (s) {
		const char *base = path_base(s);
		size_t n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".ini"))
			n -= 4;
		snprintf(buf, len, "%.*s", (int)n, base);
		found = true;
	}
	json_decref(vm);
	return found;
}

/* The name a run is stored under: the one its run.json records, the
 * scenario file's stem. Guests of pinbench vm before they were given
 * their scenario's file name all ran /scenario.ini; theirs is in the
 * vm.json of the pinbench vm output they sit in (DIR/RELEASE/boot-N),
 * found from the run directory itself, so that the path store was given
 * (the boot, the kernel, the whole output) never changes the name. */
static void scenario_name(const struct pending *p, json_t *sc, char *buf, size_t len)
{
	const char *name = json_string_value(json_object_get(sc, "name"));
	const char *path = json_string_value(json_object_get(sc, "path"));
	char *real = realpath(p->dir, NULL);

	snprintf(buf, len, "%s", name ? name : "scenario");
	if (path && !strcmp(path, "/scenario.ini") && real) {
		char up[4200];
		snprintf(up, sizeof(up), "%s/../..", real);
		vm_scenario(up, buf, len);
	}
	free(real);
}

/* The fields of run.json a stored run is known by, type-checked. */
static int identity(struct pending *p, const struct store_options *o, char *err, size_t errlen)
{
	json_t *r = p->d.run_json, *t0 = json_object_get(r, "t0_realtime_ns");
	json_t *sc = json_object_get(r, "scenario");
	struct { const char **out; json_t *v; const char *field; } f[] = {
		{ &p->run_id, json_object_get(r, "run_id"), "run_id" },
		{ &p->hostname, json_object_get(r, "hostname"), "hostname" },
		{ &p->started, json_object_get(r, "started"), "started" },
		{ &p->release, json_object_get(json_object_get(r, "kernel"), "release"), "kernel.release" },
		{ &p->scenario_text, json_object_get(sc, "text"), "scenario.text" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (!(*f[i].out = json_string_value(f[i].v))) {
			snprintf(err, errlen, "%s/run.json: field '%s': not a string", p->dir, f[i].field);
			return -1;
		}
	if (!json_is_integer(t0)) {
		snprintf(err, errlen, "%s/run.json: field 't0_realtime_ns': not an integer", p->dir);
		return -1;
	}
	p->started_ns = json_integer_value(t0);
	scenario_name(p, sc, p->scenario, sizeof(p->scenario));
	scenario_facts(r, &p->facts);
	snprintf(p->label, sizeof(p->label), "%s", o->label ? o->label : p->release);
	snprintf(p->hash, sizeof(p->hash), "%016" PRIx64,
		 fnv1a(FNV1A_INIT, p->scenario_text, strlen(p->scenario_text)));
	/* a guest of pinbench vm has no hostname: its results are the host's */
	if (o->host)
		snprintf(p->host, sizeof(p->host), "%s", o->host);
	else if (!strcmp(p->hostname, "(none)") && !gethostname(p->host, sizeof(p->host) - 1))
		p->host[sizeof(p->host) - 1] = '\0';
	else
		snprintf(p->host, sizeof(p->host), "%s", p->hostname);
	return 0;
}

static int read_run(const char *dir, const struct store_options *o, struct pending *p, char *err, size_t errlen)
{
	struct load_options lo = { .all_counters = true, .on_pin = on_pin, .on_counter = on_counter, .hook_ctx = p };

	memset(p, 0, sizeof(*p));
	p->dir = xstrdup(dir);
	if (dataset_load(dir, &lo, &p->d, err, errlen))
		return -1;
	return identity(p, o, err, errlen);
}

/* ---- finding run directories ---- */

struct found {
	struct pending *p;
	size_t n;
};

/* What a tree holds beside its runs and is not one: a failed boot of
 * pinbench vm, a capacity point's attempt kept aside, a run being written. */
static bool skipped_name(const char *name)
{
	return name[0] == '.' || !strcmp(name, "failed") || strstr(name, ".interrupted-") ||
	       strstr(name, ".partial-");
}

static bool keep_subdir(const char *path, const char *name)
{
	struct stat st;

	return !skipped_name(name) && !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int walk(const char *dir, const struct store_options *o, struct found *f, char *err, size_t errlen);

static int walk_children(const char *dir, const struct store_options *o, struct found *f, char *err, size_t errlen)
{
	size_t n;
	char **names = list_dir_sorted(dir, keep_subdir, &n, err, errlen);
	int ret = 0;

	if (!names)
		return -1;
	for (size_t i = 0; i < n && !ret; i++)
		ret = walk(names[i], o, f, err, errlen);
	free_strings(names, n);
	return ret;
}

static int walk(const char *dir, const struct store_options *o, struct found *f, char *err, size_t errlen)
{
	if (!is_run_dir(dir))
		return walk_children(dir, o, f, err, errlen);
	f->p = xrealloc(f->p, (f->n + 1) * sizeof(*f->p));
	if (read_run(dir, o, &f->p[f->n], err, errlen)) {
		pending_free(&f->p[f->n]);
		return -1;
	}
	f->n++;
	return 0;
}

/* ---- writing ---- */

/* INSERT of many rows, each prefixed with run_ref, in statements of at
 * most 500 rows (SQLite takes 32766 parameters, PostgreSQL 65535). */
static int insert_rows(struct db *db, const char *table, const char *cols, size_t ncols, const char *run_ref,
		       const struct params *rows, size_t nrows, char *err, size_t errlen)
{
	for (size_t from = 0; from < nrows; from += 500) {
		size_t k = nrows - from < 500 ? nrows - from : 500, np = 0;
		const char **p = xcalloc(k * (ncols + 1) + 1, sizeof(*p));
		char *sql;
		size_t len;
		FILE *f = xopen_memstream(&sql, &len);
		fprintf(f, "INSERT INTO %s (run_ref, %s) VALUES ", table, cols);
		for (size_t r = 0; r < k; r++) {
			fprintf(f, "%s($%zu", r ? ", " : "", np + 1);
			p[np++] = run_ref;
			for (size_t c = 0; c < ncols; c++) {
				fprintf(f, ", $%zu", np + 1);
				p[np++] = rows->s[(from + r) * ncols + c];
			}
			fputc(')', f);
		}
		fclose(f);
		int ret = db_query(db, sql, p, np, NULL, err, errlen);
		free(sql);
		free(p);
		if (ret)
			return -1;
	}
	return 0;
}

static int insert_metrics(struct db *db, const struct pending *p, const char *run_ref, char *err, size_t errlen)
{
	struct params rows = { 0 };

	for (size_t i = 0; i < p->d.nm; i++) {
		param_str(&rows, p->d.m[i].name);
		param_str(&rows, p->d.m[i].kind == METRIC_RATE ? STORE_UNIT_RATE : p->d.m[i].unit);
		param_num(&rows, store_metric_value(&p->d.m[i]), false);
	}
	int ret = insert_rows(db, "metrics", "metric, unit, value", 3, run_ref, &rows, p->d.nm, err, errlen);
	params_free(&rows);
	return ret;
}

static char *counters_json(const struct dataset *d)
{
	json_t *counters = json_array();

	for (size_t i = 0; i < d->ncounters; i++)
		json_array_append_new(counters, json_string(d->counters[i]));
	char *s = json_dumps(counters, JSON_COMPACT);
	json_decref(counters);
	return s ? s : xstrdup("[]");
}

/* The run's row; *id stays "" when it was stored before (a no-op). */
static int insert_run(struct db *db, const struct pending *p, char *id, size_t idlen, char *err, size_t errlen)
{
	struct params q = { 0 };
	struct db_result r;
	char now[40];

	format_iso8601(realtime_ns(), now, sizeof(now));
	param_str(&q, p->run_id);
	param_str(&q, p->host);
	param_str(&q, p->started);
	param_fmt(&q, "%lld", p->started_ns);
	param_str(&q, p->label);
	param_str(&q, p->scenario);
	param_str(&q, p->hash);
	param_str(&q, p->release);
	param_fmt(&q, "%zu", p->d.nruns);
	param_str(&q, p->dir);
	param_str(&q, now);
	param(&q, json_dumps(p->d.run_json, JSON_COMPACT));
	param(&q, counters_json(&p->d));
	param_str(&q, p->facts.identity);
	param_fmt(&q, "%ld", p->facts.nodes);
	param_str(&q, p->facts.backend);
	param_str(&q, p->facts.memory);
	param_str(&q, p->facts.sizes);
	int ret = db_query(db,
			   "INSERT INTO runs (run_id, host, started, started_ns, label, scenario, scenario_hash, "
			   "kernel, nruns, source, stored_at, run_json, counters, identity, nodes, backend, memory, "
			   "sizes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
			   "$17, $18) ON CONFLICT (host, run_id, started_ns) DO NOTHING RETURNING id",
			   (const char *const *)q.s, q.n, &r, err, errlen);
	params_free(&q);
	if (ret)
		return -1;
	snprintf(id, idlen, "%s", r.nrows && db_cell(&r, 0, 0) ? db_cell(&r, 0, 0) : "");
	db_result_free(&r);
	return 0;
}

static int insert_pending(struct db *db, const struct pending *p, bool *stored, char *err, size_t errlen)
{
	char id[32];

	if (insert_run(db, p, id, sizeof(id), err, errlen))
		return -1;
	*stored = id[0] != '\0';
	if (!*stored)
		return 0;
	if (insert_rows(db, "samples",
			"run, iteration, job, node, chunk, bytes, start_ns, pin_ns, errno, unpin_ns, unpin",
			SAMPLE_COLS, id, &p->samples, p->nsamples, err, errlen) ||
	    insert_rows(db, "vmstat_deltas", "run, counter, delta", DELTA_COLS, id, &p->deltas, p->ndeltas, err,
			errlen))
		return -1;
	return insert_metrics(db, p, id, err, errlen);
}

int store_runs(struct db *db, char **paths, size_t n, const struct store_options *o, struct store_counts *out,
	       char *err, size_t errlen)
{
	struct found f = { 0 };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && !ret; i++) {
		size_t before = f.n;
		ret = walk(paths[i], o, &f, err, errlen);
		if (!ret && f.n == before) {
			snprintf(err, errlen, "%s: no run directory in it (none has a summary.json)", paths[i]);
			ret = -1;
		}
	}
	/* everything read before the transaction: bad input writes nothing */
	bool begun = !ret && !(ret = db_begin(db, err, errlen));
	for (size_t i = 0; i < f.n && !ret; i++) {
		bool stored;
		ret = insert_pending(db, &f.p[i], &stored, err, errlen);
		out->stored += stored;
		out->already += !stored;
	}
	if (begun && !ret)
		ret = db_commit(db, err, errlen);
	else if (begun)
		db_rollback(db);
	for (size_t i = 0; i < f.n; i++)
		pending_free(&f.p[i]);
	free(f.p);
	return ret;
}

double store_metric_value(const struct metric *m)
{
	if (m->kind == METRIC_RATE)
		return m->trials ? (double)m->events / (double)m->trials : NAN;
	return m->nruns ? gsl_stats_median_from_sorted_data(m->runs, 1, m->nruns) : NAN;
}
