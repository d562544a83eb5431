// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for MAILBOX_IOC_SEND_BATCH and MAILBOX_IOC_RECV_BATCH, several
 * sends or receives in one call. Each entry must do what the single call
 * does; only the first may sleep, the first later one that would ends the
 * batch with -EAGAIN, so does any other error, and the call returns the
 * entries done or, when the first entry fails, its error with nothing
 * moved. Covered: contents, order and metadata of the entries; batches cut
 * short by a full or empty mailbox, by an entry's error, by a buffer or an
 * entry that cannot be read or written; sleeping, non-blocking and timed
 * first entries and signals during their sleep; the checks of struct
 * mailbox_batch; sends to the bound and to direct mailboxes in one batch;
 * priority, broadcast and rendezvous mailboxes; PEEK entries.
 *
 * Children run one batch each ("struct job") on their own descriptor and
 * leave the entries as the kernel wrote them in shared memory; the test
 * waits for them to be asleep in the kernel (STAT's waiter counts) before
 * acting, so that no result depends on timing. Timing checks use lower
 * bounds and generous upper bounds only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbox_test.h"
#include "mailbox_expect.h"

#define MSG_MAX		128	/* msg_size_max of the mailboxes */
#define BUF_MAX		256	/* receive buffers */
#define NENT		16	/* entries of the batches of the tests */
#define NMSG		32	/* distinct messages, see msg() */
#define MAX_KIDS	4
#define MAX_NAMES	4
#define SLEEP_MS	300	/* how long a party waits before acting */
#define SLACK_MS	10000	/* bound for what should be prompt */
#define BLOCK_MS	20000	/* a deadline not to be waited for */
#define MS		1000000ULL
#define TIMEOUT_S	120	/* per test (slow emulation) */
#define NOT_DONE	INT_MIN
#define UNTOUCHED	0xa5a5a5a5U	/* in an out field no call wrote */
#define KERNEL_PTR	0xfffffffffffff000ULL

#define SEND		MAILBOX_IOC_SEND_BATCH
#define RECV		MAILBOX_IOC_RECV_BATCH

enum { NO_HANDLER, HANDLER_EINTR, HANDLER_RESTART };

/* A child's batch, as the kernel left it, in shared memory. */
struct kid {
	int ret;		/* the ioctl's return value or -errno */
	uint64_t t_start, t_end;
	struct mailbox_batch b;
	struct mailbox_send s[NENT];
	struct mailbox_recv r[NENT];
	char data[NENT][BUF_MAX];
};

struct shared {
	int handled;		/* SIGUSR1 handler runs, all children */
	struct kid kid[MAX_KIDS];
};

/* The batch a child runs on its own descriptor bound to names[0]. */
struct job {
	bool recv;		/* RECV_BATCH, else SEND_BATCH */
	uint32_t count;		/* entries, at most NENT */
	int first;		/* send: entry k carries msg(first + k) */
	bool ro_buf;		/* receive into the read-only page */
	int handler;		/* SIGUSR1: NO_HANDLER, HANDLER_* */
};

struct env {
	pid_t owner;		/* the process that ran the fixture setup */
	struct mbt_kids kids;
	int nnames;
	char names[MAX_NAMES][MAILBOX_NAME_LEN];
	int fd;			/* bound to names[0] */
	struct shared *sh;
	pid_t pid[MAX_KIDS];	/* child of each kid slot */
	int status[MAX_KIDS];	/* its wait status once reaped, else -1 */
	char *pg;		/* three pages: read-write, none, read-only */
	long page;
};

static struct shared *g_shared;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_fetch_add(&g_shared->handled, 1, __ATOMIC_SEQ_CST);
}

static int handled(struct env *e)
{
	return __atomic_load_n(&e->sh->handled, __ATOMIC_SEQ_CST);
}

/* ---- entries ---------------------------------------------------------- */

/* Message @k (0 <= k < NMSG): "m<k>" and k dots, so lengths vary. */
static const char *msg(int k)
{
	static char tab[NMSG][NMSG + 4];
	int n = snprintf(tab[k], sizeof(tab[k]), "m%d", k);

	memset(tab[k] + n, '.', k);
	tab[k][n + k] = '\0';
	return tab[k];
}

static uint32_t msg_len(int k)
{
	return strlen(msg(k));
}

static void set_send(struct mailbox_send *s, const void *buf, uint32_t len,
		     uint32_t flags)
{
	memset(s, 0, sizeof(*s));
	s->buf = (uintptr_t)buf;
	s->len = len;
	s->flags = flags;
	s->receivers = UNTOUCHED;
}

/* Entries 0 to @n - 1 send msg(@first + k) to the bound mailbox. */
static void set_sends(struct mailbox_send *s, int n, int first)
{
	int k;

	for (k = 0; k < n; k++)
		set_send(&s[k], msg(first + k), msg_len(first + k), 0);
}

static void set_recv(struct mailbox_recv *r, void *buf, uint32_t size,
		     uint32_t flags)
{
	memset(r, 0, sizeof(*r));
	r->buf = (uintptr_t)buf;
	r->size = size;
	r->flags = flags;
	r->len = UNTOUCHED;
}

/* Entries 0 to @n - 1 receive into @bufs, filled with 0x5a. */
static void set_recvs(struct mailbox_recv *r, int n, char (*bufs)[BUF_MAX])
{
	int k;

	memset(bufs, 0x5a, n * BUF_MAX);
	for (k = 0; k < n; k++)
		set_recv(&r[k], bufs[k], BUF_MAX, 0);
}

/* Issue @cmd on @count entries at @msgs; *@b gets the batch as left. */
static int batch(int fd, unsigned long cmd, const void *msgs, uint32_t count,
		 struct mailbox_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->msgs = (uintptr_t)msgs;
	b->count = count;
	return mbt_ioctl(fd, cmd, b);
}

/*
 * A batch returned @ret and left @b: @want entries done and then @error,
 * or, when @want is an errno, failed at its first entry with done and
 * error left zero.
 */
static void expect_batch(struct __test_metadata *_metadata, int ret,
			 const struct mailbox_batch *b, int want, int error)
{
	EXPECT_EQ(want, ret);
	if (want <= 0)
		error = 0;
	EXPECT_EQ((uint32_t)(want > 0 ? want : 0), b->done);
	EXPECT_EQ(error, b->error);
}

/* Receive entry @r, with buffer @buf, got @want from @sender. */
static void expect_got(struct __test_metadata *_metadata,
		       const struct mailbox_recv *r, const char *buf,
		       const char *want, pid_t sender)
{
	uint32_t n = strlen(want);

	EXPECT_EQ(n, r->len);
	EXPECT_EQ(0, memcmp(buf, want, n))
		TH_LOG("expected \"%s\", got \"%.*s\"", want, (int)n, buf);
	EXPECT_EQ(0x5a, buf[n]);
	EXPECT_EQ(sender, r->sender_pid);
}

/* Receive @want (NULL: nothing) with a single non-blocking call. */
static void expect_recv(struct __test_metadata *_metadata, int fd,
			const char *want)
{
	struct mailbox_recv m;
	char buf[BUF_MAX];
	int ret;

	ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &m);
	if (!want) {
		ASSERT_EQ(-EAGAIN, ret);
		return;
	}
	ASSERT_EQ((int)strlen(want), ret) TH_LOG("expected \"%s\"", want);
	ASSERT_EQ(0, memcmp(buf, want, ret)) TH_LOG("expected \"%s\"", want);
}

/* The mailbox of @fd holds exactly the @n messages @want, in order. */
static void expect_msgs(struct __test_metadata *_metadata, int fd,
			const char *const *want, int n)
{
	int k;

	for (k = 0; k < n; k++)
		expect_recv(_metadata, fd, want[k]);
	expect_recv(_metadata, fd, NULL);
}

#define MSGS(...) ((const char *const []){ __VA_ARGS__ })
#define EXPECT_MSGS(fd, ...) \
	expect_msgs(_metadata, fd, MSGS(__VA_ARGS__), \
		    sizeof(MSGS(__VA_ARGS__)) / sizeof(const char *))

static void send1(struct __test_metadata *_metadata, int fd, int k)
{
	ASSERT_EQ(0, mbt_send(fd, msg(k), msg_len(k), MAILBOX_NONBLOCK, 0,
			      NULL));
}

/* Wait until STAT's @field of @fd's mailbox is @val. */
#define WAIT_INFO(fd, field, val)					\
	MBT_ASSERT_INFO(fd, field, val, SLACK_MS)

/* ---- memory that faults ---------------------------------------------- */

static char *none(struct env *e)
{
	return e->pg + e->page;
}

/* @size bytes of @src in the page that can be read but not written. */
static void *ro_copy(struct __test_metadata *_metadata, struct env *e,
		     const void *src, size_t size)
{
	char *ro = e->pg + 2 * e->page;

	ASSERT_EQ(0, mprotect(ro, e->page, PROT_READ | PROT_WRITE));
	memcpy(ro, src, size);
	ASSERT_EQ(0, mprotect(ro, e->page, PROT_READ));
	return ro;
}

/* ---- fixture ---------------------------------------------------------- */

static void env_setup(struct __test_metadata *_metadata, struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->owner = getpid();
	e->fd = -1;
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox loaded?");
	e->sh = mbt_shared(sizeof(*e->sh));
	ASSERT_TRUE(e->sh != NULL);
	g_shared = e->sh;
	e->page = sysconf(_SC_PAGESIZE);
	e->pg = mmap(NULL, 3 * e->page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(e->pg != MAP_FAILED);
	ASSERT_EQ(0, mprotect(none(e), e->page, PROT_NONE));
	ASSERT_EQ(0, mprotect(e->pg + 2 * e->page, e->page, PROT_READ));
}

/*
 * FIXTURE_TEARDOWN_PARENT, as in mailbox_transfer.c: a failed ASSERT skips
 * a plain teardown. Only the test's process owns the children (they also
 * die with it: mbt_spawn); either process can unlink.
 */
static void env_teardown(struct env *e)
{
	int i;

	if (e->owner == getpid())
		mbt_kill_all(&e->kids);
	for (i = 0; i < e->nnames; i++)
		mbt_unlink(e->names[i]);
}

/*
 * Create a mailbox and return a new descriptor bound to it with @access;
 * the first one is e->fd, the one children open.
 */
static int box(struct __test_metadata *_metadata, struct env *e,
	       uint32_t capacity, uint32_t delivery, uint32_t access)
{
	char *name = e->names[e->nnames];
	int fd;

	ASSERT_GT(MAX_NAMES, e->nnames);
	mbt_name(name, "batch");
	fd = mbt_create_ex(name, MAILBOX_CREATE_EXCL, access, 0600, capacity,
			   MSG_MAX, delivery);
	ASSERT_LE(0, fd) TH_LOG("create %s: %s", name, strerror(-fd));
	e->nnames++;
	if (e->fd < 0)
		e->fd = fd;
	return fd;
}

static int queue_box(struct __test_metadata *_metadata, struct env *e,
		     uint32_t capacity)
{
	return box(_metadata, e, capacity, MAILBOX_DELIVER_QUEUE,
		   MAILBOX_ACCESS_ALL);
}

/* A descriptor bound to this process's direct mailbox. */
static int direct_box(struct __test_metadata *_metadata, uint32_t capacity)
{
	int fd = mbt_open_direct(capacity, MSG_MAX, MAILBOX_DELIVER_QUEUE);

	ASSERT_LE(0, fd) TH_LOG("open direct: %s", strerror(-fd));
	return fd;
}

/* ---- children --------------------------------------------------------- */

static int kid_run(struct env *e, int idx, const struct job *job)
{
	struct kid *k = &e->sh->kid[idx];
	int fd = mbt_open(e->names[0], MAILBOX_ACCESS_ALL);
	uint32_t i;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(job->count <= NENT);
	if (job->handler != NO_HANDLER)
		MBT_CHILD_CHECK(!mbt_install_handler(on_signal,
				job->handler == HANDLER_RESTART));
	if (job->recv)
		set_recvs(k->r, job->count, k->data);
	else
		set_sends(k->s, job->count, job->first);
	for (i = 0; job->ro_buf && i < job->count; i++)
		k->r[i].buf = (uintptr_t)(e->pg + 2 * e->page);
	k->t_start = mbt_now_ns();
	k->ret = batch(fd, job->recv ? RECV : SEND,
		       job->recv ? (void *)k->r : (void *)k->s, job->count,
		       &k->b);
	k->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

struct kid_arg {
	struct env *e;
	int idx;
	const struct job *job;
};

static int kid_main(void *p)
{
	struct kid_arg *a = p;

	return kid_run(a->e, a->idx, a->job);
}

/* Start a child running @job, reporting into kid slot @idx. */
static pid_t spawn_kid(struct __test_metadata *_metadata, struct env *e,
		       int idx, const struct job *job)
{
	struct kid_arg a = { e, idx, job };
	pid_t pid;

	memset(&e->sh->kid[idx], 0, sizeof(e->sh->kid[idx]));
	e->sh->kid[idx].ret = NOT_DONE;
	pid = mbt_spawn(&e->kids, kid_main, &a);
	ASSERT_LT(0, pid);
	e->pid[idx] = pid;
	e->status[idx] = -1;
	return pid;
}

static int reap(struct __test_metadata *_metadata, struct env *e, int idx)
{
	int status;

	if (e->status[idx] == -1) {
		ASSERT_EQ(0, mbt_reap(&e->kids, e->pid[idx], &status,
				      SLACK_MS))
			TH_LOG("child %d did not finish", idx);
		e->status[idx] = status;
	}
	return e->status[idx];
}

/* Reap child @idx, which must have exited 0; returns its batch. */
static struct kid *done(struct __test_metadata *_metadata, struct env *e,
			int idx)
{
	int status = reap(_metadata, e, idx);

	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_NE(NOT_DONE, e->sh->kid[idx].ret);
	return &e->sh->kid[idx];
}

static uint64_t elapsed_ms(const struct kid *k)
{
	return (k->t_end - k->t_start) / MS;
}

/*
 * A fixture whose data is a struct env, set up by env_setup() and torn
 * down by env_teardown(). FIXTURE() declares the variant struct, so a
 * FIXTURE_VARIANT() may follow.
 */
#define ENV_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct env e;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		env_setup(_metadata, &self->e);				\
	}								\
	FIXTURE_TEARDOWN_PARENT(name)					\
	{								\
		env_teardown(&self->e);					\
	}								\
	struct env

ENV_FIXTURE(batch);

/* ---- tests ------------------------------------------------------------ */

/* VERSION lists both ioctls; the structure is the same for -m32. */
TEST_F_TIMEOUT(batch, version_and_layout, TIMEOUT_S)
{
	struct mailbox_version v;
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, mbt_ioctl(fd, MAILBOX_IOC_VERSION, &v));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(SEND)));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(RECV)));
	EXPECT_EQ(0x0b, (int)_IOC_NR(SEND));
	EXPECT_EQ(0x0c, (int)_IOC_NR(RECV));
	EXPECT_EQ(40, (int)sizeof(struct mailbox_batch));
	EXPECT_EQ(40, (int)_IOC_SIZE(SEND));
	EXPECT_EQ(40, (int)_IOC_SIZE(RECV));
	EXPECT_EQ(24, (int)offsetof(struct mailbox_batch, reserved));
	close(fd);
}

/*
 * Ten messages of different lengths out in one batch and back in one of
 * sixteen: all ten, in order, with their metadata; the eleventh entry
 * would have slept.
 */
TEST_F_TIMEOUT(batch, send_recv_in_order, TIMEOUT_S)
{
	struct env *e = &self->e;
	struct mailbox_send s[10];
	struct mailbox_recv r[NENT];
	char bufs[NENT][BUF_MAX];
	struct mailbox_batch b;
	struct mailbox_info i;
	uint64_t t0, t1, bytes = 0;
	int fd = queue_box(_metadata, e, 16), k, ret;

	set_sends(s, 10, 0);
	t0 = mbt_now_ns();
	ret = batch(fd, SEND, s, 10, &b);
	t1 = mbt_now_ns();
	expect_batch(_metadata, ret, &b, 10, 0);
	for (k = 0; k < 10; k++) {
		EXPECT_EQ(1U, s[k].receivers);
		EXPECT_EQ(0, s[k].receiver_pid);
		bytes += msg_len(k);
	}
	info(_metadata, fd, &i);
	EXPECT_EQ(10U, i.depth);
	EXPECT_EQ(bytes, i.bytes);
	EXPECT_EQ(msg_len(0), i.next_len);
	EXPECT_EQ(10U, i.sent);

	set_recvs(r, NENT, bufs);
	ret = batch(fd, RECV, r, NENT, &b);
	expect_batch(_metadata, ret, &b, 10, -EAGAIN);
	for (k = 0; k < 10; k++) {
		expect_got(_metadata, &r[k], bufs[k], msg(k), getpid());
		EXPECT_EQ(geteuid(), r[k].sender_uid);
		EXPECT_EQ(0U, r[k].priority);
		EXPECT_LE(t0, r[k].send_time_ns);
		EXPECT_GE(t1, r[k].send_time_ns);
		if (k)
			EXPECT_LE(r[k - 1].send_time_ns, r[k].send_time_ns);
	}
	for (k = 10; k < NENT; k++) {
		EXPECT_EQ(UNTOUCHED, r[k].len);
		EXPECT_EQ(0x5a, bufs[k][0]);
	}
	expect_counts(_metadata, fd, 0, 10, 10);
	expect_blocked(_metadata, fd, 0, 0);
}

/* Six entries, room for four: four go, the rest is not queued. */
TEST_F_TIMEOUT(batch, send_past_room, TIMEOUT_S)
{
	struct env *e = &self->e;
	struct mailbox_send s[6];
	struct mailbox_recv r[4];
	char bufs[4][BUF_MAX];
	struct mailbox_batch b;
	int fd = queue_box(_metadata, e, 4), k;

	set_sends(s, 6, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 6, &b), &b, 4, -EAGAIN);
	EXPECT_EQ(1U, s[3].receivers);
	EXPECT_EQ(UNTOUCHED, s[5].receivers);
	expect_counts(_metadata, fd, 4, 4, 0);

	/* A receive batch of exactly what is there: error 0. */
	set_recvs(r, 4, bufs);
	expect_batch(_metadata, batch(fd, RECV, r, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		expect_got(_metadata, &r[k], bufs[k], msg(k), getpid());
	expect_recv(_metadata, fd, NULL);
	expect_counts(_metadata, fd, 0, 4, 4);
}

/* MAILBOX_BATCH_MAX entries each way. */
TEST_F_TIMEOUT(batch, max_count, TIMEOUT_S)
{
	static struct mailbox_send s[MAILBOX_BATCH_MAX];
	static struct mailbox_recv r[MAILBOX_BATCH_MAX];
	static uint16_t out[MAILBOX_BATCH_MAX], in[MAILBOX_BATCH_MAX];
	struct env *e = &self->e;
	struct mailbox_batch b;
	int fd, k, bad = 0;

	fd = queue_box(_metadata, e, MAILBOX_BATCH_MAX);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++) {
		out[k] = k;
		set_send(&s[k], &out[k], sizeof(out[k]), 0);
		set_recv(&r[k], &in[k], sizeof(in[k]), 0);
	}
	expect_batch(_metadata, batch(fd, SEND, s, MAILBOX_BATCH_MAX, &b), &b,
		     MAILBOX_BATCH_MAX, 0);
	expect_counts(_metadata, fd, MAILBOX_BATCH_MAX, MAILBOX_BATCH_MAX, 0);
	expect_batch(_metadata, batch(fd, RECV, r, MAILBOX_BATCH_MAX, &b), &b,
		     MAILBOX_BATCH_MAX, 0);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++)
		if (in[k] != k || r[k].len != sizeof(in[k]))
			bad++;
	EXPECT_EQ(0, bad);
	expect_counts(_metadata, fd, 0, MAILBOX_BATCH_MAX, MAILBOX_BATCH_MAX);
}

/* On an empty mailbox the first entry sleeps until a message comes. */
TEST_F_TIMEOUT(batch, recv_first_entry_sleeps, TIMEOUT_S)
{
	const struct job job = { .recv = true, .count = 4 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 8);
	struct kid *k;

	spawn_kid(_metadata, e, 0, &job);
	WAIT_INFO(fd, receivers_waiting, 1);
	mbt_sleep_ms(SLEEP_MS);
	send1(_metadata, fd, 5);
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
	expect_got(_metadata, &k->r[0], k->data[0], msg(5), getpid());
	EXPECT_EQ(UNTOUCHED, k->r[1].len);
	EXPECT_EQ(UNTOUCHED, k->r[2].len);
	EXPECT_LE((uint64_t)SLEEP_MS, elapsed_ms(k));
	expect_blocked(_metadata, fd, 0, 1);
	expect_counts(_metadata, fd, 0, 1, 1);
}

/*
 * A receive batch asleep on an empty mailbox, a send batch of three: the
 * sleeping entry is handed the first message, the later ones take what is
 * queued when they run (all of it, as the send batch wakes the receiver
 * only when it ends), the rest stays queued. Each message arrives once,
 * in order.
 */
TEST_F_TIMEOUT(batch, send_batch_wakes_recv_batch, TIMEOUT_S)
{
	const struct job job = { .recv = true, .count = 4 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 8), n;
	struct mailbox_send s[3];
	struct mailbox_batch b;
	struct kid *k;

	spawn_kid(_metadata, e, 0, &job);
	WAIT_INFO(fd, receivers_waiting, 1);
	mbt_sleep_ms(SLEEP_MS);		/* asleep, not about to sleep */
	set_sends(s, 3, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 3, &b), &b, 3, 0);
	k = done(_metadata, e, 0);
	ASSERT_LE(1, k->ret);
	ASSERT_GE(3, k->ret);
	if (k->ret < 3)
		TH_LOG("the receiver ran before the send batch ended");
	EXPECT_EQ((uint32_t)k->ret, k->b.done);
	EXPECT_EQ(-EAGAIN, k->b.error);
	for (n = 0; n < k->ret; n++)
		expect_got(_metadata, &k->r[n], k->data[n], msg(n), getpid());
	for (; n < 3; n++)
		expect_recv(_metadata, fd, msg(n));
	expect_recv(_metadata, fd, NULL);
	expect_counts(_metadata, fd, 0, 3, 3);
}

/* On a full mailbox the first entry sleeps until there is room. */
TEST_F_TIMEOUT(batch, send_first_entry_sleeps, TIMEOUT_S)
{
	const struct job job = { .count = 3, .first = 2 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 2);
	struct mailbox_info i;
	struct kid *k;

	send1(_metadata, fd, 0);
	send1(_metadata, fd, 1);
	spawn_kid(_metadata, e, 0, &job);
	WAIT_INFO(fd, senders_waiting, 1);
	info(_metadata, fd, &i);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	mbt_sleep_ms(SLEEP_MS);
	/* one slot: the sleeping entry's message takes it, no more */
	expect_recv(_metadata, fd, msg(0));
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(1U, k->s[0].receivers);
	EXPECT_EQ(UNTOUCHED, k->s[2].receivers);
	EXPECT_LE((uint64_t)SLEEP_MS, elapsed_ms(k));
	EXPECT_MSGS(fd, msg(1), msg(2));
	expect_blocked(_metadata, fd, 1, 0);
	expect_counts(_metadata, fd, 0, 3, 3);
}

/*
 * A receive batch on a full mailbox with senders asleep: each receive
 * lets the oldest sleeping sender in, so one batch takes everything.
 */
TEST_F_TIMEOUT(batch, recv_lets_sleeping_senders_in, TIMEOUT_S)
{
	const struct job job0 = { .count = 1, .first = 2 };
	const struct job job1 = { .count = 1, .first = 3 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 2), k;
	struct mailbox_recv r[8];
	char bufs[8][BUF_MAX];
	struct mailbox_batch b;
	struct kid *kid;

	send1(_metadata, fd, 0);
	send1(_metadata, fd, 1);
	spawn_kid(_metadata, e, 0, &job0);
	WAIT_INFO(fd, senders_waiting, 1);
	spawn_kid(_metadata, e, 1, &job1);
	WAIT_INFO(fd, senders_waiting, 2);

	set_recvs(r, 8, bufs);
	expect_batch(_metadata, batch(fd, RECV, r, 8, &b), &b, 4, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(0), getpid());
	expect_got(_metadata, &r[1], bufs[1], msg(1), getpid());
	expect_got(_metadata, &r[2], bufs[2], msg(2), e->pid[0]);
	expect_got(_metadata, &r[3], bufs[3], msg(3), e->pid[1]);
	for (k = 0; k < 2; k++) {
		kid = done(_metadata, e, k);
		/* all of a one-entry batch done: error 0 */
		expect_batch(_metadata, kid->ret, &kid->b, 1, 0);
		EXPECT_EQ(1U, kid->s[0].receivers);
	}
	expect_counts(_metadata, fd, 0, 4, 4);
}

/* O_NONBLOCK and O_RDWR on the mailbox @name. */
static int open_nonblock(struct __test_metadata *_metadata, const char *name)
{
	int fd = open(MBOX_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	struct mailbox_open o;

	ASSERT_LE(0, fd);
	memset(&o, 0, sizeof(o));
	mbt_set_name(o.name, name);
	o.access = MAILBOX_ACCESS_ALL;
	ASSERT_EQ(0, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));
	return fd;
}

/*
 * A first entry that may not sleep (MAILBOX_NONBLOCK, an O_NONBLOCK
 * descriptor) fails with -EAGAIN where it would: the call returns that,
 * done and error stay 0, nothing moves.
 */
TEST_F_TIMEOUT(batch, first_entry_nonblock, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 1), nfd, rdv;
	struct mailbox_send s[2];
	struct mailbox_recv r[2];
	char bufs[2][BUF_MAX];
	struct mailbox_batch b;
	struct mailbox_info i;

	set_recvs(r, 2, bufs);
	r[0].flags = MAILBOX_NONBLOCK;
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -EAGAIN, 0);
	EXPECT_EQ(UNTOUCHED, r[0].len);

	send1(_metadata, fd, 0);
	set_sends(s, 2, 1);
	s[0].flags = MAILBOX_NONBLOCK;
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -EAGAIN, 0);

	nfd = open_nonblock(_metadata, e->names[0]);
	set_sends(s, 2, 1);
	expect_batch(_metadata, batch(nfd, SEND, s, 2, &b), &b, -EAGAIN, 0);
	expect_recv(_metadata, fd, msg(0));
	set_recvs(r, 2, bufs);
	expect_batch(_metadata, batch(nfd, RECV, r, 2, &b), &b, -EAGAIN, 0);
	expect_counts(_metadata, fd, 0, 1, 1);
	expect_blocked(_metadata, fd, 0, 0);

	/* a rendezvous send with no receiver waiting */
	rdv = queue_box(_metadata, e, 0);
	set_sends(s, 2, 1);
	s[0].flags = MAILBOX_NONBLOCK;
	expect_batch(_metadata, batch(rdv, SEND, s, 2, &b), &b, -EAGAIN, 0);
	info(_metadata, rdv, &i);
	EXPECT_EQ(0U, i.sent);
	EXPECT_EQ(0U, i.send_blocked);
}

/*
 * A first entry with MAILBOX_DEADLINE: in the past it fails at once with
 * -ETIMEDOUT, else it sleeps until the deadline.
 */
TEST_F_TIMEOUT(batch, first_entry_deadline, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 1);
	struct mailbox_send s[2];
	struct mailbox_recv r[2];
	char bufs[2][BUF_MAX];
	struct mailbox_batch b;
	uint64_t t0;

	set_recvs(r, 2, bufs);
	r[0].flags = MAILBOX_DEADLINE;
	r[0].deadline_ns = 1;
	t0 = mbt_now_ns();
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_GT(SLACK_MS * MS, mbt_now_ns() - t0);
	expect_blocked(_metadata, fd, 0, 0);

	r[0].deadline_ns = mbt_deadline_ms(SLEEP_MS);
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_LE(r[0].deadline_ns, mbt_now_ns());
	EXPECT_EQ(UNTOUCHED, r[0].len);
	expect_blocked(_metadata, fd, 0, 1);

	send1(_metadata, fd, 0);
	set_sends(s, 2, 1);
	s[0].flags = MAILBOX_DEADLINE;
	s[0].deadline_ns = 1;
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -ETIMEDOUT, 0);
	s[0].deadline_ns = mbt_deadline_ms(SLEEP_MS);
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -ETIMEDOUT, 0);
	EXPECT_LE(s[0].deadline_ns, mbt_now_ns());
	expect_blocked(_metadata, fd, 1, 1);
	EXPECT_MSGS(fd, msg(0));
	expect_counts(_metadata, fd, 0, 1, 1);
}

/*
 * Later entries never sleep, whatever their flags: a delivery wait, a
 * deadline far ahead or past, all end the batch with -EAGAIN at once.
 */
TEST_F_TIMEOUT(batch, later_entries_never_sleep, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 2);
	struct mailbox_send s[3];
	struct mailbox_recv r[3];
	char bufs[3][BUF_MAX];
	struct mailbox_batch b;
	uint64_t t0 = mbt_now_ns();

	/* no receiver to wait for */
	set_sends(s, 2, 0);
	s[1].flags = MAILBOX_SEND_WAIT;
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, 1, -EAGAIN);
	/* no room, with a deadline far ahead */
	set_sends(s, 3, 1);
	s[1].flags = MAILBOX_DEADLINE;
	s[1].deadline_ns = mbt_deadline_ms(BLOCK_MS);
	expect_batch(_metadata, batch(fd, SEND, s, 3, &b), &b, 1, -EAGAIN);
	EXPECT_EQ(UNTOUCHED, s[2].receivers);
	/* nothing left, deadline past: -EAGAIN, not -ETIMEDOUT */
	set_recvs(r, 3, bufs);
	r[2].flags = MAILBOX_DEADLINE;
	r[2].deadline_ns = 1;
	expect_batch(_metadata, batch(fd, RECV, r, 3, &b), &b, 2, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(0), getpid());
	expect_got(_metadata, &r[1], bufs[1], msg(1), getpid());
	/* nothing left, deadline ahead */
	send1(_metadata, fd, 3);
	set_recvs(r, 2, bufs);
	r[1].flags = MAILBOX_DEADLINE;
	r[1].deadline_ns = mbt_deadline_ms(BLOCK_MS);
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, 1, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(3), getpid());

	EXPECT_GT(SLACK_MS * MS, mbt_now_ns() - t0);
	expect_blocked(_metadata, fd, 0, 0);
	expect_counts(_metadata, fd, 0, 3, 3);
}

/* A struct mailbox_batch the kernel must refuse with -EINVAL. */
static const struct mailbox_batch bad_batches[] = {
	{ .count = 0 },
	{ .count = MAILBOX_BATCH_MAX + 1 },
	{ .count = UINT32_MAX },
	{ .count = 1, .flags = 1 },
	{ .count = 1, .flags = 0x80000000 },
	{ .count = 1, .done = 1 },
	{ .count = 1, .error = -EAGAIN },
	{ .count = 1, .reserved = { 1, 0 } },
	{ .count = 1, .reserved = { 0, 1ULL << 63 } },
};

/* Bad count, flags, done, error or reserved: -EINVAL, nothing moved. */
TEST_F_TIMEOUT(batch, invalid_batch, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4);
	struct mailbox_send s[1];
	struct mailbox_recv r[1];
	char bufs[1][BUF_MAX];
	struct mailbox_batch b;
	size_t i;

	send1(_metadata, fd, 0);
	set_sends(s, 1, 1);
	set_recvs(r, 1, bufs);
	for (i = 0; i < ARRAY_SIZE(bad_batches); i++) {
		b = bad_batches[i];
		b.msgs = (uintptr_t)s;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, SEND, &b))
			TH_LOG("send batch %zu", i);
		b = bad_batches[i];
		b.msgs = (uintptr_t)r;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, RECV, &b))
			TH_LOG("receive batch %zu", i);
	}
	EXPECT_EQ(UNTOUCHED, s[0].receivers);
	EXPECT_EQ(UNTOUCHED, r[0].len);
	expect_counts(_metadata, fd, 1, 1, 0);
	EXPECT_MSGS(fd, msg(0));
}

/*
 * Entries that cannot be read, or read but not written: -EFAULT and
 * nothing moved. A receive whose entry cannot take the results leaves the
 * message queued.
 */
TEST_F_TIMEOUT(batch, bad_entries_pointer, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4);
	const uint64_t bad[] = {
		0, 1, (uintptr_t)none(e), (uintptr_t)(none(e) - 8), KERNEL_PTR,
	};
	struct mailbox_send s[1];
	struct mailbox_recv r[1];
	char bufs[1][BUF_MAX];
	struct mailbox_batch b;
	size_t i;

	send1(_metadata, fd, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&b, 0, sizeof(b));
		b.msgs = bad[i];
		b.count = 1;
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND, &b))
			TH_LOG("msgs %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(0U, b.done);
		EXPECT_EQ(0, b.error);
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV, &b))
			TH_LOG("msgs %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(0U, b.done);
		EXPECT_EQ(0, b.error);
	}
	set_sends(s, 1, 1);
	expect_batch(_metadata, batch(fd, SEND,
				      ro_copy(_metadata, e, s, sizeof(s)), 1,
				      &b), &b, -EFAULT, 0);
	set_recvs(r, 1, bufs);
	expect_batch(_metadata, batch(fd, RECV,
				      ro_copy(_metadata, e, r, sizeof(r)), 1,
				      &b), &b, -EFAULT, 0);
	expect_counts(_metadata, fd, 1, 1, 0);
	EXPECT_MSGS(fd, msg(0));
}

/*
 * The batch structure itself unreadable, or readable but not writable
 * (done and error could not be stored): -EFAULT, nothing moved.
 */
TEST_F_TIMEOUT(batch, bad_batch_pointer, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4);
	void *const bad[] = {
		NULL, (void *)1, none(e), none(e) - 8,
		(void *)(uintptr_t)KERNEL_PTR,
	};
	struct mailbox_send s[1];
	struct mailbox_recv r[1];
	char bufs[1][BUF_MAX];
	struct mailbox_batch b;
	size_t i;

	send1(_metadata, fd, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND, bad[i]))
			TH_LOG("batch at %p", bad[i]);
		EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV, bad[i]))
			TH_LOG("batch at %p", bad[i]);
	}
	set_sends(s, 1, 1);
	memset(&b, 0, sizeof(b));
	b.msgs = (uintptr_t)s;
	b.count = 1;
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SEND,
				     ro_copy(_metadata, e, &b, sizeof(b))));
	EXPECT_EQ(UNTOUCHED, s[0].receivers);
	set_recvs(r, 1, bufs);
	b.msgs = (uintptr_t)r;
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECV,
				     ro_copy(_metadata, e, &b, sizeof(b))));
	EXPECT_EQ(UNTOUCHED, r[0].len);
	expect_counts(_metadata, fd, 1, 1, 0);
	EXPECT_MSGS(fd, msg(0));
}

/*
 * An unbound descriptor: receive batches fail with -EBADFD, and so do
 * send entries for the bound mailbox; entries by pid go.
 */
TEST_F_TIMEOUT(batch, unbound_descriptor, TIMEOUT_S)
{
	int ufd = mbt_dev(), dfd;
	struct mailbox_send s[2];
	struct mailbox_recv r[1];
	char bufs[1][BUF_MAX];
	struct mailbox_batch b;

	ASSERT_LE(0, ufd);
	set_recvs(r, 1, bufs);
	expect_batch(_metadata, batch(ufd, RECV, r, 1, &b), &b, -EBADFD, 0);
	set_sends(s, 2, 0);
	expect_batch(_metadata, batch(ufd, SEND, s, 2, &b), &b, -EBADFD, 0);

	dfd = direct_box(_metadata, 8);
	set_sends(s, 2, 0);
	s[0].to_pid = getpid();
	s[1].to_pid = getpid();
	expect_batch(_metadata, batch(ufd, SEND, s, 2, &b), &b, 2, 0);
	EXPECT_EQ(1U, s[0].receivers);
	EXPECT_EQ(1U, s[1].receivers);
	/* a to_pid 0 entry after one by pid ends the batch */
	set_sends(s, 2, 2);
	s[0].to_pid = getpid();
	expect_batch(_metadata, batch(ufd, SEND, s, 2, &b), &b, 1, -EBADFD);
	EXPECT_MSGS(dfd, msg(0), msg(1), msg(2));
	expect_counts(_metadata, dfd, 0, 3, 3);
}

/*
 * Access: a receive batch needs MAILBOX_ACCESS_RECV, send entries for the
 * bound mailbox MAILBOX_ACCESS_SEND (-EBADF); entries by pid need neither.
 */
TEST_F_TIMEOUT(batch, descriptor_access, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4), sfd, rfd, dfd;
	struct mailbox_send s[2];
	struct mailbox_recv r[1];
	char bufs[1][BUF_MAX];
	struct mailbox_batch b;

	sfd = mbt_open(e->names[0], MAILBOX_ACCESS_SEND);
	ASSERT_LE(0, sfd);
	rfd = mbt_open(e->names[0], MAILBOX_ACCESS_RECV);
	ASSERT_LE(0, rfd);
	dfd = direct_box(_metadata, 8);
	send1(_metadata, fd, 0);

	set_recvs(r, 1, bufs);
	expect_batch(_metadata, batch(sfd, RECV, r, 1, &b), &b, -EBADF, 0);
	set_sends(s, 2, 1);
	expect_batch(_metadata, batch(rfd, SEND, s, 2, &b), &b, -EBADF, 0);
	set_sends(s, 2, 1);
	s[0].to_pid = getpid();
	expect_batch(_metadata, batch(rfd, SEND, s, 2, &b), &b, 1, -EBADF);
	set_recvs(r, 1, bufs);
	expect_batch(_metadata, batch(rfd, RECV, r, 1, &b), &b, 1, 0);
	expect_got(_metadata, &r[0], bufs[0], msg(0), getpid());
	EXPECT_MSGS(dfd, msg(1));
	expect_counts(_metadata, fd, 0, 1, 1);
}

/*
 * The first entry's errors are the call's, as the single call would
 * return them, and nothing moves.
 */
TEST_F_TIMEOUT(batch, first_entry_errors, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4);
	struct mailbox_send s[2];
	struct mailbox_recv r[2];
	char bufs[2][BUF_MAX];
	struct mailbox_batch b;

	set_sends(s, 2, 0);
	set_send(&s[0], e->pg, MSG_MAX + 1, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -EMSGSIZE, 0);
	set_sends(s, 2, 0);
	s[0].flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE;
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -EINVAL, 0);
	set_sends(s, 2, 0);
	s[0].buf = (uintptr_t)none(e);
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -EFAULT, 0);
	set_sends(s, 2, 0);
	s[0].to_pid = getppid();	/* has no direct mailbox */
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, -ESRCH, 0);
	expect_counts(_metadata, fd, 0, 0, 0);

	send1(_metadata, fd, 3);
	set_recvs(r, 2, bufs);
	r[0].size = msg_len(3) - 1;
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -EMSGSIZE, 0);
	EXPECT_EQ(msg_len(3), r[0].len);
	EXPECT_EQ(UNTOUCHED, r[1].len);
	set_recvs(r, 2, bufs);
	r[0].buf = (uintptr_t)none(e);
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -EFAULT, 0);
	set_recvs(r, 2, bufs);
	r[0].reserved0 = 1;
	expect_batch(_metadata, batch(fd, RECV, r, 2, &b), &b, -EINVAL, 0);
	expect_counts(_metadata, fd, 1, 1, 0);
	EXPECT_MSGS(fd, msg(3));
}

/* ---- an entry's error ends the batch ---------------------------------- */

/*
 * Entry 2 of 4 sends wrongly, as spoiled by @spoil; or, with @straddle,
 * it lies across the end of the readable memory. The batch returns 2 with
 * that entry's error, and exactly two messages are queued.
 */
ENV_FIXTURE(send_err);

FIXTURE_VARIANT(send_err) {
	int error;
	bool straddle;
	void (*spoil)(struct env *e, struct mailbox_send *s);
};

static void spoil_len(struct env *e, struct mailbox_send *s)
{
	set_send(s, e->pg, MSG_MAX + 1, 0);
}

static void spoil_reserved(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->reserved[1] = 1;
}

static void spoil_flags(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->flags = 0x100;
}

static void spoil_nonblock_deadline(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE;
	s->deadline_ns = mbt_deadline_ms(BLOCK_MS);
}

static void spoil_deadline(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->flags = MAILBOX_DEADLINE;
	s->deadline_ns = (uint64_t)INT64_MAX + 1;
}

static void spoil_priority(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->priority = 1;	/* not a priority mailbox */
}

static void spoil_buf(struct env *e, struct mailbox_send *s)
{
	s->buf = (uintptr_t)none(e);
}

static void spoil_to_pid(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->to_pid = -1;
}

static void spoil_no_direct(struct env *e, struct mailbox_send *s)
{
	(void)e;
	s->to_pid = getppid();	/* has no direct mailbox */
}

FIXTURE_VARIANT_ADD(send_err, too_long) {
	.error = -EMSGSIZE, .spoil = spoil_len };
FIXTURE_VARIANT_ADD(send_err, reserved) {
	.error = -EINVAL, .spoil = spoil_reserved };
FIXTURE_VARIANT_ADD(send_err, unknown_flag) {
	.error = -EINVAL, .spoil = spoil_flags };
FIXTURE_VARIANT_ADD(send_err, nonblock_and_deadline) {
	.error = -EINVAL, .spoil = spoil_nonblock_deadline };
FIXTURE_VARIANT_ADD(send_err, deadline_too_big) {
	.error = -EINVAL, .spoil = spoil_deadline };
FIXTURE_VARIANT_ADD(send_err, priority_on_queue) {
	.error = -EINVAL, .spoil = spoil_priority };
FIXTURE_VARIANT_ADD(send_err, unreadable_buf) {
	.error = -EFAULT, .spoil = spoil_buf };
FIXTURE_VARIANT_ADD(send_err, negative_to_pid) {
	.error = -EINVAL, .spoil = spoil_to_pid };
FIXTURE_VARIANT_ADD(send_err, no_direct_mailbox) {
	.error = -ESRCH, .spoil = spoil_no_direct };
FIXTURE_VARIANT_ADD(send_err, entry_unreadable) {
	.error = -EFAULT, .straddle = true };

TEST_F_TIMEOUT(send_err, entry_2_of_4, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 8);
	struct mailbox_send local[4], *s = local;
	struct mailbox_batch b;

	if (variant->straddle) {
		/* entries 0 and 1 readable, 2 only in its first 8 bytes */
		s = (struct mailbox_send *)(none(e) - 8 - 2 * sizeof(*s));
		set_sends(s, 2, 0);
	} else {
		set_sends(s, 4, 0);
		variant->spoil(e, &s[2]);
	}
	expect_batch(_metadata, batch(fd, SEND, s, 4, &b), &b, 2,
		     variant->error);
	EXPECT_EQ(1U, s[0].receivers);
	EXPECT_EQ(1U, s[1].receivers);
	if (!variant->straddle)
		EXPECT_EQ(UNTOUCHED, s[3].receivers);
	expect_counts(_metadata, fd, 2, 2, 0);
	EXPECT_MSGS(fd, msg(0), msg(1));
}

/*
 * Entry 1 of 3 receives wrongly, as spoiled by @spoil, or lies across the
 * end of the readable memory: the batch returns 1 with its error, and the
 * message it did not get stays first in the mailbox.
 */
ENV_FIXTURE(recv_err);

FIXTURE_VARIANT(recv_err) {
	int error;
	bool straddle;
	void (*spoil)(struct env *e, struct mailbox_recv *r);
};

static void spoil_small(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->size = msg_len(1) - 1;
}

static void spoil_unwritable(struct env *e, struct mailbox_recv *r)
{
	r->buf = (uintptr_t)none(e);
}

static void spoil_readonly(struct env *e, struct mailbox_recv *r)
{
	r->buf = (uintptr_t)(e->pg + 2 * e->page);
}

static void spoil_reserved0(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->reserved0 = 1;
}

static void spoil_recv_reserved(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->reserved[1] = 1ULL << 63;
}

static void spoil_recv_flags(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->flags = 0x100;
}

static void spoil_peek_buf(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->flags = MAILBOX_RECV_PEEK;
}

static void spoil_from_negative(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->from_pid = -1;
}

static void spoil_from_other(struct env *e, struct mailbox_recv *r)
{
	(void)e;
	r->from_pid = getppid();	/* alive, sent nothing */
}

FIXTURE_VARIANT_ADD(recv_err, buffer_too_small) {
	.error = -EMSGSIZE, .spoil = spoil_small };
FIXTURE_VARIANT_ADD(recv_err, buffer_unwritable) {
	.error = -EFAULT, .spoil = spoil_unwritable };
FIXTURE_VARIANT_ADD(recv_err, buffer_readonly) {
	.error = -EFAULT, .spoil = spoil_readonly };
FIXTURE_VARIANT_ADD(recv_err, reserved0) {
	.error = -EINVAL, .spoil = spoil_reserved0 };
FIXTURE_VARIANT_ADD(recv_err, reserved) {
	.error = -EINVAL, .spoil = spoil_recv_reserved };
FIXTURE_VARIANT_ADD(recv_err, unknown_flag) {
	.error = -EINVAL, .spoil = spoil_recv_flags };
FIXTURE_VARIANT_ADD(recv_err, peek_with_buffer) {
	.error = -EINVAL, .spoil = spoil_peek_buf };
FIXTURE_VARIANT_ADD(recv_err, negative_from_pid) {
	.error = -EINVAL, .spoil = spoil_from_negative };
/* would have to sleep for a message from that process */
FIXTURE_VARIANT_ADD(recv_err, from_pid_sent_nothing) {
	.error = -EAGAIN, .spoil = spoil_from_other };
FIXTURE_VARIANT_ADD(recv_err, entry_unreadable) {
	.error = -EFAULT, .straddle = true };

TEST_F_TIMEOUT(recv_err, entry_1_of_3, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 8), k;
	struct mailbox_recv local[3], *r = local;
	char bufs[3][BUF_MAX];
	struct mailbox_batch b;

	for (k = 0; k < 3; k++)
		send1(_metadata, fd, k);
	if (variant->straddle) {
		/* entry 0 readable, 1 only in its first 8 bytes */
		r = (struct mailbox_recv *)(none(e) - 8 - sizeof(*r));
		set_recvs(r, 1, bufs);
	} else {
		set_recvs(r, 3, bufs);
		variant->spoil(e, &r[1]);
	}
	expect_batch(_metadata, batch(fd, RECV, r, 3, &b), &b, 1,
		     variant->error);
	expect_got(_metadata, &r[0], bufs[0], msg(0), getpid());
	if (variant->error == -EMSGSIZE)
		EXPECT_EQ(msg_len(1), r[1].len);
	if (!variant->straddle)
		EXPECT_EQ(UNTOUCHED, r[2].len);
	expect_counts(_metadata, fd, 2, 3, 1);
	EXPECT_MSGS(fd, msg(1), msg(2));
}

/* ---- mailboxes of every kind ------------------------------------------ */

/* One batch to the bound mailbox and to the caller's direct mailbox. */
TEST_F_TIMEOUT(batch, bound_and_direct_mixed, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 8), dfd, k;
	struct mailbox_send s[5];
	struct mailbox_recv r[3];
	char bufs[3][BUF_MAX];
	struct mailbox_batch b;

	dfd = direct_box(_metadata, 8);
	set_sends(s, 5, 0);
	s[1].to_pid = getpid();
	s[3].to_pid = getpid();
	expect_batch(_metadata, batch(fd, SEND, s, 5, &b), &b, 5, 0);
	for (k = 0; k < 5; k++)
		EXPECT_EQ(1U, s[k].receivers);
	expect_counts(_metadata, fd, 3, 3, 0);
	expect_counts(_metadata, dfd, 2, 2, 0);
	set_recvs(r, 3, bufs);
	expect_batch(_metadata, batch(dfd, RECV, r, 3, &b), &b, 2, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(1), getpid());
	expect_got(_metadata, &r[1], bufs[1], msg(3), getpid());
	EXPECT_MSGS(fd, msg(0), msg(2), msg(4));
}

/* A direct mailbox that fills up ends a batch sent by pid. */
TEST_F_TIMEOUT(batch, direct_full, TIMEOUT_S)
{
	int ufd = mbt_dev(), dfd = direct_box(_metadata, 2), k;
	struct mailbox_send s[3];
	struct mailbox_batch b;

	ASSERT_LE(0, ufd);
	set_sends(s, 3, 0);
	for (k = 0; k < 3; k++)
		s[k].to_pid = getpid();
	expect_batch(_metadata, batch(ufd, SEND, s, 3, &b), &b, 2, -EAGAIN);
	EXPECT_MSGS(dfd, msg(0), msg(1));
}

/* Per-entry priorities, received highest first, FIFO within one. */
TEST_F_TIMEOUT(batch, priority_mailbox, TIMEOUT_S)
{
	static const uint32_t prio[] = { 0, 5, 31, 5, 0 };
	static const int order[] = { 2, 1, 3, 0, 4 };
	struct env *e = &self->e;
	struct mailbox_send s[6];
	struct mailbox_recv r[8];
	char bufs[8][BUF_MAX];
	struct mailbox_batch b;
	int fd, k;

	fd = box(_metadata, e, 8, MAILBOX_DELIVER_PRIORITY,
		 MAILBOX_ACCESS_ALL);
	set_sends(s, 6, 0);
	for (k = 0; k < 5; k++)
		s[k].priority = prio[k];
	s[5].priority = MAILBOX_PRIO_MAX + 1;
	expect_batch(_metadata, batch(fd, SEND, s, 6, &b), &b, 5, -EINVAL);
	set_recvs(r, 8, bufs);
	expect_batch(_metadata, batch(fd, RECV, r, 8, &b), &b, 5, -EAGAIN);
	for (k = 0; k < 5; k++) {
		expect_got(_metadata, &r[k], bufs[k], msg(order[k]), getpid());
		EXPECT_EQ(prio[order[k]], r[k].priority);
	}
	expect_counts(_metadata, fd, 0, 5, 5);
}

static void expect_backlog(struct __test_metadata *_metadata, int fd,
			   uint32_t backlog)
{
	struct mailbox_info i;

	info(_metadata, fd, &i);
	EXPECT_EQ(backlog, i.backlog);
}

/*
 * Broadcast: every entry reaches every subscriber (entry.receivers), or
 * nobody; each subscriber's receive batch gets them in order; the slowest
 * subscriber ends a send batch; MAILBOX_SEND_WAIT is refused mid-batch.
 */
TEST_F_TIMEOUT(batch, broadcast_mailbox, TIMEOUT_S)
{
	struct env *e = &self->e;
	struct mailbox_send s[5];
	struct mailbox_recv r[NENT];
	char bufs[NENT][BUF_MAX];
	struct mailbox_batch b;
	int fd, sub[3], k;

	fd = box(_metadata, e, 8, MAILBOX_DELIVER_BROADCAST,
		 MAILBOX_ACCESS_SEND);
	/* nobody subscribed: every entry goes, to nobody */
	set_sends(s, 4, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(0U, s[k].receivers);
	expect_counts(_metadata, fd, 0, 4, 4);

	for (k = 0; k < 3; k++) {
		sub[k] = mbt_open(e->names[0], MAILBOX_ACCESS_RECV);
		ASSERT_LE(0, sub[k]);
	}
	set_sends(s, 4, 4);
	expect_batch(_metadata, batch(fd, SEND, s, 4, &b), &b, 4, 0);
	for (k = 0; k < 4; k++)
		EXPECT_EQ(3U, s[k].receivers);

	set_recvs(r, NENT, bufs);
	expect_batch(_metadata, batch(sub[0], RECV, r, NENT, &b), &b, 4,
		     -EAGAIN);
	for (k = 0; k < 4; k++)
		expect_got(_metadata, &r[k], bufs[k], msg(4 + k), getpid());
	set_recvs(r, 2, bufs);
	expect_batch(_metadata, batch(sub[1], RECV, r, 2, &b), &b, 2, 0);
	expect_got(_metadata, &r[1], bufs[1], msg(5), getpid());
	expect_backlog(_metadata, sub[1], 2);
	expect_backlog(_metadata, sub[2], 4);

	set_sends(s, 2, 8);
	s[1].flags = MAILBOX_SEND_WAIT;
	expect_batch(_metadata, batch(fd, SEND, s, 2, &b), &b, 1, -EINVAL);
	EXPECT_EQ(3U, s[0].receivers);
	/* sub[2] has 5 of 8 unread: room for 3 */
	set_sends(s, 5, 9);
	expect_batch(_metadata, batch(fd, SEND, s, 5, &b), &b, 3, -EAGAIN);
	EXPECT_EQ(UNTOUCHED, s[4].receivers);
	expect_backlog(_metadata, sub[2], 8);

	set_recvs(r, NENT, bufs);
	expect_batch(_metadata, batch(sub[2], RECV, r, NENT, &b), &b, 8,
		     -EAGAIN);
	for (k = 0; k < 8; k++)
		expect_got(_metadata, &r[k], bufs[k], msg(4 + k), getpid());
	set_recvs(r, NENT, bufs);
	expect_batch(_metadata, batch(sub[1], RECV, r, NENT, &b), &b, 6,
		     -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(6), getpid());
	expect_got(_metadata, &r[5], bufs[5], msg(11), getpid());
	expect_backlog(_metadata, sub[0], 4);
}

/*
 * PEEK entries describe the next message without taking it, so a receive
 * after a peek gets the message the peek described.
 */
TEST_F_TIMEOUT(batch, peek_entries, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4), k;
	struct mailbox_recv r[5];
	char bufs[5][BUF_MAX];
	struct mailbox_batch b;

	send1(_metadata, fd, 0);
	send1(_metadata, fd, 1);
	set_recvs(r, 5, bufs);
	for (k = 0; k < 5; k += 2)
		set_recv(&r[k], NULL, 0, MAILBOX_RECV_PEEK);
	expect_batch(_metadata, batch(fd, RECV, r, 5, &b), &b, 4, -EAGAIN);
	EXPECT_EQ(msg_len(0), r[0].len);
	EXPECT_EQ(getpid(), r[0].sender_pid);
	expect_got(_metadata, &r[1], bufs[1], msg(0), getpid());
	EXPECT_EQ(msg_len(1), r[2].len);
	expect_got(_metadata, &r[3], bufs[3], msg(1), getpid());
	EXPECT_EQ(UNTOUCHED, r[4].len);
	expect_counts(_metadata, fd, 0, 2, 2);

	/* on an empty mailbox a first PEEK entry fails at once */
	expect_batch(_metadata, batch(fd, RECV, r, 1, &b), &b, -EAGAIN, 0);
	/* peeks take nothing */
	send1(_metadata, fd, 2);
	for (k = 0; k < 3; k++)
		set_recv(&r[k], NULL, 0, MAILBOX_RECV_PEEK);
	expect_batch(_metadata, batch(fd, RECV, r, 3, &b), &b, 3, 0);
	for (k = 0; k < 3; k++)
		EXPECT_EQ(msg_len(2), r[k].len);
	expect_counts(_metadata, fd, 1, 3, 2);
	EXPECT_MSGS(fd, msg(2));
}

/* Zero-length messages are entries like the others. */
TEST_F_TIMEOUT(batch, zero_length_entries, TIMEOUT_S)
{
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 4);
	struct mailbox_send s[3];
	struct mailbox_recv r[4];
	char bufs[4][BUF_MAX];
	struct mailbox_batch b;
	struct mailbox_info i;

	set_send(&s[0], NULL, 0, 0);
	set_send(&s[1], msg(1), msg_len(1), 0);
	set_send(&s[2], NULL, 0, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 3, &b), &b, 3, 0);
	info(_metadata, fd, &i);
	EXPECT_EQ(3U, i.depth);
	EXPECT_EQ(msg_len(1), i.bytes);
	set_recvs(r, 4, bufs);
	set_recv(&r[0], NULL, 0, 0);
	expect_batch(_metadata, batch(fd, RECV, r, 4, &b), &b, 3, -EAGAIN);
	EXPECT_EQ(0U, r[0].len);
	expect_got(_metadata, &r[1], bufs[1], msg(1), getpid());
	EXPECT_EQ(0U, r[2].len);
	EXPECT_EQ(0x5a, bufs[2][0]);
	expect_counts(_metadata, fd, 0, 3, 3);
}

/*
 * Rendezvous, sender side: with nobody waiting the batch sleeps on its
 * first entry only; a receiver takes that one, and the next entry finds
 * nobody asleep: -EAGAIN. The receive batch likewise gets one message.
 */
TEST_F_TIMEOUT(batch, rendezvous_send_batch_waits, TIMEOUT_S)
{
	const struct job job = { .count = 3 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 0);
	struct mailbox_recv r[3];
	char bufs[3][BUF_MAX];
	struct mailbox_batch b;
	struct mailbox_info i;
	struct kid *k;

	spawn_kid(_metadata, e, 0, &job);
	WAIT_INFO(fd, senders_waiting, 1);
	mbt_sleep_ms(SLEEP_MS);
	info(_metadata, fd, &i);
	EXPECT_EQ(1U, i.senders_waiting);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.sent);

	set_recvs(r, 3, bufs);
	expect_batch(_metadata, batch(fd, RECV, r, 3, &b), &b, 1, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(0), e->pid[0]);
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	EXPECT_EQ(1U, k->s[0].receivers);
	EXPECT_EQ(UNTOUCHED, k->s[2].receivers);
	EXPECT_LE((uint64_t)SLEEP_MS, elapsed_ms(k));
	expect_recv(_metadata, fd, NULL);
	expect_counts(_metadata, fd, 0, 1, 1);
}

/*
 * Rendezvous with receivers asleep: a send batch hands one entry to each,
 * in the order they began to wait; with senders asleep, a receive batch
 * takes one message from each.
 */
TEST_F_TIMEOUT(batch, rendezvous_sleeping_peers, TIMEOUT_S)
{
	const struct job rx = { .recv = true, .count = 2 };
	const struct job tx0 = { .count = 2, .first = 4 };
	const struct job tx1 = { .count = 2, .first = 6 };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 0), n;
	struct mailbox_send s[4];
	struct mailbox_recv r[4];
	char bufs[4][BUF_MAX];
	struct mailbox_batch b;
	struct kid *k;

	for (n = 0; n < 3; n++) {
		spawn_kid(_metadata, e, n, &rx);
		WAIT_INFO(fd, receivers_waiting, n + 1);
	}
	set_sends(s, 4, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 4, &b), &b, 3, -EAGAIN);
	for (n = 0; n < 3; n++) {
		EXPECT_EQ(e->pid[n], s[n].receiver_pid);
		EXPECT_EQ(1U, s[n].receivers);
		k = done(_metadata, e, n);
		expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
		expect_got(_metadata, &k->r[0], k->data[0], msg(n), getpid());
		EXPECT_EQ(UNTOUCHED, k->r[1].len);
	}
	expect_counts(_metadata, fd, 0, 3, 3);

	spawn_kid(_metadata, e, 0, &tx0);
	WAIT_INFO(fd, senders_waiting, 1);
	spawn_kid(_metadata, e, 1, &tx1);
	WAIT_INFO(fd, senders_waiting, 2);
	set_recvs(r, 4, bufs);
	expect_batch(_metadata, batch(fd, RECV, r, 4, &b), &b, 2, -EAGAIN);
	expect_got(_metadata, &r[0], bufs[0], msg(4), e->pid[0]);
	expect_got(_metadata, &r[1], bufs[1], msg(6), e->pid[1]);
	for (n = 0; n < 2; n++) {
		k = done(_metadata, e, n);
		expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
		EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	}
	expect_counts(_metadata, fd, 0, 5, 5);
}

/*
 * Rendezvous: a later entry handed to a sleeping receiver whose copy-out
 * faults is not delivered; it ends the batch with -EAGAIN (it may not
 * wait for another receiver) and nothing stays behind.
 */
TEST_F_TIMEOUT(batch, rendezvous_copy_fault_ends_batch, TIMEOUT_S)
{
	const struct job good = { .recv = true, .count = 1 };
	const struct job bad = { .recv = true, .count = 1, .ro_buf = true };
	struct env *e = &self->e;
	int fd = queue_box(_metadata, e, 0);
	struct mailbox_send s[3];
	struct mailbox_batch b;
	struct kid *k;

	spawn_kid(_metadata, e, 0, &good);
	WAIT_INFO(fd, receivers_waiting, 1);
	spawn_kid(_metadata, e, 1, &bad);
	WAIT_INFO(fd, receivers_waiting, 2);
	set_sends(s, 3, 0);
	expect_batch(_metadata, batch(fd, SEND, s, 3, &b), &b, 1, -EAGAIN);
	EXPECT_EQ(e->pid[0], s[0].receiver_pid);
	EXPECT_EQ(UNTOUCHED, s[2].receivers);
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, 1, 0);
	expect_got(_metadata, &k->r[0], k->data[0], msg(0), getpid());
	k = done(_metadata, e, 1);
	expect_batch(_metadata, k->ret, &k->b, -EFAULT, 0);
	expect_recv(_metadata, fd, NULL);
	expect_counts(_metadata, fd, 0, 1, 1);
}

/* ---- signals ---------------------------------------------------------- */

/*
 * A signal while the first entry sleeps: a handler without SA_RESTART
 * gets -EINTR and nothing moved; with SA_RESTART the call starts again
 * (done and error were left zero, so the batch is still valid) and then
 * completes once; SIGKILL leaves nothing behind.
 */
enum blocked_call { CALL_RECV, CALL_SEND_FULL, CALL_RENDEZVOUS };

ENV_FIXTURE(intr);

FIXTURE_VARIANT(intr) {
	enum blocked_call call;
};

FIXTURE_VARIANT_ADD(intr, recv) { .call = CALL_RECV };
FIXTURE_VARIANT_ADD(intr, send_full) { .call = CALL_SEND_FULL };
FIXTURE_VARIANT_ADD(intr, rendezvous) { .call = CALL_RENDEZVOUS };

static void wait_blocked(struct __test_metadata *_metadata, struct env *e,
			 enum blocked_call call)
{
	if (call == CALL_RECV)
		WAIT_INFO(e->fd, receivers_waiting, 1);
	else
		WAIT_INFO(e->fd, senders_waiting, 1);
}

/*
 * Child 0 runs a batch of two that sleeps in its first entry: a receive
 * on an empty mailbox, a send (of msg(1), msg(2)) on one full with msg(0),
 * or a rendezvous send.
 */
static void block_kid(struct __test_metadata *_metadata, struct env *e,
		      enum blocked_call call, int handler)
{
	const struct job job = {
		.recv = call == CALL_RECV, .count = 2, .first = 1,
		.handler = handler,
	};

	queue_box(_metadata, e, call == CALL_RENDEZVOUS ? 0 :
		  call == CALL_SEND_FULL ? 1 : 4);
	if (call == CALL_SEND_FULL)
		send1(_metadata, e->fd, 0);
	spawn_kid(_metadata, e, 0, &job);
	wait_blocked(_metadata, e, call);
}

/* The interrupted batch moved nothing. */
static void expect_nothing_moved(struct __test_metadata *_metadata,
				 struct env *e, enum blocked_call call)
{
	int n = call == CALL_SEND_FULL;

	expect_counts(_metadata, e->fd, n, n, 0);
	if (n)
		EXPECT_MSGS(e->fd, msg(0));
	else
		expect_recv(_metadata, e->fd, NULL);
}

static void wait_handled(struct __test_metadata *_metadata, struct env *e,
			 int n)
{
	uint64_t end = mbt_deadline_ms(SLACK_MS);

	while (handled(e) < n && mbt_now_ns() < end)
		mbt_sleep_ms(1);
	ASSERT_EQ(n, handled(e));
}

TEST_F_TIMEOUT(intr, eintr, TIMEOUT_S)
{
	struct env *e = &self->e;
	struct kid *k;

	block_kid(_metadata, e, variant->call, HANDLER_EINTR);
	ASSERT_EQ(0, kill(e->pid[0], SIGUSR1));
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, -EINTR, 0);
	EXPECT_EQ(1, handled(e));
	if (variant->call == CALL_RECV)
		EXPECT_EQ(UNTOUCHED, k->r[0].len);
	expect_nothing_moved(_metadata, e, variant->call);
}

TEST_F_TIMEOUT(intr, restart, TIMEOUT_S)
{
	/* sent and received in the end: msg(0) and msg(1), or one */
	int n = variant->call == CALL_SEND_FULL ? 2 : 1;
	struct env *e = &self->e;
	struct kid *k;

	block_kid(_metadata, e, variant->call, HANDLER_RESTART);
	ASSERT_EQ(0, kill(e->pid[0], SIGUSR1));
	wait_handled(_metadata, e, 1);
	/* asleep again, in the restarted call */
	wait_blocked(_metadata, e, variant->call);
	if (variant->call == CALL_RECV)
		send1(_metadata, e->fd, 5);
	else
		expect_recv(_metadata, e->fd, msg(variant->call ==
						  CALL_SEND_FULL ? 0 : 1));
	k = done(_metadata, e, 0);
	expect_batch(_metadata, k->ret, &k->b, 1, -EAGAIN);
	EXPECT_EQ(1, handled(e));
	if (variant->call == CALL_RECV)
		expect_got(_metadata, &k->r[0], k->data[0], msg(5), getpid());
	if (variant->call == CALL_RENDEZVOUS)
		EXPECT_EQ(getpid(), k->s[0].receiver_pid);
	if (variant->call == CALL_SEND_FULL)
		EXPECT_MSGS(e->fd, msg(1));
	expect_recv(_metadata, e->fd, NULL);
	expect_counts(_metadata, e->fd, 0, n, n);
}

TEST_F_TIMEOUT(intr, kill, TIMEOUT_S)
{
	struct env *e = &self->e;
	int status;

	block_kid(_metadata, e, variant->call, NO_HANDLER);
	ASSERT_EQ(0, kill(e->pid[0], SIGKILL));
	status = reap(_metadata, e, 0);
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	expect_nothing_moved(_metadata, e, variant->call);
}

TEST_HARNESS_MAIN
