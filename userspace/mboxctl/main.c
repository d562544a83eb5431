// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl - create, use, inspect and remove kernel mailboxes.
 *
 * Everything goes through libmailbox; `ls` and `stat` through
 * mbox_list(), which needs no descriptor and no permission.
 * /proc/mailboxes, the human view, is left to humans. Exit status: 0
 * success, 1 failure, 2 usage error.
 *
 * This file: the help text, usage errors, `version` and the dispatch to
 * the subcommands (one file per group: create_rm.c, send.c, recv.c,
 * direct.c, ls_stat.c; shared helpers in args.c and errors.c).
 */
#include "mboxctl.h"

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

void usage(FILE *f)
{
	fputs(usage_text, f);
}

int usage_error(const char *fmt, ...)
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
int bad_option(void)
{
	fputs("Try 'mboxctl --help'.\n", stderr);
	return EXIT_USAGE;
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
