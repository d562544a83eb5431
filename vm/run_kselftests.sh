#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM (installed as /usr/local/bin/run_kselftests): run the
# installed mailbox kselftests with the kernel's run_kselftest.sh, TAP on
# stdout. Arguments go to run_kselftest.sh (e.g. -t mailbox:basic_test).
# KSFT_TIMEOUT, when set, overrides every test's timeout (seconds).
# Without arguments it then runs more checks, each reported as one more
# test binary with one case, in run_kselftest.sh's TAP format, so that
# vm/check.awk counts it as one case: mailbox_stress and mailbox_fuzz
# again inside a new IPC namespace, `mboxctl --version` (the tool, its
# library and the loaded module report one version) and `ipcbench --quick`
# (the benchmark's self-check: every transport moves its messages intact;
# no speed is judged).
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
# extra_case NAME COMMAND...: one more test binary with one case, run
# after the kselftests, in run_kselftest.sh's TAP format.
n=$(grep -c '^\(not \)\{0,1\}ok [0-9]' "$log")
extra_case()
{
	local name=$1 qrc

	shift
	n=$((n + 1))
	echo "# selftests: extra: $name"
	echo "# 1..1"
	"$@" > "$log" 2>&1
	qrc=$?
	sed 's/^/# /' "$log"
	if [ $qrc -eq 0 ]; then
		echo "# ok 1 $name"
		echo "ok $n selftests: extra: $name"
	else
		echo "# not ok 1 $name # exit status $qrc"
		echo "not ok $n selftests: extra: $name # exit=$qrc"
		rc=1
	fi
}

# mboxctl --version: the tool, its libmailbox and the loaded module agree.
versions_agree()
{
	local v vrc

	v=$(mboxctl --version)
	vrc=$?
	echo "$v"
	[ $vrc -eq 0 ] &&
		[ "$(echo "$v" | awk '{ print $2 }' | sort -u | wc -l)" -eq 1 ]
}

# The stress and fuzz binaries once more, inside a fresh IPC namespace
# (busybox unshare -i): what a container sees is a whole registry of its
# own. Under the runner's per-test timeout, from the tests' directory.
in_new_ipcns()
{
	(cd /kselftest/mailbox && timeout "${KSFT_TIMEOUT:-600}" unshare -i "$@")
}

if [ $# -eq 0 ]; then
	for t in mailbox_stress mailbox_fuzz; do
		if [ -x "/kselftest/mailbox/$t" ]; then
			extra_case "${t}_ipcns" in_new_ipcns "./$t"
		fi
	done
	if command -v mboxctl > /dev/null; then
		extra_case mboxctl_version versions_agree
	fi
	if command -v ipcbench > /dev/null; then
		extra_case ipcbench_quick \
			ipcbench --quick --csv /tmp/ipcbench-quick.csv
	fi
fi
rm -f "$log"
exit $rc
