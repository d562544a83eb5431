// SPDX-License-Identifier: GPL-2.0
/*
 * A deep wide priority mailbox: 65,536 messages (or capacity_limit) queued
 * with increasing, decreasing and random priorities from 0 to 32767, and a
 * mix of sends and receives, all received in the exact order a stable sort
 * by priority gives (highest first, oldest first within one). The order
 * is asserted, never the time: the cost of a deep queue is the
 * benchmark's business.
 */
#define _GNU_SOURCE

#include <stdlib.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "wdepth")

#define PTR(p)		((uint64_t)(uintptr_t)(p))
#define DEPTH		65536U
#define TIMEOUT_S	900

/* What a message carries: its priority and its place in the sending order. */
struct tag {
	uint32_t prio;
	uint32_t seq;
};

/* How many messages a test queues: DEPTH, or capacity_limit if lower. */
static uint32_t depth(void)
{
	unsigned long limit = mbt_param_or("capacity_limit", DEPTH);

	return limit < DEPTH ? limit : DEPTH;
}

/* A new wide mailbox of @cap messages, priorities up to 32767. */
static int wide_box(struct __test_metadata *_metadata, struct mbt_env *e,
		    uint32_t cap)
{
	const char *name = mbt_new_name(_metadata, e);
	struct mailbox_create2 c = {
		.name = PTR(name), .name_len = strlen(name),
		.flags = MAILBOX_CREATE_EXCL, .access = MAILBOX_ACCESS_ALL,
		.mode = 0600, .capacity = cap, .msg_size_max = 64,
		.delivery = MAILBOX_DELIVER_PRIORITY,
		.prio_max = MAILBOX_PRIO_MAX_WIDE,
	};
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_CREATE2, &c));
	return fd;
}

/* Highest priority first, then the oldest: the order of a receive. */
static int by_order(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int send_tag(int fd, const struct tag *t)
{
	return mbt_send_ex(fd, 0, t, sizeof(*t), MAILBOX_NONBLOCK, 0, t->prio,
			   NULL);
}

/* Receive @n messages, which must be @want[0..n), in that order. */
static bool recv_all(int fd, const struct tag *want, uint32_t n)
{
	struct mailbox_recv r;
	struct tag got;
	uint32_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = mbt_recv_from(fd, 0, &got, sizeof(got), MAILBOX_NONBLOCK,
				    0, &r);
		if (ret != sizeof(got)) {
			fprintf(stderr, "# message %u: %d\n", i, ret);
			return false;
		}
		if (got.prio != want[i].prio || got.seq != want[i].seq ||
		    r.priority != want[i].prio) {
			fprintf(stderr,
				"# message %u: want %u.%u, got %u.%u (priority %u)\n",
				i, want[i].prio, want[i].seq, got.prio,
				got.seq, r.priority);
			return false;
		}
	}
	return true;
}

/*
 * Send @t[0..n) in order (filling the mailbox when @full), then expect
 * them back in a stable sort's order.
 */
static void send_sorted(struct __test_metadata *_metadata, int fd,
			struct tag *t, uint32_t n, bool full)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, send_tag(fd, &t[i])) TH_LOG("send %u", i);
	if (full)
		EXPECT_EQ(-EAGAIN, send_tag(fd, &t[0]));
	qsort(t, n, sizeof(*t), by_order);
	EXPECT_TRUE(recv_all(fd, t, n));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, t, sizeof(*t), MAILBOX_NONBLOCK, 0,
				    NULL));
}

/* A fixed pseudo-random sequence (a 32-bit LCG): the same every run. */
static uint32_t next_rand(uint32_t *state)
{
	*state = *state * 1664525U + 1013904223U;
	return *state >> 8;
}

/* Increasing priorities: each send goes after all that are queued. */
TEST_F_TIMEOUT(mbox, increasing, TIMEOUT_S)
{
	uint32_t i, n = depth();
	struct tag *t = calloc(n, sizeof(*t));
	int fd;

	ASSERT_TRUE(t != NULL);
	fd = wide_box(_metadata, &self->e, n);
	for (i = 0; i < n; i++)
		t[i] = (struct tag){ (uint64_t)i * 32768 / n, i };
	send_sorted(_metadata, fd, t, n, true);
	free(t);
}

/* Decreasing priorities: each send goes before all that are queued. */
TEST_F_TIMEOUT(mbox, decreasing, TIMEOUT_S)
{
	uint32_t i, n = depth();
	struct tag *t = calloc(n, sizeof(*t));
	int fd;

	ASSERT_TRUE(t != NULL);
	fd = wide_box(_metadata, &self->e, n);
	for (i = 0; i < n; i++)
		t[i] = (struct tag){ 32767 - (uint64_t)i * 32768 / n, i };
	send_sorted(_metadata, fd, t, n, true);
	free(t);
}

/* Random priorities over the whole range, many levels shared. */
TEST_F_TIMEOUT(mbox, random, TIMEOUT_S)
{
	uint32_t i, n = depth(), state = 1;
	struct tag *t = calloc(n, sizeof(*t));
	int fd;

	ASSERT_TRUE(t != NULL);
	fd = wide_box(_metadata, &self->e, n);
	for (i = 0; i < n; i++)
		t[i] = (struct tag){ next_rand(&state) % 32768, i };
	send_sorted(_metadata, fd, t, n, true);
	free(t);
}

/*
 * Sends and receives mixed: the queue half full of random priorities,
 * a quarter received, as many sent again over fewer levels (levels
 * emptied, refilled and made anew), everything received in order; then
 * the same mailbox used again from empty.
 */
TEST_F_TIMEOUT(mbox, mixed, TIMEOUT_S)
{
	uint32_t i, n = depth() / 2, k = n / 2, state = 7, total;
	struct tag *t = calloc(2 * n, sizeof(*t));
	int fd;

	ASSERT_TRUE(t != NULL);
	fd = wide_box(_metadata, &self->e, 2 * n);
	for (i = 0; i < n; i++) {
		t[i] = (struct tag){ next_rand(&state) % 32768, i };
		ASSERT_EQ(0, send_tag(fd, &t[i])) TH_LOG("send %u", i);
	}
	qsort(t, n, sizeof(*t), by_order);
	ASSERT_TRUE(recv_all(fd, t, k));
	/* The k received leave; k new ones join the n - k still queued. */
	memmove(t, t + k, (n - k) * sizeof(*t));
	total = n;
	for (i = n - k; i < n; i++, total++) {
		t[i] = (struct tag){ next_rand(&state) % 512 * 64, total };
		ASSERT_EQ(0, send_tag(fd, &t[i])) TH_LOG("send %u", total);
	}
	qsort(t, n, sizeof(*t), by_order);
	EXPECT_TRUE(recv_all(fd, t, n));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, t, sizeof(*t), MAILBOX_NONBLOCK, 0,
				    NULL));
	/* Empty again: every level gone; a few sends start over. */
	for (i = 0; i < 3; i++)
		t[i] = (struct tag){ 100 * (i % 2), total + i };
	send_sorted(_metadata, fd, t, 3, false);
	free(t);
}

TEST_HARNESS_MAIN
