#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/bench.sh [IPCBENCH-ARGS...]        (make bench [ICOUNT=1])
#
# Runs userspace/bench/ipcbench in the QEMU VM with kmailbox.ko loaded
# (vm/run -- /bench.sh ARGS), takes its CSV from the console and writes
#   build/bench/results.csv   the CSV
#   build/bench/results.md    Markdown tables, headed by the mode, kernel,
#                             date and exact command
#   build/bench/results.png   throughput and p50 latency by message size,
#                             one line per transport (gnuplot, log scales)
# and copies of the three as results-MODE.* (MODE: tcg or icount), so that
# a TCG run and an icount run can be kept side by side.
#
# Environment:
#   BENCH_ICOUNT=1   boot QEMU with -icount shift=0,sleep=off (VM_ICOUNT):
#                    the guest's clock counts instructions (1 ns each), so
#                    figures are repeatable from run to run and host to host
#   VM_SMP           vCPUs (default 2; 1 under icount, where VM_SMP=2 boots
#                    with maxcpus=1 and vm/bench.sh brings CPU 1 online)
#   KERNEL           the VM's kernel (vm/run --kernel; default deb61)
#   BENCH_TIMEOUT    vm/run --timeout (default 3600 s)
#   BENCH_REPORT_ONLY=1  do not boot: remake the CSV, table and plot from
#                    the last run's build/bench/vm-run.log
#   VM_*             as for vm/run (VM_ACCEL defaults to tcg here)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$top/build/bench
kernel=${KERNEL:-deb61}
mode=tcg
t0=$SECONDS

# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"

if [ -n "${BENCH_ICOUNT:-}" ] && [ "${BENCH_ICOUNT}" != 0 ]; then
	mode=icount
	export VM_ICOUNT=1
	# QEMU 7.2 with -icount hangs the 6.1 guest at "x86: Booting SMP
	# configuration" (the second vCPU never comes up at boot): one vCPU
	# by default, so the 2cpu placement is n/a. VM_SMP=2 boots with
	# maxcpus=1 and vm/bench.sh brings the other vCPUs online (CPU
	# hotplug works under icount); icount runs them round-robin on one
	# host thread, so virtual time is both vCPUs' instructions together.
	export VM_SMP=${VM_SMP:-1}
else
	unset VM_ICOUNT
fi
export VM_ACCEL=${VM_ACCEL:-tcg}
# The TSC as the guest's clock: the cheapest clock_gettime() (HPET reads are
# emulated MMIO), and under icount it counts virtual time like the rest.
export VM_APPEND=${VM_APPEND-clocksource=tsc tsc=reliable}
if [ "$mode" = icount ] && [ "$VM_SMP" != 1 ]; then
	VM_APPEND+="${VM_APPEND:+ }maxcpus=1"
fi
need_pkgs gnuplot-nox

mkdir -p "$out"
run_log=$out/vm-run.log
# The exact command, as one could paste it again.
smp=
[ "$mode" != icount ] || [ "$VM_SMP" = 1 ] || smp="VM_SMP=$VM_SMP "
cmd="${BENCH_ICOUNT:+BENCH_ICOUNT=$BENCH_ICOUNT }${smp}KERNEL=$kernel scripts/bench.sh${*:+ $*}"
vm_cmd="VM_ACCEL=$VM_ACCEL${VM_ICOUNT:+ VM_ICOUNT=$VM_ICOUNT VM_SMP=$VM_SMP}${VM_APPEND:+ VM_APPEND='$VM_APPEND'} vm/run --kernel $kernel --timeout ${BENCH_TIMEOUT:-3600} -- '/bench.sh${*:+ $*}'"
echo "bench: $cmd"
echo "bench: $vm_cmd"

rc=0
if [ -z "${BENCH_REPORT_ONLY:-}" ]; then
	set +e
	"$top/vm/run" --kernel "$kernel" --timeout "${BENCH_TIMEOUT:-3600}" -- \
		"/bench.sh${*:+ $*}" 2>&1 | tee "$run_log"
	rc=${PIPESTATUS[0]}
	set -e
	echo "$((SECONDS - t0))" > "$out/vm-run.secs"
fi
secs=$(cat "$out/vm-run.secs" 2>/dev/null || echo "?")

# The CSV from what vm/run streamed (our own copy of the console; the log
# in build/vm/REL/ may be replaced by a concurrent run).
tr -d '\r' < "$run_log" |
	awk '/@@BENCH-CSV-END@@/ { on = 0 } on { print } /@@BENCH-CSV-BEGIN@@/ { on = 1 }' \
	> "$out/results.csv.tmp"
if [ "$(wc -l < "$out/results.csv.tmp")" -lt 2 ]; then
	rm -f "$out/results.csv.tmp"
	echo "bench: no CSV in the console output (see $run_log)" >&2
	exit 1
fi
mv "$out/results.csv.tmp" "$out/results.csv"
info=$(tr -d '\r' < "$run_log" | sed -n 's/.*@@BENCH-INFO@@ //p' | tail -n 1)
rel=$(sed -n 's/^.*kernel=\([^ ]*\).*$/\1/p' <<< "$info")
qemu=$(qemu-system-x86_64 --version | head -n 1)

{
	echo "# kmailbox IPC benchmark ($mode)"
	echo
	if [ "$mode" = icount ]; then
		echo "- **mode: icount** — QEMU TCG with \`-icount shift=0,sleep=off\`: the guest's"
		echo "  CLOCK_MONOTONIC advances 1 ns per guest instruction, so times are instruction"
		echo "  counts (\"virtual ns\"), repeatable from run to run and independent of the host."
		if [ "$VM_SMP" = 1 ]; then
			echo "  The guest has ONE vCPU (VM_SMP=$VM_SMP): with -icount, QEMU 7.2 hangs the guest"
			echo "  when it brings up a second one, so the 2cpu placement is n/a and 4to4 shares"
			echo "  one CPU."
		else
			echo "  The guest has $VM_SMP vCPUs (VM_SMP=$VM_SMP; booted with maxcpus=1, the others"
			echo "  brought online by vm/bench.sh), which icount runs round-robin on one host"
			echo "  thread: virtual time is every vCPU's instructions together (idle skipped),"
			echo "  never two at once, so 2cpu figures count work, not parallel speed."
		fi
	else
		echo "- **mode: tcg** — QEMU TCG (software emulation, multi-threaded: one host thread per"
		echo "  vCPU) on the host's wall clock; absolute figures are those of an emulated CPU"
		echo "  (far slower than hardware, syscalls and context switches especially),"
		echo "  only the ratios between transports mean something."
	fi
	echo "- kernel: ${rel:-?} (guest: ${info:-?})"
	echo "- host: $(uname -srm), $(nproc) CPUs; $qemu"
	echo "- date: $(date -u -r "$run_log" '+%Y-%m-%d %H:%M:%S UTC'); the run took ${secs} s"
	echo "- command: \`make bench${BENCH_ICOUNT:+ ICOUNT=1}\` = \`$cmd\`"
	echo "  (runs \`$vm_cmd\`)"
	echo "- transports: floor = no IPC, syscall(SYS_getppid), 2 per message and 4 per"
	echo "  round trip; mailbox = /dev/mailbox via libmailbox (blocking); mailbox-nb ="
	echo "  mbox_trysend/mbox_tryreceive + poll(2); mailbox-batch = mbox_send_batch /"
	echo "  mbox_receive_batch, 32 messages per system call (throughput only);"
	echo "  mailbox-mapped = a mapped mailbox (MBOX_MAPPED: a ring shared through mmap,"
	echo "  the kernel entered only to sleep and wake; depth rounded up to a power of 2); shm-spin /"
	echo "  shm-futex = shmring (fixed"
	echo "  slots) with SHMRING_SPIN / SHMRING_FUTEX; pipe; unix = socketpair SOCK_SEQPACKET;"
	echo "  posix-mq; sysv-msg. Queue depth 256 messages where settable."
	echo "- throughput: producer → consumer, first send to last receive; latency: ping-pong,"
	echo "  every round trip timed with clock_gettime(CLOCK_MONOTONIC) after 100 warm-up ones."
	echo "  Source: userspace/bench/ (ipcbench.c); raw CSV: results-$mode.csv."
	awk -F, -v unit="$( [ "$mode" = icount ] && echo icount || echo ns)" \
		-f "$top/userspace/bench/csv2md.awk" "$out/results.csv"
	echo
	echo "![throughput and latency by message size](results-$mode.png)"
} > "$out/results.md"

# The plot: for each (metric, placement) a table "size t1 t2 ...".
plotdir=$out/plot
rm -rf "$plotdir"
mkdir -p "$plotdir"
for m in tput_msgs lat_p50; do
	for p in 1cpu 2cpu; do
		awk -F, -v m="$m" -v p="$p" '
			NR == 1 { next }
			{ sub(/\r$/, "") }
			!($1 in ts) { ts[$1] = ++nt; tn[nt] = $1 }
			!($2 in ss) { ss[$2] = ++ns; sn[ns] = $2 }
			$4 == m && $3 == p { v[$1, $2] = ($5 == "n/a") ? "NaN" : \
				(m ~ /^lat/ ? $5 / 1000 : $5) }
			END {
				line = "size"
				for (i = 1; i <= nt; i++) line = line " " tn[i]
				print line
				for (j = 1; j <= ns; j++) {
					line = sn[j]
					for (i = 1; i <= nt; i++)
						line = line " " ((tn[i], sn[j]) in v ? v[tn[i], sn[j]] : "NaN")
					print line
				}
			}' "$out/results.csv" > "$plotdir/$m-$p.dat"
	done
done
ncols=$(head -n 1 "$plotdir/tput_msgs-1cpu.dat" | wc -w)
places=
for p in 1cpu 2cpu; do
	# a placement without figures (icount: one vCPU, no 2cpu) is left out
	awk 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "NaN") f = 1 } END { exit !f }' \
		"$plotdir/tput_msgs-$p.dat" && places+=" $p"
done
nplaces=$(wc -w <<< "$places")
[ "$nplaces" -gt 0 ] || { echo "bench: nothing to plot" >&2; exit 1; }
if gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo; then
	term="pngcairo size $((700 * nplaces)),1000 font ',10'"
else
	term="png size $((700 * nplaces)),1000"
fi
lunit="µs"
[ "$mode" = icount ] && lunit="virtual µs (≈ 1000 guest instructions)"
declare -A pdesc=([1cpu]="both on CPU 0" [2cpu]="CPU 0 <-> CPU 1")
{
	cat <<GPEOF
set terminal $term
set output '$out/results.png'
set datafile missing 'NaN'
set key autotitle columnhead outside right
set logscale xy
set xtics (8, 64, 512, 4096)
set xrange [6:5500]
set xlabel 'message size (bytes)'
set grid
set multiplot layout 2,$nplaces title "kmailbox IPC benchmark ($mode, ${rel:-?}, $(date -u -r "$run_log" +%F))"
set ylabel 'messages/s'
GPEOF
	for p in $places; do
		echo "set title 'one-way throughput, ${pdesc[$p]}'"
		echo "plot for [c=2:$ncols] '$plotdir/tput_msgs-$p.dat' using 1:c with linespoints"
	done
	echo "set ylabel 'round trip p50 ($lunit)'"
	for p in $places; do
		echo "set title 'round-trip latency p50, ${pdesc[$p]}'"
		echo "plot for [c=2:$ncols] '$plotdir/lat_p50-$p.dat' using 1:c with linespoints"
	done
	echo "unset multiplot"
} > "$plotdir/plot.gp"
gnuplot "$plotdir/plot.gp"

for f in csv md png; do
	cp "$out/results.$f" "$out/results-$mode.$f"
done
echo "bench: $mode run took ${secs} s; wrote $out/results.{csv,md,png} (and results-$mode.*)"
[ "$rc" -eq 0 ] || echo "bench: vm/run exited with status $rc" >&2
exit "$rc"
