#!/bin/sh
# The HTML report as a person sees it: headless Chromium opens the
# comparison of the reference kernels (no network, no script) and takes a
# screenshot; the page must have rendered (a fair share of the page not
# white) and its plots loaded (the two kernels' line colours, which only
# the plots draw, present in thousands of pixels). The screenshot stays
# in the build directory as report-screenshot.png.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v chromium >/dev/null || skip "chromium is not installed (apt-get install chromium)"
command -v gnuplot >/dev/null || skip "gnuplot is not installed"
command -v python3 >/dev/null || skip "python3 is not installed (reads the screenshot)"
ref="$SRCDIR/results/reference"
shot="$PWD/report-screenshot.png"

"$PINBENCH" 9>&- report "$ref/kernels/6.1.0-56-amd64" "$ref/kernels/6.12.117+deb12-amd64" \
	--html "$TMP/kernels.html" >/dev/null || fail "report --html"
rm -f "$shot"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$TMP/chromium" --window-size=1200,2600 --hide-scrollbars \
	--screenshot="$shot" "file://$TMP/kernels.html" >"$TMP/chromium.log" 2>&1 ||
	{ tail -5 "$TMP/chromium.log"; fail "chromium could not take the screenshot"; }
[ -s "$shot" ] || fail "no screenshot"
# not white; the first kernel's blue (#1f77b4), the second's orange (#ff7f0e)
set -- $(python3 "$SRCDIR/tests/integration/png-check" "$shot" 1f77b4 ff7f0e)
echo "screenshot $shot: $1 of the page not white; $2 blue and $3 orange plot pixels"
awk -v f="$1" 'BEGIN { exit !(f > 0.03) }' || fail "the page looks blank ($1 not white)"
[ "$2" -gt 3000 ] && [ "$3" -gt 2000 ] || fail "the plots did not load ($2 blue, $3 orange pixels)"
pass "Chromium rendered the report with its plots"

# A page whose plots cannot load must fail this check: the same page
# without its images.
sed 's/src="data:image[^"]*"/src="missing.svg"/g' "$TMP/kernels.html" >"$TMP/broken.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$TMP/chromium" --window-size=1200,2600 --hide-scrollbars \
	--screenshot="$TMP/broken.png" "file://$TMP/broken.html" >"$TMP/chromium.log" 2>&1 || fail "chromium (broken page)"
set -- $(python3 "$SRCDIR/tests/integration/png-check" "$TMP/broken.png" 1f77b4 ff7f0e)
[ "$2" -lt 3000 ] || [ "$3" -lt 2000 ] || fail "the check passes a page without plots ($2, $3)"
pass "the same page without its plots fails the check ($2 blue, $3 orange pixels)"
