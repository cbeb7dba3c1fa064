#!/bin/sh
# The demo database: every run of results/reference stored (host runs,
# a capacity sweep, pinbench vm outputs with their failed/ trees), then
# history of a seed's failure rate, with its HTML page, and storing it
# all again changes nothing.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
url="sqlite:$TMP/demo.db"
pb_merged store --db "$url" "$SRCDIR/results/reference"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "store of results/reference exited $rc"; }
want=$(find "$SRCDIR/results/reference" -name summary.json | grep -vc '/failed/')
grep -q "^$want run(s) stored" "$TMP/out" || { cat "$TMP/out"; fail "not all $want run directories stored"; }
pb_merged store --db "$url" "$SRCDIR/results/reference"
grep -q "^0 run(s) stored.*$want stored before" "$TMP/out" || { cat "$TMP/out"; fail "a second store was not a no-op"; }
pass "results/reference: $want runs stored, and a second store is a no-op"

# a guest run is stored under its scenario's name (older guests ran /scenario.ini: vm.json names it)
pb_merged history --db "$url" --scenario seed-thp-split --metric failure_rate --min-size 2 --format json
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "history exited $rc"; }
# every boot that ran the scenario (the seeds/thp-split* pairs on several
# series and layouts, and the fixes tried against it), in the order they
# ran: the 6.1 pair came first
seeds=$SRCDIR/results/reference/seeds
boots=0
for v in $(find "$SRCDIR/results/reference" -name vm.json); do
	case $(jq -r .scenario "$v") in */seed-thp-split.ini | seed-thp-split.ini) ;; *) continue ;; esac
	boots=$((boots + $(find "${v%/vm.json}" -name summary.json ! -path '*/failed/*' | wc -l)))
done
[ "$(jq '.series | length' "$TMP/out")" = "$boots" ] || fail "seed-thp-split: not its $boots boots"
# its boots alternate stock and reverted, as summary.json counts them
want=""
for b in 1 2 3; do
	for k in 6.1.192-pb-stock 6.1.192-pb-seed-thp-split; do
		want="$want,$(jq '.pin.failures' "$seeds/thp-split/$k/boot-$b/summary.json")"
	done
done
[ "$(jq -c '[.series[0:6][] | .value * 1024 | round]' "$TMP/out")" = "[${want#,}]" ] ||
	fail "failure rates per boot: $(jq -c '[.series[0:6][] | .value * 1024]' "$TMP/out"), want [${want#,}] of 1024"
[ "$(jq -r '.series[1].label' "$TMP/out")" = 6.1.192-pb-seed-thp-split ] || fail "the label is not the kernel release: $(jq -r '.series[1].label' "$TMP/out")"
pass "history of seed-thp-split: the boots' failures in the order they ran, labelled by kernel"

# (seed-lru-batch-cma: one scenario, the 6.1 pair only)
pb_merged history --db "$url" --scenario seed-lru-batch-cma --metric failure_rate --min-size 2 --html "$TMP/h.html"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "history --html exited $rc"; }
grep -q "^<!DOCTYPE html>" "$TMP/h.html" && grep -q "No change point in 6 runs" "$TMP/h.html" ||
	fail "the HTML page lacks its verdict"
if command -v gnuplot >/dev/null; then
	grep -q 'src="data:image/svg+xml;base64,' "$TMP/h.html" || fail "the trend plot is not in the page"
	grep -q "index 0 using 1:2:xtic(3)" "$TMP/h-plots/history.gp" || fail "no history.gp beside the page"
fi
pass "history --html: a self-contained page with the trend plot"

# a scenario only one directory ran (seed-lru-batch's stock runs are in
# two: seeds/ and matrix/)
pb_merged compare "db:$url?scenario=seed-lru-batch-cma&label=6.1.192-pb-stock" \
	"$SRCDIR/results/reference/seeds/lru-batch-cma/6.1.192-pb-seed-lru-batch" --format json
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "compare against stored runs exited $rc"; }
"$PINBENCH" 9>&- compare "$SRCDIR/results/reference/seeds/lru-batch-cma/6.1.192-pb-stock" \
	"$SRCDIR/results/reference/seeds/lru-batch-cma/6.1.192-pb-seed-lru-batch" --format json >"$TMP/dir.json"
# the warnings name each side by its path
[ "$(jq -c '[.candidates[] | del(.warnings)]' "$TMP/out")" = "$(jq -c '[.candidates[] | del(.warnings)]' "$TMP/dir.json")" ] ||
	fail "stored runs compare differently from their run directories"
pass "stored runs as a baseline compare exactly as their run directories do"

# A scenario's identity (issue 25, observation 1) is what compare refuses
# to mix: two stored runs have one identity exactly when compare takes
# their run directories without --force, for every pair of results/reference.
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (it lists the identities)"
sqlite3 "$TMP/demo.db" 'SELECT source, identity FROM runs ORDER BY id' >"$TMP/ids"
pairs=0 same=0
while IFS='|' read -r a ia; do
	while IFS='|' read -r b ib; do
		[ -n "$b" ] || continue
		set +e
		"$PINBENCH" 9>&- compare "$a" "$b" >/dev/null 2>"$TMP/err"
		set -e
		refused=$(grep -c 'did not run the same test' "$TMP/err" || true)
		if [ "$ia" = "$ib" ]; then
			same=$((same + 1))
			[ "$refused" -eq 0 ] || { cat "$TMP/err"; fail "one identity, yet compare refuses $a and $b"; }
		else
			[ "$refused" -eq 1 ] || { cat "$TMP/err"; fail "two identities, yet compare takes $a and $b"; }
		fi
		pairs=$((pairs + 1))
	done <<EOT
$(awk -F'|' -v a="$a" 'found { print } $1 == a { found = 1 }' "$TMP/ids")
EOT
done <"$TMP/ids"
pass "$pairs pairs of stored runs: one identity ($same pairs) exactly when compare takes them"
