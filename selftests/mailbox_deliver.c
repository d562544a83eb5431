// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for the three delivery modes and direct mailboxes (issue 4):
 *  - direct mailboxes: sends by pid, receive-from filtering, -ESRCH, the
 *    owner's exit (blocked senders get -EPIPE, a forked child's descriptor
 *    does not keep it alive), pid namespaces, send policies, and the same
 *    blocking, non-blocking, timed and delivery-wait forms as named ones;
 *  - receive priorities of sleeping receivers;
 *  - message priorities, checked against a reference order;
 *  - broadcast: every subscriber gets every message once and in order,
 *    the slowest one bounds the sender, subscribers join and leave while
 *    traffic flows, memory is freed once the last one has read;
 *  - the new /proc/mailboxes columns, fdinfo lines and STAT fields;
 *  - argument checking of the four new ioctls.
 *
 * Other processes act through "agents": children that run one command at
 * a time sent over a pipe and answer over another, so that the order of
 * events is the test's. Waits for a party to be asleep in the kernel poll
 * STAT or /proc/mailboxes with a generous bound; no result depends on
 * timing otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailbox_test.h"

#define MSG_MAX		128	/* msg_size_max of the test mailboxes */
#define SLACK_MS	10000	/* bound for anything that should be prompt */
#define BLOCK_MS	20000	/* deadline of calls meant to block a while */
#define SLEEP_MS	300	/* a timed call's deadline when it must expire */
#define MS		1000000ULL
#define MAX_NAMES	8
#define MAX_AGENTS	6
#define TIMEOUT_S	120	/* per test (slow emulation) */
#define PROC_MAILBOXES	"/proc/mailboxes"

#define U32(x)		((uint32_t)(x))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- agents: children that run commands ------------------------------ */

enum ag_op {
	AG_SEND_TO = 1,	/* SEND_TO @pid through an unbound descriptor */
	AG_SEND,	/* SEND on the agent's bound descriptor */
	AG_RECV,	/* RECV (from @pid) on the bound descriptor */
	AG_OPEN_DIRECT,	/* bind a new descriptor to its direct mailbox */
	AG_OPEN,	/* bind a new descriptor to @name with @access */
	AG_CLOSE,	/* close the bound descriptor */
	AG_STAT,
	AG_EXIT,	/* exit 0, without answering */
};

struct ag_cmd {
	int op;
	int32_t pid;		/* SEND_TO: to_pid; RECV: from_pid */
	uint32_t flags;		/* of SEND and RECV */
	uint32_t priority;
	long timeout_ms;	/* with MAILBOX_DEADLINE: from the call */
	uint32_t capacity;	/* OPEN_DIRECT */
	uint32_t delivery;	/* OPEN_DIRECT */
	uint32_t access;	/* OPEN */
	char name[MAILBOX_NAME_LEN];
	char msg[64];		/* sent without its NUL */
};

struct ag_reply {
	int ret;
	uint64_t elapsed_ns;
	struct mailbox_send snd;
	struct mailbox_recv rcv;
	struct mailbox_info info;
	char data[MSG_MAX + 1];
};

struct agent {
	pid_t pid;
	int cmd_wr, rep_rd;	/* the test's ends */
	int cmd_rd, rep_wr;	/* the agent's ends */
};

struct env {
	pid_t owner;		/* the process that ran the fixture setup */
	struct mbt_kids kids;
	int nnames;
	char names[MAX_NAMES][MAILBOX_NAME_LEN];
	int nagents;
	struct agent agents[MAX_AGENTS];
};

FIXTURE(dlv) {
	struct env e;
};

FIXTURE_SETUP(dlv)
{
	memset(&self->e, 0, sizeof(self->e));
	self->e.owner = getpid();
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox loaded?");
}

/*
 * As in mailbox_transfer.c: FIXTURE_TEARDOWN_PARENT, because a failed
 * ASSERT skips a plain teardown. The test's process owns the children
 * (they also die with it: mbt_spawn); either process can unlink.
 */
FIXTURE_TEARDOWN_PARENT(dlv)
{
	int i;

	if (self->e.owner == getpid())
		mbt_kill_all(&self->e.kids);
	for (i = 0; i < self->e.nnames; i++)
		mbt_unlink(self->e.names[i]);
}

static int agent_main(void *p)
{
	struct agent *a = p;
	struct ag_cmd c;
	struct ag_reply r;
	uint64_t deadline, t0;
	int fd = -1, nfd, tx, i;
	ssize_t n;

	/* Hold no descriptor of the test's (a direct one would stay bound). */
	for (i = 3; i < 1024; i++)
		if (i != a->cmd_rd && i != a->rep_wr)
			close(i);
	tx = mbt_dev();
	if (tx < 0)
		return 2;
	for (;;) {
		n = read(a->cmd_rd, &c, sizeof(c));
		if (n == 0)
			return 0;
		if (n != sizeof(c))
			return 3;
		if (c.op == AG_EXIT)
			return 0;
		memset(&r, 0, sizeof(r));
		deadline = c.flags & MAILBOX_DEADLINE ?
			   mbt_deadline_ms(c.timeout_ms) : 0;
		t0 = mbt_now_ns();
		switch (c.op) {
		case AG_SEND_TO:
			r.ret = mbt_send_ex(tx, c.pid, c.msg, strlen(c.msg),
					    c.flags, deadline, c.priority, &r.snd);
			break;
		case AG_SEND:
			r.ret = mbt_send_ex(fd, 0, c.msg, strlen(c.msg), c.flags,
					    deadline, c.priority, &r.snd);
			break;
		case AG_RECV:
			r.ret = mbt_recv_from(fd, c.pid, r.data, MSG_MAX,
					      c.flags, deadline, &r.rcv);
			break;
		case AG_OPEN_DIRECT:
			nfd = mbt_dev();
			r.ret = nfd < 0 ? nfd :
				mbt_open_direct_fd(nfd, c.capacity, MSG_MAX,
						   c.delivery,
						   MAILBOX_POLICY_ANY, NULL, 0);
			if (r.ret < 0 && nfd >= 0)
				close(nfd);
			if (r.ret >= 0) {
				if (fd >= 0)
					close(fd);
				fd = nfd;
			}
			break;
		case AG_OPEN:
			nfd = mbt_open(c.name, c.access);
			r.ret = nfd < 0 ? nfd : 0;
			if (nfd >= 0) {
				if (fd >= 0)
					close(fd);
				fd = nfd;
			}
			break;
		case AG_CLOSE:
			r.ret = close(fd) ? -errno : 0;
			fd = -1;
			break;
		case AG_STAT:
			r.ret = mbt_stat(fd, &r.info);
			break;
		default:
			r.ret = -EINVAL;
			break;
		}
		r.elapsed_ns = mbt_now_ns() - t0;
		if (write(a->rep_wr, &r, sizeof(r)) != sizeof(r))
			return 4;
	}
}

static struct agent *agent_start(struct __test_metadata *_metadata,
				 struct env *e)
{
	struct agent *a;
	int c[2], r[2];

	ASSERT_LT(e->nagents, MAX_AGENTS);
	a = &e->agents[e->nagents++];
	ASSERT_EQ(0, pipe2(c, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(r, O_CLOEXEC));
	a->cmd_rd = c[0];
	a->cmd_wr = c[1];
	a->rep_rd = r[0];
	a->rep_wr = r[1];
	a->pid = mbt_spawn(&e->kids, agent_main, a);
	ASSERT_LT(0, a->pid) TH_LOG("fork: %s", strerror(-a->pid));
	close(a->cmd_rd);
	close(a->rep_wr);
	return a;
}

/* Hand @c to the agent without waiting for its answer. */
static void agent_post(struct __test_metadata *_metadata, struct agent *a,
		       const struct ag_cmd *c)
{
	ASSERT_EQ((ssize_t)sizeof(*c), write(a->cmd_wr, c, sizeof(*c)));
}

/* The answer to the command posted last; fails after @ms. */
static struct ag_reply agent_reply(struct __test_metadata *_metadata,
				   struct agent *a, long ms)
{
	struct pollfd pfd = { .fd = a->rep_rd, .events = POLLIN };
	struct ag_reply r;

	ASSERT_EQ(1, poll(&pfd, 1, ms)) TH_LOG("agent %d did not answer",
					       (int)a->pid);
	ASSERT_EQ((ssize_t)sizeof(r), read(a->rep_rd, &r, sizeof(r)))
		TH_LOG("agent %d died", (int)a->pid);
	return r;
}

static struct ag_reply agent_call(struct __test_metadata *_metadata,
				  struct agent *a, const struct ag_cmd *c)
{
	agent_post(_metadata, a, c);
	return agent_reply(_metadata, a, SLACK_MS);
}

/* The agent sends @msg to @pid: returns SEND_TO's result. */
static int agent_send_to(struct __test_metadata *_metadata, struct agent *a,
			 pid_t pid, const char *msg, uint32_t flags)
{
	struct ag_cmd c = { .op = AG_SEND_TO, .pid = pid, .flags = flags,
			    .timeout_ms = BLOCK_MS };

	snprintf(c.msg, sizeof(c.msg), "%s", msg);
	return agent_call(_metadata, a, &c).ret;
}

/* The agent opens its direct mailbox: returns OPEN_DIRECT's result. */
static int agent_open_direct(struct __test_metadata *_metadata,
			     struct agent *a, uint32_t capacity,
			     uint32_t delivery)
{
	struct ag_cmd c = { .op = AG_OPEN_DIRECT, .capacity = capacity,
			    .delivery = delivery };

	return agent_call(_metadata, a, &c).ret;
}

static void agent_exit(struct __test_metadata *_metadata, struct env *e,
		       struct agent *a)
{
	struct ag_cmd c = { .op = AG_EXIT };
	int status;

	agent_post(_metadata, a, &c);
	ASSERT_EQ(0, mbt_reap(&e->kids, a->pid, &status, SLACK_MS));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("agent status %#x", status);
	close(a->cmd_wr);
	close(a->rep_rd);
}

/* ---- helpers --------------------------------------------------------- */

static const char *new_name(struct __test_metadata *_metadata, struct env *e,
			    const char *prefix)
{
	ASSERT_LT(e->nnames, MAX_NAMES);
	mbt_name(e->names[e->nnames], prefix);
	return e->names[e->nnames++];
}

/* A new named mailbox; the test's descriptor gets @access. */
static int make_box(struct __test_metadata *_metadata, struct env *e,
		    const char **name, uint32_t access, uint32_t capacity,
		    uint32_t delivery)
{
	const char *n = new_name(_metadata, e, "dlv");
	int fd = mbt_create_ex(n, MAILBOX_CREATE_EXCL, access, 0600, capacity,
			       MSG_MAX, delivery);

	ASSERT_LE(0, fd) TH_LOG("create %s: %s", n, strerror(-fd));
	if (name)
		*name = n;
	return fd;
}

static int open_box(struct __test_metadata *_metadata, const char *name,
		    uint32_t access)
{
	int fd = mbt_open(name, access);

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", name, strerror(-fd));
	return fd;
}

/* This process's direct mailbox on a new descriptor; it must be new. */
static int my_direct(struct __test_metadata *_metadata, uint32_t capacity,
		     uint32_t delivery)
{
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_open_direct_fd(fd, capacity, MSG_MAX, delivery,
					MAILBOX_POLICY_ANY, NULL, 0));
	return fd;
}

/* What a mailbox holds, in STAT's (i) or /proc/mailboxes' (p) terms. */
#define EXPECT_HELD(s, want_depth, want_bytes) do {			\
	EXPECT_EQ(want_depth, (s).depth);				\
	EXPECT_EQ(want_bytes, (s).bytes);				\
} while (0)

static struct mailbox_info stat_of(struct __test_metadata *_metadata, int fd)
{
	struct mailbox_info i;

	ASSERT_EQ(0, mbt_stat(fd, &i));
	return i;
}

static void wait_info(struct __test_metadata *_metadata, int fd, size_t off,
		      size_t size, uint64_t val, const char *field)
{
	int ret = mbt_wait_info(fd, off, size, val, SLACK_MS);

	ASSERT_EQ(0, ret) TH_LOG("waiting for %s == %llu: %s", field,
				 (unsigned long long)val, strerror(-ret));
}

#define WAIT_INFO(fd, field, val)					\
	wait_info(_metadata, fd, offsetof(struct mailbox_info, field),	\
		  sizeof(((struct mailbox_info *)0)->field), val, #field)

/*
 * Receive from @fd (only @from's messages if non-zero), sleeping at most
 * @ms (0: not at all). The message must be @want, sent by @sender (unless
 * negative). Returns the metadata.
 */
static struct mailbox_recv expect_msg(struct __test_metadata *_metadata,
				      int fd, pid_t from, const char *want,
				      pid_t sender, long ms)
{
	uint32_t flags = ms ? MAILBOX_DEADLINE : MAILBOX_NONBLOCK;
	struct mailbox_recv m;
	char buf[MSG_MAX + 1];
	int ret;

	ret = mbt_recv_from(fd, from, buf, MSG_MAX, flags,
			    ms ? mbt_deadline_ms(ms) : 0, &m);
	ASSERT_EQ((int)strlen(want), ret)
		TH_LOG("expected \"%s\": %s", want,
		       ret < 0 ? strerror(-ret) : "wrong length");
	buf[ret] = 0;
	ASSERT_STREQ(want, buf);
	EXPECT_EQ((uint32_t)ret, m.len);
	if (sender >= 0) {
		EXPECT_EQ(sender, m.sender_pid) TH_LOG("message \"%s\"", want);
	}
	return m;
}

static int send_to(int fd, pid_t pid, const char *msg, uint32_t flags)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(BLOCK_MS) : 0;

	return mbt_send_to(fd, pid, msg, strlen(msg), flags, deadline, NULL);
}

static int send_str(int fd, const char *msg, uint32_t flags,
		    struct mailbox_send *out)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(BLOCK_MS) : 0;

	return mbt_send_ex(fd, 0, msg, strlen(msg), flags, deadline, 0, out);
}

/* A page that cannot be read or written, for -EFAULT. */
static void *bad_page(struct __test_metadata *_metadata)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

/* Reap @pid (a child of ours, listed or not) within @ms; its status. */
static int reap_ok(struct __test_metadata *_metadata, struct env *e, pid_t pid)
{
	int status = -1;

	ASSERT_EQ(0, mbt_reap(&e->kids, pid, &status, SLACK_MS))
		TH_LOG("child %d did not finish", (int)pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child %d: status %#x", (int)pid, status);
	return status;
}

/* ---- a blocking call in a thread of the test ------------------------- */

struct bg {
	pthread_t thread;
	bool send;		/* else receive */
	int fd;
	pid_t pid;		/* SEND_TO target, or RECV from_pid */
	uint32_t flags;
	const char *msg;
	int ret;
	pid_t tid;
	struct mailbox_send snd;
	struct mailbox_recv rcv;
	char data[MSG_MAX + 1];
};

static void *bg_main(void *p)
{
	struct bg *b = p;
	uint64_t deadline = mbt_deadline_ms(BLOCK_MS);

	b->tid = gettid();
	if (b->send)
		b->ret = mbt_send_ex(b->fd, b->pid, b->msg, strlen(b->msg),
				     b->flags | MAILBOX_DEADLINE, deadline, 0,
				     &b->snd);
	else
		b->ret = mbt_recv_from(b->fd, b->pid, b->data, MSG_MAX,
				       b->flags | MAILBOX_DEADLINE, deadline,
				       &b->rcv);
	if (!b->send && b->ret >= 0)
		b->data[b->ret] = 0;
	return NULL;
}

static void bg_start(struct __test_metadata *_metadata, struct bg *b,
		     bool send, int fd, pid_t pid, const char *msg)
{
	memset(b, 0, sizeof(*b));
	b->send = send;
	b->fd = fd;
	b->pid = pid;
	b->msg = msg;
	b->ret = INT_MIN;
	ASSERT_EQ(0, pthread_create(&b->thread, NULL, bg_main, b));
}

static int bg_join(struct __test_metadata *_metadata, struct bg *b)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += BLOCK_MS / 1000 + 10;
	ASSERT_EQ(0, pthread_timedjoin_np(b->thread, NULL, &ts))
		TH_LOG("background call did not return");
	return b->ret;
}

/* ---- /proc/mailboxes and fdinfo -------------------------------------- */

struct proc_line {
	char name[4 * MAILBOX_NAME_LEN + 1];
	unsigned int uid, gid, mode, capacity, msgsize, depth, swait, rwait;
	unsigned long long bytes, sent, received, sblocked, rblocked, dropped;
	char state[16], flags[16], delivery[16];
	char waiters[256], backlog[256];
};

static bool proc_parse(const char *line, struct proc_line *p)
{
	char extra[2];

	return sscanf(line, "%256s %u %u %o %u %u %u %llu %llu %llu %llu %llu "
		      "%u %u %15s %15s %15s %255s %255s %llu %1s", p->name,
		      &p->uid, &p->gid, &p->mode, &p->capacity, &p->msgsize,
		      &p->depth, &p->bytes, &p->sent, &p->received,
		      &p->sblocked, &p->rblocked, &p->swait, &p->rwait,
		      p->state, p->flags, p->delivery, p->waiters, p->backlog,
		      &p->dropped, extra) == 20;
}

/*
 * Lines of /proc/mailboxes named @name (none of the test's names needs
 * escaping); the last goes to @out. -errno if unreadable, -EPROTO if a
 * line does not parse.
 */
static int proc_find(const char *name, struct proc_line *out)
{
	FILE *f = fopen(PROC_MAILBOXES, "re");
	struct proc_line p;
	char line[2048];
	int n = 0, count = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (n++ == 0)
			continue;
		memset(&p, 0, sizeof(p));
		if (!proc_parse(line, &p)) {
			fprintf(stderr, "# unparsable: %s", line);
			count = -EPROTO;
			break;
		}
		if (!strcmp(p.name, name)) {
			count++;
			if (out)
				*out = p;
		}
	}
	fclose(f);
	return count;
}

/* The /proc/mailboxes line of @name, which must be listed once. */
/* The flags, delivery, waiters and backlog columns of proc_of()'s line. */
#define EXPECT_PROC_COLS(p, want_flags, want_delivery, want_waiters,	\
			 want_backlog) do {				\
	EXPECT_STREQ(want_flags, (p).flags);				\
	EXPECT_STREQ(want_delivery, (p).delivery);			\
	EXPECT_STREQ(want_waiters, (p).waiters);			\
	EXPECT_STREQ(want_backlog, (p).backlog);			\
} while (0)

static struct proc_line proc_of(struct __test_metadata *_metadata,
				const char *name)
{
	struct proc_line p;

	memset(&p, 0, sizeof(p));
	ASSERT_EQ(1, proc_find(name, &p)) TH_LOG("%s in /proc/mailboxes", name);
	return p;
}

/*
 * Wait until /proc/mailboxes lists @name with @depth messages and @swait,
 * @rwait waiters (each ignored when negative).
 */
static struct proc_line proc_wait(struct __test_metadata *_metadata,
				  const char *name, int depth, int swait,
				  int rwait)
{
	uint64_t end = mbt_deadline_ms(SLACK_MS);
	struct proc_line p;

	for (;;) {
		memset(&p, 0, sizeof(p));
		if (proc_find(name, &p) == 1 &&
		    (depth < 0 || p.depth == (unsigned int)depth) &&
		    (swait < 0 || p.swait == (unsigned int)swait) &&
		    (rwait < 0 || p.rwait == (unsigned int)rwait))
			return p;
		ASSERT_GT(end, mbt_now_ns())
			TH_LOG("%s: want depth %d swait %d rwait %d, have %u %u %u",
			       name, depth, swait, rwait, p.depth, p.swait,
			       p.rwait);
		mbt_sleep_ms(2);
	}
}

static void direct_name(char *buf, size_t size, pid_t pid)
{
	snprintf(buf, size, "pid/%d", (int)pid);
}

/* /proc/self/fdinfo/@fd into @buf; its length or -1. */
static int fdinfo_read(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t len;
	int pfd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	len = read(pfd, buf, size - 1);
	close(pfd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	return len;
}

/* fdinfo has the line "@key:\t@val". */
static bool fdinfo_has(int fd, const char *key, const char *val)
{
	char buf[2048], want[128];

	if (fdinfo_read(fd, buf, sizeof(buf)) < 0)
		return false;
	snprintf(want, sizeof(want), "%s:\t%s\n", key, val);
	return strstr(buf, want) != NULL;
}

#define EXPECT_FDINFO(fd, key, val) do {				\
	char __b[2048] = "";						\
	fdinfo_read(fd, __b, sizeof(__b));				\
	EXPECT_TRUE(fdinfo_has(fd, key, val))				\
		TH_LOG("want \"%s:\t%s\" in fdinfo:\n%s", key, val, __b); \
} while (0)

/* ==================================================================== */
/* Direct mailboxes                                                      */
/* ==================================================================== */

struct thread_open {
	int fd;
	int ret;
	pid_t tid;
	int send_ret;
	struct mailbox_info info;
};

/* A thread binds the process's direct mailbox and sends to its own tid. */
static void *thread_open_main(void *p)
{
	struct thread_open *t = p;

	t->tid = gettid();
	t->fd = mbt_dev();
	t->ret = mbt_open_direct_fd(t->fd, 9, 16, MAILBOX_DELIVER_PRIORITY,
				    MAILBOX_POLICY_ANY, NULL, 0);
	if (t->ret >= 0)
		mbt_stat(t->fd, &t->info);
	t->send_ret = send_to(t->fd, t->tid, "thr", MAILBOX_NONBLOCK);
	return NULL;
}

TEST_F_TIMEOUT(dlv, direct_open_stat, TIMEOUT_S)
{
	struct thread_open t;
	struct mailbox_info i;
	struct mailbox_send s;
	struct proc_line p;
	pthread_t thr;
	pid_t me = getpid();
	char name[32];
	int fd, fd2, tx;

	direct_name(name, sizeof(name), me);
	EXPECT_EQ(0, proc_find(name, NULL));
	fd = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	i = stat_of(_metadata, fd);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(U32(MAILBOX_INFO_DIRECT), i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(me, i.owner_pid);
	EXPECT_EQ(U32(MAILBOX_ACCESS_RECV), i.access);
	EXPECT_EQ(U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_NE(U32(MAILBOX_STATE_DEAD), i.state);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(U32(MSG_MAX), i.msg_size_max);
	EXPECT_EQ(geteuid(), i.uid);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(0U, i.recv_priority);

	/* A second OPEN_DIRECT binds the same one; attributes ignored. */
	fd2 = mbt_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mbt_open_direct_fd(fd2, 9, 16, MAILBOX_DELIVER_PRIORITY,
					MAILBOX_POLICY_ANY, NULL, 0));
	i = stat_of(_metadata, fd2);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(U32(MSG_MAX), i.msg_size_max);
	EXPECT_EQ(U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_EQ(U32(MAILBOX_ACCESS_RECV), i.access);
	/* bound already */
	EXPECT_EQ(-EBUSY, mbt_open_direct_fd(fd, 4, MSG_MAX, 0, 0, NULL, 0));
	/* receive-only */
	EXPECT_EQ(-EBADF, mbt_send(fd, "x", 1, MAILBOX_NONBLOCK, 0, NULL));

	/* SEND_TO works on any descriptor: unbound, or this one. */
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	memset(&s, 0x55, sizeof(s));
	ASSERT_EQ(0, mbt_send_to(tx, me, "one", 3, MAILBOX_NONBLOCK, 0, &s));
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(0, s.receiver_pid);
	ASSERT_EQ(0, send_to(fd, me, "two", 0));
	i = stat_of(_metadata, fd);
	EXPECT_HELD(i, 2U, 6U);
	EXPECT_EQ(2U, i.sent);
	p = proc_of(_metadata, name);
	EXPECT_PROC_COLS(p, "direct", "queue", "-", "-");
	EXPECT_EQ(2U, p.depth);
	EXPECT_EQ(4U, p.capacity);
	EXPECT_FDINFO(fd, "mailbox", name);
	EXPECT_FDINFO(fd2, "delivery", "queue");

	{
		struct mailbox_recv m = expect_msg(_metadata, fd2, 0, "one",
						   me, 0);

		EXPECT_EQ(geteuid(), m.sender_uid);
		EXPECT_EQ(0U, m.priority);
	}
	expect_msg(_metadata, fd, 0, "two", me, 0);

	/* A thread: binds the same mailbox; its tid reaches it. */
	ASSERT_EQ(0, pthread_create(&thr, NULL, thread_open_main, &t));
	ASSERT_EQ(0, pthread_join(thr, NULL));
	EXPECT_EQ(0, t.ret);
	EXPECT_STREQ(name, t.info.name);
	EXPECT_EQ(me, t.info.owner_pid);
	EXPECT_EQ(0, t.send_ret);
	EXPECT_NE(me, t.tid);
	expect_msg(_metadata, fd, 0, "thr", me, 0);
	close(t.fd);

	/* Closing one descriptor leaves it; the last one destroys it. */
	close(fd);
	ASSERT_EQ(0, send_to(tx, me, "kept", MAILBOX_NONBLOCK));
	EXPECT_EQ(1U, stat_of(_metadata, fd2).depth);
	close(fd2);
	EXPECT_EQ(-ESRCH, send_to(tx, me, "gone", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, send_to(tx, me, "gone", 0));
	EXPECT_EQ(0, proc_find(name, NULL));

	/* A new one can be made, with new attributes. */
	fd = my_direct(_metadata, 2, MAILBOX_DELIVER_PRIORITY);
	i = stat_of(_metadata, fd);
	EXPECT_EQ(2U, i.capacity);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(U32(MAILBOX_DELIVER_PRIORITY), i.delivery);
	close(fd);
	close(tx);
}

/* ---- ping-pong -------------------------------------------------------- */

#define PP_ROUNDS	200

struct pp_arg {
	pid_t parent;
};

/* Sends "ping i" to the parent, expects "pong i" from it, PP_ROUNDS times. */
static int pingpong_child(void *p)
{
	struct pp_arg *a = p;
	struct mailbox_recv m;
	char msg[32], buf[MSG_MAX];
	int fd, tx, i, n, ret;

	fd = mbt_open_direct(4, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	for (i = 0; i < PP_ROUNDS; i++) {
		n = snprintf(msg, sizeof(msg), "ping %d", i);
		MBT_CHILD_CHECK(!mbt_send_to(tx, a->parent, msg, n,
					     MAILBOX_DEADLINE,
					     mbt_deadline_ms(BLOCK_MS), NULL));
		n = snprintf(msg, sizeof(msg), "pong %d", i);
		/* every other round: only from the parent */
		ret = mbt_recv_from(fd, i % 2 ? a->parent : 0, buf, sizeof(buf),
				    MAILBOX_DEADLINE, mbt_deadline_ms(BLOCK_MS),
				    &m);
		MBT_CHILD_CHECK(ret == n);
		MBT_CHILD_CHECK(!memcmp(buf, msg, n));
		MBT_CHILD_CHECK(m.sender_pid == a->parent);
	}
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_ping_pong, TIMEOUT_S)
{
	struct pp_arg a = { .parent = getpid() };
	struct mailbox_send s;
	struct mailbox_info i;
	char msg[32];
	int fd, tx, k, n;
	pid_t child;

	fd = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	child = mbt_spawn(&self->e.kids, pingpong_child, &a);
	ASSERT_LT(0, child);
	for (k = 0; k < PP_ROUNDS; k++) {
		snprintf(msg, sizeof(msg), "ping %d", k);
		expect_msg(_metadata, fd, 0, msg, child, SLACK_MS);
		n = snprintf(msg, sizeof(msg), "pong %d", k);
		/* every third round waits for delivery: the child took it */
		ASSERT_EQ(0, mbt_send_to(tx, child, msg, n,
					 MAILBOX_DEADLINE |
					 (k % 3 ? 0 : MAILBOX_SEND_WAIT),
					 mbt_deadline_ms(BLOCK_MS), &s))
			TH_LOG("round %d", k);
		EXPECT_EQ(1U, s.receivers);
		EXPECT_EQ(k % 3 ? 0 : child, s.receiver_pid);
	}
	reap_ok(_metadata, &self->e, child);
	i = stat_of(_metadata, fd);
	EXPECT_EQ(U32(PP_ROUNDS), i.sent);
	EXPECT_EQ(U32(PP_ROUNDS), i.received);
	EXPECT_EQ(0U, i.depth);
	close(tx);
	close(fd);
}

/* ---- receive-from ----------------------------------------------------- */

TEST_F_TIMEOUT(dlv, direct_recv_from, TIMEOUT_S)
{
	static const char *const order[] = {
		"A0", "B0", "C0", "B1", "A1", "C1", "B2", "B3", "A2", "C2",
		"A3", "C3",
	};
	static const char *const rest[] = {
		"A0", "A1", "C1", "A2", "C2", "A3", "C3",
	};
	struct agent *ag[3];
	struct mailbox_recv m;
	struct bg b;
	pid_t me = getpid(), pid[3];
	char msg[8];
	size_t k;
	int fd, x;

	for (x = 0; x < 3; x++) {
		ag[x] = agent_start(_metadata, &self->e);
		pid[x] = ag[x]->pid;
	}
	fd = my_direct(_metadata, 16, MAILBOX_DELIVER_QUEUE);
	/* Each agent's send is queued before the next one starts. */
	for (k = 0; k < ARRAY_LEN(order); k++)
		ASSERT_EQ(0, agent_send_to(_metadata, ag[order[k][0] - 'A'], me,
					   order[k], MAILBOX_NONBLOCK));
	EXPECT_EQ(ARRAY_LEN(order), stat_of(_metadata, fd).depth);

	/* PEEK honours from_pid. */
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(2, mbt_recv_from(fd, pid[1], NULL, 0, MAILBOX_RECV_PEEK, 0,
				   &m));
	EXPECT_EQ(pid[1], m.sender_pid);
	EXPECT_EQ(2U, m.len);

	/* B's four, in order; then nothing from B. */
	for (x = 0; x < 4; x++) {
		snprintf(msg, sizeof(msg), "B%d", x);
		expect_msg(_metadata, fd, pid[1], msg, pid[1], 0);
	}
	EXPECT_EQ(-EAGAIN, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ETIMEDOUT, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					    MAILBOX_DEADLINE,
					    mbt_deadline_ms(SLEEP_MS), NULL));
	EXPECT_EQ(8U, stat_of(_metadata, fd).depth);
	expect_msg(_metadata, fd, pid[2], "C0", pid[2], 0);
	/* The others are still queued in their order. */
	for (k = 0; k < ARRAY_LEN(rest); k++)
		expect_msg(_metadata, fd, 0, rest[k], pid[rest[k][0] - 'A'], 0);
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);

	/* A receiver asleep for A's messages is not given C's. */
	bg_start(_metadata, &b, false, fd, pid[0], NULL);
	WAIT_INFO(fd, receivers_waiting, 1);
	ASSERT_EQ(0, agent_send_to(_metadata, ag[2], me, "C4", MAILBOX_NONBLOCK));
	WAIT_INFO(fd, depth, 1);
	EXPECT_EQ(1U, stat_of(_metadata, fd).receivers_waiting);
	ASSERT_EQ(0, agent_send_to(_metadata, ag[0], me, "A4", MAILBOX_NONBLOCK));
	ASSERT_EQ(2, bg_join(_metadata, &b));
	EXPECT_STREQ("A4", b.data);
	EXPECT_EQ(pid[0], b.rcv.sender_pid);
	expect_msg(_metadata, fd, 0, "C4", pid[2], 0);

	/* A message from a process that has exited can still be taken... */
	ASSERT_EQ(0, agent_send_to(_metadata, ag[1], me, "B9", MAILBOX_NONBLOCK));
	agent_exit(_metadata, &self->e, ag[1]);
	m = expect_msg(_metadata, fd, pid[1], "B9", -1, 0);
	EXPECT_TRUE(m.sender_pid == pid[1] || m.sender_pid == 0)
		TH_LOG("sender_pid %d", m.sender_pid);
	/* ...but waiting for more from it is -ESRCH, not a sleep. */
	EXPECT_EQ(-ESRCH, mbt_recv_from(fd, pid[1], msg, sizeof(msg),
					MAILBOX_DEADLINE,
					mbt_deadline_ms(SLACK_MS), NULL));
	/* from_pid < 0 */
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, -1, msg, sizeof(msg),
					 MAILBOX_NONBLOCK, 0, NULL));
	close(fd);
}

/* from_pid on named queue and priority mailboxes. */
TEST_F_TIMEOUT(dlv, recv_from_named, TIMEOUT_S)
{
	struct ag_cmd open = { .op = AG_OPEN, .access = MAILBOX_ACCESS_SEND };
	struct ag_cmd send = { .op = AG_SEND, .flags = MAILBOX_NONBLOCK };
	struct agent *a = agent_start(_metadata, &self->e);
	struct agent *b = agent_start(_metadata, &self->e);
	struct mailbox_recv m;
	const char *qname, *pname;
	pid_t me = getpid();
	int q, pq, status;
	pid_t dead;
	char buf[8];

	q = make_box(_metadata, &self->e, &qname, MAILBOX_ACCESS_ALL, 8,
		     MAILBOX_DELIVER_QUEUE);
	snprintf(open.name, sizeof(open.name), "%s", qname);
	ASSERT_EQ(0, agent_call(_metadata, a, &open).ret);
	ASSERT_EQ(0, agent_call(_metadata, b, &open).ret);
	strcpy(send.msg, "a0");
	ASSERT_EQ(0, agent_call(_metadata, a, &send).ret);
	strcpy(send.msg, "b0");
	ASSERT_EQ(0, agent_call(_metadata, b, &send).ret);
	ASSERT_EQ(0, send_str(q, "p0", MAILBOX_NONBLOCK, NULL));
	strcpy(send.msg, "a1");
	ASSERT_EQ(0, agent_call(_metadata, a, &send).ret);
	expect_msg(_metadata, q, b->pid, "b0", b->pid, 0);
	expect_msg(_metadata, q, me, "p0", me, 0);
	expect_msg(_metadata, q, a->pid, "a0", a->pid, 0);
	EXPECT_EQ(-EAGAIN, mbt_recv_from(q, b->pid, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	expect_msg(_metadata, q, 0, "a1", a->pid, 0);

	/* A pid that names no process: -ESRCH instead of sleeping. */
	dead = fork();
	ASSERT_LE(0, dead);
	if (dead == 0)
		_exit(0);
	ASSERT_EQ(dead, waitpid(dead, &status, 0));
	EXPECT_EQ(-ESRCH, mbt_recv_from(q, dead, buf, sizeof(buf),
					MAILBOX_DEADLINE,
					mbt_deadline_ms(SLACK_MS), NULL));

	/* Priority mailbox: the highest of that sender's first. */
	pq = make_box(_metadata, &self->e, &pname, MAILBOX_ACCESS_ALL, 8,
		      MAILBOX_DELIVER_PRIORITY);
	snprintf(open.name, sizeof(open.name), "%s", pname);
	ASSERT_EQ(0, agent_call(_metadata, a, &open).ret);
	strcpy(send.msg, "a1");
	send.priority = 1;
	ASSERT_EQ(0, agent_call(_metadata, a, &send).ret);
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "p9", 2, MAILBOX_NONBLOCK, 0, 9, NULL));
	strcpy(send.msg, "a5");
	send.priority = 5;
	ASSERT_EQ(0, agent_call(_metadata, a, &send).ret);
	m = expect_msg(_metadata, pq, a->pid, "a5", a->pid, 0);
	EXPECT_EQ(5U, m.priority);
	m = expect_msg(_metadata, pq, a->pid, "a1", a->pid, 0);
	EXPECT_EQ(1U, m.priority);
	m = expect_msg(_metadata, pq, 0, "p9", me, 0);
	EXPECT_EQ(9U, m.priority);
	close(pq);
	close(q);
}

/* ---- -ESRCH ----------------------------------------------------------- */

static int exit_at_once(void *p)
{
	(void)p;
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_esrch, TIMEOUT_S)
{
	struct agent *a = agent_start(_metadata, &self->e);
	struct ag_cmd close_cmd = { .op = AG_CLOSE };
	struct ag_cmd st = { .op = AG_STAT };
	struct ag_reply r;
	int tx = mbt_dev();
	pid_t dead;

	ASSERT_LE(0, tx);
	/* not positive */
	EXPECT_EQ(-EINVAL, send_to(tx, 0, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EINVAL, send_to(tx, -1, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EINVAL, send_to(tx, INT_MIN, "x", MAILBOX_NONBLOCK));

	/* a process that has exited (and been reaped) */
	dead = mbt_spawn(&self->e.kids, exit_at_once, NULL);
	ASSERT_LT(0, dead);
	reap_ok(_metadata, &self->e, dead);
	EXPECT_EQ(-ESRCH, send_to(tx, dead, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, send_to(tx, dead, "x", MAILBOX_DEADLINE));
	EXPECT_EQ(-ESRCH, send_to(tx, dead, "x",
				  MAILBOX_SEND_WAIT | MAILBOX_DEADLINE));

	/* a live process without a direct mailbox, blocking or not */
	EXPECT_EQ(-ESRCH, send_to(tx, a->pid, "x", MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, send_to(tx, a->pid, "x", MAILBOX_DEADLINE));
	EXPECT_EQ(-ESRCH, send_to(tx, getpid(), "x", MAILBOX_NONBLOCK));

	/* with one, then without it again once its descriptor is closed */
	ASSERT_EQ(1, agent_open_direct(_metadata, a, 4, MAILBOX_DELIVER_QUEUE));
	EXPECT_EQ(0, send_to(tx, a->pid, "x", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, agent_call(_metadata, a, &close_cmd).ret);
	EXPECT_EQ(-ESRCH, send_to(tx, a->pid, "x", MAILBOX_NONBLOCK));
	/* a new one starts empty */
	ASSERT_EQ(1, agent_open_direct(_metadata, a, 4, MAILBOX_DELIVER_QUEUE));
	r = agent_call(_metadata, a, &st);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(0U, r.info.depth);
	EXPECT_EQ(0U, r.info.sent);
	EXPECT_EQ(a->pid, r.info.owner_pid);
	agent_exit(_metadata, &self->e, a);
	EXPECT_EQ(-ESRCH, send_to(tx, a->pid, "x", MAILBOX_NONBLOCK));
	close(tx);
}

/* ---- owner exit ------------------------------------------------------- */

TEST_F_TIMEOUT(dlv, direct_owner_exit_blocked_senders, TIMEOUT_S)
{
	struct agent *o = agent_start(_metadata, &self->e);
	struct agent *s1 = agent_start(_metadata, &self->e);
	struct agent *s2 = agent_start(_metadata, &self->e);
	struct ag_cmd wait_send = { .op = AG_SEND_TO, .msg = "w",
				    .flags = MAILBOX_SEND_WAIT | MAILBOX_DEADLINE,
				    .timeout_ms = BLOCK_MS };
	struct ag_cmd send = { .op = AG_SEND_TO, .msg = "b",
			       .flags = MAILBOX_DEADLINE,
			       .timeout_ms = BLOCK_MS };
	struct ag_reply r1, r2;
	struct proc_line p;
	char name[32];
	int status, tx = mbt_dev();

	ASSERT_LE(0, tx);
	ASSERT_EQ(1, agent_open_direct(_metadata, o, 1, MAILBOX_DELIVER_QUEUE));
	direct_name(name, sizeof(name), o->pid);
	/* s1's message fills it, s1 waiting for delivery; s2 sleeps. */
	wait_send.pid = send.pid = o->pid;
	agent_post(_metadata, s1, &wait_send);
	p = proc_wait(_metadata, name, 1, -1, -1);
	EXPECT_EQ(0U, p.swait);		/* its message is queued */
	agent_post(_metadata, s2, &send);
	proc_wait(_metadata, name, 1, 1, -1);
	EXPECT_EQ(-EAGAIN, send_to(tx, o->pid, "n", MAILBOX_NONBLOCK));

	/* The owner exits: both senders wake with -EPIPE. */
	agent_post(_metadata, o, &(struct ag_cmd){ .op = AG_EXIT });
	ASSERT_EQ(0, mbt_reap(&self->e.kids, o->pid, &status, SLACK_MS));
	r1 = agent_reply(_metadata, s1, SLACK_MS);
	r2 = agent_reply(_metadata, s2, SLACK_MS);
	EXPECT_EQ(-EPIPE, r1.ret);
	EXPECT_EQ(-EPIPE, r2.ret);
	EXPECT_GT(BLOCK_MS * MS / 2, r1.elapsed_ns);
	EXPECT_GT(BLOCK_MS * MS / 2, r2.elapsed_ns);
	EXPECT_EQ(0, r1.snd.receiver_pid);

	/* Afterwards the pid has no direct mailbox. */
	EXPECT_EQ(-ESRCH, agent_send_to(_metadata, s1, o->pid, "late",
					MAILBOX_NONBLOCK));
	EXPECT_EQ(-ESRCH, send_to(tx, o->pid, "late", MAILBOX_DEADLINE));
	EXPECT_EQ(0, proc_find(name, NULL));
	close(tx);
}

struct hold_sh {
	pid_t g;		/* the grandchild holding the descriptor */
	pid_t owner;
	int stat_ret;
	struct mailbox_info info;
	int recv_nb, recv_blk, peek, send_owner;
	int done;
};

struct hold_arg {
	struct hold_sh *sh;
	int go_rd, go_wr;
};

/*
 * The owner: opens its direct mailbox, queues a message in it, forks a
 * child that keeps the descriptor, and exits. The child, once told, tries
 * the descriptor.
 */
static int hold_owner(void *p)
{
	struct hold_arg *a = p;
	struct hold_sh *sh = a->sh;
	char buf[MSG_MAX], c;
	int fd, tx;
	pid_t g;

	fd = mbt_open_direct(4, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	MBT_CHILD_CHECK(!send_to(tx, getpid(), "queued", MAILBOX_NONBLOCK));
	sh->owner = getpid();
	g = fork();
	MBT_CHILD_CHECK(g >= 0);
	if (g == 0) {
		close(a->go_wr);
		if (read(a->go_rd, &c, 1) != 1)
			_exit(2);	/* the test is gone */
		sh->stat_ret = mbt_stat(fd, &sh->info);
		sh->recv_nb = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK,
				       0, NULL);
		sh->recv_blk = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
					mbt_deadline_ms(SLACK_MS), NULL);
		sh->peek = mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL);
		sh->send_owner = send_to(tx, sh->owner, "x", MAILBOX_NONBLOCK);
		__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	sh->g = g;
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_fork_child_does_not_keep_it, TIMEOUT_S)
{
	struct hold_sh *sh = mbt_shared(sizeof(*sh));
	struct hold_arg a = { .sh = sh };
	struct proc_line p;
	uint64_t end;
	char name[32];
	int go[2], status, n, tx = mbt_dev();
	pid_t o, ret;

	ASSERT_TRUE(sh != NULL);
	ASSERT_LE(0, tx);
	/* The grandchild becomes our child when the owner exits. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, pipe(go));
	a.go_rd = go[0];
	a.go_wr = go[1];
	o = mbt_spawn(&self->e.kids, hold_owner, &a);
	ASSERT_LT(0, o);
	reap_ok(_metadata, &self->e, o);
	ASSERT_LT(0, sh->g);

	direct_name(name, sizeof(name), o);
	EXPECT_EQ(-ESRCH, send_to(tx, o, "x", MAILBOX_NONBLOCK));
	/* listed no more, or as dead while the child's descriptor holds it */
	memset(&p, 0, sizeof(p));
	n = proc_find(name, &p);
	EXPECT_TRUE(n == 0 || (n == 1 && !strcmp(p.state, "dead") &&
			       p.depth == 0 && p.bytes == 0))
		TH_LOG("%d lines, state %s depth %u", n, p.state, p.depth);

	ASSERT_EQ(1, write(go[1], "g", 1));
	end = mbt_deadline_ms(SLACK_MS);
	while ((ret = waitpid(sh->g, &status, WNOHANG)) == 0 &&
	       mbt_now_ns() < end)
		mbt_sleep_ms(2);
	ASSERT_EQ(sh->g, ret) TH_LOG("grandchild did not finish");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(1, sh->done);
	/* the last descriptor is closed: gone */
	EXPECT_EQ(0, proc_find(name, NULL));
	/* STAT still works: dead, and the queued message freed */
	EXPECT_EQ(0, sh->stat_ret);
	EXPECT_EQ(U32(MAILBOX_STATE_DEAD), sh->info.state);
	EXPECT_EQ(U32(MAILBOX_INFO_DIRECT), sh->info.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(0U, sh->info.depth);
	EXPECT_EQ(0U, sh->info.bytes);
	EXPECT_STREQ(name, sh->info.name);
	/* every other call: -EPIPE */
	EXPECT_EQ(-EPIPE, sh->recv_nb);
	EXPECT_EQ(-EPIPE, sh->recv_blk);
	EXPECT_EQ(-EPIPE, sh->peek);
	EXPECT_EQ(-ESRCH, sh->send_owner);
	close(go[0]);
	close(go[1]);
	close(tx);
}

/* ---- pid namespaces --------------------------------------------------- */

struct ns_sh {
	pid_t inner_pid;	/* the child's pid as it sees it: 1 */
	struct mailbox_info info;
	int r1, r2, r3, send_outer, g_status;
	struct mailbox_recv m1, m2, m3;
	char d1[16], d2[16], d3[16];
	pid_t g;		/* the grandchild, in the new namespace */
};

/* In the new namespace: send to pid 1; the outer process is unnamable. */
static int ns_grandchild(pid_t outer)
{
	int tx = mbt_dev();

	if (tx < 0)
		return 10;
	if (send_to(tx, 1, "from g", MAILBOX_NONBLOCK))
		return 11;
	if (send_to(tx, outer, "x", MAILBOX_NONBLOCK) != -ESRCH)
		return 12;
	return 0;
}

/* pid 1 of a new pid namespace. */
static int ns_child(struct ns_sh *sh, int ready_wr, int go_rd, pid_t outer)
{
	uint64_t deadline = mbt_deadline_ms(BLOCK_MS);
	int fd, tx;
	char c;
	pid_t g;

	sh->inner_pid = getpid();
	fd = mbt_open_direct(8, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_stat(fd, &sh->info));
	MBT_CHILD_CHECK(write(ready_wr, "r", 1) == 1);
	sh->r1 = mbt_recv(fd, sh->d1, sizeof(sh->d1) - 1, MAILBOX_DEADLINE,
			  deadline, &sh->m1);
	sh->r2 = mbt_recv(fd, sh->d2, sizeof(sh->d2) - 1, MAILBOX_DEADLINE,
			  deadline, &sh->m2);
	tx = mbt_dev();
	MBT_CHILD_CHECK(tx >= 0);
	/* The outer process has a direct mailbox, but no pid here. */
	sh->send_outer = send_to(tx, outer, "x", MAILBOX_NONBLOCK);
	g = fork();
	MBT_CHILD_CHECK(g >= 0);
	if (g == 0)
		_exit(ns_grandchild(outer));
	sh->g = g;
	sh->r3 = mbt_recv_from(fd, g, sh->d3, sizeof(sh->d3) - 1,
			       MAILBOX_DEADLINE, deadline, &sh->m3);
	MBT_CHILD_CHECK(waitpid(g, &sh->g_status, 0) == g);
	MBT_CHILD_CHECK(read(go_rd, &c, 1) == 1);
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_pidns, TIMEOUT_S)
{
	struct ns_sh *sh = mbt_shared(sizeof(*sh));
	struct pollfd pfd;
	struct mailbox_send s;
	struct proc_line p;
	pid_t outer = getpid(), c;
	int ready[2], go[2], fd, tx, err;
	char name[32], ch;

	ASSERT_TRUE(sh != NULL);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	fd = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	if (unshare(CLONE_NEWPID)) {
		err = errno;
		if (err == EPERM || err == EINVAL || err == ENOSYS)
			SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(err));
		ASSERT_EQ(0, err);
	}
	fflush(stdout);
	fflush(stderr);
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			_exit(125);
		close(ready[0]);
		close(go[1]);
		_exit(ns_child(sh, ready[1], go[0], outer));
	}
	self->e.kids.pid[self->e.kids.n++] = c;
	close(ready[1]);
	close(go[0]);
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, SLACK_MS));
	ASSERT_EQ(1, read(ready[0], &ch, 1)) TH_LOG("child failed early");

	/* Listed under the pid this process sees. */
	direct_name(name, sizeof(name), c);
	p = proc_of(_metadata, name);
	EXPECT_STREQ("direct", p.flags);

	/* Sent to the pid this process sees; delivered to the child seen. */
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, send_to(tx, c, "hello", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, mbt_send_to(tx, c, "wait", 4,
				 MAILBOX_SEND_WAIT | MAILBOX_DEADLINE,
				 mbt_deadline_ms(BLOCK_MS), &s));
	EXPECT_EQ(c, s.receiver_pid);
	ASSERT_EQ(1, write(go[1], "g", 1));
	reap_ok(_metadata, &self->e, c);

	EXPECT_EQ(1, sh->inner_pid);
	EXPECT_STREQ("pid/1", sh->info.name);
	EXPECT_EQ(1, sh->info.owner_pid);
	/* the sender is not visible in the child's namespace: pid 0 */
	EXPECT_EQ(5, sh->r1);
	EXPECT_STREQ("hello", sh->d1);
	EXPECT_EQ(0, sh->m1.sender_pid);
	EXPECT_EQ(geteuid(), sh->m1.sender_uid);
	EXPECT_EQ(4, sh->r2);
	EXPECT_STREQ("wait", sh->d2);
	EXPECT_EQ(0, sh->m2.sender_pid);
	/* nor can the child name it */
	EXPECT_EQ(-ESRCH, sh->send_outer);
	/* a sender inside: its pid there, and from_pid in those terms */
	EXPECT_TRUE(WIFEXITED(sh->g_status) && !WEXITSTATUS(sh->g_status))
		TH_LOG("grandchild status %#x", sh->g_status);
	EXPECT_LT(1, sh->g);
	EXPECT_EQ(6, sh->r3);
	EXPECT_STREQ("from g", sh->d3);
	EXPECT_EQ(sh->g, sh->m3.sender_pid);
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);
	close(tx);
	close(fd);
}

/* ---- policies --------------------------------------------------------- */

struct uid_arg {
	pid_t to;
	int mode;		/* 0: as is; 1: setresuid(65534); 2: seteuid */
	int *ret;
};

static int uid_sender(void *p)
{
	struct uid_arg *a = p;
	int tx;

	if (a->mode == 1)
		MBT_CHILD_CHECK(!setresgid(65534, 65534, 65534) &&
				!setresuid(65534, 65534, 65534));
	if (a->mode == 2)
		MBT_CHILD_CHECK(!seteuid(65534));
	tx = mbt_dev();		/* opened as the new user */
	MBT_CHILD_CHECK(tx >= 0);
	*a->ret = send_to(tx, a->to, a->mode ? "nobody" : "root",
			  MAILBOX_NONBLOCK);
	return 0;
}

static int run_uid_sender(struct __test_metadata *_metadata, struct env *e,
			  int mode, int *ret)
{
	struct uid_arg a = { .to = getpid(), .mode = mode, .ret = ret };
	pid_t pid;

	*ret = INT_MIN;
	pid = mbt_spawn(&e->kids, uid_sender, &a);
	ASSERT_LT(0, pid);
	reap_ok(_metadata, e, pid);
	return *ret;
}

TEST_F_TIMEOUT(dlv, direct_policy_uid, TIMEOUT_S)
{
	int *ret = mbt_shared(sizeof(int));
	struct mailbox_recv m;
	pid_t me = getpid();
	int fd, tx;

	if (geteuid() != 0)
		SKIP(return, "needs root to become uid 65534");
	ASSERT_TRUE(ret != NULL);
	fd = mbt_dev();
	tx = mbt_dev();
	ASSERT_LE(0, fd);
	ASSERT_LE(0, tx);
	ASSERT_EQ(1, mbt_open_direct_fd(fd, 8, MSG_MAX, MAILBOX_DELIVER_QUEUE,
					MAILBOX_POLICY_UID, NULL, 0));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 1, ret));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 2, ret));
	EXPECT_EQ(0, run_uid_sender(_metadata, &self->e, 0, ret));
	EXPECT_EQ(0, send_to(tx, me, "self", MAILBOX_NONBLOCK));
	EXPECT_EQ(2U, stat_of(_metadata, fd).depth);

	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_ANY, NULL, 0));
	EXPECT_EQ(0, run_uid_sender(_metadata, &self->e, 1, ret));
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_UID, NULL, 0));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 2, ret));

	m = expect_msg(_metadata, fd, 0, "root", -1, 0);
	EXPECT_EQ(0U, m.sender_uid);
	expect_msg(_metadata, fd, 0, "self", me, 0);
	m = expect_msg(_metadata, fd, 0, "nobody", -1, 0);
	EXPECT_EQ(65534U, m.sender_uid);
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);
	close(tx);
	close(fd);
}

struct policy_child_arg {
	int fd;
	int *ret;
};

/* A forked child holding the owner's descriptor tries SET_POLICY. */
static int policy_child(void *p)
{
	struct policy_child_arg *a = p;

	*a->ret = mbt_set_policy(a->fd, MAILBOX_POLICY_ANY, NULL, 0);
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_policy_list, TIMEOUT_S)
{
	struct agent *a = agent_start(_metadata, &self->e);
	struct agent *b = agent_start(_metadata, &self->e);
	int32_t list[2], big[MAILBOX_POLICY_LIST_MAX + 1];
	static const char *const want[] = { "a1", "b2", "p2", "t2", "b3", "a4" };
	struct policy_child_arg pa;
	struct mailbox_policy pol;
	struct bg t;
	pid_t me = getpid(), dead, kid;
	int *ret = mbt_shared(sizeof(int));
	int fd, tx, named, unbound;
	void *bad = bad_page(_metadata);
	size_t k;

	ASSERT_TRUE(ret != NULL);
	fd = mbt_dev();
	tx = mbt_dev();
	ASSERT_LE(0, fd);
	ASSERT_LE(0, tx);
	list[0] = a->pid;
	ASSERT_EQ(1, mbt_open_direct_fd(fd, 16, MSG_MAX, MAILBOX_DELIVER_QUEUE,
					MAILBOX_POLICY_LIST, list, 1));
	EXPECT_EQ(0, agent_send_to(_metadata, a, me, "a1", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EACCES, agent_send_to(_metadata, b, me, "b1",
					 MAILBOX_NONBLOCK));
	EXPECT_EQ(-EACCES, agent_send_to(_metadata, b, me, "b1",
					 MAILBOX_DEADLINE));
	/* The owner itself is not in the list. */
	EXPECT_EQ(-EACCES, send_to(tx, me, "p1", MAILBOX_NONBLOCK));

	list[0] = b->pid;
	list[1] = me;
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 2));
	EXPECT_EQ(-EACCES, agent_send_to(_metadata, a, me, "a2",
					 MAILBOX_NONBLOCK));
	EXPECT_EQ(0, agent_send_to(_metadata, b, me, "b2", MAILBOX_NONBLOCK));
	EXPECT_EQ(0, send_to(tx, me, "p2", MAILBOX_NONBLOCK));
	/* a thread of a listed process */
	bg_start(_metadata, &t, true, tx, me, "t2");
	EXPECT_EQ(0, bg_join(_metadata, &t));

	/* Refused changes leave the policy as it was. */
	dead = mbt_spawn(&self->e.kids, exit_at_once, NULL);
	ASSERT_LT(0, dead);
	reap_ok(_metadata, &self->e, dead);
	for (k = 0; k < ARRAY_LEN(big); k++)
		big[k] = me;
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, big,
					  MAILBOX_POLICY_LIST_MAX + 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, 3, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, UINT32_MAX, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_ANY, list, 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_ANY, list, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_UID, list, 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_UID, NULL, 1));
	memset(&pol, 0, sizeof(pol));
	pol.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &pol));
	memset(&pol, 0, sizeof(pol));
	pol.reserved[1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &pol));
	list[1] = dead;
	EXPECT_EQ(-ESRCH, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 2));
	EXPECT_EQ(-EFAULT, mbt_set_policy(fd, MAILBOX_POLICY_LIST, NULL, 1));
	EXPECT_EQ(-EFAULT, mbt_set_policy(fd, MAILBOX_POLICY_LIST, bad, 1));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, bad));
	/* not the owner: a forked child holding the descriptor */
	pa.fd = fd;
	pa.ret = ret;
	*ret = INT_MIN;
	kid = mbt_spawn(&self->e.kids, policy_child, &pa);
	ASSERT_LT(0, kid);
	reap_ok(_metadata, &self->e, kid);
	EXPECT_EQ(-EPERM, *ret);
	EXPECT_EQ(-EACCES, agent_send_to(_metadata, a, me, "a3",
					 MAILBOX_NONBLOCK));
	EXPECT_EQ(0, agent_send_to(_metadata, b, me, "b3", MAILBOX_NONBLOCK));

	/* Only on a direct mailbox's descriptor. */
	named = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_ALL, 4,
			 MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EINVAL, mbt_set_policy(named, MAILBOX_POLICY_ANY, NULL, 0));
	unbound = mbt_dev();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, mbt_set_policy(unbound, MAILBOX_POLICY_ANY, NULL, 0));

	/* ANY: everyone again */
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_ANY, NULL, 0));
	EXPECT_EQ(0, agent_send_to(_metadata, a, me, "a4", MAILBOX_NONBLOCK));
	for (k = 0; k < ARRAY_LEN(want); k++)
		expect_msg(_metadata, fd, 0, want[k], -1, 0);
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);
	close(unbound);
	close(named);
	close(tx);
	close(fd);
}

/* ---- the forms of sending and receiving, on a direct mailbox ----------- */

TEST_F_TIMEOUT(dlv, direct_send_forms, TIMEOUT_S)
{
	struct agent *s = agent_start(_metadata, &self->e);
	struct agent *rv = agent_start(_metadata, &self->e);
	struct ag_cmd c = { .op = AG_SEND_TO };
	struct ag_cmd recv = { .op = AG_RECV, .flags = MAILBOX_DEADLINE,
			       .timeout_ms = BLOCK_MS };
	struct mailbox_send snd;
	struct mailbox_info i;
	struct pollfd pfd;
	struct ag_reply r;
	struct bg b;
	pid_t me = getpid();
	char name[32], buf[MSG_MAX];
	uint64_t t0;
	int fd, tx;

	c.pid = me;
	fd = my_direct(_metadata, 2, MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);

	/* non-blocking */
	EXPECT_EQ(0, agent_send_to(_metadata, s, me, "1", MAILBOX_NONBLOCK));
	EXPECT_EQ(0, agent_send_to(_metadata, s, me, "2", MAILBOX_NONBLOCK));
	EXPECT_EQ(-EAGAIN, agent_send_to(_metadata, s, me, "3",
					 MAILBOX_NONBLOCK));
	/* timed */
	c.flags = MAILBOX_DEADLINE;
	c.timeout_ms = SLEEP_MS;
	strcpy(c.msg, "3");
	r = agent_call(_metadata, s, &c);
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	EXPECT_LE(SLEEP_MS * MS, r.elapsed_ns);
	i = stat_of(_metadata, fd);
	EXPECT_EQ(2U, i.depth);
	EXPECT_EQ(2U, i.sent);
	/* blocking, until a receive makes room */
	c.timeout_ms = BLOCK_MS;
	agent_post(_metadata, s, &c);
	WAIT_INFO(fd, senders_waiting, 1);
	expect_msg(_metadata, fd, 0, "1", s->pid, 0);
	r = agent_reply(_metadata, s, SLACK_MS);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(1U, r.snd.receivers);
	expect_msg(_metadata, fd, 0, "2", s->pid, 0);
	expect_msg(_metadata, fd, 0, "3", s->pid, 0);
	EXPECT_EQ(2U, stat_of(_metadata, fd).send_blocked);

	/* SEND_WAIT: returns once the owner took it, naming the owner. */
	c.flags = MAILBOX_SEND_WAIT | MAILBOX_DEADLINE;
	strcpy(c.msg, "w");
	agent_post(_metadata, s, &c);
	WAIT_INFO(fd, depth, 1);
	EXPECT_EQ(0U, stat_of(_metadata, fd).senders_waiting);
	pfd.fd = s->rep_rd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 50)) TH_LOG("returned before delivery");
	expect_msg(_metadata, fd, 0, "w", s->pid, 0);
	r = agent_reply(_metadata, s, SLACK_MS);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(me, r.snd.receiver_pid);
	EXPECT_EQ(1U, r.snd.receivers);
	/* non-blocking SEND_WAIT: -EAGAIN without a receiver asleep... */
	EXPECT_EQ(-EAGAIN, agent_send_to(_metadata, s, me, "n",
					 MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT));
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);
	/* ...handed over with one */
	bg_start(_metadata, &b, false, fd, 0, NULL);
	WAIT_INFO(fd, receivers_waiting, 1);
	c.flags = MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT;
	strcpy(c.msg, "h");
	r = agent_call(_metadata, s, &c);
	EXPECT_EQ(0, r.ret);
	EXPECT_EQ(me, r.snd.receiver_pid);
	EXPECT_EQ(1, bg_join(_metadata, &b));
	EXPECT_STREQ("h", b.data);
	EXPECT_EQ(s->pid, b.rcv.sender_pid);
	/* a blocking receive woken by a SEND_TO */
	bg_start(_metadata, &b, false, fd, 0, NULL);
	WAIT_INFO(fd, receivers_waiting, 1);
	EXPECT_EQ(0, agent_send_to(_metadata, s, me, "r", MAILBOX_NONBLOCK));
	EXPECT_EQ(1, bg_join(_metadata, &b));
	EXPECT_STREQ("r", b.data);
	/* a timed receive */
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
				       t0 + SLEEP_MS * MS, NULL));
	EXPECT_LE(SLEEP_MS * MS, mbt_now_ns() - t0);
	i = stat_of(_metadata, fd);
	EXPECT_EQ(3U, i.recv_blocked);
	EXPECT_EQ(0U, i.depth);
	EXPECT_EQ(i.sent, i.received);

	/* A rendezvous direct mailbox. */
	ASSERT_EQ(1, agent_open_direct(_metadata, rv, 0, MAILBOX_DELIVER_QUEUE));
	EXPECT_EQ(-EAGAIN, send_to(tx, rv->pid, "z", MAILBOX_NONBLOCK));
	agent_post(_metadata, rv, &recv);
	direct_name(name, sizeof(name), rv->pid);
	proc_wait(_metadata, name, -1, -1, 1);
	ASSERT_EQ(0, mbt_send_to(tx, rv->pid, "z", 1, MAILBOX_DEADLINE,
				 mbt_deadline_ms(BLOCK_MS), &snd));
	EXPECT_EQ(rv->pid, snd.receiver_pid);
	r = agent_reply(_metadata, rv, SLACK_MS);
	EXPECT_EQ(1, r.ret);
	EXPECT_STREQ("z", r.data);
	EXPECT_EQ(me, r.rcv.sender_pid);
	close(tx);
	close(fd);
}

/* ==================================================================== */
/* Receive priority                                                      */
/* ==================================================================== */

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
	rec.fdinfo_ok = fdinfo_has(fd, "recv_priority", val);
	rec.ret = mbt_recv(fd, rec.data, sizeof(rec.data) - 1,
			   MAILBOX_DEADLINE, mbt_deadline_ms(BLOCK_MS), NULL);
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
	struct proc_line p;
	const char *name;
	pid_t pid[3];
	int fd, out[2], k;

	fd = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_ALL, 4,
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
		WAIT_INFO(fd, receivers_waiting, (uint32_t)k + 1);
	}
	p = proc_of(_metadata, name);
	EXPECT_STREQ("5,5,1", p.waiters);
	EXPECT_EQ(3U, p.rwait);
	EXPECT_STREQ("queue", p.delivery);
	EXPECT_EQ(0U, stat_of(_metadata, fd).recv_priority);

	for (k = 0; k < 4; k++)
		ASSERT_EQ(0, send_str(fd, msgs[k], MAILBOX_NONBLOCK, NULL));
	memset(got, 0, sizeof(got));
	for (k = 0; k < 3; k++) {
		pfd.fd = out[0];
		pfd.events = POLLIN;
		ASSERT_EQ(1, poll(&pfd, 1, SLACK_MS)) TH_LOG("receiver silent");
		ASSERT_EQ((ssize_t)sizeof(rec), read(out[0], &rec, sizeof(rec)));
		ASSERT_TRUE(rec.idx >= 0 && rec.idx < 3);
		got[rec.idx] = rec;
	}
	for (k = 0; k < 3; k++) {
		reap_ok(_metadata, &self->e, pid[k]);
		EXPECT_EQ(2, got[k].ret) TH_LOG("receiver %d (prio %u)", k,
						prio[k]);
		EXPECT_STREQ(want[k], got[k].data)
			TH_LOG("receiver %d (prio %u)", k, prio[k]);
		EXPECT_EQ(prio[k], got[k].stat_prio);
		EXPECT_TRUE(got[k].fdinfo_ok) TH_LOG("fdinfo recv_priority");
	}
	EXPECT_EQ(1U, stat_of(_metadata, fd).depth);
	EXPECT_EQ(3U, stat_of(_metadata, fd).recv_blocked);
	expect_msg(_metadata, fd, 0, "m4", getpid(), 0);
	p = proc_of(_metadata, name);
	EXPECT_STREQ("-", p.waiters);
	close(out[0]);
	close(out[1]);
	close(fd);
}

/* ==================================================================== */
/* Message priority                                                      */
/* ==================================================================== */

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Message @seq: the number, then filler; the length varies with it. */
static int seq_msg(char *buf, uint32_t seq)
{
	int len = 4 + seq % 29, i;

	memcpy(buf, &seq, 4);
	for (i = 4; i < len; i++)
		buf[i] = (char)(seq * 7 + i);
	return len;
}

/*
 * Send the message seq_msg() makes for @seq, with @priority; a deadline
 * BLOCK_MS away with MAILBOX_DEADLINE.
 */
static int send_seq(int fd, uint32_t seq, uint32_t flags, uint32_t priority,
		    struct mailbox_send *out)
{
	uint64_t deadline = flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(BLOCK_MS) : 0;
	char buf[MSG_MAX];
	int len = seq_msg(buf, seq);

	return mbt_send_ex(fd, 0, buf, len, flags, deadline, priority, out);
}

/* The sequence number of a message made by seq_msg(), or -1. */
static int64_t msg_seq(const char *buf, int len)
{
	uint32_t seq;
	int i;

	if (len < 4)
		return -1;
	memcpy(&seq, buf, 4);
	if (len != (int)(4 + seq % 29))
		return -1;
	for (i = 4; i < len; i++)
		if (buf[i] != (char)(seq * 7 + i))
			return -1;
	return seq;
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
	char buf[MSG_MAX];
	int fd, k, n, ret, npend, best;
	uint32_t seq;

	TH_LOG("seed %u", seed);
	fd = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_ALL, N,
		      MAILBOX_DELIVER_PRIORITY);
	for (k = 0; k < N; k++) {
		prio[k] = xorshift32(&st) % (MAILBOX_PRIO_MAX + 1);
		ASSERT_EQ(0, send_seq(fd, k, MAILBOX_NONBLOCK, prio[k], NULL));
	}
	i = stat_of(_metadata, fd);
	EXPECT_EQ(U32(N), i.depth);
	EXPECT_EQ(U32(MAILBOX_DELIVER_PRIORITY), i.delivery);
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
		ASSERT_EQ(order[k], msg_seq(buf, ret))
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
			    (npend == 0 || xorshift32(&st) % 3);

		if (do_send) {
			p = xorshift32(&st) % (MAILBOX_PRIO_MAX + 1);
			ASSERT_EQ(0, send_seq(fd, seq, MAILBOX_NONBLOCK, p,
					      NULL));
			pend[npend].seq = seq++;
			pend[npend++].prio = p;
			continue;
		}
		/* the model: highest priority, then lowest seq (oldest) */
		best = 0;
		for (n = 1; n < npend; n++)
			if (pend[n].prio > pend[best].prio)
				best = n;	/* first (oldest) of the highest */
		if (xorshift32(&st) % 8 == 0) {
			memset(&m, 0, sizeof(m));
			ret = mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &m);
			ASSERT_EQ((int)(4 + pend[best].seq % 29), ret)
				TH_LOG("seed %u: peek at op %d", seed, k);
		}
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &m);
		ASSERT_EQ((int64_t)pend[best].seq, msg_seq(buf, ret))
			TH_LOG("seed %u: op %d", seed, k);
		ASSERT_EQ(pend[best].prio, m.priority);
		memmove(&pend[best], &pend[best + 1],
			(npend - best - 1) * sizeof(pend[0]));
		npend--;
	}
	i = stat_of(_metadata, fd);
	EXPECT_HELD(i, 0U, 0U);
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
	struct ag_cmd rc = { .op = AG_RECV, .flags = MAILBOX_NONBLOCK };
	struct agent *d = agent_start(_metadata, &self->e);
	struct mailbox_recv m;
	struct proc_line p;
	struct ag_reply r;
	const char *pname;
	struct bg b;
	pid_t me = getpid();
	int pq, q, tx, mine;
	size_t k;

	pq = make_box(_metadata, &self->e, &pname, MAILBOX_ACCESS_ALL, 8,
		      MAILBOX_DELIVER_PRIORITY);
	q = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_ALL, 8,
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
	EXPECT_EQ(0U, stat_of(_metadata, pq).sent);
	EXPECT_EQ(0U, stat_of(_metadata, q).sent);

	ASSERT_EQ(0, mbt_send_ex(pq, 0, "lo", 2, MAILBOX_NONBLOCK, 0, 0, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "hi", 2, MAILBOX_NONBLOCK, 0,
				 MAILBOX_PRIO_MAX, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "hi2", 3, MAILBOX_NONBLOCK, 0,
				 MAILBOX_PRIO_MAX, NULL));
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "mid", 3, MAILBOX_NONBLOCK, 0, 7,
				 NULL));
	EXPECT_EQ(2U, stat_of(_metadata, pq).next_len);
	EXPECT_EQ(2, mbt_recv(pq, NULL, 0, MAILBOX_RECV_PEEK, 0, &m));
	m = expect_msg(_metadata, pq, 0, "hi", me, 0);
	EXPECT_EQ(U32(MAILBOX_PRIO_MAX), m.priority);
	m = expect_msg(_metadata, pq, 0, "hi2", me, 0);
	EXPECT_EQ(U32(MAILBOX_PRIO_MAX), m.priority);
	m = expect_msg(_metadata, pq, 0, "mid", me, 0);
	EXPECT_EQ(7U, m.priority);
	m = expect_msg(_metadata, pq, 0, "lo", me, 0);
	EXPECT_EQ(0U, m.priority);
	ASSERT_EQ(0, send_str(q, "x", MAILBOX_NONBLOCK, NULL));
	m = expect_msg(_metadata, q, 0, "x", me, 0);
	EXPECT_EQ(0U, m.priority);

	/* A receiver asleep takes the next message at once, priority told. */
	bg_start(_metadata, &b, false, pq, 0, NULL);
	WAIT_INFO(pq, receivers_waiting, 1);
	ASSERT_EQ(0, mbt_send_ex(pq, 0, "s", 1, MAILBOX_NONBLOCK, 0, 3, NULL));
	EXPECT_EQ(1, bg_join(_metadata, &b));
	EXPECT_STREQ("s", b.data);
	EXPECT_EQ(3U, b.rcv.priority);
	p = proc_of(_metadata, pname);
	EXPECT_STREQ("priority", p.delivery);
	EXPECT_FDINFO(pq, "delivery", "priority");

	/* A direct mailbox with message priorities. */
	ASSERT_EQ(1, agent_open_direct(_metadata, d, 8,
				       MAILBOX_DELIVER_PRIORITY));
	for (k = 0; k < ARRAY_LEN(in); k++)
		ASSERT_EQ(0, mbt_send_ex(tx, d->pid, in[k].msg, 1,
					 MAILBOX_NONBLOCK, 0, in[k].prio,
					 NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(tx, d->pid, "x", 1, MAILBOX_NONBLOCK,
				       0, MAILBOX_PRIO_MAX + 1, NULL));
	for (k = 0; k < ARRAY_LEN(out); k++) {
		r = agent_call(_metadata, d, &rc);
		EXPECT_EQ(1, r.ret);
		EXPECT_STREQ(out[k], r.data);
		EXPECT_EQ(out_prio[k], r.rcv.priority);
		EXPECT_EQ(me, r.rcv.sender_pid);
	}
	/* a queue direct mailbox refuses priorities */
	mine = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EINVAL, mbt_send_ex(tx, me, "x", 1, MAILBOX_NONBLOCK, 0, 1,
				       NULL));
	EXPECT_EQ(0U, stat_of(_metadata, mine).sent);
	close(mine);
	close(tx);
	close(q);
	close(pq);
}

/* ==================================================================== */
/* Broadcast                                                             */
/* ==================================================================== */

#define BC_N		2500	/* messages to four subscribers */

struct bsub_res {
	int got, bad, first_bad, ret, tail_ret, stat_ret;
	struct mailbox_info info;
};

struct bsub_arg {
	const char *name;
	pid_t sender;
	int n;
	struct bsub_res *res;
};

/* Subscribes, then expects messages 0 .. n-1 in order, then nothing. */
static int bcast_subscriber(void *p)
{
	struct bsub_arg *a = p;
	struct bsub_res *res = a->res;
	struct mailbox_recv m;
	char buf[MSG_MAX];
	int fd, i, ret;

	fd = mbt_open(a->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	for (i = 0; i < a->n; i++) {
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			       mbt_deadline_ms(BLOCK_MS), &m);
		if (ret < 0) {
			res->ret = ret;
			break;
		}
		if (msg_seq(buf, ret) != i || m.sender_pid != a->sender ||
		    m.len != (uint32_t)ret || m.priority) {
			if (!res->bad++)
				res->first_bad = i;
		}
		res->got++;
	}
	res->tail_ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				 NULL);
	res->stat_ret = mbt_stat(fd, &res->info);
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(dlv, broadcast_four_subscribers, TIMEOUT_S)
{
	struct bsub_res *res = mbt_shared(4 * sizeof(*res));
	struct bsub_arg a;
	struct mailbox_send s;
	struct mailbox_info i;
	const char *name;
	int tx, k, wrong = 0;
	pid_t pid[4];

	ASSERT_TRUE(res != NULL);
	/* send-only: the sender is not a subscriber */
	tx = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_SEND, 16,
		      MAILBOX_DELIVER_BROADCAST);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(0U, i.subscribers);
	EXPECT_EQ(U32(MAILBOX_DELIVER_BROADCAST), i.delivery);
	EXPECT_EQ(16U, i.capacity);
	for (k = 0; k < 4; k++) {
		a.name = name;
		a.sender = getpid();
		a.n = BC_N;
		a.res = &res[k];
		pid[k] = mbt_spawn(&self->e.kids, bcast_subscriber, &a);
		ASSERT_LT(0, pid[k]);
	}
	WAIT_INFO(tx, subscribers, 4);
	for (k = 0; k < BC_N; k++) {
		ASSERT_EQ(0, send_seq(tx, k, MAILBOX_DEADLINE, 0, &s))
			TH_LOG("message %d", k);
		if (s.receivers != 4 && !wrong++)
			TH_LOG("message %d: %u receivers", k, s.receivers);
	}
	EXPECT_EQ(0, wrong);
	for (k = 0; k < 4; k++) {
		reap_ok(_metadata, &self->e, pid[k]);
		EXPECT_EQ(0, res[k].ret) TH_LOG("subscriber %d", k);
		EXPECT_EQ(BC_N, res[k].got) TH_LOG("subscriber %d", k);
		EXPECT_EQ(0, res[k].bad)
			TH_LOG("subscriber %d: first bad at %d", k,
			       res[k].first_bad);
		EXPECT_EQ(-EAGAIN, res[k].tail_ret);
		EXPECT_EQ(0, res[k].stat_ret);
		EXPECT_EQ(0U, res[k].info.backlog);
		EXPECT_EQ(U32(MAILBOX_ACCESS_RECV), res[k].info.access);
	}
	i = stat_of(_metadata, tx);
	EXPECT_EQ(U32(BC_N), i.sent);
	EXPECT_EQ(U32(BC_N), i.received);
	EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(0U, i.subscribers);
	EXPECT_EQ(0U, i.senders_waiting);
	TH_LOG("%llu of %d sends slept", (unsigned long long)i.send_blocked,
	       BC_N);
	close(tx);
}

/* The two numbers of a /proc backlog column "x,y", in either order. */
static bool backlog_is(const char *col, unsigned int x, unsigned int y)
{
	unsigned int a, b;
	char end;

	if (sscanf(col, "%u,%u%c", &a, &b, &end) != 2)
		return false;
	return (a == x && b == y) || (a == y && b == x);
}

static void bmsg(char *buf, int k)
{
	snprintf(buf, 16, "msg-%06d", k);	/* 10 bytes */
}

TEST_F_TIMEOUT(dlv, broadcast_slow_subscriber, TIMEOUT_S)
{
	struct mailbox_send s;
	struct mailbox_info i;
	struct mailbox_recv m;
	struct proc_line p;
	const char *name;
	char msg[16], buf[MSG_MAX];
	struct bg b;
	pid_t me = getpid();
	void *bad = bad_page(_metadata);
	int tx, ra, rb, rc, rd, k;
	uint64_t t0;

	tx = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_SEND, 4,
		      MAILBOX_DELIVER_BROADCAST);
	ra = open_box(_metadata, name, MAILBOX_ACCESS_RECV);
	rb = open_box(_metadata, name, MAILBOX_ACCESS_RECV);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(2U, i.subscribers);
	EXPECT_EQ(U32(MAILBOX_ACCESS_SEND), i.access);
	for (k = 0; k < 4; k++) {
		bmsg(msg, k);
		ASSERT_EQ(0, send_str(tx, msg, MAILBOX_NONBLOCK, &s));
		EXPECT_EQ(2U, s.receivers);
		EXPECT_EQ(0, s.receiver_pid);
	}
	/* one copy of each message, whatever the number of subscribers */
	i = stat_of(_metadata, tx);
	EXPECT_HELD(i, 4U, 40U);
	EXPECT_EQ(4U, i.sent);
	EXPECT_EQ(0U, i.received);
	EXPECT_EQ(4U, stat_of(_metadata, ra).backlog);
	EXPECT_EQ(4U, stat_of(_metadata, rb).backlog);

	/* a reads all; b, the slowest, still has four */
	for (k = 0; k < 4; k++) {
		bmsg(msg, k);
		expect_msg(_metadata, ra, 0, msg, me, 0);
	}
	EXPECT_EQ(0U, stat_of(_metadata, ra).backlog);
	EXPECT_EQ(4U, stat_of(_metadata, rb).backlog);
	i = stat_of(_metadata, tx);
	EXPECT_HELD(i, 4U, 40U);
	EXPECT_EQ(0U, i.received);
	p = proc_of(_metadata, name);
	EXPECT_STREQ("broadcast", p.delivery);
	EXPECT_TRUE(backlog_is(p.backlog, 0, 4)) TH_LOG("backlog %s", p.backlog);
	EXPECT_HELD(p, 4U, 40U);
	EXPECT_FDINFO(rb, "backlog", "4");
	EXPECT_FDINFO(ra, "backlog", "0");
	EXPECT_FDINFO(rb, "delivery", "broadcast");

	/* b is full: no send proceeds */
	bmsg(msg, 4);
	EXPECT_EQ(-EAGAIN, send_str(tx, msg, MAILBOX_NONBLOCK, NULL));
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_send(tx, msg, 10, MAILBOX_DEADLINE,
				       t0 + SLEEP_MS * MS, NULL));
	EXPECT_LE(SLEEP_MS * MS, mbt_now_ns() - t0);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(4U, i.sent);
	EXPECT_EQ(1U, i.send_blocked);
	EXPECT_EQ(0U, stat_of(_metadata, ra).backlog);

	/* b reads one: room for one */
	bmsg(msg, 0);
	expect_msg(_metadata, rb, 0, msg, me, 0);
	i = stat_of(_metadata, tx);
	EXPECT_HELD(i, 3U, 30U);
	EXPECT_EQ(1U, i.received);
	bmsg(msg, 4);
	ASSERT_EQ(0, send_str(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(2U, s.receivers);
	EXPECT_EQ(4U, stat_of(_metadata, tx).depth);

	/* a blocking send sleeps until b reads */
	bmsg(msg, 5);
	bg_start(_metadata, &b, true, tx, 0, msg);
	WAIT_INFO(tx, senders_waiting, 1);
	EXPECT_EQ(2U, stat_of(_metadata, tx).send_blocked);
	bmsg(buf, 1);
	expect_msg(_metadata, rb, 0, buf, me, 0);
	EXPECT_EQ(0, bg_join(_metadata, &b));
	EXPECT_EQ(2U, b.snd.receivers);
	EXPECT_EQ(4U, stat_of(_metadata, tx).depth);
	EXPECT_EQ(2U, stat_of(_metadata, ra).backlog);

	/* b leaving with four unread unblocks the next sender */
	bmsg(msg, 6);
	bg_start(_metadata, &b, true, tx, 0, msg);
	WAIT_INFO(tx, senders_waiting, 1);
	close(rb);
	EXPECT_EQ(0, bg_join(_metadata, &b));
	EXPECT_EQ(1U, b.snd.receivers);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(1U, i.subscribers);
	EXPECT_HELD(i, 3U, 30U);
	EXPECT_EQ(7U, i.sent);
	EXPECT_EQ(4U, i.received);
	for (k = 4; k < 7; k++) {
		bmsg(msg, k);
		expect_msg(_metadata, ra, 0, msg, me, 0);
	}
	/* all read: nothing is held */
	i = stat_of(_metadata, tx);
	EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(7U, i.received);
	p = proc_of(_metadata, name);
	EXPECT_HELD(p, 0U, 0U);
	EXPECT_EQ(7U, p.sent);
	EXPECT_EQ(7U, p.received);
	EXPECT_STREQ("0", p.backlog);

	/* a failed receive leaves the message unread for that subscriber */
	bmsg(msg, 7);
	ASSERT_EQ(0, send_str(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(-EFAULT, mbt_recv(ra, bad, MSG_MAX, MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_recv(ra, buf, 3, MAILBOX_NONBLOCK, 0, &m));
	EXPECT_EQ(10U, m.len);
	EXPECT_EQ(1U, stat_of(_metadata, ra).backlog);
	expect_msg(_metadata, ra, 0, msg, me, 0);

	/* nobody subscribed: a send reaches nobody and does not block */
	close(ra);
	EXPECT_EQ(0U, stat_of(_metadata, tx).subscribers);
	bmsg(msg, 8);
	ASSERT_EQ(0, send_str(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(0U, s.receivers);
	bmsg(msg, 9);
	ASSERT_EQ(0, send_str(tx, msg, MAILBOX_DEADLINE, &s));
	EXPECT_EQ(0U, s.receivers);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(10U, i.sent);
	EXPECT_EQ(10U, i.received);
	EXPECT_HELD(i, 0U, 0U);

	/* a late subscriber sees only what is sent after it came */
	rc = open_box(_metadata, name, MAILBOX_ACCESS_RECV);
	EXPECT_EQ(-EAGAIN, mbt_recv(rc, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(0U, stat_of(_metadata, rc).backlog);
	bmsg(msg, 10);
	ASSERT_EQ(0, send_str(tx, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	expect_msg(_metadata, rc, 0, msg, me, 0);
	EXPECT_EQ(-EAGAIN, mbt_recv(rc, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	/* sending and receiving access: a subscriber of its own sends */
	rd = open_box(_metadata, name, MAILBOX_ACCESS_ALL);
	EXPECT_EQ(2U, stat_of(_metadata, tx).subscribers);
	bmsg(msg, 11);
	ASSERT_EQ(0, send_str(rd, msg, MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(2U, s.receivers);
	expect_msg(_metadata, rc, 0, msg, me, 0);
	expect_msg(_metadata, rd, 0, msg, me, 0);
	i = stat_of(_metadata, tx);
	EXPECT_EQ(12U, i.sent);
	EXPECT_EQ(12U, i.received);
	EXPECT_EQ(0U, i.depth);
	close(rd);
	close(rc);
	close(tx);
}

/* ---- joining and leaving while traffic flows -------------------------- */

#define JL_M		3000	/* messages */
#define JL_K		800	/* the leaver reads these, then closes */
#define JL_J1		1000	/* the sender waits here for the joiner */
#define JL_J2		1500	/* the racing joiner comes after this... */
#define JL_PAUSE	2500	/* ...at the latest */
#define JL_L		400	/* the racing joiner reads these, then closes */

enum { JL_STEADY, JL_JOINER, JL_LEAVER, JL_RACER, JL_NSUB };

struct jl_res {
	int64_t first;
	int got, bad, ret;
	int a, b;		/* messages sent just before and after joining */
};

struct jl_sh {
	int sent;		/* sends completed */
	int joined[JL_NSUB];
	int done[JL_NSUB];
	int release;
	struct jl_res res[JL_NSUB];
};

struct jl_arg {
	const char *name;
	struct jl_sh *sh;
	int idx;
	int join_at;		/* 0: at once */
	int n;			/* messages to read */
	bool hold;		/* stay subscribed until released */
};

static int jl_load(int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void jl_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Wait until *@p >= @v, at most @ms; false on timeout. */
static bool jl_wait(int *p, int v, long ms)
{
	uint64_t end = mbt_deadline_ms(ms);

	while (jl_load(p) < v) {
		if (mbt_now_ns() >= end)
			return false;
		mbt_sleep_ms(1);
	}
	return true;
}

static int jl_subscriber(void *p)
{
	struct jl_arg *a = p;
	struct jl_res *r = &a->sh->res[a->idx];
	char buf[MSG_MAX];
	int64_t seq;
	int fd, i, ret;

	if (a->join_at)
		MBT_CHILD_CHECK(jl_wait(&a->sh->sent, a->join_at, BLOCK_MS));
	r->a = jl_load(&a->sh->sent);
	fd = mbt_open(a->name, MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	r->b = jl_load(&a->sh->sent);
	jl_store(&a->sh->joined[a->idx], 1);
	r->first = -1;
	for (i = 0; i < a->n; i++) {
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			       mbt_deadline_ms(BLOCK_MS), NULL);
		if (ret < 0) {
			r->ret = ret;
			break;
		}
		seq = msg_seq(buf, ret);
		if (i == 0)
			r->first = seq;
		else if (seq != r->first + i)
			r->bad++;
		r->got++;
	}
	if (a->hold) {
		if (mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			     NULL) != -EAGAIN)
			r->bad++;
		jl_store(&a->sh->done[a->idx], 1);
		MBT_CHILD_CHECK(jl_wait(&a->sh->release, 1, BLOCK_MS));
	}
	close(fd);
	return 0;
}

#define JL_ANY_FIRST	(-1)	/* jl_check(): first message checked apart */

/*
 * A subscriber's result: no error, @got messages all in order, the first
 * of them @first (unless JL_ANY_FIRST).
 */
static void jl_check(struct __test_metadata *_metadata, const struct jl_res *r,
		     const char *who, int got, int64_t first)
{
	EXPECT_EQ(0, r->ret) TH_LOG("%s", who);
	EXPECT_EQ(got, r->got) TH_LOG("%s", who);
	if (first != JL_ANY_FIRST) {
		EXPECT_EQ(first, r->first) TH_LOG("%s", who);
	}
	EXPECT_EQ(0, r->bad) TH_LOG("%s", who);
}

TEST_F_TIMEOUT(dlv, broadcast_join_leave, TIMEOUT_S)
{
	static const struct { int join_at, n; bool hold; } role[JL_NSUB] = {
		[JL_STEADY] = { 0, JL_M, true },
		[JL_JOINER] = { JL_J1, JL_M - JL_J1, true },
		[JL_LEAVER] = { 0, JL_K, false },
		[JL_RACER] = { JL_J2, JL_L, false },
	};
	struct jl_sh *sh = mbt_shared(sizeof(*sh));
	struct mailbox_send s;
	struct mailbox_info i;
	struct proc_line p;
	struct jl_arg a;
	const char *name;
	int tx, k, wrong = 0;
	pid_t pid[JL_NSUB];
	struct jl_res *r;

	ASSERT_TRUE(sh != NULL);
	tx = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_SEND, 8,
		      MAILBOX_DELIVER_BROADCAST);
	for (k = 0; k < JL_NSUB; k++) {
		a.name = name;
		a.sh = sh;
		a.idx = k;
		a.join_at = role[k].join_at;
		a.n = role[k].n;
		a.hold = role[k].hold;
		pid[k] = mbt_spawn(&self->e.kids, jl_subscriber, &a);
		ASSERT_LT(0, pid[k]);
	}
	WAIT_INFO(tx, subscribers, 2);		/* steady and leaver */
	for (k = 0; k < JL_M; k++) {
		if (k == JL_J1)
			ASSERT_TRUE(jl_wait(&sh->joined[JL_JOINER], 1, SLACK_MS));
		if (k == JL_PAUSE)
			ASSERT_TRUE(jl_wait(&sh->joined[JL_RACER], 1, SLACK_MS));
		ASSERT_EQ(0, send_seq(tx, k, MAILBOX_DEADLINE, 0, &s))
			TH_LOG("message %d", k);
		/* at least steady, and the joiner from JL_J1 on */
		if ((s.receivers < (k < JL_J1 ? 1U : 2U) || s.receivers > 4) &&
		    !wrong++)
			TH_LOG("message %d: %u receivers", k, s.receivers);
		jl_store(&sh->sent, k + 1);
	}
	EXPECT_EQ(0, wrong);
	reap_ok(_metadata, &self->e, pid[JL_LEAVER]);
	reap_ok(_metadata, &self->e, pid[JL_RACER]);
	ASSERT_TRUE(jl_wait(&sh->done[JL_STEADY], 1, SLACK_MS));
	ASSERT_TRUE(jl_wait(&sh->done[JL_JOINER], 1, SLACK_MS));

	/* Both remaining subscribers have read all: nothing is held. */
	i = stat_of(_metadata, tx);
	EXPECT_EQ(2U, i.subscribers);
	EXPECT_HELD(i, 0U, 0U);
	EXPECT_EQ(U32(JL_M), i.sent);
	EXPECT_EQ(U32(JL_M), i.received);
	p = proc_of(_metadata, name);
	EXPECT_HELD(p, 0U, 0U);
	EXPECT_STREQ("0,0", p.backlog);
	jl_store(&sh->release, 1);
	reap_ok(_metadata, &self->e, pid[JL_STEADY]);
	reap_ok(_metadata, &self->e, pid[JL_JOINER]);
	EXPECT_EQ(0U, stat_of(_metadata, tx).subscribers);

	jl_check(_metadata, &sh->res[JL_STEADY], "steady", JL_M, 0);
	/* joined while the sender waited: exactly from JL_J1 */
	jl_check(_metadata, &sh->res[JL_JOINER], "joiner", JL_M - JL_J1, JL_J1);
	jl_check(_metadata, &sh->res[JL_LEAVER], "leaver", JL_K, 0);
	/*
	 * Joined during traffic: sends completed before it joined are not
	 * seen, sends begun after it joined are; one in flight may be either.
	 */
	r = &sh->res[JL_RACER];
	jl_check(_metadata, r, "racer", JL_L, JL_ANY_FIRST);
	EXPECT_LE(r->a, r->first) TH_LOG("joined after %d, before %d", r->a,
					 r->b);
	EXPECT_GE(r->b + 1, r->first) TH_LOG("joined after %d, before %d",
					     r->a, r->b);
	TH_LOG("racing joiner came between messages %d and %d, saw %lld first",
	       r->a, r->b, (long long)r->first);
	close(tx);
}

/* A subscriber that receives for ever (until killed). */
static int bcast_reader_main(void *p)
{
	char buf[MSG_MAX];
	int fd = *(int *)p;

	for (;;)
		MBT_CHILD_CHECK(mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL) >= 0);
}

/*
 * A full broadcast mailbox: a receiver asleep does not make a send
 * possible (poll must not say POLLOUT), and a non-blocking receive or peek
 * on a descriptor whose receive lock is free still returns at once.
 */
TEST_F_TIMEOUT(dlv, broadcast_poll_full, TIMEOUT_S)
{
	struct pollfd p;
	const char *name;
	char buf[MSG_MAX];
	int tx, slow, fast;

	tx = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_SEND, 1,
		      MAILBOX_DELIVER_BROADCAST);
	slow = mbt_open(name, MAILBOX_ACCESS_RECV);
	fast = mbt_open(name, MAILBOX_ACCESS_RECV);
	ASSERT_GE(slow, 0);
	ASSERT_GE(fast, 0);
	ASSERT_GT(mbt_spawn(&self->e.kids, bcast_reader_main, &fast), 0);
	ASSERT_EQ(0, MBT_WAIT_INFO(tx, receivers_waiting, 1, 10000));

	/* The fast subscriber takes it and sleeps again; the slow one is full. */
	ASSERT_EQ(0, send_str(tx, "one", 0, NULL));
	ASSERT_EQ(0, MBT_WAIT_INFO(tx, receivers_waiting, 1, 10000));
	EXPECT_EQ(1U, stat_of(_metadata, tx).depth);
	p = (struct pollfd){ .fd = tx, .events = POLLOUT };
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(-EAGAIN, send_str(tx, "two", MAILBOX_NONBLOCK, NULL));

	/* The slow one reads: room again. */
	EXPECT_EQ(3, mbt_recv(slow, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(slow, buf, sizeof(buf), MAILBOX_NONBLOCK,
				    0, NULL));
	p = (struct pollfd){ .fd = tx, .events = POLLOUT };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents & POLLOUT);
	mbt_kill_all(&self->e.kids);
	close(slow);
	close(fast);
	close(tx);
}

TEST_F_TIMEOUT(dlv, broadcast_args, TIMEOUT_S)
{
	struct mailbox_send s;
	struct mailbox_info i;
	const char *name, *n0;
	char buf[MSG_MAX];
	pid_t me = getpid();
	int fd, again;

	/* capacity 0 (a rendezvous) makes no sense for a broadcast */
	n0 = new_name(_metadata, &self->e, "dlv");
	EXPECT_EQ(-EINVAL, mbt_create_ex(n0, MAILBOX_CREATE_EXCL,
					 MAILBOX_ACCESS_ALL, 0600, 0, MSG_MAX,
					 MAILBOX_DELIVER_BROADCAST));
	EXPECT_EQ(-EINVAL, mbt_create_ex(n0, MAILBOX_CREATE_EXCL,
					 MAILBOX_ACCESS_ALL, 0600, 4, MSG_MAX,
					 3));
	EXPECT_EQ(-ENOENT, mbt_open(n0, MAILBOX_ACCESS_ALL));

	fd = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_ALL, 4,
		      MAILBOX_DELIVER_BROADCAST);
	EXPECT_EQ(1U, stat_of(_metadata, fd).subscribers);
	EXPECT_EQ(-EINVAL, send_str(fd, "x", MAILBOX_SEND_WAIT, NULL));
	EXPECT_EQ(-EINVAL, send_str(fd, "x", MAILBOX_SEND_WAIT |
				    MAILBOX_NONBLOCK, NULL));
	EXPECT_EQ(-EINVAL, send_str(fd, "x", MAILBOX_SEND_WAIT |
				    MAILBOX_DEADLINE, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(fd, 0, "x", 1, MAILBOX_NONBLOCK, 0, 1,
				       NULL));
	EXPECT_EQ(0U, stat_of(_metadata, fd).sent);
	ASSERT_EQ(0, send_str(fd, "x", MAILBOX_NONBLOCK, &s));
	EXPECT_EQ(1U, s.receivers);
	/* from_pid: not on a broadcast mailbox */
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, me, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, me, NULL, 0, MAILBOX_RECV_PEEK, 0,
					 NULL));
	EXPECT_EQ(-EINVAL, mbt_recv_from(fd, -1, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(1U, stat_of(_metadata, fd).backlog);
	/* a receive priority is accepted (and means nothing here) */
	EXPECT_EQ(0, mbt_set_recv_prio(fd, 9));
	i = stat_of(_metadata, fd);
	EXPECT_EQ(9U, i.recv_priority);
	EXPECT_FDINFO(fd, "recv_priority", "9");
	expect_msg(_metadata, fd, 0, "x", me, 0);
	/* opened again by CREATE with other attributes: still a broadcast */
	again = mbt_create_ex(name, 0, MAILBOX_ACCESS_ALL, 0600, 0, MSG_MAX,
			      MAILBOX_DELIVER_QUEUE);
	ASSERT_LE(0, again);
	i = stat_of(_metadata, again);
	EXPECT_EQ(U32(MAILBOX_DELIVER_BROADCAST), i.delivery);
	EXPECT_EQ(4U, i.capacity);
	EXPECT_EQ(2U, i.subscribers);
	close(again);
	close(fd);
}

/* ==================================================================== */
/* /proc/mailboxes, fdinfo, STAT                                         */
/* ==================================================================== */

TEST_F_TIMEOUT(dlv, proc_fdinfo_stat, TIMEOUT_S)
{
	struct mailbox_info i;
	struct proc_line p;
	const char *qname, *pname;
	struct bg lo, hi;
	pid_t me = getpid();
	char header[512] = "", name[32], *f, *d, *w, *bl;
	int q, q2, pq, fd1, fd2, tx;
	FILE *pf;

	/* the header names the new columns, after flags */
	pf = fopen(PROC_MAILBOXES, "re");
	ASSERT_TRUE(pf != NULL);
	ASSERT_TRUE(fgets(header, sizeof(header), pf) != NULL);
	fclose(pf);
	f = strstr(header, "flags");
	d = strstr(header, "delivery");
	w = strstr(header, "waiters");
	bl = strstr(header, "backlog");
	EXPECT_TRUE(f && d && w && bl && f < d && d < w && w < bl)
		TH_LOG("header: %s", header);

	/* a queue mailbox */
	q = make_box(_metadata, &self->e, &qname, MAILBOX_ACCESS_ALL, 4,
		     MAILBOX_DELIVER_QUEUE);
	p = proc_of(_metadata, qname);
	EXPECT_PROC_COLS(p, "-", "queue", "-", "-");
	EXPECT_FDINFO(q, "delivery", "queue");
	EXPECT_FDINFO(q, "recv_priority", "0");
	{
		char buf[2048] = "";

		fdinfo_read(q, buf, sizeof(buf));
		EXPECT_TRUE(strstr(buf, "backlog:") == NULL) TH_LOG("%s", buf);
	}
	i = stat_of(_metadata, q);
	EXPECT_EQ(U32(MAILBOX_DELIVER_QUEUE), i.delivery);
	EXPECT_EQ(0U, i.recv_priority);
	EXPECT_EQ(0U, i.backlog);
	EXPECT_EQ(0, i.owner_pid);
	EXPECT_EQ(0U, i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(0U, i.reserved);
	EXPECT_EQ(0U, i.dropped);
	/* the receive priority is the descriptor's */
	ASSERT_EQ(0, mbt_set_recv_prio(q, 7));
	EXPECT_EQ(7U, stat_of(_metadata, q).recv_priority);
	EXPECT_FDINFO(q, "recv_priority", "7");
	q2 = open_box(_metadata, qname, MAILBOX_ACCESS_ALL);
	EXPECT_EQ(0U, stat_of(_metadata, q2).recv_priority);
	ASSERT_EQ(0, mbt_set_recv_prio(q, 0));
	EXPECT_EQ(0U, stat_of(_metadata, q).recv_priority);

	/* a priority mailbox */
	pq = make_box(_metadata, &self->e, &pname, MAILBOX_ACCESS_ALL, 4,
		      MAILBOX_DELIVER_PRIORITY);
	EXPECT_STREQ("priority", proc_of(_metadata, pname).delivery);
	EXPECT_EQ(U32(MAILBOX_DELIVER_PRIORITY), stat_of(_metadata, pq).delivery);

	/* a direct mailbox with receivers of priorities 3 then 9 asleep */
	direct_name(name, sizeof(name), me);
	fd1 = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	fd2 = mbt_dev();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mbt_open_direct_fd(fd2, 4, MSG_MAX, 0, 0, NULL, 0));
	ASSERT_EQ(0, mbt_set_recv_prio(fd1, 3));
	ASSERT_EQ(0, mbt_set_recv_prio(fd2, 9));
	EXPECT_FDINFO(fd1, "mailbox", name);
	EXPECT_FDINFO(fd1, "recv_priority", "3");
	EXPECT_FDINFO(fd2, "recv_priority", "9");
	bg_start(_metadata, &lo, false, fd1, 0, NULL);
	WAIT_INFO(fd1, receivers_waiting, 1);
	bg_start(_metadata, &hi, false, fd2, 0, NULL);
	WAIT_INFO(fd1, receivers_waiting, 2);
	p = proc_of(_metadata, name);
	EXPECT_PROC_COLS(p, "direct", "queue", "9,3", "-");
	EXPECT_EQ(2U, p.rwait);
	EXPECT_EQ(geteuid(), p.uid);
	i = stat_of(_metadata, fd1);
	EXPECT_STREQ(name, i.name);
	EXPECT_EQ(me, i.owner_pid);
	EXPECT_EQ(U32(MAILBOX_INFO_DIRECT), i.flags & MAILBOX_INFO_DIRECT);
	EXPECT_EQ(3U, i.recv_priority);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, send_to(tx, me, "first", MAILBOX_NONBLOCK));
	ASSERT_EQ(0, send_to(tx, me, "second", MAILBOX_NONBLOCK));
	EXPECT_EQ(5, bg_join(_metadata, &hi));
	EXPECT_STREQ("first", hi.data);
	EXPECT_EQ(6, bg_join(_metadata, &lo));
	EXPECT_STREQ("second", lo.data);
	p = proc_of(_metadata, name);
	EXPECT_STREQ("-", p.waiters);
	EXPECT_EQ(0U, p.rwait);
	EXPECT_EQ(2U, p.rblocked);
	EXPECT_EQ(2U, p.received);
	close(tx);
	close(fd2);
	close(fd1);
	close(pq);
	close(q2);
	close(q);
}

/* ==================================================================== */
/* Argument checking                                                     */
/* ==================================================================== */

TEST_F_TIMEOUT(dlv, errors_send_to, TIMEOUT_S)
{
	struct mailbox_send base, s;
	static char big[MSG_MAX + 1];
	void *bad = bad_page(_metadata);
	const char *name;
	pid_t me = getpid();
	int fd, tx, named, ret;

	fd = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	memset(&base, 0, sizeof(base));
	base.buf = (uintptr_t)"x";
	base.len = 1;
	base.flags = MAILBOX_NONBLOCK;
	base.to_pid = me;

#define TRY_SEND_TO(change, err) do {					\
	s = base;							\
	change;								\
	ret = mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, &s);			\
	EXPECT_EQ(err, ret) TH_LOG("%s", #change);			\
} while (0)

	TRY_SEND_TO(s.flags = 1U << 4, -EINVAL);
	TRY_SEND_TO(s.flags = 1U << 31, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_RECV_PEEK, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE;
		    s.deadline_ns = mbt_deadline_ms(1000), -EINVAL);
	TRY_SEND_TO(s.deadline_ns = 1, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_DEADLINE;
		    s.deadline_ns = (uint64_t)INT64_MAX + 1, -EINVAL);
	TRY_SEND_TO(s.reserved[0] = 1, -EINVAL);
	TRY_SEND_TO(s.reserved[1] = 1ULL << 63, -EINVAL);
	TRY_SEND_TO(s.priority = 1, -EINVAL);	/* a queue mailbox */
	TRY_SEND_TO(s.priority = MAILBOX_PRIO_MAX + 1, -EINVAL);
	TRY_SEND_TO(s.to_pid = 0, -EINVAL);
	TRY_SEND_TO(s.to_pid = -1, -EINVAL);
	TRY_SEND_TO(s.to_pid = INT_MIN, -EINVAL);
	TRY_SEND_TO(s.buf = (uintptr_t)big; s.len = MSG_MAX + 1, -EMSGSIZE);
	TRY_SEND_TO(s.buf = (uintptr_t)bad, -EFAULT);
	TRY_SEND_TO(s.buf = 0, -EFAULT);
	EXPECT_EQ(-EFAULT, mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, bad));
	EXPECT_EQ(0U, stat_of(_metadata, fd).sent);
	EXPECT_EQ(0U, stat_of(_metadata, fd).depth);
	/* the out fields are not read */
	TRY_SEND_TO(s.receiver_pid = 77; s.receivers = 5, 0);
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(0, s.receiver_pid);
	/* through a descriptor bound to a named mailbox, receive-only */
	named = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_RECV, 4,
			 MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(0, mbt_ioctl(named, MAILBOX_IOC_SEND_TO, &base));
	EXPECT_EQ(0U, stat_of(_metadata, named).sent);
	EXPECT_EQ(2U, stat_of(_metadata, fd).depth);
	close(named);
	/* MAILBOX_IOC_SEND takes no to_pid */
	named = make_box(_metadata, &self->e, &name, MAILBOX_ACCESS_ALL, 4,
			 MAILBOX_DELIVER_QUEUE);
	s = base;
	EXPECT_EQ(-EINVAL, mbt_ioctl(named, MAILBOX_IOC_SEND, &s));
	EXPECT_EQ(0U, stat_of(_metadata, named).sent);
	s.to_pid = 0;
	EXPECT_EQ(0, mbt_ioctl(named, MAILBOX_IOC_SEND, &s));
	/* and the direct descriptor is for receiving only */
	s.to_pid = 0;
	EXPECT_EQ(-EBADF, mbt_ioctl(fd, MAILBOX_IOC_SEND, &s));
#undef TRY_SEND_TO
	close(named);
	close(tx);
	close(fd);
}

TEST_F_TIMEOUT(dlv, errors_open_direct, TIMEOUT_S)
{
	unsigned long cap_limit = mbt_param_or("capacity_limit", 65536);
	unsigned long size_limit = mbt_param_or("msg_size_limit", 1048576);
	int32_t list[MAILBOX_POLICY_LIST_MAX + 1], deadlist[2];
	struct mailbox_direct base, d;
	struct mailbox_info i;
	void *bad = bad_page(_metadata);
	pid_t me = getpid(), dead;
	char name[32];
	int fd, ret, named;
	size_t k;

	for (k = 0; k < ARRAY_LEN(list); k++)
		list[k] = me;
	dead = mbt_spawn(&self->e.kids, exit_at_once, NULL);
	ASSERT_LT(0, dead);
	reap_ok(_metadata, &self->e, dead);
	deadlist[0] = me;
	deadlist[1] = dead;
	direct_name(name, sizeof(name), me);
	memset(&base, 0, sizeof(base));
	base.capacity = 4;
	base.msg_size_max = 64;
	base.delivery = MAILBOX_DELIVER_QUEUE;
	base.policy = MAILBOX_POLICY_ANY;
	fd = mbt_dev();
	ASSERT_LE(0, fd);

	/* Each refused: the descriptor stays unbound, nothing is created. */
#define TRY_DIRECT(change, err) do {					\
	d = base;							\
	change;								\
	ret = mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d);		\
	EXPECT_EQ(err, ret) TH_LOG("%s", #change);			\
	if (ret >= 0) {							\
		close(fd);						\
		fd = mbt_dev();						\
		ASSERT_LE(0, fd);					\
	}								\
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &i)) TH_LOG("%s", #change);	\
} while (0)

	TRY_DIRECT(d.flags = 1, -EINVAL);
	TRY_DIRECT(d.flags = 1U << 31, -EINVAL);
	TRY_DIRECT(d.delivery = MAILBOX_DELIVER_BROADCAST, -EINVAL);
	TRY_DIRECT(d.delivery = 3, -EINVAL);
	TRY_DIRECT(d.policy = 3, -EINVAL);
	TRY_DIRECT(d.policy = UINT32_MAX, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 0;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST;
		   d.count = MAILBOX_POLICY_LIST_MAX + 1;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = UINT32_MAX;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.count = 1; d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_UID; d.count = 1;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.reserved[0] = 1, -EINVAL);
	TRY_DIRECT(d.reserved[1] = 1ULL << 63, -EINVAL);
	TRY_DIRECT(d.capacity = cap_limit + 1, -EINVAL);
	TRY_DIRECT(d.capacity = UINT32_MAX, -EINVAL);
	TRY_DIRECT(d.msg_size_max = 0, -EINVAL);
	TRY_DIRECT(d.msg_size_max = size_limit + 1, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 1; d.pids = 0,
		   -EFAULT);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 1;
		   d.pids = (uintptr_t)bad, -EFAULT);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 2;
		   d.pids = (uintptr_t)deadlist, -ESRCH);
#undef TRY_DIRECT
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, bad));
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &i));
	EXPECT_EQ(0, proc_find(name, NULL));

	/* bound to a named mailbox: -EBUSY */
	named = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_ALL, 4,
			 MAILBOX_DELIVER_QUEUE);
	d = base;
	EXPECT_EQ(-EBUSY, mbt_ioctl(named, MAILBOX_IOC_OPEN_DIRECT, &d));
	EXPECT_EQ(0, proc_find(name, NULL));

	/* the largest list and limits are fine */
	d = base;
	d.policy = MAILBOX_POLICY_LIST;
	d.count = MAILBOX_POLICY_LIST_MAX;
	d.pids = (uintptr_t)list;
	d.capacity = cap_limit;
	d.msg_size_max = size_limit;
	ASSERT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d));
	i = stat_of(_metadata, fd);
	EXPECT_EQ(U32(cap_limit), i.capacity);
	EXPECT_EQ(U32(size_limit), i.msg_size_max);
	EXPECT_EQ(1, proc_find(name, NULL));
	EXPECT_EQ(-EBUSY, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d));
	close(named);
	close(fd);
}

TEST_F_TIMEOUT(dlv, errors_recv_prio, TIMEOUT_S)
{
	struct mailbox_recv_prio rp;
	void *bad = bad_page(_metadata);
	int unbound, q, pq, bc, dfd;

	unbound = mbt_dev();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, mbt_set_recv_prio(unbound, 1));
	EXPECT_EQ(-EBADFD, mbt_set_recv_prio(unbound, 0));

	q = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_ALL, 4,
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
	EXPECT_EQ(0U, stat_of(_metadata, q).recv_priority);

	/* accepted on any bound descriptor */
	EXPECT_EQ(0, mbt_set_recv_prio(q, MAILBOX_PRIO_MAX));
	EXPECT_EQ(U32(MAILBOX_PRIO_MAX), stat_of(_metadata, q).recv_priority);
	pq = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_SEND, 4,
		      MAILBOX_DELIVER_PRIORITY);
	EXPECT_EQ(0, mbt_set_recv_prio(pq, 4));
	EXPECT_EQ(4U, stat_of(_metadata, pq).recv_priority);
	bc = make_box(_metadata, &self->e, NULL, MAILBOX_ACCESS_RECV, 4,
		      MAILBOX_DELIVER_BROADCAST);
	EXPECT_EQ(0, mbt_set_recv_prio(bc, 2));
	EXPECT_EQ(2U, stat_of(_metadata, bc).recv_priority);
	dfd = my_direct(_metadata, 4, MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(0, mbt_set_recv_prio(dfd, 1));
	EXPECT_EQ(1U, stat_of(_metadata, dfd).recv_priority);
	EXPECT_EQ(-EINVAL, mbt_set_recv_prio(dfd, MAILBOX_PRIO_MAX + 1));
	EXPECT_EQ(1U, stat_of(_metadata, dfd).recv_priority);
	close(dfd);
	close(bc);
	close(pq);
	close(q);
	close(unbound);
}

TEST_HARNESS_MAIN
