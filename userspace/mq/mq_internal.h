/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmailbox-mq: POSIX message queues (mq_overview(7)) on the kernel
 * mailboxes of /dev/mailbox. Internal declarations shared by its files:
 *   mq_open.c     names, mq_open(), mq_unlink(), mq_close(), the limits
 *   mq_attr.c     mq_getattr(), mq_setattr()
 *   mq_io.c       mq_send(), mq_timedsend(), mq_receive(), mq_timedreceive()
 *   mq_notify.c   mq_notify() (SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD)
 *   mq_state.c    what the library remembers per descriptor, the module's
 *                 features
 * man/libmailbox-mq.7 is the user's description.
 */
#ifndef MQ_INTERNAL_H
#define MQ_INTERNAL_H

#include <mqueue.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <linux/kmailbox.h>

#include "mqlib.h"

/* Built with -fvisibility=hidden: only what is marked is exported. */
#define MQ_EXPORT __attribute__((visibility("default")))

/*
 * Each mq_* function is exported three times: name@@LIBMAILBOX_MQ_1.0, the
 * default a program linked with -lmailbox-mq binds to, and name@GLIBC_2.34
 * and name@GLIBC_2.3.4, the versions a program linked against glibc's
 * libc.so.6 (2.34 and later) or librt.so.1 (earlier) asks for: the dynamic
 * linker matches a versioned reference only with a definition of that
 * version, so without them LD_PRELOAD would not interpose glibc's.
 */
#ifdef MQ_NO_PUBLIC_NAMES
#define MQ_SYMVERS(impl, sym) extern int mq_no_public_##sym
#else
#define MQ_SYMVERS(impl, sym)						\
	extern __typeof(impl) impl##_glibc234				\
		__attribute__((alias(#impl), visibility("default")));	\
	extern __typeof(impl) impl##_glibc2304				\
		__attribute__((alias(#impl), visibility("default")));	\
	__asm__(".symver " #impl ", " #sym "@@LIBMAILBOX_MQ_1.0");	\
	__asm__(".symver " #impl "_glibc234, " #sym "@GLIBC_2.34");	\
	__asm__(".symver " #impl "_glibc2304, " #sym "@GLIBC_2.3.4")
#endif

#define MQ_PRIO_LIMIT	32768	/* sysconf(_SC_MQ_PRIO_MAX) on Linux */
#define NSEC_PER_SEC	1000000000LL

/* The module's features (mq_state.c, probed once per process). */
struct mq_features {
	bool probed;
	bool wide;	/* CREATE2/OPEN2/UNLINK2, 32768 priorities, realtime
			 * deadlines, NOTIFY: the module of issue 15 */
};
const struct mq_features *mq_features(void);

/* What the library knows of a descriptor it opened (mq_state.c). */
struct mq_desc {
	bool valid;
	uint32_t access;	/* MAILBOX_ACCESS_* */
	uint32_t msgsize;	/* mq_msgsize */
};
int mq_desc_get(int fd, struct mq_desc *d);
void mq_desc_set(int fd, uint32_t access, uint32_t msgsize);
void mq_desc_forget(int fd);

/* mq_notify.c: stop a SIGEV_THREAD helper of @fd, if any (mq_close). */
void mq_notify_forget(int fd);

/* ioctl() returning -errno. */
int mq_ioctl(int fd, unsigned long cmd, void *arg);
/* An -errno of the kernel as mq_*() report it: a descriptor that is not a
 * queue is EBADF. Sets errno, returns -1. */
int mq_fail(int err);

#endif /* MQ_INTERNAL_H */
