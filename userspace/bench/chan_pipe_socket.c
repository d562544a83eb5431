// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the descriptor-pair transports: pipe (pipe(2), each message
 * one write(2) / read(2)) and unix (socketpair(AF_UNIX, SOCK_SEQPACKET)).
 * fds[0] is the receive end, fds[1] the send end; chan_teardown() closes
 * them.
 */
#include "ipcbench.h"

static void chan_pipe_setup(struct chan *c)
{
	int want = (int)(opt_depth * c->size);

	if (pipe(c->fds + 0) < 0)
		die("pipe: %s", strerror(errno));
	if (want < 4096)
		want = 4096;
	/* best effort: 1 MiB unless root */
	fcntl(c->fds[1], F_SETPIPE_SZ, want);
}

static void chan_unix_setup(struct chan *c)
{
	int sv[2], buf = (int)(opt_depth * (c->size + 1024));

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
	c->fds[0] = sv[0];
	c->fds[1] = sv[1];
	if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
}

static void chan_pipe_send(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n = write(c->fds[1], buf, len);

	if (n != (ssize_t)len)
		die("pipe write: %zd: %s", n, strerror(errno));
}

static long chan_pipe_recv(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n, got;

	/* a byte stream: read exactly one message */
	for (got = 0; got < (ssize_t)len; got += n) {
		n = read(c->fds[0], buf + got, len - got);
		if (n <= 0)
			die("pipe read: %zd: %s", n, n ? strerror(errno) : "EOF");
	}
	return got;
}

static void chan_unix_send(struct chan *c, unsigned char *buf)
{
	unsigned int len = c->size;
	ssize_t n = send(c->fds[1], buf, len, 0);

	if (n != (ssize_t)len)
		die("unix send: %zd: %s", n, strerror(errno));
}

static long chan_unix_recv(struct chan *c, unsigned char *buf)
{
	ssize_t n = recv(c->fds[0], buf, c->size, 0);

	if (n < 0)
		die("unix recv: %s", strerror(errno));
	return n;
}

const struct chan_ops chan_pipe_ops = {
	.setup = chan_pipe_setup,
	.send = chan_pipe_send,
	.recv = chan_pipe_recv,
};

const struct chan_ops chan_unix_ops = {
	.setup = chan_unix_setup,
	.send = chan_unix_send,
	.recv = chan_unix_recv,
};
