// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: a channel, one queue of one transport; each call hands over to
 * the transport's family (chan_mailbox.c, chan_mapped.c, chan_shmring.c,
 * chan_pipe_socket.c, chan_mq_sysv.c). Both ends are opened in each child
 * as needed.
 */
#include "ipcbench.h"

/* a serial number for each channel: part of its name or key */
unsigned int chan_serial;

static const struct chan_ops *const ops[T_COUNT] = {
	[T_MBOX]	= &chan_mbox_ops,
	[T_MBOX_NB]	= &chan_mbox_ops,
	[T_MBOX_BATCH]	= &chan_mbox_ops,
	[T_MBOX_MAPPED]	= &chan_mapped_ops,
	[T_SHM_SPIN]	= &chan_shm_ops,
	[T_SHM_FUTEX]	= &chan_shm_ops,
	[T_PIPE]	= &chan_pipe_ops,
	[T_UNIX]	= &chan_unix_ops,
	[T_MQ]		= &chan_mq_ops,
	[T_MBOX_MQ]	= &chan_mq_ops,
	[T_SYSV]	= &chan_sysv_ops,
};

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
	if (ops[kind] && ops[kind]->setup)
		ops[kind]->setup(c);
}

void chan_open(struct chan *c, enum role role)
{
	if (ops[c->kind] && ops[c->kind]->open)
		ops[c->kind]->open(c, role);
}

void chan_send(struct chan *c, unsigned char *buf)
{
	if (!ops[c->kind] || !ops[c->kind]->send)
		die("send on %s", transports[c->kind].name);
	ops[c->kind]->send(c, buf);
}

long chan_recv(struct chan *c, unsigned char *buf)
{
	if (!ops[c->kind] || !ops[c->kind]->recv)
		die("receive on %s", transports[c->kind].name);
	return ops[c->kind]->recv(c, buf);
}

/* this process is done with the channel (the child exits anyway) */
void chan_close(struct chan *c)
{
	if (c->kind == T_MBOX_BATCH && c->fd >= 0 && c->sender)
		chan_mbox_flush(c);
	free(c->batch);
	c->batch = NULL;
	if (c->map)
		mbox_map_close(c->map);
	c->map = NULL;
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
	if (ops[c->kind] && ops[c->kind]->teardown)
		ops[c->kind]->teardown(c);
	if (c->fds[0] >= 0)
		close(c->fds[0]);
	if (c->fds[1] >= 0)
		close(c->fds[1]);
}
