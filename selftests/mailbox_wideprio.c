// SPDX-License-Identifier: GPL-2.0
/*
 * Wide priority mailboxes (since 1.5): MAILBOX_IOC_CREATE2 with a prio_max
 * above 31, up to MAILBOX_PRIO_MAX_WIDE. Every level distinct and ordered,
 * oldest first within one, for receive, peek, STAT's next_len, the sender
 * filter, batches, the vectored calls, messages put back by a receive
 * that faulted and messages of sleeping senders; the limits refused.
 */
#define _GNU_SOURCE

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "wide")

#define PTR(p)	((uint64_t)(uintptr_t)(p))

/* A new wide mailbox of @cap messages and highest priority @prio_max. */
static int wide_box(struct __test_metadata *_metadata, struct mbt_env *e,
		    uint32_t cap, uint32_t prio_max)
{
	const char *name = mbt_new_name(_metadata, e);
	struct mailbox_create2 c = {
		.name = PTR(name), .name_len = strlen(name),
		.flags = MAILBOX_CREATE_EXCL, .access = MAILBOX_ACCESS_ALL,
		.mode = 0600, .capacity = cap, .msg_size_max = 64,
		.delivery = MAILBOX_DELIVER_PRIORITY, .prio_max = prio_max,
	};
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_CREATE2, &c));
	return fd;
}

/* Send a message "<prio>.<seq>" with priority @prio. */
static int put(int fd, uint32_t prio, int seq)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u.%d", prio, seq);
	return mbt_send_ex(fd, 0, buf, strlen(buf), MAILBOX_NONBLOCK, 0, prio,
			   NULL);
}

/* The next message must be "<prio>.<seq>" with priority @prio. */
static bool got(int fd, int32_t from, uint32_t prio, int seq)
{
	struct mailbox_recv r;
	char buf[64], want[32];
	int ret;

	snprintf(want, sizeof(want), "%u.%d", prio, seq);
	ret = mbt_recv_from(fd, from, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r);
	if (ret < 0) {
		fprintf(stderr, "# want %s: %s\n", want, strerror(-ret));
		return false;
	}
	buf[ret] = '\0';
	if (strcmp(buf, want) || r.priority != prio) {
		fprintf(stderr, "# want %s, got %s (priority %u)\n", want, buf,
			r.priority);
		return false;
	}
	return true;
}

static const uint32_t order[] = {
	0, 32767, 31, 32, 1000, 33, 32767, 0, 1000, 16384, 31, 32, 5, 32766,
	1, 1000,
};

/* Every level distinct, the highest first, FIFO within one. */
TEST_F(mbox, ordered)
{
	int fd = wide_box(_metadata, &self->e, 64, MAILBOX_PRIO_MAX_WIDE);
	uint32_t sorted[MBT_ARRAY_SIZE(order)];
	int seq[MBT_ARRAY_SIZE(order)];
	size_t i, j, n = MBT_ARRAY_SIZE(order);
	struct mailbox_recv peek = { .flags = MAILBOX_RECV_PEEK };

	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX_WIDE), mbt_info(_metadata, fd).prio_max);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, put(fd, order[i], i));
	/* The order a receive must follow: stable sort, descending. */
	for (i = 0; i < n; i++) {
		sorted[i] = order[i];
		seq[i] = i;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && sorted[j - 1] < sorted[j]; j--) {
			uint32_t p = sorted[j];
			int s = seq[j];

			sorted[j] = sorted[j - 1];
			seq[j] = seq[j - 1];
			sorted[j - 1] = p;
			seq[j - 1] = s;
		}
	for (i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "%u.%d", sorted[i], seq[i]);
		EXPECT_EQ(strlen(want), mbt_info(_metadata, fd).next_len);
		EXPECT_EQ((int)strlen(want),
			  mbt_ioctl(fd, MAILBOX_IOC_RECV, &peek));
		EXPECT_EQ(sorted[i], peek.priority);
		EXPECT_TRUE(got(fd, 0, sorted[i], seq[i]));
	}
	MBT_EXPECT_EMPTY(fd);
}

/* The limits: prio_max, and MAILBOX_PRIO_MAX_WIDE itself. */
TEST_F(mbox, limits)
{
	int fd = wide_box(_metadata, &self->e, 8, 100);
	struct mailbox_vec_entry e = { .buf = PTR("x"), .len = 1,
				       .priority = 101 };
	struct mailbox_vec v = { .vec = PTR(&e), .count = 1,
				 .flags = MAILBOX_NONBLOCK };

	EXPECT_EQ(100U, mbt_info(_metadata, fd).prio_max);
	EXPECT_EQ(-EINVAL, put(fd, 101, 0));
	EXPECT_EQ(-EINVAL, put(fd, MAILBOX_PRIO_MAX_WIDE, 0));
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	EXPECT_EQ(0, put(fd, 100, 0));
	EXPECT_EQ(0, put(fd, 50, 1));
	EXPECT_EQ(2U, mbt_info(_metadata, fd).depth);
	EXPECT_TRUE(got(fd, 0, 100, 0));
	EXPECT_TRUE(got(fd, 0, 50, 1));
	close(fd);
	fd = wide_box(_metadata, &self->e, 8, MAILBOX_PRIO_MAX_WIDE);
	EXPECT_EQ(-EINVAL, put(fd, MAILBOX_PRIO_MAX_WIDE + 1, 0));
	EXPECT_EQ(-EINVAL, put(fd, 0xffffffff, 0));
	/* Receive priorities stay 0 to 31. */
	EXPECT_EQ(-EINVAL, mbt_set_recv_prio(fd, 32));
	EXPECT_EQ(0, mbt_set_recv_prio(fd, 31));
}

static int child_sends(void *arg)
{
	int fd = *(int *)arg;

	MBT_CHILD_CHECK(!put(fd, 100, 1));
	MBT_CHILD_CHECK(!put(fd, 32767, 2));
	MBT_CHILD_CHECK(!put(fd, 50, 3));
	MBT_CHILD_CHECK(!put(fd, 32767, 4));
	return 0;
}

/* The sender filter: the oldest of the highest priority of that sender. */
TEST_F(mbox, filter)
{
	int fd = wide_box(_metadata, &self->e, 64, MAILBOX_PRIO_MAX_WIDE);
	int status;
	pid_t pid;

	ASSERT_EQ(0, put(fd, 200, 0));
	ASSERT_EQ(0, put(fd, 40, 5));
	pid = mbt_spawn(&self->e.kids, child_sends, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, put(fd, 32767, 6));
	EXPECT_TRUE(got(fd, pid, 32767, 2));
	/* Sent after the index was built: indexed too. */
	ASSERT_EQ(0, put(fd, 32000, 7));
	EXPECT_TRUE(got(fd, getpid(), 32767, 6));
	EXPECT_TRUE(got(fd, pid, 32767, 4));
	EXPECT_TRUE(got(fd, pid, 100, 1));
	EXPECT_TRUE(got(fd, 0, 32000, 7));
	EXPECT_TRUE(got(fd, getpid(), 200, 0));
	EXPECT_TRUE(got(fd, 0, 50, 3));
	EXPECT_TRUE(got(fd, 0, 40, 5));
	MBT_EXPECT_EMPTY(fd);
}

/* The vectored calls and the batches. */
TEST_F(mbox, vec_and_batch)
{
	int fd = wide_box(_metadata, &self->e, 64, MAILBOX_PRIO_MAX_WIDE);
	static const uint32_t prios[6] = { 7, 30000, 7, 32, 30000, 0 };
	struct mailbox_vec_entry e[6];
	struct mailbox_vec v = { .vec = PTR(e), .count = 6,
				 .flags = MAILBOX_NONBLOCK };
	struct mailbox_send s[2];
	struct mailbox_recv r[3];
	struct mailbox_batch b = { .msgs = PTR(s), .count = 2 };
	char bufs[6][64], tags[6][8];
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(tags[i], sizeof(tags[i]), "v%d", i);
		e[i] = (struct mailbox_vec_entry){ .buf = PTR(tags[i]),
			.len = strlen(tags[i]), .priority = prios[i] };
	}
	ASSERT_EQ(6, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	memset(s, 0, sizeof(s));
	s[0] = (struct mailbox_send){ .buf = PTR("b0"), .len = 2,
				      .flags = MAILBOX_NONBLOCK, .priority = 31 };
	s[1] = (struct mailbox_send){ .buf = PTR("b1"), .len = 2,
				      .flags = MAILBOX_NONBLOCK, .priority = 32767 };
	ASSERT_EQ(2, mbt_ioctl(fd, MAILBOX_IOC_SEND_BATCH, &b));

	/* 32767 b1, 30000 v1 v4, 32 v3, 31 b0, 7 v0 v2, 0 v5 */
	for (i = 0; i < 3; i++)
		r[i] = (struct mailbox_recv){ .buf = PTR(bufs[i]), .size = 64,
					      .flags = MAILBOX_NONBLOCK };
	b = (struct mailbox_batch){ .msgs = PTR(r), .count = 3 };
	ASSERT_EQ(3, mbt_ioctl(fd, MAILBOX_IOC_RECV_BATCH, &b));
	EXPECT_EQ(0, memcmp(bufs[0], "b1", 2));
	EXPECT_EQ(32767U, r[0].priority);
	EXPECT_EQ(0, memcmp(bufs[1], "v1", 2));
	EXPECT_EQ(30000U, r[1].priority);
	EXPECT_EQ(0, memcmp(bufs[2], "v4", 2));
	for (i = 0; i < 5; i++)
		e[i] = (struct mailbox_vec_entry){ .buf = PTR(bufs[i]),
						   .len = 64 };
	v = (struct mailbox_vec){ .vec = PTR(e), .count = 5,
				  .flags = MAILBOX_NONBLOCK };
	ASSERT_EQ(5, mbt_ioctl(fd, MAILBOX_IOC_RECVV, &v));
	EXPECT_EQ(0, memcmp(bufs[0], "v3", 2));
	EXPECT_EQ(32U, e[0].priority);
	EXPECT_EQ(0, memcmp(bufs[1], "b0", 2));
	EXPECT_EQ(31U, e[1].priority);
	EXPECT_EQ(0, memcmp(bufs[2], "v0", 2));
	EXPECT_EQ(0, memcmp(bufs[3], "v2", 2));
	EXPECT_EQ(7U, e[3].priority);
	EXPECT_EQ(0, memcmp(bufs[4], "v5", 2));
	EXPECT_EQ(0U, e[4].priority);
	MBT_EXPECT_EMPTY(fd);
}

/* A receive whose buffer faults puts the message back first of its level. */
TEST_F(mbox, put_back)
{
	int fd = wide_box(_metadata, &self->e, 64, MAILBOX_PRIO_MAX_WIDE);
	char buf[64];

	ASSERT_EQ(0, put(fd, 700, 0));
	ASSERT_EQ(0, put(fd, 700, 1));
	ASSERT_EQ(0, put(fd, 900, 2));
	ASSERT_EQ(0, put(fd, 50, 3));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, MBT_BAD_PTR, 64, MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_TRUE(got(fd, 0, 900, 2));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, MBT_BAD_PTR, 64, MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(4U - 1, mbt_info(_metadata, fd).depth);
	EXPECT_TRUE(got(fd, 0, 700, 0));
	EXPECT_TRUE(got(fd, 0, 700, 1));
	/* Too small: -EMSGSIZE, stays. */
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_TRUE(got(fd, 0, 50, 3));
}

static int blocked_sender(void *arg)
{
	int fd = *(int *)arg;

	return mbt_send_ex(fd, 0, "30000.9", 7, MAILBOX_DEADLINE,
			   mbt_deadline_ms(MBT_BLOCK_MS), 30000, NULL) ? 1 : 0;
}

/*
 * A sleeping sender's message, higher than those queued, is queued in its
 * place among the levels once a receive makes room.
 */
TEST_F(mbox, sleeping_sender)
{
	int fd = wide_box(_metadata, &self->e, 2, MAILBOX_PRIO_MAX_WIDE);
	int status;
	pid_t pid;

	ASSERT_EQ(0, put(fd, 40, 0));
	ASSERT_EQ(0, put(fd, 20000, 1));
	pid = mbt_spawn(&self->e.kids, blocked_sender, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mbt_wait_waiters(fd, 0, 1, MBT_SLACK_MS));
	EXPECT_TRUE(got(fd, 0, 20000, 1));
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(2U, mbt_info(_metadata, fd).depth);
	EXPECT_TRUE(got(fd, 0, 30000, 9));
	ASSERT_EQ(0, put(fd, 30001, 2));
	EXPECT_EQ(-EAGAIN, put(fd, 1, 3));
	EXPECT_TRUE(got(fd, 0, 30001, 2));
	EXPECT_TRUE(got(fd, 0, 40, 0));
	MBT_EXPECT_EMPTY(fd);
}

/* A mailbox of the old 32 levels keeps them apart, as before. */
TEST_F(mbox, narrow_unchanged)
{
	int fd = mbt_box_create(mbt_new_name(_metadata, &self->e),
				&MBT_BOX(.delivery = MAILBOX_DELIVER_PRIORITY,
					 .capacity = 16));

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, 3, 0));
	ASSERT_EQ(0, put(fd, 31, 1));
	ASSERT_EQ(0, put(fd, 3, 2));
	ASSERT_EQ(0, put(fd, 0, 3));
	EXPECT_EQ(-EINVAL, put(fd, 32, 4));
	EXPECT_TRUE(got(fd, 0, 31, 1));
	EXPECT_TRUE(got(fd, 0, 3, 0));
	EXPECT_TRUE(got(fd, 0, 3, 2));
	EXPECT_TRUE(got(fd, 0, 0, 3));
	close(fd);
}

TEST_HARNESS_MAIN
