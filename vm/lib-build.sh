# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# What goes into the VM, built with scripts/lib/build.sh. Sourced by vm/run.
#
# VM_KO=/path/kmailbox.ko  use that module instead of building one
# VM_EXTRA_BIN="P ..."    more static programs for /usr/local/bin in the VM
# VM_JOBS=N                make -j (default: nproc)

# vm_build_module REL KDIR DEST: build kmailbox.ko against KDIR and copy it
# to DEST (and build/vm/REL/kmailbox.ko). It is built in a copy of kmod/,
# build/vm/REL/module/ (module_copy), so that builds for different kernels
# keep their objects apart and never touch kmod/.
vm_build_module()
{
	local rel=$1 kdir=$2 dest=$3
	local src="$top/build/vm/$1/module"

	if [ -n "${VM_KO:-}" ]; then
		say "using VM_KO=$VM_KO"
		install -m 644 "$VM_KO" "$dest"
		return 0
	fi
	say "building kmailbox.ko for $rel"
	build_module "$kdir" "$src" -s || die "module build failed for $rel"
	install -m 644 "$src/kmailbox.ko" "$top/build/vm/$rel/kmailbox.ko"
	install -m 644 "$src/kmailbox.ko" "$dest"
}

# vm_build_selftests DEST: static kselftests, installed kselftest-style
# (run_kselftest.sh, kselftest-list.txt, mailbox/) into DEST. With
# VM_M32=1 they are 32-bit programs (the compat lane: the 64-bit kernel's
# compat ioctl path).
vm_build_selftests()
{
	local dest=$1 o="$top/build/vm/selftests-static" m32=

	if [ -n "${VM_M32:-}" ]; then
		o="$top/build/vm/selftests-static32"
		m32=M32=1
	fi

	if [ ! -f "$top/selftests/Makefile" ]; then
		say "warning: no selftests/Makefile, no kselftests in the VM"
		return 0
	fi
	say "building the selftests (static${m32:+, 32-bit})"
	build_selftests "$o" STATIC=1 $m32 || die "selftests build failed"
	build_selftests "$o" STATIC=1 $m32 INSTALL_PATH="$dest" install > /dev/null ||
		die "selftests install failed"
}

# vm_build_userspace DEST: static mboxctl and examples into DEST, and the
# programs of VM_EXTRA_BIN.
vm_build_userspace()
{
	local dest=$1 o="$top/build/vm/userspace-static" p

	if [ ! -f "$top/userspace/Makefile" ]; then
		say "warning: no userspace/Makefile, no mboxctl in the VM"
		return 0
	fi
	say "building userspace (static)"
	build_userspace "$o" STATIC=1 mboxctl examples || die "userspace build failed"
	for p in "$o"/*; do
		case "$p" in *.so|*.so.*|*.a|*.o|*.d|*.txt|*.want) continue ;; esac
		if [ -f "$p" ] && [ -x "$p" ]; then
			install -m 755 "$p" "$dest/"
		fi
	done
	build_extra_bins "$dest"
}

# vm_build_mqueue ROOT: with VM_MQ=1 (make check-mq), the kernel's POSIX mq
# selftests (tools/testing/selftests/mqueue/, extracted by kernel_files
# from Debian's linux-source-6.12, never copied into the tree) into
# ROOT/mqueue/ for /mq-tests.sh: each static against libmailbox-mq.a
# (*.lib) and dynamic against the C library's -lrt as the kernel's Makefile
# links them (*.dyn, for LD_PRELOAD), libmailbox-mq.so.1 in
# ROOT/usr/local/lib, and the shared libraries the dynamic programs need
# (as ldd lists them) at their paths. One cut to mq_perf_tests, made in a
# copy of its source, keeps the lane to a few minutes under TCG:
# TEST1_LOOPS (send/receive on an empty queue, 10000000) becomes
# $MQ_TEST1_LOOPS: one iteration takes about 33 us there (two ioctls and
# three clock_gettime() system calls on a thread CPU-time clock), 10
# million about 6 minutes per run. The queue is the test's own (msg_max,
# which it raises to 65536), and TEST2_LOOPS (100000 sends and receives
# per priority pattern) is kept: a wide priority mailbox finds a
# message's place without walking the queue (kmailbox 1.5's walk made
# the fills of 65536 messages with increasing or random priorities last
# beyond 12 minutes, and this lane capped the queue at 1024).
MQ_TEST1_LOOPS=${MQ_TEST1_LOOPS:-200000}
vm_build_mqueue()
{
	local root=$1 src="$kernel_src/tools/testing/selftests/mqueue"
	local o="$top/build/vm/mqueue" us="$top/build/vm/userspace-mq"
	local cflags=(-O2 -g -w) lib f

	[ "${VM_MQ:-}" = 1 ] || return 0
	say "building the kernel's mq selftests (libmailbox-mq, static and dynamic)"
	mkdir -p "$o" "$root/mqueue" "$root/usr/local/lib"
	build_userspace "$us" mq || die "libmailbox-mq build failed"
	# ../kselftest.h is included relative to the source: build beside it.
	sed -e "s/^#define TEST1_LOOPS .*/#define TEST1_LOOPS $MQ_TEST1_LOOPS/" \
		"$src/mq_perf_tests.c" > "$src/mq_perf_tests_cut.c"
	grep -q "^#define TEST1_LOOPS $MQ_TEST1_LOOPS\$" "$src/mq_perf_tests_cut.c" ||
		die "mq_perf_tests.c: no TEST1_LOOPS to cut"
	if ! { gcc "${cflags[@]}" -static -o "$o/mq_open_tests.lib" \
			"$src/mq_open_tests.c" "$us/libmailbox-mq.a" -lpthread &&
	       gcc "${cflags[@]}" -static -o "$o/mq_perf_tests.lib" \
			"$src/mq_perf_tests_cut.c" "$us/libmailbox-mq.a" -lpthread -lpopt &&
	       gcc "${cflags[@]}" -o "$o/mq_open_tests.dyn" \
			"$src/mq_open_tests.c" -lrt -lpthread &&
	       gcc "${cflags[@]}" -o "$o/mq_perf_tests.dyn" \
			"$src/mq_perf_tests_cut.c" -lrt -lpthread -lpopt; }; then
		die "mq selftests build failed"
	fi
	# The README's unmodified program, relinked and as it is.
	if ! { gcc -O2 -Wall -Wextra -Werror -static -o "$o/mqdemo.lib" \
			"$top/userspace/examples/mqdemo.c" "$us/libmailbox-mq.a" -lrt -lpthread &&
	       gcc -O2 -Wall -Wextra -Werror -o "$o/mqdemo.dyn" \
			"$top/userspace/examples/mqdemo.c" -lrt; }; then
		die "mqdemo build failed"
	fi
	install -m 755 "$o"/mq_*_tests.lib "$o"/mq_*_tests.dyn "$o"/mqdemo.* "$root/mqueue/"
	install -m 755 "$us/libmailbox-mq.so.1."* "$root/usr/local/lib/"
	for f in "$us"/libmailbox-mq.so.1.*; do
		ln -sf "$(basename "$f")" "$root/usr/local/lib/libmailbox-mq.so.1"
	done
	for lib in $( (ldd "$o/mq_open_tests.dyn"; ldd "$o/mq_perf_tests.dyn"; ldd "$o/mqdemo.dyn";
		       ldd "$us/libmailbox-mq.so.1") |
		     sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		     sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
