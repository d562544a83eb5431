/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Kernel-resident mailboxes: message passing through /dev/mailbox.
 *
 * Every open() of /dev/mailbox gives one descriptor. MAILBOX_IOC_CREATE or
 * MAILBOX_IOC_OPEN binds the descriptor to a named mailbox (once; a second
 * bind fails with -EBUSY); MAILBOX_IOC_SEND and MAILBOX_IOC_RECV then move
 * messages through it. On an unbound descriptor, the calls that need a
 * mailbox (SEND, RECV, RECV_BATCH, a SEND_BATCH entry without @to_pid,
 * SENDV, RECVV, STAT, SET_POLICY, SET_RECV_PRIO) fail with -EBADFD, and
 * poll() reports EPOLLERR; CREATE, OPEN, UNLINK, OPEN_DIRECT, SEND_TO,
 * VERSION and LIST work.
 *
 * Conventions shared by every ioctl:
 *  - all structures have a fixed size, identical for 32-bit and 64-bit
 *    callers; user pointers travel as __u64;
 *  - reserved fields and unknown flag bits must be zero (-EINVAL);
 *  - an unreadable or unwritable argument gives -EFAULT, an unknown ioctl
 *    -ENOTTY;
 *  - a blocking call interrupted by a signal is restarted under SA_RESTART
 *    and otherwise fails with -EINTR; it has changed nothing (a message it
 *    was sending is taken back), so restarting it is always safe;
 *  - deadlines are absolute CLOCK_MONOTONIC times in nanoseconds, as the
 *    caller's time namespace reads that clock, so a restarted call does not
 *    wait longer than the first one would have (or, since 1.5, with
 *    MAILBOX_DEADLINE_REALTIME, absolute CLOCK_REALTIME times).
 *
 * poll() on a bound descriptor reports EPOLLIN when a receive would not
 * sleep, EPOLLOUT when a send would not, and EPOLLHUP (with EPOLLIN and
 * EPOLLOUT, so that waiters notice) once the mailbox is destroyed.
 *
 * MAILBOX_IOC_LIST describes the mailboxes to programs, in the fixed
 * layout of struct mailbox_info; /proc/mailboxes is their human view.
 *
 * Containers: mailboxes belong to IPC namespaces, as POSIX and System V
 * message queues do. CREATE, OPEN and UNLINK resolve names in the
 * caller's IPC namespace, so two namespaces may each have a mailbox of
 * one name; a descriptor stays bound to its mailbox whatever namespace
 * its process later enters. A direct mailbox belongs to the IPC
 * namespace its owner was in when it created it (where it is listed and
 * counted); SEND_TO reaches it by pid, from wherever that pid is
 * visible. The max_mailboxes module parameter limits each namespace
 * (-ENOSPC), max_mailboxes_total all of them. When an IPC namespace dies
 * (no process, no open or bind-mounted /proc/PID/ns/ipc left), its named
 * mailboxes are destroyed within about a second, as an owned mailbox
 * with its owner: their messages freed, their senders' quotas and the
 * counts returned, and a descriptor still bound to one elsewhere gets
 * -EIDRM. The mode's owner overrides (CAP_IPC_OWNER for access,
 * CAP_SYS_ADMIN to unlink) count in the user namespace that owns the
 * mailbox's IPC namespace, as ipc/ checks them. The device and the
 * module parameters are shared by every namespace.
 *
 * /proc/mailboxes lists every live mailbox of the IPC namespace of the
 * task that opened it, one line each after a header line, in
 * whitespace-separated columns: name (with space, tab, newline and
 * backslash escaped as octal), uid, gid, mode (octal), capacity, msgsize,
 * depth, bytes, sent, received, sblocked, rblocked, swait, rwait, state
 * (linked, unlinked or dead), flags (owned, direct, mapped, owned,mapped
 * or -), delivery (queue, priority or broadcast), waiters (the receive priorities of the sleeping
 * receivers in the order they will be served, comma-separated, or -) and
 * backlog (broadcast: the messages each subscribed descriptor has yet to
 * read, comma-separated, or -) and dropped (struct mailbox_info.dropped).
 * A direct mailbox is named pid/N, N being its owner's pid in the reader's
 * pid namespace. Columns may be added at the end of the line in future.
 *
 * Who pays: a mailbox counts against the user_mailboxes_max limit of its
 * owner, the effective uid that created it, and a message against the
 * user_bytes_max quota of its sender, the effective uid of the task that
 * sent it when it sent it (the uid a receiver sees as sender_uid), until it
 * is received, taken back or dropped. Whoever opened the descriptor does
 * not matter: a descriptor passed on with SCM_RIGHTS, inherited or kept
 * across setuid() charges the user that uses it, as System V and POSIX IPC
 * charge the caller. A message costs its kernel allocation: a header
 * (struct mailbox_version.msg_header bytes, 96 in this version) plus its
 * length, rounded up to the size class of the module's message slab
 * caches up to 4096 bytes: 128, then four classes per power of two (160,
 * 192, 224, 256, 320, 384, 448, 512, ... 3072, 3584, 4096); above, as
 * kmalloc() rounds (8192 bytes, then a power-of-two number of pages on
 * x86-64, and past kmalloc()'s largest size, 4 MiB there, whole pages):
 * an empty message costs 128 bytes, one of 64 bytes 160, one of 928 bytes
 * 1024, one of 4000 bytes 4096, one of 4096 bytes 8192.
 *
 * Three ways to deliver, chosen per mailbox when it is created (struct
 * mailbox_create.delivery):
 *  - MAILBOX_DELIVER_QUEUE: each message goes to exactly one receiver, the
 *    oldest message first. A sleeping receiver is handed a new message
 *    directly; when several sleep, the one of highest receive priority
 *    (MAILBOX_IOC_SET_RECV_PRIO) is served first, equal priorities in the
 *    order they began to wait.
 *  - MAILBOX_DELIVER_PRIORITY: as QUEUE, but messages carry a priority
 *    (0 to MAILBOX_PRIO_MAX, or to the struct mailbox_create2.prio_max
 *    the mailbox was made with) and a receive takes the highest first, the
 *    oldest first within a priority, as POSIX message queues do.
 *  - MAILBOX_DELIVER_BROADCAST: every descriptor bound with
 *    MAILBOX_ACCESS_RECV (a subscriber) receives every message sent while
 *    it is bound, in order. One copy of a message is kept, whatever the
 *    number of subscribers, and freed when the last of them has received
 *    it or closed. The capacity bounds the backlog of the slowest
 *    subscriber: a send sleeps (or fails with -EAGAIN) while any subscriber
 *    has @capacity messages unread. A message sent while nobody subscribes
 *    reaches nobody; the send reports that as zero receivers.
 *
 * Direct communication: every process (thread group) may have one direct
 * mailbox, created by its first MAILBOX_IOC_OPEN_DIRECT. Anyone the owner's
 * policy allows sends to it by pid with MAILBOX_IOC_SEND_TO; the owner
 * receives through the descriptors it bound, taking messages from anyone or
 * only from one process (struct mailbox_recv.from_pid). The direct mailbox
 * is destroyed when its owner exits or the last descriptor bound to it is
 * closed: its queued messages are freed, and sleeping senders, as every
 * later call on it, fail with -EPIPE. The owner's exit is seen when its
 * last thread closes its descriptors: a descriptor the owner no longer
 * holds itself (passed on and closed, or in a descriptor table it shares
 * with another process) keeps the mailbox until that descriptor closes.
 */

#ifndef _UAPI_LINUX_KMAILBOX_H
#define _UAPI_LINUX_KMAILBOX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** @MAILBOX_NAME_LEN: size of a name buffer; names are 1 to 63 bytes. */
#define MAILBOX_NAME_LEN	64
/*
 * @MAILBOX_NAME_MAX: longest name MAILBOX_IOC_CREATE2, OPEN2 and UNLINK2
 * take (NAME_MAX, as mq_open()). Since 1.5.
 */
#define MAILBOX_NAME_MAX	255

/* Access a descriptor asks for when it binds (struct mailbox_create/open). */
#define MAILBOX_ACCESS_SEND	0x1		/* needs write permission */
#define MAILBOX_ACCESS_RECV	0x2		/* needs read permission */
#define MAILBOX_ACCESS_ALL	(MAILBOX_ACCESS_SEND | MAILBOX_ACCESS_RECV)

/* struct mailbox_create.delivery: see above. */
#define MAILBOX_DELIVER_QUEUE		0
#define MAILBOX_DELIVER_PRIORITY	1
#define MAILBOX_DELIVER_BROADCAST	2

/* Highest message priority, and highest receive priority; both start at 0. */
#define MAILBOX_PRIO_MAX	31
/*
 * Highest message priority of a mailbox made with MAILBOX_IOC_CREATE2 and
 * a struct mailbox_create2.prio_max above MAILBOX_PRIO_MAX (a "wide"
 * priority mailbox): MQ_PRIO_MAX - 1 of Linux. Since 1.5.
 */
#define MAILBOX_PRIO_MAX_WIDE	32767

/* struct mailbox_direct.policy and struct mailbox_policy.policy */
#define MAILBOX_POLICY_ANY	0	/* anyone may send */
#define MAILBOX_POLICY_UID	1	/* senders whose euid is the owner's */
#define MAILBOX_POLICY_LIST	2	/* only the processes listed */
/* Most processes a MAILBOX_POLICY_LIST may name. */
#define MAILBOX_POLICY_LIST_MAX	64

/* struct mailbox_create.flags */
#define MAILBOX_CREATE_EXCL	0x1		/* fail with -EEXIST if it exists */
#define MAILBOX_CREATE_OWNED	0x2		/* destroyed when this fd closes */
#define MAILBOX_CREATE_MAPPED	0x4		/* a mapped ring: see below */
/* struct mailbox_create2.flags only: mode &= ~umask, as open(2) does */
#define MAILBOX_CREATE_UMASK	0x8
/* struct mailbox_info.flags: also MAILBOX_CREATE_OWNED */
#define MAILBOX_INFO_MAPPED	MAILBOX_CREATE_MAPPED	/* a mapped mailbox */
#define MAILBOX_INFO_DIRECT	0x100		/* a process's direct mailbox */
#define MAILBOX_INFO_NAME_LONG	0x200		/* @name is cut: see below */

/* struct mailbox_send.flags and struct mailbox_recv.flags */
#define MAILBOX_NONBLOCK	0x1		/* -EAGAIN instead of sleeping */
#define MAILBOX_DEADLINE	0x2		/* sleep at most until deadline_ns */
/* struct mailbox_send.flags only */
#define MAILBOX_SEND_WAIT	0x4		/* return once a receiver took it */
/* struct mailbox_recv.flags only */
#define MAILBOX_RECV_PEEK	0x8		/* describe the next message only */

/* struct mailbox_info.state */
#define MAILBOX_STATE_LINKED	0	/* reachable by name */
#define MAILBOX_STATE_UNLINKED	1	/* name removed, still open */
#define MAILBOX_STATE_DEAD	2	/* destroyed: every call gets -EIDRM */

/**
 * struct mailbox_create - create a mailbox, or open it if it exists
 * @name: NUL-terminated name, 1 to 63 bytes, no '/', no control characters.
 * @flags: MAILBOX_CREATE_EXCL, MAILBOX_CREATE_OWNED, MAILBOX_CREATE_MAPPED
 *	(see "Mapped mailboxes" below).
 * @access: MAILBOX_ACCESS_SEND and/or MAILBOX_ACCESS_RECV; at least one.
 *	The creator gets the access it asks for whatever @mode says; a caller
 *	that opens an existing mailbox is checked against its mode.
 * @mode: permission bits (0 to 0777) in the owner/group/other layout of
 *	files: write permits sending, read permits receiving.
 * @capacity: messages the mailbox holds; 0 makes it a rendezvous, where a
 *	send completes only when a receiver takes the message. Mapped: the
 *	ring's slots, a power of two, at least 2.
 * @msg_size_max: largest message in bytes, 1 up to the module's limit.
 *	Mapped: the payload size of a slot.
 * @delivery: MAILBOX_DELIVER_QUEUE, _PRIORITY or _BROADCAST. A broadcast
 *	mailbox needs a @capacity of at least 1.
 * @reserved: must be zero.
 *
 * When the mailbox already exists and MAILBOX_CREATE_EXCL is not set, the
 * call opens it and @mode, @capacity, @msg_size_max, @delivery and
 * MAILBOX_CREATE_OWNED and MAILBOX_CREATE_MAPPED are ignored, as mq_open()
 * ignores its attributes.
 */
struct mailbox_create {
	char name[MAILBOX_NAME_LEN];
	__u32 flags;
	__u32 access;
	__u32 mode;
	__u32 capacity;
	__u32 msg_size_max;
	__u32 delivery;
	__u64 reserved[4];
};

/**
 * struct mailbox_open - open an existing mailbox
 * @name: as for struct mailbox_create.
 * @access: MAILBOX_ACCESS_SEND and/or MAILBOX_ACCESS_RECV; at least one.
 * @flags: must be zero.
 * @reserved: must be zero.
 */
struct mailbox_open {
	char name[MAILBOX_NAME_LEN];
	__u32 access;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct mailbox_unlink - remove a mailbox's name
 * @name: as for struct mailbox_create.
 * @flags: must be zero.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 *
 * The mailbox lives on while descriptors are bound to it; the name can be
 * used again at once. Only the mailbox's owner or a caller with
 * CAP_SYS_ADMIN (in the user namespace owning the caller's IPC
 * namespace) may unlink it.
 */
struct mailbox_unlink {
	char name[MAILBOX_NAME_LEN];
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct mailbox_send - send one message
 * @buf: user address of the message.
 * @len: its length in bytes, 0 up to the mailbox's msg_size_max.
 * @flags: MAILBOX_NONBLOCK or MAILBOX_DEADLINE (not both), and
 *	MAILBOX_SEND_WAIT (not on a broadcast mailbox); with
 *	MAILBOX_DEADLINE, MAILBOX_DEADLINE_REALTIME (since 1.5). A
 *	descriptor opened with O_NONBLOCK is always non-blocking.
 * @deadline_ns: with MAILBOX_DEADLINE, absolute CLOCK_MONOTONIC time at
 *	which a sleeping send gives up with -ETIMEDOUT; otherwise zero.
 * @receiver_pid: out: with MAILBOX_SEND_WAIT, or on a rendezvous mailbox,
 *	the pid (thread-group id, in the caller's pid namespace) of the
 *	process that received the message; otherwise 0.
 * @priority: the message's priority, 0 to MAILBOX_PRIO_MAX (to the
 *	mailbox's prio_max: see struct mailbox_create2), on a
 *	MAILBOX_DELIVER_PRIORITY mailbox; must be zero on others.
 * @to_pid: MAILBOX_IOC_SEND_TO: the process (any of its thread ids, in the
 *	caller's pid namespace) whose direct mailbox gets the message.
 *	MAILBOX_IOC_SEND: must be zero.
 * @receivers: out: the receivers the message was given to: on a broadcast
 *	mailbox the subscribers it was queued for (0 when there were none),
 *	otherwise 1. @receiver_pid and @receivers are written only by a send
 *	that succeeds; one that fails leaves them as they were.
 * @reserved: must be zero.
 *
 * The message is copied in at once. When a receiver is waiting it is handed
 * the message directly; otherwise the message is queued, and when the
 * mailbox is full the sender sleeps (or gets -EAGAIN, or -ETIMEDOUT).
 * With MAILBOX_SEND_WAIT, or on a rendezvous mailbox, the call returns
 * only when a receiver has received the message, that is, copied it into
 * its buffer; a non-blocking such send succeeds only if a receiver is
 * already waiting. On a mailbox with capacity, a non-blocking
 * MAILBOX_SEND_WAIT send (MAILBOX_NONBLOCK or O_NONBLOCK) may also fail
 * with -EAGAIN although a receiver is waiting, when that receiver must
 * first fault its buffer in (a page it has not touched yet, or one swapped
 * out): the message is not lost, the send took it back and the caller
 * still has it to send again. A receiver sleeping on a rendezvous mailbox
 * faults its buffer in before it sleeps, so there this happens only if
 * its memory goes away meanwhile. A send that fails or is interrupted takes its message
 * back: it is never delivered. Once a receiver is copying the message out
 * it can no longer be taken back, so for that short time the send waits
 * through signals and past its deadline; only SIGKILL ends it. That copy
 * never waits for the receiver's memory (it is made with page faults
 * disabled), so nothing the receiver does can make it last: should the
 * copy meet a page that is not there, the message goes back to the head
 * of the mailbox and the send goes on waiting, its deadline and signals
 * counting again, while the receiver faults its memory in.
 */
struct mailbox_send {
	__u64 buf;
	__u32 len;
	__u32 flags;
	__u64 deadline_ns;
	__s32 receiver_pid;
	__u32 priority;
	__s32 to_pid;
	__u32 receivers;
	__u64 reserved[2];
};

/**
 * struct mailbox_recv - receive the next message
 * @buf: user address of the buffer; may be 0 when @size is 0.
 * @size: size of the buffer in bytes.
 * @flags: MAILBOX_NONBLOCK or MAILBOX_DEADLINE (not both), or
 *	MAILBOX_RECV_PEEK alone; with MAILBOX_DEADLINE,
 *	MAILBOX_DEADLINE_REALTIME (since 1.5).
 * @deadline_ns: as for struct mailbox_send.
 * @len: out: length of the message.
 * @sender_pid: out: pid (thread-group id) of the sender, in the caller's
 *	pid namespace; 0 if the sender is not visible there.
 * @sender_uid: out: effective uid of the sender when it sent, in the
 *	caller's user namespace.
 * @priority: out: the message's priority (always 0 unless the mailbox is
 *	MAILBOX_DELIVER_PRIORITY).
 * @send_time_ns: out: CLOCK_MONOTONIC time at which it was sent, in the
 *	caller's time namespace.
 * @from_pid: 0 to take the next message from anyone. Otherwise take only
 *	messages sent by that process (its pid in the caller's namespace);
 *	messages from others stay queued, in order. The pid is looked up
 *	once, when the call begins: the messages of the process that has it
 *	then are taken (a receiver asleep is not given those of a later
 *	process that reuses the pid). When no process has it, the messages
 *	still queued from a process that had it and exited are taken. When
 *	no message from it is there and no process has that pid, the call
 *	fails with -ESRCH instead of sleeping (a receiver already asleep is
 *	not woken when that process exits: give it a deadline). Not on a
 *	broadcast mailbox. Finding the message does not walk the queue: it
 *	costs O(log S) under the mailbox lock, S being the distinct (sender,
 *	priority) pairs queued, whatever the queue's length; only for a pid
 *	that no process has does it cost O(S). The mailbox's first receive
 *	or PEEK that filters by sender builds that index, O(N log S) once
 *	for N messages in it; a mailbox never filtered keeps none, and its
 *	sends and receives pay nothing for it.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 *
 * The next message is the oldest one (the oldest of the highest priority on
 * a MAILBOX_DELIVER_PRIORITY mailbox), or on a broadcast mailbox the oldest
 * this descriptor has not received yet. Threads receiving on one broadcast
 * descriptor take turns, each turn a bounded copy: a non-blocking receive
 * or PEEK gets a message that waits even while another thread's receive
 * is under way, and a deadline holds.
 *
 * On success the message is copied to @buf and the call returns its
 * length. When @size is smaller than the message the call fails with
 * -EMSGSIZE, sets @len to the length needed and leaves the message queued.
 * When @buf cannot be written the call fails with -EFAULT and the message
 * goes back to the head of the mailbox, for this or another receiver. A
 * page of @buf or of this structure that is only missing (not yet
 * touched, swapped out, userfaultfd, FUSE) is faulted in with the message
 * put back meanwhile, and the receive starts over as its flags and
 * deadline still allow (a non-blocking one whose message went meanwhile
 * fails with -EAGAIN): a receiver stalled on its own memory holds no
 * message, and no sender, while it waits.
 * With MAILBOX_RECV_PEEK the call never sleeps and removes nothing: it
 * fills @len, @sender_pid, @sender_uid and @send_time_ns for the message a
 * receive would take next (@buf and @size must be zero), or fails with
 * -EAGAIN when there is none.
 */
struct mailbox_recv {
	__u64 buf;
	__u32 size;
	__u32 flags;
	__u64 deadline_ns;
	__u32 len;
	__s32 sender_pid;
	__u32 sender_uid;
	__u32 priority;
	__u64 send_time_ns;
	__s32 from_pid;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct mailbox_info - state of a mailbox: MAILBOX_IOC_STAT fills one for
 * the bound mailbox, MAILBOX_IOC_LIST one per listed mailbox
 * @name: its name.
 * @state: MAILBOX_STATE_LINKED, _UNLINKED or _DEAD.
 * @mode: permission bits.
 * @uid: owner uid, in the caller's user namespace.
 * @gid: owner gid, in the caller's user namespace.
 * @capacity: capacity in messages (0: rendezvous).
 * @msg_size_max: largest message in bytes.
 * @depth: messages queued now.
 * @next_len: length of the message a receive would take next; valid only
 *	when @depth or @senders_waiting is non-zero. On a broadcast mailbox
 *	the next message of this descriptor (0 when it is not subscribed,
 *	and in a MAILBOX_IOC_LIST entry).
 * @bytes: bytes queued now.
 * @receivers_waiting: receivers sleeping now.
 * @senders_waiting: senders sleeping now with their message in hand
 *	because the mailbox is full (or, for a rendezvous, until a receiver
 *	comes). A delivery-waiting sender whose message is queued is not
 *	counted: its message is, in @depth.
 * @access: the access this descriptor holds (MAILBOX_ACCESS_*); 0 in a
 *	MAILBOX_IOC_LIST entry, as @recv_priority and @backlog, which
 *	describe a descriptor too.
 * @flags: MAILBOX_CREATE_OWNED if the mailbox dies with its creator,
 *	MAILBOX_INFO_DIRECT for a direct mailbox (whose @name is pid/N),
 *	MAILBOX_INFO_MAPPED for a mapped one (see "Mapped mailboxes": its
 *	@depth, @sent and @received are what the kernel saw of the ring's
 *	indices, and @bytes and @next_len are 0).
 * @sent: messages accepted since creation, less those taken back by sends
 *	that failed or were interrupted afterwards.
 * @received: messages taken by receivers since creation.
 * @dropped: messages accepted and never received: queued when the mailbox
 *	was destroyed (its creator closed an owned mailbox, or a direct
 *	mailbox's owner exited), or being copied out then by a receive that
 *	failed. Messages of senders asleep then are not counted: those sends
 *	fail, nothing was accepted. At all times @sent == @received +
 *	@depth + @dropped; @dropped is 0 until the mailbox is destroyed.
 * @send_blocked: sends that had to sleep.
 * @recv_blocked: receives that had to sleep.
 * @delivery: MAILBOX_DELIVER_*.
 * @recv_priority: this descriptor's receive priority.
 * @backlog: broadcast: messages this descriptor has yet to receive.
 * @subscribers: broadcast: descriptors bound with MAILBOX_ACCESS_RECV.
 * @owner_pid: direct mailbox: its owner, in the caller's pid namespace (0
 *	if not visible there); otherwise 0.
 * @prio_max: the highest message priority the mailbox takes: 31
 *	(MAILBOX_PRIO_MAX) for every mailbox but one made by
 *	MAILBOX_IOC_CREATE2 with a larger struct mailbox_create2.prio_max.
 *	Modules before 1.5 leave it 0: read 0 as 31.
 *
 * On a broadcast mailbox @depth counts the messages some subscriber has
 * yet to receive (the slowest subscriber's backlog), @received the
 * messages every subscriber has received, and @dropped those that some
 * subscriber had yet to receive when the mailbox was destroyed.
 *
 * @dropped took the place of two reserved words, so that the structure's
 * size and the other fields' offsets are unchanged; older modules, which
 * did not count dropped messages, leave it 0. @prio_max took the place of
 * the last reserved word in 1.5.
 *
 * A name longer than 63 bytes (MAILBOX_IOC_CREATE2) does not fit @name:
 * @name holds its first 63 bytes, NUL-terminated, and @flags has
 * MAILBOX_INFO_NAME_LONG. /proc/mailboxes and fdinfo show the whole name.
 */
struct mailbox_info {
	char name[MAILBOX_NAME_LEN];
	__u32 state;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 capacity;
	__u32 msg_size_max;
	__u32 depth;
	__u32 next_len;
	__u64 bytes;
	__u32 receivers_waiting;
	__u32 senders_waiting;
	__u32 access;
	__u32 flags;
	__u64 sent;
	__u64 received;
	__u64 send_blocked;
	__u64 recv_blocked;
	__u32 delivery;
	__u32 recv_priority;
	__u32 backlog;
	__u32 subscribers;
	__s32 owner_pid;
	__u32 prio_max;
	__u64 dropped;
};

/**
 * struct mailbox_direct - bind to the caller's own direct mailbox
 * @capacity: as for struct mailbox_create.
 * @msg_size_max: as for struct mailbox_create.
 * @delivery: MAILBOX_DELIVER_QUEUE or MAILBOX_DELIVER_PRIORITY.
 * @flags: must be zero.
 * @policy: who may send: MAILBOX_POLICY_ANY, _UID or _LIST.
 * @count: MAILBOX_POLICY_LIST: number of pids in @pids, 1 to
 *	MAILBOX_POLICY_LIST_MAX; otherwise zero.
 * @pids: MAILBOX_POLICY_LIST: user address of @count __s32 pids (in the
 *	caller's pid namespace) of the processes that may send; each must
 *	name a live process (-ESRCH). Otherwise zero.
 * @reserved: must be zero.
 *
 * When the caller's process already has a direct mailbox the descriptor is
 * bound to it and the attributes and policy are ignored (though still
 * checked), as for mailbox_create.
 */
struct mailbox_direct {
	__u32 capacity;
	__u32 msg_size_max;
	__u32 delivery;
	__u32 flags;
	__u32 policy;
	__u32 count;
	__u64 pids;
	__u64 reserved[2];
};

/**
 * struct mailbox_policy - who may send to a direct mailbox
 * @policy: MAILBOX_POLICY_ANY, _UID or _LIST.
 * @count: as for struct mailbox_direct.
 * @pids: as for struct mailbox_direct.
 * @reserved: must be zero.
 */
struct mailbox_policy {
	__u32 policy;
	__u32 count;
	__u64 pids;
	__u64 reserved[2];
};

/**
 * struct mailbox_recv_prio - a descriptor's receive priority
 * @priority: 0 (the default) to MAILBOX_PRIO_MAX; higher is served first.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * A receiver that begins to sleep takes the priority its descriptor has
 * then. Broadcast mailboxes ignore it: every subscriber gets every message.
 */
struct mailbox_recv_prio {
	__u32 priority;
	__u32 flags;
	__u64 reserved;
};

/** @MAILBOX_BATCH_MAX: most entries in one batch. */
#define MAILBOX_BATCH_MAX	1024

/**
 * struct mailbox_batch - several sends or receives in one call
 * @msgs: user address of @count entries: struct mailbox_send for
 *	MAILBOX_IOC_SEND_BATCH, struct mailbox_recv for MAILBOX_IOC_RECV_BATCH.
 *	Each entry is checked and done as the single call would do it, and
 *	its results are written back to it.
 * @count: entries, 1 to MAILBOX_BATCH_MAX.
 * @flags: must be zero.
 * @done: out: the entries done; must be zero.
 * @error: out: 0 when all @count were done, else the negative errno that
 *	entry @done failed with (-EAGAIN: it would have slept); must be zero.
 * @reserved: must be zero.
 *
 * The entries are taken in order. The first may sleep as its flags and the
 * descriptor allow; the others never sleep: the first that would ends the
 * batch with -EAGAIN, and so does any other error. The call returns the
 * number of entries done when it is at least 1; when the first entry
 * fails, it returns that entry's error, as the single call would, and
 * then nothing was sent or received. Once an entry is done it counts, even
 * should its results, @done or @error turn unwritable meanwhile (they were
 * checked writable first): the call never reports -EFAULT for messages it
 * moved. A failed entry has no effect: a
 * message that could not be copied out stays first in the mailbox. The
 * tasks an entry wakes (a sender whose message it took, a receiver it
 * handed a message) are woken at once, not when the batch ends.
 *
 * In a send batch, an entry whose @to_pid is zero goes to the descriptor's
 * mailbox (which needs send access), one whose @to_pid is a pid to that
 * process's direct mailbox, as MAILBOX_IOC_SEND_TO.
 */
struct mailbox_batch {
	__u64 msgs;
	__u32 count;
	__u32 flags;
	__u32 done;
	__s32 error;
	__u64 reserved[2];
};

/* struct mailbox_vec.flags, MAILBOX_IOC_RECVV only */
#define MAILBOX_VEC_META	0x10		/* fill the @meta array */

/**
 * struct mailbox_vec_entry - one message of a vectored call
 * @buf: user address of the message (MAILBOX_IOC_SENDV) or of the buffer
 *	for it (MAILBOX_IOC_RECVV); may be 0 when @len is 0.
 * @len: send: the message's length, 0 up to the mailbox's msg_size_max.
 *	Receive: in, the buffer's size; out, the length of the message
 *	received into it; for the entry that failed with -EMSGSIZE, the
 *	length of the message that did not fit.
 * @priority: send: the message's priority, 0 to MAILBOX_PRIO_MAX on a
 *	MAILBOX_DELIVER_PRIORITY mailbox, zero on others. Receive: ignored
 *	in; out, the message's priority.
 */
struct mailbox_vec_entry {
	__u64 buf;
	__u32 len;
	__u32 priority;
};

/**
 * struct mailbox_vec_meta - who sent a message received by MAILBOX_IOC_RECVV
 * @sender_pid: as struct mailbox_recv.sender_pid.
 * @sender_uid: as struct mailbox_recv.sender_uid.
 * @send_time_ns: as struct mailbox_recv.send_time_ns.
 */
struct mailbox_vec_meta {
	__s32 sender_pid;
	__u32 sender_uid;
	__u64 send_time_ns;
};

/**
 * struct mailbox_vec - a vectored send or receive
 * @vec: user address of @count struct mailbox_vec_entry.
 * @meta: MAILBOX_IOC_RECVV with MAILBOX_VEC_META: user address of @count
 *	struct mailbox_vec_meta, entry i describing the message of @vec
 *	entry i. Otherwise zero.
 * @count: entries, 1 to MAILBOX_BATCH_MAX.
 * @flags: MAILBOX_NONBLOCK or MAILBOX_DEADLINE (not both), for the first
 *	entry, and with MAILBOX_DEADLINE, MAILBOX_VEC_DEADLINE_REALTIME
 *	(since 1.5); MAILBOX_VEC_META (receive only). A descriptor opened
 *	with O_NONBLOCK is always non-blocking.
 * @deadline_ns: with MAILBOX_DEADLINE, as for struct mailbox_send;
 *	otherwise zero.
 * @done: out: the entries done; must be zero.
 * @error: out: 0 when all @count were done, else the negative errno that
 *	entry @done failed with (-EAGAIN: it would have slept); must be zero.
 * @reserved: must be zero.
 *
 * The vectored calls move the same messages as MAILBOX_IOC_SEND_BATCH and
 * MAILBOX_IOC_RECV_BATCH, with the same outcome, at a fraction of the
 * cost: the entries are copied in at once, 16 bytes each; a send copies
 * every message in before it takes the mailbox lock, and then places all
 * it can in one hold of the lock; a receive takes all it can in one hold
 * of the lock and then copies them out. Each task a call wakes (a
 * receiver handed a message, a sender whose message found room) is woken
 * once, when the call drops the lock.
 *
 * The entries are taken in order, never reordered. The messages a send
 * places in one hold of the lock are not interleaved with other senders'
 * (all of them, unless its first entry had to sleep: that one goes
 * alone, the others in a second hold). Only the first entry may sleep,
 * as @flags and the descriptor allow: when nothing can be done without
 * sleeping, the call sleeps until the first entry can be done, and then
 * does as many more as it can without sleeping. Any other
 * entry that would sleep ends the batch with -EAGAIN, as does any other
 * error. The call returns the number of entries done when it is at least
 * 1; when the first entry fails it returns that entry's error, as the
 * single call would, and then nothing was sent or received and @done and
 * @error are as they were. A failed entry
 * has no effect: a message that was not sent is nobody's, one that could
 * not be received (too big for its buffer, -EMSGSIZE; a buffer that
 * cannot be written, -EFAULT) stays first in the mailbox, before the
 * messages of the entries after it, all in their order. Once an entry is
 * done it counts, even should @vec, @meta, @done or @error turn
 * unwritable meanwhile (@done and @error were checked writable first):
 * the call never reports -EFAULT for messages it moved.
 *
 * Receive: the results of the entries done (@len, @priority, and with
 * MAILBOX_VEC_META the @meta entries) are written back; those of the
 * entries not done may have been written too, and mean nothing (but the
 * @len of one that failed with -EMSGSIZE). The messages are copied out
 * without waiting for the receiver's memory: a buffer that is not there
 * (a page never touched, or swapped out) puts the messages not yet copied
 * back, first and in order, then the call faults that memory in and goes
 * on from that entry, as a batch of MAILBOX_IOC_RECV would; memory that
 * cannot be written ends the batch with -EFAULT there.
 *
 * The vectored calls take no per-entry flags: not MAILBOX_SEND_WAIT, nor
 * MAILBOX_RECV_PEEK, nor a sender filter or a direct mailbox's pid (use
 * the batches, or the single calls, for those); they work on the bound
 * mailbox. On a broadcast mailbox or a rendezvous (capacity 0) a vectored
 * send sends entry by entry, as MAILBOX_IOC_SEND_BATCH does; a vectored
 * receive from a broadcast mailbox fails with -EOPNOTSUPP.
 */
struct mailbox_vec {
	__u64 vec;
	__u64 meta;
	__u32 count;
	__u32 flags;
	__u64 deadline_ns;
	__u32 done;
	__s32 error;
	__u64 reserved[2];
};

/**
 * struct mailbox_version - what the loaded module is and can do
 * @major: incompatible changes (none so far: 1).
 * @minor: calls added, compatibly.
 * @patch: fixes.
 * @flags: zero for now.
 * @ioctls: bit N set when ioctl number N (the second argument of its
 *	_IOx() macro) is implemented, so that a caller can test for a call
 *	before making it.
 * @msg_header: the bytes of kernel header in front of each message: a
 *	message of len bytes costs its sender's user_bytes_max quota
 *	@msg_header + len rounded up as kmalloc() rounds (see "Who pays"
 *	above). 0 from modules that did not report it (they charged len +
 *	64).
 * @reserved0: written as zero.
 * @reserved: written as zero.
 *
 * Works on any descriptor, bound or not.
 */
struct mailbox_version {
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 flags;
	__u64 ioctls;
	__u32 msg_header;
	__u32 reserved0;
	__u64 reserved;
};

/**
 * struct mailbox_list - list mailboxes, all of them or those of one name
 * @entries: user address of an array of @count struct mailbox_info.
 * @count: in: entries the array holds; 0 only counts (see @total), and
 *	@entries may then be 0. Out: entries written.
 * @flags: must be zero.
 * @cursor: in: where the listing resumes: 0 to start, then what the
 *	previous call left here. Out: past the last mailbox written;
 *	unchanged when none was. Opaque otherwise.
 * @total: out: mailboxes there were (called @name, if it is given) when
 *	the call ended, before and after @cursor.
 * @reserved0: must be zero.
 * @name: empty (all zero bytes) to list every mailbox; otherwise
 *	NUL-terminated, and only mailboxes whose struct mailbox_info.name
 *	it is are listed: the one linked under that name and those unlinked
 *	but still open, or a direct mailbox by its pid/N.
 * @reserved: must be zero.
 *
 * The mailboxes listed are those /proc/mailboxes shows: every live
 * mailbox of the caller's IPC namespace, linked, unlinked or dead (not
 * yet freed), named and direct, whatever its mode. Every mailbox gets an
 * identifier when it is created, larger than any before it; the list is
 * in that order, oldest first, and @cursor is the identifier after the
 * last one written. So a listing
 * paged through @cursor returns each mailbox that lives through it once,
 * never twice, whatever is created, unlinked or closed meanwhile; a
 * mailbox created meanwhile is listed (at the end) or not, one freed
 * meanwhile is listed or not. The call writes fewer than @count entries
 * only when it reached the end of the list.
 *
 * Each entry is filled as MAILBOX_IOC_STAT would fill it for a descriptor
 * bound to that mailbox without any access: @access, @recv_priority and
 * @backlog are 0, and so is @next_len on a broadcast mailbox. @uid and
 * @gid are in the caller's user namespace; a direct mailbox is named pid/N
 * with N its owner's pid in the caller's pid namespace (0 if not visible
 * there), as @owner_pid.
 *
 * Should @entries turn out not to be writable, entries before the fault
 * may have been written, but the call fails with -EFAULT and leaves this
 * structure as it was.
 */
struct mailbox_list {
	__u64 entries;
	__u32 count;
	__u32 flags;
	__u64 cursor;
	__u32 total;
	__u32 reserved0;
	char name[MAILBOX_NAME_LEN];
	__u64 reserved[4];
};

#define MAILBOX_IOC_MAGIC	0xB9

/*
 * MAILBOX_IOC_CREATE - bind this descriptor to a new or existing mailbox.
 * Returns 1 if it created the mailbox, 0 if it opened an existing one.
 * Errors: -EEXIST (EXCL and it exists), -EACCES (existing mailbox's mode
 * refuses the access), -EINVAL (bad name, mode, sizes, delivery, flags,
 * reserved; a broadcast mailbox of capacity 0),
 * -ENOSPC (too many mailboxes, in this IPC namespace, in all of them or
 * for this user), -EBUSY
 * (descriptor already bound), -ENOMEM.
 */
#define MAILBOX_IOC_CREATE	_IOW(MAILBOX_IOC_MAGIC, 0x00, struct mailbox_create)
/*
 * MAILBOX_IOC_OPEN - bind this descriptor to an existing mailbox.
 * Errors: -ENOENT, -EACCES, -EINVAL, -EBUSY.
 */
#define MAILBOX_IOC_OPEN	_IOW(MAILBOX_IOC_MAGIC, 0x01, struct mailbox_open)
/*
 * MAILBOX_IOC_UNLINK - remove a name; works on any descriptor.
 * Errors: -ENOENT, -EPERM (not the owner), -EINVAL.
 */
#define MAILBOX_IOC_UNLINK	_IOW(MAILBOX_IOC_MAGIC, 0x02, struct mailbox_unlink)
/*
 * MAILBOX_IOC_SEND - send a message. Returns 0.
 * Errors: -EBADF (descriptor lacks MAILBOX_ACCESS_SEND), -EMSGSIZE (longer
 * than msg_size_max), -EAGAIN (would sleep), -ETIMEDOUT, -EINTR, -EIDRM
 * (mailbox destroyed; -EPIPE for a direct one), -ENOBUFS (the caller's
 * euid's user_bytes_max quota cannot take the message: see "Who pays"),
 * -ENOMEM, -EFAULT, -EINVAL (also: a priority on a mailbox without
 * MAILBOX_DELIVER_PRIORITY, MAILBOX_SEND_WAIT on a broadcast one),
 * -EBADFD. A send that fails leaves the caller's struct as it was.
 */
#define MAILBOX_IOC_SEND	_IOWR(MAILBOX_IOC_MAGIC, 0x03, struct mailbox_send)
/*
 * MAILBOX_IOC_RECV - receive a message. Returns its length.
 * Errors: -EBADF (descriptor lacks MAILBOX_ACCESS_RECV), -EMSGSIZE, -EAGAIN,
 * -ETIMEDOUT, -EINTR, -EIDRM (-EPIPE for a direct mailbox), -ESRCH (see
 * from_pid), -EFAULT (the message stays queued), -EINVAL, -EBADFD.
 */
#define MAILBOX_IOC_RECV	_IOWR(MAILBOX_IOC_MAGIC, 0x04, struct mailbox_recv)
/*
 * MAILBOX_IOC_STAT - describe the bound mailbox. Returns 0; works on a dead
 * mailbox too. Errors: -EBADFD, -EFAULT.
 */
#define MAILBOX_IOC_STAT	_IOR(MAILBOX_IOC_MAGIC, 0x05, struct mailbox_info)
/*
 * MAILBOX_IOC_SEND_TO - send a message to the direct mailbox of process
 * to_pid; works on any descriptor of /dev/mailbox, bound or not. Returns 0.
 * Errors: as MAILBOX_IOC_SEND, and -ESRCH (no such process, or it has no
 * direct mailbox), -EACCES (its policy refuses the caller), -EPIPE (the
 * owner exited while the send slept), -EINVAL (to_pid not positive).
 */
#define MAILBOX_IOC_SEND_TO	_IOWR(MAILBOX_IOC_MAGIC, 0x06, struct mailbox_send)
/*
 * MAILBOX_IOC_OPEN_DIRECT - bind this descriptor, for receiving, to the
 * caller's process's direct mailbox, creating it if it does not exist.
 * Returns 1 if it created the mailbox, 0 if it bound to the existing one.
 * Errors: -EBUSY (descriptor already bound), -EINVAL, -ESRCH (a listed pid
 * names no process), -ENOSPC, -ENOMEM, -EFAULT.
 */
#define MAILBOX_IOC_OPEN_DIRECT	_IOW(MAILBOX_IOC_MAGIC, 0x07, struct mailbox_direct)
/*
 * MAILBOX_IOC_SET_POLICY - change who may send to the caller's direct
 * mailbox, through a descriptor bound to it. Sends already accepted are
 * not affected. Returns 0. Errors: -EBADFD (not bound), -EINVAL (bad
 * fields, or bound to a named mailbox), -EPERM (not called by the owner
 * process), -EPIPE (destroyed), -ESRCH, -ENOMEM, -EFAULT.
 */
#define MAILBOX_IOC_SET_POLICY	_IOW(MAILBOX_IOC_MAGIC, 0x08, struct mailbox_policy)
/*
 * MAILBOX_IOC_SET_RECV_PRIO - set this descriptor's receive priority.
 * Returns 0. Errors: -EBADFD (not bound), -EINVAL.
 */
#define MAILBOX_IOC_SET_RECV_PRIO _IOW(MAILBOX_IOC_MAGIC, 0x09, struct mailbox_recv_prio)
/**
 * MAILBOX_IOC_VERSION - the module's version and the ioctls it implements.
 * Returns 0; works on any descriptor. Errors: -EFAULT.
 */
#define MAILBOX_IOC_VERSION	_IOR(MAILBOX_IOC_MAGIC, 0x0a, struct mailbox_version)
/**
 * MAILBOX_IOC_SEND_BATCH - send up to @count messages; see struct
 * mailbox_batch. Returns the number sent (at least 1). Errors: those of
 * MAILBOX_IOC_SEND and MAILBOX_IOC_SEND_TO for the first entry; -EINVAL
 * (bad @count, @flags or reserved fields), -EFAULT (@msgs or the batch
 * itself unreadable or unwritable; nothing was sent).
 */
#define MAILBOX_IOC_SEND_BATCH	_IOWR(MAILBOX_IOC_MAGIC, 0x0b, struct mailbox_batch)
/**
 * MAILBOX_IOC_RECV_BATCH - receive up to @count messages; see struct
 * mailbox_batch. Returns the number of entries done (at least 1; a
 * MAILBOX_RECV_PEEK entry counts). Errors: those
 * of MAILBOX_IOC_RECV for the first entry; -EBADFD (not bound), -EINVAL,
 * -EFAULT as for MAILBOX_IOC_SEND_BATCH.
 */
#define MAILBOX_IOC_RECV_BATCH	_IOWR(MAILBOX_IOC_MAGIC, 0x0c, struct mailbox_batch)
/**
 * MAILBOX_IOC_LIST - describe mailboxes, @count at a time; see struct
 * mailbox_list. Works on any descriptor, bound or not, and needs no
 * permission on the mailboxes. Returns 0. Errors: -EINVAL (@flags,
 * reserved fields, @name not NUL-terminated), -ENOENT (@name given and no
 * mailbox is called so), -EFAULT, -ENOMEM. Since 1.3.
 */
#define MAILBOX_IOC_LIST	_IOWR(MAILBOX_IOC_MAGIC, 0x0d, struct mailbox_list)

/**
 * MAILBOX_IOC_SENDV - send up to @count messages into the bound mailbox;
 * see struct mailbox_vec. Returns the number sent (at least 1). Errors:
 * those of MAILBOX_IOC_SEND for the first entry; -EOPNOTSUPP (a mapped
 * mailbox); -EINVAL (bad @count,
 * @flags, @meta, reserved fields, a @priority too high), -EFAULT (@vec or
 * the struct itself unreadable or unwritable; nothing was sent). Since 1.4.
 * The messages one call copies in at once share one send time (their
 * receivers' send_time_ns): the time they were copied in.
 */
#define MAILBOX_IOC_SENDV	_IOWR(MAILBOX_IOC_MAGIC, 0x10, struct mailbox_vec)
/**
 * MAILBOX_IOC_RECVV - receive up to @count messages from the bound mailbox;
 * see struct mailbox_vec. Returns the number received (at least 1).
 * Errors: those of MAILBOX_IOC_RECV for the first entry; -EOPNOTSUPP (a
 * broadcast or mapped mailbox), -EINVAL, -EFAULT as for MAILBOX_IOC_SENDV. Since 1.4.
 */
#define MAILBOX_IOC_RECVV	_IOWR(MAILBOX_IOC_MAGIC, 0x11, struct mailbox_vec)

/*
 * Mapped mailboxes (since 1.4)
 *
 * A mailbox created with MAILBOX_CREATE_MAPPED (delivery
 * MAILBOX_DELIVER_QUEUE only, @capacity a power of two >= 2, else -EINVAL)
 * is a single-producer/single-consumer ring in memory shared with the
 * kernel: the producer writes records in place, the consumer reads them
 * in place, and the kernel is entered only to sleep when the ring is empty
 * (full) and to wake the other side. The ring is allocated when the
 * mailbox is created, zeroed, and charged to the creator's user_bytes_max
 * quota (-ENOBUFS when it does not fit; see "Who pays") as long as the
 * mailbox lives: records_offset + @capacity * record_size bytes, rounded
 * up to whole pages (struct mailbox_map.mmap_size).
 *
 * A descriptor bound to it claims one role with MAILBOX_IOC_MAP: the
 * producer (it needs MAILBOX_ACCESS_SEND) or the consumer (it needs
 * MAILBOX_ACCESS_RECV). Each role has one descriptor at a time: a second
 * claim gets -EBUSY. Then it maps the ring: mmap(NULL, mmap_size,
 * PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) (a private mapping, another
 * size or offset: -EINVAL; a descriptor that claimed no role: -EACCES; an
 * unbound descriptor or one of another mailbox: -ENODEV).
 * The mapping cannot grow (mremap() fails) and is not dumped. A mapping,
 * a fork()ed copy of it included, holds the descriptor open: the role is
 * given up when the descriptor is closed and no mapping of it remains
 * (process exit, SIGKILL included, does both); then another descriptor may
 * claim it, and the other side is woken (MAILBOX_IOC_MAP_WAIT, poll()).
 *
 * MAILBOX_IOC_SEND, _RECV and their batches fail with -EOPNOTSUPP on a
 * mapped mailbox, as MAILBOX_IOC_MAP and _MAP_WAIT do on any other.
 *
 * The layout of the mapping: struct mailbox_ring at offset 0, then at
 * records_offset the @capacity records, record_size bytes apart, each a
 * struct mailbox_record followed by its payload (msg_size_max bytes
 * rounded up to 8).
 *
 * @head (the producer's next index) and @tail (the consumer's next index)
 * run freely over the 32-bit integers, wrapping; index i is record
 * i & (capacity - 1). The ring holds head - tail records, at most
 * @capacity; it is empty when head == tail. Both start at the same value,
 * currently 2^32 - 4096, so that wrapping is met early. The producer
 * writes record head, then publishes it by storing head + 1 with release
 * semantics; the consumer loads head with acquire semantics, reads record
 * tail, then stores tail + 1 with release semantics.
 *
 * Sleeping and waking (lost wake-ups cannot happen as long as both sides
 * follow this):
 *  - consumer, ring empty: store 1 to @consumer_waiting, full barrier
 *    (atomic_thread_fence(memory_order_seq_cst)), load head again; if the
 *    ring is still empty, MAILBOX_IOC_MAP_WAIT with
 *    MAILBOX_MAP_WAIT_DATA, else store 0 to @consumer_waiting itself.
 *  - producer, after publishing head: full barrier, then if
 *    @consumer_waiting is non-zero, MAILBOX_IOC_MAP_WAIT with
 *    MAILBOX_MAP_WAKE_CONSUMER. It may clear the flag as it reads it (an
 *    atomic exchange with 0), so that only the first publish after the
 *    consumer went to sleep pays for the call: the kernel sets the flag
 *    to 1 again (with a full barrier) before each look at the indices
 *    while the consumer sleeps.
 *  - symmetrically, the producer with the ring full sets
 *    @producer_waiting and waits with MAILBOX_MAP_WAIT_SPACE, and the
 *    consumer, after storing tail, wakes it with MAILBOX_MAP_WAKE_PRODUCER
 *    when @producer_waiting is set.
 * The store of the flag and the load of the index on one side, the store
 * of the index and the load of the flag on the other, each pair separated
 * by a full barrier: either the sleeper sees the new index and does not
 * sleep, or the waker sees the flag and wakes it; the kernel's wait looks
 * at the indices after queueing itself, so a wake that comes before the
 * sleep is not lost either. The kernel stores 0 to the caller's flag
 * whenever MAILBOX_MAP_WAIT_DATA/_SPACE returns. A poll() waiter sets its
 * flag as a sleeper does before each poll(), and clears it afterwards.
 *
 * The kernel trusts nothing in the mapping: it reads only @head and @tail,
 * and writes only a waiter's flag, through its own mapping of the page.
 * A ring whose indices are impossible (head - tail > capacity) makes
 * MAILBOX_IOC_MAP_WAIT fail with -EUCLEAN and poll() report EPOLLERR,
 * until the indices make sense again; what
 * the records hold is for the consumer to check (libmailbox fails with
 * -EBADMSG on a record longer than msg_size_max). The counters of
 * MAILBOX_IOC_STAT, LIST and /proc/mailboxes (@depth, @sent, @received,
 * @send_blocked, @recv_blocked; @bytes and @next_len are 0) are what the
 * kernel saw when it last looked at a valid ring: at every wait, poll(),
 * STAT, LIST and read of /proc/mailboxes. @sent and @received grow by how
 * far head and tail moved between two looks, modulo 2^32: exact when
 * fewer than 2^32 messages pass between looks and both sides follow the
 * protocol.
 *
 * poll() on the consumer's descriptor reports EPOLLIN when the ring is not
 * empty, on the producer's EPOLLOUT when it is not full; a waiter is woken
 * by the MAILBOX_MAP_WAKE_* calls, so a poller must have set its flag as
 * for sleeping. EPOLLHUP is added once the other role was given up and not
 * claimed again (see -EPIPE below); EPOLLERR for a corrupt ring.
 */

/* struct mailbox_map.role */
#define MAILBOX_MAP_PRODUCER	1
#define MAILBOX_MAP_CONSUMER	2

/**
 * struct mailbox_ring - the control page of a mapped mailbox (offset 0)
 * @head: producer's next index; written by the producer only.
 * @pad0: fills @head's cache line.
 * @tail: consumer's next index; written by the consumer only.
 * @pad1: fills @tail's cache line.
 * @consumer_waiting: the consumer is going to sleep, or asleep.
 * @pad2: fills its cache line.
 * @producer_waiting: the producer is going to sleep, or asleep.
 * @pad3: fills its cache line.
 * @slots: written by the kernel at creation, as @slot_size,
 *	@record_size and @records_offset: the ring's capacity.
 * @slot_size: payload bytes a record holds (the mailbox's msg_size_max).
 * @record_size: bytes between two records.
 * @records_offset: where record 0 begins, from the start of the mapping.
 */
struct mailbox_ring {
	__u32 head;
	__u32 pad0[15];
	__u32 tail;
	__u32 pad1[15];
	__u32 consumer_waiting;
	__u32 pad2[15];
	__u32 producer_waiting;
	__u32 pad3[15];
	__u32 slots;
	__u32 slot_size;
	__u32 record_size;
	__u32 records_offset;
};

/**
 * struct mailbox_record - the header of a record in a mapped ring
 * @len: payload bytes, at most the ring's slot_size.
 * @reserved: zero.
 *
 * The payload follows at once (8-byte aligned).
 */
struct mailbox_record {
	__u32 len;
	__u32 reserved;
};

/**
 * struct mailbox_map - claim a role of a mapped mailbox
 * @role: MAILBOX_MAP_PRODUCER or MAILBOX_MAP_CONSUMER.
 * @flags: must be zero.
 * @slots: out: the ring's capacity.
 * @slot_size: out: payload bytes per record.
 * @record_size: out: bytes between two records.
 * @records_offset: out: offset of record 0.
 * @mmap_size: out: the length to pass to mmap().
 * @reserved: must be zero.
 */
struct mailbox_map {
	__u32 role;
	__u32 flags;
	__u32 slots;
	__u32 slot_size;
	__u32 record_size;
	__u32 records_offset;
	__u64 mmap_size;
	__u64 reserved[2];
};

/* struct mailbox_map_wait.op */
#define MAILBOX_MAP_WAIT_DATA		0	/* consumer: until not empty */
#define MAILBOX_MAP_WAIT_SPACE		1	/* producer: until not full */
#define MAILBOX_MAP_WAKE_CONSUMER	2	/* producer: wake the consumer */
#define MAILBOX_MAP_WAKE_PRODUCER	3	/* consumer: wake the producer */

/**
 * struct mailbox_map_wait - sleep on a mapped ring, or wake the other side
 * @op: MAILBOX_MAP_WAIT_DATA or _WAKE_PRODUCER on the consumer's
 *	descriptor, MAILBOX_MAP_WAIT_SPACE or _WAKE_CONSUMER on the
 *	producer's (-EBADF on another descriptor).
 * @flags: MAILBOX_NONBLOCK or MAILBOX_DEADLINE (not both) for a wait; zero
 *	for a wake. A descriptor opened with O_NONBLOCK never sleeps.
 * @deadline_ns: as for struct mailbox_send.
 * @reserved: must be zero.
 */
struct mailbox_map_wait {
	__u32 op;
	__u32 flags;
	__u64 deadline_ns;
	__u64 reserved[2];
};

/*
 * MAILBOX_IOC_MAP - claim a role of the bound mapped mailbox and learn its
 * geometry; see "Mapped mailboxes". Returns 0. Errors: -EBADFD (not
 * bound), -EOPNOTSUPP (not a mapped mailbox), -EBADF (the descriptor lacks
 * the access the role needs), -EBUSY (the role is taken, or this
 * descriptor claimed one already), -EIDRM (destroyed), -EINVAL, -EFAULT.
 * Since 1.4.
 */
#define MAILBOX_IOC_MAP		_IOWR(MAILBOX_IOC_MAGIC, 0x12, struct mailbox_map)
/*
 * MAILBOX_IOC_MAP_WAIT - a wait returns 0 once the ring is not empty
 * (MAILBOX_MAP_WAIT_DATA) or not full (_SPACE); a wake returns 0. Errors:
 * -EAGAIN (would sleep), -ETIMEDOUT, -EINTR (a signal; restarted under
 * SA_RESTART), -EPIPE (the ring is empty, or full, and the other role was
 * given up and is not claimed: the peer is gone), -EUCLEAN (the ring's
 * indices are corrupt), -EIDRM (destroyed), -EBADF (see @op), -EBADFD,
 * -EOPNOTSUPP, -EINVAL, -EFAULT. Since 1.4.
 */
#define MAILBOX_IOC_MAP_WAIT	_IOW(MAILBOX_IOC_MAGIC, 0x13, struct mailbox_map_wait)

/*
 * Long names, wide priorities, realtime deadlines, notification (since 1.5)
 *
 * What POSIX message queues need beyond the calls above: names of up to
 * NAME_MAX bytes, 32768 message priorities, deadlines by CLOCK_REALTIME
 * and mq_notify(). MAILBOX_IOC_VERSION reports each call in its @ioctls
 * bitmap (bits 0x14 to 0x17): a module without them fails them with
 * -ENOTTY. The older calls and structures are unchanged.
 */

/**
 * struct mailbox_create2 - MAILBOX_IOC_CREATE with a long name and wide
 * priorities
 * @name: user address of the name's @name_len bytes (no NUL needed).
 * @name_len: 1 to MAILBOX_NAME_MAX; 0 gives -EINVAL, more -ENAMETOOLONG.
 *	The name follows the rules of struct mailbox_create's (no '/', no
 *	control character, no NUL), but for its length: a name of 1 to 63
 *	bytes is the same mailbox as through MAILBOX_IOC_CREATE.
 * @flags: as struct mailbox_create.flags, and MAILBOX_CREATE_UMASK: the
 *	mailbox's mode is @mode without the caller's umask, as open(2) and
 *	mq_open() apply it.
 * @access: as for struct mailbox_create.
 * @mode: as for struct mailbox_create.
 * @capacity: as for struct mailbox_create.
 * @msg_size_max: as for struct mailbox_create.
 * @delivery: as for struct mailbox_create.
 * @prio_max: the highest message priority of the new mailbox: 0 for
 *	MAILBOX_PRIO_MAX (31, as MAILBOX_IOC_CREATE), else 1 to
 *	MAILBOX_PRIO_MAX_WIDE; above MAILBOX_PRIO_MAX only with
 *	MAILBOX_DELIVER_PRIORITY (else -EINVAL). A send with a higher
 *	priority fails with -EINVAL. Ignored, as @mode, when the mailbox
 *	exists.
 * @reserved: must be zero.
 *
 * Every priority level of a wide mailbox (@prio_max above 31) is distinct
 * and ordered, oldest first within a level, for every receive, peek,
 * sender filter, batch and vectored call. Receive priorities
 * (MAILBOX_IOC_SET_RECV_PRIO) stay 0 to MAILBOX_PRIO_MAX. A mailbox of
 * up to 32 levels keeps one list per level; a wide one keeps its
 * messages in one list sorted by priority, with the newest message of
 * each level and a bitmap of the levels present: taking the next message
 * and queueing one (last of its level, or first when a receive puts it
 * back) cost O(1), never a walk of the queue. That table, 8 bytes per
 * level and the bitmaps (some 260 KiB at MAILBOX_PRIO_MAX_WIDE), is
 * allocated when the mailbox is created and charged to its creator's
 * user_bytes_max, as a mapped mailbox's ring is: -ENOBUFS over it.
 */
struct mailbox_create2 {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u32 access;
	__u32 mode;
	__u32 capacity;
	__u32 msg_size_max;
	__u32 delivery;
	__u32 prio_max;
	__u64 reserved[4];
};

/**
 * struct mailbox_open2 - MAILBOX_IOC_OPEN with a long name
 * @name: as for struct mailbox_create2.
 * @name_len: as for struct mailbox_create2.
 * @access: MAILBOX_ACCESS_SEND and/or MAILBOX_ACCESS_RECV; at least one.
 * @flags: must be zero.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 */
struct mailbox_open2 {
	__u64 name;
	__u32 name_len;
	__u32 access;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct mailbox_unlink2 - MAILBOX_IOC_UNLINK with a long name
 * @name: as for struct mailbox_create2.
 * @name_len: as for struct mailbox_create2.
 * @flags: must be zero.
 * @reserved: must be zero.
 */
struct mailbox_unlink2 {
	__u64 name;
	__u32 name_len;
	__u32 flags;
	__u64 reserved[2];
};

/*
 * struct mailbox_send.flags and struct mailbox_recv.flags, with
 * MAILBOX_DEADLINE only (else -EINVAL): deadline_ns is an absolute
 * CLOCK_REALTIME time, and the sleep follows clock_settime() as
 * mq_timedsend()'s does. As for the monotonic deadline, one already past
 * gives -ETIMEDOUT only when the call would have to sleep. The batches
 * take it in their entries. Since 1.5.
 */
#define MAILBOX_DEADLINE_REALTIME	0x10
/*
 * struct mailbox_vec.flags: the same for the vectored calls, whose 0x10 is
 * MAILBOX_VEC_META. Since 1.5.
 */
#define MAILBOX_VEC_DEADLINE_REALTIME	0x20

/* struct mailbox_notify.kind */
#define MAILBOX_NOTIFY_REMOVE	0	/* remove this process's registration */
#define MAILBOX_NOTIFY_SIGNAL	1	/* send @signo, si_code SI_MESGQ */
#define MAILBOX_NOTIFY_NONE	2	/* register, deliver nothing */
#define MAILBOX_NOTIFY_POLL	3	/* poll() on this descriptor: EPOLLPRI */
#define MAILBOX_NOTIFY_TAKE	4	/* clear this descriptor's fired mark */

/**
 * struct mailbox_notify - register for, or remove, a notification
 * @kind: MAILBOX_NOTIFY_*.
 * @signo: MAILBOX_NOTIFY_SIGNAL: the signal, 1 to _NSIG - 1; otherwise
 *	must be zero.
 * @value: MAILBOX_NOTIFY_SIGNAL: the si_value delivered with it
 *	(sival_int or sival_ptr); otherwise must be zero.
 * @flags: must be zero.
 * @reserved0: must be zero.
 * @reserved: must be zero.
 *
 * mq_notify() on a mailbox, with the rules of Linux's POSIX message
 * queues. A queue or priority mailbox has at most one registration; it
 * belongs to the process (thread group) that made it and, for
 * MAILBOX_NOTIFY_POLL, to the descriptor it was made through. Any access
 * may register. A second registration, by anyone, fails with -EBUSY.
 *
 * It fires when a send queues a message into the empty mailbox while no
 * receiver sleeps on it (a message handed to, or waking, a sleeping
 * receiver does not fire it), and is removed as it fires. Then
 * MAILBOX_NOTIFY_SIGNAL sends @signo to the owner process, with si_code
 * SI_MESGQ, si_value @value, si_pid the sender's pid in the owner's pid
 * namespace and si_uid the sender's real uid in the owner's user
 * namespace (as ipc/mqueue.c does, only to the process image that
 * registered: not after it called execve()); MAILBOX_NOTIFY_NONE delivers
 * nothing; MAILBOX_NOTIFY_POLL marks the registering descriptor fired:
 * poll() on it reports EPOLLPRI (its pollers are woken) until
 * MAILBOX_NOTIFY_TAKE on it clears the mark.
 *
 * A registration is also removed by MAILBOX_NOTIFY_REMOVE from the owner
 * process, through any of its descriptors of the mailbox (from another
 * process that call does nothing and returns 0, as does one when there is
 * no registration); when the owner process closes any descriptor bound to
 * the mailbox (as close() of an mqd_t does; so also when it exits); and
 * when the mailbox is destroyed.
 *
 * MAILBOX_NOTIFY_TAKE returns 1 and clears this descriptor's fired mark,
 * or returns 0 when it was not set; it never changes a registration.
 */
struct mailbox_notify {
	__u32 kind;
	__u32 signo;
	__u64 value;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * MAILBOX_IOC_CREATE2 - MAILBOX_IOC_CREATE with struct mailbox_create2.
 * Returns 1 or 0 as MAILBOX_IOC_CREATE. Errors: those of
 * MAILBOX_IOC_CREATE, -ENAMETOOLONG (@name_len above MAILBOX_NAME_MAX),
 * -EFAULT (@name unreadable). Since 1.5.
 */
#define MAILBOX_IOC_CREATE2	_IOW(MAILBOX_IOC_MAGIC, 0x14, struct mailbox_create2)
/**
 * MAILBOX_IOC_OPEN2 - MAILBOX_IOC_OPEN with struct mailbox_open2. Errors:
 * those of MAILBOX_IOC_OPEN, -ENAMETOOLONG, -EFAULT. Since 1.5.
 */
#define MAILBOX_IOC_OPEN2	_IOW(MAILBOX_IOC_MAGIC, 0x15, struct mailbox_open2)
/**
 * MAILBOX_IOC_UNLINK2 - MAILBOX_IOC_UNLINK with struct mailbox_unlink2.
 * Errors: those of MAILBOX_IOC_UNLINK, -ENAMETOOLONG, -EFAULT. Since 1.5.
 */
#define MAILBOX_IOC_UNLINK2	_IOW(MAILBOX_IOC_MAGIC, 0x16, struct mailbox_unlink2)
/**
 * MAILBOX_IOC_NOTIFY - register for, remove or take a notification; see
 * struct mailbox_notify. Returns 0 (MAILBOX_NOTIFY_TAKE: 1 or 0).
 * Errors: -EBADFD (not bound), -EOPNOTSUPP (a broadcast, mapped or direct
 * mailbox), -EBUSY (a registration exists), -EINVAL (@kind, @signo,
 * @value, @flags, reserved fields), -EIDRM (destroyed), -EFAULT. Since 1.5.
 */
#define MAILBOX_IOC_NOTIFY	_IOW(MAILBOX_IOC_MAGIC, 0x17, struct mailbox_notify)

#endif /* _UAPI_LINUX_KMAILBOX_H */
