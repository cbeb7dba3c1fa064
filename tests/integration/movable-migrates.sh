#!/bin/sh
# With a movable zone and fresh memory every iteration, every pin has to
# migrate: pgmigrate_success grows by at least the pinned pages, and no
# pinned page is left in ZONE_MOVABLE. Pinning the same memory again
# (reuse = yes) migrates only the first time.
. "$SRCDIR/tests/integration/lib.sh"
need_root "creates ZONE_MOVABLE"
need_movable
need_backend io_uring

fresh=$(scenario fresh "[global]" "movable = 1G" "[p]" "type = pin" "nodes = 0" \
	"size = 64M" "chunk = 16M" "iterations = 3" "reuse = no")
run "$fresh" -o "$TMP/fresh" || { cat "$TMP/out"; fail "run failed"; }
grep -q 'ZONE_MOVABLE 1 GiB' "$TMP/out" || skip "could not get 1 GiB of ZONE_MOVABLE: $(grep ZONE_MOVABLE "$TMP/out")"
s="$TMP/fresh/summary.json"
[ "$(json .pin.failures "$s")" -eq 0 ] || fail "pins failed: $(json .pin.failures_by_errno "$s")"
migrated=$(json '.vmstat_delta.pgmigrate_success // 0' "$s")
pages=$((3 * 64 * 1024 * 1024 / 4096))
[ "$migrated" -ge "$pages" ] || fail "pgmigrate_success +$migrated, want >= $pages"
before=$(json .movable_pages_before "$s")
[ "$before" -gt 0 ] || fail "no pinned page was in ZONE_MOVABLE before its pin"
[ "$migrated" -ge "$before" ] || fail "pgmigrate_success +$migrated < $before pages that were in ZONE_MOVABLE"
pass "reuse = no: $before of $pages pages were in ZONE_MOVABLE before the pins; pgmigrate_success +$migrated"
[ "$(json .pinnable_checked "$s")" = true ] || fail "pinned pages were not checked"
[ "$(json .unpinnable_pages "$s")" -eq 0 ] || fail "$(json .unpinnable_pages "$s") pinned pages in ZONE_MOVABLE"
[ "$(json '.nodes."0".placement.min' "$s")" = 1 ] || fail "pages not all on node 0"
pass "no pinned page left in ZONE_MOVABLE; all pages on node 0"

again=$(scenario again "[global]" "movable = 1G" "[p]" "type = pin" "nodes = 0" \
	"size = 64M" "chunk = 16M" "iterations = 3" "reuse = yes")
run "$again" -o "$TMP/again" || { cat "$TMP/out"; fail "run failed"; }
reused=$(json '.vmstat_delta.pgmigrate_success // 0' "$TMP/again/summary.json")
[ "$reused" -lt "$migrated" ] || fail "reuse = yes migrated $reused pages, reuse = no $migrated"
# Later iterations pin memory already moved out: the first chunk pins are slowest.
pass "reuse = yes: pgmigrate_success +$reused (< $migrated)"
