// SPDX-License-Identifier: GPL-2.0
/*
 * Sending and receiving: contents and metadata, sizes, FIFO order,
 * capacity, non-blocking calls, the pids reported for threads, receivers
 * whose buffer is too small or cannot be written.
 *
 * Blocking, deadlines and signals are in mailbox_blocking.c; rendezvous
 * and delivery-wait sends in mailbox_rendezvous.c.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>

#include "lib/mbt.h"

#define RO_SIZE		4096	/* a receive buffer in a read-only page */

MBT_FIXTURE(xfer, "xfer")

TEST_F(xfer, send_recv_basic)
{
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	int32_t receiver = -1;
	char buf[MBT_OP_BUF];
	uint64_t t0, t1;

	MBT_CAP_BOX(4);
	t0 = mbt_now_ns();
	ASSERT_EQ(0, mbt_send(e->fd, "hello", 5, 0, 0, &receiver));
	t1 = mbt_now_ns();
	EXPECT_EQ(0, receiver);

	MBT_EXPECT_INFO(e->fd, .depth = 1U, .bytes = 5U, .next_len = 5U,
			.sent = 1U, .received = 0U);

	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(5, mbt_recv(e->fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(0x5a, buf[5]);
	EXPECT_EQ(getpid(), m.sender_pid);
	EXPECT_EQ(geteuid(), m.sender_uid);
	EXPECT_LE(t0, m.send_time_ns);
	EXPECT_GE(t1, m.send_time_ns);

	MBT_EXPECT_INFO(e->fd, .depth = 0U, .bytes = 0U, .sent = 1U,
			.received = 1U);
}

/* The sender's pid and euid are the child's, taken when it sent. */
TEST_F(xfer, sender_identity_from_child)
{
	struct mbt_op op = { .send = true, .msg = "from child" };
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	char buf[MBT_OP_BUF];
	uint64_t t0, t1;
	int n = strlen(op.msg);
	pid_t pid;

	MBT_CAP_BOX(4);
	t0 = mbt_now_ns();
	pid = mbt_op_start(_metadata, e, 0, &op);
	/* Receive while the sender is alive (at worst a zombie). */
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(MBT_SLACK_MS), &m));
	t1 = mbt_now_ns();
	EXPECT_EQ(0, mbt_op_done(_metadata, e, 0)->ret);
	EXPECT_EQ(0, memcmp(buf, op.msg, n));
	EXPECT_EQ(pid, m.sender_pid);
	EXPECT_NE(getpid(), m.sender_pid);
	EXPECT_EQ(geteuid(), m.sender_uid);
	EXPECT_LE(t0, m.send_time_ns);
	EXPECT_GE(t1, m.send_time_ns);

	if (geteuid() != 0) {
		TH_LOG("not root: sender euid change not tested");
		return;
	}
	op.euid = 65534;
	pid = mbt_op_start(_metadata, e, 1, &op);
	ASSERT_EQ(n, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(MBT_SLACK_MS), &m));
	EXPECT_EQ(0, mbt_op_done(_metadata, e, 1)->ret);
	EXPECT_EQ(pid, m.sender_pid);
	EXPECT_EQ(65534U, m.sender_uid);
}

TEST_F(xfer, zero_length_message)
{
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	char buf[8] = "xxxxxxx";

	MBT_CAP_BOX(4);
	ASSERT_EQ(0, mbt_send(e->fd, buf, 0, 0, 0, NULL));
	ASSERT_EQ(0, mbt_send(e->fd, buf, 0, 0, 0, NULL));
	MBT_EXPECT_INFO(e->fd, .depth = 2U, .bytes = 0U, .next_len = 0U);

	/* A zero-sized receive with no buffer takes it... */
	m.len = 99;
	ASSERT_EQ(0, mbt_recv(e->fd, NULL, 0, 0, 0, &m));
	EXPECT_EQ(0U, m.len);
	EXPECT_EQ(getpid(), m.sender_pid);
	/* ...and so does a normal one, writing nothing. */
	ASSERT_EQ(0, mbt_recv(e->fd, buf, sizeof(buf), 0, 0, &m));
	EXPECT_EQ(0U, m.len);
	EXPECT_STREQ("xxxxxxx", buf);
	MBT_EXPECT_COUNTS(e->fd, 0, 2, 2);
}

TEST_F(xfer, max_size_message)
{
	enum { SIZE = 4096 };
	static char out[SIZE], in[SIZE + 16];
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	struct mailbox_info i;

	mbt_new_box(_metadata, e, NULL,
		    MBT_BOX(.capacity = 2, .msg_size_max = SIZE));
	mbt_fill(out, SIZE, 1);
	ASSERT_EQ(0, mbt_send(e->fd, out, SIZE, 0, 0, NULL));
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ((unsigned int)SIZE, i.next_len);
	EXPECT_EQ((unsigned int)SIZE, i.bytes);

	/* One byte short: -EMSGSIZE, length reported, still queued. */
	ASSERT_EQ(-EMSGSIZE, mbt_recv(e->fd, in, SIZE - 1, MAILBOX_NONBLOCK,
				      0, &m));
	EXPECT_EQ((unsigned int)SIZE, m.len);
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ(1U, i.depth);

	ASSERT_EQ(SIZE, mbt_recv(e->fd, in, SIZE, MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ((unsigned int)SIZE, m.len);
	EXPECT_EQ(0, memcmp(in, out, SIZE));
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}

/* Message @k of fifo_order: "m<k>" and k dots, so lengths vary. */
static void fifo_msg(char *buf, int k)
{
	int n = sprintf(buf, "m%d", k);

	memset(buf + n, '.', k);
	buf[n + k] = 0;
}

TEST_F(xfer, fifo_order)
{
	enum { N = 64 };
	struct mbt_env *e = &self->e;
	struct mailbox_info i;
	char msg[MBT_OP_BUF];
	int k;

	MBT_CAP_BOX(N);
	for (k = 0; k < N; k++) {
		fifo_msg(msg, k);
		ASSERT_EQ(0, mbt_send_str(e->fd, msg, MAILBOX_NONBLOCK));
	}
	i = mbt_info(_metadata, e->fd);
	EXPECT_EQ((unsigned int)N, i.depth);
	EXPECT_EQ(2U, i.next_len);
	for (k = 0; k < N; k++) {
		fifo_msg(msg, k);
		MBT_ASSERT_RECV(e->fd, 0, msg, 0);
	}
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, N, N);
}

TEST_F(xfer, capacity_limit)
{
	static const char *const msgs[] = { "1", "2", "3", "4", "5", "6" };
	struct mbt_env *e = &self->e;
	int k;

	MBT_CAP_BOX(5);
	for (k = 0; k < 5; k++)
		ASSERT_EQ(0, mbt_send_str(e->fd, msgs[k], MAILBOX_NONBLOCK));
	ASSERT_EQ(-EAGAIN, mbt_send_str(e->fd, "x", MAILBOX_NONBLOCK));
	MBT_EXPECT_COUNTS(e->fd, 5, 5, 0);

	/* one taken makes room for exactly one */
	MBT_ASSERT_RECV(e->fd, 0, "1", 0);
	ASSERT_EQ(0, mbt_send_str(e->fd, msgs[5], MAILBOX_NONBLOCK));
	ASSERT_EQ(-EAGAIN, mbt_send_str(e->fd, "x", MAILBOX_NONBLOCK));
	for (k = 1; k < 6; k++)
		MBT_ASSERT_RECV(e->fd, 0, msgs[k], 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 6, 6);
}

/* Failed non-blocking calls change no state or counter. */
TEST_F(xfer, nonblock_changes_nothing)
{
	struct mbt_env *e = &self->e;
	struct mailbox_info a;

	MBT_CAP_BOX(2);
	ASSERT_EQ(-EAGAIN, mbt_recv(e->fd, NULL, 0, MAILBOX_NONBLOCK, 0,
				    NULL));
	MBT_EXPECT_INFO(e->fd, .depth = 0U, .bytes = 0U, .sent = 0U,
			.received = 0U, .recv_blocked = 0U, .send_blocked = 0U);

	ASSERT_EQ(0, mbt_send_str(e->fd, "a", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_send_str(e->fd, "bb", MAILBOX_NONBLOCK));
	a = mbt_info(_metadata, e->fd);
	ASSERT_EQ(-EAGAIN, mbt_send_str(e->fd, "ccc", MAILBOX_NONBLOCK));
	EXPECT_EQ(2U, a.depth);
	MBT_EXPECT_INFO(e->fd, .depth = a.depth, .bytes = a.bytes,
			.next_len = a.next_len, .sent = a.sent,
			.received = a.received, .send_blocked = a.send_blocked,
			.recv_blocked = a.recv_blocked);
	MBT_ASSERT_RECV(e->fd, 0, "a", 0);
	MBT_ASSERT_RECV(e->fd, 0, "bb", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
}

/* A descriptor opened O_NONBLOCK never sleeps, even without the flag. */
TEST_F(xfer, nonblock_descriptor)
{
	struct mbt_env *e = &self->e;
	uint64_t t0;
	int fd;

	MBT_CAP_BOX(1);
	fd = mbt_open_box(_metadata, e->names[0], MAILBOX_ACCESS_ALL,
			  O_NONBLOCK);

	t0 = mbt_now_ns();
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, 0, 0, NULL));
	EXPECT_EQ(0, mbt_send_str(fd, "one", 0));
	EXPECT_EQ(-EAGAIN, mbt_send_str(fd, "two", 0));
	EXPECT_GT((uint64_t)MBT_SLACK_MS * MBT_MS, mbt_now_ns() - t0);
	close(fd);
	MBT_ASSERT_RECV(e->fd, 0, "one", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
}

/* Send with receiver_pid preset to garbage; returns the ioctl result. */
static int send_preset(int fd, const char *msg, int32_t *receiver)
{
	struct mailbox_send s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)msg;
	s.len = strlen(msg);
	s.receiver_pid = -12345;
	ret = mbt_ioctl(fd, MAILBOX_IOC_SEND, &s);
	*receiver = s.receiver_pid;
	return ret;
}

/* Without SEND_WAIT on a buffered mailbox, receiver_pid comes back 0. */
TEST_F(xfer, receiver_pid_zero_without_send_wait)
{
	struct mbt_op rx = { .size = MBT_OP_BUF };
	struct mbt_env *e = &self->e;
	int32_t receiver;

	MBT_CAP_BOX(4);
	ASSERT_EQ(0, send_preset(e->fd, "queued", &receiver));
	EXPECT_EQ(0, receiver);
	MBT_ASSERT_RECV(e->fd, 0, "queued", 0);

	/* even when handed straight to a waiting receiver */
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "direct", 6, 0, 0, &receiver));
	EXPECT_EQ(0, receiver) TH_LOG("the receiver was %d", e->kids.slot[0]);
	EXPECT_TRUE(mbt_op_got(mbt_op_done(_metadata, e, 0), "direct"));
}

struct thr {
	int fd;
	bool send;
	int ret;
	int32_t receiver;
	struct mailbox_recv meta;
	char buf[MBT_OP_BUF];
};

static void *thr_main(void *p)
{
	struct thr *t = p;

	if (t->send)
		t->ret = mbt_send(t->fd, "thread", 6, MAILBOX_SEND_WAIT, 0,
				  &t->receiver);
	else
		t->ret = mbt_recv(t->fd, t->buf, sizeof(t->buf), 0, 0,
				  &t->meta);
	return NULL;
}

/* Pids reported for a thread are its process's (tgid), not its tid. */
TEST_F(xfer, thread_pids_are_tgids)
{
	struct mbt_env *e = &self->e;
	struct thr t = { .send = false };
	struct mailbox_recv m;
	int32_t receiver = -1;
	char buf[MBT_OP_BUF];
	pthread_t th;

	MBT_CAP_BOX(4);
	t.fd = e->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_main, &t));
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, "main", 4, MAILBOX_SEND_WAIT, 0,
			      &receiver));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(4, t.ret);
	EXPECT_EQ(getpid(), receiver);
	EXPECT_EQ(getpid(), t.meta.sender_pid);

	t.send = true;
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_main, &t));
	ASSERT_EQ(6, mbt_recv(e->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			      mbt_deadline_ms(MBT_SLACK_MS), &m));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(getpid(), t.receiver);
	EXPECT_EQ(getpid(), m.sender_pid);
}

/* A waiting receiver whose buffer is too small leaves the message queued. */
TEST_F(xfer, emsgsize_on_handoff_keeps_message)
{
	struct mbt_op rx = { .size = 4 };
	struct mbt_env *e = &self->e;
	struct mailbox_recv m;
	char out[100], in[MBT_OP_BUF];
	struct mbt_result *r;

	MBT_CAP_BOX(4);
	mbt_fill(out, sizeof(out), 2);
	mbt_op_start(_metadata, e, 0, &rx);
	MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send(e->fd, out, sizeof(out), 0, 0, NULL));
	r = mbt_op_done(_metadata, e, 0);
	EXPECT_EQ(-EMSGSIZE, r->ret);
	EXPECT_EQ(sizeof(out), r->meta.len);

	MBT_EXPECT_INFO(e->fd, .depth = 1U, .next_len = sizeof(out),
			.received = 0U, .receivers_waiting = 0U);
	ASSERT_EQ((int)sizeof(out), mbt_recv(e->fd, in, sizeof(in),
					MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
	MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
}

/* Without a waiting sender: the message stays queued, in its place. */
TEST_F(xfer, efault_keeps_message_queued)
{
	struct mbt_env *e = &self->e;
	void *ro = mbt_page(PROT_READ);

	ASSERT_TRUE(ro != NULL);
	MBT_CAP_BOX(4);
	ASSERT_EQ(0, mbt_send_str(e->fd, "one", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_send_str(e->fd, "two!", MAILBOX_NONBLOCK));
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, MAILBOX_NONBLOCK, 0,
				    NULL));
	/* blocking too: there is a message, so it does not sleep */
	ASSERT_EQ(-EFAULT, mbt_recv(e->fd, ro, RO_SIZE, 0, 0, NULL));
	munmap(ro, RO_SIZE);
	MBT_EXPECT_INFO(e->fd, .depth = 2U, .bytes = 7U, .next_len = 3U,
			.sent = 2U, .received = 0U);
	MBT_ASSERT_RECV(e->fd, 0, "one", 0);
	MBT_ASSERT_RECV(e->fd, 0, "two!", 0);
	MBT_ASSERT_RECV(e->fd, 0, NULL, 0);
	MBT_EXPECT_COUNTS(e->fd, 0, 2, 2);
}


/*
 * The argument checks of SEND and RECV, on the usual small mailbox of
 * mailbox_names.c's tests.
 */
MBT_FIXTURE(mbox, "api")

TEST_F(mbox, send_bad_buffer_efault)
{
	int fd = MBT_SMALL_BOX(NULL);

	EXPECT_EQ(-EFAULT, mbt_send(fd, MBT_BAD_PTR, 8, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_send(fd, MBT_BAD_PTR, 8, 0, 0, NULL));
	MBT_EXPECT_INFO(fd, .depth = 0U, .bytes = 0U, .sent = 0U);
	MBT_EXPECT_EMPTY(fd);
	close(fd);
}

TEST_F(mbox, recv_bad_buffer_efault)
{
	int fd = MBT_SMALL_BOX(NULL);

	mbt_put(_metadata, fd, 20);
	EXPECT_EQ(-EFAULT, mbt_recv(fd, MBT_BAD_PTR, 64, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, MBT_BAD_PTR, 64, MAILBOX_NONBLOCK, 0, NULL));
	MBT_EXPECT_INFO(fd, .depth = 1U, .bytes = 20U, .received = 0U);
	mbt_get(_metadata, fd, 20);
	MBT_EXPECT_EMPTY(fd);
	close(fd);
}

struct xfer_case {
	uint32_t flags;
	uint64_t deadline;
	struct mbt_field field;
};

#define BIG_DEADLINE ((uint64_t)INT64_MAX + 1)

/*
 * SEND or RECV (@cmd) on @fd with each of @cases must fail with -EINVAL.
 * The base arguments are valid: a 4-byte message, a 64-byte buffer (none
 * for PEEK).
 */
static void expect_xfer_einval(struct __test_metadata *_metadata, int fd,
			       unsigned long cmd, const struct xfer_case *cases,
			       size_t ncases)
{
	union {
		struct mailbox_send s;
		struct mailbox_recv r;
	} arg;
	char buf[64];
	size_t i;

	for (i = 0; i < ncases; i++) {
		memset(&arg, 0, sizeof(arg));
		if (cmd == MAILBOX_IOC_SEND) {
			arg.s.buf = (uintptr_t)mbt_payload;
			arg.s.len = 4;
			arg.s.flags = cases[i].flags;
			arg.s.deadline_ns = cases[i].deadline;
		} else {
			if (!(cases[i].flags & MAILBOX_RECV_PEEK)) {
				arg.r.buf = (uintptr_t)buf;
				arg.r.size = sizeof(buf);
			}
			arg.r.flags = cases[i].flags;
			arg.r.deadline_ns = cases[i].deadline;
		}
		mbt_set_field(&arg, &cases[i].field);
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, cmd, &arg))
			TH_LOG("case %zu: flags 0x%x deadline %llu %s", i,
			       cases[i].flags,
			       (unsigned long long)cases[i].deadline,
			       cases[i].field.what);
	}
}

/* Flags and deadlines that neither SEND nor RECV accepts. */
static const struct xfer_case common_xfer_cases[] = {
	{ 1U << 4, 0, MBT_NO_FIELD },
	{ 1U << 31, 0, MBT_NO_FIELD },
	{ MAILBOX_NONBLOCK | MAILBOX_DEADLINE, 1, MBT_NO_FIELD },
	{ MAILBOX_NONBLOCK | MAILBOX_DEADLINE, BIG_DEADLINE - 2, MBT_NO_FIELD },
	{ 0, 1, MBT_NO_FIELD },			/* deadline without DEADLINE */
	{ MAILBOX_NONBLOCK, 1, MBT_NO_FIELD },
	{ MAILBOX_DEADLINE, BIG_DEADLINE, MBT_NO_FIELD },	/* > INT64_MAX */
	{ MAILBOX_DEADLINE, UINT64_MAX, MBT_NO_FIELD },
};

TEST_F(mbox, send_invalid_args)
{
	static const struct xfer_case cases[] = {
		{ MAILBOX_RECV_PEEK, 0, MBT_NO_FIELD },
		/* a priority on a queue mailbox */
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, priority, 1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, priority, 32) },
		/* to_pid is for MAILBOX_IOC_SEND_TO only */
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, to_pid, 1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, to_pid, -1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, reserved[0], 1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_send, reserved[1], 1) },
		{ MAILBOX_NONBLOCK, 0,
		  MBT_FIELD(struct mailbox_send, reserved[1], 1ULL << 63) },
	};
	struct mailbox_info info;
	int fd = MBT_SMALL_BOX(NULL);

	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_SEND, common_xfer_cases,
			   ARRAY_SIZE(common_xfer_cases));
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_SEND, cases,
			   ARRAY_SIZE(cases));
	info = mbt_info(_metadata, fd);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(0U, info.sent);

	/* Valid variants of the same calls. */
	EXPECT_EQ(0, mbt_send(fd, mbt_payload, 4, MAILBOX_DEADLINE,
			      mbt_deadline_ms(1000), NULL));
	EXPECT_EQ(0, mbt_send(fd, mbt_payload, 4, MAILBOX_DEADLINE, INT64_MAX,
			      NULL));
	EXPECT_EQ(0, mbt_send(fd, mbt_payload, 4, 0, 0, NULL));
	EXPECT_EQ(3U, mbt_info(_metadata, fd).depth);
	close(fd);
}

TEST_F(mbox, recv_invalid_args)
{
	static const struct xfer_case cases[] = {
		{ MAILBOX_SEND_WAIT, 0, MBT_NO_FIELD },
		{ MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0, MBT_NO_FIELD },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_recv, reserved0, 1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_recv, reserved[0], 1) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_recv, reserved[1], 1) },
		{ MAILBOX_NONBLOCK, 0,
		  MBT_FIELD(struct mailbox_recv, reserved[1], 1ULL << 63) },
		{ MAILBOX_NONBLOCK, 0, MBT_FIELD(struct mailbox_recv, from_pid, -1) },
		/* PEEK: alone, with neither buffer nor size */
		{ MAILBOX_RECV_PEEK | MAILBOX_NONBLOCK, 0, MBT_NO_FIELD },
		{ MAILBOX_RECV_PEEK | MAILBOX_DEADLINE, 1, MBT_NO_FIELD },
		{ MAILBOX_RECV_PEEK | MAILBOX_SEND_WAIT, 0, MBT_NO_FIELD },
		{ MAILBOX_RECV_PEEK, 1, MBT_NO_FIELD },
		{ MAILBOX_RECV_PEEK, 0, MBT_FIELD(struct mailbox_recv, buf, 0x1000) },
		{ MAILBOX_RECV_PEEK, 0, MBT_FIELD(struct mailbox_recv, size, 64) },
		{ MAILBOX_RECV_PEEK, 0, MBT_FIELD(struct mailbox_recv, reserved0, 1) },
		{ MAILBOX_RECV_PEEK, 0,
		  MBT_FIELD(struct mailbox_recv, reserved[1], 1) },
	};
	const char *name;
	int owner = MBT_SMALL_BOX(&name);
	/* O_NONBLOCK: a call wrongly accepted must not hang the test. */
	int fd = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, O_NONBLOCK);

	mbt_put(_metadata, owner, 9);
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_RECV, common_xfer_cases,
			   ARRAY_SIZE(common_xfer_cases));
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_RECV, cases,
			   ARRAY_SIZE(cases));
	EXPECT_EQ(1U, mbt_info(_metadata, owner).depth);
	EXPECT_EQ(0U, mbt_info(_metadata, owner).received);
	mbt_get(_metadata, fd, 9);
	close(fd);
	close(owner);
}

TEST_F(mbox, send_emsgsize)
{
	char big[65];
	int fd = MBT_SMALL_BOX(NULL);	/* msg_size_max 64 */

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, 65, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, 65, 0, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, UINT32_MAX, 0, 0, NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	EXPECT_EQ(0, mbt_send(fd, big, 64, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, mbt_send(fd, big, 0, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(2U, mbt_info(_metadata, fd).depth);
	EXPECT_EQ(64U, mbt_info(_metadata, fd).bytes);
	close(fd);
}

TEST_F(mbox, recv_emsgsize)
{
	struct mailbox_recv r;
	char buf[64];
	int fd = MBT_SMALL_BOX(NULL);

	mbt_put(_metadata, fd, 30);
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 29, MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(30U, r.len);
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 1, 0, 0, &r));
	EXPECT_EQ(30U, r.len);
	/* buf may be 0 when size is 0 */
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, NULL, 0, 0, 0, &r));
	EXPECT_EQ(30U, r.len);
	MBT_EXPECT_INFO(fd, .depth = 1U, .next_len = 30U, .received = 0U);
	/* An exactly fitting buffer takes it. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(30, mbt_recv(fd, buf, 30, MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(30U, r.len);
	EXPECT_EQ(0, memcmp(buf, mbt_payload, 30));
	MBT_EXPECT_EMPTY(fd);
	close(fd);
}

struct peek_arg {
	const char *name;
	int pipe[2];	/* the child waits for a byte or EOF on pipe[0] */
};

static int send_and_wait_child(struct __test_metadata *_metadata, void *arg)
{
	struct peek_arg *a = arg;
	char c;
	int fd = mbt_open(a->name, MAILBOX_ACCESS_SEND);

	close(a->pipe[1]);
	if (fd < 0)
		return fd;
	EXPECT_EQ(0, mbt_send(fd, "hello", 5, MAILBOX_NONBLOCK, 0, NULL));
	/* stay alive until the parent has looked at the message */
	if (read(a->pipe[0], &c, 1) < 0)
		return -errno;
	close(fd);
	return 0;
}

TEST_F(mbox, recv_peek)
{
	struct mailbox_recv r, r2;
	struct peek_arg arg;
	struct pollfd pfd;
	uint64_t before, after;
	char buf[16];
	pid_t pid;
	int fd;

	MBT_REQUIRE_ROOT();
	fd = MBT_MAKE_BOX(&arg.name, 0, 0666, 8, 64);
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));

	ASSERT_EQ(0, pipe2(arg.pipe, O_CLOEXEC));
	before = mbt_now_ns();
	pid = mbt_spawn_as(_metadata, MBT_NOBODY, MBT_NOBODY, send_and_wait_child, &arg);
	ASSERT_LT(0, pid);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, MBT_SLACK_MS));
	after = mbt_now_ns();

	/* Like a receive, it returns the length. */
	ASSERT_EQ(5, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));
	EXPECT_EQ(5U, r.len);
	EXPECT_EQ(pid, r.sender_pid);
	EXPECT_EQ(MBT_NOBODY, r.sender_uid);
	EXPECT_LE(before, r.send_time_ns);
	EXPECT_GE(after, r.send_time_ns);
	EXPECT_EQ(1U, mbt_info(_metadata, fd).depth);
	/* Peeking again shows the same; nothing was taken. */
	ASSERT_EQ(5, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r2));
	EXPECT_EQ(r.len, r2.len);
	EXPECT_EQ(r.send_time_ns, r2.send_time_ns);

	EXPECT_EQ(1, write(arg.pipe[1], "g", 1));
	EXPECT_EQ(0, mbt_reap_as(_metadata, pid));

	/* The receive reports the same metadata and empties the mailbox. */
	EXPECT_EQ(5, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r2));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(5U, r2.len);
	EXPECT_EQ(MBT_NOBODY, r2.sender_uid);
	EXPECT_EQ(r.send_time_ns, r2.send_time_ns);
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));
	close(arg.pipe[0]);
	close(arg.pipe[1]);
	close(fd);
}

TEST_HARNESS_MAIN
