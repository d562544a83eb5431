#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The static checks of the kernel code, as a lane of TAP results: the module
# builds with W=1 and sparse (C=2) without a single warning against Debian's
# 6.1 and 6.12 headers, and checkpatch.pl --strict is clean on kmod/ (its
# uapi/ header too). Installs what is missing (sparse, headers, dwarves for 6.12's BTF:
# nothing kernel-related is installed: kernel_headers_unpacked in
# scripts/lib/kernel.sh).
# Writes "passed failed" to build/lint/result.txt; exit status 0 when
# nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
# shellcheck source=scripts/lib/kernel.sh
. "$top/scripts/lib/kernel.sh"
# shellcheck source=scripts/lib/build.sh
. "$top/scripts/lib/build.sh"
out=$top/build/lint
mkdir -p "$out"
rm -f "$out/result.txt"
n=0
passed=0
failed=0

result()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		sed 's/^/# /' "$3" | tail -n 40
	fi
}

# apt's output (and a failure's message) in a log of its own.
(need_pkgs sparse) > "$out/packages.log" 2>&1 || cat "$out/packages.log" >&2

# The releases vm/run boots as deb61 and deb612.
rel61=$(kernel_resolve deb61 2>> "$out/packages.log") || rel61=
rel612=$(kernel_resolve deb612 2>> "$out/packages.log") || rel612=

echo "TAP version 13"
for rel in $rel61 $rel612; do
	log=$out/build-$rel.log
	# Getting the headers (and pahole, for 6.12's BTF) logs apt's and
	# dpkg's output, whose "warning:"s are not the module's.
	hlog=$out/headers-$rel.log
	: > "$log"
	kdir=$(kernel_headers_unpacked "$rel" 2> "$hlog") || cat "$hlog" > "$log"
	src=$out/$rel
	rm -rf "$src"
	rc=0
	(build_module "$kdir" "$src" W=1 C=2) >> "$log" 2>&1 || rc=1
	if grep -E "warning:|error:" "$log" > /dev/null; then
		rc=1
	fi
	result $rc "module builds with W=1 C=2, no warnings, against $rel" "$log"
done
if [ -z "$rel61" ] || [ -z "$rel612" ]; then
	result 1 "resolve the 6.1 and 6.12 kernel releases" /dev/null
fi

log=$out/checkpatch.log
ksrc=$(kernel_files 2> "$log")
rc=0
# kmod/'s sources, not what a build in kmod/ made there (kmailbox.mod.c).
files=$(make -s -C "$top/kmod" --no-print-directory sources | tr ' ' '\n' |
	sed -n 's|^\(.*\.[ch]\)$|kmod/\1|p')
# shellcheck disable=SC2086  # a list of file names without spaces
(cd "$top" && perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse \
	-f $files) > "$log" 2>&1 || rc=1
[ -s "$log" ] && rc=1
result $rc "checkpatch.pl --strict is clean on kmod/ and kmod/uapi/" "$log"

echo "# lint: $passed passed, $failed failed"
echo "$passed $failed" > "$out/result.txt"
[ "$failed" = 0 ]
