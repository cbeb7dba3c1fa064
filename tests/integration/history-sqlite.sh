#!/bin/sh
# The results database in SQLite: 30 runs stored by 4 processes at once,
# one change point where the series steps and none where it does not,
# gate and bisect against stored baselines, bad input writing nothing,
# and a database of a newer schema refused.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/history-checks.sh"
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (it edits the schema version)"

db="$TMP/db/pinbench.db"
history_checks "sqlite:$db"
[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal ] || fail "the database is not in WAL mode"
identity_checks "sqlite:$db" sqlite3 "$db"

# Four stores creating one new file at once race to switch it to WAL;
# the losers wait for the winner instead of failing "database is locked"
# (one round in five failed so before). Twenty rounds, each a fresh file.
for round in $(seq 1 20); do
	for k in 0 1 2 3; do
		("$PINBENCH" 9>&- store --db "sqlite:$TMP/race-$round.db" --label "r$k" "$SRCDIR/results/reference/anon" \
			>"$TMP/race-$round-$k.log" 2>&1 || echo "store $k failed" >>"$TMP/race-$round-$k.log") &
	done
	wait
	! grep -h failed -B1 "$TMP"/race-"$round"-*.log || fail "round $round: a store of four creating the database failed"
	# the same run four times: stored once, "stored before" three times
	[ "$(sqlite3 "$TMP/race-$round.db" 'SELECT count(*) FROM runs')" -eq 1 ] || fail "round $round: not 1 run stored"
done
pass "20 rounds of 4 stores creating a database at once: none refused, the run stored once each"

pb_merged history --db "sqlite:$TMP/none.db"
[ "$rc" -eq 2 ] && grep -q "none.db: No such file" "$TMP/out" && [ ! -e "$TMP/none.db" ] ||
	{ cat "$TMP/out"; fail "history created or misreported a missing database"; }
echo "not a database" >"$TMP/text.db"
pb_merged store --db "sqlite:$TMP/text.db" "$TMP/later/run-a"
[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" = 1 ] && grep -q "text.db: file is not a database" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a file that is not a database"; }
pass "a missing database and a file that is not one: one line, exit 2"

sqlite3 "$db" 'UPDATE pinbench_schema SET version = 99'
newer_schema_checks "sqlite:$db"
