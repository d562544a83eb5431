// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: moving messages. Send, receive, the sleeping and waking
 * between them, and the end of a mailbox's life.
 *
 * The design follows ipc/mqueue.c: a message is copied into the kernel
 * before the mailbox lock is taken; a sender that finds a receiver asleep
 * hands the message straight to it ("pipelined send"), and a receiver that
 * frees a slot moves the oldest sleeping sender's message into the queue
 * ("pipelined receive"), so that the woken task finds its work done and
 * need not take the lock again.
 */
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/time_namespace.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

#define MBOX_SEND_FLAGS	(MAILBOX_NONBLOCK | MAILBOX_DEADLINE | MAILBOX_SEND_WAIT)
#define MBOX_RECV_FLAGS	(MAILBOX_NONBLOCK | MAILBOX_DEADLINE | MAILBOX_RECV_PEEK)

static bool mbox_state_final(int state)
{
	return state == MBOX_DONE || state < 0;
}

/**
 * mbox_wake_waiter() - end a waiter's wait
 * @q: collects the task to wake once the mailbox lock is dropped; NULL to
 *	wake it at once.
 * @w: the waiter; the caller has taken it off its list.
 * @state: its final state, or MBOX_DONE for a broadcast receiver.
 *
 * The task reference keeps the task alive across the wake-up even if it
 * sees @state early, returns, and exits.
 */
void mbox_wake_waiter(struct mbox_wake_q *q, struct mbox_waiter *w, int state)
{
	struct task_struct *task = get_task_struct(w->task);

	/* Pairs with smp_load_acquire() in mbox_sleep(). */
	smp_store_release(&w->state, state);
	if (q && q->n < ARRAY_SIZE(q->tasks)) {
		q->tasks[q->n++] = task;
		return;
	}
	wake_up_process(task);
	put_task_struct(task);
}

/**
 * mbox_wake_up() - wake the tasks @q collected, and empty it
 * @q: the tasks.
 */
void mbox_wake_up(struct mbox_wake_q *q)
{
	unsigned int i;

	for (i = 0; i < q->n; i++) {
		wake_up_process(q->tasks[i]);
		put_task_struct(q->tasks[i]);
	}
	q->n = 0;
}

/**
 * mbox_unlock_wake() - drop the mailbox lock, then wake the tasks @q
 * collected under it
 * @mb: the mailbox.
 * @q: the tasks.
 */
void mbox_unlock_wake(struct mbox *mb, struct mbox_wake_q *q)
	__releases(&mb->lock)
{
	spin_unlock(&mb->lock);
	mbox_wake_up(q);
}

/**
 * mbox_unlock_defer() - drop the mailbox lock, and move the tasks @q
 * collected under it to @defer, to be woken when a batch ends
 * @mb: the mailbox.
 * @q: the tasks.
 * @defer: where they wait for their wake-up, or NULL: wake them now.
 *
 * Their waits have ended already; only the wake-up waits. Were it made at
 * once, a woken receiver would preempt a sender in the middle of a batch,
 * take one message and sleep again, for every message of the batch. Tasks
 * that do not fit in @defer are woken at once.
 */
void mbox_unlock_defer(struct mbox *mb, struct mbox_wake_q *q,
		       struct mbox_wake_q *defer)
	__releases(&mb->lock)
{
	spin_unlock(&mb->lock);
	while (defer && q->n && defer->n < ARRAY_SIZE(defer->tasks))
		defer->tasks[defer->n++] = q->tasks[--q->n];
	mbox_wake_up(q);
}

/**
 * mbox_poll_wake() - tell poll() and epoll waiters to look again
 * @mb: the mailbox.
 */
void mbox_poll_wake(struct mbox *mb)
{
	if (wq_has_sleeper(&mb->poll_wq))
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLIN | EPOLLRDNORM |
					   EPOLLOUT | EPOLLWRNORM);
}

/*
 * Copy a message in, charged to the caller's euid (mbox_user_current()):
 * kvmalloc() of the size mbox_msg_charge() charges.
 */
static struct mbox_msg *mbox_msg_alloc(struct mbox_file *mf,
				       const void __user *buf, u32 len, u32 prio)
{
	struct mbox_user *user;
	struct mbox_msg *msg;
	int ret;

	user = mbox_user_current(mf);
	if (!user)
		return ERR_PTR(-ENOMEM);
	ret = mbox_user_charge_msg(user, len);
	if (ret)
		goto err_put;

	msg = kvmalloc(struct_size(msg, data, len),
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!msg) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	if (copy_from_user(msg->data, buf, len)) {
		ret = -EFAULT;
		goto err_free;
	}
	msg->len = len;
	msg->sender = get_pid(task_tgid(current));
	msg->time = ktime_get();
	msg->user = user;
	msg->sync = NULL;
	msg->prio = prio;
	msg->pending = 0;
	msg->copying = 0;
	return msg;

err_free:
	kvfree(msg);
err_uncharge:
	mbox_user_uncharge_msg(user, len);
err_put:
	mbox_user_put(user);
	return ERR_PTR(ret);
}

/**
 * mbox_msg_free() - free a message and what it holds
 * @msg: the message, in no list.
 */
void mbox_msg_free(struct mbox_msg *msg)
{
	mbox_user_uncharge_msg(msg->user, msg->len);
	mbox_user_put(msg->user);
	put_pid(msg->sender);
	kvfree(msg);
}

/**
 * mbox_free_msgs() - free a list of messages no longer in any mailbox
 * @msgs: the list; left empty.
 */
void mbox_free_msgs(struct list_head *msgs)
{
	struct mbox_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, msgs, node) {
		list_del(&msg->node);
		mbox_msg_free(msg);
	}
}

/**
 * mbox_enqueue() - queue a message
 * @mb: the mailbox; its lock is held.
 * @msg: the message.
 * @head: put it first among its priority, not last.
 */
void mbox_enqueue(struct mbox *mb, struct mbox_msg *msg, bool head)
{
	struct list_head *list = &mb->msgs[msg->prio];

	lockdep_assert_held(&mb->lock);
	if (head)
		list_add(&msg->node, list);
	else
		list_add_tail(&msg->node, list);
	__set_bit(msg->prio, &mb->prio_map);
	mb->depth++;
	mb->bytes += msg->len;
}

/**
 * mbox_dequeue() - take a message out of the queue
 * @mb: the mailbox; its lock is held.
 * @msg: a queued message.
 */
void mbox_dequeue(struct mbox *mb, struct mbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	list_del(&msg->node);
	if (list_empty(&mb->msgs[msg->prio]))
		__clear_bit(msg->prio, &mb->prio_map);
	mb->depth--;
	mb->bytes -= msg->len;
}

/* Does receiver @r want @msg? Only its sender filter can say no. */
static bool mbox_wants(const struct mbox_waiter *r, const struct mbox_msg *msg)
{
	return !r->from || pid_nr_ns(msg->sender, r->ns) == r->from;
}

/*
 * Queue receiver @w among the sleeping receivers: after every one of the
 * same or higher priority, before every one of lower priority.
 */
static void mbox_add_receiver(struct mbox *mb, struct mbox_waiter *w)
{
	struct mbox_waiter *r;

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
 * mbox_msg_delivered()); until then it is MBOX_TAKEN and cannot take the
 * message back.
 */
static void mbox_msg_taken(struct mbox *mb, struct mbox_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	mb->received++;
	if (msg->sync)
		WRITE_ONCE(msg->sync->state, MBOX_TAKEN);
}

/*
 * The current task has copied @msg out: tell the sender sleeping until
 * delivery, if there still is one. msg->sync may only be cleared, by a
 * sender killed meanwhile, while the receiver holds @msg, so a NULL seen
 * without the lock stays NULL.
 */
static void mbox_msg_delivered(struct mbox *mb, struct mbox_msg *msg)
{
	struct mbox_wake_q q = { 0 };
	struct mbox_waiter *s;

	if (!READ_ONCE(msg->sync))
		return;
	spin_lock(&mb->lock);
	s = msg->sync;
	if (s) {
		msg->sync = NULL;
		s->peer = get_pid(task_tgid(current));
		mbox_wake_waiter(&q, s, MBOX_DONE);
	}
	mbox_unlock_wake(mb, &q);
}

/*
 * Offer @msg to the sleeping receivers that want it, in the order they are
 * to be served. A receiver whose buffer is too small is passed over; if
 * @fail_small, it also fails with -EMSGSIZE, learning the length, as it
 * would have had it found @msg queued (the caller passes false when @msg
 * will not stay in the mailbox should no receiver take it). Returns true
 * when a receiver took @msg.
 */
static bool mbox_hand_off(struct mbox *mb, struct mbox_msg *msg,
			  bool fail_small, struct mbox_wake_q *q)
{
	struct mbox_waiter *r, *tmp;

	lockdep_assert_held(&mb->lock);
	list_for_each_entry_safe(r, tmp, &mb->receivers, node) {
		if (!mbox_wants(r, msg) || (msg->len > r->size && !fail_small))
			continue;
		list_del_init(&r->node);
		mb->nr_receivers--;
		if (msg->len > r->size) {
			r->size = msg->len;
			mbox_wake_waiter(q, r, -EMSGSIZE);
			continue;
		}
		r->msg = msg;
		mbox_msg_taken(mb, msg);
		mbox_wake_waiter(q, r, MBOX_DONE);
		return true;
	}
	return false;
}

/**
 * mbox_refill() - a slot is free: move the messages of the oldest sleeping
 * senders into the mailbox
 * @mb: the mailbox; its lock is held.
 * @q: collects the senders to wake.
 * @freeq: broadcast: collects messages that nobody is left to receive.
 *
 * A sender waiting for delivery goes on sleeping, now MBOX_QUEUED. No
 * sleeping receiver wants these messages: it would have taken them from
 * the sender (mbox_next()), so they go straight into the queue.
 */
void mbox_refill(struct mbox *mb, struct mbox_wake_q *q,
		 struct list_head *freeq)
{
	struct mbox_waiter *s;
	struct mbox_msg *msg;

	lockdep_assert_held(&mb->lock);
	while (mb->depth < mb->capacity && !list_empty(&mb->senders)) {
		s = list_first_entry(&mb->senders, struct mbox_waiter, node);
		list_del_init(&s->node);
		mb->nr_senders--;
		msg = s->msg;
		s->msg = NULL;
		mb->sent++;
		if (mb->delivery == MAILBOX_DELIVER_BROADCAST) {
			/* A sender's message reaches the subscribers of now. */
			s->size = mbox_bcast_append(mb, msg, q, freeq);
			mbox_wake_waiter(q, s, MBOX_DONE);
			continue;
		}
		mbox_enqueue(mb, msg, false);
		if (msg->sync)
			WRITE_ONCE(s->state, MBOX_QUEUED);
		else
			mbox_wake_waiter(q, s, MBOX_DONE);
	}
}

/*
 * The message a receive by @r would take next, or NULL: the oldest queued
 * message of the highest priority that @r wants; failing that (a
 * rendezvous, or a filter that no queued message passes), the message of
 * the oldest sleeping sender with the highest priority that @r wants. Sets
 * *@holder to that sender, or NULL when the message is queued.
 */
static struct mbox_msg *mbox_next(struct mbox *mb, const struct mbox_waiter *r,
				  struct mbox_waiter **holder)
{
	unsigned long map = mb->prio_map;
	struct mbox_waiter *s, *best = NULL;
	struct mbox_msg *msg;
	unsigned int prio;

	lockdep_assert_held(&mb->lock);
	*holder = NULL;
	while (map) {
		prio = __fls(map);
		list_for_each_entry(msg, &mb->msgs[prio], node) {
			if (mbox_wants(r, msg))
				return msg;
		}
		__clear_bit(prio, &map);
	}
	list_for_each_entry(s, &mb->senders, node) {
		if (mbox_wants(r, s->msg) &&
		    (!best || s->msg->prio > best->msg->prio))
			best = s;
	}
	if (!best)
		return NULL;
	*holder = best;
	return best->msg;
}

/*
 * Take the next message for receiver @r (see mbox_next()). Returns NULL
 * when there is none, ERR_PTR(-EMSGSIZE) with the length in *@need when it
 * does not fit @r's buffer.
 */
static struct mbox_msg *mbox_take(struct mbox *mb, const struct mbox_waiter *r,
				  u32 *need, struct mbox_wake_q *q)
{
	struct mbox_waiter *s;
	struct mbox_msg *msg = mbox_next(mb, r, &s);

	if (!msg)
		return NULL;
	if (msg->len > r->size) {
		*need = msg->len;
		return ERR_PTR(-EMSGSIZE);
	}
	if (!s) {
		mbox_dequeue(mb, msg);
		mbox_refill(mb, q, NULL);
	} else {
		list_del_init(&s->node);
		mb->nr_senders--;
		s->msg = NULL;
		mb->sent++;
		if (!msg->sync)
			mbox_wake_waiter(q, s, MBOX_DONE);
	}
	mbox_msg_taken(mb, msg);
	return msg;
}

/**
 * mbox_sleep() - sleep in send or receive
 * @w: the waiter.
 * @deadline: absolute CLOCK_MONOTONIC, NULL for none.
 * @nonblock: a non-blocking sender waiting for a receiver's copy-out only.
 *
 * Sleep until @w's state is final, a signal arrives or @deadline (absolute
 * CLOCK_MONOTONIC, NULL for none) passes. Called without the mailbox lock,
 * after @w was made visible to wakers under it. Returns 0 when the state
 * is final, else -ERESTARTSYS, -ETIMEDOUT, or -EINTR for a task being
 * killed; then the caller must retake the lock and look again, as the
 * state may have become final meanwhile.
 *
 * A sender whose message a receiver is copying out (MBOX_TAKEN) cannot
 * take it back, so it waits for the outcome through signals and past its
 * deadline, unless it is being killed. A @nonblock sender waits for that
 * only: in any other state it returns -EAGAIN at once (its message was
 * put back by a receiver whose copy faulted).
 *
 * Return: 0, -ERESTARTSYS, -ETIMEDOUT, -EINTR or -EAGAIN; see above.
 */
int mbox_sleep(struct mbox_waiter *w, ktime_t *deadline, bool nonblock)
{
	bool expired = false, taken;
	int ret = 0, state;

	for (;;) {
		taken = READ_ONCE(w->state) == MBOX_TAKEN;
		set_current_state(taken ? TASK_KILLABLE : TASK_INTERRUPTIBLE);
		/* Pairs with smp_store_release() in mbox_wake_waiter(). */
		state = smp_load_acquire(&w->state);
		if (mbox_state_final(state))
			break;
		if (state == MBOX_TAKEN) {
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			if (taken)
				schedule();
			continue;
		}
		/*
		 * No longer MBOX_TAKEN (a receiver's copy faulted and the
		 * message is queued again): sleep interruptibly again.
		 */
		if (taken)
			continue;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (expired) {
			ret = -ETIMEDOUT;
			break;
		}
		if (!schedule_hrtimeout_range(deadline, 0, HRTIMER_MODE_ABS))
			expired = true;
	}
	__set_current_state(TASK_RUNNING);
	return ret;
}

/*
 * CLOCK_MONOTONIC of the caller's time namespace (what userspace reads and
 * writes) from and to the host's (what the kernel sleeps on). The helpers
 * of <linux/time_namespace.h> that do this for ktime_t are not exported.
 */
static ktime_t mbox_timens_offset(void)
{
	struct timespec64 zero = { 0, 0 };

	timens_add_monotonic(&zero);
	return timespec64_to_ktime(zero);
}

/* @t is at most KTIME_MAX; the result is clamped to [0, KTIME_MAX]. */
static ktime_t mbox_time_from_user(ktime_t t)
{
	ktime_t offset = mbox_timens_offset();

	if (offset >= 0)
		return t < offset ? 0 : t - offset;
	return t > KTIME_MAX + offset ? KTIME_MAX : t - offset;
}

static u64 mbox_time_to_user(ktime_t t)
{
	struct timespec64 ts = ktime_to_timespec64(t);

	timens_add_monotonic(&ts);
	return timespec64_to_ns(&ts);
}

/*
 * Check the flags and deadline common to send and receive and fill @wait.
 * Returns -EINVAL for flags or a deadline that make no sense, else 0.
 */
static int mbox_wait_init(struct mbox_wait *wait, u32 flags, u64 deadline_ns,
			  bool nonblock, struct mbox_wake_q *defer)
{
	wait->until = NULL;
	wait->defer = defer;
	if ((flags & MAILBOX_NONBLOCK) && (flags & MAILBOX_DEADLINE))
		return -EINVAL;
	if (!(flags & MAILBOX_DEADLINE)) {
		if (deadline_ns)
			return -EINVAL;
		wait->mode = nonblock || (flags & MAILBOX_NONBLOCK) ? -EAGAIN : 0;
		return 0;
	}
	if (deadline_ns > KTIME_MAX)
		return -EINVAL;
	wait->deadline = mbox_time_from_user((ktime_t)deadline_ns);
	wait->until = &wait->deadline;
	if (nonblock)
		wait->mode = -EAGAIN;
	else if (ktime_compare(ktime_get(), wait->deadline) >= 0)
		wait->mode = -ETIMEDOUT;
	else
		wait->mode = 0;
	return 0;
}

/*
 * Send @args's message into @mb, for the descriptor @mf; see the uapi
 * header. The flags, @wait and the caller's right to send were checked.
 */
static int mbox_send_msg(struct mbox_file *mf, struct mbox *mb,
			 struct mailbox_send *args, struct mbox_wait *wait)
{
	struct mbox_wake_q q = { 0 };
	struct mbox_waiter w = { .task = current };
	struct mbox_msg *msg;
	LIST_HEAD(freeq);
	bool bcast, sync, stays;
	int ret, state;
	u64 since;

	if (args->len > mb->msg_size_max)
		return -EMSGSIZE;
	if (args->priority && mb->delivery != MAILBOX_DELIVER_PRIORITY)
		return -EINVAL;
	bcast = mb->delivery == MAILBOX_DELIVER_BROADCAST;
	if (bcast && (args->flags & MAILBOX_SEND_WAIT))
		return -EINVAL;
	sync = (args->flags & MAILBOX_SEND_WAIT) || !mb->capacity;
	args->receiver_pid = 0;
	args->receivers = 1;

	msg = mbox_msg_alloc(mf, u64_to_user_ptr(args->buf), args->len,
			     args->priority);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	trace_send(mb, msg);

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = mb->dead_err;
		goto out_unlock_free;
	}
	if (bcast) {
		if (mb->depth < mb->capacity) {
			args->receivers = mbox_bcast_append(mb, msg, &q, &freeq);
			mb->sent++;
			goto out_accepted;
		}
	} else {
		if (sync)
			msg->sync = &w;
		/* Would it stay, queued or with us, if no receiver took it? */
		stays = !wait->mode || (!sync && mb->depth < mb->capacity);
		if (mbox_hand_off(mb, msg, stays, &q)) {
			mb->sent++;
			if (!sync) {
				mbox_unlock_defer(mb, &q, wait->defer);
				return 0;
			}
			mbox_unlock_wake(mb, &q);
			/* MBOX_TAKEN: sleep until the receiver copied it out. */
			goto sleep;
		}
		if (mb->depth < mb->capacity && (!sync || !wait->mode)) {
			mbox_enqueue(mb, msg, false);
			mb->sent++;
			if (!sync)
				goto out_accepted;
			w.state = MBOX_QUEUED;
			goto blocked;
		}
	}
	/*
	 * Full, or a rendezvous or delivery wait with no receiver: sleep
	 * holding the message, if the call may sleep.
	 */
	if (wait->mode) {
		ret = wait->mode;
		goto out_unlock_free;
	}
	w.msg = msg;
	w.state = MBOX_WAITING;
	list_add_tail(&w.node, &mb->senders);
	mb->nr_senders++;
blocked:
	mb->send_blocked++;
	mbox_unlock_wake(mb, &q);
	mbox_poll_wake(mb);

sleep:
	since = mbox_trace_wait(mb, MBOX_TRACE_SEND, args->len);
	while ((ret = mbox_sleep(&w, wait->until, wait->mode == -EAGAIN))) {
		spin_lock(&mb->lock);
		state = w.state;
		if (state == MBOX_TAKEN && !fatal_signal_pending(current)) {
			/* Taken meanwhile: wait for the receiver's copy. */
			spin_unlock(&mb->lock);
			continue;
		}
		if (state == MBOX_WAITING) {
			/* Still holding its own message: take it back. */
			list_del(&w.node);
			mb->nr_senders--;
		} else if (state == MBOX_QUEUED) {
			/* Queued but not yet taken: take it back. */
			msg->sync = NULL;
			mbox_dequeue(mb, msg);
			mb->sent--;
			mbox_refill(mb, &q, NULL);
			w.msg = msg;
		} else if (state == MBOX_TAKEN) {
			/* Killed while a receiver copies it: let it go. */
			msg->sync = NULL;
		}
		mbox_unlock_wake(mb, &q);
		if (mbox_state_final(state))
			ret = 0;
		else
			mbox_poll_wake(mb);
		break;
	}
	/* The message is still ours if w.msg: taken back, or destroyed. */
	if (w.msg)
		mbox_msg_free(w.msg);
	if (ret) {
		mbox_trace_wake(mb, MBOX_TRACE_SEND, args->len, ret, since);
		return ret;
	}
	/* Final: MBOX_DONE or the mailbox's dead_err. */
	state = READ_ONCE(w.state);
	mbox_trace_wake(mb, MBOX_TRACE_SEND, args->len, min(state, 0), since);
	if (w.peer) {
		args->receiver_pid = pid_vnr(w.peer);
		put_pid(w.peer);
	}
	if (bcast)
		args->receivers = w.size;
	return state < 0 ? state : 0;

out_accepted:
	mbox_unlock_defer(mb, &q, wait->defer);
	mbox_poll_wake(mb);
	mbox_free_msgs(&freeq);
	return 0;

out_unlock_free:
	mbox_unlock_wake(mb, &q);
	mbox_msg_free(msg);
	return ret;
}

static int mbox_check_send(const struct mailbox_send *args)
{
	if (args->flags & ~MBOX_SEND_FLAGS || args->priority > MAILBOX_PRIO_MAX ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	return 0;
}

/**
 * mbox_send() - MAILBOX_IOC_SEND on a bound descriptor
 * @mf: the descriptor.
 * @args: the arguments, copied in; receiver_pid and receivers are filled
 *	on success.
 * @nonblock: the descriptor is O_NONBLOCK.
 * @defer: in a batch, where wake-ups wait for its end; else NULL.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
int mbox_send(struct mbox_file *mf, struct mailbox_send *args, bool nonblock,
	      struct mbox_wake_q *defer)
{
	struct mbox_wait wait;

	if (mbox_check_send(args) || args->to_pid ||
	    mbox_wait_init(&wait, args->flags, args->deadline_ns, nonblock,
			   defer))
		return -EINVAL;
	if (!(mf->access & MAILBOX_ACCESS_SEND))
		return -EBADF;
	return mbox_send_msg(mf, mf->mbox, args, &wait);
}

/**
 * mbox_send_to() - MAILBOX_IOC_SEND_TO, on any descriptor
 * @mf: the descriptor.
 * @args: as for mbox_send().
 * @nonblock: the descriptor is O_NONBLOCK.
 * @defer: as for mbox_send().
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
int mbox_send_to(struct mbox_file *mf, struct mailbox_send *args,
		 bool nonblock, struct mbox_wake_q *defer)
{
	struct mbox_wait wait;
	struct mbox *mb;
	int ret;

	if (mbox_check_send(args) || args->to_pid <= 0 ||
	    mbox_wait_init(&wait, args->flags, args->deadline_ns, nonblock,
			   defer))
		return -EINVAL;
	mb = mbox_direct_get(args->to_pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = mbox_send_msg(mf, mb, args, &wait);
	mbox_put(mb);
	return ret;
}

/**
 * mbox_fill_recv() - describe a message to its receiver
 * @args: filled: len, sender_pid, sender_uid, priority and send_time_ns.
 * @msg: the message.
 */
void mbox_fill_recv(struct mailbox_recv *args, const struct mbox_msg *msg)
{
	args->len = msg->len;
	args->sender_pid = pid_vnr(msg->sender);
	args->sender_uid = from_kuid_munged(current_user_ns(), msg->user->uid);
	args->priority = msg->prio;
	args->send_time_ns = mbox_time_to_user(msg->time);
}

/*
 * The receiver that took @msg could not copy it out: put it back at the
 * head of the queue (or hand it to a receiver now asleep), so that it is
 * not lost. The slot it left may have been refilled meanwhile with a
 * sleeping sender's message (mbox_refill()), and a rendezvous has no slot
 * at all, so the queue may then hold more than its capacity: one message
 * more for each receiver whose copy failed so, at most as many as
 * receivers were copying out at once (not just one). Sends see it full
 * until receives bring it below its capacity again. Destroyed meanwhile,
 * the message was never received after all: it counts as dropped.
 */
static void mbox_requeue(struct mbox *mb, struct mbox_msg *msg)
{
	struct mbox_wake_q q = { 0 };

	spin_lock(&mb->lock);
	if (mb->dead) {
		mb->received--;
		mb->dropped++;
		if (msg->sync) {
			mbox_wake_waiter(&q, msg->sync, mb->dead_err);
			msg->sync = NULL;
		}
		mbox_unlock_wake(mb, &q);
		mbox_msg_free(msg);
		return;
	}
	mb->received--;
	if (!mbox_hand_off(mb, msg, true, &q)) {
		mbox_enqueue(mb, msg, true);
		/* Not final: the sender may take its message back again. */
		if (msg->sync)
			mbox_wake_waiter(&q, msg->sync, MBOX_QUEUED);
	}
	mbox_unlock_wake(mb, &q);
	mbox_poll_wake(mb);
}

static int mbox_peek(struct mbox *mb, const struct mbox_waiter *r,
		     struct mailbox_recv *args)
{
	struct mbox_waiter *holder;
	struct mbox_msg *msg;
	int ret;

	spin_lock(&mb->lock);
	if (mb->dead) {
		ret = mb->dead_err;
	} else {
		msg = mbox_next(mb, r, &holder);
		ret = msg ? msg->len : -EAGAIN;
		if (msg)
			mbox_fill_recv(args, msg);
	}
	spin_unlock(&mb->lock);
	return ret;
}

/* Is @nr (in the caller's pid namespace) a live process? */
static bool mbox_process_exists(pid_t nr)
{
	bool ret;

	rcu_read_lock();
	ret = pid_task(find_vpid(nr), PIDTYPE_TGID);
	rcu_read_unlock();
	return ret;
}

/**
 * mbox_recv_sleep() - sleep as a receiver until its wait ends
 * @mb: the mailbox.
 * @w: the receiver, queued on &struct mbox.receivers under the lock.
 * @wait: how it may wait.
 * @size: its buffer's size, for the trace events.
 *
 * A receiver still queued when the sleep ends (signal, deadline) takes
 * itself off the queue.
 *
 * Return: 0 when its wait ended with MBOX_DONE (a queue receiver then owns
 * @w->msg; a broadcast one looks again), else the errno: the sleep's, or
 * the final state's (-EMSGSIZE, the mailbox's dead_err).
 */
int mbox_recv_sleep(struct mbox *mb, struct mbox_waiter *w,
		    struct mbox_wait *wait, size_t size)
{
	u64 since = mbox_trace_wait(mb, MBOX_TRACE_RECV, size);
	int ret = mbox_sleep(w, wait->until, false);

	if (ret) {
		spin_lock(&mb->lock);
		if (w->state == MBOX_WAITING) {
			list_del(&w->node);
			mb->nr_receivers--;
		} else {
			ret = 0;
		}
		spin_unlock(&mb->lock);
		if (ret)
			mbox_poll_wake(mb);
	}
	if (!ret)
		ret = min(READ_ONCE(w->state), 0);
	mbox_trace_wake(mb, MBOX_TRACE_RECV, size, ret, since);
	return ret;
}

/* Receive from a queue or priority mailbox; see mbox_recv(). */
static int mbox_recv_msg(struct mbox_file *mf, struct mailbox_recv *args,
			 struct mailbox_recv __user *uarg,
			 struct mbox_wait *wait)
{
	struct mbox *mb = mf->mbox;
	struct mbox_wake_q q = { 0 };
	struct mbox_waiter w = {
		.task = current,
		.size = args->size,
		.prio = READ_ONCE(mf->recv_prio),
		.from = args->from_pid,
		.ns = task_active_pid_ns(current),
	};
	struct mbox_msg *msg;
	u32 need = 0;
	int ret;

	if (args->flags & MAILBOX_RECV_PEEK) {
		ret = mbox_peek(mb, &w, args);
		if (ret >= 0 && copy_to_user(uarg, args, sizeof(*args)))
			ret = -EFAULT;
		return ret;
	}

	spin_lock(&mb->lock);
	if (mb->dead) {
		spin_unlock(&mb->lock);
		return mb->dead_err;
	}
	msg = mbox_take(mb, &w, &need, &q);
	if (msg) {
		mbox_unlock_defer(mb, &q, wait->defer);
		mbox_poll_wake(mb);
		if (IS_ERR(msg))
			goto out_msgsize;
		goto deliver;
	}
	ret = wait->mode;
	if (!ret && w.from && !mbox_process_exists(w.from))
		ret = -ESRCH;
	if (ret) {
		spin_unlock(&mb->lock);
		return ret;
	}
	w.state = MBOX_WAITING;
	mbox_add_receiver(mb, &w);
	mb->recv_blocked++;
	spin_unlock(&mb->lock);
	mbox_poll_wake(mb);

	ret = mbox_recv_sleep(mb, &w, wait, args->size);
	if (ret == -EMSGSIZE) {
		need = w.size;
		msg = ERR_PTR(-EMSGSIZE);
		goto out_msgsize;
	}
	if (ret < 0)
		return ret;
	msg = w.msg;

deliver:
	mbox_fill_recv(args, msg);
	if (copy_to_user(u64_to_user_ptr(args->buf), msg->data, msg->len) ||
	    copy_to_user(uarg, args, sizeof(*args))) {
		mbox_requeue(mb, msg);
		return -EFAULT;
	}
	trace_receive(mb, msg);
	mbox_msg_delivered(mb, msg);
	ret = msg->len;
	mbox_msg_free(msg);
	return ret;

out_msgsize:
	if (put_user(need, &uarg->len))
		return -EFAULT;
	return PTR_ERR(msg);
}

/**
 * mbox_recv() - MAILBOX_IOC_RECV on a bound descriptor
 * @mf: the descriptor.
 * @args: the arguments, copied in.
 * @uarg: where they came from; the results are written back there.
 * @nonblock: the descriptor is O_NONBLOCK.
 * @defer: as for mbox_send().
 *
 * Return: the message length or a negative errno; see the uapi header.
 */
int mbox_recv(struct mbox_file *mf, struct mailbox_recv *args,
	      struct mailbox_recv __user *uarg, bool nonblock,
	      struct mbox_wake_q *defer)
{
	struct mbox_wait wait;

	if (args->flags & ~MBOX_RECV_FLAGS || args->from_pid < 0 ||
	    args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->flags & MAILBOX_RECV_PEEK &&
	    (args->flags != MAILBOX_RECV_PEEK || args->buf || args->size ||
	     args->deadline_ns))
		return -EINVAL;
	if (mbox_wait_init(&wait, args->flags, args->deadline_ns, nonblock,
			   defer))
		return -EINVAL;
	if (!(mf->access & MAILBOX_ACCESS_RECV))
		return -EBADF;
	if (mf->mbox->delivery != MAILBOX_DELIVER_BROADCAST)
		return mbox_recv_msg(mf, args, uarg, &wait);
	if (args->from_pid)
		return -EINVAL;
	return mbox_bcast_recv(mf, args, uarg, &wait);
}

/**
 * mbox_destroy_locked() - end a mailbox's life
 * @mb: the mailbox; its lock is held.
 * @freeq: its queued messages are moved here, for the caller to free once
 *	the lock is dropped.
 *
 * Every sleeping sender and receiver wakes with the mailbox's dead_err; a
 * sender still holding its own message frees it itself (it was never
 * sent), and so does a broadcast receiver copying one out. The queued
 * messages count as dropped.
 */
void mbox_destroy_locked(struct mbox *mb, struct list_head *freeq)
{
	struct mbox_waiter *w, *tmp;
	struct mbox_msg *msg, *next;
	struct mbox_sub *sub;
	unsigned int prio;

	lockdep_assert_held(&mb->lock);
	mb->dead = true;
	list_for_each_entry_safe(w, tmp, &mb->receivers, node) {
		list_del_init(&w->node);
		mbox_wake_waiter(NULL, w, mb->dead_err);
	}
	list_for_each_entry_safe(w, tmp, &mb->senders, node) {
		list_del_init(&w->node);
		mbox_wake_waiter(NULL, w, mb->dead_err);
	}
	mb->nr_receivers = 0;
	mb->nr_senders = 0;
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++) {
		list_for_each_entry_safe(msg, next, &mb->msgs[prio], node) {
			list_del(&msg->node);
			if (msg->sync) {
				mbox_wake_waiter(NULL, msg->sync, mb->dead_err);
				msg->sync = NULL;
			}
			if (!msg->copying)
				list_add_tail(&msg->node, freeq);
		}
	}
	list_for_each_entry(sub, &mb->subs, node) {
		sub->next = NULL;
		sub->backlog = 0;
	}
	mb->prio_map = 0;
	/* Accepted, never received: sent == received + depth + dropped. */
	mb->dropped += mb->depth;
	mb->depth = 0;
	mb->bytes = 0;
}

/**
 * mbox_poll_mask() - what poll() reports for a bound descriptor
 * @mf: the descriptor.
 *
 * Return: EPOLLIN when a receive would not sleep, EPOLLOUT when a send
 * would not, everything with EPOLLHUP once the mailbox is destroyed.
 */
__poll_t mbox_poll_mask(struct mbox_file *mf)
{
	struct mbox *mb = mf->mbox;
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

/**
 * mbox_fill_info() - MAILBOX_IOC_STAT
 * @mf: a bound descriptor.
 * @info: filled in.
 */
void mbox_fill_info(struct mbox_file *mf, struct mailbox_info *info)
{
	static const struct mbox_waiter anyone;
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	struct user_namespace *ns = current_user_ns();
	struct mbox *mb = mf->mbox;
	struct mbox_waiter *holder;
	struct mbox_msg *next;

	memset(info, 0, sizeof(*info));
	mbox_name_of(mb, pid_ns, info->name, sizeof(info->name));
	info->mode = mb->mode;
	info->uid = from_kuid_munged(ns, mb->uid);
	info->gid = from_kgid_munged(ns, mb->gid);
	info->capacity = mb->capacity;
	info->msg_size_max = mb->msg_size_max;
	info->access = mf->access;
	info->flags = mb->owned ? MAILBOX_CREATE_OWNED : 0;
	if (mb->owner) {
		info->flags |= MAILBOX_INFO_DIRECT;
		info->owner_pid = pid_nr_ns(mb->owner, pid_ns);
	}
	info->delivery = mb->delivery;
	info->recv_priority = READ_ONCE(mf->recv_prio);

	spin_lock(&mb->lock);
	info->state = mbox_state(mb);
	info->depth = mb->depth;
	info->bytes = mb->bytes;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST)
		next = mf->subscribed ? mf->sub.next : NULL;
	else
		next = mbox_next(mb, &anyone, &holder);
	info->next_len = next ? next->len : 0;
	info->receivers_waiting = mb->nr_receivers;
	info->senders_waiting = mb->nr_senders;
	info->sent = mb->sent;
	info->received = mb->received;
	info->dropped = mb->dropped;
	info->send_blocked = mb->send_blocked;
	info->recv_blocked = mb->recv_blocked;
	info->backlog = mf->subscribed ? mf->sub.backlog : 0;
	info->subscribers = mb->nr_subs;
	spin_unlock(&mb->lock);
}
