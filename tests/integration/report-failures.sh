#!/bin/sh
# report says why pins failed (issue 25, observation 6): on the first
# seed's reverted 6.1 build every pin failed, and text, Markdown, HTML
# and JSON each carry the failures by errno, those attributed to a
# failed migration, the tracepoint's pages per boot and the movable
# fraction, run by run and boot by boot; a run that left pinned pages in
# ZONE_MOVABLE raises the kernel-bug alarm in every format; a run where
# nothing failed has no such section. No table is printed empty.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
ref="$SRCDIR/results/reference"
seed="$ref/seeds/lru-batch-movable/6.1.192-pb-seed-lru-batch"

pb_ok() {
	pb "$@"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "pinbench $* exited $rc"; }
}

# Every row a boot's run or a boot's totals, in text: run, pins, failed,
# errno, migration... (columns of two or more spaces).
pb_ok report "$seed"
grep -q "^Why pins failed" "$TMP/out" || { cat "$TMP/out"; fail "text report: no 'Why pins failed'"; }
for b in 1 2 3; do
	for r in 1 2 3; do
		grep -Eq "^boot-$b run $r +20 +20 +ENOMEM 20 +20 " "$TMP/out" ||
			{ cat "$TMP/out"; fail "text report: no row for boot-$b run $r with 20 of 20 ENOMEM by migration"; }
	done
	grep -Eq "^boot-$b \(all runs\) +60 +60 +ENOMEM 60 +60 +- +0 +0 +245640 +120 " "$TMP/out" ||
		{ cat "$TMP/out"; fail "text report: boot-$b's totals lack the tracepoint's 245640 migrated, 120 failed"; }
done
grep -q "^Spread between runs" "$TMP/out" && fail "text report: an empty 'Spread between runs' table"
grep -q "^metric  *(one value per run)" "$TMP/out" && fail "text report: an empty spread table"
pass "text: 12 rows of failures, the tracepoint per boot, no empty table"

pb_ok report "$seed" --format json
jq -e '.reports[0].failures | length == 12' "$TMP/out" >/dev/null || fail "JSON: not 12 failure records"
jq -e '[.reports[0].failures[] | select(.directory) | .pages_failed] == [120, 120, 120]' "$TMP/out" >/dev/null ||
	fail "JSON: the boots' pages_failed are not 120 each"
jq -e '[.reports[0].failures[] | select(.directory | not) | .by_errno] | unique == ["ENOMEM 20"]' "$TMP/out" \
	>/dev/null || fail "JSON: runs' by_errno are not all 'ENOMEM 20'"
jq -e '.reports[0].failures[0] | .migration == 20 and .movable_fraction_before == 1' "$TMP/out" >/dev/null ||
	fail "JSON: the first run's migration or movable fraction is wrong"
pass "JSON: the same records"

pb_ok report "$seed" --markdown "$TMP/r.md"
pb_ok report "$seed" --html "$TMP/r.html"
grep -q "Why pins failed" "$TMP/r.md" || fail "Markdown report: no 'Why pins failed'"
grep -Eq "^\| boot-2 \(all runs\) +\| 60 +\| 60 +\| ENOMEM 60 +\|" "$TMP/r.md" || fail "Markdown report: no row of boot-2's totals"
grep -q "Why pins failed" "$TMP/r.html" || fail "HTML report: no 'Why pins failed'"
grep -q "<td>boot-3 run 2</td>" "$TMP/r.html" || fail "HTML report: no row of boot-3 run 2"
pass "Markdown and HTML carry the table"

# A run whose pinned pages stayed in ZONE_MOVABLE: the kernel-bug alarm
# that run prints, now in every view of it.
cp -r "$ref/anon" "$TMP/anon"
jq '.unpinnable_pages = 7 | .runs[0].unpinnable_pages = 7' "$ref/anon/summary.json" >"$TMP/anon/summary.json"
pb_ok report "$TMP/anon"
grep -q '!!! 7 pinned pages were found in ZONE_MOVABLE or CMA' "$TMP/out" || { cat "$TMP/out"; fail "text: no alarm"; }
grep -Eq "^anon run 1 +[0-9]+ +0 +- .* 7 +" "$TMP/out" || { cat "$TMP/out"; fail "text: run 1 lacks its 7 pages"; }
pb_ok report "$TMP/anon" --format json
jq -e '.reports[0].unpinnable_pages == 7' "$TMP/out" >/dev/null || fail "JSON: unpinnable_pages is not 7"
pb_ok report "$TMP/anon" --markdown "$TMP/a.md"
pb_ok report "$TMP/anon" --html "$TMP/a.html"
grep -q '7 pinned pages were found in ZONE_MOVABLE' "$TMP/a.md" || fail "Markdown: no alarm"
grep -q 'callout bad">!!! 7 pinned pages' "$TMP/a.html" || fail "HTML: no alarm"
pass "pinned pages left in ZONE_MOVABLE raise the alarm in text, JSON, Markdown and HTML"

pb_ok report "$ref/anon"
grep -q "Why pins failed" "$TMP/out" && fail "a run without a failure has a failures section"
pass "nothing failed: no failures section"
