// SPDX-License-Identifier: GPL-2.0
/*
 * Deadlines by CLOCK_REALTIME (since 1.5): MAILBOX_DEADLINE_REALTIME with
 * MAILBOX_DEADLINE in send, receive and the batches' entries,
 * MAILBOX_VEC_DEADLINE_REALTIME in the vectored calls. The deadline is
 * read by CLOCK_REALTIME, not CLOCK_MONOTONIC; a past one fails only a
 * call that would sleep; the sleep follows clock_settime().
 */
#define _GNU_SOURCE

#include <pthread.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "rt")

#define PTR(p)	((uint64_t)(uintptr_t)(p))
#define RT	(MAILBOX_DEADLINE | MAILBOX_DEADLINE_REALTIME)

static uint64_t rt_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
	       (uint64_t)ms * MBT_MS;
}

/*
 * A realtime deadline 300 ms away: a receive sleeps that long, not the
 * decades CLOCK_MONOTONIC would take to reach the same number.
 */
TEST_F(mbox, recv_times_out)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 4, 64);
	uint64_t t0 = mbt_now_ns();
	char buf[64];

	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, sizeof(buf), RT, rt_ms(300),
				       NULL));
	EXPECT_LE(250U, mbt_elapsed_ms(t0));
	EXPECT_GT(MBT_SLACK_MS, mbt_elapsed_ms(t0));
}

/*
 * A monotonic time a few seconds ahead is long past as a realtime one:
 * -ETIMEDOUT at once for a call that would sleep, success for one that
 * need not.
 */
TEST_F(mbox, past_deadline)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 1, 64);
	uint64_t past = mbt_deadline_ms(5000);
	uint64_t t0 = mbt_now_ns();
	char buf[64];

	ASSERT_LT(past, rt_ms(0)) TH_LOG("CLOCK_REALTIME before the monotonic one");
	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, sizeof(buf), RT, past, NULL));
	EXPECT_EQ(0, mbt_send(fd, "a", 1, RT, past, NULL));
	EXPECT_EQ(-ETIMEDOUT, mbt_send(fd, "b", 1, RT, past, NULL));
	EXPECT_EQ(1, mbt_recv(fd, buf, sizeof(buf), RT, past, NULL));
	EXPECT_GT(1000U, mbt_elapsed_ms(t0));
	/* A realtime deadline in 1 s lets a send on a full mailbox sleep. */
	EXPECT_EQ(0, mbt_send(fd, "c", 1, RT, rt_ms(1000), NULL));
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_send(fd, "d", 1, RT, rt_ms(300), NULL));
	EXPECT_LE(250U, mbt_elapsed_ms(t0));
	EXPECT_EQ(1U, mbt_info(_metadata, fd).depth);
}

/* The flag needs MAILBOX_DEADLINE; NONBLOCK with a deadline stays wrong. */
TEST_F(mbox, flag_checks)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 4, 64);
	struct mailbox_recv r = { .flags = MAILBOX_RECV_PEEK |
					   MAILBOX_DEADLINE_REALTIME };
	char buf[64];

	EXPECT_EQ(-EINVAL, mbt_send(fd, "a", 1, MAILBOX_DEADLINE_REALTIME, 0,
				    NULL));
	EXPECT_EQ(-EINVAL, mbt_send(fd, "a", 1, MAILBOX_DEADLINE_REALTIME,
				    rt_ms(100), NULL));
	EXPECT_EQ(-EINVAL, mbt_send(fd, "a", 1, MAILBOX_DEADLINE_REALTIME |
				    MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EINVAL, mbt_send(fd, "a", 1, RT | MAILBOX_NONBLOCK,
				    rt_ms(100), NULL));
	EXPECT_EQ(-EINVAL, mbt_recv(fd, buf, sizeof(buf),
				    MAILBOX_DEADLINE_REALTIME, rt_ms(100), NULL));
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_RECV, &r));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	/* The old flags still work as they did. */
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_DEADLINE,
			      mbt_deadline_ms(100), NULL));
	EXPECT_EQ(1, mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(100), NULL));
}

struct waiter {
	int fd;
	uint64_t deadline;
	int ret;
};

static void *recv_thread(void *arg)
{
	struct waiter *w = arg;
	char buf[64];

	w->ret = mbt_recv(w->fd, buf, sizeof(buf), RT, w->deadline, NULL);
	return NULL;
}

/* A message sent before the deadline wakes the sleeping receiver. */
TEST_F(mbox, woken_before_deadline)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 4, 64);
	struct waiter w = { .fd = fd, .deadline = rt_ms(MBT_BLOCK_MS) };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, recv_thread, &w));
	ASSERT_EQ(0, mbt_wait_waiters(fd, 1, 0, MBT_SLACK_MS));
	EXPECT_EQ(0, mbt_send(fd, "hi", 2, 0, 0, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(2, w.ret);
}

/*
 * clock_settime() forward past the deadline ends the sleep at once, as it
 * does mq_timedreceive()'s.
 */
TEST_F(mbox, follows_clock_settime)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 4, 64);
	struct waiter w = { .fd = fd, .deadline = rt_ms(60000) };
	struct timespec ts;
	uint64_t t0;
	pthread_t t;

	MBT_REQUIRE_ROOT();
	ASSERT_EQ(0, pthread_create(&t, NULL, recv_thread, &w));
	ASSERT_EQ(0, mbt_wait_waiters(fd, 1, 0, MBT_SLACK_MS));
	t0 = mbt_now_ns();
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &ts));
	ts.tv_sec += 120;
	ASSERT_EQ(0, clock_settime(CLOCK_REALTIME, &ts));
	pthread_join(t, NULL);
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &ts));
	ts.tv_sec -= 120;
	clock_settime(CLOCK_REALTIME, &ts);
	EXPECT_EQ(-ETIMEDOUT, w.ret);
	EXPECT_GT(MBT_SLACK_MS, mbt_elapsed_ms(t0));
}

/* The vectored calls' own flag, and the batches' entries. */
TEST_F(mbox, vec_and_batch)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 1, 64);
	char buf[64];
	struct mailbox_vec_entry e = { .buf = PTR(buf), .len = sizeof(buf) };
	struct mailbox_vec v = {
		.vec = PTR(&e), .count = 1,
		.flags = MAILBOX_DEADLINE | MAILBOX_VEC_DEADLINE_REALTIME,
	};
	struct mailbox_recv r = { .buf = PTR(buf), .size = sizeof(buf),
				  .flags = RT };
	struct mailbox_batch b = { .msgs = PTR(&r), .count = 1 };
	uint64_t t0;

	v.deadline_ns = rt_ms(300);
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_ioctl(fd, MAILBOX_IOC_RECVV, &v));
	EXPECT_LE(250U, mbt_elapsed_ms(t0));
	EXPECT_GT(MBT_SLACK_MS, mbt_elapsed_ms(t0));
	/* Past: at once. */
	v.deadline_ns = mbt_deadline_ms(5000);
	EXPECT_EQ(-ETIMEDOUT, mbt_ioctl(fd, MAILBOX_IOC_RECVV, &v));
	/* Without MAILBOX_DEADLINE, or 0x10 (META) on a send: -EINVAL. */
	v.flags = MAILBOX_VEC_DEADLINE_REALTIME;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_RECVV, &v));
	v.flags = MAILBOX_DEADLINE | MAILBOX_DEADLINE_REALTIME;
	v.deadline_ns = rt_ms(300);
	e.len = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	v.flags = MAILBOX_DEADLINE | MAILBOX_VEC_DEADLINE_REALTIME;
	EXPECT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	/* Full: the second sleeps until the realtime deadline. */
	v.done = 0;
	v.error = 0;
	v.deadline_ns = rt_ms(300);
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	EXPECT_LE(250U, mbt_elapsed_ms(t0));

	/* A receive batch's entry takes the flag too. */
	r.deadline_ns = rt_ms(300);
	EXPECT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_RECV_BATCH, &b));
	EXPECT_EQ(1U, r.len);
	r.deadline_ns = rt_ms(300);
	b.done = 0;
	b.error = 0;
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_ioctl(fd, MAILBOX_IOC_RECV_BATCH, &b));
	EXPECT_LE(250U, mbt_elapsed_ms(t0));
}

TEST_HARNESS_MAIN
