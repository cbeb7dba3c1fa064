#!/bin/sh
# runs = auto: runs are added until the median pin latency is decided
# against the baseline, looking after every run at alpha over every look
# the run may take. A baseline made four times as fast (or slow) is decided at
# the first look that can decide (4 runs against 10); max_time stops the
# runs; a baseline too small to ever decide, or of another scenario, is
# refused before anything runs.
. "$SRCDIR/tests/integration/lib.sh"
need_root "pins need RLIMIT_MEMLOCK headroom"
need_backend io_uring

job='[pin]
type = pin
memory = anon
size = 8M
chunk = 4M'
base=$(scenario base "[global]" "runs = 10" "$job")
run "$base" -o "$TMP/base" || { cat "$TMP/out"; fail "the baseline run"; }
# the same runs, every pin four times as fast, or as slow
scaled() {
	mkdir "$TMP/$1"
	cp "$TMP/base"/*.json "$TMP/base/vmstat.csv" "$TMP/$1/"
	awk -F, -v f="$2" 'BEGIN { OFS = "," } NR == 1 { print; next } { $8 = int($8 * f); print }' \
		"$TMP/base/samples.csv" >"$TMP/$1/samples.csv"
}
scaled faster 0.25
scaled slower 4

auto() { # name, baseline, more [global] lines
	name=$1 against=$2
	shift 2
	sc=$(scenario "$name" "[global]" "runs = auto" "max_runs = 10" "baseline = $against" "$@" "$job")
	run "$sc" -o "$TMP/$name"
}

auto regressed "$TMP/faster" || { cat "$TMP/out"; fail "runs = auto against a faster baseline"; }
[ "$(json .runs_auto.stopped "$TMP/regressed/summary.json")" = regressed ] || fail "not decided: regressed"
# 3 runs against 10 cannot go below p = 0.007 > 0.05 / 9: 4 at the fewest
n=$(json '.runs | length' "$TMP/regressed/summary.json")
[ "$n" -ge 4 ] && [ "$n" -le 6 ] || fail "$n runs, where the first look that can decide is at 4"
grep -q "$n run(s) against 10: p = .*, decided at 0.00556" "$TMP/out" || { cat "$TMP/out"; fail "no look said"; }
pass "against a baseline four times as fast: regressed after $n runs (at alpha 0.05 / 9 a look)"

auto improved "$TMP/slower" || { cat "$TMP/out"; fail "runs = auto against a slower baseline"; }
[ "$(json .runs_auto.stopped "$TMP/improved/summary.json")" = improved ] || fail "not decided: improved"
pass "against a baseline four times as slow: improved"

auto timed "$TMP/base" "max_time = 1ms" || { cat "$TMP/out"; fail "runs = auto with max_time"; }
[ "$(json .runs_auto.stopped "$TMP/timed/summary.json")" = max_time ] &&
	[ "$(json '.runs | length' "$TMP/timed/summary.json")" = 1 ] || fail "max_time did not stop after one run"
pass "max_time stops the runs and says so"

small=$(scenario small "[global]" "runs = 2" "$job")
run "$small" -o "$TMP/small" || fail "the small baseline run"
sc=$(scenario few "[global]" "runs = auto" "max_runs = 3" "baseline = $TMP/small" "$job")
set +e
"$PINBENCH" 9>&- run --dry-run "$sc" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "no look within max_runs = 3 can reach" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a baseline too small to decide was not refused (exit $rc)"; }
other=$(scenario other "[global]" "runs = auto" "baseline = $TMP/base" "[pin]" "type = pin" "memory = anon" \
	"size = 16M" "chunk = 4M")
set +e
"$PINBENCH" 9>&- run "$other" -o "$TMP/other" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "did not run this scenario: scenario.pin.size" "$TMP/out" && [ ! -e "$TMP/other" ] ||
	{ cat "$TMP/out"; fail "a baseline of another scenario was not refused before running (exit $rc)"; }
pass "a baseline too small, or of another scenario, is refused before anything runs"
