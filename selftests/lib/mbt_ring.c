// SPDX-License-Identifier: GPL-2.0
/*
 * mbt_ring: the userspace half of a mapped mailbox, written from the uapi
 * header's description alone (libmailbox has its own): claim a role, map
 * the ring, send and receive records, sleep through MAILBOX_IOC_MAP_WAIT
 * or through poll().
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdatomic.h>
#include <sys/mman.h>

#define MBT_LIB
#include "mbt.h"

/* The uapi's indices, as atomics. */
#define RING_U32(p)	((_Atomic uint32_t *)(p))

int mbt_map_wait(int fd, uint32_t op, uint32_t flags, uint64_t deadline_ns)
{
	struct mailbox_map_wait w = {
		.op = op, .flags = flags, .deadline_ns = deadline_ns,
	};

	return mbt_ioctl(fd, MAILBOX_IOC_MAP_WAIT, &w);
}

int mbt_ring_map(struct mbt_ring *r, int fd, uint32_t role)
{
	struct mailbox_map m = { .role = role };
	void *mem;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = mbt_ioctl(fd, MAILBOX_IOC_MAP, &m);
	if (ret)
		return ret;
	mem = mmap(NULL, m.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		return -errno;
	r->fd = fd;
	r->role = role;
	r->geo = m;
	r->mem = mem;
	r->ctl = mem;
	r->records = (char *)mem + m.records_offset;
	return 0;
}

void mbt_ring_unmap(struct mbt_ring *r)
{
	if (r->mem)
		munmap(r->mem, r->geo.mmap_size);
	r->mem = NULL;
}

/*
 * Sleep until the ring may have changed: MAILBOX_IOC_MAP_WAIT, or poll()
 * for @events (POLLERR: -EUCLEAN; POLLHUP: -EPIPE when still not ready,
 * which the caller decides by looking again).
 */
static int ring_sleep(struct mbt_ring *r, uint32_t op, short events,
		      uint32_t flags, uint64_t deadline_ns, bool *hup)
{
	struct pollfd p = { .fd = r->fd, .events = events };
	int timeout = -1;

	if (!r->poll)
		return mbt_map_wait(r->fd, op, flags, deadline_ns);
	if (flags & MAILBOX_NONBLOCK)
		timeout = 0;
	else if (flags & MAILBOX_DEADLINE)
		timeout = deadline_ns > mbt_now_ns() ?
			  (int)((deadline_ns - mbt_now_ns()) / MBT_MS) + 1 : 0;
	if (poll(&p, 1, timeout) < 0)
		return -errno;
	if (p.revents & POLLERR)
		return -EUCLEAN;
	if (p.revents & POLLHUP)
		*hup = true;
	if (!(p.revents & (events | POLLHUP)))
		return flags & MAILBOX_NONBLOCK ? -EAGAIN : -ETIMEDOUT;
	return 0;
}

int mbt_ring_send(struct mbt_ring *r, const void *buf, uint32_t len,
		  uint32_t flags, uint64_t deadline_ns)
{
	struct mailbox_ring *c = r->ctl;
	uint32_t slots = r->geo.slots;
	uint32_t head = atomic_load_explicit(RING_U32(&c->head),
					     memory_order_relaxed);
	struct mailbox_record *rec;
	bool hup = false;
	uint32_t tail;
	int ret;

	if (len > r->geo.slot_size)
		return -EMSGSIZE;
	for (;;) {
		tail = atomic_load_explicit(RING_U32(&c->tail),
					    memory_order_acquire);
		if (head - tail > slots)
			return -EUCLEAN;
		if (head - tail < slots)
			break;
		if (hup)
			return -EPIPE;
		atomic_store_explicit(RING_U32(&c->producer_waiting), 1,
				      memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		tail = atomic_load_explicit(RING_U32(&c->tail),
					    memory_order_acquire);
		if (head - tail != slots) {
			atomic_store_explicit(RING_U32(&c->producer_waiting),
					      0, memory_order_relaxed);
			continue;
		}
		ret = ring_sleep(r, MAILBOX_MAP_WAIT_SPACE, POLLOUT, flags,
				 deadline_ns, &hup);
		atomic_store_explicit(RING_U32(&c->producer_waiting), 0,
				      memory_order_relaxed);
		if (ret)
			return ret;
	}
	rec = (void *)(r->records +
		       (size_t)(head & (slots - 1)) * r->geo.record_size);
	rec->len = len;
	rec->reserved = 0;
	memcpy(rec + 1, buf, len);
	atomic_store_explicit(RING_U32(&c->head), head + 1,
			      memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(RING_U32(&c->consumer_waiting),
				 memory_order_relaxed))
		return mbt_map_wait(r->fd, MAILBOX_MAP_WAKE_CONSUMER, 0, 0);
	return 0;
}

int mbt_ring_recv(struct mbt_ring *r, void *buf, uint32_t size,
		  uint32_t flags, uint64_t deadline_ns)
{
	struct mailbox_ring *c = r->ctl;
	uint32_t slots = r->geo.slots;
	uint32_t tail = atomic_load_explicit(RING_U32(&c->tail),
					     memory_order_relaxed);
	struct mailbox_record *rec;
	bool hup = false;
	uint32_t head, len;
	int ret;

	for (;;) {
		head = atomic_load_explicit(RING_U32(&c->head),
					    memory_order_acquire);
		if (head - tail > slots)
			return -EUCLEAN;
		if (head != tail)
			break;
		if (hup)
			return -EPIPE;
		atomic_store_explicit(RING_U32(&c->consumer_waiting), 1,
				      memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		head = atomic_load_explicit(RING_U32(&c->head),
					    memory_order_acquire);
		if (head != tail) {
			atomic_store_explicit(RING_U32(&c->consumer_waiting),
					      0, memory_order_relaxed);
			continue;
		}
		ret = ring_sleep(r, MAILBOX_MAP_WAIT_DATA, POLLIN, flags,
				 deadline_ns, &hup);
		atomic_store_explicit(RING_U32(&c->consumer_waiting), 0,
				      memory_order_relaxed);
		if (ret)
			return ret;
	}
	rec = (void *)(r->records +
		       (size_t)(tail & (slots - 1)) * r->geo.record_size);
	len = *(volatile uint32_t *)&rec->len;
	if (len > r->geo.slot_size)
		return -EBADMSG;
	if (len > size)
		return -EMSGSIZE;
	memcpy(buf, rec + 1, len);
	atomic_store_explicit(RING_U32(&c->tail), tail + 1,
			      memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(RING_U32(&c->producer_waiting),
				 memory_order_relaxed)) {
		ret = mbt_map_wait(r->fd, MAILBOX_MAP_WAKE_PRODUCER, 0, 0);
		if (ret)
			return ret;
	}
	return len;
}
