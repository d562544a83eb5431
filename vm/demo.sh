#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A short tour of kernel mailboxes, run inside the VM by `make demo`
# (vm/run -- /demo.sh). kmailbox.ko is already loaded: /dev/mailbox exists.
# Exits non-zero if a step did not do what it says.

set -e
step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo failed: $*"; exit 1; }

# proc_field NAME COLUMN: that column of mailbox NAME in /proc/mailboxes,
# the column found by its name in the header line.
proc_field()
{
	awk -v n="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
		$1 == n && col { print $col }' /proc/mailboxes
}

# wait_until WHAT COMMAND...: poll COMMAND every 0.1 s, at most 30 s.
wait_until()
{
	what=$1
	shift
	tries=0
	until "$@"; do
		tries=$((tries + 1))
		[ $tries -lt 300 ] || die "timed out waiting until $what"
		sleep 0.1
	done
}

# receivers_waiting NAME N: N receivers sleep on mailbox NAME.
receivers_waiting() { [ "$(proc_field "$1" rwait)" = "$2" ]; }

# the messages of a `mboxctl recv --verbose` output, without the prefixes
messages() { sed 's/^\[[^]]*\] //' "$1"; }

step "The module gives us one character device; every mailbox lives behind it"
run ls -l /dev/mailbox

step "Create a mailbox 'jobs' holding up to 4 messages of at most 128 bytes"
run mboxctl create jobs --capacity 4 --msg-size 128 --mode 0600
run mboxctl ls

step "A producer sends three messages; they wait in the kernel, in order"
run mboxctl send jobs "compile kernel"
run mboxctl send jobs "run tests"
run mboxctl send jobs "ship it"
run mboxctl stat jobs

step "A consumer takes the oldest message first (FIFO), with who sent it"
run mboxctl recv jobs --verbose

step "Producer and consumer need not run at the same time: the rest is still there"
run mboxctl recv jobs --count 2

step "An empty mailbox: a non-blocking receive fails at once instead of waiting"
echo '$ mboxctl recv jobs --nonblock'
if mboxctl recv jobs --nonblock; then
	echo "unexpected: got a message from an empty mailbox"
	exit 1
fi
echo "(no message: as expected)"

step "A blocked consumer is woken by the producer: receive in the background, then send"
echo '$ mboxctl recv jobs --timeout 10000 --verbose > /tmp/got &'
mboxctl recv jobs --timeout 10000 --verbose > /tmp/got &
consumer=$!
sleep 1
echo "consumer (pid $consumer) is sleeping in the kernel, as the mailbox shows:"
echo '$ mboxctl stat jobs | grep waiting'
mboxctl stat jobs | grep waiting || true
run mboxctl send jobs --wait "wake up"
wait $consumer
echo "the consumer printed: $(cat /tmp/got)"

step "The kernel's view of all mailboxes: /proc/mailboxes"
run cat /proc/mailboxes

step "Remove the name; the mailbox disappears"
run mboxctl rm jobs
run mboxctl ls

if command -v prodcon > /dev/null; then
	step "prodcon: a C producer process and consumer process through libmailbox"
	echo "(a capacity of 8 makes the producer block whenever the consumer lags)"
	run prodcon 2000 8
fi

step "Broadcast: every receiver bound to the mailbox gets every message"
echo "(a broadcast mailbox keeps one copy of each message; capacity 4 bounds"
echo " how far the slowest receiver may fall behind)"
run mboxctl create news --delivery broadcast --capacity 4
for i in 1 2 3; do
	echo "\$ mboxctl recv news --count 3 --verbose > /tmp/sub$i &"
	mboxctl recv news --count 3 --verbose > /tmp/sub$i &
	eval "sub$i=\$!"
done
echo "(a subscriber sees only messages sent after it joined: wait until all"
echo " three sleep in the kernel)"
wait_until "3 subscribers wait on news" receivers_waiting news 3
run mboxctl ls
run mboxctl send news "headline 1"
run mboxctl send news "headline 2"
run mboxctl send news "headline 3"
for i in 1 2 3; do
	eval "pid=\$sub$i"
	wait "$pid" || die "subscriber $i (pid $pid) failed"
	echo "subscriber $i (pid $pid) got:"
	sed 's/^/    /' /tmp/sub$i
	[ "$(messages /tmp/sub$i)" = "$(printf 'headline 1\nheadline 2\nheadline 3')" ] ||
		die "subscriber $i did not get the three headlines in order"
done
echo "(the delivery column; nobody is subscribed any more, nothing is left)"
run cat /proc/mailboxes
[ "$(proc_field news delivery)" = broadcast ] || die "news is not broadcast"
[ "$(proc_field news depth)" = 0 ] || die "messages left in news"
run mboxctl rm news

step "Direct communication: send to a process by its pid, no mailbox name"
echo '$ mboxctl direct --count 2 --verbose > /tmp/direct &'
mboxctl direct --count 2 --verbose > /tmp/direct &
receiver=$!
direct_exists() { [ -n "$(proc_field "pid/$receiver" delivery)" ]; }
wait_until "pid/$receiver appears" direct_exists
echo "(process $receiver has opened its direct mailbox, named pid/$receiver)"
run mboxctl ls
run mboxctl send --to "$receiver" "hello by pid"
run mboxctl send --to "$receiver" "hello by pid"
wait "$receiver" || die "the direct receiver failed"
echo "the receiver printed:"
sed 's/^/    /' /tmp/direct
[ "$(head -n 1 /tmp/direct)" = "pid $receiver: receiving" ] ||
	die "the receiver did not announce itself"
[ "$(tail -n +2 /tmp/direct | sed 's/^\[[^]]*\] //')" = \
  "$(printf 'hello by pid\nhello by pid')" ] ||
	die "the receiver did not get both messages"
echo "(the direct mailbox went away with its owner: a send now fails)"
echo "\$ mboxctl send --to $receiver \"too late\""
if mboxctl send --to "$receiver" "too late"; then
	die "a send to an exited process succeeded"
fi
[ -z "$(proc_field "pid/$receiver" delivery)" ] || die "pid/$receiver outlived its owner"

step "Priorities: the receiver of higher priority is served first"
run mboxctl create tasks --capacity 4
echo '$ mboxctl recv tasks --prio 1 --timeout 30000 --verbose > /tmp/low &'
mboxctl recv tasks --prio 1 --timeout 30000 --verbose > /tmp/low &
low=$!
wait_until "the priority 1 receiver waits" receivers_waiting tasks 1
echo '$ mboxctl recv tasks --prio 5 --timeout 30000 --verbose > /tmp/high &'
mboxctl recv tasks --prio 5 --timeout 30000 --verbose > /tmp/high &
high=$!
wait_until "both receivers wait" receivers_waiting tasks 2
echo "(RWAIT counts them; the waiters column of /proc/mailboxes lists their"
echo " priorities in the order they will be served)"
run mboxctl ls
run cat /proc/mailboxes
[ "$(proc_field tasks waiters)" = "5,1" ] || die "waiters are not 5,1"
run mboxctl send tasks "urgent job"
wait "$high" || die "the priority 5 receiver failed"
echo "priority 5 receiver (pid $high) got: $(cat /tmp/high)"
[ "$(messages /tmp/high)" = "urgent job" ] || die "priority 5 did not get it"
kill -0 "$low" 2> /dev/null || die "the priority 1 receiver is gone"
[ ! -s /tmp/low ] || die "the priority 1 receiver got a message too"
echo "(the priority 1 receiver, which began to wait first, still waits)"
run mboxctl send tasks "routine job"
wait "$low" || die "the priority 1 receiver failed"
echo "priority 1 receiver (pid $low) got: $(cat /tmp/low)"
[ "$(messages /tmp/low)" = "routine job" ] || die "priority 1 did not get it"
run mboxctl rm tasks

echo
echo "Message priorities: on a priority mailbox the highest is received first"
run mboxctl create inbox --delivery priority --capacity 8
run mboxctl send inbox --prio 1 "low"
run mboxctl send inbox --prio 7 "high"
run mboxctl send inbox --prio 3 "medium"
run mboxctl send inbox --prio 7 "high, sent later"
echo '$ mboxctl recv inbox --count 4 --verbose'
mboxctl recv inbox --count 4 --verbose > /tmp/inbox
cat /tmp/inbox
[ "$(messages /tmp/inbox)" = "$(printf 'high\nhigh, sent later\nmedium\nlow')" ] ||
	die "not received highest priority first"
run mboxctl rm inbox

step "Done: the demo worked"
