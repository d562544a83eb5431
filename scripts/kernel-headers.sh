#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a Debian kernel's build tree available without installing anything
# kernel-related on this machine: download the linux-headers (arch and
# common) and linux-kbuild packages of VERSION (e.g. 6.1.0-56-amd64 or
# 6.12.117+deb12-amd64), unpack them under build/cache/headers/VERSION/ and
# print the KDIR to build modules against. Debian's 6.12 header packages
# depend on the kernel image, so installing them would install a kernel.
# Also installs what building a module against that tree needs beyond the
# compiler: dwarves (pahole) when its modules get BTF, as 6.12's do.
set -euo pipefail

ver=${1:?usage: kernel-headers.sh VERSION}
top=$(cd "$(dirname "$0")/.." && pwd)
root=${KMAILBOX_CACHE:-$top/build/cache}/headers/$ver
kdir=$root/usr/src/linux-headers-$ver

# shellcheck source=../vm/lib-common.sh
. "$top/vm/lib-common.sh"

# found KDIR: print it, once the tools its module builds need are there.
found()
{
	vm_need_btf_tools "$1"
	echo "$1"
	exit 0
}

if [ -f "$root/.done" ]; then
	found "$kdir"
fi

if [ -d "/usr/src/linux-headers-$ver/include" ] &&
   [ -e "/usr/src/linux-headers-$ver/scripts/basic/fixdep" ]; then
	found "/usr/src/linux-headers-$ver"
fi

if ! apt-cache show "linux-headers-$ver" >/dev/null 2>&1; then
	apt-get update -q >&2
fi
common=$(apt-cache depends "linux-headers-$ver" |
	 sed -n 's/^ *Depends: \(linux-headers-[^ ]*-common[^ ]*\)$/\1/p')
kbuild=$(apt-cache depends "linux-headers-$ver" |
	 sed -n 's/^ *Depends: \(linux-kbuild-[^ ]*\)$/\1/p')
if [ -z "$common" ] || [ -z "$kbuild" ]; then
	echo "kernel-headers: cannot resolve the packages of linux-headers-$ver" >&2
	exit 1
fi

rm -rf "$root"
mkdir -p "$root/debs"
# As root into a directory the _apt user may not reach (e.g. under /root).
(cd "$root/debs" &&
 apt-get download -q -o APT::Sandbox::User=root \
	"linux-headers-$ver" "$common" "$kbuild" >&2)
for deb in "$root"/debs/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
rm -rf "$root/debs"

# The arch tree includes the common tree by absolute path; point it here.
sed -i "s|/usr/src/|$root/usr/src/|" "$kdir/Makefile"
touch "$root/.done"
found "$kdir"
