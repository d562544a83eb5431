#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of a send and a receive goes: ipcbench's one-way
# throughput run (64-byte messages) under ftrace's function_graph tracer,
# restricted to the transport's ioctl or system calls. Prints, per
# function, its calls and its inclusive time (time asleep excluded) per
# message sent. Under TCG every traced call is slowed alike: compare shares
# and transports, not absolute figures.
# Run inside the VM: vm/run -- '/profile.sh mailbox' (or posix-mq, sysv-msg).
transport=${1:-mailbox}
n=${2:-2000}
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2> /dev/null
[ -w $T/set_graph_function ] || { echo "profile: no function_graph tracer"; exit 1; }
case $transport in
mailbox*) graph=kmb_fop_ioctl ;;
posix-mq) graph='__x64_sys_mq_timedsend __x64_sys_mq_timedreceive' ;;
sysv-msg) graph='__x64_sys_msgsnd __x64_sys_msgrcv' ;;
*) echo "profile: unknown transport $transport"; exit 2 ;;
esac
echo nop > $T/current_tracer
echo 0 > $T/tracing_on
echo "$graph" > $T/set_graph_function
echo 0 > $T/max_graph_depth
echo 32768 > $T/buffer_size_kb
echo function_graph > $T/current_tracer
# The tracer's own options exist only while it is the current tracer.
for o in funcgraph-tail nofuncgraph-irqs nosleep-time; do
	echo $o > $T/trace_options 2> /dev/null
done
echo > $T/trace
echo 1 > $T/tracing_on
ipcbench -n "$n" -l 10 -r 1 --sizes 64 --transports "$transport" > /dev/null 2>&1
echo 0 > $T/tracing_on
echo "profile: $transport, 64-byte messages; function, calls, inclusive us: per call, per message"
awk -v top="$graph" '
	/[0-9] us +\|/ {
		line = $0
		sub(/^ *[0-9]+\) */, "", line)
		dur = line; sub(/ *us.*/, "", dur); gsub(/[^0-9.]/, "", dur)
		fn = line; sub(/^[^|]*\| */, "", fn)
		if (fn ~ /^}/) { sub(/^} *\/\* */, "", fn); sub(/ *\*\/.*/, "", fn) }
		else { sub(/\(.*/, "", fn) }
		sub(/ *\[.*/, "", fn)
		sum[fn] += dur; cnt[fn]++
	}
	END {
		n = split(top, t, " "); msgs = 0
		for (i = 1; i <= n; i++) if (cnt[t[i]] > msgs) msgs = cnt[t[i]]
		printf "(%d messages)\n", msgs
		for (f in sum) printf "%-34s %8d %9.2f %9.2f\n", f, cnt[f], sum[f] / cnt[f], sum[f] / msgs
	}' $T/trace | sort -k4,4nr | head -40
echo nop > $T/current_tracer
echo > $T/set_graph_function
