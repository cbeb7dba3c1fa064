#!/bin/sh
# Issue 13, item 4: a run whose environment changed under it (its THP
# setting or its movable zone, changed by someone else while it ran) ended
# complete: true, and its later iterations measured another setup. It
# must notice, say so loudly, record it in summary.json and run.json, and
# compare and gate must refuse it as they refuse an interrupted run.
. "$SRCDIR/tests/integration/lib.sh"
need_root "changes THP and memory blocks under a run"
need_movable
need_backend io_uring

REF="$SRCDIR/results/reference/anon"
now=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)
other=never
[ "$now" = never ] && other=always
third=""
for t in always madvise never; do
	[ "$t" != "$now" ] && [ "$t" != "$other" ] && grep -qw "$t" /sys/kernel/mm/transparent_hugepage/enabled &&
		third=$t && break
done
[ -n "$third" ] || skip "THP has no third setting"
sc=$(scenario changed "[global]" "thp = $other" "movable = 256M" "[pin]" "type = pin" "nodes = 0" "size = 4M" \
	"iterations = 12" "hold = 300ms")
before=$(system_state)

"$PINBENCH" 9>&- run -q "$sc" -o "$TMP/r" >"$TMP/out" 2>&1 &
pid=$!
for _ in $(seq 100); do # until it has set THP, then into its pins
	grep -q "\[$other\]" /sys/kernel/mm/transparent_hugepage/enabled && break
	kill -0 "$pid" 2>/dev/null || { cat "$TMP/out"; fail "the run ended before anything changed"; }
	sleep 0.1
done
sleep 1
# While it holds its pins: THP changed, and one of the run's movable
# blocks given back to the kernel's zone, as the end of another run did.
echo "$third" >/sys/kernel/mm/transparent_hugepage/enabled
block=""
for b in /sys/devices/system/memory/memory*; do
	grep -q "^Movable" "$b/valid_zones" 2>/dev/null && [ "$(cat "$b/state")" = online ] && { block=$b; break; }
done
[ -n "$block" ] || fail "the run made no movable block"
echo offline >"$block/state" && echo online_kernel >"$block/state" || echo online_movable >"$block/state" || true
set +e
wait "$pid"
rc=$?
set -e
cat "$TMP/out"
[ "$rc" -eq 1 ] || fail "exit $rc, want 1"
grep -q "THE ENVIRONMENT CHANGED UNDER THIS RUN" "$TMP/out" || { cat "$TMP/out"; fail "no loud line"; }
for f in summary.json run.json; do
	json '.environment_changed[]' "$TMP/r/$f" | grep -q "transparent_hugepage/enabled: $other -> $third" ||
		{ cat "$TMP/r/$f"; fail "$f: THP's change not recorded"; }
	json '.environment_changed[]' "$TMP/r/$f" | grep -q "zone Movable: 256 MiB -> " ||
		{ json .environment_changed "$TMP/r/$f"; fail "$f: the movable zone's change not recorded"; }
done
pass "the changes are said and recorded: $(json '.environment_changed | join("; ")' "$TMP/r/summary.json")"
analysis_refuses "$REF" "$TMP/r" "the environment changed under the run"
"$PINBENCH" 9>&- report "$TMP/r" >/dev/null || fail "report refuses the run"
pass "compare and gate refuse it, report reads it"
"$PINBENCH" 9>&- env restore >/dev/null 2>&1
echo "$now" >/sys/kernel/mm/transparent_hugepage/enabled
[ "$(system_state)" = "$before" ] || fail "state differs after the run"
pass "state restored"
