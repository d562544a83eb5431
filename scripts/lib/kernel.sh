# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # $top set by the caller
#
# Debian's kernels without installing one: which release a name means, its
# build tree (KDIR), its vmlinuz, and the few files borrowed from Debian's
# linux-source-6.12 (kselftest harness and runner, checkpatch). Source it
# after common.sh. Every function prints its answer on stdout, messages go
# to stderr.

# kernel_resolve NAME: print the kernel release (e.g. 6.1.0-56-amd64).
#   deb61   the release linux-image-amd64 depends on (Debian 12's 6.1)
#   deb612  the newest linux-image-6.12.*+deb12-amd64 that has headers
#   anything else that looks like a release is taken as it is.
kernel_resolve()
{
	local name=$1 rel cands c

	apt_has_lists || apt_update_once
	case "$name" in
	deb61)
		rel=$(_kernel_deb61)
		if [ -z "$rel" ]; then
			apt_update_once
			rel=$(_kernel_deb61)
		fi
		[ -n "$rel" ] || die "cannot tell which kernel linux-image-amd64 depends on"
		;;
	deb612)
		cands=$(_kernel_deb612_candidates)
		if [ -z "$cands" ]; then
			apt_update_once
			cands=$(_kernel_deb612_candidates)
		fi
		rel=
		for c in $cands; do
			if pkg_known "linux-headers-$c"; then
				rel=$c
				break
			fi
		done
		[ -n "$rel" ] || die "no linux-image-6.12.*+deb12-amd64 with headers found"
		;;
	[0-9]*-amd64)
		rel=$name
		;;
	*)
		die "unknown kernel '$name' (deb61, deb612 or a release like 6.1.0-56-amd64)"
		;;
	esac
	echo "$rel"
}

_kernel_deb61()
{
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/^linux-image-/, "", $2); if (!n++) print $2 }'
}

_kernel_deb612_candidates()
{
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
		awk '{ sub(/^linux-image-/, "", $1); print $1 }' | sort -rV
}

# kernel_headers REL: print the build tree (KDIR) for REL. The headers
# package is installed when that installs no kernel (6.1); otherwise (6.12's
# headers depend on its image) kernel_headers_unpacked unpacks them.
kernel_headers()
{
	local rel=$1 deps

	if ! pkg_installed "linux-headers-$rel"; then
		deps=$(apt-cache depends "linux-headers-$rel" 2>/dev/null || true)
		if [ -n "$deps" ] && ! [[ "$deps" =~ Depends:\ linux-image ]]; then
			need_pkgs "linux-headers-$rel"
		fi
	fi
	kernel_headers_unpacked "$rel"
}

# kernel_headers_unpacked REL: print a build tree for REL without installing
# anything kernel-related: the installed /usr/src/linux-headers-REL if there
# is one, else the linux-headers (arch and common) and linux-kbuild packages
# downloaded and unpacked under build/cache/headers/REL/ (or
# $KMAILBOX_CACHE/headers/REL/; Debian's 6.12
# header packages depend on the kernel image, so installing them would
# install a kernel). Also installs what building a module against that tree
# needs beyond the compiler: dwarves (pahole) when its modules get BTF.
kernel_headers_unpacked()
{
	local ver=$1 root common kbuild deb kdir

	root=${KMAILBOX_CACHE:-$top/build/cache}/headers/$ver
	kdir=$root/usr/src/linux-headers-$ver
	if [ ! -f "$root/.done" ] &&
	   [ -d "/usr/src/linux-headers-$ver/include" ] &&
	   [ -e "/usr/src/linux-headers-$ver/scripts/basic/fixdep" ]; then
		kdir=/usr/src/linux-headers-$ver
	elif [ ! -f "$root/.done" ]; then
		apt-cache show "linux-headers-$ver" >/dev/null 2>&1 || apt_update_once
		common=$(apt-cache depends "linux-headers-$ver" |
			 sed -n 's/^ *Depends: \(linux-headers-[^ ]*-common[^ ]*\)$/\1/p')
		kbuild=$(apt-cache depends "linux-headers-$ver" |
			 sed -n 's/^ *Depends: \(linux-kbuild-[^ ]*\)$/\1/p')
		if [ -z "$common" ] || [ -z "$kbuild" ]; then
			say "cannot resolve the packages of linux-headers-$ver"
			return 1
		fi
		rm -rf "$root"
		mkdir -p "$root/debs"
		# As root into a directory the _apt user may not reach (e.g. /root).
		(cd "$root/debs" &&
		 apt-get download -q -o APT::Sandbox::User=root \
			"linux-headers-$ver" "$common" "$kbuild" >&2) || return 1
		for deb in "$root"/debs/*.deb; do
			dpkg-deb -x "$deb" "$root" || return 1
		done
		rm -rf "$root/debs"
		# The arch tree includes the common tree by absolute path.
		sed -i "s|/usr/src/|$root/usr/src/|" "$kdir/Makefile"
		touch "$root/.done"
	fi
	need_btf_tools "$kdir"
	echo "$kdir"
}

# kernel_fetch_vmlinuz REL: make sure build/cache/REL/vmlinuz (and config)
# exist, from `apt-get download linux-image-REL`; nothing is installed.
kernel_fetch_vmlinuz()
{
	local rel=$1 dir=$top/build/cache/$1 tmp deb

	if [ -s "$dir/vmlinuz" ]; then
		return 0
	fi
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/dl.XXXXXX")
	say "downloading linux-image-$rel"
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel" >&2); then
		apt_update_once
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-image-$rel" >&2) ||
			die "apt-get download linux-image-$rel failed"
	fi
	deb=$(compgen -G "$tmp/linux-image-*.deb") || die "no .deb downloaded"
	mkdir -p "$tmp/x"
	# Only /boot is needed; the modules tree is large and unused.
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp/x" "./boot/vmlinuz-$rel" "./boot/config-$rel" ||
		die "no vmlinuz-$rel in $deb"
	mv "$tmp/x/boot/config-$rel" "$dir/config"
	mv "$tmp/x/boot/vmlinuz-$rel" "$dir/vmlinuz"
	rm -rf "$tmp"
}

# The files borrowed from linux-source-6.12 (mqueue/: `make check-mq`).
KERNEL_FILES=(
	tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/run_kselftest.sh
	tools/testing/selftests/kselftest/runner.sh
	tools/testing/selftests/kselftest/prefix.pl
	tools/testing/selftests/kselftest/ktap_helpers.sh
	tools/testing/selftests/mqueue/mq_open_tests.c
	tools/testing/selftests/mqueue/mq_perf_tests.c
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/subarch.include
	Documentation/process/botching-up-ioctls.rst
)

# kernel_files: extract KERNEL_FILES from Debian's linux-source-6.12
# (installed when missing) into build/kernel-src/ ($KERNEL_FILES_DIR), once
# per tarball; print the directory. selftests/Makefile reads the kselftest
# files there and never fetches them itself: callers run this first.
kernel_files()
{
	local dest=${KERNEL_FILES_DIR:-$top/build/kernel-src} tarball stamp want prefix

	tarball=$(compgen -G "/usr/src/linux-source-6.12.tar.*" | head -n1 || true)
	if [ -z "$tarball" ]; then
		need_pkgs linux-source-6.12
		tarball=$(compgen -G "/usr/src/linux-source-6.12.tar.*" | head -n1) ||
			die "linux-source-6.12 has no /usr/src/linux-source-6.12.tar.*"
	fi
	stamp="$dest/.stamp"
	want="$(stat -c %Y:%s "$tarball") ${KERNEL_FILES[*]}"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		rm -rf "$dest"
		mkdir -p "$dest"
		prefix=$(basename "$tarball")
		prefix=${prefix%%.tar.*}
		tar -xf "$tarball" -C "$dest" --strip-components=1 \
			"${KERNEL_FILES[@]/#/$prefix/}" || die "cannot extract from $tarball"
		echo "$want" > "$stamp"
	fi
	echo "$dest"
}
