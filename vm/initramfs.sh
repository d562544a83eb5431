# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# The busybox initramfs of the test VM. Sourced by vm/run.
#
# Layout inside the VM:
#   /init                     vm/init.sh
#   /etc/vm/env               VM_MODE, VM_MODPARAMS, KSFT_TIMEOUT
#   /etc/vm/command           the command to run (shell syntax)
#   /lib/modules/kmailbox.ko
#   /kselftest/               run_kselftest.sh, kselftest/runner.sh,
#                             kselftest-list.txt, mailbox/<tests>
#   /usr/local/bin/           mboxctl, other userspace programs, run_kselftests
#   /demo.sh                  vm/demo.sh
#   /profile.sh               vm/profile.sh
#   /bench.sh                 vm/bench.sh (runs ipcbench: `make bench`)
#   /mq-tests.sh              vm/mq-tests.sh (`make check-mq`: the kernel's
#                             mq selftests in /mqueue/, VM_MQ=1 only)

# Quote each argument for sh, so that /etc/vm/command keeps the words.
vm_sh_quote()
{
	local a out=

	for a in "$@"; do
		out+="'${a//\'/\'\\\'\'}' "
	done
	printf '%s\n' "${out% }"
}

# vm_stage_base DIR: busybox, directories, /init and the helper scripts.
vm_stage_base()
{
	local d=$1 bb p

	rm -rf "$d"
	mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/vm,lib/modules} \
		"$d"/{proc,sys,dev,tmp,root,run,kselftest}
	chmod 1777 "$d/tmp"

	# busybox-static's; the VM has no shared libraries.
	bb=/bin/busybox
	[ -x "$bb" ] || die "$bb not found (busybox-static)"
	cp "$bb" "$d/bin/busybox"
	for p in $("$d/bin/busybox" --list-full); do
		[ -e "$d/$p" ] || ln -s /bin/busybox "$d/$p"
	done
	# The kselftest runner's per-test timeout: /usr/bin/timeout must kill
	# the test's whole process group, which busybox's does not do.
	rm -f "$d/usr/bin/timeout"
	vm_build_timeout "$d/usr/bin/timeout"

	# The kernel opens /dev/console before /init mounts devtmpfs.
	mknod -m 600 "$d/dev/console" c 5 1
	mknod -m 666 "$d/dev/null" c 1 3

	cat > "$d/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat > "$d/etc/group" <<-'EOF'
	root:x:0:
	nogroup:x:65534:
	EOF
	cat > "$d/etc/profile" <<-'EOF'
	export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
	PS1='vm:\w# '
	EOF

	install -m 755 "$top/vm/init.sh" "$d/init"
	install -m 755 "$top/vm/run_kselftests.sh" "$d/usr/local/bin/run_kselftests"
	install -m 755 "$top/vm/demo.sh" "$d/demo.sh"
	install -m 755 "$top/vm/profile.sh" "$d/profile.sh"
	install -m 755 "$top/vm/bench.sh" "$d/bench.sh"
	install -m 755 "$top/vm/mq-tests.sh" "$d/mq-tests.sh"
	install -m 755 "$top/vm/unload-cycle.sh" "$d/unload-cycle.sh"
}

# vm_build_timeout DEST: vm/timeout.c, static, cached in build/vm/.
vm_build_timeout()
{
	local bin="$top/build/vm/timeout"

	if [ ! -x "$bin" ] || [ "$top/vm/timeout.c" -nt "$bin" ]; then
		gcc -static -O2 -Wall -Wextra -o "$bin.tmp" "$top/vm/timeout.c" ||
			die "cannot build vm/timeout.c"
		mv "$bin.tmp" "$bin"
	fi
	install -m 755 "$bin" "$1"
}

# vm_build_bench DEST: userspace/bench/ipcbench, static, into DEST (the
# same build directory as vm_build_userspace's programs).
vm_build_bench()
{
	local dest=$1 o="$top/build/vm/userspace-static"

	[ -f "$top/userspace/bench/ipcbench.c" ] || return 0
	say "building ipcbench (static)"
	build_userspace "$o" STATIC=1 bench || die "ipcbench build failed"
	install -m 755 "$o/ipcbench" "$dest/"
}

# vm_stage_kselftest_runner DIR: the kernel's run_kselftest.sh and helpers.
vm_stage_kselftest_runner()
{
	local d=$1/kselftest ks=$kernel_src/tools/testing/selftests

	mkdir -p "$d/kselftest"
	install -m 755 "$ks/run_kselftest.sh" "$d/run_kselftest.sh"
	install -m 644 "$ks/kselftest/runner.sh" "$ks/kselftest/ktap_helpers.sh" \
		"$d/kselftest/"
	install -m 755 "$ks/kselftest/prefix.pl" "$d/kselftest/"
	: > "$d/kselftest-list.txt"
}

# vm_stage_settings DIR MODE MODPARAMS COMMAND...
vm_stage_settings()
{
	local d=$1 mode=$2 params=$3

	shift 3
	{
		echo "VM_MODE=$(vm_sh_quote "$mode")"
		echo "VM_MODPARAMS=$(vm_sh_quote "$params")"
		if [ -n "${KSFT_TIMEOUT:-}" ]; then
			echo "KSFT_TIMEOUT=$(vm_sh_quote "$KSFT_TIMEOUT")"
			echo "export KSFT_TIMEOUT"
		fi
	} > "$d/etc/vm/env"
	if [ $# -eq 0 ]; then
		echo run_kselftests > "$d/etc/vm/command"
	elif [ $# -eq 1 ]; then
		# One argument is a shell command line: vm/run -- 'a; b'.
		printf '%s\n' "$1" > "$d/etc/vm/command"
	else
		vm_sh_quote "$@" > "$d/etc/vm/command"
	fi
}

# vm_pack DIR OUT: cpio newc, gzip.
vm_pack()
{
	local d=$1 out=$2

	(cd "$d" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
	mv "$out.tmp" "$out"
}
