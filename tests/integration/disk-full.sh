#!/bin/sh
# Issue 13, item 6: a full disk lost every pin sample (samples.csv was
# written only at the end), and with some room left a .partial held a
# summary.json saying complete: true without run.json. Runs write into a
# small tmpfs, from 8 KiB to 400 KiB: a directory that claims to be
# complete has every file; any other stays .partial, is refused by
# compare and gate, and keeps the samples written before the disk filled,
# in whole rows.
. "$SRCDIR/tests/integration/lib.sh"
need_root "mounts a small tmpfs"
need_backend io_uring

REF="$SRCDIR/results/reference/anon"
mnt="$TMP/full"
mkdir "$mnt"
umount_full() { mountpoint -q "$mnt" && umount "$mnt"; true; }
trap 'umount_full; cleanup' EXIT

# 128 chunks an iteration, 10 iterations: 1280 rows, some 70 KB; vmstat
# sampled at the start and the end only.
sc=$(scenario full "[global]" "vmstat_interval = 1h" "[pin]" "type = pin" "size = 2M" "chunk = 16K" \
	"iterations = 10")
rows_total=1280
kept_some=0
for size in 8k 16k 24k 32k 44k 60k 80k 100k 140k 200k 400k; do
	mount -t tmpfs -o size=$size pinbench-full "$mnt"
	set +e
	"$PINBENCH" 9>&- run -q "$sc" -o "$mnt/r" >"$TMP/out" 2>&1
	rc=$?
	set -e
	if [ -e "$mnt/r" ]; then # published: everything is there
		[ "$rc" -eq 0 ] || { cat "$TMP/out"; fail "$size: exit $rc with a published directory"; }
		for f in run.json samples.csv summary.json vmstat.csv; do
			[ -s "$mnt/r/$f" ] || fail "$size: published without $f"
		done
		[ "$(json .complete "$mnt/r/summary.json")" = true ] || fail "$size: published but not complete"
		[ "$(($(wc -l <"$mnt/r/samples.csv") - 1))" -eq $rows_total ] || fail "$size: rows missing"
		"$PINBENCH" 9>&- report "$mnt/r" >/dev/null 2>&1 || fail "$size: report refuses the complete run"
		what="complete"
	else
		[ "$rc" -ne 0 ] || fail "$size: exit 0 without a run directory"
		grep -q "No space left on device" "$TMP/out" || { cat "$TMP/out"; fail "$size: no ENOSPC message"; }
		dir=$(ls -d "$mnt"/r.partial-*) || { cat "$TMP/out"; fail "$size: no .partial directory"; }
		if [ -e "$dir/summary.json" ]; then
			[ "$(json .complete "$dir/summary.json")" = false ] ||
				fail "$size: a .partial's summary.json says complete"
		fi
		analysis_refuses "$REF" "$dir" "$dir"
		f="$dir/samples.csv"
		[ -e "$f" ] || fail "$size: no samples.csv kept"
		head -1 "$f" | grep -q '^run,iteration,job,node,' || fail "$size: samples.csv has no header"
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$size: samples.csv ends mid-line"
		awk -F, 'NR == 1 { n = NF } NF != n { bad++ } END { exit bad > 0 }' "$f" || fail "$size: a row with other than the header's fields"
		rows=$(($(wc -l <"$f") - 1))
		if [ "$rows" -gt 0 ]; then
			"$PINBENCH" 9>&- report "$f" --column pin_ns >/dev/null 2>&1 ||
				fail "$size: the kept samples do not read"
			[ "$rows" -lt $rows_total ] && kept_some=1
		fi
		what="stopped, $rows of $rows_total rows kept"
	fi
	umount "$mnt"
	pass "$size: $what"
done
[ "$kept_some" -eq 1 ] || fail "no size kept part of the samples"
