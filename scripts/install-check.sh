#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The install lane: `make install DESTDIR=... PREFIX=/usr` against Debian's
# 6.1 headers (the release linux-image-amd64 depends on, resolved as vm/run
# does), then checks what landed where: the module (modules.dep, modinfo),
# libmailbox (soname, symbol versions), the headers, mailbox.pc, mboxctl,
# libmailbox-mq (soname, symbol versions, mailbox-mq.pc, a program linked
# with it and one preloaded with it), every man/*.[137] page, the udev rule (parsed by udevadm in a private
# mount namespace), the modules-load.d entry, dkms.conf's version and
# `make dkms-source`'s copy. Then the README's "Install" example: the C
# program between <!-- example.c --> and <!-- /example.c --> is compiled
# with the README's own `cc example.c $(pkg-config ...)` line against the
# DESTDIR (PKG_CONFIG_SYSROOT_DIR) and run on the host, where there is no
# /dev/mailbox (status 1, the README's message); statically linked, it runs
# in the VM with the installed kmailbox.ko and must print the README's
# <!-- example.out --> block. `make uninstall` must then leave nothing but
# directories; the same again with the default PREFIX (/usr/local).
#
# One "ok"/"FAIL" line per check; writes "passed failed" to
# build/install/result.txt; exit status 0 when nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/install
root=$out/root
mkdir -p "$out"
rm -f "$out/result.txt"

# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
# shellcheck source=scripts/lib/kernel.sh
. "$top/scripts/lib/kernel.sh"
# shellcheck source=scripts/lib/build.sh
. "$top/scripts/lib/build.sh"

lane=install
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"

# udev: for `udevadm test` on the rule below (the check runs udevadm only,
# in a private mount namespace; no udev daemon is needed or started by it).
need_pkgs gcc make libc6-dev pkg-config kmod binutils udev
version=$(cat "$top/VERSION")
rel=$(kernel_resolve deb61)
kdir=$(kernel_headers "$rel")
echo "# kmailbox $version, kernel $rel, KDIR $kdir"
mk=(make -C "$top" --no-print-directory KDIR="$kdir")

# ---- make install DESTDIR PREFIX=/usr ------------------------------------

rm -rf "$root"
echo "# make install DESTDIR=$root PREFIX=/usr"
if "${mk[@]}" install DESTDIR="$root" PREFIX=/usr > "$out/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	fail "make install DESTDIR=... PREFIX=/usr"
	tail -n 40 "$out/install.log" | sed 's/^/#   /'
	finish
fi

ko=$root/lib/modules/$rel/extra/kmailbox.ko
check "module installed: lib/modules/$rel/extra/kmailbox.ko" "test -f '$ko'"
check "modules.dep lists extra/kmailbox.ko" \
	"grep -qx 'extra/kmailbox.ko:' '$root/lib/modules/$rel/modules.dep'"
check "modinfo -b DESTDIR -k $rel kmailbox finds it (as modprobe would)" \
	"test \"\$(/sbin/modinfo -b '$root' -k '$rel' -n kmailbox)\" = '$ko'"
check "modinfo version is VERSION ($version)" \
	"test \"\$(/sbin/modinfo -F version '$ko')\" = '$version'"
check "vermagic is $rel" \
	"/sbin/modinfo -F vermagic '$ko' | grep -q '^$rel '"

for f in usr/include/mailbox.h usr/include/shmring.h usr/include/linux/kmailbox.h \
	 usr/lib/libmailbox.a usr/lib/libshmring.a "usr/lib/libmailbox.so.$version" \
	 usr/lib/libmailbox.so.1 usr/lib/libmailbox.so usr/lib/pkgconfig/mailbox.pc \
	 usr/bin/mboxctl usr/lib/libmailbox-mq.a "usr/lib/libmailbox-mq.so.$version" \
	 usr/lib/libmailbox-mq.so.1 usr/lib/libmailbox-mq.so usr/lib/pkgconfig/mailbox-mq.pc; do
	check "installed $f" "test -e '$root/$f'"
done
check "uapi header is kmod/uapi/linux/kmailbox.h" \
	"cmp '$top/kmod/uapi/linux/kmailbox.h' '$root/usr/include/linux/kmailbox.h'"
check "libmailbox.so.1 -> libmailbox.so.$version, soname libmailbox.so.1" \
	"test \"\$(readlink -f '$root/usr/lib/libmailbox.so')\" = '$root/usr/lib/libmailbox.so.$version' &&
	 readelf -d '$root/usr/lib/libmailbox.so.$version' | grep -q 'SONAME.*\\[libmailbox.so.1\\]'"
check "symbol versions: mbox_version@@LIBMAILBOX_1.2, mbox_create@LIBMAILBOX_1.0" \
	"readelf -W --dyn-syms '$root/usr/lib/libmailbox.so.$version' > '$out/dynsyms.txt' &&
	 grep -q ' mbox_version@@LIBMAILBOX_1.2\$' '$out/dynsyms.txt' &&
	 grep -q ' mbox_create@LIBMAILBOX_1.0\$' '$out/dynsyms.txt'"
check "libmailbox-mq.so.1 -> libmailbox-mq.so.$version, soname libmailbox-mq.so.1" \
	"test \"\$(readlink -f '$root/usr/lib/libmailbox-mq.so')\" = '$root/usr/lib/libmailbox-mq.so.$version' &&
	 readelf -d '$root/usr/lib/libmailbox-mq.so.$version' | grep -q 'SONAME.*\\[libmailbox-mq.so.1\\]'"
check "libmailbox-mq symbol versions: mq_open@@LIBMAILBOX_MQ_1.0, mq_open@GLIBC_2.34, mq_open@GLIBC_2.3.4" \
	"readelf -W --dyn-syms '$root/usr/lib/libmailbox-mq.so.$version' > '$out/mq-dynsyms.txt' &&
	 grep -q ' mq_open@@LIBMAILBOX_MQ_1.0\$' '$out/mq-dynsyms.txt' &&
	 grep -q ' mq_open@GLIBC_2.34\$' '$out/mq-dynsyms.txt' &&
	 grep -q ' mq_open@GLIBC_2.3.4\$' '$out/mq-dynsyms.txt'"
check "installed mboxctl runs: version says libmailbox $version" \
	"LD_LIBRARY_PATH='$root/usr/lib' '$root/usr/bin/mboxctl' version | grep -qx 'libmailbox $version'"

# pkg-config as a user would, but reading the DESTDIR.
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig"
check "pkg-config --modversion mailbox is $version" \
	"test \"\$(pkg-config --modversion mailbox)\" = '$version'"
check "mailbox.pc: prefix=/usr" \
	"grep -qx 'prefix=/usr' '$root/usr/lib/pkgconfig/mailbox.pc'"
check "pkg-config --modversion mailbox-mq is $version" \
	"test \"\$(pkg-config --modversion mailbox-mq)\" = '$version'"

# libmailbox-mq: an mq_*() program linked before -lrt uses it, and an
# unmodified -lrt build uses it through LD_PRELOAD. Without /dev/mailbox
# its mq_open() fails with ENOSYS where the kernel's mq would succeed:
# which one answered shows.
mqex=$out/mq-example
rm -rf "$mqex"
mkdir -p "$mqex"
cat > "$mqex/mqprog.c" <<'EOF_MQ'
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	mqd_t q = mq_open("/install-check", O_RDWR | O_CREAT, 0600, NULL);

	if (q == (mqd_t)-1) {
		printf("mq_open: %s\n", strerror(errno));
		return 1;
	}
	mq_close(q);
	mq_unlink("/install-check");
	puts("mq_open: ok");
	return 0;
}
EOF_MQ
check "cc mqprog.c \$(pkg-config --cflags --libs mailbox-mq) -lrt: linked against libmailbox-mq.so.1" \
	"cd '$mqex' && cc -Wall -Werror -o mqprog-linked mqprog.c \$(pkg-config --cflags --libs mailbox-mq) -lrt &&
	 LD_LIBRARY_PATH='$root/usr/lib' ldd mqprog-linked | grep -q 'libmailbox-mq.so.1 => $root/usr/lib/'"
check "cc mqprog.c -lrt (unmodified): no libmailbox-mq" \
	"cd '$mqex' && cc -Wall -Werror -o mqprog-rt mqprog.c -lrt && ! ldd mqprog-rt | grep -q libmailbox-mq"
if [ ! -e /dev/mailbox ]; then
	check "the linked program's mq_open() is libmailbox-mq's (no /dev/mailbox: ENOSYS)" \
		"cd '$mqex' && LD_LIBRARY_PATH='$root/usr/lib' ./mqprog-linked | grep -qx 'mq_open: Function not implemented'"
	check "LD_PRELOAD=libmailbox-mq.so.1 over the unmodified one: the same" \
		"cd '$mqex' && LD_PRELOAD='$root/usr/lib/libmailbox-mq.so.1' ./mqprog-rt | grep -qx 'mq_open: Function not implemented'"
else
	echo "skip - libmailbox-mq without /dev/mailbox (this host has one)"
fi

# Man pages: every man/*.N, and at least one.
shopt -s nullglob
pages=("$top"/man/*.1 "$top"/man/*.3 "$top"/man/*.7)
shopt -u nullglob
if [ ${#pages[@]} -eq 0 ]; then
	fail "man pages: none in man/"
fi
for p in "${pages[@]}"; do
	n=$(basename "$p")
	check "man page $n in usr/share/man/man${n##*.}" \
		"cmp '$p' '$root/usr/share/man/man${n##*.}/$n'"
done

# udev rule: the line, the module's mode, and udevadm's parser.
rule=$root/usr/lib/udev/rules.d/60-kmailbox.rules
check "udev rule installed: usr/lib/udev/rules.d/60-kmailbox.rules" "test -f '$rule'"
check "udev rule: KERNEL==\"mailbox\", SUBSYSTEM==\"misc\", MODE=\"0666\", nothing else" \
	"test \"\$(grep -v -e '^#' -e '^\$' '$rule')\" = 'KERNEL==\"mailbox\", SUBSYSTEM==\"misc\", MODE=\"0666\"'"
check "udev rule's mode is the module's (miscdevice .mode = 0666 in kmod/)" \
	"grep -Eq '^[[:space:]]*\\.mode = 0666,' '$top'/kmod/*.c"
# udevadm 252 has no `verify`. `udevadm test` parses every rules file and
# reports errors as "FILE:LINE ..."; run it in a mount namespace where the
# rules directories hold only our rule and /dev and /run are empty tmpfs
# (it would create links and its database there), on an existing misc
# device: once as it is (parse), once with KERNEL== that device's name
# (the rule must apply MODE 0666).
misc=$(ls /sys/class/misc 2>/dev/null | head -n 1)
if command -v udevadm > /dev/null && command -v unshare > /dev/null && [ -n "$misc" ] &&
   unshare -m true 2> /dev/null; then
	udev_test()	# RULEFILE: udevadm test's output on $misc
	{
		unshare -m sh -c '
			set -e
			mount -n --make-rprivate /
			for d in /etc/udev/rules.d /run /dev /usr/lib/udev/rules.d \
				 /usr/local/lib/udev/rules.d /lib/udev/rules.d; do
				[ -d "$d" ] && mount -n -t tmpfs none "$d"
			done
			cp "$1" /etc/udev/rules.d/60-kmailbox.rules
			udevadm test --action=add "/sys/class/misc/$2" 2>&1' sh "$1" "$misc"
	}
	udev_test "$rule" > "$out/udev-parse.log"
	check "udevadm test parses the rule without errors (on misc/$misc)" \
		"grep -q 'Reading rules file: .*60-kmailbox.rules' '$out/udev-parse.log' &&
		 ! grep '^/.*60-kmailbox.rules:[0-9]' '$out/udev-parse.log'"
	sed "s/KERNEL==\"mailbox\"/KERNEL==\"$misc\"/" "$rule" > "$out/60-kmailbox-as-$misc.rules"
	udev_test "$out/60-kmailbox-as-$misc.rules" > "$out/udev-apply.log"
	check "udevadm test: the rule sets MODE 0666 on a misc device (as KERNEL==\"$misc\")" \
		"grep -q '60-kmailbox.rules:[0-9]* MODE 0666' '$out/udev-apply.log'"
else
	echo "skip - udevadm test of the rule (needs udevadm, unshare -m and a misc device)"
fi

conf=$root/usr/lib/modules-load.d/kmailbox.conf
check "modules-load.d entry: usr/lib/modules-load.d/kmailbox.conf says kmailbox" \
	"test \"\$(grep -v -e '^#' -e '^\$' '$conf')\" = kmailbox"
check "the module's name is kmailbox (modinfo)" \
	"test \"\$(/sbin/modinfo -F name '$ko')\" = kmailbox"

# dkms.conf, read as dkms reads it (sourced by bash).
check "dkms.conf: PACKAGE_VERSION is VERSION ($version), PACKAGE_NAME and BUILT_MODULE_NAME kmailbox" \
	"cd '$top/kmod' && . ./dkms.conf && test \"\$PACKAGE_VERSION\" = '$version' &&
	 test \"\$PACKAGE_NAME\" = kmailbox && test \"\${BUILT_MODULE_NAME[0]}\" = kmailbox &&
	 test \"\$AUTOINSTALL\" = yes"
dk=$out/dkms-root
rm -rf "$dk"
check "make dkms-source DESTDIR: usr/src/kmailbox-$version is kmod/'s sources (Kbuild, Makefile, dkms.conf, VERSION, *.[ch], uapi/linux/*.h), nothing else" \
	"'${mk[0]}' -s -C '$top' --no-print-directory dkms-source DESTDIR='$dk' &&
	 cd '$dk/usr/src/kmailbox-$version' && find . -type f | sed 's|^\./||' | LC_ALL=C sort > '$out/dkms-files.got' &&
	 (cd '$top/kmod' && ls Kbuild Makefile dkms.conf VERSION *.c *.h uapi/linux/*.h | grep -v '\\.mod\\.c\$' | LC_ALL=C sort) > '$out/dkms-files.want' &&
	 diff -u '$out/dkms-files.want' '$out/dkms-files.got'"
rm -rf "$dk"

# ---- the README's example ------------------------------------------------

ex=$out/example
rm -rf "$ex"
mkdir -p "$ex"
section() { awk '/^## Install$/ { s = 1; next } s && /^## / { exit } s' "$top/README.md"; }
# between(MARK): the fenced block between <!-- MARK --> and <!-- /MARK -->.
between()
{
	section | awk -v m="$1" '
		$0 == "<!-- " m " -->" { f = 1; next }
		$0 == "<!-- /" m " -->" { f = 0 }
		f && !/^```/'
}
between example.c > "$ex/example.c"
between example.out > "$ex/expected.out"
cc_line=$(section | sed -n 's/^    \(cc example\.c .*\)$/\1/p' | head -n 1)
check "README: an example.c block, its expected output, a 'cc example.c ...' line" \
	"test -s '$ex/example.c' && test -s '$ex/expected.out' && test -n '$cc_line'"
echo "# $cc_line"
check "the README's line compiles it: $cc_line" \
	"cd '$ex' && $cc_line && test -x a.out"
check "and with -Wall -Wextra -Werror" \
	"cd '$ex' && cc -Wall -Wextra -Werror -o example example.c \$(pkg-config --cflags --libs mailbox)"
check "a.out is linked against libmailbox.so.1 (found in the DESTDIR)" \
	"LD_LIBRARY_PATH='$root/usr/lib' ldd '$ex/a.out' | grep -q 'libmailbox.so.1 => $root/usr/lib/'"
if [ ! -e /dev/mailbox ]; then
	(cd "$ex" && LD_LIBRARY_PATH="$root/usr/lib" ./a.out > run.out 2> run.err)
	rc=$?
	check "without /dev/mailbox: exit status 1 (was $rc)" "test $rc -eq 1"
	check "without /dev/mailbox: prints the README's first line ($(head -n 1 "$ex/expected.out"))" \
		"diff <(head -n 1 '$ex/expected.out') '$ex/run.out'"
	check "without /dev/mailbox: says so on stderr" \
		"grep -q '^no /dev/mailbox: load the module (modprobe kmailbox)\$' '$ex/run.err' &&
		 grep -qF 'no /dev/mailbox: load' '$top/README.md'"
else
	echo "skip - the example without /dev/mailbox (this host has one)"
fi
check "the README's static line: cc -static ... \$(pkg-config --static ...)" \
	"cd '$ex' && cc -static -o example-static example.c \$(pkg-config --static --cflags --libs mailbox) &&
	 ! readelf -d example-static | grep -q NEEDED"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR

# In the VM: the installed kmailbox.ko, and the static example if vm/run
# can take an extra program (VM_EXTRA_BIN: build_extra_bins in
# scripts/lib/build.sh).
vmcmd='echo "module version: $(cat /sys/module/kmailbox/version)"; mboxctl version'
hook=
if declare -F build_extra_bins > /dev/null; then
	hook=1
	install -m 755 "$ex/example-static" "$ex/example"
	vmcmd="$vmcmd; echo @@EXAMPLE@@; example; echo \"@@EXAMPLE@@ rc=\$?\""
fi
echo "# vm/run --kernel $rel with VM_KO=DESTDIR's kmailbox.ko${hook:+ and the example}"
touch "$out/vm.start"
env VM_KO="$ko" ${hook:+VM_EXTRA_BIN="$ex/example"} "$top/vm/run" --kernel "$rel" --timeout 600 -- "$vmcmd" \
	> "$out/vm.log" 2>&1
vmrc=$?
tail -n 5 "$out/vm.log" | sed 's/^/#   /'
# The command's output, from this run's console log.
console=$top/build/vm/$rel/console.log
: > "$out/vm-command.out"
if [ "$console" -nt "$out/vm.start" ]; then
	tr -d '\r' < "$console" |
		awk '/@@VM@@ command-begin/ { f = 1; next } /@@VM@@ command-end/ { f = 0 } f' \
		> "$out/vm-command.out"
fi
check "the installed kmailbox.ko loads in the VM, vm/run passes" "test $vmrc -eq 0"
check "the loaded module says version $version" \
	"grep -qx 'module version: $version' '$out/vm-command.out'"
if [ -n "$hook" ]; then
	awk '/^@@EXAMPLE@@$/ { f = 1; next } /^@@EXAMPLE@@ rc=/ { f = 0 } f' \
		"$out/vm-command.out" > "$ex/vm.out"
	check "in the VM the example prints the README's output and exits 0" \
		"diff -u '$ex/expected.out' '$ex/vm.out' && grep -qx '@@EXAMPLE@@ rc=0' '$out/vm-command.out'"
else
	echo "skip - the example in the VM (vm/ has no VM_EXTRA_BIN to add a program)"
fi

# ---- make uninstall ------------------------------------------------------

check "make uninstall DESTDIR=... PREFIX=/usr" \
	"${mk[*]} uninstall DESTDIR='$root' PREFIX=/usr"
check "nothing left but directories" "test -z \"\$(find '$root' ! -type d | tee /dev/stderr)\""

# ---- the defaults: PREFIX=/usr/local -------------------------------------

rl=$out/root-local
rm -rf "$rl"
check "make install DESTDIR=... (default PREFIX)" "${mk[*]} install DESTDIR='$rl'"
for f in "lib/modules/$rel/extra/kmailbox.ko" usr/local/lib/libmailbox.so.1 \
	 usr/local/lib/libmailbox-mq.so.1 usr/local/lib/pkgconfig/mailbox-mq.pc \
	 usr/local/include/mailbox.h usr/local/lib/pkgconfig/mailbox.pc \
	 usr/local/bin/mboxctl usr/local/lib/udev/rules.d/60-kmailbox.rules \
	 usr/local/lib/modules-load.d/kmailbox.conf; do
	check "installed $f" "test -e '$rl/$f'"
done
check "mailbox.pc: prefix=/usr/local (not an earlier install's PREFIX)" \
	"grep -qx 'prefix=/usr/local' '$rl/usr/local/lib/pkgconfig/mailbox.pc'"
for p in "${pages[@]}"; do
	n=$(basename "$p")
	check "installed usr/local/share/man/man${n##*.}/$n" \
		"test -f '$rl/usr/local/share/man/man${n##*.}/$n'"
done
check "make uninstall DESTDIR=... (default PREFIX) leaves nothing but directories" \
	"${mk[*]} uninstall DESTDIR='$rl' && test -z \"\$(find '$rl' ! -type d | tee /dev/stderr)\""
rm -rf "$root" "$rl"

finish
