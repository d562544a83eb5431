// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: receiving from a queue or priority mailbox: which
 * message comes next (priority, then age; a sender filter), taking it from
 * the queue or from a sleeping sender, PEEK, sleeping for one, and the
 * copy-out. MAILBOX_IOC_RECV's entry point, which hands broadcast
 * mailboxes to broadcast.c.
 */
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

#define KMB_RECV_FLAGS	(MAILBOX_NONBLOCK | MAILBOX_DEADLINE | MAILBOX_RECV_PEEK | \
			 MAILBOX_DEADLINE_REALTIME)

/*
 * The message a receive by @r would take next, or NULL: the oldest queued
 * message of the highest priority that @r wants; failing that (a
 * rendezvous, or a filter that no queued message passes), the message of
 * the oldest sleeping sender with the highest priority that @r wants. Sets
 * *@holder to that sender, or NULL when the message is queued.
 *
 * With a filter, the sender indexes find it (see above struct kmb_msg):
 * O(log S), or O(S) for a sender that has exited; the mailbox's first
 * filtered receive builds them.
 */
struct kmb_msg *kmb_next(struct kmb *mb, const struct kmb_waiter *r,
			 struct kmb_waiter **holder)
{
	struct kmb_waiter *s, *best = NULL;
	struct kmb_msg *msg;

	lockdep_assert_held(&mb->lock);
	*holder = NULL;
	if (r->from) {
		if (!mb->indexed)
			kmb_index_build(mb);
		if (r->src)
			msg = kmb_index_first(&mb->queued_by, r->src);
		else
			msg = kmb_index_first_nr(&mb->queued_by, r->from,
						 r->ns);
		if (msg || !r->src)
			return msg;
		/* Every sleeping sender exists, so is r->src or no match. */
		msg = kmb_index_first(&mb->sleeping_by, r->src);
		if (msg)
			*holder = msg->holder;
		return msg;
	}
	if (mb->prio_map)
		return list_first_entry(&mb->msgs[__fls(mb->prio_map)],
					struct kmb_msg, node);
	list_for_each_entry(s, &mb->senders, node) {
		if (!best || s->msg->prio > best->msg->prio)
			best = s;
	}
	if (!best)
		return NULL;
	*holder = best;
	return best->msg;
}

/**
 * kmb_take() - take the next message for receiver @r (see kmb_next())
 * @mb: the mailbox, a queue or priority one; its lock is held.
 * @r: the receiver: its filter and buffer size.
 * @need: set to the message's length when it does not fit.
 * @q: collects the sleeping senders to wake (their messages refilled the
 *	slot, or the one taken was theirs).
 *
 * Return: the message, NULL when there is none, or ERR_PTR(-EMSGSIZE)
 * when it does not fit @r's buffer.
 */
struct kmb_msg *kmb_take(struct kmb *mb, const struct kmb_waiter *r,
			 u32 *need, struct kmb_wake_q *q)
{
	struct kmb_waiter *s;
	struct kmb_msg *msg = kmb_next(mb, r, &s);

	if (!msg)
		return NULL;
	if (msg->len > r->size) {
		*need = msg->len;
		return ERR_PTR(-EMSGSIZE);
	}
	if (!s) {
		kmb_dequeue(mb, msg);
		kmb_refill(mb, q);
	} else {
		kmb_del_sender(mb, s);
		s->msg = NULL;
		mb->sent++;
		if (!msg->sync)
			kmb_wake_waiter(q, s, KMB_DONE);
	}
	kmb_msg_taken(mb, msg);
	return msg;
}

static int kmb_peek(struct kmb *mb, const struct kmb_waiter *r,
		    struct mailbox_recv *args)
{
	struct kmb_waiter *holder;
	struct kmb_msg *msg;
	int ret;

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = mb->dead_err;
	} else {
		msg = kmb_next(mb, r, &holder);
		ret = msg ? msg->len : -EAGAIN;
		if (msg)
			kmb_fill_recv(args, msg);
	}
	spin_unlock(&mb->lock);
	return ret;
}

/*
 * The process (thread-group pid, a reference) that @nr names in the
 * caller's pid namespace, or NULL when none does (or @nr is 0).
 */
static struct pid *kmb_find_process(pid_t nr)
{
	struct pid *pid;

	if (!nr)
		return NULL;
	rcu_read_lock();
	pid = find_vpid(nr);
	pid = pid_task(pid, PIDTYPE_TGID) ? get_pid(pid) : NULL;
	rcu_read_unlock();
	return pid;
}

/*
 * Take the next message for receiver @w, sleeping for one as @wait allows.
 * On a rendezvous mailbox (capacity 0), where every send waits for
 * delivery, fault in the buffer (as much of it as a message may fill) and
 * results before the first sleep, without the lock, and look again: so
 * that a sender that hands it a message finds them writable, rather than
 * see its message put back by kmb_copy_out(), which fails a non-blocking
 * sender. Not on a mailbox with capacity, where it would cost every
 * receive that sleeps (a quarter of a small round trip) for the sake of
 * non-blocking delivery-wait senders only; the uapi header tells them to
 * expect -EAGAIN then. A buffer that cannot be written is not an error
 * yet: the receive fails when a message could not be copied out.
 *
 * Returns the message, or an ERR_PTR: -EMSGSIZE with the length needed in
 * *@need, or the errno.
 */
static struct kmb_msg *kmb_recv_wait(struct kmb *mb, struct kmb_waiter *w,
				     const struct mailbox_recv *args,
				     struct mailbox_recv __user *uarg,
				     struct kmb_wait *wait, u32 *need)
{
	struct kmb_wake_q q = { 0 };
	bool faulted_in = false;
	struct kmb_msg *msg;
	int ret;

	for (;;) {
		spin_lock(&mb->lock);
		if (mb->dead) {
			ret = mb->dead_err;
			break;
		}
		msg = kmb_take(mb, w, need, &q);
		if (msg) {
			kmb_unlock_wake(mb, &q);
			kmb_poll_wake(mb);
			return msg;
		}
		ret = wait->mode;
		if (!ret && w->from && !w->src)
			ret = -ESRCH;
		if (ret || faulted_in || mb->capacity)
			break;
		spin_unlock(&mb->lock);
		kmb_fault_in(args, uarg, min(args->size, mb->msg_size_max));
		faulted_in = true;
	}
	if (ret) {
		spin_unlock(&mb->lock);
		return ERR_PTR(ret);
	}
	w->state = KMB_WAITING;
	kmb_add_receiver(mb, w);
	mb->recv_blocked++;
	spin_unlock(&mb->lock);
	kmb_poll_wake(mb);

	ret = kmb_recv_sleep(mb, w, wait, args->size);
	if (ret == -EMSGSIZE)
		*need = w->size;
	return ret ? ERR_PTR(ret) : w->msg;
}

/*
 * Receive from a queue or priority mailbox; see kmb_recv(). @src: what
 * args->from_pid names (see &struct kmb_waiter.src).
 */
static int kmb_recv_msg(struct kmb_file *mf, struct mailbox_recv *args,
			struct mailbox_recv __user *uarg,
			struct kmb_wait *wait, struct pid *src)
{
	struct kmb *mb = mf->mbox;
	struct kmb_waiter w = {
		.task = current,
		.size = args->size,
		.prio = READ_ONCE(mf->recv_prio),
		.from = args->from_pid,
		.ns = task_active_pid_ns(current),
		.src = src,
	};
	struct kmb_msg *msg;
	u32 need = 0;
	size_t len;
	int ret;

	if (args->flags & MAILBOX_RECV_PEEK) {
		ret = kmb_peek(mb, &w, args);
		if (ret >= 0 && copy_to_user(uarg, args, sizeof(*args)))
			ret = -EFAULT;
		return ret;
	}

	/*
	 * A message that cannot be copied out without a page fault goes
	 * back (a sender waiting for delivery may take it back again, as
	 * may another receiver), and only then is the memory faulted in,
	 * before the receive starts over, as @wait still allows: a
	 * non-blocking one whose message went meanwhile gets -EAGAIN.
	 */
	for (;;) {
		msg = kmb_recv_wait(mb, &w, args, uarg, wait, &need);
		if (IS_ERR(msg))
			break;
		kmb_fill_recv(args, msg);
		if (!kmb_copy_out(args, uarg, msg)) {
			trace_kmailbox_receive(mb, msg);
			kmb_msg_delivered(mb, msg);
			ret = msg->len;
			kmb_msg_free(msg);
			return ret;
		}
		len = msg->len;
		kmb_requeue(mb, msg);
		ret = kmb_fault_in(args, uarg, len);
		if (ret)
			return ret;
	}
	if (PTR_ERR(msg) == -EMSGSIZE && put_user(need, &uarg->len))
		return -EFAULT;
	return PTR_ERR(msg);
}

/**
 * kmb_recv() - MAILBOX_IOC_RECV on a bound descriptor
 * @mf: the descriptor.
 * @args: the arguments, copied in.
 * @uarg: where they came from; the results are written back there.
 * @nonblock: the descriptor is O_NONBLOCK.
 *
 * Return: the message length or a negative errno; see the uapi header.
 */
int kmb_recv(struct kmb_file *mf, struct mailbox_recv *args,
	     struct mailbox_recv __user *uarg, bool nonblock)
{
	struct kmb_wait wait;
	struct pid *src;
	int ret;

	if (args->flags & ~KMB_RECV_FLAGS || args->from_pid < 0 ||
	    args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->flags & MAILBOX_RECV_PEEK &&
	    (args->flags != MAILBOX_RECV_PEEK || args->buf || args->size ||
	     args->deadline_ns))
		return -EINVAL;
	if (kmb_wait_init(&wait, args->flags, args->deadline_ns, nonblock))
		return -EINVAL;
	if (!(mf->access & MAILBOX_ACCESS_RECV))
		return -EBADF;
	if (mf->mbox->delivery != MAILBOX_DELIVER_BROADCAST) {
		/* Resolved once, before the lock: see above struct kmb_msg. */
		src = kmb_find_process(args->from_pid);
		ret = kmb_recv_msg(mf, args, uarg, &wait, src);
		put_pid(src);
		return ret;
	}
	if (args->from_pid)
		return -EINVAL;
	return kmb_bcast_recv(mf, args, uarg, &wait);
}
