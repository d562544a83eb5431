// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox-mq: mq_send(), mq_timedsend(), mq_receive(), mq_timedreceive().
 *
 * One MAILBOX_IOC_SEND or MAILBOX_IOC_RECV each. The absolute timeouts are
 * CLOCK_REALTIME: the module of issue 15 sleeps on that clock itself
 * (MAILBOX_DEADLINE_REALTIME); with an older module the timeout becomes a
 * CLOCK_MONOTONIC deadline, the same distance away (clock_settime() while
 * the call sleeps then does not move it). As POSIX says, the timeout is
 * looked at only when the call would block: an invalid tv_nsec then fails
 * with EINVAL, a time already past with ETIMEDOUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "mq_internal.h"

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/*
 * Run @cmd with @arg, whose flags and deadline_ns are at @flags and
 * @deadline, until @abs (CLOCK_REALTIME; NULL: no timeout).
 */
static int timed_ioctl(int fd, unsigned long cmd, void *arg, __u32 *flags,
		       __u64 *deadline, const struct timespec *abs)
{
	struct timespec now_real, now_mono;
	int64_t t, left;
	int ret, fl;

	if (!abs)
		return mq_ioctl(fd, cmd, arg);
	if (abs->tv_nsec < 0 || abs->tv_nsec >= NSEC_PER_SEC) {
		/* Invalid, which matters only if the call would block. */
		*flags |= MAILBOX_NONBLOCK;
		ret = mq_ioctl(fd, cmd, arg);
		*flags &= ~MAILBOX_NONBLOCK;
		if (ret != -EAGAIN)
			return ret;
		fl = fcntl(fd, F_GETFL);
		return fl >= 0 && (fl & O_NONBLOCK) ? -EAGAIN : -EINVAL;
	}
	t = abs->tv_sec < 0 ? 0 : ts_ns(abs);
	if (mq_features()->wide) {
		*flags |= MAILBOX_DEADLINE | MAILBOX_DEADLINE_REALTIME;
		*deadline = t;
	} else {
		clock_gettime(CLOCK_REALTIME, &now_real);
		clock_gettime(CLOCK_MONOTONIC, &now_mono);
		left = t - ts_ns(&now_real);
		*flags |= MAILBOX_DEADLINE;
		*deadline = ts_ns(&now_mono) + (left > 0 ? left : 0);
	}
	return mq_ioctl(fd, cmd, arg);
}

MQ_EXPORT int mqlib_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
			   unsigned int msg_prio,
			   const struct timespec *abs_timeout)
{
	struct mailbox_send s = {
		.buf = (uintptr_t)msg_ptr,
		.len = msg_len > UINT32_MAX ? UINT32_MAX : msg_len,
		.priority = msg_prio,
	};
	int ret;

	if (msg_prio >= MQ_PRIO_LIMIT)
		return mq_fail(EINVAL);
	ret = timed_ioctl(mqdes, MAILBOX_IOC_SEND, &s, &s.flags,
			  &s.deadline_ns, abs_timeout);
	/* The sender's user may queue no more bytes (user_bytes_max). */
	if (ret == -ENOBUFS)
		ret = -ENOMEM;
	return ret < 0 ? mq_fail(-ret) : 0;
}
MQ_SYMVERS(mqlib_timedsend, mq_timedsend);

MQ_EXPORT int mqlib_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
		      unsigned int msg_prio)
{
	return mqlib_timedsend(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}
MQ_SYMVERS(mqlib_send, mq_send);

MQ_EXPORT ssize_t mqlib_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
				  unsigned int *msg_prio,
				  const struct timespec *abs_timeout)
{
	struct mailbox_recv r = {
		.buf = (uintptr_t)msg_ptr,
		.size = msg_len > UINT32_MAX ? UINT32_MAX : msg_len,
	};
	struct mq_desc d;
	int ret;

	ret = mq_desc_get(mqdes, &d);
	if (ret < 0)
		return mq_fail(-ret);
	if (!(d.access & MAILBOX_ACCESS_RECV))
		return mq_fail(EBADF);
	/* POSIX: whatever the length of the next message. */
	if (msg_len < d.msgsize)
		return mq_fail(EMSGSIZE);
	ret = timed_ioctl(mqdes, MAILBOX_IOC_RECV, &r, &r.flags,
			  &r.deadline_ns, abs_timeout);
	if (ret < 0)
		return mq_fail(-ret);
	if (msg_prio)
		*msg_prio = r.priority;
	return ret;
}
MQ_SYMVERS(mqlib_timedreceive, mq_timedreceive);

MQ_EXPORT ssize_t mqlib_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
			     unsigned int *msg_prio)
{
	return mqlib_timedreceive(mqdes, msg_ptr, msg_len, msg_prio, NULL);
}
MQ_SYMVERS(mqlib_receive, mq_receive);
