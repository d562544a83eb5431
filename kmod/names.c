// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: named mailboxes and descriptors. MAILBOX_IOC_CREATE,
 * MAILBOX_IOC_OPEN and MAILBOX_IOC_UNLINK, and their long-named *2
 * variants (which copy the name in and then share the rest); binding a
 * descriptor to a
 * mailbox (a broadcast mailbox's receivers subscribe), and what closing a
 * descriptor does: owned and direct mailboxes die with it.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "kmailbox.h"

/* The @len bytes of @name have no '/' and no controls (so no NUL). */
static int kmb_check_name_chars(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c == '/' || c < 0x20 || c == 0x7f)
			return -EINVAL;
	}
	return 0;
}

/* A name is 1 to 63 bytes, NUL-terminated, with no '/' and no controls. */
static int kmb_check_name(const char *name)
{
	size_t len = strnlen(name, MAILBOX_NAME_LEN);

	if (!len || len == MAILBOX_NAME_LEN)
		return -EINVAL;
	return kmb_check_name_chars(name, len);
}

/*
 * The name of a *2 call: copy its @len bytes from @uname into @buf
 * (MAILBOX_NAME_MAX + 1 bytes), NUL-terminate and check them. From then on
 * it is a name as any other, only longer.
 */
static int kmb_name_from_user(char *buf, u64 uname, u32 len)
{
	if (!len)
		return -EINVAL;
	if (len > MAILBOX_NAME_MAX)
		return -ENAMETOOLONG;
	if (copy_from_user(buf, u64_to_user_ptr(uname), len))
		return -EFAULT;
	buf[len] = '\0';
	return kmb_check_name_chars(buf, len);
}

static int kmb_check_access(u32 access)
{
	if (!access || access & ~MAILBOX_ACCESS_ALL)
		return -EINVAL;
	return 0;
}

/**
 * kmb_bind() - bind a descriptor to a mailbox
 * @mf: the descriptor, not yet bound.
 * @mb: the mailbox; the caller has taken a reference for @mf.
 * @access: MAILBOX_ACCESS_* granted.
 * @owner: @mf destroys @mb when it is closed.
 *
 * A receiving descriptor of a broadcast mailbox subscribes to it.
 */
void kmb_bind(struct kmb_file *mf, struct kmb *mb, u32 access, bool owner)
{
	lockdep_assert_held(&kmb_registry_lock);
	mf->access = access;
	mf->owner = owner;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST &&
	    (access & MAILBOX_ACCESS_RECV))
		kmb_sub_join(mf, mb);
	/* Pairs with smp_load_acquire() in the ioctl and poll paths. */
	smp_store_release(&mf->mbox, mb);
}

/**
 * kmb_lock_unbound() - take kmb_registry_lock to bind a descriptor
 * @mf: the descriptor.
 *
 * Return: 0 with the lock held, or -EBUSY (and the lock not held) when
 * @mf is bound already: a descriptor is bound once.
 */
int kmb_lock_unbound(struct kmb_file *mf)
{
	mutex_lock(&kmb_registry_lock);
	if (!mf->mbox)
		return 0;
	mutex_unlock(&kmb_registry_lock);
	return -EBUSY;
}

/* Bind @mf to the existing @mb if its mode grants @access. */
static int kmb_attach(struct kmb_file *mf, struct kmb *mb, u32 access)
{
	int ret;

	lockdep_assert_held(&kmb_registry_lock);
	ret = kmb_permission(mb, access);
	if (ret)
		return ret;
	kref_get(&mb->ref);
	kmb_bind(mf, mb, access, false);
	return 0;
}

/**
 * kmb_link_bind() - make a new mailbox reachable and bind a descriptor
 * @mf: the descriptor.
 * @mb: the new mailbox: linked under its name, or for a direct mailbox
 *	under its owner; the table takes over the caller's reference.
 * @access: MAILBOX_ACCESS_* for @mf.
 *
 * Return: 1 (created), -ENOSPC when the limits refuse it, or -ENOMEM.
 */
int kmb_link_bind(struct kmb_file *mf, struct kmb *mb, u32 access)
{
	int ret;

	lockdep_assert_held(&kmb_registry_lock);
	ret = kmb_link(mb);
	if (ret)
		return ret;
	kmb_ns_reaper_kick();
	/* One reference for the table, one for the descriptor. */
	kref_get(&mb->ref);
	mb->nr_files = 1;
	kmb_bind(mf, mb, access, mb->owned);
	return 1;
}

#define KMB_CREATE_FLAGS	(MAILBOX_CREATE_EXCL | MAILBOX_CREATE_OWNED | \
				 MAILBOX_CREATE_MAPPED)

/* The arguments of a create but its name (and MAILBOX_CREATE_UMASK). */
static int kmb_check_create(const struct mailbox_create *args)
{
	if (args->flags & ~KMB_CREATE_FLAGS ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	if (args->mode & ~0777)
		return -EINVAL;
	if (args->delivery > MAILBOX_DELIVER_BROADCAST ||
	    (args->delivery == MAILBOX_DELIVER_BROADCAST && !args->capacity))
		return -EINVAL;
	if (kmb_check_sizes(args->capacity, args->msg_size_max))
		return -EINVAL;
	if (kmb_check_access(args->access) || kmb_ring_check(args))
		return -EINVAL;
	return 0;
}

/*
 * Create the mailbox @args describes, named @name (checked), with
 * @prio_max (checked) and @mode, or open it if it exists.
 */
static int kmb_create(struct kmb_file *mf, const struct mailbox_create *args,
		      const char *name, u32 prio_max, umode_t mode)
{
	struct kmb *mb, *new;
	int ret;

	new = kmb_alloc(mf, name, args->capacity, args->msg_size_max,
			args->delivery);
	if (!new)
		return -ENOMEM;
	new->mode = mode;
	new->prio_max = prio_max;
	new->owned = args->flags & MAILBOX_CREATE_OWNED;
	ret = kmb_wide_alloc(new);
	if (ret)
		goto out_free;
	if (args->flags & MAILBOX_CREATE_MAPPED) {
		ret = kmb_ring_alloc(new);
		if (ret)
			goto out_free;
	}

	ret = kmb_lock_unbound(mf);
	if (ret)
		goto out_free;
	mb = kmb_lookup(name);
	if (!mb) {
		ret = kmb_link_bind(mf, new, args->access);
		if (ret > 0)
			new = NULL;
	} else if (args->flags & MAILBOX_CREATE_EXCL) {
		ret = -EEXIST;
	} else {
		ret = kmb_attach(mf, mb, args->access);
	}
	mutex_unlock(&kmb_registry_lock);
out_free:
	if (new)
		kmb_free_unused(new);
	return ret;
}

/**
 * kmb_ioc_create() - MAILBOX_IOC_CREATE
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 1 if the mailbox was created, 0 if an existing one was opened,
 * or a negative errno.
 */
int kmb_ioc_create(struct kmb_file *mf, const struct mailbox_create *args)
{
	int ret;

	ret = kmb_check_create(args);
	if (!ret)
		ret = kmb_check_name(args->name);
	if (ret)
		return ret;
	return kmb_create(mf, args, args->name, MAILBOX_PRIO_MAX, args->mode);
}

/**
 * kmb_ioc_create2() - MAILBOX_IOC_CREATE2
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: as kmb_ioc_create().
 */
int kmb_ioc_create2(struct kmb_file *mf, const struct mailbox_create2 *args)
{
	struct mailbox_create c = {
		.flags = args->flags & ~MAILBOX_CREATE_UMASK,
		.access = args->access,
		.mode = args->mode,
		.capacity = args->capacity,
		.msg_size_max = args->msg_size_max,
		.delivery = args->delivery,
	};
	char name[MAILBOX_NAME_MAX + 1];
	u32 prio_max = args->prio_max ?: MAILBOX_PRIO_MAX;
	umode_t mode = args->mode;
	int ret;

	if (memchr_inv(args->reserved, 0, sizeof(args->reserved)) ||
	    prio_max > MAILBOX_PRIO_MAX_WIDE ||
	    (prio_max > MAILBOX_PRIO_MAX &&
	     args->delivery != MAILBOX_DELIVER_PRIORITY))
		return -EINVAL;
	ret = kmb_check_create(&c);
	if (!ret)
		ret = kmb_name_from_user(name, args->name, args->name_len);
	if (ret)
		return ret;
	if (args->flags & MAILBOX_CREATE_UMASK)
		mode &= ~current_umask();
	return kmb_create(mf, &c, name, prio_max, mode);
}

/* Bind @mf to the mailbox called @name (checked). */
static int kmb_open(struct kmb_file *mf, const char *name, u32 access)
{
	struct kmb *mb;
	int ret;

	ret = kmb_lock_unbound(mf);
	if (ret)
		return ret;
	mb = kmb_lookup(name);
	ret = mb ? kmb_attach(mf, mb, access) : -ENOENT;
	mutex_unlock(&kmb_registry_lock);
	return ret;
}

/**
 * kmb_ioc_open() - MAILBOX_IOC_OPEN
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int kmb_ioc_open(struct kmb_file *mf, const struct mailbox_open *args)
{
	int ret;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = kmb_check_access(args->access);
	if (!ret)
		ret = kmb_check_name(args->name);
	if (ret)
		return ret;
	return kmb_open(mf, args->name, args->access);
}

/**
 * kmb_ioc_open2() - MAILBOX_IOC_OPEN2
 * @mf: the descriptor to bind.
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int kmb_ioc_open2(struct kmb_file *mf, const struct mailbox_open2 *args)
{
	char name[MAILBOX_NAME_MAX + 1];
	int ret;

	if (args->flags || args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = kmb_check_access(args->access);
	if (!ret)
		ret = kmb_name_from_user(name, args->name, args->name_len);
	if (ret)
		return ret;
	return kmb_open(mf, name, args->access);
}

/* Remove the name @name (checked). */
static int kmb_unlink(const char *name)
{
	struct kmb *mb;
	int ret = 0;

	mutex_lock(&kmb_registry_lock);
	mb = kmb_lookup(name);
	if (!mb) {
		ret = -ENOENT;
	} else if (!uid_eq(current_euid(), mb->uid) &&
		   !ns_capable(kmb_ipc_current()->user_ns, CAP_SYS_ADMIN)) {
		ret = -EPERM;
	} else {
		kmb_unhash(mb);
	}
	mutex_unlock(&kmb_registry_lock);
	if (!ret)
		kmb_put(mb);
	return ret;
}

/**
 * kmb_ioc_unlink() - MAILBOX_IOC_UNLINK
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int kmb_ioc_unlink(const struct mailbox_unlink *args)
{
	int ret;

	if (args->flags || args->reserved0 ||
	    memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = kmb_check_name(args->name);
	return ret ? ret : kmb_unlink(args->name);
}

/**
 * kmb_ioc_unlink2() - MAILBOX_IOC_UNLINK2
 * @args: the arguments, copied in.
 *
 * Return: 0 or a negative errno.
 */
int kmb_ioc_unlink2(const struct mailbox_unlink2 *args)
{
	char name[MAILBOX_NAME_MAX + 1];
	int ret;

	if (args->flags || memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	ret = kmb_name_from_user(name, args->name, args->name_len);
	return ret ? ret : kmb_unlink(name);
}

/**
 * kmb_file_release() - a descriptor of /dev/mailbox is closed
 * @mf: the descriptor; the caller frees it.
 */
void kmb_file_release(struct kmb_file *mf)
{
	struct kmb *mb = mf->mbox;

	if (mb) {
		if (mf->subscribed)
			kmb_sub_leave(mf);
		kmb_notify_release(mf, mb);
		kmb_ring_release(mf);
		if (mf->owner || mb->owner)
			kmb_destroy(mb, !!mb->owner);
		kmb_put(mb);
	}
	kmb_user_put(mf->user);
}
