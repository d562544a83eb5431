// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the shared-memory ring transports (libshmring, a System V
 * segment of fixed slots): shm-spin (SHMRING_SPIN) and shm-futex
 * (SHMRING_FUTEX).
 */
#include "ipcbench.h"

static void chan_shm_setup(struct chan *c)
{
	/* created by the first process to open it */
	c->key = (key_t)(0x1b000000 | ((getpid() & 0xffff) << 8) |
			 (chan_serial & 0xff));
}

static void chan_shm_open(struct chan *c, enum role role)
{
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
}

static void chan_shm_send(struct chan *c, unsigned char *buf)
{
	int ret = shmring_send(c->ring, buf, c->size);

	if (ret)
		die("shmring_send: %s", strerror(-ret));
}

static long chan_shm_recv(struct chan *c, unsigned char *buf)
{
	ssize_t n = shmring_recv(c->ring, buf, c->size);

	if (n < 0)
		die("shmring_recv: %s", strerror((int)-n));
	return n;
}

static void chan_shm_teardown(struct chan *c)
{
	int id;

	/* normally gone already (destroyed once both attached) */
	id = shmget(c->key, 0, 0);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

const struct chan_ops chan_shm_ops = {
	.setup = chan_shm_setup,
	.open = chan_shm_open,
	.send = chan_shm_send,
	.recv = chan_shm_recv,
	.teardown = chan_shm_teardown,
};
