// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl send: to a named mailbox or, with --to, to a direct one.
 */
#include "mboxctl.h"

struct send_opts {
	const char *name;	/* for messages: NAME, or pid/N with --to */
	unsigned int flags;
	unsigned int prio;
	long timeout_ms;	/* < 0: none */
	pid_t to;		/* --to: direct send; 0: to NAME through fd */
	int fd;
};

/* Why the kernel said -EINVAL to a well-formed send on NAME, or NULL. */
static const char *send_einval(const struct send_opts *so)
{
	struct mbox_stat st;

	if (so->to || mbox_stat(so->fd, &st))
		return NULL;
	if (so->prio && st.delivery != MBOX_DELIVER_PRIORITY)
		return "--prio needs a mailbox created with --delivery priority";
	if ((so->flags & MBOX_F_WAIT) && st.delivery == MBOX_DELIVER_BROADCAST)
		return "--wait does not work on a broadcast mailbox";
	return NULL;
}

static int send_one(struct send_opts *so, const char *msg, size_t len)
{
	enum op op = so->to ? OP_SEND_TO :
		     so->flags & MBOX_F_WAIT ? OP_SEND_WAIT : OP_SEND;
	struct timespec dl, *dlp = NULL;
	unsigned int receivers = 1;
	pid_t receiver = 0;
	int ret;

	if (so->timeout_ms >= 0) {
		ret = mbox_deadline_after(&dl, so->timeout_ms);
		if (ret)
			return fail("send", so->name, op, -ret);
		dlp = &dl;
	}
	if (so->to)
		ret = mbox_send_tox(MBOX_ANY_FD, so->to, msg, len, so->prio,
				    so->flags, dlp, &receiver);
	else if ((so->flags & MBOX_F_WAIT) && !so->prio)
		ret = mbox_sendx(so->fd, msg, len, so->flags, dlp, &receiver);
	else
		ret = mbox_send_priox(so->fd, msg, len, so->prio, so->flags,
				      dlp, &receivers);
	if (ret == -ETIMEDOUT)
		return fail_timeout("send", so->name, so->timeout_ms);
	if (ret == -EAGAIN && !so->to && !(so->flags & MBOX_F_WAIT)) {
		struct mbox_stat st;

		/* On a rendezvous mailbox every send waits for a receiver. */
		if (!mbox_stat(so->fd, &st) && st.capacity == 0)
			return fail("send", so->name, OP_SEND_WAIT, EAGAIN);
	}
	if (ret == -EMSGSIZE && !so->to) {
		struct mbox_stat st;

		if (!mbox_stat(so->fd, &st)) {
			fprintf(stderr, "mboxctl: send '%s': %s (%zu bytes, the mailbox's msg_size_max is %u)\n",
				so->name, strerror(EMSGSIZE), len,
				st.msg_size_max);
			return EXIT_FAIL;
		}
	}
	if (ret == -EINVAL && send_einval(so)) {
		fprintf(stderr, "mboxctl: send '%s': %s (%s)\n", so->name,
			strerror(EINVAL), send_einval(so));
		return EXIT_FAIL;
	}
	if (ret)
		return fail("send", so->name, op, -ret);
	if (so->flags & MBOX_F_WAIT) {
		if (receiver)
			printf("delivered to pid %d\n", (int)receiver);
		else
			printf("delivered\n");
	}
	if (!receivers)
		fprintf(stderr, "mboxctl: send '%s': nobody receives on this broadcast mailbox: the message reached no one\n",
			so->name);
	return 0;
}

int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to",       required_argument, NULL, 'T' },
		{ "prio",     required_argument, NULL, 'p' },
		{ "nonblock", no_argument,       NULL, 'n' },
		{ "timeout",  required_argument, NULL, 't' },
		{ "wait",     no_argument,       NULL, 'w' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct send_opts so = { .timeout_ms = -1, .fd = -1 };
	char pidname[32];
	unsigned long v;
	int opt, ret = 0;

	while ((opt = getopt_long(argc, argv, "T:p:nt:wh", opts, NULL)) != -1) {
		switch (opt) {
		case 'T':
			if (!parse_pid(optarg, &so.to))
				return usage_error("send: bad --to '%s' (a pid)",
						   optarg);
			break;
		case 'p':
			if (!parse_prio(optarg, &so.prio))
				return usage_error("send: bad --prio '%s' (0 to %u)",
						   optarg, MBOX_PRIO_MAX);
			break;
		case 'n':
			so.flags |= MBOX_F_NONBLOCK;
			break;
		case 't':
			if (!parse_ulong(optarg, 10, LONG_MAX, &v))
				return usage_error("send: bad --timeout '%s'",
						   optarg);
			so.timeout_ms = (long)v;
			break;
		case 'w':
			so.flags |= MBOX_F_WAIT;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option();
		}
	}
	ret = check_wait_opts("send", so.flags, so.timeout_ms);
	if (ret)
		return ret;
	if (so.to) {
		snprintf(pidname, sizeof(pidname), "pid/%d", (int)so.to);
		so.name = pidname;
	} else {
		if (optind >= argc)
			return usage_error("send: missing mailbox NAME (or --to PID)");
		so.name = argv[optind++];
		so.fd = mbox_open(so.name, MBOX_SEND_ONLY);
		if (so.fd < 0)
			return fail("send", so.name, OP_OPEN, -so.fd);
	}

	if (optind < argc) {
		/* The remaining words, joined by single spaces. */
		size_t total = 0, off = 0;
		char *msg;

		for (int i = optind; i < argc; i++)
			total += strlen(argv[i]) + 1;
		msg = malloc(total);
		if (!msg) {
			if (so.fd >= 0)
				mbox_close(so.fd);
			return fail("send", so.name, OP_SEND, ENOMEM);
		}
		for (int i = optind; i < argc; i++) {
			size_t l = strlen(argv[i]);

			if (i > optind)
				msg[off++] = ' ';
			memcpy(msg + off, argv[i], l);
			off += l;
		}
		ret = send_one(&so, msg, off);
		free(msg);
	} else {
		/* One message per line of stdin, without its newline. */
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) >= 0) {
			if (n > 0 && line[n - 1] == '\n')
				n--;
			ret = send_one(&so, line, (size_t)n);
			if (ret)
				break;
		}
		if (!ret && ferror(stdin)) {
			fprintf(stderr, "mboxctl: send '%s': reading standard input: %s\n",
				so.name, strerror(errno));
			ret = EXIT_FAIL;
		}
		free(line);
	}
	if (so.fd >= 0)
		mbox_close(so.fd);
	return ret;
}
