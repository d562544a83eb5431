// SPDX-License-Identifier: GPL-2.0
/*
 * Receives filtered by sender (struct mailbox_recv.from_pid) on queue and
 * priority mailboxes (issue 11, finding 4): each sender's messages in
 * order, the highest priority first, a message put back keeping its place,
 * an exited sender's messages still taken by its pid, sleeping senders
 * found by the filter, the index built at the first filtered receive over
 * what was queued before; and what a filter that matches nothing costs with a
 * full 65,536-message mailbox: a walk of the queue under the mailbox lock
 * before, an index look-up now.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>

#include "lib/mbt.h"

#define MSG_MAX		16
#define TIMEOUT_S	300	/* per test (slow emulation) */

/*
 * ---- agents: children (of the fixture's, killed by its teardown) that
 * send when told, from a thread when the send is to sleep: the library's
 * agents answer one call at a time, and the cost test puts 2,000 senders
 * of one process to sleep.
 */

enum { AG_SEND, AG_SEND_BG, AG_EXIT };

struct ag_cmd {
	int op;
	uint32_t prio;
	uint32_t flags;
	char msg[MSG_MAX];
};

struct agent {
	pid_t pid;
	int cmd;	/* write end */
	int rep;	/* read end */
};

struct ag_bg {
	int fd, rep;
	struct ag_cmd c;
};

static int ag_do_send(int fd, const struct ag_cmd *c)
{
	return mbt_send_ex(fd, 0, c->msg, strlen(c->msg), c->flags, 0, c->prio,
			   NULL);
}

static void *ag_bg_send(void *p)
{
	struct ag_bg *bg = p;
	int ret = ag_do_send(bg->fd, &bg->c);

	if (write(bg->rep, &ret, sizeof(ret)) != sizeof(ret))
		_exit(3);
	free(bg);
	return NULL;
}

struct ag_start_args {
	const char *name;
	int cmd, rep;		/* the agent's ends */
	int cmd_wr, rep_rd;	/* the test's ends, closed in the agent */
};

static void ag_main(const char *name, int cmd, int rep)
{
	pthread_attr_t attr;
	struct ag_cmd c;
	struct ag_bg *bg;
	pthread_t t;
	int fd, ret;

	/* Small stacks: the cost test puts thousands of senders to sleep. */
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstacksize(&attr, 64 << 10) ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED))
		_exit(6);
	fd = mbt_open(name, MAILBOX_ACCESS_SEND);
	if (write(rep, &fd, sizeof(fd)) != sizeof(fd) || fd < 0)
		_exit(1);
	while (read(cmd, &c, sizeof(c)) == sizeof(c)) {
		switch (c.op) {
		case AG_SEND:
			ret = ag_do_send(fd, &c);
			if (write(rep, &ret, sizeof(ret)) != sizeof(ret))
				_exit(2);
			break;
		case AG_SEND_BG:
			/* A thread sends; it replies when its send returns. */
			bg = malloc(sizeof(*bg));
			if (!bg)
				_exit(4);
			bg->fd = fd;
			bg->rep = rep;
			bg->c = c;
			if (pthread_create(&t, &attr, ag_bg_send, bg))
				_exit(5);
			break;
		default:
			_exit(0);
		}
	}
	_exit(0);
}

static int ag_child(void *arg)
{
	struct ag_start_args *s = arg;

	close(s->cmd_wr);
	close(s->rep_rd);
	ag_main(s->name, s->cmd, s->rep);
	return 0;
}

/* An agent bound to mailbox @name for sending; pid 0 on failure. */
static struct agent ag_start(struct mbt_env *e, const char *name)
{
	struct ag_start_args s = { .name = name };
	struct agent a = { 0 };
	int c[2], r[2], fd;

	if (pipe2(c, O_CLOEXEC))
		return a;
	if (pipe2(r, O_CLOEXEC)) {
		close(c[0]);
		close(c[1]);
		return a;
	}
	s.cmd = c[0];
	s.rep = r[1];
	s.cmd_wr = c[1];
	s.rep_rd = r[0];
	a.pid = mbt_spawn(&e->kids, ag_child, &s);
	close(c[0]);
	close(r[1]);
	a.cmd = c[1];
	a.rep = r[0];
	if (a.pid < 0 || read(a.rep, &fd, sizeof(fd)) != sizeof(fd) || fd < 0)
		a.pid = 0;
	return a;
}

static int ag_reply(struct agent *a)
{
	int ret = -EPIPE;

	if (read(a->rep, &ret, sizeof(ret)) != sizeof(ret))
		return -EPIPE;
	return ret;
}

static int ag_post(struct agent *a, int op, const char *msg, uint32_t prio,
		   uint32_t flags)
{
	struct ag_cmd c;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.prio = prio;
	c.flags = flags;
	snprintf(c.msg, sizeof(c.msg), "%s", msg);
	return write(a->cmd, &c, sizeof(c)) == sizeof(c) ? 0 : -EPIPE;
}

/* Send @msg (non-blocking) through agent @a: the send's result. */
static int ag_send(struct agent *a, const char *msg, uint32_t prio)
{
	int ret = ag_post(a, AG_SEND, msg, prio, MAILBOX_NONBLOCK);

	return ret ? ret : ag_reply(a);
}

/* Make agent @a exit, and reap it: 0 or -errno. */
static int ag_exit(struct mbt_env *e, struct agent *a)
{
	int status, ret;

	if (!a->pid)
		return 0;
	ag_post(a, AG_EXIT, "", 0, 0);
	close(a->cmd);
	close(a->rep);
	ret = mbt_reap(&e->kids, a->pid, &status, MBT_SLACK_MS);
	if (!ret)
		a->pid = 0;
	return ret;
}

static void ag_kill(struct mbt_env *e, struct agent *a)
{
	int status;

	if (!a->pid)
		return;
	kill(a->pid, SIGKILL);
	mbt_reap(&e->kids, a->pid, &status, MBT_SLACK_MS);
	close(a->cmd);
	close(a->rep);
	a->pid = 0;
}

/* ---- the fixture: one named mailbox (e->fd), up to three agents ------- */

MBT_FIXTURE(filt, "filt");

#define NR_AG	3

static void setup_box(struct __test_metadata *_metadata, struct mbt_env *e,
		      struct agent *ag, uint32_t capacity, uint32_t delivery,
		      int agents)
{
	const char *name;
	int i;

	mbt_new_box(_metadata, e, &name,
		    MBT_BOX(.capacity = capacity, .msg_size_max = MSG_MAX,
			    .delivery = delivery));
	for (i = 0; i < agents; i++) {
		ag[i] = ag_start(e, name);
		ASSERT_NE(0, ag[i].pid);
	}
}

/* Receive (non-blocking) from @from: expect @want from @sender. */
static void expect_from(struct __test_metadata *_metadata, int fd, pid_t from,
			const char *want, pid_t sender, uint32_t prio)
{
	struct mailbox_recv m;
	char buf[MSG_MAX + 1];
	int n;

	memset(buf, 0, sizeof(buf));
	n = mbt_recv_from(fd, from, buf, MSG_MAX, MAILBOX_NONBLOCK, 0, &m);
	ASSERT_EQ((int)strlen(want), n) TH_LOG("from %d: want %s", from, want);
	EXPECT_STREQ(want, buf);
	EXPECT_EQ(sender, m.sender_pid);
	EXPECT_EQ(prio, m.priority);
}

/* PEEK from @from: expect a message of @len bytes from @sender. */
static void expect_peek(struct __test_metadata *_metadata, int fd, pid_t from,
			int len, pid_t sender, uint32_t prio)
{
	struct mailbox_recv m;

	ASSERT_EQ(len, mbt_recv_from(fd, from, NULL, 0, MAILBOX_RECV_PEEK, 0,
				     &m));
	EXPECT_EQ(sender, m.sender_pid);
	EXPECT_EQ(prio, m.priority);
}

static uint32_t depth_of(int fd)
{
	struct mailbox_info info;

	return mbt_stat(fd, &info) ? ~0U : info.depth;
}

/*
 * In a TEST_F of filt: @ag, an array of NR_AG agents, and @fd, the
 * fixture's mailbox, made by setup_box().
 */
#define FILT_VARS			\
	struct mbt_env *e = &self->e;	\
	struct agent ag[NR_AG] = { 0 }

/* Three senders interleaved: each one's messages in order, others kept. */
TEST_F_TIMEOUT(filt, interleaved_fifo, TIMEOUT_S)
{
	FILT_VARS;
	static const char *const order[] = {
		"A0", "B0", "C0", "A1", "A2", "B1", "C1", "B2", "A3", "C2",
		"B3", "A4",
	};
	static const char *const rest[] = {
		"A0", "A1", "A2", "C1", "A3", "C2", "A4",
	};
	pid_t pid[3];
	size_t k;
	int i;

	setup_box(_metadata, e, ag, 64, MAILBOX_DELIVER_QUEUE, 3);
	for (i = 0; i < 3; i++)
		pid[i] = ag[i].pid;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		ASSERT_EQ(0, ag_send(&ag[order[k][0] - 'A'], order[k],
				     0));
	expect_peek(_metadata, e->fd, pid[1], 2, pid[1], 0);
	expect_from(_metadata, e->fd, pid[1], "B0", pid[1], 0);
	expect_from(_metadata, e->fd, pid[1], "B1", pid[1], 0);
	expect_from(_metadata, e->fd, pid[1], "B2", pid[1], 0);
	expect_from(_metadata, e->fd, pid[1], "B3", pid[1], 0);
	/* A sender with nothing queued now, and one that sent nothing. */
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, pid[1], NULL, 0,
					 MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, getpid(), NULL, 0,
					 MAILBOX_NONBLOCK, 0, NULL));
	/* More from B after its queue emptied: it is found again. */
	ASSERT_EQ(0, ag_send(&ag[1], "B4", 0));
	expect_from(_metadata, e->fd, pid[2], "C0", pid[2], 0);
	expect_peek(_metadata, e->fd, pid[1], 2, pid[1], 0);
	expect_from(_metadata, e->fd, pid[1], "B4", pid[1], 0);
	/* The others, unfiltered, in the order they were sent. */
	for (k = 0; k < sizeof(rest) / sizeof(rest[0]); k++)
		expect_from(_metadata, e->fd, 0, rest[k],
			    pid[rest[k][0] - 'A'], 0);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/*
 * A mailbox indexes its messages by sender only from its first filtered
 * receive on: what was queued, received and queued again before it is
 * found in order, and what is sent after it is indexed as it comes.
 */
TEST_F_TIMEOUT(filt, index_built_late, TIMEOUT_S)
{
	FILT_VARS;
	pid_t a, b;

	setup_box(_metadata, e, ag, 64, MAILBOX_DELIVER_PRIORITY, 2);
	a = ag[0].pid;
	b = ag[1].pid;
	/* No filter yet: sent, received, sent again. */
	ASSERT_EQ(0, ag_send(&ag[0], "A0", 1));
	ASSERT_EQ(0, ag_send(&ag[1], "B0", 1));
	expect_from(_metadata, e->fd, 0, "A0", a, 1);
	ASSERT_EQ(0, ag_send(&ag[1], "B1", 2));
	ASSERT_EQ(0, ag_send(&ag[0], "A1", 1));
	ASSERT_EQ(0, ag_send(&ag[1], "B2", 1));
	/* The first filtered receive indexes them. */
	expect_from(_metadata, e->fd, b, "B1", b, 2);
	expect_from(_metadata, e->fd, b, "B0", b, 1);
	/* Sent after it, received before and after the others. */
	ASSERT_EQ(0, ag_send(&ag[0], "A2", 3));
	ASSERT_EQ(0, ag_send(&ag[1], "B3", 1));
	expect_from(_metadata, e->fd, a, "A2", a, 3);
	expect_from(_metadata, e->fd, a, "A1", a, 1);
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, NULL, 0,
					 MAILBOX_RECV_PEEK, 0, NULL));
	expect_from(_metadata, e->fd, 0, "B2", b, 1);
	expect_from(_metadata, e->fd, b, "B3", b, 1);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/* Priority mailbox: a sender's highest priority first, in order within. */
TEST_F_TIMEOUT(filt, priorities, TIMEOUT_S)
{
	FILT_VARS;
	static const struct { int ag; const char *msg; uint32_t prio; } s[] = {
		{ 0, "a1", 1 }, { 1, "b5", 5 }, { 0, "a5", 5 }, { 0, "a3", 3 },
		{ 1, "b9", 9 }, { 0, "a5'", 5 }, { 2, "c31", 31 },
		{ 0, "a1'", 1 }, { 1, "b5'", 5 },
	};
	pid_t a, b, c;
	size_t k;

	setup_box(_metadata, e, ag, 64, MAILBOX_DELIVER_PRIORITY, 3);
	a = ag[0].pid;
	b = ag[1].pid;
	c = ag[2].pid;
	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++)
		ASSERT_EQ(0, ag_send(&ag[s[k].ag], s[k].msg, s[k].prio));
	expect_peek(_metadata, e->fd, a, 2, a, 5);
	expect_from(_metadata, e->fd, a, "a5", a, 5);
	expect_from(_metadata, e->fd, a, "a5'", a, 5);
	expect_peek(_metadata, e->fd, a, 2, a, 3);
	expect_from(_metadata, e->fd, a, "a3", a, 3);
	expect_from(_metadata, e->fd, b, "b9", b, 9);
	expect_from(_metadata, e->fd, a, "a1", a, 1);
	/* Unfiltered: the highest priority of all, oldest first. */
	expect_from(_metadata, e->fd, 0, "c31", c, 31);
	expect_from(_metadata, e->fd, 0, "b5", b, 5);
	expect_from(_metadata, e->fd, a, "a1'", a, 1);
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, NULL, 0,
					 MAILBOX_RECV_PEEK, 0, NULL));
	expect_from(_metadata, e->fd, b, "b5'", b, 5);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/*
 * A filtered receive whose buffer cannot be written puts the message back
 * first: for that sender and for everyone.
 */
TEST_F_TIMEOUT(filt, requeue_keeps_order, TIMEOUT_S)
{
	FILT_VARS;
	void *bad;
	pid_t a, b;

	setup_box(_metadata, e, ag, 16, MAILBOX_DELIVER_PRIORITY, 2);
	a = ag[0].pid;
	b = ag[1].pid;
	bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(0, ag_send(&ag[1], "b0", 2));
	ASSERT_EQ(0, ag_send(&ag[0], "a0", 2));
	ASSERT_EQ(0, ag_send(&ag[1], "b1", 2));
	ASSERT_EQ(0, ag_send(&ag[0], "a1", 2));
	ASSERT_EQ(0, ag_send(&ag[0], "a2", 2));
	EXPECT_EQ(-EFAULT, mbt_recv_from(e->fd, a, bad, MSG_MAX,
					 MAILBOX_NONBLOCK, 0, NULL));
	MBT_EXPECT_INFO(e->fd, .depth = 5);
	/* a0 went back first of all: before b0 too. */
	expect_from(_metadata, e->fd, 0, "a0", a, 2);
	/* Again, with a0 gone: a1 back first among a's. */
	EXPECT_EQ(-EFAULT, mbt_recv_from(e->fd, a, bad, MSG_MAX,
					 MAILBOX_NONBLOCK, 0, NULL));
	expect_peek(_metadata, e->fd, 0, 2, a, 2);
	expect_from(_metadata, e->fd, a, "a1", a, 2);
	expect_from(_metadata, e->fd, a, "a2", a, 2);
	expect_from(_metadata, e->fd, b, "b0", b, 2);
	expect_from(_metadata, e->fd, 0, "b1", b, 2);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
	munmap(bad, 4096);
}

/*
 * A sender that has exited (and been reaped) leaves its messages queued:
 * they are still taken, in order, by the pid it had; then the filter gets
 * -EAGAIN, or -ESRCH where it would sleep.
 */
TEST_F_TIMEOUT(filt, exited_sender, TIMEOUT_S)
{
	FILT_VARS;
	struct mailbox_recv m;
	char buf[MSG_MAX];
	pid_t a, b;

	setup_box(_metadata, e, ag, 16, MAILBOX_DELIVER_PRIORITY, 2);
	a = ag[0].pid;
	b = ag[1].pid;
	ASSERT_EQ(0, ag_send(&ag[0], "a0", 0));
	ASSERT_EQ(0, ag_send(&ag[1], "b0", 0));
	ASSERT_EQ(0, ag_send(&ag[0], "a1", 4));
	ASSERT_EQ(0, ag_send(&ag[0], "a2", 0));
	ASSERT_EQ(0, ag_exit(e, &ag[0]));
	/* Reaped: no process has pid a now (unless reused: skip then). */
	if (kill(a, 0) == 0)
		SKIP(return, "pid %d reused already", a);
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(2, mbt_recv_from(e->fd, a, NULL, 0, MAILBOX_RECV_PEEK, 0,
				   &m));
	EXPECT_EQ(4U, m.priority);
	expect_from(_metadata, e->fd, a, "a1", a, 4);
	expect_from(_metadata, e->fd, a, "a0", a, 0);
	/* Blocking, with a message there: taken, no -ESRCH. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, mbt_recv_from(e->fd, a, buf, sizeof(buf), 0, 0, &m));
	EXPECT_STREQ("a2", buf);
	EXPECT_EQ(a, m.sender_pid);
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, NULL, 0,
					 MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-ESRCH, mbt_recv_from(e->fd, a, buf, sizeof(buf),
					MAILBOX_DEADLINE,
					mbt_deadline_ms(MBT_SLACK_MS), NULL));
	EXPECT_EQ(-ESRCH, mbt_recv_from(e->fd, a, buf, sizeof(buf), 0, 0,
					NULL));
	expect_from(_metadata, e->fd, b, "b0", b, 0);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/*
 * A full mailbox with senders asleep: a filter finds the oldest sleeping
 * sender of that process with the highest priority, past the queue, and
 * that sender's send returns.
 */
TEST_F_TIMEOUT(filt, sleeping_senders, TIMEOUT_S)
{
	FILT_VARS;
	pid_t me = getpid(), a, b;
	char buf[MSG_MAX];

	setup_box(_metadata, e, ag, 2, MAILBOX_DELIVER_PRIORITY, 2);
	a = ag[0].pid;
	b = ag[1].pid;
	ASSERT_EQ(0, mbt_send_ex(e->fd, 0, "p0", 2, 0, 0, 0, NULL));
	ASSERT_EQ(0, mbt_send_ex(e->fd, 0, "p1", 2, 0, 0, 0, NULL));
	/* Asleep in this order: a1 (prio 1), b7, a7, a7', b0. */
	ASSERT_EQ(0, ag_post(&ag[0], AG_SEND_BG, "a1", 1, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 1, MBT_SLACK_MS));
	ASSERT_EQ(0, ag_post(&ag[1], AG_SEND_BG, "b7", 7, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 2, MBT_SLACK_MS));
	ASSERT_EQ(0, ag_post(&ag[0], AG_SEND_BG, "a7", 7, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 3, MBT_SLACK_MS));
	ASSERT_EQ(0, ag_post(&ag[0], AG_SEND_BG, "a7'", 7, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 4, MBT_SLACK_MS));
	ASSERT_EQ(0, ag_post(&ag[1], AG_SEND_BG, "b0", 0, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 5, MBT_SLACK_MS));

	/* p0 and p1 are mine, queued: found before any sleeping sender. */
	expect_peek(_metadata, e->fd, me, 2, me, 0);
	/* a: the queue has none of its; its sleeping a7, then a7', a1. */
	expect_peek(_metadata, e->fd, a, 2, a, 7);
	expect_from(_metadata, e->fd, a, "a7", a, 7);
	EXPECT_EQ(0, ag_reply(&ag[0]));
	MBT_EXPECT_INFO(e->fd, .senders_waiting = 4, .depth = 2);
	expect_from(_metadata, e->fd, b, "b7", b, 7);
	EXPECT_EQ(0, ag_reply(&ag[1]));
	expect_from(_metadata, e->fd, a, "a7'", a, 7);
	EXPECT_EQ(0, ag_reply(&ag[0]));
	expect_from(_metadata, e->fd, a, "a1", a, 1);
	EXPECT_EQ(0, ag_reply(&ag[0]));
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	MBT_EXPECT_INFO(e->fd, .senders_waiting = 1);
	/* An unfiltered receive frees a slot: b0 moves into the queue. */
	expect_from(_metadata, e->fd, 0, "p0", me, 0);
	EXPECT_EQ(0, ag_reply(&ag[1]));
	expect_from(_metadata, e->fd, b, "b0", b, 0);
	expect_from(_metadata, e->fd, me, "p1", me, 0);
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/*
 * A sender killed while asleep takes its message back: the filter no
 * longer finds it, and finds the same process's other sleeping sends.
 */
TEST_F_TIMEOUT(filt, sleeping_sender_leaves, TIMEOUT_S)
{
	FILT_VARS;
	pid_t a;

	setup_box(_metadata, e, ag, 1, MAILBOX_DELIVER_QUEUE, 2);
	a = ag[0].pid;
	ASSERT_EQ(0, mbt_send_ex(e->fd, 0, "p0", 2, 0, 0, 0, NULL));
	ASSERT_EQ(0, ag_post(&ag[0], AG_SEND_BG, "a0", 0, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 1, MBT_SLACK_MS));
	ASSERT_EQ(0, ag_post(&ag[1], AG_SEND_BG, "b0", 0, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 2, MBT_SLACK_MS));
	expect_peek(_metadata, e->fd, a, 2, a, 0);
	ag_kill(e, &ag[0]);
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, 1, MBT_SLACK_MS));
	EXPECT_EQ(-EAGAIN, mbt_recv_from(e->fd, a, NULL, 0,
					 MAILBOX_RECV_PEEK, 0, NULL));
	expect_from(_metadata, e->fd, ag[1].pid, "b0",
		    ag[1].pid, 0);
	EXPECT_EQ(0, ag_reply(&ag[1]));
	expect_from(_metadata, e->fd, 0, "p0", getpid(), 0);
}

/*
 * In a new pid namespace (its init: here), so that a pid can be reused on
 * purpose: A (pid 2) sends and exits; B gets pid 2 and sends. A filter on
 * pid 2 names B, the process that has it: B's message only; A's is left
 * for an unfiltered receive. Returns 0, 1 on a failed check, 77 to skip.
 */
static int reuse_in_ns(int fd)
{
	struct mailbox_recv m;
	char buf[MSG_MAX];
	int go[2], status;
	pid_t a, b;

	a = fork();
	MBT_CHILD_CHECK(a >= 0);
	if (a == 0)
		_exit(mbt_send(fd, "a0", 2, MAILBOX_NONBLOCK, 0, NULL) ? 1 : 0);
	MBT_CHILD_CHECK(waitpid(a, &status, 0) == a && status == 0);
	if (mbt_write_file("/proc/sys/kernel/ns_last_pid", "1", 0))
		return 77;
	MBT_CHILD_CHECK(!pipe(go));
	b = fork();
	MBT_CHILD_CHECK(b >= 0);
	if (b == 0) {
		close(go[1]);
		if (mbt_send(fd, "b0", 2, MAILBOX_NONBLOCK, 0, NULL))
			_exit(1);
		/* Stay alive, holding pid 2, until told. */
		_exit(read(go[0], buf, 1) < 0);
	}
	close(go[0]);
	if (b != a) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		return 77;
	}
	MBT_CHILD_CHECK(!MBT_WAIT_INFO(fd, depth, 2, MBT_SLACK_MS));
	memset(buf, 0, sizeof(buf));
	MBT_CHILD_CHECK(mbt_recv_from(fd, b, buf, sizeof(buf),
				      MAILBOX_NONBLOCK, 0, &m) == 2);
	MBT_CHILD_CHECK(!memcmp(buf, "b0", 2) && m.sender_pid == b);
	MBT_CHILD_CHECK(mbt_recv_from(fd, b, buf, sizeof(buf),
				      MAILBOX_NONBLOCK, 0, NULL) == -EAGAIN);
	MBT_CHILD_CHECK(mbt_recv_from(fd, b, NULL, 0, MAILBOX_RECV_PEEK, 0,
				      NULL) == -EAGAIN);
	close(go[1]);
	MBT_CHILD_CHECK(waitpid(b, &status, 0) == b && status == 0);
	/* Both gone now: pid 2 is no process, and A's message is found. */
	memset(buf, 0, sizeof(buf));
	MBT_CHILD_CHECK(mbt_recv_from(fd, a, buf, sizeof(buf),
				      MAILBOX_NONBLOCK, 0, &m) == 2);
	MBT_CHILD_CHECK(!memcmp(buf, "a0", 2));
	return 0;
}

/* A child: the init of a new pid namespace runs reuse_in_ns(). */
static int reuse_child(void *arg)
{
	int fd = *(int *)arg, status;
	pid_t init;

	if (unshare(CLONE_NEWPID))
		return 77;
	init = fork();
	if (init < 0)
		return 1;
	if (init == 0)
		_exit(reuse_in_ns(fd));
	if (waitpid(init, &status, 0) != init || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

/* A pid reused: the filter names the process that has it now. */
TEST_F_TIMEOUT(filt, reused_pid, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	int status;
	pid_t c;

	setup_box(_metadata, e, NULL, 16, MAILBOX_DELIVER_QUEUE, 0);
	c = mbt_spawn(&e->kids, reuse_child, &e->fd);
	ASSERT_LT(0, c);
	ASSERT_EQ(0, mbt_reap(&e->kids, c, &status, 15 * MBT_SLACK_MS));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		SKIP(return, "no pid namespace, or ns_last_pid not writable");
	EXPECT_EQ(0, WEXITSTATUS(status));
	MBT_EXPECT_INFO(e->fd, .depth = 0);
}

/* ---- cost -------------------------------------------------------------- */

/* Least time, in ns, of one call of @rounds x @calls filtered peeks. */
static uint64_t peek_cost(int fd, pid_t from, int want, int rounds, int calls,
			  int *bad)
{
	uint64_t best = UINT64_MAX, t;
	int i, j, ret;

	for (i = 0; i < rounds; i++) {
		t = mbt_now_ns();
		for (j = 0; j < calls; j++) {
			ret = mbt_recv_from(fd, from, NULL, 0,
					    MAILBOX_RECV_PEEK, 0, NULL);
			if (ret != want)
				(*bad)++;
		}
		t = (mbt_now_ns() - t) / calls;
		if (t < best)
			best = t;
	}
	return best;
}

static uint64_t recv_cost(int fd, pid_t from, int rounds, int calls, int *bad)
{
	uint64_t best = UINT64_MAX, t;
	char buf[MSG_MAX];
	int i, j;

	for (i = 0; i < rounds; i++) {
		t = mbt_now_ns();
		for (j = 0; j < calls; j++) {
			if (mbt_recv_from(fd, from, buf, sizeof(buf),
					  MAILBOX_NONBLOCK, 0, NULL) != -EAGAIN)
				(*bad)++;
		}
		t = (mbt_now_ns() - t) / calls;
		if (t < best)
			best = t;
	}
	return best;
}

/*
 * The mailbox full of one process's messages (65,536, or capacity_limit):
 * a PEEK or non-blocking receive filtering on another process (one that
 * exists and one that does not) must cost about what an unfiltered PEEK
 * does, not a walk of the queue. The bound is a ratio measured in the same
 * run (slow emulation is slow throughout): before the sender index the
 * filtered calls cost thousands of times more.
 */
TEST_F_TIMEOUT(filt, nonmatching_filter_cost, TIMEOUT_S)
{
	FILT_VARS;
	uint32_t cap = 65536, limit, i;
	uint64_t base, live, gone, rlive, rgone;
	int bad = 0;
	pid_t dead;

	limit = mbt_param_or("capacity_limit", cap);
	if (limit < cap)
		cap = limit;
	setup_box(_metadata, e, ag, cap, MAILBOX_DELIVER_PRIORITY, 1);
	for (i = 0; i < cap; i++)
		ASSERT_EQ(0, mbt_send_ex(e->fd, 0, "x", 1, MAILBOX_NONBLOCK,
					 0, i % 4, NULL)) TH_LOG("send %u", i);
	ASSERT_EQ(cap, depth_of(e->fd));
	dead = mbt_gone_pid(_metadata, e);

	base = peek_cost(e->fd, 0, 1, 20, 20, &bad);
	live = peek_cost(e->fd, ag[0].pid, -EAGAIN, 20, 20, &bad);
	gone = peek_cost(e->fd, dead, -EAGAIN, 20, 20, &bad);
	rlive = recv_cost(e->fd, ag[0].pid, 20, 20, &bad);
	rgone = recv_cost(e->fd, dead, 20, 20, &bad);
	EXPECT_EQ(0, bad);
	TH_LOG("%u queued: unfiltered PEEK %llu ns, filtered on a live process: PEEK %llu ns, receive %llu ns; on an exited one: PEEK %llu ns, receive %llu ns",
	       cap, (unsigned long long)base, (unsigned long long)live,
	       (unsigned long long)rlive, (unsigned long long)gone,
	       (unsigned long long)rgone);
	EXPECT_GT(20 * base + 20000, live);
	EXPECT_GT(20 * base + 20000, gone);
	EXPECT_GT(20 * base + 20000, rlive);
	EXPECT_GT(20 * base + 20000, rgone);
	/* Still all there, in order: the first is priority 3's oldest. */
	expect_peek(_metadata, e->fd, 0, 1, getpid(), 3);
	EXPECT_EQ(cap, depth_of(e->fd));
}

/*
 * The same with the queue full and 2,000 senders asleep (threads of one
 * process): a filter on another process must not walk them.
 */
TEST_F_TIMEOUT(filt, nonmatching_filter_cost_sleeping, TIMEOUT_S)
{
	FILT_VARS;
	const uint32_t nr = 2000;
	uint64_t base, live, rlive;
	int bad = 0;
	uint32_t i;

	setup_box(_metadata, e, ag, 1, MAILBOX_DELIVER_QUEUE, 2);
	ASSERT_EQ(0, mbt_send_ex(e->fd, 0, "p", 1, 0, 0, 0, NULL));
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, ag_post(&ag[0], AG_SEND_BG, "a", 0, 0));
	ASSERT_EQ(0, MBT_WAIT_INFO(e->fd, senders_waiting, nr,
				   15 * MBT_SLACK_MS));
	base = peek_cost(e->fd, 0, 1, 20, 20, &bad);
	live = peek_cost(e->fd, ag[1].pid, -EAGAIN, 20, 20, &bad);
	rlive = recv_cost(e->fd, ag[1].pid, 20, 20, &bad);
	EXPECT_EQ(0, bad);
	TH_LOG("1 queued, %u senders asleep: unfiltered PEEK %llu ns, filtered on another process: PEEK %llu ns, receive %llu ns",
	       nr, (unsigned long long)base, (unsigned long long)live,
	       (unsigned long long)rlive);
	EXPECT_GT(20 * base + 20000, live);
	EXPECT_GT(20 * base + 20000, rlive);
	/* The sleeping senders' process still finds its oldest. */
	expect_peek(_metadata, e->fd, ag[0].pid, 1, ag[0].pid,
		    0);
	expect_from(_metadata, e->fd, ag[0].pid, "a",
		    ag[0].pid, 0);
	EXPECT_EQ(0, ag_reply(&ag[0]));
}

TEST_HARNESS_MAIN
