// SPDX-License-Identifier: GPL-2.0
/*
 * The state of mailboxes as the module lists them, the one reader of it in
 * the selftests. struct mbt_state holds values, not text.
 *
 * Every field that a struct mailbox_info has comes from MAILBOX_IOC_LIST
 * (mbt_state_each(), mbt_state_find(), mbt_state()), the programs'
 * interface. /proc/mailboxes, the human view, is read here and nowhere
 * else in the selftests, and only
 *  - for what only it shows: the sleeping receivers' priorities in the
 *    order they will be served (waiter_prio[]) and each subscriber's
 *    backlog (backlog[]), which mbt_state() adds to a mailbox's entry
 *    (mbt_state_each() and mbt_state_find() leave nwaiters and nsubs 0);
 *  - for the tests of /proc/mailboxes itself: mbt_proc_each(),
 *    mbt_proc_find(), mbt_proc_parse(), mbt_proc_header(), mbt_proc_escape().
 */
#define _GNU_SOURCE
#define MBT_LIB
#include "mbt.h"

static const char * const mbt_state_names[] = {
	[MAILBOX_STATE_LINKED] = "linked",
	[MAILBOX_STATE_UNLINKED] = "unlinked",
	[MAILBOX_STATE_DEAD] = "dead",
};

static const char * const mbt_owner_names[] = {
	[MBT_OWNER_NONE] = "-",
	[MBT_OWNER_OWNED] = "owned",
	[MBT_OWNER_DIRECT] = "direct",
};

static const char * const mbt_delivery_names[] = {
	[MAILBOX_DELIVER_QUEUE] = "queue",
	[MAILBOX_DELIVER_PRIORITY] = "priority",
	[MAILBOX_DELIVER_BROADCAST] = "broadcast",
};

/* The index of @word in @names (@n of them), or -1. */
static int mbt_word(const char *word, const char * const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return i;
	return -1;
}

/* A comma-separated list of numbers, or "-", into @v: false if malformed. */
static bool mbt_num_list(const char *s, uint32_t *v, uint32_t *n)
{
	char *end;

	*n = 0;
	if (!strcmp(s, "-"))
		return true;
	for (;;) {
		if (*n >= MBT_STATE_LIST || *s < '0' || *s > '9')
			return false;
		v[(*n)++] = strtoul(s, &end, 10);
		if (!*end)
			return true;
		if (*end != ',')
			return false;
		s = end + 1;
	}
}

/* Undo seq_escape()'s \ooo in place: false if malformed. */
static bool mbt_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*out++ = *s;
			continue;
		}
		if (s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' ||
		    s[3] < '0' || s[3] > '7')
			return false;
		*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				(s[3] - '0'));
		s += 3;
	}
	*out = '\0';
	return true;
}

/*
 * One line of /proc/mailboxes into @st (the name unescaped): 0, or -EPROTO
 * when it is not a mailbox's line (the header is not). Columns the parser
 * does not know, after the last it knows, are ignored.
 */
int mbt_proc_parse(const char *line, struct mbt_state *st)
{
	char name[4 * MAILBOX_NAME_LEN + 1], state[16], owner[16];
	char delivery[16], waiters[512], backlog[512];
	unsigned long long bytes, sent, received, sblocked, rblocked;
	unsigned long long dropped = 0;
	int s, o, d, n;
	size_t len;

	memset(st, 0, sizeof(*st));
	/* dropped, the 20th column, since issue 11 */
	n = sscanf(line, "%256s %u %u %o %u %u %u %llu %llu %llu %llu %llu "
		   "%u %u %15s %15s %15s %511s %511s %llu", name, &st->uid,
		   &st->gid, &st->mode, &st->capacity, &st->msg_size_max,
		   &st->depth, &bytes, &sent, &received, &sblocked, &rblocked,
		   &st->senders_waiting, &st->receivers_waiting, state, owner,
		   delivery, waiters, backlog, &dropped);
	if (n != 19 && n != 20)
		return -EPROTO;
	s = mbt_word(state, mbt_state_names, MBT_ARRAY_SIZE(mbt_state_names));
	/* A mapped mailbox: "mapped" alone, or after the owner's word. */
	len = strlen(owner);
	if (!strcmp(owner, "mapped")) {
		strcpy(owner, "-");
		st->mapped = true;
	} else if (len > 7 && !strcmp(owner + len - 7, ",mapped")) {
		owner[len - 7] = '\0';
		st->mapped = true;
	}
	o = mbt_word(owner, mbt_owner_names, MBT_ARRAY_SIZE(mbt_owner_names));
	d = mbt_word(delivery, mbt_delivery_names,
		     MBT_ARRAY_SIZE(mbt_delivery_names));
	if (s < 0 || o < 0 || d < 0 || !mbt_unescape(name) ||
	    strlen(name) >= MAILBOX_NAME_LEN ||
	    !mbt_num_list(waiters, st->waiter_prio, &st->nwaiters) ||
	    !mbt_num_list(backlog, st->backlog, &st->nsubs))
		return -EPROTO;
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->bytes = bytes;
	st->sent = sent;
	st->received = received;
	st->send_blocked = sblocked;
	st->recv_blocked = rblocked;
	st->dropped = dropped;
	st->state = s;
	st->owner = o;
	st->delivery = d;
	return 0;
}

/* The first line of /proc/mailboxes (the column names): 0 or -errno. */
int mbt_proc_header(char *buf, size_t size)
{
	FILE *f = fopen(MBT_PROC_MAILBOXES, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		ret = -EIO;
	fclose(f);
	return ret;
}

/* Escape a name as /proc/mailboxes shows it (space, tab, \n, backslash). */
void mbt_proc_escape(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (; *name && n + 5 < size; name++) {
		if (strchr(" \t\n\\", *name))
			n += snprintf(out + n, size - n, "\\%03o",
				      (unsigned char)*name);
		else
			out[n++] = *name;
	}
	out[n] = '\0';
}

/* ---- /proc/mailboxes ---------------------------------------------------- */

/*
 * Call @fn(st, @ctx) for each line of /proc/mailboxes until it returns
 * non-zero: the number visited, its negative result, -errno if the file
 * cannot be read, or -EPROTO if a line does not parse (logged).
 */
int mbt_proc_each(int (*fn)(const struct mbt_state *st, void *ctx),
		  void *ctx)
{
	FILE *f = fopen(MBT_PROC_MAILBOXES, "re");
	struct mbt_state st;
	int n = 0, ret = 0;
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	if (getline(&line, &cap, f) <= 0 ||
	    strncmp(line, "name uid gid mode capacity", 26))
		ret = -EPROTO;
	while (!ret && getline(&line, &cap, f) > 0) {
		ret = mbt_proc_parse(line, &st);
		if (ret)
			fprintf(stderr, "# %s: unparsable: %s",
				MBT_PROC_MAILBOXES, line);
		else
			ret = fn(&st, ctx);
		n++;
	}
	free(line);
	fclose(f);
	return ret < 0 ? ret : n;
}

struct mbt_find {
	const char *name;
	long uid;
	struct mbt_state *last;
	int count;
};

static int mbt_find_one(const struct mbt_state *st, void *ctx)
{
	struct mbt_find *f = ctx;

	if ((f->name && strcmp(f->name, st->name)) ||
	    (f->uid >= 0 && st->uid != (unsigned long)f->uid))
		return 0;
	if (f->last)
		*f->last = *st;
	f->count++;
	return 0;
}

/* As mbt_state_find(), from the lines of /proc/mailboxes. */
int mbt_proc_find(const char *name, long uid, struct mbt_state *last)
{
	struct mbt_find f = { .name = name, .uid = uid, .last = last };
	int ret = mbt_proc_each(mbt_find_one, &f);

	return ret < 0 ? ret : f.count;
}

/* ---- MAILBOX_IOC_LIST ---------------------------------------------------- */

#define MBT_LIST_CHUNK	32

/* A MAILBOX_IOC_LIST entry as struct mbt_state (no waiters, no backlogs). */
static void mbt_state_from_info(const struct mailbox_info *i,
				struct mbt_state *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->name, i->name, sizeof(st->name));
	st->name[sizeof(st->name) - 1] = '\0';
#define MBT_COPY(field) st->field = i->field;
	MBT_STATE_STAT_FIELDS(MBT_COPY)
#undef MBT_COPY
	st->dropped = i->dropped;
	st->state = i->state;
	st->delivery = i->delivery;
	st->owner = i->flags & MAILBOX_INFO_DIRECT ? MBT_OWNER_DIRECT :
		    i->flags & MAILBOX_CREATE_OWNED ? MBT_OWNER_OWNED :
		    MBT_OWNER_NONE;
	st->mapped = i->flags & MAILBOX_INFO_MAPPED;
}

/* mbt_state_each() of the mailboxes named @name (every one if NULL). */
static int mbt_list_each(const char *name,
			 int (*fn)(const struct mbt_state *st, void *ctx),
			 void *ctx)
{
	struct mailbox_info mi[MBT_LIST_CHUNK];
	struct mailbox_list l;
	struct mbt_state st;
	int fd = mbt_dev(), n = 0, ret = 0;
	uint32_t i;

	if (fd < 0)
		return fd;
	memset(&l, 0, sizeof(l));
	if (name)
		mbt_set_name(l.name, name);
	do {
		l.entries = (uintptr_t)mi;
		l.count = MBT_LIST_CHUNK;
		ret = mbt_ioctl(fd, MAILBOX_IOC_LIST, &l);
		if (ret == -ENOENT && name)	/* none of that name */
			ret = l.count = 0;
		for (i = 0; !ret && i < l.count; i++, n++) {
			mbt_state_from_info(&mi[i], &st);
			ret = fn(&st, ctx);
		}
	} while (!ret && l.count == MBT_LIST_CHUNK);
	close(fd);
	return ret < 0 ? ret : n;
}

/*
 * Call @fn(st, @ctx) for each mailbox MAILBOX_IOC_LIST lists until it
 * returns non-zero: the number visited, its negative result, or -errno.
 */
int mbt_state_each(int (*fn)(const struct mbt_state *st, void *ctx),
		   void *ctx)
{
	return mbt_list_each(NULL, fn, ctx);
}

/*
 * How many mailboxes are named @name (any if NULL) and belong to @uid (any
 * if negative); the last of them into *@last if given. -errno if the list
 * cannot be read.
 */
int mbt_state_find(const char *name, long uid, struct mbt_state *last)
{
	struct mbt_find f = { .name = name, .uid = uid, .last = last };
	int ret = mbt_list_each(name, mbt_find_one, &f);

	return ret < 0 ? ret : f.count;
}

/*
 * The state of mailbox @name, with the waiters and backlogs that only
 * /proc/mailboxes shows: 0, -ENOENT, -EEXIST (listed twice), -errno.
 */
int mbt_state(const char *name, struct mbt_state *st)
{
	struct mbt_state p;
	int n = mbt_state_find(name, -1, st);

	if (n == 1)
		n = mbt_proc_find(name, -1, &p);
	if (n < 0)
		return n;
	if (n != 1)
		return n == 0 ? -ENOENT : -EEXIST;
	st->nwaiters = p.nwaiters;
	memcpy(st->waiter_prio, p.waiter_prio, sizeof(p.waiter_prio));
	st->nsubs = p.nsubs;
	memcpy(st->backlog, p.backlog, sizeof(p.backlog));
	return 0;
}

/*
 * Wait at most @timeout_ms until mailbox @name holds @depth messages and
 * has @swait sleeping senders and @rwait receivers (each ignored when
 * negative). 0 with its state in *@st, or -ETIMEDOUT with the last seen.
 */
int mbt_state_wait(const char *name, int depth, int swait, int rwait,
		   long timeout_ms, struct mbt_state *st)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);

	for (;;) {
		if (!mbt_state(name, st) &&
		    (depth < 0 || st->depth == (uint32_t)depth) &&
		    (swait < 0 || st->senders_waiting == (uint32_t)swait) &&
		    (rwait < 0 || st->receivers_waiting == (uint32_t)rwait))
			return 0;
		if (mbt_now_ns() >= end) {
			fprintf(stderr, "# %s: want depth %d swait %d rwait %d, have %u %u %u\n",
				name, depth, swait, rwait, st->depth,
				st->senders_waiting, st->receivers_waiting);
			return -ETIMEDOUT;
		}
		mbt_sleep_ms(2);
	}
}

/* Two subscribers, with backlogs @x and @y in either order. */
bool mbt_backlog_is(const struct mbt_state *st, uint32_t x, uint32_t y)
{
	return st->nsubs == 2 &&
	       ((st->backlog[0] == x && st->backlog[1] == y) ||
		(st->backlog[0] == y && st->backlog[1] == x));
}
