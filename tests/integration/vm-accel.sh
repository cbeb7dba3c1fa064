#!/bin/sh
# --accel auto trusts KVM only once a probe boot has seen it run a guest.
# A QEMU wrapper first in PATH stands for a KVM that boots every guest into
# a panic (the failure seen under nested virtualisation): asked for KVM, it
# runs TCG with a kernel command line that panics. auto must then finish
# every boot under TCG, keep that verdict (shown by pinbench env) and not
# probe again; --accel kvm must fail the boot with the panic's console
# lines in vm.json; --retry-on-tcg must boot it again under TCG.
. "$SRCDIR/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v busybox >/dev/null || skip "busybox is not installed"
# pinbench asks QEMU for KVM only where /dev/kvm answers
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "no usable /dev/kvm here: pinbench never asks QEMU for KVM"

"$SRCDIR/scripts/fetch-kernels" >"$TMP/kernels" 2>"$TMP/fetch.err" ||
	{ cat "$TMP/fetch.err"; skip "Debian's kernels could not be fetched with apt-get download"; }
kernel=$(sed -n 1p "$TMP/kernels")

real=$(command -v qemu-system-x86_64)
mkdir "$TMP/bin"
cat >"$TMP/bin/qemu-system-x86_64" <<WRAPPER
#!/bin/bash
# KVM that panics every guest: -accel kvm becomes TCG, and the kernel
# command line gets rdinit=/nonexistent (no init, so the kernel panics).
args=()
kvm=no
for a in "\$@"; do [ "\$a" = kvm ] && kvm=yes; done
[ \$kvm = yes ] || exec "$real" "\$@"
prev=
for a in "\$@"; do
	case \$prev in
	-accel) a=tcg ;;
	-cpu) a=qemu64 ;;
	-append) a="\$a rdinit=/nonexistent" ;;
	esac
	args+=("\$a")
	prev=\$a
done
exec "$real" "\${args[@]}"
WRAPPER
chmod +x "$TMP/bin/qemu-system-x86_64"
PATH="$TMP/bin:$PATH"
PINBENCH_CACHE_DIR="$TMP/cache"
export PATH PINBENCH_CACHE_DIR
VM_ACCEL="" # this test says which accelerator itself

sc=$(scenario guest "[global]" "runs = 1" "movable = 128M" "[pin]" "type = pin" "memory = anon" \
	"size = 64M" "chunk = 32M" "iterations = 2" "reuse = no")
layout="--mem 1G --movablecore 256M --timeout 3m"

# shellcheck disable=SC2086 # $layout is several options
pb_merged vm --accel auto -k "$kernel" --boots 2 $layout "$sc" -o "$TMP/auto"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; failed_consoles "$TMP/auto"; fail "auto with a panicking KVM: exit $rc, expected every boot to finish"; }
grep -q "accelerator TCG (KVM untrusted: the probe guest panicked" "$TMP/out" ||
	{ cat "$TMP/out"; fail "auto: the probe's panic is not the reason given"; }
[ "$(grep -c ': ok in' "$TMP/out")" -eq 2 ] || { cat "$TMP/out"; fail "auto: not 2 boots ok"; }
[ "$(json '[.kernels[0].boots[].accelerator] | unique | join(",")' "$TMP/auto/vm.json")" = tcg ] ||
	fail "auto: vm.json says the boots ran under $(json '.kernels[0].boots[].accelerator' "$TMP/auto/vm.json")"
[ "$(json .use "$TMP/cache/accel.json")" = tcg ] || fail "auto: the verdict was not kept"
[ "$(json .qemu "$TMP/cache/accel.json")" = "$("$real" --version | head -n 1)" ] ||
	fail "auto: the verdict is not keyed by QEMU's version"
[ "$(json .host_release "$TMP/cache/accel.json")" = "$(uname -r)" ] ||
	fail "auto: the verdict is not keyed by the host's release"
pass "auto: the probe saw KVM panic the guest; both boots ran under TCG; $(json .reason "$TMP/cache/accel.json")"

# shellcheck disable=SC2086
pb_merged vm --accel auto -k "$kernel" $layout "$sc" -o "$TMP/again"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "auto, second time: exit $rc"; }
grep -q "probe boot" "$TMP/out" && { cat "$TMP/out"; fail "auto probed again despite a kept verdict"; }
grep -q "accelerator TCG (KVM untrusted since " "$TMP/out" || { cat "$TMP/out"; fail "auto: kept verdict not said"; }
pb env show
grep -q "^accelerator: *TCG for .*the probe guest panicked" "$TMP/out" ||
	{ cat "$TMP/out"; fail "pinbench env does not show the verdict"; }
pass "the verdict is kept: no second probe, and pinbench env shows it"

# --accel kvm: the panic is a failed boot, with its evidence.
# shellcheck disable=SC2086
pb_merged vm --accel kvm -k "$kernel" $layout "$sc" -o "$TMP/kvm"
[ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "--accel kvm with a panicking KVM: exit $rc, expected 1"; }
grep -q "boot 1: panic after .* under KVM: .*Kernel panic" "$TMP/out" || { cat "$TMP/out"; fail "kvm: no panic line"; }
grep -q "^    .*Call Trace" "$TMP/out" || { cat "$TMP/out"; fail "kvm: the call trace is not shown"; }
b='.kernels[0].boots[0]'
[ "$(json "$b.accelerator" "$TMP/kvm/vm.json")" = kvm ] || fail "kvm: vm.json does not say KVM"
json "$b.evidence[]" "$TMP/kvm/vm.json" >"$TMP/evidence"
grep -q "Kernel panic - not syncing" "$TMP/evidence" && grep -q "Call Trace" "$TMP/evidence" ||
	{ cat "$TMP/evidence"; fail "kvm: vm.json's evidence lacks the panic line or the call trace"; }
pass "--accel kvm: the panic fails the boot; vm.json has $(wc -l <"$TMP/evidence") console lines of evidence"

# shellcheck disable=SC2086
pb_merged vm --accel kvm --retry-on-tcg -k "$kernel" $layout "$sc" -o "$TMP/retry"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; failed_consoles "$TMP/retry"; fail "--retry-on-tcg: exit $rc"; }
[ "$(json "$b.status" "$TMP/retry/vm.json")/$(json "$b.accelerator" "$TMP/retry/vm.json")" = ok/tcg ] ||
	fail "--retry-on-tcg: the boot did not end ok under TCG"
[ "$(json "$b.kvm_attempt.status" "$TMP/retry/vm.json")" = panic ] || fail "--retry-on-tcg: KVM's panic not kept"
json "$b.kvm_attempt.evidence[]" "$TMP/retry/vm.json" | grep -q "Kernel panic" ||
	fail "--retry-on-tcg: the KVM attempt's evidence is missing"
pass "--retry-on-tcg: the boot that panicked under KVM ran under TCG; vm.json keeps both"
