// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: sending to a queue, priority or broadcast mailbox. A
 * message is copied into the kernel before the mailbox lock is taken;
 * under the lock it is handed to a sleeping receiver, queued, or kept by
 * its sender, who sleeps until a slot frees up, a receiver takes it or
 * (delivery wait, rendezvous) a receiver has copied it out.
 */
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

#define KMB_SEND_FLAGS	(MAILBOX_NONBLOCK | MAILBOX_DEADLINE | MAILBOX_SEND_WAIT | \
			 MAILBOX_DEADLINE_REALTIME)

/* What kmb_send_locked() did with a message. */
enum kmb_send_outcome {
	KMB_SENT_HANDED,	/* handed to a sleeping receiver */
	KMB_SENT_QUEUED,	/* queued, or appended to the broadcast log */
	KMB_SEND_TAKEN,	/* handed over; sleep until it is copied out */
	KMB_SEND_BLOCKED,	/* sleep: holding it, or until it is taken */
};

/*
 * Deliver @msg into @mb under its lock, or make sender @w ready to sleep
 * with it. Returns an kmb_send_outcome, or a negative errno when the
 * message was refused (it is still the caller's).
 */
static int kmb_send_locked(struct kmb *mb, struct kmb_msg *msg,
			   struct kmb_waiter *w, struct mailbox_send *args,
			   struct kmb_wait *wait, struct kmb_wake_q *q,
			   struct list_head *freeq, struct kmb_notify *n)
{
	bool sync = (args->flags & MAILBOX_SEND_WAIT) || !mb->capacity;
	bool stays;

	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return mb->dead_err;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST) {
		if (mb->depth < mb->capacity) {
			args->receivers = kmb_bcast_append(mb, msg, q, freeq);
			mb->sent++;
			return KMB_SENT_QUEUED;
		}
	} else {
		if (sync)
			msg->sync = w;
		/* Would it stay, queued or with us, if no receiver took it? */
		stays = !wait->mode || (!sync && mb->depth < mb->capacity);
		if (kmb_hand_off(mb, msg, stays, q)) {
			mb->sent++;
			return sync ? KMB_SEND_TAKEN : KMB_SENT_HANDED;
		}
		if (mb->depth < mb->capacity && (!sync || !wait->mode)) {
			kmb_enqueue(mb, msg, false);
			kmb_notify_queued(mb, n);
			mb->sent++;
			if (!sync)
				return KMB_SENT_QUEUED;
			w->state = KMB_QUEUED;
			mb->send_blocked++;
			return KMB_SEND_BLOCKED;
		}
	}
	/*
	 * Full, or a rendezvous or delivery wait with no receiver: sleep
	 * holding the message, if the call may sleep.
	 */
	if (wait->mode)
		return wait->mode;
	w->msg = msg;
	w->state = KMB_WAITING;
	kmb_add_sender(mb, w);
	mb->send_blocked++;
	return KMB_SEND_BLOCKED;
}

/*
 * Sender @w sleeps until its wait ends (see kmb_sleep()). A wait cut
 * short by a signal or the deadline takes the message back if it is not
 * yet taken. Returns 0 or the errno; on success a delivery-waiting sender
 * learns its receiver, a broadcast one the number of subscribers.
 */
static int kmb_send_wait(struct kmb *mb, struct kmb_waiter *w,
			 struct kmb_msg *msg, struct mailbox_send *args,
			 struct kmb_wait *wait)
{
	struct kmb_wake_q q = { 0 };
	int ret, state;
	u64 since;

	since = kmb_trace_wait(mb, KMB_TRACE_SEND, args->len);
	while ((ret = kmb_sleep(w, wait, wait->mode == -EAGAIN))) {
		spin_lock(&mb->lock);
		state = w->state;
		if (state == KMB_TAKEN && !fatal_signal_pending(current)) {
			/* Taken meanwhile: wait for the receiver's copy. */
			spin_unlock(&mb->lock);
			continue;
		}
		if (state == KMB_WAITING) {
			/* Still holding its own message: take it back. */
			kmb_del_sender(mb, w);
		} else if (state == KMB_QUEUED) {
			/* Queued but not yet taken: take it back. */
			msg->sync = NULL;
			kmb_dequeue(mb, msg);
			mb->sent--;
			kmb_refill(mb, &q);
			w->msg = msg;
		} else if (state == KMB_TAKEN) {
			/* Killed while a receiver copies it: let it go. */
			msg->sync = NULL;
		}
		kmb_unlock_wake(mb, &q);
		if (kmb_state_final(state))
			ret = 0;
		else
			kmb_poll_wake(mb);
		break;
	}
	/* The message is still ours if w->msg: taken back, or destroyed. */
	if (w->msg)
		kmb_msg_free(w->msg);
	if (ret) {
		kmb_trace_wake(mb, KMB_TRACE_SEND, args->len, ret, since);
		return ret;
	}
	/* Final: KMB_DONE or the mailbox's dead_err. */
	state = READ_ONCE(w->state);
	kmb_trace_wake(mb, KMB_TRACE_SEND, args->len, min(state, 0), since);
	if (w->peer) {
		args->receiver_pid = pid_vnr(w->peer);
		put_pid(w->peer);
	}
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST)
		args->receivers = w->size;
	return state < 0 ? state : 0;
}

/**
 * kmb_send_msg() - send @args's message into a mailbox
 * @mf: the sending descriptor.
 * @mb: the mailbox: @mf's, or a direct mailbox.
 * @args: the arguments, copied in; receiver_pid and receivers are filled
 *	on success.
 * @wait: how it may wait.
 *
 * The flags, @wait and the caller's right to send were checked.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
int kmb_send_msg(struct kmb_file *mf, struct kmb *mb,
		 struct mailbox_send *args, struct kmb_wait *wait)
{
	struct kmb_waiter w = { .task = current };
	struct kmb_notify n;
	struct kmb_wake_q q = { 0 };
	struct kmb_msg *msg;
	LIST_HEAD(freeq);
	int ret;

	if (args->len > mb->msg_size_max)
		return -EMSGSIZE;
	if (!kmb_prio_ok(mb, args->priority))
		return -EINVAL;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST &&
	    (args->flags & MAILBOX_SEND_WAIT))
		return -EINVAL;
	args->receiver_pid = 0;
	args->receivers = 1;
	/* Only n.pid is read unless kmb_notify_queued() filled it. */
	n.pid = NULL;

	msg = kmb_msg_alloc(mf, u64_to_user_ptr(args->buf), args->len,
			    args->priority);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	trace_kmailbox_send(mb, msg);

	spin_lock(&mb->lock);
	ret = kmb_send_locked(mb, msg, &w, args, wait, &q, &freeq, &n);
	if (ret < 0)
		goto err_unlock_free;
	if (ret == KMB_SENT_HANDED || ret == KMB_SENT_QUEUED) {
		kmb_unlock_wake(mb, &q);
		if (ret == KMB_SENT_QUEUED)
			kmb_poll_wake(mb);
		if (unlikely(n.pid))
			kmb_notify_fire(mb, &n);
		kmb_free_msgs(&freeq);
		return 0;
	}
	kmb_unlock_wake(mb, &q);
	if (ret == KMB_SEND_BLOCKED)
		kmb_poll_wake(mb);
	if (unlikely(n.pid))
		kmb_notify_fire(mb, &n);
	return kmb_send_wait(mb, &w, msg, args, wait);

err_unlock_free:
	kmb_unlock_wake(mb, &q);
	kmb_msg_free(msg);
	return ret;
}

int kmb_check_send(const struct mailbox_send *args)
{
	if (args->flags & ~KMB_SEND_FLAGS || args->priority > MAILBOX_PRIO_MAX_WIDE ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	return 0;
}

/**
 * kmb_send() - MAILBOX_IOC_SEND on a bound descriptor
 * @mf: the descriptor.
 * @args: the arguments, copied in; receiver_pid and receivers are filled
 *	on success.
 * @nonblock: the descriptor is O_NONBLOCK.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
int kmb_send(struct kmb_file *mf, struct mailbox_send *args, bool nonblock)
{
	struct kmb_wait wait;

	if (kmb_check_send(args) || args->to_pid ||
	    kmb_wait_init(&wait, args->flags, args->deadline_ns, nonblock))
		return -EINVAL;
	if (!(mf->access & MAILBOX_ACCESS_SEND))
		return -EBADF;
	return kmb_send_msg(mf, mf->mbox, args, &wait);
}
