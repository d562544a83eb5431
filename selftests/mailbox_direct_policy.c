// SPDX-License-Identifier: GPL-2.0
/*
 * Who may send to a direct mailbox (MAILBOX_IOC_SET_POLICY: anyone, the
 * owner's uid, a list of pids), and the argument checks of SEND_TO and
 * OPEN_DIRECT: each refusal with its errno, nothing sent or created.
 *
 * Direct mailboxes at work are in mailbox_direct.c.
 */
#define _GNU_SOURCE

#include "lib/mbt.h"

#define TIMEOUT_S	120	/* per test (slow emulation) */

#define BOX(nm, acc, cap, dlv)						\
	mbt_dlv_box(_metadata, &self->e, nm, acc, cap, dlv)

MBT_FIXTURE(dlv, "dlv")

struct uid_arg {
	pid_t to;
	int mode;		/* 0: as is; 1: setresuid(65534); 2: seteuid */
	int *ret;
};

static int uid_sender(void *p)
{
	struct uid_arg *a = p;
	int tx;

	if (a->mode == 1)
		MBT_CHILD_CHECK(!setresgid(65534, 65534, 65534) &&
				!setresuid(65534, 65534, 65534));
	if (a->mode == 2)
		MBT_CHILD_CHECK(!seteuid(65534));
	tx = mbt_dev();		/* opened as the new user */
	MBT_CHILD_CHECK(tx >= 0);
	*a->ret = mbt_sendto_str(tx, a->to, a->mode ? "nobody" : "root",
				 MAILBOX_NONBLOCK);
	return 0;
}

static int run_uid_sender(struct __test_metadata *_metadata, struct mbt_env *e,
			  int mode, int *ret)
{
	struct uid_arg a = { .to = getpid(), .mode = mode, .ret = ret };
	pid_t pid;

	*ret = INT_MIN;
	pid = mbt_spawn(&e->kids, uid_sender, &a);
	ASSERT_LT(0, pid);
	mbt_reap_ok(_metadata, &e->kids, pid);
	return *ret;
}

struct policy_child_arg {
	int fd;
	int *ret;
};

/* A forked child holding the owner's descriptor tries SET_POLICY. */
static int policy_child(void *p)
{
	struct policy_child_arg *a = p;

	*a->ret = mbt_set_policy(a->fd, MAILBOX_POLICY_ANY, NULL, 0);
	return 0;
}

TEST_F_TIMEOUT(dlv, direct_policy_uid, TIMEOUT_S)
{
	int *ret = mbt_shared(sizeof(int));
	struct mailbox_recv m;
	pid_t me = getpid();
	int fd, tx;

	if (geteuid() != 0)
		SKIP(return, "needs root to become uid 65534");
	ASSERT_TRUE(ret != NULL);
	fd = mbt_dev();
	tx = mbt_dev();
	ASSERT_LE(0, fd);
	ASSERT_LE(0, tx);
	ASSERT_EQ(1, mbt_open_direct_fd(fd, 8, MBT_DLV_MSG_MAX,
					MAILBOX_DELIVER_QUEUE,
					MAILBOX_POLICY_UID, NULL, 0));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 1, ret));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 2, ret));
	EXPECT_EQ(0, run_uid_sender(_metadata, &self->e, 0, ret));
	EXPECT_EQ(0, mbt_sendto_str(tx, me, "self", MAILBOX_NONBLOCK));
	EXPECT_EQ(2U, mbt_info(_metadata, fd).depth);

	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_ANY, NULL, 0));
	EXPECT_EQ(0, run_uid_sender(_metadata, &self->e, 1, ret));
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_UID, NULL, 0));
	EXPECT_EQ(-EACCES, run_uid_sender(_metadata, &self->e, 2, ret));

	m = mbt_expect_msg(_metadata, fd, 0, "root", -1, 0);
	EXPECT_EQ(0U, m.sender_uid);
	mbt_expect_msg(_metadata, fd, 0, "self", me, 0);
	m = mbt_expect_msg(_metadata, fd, 0, "nobody", -1, 0);
	EXPECT_EQ(65534U, m.sender_uid);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	close(tx);
	close(fd);
}

TEST_F_TIMEOUT(dlv, direct_policy_list, TIMEOUT_S)
{
	struct mbt_agent *a = mbt_agent_start(_metadata, &self->e);
	struct mbt_agent *b = mbt_agent_start(_metadata, &self->e);
	int32_t list[2], big[MAILBOX_POLICY_LIST_MAX + 1];
	static const char *const want[] = {
		"a1", "b2", "p2", "t2", "b3", "a4",
	};
	struct policy_child_arg pa;
	struct mailbox_policy pol;
	struct mbt_bg t;
	pid_t me = getpid(), dead, kid;
	int *ret = mbt_shared(sizeof(int));
	int fd, tx, named, unbound;
	void *bad = mbt_bad_page(_metadata);
	size_t k;

	ASSERT_TRUE(ret != NULL);
	fd = mbt_dev();
	tx = mbt_dev();
	ASSERT_LE(0, fd);
	ASSERT_LE(0, tx);
	list[0] = a->pid;
	ASSERT_EQ(1, mbt_open_direct_fd(fd, 16, MBT_DLV_MSG_MAX,
					MAILBOX_DELIVER_QUEUE,
					MAILBOX_POLICY_LIST, list, 1));
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, a, me, "a1",
				       MAILBOX_NONBLOCK));
	EXPECT_EQ(-EACCES, mbt_agent_send_to(_metadata, b, me, "b1",
					     MAILBOX_NONBLOCK));
	EXPECT_EQ(-EACCES, mbt_agent_send_to(_metadata, b, me, "b1",
					     MAILBOX_DEADLINE));
	/* The owner itself is not in the list. */
	EXPECT_EQ(-EACCES, mbt_sendto_str(tx, me, "p1", MAILBOX_NONBLOCK));

	list[0] = b->pid;
	list[1] = me;
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 2));
	EXPECT_EQ(-EACCES, mbt_agent_send_to(_metadata, a, me, "a2",
					     MAILBOX_NONBLOCK));
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, b, me, "b2",
				       MAILBOX_NONBLOCK));
	EXPECT_EQ(0, mbt_sendto_str(tx, me, "p2", MAILBOX_NONBLOCK));
	/* a thread of a listed process */
	mbt_bg_send(_metadata, &t, tx, me, "t2");
	EXPECT_EQ(0, mbt_bg_wait(_metadata, &t));

	/* Refused changes leave the policy as it was. */
	dead = mbt_gone_pid(_metadata, &self->e);
	for (k = 0; k < MBT_ARRAY_SIZE(big); k++)
		big[k] = me;
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_LIST, big,
					  MAILBOX_POLICY_LIST_MAX + 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, 3, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, UINT32_MAX, NULL, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_ANY, list, 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_ANY, list, 0));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_UID, list, 1));
	EXPECT_EQ(-EINVAL, mbt_set_policy(fd, MAILBOX_POLICY_UID, NULL, 1));
	memset(&pol, 0, sizeof(pol));
	pol.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &pol));
	memset(&pol, 0, sizeof(pol));
	pol.reserved[1] = 1ULL << 63;
	EXPECT_EQ(-EINVAL, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &pol));
	list[1] = dead;
	EXPECT_EQ(-ESRCH, mbt_set_policy(fd, MAILBOX_POLICY_LIST, list, 2));
	EXPECT_EQ(-EFAULT, mbt_set_policy(fd, MAILBOX_POLICY_LIST, NULL, 1));
	EXPECT_EQ(-EFAULT, mbt_set_policy(fd, MAILBOX_POLICY_LIST, bad, 1));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, bad));
	/* not the owner: a forked child holding the descriptor */
	pa.fd = fd;
	pa.ret = ret;
	*ret = INT_MIN;
	kid = mbt_spawn(&self->e.kids, policy_child, &pa);
	ASSERT_LT(0, kid);
	mbt_reap_ok(_metadata, &self->e.kids, kid);
	EXPECT_EQ(-EPERM, *ret);
	EXPECT_EQ(-EACCES, mbt_agent_send_to(_metadata, a, me, "a3",
					     MAILBOX_NONBLOCK));
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, b, me, "b3",
				       MAILBOX_NONBLOCK));

	/* Only on a direct mailbox's descriptor. */
	named = BOX(NULL, MAILBOX_ACCESS_ALL, 4,
		    MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(-EINVAL, mbt_set_policy(named, MAILBOX_POLICY_ANY, NULL, 0));
	unbound = mbt_dev();
	ASSERT_LE(0, unbound);
	EXPECT_EQ(-EBADFD, mbt_set_policy(unbound, MAILBOX_POLICY_ANY, NULL,
					  0));

	/* ANY: everyone again */
	ASSERT_EQ(0, mbt_set_policy(fd, MAILBOX_POLICY_ANY, NULL, 0));
	EXPECT_EQ(0, mbt_agent_send_to(_metadata, a, me, "a4",
				       MAILBOX_NONBLOCK));
	for (k = 0; k < MBT_ARRAY_SIZE(want); k++)
		mbt_expect_msg(_metadata, fd, 0, want[k], -1, 0);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
}

TEST_F_TIMEOUT(dlv, errors_send_to, TIMEOUT_S)
{
	struct mailbox_send base, s;
	static char big[MBT_DLV_MSG_MAX + 1];
	void *bad = mbt_bad_page(_metadata);
	const char *name;
	pid_t me = getpid();
	int fd, tx, named, ret;

	fd = mbt_my_direct(_metadata, 4, MBT_DLV_MSG_MAX,
			   MAILBOX_DELIVER_QUEUE);
	tx = mbt_dev();
	ASSERT_LE(0, tx);
	memset(&base, 0, sizeof(base));
	base.buf = (uintptr_t)"x";
	base.len = 1;
	base.flags = MAILBOX_NONBLOCK;
	base.to_pid = me;

#define TRY_SEND_TO(change, err) do {					\
	s = base;							\
	change;								\
	ret = mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, &s);			\
	EXPECT_EQ(err, ret) TH_LOG("%s", #change);			\
} while (0)

	TRY_SEND_TO(s.flags = 1U << 4, -EINVAL);
	TRY_SEND_TO(s.flags = 1U << 31, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_RECV_PEEK, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_NONBLOCK | MAILBOX_DEADLINE;
		    s.deadline_ns = mbt_deadline_ms(1000), -EINVAL);
	TRY_SEND_TO(s.deadline_ns = 1, -EINVAL);
	TRY_SEND_TO(s.flags = MAILBOX_DEADLINE;
		    s.deadline_ns = (uint64_t)INT64_MAX + 1, -EINVAL);
	TRY_SEND_TO(s.reserved[0] = 1, -EINVAL);
	TRY_SEND_TO(s.reserved[1] = 1ULL << 63, -EINVAL);
	TRY_SEND_TO(s.priority = 1, -EINVAL);	/* a queue mailbox */
	TRY_SEND_TO(s.priority = MAILBOX_PRIO_MAX + 1, -EINVAL);
	TRY_SEND_TO(s.to_pid = 0, -EINVAL);
	TRY_SEND_TO(s.to_pid = -1, -EINVAL);
	TRY_SEND_TO(s.to_pid = INT_MIN, -EINVAL);
	TRY_SEND_TO(s.buf = (uintptr_t)big; s.len = MBT_DLV_MSG_MAX + 1,
		    -EMSGSIZE);
	TRY_SEND_TO(s.buf = (uintptr_t)bad, -EFAULT);
	TRY_SEND_TO(s.buf = 0, -EFAULT);
	EXPECT_EQ(-EFAULT, mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(tx, MAILBOX_IOC_SEND_TO, bad));
	EXPECT_EQ(0U, mbt_info(_metadata, fd).sent);
	EXPECT_EQ(0U, mbt_info(_metadata, fd).depth);
	/* the out fields are not read */
	TRY_SEND_TO(s.receiver_pid = 77; s.receivers = 5, 0);
	EXPECT_EQ(1U, s.receivers);
	EXPECT_EQ(0, s.receiver_pid);
	/* through a descriptor bound to a named mailbox, receive-only */
	named = BOX(&name, MAILBOX_ACCESS_RECV, 4,
		    MAILBOX_DELIVER_QUEUE);
	EXPECT_EQ(0, mbt_ioctl(named, MAILBOX_IOC_SEND_TO, &base));
	EXPECT_EQ(0U, mbt_info(_metadata, named).sent);
	EXPECT_EQ(2U, mbt_info(_metadata, fd).depth);
	close(named);
	/* MAILBOX_IOC_SEND takes no to_pid */
	named = BOX(&name, MAILBOX_ACCESS_ALL, 4,
		    MAILBOX_DELIVER_QUEUE);
	s = base;
	EXPECT_EQ(-EINVAL, mbt_ioctl(named, MAILBOX_IOC_SEND, &s));
	EXPECT_EQ(0U, mbt_info(_metadata, named).sent);
	s.to_pid = 0;
	EXPECT_EQ(0, mbt_ioctl(named, MAILBOX_IOC_SEND, &s));
	/* and the direct descriptor is for receiving only */
	s.to_pid = 0;
	EXPECT_EQ(-EBADF, mbt_ioctl(fd, MAILBOX_IOC_SEND, &s));
#undef TRY_SEND_TO
	close(named);
	close(tx);
	close(fd);
}

TEST_F_TIMEOUT(dlv, errors_open_direct, TIMEOUT_S)
{
	unsigned long cap_limit = mbt_param_or("capacity_limit", 65536);
	unsigned long size_limit = mbt_param_or("msg_size_limit", 1048576);
	int32_t list[MAILBOX_POLICY_LIST_MAX + 1], deadlist[2];
	struct mailbox_direct base, d;
	struct mailbox_info i;
	void *bad = mbt_bad_page(_metadata);
	pid_t me = getpid(), dead;
	char name[32];
	int fd, ret, named;
	size_t k;

	for (k = 0; k < MBT_ARRAY_SIZE(list); k++)
		list[k] = me;
	dead = mbt_gone_pid(_metadata, &self->e);
	deadlist[0] = me;
	deadlist[1] = dead;
	mbt_direct_name(name, sizeof(name), me);
	memset(&base, 0, sizeof(base));
	base.capacity = 4;
	base.msg_size_max = 64;
	base.delivery = MAILBOX_DELIVER_QUEUE;
	base.policy = MAILBOX_POLICY_ANY;
	fd = mbt_dev();
	ASSERT_LE(0, fd);

	/* Each refused: the descriptor stays unbound, nothing is created. */
#define TRY_DIRECT(change, err) do {					\
	d = base;							\
	change;								\
	ret = mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d);		\
	EXPECT_EQ(err, ret) TH_LOG("%s", #change);			\
	if (ret >= 0) {							\
		close(fd);						\
		fd = mbt_dev();						\
		ASSERT_LE(0, fd);					\
	}								\
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &i)) TH_LOG("%s", #change);	\
} while (0)

	TRY_DIRECT(d.flags = 1, -EINVAL);
	TRY_DIRECT(d.flags = 1U << 31, -EINVAL);
	TRY_DIRECT(d.delivery = MAILBOX_DELIVER_BROADCAST, -EINVAL);
	TRY_DIRECT(d.delivery = 3, -EINVAL);
	TRY_DIRECT(d.policy = 3, -EINVAL);
	TRY_DIRECT(d.policy = UINT32_MAX, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 0;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST;
		   d.count = MAILBOX_POLICY_LIST_MAX + 1;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = UINT32_MAX;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.count = 1; d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_UID; d.count = 1;
		   d.pids = (uintptr_t)list, -EINVAL);
	TRY_DIRECT(d.reserved[0] = 1, -EINVAL);
	TRY_DIRECT(d.reserved[1] = 1ULL << 63, -EINVAL);
	TRY_DIRECT(d.capacity = cap_limit + 1, -EINVAL);
	TRY_DIRECT(d.capacity = UINT32_MAX, -EINVAL);
	TRY_DIRECT(d.msg_size_max = 0, -EINVAL);
	TRY_DIRECT(d.msg_size_max = size_limit + 1, -EINVAL);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 1; d.pids = 0,
		   -EFAULT);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 1;
		   d.pids = (uintptr_t)bad, -EFAULT);
	TRY_DIRECT(d.policy = MAILBOX_POLICY_LIST; d.count = 2;
		   d.pids = (uintptr_t)deadlist, -ESRCH);
#undef TRY_DIRECT
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, NULL));
	EXPECT_EQ(-EFAULT, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, bad));
	EXPECT_EQ(-EBADFD, mbt_stat(fd, &i));
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));

	/* bound to a named mailbox: -EBUSY */
	named = BOX(NULL, MAILBOX_ACCESS_ALL, 4,
		    MAILBOX_DELIVER_QUEUE);
	d = base;
	EXPECT_EQ(-EBUSY, mbt_ioctl(named, MAILBOX_IOC_OPEN_DIRECT, &d));
	EXPECT_EQ(0, mbt_state_find(name, -1, NULL));

	/* the largest list and limits are fine */
	d = base;
	d.policy = MAILBOX_POLICY_LIST;
	d.count = MAILBOX_POLICY_LIST_MAX;
	d.pids = (uintptr_t)list;
	d.capacity = cap_limit;
	d.msg_size_max = size_limit;
	ASSERT_EQ(1, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d));
	i = mbt_info(_metadata, fd);
	EXPECT_EQ(MBT_U32(cap_limit), i.capacity);
	EXPECT_EQ(MBT_U32(size_limit), i.msg_size_max);
	EXPECT_EQ(1, mbt_state_find(name, -1, NULL));
	EXPECT_EQ(-EBUSY, mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d));
	close(named);
	close(fd);
}

TEST_HARNESS_MAIN
