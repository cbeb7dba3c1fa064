#!/bin/busybox sh
# /init of a `pinbench vm` guest (built into pinbench as text).
#
# Runs the scenario (the one file in /scenario/, named as on the host)
# once as root and sends the run directory back to the
# host over the second serial port (ttyS1) as base64 between marker lines,
# then powers off. The kernel's console is ttyS0, which the host keeps as
# console.log. The markers are what the host reads (vm/transfer.c):
#   PINBENCH-FACT KEY VALUE      what this kernel offers; uptimes
#   PINBENCH-FILE NAME.gz SIZE   then base64 lines, then PINBENCH-END NAME.gz
#   PINBENCH-EXIT STATUS         the exit status of `pinbench run`
/bin/busybox mkdir -p /bin /sbin /usr/bin /proc /sys /dev /run /tmp /results
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

out=/dev/ttyS1
stty -F $out raw -echo
send() {
	echo "$*" > $out
}

movable_pages() {
	awk '/^Node .* zone +Movable/ { m = 1; next } /^Node / { m = 0 }
	     m && $1 == "present" { n += $2 } END { print n + 0 }' /proc/zoneinfo
}

uptime() {
	cut -d' ' -f1 /proc/uptime
}

send "PINBENCH-FACT uptime_init $(uptime)"
send "PINBENCH-FACT release $(uname -r)"
send "PINBENCH-FACT nodes $(cat /sys/devices/system/node/online 2>/dev/null || echo 0)"
send "PINBENCH-FACT movable_pages $(movable_pages)"
send "PINBENCH-FACT cma_kb $(awk '/^CmaTotal:/ { print $2 }' /proc/meminfo)"
send "PINBENCH-FACT mem_kb $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

# QEMU's edu device (1234:11e8, pinbench vm --vfio), bound to vfio-pci for
# the vfio backend: a PCI device behind the emulated IOMMU needs no driver.
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] || continue
	echo vfio-pci > "$d/driver_override"
	echo "${d##*/}" > /sys/bus/pci/drivers_probe
	[ -e "$d/driver" ] && [ "$(basename "$(readlink "$d/driver")")" = vfio-pci ] &&
		send "PINBENCH-FACT vfio ${d##*/}"
done

echo "pinbench-guest: $(uname -r), running the scenario"
set -o pipefail
set -- /scenario/*.ini
pinbench run "$1" -o /results/run -q 2>&1 | tee /results/guest.log
status=$?
set +o pipefail
send "PINBENCH-FACT uptime_run $(uptime)"
# The kernel's log, all of it (the console shows only what loglevel=4
# lets through, not the warnings of the scenario's pins).
dmesg -s 1048576 > /results/dmesg.log 2>&1

# gzip first: the serial port moves about 300 KB/s under TCG, and
# vmstat.csv shrinks tenfold.
for f in /results/run/* /results/guest.log /results/dmesg.log; do
	[ -f "$f" ] || continue
	name=${f##*/}.gz
	gzip -1 -c "$f" > /tmp/send.gz
	send "PINBENCH-FILE $name $(wc -c < /tmp/send.gz)"
	base64 /tmp/send.gz > $out
	send "PINBENCH-END $name"
done
send "PINBENCH-FACT uptime_sent $(uptime)"
send "PINBENCH-EXIT $status"
sync
poweroff -f
