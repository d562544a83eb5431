// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: a channel, one queue of one transport; each call hands over to
 * the transport's family (chan_mailbox.c, chan_shmring.c,
 * chan_pipe_socket.c, chan_mq_sysv.c). Both ends are opened in each child
 * as needed.
 */
#include "ipcbench.h"

/* a serial number for each channel: part of its name or key */
unsigned int chan_serial;

void chan_setup(struct chan *c, enum kind kind, unsigned int size)
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
	case T_MBOX_BATCH:
		chan_mbox_setup(c);
		break;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		chan_shm_setup(c);
		break;
	case T_PIPE:
		chan_pipe_setup(c);
		break;
	case T_UNIX:
		chan_unix_setup(c);
		break;
	case T_MQ:
		chan_mq_setup(c);
		break;
	case T_SYSV:
		chan_sysv_setup(c);
		break;
	default:
		break;
	}
}

void chan_open(struct chan *c, enum role role)
{
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		chan_mbox_open(c, role);
		break;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		chan_shm_open(c, role);
		break;
	case T_MQ:
		chan_mq_open(c, role);
		break;
	default:
		break;
	}
}

void chan_send(struct chan *c, unsigned char *buf)
{
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		chan_mbox_send(c, buf);
		return;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		chan_shm_send(c, buf);
		return;
	case T_PIPE:
		chan_pipe_send(c, buf);
		return;
	case T_UNIX:
		chan_unix_send(c, buf);
		return;
	case T_MQ:
		chan_mq_send(c, buf);
		return;
	case T_SYSV:
		chan_sysv_send(c, buf);
		return;
	default:
		die("send on %s", transports[c->kind].name);
	}
}

long chan_recv(struct chan *c, unsigned char *buf)
{
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		return chan_mbox_recv(c, buf);
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		return chan_shm_recv(c, buf);
	case T_PIPE:
		return chan_pipe_recv(c, buf);
	case T_UNIX:
		return chan_unix_recv(c, buf);
	case T_MQ:
		return chan_mq_recv(c, buf);
	case T_SYSV:
		return chan_sysv_recv(c, buf);
	default:
		die("receive on %s", transports[c->kind].name);
	}
}

/* this process is done with the channel (the child exits anyway) */
void chan_close(struct chan *c)
{
	if (c->kind == T_MBOX_BATCH && c->fd >= 0 && c->sender)
		chan_mbox_flush(c);
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
void chan_teardown(struct chan *c)
{
	chan_close(c);
	switch (c->kind) {
	case T_MBOX:
	case T_MBOX_NB:
	case T_MBOX_BATCH:
		chan_mbox_teardown(c);
		break;
	case T_MQ:
		chan_mq_teardown(c);
		break;
	case T_SYSV:
		chan_sysv_teardown(c);
		break;
	case T_SHM_SPIN:
	case T_SHM_FUTEX:
		chan_shm_teardown(c);
		break;
	default:
		break;
	}
	if (c->fds[0] >= 0)
		close(c->fds[0]);
	if (c->fds[1] >= 0)
		close(c->fds[1]);
}
