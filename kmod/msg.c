// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: messages. Copying one in and freeing it, the queue
 * of a mailbox (one list per priority), what a receiver learns of a
 * message, and the clock conversions between the caller's time namespace
 * and the host's.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/time_namespace.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "kmailbox.h"

/*
 * The slab caches of messages whose header and payload take at most
 * KMB_CLASS_MAX bytes: one per size class (see kmb_msg_class()), created
 * at load and destroyed at unload, once every message is freed. Each is
 * SLAB_ACCOUNT, so that the memory cgroup of the sender pays as it would
 * for kvmalloc(GFP_KERNEL_ACCOUNT), and lets only the payload be copied
 * to and from userspace (hardened usercopy).
 */
static struct kmem_cache *kmb_msg_caches[KMB_CLASSES];

/**
 * kmb_msg_caches_init() - create the message caches, at load
 *
 * Return: 0 or -ENOMEM.
 */
int kmb_msg_caches_init(void)
{
	char name[32];
	unsigned int data = offsetof(struct kmb_msg, data);
	size_t size;
	int i;

	for (i = 0; i < KMB_CLASSES; i++) {
		size = kmb_class_size(i);
		snprintf(name, sizeof(name), "kmailbox_msg-%zu", size);
		kmb_msg_caches[i] = kmem_cache_create_usercopy(name, size, 0,
							       SLAB_ACCOUNT,
							       data,
							       size - data,
							       NULL);
		if (!kmb_msg_caches[i])
			goto err;
	}
	return 0;

err:
	while (i--)
		kmem_cache_destroy(kmb_msg_caches[i]);
	return -ENOMEM;
}

/**
 * kmb_msg_caches_exit() - destroy the message caches, at unload, once
 * every message is freed
 */
void kmb_msg_caches_exit(void)
{
	int i;

	for (i = 0; i < KMB_CLASSES; i++)
		kmem_cache_destroy(kmb_msg_caches[i]);
}

/* Free the memory of a message of @len payload bytes. */
static void kmb_msg_kfree(struct kmb_msg *msg, u32 len)
{
	int class = kmb_msg_class(struct_size(msg, data, len));

	if (class >= 0)
		kmem_cache_free(kmb_msg_caches[class], msg);
	else
		kvfree(msg);
}

/* Set up the header of a message copied in. */
static void kmb_msg_init(struct kmb_msg *msg, struct kmb_user *user,
			 struct pid *sender, ktime_t time, u32 len, u32 prio)
{
	msg->len = len;
	msg->sender = sender;
	msg->time = time;
	msg->user = user;
	msg->sync = NULL;	/* and pending, copying: 0 */
	msg->holder = NULL;
	RB_CLEAR_NODE(&msg->by_sender);
	INIT_LIST_HEAD(&msg->same);
	msg->prio = prio;
}

/*
 * The memory of a message of @len payload bytes, uninitialised: from its
 * slab cache, or kvmalloc() above KMB_CLASS_MAX; kmb_msg_kfree() frees it.
 */
static struct kmb_msg *kmb_msg_kalloc(u32 len)
{
	size_t size = struct_size((struct kmb_msg *)NULL, data, len);
	int class = kmb_msg_class(size);

	if (class >= 0)
		return kmem_cache_alloc(kmb_msg_caches[class],
					GFP_KERNEL | __GFP_NOWARN);
	return kvmalloc(size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
}

/*
 * Copy a message in, charged to the caller's euid (kmb_user_current()):
 * from its slab cache, or kvmalloc() above KMB_CLASS_MAX, of the size
 * kmb_msg_charge() charges.
 */
struct kmb_msg *kmb_msg_alloc(struct kmb_file *mf,
			      const void __user *buf, u32 len, u32 prio)
{
	struct kmb_user *user;
	struct kmb_msg *msg;
	int ret;

	user = kmb_user_current(mf);
	if (!user)
		return ERR_PTR(-ENOMEM);
	ret = kmb_user_charge_msg(user, len);
	if (ret)
		goto err_put;

	msg = kmb_msg_kalloc(len);
	if (!msg) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	if (copy_from_user(msg->data, buf, len)) {
		ret = -EFAULT;
		goto err_free;
	}
	kmb_msg_init(msg, user, get_pid(task_tgid(current)), ktime_get(), len,
		     prio);
	return msg;

err_free:
	kmb_msg_kfree(msg, len);
err_uncharge:
	kmb_user_uncharge_msg(user, len);
err_put:
	kmb_user_put(user);
	return ERR_PTR(ret);
}

/**
 * kmb_msg_free() - free a message and what it holds
 * @msg: the message, in no list.
 */
void kmb_msg_free(struct kmb_msg *msg)
{
	kmb_user_uncharge_msg(msg->user, msg->len);
	kmb_user_put(msg->user);
	put_pid(msg->sender);
	kmb_msg_kfree(msg, msg->len);
}

/* The slab class of entry @e's message, or -1 (kvmalloc()). */
static int kmb_entry_class(const struct mailbox_vec_entry *e)
{
	return kmb_msg_class(struct_size((struct kmb_msg *)NULL, data, e->len));
}

/*
 * Allocate the messages of entries @e[0..@n) into @msgs: a run of one
 * size class with one kmem_cache_alloc_bulk(), which charges the memory
 * cgroup for the cache's SLAB_ACCOUNT as kmem_cache_alloc() does (on 6.1
 * in its pre-allocation hook, on 6.12 in its post-allocation hook) and
 * allocates all or nothing. Returns the index of the first entry left
 * without one (@n when none).
 */
static u32 kmb_msgs_kalloc(const struct mailbox_vec_entry *e,
			   struct kmb_msg **msgs, u32 n)
{
	u32 i, j;
	int class;

	for (i = 0; i < n; i = j) {
		class = kmb_entry_class(&e[i]);
		if (class < 0) {
			msgs[i] = kmb_msg_kalloc(e[i].len);
			if (!msgs[i])
				break;
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && kmb_entry_class(&e[j]) == class; j++)
			;
		if (!kmem_cache_alloc_bulk(kmb_msg_caches[class],
					   GFP_KERNEL | __GFP_NOWARN, j - i,
					   (void **)&msgs[i]))
			break;
	}
	return i;
}

/**
 * kmb_msgs_alloc() - copy in the messages of a MAILBOX_IOC_SENDV
 * @mf: the descriptor it acts through.
 * @e: the entries, each checked (@len at most the mailbox's msg_size_max,
 *	a valid priority).
 * @msgs: filled with the messages copied in.
 * @n: entries in @e.
 * @err: set to the error of the first entry not copied in.
 *
 * Does what kmb_msg_alloc() would for each entry in turn, stopping at the
 * first that fails (-ENOBUFS over the quota, -ENOMEM, -EFAULT), with the
 * per-message work done once for the batch: one charge of the sum to the
 * quota (one by one only when it does not fit, to find where the batch
 * stops, as one by one would), the slab objects of a size class taken at
 * once, the references to the user and the sender taken in one add each,
 * and one send time for all (see MAILBOX_IOC_SENDV).
 *
 * Return: the messages copied in, @msgs[0..return); 0 with nothing
 * changed.
 */
u32 kmb_msgs_alloc(struct kmb_file *mf, const struct mailbox_vec_entry *e,
		   struct kmb_msg **msgs, u32 n, int *err)
{
	struct kmb_user *user;
	struct pid *sender;
	size_t charge = 0, c;
	u32 i, got, k;
	ktime_t now;

	user = kmb_user_current(mf);
	if (!user) {
		*err = -ENOMEM;
		return 0;
	}
	for (i = 0; i < n; i++)
		charge += kmb_msg_charge(e[i].len);
	if (kmb_user_charge(user, charge)) {
		/* Over the quota: stop where one by one would. */
		for (i = 0; i < n; i++)
			if (kmb_user_charge(user, kmb_msg_charge(e[i].len)))
				break;
		n = i;
		*err = -ENOBUFS;
	}

	got = kmb_msgs_kalloc(e, msgs, n);
	if (got < n)
		*err = -ENOMEM;
	for (k = 0; k < got; k++) {
		if (copy_from_user(msgs[k]->data, u64_to_user_ptr(e[k].buf),
				   e[k].len)) {
			*err = -EFAULT;
			break;
		}
	}
	/* Give back what entries k.. took. */
	for (i = k; i < got; i++)
		kmb_msg_kfree(msgs[i], e[i].len);
	for (c = 0, i = k; i < n; i++)
		c += kmb_msg_charge(e[i].len);
	if (c)
		kmb_user_uncharge(user, c);
	if (!k) {
		kmb_user_put(user);
		return 0;
	}

	/* One reference to each per message: kmb_msg_free() puts them. */
	refcount_add(k - 1, &user->refs);
	sender = task_tgid(current);
	refcount_add(k, &sender->count);
	now = ktime_get();
	for (i = 0; i < k; i++)
		kmb_msg_init(msgs[i], user, sender, now, e[i].len,
			     e[i].priority);
	return k;
}

/* Drop @n references to @user at once, holding at least @n. */
static void kmb_user_put_many(struct kmb_user *user, u32 n)
{
	WARN_ON_ONCE(refcount_sub_and_test(n - 1, &user->refs));
	kmb_user_put(user);
}

/* Drop @n references to @pid at once, holding at least @n. */
static void kmb_put_pid_many(struct pid *pid, u32 n)
{
	if (!pid)
		return;
	WARN_ON_ONCE(refcount_sub_and_test(n - 1, &pid->count));
	put_pid(pid);
}

/**
 * kmb_msgs_free() - free an array of messages, as kmb_msg_free() each
 * @msgs: the messages, in no list; the array's contents are lost.
 * @n: how many.
 *
 * A run of messages of one user is uncharged in one subtraction and its
 * references dropped in one, a run of one sender likewise, and a run of
 * one size class freed with one kmem_cache_free_bulk() (which uncharges
 * the memory cgroup as kmem_cache_free() does).
 */
void kmb_msgs_free(struct kmb_msg **msgs, u32 n)
{
	struct kmb_user *user;
	struct pid *sender;
	size_t charge;
	u32 i, j;
	int class;

	for (i = 0; i < n; i = j) {
		user = msgs[i]->user;
		charge = 0;
		for (j = i; j < n && msgs[j]->user == user; j++)
			charge += kmb_msg_charge(msgs[j]->len);
		kmb_user_uncharge(user, charge);
		kmb_user_put_many(user, j - i);
	}
	for (i = 0; i < n; i = j) {
		sender = msgs[i]->sender;
		for (j = i + 1; j < n && msgs[j]->sender == sender; j++)
			;
		kmb_put_pid_many(sender, j - i);
	}
	for (i = 0; i < n; i = j) {
		class = kmb_msg_class(struct_size(msgs[i], data, msgs[i]->len));
		if (class < 0) {
			kvfree(msgs[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n &&
		     kmb_msg_class(struct_size(msgs[j], data, msgs[j]->len)) ==
		     class; j++)
			;
		kmem_cache_free_bulk(kmb_msg_caches[class], j - i,
				     (void **)&msgs[i]);
	}
}

/**
 * kmb_free_msgs() - free a list of messages no longer in any mailbox
 * @msgs: the list; left empty.
 */
void kmb_free_msgs(struct list_head *msgs)
{
	struct kmb_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, msgs, node) {
		list_del(&msg->node);
		kmb_msg_free(msg);
	}
}

/* The bytes of a wide mailbox's table: see kmb_wide(). */
static size_t kmb_wide_size(const struct kmb *mb)
{
	size_t levels = (size_t)mb->prio_max + 1;
	size_t words = BITS_TO_LONGS(levels);

	return levels * sizeof(struct kmb_msg *) +
	       (words + BITS_TO_LONGS(words)) * sizeof(unsigned long);
}

/**
 * kmb_wide_alloc() - give a new wide priority mailbox its table of levels
 * @mb: the mailbox, not linked yet, its prio_max set.
 *
 * The table (see kmb_wide()) is charged to @mb's creator until
 * kmb_wide_free(). Nothing is done for a mailbox that is not wide.
 *
 * Return: 0, -ENOBUFS (over the creator's user_bytes_max) or -ENOMEM; on
 * failure nothing is allocated or charged.
 */
int kmb_wide_alloc(struct kmb *mb)
{
	size_t levels = (size_t)mb->prio_max + 1;
	size_t size;
	void *table;
	int ret;

	if (!kmb_wide(mb))
		return 0;
	size = kmb_wide_size(mb);
	ret = kmb_user_charge(mb->creator, size);
	if (ret)
		return ret;
	table = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!table) {
		kmb_user_uncharge(mb->creator, size);
		return -ENOMEM;
	}
	mb->wide_tail = table;
	mb->wide_map = (unsigned long *)(mb->wide_tail + levels);
	mb->wide_sum = mb->wide_map + BITS_TO_LONGS(levels);
	return 0;
}

/**
 * kmb_wide_free() - free a mailbox's table of levels, if it has one
 * @mb: the mailbox, being freed.
 */
void kmb_wide_free(struct kmb *mb)
{
	if (!mb->wide_tail)
		return;
	kvfree(mb->wide_tail);
	mb->wide_tail = NULL;
	kmb_user_uncharge(mb->creator, kmb_wide_size(mb));
}

/*
 * The nearest priority above @prio that wide mailbox @mb has a message of,
 * or -1: one word of &struct kmb.wide_map, then its summary.
 */
static int kmb_wide_above(const struct kmb *mb, u32 prio)
{
	unsigned int words = BITS_TO_LONGS(mb->prio_max + 1);
	unsigned int w = prio / BITS_PER_LONG;
	unsigned long bits;

	bits = mb->wide_map[w] & (~1UL << (prio % BITS_PER_LONG));
	if (!bits) {
		w = find_next_bit(mb->wide_sum, words, w + 1);
		if (w >= words)
			return -1;
		bits = mb->wide_map[w];
	}
	return w * BITS_PER_LONG + __ffs(bits);
}

/*
 * Queue @msg in wide mailbox @mb (see kmb_wide()), last or first (@head).
 * Not inlined, nor is kmb_wide_dequeue(): kmb_enqueue() and kmb_dequeue()
 * of a 32-level mailbox keep the registers and instructions they had.
 */
static noinline void kmb_wide_enqueue(struct kmb *mb,
				      struct kmb_msg *msg, bool head)
{
	struct kmb_msg **tail = &mb->wide_tail[msg->prio];
	int above;

	if (*tail && !head) {
		list_add(&msg->node, &(*tail)->node);
		*tail = msg;
		return;
	}
	above = kmb_wide_above(mb, msg->prio);
	list_add(&msg->node, above < 0 ? &mb->msgs[0] :
				 &mb->wide_tail[above]->node);
	if (!*tail) {
		*tail = msg;
		__set_bit(msg->prio, mb->wide_map);
		__set_bit(msg->prio / BITS_PER_LONG, mb->wide_sum);
	}
}

/* Take @msg out of wide mailbox @mb's list (see kmb_wide()). */
static noinline void kmb_wide_dequeue(struct kmb *mb, struct kmb_msg *msg)
{
	u32 prio = msg->prio;
	struct kmb_msg *prev;

	if (mb->wide_tail[prio] == msg) {
		prev = list_prev_entry(msg, node);
		if (&prev->node != &mb->msgs[0] && prev->prio == prio) {
			mb->wide_tail[prio] = prev;
		} else {
			mb->wide_tail[prio] = NULL;
			__clear_bit(prio, mb->wide_map);
			if (!mb->wide_map[prio / BITS_PER_LONG])
				__clear_bit(prio / BITS_PER_LONG, mb->wide_sum);
		}
	}
	list_del(&msg->node);
}

/**
 * kmb_enqueue() - queue a message
 * @mb: the mailbox; its lock is held.
 * @msg: the message.
 * @head: put it first among its priority, not last.
 */
void kmb_enqueue(struct kmb *mb, struct kmb_msg *msg, bool head)
{
	struct list_head *list;
	unsigned int level = msg->prio;

	lockdep_assert_held(&mb->lock);
	if (unlikely(kmb_wide(mb))) {
		level = 0;
		kmb_wide_enqueue(mb, msg, head);
	} else {
		list = &mb->msgs[level];
		if (head)
			list_add(&msg->node, list);
		else
			list_add_tail(&msg->node, list);
	}
	if (mb->indexed)
		kmb_index_add(&mb->queued_by, msg, head);
	__set_bit(level, &mb->prio_map);
	mb->depth++;
	mb->bytes += msg->len;
}

/**
 * kmb_dequeue() - take a message out of the queue
 * @mb: the mailbox; its lock is held.
 * @msg: a queued message.
 */
void kmb_dequeue(struct kmb *mb, struct kmb_msg *msg)
{
	lockdep_assert_held(&mb->lock);
	if (unlikely(kmb_wide(mb))) {
		kmb_wide_dequeue(mb, msg);
		if (list_empty(&mb->msgs[0]))
			__clear_bit(0, &mb->prio_map);
	} else {
		list_del(&msg->node);
		if (list_empty(&mb->msgs[msg->prio]))
			__clear_bit(msg->prio, &mb->prio_map);
	}
	if (mb->indexed)
		kmb_index_del(&mb->queued_by, msg);
	mb->depth--;
	mb->bytes -= msg->len;
}

/*
 * CLOCK_MONOTONIC of the caller's time namespace (what userspace reads and
 * writes) from and to the host's (what the kernel sleeps on). The helpers
 * of <linux/time_namespace.h> that do this for ktime_t are not exported.
 */
static ktime_t kmb_timens_offset(void)
{
	struct timespec64 zero = { 0, 0 };

	timens_add_monotonic(&zero);
	return timespec64_to_ktime(zero);
}

/* @t is at most KTIME_MAX; the result is clamped to [0, KTIME_MAX]. */
ktime_t kmb_time_from_user(ktime_t t)
{
	ktime_t offset = kmb_timens_offset();

	if (offset >= 0)
		return t < offset ? 0 : t - offset;
	return t > KTIME_MAX + offset ? KTIME_MAX : t - offset;
}

/*
 * The offset added, not the timespec64 converted: no division on every
 * receive.
 */
static u64 kmb_time_to_user(ktime_t t)
{
	return t + kmb_timens_offset();
}

/**
 * kmb_fill_recv() - describe a message to its receiver
 * @args: filled: len, sender_pid, sender_uid, priority and send_time_ns.
 * @msg: the message.
 */
void kmb_fill_recv(struct mailbox_recv *args, const struct kmb_msg *msg)
{
	args->len = msg->len;
	args->sender_pid = pid_vnr(msg->sender);
	args->sender_uid = from_kuid_munged(current_user_ns(), msg->user->uid);
	args->priority = msg->prio;
	args->send_time_ns = kmb_time_to_user(msg->time);
}

/**
 * kmb_fill_vec_meta() - describe a message to a MAILBOX_VEC_META receiver
 * @meta: filled, as kmb_fill_recv() fills the same fields.
 * @msg: the message.
 */
void kmb_fill_vec_meta(struct mailbox_vec_meta *meta,
		       const struct kmb_msg *msg)
{
	meta->sender_pid = pid_vnr(msg->sender);
	meta->sender_uid = from_kuid_munged(current_user_ns(), msg->user->uid);
	meta->send_time_ns = kmb_time_to_user(msg->time);
}

/**
 * kmb_copy_out() - copy a message and its description to its receiver,
 * with page faults disabled
 * @args: the receive's arguments, filled by kmb_fill_recv().
 * @uarg: where the results go.
 * @msg: the message, held by the caller.
 *
 * With page faults disabled the copy never sleeps: it is a memcpy of at
 * most msg_size_max bytes, whatever the receiver's memory is. A sender
 * that waits for delivery may be waiting for its end (KMB_TAKEN, see
 * kmb_sleep()), and a page whose fault never completes (userfaultfd, a
 * FUSE mapping that never answers) must not make it wait longer.
 *
 * Return: 0, or -EFAULT when a page was missing or not writable: the
 * caller then puts @msg back and calls kmb_fault_in().
 */
int kmb_copy_out(struct mailbox_recv *args, struct mailbox_recv __user *uarg,
		 const struct kmb_msg *msg)
{
	unsigned long left;

	pagefault_disable();
	left = copy_to_user(u64_to_user_ptr(args->buf), msg->data, msg->len);
	if (!left)
		left = copy_to_user(uarg, args, sizeof(*args));
	pagefault_enable();
	return left ? -EFAULT : 0;
}

/**
 * kmb_fault_in() - fault in a receiver's buffer and results
 * @args: the receive's arguments.
 * @uarg: where the results go.
 * @len: the length of the message kmb_copy_out() could not copy.
 *
 * Called after a failed kmb_copy_out(), holding no message and no lock:
 * the faults may take as long as they take (a receiver stalls only
 * itself). Nothing is written: fault_in_writeable() would store a zero in
 * each page, the first byte of @uarg among them.
 *
 * Return: 0 to receive again, -EFAULT when the memory cannot be written
 * (or the task is being killed).
 */
int kmb_fault_in(const struct mailbox_recv *args,
		 struct mailbox_recv __user *uarg, size_t len)
{
	if (fault_in_safe_writeable(u64_to_user_ptr(args->buf), len) ||
	    fault_in_safe_writeable((const char __user *)uarg, sizeof(*args)))
		return -EFAULT;
	cond_resched();
	return 0;
}
