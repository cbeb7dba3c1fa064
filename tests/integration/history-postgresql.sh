#!/bin/sh
# The results database in PostgreSQL: a throwaway cluster (initdb, then
# pg_ctl as an unprivileged user, listening only on a Unix socket in a
# temporary directory; stopped and removed at the end) and the same checks
# as SQLite, plus a server that does not answer.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/history-checks.sh"
command -v jq >/dev/null || skip "jq is not installed"

[ -x /usr/lib/postgresql/15/bin/initdb ] || [ "$(id -u)" -ne 0 ] ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 \
		>"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log"; skip "postgresql-15 cannot be installed"; }
[ -x /usr/lib/postgresql/15/bin/initdb ] || skip "postgresql-15 is not installed (scripts/install-deps installs it)"
trap 'pg_stop; cleanup' EXIT
pg_start
sock=$(printf %s "$PGDIR" | sed 's|/|%2F|g')

history_checks "$url"
identity_checks "$url" psql -q "$url" -c

pb_merged history --db "postgresql://pinbench@$(printf %s "$TMP" | sed 's|/|%2F|g')/postgres" --host ci-step
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "No such file or directory" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a server that is not there: not one line"; }
pb_merged store --db "postgresql://pinbench@$sock/no_such_db" "$TMP/later/run-a"
[ "$rc" -eq 2 ] && grep -q 'database "no_such_db" does not exist' "$TMP/out" || { cat "$TMP/out"; fail "no such db"; }
pass "an unreachable server and a missing database: one line, exit 2"

psql -q "$url" -c 'UPDATE pinbench_schema SET version = 99' || fail "psql"
newer_schema_checks "$url"
