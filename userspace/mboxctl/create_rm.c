// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl create and mboxctl rm: make a named mailbox, remove its name.
 */
#include "mboxctl.h"

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "capacity", required_argument, NULL, 'c' },
		{ "msg-size", required_argument, NULL, 's' },
		{ "mode",     required_argument, NULL, 'm' },
		{ "delivery", required_argument, NULL, 'd' },
		{ "excl",     no_argument,       NULL, 'x' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mbox_attr attr = MBOX_ATTR_INIT;
	const char *name = NULL;
	unsigned long v;
	int flags = 0, created = 0, fd, opt, ret;

	const struct new_opts no = {
		&attr.capacity, &attr.msg_size_max, &attr.delivery, 3, 'c',
	};

	while ((opt = getopt_long(argc, argv, "c:s:m:d:xh", opts, NULL)) != -1) {
		if (new_option("create", opt, &no, &ret)) {
			if (ret)
				return ret;
			continue;
		}
		switch (opt) {
		case 'm':
			if (!parse_ulong(optarg, 8, 0777, &v))
				return usage_error("create: bad --mode '%s' (octal, at most 0777)",
						   optarg);
			attr.mode = v;
			break;
		case 'x':
			flags |= MBOX_EXCL;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option();
		}
	}
	ret = one_name("create", argc, argv, &name);
	if (ret)
		return ret;
	if (attr.delivery == MBOX_DELIVER_BROADCAST && attr.capacity == 0)
		return usage_error("create: a broadcast mailbox needs a --capacity of at least 1");

	fd = mbox_createx(name, flags, &attr, &created);
	if (fd < 0)
		return fail("create", name, OP_CREATE, -fd);
	mbox_close(fd);
	if (!created)
		fprintf(stderr, "mboxctl: create '%s': mailbox exists, left unchanged\n",
			name);
	return 0;
}

int cmd_rm(int argc, char **argv)
{
	const char *name = NULL;
	int opt, ret;

	while ((opt = getopt(argc, argv, "h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		return bad_option();
	}
	ret = one_name("rm", argc, argv, &name);
	if (ret)
		return ret;
	ret = mbox_unlink(name);
	if (ret)
		return fail("rm", name, OP_UNLINK, -ret);
	return 0;
}
