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
 *  - stress_8x8: 8 producers and 8 consumers for MBOX_STRESS_SECS seconds
 *    (default 8) while another process creates, uses, unlinks and closes
 *    other mailboxes; every message arrives once, intact and in order per
 *    producer as each consumer sees it.
 */
#define _GNU_SOURCE
#include <sched.h>	/* and what kselftest_harness.h includes */
#include <stdlib.h>

#include "mailbox_test.h"

#define LIMIT_MS	60000	/* longest wait for one stage */
#define MAX_LOGGED	10

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
	pid_t owner;
	char name[MAILBOX_NAME_LEN];
	int fd;
	struct mbt_kids kids, kids2;
	void *shm;
	size_t shm_size;
	bool saved[NR_KNOBS];
	char old[NR_KNOBS][32];
};

FIXTURE_SETUP(robust)
{
	self->owner = getpid();
	self->fd = -1;
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox loaded?");
	mbt_name(self->name, "robust");
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Runs in the parent, after the test's process (and its children) died. */
FIXTURE_TEARDOWN_PARENT(robust)
{
	bool owner = self->owner == getpid();
	int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (self->saved[i])
			write_file(knobs[i].path, self->old[i]);
	if (owner) {
		mbt_kill_all(&self->kids);
		mbt_kill_all(&self->kids2);
	}
	if (self->fd >= 0)
		mbt_unlink(self->name);
	if (owner && self->fd >= 0)
		close(self->fd);
	if (owner && self->shm)
		munmap(self->shm, self->shm_size);
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
		if (read_file(knobs[i].path, self->old[i], sizeof(self->old[i])))
			continue;	/* fail_page_alloc may be missing */
		self->saved[i] = true;
		ASSERT_EQ(0, write_file(knobs[i].path, knobs[i].value))
			TH_LOG("%s", knobs[i].path);
	}
	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth);
	self->fd = mbt_create(self->name, MAILBOX_CREATE_EXCL, 0600, FS_CAP,
			      FS_MSGMAX);
	ASSERT_LE(0, self->fd);

	/* open() of /dev/mailbox */
	for (n = 1, injected = enomem = 0; n < FS_MAX_N; n++) {
		nth_set(nth, n);
		fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC);
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
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t len = sizes[s];

		for (n = 1, injected = enomem = 0; n < FS_MAX_N; n++) {
			fill(out, len, n);
			ASSERT_EQ(0, mbt_stat(self->fd, &a));
			nth_set(nth, n);
			ret = mbt_send(self->fd, out, len, MAILBOX_NONBLOCK, 0,
				       NULL);
			left = nth_get(nth);
			nth_set(nth, 0);
			if (!left)
				injected++;
			ASSERT_EQ(0, mbt_stat(self->fd, &b));
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
					  mbt_recv(self->fd, NULL, 0,
						   MAILBOX_RECV_PEEK, 0, NULL));
			} else {
				ASSERT_EQ(0, ret);
				EXPECT_EQ(a.depth + 1, b.depth);
				EXPECT_EQ(a.bytes + len, b.bytes);
				EXPECT_EQ(a.sent + 1, b.sent);
				/* receive it, failing the n-th allocation */
				memset(in, 0, len);
				nth_set(nth, n);
				ret = mbt_recv(self->fd, in, sizeof(in),
					       MAILBOX_NONBLOCK, 0, NULL);
				nth_set(nth, 0);
				if (ret == -ENOMEM)	/* stays queued */
					ret = mbt_recv(self->fd, in, sizeof(in),
						       MAILBOX_NONBLOCK, 0,
						       NULL);
				ASSERT_EQ((int)len, ret);
				ASSERT_EQ(0, memcmp(out, in, len));
			}
			ASSERT_EQ(0, mbt_stat(self->fd, &b));
			EXPECT_EQ(0U, b.depth);
			EXPECT_EQ(b.sent, b.received);
			roundtrip(_metadata, self->fd);
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

/* STAT field of @fd reaches @val, or the test fails. */
#define KB_WAIT(fd, field, val)						\
	ASSERT_EQ(0, MBT_WAIT_INFO(fd, field, val, LIMIT_MS))		\
		TH_LOG("%s: %s != %u", #fd, #field, (unsigned int)(val))

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
	unsigned int seed, killed = 0;
	const char *env = getenv("MBOX_SEED");
	int round, k, j, status, ret;
	uint64_t t0 = mbt_now_ns();

	seed = env ? strtoul(env, NULL, 0) : (unsigned int)(time(NULL) ^ getpid());
	TH_LOG("MBOX_SEED=%u", seed);
	srand(seed);

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
				pid[k][j] = mbt_spawn(&self->kids, kb_child_main,
						      &c[k][j]);
				ASSERT_LT(0, pid[k][j]);
				if (k == K_RECV) {
					KB_WAIT(fd[k], receivers_waiting, j + 1);
				} else if (k == K_WAIT) {
					KB_WAIT(fd[k], depth, j + 1);
				} else {
					KB_WAIT(fd[k], senders_waiting, j + 1);
				}
			}
			alive[k] = KB_PER_KIND;
		}
		ASSERT_EQ(0, MBT_WAIT_INFO(fd[K_WAIT], senders_waiting, 0, 1));

		/* SIGKILL a random subset after random short delays */
		mbt_sleep_ms(rand() % 5);
		for (k = 0; k < NR_KINDS; k++) {
			for (j = 0; j < KB_PER_KIND; j++) {
				if (rand() % 2)
					continue;
				if (rand() % 2)
					mbt_sleep_ms(rand() % 3);
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
				ASSERT_EQ(0, mbt_reap(&self->kids, pid[k][j],
						      &status, LIMIT_MS));
				ASSERT_TRUE(WIFSIGNALED(status) &&
					    WTERMSIG(status) == SIGKILL)
					TH_LOG("%s %d: status %#x",
					       kind_name[k], j, status);
			}
		}

		/* the killed are gone from the mailboxes */
		KB_WAIT(fd[K_RECV], receivers_waiting, alive[K_RECV]);
		KB_WAIT(fd[K_FULL], senders_waiting, alive[K_FULL]);
		KB_WAIT(fd[K_RDV], senders_waiting, alive[K_RDV]);
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
					      mbt_deadline_ms(LIMIT_MS), NULL));
		/* queued/offered messages come in order, killed ones never */
		for (k = K_FULL; k < NR_KINDS; k++) {
			for (j = k == K_FULL ? -1 : 0; j < KB_PER_KIND; j++) {
				if (j >= 0 && dead[k][j])
					continue;
				ret = mbt_recv(fd[k], buf, sizeof(buf),
					       MAILBOX_DEADLINE,
					       mbt_deadline_ms(LIMIT_MS), NULL);
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
				ASSERT_EQ(0, mbt_reap(&self->kids, pid[k][j],
						      &status, LIMIT_MS))
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

/* ---------------------------------------------------------------------- */

#define ST_PROD		8
#define ST_CONS		8
#define ST_CAP		16
#define ST_HDR		16
#define ST_MIN		16
#define ST_MAX		512
#define ST_MAXSEQ	(1u << 20)	/* per producer, far beyond any rate */
#define ST_POISON	0xffff

struct st_hdr {
	uint32_t seq;
	uint16_t producer;
	uint16_t len;
	uint32_t fnv;		/* FNV-1a of the payload after the header */
	uint32_t zero;
};

struct st_shared {
	uint64_t stop;
	uint64_t errors;
	uint64_t churn;
	uint64_t sent[ST_PROD];
	uint64_t received[ST_CONS];
	int64_t last[ST_CONS][ST_PROD];	/* per consumer: last seq seen */
	uint8_t seen[ST_PROD][ST_MAXSEQ / 8];
	uint8_t dup[ST_PROD][ST_MAXSEQ / 8];
};

struct st_worker {
	struct st_shared *sh;
	const char *name;
	int id;
};

static uint32_t fnv1a(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u, i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t st_len(unsigned int producer, uint32_t seq)
{
	uint32_t h = seq * 2654435761u ^ (producer + 1) * 40503u;

	h ^= h >> 13;
	return ST_MIN + h % (ST_MAX - ST_MIN + 1);
}

static uint8_t st_byte(unsigned int producer, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 29 + (seq >> 8) + producer * 97 + i * 11);
}

static uint32_t st_build(uint8_t *buf, unsigned int producer, uint32_t seq)
{
	uint32_t len = producer == ST_POISON ? ST_HDR : st_len(producer, seq);
	struct st_hdr h = { .seq = seq, .producer = producer, .len = len };
	uint32_t i;

	for (i = ST_HDR; i < len; i++)
		buf[i] = st_byte(producer, seq, i);
	h.fnv = fnv1a(buf + ST_HDR, len - ST_HDR);
	memcpy(buf, &h, sizeof(h));
	return len;
}

static int st_check(const uint8_t *buf, int len, struct st_hdr *h)
{
	uint32_t i;

	if (len < ST_HDR)
		return -1;
	memcpy(h, buf, sizeof(*h));
	if (h->producer == ST_POISON)
		return len == ST_HDR ? 0 : -1;
	if (h->producer >= ST_PROD || h->seq >= ST_MAXSEQ || h->zero ||
	    h->len != (uint32_t)len || (uint32_t)len != st_len(h->producer, h->seq) ||
	    h->fnv != fnv1a(buf + ST_HDR, len - ST_HDR))
		return -1;
	for (i = ST_HDR; i < (uint32_t)len; i++)
		if (buf[i] != st_byte(h->producer, h->seq, i))
			return -1;
	return 0;
}

static void st_error(struct st_shared *sh, const char *who, int id,
		     const char *what, long a, long b)
{
	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_SEQ_CST) < MAX_LOGGED)
		fprintf(stderr, "# %s %d: %s (%ld, %ld)\n", who, id, what, a, b);
}

static int st_producer(void *arg)
{
	const struct st_worker *w = arg;
	uint8_t buf[ST_MAX];
	uint32_t seq, len;
	int fd, ret;

	fd = mbt_open(w->name, MAILBOX_ACCESS_SEND);
	MBT_CHILD_CHECK(fd >= 0);
	for (seq = 0; seq < ST_MAXSEQ &&
	     !__atomic_load_n(&w->sh->stop, __ATOMIC_SEQ_CST); seq++) {
		len = st_build(buf, w->id, seq);
		/* some sends wait for delivery, to mix the paths */
		ret = mbt_send(fd, buf, len,
			       seq % 16 == 15 ? MAILBOX_SEND_WAIT : 0, 0, NULL);
		if (ret) {
			st_error(w->sh, "producer", w->id, strerror(-ret), seq, 0);
			return 1;
		}
	}
	w->sh->sent[w->id] = seq;
	close(fd);
	return 0;
}

static int st_consumer(void *arg)
{
	const struct st_worker *w = arg;
	struct st_shared *sh = w->sh;
	int64_t *last = sh->last[w->id];
	uint8_t buf[ST_MAX], bit;
	uint64_t count = 0;
	struct st_hdr h;
	int fd, ret, i;

	for (i = 0; i < ST_PROD; i++)
		last[i] = -1;
	fd = mbt_open(w->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	for (;;) {
		ret = mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL);
		if (ret < 0) {
			st_error(sh, "consumer", w->id, strerror(-ret), 0, 0);
			return 1;
		}
		if (st_check(buf, ret, &h)) {
			st_error(sh, "consumer", w->id, "damaged message",
				 h.producer, h.seq);
			continue;
		}
		if (h.producer == ST_POISON)
			break;
		bit = 1u << (h.seq % 8);
		if (__atomic_fetch_or(&sh->seen[h.producer][h.seq / 8], bit,
				      __ATOMIC_SEQ_CST) & bit) {
			__atomic_fetch_or(&sh->dup[h.producer][h.seq / 8], bit,
					  __ATOMIC_SEQ_CST);
			st_error(sh, "consumer", w->id, "duplicate",
				 h.producer, h.seq);
		}
		if ((int64_t)h.seq <= last[h.producer])
			st_error(sh, "consumer", w->id, "out of order",
				 h.producer, h.seq);
		last[h.producer] = h.seq;
		count++;
	}
	sh->received[w->id] = count;
	close(fd);
	return 0;
}

/* Create, use, unlink and close other mailboxes until told to stop. */
static int st_churn(void *arg)
{
	const struct st_worker *w = arg;
	char name[MAILBOX_NAME_LEN], buf[64];
	uint64_t n = 0;
	int a, b, ret;

	while (!__atomic_load_n(&w->sh->stop, __ATOMIC_SEQ_CST)) {
		mbt_name(name, "robust-churn");
		a = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 2, sizeof(buf));
		if (a < 0) {
			st_error(w->sh, "churn", 0, strerror(-a), n, 0);
			return 1;
		}
		b = mbt_open(name, MAILBOX_ACCESS_ALL);
		if (b < 0) {
			st_error(w->sh, "churn", 0, strerror(-b), n, 1);
			return 1;
		}
		snprintf(buf, sizeof(buf), "churn %llu", (unsigned long long)n);
		ret = mbt_send(a, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);
		if (!ret)
			ret = mbt_recv(b, buf, sizeof(buf), MAILBOX_NONBLOCK,
				       0, NULL);
		if (ret != (int)sizeof(buf)) {
			st_error(w->sh, "churn", 0, strerror(-ret), n, 2);
			return 1;
		}
		/* every other one is unlinked with a message still queued */
		if (n % 2 == 0)
			mbt_send(a, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);
		ret = mbt_unlink(name);
		if (ret) {
			st_error(w->sh, "churn", 0, strerror(-ret), n, 3);
			return 1;
		}
		close(a);
		close(b);
		n++;
	}
	w->sh->churn = n;
	return 0;
}

static void st_reap0(struct __test_metadata *_metadata, struct mbt_kids *k,
		     pid_t pid)
{
	int status = 0;

	ASSERT_EQ(0, mbt_reap(k, pid, &status, LIMIT_MS * 2))
		TH_LOG("process %d still running", pid);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(robust, stress_8x8, 300)
{
	struct st_worker pw[ST_PROD], cw[ST_CONS], chw;
	pid_t prod[ST_PROD], cons[ST_CONS], churn;
	const char *env = getenv("MBOX_STRESS_SECS");
	long secs = env ? strtol(env, NULL, 0) : 8;
	uint64_t total = 0, rcvd = 0, t0, ms;
	uint32_t missing = 0, extra = 0, dups = 0, seq;
	struct st_shared *sh;
	struct mailbox_info info;
	uint8_t poison[ST_MAX];
	int i;

	if (secs <= 0)
		secs = 8;
	self->shm_size = sizeof(*sh);
	self->shm = sh = mbt_shared(self->shm_size);
	ASSERT_TRUE(sh != NULL);
	self->fd = mbt_create(self->name, MAILBOX_CREATE_EXCL, 0600, ST_CAP,
			      ST_MAX);
	ASSERT_LE(0, self->fd);

	t0 = mbt_now_ns();
	for (i = 0; i < ST_CONS; i++) {
		cw[i] = (struct st_worker){ sh, self->name, i };
		cons[i] = mbt_spawn(&self->kids2, st_consumer, &cw[i]);
		ASSERT_LT(0, cons[i]);
	}
	for (i = 0; i < ST_PROD; i++) {
		pw[i] = (struct st_worker){ sh, self->name, i };
		prod[i] = mbt_spawn(&self->kids, st_producer, &pw[i]);
		ASSERT_LT(0, prod[i]);
	}
	chw = (struct st_worker){ sh, self->name, 0 };
	churn = mbt_spawn(&self->kids, st_churn, &chw);
	ASSERT_LT(0, churn);

	mbt_sleep_ms(secs * 1000);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < ST_PROD; i++)
		st_reap0(_metadata, &self->kids, prod[i]);
	st_reap0(_metadata, &self->kids, churn);
	for (i = 0; i < ST_PROD; i++)
		total += sh->sent[i];
	ASSERT_EQ(0, MBT_WAIT_INFO(self->fd, received, total, LIMIT_MS));
	ms = (mbt_now_ns() - t0) / 1000000;

	ASSERT_EQ(0, mbt_stat(self->fd, &info));
	EXPECT_EQ(total, info.sent);
	EXPECT_EQ(total, info.received);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(0U, info.bytes);
	EXPECT_EQ(0U, info.senders_waiting);

	for (i = 0; i < ST_CONS; i++)
		ASSERT_EQ(0, mbt_send(self->fd, poison,
				      st_build(poison, ST_POISON, i), 0, 0, NULL));
	for (i = 0; i < ST_CONS; i++)
		st_reap0(_metadata, &self->kids2, cons[i]);
	for (i = 0; i < ST_CONS; i++)
		rcvd += sh->received[i];

	for (i = 0; i < ST_PROD; i++) {
		for (seq = 0; seq < ST_MAXSEQ; seq++) {
			bool seen = sh->seen[i][seq / 8] & (1u << (seq % 8));

			dups += !!(sh->dup[i][seq / 8] & (1u << (seq % 8)));
			if (seq < sh->sent[i] && !seen && missing++ < MAX_LOGGED)
				TH_LOG("lost: producer %d seq %u", i, seq);
			if (seq >= sh->sent[i] && seen && extra++ < MAX_LOGGED)
				TH_LOG("never sent: producer %d seq %u", i, seq);
		}
	}
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, extra);
	EXPECT_EQ(0U, dups);
	EXPECT_EQ(0U, sh->errors);
	EXPECT_EQ(total, rcvd);
	ASSERT_EQ(0, mbt_stat(self->fd, &info));
	EXPECT_EQ(total + ST_CONS, info.sent);
	EXPECT_EQ(total + ST_CONS, info.received);
	EXPECT_GT(total, 0U);
	EXPECT_GT(sh->churn, 0U);
	TH_LOG("%llu messages in %llu ms (%llu/s), %llu mailboxes churned, %llu sends and %llu receives slept",
	       (unsigned long long)total, (unsigned long long)ms,
	       (unsigned long long)(total * 1000 / (ms ? ms : 1)),
	       (unsigned long long)sh->churn,
	       (unsigned long long)info.send_blocked,
	       (unsigned long long)info.recv_blocked);
}

TEST_HARNESS_MAIN
