// SPDX-License-Identifier: GPL-2.0
/*
 * MAILBOX_IOC_SEND_BATCH and MAILBOX_IOC_RECV_BATCH refusing what they
 * must: a bad struct mailbox_batch (count, flags, done, error, reserved),
 * entries or a batch that cannot be read or written, an unbound descriptor
 * or one without the access, the first entry's errors (the call's, nothing
 * moved), and a later entry's error, which ends the batch after the
 * entries before it.
 *
 * The batches that work are in mailbox_batch.c.
 */
#define _GNU_SOURCE
#include "lib/mbt.h"

#define MSG_MAX		128	/* msg_size_max of the mailboxes */
#define TIMEOUT_S	120	/* per test (slow emulation) */

#define SEND		MAILBOX_IOC_SEND_BATCH
#define RECV		MAILBOX_IOC_RECV_BATCH

/* A new mailbox of @cap messages, the first self->e.fd. */
#define BOX(cap)							\
	mbt_new_box(_metadata, &self->e, NULL,				\
		    MBT_BOX(.capacity = (cap), .msg_size_max = MSG_MAX))

MBT_BATCH_FIXTURE(batch)

/* A struct mailbox_batch the kernel must refuse with -EINVAL. */
static const struct mailbox_batch bad_batches[] = {
	{ .count = 0 },
	{ .count = MAILBOX_BATCH_MAX + 1 },
	{ .count = UINT32_MAX },
	{ .count = 1, .flags = 1 },
	{ .count = 1, .flags = 0x80000000 },
	{ .count = 1, .done = 1 },
	{ .count = 1, .error = -EAGAIN },
	{ .count = 1, .reserved = { 1, 0 } },
	{ .count = 1, .reserved = { 0, 1ULL << 63 } },
};

/* Bad count, flags, done, error or reserved: -EINVAL, nothing moved. */
TEST_F_TIMEOUT(batch, invalid_batch, TIMEOUT_S)
{
	int fd = BOX(4);
	MBT_ENTRIES(1);
	size_t i;

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_set_sends(s, 1, 1);
	mbt_set_recvs(r, 1, bufs);
	for (i = 0; i < ARRAY_SIZE(bad_batches); i++) {
		b = bad_batches[i];
		b.msgs = (uintptr_t)s;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, SEND, &b))
			TH_LOG("send batch %zu", i);
		b = bad_batches[i];
		b.msgs = (uintptr_t)r;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, RECV, &b))
			TH_LOG("receive batch %zu", i);
	}
	EXPECT_EQ(MBT_UNTOUCHED, s[0].receivers);
	EXPECT_EQ(MBT_UNTOUCHED, r[0].len);
	MBT_EXPECT_COUNTS(fd, 1, 1, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0));
}

/*
 * Entries that cannot be read, or read but not written: -EFAULT and
 * nothing moved. A receive whose entry cannot take the results leaves the
 * message queued.
 */
TEST_F_TIMEOUT(batch, bad_entries_pointer, TIMEOUT_S)
{
	int fd = BOX(4);
	const uint64_t bad[] = {
		0, 1, (uintptr_t)self->pg.none,
		(uintptr_t)(self->pg.none - 8), MBT_KERNEL_PTR,
	};
	MBT_ENTRIES(1);
	size_t i;

	mbt_send_bmsg(_metadata, fd, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&b, 0, sizeof(b));
		b.msgs = bad[i];
		b.count = 1;
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND, &b))
			TH_LOG("msgs %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(0U, b.done);
		EXPECT_EQ(0, b.error);
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV, &b))
			TH_LOG("msgs %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(0U, b.done);
		EXPECT_EQ(0, b.error);
	}
	mbt_set_sends(s, 1, 1);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND,
				   mbt_ro(_metadata, &self->pg, s,
					  sizeof(s)), 1,
				   &b), &b, -EFAULT, 0);
	mbt_set_recvs(r, 1, bufs);
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV,
				   mbt_ro(_metadata, &self->pg, r,
					  sizeof(r)), 1,
				   &b), &b, -EFAULT, 0);
	MBT_EXPECT_COUNTS(fd, 1, 1, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0));
}

/*
 * The batch structure itself unreadable, or readable but not writable
 * (done and error could not be stored): -EFAULT, nothing moved.
 */
TEST_F_TIMEOUT(batch, bad_batch_pointer, TIMEOUT_S)
{
	int fd = BOX(4);
	void *const bad[] = {
		NULL, (void *)1, self->pg.none, self->pg.none - 8,
		(void *)(uintptr_t)MBT_KERNEL_PTR,
	};
	MBT_ENTRIES(1);
	size_t i;

	mbt_send_bmsg(_metadata, fd, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND, bad[i]))
			TH_LOG("batch at %p", bad[i]);
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV, bad[i]))
			TH_LOG("batch at %p", bad[i]);
	}
	mbt_set_sends(s, 1, 1);
	memset(&b, 0, sizeof(b));
	b.msgs = (uintptr_t)s;
	b.count = 1;
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND,
				     mbt_ro(_metadata, &self->pg, &b,
					    sizeof(b))));
	EXPECT_EQ(MBT_UNTOUCHED, s[0].receivers);
	mbt_set_recvs(r, 1, bufs);
	b.msgs = (uintptr_t)r;
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV,
				     mbt_ro(_metadata, &self->pg, &b,
					    sizeof(b))));
	EXPECT_EQ(MBT_UNTOUCHED, r[0].len);
	MBT_EXPECT_COUNTS(fd, 1, 1, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0));
}

/*
 * An unbound descriptor: receive batches fail with -EBADFD, and so do
 * send entries for the bound mailbox; entries by pid go.
 */
TEST_F_TIMEOUT(batch, unbound_descriptor, TIMEOUT_S)
{
	int ufd = mbt_dev(), dfd;
	MBT_ENTRIES(2);

	ASSERT_LE(0, ufd);
	mbt_set_recvs(r, 1, bufs);
	MBT_EXPECT_BATCH(mbt_batch(ufd, RECV, r, 1, &b), &b, -EBADFD, 0);
	mbt_set_sends(s, 2, 0);
	MBT_EXPECT_BATCH(mbt_batch(ufd, SEND, s, 2, &b), &b, -EBADFD, 0);

	dfd = mbt_my_direct(_metadata, 8, MSG_MAX,
			    MAILBOX_DELIVER_QUEUE);
	mbt_set_sends(s, 2, 0);
	s[0].to_pid = getpid();
	s[1].to_pid = getpid();
	MBT_EXPECT_BATCH(mbt_batch(ufd, SEND, s, 2, &b), &b, 2, 0);
	EXPECT_EQ(1U, s[0].receivers);
	EXPECT_EQ(1U, s[1].receivers);
	/* a to_pid 0 entry after one by pid ends the batch */
	mbt_set_sends(s, 2, 2);
	s[0].to_pid = getpid();
	MBT_EXPECT_BATCH(mbt_batch(ufd, SEND, s, 2, &b), &b, 1, -EBADFD);
	MBT_EXPECT_MSGS(dfd, mbt_bmsg(0), mbt_bmsg(1), mbt_bmsg(2));
	MBT_EXPECT_COUNTS(dfd, 0, 3, 3);
}

/*
 * Access: a receive batch needs MAILBOX_ACCESS_RECV, send entries for the
 * bound mailbox MAILBOX_ACCESS_SEND (-EBADF); entries by pid need neither.
 */
TEST_F_TIMEOUT(batch, descriptor_access, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	int fd = BOX(4), sfd, rfd, dfd;
	MBT_ENTRIES(2);

	sfd = mbt_open(e->names[0], MAILBOX_ACCESS_SEND);
	ASSERT_LE(0, sfd);
	rfd = mbt_open(e->names[0], MAILBOX_ACCESS_RECV);
	ASSERT_LE(0, rfd);
	dfd = mbt_my_direct(_metadata, 8, MSG_MAX,
			    MAILBOX_DELIVER_QUEUE);
	mbt_send_bmsg(_metadata, fd, 0);

	mbt_set_recvs(r, 1, bufs);
	MBT_EXPECT_BATCH(mbt_batch(sfd, RECV, r, 1, &b), &b, -EBADF, 0);
	mbt_set_sends(s, 2, 1);
	MBT_EXPECT_BATCH(mbt_batch(rfd, SEND, s, 2, &b), &b, -EBADF, 0);
	mbt_set_sends(s, 2, 1);
	s[0].to_pid = getpid();
	MBT_EXPECT_BATCH(mbt_batch(rfd, SEND, s, 2, &b), &b, 1, -EBADF);
	mbt_set_recvs(r, 1, bufs);
	MBT_EXPECT_BATCH(mbt_batch(rfd, RECV, r, 1, &b), &b, 1, 0);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0), getpid());
	MBT_EXPECT_MSGS(dfd, mbt_bmsg(1));
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/*
 * The first entry's errors are the call's, as the single call would
 * return them, and nothing moves.
 */
TEST_F_TIMEOUT(batch, first_entry_errors, TIMEOUT_S)
{
	int fd = BOX(4);
	MBT_ENTRIES(2);

	mbt_set_sends(s, 2, 0);
	mbt_set_send(&s[0], self->pg.rw, MSG_MAX + 1, 0);
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -EMSGSIZE, 0);
	mbt_set_sends(s, 2, 0);
	s[0].flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -EINVAL, 0);
	mbt_set_sends(s, 2, 0);
	s[0].buf = (uintptr_t)self->pg.none;
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -EFAULT, 0);
	mbt_set_sends(s, 2, 0);
	s[0].to_pid = getppid();	/* has no direct mailbox */
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 2, &b), &b, -ESRCH, 0);
	MBT_EXPECT_COUNTS(fd, 0, 0, 0);

	mbt_send_bmsg(_metadata, fd, 3);
	mbt_set_recvs(r, 2, bufs);
	r[0].size = mbt_bmsg_len(3) - 1;
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -EMSGSIZE, 0);
	EXPECT_EQ(mbt_bmsg_len(3), r[0].len);
	EXPECT_EQ(MBT_UNTOUCHED, r[1].len);
	mbt_set_recvs(r, 2, bufs);
	r[0].buf = (uintptr_t)self->pg.none;
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -EFAULT, 0);
	mbt_set_recvs(r, 2, bufs);
	r[0].reserved0 = 1;
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 2, &b), &b, -EINVAL, 0);
	MBT_EXPECT_COUNTS(fd, 1, 1, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(3));
}

/* ---- an entry's error ends the batch ---------------------------------- */

/* Where a spoiled entry's buffer lies, when it is not the message's. */
enum { BUF_KEEP, BUF_FAULTS, BUF_READONLY };

/* How a variant spoils its entry, besides the fields it sets (SPOIL()). */
struct spoil {
	int error;		/* the entry's, and the batch's */
	bool straddle;		/* lies across the end of readable memory */
	int buf;		/* BUF_* */
	bool parent;		/* to_pid or from_pid: getppid() */
};

/*
 * Entry @e of @s spoiled as @v says: its nonzero fields in @set replace
 * the entry's, its buffer moved to a page that faults or is read-only,
 * its pid the parent's (alive, no direct mailbox, sends nothing).
 */
#define SPOIL(v, e, pg) do {						\
	mbt_overlay(e, &(v)->set, sizeof(*(e)));			\
	if ((v)->how.buf == BUF_FAULTS)					\
		(e)->buf = (uintptr_t)(pg)->none;			\
	if ((v)->how.buf == BUF_READONLY)				\
		(e)->buf = (uintptr_t)(pg)->ro;				\
} while (0)

/*
 * Entry 2 of 4 sends wrongly, as spoiled by the variant; or, with
 * @straddle, it lies across the end of the readable memory. The batch
 * returns 2 with that entry's error, and exactly two messages are queued.
 */
MBT_BATCH_FIXTURE(send_err)

FIXTURE_VARIANT(send_err) {
	struct spoil how;
	struct mailbox_send set;
};

FIXTURE_VARIANT_ADD(send_err, too_long) {
	.how.error = -EMSGSIZE, .set.len = MSG_MAX + 1 };
FIXTURE_VARIANT_ADD(send_err, reserved) {
	.how.error = -EINVAL, .set.reserved = { 0, 1 } };
FIXTURE_VARIANT_ADD(send_err, unknown_flag) {
	.how.error = -EINVAL, .set.flags = 0x100 };
FIXTURE_VARIANT_ADD(send_err, nonblock_and_deadline) {
	.how.error = -EINVAL, .set = { .flags = MAILBOX_NONBLOCK |
		MAILBOX_DEADLINE, .deadline_ns = INT64_MAX } };
FIXTURE_VARIANT_ADD(send_err, deadline_too_big) {
	.how.error = -EINVAL, .set = { .flags = MAILBOX_DEADLINE,
		.deadline_ns = (uint64_t)INT64_MAX + 1 } };
/* not a priority mailbox */
FIXTURE_VARIANT_ADD(send_err, priority_on_queue) {
	.how.error = -EINVAL, .set.priority = 1 };
FIXTURE_VARIANT_ADD(send_err, unreadable_buf) {
	.how.error = -EFAULT, .how.buf = BUF_FAULTS };
FIXTURE_VARIANT_ADD(send_err, negative_to_pid) {
	.how.error = -EINVAL, .set.to_pid = -1 };
FIXTURE_VARIANT_ADD(send_err, no_direct_mailbox) {
	.how.error = -ESRCH, .how.parent = true };
FIXTURE_VARIANT_ADD(send_err, entry_unreadable) {
	.how.error = -EFAULT, .how.straddle = true };

TEST_F_TIMEOUT(send_err, entry_2_of_4, TIMEOUT_S)
{
	int fd = BOX(8);
	struct mailbox_send local[4], *s = local;
	struct mailbox_batch b;

	if (variant->how.straddle) {
		/* entries 0 and 1 readable, 2 only in its first 8 bytes */
		s = (struct mailbox_send *)(self->pg.none - 8 - 2 * sizeof(*s));
		mbt_set_sends(s, 2, 0);
	} else {
		mbt_set_sends(s, 4, 0);
		SPOIL(variant, &s[2], &self->pg);
		if (variant->how.parent)
			s[2].to_pid = getppid();
	}
	MBT_EXPECT_BATCH(mbt_batch(fd, SEND, s, 4, &b), &b, 2,
			 variant->how.error);
	EXPECT_EQ(1U, s[0].receivers);
	EXPECT_EQ(1U, s[1].receivers);
	if (!variant->how.straddle)
		EXPECT_EQ(MBT_UNTOUCHED, s[3].receivers);
	MBT_EXPECT_COUNTS(fd, 2, 2, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(1));
}

/*
 * Entry 1 of 3 receives wrongly, as spoiled by the variant, or lies
 * across the end of the readable memory: the batch returns 1 with its
 * error, and the message it did not get stays first in the mailbox.
 */
MBT_BATCH_FIXTURE(recv_err)

FIXTURE_VARIANT(recv_err) {
	struct spoil how;
	struct mailbox_recv set;
};

/* mbt_bmsg(1) is 3 bytes */
FIXTURE_VARIANT_ADD(recv_err, buffer_too_small) {
	.how.error = -EMSGSIZE, .set.size = 2 };
FIXTURE_VARIANT_ADD(recv_err, buffer_unwritable) {
	.how.error = -EFAULT, .how.buf = BUF_FAULTS };
FIXTURE_VARIANT_ADD(recv_err, buffer_readonly) {
	.how.error = -EFAULT, .how.buf = BUF_READONLY };
FIXTURE_VARIANT_ADD(recv_err, reserved0) {
	.how.error = -EINVAL, .set.reserved0 = 1 };
FIXTURE_VARIANT_ADD(recv_err, reserved) {
	.how.error = -EINVAL, .set.reserved = { 0, 1ULL << 63 } };
FIXTURE_VARIANT_ADD(recv_err, unknown_flag) {
	.how.error = -EINVAL, .set.flags = 0x100 };
FIXTURE_VARIANT_ADD(recv_err, peek_with_buffer) {
	.how.error = -EINVAL, .set.flags = MAILBOX_RECV_PEEK };
FIXTURE_VARIANT_ADD(recv_err, negative_from_pid) {
	.how.error = -EINVAL, .set.from_pid = -1 };
/* would have to sleep for a message from that process */
FIXTURE_VARIANT_ADD(recv_err, from_pid_sent_nothing) {
	.how.error = -EAGAIN, .how.parent = true };
FIXTURE_VARIANT_ADD(recv_err, entry_unreadable) {
	.how.error = -EFAULT, .how.straddle = true };

TEST_F_TIMEOUT(recv_err, entry_1_of_3, TIMEOUT_S)
{
	int fd = BOX(8), k;
	struct mailbox_recv local[3], *r = local;
	char bufs[3][MBT_BATCH_BUF];
	struct mailbox_batch b;

	for (k = 0; k < 3; k++)
		mbt_send_bmsg(_metadata, fd, k);
	if (variant->how.straddle) {
		/* entry 0 readable, 1 only in its first 8 bytes */
		r = (struct mailbox_recv *)(self->pg.none - 8 - sizeof(*r));
		mbt_set_recvs(r, 1, bufs);
	} else {
		mbt_set_recvs(r, 3, bufs);
		SPOIL(variant, &r[1], &self->pg);
		if (variant->how.parent)
			r[1].from_pid = getppid();
	}
	MBT_EXPECT_BATCH(mbt_batch(fd, RECV, r, 3, &b), &b, 1,
			 variant->how.error);
	MBT_EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0), getpid());
	if (variant->how.error == -EMSGSIZE)
		EXPECT_EQ(mbt_bmsg_len(1), r[1].len);
	if (!variant->how.straddle)
		EXPECT_EQ(MBT_UNTOUCHED, r[2].len);
	MBT_EXPECT_COUNTS(fd, 2, 3, 1);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(1), mbt_bmsg(2));
}

TEST_HARNESS_MAIN
