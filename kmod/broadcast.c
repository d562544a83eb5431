// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: broadcast delivery. Every descriptor bound to a
 * broadcast mailbox with receive access is a subscriber and receives every
 * message sent while it is bound, in order.
 *
 * One copy of each message is kept, in the mailbox's log (&struct
 * mbox.msgs[0]), oldest first. A message counts in @pending the
 * subscribers that have yet to receive it, and each subscriber points at
 * the oldest message it has yet to receive. Every subscriber counted by a
 * message is counted by all later ones (it stays subscribed, or it leaves
 * and is uncounted from all of them), so the log's length is the backlog
 * of the slowest subscriber, and the capacity bounds it.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

/* @msg has been received by one more subscriber, or lost one. */
static void kmb_bcast_put(struct kmb *mb, struct kmb_msg *msg,
			  struct list_head *freeq)
{
	lockdep_assert_held(&mb->lock);
	if (--msg->pending)
		return;
	kmb_dequeue(mb, msg);
	mb->received++;
	list_add_tail(&msg->node, freeq);
}

/* The message after @msg in the log, or NULL. */
static struct kmb_msg *kmb_bcast_after(struct kmb *mb, struct kmb_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (list_is_last(&msg->node, &mb->msgs[0]))
		return NULL;
	return list_next_entry(msg, node);
}

/**
 * kmb_bcast_append() - add a message to a broadcast mailbox's log
 * @mb: the mailbox, not dead; its lock is held.
 * @msg: the message.
 * @q: collects the sleeping receivers, all woken to look again.
 * @freeq: takes @msg when there is no subscriber to receive it.
 *
 * The caller counts @msg as sent; with no subscriber it also counts as
 * received by all of them.
 *
 * Return: the number of subscribers @msg was queued for.
 */
u32 kmb_bcast_append(struct kmb *mb, struct kmb_msg *msg,
		     struct kmb_wake_q *q, struct list_head *freeq)
{
	struct kmb_waiter *r, *tmp;
	struct kmb_sub *sub;

	lockdep_assert_held(&mb->lock);
	if (!mb->nr_subs) {
		mb->received++;
		list_add_tail(&msg->node, freeq);
		return 0;
	}
	msg->pending = mb->nr_subs;
	kmb_enqueue(mb, msg, false);
	list_for_each_entry(sub, &mb->subs, node) {
		if (!sub->next)
			sub->next = msg;
		sub->backlog++;
	}
	list_for_each_entry_safe(r, tmp, &mb->receivers, node) {
		list_del_init(&r->node);
		kmb_wake_waiter(q, r, KMB_DONE);
	}
	mb->nr_receivers = 0;
	return mb->nr_subs;
}

/**
 * kmb_bcast_refill() - a slot is free in the log: append the messages of
 * the oldest sleeping senders
 * @mb: the mailbox; its lock is held.
 * @q: collects the senders and the receivers to wake.
 * @freeq: collects messages that nobody is left to receive.
 *
 * A sender's message reaches the subscribers of now.
 */
void kmb_bcast_refill(struct kmb *mb, struct kmb_wake_q *q,
		      struct list_head *freeq)
{
	struct kmb_waiter *s;

	while ((s = kmb_pop_sender(mb))) {
		s->size = kmb_bcast_append(mb, s->msg, q, freeq);
		s->msg = NULL;
		kmb_wake_waiter(q, s, KMB_DONE);
	}
}

/**
 * kmb_sub_join() - subscribe a descriptor that is being bound
 * @mf: the descriptor, bound with MAILBOX_ACCESS_RECV.
 * @mb: the broadcast mailbox it is being bound to.
 *
 * It will receive the messages sent from now on.
 */
void kmb_sub_join(struct kmb_file *mf, struct kmb *mb)
{
	struct kmb_sub *sub = &mf->sub;

	spin_lock(&mb->lock);
	if (!mb->dead) {
		sub->next = NULL;
		sub->backlog = 0;
		list_add_tail(&sub->node, &mb->subs);
		mb->nr_subs++;
		mf->subscribed = true;
	}
	spin_unlock(&mb->lock);
}

/**
 * kmb_sub_leave() - unsubscribe a descriptor that is being closed
 * @mf: the descriptor.
 *
 * The messages it had yet to receive no longer wait for it; those nobody
 * else waits for are freed, which may let sleeping senders in.
 */
void kmb_sub_leave(struct kmb_file *mf)
{
	struct kmb_sub *sub = &mf->sub;
	struct kmb *mb = mf->mbox;
	struct kmb_wake_q q = { 0 };
	struct kmb_msg *msg, *next;
	LIST_HEAD(freeq);

	spin_lock(&mb->lock);
	for (msg = sub->next; msg; msg = next) {
		next = kmb_bcast_after(mb, msg);
		kmb_bcast_put(mb, msg, &freeq);
	}
	list_del(&sub->node);
	mb->nr_subs--;
	mf->subscribed = false;
	if (!mb->dead)
		kmb_bcast_refill(mb, &q, &freeq);
	kmb_unlock_wake(mb, &q);
	kmb_poll_wake(mb);
	kmb_free_msgs(&freeq);
}

/*
 * Take @sub's recv_lock, for a receive of any kind: it is held only for
 * bounded work (see struct kmb_sub), so waiting for it is no sleep in
 * the sense of MAILBOX_NONBLOCK, PEEK or a deadline, which it may overrun
 * by that bounded time only. Killable rather than interruptible for the
 * same reason: a signal is noticed where the receive sleeps for a message.
 */
static int kmb_sub_lock(struct kmb_sub *sub)
{
	return mutex_lock_killable(&sub->recv_lock) ? -EINTR : 0;
}

/**
 * kmb_bcast_recv() - MAILBOX_IOC_RECV on a broadcast mailbox
 * @mf: the descriptor, with receive access.
 * @args: the arguments, copied in and checked.
 * @uarg: where they came from; the results are written back there.
 * @wait: how it may wait.
 *
 * The message stays in the log until it has been copied out, and the
 * subscriber moves past it only then, so that a failed copy leaves it
 * unread. The copy is made with page faults disabled (kmb_copy_out());
 * when it fails, the receive faults the memory in holding no lock and
 * starts over, as @wait still allows. Should the mailbox be destroyed
 * meanwhile, the last receiver still copying the message frees it.
 *
 * Return: the message length or a negative errno; see the uapi header.
 */
int kmb_bcast_recv(struct kmb_file *mf, struct mailbox_recv *args,
		   struct mailbox_recv __user *uarg, struct kmb_wait *wait)
{
	bool peek = args->flags & MAILBOX_RECV_PEEK;
	struct kmb_waiter w = { .task = current };
	struct kmb_sub *sub = &mf->sub;
	struct kmb *mb = mf->mbox;
	struct kmb_wake_q q = { 0 };
	struct kmb_msg *msg;
	LIST_HEAD(freeq);
	int ret, fault;
	size_t len;

retry:
	for (;;) {
		ret = kmb_sub_lock(sub);
		if (ret)
			return ret;
		spin_lock(&mb->lock);
		msg = sub->next;
		if (msg && !mb->dead)
			break;
		ret = mb->dead ? mb->dead_err : peek ? -EAGAIN : wait->mode;
		if (!ret) {
			/* Every append wakes every receiver: no priorities. */
			w.state = KMB_WAITING;
			list_add_tail(&w.node, &mb->receivers);
			mb->nr_receivers++;
			mb->recv_blocked++;
		}
		spin_unlock(&mb->lock);
		mutex_unlock(&sub->recv_lock);
		if (!ret)
			ret = kmb_recv_sleep(mb, &w, wait, args->size);
		if (ret)
			return ret;
	}
	/* Both locks are held. */
	ret = msg->len;
	if (peek || msg->len > args->size) {
		kmb_fill_recv(args, msg);
		spin_unlock(&mb->lock);
		mutex_unlock(&sub->recv_lock);
		if (peek)
			return copy_to_user(uarg, args, sizeof(*args)) ?
			       -EFAULT : ret;
		return put_user(ret, &uarg->len) ? -EFAULT : -EMSGSIZE;
	}
	msg->copying++;
	spin_unlock(&mb->lock);

	kmb_fill_recv(args, msg);
	fault = kmb_copy_out(args, uarg, msg);
	len = msg->len;

	spin_lock(&mb->lock);
	msg->copying--;
	if (mb->dead) {
		/* Destroyed meanwhile: the message is out of the log. */
		if (!msg->copying)
			list_add(&msg->node, &freeq);
	} else if (!fault) {
		trace_kmailbox_receive(mb, msg);
		sub->next = kmb_bcast_after(mb, msg);
		sub->backlog--;
		kmb_bcast_put(mb, msg, &freeq);
		kmb_bcast_refill(mb, &q, &freeq);
	}
	kmb_unlock_wake(mb, &q);
	mutex_unlock(&sub->recv_lock);
	kmb_poll_wake(mb);
	kmb_free_msgs(&freeq);
	if (!fault)
		return ret;
	/* Not copied, still unread: fault the memory in, and look again. */
	ret = kmb_fault_in(args, uarg, len);
	if (ret)
		return ret;
	goto retry;
}
