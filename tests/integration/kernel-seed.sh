#!/bin/sh
# The seeds, shown and fixed: `pinbench kernel build` makes the stock 6.1
# kernel and the same source with each seed's fix taken out again
# (kernel/patches/6.1/, building what the cache lacks); `pinbench vm` boots
# each twice, and the seed's scenario must fail pins with ENOMEM in every
# boot of the reverted kernel, traced to failed longterm_pin migrations and
# with the seed's own counters grown, and in no boot of the stock one. The
# gate says so too. The first seed runs with a movable zone and again in
# the report's own layout, CMA as half of memory.
. "$SRCDIR/tests/integration/lib.sh"
need_kernel_builds
stock=$(kernel_build)
reverted=$(kernel_build --patch "$SRCDIR/kernel/patches/6.1/seed-lru-batch.patch")
thp=$(kernel_build --patch "$SRCDIR/kernel/patches/6.1/seed-thp-split.patch")
rs=${stock##*/vmlinuz-}
rr=${reverted##*/vmlinuz-}
rt=${thp##*/vmlinuz-}
[ -s "${stock%/*}/config-$rs" ] || fail "no config-$rs beside the bzImage"
grep -qx 'CONFIG_CMA=y' "${stock%/*}/config-$rs" || fail "the stock kernel has no CONFIG_CMA"
# A second request is answered from the cache.
t0=$(date +%s)
[ "$(kernel_build)" = "$stock" ] || fail "a second build of the stock kernel gave another path"
[ $(($(date +%s) - t0)) -le 5 ] || fail "the cached build took more than 5 s"
pass "built $rs, $rr and $rt; the second request came from the cache"

# A build killed half-way leaves its patch in the tree; the next build
# (even one answered from the cache) waits for the make it left running and
# takes the patch out again.
tree=$(dirname "$(dirname "$stock")")/src/linux-source-6.1_$(dpkg-query -W -f='${Version}' linux-source-6.1)
"$PINBENCH" 9>&- kernel build --name "killed-$$" --patch "$SRCDIR/kernel/patches/6.1/seed-lru-batch.patch" \
	>/dev/null 2>"$TMP/killed.err" &
killed=$!
for _ in $(seq 100); do grep -q "building" "$TMP/killed.err" && break; sleep 0.1; done
[ -d "$tree/.pinbench-applied" ] || fail "the killed build had not recorded its patch"
kill -9 "$killed"
wait "$killed" 2>/dev/null || true
[ "$(kernel_build)" = "$stock" ] || fail "the build after a killed one gave another path"
[ ! -e "$tree/.pinbench-applied" ] || fail "the killed build's patch is still recorded"
tar -xOf /usr/src/linux-source-6.1.tar.xz linux-source-6.1/mm/gup.c | cmp -s - "$tree/mm/gup.c" ||
	fail "mm/gup.c differs from the package's after the killed build"
pass "a build killed with SIGKILL: the next one took its patch out (mm/gup.c as packaged)"

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

BOOTS=2
vm() { # output directory, reverted bzImage, then pinbench vm options
	out=$1
	kernel=$2
	shift 2
	pb vm -k "$stock" -k "$kernel" --boots "$BOOTS" --timeout 5m "$@" -o "$out"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "pinbench vm $*: exit $rc"; }
}

queued() { # vm output directory: the lru-batch stressor saw its pages wait in a batch
	for s in "$1"/*/boot-*/summary.json; do
		[ "$(json '.stressors.batches.pages_queued' "$s")" -gt 0 ] || fail "$s: no page was queued"
	done
}

vm "$TMP/movable" "$reverted" --mem 2G --movablecore 1G "$SRCDIR/bench/scenarios/seed-lru-batch.ini"
seed_fails_every_boot "$TMP/movable" "$rs" "$rr" "$BOOTS" pgmigrate_fail
queued "$TMP/movable"
pass "movablecore: the reverted kernel failed pins in every boot, the stock kernel in none"

gate_expect 1 "$TMP/movable/$rs" "$TMP/movable/$rr"
grep -E '^failure_rate +failure_rate +rate +0% +[0-9.]+% .*FAIL$' "$TMP/gate.out" ||
	{ cat "$TMP/gate.out"; fail "the gate does not fail on the failure rate"; }
p=$(jq -r '.candidates[0].metrics[] | select(.metric == "failure_rate") | .p_fisher' "$TMP/movable/compare.json")
awk -v p="$p" 'BEGIN { exit !(p < 0.01) }' || fail "Fisher's p of the failure rate is $p, not < 0.01"
# 3 runs a boot cannot decide a latency rule, and under TCG two boots of
# one kernel differ by up to 40 %: the gate may only say inconclusive
gate_expect 0 "$TMP/movable/$rs/boot-1" "$TMP/movable/$rs/boot-2" --inconclusive=pass
# The report of a side whose pins failed: every plot drawn, the change said.
"$PINBENCH" 9>&- report "$TMP/movable/$rs" "$TMP/movable/$rr" --html "$TMP/seed.html" >/dev/null 2>"$TMP/report.err" ||
	{ cat "$TMP/report.err"; fail "report of the seed"; }
! grep -q "gnuplot failed" "$TMP/seed.html" || fail "a plot failed: $(grep -o 'gnuplot failed[^<]*' "$TMP/seed.html")"
grep -Eq "failure_rate regressed 0% -&gt; [0-9.]+%" "$TMP/seed.html" || fail "the report does not say the failure rate's change"
pass "gate: stock -> reverted exits 1 on the failure rate (Fisher p $p); stock boot 1 -> boot 2 fails no rule"

vm "$TMP/cma" "$reverted" --mem 2G --cma 1G "$SRCDIR/bench/scenarios/seed-lru-batch-cma.ini"
seed_fails_every_boot "$TMP/cma" "$rs" "$rr" "$BOOTS" pgmigrate_fail
queued "$TMP/cma"
jq -r .kernel.cmdline "$TMP/cma/$rs/boot-1/run.json" | grep -q 'cma=1048576K' || fail "run.json: no cma= on the command line"
in_cma=$(json '.nodes["0"].movable_fraction_before' "$TMP/cma/$rs/boot-1/summary.json")
# Where anon memory lands is the page allocator's choice (it takes CMA
# for movable allocations while free CMA is more than half of free
# memory): 0.91 of the pinned pages in earlier runs, 0.48 in one run of
# this session's, for a reason not looked into. A quarter still puts
# every pin call into CMA (4 MiB and more of each 16 MiB chunk).
awk -v f="$in_cma" 'BEGIN { exit !(f > 0.25) }' || fail "only $in_cma of the pinned memory was in CMA"
pass "cma=1G of 2G ($in_cma of the pinned pages in CMA): the reverted kernel failed pins in every boot, the stock kernel in none"

# The second seed is a race (a reader's reference against a split), so it
# gets three boots. Its references also meet base pages migrated after a
# split, whose ten retries come too fast to outlast one, and now and then
# ten split attempts in a row: the stock kernel may lose a pin or two of
# 64 that way, against 4 to 13 on the reverted one (results/reference/seeds
# has the numbers). The test asks of the stock kernel that it met failed
# splits too and retried them, and lost fewer pins; the significance is
# the reference runs' to show (Fisher p 9.6e-9 over 3 boots there), as two
# or three boots of 64 pins do not always reach it.
BOOTS=3
vm "$TMP/thp" "$thp" --mem 2G --movablecore 1G "$SRCDIR/bench/scenarios/seed-thp-split.ini"
STOCK_MAY_FAIL=1 seed_fails_every_boot "$TMP/thp" "$rs" "$rt" "$BOOTS" thp_split_page_failed thp_migration_fail
retried=0
for b in 1 2 3; do
	s="$TMP/thp/$rs/boot-$b/summary.json"
	[ "$(json '.vmstat_delta.thp_migration_split // 0' "$s")" -gt 0 ] || fail "stock boot $b: no THP was split"
	retried=$((retried + $(json '.vmstat_delta.thp_split_page_failed // 0' "$s")))
done
[ "$retried" -gt 0 ] || fail "the stock kernel met no failed split: the race did not happen there"
pass "THP split: the reverted kernel failed pins on failed splits in every boot; the stock kernel retried its $retried failed splits and lost fewer pins"
