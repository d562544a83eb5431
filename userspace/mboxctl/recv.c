// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl recv, and the receive loop and options it shares with direct.
 */
#include "mboxctl.h"

/* Print @len bytes with non-printable ones escaped. */
static void print_escaped(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		switch (c) {
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		default:
			if (c >= 0x20 && c < 0x7f)
				putchar(c);
			else
				printf("\\x%02x", c);
		}
	}
}

/* The receive options recv and direct share; true if @opt was one. */
bool recv_option(const char *cmd, int opt, struct recv_opts *ro,
		 int *err)
{
	unsigned long v;

	*err = 0;
	switch (opt) {
	case 'c':
		if (!parse_ulong(optarg, 10, ULONG_MAX, &ro->count))
			*err = usage_error("%s: bad --count '%s'", cmd, optarg);
		return true;
	case 'f':
		if (!parse_pid(optarg, &ro->from))
			*err = usage_error("%s: bad --from '%s' (a pid)", cmd,
					   optarg);
		return true;
	case 'n':
		ro->flags |= MBOX_F_NONBLOCK;
		return true;
	case 't':
		if (!parse_ulong(optarg, 10, LONG_MAX, &v))
			*err = usage_error("%s: bad --timeout '%s'", cmd, optarg);
		ro->timeout_ms = (long)v;
		return true;
	case 'v':
		ro->verbose = true;
		return true;
	default:
		return false;
	}
}
/* Receive and print messages from @fd as @ro says; 0 or EXIT_*. */
int recv_loop(const char *cmd, const char *name, int fd,
	      const struct recv_opts *ro)
{
	enum op op = ro->from ? OP_RECV_FROM : OP_RECV;
	unsigned long got;
	struct mbox_stat st;
	bool show_prio;
	size_t size;
	char *buf;
	int ret;

	ret = mbox_stat(fd, &st);
	if (ret)
		return fail(cmd, name, OP_STAT, -ret);
	show_prio = st.delivery == MBOX_DELIVER_PRIORITY;
	if (ro->set_prio) {
		ret = mbox_set_recv_priority(fd, ro->prio);
		if (ret)
			return fail(cmd, name, OP_RECV, -ret);
	}
	size = st.msg_size_max ? st.msg_size_max : 1;
	buf = malloc(size);
	if (!buf)
		return fail(cmd, name, OP_RECV, ENOMEM);

	for (got = 0; ro->count == 0 || got < ro->count; ) {
		struct mbox_msginfo info;
		struct timespec dl;
		ssize_t n;

		if (ro->timeout_ms >= 0) {
			ret = mbox_deadline_after(&dl, ro->timeout_ms);
			if (ret) {
				ret = fail(cmd, name, op, -ret);
				break;
			}
		}
		n = mbox_receive_fromx(fd, ro->from, buf, size, ro->flags,
				       ro->timeout_ms >= 0 ? &dl : NULL, &info);
		if (n == -EMSGSIZE && info.len > size) {
			/* Cannot happen with msg_size_max bytes; be safe. */
			char *nbuf = realloc(buf, info.len);

			if (!nbuf) {
				ret = fail(cmd, name, op, ENOMEM);
				break;
			}
			buf = nbuf;
			size = info.len;
			continue;
		}
		if (n < 0) {
			ret = 0;
			/* --count 0: an empty mailbox or a timeout ends it. */
			if (ro->count == 0 &&
			    ((n == -EAGAIN && (ro->flags & MBOX_F_NONBLOCK)) ||
			     (n == -ETIMEDOUT && ro->timeout_ms >= 0)))
				break;
			if (n == -ETIMEDOUT)
				ret = fail_timeout(cmd, name, ro->timeout_ms);
			else
				ret = fail(cmd, name, op, (int)-n);
			break;
		}
		if (ro->verbose) {
			printf("[pid %d uid %u len %zu", (int)info.sender_pid,
			       (unsigned int)info.sender_uid, info.len);
			if (show_prio)
				printf(" prio %u", info.priority);
			fputs("] ", stdout);
		}
		print_escaped((const unsigned char *)buf, (size_t)n);
		putchar('\n');
		fflush(stdout);
		got++;
	}
	free(buf);
	return ret;
}

int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		RECV_LONGOPTS,
		{ "prio",     required_argument, NULL, 'p' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct recv_opts ro = { .count = 1, .timeout_ms = -1 };
	const char *name = NULL;
	int fd, opt, ret;

	while ((opt = getopt_long(argc, argv, RECV_SHORTOPTS "p:h", opts,
				  NULL)) != -1) {
		if (recv_option("recv", opt, &ro, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (opt) {
		case 'p':
			if (!parse_prio(optarg, &ro.prio))
				return usage_error("recv: bad --prio '%s' (0 to %u)",
						   optarg, MBOX_PRIO_MAX);
			ro.set_prio = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option();
		}
	}
	ret = check_wait_opts("recv", ro.flags, ro.timeout_ms);
	if (ret)
		return ret;
	ret = one_name("recv", argc, argv, &name);
	if (ret)
		return ret;

	fd = mbox_open(name, MBOX_RECV_ONLY);
	if (fd < 0)
		return fail("recv", name, OP_OPEN, -fd);
	ret = recv_loop("recv", name, fd, &ro);
	mbox_close(fd);
	return ret;
}
