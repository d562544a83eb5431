// SPDX-License-Identifier: GPL-2.0
/*
 * MAILBOX_IOC_NOTIFY (since 1.5), mq_notify() on a mailbox: one
 * registration per mailbox, its owner process, when it fires (a message
 * queued into the empty mailbox with no receiver asleep) and what it
 * delivers (a signal with SI_MESGQ, nothing, or EPOLLPRI on the
 * registering descriptor), when it goes (fired, removed by its owner,
 * any of the owner's descriptors of the mailbox closed, the owner gone,
 * the mailbox destroyed), and the errors.
 *
 * A signal is sent by the send call itself, so it is pending when the
 * send returns: the tests look with sigpending(), without waiting.
 */
#define _GNU_SOURCE

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "lib/mbt.h"

MBT_FIXTURE(mbox, "ntf")

_Static_assert(sizeof(struct mailbox_notify) == 40, "mailbox_notify");

#define PTR(p)	((uint64_t)(uintptr_t)(p))

static int notify(int fd, uint32_t kind, uint32_t signo, uint64_t value)
{
	struct mailbox_notify n = { .kind = kind, .signo = signo,
				    .value = value };

	return mbt_ioctl(fd, MAILBOX_IOC_NOTIFY, &n);
}

/* Block SIGUSR1 and discard any pending one. */
static void sig_setup(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/* Take a pending SIGUSR1 into @si: true if there was one. */
static bool sig_take(siginfo_t *si)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigtimedwait(&set, si, &zero) == SIGUSR1;
}

static bool sig_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGUSR1);
}

/* Send from a child process: the signal names it. */
static int send_child(void *arg)
{
	return mbt_send(*(int *)arg, "c", 1, MAILBOX_NONBLOCK, 0, NULL) ? 1 : 0;
}

TEST_F(mbox, version_bit)
{
	struct mailbox_version v;

	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, mbt_fresh_ioctl(MAILBOX_IOC_VERSION, &v));
	EXPECT_TRUE(v.ioctls & (1ULL << 0x17));
	EXPECT_EQ(0x17, _IOC_NR(MAILBOX_IOC_NOTIFY));
}

/*
 * The signal: SI_MESGQ, the sender's pid and uid, the value; sent once,
 * for the message that made the mailbox non-empty, then removed.
 */
TEST_F(mbox, signal_fires_once)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	siginfo_t si;
	pid_t pid;
	int status;

	sig_setup();
	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0x5a5a1234));
	pid = mbt_spawn(&self->e.kids, send_child, &fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_TRUE(sig_take(&si));
	EXPECT_EQ(SIGUSR1, si.si_signo);
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(pid, si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);
	EXPECT_EQ(0x5a5a1234, si.si_value.sival_int);
	/* Fired: removed. Empty again, a send fires nothing. */
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_FALSE(sig_pending());
	EXPECT_TRUE(mbt_recv_is(fd, 0, "c", 0, NULL));
	EXPECT_TRUE(mbt_recv_is(fd, 0, "a", 0, NULL));
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_FALSE(sig_pending());
	/* And it may be made again. */
	EXPECT_TRUE(mbt_recv_is(fd, 0, "a", 0, NULL));
	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 7));
	EXPECT_EQ(0, mbt_send(fd, "b", 1, MAILBOX_NONBLOCK, 0, NULL));
	ASSERT_TRUE(sig_take(&si));
	EXPECT_EQ(getpid(), si.si_pid);
	EXPECT_EQ(7, si.si_value.sival_int);
}

/* Only into an EMPTY mailbox: a send onto a queued message fires nothing. */
TEST_F(mbox, not_when_not_empty)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	siginfo_t si;

	sig_setup();
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0));
	EXPECT_EQ(0, mbt_send(fd, "b", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_FALSE(sig_pending());
	/* Still registered: the next send into the empty mailbox fires. */
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0));
	EXPECT_TRUE(mbt_recv_is(fd, 0, "a", 0, NULL));
	EXPECT_TRUE(mbt_recv_is(fd, 0, "b", 0, NULL));
	EXPECT_EQ(0, mbt_send(fd, "c", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_TRUE(sig_take(&si));
}

struct receiver {
	int fd;
	int ret;
};

static void *recv_thread(void *arg)
{
	struct receiver *r = arg;
	char buf[64];

	r->ret = mbt_recv(r->fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			  mbt_deadline_ms(MBT_BLOCK_MS), NULL);
	return NULL;
}

/* A message handed to a sleeping receiver fires nothing. */
TEST_F(mbox, not_when_receiver_sleeps)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	struct receiver r = { .fd = fd };
	siginfo_t si;
	pthread_t t;

	sig_setup();
	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, recv_thread, &r));
	ASSERT_EQ(0, mbt_wait_waiters(fd, 1, 0, MBT_SLACK_MS));
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(1, r.ret);
	EXPECT_FALSE(sig_pending());
	/* Still registered. */
	EXPECT_EQ(0, mbt_send(fd, "b", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_TRUE(sig_take(&si));
}

static int notify_child(void *arg)
{
	int *a = arg;

	return notify(a[0], a[1], a[1] == MAILBOX_NOTIFY_SIGNAL ? SIGUSR1 : 0,
		      0) + 100;
}

/* One registration: -EBUSY for anyone else, owner included. */
TEST_F(mbox, one_registration)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	int args[2] = { fd, MAILBOX_NOTIFY_NONE };
	pid_t pid;
	int status;

	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0));
	pid = mbt_spawn(&self->e.kids, notify_child, args);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	EXPECT_EQ(100 - EBUSY, WEXITSTATUS(status));
	/* Another process's REMOVE changes nothing (and returns 0). */
	args[1] = MAILBOX_NOTIFY_REMOVE;
	pid = mbt_spawn(&self->e.kids, notify_child, args);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	EXPECT_EQ(100, WEXITSTATUS(status));
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	/* The owner's does; a second one finds none, and succeeds. */
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_REMOVE, 0, 0));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_REMOVE, 0, 0));
	/* Now the child may register; it exits: its registration goes. */
	args[1] = MAILBOX_NOTIFY_SIGNAL;
	pid = mbt_spawn(&self->e.kids, notify_child, args);
	ASSERT_EQ(0, mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS));
	EXPECT_EQ(100, WEXITSTATUS(status));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
}

/*
 * NONE: fires silently and is removed. And any descriptor may register,
 * whatever its access.
 */
TEST_F(mbox, none_fires_silently)
{
	const char *name;
	int fd = MBT_MAKE_BOX(&name, 0, 0600, 8, 64);
	int snd = mbt_open_box(_metadata, name, MAILBOX_ACCESS_SEND, 0);

	sig_setup();
	ASSERT_EQ(0, notify(snd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(0, mbt_send(snd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_FALSE(sig_pending());
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	close(snd);
}

/*
 * Closing any of the owner's descriptors of the mailbox removes it (the
 * one registered through or another); closing one of another mailbox
 * does not.
 */
TEST_F(mbox, close_removes)
{
	const char *name;
	int fd = MBT_MAKE_BOX(&name, 0, 0600, 8, 64);
	int other = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	int fd2 = mbt_open_box(_metadata, name, MAILBOX_ACCESS_RECV, 0);
	int dup2fd;

	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	close(other);
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	close(fd2);
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	/* A dup() closed is a close too (as mqueue's flush). */
	dup2fd = dup(fd);
	ASSERT_LE(0, dup2fd);
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	close(dup2fd);
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0));
}

/* Of a child that registers with _SIGNAL and is killed. */
static int register_and_hang(void *arg)
{
	int fd = *(int *)arg;

	if (notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0))
		return 1;
	pause();
	return 0;
}

/* An owner killed leaves nothing behind: the next registration works. */
TEST_F(mbox, owner_killed)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	pid_t pid;
	int status, i;

	pid = mbt_spawn(&self->e.kids, register_and_hang, &fd);
	ASSERT_LT(0, pid);
	for (i = 0; i < 200 && notify(fd, MAILBOX_NOTIFY_NONE, 0, 0) == 0; i++) {
		/* Not yet registered by the child: take ours back. */
		notify(fd, MAILBOX_NOTIFY_REMOVE, 0, 0);
		mbt_sleep_ms(10);
	}
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	kill(pid, SIGKILL);
	mbt_reap(&self->e.kids, pid, &status, MBT_SLACK_MS);
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
}

struct poller {
	int fd;
	int ret;
	short revents;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLPRI };

	p->ret = poll(&pfd, 1, MBT_BLOCK_MS);
	p->revents = pfd.revents;
	return NULL;
}

/*
 * POLL: the registering descriptor reports POLLPRI once it fired (a
 * sleeping poll() is woken), until TAKE clears it; other descriptors of
 * the mailbox do not.
 */
TEST_F(mbox, poll_mark)
{
	const char *name;
	int fd = MBT_MAKE_BOX(&name, 0, 0600, 8, 64);
	int fd2 = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLPRI | POLLIN };
	struct poller p = { .fd = fd };
	pthread_t t;

	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_POLL, 0, 0));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_TAKE, 0, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, poll_thread, &p));
	mbt_sleep_ms(MBT_SETTLE_MS);
	EXPECT_EQ(0, mbt_send(fd2, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(1, p.ret);
	EXPECT_EQ(POLLPRI, p.revents);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLPRI | POLLIN, pfd.revents);
	pfd.fd = fd2;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	pfd.fd = fd;
	/* TAKE on another descriptor finds nothing; on this one, 1 once. */
	EXPECT_EQ(0, notify(fd2, MAILBOX_NOTIFY_TAKE, 0, 0));
	EXPECT_EQ(1, notify(fd, MAILBOX_NOTIFY_TAKE, 0, 0));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_TAKE, 0, 0));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN, pfd.revents);
	/* Fired, so removed: another may register. */
	EXPECT_EQ(0, notify(fd2, MAILBOX_NOTIFY_POLL, 0, 0));
	close(fd2);
}

/* A vectored send into the empty mailbox fires too, once. */
TEST_F(mbox, sendv_fires)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	struct mailbox_vec_entry e[3] = {
		{ .buf = PTR("a"), .len = 1 }, { .buf = PTR("b"), .len = 1 },
		{ .buf = PTR("c"), .len = 1 },
	};
	struct mailbox_vec v = { .vec = PTR(e), .count = 3 };
	siginfo_t si;

	sig_setup();
	ASSERT_EQ(0, notify(fd, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 3));
	EXPECT_EQ(3, mbt_ioctl(fd, MAILBOX_IOC_SENDV, &v));
	ASSERT_TRUE(sig_take(&si));
	EXPECT_EQ(3, si.si_value.sival_int);
	EXPECT_FALSE(sig_pending());
}

/* The errors, and the mailboxes that take none. */
TEST_F(mbox, errors)
{
	int fd = MBT_MAKE_BOX(NULL, 0, 0600, 8, 64);
	struct mailbox_notify n;
	int unbound = mbt_dev(), b, d, owned, fd2;
	const char *name;
	int i;

	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, notify(unbound, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_NOTIFY, MBT_BAD_PTR));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_TAKE + 1, 0, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_SIGNAL, 0, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_SIGNAL, 65, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_SIGNAL, 1000, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_NONE, SIGUSR1, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_POLL, 0, 1));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_REMOVE, 1, 0));
	EXPECT_EQ(-EINVAL, notify(fd, MAILBOX_NOTIFY_TAKE, 0, 1));
	for (i = 0; i < 4; i++) {
		memset(&n, 0, sizeof(n));
		n.kind = MAILBOX_NOTIFY_NONE;
		if (i == 0)
			n.flags = 1;
		else if (i == 1)
			n.reserved0 = 1;
		else
			n.reserved[i - 2] = 1;
		EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_NOTIFY, &n));
	}
	/* Nothing was registered by those. */
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_REMOVE, 0, 0));

	b = mbt_box_create(mbt_new_name(_metadata, &self->e),
			   &MBT_BOX(.delivery = MAILBOX_DELIVER_BROADCAST));
	ASSERT_LE(0, b);
	EXPECT_EQ(-EOPNOTSUPP, notify(b, MAILBOX_NOTIFY_NONE, 0, 0));
	d = mbt_my_direct(_metadata, 4, 64, MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EOPNOTSUPP, notify(d, MAILBOX_NOTIFY_NONE, 0, 0));
	close(d);
	close(b);

	/* A priority mailbox takes one. */
	b = mbt_box_create(mbt_new_name(_metadata, &self->e),
			   &MBT_BOX(.delivery = MAILBOX_DELIVER_PRIORITY));
	ASSERT_LE(0, b);
	EXPECT_EQ(0, notify(b, MAILBOX_NOTIFY_NONE, 0, 0));
	close(b);

	/* Destroyed (its owned creator closed): -EIDRM. */
	owned = MBT_MAKE_BOX(&name, MAILBOX_CREATE_OWNED, 0600, 8, 64);
	fd2 = mbt_open_box(_metadata, name, MAILBOX_ACCESS_ALL, 0);
	ASSERT_EQ(0, notify(fd2, MAILBOX_NOTIFY_POLL, 0, 0));
	close(owned);
	EXPECT_EQ(-EIDRM, notify(fd2, MAILBOX_NOTIFY_POLL, 0, 0));
	close(fd2);
	close(unbound);
}

static int clone_register(void *arg)
{
	return notify(*(int *)arg, MAILBOX_NOTIFY_SIGNAL, SIGUSR1, 0) ? 1 : 0;
}

/* A child sharing this process's descriptor table registers and exits. */
static int register_shared(int fd)
{
	static char stack[1 << 16] __attribute__((aligned(16)));
	int status;
	pid_t pid;

	pid = clone(clone_register, stack + sizeof(stack),
		    CLONE_FILES | SIGCHLD, &fd);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WEXITSTATUS(status);
}

/*
 * An owner that exits without closing the descriptors (its table is
 * shared, as after clone(CLONE_FILES)) leaves its registration, as in
 * Linux: it fires into nothing and goes. One left in a mailbox when it is
 * freed goes with it (the debug kernel's kmemleak checks).
 */
TEST_F(mbox, owner_gone_table_shared)
{
	const char *name;
	int fd = MBT_MAKE_BOX(&name, 0, 0600, 8, 64);

	sig_setup();
	ASSERT_EQ(0, register_shared(fd));
	EXPECT_EQ(-EBUSY, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(0, mbt_send(fd, "a", 1, MAILBOX_NONBLOCK, 0, NULL));
	EXPECT_FALSE(sig_pending());
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_NONE, 0, 0));
	EXPECT_EQ(0, notify(fd, MAILBOX_NOTIFY_REMOVE, 0, 0));
	/* Again, and the mailbox is freed with it. */
	ASSERT_EQ(0, register_shared(fd));
	EXPECT_EQ(0, mbt_unlink(name));
	close(fd);
}

TEST_HARNESS_MAIN
