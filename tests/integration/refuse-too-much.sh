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
