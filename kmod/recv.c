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
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

#define KMB_RECV_FLAGS	(MAILBOX_NONBLOCK | MAILBOX_DEADLINE | MAILBOX_RECV_PEEK)

/*
 * The message a receive by @r would take next, or NULL: the oldest queued
 * message of the highest priority that @r wants; failing that (a
 * rendezvous, or a filter that no queued message passes), the message of
 * the oldest sleeping sender with the highest priority that @r wants. Sets
 * *@holder to that sender, or NULL when the message is queued.
 */
struct kmb_msg *kmb_next(struct kmb *mb, const struct kmb_waiter *r,
			 struct kmb_waiter **holder)
{
	unsigned long map = mb->prio_map;
	struct kmb_waiter *s, *best = NULL;
	struct kmb_msg *msg;
	unsigned int prio;

	lockdep_assert_held(&mb->lock);
	*holder = NULL;
	while (map) {
		prio = __fls(map);
		list_for_each_entry(msg, &mb->msgs[prio], node) {
			if (kmb_wants(r, msg))
				return msg;
		}
		__clear_bit(prio, &map);
	}
	list_for_each_entry(s, &mb->senders, node) {
		if (kmb_wants(r, s->msg) &&
		    (!best || s->msg->prio > best->msg->prio))
			best = s;
	}
	if (!best)
		return NULL;
	*holder = best;
	return best->msg;
}

/*
 * Take the next message for receiver @r (see kmb_next()). Returns NULL
 * when there is none, ERR_PTR(-EMSGSIZE) with the length in *@need when it
 * does not fit @r's buffer.
 */
static struct kmb_msg *kmb_take(struct kmb *mb, const struct kmb_waiter *r,
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
		list_del_init(&s->node);
		mb->nr_senders--;
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

/* Is @nr (in the caller's pid namespace) a live process? */
static bool kmb_process_exists(pid_t nr)
{
	bool ret;

	rcu_read_lock();
	ret = pid_task(find_vpid(nr), PIDTYPE_TGID);
	rcu_read_unlock();
	return ret;
}

/* Receive from a queue or priority mailbox; see kmb_recv(). */
static int kmb_recv_msg(struct kmb_file *mf, struct mailbox_recv *args,
			struct mailbox_recv __user *uarg,
			 struct kmb_wait *wait)
{
	struct kmb *mb = mf->mbox;
	struct kmb_wake_q q = { 0 };
	struct kmb_waiter w = {
		.task = current,
		.size = args->size,
		.prio = READ_ONCE(mf->recv_prio),
		.from = args->from_pid,
		.ns = task_active_pid_ns(current),
	};
	struct kmb_msg *msg;
	u32 need = 0;
	int ret;

	if (args->flags & MAILBOX_RECV_PEEK) {
		ret = kmb_peek(mb, &w, args);
		if (ret >= 0 && copy_to_user(uarg, args, sizeof(*args)))
			ret = -EFAULT;
		return ret;
	}

	spin_lock(&mb->lock);
	if (mb->dead) {
		spin_unlock(&mb->lock);
		return mb->dead_err;
	}
	msg = kmb_take(mb, &w, &need, &q);
	if (msg) {
		kmb_unlock_defer(mb, &q, wait->defer);
		kmb_poll_wake(mb);
		if (IS_ERR(msg))
			goto out_msgsize;
		goto deliver;
	}
	ret = wait->mode;
	if (!ret && w.from && !kmb_process_exists(w.from))
		ret = -ESRCH;
	if (ret) {
		spin_unlock(&mb->lock);
		return ret;
	}
	w.state = KMB_WAITING;
	kmb_add_receiver(mb, &w);
	mb->recv_blocked++;
	spin_unlock(&mb->lock);
	kmb_poll_wake(mb);

	ret = kmb_recv_sleep(mb, &w, wait, args->size);
	if (ret == -EMSGSIZE) {
		need = w.size;
		msg = ERR_PTR(-EMSGSIZE);
		goto out_msgsize;
	}
	if (ret < 0)
		return ret;
	msg = w.msg;

deliver:
	kmb_fill_recv(args, msg);
	if (copy_to_user(u64_to_user_ptr(args->buf), msg->data, msg->len) ||
	    copy_to_user(uarg, args, sizeof(*args))) {
		kmb_requeue(mb, msg);
		return -EFAULT;
	}
	trace_kmailbox_receive(mb, msg);
	kmb_msg_delivered(mb, msg);
	ret = msg->len;
	kmb_msg_free(msg);
	return ret;

out_msgsize:
	if (put_user(need, &uarg->len))
		return -EFAULT;
	return PTR_ERR(msg);
}

/**
 * kmb_recv() - MAILBOX_IOC_RECV on a bound descriptor
 * @mf: the descriptor.
 * @args: the arguments, copied in.
 * @uarg: where they came from; the results are written back there.
 * @nonblock: the descriptor is O_NONBLOCK.
 * @defer: as for kmb_send().
 *
 * Return: the message length or a negative errno; see the uapi header.
 */
int kmb_recv(struct kmb_file *mf, struct mailbox_recv *args,
	     struct mailbox_recv __user *uarg, bool nonblock,
	      struct kmb_wake_q *defer)
{
	struct kmb_wait wait;

	if (args->flags & ~KMB_RECV_FLAGS || args->from_pid < 0 ||
	    args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->flags & MAILBOX_RECV_PEEK &&
	    (args->flags != MAILBOX_RECV_PEEK || args->buf || args->size ||
	     args->deadline_ns))
		return -EINVAL;
	if (kmb_wait_init(&wait, args->flags, args->deadline_ns, nonblock,
			  defer))
		return -EINVAL;
	if (!(mf->access & MAILBOX_ACCESS_RECV))
		return -EBADF;
	if (mf->mbox->delivery != MAILBOX_DELIVER_BROADCAST)
		return kmb_recv_msg(mf, args, uarg, &wait);
	if (args->from_pid)
		return -EINVAL;
	return kmb_bcast_recv(mf, args, uarg, &wait);
}
