// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the registry. The name table, the table of direct
 * mailboxes by owner, the list of live mailboxes and the limits on their
 * number; permission checks, and the names userspace sees. It knows
 * mailboxes only as entries: creating, binding and destroying them are
 * the layers above (mailbox.c, names.c, direct.c).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/string.h>
#include <linux/stringhash.h>

#include "kmailbox.h"

/*
 * kmb_registry_lock protects the name hash table, the direct table, the
 * list of live mailboxes (kmb_all, in the order of their ids), kmb_count,
 * kmb_last_id, and each mailbox's @linked, @hnode, @all, @id, @nr_files
 * and direct-send policy. It is taken before any mailbox's lock.
 */
DEFINE_MUTEX(kmb_registry_lock);

LIST_HEAD(kmb_all);

static DEFINE_HASHTABLE(kmb_names, 8);

static DEFINE_HASHTABLE(kmb_directs, 8);

static unsigned int kmb_count;

static u64 kmb_last_id;

static u32 kmb_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

struct kmb *kmb_lookup(const char *name)
{
	struct kmb *mb;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each_possible(kmb_names, mb, hnode, kmb_name_hash(name)) {
		if (!strcmp(mb->name, name))
			return mb;
	}
	return NULL;
}

/**
 * kmb_direct_lookup() - the direct mailbox of a process
 * @tgid: the process.
 *
 * Return: its live direct mailbox (no reference taken), or NULL.
 */
struct kmb *kmb_direct_lookup(struct pid *tgid)
{
	struct kmb *mb;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each_possible(kmb_directs, mb, hnode, (unsigned long)tgid) {
		if (mb->owner == tgid)
			return mb;
	}
	return NULL;
}

void kmb_unhash(struct kmb *mb)
{
	lockdep_assert_held(&kmb_registry_lock);
	hash_del(&mb->hnode);
	WRITE_ONCE(mb->linked, false);
}

/* Make new mailbox @mb reachable if the limits allow; takes its ref. */
int kmb_link(struct kmb *mb)
{
	struct kmb_user *creator = mb->creator;

	lockdep_assert_held(&kmb_registry_lock);
	if (kmb_count >= READ_ONCE(kmb_max_mailboxes))
		return -ENOSPC;
	if (atomic_read(&creator->mailboxes) >=
	    READ_ONCE(kmb_user_mailboxes_max))
		return -ENOSPC;
	atomic_inc(&creator->mailboxes);
	kmb_count++;
	/* Ids only grow: kmb_all stays sorted by them. */
	mb->id = ++kmb_last_id;
	list_add_tail(&mb->all, &kmb_all);
	if (mb->owner)
		hash_add(kmb_directs, &mb->hnode, (unsigned long)mb->owner);
	else
		hash_add(kmb_names, &mb->hnode, kmb_name_hash(mb->name));
	mb->linked = true;
	return 0;
}

/**
 * kmb_unregister() - forget a mailbox that is being freed
 * @mb: the mailbox, no longer in the name or direct table.
 */
void kmb_unregister(struct kmb *mb)
{
	lockdep_assert_held(&kmb_registry_lock);
	list_del(&mb->all);
	kmb_count--;
}

/* May the current task have @access to @mb? As ipcperms() decides. */
int kmb_permission(const struct kmb *mb, u32 access)
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
 * kmb_name_of() - the name userspace sees for a mailbox
 * @mb: the mailbox.
 * @ns: the pid namespace of the reader.
 * @buf: filled with the name, NUL-terminated: its own, or pid/N for a
 *	direct mailbox (N: its owner's pid in @ns, 0 if not visible there).
 * @size: size of @buf.
 *
 * Return: the length of the name, or -E2BIG if it was truncated.
 */
int kmb_name_of(const struct kmb *mb, struct pid_namespace *ns, char *buf,
		size_t size)
{
	int len;

	if (!mb->owner)
		return strscpy(buf, mb->name, size);
	len = snprintf(buf, size, "pid/%d", pid_nr_ns(mb->owner, ns));
	return len < size ? len : -E2BIG;
}
