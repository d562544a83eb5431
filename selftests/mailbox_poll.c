// SPDX-License-Identifier: GPL-2.0
/*
 * poll, epoll and O_NONBLOCK descriptors: the readiness of a mailbox,
 * pollers woken by a send or a receive, edge-triggered epoll.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/epoll.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "api")

TEST_F(mbox, poll_states)
{
	const char *name;
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 2, 64);
	int rdv = MBT_MAKE_BOX(&name, 0, 0600, 0, 64);
	int tx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);

	EXPECT_EQ(POLLOUT, mbt_poll_now(fd));
	mbt_put(_metadata, fd, 1);
	EXPECT_EQ(POLLIN | POLLOUT, mbt_poll_now(fd));
	mbt_put(_metadata, fd, 2);
	EXPECT_EQ(POLLIN, mbt_poll_now(fd));
	mbt_get(_metadata, fd, 1);
	EXPECT_EQ(POLLIN | POLLOUT, mbt_poll_now(fd));
	mbt_get(_metadata, fd, 2);
	EXPECT_EQ(POLLOUT, mbt_poll_now(fd));

	/* Rendezvous with nobody waiting on either side. */
	EXPECT_EQ(0, mbt_poll_now(rdv));
	EXPECT_EQ(0, mbt_poll_now(tx));
	close(tx);
	close(rdv);
	close(fd);
}

/* A poller sleeping in another thread is woken by @wake. */
static void poll_woken(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mbox) *self, short events, uint32_t fill,
		       void (*wake)(struct __test_metadata *, int, uint32_t))
{
	const char *name;
	struct mbt_bg bg;
	int fd = MBT_MAKE_BOX(&name, 0, 0600, 1, 64);
	int peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	uint32_t i;
	int revents;

	for (i = 0; i < fill; i++)
		mbt_put(_metadata, fd, 8);
	mbt_bg_on(_metadata, &bg, MBT_BG_POLL, peer, events);
	EXPECT_TRUE(mbt_bg_running(&bg)) TH_LOG("poll returned 0x%x early", bg.ret);
	wake(_metadata, fd, 8);
	revents = mbt_bg_wait(_metadata, &bg);
	EXPECT_EQ(events, revents & events);
	EXPECT_FALSE(revents & POLLHUP);
	close(peer);
	close(fd);
}

TEST_F(mbox, poll_woken_by_send)
{
	poll_woken(_metadata, self, POLLIN, 0, mbt_put);
}

TEST_F(mbox, poll_woken_by_recv)
{
	poll_woken(_metadata, self, POLLOUT, 1, mbt_get);
}

static int epoll_on(struct __test_metadata *_metadata, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	return ep;
}

static int epoll_now(int ep, uint32_t *events)
{
	struct epoll_event ev = { 0 };
	int n = epoll_wait(ep, &ev, 1, 0);

	*events = n > 0 ? ev.events : 0;
	return n;
}

TEST_F(mbox, epoll_edge)
{
	int fd = MBT_SMALL_BOX(NULL);
	int ep = epoll_on(_metadata, fd, EPOLLIN | EPOLLET);
	uint32_t events;

	EXPECT_EQ(0, epoll_now(ep, &events));
	mbt_put(_metadata, fd, 3);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(MBT_U32(EPOLLIN), events);
	/* Edge-triggered: reported once... */
	EXPECT_EQ(0, epoll_now(ep, &events));
	/* ...until the next message arrives. */
	mbt_put(_metadata, fd, 4);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(MBT_U32(EPOLLIN), events);
	mbt_get(_metadata, fd, 3);
	mbt_get(_metadata, fd, 4);
	EXPECT_EQ(0, epoll_now(ep, &events));
	close(ep);

	/* Level-triggered EPOLLOUT on a mailbox with room. */
	ep = epoll_on(_metadata, fd, EPOLLOUT);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(MBT_U32(EPOLLOUT), events);
	EXPECT_EQ(1, epoll_now(ep, &events));
	close(ep);
	close(fd);
}

TEST_F(mbox, epoll_woken_by_send)
{
	const char *name;
	struct mbt_bg bg;
	int fd = MBT_SMALL_BOX(&name);
	int peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	int ep = epoll_on(_metadata, peer, EPOLLIN | EPOLLET);

	mbt_bg_on(_metadata, &bg, MBT_BG_EPOLL, ep, 0);
	EXPECT_TRUE(mbt_bg_running(&bg));
	mbt_put(_metadata, fd, 5);
	EXPECT_EQ(EPOLLIN, mbt_bg_wait(_metadata, &bg));
	close(ep);
	close(peer);
	close(fd);
}

TEST_F(mbox, nonblock_descriptor)
{
	const char *name = mbt_new_name_as(_metadata, &self->e, "nonblock");
	char buf[64];
	int fd = mbt_dev_flags(O_NONBLOCK);
	int peer;

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_create_fd(fd, name, MAILBOX_CREATE_EXCL, 0600, 1, 64));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	mbt_put(_metadata, fd, 4);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, mbt_payload, 4, 0, 0, NULL));
	EXPECT_EQ(1U, mbt_info(_metadata, fd).depth);

	/* Also for a descriptor bound with OPEN. */
	peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, mbt_send(peer, mbt_payload, 4, 0, 0, NULL));
	EXPECT_EQ(4, mbt_recv(peer, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(peer, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).recv_blocked);
	close(peer);
	close(fd);
}

TEST_HARNESS_MAIN
