#!/bin/sh
# history's output on the demo database (every run of results/reference):
# every run of the scenario accounted for (left out, and why), CSV rows as
# wide as their header, a run column and x labels that tell the points
# apart, "too few runs to detect a step" exactly when no split could reach
# alpha, each plotted level the median of its own points, and a mistyped
# metric answered with the nearest name.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
db="$TMP/demo.db"
url="sqlite:$db"
pb store --db "$url" "$SRCDIR/results/reference"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "store exited $rc"; }

# Each scenario identity: its pin_latency series plus the runs left out
# is every run stored (each has a failure rate), and each left-out run
# says why.
ids=$(sqlite3 "$db" "SELECT DISTINCT identity FROM runs ORDER BY identity")
checked=0 leftover=0
for id in $ids; do
	runs=$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE identity = '$id'")
	pb history --db "$url" --identity "$id" --format json
	[ "$rc" -eq 0 ] || continue # no run of it has a latency: the error says so
	cp "$TMP/out" "$TMP/h.json"
	n=$(jq '.series | length' "$TMP/h.json")
	left=$(jq '.left_out' "$TMP/h.json")
	[ $((n + left)) -eq "$runs" ] || fail "identity $id: $n in the series and $left left out of $runs runs"
	[ "$(jq '[.left_out_runs[] | select(.why | length > 0)] | length' "$TMP/h.json")" -eq "$left" ] ||
		fail "identity $id: left_out $left, but not as many runs with a reason"
	leftover=$((leftover + left))
	# too few runs: exactly when no split of n runs can reach alpha (8 at the defaults)
	note=$(jq -r '.too_few_runs // ""' "$TMP/h.json")
	if [ "$n" -lt 8 ]; then
		case $note in "too few runs to detect a step"*"8 runs can") ;; *) fail "identity $id: $n runs and no too-few-runs note ($note)" ;; esac
	else
		[ -z "$note" ] || fail "identity $id: $n runs, but '$note'"
	fi
	# the CSV: as many fields in each row as in the header (no comma in these labels and paths)
	pb history --db "$url" --identity "$id" --format csv
	awk -F, 'NR == 1 { w = NF } NF != w { exit 1 }' "$TMP/out" || { cat "$TMP/out"; fail "identity $id: CSV rows not as wide as the header"; }
	# the run column tells the points apart
	pb history --db "$url" --identity "$id"
	distinct=$(awk '/^# +label/ { t = 1; next } t && NF { print $4 }' "$TMP/out" | sort -u | wc -l)
	[ "$distinct" -eq "$n" ] || { cat "$TMP/out"; fail "identity $id: $distinct distinct runs named for $n points"; }
	checked=$((checked + 1))
done
[ "$checked" -ge 5 ] && [ "$leftover" -gt 0 ] || fail "only $checked series checked, $leftover runs left out in all"
pass "$checked series: every run in the series or left out with a reason ($leftover left out), CSV as wide as its header, runs told apart, too-few-runs exactly below 8 runs"

# The plot: each level is the median of the points it spans, and the x
# labels differ.
pb history --db "$url" --scenario seed-thp-split --metric failure_rate --min-size 2 --html "$TMP/h.html"
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "history --html exited $rc"; }
dat="$TMP/h-plots/history.dat"
levels=$(awk 'BEGIN { RS = ""; FS = "\n" } NR == 1 { for (i = 1; i <= NF; i++) { split($i, f, " "); y[f[1]] = f[2] }; n = NF }
	NR > 1 { split($1, a, " "); split($2, b, " "); k = 0
		for (x = a[1] + 0.5; x < b[1]; x++) v[++k] = y[x]
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		m = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		if (m - a[2] > 1e-6 || a[2] - m > 1e-6) { print "level " NR - 1 " at " a[2] ", its points median " m; bad = 1 }
		levels++ }
	END { if (bad) exit 1; print levels }' "$dat") || fail "$levels"
[ "$levels" -ge 2 ] || fail "the seed's failure rate shows $levels levels"
dups=$(grep -o '"#[0-9]* [^"]*"' "$dat" | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || fail "x labels repeat"
pass "$levels plotted levels, each the median of its points; x labels distinct"

pb history --db "$url" --metric pin_latncy
[ "$rc" -eq 2 ] || fail "a mistyped metric: exit $rc"
grep -q "did you mean pin_latency?" "$TMP/err" || { cat "$TMP/err"; fail "no did-you-mean for pin_latncy"; }
pass "a mistyped --metric: exit 2, did you mean pin_latency?"
