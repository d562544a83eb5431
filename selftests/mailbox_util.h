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
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/kmailbox.h>

#define MBOX_DEV "/dev/mailbox"
#define MBT_PARAM_DIR "/sys/module/kmailbox/parameters/"

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

/* A module parameter's value, or @dflt when it cannot be read. */
static inline unsigned long mbt_param_or(const char *param, unsigned long dflt)
{
	char path[128], buf[32];
	unsigned long val = dflt;
	FILE *f;

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	f = fopen(path, "re");
	if (!f)
		return dflt;
	if (fgets(buf, sizeof(buf), f))
		val = strtoul(buf, NULL, 0);
	fclose(f);
	return val;
}

/* Write @val to the file @path opened with O_WRONLY | @oflags: 0 or -errno. */
static inline int mbt_write_file(const char *path, const char *val, int oflags)
{
	ssize_t len = strlen(val);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | oflags);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Run @handler on SIGUSR1, with SA_RESTART if @restart: sigaction()'s. */
static inline int mbt_install_handler(void (*handler)(int), bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
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

/*
 * For helpers that open /dev/mailbox as @fd and then bind it with an ioctl
 * that returned @ret: @fd, or -errno with @fd closed.
 */
static inline int mbt_fd_or_close(int fd, int ret)
{
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* Create (any access, any delivery) and bind @fd. Returns ioctl result. */
static inline int mbt_create_ex_fd(int fd, const char *name, uint32_t flags,
				   uint32_t access, uint32_t mode,
				   uint32_t capacity, uint32_t msg_size_max,
				   uint32_t delivery)
{
	struct mailbox_create c;

	memset(&c, 0, sizeof(c));
	mbt_set_name(c.name, name);
	c.flags = flags;
	c.access = access;
	c.mode = mode;
	c.capacity = capacity;
	c.msg_size_max = msg_size_max;
	c.delivery = delivery;
	return mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c);
}

/* Open /dev/mailbox and create (or open) with @delivery; fd or -errno. */
static inline int mbt_create_ex(const char *name, uint32_t flags,
				uint32_t access, uint32_t mode,
				uint32_t capacity, uint32_t msg_size_max,
				uint32_t delivery)
{
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	return mbt_fd_or_close(fd, mbt_create_ex_fd(fd, name, flags, access,
						    mode, capacity,
						    msg_size_max, delivery));
}

/* Create (flags as MAILBOX_CREATE_*) and bind @fd. Returns ioctl result. */
static inline int mbt_create_fd(int fd, const char *name, uint32_t flags,
				uint32_t mode, uint32_t capacity,
				uint32_t msg_size_max)
{
	return mbt_create_ex_fd(fd, name, flags, MAILBOX_ACCESS_ALL, mode,
				capacity, msg_size_max, MAILBOX_DELIVER_QUEUE);
}

/* Open /dev/mailbox and create a mailbox on it; returns fd or -errno. */
static inline int mbt_create(const char *name, uint32_t flags, uint32_t mode,
			     uint32_t capacity, uint32_t msg_size_max)
{
	return mbt_create_ex(name, flags, MAILBOX_ACCESS_ALL, mode, capacity,
			     msg_size_max, MAILBOX_DELIVER_QUEUE);
}

/* Open /dev/mailbox and bind it to an existing mailbox; fd or -errno. */
static inline int mbt_open(const char *name, uint32_t access)
{
	struct mailbox_open o;
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	memset(&o, 0, sizeof(o));
	mbt_set_name(o.name, name);
	o.access = access;
	return mbt_fd_or_close(fd, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));
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

/*
 * Fill a struct mailbox_send with every field and issue @cmd (SEND or
 * SEND_TO) with it. *@out, if given, gets the structure as the kernel left
 * it (receiver_pid, receivers). All the send helpers below come here.
 */
static inline int mbt_send_cmd(int fd, unsigned long cmd, int32_t to_pid,
			       const void *buf, uint32_t len, uint32_t flags,
			       uint64_t deadline, uint32_t priority,
			       struct mailbox_send *out)
{
	struct mailbox_send s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.flags = flags;
	s.deadline_ns = deadline;
	s.priority = priority;
	s.to_pid = to_pid;
	ret = mbt_ioctl(fd, cmd, &s);
	if (out)
		*out = s;
	return ret;
}

/* Send; @flags as MAILBOX_*; @deadline used with MAILBOX_DEADLINE. */
static inline int mbt_send(int fd, const void *buf, uint32_t len,
			   uint32_t flags, uint64_t deadline, int32_t *receiver)
{
	struct mailbox_send s;
	int ret;

	ret = mbt_send_cmd(fd, MAILBOX_IOC_SEND, 0, buf, len, flags, deadline,
			   0, &s);
	if (receiver)
		*receiver = s.receiver_pid;
	return ret;
}

/* Receive only what process @from_pid sent (0: from anyone). */
static inline int mbt_recv_from(int fd, int32_t from_pid, void *buf,
				uint32_t size, uint32_t flags,
				uint64_t deadline, struct mailbox_recv *out)
{
	struct mailbox_recv r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.buf = (uintptr_t)buf;
	r.size = size;
	r.flags = flags;
	r.deadline_ns = deadline;
	r.from_pid = from_pid;
	ret = mbt_ioctl(fd, MAILBOX_IOC_RECV, &r);
	if (out)
		*out = r;
	return ret;
}

/* Receive into @buf; returns length or -errno; *@out gets the metadata. */
static inline int mbt_recv(int fd, void *buf, uint32_t size, uint32_t flags,
			   uint64_t deadline, struct mailbox_recv *out)
{
	return mbt_recv_from(fd, 0, buf, size, flags, deadline, out);
}

static inline int mbt_stat(int fd, struct mailbox_info *info)
{
	memset(info, 0, sizeof(*info));
	return mbt_ioctl(fd, MAILBOX_IOC_STAT, info);
}

/*
 * Delivery modes, direct mailboxes and priorities (issue 4).
 */

/*
 * OPEN_DIRECT on @fd with the given attributes and policy (@pids: @count
 * pids for MAILBOX_POLICY_LIST, else NULL and 0). Returns 1 (created),
 * 0 (bound to the existing one) or -errno.
 */
static inline int mbt_open_direct_fd(int fd, uint32_t capacity,
				     uint32_t msg_size_max, uint32_t delivery,
				     uint32_t policy, const int32_t *pids,
				     uint32_t count)
{
	struct mailbox_direct d;

	memset(&d, 0, sizeof(d));
	d.capacity = capacity;
	d.msg_size_max = msg_size_max;
	d.delivery = delivery;
	d.policy = policy;
	d.count = count;
	d.pids = (uintptr_t)pids;
	return mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d);
}

/* Open /dev/mailbox bound to this process's direct mailbox (policy ANY). */
static inline int mbt_open_direct(uint32_t capacity, uint32_t msg_size_max,
				  uint32_t delivery)
{
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	return mbt_fd_or_close(fd, mbt_open_direct_fd(fd, capacity,
						      msg_size_max, delivery,
						      MAILBOX_POLICY_ANY,
						      NULL, 0));
}

/*
 * Send with every field of struct mailbox_send: SEND (@to_pid 0) or
 * SEND_TO (@to_pid != 0). *@out, if given, gets the structure as the
 * kernel left it (receiver_pid, receivers).
 */
static inline int mbt_send_ex(int fd, int32_t to_pid, const void *buf,
			      uint32_t len, uint32_t flags, uint64_t deadline,
			      uint32_t priority, struct mailbox_send *out)
{
	return mbt_send_cmd(fd, to_pid ? MAILBOX_IOC_SEND_TO : MAILBOX_IOC_SEND,
			    to_pid, buf, len, flags, deadline, priority, out);
}

/* SEND_TO process @pid through any descriptor @fd. */
static inline int mbt_send_to(int fd, int32_t pid, const void *buf,
			      uint32_t len, uint32_t flags, uint64_t deadline,
			      struct mailbox_send *out)
{
	return mbt_send_cmd(fd, MAILBOX_IOC_SEND_TO, pid, buf, len, flags,
			    deadline, 0, out);
}

static inline int mbt_set_policy(int fd, uint32_t policy, const int32_t *pids,
				 uint32_t count)
{
	struct mailbox_policy p;

	memset(&p, 0, sizeof(p));
	p.policy = policy;
	p.count = count;
	p.pids = (uintptr_t)pids;
	return mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &p);
}

static inline int mbt_set_recv_prio(int fd, uint32_t priority)
{
	struct mailbox_recv_prio p;

	memset(&p, 0, sizeof(p));
	p.priority = priority;
	return mbt_ioctl(fd, MAILBOX_IOC_SET_RECV_PRIO, &p);
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
