#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few files this project borrows at build time from Debian's
# linux-source-6.12 package (kselftest harness and runner, checkpatch, the
# ioctl guide) into build/kernel-src/. Nothing from the kernel is committed.
# Installs linux-source-6.12 when it is missing. Prints the directory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dest=${KERNEL_FILES_DIR:-$top/build/kernel-src}

files=(
	tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/run_kselftest.sh
	tools/testing/selftests/kselftest/runner.sh
	tools/testing/selftests/kselftest/prefix.pl
	tools/testing/selftests/kselftest/ktap_helpers.sh
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	scripts/subarch.include
	Documentation/process/botching-up-ioctls.rst
)

tarball=$(compgen -G "/usr/src/linux-source-6.12.tar.*" | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "kernel-files: installing linux-source-6.12" >&2
	if [ -z "$(ls /var/lib/apt/lists/*_Packages 2>/dev/null | head -n1)" ]; then
		apt-get update -q >&2
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.12 >&2
	tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -n1)
fi

stamp="$dest/.stamp"
want="$(stat -c %Y:%s "$tarball") ${files[*]}"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	echo "$dest"
	exit 0
fi

rm -rf "$dest"
mkdir -p "$dest"
prefix=$(basename "$tarball"); prefix=${prefix%%.tar.*}
tar -xf "$tarball" -C "$dest" --strip-components=1 \
	"${files[@]/#/$prefix/}"
echo "$want" > "$stamp"
echo "$dest"
