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
# (placement self), and the 64-byte checks of issue 5 (mailbox against
# POSIX mq, System V msg and the syscall floor; the self rows in column
# 1cpu).

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
	printf "\n### Issue 5 goals, 64-byte messages, 1 → 1\n\n"
	print "| check | " pl[1] " | " pl[2] " | goal |"
	print "| --- | ---: | ---: | --- |"
	split("", r)
	for (k = 1; k <= np; k++) {
		p = pl[k]
		r[1, k] = ratio(med["mailbox", 64, p, "tput_msgs"], med["posix-mq", 64, p, "tput_msgs"])
		r[2, k] = ratio(med["mailbox", 64, p, "tput_msgs"], med["sysv-msg", 64, p, "tput_msgs"])
		r[3, k] = ratio(med["mailbox", 64, p, "lat_p50"], med["posix-mq", 64, p, "lat_p50"])
		# cost per message = 1 / throughput; the floor's "message" is 2 syscalls
		r[4, k] = ratio(med["floor", 64, p, "tput_msgs"], med["mailbox", 64, p, "tput_msgs"])
		# the same messages, 32 per system call (no round trip: n/a)
		r[5, k] = ratio(med["mailbox-batch", 64, p, "tput_msgs"], med["posix-mq", 64, p, "tput_msgs"])
		r[6, k] = ratio(med["mailbox-batch", 64, p, "tput_msgs"], med["sysv-msg", 64, p, "tput_msgs"])
		r[7, k] = ratio(med["floor", 64, p, "tput_msgs"], med["mailbox-batch", 64, p, "tput_msgs"])
	}
	lab[1] = "mailbox msg/s ÷ posix-mq msg/s"; op[1] = ">="; goal[1] = 1.5
	lab[2] = "mailbox msg/s ÷ sysv-msg msg/s"; op[2] = ">="; goal[2] = 1
	lab[3] = "mailbox round-trip p50 ÷ posix-mq p50"; op[3] = "<="; goal[3] = 1
	lab[4] = "mailbox send+receive cost ÷ floor (2 × getppid)"; op[4] = "<="; goal[4] = 3
	lab[5] = "mailbox-batch msg/s ÷ posix-mq msg/s"; op[5] = ">="; goal[5] = 1.5
	lab[6] = "mailbox-batch msg/s ÷ sysv-msg msg/s"; op[6] = ">="; goal[6] = 1
	lab[7] = "mailbox-batch send+receive cost ÷ floor"; op[7] = "<="; goal[7] = 3
	for (c = 8; c <= 10; c++)
		r[c, 1] = r[c, 2] = ""
	r[8, 1] = ratio(med["mailbox", 64, "self", "self_ns"], med["posix-mq", 64, "self", "self_ns"])
	r[9, 1] = ratio(med["mailbox", 64, "self", "self_ns"], med["floor", 64, "self", "self_ns"])
	r[10, 1] = med["mailbox", 64, "self", "slab_per_msg"]
	if (!num(r[10, 1])) r[10, 1] = ""
	lab[8] = "self: mailbox send+receive ÷ posix-mq (one process)"; op[8] = "<="; goal[8] = 1
	lab[9] = "self: mailbox send+receive ÷ floor (one process)"; op[9] = "<="; goal[9] = 2.5
	lab[10] = "self: mailbox slab bytes per queued message"; op[10] = "<="; goal[10] = 128
	for (c = 1; c <= 10; c++) {
		line = "| " lab[c]
		for (k = 1; k <= np; k++) {
			if (r[c, k] == "")
				line = line " | n/a"
			else {
				ok = op[c] == ">=" ? r[c, k] >= goal[c] : r[c, k] <= goal[c]
				line = line sprintf(c == 10 ? " | %.0f%s" : " | %.2f%s", r[c, k], ok ? "" : " ✗")
			}
		}
		print line " | " (op[c] == ">=" ? "≥ " : "≤ ") goal[c] " |"
	}
	print ""
	print "✗: goal not met in this run."
}
