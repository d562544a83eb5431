# SPDX-License-Identifier: GPL-2.0
#
# kmailbox: kernel mailboxes behind /dev/mailbox.
#
#   make                build the userspace library and tools, and the module
#   make module         kmailbox.ko against $(KDIR)
#   make userspace      libmailbox, mboxctl, examples (userspace/)
#   make selftests      build the kselftests (selftests/), do not run them
#   make check          boot Debian's 6.1 kernel in QEMU, load the module, run
#                       the kselftests and check the kernel log (vm/run)
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
#   make sparse         module build with sparse (C=2) against the 6.1 headers
#   make W1             module build with W=1 against the 6.1 headers
#   make clean
#
# Variables: KDIR (kernel build tree; default /lib/modules/`uname -r`/build,
# else the newest /usr/src/linux-headers-*-amd64), KDIR61 (for sparse and
# W1), KERNEL (the VM's kernel for check, demo, shell and bench: deb61 or
# deb612), ICOUNT and BENCH_ARGS (bench).

newest_headers = $(shell ls -d /usr/src/linux-headers-$(1)*-amd64 2>/dev/null | sort -V | tail -n 1)

KDIR	?= $(or $(shell d=/lib/modules/$$(uname -r)/build; [ -d $$d ] && echo $$d),$(call newest_headers,))
KDIR61	?= $(call newest_headers,6.1.)
KERNEL	?= deb61

.PHONY: all module userspace selftests check check-debug check-unload demo shell bench profile checkpatch sparse W1 clean \
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
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

# lib.mk defaults OUTPUT only in a top-level make: pass it.
selftests:
	$(MAKE) -C selftests OUTPUT=$(CURDIR)/selftests

check:
	vm/run --kernel $(KERNEL)

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
		$(wildcard kmod/*.c kmod/*.h uapi/linux/*.h)

sparse: kdir61-check
	$(MAKE) -C $(KDIR61) M=$(CURDIR) C=2 modules

W1: kdir61-check
	$(MAKE) -C $(KDIR61) M=$(CURDIR) W=1 modules

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests OUTPUT=$(CURDIR)/selftests clean
	rm -rf build/vm
