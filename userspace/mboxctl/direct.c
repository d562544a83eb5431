// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl direct: open this process's direct mailbox and receive from it.
 */
#include "mboxctl.h"

/* --allow PID[,PID...] into @pids; the count, or 0 if malformed. */
static size_t parse_pid_list(const char *s, pid_t *pids, size_t max)
{
	char *copy = strdup(s), *save = NULL, *tok;
	size_t n = 0;

	if (!copy)
		return 0;
	/* strtok_r would skip empty items: reject them here. */
	if (!*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		goto bad;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == max || !parse_pid(tok, &pids[n]))
			goto bad;
		n++;
	}
	free(copy);
	return n;
bad:
	free(copy);
	return 0;
}

int cmd_direct(int argc, char **argv)
{
	static const struct option opts[] = {
		RECV_LONGOPTS,
		{ "capacity", required_argument, NULL, 'C' },
		{ "msg-size", required_argument, NULL, 's' },
		{ "delivery", required_argument, NULL, 'd' },
		{ "allow",    required_argument, NULL, 'a' },
		{ "same-uid", no_argument,       NULL, 'u' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mbox_direct_attr attr = MBOX_DIRECT_ATTR_INIT;
	const struct new_opts no = {
		&attr.capacity, &attr.msg_size_max, &attr.delivery, 2, 'C',
	};
	struct recv_opts ro = { .count = 1, .timeout_ms = -1 };
	pid_t pids[MBOX_POLICY_LIST_MAX];
	char name[32];
	int fd, opt, ret;

	while ((opt = getopt_long(argc, argv, RECV_SHORTOPTS "C:s:d:a:uh",
				  opts, NULL)) != -1) {
		if (recv_option("direct", opt, &ro, &ret) ||
		    new_option("direct", opt, &no, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (opt) {
		case 'a':
			if (attr.policy != MBOX_POLICY_ANY)
				return usage_error("direct: --allow and --same-uid exclude each other, and --allow is given once");
			attr.npids = parse_pid_list(optarg, pids,
						    ARRAY_SIZE(pids));
			if (!attr.npids)
				return usage_error("direct: bad --allow '%s' (1 to %u pids, comma-separated)",
						   optarg, MBOX_POLICY_LIST_MAX);
			attr.policy = MBOX_POLICY_LIST;
			attr.pids = pids;
			break;
		case 'u':
			if (attr.policy == MBOX_POLICY_LIST)
				return usage_error("direct: --allow and --same-uid exclude each other");
			attr.policy = MBOX_POLICY_UID;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option();
		}
	}
	ret = check_wait_opts("direct", ro.flags, ro.timeout_ms);
	if (ret)
		return ret;
	if (optind < argc)
		return usage_error("direct: unexpected argument '%s'",
				   argv[optind]);

	snprintf(name, sizeof(name), "pid/%d", (int)getpid());
	fd = mbox_direct_open(&attr, 0);
	if (fd < 0)
		return fail("direct", name, OP_DIRECT, -fd);
	printf("pid %d: receiving\n", (int)getpid());
	fflush(stdout);
	ret = recv_loop("direct", name, fd, &ro);
	mbox_close(fd);
	return ret;
}
