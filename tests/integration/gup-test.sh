#!/bin/sh
# backend = gup_test, the kernel's own benchmark (CONFIG_GUP_TEST's
# PIN_LONGTERM_BENCHMARK):
# - on this host, when its kernel lacks gup_test, `pinbench env show` says
#   why and a scenario that uses it is refused (exit 3) with one line
#   naming what is missing, leaving no run directory;
# - in a guest of the cached stock 6.1 build (TCG, 1 GiB, movablecore),
#   16 MiB of fresh anonymous memory in 4 MiB chunks, twice, through a
#   whole chunk per pin_user_pages call and then (sequential = yes) 512
#   pages per call: every pin came back, timed by the kernel (whole
#   microseconds, above 0), every page of the movable zone migrated
#   (pgmigrate_success, the longterm_pin tracepoint), none left there,
#   and the guest's kernel log came back without a "NOT pinnable but
#   pinned" warning. Exits 77 when no such kernel is built.
. "$SRCDIR/tests/integration/lib.sh"
need_root "gup_test is root's; guests"

scn=$(scenario host "[global]" "thp = never" "[g]" "type = pin" "backend = gup_test" "memory = anon" \
	"nodes = 0" "size = 16M" "chunk = 4M")
line=$("$PINBENCH" 9>&- env show | grep "^backend gup_test" || true)
[ -n "$line" ] || fail "pinbench env show has no gup_test line"
if echo "$line" | grep -Eq "^backend gup_test +available"; then
	pass "this host's kernel has gup_test ($line): its refusal cannot be seen here"
else
	pb_merged run -q "$scn" -o "$TMP/host"
	[ "$rc" -eq 3 ] || { cat "$TMP/out"; fail "gup_test on a host without it: exit $rc, expected 3"; }
	[ "$(grep -c "\[g\] backend gup_test cannot run here: .*\(CONFIG_GUP_TEST\|CONFIG_DEBUG_FS\|debugfs\)" "$TMP/out")" -eq 1 ] ||
		{ cat "$TMP/out"; fail "gup_test on a host without it: no one line naming what is missing"; }
	[ ! -e "$TMP/host" ] || fail "a refused run left a run directory"
	pass "host $(uname -r): $(grep -o 'backend gup_test cannot run here.*' "$TMP/out"), exit 3"
fi

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
kernel=$("$PINBENCH" 9>&- kernel list 2>/dev/null | awk '$1 ~ /^6\.1\.[0-9]+-pb-stock$/ { print $NF; exit }')
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no stock 6.1 kernel built (pinbench kernel build)"
release=${kernel##*/vmlinuz-}
grep -qx "CONFIG_GUP_TEST=y" "$(dirname "$kernel")/config-$release" ||
	skip "$release was built without CONFIG_GUP_TEST (an older fragment): rebuild it"

scn=$(scenario guest "[global]" "thp = never" "sequential = yes" \
	"[whole]" "type = pin" "backend = gup_test" "memory = anon" "size = 16M" "chunk = 4M" "iterations = 2" \
	"[batched]" "type = pin" "backend = gup_test" "nr_pages_per_call = 512" "memory = anon" "size = 16M" \
	"chunk = 4M" "iterations = 2")
pb vm --mem 1G --movablecore 512M --timeout 3m -k "$kernel" "$scn" -o "$TMP/vm"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "gup_test on $release: exit $rc"; }
d=$TMP/vm/$release/boot-1
s=$d/summary.json
[ "$(json .pin.ops "$s")" -eq 16 ] && [ "$(json .pin.failures "$s")" -eq 0 ] || fail "pins: $(json .pin "$s")"
[ "$(json .unpin.ops "$s")" -eq 16 ] && [ "$(json .unpin.failures "$s")" -eq 0 ] || fail "unpins: $(json .unpin "$s")"
[ "$(json .pin.latency_ns.min "$s" | cut -d. -f1)" -gt 0 ] || fail "a pin took no time: $(json .pin.latency_ns "$s")"
[ "$(json .unpin.latency_ns.min "$s" | cut -d. -f1)" -gt 0 ] || fail "an unpin took no time: $(json .unpin.latency_ns "$s")"
# The kernel's times are whole microseconds; wall times around the ioctl
# would not be.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["pin_ns"] % 1000 || $c["unpin_ns"] % 1000 { bad++ } END { exit bad > 0 }' "$d/samples.csv" ||
	fail "pin or unpin times are not the kernel's (whole microseconds): $(head -n 3 "$d/samples.csv")"
# sequential: every pin of [whole] before the first of [batched]
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["job"] == "whole" && $c["start_ns"] + $c["pin_ns"] > w { w = $c["start_ns"] + $c["pin_ns"] }
	$c["job"] == "batched" && (!b || $c["start_ns"] < b) { b = $c["start_ns"] }
	END { exit !(w && b && w < b) }' "$d/samples.csv" || fail "the jobs did not take turns"
movable=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { n += $c["movable_pages_before"] } END { print n + 0 }' \
	"$d/samples.csv")
migrated=$(json '.vmstat_delta.pgmigrate_success // 0' "$s")
[ "$movable" -gt 0 ] || fail "no page of the pinned memory was in ZONE_MOVABLE: nothing had to migrate"
[ "$migrated" -ge "$movable" ] || fail "$movable pages in ZONE_MOVABLE before the pins, $migrated migrated"
[ "$(json '.trace.longterm_pin.succeeded // 0' "$s")" -ge "$movable" ] ||
	fail "the longterm_pin tracepoint saw $(json .trace "$s")"
[ "$(json .unpinnable_pages "$s")" -eq 0 ] || fail "pins left $(json .unpinnable_pages "$s") pages in ZONE_MOVABLE"
[ -s "$d/dmesg.log" ] && grep -q "Linux version" "$d/dmesg.log" || fail "no whole kernel log (dmesg.log) came back"
! grep -q "NOT pinnable but pinned\|NOT dma-pinned" "$d/dmesg.log" ||
	fail "the kernel warned: $(grep -m1 "NOT pinnable but pinned\|NOT dma-pinned" "$d/dmesg.log")"
pass "gup_test on $release: 16 pins of 4 MiB (whole chunk, then 512 pages a call), median" \
	"$(json .pin.latency_ns.p50 "$s" | cut -d. -f1) ns pin and $(json .unpin.latency_ns.p50 "$s" | cut -d. -f1) ns" \
	"unpin by the kernel's clock, $migrated pages migrated of $movable in ZONE_MOVABLE, no kernel warning"
