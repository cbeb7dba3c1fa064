#!/bin/sh
# What a small kernel or a guest's limits take away is said, not hidden:
# - without CONFIG_CROSS_MEMORY_ATTACH (process_vm_readv answers ENOSYS,
#   made so here by a preloaded shim) the stressors that read through it
#   refuse to run, naming the option, instead of reporting work they did
#   not do;
# - the fragmenter raises RLIMIT_NOFILE as far as root may (a guest's init
#   starts with a hard limit of 4096, below what it needs), and where it
#   may not, refuses with numbers that add up.
. "$SRCDIR/tests/integration/lib.sh"
need_root "raises RLIMIT_NOFILE, runs as another user"
need_backend io_uring
command -v cc >/dev/null || skip "no C compiler for the ENOSYS shim"

cat >"$TMP/enosys.c" <<'EOF'
#include <errno.h>
#include <sys/types.h>
#include <sys/uio.h>
ssize_t process_vm_readv(pid_t pid, const struct iovec *l, unsigned long nl, const struct iovec *r,
			 unsigned long nr, unsigned long flags)
{
	(void)pid; (void)l; (void)nl; (void)r; (void)nr; (void)flags;
	errno = ENOSYS;
	return -1;
}
EOF
cc -shared -fPIC -o "$TMP/enosys.so" "$TMP/enosys.c"

without_cma() { # name, stressor lines
	name=$1
	shift
	f=$(scenario "$name" "[p]" "type = pin" "nodes = 0" "size = 4M" "chunk = 4M" "[s]" "$@")
	set +e
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD="$TMP/enosys.so" "$PINBENCH" 9>&- run -q "$f" \
		-o "$TMP/$name" >"$TMP/out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq 3 ] || { cat "$TMP/out"; fail "$name without process_vm_readv: exit $rc, expected 3"; }
	grep -q "\[s\] .* cannot run here: process_vm_readv is not in this kernel (built without CONFIG_CROSS_MEMORY_ATTACH)" \
		"$TMP/out" || { cat "$TMP/out"; fail "$name: no line naming CONFIG_CROSS_MEMORY_ATTACH"; }
	[ ! -e "$TMP/$name" ] || fail "$name: a run directory was written"
	pass "$name without process_vm_readv: refused, naming CONFIG_CROSS_MEMORY_ATTACH"
}
without_cma procvm "type = procvm"
without_cma lru-activate "type = lru-batch" "action = activate"

# 1 GiB kept one page in 512 takes 1024 pipes, filled at once: 2304 files
# with the spare. Under a soft limit of 1024 the fragmenter raises it to
# the hard one; with CAP_SYS_RESOURCE (root in a guest) the hard one too.
frag=$(scenario frag "[p]" "type = pin" "nodes = 0" "size = 4M" "chunk = 4M" \
	"[f]" "type = fragment" "size = 1G" "keep_every = 512")
limits="1024:4096"
capsh --has-p=cap_sys_resource 2>/dev/null && limits="$limits 1024:1024"
for l in $limits; do
	rm -rf "$TMP/frag"
	prlimit --nofile="$l" "$PINBENCH" 9>&- run -q "$frag" -o "$TMP/frag" >"$TMP/out" 2>&1 ||
		{ cat "$TMP/out"; fail "fragment under RLIMIT_NOFILE $l: the limit was not raised"; }
	[ "$(json .stressors.f.pipes "$TMP/frag/summary.json")" -eq 1024 ] || fail "pipes: $(json .stressors.f "$TMP/frag/summary.json")"
	pass "fragment as root under RLIMIT_NOFILE $l: raised it, 1024 pipes, $(json .stressors.f.held_bytes "$TMP/frag/summary.json") bytes held"
done

chmod 755 "$TMP"
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nofile=1024:1024 \
	"$PINBENCH" 9>&- run -q "$frag" -o "$TMP/frag-user" >"$TMP/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$TMP/out"; fail "fragment as a user under 1024 files: exit $rc, expected 3"; }
grep -Eq "size and rings need [0-9]{4} open files \(1024 pipes\) but RLIMIT_NOFILE allows 1024" "$TMP/out" ||
	{ cat "$TMP/out"; fail "the refusal does not add up"; }
pass "fragment as a user under RLIMIT_NOFILE 1024: $(grep -o 'size and rings need [0-9]* open files' "$TMP/out")"
