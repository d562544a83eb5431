/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbt: delivery modes - agents (children that run one command at a time),
 * numbered messages, and SEND_BATCH/RECV_BATCH (mbt_agent.c, mbt_msg.c,
 * mbt_batch.c).
 * Included at the end of mbt.h, which tests include; not on its own.
 */
#ifndef MBT_DELIVER_H
#define MBT_DELIVER_H

#include "mbt.h"

#include <sys/mman.h>

/* ---- mbt_agent.c: children that run one command at a time ------------- */

/* msg_size_max of the delivery tests' mailboxes and agents' direct ones */
#define MBT_DLV_MSG_MAX	128

enum mbt_ag_op {
	MBT_AG_SEND_TO = 1,	/* SEND_TO @pid through an unbound descriptor */
	MBT_AG_SEND,		/* SEND on the agent's bound descriptor */
	MBT_AG_RECV,		/* RECV (from @pid) on the bound descriptor */
	MBT_AG_OPEN_DIRECT,	/* bind a new descriptor to its direct mailbox */
	MBT_AG_OPEN,		/* bind a new descriptor to @name with @access */
	MBT_AG_CLOSE,		/* close the bound descriptor */
	MBT_AG_STAT,
	MBT_AG_EXIT,		/* exit 0, without answering */
};

struct mbt_ag_cmd {
	int op;			/* enum mbt_ag_op */
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

struct mbt_ag_reply {
	int ret;
	uint64_t elapsed_ns;
	struct mailbox_send snd;
	struct mailbox_recv rcv;
	struct mailbox_info info;
	char data[MBT_DLV_MSG_MAX + 1];
};

struct mbt_agent {
	pid_t pid;
	int cmd_wr, rep_rd;	/* the test's ends */
	int cmd_rd, rep_wr;	/* the agent's ends */
};

int mbt_agent_spawn(struct mbt_kids *k, struct mbt_agent *a);
int mbt_agent_post(struct mbt_agent *a, const struct mbt_ag_cmd *c);
int mbt_agent_reply(struct mbt_agent *a, long ms, struct mbt_ag_reply *r);
pid_t mbt_dead_pid(struct mbt_kids *k);

/* ---- mbt_msg.c: strings and numbered messages -------------------------- */

uint32_t mbt_xorshift32(uint32_t *s);
int mbt_seq_msg(char *buf, uint32_t seq);
int64_t mbt_msg_seq(const char *buf, int len);
int mbt_send_seq(int fd, uint32_t seq, uint32_t flags, uint32_t priority,
		 struct mailbox_send *out);
int mbt_sendto_str(int fd, int32_t pid, const char *s, uint32_t flags);
int mbt_send_str_out(int fd, const char *s, uint32_t flags,
		     struct mailbox_send *out);

/* The name of process @pid's direct mailbox. */
static inline void mbt_direct_name(char *buf, size_t size, pid_t pid)
{
	snprintf(buf, size, "pid/%d", (int)pid);
}

/* ---- mbt_batch.c: SEND_BATCH and RECV_BATCH ---------------------------- */

#define MBT_BATCH_NENT	16	/* entries of a child's batch, at most */
#define MBT_BATCH_BUF	256	/* receive buffers of the entries */
#define MBT_BATCH_NMSG	32	/* distinct messages, see mbt_bmsg() */
#define MBT_UNTOUCHED	0xa5a5a5a5U	/* in an out field no call wrote */
#define MBT_KERNEL_PTR	0xfffffffffffff000ULL

const char *mbt_bmsg(int k);
uint32_t mbt_bmsg_len(int k);
void mbt_set_send(struct mailbox_send *s, const void *buf, uint32_t len,
		  uint32_t flags);
void mbt_set_sends(struct mailbox_send *s, int n, int first);
void mbt_set_recv(struct mailbox_recv *r, void *buf, uint32_t size,
		  uint32_t flags);
void mbt_set_recvs(struct mailbox_recv *r, int n,
		   char (*bufs)[MBT_BATCH_BUF]);
int mbt_batch(int fd, unsigned long cmd, const void *msgs, uint32_t count,
	      struct mailbox_batch *b);
bool mbt_batch_is(int ret, const struct mailbox_batch *b, int want,
		  int error);
bool mbt_entry_got(const struct mailbox_recv *r, const char *buf,
		   const char *want, pid_t sender);
bool mbt_msgs_are(int fd, const char *const *want, int n);
void mbt_overlay(void *dst, const void *patch, size_t size);

/* Three adjacent pages: read-write, none (faults), read-only. */
struct mbt_pages {
	char *rw, *none, *ro;
	size_t size;
};

int mbt_pages_init(struct mbt_pages *p);
void *mbt_ro_copy(const struct mbt_pages *p, const void *src, size_t size);

/*
 * The batch a child runs on a descriptor of its own bound to the test's
 * first name, and what the kernel left of it, in shared memory.
 */
struct mbt_bjob {
	bool recv;		/* RECV_BATCH, else SEND_BATCH */
	uint32_t count;		/* entries, at most MBT_BATCH_NENT */
	int first;		/* send: entry k carries mbt_bmsg(first + k) */
	bool ro_buf;		/* receive into a read-only page */
	int handler;		/* SIGUSR1: MBT_NO_HANDLER, MBT_HANDLER_* */
};

struct mbt_bkid {
	int ret;		/* the ioctl's return value, or MBT_NOT_DONE */
	uint64_t t_start, t_end;
	struct mailbox_batch b;
	struct mailbox_send s[MBT_BATCH_NENT];
	struct mailbox_recv r[MBT_BATCH_NENT];
	char data[MBT_BATCH_NENT][MBT_BATCH_BUF];
};

struct mbt_bkid *mbt_bkids(void);
pid_t mbt_bjob_spawn(struct mbt_env *e, int idx, const struct mbt_bjob *job);

#ifndef MBT_LIB

/* A new agent, a child of @e's. */
static inline struct mbt_agent *
mbt_agent_start(struct __test_metadata *_metadata, struct mbt_env *e)
{
	struct mbt_agent *a = calloc(1, sizeof(*a));
	int ret;

	ASSERT_TRUE(a != NULL);
	ret = mbt_agent_spawn(&e->kids, a);
	ASSERT_EQ(0, ret) TH_LOG("agent: %s", strerror(-ret));
	return a;
}

/* The pid of a child that has exited and been reaped: it names nobody. */
static inline pid_t mbt_gone_pid(struct __test_metadata *_metadata,
				 struct mbt_env *e)
{
	pid_t pid = mbt_dead_pid(&e->kids);

	ASSERT_LT(0, pid) TH_LOG("%s", strerror(-pid));
	return pid;
}

/*
 * A new mailbox of the delivery tests, with messages of up to
 * MBT_DLV_MSG_MAX bytes (its name into *@name if not NULL); the
 * descriptor, with @access.
 */
static inline int mbt_dlv_box(struct __test_metadata *_metadata,
			      struct mbt_env *e, const char **name,
			      uint32_t access, uint32_t capacity,
			      uint32_t delivery)
{
	return mbt_new_box(_metadata, e, name,
			   MBT_BOX(.access = access, .capacity = capacity,
				   .msg_size_max = MBT_DLV_MSG_MAX,
				   .delivery = delivery));
}

/* Hand @c to agent @a without waiting for its answer. */
static inline void mbt_agent_go(struct __test_metadata *_metadata,
				struct mbt_agent *a,
				const struct mbt_ag_cmd *c)
{
	ASSERT_EQ(0, mbt_agent_post(a, c));
}

/* The answer to the command posted last; fails after @ms. */
static inline struct mbt_ag_reply
mbt_agent_answer(struct __test_metadata *_metadata, struct mbt_agent *a,
		 long ms)
{
	struct mbt_ag_reply r;

	ASSERT_EQ(0, mbt_agent_reply(a, ms, &r))
		TH_LOG("agent %d did not answer", (int)a->pid);
	return r;
}

static inline struct mbt_ag_reply
mbt_agent_call(struct __test_metadata *_metadata, struct mbt_agent *a,
	       const struct mbt_ag_cmd *c)
{
	mbt_agent_go(_metadata, a, c);
	return mbt_agent_answer(_metadata, a, MBT_SLACK_MS);
}

/* The agent sends @msg to @pid (MBT_BLOCK_MS at most): SEND_TO's result. */
static inline int mbt_agent_send_to(struct __test_metadata *_metadata,
				    struct mbt_agent *a, pid_t pid,
				    const char *msg, uint32_t flags)
{
	struct mbt_ag_cmd c = { .op = MBT_AG_SEND_TO, .pid = pid,
				.flags = flags, .timeout_ms = MBT_BLOCK_MS };

	snprintf(c.msg, sizeof(c.msg), "%s", msg);
	return mbt_agent_call(_metadata, a, &c).ret;
}

/* The agent opens its direct mailbox: OPEN_DIRECT's result. */
static inline int mbt_agent_open_direct(struct __test_metadata *_metadata,
					struct mbt_agent *a, uint32_t capacity,
					uint32_t delivery)
{
	struct mbt_ag_cmd c = { .op = MBT_AG_OPEN_DIRECT,
				.capacity = capacity, .delivery = delivery };

	return mbt_agent_call(_metadata, a, &c).ret;
}

/* The agent exits 0. */
static inline void mbt_agent_exit(struct __test_metadata *_metadata,
				  struct mbt_env *e, struct mbt_agent *a)
{
	struct mbt_ag_cmd c = { .op = MBT_AG_EXIT };

	mbt_agent_go(_metadata, a, &c);
	mbt_reap_ok(_metadata, &e->kids, a->pid);
	close(a->cmd_wr);
	close(a->rep_rd);
}

/*
 * Receive from @fd (only @from's messages if non-zero), sleeping at most
 * @ms (0: not at all). The message must be @want, sent by @sender (unless
 * negative). Returns the metadata.
 */
static inline struct mailbox_recv
mbt_expect_msg(struct __test_metadata *_metadata, int fd, pid_t from,
	       const char *want, pid_t sender, long ms)
{
	struct mailbox_recv m;

	ASSERT_TRUE(mbt_recv_is(fd, from, want, ms, &m));
	if (sender >= 0) {
		EXPECT_EQ(sender, m.sender_pid) TH_LOG("message \"%s\"", want);
	}
	return m;
}

/* Start a receive (from @from only, unless 0) on @fd in thread @b. */
static inline void mbt_bg_recv(struct __test_metadata *_metadata,
			       struct mbt_bg *b, int fd, int32_t from)
{
	*b = (struct mbt_bg){ .op = MBT_BG_RECV, .fd = fd, .pid = from };
	mbt_bg_go(_metadata, b);
}

/* Start a send of @msg (SEND_TO @to, unless 0) on @fd in thread @b. */
static inline void mbt_bg_send(struct __test_metadata *_metadata,
			       struct mbt_bg *b, int fd, int32_t to,
			       const char *msg)
{
	*b = (struct mbt_bg){ .op = MBT_BG_SEND, .fd = fd, .pid = to,
			      .msg = msg, .len = strlen(msg) };
	mbt_bg_go(_metadata, b);
}

/*
 * Wait until mailbox @name holds @depth messages and has @swait sleeping
 * senders and @rwait receivers (each ignored when negative): its state.
 */
static inline struct mbt_state
mbt_state_until(struct __test_metadata *_metadata, const char *name,
		int depth, int swait, int rwait)
{
	struct mbt_state st;

	ASSERT_EQ(0, mbt_state_wait(name, depth, swait, rwait, MBT_SLACK_MS,
				    &st));
	return st;
}

/* A page that cannot be read or written, for -EFAULT. */
static inline void *mbt_bad_page(struct __test_metadata *_metadata)
{
	void *p = mbt_page(PROT_NONE);

	ASSERT_TRUE(p != NULL);
	return p;
}

/* fdinfo of @fd has the line "@key:\t@val"; logs fdinfo if not. */
#define MBT_EXPECT_FDINFO(fd, key, val) do {				\
	char __b[4096] = "";						\
	mbt_fdinfo(fd, __b, sizeof(__b));				\
	EXPECT_TRUE(mbt_fdinfo_has(fd, key, val))			\
		TH_LOG("want \"%s:\t%s\" in fdinfo:\n%s", key, val, __b); \
} while (0)

/*
 * A struct mbt_state's owner (MBT_OWNER_*) and delivery, and how many
 * sleeping receivers and broadcast subscribers it lists.
 */
#define MBT_EXPECT_KIND(st, want_owner, want_delivery, want_nwaiters,	\
			want_nsubs) do {				\
	EXPECT_EQ(MBT_U32(want_owner), (st).owner);			\
	EXPECT_EQ(MBT_U32(want_delivery), (st).delivery);		\
	EXPECT_EQ(MBT_U32(want_nwaiters), (st).nwaiters);		\
	EXPECT_EQ(MBT_U32(want_nsubs), (st).nsubs);			\
} while (0)

/* What a mailbox holds, in STAT's or struct mbt_state's terms. */
#define MBT_EXPECT_HELD(s, want_depth, want_bytes) do {		\
	EXPECT_EQ(want_depth, (s).depth);				\
	EXPECT_EQ(want_bytes, (s).bytes);				\
} while (0)

/*
 * The entries of a test's batches: @n sends s[], @n receives r[] with
 * their buffers bufs[], and the batch structure b; not all of them used
 * by each test.
 */
#define MBT_ENTRIES(n)							\
	struct mailbox_send s[n] __attribute__((unused));		\
	struct mailbox_recv r[n] __attribute__((unused));		\
	char bufs[n][MBT_BATCH_BUF] __attribute__((unused));		\
	struct mailbox_batch b

/*
 * The fixture of the batch tests: an mbt_env and pages that fault (pg);
 * the children's batches (mbt_bkids()) mapped before any child forks.
 */
#define MBT_BATCH_FIXTURE(fixture)					\
	FIXTURE(fixture) {						\
		struct mbt_env e;					\
		struct mbt_pages pg;					\
	};								\
	FIXTURE_SETUP(fixture)						\
	{								\
		MBT_SETUP(&self->e, "batch");				\
		ASSERT_TRUE(mbt_bkids() != NULL);			\
		ASSERT_EQ(0, mbt_pages_init(&self->pg));		\
	}								\
	FIXTURE_TEARDOWN_PARENT(fixture)				\
	{								\
		mbt_env_cleanup(&self->e);				\
	}

/* A batch returned @ret and left @b: see mbt_batch_is(). */
#define MBT_EXPECT_BATCH(ret, b, want, error)				\
	EXPECT_TRUE(mbt_batch_is(ret, b, want, error))

/* Receive entry @r, with buffer @buf, got @want from @sender. */
#define MBT_EXPECT_GOT(r, buf, want, sender)				\
	EXPECT_TRUE(mbt_entry_got(r, buf, want, sender))

/* The mailbox of @fd holds exactly the messages listed, in order. */
#define MBT_MSGS(...) ((const char *const []){ __VA_ARGS__ })
#define MBT_EXPECT_MSGS(fd, ...)					\
	EXPECT_TRUE(mbt_msgs_are(fd, MBT_MSGS(__VA_ARGS__),		\
				 sizeof(MBT_MSGS(__VA_ARGS__)) /	\
				 sizeof(const char *)))

/* @size bytes of @src in @pg's read-only page: that page. */
static inline void *mbt_ro(struct __test_metadata *_metadata,
			   const struct mbt_pages *pg, const void *src,
			   size_t size)
{
	void *ro = mbt_ro_copy(pg, src, size);

	ASSERT_TRUE(ro != NULL);
	return ro;
}

/* Send mbt_bmsg(@k) on @fd, which must have room. */
static inline void mbt_send_bmsg(struct __test_metadata *_metadata, int fd,
				 int k)
{
	ASSERT_EQ(0, mbt_send(fd, mbt_bmsg(k), mbt_bmsg_len(k),
			      MAILBOX_NONBLOCK, 0, NULL));
}

/* Start a child running @job in result slot @idx. */
static inline pid_t mbt_bjob_start(struct __test_metadata *_metadata,
				   struct mbt_env *e, int idx,
				   const struct mbt_bjob *job)
{
	pid_t pid = mbt_bjob_spawn(e, idx, job);

	ASSERT_LT(0, pid) TH_LOG("child %d: %s", idx, strerror(-pid));
	return pid;
}

/* Slot @idx's child must exit 0 having run its batch: the batch. */
static inline struct mbt_bkid *mbt_bjob_done(struct __test_metadata *_metadata,
					     struct mbt_env *e, int idx)
{
	struct mbt_bkid *k = &mbt_bkids()[idx];

	mbt_slot_ok(_metadata, &e->kids, idx);
	ASSERT_NE(MBT_NOT_DONE, k->ret);
	return k;
}

#endif /* MBT_LIB */

#endif /* MBT_DELIVER_H */
