// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl: reporting a failed call, with a hint at what the errno means
 * for the operation that got it.
 */
#include "mboxctl.h"

/* A short explanation of @err in the context of @op, or NULL. */
const char *hint(enum op op, int err)
{
	switch (err) {
	case ENOENT:
		if (access(MBOX_DEVICE, F_OK))
			return MBOX_DEVICE " missing: is the kmailbox module loaded?";
		return "no such mailbox";
	case EACCES:
		if (op == OP_SEND_TO)
			return "the receiver's policy refuses this sender";
		return "the mailbox's mode does not allow this access";
	case EEXIST:
		return "mailbox exists";
	case EAGAIN:
		if (op == OP_SEND || op == OP_SEND_TO)
			return "mailbox full";
		if (op == OP_SEND_WAIT)
			return "no receiver waiting";
		if (op == OP_RECV)
			return "mailbox empty";
		if (op == OP_RECV_FROM)
			return "nothing from that process is queued";
		return NULL;
	case EMSGSIZE:
		if (op == OP_SEND || op == OP_SEND_WAIT || op == OP_SEND_TO)
			return "message longer than the mailbox's msg_size_max";
		return NULL;
	case EIDRM:
		return "the mailbox was destroyed";
	case EPIPE:
		return "the direct mailbox's owner exited";
	case ESRCH:
		if (op == OP_SEND_TO)
			return "no such process, or it has no direct mailbox";
		if (op == OP_RECV_FROM)
			return "no such process, and nothing from it is queued";
		if (op == OP_DIRECT)
			return "an allowed pid names no process";
		return NULL;
	case ENOBUFS:
		return "this user's limit of queued bytes is reached";
	case ENOSPC:
		return "too many mailboxes";
	case EPERM:
		if (op == OP_UNLINK)
			return "only the owner may remove it";
		return NULL;
	case ENAMETOOLONG:
		return "names are at most 63 bytes";
	case EINVAL:
		if (op == OP_CREATE)
			return "invalid name or attributes (a broadcast mailbox needs a capacity)";
		if (op == OP_OPEN || op == OP_UNLINK || op == OP_STAT ||
		    op == OP_LIST)
			return "invalid name";
		if (op == OP_RECV_FROM)
			return "a broadcast mailbox cannot take messages from one sender";
		if (op == OP_DIRECT)
			return "invalid attributes";
		return NULL;
	case EINTR:
		return "interrupted by a signal";
	case ENOTTY:
		if (op == OP_LIST)
			return "the kmailbox module is older than 1.3: see " PROC_MAILBOXES;
		return NULL;
	default:
		return NULL;
	}
}

/* "mboxctl: CMD 'NAME': strerror (hint)" on stderr; returns EXIT_FAIL. */
int fail(const char *cmd, const char *name, enum op op, int err)
{
	const char *h = hint(op, err);

	fprintf(stderr, "mboxctl: %s '%s': %s", cmd, name, strerror(err));
	if (h)
		fprintf(stderr, " (%s)", h);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int fail_timeout(const char *cmd, const char *name, long ms)
{
	fprintf(stderr, "mboxctl: %s '%s': timed out after %ld ms\n",
		cmd, name, ms);
	return EXIT_FAIL;
}
