#!/bin/sh
# The stressors acting on the pin range (procvm, odirect, lru-batch in its
# four actions) run around every pin, report their work, and leave no
# process or file behind.
. "$SRCDIR/tests/integration/lib.sh"
need_backend io_uring
[ "$(nproc)" -ge 2 ] || skip "lru-batch needs two CPUs"

stressor_run() { # name, then the stressor's section lines
	name=$1
	shift
	f=$(scenario "$name" "[p]" "type = pin" "nodes = 0" "size = 16M" "chunk = 4M" "iterations = 3" "hold = 20ms" \
		"[s]" "$@")
	run "$f" -o "$TMP/$name" || { cat "$TMP/out"; fail "$name: run failed"; }
	[ "$(json .pin.ops "$TMP/$name/summary.json")" -eq 12 ] || fail "$name: pins"
}

stressor_run procvm "type = procvm"
[ "$(json .stressors.s.readers "$TMP/procvm/summary.json")" -eq 3 ] || fail "procvm readers"
running "_helper procvm" && fail "procvm reader left running"
pass "procvm: 3 readers, none left"

# The pin count alone is what a run without the stressor gives too: the
# readers must have been /proc/PID/mem readers, one per range, each still
# reading when its range was unpinned (one that exited had a read fail).
stressor_run procmem "type = procvm" "method = procmem"
r="$TMP/procmem/summary.json"
[ "$(json .stressors.s.method "$r")" = procmem ] || fail "procmem: method $(json .stressors.s.method "$r")"
[ "$(json .stressors.s.readers "$r")" -eq 3 ] || fail "procmem readers: $(json .stressors.s "$r")"
[ "$(json .stressors.s.spawn_failures "$r")" -eq 0 ] || fail "procmem spawn failures: $(json .stressors.s "$r")"
[ "$(json .stressors.s.reader_errors "$r")" -eq 0 ] || fail "procmem readers failed: $(json .stressors.s "$r")"
running "_helper procvm" && fail "procmem reader left running"
pass "procvm (procmem): 3 /proc/PID/mem readers read until each unpin, none left"

stressor_run odirect "type = odirect" "file_size = 8M"
[ "$(json .stressors.s.reads "$TMP/odirect/summary.json")" -gt 0 ] || fail "no O_DIRECT read"
[ "$(json .stressors.s.errors "$TMP/odirect/summary.json")" -eq 0 ] || fail "O_DIRECT read errors"
ls "$TMP/odirect" | grep -q odirect && fail "odirect file left"
pass "odirect: $(json .stressors.s.reads "$TMP/odirect/summary.json") reads, file removed"

for action in activate fault mlock cold; do
	stressor_run "lru-$action" "type = lru-batch" "action = $action"
	r="$TMP/lru-$action/summary.json"
	[ "$(json .stressors.s.calls "$r")" -eq 3 ] || fail "lru-batch $action calls"
	[ "$(json .stressors.s.pages "$r")" -eq 24 ] || fail "lru-batch $action pages: $(json .stressors.s "$r")"
	pass "lru-batch $action: 3 calls, 24 pages (8 per range, 2 per chunk)"
done

# As root with a movable zone the pages are chosen inside it.
if [ "$(id -u)" -eq 0 ] && ls /sys/devices/system/memory/memory*/state >/dev/null 2>&1; then
	f=$(scenario lru-movable "[global]" "movable = 128M" "thp = never" "[p]" "type = pin" "nodes = 0" \
		"size = 16M" "chunk = 4M" "iterations = 3" "[s]" "type = lru-batch" "pages = 6")
	run "$f" -o "$TMP/lru-movable" || { cat "$TMP/out"; fail "lru-movable: run failed"; }
	r="$TMP/lru-movable/summary.json"
	[ "$(json .stressors.s.pages_in_movable "$r")" -eq 18 ] || fail "lru-batch pages in movable: $(json .stressors.s "$r")"
	pass "lru-batch: 18 of 18 pages chosen inside ZONE_MOVABLE"
fi
