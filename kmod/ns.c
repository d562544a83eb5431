// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: IPC namespaces. Names belong to the IPC namespace of
 * the task that creates, opens or unlinks them (registry.c keeps one
 * struct kmb_ns per namespace that has mailboxes); when a namespace dies,
 * its named mailboxes die with it, here.
 */
#include <linux/ipc_namespace.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "kmailbox.h"

static void kmb_ns_reap(struct work_struct *work);

static DECLARE_DELAYED_WORK(kmb_reaper, kmb_ns_reap);

/*
 * How often the reaper looks for dead namespaces while any namespace but
 * the initial one has mailboxes.
 */
#define KMB_REAP_PERIOD	HZ

/*
 * The lifetime of a namespace's mailboxes, with the exported interface
 * only.
 *
 * ipc/ frees a namespace's message queues from free_ipc_ns(), which a
 * module cannot hook: there is no notifier for the death of an IPC
 * namespace, and put_ipc_ns() and init_ipc_ns are not exported to modules
 * on 6.1 (6.12 exports both, GPL only). What a module has is the
 * namespace's reference count, &ipc_namespace.ns.count, which the inline
 * get_ipc_ns() raises, and &ipc_namespace.ns.ops->put (ipcns_operations,
 * whose put is put_ipc_ns()), which drops it without an export. The
 * initial namespace is told by its inode number, PROC_IPC_INIT_INO.
 *
 * So each struct kmb_ns holds one reference to its namespace, taken
 * (get_ipc_ns()) when its first mailbox is linked, from the creating
 * task's nsproxy, and dropped when its last mailbox is freed or when the
 * namespace dies. Holding it is what makes the pointer a key: without it
 * the namespace could be freed and its memory reused by a new one, whose
 * tasks would then resolve names among the dead one's mailboxes.
 *
 * The namespace is dead once our reference is the only one left: every
 * way to reach an IPC namespace holds a reference of its own, each
 * nsproxy (tasks, and setns() and clone() copy from a task's), each open
 * /proc/PID/ns/ipc or nsfs file and each bind mount of one (the nsfs
 * inode's), each shm attachment (shm_file_data). With none of them left
 * nothing can make a task's nsproxy point to it again: setns() needs a
 * task or an nsfs file, and the namespace's mqueue superblock (which
 * holds no reference) only ever takes a temporary one with
 * get_ipc_ns_not_zero() and never installs it. So refcount_read() == 1
 * seen under kmb_registry_lock is final, not a race: the reaper below
 * then destroys the namespace's named mailboxes, linked or already
 * unlinked, as the death of an owned mailbox's owner does: unlinked,
 * sleepers wake with
 * -EIDRM, queued messages are freed and their bytes returned to their
 * senders' quotas. A descriptor bound to one (passed to another
 * namespace, or kept across setns()) then gets -EIDRM, as after the
 * destruction of an owned mailbox. Its direct mailboxes are left alone:
 * they die with their owner or their last descriptor, and are listed in
 * no namespace meanwhile. Then the reference is dropped through
 * ns.ops->put, which frees the namespace.
 *
 * Nothing tells us when the count falls to one, so the reaper looks
 * every KMB_REAP_PERIOD while any namespace but the initial one has
 * mailboxes (a namespace dies within a second of its last holder's
 * going), and unload (kmb_ns_exit(), then kmb_registry_exit()) frees
 * every mailbox and drops every reference that remains.
 */
static void kmb_ns_reap(struct work_struct *work)
{
	struct kmb_ns *ns;
	struct kmb *mb;
	bool again;

	mutex_lock(&kmb_registry_lock);
	while ((ns = kmb_ns_next_dead())) {
		/* Held until its mailboxes are destroyed. */
		ns->refs++;
		kmb_ns_unhash(ns);
		while ((mb = kmb_ns_live_named(ns))) {
			kref_get(&mb->ref);
			mutex_unlock(&kmb_registry_lock);
			kmb_destroy(mb, false);
			kmb_put(mb);
			cond_resched();
			mutex_lock(&kmb_registry_lock);
		}
		kmb_ns_put(ns);
	}
	again = kmb_guests;
	mutex_unlock(&kmb_registry_lock);
	if (again)
		schedule_delayed_work(&kmb_reaper, KMB_REAP_PERIOD);
}

/**
 * kmb_ns_reaper_kick() - make sure the reaper runs while it has work
 *
 * Called once a mailbox is linked; the reaper then reschedules itself
 * for as long as any namespace but the initial one has mailboxes.
 */
void kmb_ns_reaper_kick(void)
{
	if (READ_ONCE(kmb_guests))
		schedule_delayed_work(&kmb_reaper, KMB_REAP_PERIOD);
}

/**
 * kmb_ns_exit() - stop the reaper, at unload
 *
 * No descriptor is open and none can be: nothing kicks it again.
 * kmb_registry_exit() then frees what it left.
 */
void kmb_ns_exit(void)
{
	cancel_delayed_work_sync(&kmb_reaper);
}
