#!/bin/sh
# report, compare and gate on real run directories: per-run tests, a
# directory of run directories pooled, counters that never moved known as
# zeros, and interrupted runs refused by compare but shown by report.
. "$SRCDIR/tests/integration/lib.sh"
need_root "pins need RLIMIT_MEMLOCK headroom"
need_backend io_uring

sc=$(scenario small "[global]" "runs = 3" "[pin]" "type = pin" "memory = anon" "size = 16M" "chunk = 4M" \
	"iterations = 2")
run "$sc" -o "$TMP/a" || { cat "$TMP/out"; fail "run a"; }
run "$sc" -o "$TMP/b" || { cat "$TMP/out"; fail "run b"; }
pb_merged report "$TMP/a" --format json
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "report exited $rc"; }
[ "$(jq -r '.reports[0].metrics[] | select(.metric == "pin_latency") | .n' "$TMP/out")" = 24 ] ||
	fail "report: pin_latency n is not 24 (3 runs x 2 iterations x 4 chunks)"
[ "$(jq -r '.reports[0].metrics[] | select(.metric == "pin_latency") | .between_runs.n' "$TMP/out")" = 3 ] ||
	fail "report: between-run spread is not over 3 runs"
pb_merged report "$TMP/a"
grep -q "Spread between runs" "$TMP/out" || fail "report text lacks the spread between runs"
pass "report: 24 pins, spread over 3 runs"

pb_merged compare "$TMP/a" "$TMP/b" --format json
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "compare exited $rc"; }
[ "$(jq -r '.candidates[0].test_unit' "$TMP/out")" = runs ] || fail "compare did not test per-run values"
[ "$(jq -r '.candidates[0].metrics[] | select(.metric == "pin_latency") | .n_base' "$TMP/out")" = 3 ] ||
	fail "per-run test does not have 3 values"
pb_merged compare "$TMP/a" "$TMP/b"
grep -q "too few runs to reach alpha" "$TMP/out" || fail "3 vs 3 runs: no warning that alpha is out of reach"
pass "compare tests per-run values and warns that 3 runs cannot reach alpha"

mkdir "$TMP/both"
cp -r "$TMP/a" "$TMP/both/boot-1"
cp -r "$TMP/b" "$TMP/both/boot-2"
"$PINBENCH" 9>&- compare "$TMP/both" "$TMP/a" --format json >"$TMP/out" 2>"$TMP/err" || fail "compare both a"
[ "$(jq -r '.base.runs' "$TMP/out")" = 6 ] || { cat "$TMP/out"; fail "a directory of run directories is not pooled"; }
grep -q "hold the same run" "$TMP/err" || { cat "$TMP/err"; fail "no warning that both sides hold run a"; }
pass "a directory of run directories pools their runs; a side holding the other's run is warned about"

printf '%s\n' '[latency]' 'metric = pin_latency' 'max_regression = 1000%' '' '[split]' \
	'metric = vmstat.thp_split_page_failed' 'max = 0' '' '[failures]' 'metric = failure_rate' 'max = 0' >"$TMP/r.ini"
pb_merged gate "$TMP/a" "$TMP/b" --rules "$TMP/r.ini" --junit "$TMP/j.xml"
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "gate exited $rc"; }
xmllint --noout "$TMP/j.xml" || fail "JUnit is not well-formed"
[ "$(xmllint --xpath 'count(//testcase)' "$TMP/j.xml")" = 3 ] || fail "JUnit has not one testcase per rule"
printf '%s\n' '[split]' 'metric = vmstat.thp_split_page_faild' 'max = 0' >"$TMP/typo.ini"
pb_merged gate "$TMP/a" "$TMP/b" --rules "$TMP/typo.ini"
[ "$rc" -eq 2 ] && grep -q "typo.ini:2: \[split\] key 'metric'" "$TMP/out" || { cat "$TMP/out"; fail "an unknown counter passed"; }
grep -q "did you mean vmstat.thp_split_page_failed?" "$TMP/out" || { cat "$TMP/out"; fail "a misspelt metric names no valid one"; }
pass "gate: a counter that never moved is 0, a misspelt one is an error"

cp -r "$TMP/a" "$TMP/cut"
# an interrupted run says so in both JSON files (they must agree)
jq '.complete = false' "$TMP/a/summary.json" >"$TMP/cut/summary.json"
jq '.complete = false' "$TMP/a/run.json" >"$TMP/cut/run.json"
pb_merged compare "$TMP/a" "$TMP/cut"
[ "$rc" -eq 2 ] && grep -q "interrupted run" "$TMP/out" || { cat "$TMP/out"; fail "compare took an interrupted run"; }
pb_merged report "$TMP/cut"
[ "$rc" -eq 0 ] && grep -q "INCOMPLETE" "$TMP/out" || { cat "$TMP/out"; fail "report of an interrupted run"; }
pass "interrupted runs: refused by compare, marked by report"
