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
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/proc_ns.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>

#include "kmailbox.h"

/*
 * kmb_registry_lock protects the name hash table, the direct table, the
 * table of IPC namespaces (kmb_nss, kmb_guests) and every struct kmb_ns,
 * kmb_count, kmb_last_id, and each mailbox's @linked, @hnode, @all, @id,
 * @nr_files and direct-send policy. It is taken before any mailbox's lock.
 */
DEFINE_MUTEX(kmb_registry_lock);

/* Names are keyed by (IPC namespace, name): full_name_hash()'s salt. */
static DEFINE_HASHTABLE(kmb_names, 8);

/* struct kmb_ns by IPC namespace, while each holds its namespace. */
static DEFINE_HASHTABLE(kmb_nss, 4);

/* Entries of kmb_nss other than the initial IPC namespace's. */
unsigned int kmb_guests;

static DEFINE_HASHTABLE(kmb_directs, 8);

static unsigned int kmb_count;

static u64 kmb_last_id;

/* The IPC namespace the current task's names resolve in. */
struct ipc_namespace *kmb_ipc_current(void)
{
	return current->nsproxy->ipc_ns;
}

/**
 * kmb_ipc_put() - drop a reference to an IPC namespace
 * @ipc: the namespace; freed (from a work item) with its last reference.
 *
 * put_ipc_ns() is not exported on 6.1: drop the reference through the
 * namespace's own operations, whose put (ipcns_operations.put) calls it.
 * Without CONFIG_IPC_NS there is the initial namespace only, without
 * operations, and get_ipc_ns() takes nothing.
 */
void kmb_ipc_put(struct ipc_namespace *ipc)
{
	if (ipc->ns.ops)
		ipc->ns.ops->put(&ipc->ns);
}

static u32 kmb_name_hash(const struct ipc_namespace *ipc, const char *name)
{
	return full_name_hash(ipc, name, strlen(name));
}

static bool kmb_ipc_is_init(const struct ipc_namespace *ipc)
{
	return ipc->ns.inum == PROC_IPC_INIT_INO;
}

/**
 * kmb_ns_find() - the registry of an IPC namespace
 * @ipc: the namespace; the caller holds a reference to it (its own
 *	nsproxy's, or one it took).
 *
 * Return: its struct kmb_ns, or NULL when it has no mailbox.
 */
struct kmb_ns *kmb_ns_find(const struct ipc_namespace *ipc)
{
	struct kmb_ns *ns;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each_possible(kmb_nss, ns, node, hash_ptr(ipc, 32)) {
		if (ns->ipc == ipc)
			return ns;
	}
	return NULL;
}

/* The registry of the current IPC namespace, made if it has none yet. */
static struct kmb_ns *kmb_ns_get_current(void)
{
	struct ipc_namespace *ipc = kmb_ipc_current();
	struct kmb_ns *ns;

	lockdep_assert_held(&kmb_registry_lock);
	ns = kmb_ns_find(ipc);
	if (ns)
		return ns;
	ns = kzalloc(sizeof(*ns), GFP_KERNEL_ACCOUNT);
	if (!ns)
		return NULL;
	/* Our reference: see kmb_ns_reap() in ns.c. */
	ns->ipc = get_ipc_ns(ipc);
	INIT_LIST_HEAD(&ns->all);
	hash_add(kmb_nss, &ns->node, hash_ptr(ipc, 32));
	if (!kmb_ipc_is_init(ipc))
		WRITE_ONCE(kmb_guests, kmb_guests + 1);
	return ns;
}

/**
 * kmb_ns_unhash() - forget an IPC namespace and drop its reference
 * @ns: its registry, still in kmb_nss. Its mailboxes keep pointing to
 *	it (and it lives on while they do), but no name resolves in it
 *	any more.
 */
void kmb_ns_unhash(struct kmb_ns *ns)
{
	struct ipc_namespace *ipc = ns->ipc;

	lockdep_assert_held(&kmb_registry_lock);
	hash_del(&ns->node);
	ns->ipc = NULL;
	if (!kmb_ipc_is_init(ipc))
		WRITE_ONCE(kmb_guests, kmb_guests - 1);
	/* Maybe the last reference: the namespace is freed meanwhile. */
	kmb_ipc_put(ipc);
}

/**
 * kmb_ns_put() - drop a reference to a namespace's registry
 * @ns: the registry; its namespace is dropped with its last mailbox, and
 *	it is freed with its last reference.
 */
void kmb_ns_put(struct kmb_ns *ns)
{
	lockdep_assert_held(&kmb_registry_lock);
	if (--ns->refs)
		return;
	if (ns->ipc)
		kmb_ns_unhash(ns);
	kfree(ns);
}

/**
 * kmb_ns_first() - the first registry of kmb_nss, for the reaper and
 *	unload
 *
 * Return: a struct kmb_ns, or NULL when there is none.
 */
struct kmb_ns *kmb_ns_first(void)
{
	struct kmb_ns *ns;
	unsigned int bkt;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each(kmb_nss, bkt, ns, node)
		return ns;
	return NULL;
}

/**
 * kmb_ns_next_dead() - a registry whose IPC namespace is dead
 *
 * Return: the first registry in kmb_nss whose namespace only our own
 * reference keeps (see kmb_ns_reap()), or NULL.
 */
struct kmb_ns *kmb_ns_next_dead(void)
{
	struct kmb_ns *ns;
	unsigned int bkt;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each(kmb_nss, bkt, ns, node) {
		if (!kmb_ipc_is_init(ns->ipc) &&
		    refcount_read(&ns->ipc->ns.count) == 1)
			return ns;
	}
	return NULL;
}

struct kmb *kmb_lookup(const char *name)
{
	struct ipc_namespace *ipc = kmb_ipc_current();
	struct kmb *mb;

	lockdep_assert_held(&kmb_registry_lock);
	hash_for_each_possible(kmb_names, mb, hnode,
			       kmb_name_hash(ipc, name)) {
		if (mb->ns->ipc == ipc && !strcmp(mb->name, name))
			return mb;
	}
	return NULL;
}

/**
 * kmb_ns_live_named() - a named mailbox of a namespace not yet destroyed
 * @ns: the namespace's registry.
 *
 * Return: the first one in @ns->all (no reference taken), or NULL.
 */
struct kmb *kmb_ns_live_named(struct kmb_ns *ns)
{
	struct kmb *mb;

	lockdep_assert_held(&kmb_registry_lock);
	list_for_each_entry(mb, &ns->all, all) {
		/* kmb_destroy() sets @dead under kmb_registry_lock too. */
		if (!mb->owner && !READ_ONCE(mb->dead))
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

/*
 * Make new mailbox @mb reachable in the current IPC namespace if the
 * limits allow (-ENOSPC), or -ENOMEM; takes its ref.
 */
int kmb_link(struct kmb *mb)
{
	struct kmb_user *creator = mb->creator;
	struct kmb_ns *ns;

	lockdep_assert_held(&kmb_registry_lock);
	if (kmb_count >= READ_ONCE(kmb_max_mailboxes_total))
		return -ENOSPC;
	if (atomic_read(&creator->mailboxes) >=
	    READ_ONCE(kmb_user_mailboxes_max))
		return -ENOSPC;
	ns = kmb_ns_get_current();
	if (!ns)
		return -ENOMEM;
	if (ns->count >= READ_ONCE(kmb_max_mailboxes)) {
		/* Frees it if it was made just now. */
		ns->refs++;
		kmb_ns_put(ns);
		return -ENOSPC;
	}
	ns->count++;
	ns->refs++;
	mb->ns = ns;
	atomic_inc(&creator->mailboxes);
	kmb_count++;
	/* Ids only grow: each namespace's list stays sorted by them. */
	mb->id = ++kmb_last_id;
	list_add_tail(&mb->all, &ns->all);
	if (mb->owner)
		hash_add(kmb_directs, &mb->hnode, (unsigned long)mb->owner);
	else
		hash_add(kmb_names, &mb->hnode,
			 kmb_name_hash(ns->ipc, mb->name));
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
	mb->ns->count--;
	kmb_ns_put(mb->ns);
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
	/* As ipcperms(): root of the namespace's owning user namespace. */
	if ((granted & need) == need ||
	    ns_capable(kmb_ipc_current()->user_ns, CAP_IPC_OWNER))
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
