#!/bin/sh
# report, compare and gate on plain sample files and CSV columns (no root
# needed): gate's exit codes, well-formed JUnit, the JSON fields, and one
# clear message for every kind of bad input, with earlier outputs intact.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"

# Deterministic samples: a base around 100 and a candidate 20 % slower.
awk 'BEGIN { for (i = 0; i < 400; i++) print 100 + (i * 37) % 23 }' >"$TMP/base.txt"
awk 'BEGIN { for (i = 0; i < 400; i++) print 120 + (i * 41) % 23 }' >"$TMP/slow.txt"
awk 'BEGIN { print "run,latency"; for (i = 0; i < 50; i++) print i % 5 "," 100 + (i * 7) % 11 }' >"$TMP/a.csv"
pb_merged gate "$TMP/base.txt" "$TMP/base.txt" --junit "$TMP/same.xml"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "gate of a sample against itself exited $rc"; }
xmllint --noout "$TMP/same.xml" || fail "JUnit of a passing gate is not well-formed XML"
grep -q 'tests="1" failures="0"' "$TMP/same.xml" || fail "passing JUnit counts"
pass "gate passes identical samples (exit 0, JUnit well-formed)"

pb_merged gate "$TMP/base.txt" "$TMP/slow.txt" --max-regression 5% --junit "$TMP/slow.xml" --markdown "$TMP/slow.md"
[ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "gate of a 20% regression exited $rc, not 1"; }
xmllint --noout "$TMP/slow.xml" || fail "JUnit of a failing gate is not well-formed XML"
[ "$(xmllint --xpath 'count(//testcase/failure)' "$TMP/slow.xml")" = 1 ] || fail "no <failure> in JUnit"
xmllint --xpath 'string(//failure/@message)' "$TMP/slow.xml" | grep -q "111 -> 131: regression +18.0%" ||
	fail "the JUnit failure does not carry the numbers"
grep -q '^| value ' "$TMP/slow.md" && grep -q 'FAIL' "$TMP/slow.md" || fail "Markdown summary"
pass "gate fails a 20% regression (exit 1, JUnit failure with the numbers, Markdown)"

pb_merged gate "$TMP/base.txt" "$TMP/slow.txt" --max-regression 25%
[ "$rc" -eq 0 ] || fail "a 20% regression under a 25% limit exited $rc"
pass "gate passes a regression within the limit"

# Rules: relative with significance, a tail quantile by threshold only.
printf '%s\n' '[defaults]' 'alpha = 0.01' '' '[median]' 'metric = value' 'max_regression = 10%' \
	'' '[tail]' 'metric = value' 'statistic = p99' 'max_regression = 50' 'require = threshold' >"$TMP/rules.ini"
pb_merged gate "$TMP/base.txt" "$TMP/slow.txt" --rules "$TMP/rules.ini" --junit "$TMP/rules.xml"
[ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "rules gate exited $rc"; }
grep -Eq '^median .*FAIL' "$TMP/out" && grep -Eq '^tail .*pass' "$TMP/out" || { cat "$TMP/out"; fail "rule results"; }
pass "rules file: median rule fails, p99 threshold rule passes"

pb_merged compare "$TMP/base.txt" "$TMP/slow.txt" --format json
[ "$rc" -eq 0 ] || fail "compare exited $rc"
for field in p_mannwhitney p_welch hodges_lehmann cliffs_delta verdict; do
	jq -e ".candidates[0].metrics[0] | has(\"$field\")" "$TMP/out" >/dev/null || fail "JSON lacks $field"
done
[ "$(jq -r '.candidates[0].metrics[0].verdict' "$TMP/out")" = regressed ] || fail "verdict is not regressed"
[ "$(jq -r '.candidates[0].metrics[0].hodges_lehmann.shift' "$TMP/out")" = 20 ] || fail "HL shift is not 20"
pass "compare JSON names p_mannwhitney, p_welch, hodges_lehmann, cliffs_delta, verdict; shift 20"

pb_merged compare "$TMP/a.csv" "$TMP/a.csv" --column latency
[ "$rc" -eq 0 ] && grep -q "no significant change" "$TMP/out" || { cat "$TMP/out"; fail "CSV column compare"; }
pb_merged report "$TMP/base.txt" --format json
[ "$(jq -r '.reports[0].metrics[0].n' "$TMP/out")" = 400 ] || fail "report n"
[ "$(jq -r '.reports[0].metrics[0].quantiles.p50.ci | length' "$TMP/out")" = 2 ] || fail "report CI"
pass "CSV columns and report JSON"

# Bad input: exit 2 and one message naming file and line.
expect_error() { # want-substring, then pinbench arguments
	want=$1
	shift
	pb_merged "$@"
	[ "$rc" -eq 2 ] || { cat "$TMP/out"; fail "pinbench $* exited $rc, not 2"; }
	grep -qF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "no '$want' in the message"; }
	pass "$want"
}
printf '1\n2\nnan\n' >"$TMP/nan.txt"
printf '1\n 2 \n# a comment\n\n3x\n' >"$TMP/garbage.txt"
printf '1\ninf\n' >"$TMP/inf.txt"
: >"$TMP/empty.txt"
expect_error "$TMP/nan.txt:3: 'nan' is not a finite number" compare "$TMP/nan.txt" "$TMP/base.txt"
expect_error "$TMP/garbage.txt:5: '3x' is not a number" gate "$TMP/base.txt" "$TMP/garbage.txt"
expect_error "$TMP/inf.txt:2: 'inf' is not a finite number" report "$TMP/inf.txt"
expect_error "$TMP/empty.txt: no numbers in it" report "$TMP/empty.txt"
expect_error "$TMP/absent.txt: No such file or directory" gate "$TMP/base.txt" "$TMP/absent.txt"
expect_error "$TMP/a.csv:1: no column 'lat' (columns: run, latency)" compare "$TMP/a.csv" "$TMP/a.csv" -c lat
printf 'x,latency\n1,5\n2,\n' >"$TMP/hole.csv"
expect_error "$TMP/hole.csv:3: column 'latency': '' is not a number" report "$TMP/hole.csv" -c latency
printf '%s\n' '[r]' 'metric = value' 'max_regresion = 5%' >"$TMP/typo.ini"
expect_error "$TMP/typo.ini:3: [r] unknown key 'max_regresion'" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/typo.ini"
printf '%s\n' '[r]' 'metric = latency' 'max_regression = 5%' >"$TMP/metric.ini"
expect_error "$TMP/metric.ini:2: [r] key 'metric': 'latency' is not in" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/metric.ini"
printf '%s\n' '[r]' 'metric = value' 'max_regression = lots' >"$TMP/lots.ini"
expect_error "$TMP/lots.ini:3: [r] key 'max_regression': 'lots' is not a percentage" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/lots.ini"
printf '%s\n' '[r]' 'metric = value' >"$TMP/nolimit.ini"
expect_error "$TMP/nolimit.ini:2: [r] key 'max_regression': a rule needs" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/nolimit.ini"
# Issue 13, item 10: rules that no value could pass, or that allow a
# negative regression, are refused when read; and so is a rule name that
# is not UTF-8 (it ends up in JUnit, which xmllint then refused).
printf '%s\n' '[r]' 'metric = value' 'max_regression = -5%' >"$TMP/neg.ini"
expect_error "$TMP/neg.ini:3: [r] key 'max_regression': is negative" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/neg.ini"
printf '%s\n' '[r]' 'metric = value' 'max = 10' 'min = 20' >"$TMP/minmax.ini"
expect_error "$TMP/minmax.ini:3: [r] key 'max': is less than min" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/minmax.ini"
printf '[r\351]\nmetric = value\nmax_regression = 5%%\n' >"$TMP/latin1.ini"
expect_error "$TMP/latin1.ini:1: not UTF-8 text" gate "$TMP/base.txt" "$TMP/slow.txt" -r "$TMP/latin1.ini" --junit "$TMP/latin1.xml"
[ ! -e "$TMP/latin1.xml" ] || fail "JUnit written for a refused rules file"
expect_error "--alpha '2': not a number between 0 and 1" compare "$TMP/base.txt" "$TMP/slow.txt" --alpha 2
expect_error "needs BASE and CAND" gate "$TMP/base.txt"

# A failed command leaves earlier outputs as they were.
echo precious >"$TMP/keep.xml"
echo precious >"$TMP/keep.txt"
pb_merged gate "$TMP/base.txt" "$TMP/nan.txt" --junit "$TMP/keep.xml"
pb_merged compare "$TMP/base.txt" "$TMP/nan.txt" -o "$TMP/keep.txt"
[ "$(cat "$TMP/keep.xml")" = precious ] && [ "$(cat "$TMP/keep.txt")" = precious ] || fail "an output was damaged"
ls "$TMP" | grep -q '\.tmp-' && fail "a temporary output was left behind"
pass "outputs of failed commands left untouched"

# Issue 13, item 2: a value of 1e100 made GSL abort compare, gate and
# report --html (exit 134). They answer now, Welch's p included.
printf '1e100\n1\n' >"$TMP/huge.txt"
seq 10 >"$TMP/ten.txt"
pb_merged compare "$TMP/huge.txt" "$TMP/ten.txt"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "compare with a value of 1e100 exited $rc"; }
grep -q 'no significant change' "$TMP/out" || { cat "$TMP/out"; fail "compare with 1e100 gave no verdict"; }
pb_merged gate "$TMP/huge.txt" "$TMP/ten.txt"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "gate with a value of 1e100 exited $rc"; }
pb_merged report "$TMP/huge.txt" "$TMP/ten.txt" --html "$TMP/huge.html"
[ "$rc" -eq 0 ] && [ -s "$TMP/huge.html" ] || { cat "$TMP/out"; fail "report --html with 1e100 exited $rc"; }
pass "compare, gate and report --html answer on a value of 1e100"

# Issue 13, item 9: out of memory is a message and exit 1, not a crash on
# an unchecked realloc (20 million numbers under a 200 MB address space).
awk 'BEGIN { for (i = 0; i < 20000000; i++) print i % 7 }' >"$TMP/many.txt"
set +e
(ulimit -v 200000 && "$PINBENCH" 9>&- report "$TMP/many.txt") >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "error: out of memory" "$TMP/out" || { cat "$TMP/out"; fail "out of memory: exit $rc"; }
rm "$TMP/many.txt"
pass "out of memory is said, exit 1"
