#!/bin/sh
# The man page against the option tables. SYNOPSIS names every option
# `pinbench help options` lists for its command (by its long or short
# form). SCENARIO FILES describes every
# key `pinbench run --help-keys` lists is described in its table's part of
# the page, with its default as "(DEFAULT)" or "DEFAULT (default)", and
# every choice it takes is named there. Adding a key, changing a default
# or a choice without the page fails here.
set -eu
: "${PINBENCH:?PINBENCH must name the pinbench binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"

man=$SRCDIR/man/pinbench.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The page as plain text: roff's \- is -, fonts and quotes dropped.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z][A-Z]* *//' -e 's/"//g' "$man" >"$tmp/page"
"$PINBENCH" run --help-keys >"$tmp/keys"

# The page's text for one table: [global], the pin job (with its
# backends) or one stressor (from its "type = NAME" to the next .TP).
# A default is "(DEFAULT)", "(DEFAULT, ..." or "DEFAULT (default)".
part() {
	case $1 in
	global) sed -n '/^\.SS \[global\]/,/^\.SS /p' "$man" ;;
	pin) sed -n '/^\.SS type = pin/,/^\.SS /p' "$man" ;;
	*) awk -v t="$1" '/^\.B type = / { n = $4; gsub(/\\-/, "-", n); on = (n == t); if (on) { print; next } }
		on && /^\.(TP|SH|SS)/ { on = 0 } on' "$man" ;;
	esac | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z][A-Z]* *//' -e 's/"//g' >"$tmp/part"
}

bad=0
complain() { echo "man-keys: $*" >&2; bad=1; }
table=
while IFS= read -r line; do
	case $line in
	'[global]') table=global; part global; continue ;;
	'[any name]  type = pin:'*) table=pin; part pin; continue ;;
	'  type = pin, backend = '*) continue ;; # the backend's keys are the pin job's
	'[any name]  type = '*) table=$(echo "$line" | sed 's/^\[any name\]  type = \([^:]*\):.*/\1/'); part "$table"; continue ;;
	'') continue ;;
	esac
	set -- $line
	key=$1 def=$2
	[ "$key" = type ] && continue
	[ -s "$tmp/part" ] || { complain "the page has no part for table $table"; continue; }
	grep -qw -- "$key" "$tmp/part" || complain "[$table] key $key is not in the page"
	if [ "$def" != - ]; then
		grep -qF -e "($def)" -e "($def," -e "$def (default)" "$tmp/part" ||
			complain "[$table] key $key: the page does not give its default ($def)"
	fi
	choices=$(echo "$line" | sed -n 's/.*\[one of \([^]]*\)\]$/\1/p' | sed 's/, or empty$//; s/,//g')
	for c in $choices; do
		grep -qw -- "$c" "$tmp/part" || complain "[$table] key $key: the page does not name the choice $c"
	done
done <"$tmp/keys"
[ -n "$table" ] || complain "pinbench run --help-keys listed nothing"

# Each command's SYNOPSIS lines, from ".B pinbench CMD" to the next .br.
synopsis() {
	sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$man" |
		awk -v c="$1" '/^\.B pinbench / { on = ($3 == c) } /^\.br/ { on = 0 } on' |
		sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/^\.[A-Z][A-Z]* *//' -e 's/"//g'
}
"$PINBENCH" help options >"$tmp/options"
[ -s "$tmp/options" ] || complain "pinbench help options listed nothing"
while read -r cmd first second _; do
	case $first in --*) short= long=$first ;; *) short=$first long=$second ;; esac
	synopsis "$cmd" | grep -qwe "$long" ${short:+-e "$short"} ||
		complain "SYNOPSIS of $cmd does not name $long${short:+ ($short)}"
done <"$tmp/options"
exit $bad
