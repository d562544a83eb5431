// SPDX-License-Identifier: GPL-2.0
/*
 * Priorities: of sleeping receivers (MAILBOX_IOC_SET_RECV_PRIO: the
 * highest is served first, FIFO within one) and of messages on a priority
 * mailbox (received highest first, checked against a reference order and
 * a model of interleaved sends and receives); the delivery, owner, waiter
 * and backlog fields of a mailbox's state, fdinfo and STAT; the argument
 * checks of SET_RECV_PRIO.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "lib/mbt.h"

#define TIMEOUT_S	120	/* per test (slow emulation) */

#define BOX(nm, acc, cap, dlv)						\
	mbt_dlv_box(_metadata, &self->e, nm, acc, cap, dlv)

MBT_FIXTURE(dlv, "dlv")

struct prio_rx {
	const char *name;
	uint32_t prio;
	int idx;
	int out_wr;
};

struct prio_rec {
	int idx;
	int ret;
	uint32_t stat_prio;
	int fdinfo_ok;
	char data[16];
};

/* Opens its own descriptor with receive priority @prio, receives once. */
static int prio_receiver(void *p)
{
	struct prio_rx *a = p;
	struct prio_rec rec;
	struct mailbox_info i;
	char val[16];
	int fd;

	memset(&rec, 0, sizeof(rec));
	rec.idx = a->idx;
	fd = mbt_open(a->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_set_recv_prio(fd, a->prio));
	MBT_CHILD_CHECK(!mbt_stat(fd, &i));
	rec.stat_prio = i.recv_priority;
	snprintf(val, sizeof(val), "%u", a->prio);
	rec.fdinfo_ok = mbt_fdinfo_has(fd, "recv_priority", val);
	rec.ret = mbt_recv(fd, rec.data, sizeof(rec.data) - 1,
			   MAILBOX_DEADLINE, mbt_deadline_ms(MBT_BLOCK_MS),
			   NULL);
	MBT_CHILD_CHECK(write(a->out_wr, &rec, sizeof(rec)) == sizeof(rec));
	return 0;
}

/*
 * Receivers of priorities 1, 5, 5 fall asleep in that order; four sends:
 * the first prio-5 one gets the first message, the second prio-5 one the
 * second, the prio-1 one the third, and the fourth stays queued.
 */
TEST_F_TIMEOUT(dlv, recv_prio_order, TIMEOUT_S)
{
	static const uint32_t prio[3] = { 1, 5, 5 };
	static const char *const want[3] = { "m3", "m1", "m2" };
	static const char *const msgs[4] = { "m1", "m2", "m3", "m4" };
	struct prio_rec rec, got[3];
	struct prio_rx rx;
	struct pollfd pfd;
	struct mbt_state p;
	const char *name;
	pid_t pid[3];
	int fd, out[2], k;

	fd = BOX(&name, MAILBOX_ACCESS_ALL, 4,
		 MAILBOX_DELIVER_QUEUE);
	ASSERT_EQ(0, pipe(out));
	for (k = 0; k < 3; k++) {
		rx.name = name;
		rx.prio = prio[k];
		rx.idx = k;
		rx.out_wr = out[1];
		pid[k] = mbt_spawn(&self->e.kids, prio_receiver, &rx);
		ASSERT_LT(0, pid[k]);
		/* asleep before the next one starts: the wait order is known */
		MBT_ASSERT_INFO(fd, receivers_waiting, (uint32_t)k + 1);
	}
	p = mbt_state_of(_metadata, name);
	ASSERT_EQ(3U, p.nwaiters);
	EXPECT_EQ(5U, p.waiter_prio[0]);
	EXPECT_EQ(5U, p.waiter_prio[1]);
	EXPECT_EQ(1U, p.waiter_prio[2]);
	EXPECT_EQ(3U, p.receivers_waiting);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_QUEUE), p.delivery);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).recv_priority);

	for (k = 0; k < 4; k++)
		ASSERT_EQ(0, mbt_send_str_out(fd, msgs[k], MAILBOX_NONBLOCK,
					      NULL));
	memset(got, 0, sizeof(got));
	for (k = 0; k < 3; k++) {
		pfd.fd = out[0];
		pfd.events = POLLIN;
		ASSERT_EQ(1, poll(&pfd, 1,
				  MBT_SLACK_MS)) TH_LOG("receiver silent");
		ASSERT_EQ((ssize_t)sizeof(rec), read(out[0], &rec,
						     sizeof(rec)));
		ASSERT_TRUE(rec.idx >= 0 && rec.idx < 3);
		got[rec.idx] = rec;
	}
	for (k = 0; k < 3; k++) {
		mbt_reap_ok(_metadata, &self->e.kids, pid[k]);
		EXPECT_EQ(2, got[k].ret) TH_LOG("receiver %d (prio %u)", k,
						prio[k]);
		EXPECT_STREQ(want[k], got[k].data)
			TH_LOG("receiver %d (prio %u)", k, prio[k]);
		EXPECT_EQ(prio[k], got[k].stat_prio);
		EXPECT_TRUE(got[k].fdinfo_ok) TH_LOG("fdinfo recv_priority");
	}
	EXPECT_EQ(1U, mbt_info(_metadata, fd).depth);
	EXPECT_EQ(3U, mbt_info(_metadata, fd).recv_blocked);
	mbt_expect_msg(_metadata, fd, 0, "m4", getpid(), 0);
	p = mbt_state_of(_metadata, name);
	EXPECT_EQ(0U, p.nwaiters);
	close(out[0]);
	close(out[1]);
	close(fd);
}

TEST_F_TIMEOUT(dlv, msg_priority_order, TIMEOUT_S)
{
	enum { N = 1000, PENDING = 48, OPS = 2000 };
	static uint32_t prio[OPS];
	static int order[N];
	struct { uint32_t seq, prio; } pend[PENDING];
	uint32_t seed = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 8;
	uint32_t st = seed ? seed : 1, p;
	struct mailbox_recv m;
	struct mailbox_info i;
	char buf[MBT_DLV_MSG_MAX];
	int fd, k, n, ret, npend, best;
	uint32_t seq;

	TH_LOG("seed %u", seed);
	fd = BOX(NULL, MAILBOX_ACCESS_ALL, N,
		 MAILBOX_DELIVER_PRIORITY);
	for (k = 0; k < N; k++) {
		prio[k] = mbt_xorshift32(&st) % (MAILBOX_PRIO_MAX + 1);
		ASSERT_EQ(0, mbt_send_seq(fd, k, MAILBOX_NONBLOCK, prio[k],
					  NULL));
	}
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(N), i.depth);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_PRIORITY), i.delivery);
	/* the reference: a stable sort by priority, highest first */
	n = 0;
	for (p = MAILBOX_PRIO_MAX + 1; p-- > 0;)
		for (k = 0; k < N; k++)
			if (prio[k] == p)
				order[n++] = k;
	ASSERT_EQ(N, n);
	for (k = 0; k < N; k++) {
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &m);
		ASSERT_LT(0, ret) TH_LOG("seed %u: receive %d: %s", seed, k,
					 strerror(-ret));
		ASSERT_EQ(order[k], mbt_msg_seq(buf, ret))
			TH_LOG("seed %u: position %d", seed, k);
		ASSERT_EQ(prio[order[k]], m.priority)
			TH_LOG("seed %u: position %d", seed, k);
	}
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));

	/* Sends and receives interleaved, against a model. */
	npend = 0;
	seq = 0;
	for (k = 0; k < OPS || npend; k++) {
		bool do_send = k < OPS && npend < PENDING &&
			    (npend == 0 || mbt_xorshift32(&st) % 3);

		if (do_send) {
			p = mbt_xorshift32(&st) % (MAILBOX_PRIO_MAX + 1);
			ASSERT_EQ(0, mbt_send_seq(fd, seq, MAILBOX_NONBLOCK, p,
						  NULL));
			pend[npend].seq = seq++;
			pend[npend++].prio = p;
			continue;
		}
		/* the model: highest priority, then lowest seq (oldest) */
		best = 0;
		for (n = 1; n < npend; n++)
			if (pend[n].prio > pend[best].prio)
				best = n;	/* the oldest of the highest */
		if (mbt_xorshift32(&st) % 8 == 0) {
			memset(&m, 0, sizeof(m));
			ret = mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &m);
			ASSERT_EQ((int)(4 + pend[best].seq % 29), ret)
				TH_LOG("seed %u: peek at op %d", seed, k);
		}
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &m);
		ASSERT_EQ((int64_t)pend[best].seq, mbt_msg_seq(buf, ret))
			TH_LOG("seed %u: op %d", seed, k);
		ASSERT_EQ(pend[best].prio, m.priority);
		memmove(&pend[best], &pend[best + 1],
			(npend - best - 1) * sizeof(pend[0]));
		npend--;
	}
	i = mbt_info(_metadata, fd);
	MBT_EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(i.sent, i.received);
	close(fd);
}

TEST_F_TIMEOUT(dlv, msg_priority_args, TIMEOUT_S)
{
	static const struct { const char *msg; uint32_t prio; } in[] = {
		{ "c", 3 }, { "a", 7 }, { "d", 3 }, { "e", 0 }, { "b", 7 },
	};
	static const char *const out[] = { "a", "b", "c", "d", "e" };
	static const uint32_t out_prio[] = { 7, 7, 3, 3, 0 };
	struct mbt_ag_cmd rc = { .op = MBT_AG_RECV, .flags = MAILBOX_NONBLOCK };
	struct mbt_agent *d = mbt_agent_start(_metadata, &self->e);
	struct mailbox_recv m;
	struct mbt_state p;
	struct mbt_ag_reply r;
	const char *pname;
	struct mbt_bg b;
	pid_t me = getpid();
	int pq, q, tx, mine;
	size_t k;

	pq = BOX(&pname, MAILBOX_ACCESS_ALL, 8,
		 MAILBOX_DELIVER_PRIORITY);
	q = BOX(NULL, MAILBOX_ACCESS_ALL, 8,
		MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	EXPECT_EQ(-EINVAL, mbt_send_ex(pq, 0, "x", 1, MAILBOX_NONBLOCK, 0,
				       MAILBOX_PRIO_MAX + 1, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(pq, 0, "x", 1, MAILBOX_NONBLOCK, 0,
				       UINT32_MAX, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(q, 0, "x", 1, MAILBOX_NONBLOCK, 0, 1,
				       NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(q, 0, "x", 1, MAILBOX_NONBLOCK, 0,
				       MAILBOX_PRIO_MAX, NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, pq).sent);
	EXPECT_EQ(0U, mbt_info(_metadata, q).sent);

	ASSERT_EQ(0, mbt_send_ex(pq, 0, "lo", 2, MAILBOX_NONBLOCK, 0, 0, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "hi", 2, MAILBOX_NONBLOCK, 0,
				 MAILBOX_PRIO_MAX, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "hi2", 3, MAILBOX_NONBLOCK, 0,
				 MAILBOX_PRIO_MAX, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "mid", 3, MAILBOX_NONBLOCK, 0, 7,
				 NULL));
	EXPECT_EQ(2U, mbt_info(_metadata, pq).next_len);
	EXPECT_EQ(2, mbt_recv(pq, NULL, 0, MAILBOX_RECV_PEEK, 0, &m));
	m = mbt_expect_msg(_metadata, pq, 0, "hi", me, 0);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), m.priority);
	m = mbt_expect_msg(_metadata, pq, 0, "hi2", me, 0);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), m.priority);
	m = mbt_expect_msg(_metadata, pq, 0, "mid", me, 0);
	EXPECT_EQ(7U, m.priority);
	m = mbt_expect_msg(_metadata, pq, 0, "lo", me, 0);
	EXPECT_EQ(0U, m.priority);
	ASSERT_EQ(0, mbt_send_str_out(q, "x", MAILBOX_NONBLOCK, NULL));
	m = mbt_expect_msg(_metadata, q, 0, "x", me, 0);
	EXPECT_EQ(0U, m.priority);

	/* A receiver asleep takes the next message at once, priority told. */
	mbt_bg_recv(_metadata, &b, pq, 0);
	MBT_ASSERT_INFO(pq, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "s", 1, MAILBOX_NONBLOCK, 0, 3, NULL));
	EXPECT_EQ(1, mbt_bg_wait(_metadata, &b));
	EXPECT_STREQ("s", b.data);
	EXPECT_EQ(3U, b.rcv.priority);
	p = mbt_state_of(_metadata, pname);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_PRIORITY), p.delivery);
	MBT_EXPECT_FDINFO(pq, "delivery", "priority");

	/* A direct mailbox with message priorities. */
	ASSERT_EQ(1, mbt_agent_open_direct(_metadata, d, 8,
					   MAILBOX_DELIVER_PRIORITY));
	for (k = 0; k < MBT_ARRAY_SIZE(in); k++)
		ASSERT_EQ(0, mbt_send_ex(tx, d->pid, in[k].msg, 1,
					 MAILBOX_NONBLOCK, 0, in[k].prio,
					 NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(tx, d->pid, "x", 1, MAILBOX_NONBLOCK,
				       0, MAILBOX_PRIO_MAX + 1, NULL));
	for (k = 0; k < MBT_ARRAY_SIZE(out); k++) {
		r = mbt_agent_call(_metadata, d, &rc);
		EXPECT_EQ(1, r.ret);
		EXPECT_STREQ(out[k], r.data);
		EXPECT_EQ(out_prio[k], r.rcv.priority);
		EXPECT_EQ(me, r.rcv.sender_pid);
	}
	/* a queue direct mailbox refuses priorities */
	mine = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			     MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EINVAL, mbt_send_ex(tx, me, "x", 1, MAILBOX_NONBLOCK, 0, 1,
				       NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, mine).sent);
}

TEST_F_TIMEOUT(dlv, proc_fdinfo_stat, TIMEOUT_S)
{
	struct mailbox_info i;
	struct mbt_state p;
	const char *qname, *pname;
	struct mbt_bg lo, hi;
	pid_t me = getpid();
	char header[512] = "", name[32], *f, *d, *w, *bl;
	int q, q2, pq, fd1, fd2, tx;

	/* the header names the new columns, after flags */
	ASSERT_EQ(0, mbt_proc_header(header, sizeof(header)));
	f = strstr(header, "flags");
	d = strstr(header, "delivery");
	w = strstr(header, "waiters");
	bl = strstr(header, "backlog");
	EXPECT_TRUE(f && d && w && bl && f < d && d < w && w < bl)
		TH_LOG("header: %s", header);

	/* a queue mailbox */
	q = BOX(&qname, MAILBOX_ACCESS_ALL, 4,
		MAILBOX_DELIVER_QUEUE);
	p = mbt_state_of(_metadata, qname);
	MBT_EXPECT_KIND(p, MBT_OWNER_NONE, MAILBOX_DELIVER_QUEUE, 0, 0);
	MBT_EXPECT_FDINFO(q, "delivery", "queue");
	MBT_EXPECT_FDINFO(q, "recv_priority", "0");
	{
		char buf[2048] = "";

		mbt_fdinfo(q, buf, sizeof(buf));
		EXPECT_TRUE(strstr(buf, "backlog:") == NULL) TH_LOG("%s", buf);
	}
	i = mbt_info(_metadata, q);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_EQ(0U, i.recv_priority);
	EXPECT_EQ(0U, i.backlog);
	EXPECT_EQ(0, i.owner_pid);
	EXPECT_EQ(0U, i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), i.prio_max);
	EXPECT_EQ(0U, i.dropped);
	/* the receive priority is the descriptor's */
	ASSERT_EQ(0, mbt_set_recv_prio(q, 7));
	EXPECT_EQ(7U, mbt_info(_metadata, q).recv_priority);
	MBT_EXPECT_FDINFO(q, "recv_priority", "7");
	q2 = mbt_open_box(_metadata, qname, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(0U, mbt_info(_metadata, q2).recv_priority);
	ASSERT_EQ(0, mbt_set_recv_prio(q, 0));
	EXPECT_EQ(0U, mbt_info(_metadata, q).recv_priority);

	/* a priority mailbox */
	pq = BOX(&pname, MAILBOX_ACCESS_ALL, 4,
		 MAILBOX_DELIVER_PRIORITY);
	p = mbt_state_of(_metadata, pname);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_PRIORITY), p.delivery);
	EXPECT_EQ(MBT_U32(MAILBOX_DELIVER_PRIORITY),
		  mbt_info(_metadata, pq).delivery);

	/* a direct mailbox with receivers of priorities 3 then 9 asleep */
	mbt_direct_name(name, sizeof(name), me);
	fd1 = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			    MAILBOX_DELIVER_QUEUE);
	fd2 = mbt_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mbt_open_direct_fd(fd2, 4, MBT_DLV_MSG_MAX, 0, 0, NULL,
					0));
	ASSERT_EQ(0, mbt_set_recv_prio(fd1, 3));
	ASSERT_EQ(0, mbt_set_recv_prio(fd2, 9));
	MBT_EXPECT_FDINFO(fd1, "mailbox", name);
	MBT_EXPECT_FDINFO(fd1, "recv_priority", "3");
	MBT_EXPECT_FDINFO(fd2, "recv_priority", "9");
	mbt_bg_recv(_metadata, &lo, fd1, 0);
	MBT_ASSERT_INFO(fd1, receivers_waiting, 1);
	mbt_bg_recv(_metadata, &hi, fd2, 0);
	MBT_ASSERT_INFO(fd1, receivers_waiting, 2);
	p = mbt_state_of(_metadata, name);
	MBT_EXPECT_KIND(p, MBT_OWNER_DIRECT, MAILBOX_DELIVER_QUEUE, 2, 0);
	EXPECT_EQ(9U, p.waiter_prio[0]);
	EXPECT_EQ(3U, p.waiter_prio[1]);
	EXPECT_EQ(2U, p.receivers_waiting);
	EXPECT_EQ(geteuid(), p.uid);
	i = mbt_info(_metadata, fd1);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(me, i.owner_pid);
	EXPECT_EQ(MBT_U32(MAILBOX_INFO_DIRECT), i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(3U, i.recv_priority);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, mbt_sendto_str(tx, me, "first", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_sendto_str(tx, me, "second", MAILBOX_NONBLOCK));
	EXPECT_EQ(5, mbt_bg_wait(_metadata, &hi));
	EXPECT_STREQ("first", hi.data);
	EXPECT_EQ(6, mbt_bg_wait(_metadata, &lo));
	EXPECT_STREQ("second", lo.data);
	p = mbt_state_of(_metadata, name);
	EXPECT_EQ(0U, p.nwaiters);
	EXPECT_EQ(0U, p.receivers_waiting);
	EXPECT_EQ(2U, p.recv_blocked);
	EXPECT_EQ(2U, p.received);
	close(tx);
	close(fd2);
	close(fd1);
	close(pq);
	close(q2);
	close(q);
}

TEST_F_TIMEOUT(dlv, errors_recv_prio, TIMEOUT_S)
{
	struct mailbox_recv_prio rp;
	void *bad = mbt_bad_page(_metadata);
	int unbound, q, pq, bc, dfd;

	unbound = mbt_dev();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, mbt_set_recv_prio(unbound, 1));
	EXPECT_EQ(-EBADFD, mbt_set_recv_prio(unbound, 0));

	q = BOX(NULL, MAILBOX_ACCESS_ALL, 4,
		MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EINVAL, mbt_set_recv_prio(q, MAILBOX_PRIO_MAX + 1));
	EXPECT_EQ(-EINVAL, mbt_set_recv_prio(q, UINT32_MAX));
	memset(&rp, 0, sizeof(rp));
	rp.flags = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, &rp));
	rp.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, &rp));
	memset(&rp, 0, sizeof(rp));
	rp.reserved = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, &rp));
	rp.reserved = 1ULL << 63;
	EXPECT_EQ(-EINVAL, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, &rp));
	EXPECT_EQ(-EFAULT, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(q, MAILBOX_IOC_SET_RECV_PRIO, bad));
	EXPECT_EQ(0U, mbt_info(_metadata, q).recv_priority);

	/* accepted on any bound descriptor */
	EXPECT_EQ(0, mbt_set_recv_prio(q, MAILBOX_PRIO_MAX));
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), mbt_info(_metadata,
						      q).recv_priority);
	pq = BOX(NULL, MAILBOX_ACCESS_SEND, 4,
		 MAILBOX_DELIVER_PRIORITY);
	EXPECT_EQ(0, mbt_set_recv_prio(pq, 4));
	EXPECT_EQ(4U, mbt_info(_metadata, pq).recv_priority);
	bc = BOX(NULL, MAILBOX_ACCESS_RECV, 4,
		 MAILBOX_DELIVER_BROADCAST);
	EXPECT_EQ(0, mbt_set_recv_prio(bc, 2));
	EXPECT_EQ(2U, mbt_info(_metadata, bc).recv_priority);
	dfd = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			    MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(0, mbt_set_recv_prio(dfd, 1));
	EXPECT_EQ(1U, mbt_info(_metadata, dfd).recv_priority);
	EXPECT_EQ(-EINVAL, mbt_set_recv_prio(dfd, MAILBOX_PRIO_MAX + 1));
	EXPECT_EQ(1U, mbt_info(_metadata, dfd).recv_priority);
	close(dfd);
	close(bc);
	close(pq);
	close(q);
	close(unbound);
}

TEST_HARNESS_MAIN
