// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox: thin wrappers around the /dev/mailbox ioctls.
 *
 * Every function returns >= 0 or -errno, never prints and keeps no state.
 * The contract the wrappers follow is uapi/linux/kmailbox.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/kmailbox.h>

#include "mailbox.h"

/* Built with -fvisibility=hidden: only what is marked here is exported. */
#define MBOX_EXPORT __attribute__((visibility("default")))

#define NSEC_PER_SEC 1000000000LL

_Static_assert(MBOX_NAME_MAX + 1 == MAILBOX_NAME_LEN, "name length");
_Static_assert(MBOX_STATE_LINKED == MAILBOX_STATE_LINKED &&
	       MBOX_STATE_UNLINKED == MAILBOX_STATE_UNLINKED &&
	       MBOX_STATE_DEAD == MAILBOX_STATE_DEAD, "state values");
_Static_assert(MBOX_ACCESS_SEND == MAILBOX_ACCESS_SEND &&
	       MBOX_ACCESS_RECV == MAILBOX_ACCESS_RECV, "access values");

#define OPEN_FLAGS	(MBOX_SEND_ONLY | MBOX_RECV_ONLY | MBOX_NONBLOCK | \
			 MBOX_CLOEXEC)
#define CREATE_FLAGS	(OPEN_FLAGS | MBOX_EXCL | MBOX_OWNED)

/* ioctl() as -errno. */
static int mbox_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Check @name and copy it into a zeroed MAILBOX_NAME_LEN buffer. */
static int copy_name(char dst[MAILBOX_NAME_LEN], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, MAILBOX_NAME_LEN);
	if (len >= MAILBOX_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(dst, name, len);	/* dst is zeroed: stays NUL-terminated */
	return 0;
}

/* MBOX_SEND_ONLY / MBOX_RECV_ONLY -> MAILBOX_ACCESS_*; 0 if both given. */
static unsigned int flags_to_access(int flags)
{
	switch (flags & (MBOX_SEND_ONLY | MBOX_RECV_ONLY)) {
	case MBOX_SEND_ONLY:
		return MAILBOX_ACCESS_SEND;
	case MBOX_RECV_ONLY:
		return MAILBOX_ACCESS_RECV;
	case 0:
		return MAILBOX_ACCESS_ALL;
	default:
		return 0;
	}
}

/* A fresh descriptor on /dev/mailbox, or -errno. */
static int open_device(int flags)
{
	int oflags = O_RDWR | O_CLOEXEC;
	int fd;

	if (flags & MBOX_NONBLOCK)
		oflags |= O_NONBLOCK;
	fd = open(MBOX_DEVICE, oflags);
	return fd < 0 ? -errno : fd;
}

/* Run ioctl @cmd on a fresh descriptor; on success return that descriptor. */
static int bind_new(int flags, unsigned long cmd, void *arg, int *result)
{
	int fd = open_device(flags);
	int ret;

	if (fd < 0)
		return fd;
	ret = mbox_ioctl(fd, cmd, arg);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if (result)
		*result = ret;
	return fd;
}

/* struct timespec -> deadline_ns; -EINVAL if not a valid time. */
static int timespec_to_ns(const struct timespec *ts, __u64 *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	/* Past what the kernel accepts (INT64_MAX ns, 292 years): clamp. */
	if ((uint64_t)ts->tv_sec >= (uint64_t)(INT64_MAX / NSEC_PER_SEC)) {
		*ns = INT64_MAX;
		return 0;
	}
	*ns = (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
	return 0;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
}

MBOX_EXPORT
int mbox_createx(const char *name, int flags, const struct mbox_attr *attr,
		 int *created)
{
	static const struct mbox_attr defaults = MBOX_ATTR_INIT;
	struct mailbox_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = copy_name(c.name, name);
	if (ret)
		return ret;
	if (flags & ~CREATE_FLAGS)
		return -EINVAL;
	c.access = flags_to_access(flags);
	if (!c.access)
		return -EINVAL;
	if (!attr)
		attr = &defaults;
	if (attr->mode & ~0777U || !attr->msg_size_max)
		return -EINVAL;
	if (flags & MBOX_EXCL)
		c.flags |= MAILBOX_CREATE_EXCL;
	if (flags & MBOX_OWNED)
		c.flags |= MAILBOX_CREATE_OWNED;
	c.mode = attr->mode;
	c.capacity = attr->capacity;
	c.msg_size_max = attr->msg_size_max;
	return bind_new(flags, MAILBOX_IOC_CREATE, &c, created);
}

MBOX_EXPORT
int mbox_create(const char *name, int flags, const struct mbox_attr *attr)
{
	return mbox_createx(name, flags, attr, NULL);
}

MBOX_EXPORT
int mbox_open(const char *name, int flags)
{
	struct mailbox_open o;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = copy_name(o.name, name);
	if (ret)
		return ret;
	if (flags & ~OPEN_FLAGS)
		return -EINVAL;
	o.access = flags_to_access(flags);
	if (!o.access)
		return -EINVAL;
	return bind_new(flags, MAILBOX_IOC_OPEN, &o, NULL);
}

MBOX_EXPORT
int mbox_unlink(const char *name)
{
	struct mailbox_unlink u;
	int fd, ret;

	memset(&u, 0, sizeof(u));
	ret = copy_name(u.name, name);
	if (ret)
		return ret;
	fd = open_device(0);
	if (fd < 0)
		return fd;
	ret = mbox_ioctl(fd, MAILBOX_IOC_UNLINK, &u);
	close(fd);
	return ret < 0 ? ret : 0;
}

MBOX_EXPORT
int mbox_close(int fd)
{
	if (close(fd) == 0 || errno == EINTR)
		return 0;
	return -errno;
}

MBOX_EXPORT
int mbox_sendx(int fd, const void *buf, size_t len, unsigned int flags,
	       const struct timespec *deadline, pid_t *receiver)
{
	struct mailbox_send s;
	int ret;

	if (flags & ~(MBOX_F_NONBLOCK | MBOX_F_WAIT))
		return -EINVAL;
	if (len > UINT32_MAX)
		return -EMSGSIZE;
	memset(&s, 0, sizeof(s));
	s.buf = (uint64_t)(uintptr_t)buf;
	s.len = (uint32_t)len;
	if (flags & MBOX_F_NONBLOCK)
		s.flags |= MAILBOX_NONBLOCK;
	if (flags & MBOX_F_WAIT)
		s.flags |= MAILBOX_SEND_WAIT;
	if (deadline) {
		if (flags & MBOX_F_NONBLOCK)
			return -EINVAL;
		ret = timespec_to_ns(deadline, &s.deadline_ns);
		if (ret)
			return ret;
		s.flags |= MAILBOX_DEADLINE;
	}
	ret = mbox_ioctl(fd, MAILBOX_IOC_SEND, &s);
	if (ret < 0)
		return ret;
	if (receiver)
		*receiver = s.receiver_pid;
	return 0;
}

MBOX_EXPORT
int mbox_send(int fd, const void *buf, size_t len)
{
	return mbox_sendx(fd, buf, len, 0, NULL, NULL);
}

MBOX_EXPORT
int mbox_trysend(int fd, const void *buf, size_t len)
{
	return mbox_sendx(fd, buf, len, MBOX_F_NONBLOCK, NULL, NULL);
}

MBOX_EXPORT
int mbox_timedsend(int fd, const void *buf, size_t len,
		   const struct timespec *abs_deadline)
{
	return mbox_sendx(fd, buf, len, 0, abs_deadline, NULL);
}

MBOX_EXPORT
int mbox_send_wait(int fd, const void *buf, size_t len, pid_t *receiver)
{
	return mbox_sendx(fd, buf, len, MBOX_F_WAIT, NULL, receiver);
}

MBOX_EXPORT
ssize_t mbox_receivex(int fd, void *buf, size_t size, unsigned int flags,
		      const struct timespec *deadline,
		      struct mbox_msginfo *info)
{
	struct mailbox_recv r;
	int ret;

	memset(&r, 0, sizeof(r));
	if (flags == MBOX_F_PEEK) {
		if (deadline)
			return -EINVAL;
		r.flags = MAILBOX_RECV_PEEK;	/* buf and size stay 0 */
	} else {
		if (flags & ~MBOX_F_NONBLOCK)
			return -EINVAL;
		r.buf = (uint64_t)(uintptr_t)buf;
		r.size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
		if (flags & MBOX_F_NONBLOCK)
			r.flags |= MAILBOX_NONBLOCK;
		if (deadline) {
			if (flags & MBOX_F_NONBLOCK)
				return -EINVAL;
			ret = timespec_to_ns(deadline, &r.deadline_ns);
			if (ret)
				return ret;
			r.flags |= MAILBOX_DEADLINE;
		}
	}
	ret = mbox_ioctl(fd, MAILBOX_IOC_RECV, &r);
	if (ret < 0) {
		if (ret == -EMSGSIZE && info)
			info->len = r.len;
		return ret;
	}
	if (info) {
		info->len = r.len;
		info->sender_pid = r.sender_pid;
		info->sender_uid = r.sender_uid;
		ns_to_timespec(r.send_time_ns, &info->send_time);
	}
	/* PEEK returns 0 from the ioctl; the length is in r.len. */
	return (ssize_t)r.len;
}

MBOX_EXPORT
ssize_t mbox_receive(int fd, void *buf, size_t size, struct mbox_msginfo *info)
{
	return mbox_receivex(fd, buf, size, 0, NULL, info);
}

MBOX_EXPORT
ssize_t mbox_tryreceive(int fd, void *buf, size_t size,
			struct mbox_msginfo *info)
{
	return mbox_receivex(fd, buf, size, MBOX_F_NONBLOCK, NULL, info);
}

MBOX_EXPORT
ssize_t mbox_timedreceive(int fd, void *buf, size_t size,
			  struct mbox_msginfo *info,
			  const struct timespec *abs_deadline)
{
	return mbox_receivex(fd, buf, size, 0, abs_deadline, info);
}

MBOX_EXPORT
ssize_t mbox_next_size(int fd)
{
	return mbox_receivex(fd, NULL, 0, MBOX_F_PEEK, NULL, NULL);
}

MBOX_EXPORT
int mbox_stat(int fd, struct mbox_stat *st)
{
	struct mailbox_info mi;
	int ret;

	if (!st)
		return -EINVAL;
	memset(&mi, 0, sizeof(mi));
	ret = mbox_ioctl(fd, MAILBOX_IOC_STAT, &mi);
	if (ret < 0)
		return ret;
	memset(st, 0, sizeof(*st));
	memcpy(st->name, mi.name, sizeof(st->name) - 1);
	st->state = mi.state;
	st->mode = mi.mode;
	st->uid = mi.uid;
	st->gid = mi.gid;
	st->capacity = mi.capacity;
	st->msg_size_max = mi.msg_size_max;
	st->depth = mi.depth;
	st->next_len = mi.next_len;
	st->bytes = mi.bytes;
	st->receivers_waiting = mi.receivers_waiting;
	st->senders_waiting = mi.senders_waiting;
	st->access = mi.access;
	st->flags = (mi.flags & MAILBOX_CREATE_OWNED) ? MBOX_STAT_OWNED : 0;
	st->sent = mi.sent;
	st->received = mi.received;
	st->send_blocked = mi.send_blocked;
	st->recv_blocked = mi.recv_blocked;
	return 0;
}

MBOX_EXPORT
int mbox_deadline_after(struct timespec *ts, long ms)
{
	/* Largest time_t, whether it has 32 or 64 bits. */
	const int64_t time_max = sizeof(time_t) == 4 ? INT32_MAX : INT64_MAX;
	struct timespec now;
	int64_t sec;
	long nsec;

	if (!ts || ms < 0)
		return -EINVAL;
	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return -errno;
	sec = (int64_t)(ms / 1000);
	nsec = now.tv_nsec + (ms % 1000) * 1000000L;
	if (nsec >= NSEC_PER_SEC) {
		nsec -= NSEC_PER_SEC;
		sec++;
	}
	if (sec > time_max - (int64_t)now.tv_sec)
		return -EOVERFLOW;
	ts->tv_sec = (time_t)(now.tv_sec + sec);
	ts->tv_nsec = nsec;
	return 0;
}
