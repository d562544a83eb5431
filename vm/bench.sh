#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (/bench.sh; `make bench` runs it through scripts/bench.sh):
# run ipcbench with the module loaded and print its CSV on the console
# between @@BENCH-CSV-BEGIN@@ and @@BENCH-CSV-END@@, after one line
# "@@BENCH-INFO@@ key=value ..." describing the guest. Arguments go to
# ipcbench (e.g. /bench.sh -r 3 --sizes 64). Exits with ipcbench's status.

depth=256
prev=
for a in "$@"; do
	[ "$prev" = --depth ] && depth=$a
	prev=$a
done

# A UNIX datagram/seqpacket socket queues at most net.unix.max_dgram_qlen
# messages (10): give it the same depth as the other transports. POSIX mq:
# root may exceed fs.mqueue.msg_max anyway; raise it for clarity.
echo "$depth" > /proc/sys/net/unix/max_dgram_qlen 2>/dev/null
[ "$depth" -gt "$(cat /proc/sys/fs/mqueue/msg_max)" ] &&
	echo "$depth" > /proc/sys/fs/mqueue/msg_max 2>/dev/null

# Booted with maxcpus=1 (scripts/bench.sh: icount with VM_SMP > 1, where
# QEMU hangs bringing up the other vCPUs at boot): bring them online now.
for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ -e "$f" ] && [ "$(cat "$f")" = 0 ] && echo 1 > "$f"
done

cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
echo "@@BENCH-INFO@@ kernel=$(uname -r) nproc=$(nproc) clocksource=${cs:-?}" \
	"unix_qlen=$(cat /proc/sys/net/unix/max_dgram_qlen) args=$*"

ipcbench --lines --csv /tmp/ipcbench.csv "$@"
rc=$?
echo "@@BENCH-CSV-BEGIN@@"
cat /tmp/ipcbench.csv
echo "@@BENCH-CSV-END@@"
echo "@@BENCH-RC@@ $rc"
exit $rc
