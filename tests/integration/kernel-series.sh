#!/bin/sh
# Today's kernels: for each series (6.12 LTS and 7.3 unless
# PINBENCH_TEST_SERIES names others), `pinbench kernel build --source
# SERIES` builds the stock kernel and the same source with each seed's fix
# taken out again (kernel/patches/SERIES/); a series whose Debian package
# is not installed is fetched into the cache through pinbench's own apt
# list, leaving the machine's apt configuration and lists as they were.
# Then, two boots a kernel:
#   - seed-lru-batch and seed-mlock-batch fail pins with ENOMEM in every
#     boot of the reverted kernel and in none of the stock one; the gate
#     exits 1 on the failure rate;
#   - seed-thp-split: on the reverted kernel every failed split costs its
#     pin (in every boot, pins lost with a THP neither migrated nor split,
#     from the pin's own trace, are at least thp_split_page_failed, and
#     more than none); on the stock kernel the retry recovers failed splits
#     (over its boots, thp_split_page_failed exceeds those pins). That is
#     the fix's own mechanism. The split-attributed failure *rate* is not
#     asked about: on 7.3.4 the ten back-to-back retries save too few pins
#     for 2048 a side to show it (1.51 % stock, 0.88 % reverted in one run,
#     1.61 % and 4.05 % in another). Pins lost to base pages that fail to
#     migrate after a split (about half of them on 6.12 and 7.3, no kernel
#     retries those) are counted apart.
. "$SRCDIR/tests/integration/lib.sh"
need_kernel_builds
SERIES=${PINBENCH_TEST_SERIES:-6.12 7.3}
BOOTS=2

apt_state() { # what pinbench must not touch of the machine's apt
	ls -l --time-style=+%s /etc/apt /etc/apt/sources.list.d /var/lib/apt/lists 2>/dev/null
	cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true
}

vm_pair() { # output directory, stock bzImage, reverted bzImage, scenario, options...
	out=$1 k1=$2 k2=$3 scenario=$4
	shift 4
	pb vm -k "$k1" -k "$k2" --boots "$BOOTS" --timeout 8m "$@" "$SRCDIR/bench/scenarios/$scenario" -o "$out"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "pinbench vm $scenario: exit $rc"; }
}

for series in $SERIES; do
	[ -d "$SRCDIR/kernel/patches/$series" ] || fail "no kernel/patches/$series"
	apt_state >"$TMP/apt.before"
	t0=$(date +%s)
	stock=$(kernel_build --source "$series")
	t1=$(date +%s)
	lru=$(kernel_build --source "$series" --patch "$SRCDIR/kernel/patches/$series/seed-lru-batch.patch")
	thp=$(kernel_build --source "$series" --patch "$SRCDIR/kernel/patches/$series/seed-thp-split.patch")
	t2=$(date +%s)
	apt_state >"$TMP/apt.after"
	cmp -s "$TMP/apt.before" "$TMP/apt.after" ||
		{ diff "$TMP/apt.before" "$TMP/apt.after"; fail "$series: the machine's apt configuration or lists changed"; }
	rs=${stock##*/vmlinuz-} rl=${lru##*/vmlinuz-} rt=${thp##*/vmlinuz-}
	case $rs in "$series".*-pb-stock) ;; *) fail "--source $series built $rs" ;; esac
	"$PINBENCH" 9>&- kernel list | grep -Eq "^  $series +(installed|fetched) " ||
		fail "kernel list does not show the $series source"
	pass "$series: built $rs, $rl, $rt (stock $((t1 - t0)) s, the two variants $((t2 - t1)) s; apt untouched)"

	vm_pair "$TMP/lru-$series" "$stock" "$lru" seed-lru-batch.ini --mem 2G --movablecore 1G
	seed_fails_every_boot "$TMP/lru-$series" "$rs" "$rl" "$BOOTS" pgmigrate_fail
	gate_expect 1 "$TMP/lru-$series/$rs" "$TMP/lru-$series/$rl"
	grep -Eq '^failure_rate +failure_rate +rate +0% +[0-9.]+% .*FAIL$' "$TMP/gate.out" ||
		{ cat "$TMP/gate.out"; fail "$series: the gate does not fail on the failure rate"; }
	pass "$series: seed-lru-batch fails every boot of $rl, none of $rs; the gate exits 1"

	vm_pair "$TMP/mlock-$series" "$stock" "$lru" seed-mlock-batch.ini --mem 2G --movablecore 1G
	seed_fails_every_boot "$TMP/mlock-$series" "$rs" "$rl" "$BOOTS" pgmigrate_fail
	gate_expect 1 "$TMP/mlock-$series/$rs" "$TMP/mlock-$series/$rl"
	pass "$series: seed-mlock-batch (a folio in another CPU's mlock batch) fails every boot of $rl, none of $rs"

	vm_pair "$TMP/thp-$series" "$stock" "$thp" seed-thp-split.ini --mem 2G --movablecore 1G
	line="" stock_split_failed=0 stock_lost=0
	for b in $(seq "$BOOTS"); do
		r="$TMP/thp-$series/$rt/boot-$b/summary.json"
		s="$TMP/thp-$series/$rs/boot-$b/summary.json"
		lost=$(json '.pin.failures_thp // 0' "$r")
		split_failed=$(json '.vmstat_delta.thp_split_page_failed // 0' "$r")
		[ "$split_failed" -gt 0 ] || fail "$r: thp_split_page_failed did not grow"
		[ "$lost" -ge "$split_failed" ] ||
			fail "$r: $split_failed splits failed but only $lost pins were lost with an unsplit THP: the reverted kernel retried"
		[ "$(json '.stressors.fragment.order9_left | type' "$r")" = array ] ||
			fail "$r: order9_left is not a list: $(jq -c .stressors.fragment.order9_left "$r")"
		# Blocks may be left that the kernel refused to the rings (as it
		# would to a migration target); none may be left for want of rings.
		[ "$(json '.stressors.fragment.order9_free_fraction_after' "$r")" = 0 ] ||
			[ "$(json '.stressors.fragment.rings_stop' "$r")" = refused ] ||
			fail "$r: order-9 blocks were left outside ZONE_MOVABLE ($(jq -c '.stressors.fragment | {rings, rings_stop, rings_error, order9_left}' "$r"))"
		stock_split_failed=$((stock_split_failed + $(json '.vmstat_delta.thp_split_page_failed // 0' "$s")))
		stock_lost=$((stock_lost + $(json '.pin.failures_thp // 0' "$s")))
		line="$line; boot $b: $rt lost $lost of $(json .pin.ops "$r") pins to $split_failed failed splits, $rs $(json '.pin.failures_thp // 0' "$s") to $(json '.vmstat_delta.thp_split_page_failed // 0' "$s") (and $(json '.pin.failures_base_pages // 0' "$s") by base pages)"
	done
	[ "$stock_split_failed" -gt "$stock_lost" ] ||
		fail "$series: on $rs $stock_split_failed splits failed and $stock_lost pins were lost with an unsplit THP: the retry recovered none"
	pass "$series: seed-thp-split${line}"
done
