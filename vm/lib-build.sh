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
