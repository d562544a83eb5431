// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the life of a mailbox. Allocation and its checks, the
 * reference count and the final free, destruction (which wakes every
 * sleeper and discards what is queued) right beside it, and what poll()
 * sees.
 */
#include <linux/bitmap.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmailbox.h"

/* The largest message any mailbox may carry, whatever the parameter says. */
#define KMB_MSG_SIZE_HARD_MAX	SZ_1G

/**
 * kmb_check_sizes() - check a new mailbox's capacity and message size
 * @capacity: messages.
 * @msg_size_max: bytes.
 *
 * Return: 0 or -EINVAL.
 */
int kmb_check_sizes(u32 capacity, u32 msg_size_max)
{
	if (capacity > READ_ONCE(kmb_capacity_limit))
		return -EINVAL;
	if (!msg_size_max || msg_size_max > READ_ONCE(kmb_msg_size_limit) ||
	    msg_size_max > KMB_MSG_SIZE_HARD_MAX)
		return -EINVAL;
	return 0;
}

/**
 * kmb_alloc() - allocate a mailbox owned by the current task's euid/egid
 * @mf: the descriptor creating it.
 * @name: its name (empty for a direct mailbox).
 * @capacity: checked by kmb_check_sizes().
 * @msg_size_max: checked by kmb_check_sizes().
 * @delivery: MAILBOX_DELIVER_*.
 *
 * The mailbox counts against its owner, the current euid, whoever opened
 * @mf.
 *
 * Return: the mailbox, with one reference, or NULL.
 */
struct kmb *kmb_alloc(struct kmb_file *mf, const char *name, u32 capacity,
		      u32 msg_size_max, u32 delivery)
{
	struct kmb_user *creator;
	struct kmb *mb;
	unsigned int prio;

	creator = kmb_user_current(mf);
	if (!creator)
		return NULL;
	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb) {
		kmb_user_put(creator);
		return NULL;
	}
	kref_init(&mb->ref);
	INIT_HLIST_NODE(&mb->hnode);
	INIT_LIST_HEAD(&mb->all);
	strscpy(mb->name, name, sizeof(mb->name));
	mb->uid = current_euid();
	mb->gid = current_egid();
	mb->capacity = capacity;
	mb->msg_size_max = msg_size_max;
	mb->delivery = delivery;
	mb->prio_max = MAILBOX_PRIO_MAX;
	mb->dead_err = -EIDRM;
	mb->creator = creator;
	init_waitqueue_head(&mb->poll_wq);
	spin_lock_init(&mb->lock);
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++)
		INIT_LIST_HEAD(&mb->msgs[prio]);
	INIT_LIST_HEAD(&mb->receivers);
	INIT_LIST_HEAD(&mb->senders);
	mb->queued_by = RB_ROOT;
	mb->sleeping_by = RB_ROOT;
	INIT_LIST_HEAD(&mb->subs);
	return mb;
}

/**
 * kmb_free_unused() - free a mailbox that was never linked, or the rest
 * of one that is released
 * @mb: the mailbox, without messages.
 */
void kmb_free_unused(struct kmb *mb)
{
	u32 i;

	for (i = 0; i < mb->nr_allow; i++)
		put_pid(mb->allow[i]);
	kfree(mb->allow);
	put_pid(mb->owner);
	kmb_ring_free(mb);
	kmb_wide_free(mb);
	kmb_user_put(mb->creator);
	kfree(mb);
}

/* Called by kref_put_mutex() with kmb_registry_lock held; drops it. */
static void kmb_release(struct kref *ref)
{
	struct kmb *mb = container_of(ref, struct kmb, ref);
	unsigned int prio;

	kmb_unregister(mb);
	mutex_unlock(&kmb_registry_lock);

	/* No waiter is left: each one holds a reference. */
	WARN_ON_ONCE(!list_empty(&mb->receivers) || !list_empty(&mb->senders) ||
		     !list_empty(&mb->subs));
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++)
		kmb_free_msgs(&mb->msgs[prio]);
	atomic_dec(&mb->creator->mailboxes);
	kmb_notify_exit(mb);
	kmb_free_unused(mb);
}

/**
 * kmb_put() - drop a mailbox reference
 * @mb: the mailbox; freed, with its messages, by the last put.
 *
 * Takes kmb_registry_lock for the last put: call it without that lock.
 */
void kmb_put(struct kmb *mb)
{
	kref_put_mutex(&mb->ref, kmb_release, &kmb_registry_lock);
}

/**
 * kmb_state() - MAILBOX_STATE_* of a mailbox
 * @mb: the mailbox; its lock is held.
 *
 * Return: the state.
 */
u32 kmb_state(const struct kmb *mb)
{
	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return MAILBOX_STATE_DEAD;
	return READ_ONCE(mb->linked) ? MAILBOX_STATE_LINKED :
				       MAILBOX_STATE_UNLINKED;
}

/* End the wait of every waiter on @list with @err. */
static void kmb_fail_waiters(struct list_head *list, int err)
{
	struct kmb_waiter *w, *tmp;

	list_for_each_entry_safe(w, tmp, list, node) {
		list_del_init(&w->node);
		kmb_wake_waiter(NULL, w, err);
	}
}

/**
 * kmb_destroy_locked() - end a mailbox's life
 * @mb: the mailbox; its lock is held.
 * @freeq: its queued messages are moved here, for the caller to free once
 *	the lock is dropped.
 *
 * Every sleeping sender and receiver wakes with the mailbox's dead_err; a
 * sender still holding its own message frees it itself (it was never
 * sent), and so does a broadcast receiver copying one out. The queued
 * messages count as dropped.
 */
void kmb_destroy_locked(struct kmb *mb, struct list_head *freeq)
{
	struct kmb_msg *msg, *next;
	struct kmb_sub *sub;
	unsigned int prio;

	lockdep_assert_held(&mb->lock);
	mb->dead = true;
	kmb_fail_waiters(&mb->receivers, mb->dead_err);
	kmb_fail_waiters(&mb->senders, mb->dead_err);
	mb->nr_receivers = 0;
	mb->nr_senders = 0;
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++) {
		list_for_each_entry_safe(msg, next, &mb->msgs[prio], node) {
			list_del(&msg->node);
			if (mb->wide_tail)
				mb->wide_tail[msg->prio] = NULL;
			if (!kmb_indexed(mb)) {
				/* Broadcast: its receivers free what they copy. */
				if (!msg->copying)
					list_add_tail(&msg->node, freeq);
				continue;
			}
			if (msg->sync) {
				kmb_wake_waiter(NULL, msg->sync, mb->dead_err);
				msg->sync = NULL;
			}
			list_add_tail(&msg->node, freeq);
		}
	}
	list_for_each_entry(sub, &mb->subs, node) {
		sub->next = NULL;
		sub->backlog = 0;
	}
	mb->prio_map = 0;
	if (mb->wide_tail) {
		bitmap_zero(mb->wide_map, mb->prio_max + 1);
		bitmap_zero(mb->wide_sum, BITS_TO_LONGS(mb->prio_max + 1));
	}
	/* Accepted, never received: sent == received + depth + dropped. */
	mb->dropped += mb->depth;
	mb->queued_by = RB_ROOT;
	mb->sleeping_by = RB_ROOT;
	mb->depth = 0;
	mb->bytes = 0;
}

/**
 * kmb_destroy() - destroy a mailbox, if it is not dead already
 * @mb: the mailbox.
 * @drop_file: a descriptor bound to a direct mailbox is going away:
 *	destroy it only if that was the last.
 *
 * Unlinks it and wakes every sleeping sender and receiver; see
 * kmb_destroy_locked(). The caller holds a reference.
 */
void kmb_destroy(struct kmb *mb, bool drop_file)
{
	LIST_HEAD(freeq);
	bool was_linked;

	mutex_lock(&kmb_registry_lock);
	if ((drop_file && --mb->nr_files) || READ_ONCE(mb->dead)) {
		mutex_unlock(&kmb_registry_lock);
		return;
	}
	was_linked = mb->linked;
	if (was_linked)
		kmb_unhash(mb);
	spin_lock(&mb->lock);
	kmb_destroy_locked(mb, &freeq);
	spin_unlock(&mb->lock);
	mutex_unlock(&kmb_registry_lock);

	wake_up_interruptible_poll(&mb->poll_wq, EPOLLHUP | EPOLLIN | EPOLLOUT);
	kmb_free_msgs(&freeq);
	if (was_linked)
		kmb_put(mb);
}

/**
 * kmb_registry_exit() - free the mailboxes that outlive their descriptors
 *
 * At unload no descriptor is open (each pins the module), so every live
 * mailbox is held by its name only: unlinking it frees it, and the last
 * of a namespace drops our reference to that namespace.
 */
void kmb_registry_exit(void)
{
	struct kmb_ns *ns;
	struct kmb *mb;

	for (;;) {
		mutex_lock(&kmb_registry_lock);
		/* The last mailbox of a namespace frees its struct kmb_ns. */
		ns = kmb_ns_first();
		mb = ns ? kmb_ns_live_named(ns) : NULL;
		if (mb && WARN_ON_ONCE(!mb->linked))
			mb = NULL;
		if (mb)
			kmb_unhash(mb);
		mutex_unlock(&kmb_registry_lock);
		if (!mb)
			break;
		kmb_put(mb);
	}
	WARN_ON(ns);
}

/**
 * kmb_poll_mask() - what poll() reports for a bound descriptor
 * @mf: the descriptor.
 *
 * Return: EPOLLIN when a receive would not sleep, EPOLLOUT when a send
 * would not, everything with EPOLLHUP once the mailbox is destroyed.
 */
__poll_t kmb_poll_mask(struct kmb_file *mf)
{
	struct kmb *mb = mf->mbox;
	__poll_t mask = 0;
	bool readable;

	spin_lock(&mb->lock);
	if (mb->dead)
		mask = EPOLLHUP | EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST)
		readable = mf->subscribed && mf->sub.next;
	else
		readable = mb->depth || mb->nr_senders;
	if (readable)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (mf->notify_fired)
		mask |= EPOLLPRI;
	/*
	 * A sleeping receiver takes a send at once, unless the mailbox
	 * broadcasts (or, which poll cannot know, the receiver filters by
	 * sender or its buffer is too small: then the send may still fail
	 * with -EAGAIN).
	 */
	if (mb->depth < mb->capacity ||
	    (mb->nr_receivers && mb->delivery != MAILBOX_DELIVER_BROADCAST))
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&mb->lock);
	return mask;
}
