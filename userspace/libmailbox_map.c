// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox: mapped mailboxes (MBOX_MAPPED), since 1.4. One side of the
 * single-producer/single-consumer ring that the kernel shares through
 * mmap(): records are written and read in place, and the kernel is
 * entered only to sleep on an empty (full) ring and to wake the other
 * side. The protocol is the uapi header's ("Mapped mailboxes").
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kmailbox.h>

#include "mailbox.h"

#define MBOX_EXPORT __attribute__((visibility("default")))

#define NSEC_PER_SEC		1000000000LL
/* Polls of the ring before sleeping in the kernel, as shmring's futex mode. */
#define SPIN_BEFORE_SLEEP	1000
#define SPIN_YIELD		256	/* polls between two sched_yield() */

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "lock-free 32-bit atomics needed");

/* The shared words, as atomics. */
#define A(p)	((_Atomic uint32_t *)(p))

/**
 * struct mbox_map - one side of a mapped mailbox
 * @fd: the descriptor that claimed the role (not owned).
 * @role: MBOX_MAP_PRODUCER or MBOX_MAP_CONSUMER.
 * @nospin: MBOX_MAP_NOSPIN: sleep at once.
 * @ctl: the control page.
 * @records: record 0.
 * @size: the mapping's length.
 * @slots: capacity, a power of two.
 * @slot_size: payload bytes per record.
 * @record_size: bytes between records.
 * @index: this side's next index (head or tail), which only it moves.
 * @held: a reserve or peek is outstanding.
 */
struct mbox_map {
	int fd;
	int role;
	bool nospin;
	struct mailbox_ring *ctl;
	char *records;
	size_t size;
	uint32_t slots;
	uint32_t slot_size;
	uint32_t record_size;
	uint32_t index;
	bool held;
};

static inline void cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static int map_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

MBOX_EXPORT
int mbox_map(int fd, int flags, struct mbox_map **mapp)
{
	struct mailbox_map m;
	struct mbox_map *map;
	void *mem;
	int role = flags & (MBOX_MAP_PRODUCER | MBOX_MAP_CONSUMER);
	int ret;

	if (!mapp || (role != MBOX_MAP_PRODUCER && role != MBOX_MAP_CONSUMER) ||
	    flags & ~(MBOX_MAP_PRODUCER | MBOX_MAP_CONSUMER | MBOX_MAP_NOSPIN))
		return -EINVAL;
	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	memset(&m, 0, sizeof(m));
	m.role = role == MBOX_MAP_PRODUCER ? MAILBOX_MAP_PRODUCER :
					     MAILBOX_MAP_CONSUMER;
	ret = map_ioctl(fd, MAILBOX_IOC_MAP, &m);
	if (ret)
		goto err_free;
	if (m.mmap_size > SIZE_MAX) {
		ret = -ENOMEM;
		goto err_free;
	}
	mem = mmap(NULL, (size_t)m.mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto err_free;
	}
	map->fd = fd;
	map->role = role;
	map->nospin = flags & MBOX_MAP_NOSPIN;
	map->ctl = mem;
	map->records = (char *)mem + m.records_offset;
	map->size = (size_t)m.mmap_size;
	map->slots = m.slots;
	map->slot_size = m.slot_size;
	map->record_size = m.record_size;
	map->index = atomic_load_explicit(role == MBOX_MAP_PRODUCER ?
					  A(&map->ctl->head) : A(&map->ctl->tail),
					  memory_order_relaxed);
	*mapp = map;
	return 0;

err_free:
	free(map);
	return ret;
}

MBOX_EXPORT
int mbox_map_close(struct mbox_map *map)
{
	int ret = 0;

	if (!map)
		return -EINVAL;
	if (munmap(map->ctl, map->size))
		ret = -errno;
	free(map);
	return ret;
}

MBOX_EXPORT
int mbox_map_fd(const struct mbox_map *map)
{
	return map ? map->fd : -EINVAL;
}

/* Records the other side may take (producer) or records there (consumer). */
static uint32_t other_index(struct mbox_map *map)
{
	return atomic_load_explicit(map->role == MBOX_MAP_PRODUCER ?
				    A(&map->ctl->tail) : A(&map->ctl->head),
				    memory_order_acquire);
}

/* 1 ready, 0 not, -EUCLEAN for impossible indices. */
static int ready(struct mbox_map *map)
{
	uint32_t other = other_index(map);
	uint32_t used = map->role == MBOX_MAP_PRODUCER ? map->index - other :
							 other - map->index;

	if (used > map->slots)
		return -EUCLEAN;
	return map->role == MBOX_MAP_PRODUCER ? used < map->slots : used > 0;
}

static int wait_flags(unsigned int flags, const struct timespec *deadline,
		      struct mailbox_map_wait *w)
{
	memset(w, 0, sizeof(*w));
	if (flags & ~MBOX_F_NONBLOCK || (deadline && flags & MBOX_F_NONBLOCK))
		return -EINVAL;
	if (flags & MBOX_F_NONBLOCK)
		w->flags = MAILBOX_NONBLOCK;
	if (deadline) {
		if (deadline->tv_sec < 0 || deadline->tv_nsec < 0 ||
		    deadline->tv_nsec >= NSEC_PER_SEC)
			return -EINVAL;
		w->flags = MAILBOX_DEADLINE;
		w->deadline_ns = (uint64_t)deadline->tv_sec * NSEC_PER_SEC +
				 (uint64_t)deadline->tv_nsec;
	}
	return 0;
}

/*
 * Wait until the ring is ready for this side: poll it a while, then
 * announce the sleep, look again and sleep in the kernel. 0 or -errno.
 */
static int wait_ready(struct mbox_map *map, unsigned int flags,
		      const struct timespec *deadline)
{
	_Atomic uint32_t *mine = A(map->role == MBOX_MAP_PRODUCER ?
				   &map->ctl->producer_waiting :
				   &map->ctl->consumer_waiting);
	struct mailbox_map_wait w;
	unsigned int spins = 0;
	int ret;

	/* Bad flags fail whether or not the call would wait. */
	ret = wait_flags(flags, deadline, &w);
	if (ret)
		return ret;
	ret = ready(map);
	if (ret)
		return ret < 0 ? ret : 0;
	w.op = map->role == MBOX_MAP_PRODUCER ? MAILBOX_MAP_WAIT_SPACE :
						MAILBOX_MAP_WAIT_DATA;
	if (!(flags & MBOX_F_NONBLOCK) && !map->nospin) {
		while (spins < SPIN_BEFORE_SLEEP) {
			cpu_relax();
			ret = ready(map);
			if (ret)
				return ret < 0 ? ret : 0;
			if (++spins % SPIN_YIELD == 0)
				sched_yield();
		}
	}
	for (;;) {
		atomic_store_explicit(mine, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		ret = ready(map);
		if (ret) {
			atomic_store_explicit(mine, 0, memory_order_relaxed);
			return ret < 0 ? ret : 0;
		}
		/* The kernel clears the flag when it returns. */
		ret = map_ioctl(map->fd, MAILBOX_IOC_MAP_WAIT, &w);
		if (ret)
			return ret;
		ret = ready(map);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

/* After publishing this side's index: wake the other side if it sleeps. */
static int wake_other(struct mbox_map *map)
{
	_Atomic uint32_t *theirs = A(map->role == MBOX_MAP_PRODUCER ?
				     &map->ctl->consumer_waiting :
				     &map->ctl->producer_waiting);
	struct mailbox_map_wait w;

	atomic_thread_fence(memory_order_seq_cst);
	if (!atomic_load_explicit(theirs, memory_order_relaxed) ||
	    !atomic_exchange_explicit(theirs, 0, memory_order_relaxed))
		return 0;
	memset(&w, 0, sizeof(w));
	w.op = map->role == MBOX_MAP_PRODUCER ? MAILBOX_MAP_WAKE_CONSUMER :
						MAILBOX_MAP_WAKE_PRODUCER;
	return map_ioctl(map->fd, MAILBOX_IOC_MAP_WAIT, &w);
}

static struct mailbox_record *record(struct mbox_map *map)
{
	return (struct mailbox_record *)(map->records +
		(size_t)(map->index & (map->slots - 1)) * map->record_size);
}

MBOX_EXPORT
ssize_t mbox_map_reserve(struct mbox_map *map, void **buf, unsigned int flags,
			 const struct timespec *deadline)
{
	int ret;

	if (!map || !buf || map->role != MBOX_MAP_PRODUCER || map->held)
		return -EINVAL;
	ret = wait_ready(map, flags, deadline);
	if (ret)
		return ret;
	*buf = record(map) + 1;
	map->held = true;
	return map->slot_size;
}

MBOX_EXPORT
int mbox_map_commit(struct mbox_map *map, size_t len)
{
	struct mailbox_record *rec;

	if (!map || map->role != MBOX_MAP_PRODUCER || !map->held)
		return -EINVAL;
	if (len > map->slot_size)
		return -EMSGSIZE;
	rec = record(map);
	rec->len = (uint32_t)len;
	rec->reserved = 0;
	map->held = false;
	map->index++;
	atomic_store_explicit(A(&map->ctl->head), map->index,
			      memory_order_release);
	return wake_other(map);
}

MBOX_EXPORT
int mbox_map_send(struct mbox_map *map, const void *buf, size_t len,
		  unsigned int flags, const struct timespec *deadline)
{
	void *slot;
	ssize_t ret;

	if (!map || (!buf && len))
		return -EINVAL;
	if (map->role == MBOX_MAP_PRODUCER && len > map->slot_size)
		return -EMSGSIZE;
	ret = mbox_map_reserve(map, &slot, flags, deadline);
	if (ret < 0)
		return (int)ret;
	if (len)
		memcpy(slot, buf, len);
	return mbox_map_commit(map, len);
}

MBOX_EXPORT
ssize_t mbox_map_peek(struct mbox_map *map, const void **buf,
		      unsigned int flags, const struct timespec *deadline)
{
	struct mailbox_record *rec;
	uint32_t len;
	int ret;

	if (!map || !buf || map->role != MBOX_MAP_CONSUMER || map->held)
		return -EINVAL;
	ret = wait_ready(map, flags, deadline);
	if (ret)
		return ret;
	rec = record(map);
	len = atomic_load_explicit(A(&rec->len), memory_order_relaxed);
	if (len > map->slot_size)
		return -EBADMSG;
	*buf = rec + 1;
	map->held = true;
	return len;
}

MBOX_EXPORT
int mbox_map_release(struct mbox_map *map)
{
	if (!map || map->role != MBOX_MAP_CONSUMER || !map->held)
		return -EINVAL;
	map->held = false;
	map->index++;
	atomic_store_explicit(A(&map->ctl->tail), map->index,
			      memory_order_release);
	return wake_other(map);
}

MBOX_EXPORT
ssize_t mbox_map_receive(struct mbox_map *map, void *buf, size_t size,
			 unsigned int flags, const struct timespec *deadline)
{
	const void *rec;
	ssize_t len;
	int ret;

	if (!map || (!buf && size))
		return -EINVAL;
	len = mbox_map_peek(map, &rec, flags, deadline);
	if (len < 0)
		return len;
	if ((size_t)len > size) {
		map->held = false;
		return -EMSGSIZE;
	}
	memcpy(buf, rec, (size_t)len);
	ret = mbox_map_release(map);
	return ret ? ret : len;
}
