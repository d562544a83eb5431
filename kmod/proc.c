// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: /proc/mailboxes, one line per live mailbox, in the
 * manner of /proc/sysvipc/msg.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"

static const char * const mbox_state_names[] = {
	[MAILBOX_STATE_LINKED] = "linked",
	[MAILBOX_STATE_UNLINKED] = "unlinked",
	[MAILBOX_STATE_DEAD] = "dead",
};

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

static int mbox_seq_show(struct seq_file *m, void *v)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct mbox *mb;
	u32 depth, swait, rwait, state;
	u64 bytes, sent, received, sblocked, rblocked;

	if (v == &mbox_all) {
		seq_puts(m, "name uid gid mode capacity msgsize depth bytes sent received sblocked rblocked swait rwait state flags\n");
		return 0;
	}
	mb = list_entry(v, struct mbox, all);

	spin_lock(&mb->lock);
	depth = mb->depth;
	bytes = mb->bytes;
	sent = mb->sent;
	received = mb->received;
	sblocked = mb->send_blocked;
	rblocked = mb->recv_blocked;
	swait = mb->nr_senders;
	rwait = mb->nr_receivers;
	state = mbox_state(mb);
	spin_unlock(&mb->lock);

	seq_escape(m, mb->name, " \t\n\\");
	seq_printf(m, " %u %u %04o %u %u %u %llu %llu %llu %llu %llu %u %u %s %s\n",
		   from_kuid_munged(ns, mb->uid), from_kgid_munged(ns, mb->gid),
		   mb->mode, mb->capacity, mb->msg_size_max, depth, bytes,
		   sent, received, sblocked, rblocked, swait, rwait,
		   mbox_state_names[state], mb->owned ? "owned" : "-");
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
