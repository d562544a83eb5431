// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the ioctls that move messages, as main.c dispatches
 * them: MAILBOX_IOC_SEND, SEND_TO and RECV (copying the argument in and
 * the results out), the batches of them, MAILBOX_IOC_SEND_BATCH and
 * MAILBOX_IOC_RECV_BATCH, and the vectored calls MAILBOX_IOC_SENDV and
 * MAILBOX_IOC_RECVV, which move a batch of messages in one hold of the
 * mailbox lock.
 */
#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"
#include "kmailbox_trace.h"

long kmb_ioctl_send(struct kmb_file *mf, struct mailbox_send __user *uarg,
		    enum kmb_send_target target, bool nonblock)
{
	struct mailbox_send args;
	bool to;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	to = target == KMB_TO_PID || (target == KMB_TO_EITHER && args.to_pid);
	if (!to && !kmb_of(mf))
		return -EBADFD;
	if (!to && kmb_of(mf)->ring)
		return -EOPNOTSUPP;
	/*
	 * Fail before sending, not after, if the results cannot be stored.
	 * What is written back is what was read: a send that fails, bad
	 * input first of all, leaves the caller's struct as it was.
	 */
	if (put_user(args.receiver_pid, &uarg->receiver_pid) ||
	    put_user(args.receivers, &uarg->receivers))
		return -EFAULT;
	if (to)
		ret = kmb_send_to(mf, &args, nonblock);
	else
		ret = kmb_send(mf, &args, nonblock);
	/*
	 * The results were writable before the send; should they no longer
	 * be, the message is sent all the same: say so, not -EFAULT, lest
	 * the caller send it again.
	 */
	if (!ret && (put_user(args.receiver_pid, &uarg->receiver_pid) ||
		     put_user(args.receivers, &uarg->receivers)))
		return 0;
	return ret;
}

long kmb_ioctl_recv(struct kmb_file *mf, struct mailbox_recv __user *uarg,
		    bool nonblock)
{
	struct mailbox_recv args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (!kmb_of(mf))
		return -EBADFD;
	if (kmb_of(mf)->ring)
		return -EOPNOTSUPP;
	return kmb_recv(mf, &args, uarg, nonblock);
}

/* MAILBOX_IOC_SEND_BATCH and MAILBOX_IOC_RECV_BATCH; see the uapi header. */
long kmb_ioctl_batch(struct kmb_file *mf, struct mailbox_batch __user *uarg,
		     bool recv, bool nonblock)
{
	struct mailbox_send __user *sends;
	struct mailbox_recv __user *recvs;
	struct mailbox_batch b;
	long ret = 0;
	u32 i;

	if (copy_from_user(&b, uarg, sizeof(b)))
		return -EFAULT;
	if (recv && !kmb_of(mf))
		return -EBADFD;
	if (!b.count || b.count > MAILBOX_BATCH_MAX || b.flags || b.done ||
	    b.error || memchr_inv(b.reserved, 0, sizeof(b.reserved)))
		return -EINVAL;
	/* Fail before moving anything if the results cannot be stored. */
	if (put_user(0, &uarg->done) || put_user(0, &uarg->error))
		return -EFAULT;
	sends = u64_to_user_ptr(b.msgs);
	recvs = u64_to_user_ptr(b.msgs);
	for (i = 0; i < b.count; i++) {
		/*
		 * Only the first entry may sleep. The tasks an entry wakes
		 * are woken at once, not at the batch's end: a later entry
		 * may fault or wait for a lock, and a task whose wait has
		 * ended must not wait for that too.
		 */
		if (recv)
			ret = kmb_ioctl_recv(mf, &recvs[i], nonblock || i);
		else
			ret = kmb_ioctl_send(mf, &sends[i], KMB_TO_EITHER,
					     nonblock || i);
		if (ret < 0)
			break;
	}
	if (!i)
		return ret;
	/* As for a send: entries were done, whatever happens to @uarg now. */
	if (!put_user(i, &uarg->done))
		put_user(i < b.count ? (s32)ret : 0, &uarg->error);
	return i;
}

/* Entries a vectored call keeps on the stack; more are allocated. */
#define KMB_VEC_STACK	32

/**
 * struct kmb_vec - a vectored call's entries and messages, in the kernel
 * @e: the entries, copied in.
 * @msgs: send: the messages copied in for @e; receive: the messages taken.
 * @count: entries in @e.
 * @wait: how the first entry may wait.
 * @err: the error that ended the batch, or 0.
 * @stack_e: @e when @count is at most KMB_VEC_STACK.
 * @stack_msgs: @msgs then.
 */
struct kmb_vec {
	struct mailbox_vec_entry *e;
	struct kmb_msg **msgs;
	u32 count;
	struct kmb_wait wait;
	int err;
	struct mailbox_vec_entry stack_e[KMB_VEC_STACK];
	struct kmb_msg *stack_msgs[KMB_VEC_STACK];
};

/*
 * Copy @v->count entries in from @uvec, into @v's stack arrays or ones
 * allocated for them. 0, -ENOMEM or -EFAULT.
 */
static int kmb_vec_get(struct kmb_vec *v, const void __user *uvec)
{
	v->e = v->stack_e;
	v->msgs = v->stack_msgs;
	if (v->count > KMB_VEC_STACK) {
		v->e = kmalloc_array(v->count, sizeof(*v->e), GFP_KERNEL);
		v->msgs = kmalloc_array(v->count, sizeof(*v->msgs), GFP_KERNEL);
		if (!v->e || !v->msgs)
			return -ENOMEM;
	}
	if (copy_from_user(v->e, uvec, v->count * sizeof(*v->e)))
		return -EFAULT;
	return 0;
}

static void kmb_vec_put(struct kmb_vec *v)
{
	if (v->e != v->stack_e)
		kfree(v->e);
	if (v->msgs != v->stack_msgs)
		kfree(v->msgs);
}

/*
 * Copy in the messages of entries @from.. of @v until one cannot be (its
 * error in @v->err), with kmb_msgs_alloc(). Returns the index past the
 * last one copied in.
 */
static u32 kmb_sendv_alloc(struct kmb_file *mf, struct kmb *mb,
			   struct kmb_vec *v, u32 from)
{
	struct mailbox_vec_entry *e;
	int err = 0;
	u32 i, n;

	for (i = from; i < v->count; i++) {
		e = &v->e[i];
		if (!kmb_prio_ok(mb, e->priority)) {
			err = -EINVAL;
			break;
		}
		if (e->len > mb->msg_size_max) {
			err = -EMSGSIZE;
			break;
		}
	}
	if (i == from) {
		v->err = err;
		return i;
	}
	/* An error of an earlier entry than @i wins. */
	n = kmb_msgs_alloc(mf, &v->e[from], &v->msgs[from], i - from, &err);
	v->err = err;
	for (i = from; i < from + n; i++)
		trace_kmailbox_send(mb, v->msgs[i]);
	return from + n;
}

/*
 * Place the messages @from..@to of @v in one hold of the lock: each to a
 * sleeping receiver that wants it, else into the queue while there is
 * room. Returns the index past the last one placed; the others are still
 * the caller's, the reason in @v->err.
 */
static u32 kmb_sendv_place(struct kmb *mb, struct kmb_vec *v, u32 from,
			   u32 to)
{
	struct kmb_notify n;
	struct kmb_wake_q q = { 0 };
	struct kmb_msg *msg;
	u32 i = from;

	n.pid = NULL;
	spin_lock(&mb->lock);
	if (mb->dead) {
		v->err = mb->dead_err;
		goto out;
	}
	for (; i < to; i++) {
		msg = v->msgs[i];
		/* A receiver too small for it fails only if it would stay. */
		if (kmb_hand_off(mb, msg, mb->depth < mb->capacity, &q)) {
			mb->sent++;
			continue;
		}
		if (mb->depth >= mb->capacity) {
			/* The first entry as the single call; others -EAGAIN. */
			v->err = i ? -EAGAIN : v->wait.mode ?: -EAGAIN;
			break;
		}
		kmb_enqueue(mb, msg, false);
		kmb_notify_queued(mb, &n);
		mb->sent++;
	}
out:
	kmb_unlock_wake(mb, &q);
	if (i > from)
		kmb_poll_wake(mb);
	if (unlikely(n.pid))
		kmb_notify_fire(mb, &n);
	return i;
}

/* Entry @i of @v as the single call's arguments. */
static void kmb_vec_send_args(const struct kmb_vec *v, u32 i, u32 flags,
			      u64 deadline_ns, struct mailbox_send *args)
{
	memset(args, 0, sizeof(*args));
	args->buf = v->e[i].buf;
	args->len = v->e[i].len;
	args->priority = v->e[i].priority;
	if (!i) {
		args->flags = flags;
		args->deadline_ns = deadline_ns;
	}
}

/*
 * MAILBOX_IOC_SENDV into @mb. Returns the entries done; @v->err says why
 * not all.
 */
static u32 kmb_sendv(struct kmb_file *mf, struct kmb *mb, struct kmb_vec *v,
		     const struct mailbox_vec *h)
{
	struct mailbox_send args;
	u32 done = 0, n, i;
	int ret;

	/*
	 * A broadcast mailbox or a rendezvous: entry by entry, as a send
	 * batch; each message waits for its receiver on a rendezvous.
	 */
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST || !mb->capacity) {
		for (; done < v->count; done++) {
			kmb_vec_send_args(v, done, h->flags, h->deadline_ns,
					  &args);
			ret = -EINVAL;
			if (kmb_prio_ok(mb, args.priority))
				ret = kmb_send_msg(mf, mb, &args, &v->wait);
			if (ret) {
				v->err = ret;
				break;
			}
			v->wait.mode = -EAGAIN;
		}
		return done;
	}

	for (;;) {
		n = kmb_sendv_alloc(mf, mb, v, done);
		i = n > done ? kmb_sendv_place(mb, v, done, n) : done;
		if (n > i)
			kmb_msgs_free(&v->msgs[i], n - i);
		if (i > done || done || v->wait.mode || v->err != -EAGAIN)
			return i;
		/*
		 * Full, and the first entry may sleep: send it as the single
		 * call does (copying it in again: this is the slow path),
		 * then as many others as fit without sleeping.
		 */
		v->err = 0;
		kmb_vec_send_args(v, 0, h->flags, h->deadline_ns, &args);
		ret = kmb_send_msg(mf, mb, &args, &v->wait);
		if (ret) {
			v->err = ret;
			return 0;
		}
		done = 1;
		v->wait.mode = -EAGAIN;
		if (done == v->count)
			return done;
	}
}

/*
 * Take messages for entries @from.. of @v in one hold of the lock, until
 * none is there or the next does not fit (its length in *@need). When
 * none was taken and the first entry may sleep, receiver @w is queued to
 * sleep for one instead, under the same hold of the lock: returns
 * U32_MAX then. Otherwise returns the index past the last one taken.
 */
static u32 kmb_recvv_take(struct kmb *mb, struct kmb_vec *v,
			  struct kmb_waiter *w, u32 from, u32 *need)
{
	struct kmb_wake_q q = { 0 };
	struct kmb_msg *msg;
	u32 i = from;

	spin_lock(&mb->lock);
	if (mb->dead) {
		v->err = mb->dead_err;
		goto out;
	}
	for (; i < v->count; i++) {
		w->size = v->e[i].len;
		msg = kmb_take(mb, w, need, &q);
		if (IS_ERR(msg)) {
			v->err = PTR_ERR(msg);
			break;
		}
		if (!msg) {
			/* The first entry as the single call; others -EAGAIN. */
			v->err = i ? -EAGAIN : v->wait.mode ?: -EAGAIN;
			break;
		}
		v->msgs[i] = msg;
	}
	if (!i && v->err == -EAGAIN && !v->wait.mode) {
		w->size = v->e[0].len;
		w->state = KMB_WAITING;
		kmb_add_receiver(mb, w);
		mb->recv_blocked++;
		v->err = 0;
		i = U32_MAX;
	}
out:
	kmb_unlock_wake(mb, &q);
	if (i != from)
		kmb_poll_wake(mb);
	return i;
}

/*
 * Copy out the messages @from..@to of @v with page faults disabled (see
 * kmb_copy_out()): each into its buffer, then its length and priority into
 * its entry, and with @umeta its description. Returns the index past the
 * last one copied out whole. @v's entries are left as they were.
 */
static u32 kmb_recvv_copy(struct kmb_vec *v, u32 from, u32 to,
			  struct mailbox_vec_entry __user *uvec,
			  struct mailbox_vec_meta __user *umeta)
{
	struct mailbox_vec_meta meta;
	struct kmb_msg *msg;
	u32 out[2];
	u32 i;

	static_assert(offsetofend(struct mailbox_vec_entry, priority) -
		      offsetof(struct mailbox_vec_entry, len) == sizeof(out));
	pagefault_disable();
	for (i = from; i < to; i++) {
		msg = v->msgs[i];
		out[0] = msg->len;
		out[1] = msg->prio;
		if (copy_to_user(u64_to_user_ptr(v->e[i].buf), msg->data,
				 msg->len) ||
		    copy_to_user(&uvec[i].len, out, sizeof(out)))
			break;
		if (umeta) {
			kmb_fill_vec_meta(&meta, msg);
			if (copy_to_user(&umeta[i], &meta, sizeof(meta)))
				break;
		}
	}
	pagefault_enable();
	return i;
}

/*
 * Fault in what entry @i of @v needs to copy out a message of @len bytes,
 * holding no message and no lock. 0 or -EFAULT.
 */
static int kmb_recvv_fault_in(struct kmb_vec *v, u32 i, size_t len,
			      struct mailbox_vec_entry __user *uvec,
			      struct mailbox_vec_meta __user *umeta)
{
	if (fault_in_safe_writeable(u64_to_user_ptr(v->e[i].buf), len) ||
	    fault_in_safe_writeable((const char __user *)&uvec[i],
				    sizeof(*uvec)) ||
	    (umeta && fault_in_safe_writeable((const char __user *)&umeta[i],
					      sizeof(*umeta))))
		return -EFAULT;
	cond_resched();
	return 0;
}

/*
 * MAILBOX_IOC_RECVV from @mb, a queue or priority mailbox. Returns the
 * entries done; @v->err says why not all.
 *
 * Each round takes what it can in one hold of the lock, then copies it out
 * without faulting. A buffer that is not there ends the round: the
 * messages not copied out go back first, in order, and the memory is
 * faulted in, holding no message; then the call goes on from that entry
 * (sleeping only if it is the first, as @wait allows), or fails it with
 * -EFAULT when the memory cannot be written.
 */
static u32 kmb_recvv(struct kmb_file *mf, struct kmb *mb, struct kmb_vec *v,
		     struct mailbox_vec_entry __user *uvec,
		     struct mailbox_vec_meta __user *umeta)
{
	struct kmb_waiter w = {
		.task = current,
		.prio = READ_ONCE(mf->recv_prio),
	};
	u32 done = 0, taken, copied, need = 0, i;
	size_t len;
	int ret;

	/* A rendezvous sender waits for the copy: see kmb_recv_wait(). */
	if (!mb->capacity && !v->wait.mode)
		kmb_recvv_fault_in(v, 0, min(v->e[0].len, mb->msg_size_max),
				   uvec, umeta);
	for (;;) {
		taken = kmb_recvv_take(mb, v, &w, done, &need);
		if (taken == U32_MAX) {
			ret = kmb_recv_sleep(mb, &w, &v->wait, v->e[0].len);
			if (ret) {
				if (ret == -EMSGSIZE)
					need = w.size;
				v->err = ret;
				break;
			}
			/* Handed one; then as many as are there at once. */
			v->msgs[0] = w.msg;
			v->wait.mode = -EAGAIN;
			taken = 1;
			if (taken < v->count)
				taken = kmb_recvv_take(mb, v, &w, 1, &need);
		}
		if (taken == done)
			break;
		copied = kmb_recvv_copy(v, done, taken, uvec, umeta);
		for (i = done; i < copied; i++) {
			trace_kmailbox_receive(mb, v->msgs[i]);
			kmb_msg_delivered(mb, v->msgs[i]);
		}
		len = 0;
		if (copied < taken) {
			len = v->msgs[copied]->len;
			kmb_requeue_vec(mb, &v->msgs[copied], taken - copied);
		}
		if (copied > done)
			kmb_msgs_free(&v->msgs[done], copied - done);
		done = copied;
		if (copied == taken)
			break;
		if (kmb_recvv_fault_in(v, done, len, uvec, umeta)) {
			v->err = -EFAULT;
			break;
		}
		v->err = 0;
		if (done)
			v->wait.mode = -EAGAIN;
	}
	/* An entry too small learns the length, holding no message. */
	if (v->err == -EMSGSIZE && put_user(need, &uvec[done].len) && !done)
		v->err = -EFAULT;
	return done;
}

/* MAILBOX_IOC_SENDV and MAILBOX_IOC_RECVV; see the uapi header. */
long kmb_ioctl_vec(struct kmb_file *mf, struct mailbox_vec __user *uarg,
		   bool recv, bool nonblock)
{
	u32 allowed = MAILBOX_NONBLOCK | MAILBOX_DEADLINE |
		      MAILBOX_VEC_DEADLINE_REALTIME;
	struct kmb *mb = kmb_of(mf);
	u32 wflags;
	struct mailbox_vec h;
	struct kmb_vec v;
	u32 done;
	long ret;

	if (copy_from_user(&h, uarg, sizeof(h)))
		return -EFAULT;
	if (!mb)
		return -EBADFD;
	if (recv)
		allowed |= MAILBOX_VEC_META;
	/* The vectored calls' 0x10 is MAILBOX_VEC_META: their own bit. */
	wflags = h.flags & (MAILBOX_NONBLOCK | MAILBOX_DEADLINE);
	if (h.flags & MAILBOX_VEC_DEADLINE_REALTIME)
		wflags |= MAILBOX_DEADLINE_REALTIME;
	if (!h.count || h.count > MAILBOX_BATCH_MAX || h.flags & ~allowed ||
	    !(h.flags & MAILBOX_VEC_META) != !h.meta || h.done || h.error ||
	    memchr_inv(h.reserved, 0, sizeof(h.reserved)) ||
	    kmb_wait_init(&v.wait, wflags, h.deadline_ns, nonblock))
		return -EINVAL;
	if (!(mf->access & (recv ? MAILBOX_ACCESS_RECV : MAILBOX_ACCESS_SEND)))
		return -EBADF;
	if ((recv && mb->delivery == MAILBOX_DELIVER_BROADCAST) || mb->ring)
		return -EOPNOTSUPP;
	/* Fail before moving anything if the results cannot be stored. */
	if (put_user(0, &uarg->done) || put_user(0, &uarg->error))
		return -EFAULT;
	v.count = h.count;
	v.err = 0;
	ret = kmb_vec_get(&v, u64_to_user_ptr(h.vec));
	if (ret)
		goto out;
	if (recv)
		done = kmb_recvv(mf, mb, &v, u64_to_user_ptr(h.vec),
				 u64_to_user_ptr(h.meta));
	else
		done = kmb_sendv(mf, mb, &v, &h);
	ret = done ? done : v.err;
	/* As for a batch: entries were done, whatever happens to @uarg. */
	if (done && !put_user(done, &uarg->done))
		put_user(done < h.count ? v.err : 0, &uarg->error);
out:
	kmb_vec_put(&v);
	return ret;
}
