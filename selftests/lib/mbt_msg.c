// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the delivery tests: strings sent with every field of the
 * call at hand, and numbered messages, whose receiver can tell which one
 * it got and that it arrived whole, with a small pseudo-random generator
 * to vary them (the ordering tests of priority and broadcast delivery).
 */
#define _GNU_SOURCE
#define MBT_LIB
#include "mbt.h"

/* The next number of the xorshift32 sequence in *@s (never 0). */
uint32_t mbt_xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* The length of message @seq: 4 to 32 bytes. */
static int mbt_seq_len(uint32_t seq)
{
	return 4 + seq % 29;
}

/* Message @seq into @buf: the number, then filler. Its length. */
int mbt_seq_msg(char *buf, uint32_t seq)
{
	int len = mbt_seq_len(seq), i;

	memcpy(buf, &seq, 4);
	for (i = 4; i < len; i++)
		buf[i] = (char)(seq * 7 + i);
	return len;
}

/* The number of a message made by mbt_seq_msg() (@len bytes), or -1. */
int64_t mbt_msg_seq(const char *buf, int len)
{
	uint32_t seq;
	int i;

	if (len < 4)
		return -1;
	memcpy(&seq, buf, 4);
	if (len != mbt_seq_len(seq))
		return -1;
	for (i = 4; i < len; i++)
		if (buf[i] != (char)(seq * 7 + i))
			return -1;
	return seq;
}

/*
 * Send message @seq on @fd with @flags and @priority; with
 * MAILBOX_DEADLINE, a deadline MBT_BLOCK_MS away. SEND's result.
 */
int mbt_send_seq(int fd, uint32_t seq, uint32_t flags, uint32_t priority,
		 struct mailbox_send *out)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(MBT_BLOCK_MS) : 0;
	char buf[32];
	int len = mbt_seq_msg(buf, seq);

	return mbt_send_ex(fd, 0, buf, len, flags, deadline, priority, out);
}

/*
 * SEND_TO process @pid the string @s without its NUL; with
 * MAILBOX_DEADLINE, a deadline MBT_BLOCK_MS away. SEND_TO's result.
 */
int mbt_sendto_str(int fd, int32_t pid, const char *s, uint32_t flags)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(MBT_BLOCK_MS) : 0;

	return mbt_send_to(fd, pid, s, strlen(s), flags, deadline, NULL);
}

/* As mbt_send_str(), but MBT_BLOCK_MS, and *@out gets the structure. */
int mbt_send_str_out(int fd, const char *s, uint32_t flags,
		     struct mailbox_send *out)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(MBT_BLOCK_MS) : 0;

	return mbt_send_ex(fd, 0, s, strlen(s), flags, deadline, 0, out);
}
