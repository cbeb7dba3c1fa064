#!/bin/sh
# One quantity, one spelling, on the committed reference runs: the
# per-node bars are the table's medians, a failure rate's change and its
# limit are percentage points wherever they appear, a bare number is no
# rate limit, a change from 0 reads "from 0" in compare and gate alike,
# counts print whole, a small change keeps its sign and digits, a mean
# of changes that sum to 0 is 0, a gauge has no CV, and a size in what
# differs reads as a size.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
ref="$SRCDIR/results/reference"
k61="$ref/kernels/6.1.0-56-amd64"
k612="$ref/kernels/6.12.117+deb12-amd64"
stock="$ref/seeds/thp-split/6.1.192-pb-stock"
seed="$ref/seeds/thp-split/6.1.192-pb-seed-thp-split"

# The per-node bars: the medians the comparison table gives (of per-run
# medians with 4 runs a side), not the pooled pins' (220 ms for node0).
pb report "$k61" "$k612" --markdown "$TMP/k.md"
expect 0 "report --markdown of the kernels pair"
pb compare "$k61" "$k612" --format json
cp "$TMP/out" "$TMP/k.json"
for node in 0 1; do
	want=$(jq -r --arg m "pin_latency.node$node" '.candidates[0].metrics[] | select(.metric == $m) |
		"\(.base_median / 1e6) \(.cand_median / 1e6)"' "$TMP/k.json")
	got=$(awk -v n="\"node$node\"" '$1 == n { print $2, $5 }' "$TMP/k-plots/nodes.dat")
	awk -v w="$want" -v g="$got" 'BEGIN { split(w, a, " "); split(g, b, " ");
		exit !(a[1] - b[1] < 0.001 && b[1] - a[1] < 0.001 && a[2] - b[2] < 0.001 && b[2] - a[2] < 0.001) }' ||
		fail "node$node: bars $got ms, the table's medians $want ms"
done
pass "per-node bars are the comparison's medians"

# Counts whole, no -0.0 %, one spelling of a change from 0.
pb compare "$k61" "$k612"
grep -E '^vmstat\.pgmigrate_success +[0-9]+ +[0-9]+ ' "$TMP/out" >/dev/null ||
	{ grep pgmigrate_success "$TMP/out"; fail "a count printed in exponent notation"; }
grep -q -- '-0\.0%' "$TMP/out" && fail "compare prints -0.0%"
pb compare "$k612" "$k61"
grep -E '^vmstat\.thp_migration_success +0 +1 +from 0 ' "$TMP/out" >/dev/null ||
	{ grep thp_migration_success "$TMP/out"; fail "compare: a change from 0 is not 'from 0'"; }
printf '[thp]\nmetric = vmstat.thp_migration_success\ndirection = lower\nmax_regression = 5%%\nrequire = threshold\n' >"$TMP/zero.ini"
pb gate "$k612" "$k61" --rules "$TMP/zero.ini"
grep -q "regression from 0 (limit +5.0%)" "$TMP/out" || { cat "$TMP/out"; fail "gate: a change from 0 is not 'from 0'"; }
grep -q "inf%" "$TMP/out" && fail "gate prints inf%"
pass "counts whole, no -0.0%, a change from 0 reads 'from 0' in compare and gate"

# A failure rate: 4.04 % -> 13 % is +8.98 percentage points in compare,
# in the default gate and under a rules file's 5 %.
pb compare "$stock" "$seed"
grep -E '^failure_rate +4\.04% +13% +\+8\.98 pp +regressed' "$TMP/out" >/dev/null ||
	{ grep failure_rate "$TMP/out"; fail "compare: the failure rate's change is not in percentage points"; }
pb gate "$stock" "$seed"
expect 1 "default gate on the THP seed"
grep -E '^failure_rate +failure_rate +rate +4\.04% +13% +\+8\.98 pp +0 pp ' "$TMP/out" >/dev/null ||
	{ cat "$TMP/out"; fail "default gate: the failure rate's change is not in percentage points"; }
printf '[fail]\nmetric = failure_rate\nmax_regression = 5%%\n' >"$TMP/rate.ini"
pb gate "$stock" "$seed" --rules "$TMP/rate.ini" --format json
expect 1 "a 5 % failure-rate rule on +8.98 pp"
jq -e '.rules[0] | .change > 0.0897 and .change < 0.0899 and .limit == 0.05 and .change_unit == "metric"
	and (.reason | test("regression \\+8.98 pp \\(limit \\+5 pp\\)"))' "$TMP/out" >/dev/null ||
	{ cat "$TMP/out"; fail "rules file: a failure rate's change is not in percentage points"; }
printf '[fail]\nmetric = failure_rate\nmax = 0.1\n' >"$TMP/bare.ini"
pb gate "$stock" "$seed" --rules "$TMP/bare.ini"
expect 2 "max = 0.1 on a failure rate"
grep -q "bare.ini:3: \[fail\] key 'max': '0.1': a failure rate's limit is in percent of pins" "$TMP/err" ||
	{ cat "$TMP/err"; fail "a bare rate limit is not refused by file, line and key"; }
printf '[fail]\nmetric = failure_rate\nmax = 20%%\n' >"$TMP/bound.ini"
pb gate "$stock" "$seed" --rules "$TMP/bound.ini"
expect 0 "max = 20% on a 13 % failure rate"
pass "a failure rate's change is percentage points everywhere; max = 0.1 is refused, 20% accepted"

# A mean of gauge changes that sum to 0, and a gauge's CV.
printf "%s\n" -22 -7 -1 2 4 5 6 6 7 >"$TMP/zero-sum"
pb report "$TMP/zero-sum"
expect 0 "report of a plain file"
grep -q 'e-1[0-9]' "$TMP/out" && { cat "$TMP/out"; fail "a mean of 0 printed as a rounding error"; }
pb report "$k61"
grep -E '^vmstat\.nr_isolated_anon +4 +[0-9.]+ +[0-9.]+ +- ' "$TMP/out" >/dev/null ||
	{ grep nr_isolated "$TMP/out"; fail "a gauge has a CV"; }
pass "a zero mean is 0; a gauge has no CV"

# Sizes as sizes in what differs (text and HTML); JSON keeps the bytes.
movable="$ref/seeds/lru-batch-movable/6.1.192-pb-stock"
cma="$ref/seeds/lru-batch-cma/6.1.192-pb-stock"
pb compare "$movable" "$cma" --force
grep -q "memory.movable_bytes: 1 GiB -> 0 B" "$TMP/out" || { grep bytes "$TMP/out"; fail "a size in what differs as raw bytes"; }
grep -E '_bytes[^:]*: [0-9]{5,}' "$TMP/out" && fail "raw bytes in what differs"
pb compare "$movable" "$cma" --force --format json
jq -e '.candidates[0].differences[] | select(.key == "memory.movable_bytes") | .base == "1073741824"' "$TMP/out" >/dev/null ||
	fail "JSON does not keep the bytes"
pb report "$movable" "$cma" --force --html "$TMP/sizes.html"
grep -q '<td>memory.movable_bytes</td><td>1 GiB</td>' "$TMP/sizes.html" || fail "the HTML's what differs has raw bytes"
pass "sizes in what differs read 1 GiB, JSON keeps 1073741824"
