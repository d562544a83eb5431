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
static struct pid *mbox_get_process(pid_t nr)
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
 * struct mbox_allow - a parsed direct-send policy
 * @policy: MAILBOX_POLICY_*.
 * @nr: entries in @pids.
 * @pids: MAILBOX_POLICY_LIST: the processes allowed (references).
 */
struct mbox_allow {
	u32 policy;
	u32 nr;
	struct pid **pids;
};

static void mbox_allow_free(struct mbox_allow *allow)
{
	u32 i;

	for (i = 0; i < allow->nr; i++)
		put_pid(allow->pids[i]);
	kfree(allow->pids);
}

/* Check and copy in a policy; see struct mailbox_policy. */
static int mbox_allow_parse(struct mbox_allow *allow, u32 policy, u32 count,
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
		allow->pids[allow->nr] = mbox_get_process(nrs[allow->nr]);
		if (!allow->pids[allow->nr]) {
			ret = -ESRCH;
			break;
		}
	}
	if (ret)
		mbox_allow_free(allow);
out:
	kfree(nrs);
	return ret;
}

/* Install @allow as @mb's policy; the old one is left in @allow. */
static void mbox_allow_swap(struct mbox *mb, struct mbox_allow *allow)
{
	struct mbox_allow old = {
		.policy = mb->policy, .nr = mb->nr_allow, .pids = mb->allow,
	};

	lockdep_assert_held(&mbox_registry_lock);
	mb->policy = allow->policy;
	mb->nr_allow = allow->nr;
	mb->allow = allow->pids;
	*allow = old;
}

/* May the current task send to direct mailbox @mb? */
static int mbox_allowed(const struct mbox *mb)
{
	struct pid *me = task_tgid(current);
	u32 i;

	lockdep_assert_held(&mbox_registry_lock);
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
 * mbox_direct_get() - the direct mailbox a MAILBOX_IOC_SEND_TO goes to
 * @nr: the pid given, in the caller's pid namespace.
 *
 * Return: the mailbox with a reference for the caller, ERR_PTR(-ESRCH)
 * when there is no such process or it has no direct mailbox, or
 * ERR_PTR(-EACCES) when its policy refuses the caller.
 */
struct mbox *mbox_direct_get(pid_t nr)
{
	struct pid *tgid = mbox_get_process(nr);
	struct mbox *mb;
	int ret;

	if (!tgid)
		return ERR_PTR(-ESRCH);
	mutex_lock(&mbox_registry_lock);
	mb = mbox_direct_lookup(tgid);
	ret = mb ? mbox_allowed(mb) : -ESRCH;
	if (!ret)
		kref_get(&mb->ref);
	mutex_unlock(&mbox_registry_lock);
	put_pid(tgid);
	return ret ? ERR_PTR(ret) : mb;
}

/**
 * mbox_ioc_open_direct() - MAILBOX_IOC_OPEN_DIRECT
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 1 if the mailbox was created, 0 if the existing one was bound,
 * or a negative errno.
 */
int mbox_ioc_open_direct(struct mbox_file *mf,
			 const struct mailbox_direct *args)
{
	struct mbox_allow allow;
	struct mbox *mb, *new;
	int ret;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->delivery != MAILBOX_DELIVER_QUEUE &&
	    args->delivery != MAILBOX_DELIVER_PRIORITY)
		return -EINVAL;
	ret = mbox_check_sizes(args->capacity, args->msg_size_max);
	if (ret)
		return ret;
	ret = mbox_allow_parse(&allow, args->policy, args->count, args->pids);
	if (ret)
		return ret;

	ret = -ENOMEM;
	new = mbox_alloc(mf, "", args->capacity, args->msg_size_max,
			 args->delivery);
	if (!new)
		goto out_allow;
	new->owner = get_pid(task_tgid(current));
	new->dead_err = -EPIPE;

	mutex_lock(&mbox_registry_lock);
	if (mf->mbox) {
		ret = -EBUSY;
		goto out_unlock;
	}
	mb = mbox_direct_lookup(new->owner);
	if (mb) {
		kref_get(&mb->ref);
		mb->nr_files++;
		mbox_bind(mf, mb, MAILBOX_ACCESS_RECV, false);
		ret = 0;
		goto out_unlock;
	}
	mbox_allow_swap(new, &allow);
	ret = mbox_link_bind(mf, new, MAILBOX_ACCESS_RECV);
	if (ret > 0)
		new = NULL;

out_unlock:
	mutex_unlock(&mbox_registry_lock);
	if (new)
		mbox_free_unused(new);
out_allow:
	mbox_allow_free(&allow);
	return ret;
}

/**
 * mbox_ioc_set_policy() - MAILBOX_IOC_SET_POLICY
 * @mf: a bound descriptor.
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int mbox_ioc_set_policy(struct mbox_file *mf,
			const struct mailbox_policy *args)
{
	struct mbox *mb = mf->mbox;
	struct mbox_allow allow;
	int ret;

	if (!mb->owner || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (task_tgid(current) != mb->owner)
		return -EPERM;
	ret = mbox_allow_parse(&allow, args->policy, args->count, args->pids);
	if (ret)
		return ret;
	mutex_lock(&mbox_registry_lock);
	if (READ_ONCE(mb->dead))
		ret = -EPIPE;
	else
		mbox_allow_swap(mb, &allow);
	mutex_unlock(&mbox_registry_lock);
	mbox_allow_free(&allow);
	return ret;
}

/**
 * mbox_direct_flush() - a descriptor is being closed (the flush method)
 * @mf: the descriptor.
 *
 * When a process exits, the last of its threads closes its descriptors.
 * If that process owns the direct mailbox @mf is bound to, the mailbox
 * dies now, even if the descriptor lives on in another process (a child
 * that inherited it, or one it was passed to).
 */
void mbox_direct_flush(struct mbox_file *mf)
{
	/* Pairs with smp_store_release() in mbox_bind(). */
	struct mbox *mb = smp_load_acquire(&mf->mbox);

	if (!mb || !mb->owner || task_tgid(current) != mb->owner)
		return;
	if (!(current->flags & PF_EXITING) ||
	    atomic_read(&current->signal->live))
		return;
	mbox_destroy(mb, false);
}

/**
 * mbox_name_of() - the name userspace sees for a mailbox
 * @mb: the mailbox.
 * @ns: the pid namespace of the reader.
 * @buf: filled with the name, NUL-terminated: its own, or pid/N for a
 *	direct mailbox (N: its owner's pid in @ns, 0 if not visible there).
 * @size: size of @buf.
 *
 * Return: the length of the name, or -E2BIG if it was truncated.
 */
int mbox_name_of(const struct mbox *mb, struct pid_namespace *ns, char *buf,
		 size_t size)
{
	int len;

	if (!mb->owner)
		return strscpy(buf, mb->name, size);
	len = snprintf(buf, size, "pid/%d", pid_nr_ns(mb->owner, ns));
	return len < size ? len : -E2BIG;
}
