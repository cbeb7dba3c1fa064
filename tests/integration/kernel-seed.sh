#!/bin/sh
# The first seed, shown and fixed: `pinbench kernel build` makes the stock
# 6.1 kernel and the same source with kernel/patches/6.1/seed-lru-batch.patch
# (building what the cache lacks), `pinbench vm` boots each twice with a
# movable zone, and bench/scenarios/seed-lru-batch.ini must fail pins with
# ENOMEM in every boot of the reverted kernel, traced to failed longterm_pin
# migrations, and in no boot of the stock one. The gate says so too. Then
# once more in the seed's own layout, CMA as half of memory.
. "$SRCDIR/tests/integration/lib.sh"
need_root "kernel builds in /var/cache and QEMU guests"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v busybox >/dev/null || skip "busybox is not installed"
[ "$(nproc)" -ge 2 ] || skip "the guests get two CPUs; a build on one takes too long"

if ! dpkg-query -W -f='${Status}' linux-source-6.1 2>/dev/null | grep -q 'install ok installed'; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-source-6.1 \
		>"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log"; skip "Debian's linux-source-6.1 cannot be installed"; }
fi

build() { # prints the bzImage's path; what goes wrong goes to stderr
	"$PINBENCH" 9>&- kernel build "$@" >"$TMP/build.out" 2>"$TMP/build.err" ||
		{ cat "$TMP/build.err" >&2; fail "kernel build $*" >&2; }
	tail -n 1 "$TMP/build.out"
}
stock=$(build)
reverted=$(build --patch "$SRCDIR/kernel/patches/6.1/seed-lru-batch.patch")
rs=${stock##*/vmlinuz-}
rr=${reverted##*/vmlinuz-}
[ -s "${stock%/*}/config-$rs" ] || fail "no config-$rs beside the bzImage"
grep -qx 'CONFIG_CMA=y' "${stock%/*}/config-$rs" || fail "the stock kernel has no CONFIG_CMA"
# A second request is answered from the cache.
t0=$(date +%s)
[ "$(build)" = "$stock" ] || fail "a second build of the stock kernel gave another path"
[ $(($(date +%s) - t0)) -le 5 ] || fail "the cached build took more than 5 s"
pass "built $rs and $rr; the second request came from the cache"

# A patch that does not apply is refused with patch's own words.
printf -- '--- a/mm/gup.c\n+++ b/mm/gup.c\n@@ -1,1 +1,1 @@\n-no such line\n+nor this\n' >"$TMP/bad.patch"
set +e
"$PINBENCH" 9>&- kernel build --patch "$TMP/bad.patch" >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "patch .*bad.patch does not apply to linux-source-6.1" "$TMP/err" ||
	{ cat "$TMP/err"; fail "a patch that does not apply: exit $rc"; }
grep -q FAILED "$TMP/err" || fail "patch's own output is not shown"
pass "a patch that does not apply: exit 2, patch's output shown"

vm() { # output directory, then pinbench vm options
	out=$1
	shift
	set +e
	"$PINBENCH" 9>&- vm -k "$stock" -k "$reverted" --boots 2 --timeout 5m "$@" -o "$out" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "pinbench vm $*: exit $rc"; }
}

check_boots() { # vm output directory
	for b in 1 2; do
		s="$1/$rs/boot-$b/summary.json"
		r="$1/$rr/boot-$b/summary.json"
		[ "$(json .pin.failures "$s")" -eq 0 ] || fail "$s: stock kernel failed $(json .pin.failures "$s") pins"
		[ "$(json '.stressors.batches.pages_queued' "$s")" -gt 0 ] || fail "$s: no page was queued"
		fails=$(json .pin.failures "$r")
		ops=$(json .pin.ops "$r")
		[ "$fails" -gt 0 ] || fail "$r: the reverted kernel failed no pin"
		[ "$(json '.pin.failures_by_errno.ENOMEM // 0' "$r")" -eq "$fails" ] || fail "$r: not every failure is ENOMEM"
		[ "$(json '.vmstat_delta.pgmigrate_fail // 0' "$r")" -gt 0 ] || fail "$r: pgmigrate_fail did not grow"
		[ "$(json '.pin.failures_migration // 0' "$r")" -eq "$fails" ] ||
			fail "$r: $(json .pin "$r") failures not all traced to a failed migration"
		echo "  boot $b: $rs 0 of $(json .pin.ops "$s") pins failed; $rr $fails of $ops (ENOMEM), pgmigrate_fail +$(json .vmstat_delta.pgmigrate_fail "$r")"
	done
}

gate() { # expected exit, base, candidate
	set +e
	"$PINBENCH" 9>&- gate "$2" "$3" --junit "$TMP/gate.xml" >"$TMP/gate.out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$1" ] || { cat "$TMP/gate.out"; fail "gate $2 $3: exit $rc, expected $1"; }
}

vm "$TMP/movable" --mem 2G --movablecore 1G "$SRCDIR/bench/scenarios/seed-lru-batch.ini"
check_boots "$TMP/movable"
pass "movablecore: the reverted kernel failed pins in every boot, the stock kernel in none"

gate 1 "$TMP/movable/$rs" "$TMP/movable/$rr"
grep -E '^failure_rate +failure_rate +rate +0% +100% .*FAIL' "$TMP/gate.out" ||
	{ cat "$TMP/gate.out"; fail "the gate does not fail on the failure rate"; }
p=$(jq -r '.candidates[0].metrics[] | select(.metric == "failure_rate") | .p_fisher' "$TMP/movable/compare.json")
awk -v p="$p" 'BEGIN { exit !(p < 0.01) }' || fail "Fisher's p of the failure rate is $p, not < 0.01"
gate 0 "$TMP/movable/$rs/boot-1" "$TMP/movable/$rs/boot-2"
pass "gate: stock -> reverted exits 1 on the failure rate (Fisher p $p); stock boot 1 -> boot 2 exits 0"

vm "$TMP/cma" --mem 2G --cma 1G "$SRCDIR/bench/scenarios/seed-lru-batch-cma.ini"
check_boots "$TMP/cma"
jq -r .kernel.cmdline "$TMP/cma/$rs/boot-1/run.json" | grep -q 'cma=1048576K' || fail "run.json: no cma= on the command line"
in_cma=$(json '.nodes["0"].movable_fraction_before' "$TMP/cma/$rs/boot-1/summary.json")
awk -v f="$in_cma" 'BEGIN { exit !(f > 0.5) }' || fail "only $in_cma of the pinned memory was in CMA"
pass "cma=1G of 2G ($in_cma of the pinned pages in CMA): the reverted kernel failed pins in every boot, the stock kernel in none"
