/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel mailboxes: internal definitions shared by the module's files.
 */
#ifndef _KMAILBOX_H
#define _KMAILBOX_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/kmailbox.h>

/* Module parameters (main.c). */
extern unsigned int mbox_max_mailboxes;
extern unsigned int mbox_user_mailboxes_max;
extern unsigned int mbox_msg_size_limit;
extern unsigned int mbox_capacity_limit;
extern unsigned long mbox_user_bytes_max;

/*
 * The size of struct mbox_msg, the header in front of every message's
 * payload, which the uapi header documents: a message costs its user
 * kmalloc_size_roundup(MBOX_MSG_HEADER + len) bytes of user_bytes_max,
 * exactly what kvmalloc() takes for it (see mbox_msg_charge()).
 */
#define MBOX_MSG_HEADER	64

/**
 * struct mbox_user - what one user has charged against the limits
 * @node: in the quota hash table, under mbox_users_lock.
 * @uid: the user.
 * @refs: descriptors, mailboxes and messages holding this user.
 * @mailboxes: mailboxes this user created that still live.
 * @bytes: what the messages this user sent and that are still in flight
 *	(queued, held by a sleeping sender or being copied out) cost: each
 *	message its allocation, mbox_msg_charge() of its length.
 */
struct mbox_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t refs;
	atomic_t mailboxes;
	atomic_long_t bytes;
};

/**
 * struct mbox_msg - one message in the kernel
 * @node: in &struct mbox.msgs[@prio] while queued, under the mailbox lock.
 * @sender: thread-group pid of the sender (a reference).
 * @user: the sender's effective uid when it sent (@user->uid, what the
 *	receiver is told), charged for this message (a reference).
 * @time: CLOCK_MONOTONIC time of the send.
 * @sync: the sender sleeping until this message is taken, or NULL; set and
 *	cleared under the mailbox lock.
 * @len: payload length.
 * @prio: message priority (0 unless the mailbox is MAILBOX_DELIVER_PRIORITY).
 * @pending: broadcast: subscribers that have yet to receive it, under the
 *	mailbox lock. It is freed when this drops to zero.
 * @copying: broadcast: receivers copying it out now, under the mailbox
 *	lock. When the mailbox is destroyed meanwhile, the last of them frees
 *	it.
 * @data: payload.
 *
 * The header is MBOX_MSG_HEADER bytes, which the uapi header promises:
 * growing it changes what every message costs.
 */
struct mbox_msg {
	struct list_head node;
	struct pid *sender;
	struct mbox_user *user;
	ktime_t time;
	struct mbox_waiter *sync;
	u32 len;
	u32 prio;
	u32 pending;
	u32 copying;
	char data[];
};

static_assert(sizeof(struct mbox_msg) == MBOX_MSG_HEADER);

/*
 * Waiter states. A waiter is created on the sleeping task's stack; whoever
 * ends its wait removes it from its list, stores the final state with
 * smp_store_release() and only then wakes the task, holding a task
 * reference across the wake-up: once the final state is visible the waiter
 * may return and its stack frame (even the task) may be gone, which is the
 * use-after-free that CVE-2021-47069 fixed in ipc/mqueue.c.
 *
 * MBOX_WAITING: on &struct mbox.receivers or &struct mbox.senders.
 * MBOX_QUEUED: a delivery-waiting sender whose message is now queued; it is
 *	on no list and still sleeping (not final).
 * MBOX_TAKEN: a delivery-waiting sender whose message a receiver has taken
 *	and is copying out; it can no longer take the message back (not
 *	final).
 * MBOX_DONE: final success. A receiver owns @msg; a sender's message was
 *	accepted (and, if it waited for delivery, taken by @peer). A
 *	broadcast receiver has no @msg: it was told to look again.
 * negative: final failure, an errno (the mailbox's dead_err, or -EMSGSIZE
 *	for a receiver whose buffer was too small for the message it was
 *	offered).
 */
#define MBOX_WAITING	0
#define MBOX_QUEUED	1
#define MBOX_DONE	2
#define MBOX_TAKEN	3

/**
 * struct mbox_waiter - a task sleeping in send or receive
 * @node: in &struct mbox.receivers or &struct mbox.senders.
 * @task: the sleeping task.
 * @state: MBOX_* or a negative errno; see above.
 * @msg: receiver: the message handed over. Sender: its own message, owned
 *	by the sender while it is MBOX_WAITING.
 * @size: receiver: its buffer size. Receiver failed with -EMSGSIZE: the
 *	length of the message it was offered.
 * @peer: sender waiting for delivery: the receiver's tgid (a reference).
 * @prio: receiver: its receive priority; &struct mbox.receivers is sorted
 *	by it, highest first, then by arrival.
 * @from: receiver: take only messages sent by this process (a pid number
 *	in @ns), or 0 for any.
 * @ns: receiver: its pid namespace.
 */
struct mbox_waiter {
	struct list_head node;
	struct task_struct *task;
	int state;
	struct mbox_msg *msg;
	u32 size;
	struct pid *peer;
	u32 prio;
	pid_t from;
	struct pid_namespace *ns;
};

/**
 * struct mbox - a mailbox
 * @ref: references: one while named in the registry (or, for a direct
 *	mailbox, while in the direct table), one per bound descriptor, one
 *	per MAILBOX_IOC_SEND_TO in progress. The last put frees the mailbox
 *	and its messages.
 * @hnode: in the name hash table while linked, or in the direct table
 *	while a direct mailbox lives; under mbox_registry_lock.
 * @all: in the list of live mailboxes (for /proc), under
 *	mbox_registry_lock.
 * @name: the name it was created with.
 * @linked: reachable by name; under mbox_registry_lock.
 * @owned: destroyed when @owner_file closes. Set once at creation.
 * @uid: owner uid. Set once at creation, as are @gid, @mode, @capacity and
 *	@msg_size_max.
 * @gid: owner gid.
 * @mode: permission bits.
 * @capacity: messages it holds; 0 is a rendezvous.
 * @msg_size_max: largest message.
 * @delivery: MAILBOX_DELIVER_*. Set once.
 * @dead_err: what calls on it get once it is destroyed: -EIDRM, or -EPIPE
 *	for a direct mailbox. Set once.
 * @owner: direct mailbox: its owner's tgid (a reference); NULL for a named
 *	one. Set once.
 * @nr_files: direct mailbox: descriptors bound to it; under
 *	mbox_registry_lock.
 * @policy: direct mailbox: MAILBOX_POLICY_*; under mbox_registry_lock,
 *	as are @nr_allow and @allow.
 * @nr_allow: entries in @allow.
 * @allow: MAILBOX_POLICY_LIST: the tgids that may send (references).
 * @creator: the user charged for the mailbox itself (a reference).
 * @poll_wq: poll() and epoll waiters only; send and receive sleep on the
 *	waiter lists instead.
 * @lock: protects every field below it.
 * @dead: destroyed: every operation fails with @dead_err.
 * @msgs: queued messages, one list per priority, oldest first; at most
 *	@capacity of them, plus those put back at the head by receivers whose
 *	copy-out faulted. A broadcast mailbox uses @msgs[0] only, as the log
 *	of messages some subscriber has yet to receive.
 * @prio_map: bit p set when @msgs[p] is not empty.
 * @depth: number of messages in @msgs.
 * @bytes: payload bytes in @msgs.
 * @receivers: sleeping receivers in the order they will be served. None
 *	of them wants any message in @msgs or held by a sender (but see
 *	MBOX_TAKEN); for broadcast, each waits for its own next message.
 * @senders: sleeping senders, oldest first, each holding its message. Non-
 *	empty only while the mailbox is full.
 * @subs: broadcast: the subscribed descriptors (&struct mbox_sub.node).
 * @nr_subs: entries in @subs.
 * @nr_receivers: entries in @receivers.
 * @nr_senders: entries in @senders.
 * @sent: messages accepted.
 * @received: messages taken.
 * @dropped: messages accepted and never received, freed when the mailbox
 *	was destroyed; @sent == @received + @depth + @dropped.
 * @send_blocked: sends that slept.
 * @recv_blocked: receives that slept.
 *
 * Lock order: mbox_registry_lock, then @lock. No other lock nests inside
 * @lock; nothing sleeps under it.
 */
struct mbox {
	struct kref ref;
	struct hlist_node hnode;
	struct list_head all;
	char name[MAILBOX_NAME_LEN];
	bool linked;
	bool owned;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 capacity;
	u32 msg_size_max;
	u32 delivery;
	int dead_err;
	struct pid *owner;
	unsigned int nr_files;
	u32 policy;
	u32 nr_allow;
	struct pid **allow;
	struct mbox_user *creator;
	wait_queue_head_t poll_wq;

	spinlock_t lock;	/* see above: guards the fields below */
	bool dead;
	struct list_head msgs[MAILBOX_PRIO_MAX + 1];
	unsigned long prio_map;
	u32 depth;
	u64 bytes;
	struct list_head receivers;
	struct list_head senders;
	struct list_head subs;
	u32 nr_subs;
	u32 nr_receivers;
	u32 nr_senders;
	u64 sent;
	u64 received;
	u64 dropped;
	u64 send_blocked;
	u64 recv_blocked;
};

/**
 * struct mbox_sub - a descriptor subscribed to a broadcast mailbox
 * @node: in &struct mbox.subs, under the mailbox lock.
 * @next: the oldest message it has yet to receive, or NULL when it has
 *	received everything; under the mailbox lock. Each message from @next
 *	to the end of the log counts this subscriber in its @pending.
 * @backlog: messages from @next to the end of the log; under the mailbox
 *	lock.
 * @recv_lock: serialises receives on this descriptor, from taking @next
 *	to advancing past it once copied out, so that a failed copy leaves
 *	the message unread and the order intact. Taken before the mailbox
 *	lock; held while copying out, never while sleeping for a message.
 */
struct mbox_sub {
	struct list_head node;
	struct mbox_msg *next;
	u32 backlog;
	struct mutex recv_lock;	/* see above */
};

/**
 * struct mbox_file - one open descriptor of /dev/mailbox
 * @mbox: the bound mailbox, or NULL. Written once, under
 *	mbox_registry_lock, with smp_store_release(); read with
 *	smp_load_acquire().
 * @access: MAILBOX_ACCESS_* granted at bind time.
 * @owner: this descriptor created an owned mailbox and destroys it on close.
 * @subscribed: @sub is in the mailbox's subscriber list (a broadcast
 *	mailbox bound with MAILBOX_ACCESS_RECV). Set once, with @mbox.
 * @recv_prio: receive priority; READ_ONCE()/WRITE_ONCE().
 * @user_lock: guards @user.
 * @user: a cache for mbox_user_current(): the accounting entry of the
 *	last euid that sent or created through this descriptor (at first,
 *	the opener's), a reference.
 * @sub: broadcast subscriber state.
 */
struct mbox_file {
	struct mbox *mbox;
	u32 access;
	bool owner;
	bool subscribed;
	u32 recv_prio;
	spinlock_t user_lock;	/* see above */
	struct mbox_user *user;
	struct mbox_sub sub;
};

/*
 * Tasks to wake once the mailbox lock is dropped, each with a reference
 * held. When it is full, further tasks are woken at once, under the lock,
 * which is correct, only slower.
 */
struct mbox_wake_q {
	unsigned int n;
	struct task_struct *tasks[4];
};

/**
 * struct mbox_wait - how a send or receive may wait
 * @mode: what a call that would sleep gets instead: 0 (it may sleep),
 *	-EAGAIN (non-blocking) or -ETIMEDOUT (the deadline has passed).
 * @deadline: the deadline, in the host's CLOCK_MONOTONIC.
 * @until: &@deadline, or NULL for none.
 * @defer: in a batch, where the wake-ups of a send or receive that did not
 *	sleep are kept until the batch ends (see mbox_unlock_defer()); else
 *	NULL.
 */
struct mbox_wait {
	int mode;
	ktime_t deadline;
	ktime_t *until;
	struct mbox_wake_q *defer;
};

/* quota.c */
struct mbox_user *mbox_user_get(kuid_t uid);
struct mbox_user *mbox_user_current(struct mbox_file *mf);
void mbox_user_put(struct mbox_user *user);
size_t mbox_msg_charge(u32 len);
int mbox_user_charge_msg(struct mbox_user *user, u32 len);
void mbox_user_uncharge_msg(struct mbox_user *user, u32 len);
void mbox_users_exit(void);

/* registry.c */
extern struct mutex mbox_registry_lock;
extern struct list_head mbox_all;
int mbox_ioc_create(struct mbox_file *mf, const struct mailbox_create *args);
int mbox_ioc_open(struct mbox_file *mf, const struct mailbox_open *args);
int mbox_ioc_unlink(const struct mailbox_unlink *args);
void mbox_file_release(struct mbox_file *mf);
void mbox_registry_exit(void);
void mbox_put(struct mbox *mb);
u32 mbox_state(const struct mbox *mb);
struct mbox *mbox_alloc(struct mbox_file *mf, const char *name, u32 capacity,
			u32 msg_size_max, u32 delivery);
void mbox_free_unused(struct mbox *mb);
int mbox_link_bind(struct mbox_file *mf, struct mbox *mb, u32 access);
void mbox_bind(struct mbox_file *mf, struct mbox *mb, u32 access,
	       bool owner);
void mbox_destroy(struct mbox *mb, bool drop_file);
int mbox_check_sizes(u32 capacity, u32 msg_size_max);

/* direct.c */
int mbox_ioc_open_direct(struct mbox_file *mf,
			 const struct mailbox_direct *args);
int mbox_ioc_set_policy(struct mbox_file *mf,
			const struct mailbox_policy *args);
struct mbox *mbox_direct_get(pid_t nr);
struct mbox *mbox_direct_lookup(struct pid *tgid);
void mbox_direct_flush(struct mbox_file *mf);
int mbox_name_of(const struct mbox *mb, struct pid_namespace *ns, char *buf,
		 size_t size);

/* transfer.c */
int mbox_send(struct mbox_file *mf, struct mailbox_send *args, bool nonblock,
	      struct mbox_wake_q *defer);
int mbox_send_to(struct mbox_file *mf, struct mailbox_send *args,
		 bool nonblock, struct mbox_wake_q *defer);
int mbox_recv(struct mbox_file *mf, struct mailbox_recv *args,
	      struct mailbox_recv __user *uarg, bool nonblock,
	      struct mbox_wake_q *defer);
void mbox_destroy_locked(struct mbox *mb, struct list_head *freeq);
void mbox_free_msgs(struct list_head *msgs);
__poll_t mbox_poll_mask(struct mbox_file *mf);
void mbox_fill_info(struct mbox_file *mf, struct mailbox_info *info);
void mbox_wake_waiter(struct mbox_wake_q *q, struct mbox_waiter *w,
		      int state);
void mbox_unlock_wake(struct mbox *mb, struct mbox_wake_q *q)
	__releases(&mb->lock);
void mbox_unlock_defer(struct mbox *mb, struct mbox_wake_q *q,
		       struct mbox_wake_q *defer)
	__releases(&mb->lock);
void mbox_wake_up(struct mbox_wake_q *q);
void mbox_poll_wake(struct mbox *mb);
int mbox_sleep(struct mbox_waiter *w, ktime_t *deadline, bool nonblock);
int mbox_recv_sleep(struct mbox *mb, struct mbox_waiter *w,
		    struct mbox_wait *wait, size_t size);
void mbox_fill_recv(struct mailbox_recv *args, const struct mbox_msg *msg);
void mbox_refill(struct mbox *mb, struct mbox_wake_q *q,
		 struct list_head *freeq);
void mbox_msg_free(struct mbox_msg *msg);
void mbox_enqueue(struct mbox *mb, struct mbox_msg *msg, bool head);
void mbox_dequeue(struct mbox *mb, struct mbox_msg *msg);

/* broadcast.c */
void mbox_sub_join(struct mbox_file *mf, struct mbox *mb);
void mbox_sub_leave(struct mbox_file *mf);
u32 mbox_bcast_append(struct mbox *mb, struct mbox_msg *msg,
		      struct mbox_wake_q *q, struct list_head *freeq);
int mbox_bcast_recv(struct mbox_file *mf, struct mailbox_recv *args,
		    struct mailbox_recv __user *uarg, struct mbox_wait *wait);

/* trace.c: events around a sleep (kmailbox_trace.h has the others). */
#define MBOX_TRACE_SEND	0
#define MBOX_TRACE_RECV	1
u64 mbox_trace_wait(const struct mbox *mb, int op, size_t len);
void mbox_trace_wake(const struct mbox *mb, int op, size_t len, int ret,
		     u64 since);

/* proc.c */
int mbox_proc_init(void);
const char *mbox_delivery_name(const struct mbox *mb);
void mbox_proc_exit(void);

#endif /* _KMAILBOX_H */
