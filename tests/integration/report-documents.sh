#!/bin/sh
# report --html and --markdown from the committed reference runs: one run,
# a comparison of two kernels (2 NUMA nodes), and a capacity sweep. Every
# SVG and every HTML file parses; the HTML inlines every plot; each plot's
# .gp re-renders it from its .dat; Markdown links name files that exist;
# without gnuplot the documents keep their tables and say why plots are
# missing.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v xmllint >/dev/null || skip "xmllint is not installed"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
command -v jq >/dev/null || skip "jq is not installed"
ref="$SRCDIR/results/reference"

pb_ok() { # pinbench ARGS, which must succeed
	pb "$@"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "pinbench $* exited $rc"; }
}

# name, expected plots, inputs
check_html() {
	name=$1
	want=$2
	shift 2
	pb_ok report "$@" --html "$TMP/$name.html"
	xmllint --noout "$TMP/$name.html" || fail "$name.html is not well-formed"
	xmllint --html --noout "$TMP/$name.html" 2>"$TMP/lint" || { cat "$TMP/lint"; fail "$name.html does not parse as HTML"; }
	n=0
	for svg in "$TMP/$name-plots"/*.svg; do
		xmllint --noout "$svg" || fail "$svg does not parse"
		n=$((n + 1))
	done
	[ "$n" -eq "$want" ] || fail "$name: $n SVG plots, expected $want"
	imgs=$(grep -o '<img alt="[^"]*" src="data:image/svg+xml;base64,' "$TMP/$name.html" | wc -l)
	[ "$imgs" -eq "$want" ] || fail "$name.html inlines $imgs plots, expected $want"
	grep -q 'src="http\|<script' "$TMP/$name.html" && fail "$name.html fetches from the network or runs script"
	pass "$name.html: $n plots inlined, HTML and SVG parse"
}

check_html one 4 "$ref/anon"
grep -q "All 60 pins succeeded" "$TMP/one.html" || fail "one run: no summary of the pins first"
grep -q "drop_caches writes" "$TMP/one-plots/vmstat-0.gp" || fail "one run: drop_caches writes not marked"
grep -q "6.18\|Scenario" "$TMP/one.html" || fail "one run: no environment or scenario"

check_html kernels 6 "$ref/kernels/6.1.0-56-amd64" "$ref/kernels/6.12.117+deb12-amd64"
grep -q "node1" "$TMP/kernels-plots/nodes.dat" || fail "kernels: no per-node bars"
[ "$(grep -c 'node [01]' "$TMP/kernels-plots/cdf.gp")" -ge 4 ] || fail "kernels: the CDF lacks a line per kernel and node"
grep -q "against the base: " "$TMP/kernels.html" || fail "kernels: no verdict summary"
# One verdict model: the documents say what the terminal says. 4 runs a
# side cannot reach the family's alpha, so every changed metric is
# undecided, never "without significant change", and the reason, the
# warm-up warnings and what differs are in the document too.
grep -q "against the base: 0 regressed, 0 improved, 11 undecided (too few runs)" "$TMP/kernels.html" ||
	fail "kernels: the summary does not count the undecided metrics as undecided"
grep -q "[0-9] without significant change" "$TMP/kernels.html" &&
	fail "kernels: undecided metrics summed up as without significant change"
grep -q "6 runs a side can" "$TMP/kernels.html" || fail "kernels: no runs needed to decide"
[ "$(grep -c "looks like a warm-up" "$TMP/kernels.html")" -eq 2 ] || fail "kernels: not both warm-up warnings in the HTML"
grep -q "what differs" "$TMP/kernels.html" || fail "kernels: no differences in the HTML"
grep -q "max-width:1400px" "$TMP/kernels.html" || fail "kernels: the page is not laid out for 1400 px"
grep -q '<pre>{' "$TMP/kernels.html" && fail "kernels: the environment is raw JSON"
grep -q "8540383" "$TMP/kernels-plots/changes-1.dat" || fail "kernels: undecided rows not drawn in the undecided colour"
grep -q '"vmstat.nr_' "$TMP/kernels-plots/changes-1.dat" && fail "kernels: a gauge drawn in the change plot"
awk '$3 < -100 || $4 < -100 { exit 1 }' "$TMP/kernels-plots/changes-1.dat" || fail "kernels: a change below -100 % plotted"
pass "kernels: HTML says undecided (6 runs a side can), carries warnings and differences, environment as a table"

check_html hostcmp 6 "$ref/anon" "$ref/anon-thp" --force
grep -q 'class="callout good"' "$TMP/hostcmp.html" || fail "anon-thp against anon: the improvement is not the first thing said"

check_html capacity 1 "$ref/capacity"
grep -q "Largest size per node" "$TMP/capacity.html" || fail "capacity: no largest size"
grep -q "extrapolated" "$TMP/capacity.html" || fail "capacity: extrapolation not flagged"

# Each .gp draws its plot again, in its directory, from its .dat.
rm "$TMP/kernels-plots/cdf.svg"
(cd "$TMP/kernels-plots" && gnuplot cdf.gp) || fail "cdf.gp does not re-render"
xmllint --noout "$TMP/kernels-plots/cdf.svg" || fail "the re-rendered cdf.svg does not parse"
pass "a plot re-renders from its .gp and .dat"

mkdir -p "$TMP/md"
pb_ok report "$ref/kernels/6.1.0-56-amd64" "$ref/kernels/6.12.117+deb12-amd64" --markdown "$TMP/md/k.md"
for link in $(grep -o '](k-plots/[^)]*)' "$TMP/md/k.md" | sed 's/^](//; s/)$//'); do
	[ -s "$TMP/md/$link" ] || fail "k.md links $link, which is missing"
done
[ "$(grep -c '](k-plots/' "$TMP/md/k.md")" -eq 6 ] || fail "k.md does not link 6 plots"
grep -q '^| metric (median)' "$TMP/md/k.md" || fail "k.md has no comparison table"
grep -q "undecided: too few runs" "$TMP/md/k.md" || fail "k.md: verdicts not undecided"
grep -q "6 runs a side can" "$TMP/md/k.md" || fail "k.md: no runs needed to decide"
grep -q "looks like a warm-up" "$TMP/md/k.md" || fail "k.md: no warm-up warning"
grep -q "^| what differs" "$TMP/md/k.md" || fail "k.md: no differences table"
"$PINBENCH" 9>&- compare "$ref/kernels/6.1.0-56-amd64" "$ref/kernels/6.12.117+deb12-amd64" --format json >"$TMP/k.json" 2>/dev/null || true
jq -e '.candidates[0].runs_a_side_to_decide == 6 and (.candidates[0].undecided_reason | test("6 runs a side can"))
	and ([.candidates[0].metrics[] | select(.outcome == "undecided (too few runs)")] | length) == 11' "$TMP/k.json" >/dev/null ||
	fail "compare JSON: no runs_a_side_to_decide = 6, reason or 11 undecided outcomes"
pass "Markdown: 6 plots beside it, tables inline"

pb_ok report "$ref/anon" --markdown "$TMP/png.md" --png
[ "$(ls "$TMP/png-plots"/*.png | wc -l)" -eq 4 ] || fail "--png: not 4 PNG plots"
head -c 8 "$TMP/png-plots/cdf.png" | grep -q PNG || fail "--png: cdf.png is not a PNG"
pass "--png draws PNG plots"

# No gnuplot: tables, and one note that says why.
mkdir "$TMP/bin"
for p in gzip; do ln -s "$(command -v $p)" "$TMP/bin/$p"; done
PATH="$TMP/bin" pb_ok report "$ref/anon" --html "$TMP/plain.html"
grep -q "gnuplot is not installed" "$TMP/plain.html" || fail "without gnuplot: no note in the document"
grep -q "gnuplot is not installed" "$TMP/err" || fail "without gnuplot: no note on stderr"
grep -q "<img" "$TMP/plain.html" && fail "without gnuplot: images anyway"
grep -q "<table>" "$TMP/plain.html" || fail "without gnuplot: no tables"
pass "without gnuplot: tables and one note"

set +e
"$PINBENCH" 9>&- report "$ref/anon" --html "$TMP/x.html" --markdown "$TMP/x.md" >/dev/null 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--html with --markdown: exit $rc, expected 2"
pass "--html and --markdown together are refused"
