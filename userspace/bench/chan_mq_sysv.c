// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the message-queue transports of the C library: posix-mq
 * (mq_open(3)) and sysv-msg (msgget(2)); and mailbox-mq, the same mq_*()
 * calls made to libmailbox-mq (../mq/mqlib.h).
 */
#include "ipcbench.h"
#include "../mq/mqlib.h"

static const struct mq_api libc_mq = {
	mq_open, mq_close, mq_unlink, mq_send, mq_receive, mq_setattr,
};

static const struct mq_api mailbox_mq = {
	mqlib_open, mqlib_close, mqlib_unlink, mqlib_send, mqlib_receive,
	mqlib_setattr,
};

const struct mq_api *mq_api(enum kind k)
{
	return k == T_MBOX_MQ ? &mailbox_mq : &libc_mq;
}

static void chan_mq_setup(struct chan *c)
{
	struct mq_attr a = { .mq_maxmsg = opt_depth, .mq_msgsize = c->size };
	mqd_t q;

	snprintf(c->name, sizeof(c->name), "/ipcbench.%d.%u",
		 (int)getpid(), chan_serial);
	q = mq_api(c->kind)->open(c->name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	if (q == (mqd_t)-1 && (errno == EINVAL || errno == EPERM ||
			       errno == EMFILE)) {
		a.mq_maxmsg = 10;	/* the unprivileged default */
		q = mq_api(c->kind)->open(c->name, O_CREAT | O_EXCL | O_RDWR,
					  0600, &a);
	}
	if (q == (mqd_t)-1)
		die("mq_open %s: %s", c->name, strerror(errno));
	mq_api(c->kind)->close(q);
}

static void chan_mq_open(struct chan *c, enum role role)
{
	c->mq = mq_api(c->kind)->open(c->name, role == SEND ? O_WRONLY : O_RDONLY);
	if (c->mq == (mqd_t)-1)
		die("mq_open %s: %s", c->name, strerror(errno));
}

static void chan_mq_send(struct chan *c, unsigned char *buf)
{
	if (mq_api(c->kind)->send(c->mq, (const char *)buf, c->size, 0))
		die("mq_send: %s", strerror(errno));
}

static long chan_mq_recv(struct chan *c, unsigned char *buf)
{
	ssize_t n = mq_api(c->kind)->receive(c->mq, (char *)buf, c->size, NULL);

	if (n < 0)
		die("mq_receive: %s", strerror(errno));
	return n;
}

static void chan_mq_teardown(struct chan *c)
{
	mq_api(c->kind)->unlink(c->name);
}

static void chan_sysv_setup(struct chan *c)
{
	struct msqid_ds ds;

	c->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (c->msqid < 0)
		die("msgget: %s", strerror(errno));
	if (msgctl(c->msqid, IPC_STAT, &ds) == 0 &&
	    ds.msg_qbytes < (unsigned long)opt_depth * c->size) {
		ds.msg_qbytes = (unsigned long)opt_depth * c->size;
		msgctl(c->msqid, IPC_SET, &ds);	/* best effort */
	}
}

/* buf is preceded by room for the long mtype */
static void chan_sysv_send(struct chan *c, unsigned char *buf)
{
	((long *)(void *)buf)[-1] = 1;
	if (msgsnd(c->msqid, buf - sizeof(long), c->size, 0))
		die("msgsnd: %s", strerror(errno));
}

static long chan_sysv_recv(struct chan *c, unsigned char *buf)
{
	ssize_t n = msgrcv(c->msqid, buf - sizeof(long), c->size, 0, 0);

	if (n < 0)
		die("msgrcv: %s", strerror(errno));
	return n;
}

static void chan_sysv_teardown(struct chan *c)
{
	msgctl(c->msqid, IPC_RMID, NULL);
}

const struct chan_ops chan_mq_ops = {
	.setup = chan_mq_setup,
	.open = chan_mq_open,
	.send = chan_mq_send,
	.recv = chan_mq_recv,
	.teardown = chan_mq_teardown,
};

const struct chan_ops chan_sysv_ops = {
	.setup = chan_sysv_setup,
	.send = chan_sysv_send,
	.recv = chan_sysv_recv,
	.teardown = chan_sysv_teardown,
};
