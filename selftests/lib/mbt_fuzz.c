// SPDX-License-Identifier: GPL-2.0
/*
 * For the fuzzers (mailbox_fuzz*.c) and the tests that draw at random: a
 * seeded generator, numbers from the environment, random argument parts
 * that point into memory of known kinds (writable, read-only, unmapped,
 * kernel), the errnos the module documents, bad results counted and the
 * first few logged, and the consistency checks of a mailbox's counters,
 * of what a batch reports and of every mailbox the module lists.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <stdarg.h>
#include <sys/mman.h>
#include "mbt.h"

/* ---- random numbers -------------------------------------------------- */

uint64_t mbt_rnd64(struct mbt_rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t mbt_rnd(struct mbt_rng *r, uint32_t n)
{
	return (uint32_t)(mbt_rnd64(r) % n);
}

bool mbt_chance(struct mbt_rng *r, uint32_t percent)
{
	return mbt_rnd(r, 100) < percent;
}

unsigned long mbt_env_ul(const char *var, unsigned long def)
{
	const char *s = getenv(var);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	return *end ? def : v;
}

unsigned int mbt_seed(const char *var)
{
	return mbt_env_ul(var, (unsigned long)time(NULL) ^ getpid());
}

/* ---- results ----------------------------------------------------------- */

static const int documented[] = {
	EINVAL, EFAULT, ENOTTY, EBADFD, EBADF, EBUSY, EEXIST, ENOENT, EACCES,
	EPERM, EMSGSIZE, EAGAIN, ETIMEDOUT, EIDRM, ENOSPC, ENOBUFS, ENOMEM,
	EINTR, ESRCH, EPIPE,
	/* mapped mailboxes: MAP and MAP_WAIT elsewhere, SEND and RECV there */
	EOPNOTSUPP, EUCLEAN,
};

bool mbt_errno_ok(int e)
{
	size_t i;

	for (i = 0; i < MBT_ARRAY_SIZE(documented); i++)
		if (documented[i] == e)
			return true;
	return false;
}

void mbt_complain(struct mbt_fuzz *f, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&f->log_lock);
	f->bad++;
	if (f->logged++ < MBT_FUZZ_LOGGED) {
		fprintf(stderr, "# seed %u: ", f->seed);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	pthread_mutex_unlock(&f->log_lock);
}

void mbt_check_ret(struct mbt_fuzz *f, const char *what, int tid, int ret)
{
	if (ret < 0 && !mbt_errno_ok(errno))
		mbt_complain(f, "thread %d: %s: undocumented errno %d (%s)",
			     tid, what, errno, strerror(errno));
}

int mbt_fuzz_init(struct mbt_fuzz *f, const char *seed_var, size_t dbuf_size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t total = dbuf_size + 3 * page;
	char *m;
	int i;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->log_lock, NULL);
	for (i = 0; i < MBT_FUZZ_SLOTS; i++)
		f->slot[i] = -1;
	f->seed = mbt_seed(seed_var);
	f->pid = getpid();
	f->page = page;
	snprintf(f->prefix, sizeof(f->prefix), "fz%d-", (int)getpid());
	if (!dbuf_size)
		return 0;
	/* [dbuf: dbuf_size bytes][guard][ro: 0xff][guard2] */
	m = mmap(NULL, total, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	f->dbuf = m;
	f->dbuf_size = dbuf_size;
	f->guard = m + dbuf_size;
	f->ro = f->guard + page;
	f->guard2 = f->ro + page;
	memset(m, 0xff, total);
	if (mprotect(f->guard, page, PROT_NONE) ||
	    mprotect(f->ro, page, PROT_READ) ||
	    mprotect(f->guard2, page, PROT_NONE))
		return -errno;
	return 0;
}

void mbt_fuzz_close_slots(struct mbt_fuzz *f)
{
	int i;

	for (i = 0; i < MBT_FUZZ_SLOTS; i++) {
		if (f->slot[i] >= 0)
			close(f->slot[i]);
		f->slot[i] = -1;
	}
}

/* ---- random argument parts ------------------------------------------- */

uint64_t mbt_rnd_kernel_ptr(struct mbt_rng *r)
{
	static const uint64_t k64[] = {
		0xffff888000000000ULL, 0xffff888000001000ULL,
		0xffffffff81000000ULL, 0xffffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL,
	};

	if (sizeof(void *) == 4)	/* >= compat TASK_SIZE */
		return mbt_chance(r, 50) ? 0xffffe000ULL : 0xfffff000ULL;
	return MBT_PICK(r, k64);
}

uint64_t mbt_rnd_data_ptr(struct mbt_rng *r, const struct mbt_fuzz *f)
{
	switch (mbt_rnd(r, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uintptr_t)f->ro;
	case 3: return (uintptr_t)f->guard - 1 - mbt_rnd(r, 64);
	case 4: return (uintptr_t)f->guard2 - 1 - mbt_rnd(r, 64);
	case 5: return mbt_rnd_kernel_ptr(r);
	case 6: return (uintptr_t)f->guard;
	default: return (uintptr_t)f->dbuf + mbt_rnd(r, 64);
	}
}

void *mbt_rnd_arg(struct mbt_rng *r, const struct mbt_fuzz *f, void *valid,
		  size_t size)
{
	if (mbt_chance(r, 88))
		return valid;
	switch (mbt_rnd(r, 7)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return f->ro;
	case 3: return f->guard - size / 2;
	case 4: return f->guard2 - size / 2;
	case 5: return (void *)(uintptr_t)mbt_rnd_kernel_ptr(r);
	default: return f->guard;
	}
}

uint32_t mbt_rnd_len(struct mbt_rng *r, const struct mbt_fuzz *f,
		     uint32_t msg_max)
{
	const uint32_t d = f->dbuf_size;
	const uint32_t lens[] = {
		0, 1, 2, 8, 255, 256, 257, 4095, 4096, d - 64, d, d + 1,
		1048576, 0x7fffffff, 0x80000000, UINT32_MAX,
	};

	if (mbt_chance(r, 30))
		return mbt_rnd(r, msg_max + 2);
	return MBT_PICK(r, lens);
}

void mbt_rnd_reserved(struct mbt_rng *r, void *p, size_t size)
{
	if (mbt_chance(r, 5))
		((unsigned char *)p)[mbt_rnd(r, size)] = 1u << mbt_rnd(r, 8);
}

uint32_t mbt_rnd_bits(struct mbt_rng *r, uint32_t valid)
{
	switch (mbt_rnd(r, 20)) {
	case 0: return 1u << mbt_rnd(r, 32);
	case 1: return (uint32_t)mbt_rnd64(r);
	case 2: return UINT32_MAX;
	default: return (uint32_t)mbt_rnd64(r) & valid;
	}
}

uint64_t mbt_rnd_deadline(struct mbt_rng *r)
{
	uint64_t now = mbt_now_ns();

	switch (mbt_rnd(r, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return now - 1000000000ULL;
	case 3: return (uint64_t)INT64_MAX + 1;		/* -EINVAL */
	case 4: return UINT64_MAX;			/* -EINVAL */
	case 5: return now + mbt_rnd(r, 1000000);	/* <= 1 ms ahead */
	default: return now;
	}
}

void mbt_rnd_xfer_flags(struct mbt_rng *r, uint32_t valid, __u32 *flags,
			__u64 *deadline)
{
	*flags = mbt_rnd_bits(r, valid);
	*deadline = 0;
	if (mbt_chance(r, 5))
		*deadline = mbt_rnd_deadline(r);	/* without DEADLINE: -EINVAL */
	if (!(*flags & MAILBOX_NONBLOCK)) {
		*flags |= MAILBOX_DEADLINE;
		*deadline = mbt_rnd_deadline(r);
	}
}

/* ---- consistency ------------------------------------------------------- */

const char *mbt_batch_bad(int ret, const struct mailbox_batch *in,
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
	    (b->error >= 0 || !mbt_errno_ok(-b->error)))
		return "error not a documented errno";
	for (k = 0; recv && k < ret; k++)
		if (!(rv[k].flags & MAILBOX_RECV_PEEK) &&
		    rv[k].len > rv[k].size)
			return "an entry received more than its size";
	return NULL;
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

bool mbt_stat_sane(int fd, uint32_t slack, bool idle)
{
	struct mailbox_info i;
	const char *why;

	if (mbt_stat(fd, &i))
		return true;	/* unbound or closed */
	why = counters_bad(i.state == MBT_U32(MAILBOX_STATE_DEAD), i.capacity,
			   i.msg_size_max, i.depth, i.bytes, i.sent, i.received,
			   i.dropped, slack);
	if (!why && i.state > MBT_U32(MAILBOX_STATE_DEAD))
		why = "bad state";
	if (!why && idle && (i.senders_waiting || i.receivers_waiting))
		why = "waiters left with no thread in the kernel";
	/* every send to a rendezvous has returned: none may be queued */
	if (!why && idle && i.capacity == 0 && i.depth)
		why = "a rendezvous holds a message nobody is sending";
	if (!why)
		return true;
	fprintf(stderr, "# STAT of fd %d (%.64s): %s: state %u cap %u msgmax %u depth %u bytes %llu sent %llu received %llu dropped %llu swait %u rwait %u\n",
		fd, i.name, why, i.state, i.capacity, i.msg_size_max, i.depth,
		(unsigned long long)i.bytes, (unsigned long long)i.sent,
		(unsigned long long)i.received,
		(unsigned long long)i.dropped, i.senders_waiting,
		i.receivers_waiting);
	return false;
}

/* A direct mailbox's name: pid/N. */
static bool direct_name(const char *name)
{
	return !strncmp(name, "pid/", 4) && name[4] &&
	       strspn(name + 4, "0123456789") == strlen(name + 4);
}

/* What a listed mailbox must satisfy, besides parsing; NULL if it does. */
static const char *state_bad(const struct mbt_state *st, uint32_t slack)
{
	uint32_t i;

	if (!st->name[0] || st->mode > 0777)
		return "empty name or mode beyond 0777";
	if (st->owner == MBT_OWNER_DIRECT ? !direct_name(st->name) :
					    !!strchr(st->name, '/'))
		return "a direct mailbox not named pid/N, or a '/' in a name";
	/* the sleeping receivers' priorities, one per sleeping receiver */
	for (i = 0; i < st->nwaiters; i++)
		if (st->waiter_prio[i] > MAILBOX_PRIO_MAX)
			return "a waiter's priority beyond MAILBOX_PRIO_MAX";
	/* per subscriber, at most the capacity (and slack for the racy) */
	if (st->nsubs && st->delivery != MBT_U32(MAILBOX_DELIVER_BROADCAST))
		return "backlogs of a mailbox that is no broadcast one";
	for (i = 0; i < st->nsubs; i++)
		if (st->backlog[i] > st->capacity + MBT_FUZZ_THREADS)
			return "a backlog beyond capacity + slack";
	return counters_bad(st->state == MBT_U32(MAILBOX_STATE_DEAD),
			    st->capacity, st->msg_size_max, st->depth,
			    st->bytes, st->sent, st->received, st->dropped,
			    slack);
}

struct scan {
	uint32_t slack;
	const char *prefix;
	int bad;
	int n;
	char (*names)[MAILBOX_NAME_LEN];
	int max;
};

static int scan_one(const struct mbt_state *st, void *ctx)
{
	struct scan *s = ctx;
	const char *why = state_bad(st, s->slack);

	if (why) {
		fprintf(stderr, "# listed: %s: %s depth %u sent %llu received %llu\n",
			why, st->name, st->depth,
			(unsigned long long)st->sent,
			(unsigned long long)st->received);
		s->bad++;
	}
	if (s->prefix && !strncmp(st->name, s->prefix, strlen(s->prefix)) &&
	    s->n < s->max)
		snprintf(s->names[s->n++], MAILBOX_NAME_LEN, "%s", st->name);
	return 0;
}

/* Both lists: MAILBOX_IOC_LIST's, and /proc/mailboxes' with waiters. */
int mbt_states_sane(uint32_t slack)
{
	struct scan s = { .slack = slack };
	int ret = mbt_state_each(scan_one, &s);

	if (ret >= 0)
		ret = mbt_proc_each(scan_one, &s);
	return ret < 0 ? ret : s.bad;
}

int mbt_unlink_prefix(const char *prefix, uint32_t slack)
{
	static char names[MBT_FUZZ_NAMES][MAILBOX_NAME_LEN];
	struct scan s = { .slack = slack, .prefix = prefix, .names = names,
			  .max = MBT_FUZZ_NAMES };
	int i, bad;

	bad = mbt_state_each(scan_one, &s) < 0;
	for (i = 0; i < s.n; i++)
		mbt_unlink(names[i]);
	s.n = 0;
	bad += mbt_state_each(scan_one, &s) < 0;
	for (i = 0; i < s.n; i++)
		fprintf(stderr, "# still listed: %s\n", names[i]);
	return bad + s.bad + s.n;
}
