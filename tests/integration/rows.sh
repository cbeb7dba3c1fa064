#!/bin/sh
# A run writes one samples.csv row per pin call: runs x iterations x chunks
# x nodes, and the run directory carries the contract's fields.
. "$SRCDIR/tests/integration/lib.sh"
need_backend io_uring

f=$(scenario rows "[global]" "runs = 2" "seed = 7" "vmstat_interval = 20ms" \
	"[p]" "type = pin" "nodes = all" "size = 4M" "chunk = 1M" "iterations = 3" "hold = 50ms")
run "$f" -o "$TMP/r" || { cat "$TMP/out"; fail "run failed"; }
nodes=$(json '.jobs[0].nodes | length' "$TMP/r/run.json")
want=$((2 * 3 * 4 * nodes))
rows=$(($(wc -l <"$TMP/r/samples.csv") - 1))
[ "$rows" -eq "$want" ] || fail "$rows sample rows, want $want"
pass "$rows rows = 2 runs x 3 iterations x 4 chunks x $nodes node(s)"

head -1 "$TMP/r/samples.csv" | grep -q '^run,iteration,job,node,chunk,bytes,start_ns,pin_ns,errno,error,unpin_ns' ||
	fail "samples.csv header: $(head -1 "$TMP/r/samples.csv")"
# every row: a positive pin time; errno 0 with an unpin time, or a named error
awk -F, 'NR > 1 && !($8 > 0 && (($9 == 0 && $11 > 0) || ($9 > 0 && $10 != ""))) { bad++ }
	END { exit bad > 0 }' "$TMP/r/samples.csv" || fail "malformed sample rows"
for run in 1 2; do
	n=$(awk -F, -v r=$run 'NR > 1 && $1 == r' "$TMP/r/samples.csv" | wc -l)
	[ "$n" -eq $((want / 2)) ] || fail "run $run has $n rows"
done
pass "rows well-formed, split evenly between runs"

s="$TMP/r/summary.json"
[ "$(json .schema_version "$s")" = 1 ] || fail "schema_version"
[ "$(json .complete "$s")" = true ] || fail "complete"
[ "$(json .pin.ops "$s")" -eq "$want" ] || fail "pin.ops"
for q in p50 p90 p99 max; do
	[ "$(json ".pin.latency_ns.$q > 0" "$s")" = true ] || fail "pin.latency_ns.$q"
done
node=$(json '.jobs[0].nodes[0]' "$TMP/r/run.json")
[ "$(json ".nodes.\"$node\".pin.ops" "$s")" -gt 0 ] || fail "nodes.$node.pin.ops"
[ "$(json '.runs | length' "$s")" -eq 2 ] || fail "runs[]"
[ "$(json '.vmstat_delta | length' "$s")" -gt 0 ] || fail "vmstat_delta empty"
pass "summary.json fields"

r="$TMP/r/run.json"
for k in .schema_version .tool.version .kernel.release .kernel.cmdline .scenario.text .seed \
	.started .ended .topology.numa_nodes .memory.zones .knobs; do
	[ "$(json "$k != null" "$r")" = true ] || fail "run.json lacks $k"
done
[ "$(json .seed "$r")" = 7 ] || fail "seed not recorded"
grep -q 'size = 4M' "$TMP/r/run.json" || fail "scenario text not recorded"
pass "run.json fields"

head -1 "$TMP/r/vmstat.csv" | grep -qx 'time_ns,node,counter,value' || fail "vmstat.csv header"
# 6 holds of 50 ms at 20 ms: at least 15 samples, even on a loaded machine 5
samples=$(json .vmstat_samples "$r")
[ "$samples" -ge 5 ] || fail "the sampler took $samples samples"
# the first sample writes every counter of /proc/vmstat
first=$(awk -F, 'NR == 2 { t = $1 } NR > 1 && $1 == t && $2 == "all"' "$TMP/r/vmstat.csv" | wc -l)
[ "$first" -ge "$(wc -l </proc/vmstat)" ] || fail "first sample has $first counters"
if [ -r "/sys/devices/system/node/node$node/vmstat" ]; then
	grep -q ",$node,nr_free_pages," "$TMP/r/vmstat.csv" || fail "no per-node vmstat rows for node $node"
fi
# run.json counts the rows, which the readers hold the file against
[ "$(json .vmstat_rows "$r")" -eq $(($(wc -l <"$TMP/r/vmstat.csv") - 1)) ] ||
	fail "run.json's vmstat_rows $(json .vmstat_rows "$r") is not vmstat.csv's $(($(wc -l <"$TMP/r/vmstat.csv") - 1)) rows"
pass "vmstat.csv: $samples samples, the first with all $first counters, its rows counted in run.json"
