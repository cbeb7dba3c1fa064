#!/bin/sh
# Issue 25, observation 11: the small faults of the command line. A usage
# error is one line that says what is wrong and where the help is (it
# printed 27 to 36 lines of usage); help of a topic that does not exist
# fails; each message says the right thing; an output file that cannot be
# written fails before anything is printed. No root needed, nothing runs.
. "$SRCDIR/tests/integration/lib.sh"
REF="$SRCDIR/results/reference"

# usage_error CMD ARGS...: exit 2, one line, "see 'pinbench CMD --help'".
usage_error() {
	pb_merged "$@"
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -qF "see 'pinbench $1 --help'" "$TMP/out" ||
		{ cat "$TMP/out"; fail "pinbench $*: exit $rc, not one line pointing at pinbench $1 --help"; }
}
usage_error compare
usage_error compare --alpha 2 a b
usage_error compare --bogus a b
usage_error compare a b --alpha
usage_error compare --plan 5 a
usage_error report
usage_error report --format xml a
usage_error report -x a
usage_error gate a
usage_error gate --inconclusive maybe a b
usage_error gate --max-regression lots a b
usage_error history --last 0
usage_error history extra
usage_error history --identity XYZ
usage_error store
usage_error store --bogus
usage_error run
usage_error run --bogus x.ini
usage_error capacity
usage_error capacity --bogus x.ini
usage_error vm
usage_error vm --numa 0 x.ini
usage_error env bogus
usage_error env movable
usage_error kernel
usage_error kernel bogus
usage_error kernel build --bogus
usage_error kernel build extra
pass "every usage error is one line pointing at the command's --help"

pb_merged compare --bogus a b
grep -qF "unknown option '--bogus'" "$TMP/out" || { cat "$TMP/out"; fail "an unknown option is not named"; }
pb_merged compare a b --alpha
grep -qF "option '--alpha' needs an argument" "$TMP/out" || { cat "$TMP/out"; fail "a missing argument is not named"; }
pass "an unknown option and a missing argument are named"

pb_merged help bogus
[ "$rc" -eq 2 ] && grep -qF "no command or topic 'bogus'" "$TMP/out" || { cat "$TMP/out"; fail "help bogus exited $rc"; }
pb help compare
[ "$rc" -eq 0 ] && grep -q "^usage: pinbench compare BASE CAND" "$TMP/out" || { cat "$TMP/out"; fail "help compare"; }
pass "help bogus fails; help COMMAND is the command's --help"

pb_merged gate a b c
[ "$rc" -eq 2 ] && grep -qF "gate: takes one BASE and one CAND, not 3 operands (compare takes several candidates)" \
	"$TMP/out" || { cat "$TMP/out"; fail "gate a b c: $(cat "$TMP/out")"; }
pass "gate a b c says it takes one candidate"

for cmd in "compare $REF/anon $REF/anon-thp --force" "report $REF/anon" "gate $REF/anon $REF/anon"; do
	# shellcheck disable=SC2086 # the command's words are meant to split
	pb_merged $cmd --warmup 99
	[ "$rc" -eq 2 ] && grep -qF "the warm-up of 99 iterations leaves no pin: its runs have 3 iterations" "$TMP/out" ||
		{ cat "$TMP/out"; fail "pinbench $cmd --warmup 99: $(cat "$TMP/out")"; }
done
pass "a warm-up that leaves nothing says so"

pb_merged report "$REF/anon" --png
[ "$rc" -eq 2 ] && grep -qF -- "--png draws the plots of --html or --markdown" "$TMP/out" ||
	{ cat "$TMP/out"; fail "report --png without a document: exit $rc"; }
pb_merged history --db "sqlite:$TMP/none.db" --png
[ "$rc" -eq 2 ] && grep -qF -- "--png draws the plots of --html" "$TMP/out" ||
	{ cat "$TMP/out"; fail "history --png without --html: exit $rc"; }
pass "--png without a document is refused"

dup=$(scenario dup "[p]" "type = pin" "size = 4M" "" "[q]" "type = pin" "size = 4M" "[p]" "chunk = 1M")
pb_merged run --dry-run "$dup"
[ "$rc" -eq 2 ] && grep -qF "$dup:8: section [p] appears twice (first on line 1)" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a duplicate section: $(cat "$TMP/out")"; }
printf '%s\n' '[lat]' 'metric = pin_latency' '[lat]' 'max_regression = 5%' >"$TMP/rules.ini"
pb_merged gate "$REF/anon" "$REF/anon" --rules "$TMP/rules.ini"
[ "$rc" -eq 2 ] && grep -qF "$TMP/rules.ini:3: section [lat] appears twice (first on line 1)" "$TMP/out" ||
	{ cat "$TMP/out"; fail "a duplicate rules section: $(cat "$TMP/out")"; }
pass "a section given twice is reported as such"

for opt in --junit --markdown; do
	pb gate "$REF/anon" "$REF/anon" $opt "$TMP/no/such/dir/out"
	[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] && grep -qF "$TMP/no/such/dir/out" "$TMP/err" ||
		{ cat "$TMP/out" "$TMP/err"; fail "gate $opt to an unwritable path: exit $rc, or the table was printed"; }
done
pb compare "$REF/anon" "$REF/anon" -o "$TMP/no/such/dir/out"
[ "$rc" -eq 2 ] && [ ! -s "$TMP/out" ] || { cat "$TMP/out" "$TMP/err"; fail "compare -o to an unwritable path"; }
pass "an output file that cannot be written fails before anything is printed"

pb_merged report "$REF/capacity"
[ "$rc" -eq 2 ] && ! grep -q "pinbench capacity" "$TMP/out" && grep -qF -- "--html" "$TMP/out" ||
	{ cat "$TMP/out"; fail "report of a sweep suggests a command that runs one"; }
pass "report of a capacity sweep suggests only what reads it"

# run --dry-run takes several scenarios; capacity has a dry run.
good=$(scenario good "[p]" "type = pin" "size = 4M")
pb_merged run --dry-run "$good" "$dup"
[ "$rc" -eq 2 ] && grep -q "^good: " "$TMP/out" && grep -qF "$dup:8: section [p] appears twice" "$TMP/out" ||
	{ cat "$TMP/out"; fail "run --dry-run of two scenarios: exit $rc"; }
pb_merged run --dry-run "$good" "$good" -o "$TMP/r"
[ "$rc" -eq 2 ] && grep -qF "see 'pinbench run --help'" "$TMP/out" || { cat "$TMP/out"; fail "-o with two scenarios"; }
pb_merged capacity --dry-run "$REF/capacity.ini" -o "$TMP/sweep"
if [ "$rc" -eq 3 ]; then # the machine cannot run the points: said, as a run would
	grep -q "^point-01: pin.size=" "$TMP/out" && [ ! -e "$TMP/sweep" ] || { cat "$TMP/out"; fail "capacity --dry-run (3)"; }
else
	[ "$rc" -eq 0 ] && [ "$(grep -c '^point-0[123]: pin.size=' "$TMP/out")" -eq 3 ] &&
		[ "$(grep -c "^dry run: the scenario is valid" "$TMP/out")" -eq 3 ] && [ ! -e "$TMP/sweep" ] ||
		{ cat "$TMP/out"; fail "capacity --dry-run: exit $rc, or it wrote $TMP/sweep"; }
fi
pb_merged capacity --dry-run "$REF/capacity.ini" -o "$REF/capacity"
[ "$rc" -eq 0 ] && [ "$(grep -c "complete in $REF/capacity/point-0[123]: kept" "$TMP/out")" -eq 3 ] ||
	{ cat "$TMP/out"; fail "capacity --dry-run of a finished sweep"; }
pass "run --dry-run checks each scenario; capacity --dry-run checks every point and writes nothing"
