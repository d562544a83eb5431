// SPDX-License-Identifier: GPL-2.0
/*
 * Mapped mailboxes (MAILBOX_CREATE_MAPPED): creation and its checks, the
 * roles, the mapping (munmap, mremap, fork), the ring's empty and full
 * edges and its wrap, sleeping and waking through MAILBOX_IOC_MAP_WAIT
 * and through poll(), sequence-numbered streams between two processes,
 * the death of either side, a ring scribbled on while both sides run,
 * permissions and the creator's quota.
 *
 * The streams carry MBT_MAPPED_COUNT messages each (environment; default
 * 200000 per wait mode, 7 to 14 s each under TCG on the development
 * machine). The documented target is 10 million,
 * MBT_MAPPED_COUNT=10000000 ./mailbox_mapped: more than 10 minutes per
 * mode under TCG (a run on the loaded development machine did not finish
 * the first within 600 s), so not in `make check`.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "lib/mbt.h"

#define STREAM_DEFAULT	200000ULL
#define RING_START	0xfffff000U	/* where the kernel starts the indices */

MBT_FIXTURE(mbox, "mapped")

/* A mapped mailbox of @slots slots of @size bytes (every access). */
static int mapped_box(struct __test_metadata *_metadata, struct mbt_env *e,
		      const char **name, uint32_t slots, uint32_t size)
{
	return mbt_new_box(_metadata, e, name,
			   MBT_BOX(.flags = MAILBOX_CREATE_MAPPED,
				   .capacity = slots, .msg_size_max = size));
}

static int claim(int fd, uint32_t role)
{
	struct mailbox_map m = { .role = role };

	return mbt_ioctl(fd, MAILBOX_IOC_MAP, &m);
}

static uint32_t ring_u32(uint32_t *p)
{
	return atomic_load((_Atomic uint32_t *)p);
}

static void ring_set(uint32_t *p, uint32_t v)
{
	atomic_store((_Atomic uint32_t *)p, v);
}

TEST_F(mbox, create_checks)
{
	static const struct { uint32_t cap, delivery; } bad[] = {
		{ 0, MAILBOX_DELIVER_QUEUE }, { 1, MAILBOX_DELIVER_QUEUE },
		{ 3, MAILBOX_DELIVER_QUEUE }, { 6, MAILBOX_DELIVER_QUEUE },
		{ 4, MAILBOX_DELIVER_PRIORITY },
		{ 4, MAILBOX_DELIVER_BROADCAST },
	};
	const char *name = mbt_new_name(_metadata, &self->e);
	struct mailbox_info info;
	char proc[16384], *line;
	unsigned int i;
	int fd;

	for (i = 0; i < MBT_ARRAY_SIZE(bad); i++) {
		struct mbt_box b = MBT_BOX(.flags = MAILBOX_CREATE_MAPPED,
					   .capacity = bad[i].cap,
					   .delivery = bad[i].delivery);

		EXPECT_EQ(-EINVAL, mbt_box_create(name, &b))
			TH_LOG("capacity %u delivery %u", bad[i].cap,
			       bad[i].delivery);
	}
	EXPECT_EQ(-ENOENT, mbt_open(name, MAILBOX_ACCESS_ALL));

	fd = mapped_box(_metadata, &self->e, &name, 2, 1);
	info = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(MAILBOX_INFO_MAPPED), info.flags);
	EXPECT_EQ(2U, info.capacity);
	EXPECT_EQ(0U, info.depth);
	ASSERT_LT(0, mbt_read_file(MBT_PROC_MAILBOXES, proc, sizeof(proc)));
	line = strstr(proc, name);
	ASSERT_TRUE(line != NULL);
	*strchrnul(line, '\n') = '\0';
	EXPECT_TRUE(strstr(line, " mapped queue ") != NULL) TH_LOG("%s", line);
	close(fd);
}

/* The version bits; the layouts, the same for 32-bit callers. */
TEST_F(mbox, version_lists_map)
{
	struct mailbox_version v;

	EXPECT_EQ(48U, sizeof(struct mailbox_map));
	EXPECT_EQ(24U, offsetof(struct mailbox_map, mmap_size));
	EXPECT_EQ(32U, sizeof(struct mailbox_map_wait));
	EXPECT_EQ(8U, offsetof(struct mailbox_map_wait, deadline_ns));
	EXPECT_EQ(272U, sizeof(struct mailbox_ring));
	EXPECT_EQ(64U, offsetof(struct mailbox_ring, tail));
	EXPECT_EQ(128U, offsetof(struct mailbox_ring, consumer_waiting));
	EXPECT_EQ(192U, offsetof(struct mailbox_ring, producer_waiting));
	EXPECT_EQ(268U, offsetof(struct mailbox_ring, records_offset));
	EXPECT_EQ(8U, sizeof(struct mailbox_record));

	ASSERT_EQ(0, mbt_fresh_ioctl(MAILBOX_IOC_VERSION, &v));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_MAP)));
	EXPECT_NE(0ULL, v.ioctls & (1ULL << _IOC_NR(MAILBOX_IOC_MAP_WAIT)));
}

TEST_F(mbox, roles)
{
	const char *name;
	int a = mapped_box(_metadata, &self->e, &name, 4, 20);
	int b = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	int tx = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	int plain = MBT_SMALL_BOX(NULL);
	int unbound = mbt_dev();
	struct mailbox_map m = { .role = MAILBOX_MAP_PRODUCER };
	struct mailbox_map_wait w = { .op = MAILBOX_MAP_WAKE_CONSUMER };
	long page = sysconf(_SC_PAGESIZE);
	char buf[8];

	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, claim(unbound, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(-EOPNOTSUPP, claim(plain, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(-EOPNOTSUPP, mbt_map_wait(plain, MAILBOX_MAP_WAKE_CONSUMER,
					    0, 0));
	EXPECT_EQ(-EOPNOTSUPP, mbt_send(a, "x", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EOPNOTSUPP, mbt_recv(a, buf, sizeof(buf), MAILBOX_NONBLOCK,
					0, NULL));

	EXPECT_EQ(-EINVAL, claim(a, 0));
	EXPECT_EQ(-EINVAL, claim(a, 3));
	m.flags = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(a, MAILBOX_IOC_MAP, &m));
	m.flags = 0;
	m.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(a, MAILBOX_IOC_MAP, &m));
	m.reserved[1] = 0;
	EXPECT_EQ(-EBADF, claim(tx, MAILBOX_MAP_CONSUMER));

	/* Before any claim, a wait or wake belongs to no role. */
	EXPECT_EQ(-EBADF, mbt_ioctl(a, MAILBOX_IOC_MAP_WAIT, &w));

	ASSERT_EQ(0, mbt_ioctl(a, MAILBOX_IOC_MAP, &m));
	EXPECT_EQ(4U, m.slots);
	EXPECT_EQ(20U, m.slot_size);
	EXPECT_EQ(32U, m.record_size);
	EXPECT_EQ((uint32_t)page, m.records_offset);
	EXPECT_EQ((uint64_t)2 * page, m.mmap_size);

	EXPECT_EQ(-EBUSY, claim(a, MAILBOX_MAP_CONSUMER));
	EXPECT_EQ(-EBUSY, claim(b, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(-EBUSY, claim(tx, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(0, claim(b, MAILBOX_MAP_CONSUMER));
	EXPECT_EQ(-EBUSY, claim(b, MAILBOX_MAP_CONSUMER));
	EXPECT_TRUE(mbt_fdinfo_has(a, "map_role", "producer"));
	EXPECT_TRUE(mbt_fdinfo_has(b, "map_role", "consumer"));
	EXPECT_TRUE(mbt_fdinfo_has(tx, "map_role", "-"));
	EXPECT_FALSE(mbt_fdinfo_has(plain, "map_role", "-"));

	/* Each op on its own role's descriptor only. */
	EXPECT_EQ(0, mbt_map_wait(a, MAILBOX_MAP_WAKE_CONSUMER, 0, 0));
	EXPECT_EQ(0, mbt_map_wait(b, MAILBOX_MAP_WAKE_PRODUCER, 0, 0));
	EXPECT_EQ(-EBADF, mbt_map_wait(a, MAILBOX_MAP_WAKE_PRODUCER, 0, 0));
	EXPECT_EQ(-EBADF, mbt_map_wait(a, MAILBOX_MAP_WAIT_DATA,
				       MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, mbt_map_wait(b, MAILBOX_MAP_WAIT_SPACE,
				       MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EBADF, mbt_map_wait(tx, MAILBOX_MAP_WAKE_CONSUMER, 0, 0));
	EXPECT_EQ(-EINVAL, mbt_map_wait(a, 4, 0, 0));
	EXPECT_EQ(-EINVAL, mbt_map_wait(a, MAILBOX_MAP_WAKE_CONSUMER,
					MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EINVAL, mbt_map_wait(b, MAILBOX_MAP_WAIT_DATA,
					MAILBOX_NONBLOCK | MAILBOX_DEADLINE,
					1));
	EXPECT_EQ(-EINVAL, mbt_map_wait(b, MAILBOX_MAP_WAIT_DATA, 0x10, 0));
	w.op = MAILBOX_MAP_WAIT_DATA;
	w.flags = MAILBOX_NONBLOCK;
	w.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(b, MAILBOX_IOC_MAP_WAIT, &w));
	w.reserved[0] = 0;
	EXPECT_EQ(-EAGAIN, mbt_ioctl(b, MAILBOX_IOC_MAP_WAIT, &w));

	/* Closing a role's descriptor frees that role only. */
	close(b);
	EXPECT_EQ(-EBUSY, claim(tx, MAILBOX_MAP_PRODUCER));
	b = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	EXPECT_EQ(0, claim(b, MAILBOX_MAP_CONSUMER));
	close(b);
	close(tx);
	close(unbound);
	close(plain);
}

/* Does mmap() of @len bytes at @off of @fd fail, with @err? */
static bool map_fails(int fd, size_t len, int flags, off_t off, int err)
{
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (mem != MAP_FAILED) {
		munmap(mem, len);
		return false;
	}
	return errno == err;
}

TEST_F(mbox, mmap_rules)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 8, 64);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	int plain = MBT_SMALL_BOX(NULL);
	long page = sysconf(_SC_PAGESIZE);
	struct mbt_ring rp, rc;
	size_t size;
	void *mem;

	EXPECT_TRUE(map_fails(plain, page, MAP_SHARED, 0, ENODEV));
	EXPECT_TRUE(map_fails(p, 2 * page, MAP_SHARED, 0, EACCES));

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	size = rp.geo.mmap_size;
	EXPECT_EQ(8U, rp.ctl->slots);
	EXPECT_EQ(64U, rp.ctl->slot_size);
	EXPECT_EQ(72U, rp.ctl->record_size);
	EXPECT_EQ((uint32_t)page, rp.ctl->records_offset);
	EXPECT_EQ(RING_START, rp.ctl->head);
	EXPECT_EQ(RING_START, rp.ctl->tail);

	EXPECT_TRUE(map_fails(p, size, MAP_PRIVATE, 0, EINVAL));
	EXPECT_TRUE(map_fails(p, size - page, MAP_SHARED, 0, EINVAL));
	EXPECT_TRUE(map_fails(p, size + page, MAP_SHARED, 0, EINVAL));
	EXPECT_TRUE(map_fails(p, size - page, MAP_SHARED, page, EINVAL));

	/* It cannot grow, in place or moved. */
	EXPECT_TRUE(mremap(rp.mem, size, size + page, 0) == MAP_FAILED);
	EXPECT_TRUE(mremap(rp.mem, size, size + page, MREMAP_MAYMOVE) ==
		    MAP_FAILED);

	/* Two mappings of one ring are the same memory. */
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	EXPECT_EQ(0, mbt_ring_send(&rp, "hello", 5, MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(RING_START + 1, ring_u32(&rc.ctl->head));
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	EXPECT_EQ(RING_START + 1, ring_u32(&((struct mailbox_ring *)mem)->head));
	munmap(mem, size);

	/* Unmapping keeps the role; a new mapping sees the same ring. */
	mbt_ring_unmap(&rp);
	EXPECT_EQ(-EBUSY, claim(p, MAILBOX_MAP_PRODUCER));
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	EXPECT_EQ(RING_START + 1, ring_u32(&((struct mailbox_ring *)mem)->head));
	munmap(mem, size);
	mbt_ring_unmap(&rc);
	close(c);
	close(plain);
}

/* fork(): the child's copy of the mapping holds the role. */
TEST_F(mbox, fork_keeps_role)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 4, 16);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	int pipefd[2], status;
	struct mbt_ring rp, rc;
	char buf[16];
	pid_t pid;

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Only the mapping is left here: no descriptor. */
		close(p);
		close(c);
		close(pipefd[1]);
		if (read(pipefd[0], buf, 1) != 1)
			_exit(1);
		rp.fd = -1;
		/* Nobody sleeps: the wake-up (on fd -1) is not needed. */
		_exit(mbt_ring_send(&rp, "child", 5, MAILBOX_NONBLOCK, 0) ==
		      -EBADF ? 0 : 2);
	}
	close(pipefd[0]);
	mbt_ring_unmap(&rp);
	close(p);
	p = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);
	EXPECT_EQ(-EBUSY, claim(p, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(0, mbt_poll_now(c) & POLLHUP);

	/* The consumer flag makes the child try a wake-up: on fd -1. */
	ring_set(&rc.ctl->consumer_waiting, 1);
	ASSERT_EQ(1, write(pipefd[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ring_set(&rc.ctl->consumer_waiting, 0);
	EXPECT_EQ(5, mbt_ring_recv(&rc, buf, sizeof(buf), MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(0, memcmp(buf, "child", 5));

	/* The child's exit gave the role up. */
	EXPECT_EQ(POLLHUP, mbt_poll_now(c) & (POLLHUP | POLLIN));
	EXPECT_EQ(-EPIPE, mbt_ring_recv(&rc, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(0, claim(p, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(0, mbt_poll_now(c) & POLLHUP);
	EXPECT_EQ(-EAGAIN, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					MAILBOX_NONBLOCK, 0));
	mbt_ring_unmap(&rc);
	close(pipefd[1]);
	close(p);
	close(c);
}

/* Empty and full, deadlines, the flags, the wrap of the indices. */
TEST_F(mbox, edges_and_wrap)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 4, 16);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rp, rc;
	struct mailbox_info info;
	uint32_t i, seq, got;
	uint64_t t0;
	char buf[16];

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	EXPECT_EQ(POLLOUT, mbt_poll_now(p));
	EXPECT_EQ(0, mbt_poll_now(c));

	/* Empty. */
	EXPECT_EQ(-EAGAIN, mbt_ring_recv(&rc, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(0U, rc.ctl->consumer_waiting);
	ring_set(&rc.ctl->consumer_waiting, 1);
	t0 = mbt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					   MAILBOX_DEADLINE,
					   mbt_deadline_ms(50)));
	EXPECT_LE(50ULL, mbt_elapsed_ms(t0));
	/* The kernel cleared the flag on its way out. */
	EXPECT_EQ(0U, rc.ctl->consumer_waiting);
	EXPECT_EQ(-ETIMEDOUT, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					   MAILBOX_DEADLINE, 1));

	/* Full. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, mbt_ring_send(&rp, &i, sizeof(i),
					   MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EAGAIN, mbt_ring_send(&rp, &i, sizeof(i),
					 MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-ETIMEDOUT, mbt_ring_send(&rp, &i, sizeof(i),
					    MAILBOX_DEADLINE,
					    mbt_deadline_ms(20)));
	EXPECT_EQ(0U, rp.ctl->producer_waiting);
	EXPECT_EQ(-EMSGSIZE, mbt_ring_send(&rp, buf, 17, MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(0, mbt_poll_now(p));
	EXPECT_EQ(POLLIN, mbt_poll_now(c));
	info = mbt_info(_metadata, c);
	EXPECT_EQ(4U, info.depth);
	EXPECT_EQ(4ULL, info.sent);
	EXPECT_EQ(0ULL, info.received);
	EXPECT_EQ(0ULL, info.bytes);

	EXPECT_EQ(4, mbt_ring_recv(&rc, &got, sizeof(got), 0, 0));
	EXPECT_EQ(0U, got);
	EXPECT_EQ(POLLOUT, mbt_poll_now(p));
	for (i = 1; i < 4; i++) {
		EXPECT_EQ(4, mbt_ring_recv(&rc, &got, sizeof(got), 0, 0));
		EXPECT_EQ(i, got);
	}
	EXPECT_EQ(0, mbt_poll_now(c));

	/* Past the wrap, in steps of every size. */
	for (seq = 0; seq < 10000; seq += i) {
		uint32_t n = 1 + seq % 4;

		for (i = 0; i < n; i++) {
			uint32_t v = seq + i;

			ASSERT_EQ(0, mbt_ring_send(&rp, &v, sizeof(v),
						   MAILBOX_NONBLOCK, 0));
		}
		for (i = 0; i < n; i++) {
			ASSERT_EQ(4, mbt_ring_recv(&rc, &got, sizeof(got),
						   MAILBOX_NONBLOCK, 0));
			ASSERT_EQ(seq + i, got);
		}
	}
	EXPECT_GT(RING_START, ring_u32(&rc.ctl->head)) TH_LOG("no wrap");
	EXPECT_EQ(ring_u32(&rc.ctl->head), ring_u32(&rc.ctl->tail));
	info = mbt_info(_metadata, c);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(info.sent, info.received);
	EXPECT_EQ((uint64_t)(uint32_t)(ring_u32(&rc.ctl->head) - RING_START),
		  info.sent);
	mbt_ring_unmap(&rp);
	mbt_ring_unmap(&rc);
	close(c);
}

/* A sleeper is woken by the other side's wake-up, for both waits. */
TEST_F(mbox, sleep_and_wake)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 2, 8);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rp, rc;
	struct mailbox_info info;
	uint64_t v = 7, got;
	pid_t pid;
	int status;

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Sleeps for data, then for space. */
		mbt_sleep_ms(MBT_SLEEP_MS);
		if (mbt_ring_send(&rp, &v, 8, 0, 0))
			_exit(1);
		mbt_sleep_ms(MBT_SLEEP_MS);
		if (mbt_ring_send(&rp, &v, 8, 0, 0) ||
		    mbt_ring_send(&rp, &v, 8, 0, 0) ||
		    mbt_ring_send(&rp, &v, 8, MAILBOX_DEADLINE,
				  mbt_deadline_ms(MBT_BLOCK_MS)))
			_exit(2);
		_exit(0);
	}
	EXPECT_EQ(8, mbt_ring_recv(&rc, &got, 8, MAILBOX_DEADLINE,
				   mbt_deadline_ms(MBT_BLOCK_MS)));
	EXPECT_EQ(0, mbt_wait_info(c, offsetof(struct mailbox_info, depth),
				   4, 2, MBT_SLACK_MS));
	mbt_sleep_ms(MBT_SLEEP_MS);
	EXPECT_EQ(8, mbt_ring_recv(&rc, &got, 8, 0, 0));
	EXPECT_EQ(8, mbt_ring_recv(&rc, &got, 8, 0, 0));
	EXPECT_EQ(8, mbt_ring_recv(&rc, &got, 8, 0, 0));
	EXPECT_EQ(7U, got);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	info = mbt_info(_metadata, c);
	EXPECT_LE(1ULL, info.recv_blocked);
	EXPECT_LE(1ULL, info.send_blocked);
	EXPECT_EQ(4ULL, info.received);
	mbt_ring_unmap(&rp);
	mbt_ring_unmap(&rc);
	close(c);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * A signal to a consumer asleep in MAILBOX_MAP_WAIT_DATA: -EINTR without
 * SA_RESTART; with it the wait goes on and a later wake-up ends it.
 */
static void wait_signalled(struct __test_metadata *_metadata,
			   struct mbt_env *e, bool restart)
{
	const char *name;
	int p = mapped_box(_metadata, e, &name, 4, 8);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rp, rc;
	int status;
	pid_t pid;

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret;

		if (mbt_install_handler(on_usr1, restart))
			_exit(2);
		ring_set(&rc.ctl->consumer_waiting, 1);
		ret = mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA, MAILBOX_DEADLINE,
				   mbt_deadline_ms(MBT_BLOCK_MS));
		_exit(ret == (restart ? 0 : -EINTR) ? 0 : 1);
	}
	ASSERT_EQ(0, MBT_WAIT_INFO(c, recv_blocked, 1, MBT_SLACK_MS));
	mbt_sleep_ms(MBT_SETTLE_MS);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	if (restart) {
		mbt_sleep_ms(MBT_SLEEP_MS);
		EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
		/* The restarted wait announced itself again. */
		EXPECT_EQ(1U, ring_u32(&rc.ctl->consumer_waiting));
		EXPECT_EQ(0, mbt_ring_send(&rp, "x", 1, 0, 0));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("status 0x%x", status);
	EXPECT_EQ(0U, ring_u32(&rc.ctl->consumer_waiting));
	mbt_ring_unmap(&rp);
	mbt_ring_unmap(&rc);
	close(c);
}

TEST_F(mbox, wait_interrupted)
{
	wait_signalled(_metadata, &self->e, false);
}

TEST_F(mbox, wait_restarted)
{
	wait_signalled(_metadata, &self->e, true);
}

/* ---- two processes streaming numbered messages ------------------------ */

struct stream {
	char name[MAILBOX_NAME_LEN];
	uint64_t count;		/* messages to send; ~0: until killed */
	bool poll;		/* both sides wait in poll() */
	int producer_ret, consumer_ret;
	uint64_t received;	/* in order, checked */
	uint64_t bad_at;	/* the first out of order, or ~0 */
};

/* Message @i: its number, then bytes derived from it, 8 to 64 bytes. */
static uint32_t msg_make(char *buf, uint64_t i)
{
	uint32_t len = 8 + (uint32_t)(i % 57), k;

	memcpy(buf, &i, 8);
	for (k = 8; k < len; k++)
		buf[k] = (char)(i + k);
	return len;
}

static bool msg_check(const char *buf, int len, uint64_t i)
{
	char want[64];

	return len == (int)msg_make(want, i) && !memcmp(buf, want, len);
}

static int stream_producer(void *arg)
{
	struct stream *s = arg;
	int fd = mbt_open(s->name, MAILBOX_ACCESS_SEND);
	struct mbt_ring r;
	char buf[64];
	uint64_t i;
	int ret;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_ring_map(&r, fd, MAILBOX_MAP_PRODUCER));
	r.poll = s->poll;
	for (i = 0; i < s->count; i++) {
		ret = mbt_ring_send(&r, buf, msg_make(buf, i), 0, 0);
		if (ret) {
			s->producer_ret = ret;
			return 1;
		}
	}
	return 0;
}

static int stream_consumer(void *arg)
{
	struct stream *s = arg;
	int fd = mbt_open(s->name, MAILBOX_ACCESS_RECV);
	struct mbt_ring r;
	char buf[64];
	uint64_t i;
	int ret;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_ring_map(&r, fd, MAILBOX_MAP_CONSUMER));
	r.poll = s->poll;
	for (i = 0; i < s->count; i++) {
		ret = mbt_ring_recv(&r, buf, sizeof(buf), 0, 0);
		if (ret < 0) {
			s->consumer_ret = ret;
			return 1;
		}
		if (!msg_check(buf, ret, i)) {
			s->bad_at = i;
			return 2;
		}
		s->received = i + 1;
	}
	return 0;
}

static uint64_t stream_count(void)
{
	const char *env = getenv("MBT_MAPPED_COUNT");

	return env ? strtoull(env, NULL, 0) : STREAM_DEFAULT;
}

static void stream(struct __test_metadata *_metadata, struct mbt_env *e,
		   bool use_poll)
{
	struct stream *s = mbt_shared(sizeof(*s));
	const char *name;
	int fd = mapped_box(_metadata, e, &name, 64, 64);
	struct mailbox_info info;
	pid_t prod, cons;
	int status;
	uint64_t t0;

	ASSERT_TRUE(s != NULL);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->count = stream_count();
	s->poll = use_poll;
	s->bad_at = ~0ULL;
	t0 = mbt_now_ns();
	cons = mbt_spawn(&e->kids, stream_consumer, s);
	prod = mbt_spawn(&e->kids, stream_producer, s);
	ASSERT_LT(0, cons);
	ASSERT_LT(0, prod);
	/* Under TCG, about 60 us a message: give 10 million 20 minutes. */
	ASSERT_EQ(0, mbt_reap(&e->kids, prod, &status,
			      60000 + (long)(s->count / 8)));
	EXPECT_EQ(0, status) TH_LOG("producer: %s", strerror(-s->producer_ret));
	ASSERT_EQ(0, mbt_reap(&e->kids, cons, &status, MBT_SLACK_MS));
	EXPECT_EQ(0, status) TH_LOG("consumer: %s, bad at %llu",
				    strerror(-s->consumer_ret),
				    (unsigned long long)s->bad_at);
	EXPECT_EQ(s->count, s->received);
	ksft_print_msg("%llu messages (%s) in %llu ms\n",
		       (unsigned long long)s->count,
		       use_poll ? "poll" : "sleep/wake",
		       (unsigned long long)mbt_elapsed_ms(t0));
	info = mbt_info(_metadata, fd);
	EXPECT_EQ(s->count, info.sent);
	EXPECT_EQ(s->count, info.received);
	EXPECT_EQ(0U, info.depth);
	munmap(s, sizeof(*s));
}

/* 10 million messages take minutes under TCG: past the default 30 s. */
TEST_F_TIMEOUT(mbox, stream_sleep_wake, 1800)
{
	stream(_metadata, &self->e, false);
}

TEST_F_TIMEOUT(mbox, stream_poll, 1800)
{
	stream(_metadata, &self->e, true);
}

/* SIGKILL of the producer mid-stream: the consumer drains, then -EPIPE. */
TEST_F(mbox, producer_killed)
{
	struct stream *s = mbt_shared(sizeof(*s));
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 16, 64);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rc;
	uint64_t i = 0;
	char buf[64];
	pid_t prod;
	int ret, status;

	ASSERT_TRUE(s != NULL);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->count = ~0ULL;
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	prod = mbt_spawn(&self->e.kids, stream_producer, s);
	ASSERT_LT(0, prod);
	for (; i < 1000; i++) {
		ret = mbt_ring_recv(&rc, buf, sizeof(buf), MAILBOX_DEADLINE,
				    mbt_deadline_ms(MBT_BLOCK_MS));
		ASSERT_TRUE(msg_check(buf, ret, i)) TH_LOG("%d at %llu", ret,
						(unsigned long long)i);
	}
	/* Let it fill the ring (and sleep), then kill it. */
	ASSERT_EQ(0, MBT_WAIT_INFO(c, depth, 16, MBT_SLACK_MS));
	kill(prod, SIGKILL);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, prod, &status, MBT_SLACK_MS));
	EXPECT_TRUE(WIFSIGNALED(status));
	for (;; i++) {
		ret = mbt_ring_recv(&rc, buf, sizeof(buf), MAILBOX_DEADLINE,
				    mbt_deadline_ms(MBT_BLOCK_MS));
		if (ret < 0)
			break;
		ASSERT_TRUE(msg_check(buf, ret, i));
	}
	EXPECT_EQ(-EPIPE, ret);
	EXPECT_LE(1016ULL, i);
	EXPECT_EQ(-EPIPE, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
				       MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(POLLHUP, mbt_poll_now(c));

	/* Another producer takes over where it stopped. */
	EXPECT_EQ(0, claim(p, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(0, mbt_poll_now(c));
	EXPECT_EQ(-EAGAIN, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					MAILBOX_NONBLOCK, 0));
	mbt_ring_unmap(&rc);
	close(c);
	munmap(s, sizeof(*s));
}

static int consumer_dies(void *arg)
{
	int fd = mbt_open(arg, MAILBOX_ACCESS_RECV);
	struct mbt_ring r;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_ring_map(&r, fd, MAILBOX_MAP_CONSUMER));
	mbt_sleep_ms(MBT_SLEEP_MS);
	kill(getpid(), SIGKILL);
	return 1;
}

/* SIGKILL of the consumer: the producer asleep on a full ring, -EPIPE. */
TEST_F(mbox, consumer_killed)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 4, 8);
	struct mbt_ring rp;
	uint32_t i;
	pid_t cons;
	int status;

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	cons = mbt_spawn(&self->e.kids, consumer_dies, (void *)name);
	ASSERT_LT(0, cons);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, mbt_ring_send(&rp, &i, 4, MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EPIPE, mbt_ring_send(&rp, &i, 4, MAILBOX_DEADLINE,
					mbt_deadline_ms(MBT_BLOCK_MS)));
	ASSERT_EQ(0, mbt_reap(&self->e.kids, cons, &status, MBT_SLACK_MS));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(POLLHUP, mbt_poll_now(p));
	mbt_ring_unmap(&rp);
}

/* Impossible indices: -EUCLEAN and EPOLLERR, and nothing else breaks. */
TEST_F(mbox, corrupt_indices)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 8, 8);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rp, rc;
	struct mailbox_info info;
	uint32_t h;
	char buf[8];

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	ASSERT_EQ(0, mbt_ring_send(&rp, "ab", 2, 0, 0));
	info = mbt_info(_metadata, c);
	EXPECT_EQ(1U, info.depth);
	h = ring_u32(&rp.ctl->head);

	/* More than the ring holds. */
	ring_set(&rp.ctl->head, h + 8);
	EXPECT_EQ(-EUCLEAN, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					 MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(-EUCLEAN, mbt_map_wait(p, MAILBOX_MAP_WAIT_SPACE,
					 MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(POLLERR, mbt_poll_now(c));
	EXPECT_EQ(POLLERR, mbt_poll_now(p));
	EXPECT_EQ(-EUCLEAN, mbt_ring_recv(&rc, buf, sizeof(buf), 0, 0));
	info = mbt_info(_metadata, c);
	EXPECT_EQ(1U, info.depth);
	EXPECT_EQ(1ULL, info.sent);

	/* Back to sense. */
	ring_set(&rp.ctl->head, h);
	EXPECT_EQ(0, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA, MAILBOX_NONBLOCK, 0));

	/* A tail past the head. */
	ring_set(&rp.ctl->tail, h + 1);
	EXPECT_EQ(-EUCLEAN, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA,
					 MAILBOX_NONBLOCK, 0));
	ring_set(&rp.ctl->tail, h - 1);

	/* A record longer than its slot: the consumer's check. */
	((struct mailbox_record *)rc.records)[0].len = 9;
	memset(rc.records, 0xff, 4 * rc.geo.record_size);
	EXPECT_EQ(-EBADMSG, mbt_ring_recv(&rc, buf, sizeof(buf), 0, 0));
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), mbt_info(_metadata, c).state);
	mbt_ring_unmap(&rp);
	mbt_ring_unmap(&rc);
	close(c);
}

/*
 * Both indices moved on by more than 2^31 between two looks of the kernel
 * (a stream that never waits): still a valid ring, counted modulo 2^32.
 */
TEST_F(mbox, far_without_the_kernel)
{
	const char *name;
	int p = mapped_box(_metadata, &self->e, &name, 4, 8);
	int c = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	struct mbt_ring rp, rc;
	struct mailbox_info info;
	uint32_t far = RING_START + 0x90000000U;
	char buf[8];

	ASSERT_EQ(0, mbt_ring_map(&rp, p, MAILBOX_MAP_PRODUCER));
	ASSERT_EQ(0, mbt_ring_map(&rc, c, MAILBOX_MAP_CONSUMER));
	EXPECT_EQ(0U, mbt_info(_metadata, c).sent);
	ring_set(&rp.ctl->head, far + 1);
	ring_set(&rp.ctl->tail, far);
	EXPECT_EQ(0, mbt_map_wait(c, MAILBOX_MAP_WAIT_DATA, MAILBOX_NONBLOCK, 0));
	EXPECT_EQ(0, mbt_map_wait(p, MAILBOX_MAP_WAIT_SPACE, MAILBOX_NONBLOCK,
				  0));
	EXPECT_EQ(POLLIN, mbt_poll_now(c));
	info = mbt_info(_metadata, c);
	EXPECT_EQ(1U, info.depth);
	EXPECT_EQ(0x90000001ULL, info.sent);
	EXPECT_EQ(0x90000000ULL, info.received);
	ring_set(&rp.ctl->tail, far + 1);
	EXPECT_EQ(-EAGAIN, mbt_ring_recv(&rc, buf, sizeof(buf),
					 MAILBOX_NONBLOCK, 0));
	mbt_ring_unmap(&rp);
	mbt_ring_unmap(&rc);
	close(c);
}

/* A third process scribbles over the ring while both sides stream. */
struct hostile {
	struct stream s;
	struct mbt_ring r;	/* the producer's, which the scribbler shares */
	uint32_t seed;
	long ms;		/* the scribbler's time */
	uint64_t stop_ns;	/* both sides stop by then, error or not */
};

static int scribbler(void *arg)
{
	struct hostile *h = arg;
	uint32_t *words = h->r.mem;
	size_t n = h->r.geo.mmap_size / 4;
	uint64_t end = mbt_now_ns() + h->ms * MBT_MS;
	uint32_t x = h->seed;

	while (mbt_now_ns() < end) {
		uint32_t i, v;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		v = x;
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		/* Mostly the indices and flags, sometimes anywhere. */
		i = x % 8 < 6 ? (x >> 3) % 4 * 16 : (x >> 3) % n;
		if (v & 1)
			v = (uint32_t)(ring_u32(&words[i]) + (int8_t)(v >> 8));
		ring_set(&words[i], v);
	}
	return 0;
}

static int hostile_producer(void *arg)
{
	struct hostile *h = arg;
	int fd = mbt_open(h->s.name, MAILBOX_ACCESS_SEND);
	char buf[64];
	uint64_t i;
	int ret;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_ring_map(&h->r, fd, MAILBOX_MAP_PRODUCER));
	/* The scribbler inherits the mapping. */
	MBT_CHILD_CHECK(mbt_spawn(&(struct mbt_kids){ 0 }, scribbler, h) > 0);
	for (i = 0; mbt_now_ns() < h->stop_ns; i++) {
		ret = mbt_ring_send(&h->r, buf, msg_make(buf, i),
				    MAILBOX_DEADLINE, mbt_deadline_ms(500));
		if (ret) {
			h->s.producer_ret = ret;
			return 0;
		}
	}
	return 0;
}

static int hostile_consumer(void *arg)
{
	struct hostile *h = arg;
	int fd = mbt_open(h->s.name, MAILBOX_ACCESS_RECV);
	struct mbt_ring r;
	char buf[64];
	int ret;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(!mbt_ring_map(&r, fd, MAILBOX_MAP_CONSUMER));
	while (mbt_now_ns() < h->stop_ns) {
		ret = mbt_ring_recv(&r, buf, sizeof(buf), MAILBOX_DEADLINE,
				    mbt_deadline_ms(500));
		if (ret < 0) {
			h->s.consumer_ret = ret;
			return 0;
		}
		h->s.received++;
	}
	return 0;
}

/* What a side may end with: an error the ring explains, or none. */
static bool hostile_errno(int err)
{
	return !err || err == -EUCLEAN || err == -EBADMSG || err == -EPIPE ||
	       err == -ETIMEDOUT || err == -EMSGSIZE;
}

TEST_F(mbox, hostile_ring)
{
	int round;

	for (round = 0; round < 8; round++) {
		struct hostile *h = mbt_shared(sizeof(*h));
		const char *name;
		int fd = mapped_box(_metadata, &self->e, &name, 8, 64);
		struct mbt_state st;
		pid_t prod, cons;
		int status;

		ASSERT_TRUE(h != NULL);
		snprintf(h->s.name, sizeof(h->s.name), "%s", name);
		h->seed = 0x9e3779b9U * (round + 1);
		h->ms = 200;
		h->stop_ns = mbt_now_ns() + 2000 * MBT_MS;
		cons = mbt_spawn(&self->e.kids, hostile_consumer, h);
		prod = mbt_spawn(&self->e.kids, hostile_producer, h);
		ASSERT_LT(0, cons);
		ASSERT_LT(0, prod);
		ASSERT_EQ(0, mbt_reap(&self->e.kids, prod, &status,
				      MBT_SLACK_MS * 3));
		EXPECT_EQ(0, status);
		EXPECT_TRUE(hostile_errno(h->s.producer_ret))
			TH_LOG("producer: %d", h->s.producer_ret);
		ASSERT_EQ(0, mbt_reap(&self->e.kids, cons, &status,
				      MBT_SLACK_MS * 3));
		EXPECT_EQ(0, status);
		EXPECT_TRUE(hostile_errno(h->s.consumer_ret))
			TH_LOG("consumer: %d", h->s.consumer_ret);
		/* The kernel's view stays readable and bounded. */
		ASSERT_EQ(0, mbt_state(name, &st));
		EXPECT_TRUE(st.mapped);
		EXPECT_GE(8U, st.depth);
		EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), st.state);
		ASSERT_EQ(0, mbt_unlink(name));
		close(fd);
		if (fd == self->e.fd)
			self->e.fd = -1;
		munmap(h, sizeof(*h));
	}
}

static int perms_as_nobody(struct __test_metadata *_metadata, void *arg)
{
	const char *name = arg;
	struct mbt_box b = MBT_BOX(.flags = MAILBOX_CREATE_MAPPED | MAILBOX_CREATE_EXCL,
				   .mode = 0400, .capacity = 4);
	int fd = mbt_box_create(name, &b), rx;

	if (fd < 0)
		return fd;
	EXPECT_EQ(-EACCES, mbt_open(name, MAILBOX_ACCESS_SEND));
	rx = mbt_open(name, MAILBOX_ACCESS_RECV);
	EXPECT_LE(0, rx);
	EXPECT_EQ(-EBADF, claim(rx, MAILBOX_MAP_PRODUCER));
	EXPECT_EQ(0, claim(rx, MAILBOX_MAP_CONSUMER));
	/* The creator got every access whatever the mode. */
	EXPECT_EQ(0, claim(fd, MAILBOX_MAP_PRODUCER));
	close(rx);
	close(fd);
	return 0;
}

/* The mode bits decide who may open, and so who may claim a role. */
TEST_F(mbox, permissions)
{
	const char *name = mbt_new_name(_metadata, &self->e);

	MBT_REQUIRE_ROOT();
	EXPECT_EQ(0, mbt_run_as(_metadata, MBT_NOBODY, MBT_NOBODY,
				perms_as_nobody, (void *)name));
}

/* The ring is charged to its creator's user_bytes_max while it lives. */
TEST_F(mbox, quota)
{
	static char big_msg[16384];
	const char *name, *name2 = mbt_new_name(_metadata, &self->e);
	long page = sysconf(_SC_PAGESIZE);
	/* 8 slots of 4096 bytes: a page and 8 * 4104 bytes, 10 pages. */
	struct mbt_box big = MBT_BOX(.flags = MAILBOX_CREATE_MAPPED,
				     .capacity = 8, .msg_size_max = 4096);
	int plain = mbt_new_box(_metadata, &self->e, NULL,
				MBT_BOX(.msg_size_max = sizeof(big_msg)));
	int fd, fd2;

	if (page != 4096)
		SKIP(return, "figures for 4 KiB pages");
	/* 16 pages: the ring (10), then one message of 8 KiB at most. */
	MBT_PARAM_SET(&self->e, "user_bytes_max", 16 * 4096);
	fd = mbt_new_box(_metadata, &self->e, &name, big);
	/* A 16 KiB message costs 32 KiB: too much beside the ring. */
	EXPECT_EQ(-ENOBUFS, mbt_send(plain, big_msg, sizeof(big_msg),
				     MAILBOX_NONBLOCK, 0, NULL));
	/* 4000 bytes cost 8 KiB. */
	EXPECT_EQ(0, mbt_send(plain, big_msg, 4000, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_EQ(-ENOBUFS, mbt_box_create(name2, &big));
	EXPECT_EQ(-ENOENT, mbt_open(name2, MAILBOX_ACCESS_ALL));
	/* Freed, and uncharged, with the mailbox. */
	ASSERT_EQ(0, mbt_unlink(name));
	close(fd);
	if (fd == self->e.fd)
		self->e.fd = -1;
	fd2 = mbt_box_create(name2, &big);
	EXPECT_LE(0, fd2);
	close(fd2);
	ASSERT_EQ(0, mbt_unlink(name2));
	EXPECT_EQ(4000, mbt_recv(plain, big_msg, sizeof(big_msg),
				 MAILBOX_NONBLOCK, 0, NULL));
}

TEST_HARNESS_MAIN
