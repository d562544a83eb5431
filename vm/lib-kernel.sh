# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # globals set by vm/run
#
# Which Debian kernel to boot, and getting its vmlinuz without installing it.
# Sourced by vm/run after lib-common.sh.

# vm_resolve_kernel NAME: print the kernel release (e.g. 6.1.0-56-amd64).
#   deb61   the release linux-image-amd64 depends on (Debian 12's 6.1)
#   deb612  the newest linux-image-6.12.*+deb12-amd64 that has headers
#   anything else that looks like a release is taken as it is.
vm_resolve_kernel()
{
	local name=$1 rel cands c

	vm_apt_has_lists || vm_apt_update_once
	case "$name" in
	deb61)
		rel=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/^linux-image-/, "", $2); if (!n++) print $2 }')
		if [ -z "$rel" ]; then
			vm_apt_update_once
			rel=$(apt-cache depends linux-image-amd64 2>/dev/null |
				awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/^linux-image-/, "", $2); if (!n++) print $2 }')
		fi
		[ -n "$rel" ] || vm_die "cannot tell which kernel linux-image-amd64 depends on"
		;;
	deb612)
		cands=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
			awk '{ sub(/^linux-image-/, "", $1); print $1 }' | sort -rV)
		if [ -z "$cands" ]; then
			vm_apt_update_once
			cands=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
				awk '{ sub(/^linux-image-/, "", $1); print $1 }' | sort -rV)
		fi
		rel=
		for c in $cands; do
			if vm_pkg_known "linux-headers-$c"; then
				rel=$c
				break
			fi
		done
		[ -n "$rel" ] || vm_die "no linux-image-6.12.*+deb12-amd64 with headers found"
		;;
	[0-9]*-amd64)
		rel=$name
		;;
	*)
		vm_die "unknown kernel '$name' (deb61, deb612 or a release like 6.1.0-56-amd64)"
		;;
	esac
	echo "$rel"
}

# vm_kernel_headers REL: print the build tree (KDIR) for REL. The headers
# package is installed when that installs no kernel (6.1); otherwise (6.12's
# headers depend on its image) scripts/kernel-headers.sh unpacks the
# packages under build/cache/headers/REL/ without installing them.
vm_kernel_headers()
{
	local rel=$1 deps

	if ! vm_pkg_installed "linux-headers-$rel"; then
		deps=$(apt-cache depends "linux-headers-$rel" 2>/dev/null || true)
		if [ -n "$deps" ] && ! [[ "$deps" =~ Depends:\ linux-image ]]; then
			vm_need_pkgs "linux-headers-$rel"
		fi
	fi
	"$top/scripts/kernel-headers.sh" "$rel" ||
		vm_die "no build tree for $rel (scripts/kernel-headers.sh failed)"
}

# vm_fetch_vmlinuz REL: make sure build/cache/REL/vmlinuz (and config) exist,
# from `apt-get download linux-image-REL`; nothing is installed.
vm_fetch_vmlinuz()
{
	local rel=$1 dir="$top/build/cache/$1" tmp deb

	if [ -s "$dir/vmlinuz" ]; then
		return 0
	fi
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/dl.XXXXXX")
	vm_say "downloading linux-image-$rel"
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel" >&2); then
		vm_apt_update_once
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel" >&2) ||
			vm_die "apt-get download linux-image-$rel failed"
	fi
	deb=$(compgen -G "$tmp/linux-image-*.deb") || vm_die "no .deb downloaded"
	mkdir -p "$tmp/x"
	# Only /boot is needed; the modules tree is large and unused.
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp/x" "./boot/vmlinuz-$rel" "./boot/config-$rel" ||
		vm_die "no vmlinuz-$rel in $deb"
	mv "$tmp/x/boot/config-$rel" "$dir/config"
	mv "$tmp/x/boot/vmlinuz-$rel" "$dir/vmlinuz"
	rm -rf "$tmp"
}
