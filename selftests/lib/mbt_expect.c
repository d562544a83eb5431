// SPDX-License-Identifier: GPL-2.0
/*
 * Checks shared by the selftests. Each returns whether what it found is
 * what was expected and, if not, logs the difference as the harness does
 * ("# ..." on stderr); mbt.h wraps them in EXPECT/ASSERT for the tests.
 * They also serve in children, which cannot use the harness.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include "mbt.h"

/* Log "@what: expected @want, got @got" and return false if they differ. */
static bool mbt_same(const char *what, uint64_t want, uint64_t got)
{
	if (want == got)
		return true;
	fprintf(stderr, "# %s: expected %llu, got %llu\n", what,
		(unsigned long long)want, (unsigned long long)got);
	return false;
}

/* STAT of @fd into @i; logs and returns false if it fails. */
static bool mbt_stat_logged(int fd, struct mailbox_info *i)
{
	int ret = mbt_stat(fd, i);

	if (ret)
		fprintf(stderr, "# STAT: %s\n", strerror(-ret));
	return !ret;
}

/* A field of @w, unless MBT_ANY, is @got. */
#define MBT_SAME(w, i, field)						\
	((w)->field == MBT_ANY || mbt_same(#field, (w)->field, (i).field))

/* STAT of @fd's mailbox says what @w says, for each field @w names. */
bool mbt_info_is(int fd, const struct mbt_want *w)
{
	struct mailbox_info i;
	bool ok;

	if (!mbt_stat_logged(fd, &i))
		return false;
	ok = MBT_SAME(w, i, depth);
	ok &= MBT_SAME(w, i, bytes);
	ok &= MBT_SAME(w, i, next_len);
	ok &= MBT_SAME(w, i, sent);
	ok &= MBT_SAME(w, i, received);
	ok &= MBT_SAME(w, i, send_blocked);
	ok &= MBT_SAME(w, i, recv_blocked);
	ok &= MBT_SAME(w, i, senders_waiting);
	ok &= MBT_SAME(w, i, receivers_waiting);
	return ok;
}

/* depth, sent and received counters of @fd's mailbox, and no waiters. */
bool mbt_counts_are(int fd, uint32_t depth, uint64_t sent, uint64_t received)
{
	return mbt_info_is(fd, &MBT_WANT(.depth = depth, .sent = sent,
					 .received = received,
					 .senders_waiting = 0,
					 .receivers_waiting = 0));
}

/* How many sends and receives of @fd's mailbox had to sleep. */
bool mbt_blocked_are(int fd, uint64_t sends, uint64_t recvs)
{
	return mbt_info_is(fd, &MBT_WANT(.send_blocked = sends,
					 .recv_blocked = recvs));
}

/*
 * A receive that returned @ret with metadata @m into @data got exactly the
 * string @want (without its NUL).
 */
bool mbt_msg_is(int ret, const struct mailbox_recv *m, const char *data,
		const char *want)
{
	int len = strlen(want);

	if (ret == len && m->len == (uint32_t)len && !memcmp(data, want, len))
		return true;
	fprintf(stderr, "# expected \"%s\", got %d (%s), len %u\n", want, ret,
		ret < 0 ? strerror(-ret) : "data", m->len);
	return false;
}

/*
 * Receive from @fd (only what @from sent, unless 0), sleeping at most
 * @timeout_ms (0: not at all). The message must be @want; with @want NULL,
 * there must be none (-EAGAIN, or -ETIMEDOUT after sleeping). The
 * metadata goes to *@out if given.
 */
bool mbt_recv_is(int fd, int32_t from, const char *want, long timeout_ms,
		 struct mailbox_recv *out)
{
	uint32_t flags = timeout_ms ? MAILBOX_DEADLINE : MAILBOX_NONBLOCK;
	uint64_t deadline = timeout_ms ? mbt_deadline_ms(timeout_ms) : 0;
	int none = timeout_ms ? -ETIMEDOUT : -EAGAIN;
	struct mailbox_recv m;
	char buf[1024];
	int ret;

	ret = mbt_recv_from(fd, from, buf, sizeof(buf), flags, deadline, &m);
	if (out)
		*out = m;
	if (!want) {
		if (ret == none)
			return true;
		fprintf(stderr, "# expected no message (%s), got %d\n",
			strerror(-none), ret);
		return false;
	}
	return mbt_msg_is(ret, &m, buf, want);
}

/*
 * Send @msg (NULL: receive) on @fd with @flags and a deadline @ms ahead:
 * the call sleeps until the deadline, not MBT_SLACK_MS more, and fails
 * with -ETIMEDOUT.
 */
bool mbt_times_out(int fd, const char *msg, uint32_t flags, long ms)
{
	uint64_t t0 = mbt_now_ns(), deadline = t0 + ms * MBT_MS, t;
	char buf[MBT_OP_BUF];
	int ret;

	flags |= MAILBOX_DEADLINE;
	if (msg)
		ret = mbt_send(fd, msg, strlen(msg), flags, deadline, NULL);
	else
		ret = mbt_recv(fd, buf, sizeof(buf), flags, deadline, NULL);
	t = mbt_now_ns() - t0;
	if (ret == -ETIMEDOUT && t >= ms * MBT_MS &&
	    t < (ms + MBT_SLACK_MS) * MBT_MS)
		return true;
	fprintf(stderr, "# expected -ETIMEDOUT after %ld ms, got %d after %llu ms\n",
		ms, ret, (unsigned long long)(t / MBT_MS));
	return false;
}

/* Fill @buf with @len bytes of a pattern that depends on @seed. */
void mbt_fill(void *buf, size_t len, unsigned int seed)
{
	char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

/* Set the field @fc describes in the argument structure @arg. */
void mbt_set_field(void *arg, const struct mbt_field *fc)
{
	uint32_t v32 = fc->val;

	if (fc->size == sizeof(uint32_t))
		memcpy((char *)arg + fc->off, &v32, sizeof(v32));
	else if (fc->size == sizeof(uint64_t))
		memcpy((char *)arg + fc->off, &fc->val, sizeof(fc->val));
}
