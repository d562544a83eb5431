// SPDX-License-Identifier: GPL-2.0
/*
 * Sends that wait for their receiver: rendezvous mailboxes (capacity 0)
 * and MAILBOX_SEND_WAIT. The send returns once a receiver has the
 * message, and names it; a timed-out or failed one leaves nothing behind;
 * a receiver too small, or one whose copy faults, does not count as the
 * receiver, and the sender sleeps on.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "lib/mbt.h"

#define RO_SIZE		4096	/* a receive buffer in a read-only page */

MBT_FIXTURE(xfer, "xfer")

TEST_F(xfer, rendezvous_nonblock_without_receiver)
{
	struct mbt_env *e = &self->e;
	int32_t receiver = -1;

	MBT_CAP_BOX(0);
	ASSERT_EQ(-EAGAIN, mbt_send(e->fd, "x", 1, MAILBOX_NONBLOCK, 0,
				    &receiver));
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
}

/*
 * A receiver turns up MBT_SLEEP_MS late, once it sees the sender asleep (on a
 * rendezvous) or the message queued (delivery wait). The send returns only
 * after the receiver took the message, and names it.
 */
static struct mbt_result *late_receiver(struct __test_metadata *_metadata,
				    struct mbt_env *e, uint32_t capacity,
				    uint32_t flags)
{
	struct mbt_op rx = { .size = MBT_OP_BUF, .delay_ms = MBT_SLEEP_MS };
	int32_t receiver = -1;
	struct mbt_result *r;
	uint64_t t0, t1;

	if (capacity)
		rx.await_depth = 1;
	else
		rx.await_senders = 1;
	MBT_CAP_BOX(capacity);
	t0 = mbt_now_ns();
	mbt_op_start(_metadata, e, 0, &rx);
	ASSERT_EQ(0, mbt_send(e->fd, "meet", 4, flags, 0, &receiver));
	t1 = mbt_now_ns();
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_TRUE(mbt_op_got(r, "meet")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(e->kids.slot[0], receiver);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	EXPECT_LE(t0 + MBT_SLEEP_MS * MBT_MS, r->t_start);
	EXPECT_LE(r->t_start, t1);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
	return r;
}

TEST_F(xfer, rendezvous_send_waits_for_receiver)
{
	struct mbt_result *r = late_receiver(_metadata, &self->e, 0, 0);

	/* while the sender slept, STAT described its message */
	EXPECT_EQ(1U, r->pre.senders_waiting);
	EXPECT_EQ(4U, r->pre.next_len);
	MBT_EXPECT_BLOCKED(self->e.fd, 1, 0);
}

/* A receiver waits first; a send (of @flags) hands the message over. */
static void rendezvous_handoff(struct __test_metadata *_metadata,
			       struct mbt_env *e, uint32_t flags)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	int32_t receiver = -1;
	struct mbt_result *r;

	MBT_CAP_BOX(0);
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	if (!(flags & MAILBOX_NONBLOCK))
		mbt_sleep_ms(MBT_SLEEP_MS);
	ASSERT_EQ(0, mbt_send(e->fd, "hand", 4, flags, 0, &receiver));
	EXPECT_EQ(e->kids.slot[0], receiver);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_TRUE(mbt_op_got(r, "hand")) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(getpid(), r->meta.sender_pid);
	if (!(flags & MAILBOX_NONBLOCK))
		EXPECT_LE((unsigned int)MBT_SLEEP_MS, mbt_op_elapsed_ms(r));
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
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
	struct mbt_env *e = &self->e;

	MBT_CAP_BOX(0);
	MBT_EXPECT_TIMEOUT(e->fd, "gone", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, MBT_SLEEP_MS);
	MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
}

TEST_F(xfer, send_wait_returns_after_delivery)
{
	struct mbt_result *r = late_receiver(_metadata, &self->e, 4,
					 MAILBOX_SEND_WAIT);

	EXPECT_EQ(1U, r->pre.depth);	/* it waited in the queue */
}

/* A timed-out delivery wait takes its message back out of the queue. */
TEST_F(xfer, send_wait_timeout_takes_back)
{
	struct mbt_env *e = &self->e;
	struct mailbox_info i;

	MBT_CAP_BOX(4);
	ASSERT_EQ(0, mbt_send_str(e->fd, "kept", 0));
	MBT_EXPECT_TIMEOUT(e->fd, "taken back", MAILBOX_SEND_WAIT);
	MBT_EXPECT_INFO(e->fd, .depth = 1U, .bytes = 4U, .received = 0U);
	MBT_ASSERT_RECV(e->fd, 0, "kept", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
}

TEST_F(xfer, send_wait_nonblock)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mbt_env *e = &self->e;
	int32_t receiver = -1;

	MBT_CAP_BOX(4);
	ASSERT_EQ(-EAGAIN, mbt_send(e->fd, "x", 1,
				    MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0,
				    NULL));
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);

	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "now", 3,
			      MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0,
			      &receiver));
	EXPECT_EQ(e->kids.slot[0], receiver);
	EXPECT_TRUE(mbt_op_got(mbt_op_done(_metadata, e, 0), "now"));
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}
/*
 * The same on a rendezvous: the sender's message stays with the sleeping
 * sender, and a receiver with room takes it.
 */
TEST_F(xfer, emsgsize_on_rendezvous_handoff)
{
	struct mbt_op rx = { .size = 4 };
	struct mbt_op tx = { .send = true, .msg = "too long for four" };
	struct mbt_env *e = &self->e;
	struct mailbox_info i;
	struct mbt_result *r;

	MBT_CAP_BOX(0);
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	mbt_op_start(_metadata, e, 1, &tx);
	/* the small receiver must fail at once, not when the send ends */
	EXPECT_TRUE(mbt_slot_ended(&e->kids, 0, MBT_SLACK_MS / 2))
		TH_LOG("receiver still asleep after the send began");
	MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ(strlen(tx.msg), i.next_len);
	MBT_ASSERT_RECV(e->fd, 0, tx.msg, MBT_SLACK_MS);
	r = mbt_op_done(_metadata, e, 1);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(getpid(), r->receiver_pid);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(-EMSGSIZE, r->ret);
	EXPECT_EQ(strlen(tx.msg), r->meta.len);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}

/*
 * Receivers that cannot write their buffer. The message they took goes
 * back to the head of the mailbox, and a sender waiting for delivery (on a
 * rendezvous or with MAILBOX_SEND_WAIT) learns that its message was
 * received only once a receiver has copied it out: it goes on sleeping
 * through the fault, and names the receiver that did copy it.
 */
/* Receives into a page they cannot write. */
static const struct mbt_op bad_rx = { .ro_buf = true };

/* A message of @len bytes is queued alone and nobody has received it. */
static void expect_requeued(struct __test_metadata *_metadata, int fd,
			    uint32_t len)
{
	MBT_EXPECT_INFO(fd, .depth = 1U, .bytes = len, .next_len = len,
			.received = 0U, .receivers_waiting = 0U);
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
				  struct mbt_env *e, uint32_t capacity,
				  uint32_t flags, bool handoff)
{
	struct mbt_op tx = { .send = true, .msg = "copy me", .flags = flags };
	const int n = strlen(tx.msg);
	struct mailbox_recv m;
	char buf[MBT_OP_BUF];
	struct mbt_result *r;
	void *ro;

	MBT_CAP_BOX(capacity);
	if (handoff) {
		mbt_op_start(_metadata, e, 1, &bad_rx);
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	}
	mbt_op_start(_metadata, e, 0, &tx);
	if (handoff) {
		r = mbt_op_done(_metadata, e, 1);
		ASSERT_EQ(-EFAULT, r->ret);
	} else {
		if (capacity)
			MBT_ASSERT_INFO(e->fd, depth, 1);
		else
			MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
		ro = mbt_page(PROT_READ);
		ASSERT_TRUE(ro != NULL);
		ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE,
					    MAILBOX_NONBLOCK, 0, NULL));
		munmap(ro, RO_SIZE);
	}

	/* not received: the sender sleeps on, its message queued again */
	mbt_op_asleep(_metadata, e, 0, MBT_SLEEP_MS);
	expect_requeued(_metadata, e->fd, n);

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      &m));
	EXPECT_EQ(0, memcmp(buf, tx.msg, n));
	EXPECT_EQ((uint32_t)n, m.len);
	EXPECT_EQ(e->kids.slot[0], m.sender_pid);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(getpid(), r->receiver_pid);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
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
	struct mbt_op tx = { .send = true, .msg = "next one" };
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mbt_env *e = &self->e;
	struct mbt_result *r;

	MBT_CAP_BOX(0);
	mbt_op_start(_metadata, e, 1, &bad_rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	mbt_op_start(_metadata, e, 2, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 2);
	mbt_op_start(_metadata, e, 0, &tx);
	EXPECT_EQ(-EFAULT, mbt_op_done(_metadata, e, 1)->ret);
	r = mbt_op_done(_metadata, e, 2);
	EXPECT_TRUE(mbt_op_got(r, tx.msg)) TH_LOG("ret %d", r->ret);
	EXPECT_EQ(e->kids.slot[0], r->meta.sender_pid);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(0, r->ret);
	EXPECT_EQ(e->kids.slot[2], r->receiver_pid)
		TH_LOG("faulting receiver %d, receiving one %d", e->kids.slot[1],
		       e->kids.slot[2]);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}

/*
 * A non-blocking send waits only while a receiver copies its message out:
 * when that copy faults and the message is put back, the send takes it
 * back and fails with -EAGAIN instead of sleeping until another receiver
 * comes. Both on a rendezvous and with MAILBOX_SEND_WAIT.
 */
static void nonblock_send_after_fault(struct __test_metadata *_metadata,
				      struct mbt_env *e, uint32_t capacity,
				      uint32_t flags)
{
	struct mbt_op tx = { .send = true, .msg = "nonblocking",
			 .flags = MAILBOX_NONBLOCK | flags };
	struct mbt_result *r;

	MBT_CAP_BOX(capacity);
	mbt_op_start(_metadata, e, 1, &bad_rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	mbt_op_start(_metadata, e, 0, &tx);
	EXPECT_EQ(-EFAULT, mbt_op_done(_metadata, e, 1)->ret);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(-EAGAIN, r->ret);
	EXPECT_EQ(0, r->receiver_pid);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
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
	struct mbt_op tx = { .send = true, .msg = "withdrawn",
			 .handler = MBT_HANDLER_EINTR };
	struct mbt_env *e = &self->e;
	struct mbt_result *r;
	void *ro = mbt_page(PROT_READ);

	ASSERT_TRUE(ro != NULL);
	MBT_CAP_BOX(0);
	mbt_op_start(_metadata, e, 0, &tx);
	MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, MAILBOX_NONBLOCK, 0,
				    NULL));
	munmap(ro, RO_SIZE);
	mbt_op_asleep(_metadata, e, 0, MBT_SLEEP_MS);
	expect_requeued(_metadata, e->fd, strlen(tx.msg));

	ASSERT_EQ(0, kill(e->kids.slot[0], SIGUSR1));
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(-EINTR, r->ret);
	EXPECT_EQ(0, r->receiver_pid);
	EXPECT_EQ(1, mbt_sigcount());
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_INFO(e->fd, .depth = 0U, .bytes = 0U, .received = 0U,
			.senders_waiting = 0U);
}

/*
 * A send that fails without sleeping (-EAGAIN, or -ETIMEDOUT with a
 * deadline already past) changes nothing: receivers asleep in the mailbox
 * whose buffers are too small for its message sleep on, and take the next
 * message that fits.
 */
static void failed_send_leaves_receiver(struct __test_metadata *_metadata,
					struct mbt_env *e, uint32_t capacity,
					uint32_t flags, int err)
{
	struct mbt_op rx = { .size = 10 };
	uint64_t deadline = 0, end;
	struct mailbox_info i;
	int32_t receiver = -1;
	char big[100];
	struct mbt_result *r;

	MBT_CAP_BOX(capacity);
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	mbt_fill(big, sizeof(big), 3);
	if (flags & MAILBOX_DEADLINE)
		deadline = mbt_now_ns() - 1000 * MBT_MS;
	ASSERT_EQ(err, mbt_send(e->fd, big, sizeof(big), flags, deadline,
				NULL));

	/* the receiver sleeps on for a while, undisturbed */
	end = mbt_deadline_ms(200);
	do {
		i = mbt_info(_metadata, e->fd);
		ASSERT_EQ(1U, i.receivers_waiting);
		ASSERT_FALSE(mbt_slot_ended(&e->kids, 0, 0))
			TH_LOG("receiver woke with %d (len %u)",
			       e->res[0].ret, e->res[0].meta.len);
		mbt_sleep_ms(5);
	} while (mbt_now_ns() < end);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.sent);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(0U, i.senders_waiting);

	ASSERT_EQ(0, mbt_send(e->fd, "small", 5, 0, 0, &receiver));
	EXPECT_EQ(capacity ? 0 : e->kids.slot[0], receiver);
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_TRUE(mbt_op_got(r, "small")) TH_LOG("ret %d", r->ret);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
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


TEST_HARNESS_MAIN
