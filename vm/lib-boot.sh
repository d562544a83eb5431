# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# Booting the VM and reading its results. Sourced by vm/run.

# Accelerator: VM_ACCEL=tcg|kvm forces one. Otherwise KVM is tried when
# /dev/kvm is usable, and given up for TCG when QEMU fails or the guest has
# not printed its "booted" marker within VM_KVM_PROBE_SECS (20) seconds,
# with one line saying why ("vm: KVM is not usable on this machine (...);
# using TCG"); QEMU's own output of that attempt goes to the top of the
# console log, not to the terminal. The verdict is remembered in
# build/cache/kvm-verdict for this host kernel, so later runs go straight
# to TCG (delete the file to probe again).
vm_kvm_verdict_file() { echo "$top/build/cache/kvm-verdict"; }

vm_kvm_verdict()
{
	local f

	f=$(vm_kvm_verdict_file)
	[ -r "$f" ] || return 0
	awk -v k="$(uname -r)" '$1 == k { print $2 }' "$f"
}

vm_set_kvm_verdict()
{
	local f

	f=$(vm_kvm_verdict_file)
	mkdir -p "$(dirname "$f")"
	echo "$(uname -r) $1" > "$f"
}

vm_kvm_usable()
{
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		[ "$(vm_kvm_verdict)" != bad ]
}

# VM_ICOUNT: run TCG with -icount, so that the guest's clocks count
# instructions (shift=0: one virtual ns per instruction) and timings repeat
# from run to run on any host. VM_ICOUNT=1 means "shift=0,sleep=off" (an
# idle vCPU jumps to the next timer instead of waiting in real time); any
# other value is passed to -icount as is. It forces TCG, which icount then
# runs single-threaded (one host thread for all vCPUs).
vm_icount_arg()
{
	case "${VM_ICOUNT:-}" in
	''|0) ;;
	1) echo "shift=0,sleep=off" ;;
	*) echo "$VM_ICOUNT" ;;
	esac
}

# vm_qemu_cmd REL ACCEL: fill the array qemu_cmd (boots $vmlinuz, $initrd).
# VM_QEMU_EXTRA: more qemu arguments (split at blanks).
vm_qemu_cmd()
{
	local rel=$1 accel=$2

	qemu_cmd=(qemu-system-x86_64 -m "${VM_MEM:-1G}" -smp "${VM_SMP:-2}"
		-nographic -no-reboot -nic none
		-kernel "$vmlinuz"
		-initrd "$initrd"
		-append "console=ttyS0 panic=-1 quiet loglevel=4 no_timer_check ${VM_APPEND:-}")
	if [ "$accel" = kvm ]; then
		qemu_cmd+=(-accel kvm -cpu host)
	else
		qemu_cmd+=(-accel tcg)
		[ -z "$(vm_icount_arg)" ] || qemu_cmd+=(-icount "$(vm_icount_arg)")
	fi
	# shellcheck disable=SC2206  # split on purpose
	[ -z "${VM_QEMU_EXTRA:-}" ] || qemu_cmd+=($VM_QEMU_EXTRA)
}

_vm_qpid=
_vm_tpid=
vm_kill_bg()
{
	[ -n "$_vm_qpid" ] && kill "$_vm_qpid" 2>/dev/null
	[ -n "$_vm_tpid" ] && kill "$_vm_tpid" 2>/dev/null
	_vm_qpid=''; _vm_tpid=''
	return 0
}

# Copy the console to stdout, less the kernel's boot messages (all of them
# stay in the log, build/vm/REL/console.log; VM_VERBOSE=1 shows them) and
# less terminal control sequences (SeaBIOS resets the terminal and clears
# the screen). With HOLD=1 (the KVM probe) nothing is shown before the
# guest's "booted" marker: if it never comes, what QEMU printed (an
# assertion, say) stays in the log and vm_boot says in one line what
# happened.
vm_stream_filter()
{
	local line hide=0 n=0 hold=${1:-0} held=()

	while IFS= read -r line; do
		if [[ "$line" == *$'\e'* ]]; then
			line=$(printf '%s\n' "$line" |
				sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/^\x1bc//; s/\x1bc/\n/g; s/\x1b[A-Za-z]//g')
		fi
		if [ "$hold" = 1 ]; then
			if [[ "$line" != *"@@VM@@ booted"* ]]; then
				held+=("$line")
				continue
			fi
			hold=0
			[ ${#held[@]} -eq 0 ] || printf '%s\n' "${held[@]}"
		fi
		if [ "$hide" = 1 ]; then
			if [[ "$line" == *"@@VM@@ dmesg-end"* ]]; then
				hide=0
				echo "[$n kernel boot messages not shown: see ${log:-the console log}]"
			else
				n=$((n + 1))
				continue
			fi
		elif [[ "$line" == *"@@VM@@ dmesg-begin boot"* ]] && [ -z "${VM_VERBOSE:-}" ]; then
			hide=1
		fi
		printf '%s\n' "$line"
	done
}

# vm_qemu_failure LOG STATUS: why QEMU ended before the guest booted, in a
# few words, from its own last error line in LOG (without the source file:
# "kvm_buf_set_msrs: Assertion `...' failed").
vm_qemu_failure()
{
	local msg

	msg=$(tr -d '\r' < "$1" |
		sed -n 's/^qemu-system-[a-z0-9_]*: //p' |
		grep -v -e '^warning:' -e '^terminating on signal' | tail -n 1 |
		sed -e 's/^[^ :]*\.[ch]:[0-9]*: //' -e 's/\.$//')
	if [ "$2" -eq 134 ]; then
		echo "QEMU aborted${msg:+: $msg}"
	else
		echo "QEMU exited with status $2${msg:+: $msg}"
	fi
}

# vm_boot_once REL LOG ACCEL TIMEOUT PROBE: boot with the console in LOG,
# streamed to stdout. With PROBE > 0, give up (status 200, the reason in
# $vm_probe_failure) when the guest has not booted after PROBE seconds.
# Status: qemu's (124: timed out; 134: it aborted).
vm_boot_once()
{
	local rel=$1 clog=$2 accel=$3 tmo=$4 probe=$5 rc=0 t0=$SECONDS hold=0

	vm_qemu_cmd "$rel" "$accel"
	if [ "$probe" -gt 0 ]; then
		hold=1
		say "booting with $accel, timeout ${tmo}s (TCG instead if the guest has not booted within ${probe}s)"
	else
		say "booting with $accel, timeout ${tmo}s"
	fi
	: > "$clog"
	# A QEMU that aborts (a failed assertion) makes timeout die of SIGABRT,
	# and bash would print "... Aborted  timeout ..." on the terminal when
	# it reaps it: not while SIGABRT is trapped here. Its status stays 134.
	trap : ABRT
	timeout -k 10 "$tmo" "${qemu_cmd[@]}" < /dev/null > "$clog" 2>&1 &
	_vm_qpid=$!
	tail -n +1 -s 0.2 -f --pid="$_vm_qpid" "$clog" | vm_stream_filter "$hold" &
	_vm_tpid=$!
	trap 'vm_kill_bg; exit 130' INT TERM

	if [ "$probe" -gt 0 ]; then
		while ! grep -q '@@VM@@ booted' "$clog"; do
			if ! kill -0 "$_vm_qpid" 2>/dev/null || [ $((SECONDS - t0)) -ge "$probe" ]; then
				if kill -0 "$_vm_qpid" 2>/dev/null; then
					vm_probe_failure="the guest did not boot within ${probe}s"
					vm_kill_bg
				else
					wait "$_vm_qpid" 2>/dev/null || rc=$?
					vm_probe_failure=$(vm_qemu_failure "$clog" "$rc")
					vm_kill_bg
				fi
				wait 2>/dev/null || true
				trap - INT TERM
				return 200
			fi
			sleep 0.5
		done
	fi
	# A kernel that cannot power off or reset just halts: once /init has
	# said "done", give QEMU a few seconds to exit, then stop it.
	local done_at=
	while kill -0 "$_vm_qpid" 2>/dev/null; do
		if [ -z "$done_at" ]; then
			grep -q '@@VM@@ done' "$clog" && done_at=$SECONDS
		elif [ $((SECONDS - done_at)) -ge 10 ]; then
			say "the guest finished but did not power off: stopping qemu"
			kill "$_vm_qpid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$_vm_qpid" || rc=$?
	[ -n "$done_at" ] && [ "$rc" -ne 0 ] && rc=0
	wait "$_vm_tpid" 2>/dev/null || true
	_vm_qpid=''; _vm_tpid=''
	trap - INT TERM
	[ "$rc" -eq 124 ] && say "timed out after ${tmo}s"
	[ "$rc" -eq 134 ] && say "$(vm_qemu_failure "$clog" "$rc") (see the console log)"
	return "$rc"
}

# vm_boot REL LOG TIMEOUT
vm_boot()
{
	local rel=$1 clog=$2 tmo=$3 rc=0 accel=${VM_ACCEL:-}

	if [ -n "$(vm_icount_arg)" ]; then
		[ "$accel" != kvm ] || die "VM_ICOUNT needs TCG, not VM_ACCEL=kvm"
		accel=tcg
		say "icount: -icount $(vm_icount_arg)"
	fi
	case "$accel" in
	kvm|tcg) vm_boot_once "$rel" "$clog" "$accel" "$tmo" 0 || rc=$? ;;
	'')
		if vm_kvm_usable; then
			vm_boot_once "$rel" "$clog" kvm "$tmo" "${VM_KVM_PROBE_SECS:-20}" || rc=$?
			if [ "$rc" -eq 200 ]; then
				vm_set_kvm_verdict bad
				say "KVM is not usable on this machine ($vm_probe_failure); using TCG (slower, same results)"
				# QEMU's output stays, at the top of the console
				# log (vm_finish_run).
				{
					echo "=== vm: the KVM attempt: $vm_probe_failure; QEMU's output:"
					cat "$clog"
					echo "=== vm: end of the KVM attempt; the TCG run follows"
				} > "$clog.kvm"
				rc=0
				vm_boot_once "$rel" "$clog" tcg "$tmo" 0 || rc=$?
			else
				vm_set_kvm_verdict good
			fi
		else
			if [ -c /dev/kvm ] && [ "$(vm_kvm_verdict)" = bad ]; then
				say "KVM did not work on this machine before: using TCG (to try KVM again: rm $(vm_kvm_verdict_file))"
			fi
			vm_boot_once "$rel" "$clog" tcg "$tmo" 0 || rc=$?
		fi
		;;
	*) die "VM_ACCEL must be kvm or tcg" ;;
	esac
	say "qemu exited with status $rc"
}

# vm_boot_interactive REL LOG TIMEOUT: console on this terminal (0: no timeout).
vm_boot_interactive()
{
	local rel=$1 clog=$2 tmo=$3 accel=${VM_ACCEL:-} rc=0

	[ -z "$(vm_icount_arg)" ] || accel=tcg
	if [ -z "$accel" ]; then
		accel=tcg
		[ "$(vm_kvm_verdict)" = good ] && vm_kvm_usable && accel=kvm
	fi
	vm_qemu_cmd "$rel" "$accel"
	say "booting with $accel (quit: exit the shell, or Ctrl-A x)"
	if [ "$tmo" -gt 0 ]; then
		timeout --foreground "$tmo" "${qemu_cmd[@]}" 2>&1 | tee "$clog" || rc=$?
	else
		"${qemu_cmd[@]}" 2>&1 | tee "$clog" || rc=$?
	fi
	say "qemu exited with status $rc"
}

# vm_finish_run RUN_DIR OUT: keep the run's console log and initramfs as
# OUT/console.log and OUT/initramfs.cpio.gz, drop RUN_DIR. A failed KVM
# attempt's output goes first in the log, fenced by "=== vm:" lines.
vm_finish_run()
{
	local run_dir=$1 out=$2

	vm_kill_bg
	[ -d "$run_dir" ] || return 0
	if [ -f "$run_dir/console.log.kvm" ] && [ -f "$run_dir/console.log" ]; then
		cat "$run_dir/console.log" >> "$run_dir/console.log.kvm"
		mv -f "$run_dir/console.log.kvm" "$run_dir/console.log"
	fi
	[ -f "$run_dir/console.log" ] && mv -f "$run_dir/console.log" "$out/console.log"
	[ -f "$run_dir/initramfs.cpio.gz" ] &&
		mv -f "$run_dir/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
	rm -rf "$run_dir"
}

# vm_check LOG MODE: count results, print them, write build/vm/result.txt.
# Sets vm_passed and vm_failed.
vm_check()
{
	local log=$1 mode=$2 res skipped

	res=$(awk -f "$vmdir/check.awk" "$log")
	printf '%s\n' "$res" | grep '^vm: ' || true
	read -r vm_passed vm_failed skipped <<< "$(printf '%s\n' "$res" | tail -n 1)"
	if [ "$mode" = shell ] && [ "$vm_failed" -eq 0 ]; then
		vm_passed=1
	fi
	echo "$vm_passed $vm_failed" > "$top/build/vm/$rel/result.txt"
	cp "$top/build/vm/$rel/result.txt" "$top/build/vm/result.txt"
	[ "$skipped" -gt 0 ] && say "$skipped skipped"
	echo "vm: $vm_passed passed, $vm_failed failed"
}
