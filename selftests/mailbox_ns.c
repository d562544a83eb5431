// SPDX-License-Identifier: GPL-2.0
/*
 * Containers: mailboxes per IPC namespace. Names, /proc/mailboxes,
 * MAILBOX_IOC_LIST and the max_mailboxes limit are each namespace's own;
 * a descriptor keeps its mailbox across setns(); a namespace that dies
 * takes its named mailboxes with it (messages freed, quotas and counts
 * returned, sleepers elsewhere woken with -EIDRM); the root of a user
 * namespace overrides modes in the IPC namespaces its user namespace
 * owns, never in the host's.
 *
 * Needs root (namespaces, setns(), uid maps, module parameters).
 */
#define _GNU_SOURCE

#include <sched.h>
#include <sys/syscall.h>

#include "lib/mbt.h"

/* Where the user namespaces' ids start outside. */
#define USERNS_BASE	200000U
/* A uid inside a user namespace that is not its root. */
#define INNER_UID	1000U

/* Steps children and the test agree on, in shared memory. */
struct ns_shared {
	int ready;		/* children that have set up */
	int go;			/* the test has checked; children may go on */
	int result[4];		/* what a sleeping call returned */
	pid_t pid[4];
	int count[4];
};

static void step(int *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST);
}

/* Wait until *@counter reaches @n: true, or false after MBT_SLACK_MS. */
static bool wait_for(int *counter, int n)
{
	uint64_t end = mbt_deadline_ms(MBT_SLACK_MS);

	while (__atomic_load_n(counter, __ATOMIC_SEQ_CST) < n) {
		if (mbt_now_ns() >= end)
			return false;
		mbt_sleep_ms(1);
	}
	return true;
}

typedef int (*ns_fn)(struct __test_metadata *_metadata, void *arg);

/* A child in new namespaces (@flags) running @fn: its pid. */
static pid_t spawn_ns(struct __test_metadata *_metadata, int flags, ns_fn fn,
		      void *arg)
{
	pid_t pid = mbt_fork_ns(flags, USERNS_BASE);

	if (pid == 0)
		_exit(fn(_metadata, arg) & 0xff);
	ASSERT_LT(0, pid) TH_LOG("new namespaces 0x%x: %s", flags,
				 strerror(-pid));
	return pid;
}

MBT_FIXTURE(ns, "ns")

/* ---- two namespaces, one name ------------------------------------------ */

struct pair {
	struct ns_shared *sh;
	int idx;
	const char *name;	/* created in both */
	const char *own[2];	/* created in one each */
};

static int pair_child(struct __test_metadata __attribute__((unused)) *_metadata,
		      void *arg)
{
	struct pair *p = arg;
	int i = p->idx;
	struct mbt_state st;
	char msg[16], again[16];
	int fd, only, fd2;

	snprintf(msg, sizeof(msg), "from-%d", i);
	snprintf(again, sizeof(again), "again-%d", i);
	/* EXCL: the name is new in this namespace, whatever the other has. */
	fd = mbt_create(p->name, MAILBOX_CREATE_EXCL, 0600, 4 + i, 64);
	MBT_CHILD_CHECK(fd >= 0);
	only = mbt_create(p->own[i], MAILBOX_CREATE_EXCL, 0600, 4, 64);
	MBT_CHILD_CHECK(only >= 0);
	MBT_CHILD_CHECK(mbt_send_str(fd, msg, MAILBOX_NONBLOCK) == 0);
	step(&p->sh->ready);
	MBT_CHILD_CHECK(wait_for(&p->sh->ready, 2));

	/* The other namespace's names are not here. */
	MBT_CHILD_CHECK(mbt_open(p->own[!i], MAILBOX_ACCESS_ALL) == -ENOENT);
	MBT_CHILD_CHECK(mbt_unlink(p->own[!i]) == -ENOENT);
	MBT_CHILD_CHECK(mbt_proc_find(p->own[!i], -1, NULL) == 0);
	MBT_CHILD_CHECK(mbt_state_find(p->own[!i], -1, NULL) == 0);
	/* One mailbox of the shared name, ours; two in all. */
	MBT_CHILD_CHECK(mbt_state_find(p->name, -1, &st) == 1);
	MBT_CHILD_CHECK(st.capacity == 4U + i && st.depth == 1);
	MBT_CHILD_CHECK(mbt_proc_find(p->name, -1, &st) == 1);
	MBT_CHILD_CHECK(st.capacity == 4U + i && st.depth == 1);
	MBT_CHILD_CHECK(mbt_state_find(NULL, -1, NULL) == 2);
	MBT_CHILD_CHECK(mbt_proc_find(NULL, -1, NULL) == 2);

	/* Our own traffic, by either descriptor. */
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, msg, 0, NULL));
	fd2 = mbt_open(p->name, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(fd2 >= 0);
	MBT_CHILD_CHECK(mbt_send_str(fd2, again, MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, again, 0, NULL));
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, NULL, 0, NULL));
	/* Stay until the test has looked from the host. */
	MBT_CHILD_CHECK(wait_for(&p->sh->go, 1));
	close(fd2);
	close(only);
	close(fd);
	return 0;
}

TEST_F(ns, two_namespaces_one_name)
{
	struct ns_shared *sh = mbt_shared(sizeof(*sh));
	struct pair p[2];
	pid_t pid[2];
	int i;

	MBT_REQUIRE_ROOT();
	ASSERT_NE(NULL, sh);
	for (i = 0; i < 2; i++) {
		p[i].sh = sh;
		p[i].idx = i;
		p[i].name = i ? p[0].name : mbt_new_name(_metadata, &self->e);
	}
	p[0].own[0] = p[1].own[0] = mbt_new_name(_metadata, &self->e);
	p[0].own[1] = p[1].own[1] = mbt_new_name(_metadata, &self->e);
	for (i = 0; i < 2; i++)
		pid[i] = spawn_ns(_metadata, CLONE_NEWIPC, pair_child, &p[i]);
	ASSERT_TRUE(wait_for(&sh->ready, 2));

	/* The host sees neither namespace's mailboxes. */
	EXPECT_EQ(-ENOENT, mbt_open_result(p[0].name, MAILBOX_ACCESS_ALL));
	EXPECT_EQ(-ENOENT, mbt_unlink(p[0].name));
	EXPECT_EQ(0, mbt_state_find(p[0].name, -1, NULL));
	EXPECT_EQ(0, mbt_proc_find(p[0].name, -1, NULL));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(-ENOENT, mbt_open_result(p[0].own[i],
						   MAILBOX_ACCESS_ALL));
		EXPECT_EQ(0, mbt_proc_find(p[0].own[i], -1, NULL));
	}
	step(&sh->go);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, mbt_reap_as(_metadata, pid[i]));
}

/* ---- setns() after binding --------------------------------------------- */

struct hop {
	const char *host;	/* a mailbox of the host */
	const char *guest;	/* made in the new namespace */
};

static int setns_child(struct __test_metadata __attribute__((unused)) *_metadata,
		       void *arg)
{
	struct hop *h = arg;
	struct mailbox_info info;
	int hostns, hostfd, fd;

	/* Bound in the host, then moved to a new namespace. */
	hostns = mbt_ns_fd(0);
	MBT_CHILD_CHECK(hostns >= 0);
	hostfd = mbt_open(h->host, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(hostfd >= 0);
	MBT_CHILD_CHECK(mbt_unshare_ipc() == 0);
	MBT_CHILD_CHECK(mbt_open(h->host, MAILBOX_ACCESS_ALL) == -ENOENT);
	MBT_CHILD_CHECK(mbt_send_str(hostfd, "to-host", MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_recv_is(hostfd, 0, "to-host", 0, NULL));

	/* Bound in the new namespace, then back to the host. */
	fd = mbt_create(h->guest, MAILBOX_CREATE_EXCL, 0600, 4, 64);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(mbt_send_str(fd, "one", MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_setns_ipc(hostns) == 0);
	MBT_CHILD_CHECK(mbt_open(h->guest, MAILBOX_ACCESS_ALL) == -ENOENT);
	MBT_CHILD_CHECK(mbt_open_result(h->host, MAILBOX_ACCESS_ALL) == 0);
	MBT_CHILD_CHECK(mbt_send_str(fd, "two", MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_stat(fd, &info) == 0);
	MBT_CHILD_CHECK(!strcmp(info.name, h->guest));
	MBT_CHILD_CHECK(info.state == MAILBOX_STATE_LINKED && info.depth == 2);
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, "one", 0, NULL));
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, "two", 0, NULL));
	close(fd);
	close(hostfd);
	close(hostns);
	return 0;
}

TEST_F(ns, setns_keeps_binding)
{
	struct hop h = { .guest = mbt_new_name(_metadata, &self->e) };

	MBT_REQUIRE_ROOT();
	MBT_MAKE_BOX(&h.host, 0, 0600, 4, 64);
	EXPECT_EQ(0, mbt_run_as(_metadata, 0, 0, setns_child, &h));
	/* The guest namespace died with the child: nothing leaked here. */
	EXPECT_EQ(0, mbt_state_find(h.guest, -1, NULL));
}

/* ---- per-namespace limit ----------------------------------------------- */

struct fill {
	struct ns_shared *sh;
	int idx;
	int max;
	char names[8][MAILBOX_NAME_LEN];
};

/* Create max mailboxes, then one more: -ENOSPC. */
static int fill_child(struct __test_metadata __attribute__((unused)) *_metadata,
		      void *arg)
{
	struct fill *f = arg;
	int fds[8], i;

	/* The second namespace fills while the first is full. */
	MBT_CHILD_CHECK(wait_for(&f->sh->ready, f->idx));
	for (i = 0; i < f->max; i++) {
		fds[i] = mbt_create(f->names[i], MAILBOX_CREATE_EXCL, 0600, 1, 8);
		MBT_CHILD_CHECK(fds[i] >= 0);
	}
	MBT_CHILD_CHECK(mbt_create_result(f->names[f->max], MAILBOX_ACCESS_ALL) ==
			-ENOSPC);
	step(&f->sh->ready);
	MBT_CHILD_CHECK(wait_for(&f->sh->go, 1));
	for (i = 0; i < f->max; i++)
		close(fds[i]);
	return 0;
}

TEST_F(ns, limit_per_namespace)
{
	struct ns_shared *sh = mbt_shared(sizeof(*sh));
	struct fill f[2];
	pid_t pid[2];
	int fd, i, j;

	MBT_REQUIRE_ROOT();
	ASSERT_NE(NULL, sh);
	MBT_PARAM_SET(&self->e, "max_mailboxes", 3);
	for (i = 0; i < 2; i++) {
		f[i].sh = sh;
		f[i].idx = i;
		f[i].max = 3;
		for (j = 0; j <= f[i].max; j++)
			mbt_name(f[i].names[j], "nsfill");
	}
	for (i = 0; i < 2; i++)
		pid[i] = spawn_ns(_metadata, CLONE_NEWIPC, fill_child, &f[i]);
	ASSERT_TRUE(wait_for(&sh->ready, 2));
	/* Both full; the host has its own count. */
	fd = MBT_SMALL_BOX(NULL);
	step(&sh->go);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, mbt_reap_as(_metadata, pid[i]));
	close(fd);
}

/* ---- the death of a namespace ------------------------------------------ */

#define DEATH_LEN	1000	/* bytes per message of the quota user */
#define DEATH_QUOTA	16384	/* user_bytes_max meanwhile */
#define DEATH_UID	4242U

struct death {
	struct ns_shared *sh;
	const char *full;	/* messages of DEATH_UID up to its quota */
	const char *tight;	/* full by capacity: a sender sleeps */
	const char *empty;	/* a receiver sleeps */
	const char *unlinked;	/* unlinked, held by a sleeper */
	pid_t guest;		/* the namespace's only process */
};

/* DEATH_UID sends to @fd until its quota is spent: how many it sent. */
static int spend_quota(int fd)
{
	char buf[DEATH_LEN];
	int n = 0, ret;

	memset(buf, 'q', sizeof(buf));
	while ((ret = mbt_send(fd, buf, sizeof(buf), MAILBOX_NONBLOCK, 0,
			       NULL)) == 0)
		n++;
	return ret == -ENOBUFS ? n : ret;
}

static int quota_child(struct __test_metadata __attribute__((unused)) *_metadata,
		       void *arg)
{
	struct death *d = arg;
	int fd = mbt_open(d->full, MAILBOX_ACCESS_SEND);

	MBT_CHILD_CHECK(fd >= 0);
	d->sh->count[0] = spend_quota(fd);
	MBT_CHILD_CHECK(d->sh->count[0] > 0);
	return 0;
}

/* The namespace's only process: makes the mailboxes, then exits. */
static int guest_child(struct __test_metadata *_metadata, void *arg)
{
	struct death *d = arg;
	int full, tight, empty, unl;

	full = mbt_create(d->full, MAILBOX_CREATE_EXCL, 0666, 64, DEATH_LEN);
	tight = mbt_create(d->tight, MAILBOX_CREATE_EXCL, 0666, 2, 64);
	empty = mbt_create(d->empty, MAILBOX_CREATE_EXCL, 0666, 4, 64);
	unl = mbt_create(d->unlinked, MAILBOX_CREATE_EXCL, 0666, 4, 64);
	MBT_CHILD_CHECK(full >= 0 && tight >= 0 && empty >= 0 && unl >= 0);
	MBT_CHILD_CHECK(mbt_run_as(_metadata, DEATH_UID, DEATH_UID,
				   quota_child, d) == 0);
	MBT_CHILD_CHECK(mbt_send_str(tight, "1", MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_send_str(tight, "2", MAILBOX_NONBLOCK) == 0);
	step(&d->sh->ready);
	/* The sleepers from the host are in place. */
	MBT_CHILD_CHECK(mbt_wait_waiters(tight, 0, 1, MBT_SLACK_MS) == 0);
	MBT_CHILD_CHECK(mbt_wait_waiters(empty, 1, 0, MBT_SLACK_MS) == 0);
	MBT_CHILD_CHECK(mbt_wait_waiters(unl, 1, 0, MBT_SLACK_MS) == 0);
	MBT_CHILD_CHECK(mbt_unlink(d->unlinked) == 0);
	/* Exit, descriptors open: the namespace dies with this process. */
	return 0;
}

struct sleeper {
	struct death *d;
	int idx;
	const char *name;
	bool send;
};

/*
 * A host process bound to a mailbox of the guest namespace (it enters
 * the namespace to open it, and leaves it again before sleeping): sleeps
 * in a send or receive; what it returned into result[idx].
 */
static int sleeper_child(struct __test_metadata __attribute__((unused)) *_metadata,
			 void *arg)
{
	struct sleeper *s = arg;
	struct mailbox_info info;
	char buf[64];
	int hostns = mbt_ns_fd(0), guestns = mbt_ns_fd(s->d->guest);
	int fd, ret;

	MBT_CHILD_CHECK(hostns >= 0 && guestns >= 0);
	MBT_CHILD_CHECK(mbt_setns_ipc(guestns) == 0);
	fd = mbt_open(s->name, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(mbt_setns_ipc(hostns) == 0);
	/* Nothing of ours holds the guest namespace now. */
	close(guestns);
	close(hostns);
	if (s->send)
		ret = mbt_send(fd, "3", 1, MAILBOX_DEADLINE,
			       mbt_deadline_ms(4 * MBT_SLACK_MS), NULL);
	else
		ret = mbt_recv(fd, buf, sizeof(buf), MAILBOX_DEADLINE,
			       mbt_deadline_ms(4 * MBT_SLACK_MS), NULL);
	s->d->sh->result[s->idx] = ret;
	/* Dead: everything fails alike, STAT still answers. */
	MBT_CHILD_CHECK(mbt_send_str(fd, "x", MAILBOX_NONBLOCK) == -EIDRM);
	MBT_CHILD_CHECK(mbt_stat(fd, &info) == 0);
	MBT_CHILD_CHECK(info.state == MAILBOX_STATE_DEAD && info.depth == 0);
	close(fd);
	return 0;
}

/* In a new IPC namespace: create mailboxes until -ENOSPC, unlink them. */
static int room_child(struct __test_metadata __attribute__((unused)) *_metadata,
		      void *arg)
{
	struct ns_shared *sh = arg;
	char name[MAILBOX_NAME_LEN];
	int fds[64], n, ret = 0;

	for (n = 0; n < 64; n++) {
		snprintf(name, sizeof(name), "room-%d", n);
		fds[n] = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 1, 8);
		if (fds[n] < 0)
			break;
	}
	if (n < 64)
		ret = fds[n];
	sh->count[1] = n;
	while (n--) {
		snprintf(name, sizeof(name), "room-%d", n);
		mbt_unlink(name);
		close(fds[n]);
	}
	return ret == -ENOSPC ? 0 : 1;
}

/* Mailboxes that all namespaces together may still create (up to 64). */
static int room(struct __test_metadata *_metadata, struct ns_shared *sh)
{
	sh->count[1] = -1;
	EXPECT_EQ(0, mbt_reap_as(_metadata, spawn_ns(_metadata, CLONE_NEWIPC,
						     room_child, sh)));
	return sh->count[1];
}

/*
 * room() once namespaces that earlier tests left to die are gone: the
 * same twice, longer apart than the module's reaper period (1 s).
 */
static int settled_room(struct __test_metadata *_metadata,
			struct ns_shared *sh)
{
	int last = room(_metadata, sh), now, i;

	for (i = 0; i < 10; i++) {
		mbt_sleep_ms(1500);
		now = room(_metadata, sh);
		if (now == last)
			break;
		last = now;
	}
	return last;
}

/* Poll room() until it is @want again: what it was last. */
static int room_back(struct __test_metadata *_metadata, struct ns_shared *sh,
		     int want)
{
	uint64_t end = mbt_deadline_ms(MBT_SLACK_MS);
	int now;

	while ((now = room(_metadata, sh)) != want && mbt_now_ns() < end)
		mbt_sleep_ms(100);
	return now;
}

/* DEATH_UID's quota in the host: what it may send now. */
static int quota_again(struct __test_metadata __attribute__((unused)) *_metadata,
		       void *arg)
{
	struct death *d = arg;
	int fd = mbt_create(d->full, MAILBOX_CREATE_EXCL, 0600, 64, DEATH_LEN);

	MBT_CHILD_CHECK(fd >= 0);
	d->sh->count[2] = spend_quota(fd);
	mbt_unlink(d->full);
	close(fd);
	return 0;
}

TEST_F(ns, death_frees_everything)
{
	struct ns_shared *sh = mbt_shared(sizeof(*sh));
	struct death d = { .sh = sh };
	struct sleeper s[3];
	pid_t pid[3];
	int before, i;

	MBT_REQUIRE_ROOT();
	ASSERT_NE(NULL, sh);
	d.full = mbt_new_name(_metadata, &self->e);
	d.tight = mbt_new_name(_metadata, &self->e);
	d.empty = mbt_new_name(_metadata, &self->e);
	d.unlinked = mbt_new_name(_metadata, &self->e);
	MBT_PARAM_SET(&self->e, "user_bytes_max", DEATH_QUOTA);
	/* Every namespace's mailboxes count against this: room() sees it. */
	MBT_PARAM_SET(&self->e, "max_mailboxes_total",
		      mbt_state_find(NULL, -1, NULL) + 32);
	before = settled_room(_metadata, sh);
	ASSERT_LT(8, before);

	d.guest = spawn_ns(_metadata, CLONE_NEWIPC, guest_child, &d);
	ASSERT_TRUE(wait_for(&sh->ready, 1));
	EXPECT_EQ(before - 4, room(_metadata, sh));
	s[0] = (struct sleeper){ &d, 0, d.tight, true };
	s[1] = (struct sleeper){ &d, 1, d.empty, false };
	s[2] = (struct sleeper){ &d, 2, d.unlinked, false };
	for (i = 0; i < 3; i++) {
		sh->result[i] = MBT_NOT_DONE;
		pid[i] = mbt_spawn_as(_metadata, 0, 0, sleeper_child, &s[i]);
	}
	/* The guest exits once they sleep; its namespace dies. */
	EXPECT_EQ(0, mbt_reap_as(_metadata, d.guest));
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(0, mbt_reap_as(_metadata, pid[i]));
		EXPECT_EQ(-EIDRM, sh->result[i]) TH_LOG("sleeper %d", i);
	}

	/* The mailboxes' count comes back, and so do the bytes. */
	EXPECT_EQ(before, room_back(_metadata, sh, before));
	ASSERT_EQ(0, mbt_run_as(_metadata, DEATH_UID, DEATH_UID, quota_again,
				&d));
	EXPECT_EQ(sh->count[0], sh->count[2]);
}

/* A namespace that dies with mailboxes nobody else holds: they go. */
static int leave_child(struct __test_metadata __attribute__((unused)) *_metadata,
		       void *arg)
{
	const char *name = arg;
	int fd = mbt_create(name, MAILBOX_CREATE_EXCL, 0600, 4, 64);

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(mbt_send_str(fd, "left behind", MAILBOX_NONBLOCK) == 0);
	close(fd);
	/* Named: it outlives the descriptor, until the namespace dies. */
	MBT_CHILD_CHECK(mbt_state_find(name, -1, NULL) == 1);
	return 0;
}

TEST_F(ns, death_without_holders)
{
	struct ns_shared *sh = mbt_shared(sizeof(*sh));
	const char *name = mbt_new_name(_metadata, &self->e);
	int before, i;

	MBT_REQUIRE_ROOT();
	ASSERT_NE(NULL, sh);
	MBT_PARAM_SET(&self->e, "max_mailboxes_total",
		      mbt_state_find(NULL, -1, NULL) + 32);
	before = settled_room(_metadata, sh);
	ASSERT_LT(8, before);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, mbt_reap_as(_metadata,
					 spawn_ns(_metadata, CLONE_NEWIPC,
						  leave_child, (void *)name)));
	EXPECT_EQ(before, room_back(_metadata, sh, before));
}

/* ---- user namespaces --------------------------------------------------- */

struct users {
	const char *host;	/* the host's, mode 0600, owned by root */
	const char *theirs;	/* made in the guest by INNER_UID, mode 0600 */
};

/* Only a new user namespace: the host's IPC namespace, no override. */
static int userns_host_child(struct __test_metadata __attribute__((unused)) *_metadata,
			     void *arg)
{
	struct users *u = arg;
	struct mbt_state st;

	MBT_CHILD_CHECK(geteuid() == 0);
	MBT_CHILD_CHECK(mbt_open_result(u->host, MAILBOX_ACCESS_RECV) == -EACCES);
	MBT_CHILD_CHECK(mbt_open_result(u->host, MAILBOX_ACCESS_SEND) == -EACCES);
	MBT_CHILD_CHECK(mbt_create_result(u->host, MAILBOX_ACCESS_ALL) == -EACCES);
	MBT_CHILD_CHECK(mbt_unlink(u->host) == -EPERM);
	/* Seen, with the host's root as the overflow uid: not ours. */
	MBT_CHILD_CHECK(mbt_state_find(u->host, -1, &st) == 1);
	MBT_CHILD_CHECK(st.uid == MBT_NOBODY && st.gid == MBT_NOBODY);
	MBT_CHILD_CHECK(mbt_proc_find(u->host, MBT_NOBODY, NULL) == 1);
	return 0;
}

static int inner_create(struct __test_metadata __attribute__((unused)) *_metadata,
			void *arg)
{
	struct users *u = arg;
	int fd = mbt_create(u->theirs, MAILBOX_CREATE_EXCL, 0600, 4, 64);

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(mbt_send_str(fd, "inner", MAILBOX_NONBLOCK) == 0);
	close(fd);
	return 0;
}

/* New user and IPC namespaces: root there manages what is there. */
static int userns_guest_child(struct __test_metadata *_metadata, void *arg)
{
	struct users *u = arg;
	struct mailbox_recv m;
	struct mbt_state st;
	int fd;

	MBT_CHILD_CHECK(mbt_open(u->host, MAILBOX_ACCESS_ALL) == -ENOENT);
	MBT_CHILD_CHECK(mbt_unlink(u->host) == -ENOENT);
	MBT_CHILD_CHECK(mbt_run_as(_metadata, INNER_UID, INNER_UID,
				   inner_create, u) == 0);
	/* uids as this user namespace sees them: LIST, /proc, STAT, RECV. */
	MBT_CHILD_CHECK(mbt_state_find(u->theirs, INNER_UID, &st) == 1);
	MBT_CHILD_CHECK(st.gid == INNER_UID);
	MBT_CHILD_CHECK(mbt_proc_find(u->theirs, INNER_UID, NULL) == 1);
	/* Mode 0600 of another user: root of the owning userns overrides. */
	fd = mbt_open(u->theirs, MAILBOX_ACCESS_ALL);
	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, "inner", 0, &m));
	MBT_CHILD_CHECK(m.sender_uid == INNER_UID);
	MBT_CHILD_CHECK(mbt_send_str(fd, "root", MAILBOX_NONBLOCK) == 0);
	MBT_CHILD_CHECK(mbt_recv_is(fd, 0, "root", 0, &m));
	MBT_CHILD_CHECK(m.sender_uid == 0);
	MBT_CHILD_CHECK(mbt_unlink(u->theirs) == 0);
	MBT_CHILD_CHECK(mbt_state_find(u->theirs, -1, &st) == 1);
	MBT_CHILD_CHECK(st.state == MAILBOX_STATE_UNLINKED);
	close(fd);
	MBT_CHILD_CHECK(mbt_state_find(u->theirs, -1, NULL) == 0);
	return 0;
}

TEST_F(ns, userns_root)
{
	struct users u = { .theirs = mbt_new_name(_metadata, &self->e) };
	struct mailbox_info info;
	int fd;

	MBT_REQUIRE_ROOT();
	fd = MBT_MAKE_BOX(&u.host, 0, 0600, 4, 64);
	EXPECT_EQ(0, mbt_reap_as(_metadata,
				 spawn_ns(_metadata, CLONE_NEWUSER,
					  userns_host_child, &u)));
	EXPECT_EQ(0, mbt_reap_as(_metadata,
				 spawn_ns(_metadata, CLONE_NEWUSER | CLONE_NEWIPC,
					  userns_guest_child, &u)));
	/* The host's mailbox is untouched. */
	info = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(MAILBOX_STATE_LINKED), info.state);
	EXPECT_EQ(0, mbt_open_result(u.host, MAILBOX_ACCESS_ALL));
}

TEST_HARNESS_MAIN
