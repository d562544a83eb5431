// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: MAILBOX_IOC_NOTIFY, mq_notify() on a queue or priority
 * mailbox. One registration per mailbox, kept in it under its lock (struct
 * kmb.notify); it fires when a send queues a message into the empty
 * mailbox while no receiver sleeps on it (the send decides that under the
 * lock: kmb_notify_queued()), and is delivered once the lock is dropped
 * (kmb_notify_fire()). The rules are those of ipc/mqueue.c.
 */
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"

/* Take @mb's registration into @n (the caller puts it); lock held. */
static void kmb_notify_detach(struct kmb *mb, struct kmb_notify *n)
{
	lockdep_assert_held(&mb->lock);
	*n = mb->notify;
	memset(&mb->notify, 0, sizeof(mb->notify));
}

/* Drop the references of a detached registration. */
static void kmb_notify_put(struct kmb_notify *n)
{
	put_pid(n->pid);
	if (n->user_ns)
		put_user_ns(n->user_ns);
}

/**
 * __kmb_notify_queued() - a send has queued a message
 * @mb: the mailbox, with a registration; its lock is held.
 * @n: filled with the registration if it fires now (n->pid set); the
 *	caller passes it to kmb_notify_fire() once the lock is dropped.
 *
 * Fires when the message made the mailbox non-empty and no receiver
 * sleeps on it. A _POLL registration marks its descriptor here, under
 * the lock that also keeps that descriptor from being freed.
 */
void __kmb_notify_queued(struct kmb *mb, struct kmb_notify *n)
{
	lockdep_assert_held(&mb->lock);
	if (mb->depth != 1 || mb->nr_receivers)
		return;
	kmb_notify_detach(mb, n);
	if (n->kind == MAILBOX_NOTIFY_POLL)
		WRITE_ONCE(n->file->notify_fired, true);
}

/**
 * kmb_notify_fire() - deliver a registration kmb_notify_queued() took
 * @mb: the mailbox (its lock not held).
 * @n: the registration; its references are dropped.
 *
 * _SIGNAL: to the owner's thread group, from the current task (the
 * sender), as ipc/mqueue.c's __do_notify() does: si_pid and si_uid as the
 * owner sees them, and not to a process image that replaced the one that
 * registered (execve()).
 */
void kmb_notify_fire(struct kmb *mb, struct kmb_notify *n)
{
	struct kernel_siginfo info;
	struct task_struct *task;

	switch (n->kind) {
	case MAILBOX_NOTIFY_SIGNAL:
		clear_siginfo(&info);
		info.si_signo = n->signo;
		info.si_code = SI_MESGQ;
		info.si_value.sival_ptr = u64_to_user_ptr(n->value);
		rcu_read_lock();
		info.si_pid = task_tgid_nr_ns(current, ns_of_pid(n->pid));
		info.si_uid = from_kuid_munged(n->user_ns, current_uid());
		task = pid_task(n->pid, PIDTYPE_TGID);
		if (task && task->self_exec_id == n->exec_id)
			send_sig_info(n->signo, &info, task);
		rcu_read_unlock();
		break;
	case MAILBOX_NOTIFY_POLL:
		wake_up_interruptible_poll(&mb->poll_wq, EPOLLPRI);
		break;
	}
	kmb_notify_put(n);
}

/* Remove @mb's registration if @owner owns it or it was made through @file. */
static void kmb_notify_remove_if(struct kmb *mb, struct pid *owner,
				 struct kmb_file *file)
{
	struct kmb_notify n = { 0 };

	spin_lock(&mb->lock);
	if (mb->notify.pid &&
	    (mb->notify.pid == owner || (file && mb->notify.file == file)))
		kmb_notify_detach(mb, &n);
	spin_unlock(&mb->lock);
	kmb_notify_put(&n);
}

/**
 * kmb_notify_flush() - a descriptor is closed (its flush)
 * @mf: the descriptor.
 *
 * When the closing process owns the registration of the mailbox @mf is
 * bound to, it is removed, as mqueue_flush_file() does: so also when the
 * owner exits, which closes its descriptors.
 */
void kmb_notify_flush(struct kmb_file *mf)
{
	struct kmb *mb = kmb_of(mf);

	if (mb && READ_ONCE(mb->notify.pid) == task_tgid(current))
		kmb_notify_remove_if(mb, task_tgid(current), NULL);
}

/**
 * kmb_notify_release() - a descriptor is freed
 * @mf: the descriptor, bound to @mb.
 * @mb: its mailbox.
 *
 * A _POLL registration made through @mf goes with it, whoever owns it.
 */
void kmb_notify_release(struct kmb_file *mf, struct kmb *mb)
{
	if (READ_ONCE(mb->notify.pid))
		kmb_notify_remove_if(mb, NULL, mf);
}

/**
 * kmb_notify_exit() - a mailbox is freed
 * @mb: the mailbox: nothing else refers to it.
 */
void kmb_notify_exit(struct kmb *mb)
{
	kmb_notify_put(&mb->notify);
}

static int kmb_notify_check(const struct mailbox_notify *args)
{
	if (args->flags || args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)) ||
	    args->kind > MAILBOX_NOTIFY_TAKE)
		return -EINVAL;
	if (args->kind == MAILBOX_NOTIFY_SIGNAL)
		return args->signo && valid_signal(args->signo) ? 0 : -EINVAL;
	return args->signo || args->value ? -EINVAL : 0;
}

/* Register the current process for @mb. */
static int kmb_notify_add(struct kmb_file *mf, struct kmb *mb,
			  const struct mailbox_notify *args)
{
	struct kmb_notify n = {
		.pid = get_pid(task_tgid(current)),
		.user_ns = get_user_ns(current_user_ns()),
		.exec_id = current->self_exec_id,
		.file = args->kind == MAILBOX_NOTIFY_POLL ? mf : NULL,
		.kind = args->kind,
		.signo = args->signo,
		.value = args->value,
	};
	int ret = 0;

	spin_lock(&mb->lock);
	if (mb->dead)
		ret = mb->dead_err;
	else if (mb->notify.pid)
		ret = -EBUSY;
	else
		swap(mb->notify, n);
	spin_unlock(&mb->lock);
	kmb_notify_put(&n);
	return ret;
}

/**
 * kmb_ioc_notify() - MAILBOX_IOC_NOTIFY
 * @mf: a bound descriptor.
 * @mb: its mailbox.
 * @args: the arguments, copied in.
 *
 * Return: 0 (_TAKE: 1 or 0) or a negative errno; see the uapi header.
 */
int kmb_ioc_notify(struct kmb_file *mf, struct kmb *mb,
		   const struct mailbox_notify *args)
{
	int ret;

	ret = kmb_notify_check(args);
	if (ret)
		return ret;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST || mb->ring || mb->owner)
		return -EOPNOTSUPP;
	switch (args->kind) {
	case MAILBOX_NOTIFY_REMOVE:
		/* Another process's registration stays, as in Linux. */
		kmb_notify_remove_if(mb, task_tgid(current), NULL);
		return 0;
	case MAILBOX_NOTIFY_TAKE:
		spin_lock(&mb->lock);
		ret = mf->notify_fired;
		WRITE_ONCE(mf->notify_fired, false);
		spin_unlock(&mb->lock);
		return ret;
	}
	return kmb_notify_add(mf, mb, args);
}
