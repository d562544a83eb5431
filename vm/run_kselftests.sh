#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (installed as /usr/local/bin/run_kselftests): run the
# installed mailbox kselftests with the kernel's run_kselftest.sh, TAP on
# stdout. Arguments go to run_kselftest.sh (e.g. -t mailbox:basic_test).
# KSFT_TIMEOUT, when set, overrides every test's timeout (seconds).
# Exits 1 when a test binary failed or none is installed.

cd /kselftest || exit 1
if [ ! -s kselftest-list.txt ]; then
	echo "not ok 1 selftests: no kselftests installed in /kselftest"
	exit 1
fi
log=$(mktemp /tmp/kselftest.XXXXXX)
if [ -n "$KSFT_TIMEOUT" ]; then
	./run_kselftest.sh -o "$KSFT_TIMEOUT" "$@" | tee "$log"
else
	./run_kselftest.sh "$@" | tee "$log"
fi
if grep -q '^not ok' "$log" || ! grep -q '^ok' "$log"; then
	rc=1
else
	rc=0
fi
rm -f "$log"
exit $rc
