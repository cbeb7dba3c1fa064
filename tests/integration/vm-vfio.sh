#!/bin/sh
# The vfio backend, in guests that have a device for it: pinbench vm gives
# a scenario with backend = vfio a q35 machine with an emulated Intel IOMMU
# and QEMU's edu device, which the guest binds to vfio-pci.
# VFIO_IOMMU_MAP_DMA pins (migrating out of the movable zone), is timed and
# unmapped; a device that does not exist, one not bound to vfio-pci and a
# malformed address each end the run with one clear line; and the first
# seed fails VFIO's own pins on the reverted 6.1 kernel and not on the
# stock one: a VM that would not start.
. "$SRCDIR/tests/integration/lib.sh"
need_kernel_builds
seed_lru_kernels

vm() { # output directory, then pinbench vm arguments; sets rc
	out=$1
	shift
	pb vm --mem 2G --movablecore 1G --timeout 5m "$@" -o "$out"
}

job() { # extra pin-job lines: a scenario mapping 64 MiB in 16 MiB chunks
	scenario "vfio$#" "[global]" "movable = 512M" "thp = never" "[guest]" "type = pin" "backend = vfio" \
		"memory = anon" "nodes = all" "size = 64M" "chunk = 16M" "iterations = 3" "$@"
}

vm "$TMP/map" -k "$stock" "$(job)"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "vfio map: exit $rc"; }
[ "$(json .config.vfio "$TMP/map/vm.json")" = true ] || fail "vm.json: the guest had no vfio device"
grep -q -- '-device intel-iommu' "$TMP/map/vm.json" || fail "QEMU had no intel-iommu"
s="$TMP/map/$rs/boot-1/summary.json"
[ "$(json .pin.ops "$s")" -eq 12 ] && [ "$(json .pin.failures "$s")" -eq 0 ] || fail "pins: $(json .pin "$s")"
[ "$(json .unpin.ops "$s")" -eq 12 ] && [ "$(json .unpin.failures "$s")" -eq 0 ] || fail "unmaps: $(json .unpin "$s")"
[ "$(json .pin.latency_ns.p50 "$s" | cut -d. -f1)" -gt 0 ] || fail "no map time"
[ "$(json '.vmstat_delta.pgmigrate_success // 0' "$s")" -ge 49152 ] || fail "the maps migrated $(json .vmstat_delta "$s")"
[ "$(json .unpinnable_pages "$s")" -eq 0 ] || fail "mapped pages left in the movable zone"
[ "$(json .trace.longterm_pin.calls "$s")" -gt 12 ] || fail "type1 pins in batches: $(json .trace.longterm_pin "$s")"
pass "vfio: 12 maps of 16 MiB, median $(json .pin.latency_ns.p50 "$s" | cut -d. -f1) ns, 12 unmaps, $(json .vmstat_delta.pgmigrate_success "$s") pages migrated in $(json .trace.longterm_pin.calls "$s") type1 pin batches"

bad_device() { # device, expected message
	vm "$TMP/bad" -k "$stock" "$(job "device = $1")"
	[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "device $1: exit $rc, expected 1"; }
	n=$(grep -c "backend vfio cannot run here" "$TMP/out")
	[ "$n" -eq 1 ] && grep -q "$2" "$TMP/out" || { cat "$TMP/out"; fail "device $1: no line saying '$2'"; }
	rm -rf "$TMP/bad"
	pass "device = $1: $2"
}
bad_device 0000:00:1f.7 "no PCI device 0000:00:1f.7"
bad_device 0000:00:00.0 "0000:00:00.0 is bound to no driver, not to vfio-pci"
bad_device 00:03.0 "is not a PCI address DOMAIN:BUS:DEV.FN"

vfio_seed=$(scenario seed-vfio)
sed 's/^backend = io_uring$/backend = vfio/' "$SRCDIR/bench/scenarios/seed-lru-batch.ini" >"$vfio_seed"
vm "$TMP/seed" -k "$stock" -k "$reverted" "$vfio_seed"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "seed through vfio: exit $rc"; }
s="$TMP/seed/$rs/boot-1/summary.json"
r="$TMP/seed/$rr/boot-1/summary.json"
[ "$(json .pin.failures "$s")" -eq 0 ] || fail "the stock kernel failed $(json .pin.failures "$s") maps"
f=$(json .pin.failures "$r")
[ "$f" -gt 0 ] && [ "$(json '.pin.failures_by_errno.ENOMEM' "$r")" -eq "$f" ] || fail "reverted: $(json .pin "$r")"
[ "$(json .pin.failures_migration "$r")" -eq "$f" ] || fail "reverted: failures not traced to migration"
[ "$(json '.candidates[0].metrics[] | select(.metric == "failure_rate") | .verdict' "$TMP/seed/compare.json")" = regressed ] ||
	fail "compare does not call the failure rate regressed"
pass "first seed through VFIO_IOMMU_MAP_DMA: $rs 0 of $(json .pin.ops "$s") maps failed, $rr $f of $(json .pin.ops "$r") (ENOMEM, pgmigrate_fail +$(json .vmstat_delta.pgmigrate_fail "$r"))"
