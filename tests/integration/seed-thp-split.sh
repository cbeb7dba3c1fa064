#!/bin/sh
# A short version of the THP-split seed: memfd THP guest memory in the
# movable zone, fragmentation, page-cache churn and a drop_caches loop.
# The THP migration path is exercised and every knob is restored.
. "$SRCDIR/tests/integration/lib.sh"
need_root "creates ZONE_MOVABLE, sets shmem THP, drops caches"
need_movable
need_backend io_uring

before=$(system_state)
f=$(scenario thp "[global]" "movable = 1G" "shmem_thp = advise" \
	"[guest]" "type = pin" "memory = memfd-thp" "nodes = 0" "size = 128M" "chunk = 64M" "iterations = 2" \
	"[fragment]" "type = fragment" "size = 1G" \
	"[churn]" "type = pagecache" "size = 32M" \
	"[drop]" "type = drop-caches" "interval = 100ms")
run "$f" -o "$TMP/t" || { cat "$TMP/out"; fail "run failed"; }
s="$TMP/t/summary.json"
[ "$(json .pin.ops "$s")" -eq 4 ] || fail "pins"
thp=$(json '[.vmstat_delta.thp_migration_success, .vmstat_delta.thp_migration_split, .vmstat_delta.thp_migration_fail] | map(. // 0) | add' "$s")
[ "$thp" -gt 0 ] || fail "no THP was migrated, split or failed: $(json .vmstat_delta "$s")"
pass "THP migration path: thp_migration_success $(json '.vmstat_delta.thp_migration_success // 0' "$s"), split $(json '.vmstat_delta.thp_migration_split // 0' "$s"), fail $(json '.vmstat_delta.thp_migration_fail // 0' "$s")"
[ "$(json .trace.longterm_pin.thp_succeeded "$s")" -gt 0 ] || [ "$(json .trace.longterm_pin.thp_split "$s")" -gt 0 ] ||
	fail "trace has no THP migration"
[ "$(json .stressors.drop.writes "$s")" -ge 1 ] || fail "no drop_caches write"
[ "$(json '.stressors.drop.start_ns | length' "$s")" = "$(json .stressors.drop.writes "$s")" ] || fail "drop_caches writes not timestamped"
[ "$(json '.stressors.fragment.held_bytes' "$s")" -eq $((512 << 20)) ] || fail "fragment holds $(json .stressors.fragment.held_bytes "$s") bytes, want 512 MiB"
[ "$(json '.stressors.fragment.freed_bytes' "$s")" -eq $((512 << 20)) ] || fail "fragment freed"
# The fractions are reported; whether 1 GiB lowers them depends on the
# machine (a VM that initialises memory lazily gains fresh order-10 blocks
# as it allocates), so only their range is checked here.
[ "$(json '[.stressors.fragment.order9_free_fraction_before, .stressors.fragment.order9_free_fraction_after] | all(. >= 0 and . <= 1)' "$s")" = true ] ||
	fail "order-9 fractions out of range: $(json .stressors.fragment "$s")"
[ "$(json '.stressors.fragment.order9_left | map(.bytes > 0 and (.zone | length) > 0) | all' "$s")" = true ] ||
	fail "order9_left is not a list of zones, types and sizes: $(json .stressors.fragment.order9_left "$s")"
[ "$(json '.stressors.churn.ops.write' "$s")" -gt 0 ] || fail "no page-cache churn"
pass "stressors: $(json .stressors.drop.writes "$s") drop_caches writes, order-9 fraction $(json .stressors.fragment.order9_free_fraction_before "$s") -> $(json .stressors.fragment.order9_free_fraction_after "$s")"
ls "$TMP/t" | grep -q pagecache && fail "page-cache files left in the run directory"
[ "$(system_state)" = "$before" ] || fail "system state differs after the run"
pass "shmem_enabled, memory blocks restored; files removed"
