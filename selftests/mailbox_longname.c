// SPDX-License-Identifier: GPL-2.0
/*
 * Long names (since 1.5): MAILBOX_IOC_CREATE2, OPEN2 and UNLINK2 take a
 * name of up to MAILBOX_NAME_MAX bytes by address and length, share the
 * name space of the old calls, and create2 applies the umask on request
 * and sets a mailbox's highest message priority. STAT, LIST, /proc and
 * fdinfo with a long name; the old calls unchanged.
 */
#define _GNU_SOURCE

#include <sys/stat.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "long")

_Static_assert(sizeof(struct mailbox_create2) == 72, "mailbox_create2");
_Static_assert(sizeof(struct mailbox_open2) == 40, "mailbox_open2");
_Static_assert(sizeof(struct mailbox_unlink2) == 32, "mailbox_unlink2");
_Static_assert(offsetof(struct mailbox_info, prio_max) == 172, "prio_max");
_Static_assert(sizeof(struct mailbox_info) == 184, "mailbox_info");

#define PTR(p)	((uint64_t)(uintptr_t)(p))

/* A name of @len bytes (up to MAILBOX_NAME_MAX) unique to this process. */
static void long_name(char *buf, size_t len, char fill)
{
	int n = snprintf(buf, len + 1, "long-%d-", (int)getpid());

	if (n < (int)len)
		memset(buf + n, fill, len - n);
	buf[len] = '\0';
}

static struct mailbox_create2 create2_args(const char *name, size_t len,
					   uint32_t flags, uint32_t mode,
					   uint32_t delivery, uint32_t prio_max)
{
	struct mailbox_create2 c = {
		.name = PTR(name), .name_len = len, .flags = flags,
		.access = MAILBOX_ACCESS_ALL, .mode = mode, .capacity = 8,
		.msg_size_max = 64, .delivery = delivery, .prio_max = prio_max,
	};

	return c;
}

/* A new descriptor bound by CREATE2 (its result in *@ret), or -errno. */
static int create2_fd(const char *name, size_t len, uint32_t flags,
		      uint32_t mode, int *ret)
{
	struct mailbox_create2 c = create2_args(name, len, flags, mode,
						MAILBOX_DELIVER_QUEUE, 0);
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	*ret = mbt_ioctl(fd, MAILBOX_IOC_CREATE2, &c);
	if (*ret < 0) {
		close(fd);
		return *ret;
	}
	return fd;
}

static int open2_fd(const char *name, size_t len, uint32_t access)
{
	struct mailbox_open2 o = {
		.name = PTR(name), .name_len = len, .access = access,
	};
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	ret = mbt_ioctl(fd, MAILBOX_IOC_OPEN2, &o);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static int unlink2(const char *name, size_t len)
{
	struct mailbox_unlink2 u = { .name = PTR(name), .name_len = len };

	return mbt_fresh_ioctl(MAILBOX_IOC_UNLINK2, &u);
}

/* Does @path contain the line-separated word @word? */
static bool file_has(const char *path, const char *word)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, word) != NULL;
}

/* VERSION reports the three calls. */
TEST_F(mbox, version_bits)
{
	struct mailbox_version v;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, mbt_fresh_ioctl(MAILBOX_IOC_VERSION, &v));
	EXPECT_TRUE(v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_CREATE2)));
	EXPECT_TRUE(v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_OPEN2)));
	EXPECT_TRUE(v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_UNLINK2)));
	EXPECT_EQ(0x14, _IOC_NR(MAILBOX_IOC_CREATE2));
	EXPECT_EQ(0x15, _IOC_NR(MAILBOX_IOC_OPEN2));
	EXPECT_EQ(0x16, _IOC_NR(MAILBOX_IOC_UNLINK2));
}

/*
 * A name of MAILBOX_NAME_MAX bytes: created, opened, shown cut with
 * MAILBOX_INFO_NAME_LONG by STAT and LIST, whole by /proc and fdinfo,
 * messages pass, unlinked.
 */
TEST_F(mbox, longest_name)
{
	char name[MAILBOX_NAME_MAX + 1], path[64];
	struct mailbox_list l = { .count = 1 };
	struct mailbox_info info, entry;
	int fd, fd2, ret;

	long_name(name, MAILBOX_NAME_MAX, 'x');
	fd = create2_fd(name, MAILBOX_NAME_MAX, MAILBOX_CREATE_EXCL, 0600, &ret);
	ASSERT_LE(0, fd) TH_LOG("create2: %s", strerror(-fd));
	EXPECT_EQ(1, ret);
	fd2 = open2_fd(name, MAILBOX_NAME_MAX, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, fd2);

	info = mbt_info(_metadata, fd2);
	EXPECT_EQ(0, strncmp(info.name, name, MAILBOX_NAME_LEN - 1));
	EXPECT_EQ(MAILBOX_NAME_LEN - 1, (int)strnlen(info.name, MAILBOX_NAME_LEN));
	EXPECT_EQ(MBT_U32(MAILBOX_INFO_NAME_LONG), info.flags);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), info.prio_max);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), info.state);
	EXPECT_TRUE(file_has(MBT_PROC_MAILBOXES, name));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd2);
	EXPECT_TRUE(file_has(path, name));

	/* LIST of everything: the entry of this mailbox is cut the same way. */
	memset(&entry, 0, sizeof(entry));
	l.entries = PTR(&entry);
	while (!mbt_fresh_ioctl(MAILBOX_IOC_LIST, &l) && l.count) {
		if (!strncmp(entry.name, name, MAILBOX_NAME_LEN - 1))
			break;
		l.count = 1;
	}
	EXPECT_EQ(0, strncmp(entry.name, name, MAILBOX_NAME_LEN - 1));
	EXPECT_TRUE(entry.flags & MAILBOX_INFO_NAME_LONG);

	EXPECT_EQ(0, mbt_send_str(fd, "hello", MAILBOX_NONBLOCK));
	EXPECT_TRUE(mbt_recv_is(fd2, 0, "hello", 0, NULL));

	/* The same name again, with EXCL: it exists; without: opened (0). */
	EXPECT_EQ(-EEXIST, create2_fd(name, MAILBOX_NAME_MAX,
				      MAILBOX_CREATE_EXCL, 0600, &ret));
	close(fd2);
	fd2 = create2_fd(name, MAILBOX_NAME_MAX, 0, 0600, &ret);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, ret);
	close(fd2);

	/* A name that differs only in its last byte is another mailbox. */
	name[MAILBOX_NAME_MAX - 1] = 'y';
	EXPECT_EQ(-ENOENT, open2_fd(name, MAILBOX_NAME_MAX, MAILBOX_ACCESS_ALL));
	/* And a prefix of it too. */
	name[MAILBOX_NAME_MAX - 1] = 'x';
	EXPECT_EQ(-ENOENT, open2_fd(name, MAILBOX_NAME_MAX - 1,
				    MAILBOX_ACCESS_ALL));

	EXPECT_EQ(0, unlink2(name, MAILBOX_NAME_MAX));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_UNLINKED), mbt_info(_metadata, fd).state);
	EXPECT_EQ(-ENOENT, open2_fd(name, MAILBOX_NAME_MAX, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, unlink2(name, MAILBOX_NAME_MAX));
	close(fd);
}

/* A name of 1 to 63 bytes is the same mailbox through old and new calls. */
TEST_F(mbox, short_name_shared)
{
	const char *name = mbt_new_name(_metadata, &self->e);
	int fd, fd2, ret;

	/* Old CREATE, new OPEN2. */
	fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 4, 64);
	ASSERT_LE(0, fd);
	fd2 = open2_fd(name, strlen(name), MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, mbt_send_str(fd, "one", MAILBOX_NONBLOCK));
	EXPECT_TRUE(mbt_recv_is(fd2, 0, "one", 0, NULL));
	EXPECT_EQ(0U, mbt_info(_metadata, fd2).flags);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), mbt_info(_metadata, fd).prio_max);
	close(fd2);
	EXPECT_EQ(-EEXIST, create2_fd(name, strlen(name), MAILBOX_CREATE_EXCL,
				      0600, &ret));
	/* UNLINK2 of the old name, then new CREATE2 and old OPEN. */
	EXPECT_EQ(0, unlink2(name, strlen(name)));
	EXPECT_EQ(-ENOENT, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	close(fd);
	fd = create2_fd(name, strlen(name), MAILBOX_CREATE_EXCL, 0600, &ret);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, ret);
	EXPECT_EQ(0, mbt_open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(0, strcmp(name, mbt_info(_metadata, fd).name));
	EXPECT_EQ(0, mbt_unlink(name));
	close(fd);

	/* A 63-byte name both ways. */
	{
		char n63[MAILBOX_NAME_LEN];

		long_name(n63, MAILBOX_NAME_LEN - 1, 'q');
		fd = create2_fd(n63, strlen(n63), MAILBOX_CREATE_EXCL, 0600,
				&ret);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, mbt_open_result(n63, MAILBOX_ACCESS_ALL));
		EXPECT_EQ(0U, mbt_info(_metadata, fd).flags);
		EXPECT_EQ(0, strcmp(n63, mbt_info(_metadata, fd).name));
		EXPECT_EQ(0, mbt_unlink(n63));
		close(fd);
	}
}

/* Lengths: 0 is -EINVAL, above MAILBOX_NAME_MAX -ENAMETOOLONG. */
TEST_F(mbox, name_lengths)
{
	char name[MAILBOX_NAME_MAX + 2];
	int ret;

	long_name(name, MAILBOX_NAME_MAX + 1, 'z');
	EXPECT_EQ(-ENAMETOOLONG, create2_fd(name, MAILBOX_NAME_MAX + 1, 0,
					    0600, &ret));
	EXPECT_EQ(-ENAMETOOLONG, create2_fd(name, 0xffffffff, 0, 0600, &ret));
	EXPECT_EQ(-ENAMETOOLONG, open2_fd(name, MAILBOX_NAME_MAX + 1,
					  MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENAMETOOLONG, unlink2(name, MAILBOX_NAME_MAX + 1));
	EXPECT_EQ(-EINVAL, create2_fd(name, 0, 0, 0600, &ret));
	EXPECT_EQ(-EINVAL, open2_fd(name, 0, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-EINVAL, unlink2(name, 0));
	/* One byte is a name. */
	name[0] = '\x7e';
	ret = -1;
	{
		int fd = create2_fd(name, 1, MAILBOX_CREATE_EXCL, 0600, &ret);

		if (fd == -EEXIST)
			SKIP(return, "a mailbox called ~ exists");
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, unlink2(name, 1));
		close(fd);
	}
}

/* The characters of the old calls' rules, anywhere in a long name. */
TEST_F(mbox, name_chars)
{
	static const char bad[] = { '/', '\0', '\n', 0x1f, 0x7f };
	char name[MAILBOX_NAME_MAX + 1];
	size_t i, at;
	int ret;

	for (i = 0; i < sizeof(bad); i++) {
		for (at = 0; at < MAILBOX_NAME_MAX; at += MAILBOX_NAME_MAX - 1) {
			long_name(name, MAILBOX_NAME_MAX, 'b');
			name[at] = bad[i];
			EXPECT_EQ(-EINVAL, create2_fd(name, MAILBOX_NAME_MAX, 0,
						      0600, &ret))
				TH_LOG("0x%02x at %zu", bad[i], at);
			EXPECT_EQ(-EINVAL, open2_fd(name, MAILBOX_NAME_MAX,
						    MAILBOX_ACCESS_ALL));
			EXPECT_EQ(-EINVAL, unlink2(name, MAILBOX_NAME_MAX));
		}
	}
	/* High bytes (UTF-8) are allowed. */
	long_name(name, 200, '\xc3');
	{
		int fd = create2_fd(name, 200, MAILBOX_CREATE_EXCL, 0600, &ret);

		ASSERT_LE(0, fd);
		EXPECT_EQ(0, unlink2(name, 200));
		close(fd);
	}
}

/* Bad pointers, flags, reserved fields: nothing is created. */
TEST_F(mbox, bad_args)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct mailbox_create2 c;
	struct mailbox_open2 o;
	struct mailbox_unlink2 u;
	int i, fd;

	long_name(name, 100, 'a');
	c = create2_args(MBT_BAD_PTR, 10, 0, 0600, MAILBOX_DELIVER_QUEUE, 0);
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	o = (struct mailbox_open2){ .name = PTR(MBT_BAD_PTR), .name_len = 10,
				    .access = MAILBOX_ACCESS_ALL };
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, &o));
	u = (struct mailbox_unlink2){ .name = PTR(MBT_BAD_PTR), .name_len = 10 };
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK2, &u));
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, MBT_BAD_PTR));
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, MBT_BAD_PTR));
	EXPECT_EQ(-EFAULT, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK2, MBT_BAD_PTR));

	for (i = 0; i < 4; i++) {
		c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_QUEUE, 0);
		c.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	}
	c = create2_args(name, 100, 0x10, 0600, MAILBOX_DELIVER_QUEUE, 0);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 01000, MAILBOX_DELIVER_QUEUE, 0);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 0600, 3, 0);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_QUEUE, 0);
	c.access = 0;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_QUEUE, 0);
	c.msg_size_max = 0;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	/* prio_max: at most MAILBOX_PRIO_MAX_WIDE, above 31 only PRIORITY. */
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_PRIORITY,
			 MAILBOX_PRIO_MAX_WIDE + 1);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_QUEUE,
			 MAILBOX_PRIO_MAX + 1);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_BROADCAST,
			 MAILBOX_PRIO_MAX + 1);
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE2, &c));
	EXPECT_EQ(-ENOENT, open2_fd(name, 100, MAILBOX_ACCESS_ALL));

	o = (struct mailbox_open2){ .name = PTR(name), .name_len = 100,
				    .access = MAILBOX_ACCESS_ALL, .flags = 1 };
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, &o));
	o.flags = 0;
	o.reserved0 = 1;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, &o));
	o.reserved0 = 0;
	o.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, &o));
	o.reserved[1] = 0;
	o.access = 4;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_OPEN2, &o));
	u = (struct mailbox_unlink2){ .name = PTR(name), .name_len = 100,
				      .flags = 1 };
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK2, &u));
	u.flags = 0;
	u.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_UNLINK2, &u));

	/* The old CREATE does not take MAILBOX_CREATE_UMASK. */
	{
		struct mailbox_create old = mbt_create_args(
			mbt_new_name(_metadata, &self->e), MAILBOX_CREATE_UMASK,
			MAILBOX_ACCESS_ALL, 0600, 4, 64);

		EXPECT_EQ(-EINVAL, mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &old));
	}

	/* A bound descriptor is not bound again. */
	fd = MBT_MAKE_BOX(NULL, 0, 0600, 4, 64);
	c = create2_args(name, 100, 0, 0600, MAILBOX_DELIVER_QUEUE, 0);
	EXPECT_EQ(-EBUSY, mbt_ioctl(fd, MAILBOX_IOC_CREATE2, &c));
	o = (struct mailbox_open2){ .name = PTR(name), .name_len = 100,
				    .access = MAILBOX_ACCESS_ALL };
	EXPECT_EQ(-EBUSY, mbt_ioctl(fd, MAILBOX_IOC_OPEN2, &o));
	EXPECT_EQ(-ENOENT, open2_fd(name, 100, MAILBOX_ACCESS_ALL));
}

/* MAILBOX_CREATE_UMASK takes the umask off the mode; without, as given. */
TEST_F(mbox, umask)
{
	char name[MAILBOX_NAME_MAX + 1];
	mode_t old = umask(027);
	int fd, ret;

	long_name(name, 80, 'u');
	fd = create2_fd(name, 80, MAILBOX_CREATE_UMASK | MAILBOX_CREATE_EXCL,
			0666, &ret);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0640U, mbt_info(_metadata, fd).mode);
	EXPECT_EQ(0, unlink2(name, 80));
	close(fd);
	fd = create2_fd(name, 80, MAILBOX_CREATE_EXCL, 0666, &ret);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0666U, mbt_info(_metadata, fd).mode);
	/* Opening an existing mailbox changes nothing of its mode. */
	{
		int fd2 = create2_fd(name, 80, MAILBOX_CREATE_UMASK, 0600, &ret);

		ASSERT_LE(0, fd2);
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0666U, mbt_info(_metadata, fd2).mode);
		close(fd2);
	}
	EXPECT_EQ(0, unlink2(name, 80));
	close(fd);
	umask(old);
}

struct long_arg {
	const char *name;
	size_t len;
};

static int open2_child(struct __test_metadata *_metadata, void *arg)
{
	struct long_arg *a = arg;
	int fd = open2_fd(a->name, a->len, MAILBOX_ACCESS_RECV);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int unlink2_child(struct __test_metadata *_metadata, void *arg)
{
	struct long_arg *a = arg;

	return unlink2(a->name, a->len);
}

/* The mode and the owner are checked as for the old calls. */
TEST_F(mbox, perms)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct long_arg a = { .name = name, .len = 150 };
	int fd, ret;

	MBT_REQUIRE_ROOT();
	long_name(name, 150, 'p');
	fd = create2_fd(name, 150, MAILBOX_CREATE_EXCL, 0622, &ret);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY,
				      open2_child, &a));
	EXPECT_EQ(-EPERM, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY,
				     unlink2_child, &a));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, fd).state);
	EXPECT_EQ(0, unlink2(name, 150));
	close(fd);
}

/*
 * prio_max below MAILBOX_PRIO_MAX: a higher priority is refused by every
 * send call; the old mailboxes still refuse anything above 31.
 */
TEST_F(mbox, prio_max_low)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct mailbox_create2 c;
	struct mailbox_send s[2] = {
		{ .buf = PTR(mbt_payload), .len = 1, .flags = MAILBOX_NONBLOCK,
		  .priority = 5 },
		{ .buf = PTR(mbt_payload), .len = 1, .flags = MAILBOX_NONBLOCK,
		  .priority = 6 },
	};
	struct mailbox_batch b = { .msgs = PTR(s), .count = 2 };
	struct mailbox_vec_entry e = { .buf = PTR(mbt_payload), .len = 1,
				       .priority = 6 };
	struct mailbox_vec v = { .vec = PTR(&e), .count = 1,
				 .flags = MAILBOX_NONBLOCK };
	struct mailbox_recv r;
	char buf[8];
	int fd, old;

	long_name(name, 90, 'l');
	c = create2_args(name, 90, MAILBOX_CREATE_EXCL, 0600,
			 MAILBOX_DELIVER_PRIORITY, 5);
	fd = mbt_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_CREATE2, &c));
	EXPECT_EQ(5U, mbt_info(_metadata, fd).prio_max);
	EXPECT_EQ(-EINVAL, mbt_send_ex(fd, 0, mbt_payload, 1, MAILBOX_NONBLOCK,
				       0, 6, NULL));
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	/* The batch stops at its second entry. */
	EXPECT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_SEND_BATCH, &b));
	EXPECT_EQ(-EINVAL, b.error);
	EXPECT_EQ(0, mbt_send_ex(fd, 0, mbt_payload, 2, MAILBOX_NONBLOCK, 0, 0,
				 NULL));
	EXPECT_EQ(1, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(5U, r.priority);
	EXPECT_EQ(2, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(0U, r.priority);
	EXPECT_EQ(0, unlink2(name, 90));
	close(fd);

	/* An old priority mailbox: 31 is its highest, 32 is refused. */
	old = mbt_box_create(mbt_new_name(_metadata, &self->e),
			     &MBT_BOX(.delivery = MAILBOX_DELIVER_PRIORITY));
	ASSERT_LE(0, old);
	EXPECT_EQ(MBT_U32(MAILBOX_PRIO_MAX), mbt_info(_metadata, old).prio_max);
	EXPECT_EQ(0, mbt_send_ex(old, 0, mbt_payload, 1, MAILBOX_NONBLOCK, 0,
				 MAILBOX_PRIO_MAX, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(old, 0, mbt_payload, 1, MAILBOX_NONBLOCK,
				       0, MAILBOX_PRIO_MAX + 1, NULL));
	EXPECT_EQ(-EINVAL, mbt_send_ex(old, 0, mbt_payload, 1, MAILBOX_NONBLOCK,
				       0, MAILBOX_PRIO_MAX_WIDE + 1, NULL));
	e.priority = MAILBOX_PRIO_MAX + 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(old, MAILBOX_IOC_SENDV, &v));
	EXPECT_EQ(1U, mbt_info(_metadata, old).depth);
	close(old);
}

TEST_HARNESS_MAIN
