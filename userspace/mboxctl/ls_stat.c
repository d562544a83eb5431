// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl ls and mboxctl stat: every mailbox as a table, one as
 * key: value lines, both through mbox_list().
 */
#include "mboxctl.h"

const char *state_name(unsigned int state)
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
int list_boxes(const char *name, struct mbox_stat **out)
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

int cmd_stat(int argc, char **argv)
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
	if (st->flags & MBOX_STAT_MAPPED)
		printf("mapped: yes\n");
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
		if (st->flags & MBOX_STAT_MAPPED)
			return strdup(st->flags & MBOX_STAT_OWNED ?
				      "owned,mapped" : "mapped");
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

int cmd_ls(int argc, char **argv)
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
