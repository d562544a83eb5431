// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox-mq: mq_getattr(), mq_setattr().
 *
 * mq_maxmsg is the mailbox's capacity, mq_msgsize its msg_size_max,
 * mq_curmsgs its depth (MAILBOX_IOC_STAT), mq_flags the O_NONBLOCK of the
 * open file description (fcntl(), shared with fork()ed children and dup()s,
 * as Linux's).
 */
#include <errno.h>
#include <fcntl.h>

#include "mq_internal.h"

static int get_attr(mqd_t mqdes, struct mq_attr *a)
{
	struct mailbox_info info;
	int ret, fl;

	ret = mq_ioctl(mqdes, MAILBOX_IOC_STAT, &info);
	if (ret < 0)
		return ret;
	fl = fcntl(mqdes, F_GETFL);
	if (fl < 0)
		return -errno;
	a->mq_flags = fl & O_NONBLOCK;
	a->mq_maxmsg = info.capacity;
	a->mq_msgsize = info.msg_size_max;
	a->mq_curmsgs = info.depth;
	return 0;
}

MQ_EXPORT int mqlib_getattr(mqd_t mqdes, struct mq_attr *mqstat)
{
	struct mq_attr a;
	int ret = get_attr(mqdes, &a);

	if (ret < 0)
		return mq_fail(-ret);
	*mqstat = a;
	return 0;
}
MQ_SYMVERS(mqlib_getattr, mq_getattr);

/* Only O_NONBLOCK of mq_flags changes; the other fields are ignored. */
MQ_EXPORT int mqlib_setattr(mqd_t mqdes, const struct mq_attr *mqstat,
			 struct mq_attr *omqstat)
{
	struct mq_attr a;
	int ret, fl;

	if (mqstat && (mqstat->mq_flags & ~(long)O_NONBLOCK))
		return mq_fail(EINVAL);
	ret = get_attr(mqdes, &a);
	if (ret < 0)
		return mq_fail(-ret);
	if (mqstat) {
		fl = fcntl(mqdes, F_GETFL);
		if (fl < 0)
			return mq_fail(errno);
		fl = (fl & ~O_NONBLOCK) | (mqstat->mq_flags & O_NONBLOCK);
		if (fcntl(mqdes, F_SETFL, fl) < 0)
			return mq_fail(errno);
	}
	if (omqstat)
		*omqstat = a;
	return 0;
}
MQ_SYMVERS(mqlib_setattr, mq_setattr);
