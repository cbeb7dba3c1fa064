#!/bin/sh
# [global] profile_functions, the kernel's function profiler:
# - a name that cannot be a kernel function is refused as bad input (exit
#   2) naming file, line and key, on any machine;
# - on this host, when its kernel has no function profiler, a scenario
#   that asks for one is refused (exit 3) with one line naming
#   CONFIG_FUNCTION_PROFILER and the fragment that adds it, leaving no
#   run directory;
# - in guests of 6.1.192 built with kernel/tracing.config (TCG, 1 GiB,
#   movablecore): 2 runs of 16 MiB of fresh anonymous memory pinned in
#   4 MiB io_uring chunks out of the movable zone. 6.1.192 drains the LRU
#   caches on every pin call that has pages to migrate (its reference
#   count test is always true for a FOLL_PIN), so lru_add_drain_all()
#   counts at least one call per such pin; each run's counts add up to
#   the totals, per_pin_call is the total over the pins, the time is
#   above 0, and compare gets function.lru_add_drain_all.hits. A second
#   scenario naming a function that kernel's ftrace does not list is
#   refused in its guest by name before any pin.
#   Builds the kernel when missing (about 4 minutes, cached after).
. "$SRCDIR/tests/integration/lib.sh"

scn=$(scenario bad "[global]" "profile_functions = lru_add_drain_all, 9abc" "[p]" "type = pin" "size = 4M")
pb_merged run --dry-run "$scn"
[ "$rc" -eq 2 ] || { cat "$TMP/out"; fail "a bad function name: exit $rc, expected 2"; }
grep -q "bad.ini:2: \[global\] key 'profile_functions': '9abc' is not a kernel function name" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a bad function name: the error does not name file, line and key"; }
pass "a bad name: $(head -n 1 "$TMP/out"), exit 2"

need_root "the function profiler is root's; guests"
scn=$(scenario host "[global]" "profile_functions = lru_add_drain_all" "thp = never" "[p]" "type = pin" \
	"memory = anon" "size = 4M")
if [ -e /sys/kernel/tracing/function_profile_enabled ] || [ -e /sys/kernel/debug/tracing/function_profile_enabled ]; then
	pass "this host's kernel has the function profiler: its refusal cannot be seen here"
else
	pb_merged run -q "$scn" -o "$TMP/host"
	[ "$rc" -eq 3 ] || { cat "$TMP/out"; fail "profile_functions on a host without the profiler: exit $rc, expected 3"; }
	[ "$(grep -c "profile_functions cannot run here: .*CONFIG_FUNCTION_PROFILER.*kernel/tracing.config" "$TMP/out")" -eq 1 ] ||
		{ cat "$TMP/out"; fail "no one line naming CONFIG_FUNCTION_PROFILER and kernel/tracing.config"; }
	[ ! -e "$TMP/host" ] || fail "a refused run left a run directory"
	pass "host $(uname -r): $(grep -o 'profile_functions cannot run here.*' "$TMP/out" | cut -c1-90)..., exit 3"
fi

need_kernel_builds
kernel=$(kernel_build --config "$SRCDIR/kernel/tracing.config" -N trace-stock)
release=${kernel##*/vmlinuz-}
grep -qx "CONFIG_FUNCTION_PROFILER=y" "$(dirname "$kernel")/config-$release" ||
	fail "$release was built with kernel/tracing.config but has no CONFIG_FUNCTION_PROFILER"

good=$(scenario drains "[global]" "runs = 2" "thp = never" "profile_functions = lru_add_drain_all" \
	"[p]" "type = pin" "memory = anon" "size = 16M" "chunk = 4M" "iterations = 2")
unlisted=$(scenario unlisted "[global]" "thp = never" "profile_functions = lru_add_drain_all_of_them" \
	"[p]" "type = pin" "memory = anon" "size = 4M")
pb vm --mem 1G --movablecore 512M --timeout 3m -k "$kernel" "$good" "$unlisted" -o "$TMP/vm"
[ "$rc" -ne 0 ] || fail "a guest ran a scenario whose function its kernel does not list"

s=$TMP/vm/drains/$release/boot-1/summary.json
[ -r "$s" ] || { cat "$TMP/out" "$TMP/err"; fail "the profiled scenario did not run: exit $rc"; }
[ "$(json .pin.failures "$s")" -eq 0 ] || fail "pins failed: $(json .pin "$s")"
pins=$(json .pin.ops "$s")
migrating=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["movable_pages_before"] > 0 { n++ }
	END { print n + 0 }' "$(dirname "$s")/samples.csv")
hits=$(json .functions.lru_add_drain_all.hits "$s")
[ "$migrating" -gt 0 ] || fail "no pin had pages in ZONE_MOVABLE: nothing made 6.1.192 drain"
[ "$hits" -ge "$migrating" ] ||
	fail "lru_add_drain_all counted $hits calls for $migrating pins that migrated (6.1.192 drains on each)"
[ "$(json '[.runs[].functions.lru_add_drain_all.hits] | add' "$s")" -eq "$hits" ] ||
	fail "the runs' counts do not add up to the total: $(json '[.runs[].functions]' "$s") against $hits"
[ "$(json '.runs | length' "$s")" -eq 2 ] || fail "2 runs asked, $(json '.runs | length' "$s") in summary.json"
json ".functions.lru_add_drain_all.per_pin_call == $hits / $pins" "$s" | grep -qx true ||
	fail "per_pin_call $(json .functions.lru_add_drain_all.per_pin_call "$s") is not $hits / $pins"
json '.functions.lru_add_drain_all.time_us > 0' "$s" | grep -qx true ||
	fail "lru_add_drain_all took no time: $(json .functions "$s")"
pb compare "$TMP/vm/drains/$release" "$TMP/vm/drains/$release" --format json -o "$TMP/cmp.json"
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "compare of the profiled runs: exit $rc"; }
[ "$(json '[.candidates[0].metrics[] | select(.metric == "function.lru_add_drain_all.hits")] | length' \
	"$TMP/cmp.json")" -eq 1 ] || fail "compare has no function.lru_add_drain_all.hits"
pass "$release: $hits lru_add_drain_all calls over $pins pins ($migrating migrated), $(json \
	.functions.lru_add_drain_all.time_us "$s" | cut -d. -f1) us in them, runs summed to the total"

log=$(ls "$TMP"/vm/unlisted/failed/*/guest.log "$TMP"/vm/unlisted/failed/*/console.log 2>/dev/null | head -n 1)
[ -n "$log" ] || { cat "$TMP/out" "$TMP/err"; fail "the unlisted function's boot left no log"; }
grep -q "profile_functions: 'lru_add_drain_all_of_them' is not a function this kernel can trace" \
	"$TMP"/vm/unlisted/failed/*/*.log ||
	{ cat "$log"; fail "the unlisted function was not refused by name"; }
[ ! -e "$TMP/vm/unlisted/$release/boot-1/summary.json" ] || fail "the refused scenario has results"
pass "$release: $(grep -ho "'lru_add_drain_all_of_them' is not.*" "$TMP"/vm/unlisted/failed/*/*.log | head -n 1 |
	cut -c1-100)..."
