/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shmring - a single-producer/single-consumer bounded buffer in a System V
 * shared memory segment: the course notes' ring (`in`/`out`, full when
 * (in + 1) % N == out, empty when in == out, one slot always kept empty),
 * written for real CPUs and usable between unrelated processes.
 *
 * Conventions (as libmailbox's, liburing's):
 *  - every call returns a non-negative value on success and -errno on
 *    failure; errno is not the result channel. Nothing is printed and there
 *    is no global state: all state is in the segment and in the handle.
 *  - a ring is a segment found by a System V key: chosen by the user, or
 *    made from a path and an id with shmring_key() (ftok(3)).
 *  - one process (thread) is the producer and one the consumer. Each holds
 *    a handle, struct shmring, from shmring_create() or shmring_attach(),
 *    and picks its waiting strategy when it attaches: SHMRING_SPIN
 *    (busy-wait with a pause instruction, for the lowest latency at the
 *    cost of a core; it calls sched_yield() every 256 polls so that a peer
 *    on the same CPU can run) or SHMRING_FUTEX (poll 1000 times in the same
 *    way, then sleep on a futex in the segment until the peer wakes it).
 *    The two sides may use different strategies. A handle is used by one
 *    thread at a time.
 *  - a ring carries either fixed-size messages (SHMRING_SLOTS: every send
 *    and receive moves exactly slot_size bytes; an N-slot ring holds N - 1)
 *    or variable-size ones (SHMRING_RECORDS: length-prefixed records in a
 *    byte ring; each record takes 8 bytes of header plus its length rounded
 *    up to 8, is never split across the end of the ring, and may be up to
 *    shmring_msg_max() = size / 2 rounded down to a multiple of 8, less 8,
 *    bytes long (size / 2 - 8 when size is a multiple of 16), so that one
 *    always fits into an empty ring wherever the indices stand).
 *  - deadlines are absolute CLOCK_MONOTONIC times. A waiting call is not
 *    interrupted by signals (use the timed forms to bound it).
 *  - end of stream: shmring_close() (or shmring_detach()) marks a side
 *    closed. A consumer then receives what was sent before the close and
 *    afterwards gets -EPIPE; a producer gets -EPIPE at its next send.
 *  - peer death: each side records its pid in the segment. A side that
 *    waits checks every 100 ms that the other side's process still exists
 *    (not gone, not a zombie) and treats its death like a close: -EPIPE
 *    (a consumer first drains what was sent). The calls that return -EAGAIN
 *    do the same check, at most every 100 ms. A side not attached yet, or
 *    a process in another pid namespace, counts as alive. Liveness belongs
 *    to the process that attached (a child forked later does not count).
 *    A side that does not wait (a producer with room) is not told of the
 *    peer's death, only of its close.
 *
 * Link with libshmring.a.
 */
#ifndef SHMRING_H
#define SHMRING_H

#include <stddef.h>
#include <time.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* struct shmring_geom.type */
#define SHMRING_SLOTS		1	/* fixed-size messages */
#define SHMRING_RECORDS		2	/* variable-size messages */

/* flags of shmring_create() and shmring_attach(): one role, one strategy */
#define SHMRING_PRODUCER	0x01
#define SHMRING_CONSUMER	0x02
#define SHMRING_SPIN		0x10
#define SHMRING_FUTEX		0x20

/** SHMRING_DATA_MAX - largest data area of a ring, in bytes (1 GiB). */
#define SHMRING_DATA_MAX	(1U << 30)

/**
 * struct shmring_geom - the shape of a new ring
 * @type: SHMRING_SLOTS or SHMRING_RECORDS.
 * @slot_size: SHMRING_SLOTS: the size of every message, >= 1.
 *	SHMRING_RECORDS: must be 0.
 * @size: SHMRING_SLOTS: the number of slots N, >= 2 (N - 1 usable).
 *	SHMRING_RECORDS: the size of the byte ring, a multiple of 8, >= 64.
 * @perm: permission bits of the segment (as for shmget(2)); 0 means 0600.
 *
 * The data area (slots rounded up to 8 bytes each, or the byte ring) is
 * at most %SHMRING_DATA_MAX bytes; it follows a one-page header.
 */
struct shmring_geom {
	unsigned int type;
	unsigned int slot_size;
	unsigned int size;
	unsigned int perm;
};

struct shmring;

/**
 * shmring_key() - make a System V key from a path and an id (ftok(3))
 * @path: an existing file both sides can see.
 * @id: the project id; only its low 8 bits are used and they must not
 *	all be zero.
 * @key: set to the key on success.
 *
 * Return: 0, -EINVAL (NULL argument or zero id), or -errno from stat(2).
 */
int shmring_key(const char *path, int id, key_t *key);

/**
 * shmring_create() - create a new ring and attach to it as one side
 * @ringp: set to the new handle on success.
 * @key: the key; IPC_PRIVATE gives a segment nobody else can attach to by
 *	key (but a child forked later can use the handle it inherits).
 * @geom: the shape of the ring.
 * @flags: SHMRING_PRODUCER or SHMRING_CONSUMER, and SHMRING_SPIN or
 *	SHMRING_FUTEX.
 *
 * The segment is created exclusively (IPC_CREAT | IPC_EXCL), zero-filled
 * by the kernel; the header is published last, so an attach racing with
 * the creation gets -EAGAIN, not a half-made ring.
 *
 * Return: 0, -EINVAL (bad arguments or geometry), -EEXIST (a segment with
 * that key exists), -ENOMEM, -ENOSPC, -EACCES or another -errno of
 * shmget(2)/shmat(2).
 */
int shmring_create(struct shmring **ringp, key_t key,
		   const struct shmring_geom *geom, unsigned int flags);

/**
 * shmring_attach() - attach to an existing ring as one side
 * @ringp: set to the new handle on success.
 * @key: the ring's key (not IPC_PRIVATE).
 * @flags: SHMRING_PRODUCER or SHMRING_CONSUMER, and SHMRING_SPIN or
 *	SHMRING_FUTEX.
 *
 * Each side can be taken once in the life of a ring: a second producer or
 * consumer is refused even after the first one has gone.
 *
 * Return: 0, -ENOENT (no segment with that key), -EINVAL (bad arguments,
 * or the segment is not a ring of this version: bad magic, geometry or
 * size), -EAGAIN (the segment is still being initialised by its creator),
 * -EBUSY (that side is taken), -EACCES or another -errno of
 * shmget(2)/shmat(2)/shmctl(2).
 */
int shmring_attach(struct shmring **ringp, key_t key, unsigned int flags);

/**
 * shmring_close() - mark this side closed (end of stream)
 * @ring: the handle.
 *
 * The peer is woken: a consumer gets -EPIPE once it has received what was
 * sent before, a producer at its next send. Afterwards only
 * shmring_detach(), shmring_destroy() and shmring_msg_max() may be called
 * on @ring; sends and receives give -EBADF. Closing twice is harmless.
 *
 * Return: 0, or -EINVAL if @ring is NULL.
 */
int shmring_close(struct shmring *ring);

/**
 * shmring_detach() - close this side if still open, unmap, free the handle
 * @ring: the handle; invalid after the call.
 *
 * The segment stays until it is destroyed and every process has detached
 * (exit detaches too).
 *
 * Return: 0, -EINVAL if @ring is NULL, or -errno of shmdt(2) (the handle
 * is freed anyway).
 */
int shmring_detach(struct shmring *ring);

/**
 * shmring_destroy() - mark the segment for removal (IPC_RMID)
 * @ring: the handle; still usable, until shmring_detach().
 *
 * The key is free at once; the memory goes when the last process
 * detaches. Either side (or both) may call it, typically once both have
 * attached.
 *
 * Return: 0, -EINVAL if @ring is NULL, or -errno of shmctl(2) (-EPERM if
 * the caller neither owns nor created the segment).
 */
int shmring_destroy(struct shmring *ring);

/**
 * shmring_msg_max() - the largest message this ring carries
 * @ring: the handle.
 *
 * Return: the slot size (SHMRING_SLOTS: also the only size), or
 * (size / 2 rounded down to a multiple of 8) - 8 (SHMRING_RECORDS);
 * -EINVAL if @ring is NULL.
 */
long shmring_msg_max(const struct shmring *ring);

/**
 * shmring_send() - send one message, waiting while the ring is full
 * @ring: a producer handle.
 * @buf: the message (may be NULL when @len is 0).
 * @len: its length: exactly the slot size on a SHMRING_SLOTS ring, at most
 *	shmring_msg_max() on a SHMRING_RECORDS ring (0 is allowed there).
 *
 * The message is visible to the consumer when the call returns.
 *
 * Return: 0, or -EINVAL (NULL @ring or @buf, @len not the slot size),
 * -EMSGSIZE (record longer than shmring_msg_max()), -EBADF (not a producer
 * handle, or closed), -EPIPE (the consumer closed or died), -EIO (the
 * ring's shared state is corrupt).
 */
int shmring_send(struct shmring *ring, const void *buf, size_t len);

/**
 * shmring_trysend() - send one message if there is room now
 * @ring: a producer handle.
 * @buf: the message.
 * @len: its length.
 *
 * Return: 0, -EAGAIN (the ring is full), or -errno as for shmring_send().
 */
int shmring_trysend(struct shmring *ring, const void *buf, size_t len);

/**
 * shmring_timedsend() - send one message, waiting at most until a deadline
 * @ring: a producer handle.
 * @buf: the message.
 * @len: its length.
 * @abs_deadline: absolute CLOCK_MONOTONIC time; NULL waits without limit.
 *	A deadline in the past still sends if there is room.
 *
 * Return: 0, -ETIMEDOUT, or -errno as for shmring_send() (-EINVAL also
 * for a tv_nsec outside 0..999999999).
 */
int shmring_timedsend(struct shmring *ring, const void *buf, size_t len,
		      const struct timespec *abs_deadline);

/**
 * shmring_recv() - receive the oldest message, waiting while there is none
 * @ring: a consumer handle.
 * @buf: buffer for the message (may be NULL when @size is 0).
 * @size: its size: at least the slot size on a SHMRING_SLOTS ring.
 *
 * Return: the message's length (>= 0), or -EINVAL (NULL @ring, NULL @buf
 * with a non-zero @size), -EMSGSIZE (@size too small; the message stays
 * in the ring), -EBADF (not a consumer handle, or closed), -EPIPE (the
 * ring is empty and the producer closed or died), -EIO (the ring's shared
 * state is corrupt).
 */
ssize_t shmring_recv(struct shmring *ring, void *buf, size_t size);

/**
 * shmring_tryrecv() - receive the oldest message if there is one now
 * @ring: a consumer handle.
 * @buf: buffer for the message.
 * @size: its size.
 *
 * Return: the message's length, -EAGAIN (the ring is empty), or -errno as
 * for shmring_recv().
 */
ssize_t shmring_tryrecv(struct shmring *ring, void *buf, size_t size);

/**
 * shmring_timedrecv() - receive the oldest message, waiting at most until
 *	a deadline
 * @ring: a consumer handle.
 * @buf: buffer for the message.
 * @size: its size.
 * @abs_deadline: absolute CLOCK_MONOTONIC time; NULL waits without limit.
 *
 * Return: the message's length, -ETIMEDOUT, or -errno as for
 * shmring_recv() (-EINVAL also for a tv_nsec outside 0..999999999).
 */
ssize_t shmring_timedrecv(struct shmring *ring, void *buf, size_t size,
			  const struct timespec *abs_deadline);

#ifdef __cplusplus
}
#endif

#endif /* SHMRING_H */
