#!/bin/sh
# A pin call that outlives pin_timeout is a hang: reported with the pinning
# thread's kernel stack (in the terminal and summary.json's "hangs"), the
# run ends incomplete with "hang", and the machine is given back. A pin
# migrating 256 MiB out of ZONE_MOVABLE takes far longer than 10 ms.
. "$SRCDIR/tests/integration/lib.sh"
need_root "pagemap, tracing and the movable zone"
need_backend io_uring
need_movable
before=$(system_state)
f=$(scenario hang "[global]" "movable = 512M" "pin_timeout = 10ms" "[guest]" "type = pin" "nodes = 0" \
	"size = 256M" "chunk = 256M" "iterations = 2")
rc=0
run "$f" -o "$TMP/r" || rc=$?
[ "$rc" -eq 1 ] || { cat "$TMP/out"; fail "exit $rc, expected 1"; }
grep -q "HANG: \[guest\] node 0: the pin call of chunk 0" "$TMP/out" || { cat "$TMP/out"; fail "no HANG line"; }
s="$TMP/r/summary.json"
[ "$(json .complete "$s")" = false ] && [ "$(json .interrupted_by "$s")" = hang ] || fail "summary: not incomplete by hang"
[ "$(json '.hangs | length' "$s")" -eq 1 ] || fail "summary: $(json .hangs "$s")"
# A task busy on its CPU the whole time shows no stack (the kernel unwinds
# only a task that is off-CPU); when one was caught, it must be the pin's.
stack=$(json '.hangs[0].kernel_stack // ""' "$s")
case "$stack" in
*gup*|*get_user_pages*|*migrate*|*pin*) ;;
"") grep -q "(not readable: needs root and CONFIG_STACKTRACE, or the task never slept)" "$TMP/out" ||
	fail "no stack and no word on why" ;;
*) fail "the kernel stack does not show the pin: $stack" ;;
esac
[ "$(system_state)" = "$before" ] || fail "the machine was not given back"
pass "a 256 MiB pin over a 10 ms pin_timeout: HANG reported ($(echo "$stack" | grep -c . || true) stack frames caught), run incomplete, machine restored"
