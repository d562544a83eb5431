#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A short tour of kernel mailboxes, run inside the VM by `make demo`
# (vm/run -- /demo.sh). kmailbox.ko is already loaded: /dev/mailbox exists.
# Exits non-zero if a step did not do what it says.

set -e
step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

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

step "Done: the demo worked"
