// SPDX-License-Identifier: GPL-2.0
/*
 * What a mailbox reports about itself: STAT, the /proc/mailboxes list
 * (its lines read through mbt_proc_find(), and as text where the text is
 * the subject) and the fdinfo of its descriptors.
 */
#define _GNU_SOURCE
#include <poll.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "api")

/* Every field of @got but next_len is as in @want. */
static void expect_info(struct __test_metadata *_metadata,
			const struct mailbox_info *want,
			const struct mailbox_info *got)
{
	EXPECT_STREQ(want->name, got->name);
	EXPECT_EQ(want->state, got->state);
	EXPECT_EQ(want->mode, got->mode);
	EXPECT_EQ(want->uid, got->uid);
	EXPECT_EQ(want->gid, got->gid);
	EXPECT_EQ(want->capacity, got->capacity);
	EXPECT_EQ(want->msg_size_max, got->msg_size_max);
	EXPECT_EQ(want->depth, got->depth);
	EXPECT_EQ(want->bytes, got->bytes);
	EXPECT_EQ(want->receivers_waiting, got->receivers_waiting);
	EXPECT_EQ(want->senders_waiting, got->senders_waiting);
	EXPECT_EQ(want->access, got->access);
	EXPECT_EQ(want->flags, got->flags);
	EXPECT_EQ(want->sent, got->sent);
	EXPECT_EQ(want->received, got->received);
	EXPECT_EQ(want->send_blocked, got->send_blocked);
	EXPECT_EQ(want->recv_blocked, got->recv_blocked);
	EXPECT_EQ(want->dropped, got->dropped);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), got->prio_max);
}

TEST_F(mbox, stat_fields)
{
	struct mailbox_info info, want = {
		.state = MAILBOX_STATE_LINKED, .mode = 0640,
		.uid = geteuid(), .gid = getegid(),
		.capacity = 4, .msg_size_max = 128,
		.access = MAILBOX_ACCESS_ALL, .flags = 0,
	};
	const char *name;
	char buf[64];
	int fd = MBT_MAKE_BOX(&name, 0, 0640, 4, 128);

	snprintf(want.name, sizeof(want.name), "%s", name);
	info = mbt_info(_metadata, fd);
	expect_info(_metadata, &want, &info);

	mbt_put(_metadata, fd, 10);
	mbt_put(_metadata, fd, 20);
	mbt_put(_metadata, fd, 30);
	mbt_get(_metadata, fd, 10);
	mbt_put(_metadata, fd, 40);
	mbt_put(_metadata, fd, 50);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, mbt_payload, 5, MAILBOX_NONBLOCK, 0, NULL));
	info = mbt_info(_metadata, fd);
	want.depth = 4;
	want.bytes = 20 + 30 + 40 + 50;
	want.sent = 5;
	want.received = 1;
	expect_info(_metadata, &want, &info);
	EXPECT_EQ(20U, info.next_len);

	EXPECT_EQ(20, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	info = mbt_info(_metadata, fd);
	want.depth = 3;
	want.bytes = 30 + 40 + 50;
	want.received = 2;
	expect_info(_metadata, &want, &info);
	EXPECT_EQ(30U, info.next_len);

	ASSERT_EQ(0, mbt_unlink(name));
	info = mbt_info(_metadata, fd);
	want.state = MAILBOX_STATE_UNLINKED;
	expect_info(_metadata, &want, &info);
	close(fd);
}

TEST_F(mbox, stat_owned_and_access)
{
	const char *name;
	int owner = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED,
			     0600, 2, 16);
	int tx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	struct mailbox_info info = mbt_info(_metadata, tx);

	EXPECT_EQ(MBT_U32(MAILBOX_CREATE_OWNED), info.flags);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_SEND), info.access);
	EXPECT_EQ(2U, info.capacity);
	EXPECT_EQ(16U, info.msg_size_max);
	info = mbt_info(_metadata, owner);
	EXPECT_EQ(MBT_U32(MAILBOX_CREATE_OWNED), info.flags);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_ALL), info.access);
	close(tx);
	close(owner);
}

/*
 * The listed state of @fd's mailbox agrees with its STAT, and its state and
 * owner are @state and @owner.
 */
static struct mbt_state state_as_stat(struct __test_metadata *_metadata,
				      int fd, uint32_t state, uint32_t owner)
{
	struct mailbox_info info = mbt_info(_metadata, fd), got;
	struct mbt_state st;

	ASSERT_EQ(1, mbt_proc_find(info.name, -1, &st))
		TH_LOG("%s not listed once", info.name);
	EXPECT_EQ(info.state, st.state);
	EXPECT_EQ(MBT_U32(info.flags & MAILBOX_CREATE_OWNED ? MBT_OWNER_OWNED :
			  MBT_OWNER_NONE), st.owner);
	EXPECT_EQ(state, st.state);
	EXPECT_EQ(owner, st.owner);
	/* the rest, as STAT says; the list has no access or flags */
	got = info;
#define COPY(field) got.field = st.field;
	MBT_STATE_STAT_FIELDS(COPY)
#undef COPY
	expect_info(_metadata, &info, &got);
	return st;
}

TEST_F(mbox, proc_mailboxes)
{
	struct mbt_state st;
	struct mbt_bg bg;
	char header[512];
	const char *name;
	int fd = MBT_MAKE_BOX(&name, 0, 0640, 5, 100);
	int owned;

	ASSERT_EQ(0, mbt_proc_header(header, sizeof(header)));
	EXPECT_TRUE(strstr(header, "name") && strstr(header, "state"))
		TH_LOG("header: %s", header);
	EXPECT_NE(0, mbt_proc_parse(header, &st)) TH_LOG("header: %s", header);

	mbt_put(_metadata, fd, 3);
	mbt_put(_metadata, fd, 4);
	mbt_get(_metadata, fd, 3);
	mbt_put(_metadata, fd, 5);
	st = state_as_stat(_metadata, fd, MAILBOX_STATE_LINKED,
			   MBT_OWNER_NONE);
	/* STAT's values are checked by stat_fields; a few for good measure */
	EXPECT_EQ(0640U, st.mode);
	EXPECT_EQ(100U, st.msg_size_max);
	EXPECT_EQ(9U, st.bytes);

	ASSERT_EQ(0, mbt_unlink(name));
	st = state_as_stat(_metadata, fd, MAILBOX_STATE_UNLINKED,
			   MBT_OWNER_NONE);
	EXPECT_EQ(2U, st.depth);
	close(fd);
	EXPECT_EQ(0, mbt_proc_find(name, -1, &st));

	/* An owned rendezvous with a receiver waiting. */
	owned = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED, 0602, 0, 1);
	mbt_bg_on(_metadata, &bg, MBT_BG_RECV, owned, 0);
	ASSERT_EQ(0, mbt_wait_waiters(owned, 1, 0, MBT_SLACK_MS));
	st = state_as_stat(_metadata, owned, MAILBOX_STATE_LINKED,
			   MBT_OWNER_OWNED);
	EXPECT_EQ(0602U, st.mode);
	EXPECT_EQ(0U, st.capacity);
	EXPECT_EQ(1U, st.receivers_waiting);
	EXPECT_EQ(0, mbt_send(owned, "x", 1, 0, 0, NULL));
	EXPECT_EQ(1, mbt_bg_wait(_metadata, &bg));
	st = state_as_stat(_metadata, owned, MAILBOX_STATE_LINKED,
			   MBT_OWNER_OWNED);
	EXPECT_EQ(1U, st.recv_blocked);
	EXPECT_EQ(0U, st.receivers_waiting);
	close(owned);
	EXPECT_EQ(0, mbt_proc_find(name, -1, &st));
}

/* /proc/mailboxes escapes space and backslash in names, octal. */
TEST_F(mbox, proc_escaped_name)
{
	char escaped[4 * MAILBOX_NAME_LEN + 1];
	const char *name = mbt_new_name_as(_metadata, &self->e,
					   "with space\\slash");
	struct mbt_state st;
	int fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 2, 8);

	ASSERT_LE(0, fd);
	mbt_proc_escape(name, escaped, sizeof(escaped));
	EXPECT_TRUE(strstr(escaped, "with\\040space\\134slash") == escaped);
	/* the reader unescapes \ooo: a name listed otherwise is not found */
	ASSERT_EQ(1, mbt_proc_find(name, -1, &st))
		TH_LOG("%s not listed", escaped);
	EXPECT_STREQ(name, st.name);
	EXPECT_EQ(2U, st.capacity);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), st.state);
	close(fd);
}

/* fdinfo of @fd must name mailbox @name; returns its access line. */
static void fdinfo_access(struct __test_metadata *_metadata, int fd,
			  const char *name, char *acc, size_t size)
{
	char info[1024], want[128];
	char *line;

	ASSERT_LT(0, mbt_fdinfo(fd, info, sizeof(info)));
	snprintf(want, sizeof(want), "mailbox:\t%s\n", name);
	EXPECT_TRUE(strstr(info, want) != NULL) TH_LOG("fdinfo:\n%s", info);
	line = strstr(info, "access:\t");
	ASSERT_TRUE(line != NULL) TH_LOG("fdinfo:\n%s", info);
	line[strcspn(line, "\n")] = '\0';
	snprintf(acc, size, "%s", line);
}

TEST_F(mbox, fdinfo)
{
	const char *name;
	int fd = MBT_SMALL_BOX(&name);
	int tx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	char acc[64];

	fdinfo_access(_metadata, fd, name, acc, sizeof(acc));
	EXPECT_TRUE(strstr(acc, "send") != NULL) TH_LOG("%s", acc);
	EXPECT_TRUE(strstr(acc, "recv") != NULL) TH_LOG("%s", acc);
	fdinfo_access(_metadata, tx, name, acc, sizeof(acc));
	EXPECT_TRUE(strstr(acc, "send") != NULL) TH_LOG("%s", acc);
	EXPECT_TRUE(strstr(acc, "recv") == NULL) TH_LOG("%s", acc);
	close(tx);
	close(fd);
}

TEST_HARNESS_MAIN

