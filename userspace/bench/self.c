// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the figures of one process alone (placement "self"):
 *
 *   self_ns       one process, pinned to CPU 0, sends a message and receives
 *                 it back, N times; the time of one pair in ns (under
 *                 icount: instructions). The floor's pair is 2 getppid().
 *                 No context switch, no wake-up: what the calls themselves
 *                 cost.
 *   slab_per_msg  one process fills a queue of FILL messages and reads
 *                 /proc/meminfo's Slab: before and after: the kernel
 *                 memory (slab) one queued message takes, in bytes
 *                 (mailbox, posix-mq, sysv-msg; n/a for the others, and
 *                 where the caller may not make the queue that long).
 */
#include "ipcbench.h"

#define FILL	4096	/* messages queued for slab_per_msg */

/* self_ns is measured on these: one process can use both ends */
bool self_ok(enum kind k)
{
	return k == T_FLOOR || k == T_MBOX || k == T_MBOX_NB || k == T_PIPE ||
	       k == T_UNIX || k == T_MQ || k == T_MBOX_MQ || k == T_SYSV;
}

bool fill_ok(enum kind k)
{
	return k == T_MBOX || k == T_MQ || k == T_MBOX_MQ || k == T_SYSV;
}

/*
 * Run @fn in a child pinned to CPU 0; it reports its figure times 1000 in
 * sh->t_first[0], and sh->t_last[0] = 1 when there is one (else n/a).
 */
static int in_child(void (*fn)(enum kind, unsigned int), enum kind k,
		    unsigned int size, const char *what)
{
	int status;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		alarm(opt_timeout);
		pin(0);
		fn(k, size);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "ipcbench: %s failed\n", what);
		return -1;
	}
	return 0;
}

static void self_child(enum kind k, unsigned int size)
{
	unsigned char *buf = msg_buffer(size);
	unsigned long n = opt_quick ? 1000 : opt_msgs;
	struct chan c, s, r;
	uint64_t t0 = 0, t1;

	if (k == T_FLOOR) {
		t0 = now_ns();
		for (unsigned long i = 0; i < n; i++) {
			syscall(SYS_getppid);
			syscall(SYS_getppid);
		}
		t1 = now_ns();
		sh->t_first[0] = (t1 - t0) * 1000 / n;
		sh->t_last[0] = 1;
		return;
	}
	chan_setup(&c, k, size);
	s = c;
	r = c;
	chan_open(&s, SEND);
	chan_open(&r, RECV);
	for (unsigned long i = 0; i < WARMUP + n; i++) {
		if (i == WARMUP)
			t0 = now_ns();
		make_msg(buf, size, (uint32_t)i, 0);
		chan_send(&s, buf);
		if (chan_recv(&r, buf) != (long)size ||
		    msg_seq(buf) != (uint32_t)i)
			die("%s self: message %lu wrong", transports[k].name, i);
		if (opt_quick)
			check_msg(buf, size, size, transports[k].name);
	}
	t1 = now_ns();
	/* the pipe and UNIX ends are not closed by chan_close() */
	chan_close(&s);
	chan_close(&r);
	chan_teardown(&c);
	sh->t_first[0] = (t1 - t0) * 1000 / n;
	sh->t_last[0] = 1;
}

/* Slab: of /proc/meminfo, in kB. */
static long slab_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		die("/proc/meminfo: no Slab: line");
	return kb;
}

/* Queue a message without blocking: false when the queue is full. */
static bool try_send(struct chan *c, unsigned char *buf)
{
	int ret;

	switch (c->kind) {
	case T_MBOX:
		ret = mbox_trysend(c->fd, buf, c->size);
		if (ret && ret != -EAGAIN && ret != -ENOBUFS)
			die("mbox_trysend: %s", strerror(-ret));
		return !ret;
	case T_MQ:
	case T_MBOX_MQ:
		if (!mq_api(c->kind)->send(c->mq, (const char *)buf, c->size, 0))
			return true;
		if (errno != EAGAIN)
			die("mq_send: %s", strerror(errno));
		return false;
	default:	/* T_SYSV */
		((long *)(void *)buf)[-1] = 1;
		if (!msgsnd(c->msqid, buf - sizeof(long), c->size, IPC_NOWAIT))
			return true;
		if (errno != EAGAIN)
			die("msgsnd: %s", strerror(errno));
		return false;
	}
}

static void fill_child(enum kind k, unsigned int size)
{
	unsigned char *buf = msg_buffer(size);
	unsigned int depth = opt_depth, n = opt_quick ? 512 : FILL;
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct mq_attr nb = { .mq_flags = O_NONBLOCK };
	struct chan c, s, r;
	unsigned int i;
	long before, after;

	/* posix-mq: room for the whole fill, where the caller may */
	setrlimit(RLIMIT_MSGQUEUE, &rl);
	opt_depth = n;
	chan_setup(&c, k, size);
	opt_depth = depth;
	s = c;
	r = c;
	chan_open(&s, SEND);
	chan_open(&r, RECV);
	if ((k == T_MQ || k == T_MBOX_MQ) && mq_api(k)->setattr(s.mq, &nb, NULL))
		die("mq_setattr: %s", strerror(errno));
	/* one message through first: what the first use allocates */
	make_msg(buf, size, 0, 0);
	chan_send(&s, buf);
	chan_recv(&r, buf);
	before = slab_kb();
	for (i = 0; i < n; i++) {
		make_msg(buf, size, i, 0);
		if (!try_send(&s, buf))
			break;
	}
	after = slab_kb();
	/* a queue this caller may not make big enough: n/a, not a failure */
	if (i < n / 2)
		fprintf(stderr, "ipcbench: %s: only %u of %u messages queued: slab_per_msg n/a\n",
			transports[k].name, i, n);
	else if (after > before)
		sh->t_first[0] = (uint64_t)((after - before) * 1024 * 1000 / (long)i);
	sh->t_last[0] = i >= n / 2;
	while (i--)
		chan_recv(&r, buf);
	chan_close(&s);
	chan_close(&r);
	chan_teardown(&c);
}

/* The figures of placement "self" for @k at @size: CSV rows. */
void run_self(enum kind k, unsigned int size, unsigned int *fails,
	      unsigned int *runs)
{
	static void (*const fns[2])(enum kind, unsigned int) = {
		self_child, fill_child };
	static bool (*const ok[2])(enum kind) = { self_ok, fill_ok };
	static const int metric[2] = { M_SELF, M_SLAB };
	char what[96];

	for (int f = 0; f < 2; f++) {
		struct sample s[64];
		unsigned int n = 0;

		if (!ok[f](k)) {
			emit_na(k, size, P_SELF, metric[f]);
			continue;
		}
		snprintf(what, sizeof(what), "%s %uB self %s",
			 transports[k].name, size, metric_names[metric[f]]);
		for (unsigned int rep = 0; rep < opt_reps; rep++) {
			(*runs)++;
			if (in_child(fns[f], k, size, what)) {
				(*fails)++;
				continue;
			}
			if (!sh->t_last[0])
				continue;	/* n/a */
			for (int m = 0; m < M_COUNT; m++)
				s[n].v[m] = -1;
			s[n++].v[metric[f]] = (double)sh->t_first[0] / 1000;
		}
		emit(k, size, P_SELF, metric[f], s, n);
	}
	fflush(csv);
}
