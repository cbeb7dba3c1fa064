#include "config.h"
#include "db.h"
#include "scenario_facts.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Schema changes, one list of statements per version: migrations[v]
 * takes a database from version v to v + 1. "{ID}" is the backend's
 * auto-numbered key. Types are the ones both SQL dialects know. */
static const char *const schema_v1[] = {
	"CREATE TABLE runs ("
	" id {ID},"
	" run_id TEXT NOT NULL, host TEXT NOT NULL, started TEXT NOT NULL, started_ns BIGINT NOT NULL,"
	" label TEXT NOT NULL, scenario TEXT NOT NULL, scenario_hash TEXT NOT NULL, kernel TEXT NOT NULL,"
	" nruns INTEGER NOT NULL, source TEXT NOT NULL, stored_at TEXT NOT NULL,"
	" run_json TEXT NOT NULL, counters TEXT NOT NULL,"
	" UNIQUE (host, run_id, started_ns))",
	"CREATE INDEX runs_series ON runs (scenario, host, started_ns)",
	"CREATE INDEX runs_label ON runs (label)",
	"CREATE TABLE samples ("
	" run_ref BIGINT NOT NULL REFERENCES runs (id), run INTEGER NOT NULL, iteration INTEGER,"
	" job TEXT, node INTEGER NOT NULL, chunk INTEGER, bytes DOUBLE PRECISION NOT NULL,"
	" start_ns DOUBLE PRECISION, pin_ns DOUBLE PRECISION NOT NULL, errno INTEGER NOT NULL,"
	" unpin_ns DOUBLE PRECISION, unpin INTEGER NOT NULL)",
	"CREATE INDEX samples_run ON samples (run_ref)",
	"CREATE TABLE vmstat_deltas ("
	" run_ref BIGINT NOT NULL REFERENCES runs (id), run INTEGER NOT NULL, counter TEXT NOT NULL,"
	" delta BIGINT NOT NULL)",
	"CREATE INDEX vmstat_deltas_run ON vmstat_deltas (run_ref)",
	"CREATE TABLE metrics ("
	" run_ref BIGINT NOT NULL REFERENCES runs (id), metric TEXT NOT NULL, unit TEXT NOT NULL,"
	" value DOUBLE PRECISION,"
	" PRIMARY KEY (run_ref, metric))",
	NULL,
};
/* Version 2: a scenario's identity is its content (scenario_facts.h);
 * the runs stored before get theirs from their run.json. */
static const char *const schema_v2[] = {
	"ALTER TABLE runs ADD COLUMN identity TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE runs ADD COLUMN nodes INTEGER NOT NULL DEFAULT 0",
	"ALTER TABLE runs ADD COLUMN backend TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE runs ADD COLUMN memory TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE runs ADD COLUMN sizes TEXT NOT NULL DEFAULT ''",
	"CREATE INDEX runs_identity ON runs (identity, host, started_ns)",
	NULL,
};
static const struct migration {
	const char *const *sql;
	int (*fill)(struct db *db, char *err, size_t errlen); /* after the statements, or NULL */
} migrations[DB_SCHEMA_VERSION] = {
	{ schema_v1, NULL },
	{ schema_v2, scenario_facts_backfill },
};

int db_query(struct db *db, const char *sql, const char *const *params, size_t nparams, struct db_result *res,
	     char *err, size_t errlen)
{
	return db->ops->query(db, sql, params, nparams, res, err, errlen);
}

int db_exec(struct db *db, const char *sql, char *err, size_t errlen)
{
	return db_query(db, sql, NULL, 0, NULL, err, errlen);
}

const char *db_cell(const struct db_result *r, size_t row, size_t col)
{
	return row < r->nrows && col < r->ncols ? r->cell[row * r->ncols + col] : NULL;
}

void db_result_free(struct db_result *r)
{
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cell[i]);
	free(r->cell);
	memset(r, 0, sizeof(*r));
}

int db_begin(struct db *db, char *err, size_t errlen)
{
	return db_exec(db, db->ops->begin_write, err, errlen);
}

int db_commit(struct db *db, char *err, size_t errlen)
{
	if (db_exec(db, "COMMIT", err, errlen)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void db_rollback(struct db *db)
{
	char ignored[256];

	db_exec(db, "ROLLBACK", ignored, sizeof(ignored));
}

/* The schema version, 0 for a database pinbench never wrote. */
static int schema_version(struct db *db, long *version, char *err, size_t errlen)
{
	struct db_result r;
	const char *name = "pinbench_schema";

	*version = 0;
	if (db_query(db, db->ops->has_table, &name, 1, &r, err, errlen))
		return -1;
	bool present = db_cell(&r, 0, 0) && atoi(db_cell(&r, 0, 0)) > 0;
	db_result_free(&r);
	if (!present)
		return 0;
	if (db_query(db, "SELECT max(version) FROM pinbench_schema", NULL, 0, &r, err, errlen))
		return -1;
	*version = db_cell(&r, 0, 0) ? atol(db_cell(&r, 0, 0)) : 0;
	db_result_free(&r);
	return 0;
}

static int run_migration(struct db *db, long from, char *err, size_t errlen)
{
	for (const char *const *s = migrations[from].sql; *s; s++) {
		char *sql = xstrdup(*s), *id = strstr(sql, "{ID}");
		if (id) {
			char *full;
			if (asprintf(&full, "%.*s%s%s", (int)(id - sql), sql, db->ops->id_column, id + 4) < 0)
				full = NULL;
			free(sql);
			sql = full ? full : xstrdup(*s);
		}
		int ret = db_exec(db, sql, err, errlen);
		free(sql);
		if (ret)
			return -1;
	}
	return migrations[from].fill ? migrations[from].fill(db, err, errlen) : 0;
}

/* Creates or migrates the schema in one transaction: a failure leaves the
 * database as it was. */
static int schema_upgrade(struct db *db, long *version, char *err, size_t errlen)
{
	char v[24];
	const char *p = v;

	if (db_begin(db, err, errlen))
		return -1;
	if ((db->ops->schema_lock && db_exec(db, db->ops->schema_lock, err, errlen)) ||
	    schema_version(db, version, err, errlen))
		goto fail;
	if (*version >= DB_SCHEMA_VERSION) { /* another store did it first, or nothing to do */
		db_rollback(db);
		return 0;
	}
	if (!*version && db_exec(db, "CREATE TABLE pinbench_schema (version INTEGER NOT NULL)", err, errlen))
		goto fail;
	for (long from = *version; from < DB_SCHEMA_VERSION; from++)
		if (run_migration(db, from, err, errlen))
			goto fail;
	snprintf(v, sizeof(v), "%d", DB_SCHEMA_VERSION);
	if (db_exec(db, "DELETE FROM pinbench_schema", err, errlen) ||
	    db_query(db, "INSERT INTO pinbench_schema (version) VALUES ($1)", &p, 1, NULL, err, errlen))
		goto fail;
	*version = DB_SCHEMA_VERSION;
	return db_commit(db, err, errlen);
fail:
	db_rollback(db);
	return -1;
}

static int pick_backend(struct db *db, const char *url, const char **target, char *err, size_t errlen)
{
	if (!strncmp(url, "sqlite:", 7) && url[7]) {
		db->ops = &db_sqlite;
		*target = url + 7;
	} else if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
		db->ops = &db_postgresql;
		*target = url;
	} else {
		snprintf(err, errlen, "'%s': not a database URL (sqlite:FILE or postgresql://...)", url);
		return -1;
	}
	return 0;
}

int db_open(struct db *db, const char *url, bool write, char *err, size_t errlen)
{
	const char *target;
	long version = 0;

	memset(db, 0, sizeof(*db));
	snprintf(db->url, sizeof(db->url), "%s", url);
	if (pick_backend(db, url, &target, err, errlen) || db->ops->open(db, target, write, err, errlen))
		return -1;
	int ret = write ? schema_upgrade(db, &version, err, errlen) : schema_version(db, &version, err, errlen);
	if (!ret && version > DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: the database has schema version %ld, newer than this pinbench's (%d): "
			 "use a newer pinbench", url, version, DB_SCHEMA_VERSION);
		ret = -1;
	} else if (!ret && !version) {
		snprintf(err, errlen, "%s: no pinbench results in this database (pinbench store fills it)", url);
		ret = -1;
	} else if (!ret && version < DB_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %ld is older than this pinbench's (%d): pinbench store "
			 "upgrades it", url, version, DB_SCHEMA_VERSION);
		ret = -1;
	}
	if (ret)
		db_close(db);
	return ret;
}

void db_close(struct db *db)
{
	if (db->handle)
		db->ops->close(db);
}
