/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the mailbox selftests: raw ioctls on /dev/mailbox,
 * with no library in between, so that the tests exercise the kernel
 * interface itself. Each helper returns 0 (or a length) or -errno.
 */
#ifndef MAILBOX_SELFTEST_UTIL_H
#define MAILBOX_SELFTEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/kmailbox.h>

#define MBOX_DEV "/dev/mailbox"

/* Copy @name into a zeroed name field, cut at MAILBOX_NAME_LEN - 1 bytes. */
static inline void mbt_set_name(char dst[MAILBOX_NAME_LEN], const char *name)
{
	memcpy(dst, name, strnlen(name, MAILBOX_NAME_LEN - 1));
}

static inline int mbt_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Open /dev/mailbox; returns the fd or -errno. */
static inline int mbt_dev(void)
{
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A unique-enough name per test: prefix, pid and a counter. */
static inline void mbt_name(char *buf, const char *prefix)
{
	static unsigned int seq;

	snprintf(buf, MAILBOX_NAME_LEN, "%s-%d-%u", prefix, (int)getpid(), seq++);
}

/* Create (flags as MAILBOX_CREATE_*) and bind @fd. Returns ioctl result. */
static inline int mbt_create_fd(int fd, const char *name, uint32_t flags,
				uint32_t mode, uint32_t capacity,
				uint32_t msg_size_max)
{
	struct mailbox_create c;

	memset(&c, 0, sizeof(c));
	mbt_set_name(c.name, name);
	c.flags = flags;
	c.access = MAILBOX_ACCESS_ALL;
	c.mode = mode;
	c.capacity = capacity;
	c.msg_size_max = msg_size_max;
	return mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c);
}

/* Open /dev/mailbox and create a mailbox on it; returns fd or -errno. */
static inline int mbt_create(const char *name, uint32_t flags, uint32_t mode,
			     uint32_t capacity, uint32_t msg_size_max)
{
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	ret = mbt_create_fd(fd, name, flags, mode, capacity, msg_size_max);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Open /dev/mailbox and bind it to an existing mailbox; fd or -errno. */
static inline int mbt_open(const char *name, uint32_t access)
{
	struct mailbox_open o;
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	memset(&o, 0, sizeof(o));
	mbt_set_name(o.name, name);
	o.access = access;
	ret = mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static inline int mbt_unlink(const char *name)
{
	struct mailbox_unlink u;
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	memset(&u, 0, sizeof(u));
	mbt_set_name(u.name, name);
	ret = mbt_ioctl(fd, MAILBOX_IOC_UNLINK, &u);
	close(fd);
	return ret;
}

/* CLOCK_MONOTONIC now + @ms milliseconds, in ns, for MAILBOX_DEADLINE. */
static inline uint64_t mbt_deadline_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
	       (uint64_t)ms * 1000000ULL;
}

static inline uint64_t mbt_now_ns(void)
{
	return mbt_deadline_ms(0);
}

/* Send; @flags as MAILBOX_*; @deadline used with MAILBOX_DEADLINE. */
static inline int mbt_send(int fd, const void *buf, uint32_t len,
			   uint32_t flags, uint64_t deadline, int32_t *receiver)
{
	struct mailbox_send s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.flags = flags;
	s.deadline_ns = deadline;
	ret = mbt_ioctl(fd, MAILBOX_IOC_SEND, &s);
	if (receiver)
		*receiver = s.receiver_pid;
	return ret;
}

/* Receive into @buf; returns length or -errno; *@out gets the metadata. */
static inline int mbt_recv(int fd, void *buf, uint32_t size, uint32_t flags,
			   uint64_t deadline, struct mailbox_recv *out)
{
	struct mailbox_recv r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.size = size;
	r.flags = flags;
	r.deadline_ns = deadline;
	ret = mbt_ioctl(fd, MAILBOX_IOC_RECV, &r);
	if (out)
		*out = r;
	return ret;
}

static inline int mbt_stat(int fd, struct mailbox_info *info)
{
	memset(info, 0, sizeof(*info));
	return mbt_ioctl(fd, MAILBOX_IOC_STAT, info);
}

/*
 * Helpers for tests that fork: shared memory, waiting on STAT fields and on
 * children with a time limit, and a list of children to kill on the way out.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Sleep @ms milliseconds, resuming after signal handlers. */
static inline void mbt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Zeroed memory shared with children forked later; NULL on failure. */
static inline void *mbt_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Poll STAT until the field at @off (@size 4 or 8 bytes) of struct
 * mailbox_info equals @val. Returns 0, -ETIMEDOUT after @timeout_ms, or
 * STAT's error. Use through MBT_WAIT_INFO().
 */
static inline int mbt_wait_info(int fd, size_t off, size_t size, uint64_t val,
				long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	struct mailbox_info info;
	uint64_t cur;
	uint32_t cur32;
	int ret;

	for (;;) {
		ret = mbt_stat(fd, &info);
		if (ret)
			return ret;
		if (size == sizeof(cur32)) {
			memcpy(&cur32, (char *)&info + off, sizeof(cur32));
			cur = cur32;
		} else {
			memcpy(&cur, (char *)&info + off, sizeof(cur));
		}
		if (cur == val)
			return 0;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
}

#define MBT_WAIT_INFO(fd, field, val, timeout_ms)			\
	mbt_wait_info(fd, offsetof(struct mailbox_info, field),		\
		      sizeof(((struct mailbox_info *)0)->field), val,	\
		      timeout_ms)

/* In a forked child's function: log a failed check and return 1. */
#define MBT_CHILD_CHECK(cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: %s:%d: check failed: %s\n",	\
			(int)getpid(), __FILE__, __LINE__, #cond);	\
		return 1;						\
	}								\
} while (0)

#define MBT_MAX_KIDS 16

/* Children of a test, killed and reaped by mbt_kill_all() on teardown. */
struct mbt_kids {
	int n;
	pid_t pid[MBT_MAX_KIDS];
};

/*
 * Fork a child that exits with @fn(@arg); returns its pid or -errno. The
 * child is killed when its parent dies, so that a test that fails without
 * cleaning up (see FIXTURE_TEARDOWN_PARENT) leaves no process asleep in a
 * mailbox.
 */
static inline pid_t mbt_spawn(struct mbt_kids *k, int (*fn)(void *), void *arg)
{
	pid_t parent = getpid(), pid;

	if (k->n >= MBT_MAX_KIDS)
		return -ENOSPC;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(125);
		_exit(fn(arg));
	}
	k->pid[k->n++] = pid;
	return pid;
}

/*
 * Reap child @pid, waiting at most @timeout_ms: 0 with *@status set, or
 * -ETIMEDOUT (the child stays listed), or -errno.
 */
static inline int mbt_reap(struct mbt_kids *k, pid_t pid, int *status,
			   long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	pid_t ret;
	int i;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			break;
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
	for (i = 0; i < k->n; i++) {
		if (k->pid[i] == pid) {
			k->pid[i] = k->pid[--k->n];
			break;
		}
	}
	return 0;
}

/* SIGKILL and reap every listed child. */
static inline void mbt_kill_all(struct mbt_kids *k)
{
	while (k->n > 0) {
		pid_t pid = k->pid[--k->n];

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

#endif /* MAILBOX_SELFTEST_UTIL_H */
