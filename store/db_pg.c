/* The PostgreSQL backend, through libpq: the URL goes to libpq as is
 * (host, port, user, a Unix socket directory as %2Fpath, sslmode...). */
#include "config.h"
#include "db.h"
#include "util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* libpq's messages end in a newline and may run on; one line is kept. */
static void first_line(const char *msg, char *buf, size_t len)
{
	size_t n = strcspn(msg, "\n");

	snprintf(buf, len, "%.*s", (int)n, msg);
}

/* NOTICEs (a table that already exists) are not the user's business. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_open(struct db *db, const char *url, bool create, char *err, size_t errlen)
{
	char why[512];
	PGconn *c = PQconnectdb(url);

	(void)create; /* the server's database exists or the URL is wrong */
	if (!c || PQstatus(c) != CONNECTION_OK) {
		first_line(c ? PQerrorMessage(c) : "out of memory", why, sizeof(why));
		snprintf(err, errlen, "%s: %s", db->url, why);
		PQfinish(c);
		return -1;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	db->handle = c;
	return 0;
}

static void pg_close(struct db *db)
{
	PQfinish(db->handle);
	db->handle = NULL;
}

static int pg_query(struct db *db, const char *sql, const char *const *params, size_t nparams,
		    struct db_result *res, char *err, size_t errlen)
{
	char why[512];
	PGresult *r = PQexecParams(db->handle, sql, (int)nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(db->handle), why, sizeof(why));
		snprintf(err, errlen, "%s: %s", db->url, why);
		PQclear(r);
		return -1;
	}
	if (res) {
		memset(res, 0, sizeof(*res));
		res->nrows = (size_t)PQntuples(r);
		res->ncols = (size_t)PQnfields(r);
		res->cell = xcalloc(res->nrows * res->ncols + 1, sizeof(*res->cell));
		for (size_t i = 0; i < res->nrows; i++)
			for (size_t k = 0; k < res->ncols; k++)
				if (!PQgetisnull(r, (int)i, (int)k))
					res->cell[i * res->ncols + k] = xstrdup(PQgetvalue(r, (int)i, (int)k));
	}
	PQclear(r);
	return 0;
}

const struct db_backend db_postgresql = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.query = pg_query,
	.id_column = "BIGSERIAL PRIMARY KEY",
	.begin_write = "BEGIN",
	/* two first stores at once would both create the tables */
	.schema_lock = "SELECT pg_advisory_xact_lock(7070626262)",
	.has_table = "SELECT count(*) FROM information_schema.tables "
		     "WHERE table_schema = current_schema() AND table_name = $1",
};
