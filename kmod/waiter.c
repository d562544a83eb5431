// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the waiter core that queue and broadcast delivery
 * both build on. Sleeping in send and receive, ending a wait and waking
 * the task, handing a message straight to a sleeping receiver ("pipelined
 * send", as ipc/mqueue.c) and moving sleeping senders' messages into a
 * freed slot ("pipelined receive"), so that the woken task finds its work
 * done and need not take the lock again.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "kmailbox.h"

/**
 * kmb_wake_waiter() - end a waiter's wait
 * @q: collects the task to wake once the mailbox lock is dropped; NULL to
 *	wake it at once.
 * @w: the waiter; the caller has taken it off its list.
 * @state: its final state, or KMB_DONE for a broadcast receiver.
 *
 * The task reference keeps the task alive across the wake-up even if it
 * sees @state early, returns, and exits.
 */
void kmb_wake_waiter(struct kmb_wake_q *q, struct kmb_waiter *w, int state)
{
	struct task_struct *task = get_task_struct(w->task);

	/* Pairs with smp_load_acquire() in kmb_sleep(). */
	smp_store_release(&w->state, state);
	if (q && q->n < ARRAY_SIZE(q->tasks)) {
		q->tasks[q->n++] = task;
		return;
	}
	wake_up_process(task);
	put_task_struct(task);
}

/**
 * kmb_wake_up() - wake the tasks @q collected, and empty it
 * @q: the tasks.
 */
void kmb_wake_up(struct kmb_wake_q *q)
{
	unsigned int i;

	for (i = 0; i < q->n; i++) {
		wake_up_process(q->tasks[i]);
		put_task_struct(q->tasks[i]);
	}
	q->n = 0;
}

/**
 * kmb_unlock_wake() - drop the mailbox lock, then wake the tasks @q
 * collected under it
 * @mb: the mailbox.
 * @q: the tasks.
 */
void kmb_unlock_wake(struct kmb *mb, struct kmb_wake_q *q)
	__releases(&mb->lock)
{
	spin_unlock(&mb->lock);
	kmb_wake_up(q);
}

/**
 * kmb_poll_wake() - tell poll() and epoll waiters to look again
 * @mb: the mailbox.
 */
void kmb_poll_wake(struct kmb *mb)
{
	if (wq_has_sleeper(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLIN | EPOLLRDNORM |
					   EPOLLOUT | EPOLLWRNORM);
}

/**
 * kmb_sleep() - sleep in send or receive
 * @w: the waiter.
 * @wait: its deadline, if any (&struct kmb_wait.until).
 * @nonblock: a non-blocking sender waiting for a receiver's copy-out only.
 *
 * Sleep until @w's state is final, a signal arrives or the deadline of
 * @wait (absolute, by its clock) passes. Called without the mailbox lock,
 * after @w was made visible to wakers under it. Returns 0 when the state
 * is final, else -ERESTARTSYS, -ETIMEDOUT, or -EINTR for a task being
 * killed; then the caller must retake the lock and look again, as the
 * state may have become final meanwhile.
 *
 * A sender whose message a receiver is copying out (KMB_TAKEN) cannot
 * take it back, so it waits for the outcome through signals and past its
 * deadline, unless it is being killed. That wait is bounded, and nothing
 * the receiver controls is inside it: the receiver copies with page faults
 * disabled (kmb_copy_out()), a memcpy of at most msg_size_max bytes,
 * and then reports success or puts the message back (KMB_QUEUED) before
 * it touches its memory again; a receiver handed the message asleep only
 * has to be scheduled first. Only scheduling delays it, not a signal, a
 * stop or a page fault (userfaultfd, FUSE) of the receiver's. Once the
 * state leaves KMB_TAKEN, signals and the deadline count again: should the
 * deadline have passed meanwhile, the send fails at once.
 *
 * A @nonblock sender waits for that only: in any other state it returns
 * -EAGAIN at once (its message was put back by a receiver whose copy
 * faulted).
 *
 * Return: 0, -ERESTARTSYS, -ETIMEDOUT, -EINTR or -EAGAIN; see above.
 */
int kmb_sleep(struct kmb_waiter *w, struct kmb_wait *wait, bool nonblock)
{
	bool expired = false;
	int ret = 0, state;

	for (;;) {
		state = READ_ONCE(w->state);
		set_current_state(state == KMB_TAKEN ? TASK_KILLABLE :
			TASK_INTERRUPTIBLE);
		/*
		 * Pairs with smp_store_release() in kmb_wake_waiter(). Should
		 * the state have changed before the task state was set, look
		 * again: it decides how to sleep.
		 */
		if (smp_load_acquire(&w->state) != state)
			continue;
		if (kmb_state_final(state))
			break;
		if (state == KMB_TAKEN) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			schedule();
			continue;
		}
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		ret = kmb_sleep_step(wait, &expired);
		if (ret)
			break;
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/**
 * kmb_sleep_step() - sleep once, interruptibly, until woken or a deadline
 * @wait: its deadline (@wait->until: absolute, by @wait->clock), if any.
 * @expired: set once the deadline has passed; false at the first call.
 *
 * The caller set its task state (TASK_INTERRUPTIBLE) and then found that
 * what it waits for has not happened.
 *
 * Return: -ERESTARTSYS when a signal is pending, -ETIMEDOUT when an
 * earlier step saw the deadline pass, else 0 after the sleep: look again.
 */
int kmb_sleep_step(struct kmb_wait *wait, bool *expired)
{
	if (signal_pending(current))
		return -ERESTARTSYS;
	if (*expired)
		return -ETIMEDOUT;
	/* A CLOCK_REALTIME timer follows clock_settime(), as mqueue's. */
	if (!schedule_hrtimeout_range_clock(wait->until, 0, HRTIMER_MODE_ABS,
					    wait->clock))
		*expired = true;
	return 0;
}

/*
 * Check the flags and deadline common to send and receive and fill @wait.
 * Returns -EINVAL for flags or a deadline that make no sense, else 0.
 * MAILBOX_DEADLINE_REALTIME: @deadline_ns is CLOCK_REALTIME (which no
 * time namespace changes).
 */
int kmb_wait_init(struct kmb_wait *wait, u32 flags, u64 deadline_ns,
		  bool nonblock)
{
	ktime_t now;

	wait->until = NULL;
	wait->clock = CLOCK_MONOTONIC;
	if ((flags & MAILBOX_NONBLOCK) && (flags & MAILBOX_DEADLINE))
		return -EINVAL;
	if ((flags & MAILBOX_DEADLINE_REALTIME) && !(flags & MAILBOX_DEADLINE))
		return -EINVAL;
	if (!(flags & MAILBOX_DEADLINE)) {
		if (deadline_ns)
			return -EINVAL;
		wait->mode = nonblock || (flags & MAILBOX_NONBLOCK) ? -EAGAIN : 0;
		return 0;
	}
	if (deadline_ns > KTIME_MAX)
		return -EINVAL;
	if (flags & MAILBOX_DEADLINE_REALTIME) {
		wait->clock = CLOCK_REALTIME;
		wait->deadline = (ktime_t)deadline_ns;
		now = ktime_get_real();
	} else {
		wait->deadline = kmb_time_from_user((ktime_t)deadline_ns);
		now = ktime_get();
	}
	wait->until = &wait->deadline;
	if (nonblock)
		wait->mode = -EAGAIN;
	else if (ktime_compare(now, wait->deadline) >= 0)
		wait->mode = -ETIMEDOUT;
	else
		wait->mode = 0;
	return 0;
}

/**
 * kmb_recv_sleep() - sleep as a receiver until its wait ends
 * @mb: the mailbox.
 * @w: the receiver, queued on &struct kmb.receivers under the lock.
 * @wait: how it may wait.
 * @size: its buffer's size, for the trace events.
 *
 * A receiver still queued when the sleep ends (signal, deadline) takes
 * itself off the queue.
 *
 * Return: 0 when its wait ended with KMB_DONE (a queue receiver then owns
 * @w->msg; a broadcast one looks again), else the errno: the sleep's, or
 * the final state's (-EMSGSIZE, the mailbox's dead_err).
 */
int kmb_recv_sleep(struct kmb *mb, struct kmb_waiter *w,
		   struct kmb_wait *wait, size_t size)
{
	u64 since = kmb_trace_wait(mb, KMB_TRACE_RECV, size);
	int ret = kmb_sleep(w, wait, false);

	if (ret) {
		spin_lock(&mb->lock);
		if (w->state == KMB_WAITING) {
			list_del(&w->node);
			mb->nr_receivers--;
		} else {
			ret = 0;
		}
		spin_unlock(&mb->lock);
		if (ret)
			kmb_poll_wake(mb);
	}
	if (!ret)
		ret = min(READ_ONCE(w->state), 0);
	kmb_trace_wake(mb, KMB_TRACE_RECV, size, ret, since);
	return ret;
}

/*
 * Queue receiver @w among the sleeping receivers: after every one of the
 * same or higher priority, before every one of lower priority.
 */
void kmb_add_receiver(struct kmb *mb, struct kmb_waiter *w)
{
	struct kmb_waiter *r;

	lockdep_assert_held(&mb->lock);
	list_for_each_entry_reverse(r, &mb->receivers, node) {
		if (r->prio >= w->prio) {
			list_add(&w->node, &r->node);
			goto added;
		}
	}
	list_add(&w->node, &mb->receivers);
added:
	mb->nr_receivers++;
}

/*
 * @msg has just been taken by a receiver. A sender sleeping until delivery
 * learns of it only once the receiver has copied it out (see
 * kmb_msg_delivered()); until then it is KMB_TAKEN and cannot take the
 * message back.
 */
void kmb_msg_taken(struct kmb *mb, struct kmb_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	mb->received++;
	if (msg->sync)
		WRITE_ONCE(msg->sync->state, KMB_TAKEN);
}

/*
 * The current task has copied @msg out: tell the sender sleeping until
 * delivery, if there still is one. msg->sync may only be cleared, by a
 * sender killed meanwhile, while the receiver holds @msg, so a NULL seen
 * without the lock stays NULL.
 */
void kmb_msg_delivered(struct kmb *mb, struct kmb_msg *msg)
{
	struct kmb_wake_q q = { 0 };
	struct kmb_waiter *s;

	if (!READ_ONCE(msg->sync))
		return;
	spin_lock(&mb->lock);
	s = msg->sync;
	if (s) {
		msg->sync = NULL;
		s->peer = get_pid(task_tgid(current));
		kmb_wake_waiter(&q, s, KMB_DONE);
	}
	kmb_unlock_wake(mb, &q);
}

/**
 * kmb_add_sender() - sender @w sleeps holding its message: last in
 * &struct kmb.senders
 * @mb: the mailbox; its lock is held.
 * @w: the sender, its message in @w->msg.
 */
void kmb_add_sender(struct kmb *mb, struct kmb_waiter *w)
{
	lockdep_assert_held(&mb->lock);
	list_add_tail(&w->node, &mb->senders);
	mb->nr_senders++;
	w->msg->holder = w;
	if (mb->indexed)
		kmb_index_add(&mb->sleeping_by, w->msg, false);
}

/**
 * kmb_del_sender() - sleeping sender @w leaves &struct kmb.senders, still
 * holding its message
 * @mb: the mailbox; its lock is held.
 * @w: the sender.
 */
void kmb_del_sender(struct kmb *mb, struct kmb_waiter *w)
{
	lockdep_assert_held(&mb->lock);
	list_del_init(&w->node);
	mb->nr_senders--;
	w->msg->holder = NULL;
	if (mb->indexed)
		kmb_index_del(&mb->sleeping_by, w->msg);
}

/*
 * Offer @msg to the sleeping receivers that want it, in the order they are
 * to be served. A receiver whose buffer is too small is passed over; if
 * @fail_small, it also fails with -EMSGSIZE, learning the length, as it
 * would have had it found @msg queued (the caller passes false when @msg
 * will not stay in the mailbox should no receiver take it). Returns true
 * when a receiver took @msg.
 */
bool kmb_hand_off(struct kmb *mb, struct kmb_msg *msg,
		  bool fail_small, struct kmb_wake_q *q)
{
	struct kmb_waiter *r, *tmp;

	lockdep_assert_held(&mb->lock);
	list_for_each_entry_safe(r, tmp, &mb->receivers, node) {
		if (!kmb_wants(r, msg) || (msg->len > r->size && !fail_small))
			continue;
		list_del_init(&r->node);
		mb->nr_receivers--;
		if (msg->len > r->size) {
			r->size = msg->len;
			kmb_wake_waiter(q, r, -EMSGSIZE);
			continue;
		}
		r->msg = msg;
		kmb_msg_taken(mb, msg);
		kmb_wake_waiter(q, r, KMB_DONE);
		return true;
	}
	return false;
}

/**
 * kmb_pop_sender() - a slot is free: take the oldest sleeping sender
 * @mb: the mailbox; its lock is held.
 *
 * Return: the sender, off the list, its message now counted as sent (the
 * caller queues it), or NULL when the mailbox is full or no sender sleeps.
 */
struct kmb_waiter *kmb_pop_sender(struct kmb *mb)
{
	struct kmb_waiter *s;

	lockdep_assert_held(&mb->lock);
	if (mb->depth >= mb->capacity || list_empty(&mb->senders))
		return NULL;
	s = list_first_entry(&mb->senders, struct kmb_waiter, node);
	kmb_del_sender(mb, s);
	mb->sent++;
	return s;
}

/**
 * kmb_refill() - a slot is free in a queue or priority mailbox: move the
 * messages of the oldest sleeping senders into it
 * @mb: the mailbox; its lock is held.
 * @q: collects the senders to wake.
 *
 * A sender waiting for delivery goes on sleeping, now KMB_QUEUED. No
 * sleeping receiver wants these messages: it would have taken them from
 * the sender (kmb_next()), so they go straight into the queue. Broadcast
 * mailboxes have kmb_bcast_refill().
 */
void kmb_refill(struct kmb *mb, struct kmb_wake_q *q)
{
	struct kmb_waiter *s;
	struct kmb_msg *msg;

	while ((s = kmb_pop_sender(mb))) {
		msg = s->msg;
		s->msg = NULL;
		kmb_enqueue(mb, msg, false);
		if (msg->sync)
			WRITE_ONCE(s->state, KMB_QUEUED);
		else
			kmb_wake_waiter(q, s, KMB_DONE);
	}
}

/*
 * The receiver that took @msg could not copy it out: put it back at the
 * head of the queue (or hand it to a receiver now asleep), so that it is
 * not lost. The slot it left may have been refilled meanwhile with a
 * sleeping sender's message (kmb_refill()), and a rendezvous has no slot
 * at all, so the queue may then hold more than its capacity: one message
 * more for each receiver whose copy failed so, at most as many as
 * receivers were copying out at once (not just one). Sends see it full
 * until receives bring it below its capacity again. Destroyed meanwhile,
 * the message was never received after all: it counts as dropped.
 */
void kmb_requeue(struct kmb *mb, struct kmb_msg *msg)
{
	struct kmb_wake_q q = { 0 };

	spin_lock(&mb->lock);
	if (mb->dead) {
		mb->received--;
		mb->dropped++;
		if (msg->sync) {
			kmb_wake_waiter(&q, msg->sync, mb->dead_err);
			msg->sync = NULL;
		}
		kmb_unlock_wake(mb, &q);
		kmb_msg_free(msg);
		return;
	}
	mb->received--;
	if (!kmb_hand_off(mb, msg, true, &q)) {
		kmb_enqueue(mb, msg, true);
		/* Not final: the sender may take its message back again. */
		if (msg->sync)
			kmb_wake_waiter(&q, msg->sync, KMB_QUEUED);
	}
	kmb_unlock_wake(mb, &q);
	kmb_poll_wake(mb);
}

/**
 * kmb_requeue_vec() - put back the messages a vectored receive took and
 * could not copy out
 * @mb: the mailbox; its lock is not held.
 * @msgs: the messages, in the order they were taken.
 * @n: how many.
 *
 * As kmb_requeue() for each, in one hold of the lock, so that they go
 * back first in the mailbox in the order they had: each is offered to the
 * sleeping receivers in turn (one may have come since, wanting it); those
 * none takes are put back at the head of the queue, the last first.
 */
void kmb_requeue_vec(struct kmb *mb, struct kmb_msg **msgs, u32 n)
{
	struct kmb_wake_q q = { 0 };
	LIST_HEAD(back);
	LIST_HEAD(freeq);
	struct kmb_msg *msg, *tmp;
	u32 i;

	spin_lock(&mb->lock);
	for (i = 0; i < n; i++) {
		msg = msgs[i];
		mb->received--;
		if (mb->dead) {
			mb->dropped++;
			if (msg->sync) {
				kmb_wake_waiter(&q, msg->sync, mb->dead_err);
				msg->sync = NULL;
			}
			list_add_tail(&msg->node, &freeq);
		} else if (!kmb_hand_off(mb, msg, true, &q)) {
			list_add_tail(&msg->node, &back);
		}
	}
	list_for_each_entry_safe_reverse(msg, tmp, &back, node) {
		list_del(&msg->node);
		kmb_enqueue(mb, msg, true);
		/* Not final: the sender may take its message back again. */
		if (msg->sync)
			kmb_wake_waiter(&q, msg->sync, KMB_QUEUED);
	}
	kmb_unlock_wake(mb, &q);
	kmb_poll_wake(mb);
	kmb_free_msgs(&freeq);
}
