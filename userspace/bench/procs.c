// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the child processes (start, start signal, wait) and what
 * they run: producer and consumer, pinger and ponger, the floor.
 */
#include "ipcbench.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ipcbench[%d]: ", (int)getpid());
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
}

/*
 * Start a child running fn(arg): it opens its channel ends, tells the
 * parent it is ready and waits for the start signal. Children are started
 * one after the other (a shm ring is created by the first one to open it).
 */
void start_proc(struct proc *p, struct job *j)
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

void go_procs(struct proc *p, int n)
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
int wait_procs(struct proc *p, int n, const char *what, int nprod,
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

void open_send_a(struct job *j) { chan_open(j->a, SEND); }
void open_recv_a(struct job *j) { chan_open(j->a, RECV); }

void producer(struct job *j)
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
void consumer(struct job *j)
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

void open_pinger(struct job *j) { chan_open(j->a, SEND); chan_open(j->b, RECV); }
void open_ponger(struct job *j) { chan_open(j->a, RECV); chan_open(j->b, SEND); }

void pinger(struct job *j)
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

void ponger(struct job *j)
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

void nop_open(struct job *j) { (void)j; }

void floor_tput(struct job *j)
{
	sh->t_first[0] = now_ns();
	for (unsigned long i = 0; i < j->count; i++) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
	}
	sh->t_last[1] = now_ns();
	sh->got[1][0] = j->count;
}

void floor_lat(struct job *j)
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
