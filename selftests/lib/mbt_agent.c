// SPDX-License-Identifier: GPL-2.0
/*
 * Agents: children that run one command at a time, read from a pipe, and
 * answer over another, so that the order of events among processes is the
 * test's. Used where a test needs other processes to send (SEND_TO from
 * another pid), receive or own a direct mailbox at a moment it chooses.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <poll.h>
#include "mbt.h"

/* The descriptor the agent binds (and replaces) by OPEN and OPEN_DIRECT. */
static void mbt_agent_bind(int *fd, int nfd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = nfd;
}

/* Run @c with @tx (unbound) and *@fd (bound, or -1); fill @r. */
static void mbt_agent_run(const struct mbt_ag_cmd *c, int tx, int *fd,
			  struct mbt_ag_reply *r)
{
	uint64_t deadline = c->flags & MAILBOX_DEADLINE ?
			    mbt_deadline_ms(c->timeout_ms) : 0;
	int nfd;

	switch (c->op) {
	case MBT_AG_SEND_TO:
		r->ret = mbt_send_ex(tx, c->pid, c->msg, strlen(c->msg),
				     c->flags, deadline, c->priority, &r->snd);
		break;
	case MBT_AG_SEND:
		r->ret = mbt_send_ex(*fd, 0, c->msg, strlen(c->msg), c->flags,
				     deadline, c->priority, &r->snd);
		break;
	case MBT_AG_RECV:
		r->ret = mbt_recv_from(*fd, c->pid, r->data, MBT_DLV_MSG_MAX,
				       c->flags, deadline, &r->rcv);
		if (r->ret >= 0)
			r->data[r->ret] = '\0';
		break;
	case MBT_AG_OPEN_DIRECT:
		nfd = mbt_dev();
		r->ret = nfd < 0 ? nfd :
			 mbt_open_direct_fd(nfd, c->capacity, MBT_DLV_MSG_MAX,
					    c->delivery, MAILBOX_POLICY_ANY,
					    NULL, 0);
		if (r->ret < 0 && nfd >= 0)
			close(nfd);
		if (r->ret >= 0)
			mbt_agent_bind(fd, nfd);
		break;
	case MBT_AG_OPEN:
		nfd = mbt_open(c->name, c->access);
		r->ret = nfd < 0 ? nfd : 0;
		if (nfd >= 0)
			mbt_agent_bind(fd, nfd);
		break;
	case MBT_AG_CLOSE:
		r->ret = close(*fd) ? -errno : 0;
		*fd = -1;
		break;
	case MBT_AG_STAT:
		r->ret = mbt_stat(*fd, &r->info);
		break;
	default:
		r->ret = -EINVAL;
		break;
	}
}

static int mbt_agent_main(void *p)
{
	struct mbt_agent *a = p;
	struct mbt_ag_reply r;
	struct mbt_ag_cmd c;
	int fd = -1, tx, i;
	uint64_t t0;
	ssize_t n;

	/* Hold no descriptor of the test's (a direct one would stay bound). */
	for (i = 3; i < 1024; i++)
		if (i != a->cmd_rd && i != a->rep_wr)
			close(i);
	tx = mbt_dev();
	if (tx < 0)
		return 2;
	for (;;) {
		n = read(a->cmd_rd, &c, sizeof(c));
		if (n == 0)
			return 0;
		if (n != sizeof(c))
			return 3;
		if (c.op == MBT_AG_EXIT)
			return 0;
		memset(&r, 0, sizeof(r));
		t0 = mbt_now_ns();
		mbt_agent_run(&c, tx, &fd, &r);
		r.elapsed_ns = mbt_now_ns() - t0;
		if (write(a->rep_wr, &r, sizeof(r)) != sizeof(r))
			return 4;
	}
}

/* Start agent @a, a child listed in @k: 0 or -errno. */
int mbt_agent_spawn(struct mbt_kids *k, struct mbt_agent *a)
{
	int c[2], r[2];

	if (pipe2(c, O_CLOEXEC))
		return -errno;
	if (pipe2(r, O_CLOEXEC)) {
		close(c[0]);
		close(c[1]);
		return -errno;
	}
	a->cmd_rd = c[0];
	a->cmd_wr = c[1];
	a->rep_rd = r[0];
	a->rep_wr = r[1];
	a->pid = mbt_spawn(k, mbt_agent_main, a);
	close(a->cmd_rd);
	close(a->rep_wr);
	if (a->pid < 0) {
		close(a->cmd_wr);
		close(a->rep_rd);
		return a->pid;
	}
	return 0;
}

/* Hand @c to agent @a without waiting for its answer: 0 or -errno. */
int mbt_agent_post(struct mbt_agent *a, const struct mbt_ag_cmd *c)
{
	return write(a->cmd_wr, c, sizeof(*c)) == sizeof(*c) ? 0 : -EPIPE;
}

/*
 * The answer of @a to the command posted last, within @ms: 0, -ETIMEDOUT
 * or -EPIPE (the agent died).
 */
int mbt_agent_reply(struct mbt_agent *a, long ms, struct mbt_ag_reply *r)
{
	struct pollfd pfd = { .fd = a->rep_rd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1)
		return -ETIMEDOUT;
	return read(a->rep_rd, r, sizeof(*r)) == sizeof(*r) ? 0 : -EPIPE;
}

static int mbt_exit_now(void *p)
{
	(void)p;
	return 0;
}

/*
 * The pid of a child of @k that has exited and been reaped (within
 * MBT_SLACK_MS), so that it names no process for now: or -errno.
 */
pid_t mbt_dead_pid(struct mbt_kids *k)
{
	pid_t pid = mbt_spawn(k, mbt_exit_now, NULL);
	int status, ret;

	if (pid < 0)
		return pid;
	ret = mbt_reap(k, pid, &status, MBT_SLACK_MS);
	if (ret)
		return ret;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? pid : -ECHILD;
}
