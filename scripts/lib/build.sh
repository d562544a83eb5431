# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # $top set by the caller
#
# Building the module, the selftests and userspace, for vm/run and the
# lanes of scripts/. Source it after common.sh and kernel.sh.
#
# VM_JOBS=N  make -j (default: nproc)

build_jobs() { echo "${VM_JOBS:-$(nproc)}"; }

# module_copy DIR: make DIR a copy of kmod/'s sources (`make -C kmod
# sources`), times kept, so that a build there leaves kmod/ alone and a
# second build in DIR only remakes what changed. DIR starts afresh when
# kmod/'s list of sources changed since the last copy (a file gone from
# kmod/ must not linger in the copy).
module_copy()
{
	local dir=$1 sources

	sources=$(make -s -C "$top/kmod" --no-print-directory sources) ||
		die "make -C kmod sources failed"
	if [ -f "$dir/.sources" ] && [ "$(cat "$dir/.sources")" != "$sources" ]; then
		rm -rf "$dir"
	fi
	make -s -C "$top/kmod" --no-print-directory copy DEST="$dir" ||
		die "cannot copy kmod/ to $dir"
	echo "$sources" > "$dir/.sources"
}

# build_module KDIR DIR [MAKE-ARGS...]: kmailbox.ko in DIR (a copy of kmod/,
# module_copy) against KDIR; the make's output goes to stdout and stderr.
build_module()
{
	local kdir=$1 dir=$2

	shift 2
	[ -d "$kdir" ] || die "$kdir missing"
	module_copy "$dir"
	make -C "$kdir" M="$dir" -j"$(build_jobs)" "$@" modules
}

# build_selftests OUT [MAKE-VARS...]: the kselftests into OUT, after
# kernel_files has made the kselftest harness and lib.mk available.
build_selftests()
{
	local o=$1

	shift
	kernel_files > /dev/null
	make -s -C "$top/selftests" OUTPUT="$o" -j"$(build_jobs)" "$@"
}

# build_userspace OUT [MAKE-ARGS...]: make -C userspace O=OUT.
build_userspace()
{
	local o=$1

	shift
	make -s -C "$top/userspace" O="$o" -j"$(build_jobs)" "$@"
}

# build_extra_bins DEST: the programs VM_EXTRA_BIN names (static ones: the
# VM has no libraries), copied to DEST. vm/run installs them in the VM's
# /usr/local/bin; a script that wants to run its own program there sets
# VM_EXTRA_BIN (scripts/install-check.sh does).
build_extra_bins()
{
	local dest=$1 p

	for p in ${VM_EXTRA_BIN:-}; do
		install -m 755 "$p" "$dest/" ||
			die "VM_EXTRA_BIN: cannot copy $p"
	done
}
