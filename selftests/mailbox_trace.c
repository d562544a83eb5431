// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for the module's ftrace events, system "mailbox" (see
 * kmod/kmailbox_trace.h): send, receive, wait and wake.
 *  - their format files list the declared fields and print formats;
 *  - each transfer produces the events it should, in order, with the
 *    mailbox's name, the pids (in the initial pid namespace, where the
 *    tests run), lengths, priorities and latencies it should: plain,
 *    blocking and blocked calls, SEND_WAIT, priority, broadcast and
 *    direct mailboxes, threads, a process in a child pid namespace;
 *  - the error paths: a wait that times out, is interrupted (with and
 *    without SA_RESTART), ends with -EMSGSIZE or because the mailbox is
 *    destroyed, and calls that fail without sleeping;
 *  - events that are off record nothing, the wake latency is 0 when the
 *    wake event was off as the wait began, and ftrace filters on the
 *    fields work.
 *
 * Every test records into a trace instance of its own (instances/mbt-PID)
 * with only the mailbox events on and the "global" clock, so that events of
 * different CPUs come out in order, reads its "trace" file back after the
 * calls, and keeps the lines of its own mailbox. A test waits for another
 * process to sleep by waiting for that process's wait event. Latencies are
 * checked against bounds that do not depend on the machine's speed: at
 * least the time the test slept, at most the time the call took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailbox_test.h"

#define TRACEFS		"/sys/kernel/tracing"
#define MSG_MAX		128	/* msg_size_max of the test mailboxes */
#define SLACK_MS	10000	/* bound for anything that should be prompt */
#define BLOCK_MS	20000	/* deadline of calls meant to block a while */
#define MS		1000000ULL
#define MAX_NAMES	4
#define MAX_EVENTS	32	/* of one mailbox in one test */
#define LINE_LEN	512	/* of the trace file */
#define TIMEOUT_S	120	/* per test (slow emulation) */

/* ---- events ---------------------------------------------------------- */

enum ev_type { EV_SEND, EV_RECEIVE, EV_WAIT, EV_WAKE, EV_TYPES };

/* The tracepoint system, and the prefix of its event names. */
#define EV_SYSTEM "kmailbox"
#define EV_PREFIX "kmailbox_"

static const char *const ev_names[EV_TYPES] = {
	[EV_SEND] = "send",
	[EV_RECEIVE] = "receive",
	[EV_WAIT] = "wait",
	[EV_WAKE] = "wake",
};

/* One line of the trace file; fields an event lacks stay 0. */
struct event {
	int type;			/* enum ev_type */
	char name[MAILBOX_NAME_LEN];
	int pid;
	int from;			/* receive */
	unsigned long long len;
	unsigned int prio;		/* send, receive */
	char op[8];			/* wait, wake */
	int ret;			/* wake */
	unsigned long long latency;	/* receive, wake */
	char line[LINE_LEN];		/* for failure messages */
};

/* Where @line names a mailbox event, and which: its fields, or NULL. */
static const char *event_start(const char *line, int *type)
{
	char key[32];
	const char *p;
	int t;

	for (t = 0; t < EV_TYPES; t++) {
		snprintf(key, sizeof(key), ": " EV_PREFIX "%s: name=", ev_names[t]);
		p = strstr(line, key);
		if (p) {
			*type = t;
			return p + strlen(key) - strlen("name=");
		}
	}
	return NULL;
}

/*
 * Parse @line of a trace file into @e: 1, 0 if it is no mailbox event,
 * -EPROTO if it is one but does not have the format of kmailbox_trace.h.
 */
static int event_parse(const char *line, struct event *e)
{
	const char *p;
	int n = -1;

	memset(e, 0, sizeof(*e));
	p = event_start(line, &e->type);
	if (!p)
		return 0;
	snprintf(e->line, sizeof(e->line), "%s", line);
	e->line[strcspn(e->line, "\n")] = 0;
	switch (e->type) {
	case EV_SEND:
		sscanf(p, "name=%63s pid=%d len=%llu prio=%u%n", e->name,
		       &e->pid, &e->len, &e->prio, &n);
		break;
	case EV_RECEIVE:
		sscanf(p, "name=%63s pid=%d from=%d len=%llu prio=%u "
		       "latency=%llu%n", e->name, &e->pid, &e->from, &e->len,
		       &e->prio, &e->latency, &n);
		break;
	case EV_WAIT:
		sscanf(p, "name=%63s pid=%d op=%7s len=%llu%n", e->name,
		       &e->pid, e->op, &e->len, &n);
		break;
	case EV_WAKE:
		sscanf(p, "name=%63s pid=%d op=%7s len=%llu ret=%d "
		       "latency=%llu%n", e->name, &e->pid, e->op, &e->len,
		       &e->ret, &e->latency, &n);
		break;
	default:
		break;
	}
	if (n < 0 || strspn(p + n, "\n") != strlen(p + n))
		return -EPROTO;
	return 1;
}

/*
 * The events of mailbox @name in the buffer of the trace instance @inst,
 * oldest first, into @ev (MAX_EVENTS): their number, or -errno (-EPROTO:
 * a mailbox event did not parse, -E2BIG: too many).
 */
static int events_read(const char *inst, const char *name, struct event *ev)
{
	char path[128], line[LINE_LEN];
	int n = 0, ret = 0;
	struct event e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", inst);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret >= 0 && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		ret = event_parse(line, &e);
		if (ret < 0)
			fprintf(stderr, "# unparsable event: %s", line);
		if (ret <= 0 || strcmp(e.name, name))
			continue;
		if (n == MAX_EVENTS)
			ret = -E2BIG;
		else
			ev[n++] = e;
	}
	fclose(f);
	return ret < 0 ? ret : n;
}

/* Index of the @nth (from 0) event of @type by @pid (any if 0), or -1. */
static int event_index(const struct event *ev, int n, int type,
		       pid_t pid, int nth)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].type == type && (!pid || ev[i].pid == pid) &&
		    nth-- == 0)
			return i;
	return -1;
}

static int event_count(const struct event *ev, int n, int type,
		       pid_t pid)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		count += ev[i].type == type && (!pid || ev[i].pid == pid);
	return count;
}

/* The types of @ev in order, as "send receive": compared in EXPECT_SEQ. */
static const char *event_seq(const struct event *ev, int n, char *buf,
			     size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				ev_names[ev[i].type]);
	return buf;
}

#define EXPECT_SEQ(want, ev, n) do {					\
	char __seq[MAX_EVENTS * 8 + 1];					\
	EXPECT_STREQ(want, event_seq(ev, n, __seq, sizeof(__seq)));	\
} while (0)

/* @n events, where their order is not all known: shows them if not. */
#define ASSERT_COUNT(want, ev, n) do {					\
	char __seq[MAX_EVENTS * 8 + 1];					\
	ASSERT_EQ(want, n) TH_LOG("events: %s",				\
				  event_seq(ev, n, __seq, sizeof(__seq))); \
} while (0)

/* A check of one of @e's fields, showing the event if it fails. */
#define EV_EQ(want, got, e) do {					\
	EXPECT_EQ(want, got) TH_LOG("event: %s", (e)->line);		\
} while (0)

static void expect_send(struct __test_metadata *_metadata,
			const struct event *e, pid_t pid, size_t len,
			unsigned int prio)
{
	ASSERT_EQ(EV_SEND, e->type) TH_LOG("event: %s", e->line);
	EV_EQ(pid, e->pid, e);
	EV_EQ(len, e->len, e);
	EV_EQ(prio, e->prio, e);
}

static void expect_receive(struct __test_metadata *_metadata,
			   const struct event *e, pid_t pid, pid_t from,
			   size_t len, unsigned int prio)
{
	ASSERT_EQ(EV_RECEIVE, e->type) TH_LOG("event: %s", e->line);
	EV_EQ(pid, e->pid, e);
	EV_EQ(from, e->from, e);
	EV_EQ(len, e->len, e);
	EV_EQ(prio, e->prio, e);
}

static void expect_wait(struct __test_metadata *_metadata,
			const struct event *e, pid_t pid, const char *op,
			size_t len)
{
	ASSERT_EQ(EV_WAIT, e->type) TH_LOG("event: %s", e->line);
	EV_EQ(pid, e->pid, e);
	EXPECT_STREQ(op, e->op) TH_LOG("event: %s", e->line);
	EV_EQ(len, e->len, e);
}

static void expect_wake(struct __test_metadata *_metadata,
			const struct event *e, pid_t pid, const char *op,
			size_t len, int ret)
{
	ASSERT_EQ(EV_WAKE, e->type) TH_LOG("event: %s", e->line);
	EV_EQ(pid, e->pid, e);
	EXPECT_STREQ(op, e->op) TH_LOG("event: %s", e->line);
	EV_EQ(len, e->len, e);
	EV_EQ(ret, e->ret, e);
}

/* ---- the fixture: a trace instance ----------------------------------- */

struct env {
	struct mbt_kids kids;	/* the test's children */
	char inst[128];		/* the trace instance's directory, or "" */
	int nnames;
	char names[MAX_NAMES][MAILBOX_NAME_LEN];
};

FIXTURE(trace) {
	struct env e;
};

/* Write @val to @dir/@file: 0 or -errno. */
static int write_file(const char *dir, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return mbt_write_file(path, val, O_TRUNC);
}

/*
 * Mount tracefs unless it is there. Returns NULL when the mailbox events
 * can be traced, else why not.
 */
static const char *tracefs_missing(void)
{
	if (access(TRACEFS "/events", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return "no tracefs at " TRACEFS;
	if (access(TRACEFS "/instances", F_OK))
		return "tracefs has no instances/";
	if (access(TRACEFS "/events/" EV_SYSTEM, F_OK))
		return "no events/" EV_SYSTEM " (no CONFIG_EVENT_TRACING?)";
	return NULL;
}

/* Make instance @dir: only the mailbox events on, global clock. */
static int instance_make(const char *dir)
{
	int ret;

	if (mkdir(dir, 0700))
		return -errno;
	ret = write_file(dir, "trace_clock", "global");
	if (!ret)
		ret = write_file(dir, "events/" EV_SYSTEM "/enable", "1");
	if (ret)
		rmdir(dir);
	return ret;
}

FIXTURE_SETUP(trace)
{
	const char *why;
	int ret;

	memset(&self->e, 0, sizeof(self->e));
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox loaded?");
	why = tracefs_missing();
	if (why)
		SKIP(return, "%s", why);
	snprintf(self->e.inst, sizeof(self->e.inst),
		 TRACEFS "/instances/mbt-%d", (int)getpid());
	ret = instance_make(self->e.inst);
	if (ret)
		self->e.inst[0] = 0;
	ASSERT_EQ(0, ret) TH_LOG("trace instance: %s", strerror(-ret));
}

/*
 * FIXTURE_TEARDOWN_PARENT, because a failed ASSERT skips a plain
 * teardown. The test's children die with its process (PR_SET_PDEATHSIG),
 * which has exited by now: nothing holds the instance's files open.
 */
FIXTURE_TEARDOWN_PARENT(trace)
{
	int i;

	for (i = 0; i < self->e.nnames; i++)
		mbt_unlink(self->e.names[i]);
	if (self->e.inst[0] && rmdir(self->e.inst))
		fprintf(stderr, "# rmdir %s: %s\n", self->e.inst,
			strerror(errno));
}

/* The events of mailbox @name so far, into @ev: their number. */
static int events_of(struct __test_metadata *_metadata, struct env *e,
		     const char *name, struct event *ev)
{
	int n = events_read(e->inst, name, ev);

	ASSERT_LE(0, n) TH_LOG("reading the events of %s: %s", name,
			       strerror(-n));
	return n;
}

/*
 * The events of mailbox @name so far, into @ev: their types in order must
 * be @seq and their number that of its words. Returns the number.
 */
static int expect_events(struct __test_metadata *_metadata, struct env *e,
			 const char *name, struct event *ev, const char *seq)
{
	int n = events_of(_metadata, e, name, ev), words = 1;
	const char *p;

	for (p = seq; *p; p++)
		words += *p == ' ';
	EXPECT_SEQ(seq, ev, n);
	ASSERT_EQ(words, n);
	return n;
}

/* Wait until mailbox @name has had @count events of @type by @pid. */
static void wait_event(struct __test_metadata *_metadata, struct env *e,
		       const char *name, enum ev_type type, pid_t pid,
		       int count)
{
	uint64_t end = mbt_deadline_ms(SLACK_MS);
	struct event ev[MAX_EVENTS];
	int n;

	for (;;) {
		n = events_of(_metadata, e, name, ev);
		if (event_count(ev, n, type, pid) >= count)
			return;
		ASSERT_GT(end, mbt_now_ns())
			TH_LOG("no %d %s events of %s by %d", count,
			       ev_names[type], name, (int)pid);
		mbt_sleep_ms(2);
	}
}

/* Turn the instance's event @event ("" for all) on or off. */
static void event_enable(struct __test_metadata *_metadata, struct env *e,
			 const char *event, bool on)
{
	char file[64];
	int ret;

	snprintf(file, sizeof(file), "events/" EV_SYSTEM "/%s%s%senable",
		 *event ? EV_PREFIX : "", event, *event ? "/" : "");
	ret = write_file(e->inst, file, on ? "1" : "0");
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", file, strerror(-ret));
}

/* ---- mailboxes and calls --------------------------------------------- */

static const char *new_name(struct __test_metadata *_metadata, struct env *e)
{
	ASSERT_LT(e->nnames, MAX_NAMES);
	mbt_name(e->names[e->nnames], "trc");
	return e->names[e->nnames++];
}

/* A new mailbox; the test's descriptor gets @access. */
static int make_box(struct __test_metadata *_metadata, struct env *e,
		    const char **name, uint32_t flags, uint32_t access,
		    uint32_t capacity, uint32_t delivery)
{
	const char *n = new_name(_metadata, e);
	int fd = mbt_create_ex(n, MAILBOX_CREATE_EXCL | flags, access, 0600,
			       capacity, MSG_MAX, delivery);

	ASSERT_LE(0, fd) TH_LOG("create %s: %s", n, strerror(-fd));
	*name = n;
	return fd;
}

static int queue_box(struct __test_metadata *_metadata, struct env *e,
		     const char **name, uint32_t capacity)
{
	return make_box(_metadata, e, name, 0, MAILBOX_ACCESS_ALL,
			capacity, MAILBOX_DELIVER_QUEUE);
}

/* Send @len bytes without sleeping (@to: SEND_TO that process). */
static void send_now(struct __test_metadata *_metadata, int fd, pid_t to,
		     size_t len, uint32_t prio)
{
	char buf[MSG_MAX];
	int ret;

	memset(buf, 's', sizeof(buf));
	ret = mbt_send_ex(fd, to, buf, len, MAILBOX_NONBLOCK, 0, prio, NULL);
	ASSERT_EQ(0, ret) TH_LOG("send: %s", strerror(-ret));
}

/* Receive a message of @len bytes without sleeping. */
static void recv_now(struct __test_metadata *_metadata, int fd, size_t len)
{
	char buf[MSG_MAX];
	int ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ((int)len, ret) TH_LOG("receive: %s",
					ret < 0 ? strerror(-ret) : "length");
}

enum { NO_HANDLER, HANDLER_EINTR, HANDLER_RESTART };

/*
 * A blocking call in a child, on a descriptor of its own: what to do, in
 * memory shared with the test, which reads the results there.
 */
struct call {
	char name[MAILBOX_NAME_LEN];	/* the mailbox to open */
	bool send;			/* else receive */
	uint32_t flags;			/* besides MAILBOX_DEADLINE */
	uint32_t len;			/* send: length; recv: buffer size */
	int handler;			/* for SIGUSR1 */
	int ret;			/* out: the call's result */
	uint64_t elapsed_ns;		/* out: how long it took */
	struct mailbox_recv rcv;	/* out */
};

static void on_signal(int sig)
{
	(void)sig;
}

static int call_main(void *p)
{
	struct call *c = p;
	uint64_t deadline, t0;
	char buf[MSG_MAX];
	int fd, i;

	/* Hold none of the test's descriptors: closing them must count. */
	for (i = 3; i < 1024; i++)
		close(i);
	fd = mbt_open(c->name, c->send ? MAILBOX_ACCESS_SEND :
					 MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	if (c->handler != NO_HANDLER)
		MBT_CHILD_CHECK(!mbt_install_handler(on_signal,
				c->handler == HANDLER_RESTART));
	memset(buf, 'c', sizeof(buf));
	deadline = mbt_deadline_ms(BLOCK_MS);
	t0 = mbt_now_ns();
	if (c->send)
		c->ret = mbt_send(fd, buf, c->len, c->flags | MAILBOX_DEADLINE,
				  deadline, NULL);
	else
		c->ret = mbt_recv(fd, buf, c->len, c->flags | MAILBOX_DEADLINE,
				  deadline, &c->rcv);
	c->elapsed_ns = mbt_now_ns() - t0;
	return 0;
}

/* A call (shared with a child) on mailbox @name. */
static struct call *new_call(struct __test_metadata *_metadata,
			     const char *name, bool send, uint32_t len)
{
	struct call *c = mbt_shared(sizeof(*c));

	ASSERT_TRUE(c != NULL);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->send = send;
	c->len = len;
	return c;
}

/* Run @c in a child and wait until it sleeps (its wait event). */
static pid_t start_call(struct __test_metadata *_metadata, struct env *e,
			struct call *c)
{
	pid_t pid = mbt_spawn(&e->kids, call_main, c);

	ASSERT_LT(0, pid) TH_LOG("fork: %s", strerror(-pid));
	wait_event(_metadata, e, c->name, EV_WAIT, pid, 1);
	return pid;
}

/* Wait for the child @pid running @c to finish: the call's result. */
static int finish_call(struct __test_metadata *_metadata, struct env *e,
		       pid_t pid, const struct call *c)
{
	int status = -1;

	ASSERT_EQ(0, mbt_reap(&e->kids, pid, &status, BLOCK_MS + SLACK_MS))
		TH_LOG("child %d did not finish", (int)pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child %d: status %#x", (int)pid, status);
	return c->ret;
}

/* ==================================================================== */
/* Format                                                                */
/* ==================================================================== */

struct format {
	const char *event;
	const char *print;		/* TP_printk()'s format */
	const char *fields[7];		/* as the format file declares them */
};

static const struct format formats[] = {
	{ "send", "name=%s pid=%d len=%zu prio=%u",
	  { "char name[64]", "pid_t pid", "u32 prio", "size_t len" } },
	{ "receive", "name=%s pid=%d from=%d len=%zu prio=%u latency=%llu",
	  { "char name[64]", "pid_t pid", "pid_t from", "size_t len",
	    "u64 latency", "u32 prio" } },
	{ "wait", "name=%s pid=%d op=%s len=%zu",
	  { "char name[64]", "pid_t pid", "int op", "size_t len" } },
	{ "wake", "name=%s pid=%d op=%s len=%zu ret=%d latency=%llu",
	  { "char name[64]", "pid_t pid", "int op", "int ret",
	    "size_t len", "u64 latency" } },
};

static int format_nfields(const struct format *f)
{
	int i;

	for (i = 0; f->fields[i]; i++)
		;
	return i;
}

static bool format_declares(const struct format *f, const char *field)
{
	int i;

	for (i = 0; f->fields[i]; i++)
		if (!strcmp(field, f->fields[i]))
			return true;
	return false;
}

/*
 * Check events/mailbox/@f->event/format: the event's own fields (not the
 * common_ ones) are exactly @f->fields, and the print format is @f->print.
 */
static void check_format(struct __test_metadata *_metadata,
			 struct env *e, const struct format *f)
{
	char path[256], line[1024], want[256], *field, *end, *name;
	int declared = 0, other = 0, print = 0;
	FILE *file;

	snprintf(path, sizeof(path), "%s/events/" EV_SYSTEM "/" EV_PREFIX "%s/format",
		 e->inst, f->event);
	file = fopen(path, "re");
	ASSERT_TRUE(file != NULL) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(want, sizeof(want), "print fmt: \"%s\", ", f->print);
	while (fgets(line, sizeof(line), file)) {
		print += !strncmp(line, want, strlen(want));
		/* "\tfield:TYPE NAME;\toffset:..." */
		field = strstr(line, "field:");
		end = field ? strchr(field, ';') : NULL;
		if (!end)
			continue;
		field += strlen("field:");
		*end = 0;
		name = strrchr(field, ' ');
		if (name && !strncmp(name + 1, "common_", 7))
			continue;
		if (format_declares(f, field)) {
			declared++;
		} else {
			other++;
			TH_LOG("%s: field \"%s\" not declared", path, field);
		}
	}
	fclose(file);
	EXPECT_EQ(format_nfields(f), declared)
		TH_LOG("%s: declared fields missing", path);
	EXPECT_EQ(0, other);
	EXPECT_EQ(1, print) TH_LOG("%s: no line starting %s", path, want);
}

TEST_F_TIMEOUT(trace, formats, TIMEOUT_S)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		check_format(_metadata, &self->e, &formats[i]);
}

/* ==================================================================== */
/* Transfers                                                             */
/* ==================================================================== */

/* A message sent and received without sleeping: send, then receive. */
TEST_F_TIMEOUT(trace, send_receive, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid();
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	send_now(_metadata, fd, 0, 17, 0);
	recv_now(_metadata, fd, 17);
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_send(_metadata, &ev[0], me, 17, 0);
	expect_receive(_metadata, &ev[1], me, me, 17, 0);
	close(fd);
}

/* Receive's latency: from the send, at least the time in between. */
TEST_F_TIMEOUT(trace, receive_latency, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid();
	uint64_t t0, t1;
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	t0 = mbt_now_ns();
	send_now(_metadata, fd, 0, 5, 0);
	mbt_sleep_ms(50);
	recv_now(_metadata, fd, 5);
	t1 = mbt_now_ns();
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_receive(_metadata, &ev[1], me, me, 5, 0);
	EXPECT_LE(50 * MS, ev[1].latency) TH_LOG("%s", ev[1].line);
	EXPECT_GE(t1 - t0, ev[1].latency) TH_LOG("%s", ev[1].line);
	close(fd);
}

/*
 * A receiver sleeps on an empty mailbox until a message comes: wait, the
 * send, wake (latency: at least the test's pause), receive.
 */
TEST_F_TIMEOUT(trace, blocking_receive, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid(), kid;
	struct call *c;
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	c = new_call(_metadata, name, false, 100);
	kid = start_call(_metadata, &self->e, c);
	mbt_sleep_ms(30);
	send_now(_metadata, fd, 0, 9, 0);
	ASSERT_EQ(9, finish_call(_metadata, &self->e, kid, c));
	EXPECT_EQ(me, c->rcv.sender_pid);

	expect_events(_metadata, &self->e, name, ev, "wait send wake receive");
	expect_wait(_metadata, &ev[0], kid, "recv", 100);
	expect_send(_metadata, &ev[1], me, 9, 0);
	expect_wake(_metadata, &ev[2], kid, "recv", 100, 0);
	EXPECT_LE(30 * MS, ev[2].latency) TH_LOG("%s", ev[2].line);
	EXPECT_GE(c->elapsed_ns, ev[2].latency) TH_LOG("%s", ev[2].line);
	expect_receive(_metadata, &ev[3], kid, me, 9, 0);
	EXPECT_GE(c->elapsed_ns, ev[3].latency) TH_LOG("%s", ev[3].line);
	close(fd);
}

/*
 * A sender sleeps on a full mailbox until a receive makes room: its send,
 * wait and wake (op=send), and its message received last.
 */
TEST_F_TIMEOUT(trace, blocked_sender, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid(), kid;
	struct call *c;
	int fd, n, recv, wake;

	fd = queue_box(_metadata, &self->e, &name, 1);
	send_now(_metadata, fd, 0, 3, 0);
	c = new_call(_metadata, name, true, 11);
	kid = start_call(_metadata, &self->e, c);
	mbt_sleep_ms(30);
	recv_now(_metadata, fd, 3);
	ASSERT_EQ(0, finish_call(_metadata, &self->e, kid, c));
	recv_now(_metadata, fd, 11);

	n = events_of(_metadata, &self->e, name, ev);
	/* The first receive and the sender's wake may come in any order. */
	ASSERT_COUNT(6, ev, n);
	expect_send(_metadata, &ev[0], me, 3, 0);
	expect_send(_metadata, &ev[1], kid, 11, 0);
	expect_wait(_metadata, &ev[2], kid, "send", 11);
	recv = ev[3].type == EV_WAKE ? 4 : 3;
	wake = 7 - recv;
	expect_receive(_metadata, &ev[recv], me, me, 3, 0);
	expect_wake(_metadata, &ev[wake], kid, "send", 11, 0);
	EXPECT_LE(30 * MS, ev[wake].latency) TH_LOG("%s", ev[wake].line);
	EXPECT_GE(c->elapsed_ns, ev[wake].latency) TH_LOG("%s", ev[wake].line);
	expect_receive(_metadata, &ev[5], me, kid, 11, 0);
	close(fd);
}

/*
 * MAILBOX_SEND_WAIT: the sender sleeps until its message was copied out,
 * so its wake follows the receive event.
 */
TEST_F_TIMEOUT(trace, send_wait, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid(), kid;
	struct call *c;
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	c = new_call(_metadata, name, true, 6);
	c->flags = MAILBOX_SEND_WAIT;
	kid = start_call(_metadata, &self->e, c);
	recv_now(_metadata, fd, 6);
	ASSERT_EQ(0, finish_call(_metadata, &self->e, kid, c));

	expect_events(_metadata, &self->e, name, ev, "send wait receive wake");
	expect_send(_metadata, &ev[0], kid, 6, 0);
	expect_wait(_metadata, &ev[1], kid, "send", 6);
	expect_receive(_metadata, &ev[2], me, kid, 6, 0);
	expect_wake(_metadata, &ev[3], kid, "send", 6, 0);
	close(fd);
}

/* A priority mailbox: the message's priority in send and receive. */
TEST_F_TIMEOUT(trace, priority, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid();
	int fd;

	fd = make_box(_metadata, &self->e, &name, 0, MAILBOX_ACCESS_ALL, 4,
		      MAILBOX_DELIVER_PRIORITY);
	send_now(_metadata, fd, 0, 4, 2);
	send_now(_metadata, fd, 0, 3, 7);
	recv_now(_metadata, fd, 3);
	recv_now(_metadata, fd, 4);
	expect_events(_metadata, &self->e, name, ev,
		      "send send receive receive");
	expect_send(_metadata, &ev[0], me, 4, 2);
	expect_send(_metadata, &ev[1], me, 3, 7);
	expect_receive(_metadata, &ev[2], me, me, 3, 7);
	expect_receive(_metadata, &ev[3], me, me, 4, 2);
	close(fd);
}

/*
 * Broadcast to two sleeping subscribers: one send event; a wait, a wake
 * and a receive for each subscriber, in that order.
 */
TEST_F_TIMEOUT(trace, broadcast, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	struct call *c[2];
	const char *name;
	pid_t me = getpid(), kid[2];
	int fd, n, i, wait, wake, recv;

	fd = make_box(_metadata, &self->e, &name, 0, MAILBOX_ACCESS_SEND, 4,
		      MAILBOX_DELIVER_BROADCAST);
	for (i = 0; i < 2; i++) {
		c[i] = new_call(_metadata, name, false, 50);
		kid[i] = start_call(_metadata, &self->e, c[i]);
	}
	send_now(_metadata, fd, 0, 8, 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(8, finish_call(_metadata, &self->e, kid[i], c[i]));

	n = events_of(_metadata, &self->e, name, ev);
	ASSERT_COUNT(7, ev, n);
	EXPECT_EQ(1, event_count(ev, n, EV_SEND, 0));
	expect_send(_metadata, &ev[2], me, 8, 0);
	for (i = 0; i < 2; i++) {
		wait = event_index(ev, n, EV_WAIT, kid[i], 0);
		wake = event_index(ev, n, EV_WAKE, kid[i], 0);
		recv = event_index(ev, n, EV_RECEIVE, kid[i], 0);
		EXPECT_EQ(1, event_count(ev, n, EV_WAIT, kid[i]));
		EXPECT_EQ(1, event_count(ev, n, EV_WAKE, kid[i]));
		EXPECT_EQ(1, event_count(ev, n, EV_RECEIVE, kid[i]));
		ASSERT_TRUE(wait >= 0 && wait < 2 && wake > 2 && recv > wake)
			TH_LOG("subscriber %d: wait %d, wake %d, receive %d",
			       (int)kid[i], wait, wake, recv);
		expect_wait(_metadata, &ev[wait], kid[i], "recv", 50);
		expect_wake(_metadata, &ev[wake], kid[i], "recv", 50, 0);
		expect_receive(_metadata, &ev[recv], kid[i], me, 8, 0);
	}
	close(fd);
}

/* A direct mailbox's events are named pid/N. */
TEST_F_TIMEOUT(trace, direct, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	pid_t me = getpid();
	char name[32];
	int fd, tx;

	snprintf(name, sizeof(name), "pid/%d", (int)me);
	fd = mbt_open_direct(4, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	ASSERT_LE(0, fd) TH_LOG("OPEN_DIRECT: %s", strerror(-fd));
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	send_now(_metadata, tx, me, 12, 0);
	recv_now(_metadata, fd, 12);
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_send(_metadata, &ev[0], me, 12, 0);
	expect_receive(_metadata, &ev[1], me, me, 12, 0);
	close(tx);
	close(fd);
}

/* The pids are thread-group ids: a thread's send and receive. */
struct thread_io {
	int fd;
	int send_ret, recv_ret;
	pid_t tid;
};

static void *thread_io_main(void *p)
{
	struct thread_io *t = p;
	char buf[MSG_MAX];

	t->tid = gettid();
	memset(buf, 't', sizeof(buf));
	t->send_ret = mbt_send(t->fd, buf, 13, MAILBOX_NONBLOCK, 0, NULL);
	t->recv_ret = mbt_recv(t->fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			       NULL);
	return NULL;
}

TEST_F_TIMEOUT(trace, thread_pids, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	struct thread_io t = { 0 };
	const char *name;
	pid_t me = getpid();
	pthread_t thr;

	t.fd = queue_box(_metadata, &self->e, &name, 4);
	ASSERT_EQ(0, pthread_create(&thr, NULL, thread_io_main, &t));
	ASSERT_EQ(0, pthread_join(thr, NULL));
	ASSERT_EQ(0, t.send_ret);
	ASSERT_EQ(13, t.recv_ret);
	ASSERT_NE(me, t.tid);
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_send(_metadata, &ev[0], me, 13, 0);
	expect_receive(_metadata, &ev[1], me, me, 13, 0);
	close(t.fd);
}

/*
 * In a child pid namespace: a process that is pid 1 there sends to its own
 * direct mailbox; the events give its pid in the initial namespace, also
 * in the mailbox's name.
 */
static int pidns_main(void)
{
	char buf[MSG_MAX];
	int fd, tx;

	if (getpid() != 1)
		return 10;
	fd = mbt_open_direct(4, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	if (fd < 0 || tx < 0)
		return 11;
	memset(buf, 'n', sizeof(buf));
	if (mbt_send_to(tx, 1, buf, 21, MAILBOX_NONBLOCK, 0, NULL))
		return 12;
	if (mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL) != 21)
		return 13;
	return 0;
}

TEST_F_TIMEOUT(trace, pid_namespace, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	char name[32];
	int err, status = -1;
	pid_t kid;

	if (unshare(CLONE_NEWPID)) {
		err = errno;
		if (err == EPERM || err == EINVAL)
			SKIP(return, "unshare(CLONE_NEWPID): %s",
			     strerror(err));
		ASSERT_EQ(0, err);
	}
	fflush(stdout);
	fflush(stderr);
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL))
			_exit(125);
		_exit(pidns_main());
	}
	self->e.kids.pid[self->e.kids.n++] = kid;
	ASSERT_EQ(0, mbt_reap(&self->e.kids, kid, &status, SLACK_MS));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);

	snprintf(name, sizeof(name), "pid/%d", (int)kid);
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_send(_metadata, &ev[0], kid, 21, 0);
	expect_receive(_metadata, &ev[1], kid, kid, 21, 0);
	EXPECT_EQ(0, events_of(_metadata, &self->e, "pid/1", ev));
}

/* ==================================================================== */
/* Error paths                                                           */
/* ==================================================================== */

/* A timed receive expires: wait, then wake with -ETIMEDOUT. */
TEST_F_TIMEOUT(trace, recv_timeout, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid();
	uint64_t t0, t1;
	char buf[MSG_MAX];
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, 40, MAILBOX_DEADLINE,
				       mbt_deadline_ms(100), NULL));
	t1 = mbt_now_ns();
	expect_events(_metadata, &self->e, name, ev, "wait wake");
	expect_wait(_metadata, &ev[0], me, "recv", 40);
	expect_wake(_metadata, &ev[1], me, "recv", 40, -ETIMEDOUT);
	EXPECT_LT(0ULL, ev[1].latency) TH_LOG("%s", ev[1].line);
	EXPECT_GE(t1 - t0, ev[1].latency) TH_LOG("%s", ev[1].line);
	close(fd);
}

/*
 * A sleeping receiver gets SIGUSR1: the wake event reports -ERESTARTSYS
 * (512, the kernel's "restart unless the handler says otherwise"). Without
 * SA_RESTART the call fails with -EINTR; with it the call sleeps again
 * and takes the message sent then.
 */
static void interrupted_receive(struct __test_metadata *_metadata,
				struct env *e, bool restart)
{
	const int erestartsys = -512;
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid(), kid;
	struct call *c;
	int fd;

	fd = queue_box(_metadata, e, &name, 4);
	c = new_call(_metadata, name, false, 30);
	c->handler = restart ? HANDLER_RESTART : HANDLER_EINTR;
	kid = start_call(_metadata, e, c);
	ASSERT_EQ(0, kill(kid, SIGUSR1));
	if (restart) {
		wait_event(_metadata, e, name, EV_WAIT, kid, 2);
		send_now(_metadata, fd, 0, 2, 0);
	}
	ASSERT_EQ(restart ? 2 : -EINTR, finish_call(_metadata, e, kid, c));

	expect_events(_metadata, e, name, ev,
		      restart ? "wait wake wait send wake receive" :
				"wait wake");
	expect_wait(_metadata, &ev[0], kid, "recv", 30);
	expect_wake(_metadata, &ev[1], kid, "recv", 30, erestartsys);
	if (restart) {
		expect_wait(_metadata, &ev[2], kid, "recv", 30);
		expect_send(_metadata, &ev[3], me, 2, 0);
		expect_wake(_metadata, &ev[4], kid, "recv", 30, 0);
		expect_receive(_metadata, &ev[5], kid, me, 2, 0);
	}
	close(fd);
}

TEST_F_TIMEOUT(trace, recv_interrupted, TIMEOUT_S)
{
	interrupted_receive(_metadata, &self->e, false);
}

TEST_F_TIMEOUT(trace, recv_interrupted_restart, TIMEOUT_S)
{
	interrupted_receive(_metadata, &self->e, true);
}

/*
 * A sleeping receiver whose buffer is too small for the message that
 * comes wakes with -EMSGSIZE and receives nothing; the message stays
 * queued for the next receiver.
 */
TEST_F_TIMEOUT(trace, recv_wakes_too_small, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid(), kid;
	struct call *c;
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 4);
	c = new_call(_metadata, name, false, 4);
	kid = start_call(_metadata, &self->e, c);
	send_now(_metadata, fd, 0, 10, 0);
	ASSERT_EQ(-EMSGSIZE, finish_call(_metadata, &self->e, kid, c));
	EXPECT_EQ(10U, c->rcv.len);
	recv_now(_metadata, fd, 10);

	expect_events(_metadata, &self->e, name, ev, "wait send wake receive");
	expect_wait(_metadata, &ev[0], kid, "recv", 4);
	expect_send(_metadata, &ev[1], me, 10, 0);
	expect_wake(_metadata, &ev[2], kid, "recv", 4, -EMSGSIZE);
	expect_receive(_metadata, &ev[3], me, me, 10, 0);
	close(fd);
}

/*
 * The mailbox is destroyed (its MAILBOX_CREATE_OWNED descriptor closed)
 * under a sleeping receiver: wake with -EIDRM.
 */
TEST_F_TIMEOUT(trace, recv_destroyed, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t kid;
	struct call *c;
	int fd;

	fd = make_box(_metadata, &self->e, &name, MAILBOX_CREATE_OWNED,
		      MAILBOX_ACCESS_ALL, 4, MAILBOX_DELIVER_QUEUE);
	c = new_call(_metadata, name, false, 20);
	kid = start_call(_metadata, &self->e, c);
	close(fd);
	ASSERT_EQ(-EIDRM, finish_call(_metadata, &self->e, kid, c));

	expect_events(_metadata, &self->e, name, ev, "wait wake");
	expect_wait(_metadata, &ev[0], kid, "recv", 20);
	expect_wake(_metadata, &ev[1], kid, "recv", 20, -EIDRM);
}

/*
 * Receives that fail without sleeping or copying anything out trace
 * nothing: non-blocking on an empty mailbox, PEEK, a buffer too small, a
 * buffer that faults. The message then received traces once.
 */
TEST_F_TIMEOUT(trace, recv_errors_no_event, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t me = getpid();
	char buf[MSG_MAX];
	void *bad;
	int fd;

	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(bad != MAP_FAILED);
	fd = queue_box(_metadata, &self->e, &name, 4);
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(0, events_of(_metadata, &self->e, name, ev));

	send_now(_metadata, fd, 0, 7, 0);
	EXPECT_EQ(7, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 6, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, bad, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	recv_now(_metadata, fd, 7);
	expect_events(_metadata, &self->e, name, ev, "send receive");
	expect_receive(_metadata, &ev[1], me, me, 7, 0);
	munmap(bad, 4096);
	close(fd);
}

/*
 * Sends that fail: one longer than msg_size_max traces nothing; one that
 * would sleep on a full mailbox traces its send (the message entered the
 * kernel) but no wait; a timed one that sleeps and expires traces send,
 * wait and wake with -ETIMEDOUT. Nothing is received.
 */
TEST_F_TIMEOUT(trace, send_errors, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	char buf[MSG_MAX + 1] = "";
	const char *name;
	pid_t me = getpid();
	uint64_t t0, t1;
	int fd;

	fd = queue_box(_metadata, &self->e, &name, 1);
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, buf, MSG_MAX + 1, MAILBOX_NONBLOCK,
				      0, NULL));
	EXPECT_EQ(0, events_of(_metadata, &self->e, name, ev));

	send_now(_metadata, fd, 0, 1, 0);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, buf, 2, MAILBOX_NONBLOCK, 0, NULL));
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_send(fd, buf, 3, MAILBOX_DEADLINE,
				       mbt_deadline_ms(100), NULL));
	t1 = mbt_now_ns();

	expect_events(_metadata, &self->e, name, ev,
		      "send send send wait wake");
	expect_send(_metadata, &ev[0], me, 1, 0);
	expect_send(_metadata, &ev[1], me, 2, 0);
	expect_send(_metadata, &ev[2], me, 3, 0);
	expect_wait(_metadata, &ev[3], me, "send", 3);
	expect_wake(_metadata, &ev[4], me, "send", 3, -ETIMEDOUT);
	EXPECT_LT(0ULL, ev[4].latency) TH_LOG("%s", ev[4].line);
	EXPECT_GE(t1 - t0, ev[4].latency) TH_LOG("%s", ev[4].line);
	close(fd);
}

/* ==================================================================== */
/* Switching events on and off, filters                                  */
/* ==================================================================== */

/*
 * With the events off nothing is recorded; with only send on, only send
 * events; with all on again, all of them.
 */
TEST_F_TIMEOUT(trace, disabled, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	int fd, n;

	fd = queue_box(_metadata, &self->e, &name, 4);
	event_enable(_metadata, &self->e, "", false);
	send_now(_metadata, fd, 0, 1, 0);
	recv_now(_metadata, fd, 1);
	EXPECT_EQ(0, events_of(_metadata, &self->e, name, ev));

	event_enable(_metadata, &self->e, "send", true);
	send_now(_metadata, fd, 0, 2, 0);
	recv_now(_metadata, fd, 2);
	expect_events(_metadata, &self->e, name, ev, "send");
	EXPECT_EQ(2U, ev[0].len);

	event_enable(_metadata, &self->e, "", true);
	send_now(_metadata, fd, 0, 3, 0);
	recv_now(_metadata, fd, 3);
	n = events_of(_metadata, &self->e, name, ev);
	EXPECT_SEQ("send send receive", ev, n);
	close(fd);
}

/*
 * The wake event turned on while a receiver sleeps: its latency is 0, as
 * the header says. Only if no other trace instance has it on, or the
 * sleep would have been timed.
 */
TEST_F_TIMEOUT(trace, wake_enabled_late, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name;
	pid_t kid;
	struct call *c;
	char on[4] = "";
	int fd;
	FILE *f;

	f = fopen(TRACEFS "/events/" EV_SYSTEM "/" EV_PREFIX "wake/enable", "re");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(on, sizeof(on), f) != NULL);
	fclose(f);
	if (on[0] != '0')
		SKIP(return, "the wake event is on outside the test");

	fd = queue_box(_metadata, &self->e, &name, 4);
	event_enable(_metadata, &self->e, "wake", false);
	c = new_call(_metadata, name, false, 10);
	kid = start_call(_metadata, &self->e, c);
	event_enable(_metadata, &self->e, "wake", true);
	send_now(_metadata, fd, 0, 1, 0);
	ASSERT_EQ(1, finish_call(_metadata, &self->e, kid, c));

	expect_events(_metadata, &self->e, name, ev, "wait send wake receive");
	expect_wake(_metadata, &ev[2], kid, "recv", 10, 0);
	EXPECT_EQ(0ULL, ev[2].latency) TH_LOG("%s", ev[2].line);
	close(fd);
}

/* ftrace filters on the events' fields: numbers and the name. */
TEST_F_TIMEOUT(trace, filter, TIMEOUT_S)
{
	struct event ev[MAX_EVENTS];
	const char *name, *other;
	char filter[128];
	pid_t me = getpid();
	int fd, fd2, ret;

	fd = queue_box(_metadata, &self->e, &name, 4);
	fd2 = queue_box(_metadata, &self->e, &other, 4);
	ret = write_file(self->e.inst, "events/" EV_SYSTEM "/" EV_PREFIX "send/filter",
			 "len == 5");
	ASSERT_EQ(0, ret) TH_LOG("send filter: %s", strerror(-ret));
	snprintf(filter, sizeof(filter), "name == \"%s\" && from == %d",
		 other, (int)me);
	ret = write_file(self->e.inst, "events/" EV_SYSTEM "/" EV_PREFIX "receive/filter", filter);
	ASSERT_EQ(0, ret) TH_LOG("receive filter: %s", strerror(-ret));

	send_now(_metadata, fd, 0, 4, 0);
	send_now(_metadata, fd, 0, 5, 0);
	send_now(_metadata, fd2, 0, 6, 0);
	recv_now(_metadata, fd, 4);
	recv_now(_metadata, fd, 5);
	recv_now(_metadata, fd2, 6);

	expect_events(_metadata, &self->e, name, ev, "send");
	expect_send(_metadata, &ev[0], me, 5, 0);
	expect_events(_metadata, &self->e, other, ev, "receive");
	expect_receive(_metadata, &ev[0], me, me, 6, 0);
	close(fd2);
	close(fd);
}

TEST_HARNESS_MAIN
