/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks shared by the mailbox selftests that use the harness: STAT of a
 * descriptor's mailbox, its counters, and waiting for one of its fields.
 * Each takes the test's struct __test_metadata *_metadata, so this header
 * comes after kselftest_harness.h (mailbox_test.h).
 */
#ifndef MAILBOX_SELFTEST_EXPECT_H
#define MAILBOX_SELFTEST_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "mailbox_test.h"

/* STAT of @fd's mailbox into @i; the test fails if STAT does. */
static inline void info(struct __test_metadata *_metadata, int fd,
			struct mailbox_info *i)
{
	ASSERT_EQ(0, mbt_stat(fd, i));
}

/* depth, sent and received counters of @fd's mailbox, and no waiters. */
static inline void expect_counts(struct __test_metadata *_metadata, int fd,
				 uint32_t depth, uint64_t sent,
				 uint64_t received)
{
	struct mailbox_info i;

	info(_metadata, fd, &i);
	EXPECT_EQ(depth, i.depth);
	EXPECT_EQ(sent, i.sent);
	EXPECT_EQ(received, i.received);
	EXPECT_EQ(0U, i.receivers_waiting);
	EXPECT_EQ(0U, i.senders_waiting);
}

/* How many sends and receives of @fd's mailbox had to sleep. */
static inline void expect_blocked(struct __test_metadata *_metadata, int fd,
				  uint64_t sends, uint64_t recvs)
{
	struct mailbox_info i;

	info(_metadata, fd, &i);
	EXPECT_EQ(sends, i.send_blocked);
	EXPECT_EQ(recvs, i.recv_blocked);
}

/* Use through MBT_ASSERT_INFO(). */
static inline void mbt_assert_info(struct __test_metadata *_metadata, int fd,
				   size_t off, size_t size, uint64_t val,
				   const char *field, long timeout_ms)
{
	ASSERT_EQ(0, mbt_wait_info(fd, off, size, val, timeout_ms))
		TH_LOG("waiting for %s == %llu", field,
		       (unsigned long long)val);
}

/* Wait until STAT's @field of @fd's mailbox is @val, at most @timeout_ms. */
#define MBT_ASSERT_INFO(fd, field, val, timeout_ms)			\
	mbt_assert_info(_metadata, fd, offsetof(struct mailbox_info, field), \
			sizeof(((struct mailbox_info *)0)->field), val,	\
			#field, timeout_ms)

#endif /* MAILBOX_SELFTEST_EXPECT_H */
