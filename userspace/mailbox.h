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
 * Link with -lmailbox. Symbols are versioned (LIBMAILBOX_1.0). The header
 * needs struct timespec from <time.h>: C11, or POSIX (_POSIX_C_SOURCE >=
 * 199309L, the default of gcc's gnu modes).
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

/* Defaults used when mbox_create() is given a NULL attr. */
#define MBOX_DEFAULT_CAPACITY	256U
#define MBOX_DEFAULT_MSG_SIZE	8192U
#define MBOX_DEFAULT_MODE	0600U

/**
 * struct mbox_attr - attributes of a new mailbox
 * @capacity: messages it holds; 0 makes a rendezvous mailbox, where a send
 *	completes only when a receiver takes the message.
 * @msg_size_max: largest message in bytes, at least 1 (the module caps it,
 *	1 MiB by default).
 * @mode: permission bits 0 to 0777, owner/group/other as for files: write
 *	permits sending, read permits receiving.
 *
 * Initialise with MBOX_ATTR_INIT and change what you need.
 */
struct mbox_attr {
	unsigned int capacity;
	unsigned int msg_size_max;
	unsigned int mode;
};

#define MBOX_ATTR_INIT { \
	.capacity = MBOX_DEFAULT_CAPACITY, \
	.msg_size_max = MBOX_DEFAULT_MSG_SIZE, \
	.mode = MBOX_DEFAULT_MODE, \
}

/* Flags of mbox_create() and mbox_open(). */
#define MBOX_EXCL	0x01	/* create only: fail with -EEXIST if it exists */
#define MBOX_OWNED	0x02	/* create only: destroyed when the fd closes */
#define MBOX_SEND_ONLY	0x04	/* bind for sending only (needs w) */
#define MBOX_RECV_ONLY	0x08	/* bind for receiving only (needs r) */
#define MBOX_NONBLOCK	0x10	/* open the fd O_NONBLOCK: all calls on it
					   act as with MBOX_F_NONBLOCK */
#define MBOX_CLOEXEC	0x20	/* accepted and ignored: always on */

/* Flags of mbox_sendx() and mbox_receivex(). */
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
 */
struct mbox_msginfo {
	size_t len;
	pid_t sender_pid;
	uid_t sender_uid;
	struct timespec send_time;
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
 * @flags: MBOX_STAT_OWNED or 0.
 * @sent: messages accepted since creation.
 * @received: messages taken by receivers since creation.
 * @send_blocked: sends that had to sleep.
 * @recv_blocked: receives that had to sleep.
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
};

/**
 * mbox_create() - create a mailbox, or open it if it exists
 * @name: mailbox name.
 * @flags: MBOX_EXCL, MBOX_OWNED, MBOX_SEND_ONLY or MBOX_RECV_ONLY (neither:
 *	both directions), MBOX_NONBLOCK, MBOX_CLOEXEC.
 * @attr: attributes for a new mailbox, NULL for the defaults (capacity 256,
 *	msg_size_max 8192, mode 0600).
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
 * mode above 0777, msg_size_max 0 or sizes above the module's limits),
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
 *
 * Return: 0, or -errno: -EAGAIN (would sleep), -ETIMEDOUT, -EINTR,
 * -EMSGSIZE (@len above msg_size_max), -EBADF (no send access), -EIDRM
 * (mailbox destroyed), -ENOBUFS (the user's in-flight bytes quota is full),
 * -ENOMEM, -EFAULT, -EINVAL (bad flags or deadline), -EBADFD (descriptor
 * not bound), -ENOTTY (not a mailbox descriptor).
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
 * Return: the message's length (>= 0), or -errno: -EMSGSIZE (@size too
 * small; the message stays queued), -EAGAIN, -ETIMEDOUT, -EINTR, -EBADF (no
 * receive access), -EIDRM, -EFAULT (the message stays queued), -EINVAL,
 * -EBADFD, -ENOTTY.
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
 * @fd: a bound descriptor (any access); works on a destroyed mailbox too.
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

#ifdef __cplusplus
}
#endif

#endif /* MAILBOX_H */
