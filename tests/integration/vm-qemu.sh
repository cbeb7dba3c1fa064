#!/bin/sh
# The real client: with backend = qemu a pin is a QEMU start in the guest
# (pinbench vm puts QEMU, its libraries, its accelerator module and its
# firmware in the initramfs), its guest RAM the job's own memfd and the
# guest's edu device assigned through vfio-pci, and an unpin its quit. One
# start succeeds (its DMA map migrates the memfd out of ZONE_MOVABLE); one
# fails because QEMU cannot create a second device, and the samples keep
# QEMU's own message beside the errno. Then the first seed through QEMU
# (bench/scenarios/seed-lru-batch-qemu.ini): on the reverted 6.1 build
# QEMU fails to start with ENOMEM, QEMU's own vfio_dma_map message kept
# and the failed migration traced to QEMU's thread; on the stock build
# every start succeeds; the gate exits 1.
. "$SRCDIR/tests/integration/lib.sh"
need_kernel_builds
seed_lru_kernels

job() { # name, iterations, extra pin-job lines
	name=$1 iterations=$2
	shift 2
	scenario "$name" "[global]" "movable = 512M" "[vm]" "type = pin" "backend = qemu" "memory = memfd" \
		"nodes = all" "size = 256M" "chunk = 256M" "iterations = $iterations" "$@"
}
good=$(job qemu-start 2)
bad=$(job qemu-bad-device 1 "args = -device vfio-pci,host=0000:00:1f.7")
pb vm --mem 2G --movablecore 1G --timeout 5m -k "$stock" "$good" "$bad" -o "$TMP/vm"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; failed_consoles "$TMP/vm"; fail "pinbench vm: exit $rc"; }

s="$TMP/vm/qemu-start/$rs/boot-1/summary.json"
[ "$(json .pin.ops "$s")" -eq 2 ] && [ "$(json .pin.failures "$s")" -eq 0 ] || fail "starts: $(json .pin "$s")"
[ "$(json .unpin.failures "$s")" -eq 0 ] || fail "quits: $(json .unpin "$s")"
ms=$(($(json .pin.latency_ns.p50 "$s" | cut -d. -f1) / 1000000))
[ "$ms" -gt 0 ] || fail "no start time"
moved=$(json '.vmstat_delta.pgmigrate_success // 0' "$s")
# 256 MiB in ZONE_MOVABLE is 65536 pages; the first start moves what the
# memfd had there, the second finds it moved
[ "$moved" -ge 16384 ] || fail "the starts migrated $moved pages: $(json .vmstat_delta "$s")"
[ "$(json .unpinnable_pages "$s")" -eq 0 ] || fail "pages QEMU mapped left in ZONE_MOVABLE"
pass "qemu: 2 VM starts of 256 MiB, median $ms ms exec to QMP, $moved pages migrated out of ZONE_MOVABLE"

b="$TMP/vm/qemu-bad-device/$rs/boot-1"
[ "$(json .pin.failures "$b/summary.json")" -eq 1 ] || fail "bad device: $(json .pin "$b/summary.json")"
[ "$(json '.pin.failures_by_errno.ENOENT' "$b/summary.json")" = 1 ] || fail "bad device: $(json .pin.failures_by_errno "$b/summary.json")"
msg=$(json '.pin.failure_messages | keys[0]' "$b/summary.json")
case $msg in *"0000:00:1f.7"*) ;; *) fail "bad device: QEMU's message is not kept: '$msg'" ;; esac
grep -q "0000:00:1f.7" "$b/samples.csv" || fail "samples.csv does not keep QEMU's message"
pb report "$b"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "report of the failed start: exit $rc"; }
pass "a start that fails: ENOENT, '$msg'"

pb vm --mem 2G --movablecore 1G --timeout 5m -k "$stock" -k "$reverted" \
	"$SRCDIR/bench/scenarios/seed-lru-batch-qemu.ini" -o "$TMP/seed"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; failed_consoles "$TMP/seed"; fail "seed through QEMU: exit $rc"; }
s="$TMP/seed/$rs/boot-1/summary.json"
r="$TMP/seed/$rr/boot-1/summary.json"
[ "$(json .pin.failures "$s")" -eq 0 ] || fail "the stock kernel failed $(json .pin.failures "$s") of $(json .pin.ops "$s") starts"
f=$(json .pin.failures "$r")
[ "$f" -gt 0 ] && [ "$(json '.pin.failures_by_errno.ENOMEM' "$r")" -eq "$f" ] || fail "reverted: $(json .pin "$r")"
[ "$(json .pin.failures_migration "$r")" -eq "$f" ] || fail "reverted: the failures are not traced to QEMU's migration"
json '.pin.failure_messages | keys[]' "$r" | grep -q 'vfio_dma_map(.*) = -12 (Cannot allocate memory)' ||
	fail "reverted: QEMU's message is not kept: $(json .pin.failure_messages "$r")"
gate_expect 1 "$TMP/seed/$rs" "$TMP/seed/$rr"
pass "first seed through QEMU: $rs started $(json .pin.ops "$s") of $(json .pin.ops "$s") times, $rr failed $f of $(json .pin.ops "$r") (ENOMEM from vfio_dma_map, pgmigrate_fail +$(json .vmstat_delta.pgmigrate_fail "$r")); the gate exits 1"
