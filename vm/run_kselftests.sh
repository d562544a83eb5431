#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (installed as /usr/local/bin/run_kselftests): run the
# installed mailbox kselftests with the kernel's run_kselftest.sh, TAP on
# stdout. Arguments go to run_kselftest.sh (e.g. -t mailbox:basic_test).
# KSFT_TIMEOUT, when set, overrides every test's timeout (seconds).
# Without arguments it then runs `ipcbench --quick` (the benchmark's
# self-check: every transport moves its messages intact; no speed is
# judged) and reports it as one more test binary with one case, in
# run_kselftest.sh's TAP format, so that vm/check.awk counts it as one case.
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
if [ $# -eq 0 ] && command -v ipcbench > /dev/null; then
	n=$(grep -c '^\(not \)\{0,1\}ok [0-9]' "$log")
	n=$((n + 1))
	echo "# selftests: bench: ipcbench_quick"
	echo "# 1..1"
	ipcbench --quick --csv /tmp/ipcbench-quick.csv > "$log" 2>&1
	qrc=$?
	sed 's/^/# /' "$log"
	if [ $qrc -eq 0 ]; then
		echo "# ok 1 ipcbench --quick"
		echo "ok $n selftests: bench: ipcbench_quick"
	else
		echo "# not ok 1 ipcbench --quick # exit status $qrc"
		echo "not ok $n selftests: bench: ipcbench_quick # exit=$qrc"
		rc=1
	fi
fi
rm -f "$log"
exit $rc
