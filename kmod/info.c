// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: what userspace can read about them. /proc/mailboxes
 * (one line per live mailbox of the reader's IPC namespace, in the manner
 * of /proc/sysvipc/msg),
 * MAILBOX_IOC_STAT, MAILBOX_IOC_LIST (struct mailbox_info per mailbox, in
 * the order of their ids, resumable through a cursor) and the
 * descriptor's fdinfo.
 */
#include <linux/ipc_namespace.h>
#include <linux/minmax.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"

static const char * const kmb_state_names[] = {
	[MAILBOX_STATE_LINKED] = "linked",
	[MAILBOX_STATE_UNLINKED] = "unlinked",
	[MAILBOX_STATE_DEAD] = "dead",
};

static const char * const kmb_delivery_names[] = {
	[MAILBOX_DELIVER_QUEUE] = "queue",
	[MAILBOX_DELIVER_PRIORITY] = "priority",
	[MAILBOX_DELIVER_BROADCAST] = "broadcast",
};

/**
 * kmb_delivery_name() - how a mailbox delivers, as /proc and fdinfo say
 * @mb: the mailbox.
 *
 * Return: "queue", "priority" or "broadcast".
 */
const char *kmb_delivery_name(const struct kmb *mb)
{
	return kmb_delivery_names[mb->delivery];
}

/**
 * struct kmb_seq - an open /proc/mailboxes
 * @ipc: the IPC namespace of the task that opened it (a reference): the
 *	file lists that namespace's mailboxes, as /proc/sysvipc/msg does.
 * @head: the list being shown, between start and stop.
 */
struct kmb_seq {
	struct ipc_namespace *ipc;
	struct list_head *head;
};

/* A namespace without mailboxes lists this. */
static LIST_HEAD(kmb_none);

/* Holds kmb_registry_lock from start to stop. */
static void *kmb_seq_start(struct seq_file *m, loff_t *pos)
{
	struct kmb_seq *ks = m->private;
	struct kmb_ns *ns;

	mutex_lock(&kmb_registry_lock);
	ns = kmb_ns_find(ks->ipc);
	ks->head = ns ? &ns->all : &kmb_none;
	return seq_list_start_head(ks->head, *pos);
}

static void *kmb_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct kmb_seq *ks = m->private;

	return seq_list_next(v, ks->head, pos);
}

static void kmb_seq_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&kmb_registry_lock);
}

/*
 * The receive priorities of the sleeping receivers in the order they will
 * be served, and the backlog of each subscriber: comma-separated lists, or
 * "-"; no newline. Printed under the mailbox lock, which seq_printf()
 * does not mind.
 */
static void kmb_seq_lists(struct seq_file *m, struct kmb *mb)
{
	struct kmb_waiter *w;
	struct kmb_sub *sub;
	const char *sep = " ";

	lockdep_assert_held(&mb->lock);
	list_for_each_entry(w, &mb->receivers, node) {
		seq_printf(m, "%s%u", sep, w->prio);
		sep = ",";
	}
	seq_puts(m, *sep == ' ' ? " -" : "");
	sep = " ";
	list_for_each_entry(sub, &mb->subs, node) {
		seq_printf(m, "%s%u", sep, sub->backlog);
		sep = ",";
	}
	seq_puts(m, *sep == ' ' ? " -" : "");
}

/* The flags column of /proc/mailboxes. */
static const char *kmb_flags_name(const struct kmb *mb)
{
	if (mb->ring)
		return mb->owned ? "owned,mapped" : "mapped";
	return mb->owned ? "owned" : mb->owner ? "direct" : "-";
}

static int kmb_seq_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	char name[MAILBOX_NAME_MAX + 1];
	struct kmb *mb;
	u32 depth, swait, rwait, state;
	u64 bytes, sent, received, dropped, sblocked, rblocked;

	if (v == ((struct kmb_seq *)m->private)->head) {
		seq_puts(m, "name uid gid mode capacity msgsize depth bytes sent received sblocked rblocked swait rwait state flags delivery waiters backlog dropped\n");
		return 0;
	}
	mb = list_entry(v, struct kmb, all);
	kmb_name_of(mb, task_active_pid_ns(current), name, sizeof(name));

	spin_lock(&mb->lock);
	if (mb->ring)
		kmb_ring_look(mb);
	depth = mb->depth;
	bytes = mb->bytes;
	sent = mb->sent;
	received = mb->received;
	dropped = mb->dropped;
	sblocked = mb->send_blocked;
	rblocked = mb->recv_blocked;
	swait = mb->nr_senders;
	rwait = mb->nr_receivers;
	state = kmb_state(mb);
	spin_unlock(&mb->lock);

	seq_escape(m, name, " \t\n\\");
	seq_printf(m, " %u %u %04o %u %u %u %llu %llu %llu %llu %llu %u %u %s %s %s",
		   from_kuid_munged(ns, mb->uid), from_kgid_munged(ns, mb->gid),
		   mb->mode, mb->capacity, mb->msg_size_max, depth, bytes,
		   sent, received, sblocked, rblocked, swait, rwait,
		   kmb_state_names[state],
		   kmb_flags_name(mb),
		   kmb_delivery_name(mb));
	spin_lock(&mb->lock);
	kmb_seq_lists(m, mb);
	spin_unlock(&mb->lock);
	seq_printf(m, " %llu\n", dropped);
	return 0;
}

static const struct seq_operations kmb_seq_ops = {
	.start = kmb_seq_start,
	.next = kmb_seq_next,
	.stop = kmb_seq_stop,
	.show = kmb_seq_show,
};

static int kmb_proc_open(struct inode *inode, struct file *file)
{
	struct kmb_seq *ks;

	ks = __seq_open_private(file, &kmb_seq_ops, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	/* Dropped by kmb_proc_release(). */
	ks->ipc = get_ipc_ns(kmb_ipc_current());
	return 0;
}

static int kmb_proc_release(struct inode *inode, struct file *file)
{
	struct kmb_seq *ks = ((struct seq_file *)file->private_data)->private;

	kmb_ipc_put(ks->ipc);
	return seq_release_private(inode, file);
}

static const struct proc_ops kmb_proc_ops = {
	.proc_open = kmb_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = kmb_proc_release,
};

/**
 * kmb_proc_init() - create /proc/mailboxes
 *
 * Return: 0 or -ENOMEM.
 */
int kmb_proc_init(void)
{
	if (!proc_create("mailboxes", 0444, NULL, &kmb_proc_ops))
		return -ENOMEM;
	return 0;
}

/**
 * kmb_proc_exit() - remove /proc/mailboxes
 */
void kmb_proc_exit(void)
{
	remove_proc_entry("mailboxes", NULL);
}

/**
 * kmb_fill_info() - MAILBOX_IOC_STAT, and an entry of MAILBOX_IOC_LIST
 * @mb: the mailbox.
 * @mf: a descriptor bound to @mb, or NULL (MAILBOX_IOC_LIST): then the
 *	descriptor's own fields (access, recv_priority, backlog, and
 *	next_len on a broadcast mailbox) are 0.
 * @info: filled in.
 */
void kmb_fill_info(struct kmb *mb, const struct kmb_file *mf,
		   struct mailbox_info *info)
{
	static const struct kmb_waiter anyone;
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	struct user_namespace *ns = current_user_ns();
	struct kmb_waiter *holder;
	struct kmb_msg *next;

	memset(info, 0, sizeof(*info));
	info->flags = mb->owned ? MAILBOX_CREATE_OWNED : 0;
	if (kmb_name_of(mb, pid_ns, info->name, sizeof(info->name)) < 0)
		info->flags |= MAILBOX_INFO_NAME_LONG;
	info->mode = mb->mode;
	info->uid = from_kuid_munged(ns, mb->uid);
	info->gid = from_kgid_munged(ns, mb->gid);
	info->capacity = mb->capacity;
	info->msg_size_max = mb->msg_size_max;
	info->access = mf ? mf->access : 0;
	if (mb->owner) {
		info->flags |= MAILBOX_INFO_DIRECT;
		info->owner_pid = pid_nr_ns(mb->owner, pid_ns);
	}
	if (mb->ring)
		info->flags |= MAILBOX_INFO_MAPPED;
	info->delivery = mb->delivery;
	info->prio_max = mb->prio_max;
	info->recv_priority = mf ? READ_ONCE(mf->recv_prio) : 0;

	spin_lock(&mb->lock);
	if (mb->ring)
		kmb_ring_look(mb);
	info->state = kmb_state(mb);
	info->depth = mb->depth;
	info->bytes = mb->bytes;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST)
		next = mf && mf->subscribed ? mf->sub.next : NULL;
	else
		next = kmb_next(mb, &anyone, &holder);
	info->next_len = next ? next->len : 0;
	info->receivers_waiting = mb->nr_receivers;
	info->senders_waiting = mb->nr_senders;
	info->sent = mb->sent;
	info->received = mb->received;
	info->dropped = mb->dropped;
	info->send_blocked = mb->send_blocked;
	info->recv_blocked = mb->recv_blocked;
	info->backlog = mf && mf->subscribed ? mf->sub.backlog : 0;
	info->subscribers = mb->nr_subs;
	spin_unlock(&mb->lock);
}

/*
 * Entries filled in one pass under kmb_registry_lock and then copied out
 * without it: a copy that faults (or waits for userfaultfd) must not hold
 * the lock every create, open and close takes. 16 entries are 2.9 KiB.
 */
#define KMB_LIST_CHUNK	16

/* Is @mb listed under @name (empty: every mailbox)? */
static bool kmb_list_match(const struct kmb *mb, const char *name,
			   struct pid_namespace *ns)
{
	char shown[MAILBOX_NAME_LEN];

	if (!*name)
		return true;
	if (!mb->owner)
		return !strcmp(mb->name, name);
	return kmb_name_of(mb, ns, shown, sizeof(shown)) >= 0 &&
	       !strcmp(shown, name);
}

/*
 * One pass over the mailboxes of the caller's IPC namespace: fill @buf
 * with up to @max entries, for the mailboxes matching @name whose id is
 * at least *@cursor, and move *@cursor past each. Counts every match in
 * *@total.
 *
 * Return: the entries filled.
 */
static u32 kmb_list_pass(const char *name, u64 *cursor,
			 struct mailbox_info *buf, u32 max, u32 *total)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct kmb_ns *ipc_ns;
	struct kmb *mb;
	u32 n = 0;

	*total = 0;
	mutex_lock(&kmb_registry_lock);
	ipc_ns = kmb_ns_find(kmb_ipc_current());
	if (!ipc_ns)
		goto out;
	list_for_each_entry(mb, &ipc_ns->all, all) {
		if (!kmb_list_match(mb, name, ns))
			continue;
		(*total)++;
		if (mb->id < *cursor || n == max)
			continue;
		/* Takes the mailbox lock: after the registry lock. */
		kmb_fill_info(mb, NULL, &buf[n++]);
		*cursor = mb->id + 1;
	}
out:
	mutex_unlock(&kmb_registry_lock);
	return n;
}

/**
 * kmb_ioc_list() - MAILBOX_IOC_LIST
 * @uarg: the caller's struct mailbox_list.
 *
 * Return: 0 or a negative errno; see the uapi header.
 */
long kmb_ioc_list(struct mailbox_list __user *uarg)
{
	struct mailbox_info __user *entries;
	struct mailbox_info *buf;
	struct mailbox_list args;
	u32 done = 0, total = 0, want, n;
	u64 cursor;
	long ret = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)) ||
	    strnlen(args.name, sizeof(args.name)) == sizeof(args.name))
		return -EINVAL;

	buf = kmalloc_array(KMB_LIST_CHUNK, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	entries = u64_to_user_ptr(args.entries);
	cursor = args.cursor;
	do {
		want = min_t(u32, args.count - done, KMB_LIST_CHUNK);
		n = kmb_list_pass(args.name, &cursor, buf, want, &total);
		if (copy_to_user(entries + done, buf, n * sizeof(*buf))) {
			ret = -EFAULT;
			goto out_free;
		}
		done += n;
		cond_resched();
	} while (n && n == want && done < args.count);

	if (*args.name && !total) {
		ret = -ENOENT;
		goto out_free;
	}
	args.count = done;
	args.cursor = cursor;
	args.total = total;
	if (copy_to_user(uarg, &args, sizeof(args)))
		ret = -EFAULT;

out_free:
	kfree(buf);
	return ret;
}

/**
 * kmb_show_fdinfo() - a descriptor's lines in /proc/PID/fdinfo/FD
 * @m: the file being written.
 * @mf: the descriptor.
 */
void kmb_show_fdinfo(struct seq_file *m, struct kmb_file *mf)
{
	/* Pairs with smp_store_release() in kmb_bind(). */
	struct kmb *mb = smp_load_acquire(&mf->mbox);
	char name[MAILBOX_NAME_MAX + 1];
	u64 dropped;
	u32 backlog;

	if (!mb) {
		seq_puts(m, "mailbox:\t-\n");
		return;
	}
	kmb_name_of(mb, task_active_pid_ns(current), name, sizeof(name));
	seq_puts(m, "mailbox:\t");
	seq_escape(m, name, " \t\n\\");
	seq_printf(m, "\naccess:\t%s%s%s\nowner:\t%d\ndelivery:\t%s\nrecv_priority:\t%u\n",
		   mf->access & MAILBOX_ACCESS_SEND ? "send" : "",
		   mf->access == MAILBOX_ACCESS_ALL ? "," : "",
		   mf->access & MAILBOX_ACCESS_RECV ? "recv" : "",
		   mf->owner, kmb_delivery_name(mb), READ_ONCE(mf->recv_prio));
	spin_lock(&mb->lock);
	backlog = mf->sub.backlog;
	dropped = mb->dropped;
	spin_unlock(&mb->lock);
	if (mf->subscribed)
		seq_printf(m, "backlog:\t%u\n", backlog);
	if (mb->ring) {
		u32 role = READ_ONCE(mf->map_role);

		seq_printf(m, "map_role:\t%s\n",
			   role == MAILBOX_MAP_PRODUCER ? "producer" :
			   role == MAILBOX_MAP_CONSUMER ? "consumer" : "-");
	}
	seq_printf(m, "dropped:\t%llu\n", dropped);
}
