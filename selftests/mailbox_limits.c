// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests for what the module charges and counts (issue 11):
 *  - a message costs its allocation, its header (MAILBOX_IOC_VERSION's
 *    msg_header, read at run time) plus its length rounded up to the
 *    size class of its slab cache (msg_cost()), so that the number of messages a
 *    user_bytes_max quota takes is that quota over the real cost, and the
 *    slab memory they occupy stays within the quota;
 *  - the effective uid of the caller pays, whoever opened the descriptor:
 *    one opened by root and used after setresuid(), or passed with
 *    SCM_RIGHTS to a process of another uid, charges that uid;
 *  - a send that fails, bad input first of all, leaves the caller's struct
 *    byte for byte as it was (SEND, SEND_TO and batch entries);
 *  - a destroyed mailbox counts the messages it discarded: STAT's dropped,
 *    fdinfo's dropped line and the last column of /proc/mailboxes, with
 *    sent == received + depth + dropped.
 *
 * Every test needs root (module parameters, setresuid()); the parameters
 * are put back by the teardown. The uids used are ones nothing else in
 * the VM runs as, so that their quotas start empty.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/uio.h>

#include "lib/mbt.h"

#define UID_A		61011U	/* fresh users: nothing of theirs in flight */
#define UID_B		61012U
#define UID_C		61013U
#define FILL_MAX	200000	/* sends at most, in a quota-filling loop */

/* Module parameters and names are put back by the fixture's teardown. */
MBT_FIXTURE(lim, "lim")

/* In a child: a new mailbox that dies with the descriptor returned. */
static int child_box(struct __test_metadata *_metadata, const char *prefix,
		     uint32_t capacity, uint32_t msg_size_max)
{
	char name[MAILBOX_NAME_LEN];
	int fd;

	mbt_name(name, prefix);
	fd = mbt_create(name, MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED,
			0600, capacity, msg_size_max);
	if (fd < 0)
		TH_LOG("create %s: %s", name, strerror(-fd));
	return fd;
}

/* Send @len-byte messages without sleeping until one fails: the count. */
static long fill(int fd, uint32_t len, int *err)
{
	static char buf[16384];
	long n;

	for (n = 0; n < FILL_MAX; n++) {
		*err = mbt_send(fd, buf, len, MAILBOX_NONBLOCK, 0, NULL);
		if (*err)
			break;
	}
	return n;
}

/* "Slab:" of /proc/meminfo in bytes, or -1. */
static long long slab_bytes(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* ------------------------------------------------------------------ */
/* What a message costs                                                */
/* ------------------------------------------------------------------ */

/*
 * What the module allocates for a message of @size bytes, header
 * included, and charges: up to 4096 bytes, its slab cache's object size,
 * 128, then four classes per power of two (160, 192, 224, 256, 320, 384,
 * ... 3584, 4096); above, kmalloc_size_roundup() on x86-64 (4 KiB pages,
 * SLUB): 8192, then powers of two pages.
 */
static unsigned long msg_cost(unsigned long size)
{
	unsigned long p = 128, step;

	if (size <= 128)
		return 128;
	if (size <= 4096) {
		while (2 * p < size)
			p *= 2;
		step = p / 4;
		return p + (size - p + step - 1) / step * step;
	}
	for (p = 8192; p < size; p *= 2)
		;
	return p;
}

/*
 * A message of each length costs msg_cost(header + len), as the uapi
 * header says. The lengths tried are 0 and, for some of the classes the
 * header fits below, the longest message that fits in it and one byte
 * more (with the 96-byte header: 0, 32 and 33, 64 and 65, 96 and 97, 160
 * and 161, 928 and 929, 4000 and 4001, 8096 and 8097, costing 128, 128
 * and 160, 160 and 192, 192 and 224, 256 and 320, 1024 and 1280, 4096
 * and 8192, 8192 and 16384 bytes), so that a header or rounding one byte
 * off shows.
 */
static const unsigned long classes[] = { 128, 160, 192, 256, 1024, 4096, 8192 };

#define NR_LENS		(1 + 2 * MBT_ARRAY_SIZE(classes))
#define COST_QUOTA	65536UL

struct cost_res {
	size_t nr;
	uint32_t lens[NR_LENS];
	long count[NR_LENS];
	int err[NR_LENS];
};

/* The lengths to try, derived from @header, into @res. */
static void cost_lens(struct cost_res *res, unsigned long header)
{
	size_t i;

	res->nr = 0;
	res->lens[res->nr++] = 0;
	for (i = 0; i < MBT_ARRAY_SIZE(classes); i++) {
		if (classes[i] <= header)
			continue;
		res->lens[res->nr++] = classes[i] - header;
		res->lens[res->nr++] = classes[i] - header + 1;
	}
}

/* As UID_A: fill the quota with messages of each length in turn. */
static int cost_child(struct __test_metadata *_metadata, void *arg)
{
	struct cost_res *res = arg;
	size_t i;
	int fd;

	for (i = 0; i < res->nr; i++) {
		fd = child_box(_metadata, "cost", 65536, 16384);
		if (fd < 0)
			return fd;
		res->count[i] = fill(fd, res->lens[i], &res->err[i]);
		/* destroying it gives the quota back for the next length */
		close(fd);
	}
	return 0;
}

TEST_F(lim, quota_takes_limit_over_real_cost)
{
	struct cost_res *res = mbt_shared(sizeof(*res));
	unsigned long header = mbt_msg_header(), cost;
	size_t i;

	MBT_REQUIRE_ROOT();
	ASSERT_TRUE(res != NULL);
	if (mbt_param_or("msg_size_limit", 0) < 16384 ||
	    mbt_param_or("capacity_limit", 0) < 65536)
		SKIP(return, "limits below the defaults");
	MBT_PARAM_SET(&self->e, "user_bytes_max", COST_QUOTA);
	cost_lens(res, header);
	ASSERT_EQ(0, mbt_run_as(_metadata, UID_A, UID_A, cost_child, res));
	TH_LOG("the module's message header: %lu bytes", header);
	for (i = 0; i < res->nr; i++) {
		cost = msg_cost(header + res->lens[i]);
		EXPECT_EQ(-ENOBUFS, res->err[i])
			TH_LOG("%u-byte messages", res->lens[i]);
		EXPECT_EQ((long)(COST_QUOTA / cost), res->count[i])
			TH_LOG("%u-byte messages: %ld fit in %lu bytes, want %lu (each costs %lu)",
			       res->lens[i], res->count[i], COST_QUOTA,
			       COST_QUOTA / cost, cost);
	}
}

/*
 * Past kmalloc()'s largest size (4 MiB on x86-64) only vmalloc() can take
 * a message: it costs whole pages. A quota one byte short of two such
 * messages takes one.
 */
#define BIG_LEN		((4U << 20) + 1)
#define BIG_COST	((4UL << 20) + 4096)

struct big_res {
	long count;
	int err;
};

static int big_child(struct __test_metadata *_metadata, void *arg)
{
	struct big_res *res = arg;
	char *buf = calloc(1, BIG_LEN);
	int fd, i;

	if (!buf)
		return -ENOMEM;
	fd = child_box(_metadata, "big", 8, BIG_LEN);
	if (fd < 0)
		return fd;
	for (i = 0; i < 4; i++) {
		res->err = mbt_send(fd, buf, BIG_LEN, MAILBOX_NONBLOCK, 0, NULL);
		if (res->err)
			break;
		res->count++;
	}
	close(fd);
	free(buf);
	return 0;
}

TEST_F(lim, quota_past_kmalloc_counts_whole_pages)
{
	struct big_res *res = mbt_shared(sizeof(*res));

	MBT_REQUIRE_ROOT();
	ASSERT_TRUE(res != NULL);
	MBT_PARAM_SET(&self->e, "msg_size_limit", BIG_LEN);
	MBT_PARAM_SET(&self->e, "user_bytes_max", 2 * BIG_COST - 1);
	ASSERT_EQ(0, mbt_run_as(_metadata, UID_A, UID_A, big_child, res));
	EXPECT_EQ(1, res->count);
	EXPECT_EQ(-ENOBUFS, res->err);
}

#define SLAB_QUOTA	(2UL << 20)

struct slab_res {
	long count;
	int err;
	long long before, after;
};

/* As UID_B: fill SLAB_QUOTA with empty messages, Slab read around it. */
static int slab_child(struct __test_metadata *_metadata, void *arg)
{
	struct slab_res *res = arg;
	int fd = child_box(_metadata, "slab", 65536, 1);

	if (fd < 0)
		return fd;
	res->before = slab_bytes();
	res->count = fill(fd, 0, &res->err);
	res->after = slab_bytes();
	close(fd);
	return 0;
}

/*
 * Empty messages used to be charged 64 bytes and allocated 96 (kmalloc-96
 * for an 80-byte header): a quota let 1.5 times itself be allocated. Now
 * the slab memory they take stays within the quota (plus some slack for
 * whatever else the kernel allocates meanwhile).
 */
/*
 * Does the module's message cache of @size keep metadata beside its
 * objects (red zones, tracking, KASAN), so that Slab grows by more than
 * the objects? A kernel with kmemleak also allocates an object of its own
 * per object.
 */
static bool slab_debugged(long size)
{
	char path[96], buf[32];
	long obj = 0, slab = 0;

	if (!access("/sys/kernel/debug/kmemleak", F_OK))
		return true;
	snprintf(path, sizeof(path),
		 "/sys/kernel/slab/kmailbox_msg-%ld/object_size", size);
	if (mbt_read_file(path, buf, sizeof(buf)) > 0)
		obj = atol(buf);
	snprintf(path, sizeof(path),
		 "/sys/kernel/slab/kmailbox_msg-%ld/slab_size", size);
	if (mbt_read_file(path, buf, sizeof(buf)) > 0)
		slab = atol(buf);
	return obj > 0 && slab > obj;
}

TEST_F(lim, slab_within_quota)
{
	struct slab_res *res = mbt_shared(sizeof(*res));
	long long used;

	MBT_REQUIRE_ROOT();
	ASSERT_TRUE(res != NULL);
	if (mbt_param_or("capacity_limit", 0) < 65536)
		SKIP(return, "capacity_limit below the default");
	if (slab_debugged(msg_cost(mbt_msg_header())))
		SKIP(return, "slab debugging (red zones, KASAN): objects cost more than their size");
	MBT_PARAM_SET(&self->e, "user_bytes_max", SLAB_QUOTA);
	ASSERT_EQ(0, mbt_run_as(_metadata, UID_B, UID_B, slab_child, res));
	ASSERT_LE(0, res->before);
	EXPECT_EQ(-ENOBUFS, res->err);
	EXPECT_EQ((long)(SLAB_QUOTA / msg_cost(mbt_msg_header())),
		  res->count);
	used = res->after - res->before;
	TH_LOG("%ld empty messages: Slab grew by %lld bytes, quota %lu",
	       res->count, used, SLAB_QUOTA);
	EXPECT_GE((long long)(SLAB_QUOTA + SLAB_QUOTA / 8 + (256 << 10)), used)
		TH_LOG("the messages of a %lu-byte quota took %lld bytes of slab",
		       SLAB_QUOTA, used);
}

/* ------------------------------------------------------------------ */
/* Who pays                                                            */
/* ------------------------------------------------------------------ */

/*
 * The quota takes four messages of PAY_COST bytes each, the module's
 * header plus their length (@len in struct pay_arg, from pay_len()).
 */
#define PAY_COST	1024UL
#define PAY_QUOTA	(4 * PAY_COST)

/* The length of a message that costs exactly PAY_COST bytes. */
static uint32_t pay_len(void)
{
	return PAY_COST - mbt_msg_header();
}

struct pay_arg {
	const char *name;
	uint32_t len;	/* pay_len(), read by root */
	int fd;		/* opened and bound by root */
	int full;	/* sends through @fd before -ENOBUFS */
	int err;	/* the first that failed */
	int own;	/* a send through the child's own descriptor */
	uint32_t uid;	/* the sender uid a receiver sees */
	int again;	/* a send once one message was received */
};

/*
 * Through root's descriptor, as another uid: fill a quota, then try a
 * descriptor of this uid's own (its quota must be the full one), receive
 * one message (whose sender uid is this one) and send again.
 */
static int pay_send(struct __test_metadata *_metadata, void *arg)
{
	struct pay_arg *a = arg;
	static char buf[PAY_COST];
	struct mailbox_recv r;
	int fd;

	a->full = fill(a->fd, a->len, &a->err);
	fd = mbt_open(a->name, MAILBOX_ACCESS_ALL);
	if (fd < 0) {
		TH_LOG("open %s: %s", a->name, strerror(-fd));
		return fd;
	}
	a->own = mbt_send(fd, buf, a->len, MAILBOX_NONBLOCK, 0, NULL);
	if (mbt_recv(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0, &r) !=
	    (int)a->len) {
		TH_LOG("no %u-byte message to receive", a->len);
		return -EIO;
	}
	a->uid = r.sender_uid;
	a->again = mbt_send(fd, buf, a->len, MAILBOX_NONBLOCK, 0, NULL);
	close(fd);
	return 0;
}

/* The result for @a: this uid full after four; root's quota untouched. */
static void expect_paid_by_sender(struct __test_metadata *_metadata,
				  struct pay_arg *a, int rootfd)
{
	static char buf[PAY_COST];
	int i;

	EXPECT_EQ(4, a->full)
		TH_LOG("%u-byte messages (%lu bytes each) in a %lu-byte quota",
		       a->len, PAY_COST, PAY_QUOTA);
	EXPECT_EQ(-ENOBUFS, a->err);
	/* its own descriptor finds this uid's quota full, one slot freed */
	EXPECT_EQ(-ENOBUFS, a->own)
		TH_LOG("a descriptor of its own charged the same quota?");
	EXPECT_EQ(UID_C, a->uid);
	/* receiving one of them gave this uid room for one */
	EXPECT_EQ(0, a->again);
	/* root paid nothing: its whole quota is free */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, mbt_send(rootfd, buf, a->len, MAILBOX_NONBLOCK,
				      0, NULL))
			TH_LOG("root's send %d: root was charged", i);
	}
	EXPECT_EQ(-ENOBUFS, mbt_send(rootfd, buf, a->len, MAILBOX_NONBLOCK,
				     0, NULL));
}

/*
 * A descriptor root opened and bound, used after setresuid(): the messages
 * are charged to the uid that sends them, which fills its own quota, and
 * root's quota stays free.
 */
TEST_F(lim, setuid_sender_pays)
{
	struct pay_arg *a = mbt_shared(sizeof(*a));
	int rootfd;

	MBT_REQUIRE_ROOT();
	ASSERT_TRUE(a != NULL);
	a->name = mbt_new_name_as(_metadata, &self->e, "paysetuid");
	a->len = pay_len();
	a->fd = mbt_create(a->name, MAILBOX_CREATE_EXCL, 0666, 64, a->len);
	ASSERT_LE(0, a->fd);
	rootfd = mbt_open(a->name, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, rootfd);
	MBT_PARAM_SET(&self->e, "user_bytes_max", PAY_QUOTA);
	ASSERT_EQ(0, mbt_run_as(_metadata, UID_C, UID_C, pay_send, a));
	expect_paid_by_sender(_metadata, a, rootfd);
	close(rootfd);
	close(a->fd);
}

struct scm_arg {
	struct pay_arg *pay;
	int sock;
	int fd, rootfd;	/* root's: the child closes them */
};

static int scm_child(struct __test_metadata *_metadata, void *arg)
{
	struct scm_arg *s = arg;
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	/* the child holds no descriptor of root's but the one passed */
	close(s->fd);
	close(s->rootfd);
	c = recvmsg(s->sock, &mh, 0) == 1 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (!c || c->cmsg_type != SCM_RIGHTS) {
		TH_LOG("no descriptor passed");
		return -EIO;
	}
	memcpy(&s->pay->fd, CMSG_DATA(c), sizeof(int));
	return pay_send(_metadata, s->pay);
}

/* The same with root's descriptor passed to a UID_C process. */
TEST_F(lim, scm_rights_receiver_pays)
{
	struct pay_arg *a = mbt_shared(sizeof(*a));
	struct scm_arg s;
	char cbuf[CMSG_SPACE(sizeof(int))], byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int sv[2], fd, rootfd;
	pid_t pid;

	MBT_REQUIRE_ROOT();
	ASSERT_TRUE(a != NULL);
	a->name = mbt_new_name_as(_metadata, &self->e, "payscm");
	a->len = pay_len();
	fd = mbt_create(a->name, MAILBOX_CREATE_EXCL, 0666, 64, a->len);
	ASSERT_LE(0, fd);
	rootfd = mbt_open(a->name, MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, rootfd);
	MBT_PARAM_SET(&self->e, "user_bytes_max", PAY_QUOTA);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	s.pay = a;
	s.sock = sv[1];
	s.fd = fd;
	s.rootfd = rootfd;
	pid = mbt_spawn_as(_metadata, UID_C, UID_C, scm_child, &s);
	ASSERT_LE(0, pid);
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	EXPECT_EQ(1, sendmsg(sv[0], &mh, 0));
	close(fd);
	ASSERT_EQ(0, mbt_reap_as(_metadata, pid));
	expect_paid_by_sender(_metadata, a, rootfd);
	close(sv[0]);
	close(sv[1]);
	close(rootfd);
}

/* ------------------------------------------------------------------ */
/* A failed send changes nothing                                       */
/* ------------------------------------------------------------------ */

#define OUT_PID		0x5a5a5a5a
#define OUT_RECEIVERS	0xa5a5a5a5U

/* A send whose out fields hold a pattern no kernel would write. */
static struct mailbox_send patterned(const void *buf, uint32_t len)
{
	struct mailbox_send s;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.receiver_pid = OUT_PID;
	s.receivers = OUT_RECEIVERS;
	return s;
}

/*
 * Issue @cmd with @s, expect @err and the struct byte for byte as it was;
 * also as the only entry of a batch, and as the second entry after one
 * that succeeds (sent to @fd, so @fd must have room and be bound).
 */
static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     unsigned long cmd, const struct mailbox_send *s,
			     int err, const char *what)
{
	struct mailbox_send copy = *s, pair[2];
	struct mailbox_batch b;
	int ret;

	ret = mbt_ioctl(fd, cmd, &copy);
	EXPECT_EQ(err, ret) TH_LOG("%s", what);
	EXPECT_EQ(0, memcmp(&copy, s, sizeof(copy)))
		TH_LOG("%s: receiver_pid %d receivers %u", what,
		       copy.receiver_pid, copy.receivers);
	/* A batch entry is a SEND_TO when it has a to_pid, else a SEND. */
	if ((cmd == MAILBOX_IOC_SEND) == (s->to_pid != 0))
		return;

	pair[0] = patterned("ok", 2);
	pair[1] = *s;
	memset(&b, 0, sizeof(b));
	b.msgs = (uintptr_t)&pair[1];
	b.count = 1;
	ret = mbt_ioctl(fd, MAILBOX_IOC_SEND_BATCH, &b);
	EXPECT_EQ(err, ret) TH_LOG("%s, alone in a batch", what);
	EXPECT_EQ(0, memcmp(&pair[1], s, sizeof(*s)))
		TH_LOG("%s, alone in a batch", what);

	memset(&b, 0, sizeof(b));
	b.msgs = (uintptr_t)pair;
	b.count = 2;
	ret = mbt_ioctl(fd, MAILBOX_IOC_SEND_BATCH, &b);
	EXPECT_EQ(1, ret) TH_LOG("%s, second in a batch", what);
	EXPECT_EQ(err, b.error) TH_LOG("%s, second in a batch", what);
	EXPECT_EQ(0, memcmp(&pair[1], s, sizeof(*s)))
		TH_LOG("%s, second in a batch: receiver_pid %d receivers %u",
		       what, pair[1].receiver_pid, pair[1].receivers);
	/* take the first entry's message back out */
	EXPECT_EQ(2, mbt_recv(fd, pair, sizeof(pair), MAILBOX_NONBLOCK, 0,
			      NULL));
}

/* A send that fails with @err, changing none of its out fields. */
struct bad_send {
	const char *what;
	unsigned long cmd;	/* MAILBOX_IOC_SEND or _SEND_TO */
	int err;
	const char *msg;	/* "x" if NULL */
	bool to_me;		/* to_pid: this process */
	bool direct;		/* which has a direct mailbox (2 x 8 bytes) */
	struct mbt_field set[2];
};

#define SEND_FIELD(field, v)	MBT_FIELD(struct mailbox_send, field, v)

static const struct bad_send bad_sends[] = {
	{ "unknown flag", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(flags, 0x80) } },
	{ "NONBLOCK | DEADLINE", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(flags, MAILBOX_NONBLOCK | MAILBOX_DEADLINE) } },
	{ "deadline without DEADLINE", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(deadline_ns, 1) } },
	{ "reserved", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(reserved[1], 1) } },
	{ "priority past the highest", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(priority, MAILBOX_PRIO_MAX + 1) } },
	{ "priority on a queue mailbox", MAILBOX_IOC_SEND, -EINVAL,
	  .set = { SEND_FIELD(priority, 1) } },
	{ "too long", MAILBOX_IOC_SEND, -EMSGSIZE, .msg = "123456789" },
	{ "unreadable message", MAILBOX_IOC_SEND, -EFAULT,
	  .set = { SEND_FIELD(buf, 8) } },
	{ "delivery wait with no receiver", MAILBOX_IOC_SEND, -EAGAIN,
	  .set = { SEND_FIELD(flags, MAILBOX_NONBLOCK | MAILBOX_SEND_WAIT) } },
	/* SEND with a to_pid; SEND_TO with a bad or absent one */
	{ "SEND with to_pid", MAILBOX_IOC_SEND, -EINVAL, .to_me = true },
	{ "SEND_TO a negative pid", MAILBOX_IOC_SEND_TO, -EINVAL,
	  .set = { SEND_FIELD(to_pid, -1) } },
	{ "SEND_TO with an unknown flag", MAILBOX_IOC_SEND_TO, -EINVAL,
	  .to_me = true, .set = { SEND_FIELD(flags, 0x80) } },
	{ "SEND_TO, too long", MAILBOX_IOC_SEND_TO, -EMSGSIZE,
	  .msg = "123456789", .to_me = true, .direct = true },
	{ "SEND_TO a process without a direct mailbox", MAILBOX_IOC_SEND_TO,
	  -ESRCH, .to_me = true },
};

TEST_F(lim, failed_send_leaves_struct_alone)
{
	const struct bad_send *bs;
	const char *name;
	int fd, bcast, rdonly, full, dfd;
	struct mailbox_send s;
	char bname[MAILBOX_NAME_LEN];
	size_t i;

	MBT_REQUIRE_ROOT();
	name = mbt_new_name_as(_metadata, &self->e, "badsend");
	fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 2, 8);
	ASSERT_LE(0, fd);
	for (i = 0; i < MBT_ARRAY_SIZE(bad_sends); i++) {
		bs = &bad_sends[i];
		s = patterned(bs->msg ? bs->msg : "x",
			      bs->msg ? strlen(bs->msg) : 1);
		if (bs->to_me)
			s.to_pid = getpid();
		mbt_set_field(&s, &bs->set[0]);
		mbt_set_field(&s, &bs->set[1]);
		dfd = bs->direct ? mbt_open_direct(2, 8, MAILBOX_DELIVER_QUEUE) :
				   -1;
		if (bs->direct)
			ASSERT_LE(0, dfd);
		expect_unchanged(_metadata, fd, bs->cmd, &s, bs->err, bs->what);
		if (dfd >= 0)
			close(dfd);
	}

	/* no send access; a full mailbox; SEND_WAIT on broadcast */
	rdonly = mbt_open(name, MAILBOX_ACCESS_RECV);
	ASSERT_LE(0, rdonly);
	s = patterned("x", 1);
	EXPECT_EQ(-EBADF, mbt_ioctl(rdonly, MAILBOX_IOC_SEND, &s));
	EXPECT_EQ(OUT_PID, s.receiver_pid);
	EXPECT_EQ(OUT_RECEIVERS, s.receivers);
	close(rdonly);

	mbt_name(bname, "badsend-b");
	bcast = mbt_create_ex(bname, MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED,
			      MAILBOX_ACCESS_ALL, 0600, 2, 8,
			      MAILBOX_DELIVER_BROADCAST);
	ASSERT_LE(0, bcast);
	s = patterned("x", 1);
	s.flags = MAILBOX_SEND_WAIT;
	expect_unchanged(_metadata, bcast, MAILBOX_IOC_SEND, &s, -EINVAL,
			 "SEND_WAIT on a broadcast mailbox");
	close(bcast);

	full = mbt_open(name, MAILBOX_ACCESS_SEND);
	ASSERT_LE(0, full);
	EXPECT_EQ(0, mbt_send(full, "a", 1, 0, 0, NULL));
	EXPECT_EQ(0, mbt_send(full, "b", 1, 0, 0, NULL));
	s = patterned("x", 1);
	s.flags = MAILBOX_NONBLOCK;
	EXPECT_EQ(-EAGAIN, mbt_ioctl(full, MAILBOX_IOC_SEND, &s));
	EXPECT_EQ(OUT_PID, s.receiver_pid);
	EXPECT_EQ(OUT_RECEIVERS, s.receivers);
	close(full);

	/* and a send that succeeds does write them */
	EXPECT_EQ(1, mbt_recv(fd, &s, sizeof(s), MAILBOX_NONBLOCK, 0, NULL));
	s = patterned("x", 1);
	EXPECT_EQ(0, mbt_ioctl(fd, MAILBOX_IOC_SEND, &s));
	EXPECT_EQ(0, s.receiver_pid);
	EXPECT_EQ(1U, s.receivers);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* A dead mailbox's counters                                           */
/* ------------------------------------------------------------------ */

/* STAT, fdinfo and /proc agree on @dropped, and the counters add up. */
static void expect_dropped(struct __test_metadata *_metadata, int fd,
			   const char *name, uint64_t dropped)
{
	struct mailbox_info info = mbt_info(_metadata, fd);
	struct mbt_state st;
	char val[24];

	EXPECT_EQ(dropped, info.dropped);
	EXPECT_EQ(info.sent, info.received + info.depth + info.dropped)
		TH_LOG("sent %llu received %llu depth %u dropped %llu",
		       (unsigned long long)info.sent,
		       (unsigned long long)info.received, info.depth,
		       (unsigned long long)info.dropped);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)dropped);
	EXPECT_TRUE(mbt_fdinfo_has(fd, "dropped", val)) TH_LOG("fdinfo");
	ASSERT_EQ(0, mbt_state(name, &st));
	EXPECT_EQ(dropped, st.dropped);
}

/*
 * A mailbox of @delivery named @prefix... that dies with the descriptor
 * returned (its creator's), with three messages sent and one received
 * through *@peer: nothing dropped so far.
 */
static int dropped_setup(struct __test_metadata *_metadata,
			 struct mbt_env *e, const char *prefix,
			 uint32_t delivery, const char **name, int *peer)
{
	bool bcast = delivery == MAILBOX_DELIVER_BROADCAST;
	char buf[8];
	int owner;

	*name = mbt_new_name_as(_metadata, e, prefix);
	owner = mbt_create_ex(*name, MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED,
			      bcast ? MAILBOX_ACCESS_SEND : MAILBOX_ACCESS_ALL,
			      0600, 8, 8, delivery);
	ASSERT_LE(0, owner);
	*peer = mbt_open(*name, bcast ? MAILBOX_ACCESS_RECV :
					MAILBOX_ACCESS_ALL);
	ASSERT_LE(0, *peer);
	EXPECT_EQ(0, mbt_send(owner, "1", 1, 0, 0, NULL));
	EXPECT_EQ(0, mbt_send(owner, "2", 1, 0, 0, NULL));
	EXPECT_EQ(0, mbt_send(bcast ? owner : *peer, "3", 1, 0, 0, NULL));
	EXPECT_EQ(1, mbt_recv(*peer, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			      NULL));
	expect_dropped(_metadata, *peer, *name, 0);
	return owner;
}

TEST_F(lim, destroyed_mailbox_counts_dropped)
{
	struct mailbox_info info;
	const char *name;
	char header[512];
	int owner, peer;

	MBT_REQUIRE_ROOT();
	EXPECT_EQ(0, mbt_proc_header(header, sizeof(header)));
	EXPECT_TRUE(strstr(header, " backlog dropped\n") != NULL)
		TH_LOG("header: %s", header);
	owner = dropped_setup(_metadata, &self->e, "dropped",
			      MAILBOX_DELIVER_QUEUE, &name, &peer);

	/* The creator closes: the two queued messages are discarded. */
	close(owner);
	info = mbt_info(_metadata, peer);
	EXPECT_EQ((uint32_t)MAILBOX_STATE_DEAD, info.state);
	MBT_EXPECT_INFO(peer, .sent = 3, .received = 1, .depth = 0);
	expect_dropped(_metadata, peer, name, 2);
	close(peer);
}

/* Broadcast: what some subscriber had yet to read counts as dropped. */
TEST_F(lim, destroyed_broadcast_counts_dropped)
{
	const char *name;
	int owner, sub;

	MBT_REQUIRE_ROOT();
	owner = dropped_setup(_metadata, &self->e, "bdropped",
			      MAILBOX_DELIVER_BROADCAST, &name, &sub);
	close(owner);
	expect_dropped(_metadata, sub, name, 2);
	close(sub);
}

TEST_HARNESS_MAIN
