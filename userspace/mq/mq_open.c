// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox-mq: mq_open(), mq_close(), mq_unlink().
 *
 * The queue "/name" is the mailbox "name" of delivery
 * MAILBOX_DELIVER_PRIORITY; mqd_t is a descriptor of /dev/mailbox opened
 * O_CLOEXEC and bound to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "mq_internal.h"

#define OLD_NAME_MAX	(MAILBOX_NAME_LEN - 1)

/*
 * Check a queue name as Linux does: "/" then one component of 1 to
 * NAME_MAX bytes. Sets *comp and *len to the component.
 */
static int check_name(const char *name, const char **comp, size_t *len)
{
	const char *c;
	size_t n;

	if (!name || name[0] != '/')
		return -EINVAL;
	c = name + 1;
	n = strnlen(c, NAME_MAX + 1);
	if (n == 0)
		return -ENOENT;
	if (n > NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(c, '/', n) || !strcmp(c, ".") || !strcmp(c, ".."))
		return -EACCES;
	/* Longer than the old calls take, and the module has no others. */
	if (n > OLD_NAME_MAX && !mq_features()->wide)
		return -ENAMETOOLONG;
	*comp = c;
	*len = n;
	return 0;
}

/* A /proc/sys/fs/mqueue value, or @dflt when it cannot be read. */
static long read_sysctl(const char *file, long dflt)
{
	char path[64];
	FILE *f;
	long v;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", file);
	f = fopen(path, "re");
	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1 || v <= 0)
		v = dflt;
	fclose(f);
	return v;
}

/* Linux's defaults for a NULL attr: min(default, max) of each sysctl. */
static void default_attr(struct mq_attr *a)
{
	long msgs = read_sysctl("msg_default", 10);
	long size = read_sysctl("msgsize_default", 8192);
	long msgs_max = read_sysctl("msg_max", msgs);
	long size_max = read_sysctl("msgsize_max", size);

	a->mq_maxmsg = msgs < msgs_max ? msgs : msgs_max;
	a->mq_msgsize = size < size_max ? size : size_max;
}

/* The process's umask, without changing it (other threads may look). */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned int m;
	mode_t old;

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Umask: %o", &m) == 1) {
				fclose(f);
				return m & 0777;
			}
		}
		fclose(f);
	}
	old = umask(022);
	umask(old);
	return old;
}

static int bind_open(int fd, const char *comp, size_t len, uint32_t access)
{
	if (len <= OLD_NAME_MAX) {
		struct mailbox_open o = { .access = access };

		memcpy(o.name, comp, len);
		return mq_ioctl(fd, MAILBOX_IOC_OPEN, &o);
	} else {
		struct mailbox_open2 o = {
			.name = (uintptr_t)comp, .name_len = len,
			.access = access,
		};

		return mq_ioctl(fd, MAILBOX_IOC_OPEN2, &o);
	}
}

static int bind_create(int fd, const char *comp, size_t len, uint32_t access,
		       mode_t mode, const struct mq_attr *a, bool excl)
{
	if (mq_features()->wide) {
		struct mailbox_create2 c = {
			.name = (uintptr_t)comp, .name_len = len,
			.flags = MAILBOX_CREATE_UMASK |
				 (excl ? MAILBOX_CREATE_EXCL : 0),
			.access = access, .mode = mode & 0777,
			.capacity = a->mq_maxmsg, .msg_size_max = a->mq_msgsize,
			.delivery = MAILBOX_DELIVER_PRIORITY,
			.prio_max = MAILBOX_PRIO_MAX_WIDE,
		};

		return mq_ioctl(fd, MAILBOX_IOC_CREATE2, &c);
	} else {
		struct mailbox_create c = {
			.flags = excl ? MAILBOX_CREATE_EXCL : 0,
			.access = access,
			.mode = mode & 0777 & ~current_umask(),
			.capacity = a->mq_maxmsg, .msg_size_max = a->mq_msgsize,
			.delivery = MAILBOX_DELIVER_PRIORITY,
		};

		memcpy(c.name, comp, len);
		return mq_ioctl(fd, MAILBOX_IOC_CREATE, &c);
	}
}

static bool attr_valid(const struct mq_attr *a)
{
	return a->mq_maxmsg > 0 && a->mq_msgsize > 0 &&
	       (unsigned long)a->mq_maxmsg <= UINT32_MAX &&
	       (unsigned long)a->mq_msgsize <= UINT32_MAX;
}

static mqd_t do_mq_open(const char *name, int oflag, mode_t mode,
			const struct mq_attr *attr)
{
	static const uint32_t acc[] = {
		[O_RDONLY] = MAILBOX_ACCESS_RECV,
		[O_WRONLY] = MAILBOX_ACCESS_SEND,
		[O_RDWR] = MAILBOX_ACCESS_ALL,
	};
	const char *comp = NULL;
	struct mailbox_info info;
	struct mq_attr a;
	size_t len = 0;
	int fd, ret;

	ret = check_name(name, &comp, &len);
	if (ret < 0)
		return mq_fail(-ret);
	if ((oflag & O_ACCMODE) == O_ACCMODE)
		return mq_fail(EINVAL);

	fd = open("/dev/mailbox", O_RDWR | O_CLOEXEC | (oflag & O_NONBLOCK));
	if (fd < 0)
		return mq_fail(errno == ENOENT || errno == ENXIO || errno == ENODEV ?
			       ENOSYS : errno);

	if (!(oflag & O_CREAT)) {
		ret = bind_open(fd, comp, len, acc[oflag & O_ACCMODE]);
	} else if (attr && !attr_valid(attr)) {
		/* Linux looks at the attributes only when it creates. */
		ret = bind_open(fd, comp, len, acc[oflag & O_ACCMODE]);
		if (ret == -ENOENT)
			ret = -EINVAL;
		else if (ret >= 0 && (oflag & O_EXCL))
			ret = -EEXIST;
	} else {
		if (attr)
			a = *attr;
		else
			default_attr(&a);
		ret = bind_create(fd, comp, len, acc[oflag & O_ACCMODE], mode,
				  &a, oflag & O_EXCL);
	}
	if (ret >= 0)
		ret = mq_ioctl(fd, MAILBOX_IOC_STAT, &info);
	if (ret < 0) {
		close(fd);
		return mq_fail(-ret);
	}
	mq_desc_set(fd, info.access, info.msg_size_max);
	return fd;
}

MQ_EXPORT mqd_t mqlib_open(const char *name, int oflag, ...)
{
	struct mq_attr *attr = NULL;
	mode_t mode = 0;
	va_list ap;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, mode_t);
		attr = va_arg(ap, struct mq_attr *);
		va_end(ap);
	}
	return do_mq_open(name, oflag, mode, attr);
}
MQ_SYMVERS(mqlib_open, mq_open);

MQ_EXPORT int mqlib_close(mqd_t mqdes)
{
	mq_notify_forget(mqdes);
	mq_desc_forget(mqdes);
	return close(mqdes);
}
MQ_SYMVERS(mqlib_close, mq_close);

MQ_EXPORT int mqlib_unlink(const char *name)
{
	const char *comp = NULL;
	size_t len = 0;
	int fd, ret;

	ret = check_name(name, &comp, &len);
	if (ret < 0)
		return mq_fail(-ret);
	fd = open("/dev/mailbox", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return mq_fail(errno == ENOENT || errno == ENXIO || errno == ENODEV ?
			       ENOSYS : errno);
	if (len <= OLD_NAME_MAX) {
		struct mailbox_unlink u = { 0 };

		memcpy(u.name, comp, len);
		ret = mq_ioctl(fd, MAILBOX_IOC_UNLINK, &u);
	} else {
		struct mailbox_unlink2 u = {
			.name = (uintptr_t)comp, .name_len = len,
		};

		ret = mq_ioctl(fd, MAILBOX_IOC_UNLINK2, &u);
	}
	close(fd);
	/* The queue was not the caller's to remove: Linux says EACCES. */
	if (ret == -EPERM)
		ret = -EACCES;
	return ret < 0 ? mq_fail(-ret) : 0;
}
MQ_SYMVERS(mqlib_unlink, mq_unlink);
