// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz tests for /dev/mailbox: random ioctls with random arguments from
 * several threads on shared descriptors (create/unlink/close churn under
 * traffic is mailbox_fuzz_churn.c). Every call must return >= 0 or a
 * documented errno, no thread may hang, and afterwards STAT, the list of
 * mailboxes and ordinary traffic must still be sane.
 *
 * MBOX_FUZZ_SEED=N replays a run's choices (each thread draws from its own
 * generator seeded from N; the interleaving of threads is not replayed).
 * MBOX_FUZZ_COUNT=N sets the ioctls per thread (default 20000);
 * MBOX_FUZZ_SECS=N bounds the fuzzing time (default 20 s).
 * Besides the named mailboxes (queue, rendezvous, message-priority and
 * broadcast ones), the threads send to direct mailboxes by pid (their own
 * process's among others), open their process's direct mailbox, change its
 * policy and set receive priorities, all with random arguments. They also
 * send and receive in batches (MAILBOX_IOC_SEND_BATCH, _RECV_BATCH) of
 * random entries, often well-formed ones, and check what a batch reports.
 * Valid MAILBOX_NONBLOCK sends are made too: a non-blocking send that waits
 * for delivery (MAILBOX_SEND_WAIT or a rendezvous) and was handed to a
 * receiver whose copy-out then faults must return -EAGAIN, not sleep until
 * another receiver comes (a bug this test found).
 *
 * Nothing may sleep for long: every send and receive that may block gets
 * MAILBOX_DEADLINE with a deadline at most 1 ms ahead, and whatever the
 * kernel reads as an argument from memory the test does not control holds
 * 0xff bytes, which no call accepts.
 */
#define _GNU_SOURCE
#include <sched.h>	/* and what kselftest_harness.h includes */
#include <sys/mman.h>

#include "lib/mbt.h"

#define DBUF_SIZE	65536		/* readable and writable data */
#define MSG_MAX		256		/* msg_size_max of the fixed mailboxes */
#define QCAP		4		/* capacity of the queue mailbox */
#define BATCH_ENTS	8		/* entries made per batch */

/* ---- shared state ---------------------------------------------------- */

/* The seed, prefix, slots, memory and bad results the threads share. */
static struct mbt_fuzz M;

/* What the random ioctls add to it. */
static struct {
	unsigned long count;
	uint64_t end_ns;		/* stop fuzzing at this time */
	char qname[MAILBOX_NAME_LEN];	/* queue: capacity QCAP */
	char rname[MAILBOX_NAME_LEN];	/* rendezvous */
	char pname[MAILBOX_NAME_LEN];	/* message priority: capacity QCAP */
	char bname[MAILBOX_NAME_LEN];	/* broadcast: capacity QCAP */
	char *ents;			/* per thread: a page, a guard */
	unsigned long ops;
	unsigned long errs[256];	/* per errno */
} F;

/* What each fuzz thread is doing, to report a call that does not return. */
struct current_call {
	pid_t tid;
	int fd;
	int in_call;
	unsigned long iter;
	const char *op;
	unsigned long cmd;
	void *arg;
	uint64_t start_ns;
	unsigned char bytes[sizeof(struct mailbox_info)];
};

static struct current_call cur[MBT_FUZZ_THREADS];

/* ---- random arguments ----------------------------------------------- */

/*
 * A name: mostly one of the test's (the fixed mailboxes and a few spare
 * ones); otherwise empty, too long, with '/' or control bytes (all
 * invalid), or with odd but valid bytes under the test's prefix.
 */
static void rnd_name(struct mbt_rng *r, char name[MAILBOX_NAME_LEN])
{
	size_t plen = strlen(M.prefix), i;

	memset(name, 0, MAILBOX_NAME_LEN);
	switch (mbt_rnd(r, 16)) {
	case 0: case 1:
		strcpy(name, F.qname);
		return;
	case 2:
		strcpy(name, F.pname);
		return;
	case 3:
		strcpy(name, F.bname);
		return;
	case 4: case 5: case 6:
		strcpy(name, F.rname);
		return;
	case 7: case 8:
		snprintf(name, MAILBOX_NAME_LEN, "%sn%u", M.prefix, mbt_rnd(r, 4));
		return;
	case 9:		/* empty */
		return;
	case 10:	/* 63 bytes: valid */
		memcpy(name, M.prefix, plen);
		memset(name + plen, 'a' + mbt_rnd(r, 3), 63 - plen);
		return;
	case 11:	/* 64 bytes, no NUL */
		memcpy(name, M.prefix, plen);
		memset(name + plen, 'b', MAILBOX_NAME_LEN - plen);
		return;
	case 12:	/* '/' */
		snprintf(name, MAILBOX_NAME_LEN, "%s%s", M.prefix,
			 mbt_chance(r, 50) ? "a/b" : "/");
		return;
	case 13: {	/* a control byte or DEL */
		static const char bad[] = { 1, '\t', '\n', 0x1f, 0x7f };

		snprintf(name, MAILBOX_NAME_LEN, "%sc%c", M.prefix, MBT_PICK(r, bad));
		return;
	}
	case 14: {	/* valid odd bytes: high bytes, space, backslash */
		static const char odd[] = { (char)0x80, (char)0xff, (char)0xa0,
					    ' ', '\\', '~' };

		memcpy(name, M.prefix, plen);
		for (i = 0; i < 1 + mbt_rnd(r, 2); i++)
			name[plen + i] = MBT_PICK(r, odd);
		return;
	}
	default:	/* 64 random bytes */
		for (i = 0; i < MAILBOX_NAME_LEN; i++)
			name[i] = (char)mbt_rnd(r, 256);
		return;
	}
}

/* ---- descriptors ----------------------------------------------------- */

/* A new descriptor: unbound, or bound to one of the fixed mailboxes. */
static int new_fd(struct mbt_rng *r)
{
	static const struct {
		const char *name;
		uint32_t capacity, delivery;
	} boxes[] = {
		{ F.qname, QCAP, MAILBOX_DELIVER_QUEUE },
		{ F.rname, 0, MAILBOX_DELIVER_QUEUE },
		{ F.pname, QCAP, MAILBOX_DELIVER_PRIORITY },
		{ F.bname, QCAP, MAILBOX_DELIVER_BROADCAST },
	};
	int fd = open(MBT_DEV, O_RDWR | O_CLOEXEC |
		      (mbt_chance(r, 20) ? O_NONBLOCK : 0));
	uint32_t access, k;

	if (fd < 0)
		return -1;
	access = 1 + mbt_rnd(r, 3);
	k = mbt_rnd(r, 7);
	switch (k) {
	case 0:
		break;
	case 1: case 2: case 3: case 4:	/* create (or open) boxes[k - 1] */
		mbt_create_ex_fd(fd, boxes[k - 1].name, 0, access, 0600,
				 boxes[k - 1].capacity, MSG_MAX,
				 boxes[k - 1].delivery);
		break;
	case 5:		/* this process's direct mailbox */
		mbt_open_direct_fd(fd, QCAP, MSG_MAX, mbt_rnd(r, 2),
				   MAILBOX_POLICY_ANY, NULL, 0);
		break;
	default: {
		struct mailbox_open o;

		memset(&o, 0, sizeof(o));
		strcpy(o.name, MBT_PICK(r, boxes).name);
		o.access = access;
		ioctl(fd, MAILBOX_IOC_OPEN, &o);
		break;
	}
	}
	return fd;
}

/* ---- one random ioctl ------------------------------------------------ */

enum op { OP_CREATE, OP_OPEN, OP_UNLINK, OP_SEND, OP_RECV, OP_STAT,
	  OP_RAND_B9, OP_RAND_OTHER, OP_SWAP, OP_SEND_TO, OP_OPEN_DIRECT,
	  OP_SET_POLICY, OP_SET_RECV_PRIO, OP_SEND_BATCH, OP_RECV_BATCH };

static const char * const op_names[] = {
	"CREATE", "OPEN", "UNLINK", "SEND", "RECV", "STAT", "rand-0xB9",
	"rand-other", "swap", "SEND_TO", "OPEN_DIRECT", "SET_POLICY",
	"SET_RECV_PRIO", "SEND_BATCH", "RECV_BATCH",
};

static enum op rnd_op(struct mbt_rng *r)
{
	/* op is picked when x is below its bound and no earlier one's */
	static const struct { uint32_t below; enum op op; } odds[] = {
		{ 7, OP_CREATE }, { 13, OP_OPEN }, { 16, OP_UNLINK },
		{ 34, OP_SEND }, { 43, OP_SEND_TO }, { 65, OP_RECV },
		{ 71, OP_SEND_BATCH }, { 77, OP_RECV_BATCH },
		{ 83, OP_STAT }, { 87, OP_OPEN_DIRECT }, { 90, OP_SET_POLICY },
		{ 93, OP_SET_RECV_PRIO }, { 97, OP_RAND_B9 },
		{ 99, OP_RAND_OTHER },
	};
	uint32_t x = mbt_rnd(r, 100);
	size_t i;

	for (i = 0; i < MBT_ARRAY_SIZE(odds); i++)
		if (x < odds[i].below)
			return odds[i].op;
	return OP_SWAP;
}

/*
 * A pid to send to, receive from or list: mostly this process (or one of
 * its threads), else init, nobody, an invalid one or a random number.
 */
static int32_t rnd_pid(struct mbt_rng *r)
{
	switch (mbt_rnd(r, 12)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return M.pid;
	case 6: {
		int32_t tid = __atomic_load_n(&cur[mbt_rnd(r, MBT_FUZZ_THREADS)].tid,
					      __ATOMIC_RELAXED);

		return tid ? tid : M.pid;
	}
	case 7: return 1;
	case 8: return 0;
	case 9: return mbt_chance(r, 50) ? -1 : INT32_MIN;
	case 10: return INT32_MAX;
	default: return (int32_t)mbt_rnd64(r);
	}
}

/*
 * A policy and its pid list in @list (@list_len entries, a little more than
 * MAILBOX_POLICY_LIST_MAX: a larger count must be refused before the
 * kernel reads the list), or sometimes a bad list pointer.
 */
static void rnd_policy(struct mbt_rng *r, __u32 *policy, __u32 *count, __u64 *pids,
		       int32_t *list, size_t list_len)
{
	uint32_t i;

	*policy = mbt_chance(r, 90) ? mbt_rnd(r, 3) : mbt_rnd_bits(r, 3);
	for (i = 0; i < list_len; i++)
		list[i] = rnd_pid(r);
	*count = 0;
	*pids = 0;
	if (*policy == MAILBOX_POLICY_LIST || mbt_chance(r, 5)) {
		*count = mbt_chance(r, 80) ? 1 + mbt_rnd(r, 4) :
			 mbt_chance(r, 50) ? mbt_rnd(r, (uint32_t)list_len + 1) :
					 (uint32_t)mbt_rnd64(r);
		*pids = mbt_chance(r, 90) ? (uintptr_t)list : mbt_rnd_data_ptr(r, &M);
	}
}

/*
 * Random arguments for MAILBOX_IOC_SEND, or for MAILBOX_IOC_SEND_TO when
 * @to, into *@s.
 */
static void rnd_send(struct mbt_rng *r, struct mailbox_send *s, bool to)
{
	memset(s, 0, sizeof(*s));
	s->buf = mbt_rnd_data_ptr(r, &M);
	s->len = mbt_rnd_len(r, &M, MSG_MAX);
	mbt_rnd_xfer_flags(r, MAILBOX_NONBLOCK | MAILBOX_DEADLINE |
		       MAILBOX_SEND_WAIT, &s->flags, &s->deadline_ns);
	if (to)
		s->to_pid = rnd_pid(r);
	else
		s->receiver_pid = mbt_chance(r, 90) ? 0 : (int32_t)mbt_rnd64(r);
	if (mbt_chance(r, to ? 20 : 30))
		s->priority = mbt_chance(r, 90) ? mbt_rnd(r, MAILBOX_PRIO_MAX + 2) :
					      (uint32_t)mbt_rnd64(r);
	if (to) {
		if (mbt_chance(r, 5)) {	/* out fields: ignored on input */
			s->receiver_pid = (int32_t)mbt_rnd64(r);
			s->receivers = (uint32_t)mbt_rnd64(r);
		}
	} else {
		if (mbt_chance(r, 3))
			s->to_pid = rnd_pid(r);	/* -EINVAL unless 0 */
		if (mbt_chance(r, 5))
			s->receivers = (uint32_t)mbt_rnd64(r);	/* out only */
	}
	mbt_rnd_reserved(r, s->reserved, sizeof(s->reserved));
}

/* Random arguments for MAILBOX_IOC_RECV into *@rv. */
static void rnd_recv(struct mbt_rng *r, struct mailbox_recv *rv)
{
	memset(rv, 0, sizeof(*rv));
	if (mbt_chance(r, 15)) {
		rv->flags = MAILBOX_RECV_PEEK;	/* never sleeps */
		if (mbt_chance(r, 30))
			rv->flags |= mbt_rnd_bits(r, MAILBOX_NONBLOCK |
					      MAILBOX_DEADLINE);
		if (mbt_chance(r, 20))
			rv->buf = mbt_rnd_data_ptr(r, &M);
		if (mbt_chance(r, 20))
			rv->size = mbt_rnd_len(r, &M, MSG_MAX);
		if (!(rv->flags & MAILBOX_NONBLOCK) &&
		    (rv->flags & MAILBOX_DEADLINE))
			rv->deadline_ns = mbt_rnd_deadline(r);
	} else {
		rv->buf = mbt_rnd_data_ptr(r, &M);
		rv->size = mbt_rnd_len(r, &M, MSG_MAX);
		mbt_rnd_xfer_flags(r, MAILBOX_NONBLOCK | MAILBOX_DEADLINE |
			       MAILBOX_RECV_PEEK, &rv->flags, &rv->deadline_ns);
	}
	if (mbt_chance(r, 5)) {	/* out fields: ignored on input */
		rv->len = (uint32_t)mbt_rnd64(r);
		rv->sender_pid = (int32_t)mbt_rnd64(r);
		rv->sender_uid = (uint32_t)mbt_rnd64(r);
		rv->send_time_ns = mbt_rnd64(r);
	}
	if (mbt_chance(r, 20))
		rv->from_pid = rnd_pid(r);
	mbt_rnd_reserved(r, &rv->reserved0, sizeof(rv->reserved0));
	mbt_rnd_reserved(r, rv->reserved, sizeof(rv->reserved));
}

/* Flags for a send or receive that is valid and sleeps at most 1 ms. */
static void tidy_flags(struct mbt_rng *r, __u32 *flags, __u64 *deadline)
{
	*flags = mbt_chance(r, 50) ? MAILBOX_NONBLOCK : MAILBOX_DEADLINE;
	*deadline = 0;
	if (*flags == MAILBOX_DEADLINE)
		*deadline = mbt_now_ns() + mbt_rnd(r, 1000000);
}

/* A well-formed batch entry (save for an unsuitable priority, say). */
static void tidy_send(struct mbt_rng *r, struct mailbox_send *s)
{
	memset(s, 0, sizeof(*s));
	s->buf = (uintptr_t)M.dbuf + mbt_rnd(r, 64);
	s->len = mbt_rnd(r, MSG_MAX + 1);
	tidy_flags(r, &s->flags, &s->deadline_ns);
	if (mbt_chance(r, 10))
		s->flags |= MAILBOX_SEND_WAIT;
	if (mbt_chance(r, 30))
		s->priority = mbt_rnd(r, MAILBOX_PRIO_MAX + 1);
	if (mbt_chance(r, 30))
		s->to_pid = M.pid;
}

static void tidy_recv(struct mbt_rng *r, struct mailbox_recv *rv)
{
	memset(rv, 0, sizeof(*rv));
	if (mbt_chance(r, 15)) {
		rv->flags = MAILBOX_RECV_PEEK;
		return;
	}
	rv->buf = (uintptr_t)M.dbuf + mbt_rnd(r, 64);
	rv->size = MSG_MAX;
	tidy_flags(r, &rv->flags, &rv->deadline_ns);
	if (mbt_chance(r, 10))
		rv->from_pid = M.pid;
}

/* The count of a batch of @n entries: mostly 1 to @n, at times too many. */
static uint32_t rnd_count(struct mbt_rng *r, uint32_t n)
{
	switch (mbt_rnd(r, 20)) {
	case 0:
		return 0;
	case 1:
		return MAILBOX_BATCH_MAX + 1;
	case 2:
		return (uint32_t)mbt_rnd64(r);
	case 3:		/* past the entries, into the guard page */
		return n + 1 + mbt_rnd(r, MAILBOX_BATCH_MAX - n);
	default:
		return 1 + mbt_rnd(r, n);
	}
}

/*
 * Random arguments for MAILBOX_IOC_SEND_BATCH or, if @recv, _RECV_BATCH
 * into *@b. Up to BATCH_ENTS entries, half the time well-formed ones (with
 * an odd random one among them), are written to end just before thread
 * @tid's guard page, so that a count larger than that reads into the
 * guard and ends the batch with -EFAULT there. They are made afresh for
 * every call and only that thread uses them: the kernel writes results
 * into them, and nothing it wrote may be read back as arguments.
 */
static void rnd_batch(struct mbt_rng *r, int tid, bool recv,
		      struct mailbox_batch *b)
{
	size_t size = recv ? sizeof(struct mailbox_recv) :
			     sizeof(struct mailbox_send);
	uint32_t n = 1 + mbt_rnd(r, BATCH_ENTS), i;
	char *ents = F.ents + (2 * tid + 1) * M.page - n * size;
	bool tidy = mbt_chance(r, 50);

	for (i = 0; i < n; i++) {
		struct mailbox_send *s = (struct mailbox_send *)ents + i;
		struct mailbox_recv *rv = (struct mailbox_recv *)ents + i;

		if (tidy && !mbt_chance(r, 5)) {
			if (recv)
				tidy_recv(r, rv);
			else
				tidy_send(r, s);
		} else if (recv) {
			rnd_recv(r, rv);
		} else {
			rnd_send(r, s, mbt_chance(r, 30));
		}
	}
	memset(b, 0, sizeof(*b));
	b->msgs = (uintptr_t)ents;
	b->count = rnd_count(r, n);
	if (mbt_chance(r, 10)) {
		const uint64_t bad[] = { 0, 1, (uintptr_t)M.ro,
					 (uintptr_t)M.guard, mbt_rnd_kernel_ptr(r) };

		b->msgs = MBT_PICK(r, bad);
	}
	if (mbt_chance(r, 3))
		b->flags = mbt_rnd_bits(r, 0);
	if (mbt_chance(r, 3))
		b->done = mbt_chance(r, 50) ? 1 : (uint32_t)mbt_rnd64(r);
	if (mbt_chance(r, 3))
		b->error = mbt_chance(r, 50) ? -EAGAIN : (int32_t)mbt_rnd64(r);
	mbt_rnd_reserved(r, b->reserved, sizeof(b->reserved));
}

/*
 * A random command number that no generic VFS or compat handler acts on
 * (those with types 0, 'T', 'X', 'f' and 0x94 freeze file systems, clone
 * files and the like): only the driver sees it.
 */
static unsigned long rnd_other_cmd(struct mbt_rng *r)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int type;

	do {
		type = mbt_rnd(r, 256);
	} while (type == 0 || type == 'T' || type == 'X' || type == 'f' ||
		 type == 0x94 || type == MAILBOX_IOC_MAGIC);
	return _IOC(MBT_PICK(r, dirs), type, mbt_rnd(r, 256), mbt_rnd(r, 512));
}

static unsigned long rnd_b9_cmd(struct mbt_rng *r)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	static const unsigned int sizes[] = {
		0, 8, sizeof(struct mailbox_create), sizeof(struct mailbox_open),
		sizeof(struct mailbox_unlink), sizeof(struct mailbox_send),
		sizeof(struct mailbox_recv), sizeof(struct mailbox_info),
		sizeof(struct mailbox_direct), sizeof(struct mailbox_policy),
		sizeof(struct mailbox_recv_prio), sizeof(struct mailbox_batch),
	};
	unsigned int nr = mbt_chance(r, 70) ? mbt_rnd(r, 13) : mbt_rnd(r, 256);
	unsigned int size = mbt_chance(r, 70) ? MBT_PICK(r, sizes) : mbt_rnd(r, 1 << 14);

	return _IOC(MBT_PICK(r, dirs), MAILBOX_IOC_MAGIC, nr, size);
}

/* What fuzz_one() passes to the ioctl when it is not a random pointer. */
union fuzz_arg {
	struct mailbox_create c;
	struct mailbox_open o;
	struct mailbox_unlink u;
	struct mailbox_send s;
	struct mailbox_recv rv;
	struct mailbox_info i;
	struct mailbox_direct d;
	struct mailbox_policy p;
	struct mailbox_recv_prio rp;
	struct mailbox_batch b;
	char raw[1024];
};

/*
 * The ioctls whose argument is made the same way: unless left as it is
 * (zeroed or all ones), rnd_fields() fills the fields, then a random bit
 * may be set in the reserved ones and the pointer may be a bad one.
 */
#define ARG_RES(type, res)	sizeof(((struct type *)0)->res)
#define ARG_SHAPE(cmd, type, res, more_res) \
	{ cmd, sizeof(struct type), offsetof(struct type, res), \
	  ARG_RES(type, res) + (more_res) }

static const struct arg_shape {
	unsigned long cmd;
	size_t size, res_off, res_size;	/* size 0: made otherwise */
} arg_shapes[] = {
	[OP_CREATE] = ARG_SHAPE(MAILBOX_IOC_CREATE, mailbox_create, reserved,
				0),
	[OP_OPEN] = ARG_SHAPE(MAILBOX_IOC_OPEN, mailbox_open, reserved, 0),
	[OP_UNLINK] = ARG_SHAPE(MAILBOX_IOC_UNLINK, mailbox_unlink, reserved0,
				ARG_RES(mailbox_unlink, reserved)),
	[OP_OPEN_DIRECT] = ARG_SHAPE(MAILBOX_IOC_OPEN_DIRECT, mailbox_direct,
				     reserved, 0),
	[OP_SET_POLICY] = ARG_SHAPE(MAILBOX_IOC_SET_POLICY, mailbox_policy,
				    reserved, 0),
	[OP_SET_RECV_PRIO] = ARG_SHAPE(MAILBOX_IOC_SET_RECV_PRIO,
				       mailbox_recv_prio, reserved, 0),
};

/* The fields but the reserved ones of an @op listed in arg_shapes[]. */
static void rnd_fields(struct mbt_rng *r, enum op op, union fuzz_arg *a,
		       int32_t *pids, size_t npids)
{
	switch (op) {
	case OP_CREATE:
		rnd_name(r, a->c.name);
		a->c.flags = mbt_rnd_bits(r, MAILBOX_CREATE_EXCL |
					 MAILBOX_CREATE_OWNED);
		a->c.access = mbt_chance(r, 90) ? 1 + mbt_rnd(r, 3) : mbt_rnd_bits(r, 7);
		a->c.mode = mbt_chance(r, 80) ? (mbt_rnd(r, 2) ? 0600 : mbt_rnd(r, 01000)) :
					    mbt_rnd_bits(r, 07777);
		{
			static const uint32_t caps[] = { 0, 1, QCAP, 65536,
							 65537, UINT32_MAX };
			static const uint32_t sizes[] = { 0, 1, 255, MSG_MAX,
							  257, 1048576, 1048577,
							  UINT32_MAX };

			a->c.capacity = mbt_chance(r, 50) ? mbt_rnd(r, 16) :
							MBT_PICK(r, caps);
			a->c.msg_size_max = MBT_PICK(r, sizes);
		}
		a->c.delivery = mbt_chance(r, 90) ? mbt_rnd(r, 3) : mbt_rnd_bits(r, 3);
		break;
	case OP_OPEN:
		rnd_name(r, a->o.name);
		a->o.access = mbt_chance(r, 90) ? 1 + mbt_rnd(r, 3) : mbt_rnd_bits(r, 7);
		a->o.flags = mbt_chance(r, 95) ? 0 : mbt_rnd_bits(r, 0);
		break;
	case OP_UNLINK:
		rnd_name(r, a->u.name);
		a->u.flags = mbt_chance(r, 95) ? 0 : mbt_rnd_bits(r, 0);
		break;
	case OP_OPEN_DIRECT:
		{
			static const uint32_t caps[] = { 0, 1, QCAP, 65536,
							 65537, UINT32_MAX };
			static const uint32_t sizes[] = { 0, 1, MSG_MAX,
							  1048576, 1048577,
							  UINT32_MAX };

			a->d.capacity = mbt_chance(r, 60) ? mbt_rnd(r, 16) :
							MBT_PICK(r, caps);
			a->d.msg_size_max = mbt_chance(r, 60) ? MSG_MAX :
							    MBT_PICK(r, sizes);
		}
		a->d.delivery = mbt_chance(r, 90) ? mbt_rnd(r, 3) : mbt_rnd_bits(r, 3);
		a->d.flags = mbt_chance(r, 95) ? 0 : mbt_rnd_bits(r, 0);
		rnd_policy(r, &a->d.policy, &a->d.count, &a->d.pids, pids,
			   npids);
		break;
	case OP_SET_POLICY:
		rnd_policy(r, &a->p.policy, &a->p.count, &a->p.pids, pids,
			   npids);
		break;
	case OP_SET_RECV_PRIO:
		a->rp.priority = mbt_chance(r, 90) ?
				 mbt_rnd(r, MAILBOX_PRIO_MAX + 2) :
				 (uint32_t)mbt_rnd64(r);
		a->rp.flags = mbt_chance(r, 95) ? 0 : mbt_rnd_bits(r, 0);
		break;
	default:
		break;
	}
}

static void fuzz_one(struct mbt_rng *r, int tid, unsigned long iter)
{
	union fuzz_arg a;
	int32_t pids[MAILBOX_POLICY_LIST_MAX + 2];
	const struct arg_shape *shape;
	enum op op = rnd_op(r);
	unsigned long cmd = 0;
	struct mailbox_batch in;
	const char *why;
	void *arg = &a;
	int fd, ret, e = 0;
	uint32_t slot = mbt_rnd(r, MBT_FUZZ_SLOTS);

	memset(&a, 0, sizeof(a));
	if (mbt_chance(r, 3))
		memset(&a, 0xff, sizeof(a));	/* accepted by nothing */

	shape = op < MBT_ARRAY_SIZE(arg_shapes) ? &arg_shapes[op] : NULL;
	if (shape && shape->size) {
		cmd = shape->cmd;
		if (!mbt_chance(r, 3)) {
			rnd_fields(r, op, &a, pids, MBT_ARRAY_SIZE(pids));
			mbt_rnd_reserved(r, (char *)&a + shape->res_off,
				     shape->res_size);
			arg = mbt_rnd_arg(r, &M, &a, shape->size);
		}
	}
	switch (op) {
	case OP_SWAP:
		fd = new_fd(r);
		if (fd < 0) {
			if (!mbt_errno_ok(errno) && errno != EMFILE)
				mbt_complain(&M, "thread %d op %lu: open: %s", tid,
					 iter, strerror(errno));
			return;
		}
		fd = __atomic_exchange_n(&M.slot[slot], fd, __ATOMIC_SEQ_CST);
		close(fd);
		return;
	case OP_SEND:
	case OP_SEND_TO:
		cmd = op == OP_SEND ? MAILBOX_IOC_SEND : MAILBOX_IOC_SEND_TO;
		if (mbt_chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		rnd_send(r, &a.s, op == OP_SEND_TO);
		arg = mbt_rnd_arg(r, &M, &a, sizeof(a.s));
		break;
	case OP_RECV:
		cmd = MAILBOX_IOC_RECV;
		if (mbt_chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		memset(&a, 0, sizeof(a));
		rnd_recv(r, &a.rv);
		arg = mbt_rnd_arg(r, &M, &a, sizeof(a.rv));
		break;
	case OP_SEND_BATCH:
	case OP_RECV_BATCH:
		cmd = op == OP_SEND_BATCH ? MAILBOX_IOC_SEND_BATCH :
					    MAILBOX_IOC_RECV_BATCH;
		if (mbt_chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		memset(&a, 0, sizeof(a));
		rnd_batch(r, tid, op == OP_RECV_BATCH, &a.b);
		arg = mbt_rnd_arg(r, &M, &a, sizeof(a.b));
		break;
	case OP_STAT:
		cmd = MAILBOX_IOC_STAT;
		arg = mbt_rnd_arg(r, &M, &a, sizeof(a.i));
		break;
	case OP_RAND_B9:
	case OP_RAND_OTHER:
		cmd = op == OP_RAND_B9 ? rnd_b9_cmd(r) : rnd_other_cmd(r);
		/* 0xff bytes: whatever the driver reads, it must refuse */
		memset(&a, 0xff, sizeof(a));
		switch (mbt_rnd(r, 5)) {
		case 0: arg = NULL; break;
		case 1: arg = M.ro; break;
		case 2: arg = (void *)(uintptr_t)mbt_rnd_kernel_ptr(r); break;
		default: arg = &a; break;
		}
		break;
	default:	/* made above, from arg_shapes[] */
		break;
	}

	fd = __atomic_load_n(&M.slot[slot], __ATOMIC_RELAXED);
	cur[tid].fd = fd;
	cur[tid].iter = iter;
	cur[tid].op = op_names[op];
	cur[tid].cmd = cmd;
	cur[tid].arg = arg;
	memcpy(cur[tid].bytes, &a, sizeof(cur[tid].bytes));
	in = a.b;
	cur[tid].start_ns = mbt_now_ns();
	__atomic_store_n(&cur[tid].in_call, 1, __ATOMIC_SEQ_CST);
	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		e = errno;
	__atomic_store_n(&cur[tid].in_call, 0, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&F.ops, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&F.errs[e & 255], 1, __ATOMIC_RELAXED);
	why = NULL;
	if ((op == OP_SEND_BATCH || op == OP_RECV_BATCH) && arg == &a)
		why = mbt_batch_bad(ret < 0 ? -e : ret, &in, &a.b,
				op == OP_RECV_BATCH);
	if (ret < 0 && !mbt_errno_ok(e)) {
		mbt_complain(&M, "thread %d op %lu: %s cmd %#lx arg %p: undocumented errno %d (%s)",
			 tid, iter, op_names[op], cmd, arg, e, strerror(e));
	} else if (ret >= 0 && op == OP_RECV && arg == &a &&
		   !(a.rv.flags & MAILBOX_RECV_PEEK) &&
		   ((uint32_t)ret > a.rv.size || a.rv.len != (uint32_t)ret)) {
		mbt_complain(&M, "thread %d op %lu: RECV returned %d with size %u len %u",
			 tid, iter, ret, a.rv.size, a.rv.len);
	} else if (ret >= 0 && (op == OP_CREATE || op == OP_OPEN_DIRECT) &&
		   ret > 1) {
		mbt_complain(&M, "thread %d op %lu: %s returned %d", tid, iter,
			 op_names[op], ret);
	} else if (ret >= 0 && (op == OP_SEND || op == OP_STAT || op == OP_OPEN ||
				op == OP_UNLINK || op == OP_SEND_TO ||
				op == OP_SET_POLICY || op == OP_SET_RECV_PRIO) &&
		   ret != 0) {
		mbt_complain(&M, "thread %d op %lu: %s returned %d", tid, iter,
			 op_names[op], ret);
	} else if (why) {
		mbt_complain(&M, "thread %d op %lu: %s count %u returned %d, done %u error %d: %s",
			 tid, iter, op_names[op], in.count, ret, a.b.done,
			 a.b.error, why);
	}
}

struct worker {
	pthread_t thread;
	int tid;
	unsigned long done;
};

static void *fuzz_thread(void *p)
{
	struct worker *w = p;
	struct mbt_rng r = { M.seed * 0x100000001ULL + (uint64_t)w->tid * 7919 };
	unsigned long i;

	cur[w->tid].tid = gettid();
	for (i = 0; i < F.count; i++) {
		if ((i & 63) == 0 && mbt_now_ns() >= F.end_ns)
			break;
		fuzz_one(&r, w->tid, i);
	}
	w->done = i;
	return NULL;
}

/* ---- fixture --------------------------------------------------------- */

FIXTURE(fuzz) {
	int fds[MBT_FUZZ_SLOTS];
	int nfds;
};

FIXTURE_SETUP(fuzz)
{
	char *m;
	int i;

	memset(&F, 0, sizeof(F));
	self->nfds = 0;
	ASSERT_EQ(0, mbt_fuzz_init(&M, "MBOX_FUZZ_SEED", DBUF_SIZE));
	if (access(MBT_DEV, F_OK))
		SKIP(return, MBT_DEV " missing: is kmailbox.ko loaded?");
	F.count = mbt_env_ul("MBOX_FUZZ_COUNT", 20000);
	snprintf(F.qname, sizeof(F.qname), "%sq", M.prefix);
	snprintf(F.rname, sizeof(F.rname), "%sr", M.prefix);
	snprintf(F.pname, sizeof(F.pname), "%sp", M.prefix);
	snprintf(F.bname, sizeof(F.bname), "%sb", M.prefix);
	TH_LOG("seed %u (replay with MBOX_FUZZ_SEED=%u)", M.seed, M.seed);

	/* per fuzz thread: a page for batch entries, then a guard page */
	m = mmap(NULL, 2 * MBT_FUZZ_THREADS * M.page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	F.ents = m;
	for (i = 0; i < MBT_FUZZ_THREADS; i++)
		ASSERT_EQ(0, mprotect(m + (2 * i + 1) * M.page, M.page,
				      PROT_NONE));
	/* the list of mailboxes must be readable */
	ASSERT_LE(0, mbt_states_sane(0));
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	mbt_fuzz_close_slots(&M);
	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	/* Unlink whatever the test created (names under its prefix). */
	mbt_unlink_prefix(M.prefix, 64);
}

/* Well-formed traffic on a fresh mailbox: 100 messages out and back. */
static int traffic_ok(void)
{
	char name[MAILBOX_NAME_LEN], msg[MSG_MAX], got[MSG_MAX];
	struct mailbox_recv info;
	struct mailbox_info st;
	int fd, i, j, len, ret, bad = 0;

	snprintf(name, sizeof(name), "%sfresh", M.prefix);
	fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 128, MSG_MAX);
	if (fd < 0) {
		fprintf(stderr, "# create %s: %s\n", name, strerror(-fd));
		return 1;
	}
	for (i = 0; i < 100; i++) {
		len = 1 + (i * 37) % MSG_MAX;
		for (j = 0; j < len; j++)
			msg[j] = (char)(i + j * 3);
		ret = mbt_send(fd, msg, len, MAILBOX_NONBLOCK, 0, NULL);
		if (ret) {
			fprintf(stderr, "# send %d: %s\n", i, strerror(-ret));
			bad++;
		}
	}
	for (i = 0; i < 100; i++) {
		len = 1 + (i * 37) % MSG_MAX;
		for (j = 0; j < len; j++)
			msg[j] = (char)(i + j * 3);
		ret = mbt_recv(fd, got, sizeof(got), MAILBOX_NONBLOCK, 0, &info);
		if (ret != len || memcmp(msg, got, len) ||
		    info.sender_pid != getpid()) {
			fprintf(stderr, "# recv %d: ret %d (want %d), pid %d\n",
				i, ret, len, info.sender_pid);
			bad++;
		}
	}
	if (mbt_stat(fd, &st) || st.depth || st.sent != 100 ||
	    st.received != 100 || st.bytes) {
		fprintf(stderr, "# fresh mailbox STAT wrong after 100/100\n");
		bad++;
	}
	close(fd);
	if (mbt_unlink(name))
		bad++;
	return bad;
}

/* A fuzz thread did not come back: say what it was doing. */
static void report_stuck(struct __test_metadata *_metadata, int t)
{
	struct current_call *c = &cur[t];
	struct mailbox_info st;
	char path[64], buf[4096];
	size_t i, off = 0;
	ssize_t n;
	int fd;

	TH_LOG("thread %d (tid %d) in_call %d: op %lu %s cmd %#lx fd %d arg %p, for %.1f s",
	       t, c->tid, c->in_call, c->iter, c->op, c->cmd, c->fd, c->arg,
	       (mbt_now_ns() - c->start_ns) / 1e9);
	for (i = 0; i < 96; i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%02x%s",
				c->bytes[i], i % 32 == 31 ? " | " : "");
	TH_LOG("argument bytes: %s", buf);
	if (!mbt_stat(c->fd, &st))
		TH_LOG("its mailbox %.64s: state %u cap %u msgmax %u depth %u sent %llu received %llu swait %u rwait %u",
		       st.name, st.state, st.capacity, st.msg_size_max,
		       st.depth, (unsigned long long)st.sent,
		       (unsigned long long)st.received, st.senders_waiting,
		       st.receivers_waiting);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", c->tid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			TH_LOG("kernel stack:\n%s", buf);
		}
	}
	mbt_states_sane(MBT_FUZZ_THREADS);
}

static void log_errnos(struct __test_metadata *_metadata)
{
	char buf[512];
	size_t off = 0;
	int e;

	for (e = 0; e < 256; e++)
		if (F.errs[e] && off < sizeof(buf) - 32)
			off += snprintf(buf + off, sizeof(buf) - off, " %s:%lu",
					e ? strerrorname_np(e) ?: "?" : "ok",
					F.errs[e]);
	TH_LOG("results:%s", buf);
}

TEST_F_TIMEOUT(fuzz, random_ioctls, 180)
{
	struct worker w[MBT_FUZZ_THREADS];
	struct mbt_rng r = { M.seed };
	unsigned long done = 0;
	uint64_t t0 = mbt_now_ns();
	int i, fd, bad = 0;

	/* The fixed mailboxes, held by this fd so they outlive unlinks. */
	fd = mbt_create(F.qname, 0, 0600, QCAP, MSG_MAX);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	fd = mbt_create(F.rname, 0, 0600, 0, MSG_MAX);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	fd = mbt_create_ex(F.pname, 0, MAILBOX_ACCESS_ALL, 0600, QCAP, MSG_MAX,
			   MAILBOX_DELIVER_PRIORITY);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	/* send-only: not a subscriber, which would fill it for good */
	fd = mbt_create_ex(F.bname, 0, MAILBOX_ACCESS_SEND, 0600, QCAP, MSG_MAX,
			   MAILBOX_DELIVER_BROADCAST);
	ASSERT_LE(0, fd);
	self->fds[self->nfds++] = fd;
	for (i = 0; i < MBT_FUZZ_SLOTS; i++) {
		M.slot[i] = new_fd(&r);
		ASSERT_LE(0, M.slot[i]);
	}

	F.end_ns = t0 + mbt_env_ul("MBOX_FUZZ_SECS", 20) * 1000000000ULL;
	for (i = 0; i < MBT_FUZZ_THREADS; i++) {
		w[i].tid = i;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, fuzz_thread, &w[i]));
	}
	for (i = 0; i < MBT_FUZZ_THREADS; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)((F.end_ns - t0) / 1000000000ULL) + 30;
		if (pthread_timedjoin_np(w[i].thread, NULL, &ts)) {
			report_stuck(_metadata, i);
			ASSERT_TRUE(0) TH_LOG("seed %u: thread %d stuck", M.seed, i);
		}
		done += w[i].done;
	}
	TH_LOG("%lu ioctls by %d threads in %.1f s", done, MBT_FUZZ_THREADS,
	       (mbt_now_ns() - t0) / 1e9);
	log_errnos(_metadata);
	EXPECT_EQ(0UL, M.bad) TH_LOG("seed %u: %lu bad results", M.seed, M.bad);

	/* Nobody is in the kernel now: no waiters, rendezvous empty. */
	for (i = 0; i < MBT_FUZZ_SLOTS; i++)
		if (!mbt_stat_sane(M.slot[i], MBT_FUZZ_THREADS, true))
			bad++;
	for (i = 0; i < self->nfds; i++)
		if (!mbt_stat_sane(self->fds[i], MBT_FUZZ_THREADS, true))
			bad++;
	EXPECT_EQ(0, bad) TH_LOG("seed %u: inconsistent STAT", M.seed);

	EXPECT_EQ(0, traffic_ok()) TH_LOG("seed %u: traffic after fuzzing", M.seed);

	mbt_fuzz_close_slots(&M);
	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	self->nfds = 0;
	EXPECT_EQ(0, mbt_unlink_prefix(M.prefix, 0))
		TH_LOG("seed %u: the list of mailboxes", M.seed);
}

TEST_HARNESS_MAIN
