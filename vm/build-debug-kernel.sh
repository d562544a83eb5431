#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug lane's kernel: a small x86_64 6.12 from Debian's
# linux-source-6.12 (tinyconfig + vm/debug.config: KASAN, UBSAN, lockdep,
# kmemleak, fault injection, ftrace, ...), cached outside the clone.
#
# usage: vm/build-debug-kernel.sh [--print | --clean | --prune | -h]
#   (none)   build if needed; print KDIR=... and VMLINUZ=... (also in <key>/env)
#   --print  print them if this configuration is built, else exit 1
#   --clean  remove the whole cache (all configurations)
#   --prune  remove the cached builds of other configurations (also while a
#            VM may still be booting one of their kernels: check first)
#
# Cache: ${KMAILBOX_KCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmailbox}/debug-kernel/<key>/
# with <key> = linux-source-6.12's version + sha256 of vm/debug.config and
# of this script's build settings. <key>/src is the built tree (KDIR for
# `make -C $KDIR M=... modules`), <key>/build.log the log, <key>/.done the
# mark of a finished build. Installs the build's packages when missing
# (never a kernel image). VM_JOBS=N sets make -j (default: nproc).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
frag=$top/vm/debug.config
root=${KMAILBOX_KCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmailbox}/debug-kernel
srcpkg=linux-source-6.12
tarball=/usr/src/$srcpkg.tar.xz
jobs=${VM_JOBS:-$(nproc)}

# What goes into the key besides the fragment: change RECIPE when the build
# steps below change in a way that changes the result.
RECIPE=1
make_vars=(ARCH=x86_64 KBUILD_BUILD_USER=kmailbox KBUILD_BUILD_HOST=debug-lane)
# Packages `make bzImage modules` of this configuration needs. No libssl-dev
# (no module signing, no trusted keyring), no dwarves (no BTF), no cpio (no
# IKHEADERS); libelf-dev is for objtool (ORC unwinder, ftrace).
pkgs=("$srcpkg" bc bison flex libelf-dev gcc libc6-dev make xz-utils perl)

log_prefix=build-debug-kernel
# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"

usage()
{
	sed -n '8,13s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

# The key: package version (made path-safe) + 16 hex digits of sha256 over
# the fragment and the settings that shape the build.
compute_key()
{
	local ver cc sum

	ver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) || return 1
	[ -n "$ver" ] || return 1
	cc=$(gcc -dumpfullversion 2>/dev/null || echo none)
	sum=$({
		cat "$frag"
		printf 'recipe=%s base=tinyconfig cc=%s vars=%s\n' "$RECIPE" "$cc" "${make_vars[*]}"
	} | sha256sum | cut -c1-16)
	printf '%s-%s\n' "${ver//[^A-Za-z0-9.+-]/_}" "$sum"
}

print_paths()
{
	local kdir=$1/src

	printf 'KDIR=%q\nVMLINUZ=%q\n' "$kdir" "$kdir/arch/x86/boot/bzImage"
}

# step NAME CMD...: run CMD in the tree with its output in the log; a
# progress line meanwhile; the log's tail when it fails.
step()
{
	local name=$1 pid rc=0 t0=$SECONDS n last=0

	shift
	printf '\n===== %s: %s\n' "$name" "$*" >> "$log"
	"$@" >> "$log" 2>&1 < /dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$(grep -c '^  [A-Z]' "$log" || true)
		if [ -t 2 ]; then
			printf '\rbuild-debug-kernel: %-16s %4ds  %6s build lines ' \
				"$name" $((SECONDS - t0)) "$n" >&2
		elif [ $((SECONDS - last)) -ge 60 ]; then
			say "$name: $((SECONDS - t0)) s, $n build lines so far"
			last=$SECONDS
		fi
	done
	wait "$pid" || rc=$?
	[ -t 2 ] && printf '\n' >&2
	if [ "$rc" -ne 0 ]; then
		say "$name failed (status $rc); last lines of $log:"
		tail -n 40 "$log" >&2
		exit 1
	fi
	say "$name done in $((SECONDS - t0)) s"
}

# check_config FRAGMENT CONFIG: every CONFIG_ line of the fragment has the
# same value in the final .config ("# CONFIG_X is not set": X is not set).
check_config()
{
	local frag=$1 cfg=$2 line name got bad=0

	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			name=${BASH_REMATCH[1]}
			got=$(grep -E "^($name=|# $name is not set)" "$cfg" || true)
			if [ "$got" != "$line" ]; then
				say "dropped: $line (final: ${got:-not in .config, dependencies unmet})"
				bad=1
			fi
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			name=${BASH_REMATCH[1]}
			got=$(grep -E "^$name=" "$cfg" || true)
			if [ -n "$got" ]; then
				say "dropped: $line (final: $got, selected by another option)"
				bad=1
			fi
		fi
	done < "$frag"
	return "$bad"
}

# An out-of-tree module must build against the tree, the way the lane and
# vm/run build kmailbox.ko (plain make, no ARCH=).
check_extmod()
{
	local kdir=$1 d

	d=$(mktemp -d /tmp/kmailbox-extmod.XXXXXX)
	cat > "$d/hello.c" <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <linux/module.h>
	#include <linux/printk.h>
	static int __init hello_init(void) { pr_info("hello\n"); return 0; }
	static void __exit hello_exit(void) { }
	module_init(hello_init);
	module_exit(hello_exit);
	MODULE_LICENSE("GPL");
	MODULE_DESCRIPTION("debug kernel's external module check");
	EOF
	echo 'obj-m := hello.o' > "$d/Kbuild"
	if ! make -C "$kdir" M="$d" modules; then
		rm -rf "$d"
		return 1
	fi
	if [ ! -s "$d/hello.ko" ]; then
		echo "no hello.ko built"
		rm -rf "$d"
		return 1
	fi
	rm -rf "$d"
}

build()
{
	local dir=$1 src=$1/src t0=$SECONDS

	log=$dir/build.log
	mkdir -p "$dir"
	: > "$log"
	say "building in $dir (log: $log)"
	# A tree left by an interrupted run is kept once extracted and
	# configured; make picks up where it stopped.
	if [ ! -f "$src/.extracted" ]; then
		rm -rf "$src"
		mkdir -p "$src"
		step extract tar -xf "$tarball" -C "$src" --strip-components=1
		touch "$src/.extracted"
	fi
	cp "$frag" "$dir/debug.config"
	if [ ! -f "$src/.configured" ]; then
		cd "$src"
		step tinyconfig make "${make_vars[@]}" tinyconfig
		step merge scripts/kconfig/merge_config.sh -m .config ../debug.config
		step olddefconfig make "${make_vars[@]}" olddefconfig
		if ! check_config "$dir/debug.config" "$src/.config"; then
			die "options of vm/debug.config did not survive olddefconfig (see above)"
		fi
		touch "$src/.configured"
	fi
	cd "$src"
	step bzImage make "${make_vars[@]}" -j"$jobs" bzImage
	step modules make "${make_vars[@]}" -j"$jobs" modules
	[ -f "$src/Module.symvers" ] || die "no Module.symvers after make modules"
	[ -s "$src/arch/x86/boot/bzImage" ] || die "no bzImage"
	step extmod-check check_extmod "$src"
	print_paths "$dir" > "$dir/env"
	printf 'release=%s seconds=%d\n' "$(cat "$src/include/config/kernel.release")" \
		$((SECONDS - t0)) > "$dir/.done"
	say "built $(cat "$src/include/config/kernel.release") in $((SECONDS - t0)) s"
}

mode=build
case "${1:-}" in
'') ;;
--print) mode=print ;;
--clean) mode=clean ;;
--prune) mode=prune ;;
-h|--help) usage 0 ;;
*) say "unknown argument $1"; usage 2 ;;
esac
[ $# -le 1 ] || usage 2
[ -f "$frag" ] || die "$frag missing"

case "$mode" in
clean)
	say "removing $root"
	rm -rf "$root"
	exit 0
	;;
print)
	key=$(compute_key) || { say "$srcpkg is not installed: not built"; exit 1; }
	if [ -f "$root/$key/.done" ]; then
		print_paths "$root/$key"
		exit 0
	fi
	say "not built: $root/$key"
	exit 1
	;;
esac

[ "$(id -u)" = 0 ] || pkgs_present "${pkgs[@]}" ||
	die "missing packages: ${pkgs[*]} (run as root to install them)"
need_pkgs "${pkgs[@]}"
[ -f "$tarball" ] || die "$tarball missing (is $srcpkg installed?)"
key=$(compute_key) || die "cannot tell the version of $srcpkg"
dir=$root/$key
mkdir -p "$root"

if [ "$mode" = prune ]; then
	for d in "$root"/*/; do
		d=${d%/}
		[ "$d" = "$dir" ] || [ ! -d "$d" ] && continue
		# Not one that is being built right now.
		if ! (exec 8> "$d.lock" && flock -n 8); then
			say "skipping $d: a build of it is running"
			continue
		fi
		say "removing $d"
		rm -rf "$d" "$d.lock"
	done
	exit 0
fi

# One build per key at a time; a second caller waits and then reuses it.
exec 9> "$dir.lock"
if ! flock -n 9; then
	say "another build of $key is running; waiting for it"
	flock 9
fi
[ -f "$dir/.done" ] || build "$dir"
print_paths "$dir"
