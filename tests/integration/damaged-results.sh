#!/bin/sh
# Issue 13, item 5: a damaged or edited run directory is refused with one
# message naming the file and the field (exit 2), never read as zeros, and
# a gate rule such as max = 0 cannot pass on it. No root needed: the run
# directories are copies of results/reference/anon.
. "$SRCDIR/tests/integration/lib.sh"

REF="$SRCDIR/results/reference/anon"
command -v jq >/dev/null || skip "needs jq"
printf '%s\n' '[fails]' 'metric = vmstat.pgmigrate_fail' 'max = 0' >"$TMP/rules.ini"

# One damage: a jq program applied to summary.json (or run.json), and the
# message expected.
damaged() { # file jq-program want
	rm -rf "$TMP/bad"
	cp -r "$REF" "$TMP/bad"
	jq "$2" "$REF/$1" >"$TMP/bad/$1"
	for cmd in "report $TMP/bad" "gate $REF $TMP/bad --rules $TMP/rules.ini"; do
		set +e
		# shellcheck disable=SC2086 # the command's words are meant to split
		"$PINBENCH" 9>&- $cmd >"$TMP/out" 2>&1
		rc=$?
		set -e
		[ "$rc" -eq 2 ] || { cat "$TMP/out"; fail "pinbench $cmd with $1 $2 exited $rc, not 2"; }
		grep -qF -- "$3" "$TMP/out" || { cat "$TMP/out"; fail "no '$3' for $1 $2"; }
	done
	pass "$1 $2: $3"
}

damaged summary.json '.runs = "x"' "$TMP/bad/summary.json: field 'runs': not an array"
damaged summary.json '[]' "$TMP/bad/summary.json: not a JSON object"
damaged summary.json '.runs[0].vmstat_delta = "x"' "field 'runs[0].vmstat_delta': not an object"
damaged summary.json '.runs[0].vmstat_delta.pgmigrate_fail = "NaN"' "field 'runs[0].vmstat_delta.pgmigrate_fail': not an integer"
damaged summary.json '.runs[0].vmstat_delta.pgmigrate_fail = 1e308' "field 'runs[0].vmstat_delta.pgmigrate_fail': not an integer"
damaged summary.json '.runs[0].run = "1"' "field 'runs[0].run': not a run number"
damaged summary.json '.complete = "yes"' "field 'complete': not true or false"
damaged summary.json '.complete = false' "run.json says complete: true but summary.json says false"
damaged run.json '.complete = false' "run.json says complete: false but summary.json says true"
damaged run.json 'del(.complete)' "$TMP/bad/run.json: field 'complete': not true or false"

# A missing run.json: the directory was cut short while it was finished.
rm -rf "$TMP/bad"
cp -r "$REF" "$TMP/bad"
rm "$TMP/bad/run.json"
set +e
"$PINBENCH" 9>&- report "$TMP/bad" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "$TMP/bad/run.json: No such file" "$TMP/out" || { cat "$TMP/out"; fail "a run directory without run.json was read ($rc)"; }
pass "a run directory without run.json is refused"

# A FIFO in place of samples.csv is refused, not waited on.
rm "$TMP/bad/samples.csv"
cp "$REF/run.json" "$TMP/bad/"
mkfifo "$TMP/bad/samples.csv"
set +e
timeout 20 "$PINBENCH" 9>&- report "$TMP/bad" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "samples.csv: not a regular file" "$TMP/out" || { cat "$TMP/out"; fail "a FIFO samples.csv: exit $rc"; }
pass "a FIFO in place of samples.csv is refused"

# The reference directory itself is fine.
"$PINBENCH" 9>&- report "$REF" >/dev/null || fail "the reference run directory is refused"
pass "the reference run directory reads"

# Issue 13, item 10: node 1e26 in samples.csv was read as node -2147483648.
rm -rf "$TMP/bad"
cp -r "$REF" "$TMP/bad"
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "node") c = i } NR == 2 { $c = "1e26" } { print }' \
	"$REF/samples.csv" >"$TMP/bad/samples.csv"
set +e
"$PINBENCH" 9>&- report "$TMP/bad" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -qF "$TMP/bad/samples.csv:2: column 'node': '1e26' is not a node number" "$TMP/out" ||
	{ cat "$TMP/out"; fail "node 1e26: exit $rc"; }
pass "node 1e26 in samples.csv is refused"
