// SPDX-License-Identifier: GPL-2.0
/*
 * The lifetime of mailboxes: OWNED ones destroyed when their creator's
 * descriptor closes (and everything asleep in them woken with -EIDRM),
 * others living on until unlinked and closed, queued messages included.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "api")

/* Everything a descriptor of a destroyed mailbox must report. */
static void expect_dead(struct __test_metadata *_metadata, int fd,
			const char *name)
{
	struct mailbox_info info;
	char buf[16];

	info = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_DEAD), info.state);
	EXPECT_STREQ(name, info.name);
	EXPECT_EQ(-EIDRM, mbt_send(fd, mbt_payload, 4, 0, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_send(fd, mbt_payload, 4, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(POLLIN | POLLOUT | POLLHUP, mbt_poll_now(fd));
}

TEST_F(mbox, owned_destroyed_on_close)
{
	const char *name;
	int owner = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED,
			     0600, 4, 64);
	int peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	int again;

	mbt_put(_metadata, peer, 7);
	/* Closing another descriptor changes nothing. */
	close(mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, peer).state);

	close(owner);
	expect_dead(_metadata, peer, name);
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_unlink(name));

	/* The name is free again; the new mailbox is unrelated. */
	again = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 4, 64);
	ASSERT_LE(0, again);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, again).state);
	EXPECT_EQ(0U, mbt_info(_metadata, again).depth);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_DEAD), mbt_info(_metadata, peer).state);
	close(again);
	close(peer);
}

/* Close the OWNED creator while a background call sleeps on a peer. */
static void owned_close_wakes(struct __test_metadata *_metadata,
			      FIXTURE_DATA(mbox) *self, enum mbt_bg_op op,
			      uint32_t capacity, uint32_t fill,
			      uint32_t recv_waiting, uint32_t send_waiting)
{
	const char *name;
	struct mbt_bg bg;
	int owner = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED,
			     0600, capacity, 64);
	int peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	uint32_t i;

	for (i = 0; i < fill; i++)
		mbt_put(_metadata, owner, 8);
	mbt_bg_on(_metadata, &bg, op, peer, POLLIN);
	ASSERT_TRUE(!mbt_wait_waiters(owner, recv_waiting, send_waiting, MBT_SLACK_MS));
	ASSERT_TRUE(mbt_bg_running(&bg));
	close(owner);
	if (op == MBT_BG_POLL) {
		EXPECT_TRUE(mbt_bg_wait(_metadata, &bg) & POLLHUP);
	} else {
		EXPECT_EQ(-EIDRM, mbt_bg_wait(_metadata, &bg));
	}
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_DEAD), mbt_info(_metadata, peer).state);
	close(peer);
}

TEST_F(mbox, owned_close_wakes_receiver)
{
	owned_close_wakes(_metadata, self, MBT_BG_RECV, 4, 0, 1, 0);
}

TEST_F(mbox, owned_close_wakes_sender)
{
	owned_close_wakes(_metadata, self, MBT_BG_SEND, 1, 1, 0, 1);
}

TEST_F(mbox, owned_close_wakes_poller)
{
	owned_close_wakes(_metadata, self, MBT_BG_POLL, 4, 0, 0, 0);
}

/* fds[0]: the creator's descriptor, inherited, fds[1]: a peer's */
static int blocked_recv_child(struct __test_metadata __attribute__((unused)) *_metadata,
			      void *arg)
{
	int *fds = arg;
	char buf[16];

	/* The creator's file must be closed everywhere to destroy it. */
	close(fds[0]);
	return mbt_recv(fds[1], buf, sizeof(buf), MAILBOX_DEADLINE,
			mbt_deadline_ms(2 * MBT_SLACK_MS), NULL);
}

TEST_F(mbox, owned_close_wakes_receiving_process)
{
	const char *name;
	int fds[2];
	pid_t pid;

	fds[0] = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED, 0600,
			  4, 64);
	fds[1] = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	pid = mbt_spawn_as(_metadata, geteuid(), getegid(), blocked_recv_child,
		       fds);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(!mbt_wait_waiters(fds[0], 1, 0, MBT_SLACK_MS));
	close(fds[0]);
	EXPECT_EQ(-EIDRM, mbt_reap_as(_metadata, pid));
	close(fds[1]);
}

TEST_F(mbox, non_owned_survives_close)
{
	const char *name;
	int fd = MBT_SMALL_BOX(&name);

	mbt_put(_metadata, fd, 13);
	close(fd);
	fd = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, fd).state);
	EXPECT_EQ(1U, mbt_info(_metadata, fd).depth);
	EXPECT_EQ(1, mbt_state_find(name, -1, NULL));
	mbt_get(_metadata, fd, 13);
	close(fd);
}

TEST_F(mbox, close_with_queued_messages)
{
	const char *name, *owned_name;
	int fd = MBT_SMALL_BOX(&name);
	int peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	int owned = MBT_MAKE_BOX(&owned_name,
			     MAILBOX_CREATE_OWNED, 0600, 4, 64);

	mbt_put(_metadata, fd, 10);
	mbt_put(_metadata, peer, 20);
	mbt_put(_metadata, fd, 30);
	mbt_put(_metadata, owned, 40);
	mbt_put(_metadata, owned, 50);
	ASSERT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(1, mbt_state_find(name, -1, NULL));
	EXPECT_EQ(1, mbt_state_find(owned_name, -1, NULL));
	close(fd);
	EXPECT_EQ(1, mbt_state_find(name, -1, NULL));
	close(peer);
	close(owned);
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));
	EXPECT_EQ(0, mbt_state_find(owned_name, -1, NULL));
	EXPECT_EQ(-ENOENT, mbt_open_result(owned_name, MAILBOX_ACCESS_ALL));
}

TEST_HARNESS_MAIN
