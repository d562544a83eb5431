# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# Helpers shared by the vm/ scripts: messages and package installation.
# Sourced by vm/run; expects $top (the repository) to be set.

vm_say() { printf 'vm: %s\n' "$*" >&2; }
vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 2; }

_vm_apt_updated=

# apt-get update, at most once per run.
vm_apt_update_once()
{
	[ -n "$_vm_apt_updated" ] && return 0
	vm_say "apt-get update"
	apt-get update -q >&2 || vm_die "apt-get update failed"
	_vm_apt_updated=1
}

# True when apt has package lists at all (a fresh machine may have none).
vm_apt_has_lists()
{
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

vm_pkg_installed()
{
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# True when apt knows a candidate version for the package.
vm_pkg_known()
{
	local cand

	cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[ -n "$cand" ] && [ "$cand" != "(none)" ]
}

# True when every package named is installed.
vm_pkgs_present()
{
	local p

	for p in "$@"; do
		vm_pkg_installed "$p" || return 1
	done
}

# Install the packages that are not installed yet (apt-get update first
# only when apt does not know one of them).
vm_need_pkgs()
{
	local p missing=()

	vm_pkgs_present "$@" && return 0
	for p in "$@"; do
		vm_pkg_installed "$p" || missing+=("$p")
	done

	vm_apt_has_lists || vm_apt_update_once
	for p in "${missing[@]}"; do
		vm_pkg_known "$p" || vm_apt_update_once
	done
	vm_say "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
		[ -n "$_vm_apt_updated" ] && vm_die "apt-get install ${missing[*]} failed"
		vm_apt_update_once
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			vm_die "apt-get install ${missing[*]} failed"
	fi
}

# vm_need_btf_tools KDIR: install dwarves (pahole) when modules built against
# KDIR get BTF and pahole is missing. Kbuild runs `pahole -J` on every module
# when the kernel has CONFIG_DEBUG_INFO_BTF_MODULES=y and the build tree
# ships vmlinux (scripts/Makefile.modfinal skips BTF without it): Debian's
# 6.12 headers have both, its 6.1 headers have no vmlinux. Without pahole
# the build stops at "BTF [M]" with "pahole: not found".
vm_need_btf_tools()
{
	local kdir=$1 f btf=

	command -v pahole > /dev/null && return 0
	[ -f "$kdir/vmlinux" ] || return 0
	for f in "$kdir/include/config/auto.conf" "$kdir/.config"; do
		if [ -f "$f" ]; then
			grep -qx 'CONFIG_DEBUG_INFO_BTF_MODULES=y' "$f" && btf=1
			break
		fi
	done
	[ -n "$btf" ] || return 0
	vm_say "$(basename "$kdir") builds modules with BTF: pahole needed"
	vm_need_pkgs dwarves
}
