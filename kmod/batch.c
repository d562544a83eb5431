// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the ioctls that move messages, as main.c dispatches
 * them: MAILBOX_IOC_SEND, SEND_TO and RECV (copying the argument in and
 * the results out), and the batches of them, MAILBOX_IOC_SEND_BATCH and
 * MAILBOX_IOC_RECV_BATCH.
 */
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"

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
