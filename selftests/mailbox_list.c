// SPDX-License-Identifier: GPL-2.0
/*
 * MAILBOX_IOC_LIST: every mailbox, or those of one name, as struct
 * mailbox_info entries, paged through a cursor. The layout (the same for
 * 32-bit callers), the version bit, every entry against MAILBOX_IOC_STAT,
 * direct, unlinked and dead mailboxes, names, a count of 0, -ENOENT,
 * -EINVAL and -EFAULT leaving the arguments as they were, and paging
 * while other mailboxes are created and destroyed: each mailbox that
 * lives through a listing is listed exactly once.
 *
 * Runs as root in the VM; one test drops to uid 65534 in a child.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kmailbox.h>

#include "kselftest_harness.h"

#define DEV		"/dev/mailbox"
#define NOBODY		65534
#define MAX_ENTRIES	8192	/* more than max_mailboxes' default */
#define PAGE_ENTRIES	3	/* small pages, to page often */

/* The uapi constants are ints; compare them as the __u32 fields hold them. */
#define U32(x)		((__u32)(x))

/* The layout is fixed, whatever the caller's word size (compat lane). */
_Static_assert(sizeof(struct mailbox_list) == 128, "mailbox_list size");
_Static_assert(offsetof(struct mailbox_list, entries) == 0, "entries");
_Static_assert(offsetof(struct mailbox_list, count) == 8, "count");
_Static_assert(offsetof(struct mailbox_list, flags) == 12, "flags");
_Static_assert(offsetof(struct mailbox_list, cursor) == 16, "cursor");
_Static_assert(offsetof(struct mailbox_list, total) == 24, "total");
_Static_assert(offsetof(struct mailbox_list, reserved0) == 28, "reserved0");
_Static_assert(offsetof(struct mailbox_list, name) == 32, "name");
_Static_assert(offsetof(struct mailbox_list, reserved) == 96, "reserved");
_Static_assert(sizeof(struct mailbox_info) == 184, "mailbox_info size");
_Static_assert(_IOC_SIZE(MAILBOX_IOC_LIST) == 128, "ioctl size");
_Static_assert(_IOC_NR(MAILBOX_IOC_LIST) == 0x0d, "ioctl number");

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static int dev_open(void)
{
	return open(DEV, O_RDWR | O_CLOEXEC);
}

/* A new descriptor that ioctl @cmd (CREATE, OPEN) bound: it, or -errno. */
static int bound_fd(unsigned long cmd, void *arg)
{
	int fd = dev_open(), ret;

	if (fd < 0)
		return -errno;
	ret = xioctl(fd, cmd, arg);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* A unique name: "lst-PID-TAG-N". */
static void box_name(char *buf, const char *tag)
{
	static int n;

	snprintf(buf, MAILBOX_NAME_LEN, "lst-%d-%s-%d", getpid(), tag, n++);
}

/* Create mailbox @name bound for @access; its descriptor, or -errno. */
static int box_create(const char *name, __u32 delivery, __u32 flags,
		      __u32 access)
{
	struct mailbox_create c = {
		.flags = flags | MAILBOX_CREATE_EXCL,
		.access = access,
		.mode = 0600,
		.capacity = 8,
		.msg_size_max = 64,
		.delivery = delivery,
	};

	memcpy(c.name, name, strnlen(name, sizeof(c.name) - 1));
	return bound_fd(MAILBOX_IOC_CREATE, &c);
}

/*
 * A new mailbox tagged @tag, its name into @name, that dies with the
 * descriptor returned (bound for @access).
 */
static int owned_box(struct __test_metadata *_metadata, char *name,
		     const char *tag, __u32 delivery, __u32 access)
{
	int fd;

	box_name(name, tag);
	fd = box_create(name, delivery, MAILBOX_CREATE_OWNED, access);
	ASSERT_LE(0, fd) TH_LOG("create %s: %s", name, strerror(-fd));
	return fd;
}

/* A new descriptor bound to existing mailbox @name for @access, or -errno. */
static int box_open(const char *name, __u32 access)
{
	struct mailbox_open o = { .access = access };

	memcpy(o.name, name, strnlen(name, sizeof(o.name) - 1));
	return bound_fd(MAILBOX_IOC_OPEN, &o);
}

static int box_send(int fd, const char *msg)
{
	struct mailbox_send s = {
		.buf = (uintptr_t)msg,
		.len = strlen(msg),
		.flags = MAILBOX_NONBLOCK,
	};

	return xioctl(fd, MAILBOX_IOC_SEND, &s);
}

static int box_recv(int fd)
{
	char buf[64];
	struct mailbox_recv r = {
		.buf = (uintptr_t)buf,
		.size = sizeof(buf),
		.flags = MAILBOX_NONBLOCK,
	};

	return xioctl(fd, MAILBOX_IOC_RECV, &r);
}

static void unlink_name(const char *name)
{
	struct mailbox_unlink u = { 0 };
	int fd = dev_open();

	memcpy(u.name, name, strnlen(name, sizeof(u.name) - 1));
	xioctl(fd, MAILBOX_IOC_UNLINK, &u);
	close(fd);
}

/* One MAILBOX_IOC_LIST call. */
static int list_call(int fd, const char *name, struct mailbox_info *out,
		     __u32 count, __u64 *cursor, __u32 *total)
{
	struct mailbox_list l = {
		.entries = (uintptr_t)out,
		.count = count,
		.cursor = cursor ? *cursor : 0,
	};
	int ret;

	if (name)
		memcpy(l.name, name, strnlen(name, sizeof(l.name) - 1));
	ret = xioctl(fd, MAILBOX_IOC_LIST, &l);
	if (ret)
		return ret;
	if (cursor)
		*cursor = l.cursor;
	if (total)
		*total = l.total;
	return (int)l.count;
}

/*
 * A whole listing, @page entries per call, into @out (MAX_ENTRIES):
 * the number of entries, or -errno. Each call must move the cursor forward
 * when it wrote something, and a short page ends the listing.
 */
static int list_all(int fd, const char *name, struct mailbox_info *out,
		    __u32 page)
{
	__u64 cursor = 0, before;
	int n = 0, got;

	do {
		if (n + page > MAX_ENTRIES)
			return -E2BIG;
		before = cursor;
		got = list_call(fd, name, out + n, page, &cursor, NULL);
		if (got < 0)
			return got;
		if ((got && cursor <= before) || (!got && cursor != before))
			return -EPROTO;
		n += got;
	} while ((__u32)got == page);
	return n;
}

/* How many of the @n entries are called @name. */
static int count_named(const struct mailbox_info *e, int n, const char *name)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += !strcmp(e[i].name, name);
	return c;
}

static const struct mailbox_info *find(const struct mailbox_info *e, int n,
				       const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

/* The entry MAILBOX_IOC_LIST gives for the mailbox @fd is bound to. */
static int list_of_fd(int fd, struct mailbox_info *out)
{
	struct mailbox_info st;
	int ret;

	ret = xioctl(fd, MAILBOX_IOC_STAT, &st);
	if (ret)
		return ret;
	ret = list_call(fd, st.name, out, 1, NULL, NULL);
	return ret == 1 ? 0 : ret < 0 ? ret : -ENOENT;
}

/* STAT's view less what describes the descriptor: LIST's view. */
static void stat_as_listed(struct mailbox_info *st)
{
	st->access = 0;
	st->recv_priority = 0;
	st->backlog = 0;
	if (st->delivery == MAILBOX_DELIVER_BROADCAST)
		st->next_len = 0;
}

static bool info_eq(struct __test_metadata *_metadata,
		    const struct mailbox_info *a, const struct mailbox_info *b)
{
	EXPECT_STREQ(a->name, b->name);
	EXPECT_EQ(a->state, b->state);
	EXPECT_EQ(a->mode, b->mode);
	EXPECT_EQ(a->uid, b->uid);
	EXPECT_EQ(a->gid, b->gid);
	EXPECT_EQ(a->capacity, b->capacity);
	EXPECT_EQ(a->msg_size_max, b->msg_size_max);
	EXPECT_EQ(a->depth, b->depth);
	EXPECT_EQ(a->next_len, b->next_len);
	EXPECT_EQ(a->bytes, b->bytes);
	EXPECT_EQ(a->receivers_waiting, b->receivers_waiting);
	EXPECT_EQ(a->senders_waiting, b->senders_waiting);
	EXPECT_EQ(a->access, b->access);
	EXPECT_EQ(a->flags, b->flags);
	EXPECT_EQ(a->sent, b->sent);
	EXPECT_EQ(a->received, b->received);
	EXPECT_EQ(a->send_blocked, b->send_blocked);
	EXPECT_EQ(a->recv_blocked, b->recv_blocked);
	EXPECT_EQ(a->delivery, b->delivery);
	EXPECT_EQ(a->recv_priority, b->recv_priority);
	EXPECT_EQ(a->backlog, b->backlog);
	EXPECT_EQ(a->subscribers, b->subscribers);
	EXPECT_EQ(a->owner_pid, b->owner_pid);
	/* Whatever else the struct holds, as it grows into reserved[]. */
	return !memcmp(a, b, sizeof(*a));
}

/*
 * STAT of @fd into *@st and its LIST entry into *@got, which must be
 * STAT's view less what describes the descriptor.
 */
static void listed_as_stat(struct __test_metadata *_metadata, int fd,
			   struct mailbox_info *st, struct mailbox_info *got)
{
	struct mailbox_info want;

	ASSERT_EQ(0, xioctl(fd, MAILBOX_IOC_STAT, st));
	ASSERT_EQ(0, list_of_fd(fd, got));
	want = *st;
	stat_as_listed(&want);
	EXPECT_TRUE(info_eq(_metadata, &want, got));
}

static struct mailbox_info *entries_alloc(void)
{
	return calloc(MAX_ENTRIES, sizeof(struct mailbox_info));
}

FIXTURE(list) {
	int fd;				/* an unbound descriptor */
	struct mailbox_info *e;		/* MAX_ENTRIES */
};

FIXTURE_SETUP(list)
{
	self->fd = dev_open();
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", DEV, strerror(errno));
	self->e = entries_alloc();
	ASSERT_TRUE(self->e != NULL);
}

FIXTURE_TEARDOWN(list)
{
	free(self->e);
	close(self->fd);
}

/* MAILBOX_IOC_VERSION has the bit, and says 1.3 or later. */
TEST_F(list, version_bit)
{
	struct mailbox_version v;

	ASSERT_EQ(0, xioctl(self->fd, MAILBOX_IOC_VERSION, &v));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_LIST)));
	EXPECT_TRUE(v.major > 1 || v.minor >= 3);
}

/*
 * Named mailboxes of each delivery, a direct one, an unlinked one still
 * open, and a dead one still held: each listed once, as STAT shows it.
 */
TEST_F(list, all_kinds_once)
{
	char names[3][MAILBOX_NAME_LEN], unl[MAILBOX_NAME_LEN];
	char dead[MAILBOX_NAME_LEN], direct[MAILBOX_NAME_LEN];
	struct mailbox_direct d = { .capacity = 4, .msg_size_max = 32 };
	const struct mailbox_info *got;
	struct mailbox_info st;
	int fds[3], ufd, dfd, dfd2, xfd, n, i;
	__u32 total;

	for (i = 0; i < 3; i++) {
		box_name(names[i], "kind");
		fds[i] = box_create(names[i], i, 0, MAILBOX_ACCESS_SEND);
		ASSERT_LE(0, fds[i]);
	}
	box_name(unl, "unl");
	ufd = box_create(unl, MAILBOX_DELIVER_QUEUE, 0, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, ufd);
	unlink_name(unl);
	dfd = owned_box(_metadata, dead, "dead",
			MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	dfd2 = box_open(dead, MAILBOX_ACCESS_SEND);
	ASSERT_LE(0, dfd2);
	close(dfd);		/* destroyed, held by dfd2 */
	xfd = dev_open();
	ASSERT_LE(0, xioctl(xfd, MAILBOX_IOC_OPEN_DIRECT, &d));
	snprintf(direct, sizeof(direct), "pid/%d", getpid());

	n = list_all(self->fd, NULL, self->e, PAGE_ENTRIES);
	ASSERT_LE(6, n);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(1, count_named(self->e, n, names[i]));
		got = find(self->e, n, names[i]);
		ASSERT_TRUE(got != NULL);
		EXPECT_EQ((__u32)i, got->delivery);
		EXPECT_EQ(U32(MAILBOX_STATE_LINKED), got->state);
		ASSERT_EQ(0, xioctl(fds[i], MAILBOX_IOC_STAT, &st));
		stat_as_listed(&st);
		EXPECT_TRUE(info_eq(_metadata, &st, got));
	}
	got = find(self->e, n, unl);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), got->state);
	EXPECT_EQ(1, count_named(self->e, n, unl));
	got = find(self->e, n, dead);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(U32(MAILBOX_STATE_DEAD), got->state);
	EXPECT_EQ(U32(MAILBOX_CREATE_OWNED), got->flags);
	got = find(self->e, n, direct);
	ASSERT_TRUE(got != NULL);
	EXPECT_EQ(1, count_named(self->e, n, direct));
	EXPECT_EQ(U32(MAILBOX_INFO_DIRECT), got->flags);
	EXPECT_EQ(getpid(), got->owner_pid);
	EXPECT_EQ(4U, got->capacity);
	EXPECT_EQ(32U, got->msg_size_max);

	/* One call for everything agrees, and total counts them all. */
	ASSERT_EQ(n, list_call(self->fd, NULL, self->e, MAX_ENTRIES, NULL,
			       &total));
	EXPECT_EQ((__u32)n, total);

	for (i = 0; i < 3; i++) {
		unlink_name(names[i]);
		close(fds[i]);
	}
	close(ufd);
	close(dfd2);
	close(xfd);
}

/* Counters and waiters, entry for entry as STAT shows them. */
static void *sleeping_recv(void *arg)
{
	char buf[64];
	struct mailbox_recv r = { .buf = (uintptr_t)buf, .size = sizeof(buf) };

	return (void *)(intptr_t)xioctl(*(int *)arg, MAILBOX_IOC_RECV, &r);
}

TEST_F(list, counters_match_stat)
{
	char q[MAILBOX_NAME_LEN], b[MAILBOX_NAME_LEN];
	struct mailbox_info st, got;
	struct mailbox_recv_prio prio = { .priority = 7 };
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	pthread_t th;
	void *res;
	int qfd, bfd, sub, i;

	qfd = owned_box(_metadata, q, "q",
			MAILBOX_DELIVER_PRIORITY, MAILBOX_ACCESS_ALL);
	ASSERT_EQ(0, xioctl(qfd, MAILBOX_IOC_SET_RECV_PRIO, &prio));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, box_send(qfd, i & 1 ? "odd" : "even!"));
	ASSERT_EQ(5, box_recv(qfd));
	ASSERT_EQ(3, box_recv(qfd));
	listed_as_stat(_metadata, qfd, &st, &got);
	EXPECT_EQ(3U, st.depth);
	EXPECT_EQ(7U, st.recv_priority);
	EXPECT_EQ(5U, st.next_len);
	EXPECT_EQ(0U, got.access);
	EXPECT_EQ(0U, got.recv_priority);
	EXPECT_EQ(5U, got.next_len);

	/* A receiver asleep on an empty mailbox: rblocked, rwait. */
	for (i = 0; i < 3; i++)
		ASSERT_LT(0, box_recv(qfd));
	ASSERT_EQ(0, pthread_create(&th, NULL, sleeping_recv, &qfd));
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, list_of_fd(qfd, &got));
		if (got.receivers_waiting)
			break;
		nanosleep(&nap, NULL);
	}
	EXPECT_EQ(1U, got.receivers_waiting);
	EXPECT_EQ(1U, got.recv_blocked);
	listed_as_stat(_metadata, qfd, &st, &got);
	ASSERT_EQ(0, box_send(qfd, "wake"));
	ASSERT_EQ(0, pthread_join(th, &res));
	EXPECT_EQ(4, (int)(intptr_t)res);

	/* Broadcast: a subscriber with a backlog; LIST has no descriptor. */
	bfd = owned_box(_metadata, b, "b",
			MAILBOX_DELIVER_BROADCAST, MAILBOX_ACCESS_SEND);
	sub = box_open(b, MAILBOX_ACCESS_RECV);
	ASSERT_LE(0, sub);
	ASSERT_EQ(0, box_send(bfd, "one"));
	ASSERT_EQ(0, box_send(bfd, "two!"));
	listed_as_stat(_metadata, sub, &st, &got);
	EXPECT_EQ(2U, st.backlog);
	EXPECT_EQ(3U, st.next_len);
	EXPECT_EQ(0U, got.backlog);
	EXPECT_EQ(0U, got.next_len);
	EXPECT_EQ(1U, got.subscribers);
	EXPECT_EQ(2U, got.depth);

	close(sub);
	close(bfd);
	close(qfd);
}

/*
 * By name: the linked mailbox and the unlinked ones of that name, oldest
 * first; a direct one by pid/N; -ENOENT for a name nobody has.
 */
TEST_F(list, by_name)
{
	char name[MAILBOX_NAME_LEN], other[MAILBOX_NAME_LEN];
	char direct[MAILBOX_NAME_LEN];
	struct mailbox_direct d = { .capacity = 2, .msg_size_max = 8 };
	int old, cur, oth, xfd;
	__u64 cursor = 0;
	__u32 total = 99;

	box_name(name, "same");
	box_name(other, "other");
	old = box_create(name, MAILBOX_DELIVER_QUEUE, 0, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, old);
	ASSERT_EQ(0, box_send(old, "old"));
	unlink_name(name);
	cur = box_create(name, MAILBOX_DELIVER_QUEUE, 0, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, cur);
	oth = box_create(other, MAILBOX_DELIVER_QUEUE, 0, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, oth);

	ASSERT_EQ(2, list_call(self->fd, name, self->e, 8, &cursor, &total));
	EXPECT_EQ(2U, total);
	EXPECT_STREQ(name, self->e[0].name);
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), self->e[0].state);
	EXPECT_EQ(1U, self->e[0].depth);
	EXPECT_STREQ(name, self->e[1].name);
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), self->e[1].state);
	EXPECT_EQ(0U, self->e[1].depth);
	/* Paged one at a time: the same two, then the end. */
	cursor = 0;
	ASSERT_EQ(1, list_call(self->fd, name, self->e, 1, &cursor, &total));
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), self->e[0].state);
	ASSERT_EQ(1, list_call(self->fd, name, self->e, 1, &cursor, &total));
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), self->e[0].state);
	ASSERT_EQ(0, list_call(self->fd, name, self->e, 1, &cursor, &total));
	EXPECT_EQ(2U, total);

	xfd = dev_open();
	ASSERT_LE(0, xioctl(xfd, MAILBOX_IOC_OPEN_DIRECT, &d));
	snprintf(direct, sizeof(direct), "pid/%d", getpid());
	ASSERT_EQ(1, list_call(self->fd, direct, self->e, 8, NULL, &total));
	EXPECT_EQ(1U, total);
	EXPECT_STREQ(direct, self->e[0].name);
	EXPECT_EQ(U32(MAILBOX_INFO_DIRECT), self->e[0].flags);
	close(xfd);

	/* Gone: its name lists nothing, -ENOENT, as OPEN would say. */
	unlink_name(other);
	close(oth);
	EXPECT_EQ(-ENOENT, list_call(self->fd, other, self->e, 8, NULL, NULL));
	EXPECT_EQ(-ENOENT, list_call(self->fd, other, NULL, 0, NULL, NULL));
	EXPECT_EQ(-ENOENT, list_call(self->fd, "lst-nobody-has-this", self->e,
				     8, NULL, NULL));
	EXPECT_EQ(-ENOENT, list_call(self->fd, direct, self->e, 8, NULL,
				     NULL));

	unlink_name(name);
	close(old);
	close(cur);
}

/* count 0: nothing written, even through a NULL @entries; @total only. */
TEST_F(list, count_zero_total)
{
	char name[MAILBOX_NAME_LEN];
	struct mailbox_list l = { .cursor = 12345 };
	int fd, n;

	fd = owned_box(_metadata, name, "zero",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	n = list_all(self->fd, NULL, self->e, 64);
	ASSERT_LE(1, n);

	l.total = 7777;
	ASSERT_EQ(0, xioctl(self->fd, MAILBOX_IOC_LIST, &l));
	EXPECT_EQ(0U, l.count);
	EXPECT_EQ(12345ULL, l.cursor);
	EXPECT_EQ((__u32)n, l.total);

	strcpy(l.name, name);
	l.entries = 1;		/* never touched */
	ASSERT_EQ(0, xioctl(self->fd, MAILBOX_IOC_LIST, &l));
	EXPECT_EQ(0U, l.count);
	EXPECT_EQ(1U, l.total);
	close(fd);
}

/*
 * The end of the list leaves the cursor where it was, so that the next
 * call with it finds the mailboxes created since, and only those.
 */
TEST_F(list, cursor_at_end_sees_new)
{
	char a[MAILBOX_NAME_LEN], b[MAILBOX_NAME_LEN];
	__u64 cursor = 0, end;
	int fa, fb, got;

	fa = owned_box(_metadata, a, "a",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	do {
		got = list_call(self->fd, NULL, self->e, 16, &cursor, NULL);
		ASSERT_LE(0, got);
	} while (got);
	end = cursor;
	ASSERT_EQ(0, list_call(self->fd, NULL, self->e, 16, &cursor, NULL));
	EXPECT_EQ(end, cursor);

	fb = owned_box(_metadata, b, "b",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	ASSERT_EQ(1, list_call(self->fd, NULL, self->e, 16, &cursor, NULL));
	EXPECT_STREQ(b, self->e[0].name);
	EXPECT_LT(end, cursor);
	close(fa);
	close(fb);
}

/*
 * Paging across changes: after the first page, mailboxes listed and not
 * yet listed are destroyed and new ones created; the rest of the listing
 * skips none of the survivors and repeats nothing.
 */
TEST_F(list, paging_across_changes)
{
	enum { N = 12 };
	char names[N][MAILBOX_NAME_LEN], fresh[MAILBOX_NAME_LEN];
	struct mailbox_info *e = self->e;
	int fds[N], ffd, i, n = 0, got, first = -1;
	__u64 cursor = 0;

	for (i = 0; i < N; i++) {
		fds[i] = owned_box(_metadata, names[i], "pg",
				   MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	}
	/* Page until the first of ours shows, and two more. */
	while (first < 0) {
		got = list_call(self->fd, NULL, e + n, 1, &cursor, NULL);
		ASSERT_EQ(1, got);
		if (!strcmp(e[n].name, names[0]))
			first = n;
		n++;
	}
	for (i = 0; i < 2; i++, n++)
		ASSERT_EQ(1, list_call(self->fd, NULL, e + n, 1, &cursor, NULL));
	/* names[0..2] listed: destroy 1 (listed) and 5 (not yet). */
	close(fds[1]);
	fds[1] = -1;
	close(fds[5]);
	fds[5] = -1;
	box_name(fresh, "pg-new");
	ffd = box_create(fresh, MAILBOX_DELIVER_QUEUE, MAILBOX_CREATE_OWNED,
			 MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, ffd);
	do {
		ASSERT_GT(MAX_ENTRIES, n + PAGE_ENTRIES);
		got = list_call(self->fd, NULL, e + n, PAGE_ENTRIES, &cursor,
				NULL);
		ASSERT_LE(0, got);
		n += got;
	} while (got == PAGE_ENTRIES);

	for (i = 0; i < N; i++) {
		int want = i == 5 ? 0 : 1;

		EXPECT_EQ(want, count_named(e, n, names[i]))
			TH_LOG("%s listed %d times", names[i],
			       count_named(e, n, names[i]));
	}
	EXPECT_EQ(1, count_named(e, n, fresh));
	for (i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(ffd);
}

/*
 * Concurrent churn: a thread destroys, one every half millisecond, the
 * mailboxes interleaved with ours (each death moves every later mailbox
 * up the list), and creates and destroys others at its end, while we page
 * through the list three entries at a time, again and again. Every
 * listing has each of ours exactly once, and no name twice (every churned
 * name is new).
 */
struct churn {
	int *victims;
	int nvictims;
	volatile bool victims_done;
	volatile bool stop;
	int created;
};

static void *churn_main(void *arg)
{
	struct timespec nap = { 0, 500 * 1000 };
	struct churn *c = arg;
	char name[MAILBOX_NAME_LEN];
	int held[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	int i, k;

	for (i = 0; !c->stop; i++) {
		if (i < c->nvictims) {
			close(c->victims[i]);
			c->victims[i] = -1;
		} else {
			c->victims_done = true;
		}
		k = i % 8;
		if (held[k] >= 0)
			close(held[k]);
		snprintf(name, sizeof(name), "lst-%d-churn-%d", getpid(), i);
		held[k] = box_create(name, MAILBOX_DELIVER_QUEUE,
				     MAILBOX_CREATE_OWNED, MAILBOX_ACCESS_ALL);
		if (held[k] >= 0)
			c->created++;
		nanosleep(&nap, NULL);
	}
	for (k = 0; k < 8; k++)
		if (held[k] >= 0)
			close(held[k]);
	return NULL;
}

TEST_F(list, paging_concurrent_churn)
{
	enum { N = 40, PER = 3, ROUNDS_MIN = 20, ROUNDS_MAX = 5000 };
	char names[N][MAILBOX_NAME_LEN], v[MAILBOX_NAME_LEN];
	int fds[N], victims[N * PER], i, j, n, r, bad = 0;
	struct churn c = { .victims = victims, .nvictims = N * PER };
	struct mailbox_info *e = self->e;
	pthread_t th;

	for (i = 0; i < N; i++) {
		for (j = 0; j < PER; j++) {
			box_name(v, "victim");
			victims[i * PER + j] =
				box_create(v, MAILBOX_DELIVER_QUEUE,
					   MAILBOX_CREATE_OWNED,
					   MAILBOX_ACCESS_ALL);
			ASSERT_LE(0, victims[i * PER + j]);
		}
		fds[i] = owned_box(_metadata, names[i], "keep",
				   MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	}
	ASSERT_EQ(0, pthread_create(&th, NULL, churn_main, &c));
	for (r = 0; r < ROUNDS_MAX && !bad; r++) {
		if (c.victims_done && r >= ROUNDS_MIN)
			break;
		n = list_all(self->fd, NULL, e, PAGE_ENTRIES);
		ASSERT_LE(N, n);
		for (i = 0; i < N; i++) {
			if (count_named(e, n, names[i]) == 1)
				continue;
			TH_LOG("round %d: %s listed %d times", r, names[i],
			       count_named(e, n, names[i]));
			bad++;
		}
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (!strcmp(e[i].name, e[j].name)) {
					TH_LOG("round %d: %s twice", r,
					       e[i].name);
					bad++;
				}
	}
	c.stop = true;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, bad);
	EXPECT_LT(N, c.created) TH_LOG("the churn thread hardly ran");
	TH_LOG("%d listings, %d mailboxes churned", r, c.created);
	for (i = 0; i < N; i++)
		close(fds[i]);
	for (i = 0; i < N * PER; i++)
		if (victims[i] >= 0)
			close(victims[i]);
}

/* Flags, reserved fields and an unterminated name: -EINVAL, untouched. */
TEST_F(list, einval_untouched)
{
	struct mailbox_list l, want;
	int i;

	for (i = 0; i < 7; i++) {
		memset(&l, 0, sizeof(l));
		l.entries = (uintptr_t)self->e;
		l.count = 4;
		l.cursor = 3;
		l.total = 0xdead;
		switch (i) {
		case 0:
			l.flags = 1;
			break;
		case 1:
			l.flags = 0x80000000;
			break;
		case 2:
			l.reserved0 = 1;
			break;
		case 3:
			l.reserved[0] = 1;
			break;
		case 4:
			l.reserved[3] = 1ULL << 63;
			break;
		case 5:
			memset(l.name, 'a', sizeof(l.name));
			break;
		case 6:
			l.reserved[1] = 1;
			l.count = 0;
			break;
		}
		want = l;
		EXPECT_EQ(-EINVAL, xioctl(self->fd, MAILBOX_IOC_LIST, &l))
			TH_LOG("case %d", i);
		EXPECT_EQ(0, memcmp(&want, &l, sizeof(l))) TH_LOG("case %d", i);
	}
}

/*
 * Bad pointers: the struct itself, @entries, @entries running into a
 * guard page midway, and a struct that can be read but not written:
 * -EFAULT, the struct as it was; listing still works after.
 */
TEST_F(list, efault_untouched)
{
	long pg = sysconf(_SC_PAGESIZE);
	char name[MAILBOX_NAME_LEN], name2[MAILBOX_NAME_LEN];
	struct mailbox_list l, want, *ro;
	unsigned char *map;
	int fd, fd2;

	fd = owned_box(_metadata, name, "f",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	fd2 = owned_box(_metadata, name2, "f",
			MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);

	EXPECT_EQ(-EFAULT, xioctl(self->fd, MAILBOX_IOC_LIST, (void *)1));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MAILBOX_IOC_LIST, NULL));

	memset(&l, 0, sizeof(l));
	l.entries = 1;
	l.count = 1;
	want = l;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MAILBOX_IOC_LIST, &l));
	EXPECT_EQ(0, memcmp(&want, &l, sizeof(l)));

	/* One entry fits before a PROT_NONE page; the second faults. */
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_EQ(0, mprotect(map + pg, pg, PROT_NONE));
	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)(map + pg - sizeof(struct mailbox_info));
	l.count = 2;
	want = l;
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MAILBOX_IOC_LIST, &l));
	EXPECT_EQ(0, memcmp(&want, &l, sizeof(l)));
	/* By name, one entry: it fits. */
	strcpy(l.name, name);
	ASSERT_EQ(0, xioctl(self->fd, MAILBOX_IOC_LIST, &l));
	EXPECT_EQ(1U, l.count);
	EXPECT_STREQ(name, ((struct mailbox_info *)(uintptr_t)l.entries)->name);

	/* The struct readable, not writable: -EFAULT after listing. */
	ASSERT_EQ(0, mprotect(map, pg, PROT_READ | PROT_WRITE));
	ro = (struct mailbox_list *)map;
	memset(ro, 0, sizeof(*ro));
	ro->entries = (uintptr_t)self->e;
	ro->count = 4;
	want = *ro;
	ASSERT_EQ(0, mprotect(map, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, xioctl(self->fd, MAILBOX_IOC_LIST, ro));
	EXPECT_EQ(0, memcmp(&want, ro, sizeof(*ro)));

	/* Nothing changed: both still listed, by name each. */
	EXPECT_EQ(1, list_call(self->fd, name, self->e, 4, NULL, NULL));
	EXPECT_EQ(1, list_call(self->fd, name2, self->e, 4, NULL, NULL));
	munmap(map, 2 * pg);
	close(fd);
	close(fd2);
}

/* No permission needed: uid 65534 lists root's mode 0600 mailboxes. */
TEST_F(list, unprivileged_sees_all)
{
	char name[MAILBOX_NAME_LEN];
	int fd, status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to drop to uid %d", NOBODY);
	fd = owned_box(_metadata, name, "priv",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_ALL);
	ASSERT_EQ(0, box_send(fd, "secret"));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mailbox_info e;
		int dfd;

		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(10);
		dfd = dev_open();
		if (dfd < 0)
			_exit(11);
		if (list_call(dfd, name, &e, 1, NULL, NULL) != 1)
			_exit(12);
		if (e.uid != 0 || e.mode != 0600 || e.depth != 1 ||
		    e.bytes != 6)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
}

/* An unbound descriptor and a bound one list the same. */
TEST_F(list, any_descriptor)
{
	char name[MAILBOX_NAME_LEN];
	struct mailbox_info a, b;
	int fd;

	fd = owned_box(_metadata, name, "fd",
		       MAILBOX_DELIVER_QUEUE, MAILBOX_ACCESS_SEND);
	ASSERT_EQ(1, list_call(self->fd, name, &a, 1, NULL, NULL));
	ASSERT_EQ(1, list_call(fd, name, &b, 1, NULL, NULL));
	EXPECT_TRUE(info_eq(_metadata, &a, &b));
	close(fd);
}

TEST_HARNESS_MAIN
