// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: direct communication. Each process (thread group) may
 * have one direct mailbox, which others reach by its pid. It lives in the
 * registry's direct table, keyed by the owner's struct pid, from the
 * owner's first MAILBOX_IOC_OPEN_DIRECT until the owner exits or the last
 * descriptor bound to it closes.
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"

/* The process that @nr (in the caller's pid namespace) belongs to, or NULL. */
static struct pid *kmb_get_process(pid_t nr)
{
	struct task_struct *task;
	struct pid *tgid = NULL;

	rcu_read_lock();
	task = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (task)
		tgid = get_pid(task_tgid(task));
	rcu_read_unlock();
	return tgid;
}

/**
 * struct kmb_allow - a parsed direct-send policy
 * @policy: MAILBOX_POLICY_*.
 * @nr: entries in @pids.
 * @pids: MAILBOX_POLICY_LIST: the processes allowed (references).
 */
struct kmb_allow {
	u32 policy;
	u32 nr;
	struct pid **pids;
};

static void kmb_allow_free(struct kmb_allow *allow)
{
	u32 i;

	for (i = 0; i < allow->nr; i++)
		put_pid(allow->pids[i]);
	kfree(allow->pids);
}

/* Check and copy in a policy; see struct mailbox_policy. */
static int kmb_allow_parse(struct kmb_allow *allow, u32 policy, u32 count,
			   u64 upids)
{
	s32 *nrs;
	int ret = 0;

	allow->policy = policy;
	allow->nr = 0;
	allow->pids = NULL;
	switch (policy) {
	case MAILBOX_POLICY_ANY:
	case MAILBOX_POLICY_UID:
		return count || upids ? -EINVAL : 0;
	case MAILBOX_POLICY_LIST:
		if (!count || count > MAILBOX_POLICY_LIST_MAX)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	nrs = memdup_user(u64_to_user_ptr(upids), count * sizeof(*nrs));
	if (IS_ERR(nrs))
		return PTR_ERR(nrs);
	allow->pids = kcalloc(count, sizeof(*allow->pids), GFP_KERNEL_ACCOUNT);
	if (!allow->pids) {
		ret = -ENOMEM;
		goto out;
	}
	for (; allow->nr < count; allow->nr++) {
		if (nrs[allow->nr] <= 0) {
			ret = -EINVAL;
			break;
		}
		allow->pids[allow->nr] = kmb_get_process(nrs[allow->nr]);
		if (!allow->pids[allow->nr]) {
			ret = -ESRCH;
			break;
		}
	}
	if (ret)
		kmb_allow_free(allow);
out:
	kfree(nrs);
	return ret;
}

/* Install @allow as @mb's policy; the old one is left in @allow. */
static void kmb_allow_swap(struct kmb *mb, struct kmb_allow *allow)
{
	struct kmb_allow old = {
		.policy = mb->policy, .nr = mb->nr_allow, .pids = mb->allow,
	};

	lockdep_assert_held(&kmb_registry_lock);
	mb->policy = allow->policy;
	mb->nr_allow = allow->nr;
	mb->allow = allow->pids;
	*allow = old;
}

/* May the current task send to direct mailbox @mb? */
static int kmb_allowed(const struct kmb *mb)
{
	struct pid *me = task_tgid(current);
	u32 i;

	lockdep_assert_held(&kmb_registry_lock);
	switch (mb->policy) {
	case MAILBOX_POLICY_ANY:
		return 0;
	case MAILBOX_POLICY_UID:
		return uid_eq(current_euid(), mb->uid) ? 0 : -EACCES;
	default:
		for (i = 0; i < mb->nr_allow; i++) {
			if (mb->allow[i] == me)
				return 0;
		}
		return -EACCES;
	}
}

/**
 * kmb_direct_get() - the direct mailbox a MAILBOX_IOC_SEND_TO goes to
 * @nr: the pid given, in the caller's pid namespace.
 *
 * Return: the mailbox with a reference for the caller, ERR_PTR(-ESRCH)
 * when there is no such process or it has no direct mailbox, or
 * ERR_PTR(-EACCES) when its policy refuses the caller.
 */
struct kmb *kmb_direct_get(pid_t nr)
{
	struct pid *tgid = kmb_get_process(nr);
	struct kmb *mb;
	int ret;

	if (!tgid)
		return ERR_PTR(-ESRCH);
	mutex_lock(&kmb_registry_lock);
	mb = kmb_direct_lookup(tgid);
	ret = mb ? kmb_allowed(mb) : -ESRCH;
	if (!ret)
		kref_get(&mb->ref);
	mutex_unlock(&kmb_registry_lock);
	put_pid(tgid);
	return ret ? ERR_PTR(ret) : mb;
}

/**
 * kmb_ioc_open_direct() - MAILBOX_IOC_OPEN_DIRECT
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 1 if the mailbox was created, 0 if the existing one was bound,
 * or a negative errno.
 */
int kmb_ioc_open_direct(struct kmb_file *mf,
			const struct mailbox_direct *args)
{
	struct kmb_allow allow;
	struct kmb *mb, *new;
	int ret;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->delivery != MAILBOX_DELIVER_QUEUE &&
	    args->delivery != MAILBOX_DELIVER_PRIORITY)
		return -EINVAL;
	ret = kmb_check_sizes(args->capacity, args->msg_size_max);
	if (ret)
		return ret;
	ret = kmb_allow_parse(&allow, args->policy, args->count, args->pids);
	if (ret)
		return ret;

	ret = -ENOMEM;
	new = kmb_alloc(mf, "", args->capacity, args->msg_size_max,
			args->delivery);
	if (!new)
		goto out_allow;
	new->owner = get_pid(task_tgid(current));
	new->dead_err = -EPIPE;

	ret = kmb_lock_unbound(mf);
	if (ret)
		goto out_free;
	mb = kmb_direct_lookup(new->owner);
	if (mb) {
		kref_get(&mb->ref);
		mb->nr_files++;
		kmb_bind(mf, mb, MAILBOX_ACCESS_RECV, false);
	} else {
		kmb_allow_swap(new, &allow);
		ret = kmb_link_bind(mf, new, MAILBOX_ACCESS_RECV);
		if (ret > 0)
			new = NULL;
	}
	mutex_unlock(&kmb_registry_lock);
out_free:
	if (new)
		kmb_free_unused(new);
out_allow:
	kmb_allow_free(&allow);
	return ret;
}

/**
 * kmb_ioc_set_policy() - MAILBOX_IOC_SET_POLICY
 * @mf: a bound descriptor.
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int kmb_ioc_set_policy(struct kmb_file *mf,
		       const struct mailbox_policy *args)
{
	struct kmb *mb = mf->mbox;
	struct kmb_allow allow;
	int ret;

	if (!mb->owner || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (task_tgid(current) != mb->owner)
		return -EPERM;
	ret = kmb_allow_parse(&allow, args->policy, args->count, args->pids);
	if (ret)
		return ret;
	mutex_lock(&kmb_registry_lock);
	if (READ_ONCE(mb->dead))
		ret = -EPIPE;
	else
		kmb_allow_swap(mb, &allow);
	mutex_unlock(&kmb_registry_lock);
	kmb_allow_free(&allow);
	return ret;
}

/**
 * kmb_direct_flush() - a descriptor is being closed (the flush method)
 * @mf: the descriptor.
 *
 * When a process exits, the last of its threads closes its descriptors.
 * If that process owns the direct mailbox @mf is bound to, the mailbox
 * dies now, even if the descriptor lives on in another process (a child
 * that inherited it, or one it was passed to).
 */
void kmb_direct_flush(struct kmb_file *mf)
{
	/* Pairs with smp_store_release() in kmb_bind(). */
	struct kmb *mb = smp_load_acquire(&mf->mbox);

	if (!mb || !mb->owner || task_tgid(current) != mb->owner)
		return;
	if (!(current->flags & PF_EXITING) ||
	    atomic_read(&current->signal->live))
		return;
	kmb_destroy(mb, false);
}

/**
 * kmb_send_to() - MAILBOX_IOC_SEND_TO, on any descriptor
 * @mf: the descriptor.
 * @args: as for kmb_send().
 * @nonblock: the descriptor is O_NONBLOCK.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
int kmb_send_to(struct kmb_file *mf, struct mailbox_send *args,
		bool nonblock)
{
	struct kmb_wait wait;
	struct kmb *mb;
	int ret;

	if (kmb_check_send(args) || args->to_pid <= 0 ||
	    kmb_wait_init(&wait, args->flags, args->deadline_ns, nonblock))
		return -EINVAL;
	mb = kmb_direct_get(args->to_pid);
	if (IS_ERR(mb))
		return PTR_ERR(mb);
	ret = kmb_send_msg(mf, mb, args, &wait);
	kmb_put(mb);
	return ret;
}
