// SPDX-License-Identifier: GPL-2.0
/*
 * MAILBOX_IOC_SEND_BATCH and MAILBOX_IOC_RECV_BATCH, several sends or
 * receives in one call. Each entry must do what the single call does; only
 * the first may sleep, the first later one that would ends the batch with
 * -EAGAIN, and the call returns the entries done or, when the first entry
 * fails, its error with nothing moved. Here: contents, order and metadata
 * of the entries; batches cut short by a full or empty mailbox; sleeping,
 * non-blocking and timed first entries and signals during their sleep;
 * sends to the bound and to direct mailboxes in one batch; priority,
 * broadcast and rendezvous mailboxes; PEEK entries.
 *
 * The checks of struct mailbox_batch and of bad entries are in
 * mailbox_batch_errors.c.
 *
 * Children run one batch each (struct mbt_bjob) on their own descriptor
 * and leave the entries as the kernel wrote them in shared memory; the
 * test waits for them to be asleep in the kernel (STAT's waiter counts)
 * before acting, so that no result depends on timing. Timing checks use
 * lower bounds and generous upper bounds only.
 */
#define _GNU_SOURCE
#include "lib/mbt.h"

#define MSG_MAX		128	/* msg_size_max of the mailboxes */
#define TIMEOUT_S	120	/* per test (slow emulation) */

#define SEND		MAILBOX_IOC_SEND_BATCH
#define RECV		MAILBOX_IOC_RECV_BATCH

/* A new mailbox of @cap messages (more: MBT_BOX()'s), the first self->e.fd. */
#define BOX(cap, ...)							\
	mbt_new_box(_metadata, &self->e, NULL, MBT_BOX(.capacity = (cap), \
		    .msg_size_max = MSG_MAX, ##__VA_ARGS__))

/* A descriptor bound to this process's new direct mailbox. */
#define DIRECT(cap)							\
	mbt_my_direct(_metadata, cap, MSG_MAX, MAILBOX_DELIVER_QUEUE)

MBT_BATCH_FIXTURE(batch)

/*
 * Start children running @jobs[0] to @jobs[@n - 1] in slots 0 to @n - 1,
 * each asleep in the kernel on e->fd before the next starts, so that they
 * wait in that order.
 */
static void start_asleep(struct __test_metadata *_metadata,
			 struct mbt_env *e, const struct mbt_bjob *jobs, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		mbt_bjob_start(_metadata, e, k, &jobs[k]);
		if (jobs[k].recv)
			MBT_ASSERT_INFO(e->fd, receivers_waiting, k + 1);
		else
			MBT_ASSERT_INFO(e->fd, senders_waiting, k + 1);
	}
}

/* ---- signals: helpers ------------------------------------------------- */

/*
 * A signal while the first entry sleeps: a handler without SA_RESTART
 * gets -EINTR and nothing moved; with SA_RESTART the call starts again
 * (done and error were left zero, so the batch is still valid) and then
 * completes once; SIGKILL leaves nothing behind.
 */
enum blocked_call { CALL_RECV, CALL_SEND_FULL, CALL_RENDEZVOUS };

MBT_BATCH_FIXTURE(intr)

FIXTURE_VARIANT(intr) {
	enum blocked_call call;
};

FIXTURE_VARIANT_ADD(intr, recv) { .call = CALL_RECV };
FIXTURE_VARIANT_ADD(intr, send_full) { .call = CALL_SEND_FULL };
FIXTURE_VARIANT_ADD(intr, rendezvous) { .call = CALL_RENDEZVOUS };

static void wait_blocked(struct __test_metadata *_metadata, struct mbt_env *e,
			 enum blocked_call call)
{
	if (call == CALL_RECV)
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	else
		MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
}

/*
 * Child 0 runs a batch of two that sleeps in its first entry: a receive
 * on an empty mailbox, a send (of mbt_bmsg(1) and 2) on one full with
 * mbt_bmsg(0), or a rendezvous send.
 */
static void block_kid(struct __test_metadata *_metadata, struct mbt_env *e,
		      enum blocked_call call, int handler)
{
	const struct mbt_bjob job = {
		.recv = call == CALL_RECV, .count = 2, .first = 1,
		.handler = handler,
	};

	mbt_new_box(_metadata, e, NULL,
		    MBT_BOX(.msg_size_max = MSG_MAX, .capacity =
			    call == CALL_RENDEZVOUS ? 0 :
			    call == CALL_SEND_FULL ? 1 : 4));
	if (call == CALL_SEND_FULL)
		mbt_send_bmsg(_metadata, e->fd, 0);
	mbt_bjob_start(_metadata, e, 0, &job);
	wait_blocked(_metadata, e, call);
}

/* The interrupted batch moved nothing. */
static void expect_nothing_moved(struct __test_metadata *_metadata,
				 struct mbt_env *e, enum blocked_call call)
{
	int n = call == CALL_SEND_FULL;

	MBT_EXPECT_COUNTS(e->fd, n, n, 0);
	if (n) {
		MBT_EXPECT_MSGS(e->fd, mbt_bmsg(0));
	} else {
		MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	}
}

/* ---- tests ------------------------------------------------------------ */

/* VERSION lists both ioctls; the structure is the same for -m32. */
TEST_F_TIMEOUT(batch, version_and_layout, TIMEOUT_S)
{
	struct mailbox_version v;
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, mbt_ioctl(fd, MAILBOX_IOC_VERSION, &v));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(SEND)));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(RECV)));
	EXPECT_EQ(0x0b, (int)_IOC_NR(SEND));
	EXPECT_EQ(0x0c, (int)_IOC_NR(RECV));
	EXPECT_EQ(40, (int)sizeof(struct mailbox_batch));
	EXPECT_EQ(40, (int)_IOC_SIZE(SEND));
	EXPECT_EQ(40, (int)_IOC_SIZE(RECV));
	EXPECT_EQ(24, (int)offsetof(struct mailbox_batch, reserved));
	close(fd);
}

/*
 * Ten messages of different lengths out in one batch and back in one of
 * sixteen: all ten, in order, with their metadata; the eleventh entry
 * would have slept.
 */
TEST_F_TIMEOUT(batch, send_recv_in_order, TIMEOUT_S)
{
	MBT_ENTRIES(MBT_BATCH_NENT);
	struct mailbox_info i;
	uint64_t t0, t1, bytes = 0;
	int fd = BOX(16), k, ret;

	mbt_set_sends(s, 10, 0);
	t0 = mbt_now_ns();
	ret = mbt_batch(fd, SEND, s, 10, &b);
	t1 = mbt_now_ns();
	MBT_EXPECT_BATCH(ret, &b, 10, 0);
	for (k = 0; k < 10; k++) {
		EXPECT_EQ(1U, s[k].receivers);
		EXPECT_EQ(0, s[k].receiver_pid);
		bytes += mbt_bmsg_len(k);
	}
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(10U, i.depth);
	EXPECT_EQ(bytes, i.bytes);
	EXPECT_EQ(mbt_bmsg_len(0), i.next_len);
	EXPECT_EQ(10U, i.sent);

	mbt_set_recvs(r, MBT_BATCH_NENT, bufs);
	ret = mbt_batch(fd, RECV, r, MBT_BATCH_NENT, &b);
	MBT_EXPECT_BATCH(ret, &b, 10, -EAGAIN);
	for (k = 0; k < 10; k++) {
		MBT_EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(k), getpid());
		EXPECT_EQ(geteuid(), r[k].sender_uid);
		EXPECT_EQ(0U, r[k].priority);
		EXPECT_LE(t0, r[k].send_time_ns);
		EXPECT_GE(t1, r[k].send_time_ns);
		if (k)
			EXPECT_LE(r[k - 1].send_time_ns, r[k].send_time_ns);
	}
	for (k = 10; k < MBT_BATCH_NENT; k++) {
		EXPECT_EQ(MBT_UNTOUCHED, r[k].len);
		EXPECT_EQ(0x5a, bufs[k][0]);
	}
	MBT_EXPECT_COUNTS(fd, 0, 10, 10);
	MBT_EXPECT_BLOCKED(fd, 0, 0);
}

/* Six entries, room for four: four go, the rest is not queued. */
TEST_F_TIMEOUT(batch, send_past_room, TIMEOUT_S)
{
	MBT_ENTRIES(6);
	int fd = BOX(4), k;

	mbt_set_sends(s, 6, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 6, &b), &b, 4, -EAGAIN);
	EXPECT_EQ(1U, s[3].receivers);
	EXPECT_EQ(MBT_UNTOUCHED, s[5].receivers);
	MBT_EXPECT_COUNTS(fd, 4, 4, 0);

	/* A receive batch of exactly what is there: error 0. */
	mbt_set_recvs(r, 4, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		MBT_EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(k), getpid());
	MBT_ASSERT_RECV(fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(fd, 0, 4, 4);
}

/* MAILBOX_BATCH_MAX entries each way. */
TEST_F_TIMEOUT(batch, max_count, TIMEOUT_S)
{
	static struct mailbox_send s[MAILBOX_BATCH_MAX];
	static struct mailbox_recv r[MAILBOX_BATCH_MAX];
	static uint16_t out[MAILBOX_BATCH_MAX], in[MAILBOX_BATCH_MAX];
	struct mailbox_batch b;
	int fd, k, bad = 0;

	fd = BOX(MAILBOX_BATCH_MAX);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++) {
		out[k] = k;
		mbt_set_send(&s[k], &out[k], sizeof(out[k]), 0);
		mbt_set_recv(&r[k], &in[k], sizeof(in[k]), 0);
	}
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, MAILBOX_BATCH_MAX, &b), &b,
			 MAILBOX_BATCH_MAX, 0);
	MBT_EXPECT_COUNTS(fd, MAILBOX_BATCH_MAX, MAILBOX_BATCH_MAX, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, MAILBOX_BATCH_MAX, &b), &b,
			 MAILBOX_BATCH_MAX, 0);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++)
		if (in[k] != k || r[k].len != sizeof(in[k]))
			bad++;
	EXPECT_EQ(0, bad);
	MBT_EXPECT_COUNTS(fd, 0, MAILBOX_BATCH_MAX, MAILBOX_BATCH_MAX);
}

/* On an empty mailbox the first entry sleeps until a message comes. */
TEST_F_TIMEOUT(batch, recv_first_entry_sleeps, TIMEOUT_S)
{
	const struct mbt_bjob job = { .recv = true, .count = 4 };
	struct mbt_env *e = &self->e;
	int fd = BOX(8);
	struct mbt_bkid *k;

	mbt_bjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);
	mbt_send_bmsg(_metadata, fd, 5);
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
	MBT_EXPECT_GOT(&k->r[0], k->data[0], mbt_bmsg(5), getpid());
	EXPECT_EQ(MBT_UNTOUCHED, k->r[1].len);
	EXPECT_EQ(MBT_UNTOUCHED, k->r[2].len);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, ((k->t_end - k->t_start) / MBT_MS));
	MBT_EXPECT_BLOCKED(fd, 0, 1);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/*
 * A receive batch asleep on an empty mailbox, a send batch of three: the
 * sleeping entry is handed the first message, the later ones take what is
 * queued when they run (all of it, as the send batch wakes the receiver
 * only when it ends), the rest stays queued. Each message arrives once,
 * in order.
 */
TEST_F_TIMEOUT(batch, send_batch_wakes_recv_batch, TIMEOUT_S)
{
	const struct mbt_bjob job = { .recv = true, .count = 4 };
	struct mbt_env *e = &self->e;
	int fd = BOX(8), n;
	MBT_ENTRIES(3);
	struct mbt_bkid *k;

	mbt_bjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);		/* asleep, not about to sleep */
	mbt_set_sends(s, 3, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 3, &b), &b, 3, 0);
	k = mbt_bjob_done(_metadata, e, 0);
	ASSERT_LE(1, k->ret);
	ASSERT_GE(3, k->ret);
	if (k->ret < 3)
		TH_LOG("the receiver ran before the send batch ended");
	EXPECT_EQ((uint32_t)k->ret, k->b.done);
	EXPECT_EQ(-EAGAIN, k->b.error);
	for (n = 0; n < k->ret; n++)
		MBT_EXPECT_GOT(&k->r[n], k->data[n], mbt_bmsg(n), getpid());
	for (; n < 3; n++)
		MBT_ASSERT_RECV(fd, 0, mbt_bmsg(n), 0);
	MBT_ASSERT_RECV(fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
}

/* On a full mailbox the first entry sleeps until there is room. */
TEST_F_TIMEOUT(batch, send_first_entry_sleeps, TIMEOUT_S)
{
	const struct mbt_bjob job = { .count = 3, .first = 2 };
	struct mbt_env *e = &self->e;
	int fd = BOX(2);
	struct mailbox_info i;
	struct mbt_bkid *k;

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	mbt_bjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, senders_waiting, 1);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	mbt_sleep_ms(MBT_SLEEP_MS);
	/* one slot: the sleeping entry's message takes it, no more */
	MBT_ASSERT_RECV(fd, 0, mbt_bmsg(0), 0);
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(1U, k->s[0].receivers);
	EXPECT_EQ(MBT_UNTOUCHED, k->s[2].receivers);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, ((k->t_end - k->t_start) / MBT_MS));
	MBT_EXPECT_MSGS(fd, mbt_bmsg(1), mbt_bmsg(2));
	MBT_EXPECT_BLOCKED(fd, 1, 0);
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
}

/*
 * A receive batch on a full mailbox with senders asleep: each receive
 * lets the oldest sleeping sender in, so one batch takes everything.
 */
TEST_F_TIMEOUT(batch, recv_lets_sleeping_senders_in, TIMEOUT_S)
{
	const struct mbt_bjob jobs[] = {
		{ .count = 1, .first = 2 }, { .count = 1, .first = 3 },
	};
	struct mbt_env *e = &self->e;
	int fd = BOX(2), k;
	MBT_ENTRIES(8);
	struct mbt_bkid *kid;

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	start_asleep(_metadata, e, jobs, 2);

	mbt_set_recvs(r, 8, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 8, &b), &b, 4, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0), getpid());
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(1), getpid());
	MBT_EXPECT_GOT(&r[2], bufs[2], mbt_bmsg(2), e->kids.slot[0]);
	MBT_EXPECT_GOT(&r[3], bufs[3], mbt_bmsg(3), e->kids.slot[1]);
	for (k = 0; k < 2; k++) {
		kid = mbt_bjob_done(_metadata, e, k);
		/* all of a one-entry batch done: error 0 */
		MBT_EXPECT_BATCH(kid->ret, &kid->b, 1, 0);
		EXPECT_EQ(1U, kid->s[0].receivers);
	}
	MBT_EXPECT_COUNTS(fd, 0, 4, 4);
}

/*
 * A first entry that may not sleep (MAILBOX_NONBLOCK, an O_NONBLOCK
 * descriptor) fails with -EAGAIN where it would: the call returns that,
 * done and error stay 0, nothing moves.
 */
TEST_F_TIMEOUT(batch, first_entry_nonblock, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	int fd = BOX(1), nfd, rdv;
	MBT_ENTRIES(2);
	struct mailbox_info i;

	mbt_set_recvs(r, 2, bufs);
	r[0].flags = MAILBOX_NONBLOCK;
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -EAGAIN, 0);
	EXPECT_EQ(MBT_UNTOUCHED, r[0].len);

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_set_sends(s, 2, 1);
	s[0].flags = MAILBOX_NONBLOCK;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -EAGAIN, 0);

	nfd = mbt_open_box(_metadata, e->names[0], MAILBOX_ACCESS_ALL,
			   O_NONBLOCK);
	mbt_set_sends(s, 2, 1);
	MBT_EXPECT_BATCH(mbt_batch(nfd, SEND, s, 2, &b), &b, -EAGAIN, 0);
	MBT_ASSERT_RECV(fd, 0, mbt_bmsg(0), 0);
	mbt_set_recvs(r, 2, bufs);
	MBT_EXPECT_BATCH(mbt_batch(nfd, RECV, r, 2, &b), &b, -EAGAIN, 0);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
	MBT_EXPECT_BLOCKED(fd, 0, 0);

	/* a rendezvous send with no receiver waiting */
	rdv = BOX(0);
	mbt_set_sends(s, 2, 1);
	s[0].flags = MAILBOX_NONBLOCK;
	MBT_EXPECT_BATCH(mbt_batch(rdv, SEND, s, 2, &b), &b, -EAGAIN, 0);
	i = mbt_info(_metadata, rdv);
	EXPECT_EQ(0U, i.sent);
	EXPECT_EQ(0U, i.send_blocked);
}

/*
 * A first entry with MAILBOX_DEADLINE: in the past it fails at once with
 * -ETIMEDOUT, else it sleeps until the deadline.
 */
TEST_F_TIMEOUT(batch, first_entry_deadline, TIMEOUT_S)
{
	int fd = BOX(1);
	MBT_ENTRIES(2);
	uint64_t t0;

	mbt_set_recvs(r, 2, bufs);
	r[0].flags = MAILBOX_DEADLINE;
	r[0].deadline_ns = 1;
	t0 = mbt_now_ns();
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_GT(MBT_SLACK_MS * MBT_MS, mbt_now_ns() - t0);
	MBT_EXPECT_BLOCKED(fd, 0, 0);

	r[0].deadline_ns = mbt_deadline_ms(MBT_SLEEP_MS);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_LE(r[0].deadline_ns, mbt_now_ns());
	EXPECT_EQ(MBT_UNTOUCHED, r[0].len);
	MBT_EXPECT_BLOCKED(fd, 0, 1);

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_set_sends(s, 2, 1);
	s[0].flags = MAILBOX_DEADLINE;
	s[0].deadline_ns = 1;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -ETIMEDOUT, 0);
	s[0].deadline_ns = mbt_deadline_ms(MBT_SLEEP_MS);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_LE(s[0].deadline_ns, mbt_now_ns());
	MBT_EXPECT_BLOCKED(fd, 1, 1);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0));
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/*
 * Later entries never sleep, whatever their flags: a delivery wait, a
 * deadline far ahead or past, all end the batch with -EAGAIN at once.
 */
TEST_F_TIMEOUT(batch, later_entries_never_sleep, TIMEOUT_S)
{
	int fd = BOX(2);
	MBT_ENTRIES(3);
	uint64_t t0 = mbt_now_ns();

	/* no receiver to wait for */
	mbt_set_sends(s, 2, 0);
	s[1].flags = MAILBOX_SEND_WAIT;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, 1, -EAGAIN);
	/* no room, with a deadline far ahead */
	mbt_set_sends(s, 3, 1);
	s[1].flags = MAILBOX_DEADLINE;
	s[1].deadline_ns = mbt_deadline_ms(MBT_BLOCK_MS);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 3, &b), &b, 1, -EAGAIN);
	EXPECT_EQ(MBT_UNTOUCHED, s[2].receivers);
	/* nothing left, deadline past: -EAGAIN, not -ETIMEDOUT */
	mbt_set_recvs(r, 3, bufs);
	r[2].flags = MAILBOX_DEADLINE;
	r[2].deadline_ns = 1;
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 3, &b), &b, 2, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0), getpid());
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(1), getpid());
	/* nothing left, deadline ahead */
	mbt_send_bmsg(_metadata, fd, 3);
	mbt_set_recvs(r, 2, bufs);
	r[1].flags = MAILBOX_DEADLINE;
	r[1].deadline_ns = mbt_deadline_ms(MBT_BLOCK_MS);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, 1, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(3), getpid());

	EXPECT_GT(MBT_SLACK_MS * MBT_MS, mbt_now_ns() - t0);
	MBT_EXPECT_BLOCKED(fd, 0, 0);
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
}

/* ---- mailboxes of every kind ------------------------------------------ */

/* One batch to the bound mailbox and to the caller's direct mailbox. */
TEST_F_TIMEOUT(batch, bound_and_direct_mixed, TIMEOUT_S)
{
	int fd = BOX(8), dfd, k;
	MBT_ENTRIES(5);

	dfd = DIRECT(8);
	mbt_set_sends(s, 5, 0);
	s[1].to_pid = getpid();
	s[3].to_pid = getpid();
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 5, &b), &b, 5, 0);
	for (k = 0; k < 5; k++)
		EXPECT_EQ(1U, s[k].receivers);
	MBT_EXPECT_COUNTS(fd, 3, 3, 0);
	MBT_EXPECT_COUNTS(dfd, 2, 2, 0);
	mbt_set_recvs(r, 3, bufs);
	MBT_EXPECT_BATCH(mbt_batch(dfd, RECV, r, 3, &b), &b, 2, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(1), getpid());
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(3), getpid());
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(2), mbt_bmsg(4));
}

/* A direct mailbox that fills up ends a batch sent by pid. */
TEST_F_TIMEOUT(batch, direct_full, TIMEOUT_S)
{
	int ufd = mbt_dev(), dfd = DIRECT(2), k;
	MBT_ENTRIES(3);

	ASSERT_LE(0, ufd);
	mbt_set_sends(s, 3, 0);
	for (k = 0; k < 3; k++)
		s[k].to_pid = getpid();
	MBT_EXPECT_BATCH(mbt_batch(ufd, SEND, s, 3, &b), &b, 2, -EAGAIN);
	MBT_EXPECT_MSGS(dfd, mbt_bmsg(0), mbt_bmsg(1));
}

/* Per-entry priorities, received highest first, FIFO within one. */
TEST_F_TIMEOUT(batch, priority_mailbox, TIMEOUT_S)
{
	static const uint32_t prio[] = { 0, 5, 31, 5, 0 };
	static const int order[] = { 2, 1, 3, 0, 4 };
	MBT_ENTRIES(8);
	int fd, k;

	fd = BOX(8, .delivery = MAILBOX_DELIVER_PRIORITY);
	mbt_set_sends(s, 6, 0);
	for (k = 0; k < 5; k++)
		s[k].priority = prio[k];
	s[5].priority = MAILBOX_PRIO_MAX + 1;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 6, &b), &b, 5, -EINVAL);
	mbt_set_recvs(r, 8, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 8, &b), &b, 5, -EAGAIN);
	for (k = 0; k < 5; k++) {
		MBT_EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(order[k]), getpid());
		EXPECT_EQ(prio[order[k]], r[k].priority);
	}
	MBT_EXPECT_COUNTS(fd, 0, 5, 5);
}

/*
 * Broadcast: every entry reaches every subscriber (entry.receivers), or
 * nobody; each subscriber's receive batch gets them in order; the slowest
 * subscriber ends a send batch; MAILBOX_SEND_WAIT is refused mid-batch.
 */
TEST_F_TIMEOUT(batch, broadcast_mailbox, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	MBT_ENTRIES(MBT_BATCH_NENT);
	int fd, sub[3], k;

	fd = BOX(8, .delivery = MAILBOX_DELIVER_BROADCAST,
		 .access = MAILBOX_ACCESS_SEND);
	/* nobody subscribed: every entry goes, to nobody */
	mbt_set_sends(s, 4, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(0U, s[k].receivers);
	MBT_EXPECT_COUNTS(fd, 0, 4, 4);

	for (k = 0; k < 3; k++) {
		sub[k] = mbt_open(e->names[0], MAILBOX_ACCESS_RECV);
		ASSERT_LE(0, sub[k]);
	}
	mbt_set_sends(s, 4, 4);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(3U, s[k].receivers);

	mbt_set_recvs(r, MBT_BATCH_NENT, bufs);
	MBT_EXPECT_BATCH(mbt_batch(sub[0], RECV, r, MBT_BATCH_NENT, &b), &b, 4,
			 -EAGAIN);
	for (k = 0; k < 4; k++)
		MBT_EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(4 + k), getpid());
	mbt_set_recvs(r, 2, bufs);
	MBT_EXPECT_BATCH(mbt_batch(sub[1], RECV, r, 2, &b), &b, 2, 0);
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(5), getpid());
	EXPECT_EQ(2U, mbt_info(_metadata, sub[1]).backlog);
	EXPECT_EQ(4U, mbt_info(_metadata, sub[2]).backlog);

	mbt_set_sends(s, 2, 8);
	s[1].flags = MAILBOX_SEND_WAIT;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, 1, -EINVAL);
	EXPECT_EQ(3U, s[0].receivers);
	/* sub[2] has 5 of 8 unread: room for 3 */
	mbt_set_sends(s, 5, 9);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 5, &b), &b, 3, -EAGAIN);
	EXPECT_EQ(MBT_UNTOUCHED, s[4].receivers);
	EXPECT_EQ(8U, mbt_info(_metadata, sub[2]).backlog);

	mbt_set_recvs(r, MBT_BATCH_NENT, bufs);
	MBT_EXPECT_BATCH(mbt_batch(sub[2], RECV, r, MBT_BATCH_NENT, &b), &b, 8,
			 -EAGAIN);
	for (k = 0; k < 8; k++)
		MBT_EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(4 + k), getpid());
	mbt_set_recvs(r, MBT_BATCH_NENT, bufs);
	MBT_EXPECT_BATCH(mbt_batch(sub[1], RECV, r, MBT_BATCH_NENT, &b), &b, 6,
			 -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(6), getpid());
	MBT_EXPECT_GOT(&r[5], bufs[5], mbt_bmsg(11), getpid());
	EXPECT_EQ(4U, mbt_info(_metadata, sub[0]).backlog);
}

/*
 * PEEK entries describe the next message without taking it, so a receive
 * after a peek gets the message the peek described.
 */
TEST_F_TIMEOUT(batch, peek_entries, TIMEOUT_S)
{
	int fd = BOX(4), k;
	MBT_ENTRIES(5);

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	mbt_set_recvs(r, 5, bufs);
	for (k = 0; k < 5; k += 2)
		mbt_set_recv(&r[k], NULL, 0, MAILBOX_RECV_PEEK);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 5, &b), &b, 4, -EAGAIN);
	EXPECT_EQ(mbt_bmsg_len(0), r[0].len);
	EXPECT_EQ(getpid(), r[0].sender_pid);
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(0), getpid());
	EXPECT_EQ(mbt_bmsg_len(1), r[2].len);
	MBT_EXPECT_GOT(&r[3], bufs[3], mbt_bmsg(1), getpid());
	EXPECT_EQ(MBT_UNTOUCHED, r[4].len);
	MBT_EXPECT_COUNTS(fd, 0, 2, 2);

	/* on an empty mailbox a first PEEK entry fails at once */
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 1, &b), &b, -EAGAIN, 0);
	/* peeks take nothing */
	mbt_send_bmsg(_metadata, fd, 2);
	for (k = 0; k < 3; k++)
		mbt_set_recv(&r[k], NULL, 0, MAILBOX_RECV_PEEK);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 3, &b), &b, 3, 0);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(mbt_bmsg_len(2), r[k].len);
	MBT_EXPECT_COUNTS(fd, 1, 3, 2);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(2));
}

/* Zero-length messages are entries like the others. */
TEST_F_TIMEOUT(batch, zero_length_entries, TIMEOUT_S)
{
	int fd = BOX(4);
	MBT_ENTRIES(4);
	struct mailbox_info i;

	mbt_set_send(&s[0], NULL, 0, 0);
	mbt_set_send(&s[1], mbt_bmsg(1), mbt_bmsg_len(1), 0);
	mbt_set_send(&s[2], NULL, 0, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 3, &b), &b, 3, 0);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(3U, i.depth);
	EXPECT_EQ(mbt_bmsg_len(1), i.bytes);
	mbt_set_recvs(r, 4, bufs);
	mbt_set_recv(&r[0], NULL, 0, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 4, &b), &b, 3, -EAGAIN);
	EXPECT_EQ(0U, r[0].len);
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(1), getpid());
	EXPECT_EQ(0U, r[2].len);
	EXPECT_EQ(0x5a, bufs[2][0]);
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
}

/*
 * Rendezvous, sender side: with nobody waiting the batch sleeps on its
 * first entry only; a receiver takes that one, and the next entry finds
 * nobody asleep: -EAGAIN. The receive batch likewise gets one message.
 */
TEST_F_TIMEOUT(batch, rendezvous_send_batch_waits, TIMEOUT_S)
{
	const struct mbt_bjob job = { .count = 3 };
	struct mbt_env *e = &self->e;
	int fd = BOX(0);
	MBT_ENTRIES(3);
	struct mailbox_info i;
	struct mbt_bkid *k;

	mbt_bjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, senders_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(1U, i.senders_waiting);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.sent);

	mbt_set_recvs(r, 3, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 3, &b), &b, 1, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0), e->kids.slot[0]);
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	EXPECT_EQ(1U, k->s[0].receivers);
	EXPECT_EQ(MBT_UNTOUCHED, k->s[2].receivers);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, ((k->t_end - k->t_start) / MBT_MS));
	MBT_ASSERT_RECV(fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/*
 * Rendezvous with receivers asleep: a send batch hands one entry to each,
 * in the order they began to wait; with senders asleep, a receive batch
 * takes one message from each.
 */
TEST_F_TIMEOUT(batch, rendezvous_sleeping_peers, TIMEOUT_S)
{
	const struct mbt_bjob rxs[] = {
		{ .recv = true, .count = 2 }, { .recv = true, .count = 2 },
		{ .recv = true, .count = 2 },
	};
	const struct mbt_bjob txs[] = {
		{ .count = 2, .first = 4 }, { .count = 2, .first = 6 },
	};
	struct mbt_env *e = &self->e;
	int fd = BOX(0), n;
	MBT_ENTRIES(4);
	struct mbt_bkid *k;

	start_asleep(_metadata, e, rxs, 3);
	mbt_set_sends(s, 4, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 4, &b), &b, 3, -EAGAIN);
	for (n = 0; n < 3; n++) {
		EXPECT_EQ(e->kids.slot[n], s[n].receiver_pid);
		EXPECT_EQ(1U, s[n].receivers);
		k = mbt_bjob_done(_metadata, e, n);
		MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
		MBT_EXPECT_GOT(&k->r[0], k->data[0], mbt_bmsg(n), getpid());
		EXPECT_EQ(MBT_UNTOUCHED, k->r[1].len);
	}
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);

	start_asleep(_metadata, e, txs, 2);
	mbt_set_recvs(r, 4, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 4, &b), &b, 2, -EAGAIN);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(4), e->kids.slot[0]);
	MBT_EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(6), e->kids.slot[1]);
	for (n = 0; n < 2; n++) {
		k = mbt_bjob_done(_metadata, e, n);
		MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
		EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	}
	MBT_EXPECT_COUNTS(fd, 0, 5, 5);
}

/*
 * Rendezvous: a later entry handed to a sleeping receiver whose copy-out
 * faults is not delivered; it ends the batch with -EAGAIN (it may not
 * wait for another receiver) and nothing stays behind.
 */
TEST_F_TIMEOUT(batch, rendezvous_copy_fault_ends_batch, TIMEOUT_S)
{
	/* the second receiver's buffer is read-only */
	const struct mbt_bjob jobs[] = {
		{ .recv = true, .count = 1 },
		{ .recv = true, .count = 1, .ro_buf = true },
	};
	struct mbt_env *e = &self->e;
	int fd = BOX(0);
	MBT_ENTRIES(3);
	struct mbt_bkid *k;

	start_asleep(_metadata, e, jobs, 2);
	mbt_set_sends(s, 3, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 3, &b), &b, 1, -EAGAIN);
	EXPECT_EQ(e->kids.slot[0], s[0].receiver_pid);
	EXPECT_EQ(MBT_UNTOUCHED, s[2].receivers);
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, 1, 0);
	MBT_EXPECT_GOT(&k->r[0], k->data[0], mbt_bmsg(0), getpid());
	k = mbt_bjob_done(_metadata, e, 1);
	MBT_EXPECT_BATCH(k->ret, &k->b, -EFAULT, 0);
	MBT_ASSERT_RECV(fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

TEST_F_TIMEOUT(intr, eintr, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	struct mbt_bkid *k;

	block_kid(_metadata, e, variant->call, MBT_HANDLER_EINTR);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGUSR1));
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, -EINTR, 0);
	EXPECT_EQ(1, mbt_sigcount());
	if (variant->call == CALL_RECV)
		EXPECT_EQ(MBT_UNTOUCHED, k->r[0].len);
	expect_nothing_moved(_metadata, e, variant->call);
}

TEST_F_TIMEOUT(intr, restart, TIMEOUT_S)
{
	/* sent and received in the end: mbt_bmsg(0) and mbt_bmsg(1), or one */
	int n = variant->call == CALL_SEND_FULL ? 2 : 1;
	struct mbt_env *e = &self->e;
	struct mbt_bkid *k;

	block_kid(_metadata, e, variant->call, MBT_HANDLER_RESTART);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGUSR1));
	MBT_ASSERT_SIGCOUNT(1);
	/* asleep again, in the restarted call */
	wait_blocked(_metadata, e, variant->call);
	if (variant->call == CALL_RECV)
		mbt_send_bmsg(_metadata, e->fd, 5);
	else
		MBT_ASSERT_RECV(e->fd, 0, mbt_bmsg(variant->call ==
						   CALL_SEND_FULL ? 0 : 1), 0);
	k = mbt_bjob_done(_metadata, e, 0);
	MBT_EXPECT_BATCH(k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(1, mbt_sigcount());
	if (variant->call == CALL_RECV)
		MBT_EXPECT_GOT(&k->r[0], k->data[0], mbt_bmsg(5), getpid());
	if (variant->call == CALL_RENDEZVOUS)
		EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	if (variant->call == CALL_SEND_FULL)
		MBT_EXPECT_MSGS(e->fd, mbt_bmsg(1));
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, n, n);
}

TEST_F_TIMEOUT(intr, kill, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;

	block_kid(_metadata, e, variant->call, MBT_NO_HANDLER);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGKILL));
	mbt_slot_killed(_metadata, &e->kids, 0);
	expect_nothing_moved(_metadata, e, variant->call);
}

TEST_HARNESS_MAIN
