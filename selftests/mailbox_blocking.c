// SPDX-License-Identifier: GPL-2.0
/*
 * Blocking calls: receivers woken by a send and senders by a receive,
 * deadlines (expired, met, in the past), the order in which blocked
 * receivers and senders are served, signals and SIGKILL against each kind
 * of blocked call, and deadlines in a time namespace.
 *
 * Tests fork children that each make one call (struct mbt_op) and wait for
 * them to be asleep in the kernel (STAT's waiter counts) before acting.
 * Timing checks use lower bounds and generous upper bounds only, as the
 * tests also run under slow emulation.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>

#include "lib/mbt.h"


MBT_FIXTURE(xfer, "xfer")

TEST_F(xfer, blocking_recv_woken_by_send)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mbt_env *e = &self->e;
	struct mbt_result *r;

	MBT_CAP_BOX(4);
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);
	ASSERT_EQ(0, mbt_send_str(e->fd, "wake", 0));
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_TRUE(mbt_op_got(r, "wake")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	EXPECT_LE((unsigned int)MBT_SLEEP_MS, mbt_op_elapsed_ms(r));
	MBT_EXPECT_BLOCKED(e->fd, 0, 1);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}

/* A sender blocked on a full mailbox gets in behind the queued ones. */
TEST_F(xfer, blocking_send_woken_by_recv)
{
	struct mbt_op tx = { .send = true, .msg = "c" };
	struct mbt_env *e = &self->e;
	struct mailbox_info i;
	struct mbt_result *r;

	MBT_CAP_BOX(2);
	ASSERT_EQ(0, mbt_send_str(e->fd, "a", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_send_str(e->fd, "b", MAILBOX_NONBLOCK));
	mbt_op_start(_metadata, e, 0, &tx);
	MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	mbt_sleep_ms(MBT_SLEEP_MS);
	MBT_ASSERT_RECV(e->fd, 0, "a", 0);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_LE((unsigned int)MBT_SLEEP_MS, mbt_op_elapsed_ms(r));
	MBT_ASSERT_RECV(e->fd, 0, "b", MBT_SLACK_MS);
	MBT_ASSERT_RECV(e->fd, 0, "c", MBT_SLACK_MS);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_BLOCKED(e->fd, 1, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 3, 3);
}

TEST_F(xfer, timed_recv_times_out)
{
	struct mbt_env *e = &self->e;

	MBT_CAP_BOX(4);
	MBT_EXPECT_TIMEOUT(e->fd, NULL, 0);
	MBT_EXPECT_BLOCKED(e->fd, 0, 1);
	MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
}

/* A timed-out send on a full mailbox queues nothing. */
TEST_F(xfer, timed_send_full_times_out)
{
	struct mbt_env *e = &self->e;

	MBT_CAP_BOX(1);
	ASSERT_EQ(0, mbt_send_str(e->fd, "a", MAILBOX_NONBLOCK));
	MBT_EXPECT_TIMEOUT(e->fd, "b", 0);
	MBT_EXPECT_BLOCKED(e->fd, 1, 0);
	MBT_EXPECT_COUNTS(e->fd, 1, 1, 0);
	MBT_ASSERT_RECV(e->fd, 0, "a", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
}

/* A deadline already past only matters when the call would sleep. */
TEST_F(xfer, deadline_in_past)
{
	struct mbt_env *e = &self->e;
	char buf[MBT_OP_BUF];
	uint64_t past, t0;

	MBT_CAP_BOX(1);
	past = mbt_now_ns() - 1000 * MBT_MS;
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
	EXPECT_GT((uint64_t)MBT_SLACK_MS * MBT_MS, mbt_now_ns() - t0);
	MBT_EXPECT_COUNTS(e->fd, 0, 2, 2);
}

TEST_F(xfer, timed_recv_satisfied)
{
	struct mbt_op tx = { .send = true, .msg = "late", .delay_ms = MBT_SLEEP_MS };
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	char buf[MBT_OP_BUF];
	uint64_t t0, deadline;

	MBT_CAP_BOX(4);
	t0 = mbt_now_ns();
	deadline = t0 + (MBT_SLEEP_MS + MBT_SLACK_MS) * MBT_MS;
	mbt_op_start(_metadata, e, 0, &tx);
	ASSERT_EQ(4, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      deadline, &m));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
	EXPECT_EQ(e->kids.slot[0], m.sender_pid);
	MBT_EXPECT_SLEPT(t0, mbt_now_ns(), MBT_SLEEP_MS);
	EXPECT_EQ(0, mbt_op_done(_metadata, e, 0)->ret);
}

TEST_F(xfer, timed_send_satisfied)
{
	struct mbt_op rx = { .size = MBT_OP_BUF, .delay_ms = MBT_SLEEP_MS };
	struct mbt_env *e = &self->e;
	uint64_t t0, deadline;

	MBT_CAP_BOX(1);
	ASSERT_EQ(0, mbt_send_str(e->fd, "first", MAILBOX_NONBLOCK));
	t0 = mbt_now_ns();
	deadline = t0 + (MBT_SLEEP_MS + MBT_SLACK_MS) * MBT_MS;
	mbt_op_start(_metadata, e, 0, &rx);
	ASSERT_EQ(0, mbt_send(e->fd, "second", 6, MAILBOX_DEADLINE, deadline,
			      NULL));
	MBT_EXPECT_SLEPT(t0, mbt_now_ns(), MBT_SLEEP_MS);
	EXPECT_TRUE(mbt_op_got(mbt_op_done(_metadata, e, 0), "first"));
	MBT_ASSERT_RECV(e->fd, 0, "second", 0);
}

/* Children 0..2 block one after another, each running @op's template. */
static void block_in_turn(struct __test_metadata *_metadata, struct mbt_env *e,
			  const struct mbt_op *tmpl, bool senders)
{
	static const char *const digits[] = { "0", "1", "2" };
	struct mbt_op op[3];
	int k;

	for (k = 0; k < 3; k++) {
		op[k] = *tmpl;
		op[k].msg = digits[k];
		mbt_op_start(_metadata, e, k, &op[k]);
		if (senders)
			MBT_ASSERT_INFO(e->fd, senders_waiting, k + 1);
		else
			MBT_ASSERT_INFO(e->fd, receivers_waiting, k + 1);
	}
}

/* Blocked receivers get messages in the order they blocked, one each. */
TEST_F(xfer, receivers_woken_in_fifo_order)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mbt_env *e = &self->e;
	char want[2] = "0";
	int k;

	MBT_CAP_BOX(4);
	block_in_turn(_metadata, e, &rx, false);
	for (k = 0; k < 3; k++) {
		want[0] = '0' + k;
		ASSERT_EQ(0, mbt_send_str(e->fd, want, 0));
	}
	for (k = 0; k < 3; k++) {
		struct mbt_result *r = mbt_op_done(_metadata, e, k);

		want[0] = '0' + k;
		EXPECT_TRUE(mbt_op_got(r, want))
			TH_LOG("receiver %d: ret %d data '%c'", k, r->ret,
			       r->data[0]);
	}
	MBT_EXPECT_COUNTS(e->fd, 0, 3, 3);
}

/* Blocked senders get their turn in the order they blocked. */
TEST_F(xfer, senders_served_in_fifo_order)
{
	struct mbt_op tx = { .send = true };
	struct mbt_env *e = &self->e;
	int k;

	MBT_CAP_BOX(1);
	ASSERT_EQ(0, mbt_send_str(e->fd, "F", MAILBOX_NONBLOCK));
	block_in_turn(_metadata, e, &tx, true);
	MBT_ASSERT_RECV(e->fd, 0, "F", 0);
	MBT_ASSERT_RECV(e->fd, 0, "0", MBT_SLACK_MS);
	MBT_ASSERT_RECV(e->fd, 0, "1", MBT_SLACK_MS);
	MBT_ASSERT_RECV(e->fd, 0, "2", MBT_SLACK_MS);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(0, mbt_op_done(_metadata, e, k)->ret);
	MBT_EXPECT_COUNTS(e->fd, 0, 4, 4);
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
#define STORM_LATE_MS		3000	/* < STORM_DEADLINE_MS + MBT_SLACK_MS */

MBT_FIXTURE(intr, "xfer")

FIXTURE_VARIANT(intr) {
	enum blocked_call call;
};

FIXTURE_VARIANT_ADD(intr, recv) { .call = CALL_RECV };
FIXTURE_VARIANT_ADD(intr, send_full) { .call = CALL_SEND_FULL };
FIXTURE_VARIANT_ADD(intr, rendezvous) { .call = CALL_RENDEZVOUS };
FIXTURE_VARIANT_ADD(intr, send_wait) { .call = CALL_SEND_WAIT };

/* Wait until child 0 sleeps in its @call. */
static void wait_blocked(struct __test_metadata *_metadata, struct mbt_env *e,
			 enum blocked_call call)
{
	switch (call) {
	case CALL_RECV:
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
		break;
	case CALL_SEND_FULL:
	case CALL_RENDEZVOUS:
		MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
		break;
	case CALL_SEND_WAIT:
		/* queued, so inside the call: a signal now interrupts it */
		MBT_ASSERT_INFO(e->fd, depth, 1);
		break;
	}
}

/* Let child 0's restarted @call complete; it must do so exactly once. */
static void complete_call(struct __test_metadata *_metadata, struct mbt_env *e,
			  enum blocked_call call)
{
	struct mbt_result *r;

	if (call == CALL_RECV)
		ASSERT_EQ(0, mbt_send_str(e->fd, "B", 0));
	if (call == CALL_SEND_FULL)
		MBT_ASSERT_RECV(e->fd, 0, "A", 0);
	if (call != CALL_RECV)
		MBT_ASSERT_RECV(e->fd, 0, "B", MBT_SLACK_MS);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(call == CALL_RECV ? 1 : 0, r->ret);
	if (call == CALL_RECV)
		EXPECT_TRUE(mbt_op_got(r, "B"));
	if (call == CALL_RENDEZVOUS || call == CALL_SEND_WAIT)
		EXPECT_EQ(getpid(), r->receiver_pid);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
}

/* Child 0's interrupted or killed @call must not have delivered "B". */
static void expect_nothing_left(struct __test_metadata *_metadata,
				struct mbt_env *e, enum blocked_call call)
{
	if (call == CALL_SEND_FULL)
		MBT_ASSERT_RECV(e->fd, 0, "A", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	if (call == CALL_RENDEZVOUS)
		MBT_ASSERT_RECV(e->fd, 0, NULL, MBT_SLEEP_MS);
}

/* The mailbox still moves a message, and no stale waiter grabs it. */
static void expect_roundtrip(struct __test_metadata *_metadata,
			     struct mbt_env *e, enum blocked_call call)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mailbox_info i;
	uint64_t n;

	if (call != CALL_RENDEZVOUS) {
		ASSERT_EQ(0, mbt_send_str(e->fd, "C", MAILBOX_NONBLOCK));
		MBT_ASSERT_RECV(e->fd, 0, "C", 0);
	} else {
		mbt_op_start(_metadata, e, 1, &rx);
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
		ASSERT_EQ(0, mbt_send_str(e->fd, "C", MAILBOX_NONBLOCK));
		EXPECT_TRUE(mbt_op_got(mbt_op_done(_metadata, e, 1), "C"));
	}
	/* "A" (if any) and "C" went through; "B" was never received */
	n = call == CALL_SEND_FULL ? 2 : 1;
	i = mbt_info(_metadata, e->fd);
	MBT_EXPECT_INFO(e->fd, .depth = 0U, .bytes = 0U, .received = n);
	/* whether a taken-back SEND_WAIT message was "accepted" is open */
	if (call != CALL_SEND_WAIT)
		EXPECT_EQ(n, i.sent);
	EXPECT_EQ(0U, i.receivers_waiting);
	EXPECT_EQ(0U, i.senders_waiting);
}

/* SIGUSR1 every STORM_PERIOD_MS until child 0 ends; it must time out. */
static void signal_storm(struct __test_metadata *_metadata, struct mbt_env *e,
			 enum blocked_call call)
{
	uint64_t stop = mbt_deadline_ms(STORM_DEADLINE_MS + MBT_SLACK_MS);
	struct mbt_result *r;

	while (!mbt_slot_ended(&e->kids, 0, STORM_PERIOD_MS)) {
		ASSERT_GT(stop, mbt_now_ns())
			TH_LOG("still blocked %d ms after its deadline",
			       MBT_SLACK_MS);
		kill(e->kids.slot[0], SIGUSR1);
	}
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(-ETIMEDOUT, r->ret);
	EXPECT_LE(2, mbt_sigcount());
	EXPECT_LE(r->deadline, r->t_end);
	EXPECT_GT(r->deadline + STORM_LATE_MS * MBT_MS, r->t_end)
		TH_LOG("timed out %llu ms after its deadline",
		       (unsigned long long)(r->t_end - r->deadline) / MBT_MS);
	if (call == CALL_RECV)
		MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	else
		expect_nothing_left(_metadata, e, call);
	expect_roundtrip(_metadata, e, call);
}

/* Block child 0 in @call (with a deadline unless 0), interrupt it @how. */
static void interrupt(struct __test_metadata *_metadata, struct mbt_env *e,
		      enum blocked_call call, enum interruption how,
		      long deadline_ms)
{
	struct mbt_op op = { .size = MBT_OP_BUF, .msg = "B" };
	struct mbt_result *r;

	MBT_CAP_BOX(call == CALL_RENDEZVOUS ? 0 :
		    call == CALL_SEND_FULL ? 1 : 4);
	if (call == CALL_SEND_FULL)
		ASSERT_EQ(0, mbt_send_str(e->fd, "A", MAILBOX_NONBLOCK));
	op.send = call != CALL_RECV;
	if (call == CALL_SEND_WAIT)
		op.flags |= MAILBOX_SEND_WAIT;
	if (deadline_ms) {
		op.flags |= MAILBOX_DEADLINE;
		op.deadline_ms = deadline_ms;
	}
	op.handler = how == BY_EINTR ? MBT_HANDLER_EINTR :
		     how == BY_RESTART ? MBT_HANDLER_RESTART : MBT_NO_HANDLER;
	mbt_op_start(_metadata, e, 0, &op);
	wait_blocked(_metadata, e, call);

	if (how == BY_RESTART && deadline_ms) {
		signal_storm(_metadata, e, call);
		return;
	}
	ASSERT_EQ(0, kill(e->kids.slot[0], how == BY_KILL ? SIGKILL : SIGUSR1));
	if (how == BY_RESTART) {
		MBT_ASSERT_SIGCOUNT(1);
		wait_blocked(_metadata, e, call);
		complete_call(_metadata, e, call);
		EXPECT_EQ(1, mbt_sigcount());
		return;
	}
	if (how == BY_KILL) {
		mbt_slot_killed(_metadata, &e->kids, 0);
	} else {
		r = mbt_op_done(_metadata, e, 0);
		EXPECT_EQ(-EINTR, r->ret);
		EXPECT_EQ(1, mbt_sigcount());
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
	struct mbt_env *e = p;
	struct timens_report *t = g_timens;
	char buf[MBT_OP_BUF], name[MAILBOX_NAME_LEN];
	int fd;

	alarm(TIMENS_ALARM_S);
	t->now = mbt_now_ns();
	fd = mbt_open(e->names[0], MAILBOX_ACCESS_ALL);
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
			4, MBT_MSG_MAX);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_unlink(name));

	t->recv_t0 = mbt_now_ns();
	t->timed_recv = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
				 t->recv_t0 + MBT_SLEEP_MS * MBT_MS, NULL);
	t->recv_t1 = mbt_now_ns();

	t->send_t0 = mbt_now_ns();
	t->timed_send = mbt_send(fd, "nobody", 6,
				 MAILBOX_DEADLINE | MAILBOX_SEND_WAIT,
				 t->send_t0 + MBT_SLEEP_MS * MBT_MS, NULL);
	t->send_t1 = mbt_now_ns();
	close(fd);
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
	struct mbt_env *e = &self->e;
	struct timens_report *t;
	uint64_t h0, h1, t0, t1;
	struct mailbox_recv m;
	char buf[MBT_OP_BUF];
	int ret, status;

	MBT_CAP_BOX(4);
	ret = timens_for_children(_metadata);
	if (ret == -EINVAL || ret == -EPERM)
		SKIP(return, "no time namespace: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("unshare(CLONE_NEWTIME): %s",
				 strerror(-ret));
	t = mbt_shared(sizeof(*t));
	ASSERT_TRUE(t != NULL);
	g_timens = t;

	h0 = mbt_now_ns();
	ASSERT_EQ(0, mbt_send_str(e->fd, "from host", MAILBOX_NONBLOCK));
	h1 = mbt_now_ns();
	t0 = mbt_now_ns();
	mbt_slot_start(_metadata, &e->kids, 0, timens_child, e);
	ASSERT_TRUE(mbt_slot_ended(&e->kids, 0, (TIMENS_ALARM_S + 5) * 1000))
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
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_INFO(e->fd, .depth = 0U, .sent = 3U, .received = 3U);

	/* its deadlines are in its time: both calls slept MBT_SLEEP_MS */
	status = e->kids.status[0];
	ASSERT_TRUE(WIFEXITED(status))
		TH_LOG("child killed by signal %d%s", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ?
		       ": a timed call slept through its deadline" : "");
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ETIMEDOUT, t->timed_recv);
	MBT_EXPECT_SLEPT(t->recv_t0, t->recv_t1, MBT_SLEEP_MS);
	EXPECT_EQ(-ETIMEDOUT, t->timed_send);
	MBT_EXPECT_SLEPT(t->send_t0, t->send_t1, MBT_SLEEP_MS);
	munmap(t, sizeof(*t));
}

TEST_HARNESS_MAIN
