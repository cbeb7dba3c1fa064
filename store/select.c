/* Stored runs back out: selections, series for history, and baselines
 * built as ordinary datasets through analysis/dataset.c's builder. */
#include "config.h"
#include "store.h"
#include "scenario_facts.h"
#include "util.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The filter's WHERE clause; parameters $1..$4. A scenario's name finds
 * the identities of the runs stored under it (scenario_facts.h): a run
 * of the same content stored under another name belongs to it. An
 * identity is given by a prefix of its hex digits (checked before).
 * PostgreSQL needs the casts to type a parameter that may be NULL. */
#define WHERE_FILTER \
	" WHERE (CAST($1 AS TEXT) IS NULL OR r.identity IN (SELECT identity FROM runs WHERE scenario = $1))" \
	" AND (CAST($2 AS TEXT) IS NULL OR r.host = $2) AND (CAST($3 AS TEXT) IS NULL OR r.label = $3)" \
	" AND (CAST($4 AS TEXT) IS NULL OR r.identity LIKE CAST($4 AS TEXT) || '%')"
#define RUN_COLUMNS "r.id, r.started_ns, r.run_id, r.host, r.label, r.started, r.scenario, r.kernel, r.nruns, " \
	"r.identity, r.nodes, r.backend, r.memory, r.sizes, r.source"
#define NRUN_COLUMNS 15

static char *dup_cell(const struct db_result *r, size_t row, size_t col)
{
	const char *s = db_cell(r, row, col);

	return xstrdup(s ? s : "");
}

static void row_to_run(const struct db_result *r, size_t i, struct stored_run *s)
{
	s->id = atoll(db_cell(r, i, 0));
	s->started_ns = atoll(db_cell(r, i, 1));
	s->run_id = dup_cell(r, i, 2);
	s->host = dup_cell(r, i, 3);
	s->label = dup_cell(r, i, 4);
	s->started = dup_cell(r, i, 5);
	s->scenario = dup_cell(r, i, 6);
	s->kernel = dup_cell(r, i, 7);
	s->nruns = (size_t)atoll(db_cell(r, i, 8));
	s->identity = dup_cell(r, i, 9);
	s->nodes = db_cell(r, i, 10) ? atol(db_cell(r, i, 10)) : 0;
	s->backend = dup_cell(r, i, 11);
	s->memory = dup_cell(r, i, 12);
	s->sizes = dup_cell(r, i, 13);
	s->source = dup_cell(r, i, 14);
	s->value = r->ncols > NRUN_COLUMNS && db_cell(r, i, NRUN_COLUMNS) ? atof(db_cell(r, i, NRUN_COLUMNS)) : NAN;
	s->unit = r->ncols > NRUN_COLUMNS + 1 ? dup_cell(r, i, NRUN_COLUMNS + 1) : NULL;
}

void stored_run_clear(struct stored_run *r)
{
	free(r->run_id);
	free(r->host);
	free(r->label);
	free(r->started);
	free(r->scenario);
	free(r->kernel);
	free(r->identity);
	free(r->backend);
	free(r->memory);
	free(r->sizes);
	free(r->source);
	free(r->unit);
	memset(r, 0, sizeof(*r));
}

void stored_runs_free(struct stored_run *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		stored_run_clear(&r[i]);
	free(r);
}

/* A series is one scenario on one host: the host, when the filter left
 * it open, must have a single value among the runs found. */
static int check_host(const struct run_filter *f, const struct stored_run *r, size_t n, char *err, size_t errlen)
{
	char list[400] = "";
	size_t o = 0, distinct = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(r[i].host, r[k].host);
		if (!seen) {
			appendf(list, sizeof(list), &o, "%s%s", distinct ? ", " : "", r[i].host);
			distinct++;
		}
	}
	if (distinct > 1) {
		snprintf(err, errlen, "%s%sthe runs found are of %zu hosts (%s): choose one with --host (host=)",
			 f->where ? f->where : "", f->where ? ": " : "", distinct, list);
		return -1;
	}
	return 0;
}

/* A stored run's run.json, or NULL. */
static json_t *stored_run_json(struct db *db, long long id)
{
	char idtext[32], ignored[256];
	const char *p = idtext;
	struct db_result r;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (db_query(db, "SELECT run_json FROM runs WHERE id = CAST($1 AS BIGINT)", &p, 1, &r, ignored,
		     sizeof(ignored)))
		return NULL;
	json_t *j = db_cell(&r, 0, 0) ? json_loads(db_cell(&r, 0, 0), 0, NULL) : NULL;
	db_result_free(&r);
	return j;
}

/* The identities among the runs found, in the order they first appear:
 * each one's newest run (index into r) and its number of runs. */
struct identity_group {
	size_t newest, count;
};

static size_t identity_groups(const struct stored_run *r, size_t n, struct identity_group *g)
{
	size_t ng = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < ng && strcmp(r[g[k].newest].identity, r[i].identity))
			k++;
		if (k == ng)
			g[ng++].count = 0;
		g[k].newest = i;
		g[k].count++;
	}
	return ng;
}

static bool has_difference(const struct differences *ds, const struct difference *x)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->d[i].key, x->key) && !strcmp(ds->d[i].base, x->base) && !strcmp(ds->d[i].cand, x->cand))
			return true;
	return false;
}

/* What the newest run's scenario (the dataset's environment) and each
 * other identity's newest run differ in, as compare lists it. */
static void identity_differences(struct db *db, const struct stored_run *r, size_t n, const struct identity_group *g,
				 size_t ng, struct differences *ds)
{
	json_t *base = stored_run_json(db, r[n - 1].id);

	for (size_t k = 0; k < ng; k++) {
		if (!strcmp(r[g[k].newest].identity, r[n - 1].identity))
			continue;
		json_t *other = stored_run_json(db, r[g[k].newest].id);
		struct differences one = { 0 };
		differences_find(base, other, &one);
		json_decref(other);
		for (size_t i = 0; i < one.n; i++) /* each once: several identities differ alike */
			if (!has_difference(ds, &one.d[i])) {
				ds->d = xrealloc(ds->d, (ds->n + 1) * sizeof(*ds->d));
				ds->d[ds->n++] = one.d[i];
				one.d[i] = (struct difference){ 0 };
			}
		differences_free(&one);
	}
	json_decref(base);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "scenario.guest.backend, scenario.guest.chunk": the refusing keys, each once. */
static void refusing_keys(const struct differences *ds, char *buf, size_t len)
{
	const char **keys = xcalloc(ds->n + 1, sizeof(*keys));
	size_t nk = 0, o = 0;

	for (size_t i = 0; i < ds->n; i++)
		if (ds->d[i].refuse)
			keys[nk++] = ds->d[i].key;
	qsort(keys, nk, sizeof(*keys), cmp_str);
	*buf = '\0';
	for (size_t i = 0; i < nk; i++)
		if (!i || strcmp(keys[i], keys[i - 1]))
			appendf(buf, len, &o, "%s%s", o ? ", " : "", keys[i]);
	free(keys);
}

/* The runs found are of one scenario by content, or the refusal: each
 * identity with what tells it apart, and what they differ in. */
static int identity_refusal(const struct run_filter *f, const struct stored_run *r, size_t n,
			    const struct identity_group *g, size_t ng, const struct differences *ds, char *err,
			    size_t errlen)
{
	char names[300] = "", list[1400] = "", keys[400], what[300];
	size_t on = 0, ol = 0, nnames = 0;

	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(r[k].scenario, r[i].scenario);
		if (!seen && ++nnames)
			appendf(names, sizeof(names), &on, "%s%s", on ? ", " : "", r[i].scenario);
	}
	for (size_t k = 0; k < ng; k++) {
		const struct stored_run *s = &r[g[k].newest];
		scenario_facts_describe(s->backend, s->memory, s->sizes, s->nodes, what, sizeof(what));
		appendf(list, sizeof(list), &ol, "%s%.8s (%s, %zu stored run%s)", k ? ", " : "", s->identity, what,
			g[k].count, g[k].count == 1 ? "" : "s");
	}
	refusing_keys(ds, keys, sizeof(keys));
	snprintf(err, errlen, "%s%sthe runs found ran %zu different scenarios (by content), %s %s: %s; they differ in "
		 "%s; choose one with %s, or pool them with --force", f->where ? f->where : "", f->where ? ": " : "", ng,
		 nnames == 1 ? "all named" : "named", names, list,
		 *keys ? keys : "their scenario text",
		 nnames > 1 && !f->scenario ? "--scenario or --identity (scenario=, identity=)" :
					      "--identity (identity=)");
	return -1;
}

static int check_identity(struct db *db, const struct run_filter *f, const struct stored_run *r, size_t n,
			  struct differences *mixed, char *err, size_t errlen)
{
	struct identity_group *g = xcalloc(n + 1, sizeof(*g));
	size_t ng = identity_groups(r, n, g);
	struct differences ds = { 0 };
	int ret = 0;

	if (ng > 1) {
		identity_differences(db, r, n, g, ng, &ds);
		if (!f->force)
			ret = identity_refusal(f, r, n, g, ng, &ds, err, errlen);
	}
	if (!ret && mixed && ng > 1) {
		*mixed = ds;
		ds = (struct differences){ 0 };
	}
	differences_free(&ds);
	free(g);
	return ret;
}

static int select_rows(struct db *db, const char *sql, const struct run_filter *f, const char *metric,
		       struct stored_run **out, size_t *n, struct differences *mixed, char *err, size_t errlen)
{
	const char *params[] = { f->scenario, f->host, f->label, f->identity, metric };
	struct db_result r;

	*out = NULL;
	*n = 0;
	if (mixed)
		*mixed = (struct differences){ 0 };
	if (db_query(db, sql, params, metric ? 5 : 4, &r, err, errlen))
		return -1;
	size_t first = f->last && r.nrows > f->last ? r.nrows - f->last : 0;
	*out = xcalloc(r.nrows - first + 1, sizeof(**out));
	for (size_t i = first; i < r.nrows; i++)
		row_to_run(&r, i, &(*out)[(*n)++]);
	db_result_free(&r);
	if (check_identity(db, f, *out, *n, mixed, err, errlen) ||
	    check_host(f, *out, *n, err, errlen)) {
		stored_runs_free(*out, *n);
		*out = NULL;
		*n = 0;
		if (mixed)
			differences_free(mixed);
		return -1;
	}
	return 0;
}

int store_select(struct db *db, const struct run_filter *f, struct stored_run **out, size_t *n,
		 struct differences *mixed, char *err, size_t errlen)
{
	return select_rows(db, "SELECT " RUN_COLUMNS " FROM runs r" WHERE_FILTER " ORDER BY r.started_ns, r.id", f,
			   NULL, out, n, mixed, err, errlen);
}

int store_series(struct db *db, const struct run_filter *f, const char *metric, struct stored_run **out, size_t *n,
		 struct differences *mixed, char *err, size_t errlen)
{
	return select_rows(db,
			   "SELECT " RUN_COLUMNS ", m.value, m.unit FROM runs r JOIN metrics m ON m.run_ref = r.id AND "
			   "m.metric = $5" WHERE_FILTER " ORDER BY r.started_ns, r.id",
			   f, metric, out, n, mixed, err, errlen);
}

int store_metric_names(struct db *db, const struct run_filter *f, char ***names, size_t *n, char *err, size_t errlen)
{
	const char *params[] = { f->scenario, f->host, f->label, f->identity };
	struct db_result r;

	*names = NULL;
	*n = 0;
	if (db_query(db, "SELECT DISTINCT m.metric FROM runs r JOIN metrics m ON m.run_ref = r.id" WHERE_FILTER
			 " ORDER BY m.metric", params, 4, &r, err, errlen))
		return -1;
	*names = xcalloc(r.nrows + 1, sizeof(**names));
	for (size_t i = 0; i < r.nrows; i++)
		(*names)[(*n)++] = dup_cell(&r, i, 0);
	db_result_free(&r);
	return 0;
}

/* ---- baselines: db:URL?scenario=S&host=H&label=L&last=N ---- */

bool store_is_source(const char *source)
{
	return !strncmp(source, "db:", 3);
}

bool store_identity_valid(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 4 && n < DIFFERENCES_IDENTITY_LEN && !s[n];
}

struct source {
	char url[1024];
	char scenario[256], host[256], label[256], identity[DIFFERENCES_IDENTITY_LEN];
	struct run_filter f;
};

/* Everything after the first '?' selects runs; a PostgreSQL URL takes its
 * own parameters in its authority part or from PG* variables. */
static int parse_source(const char *source, struct source *s, char *err, size_t errlen)
{
	const char *q = strchr(source + 3, '?');
	char *opts = xstrdup(q ? q + 1 : ""), *save = NULL;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "%.*s", q ? (int)(q - source - 3) : (int)strlen(source + 3), source + 3);
	for (char *kv = strtok_r(opts, "&", &save); kv && !ret; kv = strtok_r(NULL, "&", &save)) {
		char *v = strchr(kv, '='), *end;
		if (v)
			*v++ = '\0';
		if (v && !strcmp(kv, "scenario"))
			s->f.scenario = strncpy(s->scenario, v, sizeof(s->scenario) - 1);
		else if (v && !strcmp(kv, "host"))
			s->f.host = strncpy(s->host, v, sizeof(s->host) - 1);
		else if (v && !strcmp(kv, "label"))
			s->f.label = strncpy(s->label, v, sizeof(s->label) - 1);
		else if (v && !strcmp(kv, "identity") && store_identity_valid(v))
			s->f.identity = strcpy(s->identity, v);
		else if (v && !strcmp(kv, "last") && (s->f.last = strtoul(v, &end, 10)) > 0 && !*end)
			continue;
		else {
			snprintf(err, errlen, "%s: '%s%s%s': the selection takes scenario=, host=, label=, identity=ID "
				 "(4 to 16 of its hex digits) and last=N (N > 0)", source, kv, v ? "=" : "", v ? v : "");
			ret = -1;
		}
	}
	free(opts);
	return ret;
}

/* Run index offsets of the selected runs in the dataset, by stored id. */
static long long *run_offsets(const struct stored_run *r, size_t n, char **in_list)
{
	long long *off = xcalloc(2 * n + 1, sizeof(*off));
	size_t len, total = 0;
	FILE *f = xopen_memstream(in_list, &len);

	for (size_t i = 0; i < n; i++) {
		off[2 * i] = r[i].id;
		off[2 * i + 1] = (long long)total;
		total += r[i].nruns;
		fprintf(f, "%s%lld", i ? ", " : "", r[i].id);
	}
	fclose(f);
	return off;
}

static unsigned offset_of(const long long *off, size_t n, long long id)
{
	for (size_t i = 0; i < n; i++)
		if (off[2 * i] == id)
			return (unsigned)off[2 * i + 1];
	return 0;
}

static int feed_rows(struct db *db, const char *sql, const long long *off, size_t n, struct dataset_builder *b,
		     const struct load_options *o, char *err, size_t errlen)
{
	struct db_result r;

	if (db_query(db, sql, NULL, 0, &r, err, errlen))
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		unsigned run = offset_of(off, n, atoll(db_cell(&r, i, 0))) + (unsigned)atoi(db_cell(&r, i, 1)) - 1;
		if (r.ncols == 4) { /* a vmstat delta */
			dataset_builder_counter(b, run, db_cell(&r, i, 2), atoll(db_cell(&r, i, 3)), o->all_counters);
			continue;
		}
		const char *un = db_cell(&r, i, 6), *it = db_cell(&r, i, 8);
		struct pin_sample s = { .node = atoi(db_cell(&r, i, 2)), .bytes = atof(db_cell(&r, i, 3)),
					.pin_ns = atof(db_cell(&r, i, 4)), .errnum = atoi(db_cell(&r, i, 5)),
					.unpin_ns = un ? atof(un) : -1, .unpin = atoi(db_cell(&r, i, 7)),
					.iteration = it ? atof(it) : -1 };
		dataset_builder_pin(b, run, &s);
	}
	db_result_free(&r);
	return 0;
}

/* The newest run's run.json and counter names become the dataset's. */
static int newest_environment(struct db *db, long long id, struct dataset *d, char *err, size_t errlen)
{
	char idtext[32];
	const char *p = idtext;
	struct db_result r;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (db_query(db, "SELECT run_json, counters FROM runs WHERE id = CAST($1 AS BIGINT)", &p, 1, &r, err,
		     errlen))
		return -1;
	d->run_json = db_cell(&r, 0, 0) ? json_loads(db_cell(&r, 0, 0), 0, NULL) : NULL;
	json_t *counters = db_cell(&r, 0, 1) ? json_loads(db_cell(&r, 0, 1), 0, NULL) : NULL, *c;
	size_t i;
	json_array_foreach(counters, i, c) {
		d->counters = xrealloc(d->counters, (d->ncounters + 1) * sizeof(*d->counters));
		d->counters[d->ncounters++] = xstrdup(json_string_value(c) ? json_string_value(c) : "");
	}
	json_decref(counters);
	db_result_free(&r);
	return 0;
}

static int build_dataset(struct db *db, const struct stored_run *r, size_t n, const struct load_options *o,
			 struct dataset *d, char *err, size_t errlen)
{
	char *in, *sql;
	long long *off = run_offsets(r, n, &in);
	struct dataset_builder *b = dataset_builder_new();
	int ret = -1;

	/* the newest run's environment first: its warm-up applies to the rows */
	ret = newest_environment(db, r[n - 1].id, d, err, errlen);
	if (!ret) {
		json_t *w = json_object_get(d->run_json, "warmup");
		d->warmup = o->warmup_given ? o->warmup : json_is_integer(w) ? (unsigned)json_integer_value(w) : 0;
		dataset_builder_warmup(b, d->warmup, &d->first);
	}
	if (!ret && asprintf(&sql, "SELECT run_ref, run, node, bytes, pin_ns, errno, unpin_ns, unpin, iteration "
			     "FROM samples WHERE run_ref IN (%s)", in) >= 0) {
		ret = feed_rows(db, sql, off, n, b, o, err, errlen);
		free(sql);
	}
	if (!ret && asprintf(&sql, "SELECT run_ref, run, counter, delta FROM vmstat_deltas WHERE run_ref IN (%s)",
			     in) >= 0) {
		ret = feed_rows(db, sql, off, n, b, o, err, errlen);
		free(sql);
	}
	for (size_t i = 0; i < n; i++)
		dataset_builder_add_runs(b, r[i].nruns);
	if (ret) { /* finish only frees what was built: err keeps the first error */
		char ignored[256];
		dataset_builder_finish(b, d, ignored, sizeof(ignored));
	} else {
		ret = dataset_builder_finish(b, d, err, errlen);
	}
	free(in);
	free(off);
	return ret;
}

int store_load_dataset(const char *source, const struct load_options *o, struct dataset *d, char *err,
		       size_t errlen)
{
	struct source s;
	struct db db;
	struct stored_run *r = NULL;
	size_t n = 0;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(source);
	if (parse_source(source, &s, err, errlen) || db_open(&db, s.url, false, err, errlen)) {
		dataset_free(d);
		return -1;
	}
	struct differences mixed;
	s.f.force = o->force;
	s.f.where = source;
	if (!store_select(&db, &s.f, &r, &n, &mixed, err, errlen)) {
		if (!n)
			snprintf(err, errlen, "%s: no stored run matches", source);
		else
			ret = build_dataset(&db, r, n, o, d, err, errlen);
		/* pooled under --force: what they differ in goes with the data */
		d->pooled_differences = mixed.d;
		d->npooled_differences = mixed.n;
	}
	if (ret)
		dataset_free(d);
	stored_runs_free(r, n);
	db_close(&db);
	return ret;
}
