// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for moving messages through /dev/mailbox: contents and
 * metadata, FIFO order, capacity, non-blocking, blocking, timed,
 * rendezvous and delivery-wait sends, signals and SIGKILL during blocked
 * calls, wake order of blocked receivers and senders, receivers whose copy
 * faults, failed sends next to sleeping receivers, time namespaces.
 *
 * Most tests fork children that each run one send or receive ("struct op")
 * and report its outcome in shared memory; the test process waits for the
 * children to be asleep in the kernel (STAT's waiter counts) before acting.
 * Timing checks use lower bounds and generous upper bounds only, as the
 * tests also run under slow emulation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbox_test.h"
#include "mailbox_expect.h"

#define MAX_KIDS	4
#define BUF_MAX		256
#define MSG_MAX		128	/* msg_size_max of most test mailboxes */
#define SLEEP_MS	300	/* how long a party waits before acting */
#define SLACK_MS	5000	/* bound for anything that should be prompt */
#define REAP_MS		10000
#define MS		1000000LL
#define NOT_DONE	INT_MIN

enum { NO_HANDLER, HANDLER_EINTR, HANDLER_RESTART };

/* One send or receive a child performs. */
struct op {
	bool send;		/* send @msg, else receive into @size bytes */
	const char *msg;	/* sent without its NUL */
	uint32_t flags;
	uint32_t size;
	long deadline_ms;	/* with MAILBOX_DEADLINE, from the start */
	long delay_ms;		/* sleep first */
	int await_senders;	/* then wait for senders_waiting == this */
	int await_depth;	/* and for depth == this */
	int handler;		/* SIGUSR1 handler: NO_HANDLER, HANDLER_* */
	int euid;		/* > 0: seteuid() to it after opening */
};

/* What a child saw, in shared memory. */
struct result {
	int ret;		/* the call's return value or -errno */
	int32_t receiver_pid;
	uint64_t t_start, t_end, deadline;
	struct mailbox_info pre;	/* STAT just before the call */
	struct mailbox_recv meta;
	char data[BUF_MAX];
};

struct shared {
	int handled;		/* SIGUSR1 handler runs, all children */
	struct result res[MAX_KIDS];
};

struct env {
	pid_t owner;		/* the process that ran the fixture setup */
	char name[MAILBOX_NAME_LEN];
	int fd;			/* the test process's descriptor */
	struct mbt_kids kids;
	pid_t pid[MAX_KIDS];	/* child of each result slot */
	int status[MAX_KIDS];	/* its wait status once reaped, else -1 */
	struct shared *sh;
};

static struct shared *g_shared;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_fetch_add(&g_shared->handled, 1, __ATOMIC_SEQ_CST);
}

static int handled(struct env *e)
{
	return __atomic_load_n(&e->sh->handled, __ATOMIC_SEQ_CST);
}

static void env_setup(struct __test_metadata *_metadata, struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->owner = getpid();
	e->fd = -1;
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox loaded?");
	mbt_name(e->name, "xfer");
	e->sh = mbt_shared(sizeof(*e->sh));
	ASSERT_TRUE(e->sh != NULL);
	g_shared = e->sh;
}

/*
 * The fixtures use FIXTURE_TEARDOWN_PARENT because with this harness a
 * failed ASSERT in a TEST_F() skips a plain FIXTURE_TEARDOWN at -O2 (the
 * wrapper's "child" is clobbered by longjmp()). The teardown then runs in
 * the test's process or, after a failed ASSERT, in its parent: only the
 * former owns the children (its death kills them: mbt_spawn), the
 * descriptor and the mapping; either can unlink the name.
 */
static void env_teardown(struct env *e)
{
	bool owner = e->owner == getpid();

	if (owner)
		mbt_kill_all(&e->kids);
	if (e->fd >= 0)
		mbt_unlink(e->name);
	if (owner && e->fd >= 0)
		close(e->fd);
	if (owner && e->sh)
		munmap(e->sh, sizeof(*e->sh));
}

/* Create the test's mailbox and bind e->fd to it. */
static void box(struct __test_metadata *_metadata, struct env *e,
		uint32_t capacity, uint32_t msg_size_max)
{
	e->fd = mbt_create(e->name, MAILBOX_CREATE_EXCL, 0600, capacity,
			   msg_size_max);
	ASSERT_LE(0, e->fd)
		TH_LOG("create %s: %s", e->name, strerror(-e->fd));
}

/* Body of every child: open its own descriptor, wait as told, call. */
static int child_run(struct env *e, int idx, const struct op *op)
{
	struct result *r = &e->sh->res[idx];
	int fd = mbt_open(e->name, MAILBOX_ACCESS_ALL);

	MBT_CHILD_CHECK(fd >= 0);
	if (op->handler != NO_HANDLER)
		MBT_CHILD_CHECK(!mbt_install_handler(on_signal,
				op->handler == HANDLER_RESTART));
	if (op->euid > 0)
		MBT_CHILD_CHECK(!seteuid(op->euid));
	if (op->delay_ms)
		mbt_sleep_ms(op->delay_ms);
	if (op->await_senders)
		MBT_CHILD_CHECK(!MBT_WAIT_INFO(fd, senders_waiting,
					       op->await_senders, SLACK_MS));
	if (op->await_depth)
		MBT_CHILD_CHECK(!MBT_WAIT_INFO(fd, depth, op->await_depth,
					       SLACK_MS));
	MBT_CHILD_CHECK(!mbt_stat(fd, &r->pre));
	r->t_start = mbt_now_ns();
	if (op->flags & MAILBOX_DEADLINE)
		r->deadline = r->t_start + op->deadline_ms * MS;
	if (op->send)
		r->ret = mbt_send(fd, op->msg, strlen(op->msg), op->flags,
				  r->deadline, &r->receiver_pid);
	else
		r->ret = mbt_recv(fd, r->data, op->size, op->flags,
				  r->deadline, &r->meta);
	r->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

struct child_arg {
	struct env *e;
	int idx;
	const struct op *op;
};

static int child_main(void *p)
{
	struct child_arg *a = p;

	return child_run(a->e, a->idx, a->op);
}

/* Start a child performing @op, reporting into result slot @idx. */
static pid_t spawn(struct __test_metadata *_metadata, struct env *e, int idx,
		   const struct op *op)
{
	struct child_arg a = { e, idx, op };
	pid_t pid;

	memset(&e->sh->res[idx], 0, sizeof(e->sh->res[idx]));
	e->sh->res[idx].ret = NOT_DONE;
	pid = mbt_spawn(&e->kids, child_main, &a);
	ASSERT_LT(0, pid);
	e->pid[idx] = pid;
	e->status[idx] = -1;
	return pid;
}

/* Reap child @idx if it ends within @ms; true if it has ended. */
static bool ended(struct env *e, int idx, long ms)
{
	int status;

	if (e->status[idx] == -1 &&
	    !mbt_reap(&e->kids, e->pid[idx], &status, ms))
		e->status[idx] = status;
	return e->status[idx] != -1;
}

static int reap(struct __test_metadata *_metadata, struct env *e, int idx)
{
	ASSERT_TRUE(ended(e, idx, REAP_MS))
		TH_LOG("child %d did not finish", idx);
	return e->status[idx];
}

/* Reap child @idx, which must have exited 0; returns its result. */
static struct result *done(struct __test_metadata *_metadata, struct env *e,
			   int idx)
{
	int status = reap(_metadata, e, idx);

	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_NE(NOT_DONE, e->sh->res[idx].ret);
	return &e->sh->res[idx];
}

static void reap_killed(struct __test_metadata *_metadata, struct env *e,
			int idx)
{
	int status = reap(_metadata, e, idx);

	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
}

/* Wait until STAT's @field of @e's mailbox is @val. */
#define WAIT_INFO(e, field, val)					\
	MBT_ASSERT_INFO((e)->fd, field, val, SLACK_MS)

static int send_str(int fd, const char *s, uint32_t flags)
{
	uint64_t deadline = 0;

	if (flags & MAILBOX_DEADLINE)
		deadline = mbt_deadline_ms(SLACK_MS);
	return mbt_send(fd, s, strlen(s), flags, deadline, NULL);
}

/*
 * Receive @want (NULL: expect nothing). @timeout_ms 0: without sleeping,
 * else sleeping at most that long.
 */
static void expect_recv(struct __test_metadata *_metadata, int fd,
			const char *want, long timeout_ms)
{
	uint32_t flags = timeout_ms ? MAILBOX_DEADLINE : MAILBOX_NONBLOCK;
	uint64_t deadline = timeout_ms ? mbt_deadline_ms(timeout_ms) : 0;
	struct mailbox_recv m;
	char buf[BUF_MAX];
	int ret;

	ret = mbt_recv(fd, buf, sizeof(buf), flags, deadline, &m);
	if (!want) {
		ASSERT_EQ(timeout_ms ? -ETIMEDOUT : -EAGAIN, ret);
		return;
	}
	ASSERT_EQ((int)strlen(want), ret) TH_LOG("expected \"%s\"", want);
	ASSERT_EQ(0, memcmp(buf, want, ret)) TH_LOG("expected \"%s\"", want);
	ASSERT_EQ((uint32_t)ret, m.len);
}

/* A child's receive returned exactly @want. */
static bool got(const struct result *r, const char *want)
{
	return r->ret == (int)strlen(want) && r->meta.len == strlen(want) &&
	       !memcmp(r->data, want, r->ret);
}

static uint64_t elapsed_ms(const struct result *r)
{
	return (r->t_end - r->t_start) / MS;
}

/* Sleep longer than @ms took: at least @ms, at most @ms + SLACK_MS. */
static void expect_slept(struct __test_metadata *_metadata, uint64_t t0,
			 uint64_t t1, long ms)
{
	EXPECT_LE((uint64_t)ms * MS, t1 - t0);
	EXPECT_GT((uint64_t)(ms + SLACK_MS) * MS, t1 - t0);
}

/*
 * Send @msg (NULL: receive) with @flags and a deadline SLEEP_MS ahead; it
 * must sleep until the deadline and fail with -ETIMEDOUT.
 */
static void expect_timeout(struct __test_metadata *_metadata, int fd,
			   const char *msg, uint32_t flags)
{
	uint64_t t0 = mbt_now_ns(), deadline = t0 + SLEEP_MS * MS;
	char buf[BUF_MAX];
	int ret;

	flags |= MAILBOX_DEADLINE;
	if (msg)
		ret = mbt_send(fd, msg, strlen(msg), flags, deadline, NULL);
	else
		ret = mbt_recv(fd, buf, sizeof(buf), flags, deadline, NULL);
	ASSERT_EQ(-ETIMEDOUT, ret);
	expect_slept(_metadata, t0, mbt_now_ns(), SLEEP_MS);
}

static void fill_pattern(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

FIXTURE(xfer) {
	struct env e;
};

FIXTURE_SETUP(xfer)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN_PARENT(xfer)
{
	env_teardown(&self->e);
}

TEST_F(xfer, send_recv_basic)
{
	struct env *e = &self->e;
	struct mailbox_recv m;
	struct mailbox_info i;
	int32_t receiver = -1;
	char buf[BUF_MAX];
	uint64_t t0, t1;

	box(_metadata, e, 4, MSG_MAX);
	t0 = mbt_now_ns();
	ASSERT_EQ(0, mbt_send(e->fd, "hello", 5, 0, 0, &receiver));
	t1 = mbt_now_ns();
	EXPECT_EQ(0, receiver);

	info(_metadata, e->fd, &i);
	EXPECT_EQ(1U, i.depth);
	EXPECT_EQ(5U, i.bytes);
	EXPECT_EQ(5U, i.next_len);
	EXPECT_EQ(1U, i.sent);
	EXPECT_EQ(0U, i.received);

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(5, mbt_recv(e->fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0x5a, buf[5]);
	EXPECT_EQ(getpid(), m.sender_pid);
	EXPECT_EQ(geteuid(), m.sender_uid);
	EXPECT_LE(t0, m.send_time_ns);
	EXPECT_GE(t1, m.send_time_ns);

	info(_metadata, e->fd, &i);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(1U, i.sent);
	EXPECT_EQ(1U, i.received);
}

/* The sender's pid and euid are the child's, taken when it sent. */
TEST_F(xfer, sender_identity_from_child)
{
	struct op op = { .send = true, .msg = "from child" };
	struct env *e = &self->e;
	struct mailbox_recv m;
	char buf[BUF_MAX];
	uint64_t t0, t1;
	int n = strlen(op.msg);
	pid_t pid;

	box(_metadata, e, 4, MSG_MAX);
	t0 = mbt_now_ns();
	pid = spawn(_metadata, e, 0, &op);
	/* Receive while the sender is alive (at worst a zombie). */
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(SLACK_MS), &m));
	t1 = mbt_now_ns();
	EXPECT_EQ(0, done(_metadata, e, 0)->ret);
	EXPECT_EQ(0, memcmp(buf, op.msg, n));
	EXPECT_EQ(pid, m.sender_pid);
	EXPECT_NE(getpid(), m.sender_pid);
	EXPECT_EQ(geteuid(), m.sender_uid);
	EXPECT_LE(t0, m.send_time_ns);
	EXPECT_GE(t1, m.send_time_ns);

	if (geteuid() != 0) {
		TH_LOG("not root: sender euid change not tested");
		return;
	}
	op.euid = 65534;
	pid = spawn(_metadata, e, 1, &op);
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(SLACK_MS), &m));
	EXPECT_EQ(0, done(_metadata, e, 1)->ret);
	EXPECT_EQ(pid, m.sender_pid);
	EXPECT_EQ(65534U, m.sender_uid);
}

TEST_F(xfer, zero_length_message)
{
	struct env *e = &self->e;
	struct mailbox_recv m;
	struct mailbox_info i;
	char buf[8] = "xxxxxxx";

	box(_metadata, e, 4, MSG_MAX);
	ASSERT_EQ(0, mbt_send(e->fd, buf, 0, 0, 0, NULL));
	ASSERT_EQ(0, mbt_send(e->fd, buf, 0, 0, 0, NULL));
	info(_metadata, e->fd, &i);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(0U, i.next_len);

	/* A zero-sized receive with no buffer takes it... */
	m.len = 99;
	ASSERT_EQ(0, mbt_recv(e->fd, NULL, 0, 0, 0, &m));
	EXPECT_EQ(0U, m.len);
	EXPECT_EQ(getpid(), m.sender_pid);
	/* ...and so does a normal one, writing nothing. */
	ASSERT_EQ(0, mbt_recv(e->fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(0U, m.len);
	EXPECT_STREQ("xxxxxxx", buf);
	expect_counts(_metadata, e->fd, 0, 2, 2);
}

TEST_F(xfer, max_size_message)
{
	enum { SIZE = 4096 };
	static char out[SIZE], in[SIZE + 16];
	struct env *e = &self->e;
	struct mailbox_recv m;
	struct mailbox_info i;

	box(_metadata, e, 2, SIZE);
	fill_pattern(out, SIZE, 1);
	ASSERT_EQ(0, mbt_send(e->fd, out, SIZE, 0, 0, NULL));
	info(_metadata, e->fd, &i);
	EXPECT_EQ((unsigned int)SIZE, i.next_len);
	EXPECT_EQ((unsigned int)SIZE, i.bytes);

	/* One byte short: -EMSGSIZE, length reported, still queued. */
	ASSERT_EQ(-EMSGSIZE, mbt_recv(e->fd, in, SIZE - 1, MAILBOX_NONBLOCK,
				      0, &m));
	EXPECT_EQ((unsigned int)SIZE, m.len);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(1U, i.depth);

	ASSERT_EQ(SIZE, mbt_recv(e->fd, in, SIZE, MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ((unsigned int)SIZE, m.len);
	EXPECT_EQ(0, memcmp(in, out, SIZE));
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/* Message @k of fifo_order: "m<k>" and k dots, so lengths vary. */
static void fifo_msg(char *buf, int k)
{
	int n = sprintf(buf, "m%d", k);

	memset(buf + n, '.', k);
	buf[n + k] = 0;
}

TEST_F(xfer, fifo_order)
{
	enum { N = 64 };
	struct env *e = &self->e;
	struct mailbox_info i;
	char msg[BUF_MAX];
	int k;

	box(_metadata, e, N, MSG_MAX);
	for (k = 0; k < N; k++) {
		fifo_msg(msg, k);
		ASSERT_EQ(0, send_str(e->fd, msg, MAILBOX_NONBLOCK));
	}
	info(_metadata, e->fd, &i);
	EXPECT_EQ((unsigned int)N, i.depth);
	EXPECT_EQ(2U, i.next_len);
	for (k = 0; k < N; k++) {
		fifo_msg(msg, k);
		expect_recv(_metadata, e->fd, msg, 0);
	}
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, N, N);
}

TEST_F(xfer, capacity_limit)
{
	static const char *const msgs[] = { "1", "2", "3", "4", "5", "6" };
	struct env *e = &self->e;
	int k;

	box(_metadata, e, 5, MSG_MAX);
	for (k = 0; k < 5; k++)
		ASSERT_EQ(0, send_str(e->fd, msgs[k], MAILBOX_NONBLOCK));
	ASSERT_EQ(-EAGAIN, send_str(e->fd, "x", MAILBOX_NONBLOCK));
	expect_counts(_metadata, e->fd, 5, 5, 0);

	/* one taken makes room for exactly one */
	expect_recv(_metadata, e->fd, "1", 0);
	ASSERT_EQ(0, send_str(e->fd, msgs[5], MAILBOX_NONBLOCK));
	ASSERT_EQ(-EAGAIN, send_str(e->fd, "x", MAILBOX_NONBLOCK));
	for (k = 1; k < 6; k++)
		expect_recv(_metadata, e->fd, msgs[k], 0);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 6, 6);
}

/* Failed non-blocking calls change no state or counter. */
TEST_F(xfer, nonblock_changes_nothing)
{
	struct env *e = &self->e;
	struct mailbox_info a, b;

	box(_metadata, e, 2, MSG_MAX);
	ASSERT_EQ(-EAGAIN, mbt_recv(e->fd, NULL, 0, MAILBOX_NONBLOCK, 0,
				    NULL));
	info(_metadata, e->fd, &a);
	EXPECT_EQ(0U, a.depth);
	EXPECT_EQ(0U, a.bytes);
	EXPECT_EQ(0U, a.sent);
	EXPECT_EQ(0U, a.received);
	EXPECT_EQ(0U, a.recv_blocked);
	EXPECT_EQ(0U, a.send_blocked);

	ASSERT_EQ(0, send_str(e->fd, "a", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, send_str(e->fd, "bb", MAILBOX_NONBLOCK));
	info(_metadata, e->fd, &a);
	ASSERT_EQ(-EAGAIN, send_str(e->fd, "ccc", MAILBOX_NONBLOCK));
	info(_metadata, e->fd, &b);
	EXPECT_EQ(2U, b.depth);
	EXPECT_EQ(a.depth, b.depth);
	EXPECT_EQ(a.bytes, b.bytes);
	EXPECT_EQ(a.next_len, b.next_len);
	EXPECT_EQ(a.sent, b.sent);
	EXPECT_EQ(a.received, b.received);
	EXPECT_EQ(a.send_blocked, b.send_blocked);
	EXPECT_EQ(a.recv_blocked, b.recv_blocked);
	expect_recv(_metadata, e->fd, "a", 0);
	expect_recv(_metadata, e->fd, "bb", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
}

/* A descriptor opened O_NONBLOCK never sleeps, even without the flag. */
TEST_F(xfer, nonblock_descriptor)
{
	struct env *e = &self->e;
	struct mailbox_open o;
	uint64_t t0;
	int fd;

	box(_metadata, e, 1, MSG_MAX);
	fd = open(MBOX_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&o, 0, sizeof(o));
	memcpy(o.name, e->name, sizeof(o.name));
	o.access = MAILBOX_ACCESS_ALL;
	ASSERT_EQ(0, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));

	t0 = mbt_now_ns();
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, 0, 0, NULL));
	EXPECT_EQ(0, send_str(fd, "one", 0));
	EXPECT_EQ(-EAGAIN, send_str(fd, "two", 0));
	EXPECT_GT((uint64_t)SLACK_MS * MS, mbt_now_ns() - t0);
	close(fd);
	expect_recv(_metadata, e->fd, "one", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
}

TEST_F(xfer, blocking_recv_woken_by_send)
{
	struct op rx = { .size = BUF_MAX };
	struct env *e = &self->e;
	struct result *r;

	box(_metadata, e, 4, MSG_MAX);
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	mbt_sleep_ms(SLEEP_MS);
	ASSERT_EQ(0, send_str(e->fd, "wake", 0));
	r = done(_metadata, e, 0);
	EXPECT_TRUE(got(r, "wake")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	EXPECT_LE((unsigned int)SLEEP_MS, elapsed_ms(r));
	expect_blocked(_metadata, e->fd, 0, 1);
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/* A sender blocked on a full mailbox gets in behind the queued ones. */
TEST_F(xfer, blocking_send_woken_by_recv)
{
	struct op tx = { .send = true, .msg = "c" };
	struct env *e = &self->e;
	struct mailbox_info i;
	struct result *r;

	box(_metadata, e, 2, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "a", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, send_str(e->fd, "b", MAILBOX_NONBLOCK));
	spawn(_metadata, e, 0, &tx);
	WAIT_INFO(e, senders_waiting, 1);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	mbt_sleep_ms(SLEEP_MS);
	expect_recv(_metadata, e->fd, "a", 0);
	r = done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_LE((unsigned int)SLEEP_MS, elapsed_ms(r));
	expect_recv(_metadata, e->fd, "b", SLACK_MS);
	expect_recv(_metadata, e->fd, "c", SLACK_MS);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_blocked(_metadata, e->fd, 1, 0);
	expect_counts(_metadata, e->fd, 0, 3, 3);
}

TEST_F(xfer, timed_recv_times_out)
{
	struct env *e = &self->e;

	box(_metadata, e, 4, MSG_MAX);
	expect_timeout(_metadata, e->fd, NULL, 0);
	expect_blocked(_metadata, e->fd, 0, 1);
	expect_counts(_metadata, e->fd, 0, 0, 0);
}

/* A timed-out send on a full mailbox queues nothing. */
TEST_F(xfer, timed_send_full_times_out)
{
	struct env *e = &self->e;

	box(_metadata, e, 1, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "a", MAILBOX_NONBLOCK));
	expect_timeout(_metadata, e->fd, "b", 0);
	expect_blocked(_metadata, e->fd, 1, 0);
	expect_counts(_metadata, e->fd, 1, 1, 0);
	expect_recv(_metadata, e->fd, "a", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
}

/* A deadline already past only matters when the call would sleep. */
TEST_F(xfer, deadline_in_past)
{
	struct env *e = &self->e;
	char buf[BUF_MAX];
	uint64_t past, t0;

	box(_metadata, e, 1, MSG_MAX);
	past = mbt_now_ns() - 1000 * MS;
	t0 = mbt_now_ns();
	ASSERT_EQ(0, mbt_send(e->fd, "a", 1, MAILBOX_DEADLINE, past, NULL));
	ASSERT_EQ(-ETIMEDOUT, mbt_send(e->fd, "b", 1, MAILBOX_DEADLINE, past,
				       NULL));
	ASSERT_EQ(1, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE, past,
			      NULL));
	EXPECT_EQ('a', buf[0]);
	ASSERT_EQ(-ETIMEDOUT, mbt_recv(e->fd, buf, sizeof(buf),
				       MAILBOX_DEADLINE, past, NULL));
	/* deadline 1 ns after boot */
	ASSERT_EQ(0, mbt_send(e->fd, "c", 1, MAILBOX_DEADLINE, 1, NULL));
	ASSERT_EQ(1, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE, 1,
			      NULL));
	EXPECT_EQ('c', buf[0]);
	EXPECT_GT((uint64_t)SLACK_MS * MS, mbt_now_ns() - t0);
	expect_counts(_metadata, e->fd, 0, 2, 2);
}

TEST_F(xfer, timed_recv_satisfied)
{
	struct op tx = { .send = true, .msg = "late", .delay_ms = SLEEP_MS };
	struct env *e = &self->e;
	struct mailbox_recv m;
	char buf[BUF_MAX];
	uint64_t t0, deadline;

	box(_metadata, e, 4, MSG_MAX);
	t0 = mbt_now_ns();
	deadline = t0 + (SLEEP_MS + SLACK_MS) * MS;
	spawn(_metadata, e, 0, &tx);
	ASSERT_EQ(4, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      deadline, &m));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	EXPECT_EQ(e->pid[0], m.sender_pid);
	expect_slept(_metadata, t0, mbt_now_ns(), SLEEP_MS);
	EXPECT_EQ(0, done(_metadata, e, 0)->ret);
}

TEST_F(xfer, timed_send_satisfied)
{
	struct op rx = { .size = BUF_MAX, .delay_ms = SLEEP_MS };
	struct env *e = &self->e;
	uint64_t t0, deadline;

	box(_metadata, e, 1, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "first", MAILBOX_NONBLOCK));
	t0 = mbt_now_ns();
	deadline = t0 + (SLEEP_MS + SLACK_MS) * MS;
	spawn(_metadata, e, 0, &rx);
	ASSERT_EQ(0, mbt_send(e->fd, "second", 6, MAILBOX_DEADLINE, deadline,
			      NULL));
	expect_slept(_metadata, t0, mbt_now_ns(), SLEEP_MS);
	EXPECT_TRUE(got(done(_metadata, e, 0), "first"));
	expect_recv(_metadata, e->fd, "second", 0);
}

TEST_F(xfer, rendezvous_nonblock_without_receiver)
{
	struct env *e = &self->e;
	int32_t receiver = -1;

	box(_metadata, e, 0, MSG_MAX);
	ASSERT_EQ(-EAGAIN, mbt_send(e->fd, "x", 1, MAILBOX_NONBLOCK, 0,
				    &receiver));
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 0, 0);
}

/*
 * A receiver turns up SLEEP_MS late, once it sees the sender asleep (on a
 * rendezvous) or the message queued (delivery wait). The send returns only
 * after the receiver took the message, and names it.
 */
static struct result *late_receiver(struct __test_metadata *_metadata,
				    struct env *e, uint32_t capacity,
				    uint32_t flags)
{
	struct op rx = { .size = BUF_MAX, .delay_ms = SLEEP_MS };
	int32_t receiver = -1;
	struct result *r;
	uint64_t t0, t1;

	if (capacity)
		rx.await_depth = 1;
	else
		rx.await_senders = 1;
	box(_metadata, e, capacity, MSG_MAX);
	t0 = mbt_now_ns();
	spawn(_metadata, e, 0, &rx);
	ASSERT_EQ(0, mbt_send(e->fd, "meet", 4, flags, 0, &receiver));
	t1 = mbt_now_ns();
	r = done(_metadata, e, 0);
	EXPECT_TRUE(got(r, "meet")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(e->pid[0], receiver);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	EXPECT_LE(t0 + SLEEP_MS * MS, r->t_start);
	EXPECT_LE(r->t_start, t1);
	expect_counts(_metadata, e->fd, 0, 1, 1);
	return r;
}

TEST_F(xfer, rendezvous_send_waits_for_receiver)
{
	struct result *r = late_receiver(_metadata, &self->e, 0, 0);

	/* while the sender slept, STAT described its message */
	EXPECT_EQ(1U, r->pre.senders_waiting);
	EXPECT_EQ(4U, r->pre.next_len);
	expect_blocked(_metadata, self->e.fd, 1, 0);
}

/* A receiver waits first; a send (of @flags) hands the message over. */
static void rendezvous_handoff(struct __test_metadata *_metadata,
			       struct env *e, uint32_t flags)
{
	struct op rx = { .size = BUF_MAX };
	int32_t receiver = -1;
	struct result *r;

	box(_metadata, e, 0, MSG_MAX);
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	if (!(flags & MAILBOX_NONBLOCK))
		mbt_sleep_ms(SLEEP_MS);
	ASSERT_EQ(0, mbt_send(e->fd, "hand", 4, flags, 0, &receiver));
	EXPECT_EQ(e->pid[0], receiver);
	r = done(_metadata, e, 0);
	EXPECT_TRUE(got(r, "hand")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	if (!(flags & MAILBOX_NONBLOCK))
		EXPECT_LE((unsigned int)SLEEP_MS, elapsed_ms(r));
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

TEST_F(xfer, rendezvous_handoff_nonblocking)
{
	rendezvous_handoff(_metadata, &self->e, MAILBOX_NONBLOCK);
}

TEST_F(xfer, rendezvous_blocked_recv_woken)
{
	rendezvous_handoff(_metadata, &self->e, 0);
}

/* A timed-out rendezvous send is never delivered afterwards. */
TEST_F(xfer, rendezvous_timed_send_not_delivered)
{
	struct env *e = &self->e;

	box(_metadata, e, 0, MSG_MAX);
	expect_timeout(_metadata, e->fd, "gone", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_recv(_metadata, e->fd, NULL, SLEEP_MS);
	expect_counts(_metadata, e->fd, 0, 0, 0);
}

TEST_F(xfer, send_wait_returns_after_delivery)
{
	struct result *r = late_receiver(_metadata, &self->e, 4,
					 MAILBOX_SEND_WAIT);

	EXPECT_EQ(1U, r->pre.depth);	/* it waited in the queue */
}

/* A timed-out delivery wait takes its message back out of the queue. */
TEST_F(xfer, send_wait_timeout_takes_back)
{
	struct env *e = &self->e;
	struct mailbox_info i;

	box(_metadata, e, 4, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "kept", 0));
	expect_timeout(_metadata, e->fd, "taken back", MAILBOX_SEND_WAIT);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(1U, i.depth);
	EXPECT_EQ(4U, i.bytes);
	EXPECT_EQ(0U, i.received);
	expect_recv(_metadata, e->fd, "kept", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
}

TEST_F(xfer, send_wait_nonblock)
{
	struct op rx = { .size = BUF_MAX };
	struct env *e = &self->e;
	int32_t receiver = -1;

	box(_metadata, e, 4, MSG_MAX);
	ASSERT_EQ(-EAGAIN, mbt_send(e->fd, "x", 1,
				    MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0,
				    NULL));
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 0, 0);

	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "now", 3,
			      MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0,
			      &receiver));
	EXPECT_EQ(e->pid[0], receiver);
	EXPECT_TRUE(got(done(_metadata, e, 0), "now"));
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/* Send with receiver_pid preset to garbage; returns the ioctl result. */
static int send_preset(int fd, const char *msg, int32_t *receiver)
{
	struct mailbox_send s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)msg;
	s.len = strlen(msg);
	s.receiver_pid = -12345;
	ret = mbt_ioctl(fd, MAILBOX_IOC_SEND, &s);
	*receiver = s.receiver_pid;
	return ret;
}

/* Without SEND_WAIT on a buffered mailbox, receiver_pid comes back 0. */
TEST_F(xfer, receiver_pid_zero_without_send_wait)
{
	struct op rx = { .size = BUF_MAX };
	struct env *e = &self->e;
	int32_t receiver;

	box(_metadata, e, 4, MSG_MAX);
	ASSERT_EQ(0, send_preset(e->fd, "queued", &receiver));
	EXPECT_EQ(0, receiver);
	expect_recv(_metadata, e->fd, "queued", 0);

	/* even when handed straight to a waiting receiver */
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "direct", 6, 0, 0, &receiver));
	EXPECT_EQ(0, receiver) TH_LOG("the receiver was %d", e->pid[0]);
	EXPECT_TRUE(got(done(_metadata, e, 0), "direct"));
}

struct thr {
	int fd;
	bool send;
	int ret;
	int32_t receiver;
	struct mailbox_recv meta;
	char buf[BUF_MAX];
};

static void *thr_main(void *p)
{
	struct thr *t = p;

	if (t->send)
		t->ret = mbt_send(t->fd, "thread", 6, MAILBOX_SEND_WAIT, 0,
				  &t->receiver);
	else
		t->ret = mbt_recv(t->fd, t->buf, sizeof(t->buf), 0, 0,
				  &t->meta);
	return NULL;
}

/* Pids reported for a thread are its process's (tgid), not its tid. */
TEST_F(xfer, thread_pids_are_tgids)
{
	struct env *e = &self->e;
	struct thr t = { .send = false };
	struct mailbox_recv m;
	int32_t receiver = -1;
	char buf[BUF_MAX];
	pthread_t th;

	box(_metadata, e, 4, MSG_MAX);
	t.fd = e->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_main, &t));
	WAIT_INFO(e, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "main", 4, MAILBOX_SEND_WAIT, 0,
			      &receiver));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(4, t.ret);
	EXPECT_EQ(getpid(), receiver);
	EXPECT_EQ(getpid(), t.meta.sender_pid);

	t.send = true;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_main, &t));
	ASSERT_EQ(6, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(SLACK_MS), &m));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(getpid(), t.receiver);
	EXPECT_EQ(getpid(), m.sender_pid);
}

/* Children 0..2 block one after another, each running @op's template. */
static void block_in_turn(struct __test_metadata *_metadata, struct env *e,
			  const struct op *tmpl, bool senders)
{
	static const char *const digits[] = { "0", "1", "2" };
	struct op op[3];
	int k;

	for (k = 0; k < 3; k++) {
		op[k] = *tmpl;
		op[k].msg = digits[k];
		spawn(_metadata, e, k, &op[k]);
		if (senders)
			WAIT_INFO(e, senders_waiting, k + 1);
		else
			WAIT_INFO(e, receivers_waiting, k + 1);
	}
}

/* Blocked receivers get messages in the order they blocked, one each. */
TEST_F(xfer, receivers_woken_in_fifo_order)
{
	struct op rx = { .size = BUF_MAX };
	struct env *e = &self->e;
	char want[2] = "0";
	int k;

	box(_metadata, e, 4, MSG_MAX);
	block_in_turn(_metadata, e, &rx, false);
	for (k = 0; k < 3; k++) {
		want[0] = '0' + k;
		ASSERT_EQ(0, send_str(e->fd, want, 0));
	}
	for (k = 0; k < 3; k++) {
		struct result *r = done(_metadata, e, k);

		want[0] = '0' + k;
		EXPECT_TRUE(got(r, want))
			TH_LOG("receiver %d: ret %d data '%c'", k, r->ret,
			       r->data[0]);
	}
	expect_counts(_metadata, e->fd, 0, 3, 3);
}

/* Blocked senders get their turn in the order they blocked. */
TEST_F(xfer, senders_served_in_fifo_order)
{
	struct op tx = { .send = true };
	struct env *e = &self->e;
	int k;

	box(_metadata, e, 1, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "F", MAILBOX_NONBLOCK));
	block_in_turn(_metadata, e, &tx, true);
	expect_recv(_metadata, e->fd, "F", 0);
	expect_recv(_metadata, e->fd, "0", SLACK_MS);
	expect_recv(_metadata, e->fd, "1", SLACK_MS);
	expect_recv(_metadata, e->fd, "2", SLACK_MS);
	expect_recv(_metadata, e->fd, NULL, 0);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(0, done(_metadata, e, k)->ret);
	expect_counts(_metadata, e->fd, 0, 4, 4);
}

/* A waiting receiver whose buffer is too small leaves the message queued. */
TEST_F(xfer, emsgsize_on_handoff_keeps_message)
{
	struct op rx = { .size = 4 };
	struct env *e = &self->e;
	struct mailbox_info i;
	struct mailbox_recv m;
	char out[100], in[BUF_MAX];
	struct result *r;

	box(_metadata, e, 4, MSG_MAX);
	fill_pattern(out, sizeof(out), 2);
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, out, sizeof(out), 0, 0, NULL));
	r = done(_metadata, e, 0);
	EXPECT_EQ(-EMSGSIZE, r->ret);
	EXPECT_EQ(sizeof(out), r->meta.len);

	info(_metadata, e->fd, &i);
	EXPECT_EQ(1U, i.depth);
	EXPECT_EQ(sizeof(out), i.next_len);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(0U, i.receivers_waiting);
	ASSERT_EQ((int)sizeof(out), mbt_recv(e->fd, in, sizeof(in),
					MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/*
 * The same on a rendezvous: the sender's message stays with the sleeping
 * sender, and a receiver with room takes it.
 */
TEST_F(xfer, emsgsize_on_rendezvous_handoff)
{
	struct op rx = { .size = 4 };
	struct op tx = { .send = true, .msg = "too long for four" };
	struct env *e = &self->e;
	struct mailbox_info i;
	struct result *r;

	box(_metadata, e, 0, MSG_MAX);
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	spawn(_metadata, e, 1, &tx);
	/* the small receiver must fail at once, not when the send ends */
	EXPECT_TRUE(ended(e, 0, SLACK_MS / 2))
		TH_LOG("receiver still asleep after the send began");
	WAIT_INFO(e, senders_waiting, 1);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(strlen(tx.msg), i.next_len);
	expect_recv(_metadata, e->fd, tx.msg, SLACK_MS);
	r = done(_metadata, e, 1);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(getpid(), r->receiver_pid);
	r = done(_metadata, e, 0);
	EXPECT_EQ(-EMSGSIZE, r->ret);
	EXPECT_EQ(strlen(tx.msg), r->meta.len);
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/*
 * Signals and SIGKILL against a blocked call. Each variant is one kind of
 * blocked call: a receive on an empty mailbox, a send on a full one, a
 * rendezvous send, a delivery-waiting send. Each test blocks a child in it
 * and interrupts it: a handler without SA_RESTART must get -EINTR, one with
 * SA_RESTART must see the call go on and complete exactly once, SIGKILL must
 * leave no trace. An interrupted call must leave nothing behind. With a
 * deadline and SA_RESTART, the child is signalled over and over and must
 * still time out at its original absolute deadline.
 */
enum blocked_call { CALL_RECV, CALL_SEND_FULL, CALL_RENDEZVOUS,
		    CALL_SEND_WAIT };
enum interruption { BY_EINTR, BY_RESTART, BY_KILL };

#define STORM_PERIOD_MS		100
#define STORM_DEADLINE_MS	1000
#define STORM_LATE_MS		3000	/* < STORM_DEADLINE_MS + SLACK_MS */

FIXTURE(intr) {
	struct env e;
};

FIXTURE_VARIANT(intr) {
	enum blocked_call call;
};

FIXTURE_VARIANT_ADD(intr, recv) { .call = CALL_RECV };
FIXTURE_VARIANT_ADD(intr, send_full) { .call = CALL_SEND_FULL };
FIXTURE_VARIANT_ADD(intr, rendezvous) { .call = CALL_RENDEZVOUS };
FIXTURE_VARIANT_ADD(intr, send_wait) { .call = CALL_SEND_WAIT };

FIXTURE_SETUP(intr)
{
	env_setup(_metadata, &self->e);
}

FIXTURE_TEARDOWN_PARENT(intr)
{
	env_teardown(&self->e);
}

/* Wait until child 0 sleeps in its @call. */
static void wait_blocked(struct __test_metadata *_metadata, struct env *e,
			 enum blocked_call call)
{
	switch (call) {
	case CALL_RECV:
		WAIT_INFO(e, receivers_waiting, 1);
		break;
	case CALL_SEND_FULL:
	case CALL_RENDEZVOUS:
		WAIT_INFO(e, senders_waiting, 1);
		break;
	case CALL_SEND_WAIT:
		/* queued, so inside the call: a signal now interrupts it */
		WAIT_INFO(e, depth, 1);
		break;
	}
}

static void wait_handled(struct __test_metadata *_metadata, struct env *e,
			 int n)
{
	uint64_t end = mbt_deadline_ms(SLACK_MS);

	while (handled(e) < n && mbt_now_ns() < end)
		mbt_sleep_ms(1);
	ASSERT_EQ(n, handled(e));
}

/* Let child 0's restarted @call complete; it must do so exactly once. */
static void complete_call(struct __test_metadata *_metadata, struct env *e,
			  enum blocked_call call)
{
	struct result *r;

	if (call == CALL_RECV)
		ASSERT_EQ(0, send_str(e->fd, "B", 0));
	if (call == CALL_SEND_FULL)
		expect_recv(_metadata, e->fd, "A", 0);
	if (call != CALL_RECV)
		expect_recv(_metadata, e->fd, "B", SLACK_MS);
	r = done(_metadata, e, 0);
	EXPECT_EQ(call == CALL_RECV ? 1 : 0, r->ret);
	if (call == CALL_RECV)
		EXPECT_TRUE(got(r, "B"));
	if (call == CALL_RENDEZVOUS || call == CALL_SEND_WAIT)
		EXPECT_EQ(getpid(), r->receiver_pid);
	expect_recv(_metadata, e->fd, NULL, 0);
}

/* Child 0's interrupted or killed @call must not have delivered "B". */
static void expect_nothing_left(struct __test_metadata *_metadata,
				struct env *e, enum blocked_call call)
{
	if (call == CALL_SEND_FULL)
		expect_recv(_metadata, e->fd, "A", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
	if (call == CALL_RENDEZVOUS)
		expect_recv(_metadata, e->fd, NULL, SLEEP_MS);
}

/* The mailbox still moves a message, and no stale waiter grabs it. */
static void expect_roundtrip(struct __test_metadata *_metadata,
			     struct env *e, enum blocked_call call)
{
	struct op rx = { .size = BUF_MAX };
	struct mailbox_info i;
	uint64_t n;

	if (call != CALL_RENDEZVOUS) {
		ASSERT_EQ(0, send_str(e->fd, "C", MAILBOX_NONBLOCK));
		expect_recv(_metadata, e->fd, "C", 0);
	} else {
		spawn(_metadata, e, 1, &rx);
		WAIT_INFO(e, receivers_waiting, 1);
		ASSERT_EQ(0, send_str(e->fd, "C", MAILBOX_NONBLOCK));
		EXPECT_TRUE(got(done(_metadata, e, 1), "C"));
	}
	/* "A" (if any) and "C" went through; "B" was never received */
	n = call == CALL_SEND_FULL ? 2 : 1;
	info(_metadata, e->fd, &i);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(n, i.received);
	/* whether a taken-back SEND_WAIT message was "accepted" is open */
	if (call != CALL_SEND_WAIT)
		EXPECT_EQ(n, i.sent);
	EXPECT_EQ(0U, i.receivers_waiting);
	EXPECT_EQ(0U, i.senders_waiting);
}

/* SIGUSR1 every STORM_PERIOD_MS until child 0 ends; it must time out. */
static void signal_storm(struct __test_metadata *_metadata, struct env *e,
			 enum blocked_call call)
{
	uint64_t stop = mbt_deadline_ms(STORM_DEADLINE_MS + SLACK_MS);
	struct result *r = &e->sh->res[0];

	while (!ended(e, 0, STORM_PERIOD_MS)) {
		ASSERT_GT(stop, mbt_now_ns())
			TH_LOG("still blocked %d ms after its deadline",
			       SLACK_MS);
		kill(e->pid[0], SIGUSR1);
	}
	r = done(_metadata, e, 0);
	EXPECT_EQ(-ETIMEDOUT, r->ret);
	EXPECT_LE(2, handled(e));
	EXPECT_LE(r->deadline, r->t_end);
	EXPECT_GT(r->deadline + STORM_LATE_MS * MS, r->t_end)
		TH_LOG("timed out %llu ms after its deadline",
		       (unsigned long long)(r->t_end - r->deadline) / MS);
	if (call == CALL_RECV)
		expect_recv(_metadata, e->fd, NULL, 0);
	else
		expect_nothing_left(_metadata, e, call);
	expect_roundtrip(_metadata, e, call);
}

/* Block child 0 in @call (with a deadline unless 0), interrupt it @how. */
static void interrupt(struct __test_metadata *_metadata, struct env *e,
		      enum blocked_call call, enum interruption how,
		      long deadline_ms)
{
	struct op op = { .size = BUF_MAX, .msg = "B" };
	struct result *r = &e->sh->res[0];

	box(_metadata, e, call == CALL_RENDEZVOUS ? 0 :
	    call == CALL_SEND_FULL ? 1 : 4, MSG_MAX);
	if (call == CALL_SEND_FULL)
		ASSERT_EQ(0, send_str(e->fd, "A", MAILBOX_NONBLOCK));
	op.send = call != CALL_RECV;
	if (call == CALL_SEND_WAIT)
		op.flags |= MAILBOX_SEND_WAIT;
	if (deadline_ms) {
		op.flags |= MAILBOX_DEADLINE;
		op.deadline_ms = deadline_ms;
	}
	op.handler = how == BY_EINTR ? HANDLER_EINTR :
		     how == BY_RESTART ? HANDLER_RESTART : NO_HANDLER;
	spawn(_metadata, e, 0, &op);
	wait_blocked(_metadata, e, call);

	if (how == BY_RESTART && deadline_ms) {
		signal_storm(_metadata, e, call);
		return;
	}
	ASSERT_EQ(0, kill(e->pid[0], how == BY_KILL ? SIGKILL : SIGUSR1));
	if (how == BY_RESTART) {
		wait_handled(_metadata, e, 1);
		wait_blocked(_metadata, e, call);
		complete_call(_metadata, e, call);
		EXPECT_EQ(1, handled(e));
		return;
	}
	if (how == BY_KILL) {
		reap_killed(_metadata, e, 0);
	} else {
		r = done(_metadata, e, 0);
		EXPECT_EQ(-EINTR, r->ret);
		EXPECT_EQ(1, handled(e));
		if (deadline_ms)
			EXPECT_GT(r->deadline, r->t_end);
	}
	expect_nothing_left(_metadata, e, call);
	expect_roundtrip(_metadata, e, call);
}

TEST_F(intr, eintr)
{
	interrupt(_metadata, &self->e, variant->call, BY_EINTR, 0);
}

TEST_F(intr, restart)
{
	interrupt(_metadata, &self->e, variant->call, BY_RESTART, 0);
}

TEST_F(intr, kill)
{
	interrupt(_metadata, &self->e, variant->call, BY_KILL, 0);
}

/* long deadline: the signal, not the deadline, ends the call */
TEST_F(intr, timed_eintr)
{
	interrupt(_metadata, &self->e, variant->call, BY_EINTR, 10000);
}

/* signalled over and over, the call times out at its own deadline */
TEST_F(intr, timed_restart)
{
	interrupt(_metadata, &self->e, variant->call, BY_RESTART,
		  STORM_DEADLINE_MS);
}

/*
 * Receivers that cannot write their buffer. The message they took goes
 * back to the head of the mailbox, and a sender waiting for delivery (on a
 * rendezvous or with MAILBOX_SEND_WAIT) learns that its message was
 * received only once a receiver has copied it out: it goes on sleeping
 * through the fault, and names the receiver that did copy it.
 */
#define RO_SIZE		4096	/* >= every message of these tests */

/* A page that may be read but not written, or NULL. */
static void *readonly_page(void)
{
	void *p = mmap(NULL, RO_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Child: a blocking receive into a read-only page; ret in its slot. */
static int bad_recv_main(void *p)
{
	struct child_arg *a = p;
	struct result *r = &a->e->sh->res[a->idx];
	int fd = mbt_open(a->e->name, MAILBOX_ACCESS_ALL);
	void *ro = readonly_page();

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(ro != NULL);
	MBT_CHILD_CHECK(!mbt_stat(fd, &r->pre));
	r->t_start = mbt_now_ns();
	r->ret = mbt_recv(fd, ro, RO_SIZE, 0, 0, &r->meta);
	r->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

/* Start a child running @fn, reporting into result slot @idx. */
static pid_t spawn_fn(struct __test_metadata *_metadata, struct env *e,
		      int idx, int (*fn)(void *), const struct op *op)
{
	struct child_arg a = { e, idx, op };
	pid_t pid;

	memset(&e->sh->res[idx], 0, sizeof(e->sh->res[idx]));
	e->sh->res[idx].ret = NOT_DONE;
	pid = mbt_spawn(&e->kids, fn, &a);
	ASSERT_LT(0, pid);
	e->pid[idx] = pid;
	e->status[idx] = -1;
	return pid;
}

/* Child @idx is still inside its call, and stays there for @ms. */
static void expect_asleep(struct __test_metadata *_metadata, struct env *e,
			  int idx, long ms)
{
	ASSERT_FALSE(ended(e, idx, ms))
		TH_LOG("child %d returned %d while it should sleep", idx,
		       e->sh->res[idx].ret);
	ASSERT_EQ(NOT_DONE, e->sh->res[idx].ret);
}

/* A message of @len bytes is queued alone and nobody has received it. */
static void expect_requeued(struct __test_metadata *_metadata, int fd,
			    uint32_t len)
{
	struct mailbox_info i;

	info(_metadata, fd, &i);
	EXPECT_EQ(1U, i.depth);
	EXPECT_EQ(len, i.bytes);
	EXPECT_EQ(len, i.next_len);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(0U, i.receivers_waiting);
}

/*
 * Child 0 sends with @flags on a mailbox of @capacity, sleeping until its
 * message is received. A receiver takes the message but cannot copy it
 * out: the test process itself or, if @handoff, child 1, asleep in the
 * mailbox before the send, so that the message is handed to it directly.
 * That receive fails with -EFAULT; the sender must not return, the
 * message must be back in the mailbox, and a receiver with a good buffer
 * must then get it intact and be the one the sender names.
 */
static void fault_before_delivery(struct __test_metadata *_metadata,
				  struct env *e, uint32_t capacity,
				  uint32_t flags, bool handoff)
{
	struct op tx = { .send = true, .msg = "copy me", .flags = flags };
	const int n = strlen(tx.msg);
	struct mailbox_recv m;
	char buf[BUF_MAX];
	struct result *r;
	void *ro;

	box(_metadata, e, capacity, MSG_MAX);
	if (handoff) {
		spawn_fn(_metadata, e, 1, bad_recv_main, NULL);
		WAIT_INFO(e, receivers_waiting, 1);
	}
	spawn(_metadata, e, 0, &tx);
	if (handoff) {
		r = done(_metadata, e, 1);
		ASSERT_EQ(-EFAULT, r->ret);
	} else {
		if (capacity)
			WAIT_INFO(e, depth, 1);
		else
			WAIT_INFO(e, senders_waiting, 1);
		ro = readonly_page();
		ASSERT_TRUE(ro != NULL);
		ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE,
					    MAILBOX_NONBLOCK, 0, NULL));
		munmap(ro, RO_SIZE);
	}

	/* not received: the sender sleeps on, its message queued again */
	expect_asleep(_metadata, e, 0, SLEEP_MS);
	expect_requeued(_metadata, e->fd, n);

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      &m));
	EXPECT_EQ(0, memcmp(buf, tx.msg, n));
	EXPECT_EQ((uint32_t)n, m.len);
	EXPECT_EQ(e->pid[0], m.sender_pid);
	r = done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(getpid(), r->receiver_pid);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

TEST_F(xfer, efault_rendezvous_sender_waits)
{
	fault_before_delivery(_metadata, &self->e, 0, 0, false);
}

TEST_F(xfer, efault_send_wait_sender_waits)
{
	fault_before_delivery(_metadata, &self->e, 4, MAILBOX_SEND_WAIT,
			      false);
}

TEST_F(xfer, efault_rendezvous_handoff_sender_waits)
{
	fault_before_delivery(_metadata, &self->e, 0, 0, true);
}

TEST_F(xfer, efault_send_wait_handoff_sender_waits)
{
	fault_before_delivery(_metadata, &self->e, 4, MAILBOX_SEND_WAIT,
			      true);
}

/*
 * A receiver asleep behind the one that faulted gets the message at once,
 * and the sender names it.
 */
TEST_F(xfer, efault_handoff_passes_to_next_receiver)
{
	struct op tx = { .send = true, .msg = "next one" };
	struct op rx = { .size = BUF_MAX };
	struct env *e = &self->e;
	struct result *r;

	box(_metadata, e, 0, MSG_MAX);
	spawn_fn(_metadata, e, 1, bad_recv_main, NULL);
	WAIT_INFO(e, receivers_waiting, 1);
	spawn(_metadata, e, 2, &rx);
	WAIT_INFO(e, receivers_waiting, 2);
	spawn(_metadata, e, 0, &tx);
	EXPECT_EQ(-EFAULT, done(_metadata, e, 1)->ret);
	r = done(_metadata, e, 2);
	EXPECT_TRUE(got(r, tx.msg)) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(e->pid[0], r->meta.sender_pid);
	r = done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(e->pid[2], r->receiver_pid)
		TH_LOG("faulting receiver %d, receiving one %d", e->pid[1],
		       e->pid[2]);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

/*
 * A non-blocking send waits only while a receiver copies its message out:
 * when that copy faults and the message is put back, the send takes it
 * back and fails with -EAGAIN instead of sleeping until another receiver
 * comes. Both on a rendezvous and with MAILBOX_SEND_WAIT.
 */
static void nonblock_send_after_fault(struct __test_metadata *_metadata,
				      struct env *e, uint32_t capacity,
				      uint32_t flags)
{
	struct op tx = { .send = true, .msg = "nonblocking",
			 .flags = MAILBOX_NONBLOCK | flags };
	struct result *r;

	box(_metadata, e, capacity, MSG_MAX);
	spawn_fn(_metadata, e, 1, bad_recv_main, NULL);
	WAIT_INFO(e, receivers_waiting, 1);
	spawn(_metadata, e, 0, &tx);
	EXPECT_EQ(-EFAULT, done(_metadata, e, 1)->ret);
	r = done(_metadata, e, 0);
	EXPECT_EQ(-EAGAIN, r->ret);
	EXPECT_EQ(0, r->receiver_pid);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 0, 0);
}

TEST_F(xfer, efault_nonblock_rendezvous_send_fails)
{
	nonblock_send_after_fault(_metadata, &self->e, 0, 0);
}

TEST_F(xfer, efault_nonblock_send_wait_fails)
{
	nonblock_send_after_fault(_metadata, &self->e, 4, MAILBOX_SEND_WAIT);
}

/*
 * After the fault the sender can still take its message back: a signal
 * interrupts it and the message is gone.
 */
TEST_F(xfer, efault_then_sender_interrupted)
{
	struct op tx = { .send = true, .msg = "withdrawn",
			 .handler = HANDLER_EINTR };
	struct env *e = &self->e;
	struct mailbox_info i;
	struct result *r;
	void *ro = readonly_page();

	ASSERT_TRUE(ro != NULL);
	box(_metadata, e, 0, MSG_MAX);
	spawn(_metadata, e, 0, &tx);
	WAIT_INFO(e, senders_waiting, 1);
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, MAILBOX_NONBLOCK, 0,
				    NULL));
	munmap(ro, RO_SIZE);
	expect_asleep(_metadata, e, 0, SLEEP_MS);
	expect_requeued(_metadata, e->fd, strlen(tx.msg));

	ASSERT_EQ(0, kill(e->pid[0], SIGUSR1));
	r = done(_metadata, e, 0);
	EXPECT_EQ(-EINTR, r->ret);
	EXPECT_EQ(0, r->receiver_pid);
	EXPECT_EQ(1, handled(e));
	expect_recv(_metadata, e->fd, NULL, 0);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(0U, i.senders_waiting);
}

/* Without a waiting sender: the message stays queued, in its place. */
TEST_F(xfer, efault_keeps_message_queued)
{
	struct env *e = &self->e;
	struct mailbox_info i;
	void *ro = readonly_page();

	ASSERT_TRUE(ro != NULL);
	box(_metadata, e, 4, MSG_MAX);
	ASSERT_EQ(0, send_str(e->fd, "one", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, send_str(e->fd, "two!", MAILBOX_NONBLOCK));
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, MAILBOX_NONBLOCK, 0,
				    NULL));
	/* blocking too: there is a message, so it does not sleep */
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, 0, 0, NULL));
	munmap(ro, RO_SIZE);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(7U, i.bytes);
	EXPECT_EQ(3U, i.next_len);
	EXPECT_EQ(2U, i.sent);
	EXPECT_EQ(0U, i.received);
	expect_recv(_metadata, e->fd, "one", 0);
	expect_recv(_metadata, e->fd, "two!", 0);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 2, 2);
}

/*
 * A send that fails without sleeping (-EAGAIN, or -ETIMEDOUT with a
 * deadline already past) changes nothing: receivers asleep in the mailbox
 * whose buffers are too small for its message sleep on, and take the next
 * message that fits.
 */
static void failed_send_leaves_receiver(struct __test_metadata *_metadata,
					struct env *e, uint32_t capacity,
					uint32_t flags, int err)
{
	struct op rx = { .size = 10 };
	uint64_t deadline = 0, end;
	struct mailbox_info i;
	int32_t receiver = -1;
	char big[100];
	struct result *r;

	box(_metadata, e, capacity, MSG_MAX);
	spawn(_metadata, e, 0, &rx);
	WAIT_INFO(e, receivers_waiting, 1);
	fill_pattern(big, sizeof(big), 3);
	if (flags & MAILBOX_DEADLINE)
		deadline = mbt_now_ns() - 1000 * MS;
	ASSERT_EQ(err, mbt_send(e->fd, big, sizeof(big), flags, deadline,
				NULL));

	/* the receiver sleeps on for a while, undisturbed */
	end = mbt_deadline_ms(200);
	do {
		info(_metadata, e->fd, &i);
		ASSERT_EQ(1U, i.receivers_waiting);
		ASSERT_FALSE(ended(e, 0, 0))
			TH_LOG("receiver woke with %d (len %u)",
			       e->sh->res[0].ret, e->sh->res[0].meta.len);
		mbt_sleep_ms(5);
	} while (mbt_now_ns() < end);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.sent);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(0U, i.senders_waiting);

	ASSERT_EQ(0, mbt_send(e->fd, "small", 5, 0, 0, &receiver));
	EXPECT_EQ(capacity ? 0 : e->pid[0], receiver);
	r = done(_metadata, e, 0);
	EXPECT_TRUE(got(r, "small")) TH_LOG("ret %d", r->ret);
	expect_recv(_metadata, e->fd, NULL, 0);
	expect_counts(_metadata, e->fd, 0, 1, 1);
}

TEST_F(xfer, failed_nonblock_rendezvous_leaves_receivers)
{
	failed_send_leaves_receiver(_metadata, &self->e, 0, MAILBOX_NONBLOCK,
				    -EAGAIN);
}

TEST_F(xfer, failed_timed_rendezvous_leaves_receivers)
{
	failed_send_leaves_receiver(_metadata, &self->e, 0, MAILBOX_DEADLINE,
				    -ETIMEDOUT);
}

TEST_F(xfer, failed_nonblock_send_wait_leaves_receivers)
{
	failed_send_leaves_receiver(_metadata, &self->e, 4,
				    MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT,
				    -EAGAIN);
}

TEST_F(xfer, failed_timed_send_wait_leaves_receivers)
{
	failed_send_leaves_receiver(_metadata, &self->e, 4,
				    MAILBOX_DEADLINE | MAILBOX_SEND_WAIT,
				    -ETIMEDOUT);
}

/*
 * Time namespaces: deadlines and send_time_ns are CLOCK_MONOTONIC as the
 * caller's time namespace reads it. The test process makes a time
 * namespace whose monotonic clock is TIMENS_OFFSET_S ahead for its
 * children (unshare() leaves the caller where it is). One child, in it,
 * exchanges a message each way with the test process, sends itself one,
 * and then makes timed calls on a mailbox of its own; an alarm bounds it
 * in case a deadline is taken for the host's time, ~28 hours away.
 */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
#define TIMENS_OFFSET_S		100000LL
#define TIMENS_OFFSET_NS	(TIMENS_OFFSET_S * 1000000000LL)
#define TIMENS_ALARM_S		10	/* the child's bound on everything */

/* What the child in the time namespace saw, in shared memory. */
struct timens_report {
	uint64_t now;			/* its clock when it began */
	int from_host;			/* receiving the test's message */
	struct mailbox_recv from_host_meta;
	int self_send, self_recv;	/* a message to itself */
	uint64_t self_t0, self_t1;
	struct mailbox_recv self_meta;
	int to_host;			/* a message for the test process */
	uint64_t to_host_t0, to_host_t1;
	int timed_recv;			/* on the empty mailbox */
	uint64_t recv_t0, recv_t1;
	int timed_send;			/* SEND_WAIT that nobody receives */
	uint64_t send_t0, send_t1;
};

static struct timens_report *g_timens;

static int timens_child(void *p)
{
	struct child_arg *a = p;
	struct timens_report *t = g_timens;
	char buf[BUF_MAX], name[MAILBOX_NAME_LEN];
	int fd;

	alarm(TIMENS_ALARM_S);
	t->now = mbt_now_ns();
	fd = mbt_open(a->e->name, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(fd >= 0);

	t->from_host = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				&t->from_host_meta);

	t->self_t0 = mbt_now_ns();
	t->self_send = mbt_send(fd, "self", 4, 0, 0, NULL);
	t->self_t1 = mbt_now_ns();
	t->self_recv = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				&t->self_meta);

	t->to_host_t0 = mbt_now_ns();
	t->to_host = mbt_send(fd, "to host", 7, 0, 0, NULL);
	t->to_host_t1 = mbt_now_ns();
	close(fd);

	mbt_name(name, "xfer-timens");
	fd = mbt_create(name, MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED, 0600,
			4, MSG_MAX);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_unlink(name));

	t->recv_t0 = mbt_now_ns();
	t->timed_recv = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
				 t->recv_t0 + SLEEP_MS * MS, NULL);
	t->recv_t1 = mbt_now_ns();

	t->send_t0 = mbt_now_ns();
	t->timed_send = mbt_send(fd, "nobody", 6,
				 MAILBOX_DEADLINE | MAILBOX_SEND_WAIT,
				 t->send_t0 + SLEEP_MS * MS, NULL);
	t->send_t1 = mbt_now_ns();
	close(fd);

	a->e->sh->res[a->idx].ret = 0;
	return 0;
}

/* Make the time namespace for children: 0, or -errno of unshare(). */
static int timens_for_children(struct __test_metadata *_metadata)
{
	char line[64];
	int fd, n;

	if (unshare(CLONE_NEWTIME))
		return -errno;
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	EXPECT_LE(0, fd) TH_LOG("timens_offsets: %s", strerror(errno));
	if (fd < 0)
		return -EIO;
	n = snprintf(line, sizeof(line), "monotonic %lld 0\n",
		     TIMENS_OFFSET_S);
	EXPECT_EQ(n, write(fd, line, n))
		TH_LOG("timens_offsets: %s", strerror(errno));
	close(fd);
	return 0;
}

/* @t lies in [@lo, @hi]. */
static void expect_within(struct __test_metadata *_metadata, const char *what,
			  uint64_t t, uint64_t lo, uint64_t hi)
{
	EXPECT_LE(lo, t) TH_LOG("%s %llu < %llu", what,
				(unsigned long long)t, (unsigned long long)lo);
	EXPECT_GE(hi, t) TH_LOG("%s %llu > %llu", what,
				(unsigned long long)t, (unsigned long long)hi);
}

TEST_F(xfer, time_namespace)
{
	struct env *e = &self->e;
	struct timens_report *t;
	uint64_t h0, h1, t0, t1;
	struct mailbox_recv m;
	struct mailbox_info i;
	char buf[BUF_MAX];
	int ret, status;

	box(_metadata, e, 4, MSG_MAX);
	ret = timens_for_children(_metadata);
	if (ret == -EINVAL || ret == -EPERM)
		SKIP(return, "no time namespace: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("unshare(CLONE_NEWTIME): %s",
				 strerror(-ret));
	t = mbt_shared(sizeof(*t));
	ASSERT_TRUE(t != NULL);
	g_timens = t;

	h0 = mbt_now_ns();
	ASSERT_EQ(0, send_str(e->fd, "from host", MAILBOX_NONBLOCK));
	h1 = mbt_now_ns();
	t0 = mbt_now_ns();
	spawn_fn(_metadata, e, 0, timens_child, NULL);
	ASSERT_TRUE(ended(e, 0, (TIMENS_ALARM_S + 5) * 1000))
		TH_LOG("the child outlived its alarm");
	t1 = mbt_now_ns();

	/* the child's clock is the test's, TIMENS_OFFSET_S ahead */
	expect_within(_metadata, "child's clock", t->now,
		      t0 + TIMENS_OFFSET_NS, t1 + TIMENS_OFFSET_NS);

	/* the test's message, stamped in the child's time */
	EXPECT_EQ(9, t->from_host);
	expect_within(_metadata, "host message's send time",
		      t->from_host_meta.send_time_ns,
		      h0 + TIMENS_OFFSET_NS, h1 + TIMENS_OFFSET_NS);

	/* its own message, stamped in its time */
	EXPECT_EQ(0, t->self_send);
	EXPECT_EQ(4, t->self_recv);
	expect_within(_metadata, "own message's send time",
		      t->self_meta.send_time_ns, t->self_t0, t->self_t1);

	/* its message for the test, stamped in the test's time */
	EXPECT_EQ(0, t->to_host);
	ASSERT_EQ(7, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      &m));
	EXPECT_EQ(0, memcmp(buf, "to host", 7));
	expect_within(_metadata, "child message's send time", m.send_time_ns,
		      t0, t1);
	expect_within(_metadata, "child message's send time", m.send_time_ns,
		      t->to_host_t0 - TIMENS_OFFSET_NS,
		      t->to_host_t1 - TIMENS_OFFSET_NS);
	expect_recv(_metadata, e->fd, NULL, 0);
	info(_metadata, e->fd, &i);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(3U, i.sent);
	EXPECT_EQ(3U, i.received);

	/* its deadlines are in its time: both calls slept SLEEP_MS */
	status = e->status[0];
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("child killed by signal %d%s", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ?
		       ": a timed call slept through its deadline" : "");
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ETIMEDOUT, t->timed_recv);
	expect_slept(_metadata, t->recv_t0, t->recv_t1, SLEEP_MS);
	EXPECT_EQ(-ETIMEDOUT, t->timed_send);
	expect_slept(_metadata, t->send_t0, t->send_t1, SLEEP_MS);
	munmap(t, sizeof(*t));
}

TEST_HARNESS_MAIN
