# SPDX-License-Identifier: GPL-2.0
#
# Read a VM console log (vm/init.sh markers "@@VM@@ ...") and count results.
# Prints one "vm: ..." line per finding, then a last line "P F S" (passed,
# failed, skipped) for vm/run to pick up.
#
# Test cases: TAP lines "ok N name" / "not ok N name" between the
# command-begin and command-end markers, at any "# " nesting depth. Lines
# whose description starts with "selftests: " are run_kselftest.sh's
# one-per-binary summaries: they are not cases, but a binary that failed
# without reporting a failing case (crash, timeout, exit code), or that
# reported fewer cases than its plan, counts as one failure; one with no
# TAP of its own counts as one case. When the command printed no TAP at
# all, its exit status is the one result.
#
# Kernel log: each WARNING:, BUG:, Oops, KASAN, UBSAN, kmemleak report,
# lockdep report, hung task, general protection fault, Kernel panic or
# Call Trace line in
# the dmesg dumps counts as one failure (a Call Trace or Oops line within 100
# lines after another finding belongs to it and is not counted again). If no
# dump was made (the VM died), the whole console log is searched.

function finding(msg) { failed++; printf "vm: FAIL: %s\n", msg }

function case_result(s, notok,    desc) {
	desc = s
	sub(/^(not )?ok [0-9]+ ?/, "", desc)
	if (notok || desc ~ /# *XPASS/) {
		failed++; bfail++
		printf "vm: FAIL: %s\n", s
	} else if (desc ~ /# *[Ss][Kk][Ii][Pp]/) {
		skipped++
	} else {
		passed++
	}
	bcases++; ncases++
}

function binary_result(s, notok,    extra) {
	nbins++
	extra = ""
	if (notok && bfail == 0)
		extra = "binary failed without a failing case"
	else if (bplan != "" && bcases < bplan + 0)
		extra = sprintf("binary reported %d of %d cases", bcases, bplan)
	if (extra != "")
		finding(sprintf("%s (%s)", s, extra))
	else if (bcases == 0 && !notok) {
		if (s ~ /# *[Ss][Kk][Ii][Pp]/) skipped++
		else passed++
	}
	bcases = 0; bfail = 0; bplan = ""; bopen = 0
}

function scan_kernel(s, n) {
	if (s ~ /kmemleak: (Kernel memory leak detector|Automatic memory scanning)/)
		return
	if (s ~ /WARNING:|BUG:|Oops|KASAN|UBSAN|kmemleak|unreferenced object|possible circular locking|INFO: task .* blocked|general protection|Call Trace|Kernel panic/) {
		if (s ~ /Call Trace|Oops/ && last_find && n - last_find <= 100)
			return
		last_find = n
		finding("kernel: " s)
	}
}

function cmd_line(s,    depth, notok, d, n) {
	depth = 0
	while (sub(/^# /, "", s) || sub(/^#$/, "", s))
		depth++
	if (s ~ /^(not )?ok [0-9]+( |$)/) {
		notok = (s ~ /^not /)
		d = s
		sub(/^(not )?ok [0-9]+ ?/, "", d)
		if (d ~ /^selftests: /)
			binary_result(s, notok)
		else
			case_result(s, notok)
	} else if (s ~ /^1\.\.[0-9]+/) {
		n = s; sub(/^1\.\./, "", n); sub(/[^0-9].*/, "", n)
		if (depth >= 1 && bplan == "") bplan = n
		if (depth == 0 && plan0 == "") plan0 = n
	} else if (s ~ /^selftests: [^ ]+: /) {
		bopen = 1
	}
}

BEGIN {
	passed = failed = skipped = 0
	M = "@@VM@@ "
}

{
	sub(/\r+$/, "")
	line = $0
	console[NR] = line
}

index(line, M "booted") { booted = 1 }
index(line, M "insmod ok") { insmod = 1 }
index(line, M "insmod FAILED") { insmod_failed = 1 }
index(line, M "dev ok") { dev = 1 }
index(line, M "rmmod ok") { rmmod = 1 }
index(line, M "rmmod FAILED") { rmmod_failed = 1 }
index(line, M "done") { done = 1 }
index(line, M "dmesg-begin") { in_dmesg = 1; dumps++; next }
index(line, M "dmesg-end") { in_dmesg = 0; next }
index(line, M "command-begin") { in_cmd = 1; cmd_seen = 1; next }
index(line, M "command-end") {
	in_cmd = 0; cmd_done = 1
	rc = line; sub(/.*command-end rc=/, "", rc); rc += 0
	# text printed without a final newline ends up before the marker
	cmd_line(substr(line, 1, index(line, M) - 1))
	next
}

in_dmesg { scan_kernel(line, NR); next }

in_cmd { cmd_line(line) }

END {
	if (!booted)
		finding("the VM did not boot (no \"booted\" marker)")
	else if (!insmod)
		finding("kmailbox.ko did not load")
	else if (!dev)
		finding("/dev/mailbox did not appear")

	if (nbins > 0 && (bopen || bcases > 0))
		finding("the test runner stopped in the middle of a test binary")
	else if (nbins > 0 && plan0 != "" && nbins < plan0 + 0)
		finding(sprintf("%d of %d planned test binaries ran", nbins, plan0))
	else if (nbins == 0 && plan0 != "" && ncases < plan0 + 0)
		finding(sprintf("%d of %d planned test cases reported", ncases, plan0))

	if (cmd_done) {
		if (ncases == 0 && nbins == 0) {
			if (rc == 0) passed++
			else finding(sprintf("command exited with status %d (no TAP results)", rc))
		} else if (rc != 0 && failed == 0) {
			finding(sprintf("command exited with status %d", rc))
		}
	} else if (insmod) {
		finding("the command did not finish (timeout, panic or crash)")
	}

	if (insmod && !rmmod)
		finding(rmmod_failed ? "rmmod kmailbox failed" : "rmmod kmailbox did not run")

	if (dumps == 0)
		for (i = 1; i <= NR; i++)
			scan_kernel(console[i], i)

	printf "%d %d %d\n", passed, failed, skipped
}
