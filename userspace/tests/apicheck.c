// SPDX-License-Identifier: GPL-2.0
/*
 * apicheck - quick checks of libmailbox (run by `make check`).
 *
 * Always: argument checking done by the library itself, and that the
 * LIBMAILBOX_1.0 versions of the calls whose structures grew in 1.1 use
 * the 1.0 layouts. Without /dev/mailbox: every call that opens the device
 * returns -ENOENT. With it (in the VM): a short live round trip, through
 * the delivery modes and a direct mailbox. Not a replacement for the
 * selftests, which test the kernel interface directly.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mailbox.h"

/*
 * The LIBMAILBOX_1.0 versions, as a program built against the 1.0 header
 * calls them: with the 1.0 layouts, which end where 1.1 appended fields.
 */
struct attr_v10 {
	unsigned int capacity, msg_size_max, mode;
};
#define MSGINFO_V10_SIZE	offsetof(struct mbox_msginfo, priority)
#define STAT_V10_SIZE		offsetof(struct mbox_stat, delivery)

int old_create(const char *name, int flags, const struct attr_v10 *attr);
int old_createx(const char *name, int flags, const struct attr_v10 *attr,
		int *created);
ssize_t old_receivex(int fd, void *buf, size_t size, unsigned int flags,
		     const struct timespec *deadline, void *info);
ssize_t old_receive(int fd, void *buf, size_t size, void *info);
int old_stat(int fd, void *st);
__asm__(".symver old_create, mbox_create@LIBMAILBOX_1.0");
__asm__(".symver old_createx, mbox_createx@LIBMAILBOX_1.0");
__asm__(".symver old_receivex, mbox_receivex@LIBMAILBOX_1.0");
__asm__(".symver old_receive, mbox_receive@LIBMAILBOX_1.0");
__asm__(".symver old_stat, mbox_stat@LIBMAILBOX_1.0");

static int failures;

#define CHECK(expr, want) do {						\
	long _got = (long)(expr), _want = (long)(want);			\
	if (_got != _want) {						\
		fprintf(stderr, "FAIL %s:%d: %s = %ld (%s), want %ld\n",	\
			__FILE__, __LINE__, #expr, _got,		\
			_got < 0 ? strerror((int)-_got) : "ok", _want);	\
		failures++;						\
	}								\
} while (0)

static void check_args(void)
{
	char longname[MBOX_NAME_MAX + 2];
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct timespec ts, bad = { .tv_sec = 1, .tv_nsec = 1000000000L };
	struct mbox_vec vec[2] = { { NULL, 0 }, { NULL, 0 } };

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	CHECK(mbox_create(NULL, 0, NULL), -EINVAL);
	CHECK(mbox_open(NULL, 0), -EINVAL);
	CHECK(mbox_unlink(NULL), -EINVAL);
	CHECK(mbox_create(longname, 0, NULL), -ENAMETOOLONG);
	CHECK(mbox_open(longname, 0), -ENAMETOOLONG);
	CHECK(mbox_unlink(longname), -ENAMETOOLONG);
	CHECK(mbox_create("x", 0x1000, NULL), -EINVAL);
	CHECK(mbox_create("x", MBOX_SEND_ONLY | MBOX_RECV_ONLY, NULL), -EINVAL);
	CHECK(mbox_open("x", MBOX_EXCL), -EINVAL);
	CHECK(mbox_open("x", MBOX_OWNED), -EINVAL);
	attr.mode = 01000;
	CHECK(mbox_create("x", 0, &attr), -EINVAL);
	attr.mode = 0600;
	attr.msg_size_max = 0;
	CHECK(mbox_create("x", 0, &attr), -EINVAL);

	CHECK(mbox_sendx(-1, "", 0, 0x100, NULL, NULL), -EINVAL);
	CHECK(mbox_sendx(-1, "", 0, MBOX_F_PEEK, NULL, NULL), -EINVAL);
	CHECK(mbox_sendx(-1, "", 0, MBOX_F_NONBLOCK, &bad, NULL), -EINVAL);
	CHECK(mbox_timedsend(-1, "", 0, &bad), -EINVAL);
	if (sizeof(size_t) > 4)
		CHECK(mbox_send(-1, "", (size_t)UINT32_MAX + 1), -EMSGSIZE);
	CHECK(mbox_send(-1, "", 0), -EBADF);
	CHECK(mbox_receivex(-1, NULL, 0, MBOX_F_WAIT, NULL, NULL), -EINVAL);
	CHECK(mbox_receivex(-1, NULL, 0, MBOX_F_PEEK | MBOX_F_NONBLOCK, NULL,
			    NULL), -EINVAL);
	CHECK(mbox_timedreceive(-1, NULL, 0, NULL, &bad), -EINVAL);
	CHECK(mbox_receive(-1, NULL, 0, NULL), -EBADF);
	CHECK(mbox_next_size(-1), -EBADF);
	CHECK(mbox_stat(-1, NULL), -EINVAL);
	CHECK(mbox_close(-1), -EBADF);

	/* A non-mailbox descriptor: the ioctls are unknown to it. */
	CHECK(mbox_next_size(STDERR_FILENO) == -ENOTTY ||
	      mbox_next_size(STDERR_FILENO) == -EINVAL, 1);

	CHECK(mbox_deadline_after(NULL, 1), -EINVAL);
	CHECK(mbox_deadline_after(&ts, -1), -EINVAL);
	CHECK(mbox_deadline_after(&ts, 1500), 0);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L, 1);
	CHECK(mbox_deadline_after(&ts, LONG_MAX), 0);	/* fits in time_t */
	/* 1.2: the library's version is the tree's VERSION file. */
	CHECK(strcmp(mbox_version(), KMAILBOX_VERSION), 0);
	CHECK(mbox_module_version(NULL), -EINVAL);
	/* 1.2: batches. */
	CHECK(mbox_send_batch(-1, NULL, 1, 0, NULL), -EINVAL);
	CHECK(mbox_send_batch(-1, vec, 0, 0, NULL), -EINVAL);
	CHECK(mbox_send_batch(-1, vec, 2, MBOX_F_WAIT, NULL), -EINVAL);
	CHECK(mbox_send_batch(-1, vec, 2, MBOX_F_NONBLOCK, &ts), -EINVAL);
	CHECK(mbox_send_batch(-1, vec, 2, 0, &bad), -EINVAL);
	CHECK(mbox_send_batch(-1, vec, 2, 0, NULL), -EBADF);
	CHECK(mbox_receive_batch(-1, NULL, 1, 0, NULL), -EINVAL);
	CHECK(mbox_receive_batch(-1, vec, 0, 0, NULL), -EINVAL);
	CHECK(mbox_receive_batch(-1, vec, 2, MBOX_F_PEEK, NULL), -EINVAL);
	CHECK(mbox_receive_batch(-1, vec, 2, MBOX_F_NONBLOCK, &ts), -EINVAL);
	CHECK(mbox_receive_batch(-1, vec, 2, 0, NULL), -EBADF);
	/* 1.3: mbox_list(), checked before it opens the device. */
	CHECK(mbox_list(NULL, NULL, 1, NULL), -EINVAL);
	CHECK(mbox_list("x", NULL, 1, NULL), -EINVAL);
	CHECK(mbox_list(longname, NULL, 0, NULL), -ENAMETOOLONG);
}

/* The calls added in 1.1: what the library checks before any ioctl. */
static void check_args_v11(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_direct_attr dattr = MBOX_DIRECT_ATTR_INIT;
	struct timespec bad = { .tv_sec = 0, .tv_nsec = -1 }, ts;
	unsigned int receivers = 7;
	pid_t pids[MBOX_POLICY_LIST_MAX + 1] = { 1 }, receiver = 7;

	CHECK(attr.delivery, MBOX_DELIVER_QUEUE);
	CHECK(dattr.capacity, MBOX_DEFAULT_CAPACITY);
	CHECK(dattr.msg_size_max, MBOX_DEFAULT_MSG_SIZE);
	CHECK(dattr.delivery, MBOX_DELIVER_QUEUE);
	CHECK(dattr.policy, MBOX_POLICY_ANY);
	CHECK(dattr.pids == NULL && dattr.npids == 0, 1);

	attr.delivery = MBOX_DELIVER_BROADCAST + 1;
	CHECK(mbox_create("x", 0, &attr), -EINVAL);
	CHECK(mbox_createx("x", 0, &attr, NULL), -EINVAL);

	/* Priorities. */
	CHECK(mbox_send_prio(-1, "", 0, MBOX_PRIO_MAX + 1), -EINVAL);
	CHECK(mbox_send_priox(-1, "", 0, 0, 0x100, NULL, NULL), -EINVAL);
	CHECK(mbox_send_priox(-1, "", 0, 0, MBOX_F_PEEK, NULL, NULL), -EINVAL);
	CHECK(mbox_send_priox(-1, "", 0, 0, MBOX_F_NONBLOCK, &ts, NULL),
	      -EINVAL);
	CHECK(mbox_send_priox(-1, "", 0, 0, 0, &bad, NULL), -EINVAL);
	if (sizeof(size_t) > 4)
		CHECK(mbox_send_prio(-1, "", (size_t)UINT32_MAX + 1, 0),
		      -EMSGSIZE);
	CHECK(mbox_send_priox(-1, "", 0, MBOX_PRIO_MAX, 0, NULL, &receivers),
	      -EBADF);
	CHECK(receivers, 7);			/* untouched on failure */
	CHECK(mbox_set_recv_priority(-1, MBOX_PRIO_MAX + 1), -EINVAL);
	CHECK(mbox_set_recv_priority(-1, MBOX_PRIO_MAX), -EBADF);
	CHECK(mbox_set_recv_priority(STDERR_FILENO, 0) == -ENOTTY ||
	      mbox_set_recv_priority(STDERR_FILENO, 0) == -EINVAL, 1);

	/* Sending by pid: checked before MBOX_ANY_FD opens the device. */
	CHECK(mbox_send_to(MBOX_ANY_FD, 0, "", 0), -EINVAL);
	CHECK(mbox_send_to(MBOX_ANY_FD, -5, "", 0), -EINVAL);
	CHECK(mbox_send_tox(MBOX_ANY_FD, 1, "", 0, 0, 0x100, NULL, NULL),
	      -EINVAL);
	CHECK(mbox_send_tox(MBOX_ANY_FD, 1, "", 0, 0, MBOX_F_PEEK, NULL, NULL),
	      -EINVAL);
	CHECK(mbox_send_tox(MBOX_ANY_FD, 1, "", 0, 0, MBOX_F_NONBLOCK, &ts,
			    NULL), -EINVAL);
	CHECK(mbox_send_tox(MBOX_ANY_FD, 1, "", 0, 0, 0, &bad, NULL), -EINVAL);
	if (sizeof(size_t) > 4)
		CHECK(mbox_send_to(MBOX_ANY_FD, 1, "",
				   (size_t)UINT32_MAX + 1), -EMSGSIZE);
	CHECK(mbox_send_tox(-2, 1, "", 0, 0, 0, NULL, &receiver), -EBADF);
	CHECK(receiver, 7);
	CHECK(mbox_send_to(STDERR_FILENO, 1, "", 0) == -ENOTTY ||
	      mbox_send_to(STDERR_FILENO, 1, "", 0) == -EINVAL, 1);

	/* Receiving from one sender. */
	CHECK(mbox_receive_from(-1, -1, NULL, 0, NULL), -EINVAL);
	CHECK(mbox_receive_fromx(-1, 1, NULL, 0, MBOX_F_WAIT, NULL, NULL),
	      -EINVAL);
	CHECK(mbox_receive_fromx(-1, 1, NULL, 0, MBOX_F_PEEK, &ts, NULL),
	      -EINVAL);
	CHECK(mbox_receive_fromx(-1, 1, NULL, 0, MBOX_F_NONBLOCK, &ts, NULL),
	      -EINVAL);
	CHECK(mbox_receive_fromx(-1, 1, NULL, 0, 0, &bad, NULL), -EINVAL);
	CHECK(mbox_receive_from(-1, 0, NULL, 0, NULL), -EBADF);
	CHECK(mbox_receive_fromx(-1, 1, NULL, 0, MBOX_F_PEEK, NULL, NULL),
	      -EBADF);

	/* Direct mailboxes: attributes and policies. */
	CHECK(mbox_direct_open(NULL, 0x1000), -EINVAL);
	CHECK(mbox_direct_open(NULL, MBOX_EXCL), -EINVAL);
	CHECK(mbox_direct_open(NULL, MBOX_RECV_ONLY), -EINVAL);
	dattr.delivery = MBOX_DELIVER_BROADCAST;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);
	dattr.delivery = MBOX_DELIVER_PRIORITY;
	dattr.msg_size_max = 0;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);
	dattr.msg_size_max = 16;
	dattr.policy = MBOX_POLICY_LIST + 1;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);
	dattr.policy = MBOX_POLICY_LIST;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);	/* no pids */
	dattr.npids = 1;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);	/* pids NULL */
	dattr.pids = pids;
	dattr.npids = MBOX_POLICY_LIST_MAX + 1;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);
	dattr.policy = MBOX_POLICY_UID;
	dattr.npids = 1;
	CHECK(mbox_direct_open(&dattr, 0), -EINVAL);	/* count without list */

	CHECK(mbox_direct_policy(-1, MBOX_POLICY_LIST + 1, NULL, 0), -EINVAL);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_LIST, NULL, 1), -EINVAL);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_LIST, pids, 0), -EINVAL);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_LIST, pids,
				 MBOX_POLICY_LIST_MAX + 1), -EINVAL);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_ANY, pids, 1), -EINVAL);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_ANY, NULL, 0), -EBADF);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_UID, pids, 0), -EBADF);
	CHECK(mbox_direct_policy(-1, MBOX_POLICY_LIST, pids,
				 MBOX_POLICY_LIST_MAX), -EBADF);
}

/* The 1.0 versions: 1.0 layouts, library checks as before. */
static void check_args_v10(void)
{
	struct {
		struct attr_v10 a;
		unsigned int junk;	/* where 1.1 has delivery */
	} old = { { 4, 16, 0600 }, 99 };

	CHECK(old_create(NULL, 0, NULL), -EINVAL);
	old.a.mode = 01000;
	CHECK(old_create("x", 0, &old.a), -EINVAL);
	CHECK(old_createx("x", 0, &old.a, NULL), -EINVAL);
	old.a.mode = 0600;
	old.a.msg_size_max = 0;
	CHECK(old_createx("x", 0, &old.a, NULL), -EINVAL);
	old.a.msg_size_max = 16;
	CHECK(old_stat(-1, NULL), -EINVAL);
	CHECK(old_receivex(-1, NULL, 0, MBOX_F_WAIT, NULL, NULL), -EINVAL);
	CHECK(old_receive(-1, NULL, 0, NULL), -EBADF);
}

static void check_nodev(void)
{
	struct {
		struct attr_v10 a;
		unsigned int junk;	/* not read by the 1.0 version */
	} old = { { 4, 16, 0600 }, 99 };
	struct mbox_version version;

	CHECK(mbox_create("apicheck", 0, NULL), -ENOENT);
	CHECK(mbox_open("apicheck", 0), -ENOENT);
	CHECK(mbox_unlink("apicheck"), -ENOENT);
	CHECK(mbox_direct_open(NULL, 0), -ENOENT);
	CHECK(mbox_send_to(MBOX_ANY_FD, getpid(), "x", 1), -ENOENT);
	CHECK(old_create("apicheck", 0, &old.a), -ENOENT);
	CHECK(old_createx("apicheck", 0, &old.a, NULL), -ENOENT);
	CHECK(mbox_module_version(&version), -ENOENT);
	CHECK(mbox_list(NULL, NULL, 0, NULL), -ENOENT);
}

/* mbox_list() of mailbox @name, bound to @fd: as mbox_stat() says. */
static void check_live_list(const char *name, int fd)
{
	struct mbox_stat st, all[4], one;
	uint64_t cursor = 0, before;
	int n, seen = 0, total;

	CHECK(mbox_stat(fd, &st), 0);
	CHECK(mbox_list(name, NULL, 0, NULL), 1);
	CHECK(mbox_list(name, &one, 1, &cursor), 1);
	CHECK(cursor > 0, 1);
	before = cursor;
	CHECK(mbox_list(name, &one, 1, &cursor), 0);	/* the end */
	CHECK(cursor, before);
	CHECK(strcmp(one.name, name), 0);
	CHECK(one.access, 0);
	CHECK(one.recv_priority, 0);
	st.access = 0;
	st.recv_priority = 0;
	CHECK(memcmp(&st, &one, sizeof(st)), 0);
	/* Everything, four at a time: ours once. */
	total = mbox_list(NULL, NULL, 0, NULL);
	CHECK(total >= 1, 1);
	cursor = 0;
	do {
		n = mbox_list("", all, 4, &cursor);
		CHECK(n >= 0, 1);
		for (int i = 0; i < n; i++)
			seen += !strcmp(all[i].name, name);
	} while (n == 4);
	CHECK(seen, 1);
	CHECK(mbox_list("apicheck-nosuch", all, 4, NULL), -ENOENT);
}

static void check_live(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_msginfo info;
	struct mbox_stat st;
	struct timespec dl;
	char name[MBOX_NAME_MAX + 1], buf[16], big[32] = "";
	int fd, rfd, created = -1;
	pid_t receiver = -1;

	snprintf(name, sizeof(name), "apicheck-%d", (int)getpid());
	attr.capacity = 2;
	attr.msg_size_max = 16;
	fd = mbox_createx(name, MBOX_EXCL | MBOX_SEND_ONLY, &attr, &created);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(created, 1);
	rfd = mbox_createx(name, MBOX_RECV_ONLY, NULL, &created);
	CHECK(rfd >= 0, 1);
	CHECK(created, 0);
	CHECK(mbox_create(name, MBOX_EXCL, NULL), -EEXIST);

	CHECK(mbox_next_size(rfd), -EAGAIN);
	CHECK(mbox_tryreceive(rfd, buf, sizeof(buf), NULL), -EAGAIN);
	CHECK(mbox_send(fd, "hello", 5), 0);
	CHECK(mbox_sendx(fd, "world!", 6, 0, NULL, &receiver), 0);
	CHECK(receiver, 0);
	CHECK(mbox_trysend(fd, "full", 4), -EAGAIN);
	CHECK(mbox_deadline_after(&dl, 10), 0);
	CHECK(mbox_timedsend(fd, "full", 4, &dl), -ETIMEDOUT);
	CHECK(mbox_send(fd, big, 17), -EMSGSIZE);

	CHECK(mbox_stat(rfd, &st), 0);
	CHECK(strcmp(st.name, name), 0);
	CHECK(st.state, MBOX_STATE_LINKED);
	CHECK(st.capacity, 2);
	CHECK(st.msg_size_max, 16);
	CHECK(st.depth, 2);
	CHECK(st.bytes, 11);
	CHECK(st.next_len, 5);
	CHECK(st.access, MBOX_ACCESS_RECV);
	CHECK(st.uid, geteuid());

	CHECK(mbox_next_size(rfd), 5);
	CHECK(mbox_receive(rfd, buf, 4, &info), -EMSGSIZE);
	CHECK(info.len, 5);
	CHECK(mbox_receive(rfd, buf, sizeof(buf), &info), 5);
	CHECK(memcmp(buf, "hello", 5), 0);
	CHECK(info.len, 5);
	CHECK(info.sender_pid, getpid());
	CHECK(info.sender_uid, geteuid());
	CHECK(mbox_deadline_after(&dl, 1000), 0);
	CHECK(mbox_timedreceive(rfd, buf, sizeof(buf), NULL, &dl), 6);
	CHECK(mbox_deadline_after(&dl, 10), 0);
	CHECK(mbox_timedreceive(rfd, buf, sizeof(buf), NULL, &dl), -ETIMEDOUT);
	CHECK(mbox_receive(fd, buf, sizeof(buf), NULL), -EBADF);
	CHECK(mbox_send(rfd, "x", 1), -EBADF);

	check_live_list(name, rfd);

	CHECK(mbox_unlink(name), 0);
	CHECK(mbox_unlink(name), -ENOENT);
	CHECK(mbox_stat(fd, &st), 0);
	CHECK(st.state, MBOX_STATE_UNLINKED);
	CHECK(mbox_list(name, &st, 1, NULL), 1);
	CHECK(st.state, MBOX_STATE_UNLINKED);
	CHECK(mbox_close(fd), 0);
	CHECK(mbox_close(rfd), 0);
}

/* Canary-guarded buffers for the 1.0 calls: nothing past the 1.0 size. */
#define CANARY 0xa5
static int canary_intact(const unsigned char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != CANARY)
			return 0;
	return 1;
}

static void check_live_prio(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_msginfo info;
	struct mbox_stat st;
	char name[MBOX_NAME_MAX + 1], buf[16];
	unsigned int receivers = 7;
	int fd;

	snprintf(name, sizeof(name), "apicheck-prio-%d", (int)getpid());
	attr.capacity = 4;
	attr.msg_size_max = 16;
	attr.delivery = MBOX_DELIVER_PRIORITY;
	fd = mbox_create(name, MBOX_EXCL | MBOX_OWNED, &attr);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(mbox_send_prio(fd, "one", 3, 1), 0);
	CHECK(mbox_send_priox(fd, "five", 4, 5, 0, NULL, &receivers), 0);
	CHECK(receivers, 1);
	CHECK(mbox_send(fd, "zero", 4), 0);
	CHECK(mbox_send_prio(fd, "five2", 5, 5), 0);
	CHECK(mbox_stat(fd, &st), 0);
	CHECK(st.delivery, MBOX_DELIVER_PRIORITY);
	CHECK(st.depth, 4);
	CHECK(mbox_receive(fd, buf, sizeof(buf), &info), 4);
	CHECK(memcmp(buf, "five", 4), 0);
	CHECK(info.priority, 5);
	CHECK(mbox_receive(fd, buf, sizeof(buf), &info), 5);
	CHECK(info.priority, 5);
	CHECK(mbox_receive(fd, buf, sizeof(buf), &info), 3);
	CHECK(info.priority, 1);
	CHECK(mbox_receive(fd, buf, sizeof(buf), &info), 4);
	CHECK(memcmp(buf, "zero", 4), 0);
	CHECK(info.priority, 0);
	CHECK(mbox_set_recv_priority(fd, 7), 0);
	CHECK(mbox_stat(fd, &st), 0);
	CHECK(st.recv_priority, 7);
	CHECK(mbox_close(fd), 0);

	/* A message priority needs priority delivery. */
	attr.delivery = MBOX_DELIVER_QUEUE;
	fd = mbox_create(name, MBOX_EXCL | MBOX_OWNED, &attr);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(mbox_send_prio(fd, "x", 1, 1), -EINVAL);
	CHECK(mbox_send_prio(fd, "x", 1, 0), 0);
	CHECK(mbox_receive(fd, buf, sizeof(buf), &info), 1);
	CHECK(info.priority, 0);
	CHECK(mbox_close(fd), 0);
}

static void check_live_broadcast(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_stat st;
	char name[MBOX_NAME_MAX + 1], buf[16];
	unsigned int receivers = 7;
	int fd, s1, s2;

	snprintf(name, sizeof(name), "apicheck-bc-%d", (int)getpid());
	attr.capacity = 0;
	attr.msg_size_max = 16;
	attr.delivery = MBOX_DELIVER_BROADCAST;
	CHECK(mbox_create(name, MBOX_EXCL, &attr), -EINVAL);
	attr.capacity = 2;
	fd = mbox_create(name, MBOX_EXCL | MBOX_OWNED | MBOX_SEND_ONLY, &attr);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(mbox_send_priox(fd, "lost", 4, 0, 0, NULL, &receivers), 0);
	CHECK(receivers, 0);
	s1 = mbox_open(name, MBOX_RECV_ONLY);
	s2 = mbox_open(name, MBOX_RECV_ONLY);
	CHECK(s1 >= 0 && s2 >= 0, 1);
	CHECK(mbox_sendx(fd, "a", 1, MBOX_F_WAIT, NULL, NULL), -EINVAL);
	CHECK(mbox_send_priox(fd, "a", 1, 0, 0, NULL, &receivers), 0);
	CHECK(receivers, 2);
	CHECK(mbox_send(fd, "b", 1), 0);
	CHECK(mbox_trysend(fd, "c", 1), -EAGAIN);	/* both are 2 behind */
	CHECK(mbox_stat(s1, &st), 0);
	CHECK(st.delivery, MBOX_DELIVER_BROADCAST);
	CHECK(st.subscribers, 2);
	CHECK(st.backlog, 2);
	CHECK(st.depth, 2);
	CHECK(mbox_receive(s1, buf, sizeof(buf), NULL), 1);
	CHECK(buf[0], 'a');
	CHECK(mbox_receive(s1, buf, sizeof(buf), NULL), 1);
	CHECK(buf[0], 'b');
	CHECK(mbox_tryreceive(s1, buf, sizeof(buf), NULL), -EAGAIN);
	CHECK(mbox_stat(s1, &st), 0);
	CHECK(st.backlog, 0);
	CHECK(st.depth, 2);				/* s2 has read nothing */
	CHECK(mbox_receive_from(s2, getpid(), buf, sizeof(buf), NULL),
	      -EINVAL);
	CHECK(mbox_close(s2), 0);			/* releases its share */
	CHECK(mbox_stat(s1, &st), 0);
	CHECK(st.depth, 0);
	CHECK(st.subscribers, 1);
	CHECK(mbox_trysend(fd, "c", 1), 0);
	CHECK(mbox_receive(s1, buf, sizeof(buf), NULL), 1);
	CHECK(buf[0], 'c');
	CHECK(mbox_close(s1), 0);
	CHECK(mbox_close(fd), 0);
}

static void check_live_direct(void)
{
	struct mbox_direct_attr dattr = MBOX_DIRECT_ATTR_INIT;
	struct mbox_msginfo info;
	struct mbox_stat st;
	char name[MBOX_NAME_MAX + 1], buf[16];
	pid_t me = getpid(), child, parent = getppid();
	int fd, fd2, named, status;

	/* Nobody has a direct mailbox yet: not our parent, not us. */
	CHECK(mbox_send_to(MBOX_ANY_FD, parent, "x", 1), -ESRCH);
	CHECK(mbox_send_to(MBOX_ANY_FD, me, "x", 1), -ESRCH);

	dattr.capacity = 4;
	dattr.msg_size_max = 16;
	fd = mbox_direct_open(&dattr, 0);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	fd2 = mbox_direct_open(NULL, MBOX_NONBLOCK);	/* the same one */
	CHECK(fd2 >= 0, 1);
	CHECK(mbox_stat(fd2, &st), 0);
	snprintf(name, sizeof(name), "pid/%d", (int)me);
	CHECK(strcmp(st.name, name), 0);
	CHECK(st.flags & MBOX_STAT_DIRECT, MBOX_STAT_DIRECT);
	CHECK(st.owner_pid, me);
	CHECK(st.access, MBOX_ACCESS_RECV);
	CHECK(st.capacity, 4);
	CHECK(st.msg_size_max, 16);
	CHECK(mbox_close(fd2), 0);

	/* By pid, through any descriptor: MBOX_ANY_FD or a named one. */
	snprintf(name, sizeof(name), "apicheck-d-%d", (int)me);
	named = mbox_create(name, MBOX_EXCL | MBOX_OWNED, NULL);
	CHECK(named >= 0, 1);
	CHECK(mbox_send_to(MBOX_ANY_FD, me, "one", 3), 0);
	CHECK(mbox_send_to(named, me, "two", 3), 0);
	CHECK(mbox_direct_policy(named, MBOX_POLICY_ANY, NULL, 0), -EINVAL);
	CHECK(mbox_close(named), 0);

	child = fork();
	if (child == 0)
		_exit(mbox_send_to(MBOX_ANY_FD, me, "kid", 3) ? 1 : 0);
	CHECK(waitpid(child, &status, 0), child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);

	/* From the child first, though its message is the last. */
	CHECK(mbox_receive_from(fd, child, buf, sizeof(buf), &info), 3);
	CHECK(memcmp(buf, "kid", 3), 0);
	CHECK(info.sender_pid, child);
	CHECK(mbox_receive_from(fd, 0, buf, sizeof(buf), &info), 3);
	CHECK(memcmp(buf, "one", 3), 0);
	CHECK(info.sender_pid, me);
	/* Nothing from the (dead) child: -ESRCH rather than sleeping. */
	CHECK(mbox_receive_from(fd, child, buf, sizeof(buf), NULL), -ESRCH);
	CHECK(mbox_receive_fromx(fd, me, NULL, 0, MBOX_F_PEEK, NULL, &info), 3);
	CHECK(mbox_receive_from(fd, me, buf, sizeof(buf), NULL), 3);
	CHECK(memcmp(buf, "two", 3), 0);

	/* Policies: only our parent may send; then anyone again. */
	CHECK(mbox_direct_policy(fd, MBOX_POLICY_LIST, &parent, 1), 0);
	CHECK(mbox_send_to(MBOX_ANY_FD, me, "x", 1), -EACCES);
	CHECK(mbox_direct_policy(fd, MBOX_POLICY_UID, NULL, 0), 0);
	CHECK(mbox_send_to(MBOX_ANY_FD, me, "y", 1), 0);
	CHECK(mbox_direct_policy(fd, MBOX_POLICY_ANY, NULL, 0), 0);
	CHECK(mbox_tryreceive(fd, buf, sizeof(buf), NULL), 1);
	CHECK(buf[0], 'y');
	CHECK(mbox_send(fd, "z", 1), -EBADF);		/* receive-only */

	CHECK(mbox_close(fd), 0);	/* the last descriptor: destroyed */
	CHECK(mbox_send_to(MBOX_ANY_FD, me, "x", 1), -ESRCH);
}

/* The 1.0 versions against a live mailbox: no write past 1.0 sizes. */
static void check_live_v10(void)
{
	unsigned char info[sizeof(struct mbox_msginfo) + 16];
	unsigned char st[sizeof(struct mbox_stat) + 16];
	struct {
		struct attr_v10 a;
		unsigned int junk;
	} old = { { 2, 16, 0600 }, 99 };
	char name[MBOX_NAME_MAX + 1], buf[16];
	struct mbox_stat st11;
	int fd, created = -1;

	snprintf(name, sizeof(name), "apicheck-v10-%d", (int)getpid());
	fd = old_createx(name, MBOX_EXCL | MBOX_OWNED, &old.a, &created);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(created, 1);
	memset(st, CANARY, sizeof(st));
	CHECK(old_stat(fd, st), 0);
	CHECK(canary_intact(st, STAT_V10_SIZE, sizeof(st)), 1);
	memcpy(&st11, st, STAT_V10_SIZE);
	CHECK(st11.capacity, 2);
	CHECK(strcmp(st11.name, name), 0);
	CHECK(mbox_stat(fd, &st11), 0);
	CHECK(st11.delivery, MBOX_DELIVER_QUEUE);	/* junk not read */

	CHECK(mbox_send(fd, "old", 3), 0);
	memset(info, CANARY, sizeof(info));
	CHECK(old_receive(fd, buf, sizeof(buf), info), 3);
	CHECK(canary_intact(info, MSGINFO_V10_SIZE, sizeof(info)), 1);
	CHECK(((struct mbox_msginfo *)(void *)info)->len, 3);
	memset(info, CANARY, sizeof(info));
	CHECK(old_receivex(fd, buf, sizeof(buf), MBOX_F_NONBLOCK, NULL, info),
	      -EAGAIN);
	CHECK(canary_intact(info, MSGINFO_V10_SIZE, sizeof(info)), 1);
	CHECK(mbox_close(fd), 0);
}

/* The mapped-mailbox calls' own checks (since 1.4). */
static void check_args_map(void)
{
	struct timespec bad = { .tv_sec = 0, .tv_nsec = 1000000000L };
	struct mbox_map *m = NULL;
	const void *cbuf;
	void *buf;

	CHECK(mbox_map(-1, 0, &m), -EINVAL);
	CHECK(mbox_map(-1, MBOX_MAP_PRODUCER | MBOX_MAP_CONSUMER, &m), -EINVAL);
	CHECK(mbox_map(-1, MBOX_MAP_PRODUCER | 0x100, &m), -EINVAL);
	CHECK(mbox_map(-1, MBOX_MAP_PRODUCER, NULL), -EINVAL);
	CHECK(mbox_map(-1, MBOX_MAP_PRODUCER, &m), -EBADF);
	CHECK(m == NULL, 1);
	CHECK(mbox_map_close(NULL), -EINVAL);
	CHECK(mbox_map_fd(NULL), -EINVAL);
	CHECK(mbox_map_send(NULL, "", 0, 0, NULL), -EINVAL);
	CHECK(mbox_map_receive(NULL, NULL, 0, 0, NULL), -EINVAL);
	CHECK(mbox_map_reserve(NULL, &buf, 0, NULL), -EINVAL);
	CHECK(mbox_map_commit(NULL, 0), -EINVAL);
	CHECK(mbox_map_peek(NULL, &cbuf, 0, &bad), -EINVAL);
	CHECK(mbox_map_release(NULL), -EINVAL);
}

/* A mapped mailbox through the library, both sides in this process. */
static void check_live_map(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct timespec bad = { .tv_sec = 0, .tv_nsec = 1000000000L };
	struct mbox_map *p = NULL, *c = NULL;
	char name[MBOX_NAME_MAX + 1], buf[16];
	struct mbox_stat st;
	const void *in;
	void *out;
	int fd, rfd;

	snprintf(name, sizeof(name), "apicheck-map-%d", (int)getpid());
	attr.capacity = 3;
	CHECK(mbox_create(name, MBOX_EXCL | MBOX_MAPPED, &attr), -EINVAL);
	attr.capacity = 2;
	attr.msg_size_max = 16;
	fd = mbox_create(name, MBOX_EXCL | MBOX_MAPPED | MBOX_SEND_ONLY, &attr);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	rfd = mbox_open(name, MBOX_RECV_ONLY);
	CHECK(rfd >= 0, 1);
	CHECK(mbox_stat(fd, &st), 0);
	CHECK(st.flags & MBOX_STAT_MAPPED, MBOX_STAT_MAPPED);
	CHECK(mbox_send(fd, "x", 1), -EOPNOTSUPP);
	CHECK(mbox_map(fd, MBOX_MAP_CONSUMER, &c), -EBADF);
	CHECK(mbox_map(fd, MBOX_MAP_PRODUCER, &p), 0);
	CHECK(mbox_map(rfd, MBOX_MAP_CONSUMER | MBOX_MAP_NOSPIN, &c), 0);
	if (!p || !c)
		goto out;
	CHECK(mbox_map_fd(p), fd);
	CHECK(mbox_map_receive(c, buf, sizeof(buf), MBOX_F_NONBLOCK, NULL),
	      -EAGAIN);
	CHECK(mbox_map_send(p, "hello", 5, MBOX_F_NONBLOCK, &bad), -EINVAL);
	CHECK(mbox_map_send(p, buf, 17, 0, NULL), -EMSGSIZE);
	CHECK(mbox_map_send(p, "hello", 5, 0, NULL), 0);
	CHECK(mbox_map_reserve(p, &out, 0, NULL), 16);
	memcpy(out, "world!", 6);
	CHECK(mbox_map_commit(p, 6), 0);
	CHECK(mbox_map_commit(p, 6), -EINVAL);
	CHECK(mbox_map_send(p, "x", 1, MBOX_F_NONBLOCK, NULL), -EAGAIN);
	CHECK(mbox_map_receive(c, buf, 4, 0, NULL), -EMSGSIZE);
	CHECK(mbox_map_receive(c, buf, sizeof(buf), 0, NULL), 5);
	CHECK(memcmp(buf, "hello", 5), 0);
	CHECK(mbox_map_peek(c, &in, 0, NULL), 6);
	CHECK(memcmp(in, "world!", 6), 0);
	CHECK(mbox_map_release(c), 0);
	CHECK(mbox_map_release(c), -EINVAL);
	CHECK(mbox_stat(rfd, &st), 0);
	CHECK((int)st.depth, 0);
	CHECK((int)st.received, 2);
	/* The producer gone, the consumer finds an empty ring: -EPIPE. */
	CHECK(mbox_map_close(p), 0);
	p = NULL;
	close(fd);
	fd = -1;
	CHECK(mbox_map_receive(c, buf, sizeof(buf), 0, NULL), -EPIPE);
out:
	if (p)
		mbox_map_close(p);
	if (c)
		mbox_map_close(c);
	if (fd >= 0)
		close(fd);
	if (rfd >= 0)
		close(rfd);
	mbox_unlink(name);
}

int main(void)
{
	check_args();
	check_args_map();
	check_args_v11();
	check_args_v10();
	if (access(MBOX_DEVICE, F_OK)) {
		printf("apicheck: %s missing: checking -ENOENT\n", MBOX_DEVICE);
		check_nodev();
	} else {
		printf("apicheck: %s present: live round trip\n", MBOX_DEVICE);
		check_live();
		check_live_prio();
		check_live_broadcast();
		check_live_direct();
		check_live_v10();
		check_live_map();
	}
	printf("apicheck: %s (%d failures)\n", failures ? "FAIL" : "ok",
	       failures);
	return failures ? 1 : 0;
}
