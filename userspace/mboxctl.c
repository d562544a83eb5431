// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl - create, use, inspect and remove kernel mailboxes.
 *
 * Everything goes through libmailbox; `ls` and `stat` through
 * mbox_list(), which needs no descriptor and no permission.
 * /proc/mailboxes, the human view, is left to humans. Exit status: 0
 * success, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailbox.h"

#define PROC_MAILBOXES	"/proc/mailboxes"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What was being done when an error happened, for the hint. */
enum op { OP_CREATE, OP_OPEN, OP_SEND, OP_SEND_WAIT, OP_SEND_TO, OP_RECV,
	  OP_RECV_FROM, OP_UNLINK, OP_STAT, OP_DIRECT, OP_LIST };

static const char usage_text[] =
"Usage: mboxctl COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  create NAME [--capacity N] [--msg-size N] [--mode OCTAL] [--excl]\n"
"              [--delivery queue|priority|broadcast]\n"
"        Create a mailbox (defaults: capacity 256, msg-size 8192, mode 0600,\n"
"        delivery queue; capacity 0 makes a rendezvous mailbox). It persists\n"
"        until 'rm'. Without --excl an existing mailbox is accepted as is.\n"
"        Delivery: queue gives each message to one receiver, oldest first;\n"
"        priority takes the highest message priority first; broadcast gives\n"
"        every message to every receiver bound when it is sent (it needs a\n"
"        capacity of at least 1: the backlog the slowest receiver may have).\n"
"  send NAME [--prio N] [--nonblock] [--timeout MS] [--wait] [--] [MESSAGE...]\n"
"  send --to PID [--prio N] [--nonblock] [--timeout MS] [--wait] [--] [MESSAGE...]\n"
"        Send the MESSAGE words joined by spaces as one message or, with no\n"
"        MESSAGE, one message per line of standard input. --to sends to the\n"
"        direct mailbox of process PID instead of a named one. --prio gives\n"
"        the message a priority (0-31; priority mailboxes only). --timeout\n"
"        applies to each message; --wait returns once a receiver took the\n"
"        message and prints 'delivered to pid N' ('delivered' with --prio).\n"
"  recv NAME [--count N] [--from PID] [--prio N] [--nonblock] [--timeout MS]\n"
"            [--verbose]\n"
"        Receive N messages (default 1; 0: until the mailbox is empty with\n"
"        --nonblock, or a timeout expires with --timeout, or forever), one\n"
"        line each, non-printable bytes escaped (\\n, \\t, \\\\, \\xHH).\n"
"        --from takes only messages sent by process PID (not on broadcast\n"
"        mailboxes). --prio sets this receiver's priority (0-31, default 0):\n"
"        waiting receivers of higher priority are served first. --verbose\n"
"        prefixes '[pid N uid N len N] ' ('[pid N uid N len N prio N] ' on a\n"
"        priority mailbox). --timeout applies to each message.\n"
"  direct [--capacity N] [--msg-size N] [--delivery queue|priority]\n"
"         [--allow PID[,PID...] | --same-uid] [--count N] [--from PID]\n"
"         [--nonblock] [--timeout MS] [--verbose]\n"
"        Open this process's direct mailbox (defaults: capacity 256, msg-size\n"
"        8192, queue, anyone may send; --allow: only those processes,\n"
"        --same-uid: only senders of this effective uid), print\n"
"        'pid N: receiving', then receive as 'recv' does. Others send to it\n"
"        with 'mboxctl send --to N'. It disappears when mboxctl exits.\n"
"  ls    List all mailboxes, oldest first, with their counters, delivery\n"
"        and, for broadcast, the number of receivers (SUBS). Direct\n"
"        mailboxes are named pid/N and flagged 'direct'. (" PROC_MAILBOXES "\n"
"        also shows the waiting receivers' priorities and each broadcast\n"
"        receiver's unread messages.)\n"
"  stat NAME\n"
"        Show the state of a mailbox as 'key: value' lines: the one linked\n"
"        as NAME, else the newest unlinked one still open. NAME may be\n"
"        pid/N for the direct mailbox of process N.\n"
"  rm NAME\n"
"        Remove a mailbox's name (owner or CAP_SYS_ADMIN only).\n"
"  version, --version\n"
"        Print the versions of mboxctl and libmailbox, and of the loaded\n"
"        kernel module ('kmailbox: not loaded' and exit status 1 when\n"
"        " MBOX_DEVICE " is missing).\n"
"  help, -h, --help\n"
"        Show this help.\n"
"\n"
"Exit status: 0 on success, 1 on failure (including timeouts), 2 on usage\n"
"errors.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mboxctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mboxctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* getopt has already said what is wrong with the option. */
static int bad_option(void)
{
	fputs("Try 'mboxctl --help'.\n", stderr);
	return EXIT_USAGE;
}

/* A short explanation of @err in the context of @op, or NULL. */
static const char *hint(enum op op, int err)
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
static int fail(const char *cmd, const char *name, enum op op, int err)
{
	const char *h = hint(op, err);

	fprintf(stderr, "mboxctl: %s '%s': %s", cmd, name, strerror(err));
	if (h)
		fprintf(stderr, " (%s)", h);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

static int fail_timeout(const char *cmd, const char *name, long ms)
{
	fprintf(stderr, "mboxctl: %s '%s': timed out after %ld ms\n",
		cmd, name, ms);
	return EXIT_FAIL;
}

static const char *const delivery_names[] = {
	[MBOX_DELIVER_QUEUE] = "queue",
	[MBOX_DELIVER_PRIORITY] = "priority",
	[MBOX_DELIVER_BROADCAST] = "broadcast",
};

static const char *delivery_name(unsigned int delivery)
{
	if (delivery < ARRAY_SIZE(delivery_names))
		return delivery_names[delivery];
	return "unknown";
}

/* --delivery WORD, of the first @n modes; false if not one of them. */
static bool parse_delivery(const char *s, unsigned int n, unsigned int *out)
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
static bool parse_ulong(const char *s, int base, unsigned long max,
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

/* What create and direct set for a new mailbox. */
struct new_opts {
	unsigned int *capacity;
	unsigned int *msg_size;
	unsigned int *delivery;
	unsigned int ndelivery;	/* the first N delivery modes are allowed */
	int capacity_opt;	/* the short option of --capacity */
};

/*
 * The options create and direct share: --capacity, --msg-size, --delivery.
 * True if @opt was one; *@ret is then 0 or a usage error's exit status.
 */
static bool new_option(const char *cmd, int opt, const struct new_opts *no,
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

/* The one NAME operand of a command; usage error if missing or extra. */
/* --nonblock and --timeout exclude each other: 0, or a usage error. */
static int check_wait_opts(const char *cmd, unsigned int flags, long timeout_ms)
{
	if ((flags & MBOX_F_NONBLOCK) && timeout_ms >= 0)
		return usage_error("%s: --nonblock and --timeout exclude each other",
				   cmd);
	return 0;
}

static int one_name(const char *cmd, int argc, char **argv, const char **name)
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
static bool parse_pid(const char *s, pid_t *out)
{
	unsigned long v;

	if (!parse_ulong(s, 10, INT_MAX, &v) || v == 0)
		return false;
	*out = (pid_t)v;
	return true;
}

/* A priority 0 to MBOX_PRIO_MAX; false if malformed. */
static bool parse_prio(const char *s, unsigned int *out)
{
	unsigned long v;

	if (!parse_ulong(s, 10, MBOX_PRIO_MAX, &v))
		return false;
	*out = (unsigned int)v;
	return true;
}

static int cmd_create(int argc, char **argv)
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

static int cmd_send(int argc, char **argv)
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

/* What recv and direct receive, and how. */
struct recv_opts {
	unsigned long count;	/* 0: until empty, timed out, or forever */
	unsigned int flags;
	long timeout_ms;	/* < 0: none */
	bool verbose;
	pid_t from;		/* 0: anyone */
	bool set_prio;
	unsigned int prio;
};

/* The receive options recv and direct share; true if @opt was one. */
static bool recv_option(const char *cmd, int opt, struct recv_opts *ro,
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

#define RECV_LONGOPTS \
	{ "count",    required_argument, NULL, 'c' }, \
	{ "from",     required_argument, NULL, 'f' }, \
	{ "nonblock", no_argument,       NULL, 'n' }, \
	{ "timeout",  required_argument, NULL, 't' }, \
	{ "verbose",  no_argument,       NULL, 'v' }
#define RECV_SHORTOPTS "c:f:nt:v"

/* Receive and print messages from @fd as @ro says; 0 or EXIT_*. */
static int recv_loop(const char *cmd, const char *name, int fd,
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

static int cmd_recv(int argc, char **argv)
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

static int cmd_direct(int argc, char **argv)
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

static const char *state_name(unsigned int state)
{
	switch (state) {
	case MBOX_STATE_LINKED:
		return "linked";
	case MBOX_STATE_UNLINKED:
		return "unlinked";
	case MBOX_STATE_DEAD:
		return "dead";
	default:
		return "unknown";
	}
}

/* Mailboxes fetched per mbox_list() call. */
#define LIST_CHUNK	64

/*
 * Every mailbox, or those called @name, into *@out (malloc'd), oldest
 * first: their number, or -errno from mbox_list().
 */
static int list_boxes(const char *name, struct mbox_stat **out)
{
	struct mbox_stat *v = NULL, *nv;
	size_t n = 0, cap = 0;
	uint64_t cursor = 0;
	int got;

	do {
		if (cap - n < LIST_CHUNK) {
			cap += LIST_CHUNK;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		got = mbox_list(name, v + n, LIST_CHUNK, &cursor);
		if (got < 0) {
			free(v);
			return got;
		}
		n += (size_t)got;
	} while (got == LIST_CHUNK && n < INT_MAX - LIST_CHUNK);
	*out = v;
	return (int)n;
}

static int cmd_stat(int argc, char **argv)
{
	struct mbox_stat *boxes = NULL, *st;
	const char *name = NULL;
	pid_t pid = 0;
	int opt, ret, n;

	while ((opt = getopt(argc, argv, "h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		return bad_option();
	}
	ret = one_name("stat", argc, argv, &name);
	if (ret)
		return ret;
	/* No name has a '/' but a direct mailbox's, pid/N. */
	if (strchr(name, '/') &&
	    (strncmp(name, "pid/", 4) || !parse_pid(name + 4, &pid)))
		return usage_error("stat: bad direct mailbox name '%s' (pid/N)",
				   name);

	n = list_boxes(name, &boxes);
	if (n == 0)
		n = -ENOENT;
	if (n == -ENOENT && pid && !access(MBOX_DEVICE, F_OK)) {
		fprintf(stderr, "mboxctl: stat '%s': no such direct mailbox (process %d has none, or is not visible here)\n",
			name, (int)pid);
		return EXIT_FAIL;
	}
	if (n < 0)
		return fail("stat", name, OP_LIST, -n);
	/* The mailbox linked as @name; else the newest unlinked one. */
	st = &boxes[n - 1];
	for (int i = 0; i < n; i++)
		if (boxes[i].state == MBOX_STATE_LINKED)
			st = &boxes[i];

	printf("name: %s\n", st->name);
	printf("state: %s\n", state_name(st->state));
	printf("mode: %04o\n", st->mode);
	printf("uid: %u\n", (unsigned int)st->uid);
	printf("gid: %u\n", (unsigned int)st->gid);
	printf("owned: %s\n", st->flags & MBOX_STAT_OWNED ? "yes" : "no");
	if (st->flags & MBOX_STAT_DIRECT) {
		printf("direct: yes\n");
		printf("owner_pid: %d\n", (int)st->owner_pid);
	}
	printf("delivery: %s\n", delivery_name(st->delivery));
	printf("capacity: %u\n", st->capacity);
	printf("msg_size_max: %u\n", st->msg_size_max);
	printf("depth: %u\n", st->depth);
	printf("bytes: %llu\n", (unsigned long long)st->bytes);
	/* A broadcast mailbox's next message is each subscriber's own. */
	if (st->delivery != MBOX_DELIVER_BROADCAST &&
	    (st->depth || st->senders_waiting))
		printf("next_len: %u\n", st->next_len);
	printf("receivers_waiting: %u\n", st->receivers_waiting);
	printf("senders_waiting: %u\n", st->senders_waiting);
	if (st->delivery == MBOX_DELIVER_BROADCAST)
		printf("subscribers: %u\n", st->subscribers);
	printf("sent: %llu\n", (unsigned long long)st->sent);
	printf("received: %llu\n", (unsigned long long)st->received);
	printf("send_blocked: %llu\n", (unsigned long long)st->send_blocked);
	printf("recv_blocked: %llu\n", (unsigned long long)st->recv_blocked);
	free(boxes);
	return 0;
}

static int cmd_rm(int argc, char **argv)
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

/* ls: the columns, each a field of struct mbox_stat. */
enum {
	C_NAME, C_OWNER, C_GROUP, C_MODE, C_CAP, C_MSGSIZE, C_DEPTH, C_BYTES,
	C_SENT, C_RECV, C_SBLOCK, C_RBLOCK, C_SWAIT, C_RWAIT, C_STATE,
	C_FLAGS, C_DELIVERY, C_SUBS, LS_NCOLS
};

static const struct {
	const char *title;
	bool left;		/* left-aligned (text) */
} ls_cols[LS_NCOLS] = {
	[C_NAME]     = { "NAME",     true  },
	[C_OWNER]    = { "OWNER",    true  },
	[C_GROUP]    = { "GROUP",    true  },
	[C_MODE]     = { "MODE",     false },
	[C_CAP]      = { "CAP",      false },
	[C_MSGSIZE]  = { "MSGSIZE",  false },
	[C_DEPTH]    = { "DEPTH",    false },
	[C_BYTES]    = { "BYTES",    false },
	[C_SENT]     = { "SENT",     false },
	[C_RECV]     = { "RECV",     false },
	[C_SBLOCK]   = { "SBLOCK",   false },
	[C_RBLOCK]   = { "RBLOCK",   false },
	[C_SWAIT]    = { "SWAIT",    false },
	[C_RWAIT]    = { "RWAIT",    false },
	[C_STATE]    = { "STATE",    true  },
	[C_FLAGS]    = { "FLAGS",    true  },
	[C_DELIVERY] = { "DELIVERY", true  },
	[C_SUBS]     = { "SUBS",     false },
};

/* Name of numeric id @id in /etc/passwd or /etc/group, else @id itself. */
static char *id_name(const char *file, const char *id)
{
	char *line = NULL, *res = NULL;
	size_t cap = 0;
	FILE *f = fopen(file, "r");

	if (f) {
		while (getline(&line, &cap, f) >= 0) {
			/* name:passwd:id:... */
			char *c1 = strchr(line, ':');
			char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;

			if (!c3 || (size_t)(c3 - c2 - 1) != strlen(id) ||
			    strncmp(c2 + 1, id, strlen(id)))
				continue;
			*c1 = '\0';
			res = strdup(line);
			break;
		}
		free(line);
		fclose(f);
	}
	return res ? res : strdup(id);
}

/* A name with space, tab, newline and backslash as \ooo, as in /proc. */
static char *ls_name(const char *name)
{
	char *out = malloc(4 * strlen(name) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* @v as a decimal string (malloc'd, or NULL). */
static char *ls_num(unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", v);
	return strdup(buf);
}

/* The display string of column @c for @st (malloc'd, or NULL). */
static char *ls_cell(const struct mbox_stat *st, int c)
{
	char buf[24];

	switch (c) {
	case C_NAME:
		return ls_name(st->name);
	case C_OWNER:
		snprintf(buf, sizeof(buf), "%u", (unsigned int)st->uid);
		return id_name("/etc/passwd", buf);
	case C_GROUP:
		snprintf(buf, sizeof(buf), "%u", (unsigned int)st->gid);
		return id_name("/etc/group", buf);
	case C_MODE:
		snprintf(buf, sizeof(buf), "%04o", st->mode);
		return strdup(buf);
	case C_CAP:
		return ls_num(st->capacity);
	case C_MSGSIZE:
		return ls_num(st->msg_size_max);
	case C_DEPTH:
		return ls_num(st->depth);
	case C_BYTES:
		return ls_num(st->bytes);
	case C_SENT:
		return ls_num(st->sent);
	case C_RECV:
		return ls_num(st->received);
	case C_SBLOCK:
		return ls_num(st->send_blocked);
	case C_RBLOCK:
		return ls_num(st->recv_blocked);
	case C_SWAIT:
		return ls_num(st->senders_waiting);
	case C_RWAIT:
		return ls_num(st->receivers_waiting);
	case C_STATE:
		return strdup(state_name(st->state));
	case C_FLAGS:
		return strdup(st->flags & MBOX_STAT_OWNED ? "owned" :
			      st->flags & MBOX_STAT_DIRECT ? "direct" : "-");
	case C_DELIVERY:
		return strdup(delivery_name(st->delivery));
	case C_SUBS:
		return st->delivery == MBOX_DELIVER_BROADCAST ?
		       ls_num(st->subscribers) : strdup("-");
	default:
		return NULL;
	}
}

static int cmd_ls(int argc, char **argv)
{
	struct mbox_stat *boxes = NULL;
	size_t width[LS_NCOLS], rows;
	char **cells;
	int opt, n;

	while ((opt = getopt(argc, argv, "h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		return bad_option();
	}
	if (optind < argc)
		return usage_error("ls: unexpected argument '%s'", argv[optind]);

	n = list_boxes(NULL, &boxes);
	if (n < 0) {
		const char *h = hint(OP_LIST, -n);

		fprintf(stderr, "mboxctl: ls: %s%s%s%s\n", strerror(-n),
			h ? " (" : "", h ? h : "", h ? ")" : "");
		return EXIT_FAIL;
	}
	rows = (size_t)n;
	cells = calloc(rows * LS_NCOLS + 1, sizeof(*cells));
	if (!cells) {
		free(boxes);
		fprintf(stderr, "mboxctl: ls: %s\n", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	for (int c = 0; c < LS_NCOLS; c++) {
		width[c] = strlen(ls_cols[c].title);
		for (size_t r = 0; r < rows; r++) {
			char *v = ls_cell(&boxes[r], c);
			size_t l = v ? strlen(v) : 1;

			cells[r * LS_NCOLS + c] = v;
			if (l > width[c])
				width[c] = l;
		}
	}
	for (size_t r = 0; r <= rows; r++) {
		for (int c = 0; c < LS_NCOLS; c++) {
			const char *v = r == 0 ? ls_cols[c].title :
				cells[(r - 1) * LS_NCOLS + c];
			int w = (int)width[c];

			if (!v)
				v = "?";
			if (c == LS_NCOLS - 1)
				printf("%*s\n", w, v);
			else if (ls_cols[c].left)
				printf("%-*s  ", w, v);
			else
				printf("%*s  ", w, v);
		}
	}
	for (size_t i = 0; i < rows * LS_NCOLS; i++)
		free(cells[i]);
	free(cells);
	free(boxes);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create },
	{ "send",   cmd_send },
	{ "recv",   cmd_recv },
	{ "direct", cmd_direct },
	{ "ls",     cmd_ls },
	{ "stat",   cmd_stat },
	{ "rm",     cmd_rm },
};

/* mboxctl version: the library's and the module's versions. */
static int cmd_version(void)
{
	struct mbox_version v;
	int ret;

	printf("mboxctl %s\nlibmailbox %s\n", KMAILBOX_VERSION, mbox_version());
	ret = mbox_module_version(&v);
	if (ret == -ENOENT) {
		printf("kmailbox: not loaded\n");
		return EXIT_FAIL;
	}
	if (ret < 0) {
		printf("kmailbox: unknown\n");
		fprintf(stderr, "mboxctl: asking the module its version: %s\n",
			strerror(-ret));
		return EXIT_FAIL;
	}
	printf("kmailbox %u.%u.%u\n", v.major, v.minor, v.patch);
	return 0;
}

int main(int argc, char **argv)
{
	static char prog[32];
	const char *cmd;
	int ret;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
		return argc == 2 ? cmd_version() :
		       usage_error("version takes no arguments");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(cmd, commands[i].name))
			continue;
		/*
		 * The subcommand gets argv[0] = "mboxctl CMD", which getopt
		 * uses in its messages; getopt permutes, so options may
		 * follow NAME ("--" ends them).
		 */
		snprintf(prog, sizeof(prog), "mboxctl %s", cmd);
		argv[1] = prog;
		optind = 1;
		ret = commands[i].fn(argc - 1, argv + 1);
		if (fflush(stdout) == EOF && !ret) {
			fprintf(stderr, "mboxctl: writing output: %s\n",
				strerror(errno));
			ret = EXIT_FAIL;
		}
		return ret;
	}
	return usage_error("unknown command '%s'", cmd);
}
