#!/bin/sh
# reproducers/longterm-pin-thp, the standalone reproducer of the split
# base pages' lost pins, in guests of its own (no pinbench inside: an
# initramfs of busybox and the static reproducer, as a kernel developer
# would boot it), TCG, 2 GiB with movablecore=1G, 2 CPUs:
#   - stock 7.3.4 without a holder: every pin succeeds (exit 0): the
#     reproducer itself does not fail pins;
#   - stock 7.3.4 with the page-cache reader: pins fail with ENOMEM (exit
#     1), THPs split (thp_split_page) and base pages fail to migrate
#     (pgmigrate_fail);
#   - 7.3.4 with kernel/patches/7.3/fix-split-folio-retry.patch, the same
#     reader: pins still fail (exit 1), the candidate fix's negative
#     result (results/reference/README.md).
# A kernel on which the reader fails no pin fails this test: the problem
# would be gone, and the reference results with it. Builds the kernels
# when missing (7.3.4 cold: about 8 minutes; the patched variant about
# 20 s more).
. "$SRCDIR/tests/integration/lib.sh"
repro=$(cd "$(dirname "$PINBENCH")" && pwd)/reproducers/longterm-pin-thp
[ -x "$repro" ] || fail "$repro is not built (make check builds it)"
ldd "$repro" 2>&1 | grep -q "not a dynamic executable" || fail "$repro is not statically linked: $(ldd "$repro" 2>&1)"

# Usage errors are the reproducer's own, exit 2, before anything runs.
set +e
"$repro" -l holders >"$TMP/usage" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "^usage: " "$TMP/usage" || { cat "$TMP/usage"; fail "a bad -l: exit $rc, expected 2"; }

need_kernel_builds
stock=$(kernel_build --source 7.3)
fixed=$(kernel_build --source 7.3 --patch "$SRCDIR/kernel/patches/7.3/fix-split-folio-retry.patch")

# The guest: busybox, the reproducer, an /init that runs it twice.
mkdir -p "$TMP/root/bin"
cp "$(command -v busybox)" "$TMP/root/bin/busybox"
cp "$repro" "$TMP/root/longterm-pin-thp"
cat >"$TMP/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
/longterm-pin-thp -l none -p 2
echo "REPRODUCER-EXIT none $?"
/longterm-pin-thp -l reader -p 6
echo "REPRODUCER-EXIT reader $?"
poweroff -f
INIT
chmod +x "$TMP/root/init"
mkdir -p "$TMP/root/proc" "$TMP/root/sys" "$TMP/root/dev"
(cd "$TMP/root" && find . | busybox cpio -o -H newc 2>/dev/null) >"$TMP/initrd"

boot() { # bzImage, console file
	timeout 15m qemu-system-x86_64 -accel tcg -m 2G -smp 2 -kernel "$1" -initrd "$TMP/initrd" \
		-append "console=ttyS0 loglevel=4 movablecore=1G panic=-1" -display none -serial "file:$2" \
		-no-reboot -monitor none </dev/null >"$2.qemu" 2>&1 || { cat "$2.qemu"; tail -n 40 "$2"; fail "QEMU on $1"; }
}
status() { # console, load
	sed -n "s/^REPRODUCER-EXIT $2 \([0-9]*\).*/\1/p" "$1" | tr -d '\r'
}
counter() { # console, load's result line, counter
	awk -v c="$3" '/^# pgmigrate_success/ { n++; if (n == '"$2"') for (i = 1; i <= NF; i++) if ($i == c) print $(i + 1) }' \
		"$1" | tr -d '+\r'
}

boot "$stock" "$TMP/stock.log"
[ "$(status "$TMP/stock.log" none)" != 4 ] || skip "the reproducer cannot run in this guest: $(grep -m1 '^# SKIP' "$TMP/stock.log")"
[ "$(status "$TMP/stock.log" none)" = 0 ] ||
	{ tail -n 40 "$TMP/stock.log"; fail "stock 7.3.4 without a holder: exit $(status "$TMP/stock.log" none), expected 0"; }
[ "$(status "$TMP/stock.log" reader)" = 1 ] ||
	{ tail -n 40 "$TMP/stock.log"; fail "stock 7.3.4 with the reader: exit $(status "$TMP/stock.log" reader), expected 1"; }
grep -q "long-term pins of 2 MiB failed (load: reader.*ENOMEM" "$TMP/stock.log" ||
	{ tail -n 40 "$TMP/stock.log"; fail "stock 7.3.4: the failed pins are not ENOMEM"; }
[ "$(counter "$TMP/stock.log" 2 thp_split_page)" -gt 0 ] && [ "$(counter "$TMP/stock.log" 2 pgmigrate_fail)" -gt 0 ] ||
	{ tail -n 40 "$TMP/stock.log"; fail "stock 7.3.4: no split, or no base page failed to migrate"; }
pass "stock $(basename "$stock"): no holder: $(grep -m1 "pins of 2 MiB failed (load: none" "$TMP/stock.log" | tr -d '\r' |
	cut -c3- | sed 's/ every.*//'); reader: $(grep -m1 "pins of 2 MiB failed (load: reader" "$TMP/stock.log" | tr -d '\r' | cut -c3-)"

boot "$fixed" "$TMP/fixed.log"
[ "$(status "$TMP/fixed.log" reader)" = 1 ] ||
	{ tail -n 40 "$TMP/fixed.log"; fail "7.3.4 with fix-split-folio-retry: exit $(status "$TMP/fixed.log" reader), expected 1"; }
pass "$(basename "$fixed"): reader: $(grep -m1 "pins of 2 MiB failed (load: reader" "$TMP/fixed.log" | tr -d '\r' |
	cut -c3-): the candidate fix does not stop it"
