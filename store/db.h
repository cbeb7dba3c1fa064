/* The results database: SQLite (embedded, the default) or PostgreSQL (a
 * server a fleet of test machines shares), one backend table each, the
 * way workloads declare pin backends. Statements are the same SQL for
 * both: parameters $1..$n, passed and returned as text (NULL is SQL
 * NULL), so the rest of the store never knows which backend it talks to.
 *
 * URLs: "sqlite:PATH" (the file is created by the first store) or
 * "postgresql://..." / "postgres://..." (handed to libpq as is). */
#ifndef PB_DB_H
#define PB_DB_H

#include <stdbool.h>
#include <stddef.h>

#define DB_DEFAULT_URL "sqlite:results/pinbench.db"
/* The schema this pinbench writes and reads; older ones are migrated by
 * the next store, newer ones refused. */
#define DB_SCHEMA_VERSION 2

struct db_result {
	size_t nrows, ncols;
	char **cell; /* row-major; NULL for SQL NULL */
};

struct db;

struct db_backend {
	const char *name;
	/* create: whether a missing database may be made (store) */
	int (*open)(struct db *db, const char *target, bool create, char *err, size_t errlen);
	void (*close)(struct db *db);
	/* res may be NULL when the statement returns nothing wanted */
	int (*query)(struct db *db, const char *sql, const char *const *params, size_t nparams,
		     struct db_result *res, char *err, size_t errlen);
	const char *id_column;   /* an auto-numbered primary key */
	const char *begin_write; /* a transaction that will write */
	const char *schema_lock; /* serializes schema changes; NULL when begin_write does */
	const char *has_table;   /* one row, one column: 1 when table $1 exists */
};

struct db {
	const struct db_backend *ops;
	void *handle;
	char url[1024];
};

extern const struct db_backend db_sqlite, db_postgresql;

/* Opens url; when write, creates the database and schema as needed (or
 * migrates an older one); when not, refuses a database without results.
 * Either way a newer schema is refused. 0, or -1 with one line in err
 * that names the URL. */
int db_open(struct db *db, const char *url, bool write, char *err, size_t errlen);
void db_close(struct db *db);
/* 0, or -1 with "URL: the database's message" in err. */
int db_query(struct db *db, const char *sql, const char *const *params, size_t nparams, struct db_result *res,
	     char *err, size_t errlen);
int db_exec(struct db *db, const char *sql, char *err, size_t errlen);
const char *db_cell(const struct db_result *r, size_t row, size_t col);
void db_result_free(struct db_result *r);
/* The write transaction, and its end (rollback never fails loudly). */
int db_begin(struct db *db, char *err, size_t errlen);
int db_commit(struct db *db, char *err, size_t errlen);
void db_rollback(struct db *db);

#endif
