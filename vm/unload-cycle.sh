#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (busybox sh), as the command: vm/run -- /unload-cycle.sh
# /init has loaded kmailbox.ko. Unload and reload it CYCLES times; after
# each load create a mailbox, send and receive "hello" through mboxctl, and
# leave a message queued in another mailbox for the next unload to free
# (kmemleak checks that in the debug lane). One cycle also checks that
# rmmod is refused while a descriptor of /dev/mailbox is open. TAP on
# stdout; ends with the module loaded (for /init's own rmmod and kmemleak
# scan); exit status 1 when a check failed.

CYCLES=${CYCLES:-50}
REFUSE_AT=$((CYCLES / 2))
KO=/lib/modules/kmailbox.ko
[ -r /etc/vm/env ] && . /etc/vm/env
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin

n=0
failed=0

ok()
{
	n=$((n + 1))
	echo "ok $n unload-cycle $*"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n unload-cycle $*"
}

loaded()
{
	grep -q '^kmailbox ' /proc/modules
}

wait_dev()
{
	i=0
	while [ ! -c /dev/mailbox ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -c /dev/mailbox ]
}

# Make sure the module is loaded (after a failure, for the next cycle).
ensure_loaded()
{
	# shellcheck disable=SC2086
	loaded || insmod "$KO" $VM_MODPARAMS
	wait_dev
}

echo "TAP version 13"
echo "1..$((CYCLES + 1))"

c=1
while [ $c -le "$CYCLES" ]; do
	why=
	if [ $c -eq "$REFUSE_AT" ]; then
		# rmmod must fail while a descriptor is open.
		exec 3<> /dev/mailbox
		if rmmod kmailbox 2> /dev/null; then
			exec 3>&-
			not_ok "rmmod succeeded while /dev/mailbox was open"
			ensure_loaded
		elif ! loaded; then
			exec 3>&-
			not_ok "rmmod failed but the module is gone"
			ensure_loaded
		else
			exec 3>&-
			ok "rmmod refused while /dev/mailbox is open"
		fi
	fi

	if ! rmmod kmailbox; then
		why="rmmod failed"
	elif loaded; then
		why="still in /proc/modules after rmmod"
	elif [ -e /proc/mailboxes ]; then
		why="/proc/mailboxes outlived the module"
	# shellcheck disable=SC2086
	elif ! insmod "$KO" $VM_MODPARAMS; then
		why="insmod failed"
	elif ! wait_dev; then
		why="/dev/mailbox did not appear"
	elif [ "$(wc -l < /proc/mailboxes)" -ne 1 ]; then
		why="mailboxes survived the reload: $(tail -n +2 /proc/mailboxes | tr '\n' ' ')"
	elif ! mboxctl create "c$c" --capacity 4 --msg-size 64 > /dev/null; then
		why="mboxctl create c$c failed"
	elif ! mboxctl send "c$c" hello; then
		why="mboxctl send c$c failed"
	else
		out=$(mboxctl recv "c$c" --nonblock)
		if [ "$out" != hello ]; then
			why="mboxctl recv c$c gave '$out', not 'hello'"
		elif ! mboxctl create "keep$c" --capacity 2 > /dev/null ||
		     ! mboxctl send "keep$c" "left for rmmod $c"; then
			why="could not leave a message queued in keep$c"
		elif mboxctl recv "c$c" --nonblock > /dev/null 2>&1; then
			why="c$c not empty after its one message"
		fi
	fi
	if [ -z "$why" ]; then
		ok "cycle $c"
	else
		not_ok "cycle $c: $why"
		ensure_loaded
	fi
	c=$((c + 1))
done

if ! loaded || [ ! -c /dev/mailbox ]; then
	echo "# the module is not loaded at the end"
	failed=$((failed + 1))
fi
echo "# $failed failed"
[ "$failed" -eq 0 ]
