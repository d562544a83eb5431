// SPDX-License-Identifier: GPL-2.0
/*
 * Time for the selftests: CLOCK_MONOTONIC (the clock of MAILBOX_DEADLINE),
 * sleeping through signal handlers, and waiting for a STAT field. The
 * bounds themselves (MBT_SLACK_MS and the others) are in mbt.h.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include "mbt.h"

/* CLOCK_MONOTONIC now + @ms milliseconds, in ns, for MAILBOX_DEADLINE. */
uint64_t mbt_deadline_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
	       (uint64_t)ms * MBT_MS;
}

uint64_t mbt_now_ns(void)
{
	return mbt_deadline_ms(0);
}

/* Whole milliseconds since @t0_ns. */
uint64_t mbt_elapsed_ms(uint64_t t0_ns)
{
	return (mbt_now_ns() - t0_ns) / MBT_MS;
}

/* Sleep @ms milliseconds, resuming after signal handlers. */
void mbt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Poll STAT until the field at @off (@size 4 or 8 bytes) of struct
 * mailbox_info equals @val. Returns 0, -ETIMEDOUT after @timeout_ms, or
 * STAT's error. Use through MBT_WAIT_INFO().
 */
int mbt_wait_info(int fd, size_t off, size_t size, uint64_t val,
		  long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	struct mailbox_info info;
	uint64_t cur;
	uint32_t cur32;
	int ret;

	for (;;) {
		ret = mbt_stat(fd, &info);
		if (ret)
			return ret;
		if (size == sizeof(cur32)) {
			memcpy(&cur32, (char *)&info + off, sizeof(cur32));
			cur = cur32;
		} else {
			memcpy(&cur, (char *)&info + off, sizeof(cur));
		}
		if (cur == val)
			return 0;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
}

/* Wait until STAT shows @recv sleeping receivers and @send senders. */
int mbt_wait_waiters(int fd, uint32_t recv, uint32_t send, long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	struct mailbox_info info;
	int ret;

	for (;;) {
		ret = mbt_stat(fd, &info);
		if (ret)
			return ret;
		if (info.receivers_waiting == recv &&
		    info.senders_waiting == send)
			return 0;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
}
