#!/bin/sh
# pinbench vm over a matrix: two built kernels by two small scenarios, one
# boot each, kernels and one scenario from a matrix file, the other
# scenario on the command line (whose --boots overrides the file's). The
# boots interleave over kernels and scenarios; each scenario's runs go to
# DIR/SCENARIO/RELEASE/boot-N with its compare.txt and .json, which are
# what `pinbench compare` writes for them; matrix.txt, .md, .html and
# .json agree cell for cell, and each cell's verdict and value are its
# scenario's comparison's. Headless Chromium reads the HTML at 1400 px
# without sideways scrolling (and the check catches a page that needs
# it). A single scenario keeps the old layout; store files the matrix's
# runs under their scenarios' names; a bad matrix file is refused by
# file, line and key before any boot.
. "$SRCDIR/tests/integration/lib.sh"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
command -v busybox >/dev/null || skip "busybox is not installed"
command -v jq >/dev/null || skip "jq is not installed"

# Two stock builds of `pinbench kernel build` (6.1 and 6.12 when there).
"$PINBENCH" 9>&- kernel list >"$TMP/kernels" 2>/dev/null || true
pick() { awk -v r="$1" '$1 ~ r { print $NF; exit }' "$TMP/kernels"; }
k1=$(pick '^6[.]1[.][0-9]+-pb-stock$')
k2=$(pick '^6[.]12[.][0-9]+-pb-stock$')
[ -n "$k1" ] && [ -n "$k2" ] && [ -r "$k1" ] && [ -r "$k2" ] ||
	skip "no built 6.1 and 6.12 stock kernels (pinbench kernel build; pinbench kernel build --source 6.12)"
r1=${k1##*/vmlinuz-}
r2=${k2##*/vmlinuz-}

small() { # name, memory type
	scenario "$1" "[global]" "runs = 2" "[pin]" "type = pin" "memory = $2" "size = 64M" "chunk = 16M" \
		"iterations = 2" "reuse = no"
}
anon=$(small anon anon)
memfd=$(small memfd memfd)
printf '%s\n' "[matrix]" "kernels = $k1" "          $k2" "scenarios = anon.ini" "[vm]" "mem = 2G" \
	"movablecore = 1G" "timeout = 5m" "boots = 2" >"$TMP/ci.ini"

# Refused before any boot, by file, line and key.
printf '%s\n' "[matrix]" "kernels = $k1" "[vm]" "mem = 2G" "boots = none" >"$TMP/bad.ini"
pb vm --matrix "$TMP/bad.ini" "$anon" -o "$TMP/bad"
[ "$rc" -eq 2 ] && grep -q "bad.ini:5: \[vm\] key 'boots': 'none'" "$TMP/err" && [ ! -e "$TMP/bad" ] ||
	{ cat "$TMP/out" "$TMP/err"; fail "a bad matrix file: exit $rc"; }
pass "a bad matrix file: exit 2, $(cut -c1-90 "$TMP/err")"

m="$TMP/m"
pb vm --matrix "$TMP/ci.ini" --boots 1 "$memfd" -o "$m"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "the matrix: exit $rc"; }
order=$(sed -n 's/^\[[0-9]*\/\([0-9]*\)\] \([^:]*\): \([^,]*\), boot \([0-9]\): ok.*/\1 \2 \3 \4/p' "$TMP/out" |
	tr '\n' ' ')
[ "$order" = "4 anon $r1 1 4 anon $r2 1 4 memfd $r1 1 4 memfd $r2 1 " ] ||
	{ cat "$TMP/out"; fail "boots not interleaved over kernels and scenarios (or --boots not the command line's): $order"; }
pass "4 boots: each scenario on each kernel in turn"

# compare.txt and compare.json as `pinbench compare` writes them.
same_as_compare() { # directory of the two kernels' runs
	"$PINBENCH" 9>&- compare "$1/$r1" "$1/$r2" >"$TMP/compare.txt" 2>/dev/null
	"$PINBENCH" 9>&- compare "$1/$r1" "$1/$r2" --format json >"$TMP/compare.json" 2>/dev/null
	cmp -s "$TMP/compare.txt" "$1/compare.txt" || fail "$1/compare.txt is not what pinbench compare writes"
	cmp -s "$TMP/compare.json" "$1/compare.json" || fail "$1/compare.json is not what pinbench compare writes"
}
for s in anon memfd; do
	for r in "$r1" "$r2"; do
		[ "$(json .kernel.release "$m/$s/$r/boot-1/run.json")" = "$r" ] || fail "$m/$s/$r/boot-1 is not a run of $r"
	done
	for f in compare.txt compare.json; do [ -s "$m/$s/$f" ] || fail "no $s/$f"; done
	same_as_compare "$m/$s"
done
for f in matrix.txt matrix.md matrix.html matrix.json vm.json; do [ -s "$m/$f" ] || fail "no $f"; done
[ "$(jq -r '[.scenarios[].kernels[].boots[].status] | join(",")' "$m/vm.json")" = ok,ok,ok,ok ] ||
	fail "vm.json: not 2 scenarios of 2 kernels, each boot ok"
[ ! -e "$m/$r1" ] && [ ! -e "$m/compare.txt" ] || fail "a matrix wrote the single-scenario layout too"
pass "runs in DIR/SCENARIO/RELEASE/boot-1, each compare.txt and .json as pinbench compare writes them"

# Cell for cell: the row of each scenario and metric in each format.
row_txt() { grep "^$1  *$2  " "$m/matrix.txt" | sed 's/   */\t/g' | cut -f3-; }
row_md() { grep "^| $1  *| $2  *|" "$m/matrix.md" | sed 's/  *| */\t/g; s/^| //; s/\t$//' | cut -f3-; }
row_html() {
	grep "^<tr><td>$1</td><td>$2</td>" "$m/matrix.html" | sed 's/<\/td>/\t/g; s/<[^>]*>//g; s/\t$//' |
		sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' | cut -f3-
}
cells=0
for s in anon memfd; do
	for metric in failure_rate pin_latency; do
		label=$([ "$metric" = failure_rate ] && echo "failure rate" || echo "median pin latency")
		want=$(jq -r --arg s "$s" --arg m "$metric" \
			'[.cells[] | select(.scenario == $s) | .[$m].text] | join("\t")' "$m/matrix.json")
		[ "$(printf '%s' "$want" | tr -cd '\t' | wc -c)" -eq 1 ] || fail "matrix.json: not 2 cells of $s $metric"
		for f in txt md html; do
			got=$(row_$f "$s" "$label")
			[ "$got" = "$want" ] || fail "matrix.$f, $s $label: '$got' where matrix.json has '$want'"
		done
		cells=$((cells + 2))
	done
done
pass "matrix.txt, .md and .html hold matrix.json's $cells cells, row by row"

# Each candidate cell: the verdict and the value its scenario's compare.json has.
for s in anon memfd; do
	for metric in failure_rate pin_latency; do
		cell=$(jq -c --arg s "$s" --arg k "$r2" --arg m "$metric" \
			'.cells[] | select(.scenario == $s and .kernel == $k) | .[$m]' "$m/matrix.json")
		cmp=$(jq -c --arg m "$metric" '.candidates[0].metrics[] | select(.metric == $m)' "$m/$s/compare.json")
		[ "$(echo "$cell" | jq -r .compare_verdict)" = "$(echo "$cmp" | jq -r .verdict)" ] ||
			fail "$s $metric: matrix says '$(echo "$cell" | jq -r .compare_verdict)', compare.json '$(echo "$cmp" | jq -r .verdict)'"
		[ "$(echo "$cell" | jq .value)" = "$(echo "$cmp" | jq .cand_median)" ] ||
			fail "$s $metric: matrix value $(echo "$cell" | jq .value), compare.json $(echo "$cmp" | jq .cand_median)"
		base=$(jq --arg s "$s" --arg k "$r1" --arg m "$metric" \
			'.cells[] | select(.scenario == $s and .kernel == $k) | .[$m].value' "$m/matrix.json")
		[ "$base" = "$(echo "$cmp" | jq .base_median)" ] || fail "$s $metric: the base's value is not compare.json's"
		echo "  $s $metric: $(echo "$cell" | jq -r .text)"
	done
done
pass "every cell's verdict and value are its scenario's compare.json's"

# 1400 px without sideways scrolling: the page measured in Chromium (a
# script in a copy of it writes the widths into the DOM it dumps).
if command -v chromium >/dev/null; then
	widths() { # page, window width, extra CSS
		sed "s|</body>|<style>$3</style><script>var o = [document.documentElement.scrollWidth]; \
for (const t of document.querySelectorAll('table')) o.push(t.scrollWidth - t.clientWidth); \
document.body.insertAdjacentHTML('beforeend', '<p id=widths>' + o.join(' ') + '</p>');</script></body>|" \
			"$1" >"$TMP/measure.html"
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
			--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/chromium" \
			--window-size="$2,900" --dump-dom "file://$TMP/measure.html" 2>/dev/null |
			sed -n 's/.*<p id="widths">\([0-9 -]*\)<\/p>.*/\1/p'
	}
	fits() { # widths, window width: the page within the window, no table overflowing
		w=$2
		set -- $1
		[ $# -ge 1 ] && [ "$1" -le "$w" ] || return 1
		shift
		for x; do [ "$x" -le 0 ] || return 1; done
	}
	got=$(widths "$m/matrix.html" 1400 "")
	[ -n "$got" ] || fail "Chromium did not measure the page"
	fits "$got" 1400 || fail "matrix.html scrolls sideways at 1400 px (page width, then each table's overflow: $got)"
	bad=$(widths "$m/matrix.html" 700 "table.wrap td{white-space:nowrap}")
	[ -n "$bad" ] || fail "Chromium did not measure the unwrapped page"
	fits "$bad" 700 && fail "the check passes a page that scrolls sideways ($bad at 700 px, cells unwrapped)"
	pass "matrix.html reads at 1400 px without sideways scrolling (widths $got); unwrapped at 700 px it would not ($bad)"
fi

# store: each run under its scenario's name.
if command -v sqlite3 >/dev/null; then
	pb store --db "sqlite:$TMP/db.sqlite" "$m"
	[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "store of the matrix: exit $rc"; }
	got=$(sqlite3 "$TMP/db.sqlite" 'SELECT scenario FROM runs ORDER BY scenario' | sort -u | tr '\n' ' ')
	[ "$got" = "anon memfd " ] || fail "store named the matrix's scenarios '$got'"
	pass "store files the matrix's runs under anon and memfd"
fi

# One scenario: the layout it always had.
pb vm -k "$k1" -k "$k2" --mem 2G --movablecore 1G --timeout 5m "$anon" -o "$TMP/one"
[ "$rc" -eq 0 ] || { cat "$TMP/out" "$TMP/err"; fail "one scenario: exit $rc"; }
grep -q "^\[1/2\] $r1, boot 1: ok" "$TMP/out" || { cat "$TMP/out"; fail "one scenario: progress lines changed"; }
for f in "$r1/boot-1/run.json" "$r2/boot-1/run.json" compare.txt compare.json; do
	[ -s "$TMP/one/$f" ] || fail "one scenario: no $f"
done
[ "$(json .scenario "$TMP/one/vm.json")" = "$anon" ] && [ "$(json '.kernels | length' "$TMP/one/vm.json")" = 2 ] ||
	fail "one scenario: vm.json's layout changed"
[ ! -e "$TMP/one/matrix.txt" ] && [ ! -e "$TMP/one/anon" ] || fail "one scenario wrote a matrix"
same_as_compare "$TMP/one"
pass "one scenario: DIR/RELEASE/boot-1, DIR/compare.txt and .json (as pinbench compare writes them), vm.json as before"
