// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz tests for /dev/mailbox: random ioctls with random arguments from
 * several threads on shared descriptors, and create/unlink/close churn
 * under traffic. Every call must return >= 0 or a documented errno, no
 * thread may hang, and afterwards STAT, /proc/mailboxes and ordinary
 * traffic must still be sane.
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
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "mailbox_test.h"

#define PROC_MAILBOXES	"/proc/mailboxes"
#define NTHREADS	4
#define NSLOTS		16
#define DBUF_SIZE	65536		/* readable and writable data */
#define MSG_MAX		256		/* msg_size_max of the fixed mailboxes */
#define QCAP		4		/* capacity of the queue mailbox */
#define MAX_LOGGED	20
#define MAX_NAMES	512
#define BATCH_ENTS	8		/* entries made per batch */

/* The uapi constants are ints; compare them as the __u32 fields hold them. */
#define U32(x)		((uint32_t)(x))

/* ---- shared state ---------------------------------------------------- */

struct fuzz {
	unsigned int seed;
	unsigned long count;
	uint64_t end_ns;		/* stop fuzzing at this time */
	char prefix[24];		/* "fz<pid>-" */
	char qname[MAILBOX_NAME_LEN];	/* queue: capacity QCAP */
	char rname[MAILBOX_NAME_LEN];	/* rendezvous */
	char pname[MAILBOX_NAME_LEN];	/* message priority: capacity QCAP */
	char bname[MAILBOX_NAME_LEN];	/* broadcast: capacity QCAP */
	pid_t pid;			/* this process */
	int slot[NSLOTS];		/* shared descriptors, swapped at random */
	char *dbuf;			/* DBUF_SIZE bytes, then a guard page */
	char *guard;			/* PROT_NONE */
	char *ro;			/* one read-only page of 0xff */
	char *guard2;			/* PROT_NONE, after @ro */
	char *ents;			/* per thread: a page, a guard */
	long page;
	/* results */
	unsigned long bad;		/* undocumented errnos and the like */
	unsigned long logged;
	unsigned long ops;
	unsigned long errs[256];	/* per errno */
	pthread_mutex_t log_lock;
};

static struct fuzz F;

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

static struct current_call cur[NTHREADS];

static const int documented[] = {
	EINVAL, EFAULT, ENOTTY, EBADFD, EBADF, EBUSY, EEXIST, ENOENT, EACCES,
	EPERM, EMSGSIZE, EAGAIN, ETIMEDOUT, EIDRM, ENOSPC, ENOBUFS, ENOMEM,
	EINTR, ESRCH, EPIPE,
};

static bool errno_ok(int e)
{
	size_t i;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (documented[i] == e)
			return true;
	return false;
}

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&F.log_lock);
	F.bad++;
	if (F.logged++ < MAX_LOGGED) {
		fprintf(stderr, "# seed %u: ", F.seed);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&F.log_lock);
}

/* ---- random numbers -------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd64(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(struct rng *r, uint32_t n)	/* 0 .. n-1 */
{
	return (uint32_t)(rnd64(r) % n);
}

static bool chance(struct rng *r, uint32_t percent)
{
	return rnd(r, 100) < percent;
}

#define PICK(r, arr) ((arr)[rnd(r, sizeof(arr) / sizeof((arr)[0]))])

/* ---- random argument parts ------------------------------------------- */

static uint64_t kernel_ptr(struct rng *r)
{
	static const uint64_t k64[] = {
		0xffff888000000000ULL, 0xffff888000001000ULL,
		0xffffffff81000000ULL, 0xffffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL,
	};

	if (sizeof(void *) == 4)
		return chance(r, 50) ? 0xffffe000ULL : 0xfffff000ULL;	/* >= compat TASK_SIZE */
	return PICK(r, k64);
}

/* A user pointer for a data buffer, as the kernel sees it. */
static uint64_t data_ptr(struct rng *r)
{
	switch (rnd(r, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uintptr_t)F.ro;
	case 3: return (uintptr_t)F.guard - 1 - rnd(r, 64);	/* end of mapping */
	case 4: return (uintptr_t)F.guard2 - 1 - rnd(r, 64);
	case 5: return kernel_ptr(r);
	case 6: return (uintptr_t)F.guard;
	default: return (uintptr_t)F.dbuf + rnd(r, 64);
	}
}

static uint32_t rnd_len(struct rng *r)
{
	static const uint32_t lens[] = {
		0, 1, 2, 8, 255, 256, 257, 4095, 4096, DBUF_SIZE - 64,
		DBUF_SIZE, DBUF_SIZE + 1, 1048576, 0x7fffffff, 0x80000000,
		UINT32_MAX,
	};

	if (chance(r, 30))
		return rnd(r, MSG_MAX + 2);
	return PICK(r, lens);
}

static void rnd_reserved(struct rng *r, void *p, size_t size)
{
	if (chance(r, 5))
		((unsigned char *)p)[rnd(r, size)] = 1u << rnd(r, 8);
}

static uint32_t rnd_bits(struct rng *r, uint32_t valid)
{
	switch (rnd(r, 20)) {
	case 0: return 1u << rnd(r, 32);
	case 1: return (uint32_t)rnd64(r);
	case 2: return UINT32_MAX;
	default: return (uint32_t)rnd64(r) & valid;
	}
}

/*
 * A name: mostly one of the test's (the fixed mailboxes and a few spare
 * ones); otherwise empty, too long, with '/' or control bytes (all
 * invalid), or with odd but valid bytes under the test's prefix.
 */
static void rnd_name(struct rng *r, char name[MAILBOX_NAME_LEN])
{
	size_t plen = strlen(F.prefix), i;

	memset(name, 0, MAILBOX_NAME_LEN);
	switch (rnd(r, 16)) {
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
		snprintf(name, MAILBOX_NAME_LEN, "%sn%u", F.prefix, rnd(r, 4));
		return;
	case 9:		/* empty */
		return;
	case 10:	/* 63 bytes: valid */
		memcpy(name, F.prefix, plen);
		memset(name + plen, 'a' + rnd(r, 3), 63 - plen);
		return;
	case 11:	/* 64 bytes, no NUL */
		memcpy(name, F.prefix, plen);
		memset(name + plen, 'b', MAILBOX_NAME_LEN - plen);
		return;
	case 12:	/* '/' */
		snprintf(name, MAILBOX_NAME_LEN, "%s%s", F.prefix,
			 chance(r, 50) ? "a/b" : "/");
		return;
	case 13: {	/* a control byte or DEL */
		static const char bad[] = { 1, '\t', '\n', 0x1f, 0x7f };

		snprintf(name, MAILBOX_NAME_LEN, "%sc%c", F.prefix, PICK(r, bad));
		return;
	}
	case 14: {	/* valid odd bytes: high bytes, space, backslash */
		static const char odd[] = { (char)0x80, (char)0xff, (char)0xa0,
					    ' ', '\\', '~' };

		memcpy(name, F.prefix, plen);
		for (i = 0; i < 1 + rnd(r, 2); i++)
			name[plen + i] = PICK(r, odd);
		return;
	}
	default:	/* 64 random bytes */
		for (i = 0; i < MAILBOX_NAME_LEN; i++)
			name[i] = (char)rnd(r, 256);
		return;
	}
}

/* The deadline of a send or receive with MAILBOX_DEADLINE: never > 1 ms. */
static uint64_t rnd_deadline(struct rng *r)
{
	uint64_t now = mbt_now_ns();

	switch (rnd(r, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return now - 1000000000ULL;
	case 3: return (uint64_t)INT64_MAX + 1;		/* -EINVAL */
	case 4: return UINT64_MAX;			/* -EINVAL */
	case 5: return now + rnd(r, 1000000);		/* <= 1 ms ahead */
	default: return now;
	}
}

/*
 * Flags of a send or receive: random, but whenever the call might sleep
 * (no MAILBOX_NONBLOCK) it gets MAILBOX_DEADLINE and a deadline at most
 * 1 ms ahead.
 */
static void rnd_xfer_flags(struct rng *r, uint32_t valid, __u32 *flags,
			   __u64 *deadline)
{
	*flags = rnd_bits(r, valid);
	*deadline = 0;
	if (chance(r, 5))
		*deadline = rnd_deadline(r);	/* without DEADLINE: -EINVAL */
	if (!(*flags & MAILBOX_NONBLOCK)) {
		*flags |= MAILBOX_DEADLINE;
		*deadline = rnd_deadline(r);
	}
}

/*
 * The ioctl's argument pointer: mostly @valid (the test's own structure),
 * sometimes NULL, 1, the read-only page, a structure straddling the end of
 * a mapping or a kernel address. Never memory the kernel could write and
 * a later call read back as arguments: that could turn into a blocking
 * call without a deadline.
 */
static void *rnd_arg(struct rng *r, void *valid, size_t size)
{
	if (chance(r, 88))
		return valid;
	switch (rnd(r, 7)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return F.ro;
	case 3: return F.guard - size / 2;
	case 4: return F.guard2 - size / 2;
	case 5: return (void *)(uintptr_t)kernel_ptr(r);
	default: return F.guard;
	}
}

/* ---- descriptors ----------------------------------------------------- */

/* A new descriptor: unbound, or bound to one of the fixed mailboxes. */
static int new_fd(struct rng *r)
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
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC |
		      (chance(r, 20) ? O_NONBLOCK : 0));
	uint32_t access, k;

	if (fd < 0)
		return -1;
	access = 1 + rnd(r, 3);
	k = rnd(r, 7);
	switch (k) {
	case 0:
		break;
	case 1: case 2: case 3: case 4:	/* create (or open) boxes[k - 1] */
		mbt_create_ex_fd(fd, boxes[k - 1].name, 0, access, 0600,
				 boxes[k - 1].capacity, MSG_MAX,
				 boxes[k - 1].delivery);
		break;
	case 5:		/* this process's direct mailbox */
		mbt_open_direct_fd(fd, QCAP, MSG_MAX, rnd(r, 2),
				   MAILBOX_POLICY_ANY, NULL, 0);
		break;
	default: {
		struct mailbox_open o;

		memset(&o, 0, sizeof(o));
		strcpy(o.name, PICK(r, boxes).name);
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

static enum op rnd_op(struct rng *r)
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
	uint32_t x = rnd(r, 100);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(odds); i++)
		if (x < odds[i].below)
			return odds[i].op;
	return OP_SWAP;
}

/*
 * A pid to send to, receive from or list: mostly this process (or one of
 * its threads), else init, nobody, an invalid one or a random number.
 */
static int32_t rnd_pid(struct rng *r)
{
	switch (rnd(r, 12)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		return F.pid;
	case 6: {
		int32_t tid = __atomic_load_n(&cur[rnd(r, NTHREADS)].tid,
					      __ATOMIC_RELAXED);

		return tid ? tid : F.pid;
	}
	case 7: return 1;
	case 8: return 0;
	case 9: return chance(r, 50) ? -1 : INT32_MIN;
	case 10: return INT32_MAX;
	default: return (int32_t)rnd64(r);
	}
}

/*
 * A policy and its pid list in @list (@list_len entries, a little more than
 * MAILBOX_POLICY_LIST_MAX: a larger count must be refused before the
 * kernel reads the list), or sometimes a bad list pointer.
 */
static void rnd_policy(struct rng *r, __u32 *policy, __u32 *count, __u64 *pids,
		       int32_t *list, size_t list_len)
{
	uint32_t i;

	*policy = chance(r, 90) ? rnd(r, 3) : rnd_bits(r, 3);
	for (i = 0; i < list_len; i++)
		list[i] = rnd_pid(r);
	*count = 0;
	*pids = 0;
	if (*policy == MAILBOX_POLICY_LIST || chance(r, 5)) {
		*count = chance(r, 80) ? 1 + rnd(r, 4) :
			 chance(r, 50) ? rnd(r, (uint32_t)list_len + 1) :
					 (uint32_t)rnd64(r);
		*pids = chance(r, 90) ? (uintptr_t)list : data_ptr(r);
	}
}

/*
 * Random arguments for MAILBOX_IOC_SEND, or for MAILBOX_IOC_SEND_TO when
 * @to, into *@s.
 */
static void rnd_send(struct rng *r, struct mailbox_send *s, bool to)
{
	memset(s, 0, sizeof(*s));
	s->buf = data_ptr(r);
	s->len = rnd_len(r);
	rnd_xfer_flags(r, MAILBOX_NONBLOCK | MAILBOX_DEADLINE |
		       MAILBOX_SEND_WAIT, &s->flags, &s->deadline_ns);
	if (to)
		s->to_pid = rnd_pid(r);
	else
		s->receiver_pid = chance(r, 90) ? 0 : (int32_t)rnd64(r);
	if (chance(r, to ? 20 : 30))
		s->priority = chance(r, 90) ? rnd(r, MAILBOX_PRIO_MAX + 2) :
					      (uint32_t)rnd64(r);
	if (to) {
		if (chance(r, 5)) {	/* out fields: ignored on input */
			s->receiver_pid = (int32_t)rnd64(r);
			s->receivers = (uint32_t)rnd64(r);
		}
	} else {
		if (chance(r, 3))
			s->to_pid = rnd_pid(r);	/* -EINVAL unless 0 */
		if (chance(r, 5))
			s->receivers = (uint32_t)rnd64(r);	/* out only */
	}
	rnd_reserved(r, s->reserved, sizeof(s->reserved));
}

/* Random arguments for MAILBOX_IOC_RECV into *@rv. */
static void rnd_recv(struct rng *r, struct mailbox_recv *rv)
{
	memset(rv, 0, sizeof(*rv));
	if (chance(r, 15)) {
		rv->flags = MAILBOX_RECV_PEEK;	/* never sleeps */
		if (chance(r, 30))
			rv->flags |= rnd_bits(r, MAILBOX_NONBLOCK |
					      MAILBOX_DEADLINE);
		if (chance(r, 20))
			rv->buf = data_ptr(r);
		if (chance(r, 20))
			rv->size = rnd_len(r);
		if (!(rv->flags & MAILBOX_NONBLOCK) &&
		    (rv->flags & MAILBOX_DEADLINE))
			rv->deadline_ns = rnd_deadline(r);
	} else {
		rv->buf = data_ptr(r);
		rv->size = rnd_len(r);
		rnd_xfer_flags(r, MAILBOX_NONBLOCK | MAILBOX_DEADLINE |
			       MAILBOX_RECV_PEEK, &rv->flags, &rv->deadline_ns);
	}
	if (chance(r, 5)) {	/* out fields: ignored on input */
		rv->len = (uint32_t)rnd64(r);
		rv->sender_pid = (int32_t)rnd64(r);
		rv->sender_uid = (uint32_t)rnd64(r);
		rv->send_time_ns = rnd64(r);
	}
	if (chance(r, 20))
		rv->from_pid = rnd_pid(r);
	rnd_reserved(r, &rv->reserved0, sizeof(rv->reserved0));
	rnd_reserved(r, rv->reserved, sizeof(rv->reserved));
}

/* Flags for a send or receive that is valid and sleeps at most 1 ms. */
static void tidy_flags(struct rng *r, __u32 *flags, __u64 *deadline)
{
	*flags = chance(r, 50) ? MAILBOX_NONBLOCK : MAILBOX_DEADLINE;
	*deadline = 0;
	if (*flags == MAILBOX_DEADLINE)
		*deadline = mbt_now_ns() + rnd(r, 1000000);
}

/* A well-formed batch entry (save for an unsuitable priority, say). */
static void tidy_send(struct rng *r, struct mailbox_send *s)
{
	memset(s, 0, sizeof(*s));
	s->buf = (uintptr_t)F.dbuf + rnd(r, 64);
	s->len = rnd(r, MSG_MAX + 1);
	tidy_flags(r, &s->flags, &s->deadline_ns);
	if (chance(r, 10))
		s->flags |= MAILBOX_SEND_WAIT;
	if (chance(r, 30))
		s->priority = rnd(r, MAILBOX_PRIO_MAX + 1);
	if (chance(r, 30))
		s->to_pid = F.pid;
}

static void tidy_recv(struct rng *r, struct mailbox_recv *rv)
{
	memset(rv, 0, sizeof(*rv));
	if (chance(r, 15)) {
		rv->flags = MAILBOX_RECV_PEEK;
		return;
	}
	rv->buf = (uintptr_t)F.dbuf + rnd(r, 64);
	rv->size = MSG_MAX;
	tidy_flags(r, &rv->flags, &rv->deadline_ns);
	if (chance(r, 10))
		rv->from_pid = F.pid;
}

/* The count of a batch of @n entries: mostly 1 to @n, at times too many. */
static uint32_t rnd_count(struct rng *r, uint32_t n)
{
	switch (rnd(r, 20)) {
	case 0:
		return 0;
	case 1:
		return MAILBOX_BATCH_MAX + 1;
	case 2:
		return (uint32_t)rnd64(r);
	case 3:		/* past the entries, into the guard page */
		return n + 1 + rnd(r, MAILBOX_BATCH_MAX - n);
	default:
		return 1 + rnd(r, n);
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
static void rnd_batch(struct rng *r, int tid, bool recv,
		      struct mailbox_batch *b)
{
	size_t size = recv ? sizeof(struct mailbox_recv) :
			     sizeof(struct mailbox_send);
	uint32_t n = 1 + rnd(r, BATCH_ENTS), i;
	char *ents = F.ents + (2 * tid + 1) * F.page - n * size;
	bool tidy = chance(r, 50);

	for (i = 0; i < n; i++) {
		struct mailbox_send *s = (struct mailbox_send *)ents + i;
		struct mailbox_recv *rv = (struct mailbox_recv *)ents + i;

		if (tidy && !chance(r, 5)) {
			if (recv)
				tidy_recv(r, rv);
			else
				tidy_send(r, s);
		} else if (recv) {
			rnd_recv(r, rv);
		} else {
			rnd_send(r, s, chance(r, 30));
		}
	}
	memset(b, 0, sizeof(*b));
	b->msgs = (uintptr_t)ents;
	b->count = rnd_count(r, n);
	if (chance(r, 10)) {
		const uint64_t bad[] = { 0, 1, (uintptr_t)F.ro,
					 (uintptr_t)F.guard, kernel_ptr(r) };

		b->msgs = PICK(r, bad);
	}
	if (chance(r, 3))
		b->flags = rnd_bits(r, 0);
	if (chance(r, 3))
		b->done = chance(r, 50) ? 1 : (uint32_t)rnd64(r);
	if (chance(r, 3))
		b->error = chance(r, 50) ? -EAGAIN : (int32_t)rnd64(r);
	rnd_reserved(r, b->reserved, sizeof(b->reserved));
}

/*
 * What a batch returned, @ret, and left in @b, given what @in was: NULL
 * when consistent, else what is wrong.
 */
static const char *batch_bad(int ret, const struct mailbox_batch *in,
			     const struct mailbox_batch *b, bool recv)
{
	const struct mailbox_recv *rv = (void *)(uintptr_t)in->msgs;
	int k;

	if (ret < 0)
		return b->done != in->done || b->error != in->error ?
		       "a failed batch changed done or error" : NULL;
	if (ret == 0 || (uint32_t)ret > in->count)
		return "returned 0 or more than count";
	if (b->done != (uint32_t)ret)
		return "done is not what it returned";
	if ((uint32_t)ret == in->count && b->error)
		return "error set with every entry done";
	if ((uint32_t)ret < in->count &&
	    (b->error >= 0 || !errno_ok(-b->error)))
		return "error not a documented errno";
	for (k = 0; recv && k < ret; k++)
		if (!(rv[k].flags & MAILBOX_RECV_PEEK) &&
		    rv[k].len > rv[k].size)
			return "an entry received more than its size";
	return NULL;
}

/*
 * A random command number that no generic VFS or compat handler acts on
 * (those with types 0, 'T', 'X', 'f' and 0x94 freeze file systems, clone
 * files and the like): only the driver sees it.
 */
static unsigned long rnd_other_cmd(struct rng *r)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int type;

	do {
		type = rnd(r, 256);
	} while (type == 0 || type == 'T' || type == 'X' || type == 'f' ||
		 type == 0x94 || type == MAILBOX_IOC_MAGIC);
	return _IOC(PICK(r, dirs), type, rnd(r, 256), rnd(r, 512));
}

static unsigned long rnd_b9_cmd(struct rng *r)
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
	unsigned int nr = chance(r, 70) ? rnd(r, 13) : rnd(r, 256);
	unsigned int size = chance(r, 70) ? PICK(r, sizes) : rnd(r, 1 << 14);

	return _IOC(PICK(r, dirs), MAILBOX_IOC_MAGIC, nr, size);
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
static void rnd_fields(struct rng *r, enum op op, union fuzz_arg *a,
		       int32_t *pids, size_t npids)
{
	switch (op) {
	case OP_CREATE:
		rnd_name(r, a->c.name);
		a->c.flags = rnd_bits(r, MAILBOX_CREATE_EXCL |
					 MAILBOX_CREATE_OWNED);
		a->c.access = chance(r, 90) ? 1 + rnd(r, 3) : rnd_bits(r, 7);
		a->c.mode = chance(r, 80) ? (rnd(r, 2) ? 0600 : rnd(r, 01000)) :
					    rnd_bits(r, 07777);
		{
			static const uint32_t caps[] = { 0, 1, QCAP, 65536,
							 65537, UINT32_MAX };
			static const uint32_t sizes[] = { 0, 1, 255, MSG_MAX,
							  257, 1048576, 1048577,
							  UINT32_MAX };

			a->c.capacity = chance(r, 50) ? rnd(r, 16) :
							PICK(r, caps);
			a->c.msg_size_max = PICK(r, sizes);
		}
		a->c.delivery = chance(r, 90) ? rnd(r, 3) : rnd_bits(r, 3);
		break;
	case OP_OPEN:
		rnd_name(r, a->o.name);
		a->o.access = chance(r, 90) ? 1 + rnd(r, 3) : rnd_bits(r, 7);
		a->o.flags = chance(r, 95) ? 0 : rnd_bits(r, 0);
		break;
	case OP_UNLINK:
		rnd_name(r, a->u.name);
		a->u.flags = chance(r, 95) ? 0 : rnd_bits(r, 0);
		break;
	case OP_OPEN_DIRECT:
		{
			static const uint32_t caps[] = { 0, 1, QCAP, 65536,
							 65537, UINT32_MAX };
			static const uint32_t sizes[] = { 0, 1, MSG_MAX,
							  1048576, 1048577,
							  UINT32_MAX };

			a->d.capacity = chance(r, 60) ? rnd(r, 16) :
							PICK(r, caps);
			a->d.msg_size_max = chance(r, 60) ? MSG_MAX :
							    PICK(r, sizes);
		}
		a->d.delivery = chance(r, 90) ? rnd(r, 3) : rnd_bits(r, 3);
		a->d.flags = chance(r, 95) ? 0 : rnd_bits(r, 0);
		rnd_policy(r, &a->d.policy, &a->d.count, &a->d.pids, pids,
			   npids);
		break;
	case OP_SET_POLICY:
		rnd_policy(r, &a->p.policy, &a->p.count, &a->p.pids, pids,
			   npids);
		break;
	case OP_SET_RECV_PRIO:
		a->rp.priority = chance(r, 90) ?
				 rnd(r, MAILBOX_PRIO_MAX + 2) :
				 (uint32_t)rnd64(r);
		a->rp.flags = chance(r, 95) ? 0 : rnd_bits(r, 0);
		break;
	default:
		break;
	}
}

static void fuzz_one(struct rng *r, int tid, unsigned long iter)
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
	uint32_t slot = rnd(r, NSLOTS);

	memset(&a, 0, sizeof(a));
	if (chance(r, 3))
		memset(&a, 0xff, sizeof(a));	/* accepted by nothing */

	shape = op < ARRAY_SIZE(arg_shapes) ? &arg_shapes[op] : NULL;
	if (shape && shape->size) {
		cmd = shape->cmd;
		if (!chance(r, 3)) {
			rnd_fields(r, op, &a, pids, ARRAY_SIZE(pids));
			rnd_reserved(r, (char *)&a + shape->res_off,
				     shape->res_size);
			arg = rnd_arg(r, &a, shape->size);
		}
	}
	switch (op) {
	case OP_SWAP:
		fd = new_fd(r);
		if (fd < 0) {
			if (!errno_ok(errno) && errno != EMFILE)
				complain("thread %d op %lu: open: %s", tid,
					 iter, strerror(errno));
			return;
		}
		fd = __atomic_exchange_n(&F.slot[slot], fd, __ATOMIC_SEQ_CST);
		close(fd);
		return;
	case OP_SEND:
	case OP_SEND_TO:
		cmd = op == OP_SEND ? MAILBOX_IOC_SEND : MAILBOX_IOC_SEND_TO;
		if (chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		rnd_send(r, &a.s, op == OP_SEND_TO);
		arg = rnd_arg(r, &a, sizeof(a.s));
		break;
	case OP_RECV:
		cmd = MAILBOX_IOC_RECV;
		if (chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		memset(&a, 0, sizeof(a));
		rnd_recv(r, &a.rv);
		arg = rnd_arg(r, &a, sizeof(a.rv));
		break;
	case OP_SEND_BATCH:
	case OP_RECV_BATCH:
		cmd = op == OP_SEND_BATCH ? MAILBOX_IOC_SEND_BATCH :
					    MAILBOX_IOC_RECV_BATCH;
		if (chance(r, 3)) {
			memset(&a, 0xff, sizeof(a));	/* -EINVAL */
			break;
		}
		memset(&a, 0, sizeof(a));
		rnd_batch(r, tid, op == OP_RECV_BATCH, &a.b);
		arg = rnd_arg(r, &a, sizeof(a.b));
		break;
	case OP_STAT:
		cmd = MAILBOX_IOC_STAT;
		arg = rnd_arg(r, &a, sizeof(a.i));
		break;
	case OP_RAND_B9:
	case OP_RAND_OTHER:
		cmd = op == OP_RAND_B9 ? rnd_b9_cmd(r) : rnd_other_cmd(r);
		/* 0xff bytes: whatever the driver reads, it must refuse */
		memset(&a, 0xff, sizeof(a));
		switch (rnd(r, 5)) {
		case 0: arg = NULL; break;
		case 1: arg = F.ro; break;
		case 2: arg = (void *)(uintptr_t)kernel_ptr(r); break;
		default: arg = &a; break;
		}
		break;
	default:	/* made above, from arg_shapes[] */
		break;
	}

	fd = __atomic_load_n(&F.slot[slot], __ATOMIC_RELAXED);
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
		why = batch_bad(ret < 0 ? -e : ret, &in, &a.b,
				op == OP_RECV_BATCH);
	if (ret < 0 && !errno_ok(e)) {
		complain("thread %d op %lu: %s cmd %#lx arg %p: undocumented errno %d (%s)",
			 tid, iter, op_names[op], cmd, arg, e, strerror(e));
	} else if (ret >= 0 && op == OP_RECV && arg == &a &&
		   !(a.rv.flags & MAILBOX_RECV_PEEK) &&
		   ((uint32_t)ret > a.rv.size || a.rv.len != (uint32_t)ret)) {
		complain("thread %d op %lu: RECV returned %d with size %u len %u",
			 tid, iter, ret, a.rv.size, a.rv.len);
	} else if (ret >= 0 && (op == OP_CREATE || op == OP_OPEN_DIRECT) &&
		   ret > 1) {
		complain("thread %d op %lu: %s returned %d", tid, iter,
			 op_names[op], ret);
	} else if (ret >= 0 && (op == OP_SEND || op == OP_STAT || op == OP_OPEN ||
				op == OP_UNLINK || op == OP_SEND_TO ||
				op == OP_SET_POLICY || op == OP_SET_RECV_PRIO) &&
		   ret != 0) {
		complain("thread %d op %lu: %s returned %d", tid, iter,
			 op_names[op], ret);
	} else if (why) {
		complain("thread %d op %lu: %s count %u returned %d, done %u error %d: %s",
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
	struct rng r = { F.seed * 0x100000001ULL + (uint64_t)w->tid * 7919 };
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

/* ---- /proc/mailboxes ------------------------------------------------- */

struct proc_line {
	char name[MAILBOX_NAME_LEN * 4 + 1];	/* unescaped */
	unsigned int uid, gid, mode, capacity, msgsize, depth, swait, rwait;
	unsigned long long bytes, sent, received, sblocked, rblocked, dropped;
	char state[16], flags[16], delivery[16];
	char waiters[512], backlog[1024];
};

/* Undo seq_escape()'s octal escapes in place; false if malformed. */
static bool unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (*s == '\\') {
			if (s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' ||
			    s[3] < '0' || s[3] > '7')
				return false;
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
	return true;
}

/*
 * "-" or a comma-separated list of numbers, each at most @max; @n gets
 * their count.
 */
static bool num_list_ok(const char *s, unsigned long max, unsigned int *n)
{
	char *end;

	*n = 0;
	if (!strcmp(s, "-"))
		return true;
	for (;;) {
		if (*s < '0' || *s > '9' || strtoul(s, &end, 10) > max)
			return false;
		++*n;
		if (!*end)
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

static bool proc_parse(const char *line, struct proc_line *p)
{
	unsigned int nwait, nback;
	char extra[2];
	int n;

	n = sscanf(line, "%256s %u %u %o %u %u %u %llu %llu %llu %llu %llu %u %u "
		   "%15s %15s %15s %511s %1023s %llu %1s", p->name, &p->uid,
		   &p->gid, &p->mode, &p->capacity, &p->msgsize, &p->depth,
		   &p->bytes, &p->sent, &p->received, &p->sblocked,
		   &p->rblocked, &p->swait, &p->rwait, p->state, p->flags,
		   p->delivery, p->waiters, p->backlog, &p->dropped, extra);
	if (n != 20 || !unescape(p->name))
		return false;
	if (strlen(p->name) < 1 || strlen(p->name) > 63 || p->mode > 0777)
		return false;
	if (strcmp(p->state, "linked") && strcmp(p->state, "unlinked") &&
	    strcmp(p->state, "dead"))
		return false;
	if (strcmp(p->delivery, "queue") && strcmp(p->delivery, "priority") &&
	    strcmp(p->delivery, "broadcast"))
		return false;
	/* the sleeping receivers' priorities, one per sleeping receiver */
	if (!num_list_ok(p->waiters, MAILBOX_PRIO_MAX, &nwait))
		return false;
	/* per subscriber, at most the capacity (some slack for the racy) */
	if (!num_list_ok(p->backlog, p->capacity + NTHREADS, &nback))
		return false;
	if (strcmp(p->delivery, "broadcast") && nback)
		return false;
	if (!strcmp(p->flags, "direct"))	/* named pid/N */
		return !strncmp(p->name, "pid/", 4) && strlen(p->name) > 4 &&
		       strspn(p->name + 4, "0123456789") == strlen(p->name) - 4;
	return (!strcmp(p->flags, "owned") || !strcmp(p->flags, "-")) &&
	       !strchr(p->name, '/');
}

/* What a mailbox's counters must satisfy; NULL if they do. */
static const char *counters_bad(bool dead, uint32_t capacity, uint32_t msgsize,
				uint32_t depth, uint64_t bytes, uint64_t sent,
				uint64_t received, uint64_t dropped,
				uint32_t slack)
{
	if (received > sent)
		return "received > sent";
	if (sent != received + depth + dropped)
		return "sent != received + depth + dropped";
	if (!dead && dropped)
		return "dropped before destruction";
	if (dead && depth)
		return "dead with messages";
	if (depth > capacity + slack)
		return "depth > capacity + slack";
	if (bytes > (uint64_t)depth * msgsize)
		return "bytes > depth * msg_size_max";
	return NULL;
}

/*
 * Read /proc/mailboxes: every line must parse and be consistent. Calls
 * @fn(name, ctx) for each line. Returns the number of bad lines, or -1 if
 * the file cannot be read.
 */
static int proc_scan(uint32_t slack, void (*fn)(const char *, void *), void *ctx)
{
	FILE *f = fopen(PROC_MAILBOXES, "re");
	struct proc_line p;
	char *line = NULL;
	size_t cap = 0;
	int bad = 0, n = 0;
	const char *why;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (n++ == 0) {
			if (strncmp(line, "name uid gid mode capacity", 26)) {
				fprintf(stderr, "# bad header: %s", line);
				bad++;
			}
			continue;
		}
		memset(&p, 0, sizeof(p));
		if (!proc_parse(line, &p)) {
			fprintf(stderr, "# unparsable /proc/mailboxes line: %s", line);
			bad++;
			continue;
		}
		why = counters_bad(!strcmp(p.state, "dead"), p.capacity,
				   p.msgsize, p.depth, p.bytes, p.sent,
				   p.received, p.dropped, slack);
		if (why) {
			fprintf(stderr, "# /proc/mailboxes: %s: %s", why, line);
			bad++;
		}
		if (fn)
			fn(p.name, ctx);
	}
	free(line);
	fclose(f);
	return bad;
}

struct name_set {
	int n;
	char name[MAX_NAMES][MAILBOX_NAME_LEN];
};

static void collect(const char *name, void *ctx)
{
	struct name_set *s = ctx;

	if (s->n < MAX_NAMES)
		snprintf(s->name[s->n++], MAILBOX_NAME_LEN, "%s", name);
}

/* Names of /proc/mailboxes that start with @prefix. */
static void mine(const char *name, void *ctx)
{
	struct name_set *s = ctx;

	if (!strncmp(name, F.prefix, strlen(F.prefix)))
		collect(name, s);
}

/* Check STAT of @fd if it answers; returns false if inconsistent. */
static bool stat_ok(int fd, uint32_t slack, bool idle)
{
	struct mailbox_info i;
	const char *why;

	if (mbt_stat(fd, &i))
		return true;	/* unbound or closed */
	why = counters_bad(i.state == U32(MAILBOX_STATE_DEAD), i.capacity,
			   i.msg_size_max, i.depth, i.bytes, i.sent, i.received,
			   i.dropped, slack);
	if (!why && i.state > U32(MAILBOX_STATE_DEAD))
		why = "bad state";
	if (!why && idle && (i.senders_waiting || i.receivers_waiting))
		why = "waiters left with no thread in the kernel";
	/* every send to a rendezvous has returned: none may be queued */
	if (!why && idle && i.capacity == 0 && i.depth)
		why = "a rendezvous holds a message nobody is sending";
	if (why) {
		fprintf(stderr, "# STAT of fd %d (%.64s): %s: state %u cap %u msgmax %u depth %u bytes %llu sent %llu received %llu dropped %llu swait %u rwait %u\n",
			fd, i.name, why, i.state, i.capacity, i.msg_size_max,
			i.depth, (unsigned long long)i.bytes,
			(unsigned long long)i.sent,
			(unsigned long long)i.received,
			(unsigned long long)i.dropped, i.senders_waiting,
			i.receivers_waiting);
		return false;
	}
	return true;
}

static unsigned long env_ul(const char *var, unsigned long def)
{
	const char *s = getenv(var);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	return *end ? def : v;
}

/* ---- fixture --------------------------------------------------------- */

FIXTURE(fuzz) {
	int fds[NSLOTS];
	int nfds;
};

FIXTURE_SETUP(fuzz)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t total = DBUF_SIZE + 3 * page;
	char *m;
	int i;

	memset(&F, 0, sizeof(F));
	pthread_mutex_init(&F.log_lock, NULL);
	for (i = 0; i < NSLOTS; i++)
		F.slot[i] = -1;
	self->nfds = 0;
	if (access(MBOX_DEV, F_OK))
		SKIP(return, MBOX_DEV " missing: is kmailbox.ko loaded?");

	F.seed = env_ul("MBOX_FUZZ_SEED", (unsigned long)time(NULL) ^ getpid());
	F.count = env_ul("MBOX_FUZZ_COUNT", 20000);
	F.page = page;
	snprintf(F.prefix, sizeof(F.prefix), "fz%d-", (int)getpid());
	snprintf(F.qname, sizeof(F.qname), "%sq", F.prefix);
	snprintf(F.rname, sizeof(F.rname), "%sr", F.prefix);
	snprintf(F.pname, sizeof(F.pname), "%sp", F.prefix);
	snprintf(F.bname, sizeof(F.bname), "%sb", F.prefix);
	F.pid = getpid();
	TH_LOG("seed %u (replay with MBOX_FUZZ_SEED=%u)", F.seed, F.seed);

	/* [dbuf: DBUF_SIZE bytes][guard][ro: 0xff][guard2] */
	m = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	F.dbuf = m;
	F.guard = m + DBUF_SIZE;
	F.ro = F.guard + page;
	F.guard2 = F.ro + page;
	memset(m, 0xff, total);
	ASSERT_EQ(0, mprotect(F.guard, page, PROT_NONE));
	ASSERT_EQ(0, mprotect(F.ro, page, PROT_READ));
	ASSERT_EQ(0, mprotect(F.guard2, page, PROT_NONE));
	/* per fuzz thread: a page for batch entries, then a guard page */
	m = mmap(NULL, 2 * NTHREADS * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(m != MAP_FAILED);
	F.ents = m;
	for (i = 0; i < NTHREADS; i++)
		ASSERT_EQ(0, mprotect(m + (2 * i + 1) * page, page, PROT_NONE));
	/* /proc/mailboxes must be readable */
	ASSERT_LE(0, proc_scan(0, NULL, NULL));
}

FIXTURE_TEARDOWN(fuzz)
{
	struct name_set left;
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (F.slot[i] >= 0)
			close(F.slot[i]);
	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	/* Unlink whatever the test created (names under its prefix). */
	memset(&left, 0, sizeof(left));
	proc_scan(64, mine, &left);
	for (i = 0; i < left.n; i++)
		mbt_unlink(left.name[i]);
}

/* Unlink everything named under the prefix; then none may be listed. */
static int unlink_mine(void)
{
	struct name_set left;
	int i, bad;

	memset(&left, 0, sizeof(left));
	bad = proc_scan(0, mine, &left);
	for (i = 0; i < left.n; i++)
		mbt_unlink(left.name[i]);
	memset(&left, 0, sizeof(left));
	bad += proc_scan(0, mine, &left);
	for (i = 0; i < left.n; i++)
		fprintf(stderr, "# still listed: %s\n", left.name[i]);
	return bad + left.n;
}

/* Well-formed traffic on a fresh mailbox: 100 messages out and back. */
static int traffic_ok(void)
{
	char name[MAILBOX_NAME_LEN], msg[MSG_MAX], got[MSG_MAX];
	struct mailbox_recv info;
	struct mailbox_info st;
	int fd, i, j, len, ret, bad = 0;

	snprintf(name, sizeof(name), "%sfresh", F.prefix);
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
	proc_scan(NTHREADS, NULL, NULL);
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
	struct worker w[NTHREADS];
	struct rng r = { F.seed };
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
	for (i = 0; i < NSLOTS; i++) {
		F.slot[i] = new_fd(&r);
		ASSERT_LE(0, F.slot[i]);
	}

	F.end_ns = t0 + env_ul("MBOX_FUZZ_SECS", 20) * 1000000000ULL;
	for (i = 0; i < NTHREADS; i++) {
		w[i].tid = i;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, fuzz_thread, &w[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)((F.end_ns - t0) / 1000000000ULL) + 30;
		if (pthread_timedjoin_np(w[i].thread, NULL, &ts)) {
			report_stuck(_metadata, i);
			ASSERT_TRUE(0) TH_LOG("seed %u: thread %d stuck", F.seed, i);
		}
		done += w[i].done;
	}
	TH_LOG("%lu ioctls by %d threads in %.1f s", done, NTHREADS,
	       (mbt_now_ns() - t0) / 1e9);
	log_errnos(_metadata);
	EXPECT_EQ(0UL, F.bad) TH_LOG("seed %u: %lu bad results", F.seed, F.bad);

	/* Nobody is in the kernel now: no waiters, rendezvous empty. */
	for (i = 0; i < NSLOTS; i++)
		if (!stat_ok(F.slot[i], NTHREADS, true))
			bad++;
	for (i = 0; i < self->nfds; i++)
		if (!stat_ok(self->fds[i], NTHREADS, true))
			bad++;
	EXPECT_EQ(0, bad) TH_LOG("seed %u: inconsistent STAT", F.seed);

	EXPECT_EQ(0, traffic_ok()) TH_LOG("seed %u: traffic after fuzzing", F.seed);

	for (i = 0; i < NSLOTS; i++) {
		close(F.slot[i]);
		F.slot[i] = -1;
	}
	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	self->nfds = 0;
	EXPECT_EQ(0, unlink_mine()) TH_LOG("seed %u: /proc/mailboxes", F.seed);
}

/* ---- unlink churn ---------------------------------------------------- */

#define CHURN_NAMES	4
#define CHURN_SLOTS	8

struct churn {
	volatile int stop;
	int tid;
	unsigned long ops;
};

static void check_ret(const char *what, int tid, int ret)
{
	if (ret < 0 && !errno_ok(errno))
		complain("churn thread %d: %s: undocumented errno %d (%s)",
			 tid, what, errno, strerror(errno));
}

static void churn_name(struct rng *r, char *name)
{
	snprintf(name, MAILBOX_NAME_LEN, "%sc%u", F.prefix, rnd(r, CHURN_NAMES));
}

/* Creates, opens, unlinks and closes. */
static void *churner(void *p)
{
	struct churn *c = p;
	struct rng r = { F.seed ^ 0xc0ffee };
	char name[MAILBOX_NAME_LEN];
	int fd, old, ret;

	while (!c->stop) {
		uint32_t slot = rnd(&r, CHURN_SLOTS);

		churn_name(&r, name);
		c->ops++;
		switch (rnd(&r, 4)) {
		case 0:		/* create (sometimes owned) into a slot */
		case 1:		/* open into a slot */
			fd = mbt_dev();
			if (fd < 0) {
				complain("open " MBOX_DEV ": %s", strerror(-fd));
				break;
			}
			if (rnd(&r, 4) == 0) {
				struct mailbox_open o;

				memset(&o, 0, sizeof(o));
				strcpy(o.name, name);
				o.access = 1 + rnd(&r, 3);
				ret = ioctl(fd, MAILBOX_IOC_OPEN, &o);
				check_ret("OPEN", 0, ret);
			} else {
				struct mailbox_create cr;

				memset(&cr, 0, sizeof(cr));
				strcpy(cr.name, name);
				cr.access = MAILBOX_ACCESS_ALL;
				cr.flags = rnd(&r, 4) == 0 ? MAILBOX_CREATE_OWNED : 0;
				cr.mode = 0600;
				cr.capacity = rnd(&r, 3) ? 1 + rnd(&r, 8) : 0;
				cr.msg_size_max = MSG_MAX;
				cr.delivery = rnd(&r, 3);
				if (!cr.capacity)	/* no broadcast rendezvous */
					cr.delivery %= MAILBOX_DELIVER_BROADCAST;
				ret = ioctl(fd, MAILBOX_IOC_CREATE, &cr);
				check_ret("CREATE", 0, ret);
			}
			old = __atomic_exchange_n(&F.slot[slot], fd, __ATOMIC_SEQ_CST);
			if (old >= 0)
				close(old);
			break;
		case 2:
			ret = mbt_unlink(name);
			if (ret < 0 && ret != -ENOENT)
				complain("churn UNLINK %s: %s", name, strerror(-ret));
			break;
		default:	/* close a slot */
			old = __atomic_exchange_n(&F.slot[slot], -1, __ATOMIC_SEQ_CST);
			if (old >= 0)
				close(old);
			break;
		}
	}
	return NULL;
}

/*
 * A well-formed non-blocking send or receive batch of 1 to 4 messages on
 * @fd, through @buf. Complains if what it reports is inconsistent.
 */
static void traffic_batch(struct rng *r, int tid, int fd, char *buf)
{
	struct mailbox_send s[4];
	struct mailbox_recv rv[4];
	struct mailbox_batch b, in;
	bool recv = chance(r, 50);
	const char *why;
	uint32_t i;
	int ret;

	memset(s, 0, sizeof(s));
	memset(rv, 0, sizeof(rv));
	memset(&b, 0, sizeof(b));
	b.count = 1 + rnd(r, 4);
	b.msgs = recv ? (uintptr_t)rv : (uintptr_t)s;
	for (i = 0; i < b.count; i++) {
		s[i].buf = (uintptr_t)buf;
		s[i].len = rnd(r, MSG_MAX + 1);
		s[i].flags = MAILBOX_NONBLOCK;
		rv[i].buf = (uintptr_t)buf;
		rv[i].size = MSG_MAX;
		rv[i].flags = MAILBOX_NONBLOCK;
	}
	in = b;
	ret = ioctl(fd, recv ? MAILBOX_IOC_RECV_BATCH : MAILBOX_IOC_SEND_BATCH,
		    &b);
	check_ret(recv ? "RECV_BATCH" : "SEND_BATCH", tid, ret);
	why = batch_bad(ret < 0 ? -errno : ret, &in, &b, recv);
	if (why)
		complain("churn thread %d: batch of %u returned %d: %s", tid,
			 in.count, ret, why);
}

/* Sends and receives without blocking on whatever the slots hold. */
static void *trafficker(void *p)
{
	struct churn *c = p;
	struct rng r = { F.seed ^ (0xbeef + c->tid) };
	char buf[MSG_MAX];
	struct mailbox_info st;
	int fd, ret;

	memset(buf, 'x', sizeof(buf));
	while (!c->stop) {
		fd = __atomic_load_n(&F.slot[rnd(&r, CHURN_SLOTS)], __ATOMIC_RELAXED);
		c->ops++;
		switch (rnd(&r, 6)) {
		case 0: case 1:
			ret = ioctl(fd, MAILBOX_IOC_SEND, &(struct mailbox_send){
				.buf = (uintptr_t)buf, .len = rnd(&r, MSG_MAX + 1),
				.flags = MAILBOX_NONBLOCK });
			check_ret("SEND", c->tid, ret);
			break;
		case 2: case 3:
			ret = ioctl(fd, MAILBOX_IOC_RECV, &(struct mailbox_recv){
				.buf = (uintptr_t)buf, .size = sizeof(buf),
				.flags = rnd(&r, 4) ? MAILBOX_NONBLOCK :
					 MAILBOX_RECV_PEEK });
			check_ret("RECV", c->tid, ret);
			break;
		case 4:
			traffic_batch(&r, c->tid, fd, buf);
			break;
		default:
			ret = ioctl(fd, MAILBOX_IOC_STAT, &st);
			check_ret("STAT", c->tid, ret);
			break;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(fuzz, unlink_churn, 120)
{
	struct churn c[3];
	pthread_t t[3];
	uint64_t end = mbt_deadline_ms(5000);
	unsigned long scans = 0;
	int i, bad = 0, ret;

	memset(c, 0, sizeof(c));
	for (i = 0; i < 3; i++) {
		c[i].tid = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, i ? trafficker : churner,
					    &c[i]));
	}
	/* Meanwhile, every line of /proc/mailboxes must parse. */
	while (mbt_now_ns() < end) {
		ret = proc_scan(NTHREADS, NULL, NULL);
		if (ret)
			bad++;
		scans++;
		mbt_sleep_ms(20);
	}
	for (i = 0; i < 3; i++)
		c[i].stop = 1;
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	TH_LOG("churn %lu ops, traffic %lu + %lu ops, %lu /proc scans",
	       c[0].ops, c[1].ops, c[2].ops, scans);
	EXPECT_EQ(0, bad) TH_LOG("seed %u: bad /proc/mailboxes scans", F.seed);
	EXPECT_EQ(0UL, F.bad) TH_LOG("seed %u: %lu bad results", F.seed, F.bad);

	/* Idle now: STAT and /proc must agree with themselves. */
	bad = 0;
	for (i = 0; i < CHURN_SLOTS; i++)
		if (F.slot[i] >= 0 && !stat_ok(F.slot[i], 1, true))
			bad++;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, proc_scan(0, NULL, NULL));

	for (i = 0; i < CHURN_SLOTS; i++) {
		if (F.slot[i] >= 0)
			close(F.slot[i]);
		F.slot[i] = -1;
	}
	EXPECT_EQ(0, unlink_mine());
}

TEST_HARNESS_MAIN
