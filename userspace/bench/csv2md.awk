# SPDX-License-Identifier: GPL-2.0
#
# ipcbench CSV -> Markdown tables (used by scripts/bench.sh).
#
#   awk -F, -f csv2md.awk [-v unit=ns|icount] results.csv
#
# Columns: transport,size,placement,metric,median,min,max,reps,unit.
# Prints throughput (msg/s with the min-max range over the repetitions,
# and MB/s), round-trip latency (p50 / p99 / p99.9, each the median over
# the repetitions of that repetition's percentile), 4-to-4 throughput and
# send then receive in one process and slab bytes per queued message
# (placement self), and the checks of issue 13 (the mailbox, batched and
# mapped, against POSIX mq, System V msg and the shm-futex ring; the self
# and 4to4 rows in column 1cpu), and issue 15's (libmailbox-mq's mq_*()
# against the C library's on the kernel's mq).

function num(x) { return x != "n/a" && x != "" }

function rate(x) {
	if (!num(x)) return "n/a"
	if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
	if (x >= 1e3) return sprintf("%.1fk", x / 1e3)
	return sprintf("%.0f", x)
}

function us(x) {
	if (!num(x)) return "n/a"
	x /= 1000
	if (x < 10) return sprintf("%.2f", x)
	if (x < 100) return sprintf("%.1f", x)
	return sprintf("%.0f", x)
}

function mbs(x) {
	if (!num(x)) return "n/a"
	if (x < 10) return sprintf("%.2f", x)
	if (x < 100) return sprintf("%.1f", x)
	return sprintf("%.0f", x)
}

function header(first,    i, s, d) {
	s = "| " first
	d = "| ---"
	for (i = 1; i <= ns; i++) {
		s = s " | " size[i] " B"
		d = d " | ---:"
	}
	print s " |"
	print d " |"
}

function ratio(a, b) { return (num(a) && num(b) && b > 0) ? a / b : "" }

NR == 1 { next }		# header
{
	sub(/\r$/, "")
	t = $1; s = $2; p = $3; m = $4
	if (!(t in tseen)) { tseen[t] = 1; trans[++nt] = t }
	if (!(s in sseen)) { sseen[s] = 1; size[++ns] = s }
	med[t, s, p, m] = $5; lo[t, s, p, m] = $6; hi[t, s, p, m] = $7
	reps[t, s, p, m] = $8
	if ($8 + 0 > maxreps) maxreps = $8 + 0
}

# The throughput table's rows for placement @p: median [min – max] msg/s.
function tput_rows(p,    i, j, t, line, key) {
	header("transport")
	for (i = 1; i <= nt; i++) {
		t = trans[i]; line = "| " t
		for (j = 1; j <= ns; j++) {
			key = t SUBSEP size[j] SUBSEP p SUBSEP "tput_msgs"
			if (num(med[key]))
				line = line sprintf(" | %s [%s – %s]", rate(med[key]), rate(lo[key]), rate(hi[key]))
			else
				line = line " | n/a"
		}
		print line " |"
	}
}

END {
	lu = (unit == "icount") ? "µs of virtual time (≈ thousands of guest instructions)" : "µs"
	np = split("1cpu 2cpu", pl, " ")
	pname["1cpu"] = "both processes on CPU 0"
	pname["2cpu"] = "producer/pinger on CPU 0, consumer/ponger on CPU 1"

	for (k = 1; k <= np; k++) {
		p = pl[k]
		printf "\n### One-way throughput, 1 → 1, %s (%s)\n\n", p, pname[p]
		print "Messages/s: median of the repetitions [min – max]."
		print ""
		tput_rows(p)
		print ""
		print "MB/s (median; payload bytes, 10^6):"
		print ""
		header("transport")
		for (i = 1; i <= nt; i++) {
			t = trans[i]; line = "| " t
			for (j = 1; j <= ns; j++)
				line = line " | " mbs(med[t, size[j], p, "tput_mbs"])
			print line " |"
		}

		printf "\n### Round-trip latency, %s (%s)\n\n", p, pname[p]
		printf "p50 / p99 / p99.9 in %s; each the median over the repetitions of one repetition's percentile.\n\n", lu
		header("transport")
		for (i = 1; i <= nt; i++) {
			t = trans[i]; line = "| " t
			for (j = 1; j <= ns; j++) {
				b = t SUBSEP size[j] SUBSEP p SUBSEP
				if (num(med[b "lat_p50"]))
					line = line sprintf(" | %s / %s / %s", us(med[b "lat_p50"]),
						us(med[b "lat_p99"]), us(med[b "lat_p999"]))
				else
					line = line " | n/a"
			}
			print line " |"
		}
	}

	printf "\n### Send then receive in one process (self, CPU 0)\n\n"
	printf "ns of one send and one receive of the same message%s; floor: 2 × getppid().\n\n", \
		(unit == "icount") ? " (under icount: instructions)" : ""
	header("transport")
	for (i = 1; i <= nt; i++) {
		t = trans[i]; line = "| " t
		for (j = 1; j <= ns; j++) {
			key = t SUBSEP size[j] SUBSEP "self" SUBSEP "self_ns"
			line = line " | " (num(med[key]) ? sprintf("%.0f", med[key]) : "n/a")
		}
		print line " |"
	}
	printf "\n### Kernel memory per queued message (self, slab)\n\n"
	print "Bytes of /proc/meminfo Slab: per message, a queue filled with 4096 of them (512 with --quick)."
	print ""
	header("transport")
	for (i = 1; i <= nt; i++) {
		t = trans[i]; line = "| " t
		for (j = 1; j <= ns; j++) {
			key = t SUBSEP size[j] SUBSEP "self" SUBSEP "slab_per_msg"
			line = line " | " (num(med[key]) ? sprintf("%.0f", med[key]) : "n/a")
		}
		print line " |"
	}

	printf "\n### One-way throughput, 4 producers → 4 consumers on one queue (unpinned)\n\n"
	print "Messages/s, median [min – max]; n/a: no message boundaries with several readers (pipe),"
	print "single producer/single consumer by design (shm ring), or not a channel (floor, mailbox-nb)."
	print ""
	tput_rows("4to4")

	if (!("64" in sseen))
		exit
	printf "\n### Issue 13 goals, 64-byte messages unless said, 1 → 1\n\n"
	print "Ratios are judged in every mode; absolute figures (instructions, msg/s, bytes) only"
	print "under icount, where they are instruction counts (tcg: shown, not judged)."
	print ""
	print "| check | " pl[1] " | " pl[2] " | goal |"
	print "| --- | ---: | ---: | --- |"
	ic = (unit == "icount")
	nc = 0
	# goal(label, op, goal, value 1cpu, value 2cpu, absolute, format)
	g("mailbox msg/s ÷ posix-mq msg/s", ">=", 1.5, "mailbox", "posix-mq", 64, "tput_msgs", 0)
	g("mailbox msg/s ÷ sysv-msg msg/s", ">=", 1, "mailbox", "sysv-msg", 64, "tput_msgs", 0)
	g("mailbox round-trip p50 ÷ posix-mq p50", "<=", 1, "mailbox", "posix-mq", 64, "lat_p50", 0)
	g("mailbox send + receive in one process (self; icount: instructions)", "<=", 1600, "mailbox", "", 64, "self_ns", 1)
	g("mailbox-batch (32 per call) msg/s", ">=", 1.5e6, "mailbox-batch", "", 64, "tput_msgs", 1)
	g("mailbox-batch msg/s ÷ shm-futex msg/s", ">=", 1, "mailbox-batch", "shm-futex", 64, "tput_msgs", 0)
	g("mailbox-mapped msg/s ÷ shm-futex msg/s", ">=", 0.8, "mailbox-mapped", "shm-futex", 64, "tput_msgs", 0)
	g("mailbox-mapped round-trip p50 ÷ shm-futex p50", "<=", 1, "mailbox-mapped", "shm-futex", 64, "lat_p50", 0)
	g("kernel slab bytes per queued mailbox message (self)", "<=", 128, "mailbox", "", 64, "slab_per_msg", 1)
	g("4096 B: mailbox msg/s (1.3.0: 86.2k; no regression: within 2%)", ">=", 84500, "mailbox", "", 4096, "tput_msgs", 1)
	g("4096 B: mailbox-batch msg/s (1.3.0: 80.7k; within 2%)", ">=", 79100, "mailbox-batch", "", 4096, "tput_msgs", 1)
	g("4 → 4: mailbox msg/s (1.3.0: 196k; within 2%)", ">=", 192500, "mailbox", "", 64, "tput_msgs", 2)
	# issue 15: the same mq_*() program, on mailboxes (libmailbox-mq)
	g("mailbox-mq msg/s ÷ posix-mq msg/s", ">=", 1, "mailbox-mq", "posix-mq", 64, "tput_msgs", 0)
	g("mailbox-mq round-trip p50 ÷ posix-mq p50", "<=", 1, "mailbox-mq", "posix-mq", 64, "lat_p50", 0)
	print ""
	print "✗: goal not met in this run; n/a: not measured in this mode or placement. The"
	print "1.3.0 figures are icount runs of commit 17d9b1c (1.3.0) on the same machine."
}

# One row of the goals table: @a's @metric (divided by @b's when @b is
# given) at @sz bytes, in each placement; @abs: 1 an absolute figure (judged
# under icount only), 2 the same taken from placement 4to4 or self.
function g(lab, op, goal, a, b, sz, metric, abs,    k, p, v, line, ok, fmt) {
	line = "| " lab
	for (k = 1; k <= 2; k++) {
		p = pl[k]
		if (metric == "self_ns" || metric == "slab_per_msg")
			p = (k == 1) ? "self" : ""
		if (abs == 2)
			p = (k == 1) ? "4to4" : ""
		v = (b == "") ? med[a, sz, p, metric] : ratio(med[a, sz, p, metric], med[b, sz, p, metric])
		if (p == "" || !num(v)) {
			line = line " | n/a"
			continue
		}
		ok = op == ">=" ? v + 0 >= goal : v + 0 <= goal
		fmt = abs ? ((v >= 10000) ? "%s" : "%.0f") : "%.2f"
		if (abs && v >= 10000)
			v = rate(v)
		if (abs && !ic)
			line = line sprintf(" | " fmt, v)
		else
			line = line sprintf(" | " fmt "%s", v, ok ? "" : " ✗")
	}
	print line " | " (op == ">=" ? "≥ " : "≤ ") (goal >= 10000 ? rate(goal) : goal) " |"
}
