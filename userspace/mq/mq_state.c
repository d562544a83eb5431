// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox-mq: the module's features, and what the library remembers of
 * each descriptor.
 *
 * mq_receive() must fail with EMSGSIZE when its buffer is smaller than the
 * queue's mq_msgsize, whatever the next message's length, and with EBADF
 * first when the descriptor was not opened for reading: it needs both
 * without a system call. mq_open() records them here, indexed by the
 * descriptor; a descriptor not recorded (made by dup(), or opened another
 * way) is described by MAILBOX_IOC_STAT once and then recorded. The table
 * is the process's memory, so a fork()ed child inherits it with the
 * descriptors. Its entries are single atomic words, its pages allocated
 * once and never freed: lookups take no lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "mq_internal.h"

int mq_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int mq_fail(int err)
{
	/* Not a mailbox descriptor, or one bound to nothing. */
	if (err == ENOTTY || err == EBADFD)
		err = EBADF;
	errno = err;
	return -1;
}

static struct mq_features features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

/* MAILBOX_IOC_NOTIFY stands for the whole of issue 15's uapi. */
static void probe_features(void)
{
	struct mailbox_version v = { 0 };
	int fd = open("/dev/mailbox", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		if (ioctl(fd, MAILBOX_IOC_VERSION, &v) == 0)
			features.wide = v.ioctls &
				(1ULL << _IOC_NR(MAILBOX_IOC_NOTIFY));
		close(fd);
	}
	features.probed = true;
}

const struct mq_features *mq_features(void)
{
	pthread_once(&features_once, probe_features);
	return &features;
}

#define PAGE_SHIFT_FDS	10
#define PAGE_FDS	(1 << PAGE_SHIFT_FDS)
#define PAGES		1024	/* descriptors 0 to 2^20 - 1 are recorded */
#define E_VALID		(1ULL << 63)
#define E_ACCESS_SHIFT	32

static _Atomic(_Atomic uint64_t *) pages[PAGES];

static _Atomic uint64_t *entry(int fd, bool make)
{
	unsigned int p = (unsigned int)fd >> PAGE_SHIFT_FDS;
	_Atomic uint64_t *page, *expected = NULL;

	if (fd < 0 || p >= PAGES)
		return NULL;
	page = atomic_load_explicit(&pages[p], memory_order_acquire);
	if (!page && make) {
		page = calloc(PAGE_FDS, sizeof(*page));
		if (!page)
			return NULL;
		if (!atomic_compare_exchange_strong(&pages[p], &expected, page)) {
			free(page);
			page = expected;
		}
	}
	return page ? &page[fd & (PAGE_FDS - 1)] : NULL;
}

void mq_desc_set(int fd, uint32_t access, uint32_t msgsize)
{
	_Atomic uint64_t *e = entry(fd, true);

	if (e)
		atomic_store_explicit(e, E_VALID |
				      ((uint64_t)access << E_ACCESS_SHIFT) |
				      msgsize, memory_order_relaxed);
}

void mq_desc_forget(int fd)
{
	_Atomic uint64_t *e = entry(fd, false);

	if (e)
		atomic_store_explicit(e, 0, memory_order_relaxed);
}

int mq_desc_get(int fd, struct mq_desc *d)
{
	_Atomic uint64_t *e = entry(fd, false);
	uint64_t v = e ? atomic_load_explicit(e, memory_order_relaxed) : 0;
	struct mailbox_info info;
	int ret;

	if (!(v & E_VALID)) {
		ret = mq_ioctl(fd, MAILBOX_IOC_STAT, &info);
		if (ret < 0)
			return ret;
		mq_desc_set(fd, info.access, info.msg_size_max);
		v = E_VALID | ((uint64_t)info.access << E_ACCESS_SHIFT) |
			info.msg_size_max;
	}
	d->valid = true;
	d->access = (uint32_t)(v >> E_ACCESS_SHIFT) & MAILBOX_ACCESS_ALL;
	d->msgsize = (uint32_t)v;
	return 0;
}
