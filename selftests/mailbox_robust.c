// SPDX-License-Identifier: GPL-2.0
/*
 * Robustness tests for /dev/mailbox:
 *  - failslab: every slab allocation of open(), CREATE, SEND and RECV is
 *    made to fail in turn (/proc/thread-self/fail-nth); each call fails
 *    with -ENOMEM or succeeds, and the mailbox stays consistent. Needs
 *    CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (debug kernel).
 *  - kill_blocked_random: processes blocked in RECV, in SEND on a full
 *    mailbox, in a rendezvous SEND and in a MAILBOX_SEND_WAIT SEND are
 *    SIGKILLed at random (seed from MBOX_SEED, else the time); the others
 *    must still complete, and a killed sender's message never arrives
 *    (an interrupted send takes its message back, as the uapi says).
 * (stress_8x8, 8 producers and 8 consumers under mailbox churn, is in
 * mailbox_stress.c.)
 */
#define _GNU_SOURCE
#include <sched.h>	/* and what kselftest_harness.h includes */

#include "lib/mbt.h"

#define STAGE_MS	(6 * MBT_SLACK_MS)	/* longest wait for one stage */

/* ---------------------------------------------------------------------- */

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define NR_KNOBS	4

/* Fault-injection settings changed by the failslab test, and restored. */
static const struct {
	const char *path, *value;
} knobs[NR_KNOBS] = {
	/* fail-nth only counts allocations the filters let through */
	{ FAILSLAB "ignore-gfp-wait", "N" },
	/* no message (and no stack trace) per injected failure */
	{ FAILSLAB "verbose", "0" },
	{ FAILSLAB "task-filter", "Y" },
	/* keep fail-nth off the page allocator (order > MAX_PAGE_ORDER) */
	{ FAILPAGE "min-order", "11" },
};

FIXTURE(robust) {
	struct mbt_env e;
	bool saved[NR_KNOBS];
	char old[NR_KNOBS][32];
};

FIXTURE_SETUP(robust)
{
	MBT_SETUP(&self->e, "robust");
}

/* Runs in the parent, after the test's process (and its children) died. */
FIXTURE_TEARDOWN_PARENT(robust)
{
	int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (self->saved[i])
			mbt_write_file(knobs[i].path, self->old[i], 0);
	mbt_env_cleanup(&self->e);
}

static void nth_set(int fd, unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(fd, b, len, 0) != len)
		abort();
}

static unsigned int nth_get(int fd)
{
	char b[16] = { 0 };

	if (pread(fd, b, sizeof(b) - 1, 0) <= 0)
		abort();
	return strtoul(b, NULL, 10);
}

#define FS_CAP		4
#define FS_MSGMAX	8192
#define FS_MAX_N	200u	/* more allocations than any path makes */

static void fill(uint8_t *buf, uint32_t len, unsigned int salt)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + salt * 7 + (i >> 8));
}

/* A normal send and receive through @fd, and STAT agrees. */
static void roundtrip(struct __test_metadata *_metadata, int fd)
{
	static uint8_t out[FS_MSGMAX], in[FS_MSGMAX];
	struct mailbox_info a, b;

	uint32_t len;

	ASSERT_EQ(0, mbt_stat(fd, &a));
	ASSERT_EQ(0U, a.depth);
	len = a.msg_size_max < 777 ? a.msg_size_max : 777;
	fill(out, len, 99);
	ASSERT_EQ(0, mbt_send(fd, out, len, MAILBOX_NONBLOCK, 0, NULL));
	ASSERT_EQ((int)len, mbt_recv(fd, in, sizeof(in), MAILBOX_NONBLOCK, 0,
				     NULL));
	ASSERT_EQ(0, memcmp(out, in, len));
	ASSERT_EQ(0, mbt_stat(fd, &b));
	EXPECT_EQ(a.sent + 1, b.sent);
	EXPECT_EQ(a.received + 1, b.received);
	EXPECT_EQ(0U, b.depth);
	EXPECT_EQ(0U, b.bytes);
	EXPECT_EQ(b.sent, b.received);
}

TEST_F_TIMEOUT(robust, failslab, 300)
{
	static uint8_t out[FS_MSGMAX], in[FS_MSGMAX];
	static const uint32_t sizes[] = { 16, 3000, 8192 };
	struct mailbox_info a, b;
	char name[MAILBOX_NAME_LEN];
	unsigned int n, left, injected, enomem, s;
	int nth, fd, ret, i;

	if (access(FAILSLAB "ignore-gfp-wait", W_OK) ||
	    access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no failslab or fail-nth (debug kernel only)");
	for (i = 0; i < NR_KNOBS; i++) {
		if (mbt_read_file(knobs[i].path, self->old[i],
				  sizeof(self->old[i])) < 0)
			continue;	/* fail_page_alloc may be missing */
		self->old[i][strcspn(self->old[i], "\n")] = 0;
		self->saved[i] = true;
		ASSERT_EQ(0, mbt_write_file(knobs[i].path, knobs[i].value, 0))
			TH_LOG("%s", knobs[i].path);
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth);
	fd = mbt_new_box(_metadata, &self->e, NULL,
			 MBT_BOX(.capacity = FS_CAP, .msg_size_max = FS_MSGMAX));

	/* open() of /dev/mailbox */
	for (n = 1, injected = enomem = 0; n < FS_MAX_N; n++) {
		nth_set(nth, n);
		fd = open(MBT_DEV, O_RDWR | O_CLOEXEC);
		ret = fd < 0 ? -errno : 0;
		left = nth_get(nth);
		nth_set(nth, 0);
		if (fd >= 0)
			close(fd);
		if (left) {
			ASSERT_EQ(0, ret);
			break;
		}
		injected++;
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM)
			TH_LOG("open, fail-nth %u: %s", n, strerror(-ret));
		enomem += ret == -ENOMEM;
		fd = mbt_dev();
		ASSERT_LE(0, fd);
		close(fd);
	}
	ASSERT_LT(n, FS_MAX_N);
	TH_LOG("open: %u allocations failed in turn, %u gave -ENOMEM",
	       injected, enomem);

	/* CREATE of a new mailbox */
	for (n = 1, injected = enomem = 0; n < FS_MAX_N; n++) {
		fd = mbt_dev();
		ASSERT_LE(0, fd);
		mbt_name(name, "robust-fs");
		nth_set(nth, n);
		ret = mbt_create_fd(fd, name, MAILBOX_CREATE_EXCL, 0600,
				    FS_CAP, FS_MSGMAX);
		left = nth_get(nth);
		nth_set(nth, 0);
		if (!left)
			injected++;
		if (ret < 0) {
			ASSERT_EQ(0U, left);
			ASSERT_EQ(-ENOMEM, ret) TH_LOG("fail-nth %u", n);
			enomem++;
			/* nothing created, the descriptor still unbound */
			ASSERT_EQ(-ENOENT, mbt_open(name, MAILBOX_ACCESS_ALL));
			ASSERT_EQ(-EBADFD, mbt_stat(fd, &a));
			ret = mbt_create_fd(fd, name, MAILBOX_CREATE_EXCL,
					    0600, FS_CAP, FS_MSGMAX);
		}
		ASSERT_EQ(1, ret);
		roundtrip(_metadata, fd);
		ASSERT_EQ(0, mbt_unlink(name));
		close(fd);
		if (left)
			break;
	}
	ASSERT_LT(n, FS_MAX_N);
	TH_LOG("create: %u allocations failed in turn, %u gave -ENOMEM",
	       injected, enomem);

	/* SEND of small and large messages, then RECV */
	for (s = 0; s < MBT_ARRAY_SIZE(sizes); s++) {
		uint32_t len = sizes[s];

		for (n = 1, injected = enomem = 0; n < FS_MAX_N; n++) {
			fill(out, len, n);
			ASSERT_EQ(0, mbt_stat(self->e.fd, &a));
			nth_set(nth, n);
			ret = mbt_send(self->e.fd, out, len, MAILBOX_NONBLOCK, 0,
				       NULL);
			left = nth_get(nth);
			nth_set(nth, 0);
			if (!left)
				injected++;
			ASSERT_EQ(0, mbt_stat(self->e.fd, &b));
			EXPECT_EQ(0U, b.senders_waiting);
			EXPECT_EQ(0U, b.receivers_waiting);
			if (ret < 0) {
				ASSERT_EQ(0U, left);
				ASSERT_EQ(-ENOMEM, ret)
					TH_LOG("send %u, fail-nth %u", len, n);
				enomem++;
				/* nothing half-queued */
				EXPECT_EQ(a.depth, b.depth);
				EXPECT_EQ(a.bytes, b.bytes);
				EXPECT_EQ(a.sent, b.sent);
				ASSERT_EQ(-EAGAIN,
					  mbt_recv(self->e.fd, NULL, 0,
						   MAILBOX_RECV_PEEK, 0, NULL));
			} else {
				ASSERT_EQ(0, ret);
				EXPECT_EQ(a.depth + 1, b.depth);
				EXPECT_EQ(a.bytes + len, b.bytes);
				EXPECT_EQ(a.sent + 1, b.sent);
				/* receive it, failing the n-th allocation */
				memset(in, 0, len);
				nth_set(nth, n);
				ret = mbt_recv(self->e.fd, in, sizeof(in),
					       MAILBOX_NONBLOCK, 0, NULL);
				nth_set(nth, 0);
				if (ret == -ENOMEM)	/* stays queued */
					ret = mbt_recv(self->e.fd, in, sizeof(in),
						       MAILBOX_NONBLOCK, 0,
						       NULL);
				ASSERT_EQ((int)len, ret);
				ASSERT_EQ(0, memcmp(out, in, len));
			}
			ASSERT_EQ(0, mbt_stat(self->e.fd, &b));
			EXPECT_EQ(0U, b.depth);
			EXPECT_EQ(b.sent, b.received);
			roundtrip(_metadata, self->e.fd);
			if (left)
				break;
		}
		ASSERT_LT(n, FS_MAX_N);
		TH_LOG("send %u bytes: %u allocations failed in turn, %u gave -ENOMEM",
		       len, injected, enomem);
	}
	close(nth);
}

/* ---------------------------------------------------------------------- */

#define KB_ROUNDS	10
#define KB_PER_KIND	2
#define KB_MSG		32

enum kind { K_RECV, K_FULL, K_RDV, K_WAIT, NR_KINDS };
static const char *const kind_name[NR_KINDS] = {
	"recv", "full", "rendezvous", "send-wait"
};

struct kb_child {
	const char *name;
	enum kind kind;
	int round, idx;
};

static void kb_tag(char *buf, enum kind kind, int round, int idx)
{
	memset(buf, 0, KB_MSG);
	snprintf(buf, KB_MSG, "r%d-%s-%d", round, kind_name[kind], idx);
}

static int kb_child_main(void *arg)
{
	const struct kb_child *c = arg;
	char buf[KB_MSG], want[KB_MSG];
	int fd, ret;

	fd = mbt_open(c->name, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(fd >= 0);
	if (c->kind == K_RECV) {
		ret = mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL);
		MBT_CHILD_CHECK(ret == KB_MSG);
		kb_tag(want, K_RECV, c->round, -1);
		MBT_CHILD_CHECK(!memcmp(buf, want, KB_MSG));
		return 0;
	}
	kb_tag(buf, c->kind, c->round, c->idx);
	ret = mbt_send(fd, buf, KB_MSG,
		       c->kind == K_WAIT ? MAILBOX_SEND_WAIT : 0, 0, NULL);
	MBT_CHILD_CHECK(ret == 0);
	return 0;
}

TEST_F_TIMEOUT(robust, kill_blocked_random, 240)
{
	static const uint32_t caps[NR_KINDS] = { 4, 1, 0, 4 };
	char names[NR_KINDS][MAILBOX_NAME_LEN];
	struct kb_child c[NR_KINDS][KB_PER_KIND];
	pid_t pid[NR_KINDS][KB_PER_KIND];
	bool dead[NR_KINDS][KB_PER_KIND];
	int fd[NR_KINDS], alive[NR_KINDS];
	char buf[KB_MSG], want[KB_MSG];
	struct mailbox_info info;
	struct mbt_rng r = { mbt_seed("MBOX_SEED") };
	int round, k, j, status, ret;
	uint64_t t0 = mbt_now_ns();
	unsigned int killed = 0;

	TH_LOG("MBOX_SEED=%llu", (unsigned long long)r.s);

	for (round = 0; round < KB_ROUNDS; round++) {
		for (k = 0; k < NR_KINDS; k++) {
			mbt_name(names[k], "robust-kb");
			fd[k] = mbt_create(names[k], MAILBOX_CREATE_EXCL |
					   MAILBOX_CREATE_OWNED, 0600, caps[k],
					   KB_MSG);
			ASSERT_LE(0, fd[k]);
		}
		/* the full mailbox's one message */
		kb_tag(buf, K_FULL, round, -1);
		ASSERT_EQ(0, mbt_send(fd[K_FULL], buf, KB_MSG, 0, 0, NULL));

		/* start them one at a time, so each queue's order is known */
		for (k = 0; k < NR_KINDS; k++) {
			for (j = 0; j < KB_PER_KIND; j++) {
				c[k][j] = (struct kb_child){ names[k], k, round, j };
				dead[k][j] = false;
				pid[k][j] = mbt_spawn(&self->e.kids, kb_child_main,
						      &c[k][j]);
				ASSERT_LT(0, pid[k][j]);
				if (k == K_RECV) {
					MBT_ASSERT_INFO(fd[k], receivers_waiting, j + 1);
				} else if (k == K_WAIT) {
					MBT_ASSERT_INFO(fd[k], depth, j + 1);
				} else {
					MBT_ASSERT_INFO(fd[k], senders_waiting, j + 1);
				}
			}
			alive[k] = KB_PER_KIND;
		}
		ASSERT_EQ(0, MBT_WAIT_INFO(fd[K_WAIT], senders_waiting, 0, 1));

		/* SIGKILL a random subset after random short delays */
		mbt_sleep_ms(mbt_rnd(&r, 5));
		for (k = 0; k < NR_KINDS; k++) {
			for (j = 0; j < KB_PER_KIND; j++) {
				if (mbt_chance(&r, 50))
					continue;
				if (mbt_chance(&r, 50))
					mbt_sleep_ms(mbt_rnd(&r, 3));
				ASSERT_EQ(0, kill(pid[k][j], SIGKILL));
				dead[k][j] = true;
				alive[k]--;
				killed++;
			}
		}
		for (k = 0; k < NR_KINDS; k++) {
			for (j = 0; j < KB_PER_KIND; j++) {
				if (!dead[k][j])
					continue;
				ASSERT_EQ(0, mbt_reap(&self->e.kids, pid[k][j],
						      &status, STAGE_MS));
				ASSERT_TRUE(WIFSIGNALED(status) &&
					    WTERMSIG(status) == SIGKILL)
					TH_LOG("%s %d: status %#x",
					       kind_name[k], j, status);
			}
		}

		/* the killed are gone from the mailboxes */
		MBT_ASSERT_INFO(fd[K_RECV], receivers_waiting, alive[K_RECV]);
		MBT_ASSERT_INFO(fd[K_FULL], senders_waiting, alive[K_FULL]);
		MBT_ASSERT_INFO(fd[K_RDV], senders_waiting, alive[K_RDV]);
		/* a killed SEND_WAIT sender took its queued message back */
		ASSERT_EQ(0, mbt_stat(fd[K_WAIT], &info));
		EXPECT_EQ((uint32_t)alive[K_WAIT], info.depth);
		EXPECT_EQ((uint64_t)alive[K_WAIT], info.sent);
		EXPECT_EQ(0U, info.received);
		EXPECT_EQ(0U, info.senders_waiting);

		/* satisfy the survivors */
		kb_tag(buf, K_RECV, round, -1);
		for (j = 0; j < alive[K_RECV]; j++)
			ASSERT_EQ(0, mbt_send(fd[K_RECV], buf, KB_MSG,
					      MAILBOX_DEADLINE,
					      mbt_deadline_ms(STAGE_MS), NULL));
		/* queued/offered messages come in order, killed ones never */
		for (k = K_FULL; k < NR_KINDS; k++) {
			for (j = k == K_FULL ? -1 : 0; j < KB_PER_KIND; j++) {
				if (j >= 0 && dead[k][j])
					continue;
				ret = mbt_recv(fd[k], buf, sizeof(buf),
					       MAILBOX_DEADLINE,
					       mbt_deadline_ms(STAGE_MS), NULL);
				ASSERT_EQ(KB_MSG, ret)
					TH_LOG("%s: %s", kind_name[k],
					       strerror(-ret));
				kb_tag(want, k, round, j);
				ASSERT_EQ(0, memcmp(buf, want, KB_MSG))
					TH_LOG("got %s, expected %s", buf, want);
			}
			/* nothing else: no killed sender's message shows up */
			ASSERT_EQ(-EAGAIN, mbt_recv(fd[k], buf, sizeof(buf),
						    MAILBOX_NONBLOCK, 0, NULL));
		}
		for (k = 0; k < NR_KINDS; k++) {
			for (j = 0; j < KB_PER_KIND; j++) {
				if (dead[k][j])
					continue;
				ASSERT_EQ(0, mbt_reap(&self->e.kids, pid[k][j],
						      &status, STAGE_MS))
					TH_LOG("%s %d hangs", kind_name[k], j);
				ASSERT_TRUE(WIFEXITED(status) &&
					    !WEXITSTATUS(status))
					TH_LOG("%s %d: status %#x",
					       kind_name[k], j, status);
			}
		}

		for (k = 0; k < NR_KINDS; k++) {
			ASSERT_EQ(0, mbt_stat(fd[k], &info));
			EXPECT_EQ(0U, info.receivers_waiting) TH_LOG("%s", kind_name[k]);
			EXPECT_EQ(0U, info.senders_waiting) TH_LOG("%s", kind_name[k]);
			EXPECT_EQ(0U, info.depth) TH_LOG("%s", kind_name[k]);
			EXPECT_EQ(0U, info.bytes) TH_LOG("%s", kind_name[k]);
			EXPECT_EQ(info.sent - info.received, (uint64_t)info.depth);
			EXPECT_EQ((uint64_t)alive[k] + (k == K_FULL), info.sent)
				TH_LOG("%s", kind_name[k]);
			/* and it still works */
			if (caps[k])
				roundtrip(_metadata, fd[k]);
			close(fd[k]);	/* owned: destroyed */
		}
	}
	TH_LOG("%d rounds, %u of %d blocked processes killed, %llu ms",
	       KB_ROUNDS, killed, KB_ROUNDS * NR_KINDS * KB_PER_KIND,
	       (unsigned long long)(mbt_now_ns() - t0) / 1000000);
}

TEST_HARNESS_MAIN
