/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmailbox - a thin C library over the kernel mailboxes of /dev/mailbox.
 *
 * Conventions (as in liburing):
 *  - every call returns a non-negative value on success and -errno on
 *    failure. errno is never the result channel; its value after a call is
 *    unspecified. The library never prints and keeps no global state, so
 *    every call is thread-safe and async-signal-safe except where noted.
 *  - a mailbox descriptor is a plain file descriptor on /dev/mailbox bound to
 *    one mailbox. It is always close-on-exec. close(), dup(), poll(),
 *    select() and epoll work on it: POLLIN means a receive would not sleep,
 *    POLLOUT that a send would not, POLLHUP that the mailbox was destroyed.
 *  - a blocking call interrupted by a signal returns -EINTR as is: the
 *    library never retries. Nothing has changed when that happens (a message
 *    being sent is taken back), so calling again is always safe. Under
 *    SA_RESTART the kernel restarts the call itself.
 *  - deadlines are absolute CLOCK_MONOTONIC times (see
 *    mbox_deadline_after()), so a retried call does not wait longer than the
 *    first one would have.
 *  - names are 1 to %MBOX_NAME_MAX bytes, without '/' or control characters;
 *    a NULL name gives -EINVAL, a longer one -ENAMETOOLONG, other bad names
 *    -EINVAL (from the kernel).
 *  - when /dev/mailbox does not exist (module not loaded) the calls that
 *    open it return -ENOENT.
 *
 * Link with -lmailbox. Symbols are versioned: LIBMAILBOX_1.0,
 * LIBMAILBOX_1.1 for delivery modes, priorities and direct mailboxes,
 * LIBMAILBOX_1.2 for batches and versions, LIBMAILBOX_1.3 for
 * mbox_list(), and LIBMAILBOX_1.4 for mapped mailboxes (mbox_map()). The calls whose structures grew in 1.1 (mbox_create(),
 * mbox_createx(), mbox_receive*() and mbox_stat()) keep their 1.0 versions
 * for programs built against the 1.0 header. The header needs struct
 * timespec from <time.h>: C11, or POSIX (_POSIX_C_SOURCE >= 199309L, the
 * default of gcc's gnu modes).
 *
 * Since 1.1:
 *  - a mailbox delivers in one of three ways, chosen when it is created
 *    (struct mbox_attr.delivery): MBOX_DELIVER_QUEUE (each message to one
 *    receiver, oldest first; sleeping receivers are served by their receive
 *    priority, see mbox_set_recv_priority()), MBOX_DELIVER_PRIORITY (as
 *    QUEUE, but messages carry a priority, see mbox_send_prio(), and the
 *    highest is received first) and MBOX_DELIVER_BROADCAST (every
 *    descriptor bound with receive access gets every message sent while it
 *    is bound);
 *  - every process may have one direct mailbox (mbox_direct_open()), to
 *    which others send by pid (mbox_send_to()); its owner receives from
 *    anyone or from one sender (mbox_receive_from()).
 */
#ifndef MAILBOX_H
#define MAILBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

/*
 * struct timespec is part of this ABI. On 32-bit targets its layout changes
 * with _TIME_BITS=64, and the library is built with the default 32-bit
 * time_t; refuse a mismatched caller instead of corrupting its deadlines.
 */
#if defined(__USE_TIME_BITS64) && defined(__TIMESIZE) && __TIMESIZE == 32
#error "libmailbox: built with 32-bit time_t; do not use _TIME_BITS=64"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** MBOX_DEVICE - the character device every descriptor is opened on. */
#define MBOX_DEVICE		"/dev/mailbox"

/** MBOX_NAME_MAX - longest mailbox name, in bytes (without the NUL). */
#define MBOX_NAME_MAX		63

/* Defaults used when mbox_create() or mbox_direct_open() get a NULL attr. */
#define MBOX_DEFAULT_CAPACITY	256U
#define MBOX_DEFAULT_MSG_SIZE	8192U
#define MBOX_DEFAULT_MODE	0600U

/* struct mbox_attr.delivery, struct mbox_direct_attr.delivery, mbox_stat */
#define MBOX_DELIVER_QUEUE	0U	/* one receiver per message, FIFO */
#define MBOX_DELIVER_PRIORITY	1U	/* highest message priority first */
#define MBOX_DELIVER_BROADCAST	2U	/* every subscriber gets every message */

/** MBOX_PRIO_MAX - highest message priority and highest receive priority. */
#define MBOX_PRIO_MAX		31U

/**
 * struct mbox_attr - attributes of a new mailbox
 * @capacity: messages it holds; 0 makes a rendezvous mailbox, where a send
 *	completes only when a receiver takes the message.
 * @msg_size_max: largest message in bytes, at least 1 (the module caps it,
 *	1 MiB by default).
 * @mode: permission bits 0 to 0777, owner/group/other as for files: write
 *	permits sending, read permits receiving.
 * @delivery: MBOX_DELIVER_QUEUE (the default), MBOX_DELIVER_PRIORITY or
 *	MBOX_DELIVER_BROADCAST (which needs a @capacity of at least 1: it
 *	bounds the backlog of the slowest subscriber). Since 1.1.
 *
 * Initialise with MBOX_ATTR_INIT and change what you need.
 */
struct mbox_attr {
	unsigned int capacity;
	unsigned int msg_size_max;
	unsigned int mode;
	unsigned int delivery;
};

#define MBOX_ATTR_INIT { \
	.capacity = MBOX_DEFAULT_CAPACITY, \
	.msg_size_max = MBOX_DEFAULT_MSG_SIZE, \
	.mode = MBOX_DEFAULT_MODE, \
	.delivery = MBOX_DELIVER_QUEUE, \
}

/* struct mbox_direct_attr.policy and mbox_direct_policy(): who may send. */
#define MBOX_POLICY_ANY		0U	/* anyone */
#define MBOX_POLICY_UID		1U	/* senders whose euid is the owner's */
#define MBOX_POLICY_LIST	2U	/* only the processes listed */
/** MBOX_POLICY_LIST_MAX - most pids a MBOX_POLICY_LIST may name. */
#define MBOX_POLICY_LIST_MAX	64U

/**
 * struct mbox_direct_attr - attributes of a process's direct mailbox
 * @capacity: messages it holds; 0 makes it a rendezvous.
 * @msg_size_max: largest message in bytes, at least 1.
 * @delivery: MBOX_DELIVER_QUEUE or MBOX_DELIVER_PRIORITY (not broadcast).
 * @policy: who may send to it: MBOX_POLICY_ANY, MBOX_POLICY_UID (senders
 *	whose effective uid is the owner's when it created the mailbox) or
 *	MBOX_POLICY_LIST (the processes in @pids).
 * @pids: MBOX_POLICY_LIST: the pids (in the caller's pid namespace) of the
 *	processes that may send, each a live process; otherwise NULL.
 * @npids: MBOX_POLICY_LIST: number of entries in @pids, 1 to
 *	MBOX_POLICY_LIST_MAX; otherwise 0.
 *
 * Initialise with MBOX_DIRECT_ATTR_INIT (capacity 256, messages of up to
 * 8192 bytes, queue delivery, anyone may send) and change what you need.
 */
struct mbox_direct_attr {
	unsigned int capacity;
	unsigned int msg_size_max;
	unsigned int delivery;
	unsigned int policy;
	const pid_t *pids;
	size_t npids;
};

#define MBOX_DIRECT_ATTR_INIT { \
	.capacity = MBOX_DEFAULT_CAPACITY, \
	.msg_size_max = MBOX_DEFAULT_MSG_SIZE, \
	.delivery = MBOX_DELIVER_QUEUE, \
	.policy = MBOX_POLICY_ANY, \
	.pids = NULL, \
	.npids = 0, \
}

/*
 * MBOX_ANY_FD - for mbox_send_to() and mbox_send_tox() in place of a
 * descriptor: the library opens MBOX_DEVICE for the call and closes it.
 */
#define MBOX_ANY_FD		(-1)

/* Flags of mbox_create() and mbox_open(). */
#define MBOX_EXCL	0x01	/* create only: fail with -EEXIST if it exists */
#define MBOX_OWNED	0x02	/* create only: destroyed when the fd closes */
#define MBOX_SEND_ONLY	0x04	/* bind for sending only (needs w) */
#define MBOX_RECV_ONLY	0x08	/* bind for receiving only (needs r) */
#define MBOX_NONBLOCK	0x10	/* open the fd O_NONBLOCK: all calls on it
					   act as with MBOX_F_NONBLOCK */
#define MBOX_CLOEXEC	0x20	/* accepted and ignored: always on */
#define MBOX_MAPPED	0x40	/* create only: a mapped ring (see mbox_map()) */

/* Flags of the mbox_send*x() and mbox_receive*x() calls. */
#define MBOX_F_NONBLOCK	0x01	/* -EAGAIN instead of sleeping */
#define MBOX_F_WAIT	0x02	/* send only: return once a receiver took it */
#define MBOX_F_PEEK	0x04	/* receive only: describe the next message */

/**
 * struct mbox_msginfo - what a receiver learns about a message
 * @len: its length in bytes.
 * @sender_pid: the sending process (thread-group id) in the caller's pid
 *	namespace, 0 if it is not visible there.
 * @sender_uid: the sender's effective uid when it sent.
 * @send_time: CLOCK_MONOTONIC time at which it was sent.
 * @priority: its priority (0 unless the mailbox is MBOX_DELIVER_PRIORITY).
 *	Since 1.1.
 */
struct mbox_msginfo {
	size_t len;
	pid_t sender_pid;
	uid_t sender_uid;
	struct timespec send_time;
	unsigned int priority;
};

/* struct mbox_stat.state */
#define MBOX_STATE_LINKED	0	/* reachable by name */
#define MBOX_STATE_UNLINKED	1	/* name removed, still open somewhere */
#define MBOX_STATE_DEAD		2	/* destroyed: other calls get -EIDRM */

/* struct mbox_stat.access */
#define MBOX_ACCESS_SEND	0x1
#define MBOX_ACCESS_RECV	0x2

/* struct mbox_stat.flags */
#define MBOX_STAT_OWNED		0x1	/* dies when its creator's fd closes */
#define MBOX_STAT_DIRECT	0x2	/* a process's direct mailbox */
#define MBOX_STAT_MAPPED	0x4	/* a mapped mailbox (since 1.4) */

/**
 * struct mbox_stat - state of a mailbox, as seen through one descriptor
 * @name: its name, NUL-terminated.
 * @state: MBOX_STATE_LINKED, MBOX_STATE_UNLINKED or MBOX_STATE_DEAD.
 * @mode: permission bits.
 * @uid: owner (creator's euid).
 * @gid: owner group (creator's egid).
 * @capacity: capacity in messages (0: rendezvous).
 * @msg_size_max: largest message in bytes.
 * @depth: messages queued now.
 * @next_len: length of the message a receive would take next; valid only
 *	when @depth or @senders_waiting is non-zero.
 * @bytes: bytes queued now.
 * @receivers_waiting: receivers sleeping now.
 * @senders_waiting: senders sleeping now (mailbox full, or rendezvous).
 * @access: MBOX_ACCESS_SEND and/or MBOX_ACCESS_RECV held by this descriptor.
 * @flags: MBOX_STAT_OWNED, MBOX_STAT_DIRECT (a direct mailbox, whose @name
 *	is "pid/N"), MBOX_STAT_MAPPED (a mapped mailbox), or 0.
 * @sent: messages accepted since creation.
 * @received: messages taken by receivers since creation (broadcast: taken
 *	by every subscriber).
 * @send_blocked: sends that had to sleep.
 * @recv_blocked: receives that had to sleep.
 * @delivery: MBOX_DELIVER_QUEUE, MBOX_DELIVER_PRIORITY or
 *	MBOX_DELIVER_BROADCAST. Since 1.1, as the fields below.
 * @recv_priority: this descriptor's receive priority.
 * @backlog: broadcast: messages this descriptor has yet to receive; else 0.
 * @subscribers: broadcast: descriptors bound with receive access; else 0.
 * @owner_pid: direct mailbox: its owner's pid in the caller's pid namespace
 *	(0 if not visible there); else 0.
 *
 * On a broadcast mailbox @depth is the backlog of the slowest subscriber.
 * mbox_list() fills it too, without a descriptor: @access, @recv_priority,
 * @backlog (and @next_len of a broadcast mailbox) are then 0. Both calls
 * write this layout: a field added to it needs new symbol versions of
 * both.
 */
struct mbox_stat {
	char name[MBOX_NAME_MAX + 1];
	unsigned int state;
	unsigned int mode;
	uid_t uid;
	gid_t gid;
	unsigned int capacity;
	unsigned int msg_size_max;
	unsigned int depth;
	unsigned int next_len;
	uint64_t bytes;
	unsigned int receivers_waiting;
	unsigned int senders_waiting;
	unsigned int access;
	unsigned int flags;
	uint64_t sent;
	uint64_t received;
	uint64_t send_blocked;
	uint64_t recv_blocked;
	unsigned int delivery;
	unsigned int recv_priority;
	unsigned int backlog;
	unsigned int subscribers;
	pid_t owner_pid;
};

/**
 * mbox_create() - create a mailbox, or open it if it exists
 * @name: mailbox name.
 * @flags: MBOX_EXCL, MBOX_OWNED, MBOX_SEND_ONLY or MBOX_RECV_ONLY (neither:
 *	both directions), MBOX_NONBLOCK, MBOX_CLOEXEC.
 * @attr: attributes for a new mailbox, NULL for the defaults (capacity 256,
 *	msg_size_max 8192, mode 0600, queue delivery).
 *
 * A mailbox created without MBOX_OWNED persists until mbox_unlink() and the
 * last close of a descriptor bound to it. One with MBOX_OWNED is destroyed
 * when the returned descriptor (and its dups) is closed. When the mailbox
 * already exists and MBOX_EXCL is not given, it is opened instead and
 * @attr and MBOX_OWNED are ignored, as mq_open() does; the creator gets the
 * access it asks for whatever @attr->mode says, an opener is checked
 * against the mode. To learn which of the two happened, use mbox_createx().
 *
 * Return: a descriptor (>= 0), or -errno:
 * -EINVAL (NULL or bad name, unknown flags, both SEND_ONLY and RECV_ONLY,
 * mode above 0777, msg_size_max 0 or sizes above the module's limits,
 * unknown delivery, a broadcast mailbox of capacity 0),
 * -ENAMETOOLONG, -EEXIST (MBOX_EXCL and it exists), -EACCES (existing
 * mailbox's mode refuses the access), -ENOSPC (too many mailboxes for the
 * system or this user), -ENOMEM, -ENOENT (no /dev/mailbox), -EMFILE and
 * other errors of open(2).
 */
int mbox_create(const char *name, int flags, const struct mbox_attr *attr);

/**
 * mbox_createx() - mbox_create(), reporting whether it created the mailbox
 * @name: as for mbox_create().
 * @flags: as for mbox_create().
 * @attr: as for mbox_create().
 * @created: if not NULL, on success set to 1 when this call created the
 *	mailbox and 0 when it opened an existing one; untouched on failure.
 *
 * Return: as for mbox_create().
 */
int mbox_createx(const char *name, int flags, const struct mbox_attr *attr,
		 int *created);

/**
 * mbox_open() - open an existing mailbox
 * @name: mailbox name.
 * @flags: MBOX_SEND_ONLY or MBOX_RECV_ONLY (neither: both, which needs
 *	read and write permission), MBOX_NONBLOCK, MBOX_CLOEXEC.
 *
 * Return: a descriptor (>= 0), or -errno: -ENOENT (no such mailbox, or no
 * /dev/mailbox), -EACCES, -EINVAL (NULL or bad name, unknown or create-only
 * flags), -ENAMETOOLONG, and errors of open(2).
 */
int mbox_open(const char *name, int flags);

/**
 * mbox_unlink() - remove a mailbox's name
 * @name: mailbox name.
 *
 * The mailbox lives on while descriptors are bound to it, and the name can
 * be used again at once. Only the owner or CAP_SYS_ADMIN may unlink.
 *
 * Return: 0, or -errno: -ENOENT (no such mailbox, or no /dev/mailbox),
 * -EPERM (not the owner), -EINVAL, -ENAMETOOLONG.
 */
int mbox_unlink(const char *name);

/**
 * mbox_close() - close a mailbox descriptor
 * @fd: the descriptor; plain close() does the same.
 *
 * Closing the creator's descriptor of an MBOX_OWNED mailbox destroys it.
 * As on Linux the descriptor is released even when close() reports EINTR,
 * that case is returned as 0, so that nobody closes it twice.
 *
 * Return: 0, or -EBADF (not an open descriptor), -EIO.
 */
int mbox_close(int fd);

/**
 * mbox_sendx() - send one message: the general form
 * @fd: descriptor bound with send access.
 * @buf: the message (may be NULL when @len is 0).
 * @len: its length, 0 up to the mailbox's msg_size_max.
 * @flags: 0, MBOX_F_NONBLOCK, MBOX_F_WAIT, or MBOX_F_NONBLOCK | MBOX_F_WAIT.
 * @deadline: NULL to sleep as long as needed; otherwise an absolute
 *	CLOCK_MONOTONIC time at which a sleeping send gives up. Not allowed
 *	with MBOX_F_NONBLOCK. A deadline in the past fails at once with
 *	-ETIMEDOUT if the call would have to sleep.
 * @receiver: if not NULL, on success set to the pid of the process that
 *	took the message when that is known (MBOX_F_WAIT or a rendezvous
 *	mailbox), else 0; untouched on failure.
 *
 * The message is copied at once. If a receiver is waiting it gets the
 * message directly, otherwise it is queued; when the mailbox is full the
 * call sleeps (or fails with -EAGAIN or -ETIMEDOUT). With MBOX_F_WAIT, and
 * always on a rendezvous mailbox, the call returns only once a receiver has
 * taken the message; a non-blocking such send succeeds only when a receiver
 * is already waiting. A failed or interrupted send is never delivered.
 * On a MBOX_DELIVER_PRIORITY mailbox the message has priority 0 (see
 * mbox_send_priox()); on a broadcast one it goes to every subscriber.
 *
 * Return: 0, or -errno: -EAGAIN (would sleep), -ETIMEDOUT, -EINTR,
 * -EMSGSIZE (@len above msg_size_max), -EBADF (no send access), -EIDRM
 * (mailbox destroyed), -ENOBUFS (the user's in-flight bytes quota is full),
 * -ENOMEM, -EFAULT, -EINVAL (bad flags or deadline; MBOX_F_WAIT on a
 * broadcast mailbox), -EBADFD (descriptor not bound), -ENOTTY (not a
 * mailbox descriptor).
 */
int mbox_sendx(int fd, const void *buf, size_t len, unsigned int flags,
	       const struct timespec *deadline, pid_t *receiver);

/**
 * mbox_send() - send one message, sleeping while the mailbox is full
 * @fd: descriptor bound with send access.
 * @buf: the message.
 * @len: its length.
 *
 * Return: 0 or -errno, as for mbox_sendx().
 */
int mbox_send(int fd, const void *buf, size_t len);

/**
 * mbox_trysend() - send one message without sleeping
 * @fd: descriptor bound with send access.
 * @buf: the message.
 * @len: its length.
 *
 * Return: 0, -EAGAIN when the mailbox is full (or, for a rendezvous
 * mailbox, no receiver waits), or -errno as for mbox_sendx().
 */
int mbox_trysend(int fd, const void *buf, size_t len);

/**
 * mbox_timedsend() - send one message, sleeping at most until a deadline
 * @fd: descriptor bound with send access.
 * @buf: the message.
 * @len: its length.
 * @abs_deadline: absolute CLOCK_MONOTONIC time; NULL sleeps without limit.
 *
 * Return: 0, -ETIMEDOUT, or -errno as for mbox_sendx().
 */
int mbox_timedsend(int fd, const void *buf, size_t len,
		   const struct timespec *abs_deadline);

/**
 * mbox_send_wait() - send one message and wait until a receiver takes it
 * @fd: descriptor bound with send access.
 * @buf: the message.
 * @len: its length.
 * @receiver: if not NULL, set to the receiving process's pid on success.
 *
 * Return: 0 or -errno, as for mbox_sendx() with MBOX_F_WAIT.
 */
int mbox_send_wait(int fd, const void *buf, size_t len, pid_t *receiver);

/**
 * mbox_receivex() - receive the oldest message: the general form
 * @fd: descriptor bound with receive access.
 * @buf: buffer for the message (may be NULL when @size is 0).
 * @size: its size; sizes above UINT32_MAX are clamped to UINT32_MAX.
 * @flags: 0 or MBOX_F_NONBLOCK; or MBOX_F_PEEK alone, which never sleeps,
 *	removes nothing, ignores @buf and @size and describes the next
 *	message (its length is returned, -EAGAIN if there is none).
 * @deadline: as for mbox_sendx(); not allowed with MBOX_F_NONBLOCK or
 *	MBOX_F_PEEK.
 * @info: if not NULL, filled on success. When the call fails with
 *	-EMSGSIZE, @info->len is set to the size the message needs (the other
 *	fields are then unspecified); on other failures @info is unspecified.
 *
 * The next message is the oldest one; on a MBOX_DELIVER_PRIORITY mailbox
 * the oldest of the highest priority; on a broadcast mailbox the oldest
 * this descriptor has not received yet. On a direct mailbox messages from
 * every sender qualify (see mbox_receive_fromx()).
 *
 * Return: the message's length (>= 0), or -errno: -EMSGSIZE (@size too
 * small; the message stays queued), -EAGAIN, -ETIMEDOUT, -EINTR, -EBADF (no
 * receive access), -EIDRM (-EPIPE for a direct mailbox: its owner exited),
 * -EFAULT (the message stays queued), -EINVAL, -EBADFD, -ENOTTY.
 */
ssize_t mbox_receivex(int fd, void *buf, size_t size, unsigned int flags,
		      const struct timespec *deadline,
		      struct mbox_msginfo *info);

/**
 * mbox_receive() - receive the oldest message, sleeping until there is one
 * @fd: descriptor bound with receive access.
 * @buf: buffer; @size bytes.
 * @size: its size (a buffer of msg_size_max bytes always fits).
 * @info: NULL, or filled as for mbox_receivex().
 *
 * Return: the message's length, or -errno as for mbox_receivex().
 */
ssize_t mbox_receive(int fd, void *buf, size_t size,
		     struct mbox_msginfo *info);

/**
 * mbox_tryreceive() - receive the oldest message without sleeping
 * @fd: descriptor bound with receive access.
 * @buf: buffer.
 * @size: its size.
 * @info: NULL, or filled as for mbox_receivex().
 *
 * Return: the message's length, -EAGAIN if the mailbox is empty, or -errno
 * as for mbox_receivex().
 */
ssize_t mbox_tryreceive(int fd, void *buf, size_t size,
			struct mbox_msginfo *info);

/**
 * mbox_timedreceive() - receive the oldest message, sleeping at most until
 * a deadline
 * @fd: descriptor bound with receive access.
 * @buf: buffer.
 * @size: its size.
 * @info: NULL, or filled as for mbox_receivex().
 * @abs_deadline: absolute CLOCK_MONOTONIC time; NULL sleeps without limit.
 *
 * Return: the message's length, -ETIMEDOUT, or -errno as for
 * mbox_receivex().
 */
ssize_t mbox_timedreceive(int fd, void *buf, size_t size,
			  struct mbox_msginfo *info,
			  const struct timespec *abs_deadline);

/**
 * mbox_next_size() - length of the message a receive would take next
 * @fd: descriptor bound with receive access.
 *
 * Never sleeps and removes nothing (mbox_receivex() with MBOX_F_PEEK).
 *
 * Return: the length (>= 0), -EAGAIN if no message is waiting, or -errno as
 * for mbox_receivex().
 */
ssize_t mbox_next_size(int fd);

/**
 * mbox_stat() - describe the mailbox a descriptor is bound to
 * @fd: a bound descriptor (any access), also one bound to a direct
 *	mailbox; works on a destroyed mailbox too.
 * @st: filled on success.
 *
 * Return: 0, or -errno: -EINVAL (@st NULL), -EBADFD (descriptor not bound),
 * -ENOTTY (not a mailbox descriptor), -EBADF, -EFAULT.
 */
int mbox_stat(int fd, struct mbox_stat *st);

/**
 * mbox_deadline_after() - absolute deadline @ms milliseconds from now
 * @ts: filled with CLOCK_MONOTONIC now + @ms, for the timed calls.
 * @ms: milliseconds, >= 0 (0 gives "now": a timed call then never sleeps).
 *
 * Return: 0, or -EINVAL (@ts NULL or @ms negative), -EOVERFLOW (not
 * representable in a struct timespec).
 */
int mbox_deadline_after(struct timespec *ts, long ms);

/**
 * mbox_send_priox() - send one message with a priority: the general form
 * @fd: descriptor bound with send access.
 * @buf: the message (may be NULL when @len is 0).
 * @len: its length.
 * @prio: its priority, 0 to MBOX_PRIO_MAX; must be 0 unless the mailbox
 *	is MBOX_DELIVER_PRIORITY, where a receive takes the highest priority
 *	first, the oldest first within a priority.
 * @flags: as for mbox_sendx().
 * @deadline: as for mbox_sendx().
 * @receivers: if not NULL, on success set to the number of receivers the
 *	message was given to: on a broadcast mailbox the subscribers it was
 *	queued for (0 when nobody subscribed: the message reached nobody, and
 *	the call still succeeds), otherwise 1; untouched on failure.
 *
 * Since 1.1. Otherwise as mbox_sendx().
 *
 * Return: 0, or -errno as for mbox_sendx(), and -EINVAL (@prio above
 * MBOX_PRIO_MAX, or not 0 on a mailbox without priority delivery).
 */
int mbox_send_priox(int fd, const void *buf, size_t len, unsigned int prio,
		    unsigned int flags, const struct timespec *deadline,
		    unsigned int *receivers);

/**
 * mbox_send_prio() - send one message with a priority, sleeping while the
 * mailbox is full
 * @fd: descriptor bound with send access.
 * @buf: the message.
 * @len: its length.
 * @prio: its priority, as for mbox_send_priox().
 *
 * Since 1.1.
 *
 * Return: 0 or -errno, as for mbox_send_priox().
 */
int mbox_send_prio(int fd, const void *buf, size_t len, unsigned int prio);

/**
 * mbox_set_recv_priority() - set a descriptor's receive priority
 * @fd: a bound descriptor.
 * @prio: 0 (the default) to MBOX_PRIO_MAX.
 *
 * When several receivers sleep on a queue or priority mailbox, a new
 * message goes to the one of highest receive priority, equal priorities in
 * the order they began to wait. A receive takes the priority its
 * descriptor has when it begins to sleep. The priority belongs to the
 * descriptor, so dup()s share it. Broadcast mailboxes ignore it. Since 1.1.
 *
 * Return: 0, or -errno: -EINVAL (@prio above MBOX_PRIO_MAX), -EBADFD
 * (descriptor not bound), -ENOTTY (not a mailbox descriptor), -EBADF.
 */
int mbox_set_recv_priority(int fd, unsigned int prio);

/**
 * mbox_direct_open() - open the caller's direct mailbox
 * @attr: attributes if the mailbox is created, NULL for the defaults
 *	(MBOX_DIRECT_ATTR_INIT: capacity 256, msg_size_max 8192, queue
 *	delivery, MBOX_POLICY_ANY).
 * @flags: MBOX_NONBLOCK, MBOX_CLOEXEC (always on).
 *
 * Every process (thread group) may have one direct mailbox, to which
 * others send by pid with mbox_send_to(). The first call of a process
 * creates it; later calls, from any of its threads, bind another
 * descriptor to the same mailbox and ignore @attr. The descriptor has
 * receive access only: receive with mbox_receive() (from anyone) or
 * mbox_receive_from() (from one process); mbox_stat() reports the name
 * "pid/N", MBOX_STAT_DIRECT and the owner's pid.
 *
 * The mailbox is destroyed when the process exits (even if a child it
 * forked still holds a descriptor) or the last descriptor bound to it is
 * closed: queued messages are freed, senders sleeping on it fail with
 * -EPIPE, later sends to the pid with -ESRCH, and other calls on the
 * surviving descriptors with -EPIPE. It counts against the module's
 * mailbox limits. Since 1.1.
 *
 * Return: a descriptor (>= 0), or -errno: -EINVAL (unknown flags;
 * msg_size_max 0, broadcast or unknown delivery, unknown policy, @pids or
 * @npids not as the policy needs them, sizes above the module's limits),
 * -ESRCH (a listed pid names no process), -ENOSPC (too many mailboxes),
 * -ENOMEM, -EFAULT, -ENOENT (no /dev/mailbox), and errors of open(2).
 */
int mbox_direct_open(const struct mbox_direct_attr *attr, int flags);

/**
 * mbox_direct_policy() - change who may send to the caller's direct mailbox
 * @fd: a descriptor bound to it (by mbox_direct_open()).
 * @policy: MBOX_POLICY_ANY, MBOX_POLICY_UID or MBOX_POLICY_LIST.
 * @pids: MBOX_POLICY_LIST: the pids of the processes that may send, each a
 *	live process; otherwise ignored (may be NULL).
 * @n: MBOX_POLICY_LIST: entries in @pids, 1 to MBOX_POLICY_LIST_MAX;
 *	otherwise must be 0.
 *
 * Only the owning process may change the policy (not, say, a child that
 * inherited the descriptor). Sends already accepted are not affected; a
 * refused sender gets -EACCES. Since 1.1.
 *
 * Return: 0, or -errno: -EINVAL (unknown @policy, @pids or @n not as the
 * policy needs them, @fd bound to a named mailbox), -EPERM (not the
 * owner), -EPIPE (the mailbox was destroyed), -ESRCH (a listed pid names no
 * process), -EBADFD (descriptor not bound), -ENOTTY, -EBADF, -ENOMEM,
 * -EFAULT.
 */
int mbox_direct_policy(int fd, unsigned int policy, const pid_t *pids,
		       size_t n);

/**
 * mbox_send_tox() - send one message to a process's direct mailbox: the
 * general form
 * @fd: any descriptor on /dev/mailbox, bound or not (its binding plays no
 *	part), or MBOX_ANY_FD: the library then opens /dev/mailbox for the
 *	call and closes it afterwards, which is simple but slower (an open()
 *	and a close() per message); keep a descriptor for repeated sends.
 * @pid: the receiving process (any of its thread ids), in the caller's pid
 *	namespace; > 0.
 * @buf: the message (may be NULL when @len is 0).
 * @len: its length, 0 up to the direct mailbox's msg_size_max.
 * @prio: its priority, 0 to MBOX_PRIO_MAX; must be 0 unless the direct
 *	mailbox was opened with MBOX_DELIVER_PRIORITY.
 * @flags: as for mbox_sendx().
 * @deadline: as for mbox_sendx().
 * @receiver: as for mbox_sendx().
 *
 * Blocks, fails or waits for delivery as mbox_sendx() does. The receiver learns the sender's pid in its own pid
 * namespace. Since 1.1.
 *
 * Return: 0, or -errno: -ESRCH (no such process, or it has no direct
 * mailbox), -EACCES (its policy refuses the caller), -EPIPE (the owner
 * exited while the call slept), -EINVAL (@pid not positive, bad flags or
 * deadline), -EAGAIN, -ETIMEDOUT, -EINTR, -EMSGSIZE, -ENOBUFS, -ENOMEM,
 * -EFAULT, -EBADF, -ENOTTY as for mbox_sendx(); with MBOX_ANY_FD also
 * -ENOENT (no /dev/mailbox) and errors of open(2).
 */
int mbox_send_tox(int fd, pid_t pid, const void *buf, size_t len,
		  unsigned int prio, unsigned int flags,
		  const struct timespec *deadline, pid_t *receiver);

/**
 * mbox_send_to() - send one message to a process's direct mailbox,
 * sleeping while it is full
 * @fd: any descriptor on /dev/mailbox, or MBOX_ANY_FD (slower), as for
 *	mbox_send_tox().
 * @pid: the receiving process.
 * @buf: the message.
 * @len: its length.
 *
 * Since 1.1.
 *
 * Return: 0 or -errno, as for mbox_send_tox().
 */
int mbox_send_to(int fd, pid_t pid, const void *buf, size_t len);

/**
 * mbox_receive_fromx() - receive the oldest message from one sender: the
 * general form
 * @fd: descriptor bound with receive access, to a direct mailbox or to a
 *	queue or priority one (not broadcast).
 * @pid: 0 to take the next message from anyone, as mbox_receivex() does;
 *	otherwise only messages sent by that process (its pid in the caller's
 *	pid namespace) qualify, and messages from others stay queued, in
 *	order.
 * @buf: buffer for the message (may be NULL when @size is 0).
 * @size: its size, as for mbox_receivex().
 * @flags: as for mbox_receivex(); MBOX_F_PEEK describes the next message
 *	from @pid.
 * @deadline: as for mbox_receivex().
 * @info: as for mbox_receivex().
 *
 * When no message from @pid is queued and no process has that pid, the
 * call fails with -ESRCH instead of sleeping for ever. Since 1.1.
 *
 * Return: the message's length (>= 0), or -errno as for mbox_receivex(),
 * and -ESRCH (see above), -EINVAL (@pid negative, or not 0 on a broadcast
 * mailbox).
 */
ssize_t mbox_receive_fromx(int fd, pid_t pid, void *buf, size_t size,
			   unsigned int flags, const struct timespec *deadline,
			   struct mbox_msginfo *info);

/**
 * mbox_receive_from() - receive the oldest message from one sender,
 * sleeping until there is one
 * @fd: descriptor bound with receive access.
 * @pid: the sending process, or 0 for anyone.
 * @buf: buffer.
 * @size: its size.
 * @info: NULL, or filled as for mbox_receivex().
 *
 * Since 1.1.
 *
 * Return: the message's length, or -errno as for mbox_receive_fromx().
 */
ssize_t mbox_receive_from(int fd, pid_t pid, void *buf, size_t size,
			  struct mbox_msginfo *info);

/**
 * struct mbox_version - the loaded module's version and calls
 * @major: incompatible changes.
 * @minor: calls added, compatibly.
 * @patch: fixes.
 * @ioctls: bit N set when the module implements ioctl number N of
 *	<linux/kmailbox.h> (e.g. bit 0x06, MAILBOX_IOC_SEND_TO, for
 *	mbox_send_to()).
 */
struct mbox_version {
	unsigned int major;
	unsigned int minor;
	unsigned int patch;
	uint64_t ioctls;
};

/**
 * mbox_version() - the library's version
 *
 * Since 1.2.
 *
 * Return: "MAJOR.MINOR.PATCH" of this libmailbox, a static string.
 */
const char *mbox_version(void);

/**
 * mbox_module_version() - the loaded kernel module's version
 * @v: filled on success.
 *
 * Asks the module through MAILBOX_IOC_VERSION on a descriptor of its own,
 * closed before returning. Since 1.2.
 *
 * Return: 0, or -errno: -EINVAL (@v is NULL), -ENOENT (no /dev/mailbox: the
 * module is not loaded), -ENOTTY (a module older than 1.2, which cannot
 * tell), or an error of open(2) on /dev/mailbox.
 */
int mbox_module_version(struct mbox_version *v);

/**
 * struct mbox_vec - one message of a batch
 * @buf: the message (send), or the buffer for it (receive).
 * @len: send: the message's length. Receive: in, the buffer's size; out,
 *	the length of the message received into it.
 */
struct mbox_vec {
	void *buf;
	size_t len;
};

/**
 * mbox_send_batch() - send several messages in one system call
 * @fd: descriptor bound with send access.
 * @vec: the messages, sent in order.
 * @n: how many, at least 1.
 * @flags: 0 or MBOX_F_NONBLOCK.
 * @deadline: NULL, or an absolute CLOCK_MONOTONIC time for the first
 *	message (not with MBOX_F_NONBLOCK).
 *
 * The first message is sent as mbox_sendx() would send it, sleeping while
 * the mailbox is full unless @flags or the descriptor say otherwise. The
 * others are sent only as long as they need no sleep: the call returns
 * when the mailbox is full, having sent what fitted. Every message sent
 * is sent whole; those not sent were not (a later call sends them, or
 * reports why it cannot). Uses MAILBOX_IOC_SENDV, 64 messages per system
 * call, placed in the mailbox in one hold of its lock (a module older
 * than 1.4: MAILBOX_IOC_SEND_BATCH, as many). Since 1.2.
 *
 * Return: the number of messages sent (1 to @n), or -errno when not even
 * the first was, as for mbox_sendx(), and -EINVAL (@vec NULL, @n 0, bad
 * @flags), -ENOTTY (a module older than 1.2).
 */
int mbox_send_batch(int fd, const struct mbox_vec *vec, unsigned int n,
		    unsigned int flags, const struct timespec *deadline);

/**
 * mbox_receive_batch() - receive several messages in one system call
 * @fd: descriptor bound with receive access.
 * @vec: buffers, filled in order; each @len is set to the message's length.
 * @n: how many, at least 1.
 * @flags: 0 or MBOX_F_NONBLOCK.
 * @deadline: NULL, or an absolute CLOCK_MONOTONIC time for the first
 *	message (not with MBOX_F_NONBLOCK).
 *
 * The first message is received as mbox_receivex() would receive it,
 * sleeping until there is one unless @flags or the descriptor say
 * otherwise; then as many more as are there at once, up to @n. A message
 * too big for its buffer ends the batch and stays first in the mailbox;
 * so does a buffer that cannot be written. Uses MAILBOX_IOC_RECVV, 64
 * messages per system call, taken in one hold of the mailbox's lock (a
 * broadcast mailbox, or a module older than 1.4: MAILBOX_IOC_RECV_BATCH,
 * as many). Since 1.2.
 *
 * Return: the number of messages received (1 to @n), or -errno when not
 * even the first was, as for mbox_receivex() (on -EMSGSIZE, vec[0].len is
 * the first message's length), and -EINVAL (@vec NULL, @n 0, bad @flags),
 * -ENOTTY (a module older than 1.2).
 */
int mbox_receive_batch(int fd, struct mbox_vec *vec, unsigned int n,
		       unsigned int flags, const struct timespec *deadline);

/**
 * mbox_list() - describe mailboxes without opening them
 * @name: NULL or "" for every mailbox; otherwise only the mailboxes called
 *	@name: the one linked under it and those unlinked but still open, or
 *	a direct mailbox by its "pid/N".
 * @st: filled with up to @n entries, oldest mailbox first; may be NULL
 *	when @n is 0.
 * @n: entries @st holds; 0 to count the mailboxes instead.
 * @cursor: NULL to list from the start; otherwise where to resume, 0 the
 *	first time, and the call leaves there where the next call resumes.
 *
 * Lists what /proc/mailboxes shows: every mailbox there is, named or
 * direct, linked, unlinked or dead (destroyed but still held), whatever
 * its permissions, each entry as mbox_stat() would fill it for a
 * descriptor without access: @access, @recv_priority and @backlog are 0,
 * and so is @next_len on a broadcast mailbox. Paged through @cursor, a
 * listing returns each mailbox that lives through it exactly once, even
 * while others are created and destroyed: mailboxes are listed in the
 * order they were created, and a new one comes after every listed one.
 * Opens MBOX_DEVICE for the call and closes it; uses MAILBOX_IOC_LIST.
 * Since 1.3.
 *
 * Return: the number of entries written, fewer than @n only at the end of
 * the list (0: nothing more, and @cursor unchanged); with @n 0, the number
 * of mailboxes (called @name). Or -errno: -EINVAL (@st NULL), -ENAMETOOLONG,
 * -ENOENT (@name given and no mailbox is called so, or no /dev/mailbox),
 * -ENOTTY (a module older than 1.3), and errors of open(2).
 */
int mbox_list(const char *name, struct mbox_stat *st, unsigned int n,
	      uint64_t *cursor);

/*
 * Mapped mailboxes (since 1.4). A mailbox created with MBOX_MAPPED
 * (delivery MBOX_DELIVER_QUEUE, a capacity that is a power of two, at
 * least 2) is a single-producer/single-consumer ring shared with the
 * kernel: one descriptor claims the producer role (it needs send access),
 * one the consumer role (receive access), with mbox_map(); then messages
 * go through the ring in place and the kernel is entered only to sleep on
 * an empty (full) ring and to wake the other side. mbox_send() and
 * mbox_receive() on such a mailbox fail with -EOPNOTSUPP. A role is given
 * up when its descriptor is closed and the ring unmapped (mbox_map_close()
 * or exit); another descriptor may claim it then. The ring is charged to
 * the creator's in-flight bytes quota (-ENOBUFS at creation). poll() on
 * the consumer's descriptor reports POLLIN when a receive would not
 * sleep, on the producer's POLLOUT, with POLLHUP once the other role was
 * given up; but a poller is woken only by the other side's wake-ups,
 * which it gets only while the ring says it sleeps: use the calls below,
 * or see "Mapped mailboxes" in <linux/kmailbox.h> for the protocol.
 *
 * A struct mbox_map is used by one thread at a time. The calls take
 * MBOX_F_NONBLOCK or a deadline (not both), as mbox_sendx() does. They
 * fail with -EPIPE when they would sleep and the other role was given up
 * and is not claimed (a consumer first receives what is left), -EUCLEAN
 * when the ring's indices are impossible (someone wrote over them), and
 * a consumer with -EBADMSG on a record longer than msg_size_max.
 */
#define MBOX_MAP_PRODUCER	0x1	/* mbox_map(): claim the producer role */
#define MBOX_MAP_CONSUMER	0x2	/* mbox_map(): claim the consumer role */
#define MBOX_MAP_NOSPIN		0x4	/* sleep at once, without polling first */

struct mbox_map;

/**
 * mbox_map() - claim a role of a mapped mailbox and map its ring
 * @fd: descriptor bound to a mailbox created with MBOX_MAPPED; stays the
 *	caller's (close it after mbox_map_close()).
 * @flags: MBOX_MAP_PRODUCER or MBOX_MAP_CONSUMER, and MBOX_MAP_NOSPIN
 *	(by default a call that must wait polls the ring 1000 times first,
 *	as shmring's futex mode does).
 * @map: set to the new handle.
 *
 * Return: 0, or -errno: -EBUSY (the role is taken, or @fd claimed one),
 * -EBADF (@fd lacks the access), -EOPNOTSUPP (not a mapped mailbox),
 * -EINVAL, -ENOMEM, or mmap(2)'s errors.
 */
int mbox_map(int fd, int flags, struct mbox_map **map);

/**
 * mbox_map_close() - unmap the ring and free the handle
 * @map: the handle. The role is given up once its descriptor is closed
 *	too.
 *
 * Return: 0 or -errno.
 */
int mbox_map_close(struct mbox_map *map);

/**
 * mbox_map_fd() - the descriptor of a handle, for poll()
 * @map: the handle.
 *
 * Return: the descriptor, or -EINVAL.
 */
int mbox_map_fd(const struct mbox_map *map);

/**
 * mbox_map_send() - copy a message into the ring (producer)
 * @map: the producer's handle.
 * @buf: the message.
 * @len: its length, up to msg_size_max (-EMSGSIZE).
 * @flags: 0 or MBOX_F_NONBLOCK.
 * @deadline: NULL, or an absolute CLOCK_MONOTONIC time.
 *
 * Sleeps while the ring is full.
 *
 * Return: 0 or -errno (see above; -EAGAIN, -ETIMEDOUT, -EINTR).
 */
int mbox_map_send(struct mbox_map *map, const void *buf, size_t len,
		  unsigned int flags, const struct timespec *deadline);

/**
 * mbox_map_receive() - copy the next message out of the ring (consumer)
 * @map: the consumer's handle.
 * @buf: the buffer.
 * @size: its size; -EMSGSIZE (the message stays) when it is too small.
 * @flags: 0 or MBOX_F_NONBLOCK.
 * @deadline: NULL, or an absolute CLOCK_MONOTONIC time.
 *
 * Return: the message's length, or -errno.
 */
ssize_t mbox_map_receive(struct mbox_map *map, void *buf, size_t size,
			 unsigned int flags, const struct timespec *deadline);

/**
 * mbox_map_reserve() - the next free record, to write in place (producer)
 * @map: the producer's handle.
 * @buf: set to the record's payload.
 * @flags: as for mbox_map_send().
 * @deadline: as for mbox_map_send().
 *
 * Return: the payload's size (msg_size_max), or -errno. Write the
 * message there, then mbox_map_commit().
 */
ssize_t mbox_map_reserve(struct mbox_map *map, void **buf, unsigned int flags,
			 const struct timespec *deadline);

/**
 * mbox_map_commit() - send the record mbox_map_reserve() gave
 * @map: the producer's handle.
 * @len: the message's length.
 *
 * Return: 0, or -errno (-EINVAL: nothing reserved; -EMSGSIZE).
 */
int mbox_map_commit(struct mbox_map *map, size_t len);

/**
 * mbox_map_peek() - the next message, to read in place (consumer)
 * @map: the consumer's handle.
 * @buf: set to the message.
 * @flags: as for mbox_map_receive().
 * @deadline: as for mbox_map_receive().
 *
 * The message stays in the ring, and is read there, until
 * mbox_map_release().
 *
 * Return: its length, or -errno.
 */
ssize_t mbox_map_peek(struct mbox_map *map, const void **buf,
		      unsigned int flags, const struct timespec *deadline);

/**
 * mbox_map_release() - done with the message mbox_map_peek() gave
 * @map: the consumer's handle.
 *
 * Return: 0, or -errno (-EINVAL: nothing peeked).
 */
int mbox_map_release(struct mbox_map *map);

#ifdef __cplusplus
}
#endif

#endif /* MAILBOX_H */
