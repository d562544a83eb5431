#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The dkms lane: the README's `make dkms-install` with Debian's dkms package
# against the installed headers of Debian's 6.1 kernel (the release
# linux-image-amd64 depends on, e.g. 6.1.0-56-amd64; always given with -k,
# since the host's own kernel is not Debian's). Checks that the module is
# where dkms.conf puts it, built for that kernel, at the VERSION file's
# version, in that kernel's modules.dep; boots that very kmailbox.ko in the
# VM (vm/run with VM_KO) for mailbox_names; then `make dkms-uninstall` and
# checks it is all gone. The host is left as it was, even on failure (an
# EXIT trap): the dkms registration, /usr/src/kmailbox-VERSION, depmod's
# index files and directories this run created in /lib/modules/REL, and
# dkms's signing key if this run made it.
#
# Installs dkms and linux-headers-REL if missing, after `apt-get -s` shows
# that no linux-image package would come with them (else it stops: no
# kernel is ever installed on this machine).
#
# One "ok"/"FAIL" line per check; writes "passed failed" to
# build/dkms/result.txt; exit status 0 when nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/dkms
mkdir -p "$out"
rm -f "$out/result.txt"

# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
# shellcheck source=scripts/lib/kernel.sh
. "$top/scripts/lib/kernel.sh"

lane=dkms
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
cleaned=

version=$(cat "$top/VERSION")
rel=$(kernel_resolve deb61)
mods=/lib/modules/$rel
echo "# kmailbox $version, kernel $rel"

# ---- packages: dkms and the headers, never a kernel image ----------------

images() { dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-*' 2>/dev/null |
	awk '/ install ok installed$/ { print $1 }'; }
images > "$out/images-before.txt"
want=()
for p in dkms "linux-headers-$rel"; do
	pkg_installed "$p" || want+=("$p")
done
if [ ${#want[@]} -gt 0 ]; then
	apt_has_lists || apt_update_once
	for p in "${want[@]}"; do
		pkg_known "$p" || apt_update_once
	done
	apt-get -s install -y "${want[@]}" > "$out/apt-sim.log" 2>&1
	if grep -E '^Inst linux-image' "$out/apt-sim.log"; then
		fail "apt-get install ${want[*]} would install a kernel image: not done"
		finish
	fi
	need_pkgs "${want[@]}"
fi
images > "$out/images-after.txt"
# dkms builds against the installed headers: pahole too if they make BTF.
need_btf_tools "/usr/src/linux-headers-$rel"
check "dkms and linux-headers-$rel installed, no linux-image package came with them" \
	"dpkg-query -W -f='\${Status}\n' dkms linux-headers-$rel | grep -vqx 'install ok installed' && exit 1;
	 diff '$out/images-before.txt' '$out/images-after.txt'"
echo "# $(dkms --version)"

# ---- the host's state before, restored by cleanup ------------------------

snapshot() { find "$mods" /var/lib/dkms /usr/src -maxdepth 3 2>/dev/null | LC_ALL=C sort; }
snapshot > "$out/before.txt"
key=/var/lib/dkms/mok.key
cert=/var/lib/dkms/mok.pub
key_before=
[ -e "$key" ] && key_before=1
if [ -n "$(dkms status kmailbox 2>/dev/null)" ]; then
	echo "# note: kmailbox was registered with dkms before this run:"
	dkms status kmailbox | sed 's/^/#   /'
fi

cleanup()
{
	[ -n "$cleaned" ] && return 0
	cleaned=1
	echo "# cleanup: make dkms-uninstall"
	make -s -C "$top" --no-print-directory dkms-uninstall KERNELRELEASE="$rel" \
		> "$out/uninstall.log" 2>&1 ||
		{ dkms remove "kmailbox/$version" --all; rm -rf "/usr/src/kmailbox-$version"; } \
		>> "$out/uninstall.log" 2>&1
	# depmod's index and directories that dkms made for a kernel whose
	# modules are not installed here.
	if [ -z "$(find "$mods" -name '*.ko*' ! -type d 2>/dev/null)" ]; then
		for f in "$mods"/modules.*; do
			[ -e "$f" ] || continue
			grep -qxF "$f" "$out/before.txt" || rm -f "$f"
		done
	fi
	for d in "$mods/updates/dkms" "$mods/updates"; do
		grep -qxF "$d" "$out/before.txt" || rmdir "$d" 2> /dev/null
	done
	if [ -z "$key_before" ] && [ -z "$(dkms status 2>/dev/null)" ]; then
		rm -f "$key" "$cert"
	fi
}
trap 'cleanup; echo "$passed $((failed > 0 ? failed : 1))" > "$out/result.txt"' EXIT
trap 'exit 130' INT TERM HUP

# ---- make dkms-install ---------------------------------------------------

echo "# make dkms-install KERNELRELEASE=$rel"
if make -C "$top" --no-print-directory dkms-install KERNELRELEASE="$rel" \
	> "$out/dkms-install.log" 2>&1; then
	ok "make dkms-install (dkms add, build -k $rel, install -k $rel)"
else
	fail "make dkms-install (dkms add, build -k $rel, install -k $rel)"
	tail -n 40 "$out/dkms-install.log" | sed 's/^/#   /'
	f=/var/lib/dkms/kmailbox/$version/build/make.log
	[ -f "$f" ] && tail -n 20 "$f" | sed 's/^/#   make.log: /'
	cleanup
	trap - EXIT
	finish
fi
grep -E '^(Sign command|Signing key|Public certificate|Certificate or key|Signing module|Binary .* not found)' \
	"$out/dkms-install.log" | sed 's/^/# dkms: /'

ko=$mods/updates/dkms/kmailbox.ko
check "dkms status: kmailbox/$version, $rel: installed" \
	"dkms status kmailbox/$version -k $rel | grep -q '^kmailbox/$version, $rel, [^:]*: installed'"
check "/usr/src/kmailbox-$version: kmod/'s sources (Kbuild, Makefile, dkms.conf, VERSION, *.[ch], uapi/), nothing else" \
	"cd /usr/src/kmailbox-$version && find . -type f | sed 's|^\./||' | LC_ALL=C sort > '$out/src.got' &&
	 (cd '$top/kmod' && ls Kbuild Makefile dkms.conf VERSION *.c *.h uapi/linux/*.h | grep -v '\\.mod\\.c\$' | LC_ALL=C sort) > '$out/src.want' &&
	 diff -u '$out/src.want' '$out/src.got'"
check "module at $ko (DEST_MODULE_LOCATION)" "test -f '$ko'"
check "vermagic starts with $rel" "/sbin/modinfo -F vermagic '$ko' | grep -q '^$rel '"
check "modinfo version is VERSION ($version)" \
	"test \"\$(/sbin/modinfo -F version '$ko')\" = '$version'"
check "$mods/modules.dep lists updates/dkms/kmailbox.ko" \
	"grep -qx 'updates/dkms/kmailbox.ko:' '$mods/modules.dep'"
check "modinfo -k $rel kmailbox resolves to it (as modprobe would)" \
	"test \"\$(/sbin/modinfo -k '$rel' -n kmailbox)\" = '$ko'"
signer=$(/sbin/modinfo -F signer "$ko" 2>/dev/null)
if grep -q '^Signing module' "$out/dkms-install.log"; then
	echo "# dkms signed the module: signer '$signer', key $key$([ -z "$key_before" ] && echo " (made by this run)")"
	check "dkms signed it with its key (modinfo signer: DKMS module signing key)" \
		"test '$signer' = 'DKMS module signing key'"
else
	echo "# dkms did not sign the module (signer '${signer:-none}')"
fi

# ---- that very module in the VM ------------------------------------------

vmcmd='v=$(cat /sys/module/kmailbox/version); echo "module version: $v"; [ "$v" = '"$version"' ] && /kselftest/mailbox/mailbox_names'
echo "# VM_KO=$ko vm/run --kernel $rel -- mailbox_names"
touch "$out/vm.start"
VM_KO=$ko "$top/vm/run" --kernel "$rel" --timeout 600 -- "$vmcmd" \
	> "$out/vm.log" 2>&1
vmrc=$?
grep -E '^vm: ([0-9]+ passed|FAIL)' "$out/vm.log" | sed 's/^/#   /'
console=$top/build/vm/$rel/console.log
check "the DKMS-built module loads in the VM and mailbox_names passes" \
	"test $vmrc -eq 0 && grep -q 'using VM_KO=$ko' '$out/vm.log'"
check "the loaded module says version $version" \
	"test '$console' -nt '$out/vm.start' && tr -d '\\r' < '$console' | grep -qx 'module version: $version'"

# ---- make dkms-uninstall -------------------------------------------------

check "make dkms-uninstall" \
	"make -C '$top' --no-print-directory dkms-uninstall KERNELRELEASE='$rel'"
check "module gone from $mods" "test -z \"\$(find '$mods' -name 'kmailbox.ko*')\""
check "modules.dep no longer lists it" \
	"! grep -q kmailbox '$mods/modules.dep' 2>/dev/null"
check "dkms status has no kmailbox, /usr/src/kmailbox-$version gone" \
	"test -z \"\$(dkms status kmailbox)\" && test ! -e /usr/src/kmailbox-$version"
cleanup
trap - EXIT
snapshot > "$out/after.txt"
check "$mods, /var/lib/dkms, /usr/src as before the run" \
	"diff -u '$out/before.txt' '$out/after.txt'"

finish
