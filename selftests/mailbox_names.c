// SPDX-License-Identifier: GPL-2.0
/*
 * Naming mailboxes: CREATE, OPEN and UNLINK and the rules of names, the
 * checks of their arguments, binding a descriptor once, what an unbound
 * descriptor may do, unknown ioctls, VERSION and bad argument pointers.
 * And the layout of the uapi structures, which 32-bit callers share.
 */
#define _GNU_SOURCE

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "api")

/*
 * @cmd on a fresh descriptor with @base changed by each of @cases must fail
 * with -EINVAL. A mailbox wrongly created is unlinked again.
 */
static void expect_einval(struct __test_metadata *_metadata, unsigned long cmd,
			  const void *base, size_t size,
			  const struct mbt_field *cases, size_t ncases)
{
	union {
		struct mailbox_create c;
		struct mailbox_open o;
		struct mailbox_unlink u;
	} arg;
	size_t i;
	int ret;

	ASSERT_GE(sizeof(arg), size);
	for (i = 0; i < ncases; i++) {
		memcpy(&arg, base, size);
		mbt_set_field(&arg, &cases[i]);
		ret = mbt_fresh_ioctl(cmd, &arg);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("cmd 0x%lx with %s", cmd,
					       cases[i].what);
		if (ret >= 0 && cmd == MAILBOX_IOC_CREATE) {
			/* the name is where it was: clear the rest */
			memset(&arg.u.flags, 0, sizeof(arg.u) - sizeof(arg.u.name));
			mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &arg.u);
		}
	}
}

/* The structures are the same for 32-bit and 64-bit callers (M32=1 build). */
_Static_assert(sizeof(struct mailbox_create) == 120, "mailbox_create");
_Static_assert(sizeof(struct mailbox_open) == 88, "mailbox_open");
_Static_assert(sizeof(struct mailbox_unlink) == 88, "mailbox_unlink");
_Static_assert(sizeof(struct mailbox_send) == 56, "mailbox_send");
_Static_assert(sizeof(struct mailbox_recv) == 72, "mailbox_recv");
_Static_assert(sizeof(struct mailbox_info) == 184, "mailbox_info");
_Static_assert(sizeof(struct mailbox_direct) == 48, "mailbox_direct");
_Static_assert(sizeof(struct mailbox_policy) == 32, "mailbox_policy");
_Static_assert(sizeof(struct mailbox_recv_prio) == 16, "mailbox_recv_prio");
_Static_assert(offsetof(struct mailbox_recv, send_time_ns) == 40, "recv");
_Static_assert(offsetof(struct mailbox_info, sent) == 120, "info");

TEST_F(mbox, create_new_then_existing)
{
	const char *name = mbt_new_name_as(_metadata, &self->e, "exist");
	struct mailbox_create c = mbt_create_args(name, 0, MAILBOX_ACCESS_ALL,
					      0640, 3, 50);
	struct mailbox_info info;
	int a = mbt_dev(), b = mbt_dev();

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(1, mbt_ioctl(a, MAILBOX_IOC_CREATE, &c));

	/* Without EXCL: opens it; mode, sizes and OWNED are ignored. */
	c = mbt_create_args(name, MAILBOX_CREATE_OWNED, MAILBOX_ACCESS_SEND, 0666,
			10, 500);
	ASSERT_EQ(0, mbt_ioctl(b, MAILBOX_IOC_CREATE, &c));
	info = mbt_info(_metadata, b);
	EXPECT_EQ(0640U, info.mode);
	EXPECT_EQ(3U, info.capacity);
	EXPECT_EQ(50U, info.msg_size_max);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(MBT_U32(MAILBOX_ACCESS_SEND), info.access);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), info.state);

	/* Both descriptors are bound to the same mailbox. */
	mbt_put(_metadata, b, 5);
	EXPECT_EQ(1U, mbt_info(_metadata, a).depth);
	mbt_get(_metadata, a, 5);

	/* OWNED was ignored: closing b does not destroy the mailbox. */
	close(b);
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));

	c = mbt_create_args(name, MAILBOX_CREATE_EXCL, MAILBOX_ACCESS_ALL, 0600,
			3, 50);
	EXPECT_EQ(-EEXIST, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
	c.flags = MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED;
	EXPECT_EQ(-EEXIST, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_RECV));
	close(a);
}

TEST_F(mbox, open_and_unlink_missing)
{
	const char *name = mbt_new_name_as(_metadata, &self->e, "missing");
	struct mailbox_unlink u = mbt_unlink_args(name);

	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &u));
	/* Failed lookups created nothing. */
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_SEND));
}

TEST_F(mbox, name_rules)
{
	static const char *const bad[] = {
		"", "a/b", "/", "a\nb", "a\x01" "b", "a\x7f", "\x1f",
		"tab\there", "end\r",
	};
	struct mailbox_create c;
	struct mailbox_open o;
	struct mailbox_unlink u;
	unsigned int i;
	char *name;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = mbt_create_args(bad[i], 0, MAILBOX_ACCESS_ALL, 0600, 1, 1);
		o = mbt_open_args(bad[i], MAILBOX_ACCESS_ALL);
		u = mbt_unlink_args(bad[i]);
		EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c))
			TH_LOG("create name #%u", i);
		EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN, &o))
			TH_LOG("open name #%u", i);
		EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &u))
			TH_LOG("unlink name #%u", i);
	}

	/* 64 bytes without a NUL. */
	c = mbt_create_args("", 0, MAILBOX_ACCESS_ALL, 0600, 1, 1);
	memset(c.name, 'n', sizeof(c.name));
	o = mbt_open_args("", MAILBOX_ACCESS_ALL);
	memset(o.name, 'n', sizeof(o.name));
	u = mbt_unlink_args("");
	memset(u.name, 'n', sizeof(u.name));
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &u));

	/* 63 bytes: fine, and usable by name afterwards. */
	name = mbt_new_name_as(_metadata, &self->e, "long");
	memset(name + strlen(name), 'x', MAILBOX_NAME_LEN - 1 - strlen(name));
	name[MAILBOX_NAME_LEN - 1] = '\0';
	ASSERT_EQ(63U, strlen(name));
	c = mbt_create_args(name, MAILBOX_CREATE_EXCL, MAILBOX_ACCESS_ALL, 0600,
			1, 1);
	ret = mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c);
	ASSERT_EQ(1, ret) TH_LOG("63-byte name: %s", strerror(-ret));
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	u = mbt_unlink_args(name);
	EXPECT_EQ(0, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &u));

	/* Space, backslash and high bytes are allowed. */
	c = mbt_create_args(mbt_new_name_as(_metadata, &self->e, "sp ace\\\xc3\xa9"), MAILBOX_CREATE_EXCL,
			MAILBOX_ACCESS_ALL, 0600, 1, 1);
	EXPECT_EQ(1, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
}

TEST_F(mbox, create_invalid_fields)
{
	unsigned long cap_limit = mbt_param_or("capacity_limit",
					   MBT_DEFAULT_CAPACITY_LIMIT);
	unsigned long size_limit = mbt_param_or("msg_size_limit",
					    MBT_DEFAULT_MSG_SIZE_LIMIT);
	const struct mbt_field cases[] = {
		MBT_FIELD(struct mailbox_create, flags, 1U << 3),
		MBT_FIELD(struct mailbox_create, flags, 1U << 31),
		MBT_FIELD(struct mailbox_create, access, 0),
		MBT_FIELD(struct mailbox_create, access, 1U << 2),
		MBT_FIELD(struct mailbox_create, access, MAILBOX_ACCESS_ALL | 1U << 31),
		MBT_FIELD(struct mailbox_create, mode, 01000),
		MBT_FIELD(struct mailbox_create, mode, 04600),
		MBT_FIELD(struct mailbox_create, mode, 0xffffffffU),
		MBT_FIELD(struct mailbox_create, capacity, cap_limit + 1),
		MBT_FIELD(struct mailbox_create, capacity, 0xffffffffU),
		MBT_FIELD(struct mailbox_create, msg_size_max, 0),
		MBT_FIELD(struct mailbox_create, msg_size_max, size_limit + 1),
		MBT_FIELD(struct mailbox_create, msg_size_max, 0xffffffffU),
		MBT_FIELD(struct mailbox_create, delivery, 3),
		MBT_FIELD(struct mailbox_create, delivery, 0xffffffffU),
		MBT_FIELD(struct mailbox_create, reserved[0], 1),
		MBT_FIELD(struct mailbox_create, reserved[1], 1),
		MBT_FIELD(struct mailbox_create, reserved[2], 1),
		MBT_FIELD(struct mailbox_create, reserved[3], 1ULL << 63),
	};
	const char *name = mbt_new_name_as(_metadata, &self->e, "fields");
	struct mailbox_create base = mbt_create_args(name, MAILBOX_CREATE_EXCL,
						 MAILBOX_ACCESS_ALL, 0600, 4,
						 64);
	struct mailbox_create c;

	expect_einval(_metadata, MAILBOX_IOC_CREATE, &base, sizeof(base),
		      cases, ARRAY_SIZE(cases));
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));

	/* The base arguments, and the limits themselves, are valid. */
	c = base;
	c.capacity = cap_limit;
	c.msg_size_max = size_limit;
	EXPECT_EQ(1, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(0, mbt_unlink(name));
	c = base;
	c.capacity = 0;
	c.mode = 0777;
	c.flags = MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED;
	EXPECT_EQ(1, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c));
}

TEST_F(mbox, open_invalid_fields)
{
	static const struct mbt_field cases[] = {
		MBT_FIELD(struct mailbox_open, access, 0),
		MBT_FIELD(struct mailbox_open, access, 1U << 2),
		MBT_FIELD(struct mailbox_open, access, MAILBOX_ACCESS_SEND | 1U << 31),
		MBT_FIELD(struct mailbox_open, flags, 1),
		MBT_FIELD(struct mailbox_open, flags, 1U << 31),
		MBT_FIELD(struct mailbox_open, reserved[0], 1),
		MBT_FIELD(struct mailbox_open, reserved[1], 1ULL << 63),
	};
	const char *name;
	int fd = MBT_SMALL_BOX(&name);
	struct mailbox_open o = mbt_open_args(name, MAILBOX_ACCESS_ALL);

	expect_einval(_metadata, MAILBOX_IOC_OPEN, &o, sizeof(o), cases,
		      ARRAY_SIZE(cases));
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	close(fd);
}

TEST_F(mbox, unlink_invalid_fields)
{
	static const struct mbt_field cases[] = {
		MBT_FIELD(struct mailbox_unlink, flags, 1),
		MBT_FIELD(struct mailbox_unlink, flags, 1U << 31),
		MBT_FIELD(struct mailbox_unlink, reserved0, 1),
		MBT_FIELD(struct mailbox_unlink, reserved[0], 1),
		MBT_FIELD(struct mailbox_unlink, reserved[1], 1ULL << 63),
	};
	const char *name;
	int fd = MBT_SMALL_BOX(&name);
	struct mailbox_unlink u = mbt_unlink_args(name);

	expect_einval(_metadata, MAILBOX_IOC_UNLINK, &u, sizeof(u), cases,
		      ARRAY_SIZE(cases));
	/* Still there, and a correct unlink works. */
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, fd).state);
	EXPECT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_UNLINKED), mbt_info(_metadata, fd).state);
	close(fd);
}

TEST_F(mbox, bind_twice_ebusy)
{
	const char *name, *other = mbt_new_name_as(_metadata, &self->e, "other");
	struct mailbox_create c = mbt_create_args(other, 0, MAILBOX_ACCESS_ALL,
					      0600, 4, 64);
	struct mailbox_open o;
	int created = MBT_SMALL_BOX(&name);
	int opened = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);

	o = mbt_open_args(name, MAILBOX_ACCESS_ALL);
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EBUSY, mbt_ioctl(opened, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EBUSY, mbt_ioctl(opened, MAILBOX_IOC_OPEN, &o));
	c = mbt_create_args(name, 0, MAILBOX_ACCESS_ALL, 0600, 4, 64);
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_CREATE, &c));

	/* The refused CREATE made nothing, the binding is unchanged. */
	EXPECT_EQ(-ENOENT, mbt_open_result(other, MAILBOX_ACCESS_ALL));
	EXPECT_STREQ(name, mbt_info(_metadata, created).name);
	EXPECT_STREQ(name, mbt_info(_metadata, opened).name);
	close(opened);
	close(created);
}

TEST_F(mbox, failed_bind_leaves_fd_unbound)
{
	const char *name = mbt_new_name_as(_metadata, &self->e, "rebind");
	struct mailbox_create c = mbt_create_args(name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, 0600, 4, 0);
	struct mailbox_open o = mbt_open_args(name, MAILBOX_ACCESS_ALL);
	struct mailbox_info info;
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-ENOENT, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &info));
	c.msg_size_max = 64;
	EXPECT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c));
	EXPECT_STREQ(name, mbt_info(_metadata, fd).name);
	close(fd);
}

TEST_F(mbox, unbound_fd_ebadfd)
{
	struct mailbox_info info;
	char buf[16];
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, mbt_send(fd, mbt_payload, 4, 0, 0, NULL));
	EXPECT_EQ(-EBADFD, mbt_send(fd, mbt_payload, 4, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EBADFD, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EBADFD, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &info));
	close(fd);
}

/* Each of @cmds on @fd with @arg must fail with @err. */
static void expect_cmds_fail(struct __test_metadata *_metadata, int fd,
			     const unsigned long *cmds, size_t ncmds,
			     void *arg, int err)
{
	size_t i;

	for (i = 0; i < ncmds; i++) {
		EXPECT_EQ(err, mbt_ioctl(fd, cmds[i], arg))
			TH_LOG("cmd 0x%lx", cmds[i]);
	}
}

TEST_F(mbox, unknown_ioctl_enotty)
{
	static const unsigned long cmds[] = {
		_IO(MAILBOX_IOC_MAGIC, 0x7f),
		_IO(MAILBOX_IOC_MAGIC, 0x06),		/* SEND_TO, wrong size */
		_IO(MAILBOX_IOC_MAGIC, 0x0a),		/* VERSION, wrong size */
		_IOR(MAILBOX_IOC_MAGIC, 0x0d, struct mailbox_version),
		_IOW(MAILBOX_IOC_MAGIC, 0x0b, struct mailbox_batch),	/* SEND_BATCH, wrong dir */
		_IOW(MAILBOX_IOC_MAGIC, 0x09, int),	/* SET_RECV_PRIO, wrong size */
		_IOW(MAILBOX_IOC_MAGIC, 0x03, int),	/* SEND, wrong size */
		_IOR(MAILBOX_IOC_MAGIC, 0x05, int),	/* STAT, wrong size */
		_IOW(MAILBOX_IOC_MAGIC, 0x05, struct mailbox_info),
		_IOR(MAILBOX_IOC_MAGIC, 0x00, struct mailbox_create),
		_IOWR(MAILBOX_IOC_MAGIC, 0x01, struct mailbox_open),
		_IO('M', 0x00),
	};
	char arg[256] = { 0 };
	int unbound = mbt_dev();
	int bound = MBT_SMALL_BOX(NULL);

	ASSERT_LE(0, unbound);
	expect_cmds_fail(_metadata, unbound, cmds, ARRAY_SIZE(cmds), arg,
			 -ENOTTY);
	expect_cmds_fail(_metadata, bound, cmds, ARRAY_SIZE(cmds), arg,
			 -ENOTTY);
	close(unbound);
	close(bound);
}

/* Every ioctl of the uapi header, for the version's ioctls bitmap. */
static const unsigned long all_cmds[] = {
	MAILBOX_IOC_CREATE, MAILBOX_IOC_OPEN, MAILBOX_IOC_UNLINK,
	MAILBOX_IOC_SEND, MAILBOX_IOC_RECV, MAILBOX_IOC_STAT,
	MAILBOX_IOC_SEND_TO, MAILBOX_IOC_OPEN_DIRECT, MAILBOX_IOC_SET_POLICY,
	MAILBOX_IOC_SET_RECV_PRIO, MAILBOX_IOC_VERSION, MAILBOX_IOC_SEND_BATCH,
	MAILBOX_IOC_RECV_BATCH, MAILBOX_IOC_LIST, MAILBOX_IOC_SENDV,
	MAILBOX_IOC_RECVV, MAILBOX_IOC_MAP, MAILBOX_IOC_MAP_WAIT,
	MAILBOX_IOC_CREATE2, MAILBOX_IOC_OPEN2, MAILBOX_IOC_UNLINK2,
	MAILBOX_IOC_NOTIFY,
};

/*
 * The version the module must report: this tree's VERSION file, which the
 * Makefile passes; in a kernel tree, /sys/module/kmailbox/version alone.
 */
#ifdef KMAILBOX_VERSION
#define WANT_VERSION KMAILBOX_VERSION
#else
#define WANT_VERSION NULL
#endif

/*
 * MAILBOX_IOC_VERSION, on bound and unbound descriptors: the version of
 * this tree's VERSION file (the module under test was built from it), as
 * /sys/module/kmailbox/version says too, and one bit per ioctl the header
 * defines, no other.
 */
TEST_F(mbox, version)
{
	struct mailbox_version v;
	const char *want = WANT_VERSION;
	uint64_t want_ioctls = 0;
	char str[32], sys[32] = "";
	int fds[2], i;

	ASSERT_LT(0, mbt_read_file("/sys/module/kmailbox/version", sys,
				   sizeof(sys)));
	sys[strcspn(sys, "\n")] = 0;
	if (!want)
		want = sys;
	EXPECT_STREQ(want, sys);

	for (i = 0; i < (int)ARRAY_SIZE(all_cmds); i++)
		want_ioctls |= 1ULL << _IOC_NR(all_cmds[i]);
	fds[0] = mbt_dev();
	fds[1] = MBT_SMALL_BOX(NULL);
	ASSERT_LE(0, fds[0]);
	for (i = 0; i < 2; i++) {
		memset(&v, 0xa5, sizeof(v));
		ASSERT_EQ(0, mbt_ioctl(fds[i], MAILBOX_IOC_VERSION, &v));
		snprintf(str, sizeof(str), "%u.%u.%u", v.major, v.minor,
			 v.patch);
		EXPECT_STREQ(want, str);
		EXPECT_EQ(0U, v.flags);
		EXPECT_EQ(want_ioctls, v.ioctls);
		EXPECT_NE(0U, v.msg_header);
		EXPECT_EQ(0U, v.reserved0);
		EXPECT_EQ(0ULL, v.reserved);
	}
	EXPECT_EQ(-EFAULT, mbt_ioctl(fds[0], MAILBOX_IOC_VERSION, MBT_BAD_PTR));
	close(fds[0]);
	close(fds[1]);
}

TEST_F(mbox, bad_arg_pointer_efault)
{
	static const unsigned long unbound_cmds[] = {
		MAILBOX_IOC_CREATE, MAILBOX_IOC_OPEN, MAILBOX_IOC_UNLINK,
	};
	/* (CREATE/OPEN on a bound fd may say EBUSY or EFAULT: not tested) */
	static const unsigned long bound_cmds[] = {
		MAILBOX_IOC_SEND, MAILBOX_IOC_RECV, MAILBOX_IOC_STAT,
		MAILBOX_IOC_UNLINK,
	};
	int unbound = mbt_dev();
	int bound = MBT_SMALL_BOX(NULL);

	ASSERT_LE(0, unbound);
	expect_cmds_fail(_metadata, unbound, unbound_cmds,
			 ARRAY_SIZE(unbound_cmds), MBT_BAD_PTR, -EFAULT);
	expect_cmds_fail(_metadata, bound, bound_cmds, ARRAY_SIZE(bound_cmds),
			 MBT_BAD_PTR, -EFAULT);
	/* The unbound descriptor is still usable. */
	EXPECT_EQ(1, mbt_create_fd(unbound, mbt_new_name_as(_metadata, &self->e, "efault"),
				   MAILBOX_CREATE_EXCL, 0600, 1, 8));
	EXPECT_EQ(0U, mbt_info(_metadata, bound).depth);
	close(unbound);
	close(bound);
}

TEST_F(mbox, unlink_semantics)
{
	const char *name;
	int old_owner = MBT_SMALL_BOX(&name);
	int old_peer = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	struct mailbox_create c = mbt_create_args(name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, 0600, 2, 16);
	int fresh;

	mbt_put(_metadata, old_owner, 3);
	ASSERT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_unlink(name));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_UNLINKED), mbt_info(_metadata, old_peer).state);

	/* The existing descriptors keep working. */
	mbt_put(_metadata, old_peer, 4);
	mbt_get(_metadata, old_peer, 3);
	mbt_get(_metadata, old_owner, 4);

	/* The name is free for a different mailbox at once. */
	fresh = mbt_dev();
	ASSERT_LE(0, fresh);
	ASSERT_EQ(1, mbt_ioctl(fresh, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(2U, mbt_info(_metadata, fresh).capacity);
	EXPECT_EQ(8U, mbt_info(_metadata, old_owner).capacity);
	mbt_put(_metadata, fresh, 11);
	mbt_put(_metadata, old_owner, 12);
	EXPECT_EQ(1U, mbt_info(_metadata, fresh).depth);
	EXPECT_EQ(1U, mbt_info(_metadata, old_peer).depth);
	mbt_get(_metadata, fresh, 11);
	mbt_get(_metadata, old_peer, 12);
	MBT_EXPECT_EMPTY(fresh);
	MBT_EXPECT_EMPTY(old_owner);

	/* The name now refers to the new one. */
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_UNLINKED), mbt_info(_metadata, fresh).state);
	EXPECT_EQ(-ENOENT, mbt_unlink(name));
	close(fresh);
	close(old_peer);
	close(old_owner);
}

TEST_HARNESS_MAIN
