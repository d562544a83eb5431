// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz test for /dev/mailbox, continued from mailbox_fuzz.c: a thread
 * creates (sometimes owned), opens, unlinks and closes mailboxes of a few
 * names into shared descriptor slots, while two others send, receive,
 * batch and STAT without blocking on whatever the slots hold, and the
 * test reads the list of mailboxes meanwhile: every entry must parse and
 * be consistent, every call return >= 0 or a documented errno, and once
 * idle STAT and the list must agree with themselves. MBOX_FUZZ_SEED=N
 * replays the threads' choices (not their interleaving).
 */
#define _GNU_SOURCE
#include <sched.h>	/* and what kselftest_harness.h includes */

#include "lib/mbt.h"

#define MSG_MAX		256	/* msg_size_max of the mailboxes */

/* The seed, prefix, slots and bad results the threads share. */
static struct mbt_fuzz M;

FIXTURE(fuzz_churn) {
};

FIXTURE_SETUP(fuzz_churn)
{
	ASSERT_EQ(0, mbt_fuzz_init(&M, "MBOX_FUZZ_SEED", 0));
	if (access(MBT_DEV, F_OK))
		SKIP(return, MBT_DEV " missing: is kmailbox.ko loaded?");
	TH_LOG("seed %u (replay with MBOX_FUZZ_SEED=%u)", M.seed, M.seed);
	/* the list of mailboxes must be readable */
	ASSERT_LE(0, mbt_states_sane(0));
}

FIXTURE_TEARDOWN(fuzz_churn)
{
	mbt_fuzz_close_slots(&M);
	/* Unlink whatever the test created (names under its prefix). */
	mbt_unlink_prefix(M.prefix, 64);
}

#define CHURN_NAMES	4
#define CHURN_SLOTS	8

struct churn {
	volatile int stop;
	int tid;
	unsigned long ops;
};

static void churn_name(struct mbt_rng *r, char *name)
{
	snprintf(name, MAILBOX_NAME_LEN, "%sc%u", M.prefix, mbt_rnd(r, CHURN_NAMES));
}

/* Creates, opens, unlinks and closes. */
static void *churner(void *p)
{
	struct churn *c = p;
	struct mbt_rng r = { M.seed ^ 0xc0ffee };
	char name[MAILBOX_NAME_LEN];
	int fd, old, ret;

	while (!c->stop) {
		uint32_t slot = mbt_rnd(&r, CHURN_SLOTS);

		churn_name(&r, name);
		c->ops++;
		switch (mbt_rnd(&r, 4)) {
		case 0:		/* create (sometimes owned) into a slot */
		case 1:		/* open into a slot */
			fd = mbt_dev();
			if (fd < 0) {
				mbt_complain(&M, "open " MBT_DEV ": %s", strerror(-fd));
				break;
			}
			if (mbt_rnd(&r, 4) == 0) {
				struct mailbox_open o;

				memset(&o, 0, sizeof(o));
				strcpy(o.name, name);
				o.access = 1 + mbt_rnd(&r, 3);
				ret = ioctl(fd, MAILBOX_IOC_OPEN, &o);
				mbt_check_ret(&M, "OPEN", 0, ret);
			} else {
				struct mailbox_create cr;

				memset(&cr, 0, sizeof(cr));
				strcpy(cr.name, name);
				cr.access = MAILBOX_ACCESS_ALL;
				cr.flags = mbt_rnd(&r, 4) == 0 ? MAILBOX_CREATE_OWNED : 0;
				cr.mode = 0600;
				cr.capacity = mbt_rnd(&r, 3) ? 1 + mbt_rnd(&r, 8) : 0;
				cr.msg_size_max = MSG_MAX;
				cr.delivery = mbt_rnd(&r, 3);
				if (!cr.capacity)	/* no broadcast rendezvous */
					cr.delivery %= MAILBOX_DELIVER_BROADCAST;
				ret = ioctl(fd, MAILBOX_IOC_CREATE, &cr);
				mbt_check_ret(&M, "CREATE", 0, ret);
			}
			old = __atomic_exchange_n(&M.slot[slot], fd, __ATOMIC_SEQ_CST);
			if (old >= 0)
				close(old);
			break;
		case 2:
			ret = mbt_unlink(name);
			if (ret < 0 && ret != -ENOENT)
				mbt_complain(&M, "churn UNLINK %s: %s", name, strerror(-ret));
			break;
		default:	/* close a slot */
			old = __atomic_exchange_n(&M.slot[slot], -1, __ATOMIC_SEQ_CST);
			if (old >= 0)
				close(old);
			break;
		}
	}
	return NULL;
}

/*
 * A well-formed non-blocking send or receive batch of 1 to 4 messages on
 * @fd, through @buf. Complains if what it reports is inconsistent.
 */
static void traffic_batch(struct mbt_rng *r, int tid, int fd, char *buf)
{
	struct mailbox_send s[4];
	struct mailbox_recv rv[4];
	struct mailbox_batch b, in;
	bool recv = mbt_chance(r, 50);
	const char *why;
	uint32_t i;
	int ret;

	memset(s, 0, sizeof(s));
	memset(rv, 0, sizeof(rv));
	memset(&b, 0, sizeof(b));
	b.count = 1 + mbt_rnd(r, 4);
	b.msgs = recv ? (uintptr_t)rv : (uintptr_t)s;
	for (i = 0; i < b.count; i++) {
		s[i].buf = (uintptr_t)buf;
		s[i].len = mbt_rnd(r, MSG_MAX + 1);
		s[i].flags = MAILBOX_NONBLOCK;
		rv[i].buf = (uintptr_t)buf;
		rv[i].size = MSG_MAX;
		rv[i].flags = MAILBOX_NONBLOCK;
	}
	in = b;
	ret = ioctl(fd, recv ? MAILBOX_IOC_RECV_BATCH : MAILBOX_IOC_SEND_BATCH,
		    &b);
	mbt_check_ret(&M, recv ? "RECV_BATCH" : "SEND_BATCH", tid, ret);
	why = mbt_batch_bad(ret < 0 ? -errno : ret, &in, &b, recv);
	if (why)
		mbt_complain(&M, "churn thread %d: batch of %u returned %d: %s", tid,
			 in.count, ret, why);
}

/* Sends and receives without blocking on whatever the slots hold. */
static void *trafficker(void *p)
{
	struct churn *c = p;
	struct mbt_rng r = { M.seed ^ (0xbeef + c->tid) };
	char buf[MSG_MAX];
	struct mailbox_info st;
	int fd, ret;

	memset(buf, 'x', sizeof(buf));
	while (!c->stop) {
		fd = __atomic_load_n(&M.slot[mbt_rnd(&r, CHURN_SLOTS)], __ATOMIC_RELAXED);
		c->ops++;
		switch (mbt_rnd(&r, 6)) {
		case 0: case 1:
			ret = ioctl(fd, MAILBOX_IOC_SEND, &(struct mailbox_send){
				.buf = (uintptr_t)buf, .len = mbt_rnd(&r, MSG_MAX + 1),
				.flags = MAILBOX_NONBLOCK });
			mbt_check_ret(&M, "SEND", c->tid, ret);
			break;
		case 2: case 3:
			ret = ioctl(fd, MAILBOX_IOC_RECV, &(struct mailbox_recv){
				.buf = (uintptr_t)buf, .size = sizeof(buf),
				.flags = mbt_rnd(&r, 4) ? MAILBOX_NONBLOCK :
					 MAILBOX_RECV_PEEK });
			mbt_check_ret(&M, "RECV", c->tid, ret);
			break;
		case 4:
			traffic_batch(&r, c->tid, fd, buf);
			break;
		default:
			ret = ioctl(fd, MAILBOX_IOC_STAT, &st);
			mbt_check_ret(&M, "STAT", c->tid, ret);
			break;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(fuzz_churn, unlink_churn, 120)
{
	struct churn c[3];
	pthread_t t[3];
	uint64_t end = mbt_deadline_ms(5000);
	unsigned long scans = 0;
	int i, bad = 0, ret;

	memset(c, 0, sizeof(c));
	for (i = 0; i < 3; i++) {
		c[i].tid = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, i ? trafficker : churner,
					    &c[i]));
	}
	/* Meanwhile, every mailbox listed must parse and be consistent. */
	while (mbt_now_ns() < end) {
		ret = mbt_states_sane(MBT_FUZZ_THREADS);
		if (ret)
			bad++;
		scans++;
		mbt_sleep_ms(20);
	}
	for (i = 0; i < 3; i++)
		c[i].stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	TH_LOG("churn %lu ops, traffic %lu + %lu ops, %lu list scans",
	       c[0].ops, c[1].ops, c[2].ops, scans);
	EXPECT_EQ(0, bad) TH_LOG("seed %u: bad scans of the list", M.seed);
	EXPECT_EQ(0UL, M.bad) TH_LOG("seed %u: %lu bad results", M.seed, M.bad);

	/* Idle now: STAT and the list must agree with themselves. */
	bad = 0;
	for (i = 0; i < CHURN_SLOTS; i++)
		if (M.slot[i] >= 0 && !mbt_stat_sane(M.slot[i], 1, true))
			bad++;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, mbt_states_sane(0));

	mbt_fuzz_close_slots(&M);
	EXPECT_EQ(0, mbt_unlink_prefix(M.prefix, 0));
}

TEST_HARNESS_MAIN
