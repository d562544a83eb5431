// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for the module's ftrace events (see kmod/kmailbox_trace.h and
 * the MBT_EV_* names in lib/mbt.h): send, receive, wait and wake.
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
 * Every test records into a trace instance of its own (struct mbt_trace)
 * with only the mailbox events on, reads its "trace" file back after the
 * calls, and keeps the lines of its own mailbox. A test waits for another
 * process to sleep by waiting for that process's wait event. Latencies are
 * checked against bounds that do not depend on the machine's speed: at
 * least the time the test slept, at most the time the call took.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>

#include "lib/mbt.h"

#define MSG_MAX		128	/* msg_size_max of the test mailboxes */
#define TIMEOUT_S	120	/* per test (slow emulation) */
/* A queue mailbox of @cap messages of up to MSG_MAX bytes, unless ... */
#define BOX(cap, ...)	MBT_BOX(.capacity = (cap), .msg_size_max = MSG_MAX, \
				##__VA_ARGS__)

FIXTURE(trace) {
	struct mbt_env e;
	struct mbt_trace t;
	pid_t me;				/* the test's process */
	const char *name;			/* the mailbox of box() */
	struct mbt_event ev[MBT_MAX_EVENTS];	/* events read back */
};

FIXTURE_SETUP(trace)
{
	self->me = getpid();
	MBT_SETUP(&self->e, "trc");
	mbt_trace_setup(_metadata, &self->t);
}

/*
 * FIXTURE_TEARDOWN_PARENT, because a failed ASSERT skips a plain
 * teardown. The test's children die with its process (PR_SET_PDEATHSIG),
 * which has exited by now: nothing holds the instance's files open.
 */
FIXTURE_TEARDOWN_PARENT(trace)
{
	mbt_env_cleanup(&self->e);
	mbt_trace_close(&self->t);
}

/* A new mailbox @b, self->name; the test's descriptor. */
static int box(struct __test_metadata *_metadata, FIXTURE_DATA(trace) *self,
	       struct mbt_box b)
{
	return mbt_new_box(_metadata, &self->e, &self->name, b);
}

/* The events of self->name so far, into self->ev: their number. */
static int read_events(struct __test_metadata *_metadata,
		       FIXTURE_DATA(trace) *self)
{
	return mbt_events_of(_metadata, &self->t, self->name, self->ev);
}

/* The same, and their types in order must be @seq ("send receive"). */
static int events(struct __test_metadata *_metadata, FIXTURE_DATA(trace) *self,
		  const char *seq)
{
	return mbt_expect_events(_metadata, &self->t, self->name, self->ev,
				 seq);
}

/* ==================================================================== */
/* Format                                                                */
/* ==================================================================== */

struct format {
	int type;			/* MBT_EVT_* */
	const char *print;		/* TP_printk()'s format */
	const char *fields[7];		/* as the format file declares them */
};

static const struct format formats[] = {
	{ MBT_EVT_SEND, "name=%s pid=%d len=%zu prio=%u",
	  { "char name[64]", "pid_t pid", "u32 prio", "size_t len" } },
	{ MBT_EVT_RECEIVE, "name=%s pid=%d from=%d len=%zu prio=%u latency=%llu",
	  { "char name[64]", "pid_t pid", "pid_t from", "size_t len",
	    "u64 latency", "u32 prio" } },
	{ MBT_EVT_WAIT, "name=%s pid=%d op=%s len=%zu",
	  { "char name[64]", "pid_t pid", "int op", "size_t len" } },
	{ MBT_EVT_WAKE, "name=%s pid=%d op=%s len=%zu ret=%d latency=%llu",
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
 * Check the format file of event @f->type: the event's own fields (not the
 * common_ ones) are exactly @f->fields, and the print format is @f->print.
 */
static void check_format(struct __test_metadata *_metadata,
			 const struct mbt_trace *t, const struct format *f)
{
	char path[256], line[1024], want[256], *field, *end, *name;
	int declared = 0, other = 0, print = 0;
	FILE *file;

	mbt_event_path(t, f->type, "format", path, sizeof(path));
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

	for (i = 0; i < MBT_ARRAY_SIZE(formats); i++)
		check_format(_metadata, &self->t, &formats[i]);
}

/* ==================================================================== */
/* Transfers                                                             */
/* ==================================================================== */

/* A message sent and received without sleeping: send, then receive. */
TEST_F_TIMEOUT(trace, send_receive, TIMEOUT_S)
{
	int fd = box(_metadata, self, BOX(4));

	mbt_send_len(_metadata, fd, 0, 17, 0);
	mbt_recv_len(_metadata, fd, 17);
	events(_metadata, self, "send receive");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 17, 0);
	MBT_EXPECT_RECEIVE(&self->ev[1], self->me, self->me, 17, 0);
}

/* Receive's latency: from the send, at least the time in between. */
TEST_F_TIMEOUT(trace, receive_latency, TIMEOUT_S)
{
	uint64_t t0, t1;
	int fd = box(_metadata, self, BOX(4));

	t0 = mbt_now_ns();
	mbt_send_len(_metadata, fd, 0, 5, 0);
	mbt_sleep_ms(50);
	mbt_recv_len(_metadata, fd, 5);
	t1 = mbt_now_ns();
	events(_metadata, self, "send receive");
	MBT_EXPECT_RECEIVE(&self->ev[1], self->me, self->me, 5, 0);
	MBT_EXPECT_LATENCY(&self->ev[1], 50 * MBT_MS, t1 - t0);
}

/*
 * A receiver sleeps on an empty mailbox until a message comes: wait, the
 * send, wake (latency: at least the test's pause), receive.
 */
TEST_F_TIMEOUT(trace, blocking_receive, TIMEOUT_S)
{
	struct mbt_call *c;
	int fd = box(_metadata, self, BOX(4));

	c = mbt_call(_metadata, self->name, false, 100);
	mbt_call_start(_metadata, &self->e, &self->t, c);
	mbt_sleep_ms(30);
	mbt_send_len(_metadata, fd, 0, 9, 0);
	ASSERT_EQ(9, mbt_call_finish(_metadata, &self->e, c));
	EXPECT_EQ(self->me, c->rcv.sender_pid);

	events(_metadata, self, "wait send wake receive");
	MBT_EXPECT_WAIT(&self->ev[0], c->pid, "recv", 100);
	MBT_EXPECT_SEND(&self->ev[1], self->me, 9, 0);
	MBT_EXPECT_WAKE(&self->ev[2], c->pid, "recv", 100, 0);
	MBT_EXPECT_LATENCY(&self->ev[2], 30 * MBT_MS, c->elapsed_ns);
	MBT_EXPECT_RECEIVE(&self->ev[3], c->pid, self->me, 9, 0);
	MBT_EXPECT_LATENCY(&self->ev[3], 0, c->elapsed_ns);
}

/*
 * A sender sleeps on a full mailbox until a receive makes room: its send,
 * wait and wake (op=send), and its message received last.
 */
TEST_F_TIMEOUT(trace, blocked_sender, TIMEOUT_S)
{
	struct mbt_call *c;
	int fd, n, recv, wake, last;

	fd = box(_metadata, self, BOX(1));
	mbt_send_len(_metadata, fd, 0, 3, 0);
	c = mbt_call(_metadata, self->name, true, 11);
	mbt_call_start(_metadata, &self->e, &self->t, c);
	mbt_sleep_ms(30);
	mbt_recv_len(_metadata, fd, 3);
	ASSERT_EQ(0, mbt_call_finish(_metadata, &self->e, c));
	mbt_recv_len(_metadata, fd, 11);

	n = read_events(_metadata, self);
	/*
	 * The receive that makes room queues the sleeping sender's message,
	 * and the sender traces its wake once it runs: so the wake may come
	 * before the first receive, between the two or after the second
	 * (seen with the sender on the other vCPU), and the two receives
	 * keep their order.
	 */
	MBT_ASSERT_EVENTS(6, self->ev, n);
	MBT_EXPECT_SEND(&self->ev[0], self->me, 3, 0);
	MBT_EXPECT_SEND(&self->ev[1], c->pid, 11, 0);
	MBT_EXPECT_WAIT(&self->ev[2], c->pid, "send", 11);
	for (wake = 3; wake < 5; wake++)
		if (self->ev[wake].type == MBT_EVT_WAKE)
			break;
	recv = wake == 3 ? 4 : 3;
	last = wake == 5 ? 4 : 5;
	MBT_EXPECT_RECEIVE(&self->ev[recv], self->me, self->me, 3, 0);
	MBT_EXPECT_WAKE(&self->ev[wake], c->pid, "send", 11, 0);
	MBT_EXPECT_LATENCY(&self->ev[wake], 30 * MBT_MS, c->elapsed_ns);
	MBT_EXPECT_RECEIVE(&self->ev[last], self->me, c->pid, 11, 0);
}

/*
 * MAILBOX_SEND_WAIT: the sender sleeps until its message was copied out,
 * so its wake follows the receive event.
 */
TEST_F_TIMEOUT(trace, send_wait, TIMEOUT_S)
{
	struct mbt_call *c;
	int fd = box(_metadata, self, BOX(4));

	c = mbt_call(_metadata, self->name, true, 6);
	c->flags = MAILBOX_SEND_WAIT;
	mbt_call_start(_metadata, &self->e, &self->t, c);
	mbt_recv_len(_metadata, fd, 6);
	ASSERT_EQ(0, mbt_call_finish(_metadata, &self->e, c));

	events(_metadata, self, "send wait receive wake");
	MBT_EXPECT_SEND(&self->ev[0], c->pid, 6, 0);
	MBT_EXPECT_WAIT(&self->ev[1], c->pid, "send", 6);
	MBT_EXPECT_RECEIVE(&self->ev[2], self->me, c->pid, 6, 0);
	MBT_EXPECT_WAKE(&self->ev[3], c->pid, "send", 6, 0);
}

/* A priority mailbox: the message's priority in send and receive. */
TEST_F_TIMEOUT(trace, priority, TIMEOUT_S)
{
	int fd = box(_metadata, self,
		     BOX(4, .delivery = MAILBOX_DELIVER_PRIORITY));

	mbt_send_len(_metadata, fd, 0, 4, 2);
	mbt_send_len(_metadata, fd, 0, 3, 7);
	mbt_recv_len(_metadata, fd, 3);
	mbt_recv_len(_metadata, fd, 4);
	events(_metadata, self, "send send receive receive");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 4, 2);
	MBT_EXPECT_SEND(&self->ev[1], self->me, 3, 7);
	MBT_EXPECT_RECEIVE(&self->ev[2], self->me, self->me, 3, 7);
	MBT_EXPECT_RECEIVE(&self->ev[3], self->me, self->me, 4, 2);
}

/*
 * Broadcast to two sleeping subscribers: one send event; a wait, a wake
 * and a receive for each subscriber, in that order.
 */
TEST_F_TIMEOUT(trace, broadcast, TIMEOUT_S)
{
	struct mbt_call *c[2];
	int fd, n, i, wait, wake, recv;

	fd = box(_metadata, self, BOX(4, .access = MAILBOX_ACCESS_SEND,
			     .delivery = MAILBOX_DELIVER_BROADCAST));
	for (i = 0; i < 2; i++) {
		c[i] = mbt_call(_metadata, self->name, false, 50);
		mbt_call_start(_metadata, &self->e, &self->t, c[i]);
	}
	mbt_send_len(_metadata, fd, 0, 8, 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(8, mbt_call_finish(_metadata, &self->e, c[i]));

	n = read_events(_metadata, self);
	MBT_ASSERT_EVENTS(7, self->ev, n);
	EXPECT_EQ(1, mbt_event_count(self->ev, n, MBT_EVT_SEND, 0));
	MBT_EXPECT_SEND(&self->ev[2], self->me, 8, 0);
	for (i = 0; i < 2; i++) {
		pid_t kid = c[i]->pid;

		wait = mbt_event_index(self->ev, n, MBT_EVT_WAIT, kid, 0);
		wake = mbt_event_index(self->ev, n, MBT_EVT_WAKE, kid, 0);
		recv = mbt_event_index(self->ev, n, MBT_EVT_RECEIVE, kid, 0);
		EXPECT_EQ(1, mbt_event_count(self->ev, n, MBT_EVT_WAIT, kid));
		EXPECT_EQ(1, mbt_event_count(self->ev, n, MBT_EVT_WAKE, kid));
		EXPECT_EQ(1, mbt_event_count(self->ev, n, MBT_EVT_RECEIVE, kid));
		ASSERT_TRUE(wait >= 0 && wait < 2 && wake > 2 && recv > wake)
			TH_LOG("subscriber %d: wait %d, wake %d, receive %d",
			       (int)c[i]->pid, wait, wake, recv);
		MBT_EXPECT_WAIT(&self->ev[wait], c[i]->pid, "recv", 50);
		MBT_EXPECT_WAKE(&self->ev[wake], c[i]->pid, "recv", 50, 0);
		MBT_EXPECT_RECEIVE(&self->ev[recv], c[i]->pid, self->me, 8, 0);
	}
}

/* A direct mailbox's events are named pid/N. */
TEST_F_TIMEOUT(trace, direct, TIMEOUT_S)
{
	char name[32];
	int fd, tx;

	snprintf(name, sizeof(name), "pid/%d", (int)self->me);
	fd = mbt_open_direct(4, MSG_MAX, MAILBOX_DELIVER_QUEUE);
	ASSERT_LE(0, fd) TH_LOG("OPEN_DIRECT: %s", strerror(-fd));
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	mbt_send_len(_metadata, tx, self->me, 12, 0);
	mbt_recv_len(_metadata, fd, 12);
	mbt_expect_events(_metadata, &self->t, name, self->ev, "send receive");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 12, 0);
	MBT_EXPECT_RECEIVE(&self->ev[1], self->me, self->me, 12, 0);
	close(tx);
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
	struct thread_io t = { 0 };
	pthread_t thr;

	t.fd = box(_metadata, self, BOX(4));
	ASSERT_EQ(0, pthread_create(&thr, NULL, thread_io_main, &t));
	ASSERT_EQ(0, pthread_join(thr, NULL));
	ASSERT_EQ(0, t.send_ret);
	ASSERT_EQ(13, t.recv_ret);
	ASSERT_NE(self->me, t.tid);
	events(_metadata, self, "send receive");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 13, 0);
	MBT_EXPECT_RECEIVE(&self->ev[1], self->me, self->me, 13, 0);
	close(t.fd);
}

/*
 * In a child pid namespace: a process that is pid 1 there sends to its own
 * direct mailbox; the events give its pid in the initial namespace, also
 * in the mailbox's self->name.
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
	char name[32];
	int status = -1;
	pid_t kid;

	kid = mbt_fork_pidns();
	if (kid == -EPERM || kid == -EINVAL || kid == -ENOSYS)
		SKIP(return, "a new pid namespace: %s", strerror(-kid));
	ASSERT_LE(0, kid) TH_LOG("fork: %s", strerror(-kid));
	if (kid == 0)
		_exit(pidns_main());
	self->e.kids.pid[self->e.kids.n++] = kid;
	ASSERT_EQ(0, mbt_reap(&self->e.kids, kid, &status, MBT_SLACK_MS));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);

	snprintf(name, sizeof(name), "pid/%d", (int)kid);
	mbt_expect_events(_metadata, &self->t, name, self->ev, "send receive");
	MBT_EXPECT_SEND(&self->ev[0], kid, 21, 0);
	MBT_EXPECT_RECEIVE(&self->ev[1], kid, kid, 21, 0);
	EXPECT_EQ(0, mbt_events_of(_metadata, &self->t, "pid/1", self->ev));
}

/* ==================================================================== */
/* Error paths                                                           */
/* ==================================================================== */

/* A timed receive expires: wait, then wake with -ETIMEDOUT. */
TEST_F_TIMEOUT(trace, recv_timeout, TIMEOUT_S)
{
	uint64_t t0, t1;
	char buf[MSG_MAX];
	int fd = box(_metadata, self, BOX(4));

	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_recv(fd, buf, 40, MAILBOX_DEADLINE,
				       mbt_deadline_ms(100), NULL));
	t1 = mbt_now_ns();
	events(_metadata, self, "wait wake");
	MBT_EXPECT_WAIT(&self->ev[0], self->me, "recv", 40);
	MBT_EXPECT_WAKE(&self->ev[1], self->me, "recv", 40, -ETIMEDOUT);
	MBT_EXPECT_LATENCY(&self->ev[1], 1, t1 - t0);
}

/*
 * A sleeping receiver gets SIGUSR1: the wake event reports -ERESTARTSYS
 * (512, the kernel's "restart unless the handler says otherwise"). Without
 * SA_RESTART the call fails with -EINTR; with it the call sleeps again
 * and takes the message sent then.
 */
static void interrupted_receive(struct __test_metadata *_metadata,
				FIXTURE_DATA(trace) *self, bool restart)
{
	const int erestartsys = -512;
	struct mbt_call *c;
	int fd = box(_metadata, self, BOX(4));

	c = mbt_call(_metadata, self->name, false, 30);
	c->handler = restart ? MBT_HANDLER_RESTART : MBT_HANDLER_EINTR;
	mbt_call_start(_metadata, &self->e, &self->t, c);
	ASSERT_EQ(0, kill(c->pid, SIGUSR1));
	if (restart) {
		mbt_wait_event(_metadata, &self->t, self->name, MBT_EVT_WAIT,
			       c->pid, 2);
		mbt_send_len(_metadata, fd, 0, 2, 0);
	}
	ASSERT_EQ(restart ? 2 : -EINTR,
		  mbt_call_finish(_metadata, &self->e, c));

	events(_metadata, self,
		      restart ? "wait wake wait send wake receive" :
				"wait wake");
	MBT_EXPECT_WAIT(&self->ev[0], c->pid, "recv", 30);
	MBT_EXPECT_WAKE(&self->ev[1], c->pid, "recv", 30, erestartsys);
	if (restart) {
		MBT_EXPECT_WAIT(&self->ev[2], c->pid, "recv", 30);
		MBT_EXPECT_SEND(&self->ev[3], self->me, 2, 0);
		MBT_EXPECT_WAKE(&self->ev[4], c->pid, "recv", 30, 0);
		MBT_EXPECT_RECEIVE(&self->ev[5], c->pid, self->me, 2, 0);
	}
}

TEST_F_TIMEOUT(trace, recv_interrupted, TIMEOUT_S)
{
	interrupted_receive(_metadata, self, false);
}

TEST_F_TIMEOUT(trace, recv_interrupted_restart, TIMEOUT_S)
{
	interrupted_receive(_metadata, self, true);
}

/*
 * A sleeping receiver whose buffer is too small for the message that
 * comes wakes with -EMSGSIZE and receives nothing; the message stays
 * queued for the next receiver.
 */
TEST_F_TIMEOUT(trace, recv_wakes_too_small, TIMEOUT_S)
{
	struct mbt_call *c;
	int fd = box(_metadata, self, BOX(4));

	c = mbt_call(_metadata, self->name, false, 4);
	mbt_call_start(_metadata, &self->e, &self->t, c);
	mbt_send_len(_metadata, fd, 0, 10, 0);
	ASSERT_EQ(-EMSGSIZE, mbt_call_finish(_metadata, &self->e, c));
	EXPECT_EQ(10U, c->rcv.len);
	mbt_recv_len(_metadata, fd, 10);

	events(_metadata, self, "wait send wake receive");
	MBT_EXPECT_WAIT(&self->ev[0], c->pid, "recv", 4);
	MBT_EXPECT_SEND(&self->ev[1], self->me, 10, 0);
	MBT_EXPECT_WAKE(&self->ev[2], c->pid, "recv", 4, -EMSGSIZE);
	MBT_EXPECT_RECEIVE(&self->ev[3], self->me, self->me, 10, 0);
}

/*
 * The mailbox is destroyed (its MAILBOX_CREATE_OWNED descriptor closed)
 * under a sleeping receiver: wake with -EIDRM.
 */
TEST_F_TIMEOUT(trace, recv_destroyed, TIMEOUT_S)
{
	struct mbt_call *c;
	int fd = box(_metadata, self, BOX(4, .flags = MAILBOX_CREATE_OWNED));

	c = mbt_call(_metadata, self->name, false, 20);
	mbt_call_start(_metadata, &self->e, &self->t, c);
	close(fd);
	ASSERT_EQ(-EIDRM, mbt_call_finish(_metadata, &self->e, c));

	events(_metadata, self, "wait wake");
	MBT_EXPECT_WAIT(&self->ev[0], c->pid, "recv", 20);
	MBT_EXPECT_WAKE(&self->ev[1], c->pid, "recv", 20, -EIDRM);
}

/*
 * Receives that fail without sleeping or copying anything out trace
 * nothing: non-blocking on an empty mailbox, PEEK, a buffer too small, a
 * buffer that faults. The message then received traces once.
 */
TEST_F_TIMEOUT(trace, recv_errors_no_event, TIMEOUT_S)
{
	char buf[MSG_MAX];
	void *bad;

	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(bad != MAP_FAILED);
	int fd = box(_metadata, self, BOX(4));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(0, read_events(_metadata, self));

	mbt_send_len(_metadata, fd, 0, 7, 0);
	EXPECT_EQ(7, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 6, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, bad, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
	mbt_recv_len(_metadata, fd, 7);
	events(_metadata, self, "send receive");
	MBT_EXPECT_RECEIVE(&self->ev[1], self->me, self->me, 7, 0);
	munmap(bad, 4096);
}

/*
 * Sends that fail: one longer than msg_size_max traces nothing; one that
 * would sleep on a full mailbox traces its send (the message entered the
 * kernel) but no wait; a timed one that sleeps and expires traces send,
 * wait and wake with -ETIMEDOUT. Nothing is received.
 */
TEST_F_TIMEOUT(trace, send_errors, TIMEOUT_S)
{
	char buf[MSG_MAX + 1] = "";
	uint64_t t0, t1;
	int fd = box(_metadata, self, BOX(1));

	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, buf, MSG_MAX + 1, MAILBOX_NONBLOCK,
				      0, NULL));
	EXPECT_EQ(0, read_events(_metadata, self));

	mbt_send_len(_metadata, fd, 0, 1, 0);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, buf, 2, MAILBOX_NONBLOCK, 0, NULL));
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_send(fd, buf, 3, MAILBOX_DEADLINE,
				       mbt_deadline_ms(100), NULL));
	t1 = mbt_now_ns();

	events(_metadata, self, "send send send wait wake");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 1, 0);
	MBT_EXPECT_SEND(&self->ev[1], self->me, 2, 0);
	MBT_EXPECT_SEND(&self->ev[2], self->me, 3, 0);
	MBT_EXPECT_WAIT(&self->ev[3], self->me, "send", 3);
	MBT_EXPECT_WAKE(&self->ev[4], self->me, "send", 3, -ETIMEDOUT);
	MBT_EXPECT_LATENCY(&self->ev[4], 1, t1 - t0);
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
	int fd, n;

	fd = box(_metadata, self, BOX(4));
	MBT_EVENT_ENABLE(&self->t, -1, false);
	mbt_send_len(_metadata, fd, 0, 1, 0);
	mbt_recv_len(_metadata, fd, 1);
	EXPECT_EQ(0, read_events(_metadata, self));

	MBT_EVENT_ENABLE(&self->t, MBT_EVT_SEND, true);
	mbt_send_len(_metadata, fd, 0, 2, 0);
	mbt_recv_len(_metadata, fd, 2);
	events(_metadata, self, "send");
	EXPECT_EQ(2U, self->ev[0].len);

	MBT_EVENT_ENABLE(&self->t, -1, true);
	mbt_send_len(_metadata, fd, 0, 3, 0);
	mbt_recv_len(_metadata, fd, 3);
	n = read_events(_metadata, self);
	MBT_EXPECT_SEQ("send send receive", self->ev, n);
}

/*
 * The wake event turned on while a receiver sleeps: its latency is 0, as
 * the header says. Only if no other trace instance has it on, or the
 * sleep would have been timed.
 */
TEST_F_TIMEOUT(trace, wake_enabled_late, TIMEOUT_S)
{
	struct mbt_call *c;
	char path[256], on[4] = "";

	mbt_event_path(NULL, MBT_EVT_WAKE, "enable", path, sizeof(path));
	ASSERT_LT(0, mbt_read_file(path, on, sizeof(on))) TH_LOG("%s", path);
	if (on[0] != '0')
		SKIP(return, "the wake event is on outside the test");
	int fd = box(_metadata, self, BOX(4));

	MBT_EVENT_ENABLE(&self->t, MBT_EVT_WAKE, false);
	c = mbt_call(_metadata, self->name, false, 10);
	mbt_call_start(_metadata, &self->e, &self->t, c);
	MBT_EVENT_ENABLE(&self->t, MBT_EVT_WAKE, true);
	mbt_send_len(_metadata, fd, 0, 1, 0);
	ASSERT_EQ(1, mbt_call_finish(_metadata, &self->e, c));

	events(_metadata, self, "wait send wake receive");
	MBT_EXPECT_WAKE(&self->ev[2], c->pid, "recv", 10, 0);
	EXPECT_EQ(0ULL, self->ev[2].latency) TH_LOG("%s", self->ev[2].line);
}

/* ftrace filters on the events' fields: numbers and the self->name. */
TEST_F_TIMEOUT(trace, filter, TIMEOUT_S)
{
	const char *other;
	char filter[128];
	int fd, fd2;

	fd = box(_metadata, self, BOX(4));
	fd2 = mbt_new_box(_metadata, &self->e, &other, BOX(4));
	MBT_EVENT_SET(&self->t, MBT_EVT_SEND, "filter", "len == 5");
	snprintf(filter, sizeof(filter), "name == \"%s\" && from == %d",
		 other, (int)self->me);
	MBT_EVENT_SET(&self->t, MBT_EVT_RECEIVE, "filter", filter);

	mbt_send_len(_metadata, fd, 0, 4, 0);
	mbt_send_len(_metadata, fd, 0, 5, 0);
	mbt_send_len(_metadata, fd2, 0, 6, 0);
	mbt_recv_len(_metadata, fd, 4);
	mbt_recv_len(_metadata, fd, 5);
	mbt_recv_len(_metadata, fd2, 6);

	events(_metadata, self, "send");
	MBT_EXPECT_SEND(&self->ev[0], self->me, 5, 0);
	mbt_expect_events(_metadata, &self->t, other, self->ev, "receive");
	MBT_EXPECT_RECEIVE(&self->ev[0], self->me, self->me, 6, 0);
	close(fd2);
}

TEST_HARNESS_MAIN
