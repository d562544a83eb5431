// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the sender index of a queue or priority mailbox's
 * messages, keyed by (sender, priority), through which a receive that
 * filters by sender finds its message; see above struct kmb_msg in
 * kmailbox.h. The caller holds the mailbox lock.
 */
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rbtree.h>

#include "kmailbox.h"

/* Order of the sender index: pid, then prio. */
static int kmb_index_cmp(const struct pid *pid, u32 prio,
			 const struct kmb_msg *msg)
{
	if (pid != msg->sender)
		return (unsigned long)pid < (unsigned long)msg->sender ? -1 : 1;
	if (prio != msg->prio)
		return prio < msg->prio ? -1 : 1;
	return 0;
}

/**
 * kmb_index_add() - add a message to a sender index
 * @root: the index.
 * @msg: the message, in no index.
 * @first: put it before the messages of its sender and priority, not
 *	after them.
 *
 * O(log S).
 */
void kmb_index_add(struct rb_root *root, struct kmb_msg *msg, bool first)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;
	struct kmb_msg *oldest;
	int cmp;

	while (*link) {
		parent = *link;
		oldest = rb_entry(parent, struct kmb_msg, by_sender);
		cmp = kmb_index_cmp(msg->sender, msg->prio, oldest);
		if (cmp < 0) {
			link = &parent->rb_left;
		} else if (cmp > 0) {
			link = &parent->rb_right;
		} else {
			/* The ring's last is just before its oldest. */
			list_add_tail(&msg->same, &oldest->same);
			if (first) {
				rb_replace_node(parent, &msg->by_sender, root);
				RB_CLEAR_NODE(parent);
			}
			return;
		}
	}
	INIT_LIST_HEAD(&msg->same);
	rb_link_node(&msg->by_sender, parent, link);
	rb_insert_color(&msg->by_sender, root);
}

/**
 * kmb_index_del() - take a message out of a sender index
 * @root: the index.
 * @msg: a message in it.
 *
 * O(1), or O(log S) if it was the last of its key.
 */
void kmb_index_del(struct rb_root *root, struct kmb_msg *msg)
{
	struct kmb_msg *next;

	if (!RB_EMPTY_NODE(&msg->by_sender)) {
		if (list_empty(&msg->same)) {
			rb_erase(&msg->by_sender, root);
		} else {
			next = list_next_entry(msg, same);
			rb_replace_node(&msg->by_sender, &next->by_sender,
					root);
		}
		RB_CLEAR_NODE(&msg->by_sender);
	}
	list_del_init(&msg->same);
}

/**
 * kmb_index_build() - index a mailbox's messages by sender, at its first
 * receive that filters by sender
 * @mb: a queue or priority mailbox, not yet indexed; its lock is held.
 *
 * Its queued messages, oldest first within each priority, then those of
 * its sleeping senders, oldest first: the order the indexes keep. From
 * now on every message is indexed as it comes and goes. O(N log S) once,
 * N being the messages.
 */
void kmb_index_build(struct kmb *mb)
{
	struct kmb_waiter *s;
	struct kmb_msg *msg;
	unsigned int prio;

	lockdep_assert_held(&mb->lock);
	for (prio = 0; prio <= MAILBOX_PRIO_MAX; prio++)
		list_for_each_entry(msg, &mb->msgs[prio], node)
			kmb_index_add(&mb->queued_by, msg, false);
	list_for_each_entry(s, &mb->senders, node)
		kmb_index_add(&mb->sleeping_by, s->msg, false);
	mb->indexed = true;
}

/**
 * kmb_index_first() - the next message of one sender
 * @root: the index.
 * @pid: the sender.
 *
 * Return: the oldest message of the highest priority that @pid has in
 * @root, or NULL: the rightmost node of @pid. O(log S).
 */
struct kmb_msg *kmb_index_first(const struct rb_root *root,
				const struct pid *pid)
{
	struct rb_node *node = root->rb_node;
	struct kmb_msg *msg, *best = NULL;

	while (node) {
		msg = rb_entry(node, struct kmb_msg, by_sender);
		if (pid == msg->sender) {
			best = msg;
			node = node->rb_right;
		} else if ((unsigned long)pid < (unsigned long)msg->sender) {
			node = node->rb_left;
		} else {
			node = node->rb_right;
		}
	}
	return best;
}

/**
 * kmb_index_first_nr() - the next message of a sender that has exited
 * @root: the index.
 * @nr: the number the sender had in @ns, which no process has now.
 * @ns: the receiver's pid namespace.
 *
 * As kmb_index_first(), by a walk over the keys: O(S). Two exited senders
 * that had the same number are told apart by send time.
 *
 * Return: the message, or NULL.
 */
struct kmb_msg *kmb_index_first_nr(const struct rb_root *root, pid_t nr,
				   struct pid_namespace *ns)
{
	struct kmb_msg *msg, *best = NULL;
	struct rb_node *node;

	for (node = rb_first(root); node; node = rb_next(node)) {
		msg = rb_entry(node, struct kmb_msg, by_sender);
		if (pid_nr_ns(msg->sender, ns) != nr)
			continue;
		if (!best || msg->prio > best->prio ||
		    (msg->prio == best->prio && msg->time < best->time))
			best = msg;
	}
	return best;
}
