/* The SQLite backend: one file, WAL so that readers never wait for a
 * writer, and writers that queue behind each other (BEGIN IMMEDIATE and a
 * busy timeout) instead of failing with "database is locked". */
#include "config.h"
#include "db.h"
#include "util.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a writer waits for another one: a store of a thousand runs
 * takes seconds, and several CI jobs may store at once. */
#define BUSY_TIMEOUT_MS 120000

/* Switches a new file to WAL. Stores that create the file at once race
 * for the switch, and SQLite answers the losers SQLITE_BUSY at once,
 * without its busy handler: they wait here instead, up to the same
 * timeout, for the winner to finish (the mode is the file's, not the
 * connection's, so theirs then finds it done). */
static int to_wal(struct db *db, char *err, size_t errlen)
{
	for (unsigned waited = 0;; waited += 10) {
		int rc = sqlite3_exec(db->handle, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS) {
			snprintf(err, errlen, "%s: %s", db->url, sqlite3_errmsg(db->handle));
			return -1;
		}
		usleep(10000);
	}
}

static int sqlite_open(struct db *db, const char *path, bool create, char *err, size_t errlen)
{
	sqlite3 *h = NULL;
	struct stat st;

	if (!create && stat(path, &st)) {
		snprintf(err, errlen, "%s: %s (pinbench store creates it)", db->url, strerror(errno));
		return -1;
	}
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", db->url, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return -1;
	}
	db->handle = h;
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	/* a file that is not a database fails here, with SQLite's words */
	if (db_exec(db, "PRAGMA foreign_keys = ON", err, errlen) || (create && to_wal(db, err, errlen))) {
		sqlite3_close(h);
		db->handle = NULL;
		return -1;
	}
	return 0;
}

static void sqlite_close(struct db *db)
{
	sqlite3_close(db->handle);
	db->handle = NULL;
}

static int bind_params(sqlite3_stmt *st, const char *const *params, size_t n)
{
	char name[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "$%zu", i + 1);
		int idx = sqlite3_bind_parameter_index(st, name);
		if (!idx)
			continue;
		int rc = params[i] ? sqlite3_bind_text(st, idx, params[i], -1, SQLITE_STATIC)
				   : sqlite3_bind_null(st, idx);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static void add_row(sqlite3_stmt *st, struct db_result *res)
{
	size_t nc = res->ncols, r = res->nrows++;

	res->cell = xrealloc(res->cell, res->nrows * nc * sizeof(*res->cell) + 1);
	for (size_t c = 0; c < nc; c++) {
		const unsigned char *t = sqlite3_column_text(st, (int)c);
		res->cell[r * nc + c] = t ? xstrdup((const char *)t) : NULL;
	}
}

static int sqlite_query(struct db *db, const char *sql, const char *const *params, size_t nparams,
			struct db_result *res, char *err, size_t errlen)
{
	sqlite3 *h = db->handle;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = bind_params(st, params, nparams);
	if (res) {
		memset(res, 0, sizeof(*res));
		res->ncols = st ? (size_t)sqlite3_column_count(st) : 0;
	}
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && res)
			add_row(st, res);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: %s", db->url, sqlite3_errmsg(h));
		sqlite3_finalize(st);
		if (res)
			db_result_free(res);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

const struct db_backend db_sqlite = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.query = sqlite_query,
	.id_column = "INTEGER PRIMARY KEY",
	.begin_write = "BEGIN IMMEDIATE",
	.schema_lock = NULL,
	.has_table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
};
