// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: per-user accounting of mailboxes and queued bytes, so
 * that one user filling their quota leaves the others unaffected.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "kmailbox.h"

/*
 * kmb_users_lock protects the hash table's lists and the zero crossing of
 * each entry's @refs; the counters are atomics read and written without it.
 */
static DEFINE_SPINLOCK(kmb_users_lock);
static DEFINE_HASHTABLE(kmb_users, 6);

/**
 * kmb_user_get() - find or create the accounting entry of a user
 * @uid: the user.
 *
 * Return: a referenced entry, or NULL when out of memory.
 */
struct kmb_user *kmb_user_get(kuid_t uid)
{
	u32 key = __kuid_val(uid);
	struct kmb_user *user, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);

	spin_lock(&kmb_users_lock);
	hash_for_each_possible(kmb_users, user, node, key) {
		if (uid_eq(user->uid, uid)) {
			refcount_inc(&user->refs);
			spin_unlock(&kmb_users_lock);
			kfree(new);
			return user;
		}
	}
	if (new) {
		new->uid = uid;
		refcount_set(&new->refs, 1);
		hash_add(kmb_users, &new->node, key);
	}
	spin_unlock(&kmb_users_lock);
	return new;
}

/**
 * kmb_user_put() - drop a reference taken by kmb_user_get()
 * @user: the entry; freed with its last reference.
 */
void kmb_user_put(struct kmb_user *user)
{
	/* refcount_dec_and_lock(), spelt out so that sparse can follow it. */
	if (refcount_dec_not_one(&user->refs))
		return;
	spin_lock(&kmb_users_lock);
	if (!refcount_dec_and_test(&user->refs)) {
		spin_unlock(&kmb_users_lock);
		return;
	}
	hash_del(&user->node);
	spin_unlock(&kmb_users_lock);
	WARN_ON_ONCE(atomic_long_read(&user->bytes));
	WARN_ON_ONCE(atomic_read(&user->mailboxes));
	kfree(user);
}

/**
 * kmb_user_current() - the accounting entry of the current euid
 * @mf: the descriptor it acts through, which caches the entry.
 *
 * Messages and mailboxes are charged to the caller at the time of the
 * call, as ipc/ charges them, not to whoever opened the descriptor: the
 * euid that owns what it creates and that receivers see as the sender.
 *
 * Return: a referenced entry, or NULL when out of memory.
 */
struct kmb_user *kmb_user_current(struct kmb_file *mf)
{
	kuid_t euid = current_euid();
	struct kmb_user *user, *old;

	spin_lock(&mf->user_lock);
	user = mf->user;
	if (uid_eq(user->uid, euid)) {
		refcount_inc(&user->refs);
		spin_unlock(&mf->user_lock);
		return user;
	}
	spin_unlock(&mf->user_lock);

	/* Another euid than last time (setuid(), or a passed descriptor). */
	user = kmb_user_get(euid);
	if (!user)
		return NULL;
	refcount_inc(&user->refs);
	spin_lock(&mf->user_lock);
	old = mf->user;
	mf->user = user;
	spin_unlock(&mf->user_lock);
	kmb_user_put(old);
	return user;
}

/**
 * kmb_msg_charge() - what a message costs against user_bytes_max
 * @len: its payload bytes.
 *
 * Its allocation, header included. Up to KMB_CLASS_MAX bytes, the object
 * size of its slab cache (kmb_class_size()). Above, kvmalloc() tries
 * kmalloc() first, which takes kmalloc_size_roundup() bytes (a slab size
 * class up to KMALLOC_MAX_CACHE_SIZE, a power-of-two number of pages
 * above); its vmalloc() fallback takes whole pages, never more. Past
 * KMALLOC_MAX_SIZE only vmalloc() can take it: whole pages.
 *
 * Return: the charge in bytes.
 */
size_t kmb_msg_charge(u32 len)
{
	size_t size = struct_size((struct kmb_msg *)NULL, data, len);
	int class = kmb_msg_class(size);

	if (class >= 0)
		return kmb_class_size(class);
	if (size > KMALLOC_MAX_SIZE)
		return PAGE_ALIGN(size);
	return kmalloc_size_roundup(size);
}

/**
 * kmb_user_charge_msg() - charge a message to a user
 * @user: the user.
 * @len: its payload bytes; kmb_msg_charge() of them is charged.
 *
 * Return: 0, or -ENOBUFS when the user would pass kmb_user_bytes_max.
 */
int kmb_user_charge_msg(struct kmb_user *user, u32 len)
{
	return kmb_user_charge(user, kmb_msg_charge(len));
}

/**
 * kmb_user_charge() - charge bytes to a user: a message, or a mapped ring
 * @user: the user.
 * @charge: bytes.
 *
 * Return: 0, or -ENOBUFS when the user would pass kmb_user_bytes_max.
 */
int kmb_user_charge(struct kmb_user *user, size_t charge)
{
	unsigned long limit = READ_ONCE(kmb_user_bytes_max);
	long old = atomic_long_read(&user->bytes);

	do {
		if (charge > limit || old > limit - charge)
			return -ENOBUFS;
	} while (!atomic_long_try_cmpxchg(&user->bytes, &old, old + charge));
	return 0;
}

/**
 * kmb_users_exit() - check at unload that every user entry was put
 */
void kmb_users_exit(void)
{
	WARN_ON(!hash_empty(kmb_users));
}

/**
 * kmb_user_uncharge_msg() - undo kmb_user_charge_msg()
 * @user: the user.
 * @len: the message's payload bytes.
 */
void kmb_user_uncharge_msg(struct kmb_user *user, u32 len)
{
	kmb_user_uncharge(user, kmb_msg_charge(len));
}

/**
 * kmb_user_uncharge() - undo kmb_user_charge()
 * @user: the user.
 * @charge: bytes.
 */
void kmb_user_uncharge(struct kmb_user *user, size_t charge)
{
	atomic_long_sub(charge, &user->bytes);
}
