#!/bin/sh
# The AF_XDP backend (XDP_UMEM_REG) pins, and migrates out of ZONE_MOVABLE.
. "$SRCDIR/tests/integration/lib.sh"
need_backend af_xdp

if [ "$(id -u)" -eq 0 ] && ls /sys/devices/system/memory/memory*/state >/dev/null 2>&1; then
	movable="movable = 1G"
else
	movable="; no movable zone without root"
fi
f=$(scenario xdp "[global]" "$movable" "[p]" "type = pin" "backend = af_xdp" "nodes = 0" \
	"size = 32M" "chunk = 8M" "iterations = 3")
run "$f" -o "$TMP/x" || { cat "$TMP/out"; fail "run failed"; }
s="$TMP/x/summary.json"
[ "$(json .pin.ops "$s")" -eq 12 ] || fail "$(json .pin.ops "$s") pins, want 12"
[ "$(json .pin.failures "$s")" -eq 0 ] || fail "failures $(json .pin.failures_by_errno "$s")"
[ "$(json .unpin.ops "$s")" -eq 12 ] || fail "unpins"
pass "12 AF_XDP umem registrations"
grep -q 'workqueue' "$TMP/x/run.json" || fail "run.json does not note the deferred unpin"
if [ "$movable" = "movable = 1G" ]; then
	m=$(json '.vmstat_delta.pgmigrate_success // 0' "$s")
	[ "$m" -ge 24576 ] || fail "pgmigrate_success +$m, want >= 24576"
	pass "pgmigrate_success +$m"
fi
