#!/bin/sh
# Issue 25, observation 3: a run directory is checked against itself on
# read. Every run directory of results/reference is damaged in several
# ways (samples.csv cut at bytes spread over the file and just before its
# last newline, a row dropped or repeated, a number that is not written
# whole, vmstat.csv missing, cut or holding garbage); report, gate and
# store must each refuse it with one line naming the damaged file, exit
# 2, and store nothing. The undamaged directories all still read.
READS_ONLY=yes
. "$SRCDIR/tests/integration/lib.sh"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (it counts stored runs)"

REF="$SRCDIR/results/reference"
dirs=$(find "$REF" -name summary.json ! -path '*/failed/*' | sed 's|/summary.json$||' | sort)
[ -n "$dirs" ] || fail "no run directory under $REF"

# refused DIR FILE WHAT: report, gate and store refuse the damaged copy
# $TMP/bad (of DIR) with one line naming $TMP/bad/FILE; nothing stored.
refused() {
	for cmd in report gate store; do
		case $cmd in
		report) set -- "$1" "$2" "$3" report "$TMP/bad" ;;
		gate) set -- "$1" "$2" "$3" gate "$1" "$TMP/bad" ;;
		store) set -- "$1" "$2" "$3" store --db "sqlite:$TMP/db" "$1" "$TMP/bad" ;;
		esac
		d=$1 file=$2 what=$3
		shift 3
		rm -f "$TMP/db"*
		pb_merged "$@"
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -qF "$TMP/bad/$file" "$TMP/out" || {
			cat "$TMP/out"
			fail "pinbench $* ($what of ${d#"$REF"/}): exit $rc, not one line naming $file and exit 2"
		}
		if [ "$cmd" = store ] && [ -e "$TMP/db" ]; then
			n=$(sqlite3 "$TMP/db" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
			[ "$n" -eq 0 ] || fail "store of $what of ${d#"$REF"/} stored $n run(s)"
		fi
		set -- "$d" "$file" "$what"
	done
}

# damage DIR: a fresh copy of DIR in $TMP/bad.
damage() { rm -rf "$TMP/bad" && cp -r "$1" "$TMP/bad"; }

ndirs=0
for d in $dirs; do
	ndirs=$((ndirs + 1))
	pb report "$d"
	[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "${d#"$REF"/} no longer reads (exit $rc)"; }
	size=$(wc -c <"$d/samples.csv")
	lines=$(wc -l <"$d/samples.csv")
	# Cut points spread over the file, different in every directory, and
	# the last newline alone.
	# (modulo the size: a small file in a late directory is still cut)
	for cut in $(((size / 10 + ndirs) % size)) $(((size / 3 + 7 * ndirs) % size)) $((size / 2)) \
		$(((size * 9 / 10 + size - ndirs % size) % size)) $((size - 1)); do
		damage "$d"
		head -c "$cut" "$d/samples.csv" >"$TMP/bad/samples.csv"
		refused "$d" samples.csv "samples.csv cut at byte $cut of $size"
	done
	# Whole lines: the last one dropped, one in the middle dropped, one repeated.
	damage "$d"
	head -n $((lines - 1)) "$d/samples.csv" >"$TMP/bad/samples.csv"
	refused "$d" samples.csv "samples.csv without its last row"
	damage "$d"
	mid=$((lines / 2 + 1))
	sed "${mid}d" "$d/samples.csv" >"$TMP/bad/samples.csv"
	refused "$d" samples.csv "samples.csv without row $mid"
	damage "$d"
	sed "${mid}p" "$d/samples.csv" >"$TMP/bad/samples.csv"
	refused "$d" samples.csv "samples.csv with row $mid twice"
	# A number that is not written whole: pin_ns (column 8) as a decimal
	# fraction, bytes (column 6) with an exponent.
	damage "$d"
	awk -F, -v OFS=, -v m="$mid" 'NR == m { $8 = $8 ".5" } { print }' "$d/samples.csv" >"$TMP/bad/samples.csv"
	refused "$d" samples.csv "a pin_ns with a fraction"
	damage "$d"
	awk -F, -v OFS=, -v m="$mid" 'NR == m { $6 = "1e3" } { print }' "$d/samples.csv" >"$TMP/bad/samples.csv"
	refused "$d" samples.csv "bytes written 1e3"
	# vmstat.csv: missing, cut in its middle, a value that is not a number.
	vsize=$(wc -c <"$d/vmstat.csv")
	vlines=$(wc -l <"$d/vmstat.csv")
	damage "$d"
	rm "$TMP/bad/vmstat.csv"
	refused "$d" vmstat.csv "no vmstat.csv"
	# Cut inside a line: these directories were written before run.json
	# counted vmstat.csv's rows (a cut between lines is checked below).
	cut=$((vsize / 2 + ndirs))
	[ "$(head -c "$cut" "$d/vmstat.csv" | tail -c 1 | od -An -c | tr -d ' ')" != '\n' ] || cut=$((cut + 1))
	damage "$d"
	head -c "$cut" "$d/vmstat.csv" >"$TMP/bad/vmstat.csv"
	refused "$d" vmstat.csv "vmstat.csv cut at byte $cut"
	# Samples spliced in from another time: time going back.
	damage "$d"
	awk -F, -v OFS=, -v m=$((vlines / 3 + 2)) 'NR == m { $1 = 0 } { print }' "$d/vmstat.csv" \
		>"$TMP/bad/vmstat.csv"
	refused "$d" vmstat.csv "a vmstat.csv row back in time"
	damage "$d"
	awk -F, -v OFS=, -v m=$((vlines * 2 / 3)) 'NR == m { $4 = $4 "x" } { print }' "$d/vmstat.csv" \
		>"$TMP/bad/vmstat.csv"
	refused "$d" vmstat.csv "garbage in vmstat.csv"
done
pass "$ndirs reference run directories read; every damaged copy is refused by report, gate and store"

# A run that records vmstat.csv's rows (run.json's vmstat_rows, as every
# run writes since): a cut between two lines is refused too, wherever it
# falls.
d="$REF/kernels/6.1.0-56-amd64/boot-1"
vlines=$(wc -l <"$d/vmstat.csv")
for keep in 1 2 $((vlines / 3)) $((vlines - 1)); do
	damage "$d"
	jq --argjson n $((vlines - 1)) '.vmstat_rows = $n' "$d/run.json" >"$TMP/bad/run.json"
	pb report "$TMP/bad"
	[ "$rc" -eq 0 ] || { cat "$TMP/err"; fail "vmstat_rows = the rows: exit $rc"; }
	head -n "$keep" "$d/vmstat.csv" >"$TMP/bad/vmstat.csv"
	pb_merged report "$TMP/bad"
	[ "$rc" -eq 2 ] &&
		grep -qF "$TMP/bad/vmstat.csv: $((keep - 1)) rows where run.json's vmstat_rows counts $((vlines - 1))" \
			"$TMP/out" || { cat "$TMP/out"; fail "vmstat.csv cut after line $keep: exit $rc"; }
done
pass "a vmstat.csv cut between lines is refused when run.json counts its rows"

# The message says what disagrees: a run short of its rows.
d="$REF/anon"
damage "$d"
head -c 3000 "$d/samples.csv" | sed '$d' >"$TMP/bad/samples.csv"
pb_merged report "$TMP/bad"
grep -qF "$TMP/bad/samples.csv: run 4 has 6 pin calls where summary.json counts 12" "$TMP/out" ||
	{ cat "$TMP/out"; fail "the message does not say which run lacks rows"; }
damage "$d"
head -c 3000 "$d/samples.csv" >"$TMP/bad/samples.csv"
pb_merged report "$TMP/bad"
grep -qF "$TMP/bad/samples.csv:44: the last line is cut short" "$TMP/out" ||
	{ cat "$TMP/out"; fail "the message does not name the cut line"; }
pass "the messages name the run short of rows and the cut line"
