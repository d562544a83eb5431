// SPDX-License-Identifier: GPL-2.0
/*
 * MAILBOX_IOC_SENDV and MAILBOX_IOC_RECVV, batches moved in one hold of the
 * mailbox lock with 16-byte entries (struct mailbox_vec_entry). They must
 * move exactly what a SEND_BATCH or RECV_BATCH of the same entries would:
 * order (within a call and against single sends), partial batches (done,
 * error), a too-small buffer or a fault in the middle (the message stays
 * first, nothing is lost), a sleeping first entry woken by another
 * process, deadlines, priorities, the per-user quota running out in the
 * middle, sleeping senders let in by a receive, signals; and refuse what
 * they must (-EINVAL, -EBADF, -EBADFD, -EOPNOTSUPP) having changed nothing.
 *
 * Children run one vectored call each on their own descriptor and leave
 * what the kernel wrote in shared memory; the test waits for them to be
 * asleep in the kernel (STAT's waiter counts) before acting.
 */
#define _GNU_SOURCE
#include "lib/mbt.h"

#define MSG_MAX		128	/* msg_size_max of the mailboxes */
#define TIMEOUT_S	120	/* per test (slow emulation) */
#define NENT		16	/* entries of the tests' calls, at most */

#define SENDV		MAILBOX_IOC_SENDV
#define RECVV		MAILBOX_IOC_RECVV

/* A new mailbox of @cap messages (more: MBT_BOX()'s), the first self->e.fd. */
#define BOX(cap, ...)							\
	mbt_new_box(_metadata, &self->e, NULL, MBT_BOX(.capacity = (cap), \
		    .msg_size_max = MSG_MAX, ##__VA_ARGS__))

MBT_BATCH_FIXTURE(vec)

/* Send entries 0..@n-1 carrying mbt_bmsg(@first + k), priority 0. */
static void set_sends(struct mailbox_vec_entry *e, int n, int first)
{
	int k;

	for (k = 0; k < n; k++) {
		e[k].buf = (uintptr_t)mbt_bmsg(first + k);
		e[k].len = mbt_bmsg_len(first + k);
		e[k].priority = 0;
	}
}

/* Receive entries 0..@n-1 into bufs[k], their len MBT_UNTOUCHED after. */
static void set_recvs(struct mailbox_vec_entry *e, int n,
		      char (*bufs)[MBT_BATCH_BUF])
{
	int k;

	for (k = 0; k < n; k++) {
		e[k].buf = (uintptr_t)bufs[k];
		e[k].len = MBT_BATCH_BUF;
		e[k].priority = MBT_UNTOUCHED;
		memset(bufs[k], 0, MBT_BATCH_BUF);
	}
}

/* A vectored call of @count entries at @e with @flags: its result. */
static int vcall(int fd, unsigned long cmd, struct mailbox_vec_entry *e,
		 uint32_t count, uint32_t flags, struct mailbox_vec *v)
{
	memset(v, 0, sizeof(*v));
	v->vec = (uintptr_t)e;
	v->count = count;
	v->flags = flags;
	return mbt_ioctl(fd, cmd, v);
}

/* A MAILBOX_VEC_META receive of @count entries at @e: its result. */
static int recv_meta(int fd, struct mailbox_vec_entry *e,
		     struct mailbox_vec_meta *meta, uint32_t count,
		     struct mailbox_vec *v)
{
	memset(v, 0, sizeof(*v));
	v->vec = (uintptr_t)e;
	v->meta = (uintptr_t)meta;
	v->count = count;
	v->flags = MAILBOX_VEC_META;
	return mbt_ioctl(fd, RECVV, v);
}

/* Entry @e received @want into @buf. */
static bool got(const struct mailbox_vec_entry *e, const char *buf,
		const char *want)
{
	size_t len = strlen(want);

	if (e->len != len || memcmp(buf, want, len)) {
		fprintf(stderr, "# entry: len %u \"%.*s\", want %zu \"%s\"\n",
			e->len, (int)(e->len < MBT_BATCH_BUF ? e->len : 0),
			buf, len, want);
		return false;
	}
	return true;
}

#define EXPECT_GOT(e, buf, want)	EXPECT_TRUE(got(e, buf, want))

/* A call returned @want (entries done, or -errno) leaving @v so. */
#define EXPECT_VEC(ret, v, want, err) do {				\
	EXPECT_EQ((want), (ret));					\
	EXPECT_EQ((uint32_t)((want) > 0 ? (want) : 0), (v).done);	\
	EXPECT_EQ((want) > 0 ? (err) : 0, (v).error);			\
} while (0)

/* ---- children: one vectored call each ---------------------------------- */

struct vjob {
	bool recv;
	uint32_t count;
	int first;		/* send: entry k carries mbt_bmsg(first + k) */
	uint32_t flags;
	int handler;		/* SIGUSR1: MBT_NO_HANDLER, MBT_HANDLER_* */
};

struct vkid {
	int ret;
	uint64_t t_start, t_end;
	struct mailbox_vec v;
	struct mailbox_vec_entry e[NENT];
	char data[NENT][MBT_BATCH_BUF];
};

static struct vkid *vkids;

struct vjob_arg {
	const char *name;
	struct vkid *k;
	const struct vjob *job;
};

static int vjob_main(void *p)
{
	const struct vjob_arg *a = p;
	struct vkid *k = a->k;
	int fd = mbt_open(a->name, MAILBOX_ACCESS_ALL);

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_sigcount_install(a->job->handler));
	if (a->job->recv)
		set_recvs(k->e, a->job->count, k->data);
	else
		set_sends(k->e, a->job->count, a->job->first);
	k->t_start = mbt_now_ns();
	k->ret = vcall(fd, a->job->recv ? RECVV : SENDV, k->e, a->job->count,
		       a->job->flags, &k->v);
	k->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

/* Start a child running @job on e's first mailbox in slot @idx. */
static void vjob_start(struct __test_metadata *_metadata, struct mbt_env *e,
		       int idx, const struct vjob *job)
{
	struct vjob_arg a = { e->names[0], NULL, job };

	if (!vkids)
		vkids = mbt_shared(MBT_MAX_SLOTS * sizeof(*vkids));
	ASSERT_TRUE(vkids != NULL);
	ASSERT_EQ(0, mbt_sigcount_init());
	a.k = &vkids[idx];
	memset(a.k, 0, sizeof(*a.k));
	a.k->ret = MBT_NOT_DONE;
	mbt_slot_start(_metadata, &e->kids, idx, vjob_main, &a);
}

/* Slot @idx's child must exit 0 having made its call: what it saw. */
static struct vkid *vjob_done(struct __test_metadata *_metadata,
			      struct mbt_env *e, int idx)
{
	mbt_slot_ok(_metadata, &e->kids, idx);
	ASSERT_NE(MBT_NOT_DONE, vkids[idx].ret);
	return &vkids[idx];
}

/* ---- tests ------------------------------------------------------------ */

/* VERSION lists both ioctls; the structures are the same for -m32. */
TEST_F_TIMEOUT(vec, version_and_layout, TIMEOUT_S)
{
	struct mailbox_version v;

	ASSERT_EQ(0, mbt_fresh_ioctl(MAILBOX_IOC_VERSION, &v));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(SENDV)));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(RECVV)));
	EXPECT_EQ(0x10U, _IOC_NR(SENDV));
	EXPECT_EQ(0x11U, _IOC_NR(RECVV));
	EXPECT_EQ(56U, sizeof(struct mailbox_vec));
	EXPECT_EQ(16U, sizeof(struct mailbox_vec_entry));
	EXPECT_EQ(16U, sizeof(struct mailbox_vec_meta));
	EXPECT_EQ(56U, _IOC_SIZE(SENDV));
}

/*
 * Single sends between vectored ones: everything arrives once, in the
 * order sent; a vectored receive takes them all in one call.
 */
TEST_F_TIMEOUT(vec, order_with_single_sends, TIMEOUT_S)
{
	int fd = BOX(16), k;
	struct mailbox_vec_entry s[4], r[NENT];
	char bufs[NENT][MBT_BATCH_BUF];
	struct mailbox_vec v;

	mbt_send_bmsg(_metadata, fd, 0);
	set_sends(s, 4, 1);
	EXPECT_VEC(vcall(fd, SENDV, s, 4, 0, &v), v, 4, 0);
	mbt_send_bmsg(_metadata, fd, 5);
	set_sends(s, 4, 6);
	EXPECT_VEC(vcall(fd, SENDV, s, 4, 0, &v), v, 4, 0);
	MBT_EXPECT_COUNTS(fd, 10, 10, 0);

	set_recvs(r, NENT, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, NENT, MAILBOX_NONBLOCK, &v), v, 10,
		   -EAGAIN);
	for (k = 0; k < 10; k++) {
		EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(k));
		EXPECT_EQ(0U, r[k].priority);
	}
	MBT_EXPECT_COUNTS(fd, 0, 10, 10);
	/* and the single calls still see the order of vectored sends */
	set_sends(s, 3, 20);
	EXPECT_VEC(vcall(fd, SENDV, s, 3, 0, &v), v, 3, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(20), mbt_bmsg(21), mbt_bmsg(22));
}

/*
 * The messages of one send share its send time, and a later send's is
 * not earlier; each is received whole whatever its size: of one slab size
 * class or another, or above the largest (not from a slab) in one batch.
 */
TEST_F_TIMEOUT(vec, one_send_time_mixed_sizes, TIMEOUT_S)
{
	static const uint32_t lens[] = { 1, 0, 100, 100, 5000, 2, 3000, 5000 };
	enum { N = MBT_ARRAY_SIZE(lens), BIG = 8192 };
	struct mailbox_vec_entry s[N], r[N];
	struct mailbox_vec_meta meta[N];
	static char in[N][BIG], out[N][BIG];
	struct mailbox_vec v;
	int fd = BOX(2 * N, .msg_size_max = BIG), k;
	uint64_t t0;

	for (k = 0; k < N; k++) {
		memset(in[k], 'a' + k, lens[k]);
		s[k].buf = (uintptr_t)in[k];
		s[k].len = lens[k];
		s[k].priority = 0;
		r[k].buf = (uintptr_t)out[k];
		r[k].len = BIG;
		r[k].priority = MBT_UNTOUCHED;
	}
	EXPECT_VEC(vcall(fd, SENDV, s, N, 0, &v), v, N, 0);
	EXPECT_VEC(vcall(fd, SENDV, s, 2, 0, &v), v, 2, 0);
	EXPECT_VEC(recv_meta(fd, r, meta, N, &v), v, N, 0);
	for (k = 0; k < N; k++) {
		EXPECT_EQ(lens[k], r[k].len);
		EXPECT_EQ(0, memcmp(in[k], out[k], lens[k]));
		EXPECT_EQ(getpid(), meta[k].sender_pid);
		EXPECT_EQ(geteuid(), meta[k].sender_uid);
		EXPECT_EQ(meta[0].send_time_ns, meta[k].send_time_ns);
	}
	t0 = meta[0].send_time_ns;
	EXPECT_VEC(recv_meta(fd, r, meta, 2, &v), v, 2, 0);
	EXPECT_EQ(0, memcmp(in[1], out[1], lens[1]));
	EXPECT_LE(t0, meta[0].send_time_ns);
	EXPECT_EQ(meta[0].send_time_ns, meta[1].send_time_ns);
	MBT_EXPECT_COUNTS(fd, 0, N + 2, N + 2);
}

/* A send past the room left sends what fits: done, -EAGAIN. */
TEST_F_TIMEOUT(vec, partial_send, TIMEOUT_S)
{
	int fd = BOX(4);
	struct mailbox_vec_entry s[6];
	struct mailbox_vec v;

	mbt_send_bmsg(_metadata, fd, 0);
	set_sends(s, 6, 1);
	EXPECT_VEC(vcall(fd, SENDV, s, 6, 0, &v), v, 3, -EAGAIN);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(1), mbt_bmsg(2),
			mbt_bmsg(3));
	/* full: a non-blocking first entry fails, nothing moved */
	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	mbt_send_bmsg(_metadata, fd, 2);
	mbt_send_bmsg(_metadata, fd, 3);
	EXPECT_VEC(vcall(fd, SENDV, s, 6, MAILBOX_NONBLOCK, &v), v, -EAGAIN,
		   0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(1), mbt_bmsg(2),
			mbt_bmsg(3));
}

/* A receive of more than there is takes what there is: done, -EAGAIN. */
TEST_F_TIMEOUT(vec, partial_recv, TIMEOUT_S)
{
	int fd = BOX(8), k;
	struct mailbox_vec_entry r[8];
	char bufs[8][MBT_BATCH_BUF];
	struct mailbox_vec v;

	for (k = 0; k < 3; k++)
		mbt_send_bmsg(_metadata, fd, k);
	set_recvs(r, 8, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, 8, 0, &v), v, 3, -EAGAIN);
	for (k = 0; k < 3; k++)
		EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(k));
	EXPECT_EQ(MBT_UNTOUCHED, r[3].priority);
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
	set_recvs(r, 8, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, 8, MAILBOX_NONBLOCK, &v), v, -EAGAIN,
		   0);
	EXPECT_EQ(MBT_UNTOUCHED, r[0].priority);
}

/*
 * An entry too small for its message ends the batch with -EMSGSIZE and
 * the message's length; the message stays first. The first entry too
 * small: the call fails, nothing moved.
 */
TEST_F_TIMEOUT(vec, too_small_entry, TIMEOUT_S)
{
	int fd = BOX(8), k;
	struct mailbox_vec_entry r[4];
	char bufs[4][MBT_BATCH_BUF];
	struct mailbox_vec v;

	for (k = 0; k < 3; k++)
		mbt_send_bmsg(_metadata, fd, k);
	set_recvs(r, 4, bufs);
	r[1].len = mbt_bmsg_len(1) - 1;
	EXPECT_VEC(vcall(fd, RECVV, r, 4, 0, &v), v, 1, -EMSGSIZE);
	EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0));
	EXPECT_EQ(mbt_bmsg_len(1), r[1].len);
	MBT_EXPECT_COUNTS(fd, 2, 3, 1);

	set_recvs(r, 4, bufs);
	r[0].len = 0;
	r[0].buf = 0;
	EXPECT_VEC(vcall(fd, RECVV, r, 4, 0, &v), v, -EMSGSIZE, 0);
	EXPECT_EQ(mbt_bmsg_len(1), r[0].len);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(1), mbt_bmsg(2));
}

/*
 * A buffer that cannot be written in the middle of a receive: the batch
 * ends there with -EFAULT, that message and those after it stay queued
 * first, in order, nothing lost. In the first entry: -EFAULT, nothing
 * moved. A @meta array that cannot be written: the same.
 */
TEST_F_TIMEOUT(vec, fault_mid_recv, TIMEOUT_S)
{
	int fd = BOX(8), k;
	struct mailbox_vec_entry r[6];
	struct mailbox_vec_meta meta[6];
	char bufs[6][MBT_BATCH_BUF];
	struct mailbox_vec v;

	for (k = 0; k < 5; k++)
		mbt_send_bmsg(_metadata, fd, k);
	mbt_send_bmsg(_metadata, fd, 0);
	set_recvs(r, 6, bufs);
	r[2].buf = (uintptr_t)self->pg.none;
	EXPECT_VEC(vcall(fd, RECVV, r, 6, 0, &v), v, 2, -EFAULT);
	EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(0));
	EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(1));
	MBT_EXPECT_COUNTS(fd, 4, 6, 2);

	set_recvs(r, 6, bufs);
	r[0].buf = (uintptr_t)self->pg.ro;
	EXPECT_VEC(vcall(fd, RECVV, r, 6, 0, &v), v, -EFAULT, 0);
	MBT_EXPECT_COUNTS(fd, 4, 6, 2);

	set_recvs(r, 6, bufs);
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)r;
	v.count = 6;
	v.flags = MAILBOX_VEC_META;
	v.meta = (uintptr_t)(self->pg.none - 2 * sizeof(meta[0]));
	EXPECT_VEC(mbt_ioctl(fd, RECVV, &v), v, 2, -EFAULT);
	EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(2));
	EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(3));

	set_recvs(r, 6, bufs);
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)r;
	v.count = 6;
	v.flags = MAILBOX_VEC_META;
	v.meta = (uintptr_t)meta;
	EXPECT_VEC(mbt_ioctl(fd, RECVV, &v), v, 2, -EAGAIN);
	EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(4));
	EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(0));
	EXPECT_EQ(getpid(), meta[0].sender_pid);
	EXPECT_EQ(geteuid(), meta[1].sender_uid);
	EXPECT_LE(meta[0].send_time_ns, meta[1].send_time_ns);
	EXPECT_GE(mbt_now_ns(), meta[1].send_time_ns);
	MBT_EXPECT_COUNTS(fd, 0, 6, 6);
}

/* The entries themselves unreadable or unwritable: -EFAULT, nothing moved. */
TEST_F_TIMEOUT(vec, bad_entries, TIMEOUT_S)
{
	int fd = BOX(8);
	struct mailbox_vec_entry r[2], s[1], *ro;
	char bufs[2][MBT_BATCH_BUF];
	struct mailbox_vec v;

	mbt_send_bmsg(_metadata, fd, 0);
	EXPECT_EQ(-EFAULT, vcall(fd, RECVV, (void *)self->pg.none, 2, 0, &v));
	EXPECT_EQ(-EFAULT, vcall(fd, SENDV, (void *)self->pg.none, 2, 0, &v));
	EXPECT_EQ(-EFAULT, vcall(fd, SENDV, (void *)MBT_KERNEL_PTR, 1, 0, &v));
	set_recvs(r, 2, bufs);
	ro = mbt_ro(_metadata, &self->pg, r, sizeof(r));
	EXPECT_EQ(-EFAULT, vcall(fd, RECVV, ro, 2, 0, &v));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, RECVV, self->pg.none));
	/* a valid struct that cannot be written: -EFAULT before anything */
	set_sends(s, 1, 1);
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)s;
	v.count = 1;
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, SENDV, mbt_ro(_metadata, &self->pg,
						       &v, sizeof(v))));
	/* a message that cannot be read: the send fails, nothing sent */
	s[0].buf = (uintptr_t)self->pg.none;
	EXPECT_VEC(vcall(fd, SENDV, s, 1, 0, &v), v, -EFAULT, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0));
}

/* A struct mailbox_vec the kernel must refuse with -EINVAL. */
static const struct mailbox_vec bad_vecs[] = {
	{ .count = 0 },
	{ .count = MAILBOX_BATCH_MAX + 1 },
	{ .count = UINT32_MAX },
	{ .count = 1, .flags = 0x20 },
	{ .count = 1, .flags = MAILBOX_SEND_WAIT },
	{ .count = 1, .flags = MAILBOX_RECV_PEEK },
	{ .count = 1, .flags = 0x80000000 },
	{ .count = 1, .flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE },
	{ .count = 1, .deadline_ns = 1 },
	{ .count = 1, .flags = MAILBOX_DEADLINE, .deadline_ns = 1ULL << 63 },
	{ .count = 1, .flags = MAILBOX_VEC_META },
	{ .count = 1, .meta = 4096 },
	{ .count = 1, .done = 1 },
	{ .count = 1, .error = -EAGAIN },
	{ .count = 1, .reserved = { 1, 0 } },
	{ .count = 1, .reserved = { 0, 1ULL << 63 } },
};

/*
 * Bad count, flags, meta, deadline, done, error or reserved: -EINVAL,
 * nothing moved; MAILBOX_VEC_META on a send; a bad priority in the first
 * entry.
 */
TEST_F_TIMEOUT(vec, invalid, TIMEOUT_S)
{
	int fd = BOX(4);
	struct mailbox_vec_entry s[2], r[2];
	char bufs[2][MBT_BATCH_BUF];
	struct mailbox_vec v;
	struct mailbox_vec_meta meta[2];
	size_t i;

	mbt_send_bmsg(_metadata, fd, 0);
	set_sends(s, 2, 1);
	set_recvs(r, 2, bufs);
	for (i = 0; i < MBT_ARRAY_SIZE(bad_vecs); i++) {
		v = bad_vecs[i];
		v.vec = (uintptr_t)s;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, SENDV, &v))
			TH_LOG("send %zu", i);
		v = bad_vecs[i];
		v.vec = (uintptr_t)r;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, RECVV, &v))
			TH_LOG("receive %zu", i);
	}
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)s;
	v.count = 2;
	v.flags = MAILBOX_VEC_META;
	v.meta = (uintptr_t)meta;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, SENDV, &v));
	/* a priority on a queue mailbox, or above the highest */
	s[0].priority = 1;
	EXPECT_VEC(vcall(fd, SENDV, s, 2, 0, &v), v, -EINVAL, 0);
	s[0].priority = 0;
	s[1].priority = MAILBOX_PRIO_MAX + 1;
	EXPECT_VEC(vcall(fd, SENDV, s, 2, 0, &v), v, 1, -EINVAL);
	EXPECT_EQ(MBT_UNTOUCHED, r[0].priority);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(1));
	/* too long for the mailbox: -EMSGSIZE */
	s[0].len = MSG_MAX + 1;
	EXPECT_VEC(vcall(fd, SENDV, s, 1, 0, &v), v, -EMSGSIZE, 0);
	MBT_EXPECT_COUNTS(fd, 0, 2, 2);
}

/*
 * Without the access: -EBADF; unbound: -EBADFD; a receive from a broadcast
 * mailbox: -EOPNOTSUPP (a send to one works, entry by entry).
 */
TEST_F_TIMEOUT(vec, access, TIMEOUT_S)
{
	struct mailbox_vec_entry s[2], r[2];
	char bufs[2][MBT_BATCH_BUF];
	const char *name, *bname;
	struct mailbox_vec v;
	int fd, sfd, rfd, ufd, bfd;

	fd = mbt_new_box(_metadata, &self->e, &name,
			 MBT_BOX(.capacity = 4, .msg_size_max = MSG_MAX));
	sfd = mbt_open(name, MAILBOX_ACCESS_SEND);
	rfd = mbt_open(name, MAILBOX_ACCESS_RECV);
	ufd = mbt_dev();
	ASSERT_LE(0, sfd);
	ASSERT_LE(0, rfd);
	ASSERT_LE(0, ufd);
	set_sends(s, 2, 0);
	set_recvs(r, 2, bufs);
	EXPECT_EQ(-EBADF, vcall(rfd, SENDV, s, 2, 0, &v));
	EXPECT_EQ(-EBADFD, vcall(ufd, SENDV, s, 2, 0, &v));
	EXPECT_EQ(-EBADFD, vcall(ufd, RECVV, r, 2, 0, &v));
	EXPECT_VEC(vcall(sfd, SENDV, s, 2, 0, &v), v, 2, 0);
	EXPECT_EQ(-EBADF, vcall(sfd, RECVV, r, 2, 0, &v));
	EXPECT_EQ(MBT_UNTOUCHED, r[0].priority);
	EXPECT_VEC(vcall(rfd, RECVV, r, 2, 0, &v), v, 2, 0);
	EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(1));
	MBT_EXPECT_COUNTS(fd, 0, 2, 2);

	bfd = mbt_new_box(_metadata, &self->e, &bname,
			  MBT_BOX(.capacity = 4, .msg_size_max = MSG_MAX,
				  .delivery = MAILBOX_DELIVER_BROADCAST));
	set_recvs(r, 2, bufs);
	EXPECT_EQ(-EOPNOTSUPP, vcall(bfd, RECVV, r, 2, 0, &v));
	EXPECT_VEC(vcall(bfd, SENDV, s, 2, 0, &v), v, 2, 0);
	MBT_ASSERT_RECV(bfd, 0, mbt_bmsg(0), 0);
	MBT_ASSERT_RECV(bfd, 0, mbt_bmsg(1), 0);
	close(sfd);
	close(rfd);
	close(ufd);
}

/*
 * A receive asleep in its first entry wakes on another process's send,
 * then takes what is there at once.
 */
TEST_F_TIMEOUT(vec, recv_first_entry_sleeps, TIMEOUT_S)
{
	const struct vjob job = { .recv = true, .count = 4 };
	struct mbt_env *e = &self->e;
	int fd = BOX(8);
	struct vkid *k;

	vjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);
	mbt_send_bmsg(_metadata, fd, 5);
	k = vjob_done(_metadata, e, 0);
	EXPECT_VEC(k->ret, k->v, 1, -EAGAIN);
	EXPECT_GOT(&k->e[0], k->data[0], mbt_bmsg(5));
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, (k->t_end - k->t_start) / MBT_MS);
	MBT_EXPECT_BLOCKED(fd, 0, 1);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/*
 * A send asleep in its first entry on a full mailbox: a receive makes
 * room for it; the others do not fit.
 */
TEST_F_TIMEOUT(vec, send_first_entry_sleeps, TIMEOUT_S)
{
	const struct vjob job = { .count = 3, .first = 2 };
	struct mbt_env *e = &self->e;
	int fd = BOX(2);
	struct vkid *k;

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	vjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, senders_waiting, 1);
	mbt_sleep_ms(MBT_SLEEP_MS);
	MBT_ASSERT_RECV(fd, 0, mbt_bmsg(0), 0);
	k = vjob_done(_metadata, e, 0);
	EXPECT_VEC(k->ret, k->v, 1, -EAGAIN);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, (k->t_end - k->t_start) / MBT_MS);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(1), mbt_bmsg(2));
	MBT_EXPECT_BLOCKED(fd, 1, 0);
}

/* A vectored send hands messages to a vectored receive asleep. */
TEST_F_TIMEOUT(vec, send_wakes_sleeping_recv, TIMEOUT_S)
{
	const struct vjob job = { .recv = true, .count = 8 };
	struct mbt_env *e = &self->e;
	struct mailbox_vec_entry s[4];
	struct mailbox_vec v;
	int fd = BOX(8), n;
	struct vkid *k;

	vjob_start(_metadata, e, 0, &job);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	set_sends(s, 4, 0);
	EXPECT_VEC(vcall(fd, SENDV, s, 4, 0, &v), v, 4, 0);
	k = vjob_done(_metadata, e, 0);
	ASSERT_LE(1, k->ret);
	ASSERT_GE(4, k->ret);
	for (n = 0; n < k->ret; n++)
		EXPECT_GOT(&k->e[n], k->data[n], mbt_bmsg(n));
	for (; n < 4; n++)
		MBT_ASSERT_RECV(fd, 0, mbt_bmsg(n), 0);
	MBT_EXPECT_COUNTS(fd, 0, 4, 4);
}

/* Deadlines of the first entry, and non-blocking descriptors. */
TEST_F_TIMEOUT(vec, deadline, TIMEOUT_S)
{
	struct mailbox_vec_entry s[2], r[2];
	char bufs[2][MBT_BATCH_BUF];
	struct mailbox_vec v;
	const char *name;
	uint64_t t0;
	int fd, nfd;

	fd = mbt_new_box(_metadata, &self->e, &name,
			 MBT_BOX(.capacity = 1, .msg_size_max = MSG_MAX));

	set_recvs(r, 2, bufs);
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)r;
	v.count = 2;
	v.flags = MAILBOX_DEADLINE;
	v.deadline_ns = mbt_deadline_ms(MBT_SLEEP_MS);
	t0 = mbt_now_ns();
	EXPECT_VEC(mbt_ioctl(fd, RECVV, &v), v, -ETIMEDOUT, 0);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, mbt_elapsed_ms(t0));

	mbt_send_bmsg(_metadata, fd, 0);
	set_sends(s, 2, 1);
	memset(&v, 0, sizeof(v));
	v.vec = (uintptr_t)s;
	v.count = 2;
	v.flags = MAILBOX_DEADLINE;
	v.deadline_ns = mbt_deadline_ms(MBT_SLEEP_MS);
	t0 = mbt_now_ns();
	EXPECT_VEC(mbt_ioctl(fd, SENDV, &v), v, -ETIMEDOUT, 0);
	EXPECT_LE((uint64_t)MBT_SLEEP_MS, mbt_elapsed_ms(t0));
	/* a deadline passed already */
	v.deadline_ns = mbt_deadline_ms(0) - MBT_MS;
	EXPECT_VEC(mbt_ioctl(fd, SENDV, &v), v, -ETIMEDOUT, 0);

	/* an O_NONBLOCK descriptor never sleeps */
	nfd = mbt_open_flags(name, MAILBOX_ACCESS_ALL, O_NONBLOCK);
	ASSERT_LE(0, nfd);
	EXPECT_VEC(vcall(nfd, SENDV, s, 2, 0, &v), v, -EAGAIN, 0);
	MBT_ASSERT_RECV(fd, 0, mbt_bmsg(0), 0);
	EXPECT_VEC(vcall(nfd, RECVV, r, 2, 0, &v), v, -EAGAIN, 0);
	close(nfd);
	MBT_EXPECT_BLOCKED(fd, 1, 1);
	MBT_EXPECT_COUNTS(fd, 0, 1, 1);
}

/* A priority mailbox: the highest first, the oldest first within one. */
TEST_F_TIMEOUT(vec, priority_order, TIMEOUT_S)
{
	const uint32_t prio[] = { 1, 5, 3, 5, 0, 31 };
	const int want[] = { 5, 1, 3, 2, 0, 4 };
	int fd = BOX(8, .delivery = MAILBOX_DELIVER_PRIORITY), k;
	struct mailbox_vec_entry s[6], r[8];
	char bufs[8][MBT_BATCH_BUF];
	struct mailbox_vec v;

	set_sends(s, 6, 0);
	for (k = 0; k < 6; k++)
		s[k].priority = prio[k];
	EXPECT_VEC(vcall(fd, SENDV, s, 6, 0, &v), v, 6, 0);
	set_recvs(r, 8, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, 8, 0, &v), v, 6, -EAGAIN);
	for (k = 0; k < 6; k++) {
		EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(want[k]));
		EXPECT_EQ(prio[want[k]], r[k].priority);
	}
}

/* What a message of @len bytes costs: the slab size of header + len. */
static unsigned long msg_cost(uint32_t len)
{
	static const unsigned long slab[] = { 64, 96, 128, 192, 256, 512 };
	unsigned long need = mbt_msg_header() + len;
	size_t i;

	for (i = 0; i < MBT_ARRAY_SIZE(slab); i++)
		if (need <= slab[i])
			return slab[i];
	return 0;
}

/*
 * The sender's user_bytes_max runs out in the middle of a send: those
 * before are sent, the batch ends with -ENOBUFS; in the first entry the
 * call fails and nothing is sent.
 */
TEST_F_TIMEOUT(vec, quota_mid_batch, TIMEOUT_S)
{
	struct mailbox_vec_entry s[6];
	unsigned long cost;
	struct mailbox_vec v;
	int fd;

	MBT_REQUIRE_ROOT();
	fd = BOX(8);
	/* mbt_bmsg(0) to (5) are 2 to 7 bytes: one slab size */
	cost = msg_cost(mbt_bmsg_len(0));
	ASSERT_NE(0UL, cost);
	ASSERT_EQ(cost, msg_cost(mbt_bmsg_len(8)));
	MBT_PARAM_SET(&self->e, "user_bytes_max", 3 * cost + cost / 2);
	set_sends(s, 6, 0);
	EXPECT_VEC(vcall(fd, SENDV, s, 6, 0, &v), v, 3, -ENOBUFS);
	MBT_EXPECT_COUNTS(fd, 3, 3, 0);
	set_sends(s, 6, 3);
	EXPECT_VEC(vcall(fd, SENDV, s, 6, 0, &v), v, -ENOBUFS, 0);
	MBT_EXPECT_MSGS(fd, mbt_bmsg(0), mbt_bmsg(1), mbt_bmsg(2));
}

/*
 * Senders asleep on a full mailbox: one receive takes the queued messages
 * and lets them in, in order, waking them.
 */
TEST_F_TIMEOUT(vec, recv_refills_from_sleeping_senders, TIMEOUT_S)
{
	const struct vjob jobs[] = {
		{ .count = 1, .first = 2 }, { .count = 1, .first = 3 },
	};
	struct mbt_env *e = &self->e;
	struct mailbox_vec_entry r[8];
	char bufs[8][MBT_BATCH_BUF];
	struct mailbox_vec v;
	int fd = BOX(2), k;
	struct vkid *kid;

	mbt_send_bmsg(_metadata, fd, 0);
	mbt_send_bmsg(_metadata, fd, 1);
	for (k = 0; k < 2; k++) {
		vjob_start(_metadata, e, k, &jobs[k]);
		MBT_ASSERT_INFO(fd, senders_waiting, k + 1);
	}
	set_recvs(r, 8, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, 8, 0, &v), v, 4, -EAGAIN);
	for (k = 0; k < 4; k++)
		EXPECT_GOT(&r[k], bufs[k], mbt_bmsg(k));
	for (k = 0; k < 2; k++) {
		kid = vjob_done(_metadata, e, k);
		EXPECT_VEC(kid->ret, kid->v, 1, 0);
	}
	MBT_EXPECT_COUNTS(fd, 0, 4, 4);
}

/*
 * A rendezvous: a receive takes the messages of the senders asleep, each
 * learning who received it; a send goes entry by entry, the first
 * waiting for its receiver.
 */
TEST_F_TIMEOUT(vec, rendezvous, TIMEOUT_S)
{
	const struct vjob jobs[] = {
		{ .count = 1, .first = 2 }, { .count = 1, .first = 3 },
	};
	const struct vjob rjob = { .recv = true, .count = 4 };
	struct mbt_env *e = &self->e;
	struct mailbox_vec_entry r[4], s[2];
	char bufs[4][MBT_BATCH_BUF];
	struct mailbox_vec v;
	int fd = BOX(0), k;
	struct vkid *kid;

	for (k = 0; k < 2; k++) {
		vjob_start(_metadata, e, k, &jobs[k]);
		MBT_ASSERT_INFO(fd, senders_waiting, k + 1);
	}
	set_recvs(r, 4, bufs);
	EXPECT_VEC(vcall(fd, RECVV, r, 4, 0, &v), v, 2, -EAGAIN);
	EXPECT_GOT(&r[0], bufs[0], mbt_bmsg(2));
	EXPECT_GOT(&r[1], bufs[1], mbt_bmsg(3));
	for (k = 0; k < 2; k++) {
		kid = vjob_done(_metadata, e, k);
		EXPECT_VEC(kid->ret, kid->v, 1, 0);
	}
	vjob_start(_metadata, e, 2, &rjob);
	MBT_ASSERT_INFO(fd, receivers_waiting, 1);
	set_sends(s, 2, 0);
	EXPECT_VEC(vcall(fd, SENDV, s, 2, 0, &v), v, 1, -EAGAIN);
	kid = vjob_done(_metadata, e, 2);
	EXPECT_VEC(kid->ret, kid->v, 1, -EAGAIN);
	EXPECT_GOT(&kid->e[0], kid->data[0], mbt_bmsg(0));
	MBT_EXPECT_COUNTS(fd, 0, 3, 3);
}

/*
 * 1024 entries, the most, in one call each way, into buffers never
 * touched before: the receive faults them in as it goes.
 */
TEST_F_TIMEOUT(vec, max_count, TIMEOUT_S)
{
	struct mailbox_vec_entry *s, *r;
	struct mailbox_vec v;
	char *bufs;
	int fd = BOX(MAILBOX_BATCH_MAX), k;

	s = calloc(MAILBOX_BATCH_MAX, sizeof(*s));
	r = calloc(MAILBOX_BATCH_MAX, sizeof(*r));
	bufs = calloc(MAILBOX_BATCH_MAX, MBT_BATCH_BUF);
	ASSERT_TRUE(s && r && bufs);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++) {
		s[k].buf = (uintptr_t)mbt_bmsg(k % MBT_BATCH_NMSG);
		s[k].len = mbt_bmsg_len(k % MBT_BATCH_NMSG);
		r[k].buf = (uintptr_t)(bufs + (size_t)k * MBT_BATCH_BUF);
		r[k].len = MBT_BATCH_BUF;
	}
	EXPECT_VEC(vcall(fd, SENDV, s, MAILBOX_BATCH_MAX, 0, &v), v,
		   MAILBOX_BATCH_MAX, 0);
	EXPECT_VEC(vcall(fd, RECVV, r, MAILBOX_BATCH_MAX, 0, &v), v,
		   MAILBOX_BATCH_MAX, 0);
	for (k = 0; k < MAILBOX_BATCH_MAX; k++)
		EXPECT_GOT(&r[k], bufs + (size_t)k * MBT_BATCH_BUF,
			   mbt_bmsg(k % MBT_BATCH_NMSG));
	MBT_EXPECT_COUNTS(fd, 0, MAILBOX_BATCH_MAX, MAILBOX_BATCH_MAX);
	free(s);
	free(r);
	free(bufs);
}

/* ---- signals ------------------------------------------------------------ */

/*
 * A signal while the first entry sleeps: without SA_RESTART -EINTR and
 * nothing moved; with SA_RESTART the call starts again and completes;
 * SIGKILL leaves nothing behind.
 */
MBT_BATCH_FIXTURE(vintr)

FIXTURE_VARIANT(vintr) {
	bool recv;
};

FIXTURE_VARIANT_ADD(vintr, recv) { .recv = true };
FIXTURE_VARIANT_ADD(vintr, send_full) { .recv = false };

/* Child 0 asleep in the first of two entries (a full mailbox for a send). */
static void block_kid(struct __test_metadata *_metadata, struct mbt_env *e,
		      bool recv, int handler)
{
	const struct vjob job = { .recv = recv, .count = 2, .first = 1,
				  .handler = handler };

	mbt_new_box(_metadata, e, NULL,
		    MBT_BOX(.msg_size_max = MSG_MAX, .capacity = recv ? 4 : 1));
	if (!recv)
		mbt_send_bmsg(_metadata, e->fd, 0);
	vjob_start(_metadata, e, 0, &job);
	if (recv)
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
	else
		MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
}

TEST_F_TIMEOUT(vintr, eintr, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	struct vkid *k;

	block_kid(_metadata, e, variant->recv, MBT_HANDLER_EINTR);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGUSR1));
	k = vjob_done(_metadata, e, 0);
	EXPECT_VEC(k->ret, k->v, -EINTR, 0);
	EXPECT_EQ(1, mbt_sigcount());
	if (variant->recv) {
		EXPECT_EQ(MBT_UNTOUCHED, k->e[0].priority);
		MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
	} else {
		MBT_EXPECT_MSGS(e->fd, mbt_bmsg(0));
	}
}

TEST_F_TIMEOUT(vintr, restart, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;
	struct vkid *k;

	block_kid(_metadata, e, variant->recv, MBT_HANDLER_RESTART);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGUSR1));
	MBT_ASSERT_SIGCOUNT(1);
	if (variant->recv) {
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 1);
		mbt_send_bmsg(_metadata, e->fd, 5);
	} else {
		MBT_ASSERT_INFO(e->fd, senders_waiting, 1);
		MBT_ASSERT_RECV(e->fd, 0, mbt_bmsg(0), 0);
	}
	k = vjob_done(_metadata, e, 0);
	EXPECT_VEC(k->ret, k->v, 1, -EAGAIN);
	if (variant->recv) {
		EXPECT_GOT(&k->e[0], k->data[0], mbt_bmsg(5));
		MBT_EXPECT_COUNTS(e->fd, 0, 1, 1);
	} else {
		MBT_EXPECT_MSGS(e->fd, mbt_bmsg(1));
	}
}

TEST_F_TIMEOUT(vintr, kill, TIMEOUT_S)
{
	struct mbt_env *e = &self->e;

	block_kid(_metadata, e, variant->recv, MBT_NO_HANDLER);
	ASSERT_EQ(0, kill(e->kids.slot[0], SIGKILL));
	mbt_slot_killed(_metadata, &e->kids, 0);
	if (variant->recv) {
		MBT_EXPECT_COUNTS(e->fd, 0, 0, 0);
		MBT_ASSERT_INFO(e->fd, receivers_waiting, 0);
	} else {
		MBT_EXPECT_MSGS(e->fd, mbt_bmsg(0));
		MBT_ASSERT_INFO(e->fd, senders_waiting, 0);
	}
}

TEST_HARNESS_MAIN
