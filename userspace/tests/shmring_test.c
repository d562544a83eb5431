// SPDX-License-Identifier: GPL-2.0
/*
 * shmring_test - tests of the shared-memory ring (run by `make check`).
 *
 * Runs natively: needs System V shared memory, no module, no VM.
 *
 *   - streams between processes (the child attaches by key, as an
 *     unrelated process would): 10,000,000 sequence-numbered 64-byte
 *     messages and 1,000,000 random-length records, with SHMRING_SPIN and
 *     with SHMRING_FUTEX, nothing lost or reordered;
 *   - edges: full and empty rings, timed forms, wrap-around of the byte
 *     ring, message sizes (a maximal record from every position), close;
 *   - a side killed with SIGKILL: the blocked peer returns -EPIPE;
 *   - bad arguments, and segments that are not rings.
 *
 * Usage: shmring_test [COUNT]   (COUNT: messages per fixed-size stream,
 * default 10000000; the record streams move COUNT / 10).
 *
 * Prints one "ok" or "FAIL" line per check; exits 1 if any failed. Every
 * segment it creates is removed, also when a check fails (and on the
 * global timeout).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "shmring.h"

#define TIMEOUT_S	180	/* the whole run; a hang fails, not blocks */

static int failures;
static int segs[64];		/* shmids to remove at exit */
static int nsegs;

static void report(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

/* CHECK(expr, want): expr == want, printing both. */
#define CHECK(expr, want) do {						\
	long _g = (long)(expr), _w = (long)(want);			\
	report(_g == _w, "%s = %ld%s%s (want %ld)", #expr, _g,		\
	       _g < 0 ? " " : "", _g < 0 ? strerror((int)-_g) : "", _w);	\
} while (0)

static void remove_segs(void)
{
	for (int i = 0; i < nsegs; i++)
		shmctl(segs[i], IPC_RMID, NULL);
	nsegs = 0;
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL - timeout: the test hung\n";

	(void)sig;
	remove_segs();
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void track(key_t key)
{
	int id = shmget(key, 0, 0);

	if (id >= 0 && nsegs < (int)(sizeof(segs) / sizeof(segs[0])))
		segs[nsegs++] = id;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec after_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Create a ring under a fresh key (remembered for removal). */
static key_t new_ring(struct shmring **r, unsigned int type,
		      unsigned int slot_size, unsigned int size,
		      unsigned int flags)
{
	static unsigned int n;
	struct shmring_geom g = { type, slot_size, size, 0600 };

	for (int tries = 0; tries < 256; tries++) {
		key_t key = (key_t)(0x53000000 | ((getpid() & 0xffff) << 8) |
				    (n++ & 0xff));
		int ret = shmring_create(r, key, &g, flags);

		if (ret == 0) {
			track(key);
			return key;
		}
		if (ret != -EEXIST) {
			report(0, "shmring_create: %s", strerror(-ret));
			return -1;
		}
	}
	report(0, "shmring_create: no free key");
	return -1;
}

static const char *wname(unsigned int wait)
{
	return wait == SHMRING_SPIN ? "SPIN" : "FUTEX";
}

/* The child of a stream: tell the parent the attach result, then run. */
static struct shmring *child_attach(key_t key, unsigned int flags, int fd)
{
	struct shmring *r = NULL;
	int ret = shmring_attach(&r, key, flags);

	if (write(fd, &ret, sizeof(ret)) != sizeof(ret) || ret)
		_exit(2);
	close(fd);
	return r;
}

/* The parent: wait for the child's attach, then remove the key at once
 * (the segment lives on until both detach): nothing can leak from here. */
static int parent_sync(struct shmring *r, int fd)
{
	int ret = -EIO;

	if (read(fd, &ret, sizeof(ret)) != sizeof(ret))
		ret = -EIO;
	close(fd);
	if (ret)
		report(0, "child attach: %s", strerror(-ret));
	else
		shmring_destroy(r);
	return ret;
}

static pid_t spawn(int p[2])
{
	pid_t pid;

	if (pipe(p)) {
		perror("pipe");
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0)
		close(p[0]);
	else
		close(p[1]);
	return pid;
}

static int child_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* ---- streams ---------------------------------------------------------- */

#define SLOT	64

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* The next message's length: SLOT, or 1..1000 from the seeded sequence
 * (both sides draw the same sequence). */
static uint32_t next_len(int records, uint32_t *seed)
{
	return records ? 1 + xorshift(seed) % 1000 : SLOT;
}

static void fill_msg(uint64_t *m, uint64_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < (len + 7) / 8; i++)
		m[i] = (seq << 16 | len) * 0x9e3779b97f4a7c15ULL + i;
}

/*
 * A child produces @count messages, the parent consumes and checks them:
 * 64-byte messages through a 1024-slot ring, or records of 1..1000 bytes
 * through a 64 KiB byte ring.
 */
static void stream(int records, unsigned int wait, unsigned long count)
{
	const char *what = records ? "records" : "slots";
	uint64_t m[128], want[128];
	unsigned long i, bad = 0;
	uint32_t seed = 12345, len;
	struct shmring *r;
	double t0, t;
	ssize_t n = 0;
	int p[2];
	pid_t pid;
	key_t key;

	key = records ? new_ring(&r, SHMRING_RECORDS, 0, 65536,
				 SHMRING_CONSUMER | wait)
		      : new_ring(&r, SHMRING_SLOTS, SLOT, 1024,
				 SHMRING_CONSUMER | wait);
	if (key == -1)
		return;
	t0 = now_s();
	pid = spawn(p);
	if (pid == 0) {
		struct shmring *w = child_attach(key, SHMRING_PRODUCER | wait,
						 p[1]);

		for (i = 0; i < count; i++) {
			len = next_len(records, &seed);
			fill_msg(m, i, len);
			if (shmring_send(w, m, len))
				_exit(3);
		}
		_exit(shmring_detach(w) ? 4 : 0);
	}
	if (parent_sync(r, p[0]) == 0) {
		for (i = 0; i < count; i++) {
			len = next_len(records, &seed);
			n = shmring_recv(r, m, sizeof(m));
			fill_msg(want, i, len);
			if (n != (ssize_t)len || memcmp(m, want, len)) {
				bad++;
				break;
			}
		}
		t = now_s() - t0;
		report(!bad, "%s %s: %lu messages of %s bytes in order, %.2f s (%.1f M msg/s)%s",
		       what, wname(wait), i, records ? "1..1000" : "64", t,
		       i / t / 1e6, n < 0 ? " (receive failed)" : "");
		CHECK(shmring_recv(r, m, sizeof(m)), -EPIPE);
	}
	report(child_ok(pid), "%s %s: producer process exited 0", what,
	       wname(wait));
	shmring_detach(r);
}

/* ---- edges, in one process --------------------------------------------- */

static void timed(struct shmring *r, int send, const char *what)
{
	char buf[16] = { 0 };
	struct timespec dl = after_ms(50);
	double t0 = now_s(), t;
	long ret;

	ret = send ? shmring_timedsend(r, buf, sizeof(buf), &dl)
		   : shmring_timedrecv(r, buf, sizeof(buf), &dl);
	t = now_s() - t0;
	report(ret == -ETIMEDOUT && t >= 0.049 && t < 0.5,
	       "%s: -ETIMEDOUT after %.1f ms (deadline 50 ms), got %ld",
	       what, t * 1e3, ret);
}

static void edges_slots(unsigned int wait)
{
	struct shmring *p, *c;
	char buf[16], out[16];
	struct timespec past = { 0, 0 };
	key_t key;
	int i, ok;

	key = new_ring(&p, SHMRING_SLOTS, 16, 8, SHMRING_PRODUCER | wait);
	if (key == -1)
		return;
	CHECK(shmring_attach(&c, key, SHMRING_CONSUMER | wait), 0);
	CHECK(shmring_destroy(p), 0);
	CHECK(shmring_tryrecv(c, out, sizeof(out)), -EAGAIN);
	timed(c, 0, "timedrecv on an empty ring");
	ok = 1;
	for (i = 0; i < 7; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ok &= shmring_trysend(p, buf, sizeof(buf)) == 0;
	}
	report(ok, "%s: 7 sends into an 8-slot ring succeed", wname(wait));
	CHECK(shmring_trysend(p, buf, sizeof(buf)), -EAGAIN);
	CHECK(shmring_timedsend(p, buf, sizeof(buf), &past), -ETIMEDOUT);
	timed(p, 1, "timedsend on a full ring");
	ok = 1;
	for (i = 0; i < 7; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ok &= shmring_tryrecv(c, out, sizeof(out)) == 16 &&
		      !memcmp(buf, out, 16);
	}
	report(ok, "%s: the 7 come out in order", wname(wait));
	CHECK(shmring_tryrecv(c, out, sizeof(out)), -EAGAIN);
	/* round and round: the indices wrap many times */
	ok = 1;
	for (i = 0; i < 100; i++) {
		memset(buf, i, sizeof(buf));
		ok &= shmring_send(p, buf, sizeof(buf)) == 0 &&
		      shmring_send(p, buf, sizeof(buf)) == 0 &&
		      shmring_recv(c, out, sizeof(out)) == 16 &&
		      shmring_recv(c, out, sizeof(out)) == 16 &&
		      !memcmp(buf, out, 16);
	}
	report(ok, "%s: 200 messages around an 8-slot ring", wname(wait));
	CHECK(shmring_timedsend(p, buf, sizeof(buf), &past), 0);
	CHECK(shmring_timedrecv(c, out, sizeof(out), &past), 16);
	/* sizes */
	CHECK(shmring_msg_max(p), 16);
	CHECK(shmring_send(p, buf, 15), -EINVAL);
	CHECK(shmring_send(p, buf, 17), -EINVAL);
	CHECK(shmring_recv(c, out, 15), -EMSGSIZE);
	CHECK(shmring_send(c, buf, 16), -EBADF);
	CHECK(shmring_recv(p, out, 16), -EBADF);
	/* close: the consumer drains, then -EPIPE */
	CHECK(shmring_send(p, buf, 16), 0);
	CHECK(shmring_send(p, buf, 16), 0);
	CHECK(shmring_close(p), 0);
	CHECK(shmring_close(p), 0);
	CHECK(shmring_send(p, buf, 16), -EBADF);
	CHECK(shmring_recv(c, out, 16), 16);
	CHECK(shmring_tryrecv(c, out, 16), 16);
	CHECK(shmring_tryrecv(c, out, 16), -EPIPE);
	CHECK(shmring_recv(c, out, 16), -EPIPE);
	shmring_detach(p);
	shmring_detach(c);

	/* the consumer closes: the producer's next send gets -EPIPE */
	key = new_ring(&p, SHMRING_SLOTS, 16, 8, SHMRING_PRODUCER | wait);
	if (key == -1)
		return;
	CHECK(shmring_attach(&c, key, SHMRING_CONSUMER | wait), 0);
	CHECK(shmring_destroy(c), 0);
	CHECK(shmring_send(p, buf, 16), 0);
	CHECK(shmring_detach(c), 0);
	CHECK(shmring_send(p, buf, 16), -EPIPE);
	CHECK(shmring_trysend(p, buf, 16), -EPIPE);
	shmring_detach(p);
}

static void fill(char *b, int len, int v)
{
	for (int i = 0; i < len; i++)
		b[i] = (char)(v + i);
}

static int recv_check(struct shmring *c, int len, int v)
{
	char out[256], want[256];

	fill(want, len, v);
	return shmring_tryrecv(c, out, sizeof(out)) == len &&
	       !memcmp(out, want, (size_t)len);
}

static void edges_records(void)
{
	struct shmring *p, *c;
	char buf[256];
	key_t key;
	int i, ok;

	/* 256-byte ring: records need 8 + len rounded to 8 bytes */
	key = new_ring(&p, SHMRING_RECORDS, 0, 256,
		       SHMRING_PRODUCER | SHMRING_FUTEX);
	if (key == -1)
		return;
	CHECK(shmring_attach(&c, key, SHMRING_CONSUMER | SHMRING_SPIN), 0);
	CHECK(shmring_destroy(p), 0);
	CHECK(shmring_msg_max(c), 120);
	CHECK(shmring_trysend(p, buf, 121), -EMSGSIZE);
	CHECK(shmring_tryrecv(c, buf, sizeof(buf)), -EAGAIN);
	timed(c, 0, "records: timedrecv on an empty ring");

	/* the notes' rule in 8-byte units: 31 empty records fill 256 bytes */
	ok = 1;
	for (i = 0; i < 31; i++)
		ok &= shmring_trysend(p, NULL, 0) == 0;
	report(ok, "records: 31 empty records fit in 256 bytes");
	CHECK(shmring_trysend(p, NULL, 0), -EAGAIN);
	ok = 1;
	for (i = 0; i < 31; i++)
		ok &= shmring_tryrecv(c, NULL, 0) == 0;
	report(ok, "records: and come out");
	CHECK(shmring_tryrecv(c, NULL, 0), -EAGAIN);
	/* now in == out == 248: the next record wraps */
	fill(buf, 120, 1);
	CHECK(shmring_trysend(p, buf, 120), 0);
	report(recv_check(c, 120, 1), "records: a maximal record wraps");
	/* in == out == 128: move to 192, 64 bytes before the end */
	fill(buf, 56, 2);
	CHECK(shmring_trysend(p, buf, 56), 0);
	report(recv_check(c, 56, 2), "records: 56 bytes at 128");

	/* a record of exactly the remaining 64 bytes: ends at the end */
	fill(buf, 56, 3);
	CHECK(shmring_trysend(p, buf, 56), 0);
	report(recv_check(c, 56, 3), "records: a record of exactly the remaining size");
	/* in == out == 0; go back to 192 */
	for (i = 0; i < 2; i++) {
		fill(buf, 88, 4 + i);
		CHECK(shmring_trysend(p, buf, 88), 0);
		report(recv_check(c, 88, 4 + i), "records: 88 bytes");
	}
	/* one byte more than the remaining size: wrap marker, record at 0 */
	fill(buf, 57, 6);
	CHECK(shmring_trysend(p, buf, 57), 0);
	/* in == 72, out == 192: 112 bytes free, less the one kept empty */
	fill(buf, 104, 7);
	CHECK(shmring_trysend(p, buf, 104), 0);
	CHECK(shmring_trysend(p, NULL, 0), -EAGAIN);
	CHECK(shmring_tryrecv(c, buf, 56), -EMSGSIZE);
	report(recv_check(c, 57, 6), "records: a record one byte larger than the remaining size wraps");
	report(recv_check(c, 104, 7), "records: the record filling the ring");
	CHECK(shmring_tryrecv(c, buf, sizeof(buf)), -EAGAIN);
	/* in == out == 184: a maximal record still fits (wraps, in = 128),
	 * then 40 bytes fill the ring up to out - 8 */
	CHECK(shmring_trysend(p, buf, 120), 0);
	CHECK(shmring_trysend(p, buf, 41), -EAGAIN);
	CHECK(shmring_trysend(p, buf, 40), 0);
	CHECK(shmring_trysend(p, NULL, 0), -EAGAIN);
	timed(p, 1, "records: timedsend on a full ring");
	CHECK(shmring_close(p), 0);
	CHECK(shmring_recv(c, buf, sizeof(buf)), 120);
	CHECK(shmring_recv(c, buf, sizeof(buf)), 40);
	CHECK(shmring_recv(c, buf, sizeof(buf)), -EPIPE);
	shmring_detach(p);
	shmring_detach(c);
}

/*
 * A maximal record fits into an empty ring wherever the indices stand:
 * every ring size from 64 to 320 bytes, every start position. (With a
 * size of 8 mod 16, a limit of size / 2 - 8 made a record that fitted
 * nowhere from some positions: the producer would wait for ever.)
 */
static void records_max_anywhere(void)
{
	char buf[160] = { 0 };
	struct shmring *p, *c;
	uint32_t size, at, pos, need, bad = 0, tried = 0;
	long max;
	key_t key;
	int ret;

	for (size = 64; size <= 320; size += 8) {
		key = new_ring(&p, SHMRING_RECORDS, 0, size,
			       SHMRING_PRODUCER | SHMRING_SPIN);
		if (key == -1)
			return;
		ret = shmring_attach(&c, key, SHMRING_CONSUMER | SHMRING_SPIN);
		shmring_destroy(p);
		if (ret) {
			CHECK(ret, 0);
			shmring_detach(p);
			return;
		}
		max = shmring_msg_max(p);
		need = 8 + (((uint32_t)max + 7) & ~7U);
		pos = 0;
		for (at = 0; at < size; at += 8) {
			/* empty records (8 bytes each) move both indices */
			while (pos != at && shmring_trysend(p, NULL, 0) == 0 &&
			       shmring_tryrecv(c, NULL, 0) == 0)
				pos = (pos + 8) % size;
			tried++;
			if (shmring_trysend(p, buf, (size_t)max) ||
			    shmring_tryrecv(c, buf, sizeof(buf)) != max) {
				if (bad++ < 3)
					report(0, "records: size %u, at %u: a record of %ld bytes does not fit into the empty ring",
					       size, at, max);
				break;
			}
			pos = at + need <= size ? (at + need) % size : need;
		}
		shmring_detach(p);
		shmring_detach(c);
	}
	report(!bad, "records: a maximal record fits into an empty ring at all %u positions of sizes 64..320",
	       tried);
}

/* ---- a side killed ---------------------------------------------------- */

/*
 * The victim (a child) as consumer: take 10 messages, then stop reading,
 * so that the producer fills the 64-slot ring and blocks. As producer:
 * send 100 numbered messages with a pause after 50 (the consumer drains
 * and blocks), then stop, so that the consumer blocks again.
 */
static void victim(struct shmring *r, int consumer)
{
	char buf[64] = { 0 };

	for (int i = 0; i < (consumer ? 10 : 100); i++) {
		if (consumer) {
			if (shmring_recv(r, buf, sizeof(buf)) != 64)
				_exit(3);
			continue;
		}
		memcpy(buf, &i, sizeof(i));
		if (shmring_send(r, buf, sizeof(buf)))
			_exit(3);
		if (i == 49)
			usleep(100000);
	}
	usleep(consumer ? 250000 : 150000);
}

/*
 * The survivor: send (as producer) or receive and check the numbering
 * (as consumer) until a call fails; return its result, the count in *n.
 */
static long survivor(struct shmring *r, int producer, int *n)
{
	char buf[64] = { 0 };
	long ret;
	int seq;

	for (*n = 0;; ++*n) {
		if (producer) {
			ret = shmring_send(r, buf, sizeof(buf));
			if (ret)
				return ret;
			continue;
		}
		ret = shmring_recv(r, buf, sizeof(buf));
		memcpy(&seq, buf, sizeof(seq));
		if (ret != 64 || seq != *n)
			return ret;
	}
}

/*
 * SIGKILL one side (the child, @consumer or the producer) while the other
 * one (this process) is blocked: it gets -EPIPE within a second (peer
 * death is checked every 100 ms), a consumer after draining all 100.
 */
static void kill_side(int consumer, unsigned int wait)
{
	const char *who = consumer ? "consumer" : "producer";
	struct shmring *r, *v;
	struct timespec died;
	int p[2], n, status, want = consumer ? 10 + 63 : 100;
	double t;
	long ret;
	pid_t pid;
	key_t key;

	key = new_ring(&r, SHMRING_SLOTS, 64, consumer ? 64 : 1024,
		       (consumer ? SHMRING_PRODUCER : SHMRING_CONSUMER) | wait);
	if (key == -1)
		return;
	pid = spawn(p);
	if (pid == 0) {
		if (shmring_attach(&v, key, (consumer ? SHMRING_CONSUMER :
					     SHMRING_PRODUCER) | wait))
			_exit(2);
		victim(v, consumer);
		clock_gettime(CLOCK_MONOTONIC, &died);
		if (write(p[1], &died, sizeof(died)) != sizeof(died))
			_exit(4);
		kill(getpid(), SIGKILL);
		_exit(5);
	}
	ret = survivor(r, consumer, &n);
	t = now_s();
	/* the key goes only now: the child attached by it */
	shmring_destroy(r);
	if (read(p[0], &died, sizeof(died)) != sizeof(died)) {
		report(0, "kill %s %s: no death time from the child", who,
		       wname(wait));
	} else {
		t -= (double)died.tv_sec + died.tv_nsec / 1e9;
		report(ret == -EPIPE && n == want && t < 1.0,
		       "kill %s %s: the blocked peer got %ld (%s) %.0f ms after the SIGKILL, after %d messages (want %d)",
		       who, wname(wait), ret, strerror((int)-ret), t * 1e3, n,
		       want);
	}
	close(p[0]);
	report(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGKILL,
	       "kill %s %s: the %s died of SIGKILL", who, wname(wait), who);
	shmring_detach(r);
}

/* ---- bad arguments, not a ring --------------------------------------- */

static void bad_args(const char *self)
{
	struct shmring_geom g = { SHMRING_SLOTS, 16, 8, 0 };
	const unsigned int P = SHMRING_PRODUCER | SHMRING_SPIN;
	struct timespec bad = { 0, 1000000000L };
	struct shmring *r, *c, *r2;
	char buf[16] = { 0 };
	key_t key, k2;
	int id;
	void *m;

	CHECK(shmring_create(NULL, IPC_PRIVATE, &g, P), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, NULL, P), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, 0), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, SHMRING_PRODUCER), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, SHMRING_SPIN), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, P | SHMRING_CONSUMER), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, P | SHMRING_FUTEX), -EINVAL);
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, P | 0x100), -EINVAL);
#define GEOM(t, s, n, m) CHECK(shmring_create(&r, IPC_PRIVATE,		\
		&(struct shmring_geom){ t, s, n, m }, P), -EINVAL)
	GEOM(0, 16, 8, 0);
	GEOM(3, 16, 8, 0);
	GEOM(SHMRING_SLOTS, 0, 8, 0);
	GEOM(SHMRING_SLOTS, 16, 1, 0);
	GEOM(SHMRING_SLOTS, 16, 8, 01000);
	GEOM(SHMRING_SLOTS, 1U << 20, 2048, 0);	/* data over 1 GiB */
	GEOM(SHMRING_RECORDS, 8, 4096, 0);
	GEOM(SHMRING_RECORDS, 0, 56, 0);
	GEOM(SHMRING_RECORDS, 0, 4100, 0);
#undef GEOM
	CHECK(shmring_attach(&r, IPC_PRIVATE, P), -EINVAL);
	CHECK(shmring_attach(NULL, 1234, P), -EINVAL);
	CHECK(shmring_close(NULL), -EINVAL);
	CHECK(shmring_detach(NULL), -EINVAL);
	CHECK(shmring_destroy(NULL), -EINVAL);
	CHECK(shmring_msg_max(NULL), -EINVAL);
	CHECK(shmring_send(NULL, buf, 16), -EINVAL);
	CHECK(shmring_trysend(NULL, buf, 16), -EINVAL);
	CHECK(shmring_recv(NULL, buf, 16), -EINVAL);
	CHECK(shmring_tryrecv(NULL, buf, 16), -EINVAL);
	CHECK(shmring_key(NULL, 1, &key), -EINVAL);
	CHECK(shmring_key(self, 0, &key), -EINVAL);
	CHECK(shmring_key(self, 1, NULL), -EINVAL);
	CHECK(shmring_key("/nonexistent/shmring", 1, &key), -ENOENT);

	/* IPC_PRIVATE works for the creator */
	CHECK(shmring_create(&r, IPC_PRIVATE, &g, P), 0);
	CHECK(shmring_destroy(r), 0);
	CHECK(shmring_detach(r), 0);

	/* a key made with ftok(), and the per-handle argument checks */
	key = -1;
	for (int i = 1; i < 256; i++) {
		if (shmring_key(self, i, &key) == 0 &&
		    shmring_create(&r, key, &g, P) == 0)
			break;
		key = -1;
	}
	report(key != -1, "shmring_key + shmring_create with an ftok() key");
	if (key == -1)
		return;
	track(key);
	CHECK(shmring_create(&r2, key, &g, P), -EEXIST);
	CHECK(shmring_attach(&r2, key, P), -EBUSY);
	CHECK(shmring_attach(&c, key, SHMRING_CONSUMER | SHMRING_FUTEX), 0);
	CHECK(shmring_attach(&r2, key, SHMRING_CONSUMER | SHMRING_SPIN), -EBUSY);
	CHECK(shmring_send(r, NULL, 16), -EINVAL);
	CHECK(shmring_recv(c, NULL, 16), -EINVAL);
	CHECK(shmring_timedsend(r, buf, 16, &bad), -EINVAL);
	CHECK(shmring_timedrecv(c, buf, 16, &bad), -EINVAL);
	bad.tv_nsec = -1;
	CHECK(shmring_timedsend(r, buf, 16, &bad), -EINVAL);
	CHECK(shmring_destroy(r), 0);
	CHECK(shmring_attach(&r2, key, SHMRING_CONSUMER | SHMRING_SPIN), -ENOENT);
	shmring_detach(r);
	shmring_detach(c);

	/* segments that are not rings */
	for (k2 = (key_t)(0x5e000000 | ((getpid() & 0xffff) << 8));; k2++) {
		id = shmget(k2, 8192, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0 || errno != EEXIST)
			break;
	}
	if (id < 0) {
		report(0, "shmget: %s", strerror(errno));
		return;
	}
	segs[nsegs++] = id;
	CHECK(shmring_attach(&r, k2, P), -EAGAIN);	/* all zero: not yet made */
	m = shmat(id, NULL, 0);
	if (m != (void *)-1) {
		memset(m, 0xa5, 8192);
		CHECK(shmring_attach(&r, k2, P), -EINVAL);	/* bad magic */
		shmdt(m);
	}
	shmctl(id, IPC_RMID, NULL);
	for (k2++;; k2++) {
		id = shmget(k2, 100, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0 || errno != EEXIST)
			break;
	}
	if (id >= 0) {
		segs[nsegs++] = id;
		CHECK(shmring_attach(&r, k2, P), -EINVAL);	/* too small */
		shmctl(id, IPC_RMID, NULL);
	}
}

int main(int argc, char **argv)
{
	unsigned long count = 10000000;
	const unsigned int waits[2] = { SHMRING_SPIN, SHMRING_FUTEX };

	if (argc > 1)
		count = strtoul(argv[1], NULL, 10);
	signal(SIGALRM, on_alarm);
	alarm(TIMEOUT_S);
	atexit(remove_segs);

	bad_args(argv[0]);
	edges_records();
	records_max_anywhere();
	for (int i = 0; i < 2; i++)
		edges_slots(waits[i]);
	for (int i = 0; i < 2; i++) {
		kill_side(1, waits[i]);
		kill_side(0, waits[i]);
	}
	for (int i = 0; i < 2; i++)
		stream(0, waits[i], count);
	for (int i = 0; i < 2; i++)
		stream(1, waits[i], count / 10);

	remove_segs();
	printf("shmring_test: %s (%d failed)\n", failures ? "FAILED" : "all passed",
	       failures);
	return failures ? 1 : 0;
}
