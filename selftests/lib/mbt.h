/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbt: the helper library of the mailbox selftests, the one header the
 * tests include. Every symbol is mbt_*, every macro MBT_*.
 *
 * The library (lib/mbt_*.c, linked into every test binary as libmbt.a)
 * knows nothing of the kselftest harness: its functions return 0, a value
 * or -errno, and the checks among them log what differs and return false.
 * The harness-bound wrappers (the ones taking _metadata, which ASSERT or
 * SKIP) are the static inlines and macros at the end of this header,
 * compiled into the tests only.
 *
 *   mbt_box.c     /dev/mailbox: raw ioctls, names, create/open/unlink,
 *                 send/receive, direct mailboxes; the fixture (struct
 *                 mbt_env) that unlinks names and restores parameters
 *   mbt_child.c   children (kill on teardown, result slots), background
 *                 calls in threads, a shared SIGUSR1 counter
 *   mbt_time.c    clocks, deadlines, sleeping, waiting for a STAT field
 *   mbt_state.c   a mailbox's state as MAILBOX_IOC_LIST lists it (struct
 *                 mbt_state), what only /proc/mailboxes shows (waiters,
 *                 backlogs), and the /proc text for the tests of /proc
 *   mbt_expect.c  checks that log what they found: counters, messages
 *   mbt_file.c    files, module parameters, fdinfo, signal handlers,
 *                 pages that fault
 *   mbt_ns.c      a child in a new pid namespace; in new IPC and user
 *                 namespaces; setns() into an IPC namespace
 *
 * Helpers of one kind of test each have a header of their own, included
 * at the end of this one (tests still include only mbt.h):
 *
 *   mbt_deliver.h agents (children run one command at a time), numbered
 *                 messages, SEND_BATCH/RECV_BATCH (mbt_agent.c, mbt_msg.c,
 *                 mbt_batch.c)
 *   mbt_trace.h   trace instances and the module's events (mbt_trace.c)
 *   mbt_fuzz.h    seeded randomness, documented errnos, consistency
 *                 checks over every mailbox (mbt_fuzz.c)
 */
#ifndef MBT_H
#define MBT_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/kmailbox.h>

/* ---- constants --------------------------------------------------------- */

#define MBT_DEV			"/dev/mailbox"
#define MBT_PARAM_DIR		"/sys/module/kmailbox/parameters/"
#define MBT_PROC_MAILBOXES	"/proc/mailboxes"

/*
 * Timing. MBT_SLACK_MS bounds whatever should happen promptly (a wake-up,
 * a child's exit, a STAT field reaching its value): generous, as the tests
 * also run under slow emulation; never a lower bound.
 */
#define MBT_MS			1000000ULL	/* ns per ms */
#define MBT_SLACK_MS		10000
#define MBT_BLOCK_MS		20000	/* deadline of calls meant to block */
#define MBT_SLEEP_MS		300	/* a party's wait before it acts */
#define MBT_SETTLE_MS		100	/* time for a thread to fall asleep */

/*
 * The tracepoints: system and event names, spelled here only, so that a
 * rename of the module's trace system is one edit.
 */
#define MBT_TRACE_SYSTEM	"kmailbox"
#define MBT_EV_SEND		"kmailbox_send"
#define MBT_EV_RECEIVE		"kmailbox_receive"
#define MBT_EV_WAIT		"kmailbox_wait"
#define MBT_EV_WAKE		"kmailbox_wake"
#define MBT_TRACE_EVENTS	"events/" MBT_TRACE_SYSTEM

#define MBT_NOBODY		65534U	/* uid and gid without privileges */
#define MBT_BAD_PTR		((void *)1)	/* faults, for -EFAULT */
#define MBT_MAX_KIDS		16
#define MBT_MAX_SLOTS		8
#define MBT_MAX_NAMES		16
#define MBT_MAX_PARAMS		4
#define MBT_NOT_DONE		INT_MIN	/* a result no call has written */

/* The module's limits when its parameters cannot be read. */
#define MBT_DEFAULT_MSG_SIZE_LIMIT	1048576UL
#define MBT_DEFAULT_CAPACITY_LIMIT	65536UL

/* The uapi constants are ints; compare them as the __u32 fields hold them. */
#define MBT_U32(x)		((uint32_t)(x))
#define MBT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- mbt_box.c: /dev/mailbox ------------------------------------------ */

/* The attributes of a named mailbox, for mbt_box_create(). */
struct mbt_box {
	uint32_t flags;		/* MAILBOX_CREATE_* */
	uint32_t access;	/* of the creating descriptor */
	uint32_t mode;
	uint32_t capacity;
	uint32_t msg_size_max;
	uint32_t delivery;	/* MAILBOX_DELIVER_* */
};

/*
 * A struct mbt_box: every access, mode 0600, 8 messages of up to 64 bytes,
 * queue delivery, unless the arguments (designated initializers) say
 * otherwise: MBT_BOX(.capacity = 0).
 */
#define MBT_BOX(...) ((struct mbt_box){ .access = MAILBOX_ACCESS_ALL,	\
	.mode = 0600, .capacity = 8, .msg_size_max = 64,		\
	.delivery = MAILBOX_DELIVER_QUEUE, __VA_ARGS__ })

/* 62 distinct bytes: the first @len of them make a test's message */
extern const char mbt_payload[];
#define MBT_PAYLOAD_LEN		62

void mbt_set_name(char dst[MAILBOX_NAME_LEN], const char *name);
void mbt_name(char *buf, const char *prefix);
int mbt_ioctl(int fd, unsigned long cmd, void *arg);
int mbt_dev(void);
int mbt_dev_flags(int oflags);
unsigned long mbt_msg_header(void);
int mbt_fresh_ioctl(unsigned long cmd, void *arg);
int mbt_fd_or_close(int fd, int ret);
int mbt_box_create_fd(int fd, const char *name, const struct mbt_box *b);
int mbt_box_create(const char *name, const struct mbt_box *b);
int mbt_create_ex_fd(int fd, const char *name, uint32_t flags,
		     uint32_t access, uint32_t mode, uint32_t capacity,
		     uint32_t msg_size_max, uint32_t delivery);
int mbt_create_ex(const char *name, uint32_t flags, uint32_t access,
		  uint32_t mode, uint32_t capacity, uint32_t msg_size_max,
		  uint32_t delivery);
int mbt_create_fd(int fd, const char *name, uint32_t flags, uint32_t mode,
		  uint32_t capacity, uint32_t msg_size_max);
int mbt_create(const char *name, uint32_t flags, uint32_t mode,
	       uint32_t capacity, uint32_t msg_size_max);
int mbt_open_flags(const char *name, uint32_t access, int oflags);
int mbt_open(const char *name, uint32_t access);
int mbt_unlink(const char *name);
struct mailbox_create mbt_create_args(const char *name, uint32_t flags,
				      uint32_t access, uint32_t mode,
				      uint32_t capacity, uint32_t msg_size_max);
struct mailbox_open mbt_open_args(const char *name, uint32_t access);
struct mailbox_unlink mbt_unlink_args(const char *name);
int mbt_open_result(const char *name, uint32_t access);
int mbt_create_result(const char *name, uint32_t access);
int mbt_stat(int fd, struct mailbox_info *info);
int mbt_send_cmd(int fd, unsigned long cmd, int32_t to_pid, const void *buf,
		 uint32_t len, uint32_t flags, uint64_t deadline,
		 uint32_t priority, struct mailbox_send *out);
int mbt_send(int fd, const void *buf, uint32_t len, uint32_t flags,
	     uint64_t deadline, int32_t *receiver);
int mbt_send_ex(int fd, int32_t to_pid, const void *buf, uint32_t len,
		uint32_t flags, uint64_t deadline, uint32_t priority,
		struct mailbox_send *out);
int mbt_send_to(int fd, int32_t pid, const void *buf, uint32_t len,
		uint32_t flags, uint64_t deadline, struct mailbox_send *out);
int mbt_send_str(int fd, const char *s, uint32_t flags);
int mbt_recv_from(int fd, int32_t from_pid, void *buf, uint32_t size,
		  uint32_t flags, uint64_t deadline, struct mailbox_recv *out);
int mbt_recv(int fd, void *buf, uint32_t size, uint32_t flags,
	     uint64_t deadline, struct mailbox_recv *out);
int mbt_open_direct_fd(int fd, uint32_t capacity, uint32_t msg_size_max,
		       uint32_t delivery, uint32_t policy, const int32_t *pids,
		       uint32_t count);
int mbt_open_direct(uint32_t capacity, uint32_t msg_size_max,
		    uint32_t delivery);
int mbt_set_policy(int fd, uint32_t policy, const int32_t *pids,
		   uint32_t count);
int mbt_set_recv_prio(int fd, uint32_t priority);

/*
 * What a test owns and its teardown undoes: the mailbox names it made, the
 * module parameters it changed, its children, its first descriptor.
 * Cleanup works in the test's process and, after a failed ASSERT, in its
 * parent (FIXTURE_TEARDOWN_PARENT): only the owner kills children and
 * closes; either unlinks names and restores parameters.
 */
struct mbt_kids {
	int n;
	pid_t pid[MBT_MAX_KIDS];
	/* result slots: the child in each, its wait status or -1 */
	pid_t slot[MBT_MAX_SLOTS];
	int status[MBT_MAX_SLOTS];
};

struct mbt_result;

struct mbt_env {
	pid_t owner;		/* the process that ran the fixture setup */
	const char *prefix;	/* of the names it makes */
	int fd;			/* the test's main descriptor, or -1 */
	struct mbt_kids kids;
	struct mbt_result *res;	/* shared: what each slot's call did */
	int nnames;
	char names[MBT_MAX_NAMES][MAILBOX_NAME_LEN];
	int nparams;
	struct {
		char param[32];
		char old[32];
	} params[MBT_MAX_PARAMS];
};

int mbt_env_init(struct mbt_env *e, const char *prefix);
const char *mbt_env_name(struct mbt_env *e);
char *mbt_env_name_as(struct mbt_env *e, const char *prefix);
void mbt_env_cleanup(struct mbt_env *e);

/* ---- mbt_time.c -------------------------------------------------------- */

uint64_t mbt_now_ns(void);
uint64_t mbt_deadline_ms(long ms);
uint64_t mbt_elapsed_ms(uint64_t t0_ns);
void mbt_sleep_ms(long ms);
int mbt_wait_info(int fd, size_t off, size_t size, uint64_t val,
		  long timeout_ms);
int mbt_wait_waiters(int fd, uint32_t recv, uint32_t send, long timeout_ms);

/* Wait until STAT's @field of @fd's mailbox is @val: 0 or -errno. */
#define MBT_WAIT_INFO(fd, field, val, timeout_ms)			\
	mbt_wait_info(fd, offsetof(struct mailbox_info, field),		\
		      sizeof(((struct mailbox_info *)0)->field), val,	\
		      timeout_ms)

/* ---- mbt_child.c ------------------------------------------------------- */

void *mbt_shared(size_t size);
pid_t mbt_spawn(struct mbt_kids *k, int (*fn)(void *), void *arg);
int mbt_reap(struct mbt_kids *k, pid_t pid, int *status, long timeout_ms);
void mbt_kill_all(struct mbt_kids *k);
pid_t mbt_slot_spawn(struct mbt_kids *k, int idx, int (*fn)(void *),
		     void *arg);
bool mbt_slot_ended(struct mbt_kids *k, int idx, long ms);

/* In a forked child's function: log a failed check and return 1. */
#define MBT_CHILD_CHECK(cond) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "# child %d: %s:%d: check failed: %s\n",	\
			(int)getpid(), __FILE__, __LINE__, #cond);	\
		return 1;						\
	}								\
} while (0)

/* SIGUSR1 handlers of children: none, one that interrupts, one that not. */
enum { MBT_NO_HANDLER, MBT_HANDLER_EINTR, MBT_HANDLER_RESTART };

int mbt_sigcount_init(void);
int mbt_sigcount_install(int handler);
int mbt_sigcount(void);
int mbt_sigcount_wait(int n, long timeout_ms);

/*
 * One send or receive made by a child in a result slot, on a descriptor of
 * its own bound to @name (NULL: the test's first name), after waiting as
 * told; what it saw lands in the slot's struct mbt_result.
 */
#define MBT_OP_BUF	256

struct mbt_op {
	const char *name;
	bool send;		/* send @msg, else receive into @size bytes */
	const char *msg;	/* sent without its NUL */
	uint32_t flags;
	uint32_t size;
	bool ro_buf;		/* receive into a page it cannot write */
	long deadline_ms;	/* with MAILBOX_DEADLINE, from the start */
	long delay_ms;		/* sleep first */
	int await_senders;	/* then wait for senders_waiting == this */
	int await_depth;	/* and for depth == this */
	int handler;		/* SIGUSR1: MBT_NO_HANDLER, MBT_HANDLER_* */
	int euid;		/* > 0: seteuid() to it after opening */
};

struct mbt_result {
	int ret;		/* the call's result, or MBT_NOT_DONE */
	int32_t receiver_pid;
	uint64_t t_start, t_end, deadline;
	struct mailbox_info pre;	/* STAT just before the call */
	struct mailbox_recv meta;
	char data[MBT_OP_BUF];
};

pid_t mbt_op_spawn(struct mbt_env *e, int idx, const struct mbt_op *op);
bool mbt_op_got(const struct mbt_result *r, const char *want);
uint64_t mbt_op_elapsed_ms(const struct mbt_result *r);

/*
 * A call in a thread of the test, which may block: fill in what to do,
 * then mbt_bg_start(). SEND and RECV sleep at most @timeout_ms (0:
 * MBT_BLOCK_MS) and report through @ret (-errno or a length), @snd,
 * @rcv and @data; POLL and EPOLL report the events (0: none in time).
 */
enum mbt_bg_op { MBT_BG_SEND, MBT_BG_RECV, MBT_BG_POLL, MBT_BG_EPOLL };

#define MBT_BG_BUF	256

struct mbt_bg {
	enum mbt_bg_op op;
	int fd;
	int32_t pid;		/* SEND: to_pid (0: SEND); RECV: from_pid */
	uint32_t flags;		/* besides MAILBOX_DEADLINE */
	uint32_t priority;
	const void *msg;	/* SEND: @len bytes; NULL: "bg" */
	uint32_t len;
	uint32_t size;		/* RECV: buffer size; 0: MBT_BG_BUF */
	short events;		/* POLL */
	long timeout_ms;
	/* out */
	pthread_t thread;
	int ret;
	int done;
	pid_t tid;
	struct mailbox_send snd;
	struct mailbox_recv rcv;
	char data[MBT_BG_BUF + 1];
};

int mbt_bg_start(struct mbt_bg *b);
bool mbt_bg_running(struct mbt_bg *b);
int mbt_bg_join(struct mbt_bg *b, long ms);

/* ---- mbt_state.c ------------------------------------------------------- */

/* Who holds a mailbox, as MAILBOX_CREATE_OWNED and OPEN_DIRECT make it. */
enum { MBT_OWNER_NONE, MBT_OWNER_OWNED, MBT_OWNER_DIRECT };

#define MBT_STATE_LIST	64

/*
 * A mailbox as the module lists it; counts of the lists, then the lists
 * (those only from mbt_state() and the mbt_proc_* readers).
 */
struct mbt_state {
	char name[MAILBOX_NAME_LEN];
	uint32_t uid, gid, mode;
	uint32_t capacity, msg_size_max;
	uint32_t depth;
	uint64_t bytes;
	uint64_t sent, received, send_blocked, recv_blocked;
	uint64_t dropped;
	uint32_t senders_waiting, receivers_waiting;
	uint32_t state;		/* MAILBOX_STATE_* */
	uint32_t owner;		/* MBT_OWNER_* */
	bool mapped;		/* MAILBOX_INFO_MAPPED, "mapped" in /proc */
	uint32_t delivery;	/* MAILBOX_DELIVER_* */
	/* the sleeping receivers' priorities, in the order they are served */
	uint32_t nwaiters;
	uint32_t waiter_prio[MBT_STATE_LIST];
	/* the backlog of each subscriber of a broadcast mailbox */
	uint32_t nsubs;
	uint32_t backlog[MBT_STATE_LIST];
};

/* X(field) for each field that struct mbt_state and mailbox_info share */
#define MBT_STATE_STAT_FIELDS(X) X(uid) X(gid) X(mode) X(capacity)	\
	X(msg_size_max) X(depth) X(bytes) X(sent) X(received)		\
	X(send_blocked) X(recv_blocked) X(senders_waiting)		\
	X(receivers_waiting)

int mbt_state_find(const char *name, long uid, struct mbt_state *last);
int mbt_state(const char *name, struct mbt_state *st);
/*
 * Call @fn(@st, @ctx) for each mailbox listed until it returns non-zero:
 * the number visited, or -errno.
 */
int mbt_state_each(int (*fn)(const struct mbt_state *st, void *ctx),
		   void *ctx);
int mbt_state_wait(const char *name, int depth, int swait, int rwait,
		   long timeout_ms, struct mbt_state *st);
bool mbt_backlog_is(const struct mbt_state *st, uint32_t x, uint32_t y);
/* /proc/mailboxes as text, for the tests of that file itself */
int mbt_proc_each(int (*fn)(const struct mbt_state *st, void *ctx),
		  void *ctx);
int mbt_proc_find(const char *name, long uid, struct mbt_state *last);
int mbt_proc_header(char *buf, size_t size);
int mbt_proc_parse(const char *line, struct mbt_state *st);
void mbt_proc_escape(const char *name, char *out, size_t size);

/* ---- mbt_ring.c: mapped mailboxes ------------------------------------- */

/* One side of a mapped mailbox, claimed and mapped by mbt_ring_map(). */
struct mbt_ring {
	int fd;
	uint32_t role;		/* MAILBOX_MAP_PRODUCER or _CONSUMER */
	struct mailbox_map geo;	/* what MAILBOX_IOC_MAP said */
	void *mem;		/* the mapping, geo.mmap_size bytes */
	struct mailbox_ring *ctl;
	char *records;
	bool poll;		/* sleep in poll(), not MAILBOX_IOC_MAP_WAIT */
};

int mbt_map_wait(int fd, uint32_t op, uint32_t flags, uint64_t deadline_ns);
int mbt_ring_map(struct mbt_ring *r, int fd, uint32_t role);
void mbt_ring_unmap(struct mbt_ring *r);
/* 0 or -errno; the flags and deadline of a send, for the sleep */
int mbt_ring_send(struct mbt_ring *r, const void *buf, uint32_t len,
		  uint32_t flags, uint64_t deadline_ns);
/* the length or -errno (-EBADMSG: a record longer than the slot) */
int mbt_ring_recv(struct mbt_ring *r, void *buf, uint32_t size,
		  uint32_t flags, uint64_t deadline_ns);

/* ---- mbt_ns.c ---------------------------------------------------------- */

/*
 * fork() into a new pid namespace, where the child is pid 1 (and dies
 * with its parent): as fork(), but -errno on failure (-EPERM, -EINVAL
 * or -ENOSYS: no pid namespaces here). The caller's later children are
 * in that namespace too.
 */
pid_t mbt_fork_pidns(void);

/* Ids a user namespace of mbt_fork_ns() maps: 0 to 65535 inside. */
#define MBT_USERNS_IDS	65536U

/* unshare(CLONE_NEWIPC): 0 or -errno. */
int mbt_unshare_ipc(void);
/* /proc/@pid/ns/ipc (0: this process) opened O_CLOEXEC, or -errno. */
int mbt_ns_fd(pid_t pid);
/* setns(@nsfd, CLONE_NEWIPC): 0 or -errno. */
int mbt_setns_ipc(int nsfd);
/*
 * fork() a child that unshare()s @flags (CLONE_NEWIPC, CLONE_NEWUSER...)
 * and dies with its parent: as fork(), but -errno on failure (-EPERM:
 * no such namespaces here). With CLONE_NEWUSER the parent maps uids and
 * gids 0 to MBT_USERNS_IDS - 1 of the new namespace to @base on, and the
 * child becomes its root (uid and gid 0 inside, @base outside).
 */
pid_t mbt_fork_ns(int flags, unsigned int base);

/* ---- mbt_expect.c ------------------------------------------------------ */

/*
 * What STAT of a mailbox should say, field by field; MBT_ANY for fields
 * not to check. Through MBT_EXPECT_INFO(fd, .depth = 1, .sent = 1).
 */
#define MBT_ANY		(-1LL)

struct mbt_want {
	int64_t depth, bytes, next_len, sent, received;
	int64_t send_blocked, recv_blocked;
	int64_t senders_waiting, receivers_waiting;
};

#define MBT_WANT(...) ((struct mbt_want){ .depth = MBT_ANY,		\
	.bytes = MBT_ANY, .next_len = MBT_ANY, .sent = MBT_ANY,		\
	.received = MBT_ANY, .send_blocked = MBT_ANY,			\
	.recv_blocked = MBT_ANY, .senders_waiting = MBT_ANY,		\
	.receivers_waiting = MBT_ANY, __VA_ARGS__ })

bool mbt_info_is(int fd, const struct mbt_want *w);
bool mbt_counts_are(int fd, uint32_t depth, uint64_t sent,
		    uint64_t received);
bool mbt_blocked_are(int fd, uint64_t sends, uint64_t recvs);
bool mbt_recv_is(int fd, int32_t from, const char *want, long timeout_ms,
		 struct mailbox_recv *out);
bool mbt_msg_is(int ret, const struct mailbox_recv *m, const char *data,
		const char *want);

/* One field of an ioctl's argument set to @val (4 or 8 bytes wide). */
struct mbt_field {
	const char *what;
	size_t off, size;
	uint64_t val;
};

#define MBT_FIELD(type, field, v)					\
	{ #field "=" #v, offsetof(type, field),				\
	  sizeof(((type *)0)->field), (uint64_t)(v) }
#define MBT_NO_FIELD	{ "", 0, 0, 0 }

void mbt_set_field(void *arg, const struct mbt_field *fc);
bool mbt_times_out(int fd, const char *msg, uint32_t flags, long ms);
void mbt_fill(void *buf, size_t len, unsigned int seed);

/* ---- mbt_file.c -------------------------------------------------------- */

int mbt_write_file(const char *path, const char *val, int oflags);
int mbt_read_file(const char *path, char *buf, size_t size);
unsigned long mbt_param_or(const char *param, unsigned long dflt);
int mbt_param_write(const char *param, const char *val);
int mbt_env_param_set(struct mbt_env *e, const char *param,
		      unsigned long val);
int mbt_fdinfo(int fd, char *buf, size_t size);
bool mbt_fdinfo_has(int fd, const char *key, const char *val);
int mbt_install_handler(void (*handler)(int), bool restart);
void *mbt_page(int prot);
short mbt_poll_now(int fd);

/* ======================================================================== */
/* The tests' side: the harness and wrappers that ASSERT                    */
/* ======================================================================== */
#ifndef MBT_LIB

/*
 * The harness, quieted where it does not build cleanly with -Wextra (its
 * SIGALRM handler ignores an argument; -Wclobbered for TEST_F()'s setjmp()
 * is off in the Makefile).
 */
#include <grp.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* FIXTURE_SETUP: set up @e, or SKIP when the module is not loaded. */
#define MBT_SETUP(e, prefix) do {					\
	if (mbt_env_init(e, prefix))					\
		SKIP(return, MBT_DEV " missing: is kmailbox loaded?");	\
} while (0)

/*
 * The usual fixture: one struct mbt_env, self->e, whose names start with
 * @prefix. The teardown runs in the test's parent (FIXTURE_TEARDOWN_PARENT)
 * because with this harness a failed ASSERT in a TEST_F() skips a plain
 * FIXTURE_TEARDOWN at -O2 (the wrapper's "child" is clobbered by
 * longjmp()); the children die with the test's process (mbt_spawn()).
 */
#define MBT_FIXTURE(fixture, prefix)					\
	FIXTURE(fixture) {						\
		struct mbt_env e;					\
	};								\
	FIXTURE_SETUP(fixture)						\
	{								\
		MBT_SETUP(&self->e, prefix);				\
	}								\
	FIXTURE_TEARDOWN_PARENT(fixture)				\
	{								\
		mbt_env_cleanup(&self->e);				\
	}

#define MBT_REQUIRE_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root");				\
} while (0)

/* A new name starting with @prefix, which the test may still change. */
static inline char *mbt_new_name_as(struct __test_metadata *_metadata,
				    struct mbt_env *e, const char *prefix)
{
	char *name = mbt_env_name_as(e, prefix);

	ASSERT_TRUE(name != NULL) TH_LOG("more than %d names", MBT_MAX_NAMES);
	return name;
}

/* A new name, unlinked again by the teardown. */
static inline const char *mbt_new_name(struct __test_metadata *_metadata,
				       struct mbt_env *e)
{
	const char *name = mbt_env_name(e);

	ASSERT_TRUE(name != NULL) TH_LOG("more than %d names", MBT_MAX_NAMES);
	return name;
}

/*
 * A new mailbox (CREATE_EXCL) with a new name into *@name (if given) and
 * the attributes @b; the descriptor, which is e->fd if that is the first.
 */
static inline int mbt_new_box(struct __test_metadata *_metadata,
			      struct mbt_env *e, const char **name,
			      struct mbt_box b)
{
	const char *n = mbt_new_name(_metadata, e);
	int fd;

	b.flags |= MAILBOX_CREATE_EXCL;
	fd = mbt_box_create(n, &b);
	ASSERT_LE(0, fd) TH_LOG("create %s: %s", n, strerror(-fd));
	if (name)
		*name = n;
	if (e->fd < 0)
		e->fd = fd;
	return fd;
}

/*
 * In a TEST_F of an MBT_FIXTURE: a mailbox with a new name into *@namep
 * (if not NULL) and these attributes (queue delivery, every access).
 */
#define MBT_MAKE_BOX(namep, flags_, mode_, cap, size)			\
	mbt_new_box(_metadata, &self->e, namep,				\
		    MBT_BOX(.flags = (flags_), .mode = (mode_),		\
			    .capacity = (cap), .msg_size_max = (size)))

/*
 * In a TEST_F with its struct mbt_env in @e: a mailbox of @cap messages of
 * up to MBT_MSG_MAX bytes, which is e->fd if it is the test's first.
 */
#define MBT_MSG_MAX		128
#define MBT_CAP_BOX(cap)						\
	mbt_new_box(_metadata, e, NULL,					\
		    MBT_BOX(.capacity = (cap), .msg_size_max = MBT_MSG_MAX))

/* The usual small mailbox: mode 0600, 8 messages of up to 64 bytes. */
#define MBT_SMALL_BOX(namep)	mbt_new_box(_metadata, &self->e, namep, MBT_BOX())

/* Send the first @len bytes of mbt_payload without sleeping. */
static inline void mbt_put(struct __test_metadata *_metadata, int fd,
			   uint32_t len)
{
	int ret = mbt_send(fd, mbt_payload, len, MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ(0, ret) TH_LOG("send %u bytes: %s", len, strerror(-ret));
}

/* Receive without sleeping: the first @len bytes of mbt_payload. */
static inline void mbt_get(struct __test_metadata *_metadata, int fd,
			   uint32_t len)
{
	char buf[MBT_PAYLOAD_LEN + 1];
	int ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ((int)len, ret) TH_LOG("recv: %s", strerror(-ret));
	ASSERT_EQ(0, memcmp(buf, mbt_payload, len));
}

/* A receive without sleeping must find nothing. */
#define MBT_EXPECT_EMPTY(fd) do {					\
	EXPECT_TRUE(mbt_recv_is(fd, 0, NULL, 0, NULL));			\
} while (0)

/* A child of mbt_run_as() that could not run, or died. */
#define MBT_CHILD_BROKEN	(-128)

typedef int (*mbt_as_fn)(struct __test_metadata *_metadata, void *arg);

/*
 * Fork a child that drops to @uid/@gid (no supplementary groups; nothing
 * changes when those are the current ids already) and runs @fn; its result
 * (0 or -errno, down to -127) comes back through the exit status. The
 * child may use EXPECT_*: the metadata of TEST_F tests is shared memory.
 */
static inline pid_t mbt_spawn_as(struct __test_metadata *_metadata, uid_t uid,
				 gid_t gid, mbt_as_fn fn, void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bool same = uid == geteuid() && gid == getegid();
		int ret = MBT_CHILD_BROKEN;

		if (!same && (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
			      setresuid(uid, uid, uid)))
			TH_LOG("dropping to %u/%u: %s", uid, gid,
			       strerror(errno));
		else
			ret = fn(_metadata, arg);
		if (ret <= MBT_CHILD_BROKEN || ret > 127)
			ret = MBT_CHILD_BROKEN;
		_exit(ret & 0xff);
	}
	return pid;
}

/* The result of mbt_spawn_as()'s child @pid, or MBT_CHILD_BROKEN. */
static inline int mbt_reap_as(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		TH_LOG("fork/wait: %s", strerror(errno));
		return MBT_CHILD_BROKEN;
	}
	if (!WIFEXITED(status)) {
		TH_LOG("child %d died, status 0x%x", (int)pid, status);
		return MBT_CHILD_BROKEN;
	}
	return (signed char)WEXITSTATUS(status);
}

/* mbt_spawn_as() and mbt_reap_as(). */
static inline int mbt_run_as(struct __test_metadata *_metadata, uid_t uid,
			     gid_t gid, mbt_as_fn fn, void *arg)
{
	return mbt_reap_as(_metadata, mbt_spawn_as(_metadata, uid, gid, fn,
						   arg));
}

/* @name opened with @access on a new descriptor (@oflags: O_NONBLOCK). */
static inline int mbt_open_box(struct __test_metadata *_metadata,
			       const char *name, uint32_t access, int oflags)
{
	int fd = mbt_open_flags(name, access, oflags);

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", name, strerror(-fd));
	return fd;
}

/* This process's direct mailbox on a new descriptor; it must be new. */
static inline int mbt_my_direct(struct __test_metadata *_metadata,
				uint32_t capacity, uint32_t msg_size_max,
				uint32_t delivery)
{
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_open_direct_fd(fd, capacity, msg_size_max, delivery,
					MAILBOX_POLICY_ANY, NULL, 0));
	return fd;
}

static inline struct mailbox_info mbt_info(struct __test_metadata *_metadata,
					   int fd)
{
	struct mailbox_info i;
	int ret = mbt_stat(fd, &i);

	ASSERT_EQ(0, ret) TH_LOG("STAT: %s", strerror(-ret));
	return i;
}

/* Set module parameter @param for this test; SKIP if it is not writable. */
#define MBT_PARAM_SET(e, param, val) do {				\
	int __ret = mbt_env_param_set(e, param, val);			\
	if (__ret == -EACCES)						\
		SKIP(return, "%s%s not writable", MBT_PARAM_DIR, param); \
	ASSERT_EQ(0, __ret) TH_LOG("setting %s: %s", param,		\
				   strerror(-__ret));			\
} while (0)

static inline void mbt_assert_info(struct __test_metadata *_metadata, int fd,
				   size_t off, size_t size, uint64_t val,
				   const char *field, long timeout_ms)
{
	int ret = mbt_wait_info(fd, off, size, val, timeout_ms);

	ASSERT_EQ(0, ret) TH_LOG("waiting for %s == %llu: %s", field,
				 (unsigned long long)val, strerror(-ret));
}

/* Wait until STAT's @field of @fd's mailbox is @val, at most MBT_SLACK_MS. */
#define MBT_ASSERT_INFO(fd, field, val)					\
	mbt_assert_info(_metadata, fd, offsetof(struct mailbox_info, field), \
			sizeof(((struct mailbox_info *)0)->field), val,	\
			#field, MBT_SLACK_MS)

/* depth, sent and received counters of @fd's mailbox, and no waiters. */
#define MBT_EXPECT_COUNTS(fd, depth, sent, received) do {		\
	EXPECT_TRUE(mbt_counts_are(fd, depth, sent, received));	\
} while (0)

/* STAT of @fd's mailbox says what the designated initializers say. */
#define MBT_EXPECT_INFO(fd, ...) do {					\
	EXPECT_TRUE(mbt_info_is(fd, &MBT_WANT(__VA_ARGS__)));		\
} while (0)

/* How many sends and receives of @fd's mailbox had to sleep. */
#define MBT_EXPECT_BLOCKED(fd, sends, recvs) do {			\
	EXPECT_TRUE(mbt_blocked_are(fd, sends, recvs));			\
} while (0)

/*
 * Receive from @fd (from @from only, unless 0), sleeping at most @ms (0:
 * not at all): the message must be @want (NULL: there must be none).
 */
#define MBT_ASSERT_RECV(fd, from, want, ms) do {			\
	ASSERT_TRUE(mbt_recv_is(fd, from, want, ms, NULL));		\
} while (0)

/* The state of mailbox @name; it must be listed once. */
static inline struct mbt_state mbt_state_of(struct __test_metadata *_metadata,
					    const char *name)
{
	struct mbt_state st;
	int ret = mbt_state(name, &st);

	ASSERT_EQ(0, ret) TH_LOG("state of %s: %s", name, strerror(-ret));
	return st;
}

/* Start background call @b; see struct mbt_bg. */
static inline void mbt_bg_go(struct __test_metadata *_metadata,
			     struct mbt_bg *b)
{
	ASSERT_EQ(0, mbt_bg_start(b));
}

/* Start a background @op on @fd (POLL: for @events), the rest zero. */
static inline void mbt_bg_on(struct __test_metadata *_metadata,
			     struct mbt_bg *b, enum mbt_bg_op op, int fd,
			     short events)
{
	memset(b, 0, sizeof(*b));
	b->op = op;
	b->fd = fd;
	b->events = events;
	mbt_bg_go(_metadata, b);
}

/* Wait for background call @b to return: its result. */
static inline int mbt_bg_wait(struct __test_metadata *_metadata,
			      struct mbt_bg *b)
{
	ASSERT_EQ(0, mbt_bg_join(b, (b->timeout_ms ?: MBT_BLOCK_MS) +
				 MBT_SLACK_MS))
		TH_LOG("background call did not return");
	return b->ret;
}

/* Start @fn(@arg) in result slot @idx of @k. */
static inline pid_t mbt_slot_start(struct __test_metadata *_metadata,
				   struct mbt_kids *k, int idx,
				   int (*fn)(void *), void *arg)
{
	pid_t pid = mbt_slot_spawn(k, idx, fn, arg);

	ASSERT_LT(0, pid) TH_LOG("fork: %s", strerror(-pid));
	return pid;
}

/* The wait status of slot @idx's child, which must end in MBT_SLACK_MS. */
static inline int mbt_slot_reap(struct __test_metadata *_metadata,
				struct mbt_kids *k, int idx)
{
	ASSERT_TRUE(mbt_slot_ended(k, idx, MBT_SLACK_MS))
		TH_LOG("child %d did not finish", idx);
	return k->status[idx];
}

/* Slot @idx's child must exit 0. */
static inline void mbt_slot_ok(struct __test_metadata *_metadata,
			       struct mbt_kids *k, int idx)
{
	int status = mbt_slot_reap(_metadata, k, idx);

	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* Slot @idx's child must die of SIGKILL. */
static inline void mbt_slot_killed(struct __test_metadata *_metadata,
				   struct mbt_kids *k, int idx)
{
	int status = mbt_slot_reap(_metadata, k, idx);

	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("status %#x", status);
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
}

/* Start @op in result slot @idx of @e's children. */
static inline pid_t mbt_op_start(struct __test_metadata *_metadata,
				 struct mbt_env *e, int idx,
				 const struct mbt_op *op)
{
	pid_t pid = mbt_op_spawn(e, idx, op);

	ASSERT_LT(0, pid) TH_LOG("starting child %d: %s", idx,
				 strerror(-pid));
	return pid;
}

/* Slot @idx's child must exit 0 having made its call: its result. */
static inline struct mbt_result *mbt_op_done(struct __test_metadata *_metadata,
					     struct mbt_env *e, int idx)
{
	mbt_slot_ok(_metadata, &e->kids, idx);
	ASSERT_NE(MBT_NOT_DONE, e->res[idx].ret);
	return &e->res[idx];
}

/* Slot @idx's child is still inside its call, and stays there for @ms. */
static inline void mbt_op_asleep(struct __test_metadata *_metadata,
				 struct mbt_env *e, int idx, long ms)
{
	ASSERT_FALSE(mbt_slot_ended(&e->kids, idx, ms))
		TH_LOG("child %d returned %d while it should sleep", idx,
		       e->res[idx].ret);
	ASSERT_EQ(MBT_NOT_DONE, e->res[idx].ret);
}

/* Wait until SIGUSR1 handlers ran @n times in all (mbt_sigcount()). */
#define MBT_ASSERT_SIGCOUNT(n) do {					\
	ASSERT_EQ(0, mbt_sigcount_wait(n, MBT_SLACK_MS))		\
		TH_LOG("%d signals handled, not %d", mbt_sigcount(), n); \
} while (0)

/* Reap child @pid of @k within MBT_SLACK_MS; it must exit 0. */
static inline void mbt_reap_ok(struct __test_metadata *_metadata,
			       struct mbt_kids *k, pid_t pid)
{
	int status = -1;

	ASSERT_EQ(0, mbt_reap(k, pid, &status, MBT_SLACK_MS))
		TH_LOG("child %d did not finish", (int)pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child %d: status %#x", (int)pid, status);
}

/*
 * Send @msg (NULL: receive) on @fd with @flags and a deadline MBT_SLEEP_MS
 * ahead: it must sleep until the deadline and fail with -ETIMEDOUT.
 */
#define MBT_EXPECT_TIMEOUT(fd, msg, flags) do {			\
	EXPECT_TRUE(mbt_times_out(fd, msg, flags, MBT_SLEEP_MS));	\
} while (0)

/* At least @ms passed between @t0 and @t1 (ns), and not MBT_SLACK_MS more. */
#define MBT_EXPECT_SLEPT(t0, t1, ms) do {				\
	EXPECT_LE((uint64_t)(ms) * MBT_MS, (t1) - (t0));		\
	EXPECT_GT((uint64_t)((ms) + MBT_SLACK_MS) * MBT_MS, (t1) - (t0)); \
} while (0)

#endif /* MBT_LIB */

#include "mbt_deliver.h"
#include "mbt_trace.h"
#include "mbt_fuzz.h"

#endif /* MBT_H */
