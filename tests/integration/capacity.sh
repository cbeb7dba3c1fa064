#!/bin/sh
# pinbench capacity: a sweep of 3 sizes runs with progress and ETA, fits
# pin time against size on real pins, finds the largest size under the
# failure target and flags extrapolated plans; an interrupted point is
# kept aside and run again on resume while complete points are kept; a
# directory of another sweep and bad [sweep] keys are refused.
. "$SRCDIR/tests/integration/lib.sh"
need_root "the sweep creates a movable zone"
need_movable
need_backend io_uring

sc=$(scenario sweep "[global]" "runs = 2" "movable = 256M" "[pin]" "type = pin" "memory = anon" \
	"size = 32M" "chunk = 16M" "iterations = 3" "reuse = no" \
	"[sweep]" "pin.size = 32M, 64M, 128M" "max_failure_rate = 10%" "plan = 4G, 64G")

cap() {
	set +e
	"$PINBENCH" 9>&- capacity "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
}

cap "$sc" -o "$TMP/cap"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "capacity exited $rc"; }
cat "$TMP/out"
grep -q '^\[3/3\] pin.size=128M: .* ETA' "$TMP/out" || fail "no progress with ETA"
c="$TMP/cap/capacity.json"
[ "$(json .complete_points "$c")" = 3 ] || fail "not 3 complete points"
slope=$(json '.nodes[0].fit.slope_s_per_gib' "$c")
r2=$(json '.nodes[0].fit.r2' "$c")
awk -v s="$slope" -v r="$r2" 'BEGIN { exit !(s > 0 && r > 0.5) }' ||
	fail "the fit is not of pin time growing with size (slope $slope s/GiB, R^2 $r2)"
[ "$(json '.nodes[0].largest_size_within_target' "$c")" = 134217728 ] ||
	fail "largest size shown within 10% failures (48 pins: Wilson upper bound 7.4%) is not 128 MiB"
[ "$(json '.plan[1].extrapolated' "$c")" = true ] || fail "a 64G plan is not flagged as extrapolated"
lo=$(json '.plan[0].prediction_interval[0]' "$c")
hi=$(json '.plan[0].prediction_interval[1]' "$c")
awk -v l="$lo" -v h="$hi" 'BEGIN { exit !(l < h) }' || fail "no prediction interval for the plan"
pass "3 points; $slope s/GiB, R^2 $r2; plan intervals and extrapolation"

# Resume: point 2 interrupted (complete = false), point 3 never run.
jq '.complete = false' "$TMP/cap/point-02/summary.json" >"$TMP/s" && mv "$TMP/s" "$TMP/cap/point-02/summary.json"
mv "$TMP/cap/point-03" "$TMP/gone"
cap "$sc" -o "$TMP/cap"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "resume exited $rc"; }
grep -q "resuming the sweep" "$TMP/out" || fail "no resume"
grep -q '^\[1/3\] pin.size=32M: complete, kept' "$TMP/out" || fail "point 1 not kept"
grep -q '^\[2/3\] pin.size=64M: [0-9.]* s' "$TMP/out" || fail "point 2 not run again"
grep -q '^\[3/3\] pin.size=128M: [0-9.]* s' "$TMP/out" || fail "point 3 not run"
ls -d "$TMP/cap/point-02.interrupted-"* >/dev/null || fail "the interrupted attempt was not kept aside"
pass "resume keeps complete points, keeps the interrupted attempt aside, runs the rest"

other=$(scenario other "[pin]" "type = pin" "size = 16M" "[sweep]" "pin.chunk = 4M, 8M")
cap "$other" -o "$TMP/cap"
[ "$rc" -eq 2 ] && grep -q "not a sweep of this scenario" "$TMP/err" || fail "another sweep's directory accepted"
bad=$(scenario bad "[pin]" "type = pin" "size = 16M" "[sweep]" "pin.size = 8M, lots")
cap "$bad" -o "$TMP/bad"
[ "$rc" -eq 2 ] && grep -q "bad.ini:5: \[sweep\] key 'pin.size' = 'lots'" "$TMP/err" ||
	{ cat "$TMP/err"; fail "a bad sweep value is not named by file, line and key"; }
[ ! -e "$TMP/bad" ] || fail "a refused sweep created its directory"
set +e
"$PINBENCH" 9>&- run -q "$sc" -o "$TMP/r" 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "pinbench capacity" "$TMP/err" || fail "run of a sweep file does not point to capacity"
pass "bad sweeps refused with file, line and key"
