// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox: thin wrappers around the /dev/mailbox ioctls.
 *
 * Every function returns >= 0 or -errno, never prints and keeps no state.
 * The contract the wrappers follow is kmod/uapi/linux/kmailbox.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/kmailbox.h>

#include "mailbox.h"

/* Built with -fvisibility=hidden: only what is marked here is exported. */
#define MBOX_EXPORT __attribute__((visibility("default")))

/*
 * Calls whose structures grew in LIBMAILBOX_1.1 exist twice: the C
 * function impl is exported as sym@@LIBMAILBOX_1.1 (the default new
 * programs link against) and impl_v10 as sym@LIBMAILBOX_1.0, with the 1.0
 * layouts, for programs built against the 1.0 header. Both names appear in
 * both nodes of libmailbox.map.
 */
#define MBOX_SYMVER(impl, sym, node) \
	__asm__(".symver " #impl ", " #sym "@" #node)
#define MBOX_SYMVER_DEFAULT(impl, sym, node) \
	__asm__(".symver " #impl ", " #sym "@@" #node)

#define NSEC_PER_SEC 1000000000LL

_Static_assert(MBOX_NAME_MAX + 1 == MAILBOX_NAME_LEN, "name length");
_Static_assert(MBOX_STATE_LINKED == MAILBOX_STATE_LINKED &&
	       MBOX_STATE_UNLINKED == MAILBOX_STATE_UNLINKED &&
	       MBOX_STATE_DEAD == MAILBOX_STATE_DEAD, "state values");
_Static_assert(MBOX_ACCESS_SEND == MAILBOX_ACCESS_SEND &&
	       MBOX_ACCESS_RECV == MAILBOX_ACCESS_RECV, "access values");
_Static_assert(MBOX_DELIVER_QUEUE == MAILBOX_DELIVER_QUEUE &&
	       MBOX_DELIVER_PRIORITY == MAILBOX_DELIVER_PRIORITY &&
	       MBOX_DELIVER_BROADCAST == MAILBOX_DELIVER_BROADCAST,
	       "delivery values");
_Static_assert(MBOX_PRIO_MAX == MAILBOX_PRIO_MAX, "priority range");
_Static_assert(MBOX_POLICY_ANY == MAILBOX_POLICY_ANY &&
	       MBOX_POLICY_UID == MAILBOX_POLICY_UID &&
	       MBOX_POLICY_LIST == MAILBOX_POLICY_LIST &&
	       MBOX_POLICY_LIST_MAX == MAILBOX_POLICY_LIST_MAX, "policies");
/* Policy pid lists are passed to the kernel as they are: __s32 each. */
_Static_assert(sizeof(pid_t) == sizeof(__s32), "pid_t is 32-bit");

#define OPEN_FLAGS	(MBOX_SEND_ONLY | MBOX_RECV_ONLY | MBOX_NONBLOCK | \
			 MBOX_CLOEXEC)
#define CREATE_FLAGS	(OPEN_FLAGS | MBOX_EXCL | MBOX_OWNED | MBOX_MAPPED)

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

/*
 * What create and open check first: copy @name into @dst, refuse flags
 * outside @allowed, and set *@access from them. 0 or -errno.
 */
static int name_and_access(char dst[MAILBOX_NAME_LEN], __u32 *access,
			   const char *name, int flags, int allowed)
{
	int ret = copy_name(dst, name);

	if (ret)
		return ret;
	if (flags & ~allowed)
		return -EINVAL;
	*access = flags_to_access(flags);
	return *access ? 0 : -EINVAL;
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

/* A receive buffer's size as the kernel takes it: past 4 GiB, 4 GiB. */
static __u32 buffer_size(size_t size)
{
	return size > UINT32_MAX ? UINT32_MAX : (__u32)size;
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

/* LIBMAILBOX_1.0 layouts: each is the head of its 1.1 structure. */
struct mbox_attr_v10 {
	unsigned int capacity;
	unsigned int msg_size_max;
	unsigned int mode;
};
#define MSGINFO_V10_SIZE	offsetof(struct mbox_msginfo, priority)
#define STAT_V10_SIZE		offsetof(struct mbox_stat, delivery)
_Static_assert(offsetof(struct mbox_attr, delivery) ==
	       sizeof(struct mbox_attr_v10), "1.0 attr layout");

__typeof__(mbox_createx) mbox_createx_v11;
MBOX_SYMVER_DEFAULT(mbox_createx_v11, mbox_createx, LIBMAILBOX_1.1);
MBOX_EXPORT
int mbox_createx_v11(const char *name, int flags, const struct mbox_attr *attr,
		     int *created)
{
	static const struct mbox_attr defaults = MBOX_ATTR_INIT;
	struct mailbox_create c;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = name_and_access(c.name, &c.access, name, flags, CREATE_FLAGS);
	if (ret)
		return ret;
	if (!attr)
		attr = &defaults;
	if (attr->mode & ~0777U || !attr->msg_size_max ||
	    attr->delivery > MBOX_DELIVER_BROADCAST)
		return -EINVAL;
	if (flags & MBOX_EXCL)
		c.flags |= MAILBOX_CREATE_EXCL;
	if (flags & MBOX_OWNED)
		c.flags |= MAILBOX_CREATE_OWNED;
	if (flags & MBOX_MAPPED)
		c.flags |= MAILBOX_CREATE_MAPPED;
	c.mode = attr->mode;
	c.capacity = attr->capacity;
	c.msg_size_max = attr->msg_size_max;
	c.delivery = attr->delivery;
	return bind_new(flags, MAILBOX_IOC_CREATE, &c, created);
}

__typeof__(mbox_create) mbox_create_v11;
MBOX_SYMVER_DEFAULT(mbox_create_v11, mbox_create, LIBMAILBOX_1.1);
MBOX_EXPORT
int mbox_create_v11(const char *name, int flags, const struct mbox_attr *attr)
{
	return mbox_createx_v11(name, flags, attr, NULL);
}

int mbox_createx_v10(const char *name, int flags,
		     const struct mbox_attr_v10 *attr, int *created);
MBOX_SYMVER(mbox_createx_v10, mbox_createx, LIBMAILBOX_1.0);
MBOX_EXPORT
int mbox_createx_v10(const char *name, int flags,
		     const struct mbox_attr_v10 *attr, int *created)
{
	struct mbox_attr a = MBOX_ATTR_INIT;

	if (attr) {
		a.capacity = attr->capacity;
		a.msg_size_max = attr->msg_size_max;
		a.mode = attr->mode;
	}
	return mbox_createx_v11(name, flags, &a, created);
}

int mbox_create_v10(const char *name, int flags,
		    const struct mbox_attr_v10 *attr);
MBOX_SYMVER(mbox_create_v10, mbox_create, LIBMAILBOX_1.0);
MBOX_EXPORT
int mbox_create_v10(const char *name, int flags,
		    const struct mbox_attr_v10 *attr)
{
	return mbox_createx_v10(name, flags, attr, NULL);
}

MBOX_EXPORT
int mbox_open(const char *name, int flags)
{
	struct mailbox_open o;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = name_and_access(o.name, &o.access, name, flags, OPEN_FLAGS);
	if (ret)
		return ret;
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

/*
 * Every send: check the arguments and fill @s for MAILBOX_IOC_SEND (@to_pid
 * 0) or MAILBOX_IOC_SEND_TO. 0 or -errno.
 */
static int fill_send(struct mailbox_send *s, pid_t to_pid, const void *buf,
		     size_t len, unsigned int prio, unsigned int flags,
		     const struct timespec *deadline)
{
	int ret;

	memset(s, 0, sizeof(*s));
	if (flags & ~(MBOX_F_NONBLOCK | MBOX_F_WAIT))
		return -EINVAL;
	if (prio > MBOX_PRIO_MAX)
		return -EINVAL;
	if (len > UINT32_MAX)
		return -EMSGSIZE;
	s->buf = (uint64_t)(uintptr_t)buf;
	s->len = (uint32_t)len;
	s->priority = prio;
	s->to_pid = to_pid;
	if (flags & MBOX_F_NONBLOCK)
		s->flags |= MAILBOX_NONBLOCK;
	if (flags & MBOX_F_WAIT)
		s->flags |= MAILBOX_SEND_WAIT;
	if (deadline) {
		if (flags & MBOX_F_NONBLOCK)
			return -EINVAL;
		ret = timespec_to_ns(deadline, &s->deadline_ns);
		if (ret)
			return ret;
		s->flags |= MAILBOX_DEADLINE;
	}
	return 0;
}

/* fill_send() and MAILBOX_IOC_SEND; @s has the out fields afterwards. */
static int send_common(int fd, const void *buf, size_t len, unsigned int prio,
		       unsigned int flags, const struct timespec *deadline,
		       struct mailbox_send *s)
{
	int ret = fill_send(s, 0, buf, len, prio, flags, deadline);

	if (ret == 0)
		ret = mbox_ioctl(fd, MAILBOX_IOC_SEND, s);
	return ret < 0 ? ret : 0;
}

MBOX_EXPORT
int mbox_sendx(int fd, const void *buf, size_t len, unsigned int flags,
	       const struct timespec *deadline, pid_t *receiver)
{
	struct mailbox_send s;
	int ret;

	ret = send_common(fd, buf, len, 0, flags, deadline, &s);
	if (ret == 0 && receiver)
		*receiver = s.receiver_pid;
	return ret;
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
int mbox_send_priox(int fd, const void *buf, size_t len, unsigned int prio,
		    unsigned int flags, const struct timespec *deadline,
		    unsigned int *receivers)
{
	struct mailbox_send s;
	int ret;

	ret = send_common(fd, buf, len, prio, flags, deadline, &s);
	if (ret == 0 && receivers)
		*receivers = s.receivers;
	return ret;
}

MBOX_EXPORT
int mbox_send_prio(int fd, const void *buf, size_t len, unsigned int prio)
{
	return mbox_send_priox(fd, buf, len, prio, 0, NULL, NULL);
}

MBOX_EXPORT
int mbox_send_tox(int fd, pid_t pid, const void *buf, size_t len,
		  unsigned int prio, unsigned int flags,
		  const struct timespec *deadline, pid_t *receiver)
{
	struct mailbox_send s;
	int dev = fd, ret;

	if (pid <= 0)
		return -EINVAL;
	ret = fill_send(&s, pid, buf, len, prio, flags, deadline);
	if (ret)
		return ret;
	if (fd == MBOX_ANY_FD) {
		dev = open_device(0);
		if (dev < 0)
			return dev;
	}
	ret = mbox_ioctl(dev, MAILBOX_IOC_SEND_TO, &s);
	if (dev != fd)
		close(dev);
	if (ret < 0)
		return ret;
	if (receiver)
		*receiver = s.receiver_pid;
	return 0;
}

MBOX_EXPORT
int mbox_send_to(int fd, pid_t pid, const void *buf, size_t len)
{
	return mbox_send_tox(fd, pid, buf, len, 0, 0, NULL, NULL);
}

/*
 * Every receive: fill struct mailbox_recv (from @from_pid, 0 for anyone),
 * run MAILBOX_IOC_RECV and fill @info (the 1.1 layout; NULL: not wanted).
 * The message's length or -errno; on -EMSGSIZE @info->len is the length.
 */
static ssize_t recv_common(int fd, pid_t from_pid, void *buf, size_t size,
			   unsigned int flags, const struct timespec *deadline,
			   struct mbox_msginfo *info)
{
	struct mailbox_recv r;
	int ret;

	if (from_pid < 0)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.from_pid = from_pid;
	if (flags == MBOX_F_PEEK) {
		if (deadline)
			return -EINVAL;
		r.flags = MAILBOX_RECV_PEEK;	/* buf and size stay 0 */
	} else {
		if (flags & ~MBOX_F_NONBLOCK)
			return -EINVAL;
		r.buf = (uint64_t)(uintptr_t)buf;
		r.size = buffer_size(size);
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
		info->priority = r.priority;
	}
	/* PEEK returns 0 from the ioctl; the length is in r.len. */
	return (ssize_t)r.len;
}

/* recv_common() for a caller with the LIBMAILBOX_1.0 struct mbox_msginfo. */
static ssize_t recv_v10(int fd, void *buf, size_t size, unsigned int flags,
			const struct timespec *deadline, void *info_v10)
{
	struct mbox_msginfo info;
	ssize_t ret;

	memset(&info, 0, sizeof(info));
	ret = recv_common(fd, 0, buf, size, flags, deadline,
			  info_v10 ? &info : NULL);
	if (info_v10)
		memcpy(info_v10, &info, MSGINFO_V10_SIZE);
	return ret;
}

__typeof__(mbox_receivex) mbox_receivex_v11;
MBOX_SYMVER_DEFAULT(mbox_receivex_v11, mbox_receivex, LIBMAILBOX_1.1);
MBOX_EXPORT
ssize_t mbox_receivex_v11(int fd, void *buf, size_t size, unsigned int flags,
			  const struct timespec *deadline,
			  struct mbox_msginfo *info)
{
	return recv_common(fd, 0, buf, size, flags, deadline, info);
}

__typeof__(mbox_receive) mbox_receive_v11;
MBOX_SYMVER_DEFAULT(mbox_receive_v11, mbox_receive, LIBMAILBOX_1.1);
MBOX_EXPORT
ssize_t mbox_receive_v11(int fd, void *buf, size_t size,
			 struct mbox_msginfo *info)
{
	return recv_common(fd, 0, buf, size, 0, NULL, info);
}

__typeof__(mbox_tryreceive) mbox_tryreceive_v11;
MBOX_SYMVER_DEFAULT(mbox_tryreceive_v11, mbox_tryreceive, LIBMAILBOX_1.1);
MBOX_EXPORT
ssize_t mbox_tryreceive_v11(int fd, void *buf, size_t size,
			    struct mbox_msginfo *info)
{
	return recv_common(fd, 0, buf, size, MBOX_F_NONBLOCK, NULL, info);
}

__typeof__(mbox_timedreceive) mbox_timedreceive_v11;
MBOX_SYMVER_DEFAULT(mbox_timedreceive_v11, mbox_timedreceive, LIBMAILBOX_1.1);
MBOX_EXPORT
ssize_t mbox_timedreceive_v11(int fd, void *buf, size_t size,
			      struct mbox_msginfo *info,
			      const struct timespec *abs_deadline)
{
	return recv_common(fd, 0, buf, size, 0, abs_deadline, info);
}

ssize_t mbox_receivex_v10(int fd, void *buf, size_t size, unsigned int flags,
			  const struct timespec *deadline, void *info);
MBOX_SYMVER(mbox_receivex_v10, mbox_receivex, LIBMAILBOX_1.0);
MBOX_EXPORT
ssize_t mbox_receivex_v10(int fd, void *buf, size_t size, unsigned int flags,
			  const struct timespec *deadline, void *info)
{
	return recv_v10(fd, buf, size, flags, deadline, info);
}

ssize_t mbox_receive_v10(int fd, void *buf, size_t size, void *info);
MBOX_SYMVER(mbox_receive_v10, mbox_receive, LIBMAILBOX_1.0);
MBOX_EXPORT
ssize_t mbox_receive_v10(int fd, void *buf, size_t size, void *info)
{
	return recv_v10(fd, buf, size, 0, NULL, info);
}

ssize_t mbox_tryreceive_v10(int fd, void *buf, size_t size, void *info);
MBOX_SYMVER(mbox_tryreceive_v10, mbox_tryreceive, LIBMAILBOX_1.0);
MBOX_EXPORT
ssize_t mbox_tryreceive_v10(int fd, void *buf, size_t size, void *info)
{
	return recv_v10(fd, buf, size, MBOX_F_NONBLOCK, NULL, info);
}

ssize_t mbox_timedreceive_v10(int fd, void *buf, size_t size, void *info,
			      const struct timespec *abs_deadline);
MBOX_SYMVER(mbox_timedreceive_v10, mbox_timedreceive, LIBMAILBOX_1.0);
MBOX_EXPORT
ssize_t mbox_timedreceive_v10(int fd, void *buf, size_t size, void *info,
			      const struct timespec *abs_deadline)
{
	return recv_v10(fd, buf, size, 0, abs_deadline, info);
}

MBOX_EXPORT
ssize_t mbox_receive_fromx(int fd, pid_t pid, void *buf, size_t size,
			   unsigned int flags, const struct timespec *deadline,
			   struct mbox_msginfo *info)
{
	return recv_common(fd, pid, buf, size, flags, deadline, info);
}

MBOX_EXPORT
ssize_t mbox_receive_from(int fd, pid_t pid, void *buf, size_t size,
			  struct mbox_msginfo *info)
{
	return recv_common(fd, pid, buf, size, 0, NULL, info);
}

MBOX_EXPORT
ssize_t mbox_next_size(int fd)
{
	return recv_common(fd, 0, NULL, 0, MBOX_F_PEEK, NULL, NULL);
}

MBOX_EXPORT
int mbox_set_recv_priority(int fd, unsigned int prio)
{
	struct mailbox_recv_prio rp;
	int ret;

	if (prio > MBOX_PRIO_MAX)
		return -EINVAL;
	memset(&rp, 0, sizeof(rp));
	rp.priority = prio;
	ret = mbox_ioctl(fd, MAILBOX_IOC_SET_RECV_PRIO, &rp);
	return ret < 0 ? ret : 0;
}

/* Check a policy and its pid list, and fill the uapi fields. */
static int fill_policy(unsigned int policy, const pid_t *pids, size_t n,
		       __u32 *upolicy, __u32 *ucount, __u64 *upids)
{
	switch (policy) {
	case MBOX_POLICY_ANY:
	case MBOX_POLICY_UID:
		if (n)
			return -EINVAL;
		break;
	case MBOX_POLICY_LIST:
		if (!pids || n == 0 || n > MBOX_POLICY_LIST_MAX)
			return -EINVAL;
		*ucount = (__u32)n;
		*upids = (uint64_t)(uintptr_t)pids;
		break;
	default:
		return -EINVAL;
	}
	*upolicy = policy;
	return 0;
}

MBOX_EXPORT
int mbox_direct_open(const struct mbox_direct_attr *attr, int flags)
{
	static const struct mbox_direct_attr defaults = MBOX_DIRECT_ATTR_INIT;
	struct mailbox_direct d;
	int ret;

	if (flags & ~(MBOX_NONBLOCK | MBOX_CLOEXEC))
		return -EINVAL;
	if (!attr)
		attr = &defaults;
	if (!attr->msg_size_max || attr->delivery > MBOX_DELIVER_PRIORITY)
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	ret = fill_policy(attr->policy, attr->pids, attr->npids, &d.policy,
			  &d.count, &d.pids);
	if (ret)
		return ret;
	d.capacity = attr->capacity;
	d.msg_size_max = attr->msg_size_max;
	d.delivery = attr->delivery;
	return bind_new(flags, MAILBOX_IOC_OPEN_DIRECT, &d, NULL);
}

MBOX_EXPORT
int mbox_direct_policy(int fd, unsigned int policy, const pid_t *pids,
		       size_t n)
{
	struct mailbox_policy p;
	int ret;

	memset(&p, 0, sizeof(p));
	ret = fill_policy(policy, pids, n, &p.policy, &p.count, &p.pids);
	if (ret)
		return ret;
	ret = mbox_ioctl(fd, MAILBOX_IOC_SET_POLICY, &p);
	return ret < 0 ? ret : 0;
}

/* struct mbox_stat from the kernel's struct mailbox_info (STAT, LIST). */
static void info_to_stat(const struct mailbox_info *mi, struct mbox_stat *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->name, mi->name, sizeof(st->name) - 1);
	st->state = mi->state;
	st->mode = mi->mode;
	st->uid = mi->uid;
	st->gid = mi->gid;
	st->capacity = mi->capacity;
	st->msg_size_max = mi->msg_size_max;
	st->depth = mi->depth;
	st->next_len = mi->next_len;
	st->bytes = mi->bytes;
	st->receivers_waiting = mi->receivers_waiting;
	st->senders_waiting = mi->senders_waiting;
	st->access = mi->access;
	if (mi->flags & MAILBOX_CREATE_OWNED)
		st->flags |= MBOX_STAT_OWNED;
	if (mi->flags & MAILBOX_INFO_DIRECT)
		st->flags |= MBOX_STAT_DIRECT;
	if (mi->flags & MAILBOX_INFO_MAPPED)
		st->flags |= MBOX_STAT_MAPPED;
	st->sent = mi->sent;
	st->received = mi->received;
	st->send_blocked = mi->send_blocked;
	st->recv_blocked = mi->recv_blocked;
	st->delivery = mi->delivery;
	st->recv_priority = mi->recv_priority;
	st->backlog = mi->backlog;
	st->subscribers = mi->subscribers;
	st->owner_pid = mi->owner_pid;
}

__typeof__(mbox_stat) mbox_stat_v11;
MBOX_SYMVER_DEFAULT(mbox_stat_v11, mbox_stat, LIBMAILBOX_1.1);
MBOX_EXPORT
int mbox_stat_v11(int fd, struct mbox_stat *st)
{
	struct mailbox_info mi;
	int ret;

	if (!st)
		return -EINVAL;
	memset(&mi, 0, sizeof(mi));
	ret = mbox_ioctl(fd, MAILBOX_IOC_STAT, &mi);
	if (ret < 0)
		return ret;
	info_to_stat(&mi, st);
	return 0;
}

int mbox_stat_v10(int fd, void *st);
MBOX_SYMVER(mbox_stat_v10, mbox_stat, LIBMAILBOX_1.0);
MBOX_EXPORT
int mbox_stat_v10(int fd, void *st)
{
	struct mbox_stat full;
	int ret;

	if (!st)
		return -EINVAL;
	ret = mbox_stat_v11(fd, &full);
	if (ret == 0)
		memcpy(st, &full, STAT_V10_SIZE);
	return ret;
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

MBOX_EXPORT
const char *mbox_version(void)
{
	return KMAILBOX_VERSION;
}

MBOX_EXPORT
int mbox_module_version(struct mbox_version *v)
{
	struct mailbox_version kv;
	int fd, ret;

	if (!v)
		return -EINVAL;
	fd = open_device(0);
	if (fd < 0)
		return fd;
	memset(&kv, 0, sizeof(kv));
	ret = mbox_ioctl(fd, MAILBOX_IOC_VERSION, &kv);
	close(fd);
	if (ret < 0)
		return ret;
	v->major = kv.major;
	v->minor = kv.minor;
	v->patch = kv.patch;
	v->ioctls = kv.ioctls;
	return 0;
}

/*
 * Entries per MAILBOX_IOC_*_BATCH call (on the stack, 3.5 and 4.5 KiB), and
 * per MAILBOX_IOC_SENDV or RECVV call (1 KiB).
 */
#define BATCH_CHUNK	64

/*
 * The flags and deadline of the first entry of a batch: as the caller
 * asked for the first chunk, non-blocking for the others. 0 or -errno.
 */
static int batch_wait(unsigned int flags, const struct timespec *deadline,
		      bool first, __u32 *kflags, __u64 *deadline_ns)
{
	if (flags & ~MBOX_F_NONBLOCK)
		return -EINVAL;
	if (!first || (flags & MBOX_F_NONBLOCK)) {
		if (deadline)
			return -EINVAL;
		*kflags = MAILBOX_NONBLOCK;
		return 0;
	}
	if (!deadline)
		return 0;
	*kflags = MAILBOX_DEADLINE;
	return timespec_to_ns(deadline, deadline_ns);
}

/*
 * Run one MAILBOX_IOC_*_BATCH of @count entries at @msgs, @done entries of
 * the caller's batch being done already: the first entry's flags and
 * deadline (*@kflags, *@deadline_ns) as batch_wait() says. Returns the
 * entries done now (the error that ended the batch is dropped: the next
 * call meets it again), or -errno when none was: the caller's return value
 * then, unless @done says some were.
 */
static int batch_ioctl(int fd, unsigned long cmd, void *msgs,
		       unsigned int count, unsigned int done,
		       unsigned int flags, const struct timespec *deadline,
		       __u32 *kflags, __u64 *deadline_ns)
{
	struct mailbox_batch b;
	int ret;

	ret = batch_wait(flags, deadline, !done, kflags, deadline_ns);
	if (ret)
		return ret;
	memset(&b, 0, sizeof(b));
	b.msgs = (uint64_t)(uintptr_t)msgs;
	b.count = count;
	return mbox_ioctl(fd, cmd, &b);
}

/* Entries in the next chunk of a batch of @n of which @done are done. */
static unsigned int batch_count(unsigned int n, unsigned int done)
{
	return n - done < BATCH_CHUNK ? n - done : BATCH_CHUNK;
}

static int send_batch_old(int fd, const struct mbox_vec *vec, unsigned int n,
		    unsigned int flags, const struct timespec *deadline)
{
	struct mailbox_send s[BATCH_CHUNK];
	unsigned int done = 0, count, i;
	int ret;

	if (!vec || !n || n > INT_MAX)
		return -EINVAL;
	while (done < n) {
		count = batch_count(n, done);
		memset(s, 0, count * sizeof(s[0]));
		for (i = 0; i < count; i++) {
			/* Too long for any mailbox: the batch ends before it. */
			if (vec[done + i].len > UINT32_MAX)
				break;
			s[i].buf = (uint64_t)(uintptr_t)vec[done + i].buf;
			s[i].len = (uint32_t)vec[done + i].len;
		}
		if (!i)
			return done ? (int)done : -EMSGSIZE;
		if (i < count) {
			/* Send those before it; the next call reports it. */
			count = i;
			n = done + i;
		}
		ret = batch_ioctl(fd, MAILBOX_IOC_SEND_BATCH, s, count, done,
				  flags, deadline, &s[0].flags, &s[0].deadline_ns);
		if (ret < 0)
			return done ? (int)done : ret;
		done += (unsigned int)ret;
		if ((unsigned int)ret < count)
			break;
	}
	return (int)done;
}

static int receive_batch_old(int fd, struct mbox_vec *vec, unsigned int n,
		       unsigned int flags, const struct timespec *deadline)
{
	struct mailbox_recv r[BATCH_CHUNK];
	unsigned int done = 0, count, i;
	int ret;

	if (!vec || !n || n > INT_MAX)
		return -EINVAL;
	while (done < n) {
		count = batch_count(n, done);
		memset(r, 0, count * sizeof(r[0]));
		for (i = 0; i < count; i++) {
			r[i].buf = (uint64_t)(uintptr_t)vec[done + i].buf;
			r[i].size = buffer_size(vec[done + i].len);
		}
		ret = batch_ioctl(fd, MAILBOX_IOC_RECV_BATCH, r, count, done,
				  flags, deadline, &r[0].flags, &r[0].deadline_ns);
		if (ret == -EMSGSIZE && !done)
			vec[0].len = r[0].len;
		if (ret < 0)
			return done ? (int)done : ret;
		for (i = 0; i < (unsigned int)ret; i++)
			vec[done + i].len = r[i].len;
		done += (unsigned int)ret;
		if ((unsigned int)ret < count)
			break;
	}
	return (int)done;
}

/*
 * Whether the module has MAILBOX_IOC_SENDV and MAILBOX_IOC_RECVV: 0 not
 * known yet, 1 yes, -1 no (it answered -ENOTTY: older than 1.4).
 */
static int vec_ioctls;

/*
 * Run one MAILBOX_IOC_SENDV or RECVV of @count entries at @e, @done
 * entries of the caller's batch being done already; as batch_ioctl().
 * -ENOTTY when the module has no vectored calls.
 */
static int vec_ioctl(int fd, unsigned long cmd, struct mailbox_vec_entry *e,
		     unsigned int count, unsigned int done, unsigned int flags,
		     const struct timespec *deadline)
{
	struct mailbox_vec v;
	int ret;

	memset(&v, 0, sizeof(v));
	ret = batch_wait(flags, deadline, !done, &v.flags, &v.deadline_ns);
	if (ret)
		return ret;
	v.vec = (uint64_t)(uintptr_t)e;
	v.count = count;
	ret = mbox_ioctl(fd, cmd, &v);
	if (ret == -ENOTTY)
		__atomic_store_n(&vec_ioctls, -1, __ATOMIC_RELAXED);
	else if (ret != -EOPNOTSUPP)
		__atomic_store_n(&vec_ioctls, 1, __ATOMIC_RELAXED);
	return ret;
}

/*
 * mbox_send_batch() with MAILBOX_IOC_SENDV, @BATCH_CHUNK entries (1 KiB)
 * at a time; -ENOTTY before anything is sent when the module lacks it.
 */
static int send_batch_vec(int fd, const struct mbox_vec *vec, unsigned int n,
			  unsigned int flags, const struct timespec *deadline)
{
	struct mailbox_vec_entry e[BATCH_CHUNK];
	unsigned int done = 0, count, i;
	int ret;

	while (done < n) {
		count = batch_count(n, done);
		for (i = 0; i < count; i++) {
			/* Too long for any mailbox: the batch ends before it. */
			if (vec[done + i].len > UINT32_MAX)
				break;
			e[i].buf = (uint64_t)(uintptr_t)vec[done + i].buf;
			e[i].len = (uint32_t)vec[done + i].len;
			e[i].priority = 0;
		}
		if (!i)
			return done ? (int)done : -EMSGSIZE;
		if (i < count) {
			/* Send those before it; the next call reports it. */
			count = i;
			n = done + i;
		}
		ret = vec_ioctl(fd, MAILBOX_IOC_SENDV, e, count, done, flags,
				deadline);
		if (ret < 0)
			return done ? (int)done : ret;
		done += (unsigned int)ret;
		if ((unsigned int)ret < count)
			break;
	}
	return (int)done;
}

/*
 * mbox_receive_batch() with MAILBOX_IOC_RECVV; -ENOTTY (the module lacks
 * it) or -EOPNOTSUPP (a broadcast mailbox) before anything is received.
 */
static int receive_batch_vec(int fd, struct mbox_vec *vec, unsigned int n,
			     unsigned int flags,
			     const struct timespec *deadline)
{
	struct mailbox_vec_entry e[BATCH_CHUNK];
	unsigned int done = 0, count, i;
	int ret;

	while (done < n) {
		count = batch_count(n, done);
		for (i = 0; i < count; i++) {
			e[i].buf = (uint64_t)(uintptr_t)vec[done + i].buf;
			e[i].len = buffer_size(vec[done + i].len);
			e[i].priority = 0;
		}
		ret = vec_ioctl(fd, MAILBOX_IOC_RECVV, e, count, done, flags,
				deadline);
		if (ret == -EMSGSIZE && !done)
			vec[0].len = e[0].len;
		if (ret < 0)
			return done ? (int)done : ret;
		for (i = 0; i < (unsigned int)ret; i++)
			vec[done + i].len = e[i].len;
		done += (unsigned int)ret;
		if ((unsigned int)ret < count)
			break;
	}
	return (int)done;
}

MBOX_EXPORT
int mbox_send_batch(int fd, const struct mbox_vec *vec, unsigned int n,
		    unsigned int flags, const struct timespec *deadline)
{
	int ret;

	if (!vec || !n || n > INT_MAX)
		return -EINVAL;
	if (__atomic_load_n(&vec_ioctls, __ATOMIC_RELAXED) >= 0) {
		ret = send_batch_vec(fd, vec, n, flags, deadline);
		if (ret != -ENOTTY)
			return ret;
	}
	return send_batch_old(fd, vec, n, flags, deadline);
}

MBOX_EXPORT
int mbox_receive_batch(int fd, struct mbox_vec *vec, unsigned int n,
		       unsigned int flags, const struct timespec *deadline)
{
	int ret;

	if (!vec || !n || n > INT_MAX)
		return -EINVAL;
	if (__atomic_load_n(&vec_ioctls, __ATOMIC_RELAXED) >= 0) {
		ret = receive_batch_vec(fd, vec, n, flags, deadline);
		if (ret != -ENOTTY && ret != -EOPNOTSUPP)
			return ret;
	}
	return receive_batch_old(fd, vec, n, flags, deadline);
}

/* Entries per MAILBOX_IOC_LIST call: on the stack, 2.9 KiB. */
#define LIST_CHUNK	16

MBOX_EXPORT
int mbox_list(const char *name, struct mbox_stat *st, unsigned int n,
	      uint64_t *cursor)
{
	struct mailbox_info mi[LIST_CHUNK];
	struct mailbox_list l;
	unsigned int done = 0, i;
	int fd, ret;

	if (!st && n)
		return -EINVAL;
	memset(&l, 0, sizeof(l));
	if (name && *name) {
		ret = copy_name(l.name, name);
		if (ret)
			return ret;
	}
	if (n > INT_MAX)
		n = INT_MAX;
	l.cursor = cursor ? *cursor : 0;
	fd = open_device(0);
	if (fd < 0)
		return fd;
	do {
		l.entries = (uintptr_t)mi;
		l.count = n - done < LIST_CHUNK ? n - done : LIST_CHUNK;
		ret = mbox_ioctl(fd, MAILBOX_IOC_LIST, &l);
		if (ret < 0)
			break;
		for (i = 0; i < l.count; i++)
			info_to_stat(&mi[i], &st[done + i]);
		done += l.count;
		if (cursor)
			*cursor = l.cursor;
	} while (l.count == LIST_CHUNK && done < n);
	close(fd);
	if (ret < 0)
		return ret;
	if (!n)
		return l.total > INT_MAX ? INT_MAX : (int)l.total;
	return (int)done;
}
