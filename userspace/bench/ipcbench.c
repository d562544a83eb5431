// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench - kernel mailboxes against the other ways two processes can
 * pass messages, on the same messages.
 *
 * Usage: ipcbench [--quick] [-n MSGS] [-l ROUNDTRIPS] [-r REPS]
 *                 [--sizes 8,64,...] [--transports a,b,...] [--depth D]
 *                 [--timeout SECS] [--csv FILE] [--lines] [--list]
 *
 * Transports (--list):
 *   floor       no IPC: syscall(SYS_getppid), the cheapest real system
 *               call. A "message" costs 2 of them (one send, one receive),
 *               a round trip 4: the floor of any kernel-mediated path.
 *   mailbox     /dev/mailbox through libmailbox, blocking calls
 *   mailbox-nb  the same with mbox_trysend()/mbox_tryreceive() and poll(2)
 *               when they would block
 *   mailbox-batch  the same messages, BATCH (32) per system call:
 *               mbox_send_batch() of 32 messages copied into a batch, and
 *               mbox_receive_batch() of up to 32, each copied out of it
 *               (tput, 1cpu and 2cpu only: a round trip has one message
 *               in flight, and 4to4 consumers would take each other's
 *               stop messages)
 *   shm-spin    shmring (System V shared memory ring, fixed slots),
 *               SHMRING_SPIN
 *   shm-futex   the same, SHMRING_FUTEX
 *   pipe        pipe(2), each message one write(2) / read(2)
 *   unix        socketpair(AF_UNIX, SOCK_SEQPACKET)
 *   posix-mq    mq_open(3)
 *   sysv-msg    msgget(2)
 *
 * Every transport gets a queue of --depth messages (default 256) where it
 * can be set: mailbox capacity, mq_maxmsg, msg_qbytes, the pipe's size,
 * the ring's slots; a UNIX socket's queue is net.unix.max_dgram_qlen
 * (vm/bench.sh raises it) and SO_SNDBUF.
 *
 * Figures, for each message size:
 *   tput  one-way throughput: a producer process sends MSGS messages, a
 *         consumer process receives them; time from the first send to the
 *         last receive (CLOCK_MONOTONIC). Metrics tput_msgs (msg/s) and
 *         tput_mbs (MB/s, 10^6 bytes of payload).
 *   lat   round-trip latency: ping-pong of ROUNDTRIPS messages between two
 *         processes (after a warm-up); every round trip is timed. Metrics
 *         lat_p50, lat_p99, lat_p999 (ns) are the percentiles of one
 *         repetition's samples.
 * Placements: 1cpu (both processes pinned to CPU 0), 2cpu (CPU 0 and 1),
 * 4to4 (tput only: 4 producers and 4 consumers on one queue, unpinned; for
 * the transports with message boundaries and several readers: mailbox,
 * unix, posix-mq, sysv-msg; "n/a" for the others).
 * Each point is repeated REPS times; the CSV gives the median, min and max
 * over the repetitions of each metric.
 *
 * Every message carries a sequence number and a producer id, which the
 * receiver checks (nothing lost, duplicated or reordered per producer).
 * With --quick (1000 messages, 100 round trips, 1 repetition, sizes 64 and
 * 4096) the payload also varies with the sequence number and every byte is
 * checked against a checksum in the header. The exit status is 0 only if
 * every run completed and every check passed; speeds are not judged.
 *
 * CSV (stdout, or --csv FILE): transport,size,placement,metric,median,min,
 * max,reps,unit. Progress goes to stderr: one line rewritten in place on a
 * terminal, else (or with --lines) one line per point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mailbox.h"
#include "shmring.h"

#define MAXPROC		8	/* 4to4: 4 producers + 4 consumers */
#define NMULTI		4
#define HDR		8	/* struct hdr */
#define SEQ_STOP	0xffffffffU
#define WARMUP		100

enum kind {
	T_FLOOR, T_MBOX, T_MBOX_NB, T_MBOX_BATCH, T_SHM_SPIN, T_SHM_FUTEX, T_PIPE, T_UNIX,
	T_MQ, T_SYSV, T_COUNT
};

static const struct transport {
	const char *name;
	bool multi;		/* 4to4 meaningful */
	bool no_lat;		/* round trips not meaningful */
} transports[T_COUNT] = {
	[T_FLOOR]	= { "floor", false, false },
	[T_MBOX]	= { "mailbox", true, false },
	[T_MBOX_NB]	= { "mailbox-nb", false, false },
	[T_MBOX_BATCH]	= { "mailbox-batch", false, true },
	[T_SHM_SPIN]	= { "shm-spin", false, false },
	[T_SHM_FUTEX]	= { "shm-futex", false, false },
	[T_PIPE]	= { "pipe", false, false },
	[T_UNIX]	= { "unix", true, false },
	[T_MQ]		= { "posix-mq", true, false },
	[T_SYSV]	= { "sysv-msg", true, false },
};

#define BATCH		32	/* mailbox-batch: messages per system call */

enum place { P_1CPU, P_2CPU, P_4TO4 };
static const char *const place_names[] = { "1cpu", "2cpu", "4to4" };

/* options */
static unsigned long opt_msgs = 50000, opt_rtt = 5000, opt_reps = 5;
static unsigned int opt_depth = 256, opt_timeout = 120;
static bool opt_quick;
static unsigned int sizes[16] = { 8, 64, 512, 4096 };
static unsigned int nsizes = 4;
static bool tsel[T_COUNT];
static FILE *csv;
static int ncpus;

/* what the children tell the parent */
struct shared {
	uint64_t t_first[MAXPROC];	/* producer: before its first send */
	uint64_t t_last[MAXPROC];	/* consumer: after its last receive */
	uint64_t got[MAXPROC][MAXPROC];	/* consumer x producer: messages */
	uint64_t lat[];			/* pinger: round trip times, ns */
};
static struct shared *sh;
/* --quick: one bit per (producer, message) seen, to catch duplicates */
static _Atomic unsigned char *seen;
static size_t seen_bytes;

/* a one-way channel; both ends are opened in each child as needed */
struct chan {
	enum kind kind;
	unsigned int size;
	char name[64];		/* mailbox, posix-mq */
	int fds[2];		/* pipe, unix: [0] receive end, [1] send end */
	int msqid;		/* sysv-msg */
	key_t key;		/* shm */
	int fd;			/* mailbox: this process's descriptor */
	mqd_t mq;
	struct shmring *ring;
	/* mailbox-batch: BATCH messages of size bytes, at vec[i].buf */
	unsigned char *batch;
	struct mbox_vec vec[BATCH];
	unsigned int nvec;	/* send: queued; receive: received */
	unsigned int next;	/* receive: the next to hand out */
	bool sender;		/* this process opened the send end */
};

enum role { SEND, RECV };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ipcbench[%d]: ", (int)getpid());
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
}

/* ---- messages -------------------------------------------------------- */

struct hdr {
	uint32_t seq;
	uint32_t tag;		/* producer id << 24 | checksum (24 bits) */
};

static uint32_t checksum(uint32_t seq, unsigned int prod, const unsigned char *p,
			 unsigned int len)
{
	uint32_t h = 2166136261U ^ seq ^ (prod << 24);

	for (unsigned int i = HDR; i < len; i++)
		h = (h ^ p[i]) * 16777619U;
	h ^= h >> 24;
	return h & 0xffffff;
}

/*
 * Fill the message: the header always; in quick mode a payload that
 * depends on the sequence number too (otherwise the payload was filled
 * once, and only the header changes).
 */
static void make_msg(unsigned char *buf, unsigned int len, uint32_t seq,
		     unsigned int prod)
{
	struct hdr h = { .seq = seq };

	if (opt_quick)
		for (unsigned int i = HDR; i < len; i++)
			buf[i] = (unsigned char)(seq * 131 + i * 7 + prod);
	h.tag = prod << 24 | (opt_quick ? checksum(seq, prod, buf, len) : 0);
	memcpy(buf, &h, sizeof(h));
}

/* Check a received message; returns its producer id. */
static unsigned int check_msg(const unsigned char *buf, long len,
			      unsigned int size, const char *what)
{
	struct hdr h;
	unsigned int prod;

	if (len != (long)size)
		die("%s: message of %ld bytes, expected %u", what, len, size);
	memcpy(&h, buf, sizeof(h));
	prod = h.tag >> 24;
	if (prod >= MAXPROC)
		die("%s: bad producer id %u (seq %u)", what, prod, h.seq);
	if (opt_quick && h.seq != SEQ_STOP &&
	    (h.tag & 0xffffff) != checksum(h.seq, prod, buf, size))
		die("%s: checksum mismatch in message %u of producer %u",
		    what, h.seq, prod);
	return prod;
}

static uint32_t msg_seq(const unsigned char *buf)
{
	struct hdr h;

	memcpy(&h, buf, sizeof(h));
	return h.seq;
}

/* ---- channels -------------------------------------------------------- */

static unsigned int chan_serial;

static void chan_setup(struct chan *c, enum kind kind, unsigned int size)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->size = size;
	c->fd = -1;
	c->fds[0] = c->fds[1] = -1;
	c->msqid = -1;
	c->mq = (mqd_t)-1;
	chan_serial++;

	switch (kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH: {
		struct mbox_attr a = MBOX_ATTR_INIT;
		int fd;

		a.capacity = opt_depth;
		a.msg_size_max = size;
		snprintf(c->name, sizeof(c->name), "ipcbench.%d.%u",
			 (int)getpid(), chan_serial);
		fd = mbox_create(c->name, MBOX_EXCL, &a);
		if (fd < 0)
			die("mbox_create %s: %s", c->name, strerror(-fd));
		mbox_close(fd);
		break;
	}
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		/* created by the first process to open it */
		c->key = (key_t)(0x1b000000 | ((getpid() & 0xffff) << 8) |
				 (chan_serial & 0xff));
		break;
	case T_PIPE: {
		int want = (int)(opt_depth * size);

		if (pipe(c->fds + 0) < 0)
			die("pipe: %s", strerror(errno));
		if (want < 4096)
			want = 4096;
		/* best effort: 1 MiB unless root */
		fcntl(c->fds[1], F_SETPIPE_SZ, want);
		break;
	}
	case T_UNIX: {
		int sv[2], buf = (int)(opt_depth * (size + 1024));

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
			die("socketpair: %s", strerror(errno));
		c->fds[0] = sv[0];
		c->fds[1] = sv[1];
		if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
			setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		break;
	}
	case T_MQ: {
		struct mq_attr a = { .mq_maxmsg = opt_depth, .mq_msgsize = size };
		mqd_t q;

		snprintf(c->name, sizeof(c->name), "/ipcbench.%d.%u",
			 (int)getpid(), chan_serial);
		q = mq_open(c->name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
		if (q == (mqd_t)-1 && (errno == EINVAL || errno == EPERM ||
				       errno == EMFILE)) {
			a.mq_maxmsg = 10;	/* the unprivileged default */
			q = mq_open(c->name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
		}
		if (q == (mqd_t)-1)
			die("mq_open %s: %s", c->name, strerror(errno));
		mq_close(q);
		break;
	}
	case T_SYSV: {
		struct msqid_ds ds;

		c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (c->msqid < 0)
			die("msgget: %s", strerror(errno));
		if (msgctl(c->msqid, IPC_STAT, &ds) == 0 &&
		    ds.msg_qbytes < (unsigned long)opt_depth * size) {
			ds.msg_qbytes = (unsigned long)opt_depth * size;
			msgctl(c->msqid, IPC_SET, &ds);	/* best effort */
		}
		break;
	}
	default:
		break;
	}
}

static void batch_alloc(struct chan *c)
{
	c->batch = malloc((size_t)BATCH * c->size);
	if (!c->batch)
		die("out of memory");
	for (unsigned int i = 0; i < BATCH; i++)
		c->vec[i].buf = c->batch + (size_t)i * c->size;
}

/* mailbox-batch: send the messages queued in the batch, all of them. */
static void batch_flush(struct chan *c)
{
	unsigned int sent = 0;
	int ret;

	while (sent < c->nvec) {
		ret = mbox_send_batch(c->fd, c->vec + sent, c->nvec - sent, 0,
				      NULL);
		if (ret < 0)
			die("mbox_send_batch: %s", strerror(-ret));
		sent += (unsigned int)ret;
	}
	c->nvec = 0;
}

/* mailbox-batch: the next message, from the batch or a new batch. */
static long batch_recv(struct chan *c, unsigned char *buf)
{
	int ret;

	if (c->next == c->nvec) {
		for (unsigned int i = 0; i < BATCH; i++)
			c->vec[i].len = c->size;
		ret = mbox_receive_batch(c->fd, c->vec, BATCH, 0, NULL);
		if (ret < 0)
			die("mbox_receive_batch: %s", strerror(-ret));
		c->nvec = (unsigned int)ret;
		c->next = 0;
	}
	memcpy(buf, c->vec[c->next].buf, c->vec[c->next].len);
	return (long)c->vec[c->next++].len;
}

static void chan_open(struct chan *c, enum role role)
{
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		c->fd = mbox_open(c->name, role == SEND ? MBOX_SEND_ONLY : MBOX_RECV_ONLY);
		if (c->fd < 0)
			die("mbox_open %s: %s", c->name, strerror(-c->fd));
		c->sender = role == SEND;
		if (c->kind == T_MBOX_BATCH)
			batch_alloc(c);
		break;
	case T_SHM_SPIN:
	case T_SHM_FUTEX: {
		unsigned int fl = (role == SEND ? SHMRING_PRODUCER : SHMRING_CONSUMER) |
			(c->kind == T_SHM_SPIN ? SHMRING_SPIN : SHMRING_FUTEX);
		struct shmring_geom g = {
			.type = SHMRING_SLOTS, .slot_size = c->size,
			.size = opt_depth + 1, .perm = 0600,
		};
		int ret = shmring_attach(&c->ring, c->key, fl);

		if (ret == -ENOENT) {
			ret = shmring_create(&c->ring, c->key, &g, fl);
			if (ret)
				die("shmring_create: %s", strerror(-ret));
		} else if (ret) {
			die("shmring_attach: %s", strerror(-ret));
		} else {
			/* both sides are attached: the key can go */
			shmring_destroy(c->ring);
		}
		break;
	}
	case T_MQ:
		c->mq = mq_open(c->name, role == SEND ? O_WRONLY : O_RDONLY);
		if (c->mq == (mqd_t)-1)
			die("mq_open %s: %s", c->name, strerror(errno));
		break;
	default:
		break;
	}
}

static void chan_send(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n;
	int ret;

	switch (c->kind) {
	case T_MBOX:
		ret = mbox_send(c->fd, buf, len);
		if (ret)
			die("mbox_send: %s", strerror(-ret));
		return;
	case T_MBOX_NB:
		while ((ret = mbox_trysend(c->fd, buf, len)) == -EAGAIN) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };

			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				die("poll: %s", strerror(errno));
		}
		if (ret)
			die("mbox_trysend: %s", strerror(-ret));
		return;
	case T_MBOX_BATCH:
		memcpy(c->vec[c->nvec].buf, buf, len);
		c->vec[c->nvec++].len = len;
		if (c->nvec == BATCH)
			batch_flush(c);
		return;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		ret = shmring_send(c->ring, buf, len);
		if (ret)
			die("shmring_send: %s", strerror(-ret));
		return;
	case T_PIPE:
		n = write(c->fds[1], buf, len);
		if (n != (ssize_t)len)
			die("pipe write: %zd: %s", n, strerror(errno));
		return;
	case T_UNIX:
		n = send(c->fds[1], buf, len, 0);
		if (n != (ssize_t)len)
			die("unix send: %zd: %s", n, strerror(errno));
		return;
	case T_MQ:
		if (mq_send(c->mq, (const char *)buf, len, 0))
			die("mq_send: %s", strerror(errno));
		return;
	case T_SYSV:
		/* buf is preceded by room for the long mtype */
		((long *)(void *)buf)[-1] = 1;
		if (msgsnd(c->msqid, buf - sizeof(long), len, 0))
			die("msgsnd: %s", strerror(errno));
		return;
	default:
		die("send on %s", transports[c->kind].name);
	}
}

static long chan_recv(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n, got;

	switch (c->kind) {
	case T_MBOX:
		n = mbox_receive(c->fd, buf, len, NULL);
		if (n < 0)
			die("mbox_receive: %s", strerror((int)-n));
		return n;
	case T_MBOX_NB:
		while ((n = mbox_tryreceive(c->fd, buf, len, NULL)) == -EAGAIN) {
			struct pollfd p = { .fd = c->fd, .events = POLLIN };

			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				die("poll: %s", strerror(errno));
		}
		if (n < 0)
			die("mbox_tryreceive: %s", strerror((int)-n));
		return n;
	case T_MBOX_BATCH:
		return batch_recv(c, buf);
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		n = shmring_recv(c->ring, buf, len);
		if (n < 0)
			die("shmring_recv: %s", strerror((int)-n));
		return n;
	case T_PIPE:
		/* a byte stream: read exactly one message */
		for (got = 0; got < (ssize_t)len; got += n) {
			n = read(c->fds[0], buf + got, len - got);
			if (n <= 0)
				die("pipe read: %zd: %s", n, n ? strerror(errno) : "EOF");
		}
		return got;
	case T_UNIX:
		n = recv(c->fds[0], buf, len, 0);
		if (n < 0)
			die("unix recv: %s", strerror(errno));
		return n;
	case T_MQ:
		n = mq_receive(c->mq, (char *)buf, len, NULL);
		if (n < 0)
			die("mq_receive: %s", strerror(errno));
		return n;
	case T_SYSV:
		n = msgrcv(c->msqid, buf - sizeof(long), len, 0, 0);
		if (n < 0)
			die("msgrcv: %s", strerror(errno));
		return n;
	default:
		die("receive on %s", transports[c->kind].name);
	}
}

/* this process is done with the channel (the child exits anyway) */
static void chan_close(struct chan *c)
{
	if (c->kind == T_MBOX_BATCH && c->fd >= 0 && c->sender)
		batch_flush(c);
	free(c->batch);
	c->batch = NULL;
	if (c->fd >= 0)
		mbox_close(c->fd);
	c->fd = -1;
	if (c->mq != (mqd_t)-1)
		mq_close(c->mq);
	c->mq = (mqd_t)-1;
	if (c->ring)
		shmring_detach(c->ring);
	c->ring = NULL;
}

/* the parent: remove what the channel left */
static void chan_teardown(struct chan *c)
{
	int id;

	chan_close(c);
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		mbox_unlink(c->name);
		break;
	case T_MQ:
		mq_unlink(c->name);
		break;
	case T_SYSV:
		msgctl(c->msqid, IPC_RMID, NULL);
		break;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		/* normally gone already (destroyed once both attached) */
		id = shmget(c->key, 0, 0);
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
		break;
	default:
		break;
	}
	if (c->fds[0] >= 0)
		close(c->fds[0]);
	if (c->fds[1] >= 0)
		close(c->fds[1]);
}

/* ---- processes ------------------------------------------------------- */

static unsigned char *msg_buffer(unsigned int size)
{
	/* 64 bytes in front: room for the mtype of System V messages */
	unsigned char *raw = aligned_alloc(64, 64 + ((size + 63) & ~63U));

	if (!raw)
		die("out of memory");
	memset(raw, 0, 64 + size);
	for (unsigned int i = HDR; i < size; i++)
		raw[64 + i] = (unsigned char)i;
	return raw + 64;
}

struct proc {
	pid_t pid;
	int ready[2], go[2];
};

/*
 * Start a child running fn(arg): it opens its channel ends, tells the
 * parent it is ready and waits for the start signal. Children are started
 * one after the other (a shm ring is created by the first one to open it).
 */
struct job {
	int cpu;
	int idx;
	void (*open)(struct job *);
	void (*run)(struct job *);
	struct chan *a, *b;
	unsigned long count;
};

static void start_proc(struct proc *p, struct job *j)
{
	char c = 'r';

	if (pipe(p->ready) || pipe(p->go))
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		die("fork: %s", strerror(errno));
	if (p->pid == 0) {
		alarm(opt_timeout);
		pin(j->cpu);
		j->open(j);
		if (write(p->ready[1], &c, 1) != 1 || read(p->go[0], &c, 1) != 1)
			die("start handshake failed");
		j->run(j);
		_exit(0);
	}
	close(p->ready[1]);
	close(p->go[0]);
	if (read(p->ready[0], &c, 1) != 1)
		p->ready[0] = -2;	/* died before it was ready: wait_procs says */
}

static void go_procs(struct proc *p, int n)
{
	char c = 'g';

	for (int i = 0; i < n; i++)
		if (write(p[i].go[1], &c, 1) != 1) { /* dead: wait_procs says */ }
}

/*
 * Wait for the children; on a failure kill the rest. When the first
 * nprod of them (the producers) have all exited successfully, call
 * done(arg) (4to4: the stop messages). 0 if all exited 0.
 */
static int wait_procs(struct proc *p, int n, const char *what, int nprod,
		      void (*done)(void *), void *arg)
{
	int left = 0, bad = 0, prods = nprod;

	for (int i = 0; i < n; i++)
		if (p[i].pid > 0)
			left++;
	while (left > 0) {
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0)
			die("waitpid: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (p[i].pid != pid)
				continue;
			left--;
			p[i].pid = 0;
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				if (!bad) {
					if (WIFSIGNALED(st))
						fprintf(stderr, "ipcbench: %s: process %d killed by signal %d%s\n",
							what, (int)pid, WTERMSIG(st),
							WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
					else
						fprintf(stderr, "ipcbench: %s: process %d exited %d\n",
							what, (int)pid, WEXITSTATUS(st));
				}
				bad = 1;
				for (int k = 0; k < n; k++)
					if (p[k].pid > 0)
						kill(p[k].pid, SIGKILL);
			} else if (i < nprod && --prods == 0 && !bad && done) {
				done(arg);
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (p[i].ready[0] >= 0)
			close(p[i].ready[0]);
		close(p[i].go[1]);
	}
	return bad ? -1 : 0;
}

/* -- throughput -- */

static void open_send_a(struct job *j) { chan_open(j->a, SEND); }
static void open_recv_a(struct job *j) { chan_open(j->a, RECV); }

static void producer(struct job *j)
{
	unsigned char *buf = msg_buffer(j->a->size);

	sh->t_first[j->idx] = now_ns();
	for (unsigned long i = 0; i < j->count; i++) {
		make_msg(buf, j->a->size, (uint32_t)i, (unsigned int)j->idx);
		chan_send(j->a, buf);
	}
	chan_close(j->a);
}

/* j->count: messages to expect (1:1), or 0: until a SEQ_STOP message */
static void consumer(struct job *j)
{
	unsigned char *buf = msg_buffer(j->a->size);
	int64_t last[MAXPROC];
	uint64_t t = 0;

	for (int i = 0; i < MAXPROC; i++)
		last[i] = -1;

	for (unsigned long i = 0; j->count == 0 || i < j->count; i++) {
		long n = chan_recv(j->a, buf);
		unsigned int prod = check_msg(buf, n, j->a->size, "consumer");
		uint32_t seq = msg_seq(buf);

		if (seq == SEQ_STOP)
			break;
		t = now_ns();
		/*
		 * One consumer: exactly the next one. Several: each sees a
		 * rising subsequence of every producer's messages (FIFO), and
		 * with --quick every message is seen once in all.
		 */
		if (j->count ? seq != last[prod] + 1 : (int64_t)seq <= last[prod])
			die("consumer: producer %u: got message %u after %" PRId64,
			    prod, seq, last[prod]);
		last[prod] = seq;
		if (seen) {
			size_t bit = (size_t)prod * (opt_msgs + 8) + seq;

			if (bit / 8 >= seen_bytes ||
			    atomic_fetch_or(&seen[bit / 8], 1U << (bit % 8)) & (1U << (bit % 8)))
				die("consumer: producer %u: message %u twice", prod, seq);
		}
		sh->got[j->idx][prod]++;
	}
	sh->t_last[j->idx] = t;
	chan_close(j->a);
}

/* -- latency -- */

static void open_pinger(struct job *j) { chan_open(j->a, SEND); chan_open(j->b, RECV); }
static void open_ponger(struct job *j) { chan_open(j->a, RECV); chan_open(j->b, SEND); }

static void pinger(struct job *j)
{
	unsigned char *buf = msg_buffer(j->a->size);
	unsigned long warm = opt_quick ? 10 : WARMUP;

	for (unsigned long i = 0; i < warm + j->count; i++) {
		uint64_t t0 = now_ns(), t1;
		long n;

		make_msg(buf, j->a->size, (uint32_t)i, 0);
		chan_send(j->a, buf);
		n = chan_recv(j->b, buf);
		t1 = now_ns();
		check_msg(buf, n, j->a->size, "pinger");
		if (msg_seq(buf) != (uint32_t)i)
			die("pinger: got reply %u, expected %lu", msg_seq(buf), i);
		if (i >= warm)
			sh->lat[i - warm] = t1 - t0;
	}
	chan_close(j->a);
	chan_close(j->b);
}

static void ponger(struct job *j)
{
	unsigned char *buf = msg_buffer(j->a->size);
	unsigned long warm = opt_quick ? 10 : WARMUP;

	for (unsigned long i = 0; i < warm + j->count; i++) {
		long n = chan_recv(j->a, buf);

		check_msg(buf, n, j->a->size, "ponger");
		if (msg_seq(buf) != (uint32_t)i)
			die("ponger: got ping %u, expected %lu", msg_seq(buf), i);
		chan_send(j->b, buf);
	}
	chan_close(j->a);
	chan_close(j->b);
}

/* -- the floor: 2 system calls per message, 4 per round trip -- */

static void nop_open(struct job *j) { (void)j; }

static void floor_tput(struct job *j)
{
	sh->t_first[0] = now_ns();
	for (unsigned long i = 0; i < j->count; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
	}
	sh->t_last[1] = now_ns();
	sh->got[1][0] = j->count;
}

static void floor_lat(struct job *j)
{
	for (unsigned long i = 0; i < j->count; i++) {
		uint64_t t0 = now_ns();

		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		sh->lat[i] = now_ns() - t0;
	}
}

/* ---- one measurement ------------------------------------------------- */

struct sample {
	double v[5];		/* by metric */
};

enum metric { M_MSGS, M_MBS, M_P50, M_P99, M_P999, M_COUNT };
static const char *const metric_names[] = {
	"tput_msgs", "tput_mbs", "lat_p50", "lat_p99", "lat_p999" };
static const char *const metric_units[] = { "msg/s", "MB/s", "ns", "ns", "ns" };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *s, unsigned long n, double q)
{
	unsigned long k = (unsigned long)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)s[k - 1];
}

static unsigned long tput_count(unsigned int size)
{
	/* big messages cost more per message: fewer of them, same budget */
	unsigned long n = opt_msgs;

	if (!opt_quick && size >= 4096)
		n /= 2;
	return n < NMULTI ? NMULTI : n - n % NMULTI;
}

/* 4to4: after the producers, one stop message for each consumer */
static void send_stops(void *arg)
{
	struct chan *c = arg;
	unsigned char *buf = msg_buffer(c->size);

	chan_open(c, SEND);
	for (int i = 0; i < NMULTI; i++) {
		make_msg(buf, c->size, SEQ_STOP, 0);
		chan_send(c, buf);
	}
	chan_close(c);
	free(buf - 64);
}

static int run_tput(enum kind k, unsigned int size, enum place pl, struct sample *out)
{
	unsigned long n = tput_count(size);
	struct proc p[MAXPROC];
	struct job jobs[MAXPROC];
	struct chan c;
	int np = 0, ret;
	uint64_t t0 = UINT64_MAX, t1 = 0, total = 0;
	char what[96];

	snprintf(what, sizeof(what), "%s %uB %s tput", transports[k].name, size,
		 place_names[pl]);
	memset(sh, 0, sizeof(*sh));
	memset(p, 0, sizeof(p));
	if (seen)
		memset((void *)seen, 0, seen_bytes);
	if (k == T_FLOOR) {
		jobs[0] = (struct job){ .cpu = 0, .idx = 0, .open = nop_open,
			.run = floor_tput, .count = n };
		start_proc(&p[0], &jobs[0]);
		go_procs(p, 1);
		if (wait_procs(p, 1, what, 0, NULL, NULL))
			return -1;
		t0 = sh->t_first[0];
		t1 = sh->t_last[1];
		total = n;
		goto done;
	}
	chan_setup(&c, k, size);
	if (pl == P_4TO4) {
		/* producers first in p[] (wait_procs), consumers started first */
		for (int i = 0; i < NMULTI; i++) {
			jobs[NMULTI + i] = (struct job){ .cpu = -1, .idx = i,
				.open = open_recv_a, .run = consumer, .a = &c, .count = 0 };
			start_proc(&p[NMULTI + i], &jobs[NMULTI + i]);
		}
		for (int i = 0; i < NMULTI; i++) {
			jobs[i] = (struct job){ .cpu = -1, .idx = i, .open = open_send_a,
				.run = producer, .a = &c, .count = n / NMULTI };
			start_proc(&p[i], &jobs[i]);
		}
		np = 2 * NMULTI;
		go_procs(p, np);
		ret = wait_procs(p, np, what, NMULTI, send_stops, &c);
	} else {
		/* the consumer first: it creates a shm ring */
		jobs[0] = (struct job){ .cpu = pl == P_2CPU ? 1 : 0, .idx = 0,
			.open = open_recv_a, .run = consumer, .a = &c, .count = n };
		start_proc(&p[0], &jobs[0]);
		jobs[1] = (struct job){ .cpu = 0, .idx = 0, .open = open_send_a,
			.run = producer, .a = &c, .count = n };
		start_proc(&p[1], &jobs[1]);
		np = 2;
		go_procs(p, np);
		ret = wait_procs(p, np, what, 0, NULL, NULL);
	}
	chan_teardown(&c);
	if (ret)
		return -1;

	for (int i = 0; i < np; i++) {
		if (jobs[i].run == producer && sh->t_first[jobs[i].idx] < t0)
			t0 = sh->t_first[jobs[i].idx];
		if (jobs[i].run == consumer && sh->t_last[jobs[i].idx] > t1)
			t1 = sh->t_last[jobs[i].idx];
	}
	for (int prod = 0; prod < (pl == P_4TO4 ? NMULTI : 1); prod++) {
		uint64_t sum = 0;

		for (int cons = 0; cons < MAXPROC; cons++)
			sum += sh->got[cons][prod];
		if (sum != (pl == P_4TO4 ? n / NMULTI : n)) {
			fprintf(stderr, "ipcbench: %s: producer %d: %" PRIu64
				" of %lu messages arrived\n", what, prod, sum,
				pl == P_4TO4 ? n / NMULTI : n);
			return -1;
		}
		total += sum;
	}
done:
	if (t1 <= t0) {
		fprintf(stderr, "ipcbench: %s: no elapsed time\n", what);
		return -1;
	}
	out->v[M_MSGS] = (double)total * 1e9 / (double)(t1 - t0);
	out->v[M_MBS] = k == T_FLOOR ? -1 : out->v[M_MSGS] * size / 1e6;
	return 0;
}

static int run_lat(enum kind k, unsigned int size, enum place pl, struct sample *out)
{
	unsigned long n = opt_rtt;
	struct proc p[2];
	struct job jobs[2];
	struct chan a, b;
	int np = 0, ret;
	char what[96];

	snprintf(what, sizeof(what), "%s %uB %s lat", transports[k].name, size,
		 place_names[pl]);
	memset(sh, 0, sizeof(*sh));
	memset(p, 0, sizeof(p));
	if (k == T_FLOOR) {
		jobs[0] = (struct job){ .cpu = 0, .open = nop_open, .run = floor_lat,
			.count = n };
		start_proc(&p[0], &jobs[0]);
		go_procs(p, 1);
		if (wait_procs(p, 1, what, 0, NULL, NULL))
			return -1;
	} else {
		chan_setup(&a, k, size);
		chan_setup(&b, k, size);
		jobs[np] = (struct job){ .cpu = 0, .open = open_pinger, .run = pinger,
			.a = &a, .b = &b, .count = n };
		start_proc(&p[np], &jobs[np]);
		np++;
		jobs[np] = (struct job){ .cpu = pl == P_2CPU ? 1 : 0, .open = open_ponger,
			.run = ponger, .a = &a, .b = &b, .count = n };
		start_proc(&p[np], &jobs[np]);
		np++;
		go_procs(p, np);
		ret = wait_procs(p, np, what, 0, NULL, NULL);
		chan_teardown(&a);
		chan_teardown(&b);
		if (ret)
			return -1;
	}
	qsort(sh->lat, n, sizeof(sh->lat[0]), cmp_u64);
	if (sh->lat[0] == 0 && sh->lat[n - 1] == 0) {
		fprintf(stderr, "ipcbench: %s: no samples\n", what);
		return -1;
	}
	out->v[M_P50] = pct(sh->lat, n, 0.50);
	out->v[M_P99] = pct(sh->lat, n, 0.99);
	out->v[M_P999] = pct(sh->lat, n, 0.999);
	return 0;
}

/* ---- driver ---------------------------------------------------------- */

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void emit(enum kind k, unsigned int size, enum place pl, int m,
		 struct sample *s, unsigned int reps)
{
	double v[64];
	unsigned int n = 0;

	for (unsigned int r = 0; r < reps; r++)
		if (s[r].v[m] >= 0)
			v[n++] = s[r].v[m];
	if (n == 0) {
		fprintf(csv, "%s,%u,%s,%s,n/a,n/a,n/a,0,%s\n", transports[k].name,
			size, place_names[pl], metric_names[m], metric_units[m]);
		return;
	}
	qsort(v, n, sizeof(v[0]), cmp_dbl);
	/* the median of an even count: the mean of the middle two */
	fprintf(csv, "%s,%u,%s,%s,%.6g,%.6g,%.6g,%u,%s\n", transports[k].name,
		size, place_names[pl], metric_names[m],
		n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1],
		n, metric_units[m]);
}

static void emit_na(enum kind k, unsigned int size, enum place pl, int m)
{
	fprintf(csv, "%s,%u,%s,%s,n/a,n/a,n/a,0,%s\n", transports[k].name, size,
		place_names[pl], metric_names[m], metric_units[m]);
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: ipcbench [--quick] [-n MSGS] [-l ROUNDTRIPS] [-r REPS]\n"
		"                [--sizes 8,64,512,4096] [--transports a,b,...]\n"
		"                [--depth D] [--timeout SECS] [--csv FILE] [--lines] [--list]\n"
		"see the comment at the top of userspace/bench/ipcbench.c\n");
	exit(status);
}

static unsigned long num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v < 1 || v > max) {
		fprintf(stderr, "ipcbench: bad %s '%s'\n", what, s ? s : "");
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *csv_path = NULL;
	bool any_t = false, tty = isatty(2);
	unsigned int point = 0, npoints, fails = 0, runs = 0;
	uint64_t t_start = now_ns();
	cpu_set_t cs;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick")) {
			opt_quick = true;
			opt_msgs = 1000;
			opt_rtt = 100;
			opt_reps = 1;
			sizes[0] = 64;
			sizes[1] = 4096;
			nsizes = 2;
			opt_timeout = 60;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--msgs")) {
			opt_msgs = num(v, "message count", 100000000); i++;
		} else if (!strcmp(a, "-l") || !strcmp(a, "--roundtrips")) {
			opt_rtt = num(v, "round trip count", 10000000); i++;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--reps")) {
			opt_reps = num(v, "repetitions", 64); i++;
		} else if (!strcmp(a, "--depth")) {
			opt_depth = (unsigned int)num(v, "depth", 65535); i++;
		} else if (!strcmp(a, "--timeout")) {
			opt_timeout = (unsigned int)num(v, "timeout", 86400); i++;
		} else if (!strcmp(a, "--csv")) {
			if (!v)
				usage(2);
			csv_path = v; i++;
		} else if (!strcmp(a, "--sizes")) {
			char *copy, *tok, *save;

			if (!v)
				usage(2);
			copy = strdup(v);
			nsizes = 0;
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (nsizes == 16)
					usage(2);
				sizes[nsizes] = (unsigned int)num(tok, "size", 65536);
				if (sizes[nsizes] < HDR) {
					fprintf(stderr, "ipcbench: sizes start at %d bytes\n", HDR);
					exit(2);
				}
				nsizes++;
			}
			free(copy);
			i++;
		} else if (!strcmp(a, "--transports")) {
			char *copy, *tok, *save;

			if (!v)
				usage(2);
			copy = strdup(v);
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int k;

				for (k = 0; k < T_COUNT; k++)
					if (!strcmp(tok, transports[k].name))
						break;
				if (k == T_COUNT) {
					fprintf(stderr, "ipcbench: unknown transport '%s' (--list)\n", tok);
					exit(2);
				}
				tsel[k] = any_t = true;
			}
			free(copy);
			i++;
		} else if (!strcmp(a, "--lines")) {
			tty = false;
		} else if (!strcmp(a, "--list")) {
			for (int k = 0; k < T_COUNT; k++)
				printf("%s\n", transports[k].name);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(0);
		} else {
			usage(2);
		}
	}
	if (!any_t)
		for (int k = 0; k < T_COUNT; k++)
			tsel[k] = true;
	if (nsizes == 0)
		usage(2);

	csv = stdout;
	if (csv_path && !(csv = fopen(csv_path, "w"))) {
		fprintf(stderr, "ipcbench: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	CPU_ZERO(&cs);
	ncpus = sched_getaffinity(0, sizeof(cs), &cs) ? 1 : CPU_COUNT(&cs);
	if (ncpus < 2 || !CPU_ISSET(0, &cs) || !CPU_ISSET(1, &cs))
		fprintf(stderr, "ipcbench: CPUs 0 and 1 are not both usable: 2cpu is n/a\n");
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh) + opt_rtt * sizeof(uint64_t),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "ipcbench: mmap: %s\n", strerror(errno));
		return 1;
	}

	if (opt_quick) {
		seen_bytes = MAXPROC * (opt_msgs + 8) / 8 + 1;
		seen = mmap(NULL, seen_bytes, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (seen == MAP_FAILED) {
			fprintf(stderr, "ipcbench: mmap: %s\n", strerror(errno));
			return 1;
		}
	}

	npoints = 0;
	for (int k = 0; k < T_COUNT; k++)
		if (tsel[k])
			npoints += nsizes * 5;
	fprintf(stderr, "ipcbench: %u points x %lu reps; tput %lu msgs, lat %lu round trips,"
		" depth %u%s\n", npoints, opt_reps, opt_msgs, opt_rtt, opt_depth,
		opt_quick ? ", quick (every byte checked)" : "");
	fprintf(csv, "transport,size,placement,metric,median,min,max,reps,unit\n");

	for (int k = 0; k < T_COUNT; k++) {
		if (!tsel[k])
			continue;
		for (unsigned int si = 0; si < nsizes; si++) {
			unsigned int size = sizes[si];

			for (int pl = P_1CPU; pl <= P_4TO4; pl++) {
				for (int lat = 0; lat < 2; lat++) {
					struct sample s[64];
					unsigned int ok = 0;
					bool na = (pl == P_4TO4 && (lat || !transports[k].multi)) ||
						  (lat && transports[k].no_lat) ||
						  (pl == P_2CPU && ncpus < 2);
					uint64_t tp = now_ns();

					if (pl == P_4TO4 && lat)
						continue;	/* not measured, not listed */
					point++;
					if (na) {
						if (pl == P_4TO4) {
							emit_na(k, size, pl, M_MSGS);
							emit_na(k, size, pl, M_MBS);
						} else {
							for (int m = lat ? M_P50 : M_MSGS;
							     m <= (lat ? M_P999 : M_MBS); m++)
								emit_na(k, size, pl, m);
						}
						fflush(csv);
						continue;
					}
					if (!tty)
						fprintf(stderr, "[%u/%u] %s %uB %s %s x%lu ...",
							point, npoints, transports[k].name, size,
							place_names[pl], lat ? "lat" : "tput", opt_reps);
					for (unsigned int r = 0; r < opt_reps; r++) {
						int ret;

						if (tty)
							fprintf(stderr, "\r[%u/%u] %s %uB %s %s rep %u/%lu\033[K",
								point, npoints, transports[k].name, size,
								place_names[pl], lat ? "lat" : "tput",
								r + 1, opt_reps);
						for (int m = 0; m < M_COUNT; m++)
							s[ok].v[m] = -1;
						runs++;
						ret = lat ? run_lat(k, size, pl, &s[ok]) :
							    run_tput(k, size, pl, &s[ok]);
						if (ret)
							fails++;
						else
							ok++;
					}
					if (!tty)
						fprintf(stderr, " %.2fs\n", (now_ns() - tp) / 1e9);
					if (lat)
						for (int m = M_P50; m <= M_P999; m++)
							emit(k, size, pl, m, s, ok);
					else
						for (int m = M_MSGS; m <= M_MBS; m++)
							emit(k, size, pl, m, s, ok);
					fflush(csv);
				}
			}
		}
	}
	if (tty)
		fputc('\n', stderr);
	fprintf(stderr, "ipcbench: %u runs, %u failed, %.1f s%s\n", runs, fails,
		(now_ns() - t_start) / 1e9,
		opt_quick && !fails ? "; every message arrived intact" : "");
	if (csv != stdout && fclose(csv)) {
		fprintf(stderr, "ipcbench: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	return fails ? 1 : 0;
}
