/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel mailboxes: tracepoints, under /sys/kernel/tracing/events/kmailbox/.
 *
 * Every event names the mailbox (pid/N for a direct one, N in the initial
 * pid namespace) and the process (thread-group id, in the initial pid
 * namespace) that the event happened to:
 *  - kmailbox_send: a message entered the kernel (before it is queued,
 *    handed to a receiver, or held by its sleeping sender); its length
 *    and priority.
 *  - kmailbox_receive: a message was copied out to its receiver; its
 *    sender, length, priority, and latency: the nanoseconds since its send.
 *  - kmailbox_wait: a sender or receiver is about to sleep; op is send or
 *    recv, len the message's length (send) or the buffer's size (recv).
 *  - kmailbox_wake: that sleep ended; ret is what the wait came to (0, or
 *    the errno the call fails with unless it is restarted), latency the
 *    nanoseconds slept (0 if the wake event was off when the wait began).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kmailbox

#if !defined(_KMAILBOX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KMAILBOX_TRACE_H

#include <linux/ktime.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>

#include "kmailbox.h"

/* Every event starts with the mailbox's name and the process's tgid. */
#define KMB_TRACE_WHO_ASSIGN(mb) do { \
	kmb_name_of(mb, &init_pid_ns, __entry->name, MAILBOX_NAME_LEN); \
	__entry->pid = current->tgid; \
} while (0)

#define kmb_show_op(op) \
	__print_symbolic(op, { KMB_TRACE_SEND, "send" }, \
			 { KMB_TRACE_RECV, "recv" })

TRACE_EVENT(kmailbox_send,
	    TP_PROTO(const struct kmb *mb, const struct kmb_msg *msg),
	    TP_ARGS(mb, msg),
	    TP_STRUCT__entry(__array(char, name, MAILBOX_NAME_LEN)
			     __field(pid_t, pid)
			     __field(u32, prio)
			     __field(size_t, len)),
	    TP_fast_assign(KMB_TRACE_WHO_ASSIGN(mb);
			   __entry->prio = msg->prio;
			   __entry->len = msg->len;),
	    TP_printk("name=%s pid=%d len=%zu prio=%u",
		      __entry->name, __entry->pid, __entry->len, __entry->prio)
);

TRACE_EVENT(kmailbox_receive,
	    TP_PROTO(const struct kmb *mb, const struct kmb_msg *msg),
	    TP_ARGS(mb, msg),
	    TP_STRUCT__entry(__array(char, name, MAILBOX_NAME_LEN)
			     __field(pid_t, pid)
			     __field(pid_t, from)
			     __field(size_t, len)
			     __field(u64, latency)
			     __field(u32, prio)),
	    TP_fast_assign(KMB_TRACE_WHO_ASSIGN(mb);
			   __entry->from = pid_nr(msg->sender);
			   __entry->len = msg->len;
			   __entry->latency = ktime_to_ns(ktime_sub(ktime_get(),
								    msg->time));
			   __entry->prio = msg->prio;),
	    TP_printk("name=%s pid=%d from=%d len=%zu prio=%u latency=%llu",
		      __entry->name, __entry->pid, __entry->from, __entry->len,
		      __entry->prio, __entry->latency)
);

TRACE_EVENT(kmailbox_wait,
	    TP_PROTO(const struct kmb *mb, int op, size_t len),
	    TP_ARGS(mb, op, len),
	    TP_STRUCT__entry(__array(char, name, MAILBOX_NAME_LEN)
			     __field(pid_t, pid)
			     __field(int, op)
			     __field(size_t, len)),
	    TP_fast_assign(KMB_TRACE_WHO_ASSIGN(mb);
			   __entry->op = op;
			   __entry->len = len;),
	    TP_printk("name=%s pid=%d op=%s len=%zu", __entry->name,
		      __entry->pid, kmb_show_op(__entry->op), __entry->len)
);

TRACE_EVENT(kmailbox_wake,
	    TP_PROTO(const struct kmb *mb, int op, size_t len, int ret,
		     u64 latency),
	    TP_ARGS(mb, op, len, ret, latency),
	    TP_STRUCT__entry(__array(char, name, MAILBOX_NAME_LEN)
			     __field(pid_t, pid)
			     __field(int, op)
			     __field(int, ret)
			     __field(size_t, len)
			     __field(u64, latency)),
	    TP_fast_assign(KMB_TRACE_WHO_ASSIGN(mb);
			   __entry->op = op;
			   __entry->ret = ret;
			   __entry->len = len;
			   __entry->latency = latency;),
	    TP_printk("name=%s pid=%d op=%s len=%zu ret=%d latency=%llu",
		      __entry->name, __entry->pid, kmb_show_op(__entry->op),
		      __entry->len, __entry->ret, __entry->latency)
);

#endif /* _KMAILBOX_TRACE_H */

/* Outside the guard: define_trace.h reads this header again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kmailbox_trace
#include <trace/define_trace.h>
