# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # $top set by the caller
#
# Helpers every script of scripts/ and vm/ shares: messages and package
# installation. Source it after setting $top (the repository); $log_prefix
# names the caller in messages (default: the script's name).
#
# Together with kernel.sh (which Debian kernel, its headers and image),
# build.sh (the module, the selftests, userspace) and check.sh (a CI lane's
# ok/FAIL lines), this directory is the one place such helpers live.

say() { printf '%s: %s\n' "${log_prefix:-${0##*/}}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${log_prefix:-${0##*/}}" "$*" >&2; exit 2; }

_apt_updated=

# apt-get update, at most once per run.
apt_update_once()
{
	[ -n "$_apt_updated" ] && return 0
	say "apt-get update"
	apt-get update -q >&2 || die "apt-get update failed"
	_apt_updated=1
}

# True when apt has package lists at all (a fresh machine may have none).
apt_has_lists()
{
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

pkg_installed()
{
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# True when apt knows a candidate version for the package.
pkg_known()
{
	local cand

	cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[ -n "$cand" ] && [ "$cand" != "(none)" ]
}

# True when every package named is installed.
pkgs_present()
{
	local p

	for p in "$@"; do
		pkg_installed "$p" || return 1
	done
}

# Install the packages that are not installed yet (apt-get update first
# only when apt does not know one of them).
need_pkgs()
{
	local p missing=()

	pkgs_present "$@" && return 0
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done

	apt_has_lists || apt_update_once
	for p in "${missing[@]}"; do
		pkg_known "$p" || apt_update_once
	done
	say "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
		[ -n "$_apt_updated" ] && die "apt-get install ${missing[*]} failed"
		apt_update_once
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
			die "apt-get install ${missing[*]} failed"
	fi
}

# need_btf_tools KDIR: install dwarves (pahole) when modules built against
# KDIR get BTF and pahole is missing. Kbuild runs `pahole -J` on every module
# when the kernel has CONFIG_DEBUG_INFO_BTF_MODULES=y and the build tree
# ships vmlinux (scripts/Makefile.modfinal skips BTF without it): Debian's
# 6.12 headers have both, its 6.1 headers have no vmlinux. Without pahole
# the build stops at "BTF [M]" with "pahole: not found".
need_btf_tools()
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
	say "$(basename "$kdir") builds modules with BTF: pahole needed"
	need_pkgs dwarves
}
