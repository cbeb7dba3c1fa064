#!/bin/sh
# pinbench run --dry-run: checks what a run would check (scenario, nodes,
# backends, memory, limits, the output directory), prints the plan and
# changes nothing. Also issue 13 items 10 (movable larger than a node) and
# 11 (RLIMIT_MEMLOCK checked up front).
. "$SRCDIR/tests/integration/lib.sh"
need_root "compares the system state and runs as another user"

dry() { # expected exit, then arguments of pinbench run
	want=$1
	shift
	set +e
	"$PINBENCH" 9>&- run --dry-run "$@" >"$TMP/out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || { cat "$TMP/out"; fail "run --dry-run $* exited $rc, not $want"; }
}

# Changes asked for (a movable zone, THP) are planned, not made; no run
# directory, no journal entry.
sc=$(scenario changes "[global]" "runs = 2" "movable = 64M" "thp = never" "[pin]" "type = pin" "size = 8M")
system_state >"$TMP/before"
journal_before=$(cat /run/pinbench/journal 2>/dev/null | wc -c)
dry 0 "$sc" -o "$TMP/out-dir"
grep -q "^changes: 2 run(s) -> $TMP/out-dir" "$TMP/out" || { cat "$TMP/out"; fail "no plan printed"; }
grep -q "\[pin\] io_uring pins of anon memory: 8 MiB per node" "$TMP/out" || { cat "$TMP/out"; fail "no job in the plan"; }
grep -q "nothing was changed" "$TMP/out" || fail "the dry run does not say it changed nothing"
system_state >"$TMP/after"
diff "$TMP/before" "$TMP/after" || fail "a dry run changed the system"
[ "$(cat /run/pinbench/journal 2>/dev/null | wc -c)" = "$journal_before" ] || fail "a dry run wrote the journal"
[ ! -e "$TMP/out-dir" ] && ! ls -d "$TMP"/out-dir.* 2>/dev/null || fail "a dry run created a run directory"
pass "dry run: plan printed, system, journal and output untouched"

# What a run refuses, a dry run refuses the same way.
bad=$(scenario bad "[p]" "type = pin" "size = 12Q")
dry 2 "$bad"
grep -qF "$bad:3: [p] key 'size': '12Q' is not a size" "$TMP/out" || fail "bad scenario not named"
nodes=$(scenario nodes "[p]" "type = pin" "size = 4M" "nodes = 1000")
dry 2 "$nodes"
mkdir "$TMP/exists"
dry 2 "$sc" -o "$TMP/exists"
grep -q "exists: results are never overwritten" "$TMP/out" || fail "existing output not refused"
pass "dry run refuses bad scenarios, missing nodes and existing outputs (exit 2)"

# Item 10: more ZONE_MOVABLE than a node has memory was offlined as far as
# it went, with a warning; it is refused, naming the key.
huge=$(scenario huge "[global]" "movable = 99999T" "[p]" "type = pin" "size = 4M")
dry 2 "$huge"
grep -qF "$huge:2: [global] key 'movable': 99999 TiB per node is not less than node" "$TMP/out" ||
	{ cat "$TMP/out"; fail "movable = 99999T not refused"; }
pass "movable larger than a node is refused"

# Item 11: a user whose RLIMIT_MEMLOCK cannot hold the pins is told before
# the run, not left with ENOMEM labelled unattributed.
hard=$(ulimit -H -l)
[ "$hard" = unlimited ] || [ "$hard" -ge 8192 ] || skip "the hard RLIMIT_MEMLOCK is below 8 MiB"
plain=$(scenario plain "[p]" "type = pin" "size = 16M")
chmod 755 "$TMP"
chmod 644 "$plain"
set +e
(ulimit -l 8192 && setpriv --reuid=65534 --regid=65534 --clear-groups "$PINBENCH" 9>&- run -n "$plain") \
	>"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] && grep -q "pins 16 MiB at once but RLIMIT_MEMLOCK allows 8 MiB" "$TMP/out" ||
	{ cat "$TMP/out"; fail "RLIMIT_MEMLOCK of 8 MiB for 16 MiB of pins: exit $rc"; }
# Within the hard limit the soft one is raised (a dry run only checks).
small=$(scenario small "[p]" "type = pin" "size = 8M")
chmod 644 "$small"
set +e
(ulimit -S -l 4096 && setpriv --reuid=65534 --regid=65534 --clear-groups "$PINBENCH" 9>&- run -n "$small") \
	>"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "soft RLIMIT_MEMLOCK 4 MiB, hard 8 MiB, 8 MiB of pins: exit $rc"; }
pass "RLIMIT_MEMLOCK is checked before the run"

# ... and env show tells such a user what RLIMIT_MEMLOCK allows, not the
# free memory alone.
(ulimit -l 8192 && setpriv --reuid=65534 --regid=65534 --clear-groups "$PINBENCH" 9>&- env show) >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out"; fail "env show as nobody failed"; }
grep -q "at most 8 MiB may be pinned: RLIMIT_MEMLOCK" "$TMP/out" || { cat "$TMP/out"; fail "env show hides RLIMIT_MEMLOCK"; }
pass "env show names RLIMIT_MEMLOCK for a user without root"
