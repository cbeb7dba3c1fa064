/* samples.csv against summary.json's counts (rundir_check.h). */
#include "config.h"
#include "rundir_check.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What summary.json counts for a group of pins (a run, a node), and
 * what the rows added up to. */
enum { T_OPS, T_FAILURES, T_BYTES, T_UNPINS, T_UNPIN_FAILURES, T_NCOUNTS };
static const struct {
	const char *group, *key; /* where summary.json keeps it */
	const char *noun;        /* in the message */
} counts[T_NCOUNTS] = {
	[T_OPS] = { "pin", "ops", "pin calls" },
	[T_FAILURES] = { "pin", "failures", "failed pins" },
	[T_BYTES] = { "pin", "bytes", "bytes pinned" },
	[T_UNPINS] = { "unpin", "ops", "unpins" },
	[T_UNPIN_FAILURES] = { "unpin", "failures", "failed unpins" },
};

struct group {
	long id;                   /* the run number, or the node */
	json_int_t want[T_NCOUNTS];
	json_int_t got[T_NCOUNTS];
};

struct rundir_tally {
	unsigned warmup;
	struct group *runs, *nodes;
	size_t nruns, nnodes;
};

/* One group's counts from summary.json (what = "runs[2]", "nodes.0"). */
static int load_group(const char *path, const char *what, const json_t *j, struct group *g, char *err, size_t errlen)
{
	for (size_t k = 0; k < T_NCOUNTS; k++) {
		json_t *v = json_object_get(json_object_get(j, counts[k].group), counts[k].key);
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(err, errlen, "%s: field '%s.%s.%s': not a count", path, what, counts[k].group,
				 counts[k].key);
			return -1;
		}
		g->want[k] = json_integer_value(v);
	}
	return 0;
}

/* The iterations summary.json left out. */
static int load_warmup(const char *dir, const json_t *summary, unsigned *warmup, char *err, size_t errlen)
{
	json_t *run = NULL, *w = json_object_get(summary, "warmup");
	const char *file = "summary.json";

	if (!w) {
		run = rundir_load_json(dir, "run.json", err, errlen);
		if (!run)
			return -1;
		w = json_object_get(run, "warmup");
		file = "run.json";
	}
	int ret = 0;
	if (w && (!json_is_integer(w) || json_integer_value(w) < 0 || json_integer_value(w) > 1000000000)) {
		snprintf(err, errlen, "%s/%s: field 'warmup': not a number of iterations", dir, file);
		ret = -1;
	}
	*warmup = (unsigned)json_integer_value(w);
	json_decref(run);
	return ret;
}

static int load_groups(const char *dir, const json_t *s, struct rundir_tally *t, char *err, size_t errlen)
{
	char path[4200], what[64];
	const json_t *runs = json_object_get(s, "runs"), *nodes = json_object_get(s, "nodes"), *v;
	const char *key;
	size_t i;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	if (!json_is_object(nodes)) {
		snprintf(err, errlen, "%s: field 'nodes': not an object", path);
		return -1;
	}
	t->runs = xcalloc(json_array_size(runs) + 1, sizeof(*t->runs));
	t->nodes = xcalloc(json_object_size(nodes) + 1, sizeof(*t->nodes));
	json_array_foreach(runs, i, v) { /* rundir_open checked runs[].run */
		snprintf(what, sizeof(what), "runs[%zu]", i);
		t->runs[t->nruns].id = (long)json_integer_value(json_object_get(v, "run"));
		if (load_group(path, what, v, &t->runs[t->nruns++], err, errlen))
			return -1;
	}
	json_object_foreach((json_t *)nodes, key, v) {
		char *end;
		long id = strtol(key, &end, 10);
		snprintf(what, sizeof(what), "nodes.%.40s", key);
		if (end == key || *end || id < 0) {
			snprintf(err, errlen, "%s: field '%s': not a node number", path, what);
			return -1;
		}
		t->nodes[t->nnodes].id = id;
		if (load_group(path, what, v, &t->nodes[t->nnodes++], err, errlen))
			return -1;
	}
	return 0;
}

struct rundir_tally *rundir_tally_new(const char *dir, char *err, size_t errlen)
{
	struct rundir_tally *t = xcalloc(1, sizeof(*t));
	json_t *s = rundir_load_json(dir, "summary.json", err, errlen);

	if (!s || load_warmup(dir, s, &t->warmup, err, errlen) || load_groups(dir, s, t, err, errlen)) {
		json_decref(s);
		rundir_tally_free(t);
		return NULL;
	}
	json_decref(s);
	return t;
}

static struct group *find(struct group *g, size_t n, long id)
{
	for (size_t i = 0; i < n; i++)
		if (g[i].id == id)
			return &g[i];
	return NULL;
}

static void count(struct group *g, const struct rundir_sample *s)
{
	g->got[T_OPS]++;
	if (s->err) {
		g->got[T_FAILURES]++;
		return;
	}
	g->got[T_BYTES] += (json_int_t)s->bytes;
	if (s->unpinned) {
		g->got[T_UNPINS]++;
		g->got[T_UNPIN_FAILURES] += s->unpin_err != 0;
	}
}

int rundir_tally_add(struct rundir_tally *t, const struct rundir_sample *s, const char *path, unsigned line,
		     char *err, size_t errlen)
{
	struct group *run = find(t->runs, t->nruns, (long)s->run);
	struct group *node = find(t->nodes, t->nnodes, s->node);

	if (!run || !node) {
		snprintf(err, errlen, "%s:%u: %s %ld, which summary.json does not have: the files disagree", path, line,
			 run ? "node" : "run", run ? (long)s->node : (long)s->run);
		return -1;
	}
	if (s->iteration <= t->warmup)
		return 0;
	count(run, s);
	count(node, s);
	return 0;
}

static int check_groups(const struct group *g, size_t n, const char *what, const char *path, char *err,
			size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < T_NCOUNTS; k++) {
			if (g[i].got[k] == g[i].want[k])
				continue;
			snprintf(err, errlen, "%s: %s %ld has %" JSON_INTEGER_FORMAT " %s where summary.json counts %"
				 JSON_INTEGER_FORMAT ": the files disagree (one is damaged or cut short)", path, what,
				 g[i].id, g[i].got[k], counts[k].noun, g[i].want[k]);
			return -1;
		}
	return 0;
}

int rundir_tally_check(const struct rundir_tally *t, const char *path, char *err, size_t errlen)
{
	return check_groups(t->runs, t->nruns, "run", path, err, errlen) ||
	       check_groups(t->nodes, t->nnodes, "node", path, err, errlen) ? -1 : 0;
}

void rundir_tally_free(struct rundir_tally *t)
{
	if (!t)
		return;
	free(t->runs);
	free(t->nodes);
	free(t);
}
