/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel mailboxes: internal definitions shared by the module's files.
 */
#ifndef _KMAILBOX_H
#define _KMAILBOX_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

#include <linux/kmailbox.h>

struct ipc_namespace;
struct seq_file;
struct vm_area_struct;

/* Module parameters (main.c). */
extern unsigned int kmb_max_mailboxes;
extern unsigned int kmb_max_mailboxes_total;
extern unsigned int kmb_user_mailboxes_max;
extern unsigned int kmb_msg_size_limit;
extern unsigned int kmb_capacity_limit;
extern unsigned long kmb_user_bytes_max;

/*
 * The size of struct kmb_msg, the header in front of every message's
 * payload, as the uapi header documents it: a message costs its user
 * what is allocated for KMB_MSG_HEADER + len bytes, its slab cache's
 * object size up to KMB_CLASS_MAX, kvmalloc()'s above (see
 * kmb_msg_charge()).
 * MAILBOX_IOC_VERSION reports it (struct mailbox_version.msg_header).
 */
#define KMB_MSG_HEADER	96

/**
 * struct kmb_user - what one user has charged against the limits
 * @node: in the quota hash table, under kmb_users_lock.
 * @uid: the user.
 * @refs: descriptors, mailboxes and messages holding this user.
 * @mailboxes: mailboxes this user created that still live.
 * @bytes: what the messages this user sent and that are still in flight
 *	(queued, held by a sleeping sender or being copied out) cost: each
 *	message its allocation, kmb_msg_charge() of its length.
 */
struct kmb_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t refs;
	atomic_t mailboxes;
	atomic_long_t bytes;
};

/*
 * The sender index: how a receive that filters by sender (struct
 * mailbox_recv.from_pid) finds its message without walking the queue.
 *
 * A queue or priority mailbox keeps two of them, under its lock, from its
 * first receive that filters by sender on (&struct kmb.indexed; until
 * then a send or receive pays nothing for them, and that receive builds
 * them, O(N log S) once for N messages): one over
 * its queued messages (&struct kmb.queued_by), one over the messages of
 * its sleeping senders (&struct kmb.sleeping_by); a message is in at most
 * one. An index is an rbtree keyed by (sender's struct pid pointer,
 * priority) with one node per key present: the node (@by_sender) is
 * embedded in the oldest message of that sender and priority, and that
 * sender's other messages of that priority follow it in the ring @same,
 * oldest first, in the order they hold in &struct kmb.msgs[] (or in
 * &struct kmb.senders). When the oldest leaves, the next one takes its
 * node's place (rb_replace_node()); nothing is allocated.
 *
 * Costs under the lock, S being the keys present in an index (at most the
 * messages it holds): adding a message, O(log S); removing the oldest of
 * its key or putting one back first, O(1) (O(log S) when its key goes);
 * removing any other, O(1). A receive or MAILBOX_RECV_PEEK filtering on a
 * process that exists (the caller resolves from_pid to its struct pid
 * before taking the lock) finds the oldest message of the highest priority
 * that process has queued, or else held by a sleeping sender, in
 * O(log S) each: one descent to the rightmost node of its pid. Only when
 * no process has that pid (it exited; its queued messages are still
 * matched by the pid they were sent with) does the receive walk the
 * queued index, calling pid_nr_ns() once per key, never once per message:
 * O(S). A sleeping sender is a live process, so that walk never covers
 * &struct kmb.sleeping_by.
 */

/**
 * struct kmb_ns - the mailboxes of one IPC namespace (registry.c, ns.c)
 * @node: in the registry's table of namespaces while @ipc is held.
 * @ipc: the IPC namespace, of which we hold one reference; NULL once it
 *	is dropped (the namespace died, or its last mailbox went).
 * @all: its mailboxes, named and direct, linked or not, in the order of
 *	their ids.
 * @count: entries in @all: what max_mailboxes limits.
 * @refs: @count, plus the reaper's while it destroys the mailboxes. The
 *	last put drops @ipc (if still held) and frees this.
 *
 * Every field is under kmb_registry_lock.
 */
struct kmb_ns {
	struct hlist_node node;
	struct ipc_namespace *ipc;
	struct list_head all;
	unsigned int count;
	unsigned int refs;
};

/**
 * struct kmb_msg - one message in the kernel
 * @node: in &struct kmb.msgs[@prio] while queued (&struct kmb.msgs[0] on a
 *	wide mailbox: kmb_wide()), under the mailbox lock
 *	(or on a list of messages to free, once out of the mailbox).
 * @by_sender: the oldest message of its sender and @prio in a sender
 *	index: its node there; else RB_EMPTY_NODE(). Under the mailbox lock.
 * @same: in a sender index: in the ring of the messages of its sender and
 *	@prio; under the mailbox lock.
 * @holder: while a sleeping sender holds it (on &struct kmb.senders, its
 *	message in &struct kmb.sleeping_by): that sender; under the mailbox
 *	lock. A message is either queued or held by a sleeping sender, never
 *	both, so @holder shares its place with @node; it is meaningless
 *	while the message is queued.
 * @sender: thread-group pid of the sender (a reference).
 * @user: the sender's effective uid when it sent (@user->uid, what the
 *	receiver is told), charged for this message (a reference).
 * @time: CLOCK_MONOTONIC time of the send.
 * @sync: queue or priority mailbox: the sender sleeping until this message
 *	is taken, or NULL; set and cleared under the mailbox lock.
 * @pending: broadcast: subscribers that have yet to receive it, under the
 *	mailbox lock. It is freed when this drops to zero.
 * @copying: broadcast: receivers copying it out now, under the mailbox
 *	lock. When the mailbox is destroyed meanwhile, the last of them frees
 *	it. A broadcast send never waits for delivery, so @pending and
 *	@copying share @sync's place: which one a message uses follows from
 *	its mailbox's kmb_indexed().
 * @len: payload length.
 * @prio: message priority (0 unless the mailbox is MAILBOX_DELIVER_PRIORITY).
 * @data: payload.
 *
 * The header is KMB_MSG_HEADER bytes, as the uapi header says: growing
 * it changes what every message costs (update KMB_MSG_HEADER and the
 * figures of the uapi header, mailbox(7) and README).
 */
struct kmb_msg {
	union {
		struct list_head node;
		struct kmb_waiter *holder;
	};
	struct rb_node by_sender;
	struct list_head same;
	struct pid *sender;
	struct kmb_user *user;
	ktime_t time;
	union {
		struct kmb_waiter *sync;
		struct {
			u32 pending;
			u32 copying;
		};
	};
	u32 len;
	u32 prio;
	char data[];
};

static_assert(sizeof(struct kmb_msg) == KMB_MSG_HEADER);

/*
 * Waiter states. A waiter is created on the sleeping task's stack; whoever
 * ends its wait removes it from its list, stores the final state with
 * smp_store_release() and only then wakes the task, holding a task
 * reference across the wake-up: once the final state is visible the waiter
 * may return and its stack frame (even the task) may be gone, which is the
 * use-after-free that CVE-2021-47069 fixed in ipc/mqueue.c.
 *
 * KMB_WAITING: on &struct kmb.receivers or &struct kmb.senders.
 * KMB_QUEUED: a delivery-waiting sender whose message is now queued; it is
 *	on no list and still sleeping (not final).
 * KMB_TAKEN: a delivery-waiting sender whose message a receiver has taken
 *	and is copying out; it can no longer take the message back (not
 *	final). The copy never faults (kmb_copy_out()), so this lasts a
 *	bounded time: the receiver then makes it KMB_DONE, or KMB_QUEUED
 *	again by putting the message back.
 * KMB_DONE: final success. A receiver owns @msg; a sender's message was
 *	accepted (and, if it waited for delivery, taken by @peer). A
 *	broadcast receiver has no @msg: it was told to look again.
 * negative: final failure, an errno (the mailbox's dead_err, or -EMSGSIZE
 *	for a receiver whose buffer was too small for the message it was
 *	offered).
 */
#define KMB_WAITING	0
#define KMB_QUEUED	1
#define KMB_DONE	2
#define KMB_TAKEN	3

/**
 * struct kmb_waiter - a task sleeping in send or receive
 * @node: in &struct kmb.receivers or &struct kmb.senders.
 * @task: the sleeping task.
 * @state: KMB_* or a negative errno; see above.
 * @msg: receiver: the message handed over. Sender: its own message, owned
 *	by the sender while it is KMB_WAITING.
 * @size: receiver: its buffer size. Receiver failed with -EMSGSIZE: the
 *	length of the message it was offered.
 * @peer: sender waiting for delivery: the receiver's tgid (a reference).
 * @prio: receiver: its receive priority; &struct kmb.receivers is sorted
 *	by it, highest first, then by arrival.
 * @from: receiver: take only messages sent by this process (a pid number
 *	in @ns), or 0 for any.
 * @ns: receiver: its pid namespace.
 * @src: receiver with @from: the thread-group pid @from named when the
 *	call began (a reference), matched by pointer; NULL when no process
 *	had that pid, and then messages are matched by the number their
 *	exited sender had in @ns.
 */
struct kmb_waiter {
	struct list_head node;
	struct task_struct *task;
	int state;
	struct kmb_msg *msg;
	u32 size;
	struct pid *peer;
	u32 prio;
	pid_t from;
	struct pid_namespace *ns;
	struct pid *src;
};

/**
 * struct kmb_notify - a MAILBOX_IOC_NOTIFY registration (notify.c)
 * @pid: the owner's thread-group pid (a reference), or NULL: none.
 * @user_ns: the owner's user namespace (a reference): si_uid's.
 * @exec_id: the owner's self_exec_id when it registered.
 * @file: MAILBOX_NOTIFY_POLL: the descriptor it was made through, which
 *	removes it when it is freed; else NULL.
 * @kind: MAILBOX_NOTIFY_SIGNAL, _NONE or _POLL.
 * @signo: MAILBOX_NOTIFY_SIGNAL: the signal.
 * @value: MAILBOX_NOTIFY_SIGNAL: its si_value.
 */
struct kmb_notify {
	struct pid *pid;
	struct user_namespace *user_ns;
	u64 exec_id;
	struct kmb_file *file;
	u32 kind;
	u32 signo;
	u64 value;
};

/**
 * struct kmb_ring - the ring of a mapped mailbox (mapped.c)
 * @ctl: the control page, the kernel's own mapping of it; only @ctl->head
 *	and @ctl->tail are read after creation, and never trusted.
 * @size: bytes allocated and mapped (whole pages); charged to the
 *	mailbox's creator.
 * @slots: capacity, a power of two. Set once, as @size.
 * @producer: a descriptor holds the producer role; under the mailbox lock,
 *	as every field below.
 * @consumer: a descriptor holds the consumer role.
 * @producer_left: the producer role was given up and not claimed since.
 * @consumer_left: likewise for the consumer role.
 * @head: the last valid head the kernel saw.
 * @tail: the last valid tail the kernel saw.
 */
struct kmb_ring {
	struct mailbox_ring *ctl;
	size_t size;
	u32 slots;
	bool producer;
	bool consumer;
	bool producer_left;
	bool consumer_left;
	u32 head;
	u32 tail;
};

/**
 * struct kmb - a mailbox
 * @ref: references: one while named in the registry (or, for a direct
 *	mailbox, while in the direct table), one per bound descriptor, one
 *	per MAILBOX_IOC_SEND_TO in progress. The last put frees the mailbox
 *	and its messages.
 * @hnode: in the name hash table while linked, or in the direct table
 *	while a direct mailbox lives; under kmb_registry_lock.
 * @all: in the list of live mailboxes of @ns (for /proc and
 *	MAILBOX_IOC_LIST), under kmb_registry_lock; in the order of @id.
 * @ns: the IPC namespace it was created in: a named mailbox's name
 *	resolves there, and there it is listed and counted. Set once, when
 *	it is linked (a reference).
 * @id: assigned when the mailbox is linked, larger than any before it:
 *	MAILBOX_IOC_LIST's cursor. Set once, under kmb_registry_lock.
 * @name: the name it was created with, NUL-terminated (1 to
 *	MAILBOX_NAME_MAX bytes; empty for a direct mailbox).
 * @linked: reachable by name; under kmb_registry_lock.
 * @owned: destroyed when @owner_file closes. Set once at creation.
 * @uid: owner uid. Set once at creation, as are @gid, @mode, @capacity and
 *	@msg_size_max.
 * @gid: owner gid.
 * @mode: permission bits.
 * @capacity: messages it holds; 0 is a rendezvous.
 * @msg_size_max: largest message.
 * @delivery: MAILBOX_DELIVER_*. Set once.
 * @prio_max: highest message priority: MAILBOX_PRIO_MAX, or up to
 *	MAILBOX_PRIO_MAX_WIDE for a wide priority mailbox (kmb_wide()). Set
 *	once.
 * @dead_err: what calls on it get once it is destroyed: -EIDRM, or -EPIPE
 *	for a direct mailbox. Set once.
 * @owner: direct mailbox: its owner's tgid (a reference); NULL for a named
 *	one. Set once.
 * @nr_files: direct mailbox: descriptors bound to it; under
 *	kmb_registry_lock.
 * @policy: direct mailbox: MAILBOX_POLICY_*; under kmb_registry_lock,
 *	as are @nr_allow and @allow.
 * @nr_allow: entries in @allow.
 * @allow: MAILBOX_POLICY_LIST: the tgids that may send (references).
 * @creator: the user charged for the mailbox itself (a reference).
 * @ring: a mapped mailbox's ring, or NULL. Set once at creation.
 * @poll_wq: poll() and epoll waiters; send and receive sleep on the
 *	waiter lists instead. The MAILBOX_IOC_MAP_WAIT sleepers of a mapped
 *	mailbox sleep here too.
 * @lock: protects every field below it.
 * @dead: destroyed: every operation fails with @dead_err.
 * @msgs: queued messages, one list per priority, oldest first; at most
 *	@capacity of them, plus those put back at the head by receivers whose
 *	copy-out faulted. A broadcast mailbox uses @msgs[0] only, as the log
 *	of messages some subscriber has yet to receive; so does a wide
 *	priority mailbox, sorted by priority (kmb_wide()).
 * @prio_map: bit p set when @msgs[p] is not empty.
 * @wide_tail: wide priority mailbox: the newest queued message of each
 *	priority 0 to @prio_max, or NULL; else NULL (see kmb_wide()).
 * @wide_map: wide: bit p set when @wide_tail[p] is not NULL.
 * @wide_sum: wide: bit w set when word w of @wide_map is not zero.
 *	The three pointers are set once, at creation (kmb_wide_alloc()),
 *	into one allocation; what they point to is under @lock.
 * @indexed: @queued_by and @sleeping_by are kept: set by the first
 *	receive or PEEK that filters by sender (kmb_index_build()), never
 *	on a broadcast mailbox. Until then no message is indexed.
 * @queued_by: the sender index of the messages in @msgs (see above the
 *	structures) once @indexed; else empty.
 * @sleeping_by: the sender index of the messages held by @senders once
 *	@indexed; else empty.
 * @depth: number of messages in @msgs.
 * @bytes: payload bytes in @msgs.
 * @receivers: sleeping receivers in the order they will be served. None
 *	of them wants any message in @msgs or held by a sender (but see
 *	KMB_TAKEN); for broadcast, each waits for its own next message.
 * @senders: sleeping senders, oldest first, each holding its message. Non-
 *	empty only while the mailbox is full.
 * @subs: broadcast: the subscribed descriptors (&struct kmb_sub.node).
 * @nr_subs: entries in @subs.
 * @nr_receivers: entries in @receivers.
 * @nr_senders: entries in @senders.
 * @sent: messages accepted.
 * @received: messages taken.
 * @dropped: messages accepted and never received, freed when the mailbox
 *	was destroyed; @sent == @received + @depth + @dropped.
 * @send_blocked: sends that slept.
 * @recv_blocked: receives that slept.
 * @notify: the MAILBOX_IOC_NOTIFY registration (@notify.pid NULL: none).
 *
 * Lock order: kmb_registry_lock, then @lock. No other lock nests inside
 * @lock; nothing sleeps under it.
 */
struct kmb {
	struct kref ref;
	struct hlist_node hnode;
	struct list_head all;
	struct kmb_ns *ns;
	u64 id;
	char name[MAILBOX_NAME_MAX + 1];
	bool linked;
	bool owned;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 capacity;
	u32 msg_size_max;
	u32 delivery;
	u32 prio_max;
	int dead_err;
	struct pid *owner;
	unsigned int nr_files;
	u32 policy;
	u32 nr_allow;
	struct pid **allow;
	struct kmb_user *creator;
	struct kmb_ring *ring;
	wait_queue_head_t poll_wq;

	spinlock_t lock;	/* see above: guards the fields below */
	bool dead;
	struct list_head msgs[MAILBOX_PRIO_MAX + 1];
	unsigned long prio_map;
	struct kmb_msg **wide_tail;
	unsigned long *wide_map;
	unsigned long *wide_sum;
	bool indexed;
	struct rb_root queued_by;
	struct rb_root sleeping_by;
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
	struct kmb_notify notify;
};

/**
 * struct kmb_sub - a descriptor subscribed to a broadcast mailbox
 * @node: in &struct kmb.subs, under the mailbox lock.
 * @next: the oldest message it has yet to receive, or NULL when it has
 *	received everything; under the mailbox lock. Each message from @next
 *	to the end of the log counts this subscriber in its @pending.
 * @backlog: messages from @next to the end of the log; under the mailbox
 *	lock.
 * @recv_lock: serialises receives on this descriptor, from taking @next
 *	to advancing past it once copied out, so that a failed copy leaves
 *	the message unread and the order intact. Taken before the mailbox
 *	lock. Held only for bounded work: while copying out, with page
 *	faults disabled (kmb_copy_out()), never while sleeping for a
 *	message or faulting memory in. So every receive waits for it, a
 *	non-blocking one and PEEK included, rather than fail with -EAGAIN
 *	while a message waits, and a deadline is overrun by that bounded
 *	time at most.
 */
struct kmb_sub {
	struct list_head node;
	struct kmb_msg *next;
	u32 backlog;
	struct mutex recv_lock;	/* see above */
};

/**
 * struct kmb_file - one open descriptor of /dev/mailbox
 * @mbox: the bound mailbox, or NULL. Written once, under
 *	kmb_registry_lock, with smp_store_release(); read with
 *	smp_load_acquire().
 * @access: MAILBOX_ACCESS_* granted at bind time.
 * @owner: this descriptor created an owned mailbox and destroys it on close.
 * @subscribed: @sub is in the mailbox's subscriber list (a broadcast
 *	mailbox bound with MAILBOX_ACCESS_RECV). Set once, with @mbox.
 * @recv_prio: receive priority; READ_ONCE()/WRITE_ONCE().
 * @user_lock: guards @user.
 * @user: a cache for kmb_user_current(): the accounting entry of the
 *	last euid that sent or created through this descriptor (at first,
 *	the opener's), a reference.
 * @sub: broadcast subscriber state.
 * @map_role: mapped mailbox: the MAILBOX_MAP_* role this descriptor
 *	claimed, or 0. Set once, under the mailbox lock; read with
 *	READ_ONCE() outside it.
 * @notify_fired: a MAILBOX_NOTIFY_POLL registration made through this
 *	descriptor fired (poll() reports EPOLLPRI) and MAILBOX_NOTIFY_TAKE
 *	has not cleared it yet. Written under the mailbox lock; read with
 *	READ_ONCE() outside it.
 */
struct kmb_file {
	struct kmb *mbox;
	u32 access;
	bool owner;
	bool subscribed;
	u32 recv_prio;
	spinlock_t user_lock;	/* see above */
	struct kmb_user *user;
	struct kmb_sub sub;
	u32 map_role;
	bool notify_fired;
};

/* The bound mailbox of @mf, or NULL; see struct kmb_file. */
static inline struct kmb *kmb_of(struct kmb_file *mf)
{
	/* Pairs with smp_store_release() in kmb_bind(). */
	return smp_load_acquire(&mf->mbox);
}

/*
 * Tasks to wake once the mailbox lock is dropped, each with a reference
 * held. When it is full, further tasks are woken at once, under the lock,
 * which is correct, only slower.
 */
struct kmb_wake_q {
	unsigned int n;
	struct task_struct *tasks[4];
};

/**
 * struct kmb_wait - how a send or receive may wait
 * @mode: what a call that would sleep gets instead: 0 (it may sleep),
 *	-EAGAIN (non-blocking) or -ETIMEDOUT (the deadline has passed).
 * @deadline: the deadline, in the host's CLOCK_MONOTONIC, or with
 *	MAILBOX_DEADLINE_REALTIME in CLOCK_REALTIME.
 * @until: &@deadline, or NULL for none.
 * @clock: the clock of @deadline: CLOCK_MONOTONIC or CLOCK_REALTIME.
 */
struct kmb_wait {
	int mode;
	ktime_t deadline;
	ktime_t *until;
	clockid_t clock;
};

/*
 * The files, in layers: each calls only the ones above it in this list
 * (and its own layer's where noted), never one below.
 *
 *   quota.c      per-user accounting
 *   registry.c   the name and direct tables, limits, permissions, names
 *   index.c      the sender index of a mailbox's messages
 *   msg.c        a message: copy in, free, the queue, what a receiver sees
 *   waiter.c     sleeping and waking, hand-off between senders and
 *                receivers (trace.c: the wait and wake events)
 *   mapped.c     the ring of a mapped mailbox: claim, mmap, wait, wake
 *   mailbox.c    allocation, references, destruction, poll
 *   notify.c     MAILBOX_IOC_NOTIFY: registering, firing, removing
 *   broadcast.c  the broadcast log and its subscribers
 *   send.c       sending (calls broadcast.c)
 *   recv.c       receiving (calls broadcast.c)
 *   ns.c         the death of an IPC namespace: its mailboxes die too
 *   names.c      create/open/unlink by name, binding, closing
 *   direct.c     direct mailboxes by pid (calls names.c, send.c)
 *   info.c       /proc/mailboxes, STAT, LIST, fdinfo
 *   batch.c      the ioctls that move messages: single, batches, vectored
 *   main.c       the device, ioctl dispatch, parameters
 */

/* quota.c */
struct kmb_user *kmb_user_get(kuid_t uid);
struct kmb_user *kmb_user_current(struct kmb_file *mf);
void kmb_user_put(struct kmb_user *user);
/* The slab caches of messages (msg.c): see kmb_msg_class(). */
#define KMB_CLASS_MIN	128
#define KMB_CLASS_MAX	4096
#define KMB_CLASSES	(1 + 4 * 5)	/* 128, then 4 per power of two */
/*
 * The size class of a message of @size bytes, header included: its index
 * in msg.c's kmb_msg_caches[], or -1 above KMB_CLASS_MAX. The classes are
 * KMB_CLASS_MIN, then four per power of two: 2^k + i * 2^(k-2), for i = 1
 * to 4, up to KMB_CLASS_MAX (160, 192, 224, 256, 320, ... 3584, 4096):
 * an object never wastes more than a quarter of its class.
 */
static inline int kmb_msg_class(size_t size)
{
	unsigned int k, step;

	if (size <= KMB_CLASS_MIN)
		return 0;
	if (size > KMB_CLASS_MAX)
		return -1;
	k = fls(size - 1) - 1;		/* 2^k < size <= 2^(k+1) */
	step = 1U << (k - 2);
	return (k - ilog2(KMB_CLASS_MIN)) * 4 +
	       DIV_ROUND_UP(size - (1U << k), step);
}

/* The object size of class @class. */
static inline size_t kmb_class_size(int class)
{
	unsigned int k;

	if (!class)
		return KMB_CLASS_MIN;
	k = (class - 1) / 4 + ilog2(KMB_CLASS_MIN);
	return (1U << k) + ((class - 1) % 4 + 1) * (1U << (k - 2));
}

size_t kmb_msg_charge(u32 len);
int kmb_user_charge(struct kmb_user *user, size_t charge);
void kmb_user_uncharge(struct kmb_user *user, size_t charge);
int kmb_user_charge_msg(struct kmb_user *user, u32 len);
void kmb_user_uncharge_msg(struct kmb_user *user, u32 len);
void kmb_users_exit(void);

/* registry.c */
extern struct mutex kmb_registry_lock;
extern unsigned int kmb_guests;
struct ipc_namespace *kmb_ipc_current(void);
void kmb_ipc_put(struct ipc_namespace *ipc);
struct kmb_ns *kmb_ns_find(const struct ipc_namespace *ipc);
void kmb_ns_unhash(struct kmb_ns *ns);
void kmb_ns_put(struct kmb_ns *ns);
struct kmb_ns *kmb_ns_first(void);
struct kmb_ns *kmb_ns_next_dead(void);
struct kmb *kmb_ns_live_named(struct kmb_ns *ns);
struct kmb *kmb_lookup(const char *name);
struct kmb *kmb_direct_lookup(struct pid *tgid);
int kmb_link(struct kmb *mb);
void kmb_unhash(struct kmb *mb);
void kmb_unregister(struct kmb *mb);
int kmb_permission(const struct kmb *mb, u32 access);
int kmb_name_of(const struct kmb *mb, struct pid_namespace *ns, char *buf,
		size_t size);

/* index.c */
/*
 * Broadcast mailboxes take no filter, and keep no sender index; a queue or
 * priority mailbox keeps one once &struct kmb.indexed.
 */
static inline bool kmb_indexed(const struct kmb *mb)
{
	return mb->delivery != MAILBOX_DELIVER_BROADCAST;
}

/*
 * A wide priority mailbox (prio_max above MAILBOX_PRIO_MAX) keeps all its
 * queued messages in &struct kmb.msgs[0], sorted by priority, highest
 * first, oldest first within one (bit 0 of &struct kmb.prio_map says it
 * is not empty), instead of one list per priority: a receive takes the
 * first message as from the others' highest list.
 *
 * So that a send or a put-back finds its place without walking that list,
 * a wide mailbox also keeps, under its lock, the newest queued message of
 * each priority (&struct kmb.wide_tail[]) and a two-level bitmap of the
 * priorities that have one (&struct kmb.wide_map, summarised one bit per
 * word in &struct kmb.wide_sum). A message goes after the newest of its
 * own priority, or, first of its priority (a new level, or a message put
 * back at the head), after the newest of the nearest priority above it
 * present, found in the bitmaps: O(1) for a level present, O(prio_max /
 * BITS_PER_LONG^2) word reads otherwise (at most 8 on 64-bit); taking a
 * message out is O(1). The table is allocated once, when the mailbox is
 * created (kmb_wide_alloc(): (prio_max + 1) pointers and the bitmaps,
 * some 260 KiB at MAILBOX_PRIO_MAX_WIDE), charged to its creator like a
 * mapped ring, so that nothing is ever allocated under the lock and no
 * queueing path, a receive's put-back included, can fail for memory.
 */
static inline bool kmb_wide(const struct kmb *mb)
{
	return mb->prio_max > MAILBOX_PRIO_MAX;
}

/* May a message of priority @prio be sent into @mb? */
static inline bool kmb_prio_ok(const struct kmb *mb, u32 prio)
{
	return !prio || (mb->delivery == MAILBOX_DELIVER_PRIORITY &&
			 prio <= mb->prio_max);
}

void kmb_index_build(struct kmb *mb);
void kmb_index_add(struct rb_root *root, struct kmb_msg *msg, bool first);
void kmb_index_del(struct rb_root *root, struct kmb_msg *msg);
struct kmb_msg *kmb_index_first(const struct rb_root *root,
				const struct pid *pid);
struct kmb_msg *kmb_index_first_nr(const struct rb_root *root, pid_t nr,
				   struct pid_namespace *ns);

/* msg.c */
int kmb_msg_caches_init(void);
void kmb_msg_caches_exit(void);
struct kmb_msg *kmb_msg_alloc(struct kmb_file *mf, const void __user *buf,
			      u32 len, u32 prio);
void kmb_msg_free(struct kmb_msg *msg);
u32 kmb_msgs_alloc(struct kmb_file *mf, const struct mailbox_vec_entry *e,
		   struct kmb_msg **msgs, u32 n, int *err);
void kmb_msgs_free(struct kmb_msg **msgs, u32 n);
void kmb_free_msgs(struct list_head *msgs);
int kmb_wide_alloc(struct kmb *mb);
void kmb_wide_free(struct kmb *mb);
void kmb_enqueue(struct kmb *mb, struct kmb_msg *msg, bool head);
void kmb_dequeue(struct kmb *mb, struct kmb_msg *msg);
ktime_t kmb_time_from_user(ktime_t t);
void kmb_fill_recv(struct mailbox_recv *args, const struct kmb_msg *msg);
void kmb_fill_vec_meta(struct mailbox_vec_meta *meta,
		       const struct kmb_msg *msg);
int kmb_copy_out(struct mailbox_recv *args, struct mailbox_recv __user *uarg,
		 const struct kmb_msg *msg);
int kmb_fault_in(const struct mailbox_recv *args,
		 struct mailbox_recv __user *uarg, size_t len);

/* waiter.c */
static inline bool kmb_state_final(int state)
{
	return state == KMB_DONE || state < 0;
}

/*
 * Does receiver @r want @msg? Only its sender filter can say no. A
 * sleeping receiver always has @r->src, or no filter.
 */
static inline bool kmb_wants(const struct kmb_waiter *r,
			     const struct kmb_msg *msg)
{
	if (!r->from)
		return true;
	if (r->src)
		return msg->sender == r->src;
	return pid_nr_ns(msg->sender, r->ns) == r->from;
}

void kmb_wake_waiter(struct kmb_wake_q *q, struct kmb_waiter *w,
		     int state);
void kmb_wake_up(struct kmb_wake_q *q);
void kmb_unlock_wake(struct kmb *mb, struct kmb_wake_q *q)
	__releases(&mb->lock);
void kmb_poll_wake(struct kmb *mb);
int kmb_sleep(struct kmb_waiter *w, struct kmb_wait *wait, bool nonblock);
int kmb_sleep_step(struct kmb_wait *wait, bool *expired);
int kmb_wait_init(struct kmb_wait *wait, u32 flags, u64 deadline_ns,
		  bool nonblock);
int kmb_recv_sleep(struct kmb *mb, struct kmb_waiter *w,
		   struct kmb_wait *wait, size_t size);
void kmb_add_receiver(struct kmb *mb, struct kmb_waiter *w);
void kmb_msg_taken(struct kmb *mb, struct kmb_msg *msg);
void kmb_msg_delivered(struct kmb *mb, struct kmb_msg *msg);
void kmb_add_sender(struct kmb *mb, struct kmb_waiter *w);
void kmb_del_sender(struct kmb *mb, struct kmb_waiter *w);
bool kmb_hand_off(struct kmb *mb, struct kmb_msg *msg, bool fail_small,
		  struct kmb_wake_q *q);
struct kmb_waiter *kmb_pop_sender(struct kmb *mb);
void kmb_refill(struct kmb *mb, struct kmb_wake_q *q);
void kmb_requeue(struct kmb *mb, struct kmb_msg *msg);
void kmb_requeue_vec(struct kmb *mb, struct kmb_msg **msgs, u32 n);

/* trace.c: events around a sleep (kmailbox_trace.h has the others). */
#define KMB_TRACE_SEND	0
#define KMB_TRACE_RECV	1
u64 kmb_trace_wait(const struct kmb *mb, int op, size_t len);
void kmb_trace_wake(const struct kmb *mb, int op, size_t len, int ret,
		    u64 since);

/* mailbox.c */
int kmb_check_sizes(u32 capacity, u32 msg_size_max);
struct kmb *kmb_alloc(struct kmb_file *mf, const char *name, u32 capacity,
		      u32 msg_size_max, u32 delivery);
void kmb_free_unused(struct kmb *mb);
void kmb_put(struct kmb *mb);
u32 kmb_state(const struct kmb *mb);
void kmb_destroy_locked(struct kmb *mb, struct list_head *freeq);
void kmb_destroy(struct kmb *mb, bool drop_file);
void kmb_registry_exit(void);
__poll_t kmb_poll_mask(struct kmb_file *mf);

/* notify.c */
void __kmb_notify_queued(struct kmb *mb, struct kmb_notify *n);

/* A send queued a message into @mb (locked): see __kmb_notify_queued(). */
static inline void kmb_notify_queued(struct kmb *mb, struct kmb_notify *n)
{
	if (unlikely(mb->notify.pid))
		__kmb_notify_queued(mb, n);
}

void kmb_notify_fire(struct kmb *mb, struct kmb_notify *n);
void kmb_notify_flush(struct kmb_file *mf);
void kmb_notify_release(struct kmb_file *mf, struct kmb *mb);
void kmb_notify_exit(struct kmb *mb);
int kmb_ioc_notify(struct kmb_file *mf, struct kmb *mb,
		   const struct mailbox_notify *args);

/* broadcast.c */
u32 kmb_bcast_append(struct kmb *mb, struct kmb_msg *msg,
		     struct kmb_wake_q *q, struct list_head *freeq);
void kmb_bcast_refill(struct kmb *mb, struct kmb_wake_q *q,
		      struct list_head *freeq);
void kmb_sub_join(struct kmb_file *mf, struct kmb *mb);
void kmb_sub_leave(struct kmb_file *mf);
int kmb_bcast_recv(struct kmb_file *mf, struct mailbox_recv *args,
		   struct mailbox_recv __user *uarg, struct kmb_wait *wait);

/* send.c */
int kmb_check_send(const struct mailbox_send *args);
int kmb_send_msg(struct kmb_file *mf, struct kmb *mb,
		 struct mailbox_send *args, struct kmb_wait *wait);
int kmb_send(struct kmb_file *mf, struct mailbox_send *args, bool nonblock);

/* recv.c */
struct kmb_msg *kmb_next(struct kmb *mb, const struct kmb_waiter *r,
			 struct kmb_waiter **holder);
struct kmb_msg *kmb_take(struct kmb *mb, const struct kmb_waiter *r,
			 u32 *need, struct kmb_wake_q *q);
int kmb_recv(struct kmb_file *mf, struct mailbox_recv *args,
	     struct mailbox_recv __user *uarg, bool nonblock);

/* mapped.c */
int kmb_ring_check(const struct mailbox_create *args);
int kmb_ring_alloc(struct kmb *mb);
void kmb_ring_free(struct kmb *mb);
int kmb_ring_look(struct kmb *mb);
__poll_t kmb_ring_poll_mask(struct kmb_file *mf);
long kmb_ioc_map(struct kmb_file *mf, struct kmb *mb,
		 struct mailbox_map __user *uarg);
long kmb_ioc_map_wait(struct kmb_file *mf, struct kmb *mb,
		      const struct mailbox_map_wait __user *uarg,
		      bool nonblock);
int kmb_ring_mmap(struct kmb_file *mf, struct vm_area_struct *vma);
void kmb_ring_release(struct kmb_file *mf);

/* ns.c */
void kmb_ns_reaper_kick(void);
void kmb_ns_exit(void);

/* names.c */
int kmb_lock_unbound(struct kmb_file *mf);
void kmb_bind(struct kmb_file *mf, struct kmb *mb, u32 access,
	      bool owner);
int kmb_link_bind(struct kmb_file *mf, struct kmb *mb, u32 access);
int kmb_ioc_create(struct kmb_file *mf, const struct mailbox_create *args);
int kmb_ioc_open(struct kmb_file *mf, const struct mailbox_open *args);
int kmb_ioc_unlink(const struct mailbox_unlink *args);
int kmb_ioc_create2(struct kmb_file *mf, const struct mailbox_create2 *args);
int kmb_ioc_open2(struct kmb_file *mf, const struct mailbox_open2 *args);
int kmb_ioc_unlink2(const struct mailbox_unlink2 *args);
void kmb_file_release(struct kmb_file *mf);

/* direct.c */
struct kmb *kmb_direct_get(pid_t nr);
int kmb_ioc_open_direct(struct kmb_file *mf,
			const struct mailbox_direct *args);
int kmb_ioc_set_policy(struct kmb_file *mf,
		       const struct mailbox_policy *args);
void kmb_direct_flush(struct kmb_file *mf);
int kmb_send_to(struct kmb_file *mf, struct mailbox_send *args,
		bool nonblock);

/* info.c */
int kmb_proc_init(void);
void kmb_proc_exit(void);
const char *kmb_delivery_name(const struct kmb *mb);
void kmb_fill_info(struct kmb *mb, const struct kmb_file *mf,
		   struct mailbox_info *info);
long kmb_ioc_list(struct mailbox_list __user *uarg);
void kmb_show_fdinfo(struct seq_file *m, struct kmb_file *mf);

/* batch.c */
/* Where a send goes. */
enum kmb_send_target {
	KMB_TO_BOUND,		/* MAILBOX_IOC_SEND: the bound mailbox */
	KMB_TO_PID,		/* MAILBOX_IOC_SEND_TO: a direct mailbox */
	KMB_TO_EITHER,		/* a batch entry: by its to_pid */
};

long kmb_ioctl_send(struct kmb_file *mf, struct mailbox_send __user *uarg,
		    enum kmb_send_target target, bool nonblock);
long kmb_ioctl_recv(struct kmb_file *mf, struct mailbox_recv __user *uarg,
		    bool nonblock);
long kmb_ioctl_batch(struct kmb_file *mf, struct mailbox_batch __user *uarg,
		     bool recv, bool nonblock);
long kmb_ioctl_vec(struct kmb_file *mf, struct mailbox_vec __user *uarg,
		   bool recv, bool nonblock);

#endif /* _KMAILBOX_H */
