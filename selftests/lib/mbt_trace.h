/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbt: trace events - a trace instance of the test's own, the module's
 * events parsed, and calls made in a child while tracing (mbt_trace.c).
 * Included at the end of mbt.h, which tests include; not on its own.
 */
#ifndef MBT_TRACE_H
#define MBT_TRACE_H

#include "mbt.h"

/* ---- mbt_trace.c ------------------------------------------------------- */

#define MBT_MAX_EVENTS	32	/* of one mailbox in one test */
#define MBT_EVENT_LINE	512	/* of the trace file */

/* The module's events; their trace names are MBT_EV_* above. */
enum { MBT_EVT_SEND, MBT_EVT_RECEIVE, MBT_EVT_WAIT, MBT_EVT_WAKE,
       MBT_EVT_TYPES };

/* "send", "receive", "wait", "wake": how event sequences are written. */
extern const char *const mbt_ev_names[MBT_EVT_TYPES];

/* One line of the trace file; fields an event lacks stay 0. */
struct mbt_event {
	int type;			/* MBT_EVT_* */
	char name[MAILBOX_NAME_LEN];
	int pid;
	int from;			/* receive */
	unsigned long long len;
	unsigned int prio;		/* send, receive */
	char op[8];			/* wait, wake */
	int ret;			/* wake */
	unsigned long long latency;	/* receive, wake */
	char line[MBT_EVENT_LINE];		/* for failure messages */
};

/* A trace instance of the test's own: instances/mbt-PID. */
struct mbt_trace {
	char inst[128];			/* its directory, or "" */
};

/*
 * Make the instance, with only the mailbox events on and the global clock
 * (mounting tracefs if needed): 0, -EOPNOTSUPP with *@why set when the
 * events cannot be traced here, or -errno. mbt_trace_close() removes it.
 */
int mbt_trace_open(struct mbt_trace *t, const char **why);
void mbt_trace_close(struct mbt_trace *t);
/* Write @val to the instance's @file: 0 or -errno. */
int mbt_trace_write(const struct mbt_trace *t, const char *file,
		    const char *val);
/*
 * The path of events/<system>/<event @type>/@file (@type < 0: the
 * system's) in @t's instance, or at the top of tracefs if @t is NULL.
 */
void mbt_event_path(const struct mbt_trace *t, int type, const char *file,
		    char *path, size_t size);
/* Write @val to that file of @t's instance: 0 or -errno (logged). */
int mbt_event_set(const struct mbt_trace *t, int type, const char *file,
		  const char *val);
/*
 * The events of mailbox @name in @t's buffer, oldest first, into @ev
 * (MBT_MAX_EVENTS): their number, or -errno (-EPROTO: a mailbox event did
 * not parse, -E2BIG: too many).
 */
int mbt_events_read(const struct mbt_trace *t, const char *name,
		    struct mbt_event *ev);
/* Read them into @ev, *@count: their types in order must be @seq. */
bool mbt_events_are(const struct mbt_trace *t, const char *name,
		    struct mbt_event *ev, const char *seq, int *count);
/* Wait until @name had @count events of @type by @pid (0: anyone). */
int mbt_events_wait(const struct mbt_trace *t, const char *name, int type,
		    pid_t pid, int count, long timeout_ms);
/* Index of the @nth (from 0) event of @type by @pid (any if 0), or -1. */
int mbt_event_index(const struct mbt_event *ev, int n, int type, pid_t pid,
		    int nth);
int mbt_event_count(const struct mbt_event *ev, int n, int type, pid_t pid);
/* The types of @ev in order, as "send receive". */
const char *mbt_event_seq(const struct mbt_event *ev, int n, char *buf,
			  size_t size);
/* @e is of its type, with these fields (@ret: of a wake); else logged. */
bool mbt_event_is_send(const struct mbt_event *e, pid_t pid, size_t len,
		       unsigned int prio);
bool mbt_event_is_receive(const struct mbt_event *e, pid_t pid, pid_t from,
			  size_t len, unsigned int prio);
bool mbt_event_is_sleep(const struct mbt_event *e, int type, pid_t pid,
			const char *op, size_t len, int ret);

#define MBT_CALL_MAX	128	/* the largest send or receive of a call */

/*
 * A blocking call (deadline MBT_BLOCK_MS ahead) in a child process, on a
 * descriptor of its own and none of the test's: what to do, in memory
 * shared with the test, which reads the results there.
 */
struct mbt_call {
	char name[MAILBOX_NAME_LEN];	/* the mailbox to open */
	bool send;			/* else receive */
	uint32_t flags;			/* besides MAILBOX_DEADLINE */
	uint32_t len;			/* send: length; recv: buffer size */
	int handler;			/* of SIGUSR1: MBT_*HANDLER* */
	pid_t pid;			/* out: the child making it */
	int ret;			/* out: the call's result */
	uint64_t elapsed_ns;		/* out: how long it took */
	struct mailbox_recv rcv;	/* out */
};

/* A call on @name, in shared memory; NULL if @len is too large. */
struct mbt_call *mbt_call_new(const char *name, bool send, uint32_t len);
/* Run @c in a child listed in @kids: its pid or -errno. */
pid_t mbt_call_spawn(struct mbt_kids *kids, struct mbt_call *c);


#ifndef MBT_LIB
/* The trace instance of a test, or SKIP when the events are not there. */
static inline void mbt_trace_setup(struct __test_metadata *_metadata,
				   struct mbt_trace *t)
{
	const char *why = NULL;
	int ret = mbt_trace_open(t, &why);

	if (ret == -EOPNOTSUPP)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, ret) TH_LOG("trace instance: %s", strerror(-ret));
}

/* The events of mailbox @name so far, into @ev: their number. */
static inline int mbt_events_of(struct __test_metadata *_metadata,
				const struct mbt_trace *t, const char *name,
				struct mbt_event *ev)
{
	int n = mbt_events_read(t, name, ev);

	ASSERT_LE(0, n) TH_LOG("reading the events of %s: %s", name,
			       strerror(-n));
	return n;
}

/*
 * The events of mailbox @name so far, into @ev: their types in order must
 * be @seq ("wait send wake receive"). Returns their number.
 */
static inline int mbt_expect_events(struct __test_metadata *_metadata,
				    const struct mbt_trace *t,
				    const char *name, struct mbt_event *ev,
				    const char *seq)
{
	int n;

	ASSERT_TRUE(mbt_events_are(t, name, ev, seq, &n));
	return n;
}

/* Wait until @name had @count events of @type by @pid (0: anyone). */
static inline void mbt_wait_event(struct __test_metadata *_metadata,
				  const struct mbt_trace *t, const char *name,
				  int type, pid_t pid, int count)
{
	int ret = mbt_events_wait(t, name, type, pid, count, MBT_SLACK_MS);

	ASSERT_EQ(0, ret) TH_LOG("no %d %s events of %s by %d: %s", count,
				 mbt_ev_names[type], name, (int)pid,
				 strerror(-ret));
}

/* Write @val to events/<system>/<@type>/@file (@type < 0: the system's). */
#define MBT_EVENT_SET(t, type, file, val)				\
	ASSERT_EQ(0, mbt_event_set(t, type, file, val))

/* Turn event @type (< 0: all of them) on or off in @t's instance. */
#define MBT_EVENT_ENABLE(t, type, on)					\
	MBT_EVENT_SET(t, type, "enable", (on) ? "1" : "0")

/* @n events, where their order is not all known: shows them if not. */
#define MBT_ASSERT_EVENTS(want, ev, n) do {				\
	char __seq[MBT_MAX_EVENTS * 8 + 1];				\
	ASSERT_EQ(want, n) TH_LOG("events: %s",				\
				  mbt_event_seq(ev, n, __seq, sizeof(__seq))); \
} while (0)

#define MBT_EXPECT_SEQ(want, ev, n) do {				\
	char __seq[MBT_MAX_EVENTS * 8 + 1];				\
	EXPECT_STREQ(want, mbt_event_seq(ev, n, __seq, sizeof(__seq)));	\
} while (0)

/* Event *@e is a send, receive, wait or wake with these fields. */
#define MBT_EXPECT_SEND(e, pid, len, prio)				\
	EXPECT_TRUE(mbt_event_is_send(e, pid, len, prio))
#define MBT_EXPECT_RECEIVE(e, pid, from, len, prio)			\
	EXPECT_TRUE(mbt_event_is_receive(e, pid, from, len, prio))
#define MBT_EXPECT_WAIT(e, pid, op, len)				\
	EXPECT_TRUE(mbt_event_is_sleep(e, MBT_EVT_WAIT, pid, op, len, 0))
#define MBT_EXPECT_WAKE(e, pid, op, len, ret)				\
	EXPECT_TRUE(mbt_event_is_sleep(e, MBT_EVT_WAKE, pid, op, len, ret))

/* A latency between @lo and @hi ns, showing the event if not. */
#define MBT_EXPECT_LATENCY(e, lo, hi) do {				\
	EXPECT_LE((unsigned long long)(lo), (e)->latency)		\
		TH_LOG("%s", (e)->line);				\
	EXPECT_GE((unsigned long long)(hi), (e)->latency)		\
		TH_LOG("%s", (e)->line);				\
} while (0)

/* A call (shared with a child) on mailbox @name. */
static inline struct mbt_call *mbt_call(struct __test_metadata *_metadata,
					const char *name, bool send,
					uint32_t len)
{
	struct mbt_call *c = mbt_call_new(name, send, len);

	ASSERT_TRUE(c != NULL);
	return c;
}

/*
 * Run @c in a child of @e (@c->pid) and wait until it sleeps: its wait
 * event in @t.
 */
static inline void mbt_call_start(struct __test_metadata *_metadata,
				  struct mbt_env *e, const struct mbt_trace *t,
				  struct mbt_call *c)
{
	c->pid = mbt_call_spawn(&e->kids, c);
	ASSERT_LT(0, c->pid) TH_LOG("fork: %s", strerror(-c->pid));
	mbt_wait_event(_metadata, t, c->name, MBT_EVT_WAIT, c->pid, 1);
}

/* Wait for the child making call @c to exit 0: the call's result. */
static inline int mbt_call_finish(struct __test_metadata *_metadata,
				  struct mbt_env *e, const struct mbt_call *c)
{
	int status = -1;

	ASSERT_EQ(0, mbt_reap(&e->kids, c->pid, &status,
			      MBT_BLOCK_MS + MBT_SLACK_MS))
		TH_LOG("child %d did not finish", (int)c->pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child %d: status %#x", (int)c->pid, status);
	return c->ret;
}

/* Send @len bytes without sleeping (@to: SEND_TO that process). */
static inline void mbt_send_len(struct __test_metadata *_metadata, int fd,
				pid_t to, size_t len, uint32_t prio)
{
	char buf[MBT_CALL_MAX];
	int ret;

	memset(buf, 's', sizeof(buf));
	ret = mbt_send_ex(fd, to, buf, len, MAILBOX_NONBLOCK, 0, prio, NULL);
	ASSERT_EQ(0, ret) TH_LOG("send: %s", strerror(-ret));
}

/* Receive a message of @len bytes without sleeping. */
static inline void mbt_recv_len(struct __test_metadata *_metadata, int fd,
				size_t len)
{
	char buf[MBT_CALL_MAX];
	int ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ((int)len, ret) TH_LOG("receive: %s",
					ret < 0 ? strerror(-ret) : "length");
}

#endif /* MBT_LIB */

#endif /* MBT_TRACE_H */
