// SPDX-License-Identifier: GPL-2.0
/*
 * Broadcast mailboxes: every subscriber (a descriptor with receive access)
 * gets every message once and in order, the slowest one bounds the
 * sender, subscribers join and leave while traffic flows, memory is freed
 * once the last one has read, poll() of a full one, and the arguments a
 * broadcast mailbox refuses.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "lib/mbt.h"

#define TIMEOUT_S	120	/* per test (slow emulation) */

#define BOX(nm, acc, cap, dlv)						\
	mbt_dlv_box(_metadata, &self->e, nm, acc, cap, dlv)

MBT_FIXTURE(dlv, "dlv")

#define BC_N		2500	/* messages to four subscribers */

struct bsub_res {
	int got, bad, first_bad, ret, tail_ret, stat_ret;
	struct mailbox_info info;
};

struct bsub_arg {
	const char *name;
	pid_t sender;
	int n;
	struct bsub_res *res;
};

/* Subscribes, then expects messages 0 .. n-1 in order, then nothing. */
static int bcast_subscriber(void *p)
{
	struct bsub_arg *a = p;
	struct bsub_res *res = a->res;
	struct mailbox_recv m;
	char buf[MBT_DLV_MSG_MAX];
	int fd, i, ret;

	fd = mbt_open(a->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	for (i = 0; i < a->n; i++) {
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			       mbt_deadline_ms(MBT_BLOCK_MS), &m);
		if (ret < 0) {
			res->ret = ret;
			break;
		}
		if (mbt_msg_seq(buf, ret) != i || m.sender_pid != a->sender ||
		    m.len != (uint32_t)ret || m.priority) {
			if (!res->bad++)
				res->first_bad = i;
		}
		res->got++;
	}
	res->tail_ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				 NULL);
	res->stat_ret = mbt_stat(fd, &res->info);
	close(fd);
	return 0;
}

static void bmsg(char *buf, int k)
{
	snprintf(buf, 16, "msg-%06d", k);	/* 10 bytes */
}

#define JL_M		3000	/* messages */
#define JL_K		800	/* the leaver reads these, then closes */
#define JL_J1		1000	/* the sender waits here for the joiner */
#define JL_J2		1500	/* the racing joiner comes after this... */
#define JL_PAUSE	2500	/* ...at the latest */
#define JL_L		400	/* the racing joiner reads these, then closes */

enum { JL_STEADY, JL_JOINER, JL_LEAVER, JL_RACER, JL_NSUB };

struct jl_res {
	int64_t first;
	int got, bad, ret;
	int a, b;		/* sent just before and after joining */
};

struct jl_sh {
	int sent;		/* sends completed */
	int joined[JL_NSUB];
	int done[JL_NSUB];
	int release;
	struct jl_res res[JL_NSUB];
};

struct jl_arg {
	const char *name;
	struct jl_sh *sh;
	int idx;
	int join_at;		/* 0: at once */
	int n;			/* messages to read */
	bool hold;		/* stay subscribed until released */
};

static int jl_load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void jl_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Wait until *@p >= @v, at most @ms; false on timeout. */
static bool jl_wait(int *p, int v, long ms)
{
	uint64_t end = mbt_deadline_ms(ms);

	while (jl_load(p) < v) {
		if (mbt_now_ns() >= end)
			return false;
		mbt_sleep_ms(1);
	}
	return true;
}

static int jl_subscriber(void *p)
{
	struct jl_arg *a = p;
	struct jl_res *r = &a->sh->res[a->idx];
	char buf[MBT_DLV_MSG_MAX];
	int64_t seq;
	int fd, i, ret;

	if (a->join_at)
		MBT_CHILD_CHECK(jl_wait(&a->sh->sent, a->join_at,
					MBT_BLOCK_MS));
	r->a = jl_load(&a->sh->sent);
	fd = mbt_open(a->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	r->b = jl_load(&a->sh->sent);
	jl_store(&a->sh->joined[a->idx], 1);
	r->first = -1;
	for (i = 0; i < a->n; i++) {
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			       mbt_deadline_ms(MBT_BLOCK_MS), NULL);
		if (ret < 0) {
			r->ret = ret;
			break;
		}
		seq = mbt_msg_seq(buf, ret);
		if (i == 0)
			r->first = seq;
		else if (seq != r->first + i)
			r->bad++;
		r->got++;
	}
	if (a->hold) {
		if (mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			     NULL) != -EAGAIN)
			r->bad++;
		jl_store(&a->sh->done[a->idx], 1);
		MBT_CHILD_CHECK(jl_wait(&a->sh->release, 1, MBT_BLOCK_MS));
	}
	close(fd);
	return 0;
}

#define JL_ANY_FIRST	(-1)	/* jl_check(): first message checked apart */

/*
 * A subscriber's result: no error, @got messages all in order, the first
 * of them @first (unless JL_ANY_FIRST).
 */
static void jl_check(struct __test_metadata *_metadata, const struct jl_res *r,
		     const char *who, int got, int64_t first)
{
	EXPECT_EQ(0, r->ret) TH_LOG("%s", who);
	EXPECT_EQ(got, r->got) TH_LOG("%s", who);
	if (first != JL_ANY_FIRST) {
		EXPECT_EQ(first, r->first) TH_LOG("%s", who);
	}
	EXPECT_EQ(0, r->bad) TH_LOG("%s", who);
}

/* A subscriber that receives for ever (until killed). */
static int bcast_reader_main(void *p)
{
	char buf[MBT_DLV_MSG_MAX];
	int fd = *(int *)p;

	for (;;)
		MBT_CHILD_CHECK(mbt_recv(fd, buf, sizeof(buf), 0, 0,
					 NULL) >= 0);
}

TEST_F_TIMEOUT(dlv, broadcast_four_subscribers, TIMEOUT_S)
{
	struct bsub_res *res = mbt_shared(4 * sizeof(*res));
	struct bsub_arg a;
	struct mailbox_send s;
	struct mailbox_info i;
	const char *name;
	int tx, k, wrong = 0;
	pid_t pid[4];

	ASSERT_TRUE(res != NULL);
	/* send-only: the sender is not a subscriber */
	tx = BOX(&name, MAILBOX_ACCESS_SEND, 16,
		 MAILBOX_DELIVER_BROADCAST);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(0U, i.subscribers);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_BROADCAST), i.delivery);
	EXPECT_EQ(16U, i.capacity);
	for (k = 0; k < 4; k++) {
		a.name = name;
		a.sender = getpid();
		a.n = BC_N;
		a.res = &res[k];
		pid[k] = mbt_spawn(&self->e.kids, bcast_subscriber, &a);
		ASSERT_LT(0, pid[k]);
	}
	MBT_ASSERT_INFO(tx, subscribers, 4);
	for (k = 0; k < BC_N; k++) {
		ASSERT_EQ(0, mbt_send_seq(tx, k, MAILBOX_DEADLINE, 0, &s))
			TH_LOG("message %d", k);
		if (s.receivers != 4 && !wrong++)
			TH_LOG("message %d: %u receivers", k, s.receivers);
	}
	EXPECT_EQ(0, wrong);
	for (k = 0; k < 4; k++) {
		mbt_reap_ok(_metadata, &self->e.kids, pid[k]);
		EXPECT_EQ(0, res[k].ret) TH_LOG("subscriber %d", k);
		EXPECT_EQ(BC_N, res[k].got) TH_LOG("subscriber %d", k);
		EXPECT_EQ(0, res[k].bad)
			TH_LOG("subscriber %d: first bad at %d", k,
			       res[k].first_bad);
		EXPECT_EQ(-EAGAIN, res[k].tail_ret);
		EXPECT_EQ(0, res[k].stat_ret);
		EXPECT_EQ(0U, res[k].info.backlog);
		EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_RECV), res[k].info.access);
	}
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(MBT_U32(BC_N), i.sent);
	EXPECT_EQ(MBT_U32(BC_N), i.received);
	MBT_EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(0U, i.subscribers);
	EXPECT_EQ(0U, i.senders_waiting);
	TH_LOG("%llu of %d sends slept", (unsigned long long)i.send_blocked,
	       BC_N);
	close(tx);
}

TEST_F_TIMEOUT(dlv, broadcast_slow_subscriber, TIMEOUT_S)
{
	struct mailbox_send s;
	struct mailbox_info i;
	struct mailbox_recv m;
	struct mbt_state p;
	const char *name;
	char msg[16], buf[MBT_DLV_MSG_MAX];
	struct mbt_bg b;
	pid_t me = getpid();
	void *bad = mbt_bad_page(_metadata);
	int tx, ra, rb, rc, rd, k;
	uint64_t t0;

	tx = BOX(&name, MAILBOX_ACCESS_SEND, 4,
		 MAILBOX_DELIVER_BROADCAST);
	ra = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	rb = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(2U, i.subscribers);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_SEND), i.access);
	for (k = 0; k < 4; k++) {
		bmsg(msg, k);
		ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, &s));
		EXPECT_EQ(2U, s.receivers);
		EXPECT_EQ(0, s.receiver_pid);
	}
	/* one copy of each message, whatever the number of subscribers */
	i = mbt_info(_metadata, tx);
	MBT_EXPECT_HELD(i, 4U, 40U);
	EXPECT_EQ(4U, i.sent);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(4U, mbt_info(_metadata, ra).backlog);
	EXPECT_EQ(4U, mbt_info(_metadata, rb).backlog);

	/* a reads all; b, the slowest, still has four */
	for (k = 0; k < 4; k++) {
		bmsg(msg, k);
		mbt_expect_msg(_metadata, ra, 0, msg, me, 0);
	}
	EXPECT_EQ(0U, mbt_info(_metadata, ra).backlog);
	EXPECT_EQ(4U, mbt_info(_metadata, rb).backlog);
	i = mbt_info(_metadata, tx);
	MBT_EXPECT_HELD(i, 4U, 40U);
	EXPECT_EQ(0U, i.received);
	p = mbt_state_of(_metadata, name);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_BROADCAST), p.delivery);
	EXPECT_TRUE(mbt_backlog_is(&p, 0, 4));
	MBT_EXPECT_HELD(p, 4U, 40U);
	MBT_EXPECT_FDINFO(rb, "backlog", "4");
	MBT_EXPECT_FDINFO(ra, "backlog", "0");
	MBT_EXPECT_FDINFO(rb, "delivery", "broadcast");

	/* b is full: no send proceeds */
	bmsg(msg, 4);
	EXPECT_EQ(-EAGAIN, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, NULL));
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_send(tx, msg, 10, MAILBOX_DEADLINE,
				       t0 + MBT_SLEEP_MS * MBT_MS, NULL));
	EXPECT_LE(MBT_SLEEP_MS * MBT_MS, mbt_now_ns() - t0);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(4U, i.sent);
	EXPECT_EQ(1U, i.send_blocked);
	EXPECT_EQ(0U, mbt_info(_metadata, ra).backlog);

	/* b reads one: room for one */
	bmsg(msg, 0);
	mbt_expect_msg(_metadata, rb, 0, msg, me, 0);
	i = mbt_info(_metadata, tx);
	MBT_EXPECT_HELD(i, 3U, 30U);
	EXPECT_EQ(1U, i.received);
	bmsg(msg, 4);
	ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(2U, s.receivers);
	EXPECT_EQ(4U, mbt_info(_metadata, tx).depth);

	/* a blocking send sleeps until b reads */
	bmsg(msg, 5);
	mbt_bg_send(_metadata, &b, tx, 0, msg);
	MBT_ASSERT_INFO(tx, senders_waiting, 1);
	EXPECT_EQ(2U, mbt_info(_metadata, tx).send_blocked);
	bmsg(buf, 1);
	mbt_expect_msg(_metadata, rb, 0, buf, me, 0);
	EXPECT_EQ(0, mbt_bg_wait(_metadata, &b));
	EXPECT_EQ(2U, b.snd.receivers);
	EXPECT_EQ(4U, mbt_info(_metadata, tx).depth);
	EXPECT_EQ(2U, mbt_info(_metadata, ra).backlog);

	/* b leaving with four unread unblocks the next sender */
	bmsg(msg, 6);
	mbt_bg_send(_metadata, &b, tx, 0, msg);
	MBT_ASSERT_INFO(tx, senders_waiting, 1);
	close(rb);
	EXPECT_EQ(0, mbt_bg_wait(_metadata, &b));
	EXPECT_EQ(1U, b.snd.receivers);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(1U, i.subscribers);
	MBT_EXPECT_HELD(i, 3U, 30U);
	EXPECT_EQ(7U, i.sent);
	EXPECT_EQ(4U, i.received);
	for (k = 4; k < 7; k++) {
		bmsg(msg, k);
		mbt_expect_msg(_metadata, ra, 0, msg, me, 0);
	}
	/* all read: nothing is held */
	i = mbt_info(_metadata, tx);
	MBT_EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(7U, i.received);
	p = mbt_state_of(_metadata, name);
	MBT_EXPECT_HELD(p, 0U, 0U);
	EXPECT_EQ(7U, p.sent);
	EXPECT_EQ(7U, p.received);
	EXPECT_EQ(1U, p.nsubs);
	EXPECT_EQ(0U, p.backlog[0]);

	/* a failed receive leaves the message unread for that subscriber */
	bmsg(msg, 7);
	ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(-EFAULT, mbt_recv(ra, bad, MBT_DLV_MSG_MAX, MAILBOX_NONBLOCK,
				    0,
				    NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_recv(ra, buf, 3, MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ(10U, m.len);
	EXPECT_EQ(1U, mbt_info(_metadata, ra).backlog);
	mbt_expect_msg(_metadata, ra, 0, msg, me, 0);

	/* nobody subscribed: a send reaches nobody and does not block */
	close(ra);
	EXPECT_EQ(0U, mbt_info(_metadata, tx).subscribers);
	bmsg(msg, 8);
	ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(0U, s.receivers);
	bmsg(msg, 9);
	ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_DEADLINE, &s));
	EXPECT_EQ(0U, s.receivers);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(10U, i.sent);
	EXPECT_EQ(10U, i.received);
	MBT_EXPECT_HELD(i, 0U, 0U);

	/* a late subscriber sees only what is sent after it came */
	rc = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	EXPECT_EQ(-EAGAIN, mbt_recv(rc, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, rc).backlog);
	bmsg(msg, 10);
	ASSERT_EQ(0, mbt_send_str_out(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	mbt_expect_msg(_metadata, rc, 0, msg, me, 0);
	EXPECT_EQ(-EAGAIN, mbt_recv(rc, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	/* sending and receiving access: a subscriber of its own sends */
	rd = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(2U, mbt_info(_metadata, tx).subscribers);
	bmsg(msg, 11);
	ASSERT_EQ(0, mbt_send_str_out(rd, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(2U, s.receivers);
	mbt_expect_msg(_metadata, rc, 0, msg, me, 0);
	mbt_expect_msg(_metadata, rd, 0, msg, me, 0);
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(12U, i.sent);
	EXPECT_EQ(12U, i.received);
	EXPECT_EQ(0U, i.depth);
}

TEST_F_TIMEOUT(dlv, broadcast_join_leave, TIMEOUT_S)
{
	static const struct { int join_at, n; bool hold; } role[JL_NSUB] = {
		[JL_STEADY] = { 0, JL_M, true },
		[JL_JOINER] = { JL_J1, JL_M - JL_J1, true },
		[JL_LEAVER] = { 0, JL_K, false },
		[JL_RACER] = { JL_J2, JL_L, false },
	};
	struct jl_sh *sh = mbt_shared(sizeof(*sh));
	struct mailbox_send s;
	struct mailbox_info i;
	struct mbt_state p;
	struct jl_arg a;
	const char *name;
	int tx, k, wrong = 0;
	pid_t pid[JL_NSUB];
	struct jl_res *r;

	ASSERT_TRUE(sh != NULL);
	tx = BOX(&name, MAILBOX_ACCESS_SEND, 8,
		 MAILBOX_DELIVER_BROADCAST);
	for (k = 0; k < JL_NSUB; k++) {
		a.name = name;
		a.sh = sh;
		a.idx = k;
		a.join_at = role[k].join_at;
		a.n = role[k].n;
		a.hold = role[k].hold;
		pid[k] = mbt_spawn(&self->e.kids, jl_subscriber, &a);
		ASSERT_LT(0, pid[k]);
	}
	MBT_ASSERT_INFO(tx, subscribers, 2);		/* steady and leaver */
	for (k = 0; k < JL_M; k++) {
		if (k == JL_J1)
			ASSERT_TRUE(jl_wait(&sh->joined[JL_JOINER], 1,
					    MBT_SLACK_MS));
		if (k == JL_PAUSE)
			ASSERT_TRUE(jl_wait(&sh->joined[JL_RACER], 1,
					    MBT_SLACK_MS));
		ASSERT_EQ(0, mbt_send_seq(tx, k, MAILBOX_DEADLINE, 0, &s))
			TH_LOG("message %d", k);
		/* at least steady, and the joiner from JL_J1 on */
		if ((s.receivers < (k < JL_J1 ? 1U : 2U) || s.receivers > 4) &&
		    !wrong++)
			TH_LOG("message %d: %u receivers", k, s.receivers);
		jl_store(&sh->sent, k + 1);
	}
	EXPECT_EQ(0, wrong);
	mbt_reap_ok(_metadata, &self->e.kids, pid[JL_LEAVER]);
	mbt_reap_ok(_metadata, &self->e.kids, pid[JL_RACER]);
	ASSERT_TRUE(jl_wait(&sh->done[JL_STEADY], 1, MBT_SLACK_MS));
	ASSERT_TRUE(jl_wait(&sh->done[JL_JOINER], 1, MBT_SLACK_MS));

	/* Both remaining subscribers have read all: nothing is held. */
	i = mbt_info(_metadata, tx);
	EXPECT_EQ(2U, i.subscribers);
	MBT_EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(MBT_U32(JL_M), i.sent);
	EXPECT_EQ(MBT_U32(JL_M), i.received);
	p = mbt_state_of(_metadata, name);
	MBT_EXPECT_HELD(p, 0U, 0U);
	EXPECT_TRUE(mbt_backlog_is(&p, 0, 0));
	jl_store(&sh->release, 1);
	mbt_reap_ok(_metadata, &self->e.kids, pid[JL_STEADY]);
	mbt_reap_ok(_metadata, &self->e.kids, pid[JL_JOINER]);
	EXPECT_EQ(0U, mbt_info(_metadata, tx).subscribers);

	jl_check(_metadata, &sh->res[JL_STEADY], "steady", JL_M, 0);
	/* joined while the sender waited: exactly from JL_J1 */
	jl_check(_metadata, &sh->res[JL_JOINER], "joiner", JL_M - JL_J1, JL_J1);
	jl_check(_metadata, &sh->res[JL_LEAVER], "leaver", JL_K, 0);
	/*
	 * Joined during traffic: sends completed before it joined are not
	 * seen, sends begun after it joined are; one in flight may be either.
	 */
	r = &sh->res[JL_RACER];
	jl_check(_metadata, r, "racer", JL_L, JL_ANY_FIRST);
	EXPECT_LE(r->a, r->first) TH_LOG("joined after %d, before %d", r->a,
					 r->b);
	EXPECT_GE(r->b + 1, r->first) TH_LOG("joined after %d, before %d",
					     r->a, r->b);
	TH_LOG("racing joiner came between messages %d and %d, saw %lld first",
	       r->a, r->b, (long long)r->first);
	close(tx);
}

/*
 * A full broadcast mailbox: a receiver asleep does not make a send
 * possible (poll must not say POLLOUT), and a non-blocking receive or peek
 * on a descriptor whose receive lock is free still returns at once.
 */
TEST_F_TIMEOUT(dlv, broadcast_poll_full, TIMEOUT_S)
{
	struct pollfd p;
	const char *name;
	char buf[MBT_DLV_MSG_MAX];
	int tx, slow, fast;

	tx = BOX(&name, MAILBOX_ACCESS_SEND, 1,
		 MAILBOX_DELIVER_BROADCAST);
	slow = mbt_open(name, MAILBOX_ACCESS_RECV);
	fast = mbt_open(name, MAILBOX_ACCESS_RECV);
	ASSERT_GE(slow, 0);
	ASSERT_GE(fast, 0);
	ASSERT_GT(mbt_spawn(&self->e.kids, bcast_reader_main, &fast), 0);
	MBT_ASSERT_INFO(tx, receivers_waiting, 1);

	/* The fast subscriber takes it and sleeps again; the slow one: full. */
	ASSERT_EQ(0, mbt_send_str_out(tx, "one", 0, NULL));
	MBT_ASSERT_INFO(tx, receivers_waiting, 1);
	EXPECT_EQ(1U, mbt_info(_metadata, tx).depth);
	p = (struct pollfd){ .fd = tx, .events = POLLOUT };
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-EAGAIN, mbt_send_str_out(tx, "two", MAILBOX_NONBLOCK, NULL));

	/* The slow one reads: room again. */
	EXPECT_EQ(3, mbt_recv(slow, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(slow, buf, sizeof(buf), MAILBOX_NONBLOCK,
				    0, NULL));
	p = (struct pollfd){ .fd = tx, .events = POLLOUT };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents & POLLOUT);
	mbt_kill_all(&self->e.kids);
}

TEST_F_TIMEOUT(dlv, broadcast_args, TIMEOUT_S)
{
	struct mailbox_send s;
	struct mailbox_info i;
	const char *name, *n0;
	char buf[MBT_DLV_MSG_MAX];
	pid_t me = getpid();
	int fd, again;

	/* capacity 0 (a rendezvous) makes no sense for a broadcast */
	n0 = mbt_new_name(_metadata, &self->e);
	EXPECT_EQ(-EINVAL, mbt_create_ex(n0, MAILBOX_CREATE_EXCL,
					 MAILBOX_ACCESS_ALL, 0600, 0,
					 MBT_DLV_MSG_MAX, MAILBOX_DELIVER_BROADCAST));
	EXPECT_EQ(-EINVAL, mbt_create_ex(n0, MAILBOX_CREATE_EXCL,
					 MAILBOX_ACCESS_ALL, 0600, 4,
					 MBT_DLV_MSG_MAX, 3));
	EXPECT_EQ(-ENOENT, mbt_open(n0, MAILBOX_ACCESS_ALL));

	fd = BOX(&name, MAILBOX_ACCESS_ALL, 4,
		 MAILBOX_DELIVER_BROADCAST);
	EXPECT_EQ(1U, mbt_info(_metadata, fd).subscribers);
	EXPECT_EQ(-EINVAL, mbt_send_str_out(fd, "x", MAILBOX_SEND_WAIT, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_str_out(fd, "x", MAILBOX_SEND_WAIT |
					    MAILBOX_NONBLOCK, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_str_out(fd, "x", MAILBOX_SEND_WAIT |
					    MAILBOX_DEADLINE, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(fd, 0, "x", 1, MAILBOX_NONBLOCK, 0, 1,
				       NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).sent);
	ASSERT_EQ(0, mbt_send_str_out(fd, "x", MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	/* from_pid: not on a broadcast mailbox */
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, me, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, me, NULL, 0, MAILBOX_RECV_PEEK, 0,
					 NULL));
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, -1, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(1U, mbt_info(_metadata, fd).backlog);
	/* a receive priority is accepted (and means nothing here) */
	EXPECT_EQ(0, mbt_set_recv_prio(fd, 9));
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(9U, i.recv_priority);
	MBT_EXPECT_FDINFO(fd, "recv_priority", "9");
	mbt_expect_msg(_metadata, fd, 0, "x", me, 0);
	/* opened again by CREATE with other attributes: still a broadcast */
	again = mbt_create_ex(name, 0, MAILBOX_ACCESS_ALL, 0600, 0,
			      MBT_DLV_MSG_MAX,
			      MAILBOX_DELIVER_QUEUE);
	ASSERT_LE(0, again);
	i = mbt_info(_metadata, again);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_BROADCAST), i.delivery);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(2U, i.subscribers);
	close(again);
	close(fd);
}

TEST_HARNESS_MAIN
