# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# Building what goes into the VM. Sourced by vm/run.
#
# VM_KO=/path/kmailbox.ko  use that module instead of building one
# VM_EXTRA_BIN="P ..."    more static programs for /usr/local/bin in the VM
# VM_JOBS=N                make -j (default: nproc)

vm_jobs() { echo "${VM_JOBS:-$(nproc)}"; }

# vm_build_module REL KDIR DEST: build kmailbox.ko against KDIR and copy it
# to DEST (and build/vm/REL/kmailbox.ko). kmod/'s sources are copied into
# build/vm/REL/module/ (make -C kmod copy) and built there, so that builds
# for different kernels keep their objects apart and never touch kmod/.
vm_build_module()
{
	local rel=$1 kdir=$2 dest=$3
	local src="$top/build/vm/$1/module"

	if [ -n "${VM_KO:-}" ]; then
		vm_say "using VM_KO=$VM_KO"
		install -m 644 "$VM_KO" "$dest"
		return 0
	fi
	[ -d "$kdir" ] || vm_die "$kdir missing"
	make -s -C "$top/kmod" --no-print-directory copy DEST="$src" ||
		vm_die "cannot copy kmod/ to $src"
	vm_say "building kmailbox.ko for $rel"
	make -s -C "$kdir" M="$src" -j"$(vm_jobs)" modules ||
		vm_die "module build failed for $rel"
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
		vm_say "warning: no selftests/Makefile, no kselftests in the VM"
		return 0
	fi
	vm_say "building the selftests (static${m32:+, 32-bit})"
	make -s -C "$top/selftests" OUTPUT="$o" STATIC=1 $m32 -j"$(vm_jobs)" ||
		vm_die "selftests build failed"
	make -s -C "$top/selftests" OUTPUT="$o" STATIC=1 $m32 \
		INSTALL_PATH="$dest" install > /dev/null ||
		vm_die "selftests install failed"
}

# vm_build_userspace DEST: static mboxctl and examples into DEST.
vm_build_userspace()
{
	local dest=$1 o="$top/build/vm/userspace-static" p

	if [ ! -f "$top/userspace/Makefile" ]; then
		vm_say "warning: no userspace/Makefile, no mboxctl in the VM"
		return 0
	fi
	vm_say "building userspace (static)"
	make -s -C "$top/userspace" O="$o" STATIC=1 -j"$(vm_jobs)" mboxctl examples ||
		vm_die "userspace build failed"
	for p in "$o"/*; do
		case "$p" in *.so|*.so.*|*.a|*.o|*.d|*.txt|*.want) continue ;; esac
		if [ -f "$p" ] && [ -x "$p" ]; then
			install -m 755 "$p" "$dest/"
		fi
	done
	# VM_EXTRA_BIN: more (static) programs for /usr/local/bin in the VM.
	for p in ${VM_EXTRA_BIN:-}; do
		install -m 755 "$p" "$dest/" ||
			vm_die "VM_EXTRA_BIN: cannot copy $p"
	done
}
