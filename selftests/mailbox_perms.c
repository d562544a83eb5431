// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what: the access a descriptor was bound with, the mode bits
 * of mailboxes against other users and groups, who may unlink, and the
 * limits the module parameters set (mailboxes in all and per user, bytes
 * per user, message size and capacity).
 *
 * Most tests want root: they drop to uid/gid 65534 in forked children and
 * write module parameters (restored by the teardown).
 */
#define _GNU_SOURCE

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "api")

TEST_F(mbox, access_enforced)
{
	const char *name;
	char buf[64];
	int owner = MBT_SMALL_BOX(&name);
	int tx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	int rx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);

	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_SEND), mbt_info(_metadata, tx).access);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_RECV), mbt_info(_metadata, rx).access);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_ALL), mbt_info(_metadata, owner).access);

	mbt_put(_metadata, tx, 6);
	EXPECT_EQ(-EBADF, mbt_recv(tx, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(-EBADF, mbt_recv(tx, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_recv(tx, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_send(rx, mbt_payload, 6, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_send(rx, mbt_payload, 6, 0, 0, NULL));
	EXPECT_EQ(1U, mbt_info(_metadata, owner).depth);
	mbt_get(_metadata, rx, 6);
	close(tx);
	close(rx);
	close(owner);
}

struct name_arg {
	const char *name;
	uint32_t mode;
};

static int unlink_child(struct __test_metadata __attribute__((unused)) *_metadata,
			void *arg)
{
	return mbt_unlink(((struct name_arg *)arg)->name);
}

/* Create (non-owned, so it outlives the child) and return CREATE's result. */
static int create_child(struct __test_metadata __attribute__((unused)) *_metadata,
			void *arg)
{
	struct name_arg *a = arg;
	struct mailbox_create c = mbt_create_args(a->name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, a->mode, 4,
					      64);

	return mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c);
}

TEST_F(mbox, unlink_permission)
{
	struct name_arg rootbox = { .mode = 0666 }, userbox = {
		.name = mbt_new_name_as(_metadata, &self->e, "userbox"), .mode = 0666,
	};
	struct mailbox_info info;
	int fd;

	MBT_REQUIRE_ROOT();
	fd = MBT_MAKE_BOX(&rootbox.name, 0, 0666, 4, 64);

	/* Not the owner: EPERM, even with full access by mode. */
	EXPECT_EQ(-EPERM, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, unlink_child,
				 &rootbox));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, fd).state);
	EXPECT_EQ(0, mbt_open_result(rootbox.name, MAILBOX_ACCESS_ALL));

	/* The owner may; so may root (CAP_SYS_ADMIN) for someone else's. */
	ASSERT_EQ(1, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, create_child, &userbox));
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, unlink_child, &userbox));
	ASSERT_EQ(1, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, create_child, &userbox));
	close(fd);
	fd = mbt_open_box(_metadata, userbox.name, MAILBOX_ACCESS_ALL, 0);
	info = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_NOBODY, info.uid);
	EXPECT_EQ(MBT_NOBODY, info.gid);
	EXPECT_EQ(0, mbt_unlink(userbox.name));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_UNLINKED), mbt_info(_metadata, fd).state);
	close(fd);
}

static const struct perm_case {
	uint32_t mode;
	bool in_group;	/* the child's gid is the mailbox's group */
	int send, recv;	/* expected results of binding with that access */
} perm_cases[] = {
	{ 0600, false, -EACCES, -EACCES },
	{ 0602, false, 0, -EACCES },
	{ 0604, false, -EACCES, 0 },
	{ 0606, false, 0, 0 },
	{ 0660, false, -EACCES, -EACCES },
	{ 0660, true, 0, 0 },
	{ 0620, true, 0, -EACCES },
	{ 0640, true, -EACCES, 0 },
	/* the group matches, so the "other" bits do not apply */
	{ 0606, true, -EACCES, -EACCES },
};

struct perm_arg {
	const char *name;
	const struct perm_case *pc;
	gid_t gid;
};

static int perm_child(struct __test_metadata *_metadata, void *arg)
{
	static const uint32_t accesses[] = {
		MAILBOX_ACCESS_SEND, MAILBOX_ACCESS_RECV, MAILBOX_ACCESS_ALL,
	};
	const struct perm_arg *a = arg;
	const struct perm_case *pc = a->pc;
	unsigned int i;
	int want;

	for (i = 0; i < ARRAY_SIZE(accesses); i++) {
		/* ALL needs both */
		want = 0;
		if (accesses[i] & MAILBOX_ACCESS_RECV)
			want = pc->recv;
		if ((accesses[i] & MAILBOX_ACCESS_SEND) && pc->send)
			want = pc->send;
		EXPECT_EQ(want, mbt_open_result(a->name, accesses[i]))
			TH_LOG("OPEN, access %u, mode %03o gid %u", accesses[i],
			       pc->mode, a->gid);
		/* CREATE of an existing mailbox is an open: same checks. */
		EXPECT_EQ(want, mbt_create_result(a->name, accesses[i]))
			TH_LOG("CREATE, access %u, mode %03o gid %u",
			       accesses[i], pc->mode, a->gid);
	}
	return 0;
}

TEST_F(mbox, permission_modes)
{
	struct perm_arg arg;
	unsigned int i;
	int fd;

	MBT_REQUIRE_ROOT();
	if (getegid() == MBT_NOBODY)
		SKIP(return, "the test's own group is %u", MBT_NOBODY);
	for (i = 0; i < ARRAY_SIZE(perm_cases); i++) {
		arg.pc = &perm_cases[i];
		arg.gid = arg.pc->in_group ? getegid() : MBT_NOBODY;
		fd = MBT_MAKE_BOX(&arg.name, 0, arg.pc->mode, 4,
			      64);
		EXPECT_EQ(getegid(), mbt_info(_metadata, fd).gid);
		EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, arg.gid, perm_child,
				    &arg));
		/* Root (CAP_IPC_OWNER) is not bound by the mode. */
		EXPECT_EQ(0, mbt_open_result(arg.name, MAILBOX_ACCESS_ALL));
		close(fd);
		EXPECT_EQ(0, mbt_unlink(arg.name));
	}
}

static int owner_bits_child(struct __test_metadata *_metadata, void *arg)
{
	const char *name = ((struct name_arg *)arg)->name;

	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(-EACCES, mbt_open_result(name, MAILBOX_ACCESS_RECV));
	EXPECT_EQ(-EACCES, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	return 0;
}

TEST_F(mbox, permission_owner_bits)
{
	/* Owner may only write; group and other everything. */
	struct name_arg box = { .name = mbt_new_name_as(_metadata, &self->e, "ownerbits"),
				.mode = 0266 };
	int fd;

	MBT_REQUIRE_ROOT();
	ASSERT_EQ(1, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, create_child, &box));
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, owner_bits_child, &box));
	/* root bypasses the mode (CAP_IPC_OWNER) */
	fd = mbt_open_box(_metadata, box.name, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(0266U, mbt_info(_metadata, fd).mode);
	close(fd);
}

static int creator_mode0_child(struct __test_metadata *_metadata, void *arg)
{
	const char *name = ((struct name_arg *)arg)->name;
	struct mailbox_info info;
	char buf[8];
	int fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0, 2, 8);

	if (fd < 0)
		return fd;
	EXPECT_EQ(0, mbt_send(fd, "mode0", 5, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(5, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, mbt_stat(fd, &info));
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_ALL), info.access);
	EXPECT_EQ(0U, info.mode);
	/* Anyone else, the same user included, is checked against mode 0. */
	EXPECT_EQ(-EACCES, mbt_open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(-EACCES, mbt_open_result(name, MAILBOX_ACCESS_RECV));
	EXPECT_EQ(-EACCES, mbt_create_result(name, MAILBOX_ACCESS_SEND));
	close(fd);
	return 0;
}

TEST_F(mbox, permission_creator_mode_zero)
{
	struct name_arg box = { .name = mbt_new_name_as(_metadata, &self->e, "mode0") };

	MBT_REQUIRE_ROOT();
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, creator_mode0_child,
			    &box));
	EXPECT_EQ(0, mbt_open_result(box.name, MAILBOX_ACCESS_ALL));
}

TEST_F(mbox, limit_max_mailboxes)
{
	int live = mbt_state_find(NULL, -1, NULL);
	const char *name;
	int a, b;

	ASSERT_LE(0, live);
	MBT_PARAM_SET(&self->e, "max_mailboxes", live + 2);
	a = MBT_SMALL_BOX(NULL);
	b = MBT_SMALL_BOX(&name);
	EXPECT_EQ(-ENOSPC, mbt_create(mbt_new_name_as(_metadata, &self->e, "full"),
				      MAILBOX_CREATE_EXCL, 0600, 4, 64));
	/* Opening existing ones is not limited. */
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	/* Destroying one makes room again. */
	ASSERT_EQ(0, mbt_unlink(name));
	close(b);
	b = MBT_SMALL_BOX(NULL);
	close(a);
	close(b);
}

struct quota_arg {
	const char *names[MBT_MAX_NAMES];
	int room;	/* mailboxes the user may still create */
};

/* Create room mailboxes, then one more: returns that one's result. */
static int user_quota_child(struct __test_metadata *_metadata, void *arg)
{
	struct quota_arg *a = arg;
	struct name_arg box = { .mode = 0600 };
	int i;

	for (i = 0; i < a->room; i++) {
		box.name = a->names[i];
		EXPECT_EQ(1, create_child(_metadata, &box));
	}
	box.name = a->names[a->room];
	return create_child(_metadata, &box);
}

TEST_F(mbox, limit_user_mailboxes)
{
	int mine = mbt_state_find(NULL, geteuid(), NULL);
	int theirs = mbt_state_find(NULL, MBT_NOBODY, NULL);
	struct quota_arg arg;
	int limit, fd, i;

	MBT_REQUIRE_ROOT();
	ASSERT_LE(0, mine);
	ASSERT_LE(0, theirs);
	limit = (mine > theirs ? mine : theirs) + 2;
	if (limit > MBT_MAX_NAMES - 6)
		SKIP(return, "too many mailboxes exist already");
	MBT_PARAM_SET(&self->e, "user_mailboxes_max", limit);
	arg.room = limit - theirs;
	for (i = 0; i <= arg.room; i++)
		arg.names[i] = mbt_new_name_as(_metadata, &self->e, "uquota");
	EXPECT_EQ(-ENOSPC, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, user_quota_child,
				  &arg));
	EXPECT_EQ(-ENOENT, mbt_open_result(arg.names[arg.room], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(limit, mbt_state_find(NULL, MBT_NOBODY, NULL));
	/* Root is below its own count and can still create. */
	fd = MBT_SMALL_BOX(NULL);
	close(fd);
}

/*
 * The module charges each message its allocation against user_bytes_max:
 * its header (MAILBOX_IOC_VERSION's msg_header, 64 bytes for modules that
 * do not say) plus its length, rounded up to the size class of its slab
 * cache (1024 is one). Four of these, 1024 bytes each, fill a 4096-byte
 * quota exactly.
 */
#define QUOTA_MSG	((int)(1024 - mbt_msg_header()))

struct bytes_arg {
	const char *name;
	int root_fd;	/* opened by root before the fork */
};

static int user_bytes_child(struct __test_metadata *_metadata, void *arg)
{
	struct bytes_arg *a = arg;
	struct mailbox_info info;
	char buf[1000];
	int fd = mbt_open(a->name, MAILBOX_ACCESS_ALL);
	int i;

	if (fd < 0)
		return fd;
	memset(buf, 'q', sizeof(buf));
	/* 3 x 1024 = 3072 of 4096 charged: one byte more is past, not 1024 */
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, mbt_send(fd, buf, QUOTA_MSG, MAILBOX_NONBLOCK, 0,
				      NULL));
	}
	EXPECT_EQ(-ENOBUFS, mbt_send(fd, buf, QUOTA_MSG + 1, MAILBOX_NONBLOCK,
				     0, NULL));
	EXPECT_EQ(0, mbt_stat(fd, &info));
	EXPECT_EQ(3U, info.depth);
	EXPECT_EQ(3U * QUOTA_MSG, info.bytes);
	EXPECT_EQ(3U, info.sent);
	EXPECT_EQ(0, mbt_send(fd, buf, QUOTA_MSG, MAILBOX_NONBLOCK, 0, NULL));
	/* full to the byte: even an empty message costs its overhead */
	EXPECT_EQ(-ENOBUFS, mbt_send(fd, buf, 0, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ENOBUFS, mbt_send(fd, buf, QUOTA_MSG, 0, 0, NULL));

	/*
	 * The sender's euid pays, not the opener: root's descriptor, used
	 * by this uid, counts against this uid's quota.
	 */
	EXPECT_EQ(-ENOBUFS, mbt_send(a->root_fd, buf, QUOTA_MSG,
				     MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, mbt_stat(fd, &info));
	EXPECT_EQ(4U, info.depth);
	EXPECT_EQ(4U * QUOTA_MSG, info.bytes);

	/* Receiving frees the quota again. */
	EXPECT_EQ(QUOTA_MSG, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				      NULL));
	EXPECT_EQ(0, mbt_send(fd, buf, QUOTA_MSG, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ENOBUFS, mbt_send(fd, buf, 0, MAILBOX_NONBLOCK, 0, NULL));
	close(fd);
	return 0;
}

TEST_F(mbox, limit_user_bytes)
{
	struct bytes_arg arg;
	struct mailbox_info info;
	char buf[1000];
	int i;

	MBT_REQUIRE_ROOT();
	arg.root_fd = MBT_MAKE_BOX(&arg.name, 0, 0666, 16, 1000);
	MBT_PARAM_SET(&self->e, "user_bytes_max", 4096);
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, user_bytes_child, &arg));

	/* All whole messages; nothing was half-queued. */
	info = mbt_info(_metadata, arg.root_fd);
	EXPECT_EQ(4U, info.depth);
	EXPECT_EQ(4U * QUOTA_MSG, info.bytes);
	for (i = 0; i < 4; i++) {
		struct mailbox_recv r;
		int len = mbt_recv(arg.root_fd, buf, sizeof(buf),
				   MAILBOX_NONBLOCK, 0, &r);

		EXPECT_EQ(QUOTA_MSG, len);
		/* the euid at send time, whoever opened the descriptor */
		EXPECT_EQ(MBT_NOBODY, r.sender_uid);
	}
	MBT_EXPECT_EMPTY(arg.root_fd);
	close(arg.root_fd);
}

/* Use up a 4096-byte quota: 4 messages fit, one more does not. */
static void fill_quota(struct __test_metadata *_metadata, int fd)
{
	char buf[1024];
	int i;

	memset(buf, 'f', sizeof(buf));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, mbt_send(fd, buf, QUOTA_MSG, MAILBOX_NONBLOCK, 0,
				      NULL))
			TH_LOG("message %d of the quota", i);
	}
	EXPECT_EQ(-ENOBUFS, mbt_send(fd, buf, QUOTA_MSG, MAILBOX_NONBLOCK, 0,
				     NULL));
}

/*
 * Messages dropped with their mailbox give their bytes back: fill the
 * quota in an OWNED mailbox closed by its creator, then in an unlinked
 * one closed for the last time, then once more in a third one, bound from
 * the start so that the user's accounting lives on throughout.
 */
static int quota_destroy_child(struct __test_metadata *_metadata, void *arg)
{
	const char *const *names = arg;
	int keep = mbt_create(names[2], MAILBOX_CREATE_EXCL, 0600, 8, 1000);
	int round, fd;

	if (keep < 0)
		return keep;
	for (round = 0; round < 2; round++) {
		fd = mbt_create(names[round], MAILBOX_CREATE_EXCL |
				(round ? 0 : MAILBOX_CREATE_OWNED), 0600, 8, 1000);
		if (fd < 0)
			return fd;
		fill_quota(_metadata, fd);
		if (round == 1) {
			EXPECT_EQ(0, mbt_unlink(names[round]));
		}
		close(fd);
	}
	fill_quota(_metadata, keep);
	close(keep);
	return 0;
}

TEST_F(mbox, limit_user_bytes_freed_on_destroy)
{
	const char *names[3];
	int i;

	MBT_REQUIRE_ROOT();
	for (i = 0; i < 3; i++)
		names[i] = mbt_new_name_as(_metadata, &self->e, "qdestroy");
	MBT_PARAM_SET(&self->e, "user_bytes_max", 4096);
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY, quota_destroy_child,
			    names));
	EXPECT_EQ(-ENOENT, mbt_open_result(names[0], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_open_result(names[1], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(0, mbt_open_result(names[2], MAILBOX_ACCESS_ALL));
}

TEST_F(mbox, limit_msg_size_and_capacity)
{
	const char *name = mbt_new_name_as(_metadata, &self->e, "limits");
	int fd;

	MBT_PARAM_SET(&self->e, "msg_size_limit", 4096);
	MBT_PARAM_SET(&self->e, "capacity_limit", 8);
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 8, 4097));
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 9, 4096));
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 65536, 64));
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 8, 4096);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8U, mbt_info(_metadata, fd).capacity);
	EXPECT_EQ(4096U, mbt_info(_metadata, fd).msg_size_max);
	close(fd);
}

TEST_HARNESS_MAIN
