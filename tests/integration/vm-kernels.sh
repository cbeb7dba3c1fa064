#!/bin/sh
# pinbench vm: Debian's own 6.1 and 6.12 kernels booted in QEMU with two
# NUMA nodes and a movable zone, two boots each, interleaved; per-node
# samples and page migration in every guest; the comparison of the two;
# a panic, a hung guest, a kernel that ignores the NUMA layout and one
# without CMA asked for a CMA area, each
# ending its boot with a clear message and its console kept.
. "$SRCDIR/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v busybox >/dev/null || skip "busybox is not installed"

if [ "$(id -u)" -ne 0 ]; then
	PINBENCH_KERNEL_CACHE=${PINBENCH_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinbench/kernels}
	export PINBENCH_KERNEL_CACHE
fi
"$SRCDIR/scripts/fetch-kernels" >"$TMP/kernels" 2>"$TMP/fetch.err" ||
	{ cat "$TMP/fetch.err"; skip "Debian's kernels could not be fetched with apt-get download"; }
k61=$(sed -n 1p "$TMP/kernels")
k612=$(sed -n 2p "$TMP/kernels")
r61=${k61##*/vmlinuz-}
r612=${k612##*/vmlinuz-}

sc=$(scenario guest "[global]" "runs = 1" "movable = 256M" "[pin]" "type = pin" "memory = anon" \
	"nodes = all" "size = 128M" "chunk = 64M" "iterations = 2" "reuse = no")
layout="--numa 2 --mem 2G --movablecore 1G --timeout 5m"

vm() {
	# shellcheck disable=SC2086 # $layout is several options
	pb vm $layout "$@"
}

vm -k "$k61" -k "$k612" --boots 2 "$sc" -o "$TMP/two"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; failed_consoles "$TMP/two"; fail "two kernels: exit $rc"; }
cat "$TMP/out"
# A B A B
order=$(sed -n 's/^\[[0-9]*\/4\] \([^,]*\), boot \([0-9]\): ok.*/\1 \2/p' "$TMP/out" | tr '\n' ' ')
[ "$order" = "$r61 1 $r612 1 $r61 2 $r612 2 " ] || fail "boots not interleaved A B A B: $order"
pass "4 boots, interleaved: $order"

for r in "$r61" "$r612"; do
	for b in 1 2; do
		d="$TMP/two/$r/boot-$b"
		[ "$(json .kernel.release "$d/run.json")" = "$r" ] || fail "$d: run.json is not of kernel $r"
		for node in 0 1; do
			n=$(awk -F, -v n="$node" 'NR > 1 && $4 == n && $9 == 0' "$d/samples.csv" | wc -l)
			[ "$n" -eq 4 ] || fail "$d: $n successful pins on node $node, expected 4"
		done
		moved=$(json '.vmstat_delta.pgmigrate_success // 0' "$d/summary.json")
		[ "$moved" -ge 65536 ] || fail "$d: pgmigrate_success grew by $moved, expected at least 65536 (256 MiB)"
		[ -s "$d/console.log" ] || fail "$d: no console log"
	done
	pass "$r: pins on nodes 0 and 1 in both boots; pgmigrate_success grew by $moved in the last"
done
[ "$(jq -r '[.kernels[].boots[].status] | unique | join(",")' "$TMP/two/vm.json")" = ok ] ||
	fail "vm.json: not every boot is ok"

c="$TMP/two/compare.json"
[ -s "$c" ] && [ -s "$TMP/two/compare.txt" ] || fail "no compare.txt and compare.json"
[ "$(jq -r '.candidates[0].test_unit' "$c")" = runs ] || fail "compare did not test one value per boot"
for m in pin_latency pin_latency.node0 pin_latency.node1 vmstat.pgmigrate_success; do
	v=$(jq -r --arg m "$m" '.candidates[0].metrics[] | select(.metric == $m) | .verdict' "$c")
	[ -n "$v" ] || fail "compare.json has no verdict for $m"
	echo "  $m: $v"
done
grep -q "pin_latency.node1" "$TMP/two/compare.txt" || fail "compare.txt lacks the per-node metric"
pass "compare of $r61 (base) and $r612 written in text and JSON"

# A panic: no init to run.
vm -k "$k612" --append rdinit=/nonexistent "$sc" -o "$TMP/panic"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "panic: exit $rc, expected 1"; }
grep -q "boot 1: panic after .*Kernel panic" "$TMP/out" || { cat "$TMP/out"; fail "panic: no clear message"; }
grep -q "Kernel panic" "$TMP/panic/failed/$r612-boot-1/console.log" || fail "panic: console log not kept"
[ ! -e "$TMP/panic/$r612" ] || fail "panic: a failed boot was put among the complete runs"
jq -r '.kernels[0].boots[0].evidence[]' "$TMP/panic/vm.json" >"$TMP/evidence"
grep -q "Kernel panic - not syncing" "$TMP/evidence" && grep -q "Call Trace" "$TMP/evidence" ||
	{ cat "$TMP/evidence"; fail "panic: vm.json's evidence lacks the panic line or the call trace"; }
[ "$(jq -r '.kernels[0].boots[0].accelerator' "$TMP/panic/vm.json")" = tcg ] ||
	fail "panic: vm.json does not name the accelerator the boot ran under"
grep -q "^    .*Call Trace" "$TMP/out" || { cat "$TMP/out"; fail "panic: the call trace is not shown"; }
pass "panic ends the boot: $(grep -o 'panic after.*' "$TMP/out" | cut -c1-80)"

# A hung guest: the timeout ends it.
vm -k "$k612" --timeout 1s "$sc" -o "$TMP/hung"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "hung: exit $rc, expected 1"; }
grep -q "boot 1: hung after" "$TMP/out" || { cat "$TMP/out"; fail "hung: no clear message"; }
[ "$(jq -r '.kernels[0].boots[0].status' "$TMP/hung/vm.json")" = hung ] || fail "hung: vm.json status"
running "qemu-system-x86_64.*$TMP/hung" && fail "hung: QEMU still running"
pass "a boot past its timeout is ended and called hung"

# A kernel that does not give the layout asked: numa=off.
vm -k "$k612" --append numa=off "$sc" -o "$TMP/nonuma"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "numa=off: exit $rc, expected 1"; }
grep -q "1 NUMA node(s) where 2 were asked" "$TMP/out" || { cat "$TMP/out"; fail "numa=off: no clear message"; }
pass "a kernel showing 1 node where 2 were asked is reported, not compared"

# CMA asked of a kernel built without it (Debian's are).
if grep -q '^# CONFIG_CMA is not set' "${k61%/*}/config-$r61" 2>/dev/null; then
	vm -k "$k61" --cma 256M "$sc" -o "$TMP/nocma"
	[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "cma: exit $rc, expected 1"; }
	grep -q "no CMA area although cma= was given" "$TMP/out" || { cat "$TMP/out"; fail "cma: no clear message"; }
	pass "cma= on a kernel without CONFIG_CMA is reported"
fi

# SIGKILL: QEMU outlives pinbench until `env restore` ends it (root only:
# the journal is root's).
if [ "$(id -u)" -eq 0 ]; then
	"$PINBENCH" 9>&- vm $VM_ACCEL $layout -k "$k612" "$sc" -o "$TMP/killed" >/dev/null 2>&1 &
	pid=$!
	# the guest is up once its console speaks (a first QEMU that could
	# not use KVM has been replaced by then)
	for _ in $(seq 600); do [ -s "$TMP/killed/.boot/console.log" ] && break; sleep 0.1; done
	running "qemu-system-x86_64.*$TMP/killed" || fail "sigkill: QEMU never started"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	running "qemu-system-x86_64.*$TMP/killed" || fail "sigkill: QEMU ended with pinbench; nothing left to restore"
	"$PINBENCH" 9>&- env restore >/dev/null
	sleep 0.5
	running "qemu-system-x86_64.*$TMP/killed" && fail "sigkill: env restore left QEMU running"
	pass "after SIGKILL of pinbench vm, env restore ends its QEMU"
fi
