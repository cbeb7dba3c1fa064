#!/bin/sh
# Bad input: one clear message naming file, line and key, exit 2, and an
# existing result directory is never touched.
. "$SRCDIR/tests/integration/lib.sh"

expect_error() { # want-substring, then pinbench arguments
	want=$1
	shift
	set +e
	timeout 60 "$PINBENCH" 9>&- "$@" >"$TMP/out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || { cat "$TMP/out"; fail "pinbench $* exited $rc, not 2"; }
	grep -qF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "no '$want' in the message"; }
	[ "$(grep -c 'error' "$TMP/out")" -eq 1 ] || { cat "$TMP/out"; fail "more than one error message"; }
	pass "$want"
}

bad=$(scenario bad "[global]" "runs = 2" "" "[p]" "type = pin" "size = 12Q")
expect_error "$bad:6: [p] key 'size': '12Q' is not a size" run "$bad"
typo=$(scenario typo "[p]" "type = pin" "size = 4M" "chnuk = 1M")
expect_error "$typo:4: [p] unknown key 'chnuk'" run "$typo"
expect_error "$TMP/absent.ini: No such file or directory" run "$TMP/absent.ini"
nodes=$(scenario nodes "[p]" "type = pin" "size = 4M" "nodes = 1000")
expect_error "$nodes:4: [p] key 'nodes': node 1000 does not exist" run "$nodes"
# A VM start holds its device for the VM's life: two device jobs at once
# are refused by name (they take turns with sequential = yes).
vms=$(scenario vms "[q]" "type = pin" "backend = qemu" "memory = memfd" "size = 64M" "" "[v]" "type = pin" \
	"backend = vfio" "size = 64M")
expect_error "$vms: [q] and [v] would use one device at once" run "$vms"
# Bounds and choices declared in the option tables, and a backend's key.
bound=$(scenario bound "[p]" "type = pin" "size = 4M" "" "[l]" "type = lru-batch" "pages = 65")
expect_error "$bound:7: [l] key 'pages': 65 is more than the maximum 64" run "$bound"
choice=$(scenario choice "[global]" "thp = sometimes" "[p]" "type = pin" "size = 4M")
expect_error "$choice:2: [global] key 'thp': 'sometimes' is not one of always,madvise,never" run "$choice"
device=$(scenario device "[p]" "type = pin" "size = 4M" "device = auto")
expect_error "$device:4: [p] unknown key 'device'" run "$device"
expect_error "unknown command 'rnu'" rnu
expect_error "see 'pinbench run --help'" run
expect_error "env: unknown subcommand 'movabel'" env movabel
expect_error "env movable: SIZE 'big' is not a size" env movable big
# Issue 13, item 10: a node that does not exist was blamed on refused
# memory blocks; a size beyond the node's memory was half done.
expect_error "env movable: node 1000 does not exist or has no memory" env movable 128M 1000
expect_error "env movable: 99999 TiB per node is not less than node" env movable 99999T

# An existing directory given to -o is refused and left as it was.
good=$(scenario good "[p]" "type = pin" "size = 4M")
mkdir "$TMP/existing"
echo "precious" >"$TMP/existing/summary.json"
expect_error "$TMP/existing exists: results are never overwritten" run "$good" -o "$TMP/existing"
[ "$(cat "$TMP/existing/summary.json")" = precious ] || fail "existing results were changed"
[ "$(ls "$TMP/existing")" = summary.json ] || fail "files were added to existing results"
ls -d "$TMP"/existing.* 2>/dev/null && fail "a partial directory was left behind"
pass "existing results untouched"

# Issue 13, item 1: a byte that is not UTF-8 (in a comment) is refused
# before anything runs, not a crash after the pins.
printf '[global]\n; caf\351\nruns = 1\n[pin]\ntype = pin\nsize = 4M\n' >"$TMP/latin1.ini"
expect_error "$TMP/latin1.ini:2: not UTF-8 text" run "$TMP/latin1.ini" -o "$TMP/latin1"
ls -d "$TMP"/latin1* | grep -qv 'latin1.ini$' && fail "a run directory was left behind"
pass "no run directory for a refused scenario"

# Item 3: what is not a regular file is refused at once; it was read
# until memory ran out.
expect_error "/dev/zero: not a regular file" run /dev/zero
expect_error "/dev/urandom: not a regular file" run /dev/urandom
mkfifo "$TMP/fifo.ini"
expect_error "$TMP/fifo.ini: not a regular file" run "$TMP/fifo.ini"

# Item 10: capacity's plan and max_failure_rate are checked before the
# sweep runs, not found wrong after it.
plan=$(scenario plan "[pin]" "type = pin" "size = 16M" "[sweep]" "pin.size = 8M, 16M" "plan = banana")
expect_error "$plan:6: [sweep] key 'plan': 'banana' is not a size" capacity "$plan" -o "$TMP/plan"
rate=$(scenario rate "[pin]" "type = pin" "size = 16M" "[sweep]" "pin.size = 8M, 16M" "max_failure_rate = 200%")
expect_error "$rate:6: [sweep] key 'max_failure_rate': '200%' is not a rate between 0% and 100%" capacity "$rate" -o "$TMP/rate"
[ ! -e "$TMP/plan" ] && [ ! -e "$TMP/rate" ] || fail "a refused sweep left a directory"

# kernel build --source: a file is a kernel.org tarball only by its name
# (the name gives the series before it is unpacked), and a path that is
# none of a series, a tree or a tarball says what it takes. Nothing is
# built or fetched.
echo x >"$TMP/kernel.tar.xz"
expect_error "a tarball must be named linux-X.Y[.Z].tar.xz" kernel build --source "$TMP/kernel.tar.xz"
mkdir "$TMP/notatree"
expect_error "--source '$TMP/notatree' is not a kernel tree (no mm/gup.c)" kernel build --source "$TMP/notatree"
expect_error "give a series such as 6.12, a kernel tree or a tarball" kernel build --source "$TMP/nowhere"
