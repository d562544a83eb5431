# SPDX-License-Identifier: GPL-2.0
#
# kmailbox: kernel mailboxes behind /dev/mailbox.
#
#   make                build the userspace library and tools, and the module
#   make module         kmailbox.ko against $(KDIR), built in kmod/ (make -C kmod)
#   make userspace      libmailbox, mboxctl, examples (userspace/)
#   make selftests      build the kselftests (selftests/), do not run them
#   make check          boot Debian's 6.1 kernel in QEMU, load the module, run
#                       the kselftests and check the kernel log (vm/run)
#   make check-mq       the kernel's POSIX mq selftests (mq_open_tests,
#                       mq_perf_tests from Debian's linux-source-6.12) run
#                       in the VM against libmailbox-mq: static, and a -lrt
#                       build through LD_PRELOAD (vm/mq-tests.sh; KERNEL=)
#   make check-debug    the same on a debug 6.12 kernel (KASAN, lockdep,
#                       kmemleak, UBSAN, failslab), built once and cached
#   make demo           a producer/consumer demonstration in the VM
#   make bench          ipcbench in the VM (TCG): mailbox vs shm ring, pipe,
#                       UNIX socket, POSIX mq, System V msg and the syscall
#                       floor -> build/bench/results.{csv,md,png}
#                       (scripts/bench.sh); ICOUNT=1: under QEMU -icount
#                       (instruction counts, repeatable); BENCH_ARGS: more
#                       ipcbench options (e.g. BENCH_ARGS='-r 3 --sizes 64')
#   make profile        where a send and a receive spend their time:
#                       ftrace's function_graph over ipcbench for the
#                       mailbox, POSIX mq and System V msg (vm/profile.sh)
#   make shell          a shell in the VM with the module loaded
#   make checkpatch     checkpatch.pl --strict on the module and uapi header
#   make lint           scripts/lint.sh: W=1 + sparse on 6.1 and 6.12, checkpatch
#   make sparse         module build with sparse (C=2) against the 6.1 headers
#   make W1             module build with W=1 against the 6.1 headers
#   make clean
#   make install        the module for KDIR's kernel (modules_install, depmod)
#                       and everything else: install-module + install-userspace
#   make uninstall      remove exactly what install put there
#   make install-module     kmailbox.ko to $(DESTDIR)/lib/modules/<release>/
#                           $(INSTALL_MOD_DIR), then depmod (uninstall-module)
#   make install-userspace  install-lib install-man install-udev
#                           install-modules-load (uninstall-userspace)
#   make install-lib    libmailbox.{so,a}, mailbox.h, shmring.h, the uapi
#                       header (kmod/uapi/linux/kmailbox.h as linux/kmailbox.h),
#                       mailbox.pc, mboxctl (userspace/'s install)
#   make install-man    man/*.1, *.3, *.7 to $(MANDIR)/man1, man3, man7
#   make install-udev   the rule setting /dev/mailbox's mode
#   make install-modules-load  kmailbox.conf: load the module at boot
#   make dkms-install   the module through DKMS instead of install-module:
#                       sources to /usr/src/kmailbox-$(VERSION), dkms add,
#                       build and install for KDIR's kernel; later kernels
#                       get it from dkms autoinstall (dkms-uninstall undoes)
#   make dkms-source    only the copy of kmod/ (make -C kmod dkms-source) to
#                       $(DESTDIR)/usr/src/kmailbox-VERSION
#
# Variables: KDIR (kernel build tree; default /lib/modules/`uname -r`/build,
# else the newest /usr/src/linux-headers-*-amd64), KDIR61 (for sparse and
# W1), KERNEL (the VM's kernel for check, demo, shell and bench: deb61 or
# deb612), ICOUNT and BENCH_ARGS (bench).
# Install variables: DESTDIR (staging root), PREFIX (/usr/local), MANDIR
# ($(PREFIX)/share/man), UDEVRULESDIR ($(PREFIX)/lib/udev/rules.d),
# MODULESLOADDIR ($(PREFIX)/lib/modules-load.d), INSTALL_MOD_DIR (extra),
# KERNELRELEASE (KDIR's UTS_RELEASE, e.g. 6.1.0-56-amd64), DEPMOD (depmod;
# DEPMOD=: leaves the module index to the target system), DKMS (dkms).

newest_headers = $(shell ls -d /usr/src/linux-headers-$(1)*-amd64 2>/dev/null | sort -V | tail -n 1)

KDIR	?= $(or $(shell d=/lib/modules/$$(uname -r)/build; [ -d $$d ] && echo $$d),$(call newest_headers,))
KDIR61	?= $(call newest_headers,6.1.)
KERNEL	?= deb61

# Installation. Debian 12's udev reads rules from /usr/local/lib/udev/rules.d
# and /usr/lib/udev/rules.d besides /etc; systemd-modules-load and
# sysvinit's /etc/init.d/kmod read /usr/local/lib/modules-load.d and
# /usr/lib/modules-load.d: so both follow PREFIX, and /etc stays the
# administrator's. The module goes to /lib/modules/<release>/extra, kbuild's
# default for external modules, apart from DKMS's updates/dkms.
PREFIX		?= /usr/local
MANDIR		?= $(PREFIX)/share/man
UDEVRULESDIR	?= $(PREFIX)/lib/udev/rules.d
MODULESLOADDIR	?= $(PREFIX)/lib/modules-load.d
INSTALL_MOD_DIR	?= extra
DEPMOD		?= depmod
DKMS		?= dkms
# The release the module is built for, from KDIR: UTS_RELEASE, which is what
# vermagic and /lib/modules/<release> use (Debian's include/config/
# kernel.release says 6.1.192 where the kernel is 6.1.0-56-amd64).
KERNELRELEASE	?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
		     $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
KMAILBOX_VERSION := $(shell cat kmod/VERSION)

.PHONY: all module userspace selftests check check-mq check-debug check-unload demo shell bench profile checkpatch lint sparse W1 clean \
	kdir-check kdir61-check

all: userspace module

kdir-check:
	@test -n "$(KDIR)" && test -d "$(KDIR)" || { \
		echo "No kernel build tree: install linux-headers-amd64 or set KDIR=" >&2; \
		exit 1; }

kdir61-check:
	@test -n "$(KDIR61)" && test -d "$(KDIR61)" || { \
		echo "No 6.1 headers: apt-get install linux-headers-amd64, or set KDIR61=" >&2; \
		exit 1; }

module: kdir-check
	$(MAKE) -C kmod KDIR=$(KDIR)

userspace:
	$(MAKE) -C userspace

# lib.mk defaults OUTPUT only in a top-level make: pass it. The kselftest
# harness and lib.mk come from build/kernel-src (scripts/kernel-files.sh,
# which installs linux-source-6.12 if needed): made here, never while
# selftests/Makefile is parsed.
KSFT_FILES := build/kernel-src/tools/testing/selftests/lib.mk

selftests:
	scripts/kernel-files.sh > /dev/null
	$(MAKE) -C selftests OUTPUT=$(CURDIR)/selftests

check:
	vm/run --kernel $(KERNEL)

check-mq:
	VM_MQ=1 vm/run --kernel $(KERNEL) -- /mq-tests.sh

# The debug lane: a 6.12 kernel built from Debian's linux-source-6.12 with
# KASAN, lockdep, kmemleak, UBSAN, fault injection (vm/debug.config), cached
# under ~/.cache/kmailbox, then every kselftest and a kmemleak scan.
check-debug:
	eval "$$(vm/build-debug-kernel.sh)" && \
	VM_KDIR="$$KDIR" VM_VMLINUZ="$$VMLINUZ" vm/run --timeout 2400

# 50 unload/load cycles with traffic, and rmmod refused while a descriptor
# is open, on the debug kernel: kmemleak scans what the cycles left.
check-unload:
	eval "$$(vm/build-debug-kernel.sh)" && \
	VM_KDIR="$$KDIR" VM_VMLINUZ="$$VMLINUZ" vm/run --timeout 1200 -- /unload-cycle.sh

demo:
	vm/run --kernel $(KERNEL) -- /demo.sh

shell:
	vm/run --kernel $(KERNEL) --shell

# ipcbench's defaults: 50000 messages per throughput point (25000 of 4096
# bytes), 5000 round trips, 5 repetitions: about 4 minutes under TCG on 2
# cores, about 5 under ICOUNT=1 (one vCPU there: see scripts/bench.sh).
bench:
	@t0=$$(date +%s); \
	BENCH_ICOUNT=$(ICOUNT) KERNEL=$(KERNEL) scripts/bench.sh $(BENCH_ARGS); rc=$$?; \
	echo "make bench$(if $(ICOUNT), ICOUNT=$(ICOUNT)): $$(( $$(date +%s) - t0 )) s"; exit $$rc

profile:
	vm/run --kernel $(KERNEL) --timeout 1200 -- \
		'/profile.sh mailbox; /profile.sh posix-mq; /profile.sh sysv-msg'

checkpatch:
	@ksrc=$$(scripts/kernel-files.sh) && \
	$$ksrc/scripts/checkpatch.pl --strict --no-tree -f \
		$(addprefix kmod/,$(filter %.c %.h,$(shell $(MAKE) -s --no-print-directory -C kmod sources)))

lint:
	scripts/lint.sh

sparse: kdir61-check
	$(MAKE) -C kmod KDIR=$(KDIR61) C=2

W1: kdir61-check
	$(MAKE) -C kmod KDIR=$(KDIR61) W=1

# Without the kselftest files there is nothing of the selftests' to clean
# but their programs.
clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C kmod KDIR=$(KDIR) clean; fi
	$(MAKE) -C userspace clean
	@if [ -f $(KSFT_FILES) ]; then \
		$(MAKE) -C selftests OUTPUT=$(CURDIR)/selftests clean; \
	else \
		echo "selftests: no $(KSFT_FILES): removing the programs only"; \
		rm -f $(filter-out %.c %.h,$(wildcard selftests/mailbox_*)) selftests/.mailbox-build-flags; \
	fi
	rm -rf build/vm

# ---- make install / uninstall (README.md, "Install") ----------------------

.PHONY: install uninstall install-module uninstall-module install-userspace \
	uninstall-userspace install-lib uninstall-lib install-man uninstall-man \
	install-udev uninstall-udev install-modules-load uninstall-modules-load \
	dkms-source dkms-install dkms-uninstall krel-check

# kbuild and userspace/ run in other directories: a relative DESTDIR must
# not change meaning there.
destdir		= $(if $(DESTDIR),$(abspath $(DESTDIR)))
moddir		= $(destdir)/lib/modules/$(KERNELRELEASE)
MANPAGES	:= $(wildcard man/*.1 man/*.3 man/*.7)
# depmod's outputs (kmod 30..33), removed from a staging DESTDIR that
# uninstall leaves without any module.
DEPMOD_FILES	:= modules.alias modules.alias.bin modules.builtin.alias.bin \
		   modules.builtin.bin modules.dep modules.dep.bin modules.devname \
		   modules.softdep modules.symbols modules.symbols.bin modules.weakdep

install: install-module install-userspace
uninstall: uninstall-module uninstall-userspace
install-userspace: install-lib install-man install-udev install-modules-load
uninstall-userspace: uninstall-lib uninstall-man uninstall-udev uninstall-modules-load

krel-check:
	@test -n "$(KERNELRELEASE)" || { \
		echo "Cannot tell the kernel release: no $(KDIR)/include/generated/utsrelease.h;" \
		     "set KDIR= or KERNELRELEASE=" >&2; exit 1; }

# depmod, if there is one (kbuild's own run needs System.map, which Debian's
# headers lack, so it skips); a DESTDIR gets its own index (-b).
depmod-sh = export PATH="$$PATH:/sbin:/usr/sbin"; \
	if command -v $(DEPMOD) > /dev/null; then \
		echo "$(DEPMOD)$(if $(destdir), -b $(destdir)) -a $(KERNELRELEASE)"; \
		$(DEPMOD)$(if $(destdir), -b $(destdir)) -a $(KERNELRELEASE); \
	else \
		echo "warning: no $(DEPMOD); run depmod -a $(KERNELRELEASE) later" >&2; \
	fi

# Debian's headers say CONFIG_MODULE_SIG_ALL=y but ship no signing key:
# kbuild would try to sign and print OpenSSL errors. Without the key the
# module is installed unsigned (a kernel that does not enforce signatures
# loads it, tainted "E"); a tree that has its key signs as usual.
sigkey		= $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' \
		    $(KDIR)/include/config/auto.conf 2>/dev/null)
nosign		= $(if $(filter pkcs11:%,$(sigkey))$(wildcard $(sigkey) $(KDIR)/$(sigkey)),,CONFIG_MODULE_SIG_ALL=)

install-module: module krel-check
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules_install \
		INSTALL_MOD_PATH=$(destdir) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		KERNELRELEASE=$(KERNELRELEASE) $(nosign)
	@$(depmod-sh)

# A staging DESTDIR left without any module loses depmod's index too (an
# uninstall leaves nothing but directories there); elsewhere depmod again.
uninstall-module: krel-check
	rm -f $(addprefix $(moddir)/$(INSTALL_MOD_DIR)/kmailbox,.ko .ko.gz .ko.xz .ko.zst)
	@if [ -n "$(destdir)" ] && [ -d "$(moddir)" ] && \
	    [ -z "$$(find $(moddir) -name '*.ko*' ! -type d)" ]; then \
		echo "rm -f $(moddir)/modules.* (depmod's index of no module)"; \
		rm -f $(addprefix $(moddir)/,$(DEPMOD_FILES)); \
	elif [ -d "$(moddir)" ]; then \
		$(depmod-sh); \
	fi

# Into the live system, ldconfig: the dynamic linker finds a library new in
# /usr/local/lib only through its cache.
install-lib uninstall-lib:
	$(MAKE) -C userspace $(@:-lib=) DESTDIR=$(destdir) PREFIX=$(PREFIX)
	@export PATH="$$PATH:/sbin:/usr/sbin"; \
	if [ -z "$(DESTDIR)" ] && command -v ldconfig > /dev/null; then \
		echo ldconfig; ldconfig; fi

install-man:
	@for f in $(MANPAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${f##*.}; \
		echo "install -m 0644 $$f $$d/"; \
		install -d $$d && install -m 0644 $$f $$d/ || exit 1; \
	done

uninstall-man:
	rm -f $(foreach f,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(f)))/$(notdir $(f)))

install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 packaging/udev/60-kmailbox.rules $(DESTDIR)$(UDEVRULESDIR)/

uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-kmailbox.rules

install-modules-load:
	install -d $(DESTDIR)$(MODULESLOADDIR)
	install -m 0644 packaging/modules-load.d/kmailbox.conf $(DESTDIR)$(MODULESLOADDIR)/

uninstall-modules-load:
	rm -f $(DESTDIR)$(MODULESLOADDIR)/kmailbox.conf

# DKMS: the source tree is kmod/'s sources, as they are (kmod/Makefile
# checks dkms.conf's version first).
dkms-source:
	$(MAKE) --no-print-directory -C kmod dkms-source DESTDIR=$(destdir)

# A registered kmailbox/VERSION is removed first: its sources are replaced.
dkms-install: krel-check
	@test -z "$(DESTDIR)" || { echo "dkms-install: no DESTDIR (dkms-source takes one)" >&2; exit 1; }
	@command -v $(DKMS) > /dev/null || { \
		echo "dkms-install: no $(DKMS): apt-get install dkms" >&2; exit 1; }
	@if [ -n "$$($(DKMS) status kmailbox/$(KMAILBOX_VERSION) 2>/dev/null)" ]; then \
		echo "$(DKMS) remove kmailbox/$(KMAILBOX_VERSION) --all"; \
		$(DKMS) remove kmailbox/$(KMAILBOX_VERSION) --all || exit 1; \
	fi
	$(MAKE) --no-print-directory dkms-source
	$(DKMS) add kmailbox/$(KMAILBOX_VERSION)
	$(DKMS) build kmailbox/$(KMAILBOX_VERSION) -k $(KERNELRELEASE)
	$(DKMS) install kmailbox/$(KMAILBOX_VERSION) -k $(KERNELRELEASE)

dkms-uninstall:
	@if [ -n "$$($(DKMS) status kmailbox/$(KMAILBOX_VERSION) 2>/dev/null)" ]; then \
		echo "$(DKMS) remove kmailbox/$(KMAILBOX_VERSION) --all"; \
		$(DKMS) remove kmailbox/$(KMAILBOX_VERSION) --all || exit 1; \
	fi
	rm -rf /usr/src/kmailbox-$(KMAILBOX_VERSION)
