// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl: parsing the arguments the subcommands share (numbers, pids,
 * priorities, delivery modes, the NAME operand, the options of a new
 * mailbox).
 */
#include "mboxctl.h"

static const char *const delivery_names[] = {
	[MBOX_DELIVER_QUEUE] = "queue",
	[MBOX_DELIVER_PRIORITY] = "priority",
	[MBOX_DELIVER_BROADCAST] = "broadcast",
};

const char *delivery_name(unsigned int delivery)
{
	if (delivery < ARRAY_SIZE(delivery_names))
		return delivery_names[delivery];
	return "unknown";
}

/* --delivery WORD, of the first @n modes; false if not one of them. */
bool parse_delivery(const char *s, unsigned int n, unsigned int *out)
{
	for (unsigned int d = 0; d < n && d < ARRAY_SIZE(delivery_names); d++) {
		if (!strcmp(s, delivery_names[d])) {
			*out = d;
			return true;
		}
	}
	return false;
}

/* Parse an unsigned number in @base up to @max; false if malformed. */
bool parse_ulong(const char *s, int base, unsigned long max,
		 unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}
/*
 * The options create and direct share: --capacity, --msg-size, --delivery.
 * True if @opt was one; *@ret is then 0 or a usage error's exit status.
 */
bool new_option(const char *cmd, int opt, const struct new_opts *no,
		int *ret)
{
	unsigned long v;

	*ret = 0;
	if (opt == no->capacity_opt) {
		if (!parse_ulong(optarg, 10, UINT_MAX, &v))
			*ret = usage_error("%s: bad --capacity '%s'", cmd, optarg);
		else
			*no->capacity = v;
	} else if (opt == 's') {
		if (!parse_ulong(optarg, 10, UINT_MAX, &v) || !v)
			*ret = usage_error("%s: bad --msg-size '%s'", cmd, optarg);
		else
			*no->msg_size = v;
	} else if (opt == 'd') {
		if (!parse_delivery(optarg, no->ndelivery, no->delivery))
			*ret = usage_error("%s: bad --delivery '%s' (%s)", cmd, optarg,
					   no->ndelivery == 3 ?
					   "queue, priority or broadcast" :
					   "queue or priority");
	} else {
		return false;
	}
	return true;
}
/* --nonblock and --timeout exclude each other: 0, or a usage error. */
int check_wait_opts(const char *cmd, unsigned int flags, long timeout_ms)
{
	if ((flags & MBOX_F_NONBLOCK) && timeout_ms >= 0)
		return usage_error("%s: --nonblock and --timeout exclude each other",
				   cmd);
	return 0;
}

/* The one NAME operand of a command; usage error if missing or extra. */
int one_name(const char *cmd, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return usage_error("%s: missing mailbox NAME", cmd);
	if (optind + 1 < argc)
		return usage_error("%s: unexpected argument '%s'", cmd,
				   argv[optind + 1]);
	*name = argv[optind];
	return 0;
}

/* A pid operand: 1 up to INT_MAX; false if malformed. */
bool parse_pid(const char *s, pid_t *out)
{
	unsigned long v;

	if (!parse_ulong(s, 10, INT_MAX, &v) || v == 0)
		return false;
	*out = (pid_t)v;
	return true;
}

/* A priority 0 to MBOX_PRIO_MAX; false if malformed. */
bool parse_prio(const char *s, unsigned int *out)
{
	unsigned long v;

	if (!parse_ulong(s, 10, MBOX_PRIO_MAX, &v))
		return false;
	*out = (unsigned int)v;
	return true;
}
