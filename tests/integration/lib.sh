# Helpers for the integration tests (sourced). Each test is a script that
# exits 0 (pass), 1 (fail) or 77 (skip, saying why).
set -eu

: "${PINBENCH:?PINBENCH must name the pinbench binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
# One at a time, even under `make -j check`: the tests share the machine's
# movable zone, THP setting and pinbench's journal lock. Every pinbench is
# started with fd 9 closed (9>&-), or a child it spawns (stress-ng) would
# hold the lock after the test.
# A test that only reads files (results/reference, its own copies) sets
# READS_ONLY=yes before sourcing this: it neither waits for the machine
# nor restores it, and runs beside a test that holds it.
if [ "${READS_ONLY:-no}" != yes ]; then
	exec 9>/tmp/pinbench-integration.lock
	flock 9
fi

TMP=$(mktemp -d /tmp/pinbench-it-XXXXXX)
# A test that fails half-way must not leave its changes to the next one.
cleanup() {
	[ "$(id -u)" -ne 0 ] || [ "${READS_ONLY:-no}" = yes ] ||
		"$PINBENCH" 9>&- env restore >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root ($1)"; }

# `pinbench env` says what this machine offers.
need_backend() {
	"$PINBENCH" 9>&- env show | grep -Eq "^backend $1 +available" ||
		skip "backend $1 unavailable: $("$PINBENCH" 9>&- env show | grep "^backend $1")"
}

need_movable() {
	ls /sys/devices/system/memory/memory*/state >/dev/null 2>&1 ||
		skip "no memory hotplug: ZONE_MOVABLE cannot be created"
}

# Guests boot under TCG unless PINBENCH_TEST_ACCEL names another
# accelerator (auto, kvm): results must not depend on this machine's KVM,
# and timings stay comparable between machines. Away from TCG, a boot that
# panics, oopses or hangs under KVM is booted again under TCG.
case ${PINBENCH_TEST_ACCEL:-tcg} in
tcg) VM_ACCEL="--accel tcg" ;;
auto | kvm) VM_ACCEL="--accel $PINBENCH_TEST_ACCEL --retry-on-tcg" ;;
*) echo "PINBENCH_TEST_ACCEL is one of tcg, auto, kvm, not '$PINBENCH_TEST_ACCEL'" >&2; exit 99 ;;
esac

# pinbench ARGS: rc is its exit status, its output in $TMP/out and its
# errors in $TMP/err.
pb() {
	# shellcheck disable=SC2086 # VM_ACCEL is several options
	[ "$1" != vm ] || { shift; set -- vm $VM_ACCEL "$@"; }
	set +e
	"$PINBENCH" 9>&- "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
}

# After pb: the exit status it must have had, then what to say if not.
expect() {
	[ "$rc" -eq "$1" ] || { cat "$TMP/out" "$TMP/err"; fail "$2 (exit $rc, expected $1)"; }
}

# The same with both in $TMP/out, as a terminal shows them.
pb_merged() {
	# shellcheck disable=SC2086 # VM_ACCEL is several options
	[ "$1" != vm ] || { shift; set -- vm $VM_ACCEL "$@"; }
	set +e
	"$PINBENCH" 9>&- "$@" >"$TMP/out" 2>&1
	rc=$?
	set -e
}

# Runs pinbench run; exit 3 (the machine cannot) becomes a skip.
run() {
	set +e
	"$PINBENCH" 9>&- run -q "$@" >"$TMP/out" 2>&1
	rc=$?
	set -e
	if [ "$rc" -eq 3 ]; then
		cat "$TMP/out"
		skip "the machine cannot run this scenario"
	fi
	return "$rc"
}

# Writes a scenario; arguments are lines.
scenario() {
	f="$TMP/$1.ini"
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}

json() { jq -r "$1" "$2"; }

# The end of each failed boot's console under a pinbench vm output
# directory: the guest's own account of a hang, before $TMP goes.
failed_consoles() {
	for c in "$1"/failed/*/console.log "$1"/*/failed/*/console.log; do
		[ -f "$c" ] || continue
		echo "--- last 40 lines of $c"
		tail -n 40 "$c"
	done
}

# compare and gate both refuse a run directory (exit 2), saying text.
analysis_refuses() { # base dir text
	for cmd in compare gate; do
		set +e
		"$PINBENCH" 9>&- $cmd "$1" "$2" >"$TMP/refused.out" 2>&1
		crc=$?
		set -e
		[ "$crc" -eq 2 ] && grep -qF -- "$3" "$TMP/refused.out" ||
			{ cat "$TMP/refused.out"; fail "pinbench $cmd $1 $2 exited $crc, not 2 with '$3'"; }
	done
}

# Whether a live (not zombie) process's command line matches an ERE. The
# pattern goes through the environment so awk's own command line, which ps
# also lists, cannot match it.
running() {
	RE=$1 ps -eo stat=,args= |
		RE=$1 awk '$1 !~ /^Z/ { $1 = ""; if ($0 ~ ENVIRON["RE"]) found = 1 } END { exit !found }'
}

# Everything pinbench may change, one line per item, for before/after diffs.
system_state() {
	for f in /sys/kernel/mm/transparent_hugepage/enabled \
		/sys/kernel/mm/transparent_hugepage/defrag \
		/sys/kernel/mm/transparent_hugepage/shmem_enabled \
		/sys/kernel/mm/transparent_hugepage/hugepages-*/enabled \
		/sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages \
		/proc/sys/vm/nr_hugepages; do
		[ -r "$f" ] && echo "$f: $(cat "$f")"
	done
	ls /sys/kernel/tracing/instances 2>/dev/null | sed 's/^/tracefs instance: /'
	for b in /sys/devices/system/memory/memory*; do
		[ -r "$b/state" ] && echo "$b: $(cat "$b/state") $(cat "$b/valid_zones" 2>/dev/null)"
	done
	true
}

# A seed shown by a pair of kernels booted by `pinbench vm` into DIR: in
# each of BOOTS boots the reverted kernel (release REV) failed pins, all
# with ENOMEM and all traced to a failed migration, with the vmstat
# counters named after it grown; the stock one (release STOCK) failed none
# (STOCK_MAY_FAIL=1: fewer in all). Prints a line per boot.
seed_fails_every_boot() { # dir stock-release reverted-release boots counters...
	sdir=$1 srel=$2 rrel=$3 nboots=$4
	shift 4
	stock_fails=0 rev_fails=0
	for b in $(seq "$nboots"); do
		s="$sdir/$srel/boot-$b/summary.json"
		r="$sdir/$rrel/boot-$b/summary.json"
		sf=$(json .pin.failures "$s")
		[ "$sf" -eq 0 ] || [ "${STOCK_MAY_FAIL:-0}" = 1 ] || fail "$s: stock kernel failed $sf pins"
		fails=$(json .pin.failures "$r")
		[ "$fails" -gt 0 ] || fail "$r: the reverted kernel failed no pin"
		[ "$(json '.pin.failures_by_errno.ENOMEM // 0' "$r")" -eq "$fails" ] || fail "$r: not every failure is ENOMEM"
		[ "$(json '.pin.failures_migration // 0' "$r")" -eq "$fails" ] ||
			fail "$r: $(json .pin "$r") failures not all traced to a failed migration"
		grown=""
		for c in "$@"; do
			n=$(json ".vmstat_delta.$c // 0" "$r")
			[ "$n" -gt 0 ] || fail "$r: $c did not grow"
			grown="$grown $c +$n"
		done
		stock_fails=$((stock_fails + sf))
		rev_fails=$((rev_fails + fails))
		echo "  boot $b: $srel $sf of $(json .pin.ops "$s") pins failed; $rrel $fails of $(json .pin.ops "$r") (ENOMEM),$grown"
	done
	[ "$stock_fails" -lt "$rev_fails" ] || fail "the stock kernel failed $stock_fails pins, the reverted one $rev_fails"
}

# pinbench gate BASE CAND [options] must exit WANT; its output in
# $TMP/gate.out, its JUnit in $TMP/gate.xml.
gate_expect() { # want base cand options...
	want=$1 base=$2 cand=$3
	shift 3
	set +e
	"$PINBENCH" 9>&- gate "$base" "$cand" --junit "$TMP/gate.xml" "$@" >"$TMP/gate.out" 2>&1
	rc=$?
	set -e
	[ "$rc" -eq "$want" ] || { cat "$TMP/gate.out"; fail "gate $base $cand: exit $rc, expected $want"; }
}

# Guests of kernels that `pinbench kernel build` makes: root (the cache in
# /var/cache), QEMU, busybox, two CPUs, and Debian's linux-source-6.1,
# installed here when missing; skips only when that cannot be had.
need_kernel_builds() {
	need_root "kernel builds in /var/cache and QEMU guests"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
	command -v busybox >/dev/null || skip "busybox is not installed"
	[ "$(nproc)" -ge 2 ] || skip "the guests get two CPUs; a build on one takes too long"
	need_kernel_source 6.1
}

# Debian's linux-source-SERIES, installed when missing; skips only when
# that cannot be had.
need_kernel_source() {
	dpkg-query -W -f='${Status}' "linux-source-$1" 2>/dev/null | grep -q 'install ok installed' && return
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "linux-source-$1" \
		>"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log"; skip "Debian's linux-source-$1 cannot be installed"; }
}


# The first seed's pair of 6.1 builds: stock and reverted (their bzImages)
# and rs and rr (their releases).
seed_lru_kernels() {
	stock=$(kernel_build)
	reverted=$(kernel_build --patch "$SRCDIR/kernel/patches/6.1/seed-lru-batch.patch")
	rs=${stock##*/vmlinuz-}
	rr=${reverted##*/vmlinuz-}
}

# pinbench kernel build ARGS: prints the bzImage's path; what goes wrong
# goes to stderr (this runs inside $(...)).
kernel_build() {
	"$PINBENCH" 9>&- kernel build "$@" >"$TMP/build.out" 2>"$TMP/build.err" ||
		{ cat "$TMP/build.err" >&2; fail "kernel build $*" >&2; }
	tail -n 1 "$TMP/build.out"
}
