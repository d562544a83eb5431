#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fresh lane: README.md's "The two commands" on a freshly installed
# Debian 12 machine, typed as a newcomer would. The machine is a minimal
# Debian 12 root made by `debootstrap --variant=minbase bookworm` (the bare
# base, made once and cached as a tarball in
# ${XDG_CACHE_HOME:-~/.cache}/kmailbox/fresh/), unpacked afresh for every
# run into build/fresh/root, with a clean `git clone` of this repository's
# HEAD (the committed tree) in /root/kmailbox. /proc, /sys, /dev, /dev/pts
# and /dev/shm are mounted there (QEMU falls back to TCG where KVM does not
# work), and through `chroot` it runs, as root in the tree:
#   - the lines of the fenced block between <!-- fresh --> and
#     <!-- /fresh --> in README.md's "The two commands", each exactly as
#     written (the one-time `apt-get install -y make`, `make demo`,
#     `make check`);
#   - then `make check KERNEL=deb612`.
# Everything the commands need beyond the base must be installed by the
# project's own scripts: a step that only works on our machines fails here.
#
# Checks: one per command (exit status 0), one for what `make demo` shows
# on the terminal (no QEMU assertion or shell "Aborted" line), and the
# "vm: N passed, N failed" of each `make check` added in. Writes "passed
# failed" to build/fresh/result.txt; each command's output goes to
# build/fresh/N-NAME.log, the times to build/fresh/times.txt: seconds from
# the bare machine (the base unpacked) to the first line of `make demo`'s
# output from the VM, to the end of `make demo`, to `make check`'s summary
# and to the deb612 summary.
#
# Runs in a private mount namespace (unshare -m): nothing it mounts is seen
# outside, and it unmounts all of it on exit (Ctrl-C too). The per-run root
# is kept after the run for inspection and removed by the next run.
#
# FRESH_WORKTREE=1 also applies the work tree's uncommitted changes (and
# untracked files) to the clone; FRESH_WORKTREE='PATH...' only those under
# PATHs. For trying a change before it is committed; CI leaves it unset.
# FRESH_TIMEOUT: seconds allowed per command (default 1800).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/fresh
self=$top/scripts/fresh-check.sh

[ "$(id -u)" = 0 ] || { echo "fresh-check: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
# A private mount namespace: the chroot's mounts never show on the host,
# and vanish with the last process in it whatever happens to this script.
if [ -z "${KMAILBOX_FRESH_NS:-}" ]; then
	KMAILBOX_FRESH_NS=1 exec unshare --mount --propagation private "$self" "$@"
	echo "fresh-check: unshare --mount failed" >&2
	exit 2
fi

mkdir -p "$out"
rm -f "$out/result.txt" "$out"/[0-9]*-*.log "$out/times.txt"
lane=fresh
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"

cache=${XDG_CACHE_HOME:-$HOME/.cache}/kmailbox/fresh
root=$out/root
suite=bookworm
mirror=http://deb.debian.org/debian
mounts=()

# ---- the bare machine ----------------------------------------------------

# What a Debian 12 installer leaves in /etc/apt/sources.list, besides the
# base system: the release, its updates and its security suite (Debian's
# 6.12 kernels, their headers and linux-source-6.12 are only in
# bookworm-security), with the installer's default components.
# deb.debian.org serves debian-security too (the installer's default is
# security.debian.org, which is the same archive).
sources="deb $mirror $suite main non-free-firmware
deb $mirror $suite-updates main non-free-firmware
deb http://deb.debian.org/debian-security $suite-security main non-free-firmware"

# The cached base is keyed by everything that makes it: a changed recipe
# makes a new one. It is built in a temporary directory and renamed when
# complete, so a half-made base is never used.
key=$(printf '%s\n' "debootstrap --variant=minbase $suite $mirror" "$sources" |
	sha1sum | cut -c1-12)
base=$cache/$suite-minbase-$key.tar

# in_root: the pids of the processes whose root is the chroot.
in_root()
{
	local p

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2> /dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
}

# cleanup: stop what still runs in the chroot (by pid: TERM, then KILL after
# 10 s), then unmount in reverse order.
cleanup()
{
	local pids i

	pids=$(in_root)
	if [ -n "$pids" ]; then
		echo "# cleanup: stopping what still runs in the chroot: ${pids//$'\n'/ }"
		# shellcheck disable=SC2086  # a list of pids
		kill $pids 2> /dev/null
		for ((i = 0; i < 20; i++)); do
			pids=$(in_root)
			[ -n "$pids" ] || break
			sleep 0.5
		done
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -9 $pids 2> /dev/null
		sleep 0.5
	fi
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2> /dev/null || umount -l "${mounts[i]}" ||
			echo "# cleanup: could not unmount ${mounts[i]}"
	done
	mounts=()
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 130' INT TERM HUP

# unmount_under DIR: anything mounted below DIR (in this namespace), deepest
# first, so that rm -rf never reaches into a mounted /proc or /dev.
unmount_under()
{
	local m

	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do
			umount "$m" 2> /dev/null || umount -l "$m"
		done
}

# mnt ARGS... TARGET: mount and remember it for cleanup.
mnt()
{
	mount "$@" || return 1
	mounts+=("${*: -1}")
}

since() { echo $((SECONDS - $1)); }

echo "# fresh machine: debootstrap --variant=minbase $suite, base $base"
mkdir -p "$cache"
exec 8> "$cache/.lock"
flock 8		# one run at a time makes or unpacks a base
if [ ! -f "$base" ]; then
	# The lane's own tool, on the host (not in the machine it makes).
	if ! command -v debootstrap > /dev/null &&
	   ! (need_pkgs debootstrap) > "$out/debootstrap-install.log" 2>&1; then
		fail "install debootstrap on this machine (log: build/fresh/debootstrap-install.log)"
		tail -n 10 "$out/debootstrap-install.log" | sed 's/^/#   /'
		finish
	fi
	rm -rf --one-file-system "$cache"/base.*
	tmp=$(mktemp -d "$cache/base.XXXXXX")
	t=$SECONDS
	echo "# making the bare base (once): debootstrap --variant=minbase $suite $mirror"
	if ! debootstrap --variant=minbase "$suite" "$tmp/root" "$mirror" \
		> "$out/debootstrap.log" 2>&1; then
		unmount_under "$tmp"
		fail "debootstrap --variant=minbase $suite $mirror (log: build/fresh/debootstrap.log)"
		grep -E '^(E|W):' "$out/debootstrap.log" | tail -n 10 | sed 's/^/#   /'
		tail -n 10 "$out/debootstrap.log" | sed 's/^/#   /'
		finish
	fi
	unmount_under "$tmp"
	printf '%s\n' "$sources" > "$tmp/root/etc/apt/sources.list"
	tar -C "$tmp/root" --numeric-owner -cf "$tmp/base.tar" . &&
		mv "$tmp/base.tar" "$base"
	rm -rf --one-file-system "$tmp"
	[ -f "$base" ] || { fail "pack the bare base into $base"; finish; }
	echo "# bare base made in $(since "$t") s: $(du -h "$base" | cut -f1)"
fi

# A fresh copy of the base for this run; the last run's root goes first.
unmount_under "$root"
rm -rf --one-file-system "$root"
mkdir -p "$root"
if ! tar -C "$root" --numeric-owner -xpf "$base"; then
	fail "unpack $base"
	finish
fi
# Name resolution, as the installer's network set-up leaves it.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
t_bare=$SECONDS
exec 8>&-
echo "# bare machine ready after $(since "$t0") s"

# The tree a newcomer has: a clean clone of HEAD.
if ! git clone -q --no-local "$top" "$root/root/kmailbox" > "$out/clone.log" 2>&1; then
	fail "git clone --no-local $top"
	sed 's/^/#   /' "$out/clone.log"
	finish
fi
echo "# tree: git clone of HEAD $(git -C "$root/root/kmailbox" log -1 --format='%h %s' | cut -c1-70)"
if [ -n "${FRESH_WORKTREE:-}" ]; then
	paths=()
	[ "$FRESH_WORKTREE" = 1 ] || read -r -a paths <<< "$FRESH_WORKTREE"
	git -C "$top" diff --binary HEAD -- "${paths[@]}" > "$out/worktree.diff"
	if [ -s "$out/worktree.diff" ] &&
	   ! git -C "$root/root/kmailbox" apply --binary "$out/worktree.diff"; then
		fail "FRESH_WORKTREE: apply the work tree's changes to the clone"
		finish
	fi
	(cd "$top" && git ls-files -z --others --exclude-standard -- "${paths[@]}" |
		tar --null -T - -cf -) | tar -C "$root/root/kmailbox" -xf -
	echo "# FRESH_WORKTREE=$FRESH_WORKTREE: and the work tree's changes ($(grep -c '^diff ' "$out/worktree.diff") file(s) changed)"
fi

# The README's lines for a bare machine.
readme_block()
{
	awk '/^## The two commands$/ { s = 1; next } s && /^## / { exit } s' \
		"$root/root/kmailbox/README.md" |
	awk '$0 == "<!-- fresh -->" { f = 1; next }
	     $0 == "<!-- /fresh -->" { f = 0 }
	     f && !/^```/ && !/^[[:space:]]*$/'
}
mapfile -t cmds < <(readme_block)
if [ ${#cmds[@]} -eq 0 ]; then
	fail "README.md's \"The two commands\" has a <!-- fresh --> block of commands"
	finish
fi
cmds+=("make check KERNEL=deb612")

# Mounts, as a running machine has them. Downloaded .debs are kept between
# runs in $cache/apt-archives, bind-mounted on the root's
# /var/cache/apt/archives: apt finds a package there instead of fetching it
# again, but installing it is still up to the project's scripts every run.
mkdir -p "$cache/apt-archives/partial"
if ! { mnt -t proc proc "$root/proc" &&
       mnt -t sysfs sysfs "$root/sys" &&
       mnt --bind /dev "$root/dev" &&
       mnt --bind /dev/pts "$root/dev/pts" &&
       mnt -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm" &&
       mnt --bind "$cache/apt-archives" "$root/var/cache/apt/archives"; }; then
	fail "mount /proc, /sys, /dev, /dev/pts, /dev/shm and the apt archive in the chroot"
	finish
fi

# ---- the commands --------------------------------------------------------

declare -A at=()	# event -> seconds since the bare machine
vm_passed_sum=0
vm_failed_sum=0

# stamp LOG EVENT: copy stdin to LOG; echo the lines starting with "vm: "
# (progress); append "EVENT-first SECONDS" (the VM's first line of command
# output) and "EVENT-summary SECONDS" (vm/run's "vm: N passed, N failed")
# to $out/events.
stamp()
{
	local logf=$1 ev=$2 line incmd=0 first='' summary=''

	while IFS= read -r line; do
		printf '%s\n' "$line" >> "$logf"
		line=${line%$'\r'}
		case "$line" in
		*"@@VM@@ command-begin"*) incmd=1; continue ;;
		"vm: "[0-9]*" passed, "*" failed")
			[ -n "$summary" ] || echo "$ev-summary $(since "$t_bare")" >> "$out/events"
			summary=1
			;;
		esac
		if [ "$incmd" = 1 ] && [ -n "$line" ]; then
			incmd=2
			[ -n "$first" ] || echo "$ev-first $(since "$t_bare")" >> "$out/events"
			first=1
			echo "#   [$(since "$t_bare") s] first output from the VM: $line"
		fi
		[[ "$line" == "vm: "* ]] && echo "#   [$(since "$t_bare") s] $line"
	done
}

: > "$out/events"
n=0
for cmd in "${cmds[@]}"; do
	n=$((n + 1))
	name=$(printf '%s' "${cmd%%#*}" | tr -cs 'A-Za-z0-9=.' '-' | sed 's/-*$//' | cut -c1-40)
	logf=$out/$n-$name.log
	case "$cmd" in
	"make demo"*) ev=demo ;;
	*"KERNEL=deb612"*) ev=deb612 ;;
	"make check"*) ev=check ;;
	*) ev=step$n ;;
	esac
	echo "# [$(since "$t_bare") s] # $cmd"
	: > "$logf"
	rm -f "$out/rc"
	t_cmd=$SECONDS
	# A root login on the bare machine: a clean environment, bash's login
	# profile (PATH with the sbin directories), in the tree. In the
	# background, so that a signal to this script is acted on at once
	# (wait returns; the EXIT trap stops what runs in the chroot).
	{
		timeout -k 30 "${FRESH_TIMEOUT:-1800}" \
			chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
			SHELL=/bin/bash TERM="${TERM:-dumb}" \
			/bin/bash -lc "cd /root/kmailbox && $cmd" < /dev/null 2>&1
		echo $? > "$out/rc"
	} | stamp "$logf" "$ev" &
	wait $!
	rc=$(cat "$out/rc" 2> /dev/null || echo "none")
	while read -r e t; do
		at[$e]=$t
	done < "$out/events"
	at[$ev-done]=$(since "$t_bare")
	if [ "$rc" = 0 ]; then
		ok "$cmd (exit 0, $(since "$t_cmd") s)"
	else
		fail "$cmd (exit $rc; log: build/fresh/$(basename "$logf"))"
		tail -n 30 "$logf" | sed 's/^/#   /'
	fi
	case "$ev" in
	demo)
		# What a newcomer sees: where KVM fails, vm/run's one line,
		# not QEMU's assertion nor the shell's "Aborted".
		check "make demo's terminal shows no QEMU assertion or shell 'Aborted' line" \
			"! grep -v '^vm: KVM is not usable' '$logf' | grep -E 'Assertion|Aborted'"
		;;
	check|deb612)
		summary=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$logf" | tail -n 1)
		if [ -n "$summary" ]; then
			read -r p f <<< "$(echo "$summary" | awk '{ print $2, $4 }')"
			echo "# $cmd: $p passed, $f failed in the VM (added in)"
			passed=$((passed + p))
			failed=$((failed + f))
			vm_passed_sum=$((vm_passed_sum + p))
			vm_failed_sum=$((vm_failed_sum + f))
		else
			fail "$cmd printed no 'vm: N passed, N failed'"
		fi
		;;
	esac
done

{
	echo "bare machine ready (lane start to base unpacked): $((t_bare - t0)) s"
	echo "first make demo output from the VM: ${at[demo-first]:--} s after the bare machine"
	echo "make demo done: ${at[demo-done]:--} s"
	echo "make check summary: ${at[check-summary]:--} s"
	echo "make check KERNEL=deb612 summary: ${at[deb612-summary]:--} s"
	echo "VM tests in the chroot: $vm_passed_sum passed, $vm_failed_sum failed"
	echo "whole lane: $(since "$t0") s"
} > "$out/times.txt"
sed 's/^/# /' "$out/times.txt"
cleanup
finish
