#!/bin/sh
# The iommufd backend against VFIO type1, in guests that have a device for
# both: the 6.12 kernel of `pinbench kernel build --source 6.12` (with
# CONFIG_IOMMUFD and CONFIG_VFIO_DEVICE_CDEV from kernel/pinbench-6.12.config)
# boots twice with the same layout (q35, emulated Intel IOMMU, QEMU's edu
# device bound to vfio-pci) and maps the same 64 MiB in 16 MiB chunks once
# through VFIO_IOMMU_MAP_DMA and once through IOMMU_IOAS_MAP: both pin
# (migrating out of the movable zone), are timed and unmapped, and compare
# takes the two runs with --force, having refused them without it (the
# scenarios differ in their backend). A device that does not exist is one
# clear line; on the stock 6.1 build, which has no iommufd, the backend
# says why it cannot run.
. "$SRCDIR/tests/integration/lib.sh"
need_kernel_builds
need_kernel_source 6.12
k612=$(kernel_build --source 6.12)
release=${k612##*/vmlinuz-}

vm() { # output directory, then pinbench vm arguments; sets rc
	out=$1
	shift
	pb vm --mem 2G --movablecore 1G --timeout 5m "$@" -o "$out"
}

job() { # backend, then extra pin-job lines: 64 MiB mapped in 16 MiB chunks
	b=$1
	shift
	scenario "$b$#" "[global]" "movable = 512M" "thp = never" "[guest]" "type = pin" "backend = $b" \
		"memory = anon" "nodes = all" "size = 64M" "chunk = 16M" "iterations = 3" "$@"
}

for b in vfio iommufd; do
	vm "$TMP/$b" -k "$k612" "$(job $b)"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "$b on $release: exit $rc"; }
	[ "$(json .config.vfio "$TMP/$b/vm.json")" = true ] || fail "$b: the guest had no vfio device"
	s="$TMP/$b/$release/boot-1/summary.json"
	[ "$(json .pin.ops "$s")" -eq 12 ] && [ "$(json .pin.failures "$s")" -eq 0 ] || fail "$b maps: $(json .pin "$s")"
	[ "$(json .unpin.ops "$s")" -eq 12 ] && [ "$(json .unpin.failures "$s")" -eq 0 ] ||
		fail "$b unmaps: $(json .unpin "$s")"
	[ "$(json .pin.latency_ns.p50 "$s" | cut -d. -f1)" -gt 0 ] || fail "$b: no map time"
	[ "$(json '.vmstat_delta.pgmigrate_success // 0' "$s")" -ge 49152 ] ||
		fail "$b: the maps migrated $(json .vmstat_delta "$s")"
	[ "$(json .unpinnable_pages "$s")" -eq 0 ] || fail "$b: mapped pages left in the movable zone"
	[ "$(json .trace.longterm_pin.calls "$s")" -gt 0 ] || fail "$b: no longterm_pin migration traced"
	grep -q "backend = $b" "$TMP/$b/$release/boot-1/run.json" || grep -q "\"backend\": \"$b\"" "$TMP/$b/$release/boot-1/run.json" ||
		fail "$b: run.json does not name the backend"
	pass "$b on $release: 12 maps of 16 MiB, median $(json .pin.latency_ns.p50 "$s" | cut -d. -f1) ns, 12 unmaps (median $(json .unpin.latency_ns.p50 "$s" | cut -d. -f1) ns), $(json .vmstat_delta.pgmigrate_success "$s") pages migrated"
done

# The two runs differ in their scenario's backend: compare refuses them by
# name, and compares them with --force.
base=$TMP/vfio/$release/boot-1
cand=$TMP/iommufd/$release/boot-1
analysis_refuses "$base" "$cand" "did not run the same test"
grep -q backend "$TMP/refused.out" || { cat "$TMP/refused.out"; fail "the refusal does not name the backend"; }
"$PINBENCH" 9>&- compare --force --format json "$base" "$cand" >"$TMP/cmp.json" 2>"$TMP/cmp.err" ||
	{ cat "$TMP/cmp.err"; fail "compare --force of vfio and iommufd"; }
v=$(jq -r '.candidates[0].metrics[] | select(.metric == "pin_latency") | .verdict' "$TMP/cmp.json")
[ -n "$v" ] || fail "compare --force has no pin_latency verdict"
pass "compare refuses vfio against iommufd without --force; with it, pin latency: $v"

vm "$TMP/bad" -k "$k612" "$(job iommufd "device = 0000:00:1f.7")"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "iommufd with a bad device: exit $rc, expected 1"; }
n=$(grep -c "backend iommufd cannot run here" "$TMP/out")
[ "$n" -eq 1 ] && grep -q "no PCI device 0000:00:1f.7" "$TMP/out" ||
	{ cat "$TMP/out"; fail "iommufd with a bad device: no one line naming it"; }
pass "iommufd, device = 0000:00:1f.7: one line, no PCI device"

stock61=$(kernel_build)
vm "$TMP/61" -k "$stock61" "$(job iommufd)"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "iommufd on 6.1: exit $rc, expected 1"; }
grep "backend iommufd cannot run here" "$TMP/out" | grep -q "CONFIG_IOMMUFD" ||
	{ cat "$TMP/out"; fail "iommufd on 6.1: no line saying the kernel lacks CONFIG_IOMMUFD"; }
pass "iommufd on ${stock61##*/vmlinuz-}: $(grep -o 'backend iommufd cannot run here.*' "$TMP/out" | head -n 1)"
