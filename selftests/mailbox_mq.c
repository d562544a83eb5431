// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX message queues: the conformance of libmailbox-mq (userspace/mq/),
 * one test per item of issue 15's list. Built twice from this file: in the
 * kselftests against libmailbox-mq.a (MQ_ON_MAILBOX defined; run in the
 * VM), and by scripts/userspace-check.sh against the C library's own mq_*
 * (-lrt; run on the host, on the kernel's POSIX mq), where every test must
 * pass too: that proves the test. Where Linux and POSIX disagree and the
 * library follows POSIX, MQ_ON_MAILBOX selects the expectation (one place:
 * timed_bad_nsec_not_blocking). Needs root (setuid() children, and the
 * kernel's /proc/sys/fs/mqueue/msg_max, which a native run raises to 256
 * so that an unprivileged queue of 64 messages is allowed there too, and
 * restores).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#define NOBODY		65534
#define WAIT_MS		100	/* how long "nothing happens" is watched */

#ifdef MQ_ON_MAILBOX
#include <sys/ioctl.h>
#include <linux/kmailbox.h>

/*
 * Whether the module has issue 15's calls (MAILBOX_IOC_NOTIFY, ioctl 0x17,
 * stands for them all). Without them the library degrades as its man page
 * says: the tests of long names, priorities above 31 and mq_notify() check
 * that and skip the rest.
 */
static bool module_wide(void)
{
	struct mailbox_version v = { 0 };
	int fd = open("/dev/mailbox", O_RDWR | O_CLOEXEC);
	bool wide = false;

	if (fd >= 0) {
		wide = !ioctl(fd, MAILBOX_IOC_VERSION, &v) &&
		       (v.ioctls & (1ULL << 0x17));
		close(fd);
	}
	return wide;
}
#else
static bool module_wide(void)
{
	return true;
}
#endif

/* Without the module's issue 15 calls: @call fails with @err, then skip. */
#define NEED_WIDE(call, err, what)					\
	do {								\
		if (!module_wide()) {					\
			errno = 0;					\
			EXPECT_EQ(-1, (call));				\
			EXPECT_EQ(err, errno);				\
			SKIP(return, "module before 1.5: %s", what);	\
		}							\
	} while (0)

static const char *impl =
#ifdef MQ_ON_MAILBOX
	"libmailbox-mq";
#else
	"native";
#endif

/* A queue name unique to this test process. */
static const char *qname(const char *tag)
{
	static char buf[NAME_MAX + 2];

	snprintf(buf, sizeof(buf), "/mbt-mq-%s-%d", tag, getpid());
	return buf;
}

static mqd_t mkq(const char *name, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	mq_unlink(name);
	return mq_open(name, flags | O_CREAT | O_EXCL, 0600, &a);
}

static struct timespec rt_after_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run @fn(@arg) in a child as uid/gid @uid; its exit status. */
static int as_user(uid_t uid, int (*fn)(void *), void *arg)
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		if (setgid(uid) || setuid(uid))
			_exit(100);
		_exit(fn(arg));
	}
	if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#ifndef MQ_ON_MAILBOX
/*
 * The kernel's mq lets an unprivileged user make queues of msg_max
 * messages at most (10 by default): raised for the run, restored after.
 */
static long saved_msg_max;
static pid_t saved_pid;

static long sysctl_rw(const char *f, long v)
{
	char path[64];
	long old = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", f);
	fp = fopen(path, "r+");
	if (!fp)
		return -1;
	if (fscanf(fp, "%ld", &old) == 1 && v > 0) {
		rewind(fp);
		fprintf(fp, "%ld", v);
	}
	fclose(fp);
	return old;
}

static void restore_msg_max(void)
{
	if (getpid() == saved_pid && saved_msg_max > 0)
		sysctl_rw("msg_max", saved_msg_max);
}

__attribute__((constructor)) static void raise_msg_max(void)
{
	saved_pid = getpid();
	saved_msg_max = sysctl_rw("msg_max", 0);
	if (saved_msg_max > 0 && saved_msg_max < 256) {
		sysctl_rw("msg_max", 256);
		atexit(restore_msg_max);
	} else {
		saved_msg_max = 0;
	}
}
#endif

/* ---- names ---------------------------------------------------------- */

TEST(name_without_slash_einval)
{
	errno = 0;
	EXPECT_EQ(-1, mq_open("mbt-mq-noslash", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_unlink("mbt-mq-noslash"));
	EXPECT_EQ(EINVAL, errno);
}

TEST(name_slash_only_enoent)
{
	errno = 0;
	EXPECT_EQ(-1, mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_unlink("/"));
	EXPECT_EQ(ENOENT, errno);
}

TEST(name_two_components_eacces)
{
	static const char * const bad[] = { "/mbt-a/b", "//mbt-x", "/.", "/.." };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, mq_open(bad[i], O_RDWR | O_CREAT, 0600, NULL))
			TH_LOG("%s", bad[i]);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", bad[i]);
	}
}

/* NAME_MAX bytes after the slash work; one more is ENAMETOOLONG. */
TEST(name_max_length)
{
	char name[NAME_MAX + 3];
	mqd_t q;

	memset(name, 'm', sizeof(name));
	name[0] = '/';
	snprintf(name + 1, 16, "%d-", getpid());
	name[strlen(name)] = 'm';
	name[NAME_MAX + 1] = '\0';
	mq_unlink(name);
	NEED_WIDE(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL),
		  ENAMETOOLONG, "names stop at 63 bytes (ENAMETOOLONG)");
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	ASSERT_LE(0, q) TH_LOG("%s: %s", impl, strerror(errno));
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	EXPECT_EQ(0, mq_close(q));
	q = mq_open(name, O_RDONLY);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, mq_close(q));
	EXPECT_EQ(0, mq_unlink(name));

	name[NAME_MAX + 1] = 'm';
	name[NAME_MAX + 2] = '\0';
	errno = 0;
	EXPECT_EQ(-1, mq_open(name, O_RDWR | O_CREAT, 0600, NULL));
	EXPECT_EQ(ENAMETOOLONG, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_unlink(name));
	EXPECT_EQ(ENAMETOOLONG, errno);
}

TEST(open_missing_enoent_unlink_enoent)
{
	const char *n = qname("missing");

	mq_unlink(n);
	errno = 0;
	EXPECT_EQ(-1, mq_open(n, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_unlink(n));
	EXPECT_EQ(ENOENT, errno);
}

TEST(creat_excl_eexist)
{
	const char *n = qname("excl");
	mqd_t q = mkq(n, O_RDWR, 4, 16), q2;
	struct mq_attr a;

	ASSERT_LE(0, q);
	errno = 0;
	EXPECT_EQ(-1, mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
	EXPECT_EQ(EEXIST, errno);
	/* Without O_EXCL it opens the queue; attr is ignored, even bad. */
	q2 = mq_open(n, O_RDWR | O_CREAT, 0600,
		     &(struct mq_attr){ .mq_maxmsg = 0, .mq_msgsize = 0 });
	ASSERT_LE(0, q2);
	EXPECT_EQ(0, mq_send(q, "abc", 3, 0));
	EXPECT_EQ(0, mq_getattr(q2, &a));
	EXPECT_EQ(4, a.mq_maxmsg);
	EXPECT_EQ(16, a.mq_msgsize);
	EXPECT_EQ(1, a.mq_curmsgs);
	mq_close(q2);
	mq_close(q);
	mq_unlink(n);
}

static int open_rdonly(void *n)
{
	mqd_t q = mq_open(n, O_RDONLY);

	return q >= 0 ? 0 : errno;
}

static int unlink_it(void *n)
{
	return mq_unlink(n) ? errno : 0;
}

/* The mode decides who may open; only the owner may unlink (EACCES). */
TEST(mode_eacces)
{
	const char *n = qname("mode");
	mqd_t q = mkq(n, O_RDWR, 4, 16);

	ASSERT_LE(0, q);
	EXPECT_EQ(EACCES, as_user(NOBODY, open_rdonly, (void *)n));
	EXPECT_EQ(EACCES, as_user(NOBODY, unlink_it, (void *)n));
	EXPECT_EQ(0, mq_close(q));
	EXPECT_EQ(0, mq_unlink(n));
}

/* The mode is masked with the umask, as open(2)'s. */
TEST(mode_umask_applied)
{
	const char *n = qname("umask");
	mode_t old = umask(0);
	mqd_t q;

	mq_unlink(n);
	q = mq_open(n, O_RDWR | O_CREAT, 0644, NULL);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, as_user(NOBODY, open_rdonly, (void *)n));
	mq_close(q);
	mq_unlink(n);

	umask(077);
	q = mq_open(n, O_RDWR | O_CREAT, 0644, NULL);
	umask(old);
	ASSERT_LE(0, q);
	EXPECT_EQ(EACCES, as_user(NOBODY, open_rdonly, (void *)n));
	mq_close(q);
	mq_unlink(n);
}

/* Access modes: O_RDONLY cannot send, O_WRONLY cannot receive. */
TEST(access_modes_ebadf)
{
	const char *n = qname("acc");
	mqd_t q = mkq(n, O_RDWR, 4, 16), r, w;
	char buf[16];

	ASSERT_LE(0, q);
	r = mq_open(n, O_RDONLY);
	w = mq_open(n, O_WRONLY);
	ASSERT_LE(0, r);
	ASSERT_LE(0, w);
	errno = 0;
	EXPECT_EQ(-1, mq_send(r, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, mq_send(w, "x", 1, 0));
	errno = 0;
	EXPECT_EQ(-1, mq_receive(w, buf, sizeof(buf), NULL));
	EXPECT_EQ(EBADF, errno);
	/* EBADF before EMSGSIZE */
	errno = 0;
	EXPECT_EQ(-1, mq_receive(w, buf, 1, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, mq_receive(r, buf, sizeof(buf), NULL));
	/* O_ACCMODE on an existing queue */
	errno = 0;
	EXPECT_EQ(-1, mq_open(n, O_ACCMODE));
	EXPECT_EQ(EINVAL, errno);
	mq_close(r);
	mq_close(w);
	mq_close(q);
	mq_unlink(n);
}

TEST(bad_descriptor_ebadf)
{
	const char *n = qname("ebadf");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct mq_attr a;
	char buf[16];
	int pfd[2];

	ASSERT_LE(0, q);
	mq_close(q);
	mq_unlink(n);
	errno = 0;
	EXPECT_EQ(-1, mq_send(q, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_getattr(q, &a));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_close(q));
	EXPECT_EQ(EBADF, errno);
	/* A descriptor that is not a queue. */
	ASSERT_EQ(0, pipe(pfd));
	errno = 0;
	EXPECT_EQ(-1, mq_send(pfd[1], "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_receive(pfd[0], buf, sizeof(buf), NULL));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_getattr(pfd[0], &a));
	EXPECT_EQ(EBADF, errno);
	close(pfd[0]);
	close(pfd[1]);
}

/* ---- attributes ----------------------------------------------------- */

TEST(attr_validated_einval)
{
	static const long bad[][2] = { { 0, 16 }, { 4, 0 }, { -1, 16 },
				       { 4, -1 } };
	const char *n = qname("attr");
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, mkq(n, O_RDWR, bad[i][0], bad[i][1]))
			TH_LOG("maxmsg %ld msgsize %ld", bad[i][0], bad[i][1]);
		EXPECT_EQ(EINVAL, errno);
	}
	mq_unlink(n);
}

static int make_64(void *n)
{
	mqd_t q = mkq(n, O_RDWR, 64, 128);
	struct mq_attr a;
	int i;

	if (q < 0)
		return errno;
	for (i = 0; i < 64; i++)
		if (mq_send(q, "sixty-four", 10, 0))
			return 200;
	if (mq_getattr(q, &a) || a.mq_curmsgs != 64 || a.mq_maxmsg != 64)
		return 201;
	mq_close(q);
	return mq_unlink(n) ? 202 : 0;
}

TEST(unprivileged_64_messages)
{
	EXPECT_EQ(0, as_user(NOBODY, make_64, (void *)qname("u64")));
}

static long sysctl_value(const char *f, long dflt)
{
	char path[64];
	long v = dflt;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", f);
	fp = fopen(path, "r");
	if (fp) {
		if (fscanf(fp, "%ld", &v) != 1)
			v = dflt;
		fclose(fp);
	}
	return v;
}

/* attr NULL: msg_default and msgsize_default, capped by the maximums. */
TEST(attr_null_linux_defaults)
{
	long msgs = sysctl_value("msg_default", 10);
	long size = sysctl_value("msgsize_default", 8192);
	long msgs_max = sysctl_value("msg_max", msgs);
	long size_max = sysctl_value("msgsize_max", size);
	const char *n = qname("dflt");
	struct mq_attr a;
	mqd_t q;

	mq_unlink(n);
	q = mq_open(n, O_RDWR | O_CREAT, 0600, NULL);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(msgs < msgs_max ? msgs : msgs_max, a.mq_maxmsg);
	EXPECT_EQ(size < size_max ? size : size_max, a.mq_msgsize);
	EXPECT_EQ(0, a.mq_curmsgs);
	EXPECT_EQ(0, a.mq_flags);
	mq_close(q);
	mq_unlink(n);
}

/* ---- priorities ----------------------------------------------------- */

TEST(prio_max_sysconf_einval)
{
	const char *n = qname("pmax");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	unsigned int p;
	char buf[16];

	ASSERT_LE(0, q);
	EXPECT_EQ(32768, sysconf(_SC_MQ_PRIO_MAX));
	errno = 0;
	EXPECT_EQ(-1, mq_send(q, "x", 1, 32768));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, mq_send(q, "x", 1, UINT_MAX));
	EXPECT_EQ(EINVAL, errno);
	NEED_WIDE(mq_send(q, "x", 1, 32), EINVAL, "priorities stop at 31 (EINVAL)");
	ASSERT_EQ(0, mq_send(q, "top", 3, 32767)) TH_LOG("%s: %s", impl,
							 strerror(errno));
	EXPECT_EQ(3, mq_receive(q, buf, sizeof(buf), &p));
	EXPECT_EQ(32767U, p);
	mq_close(q);
	mq_unlink(n);
}

/*
 * Every one of the 32768 levels is distinct and ordered: 64 levels at a
 * time, sent in a scrambled order, come back highest first; and one
 * message of every 512th level, sent lowest first, comes back highest
 * first.
 */
TEST(prio_every_level_ordered)
{
	const char *n = qname("plevels");
	mqd_t q = mkq(n, O_RDWR, 64, 8);
	unsigned int base, i, p, got;
	char buf[8];

	ASSERT_LE(0, q);
	NEED_WIDE(mq_send(q, "x", 1, 32), EINVAL, "priorities stop at 31 (EINVAL)");
	for (base = 0; base < 32768; base += 64) {
		for (i = 0; i < 64; i++) {
			p = base + ((i * 37) & 63);
			ASSERT_EQ(0, mq_send(q, (char *)&p, sizeof(p), p)) {
				TH_LOG("%s: prio %u: %s", impl, p, strerror(errno));
			}
		}
		for (i = 0; i < 64; i++) {
			ASSERT_EQ((ssize_t)sizeof(p), mq_receive(q, buf, sizeof(buf), &got));
			memcpy(&p, buf, sizeof(p));
			ASSERT_EQ(base + 63 - i, got);
			ASSERT_EQ(got, p);
		}
	}
	for (p = 0; p < 32768; p += 512) {
		ASSERT_EQ(0, mq_send(q, (char *)&p, sizeof(p), p));
	}
	for (i = 64; i-- > 0;) {
		ASSERT_EQ((ssize_t)sizeof(p), mq_receive(q, buf, sizeof(buf), &got));
		EXPECT_EQ(i * 512, got);
	}
	mq_close(q);
	mq_unlink(n);
}

TEST(prio_fifo_within_level)
{
	const char *n = qname("pfifo");
	mqd_t q = mkq(n, O_RDWR, 12, 8);
	static const unsigned int prios[] = { 5, 0, 5, 200, 0, 5, 200, 0 };
	static const char order[] = "36 025 147";	/* by index */
	unsigned int i, p;
	char buf[8];
	int k = 0;

	ASSERT_LE(0, q);
	NEED_WIDE(mq_send(q, "x", 1, 200), EINVAL, "priorities stop at 31 (EINVAL)");
	for (i = 0; i < 8; i++) {
		buf[0] = '0' + i;
		ASSERT_EQ(0, mq_send(q, buf, 1, prios[i]));
	}
	for (i = 0; order[i]; i++) {
		if (order[i] == ' ')
			continue;
		ASSERT_EQ(1, mq_receive(q, buf, sizeof(buf), &p));
		EXPECT_EQ(order[i], buf[0]) TH_LOG("message %d", k);
		k++;
	}
	mq_close(q);
	mq_unlink(n);
}

/* ---- sizes ---------------------------------------------------------- */

TEST(receive_small_buffer_emsgsize)
{
	const char *n = qname("emsg");
	mqd_t q = mkq(n, O_RDWR, 4, 64);
	char buf[128];

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_send(q, "tiny", 4, 0));
	errno = 0;
	EXPECT_EQ(-1, mq_receive(q, buf, 63, NULL));
	EXPECT_EQ(EMSGSIZE, errno);
	/* The message is still there. */
	EXPECT_EQ(4, mq_receive(q, buf, 64, NULL));
	errno = 0;
	EXPECT_EQ(-1, mq_send(q, buf, 65, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(0, mq_send(q, buf, 64, 0));
	EXPECT_EQ(0, mq_send(q, buf, 0, 0));
	EXPECT_EQ(64, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, mq_receive(q, buf, sizeof(buf), NULL));
	mq_close(q);
	mq_unlink(n);
}

/* ---- blocking, timeouts --------------------------------------------- */

TEST(nonblock_eagain)
{
	const char *n = qname("nonblk");
	mqd_t q = mkq(n, O_RDWR | O_NONBLOCK, 1, 16);
	char buf[16];

	ASSERT_LE(0, q);
	errno = 0;
	EXPECT_EQ(-1, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	errno = 0;
	EXPECT_EQ(-1, mq_send(q, "x", 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	mq_close(q);
	mq_unlink(n);
}

TEST(timed_etimedout_realtime)
{
	const char *n = qname("tmo");
	mqd_t q = mkq(n, O_RDWR, 1, 16);
	struct timespec abs, t0;
	char buf[16];

	ASSERT_LE(0, q);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	abs = rt_after_ms(WAIT_MS);
	errno = 0;
	EXPECT_EQ(-1, mq_timedreceive(q, buf, sizeof(buf), NULL, &abs));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(WAIT_MS - 5, ms_since(&t0));
	ASSERT_EQ(0, mq_send(q, "x", 1, 0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	abs = rt_after_ms(WAIT_MS);
	errno = 0;
	EXPECT_EQ(-1, mq_timedsend(q, "y", 1, 0, &abs));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_LE(WAIT_MS - 5, ms_since(&t0));
	/*
	 * The clock is CLOCK_REALTIME: a CLOCK_MONOTONIC reading (seconds
	 * since boot) is long past as a realtime date.
	 */
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 3600;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	EXPECT_EQ(-1, mq_timedsend(q, "y", 1, 0, &abs));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_GT(WAIT_MS, ms_since(&t0));
	mq_close(q);
	mq_unlink(n);
}

/* A timeout already past does not matter when the call need not block. */
TEST(timed_past_not_blocking_succeeds)
{
	const char *n = qname("past");
	mqd_t q = mkq(n, O_RDWR, 1, 16);
	struct timespec past = { .tv_sec = 1, .tv_nsec = 0 };
	char buf[16];

	ASSERT_LE(0, q);
	EXPECT_EQ(0, mq_timedsend(q, "x", 1, 0, &past));
	EXPECT_EQ(1, mq_timedreceive(q, buf, sizeof(buf), NULL, &past));
	mq_close(q);
	mq_unlink(n);
}

TEST(timed_bad_nsec_blocking_einval)
{
	const char *n = qname("nsec");
	mqd_t q = mkq(n, O_RDWR, 1, 16);
	struct timespec bad = { .tv_sec = time(NULL) + 10,
				.tv_nsec = 1000000000L };
	char buf[16];

	ASSERT_LE(0, q);
	errno = 0;
	EXPECT_EQ(-1, mq_timedreceive(q, buf, sizeof(buf), NULL, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad.tv_nsec = -1;
	ASSERT_EQ(0, mq_send(q, "x", 1, 0));
	errno = 0;
	EXPECT_EQ(-1, mq_timedsend(q, "y", 1, 0, &bad));
	EXPECT_EQ(EINVAL, errno);
	mq_close(q);
	mq_unlink(n);
}

/*
 * POSIX: the validity of abs_timeout "need not be checked" when the call
 * does not block; the library does not (the call succeeds). Linux checks it
 * first (EINVAL): the native run expects that.
 */
TEST(timed_bad_nsec_not_blocking)
{
	const char *n = qname("nsecnb");
	mqd_t q = mkq(n, O_RDWR, 2, 16);
	struct timespec bad = { .tv_sec = 0, .tv_nsec = 1000000000L };
	char buf[16];
	int want_ret, want_err;

#ifdef MQ_ON_MAILBOX
	want_ret = 0;
	want_err = 0;
#else
	want_ret = -1;
	want_err = EINVAL;
#endif
	ASSERT_LE(0, q);
	errno = 0;
	EXPECT_EQ(want_ret, mq_timedsend(q, "x", 1, 0, &bad));
	EXPECT_EQ(want_err, errno);
	ASSERT_EQ(0, mq_send(q, "z", 1, 0));
	errno = 0;
	EXPECT_EQ(want_ret ? -1 : 1,
		  mq_timedreceive(q, buf, sizeof(buf), NULL, &bad));
	EXPECT_EQ(want_err, errno);
	mq_close(q);
	mq_unlink(n);
}

/* ---- descriptors: fork, exec, mq_setattr ---------------------------- */

TEST(fork_shares_description)
{
	const char *n = qname("fork");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct mq_attr a = { .mq_flags = O_NONBLOCK };
	char buf[16];
	int st;
	pid_t p;

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_send(q, "from parent", 11, 3));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		unsigned int prio;

		if (mq_receive(q, buf, sizeof(buf), &prio) != 11 || prio != 3)
			_exit(1);
		if (mq_send(q, "from child", 10, 1))
			_exit(2);
		/* The flag of the shared description. */
		_exit(mq_setattr(q, &a, NULL) ? 3 : 0);
	}
	ASSERT_EQ(p, waitpid(p, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(10, mq_receive(q, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, mq_getattr(q, &a));
	EXPECT_EQ(O_NONBLOCK, a.mq_flags);
	errno = 0;
	EXPECT_EQ(-1, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(EAGAIN, errno);
	mq_close(q);
	mq_unlink(n);
}

TEST(closed_on_exec)
{
	const char *n = qname("cloexec");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	char cmd[64];
	int st;
	pid_t p;

	ASSERT_LE(0, q);
	EXPECT_EQ(FD_CLOEXEC, fcntl(q, F_GETFD) & FD_CLOEXEC);
	/* After exec the number is free: the shell's test -e fails. */
	snprintf(cmd, sizeof(cmd), "test -e /proc/self/fd/%d", q);
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(p, waitpid(p, &st, 0));
	EXPECT_EQ(1, WEXITSTATUS(st));
	mq_close(q);
	mq_unlink(n);
}

TEST(setattr_only_nonblock)
{
	const char *n = qname("setattr");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct mq_attr a = { .mq_flags = O_NONBLOCK, .mq_maxmsg = 99,
			     .mq_msgsize = 99, .mq_curmsgs = 99 }, old, now;

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_send(q, "x", 1, 0));
	ASSERT_EQ(0, mq_setattr(q, &a, &old));
	EXPECT_EQ(0, old.mq_flags);
	EXPECT_EQ(4, old.mq_maxmsg);
	EXPECT_EQ(16, old.mq_msgsize);
	EXPECT_EQ(1, old.mq_curmsgs);
	ASSERT_EQ(0, mq_getattr(q, &now));
	EXPECT_EQ(O_NONBLOCK, now.mq_flags);
	EXPECT_EQ(4, now.mq_maxmsg);
	EXPECT_EQ(16, now.mq_msgsize);
	EXPECT_EQ(1, now.mq_curmsgs);
	EXPECT_EQ(O_NONBLOCK, fcntl(q, F_GETFL) & O_NONBLOCK);
	a.mq_flags = O_NONBLOCK | O_APPEND;
	errno = 0;
	EXPECT_EQ(-1, mq_setattr(q, &a, NULL));
	EXPECT_EQ(EINVAL, errno);
	a.mq_flags = 0;
	EXPECT_EQ(0, mq_setattr(q, &a, NULL));
	ASSERT_EQ(0, mq_getattr(q, &now));
	EXPECT_EQ(0, now.mq_flags);
	mq_close(q);
	mq_unlink(n);
}

TEST(unlink_while_open)
{
	const char *n = qname("unl");
	mqd_t q = mkq(n, O_RDWR, 4, 16), q2;
	char buf[16];

	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_unlink(n));
	errno = 0;
	EXPECT_EQ(-1, mq_open(n, O_RDWR));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, mq_send(q, "still", 5, 0));
	EXPECT_EQ(5, mq_receive(q, buf, sizeof(buf), NULL));
	q2 = mkq(n, O_RDWR, 4, 16);
	ASSERT_LE(0, q2);
	EXPECT_EQ(0, mq_send(q, "old", 3, 0));
	errno = 0;
	EXPECT_EQ(-1, mq_timedreceive(q2, buf, sizeof(buf), NULL,
				      &(struct timespec){ 1, 0 }));
	EXPECT_EQ(ETIMEDOUT, errno);
	mq_close(q2);
	mq_close(q);
	mq_unlink(n);
}

/* ---- mq_notify ------------------------------------------------------ */

#define NSIG_TEST	SIGRTMIN

/* The notification signal, blocked, waited for at most @ms. */
static int wait_sig(siginfo_t *si, int ms)
{
	sigset_t s;
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	sigemptyset(&s);
	sigaddset(&s, NSIG_TEST);
	return sigtimedwait(&s, si, &t);
}

static void block_sig(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, NSIG_TEST);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static struct sigevent sig_event(int value)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = NSIG_TEST };

	ev.sigev_value.sival_int = value;
	return ev;
}

static int send_one(void *n)
{
	mqd_t q = mq_open(n, O_WRONLY);

	if (q < 0)
		return 1;
	return mq_send(q, "hello", 5, 0) ? 2 : 0;
}

/* SIGEV_SIGNAL: SI_MESGQ, the sender's pid and uid, the value; once. */
TEST(notify_signal)
{
	const char *n = qname("nsig");
	struct sigevent ev = sig_event(4242);
	mode_t old = umask(0);
	siginfo_t si;
	char buf[16];
	int st;
	pid_t p;
	mqd_t q;

	block_sig();
	mq_unlink(n);
	q = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0666,
		    &(struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = 16 });
	umask(old);
	ASSERT_LE(0, q);
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(send_one((void *)n));
	}
	ASSERT_EQ(p, waitpid(p, &st, 0));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(NSIG_TEST, wait_sig(&si, 2000));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(p, si.si_pid);
	EXPECT_EQ((uid_t)NOBODY, si.si_uid);
	EXPECT_EQ(4242, si.si_value.sival_int);
	/* Removed once fired: the next message into an empty queue is silent. */
	EXPECT_EQ(5, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, mq_send(q, "again", 5, 0));
	EXPECT_EQ(-1, wait_sig(&si, WAIT_MS));
	/* and a new registration is accepted. */
	EXPECT_EQ(0, mq_notify(q, &ev));
	mq_close(q);
	mq_unlink(n);
}

/* Only a message into an EMPTY queue fires it. */
TEST(notify_only_on_empty)
{
	const char *n = qname("nempty");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct sigevent ev = sig_event(1);
	siginfo_t si;
	char buf[16];

	block_sig();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, mq_send(q, "first", 5, 0));
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	EXPECT_EQ(0, mq_send(q, "second", 6, 0));
	EXPECT_EQ(-1, wait_sig(&si, WAIT_MS));
	EXPECT_EQ(5, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(6, mq_receive(q, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, mq_send(q, "third", 5, 0));
	EXPECT_EQ(NSIG_TEST, wait_sig(&si, 2000));
	mq_close(q);
	mq_unlink(n);
}

static int receive_one(void *n)
{
	mqd_t q = mq_open(n, O_RDONLY);
	char buf[16];

	if (q < 0)
		return 1;
	return mq_receive(q, buf, sizeof(buf), NULL) == 5 ? 0 : 2;
}

static void wait_blocked_receiver(const char *n, pid_t p)
{
	char path[64], state = 0, line[256];
	FILE *f;
	int i;

	(void)n;
	snprintf(path, sizeof(path), "/proc/%d/stat", p);
	for (i = 0; i < 500 && state != 'S'; i++) {
		usleep(10000);
		f = fopen(path, "r");
		if (!f)
			break;
		if (fgets(line, sizeof(line), f))
			state = strrchr(line, ')')[2];
		fclose(f);
	}
	usleep(50000);
}

/* A message taken by a blocked receiver does not fire it; it stays. */
TEST(notify_not_with_blocked_receiver)
{
	const char *n = qname("nblk");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct sigevent ev = sig_event(2);
	siginfo_t si;
	int st;
	pid_t p;

	block_sig();
	ASSERT_LE(0, q);
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0)
		_exit(receive_one((void *)n));
	wait_blocked_receiver(n, p);
	EXPECT_EQ(0, mq_send(q, "hello", 5, 0));
	ASSERT_EQ(p, waitpid(p, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(-1, wait_sig(&si, WAIT_MS));
	/* Still registered. */
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, mq_send(q, "later", 5, 0));
	EXPECT_EQ(NSIG_TEST, wait_sig(&si, 2000));
	mq_close(q);
	mq_unlink(n);
}

static int register_other(void *n)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	mqd_t q = mq_open(n, O_RDONLY);

	if (q < 0)
		return 1;
	if (mq_notify(q, &ev) == 0)
		return 2;
	if (errno != EBUSY)
		return 3;
	/* Another process's NULL changes nothing. */
	return mq_notify(q, NULL) ? 4 : 0;
}

/* One registration per queue: EBUSY, from this process or another. */
TEST(notify_ebusy)
{
	const char *n = qname("nbusy");
	mqd_t q = mkq(n, O_RDWR, 4, 16), q2;
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };

	ASSERT_LE(0, q);
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, errno);
	q2 = mq_open(n, O_WRONLY);
	ASSERT_LE(0, q2);
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q2, &ev));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, as_user(0, register_other, (void *)n));
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, errno);
	/* Bad requests. */
	ev.sigev_notify = 12345;
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q, &ev));
	EXPECT_EQ(EINVAL, errno);
	mq_close(q2);
	mq_close(q);
	mq_unlink(n);
}

/* SIGEV_NONE registers and delivers nothing; NULL unregisters. */
TEST(notify_none_and_null)
{
	const char *n = qname("nnone");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	struct sigevent ev = sig_event(3);
	siginfo_t si;
	char buf[16];

	block_sig();
	ASSERT_LE(0, q);
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &none)) TH_LOG("%s: %s", impl, strerror(errno));
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	EXPECT_EQ(1, mq_receive(q, buf, sizeof(buf), NULL));
	/* Fired (silently) and removed. */
	EXPECT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(0, mq_notify(q, NULL));
	EXPECT_EQ(0, mq_notify(q, NULL));
	EXPECT_EQ(0, mq_send(q, "y", 1, 0));
	EXPECT_EQ(-1, wait_sig(&si, WAIT_MS));
	mq_close(q);
	mq_unlink(n);
}

/* Closing a descriptor of the queue removes the process's registration. */
TEST(notify_removed_by_close)
{
	const char *n = qname("nclose");
	mqd_t q = mkq(n, O_RDWR, 4, 16), q2;
	struct sigevent ev = sig_event(5);
	siginfo_t si;

	block_sig();
	ASSERT_LE(0, q);
	q2 = mq_open(n, O_RDWR);
	ASSERT_LE(0, q2);
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	EXPECT_EQ(0, mq_close(q2));
	EXPECT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(0, mq_close(q));
	q = mq_open(n, O_RDWR);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	EXPECT_EQ(-1, wait_sig(&si, WAIT_MS));
	EXPECT_EQ(0, mq_notify(q, &ev));
	mq_close(q);
	mq_unlink(n);
}

static pthread_mutex_t thr_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thr_cond = PTHREAD_COND_INITIALIZER;
static int thr_value;
static pthread_t thr_self;

static void thr_fn(union sigval v)
{
	pthread_mutex_lock(&thr_lock);
	thr_value = v.sival_int;
	thr_self = pthread_self();
	pthread_cond_broadcast(&thr_cond);
	pthread_mutex_unlock(&thr_lock);
}

/* SIGEV_THREAD: the function runs in a new thread with the value. */
TEST(notify_thread)
{
	const char *n = qname("nthr");
	mqd_t q = mkq(n, O_RDWR, 4, 16);
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD,
			       .sigev_notify_function = thr_fn };
	struct timespec t;
	int got;

	ASSERT_LE(0, q);
	ev.sigev_value.sival_int = 777;
	NEED_WIDE(mq_notify(q, NULL), ENOSYS, "no mq_notify() (ENOSYS)");
	ASSERT_EQ(0, mq_notify(q, &ev)) TH_LOG("%s: %s", impl, strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, mq_notify(q, &ev));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, mq_send(q, "x", 1, 0));
	t = rt_after_ms(5000);
	pthread_mutex_lock(&thr_lock);
	while (!thr_value &&
	       pthread_cond_timedwait(&thr_cond, &thr_lock, &t) == 0)
		;
	got = thr_value;
	pthread_mutex_unlock(&thr_lock);
	EXPECT_EQ(777, got);
	EXPECT_FALSE(pthread_equal(thr_self, pthread_self()));
	/* Fired once, then removed: registering again works. */
	EXPECT_EQ(0, mq_notify(q, &ev));
	EXPECT_EQ(0, mq_notify(q, NULL));
	mq_close(q);
	mq_unlink(n);
}

TEST_HARNESS_MAIN
