// SPDX-License-Identifier: GPL-2.0
/*
 * Children and threads of the selftests: children that die with the test
 * (and are killed by its teardown), result slots for children whose
 * outcome the test reads in shared memory, calls that may block run in a
 * thread of the test, and a SIGUSR1 counter shared with children.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "mbt.h"

/* Zeroed memory shared with children forked later; NULL on failure. */
void *mbt_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Fork a child that exits with @fn(@arg); returns its pid or -errno. The
 * child is killed when its parent dies, so that a test that fails without
 * cleaning up (see FIXTURE_TEARDOWN_PARENT) leaves no process asleep in a
 * mailbox.
 */
pid_t mbt_spawn(struct mbt_kids *k, int (*fn)(void *), void *arg)
{
	pid_t parent = getpid(), pid;

	if (k->n >= MBT_MAX_KIDS)
		return -ENOSPC;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(125);
		_exit(fn(arg));
	}
	k->pid[k->n++] = pid;
	return pid;
}

/*
 * Reap child @pid, waiting at most @timeout_ms: 0 with *@status set, or
 * -ETIMEDOUT (the child stays listed), or -errno.
 */
int mbt_reap(struct mbt_kids *k, pid_t pid, int *status, long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	pid_t ret;
	int i;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG);
		if (ret == pid)
			break;
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
	for (i = 0; i < k->n; i++) {
		if (k->pid[i] == pid) {
			k->pid[i] = k->pid[--k->n];
			break;
		}
	}
	return 0;
}

/* SIGKILL and reap every listed child. */
void mbt_kill_all(struct mbt_kids *k)
{
	while (k->n > 0) {
		pid_t pid = k->pid[--k->n];

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* Start @fn(@arg) as the child of result slot @idx: its pid or -errno. */
pid_t mbt_slot_spawn(struct mbt_kids *k, int idx, int (*fn)(void *),
		     void *arg)
{
	pid_t pid;

	if (idx < 0 || idx >= MBT_MAX_SLOTS)
		return -EINVAL;
	pid = mbt_spawn(k, fn, arg);
	if (pid < 0)
		return pid;
	k->slot[idx] = pid;
	k->status[idx] = -1;
	return pid;
}

/* Reap slot @idx's child if it ends within @ms; true if it has ended. */
bool mbt_slot_ended(struct mbt_kids *k, int idx, long ms)
{
	int status;

	if (k->status[idx] == -1 &&
	    !mbt_reap(k, k->slot[idx], &status, ms))
		k->status[idx] = status;
	return k->status[idx] != -1;
}

/* ---- a SIGUSR1 counter shared by the test and its children ------------- */

static int *mbt_handled;

static void mbt_count_signal(int sig)
{
	(void)sig;
	__atomic_fetch_add(mbt_handled, 1, __ATOMIC_SEQ_CST);
}

/*
 * Map the counter, at 0, in memory that children forked later share, once
 * per process (the harness forks each test from a process that has none).
 */
int mbt_sigcount_init(void)
{
	if (!mbt_handled)
		mbt_handled = mbt_shared(sizeof(*mbt_handled));
	return mbt_handled ? 0 : -ENOMEM;
}

/*
 * Count SIGUSR1 with MBT_HANDLER_EINTR or MBT_HANDLER_RESTART (SA_RESTART)
 * as @handler; MBT_NO_HANDLER changes nothing. 0 or -errno.
 */
int mbt_sigcount_install(int handler)
{
	if (handler == MBT_NO_HANDLER)
		return 0;
	if (!mbt_handled)
		return -EINVAL;
	return mbt_install_handler(mbt_count_signal,
				   handler == MBT_HANDLER_RESTART) ? -errno : 0;
}

/* SIGUSR1 handler runs so far, in this process and its children. */
int mbt_sigcount(void)
{
	return mbt_handled ? __atomic_load_n(mbt_handled, __ATOMIC_SEQ_CST) : 0;
}

/* Wait at most @timeout_ms until mbt_sigcount() reaches @n: 0, -ETIMEDOUT. */
int mbt_sigcount_wait(int n, long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);

	while (mbt_sigcount() < n) {
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(1);
	}
	return mbt_sigcount() == n ? 0 : -ERANGE;
}

/* ---- a child making one call ------------------------------------------- */

struct mbt_op_arg {
	struct mbt_env *e;
	int idx;
	const struct mbt_op *op;
};

/* Body of an op's child: open its own descriptor, wait as told, call. */
static int mbt_op_main(void *p)
{
	const struct mbt_op_arg *a = p;
	const struct mbt_op *op = a->op;
	struct mbt_result *r = &a->e->res[a->idx];
	const char *name = op->name ? op->name : a->e->names[0];
	uint32_t size = op->size;
	void *buf = r->data;
	int fd = mbt_open(name, MAILBOX_ACCESS_ALL);

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_sigcount_install(op->handler));
	if (op->ro_buf) {
		buf = mbt_page(PROT_READ);
		size = sysconf(_SC_PAGESIZE);
		MBT_CHILD_CHECK(buf != NULL);
	}
	if (op->euid > 0)
		MBT_CHILD_CHECK(!seteuid(op->euid));
	if (op->delay_ms)
		mbt_sleep_ms(op->delay_ms);
	if (op->await_senders)
		MBT_CHILD_CHECK(!MBT_WAIT_INFO(fd, senders_waiting,
					       op->await_senders,
					       MBT_SLACK_MS));
	if (op->await_depth)
		MBT_CHILD_CHECK(!MBT_WAIT_INFO(fd, depth, op->await_depth,
					       MBT_SLACK_MS));
	MBT_CHILD_CHECK(!mbt_stat(fd, &r->pre));
	r->t_start = mbt_now_ns();
	if (op->flags & MAILBOX_DEADLINE)
		r->deadline = r->t_start + op->deadline_ms * MBT_MS;
	if (op->send)
		r->ret = mbt_send(fd, op->msg, strlen(op->msg), op->flags,
				  r->deadline, &r->receiver_pid);
	else
		r->ret = mbt_recv(fd, buf, size, op->flags, r->deadline,
				  &r->meta);
	r->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

/*
 * Start a child making @op, reporting into result slot @idx of @e (the
 * results are mapped shared on first use): its pid or -errno.
 */
pid_t mbt_op_spawn(struct mbt_env *e, int idx, const struct mbt_op *op)
{
	struct mbt_op_arg a = { e, idx, op };

	if (idx < 0 || idx >= MBT_MAX_SLOTS)
		return -EINVAL;
	if (!e->res)
		e->res = mbt_shared(MBT_MAX_SLOTS * sizeof(*e->res));
	if (!e->res || mbt_sigcount_init())
		return -ENOMEM;
	memset(&e->res[idx], 0, sizeof(e->res[idx]));
	e->res[idx].ret = MBT_NOT_DONE;
	return mbt_slot_spawn(&e->kids, idx, mbt_op_main, &a);
}

/* A child's receive returned exactly @want. */
bool mbt_op_got(const struct mbt_result *r, const char *want)
{
	return mbt_msg_is(r->ret, &r->meta, r->data, want);
}

/* How long a child's call took, in ms. */
uint64_t mbt_op_elapsed_ms(const struct mbt_result *r)
{
	return (r->t_end - r->t_start) / MBT_MS;
}

/* ---- background calls -------------------------------------------------- */

static void *mbt_bg_main(void *p)
{
	struct mbt_bg *b = p;
	long ms = b->timeout_ms ? b->timeout_ms : MBT_BLOCK_MS;
	uint64_t deadline = mbt_deadline_ms(ms);
	struct pollfd pfd = { .fd = b->fd, .events = b->events };
	uint32_t size = b->size ? b->size : MBT_BG_BUF;
	const void *msg = b->msg ? b->msg : "bg";
	uint32_t len = b->msg ? b->len : 2;
	struct epoll_event ev;
	int r;

	b->tid = gettid();
	switch (b->op) {
	case MBT_BG_SEND:
		b->ret = mbt_send_ex(b->fd, b->pid, msg, len,
				     b->flags | MAILBOX_DEADLINE, deadline,
				     b->priority, &b->snd);
		break;
	case MBT_BG_RECV:
		b->ret = mbt_recv_from(b->fd, b->pid, b->data, size,
				       b->flags | MAILBOX_DEADLINE, deadline,
				       &b->rcv);
		if (b->ret >= 0 && b->ret <= MBT_BG_BUF)
			b->data[b->ret] = 0;
		break;
	case MBT_BG_POLL:
		r = poll(&pfd, 1, ms);
		b->ret = r < 0 ? -errno : r ? pfd.revents : 0;
		break;
	case MBT_BG_EPOLL:
		r = epoll_wait(b->fd, &ev, 1, ms);
		b->ret = r < 0 ? -errno : r ? (int)ev.events : 0;
		break;
	}
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start the call @b describes in a new thread: 0 or -errno. */
int mbt_bg_start(struct mbt_bg *b)
{
	b->ret = MBT_NOT_DONE;
	b->done = 0;
	b->tid = 0;
	return -pthread_create(&b->thread, NULL, mbt_bg_main, b);
}

/* Give the thread MBT_SETTLE_MS to fall asleep: is it still in its call? */
bool mbt_bg_running(struct mbt_bg *b)
{
	mbt_sleep_ms(MBT_SETTLE_MS);
	return !__atomic_load_n(&b->done, __ATOMIC_ACQUIRE);
}

/* Join @b's thread within @ms: 0 (its result is in b->ret) or -errno. */
int mbt_bg_join(struct mbt_bg *b, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000 + 1;
	return -pthread_timedjoin_np(b->thread, NULL, &ts);
}
