// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the registry and the life of a mailbox. Create, open
 * and unlink by name; the table of direct mailboxes by owner; permissions;
 * owned mailboxes that die with their creator's descriptor; the final
 * free.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>

#include "kmailbox.h"

/* The largest message any mailbox may carry, whatever the parameter says. */
#define MBOX_MSG_SIZE_HARD_MAX	SZ_1G

/*
 * mbox_registry_lock protects the name hash table, the direct table, the
 * list of live mailboxes (mbox_all), mbox_count, and each mailbox's
 * @linked, @hnode, @all, @nr_files and direct-send policy. It is taken
 * before any mailbox's lock.
 */
DEFINE_MUTEX(mbox_registry_lock);
LIST_HEAD(mbox_all);
static DEFINE_HASHTABLE(mbox_names, 8);
static DEFINE_HASHTABLE(mbox_directs, 8);
static unsigned int mbox_count;

static u32 mbox_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

/* A name is 1 to 63 bytes, NUL-terminated, with no '/' and no controls. */
static int mbox_check_name(const char *name)
{
	size_t len = strnlen(name, MAILBOX_NAME_LEN);
	size_t i;

	if (!len || len == MAILBOX_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c == '/' || c < 0x20 || c == 0x7f)
			return -EINVAL;
	}
	return 0;
}

static int mbox_check_access(u32 access)
{
	if (!access || access & ~MAILBOX_ACCESS_ALL)
		return -EINVAL;
	return 0;
}

static struct mbox *mbox_lookup(const char *name)
{
	struct mbox *mb;

	lockdep_assert_held(&mbox_registry_lock);
	hash_for_each_possible(mbox_names, mb, hnode, mbox_name_hash(name)) {
		if (!strcmp(mb->name, name))
			return mb;
	}
	return NULL;
}

/**
 * mbox_direct_lookup() - the direct mailbox of a process
 * @tgid: the process.
 *
 * Return: its live direct mailbox (no reference taken), or NULL.
 */
struct mbox *mbox_direct_lookup(struct pid *tgid)
{
	struct mbox *mb;

	lockdep_assert_held(&mbox_registry_lock);
	hash_for_each_possible(mbox_directs, mb, hnode, (unsigned long)tgid) {
		if (mb->owner == tgid)
			return mb;
	}
	return NULL;
}

static void mbox_unhash(struct mbox *mb)
{
	lockdep_assert_held(&mbox_registry_lock);
	hash_del(&mb->hnode);
	WRITE_ONCE(mb->linked, false);
}

/* May the current task have @access to @mb? As ipcperms() decides. */
static int mbox_permission(const struct mbox *mb, u32 access)
{
	umode_t granted = mb->mode;
	umode_t need = 0;

	if (uid_eq(current_euid(), mb->uid))
		granted >>= 6;
	else if (in_egroup_p(mb->gid))
		granted >>= 3;
	if (access & MAILBOX_ACCESS_SEND)
		need |= 02;
	if (access & MAILBOX_ACCESS_RECV)
		need |= 04;
	if ((granted & need) == need || capable(CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

/**
 * mbox_state() - MAILBOX_STATE_* of a mailbox
 * @mb: the mailbox; its lock is held.
 *
 * Return: the state.
 */
u32 mbox_state(const struct mbox *mb)
{
	lockdep_assert_held(&mb->lock);
	if (mb->dead)
		return MAILBOX_STATE_DEAD;
	return READ_ONCE(mb->linked) ? MAILBOX_STATE_LINKED :
				       MAILBOX_STATE_UNLINKED;
}

/**
 * mbox_alloc() - allocate a mailbox owned by the current task's euid/egid
 * @mf: the descriptor creating it.
 * @name: its name (empty for a direct mailbox).
 * @capacity: checked by mbox_check_sizes().
 * @msg_size_max: checked by mbox_check_sizes().
 * @delivery: MAILBOX_DELIVER_*.
 *
 * The mailbox counts against its owner, the current euid, whoever opened
 * @mf.
 *
 * Return: the mailbox, with one reference, or NULL.
 */
struct mbox *mbox_alloc(struct mbox_file *mf, const char *name, u32 capacity,
			u32 msg_size_max, u32 delivery)
{
	struct mbox_user *creator;
	struct mbox *mb;
	unsigned int prio;

	creator = mbox_user_current(mf);
	if (!creator)
		return NULL;
	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb) {
		mbox_user_put(creator);
		return NULL;
	}
	kref_init(&mb->ref);
	INIT_HLIST_NODE(&mb->hnode);
	INIT_LIST_HEAD(&mb->all);
	strscpy(mb->name, name, sizeof(mb->name));
	mb->uid = current_euid();
	mb->gid = current_egid();
	mb->capacity = capacity;
	mb->msg_size_max = msg_size_max;
	mb->delivery = delivery;
	mb->dead_err = -EIDRM;
	mb->creator = creator;
	init_waitqueue_head(&mb->poll_wq);
	spin_lock_init(&mb->lock);
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++)
		INIT_LIST_HEAD(&mb->msgs[prio]);
	INIT_LIST_HEAD(&mb->receivers);
	INIT_LIST_HEAD(&mb->senders);
	INIT_LIST_HEAD(&mb->subs);
	return mb;
}

/**
 * mbox_free_unused() - free a mailbox that was never linked, or the rest
 * of one that is released
 * @mb: the mailbox, without messages.
 */
void mbox_free_unused(struct mbox *mb)
{
	u32 i;

	for (i = 0; i < mb->nr_allow; i++)
		put_pid(mb->allow[i]);
	kfree(mb->allow);
	put_pid(mb->owner);
	mbox_user_put(mb->creator);
	kfree(mb);
}

/* Called by kref_put_mutex() with mbox_registry_lock held; drops it. */
static void mbox_release(struct kref *ref)
{
	struct mbox *mb = container_of(ref, struct mbox, ref);
	unsigned int prio;

	list_del(&mb->all);
	mbox_count--;
	mutex_unlock(&mbox_registry_lock);

	/* No waiter is left: each one holds a reference. */
	WARN_ON_ONCE(!list_empty(&mb->receivers) || !list_empty(&mb->senders) ||
		     !list_empty(&mb->subs));
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++)
		mbox_free_msgs(&mb->msgs[prio]);
	atomic_dec(&mb->creator->mailboxes);
	mbox_free_unused(mb);
}

/**
 * mbox_put() - drop a mailbox reference
 * @mb: the mailbox; freed, with its messages, by the last put.
 *
 * Takes mbox_registry_lock for the last put: call it without that lock.
 */
void mbox_put(struct mbox *mb)
{
	kref_put_mutex(&mb->ref, mbox_release, &mbox_registry_lock);
}

/**
 * mbox_bind() - bind a descriptor to a mailbox
 * @mf: the descriptor, not yet bound.
 * @mb: the mailbox; the caller has taken a reference for @mf.
 * @access: MAILBOX_ACCESS_* granted.
 * @owner: @mf destroys @mb when it is closed.
 *
 * A receiving descriptor of a broadcast mailbox subscribes to it.
 */
void mbox_bind(struct mbox_file *mf, struct mbox *mb, u32 access, bool owner)
{
	lockdep_assert_held(&mbox_registry_lock);
	mf->access = access;
	mf->owner = owner;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST &&
	    (access & MAILBOX_ACCESS_RECV))
		mbox_sub_join(mf, mb);
	/* Pairs with smp_load_acquire() in the ioctl and poll paths. */
	smp_store_release(&mf->mbox, mb);
}

/* Bind @mf to the existing @mb if its mode grants @access. */
static int mbox_attach(struct mbox_file *mf, struct mbox *mb, u32 access)
{
	int ret;

	lockdep_assert_held(&mbox_registry_lock);
	ret = mbox_permission(mb, access);
	if (ret)
		return ret;
	kref_get(&mb->ref);
	mbox_bind(mf, mb, access, false);
	return 0;
}

/* Make new mailbox @mb reachable if the limits allow; takes its ref. */
static int mbox_link(struct mbox *mb)
{
	struct mbox_user *creator = mb->creator;

	lockdep_assert_held(&mbox_registry_lock);
	if (mbox_count >= READ_ONCE(mbox_max_mailboxes))
		return -ENOSPC;
	if (atomic_read(&creator->mailboxes) >=
	    READ_ONCE(mbox_user_mailboxes_max))
		return -ENOSPC;
	atomic_inc(&creator->mailboxes);
	mbox_count++;
	list_add_tail(&mb->all, &mbox_all);
	if (mb->owner)
		hash_add(mbox_directs, &mb->hnode, (unsigned long)mb->owner);
	else
		hash_add(mbox_names, &mb->hnode, mbox_name_hash(mb->name));
	mb->linked = true;
	return 0;
}

/**
 * mbox_link_bind() - make a new mailbox reachable and bind a descriptor
 * @mf: the descriptor.
 * @mb: the new mailbox: linked under its name, or for a direct mailbox
 *	under its owner; the table takes over the caller's reference.
 * @access: MAILBOX_ACCESS_* for @mf.
 *
 * Return: 1 (created), or -ENOSPC when the limits refuse it.
 */
int mbox_link_bind(struct mbox_file *mf, struct mbox *mb, u32 access)
{
	int ret;

	lockdep_assert_held(&mbox_registry_lock);
	ret = mbox_link(mb);
	if (ret)
		return ret;
	/* One reference for the table, one for the descriptor. */
	kref_get(&mb->ref);
	mb->nr_files = 1;
	mbox_bind(mf, mb, access, mb->owned);
	return 1;
}

/**
 * mbox_check_sizes() - check a new mailbox's capacity and message size
 * @capacity: messages.
 * @msg_size_max: bytes.
 *
 * Return: 0 or -EINVAL.
 */
int mbox_check_sizes(u32 capacity, u32 msg_size_max)
{
	if (capacity > READ_ONCE(mbox_capacity_limit))
		return -EINVAL;
	if (!msg_size_max || msg_size_max > READ_ONCE(mbox_msg_size_limit) ||
	    msg_size_max > MBOX_MSG_SIZE_HARD_MAX)
		return -EINVAL;
	return 0;
}

static int mbox_check_create(const struct mailbox_create *args)
{
	if (args->flags & ~(MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED) ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	if (args->delivery > MAILBOX_DELIVER_BROADCAST ||
	    (args->delivery == MAILBOX_DELIVER_BROADCAST && !args->capacity))
		return -EINVAL;
	if (mbox_check_sizes(args->capacity, args->msg_size_max))
		return -EINVAL;
	if (mbox_check_access(args->access))
		return -EINVAL;
	return mbox_check_name(args->name);
}

/**
 * mbox_ioc_create() - MAILBOX_IOC_CREATE
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 1 if the mailbox was created, 0 if an existing one was opened,
 * or a negative errno.
 */
int mbox_ioc_create(struct mbox_file *mf, const struct mailbox_create *args)
{
	struct mbox *mb, *new;
	int ret;

	ret = mbox_check_create(args);
	if (ret)
		return ret;

	new = mbox_alloc(mf, args->name, args->capacity, args->msg_size_max,
			 args->delivery);
	if (!new)
		return -ENOMEM;
	new->mode = args->mode;
	new->owned = args->flags & MAILBOX_CREATE_OWNED;

	mutex_lock(&mbox_registry_lock);
	if (mf->mbox) {
		ret = -EBUSY;
		goto out_unlock;
	}
	mb = mbox_lookup(args->name);
	if (mb) {
		if (args->flags & MAILBOX_CREATE_EXCL)
			ret = -EEXIST;
		else
			ret = mbox_attach(mf, mb, args->access);
		goto out_unlock;
	}
	ret = mbox_link_bind(mf, new, args->access);
	if (ret > 0)
		new = NULL;

out_unlock:
	mutex_unlock(&mbox_registry_lock);
	if (new)
		mbox_free_unused(new);
	return ret;
}

/**
 * mbox_ioc_open() - MAILBOX_IOC_OPEN
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int mbox_ioc_open(struct mbox_file *mf, const struct mailbox_open *args)
{
	struct mbox *mb;
	int ret;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = mbox_check_access(args->access);
	if (!ret)
		ret = mbox_check_name(args->name);
	if (ret)
		return ret;

	mutex_lock(&mbox_registry_lock);
	if (mf->mbox) {
		ret = -EBUSY;
		goto out_unlock;
	}
	mb = mbox_lookup(args->name);
	ret = mb ? mbox_attach(mf, mb, args->access) : -ENOENT;

out_unlock:
	mutex_unlock(&mbox_registry_lock);
	return ret;
}

/**
 * mbox_ioc_unlink() - MAILBOX_IOC_UNLINK
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int mbox_ioc_unlink(const struct mailbox_unlink *args)
{
	struct mbox *mb;
	int ret;

	if (args->flags || args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = mbox_check_name(args->name);
	if (ret)
		return ret;

	mutex_lock(&mbox_registry_lock);
	mb = mbox_lookup(args->name);
	if (!mb) {
		ret = -ENOENT;
	} else if (!uid_eq(current_euid(), mb->uid) &&
		   !capable(CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		mbox_unhash(mb);
	}
	mutex_unlock(&mbox_registry_lock);
	if (!ret)
		mbox_put(mb);
	return ret;
}

/**
 * mbox_registry_exit() - free the mailboxes that outlive their descriptors
 *
 * At unload no descriptor is open (each pins the module), so every live
 * mailbox is held by its name only: unlinking it frees it.
 */
void mbox_registry_exit(void)
{
	struct mbox *mb;

	for (;;) {
		mutex_lock(&mbox_registry_lock);
		mb = list_first_entry_or_null(&mbox_all, struct mbox, all);
		if (mb && WARN_ON_ONCE(!mb->linked))
			mb = NULL;
		if (mb)
			mbox_unhash(mb);
		mutex_unlock(&mbox_registry_lock);
		if (!mb)
			break;
		mbox_put(mb);
	}
	WARN_ON(!list_empty(&mbox_all));
}

/**
 * mbox_destroy() - destroy a mailbox, if it is not dead already
 * @mb: the mailbox.
 * @drop_file: a descriptor bound to a direct mailbox is going away:
 *	destroy it only if that was the last.
 *
 * Unlinks it and wakes every sleeping sender and receiver; see
 * mbox_destroy_locked(). The caller holds a reference.
 */
void mbox_destroy(struct mbox *mb, bool drop_file)
{
	LIST_HEAD(freeq);
	bool was_linked;

	mutex_lock(&mbox_registry_lock);
	if ((drop_file && --mb->nr_files) || READ_ONCE(mb->dead)) {
		mutex_unlock(&mbox_registry_lock);
		return;
	}
	was_linked = mb->linked;
	if (was_linked)
		mbox_unhash(mb);
	spin_lock(&mb->lock);
	mbox_destroy_locked(mb, &freeq);
	spin_unlock(&mb->lock);
	mutex_unlock(&mbox_registry_lock);

	wake_up_interruptible_poll(&mb->poll_wq, EPOLLHUP | EPOLLIN | EPOLLOUT);
	mbox_free_msgs(&freeq);
	if (was_linked)
		mbox_put(mb);
}

/**
 * mbox_file_release() - a descriptor of /dev/mailbox is closed
 * @mf: the descriptor; the caller frees it.
 */
void mbox_file_release(struct mbox_file *mf)
{
	struct mbox *mb = mf->mbox;

	if (mb) {
		if (mf->subscribed)
			mbox_sub_leave(mf);
		if (mf->owner || mb->owner)
			mbox_destroy(mb, !!mb->owner);
		mbox_put(mb);
	}
	mbox_user_put(mf->user);
}
