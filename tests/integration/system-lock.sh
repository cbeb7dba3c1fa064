#!/bin/sh
# Issue 13, item 4: with another PINBENCH_STATE_DIR a second run was not
# locked out, and the first one's end undid the second's movable zone and
# THP setting under it. The lock is one file for the whole system: a
# second run, `env movable` and `env restore` are refused whatever state
# directory they name, and the first run's changes stay its own.
. "$SRCDIR/tests/integration/lib.sh"
need_root "takes the system's pinbench lock"
need_backend io_uring

now=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)
other=never
[ "$now" = never ] && other=always
long=$(scenario long "[global]" "thp = $other" "[pin]" "type = pin" "size = 4M" "iterations = 1000" "hold = 50ms")
short=$(scenario short "[pin]" "type = pin" "size = 4M" "iterations = 2")
before=$(system_state)

"$PINBENCH" 9>&- run -q "$long" -o "$TMP/first" >"$TMP/first.out" 2>&1 &
pid=$!
for _ in $(seq 100); do # until it pins: rows in its samples.csv
	f=$(ls "$TMP"/first.partial-*/samples.csv 2>/dev/null || true)
	[ -n "$f" ] && [ "$(wc -l <"$f")" -gt 1 ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$TMP/first.out"; fail "the first run ended early"; }
	sleep 0.1
done

refused() { # what, then the command
	what=$1
	shift
	set +e
	PINBENCH_STATE_DIR="$TMP/state" "$PINBENCH" 9>&- "$@" >"$TMP/second.out" 2>&1
	rc=$?
	set -e
	[ "$rc" -ne 0 ] || { kill -TERM "$pid"; cat "$TMP/second.out"; fail "$what with another state directory ran"; }
	grep -q "pid $pid" "$TMP/second.out" || { kill -TERM "$pid"; cat "$TMP/second.out"; fail "$what: not told the holder"; }
	pass "$what with another PINBENCH_STATE_DIR is refused: $(head -1 "$TMP/second.out")"
}
refused "a second run" run -q "$short" -o "$TMP/second"
[ ! -e "$TMP/second" ] && ! ls -d "$TMP"/second.partial-* >/dev/null 2>&1 || fail "the refused run left a directory"
refused "env restore" env restore
refused "env movable" env movable 128M
grep -q "\[$other\]" /sys/kernel/mm/transparent_hugepage/enabled || fail "the first run's THP setting was undone"
[ ! -e "$TMP/state/journal" ] || [ ! -s "$TMP/state/journal" ] || fail "a refused command journalled changes"

kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 143 ] || { cat "$TMP/first.out"; fail "the first run: exit $rc, want 143"; }
[ "$(system_state)" = "$before" ] || fail "state differs after the first run"
pass "the first run kept its changes to the end and restored them"
