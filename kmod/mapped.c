// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: mapped mailboxes. A single-producer/single-consumer
 * ring shared with userspace through mmap(): the two sides move records
 * without entering the kernel, and come here only to claim their role,
 * to sleep when the ring is empty (full) and to wake each other. See
 * "Mapped mailboxes" in the uapi header for the layout and the protocol.
 *
 * The ring is userspace's: either side, or anyone who maps it, may write
 * anything into it at any time. The kernel reads only the two indices,
 * from its own mapping of the control page (never through a user
 * address), and checks them every time before using them; it never reads
 * the records. A ring found corrupt fails the waits with -EUCLEAN; nothing
 * in the kernel depends on it otherwise.
 */
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kmailbox.h"

/* Where head and tail start: near the wrap, so that every user meets it. */
#define KMB_RING_START	0xfffff000U

/* Between two reads of the tail, a tail moved by less than this advanced. */
#define KMB_RING_FWD	0x80000000U

static_assert(sizeof(struct mailbox_ring) <= PAGE_SIZE);
static_assert(sizeof(struct mailbox_ring) == 272);
static_assert(sizeof(struct mailbox_record) == 8);
static_assert(sizeof(struct mailbox_map) == 48);
static_assert(sizeof(struct mailbox_map_wait) == 32);

/* Bytes from one record to the next, for a slot of @slot_size bytes. */
static u64 kmb_record_size(u32 slot_size)
{
	return sizeof(struct mailbox_record) + round_up((u64)slot_size, 8);
}

/**
 * kmb_ring_check() - check the arguments of a mapped mailbox's creation
 * @args: MAILBOX_IOC_CREATE's arguments; the other checks were made.
 *
 * Return: 0 (also when MAILBOX_CREATE_MAPPED is not asked for) or -EINVAL.
 */
int kmb_ring_check(const struct mailbox_create *args)
{
	if (!(args->flags & MAILBOX_CREATE_MAPPED))
		return 0;
	if (args->delivery != MAILBOX_DELIVER_QUEUE || args->capacity < 2 ||
	    !is_power_of_2(args->capacity))
		return -EINVAL;
	return 0;
}

/**
 * kmb_ring_alloc() - give a new mailbox its ring
 * @mb: the mailbox, not linked yet; its capacity and msg_size_max were
 *	checked by kmb_ring_check() and kmb_check_sizes().
 *
 * The ring is charged to @mb's creator until kmb_ring_free(). It comes
 * from vmalloc_user(), zeroed and flagged for remap_vmalloc_range(); that
 * takes no gfp flags, so unlike the module's other allocations the ring
 * is not charged to the creator's memory cgroup: user_bytes_max is its
 * bound.
 *
 * Return: 0, -ENOBUFS (over the creator's user_bytes_max) or -ENOMEM; on
 * failure nothing is allocated or charged.
 */
int kmb_ring_alloc(struct kmb *mb)
{
	u64 record_size = kmb_record_size(mb->msg_size_max);
	u64 size = PAGE_ALIGN(PAGE_SIZE + mb->capacity * record_size);
	struct mailbox_ring *ctl;
	struct kmb_ring *ring;
	int ret;

	/* kmb_check_sizes() bounds both factors: no overflow, but huge. */
	if (size > MAX_LFS_FILESIZE || size != (size_t)size)
		return -ENOBUFS;
	ret = kmb_user_charge(mb->creator, size);
	if (ret)
		return ret;
	ring = kzalloc(sizeof(*ring), GFP_KERNEL_ACCOUNT);
	if (!ring)
		goto err_uncharge;
	ctl = vmalloc_user(size);
	if (!ctl)
		goto err_ring;
	ctl->head = KMB_RING_START;
	ctl->tail = KMB_RING_START;
	ctl->slots = mb->capacity;
	ctl->slot_size = mb->msg_size_max;
	ctl->record_size = record_size;
	ctl->records_offset = PAGE_SIZE;
	ring->ctl = ctl;
	ring->size = size;
	ring->slots = mb->capacity;
	ring->head = KMB_RING_START;
	ring->tail = KMB_RING_START;
	mb->ring = ring;
	return 0;

err_ring:
	kfree(ring);
err_uncharge:
	kmb_user_uncharge(mb->creator, size);
	return -ENOMEM;
}

/**
 * kmb_ring_free() - free a mailbox's ring, if it has one
 * @mb: the mailbox, being freed: nothing maps the ring any more (each
 *	mapping holds a descriptor, which holds @mb).
 */
void kmb_ring_free(struct kmb *mb)
{
	struct kmb_ring *ring = mb->ring;

	if (!ring)
		return;
	vfree(ring->ctl);
	kmb_user_uncharge(mb->creator, ring->size);
	kfree(ring);
	mb->ring = NULL;
}

/**
 * kmb_ring_look() - read a mapped mailbox's indices and account for them
 * @mb: the mailbox, with a ring; its lock is held.
 *
 * Both sides may be moving the indices meanwhile, so they are read tail,
 * head, tail again: a valid ring then has tail1 <= head <= tail2 + slots
 * (tail1 <= tail2, all modulo 2^32), and tail2 may have passed the head
 * read, the ring having emptied meanwhile: then it counts as empty at
 * head. Anything else is corrupt. Nothing is asked of the indices against
 * the last look: both sides may move them on by any amount, 2^32 and
 * more, without entering the kernel (a ring that never fills or empties).
 * A valid look moves @mb's depth, sent and received on by how far the
 * indices moved since the last look, modulo 2^32 (so a side that wrote
 * its index backwards is counted as having moved it on); a corrupt one
 * changes nothing. A dead mailbox's counters stay as its destruction left
 * them.
 *
 * Return: 0, or -EUCLEAN for a corrupt ring.
 */
int kmb_ring_look(struct kmb *mb)
{
	struct kmb_ring *ring = mb->ring;
	u32 t1, h, t2, tail;

	lockdep_assert_held(&mb->lock);
	t1 = READ_ONCE(ring->ctl->tail);
	smp_rmb();	/* the tail before the head */
	h = READ_ONCE(ring->ctl->head);
	smp_rmb();	/* the head before the tail again */
	t2 = READ_ONCE(ring->ctl->tail);

	if (t2 - t1 >= KMB_RING_FWD ||
	    (u64)(h - t1) > (u64)(t2 - t1) + ring->slots)
		return -EUCLEAN;
	tail = h - t1 < t2 - t1 ? h : t2;
	if (mb->dead)
		return 0;
	mb->sent += h - ring->head;
	mb->received += tail - ring->tail;
	ring->head = h;
	ring->tail = tail;
	mb->depth = h - tail;
	return 0;
}

/*
 * Whether a MAILBOX_MAP_WAIT_* of @role may return, under the lock: 0 (the
 * ring is not empty for the consumer, not full for the producer), 1 (it
 * must sleep), or the errno it ends with. -EPIPE only when it would
 * sleep: a consumer drains what its gone producer left first.
 */
static int kmb_ring_ready(struct kmb *mb, u32 role)
{
	struct kmb_ring *ring = mb->ring;
	int ret;

	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return mb->dead_err;
	ret = kmb_ring_look(mb);
	if (ret)
		return ret;
	if (role == MAILBOX_MAP_CONSUMER) {
		if (ring->head != ring->tail)
			return 0;
		return ring->producer_left ? -EPIPE : 1;
	}
	if (ring->head - ring->tail < ring->slots)
		return 0;
	return ring->consumer_left ? -EPIPE : 1;
}

/**
 * kmb_ring_poll_mask() - what poll() reports for a mapped mailbox
 * @mf: the descriptor, bound to a mapped mailbox.
 *
 * Return: see "Mapped mailboxes" in the uapi header.
 */
__poll_t kmb_ring_poll_mask(struct kmb_file *mf)
{
	struct kmb *mb = mf->mbox;
	struct kmb_ring *ring = mb->ring;
	u32 role = READ_ONCE(mf->map_role);
	__poll_t mask = 0;

	spin_lock(&mb->lock);
	if (mb->dead) {
		mask = EPOLLHUP | EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
	} else if (kmb_ring_look(mb)) {
		mask = EPOLLERR;
	} else if (role == MAILBOX_MAP_CONSUMER) {
		if (ring->head != ring->tail)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (ring->producer_left)
			mask |= EPOLLHUP;
	} else if (role == MAILBOX_MAP_PRODUCER) {
		if (ring->head - ring->tail < ring->slots)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (ring->consumer_left)
			mask |= EPOLLHUP;
	}
	spin_unlock(&mb->lock);
	return mask;
}

/**
 * kmb_ioc_map() - MAILBOX_IOC_MAP
 * @mf: the descriptor.
 * @mb: the mailbox it is bound to.
 * @uarg: the caller's struct mailbox_map.
 *
 * The geometry is written out before the role is claimed, so that a claim
 * is never made for a caller that cannot learn of it.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
long kmb_ioc_map(struct kmb_file *mf, struct kmb *mb,
		 struct mailbox_map __user *uarg)
{
	struct kmb_ring *ring = mb->ring;
	struct mailbox_map args;
	bool *taken;
	int ret = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (!ring)
		return -EOPNOTSUPP;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (args.role == MAILBOX_MAP_PRODUCER) {
		if (!(mf->access & MAILBOX_ACCESS_SEND))
			return -EBADF;
		taken = &ring->producer;
	} else if (args.role == MAILBOX_MAP_CONSUMER) {
		if (!(mf->access & MAILBOX_ACCESS_RECV))
			return -EBADF;
		taken = &ring->consumer;
	} else {
		return -EINVAL;
	}
	args.slots = ring->slots;
	args.slot_size = mb->msg_size_max;
	args.record_size = kmb_record_size(mb->msg_size_max);
	args.records_offset = PAGE_SIZE;
	args.mmap_size = ring->size;
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = mb->dead_err;
	} else if (mf->map_role || *taken) {
		ret = -EBUSY;
	} else {
		*taken = true;
		if (args.role == MAILBOX_MAP_PRODUCER)
			ring->producer_left = false;
		else
			ring->consumer_left = false;
		WRITE_ONCE(mf->map_role, args.role);
	}
	spin_unlock(&mb->lock);
	return ret;
}

/*
 * Sleep until kmb_ring_ready() says @role may go on. The caller has
 * stored 1 in its waiting flag @flag, issued a full barrier and seen the
 * ring empty (full); the other side stores its index, issues a full
 * barrier, loads that flag (or exchanges it with 0) and, finding it set,
 * wakes &struct kmb.poll_wq.
 *
 * Why no wake-up is lost: this task queues itself on the waitqueue and
 * sets its state (prepare_to_wait(), under the waitqueue's lock and with
 * a full barrier) before it reads the indices. A waker whose index store
 * this read misses has not yet reached its wake_up() (that store precedes
 * the system call), and wake_up() takes the waitqueue's lock after this
 * task was queued, so it finds and wakes it; a waker that came earlier,
 * before this task was queued, stored its index before it took that
 * lock, which this task took later: the read sees the index. A waker that
 * skips the call because the flag looked clear does so only when the
 * sleeper's flag store came after the waker's barrier, so the sleeper's
 * own re-check, after its barrier, saw the new index and it did not
 * sleep. wq_has_sleeper() on the waker's side is the same pattern.
 */
static int kmb_ring_sleep(struct kmb *mb, u32 role, u32 *flag,
			  struct kmb_wait *wait)
{
	DEFINE_WAIT(entry);
	bool expired = false, counted = false;
	int ret;

	for (;;) {
		prepare_to_wait(&mb->poll_wq, &entry, TASK_INTERRUPTIBLE);
		/*
		 * A waker may have cleared the flag when it woke this task
		 * (see the uapi header): set it again before each look, so
		 * that a sleep after a wake-up that found the ring not yet
		 * ready is announced as the first was.
		 */
		WRITE_ONCE(*flag, 1);
		smp_mb();	/* the flag before the indices */
		spin_lock(&mb->lock);
		ret = kmb_ring_ready(mb, role);
		if (ret == 1 && !wait->mode && !counted) {
			if (role == MAILBOX_MAP_CONSUMER)
				mb->recv_blocked++;
			else
				mb->send_blocked++;
			counted = true;
		}
		spin_unlock(&mb->lock);
		if (ret != 1)
			break;
		if (wait->mode) {
			ret = wait->mode;
			break;
		}
		ret = kmb_sleep_step(wait, &expired);
		if (ret)
			break;
	}
	finish_wait(&mb->poll_wq, &entry);
	return ret;
}

/* A wake-up: the sleeper of the other role and the pollers of @events. */
static void kmb_ring_wake(struct kmb *mb, __poll_t events)
{
	/* The barrier of wq_has_sleeper(): see kmb_ring_sleep(). */
	if (wq_has_sleeper(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, events);
}

/**
 * kmb_ioc_map_wait() - MAILBOX_IOC_MAP_WAIT
 * @mf: the descriptor.
 * @mb: the mailbox it is bound to.
 * @uarg: the caller's struct mailbox_map_wait.
 * @nonblock: the descriptor is O_NONBLOCK.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
long kmb_ioc_map_wait(struct kmb_file *mf, struct kmb *mb,
		      const struct mailbox_map_wait __user *uarg,
		      bool nonblock)
{
	u32 role = READ_ONCE(mf->map_role);
	struct mailbox_map_wait args;
	struct kmb_wait wait;
	u32 *flag;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (!mb->ring)
		return -EOPNOTSUPP;
	if (memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	switch (args.op) {
	case MAILBOX_MAP_WAKE_CONSUMER:
		if (args.flags || args.deadline_ns)
			return -EINVAL;
		if (role != MAILBOX_MAP_PRODUCER)
			return -EBADF;
		kmb_ring_wake(mb, EPOLLIN | EPOLLRDNORM);
		return 0;
	case MAILBOX_MAP_WAKE_PRODUCER:
		if (args.flags || args.deadline_ns)
			return -EINVAL;
		if (role != MAILBOX_MAP_CONSUMER)
			return -EBADF;
		kmb_ring_wake(mb, EPOLLOUT | EPOLLWRNORM);
		return 0;
	case MAILBOX_MAP_WAIT_DATA:
		if (role != MAILBOX_MAP_CONSUMER)
			return -EBADF;
		flag = &mb->ring->ctl->consumer_waiting;
		break;
	case MAILBOX_MAP_WAIT_SPACE:
		if (role != MAILBOX_MAP_PRODUCER)
			return -EBADF;
		flag = &mb->ring->ctl->producer_waiting;
		break;
	default:
		return -EINVAL;
	}
	if (args.flags & ~(MAILBOX_NONBLOCK | MAILBOX_DEADLINE))
		return -EINVAL;
	ret = kmb_wait_init(&wait, args.flags, args.deadline_ns, nonblock);
	if (ret)
		return ret;
	ret = kmb_ring_sleep(mb, role, flag, &wait);
	/* As documented: the caller's flag is clear when the wait returns. */
	WRITE_ONCE(*flag, 0);
	return ret;
}

/**
 * kmb_ring_mmap() - mmap() of a mapped mailbox's descriptor
 * @mf: the descriptor.
 * @vma: the new mapping; it holds the descriptor's file, so the role and
 *	the mailbox (and the ring's pages) outlive it.
 *
 * Return: 0, -ENODEV (not a mapped mailbox), -EACCES (no role claimed),
 * -EINVAL (not shared, or not the whole ring), or remap_vmalloc_range()'s
 * error.
 */
int kmb_ring_mmap(struct kmb_file *mf, struct vm_area_struct *vma)
{
	/* Pairs with smp_store_release() in kmb_bind(). */
	struct kmb *mb = smp_load_acquire(&mf->mbox);

	if (!mb || !mb->ring)
		return -ENODEV;
	if (!READ_ONCE(mf->map_role))
		return -EACCES;
	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start != mb->ring->size)
		return -EINVAL;
	/* Sets VM_DONTEXPAND (no mremap() growth) and VM_DONTDUMP. */
	return remap_vmalloc_range(vma, mb->ring->ctl, 0);
}

/**
 * kmb_ring_release() - a descriptor that may hold a role goes away
 * @mf: the descriptor, bound; no mapping of it remains.
 *
 * Gives up its role and wakes the other side, which finds the role
 * unclaimed (-EPIPE, EPOLLHUP).
 */
void kmb_ring_release(struct kmb_file *mf)
{
	struct kmb *mb = mf->mbox;
	struct kmb_ring *ring = mb->ring;

	if (!ring || !mf->map_role)
		return;
	spin_lock(&mb->lock);
	if (mf->map_role == MAILBOX_MAP_PRODUCER) {
		ring->producer = false;
		ring->producer_left = true;
	} else {
		ring->consumer = false;
		ring->consumer_left = true;
	}
	spin_unlock(&mb->lock);
	wake_up_interruptible_poll(&mb->poll_wq, EPOLLHUP | EPOLLIN |
				   EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM);
}
