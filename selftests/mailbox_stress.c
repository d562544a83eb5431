// SPDX-License-Identifier: GPL-2.0
/*
 * Stress tests for /dev/mailbox: producer and consumer processes move many
 * messages of varying length (8 to 256 bytes) through one mailbox. Each
 * message carries its producer's id, a sequence number, and a payload and
 * checksum derived from both, so consumers can tell a lost, duplicated,
 * reordered or damaged message. Consumers record every reception in shared
 * memory; at the end each message sent must have arrived exactly once, in
 * order per producer as seen by each consumer, none that was not sent, and
 * STAT's counters must agree.
 *
 * A plan runs either a fixed number of messages per producer or, with
 * .secs, as many as fit in that time (MBOX_STRESS_SECS overrides it), and
 * may add a process that creates, uses, unlinks and closes other
 * mailboxes meanwhile.
 */
#define _GNU_SOURCE
#include <sched.h>	/* and what kselftest_harness.h includes */

#include "lib/mbt.h"

#define MSG_MIN		8	/* the header alone */
#define MSG_LIMIT	256
#define MAX_PRODUCERS	8
#define MAX_CONSUMERS	8
#define POISON		0xffff	/* producer id of "stop" messages */
#define TIMED_MS	3	/* deadline of one timed attempt */
#define STAGE_MS	(24 * MBT_SLACK_MS)	/* longest stage of a test */
#define MAX_LOGGED	10	/* errors reported in detail */

struct hdr {
	uint32_t seq;
	uint16_t producer;
	uint16_t csum;		/* of the payload after the header */
};

/* How a process sends or receives. */
enum mode { BLOCKING, NONBLOCKING, TIMED, SEND_WAIT };

struct plan {
	uint32_t capacity;
	int producers, consumers;
	uint32_t per_producer;	/* messages each; with .secs, at most */
	long secs;		/* producers stop after this long, if > 0 */
	uint32_t wait_every;	/* every n-th send waits for delivery */
	enum mode send_mode[MAX_PRODUCERS];
	enum mode recv_mode[MAX_CONSUMERS];
	bool strict;	/* one consumer: each seq must follow the last */
	bool churn;	/* other mailboxes made and unlinked meanwhile */
};

/* Shared by all processes of a test. */
struct tally {
	uint64_t stop;
	uint64_t errors;
	uint64_t retries;
	uint64_t churn;
	uint64_t sent[MAX_PRODUCERS];
	uint64_t received[MAX_CONSUMERS];
	uint8_t seen[];		/* producers * per_producer receptions */
};

/*
 * A test's mailbox (e.fd), processes and tally: the consumers in @cons,
 * the others in e.kids (more than one list holds).
 */
struct run {
	struct mbt_env e;
	struct mbt_kids cons;
	const char *name;
	const struct plan *plan;
	struct tally *tally;
	size_t tally_size;
};

FIXTURE(stress) {
	struct run r;
};

FIXTURE_SETUP(stress)
{
	MBT_SETUP(&self->r.e, "stress");
}

/*
 * In the test's process, or in its parent after a failed ASSERT: this
 * harness skips a plain FIXTURE_TEARDOWN then at -O2. Only the former owns
 * the children (killed anyway when it dies), descriptor and mapping.
 */
FIXTURE_TEARDOWN_PARENT(stress)
{
	struct run *r = &self->r;

	if (r->e.owner == getpid()) {
		mbt_kill_all(&r->cons);
		if (r->tally)
			munmap(r->tally, r->tally_size);
	}
	mbt_env_cleanup(&r->e);
}

static uint32_t msg_len(unsigned int producer, uint32_t seq)
{
	uint32_t h = seq * 2654435761u ^ producer * 40503u;

	h ^= h >> 15;
	return MSG_MIN + h % (MSG_LIMIT - MSG_MIN + 1);
}

static uint8_t payload_byte(unsigned int producer, uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 31 + (seq >> 8) + producer * 101 + i * 7);
}

static uint16_t fletcher16(const uint8_t *p, uint32_t len)
{
	uint32_t a = 0, b = 0, i;

	for (i = 0; i < len; i++) {
		a = (a + p[i]) % 255;
		b = (b + a) % 255;
	}
	return (uint16_t)(b << 8 | a);
}

/* Message @seq of @producer into @buf; returns its length. */
static uint32_t build_msg(uint8_t *buf, unsigned int producer, uint32_t seq)
{
	uint32_t len = producer == POISON ? MSG_MIN : msg_len(producer, seq);
	struct hdr h = { .seq = seq, .producer = producer };
	uint32_t i;

	for (i = MSG_MIN; i < len; i++)
		buf[i] = payload_byte(producer, seq, i);
	h.csum = fletcher16(buf + MSG_MIN, len - MSG_MIN);
	memcpy(buf, &h, sizeof(h));
	return len;
}

/* 0 if @buf is an intact message of a producer of @p (or POISON). */
static int check_msg(const struct plan *p, const uint8_t *buf, int len,
		     struct hdr *h)
{
	uint32_t i;

	if (len < MSG_MIN)
		return -1;
	memcpy(h, buf, sizeof(*h));
	if (h->producer == POISON)
		return len == MSG_MIN ? 0 : -1;
	if (h->producer >= p->producers || h->seq >= p->per_producer ||
	    (uint32_t)len != msg_len(h->producer, h->seq) ||
	    h->csum != fletcher16(buf + MSG_MIN, len - MSG_MIN))
		return -1;
	for (i = MSG_MIN; i < (uint32_t)len; i++)
		if (buf[i] != payload_byte(h->producer, h->seq, i))
			return -1;
	return 0;
}

/*
 * One send or receive in @mode, retrying when a non-blocking attempt would
 * sleep or a timed one timed out (counted in *@retries, shared). Returns
 * what the last attempt returned.
 */
static int transfer(int fd, bool send, void *buf, uint32_t len,
		    enum mode mode, uint64_t *retries)
{
	uint32_t flags = mode == NONBLOCKING ? MAILBOX_NONBLOCK :
			 mode == TIMED ? MAILBOX_DEADLINE : 0;
	uint64_t deadline;
	int ret;

	if (send && mode == SEND_WAIT)
		flags = MAILBOX_SEND_WAIT;
	for (;;) {
		deadline = mode == TIMED ? mbt_deadline_ms(TIMED_MS) : 0;
		if (send)
			ret = mbt_send(fd, buf, len, flags, deadline, NULL);
		else
			ret = mbt_recv(fd, buf, len, flags, deadline, NULL);
		if (ret == -EAGAIN && mode == NONBLOCKING)
			sched_yield();
		else if (ret != -ETIMEDOUT || mode != TIMED)
			return ret;
		__atomic_fetch_add(retries, 1, __ATOMIC_RELAXED);
	}
}

/* Count an error in a child; describe the first few. */
static void child_error(struct tally *t, const char *who, int id,
			const char *what, long a, long b)
{
	uint64_t n = __atomic_fetch_add(&t->errors, 1, __ATOMIC_SEQ_CST);

	if (n < MAX_LOGGED)
		fprintf(stderr, "# %s %d: %s (%ld, %ld)\n", who, id, what, a,
			b);
}

/* A worker's end: its count of messages into *@slot, 0 for its status. */
static int finish(int fd, uint64_t *slot, uint64_t count)
{
	*slot = count;
	close(fd);
	return 0;
}

static bool stopped(const struct tally *t)
{
	return __atomic_load_n(&t->stop, __ATOMIC_SEQ_CST);
}

struct worker {
	struct run *run;
	int id;
};

static int producer_main(void *arg)
{
	const struct worker *w = arg;
	const struct plan *p = w->run->plan;
	struct tally *t = w->run->tally;
	enum mode mode = p->send_mode[w->id];
	uint8_t buf[MSG_LIMIT];
	uint32_t seq, len;
	int fd, ret;

	fd = mbt_open(w->run->name, MAILBOX_ACCESS_SEND);
	MBT_CHILD_CHECK(fd >= 0);
	for (seq = 0; seq < p->per_producer && !stopped(t); seq++) {
		len = build_msg(buf, w->id, seq);
		/* some sends wait for delivery, to mix the paths */
		if (p->wait_every && seq % p->wait_every == p->wait_every - 1)
			mode = SEND_WAIT;
		else
			mode = p->send_mode[w->id];
		ret = transfer(fd, true, buf, len, mode, &t->retries);
		if (ret) {
			child_error(t, "producer", w->id, strerror(-ret), seq,
				    0);
			return 1;
		}
	}
	return finish(fd, &t->sent[w->id], seq);
}

/* Receive until a POISON message, recording and checking each one. */
static int consumer_main(void *arg)
{
	const struct worker *w = arg;
	const struct plan *p = w->run->plan;
	struct tally *t = w->run->tally;
	int64_t last[MAX_PRODUCERS];
	uint64_t count = 0;
	uint8_t buf[MSG_LIMIT];
	struct hdr h;
	int fd, ret, i;

	for (i = 0; i < MAX_PRODUCERS; i++)
		last[i] = -1;
	fd = mbt_open(w->run->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	for (;;) {
		ret = transfer(fd, false, buf, sizeof(buf),
			       p->recv_mode[w->id], &t->retries);
		if (ret < 0) {
			child_error(t, "consumer", w->id, strerror(-ret), 0, 0);
			return 1;
		}
		if (check_msg(p, buf, ret, &h)) {
			child_error(t, "consumer", w->id, "damaged message",
				    h.producer, h.seq);
			continue;
		}
		if (h.producer == POISON)
			break;
		if (__atomic_fetch_add(&t->seen[h.producer * p->per_producer +
						h.seq], 1, __ATOMIC_SEQ_CST))
			child_error(t, "consumer", w->id, "duplicate",
				    h.producer, h.seq);
		if ((int64_t)h.seq <= last[h.producer] ||
		    (p->strict && h.seq != last[h.producer] + 1))
			child_error(t, "consumer", w->id, "out of order",
				    h.producer, h.seq);
		last[h.producer] = h.seq;
		count++;
	}
	return finish(fd, &t->received[w->id], count);
}

/*
 * Create, use, unlink and close other mailboxes until told to stop; every
 * other one is unlinked with a message still queued.
 */
static int churn_main(void *arg)
{
	const struct worker *w = arg;
	struct tally *t = w->run->tally;
	char name[MAILBOX_NAME_LEN], buf[64];
	uint64_t n;
	int a, b, ret;

	for (n = 0; !stopped(t); n++) {
		mbt_name(name, "stress-churn");
		a = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 2, sizeof(buf));
		b = a < 0 ? a : mbt_open(name, MAILBOX_ACCESS_ALL);
		ret = b < 0 ? b : mbt_send(a, buf, sizeof(buf),
					   MAILBOX_NONBLOCK, 0, NULL);
		if (!ret)
			ret = mbt_recv(b, buf, sizeof(buf), MAILBOX_NONBLOCK,
				       0, NULL);
		if (ret == (int)sizeof(buf) && n % 2 == 0)
			ret = mbt_send(a, buf, sizeof(buf), MAILBOX_NONBLOCK,
				       0, NULL) ?: (int)sizeof(buf);
		if (ret == (int)sizeof(buf))
			ret = mbt_unlink(name);
		if (ret) {
			child_error(t, "churn", 0, strerror(-ret), n, 0);
			return 1;
		}
		close(a);
		close(b);
	}
	t->churn = n;
	return 0;
}

static pid_t start(struct __test_metadata *_metadata, struct run *run,
		   struct mbt_kids *kids, int (*fn)(void *), int id)
{
	struct worker w = { run, id };
	pid_t pid = mbt_spawn(kids, fn, &w);

	ASSERT_LT(0, pid);
	return pid;
}

static void expect_exit0(struct __test_metadata *_metadata,
			 struct mbt_kids *kids, pid_t pid)
{
	int status = 0;

	ASSERT_EQ(0, mbt_reap(kids, pid, &status, STAGE_MS))
		TH_LOG("process %d still running", pid);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* Every message sent received exactly once, none that was not sent. */
static void expect_all_seen(struct __test_metadata *_metadata,
			    const struct plan *p, const struct tally *t)
{
	uint32_t missing = 0, extra = 0, dups = 0, seq;
	uint64_t sent = 0, sum = 0;
	const uint8_t *seen;
	int c;

	for (c = 0; c < p->producers; c++) {
		seen = t->seen + (size_t)c * p->per_producer;
		for (seq = 0; seq < p->per_producer; seq++) {
			if (seq < t->sent[c] && !seen[seq] &&
			    missing++ < MAX_LOGGED)
				TH_LOG("lost: producer %d seq %u", c, seq);
			if (seq >= t->sent[c] && seen[seq] &&
			    extra++ < MAX_LOGGED)
				TH_LOG("never sent: producer %d seq %u", c,
				       seq);
			dups += seen[seq] > 1;
		}
		sent += t->sent[c];
	}
	for (c = 0; c < p->consumers; c++)
		sum += t->received[c];
	EXPECT_EQ(0U, missing);
	EXPECT_EQ(0U, extra);
	EXPECT_EQ(0U, dups);
	EXPECT_EQ(0U, t->errors);
	EXPECT_EQ(sent, sum);
	EXPECT_LT(0U, sent);
	if (!p->secs)
		EXPECT_EQ((uint64_t)p->producers * p->per_producer, sent);
	if (p->churn)
		EXPECT_LT(0U, t->churn);
}

/* Run @p on the fixture's mailbox and check the outcome. */
static void run_plan(struct __test_metadata *_metadata, struct run *run,
		     const struct plan *p)
{
	uint64_t cells = (uint64_t)p->producers * p->per_producer;
	pid_t cons[MAX_CONSUMERS], prod[MAX_PRODUCERS], churn = 0;
	uint8_t poison[MSG_LIMIT];
	struct mailbox_info i;
	uint64_t total = 0, t0, ms;
	long secs = mbt_env_ul("MBOX_STRESS_SECS", p->secs);
	int fd, k;

	if (secs <= 0)
		secs = p->secs;
	ASSERT_LE(p->producers, MAX_PRODUCERS);
	ASSERT_LE(p->consumers, MAX_CONSUMERS);
	run->plan = p;
	run->tally_size = sizeof(*run->tally) + cells;
	run->tally = mbt_shared(run->tally_size);
	ASSERT_TRUE(run->tally != NULL);
	fd = mbt_new_box(_metadata, &run->e, &run->name,
			 MBT_BOX(.capacity = p->capacity,
				 .msg_size_max = MSG_LIMIT));

	t0 = mbt_now_ns();
	for (k = 0; k < p->consumers; k++)
		cons[k] = start(_metadata, run, &run->cons, consumer_main,
				k);
	for (k = 0; k < p->producers; k++)
		prod[k] = start(_metadata, run, &run->e.kids, producer_main,
				k);
	if (p->churn)
		churn = start(_metadata, run, &run->e.kids, churn_main, 0);
	if (p->secs > 0) {
		mbt_sleep_ms(secs * 1000);
		__atomic_store_n(&run->tally->stop, 1, __ATOMIC_SEQ_CST);
	}
	for (k = 0; k < p->producers; k++)
		expect_exit0(_metadata, &run->e.kids, prod[k]);
	if (churn)
		expect_exit0(_metadata, &run->e.kids, churn);
	for (k = 0; k < p->producers; k++)
		total += run->tally->sent[k];
	ASSERT_EQ(0, MBT_WAIT_INFO(fd, received, total, STAGE_MS));
	ms = (mbt_now_ns() - t0) / 1000000;

	ASSERT_EQ(0, mbt_stat(fd, &i));
	EXPECT_EQ(total, i.sent);
	EXPECT_EQ(total, i.received);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(0U, i.senders_waiting);

	/* one stop message per consumer, queued after everything else */
	for (k = 0; k < p->consumers; k++)
		ASSERT_EQ(0, mbt_send(fd, poison,
				      build_msg(poison, POISON, k), 0, 0,
				      NULL));
	for (k = 0; k < p->consumers; k++)
		expect_exit0(_metadata, &run->cons, cons[k]);
	expect_all_seen(_metadata, p, run->tally);
	ASSERT_EQ(0, mbt_stat(fd, &i));
	EXPECT_EQ(total + p->consumers, i.received);
	TH_LOG("%llu messages in %llu ms (%llu/s), %llu retries, %llu mailboxes churned, %llu sends and %llu receives slept",
	       (unsigned long long)total, (unsigned long long)ms,
	       (unsigned long long)(total * 1000 / (ms ? ms : 1)),
	       (unsigned long long)run->tally->retries,
	       (unsigned long long)run->tally->churn,
	       (unsigned long long)i.send_blocked,
	       (unsigned long long)i.recv_blocked);
}

/* One producer, one consumer, a buffered mailbox. */
TEST_F_TIMEOUT(stress, pipeline_100k, 300)
{
	static const struct plan p = {
		.capacity = 64, .producers = 1, .consumers = 1,
		.per_producer = 100000, .strict = true,
	};

	run_plan(_metadata, &self->r, &p);
}

/* One producer, one consumer, every message a rendezvous. */
TEST_F_TIMEOUT(stress, rendezvous_10k, 300)
{
	static const struct plan p = {
		.capacity = 0, .producers = 1, .consumers = 1,
		.per_producer = 10000, .strict = true,
	};

	run_plan(_metadata, &self->r, &p);
}

/* Four producers and four consumers on one mailbox. */
TEST_F_TIMEOUT(stress, four_by_four, 300)
{
	static const struct plan p = {
		.capacity = 16, .producers = 4, .consumers = 4,
		.per_producer = 10000,
	};

	run_plan(_metadata, &self->r, &p);
}

/* Blocking, non-blocking, timed and delivery-waiting calls mixed. */
TEST_F_TIMEOUT(stress, mixed_modes, 300)
{
	static const struct plan p = {
		.capacity = 4, .producers = 4, .consumers = 3,
		.per_producer = 5000,
		.send_mode = { BLOCKING, NONBLOCKING, TIMED, SEND_WAIT },
		.recv_mode = { BLOCKING, NONBLOCKING, TIMED },
	};

	run_plan(_metadata, &self->r, &p);
}

/*
 * Eight producers (every 16th send waiting for delivery) and eight
 * consumers for MBOX_STRESS_SECS seconds (default 8), while another
 * process creates, uses, unlinks and closes other mailboxes.
 */
TEST_F_TIMEOUT(stress, stress_8x8, 300)
{
	static const struct plan p = {
		.capacity = 16, .producers = 8, .consumers = 8,
		.per_producer = 1u << 20, .secs = 8, .wait_every = 16,
		.churn = true,
	};

	run_plan(_metadata, &self->r, &p);
}

TEST_HARNESS_MAIN
