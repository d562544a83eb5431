// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl - create, use, inspect and remove kernel mailboxes.
 *
 * Everything goes through libmailbox, except `ls`, which reads
 * /proc/mailboxes. Exit status: 0 success, 1 failure, 2 usage error.
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

#ifndef PROC_MAILBOXES	/* overridable for testing */
#define PROC_MAILBOXES	"/proc/mailboxes"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What was being done when an error happened, for the hint. */
enum op { OP_CREATE, OP_OPEN, OP_SEND, OP_SEND_WAIT, OP_RECV, OP_UNLINK,
	  OP_STAT };

static const char usage_text[] =
"Usage: mboxctl COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  create NAME [--capacity N] [--msg-size N] [--mode OCTAL] [--excl]\n"
"        Create a mailbox (defaults: capacity 256, msg-size 8192, mode 0600;\n"
"        capacity 0 makes a rendezvous mailbox). It persists until 'rm'.\n"
"        Without --excl an existing mailbox is accepted as is.\n"
"  send NAME [--nonblock] [--timeout MS] [--wait] [--] [MESSAGE...]\n"
"        Send the MESSAGE words joined by spaces as one message or, with no\n"
"        MESSAGE, one message per line of standard input. --timeout applies\n"
"        to each message; --wait returns once a receiver took the message\n"
"        and prints 'delivered to pid N'.\n"
"  recv NAME [--count N] [--nonblock] [--timeout MS] [--verbose]\n"
"        Receive N messages (default 1; 0: until the mailbox is empty with\n"
"        --nonblock, or a timeout expires with --timeout, or forever), one\n"
"        line each, non-printable bytes escaped (\\n, \\t, \\\\, \\xHH).\n"
"        --verbose prefixes '[pid N uid N len N] '. --timeout applies to\n"
"        each message.\n"
"  ls    List all mailboxes (from " PROC_MAILBOXES ").\n"
"  stat NAME\n"
"        Show the state of a mailbox as 'key: value' lines.\n"
"  rm NAME\n"
"        Remove a mailbox's name (owner or CAP_SYS_ADMIN only).\n"
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
		return "the mailbox's mode does not allow this access";
	case EEXIST:
		return "mailbox exists";
	case EAGAIN:
		if (op == OP_SEND)
			return "mailbox full";
		if (op == OP_SEND_WAIT)
			return "no receiver waiting";
		if (op == OP_RECV)
			return "mailbox empty";
		return NULL;
	case EMSGSIZE:
		if (op == OP_SEND || op == OP_SEND_WAIT)
			return "message longer than the mailbox's msg_size_max";
		return NULL;
	case EIDRM:
		return "the mailbox was destroyed";
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
			return "invalid name or attributes";
		if (op == OP_OPEN || op == OP_UNLINK || op == OP_STAT)
			return "invalid name";
		return NULL;
	case EINTR:
		return "interrupted by a signal";
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

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "capacity", required_argument, NULL, 'c' },
		{ "msg-size", required_argument, NULL, 's' },
		{ "mode",     required_argument, NULL, 'm' },
		{ "excl",     no_argument,       NULL, 'x' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mbox_attr attr = MBOX_ATTR_INIT;
	const char *name = NULL;
	unsigned long v;
	int flags = 0, created = 0, fd, opt, ret;

	while ((opt = getopt_long(argc, argv, "c:s:m:xh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!parse_ulong(optarg, 10, UINT_MAX, &v))
				return usage_error("create: bad --capacity '%s'",
						   optarg);
			attr.capacity = v;
			break;
		case 's':
			if (!parse_ulong(optarg, 10, UINT_MAX, &v) || !v)
				return usage_error("create: bad --msg-size '%s'",
						   optarg);
			attr.msg_size_max = v;
			break;
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
	const char *name;
	unsigned int flags;
	long timeout_ms;	/* < 0: none */
	int fd;
};

static int send_one(struct send_opts *so, const char *msg, size_t len)
{
	struct timespec dl;
	pid_t receiver = 0;
	int ret;

	if (so->timeout_ms >= 0) {
		ret = mbox_deadline_after(&dl, so->timeout_ms);
		if (ret)
			return fail("send", so->name, OP_SEND, -ret);
	}
	ret = mbox_sendx(so->fd, msg, len, so->flags,
			 so->timeout_ms >= 0 ? &dl : NULL, &receiver);
	if (ret == -ETIMEDOUT)
		return fail_timeout("send", so->name, so->timeout_ms);
	if (ret == -EAGAIN && !(so->flags & MBOX_F_WAIT)) {
		struct mbox_stat st;

		/* On a rendezvous mailbox every send waits for a receiver. */
		if (!mbox_stat(so->fd, &st) && st.capacity == 0)
			return fail("send", so->name, OP_SEND_WAIT, EAGAIN);
	}
	if (ret == -EMSGSIZE) {
		struct mbox_stat st;

		if (!mbox_stat(so->fd, &st)) {
			fprintf(stderr, "mboxctl: send '%s': %s (%zu bytes, the mailbox's msg_size_max is %u)\n",
				so->name, strerror(EMSGSIZE), len,
				st.msg_size_max);
			return EXIT_FAIL;
		}
	}
	if (ret)
		return fail("send", so->name,
			    so->flags & MBOX_F_WAIT ? OP_SEND_WAIT : OP_SEND,
			    -ret);
	if (so->flags & MBOX_F_WAIT)
		printf("delivered to pid %d\n", (int)receiver);
	return 0;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonblock", no_argument,       NULL, 'n' },
		{ "timeout",  required_argument, NULL, 't' },
		{ "wait",     no_argument,       NULL, 'w' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct send_opts so = { .timeout_ms = -1, .fd = -1 };
	unsigned long v;
	int opt, ret = 0;

	while ((opt = getopt_long(argc, argv, "nt:wh", opts, NULL)) != -1) {
		switch (opt) {
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
	if ((so.flags & MBOX_F_NONBLOCK) && so.timeout_ms >= 0)
		return usage_error("send: --nonblock and --timeout exclude each other");
	if (optind >= argc)
		return usage_error("send: missing mailbox NAME");
	so.name = argv[optind++];

	so.fd = mbox_open(so.name, MBOX_SEND_ONLY);
	if (so.fd < 0)
		return fail("send", so.name, OP_OPEN, -so.fd);

	if (optind < argc) {
		/* The remaining words, joined by single spaces. */
		size_t total = 0, off = 0;
		char *msg;

		for (int i = optind; i < argc; i++)
			total += strlen(argv[i]) + 1;
		msg = malloc(total);
		if (!msg) {
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
	mbox_close(so.fd);
	return ret;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count",    required_argument, NULL, 'c' },
		{ "nonblock", no_argument,       NULL, 'n' },
		{ "timeout",  required_argument, NULL, 't' },
		{ "verbose",  no_argument,       NULL, 'v' },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long v, count = 1, got;
	unsigned int flags = 0;
	long timeout_ms = -1;
	bool verbose = false;
	struct mbox_stat st;
	const char *name = NULL;
	size_t size;
	char *buf;
	int fd, opt, ret;

	while ((opt = getopt_long(argc, argv, "c:nt:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!parse_ulong(optarg, 10, ULONG_MAX, &count))
				return usage_error("recv: bad --count '%s'",
						   optarg);
			break;
		case 'n':
			flags |= MBOX_F_NONBLOCK;
			break;
		case 't':
			if (!parse_ulong(optarg, 10, LONG_MAX, &v))
				return usage_error("recv: bad --timeout '%s'",
						   optarg);
			timeout_ms = (long)v;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_option();
		}
	}
	if ((flags & MBOX_F_NONBLOCK) && timeout_ms >= 0)
		return usage_error("recv: --nonblock and --timeout exclude each other");
	ret = one_name("recv", argc, argv, &name);
	if (ret)
		return ret;

	fd = mbox_open(name, MBOX_RECV_ONLY);
	if (fd < 0)
		return fail("recv", name, OP_OPEN, -fd);
	ret = mbox_stat(fd, &st);
	if (ret) {
		mbox_close(fd);
		return fail("recv", name, OP_STAT, -ret);
	}
	size = st.msg_size_max ? st.msg_size_max : 1;
	buf = malloc(size);
	if (!buf) {
		mbox_close(fd);
		return fail("recv", name, OP_RECV, ENOMEM);
	}

	for (got = 0; count == 0 || got < count; ) {
		struct mbox_msginfo info;
		struct timespec dl;
		ssize_t n;

		if (timeout_ms >= 0) {
			ret = mbox_deadline_after(&dl, timeout_ms);
			if (ret) {
				ret = fail("recv", name, OP_RECV, -ret);
				break;
			}
		}
		n = mbox_receivex(fd, buf, size, flags,
				  timeout_ms >= 0 ? &dl : NULL, &info);
		if (n == -EMSGSIZE && info.len > size) {
			/* Cannot happen with msg_size_max bytes; be safe. */
			char *nbuf = realloc(buf, info.len);

			if (!nbuf) {
				ret = fail("recv", name, OP_RECV, ENOMEM);
				break;
			}
			buf = nbuf;
			size = info.len;
			continue;
		}
		if (n < 0) {
			ret = 0;
			/* --count 0: an empty mailbox or a timeout ends it. */
			if (count == 0 && ((n == -EAGAIN && (flags & MBOX_F_NONBLOCK)) ||
					   (n == -ETIMEDOUT && timeout_ms >= 0)))
				break;
			if (n == -ETIMEDOUT)
				ret = fail_timeout("recv", name, timeout_ms);
			else
				ret = fail("recv", name, OP_RECV, (int)-n);
			break;
		}
		if (verbose)
			printf("[pid %d uid %u len %zu] ", (int)info.sender_pid,
			       (unsigned int)info.sender_uid, info.len);
		print_escaped((const unsigned char *)buf, (size_t)n);
		putchar('\n');
		fflush(stdout);
		got++;
	}
	free(buf);
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

static int cmd_stat(int argc, char **argv)
{
	struct mbox_stat st;
	const char *name = NULL;
	int fd, opt, ret;

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

	/* Binding needs some access: read permission, else write. */
	fd = mbox_open(name, MBOX_RECV_ONLY);
	if (fd == -EACCES)
		fd = mbox_open(name, MBOX_SEND_ONLY);
	if (fd < 0)
		return fail("stat", name, OP_OPEN, -fd);
	ret = mbox_stat(fd, &st);
	mbox_close(fd);
	if (ret)
		return fail("stat", name, OP_STAT, -ret);

	printf("name: %s\n", st.name);
	printf("state: %s\n", state_name(st.state));
	printf("mode: %04o\n", st.mode);
	printf("uid: %u\n", (unsigned int)st.uid);
	printf("gid: %u\n", (unsigned int)st.gid);
	printf("owned: %s\n", st.flags & MBOX_STAT_OWNED ? "yes" : "no");
	printf("capacity: %u\n", st.capacity);
	printf("msg_size_max: %u\n", st.msg_size_max);
	printf("depth: %u\n", st.depth);
	printf("bytes: %llu\n", (unsigned long long)st.bytes);
	if (st.depth || st.senders_waiting)
		printf("next_len: %u\n", st.next_len);
	printf("receivers_waiting: %u\n", st.receivers_waiting);
	printf("senders_waiting: %u\n", st.senders_waiting);
	printf("sent: %llu\n", (unsigned long long)st.sent);
	printf("received: %llu\n", (unsigned long long)st.received);
	printf("send_blocked: %llu\n", (unsigned long long)st.send_blocked);
	printf("recv_blocked: %llu\n", (unsigned long long)st.recv_blocked);
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

/*
 * ls: /proc/mailboxes has a header line, then per mailbox the columns
 * name uid gid mode capacity msgsize depth bytes sent received sblocked
 * rblocked swait rwait state flags (see uapi/linux/kmailbox.h).
 */
enum {
	P_NAME, P_UID, P_GID, P_MODE, P_CAP, P_MSGSIZE, P_DEPTH, P_BYTES,
	P_SENT, P_RECV, P_SBLK, P_RBLK, P_SWAIT, P_RWAIT, P_STATE, P_FLAGS,
	P_NCOLS
};

static const struct {
	const char *title;
	int src;		/* P_* column it shows */
	bool left;		/* left-aligned (text) */
} ls_cols[] = {
	{ "NAME",    P_NAME,    true  },
	{ "OWNER",   P_UID,     true  },
	{ "GROUP",   P_GID,     true  },
	{ "MODE",    P_MODE,    false },
	{ "CAP",     P_CAP,     false },
	{ "MSGSIZE", P_MSGSIZE, false },
	{ "DEPTH",   P_DEPTH,   false },
	{ "BYTES",   P_BYTES,   false },
	{ "SENT",    P_SENT,    false },
	{ "RECV",    P_RECV,    false },
	{ "SBLOCK",  P_SBLK,    false },
	{ "RBLOCK",  P_RBLK,    false },
	{ "SWAIT",   P_SWAIT,   false },
	{ "RWAIT",   P_RWAIT,   false },
	{ "STATE",   P_STATE,   true  },
	{ "FLAGS",   P_FLAGS,   true  },
};
#define LS_NCOLS ARRAY_SIZE(ls_cols)

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

static int cmd_ls(int argc, char **argv)
{
	char ***rows = NULL;
	size_t nrows = 0, width[LS_NCOLS];
	char *line = NULL;
	size_t cap = 0;
	int opt, ret = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		return bad_option();
	}
	if (optind < argc)
		return usage_error("ls: unexpected argument '%s'", argv[optind]);

	f = fopen(PROC_MAILBOXES, "r");
	if (!f) {
		int err = errno;

		fprintf(stderr, "mboxctl: ls: %s: %s%s\n", PROC_MAILBOXES,
			strerror(err), err == ENOENT ?
			" (is the kmailbox module loaded?)" : "");
		return EXIT_FAIL;
	}
	/* Skip the header line, keep the rest as rows of display strings. */
	if (getline(&line, &cap, f) >= 0) {
		while (getline(&line, &cap, f) >= 0) {
			char *field[P_NCOLS] = { NULL }, *save = NULL, *tok;
			char **row, **nrows_p;
			int n = 0;

			for (tok = strtok_r(line, " \t\n", &save);
			     tok && n < P_NCOLS;
			     tok = strtok_r(NULL, " \t\n", &save))
				field[n++] = tok;
			if (!n)
				continue;
			row = calloc(LS_NCOLS, sizeof(*row));
			nrows_p = realloc(rows, (nrows + 1) * sizeof(*rows));
			if (!row || !nrows_p) {
				free(row);
				if (nrows_p)
					rows = (char ***)nrows_p;
				ret = EXIT_FAIL;
				fprintf(stderr, "mboxctl: ls: %s\n",
					strerror(ENOMEM));
				break;
			}
			rows = (char ***)nrows_p;
			rows[nrows++] = row;
			for (size_t c = 0; c < LS_NCOLS; c++) {
				const char *v = field[ls_cols[c].src];
				unsigned long mode;
				char tmp[16];

				if (!v) {
					row[c] = strdup("?");
				} else if (ls_cols[c].src == P_UID) {
					row[c] = id_name("/etc/passwd", v);
				} else if (ls_cols[c].src == P_GID) {
					row[c] = id_name("/etc/group", v);
				} else if (ls_cols[c].src == P_MODE &&
					   parse_ulong(v, 8, 07777, &mode)) {
					snprintf(tmp, sizeof(tmp), "%04lo", mode);
					row[c] = strdup(tmp);
				} else {
					row[c] = strdup(v);
				}
			}
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "mboxctl: ls: %s: %s\n", PROC_MAILBOXES,
			strerror(errno));
		ret = EXIT_FAIL;
	}
	fclose(f);
	free(line);

	for (size_t c = 0; c < LS_NCOLS; c++) {
		width[c] = strlen(ls_cols[c].title);
		for (size_t r = 0; r < nrows; r++) {
			size_t l = rows[r][c] ? strlen(rows[r][c]) : 1;

			if (l > width[c])
				width[c] = l;
		}
	}
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < LS_NCOLS; c++) {
			const char *v = r == 0 ? ls_cols[c].title :
				(rows[r - 1][c] ? rows[r - 1][c] : "?");
			int w = (int)width[c];

			if (c == LS_NCOLS - 1)
				printf("%s\n", v);
			else if (ls_cols[c].left)
				printf("%-*s  ", w, v);
			else
				printf("%*s  ", w, v);
		}
	}
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < LS_NCOLS; c++)
			free(rows[r][c]);
		free(rows[r]);
	}
	free(rows);
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create },
	{ "send",   cmd_send },
	{ "recv",   cmd_recv },
	{ "ls",     cmd_ls },
	{ "stat",   cmd_stat },
	{ "rm",     cmd_rm },
};

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
