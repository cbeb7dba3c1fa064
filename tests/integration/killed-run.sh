#!/bin/sh
# A run killed with SIGKILL: results/README promises that the .partial
# directory's vmstat.csv is valid up to the kill (issue 13, item 6: it
# was cut mid-line), that it holds no summary.json, and that analysis
# refuses it. `pinbench env restore` (the cleanup) undoes the rest.
. "$SRCDIR/tests/integration/lib.sh"
need_root "a killed run leaves journalled changes for env restore"
need_backend io_uring

sc=$(scenario killed "[global]" "vmstat_interval = 10ms" "[pin]" "type = pin" "size = 4M" "iterations = 50" \
	"hold = 100ms")
"$PINBENCH" 9>&- run -q "$sc" -o "$TMP/killed" >"$TMP/out" 2>&1 &
pid=$!
# until the sampler has written more than stdio's buffer, and an
# iteration has ended
for _ in $(seq 100); do
	f=$(ls "$TMP"/killed.partial-*/vmstat.csv 2>/dev/null || true)
	s=$(ls "$TMP"/killed.partial-*/samples.csv 2>/dev/null || true)
	[ -n "$f" ] && [ "$(wc -c <"$f")" -gt 20000 ] && [ -n "$s" ] && [ "$(wc -l <"$s")" -gt 1 ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$TMP/out"; fail "the run ended before it could be killed"; }
	sleep 0.1
done
kill -KILL "$pid"
wait "$pid" || true
dir=$(ls -d "$TMP"/killed.partial-* 2>/dev/null) || { cat "$TMP/out"; fail "no .partial directory after SIGKILL"; }
[ -s "$dir/vmstat.csv" ] || fail "no vmstat.csv"
[ "$(tail -c 1 "$dir/vmstat.csv" | od -An -c | tr -d ' ')" = '\n' ] ||
	{ tail -c 200 "$dir/vmstat.csv"; fail "vmstat.csv ends mid-line"; }
awk -F, 'NF != 4 { bad++ } END { exit bad > 0 }' "$dir/vmstat.csv" || fail "vmstat.csv has a line without 4 fields"
pass "vmstat.csv of a killed run holds whole lines ($(wc -l <"$dir/vmstat.csv") of them)"
# Issue 13, item 6: pin samples were kept in memory to the end; now each
# iteration's are on disk when it ends, in whole rows.
f="$dir/samples.csv"
[ -e "$f" ] || fail "no samples.csv after SIGKILL"
[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "samples.csv ends mid-line"
awk -F, 'NR == 1 { n = NF } NF != n { bad++ } END { exit bad > 0 }' "$f" || fail "samples.csv has a row with other than the header's fields"
[ "$(wc -l <"$f")" -gt 1 ] || fail "samples.csv of a killed run holds no sample"
"$PINBENCH" 9>&- report "$f" --column pin_ns >/dev/null || fail "the killed run's samples do not read"
pass "samples.csv of a killed run holds its $(($(wc -l <"$f") - 1)) samples, whole"
[ ! -e "$dir/summary.json" ] || fail "a killed run has a summary.json"
set +e
"$PINBENCH" 9>&- report "$dir" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { cat "$TMP/out"; fail "report of a killed run exited $rc"; }
pass "a killed run is not taken for a run"
