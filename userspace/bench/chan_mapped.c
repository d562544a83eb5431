// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the mapped mailbox transport (mailbox-mapped): a mailbox
 * created with MBOX_MAPPED, its ring claimed with mbox_map() by the
 * producer and the consumer, messages copied in and out of the ring with
 * mbox_map_send()/mbox_map_receive(). The ring has --depth slots rounded
 * up to a power of two.
 */
#include "ipcbench.h"

static void chan_mapped_setup(struct chan *c)
{
	struct mbox_attr a = MBOX_ATTR_INIT;
	unsigned int slots = 2;
	int fd;

	while (slots < opt_depth)
		slots *= 2;
	a.capacity = slots;
	a.msg_size_max = c->size;
	snprintf(c->name, sizeof(c->name), "ipcbench.%d.%u",
		 (int)getpid(), chan_serial);
	fd = mbox_create(c->name, MBOX_EXCL | MBOX_MAPPED, &a);
	if (fd < 0)
		die("mbox_create %s: %s", c->name, strerror(-fd));
	mbox_close(fd);
}

static void chan_mapped_open(struct chan *c, enum role role)
{
	int ret;

	c->fd = mbox_open(c->name, role == SEND ? MBOX_SEND_ONLY : MBOX_RECV_ONLY);
	if (c->fd < 0)
		die("mbox_open %s: %s", c->name, strerror(-c->fd));
	c->sender = role == SEND;
	ret = mbox_map(c->fd, role == SEND ? MBOX_MAP_PRODUCER :
					     MBOX_MAP_CONSUMER, &c->map);
	if (ret)
		die("mbox_map %s: %s", c->name, strerror(-ret));
}

static void chan_mapped_send(struct chan *c, unsigned char *buf)
{
	int ret = mbox_map_send(c->map, buf, c->size, 0, NULL);

	if (ret)
		die("mbox_map_send: %s", strerror(-ret));
}

static long chan_mapped_recv(struct chan *c, unsigned char *buf)
{
	ssize_t n = mbox_map_receive(c->map, buf, c->size, 0, NULL);

	if (n < 0)
		die("mbox_map_receive: %s", strerror((int)-n));
	return n;
}

static void chan_mapped_teardown(struct chan *c)
{
	mbox_unlink(c->name);
}

const struct chan_ops chan_mapped_ops = {
	.setup = chan_mapped_setup,
	.open = chan_mapped_open,
	.send = chan_mapped_send,
	.recv = chan_mapped_recv,
	.teardown = chan_mapped_teardown,
};
