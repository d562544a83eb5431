// SPDX-License-Identifier: GPL-2.0
/*
 * Direct mailboxes, one per process, sent to by pid (MAILBOX_IOC_OPEN_DIRECT,
 * MAILBOX_IOC_SEND_TO): attributes and STAT, threads, ping-pong, receiving
 * only what one process sent (also on named mailboxes), -ESRCH, the
 * owner's exit (blocked senders get -EPIPE, a forked child's descriptor
 * does not keep it alive), pid namespaces, and the blocking, non-blocking,
 * timed and delivery-wait forms of sending to one.
 *
 * Send policies and the argument checks of these ioctls are in
 * mailbox_direct_policy.c.
 *
 * Other processes act through agents (lib/mbt_agent.c), so that the order
 * of events is the test's; waits for a party to be asleep in the kernel
 * poll STAT or the mailbox's state with a generous bound.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>

#include "lib/mbt.h"

#define TIMEOUT_S	120	/* per test (slow emulation) */

#define BOX(nm, acc, cap, dlv)						\
	mbt_dlv_box(_metadata, &self->e, nm, acc, cap, dlv)

MBT_FIXTURE(dlv, "dlv")

struct thread_open {
	int fd;
	int ret;
	pid_t tid;
	int send_ret;
	struct mailbox_info info;
};

/* A thread binds the process's direct mailbox and sends to its own tid. */
static void *thread_open_main(void *p)
{
	struct thread_open *t = p;

	t->tid = gettid();
	t->fd = mbt_dev();
	t->ret = mbt_open_direct_fd(t->fd, 9, 16, MAILBOX_DELIVER_PRIORITY,
				    MAILBOX_POLICY_ANY, NULL, 0);
	if (t->ret >= 0)
		mbt_stat(t->fd, &t->info);
	t->send_ret = mbt_sendto_str(t->fd, t->tid, "thr", MAILBOX_NONBLOCK);
	return NULL;
}

#define PP_ROUNDS	200

struct pp_arg {
	pid_t parent;
};

/* Sends "ping i" to the parent, expects "pong i" from it, PP_ROUNDS times. */
static int pingpong_child(void *p)
{
	struct pp_arg *a = p;
	struct mailbox_recv m;
	char msg[32], buf[MBT_DLV_MSG_MAX];
	int fd, tx, i, n, ret;
	uint64_t deadline;

	fd = mbt_open_direct(4, MBT_DLV_MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	for (i = 0; i < PP_ROUNDS; i++) {
		n = snprintf(msg, sizeof(msg), "ping %d", i);
		deadline = mbt_deadline_ms(MBT_BLOCK_MS);
		MBT_CHILD_CHECK(!mbt_send_to(tx, a->parent, msg, n,
					     MAILBOX_DEADLINE, deadline, NULL));
		n = snprintf(msg, sizeof(msg), "pong %d", i);
		/* every other round: only from the parent */
		deadline = mbt_deadline_ms(MBT_BLOCK_MS);
		ret = mbt_recv_from(fd, i % 2 ? a->parent : 0, buf, sizeof(buf),
				    MAILBOX_DEADLINE, deadline, &m);
		MBT_CHILD_CHECK(ret == n);
		MBT_CHILD_CHECK(!memcmp(buf, msg, n));
		MBT_CHILD_CHECK(m.sender_pid == a->parent);
	}
	return 0;
}

struct hold_sh {
	pid_t g;		/* the grandchild holding the descriptor */
	pid_t owner;
	int stat_ret;
	struct mailbox_info info;
	int recv_nb, recv_blk, peek, send_owner;
	int done;
};

struct hold_arg {
	struct hold_sh *sh;
	int go_rd, go_wr;
};

/*
 * The owner: opens its direct mailbox, queues a message in it, forks a
 * child that keeps the descriptor, and exits. The child, once told, tries
 * the descriptor.
 */
static int hold_owner(void *p)
{
	struct hold_arg *a = p;
	struct hold_sh *sh = a->sh;
	char buf[MBT_DLV_MSG_MAX], c;
	int fd, tx;
	pid_t g;

	fd = mbt_open_direct(4, MBT_DLV_MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	MBT_CHILD_CHECK(!mbt_sendto_str(tx, getpid(), "queued",
					MAILBOX_NONBLOCK));
	sh->owner = getpid();
	g = fork();
	MBT_CHILD_CHECK(g >= 0);
	if (g == 0) {
		close(a->go_wr);
		if (read(a->go_rd, &c, 1) != 1)
			_exit(2);	/* the test is gone */
		sh->stat_ret = mbt_stat(fd, &sh->info);
		sh->recv_nb = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK,
				       0, NULL);
		sh->recv_blk = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
					mbt_deadline_ms(MBT_SLACK_MS), NULL);
		sh->peek = mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL);
		sh->send_owner = mbt_sendto_str(tx, sh->owner, "x",
						MAILBOX_NONBLOCK);
		__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	sh->g = g;
	return 0;
}

struct ns_sh {
	pid_t inner_pid;	/* the child's pid as it sees it: 1 */
	struct mailbox_info info;
	int r1, r2, r3, send_outer, g_status;
	struct mailbox_recv m1, m2, m3;
	char d1[16], d2[16], d3[16];
	pid_t g;		/* the grandchild, in the new namespace */
};

/* In the new namespace: send to pid 1; the outer process is unnamable. */
static int ns_grandchild(pid_t outer)
{
	int tx = mbt_dev();

	if (tx < 0)
		return 10;
	if (mbt_sendto_str(tx, 1, "from g", MAILBOX_NONBLOCK))
		return 11;
	if (mbt_sendto_str(tx, outer, "x", MAILBOX_NONBLOCK) != -ESRCH)
		return 12;
	return 0;
}

/* pid 1 of a new pid namespace. */
static int ns_child(struct ns_sh *sh, int ready_wr, int go_rd, pid_t outer)
{
	uint64_t deadline = mbt_deadline_ms(MBT_BLOCK_MS);
	int fd, tx;
	char c;
	pid_t g;

	sh->inner_pid = getpid();
	fd = mbt_open_direct(8, MBT_DLV_MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_stat(fd, &sh->info));
	MBT_CHILD_CHECK(write(ready_wr, "r", 1) == 1);
	sh->r1 = mbt_recv(fd, sh->d1, sizeof(sh->d1) - 1, MAILBOX_DEADLINE,
			  deadline, &sh->m1);
	sh->r2 = mbt_recv(fd, sh->d2, sizeof(sh->d2) - 1, MAILBOX_DEADLINE,
			  deadline, &sh->m2);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	/* The outer process has a direct mailbox, but no pid here. */
	sh->send_outer = mbt_sendto_str(tx, outer, "x", MAILBOX_NONBLOCK);
	g = fork();
	MBT_CHILD_CHECK(g >= 0);
	if (g == 0)
		_exit(ns_grandchild(outer));
	sh->g = g;
	sh->r3 = mbt_recv_from(fd, g, sh->d3, sizeof(sh->d3) - 1,
			       MAILBOX_DEADLINE, deadline, &sh->m3);
	MBT_CHILD_CHECK(waitpid(g, &sh->g_status, 0) == g);
	MBT_CHILD_CHECK(read(go_rd, &c, 1) == 1);
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_open_stat, TIMEOUT_S)
{
	struct thread_open t;
	struct mailbox_info i;
	struct mailbox_send s;
	struct mbt_state p;
	pthread_t thr;
	pid_t me = getpid();
	char name[32];
	int fd, fd2, tx;

	mbt_direct_name(name, sizeof(name), me);
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));
	fd = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	i = mbt_info(_metadata, fd);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(MBT_U32(MAILBOX_INFO_DIRECT), i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(me, i.owner_pid);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_RECV), i.access);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_NE(MBT_U32(MAILBOX_STATE_DEAD), i.state);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(MBT_U32(MBT_DLV_MSG_MAX), i.msg_size_max);
	EXPECT_EQ(geteuid(), i.uid);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.recv_priority);

	/* A second OPEN_DIRECT binds the same one; attributes ignored. */
	fd2 = mbt_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mbt_open_direct_fd(fd2, 9, 16, MAILBOX_DELIVER_PRIORITY,
					MAILBOX_POLICY_ANY, NULL, 0));
	i = mbt_info(_metadata, fd2);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(MBT_U32(MBT_DLV_MSG_MAX), i.msg_size_max);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_RECV), i.access);
	/* bound already */
	EXPECT_EQ(-EBUSY, mbt_open_direct_fd(fd, 4, MBT_DLV_MSG_MAX, 0, 0, NULL,
					     0));
	/* receive-only */
	EXPECT_EQ(-EBADF, mbt_send(fd, "x", 1, MAILBOX_NONBLOCK, 0, NULL));

	/* SEND_TO works on any descriptor: unbound, or this one. */
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	memset(&s, 0x55, sizeof(s));
	ASSERT_EQ(0, mbt_send_to(tx, me, "one", 3, MAILBOX_NONBLOCK, 0, &s));
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(0, s.receiver_pid);
	ASSERT_EQ(0, mbt_sendto_str(fd, me, "two", 0));
	i = mbt_info(_metadata, fd);
	MBT_EXPECT_HELD(i, 2U, 6U);
	EXPECT_EQ(2U, i.sent);
	p = mbt_state_of(_metadata, name);
	MBT_EXPECT_KIND(p, MBT_OWNER_DIRECT, MAILBOX_DELIVER_QUEUE, 0, 0);
	EXPECT_EQ(2U, p.depth);
	EXPECT_EQ(4U, p.capacity);
	MBT_EXPECT_FDINFO(fd, "mailbox", name);
	MBT_EXPECT_FDINFO(fd2, "delivery", "queue");

	{
		struct mailbox_recv m = mbt_expect_msg(_metadata, fd2, 0, "one",
						       me, 0);

		EXPECT_EQ(geteuid(), m.sender_uid);
		EXPECT_EQ(0U, m.priority);
	}
	mbt_expect_msg(_metadata, fd, 0, "two", me, 0);

	/* A thread: binds the same mailbox; its tid reaches it. */
	ASSERT_EQ(0, pthread_create(&thr, NULL, thread_open_main, &t));
	ASSERT_EQ(0, pthread_join(thr, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_STREQ(name, t.info.name);
	EXPECT_EQ(me, t.info.owner_pid);
	EXPECT_EQ(0, t.send_ret);
	EXPECT_NE(me, t.tid);
	mbt_expect_msg(_metadata, fd, 0, "thr", me, 0);
	close(t.fd);

	/* Closing one descriptor leaves it; the last one destroys it. */
	close(fd);
	ASSERT_EQ(0, mbt_sendto_str(tx, me, "kept", MAILBOX_NONBLOCK));
	EXPECT_EQ(1U, mbt_info(_metadata, fd2).depth);
	close(fd2);
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, me, "gone", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, me, "gone", 0));
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));

	/* A new one can be made, with new attributes. */
	fd = mbt_my_direct(_metadata, 2, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_PRIORITY);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(2U, i.capacity);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_PRIORITY), i.delivery);
	close(fd);
	close(tx);
}

TEST_F_TIMEOUT(dlv, direct_ping_pong, TIMEOUT_S)
{
	struct pp_arg a = { .parent = getpid() };
	struct mailbox_send s;
	struct mailbox_info i;
	char msg[32];
	int fd, tx, k, n;
	pid_t child;

	fd = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	child = mbt_spawn(&self->e.kids, pingpong_child, &a);
	ASSERT_LT(0, child);
	for (k = 0; k < PP_ROUNDS; k++) {
		snprintf(msg, sizeof(msg), "ping %d", k);
		mbt_expect_msg(_metadata, fd, 0, msg, child, MBT_SLACK_MS);
		n = snprintf(msg, sizeof(msg), "pong %d", k);
		/* every third round waits for delivery: the child took it */
		ASSERT_EQ(0, mbt_send_to(tx, child, msg, n,
					 MAILBOX_DEADLINE |
					 (k % 3 ? 0 : MAILBOX_SEND_WAIT),
					 mbt_deadline_ms(MBT_BLOCK_MS), &s))
			TH_LOG("round %d", k);
		EXPECT_EQ(1U, s.receivers);
		EXPECT_EQ(k % 3 ? 0 : child, s.receiver_pid);
	}
	mbt_reap_ok(_metadata, &self->e.kids, child);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(PP_ROUNDS), i.sent);
	EXPECT_EQ(MBT_U32(PP_ROUNDS), i.received);
	EXPECT_EQ(0U, i.depth);
	close(tx);
	close(fd);
}

TEST_F_TIMEOUT(dlv, direct_recv_from, TIMEOUT_S)
{
	static const char *const order[] = {
		"A0", "B0", "C0", "B1", "A1", "C1", "B2", "B3", "A2", "C2",
		"A3", "C3",
	};
	static const char *const rest[] = {
		"A0", "A1", "C1", "A2", "C2", "A3", "C3",
	};
	struct mbt_agent *ag[3];
	struct mailbox_recv m;
	struct mbt_bg b;
	pid_t me = getpid(), pid[3];
	char msg[8];
	size_t k;
	int fd, x;

	for (x = 0; x < 3; x++) {
		ag[x] = mbt_agent_start(_metadata, &self->e);
		pid[x] = ag[x]->pid;
	}
	fd = mbt_my_direct(_metadata, 16, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	/* Each agent's send is queued before the next one starts. */
	for (k = 0; k < MBT_ARRAY_SIZE(order); k++)
		ASSERT_EQ(0, mbt_agent_send_to(_metadata, ag[order[k][0] - 'A'],
					       me,
					       order[k], MAILBOX_NONBLOCK));
	EXPECT_EQ(MBT_ARRAY_SIZE(order), mbt_info(_metadata, fd).depth);

	/* PEEK honours from_pid. */
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(2, mbt_recv_from(fd, pid[1], NULL, 0, MAILBOX_RECV_PEEK, 0,
				   &m));
	EXPECT_EQ(pid[1], m.sender_pid);
	EXPECT_EQ(2U, m.len);

	/* B's four, in order; then nothing from B. */
	for (x = 0; x < 4; x++) {
		snprintf(msg, sizeof(msg), "B%d", x);
		mbt_expect_msg(_metadata, fd, pid[1], msg, pid[1], 0);
	}
	EXPECT_EQ(-EAGAIN, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					    MAILBOX_DEADLINE,
					    mbt_deadline_ms(MBT_SLEEP_MS),
					    NULL));
	EXPECT_EQ(8U, mbt_info(_metadata, fd).depth);
	mbt_expect_msg(_metadata, fd, pid[2], "C0", pid[2], 0);
	/* The others are still queued in their order. */
	for (k = 0; k < MBT_ARRAY_SIZE(rest); k++)
		mbt_expect_msg(_metadata, fd, 0, rest[k], pid[rest[k][0] - 'A'],
			       0);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);

	/* A receiver asleep for A's messages is not given C's. */
	mbt_bg_recv(_metadata, &b, fd, pid[0]);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_agent_send_to(_metadata, ag[2], me, "C4",
				       MAILBOX_NONBLOCK));
	MBT_ASSERT_INFO(fd, depth, 1);
	EXPECT_EQ(1U, mbt_info(_metadata, fd).receivers_waiting);
	ASSERT_EQ(0, mbt_agent_send_to(_metadata, ag[0], me, "A4",
				       MAILBOX_NONBLOCK));
	ASSERT_EQ(2, mbt_bg_wait(_metadata, &b));
	EXPECT_STREQ("A4", b.data);
	EXPECT_EQ(pid[0], b.rcv.sender_pid);
	mbt_expect_msg(_metadata, fd, 0, "C4", pid[2], 0);

	/* A message from a process that has exited can still be taken... */
	ASSERT_EQ(0, mbt_agent_send_to(_metadata, ag[1], me, "B9",
				       MAILBOX_NONBLOCK));
	mbt_agent_exit(_metadata, &self->e, ag[1]);
	m = mbt_expect_msg(_metadata, fd, pid[1], "B9", -1, 0);
	EXPECT_TRUE(m.sender_pid == pid[1] || m.sender_pid == 0)
		TH_LOG("sender_pid %d", m.sender_pid);
	/* ...but waiting for more from it is -ESRCH, not a sleep. */
	EXPECT_EQ(-ESRCH, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					MAILBOX_DEADLINE,
					mbt_deadline_ms(MBT_SLACK_MS), NULL));
	/* from_pid < 0 */
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, -1, msg, sizeof(msg),
					 MAILBOX_NONBLOCK, 0, NULL));
	close(fd);
}

/* from_pid on named queue and priority mailboxes. */
TEST_F_TIMEOUT(dlv, recv_from_named, TIMEOUT_S)
{
	struct mbt_ag_cmd open = { .op = MBT_AG_OPEN,
				   .access = MAILBOX_ACCESS_SEND };
	struct mbt_ag_cmd send = { .op = MBT_AG_SEND,
				   .flags = MAILBOX_NONBLOCK };
	struct mbt_agent *a = mbt_agent_start(_metadata, &self->e);
	struct mbt_agent *b = mbt_agent_start(_metadata, &self->e);
	struct mailbox_recv m;
	const char *qname, *pname;
	pid_t me = getpid();
	int q, pq, status;
	pid_t dead;
	char buf[8];

	q = BOX(&qname, MAILBOX_ACCESS_ALL, 8,
		MAILBOX_DELIVER_QUEUE);
	snprintf(open.name, sizeof(open.name), "%s", qname);
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &open).ret);
	ASSERT_EQ(0, mbt_agent_call(_metadata, b, &open).ret);
	strcpy(send.msg, "a0");
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &send).ret);
	strcpy(send.msg, "b0");
	ASSERT_EQ(0, mbt_agent_call(_metadata, b, &send).ret);
	ASSERT_EQ(0, mbt_send_str_out(q, "p0", MAILBOX_NONBLOCK, NULL));
	strcpy(send.msg, "a1");
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &send).ret);
	mbt_expect_msg(_metadata, q, b->pid, "b0", b->pid, 0);
	mbt_expect_msg(_metadata, q, me, "p0", me, 0);
	mbt_expect_msg(_metadata, q, a->pid, "a0", a->pid, 0);
	EXPECT_EQ(-EAGAIN, mbt_recv_from(q, b->pid, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	mbt_expect_msg(_metadata, q, 0, "a1", a->pid, 0);

	/* A pid that names no process: -ESRCH instead of sleeping. */
	dead = fork();
	ASSERT_LE(0, dead);
	if (dead == 0)
		_exit(0);
	ASSERT_EQ(dead, waitpid(dead, &status, 0));
	EXPECT_EQ(-ESRCH, mbt_recv_from(q, dead, buf, sizeof(buf),
					MAILBOX_DEADLINE,
					mbt_deadline_ms(MBT_SLACK_MS), NULL));

	/* Priority mailbox: the highest of that sender's first. */
	pq = BOX(&pname, MAILBOX_ACCESS_ALL, 8,
		 MAILBOX_DELIVER_PRIORITY);
	snprintf(open.name, sizeof(open.name), "%s", pname);
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &open).ret);
	strcpy(send.msg, "a1");
	send.priority = 1;
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &send).ret);
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "p9", 2, MAILBOX_NONBLOCK, 0, 9, NULL));
	strcpy(send.msg, "a5");
	send.priority = 5;
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &send).ret);
	m = mbt_expect_msg(_metadata, pq, a->pid, "a5", a->pid, 0);
	EXPECT_EQ(5U, m.priority);
	m = mbt_expect_msg(_metadata, pq, a->pid, "a1", a->pid, 0);
	EXPECT_EQ(1U, m.priority);
	m = mbt_expect_msg(_metadata, pq, 0, "p9", me, 0);
	EXPECT_EQ(9U, m.priority);
	close(pq);
	close(q);
}

TEST_F_TIMEOUT(dlv, direct_esrch, TIMEOUT_S)
{
	struct mbt_agent *a = mbt_agent_start(_metadata, &self->e);
	struct mbt_ag_cmd close_cmd = { .op = MBT_AG_CLOSE };
	struct mbt_ag_cmd st = { .op = MBT_AG_STAT };
	struct mbt_ag_reply r;
	int tx = mbt_dev();
	pid_t dead;

	ASSERT_LE(0, tx);
	/* not positive */
	EXPECT_EQ(-EINVAL, mbt_sendto_str(tx, 0, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EINVAL, mbt_sendto_str(tx, -1, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EINVAL, mbt_sendto_str(tx, INT_MIN, "x", MAILBOX_NONBLOCK));

	/* a process that has exited (and been reaped) */
	dead = mbt_gone_pid(_metadata, &self->e);
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, dead, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, dead, "x", MAILBOX_DEADLINE));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, dead, "x",
					 MAILBOX_SEND_WAIT | MAILBOX_DEADLINE));

	/* a live process without a direct mailbox, blocking or not */
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, a->pid, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, a->pid, "x", MAILBOX_DEADLINE));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, getpid(), "x", MAILBOX_NONBLOCK));

	/* with one, then without it again once its descriptor is closed */
	ASSERT_EQ(1, mbt_agent_open_direct(_metadata, a, 4,
					   MAILBOX_DELIVER_QUEUE));
	EXPECT_EQ(0, mbt_sendto_str(tx, a->pid, "x", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_agent_call(_metadata, a, &close_cmd).ret);
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, a->pid, "x", MAILBOX_NONBLOCK));
	/* a new one starts empty */
	ASSERT_EQ(1, mbt_agent_open_direct(_metadata, a, 4,
					   MAILBOX_DELIVER_QUEUE));
	r = mbt_agent_call(_metadata, a, &st);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0U, r.info.depth);
	EXPECT_EQ(0U, r.info.sent);
	EXPECT_EQ(a->pid, r.info.owner_pid);
	mbt_agent_exit(_metadata, &self->e, a);
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, a->pid, "x", MAILBOX_NONBLOCK));
	close(tx);
}

TEST_F_TIMEOUT(dlv, direct_owner_exit_blocked_senders, TIMEOUT_S)
{
	struct mbt_agent *o = mbt_agent_start(_metadata, &self->e);
	struct mbt_agent *s1 = mbt_agent_start(_metadata, &self->e);
	struct mbt_agent *s2 = mbt_agent_start(_metadata, &self->e);
	struct mbt_ag_cmd wait_send = {
		.op = MBT_AG_SEND_TO, .msg = "w",
		.flags = MAILBOX_SEND_WAIT | MAILBOX_DEADLINE,
		.timeout_ms = MBT_BLOCK_MS,
	};
	struct mbt_ag_cmd send = { .op = MBT_AG_SEND_TO, .msg = "b",
			       .flags = MAILBOX_DEADLINE,
			       .timeout_ms = MBT_BLOCK_MS };
	struct mbt_ag_reply r1, r2;
	struct mbt_state p;
	char name[32];
	int status, tx = mbt_dev();

	ASSERT_LE(0, tx);
	ASSERT_EQ(1, mbt_agent_open_direct(_metadata, o, 1,
					   MAILBOX_DELIVER_QUEUE));
	mbt_direct_name(name, sizeof(name), o->pid);
	/* s1's message fills it, s1 waiting for delivery; s2 sleeps. */
	wait_send.pid = send.pid = o->pid;
	mbt_agent_go(_metadata, s1, &wait_send);
	p = mbt_state_until(_metadata, name, 1, -1, -1);
	EXPECT_EQ(0U,
		  p.senders_waiting);		/* its message is queued */
	mbt_agent_go(_metadata, s2, &send);
	mbt_state_until(_metadata, name, 1, 1, -1);
	EXPECT_EQ(-EAGAIN, mbt_sendto_str(tx, o->pid, "n", MAILBOX_NONBLOCK));

	/* The owner exits: both senders wake with -EPIPE. */
	mbt_agent_go(_metadata, o, &(struct mbt_ag_cmd){ .op = MBT_AG_EXIT });
	ASSERT_EQ(0, mbt_reap(&self->e.kids, o->pid, &status, MBT_SLACK_MS));
	r1 = mbt_agent_answer(_metadata, s1, MBT_SLACK_MS);
	r2 = mbt_agent_answer(_metadata, s2, MBT_SLACK_MS);
	EXPECT_EQ(-EPIPE, r1.ret);
	EXPECT_EQ(-EPIPE, r2.ret);
	EXPECT_GT(MBT_BLOCK_MS * MBT_MS / 2, r1.elapsed_ns);
	EXPECT_GT(MBT_BLOCK_MS * MBT_MS / 2, r2.elapsed_ns);
	EXPECT_EQ(0, r1.snd.receiver_pid);

	/* Afterwards the pid has no direct mailbox. */
	EXPECT_EQ(-ESRCH, mbt_agent_send_to(_metadata, s1, o->pid, "late",
					    MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, o->pid, "late", MAILBOX_DEADLINE));
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));
	close(tx);
}

TEST_F_TIMEOUT(dlv, direct_fork_child_does_not_keep_it, TIMEOUT_S)
{
	struct hold_sh *sh = mbt_shared(sizeof(*sh));
	struct hold_arg a = { .sh = sh };
	struct mbt_state p;
	uint64_t end;
	char name[32];
	int go[2], status, n, tx = mbt_dev();
	pid_t o, ret;

	ASSERT_TRUE(sh != NULL);
	ASSERT_LE(0, tx);
	/* The grandchild becomes our child when the owner exits. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, pipe(go));
	a.go_rd = go[0];
	a.go_wr = go[1];
	o = mbt_spawn(&self->e.kids, hold_owner, &a);
	ASSERT_LT(0, o);
	mbt_reap_ok(_metadata, &self->e.kids, o);
	ASSERT_LT(0, sh->g);

	mbt_direct_name(name, sizeof(name), o);
	EXPECT_EQ(-ESRCH, mbt_sendto_str(tx, o, "x", MAILBOX_NONBLOCK));
	/* listed no more, or as dead while the child's descriptor holds it */
	memset(&p, 0, sizeof(p));
	n = mbt_state_find(name, -1, &p);
	EXPECT_TRUE(n == 0 || (n == 1 && p.state == MAILBOX_STATE_DEAD &&
			       p.depth == 0 && p.bytes == 0))
		TH_LOG("%d lines, state %u depth %u", n, p.state, p.depth);

	ASSERT_EQ(1, write(go[1], "g", 1));
	end = mbt_deadline_ms(MBT_SLACK_MS);
	while ((ret = waitpid(sh->g, &status, WNOHANG)) == 0 &&
	       mbt_now_ns() < end)
		mbt_sleep_ms(2);
	ASSERT_EQ(sh->g, ret) TH_LOG("grandchild did not finish");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(1, sh->done);
	/* the last descriptor is closed: gone */
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));
	/* STAT still works: dead, and the queued message freed */
	EXPECT_EQ(0, sh->stat_ret);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_DEAD), sh->info.state);
	EXPECT_EQ(MBT_U32(MAILBOX_INFO_DIRECT),
		  sh->info.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(0U, sh->info.depth);
	EXPECT_EQ(0U, sh->info.bytes);
	EXPECT_STREQ(name, sh->info.name);
	/* every other call: -EPIPE */
	EXPECT_EQ(-EPIPE, sh->recv_nb);
	EXPECT_EQ(-EPIPE, sh->recv_blk);
	EXPECT_EQ(-EPIPE, sh->peek);
	EXPECT_EQ(-ESRCH, sh->send_owner);
	close(go[0]);
	close(go[1]);
	close(tx);
}

TEST_F_TIMEOUT(dlv, direct_pidns, TIMEOUT_S)
{
	struct ns_sh *sh = mbt_shared(sizeof(*sh));
	struct pollfd pfd;
	struct mailbox_send s;
	struct mbt_state p;
	pid_t outer = getpid(), c;
	int ready[2], go[2], fd, tx, err;
	char name[32], ch;

	ASSERT_TRUE(sh != NULL);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	fd = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	if (unshare(CLONE_NEWPID)) {
		err = errno;
		if (err == EPERM || err == EINVAL || err == ENOSYS)
			SKIP(return, "unshare(CLONE_NEWPID): %s",
			     strerror(err));
		ASSERT_EQ(0, err);
	}
	fflush(stdout);
	fflush(stderr);
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			_exit(125);
		close(ready[0]);
		close(go[1]);
		_exit(ns_child(sh, ready[1], go[0], outer));
	}
	self->e.kids.pid[self->e.kids.n++] = c;
	close(ready[1]);
	close(go[0]);
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, MBT_SLACK_MS));
	ASSERT_EQ(1, read(ready[0], &ch, 1)) TH_LOG("child failed early");

	/* Listed under the pid this process sees. */
	mbt_direct_name(name, sizeof(name), c);
	p = mbt_state_of(_metadata, name);
	EXPECT_EQ(MBT_U32(MBT_OWNER_DIRECT), p.owner);

	/* Sent to the pid this process sees; delivered to the child seen. */
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, mbt_sendto_str(tx, c, "hello", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_send_to(tx, c, "wait", 4,
				 MAILBOX_SEND_WAIT | MAILBOX_DEADLINE,
				 mbt_deadline_ms(MBT_BLOCK_MS), &s));
	EXPECT_EQ(c, s.receiver_pid);
	ASSERT_EQ(1, write(go[1], "g", 1));
	mbt_reap_ok(_metadata, &self->e.kids, c);

	EXPECT_EQ(1, sh->inner_pid);
	EXPECT_STREQ("pid/1", sh->info.name);
	EXPECT_EQ(1, sh->info.owner_pid);
	/* the sender is not visible in the child's namespace: pid 0 */
	EXPECT_EQ(5, sh->r1);
	EXPECT_STREQ("hello", sh->d1);
	EXPECT_EQ(0, sh->m1.sender_pid);
	EXPECT_EQ(geteuid(), sh->m1.sender_uid);
	EXPECT_EQ(4, sh->r2);
	EXPECT_STREQ("wait", sh->d2);
	EXPECT_EQ(0, sh->m2.sender_pid);
	/* nor can the child name it */
	EXPECT_EQ(-ESRCH, sh->send_outer);
	/* a sender inside: its pid there, and from_pid in those terms */
	EXPECT_TRUE(WIFEXITED(sh->g_status) && !WEXITSTATUS(sh->g_status))
		TH_LOG("grandchild status %#x", sh->g_status);
	EXPECT_LT(1, sh->g);
	EXPECT_EQ(6, sh->r3);
	EXPECT_STREQ("from g", sh->d3);
	EXPECT_EQ(sh->g, sh->m3.sender_pid);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	close(tx);
	close(fd);
}

TEST_F_TIMEOUT(dlv, direct_send_forms, TIMEOUT_S)
{
	struct mbt_agent *s = mbt_agent_start(_metadata, &self->e);
	struct mbt_agent *rv = mbt_agent_start(_metadata, &self->e);
	struct mbt_ag_cmd c = { .op = MBT_AG_SEND_TO };
	struct mbt_ag_cmd recv = { .op = MBT_AG_RECV, .flags = MAILBOX_DEADLINE,
			       .timeout_ms = MBT_BLOCK_MS };
	struct mailbox_send snd;
	struct mailbox_info i;
	struct pollfd pfd;
	struct mbt_ag_reply r;
	struct mbt_bg b;
	pid_t me = getpid();
	char name[32], buf[MBT_DLV_MSG_MAX];
	uint64_t t0;
	int fd, tx;

	c.pid = me;
	fd = mbt_my_direct(_metadata, 2, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);

	/* non-blocking */
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, s, me, "1",
				       MAILBOX_NONBLOCK));
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, s, me, "2",
				       MAILBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, mbt_agent_send_to(_metadata, s, me, "3",
					     MAILBOX_NONBLOCK));
	/* timed */
	c.flags = MAILBOX_DEADLINE;
	c.timeout_ms = MBT_SLEEP_MS;
	strcpy(c.msg, "3");
	r = mbt_agent_call(_metadata, s, &c);
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(MBT_SLEEP_MS * MBT_MS, r.elapsed_ns);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	/* blocking, until a receive makes room */
	c.timeout_ms = MBT_BLOCK_MS;
	mbt_agent_go(_metadata, s, &c);
	MBT_ASSERT_INFO(fd, senders_waiting, 1);
	mbt_expect_msg(_metadata, fd, 0, "1", s->pid, 0);
	r = mbt_agent_answer(_metadata, s, MBT_SLACK_MS);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(1U, r.snd.receivers);
	mbt_expect_msg(_metadata, fd, 0, "2", s->pid, 0);
	mbt_expect_msg(_metadata, fd, 0, "3", s->pid, 0);
	EXPECT_EQ(2U, mbt_info(_metadata, fd).send_blocked);

	/* SEND_WAIT: returns once the owner took it, naming the owner. */
	c.flags = MAILBOX_SEND_WAIT | MAILBOX_DEADLINE;
	strcpy(c.msg, "w");
	mbt_agent_go(_metadata, s, &c);
	MBT_ASSERT_INFO(fd, depth, 1);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).senders_waiting);
	pfd.fd = s->rep_rd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 50)) TH_LOG("returned before delivery");
	mbt_expect_msg(_metadata, fd, 0, "w", s->pid, 0);
	r = mbt_agent_answer(_metadata, s, MBT_SLACK_MS);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(me, r.snd.receiver_pid);
	EXPECT_EQ(1U, r.snd.receivers);
	/* non-blocking SEND_WAIT: -EAGAIN without a receiver asleep... */
	EXPECT_EQ(-EAGAIN, mbt_agent_send_to(_metadata, s, me, "n",
					     MAILBOX_NONBLOCK |
					     MAILBOX_SEND_WAIT));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	/* ...handed over with one */
	mbt_bg_recv(_metadata, &b, fd, 0);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	c.flags = MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT;
	strcpy(c.msg, "h");
	r = mbt_agent_call(_metadata, s, &c);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(me, r.snd.receiver_pid);
	EXPECT_EQ(1, mbt_bg_wait(_metadata, &b));
	EXPECT_STREQ("h", b.data);
	EXPECT_EQ(s->pid, b.rcv.sender_pid);
	/* a blocking receive woken by a SEND_TO */
	mbt_bg_recv(_metadata, &b, fd, 0);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, s, me, "r",
				       MAILBOX_NONBLOCK));
	EXPECT_EQ(1, mbt_bg_wait(_metadata, &b));
	EXPECT_STREQ("r", b.data);
	/* a timed receive */
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
				       t0 + MBT_SLEEP_MS * MBT_MS, NULL));
	EXPECT_LE(MBT_SLEEP_MS * MBT_MS, mbt_now_ns() - t0);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(3U, i.recv_blocked);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(i.sent, i.received);

	/* A rendezvous direct mailbox. */
	ASSERT_EQ(1, mbt_agent_open_direct(_metadata, rv, 0,
					   MAILBOX_DELIVER_QUEUE));
	EXPECT_EQ(-EAGAIN, mbt_sendto_str(tx, rv->pid, "z", MAILBOX_NONBLOCK));
	mbt_agent_go(_metadata, rv, &recv);
	mbt_direct_name(name, sizeof(name), rv->pid);
	mbt_state_until(_metadata, name, -1, -1, 1);
	ASSERT_EQ(0, mbt_send_to(tx, rv->pid, "z", 1, MAILBOX_DEADLINE,
				 mbt_deadline_ms(MBT_BLOCK_MS), &snd));
	EXPECT_EQ(rv->pid, snd.receiver_pid);
	r = mbt_agent_answer(_metadata, rv, MBT_SLACK_MS);
	EXPECT_EQ(1, r.ret);
	EXPECT_STREQ("z", r.data);
	EXPECT_EQ(me, r.rcv.sender_pid);
	close(tx);
	close(fd);
}

TEST_HARNESS_MAIN
