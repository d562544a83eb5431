# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # $lane and $out set by the caller
#
# The checks of a CI lane script, one "ok - ..." or "FAIL - ..." line each.
# Sourced after setting $lane (its name) and $out (its build directory);
# finish writes "passed failed" to $out/result.txt, as .ci/run reads it.

passed=0
failed=0
t0=$SECONDS

ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1"; failed=$((failed + 1)); }

# check DESCRIPTION COMMAND: run COMMAND (shell), its output to a log shown
# on failure.
check()
{
	if bash -c "$2" > "$out/step.log" 2>&1; then
		ok "$1"
	else
		fail "$1"
		sed 's/^/#   /' "$out/step.log" | tail -n 40
	fi
}

# finish: the result file and a summary; exits 0 when nothing failed.
finish()
{
	echo "$passed $failed" > "$out/result.txt"
	echo "$lane: $passed passed, $failed failed, $((SECONDS - t0)) s"
	[ "$failed" -eq 0 ]
	exit
}
