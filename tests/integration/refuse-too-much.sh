#!/bin/sh
# Never risk the host: a scenario pinning more than MemAvailable less the
# safety margin is refused before anything is allocated or changed.
. "$SRCDIR/tests/integration/lib.sh"

need_backend io_uring
f=$(scenario huge "[p]" "type = pin" "nodes = 0" "size = 64T" "chunk = 1G")
before=$(system_state)
set +e
"$PINBENCH" 9>&- run -q "$f" -o "$TMP/h" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$TMP/out"; fail "exit $rc, want 3"; }
grep -q "refusing to pin 64 TiB" "$TMP/out" || { cat "$TMP/out"; fail "no refusal message"; }
[ ! -e "$TMP/h" ] && ! ls -d "$TMP"/h.* >/dev/null 2>&1 || fail "a run directory was created"
[ "$(system_state)" = "$before" ] || fail "the system was changed"
pass "$(grep refusing "$TMP/out")"

# Jobs that take turns (sequential = yes) hold their memory one at a time:
# two jobs of 60 % of what is safe are refused together and pass the
# check when they take turns (the dry run stops before pinning).
# (of the smaller of MemAvailable and node 0's free memory, which the check
# holds a node's jobs to)
kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
node_kb=$(awk '/MemFree:/ { print $4 }' /sys/devices/system/node/node0/meminfo 2>/dev/null || echo "$kb")
[ "${node_kb:-$kb}" -lt "$kb" ] && kb=$node_kb
safe=$((kb * 6 / 10 / 1048576))
[ "$safe" -ge 1 ] || skip "under 1.7 GiB free: two jobs of 60 % would be under 1 GiB each"
two() { # sequential yes|no
	scenario "two-$1" "[global]" "sequential = $1" "[a]" "type = pin" "nodes = 0" "size = ${safe}G" \
		"chunk = 1G" "[b]" "type = pin" "nodes = 0" "size = ${safe}G" "chunk = 1G"
}
set +e
"$PINBENCH" 9>&- run -q --dry-run "$(two no)" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] && grep -q "refusing to pin" "$TMP/out" || { cat "$TMP/out"; fail "two jobs at once: exit $rc, not refused"; }
set +e
"$PINBENCH" 9>&- run -q --dry-run "$(two yes)" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "two jobs taking turns: exit $rc, refused as if at once"; }
pass "two jobs of ${safe} GiB: refused at once, accepted taking turns"
