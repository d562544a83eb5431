// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the mailbox transports, through libmailbox: mailbox (blocking
 * calls), mailbox-nb (mbox_trysend()/mbox_tryreceive() and poll(2)),
 * mailbox-batch (BATCH messages per system call).
 */
#include "ipcbench.h"

static void chan_mbox_setup(struct chan *c)
{
	struct mbox_attr a = MBOX_ATTR_INIT;
	int fd;

	a.capacity = opt_depth;
	a.msg_size_max = c->size;
	snprintf(c->name, sizeof(c->name), "ipcbench.%d.%u",
		 (int)getpid(), chan_serial);
	fd = mbox_create(c->name, MBOX_EXCL, &a);
	if (fd < 0)
		die("mbox_create %s: %s", c->name, strerror(-fd));
	mbox_close(fd);
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
void chan_mbox_flush(struct chan *c)
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

static void chan_mbox_open(struct chan *c, enum role role)
{
	c->fd = mbox_open(c->name, role == SEND ? MBOX_SEND_ONLY : MBOX_RECV_ONLY);
	if (c->fd < 0)
		die("mbox_open %s: %s", c->name, strerror(-c->fd));
	c->sender = role == SEND;
	if (c->kind == T_MBOX_BATCH)
		batch_alloc(c);
}

static void chan_mbox_send(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
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
	default:	/* T_MBOX_BATCH */
		memcpy(c->vec[c->nvec].buf, buf, len);
		c->vec[c->nvec++].len = len;
		if (c->nvec == BATCH)
			chan_mbox_flush(c);
		return;
	}
}

static long chan_mbox_recv(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n;

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
	default:	/* T_MBOX_BATCH */
		return batch_recv(c, buf);
	}
}

static void chan_mbox_teardown(struct chan *c)
{
	mbox_unlink(c->name);
}

const struct chan_ops chan_mbox_ops = {
	.setup = chan_mbox_setup,
	.open = chan_mbox_open,
	.send = chan_mbox_send,
	.recv = chan_mbox_recv,
	.teardown = chan_mbox_teardown,
};
