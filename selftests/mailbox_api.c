// SPDX-License-Identifier: GPL-2.0
/*
 * kmailbox API tests: argument validation and every error path of the
 * /dev/mailbox ioctls, STAT, unlink, permissions, OWNED mailboxes, the
 * module-parameter limits, poll/epoll, /proc/mailboxes and fdinfo.
 *
 * Message transfer itself (blocking, deadlines, rendezvous, signals,
 * ordering, volume) is tested by mailbox_transfer.c and mailbox_stress.c.
 *
 * Most tests want root: they drop to uid/gid 65534 in forked children to
 * check permissions and per-user limits, and write module parameters.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mailbox_test.h"

#define NOBODY		65534U
#define PROC_MAILBOXES	"/proc/mailboxes"
#define BAD_PTR		((void *)1)
#define WAIT_MS		5000	/* upper bound for anything we wait for */
#define SETTLE_MS	100	/* time for a thread to fall asleep */
#define CHILD_BROKEN	(-128)	/* child could not run or died */

/* The uapi constants are ints; compare them as the __u32 fields hold them. */
#define U32(x)		((uint32_t)(x))

#define MAX_NAMES	16
#define MAX_PARAMS	4

/* Default limits, used when the parameters cannot be read. */
#define DEFAULT_MSG_SIZE_LIMIT	1048576UL
#define DEFAULT_CAPACITY_LIMIT	65536UL

static const char payload[] = "0123456789abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

FIXTURE(mbox) {
	/* names created by the test, unlinked by the teardown */
	char names[MAX_NAMES][MAILBOX_NAME_LEN];
	int nnames;
	/* module parameters changed by the test, restored by the teardown */
	struct {
		char param[32];
		char old[32];
	} params[MAX_PARAMS];
	int nparams;
};

FIXTURE_SETUP(mbox)
{
	int fd = mbt_dev();

	if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		SKIP(return, "%s missing: load kmailbox.ko", MBOX_DEV);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", MBOX_DEV, strerror(-fd));
	close(fd);
}

static int param_write(const char *param, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	return mbt_write_file(path, val, 0);
}

FIXTURE_TEARDOWN(mbox)
{
	int i;

	for (i = 0; i < self->nnames; i++)
		mbt_unlink(self->names[i]);
	for (i = self->nparams - 1; i >= 0; i--)
		param_write(self->params[i].param, self->params[i].old);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* A fresh mailbox name, unlinked again by the teardown. */
static char *new_name(FIXTURE_DATA(mbox) *self, const char *prefix)
{
	char *name = self->names[self->nnames];

	if (self->nnames < MAX_NAMES - 1)
		self->nnames++;
	mbt_name(name, prefix);
	return name;
}

static struct mailbox_create create_args(const char *name, uint32_t flags,
					 uint32_t access, uint32_t mode,
					 uint32_t capacity,
					 uint32_t msg_size_max)
{
	struct mailbox_create c = {
		.flags = flags, .access = access, .mode = mode,
		.capacity = capacity, .msg_size_max = msg_size_max,
	};

	mbt_set_name(c.name, name);
	return c;
}

static struct mailbox_open open_args(const char *name, uint32_t access)
{
	struct mailbox_open o = { .access = access };

	mbt_set_name(o.name, name);
	return o;
}

static struct mailbox_unlink unlink_args(const char *name)
{
	struct mailbox_unlink u = { .flags = 0 };

	mbt_set_name(u.name, name);
	return u;
}

/* Issue one ioctl on a new, unbound descriptor and close it again. */
static int on_fresh_fd(unsigned long cmd, void *arg)
{
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	ret = mbt_ioctl(fd, cmd, arg);
	close(fd);
	return ret;
}

/* Result of opening @name with @access: 0 or -errno; nothing stays open. */
static int open_result(const char *name, uint32_t access)
{
	struct mailbox_open o = open_args(name, access);

	return on_fresh_fd(MAILBOX_IOC_OPEN, &o);
}

/* Result of CREATE (no EXCL) of @name with @access: 1, 0 or -errno. */
static int create_result(const char *name, uint32_t access)
{
	struct mailbox_create c = create_args(name, 0, access, 0600, 4, 64);

	return on_fresh_fd(MAILBOX_IOC_CREATE, &c);
}

/* Create a mailbox with a fresh name on a new descriptor; asserts. */
static int make_box(struct __test_metadata *_metadata,
		    FIXTURE_DATA(mbox) *self, const char **namep,
		    uint32_t flags, uint32_t mode, uint32_t capacity,
		    uint32_t msg_size_max)
{
	const char *name = new_name(self, "api");
	int fd = mbt_create(name, flags | MAILBOX_CREATE_EXCL, mode, capacity,
			    msg_size_max);

	ASSERT_LE(0, fd) TH_LOG("create %s: %s", name, strerror(-fd));
	if (namep)
		*namep = name;
	return fd;
}

/* The usual small mailbox: mode 0600, 8 messages of up to 64 bytes. */
#define SMALL_BOX(namep) make_box(_metadata, self, namep, 0, 0600, 8, 64)

/* Open @name with @access on a new descriptor (flags: O_NONBLOCK); asserts. */
static int open_box(struct __test_metadata *_metadata, const char *name,
		    uint32_t access, int oflags)
{
	struct mailbox_open o = open_args(name, access);
	int fd = open(MBOX_DEV, O_RDWR | O_CLOEXEC | oflags);
	int ret;

	ASSERT_LE(0, fd) TH_LOG("open %s: %s", MBOX_DEV, strerror(errno));
	ret = mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o);
	ASSERT_EQ(0, ret) TH_LOG("open mailbox %s: %s", name, strerror(-ret));
	return fd;
}

static struct mailbox_info stat_box(struct __test_metadata *_metadata, int fd)
{
	struct mailbox_info info;
	int ret = mbt_stat(fd, &info);

	ASSERT_EQ(0, ret) TH_LOG("STAT: %s", strerror(-ret));
	return info;
}

static uint32_t depth_of(struct __test_metadata *_metadata, int fd)
{
	return stat_box(_metadata, fd).depth;
}

/* Non-blocking send of the first @len bytes of payload; asserts success. */
static void put(struct __test_metadata *_metadata, int fd, uint32_t len)
{
	int ret = mbt_send(fd, payload, len, MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ(0, ret) TH_LOG("send %u bytes: %s", len, strerror(-ret));
}

/* Non-blocking receive; asserts it is the first @len bytes of payload. */
static void get(struct __test_metadata *_metadata, int fd, uint32_t len)
{
	char buf[sizeof(payload)];
	int ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, NULL);

	ASSERT_EQ((int)len, ret) TH_LOG("recv: %s", strerror(-ret));
	ASSERT_EQ(0, memcmp(buf, payload, len));
}

/* Non-blocking receive must find nothing. */
static void expect_empty(struct __test_metadata *_metadata, int fd)
{
	char buf[sizeof(payload)];

	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				    NULL));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Wait until STAT shows @recv sleeping receivers and @send senders. */
static bool wait_waiters(int fd, uint32_t recv, uint32_t send)
{
	struct mailbox_info info;
	int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (mbt_stat(fd, &info))
			return false;
		if (info.receivers_waiting == recv &&
		    info.senders_waiting == send)
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Set one field of an argument structure (4 or 8 bytes wide). */
struct field_case {
	const char *what;
	size_t off, size;
	uint64_t val;
};

#define FIELD(type, field, v) \
	{ #field "=" #v, offsetof(type, field), \
	  sizeof(((type *)0)->field), (uint64_t)(v) }
#define NO_FIELD { "", 0, 0, 0 }

static void set_field(void *arg, const struct field_case *fc)
{
	uint32_t v32 = fc->val;

	if (fc->size == sizeof(uint32_t))
		memcpy((char *)arg + fc->off, &v32, sizeof(v32));
	else if (fc->size == sizeof(uint64_t))
		memcpy((char *)arg + fc->off, &fc->val, sizeof(fc->val));
}

/*
 * @cmd on a fresh descriptor with @base changed by each of @cases must fail
 * with -EINVAL. A mailbox wrongly created is unlinked again.
 */
static void expect_einval(struct __test_metadata *_metadata, unsigned long cmd,
			  const void *base, size_t size,
			  const struct field_case *cases, size_t ncases)
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
		set_field(&arg, &cases[i]);
		ret = on_fresh_fd(cmd, &arg);
		EXPECT_EQ(-EINVAL, ret) TH_LOG("cmd 0x%lx with %s", cmd,
					       cases[i].what);
		if (ret >= 0 && cmd == MAILBOX_IOC_CREATE) {
			/* the name is where it was: clear the rest */
			memset(&arg.u.flags, 0, sizeof(arg.u) - sizeof(arg.u.name));
			on_fresh_fd(MAILBOX_IOC_UNLINK, &arg.u);
		}
	}
}

/* Root-only tests drop privileges in forked children. */
#define REQUIRE_ROOT() do { \
	if (geteuid() != 0) \
		SKIP(return, "needs root"); \
} while (0)

typedef int (*child_fn)(struct __test_metadata *_metadata, void *arg);

/*
 * Fork a child that drops to @uid/@gid (no supplementary groups; nothing
 * changes when those are the current ids already) and runs @fn; its result
 * (0 or -errno) comes back through the exit status. The child may use
 * EXPECT_*: the metadata of TEST_F tests is shared memory.
 */
static pid_t spawn_as(struct __test_metadata *_metadata, uid_t uid,
		      gid_t gid, child_fn fn, void *arg)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bool same = uid == geteuid() && gid == getegid();
		int ret = CHILD_BROKEN;

		if (!same && (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
			      setresuid(uid, uid, uid)))
			TH_LOG("dropping to %u/%u: %s", uid, gid,
			       strerror(errno));
		else
			ret = fn(_metadata, arg);
		if (ret <= CHILD_BROKEN || ret > 127)
			ret = CHILD_BROKEN;
		_exit(ret & 0xff);
	}
	return pid;
}

static int reap(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		TH_LOG("fork/wait: %s", strerror(errno));
		return CHILD_BROKEN;
	}
	if (!WIFEXITED(status)) {
		TH_LOG("child %d died, status 0x%x", (int)pid, status);
		return CHILD_BROKEN;
	}
	return (signed char)WEXITSTATUS(status);
}

static int run_as(struct __test_metadata *_metadata, uid_t uid, gid_t gid,
		  child_fn fn, void *arg)
{
	return reap(_metadata, spawn_as(_metadata, uid, gid, fn, arg));
}

/* A call made by a background thread, which may block. */
enum bg_op { BG_RECV, BG_SEND, BG_POLL, BG_EPOLL };

struct bg {
	pthread_t thread;
	enum bg_op op;
	int fd;
	short events;
	int ret;	/* -errno, a length, revents or epoll events */
	int done;
	char buf[64];
};

static void *bg_main(void *arg)
{
	struct bg *bg = arg;
	struct pollfd pfd = { .fd = bg->fd, .events = bg->events };
	struct epoll_event ev;
	int r;

	switch (bg->op) {
	/* deadlines only keep a broken module from hanging the test */
	case BG_RECV:
		bg->ret = mbt_recv(bg->fd, bg->buf, sizeof(bg->buf),
				   MAILBOX_DEADLINE,
				   mbt_deadline_ms(2 * WAIT_MS), NULL);
		break;
	case BG_SEND:
		bg->ret = mbt_send(bg->fd, payload, 8, MAILBOX_DEADLINE,
				   mbt_deadline_ms(2 * WAIT_MS), NULL);
		break;
	case BG_POLL:
		r = poll(&pfd, 1, 2 * WAIT_MS);
		bg->ret = r < 0 ? -errno : r ? pfd.revents : 0;
		break;
	case BG_EPOLL:
		r = epoll_wait(bg->fd, &ev, 1, 2 * WAIT_MS);
		bg->ret = r < 0 ? -errno : r ? (int)ev.events : 0;
		break;
	}
	__atomic_store_n(&bg->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void bg_start(struct __test_metadata *_metadata, struct bg *bg,
		     enum bg_op op, int fd, short events)
{
	memset(bg, 0, sizeof(*bg));
	bg->op = op;
	bg->fd = fd;
	bg->events = events;
	ASSERT_EQ(0, pthread_create(&bg->thread, NULL, bg_main, bg));
}

/* Give the thread time to fall asleep; true if it is still in its call. */
static bool bg_sleeping(struct bg *bg)
{
	sleep_ms(SETTLE_MS);
	return !__atomic_load_n(&bg->done, __ATOMIC_ACQUIRE);
}

static int bg_join(struct __test_metadata *_metadata, struct bg *bg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2 * WAIT_MS / 1000 + 1;
	ASSERT_EQ(0, pthread_timedjoin_np(bg->thread, NULL, &ts))
		TH_LOG("background call did not return");
	return bg->ret;
}

/* One parsed line of /proc/mailboxes. */
struct proc_entry {
	char name[4 * MAILBOX_NAME_LEN + 1];	/* escaped */
	struct mailbox_info info;	/* the numeric columns */
	char state[16], flags[16];
};

static bool proc_parse(const char *line, struct proc_entry *e)
{
	struct mailbox_info *i = &e->info;

	memset(i, 0, sizeof(*i));
	return sscanf(line, "%256s %u %u %o %u %u %u %llu %llu %llu %llu %llu "
		      "%u %u %15s %15s", e->name, &i->uid, &i->gid, &i->mode,
		      &i->capacity, &i->msg_size_max, &i->depth, &i->bytes,
		      &i->sent, &i->received, &i->send_blocked,
		      &i->recv_blocked, &i->senders_waiting,
		      &i->receivers_waiting, e->state, e->flags) == 16;
}

/*
 * Scan /proc/mailboxes: count the lines whose (escaped) name is @name (any
 * if NULL) and whose uid is @uid (any if negative); the last match goes to
 * @found, the header line to @header. Returns the count or -errno.
 */
static int proc_scan(const char *name, long uid, struct proc_entry *found,
		     char *header, size_t header_size)
{
	FILE *f = fopen(PROC_MAILBOXES, "re");
	struct proc_entry e;
	char line[1024];
	int count = 0;

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (header)
		snprintf(header, header_size, "%s", line);
	while (fgets(line, sizeof(line), f)) {
		if (!proc_parse(line, &e))
			continue;
		if (name && strcmp(name, e.name))
			continue;
		if (uid >= 0 && e.info.uid != (unsigned long)uid)
			continue;
		if (found)
			*found = e;
		count++;
	}
	fclose(f);
	return count;
}

/* Escape a name as /proc/mailboxes shows it (space, tab, \n, backslash). */
static void proc_escape(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (; *name && n + 5 < size; name++) {
		if (strchr(" \t\n\\", *name))
			n += snprintf(out + n, size - n, "\\%03o",
				      (unsigned char)*name);
		else
			out[n++] = *name;
	}
	out[n] = '\0';
}

static int proc_lookup(const char *name, struct proc_entry *found)
{
	char escaped[sizeof(found->name)];

	proc_escape(name, escaped, sizeof(escaped));
	return proc_scan(escaped, -1, found, NULL, 0);
}

/*
 * Set a module parameter for this test, restored by the teardown. SKIPs
 * the test (and returns false) when it is not writable.
 */
static bool param_set(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mbox) *self, const char *param,
		      unsigned long val)
{
	char path[128], value[32];
	FILE *f;
	int i = self->nparams;

	snprintf(path, sizeof(path), MBT_PARAM_DIR "%s", param);
	if (geteuid() != 0 || access(path, W_OK))
		SKIP(return false, "%s not writable", path);
	ASSERT_LT(i, MAX_PARAMS);
	f = fopen(path, "re");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(self->params[i].old, sizeof(self->params[i].old),
			  f) != NULL);
	fclose(f);
	self->params[i].old[strcspn(self->params[i].old, "\n")] = '\0';
	snprintf(self->params[i].param, sizeof(self->params[i].param), "%s",
		 param);
	self->nparams++;
	snprintf(value, sizeof(value), "%lu", val);
	ASSERT_EQ(0, param_write(param, value)) TH_LOG("write %s", path);
	return true;
}

/* The text of /proc/self/fdinfo/@fd. */
static void read_fdinfo(struct __test_metadata *_metadata, int fd,
			char *buf, size_t size)
{
	char path[64];
	ssize_t len;
	int pfd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, pfd) TH_LOG("open %s: %s", path, strerror(errno));
	len = read(pfd, buf, size - 1);
	close(pfd);
	ASSERT_LT(0, len);
	buf[len] = '\0';
}

static short poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&pfd, 1, 0) < 0 ? -1 : pfd.revents;
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

/* ------------------------------------------------------------------ */
/* CREATE / OPEN / UNLINK                                              */
/* ------------------------------------------------------------------ */

TEST_F(mbox, create_new_then_existing)
{
	const char *name = new_name(self, "exist");
	struct mailbox_create c = create_args(name, 0, MAILBOX_ACCESS_ALL,
					      0640, 3, 50);
	struct mailbox_info info;
	int a = mbt_dev(), b = mbt_dev();

	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(1, mbt_ioctl(a, MAILBOX_IOC_CREATE, &c));

	/* Without EXCL: opens it; mode, sizes and OWNED are ignored. */
	c = create_args(name, MAILBOX_CREATE_OWNED, MAILBOX_ACCESS_SEND, 0666,
			10, 500);
	ASSERT_EQ(0, mbt_ioctl(b, MAILBOX_IOC_CREATE, &c));
	info = stat_box(_metadata, b);
	EXPECT_EQ(0640U, info.mode);
	EXPECT_EQ(3U, info.capacity);
	EXPECT_EQ(50U, info.msg_size_max);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(U32(MAILBOX_ACCESS_SEND), info.access);
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), info.state);

	/* Both descriptors are bound to the same mailbox. */
	put(_metadata, b, 5);
	EXPECT_EQ(1U, depth_of(_metadata, a));
	get(_metadata, a, 5);

	/* OWNED was ignored: closing b does not destroy the mailbox. */
	close(b);
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_ALL));

	c = create_args(name, MAILBOX_CREATE_EXCL, MAILBOX_ACCESS_ALL, 0600,
			3, 50);
	EXPECT_EQ(-EEXIST, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
	c.flags = MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED;
	EXPECT_EQ(-EEXIST, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_RECV));
	close(a);
}

TEST_F(mbox, open_and_unlink_missing)
{
	const char *name = new_name(self, "missing");
	struct mailbox_unlink u = unlink_args(name);

	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, on_fresh_fd(MAILBOX_IOC_UNLINK, &u));
	/* Failed lookups created nothing. */
	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_SEND));
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
		c = create_args(bad[i], 0, MAILBOX_ACCESS_ALL, 0600, 1, 1);
		o = open_args(bad[i], MAILBOX_ACCESS_ALL);
		u = unlink_args(bad[i]);
		EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_CREATE, &c))
			TH_LOG("create name #%u", i);
		EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_OPEN, &o))
			TH_LOG("open name #%u", i);
		EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_UNLINK, &u))
			TH_LOG("unlink name #%u", i);
	}

	/* 64 bytes without a NUL. */
	c = create_args("", 0, MAILBOX_ACCESS_ALL, 0600, 1, 1);
	memset(c.name, 'n', sizeof(c.name));
	o = open_args("", MAILBOX_ACCESS_ALL);
	memset(o.name, 'n', sizeof(o.name));
	u = unlink_args("");
	memset(u.name, 'n', sizeof(u.name));
	EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EINVAL, on_fresh_fd(MAILBOX_IOC_UNLINK, &u));

	/* 63 bytes: fine, and usable by name afterwards. */
	name = new_name(self, "long");
	memset(name + strlen(name), 'x', MAILBOX_NAME_LEN - 1 - strlen(name));
	name[MAILBOX_NAME_LEN - 1] = '\0';
	ASSERT_EQ(63U, strlen(name));
	c = create_args(name, MAILBOX_CREATE_EXCL, MAILBOX_ACCESS_ALL, 0600,
			1, 1);
	ret = on_fresh_fd(MAILBOX_IOC_CREATE, &c);
	ASSERT_EQ(1, ret) TH_LOG("63-byte name: %s", strerror(-ret));
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_ALL));
	u = unlink_args(name);
	EXPECT_EQ(0, on_fresh_fd(MAILBOX_IOC_UNLINK, &u));

	/* Space, backslash and high bytes are allowed. */
	c = create_args(new_name(self, "sp ace\\\xc3\xa9"), MAILBOX_CREATE_EXCL,
			MAILBOX_ACCESS_ALL, 0600, 1, 1);
	EXPECT_EQ(1, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
}

TEST_F(mbox, create_invalid_fields)
{
	unsigned long cap_limit = mbt_param_or("capacity_limit",
					   DEFAULT_CAPACITY_LIMIT);
	unsigned long size_limit = mbt_param_or("msg_size_limit",
					    DEFAULT_MSG_SIZE_LIMIT);
	const struct field_case cases[] = {
		FIELD(struct mailbox_create, flags, 1U << 2),
		FIELD(struct mailbox_create, flags, 1U << 31),
		FIELD(struct mailbox_create, access, 0),
		FIELD(struct mailbox_create, access, 1U << 2),
		FIELD(struct mailbox_create, access, MAILBOX_ACCESS_ALL | 1U << 31),
		FIELD(struct mailbox_create, mode, 01000),
		FIELD(struct mailbox_create, mode, 04600),
		FIELD(struct mailbox_create, mode, 0xffffffffU),
		FIELD(struct mailbox_create, capacity, cap_limit + 1),
		FIELD(struct mailbox_create, capacity, 0xffffffffU),
		FIELD(struct mailbox_create, msg_size_max, 0),
		FIELD(struct mailbox_create, msg_size_max, size_limit + 1),
		FIELD(struct mailbox_create, msg_size_max, 0xffffffffU),
		FIELD(struct mailbox_create, delivery, 3),
		FIELD(struct mailbox_create, delivery, 0xffffffffU),
		FIELD(struct mailbox_create, reserved[0], 1),
		FIELD(struct mailbox_create, reserved[1], 1),
		FIELD(struct mailbox_create, reserved[2], 1),
		FIELD(struct mailbox_create, reserved[3], 1ULL << 63),
	};
	const char *name = new_name(self, "fields");
	struct mailbox_create base = create_args(name, MAILBOX_CREATE_EXCL,
						 MAILBOX_ACCESS_ALL, 0600, 4,
						 64);
	struct mailbox_create c;

	expect_einval(_metadata, MAILBOX_IOC_CREATE, &base, sizeof(base),
		      cases, ARRAY_SIZE(cases));
	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_ALL));

	/* The base arguments, and the limits themselves, are valid. */
	c = base;
	c.capacity = cap_limit;
	c.msg_size_max = size_limit;
	EXPECT_EQ(1, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(0, mbt_unlink(name));
	c = base;
	c.capacity = 0;
	c.mode = 0777;
	c.flags = MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED;
	EXPECT_EQ(1, on_fresh_fd(MAILBOX_IOC_CREATE, &c));
}

TEST_F(mbox, open_invalid_fields)
{
	static const struct field_case cases[] = {
		FIELD(struct mailbox_open, access, 0),
		FIELD(struct mailbox_open, access, 1U << 2),
		FIELD(struct mailbox_open, access, MAILBOX_ACCESS_SEND | 1U << 31),
		FIELD(struct mailbox_open, flags, 1),
		FIELD(struct mailbox_open, flags, 1U << 31),
		FIELD(struct mailbox_open, reserved[0], 1),
		FIELD(struct mailbox_open, reserved[1], 1ULL << 63),
	};
	const char *name;
	int fd = SMALL_BOX(&name);
	struct mailbox_open o = open_args(name, MAILBOX_ACCESS_ALL);

	expect_einval(_metadata, MAILBOX_IOC_OPEN, &o, sizeof(o), cases,
		      ARRAY_SIZE(cases));
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_ALL));
	close(fd);
}

TEST_F(mbox, unlink_invalid_fields)
{
	static const struct field_case cases[] = {
		FIELD(struct mailbox_unlink, flags, 1),
		FIELD(struct mailbox_unlink, flags, 1U << 31),
		FIELD(struct mailbox_unlink, reserved0, 1),
		FIELD(struct mailbox_unlink, reserved[0], 1),
		FIELD(struct mailbox_unlink, reserved[1], 1ULL << 63),
	};
	const char *name;
	int fd = SMALL_BOX(&name);
	struct mailbox_unlink u = unlink_args(name);

	expect_einval(_metadata, MAILBOX_IOC_UNLINK, &u, sizeof(u), cases,
		      ARRAY_SIZE(cases));
	/* Still there, and a correct unlink works. */
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), stat_box(_metadata, fd).state);
	EXPECT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), stat_box(_metadata, fd).state);
	close(fd);
}

TEST_F(mbox, bind_twice_ebusy)
{
	const char *name, *other = new_name(self, "other");
	struct mailbox_create c = create_args(other, 0, MAILBOX_ACCESS_ALL,
					      0600, 4, 64);
	struct mailbox_open o;
	int created = SMALL_BOX(&name);
	int opened = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);

	o = open_args(name, MAILBOX_ACCESS_ALL);
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EBUSY, mbt_ioctl(opened, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-EBUSY, mbt_ioctl(opened, MAILBOX_IOC_OPEN, &o));
	c = create_args(name, 0, MAILBOX_ACCESS_ALL, 0600, 4, 64);
	EXPECT_EQ(-EBUSY, mbt_ioctl(created, MAILBOX_IOC_CREATE, &c));

	/* The refused CREATE made nothing, the binding is unchanged. */
	EXPECT_EQ(-ENOENT, open_result(other, MAILBOX_ACCESS_ALL));
	EXPECT_STREQ(name, stat_box(_metadata, created).name);
	EXPECT_STREQ(name, stat_box(_metadata, opened).name);
	close(opened);
	close(created);
}

TEST_F(mbox, failed_bind_leaves_fd_unbound)
{
	const char *name = new_name(self, "rebind");
	struct mailbox_create c = create_args(name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, 0600, 4, 0);
	struct mailbox_open o = open_args(name, MAILBOX_ACCESS_ALL);
	struct mailbox_info info;
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(-ENOENT, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &info));
	c.msg_size_max = 64;
	EXPECT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c));
	EXPECT_STREQ(name, stat_box(_metadata, fd).name);
	close(fd);
}

TEST_F(mbox, unbound_fd_ebadfd)
{
	struct mailbox_info info;
	char buf[16];
	int fd = mbt_dev();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, mbt_send(fd, payload, 4, 0, 0, NULL));
	EXPECT_EQ(-EBADFD, mbt_send(fd, payload, 4, MAILBOX_NONBLOCK, 0, NULL));
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
	int bound = SMALL_BOX(NULL);

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
	MAILBOX_IOC_RECV_BATCH,
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
	FILE *f;

	f = fopen("/sys/module/kmailbox/version", "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(sys, sizeof(sys), f));
	fclose(f);
	sys[strcspn(sys, "\n")] = 0;
	if (!want)
		want = sys;
	EXPECT_STREQ(want, sys);

	for (i = 0; i < (int)ARRAY_SIZE(all_cmds); i++)
		want_ioctls |= 1ULL << _IOC_NR(all_cmds[i]);
	fds[0] = mbt_dev();
	fds[1] = SMALL_BOX(NULL);
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
	EXPECT_EQ(-EFAULT, mbt_ioctl(fds[0], MAILBOX_IOC_VERSION, BAD_PTR));
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
	int bound = SMALL_BOX(NULL);

	ASSERT_LE(0, unbound);
	expect_cmds_fail(_metadata, unbound, unbound_cmds,
			 ARRAY_SIZE(unbound_cmds), BAD_PTR, -EFAULT);
	expect_cmds_fail(_metadata, bound, bound_cmds, ARRAY_SIZE(bound_cmds),
			 BAD_PTR, -EFAULT);
	/* The unbound descriptor is still usable. */
	EXPECT_EQ(1, mbt_create_fd(unbound, new_name(self, "efault"),
				   MAILBOX_CREATE_EXCL, 0600, 1, 8));
	EXPECT_EQ(0U, depth_of(_metadata, bound));
	close(unbound);
	close(bound);
}

TEST_F(mbox, send_bad_buffer_efault)
{
	int fd = SMALL_BOX(NULL);
	struct mailbox_info info;

	EXPECT_EQ(-EFAULT, mbt_send(fd, BAD_PTR, 8, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_send(fd, BAD_PTR, 8, 0, 0, NULL));
	info = stat_box(_metadata, fd);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(0U, info.bytes);
	EXPECT_EQ(0U, info.sent);
	expect_empty(_metadata, fd);
	close(fd);
}

TEST_F(mbox, recv_bad_buffer_efault)
{
	int fd = SMALL_BOX(NULL);
	struct mailbox_info info;

	put(_metadata, fd, 20);
	EXPECT_EQ(-EFAULT, mbt_recv(fd, BAD_PTR, 64, 0, 0, NULL));
	EXPECT_EQ(-EFAULT, mbt_recv(fd, BAD_PTR, 64, MAILBOX_NONBLOCK, 0, NULL));
	info = stat_box(_metadata, fd);
	EXPECT_EQ(1U, info.depth);
	EXPECT_EQ(20U, info.bytes);
	EXPECT_EQ(0U, info.received);
	get(_metadata, fd, 20);
	expect_empty(_metadata, fd);
	close(fd);
}

TEST_F(mbox, access_enforced)
{
	const char *name;
	char buf[64];
	int owner = SMALL_BOX(&name);
	int tx = open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	int rx = open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);

	EXPECT_EQ(U32(MAILBOX_ACCESS_SEND), stat_box(_metadata, tx).access);
	EXPECT_EQ(U32(MAILBOX_ACCESS_RECV), stat_box(_metadata, rx).access);
	EXPECT_EQ(U32(MAILBOX_ACCESS_ALL), stat_box(_metadata, owner).access);

	put(_metadata, tx, 6);
	EXPECT_EQ(-EBADF, mbt_recv(tx, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(-EBADF, mbt_recv(tx, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_recv(tx, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_send(rx, payload, 6, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EBADF, mbt_send(rx, payload, 6, 0, 0, NULL));
	EXPECT_EQ(1U, depth_of(_metadata, owner));
	get(_metadata, rx, 6);
	close(tx);
	close(rx);
	close(owner);
}

/* ------------------------------------------------------------------ */
/* SEND / RECV argument checks                                         */
/* ------------------------------------------------------------------ */

struct xfer_case {
	uint32_t flags;
	uint64_t deadline;
	struct field_case field;
};

#define BIG_DEADLINE ((uint64_t)INT64_MAX + 1)

/*
 * SEND or RECV (@cmd) on @fd with each of @cases must fail with -EINVAL.
 * The base arguments are valid: a 4-byte message, a 64-byte buffer (none
 * for PEEK).
 */
static void expect_xfer_einval(struct __test_metadata *_metadata, int fd,
			       unsigned long cmd, const struct xfer_case *cases,
			       size_t ncases)
{
	union {
		struct mailbox_send s;
		struct mailbox_recv r;
	} arg;
	char buf[64];
	size_t i;

	for (i = 0; i < ncases; i++) {
		memset(&arg, 0, sizeof(arg));
		if (cmd == MAILBOX_IOC_SEND) {
			arg.s.buf = (uintptr_t)payload;
			arg.s.len = 4;
			arg.s.flags = cases[i].flags;
			arg.s.deadline_ns = cases[i].deadline;
		} else {
			if (!(cases[i].flags & MAILBOX_RECV_PEEK)) {
				arg.r.buf = (uintptr_t)buf;
				arg.r.size = sizeof(buf);
			}
			arg.r.flags = cases[i].flags;
			arg.r.deadline_ns = cases[i].deadline;
		}
		set_field(&arg, &cases[i].field);
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, cmd, &arg))
			TH_LOG("case %zu: flags 0x%x deadline %llu %s", i,
			       cases[i].flags,
			       (unsigned long long)cases[i].deadline,
			       cases[i].field.what);
	}
}

/* Flags and deadlines that neither SEND nor RECV accepts. */
static const struct xfer_case common_xfer_cases[] = {
	{ 1U << 4, 0, NO_FIELD },
	{ 1U << 31, 0, NO_FIELD },
	{ MAILBOX_NONBLOCK | MAILBOX_DEADLINE, 1, NO_FIELD },
	{ MAILBOX_NONBLOCK | MAILBOX_DEADLINE, BIG_DEADLINE - 2, NO_FIELD },
	{ 0, 1, NO_FIELD },			/* deadline without DEADLINE */
	{ MAILBOX_NONBLOCK, 1, NO_FIELD },
	{ MAILBOX_DEADLINE, BIG_DEADLINE, NO_FIELD },	/* > INT64_MAX */
	{ MAILBOX_DEADLINE, UINT64_MAX, NO_FIELD },
};

TEST_F(mbox, send_invalid_args)
{
	static const struct xfer_case cases[] = {
		{ MAILBOX_RECV_PEEK, 0, NO_FIELD },
		/* a priority on a queue mailbox */
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, priority, 1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, priority, 32) },
		/* to_pid is for MAILBOX_IOC_SEND_TO only */
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, to_pid, 1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, to_pid, -1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, reserved[0], 1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_send, reserved[1], 1) },
		{ MAILBOX_NONBLOCK, 0,
		  FIELD(struct mailbox_send, reserved[1], 1ULL << 63) },
	};
	struct mailbox_info info;
	int fd = SMALL_BOX(NULL);

	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_SEND, common_xfer_cases,
			   ARRAY_SIZE(common_xfer_cases));
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_SEND, cases,
			   ARRAY_SIZE(cases));
	info = stat_box(_metadata, fd);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(0U, info.sent);

	/* Valid variants of the same calls. */
	EXPECT_EQ(0, mbt_send(fd, payload, 4, MAILBOX_DEADLINE,
			      mbt_deadline_ms(1000), NULL));
	EXPECT_EQ(0, mbt_send(fd, payload, 4, MAILBOX_DEADLINE, INT64_MAX,
			      NULL));
	EXPECT_EQ(0, mbt_send(fd, payload, 4, 0, 0, NULL));
	EXPECT_EQ(3U, depth_of(_metadata, fd));
	close(fd);
}

TEST_F(mbox, recv_invalid_args)
{
	static const struct xfer_case cases[] = {
		{ MAILBOX_SEND_WAIT, 0, NO_FIELD },
		{ MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT, 0, NO_FIELD },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_recv, reserved0, 1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_recv, reserved[0], 1) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_recv, reserved[1], 1) },
		{ MAILBOX_NONBLOCK, 0,
		  FIELD(struct mailbox_recv, reserved[1], 1ULL << 63) },
		{ MAILBOX_NONBLOCK, 0, FIELD(struct mailbox_recv, from_pid, -1) },
		/* PEEK: alone, with neither buffer nor size */
		{ MAILBOX_RECV_PEEK | MAILBOX_NONBLOCK, 0, NO_FIELD },
		{ MAILBOX_RECV_PEEK | MAILBOX_DEADLINE, 1, NO_FIELD },
		{ MAILBOX_RECV_PEEK | MAILBOX_SEND_WAIT, 0, NO_FIELD },
		{ MAILBOX_RECV_PEEK, 1, NO_FIELD },
		{ MAILBOX_RECV_PEEK, 0, FIELD(struct mailbox_recv, buf, 0x1000) },
		{ MAILBOX_RECV_PEEK, 0, FIELD(struct mailbox_recv, size, 64) },
		{ MAILBOX_RECV_PEEK, 0, FIELD(struct mailbox_recv, reserved0, 1) },
		{ MAILBOX_RECV_PEEK, 0,
		  FIELD(struct mailbox_recv, reserved[1], 1) },
	};
	const char *name;
	int owner = SMALL_BOX(&name);
	/* O_NONBLOCK: a call wrongly accepted must not hang the test. */
	int fd = open_box(_metadata, name, MAILBOX_ACCESS_ALL, O_NONBLOCK);

	put(_metadata, owner, 9);
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_RECV, common_xfer_cases,
			   ARRAY_SIZE(common_xfer_cases));
	expect_xfer_einval(_metadata, fd, MAILBOX_IOC_RECV, cases,
			   ARRAY_SIZE(cases));
	EXPECT_EQ(1U, depth_of(_metadata, owner));
	EXPECT_EQ(0U, stat_box(_metadata, owner).received);
	get(_metadata, fd, 9);
	close(fd);
	close(owner);
}

TEST_F(mbox, send_emsgsize)
{
	char big[65];
	int fd = SMALL_BOX(NULL);	/* msg_size_max 64 */

	memset(big, 'b', sizeof(big));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, 65, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, 65, 0, 0, NULL));
	EXPECT_EQ(-EMSGSIZE, mbt_send(fd, big, UINT32_MAX, 0, 0, NULL));
	EXPECT_EQ(0U, depth_of(_metadata, fd));
	EXPECT_EQ(0, mbt_send(fd, big, 64, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, mbt_send(fd, big, 0, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(2U, depth_of(_metadata, fd));
	EXPECT_EQ(64U, stat_box(_metadata, fd).bytes);
	close(fd);
}

TEST_F(mbox, recv_emsgsize)
{
	struct mailbox_recv r;
	struct mailbox_info info;
	char buf[64];
	int fd = SMALL_BOX(NULL);

	put(_metadata, fd, 30);
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 29, MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(30U, r.len);
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, buf, 1, 0, 0, &r));
	EXPECT_EQ(30U, r.len);
	/* buf may be 0 when size is 0 */
	EXPECT_EQ(-EMSGSIZE, mbt_recv(fd, NULL, 0, 0, 0, &r));
	EXPECT_EQ(30U, r.len);
	info = stat_box(_metadata, fd);
	EXPECT_EQ(1U, info.depth);
	EXPECT_EQ(30U, info.next_len);
	EXPECT_EQ(0U, info.received);
	/* An exactly fitting buffer takes it. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(30, mbt_recv(fd, buf, 30, MAILBOX_NONBLOCK, 0, &r));
	EXPECT_EQ(30U, r.len);
	EXPECT_EQ(0, memcmp(buf, payload, 30));
	expect_empty(_metadata, fd);
	close(fd);
}

struct peek_arg {
	const char *name;
	int pipe[2];	/* the child waits for a byte or EOF on pipe[0] */
};

static int send_and_wait_child(struct __test_metadata *_metadata, void *arg)
{
	struct peek_arg *a = arg;
	char c;
	int fd = mbt_open(a->name, MAILBOX_ACCESS_SEND);

	close(a->pipe[1]);
	if (fd < 0)
		return fd;
	EXPECT_EQ(0, mbt_send(fd, "hello", 5, MAILBOX_NONBLOCK, 0, NULL));
	/* stay alive until the parent has looked at the message */
	if (read(a->pipe[0], &c, 1) < 0)
		return -errno;
	close(fd);
	return 0;
}

TEST_F(mbox, recv_peek)
{
	struct mailbox_recv r, r2;
	struct peek_arg arg;
	struct pollfd pfd;
	uint64_t before, after;
	char buf[16];
	pid_t pid;
	int fd;

	REQUIRE_ROOT();
	fd = make_box(_metadata, self, &arg.name, 0, 0666, 8, 64);
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));

	ASSERT_EQ(0, pipe2(arg.pipe, O_CLOEXEC));
	before = mbt_now_ns();
	pid = spawn_as(_metadata, NOBODY, NOBODY, send_and_wait_child, &arg);
	ASSERT_LT(0, pid);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, WAIT_MS));
	after = mbt_now_ns();

	/* Like a receive, it returns the length. */
	ASSERT_EQ(5, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));
	EXPECT_EQ(5U, r.len);
	EXPECT_EQ(pid, r.sender_pid);
	EXPECT_EQ(NOBODY, r.sender_uid);
	EXPECT_LE(before, r.send_time_ns);
	EXPECT_GE(after, r.send_time_ns);
	EXPECT_EQ(1U, depth_of(_metadata, fd));
	/* Peeking again shows the same; nothing was taken. */
	ASSERT_EQ(5, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r2));
	EXPECT_EQ(r.len, r2.len);
	EXPECT_EQ(r.send_time_ns, r2.send_time_ns);

	EXPECT_EQ(1, write(arg.pipe[1], "g", 1));
	EXPECT_EQ(0, reap(_metadata, pid));

	/* The receive reports the same metadata and empties the mailbox. */
	EXPECT_EQ(5, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r2));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(5U, r2.len);
	EXPECT_EQ(NOBODY, r2.sender_uid);
	EXPECT_EQ(r.send_time_ns, r2.send_time_ns);
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, &r));
	close(arg.pipe[0]);
	close(arg.pipe[1]);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* STAT                                                                */
/* ------------------------------------------------------------------ */

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
	EXPECT_EQ(0U, got->reserved);
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
	int fd = make_box(_metadata, self, &name, 0, 0640, 4, 128);

	snprintf(want.name, sizeof(want.name), "%s", name);
	info = stat_box(_metadata, fd);
	expect_info(_metadata, &want, &info);

	put(_metadata, fd, 10);
	put(_metadata, fd, 20);
	put(_metadata, fd, 30);
	get(_metadata, fd, 10);
	put(_metadata, fd, 40);
	put(_metadata, fd, 50);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, payload, 5, MAILBOX_NONBLOCK, 0, NULL));
	info = stat_box(_metadata, fd);
	want.depth = 4;
	want.bytes = 20 + 30 + 40 + 50;
	want.sent = 5;
	want.received = 1;
	expect_info(_metadata, &want, &info);
	EXPECT_EQ(20U, info.next_len);

	EXPECT_EQ(20, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	info = stat_box(_metadata, fd);
	want.depth = 3;
	want.bytes = 30 + 40 + 50;
	want.received = 2;
	expect_info(_metadata, &want, &info);
	EXPECT_EQ(30U, info.next_len);

	ASSERT_EQ(0, mbt_unlink(name));
	info = stat_box(_metadata, fd);
	want.state = MAILBOX_STATE_UNLINKED;
	expect_info(_metadata, &want, &info);
	close(fd);
}

TEST_F(mbox, stat_owned_and_access)
{
	const char *name;
	int owner = make_box(_metadata, self, &name, MAILBOX_CREATE_OWNED,
			     0600, 2, 16);
	int tx = open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	struct mailbox_info info = stat_box(_metadata, tx);

	EXPECT_EQ(U32(MAILBOX_CREATE_OWNED), info.flags);
	EXPECT_EQ(U32(MAILBOX_ACCESS_SEND), info.access);
	EXPECT_EQ(2U, info.capacity);
	EXPECT_EQ(16U, info.msg_size_max);
	info = stat_box(_metadata, owner);
	EXPECT_EQ(U32(MAILBOX_CREATE_OWNED), info.flags);
	EXPECT_EQ(U32(MAILBOX_ACCESS_ALL), info.access);
	close(tx);
	close(owner);
}

/* ------------------------------------------------------------------ */
/* UNLINK                                                              */
/* ------------------------------------------------------------------ */

TEST_F(mbox, unlink_semantics)
{
	const char *name;
	int old_owner = SMALL_BOX(&name);
	int old_peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	struct mailbox_create c = create_args(name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, 0600, 2, 16);
	int fresh;

	put(_metadata, old_owner, 3);
	ASSERT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_unlink(name));
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), stat_box(_metadata, old_peer).state);

	/* The existing descriptors keep working. */
	put(_metadata, old_peer, 4);
	get(_metadata, old_peer, 3);
	get(_metadata, old_owner, 4);

	/* The name is free for a different mailbox at once. */
	fresh = mbt_dev();
	ASSERT_LE(0, fresh);
	ASSERT_EQ(1, mbt_ioctl(fresh, MAILBOX_IOC_CREATE, &c));
	EXPECT_EQ(2U, stat_box(_metadata, fresh).capacity);
	EXPECT_EQ(8U, stat_box(_metadata, old_owner).capacity);
	put(_metadata, fresh, 11);
	put(_metadata, old_owner, 12);
	EXPECT_EQ(1U, depth_of(_metadata, fresh));
	EXPECT_EQ(1U, depth_of(_metadata, old_peer));
	get(_metadata, fresh, 11);
	get(_metadata, old_peer, 12);
	expect_empty(_metadata, fresh);
	expect_empty(_metadata, old_owner);

	/* The name now refers to the new one. */
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), stat_box(_metadata, fresh).state);
	EXPECT_EQ(-ENOENT, mbt_unlink(name));
	close(fresh);
	close(old_peer);
	close(old_owner);
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
	struct mailbox_create c = create_args(a->name, MAILBOX_CREATE_EXCL,
					      MAILBOX_ACCESS_ALL, a->mode, 4,
					      64);

	return on_fresh_fd(MAILBOX_IOC_CREATE, &c);
}

TEST_F(mbox, unlink_permission)
{
	struct name_arg rootbox = { .mode = 0666 }, userbox = {
		.name = new_name(self, "userbox"), .mode = 0666,
	};
	struct mailbox_info info;
	int fd;

	REQUIRE_ROOT();
	fd = make_box(_metadata, self, &rootbox.name, 0, 0666, 4, 64);

	/* Not the owner: EPERM, even with full access by mode. */
	EXPECT_EQ(-EPERM, run_as(_metadata, NOBODY, NOBODY, unlink_child,
				 &rootbox));
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), stat_box(_metadata, fd).state);
	EXPECT_EQ(0, open_result(rootbox.name, MAILBOX_ACCESS_ALL));

	/* The owner may; so may root (CAP_SYS_ADMIN) for someone else's. */
	ASSERT_EQ(1, run_as(_metadata, NOBODY, NOBODY, create_child, &userbox));
	EXPECT_EQ(0, run_as(_metadata, NOBODY, NOBODY, unlink_child, &userbox));
	ASSERT_EQ(1, run_as(_metadata, NOBODY, NOBODY, create_child, &userbox));
	close(fd);
	fd = open_box(_metadata, userbox.name, MAILBOX_ACCESS_ALL, 0);
	info = stat_box(_metadata, fd);
	EXPECT_EQ(NOBODY, info.uid);
	EXPECT_EQ(NOBODY, info.gid);
	EXPECT_EQ(0, mbt_unlink(userbox.name));
	EXPECT_EQ(U32(MAILBOX_STATE_UNLINKED), stat_box(_metadata, fd).state);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Permissions                                                         */
/* ------------------------------------------------------------------ */

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
		EXPECT_EQ(want, open_result(a->name, accesses[i]))
			TH_LOG("OPEN, access %u, mode %03o gid %u", accesses[i],
			       pc->mode, a->gid);
		/* CREATE of an existing mailbox is an open: same checks. */
		EXPECT_EQ(want, create_result(a->name, accesses[i]))
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

	REQUIRE_ROOT();
	if (getegid() == NOBODY)
		SKIP(return, "the test's own group is %u", NOBODY);
	for (i = 0; i < ARRAY_SIZE(perm_cases); i++) {
		arg.pc = &perm_cases[i];
		arg.gid = arg.pc->in_group ? getegid() : NOBODY;
		fd = make_box(_metadata, self, &arg.name, 0, arg.pc->mode, 4,
			      64);
		EXPECT_EQ(getegid(), stat_box(_metadata, fd).gid);
		EXPECT_EQ(0, run_as(_metadata, NOBODY, arg.gid, perm_child,
				    &arg));
		/* Root (CAP_IPC_OWNER) is not bound by the mode. */
		EXPECT_EQ(0, open_result(arg.name, MAILBOX_ACCESS_ALL));
		close(fd);
		EXPECT_EQ(0, mbt_unlink(arg.name));
	}
}

static int owner_bits_child(struct __test_metadata *_metadata, void *arg)
{
	const char *name = ((struct name_arg *)arg)->name;

	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(-EACCES, open_result(name, MAILBOX_ACCESS_RECV));
	EXPECT_EQ(-EACCES, open_result(name, MAILBOX_ACCESS_ALL));
	return 0;
}

TEST_F(mbox, permission_owner_bits)
{
	/* Owner may only write; group and other everything. */
	struct name_arg box = { .name = new_name(self, "ownerbits"),
				.mode = 0266 };
	int fd;

	REQUIRE_ROOT();
	ASSERT_EQ(1, run_as(_metadata, NOBODY, NOBODY, create_child, &box));
	EXPECT_EQ(0, run_as(_metadata, NOBODY, NOBODY, owner_bits_child, &box));
	/* root bypasses the mode (CAP_IPC_OWNER) */
	fd = open_box(_metadata, box.name, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(0266U, stat_box(_metadata, fd).mode);
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
	EXPECT_EQ(U32(MAILBOX_ACCESS_ALL), info.access);
	EXPECT_EQ(0U, info.mode);
	/* Anyone else, the same user included, is checked against mode 0. */
	EXPECT_EQ(-EACCES, open_result(name, MAILBOX_ACCESS_SEND));
	EXPECT_EQ(-EACCES, open_result(name, MAILBOX_ACCESS_RECV));
	EXPECT_EQ(-EACCES, create_result(name, MAILBOX_ACCESS_SEND));
	close(fd);
	return 0;
}

TEST_F(mbox, permission_creator_mode_zero)
{
	struct name_arg box = { .name = new_name(self, "mode0") };

	REQUIRE_ROOT();
	EXPECT_EQ(0, run_as(_metadata, NOBODY, NOBODY, creator_mode0_child,
			    &box));
	EXPECT_EQ(0, open_result(box.name, MAILBOX_ACCESS_ALL));
}

/* ------------------------------------------------------------------ */
/* OWNED mailboxes and lifetime                                        */
/* ------------------------------------------------------------------ */

/* Everything a descriptor of a destroyed mailbox must report. */
static void expect_dead(struct __test_metadata *_metadata, int fd,
			const char *name)
{
	struct mailbox_info info;
	char buf[16];

	info = stat_box(_metadata, fd);
	EXPECT_EQ(U32(MAILBOX_STATE_DEAD), info.state);
	EXPECT_STREQ(name, info.name);
	EXPECT_EQ(-EIDRM, mbt_send(fd, payload, 4, 0, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_send(fd, payload, 4, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(-EIDRM, mbt_recv(fd, NULL, 0, MAILBOX_RECV_PEEK, 0, NULL));
	EXPECT_EQ(POLLIN | POLLOUT | POLLHUP, poll_now(fd));
}

TEST_F(mbox, owned_destroyed_on_close)
{
	const char *name;
	int owner = make_box(_metadata, self, &name, MAILBOX_CREATE_OWNED,
			     0600, 4, 64);
	int peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	int again;

	put(_metadata, peer, 7);
	/* Closing another descriptor changes nothing. */
	close(open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0));
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), stat_box(_metadata, peer).state);

	close(owner);
	expect_dead(_metadata, peer, name);
	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_unlink(name));

	/* The name is free again; the new mailbox is unrelated. */
	again = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 4, 64);
	ASSERT_LE(0, again);
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), stat_box(_metadata, again).state);
	EXPECT_EQ(0U, depth_of(_metadata, again));
	EXPECT_EQ(U32(MAILBOX_STATE_DEAD), stat_box(_metadata, peer).state);
	close(again);
	close(peer);
}

/* Close the OWNED creator while a background call sleeps on a peer. */
static void owned_close_wakes(struct __test_metadata *_metadata,
			      FIXTURE_DATA(mbox) *self, enum bg_op op,
			      uint32_t capacity, uint32_t fill,
			      uint32_t recv_waiting, uint32_t send_waiting)
{
	const char *name;
	struct bg bg;
	int owner = make_box(_metadata, self, &name, MAILBOX_CREATE_OWNED,
			     0600, capacity, 64);
	int peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	uint32_t i;

	for (i = 0; i < fill; i++)
		put(_metadata, owner, 8);
	bg_start(_metadata, &bg, op, peer, POLLIN);
	ASSERT_TRUE(wait_waiters(owner, recv_waiting, send_waiting));
	ASSERT_TRUE(bg_sleeping(&bg));
	close(owner);
	if (op == BG_POLL) {
		EXPECT_TRUE(bg_join(_metadata, &bg) & POLLHUP);
	} else {
		EXPECT_EQ(-EIDRM, bg_join(_metadata, &bg));
	}
	EXPECT_EQ(U32(MAILBOX_STATE_DEAD), stat_box(_metadata, peer).state);
	close(peer);
}

TEST_F(mbox, owned_close_wakes_receiver)
{
	owned_close_wakes(_metadata, self, BG_RECV, 4, 0, 1, 0);
}

TEST_F(mbox, owned_close_wakes_sender)
{
	owned_close_wakes(_metadata, self, BG_SEND, 1, 1, 0, 1);
}

TEST_F(mbox, owned_close_wakes_poller)
{
	owned_close_wakes(_metadata, self, BG_POLL, 4, 0, 0, 0);
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
			mbt_deadline_ms(2 * WAIT_MS), NULL);
}

TEST_F(mbox, owned_close_wakes_receiving_process)
{
	const char *name;
	int fds[2];
	pid_t pid;

	fds[0] = make_box(_metadata, self, &name, MAILBOX_CREATE_OWNED, 0600,
			  4, 64);
	fds[1] = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	pid = spawn_as(_metadata, geteuid(), getegid(), blocked_recv_child,
		       fds);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_waiters(fds[0], 1, 0));
	close(fds[0]);
	EXPECT_EQ(-EIDRM, reap(_metadata, pid));
	close(fds[1]);
}

TEST_F(mbox, non_owned_survives_close)
{
	const char *name;
	int fd = SMALL_BOX(&name);

	put(_metadata, fd, 13);
	close(fd);
	fd = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	EXPECT_EQ(U32(MAILBOX_STATE_LINKED), stat_box(_metadata, fd).state);
	EXPECT_EQ(1U, depth_of(_metadata, fd));
	EXPECT_EQ(1, proc_lookup(name, NULL));
	get(_metadata, fd, 13);
	close(fd);
}

TEST_F(mbox, close_with_queued_messages)
{
	const char *name, *owned_name;
	int fd = SMALL_BOX(&name);
	int peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	int owned = make_box(_metadata, self, &owned_name,
			     MAILBOX_CREATE_OWNED, 0600, 4, 64);

	put(_metadata, fd, 10);
	put(_metadata, peer, 20);
	put(_metadata, fd, 30);
	put(_metadata, owned, 40);
	put(_metadata, owned, 50);
	ASSERT_EQ(0, mbt_unlink(name));
	EXPECT_EQ(1, proc_lookup(name, NULL));
	EXPECT_EQ(1, proc_lookup(owned_name, NULL));
	close(fd);
	EXPECT_EQ(1, proc_lookup(name, NULL));
	close(peer);
	close(owned);
	EXPECT_EQ(0, proc_lookup(name, NULL));
	EXPECT_EQ(0, proc_lookup(owned_name, NULL));
	EXPECT_EQ(-ENOENT, open_result(owned_name, MAILBOX_ACCESS_ALL));
}

/* ------------------------------------------------------------------ */
/* Limits (module parameters)                                          */
/* ------------------------------------------------------------------ */

TEST_F(mbox, limit_max_mailboxes)
{
	int live = proc_scan(NULL, -1, NULL, NULL, 0);
	const char *name;
	int a, b;

	ASSERT_LE(0, live);
	if (!param_set(_metadata, self, "max_mailboxes", live + 2))
		return;
	a = SMALL_BOX(NULL);
	b = SMALL_BOX(&name);
	EXPECT_EQ(-ENOSPC, mbt_create(new_name(self, "full"),
				      MAILBOX_CREATE_EXCL, 0600, 4, 64));
	/* Opening existing ones is not limited. */
	EXPECT_EQ(0, open_result(name, MAILBOX_ACCESS_ALL));
	/* Destroying one makes room again. */
	ASSERT_EQ(0, mbt_unlink(name));
	close(b);
	b = SMALL_BOX(NULL);
	close(a);
	close(b);
}

struct quota_arg {
	const char *names[MAX_NAMES];
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
	int mine = proc_scan(NULL, geteuid(), NULL, NULL, 0);
	int theirs = proc_scan(NULL, NOBODY, NULL, NULL, 0);
	struct quota_arg arg;
	int limit, fd, i;

	REQUIRE_ROOT();
	ASSERT_LE(0, mine);
	ASSERT_LE(0, theirs);
	limit = (mine > theirs ? mine : theirs) + 2;
	if (limit > MAX_NAMES - 6)
		SKIP(return, "too many mailboxes exist already");
	if (!param_set(_metadata, self, "user_mailboxes_max", limit))
		return;
	arg.room = limit - theirs;
	for (i = 0; i <= arg.room; i++)
		arg.names[i] = new_name(self, "uquota");
	EXPECT_EQ(-ENOSPC, run_as(_metadata, NOBODY, NOBODY, user_quota_child,
				  &arg));
	EXPECT_EQ(-ENOENT, open_result(arg.names[arg.room], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(limit, proc_scan(NULL, NOBODY, NULL, NULL, 0));
	/* Root is below its own count and can still create. */
	fd = SMALL_BOX(NULL);
	close(fd);
}

/*
 * The module charges each message its allocation against user_bytes_max:
 * its header (MAILBOX_IOC_VERSION's msg_header, 64 bytes for modules that
 * do not say) plus its length, rounded up to kmalloc's size class. Four
 * of these, 1024 bytes each, fill a 4096-byte quota exactly.
 */
static uint32_t quota_msg(void)
{
	struct mailbox_version v;
	int fd = mbt_dev();

	memset(&v, 0, sizeof(v));
	if (fd >= 0) {
		mbt_ioctl(fd, MAILBOX_IOC_VERSION, &v);
		close(fd);
	}
	return 1024 - (v.msg_header ? v.msg_header : 64);
}

#define QUOTA_MSG	((int)quota_msg())

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
	/* 3 x (960 + 64) = 3072 of 4096 charged: 961 more is past, 960 not */
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

	REQUIRE_ROOT();
	arg.root_fd = make_box(_metadata, self, &arg.name, 0, 0666, 16, 1000);
	if (!param_set(_metadata, self, "user_bytes_max", 4096))
		return;
	EXPECT_EQ(0, run_as(_metadata, NOBODY, NOBODY, user_bytes_child, &arg));

	/* All whole messages; nothing was half-queued. */
	info = stat_box(_metadata, arg.root_fd);
	EXPECT_EQ(4U, info.depth);
	EXPECT_EQ(4U * QUOTA_MSG, info.bytes);
	for (i = 0; i < 4; i++) {
		struct mailbox_recv r;
		int len = mbt_recv(arg.root_fd, buf, sizeof(buf),
				   MAILBOX_NONBLOCK, 0, &r);

		EXPECT_EQ(QUOTA_MSG, len);
		/* the euid at send time, whoever opened the descriptor */
		EXPECT_EQ(NOBODY, r.sender_uid);
	}
	expect_empty(_metadata, arg.root_fd);
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

	REQUIRE_ROOT();
	for (i = 0; i < 3; i++)
		names[i] = new_name(self, "qdestroy");
	if (!param_set(_metadata, self, "user_bytes_max", 4096))
		return;
	EXPECT_EQ(0, run_as(_metadata, NOBODY, NOBODY, quota_destroy_child,
			    names));
	EXPECT_EQ(-ENOENT, open_result(names[0], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, open_result(names[1], MAILBOX_ACCESS_ALL));
	EXPECT_EQ(0, open_result(names[2], MAILBOX_ACCESS_ALL));
}

TEST_F(mbox, limit_msg_size_and_capacity)
{
	const char *name = new_name(self, "limits");
	int fd;

	if (!param_set(_metadata, self, "msg_size_limit", 4096) ||
	    !param_set(_metadata, self, "capacity_limit", 8))
		return;
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 8, 4097));
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 9, 4096));
	EXPECT_EQ(-EINVAL, mbt_create(name, 0, 0600, 65536, 64));
	EXPECT_EQ(-ENOENT, open_result(name, MAILBOX_ACCESS_ALL));
	fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 8, 4096);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8U, stat_box(_metadata, fd).capacity);
	EXPECT_EQ(4096U, stat_box(_metadata, fd).msg_size_max);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* poll / epoll / O_NONBLOCK                                           */
/* ------------------------------------------------------------------ */

TEST_F(mbox, poll_states)
{
	const char *name;
	int fd = make_box(_metadata, self, NULL, 0, 0600, 2, 64);
	int rdv = make_box(_metadata, self, &name, 0, 0600, 0, 64);
	int tx = open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);

	EXPECT_EQ(POLLOUT, poll_now(fd));
	put(_metadata, fd, 1);
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	put(_metadata, fd, 2);
	EXPECT_EQ(POLLIN, poll_now(fd));
	get(_metadata, fd, 1);
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	get(_metadata, fd, 2);
	EXPECT_EQ(POLLOUT, poll_now(fd));

	/* Rendezvous with nobody waiting on either side. */
	EXPECT_EQ(0, poll_now(rdv));
	EXPECT_EQ(0, poll_now(tx));
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
	struct bg bg;
	int fd = make_box(_metadata, self, &name, 0, 0600, 1, 64);
	int peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	uint32_t i;
	int revents;

	for (i = 0; i < fill; i++)
		put(_metadata, fd, 8);
	bg_start(_metadata, &bg, BG_POLL, peer, events);
	EXPECT_TRUE(bg_sleeping(&bg)) TH_LOG("poll returned 0x%x early", bg.ret);
	wake(_metadata, fd, 8);
	revents = bg_join(_metadata, &bg);
	EXPECT_EQ(events, revents & events);
	EXPECT_FALSE(revents & POLLHUP);
	close(peer);
	close(fd);
}

TEST_F(mbox, poll_woken_by_send)
{
	poll_woken(_metadata, self, POLLIN, 0, put);
}

TEST_F(mbox, poll_woken_by_recv)
{
	poll_woken(_metadata, self, POLLOUT, 1, get);
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
	int fd = SMALL_BOX(NULL);
	int ep = epoll_on(_metadata, fd, EPOLLIN | EPOLLET);
	uint32_t events;

	EXPECT_EQ(0, epoll_now(ep, &events));
	put(_metadata, fd, 3);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(U32(EPOLLIN), events);
	/* Edge-triggered: reported once... */
	EXPECT_EQ(0, epoll_now(ep, &events));
	/* ...until the next message arrives. */
	put(_metadata, fd, 4);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(U32(EPOLLIN), events);
	get(_metadata, fd, 3);
	get(_metadata, fd, 4);
	EXPECT_EQ(0, epoll_now(ep, &events));
	close(ep);

	/* Level-triggered EPOLLOUT on a mailbox with room. */
	ep = epoll_on(_metadata, fd, EPOLLOUT);
	EXPECT_EQ(1, epoll_now(ep, &events));
	EXPECT_EQ(U32(EPOLLOUT), events);
	EXPECT_EQ(1, epoll_now(ep, &events));
	close(ep);
	close(fd);
}

TEST_F(mbox, epoll_woken_by_send)
{
	const char *name;
	struct bg bg;
	int fd = SMALL_BOX(&name);
	int peer = open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	int ep = epoll_on(_metadata, peer, EPOLLIN | EPOLLET);

	bg_start(_metadata, &bg, BG_EPOLL, ep, 0);
	EXPECT_TRUE(bg_sleeping(&bg));
	put(_metadata, fd, 5);
	EXPECT_EQ(EPOLLIN, bg_join(_metadata, &bg));
	close(ep);
	close(peer);
	close(fd);
}

TEST_F(mbox, nonblock_descriptor)
{
	const char *name = new_name(self, "nonblock");
	char buf[64];
	int fd = open(MBOX_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int peer;

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mbt_create_fd(fd, name, MAILBOX_CREATE_EXCL, 0600, 1, 64));
	EXPECT_EQ(-EAGAIN, mbt_recv(fd, buf, sizeof(buf), 0, 0, NULL));
	put(_metadata, fd, 4);
	EXPECT_EQ(-EAGAIN, mbt_send(fd, payload, 4, 0, 0, NULL));
	EXPECT_EQ(1U, depth_of(_metadata, fd));

	/* Also for a descriptor bound with OPEN. */
	peer = open_box(_metadata, name, MAILBOX_ACCESS_ALL, O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, mbt_send(peer, payload, 4, 0, 0, NULL));
	EXPECT_EQ(4, mbt_recv(peer, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, mbt_recv(peer, buf, sizeof(buf), 0, 0, NULL));
	EXPECT_EQ(0U, stat_box(_metadata, fd).recv_blocked);
	close(peer);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* /proc/mailboxes and fdinfo                                          */
/* ------------------------------------------------------------------ */

/* The /proc/mailboxes line of @fd's mailbox agrees with its STAT. */
static struct proc_entry proc_as_stat(struct __test_metadata *_metadata,
				      int fd, const char *state,
				      const char *flags)
{
	static const char *const states[] = {
		[MAILBOX_STATE_LINKED] = "linked",
		[MAILBOX_STATE_UNLINKED] = "unlinked",
		[MAILBOX_STATE_DEAD] = "dead",
	};
	struct mailbox_info info = stat_box(_metadata, fd);
	struct proc_entry e;

	ASSERT_EQ(1, proc_lookup(info.name, &e))
		TH_LOG("%s not listed once", info.name);
	EXPECT_STREQ(states[info.state % ARRAY_SIZE(states)], e.state);
	EXPECT_STREQ(info.flags & MAILBOX_CREATE_OWNED ? "owned" : "-",
		     e.flags);
	EXPECT_STREQ(state, e.state);
	EXPECT_STREQ(flags, e.flags);
	/* what /proc does not show */
	memcpy(e.info.name, info.name, sizeof(info.name));
	e.info.state = info.state;
	e.info.access = info.access;
	e.info.flags = info.flags;
	expect_info(_metadata, &info, &e.info);
	return e;
}

TEST_F(mbox, proc_mailboxes)
{
	struct proc_entry e;
	struct bg bg;
	char header[512];
	const char *name;
	int fd = make_box(_metadata, self, &name, 0, 0640, 5, 100);
	int owned;

	ASSERT_LE(0, proc_scan(NULL, -1, NULL, header, sizeof(header)));
	EXPECT_TRUE(strstr(header, "name") && strstr(header, "state"))
		TH_LOG("header: %s", header);
	EXPECT_FALSE(proc_parse(header, &e)) TH_LOG("header: %s", header);

	put(_metadata, fd, 3);
	put(_metadata, fd, 4);
	get(_metadata, fd, 3);
	put(_metadata, fd, 5);
	e = proc_as_stat(_metadata, fd, "linked", "-");
	/* STAT's values are checked by stat_fields; a few for good measure */
	EXPECT_EQ(0640U, e.info.mode);
	EXPECT_EQ(100U, e.info.msg_size_max);
	EXPECT_EQ(9U, e.info.bytes);

	ASSERT_EQ(0, mbt_unlink(name));
	e = proc_as_stat(_metadata, fd, "unlinked", "-");
	EXPECT_EQ(2U, e.info.depth);
	close(fd);
	EXPECT_EQ(0, proc_lookup(name, &e));

	/* An owned rendezvous with a receiver waiting. */
	owned = make_box(_metadata, self, &name, MAILBOX_CREATE_OWNED, 0602, 0,
			 1);
	bg_start(_metadata, &bg, BG_RECV, owned, 0);
	ASSERT_TRUE(wait_waiters(owned, 1, 0));
	e = proc_as_stat(_metadata, owned, "linked", "owned");
	EXPECT_EQ(0602U, e.info.mode);
	EXPECT_EQ(0U, e.info.capacity);
	EXPECT_EQ(1U, e.info.receivers_waiting);
	EXPECT_EQ(0, mbt_send(owned, "x", 1, 0, 0, NULL));
	EXPECT_EQ(1, bg_join(_metadata, &bg));
	e = proc_as_stat(_metadata, owned, "linked", "owned");
	EXPECT_EQ(1U, e.info.recv_blocked);
	EXPECT_EQ(0U, e.info.receivers_waiting);
	close(owned);
	EXPECT_EQ(0, proc_lookup(name, &e));
}

TEST_F(mbox, proc_escaped_name)
{
	char escaped[4 * MAILBOX_NAME_LEN + 1];
	const char *name = new_name(self, "with space\\slash");
	struct proc_entry e;
	int fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 2, 8);

	ASSERT_LE(0, fd);
	proc_escape(name, escaped, sizeof(escaped));
	EXPECT_TRUE(strstr(escaped, "with\\040space\\134slash") == escaped);
	ASSERT_EQ(1, proc_scan(escaped, -1, &e, NULL, 0))
		TH_LOG("%s not listed", escaped);
	EXPECT_EQ(2U, e.info.capacity);
	EXPECT_STREQ("linked", e.state);
	close(fd);
}

/* fdinfo of @fd must name mailbox @name; returns its access line. */
static void fdinfo_access(struct __test_metadata *_metadata, int fd,
			  const char *name, char *acc, size_t size)
{
	char info[1024], want[128];
	char *line;

	read_fdinfo(_metadata, fd, info, sizeof(info));
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
	int fd = SMALL_BOX(&name);
	int tx = open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
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
