#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make install into a DESTDIR, then build a program against it the way a
# user would, with pkg-config, link it both dynamically and statically,
# and check that make uninstall removes everything it installed.
# Usage: install_test.sh MAKE_DIR OUT_DIR; prints "ok ..." / "FAIL ..."
# lines and exits non-zero on a failure.
src=$1
out=$2
root=$out/install-root
fail=0
check() {
	if eval "$2" > "$out/install-step.log" 2>&1; then
		echo "ok - $1"
	else
		echo "FAIL - $1"; sed 's/^/#   /' "$out/install-step.log"; fail=1
	fi
}
rm -rf "$root"
check "make install DESTDIR PREFIX=/usr" \
	"make -s -C '$src' install DESTDIR='$root' PREFIX=/usr"
for f in usr/include/mailbox.h usr/include/linux/kmailbox.h \
	 usr/include/shmring.h usr/lib/libmailbox.a usr/lib/libshmring.a \
	 usr/lib/libmailbox.so usr/lib/pkgconfig/mailbox.pc usr/bin/mboxctl; do
	check "installed $f" "test -e '$root/$f'"
done
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig"
check "pkg-config knows mailbox" "pkg-config --exists mailbox"
cat > "$out/pc-example.c" <<'EOC'
#include <errno.h>
#include <stdio.h>
#include <mailbox.h>

int main(void)
{
	int fd = mbox_create("pc-example", MBOX_OWNED, NULL);

	if (fd < 0 && fd != -ENOENT)
		return 1;
	if (fd >= 0) {
		mbox_send(fd, "hi", 2);
		mbox_close(fd);
	}
	puts("pc-example ran");
	return 0;
}
EOC
check "cc example.c \$(pkg-config --cflags --libs mailbox)" \
	"cc -Wall -Werror -o '$out/pc-example' '$out/pc-example.c' \$(pkg-config --cflags --libs mailbox)"
check "the example runs against the installed libmailbox.so" \
	"LD_LIBRARY_PATH='$root/usr/lib' '$out/pc-example' | grep -q 'pc-example ran'"
check "cc -static example.c \$(pkg-config --static --cflags --libs mailbox)" \
	"cc -static -o '$out/pc-example-static' '$out/pc-example.c' \$(pkg-config --static --cflags --libs mailbox)"
check "make uninstall DESTDIR PREFIX=/usr" \
	"make -s -C '$src' uninstall DESTDIR='$root' PREFIX=/usr"
check "nothing left but directories" "test -z \"\$(find '$root' ! -type d)\""
rm -rf "$root"
exit $fail
