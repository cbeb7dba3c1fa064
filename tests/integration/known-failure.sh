#!/bin/sh
# The shipped known-failure scenario fails pins deterministically: ENOMEM,
# pgmigrate_fail, and the tracepoint attributes every failure to a failed
# longterm_pin migration.
. "$SRCDIR/tests/integration/lib.sh"
need_root "creates ZONE_MOVABLE and reads tracefs"
need_movable
need_backend io_uring

run "$SRCDIR/bench/scenarios/known-failure.ini" -o "$TMP/kf" || { cat "$TMP/out"; fail "run failed"; }
s="$TMP/kf/summary.json"
failures=$(json .pin.failures "$s")
[ "$failures" -ge 1 ] || fail "no pin failed"
[ "$(json '.pin.failures_by_errno.ENOMEM' "$s")" = "$failures" ] || fail "failures not all ENOMEM: $(json .pin.failures_by_errno "$s")"
pass "$failures of $(json .pin.ops "$s") pins failed with ENOMEM"

pgfail=$(json '.vmstat_delta.pgmigrate_fail // 0' "$s")
[ "$pgfail" -ge $((16 * failures)) ] || fail "pgmigrate_fail +$pgfail, want >= $((16 * failures))"
pass "pgmigrate_fail +$pgfail"

[ "$(json '.trace != null' "$s")" = true ] || fail "no trace: $(json .trace_unavailable "$s")"
tfail=$(json '.trace.longterm_pin.failed // 0' "$s")
[ "$tfail" -gt 0 ] || fail "trace.longterm_pin.failed is $tfail"
[ "$(json .pin.failures_migration "$s")" = "$failures" ] || fail "failures not attributed to migration"
[ "$(json .pin.failures_other "$s")" = 0 ] || fail "failures_other"
# every failed row carries its traced failed migrations
awk -F, 'NR > 1 && $9 != 0 && !($15 > 0) { bad++ } END { exit bad > 0 }' "$TMP/kf/samples.csv" ||
	fail "a failed sample has no traced migration failure"
pass "trace.longterm_pin.failed = $tfail; every failure attributed to migration"
[ "$(json .stressors.holder.held_pages "$s")" -ge 16 ] || fail "holder report"
[ -z "$(ls /sys/kernel/tracing/instances | grep pinbench || true)" ] || fail "tracefs instance left behind"
pass "tracefs instance removed"
