#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the kmailbox test VM (busybox sh), copied in by vm/initramfs.sh.
# Loads kmailbox.ko, runs the command in /etc/vm/command (or a shell), dumps
# the kernel log, unloads the module and resets the machine (QEMU runs with
# -no-reboot, so it exits). Every line starting with "@@VM@@" is a marker
# that vm/run reads back from the console log.

export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root
export TERM=linux
M=@@VM@@

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# devtmpfs has no /dev/fd and /dev/std*, which the kselftest runner uses.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname vm
echo "$M booted $(uname -r) nproc=$(nproc) uptime=$(cut -d" " -f1 /proc/uptime)"

# Settings written by vm/initramfs.sh: VM_MODE, VM_MODPARAMS, KSFT_TIMEOUT.
. /etc/vm/env

finish()
{
	echo "$M dmesg-begin"
	dmesg -c
	echo "$M dmesg-end"
	if [ "$loaded" = 1 ]; then
		# Unloading must free what only a name still holds: leave a
		# mailbox with queued messages behind (kmemleak checks it in
		# the debug lane).
		if [ -c /dev/mailbox ] && command -v mboxctl > /dev/null; then
			mboxctl create unload-leftover --capacity 4 > /dev/null &&
				mboxctl send unload-leftover "freed by rmmod" &&
				mboxctl send unload-leftover "and this one" ||
				echo "$M leftover mailbox could not be made"
		fi
		if rmmod kmailbox; then
			echo "$M rmmod ok"
		else
			echo "$M rmmod FAILED"
			lsmod
		fi
	fi
	if [ -w /sys/kernel/debug/kmemleak ]; then
		# kmemleak reports only objects older than 5 s, and an object
		# only on its second sighting as unreferenced: wait, scan twice.
		sleep 6
		echo scan > /sys/kernel/debug/kmemleak
		echo scan > /sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak > /dev/kmsg
		echo "$M kmemleak scanned"
	fi
	# Whatever unloading printed.
	echo "$M dmesg-begin"
	dmesg -c
	echo "$M dmesg-end"
	echo "$M done"
	sync
	# QEMU runs with -no-reboot, so a reset ends it; unlike poweroff this
	# also works on kernels without ACPI power-off.
	reboot -f
	sleep 10
	poweroff -f
}

# The boot messages, apart from the rest (vm/run hides them from its output;
# an interactive shell keeps them in a file).
if [ "$VM_MODE" = shell ]; then
	dmesg -c > /root/dmesg-boot.txt
else
	echo "$M dmesg-begin boot"
	dmesg -c
	echo "$M dmesg-end"
fi

# Whatever kmemleak suspects from boot is not ours: forget it, so that the
# scan after unloading reports only what the run left behind.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo clear > /sys/kernel/debug/kmemleak
fi

loaded=0
# shellcheck disable=SC2086
if insmod /lib/modules/kmailbox.ko $VM_MODPARAMS; then
	loaded=1
	echo "$M insmod ok"
else
	echo "$M insmod FAILED: insmod /lib/modules/kmailbox.ko $VM_MODPARAMS"
	echo "*** kmailbox.ko did not load: nothing was run ***"
	finish
fi

# devtmpfs creates the node asynchronously; give it a moment.
i=0
while [ ! -c /dev/mailbox ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -c /dev/mailbox ]; then
	echo "$M dev ok"
else
	echo "$M dev MISSING: /dev/mailbox does not exist after insmod"
fi

cd /tmp || exit 1
if [ "$VM_MODE" = shell ]; then
	echo "$M command-begin"
	echo "kmailbox.ko is loaded; tools are on PATH (mboxctl, prodcon,"
	echo "run_kselftests, /demo.sh). Boot messages: /root/dmesg-boot.txt."
	echo "Exit the shell (exit or Ctrl-D) to unload the module and power off."
	setsid cttyhack sh -l
	echo "$M command-end rc=0"
else
	echo "$M command-begin"
	sh /etc/vm/command < /dev/null
	rc=$?
	echo "$M command-end rc=$rc"
fi
finish
