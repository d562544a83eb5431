#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace lane: builds libmailbox, mboxctl, the shared-memory ring and
# their tests natively and runs `make -C userspace check` on the host (no VM,
# no module: apicheck tests what the library checks itself, shmring_test
# moves millions of messages between processes through a System V segment),
# and selftests/mailbox_mq.c, libmailbox-mq's conformance test, built
# against the C library's own mq_*() (-lrt) and run on the host's kernel mq:
# what the library is checked against in the VM must hold natively too
# (needs root: it runs children as nobody and raises fs.mqueue.msg_max for
# its run).
# Counts the check's "ok" lines as passed and its "FAIL"/"not ok" lines as
# failed; writes "passed failed" to build/userspace/result.txt; exit status
# 0 when nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/userspace
mkdir -p "$out"
rm -f "$out/result.txt"

# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
need_pkgs gcc make libc6-dev pkg-config
ksft=$("$top/scripts/kernel-files.sh")/tools/testing/selftests || exit 1

make -C "$top/userspace" check 2>&1 | tee "$out/check.log"
rc=${PIPESTATUS[0]}
# libmailbox-mq's conformance test on the host's native mq; its TAP lines
# "ok N ..." / "not ok N ..." are counted below.
{
	echo "== selftests/mailbox_mq.c against the C library's mq (-lrt), on the host"
	gcc -O2 -g -Wall -Wno-clobbered -I"$ksft" -o "$out/mailbox_mq_native" \
		"$top/selftests/mailbox_mq.c" -lrt -lpthread &&
		"$out/mailbox_mq_native"
} 2>&1 | tee -a "$out/check.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# The man pages: groff -ww and man --warnings clean, one per library call.
"$top/man/check.sh" "$top" 2>&1 | tee -a "$out/check.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
passed=$(grep -cE '^ok( |$)|: ok$' "$out/check.log")
failed=$(grep -cE '^(FAIL|not ok)' "$out/check.log")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "$passed $failed" > "$out/result.txt"
echo "userspace: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
