#!/bin/sh
# Every memory type pins, and in a movable zone every type migrates.
# hugetlb pages come from the pool: the pages the first pin migrated out of
# ZONE_MOVABLE go back to the pool outside it, so only the first of the
# two iterations migrates (16 MiB = 8192 pages of 4 KiB are counted).
. "$SRCDIR/tests/integration/lib.sh"
need_root "creates ZONE_MOVABLE and grows the hugetlb pool"
need_movable
need_backend io_uring

before=$(system_state)
for mem in anon anon-thp memfd memfd-thp hugetlb; do
	f=$(scenario "$mem" "[global]" "movable = 1G" "[p]" "type = pin" "nodes = 0" \
		"memory = $mem" "size = 32M" "chunk = 8M" "iterations = 2")
	run "$f" -o "$TMP/$mem" || { cat "$TMP/out"; fail "$mem: run failed"; }
	s="$TMP/$mem/summary.json"
	[ "$(json .pin.ops "$s")" -eq 8 ] || fail "$mem: $(json .pin.ops "$s") pins, want 8"
	[ "$(json .pin.failures "$s")" -eq 0 ] || fail "$mem: failures $(json .pin.failures_by_errno "$s")"
	migrated=$(json '.vmstat_delta.pgmigrate_success // 0' "$s")
	want=16384
	[ "$mem" = hugetlb ] && want=8192
	[ "$migrated" -ge "$want" ] || fail "$mem: pgmigrate_success +$migrated, want >= $want"
	pass "$mem: 8 pins, pgmigrate_success +$migrated"
done
[ "$(system_state)" = "$before" ] || fail "system state differs after the runs (hugetlb pool?)"
pass "hugetlb pool and memory blocks restored"
