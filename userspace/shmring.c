// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shmring - the notes' bounded buffer in System V shared memory, for real
 * CPUs. See shmring.h for the interface.
 *
 * Segment layout: one header page, then the data area.
 *
 *   line 0  geometry, written once by the creator (magic published last)
 *   line 1  control: the two pids and closed flags (written rarely)
 *   line 2  in:  written by the producer only
 *   line 3  out: written by the consumer only
 *   line 4  the consumer's futex wait word (it sleeps there when empty)
 *   line 5  the producer's futex wait word (it sleeps there when full)
 *
 * Each cache line is written by (mostly) one side, so the two do not make
 * each other's lines bounce except to pass an index. Each side keeps its
 * own index in its handle and a cached copy of the other side's; it reads
 * the shared copy of the other index only when the cached one says the
 * ring is full (producer) or empty (consumer), which with a fast peer
 * happens once per batch rather than once per message.
 *
 * Memory ordering: the slot or record is written with plain stores and
 * then published by a store-release of `in`; the consumer's load-acquire
 * of `in` makes those bytes visible before it reads them. Symmetrically
 * the consumer publishes `out` with a store-release after it has copied
 * the message out, and the producer's load-acquire of `out` orders that
 * before it overwrites the space.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include "shmring.h"

#define SHMRING_MAGIC		0x474e5253U	/* "SRNG" */
#define SHMRING_VERSION		1U
#define HDR_SIZE		4096U
#define LINE			64
#define REC_HDR			8U		/* struct record size */
#define REC_WRAP		0xffffffffU	/* record length: go to 0 */
#define CHECK_NS		100000000LL	/* peer liveness: every 100 ms */
#define SPIN_BEFORE_SLEEP	1000		/* SHMRING_FUTEX: polls before sleeping */
#define SPIN_CHECK		256		/* polls between sched_yield() + clock */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "lock-free 32-bit atomics needed");

struct waitq {
	_Atomic uint32_t seq;		/* the futex word: bumped per wake */
	_Atomic uint32_t sleeping;	/* set by the waiter before it sleeps */
};

struct shared {
	alignas(LINE) _Atomic uint32_t magic;
	uint32_t version, type, slot_size, size, stride, data_off, data_len;

	/* (alignas would apply to each declarator of a list: one each) */
	alignas(LINE) _Atomic int32_t prod_pid;
	_Atomic int32_t cons_pid;
	_Atomic uint32_t prod_closed, cons_closed;

	alignas(LINE) _Atomic uint32_t in;
	alignas(LINE) _Atomic uint32_t out;
	alignas(LINE) struct waitq cons_wait;
	alignas(LINE) struct waitq prod_wait;
};
_Static_assert(sizeof(struct shared) <= HDR_SIZE, "header exceeds a page");
/* The same layout for 32- and 64-bit processes sharing one ring. */
_Static_assert(offsetof(struct shared, prod_pid) == 1 * LINE &&
	       offsetof(struct shared, in) == 2 * LINE &&
	       offsetof(struct shared, out) == 3 * LINE &&
	       offsetof(struct shared, cons_wait) == 4 * LINE &&
	       offsetof(struct shared, prod_wait) == 5 * LINE &&
	       sizeof(struct shared) == 6 * LINE, "header layout");

struct record {
	uint32_t len;			/* payload bytes, or REC_WRAP */
	uint32_t pad;
};

/*
 * The largest record of a byte ring of @size bytes. A record takes
 * need = 8 + len rounded up to 8 bytes and is never split; from an empty
 * ring with in == out == p it goes at p if p + need <= size, else (wrap
 * marker) at 0 if need + 8 <= p. Some multiple of 8 p lies strictly
 * between size - need and need + 8, where neither holds, unless
 * need <= size / 2 rounded down to 8: hence that bound, less the header.
 * (size / 2 - 8 itself, for a size of 8 mod 16, gives need = size / 2 + 4,
 * and a producer at p = size / 2 + 4 would wait for ever.)
 */
static uint32_t rec_max(uint32_t size)
{
	return (size / 2 & ~7U) - REC_HDR;
}

struct shmring {
	struct shared *sh;
	unsigned char *data;
	int shmid;
	int producer;			/* role: 1 producer, 0 consumer */
	int futex;			/* strategy: 1 SHMRING_FUTEX */
	int closed;
	uint32_t type, slot_size, size, stride;
	uint32_t pos;			/* own index: in or out */
	uint32_t peer;			/* cached copy of the other index */
	int64_t next_check;		/* next peer liveness check, ns */
};

static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long futex(_Atomic uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *rel)
{
	/* Not FUTEX_*_PRIVATE: the word is shared between processes. */
#ifdef SYS_futex_time64
	/* A 32-bit build with a 64-bit time_t (-D_TIME_BITS=64): the old
	 * futex call would read our timespec as two 32-bit fields. */
	if (sizeof(rel->tv_sec) > sizeof(long))
		return syscall(SYS_futex_time64, (uint32_t *)uaddr, op, val,
			       rel, NULL, 0);
#endif
	return syscall(SYS_futex, (uint32_t *)uaddr, op, val, rel, NULL, 0);
}

/*
 * wake() - the waker's half of the sleep protocol
 *
 * Called after the caller has published its index (or its closed flag).
 * The full barrier orders that store before the load of the peer's
 * `sleeping` flag, and the sleeper does the mirror image: store `sleeping`,
 * full barrier, load the index (see wait_ready()). This is Dekker's
 * pattern: with both barriers, at least one side sees the other's store.
 * Without them (release/acquire alone do not order a store before a later
 * load; x86's store buffer does reorder exactly that) this interleaving
 * loses the wake-up:
 *
 *   sleeper: loads `in`, sees the ring empty (the new `in` still sits in
 *            the producer's store buffer)
 *   waker:   stores `in`; loads `sleeping` == 0, so does not wake
 *   sleeper: stores `sleeping` = 1, FUTEX_WAIT -> sleeps, with a message
 *            in the ring and nobody left to wake it
 *
 * (it would only notice at its 100 ms liveness timeout). The futex value
 * check closes the remaining window: the sleeper waits on the `seq` value
 * it read before setting `sleeping`, and the waker bumps `seq` before
 * FUTEX_WAKE, so a wake between the sleeper's re-check and its FUTEX_WAIT
 * makes FUTEX_WAIT return at once instead of sleeping.
 *
 * The waker clears `sleeping` (exchange) so that only the first publish
 * after a sleeper went to bed pays for a syscall.
 */
static void wake(struct waitq *w)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&w->sleeping, memory_order_relaxed) &&
	    atomic_exchange_explicit(&w->sleeping, 0, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&w->seq, 1, memory_order_release);
		futex(&w->seq, FUTEX_WAKE, 1, NULL);
	}
}

/*
 * Is the process @pid gone (no such process, or a zombie)?
 *
 * Only system calls and string functions here (no stdio, no malloc), so
 * that the send and receive paths stay usable where only async-signal-safe
 * functions are allowed, e.g. in the child of a multi-threaded fork().
 */
static int pid_gone(pid_t pid)
{
	char path[32] = "/proc/", digits[12], buf[512], *p;
	size_t i = 0, len = strlen(path);
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;		/* not attached yet */
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	/* A dead child not yet reaped is still there for kill(). */
	for (unsigned int v = (unsigned int)pid; v; v /= 10)
		digits[i++] = (char)('0' + v % 10);
	while (i)
		path[len++] = digits[--i];
	memcpy(path + len, "/stat", sizeof("/stat"));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && access("/proc/self", F_OK) == 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/* Rate-limited (every CHECK_NS) check that the other side still lives. */
static int peer_gone(struct shmring *r, int64_t now)
{
	_Atomic int32_t *pid = r->producer ? &r->sh->cons_pid : &r->sh->prod_pid;

	if (now < r->next_check)
		return 0;
	r->next_check = now + CHECK_NS;
	return pid_gone(atomic_load_explicit(pid, memory_order_relaxed));
}

/*
 * Readiness tests: 1 = go ahead, 0 = must wait, -EPIPE = never.
 * Each first tries the cached copy of the other side's index and reloads
 * the shared one (load-acquire, pairing with the peer's store-release)
 * only when the cached one says no.
 */
static int send_fits(const struct shmring *r, uint32_t need)
{
	uint32_t in = r->pos, out = r->peer, free;

	if (r->type == SHMRING_SLOTS)		/* the notes' test */
		return (in + 1 == r->size ? 0 : in + 1) != out;
	/* bytes from in up to out, keeping one 8-byte unit empty */
	free = (out > in ? out - in : r->size - in + out) - REC_HDR;
	if (in + need <= r->size)		/* fits before the end */
		return need <= free;
	return r->size - in + need <= free;	/* wrap marker + record at 0 */
}

static int send_ready(struct shmring *r, uint32_t need)
{
	if (send_fits(r, need))
		return 1;
	r->peer = atomic_load_explicit(&r->sh->out, memory_order_acquire);
	return send_fits(r, need);
}

static int recv_ready(struct shmring *r)
{
	if (r->pos != r->peer)
		return 1;
	r->peer = atomic_load_explicit(&r->sh->in, memory_order_acquire);
	if (r->pos != r->peer)
		return 1;
	/*
	 * Empty. If the producer has closed, its last publish of `in` came
	 * before its store-release of the flag: after this load-acquire one
	 * more load of `in` sees everything it ever sent.
	 */
	if (!atomic_load_explicit(&r->sh->prod_closed, memory_order_acquire))
		return 0;
	r->peer = atomic_load_explicit(&r->sh->in, memory_order_acquire);
	return r->pos != r->peer ? 1 : -EPIPE;
}

static int ready(struct shmring *r, uint32_t need)
{
	if (r->producer) {
		/* The consumer's close flag sits on a rarely written line. */
		if (atomic_load_explicit(&r->sh->cons_closed,
					 memory_order_acquire))
			return -EPIPE;
		return send_ready(r, need);
	}
	return recv_ready(r);
}

/*
 * The peer died: a consumer still drains what was published (the dead
 * producer's last store of `in` is final; a record it was writing when it
 * died was never published), a producer gives up.
 */
static int peer_died(struct shmring *r)
{
	if (!r->producer && recv_ready(r) > 0)
		return 0;
	return -EPIPE;
}

/*
 * wait_ready() - wait until ready(): the slow path of every call
 * @nonblock: do not wait (only the rate-limited liveness check).
 * @deadline: absolute CLOCK_MONOTONIC ns, or -1 for none.
 *
 * Returns 0 when the call can proceed, or -EAGAIN/-ETIMEDOUT/-EPIPE.
 */
static int wait_ready(struct shmring *r, uint32_t need, int nonblock,
		      int64_t deadline)
{
	struct waitq *w = r->producer ? &r->sh->prod_wait : &r->sh->cons_wait;
	unsigned long spins = 0;
	int64_t now;
	int ret;

	for (;;) {
		ret = ready(r, need);
		if (ret)
			return ret < 0 ? ret : 0;
		if (nonblock) {
			if (peer_gone(r, now_ns()))
				return peer_died(r);
			return -EAGAIN;
		}
		if (!r->futex || spins < SPIN_BEFORE_SLEEP) {
			cpu_relax();
			if (++spins % SPIN_CHECK)
				continue;
			/* Give a peer sharing this CPU a chance to run. */
			sched_yield();
			now = now_ns();
		} else {
			/*
			 * The sleeper's half (see wake()): read the futex word,
			 * announce that we sleep, full barrier, look again,
			 * then sleep only if the word is unchanged. Sleep at
			 * most until the next liveness check or the deadline.
			 */
			uint32_t seq = atomic_load_explicit(&w->seq,
							    memory_order_acquire);
			struct timespec rel;
			int64_t t;

			atomic_store_explicit(&w->sleeping, 1,
					      memory_order_relaxed);
			atomic_thread_fence(memory_order_seq_cst);
			ret = ready(r, need);
			if (ret) {
				atomic_store_explicit(&w->sleeping, 0,
						      memory_order_relaxed);
				return ret < 0 ? ret : 0;
			}
			now = now_ns();
			t = CHECK_NS;
			if (deadline >= 0 && deadline - now < t)
				t = deadline - now;
			if (t > 0) {
				rel.tv_sec = (time_t)(t / 1000000000LL);
				rel.tv_nsec = (long)(t % 1000000000LL);
				/* EAGAIN (seq moved), EINTR, ETIMEDOUT: all
				 * mean "look again". */
				futex(&w->seq, FUTEX_WAIT, seq, &rel);
			}
			atomic_store_explicit(&w->sleeping, 0,
					      memory_order_relaxed);
			now = now_ns();
		}
		if (deadline >= 0 && now >= deadline) {
			ret = ready(r, need);
			return ret ? (ret < 0 ? ret : 0) : -ETIMEDOUT;
		}
		if (peer_gone(r, now))
			return peer_died(r);
	}
}

/* An absolute deadline in ns; -1 for none, -2 for an invalid one. A
 * negative tv_sec is simply in the past. */
static int64_t deadline_ns(const struct timespec *ts)
{
	int64_t sec;

	if (!ts)
		return -1;
	sec = ts->tv_sec;
	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -2;
	if (sec < 0)
		return 0;
	if (sec >= INT64_MAX / 1000000000LL - 1)
		return -1;		/* centuries away: no limit */
	return sec * 1000000000LL + ts->tv_nsec;
}

static int do_send(struct shmring *r, const void *buf, size_t len,
		   int nonblock, const struct timespec *abs_deadline)
{
	int64_t deadline = deadline_ns(abs_deadline);
	uint32_t need = 0;
	unsigned char *p;
	int ret;

	if (!r || (!buf && len) || deadline == -2)
		return -EINVAL;
	if (!r->producer || r->closed)
		return -EBADF;
	if (r->type == SHMRING_SLOTS) {
		if (len != r->slot_size)
			return -EINVAL;
	} else {
		if (len > rec_max(r->size))
			return -EMSGSIZE;
		need = REC_HDR + (((uint32_t)len + 7U) & ~7U);
	}

	ret = wait_ready(r, need, nonblock, deadline);
	if (ret)
		return ret;

	if (r->type == SHMRING_SLOTS) {
		memcpy(r->data + (size_t)r->pos * r->stride, buf, len);
		r->pos = r->pos + 1 == r->size ? 0 : r->pos + 1;
	} else {
		struct record rec = { .len = (uint32_t)len };

		if (r->pos + need > r->size) {
			/* Never split: mark the rest unused, go to 0. */
			struct record wrap = { .len = REC_WRAP };

			memcpy(r->data + r->pos, &wrap, sizeof(wrap));
			r->pos = 0;
		}
		p = r->data + r->pos;
		memcpy(p, &rec, sizeof(rec));
		if (len)
			memcpy(p + REC_HDR, buf, len);
		r->pos += need;
		if (r->pos == r->size)
			r->pos = 0;
	}
	/* Publish: orders the message bytes before the new index. */
	atomic_store_explicit(&r->sh->in, r->pos, memory_order_release);
	wake(&r->sh->cons_wait);
	return 0;
}

static ssize_t do_recv(struct shmring *r, void *buf, size_t size,
		       int nonblock, const struct timespec *abs_deadline)
{
	int64_t deadline = deadline_ns(abs_deadline);
	struct record rec;
	uint32_t pos, need;
	int ret;

	if (!r || (!buf && size) || deadline == -2)
		return -EINVAL;
	if (r->producer || r->closed)
		return -EBADF;
	if (r->type == SHMRING_SLOTS && size < r->slot_size)
		return -EMSGSIZE;

	ret = wait_ready(r, 0, nonblock, deadline);
	if (ret)
		return ret;

	/* The load-acquire of `in` in recv_ready() made these bytes visible. */
	if (r->type == SHMRING_SLOTS) {
		memcpy(buf, r->data + (size_t)r->pos * r->stride, r->slot_size);
		r->pos = r->pos + 1 == r->size ? 0 : r->pos + 1;
		ret = (int)r->slot_size;
	} else {
		pos = r->pos;
		memcpy(&rec, r->data + pos, sizeof(rec));
		if (rec.len == REC_WRAP) {
			pos = 0;
			memcpy(&rec, r->data, sizeof(rec));
		}
		/* Do not trust shared memory with our bounds. */
		need = REC_HDR + ((rec.len + 7U) & ~7U);
		if (rec.len > rec_max(r->size) || pos + need > r->size)
			return -EIO;
		if (rec.len > size)
			return -EMSGSIZE;
		if (rec.len)
			memcpy(buf, r->data + pos + REC_HDR, rec.len);
		pos += need;
		r->pos = pos == r->size ? 0 : pos;
		ret = (int)rec.len;
	}
	/* Publish: orders our reads of the message before the space is
	 * handed back to the producer. */
	atomic_store_explicit(&r->sh->out, r->pos, memory_order_release);
	wake(&r->sh->prod_wait);
	return ret;
}

int shmring_send(struct shmring *ring, const void *buf, size_t len)
{
	return do_send(ring, buf, len, 0, NULL);
}

int shmring_trysend(struct shmring *ring, const void *buf, size_t len)
{
	return do_send(ring, buf, len, 1, NULL);
}

int shmring_timedsend(struct shmring *ring, const void *buf, size_t len,
		      const struct timespec *abs_deadline)
{
	return do_send(ring, buf, len, 0, abs_deadline);
}

ssize_t shmring_recv(struct shmring *ring, void *buf, size_t size)
{
	return do_recv(ring, buf, size, 0, NULL);
}

ssize_t shmring_tryrecv(struct shmring *ring, void *buf, size_t size)
{
	return do_recv(ring, buf, size, 1, NULL);
}

ssize_t shmring_timedrecv(struct shmring *ring, void *buf, size_t size,
			  const struct timespec *abs_deadline)
{
	return do_recv(ring, buf, size, 0, abs_deadline);
}

long shmring_msg_max(const struct shmring *ring)
{
	if (!ring)
		return -EINVAL;
	if (ring->type == SHMRING_SLOTS)
		return ring->slot_size;
	return rec_max(ring->size);
}

int shmring_key(const char *path, int id, key_t *key)
{
	key_t k;

	if (!path || !key || !(id & 0xff))
		return -EINVAL;
	k = ftok(path, id);
	if (k == (key_t)-1)
		return -errno;
	*key = k;
	return 0;
}

static int check_flags(unsigned int flags)
{
	unsigned int role = flags & (SHMRING_PRODUCER | SHMRING_CONSUMER);
	unsigned int wait = flags & (SHMRING_SPIN | SHMRING_FUTEX);

	if (flags & ~(SHMRING_PRODUCER | SHMRING_CONSUMER | SHMRING_SPIN |
		      SHMRING_FUTEX))
		return -EINVAL;
	if (role != SHMRING_PRODUCER && role != SHMRING_CONSUMER)
		return -EINVAL;
	if (wait != SHMRING_SPIN && wait != SHMRING_FUTEX)
		return -EINVAL;
	return 0;
}

/* Validate a geometry; return the data area's length, or 0 if bad. */
static uint32_t data_len(uint32_t type, uint32_t slot_size, uint32_t size,
			 uint32_t *stride)
{
	uint64_t len;

	if (type == SHMRING_SLOTS) {
		if (!slot_size || slot_size > SHMRING_DATA_MAX || size < 2)
			return 0;
		*stride = (slot_size + 7U) & ~7U;
		len = (uint64_t)*stride * size;
	} else if (type == SHMRING_RECORDS) {
		if (slot_size || size < 64 || size % 8)
			return 0;
		*stride = 0;
		len = size;
	} else {
		return 0;
	}
	return len <= SHMRING_DATA_MAX ? (uint32_t)len : 0;
}

/* Take a role, fill the handle. Consumes the attachment on failure. */
static int setup(struct shmring **ringp, struct shared *sh, int shmid,
		 unsigned int flags)
{
	int producer = !!(flags & SHMRING_PRODUCER);
	_Atomic int32_t *pid = producer ? &sh->prod_pid : &sh->cons_pid;
	struct shmring *r;
	int32_t zero = 0;

	r = calloc(1, sizeof(*r));
	if (!r) {
		shmdt(sh);
		return -ENOMEM;
	}
	if (!atomic_compare_exchange_strong(pid, &zero, (int32_t)getpid())) {
		free(r);
		shmdt(sh);
		return -EBUSY;
	}
	r->sh = sh;
	r->data = (unsigned char *)sh + sh->data_off;
	r->shmid = shmid;
	r->producer = producer;
	r->futex = !!(flags & SHMRING_FUTEX);
	r->type = sh->type;
	r->slot_size = sh->slot_size;
	r->size = sh->size;
	r->stride = sh->stride;
	r->pos = atomic_load_explicit(producer ? &sh->in : &sh->out,
				      memory_order_relaxed);
	r->peer = atomic_load_explicit(producer ? &sh->out : &sh->in,
				       memory_order_acquire);
	*ringp = r;
	return 0;
}

int shmring_create(struct shmring **ringp, key_t key,
		   const struct shmring_geom *geom, unsigned int flags)
{
	uint32_t stride, len;
	struct shared *sh;
	int shmid, err;

	if (!ringp || !geom || check_flags(flags) || geom->perm & ~0777U)
		return -EINVAL;
	len = data_len(geom->type, geom->slot_size, geom->size, &stride);
	if (!len)
		return -EINVAL;

	shmid = shmget(key, (size_t)HDR_SIZE + len,
		       IPC_CREAT | IPC_EXCL | (geom->perm ? geom->perm : 0600));
	if (shmid < 0)
		return -errno;
	sh = shmat(shmid, NULL, 0);
	if (sh == (void *)-1) {
		err = -errno;
		shmctl(shmid, IPC_RMID, NULL);
		return err;
	}
	/* The kernel zero-filled the segment: indices and flags are 0. */
	sh->version = SHMRING_VERSION;
	sh->type = geom->type;
	sh->slot_size = geom->slot_size;
	sh->size = geom->size;
	sh->stride = stride;
	sh->data_off = HDR_SIZE;
	sh->data_len = len;

	/*
	 * Take our role before publishing: if that fails nobody has attached
	 * (they got -EAGAIN), so nobody is left waiting for a creator that
	 * never recorded its pid.
	 */
	err = setup(ringp, sh, shmid, flags);
	if (err) {
		shmctl(shmid, IPC_RMID, NULL);
		return err;
	}
	/* Last: an attacher's load-acquire of magic sees all of the above. */
	atomic_store_explicit(&sh->magic, SHMRING_MAGIC, memory_order_release);
	return 0;
}

int shmring_attach(struct shmring **ringp, key_t key, unsigned int flags)
{
	struct shmid_ds ds;
	struct shared *sh;
	uint32_t stride, len, magic, in, out;
	int shmid, err;

	if (!ringp || key == IPC_PRIVATE || check_flags(flags))
		return -EINVAL;
	shmid = shmget(key, 0, 0);
	if (shmid < 0)
		return -errno;
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return -errno;
	if (ds.shm_segsz < HDR_SIZE)
		return -EINVAL;
	sh = shmat(shmid, NULL, 0);
	if (sh == (void *)-1)
		return -errno;

	magic = atomic_load_explicit(&sh->magic, memory_order_acquire);
	err = magic ? -EINVAL : -EAGAIN;
	if (magic != SHMRING_MAGIC || sh->version != SHMRING_VERSION ||
	    sh->data_off != HDR_SIZE)
		goto fail;
	len = data_len(sh->type, sh->slot_size, sh->size, &stride);
	err = -EINVAL;
	if (!len || len != sh->data_len || stride != sh->stride ||
	    (uint64_t)HDR_SIZE + len > ds.shm_segsz)
		goto fail;
	/* Indices out of range would make us write outside the segment. */
	in = atomic_load_explicit(&sh->in, memory_order_relaxed);
	out = atomic_load_explicit(&sh->out, memory_order_relaxed);
	if (in >= sh->size || out >= sh->size ||
	    (sh->type == SHMRING_RECORDS && (in | out) % 8))
		goto fail;
	return setup(ringp, sh, shmid, flags);
fail:
	shmdt(sh);
	return err;
}

int shmring_close(struct shmring *ring)
{
	if (!ring)
		return -EINVAL;
	if (ring->closed)
		return 0;
	ring->closed = 1;
	/* Release: a consumer that sees the flag sees every message. */
	if (ring->producer) {
		atomic_store_explicit(&ring->sh->prod_closed, 1,
				      memory_order_release);
		wake(&ring->sh->cons_wait);
	} else {
		atomic_store_explicit(&ring->sh->cons_closed, 1,
				      memory_order_release);
		wake(&ring->sh->prod_wait);
	}
	return 0;
}

int shmring_detach(struct shmring *ring)
{
	int ret = 0;

	if (!ring)
		return -EINVAL;
	shmring_close(ring);
	if (shmdt(ring->sh) < 0)
		ret = -errno;
	free(ring);
	return ret;
}

int shmring_destroy(struct shmring *ring)
{
	if (!ring)
		return -EINVAL;
	return shmctl(ring->shmid, IPC_RMID, NULL) < 0 ? -errno : 0;
}
