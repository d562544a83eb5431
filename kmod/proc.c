// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: /proc/mailboxes, one line per live mailbox, in the
 * manner of /proc/sysvipc/msg.
 */
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"

static const char * const mbox_state_names[] = {
	[MAILBOX_STATE_LINKED] = "linked",
	[MAILBOX_STATE_UNLINKED] = "unlinked",
	[MAILBOX_STATE_DEAD] = "dead",
};

static const char * const mbox_delivery_names[] = {
	[MAILBOX_DELIVER_QUEUE] = "queue",
	[MAILBOX_DELIVER_PRIORITY] = "priority",
	[MAILBOX_DELIVER_BROADCAST] = "broadcast",
};

/**
 * mbox_delivery_name() - how a mailbox delivers, as /proc and fdinfo say
 * @mb: the mailbox.
 *
 * Return: "queue", "priority" or "broadcast".
 */
const char *mbox_delivery_name(const struct mbox *mb)
{
	return mbox_delivery_names[mb->delivery];
}

/* Holds mbox_registry_lock from start to stop. */
static void *mbox_seq_start(struct seq_file *m, loff_t *pos)
{
	mutex_lock(&mbox_registry_lock);
	return seq_list_start_head(&mbox_all, *pos);
}

static void *mbox_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &mbox_all, pos);
}

static void mbox_seq_stop(struct seq_file *m, void *v)
{
	mutex_unlock(&mbox_registry_lock);
}

/*
 * The receive priorities of the sleeping receivers in the order they will
 * be served, and the backlog of each subscriber: comma-separated lists, or
 * "-"; no newline. Printed under the mailbox lock, which seq_printf()
 * does not mind.
 */
static void mbox_seq_lists(struct seq_file *m, struct mbox *mb)
{
	struct mbox_waiter *w;
	struct mbox_sub *sub;
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

static int mbox_seq_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	char name[MAILBOX_NAME_LEN];
	struct mbox *mb;
	u32 depth, swait, rwait, state;
	u64 bytes, sent, received, dropped, sblocked, rblocked;

	if (v == &mbox_all) {
		seq_puts(m, "name uid gid mode capacity msgsize depth bytes sent received sblocked rblocked swait rwait state flags delivery waiters backlog dropped\n");
		return 0;
	}
	mb = list_entry(v, struct mbox, all);
	mbox_name_of(mb, task_active_pid_ns(current), name, sizeof(name));

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
	state = mbox_state(mb);
	spin_unlock(&mb->lock);

	seq_escape(m, name, " \t\n\\");
	seq_printf(m, " %u %u %04o %u %u %u %llu %llu %llu %llu %llu %u %u %s %s %s",
		   from_kuid_munged(ns, mb->uid), from_kgid_munged(ns, mb->gid),
		   mb->mode, mb->capacity, mb->msg_size_max, depth, bytes,
		   sent, received, sblocked, rblocked, swait, rwait,
		   mbox_state_names[state],
		   mb->owned ? "owned" : mb->owner ? "direct" : "-",
		   mbox_delivery_name(mb));
	spin_lock(&mb->lock);
	mbox_seq_lists(m, mb);
	spin_unlock(&mb->lock);
	seq_printf(m, " %llu\n", dropped);
	return 0;
}

static const struct seq_operations mbox_seq_ops = {
	.start = mbox_seq_start,
	.next = mbox_seq_next,
	.stop = mbox_seq_stop,
	.show = mbox_seq_show,
};

/**
 * mbox_proc_init() - create /proc/mailboxes
 *
 * Return: 0 or -ENOMEM.
 */
int mbox_proc_init(void)
{
	if (!proc_create_seq("mailboxes", 0444, NULL, &mbox_seq_ops))
		return -ENOMEM;
	return 0;
}

/**
 * mbox_proc_exit() - remove /proc/mailboxes
 */
void mbox_proc_exit(void)
{
	remove_proc_entry("mailboxes", NULL);
}
