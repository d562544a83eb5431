#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/kernel-headers.sh VERSION
#
# Make a Debian kernel's build tree available without installing anything
# kernel-related on this machine: download the linux-headers (arch and
# common) and linux-kbuild packages of VERSION (e.g. 6.1.0-56-amd64 or
# 6.12.117+deb12-amd64), unpack them under build/cache/headers/VERSION/ and
# print the KDIR to build modules against (an installed
# /usr/src/linux-headers-VERSION is used as it is). Debian's 6.12 header
# packages depend on the kernel image, so installing them would install a
# kernel. Also installs dwarves (pahole) when the tree's modules get BTF,
# as 6.12's do. (kernel_headers_unpacked in scripts/lib/kernel.sh.)
set -euo pipefail

ver=${1:?usage: kernel-headers.sh VERSION}
top=$(cd "$(dirname "$0")/.." && pwd)
log_prefix=kernel-headers
# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
# shellcheck source=scripts/lib/kernel.sh
. "$top/scripts/lib/kernel.sh"

kernel_headers_unpacked "$ver"
