#!/bin/sh
# Issue 25, observations 4 and 8, on the seeds of results/reference.
# 4: when the candidate never pinned, compare lost the base (base "-",
#    n 0/0, JSON base_median null) while gate showed its median; the HTML
#    counted such rows among "without significant change"; with several
#    candidates a counter that stayed 0 read "only in base".
# 8: a rule that passed gave its reason in JUnit only, not in the text
#    or Markdown gate prints.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v jq >/dev/null || skip "jq is not installed"
S="$SRCDIR/results/reference/seeds"
stock="$S/lru-batch-movable/6.1.192-pb-stock"
reverted="$S/lru-batch-movable/6.1.192-pb-seed-lru-batch"
other="$S/lru-batch-vfio/6.1.192-pb-stock" # pins everything, 9 runs like stock

# The base's median of each latency, as compare gives it against a
# candidate that pinned: the same number against one that never did.
pb compare "$stock" "$other" --force --format json
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "compare of two stock kernels exited $rc"; }
cp "$TMP/out" "$TMP/pinned.json"
pb compare "$stock" "$reverted" --format json
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "compare stock reverted exited $rc"; }
cp "$TMP/out" "$TMP/never.json"
for m in pin_latency unpin_latency pin_throughput; do
	want=$(jq ".candidates[0].metrics[] | select(.metric == \"$m\") | [.base_median, .n_base]" "$TMP/pinned.json")
	got=$(jq ".candidates[0].metrics[] | select(.metric == \"$m\") | [.base_median, .n_base]" "$TMP/never.json")
	[ "$(echo "$got" | jq '.[0] != null and .[1] > 0')" = true ] && [ "$got" = "$want" ] ||
		fail "$m: base [median, n] $got against a candidate without pins, $want against one with"
	v=$(jq -r ".candidates[0].metrics[] | select(.metric == \"$m\") | .verdict" "$TMP/never.json")
	[ "$v" = "only in base" ] || fail "$m: verdict '$v'"
done
pass "compare keeps the base's numbers when the candidate never pinned"

# The text says the same, and gate the same number.
pb compare "$stock" "$reverted"
base=$(awk '$1 == "pin_latency" { print $2, $3; exit }' "$TMP/out")
n=$(awk '$1 == "pin_latency" { n++ } n == 2 { print $2; exit }' "$TMP/out")
[ "$base" != "- -" ] && [ "$n" = "9/0" ] || { cat "$TMP/out"; fail "the text shows base '$base', n '$n'"; }
pb gate "$stock" "$reverted"
gbase=$(awk '$1 == "pin_latency" && $2 == "pin_latency" { print $4, $5 }' "$TMP/out")
[ "$gbase" = "$base" ] || { cat "$TMP/out"; fail "gate shows the base at $gbase, compare at $base"; }
pass "compare's text ($base, n $n) and gate ($gbase) agree"

# The document counts the rows that only one side has apart.
pb report "$stock" "$reverted" --html "$TMP/r.html"
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "report --html exited $rc"; }
counts=$(jq -r '[.candidates[0].metrics[].verdict] | . as $v |
	def n(f): [$v[] | select(f)] | length;
	[n(. == "regressed"), n(. == "improved"), n(. == "increased" or . == "decreased"),
	 n(. != "regressed" and . != "improved" and . != "increased" and . != "decreased" and (startswith("only in") | not)),
	 n(startswith("only in"))] | map(tostring) | join(" ")' "$TMP/never.json")
# shellcheck disable=SC2086 # five counts
set -- $counts
want="$1 regressed, $2 improved, $3 changed without a better side, $4 without significant change, $5 on one side only"
grep -qF "$want" "$TMP/r.html" || { grep -o "against the base: [^<]*" "$TMP/r.html"; fail "the HTML does not say: $want"; }
pass "the HTML says: $want"

# Several candidates: a counter that stayed 0 in one is 0 there.
cma="$S/lru-batch-cma/6.1.192-pb-stock"
pb compare "$stock" "$reverted" "$cma" --force --format json
[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "compare of two candidates exited $rc"; }
v=$(jq -r '.candidates[1].metrics[] | select(.metric == "vmstat.pgmigrate_fail") | "\(.verdict) \(.cand_median)"' \
	"$TMP/out")
[ "$v" = "no change 0" ] || fail "pgmigrate_fail, which stayed 0 in [2]: '$v'"
pb compare "$stock" "$reverted" "$cma" --force
row=$(grep '^vmstat.pgmigrate_fail ' "$TMP/out" | head -1)
case $row in *"only in base"*) fail "the overview says: $row" ;; esac
echo "$row" | grep -q " no change$" || fail "the overview says: $row"
pass "with several candidates a counter that stayed 0 is 0: $row"

# Observation 8: every rule's reason, a pass's too, in text and Markdown.
vfio="$S/lru-batch-vfio"
pb gate "$vfio/6.1.192-pb-stock" "$vfio/6.1.192-pb-seed-lru-batch" --markdown "$TMP/g.md" --junit "$TMP/g.xml"
[ "$rc" -eq 1 ] || { cat "$TMP/out" "$TMP/err"; fail "gate of the vfio seed exited $rc"; }
for rule in pin_latency unpin_latency failure_rate; do
	outcome=$(awk -v r="$rule" '$1 == r && $2 == r { print $NF }' "$TMP/out")
	why=$(grep -o "<system-out>$rule [^<]*\|message=\"$rule [^\"]*" "$TMP/g.xml" | sed 's/^<system-out>//; s/^message="//' |
		sed 's/&gt;/>/g; s/&lt;/</g; s/&apos;/'"'"'/g')
	[ -n "$why" ] || fail "no reason for $rule in the JUnit file"
	grep -qF "  $rule: $why" "$TMP/out" || { cat "$TMP/out"; fail "the text gives no reason for $rule ($outcome)"; }
	grep -qF -- "- $rule: $why" "$TMP/g.md" || { cat "$TMP/g.md"; fail "the Markdown gives no reason for $rule ($outcome)"; }
done
grep -q "pin_latency: .*beyond the limit: .*not significant" "$TMP/out" ||
	fail "the pass of pin_latency does not say it was not significant"
pass "every rule gives its reason in text and Markdown, as in JUnit (a pass: beyond the limit, not significant)"
