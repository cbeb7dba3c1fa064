#!/bin/sh
# The system is what it was after a run, after SIGTERM in the middle of
# one, and after SIGKILL followed by `pinbench env restore` (THP knobs,
# memory blocks, tracefs instance, helper processes, stress-ng); and
# `env movable` lasts until `env restore`.
. "$SRCDIR/tests/integration/lib.sh"
need_root "changes THP and memory blocks"
need_movable
need_backend io_uring

now=$(cat /sys/kernel/mm/transparent_hugepage/enabled | sed 's/.*\[\(.*\)\].*/\1/')
other=never
[ "$now" = never ] && other=always
stress=""
program() { command -v "$1" >/dev/null; }
f=$(scenario long "[global]" "movable = 256M" "thp = $other" "[p]" "type = pin" "nodes = 0" \
	"size = 32M" "chunk = 8M" "iterations = 1000" "hold = 20ms" \
	"[reader]" "type = procvm" "[churn]" "type = pagecache" "size = 16M")
if program stress-ng; then
	printf '%s\n' "[load]" "type = stress-ng" "args = --cpu 1 --timeout 600" >>"$f"
	stress=1
fi
short=$(scenario short "[global]" "movable = 256M" "thp = $other" "[p]" "type = pin" "nodes = 0" \
	"size = 32M" "chunk = 8M" "iterations = 2")
before=$(system_state)

run "$short" -o "$TMP/done" || { cat "$TMP/out"; fail "run failed"; }
[ "$(system_state)" = "$before" ] || fail "state differs after a complete run"
pass "complete run: state restored"

# Waits until the run has changed the system (THP knob set), or fails.
wait_changed() {
	for _ in $(seq 100); do
		grep -q "\[$other\]" /sys/kernel/mm/transparent_hugepage/enabled && return 0
		sleep 0.1
	done
	fail "the run never changed THP"
}

# Waits until pins are under way: the procvm stressor starts its reader
# right before each pin.
wait_pinning() {
	for _ in $(seq 300); do
		running "_helper procvm" && return 0
		sleep 0.1
	done
	fail "no pin started within 30 s"
}

# Starts the long run into $TMP/NAME and returns once it pins; sets $pid.
start_long_run() {
	"$PINBENCH" 9>&- run -q "$f" -o "$TMP/$1" >"$TMP/$1.out" 2>&1 &
	pid=$!
	wait_changed
	wait_pinning
}

start_long_run term
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 143 ] || { cat "$TMP/term.out"; fail "SIGTERM: exit $rc, want 143"; }
[ "$(json .complete "$TMP/term/summary.json")" = false ] || fail "interrupted run not marked incomplete"
[ "$(json .interrupted_by "$TMP/term/summary.json")" = SIGTERM ] || fail "interrupted_by"
[ "$(json .pin.ops "$TMP/term/summary.json")" -gt 0 ] || fail "interrupted run kept no samples"
[ "$(system_state)" = "$before" ] || fail "state differs after SIGTERM"
pass "SIGTERM: exit 143, run kept as incomplete, state restored"

start_long_run kill
kill -KILL "$pid"
wait "$pid" || true
[ "$(system_state)" != "$before" ] || fail "SIGKILL test did not catch the run with changes made"
ls /sys/kernel/tracing/instances | grep -q "pinbench-$pid" || fail "no tracefs instance while running"
[ -z "$stress" ] || running "^ stress-ng( |$)" || fail "stress-ng was not running"
ls -d "$TMP"/kill.partial-* >/dev/null || fail "no .partial directory after SIGKILL"
"$PINBENCH" 9>&- env restore >"$TMP/restore.out" 2>&1 || { cat "$TMP/restore.out"; fail "env restore failed"; }
[ "$(system_state)" = "$before" ] || fail "state differs after SIGKILL + env restore"
ls /sys/kernel/tracing/instances | grep -q pinbench && fail "tracefs instance left after env restore"
running "_helper procvm" && fail "procvm reader left after env restore"
[ -z "$stress" ] || ! running "^ stress-ng( |$)" || fail "stress-ng left after env restore"
pass "SIGKILL + env restore: $(grep undone "$TMP/restore.out")"

"$PINBENCH" 9>&- env movable 256M 0 >"$TMP/movable.out" 2>&1 || { cat "$TMP/movable.out"; fail "env movable"; }
grep -q 'ZONE_MOVABLE 256 MiB' "$TMP/movable.out" || fail "env movable: $(cat "$TMP/movable.out")"
run "$short" -o "$TMP/after-env" || { cat "$TMP/out"; fail "run after env movable failed"; }
grep -q "Movable" /sys/devices/system/memory/memory*/valid_zones || fail "a run undid env movable"
"$PINBENCH" 9>&- env restore >/dev/null 2>&1 || fail "env restore after env movable"
[ "$(system_state)" = "$before" ] || fail "state differs after env movable + env restore"
pass "env movable lasts across a run until env restore"
