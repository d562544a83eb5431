// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: what userspace can read about them. /proc/mailboxes
 * (one line per live mailbox, in the manner of /proc/sysvipc/msg),
 * MAILBOX_IOC_STAT and the descriptor's fdinfo.
 */
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
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

/* Holds kmb_registry_lock from start to stop. */
static void *kmb_seq_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&kmb_registry_lock);
	return seq_list_start_head(&kmb_all, *pos);
}

static void *kmb_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &kmb_all, pos);
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

static int kmb_seq_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	char name[MAILBOX_NAME_LEN];
	struct kmb *mb;
	u32 depth, swait, rwait, state;
	u64 bytes, sent, received, dropped, sblocked, rblocked;

	if (v == &kmb_all) {
		seq_puts(m, "name uid gid mode capacity msgsize depth bytes sent received sblocked rblocked swait rwait state flags delivery waiters backlog dropped\n");
		return 0;
	}
	mb = list_entry(v, struct kmb, all);
	kmb_name_of(mb, task_active_pid_ns(current), name, sizeof(name));

	spin_lock(&mb->lock);
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
		   mb->owned ? "owned" : mb->owner ? "direct" : "-",
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

/**
 * kmb_proc_init() - create /proc/mailboxes
 *
 * Return: 0 or -ENOMEM.
 */
int kmb_proc_init(void)
{
	if (!proc_create_seq("mailboxes", 0444, NULL, &kmb_seq_ops))
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
 * kmb_fill_info() - MAILBOX_IOC_STAT
 * @mf: a bound descriptor.
 * @info: filled in.
 */
void kmb_fill_info(struct kmb_file *mf, struct mailbox_info *info)
{
	static const struct kmb_waiter anyone;
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	struct user_namespace *ns = current_user_ns();
	struct kmb *mb = mf->mbox;
	struct kmb_waiter *holder;
	struct kmb_msg *next;

	memset(info, 0, sizeof(*info));
	kmb_name_of(mb, pid_ns, info->name, sizeof(info->name));
	info->mode = mb->mode;
	info->uid = from_kuid_munged(ns, mb->uid);
	info->gid = from_kgid_munged(ns, mb->gid);
	info->capacity = mb->capacity;
	info->msg_size_max = mb->msg_size_max;
	info->access = mf->access;
	info->flags = mb->owned ? MAILBOX_CREATE_OWNED : 0;
	if (mb->owner) {
		info->flags |= MAILBOX_INFO_DIRECT;
		info->owner_pid = pid_nr_ns(mb->owner, pid_ns);
	}
	info->delivery = mb->delivery;
	info->recv_priority = READ_ONCE(mf->recv_prio);

	spin_lock(&mb->lock);
	info->state = kmb_state(mb);
	info->depth = mb->depth;
	info->bytes = mb->bytes;
	if (mb->delivery == MAILBOX_DELIVER_BROADCAST)
		next = mf->subscribed ? mf->sub.next : NULL;
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
	info->backlog = mf->subscribed ? mf->sub.backlog : 0;
	info->subscribers = mb->nr_subs;
	spin_unlock(&mb->lock);
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
	char name[MAILBOX_NAME_LEN];
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
	seq_printf(m, "dropped:\t%llu\n", dropped);
}
