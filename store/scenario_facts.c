/* A stored run's scenario facts (scenario_facts.h). */
#include "config.h"
#include "scenario_facts.h"
#include "units.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends one job's value to a '/'-separated list. */
static void append(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);

	appendf(buf, len, &o, "%s%s", *buf ? "/" : "", s);
}

void scenario_facts(json_t *run, struct scenario_facts *f)
{
	json_t *j;
	size_t i;

	memset(f, 0, sizeof(*f));
	differences_identity(run, f->identity);
	f->nodes = (long)json_array_size(json_object_get(json_object_get(run, "topology"), "numa_nodes"));
	json_array_foreach(json_object_get(run, "jobs"), i, j) {
		const char *type = json_string_value(json_object_get(j, "type"));
		const char *backend = json_string_value(json_object_get(j, "backend"));
		const char *memory = json_string_value(json_object_get(j, "memory"));
		char size[32], chunk[32], both[80];
		if (type && strcmp(type, "pin"))
			continue;
		format_size((uint64_t)json_integer_value(json_object_get(j, "size")), size, sizeof(size));
		format_size((uint64_t)json_integer_value(json_object_get(j, "chunk")), chunk, sizeof(chunk));
		snprintf(both, sizeof(both), "%s in %s chunks", size, chunk);
		append(f->backend, sizeof(f->backend), backend ? backend : "?");
		append(f->memory, sizeof(f->memory), memory ? memory : "?");
		append(f->sizes, sizeof(f->sizes), both);
	}
}

void scenario_facts_describe(const char *backend, const char *memory, const char *sizes, long nodes, char *buf,
			     size_t len)
{
	snprintf(buf, len, "%s, %s, %s, %ld node%s", *backend ? backend : "no pin job", *memory ? memory : "-",
		 *sizes ? sizes : "-", nodes, nodes == 1 ? "" : "s");
}

static int update_run(struct db *db, const char *id, const char *run_json, char *err, size_t errlen)
{
	struct scenario_facts f;
	char nodes[24];
	json_t *run = json_loads(run_json ? run_json : "", 0, NULL);

	if (!run) {
		snprintf(err, errlen, "%s: the run.json of stored run %s is not JSON", db->url, id);
		return -1;
	}
	scenario_facts(run, &f);
	json_decref(run);
	snprintf(nodes, sizeof(nodes), "%ld", f.nodes);
	const char *p[] = { f.identity, nodes, f.backend, f.memory, f.sizes, id };
	return db_query(db,
			"UPDATE runs SET identity = $1, nodes = CAST($2 AS INTEGER), backend = $3, memory = $4, "
			"sizes = $5 WHERE id = CAST($6 AS BIGINT)",
			p, ARRAY_SIZE(p), NULL, err, errlen);
}

int scenario_facts_backfill(struct db *db, char *err, size_t errlen)
{
	struct db_result r;
	int ret = 0;

	if (db_query(db, "SELECT id, run_json FROM runs", NULL, 0, &r, err, errlen))
		return -1;
	for (size_t i = 0; i < r.nrows && !ret; i++)
		ret = update_run(db, db_cell(&r, i, 0), db_cell(&r, i, 1), err, errlen);
	db_result_free(&r);
	return ret;
}
