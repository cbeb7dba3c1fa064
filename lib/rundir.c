/* Reading a run directory (rundir.h); the writer is rundir_write.c. */
#include "config.h"
#include "rundir.h"
#include "csv.h"
#include "util.h"
#include "files.h"
#include "rundir_check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What each column holds: a whole number within [min, max] (the noun
 * says what it is in an error), text, or an errno. `optional` columns
 * may be empty (unknown). */
enum column_kind { COL_NUMBER, COL_TEXT, COL_ERRNO };
static const struct column {
	enum column_kind kind;
	bool optional;
	uint64_t min, max;
	const char *noun;
	bool since_header; /* added later: a file without it reads it as unknown */
} columns[RD_NCOLUMNS] = {
	[RD_RUN] = { COL_NUMBER, false, 1, 1000000, "a run number" },
	[RD_ITERATION] = { COL_NUMBER, false, 1, 1000000000, "an iteration number" },
	[RD_JOB] = { COL_TEXT, false, 0, 0, NULL },
	[RD_NODE] = { COL_NUMBER, false, 0, 1000000, "a node number" }, /* (int)1e26 was INT_MIN */
	[RD_CHUNK] = { COL_NUMBER, false, 0, UINT32_MAX, "a chunk number" },
	[RD_BYTES] = { COL_NUMBER, false, 0, INT64_MAX, "a byte count" },
	[RD_START_NS] = { COL_NUMBER, false, 0, INT64_MAX, "a time in ns" },
	[RD_PIN_NS] = { COL_NUMBER, false, 0, INT64_MAX, "a time in ns" },
	[RD_ERRNO] = { COL_NUMBER, false, 0, 4095, "an errno" },
	[RD_ERROR] = { COL_TEXT, true, 0, 0, NULL },
	[RD_UNPIN_NS] = { COL_NUMBER, true, 0, INT64_MAX, "a time in ns" },
	[RD_UNPIN_ERRNO] = { COL_ERRNO, true, 0, 0, NULL },
	[RD_MOVABLE_BEFORE] = { COL_NUMBER, true, 0, INT64_MAX / 2, "a page count" },
	[RD_UNPINNABLE] = { COL_NUMBER, true, 0, INT64_MAX / 2, "a page count" },
	[RD_MIGRATE_SUCCEEDED] = { COL_NUMBER, true, 0, INT64_MAX / 2, "a page count" },
	[RD_MIGRATE_FAILED] = { COL_NUMBER, true, 0, INT64_MAX / 2, "a page count" },
	[RD_THP_UNSPLIT] = { COL_NUMBER, true, 0, INT64_MAX / 2, "a THP count", .since_header = true },
	[RD_MESSAGE] = { COL_TEXT, true, 0, 0, NULL, .since_header = true },
};

const char *const rundir_column_names[RD_NCOLUMNS] = {
	"run", "iteration", "job", "node", "chunk", "bytes", "start_ns", "pin_ns", "errno", "error",
	"unpin_ns", "unpin_errno", "movable_pages_before", "unpinnable_pages", "migrate_succeeded",
	"migrate_failed", "thp_unsplit", "message",
};

/* Calls fn on every line of a CSV file of the run directory (path, which
 * fn's messages name, is set first) up to its last newline: pinbench ends
 * every line, so text after it is a write cut short. In a finished or
 * interrupted run (strict: the directory has summary.json) every file was
 * whole before summary.json was written, so such a line is damage; in a
 * .partial directory it is the write the crash cut short, left out. */
static int each_whole_line(const char *dir, const char *file, bool strict, char *path, size_t pathlen,
			   int (*fn)(char *line, unsigned no, void *ctx), void *ctx, char *err, size_t errlen)
{
	size_t len;

	snprintf(path, pathlen, "%s/%s", dir, file);
	char *text = read_input_file(path, RUNDIR_MAX_CSV, &len, err, errlen);
	if (!text)
		return -1;
	if (strict && (!len || text[len - 1] != '\n')) {
		unsigned no = 1;
		for (size_t i = 0; i < len; i++)
			no += text[i] == '\n';
		if (len)
			snprintf(err, errlen, "%s:%u: the last line is cut short (no newline at the end of the "
				 "file): the file is damaged", path, no);
		else
			snprintf(err, errlen, "%s: empty (not even its header): the file is damaged", path);
		free(text);
		return -1;
	}
	char *nl = len ? memrchr(text, '\n', len) : NULL;
	int ret = csv_each_line(text, nl ? (size_t)(nl - text) + 1 : 0, fn, ctx);
	free(text);
	return ret;
}

/* A field pinbench wrote as a whole number: decimal digits only (no
 * sign, blank, fraction or exponent), at most max. 0, or -1. */
static int parse_whole(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

struct samples_ctx {
	const char *path;
	rundir_sample_fn fn;
	void *ctx;
	struct rundir_tally *tally; /* summary.json's counts; NULL in a .partial */
	int col[RD_NCOLUMNS];       /* where each column is in the file */
	size_t ncols;
	char *err;
	size_t errlen;
};

static int samples_header(struct samples_ctx *c, char *line)
{
	char *f[64];
	size_t n = csv_split(line, f, ARRAY_SIZE(f));

	c->ncols = n;
	for (size_t k = 0; k < RD_NCOLUMNS; k++) {
		c->col[k] = -1;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(f[i], rundir_column_names[k]))
				c->col[k] = (int)i;
		if (c->col[k] < 0 && !columns[k].since_header) {
			snprintf(c->err, c->errlen, "%s:1: no column '%s' (not a pinbench samples.csv?)", c->path,
				 rundir_column_names[k]);
			return -1;
		}
	}
	return 0;
}

/* One field into *v: 0, or -1 with why. An empty optional field is -1. */
static int parse_field(enum rundir_column k, const char *s, int64_t *v, char *why, size_t len)
{
	const struct column *c = &columns[k];
	uint64_t x;

	if (c->optional && !*s) {
		*v = -1;
		return 0;
	}
	if (c->kind == COL_ERRNO) { /* "0" or a name */
		int e = strcmp(s, "0") ? errno_from_name(s) : 0;
		*v = e;
		if (e < 0)
			snprintf(why, len, "'%.40s' is not an errno name", s);
		return e < 0 ? -1 : 0;
	}
	if (*s == '-') {
		snprintf(why, len, "'%.40s' is negative", s);
		return -1;
	}
	/* pinbench writes whole numbers in decimal digits: "1e3" or "12.5"
	 * is an edit, and a double would round times beyond 2^53 ns. */
	if (parse_whole(s, c->max, &x) || x < c->min) {
		snprintf(why, len, "'%.40s' is not %s", s, c->noun);
		return -1;
	}
	*v = (int64_t)x;
	return 0;
}

static int samples_row(char *line, unsigned no, void *ctx)
{
	struct samples_ctx *c = ctx;
	char *f[64], why[96];
	int64_t v[RD_NCOLUMNS];

	if (no == 1)
		return samples_header(c, line);
	if (!*line)
		return 0;
	size_t n = csv_split(line, f, ARRAY_SIZE(f));
	if (n != c->ncols) {
		snprintf(c->err, c->errlen, "%s:%u: %zu fields where the header has %zu", c->path, no, n, c->ncols);
		return -1;
	}
	for (size_t k = 0; k < RD_NCOLUMNS; k++) {
		if (c->col[k] < 0) { /* a column older files lack */
			v[k] = -1;
			continue;
		}
		if (columns[k].kind != COL_TEXT && parse_field(k, f[c->col[k]], &v[k], why, sizeof(why))) {
			snprintf(c->err, c->errlen, "%s:%u: column '%s': %s", c->path, no, rundir_column_names[k], why);
			return -1;
		}
	}
	struct rundir_sample s = {
		.run = (unsigned)v[RD_RUN], .iteration = (unsigned)v[RD_ITERATION], .chunk = (unsigned)v[RD_CHUNK],
		.job = f[c->col[RD_JOB]], .node = (int)v[RD_NODE], .bytes = (uint64_t)v[RD_BYTES],
		.start_ns = (uint64_t)v[RD_START_NS], .pin_ns = (uint64_t)v[RD_PIN_NS], .err = (int)v[RD_ERRNO],
		.unpinned = v[RD_UNPIN_NS] >= 0, .unpin_ns = v[RD_UNPIN_NS] >= 0 ? (uint64_t)v[RD_UNPIN_NS] : 0,
		.unpin_err = (int)v[RD_UNPIN_ERRNO], .movable_before = v[RD_MOVABLE_BEFORE],
		.unpinnable = v[RD_UNPINNABLE], .migrate_succeeded = v[RD_MIGRATE_SUCCEEDED],
		.migrate_failed = v[RD_MIGRATE_FAILED], .thp_unsplit = v[RD_THP_UNSPLIT],
		.message = c->col[RD_MESSAGE] >= 0 ? f[c->col[RD_MESSAGE]] : "",
	};
	if (c->tally && rundir_tally_add(c->tally, &s, c->path, no, c->err, c->errlen))
		return -1;
	return c->fn(&s, no, c->ctx);
}

int rundir_read_samples(const char *dir, rundir_sample_fn fn, void *ctx, char *err, size_t errlen)
{
	char path[4200];
	struct samples_ctx c = { .path = path, .fn = fn, .ctx = ctx, .err = err, .errlen = errlen };
	bool run = rundir_is_run(dir);

	if (run && !(c.tally = rundir_tally_new(dir, err, errlen)))
		return -1;
	int ret = each_whole_line(dir, "samples.csv", run, path, sizeof(path), samples_row, &c, err, errlen);
	/* A walk fn stopped early has not seen every row to count. */
	if (!ret && c.tally)
		ret = rundir_tally_check(c.tally, path, err, errlen);
	rundir_tally_free(c.tally);
	return ret;
}

struct vmstat_ctx {
	const char *path;
	rundir_vmstat_fn fn;
	void *ctx;
	int stopped;      /* fn's positive return: the rest is only checked */
	uint64_t last_t;  /* rows come in time order */
	uint64_t rows, times; /* data rows, and distinct times (samples) */
	char *err;
	size_t errlen;
};

static int vmstat_field(struct vmstat_ctx *c, unsigned no, const char *column, const char *s, const char *noun,
			uint64_t *v)
{
	if (!parse_whole(s, UINT64_MAX, v))
		return 0;
	snprintf(c->err, c->errlen, "%s:%u: column '%s': '%.40s' is not %s", c->path, no, column, s, noun);
	return -1;
}

static int vmstat_row(char *line, unsigned no, void *ctx)
{
	struct vmstat_ctx *c = ctx;
	char *f[5];
	uint64_t t, v, node;

	if (no == 1) {
		if (strcmp(line, "time_ns,node,counter,value") && strcmp(line, "time_ns,node,counter,value\r")) {
			snprintf(c->err, c->errlen, "%s:1: the header is not time_ns,node,counter,value (not a "
				 "pinbench vmstat.csv?)", c->path);
			return -1;
		}
		return 0;
	}
	if (!*line)
		return 0;
	size_t n = csv_split(line, f, ARRAY_SIZE(f));
	if (n != 4) {
		snprintf(c->err, c->errlen, "%s:%u: %zu fields where the header has 4", c->path, no, n);
		return -1;
	}
	if (vmstat_field(c, no, "time_ns", f[0], "a time in ns", &t) ||
	    (strcmp(f[1], "all") && vmstat_field(c, no, "node", f[1], "a node number or all", &node)) ||
	    vmstat_field(c, no, "value", f[3], "a counter value", &v))
		return -1;
	if (!*f[2]) {
		snprintf(c->err, c->errlen, "%s:%u: column 'counter': empty", c->path, no);
		return -1;
	}
	if (t < c->last_t) {
		snprintf(c->err, c->errlen, "%s:%u: column 'time_ns': %" PRIu64 " is before the row above's %" PRIu64
			 " (the sampler writes in time order)", c->path, no, t, c->last_t);
		return -1;
	}
	c->times += !c->rows || t != c->last_t;
	c->rows++;
	c->last_t = t;
	if (c->stopped)
		return 0;
	int ret = c->fn(t, f[1], f[2], v, c->ctx);
	if (ret > 0)
		c->stopped = ret;
	return ret < 0 ? ret : 0;
}

/* A run's vmstat.csv against run.json: the sampler counts the rows of
 * the samples it wrote whole (vmstat_rows, since it records them) and
 * the samples it took (a sample where nothing changed writes no row). */
static int vmstat_check(const char *dir, const struct vmstat_ctx *c, char *err, size_t errlen)
{
	json_t *run = rundir_load_json(dir, "run.json", err, errlen);
	json_t *rows, *samples;
	int ret = 0;

	if (!run)
		return -1;
	rows = json_object_get(run, "vmstat_rows");
	samples = json_object_get(run, "vmstat_samples");
	if ((rows && !json_is_integer(rows)) || (samples && !json_is_integer(samples))) {
		snprintf(err, errlen, "%s/run.json: field '%s': not a count", dir, rows && !json_is_integer(rows) ?
			 "vmstat_rows" : "vmstat_samples");
		ret = -1;
	} else if (rows && (uint64_t)json_integer_value(rows) != c->rows) {
		snprintf(err, errlen, "%s: %" PRIu64 " rows where run.json's vmstat_rows counts %" JSON_INTEGER_FORMAT
			 ": the files disagree (one is damaged or cut short)", c->path, c->rows,
			 json_integer_value(rows));
		ret = -1;
	} else if (samples && (c->times > (uint64_t)json_integer_value(samples) ||
			       (!c->times && json_integer_value(samples) > 0))) {
		snprintf(err, errlen, "%s: %" PRIu64 " sample times where run.json's vmstat_samples counts %"
			 JSON_INTEGER_FORMAT ": the files disagree (one is damaged)", c->path, c->times,
			 json_integer_value(samples));
		ret = -1;
	}
	json_decref(run);
	return ret;
}

int rundir_read_vmstat(const char *dir, rundir_vmstat_fn fn, void *ctx, char *err, size_t errlen)
{
	char path[4200];
	struct vmstat_ctx c = { .path = path, .fn = fn, .ctx = ctx, .err = err, .errlen = errlen };
	bool run = rundir_is_run(dir);

	int ret = each_whole_line(dir, "vmstat.csv", run, path, sizeof(path), vmstat_row, &c, err, errlen);
	if (!ret && run)
		ret = vmstat_check(dir, &c, err, errlen);
	return ret ? ret : c.stopped;
}

json_t *rundir_load_json(const char *dir, const char *file, char *err, size_t errlen)
{
	char path[4200];
	json_error_t e;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	char *text = read_input_file(path, RUNDIR_MAX_JSON, &len, err, errlen);
	if (!text)
		return NULL;
	json_t *j = json_loadb(text, len, 0, &e);
	free(text);
	if (!j)
		snprintf(err, errlen, "%s:%d: %s", path, e.line, e.text);
	else if (!json_is_object(j)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* runs[i]: its run number and counter deltas. */
static int check_summary_run(const char *dir, size_t i, json_t *run, char *err, size_t errlen)
{
	json_t *r = json_object_get(run, "run"), *delta = json_object_get(run, "vmstat_delta"), *v;
	const char *key;

	if (!json_is_integer(r) || json_integer_value(r) < 1 || json_integer_value(r) > 1000000) {
		snprintf(err, errlen, "%s/summary.json: field 'runs[%zu].run': not a run number (1, 2, ...)", dir, i);
		return -1;
	}
	if (delta && !json_is_null(delta) && !json_is_object(delta)) {
		snprintf(err, errlen, "%s/summary.json: field 'runs[%zu].vmstat_delta': not an object", dir, i);
		return -1;
	}
	json_object_foreach(delta, key, v) {
		if (!json_is_integer(v)) {
			snprintf(err, errlen, "%s/summary.json: field 'runs[%zu].vmstat_delta.%s': not an integer",
				 dir, i, key);
			return -1;
		}
	}
	return 0;
}

/* The fields of summary.json analysis reads, type-checked: a damaged or
 * edited file is an error naming the field, never read as 0. */
static int check_summary(const char *dir, json_t *s, char *err, size_t errlen)
{
	json_t *runs = json_object_get(s, "runs"), *changed = json_object_get(s, "environment_changed"), *run;
	size_t i;

	if (!json_is_boolean(json_object_get(s, "complete"))) {
		snprintf(err, errlen, "%s/summary.json: field 'complete': not true or false", dir);
		return -1;
	}
	if (!json_is_array(runs)) {
		snprintf(err, errlen, "%s/summary.json: field 'runs': not an array", dir);
		return -1;
	}
	json_array_foreach(runs, i, run)
		if (check_summary_run(dir, i, run, err, errlen))
			return -1;
	if (changed && !json_is_array(changed)) {
		snprintf(err, errlen, "%s/summary.json: field 'environment_changed': not an array", dir);
		return -1;
	}
	json_array_foreach(changed, i, run) {
		if (!json_is_string(run)) {
			snprintf(err, errlen, "%s/summary.json: field 'environment_changed[%zu]': not a string", dir, i);
			return -1;
		}
	}
	return 0;
}

/* run.json and summary.json must agree on whether the run finished. */
static int check_run_json(const char *dir, json_t *run, json_t *summary, char *err, size_t errlen)
{
	json_t *c = json_object_get(run, "complete");

	if (!json_is_boolean(c)) {
		snprintf(err, errlen, "%s/run.json: field 'complete': not true or false", dir);
		return -1;
	}
	if (json_is_true(c) != json_is_true(json_object_get(summary, "complete"))) {
		snprintf(err, errlen, "%s: run.json says complete: %s but summary.json says %s; the directory "
			 "is damaged", dir, json_is_true(c) ? "true" : "false", json_is_true(c) ? "false" : "true");
		return -1;
	}
	return 0;
}

int rundir_open(const char *dir, struct rundir *rd, char *err, size_t errlen)
{
	memset(rd, 0, sizeof(*rd));
	rd->summary = rundir_load_json(dir, "summary.json", err, errlen);
	if (!rd->summary || check_summary(dir, rd->summary, err, errlen) ||
	    !(rd->run = rundir_load_json(dir, "run.json", err, errlen)) ||
	    check_run_json(dir, rd->run, rd->summary, err, errlen)) {
		rundir_close(rd);
		return -1;
	}
	rd->complete = json_is_true(json_object_get(rd->summary, "complete"));
	rd->env_changed = json_object_get(rd->summary, "environment_changed");
	return 0;
}

void rundir_close(struct rundir *rd)
{
	json_decref(rd->run);
	json_decref(rd->summary);
	memset(rd, 0, sizeof(*rd));
}

bool rundir_is_run(const char *dir)
{
	char path[8400];
	struct stat st;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	return stat(path, &st) == 0;
}

bool rundir_complete(const char *dir)
{
	char err[512];
	struct rundir rd;

	if (rundir_open(dir, &rd, err, sizeof(err)))
		return false;
	bool complete = rd.complete && !json_array_size(rd.env_changed);
	rundir_close(&rd);
	return complete;
}
