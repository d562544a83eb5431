#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (/mq-tests.sh; `make check-mq` runs it): the kernel's own
# POSIX mq selftests, tools/testing/selftests/mqueue/ of Debian's
# linux-source-6.12, built by vm/lib-build.sh (vm_build_mqueue) into
# /mqueue/:
#   mq_open_tests.lib   static, linked with libmailbox-mq.a
#   mq_perf_tests.lib   static, linked with libmailbox-mq.a, TEST1_LOOPS cut
#                       from 10 million to 200000 (see vm_build_mqueue);
#                       its own queue of msg_max (65536) messages
#   mq_open_tests.dyn   dynamic, -lrt, as the kernel's Makefile builds it:
#                       run once on the kernel's mq (the reference) and
#                       once with LD_PRELOAD=/usr/local/lib/libmailbox-mq.so.1
#   mq_perf_tests.dyn   the same cuts, -lrt, preloaded
#   mqdemo.lib, .dyn    userspace/examples/mqdemo.c, the README's
#                       unmodified program: relinked (static, before -lrt)
#                       and as built with -lrt, run on the kernel's mq and
#                       preloaded; the commands and their output are the
#                       README's (one case each)
# Prints TAP that vm/check.awk counts: one case per PASS/FAIL line of
# mq_open_tests and one per run of mq_perf_tests (its exit status).
#
# mq_open_tests checks the kernel's /proc/sys/fs/mqueue limits and
# RLIMIT_MSGQUEUE, which the library deliberately does not apply (see
# man/libmailbox-mq.7, LIMITS): the checks listed in EXPECTED below must
# report FAIL through the library, and each becomes an "ok ... expected
# difference" case; should one of them PASS through the library, that is a
# failure too (the list must say what the library does). On the kernel's
# own mq every check must PASS.

# "fragment of the check's last line|why the library differs", one a line.
EXPECTED='rlimit setting|RLIMIT_MSGQUEUE is not applied: a message is charged when sent, to its sender, against the module'"'"'s user_bytes_max
Queue open in excess of rlimit max when euid = 0 succeeded|RLIMIT_MSGQUEUE is not applied (as above)
Queue open in excess of rlimit max when euid = 99 succeeded|RLIMIT_MSGQUEUE is not applied (as above)
Queue open with total size > 2GB when euid = 0 succeeded|no bound on mq_maxmsg * mq_msgsize: memory is charged per message queued (user_bytes_max), the module bounds each (capacity_limit, msg_size_limit)
Queue open with total size > 2GB when euid = 99 succeeded|no bound on mq_maxmsg * mq_msgsize (as above)
Queue open with mq_maxmsg > limit when euid = 99 succeeded|fs.mqueue.msg_max is not applied: every user may make queues up to the module'"'"'s capacity_limit (at least 64 messages without privileges, issue 15)
Queue open with mq_msgsize > limit when euid = 99 succeeded|fs.mqueue.msgsize_max is not applied: every user may use messages up to the module'"'"'s msg_size_limit'

n=0
rc=0
out=/tmp/mq-tests.out

ok()
{
	n=$((n + 1))
	echo "ok $n $*"
}

not_ok()
{
	n=$((n + 1))
	echo "not ok $n $*"
	rc=1
}

# The reason the library differs on check $1, or nothing.
expected_reason()
{
	echo "$EXPECTED" | while IFS='|' read -r frag why; do
		case "$1" in
		*"$frag"*) echo "$why"; break ;;
		esac
	done
}

# open_tests LABEL LIB(1: through the library) COMMAND...: one case per
# PASS/FAIL line; then one for the exit status.
open_tests()
{
	local label=$1 lib=$2 st line check verdict why seen=

	shift 2
	echo "# $label: $*"
	"$@" /mbt-mq-open-tests > "$out" 2>&1
	st=$?
	sed 's/^/#   /' "$out"
	# A check's verdict ends its (last) line: "text:<tabs>PASS".
	tr '\t' ' ' < "$out" | grep -E ':? +(PASS|FAIL)$' > "$out.checks"
	while read -r line; do
		verdict=${line##* }
		check=$(echo "${line% *}" | sed 's/ *:* *$//')
		why=
		[ "$lib" = 1 ] && why=$(expected_reason "$check")
		if [ "$verdict" = PASS ] && [ -z "$why" ]; then
			ok "$label: $check"
		elif [ "$verdict" = FAIL ] && [ -n "$why" ]; then
			ok "$label: $check (expected difference: $why)"
			seen="$seen|$check"
		elif [ "$verdict" = FAIL ]; then
			not_ok "$label: $check: FAIL"
		else
			not_ok "$label: $check: PASS, but listed as an expected difference ($why)"
		fi
	done < "$out.checks"
	if [ "$st" -eq 0 ] && [ -s "$out.checks" ]; then
		ok "$label: exit status 0, $(wc -l < "$out.checks") checks"
	else
		not_ok "$label: exit status $st, $(wc -l < "$out.checks") checks"
	fi
	# Every expected difference must have been met, or the list is stale.
	if [ "$lib" = 1 ]; then
		echo "$EXPECTED" | while IFS='|' read -r frag why; do
			case "$seen" in
			*"$frag"*) ;;
			*) echo "not ok-missing $frag" ;;
			esac
		done > "$out.missing"
		while read -r _ frag; do
			not_ok "$label: expected difference not reported: $frag"
		done < "$out.missing"
	fi
}

# perf_tests LABEL COMMAND...: one case, the exit status.
perf_tests()
{
	local label=$1 st t0

	shift
	echo "# $label: $*"
	# A queue a failed run left behind.
	mboxctl rm mq_perf_tests > /dev/null 2>&1
	t0=$(cut -d. -f1 /proc/uptime)
	"$@" > "$out" 2>&1
	st=$?
	sed 's/^/#   /' "$out"
	# Its last line may lack the newline (a failure in "Filling queue...").
	[ -z "$(tail -c 1 "$out")" ] || echo
	if [ "$st" -eq 0 ] && grep -q 'Test #2d' "$out"; then
		ok "$label: all tests ran, exit status 0 ($(( $(cut -d. -f1 /proc/uptime) - t0 )) s)"
	else
		not_ok "$label: exit status $st"
	fi
}

# demo LABEL CLEANUP COMMAND...: the README's lines, "$ command" then its
# output, each a comment; ok when the program printed what mqdemo.c must.
demo()
{
	local label=$1 cleanup=$2 st

	shift 2
	echo "# @@MQDEMO@@ $label"
	echo "# \$ $*"
	"$@" > "$out" 2>&1
	st=$?
	sed 's/^/# /' "$out"
	printf '%s\n' '/mqdemo: mq_maxmsg 64, mq_msgsize 128, mq_curmsgs 3' \
		'received "high", priority 30000' 'received "middle", priority 500' \
		'received "low", priority 1' > "$out.want"
	if [ "$st" -eq 0 ] && cmp -s "$out" "$out.want"; then
		ok "mqdemo, $label"
	else
		not_ok "mqdemo, $label: exit status $st, or not the expected output"
	fi
	echo "# \$ $cleanup"
	sh -c "$cleanup" 2>&1 | sed 's/^/# /'
	echo "# @@MQDEMO-END@@"
}

echo "TAP version 13"
lib=/usr/local/lib/libmailbox-mq.so.1
demo "as built (-lrt), on the kernel's mq" \
	'cat /dev/mqueue/mqdemo; rm /dev/mqueue/mqdemo' /mqueue/mqdemo.dyn
demo "relinked (-lmailbox-mq -lrt), on a mailbox" \
	'mboxctl recv mqdemo --verbose; mboxctl rm mqdemo' /mqueue/mqdemo.lib
demo "as built, with LD_PRELOAD=libmailbox-mq.so.1" \
	'mboxctl ls; mboxctl recv mqdemo --verbose; mboxctl rm mqdemo' \
	env LD_PRELOAD=$lib /mqueue/mqdemo.dyn
open_tests "mq_open_tests on the kernel's mq" 0 /mqueue/mq_open_tests.dyn
open_tests "mq_open_tests on libmailbox-mq" 1 /mqueue/mq_open_tests.lib
open_tests "mq_open_tests.dyn with LD_PRELOAD=libmailbox-mq" 1 \
	env LD_PRELOAD=$lib /mqueue/mq_open_tests.dyn
perf_tests "mq_perf_tests on libmailbox-mq" /mqueue/mq_perf_tests.lib
perf_tests "mq_perf_tests.dyn with LD_PRELOAD=libmailbox-mq" \
	env LD_PRELOAD=$lib /mqueue/mq_perf_tests.dyn
echo "1..$n"
rm -f "$out" "$out.checks" "$out.missing" "$out.want"
exit $rc
