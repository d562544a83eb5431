// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for receivers whose memory stalls (issue 11, findings 1 to 3):
 * a receive buffer whose page fault never completes, made with
 * userfaultfd(2) (a page registered for missing faults and served only
 * when the test says so), must not hold anyone but the receiver itself.
 *
 *  - A sender waiting for delivery (rendezvous, MAILBOX_SEND_WAIT) keeps its
 *    deadline and its signals while a receiver that took its message is
 *    stalled: the receiver's copy never faults, the message goes back and
 *    the sender may take it back. The message is neither lost nor
 *    duplicated: whoever ends up with it got it exactly once.
 *  - A batch receive wakes the sender whose message an early entry took
 *    before a later entry stalls.
 *  - On a broadcast mailbox, another thread of the same descriptor can
 *    PEEK and receive (non-blocking, or with a deadline) while one
 *    receive is stalled.
 *  - A stalled receiver holds no message meanwhile, and gets its message
 *    intact once the page is served.
 *
 * The parties are threads of the test process (userfaultfd registrations
 * are per address space). The test waits for the page fault to be
 * reported on the userfaultfd, i.e. for a receiver to be stalled, before
 * it acts; calls expected to end are given a few seconds, after which the
 * page is served anyway, so that a kernel that gets it wrong fails the
 * test rather than hang it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "lib/mbt.h"

#define MSG_MAX		512	/* msg_size_max of the mailboxes */
#define BUF_MAX		512	/* receive buffers that do not stall */
#define BIG_MSG		(256 * 1024)	/* a message of many pages */
#define MAX_CALLS	4
#define DEADLINE_MS	1000ULL	/* the deadline of the sender under test */
#define PROMPT_MS	4000ULL	/* what returns "at once" returns within this */
#define GIVE_UP_MS	8000	/* how long a call expected to end is given */
#define NS_PER_MS	1000000ULL

/* A send, receive or receive batch made by a thread of the test. */
struct call {
	enum { SEND, RECV, RECV_BATCH } kind;
	int fd;
	const void *buf;	/* send: the message; receive: the buffer */
	uint32_t len;		/* send: its length; receive: buffer size */
	uint32_t flags;
	long deadline_ms;	/* MAILBOX_DEADLINE: from the call's start */
	bool sigalrm;		/* the thread takes SIGALRM */
	/* results */
	int ret;		/* ioctl's return value or -errno */
	struct mailbox_send s;
	struct mailbox_recv r;
	struct mailbox_batch b;
	struct mailbox_recv ent[2];
	char data[BUF_MAX];	/* RECV_BATCH: entry 0's buffer */
	uint64_t t_start, t_end;
	int done;
	bool started;
	pthread_t th;
};

FIXTURE(stall) {
	struct mbt_env e;	/* e.fd: the mailbox of box() */
	int uffd;
	char *page;		/* registered with uffd; stalls until served */
	long pagesz;
	bool served;
	struct call c[MAX_CALLS];
};

static int alrm_handled;

static void on_alrm(int sig)
{
	(void)sig;
	__atomic_fetch_add(&alrm_handled, 1, __ATOMIC_SEQ_CST);
}

FIXTURE_SETUP(stall)
{
	struct uffdio_register reg;
	struct uffdio_api api;

	self->served = true;
	MBT_SETUP(&self->e, "stall");
	self->pagesz = sysconf(_SC_PAGESIZE);
	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0 && errno == ENOSYS)
		SKIP(return, "no userfaultfd(2) in this kernel");
	ASSERT_LE(0, self->uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));
	self->page = mmap(NULL, self->pagesz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)self->page;
	reg.range.len = self->pagesz;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg));
	self->served = false;
}

/*
 * Serve the page: a copy of a page of 0x5a, so that what a receive leaves
 * there is told from what the page held. Wakes every stalled fault.
 */
static int serve(FIXTURE_DATA(stall) *self)
{
	struct uffdio_copy copy;
	char *src;
	int ret;

	if (self->served)
		return 0;
	src = malloc(self->pagesz);
	if (!src)
		return -ENOMEM;
	memset(src, 0x5a, self->pagesz);
	memset(&copy, 0, sizeof(copy));
	copy.dst = (uintptr_t)self->page;
	copy.src = (uintptr_t)src;
	copy.len = self->pagesz;
	ret = ioctl(self->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
	free(src);
	self->served = !ret;
	return ret;
}

static bool call_done(struct call *c)
{
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

/* Wait at most @ms for @c to return; true if it did. */
static bool wait_done(struct call *c, long ms)
{
	uint64_t end = mbt_deadline_ms(ms);

	while (!call_done(c) && mbt_now_ns() < end)
		mbt_sleep_ms(1);
	return call_done(c);
}

/*
 * FIXTURE_TEARDOWN_PARENT, because a failed ASSERT skips a plain teardown.
 * The test's threads, and any of them still stalled on the page, ended
 * with its process, and the userfaultfd with them.
 */
FIXTURE_TEARDOWN_PARENT(stall)
{
	mbt_env_cleanup(&self->e);
}

static void *call_main(void *arg)
{
	struct call *c = arg;
	uint64_t deadline = 0;
	uint32_t flags = c->flags;
	sigset_t set;

	if (c->sigalrm) {
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	c->t_start = mbt_now_ns();
	if (c->deadline_ms) {
		deadline = mbt_deadline_ms(c->deadline_ms);
		flags |= MAILBOX_DEADLINE;
	}
	switch (c->kind) {
	case SEND:
		c->ret = mbt_send_cmd(c->fd, MAILBOX_IOC_SEND, 0, c->buf, c->len,
				      flags, deadline, 0, &c->s);
		break;
	case RECV:
		c->ret = mbt_recv(c->fd, (void *)c->buf, c->len, flags,
				  deadline, &c->r);
		break;
	case RECV_BATCH:
		/* entry 0 into c->data, entry 1 into c->buf */
		memset(c->ent, 0, sizeof(c->ent));
		c->ent[0].buf = (uintptr_t)c->data;
		c->ent[0].size = sizeof(c->data);
		c->ent[0].flags = flags;
		c->ent[0].deadline_ns = deadline;
		c->ent[1].buf = (uintptr_t)c->buf;
		c->ent[1].size = c->len;
		memset(&c->b, 0, sizeof(c->b));
		c->b.msgs = (uintptr_t)c->ent;
		c->b.count = 2;
		c->ret = mbt_ioctl(c->fd, MAILBOX_IOC_RECV_BATCH, &c->b);
		break;
	}
	c->t_end = mbt_now_ns();
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start call @i, described by @c, in a thread of its own. */
static struct call *start(struct __test_metadata *_metadata,
			  FIXTURE_DATA(stall) *self, int i, struct call c)
{
	struct call *p = &self->c[i];
	sigset_t set, old;

	*p = c;
	/* Only a thread that asks for it takes SIGALRM. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	EXPECT_EQ(0, pthread_create(&p->th, NULL, call_main, p));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	p->started = true;
	return p;
}

/* Wait for @c to return (at most MBT_BLOCK_MS) and reap its thread. */
static void finish(struct __test_metadata *_metadata, struct call *c)
{
	ASSERT_TRUE(wait_done(c, MBT_BLOCK_MS));
	pthread_join(c->th, NULL);
	c->started = false;
}

static uint64_t ms_between(uint64_t from, uint64_t to)
{
	return to > from ? (to - from) / NS_PER_MS : 0;
}

/*
 * Wait for a thread to fault on the page (userfaultfd reports it); returns
 * 0, or -ETIMEDOUT after @ms. The fault stays pending.
 */
static int wait_fault(FIXTURE_DATA(stall) *self, long ms)
{
	struct pollfd p = { .fd = self->uffd, .events = POLLIN };
	struct uffd_msg msg;
	int n;

	n = poll(&p, 1, ms);
	if (n < 0)
		return -errno;
	if (!n)
		return -ETIMEDOUT;
	if (read(self->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	return msg.event == UFFD_EVENT_PAGEFAULT ? 0 : -EIO;
}

static void box(struct __test_metadata *_metadata, FIXTURE_DATA(stall) *self,
		uint32_t capacity, uint32_t delivery)
{
	mbt_new_box(_metadata, &self->e, NULL,
		    MBT_BOX(.capacity = capacity, .msg_size_max = MSG_MAX,
			    .delivery = delivery));
}

/* Did receive @c (into @buf) return exactly @msg? */
static bool got(const struct call *c, const void *buf, const char *msg)
{
	size_t n = strlen(msg);

	return c->ret == (int)n && c->r.len == n &&
	       c->r.sender_pid == getpid() && !memcmp(buf, msg, n);
}

/* Nothing left: no message, nobody waiting. */
static void expect_drained(struct __test_metadata *_metadata, int fd)
{
	struct mailbox_info i;
	char buf[BUF_MAX];

	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK,
				    0, NULL));
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.bytes);
	EXPECT_EQ(0U, i.receivers_waiting);
	EXPECT_EQ(0U, i.senders_waiting);
	EXPECT_EQ(i.sent, i.received);
}

/*
 * After a sender ended (@s) and the page was served: the stalled receiver
 * @r either got the sender's message (the send succeeded) or, the send
 * having failed, does not get it: a blocking @r gets the marker sent now,
 * a non-blocking one -EAGAIN. Either way the message went once or not at
 * all.
 */
static void expect_once(struct __test_metadata *_metadata,
			FIXTURE_DATA(stall) *self, struct call *s,
			struct call *r, uint32_t capacity)
{
	const char *marker = "marker";
	int ret;

	if (!s->ret) {
		finish(_metadata, r);
		EXPECT_TRUE(got(r, self->page, s->buf))
			TH_LOG("the send succeeded, the receiver got %d", r->ret);
		EXPECT_EQ(getpid(), s->s.receiver_pid);
		expect_drained(_metadata, self->e.fd);
		return;
	}
	if (r->flags & MAILBOX_NONBLOCK) {
		finish(_metadata, r);
		EXPECT_EQ(-EAGAIN, r->ret)
			TH_LOG("the send failed, the receiver got %d", r->ret);
		expect_drained(_metadata, self->e.fd);
		return;
	}
	/* A rendezvous send waits for the receiver; a queued one need not. */
	ret = mbt_send(self->e.fd, marker, strlen(marker),
		       capacity ? MAILBOX_NONBLOCK : MAILBOX_DEADLINE,
		       capacity ? 0 : mbt_deadline_ms(MBT_BLOCK_MS), NULL);
	EXPECT_EQ(0, ret);
	finish(_metadata, r);
	EXPECT_TRUE(got(r, self->page, marker))
		TH_LOG("the send failed, the receiver got %d", r->ret);
	expect_drained(_metadata, self->e.fd);
}

/* The sender's message is queued, or it sleeps holding it. */
static void wait_sender(struct __test_metadata *_metadata, int fd,
			uint32_t capacity)
{
	if (capacity)
		MBT_ASSERT_INFO(fd, depth, 1);
	else
		MBT_ASSERT_INFO(fd, senders_waiting, 1);
}

/*
 * A sender waiting for delivery with a deadline of DEADLINE_MS; then a
 * receiver takes its message into the stalling page. The sender must
 * return -ETIMEDOUT at its deadline, not when the page is served.
 */
static void sender_deadline(struct __test_metadata *_metadata,
			    FIXTURE_DATA(stall) *self, uint32_t capacity,
			    uint32_t send_flags, uint32_t recv_flags)
{
	const char *msg = "first";
	struct call *s, *r;
	uint64_t t_fault;

	box(_metadata, self, capacity, MAILBOX_DELIVER_QUEUE);
	s = start(_metadata, self, 0, (struct call){
		.kind = SEND, .fd = self->e.fd, .buf = msg, .len = strlen(msg),
		.flags = send_flags, .deadline_ms = DEADLINE_MS });
	wait_sender(_metadata, self->e.fd, capacity);
	r = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz, .flags = recv_flags,
		.deadline_ms = recv_flags ? 0 : MBT_BLOCK_MS });
	ASSERT_EQ(0, wait_fault(self, MBT_SLACK_MS));
	t_fault = mbt_now_ns();
	wait_done(s, GIVE_UP_MS);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, s);

	/* Taken while the sender waited, so this tested something. */
	EXPECT_LT(t_fault, s->t_end);
	expect_once(_metadata, self, s, r, capacity);
	EXPECT_EQ(-ETIMEDOUT, s->ret);
	EXPECT_GE(ms_between(s->t_start, s->t_end), DEADLINE_MS);
	EXPECT_LT(ms_between(s->t_start, s->t_end), PROMPT_MS)
		TH_LOG("a sender with a %llu ms deadline returned %d after %llu ms",
		       DEADLINE_MS, s->ret,
		       (unsigned long long)ms_between(s->t_start, s->t_end));
}

/* (a) rendezvous: the receiver takes the message from the sleeping sender */
TEST_F(stall, rendezvous_sender_keeps_deadline)
{
	sender_deadline(_metadata, self, 0, 0, 0);
}

/* (b) MAILBOX_SEND_WAIT; a non-blocking receiver, which gets -EAGAIN */
TEST_F(stall, send_wait_sender_keeps_deadline)
{
	sender_deadline(_metadata, self, 4, MAILBOX_SEND_WAIT,
			MAILBOX_NONBLOCK);
}

/* (a) the same with the receiver asleep first, handed the message */
TEST_F(stall, rendezvous_handoff_sender_keeps_deadline)
{
	const char *msg = "first";
	struct mailbox_info i;
	struct call *s, *r;
	uint64_t end;

	box(_metadata, self, 0, MAILBOX_DELIVER_QUEUE);
	r = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz, .deadline_ms = MBT_BLOCK_MS });
	/* asleep in the mailbox, or stalled before it sleeps */
	end = mbt_deadline_ms(MBT_SLACK_MS);
	for (;;) {
		i = mbt_info(_metadata, self->e.fd);
		if (i.receivers_waiting || !wait_fault(self, 1))
			break;
		ASSERT_LT(mbt_now_ns(), end);
	}
	s = start(_metadata, self, 0, (struct call){
		.kind = SEND, .fd = self->e.fd, .buf = msg, .len = strlen(msg),
		.deadline_ms = DEADLINE_MS });
	wait_done(s, GIVE_UP_MS);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, s);

	expect_once(_metadata, self, s, r, 0);
	EXPECT_EQ(-ETIMEDOUT, s->ret);
	EXPECT_LT(ms_between(s->t_start, s->t_end), PROMPT_MS)
		TH_LOG("a sender with a %llu ms deadline returned %d after %llu ms",
		       DEADLINE_MS, s->ret,
		       (unsigned long long)ms_between(s->t_start, s->t_end));
}

/*
 * (c) A sender waiting for delivery without a deadline, its message taken
 * by a stalled receiver: SIGALRM, handled without SA_RESTART, interrupts
 * it (-EINTR) and it takes its message back.
 */
static void sender_signal(struct __test_metadata *_metadata,
			  FIXTURE_DATA(stall) *self, uint32_t capacity,
			  uint32_t send_flags)
{
	const char *msg = "first";
	struct sigaction sa;
	struct call *s, *r;
	uint64_t t_sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	box(_metadata, self, capacity, MAILBOX_DELIVER_QUEUE);
	s = start(_metadata, self, 0, (struct call){
		.kind = SEND, .fd = self->e.fd, .buf = msg, .len = strlen(msg),
		.flags = send_flags, .sigalrm = true });
	wait_sender(_metadata, self->e.fd, capacity);
	r = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz, .deadline_ms = MBT_BLOCK_MS });
	ASSERT_EQ(0, wait_fault(self, MBT_SLACK_MS));
	t_sig = mbt_now_ns();
	ASSERT_EQ(0, pthread_kill(s->th, SIGALRM));
	wait_done(s, GIVE_UP_MS);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, s);

	expect_once(_metadata, self, s, r, capacity);
	EXPECT_EQ(-EINTR, s->ret);
	EXPECT_EQ(1, __atomic_load_n(&alrm_handled, __ATOMIC_SEQ_CST));
	EXPECT_LT(ms_between(t_sig, s->t_end), PROMPT_MS)
		TH_LOG("the sender returned %d %llu ms after SIGALRM", s->ret,
		       (unsigned long long)ms_between(t_sig, s->t_end));
}

TEST_F(stall, rendezvous_sender_interrupted)
{
	sender_signal(_metadata, self, 0, 0);
}

TEST_F(stall, send_wait_sender_interrupted)
{
	sender_signal(_metadata, self, 4, MAILBOX_SEND_WAIT);
}

/*
 * (d) A full mailbox (capacity 1) and a sender asleep with the next
 * message. A receive batch's entry 0 takes the queued message, which moves
 * the sender's into the queue: that sender's wait is over, and it returns
 * while entry 1 is stalled on the page, not when the batch ends.
 */
TEST_F(stall, batch_wakes_sender_before_later_entry_stalls)
{
	const char *one = "one", *two = "two!";
	struct call *s, *b;
	bool early;

	box(_metadata, self, 1, MAILBOX_DELIVER_QUEUE);
	ASSERT_EQ(0, mbt_send(self->e.fd, one, strlen(one), MAILBOX_NONBLOCK, 0,
			      NULL));
	s = start(_metadata, self, 0, (struct call){
		.kind = SEND, .fd = self->e.fd, .buf = two, .len = strlen(two),
		.deadline_ms = MBT_BLOCK_MS });
	MBT_ASSERT_INFO(self->e.fd, senders_waiting, 1);
	b = start(_metadata, self, 1, (struct call){
		.kind = RECV_BATCH, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz });
	ASSERT_EQ(0, wait_fault(self, MBT_SLACK_MS));
	wait_done(s, GIVE_UP_MS);
	early = call_done(s) && !call_done(b);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, s);
	finish(_metadata, b);

	EXPECT_EQ(0, s->ret);
	EXPECT_TRUE(early)
		TH_LOG("the sender returned %llu ms after the batch began, the batch %llu ms",
		       (unsigned long long)ms_between(b->t_start, s->t_end),
		       (unsigned long long)ms_between(b->t_start, b->t_end));
	ASSERT_EQ(2, b->ret);
	EXPECT_EQ(2U, b->b.done);
	EXPECT_EQ(0, b->b.error);
	EXPECT_EQ(strlen(one), b->ent[0].len);
	EXPECT_EQ(0, memcmp(b->data, one, strlen(one)));
	EXPECT_EQ(strlen(two), b->ent[1].len);
	EXPECT_EQ(0, memcmp(self->page, two, strlen(two)));
	expect_drained(_metadata, self->e.fd);
}

/*
 * Broadcast: thread 1 of a subscribed descriptor receives "first" into the
 * stalling page. Messages @seen[0..n) received on the descriptor, in any
 * call, must be "first" and "second" once each.
 */
static void expect_each_once(struct __test_metadata *_metadata,
			     const char **seen, int n)
{
	int first = 0, second = 0, i;

	for (i = 0; i < n; i++) {
		first += seen[i] && !strcmp(seen[i], "first");
		second += seen[i] && !strcmp(seen[i], "second");
	}
	EXPECT_EQ(1, first);
	EXPECT_EQ(1, second);
}

/* The message @c received into @buf, or NULL. */
static const char *received(const struct call *c, const char *buf)
{
	if (c->ret == 5 && got(c, buf, "first"))
		return "first";
	if (c->ret == 6 && got(c, buf, "second"))
		return "second";
	return NULL;
}

/* Start thread 1 receiving on a broadcast descriptor, stalled on "first". */
static struct call *bcast_stalled(struct __test_metadata *_metadata,
				  FIXTURE_DATA(stall) *self)
{
	struct call *a;

	box(_metadata, self, 4, MAILBOX_DELIVER_BROADCAST);
	EXPECT_EQ(0, mbt_send(self->e.fd, "first", 5, MAILBOX_NONBLOCK, 0,
			      NULL));
	a = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz, .deadline_ms = MBT_BLOCK_MS });
	EXPECT_EQ(0, wait_fault(self, MBT_SLACK_MS));
	return a;
}

/* Serve the page, send "second", and drain the descriptor into @got. */
static int bcast_finish(struct __test_metadata *_metadata,
			FIXTURE_DATA(stall) *self, struct call *a,
			const char **seen, int n)
{
	static char bufs[4][BUF_MAX];
	struct call d = { .kind = RECV };
	int i;

	EXPECT_EQ(0, serve(self));
	EXPECT_EQ(0, mbt_send(self->e.fd, "second", 6, MAILBOX_NONBLOCK, 0,
			      NULL));
	finish(_metadata, a);
	seen[n++] = received(a, self->page);
	for (i = 0; i < 4; i++) {
		d.ret = mbt_recv(self->e.fd, bufs[i], BUF_MAX, MAILBOX_NONBLOCK,
				 0, &d.r);
		if (d.ret == -EAGAIN)
			break;
		seen[n++] = received(&d, bufs[i]);
	}
	return n;
}

/* (e) PEEK and a non-blocking receive get the message, not -EAGAIN. */
TEST_F(stall, bcast_peek_and_nonblock_while_other_thread_stalled)
{
	const char *seen[8];
	char buf[BUF_MAX];
	struct call nb = { .kind = RECV };
	struct mailbox_recv m;
	struct call *a;
	int peek, n = 0;

	a = bcast_stalled(_metadata, self);
	peek = mbt_recv(self->e.fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &m);
	nb.ret = mbt_recv(self->e.fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			  &nb.r);
	seen[n++] = received(&nb, buf);
	n = bcast_finish(_metadata, self, a, seen, n);

	EXPECT_EQ(5, peek);
	EXPECT_EQ(5U, m.len);
	EXPECT_EQ(5, nb.ret);
	EXPECT_TRUE(got(&nb, buf, "first"));
	expect_each_once(_metadata, seen, n);
	expect_drained(_metadata, self->e.fd);
}

/* (e) A blocking receive with a deadline returns by its deadline. */
TEST_F(stall, bcast_deadline_while_other_thread_stalled)
{
	static char buf[BUF_MAX];
	const char *seen[8];
	struct call *a, *d;
	bool early;
	int n = 0;

	a = bcast_stalled(_metadata, self);
	d = start(_metadata, self, 2, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = buf, .len = sizeof(buf),
		.deadline_ms = DEADLINE_MS });
	early = wait_done(d, GIVE_UP_MS);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, d);
	seen[n++] = received(d, buf);
	n = bcast_finish(_metadata, self, a, seen, n);

	EXPECT_TRUE(early);
	EXPECT_LT(ms_between(d->t_start, d->t_end), DEADLINE_MS + PROMPT_MS)
		TH_LOG("a receive with a %llu ms deadline returned %d after %llu ms",
		       DEADLINE_MS, d->ret,
		       (unsigned long long)ms_between(d->t_start, d->t_end));
	/* the message was there all along */
	EXPECT_EQ(5, d->ret);
	expect_each_once(_metadata, seen, n);
	expect_drained(_metadata, self->e.fd);
}

/* (f) broadcast: served, the stalled receive gets its message intact. */
TEST_F(stall, bcast_stalled_receiver_gets_message)
{
	struct call *a = bcast_stalled(_metadata, self);

	ASSERT_EQ(0, serve(self));
	finish(_metadata, a);
	EXPECT_TRUE(got(a, self->page, "first"));
	EXPECT_EQ(0x5a, self->page[5]);
	expect_drained(_metadata, self->e.fd);
}

/*
 * (f) A receiver stalled on its buffer holds no message: the message is
 * in the mailbox meanwhile (STAT, PEEK). Once the page is served it gets
 * the message intact, exactly once.
 */
TEST_F(stall, stalled_receiver_holds_no_message)
{
	char msg[200], buf[BUF_MAX];
	struct mailbox_info i;
	struct mailbox_recv m;
	struct call *r;
	int peek, k;

	for (k = 0; k < (int)sizeof(msg); k++)
		msg[k] = 'a' + k % 26;
	box(_metadata, self, 4, MAILBOX_DELIVER_QUEUE);
	ASSERT_EQ(0, mbt_send(self->e.fd, msg, sizeof(msg), MAILBOX_NONBLOCK,
			      0, NULL));
	r = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = self->page,
		.len = self->pagesz, .deadline_ms = MBT_BLOCK_MS });
	ASSERT_EQ(0, wait_fault(self, MBT_SLACK_MS));
	i = mbt_info(_metadata, self->e.fd);
	peek = mbt_recv(self->e.fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &m);
	ASSERT_EQ(0, serve(self));
	finish(_metadata, r);

	EXPECT_EQ(1U, i.depth);
	EXPECT_EQ(sizeof(msg), i.next_len);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ((int)sizeof(msg), peek);
	EXPECT_EQ(getpid(), m.sender_pid);
	EXPECT_EQ((int)sizeof(msg), r->ret);
	EXPECT_EQ(sizeof(msg), r->r.len);
	EXPECT_EQ(getpid(), r->r.sender_pid);
	EXPECT_EQ(0, memcmp(self->page, msg, sizeof(msg)));
	EXPECT_EQ(0x5a, self->page[sizeof(msg)]);
	EXPECT_EQ(-EAGAIN, mbt_recv(self->e.fd, buf, sizeof(buf),
				    MAILBOX_NONBLOCK, 0, NULL));
	MBT_EXPECT_COUNTS(self->e.fd, 0, 1, 1);
}

/*
 * Start a receive of @size bytes into fresh anonymous memory that nothing
 * has touched yet (*@fresh), and wait until it sleeps.
 */
static struct call *recv_untouched(struct __test_metadata *_metadata,
				   FIXTURE_DATA(stall) *self, size_t size,
				   char **fresh)
{
	struct call *r;

	*fresh = mmap(NULL, size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, *fresh);
	r = start(_metadata, self, 1, (struct call){
		.kind = RECV, .fd = self->e.fd, .buf = *fresh,
		.len = size, .deadline_ms = MBT_BLOCK_MS });
	MBT_ASSERT_INFO(self->e.fd, receivers_waiting, 1);
	return r;
}

/*
 * A non-blocking rendezvous send to a receiver asleep with a buffer never
 * touched yet (no pages behind it) succeeds, and so do the next ones: the
 * receiver faulted its buffer in before it slept, so the copy that must
 * not fault does not. (Were it faulted in only after a failed copy, the
 * message would go back and such a send fail with -EAGAIN, the more
 * surely the longer the buffer.)
 */
TEST_F(stall, nonblock_rendezvous_to_untouched_buffer)
{
	const size_t size = BIG_MSG;
	struct mailbox_send out;
	struct call *r;
	char *msg, *fresh;
	int k;

	msg = malloc(size);
	ASSERT_NE(NULL, msg);
	memset(msg, 'm', size);
	mbt_new_box(_metadata, &self->e, NULL,
		    MBT_BOX(.capacity = 0, .msg_size_max = size));
	for (k = 0; k < 4; k++) {
		r = recv_untouched(_metadata, self, size, &fresh);
		msg[0] = '0' + k;
		ASSERT_EQ(0, mbt_send_cmd(self->e.fd, MAILBOX_IOC_SEND, 0, msg,
					  size, MAILBOX_NONBLOCK, 0, 0, &out))
			TH_LOG("send %d", k);
		EXPECT_EQ(getpid(), out.receiver_pid);
		finish(_metadata, r);
		EXPECT_EQ((int)size, r->ret);
		EXPECT_EQ(0, memcmp(fresh, msg, size));
		munmap(fresh, size);
	}
	free(msg);
	expect_drained(_metadata, self->e.fd);
}

/*
 * On a mailbox with capacity the receiver does not fault its buffer in
 * before it sleeps (that would cost every receive that sleeps): a
 * non-blocking MAILBOX_SEND_WAIT send to a receiver whose buffer is not
 * touched yet may get -EAGAIN, when the receiver's copy meets the missing
 * pages. The message is not lost then: the sender took it back (nothing is
 * queued, the receiver sleeps again) and it can be sent again.
 */
TEST_F(stall, nonblock_send_wait_to_untouched_buffer_keeps_message)
{
	const size_t size = BIG_MSG;
	struct mailbox_send out;
	int k, ret, eagain = 0;
	struct call *r;
	char *msg, *fresh;

	msg = malloc(size);
	ASSERT_NE(NULL, msg);
	memset(msg, 'w', size);
	mbt_new_box(_metadata, &self->e, NULL,
		    MBT_BOX(.capacity = 1, .msg_size_max = size));
	for (k = 0; k < 4; k++) {
		r = recv_untouched(_metadata, self, size, &fresh);
		msg[0] = '0' + k;
		ret = mbt_send_cmd(self->e.fd, MAILBOX_IOC_SEND, 0, msg, size,
				   MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0, 0,
				   &out);
		ASSERT_TRUE(ret == 0 || ret == -EAGAIN) TH_LOG("send %d: %d",
							    k, ret);
		if (ret == -EAGAIN) {
			eagain++;
			/* taken back: the receiver sleeps again, for it */
			MBT_ASSERT_INFO(self->e.fd, receivers_waiting, 1);
			EXPECT_EQ(0U, mbt_info(_metadata, self->e.fd).depth);
			ASSERT_EQ(0, mbt_send_cmd(self->e.fd, MAILBOX_IOC_SEND,
						  0, msg, size,
						  MAILBOX_SEND_WAIT |
						  MAILBOX_DEADLINE,
						  mbt_deadline_ms(MBT_BLOCK_MS),
						  0, &out));
		}
		EXPECT_EQ(getpid(), out.receiver_pid);
		finish(_metadata, r);
		EXPECT_EQ((int)size, r->ret);
		EXPECT_EQ(0, memcmp(fresh, msg, size));
		munmap(fresh, size);
	}
	TH_LOG("%d of 4 non-blocking sends got -EAGAIN", eagain);
	free(msg);
	expect_drained(_metadata, self->e.fd);
}

TEST_HARNESS_MAIN
