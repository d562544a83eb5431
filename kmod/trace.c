// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel mailboxes: the tracepoints' definitions (kmailbox_trace.h), and
 * the wait and wake events around a sleep.
 */
#define CREATE_TRACE_POINTS
#include "kmailbox_trace.h"

/**
 * kmb_trace_wait() - a sender or receiver is about to sleep
 * @mb: the mailbox.
 * @op: KMB_TRACE_SEND or KMB_TRACE_RECV.
 * @len: the message's length (send) or the buffer's size (receive).
 *
 * Return: the time to pass to kmb_trace_wake(), 0 if the wake event is
 * off.
 */
u64 kmb_trace_wait(const struct kmb *mb, int op, size_t len)
{
	trace_kmailbox_wait(mb, op, len);
	return trace_kmailbox_wake_enabled() ? ktime_get_ns() : 0;
}

/**
 * kmb_trace_wake() - the sleep kmb_trace_wait() announced has ended
 * @mb: the mailbox.
 * @op: as for kmb_trace_wait().
 * @len: as for kmb_trace_wait().
 * @ret: 0, or the errno the wait ended with.
 * @since: what kmb_trace_wait() returned.
 */
void kmb_trace_wake(const struct kmb *mb, int op, size_t len, int ret,
		    u64 since)
{
	trace_kmailbox_wake(mb, op, len, ret, since ? ktime_get_ns() - since : 0);
}
