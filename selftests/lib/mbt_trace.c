// SPDX-License-Identifier: GPL-2.0
/*
 * The module's trace events read back (mailbox_trace*.c): a trace instance
 * of the test's own with only the mailbox events on and the "global" clock
 * (so that events of different CPUs come out in order), its "trace" file
 * parsed into struct mbt_event, checks of the events, and a blocking call
 * in a child process, which the test waits for by its wait event.
 */
#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/stat.h>

#define MBT_LIB
#include "mbt.h"

#define TRACEFS		"/sys/kernel/tracing"

const char *const mbt_ev_names[MBT_EVT_TYPES] = {
	[MBT_EVT_SEND] = "send",
	[MBT_EVT_RECEIVE] = "receive",
	[MBT_EVT_WAIT] = "wait",
	[MBT_EVT_WAKE] = "wake",
};

/* The events' names in the trace system, as the trace file prints them. */
static const char *const ev_trace_names[MBT_EVT_TYPES] = {
	[MBT_EVT_SEND] = MBT_EV_SEND,
	[MBT_EVT_RECEIVE] = MBT_EV_RECEIVE,
	[MBT_EVT_WAIT] = MBT_EV_WAIT,
	[MBT_EVT_WAKE] = MBT_EV_WAKE,
};

/* ---- the trace file -------------------------------------------------- */

/* Where @line names a mailbox event, and which: its fields, or NULL. */
static const char *event_start(const char *line, int *type)
{
	char key[48];
	const char *p;
	int t;

	for (t = 0; t < MBT_EVT_TYPES; t++) {
		snprintf(key, sizeof(key), ": %s: name=", ev_trace_names[t]);
		p = strstr(line, key);
		if (p) {
			*type = t;
			return p + strlen(key) - strlen("name=");
		}
	}
	return NULL;
}

/*
 * Parse @line of a trace file into @e: 1, 0 if it is no mailbox event,
 * -EPROTO if it is one but does not have the format of kmailbox_trace.h.
 */
static int event_parse(const char *line, struct mbt_event *e)
{
	const char *p;
	int n = -1;

	memset(e, 0, sizeof(*e));
	p = event_start(line, &e->type);
	if (!p)
		return 0;
	snprintf(e->line, sizeof(e->line), "%s", line);
	e->line[strcspn(e->line, "\n")] = 0;
	switch (e->type) {
	case MBT_EVT_SEND:
		sscanf(p, "name=%63s pid=%d len=%llu prio=%u%n", e->name,
		       &e->pid, &e->len, &e->prio, &n);
		break;
	case MBT_EVT_RECEIVE:
		sscanf(p, "name=%63s pid=%d from=%d len=%llu prio=%u "
		       "latency=%llu%n", e->name, &e->pid, &e->from, &e->len,
		       &e->prio, &e->latency, &n);
		break;
	case MBT_EVT_WAIT:
		sscanf(p, "name=%63s pid=%d op=%7s len=%llu%n", e->name,
		       &e->pid, e->op, &e->len, &n);
		break;
	default:
		sscanf(p, "name=%63s pid=%d op=%7s len=%llu ret=%d "
		       "latency=%llu%n", e->name, &e->pid, e->op, &e->len,
		       &e->ret, &e->latency, &n);
		break;
	}
	if (n < 0 || strspn(p + n, "\n") != strlen(p + n))
		return -EPROTO;
	return 1;
}

int mbt_events_read(const struct mbt_trace *t, const char *name,
		    struct mbt_event *ev)
{
	char path[160], line[MBT_EVENT_LINE];
	int n = 0, ret = 0;
	struct mbt_event e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", t->inst);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret >= 0 && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		ret = event_parse(line, &e);
		if (ret < 0)
			fprintf(stderr, "# unparsable event: %s", line);
		if (ret <= 0 || strcmp(e.name, name))
			continue;
		if (n == MBT_MAX_EVENTS)
			ret = -E2BIG;
		else
			ev[n++] = e;
	}
	fclose(f);
	return ret < 0 ? ret : n;
}

int mbt_event_index(const struct mbt_event *ev, int n, int type, pid_t pid,
		    int nth)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].type == type && (!pid || ev[i].pid == pid) &&
		    nth-- == 0)
			return i;
	return -1;
}

int mbt_event_count(const struct mbt_event *ev, int n, int type, pid_t pid)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		count += ev[i].type == type && (!pid || ev[i].pid == pid);
	return count;
}

const char *mbt_event_seq(const struct mbt_event *ev, int n, char *buf,
			  size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				mbt_ev_names[ev[i].type]);
	return buf;
}

bool mbt_events_are(const struct mbt_trace *t, const char *name,
		    struct mbt_event *ev, const char *seq, int *count)
{
	char got[MBT_MAX_EVENTS * 8 + 1];
	int n = mbt_events_read(t, name, ev);

	*count = n < 0 ? 0 : n;
	if (n < 0) {
		fprintf(stderr, "# reading the events of %s: %s\n", name,
			strerror(-n));
		return false;
	}
	if (strcmp(seq, mbt_event_seq(ev, n, got, sizeof(got)))) {
		fprintf(stderr, "# events of %s: \"%s\", expected \"%s\"\n",
			name, got, seq);
		return false;
	}
	return true;
}

int mbt_events_wait(const struct mbt_trace *t, const char *name, int type,
		    pid_t pid, int count, long timeout_ms)
{
	uint64_t end = mbt_deadline_ms(timeout_ms);
	struct mbt_event ev[MBT_MAX_EVENTS];
	long pause_ms = 1;
	int n;

	/*
	 * Each read opens the "trace" file anew (on 6.1 that waits for an
	 * RCU grace period) and walks every CPU's buffer: back off to 32 ms
	 * between reads, not to load a slow guest while the process waited
	 * for is on its way to sleep.
	 */
	for (;;) {
		n = mbt_events_read(t, name, ev);
		if (n < 0)
			return n;
		if (mbt_event_count(ev, n, type, pid) >= count)
			return 0;
		if (mbt_now_ns() >= end)
			return -ETIMEDOUT;
		mbt_sleep_ms(pause_ms);
		pause_ms = pause_ms < 32 ? pause_ms * 2 : 32;
	}
}

/*
 * Compare one field of an event; on a difference log it with the event
 * and clear *@ok.
 */
static void field_is(bool *ok, const struct mbt_event *e, const char *field,
		     long long want, long long got)
{
	if (want == got)
		return;
	fprintf(stderr, "# %s %lld, expected %lld: %s\n", field, got, want,
		e->line);
	*ok = false;
}

static bool type_is(const struct mbt_event *e, int type)
{
	if (e->type == type)
		return true;
	fprintf(stderr, "# not a %s event: %s\n", mbt_ev_names[type], e->line);
	return false;
}

bool mbt_event_is_send(const struct mbt_event *e, pid_t pid, size_t len,
		       unsigned int prio)
{
	bool ok = type_is(e, MBT_EVT_SEND);

	field_is(&ok, e, "pid", pid, e->pid);
	field_is(&ok, e, "len", len, e->len);
	field_is(&ok, e, "prio", prio, e->prio);
	return ok;
}

bool mbt_event_is_receive(const struct mbt_event *e, pid_t pid, pid_t from,
			  size_t len, unsigned int prio)
{
	bool ok = type_is(e, MBT_EVT_RECEIVE);

	field_is(&ok, e, "pid", pid, e->pid);
	field_is(&ok, e, "from", from, e->from);
	field_is(&ok, e, "len", len, e->len);
	field_is(&ok, e, "prio", prio, e->prio);
	return ok;
}

bool mbt_event_is_sleep(const struct mbt_event *e, int type, pid_t pid,
			const char *op, size_t len, int ret)
{
	bool ok = type_is(e, type);

	field_is(&ok, e, "pid", pid, e->pid);
	field_is(&ok, e, "len", len, e->len);
	if (type == MBT_EVT_WAKE)
		field_is(&ok, e, "ret", ret, e->ret);
	if (strcmp(op, e->op)) {
		fprintf(stderr, "# op %s, expected %s: %s\n", e->op, op,
			e->line);
		ok = false;
	}
	return ok;
}

/* ---- the trace instance ---------------------------------------------- */

int mbt_trace_write(const struct mbt_trace *t, const char *file,
		    const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", t->inst, file);
	return mbt_write_file(path, val, O_TRUNC);
}

/* Mount tracefs unless it is there: NULL, or why the events are missing. */
static const char *tracefs_missing(void)
{
	if (access(TRACEFS "/events", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return "no tracefs at " TRACEFS;
	if (access(TRACEFS "/instances", F_OK))
		return "tracefs has no instances/";
	if (access(TRACEFS "/" MBT_TRACE_EVENTS, F_OK))
		return "no " MBT_TRACE_EVENTS " (no CONFIG_EVENT_TRACING?)";
	return NULL;
}

/*
 * Make the instance without the "record-cmd" option. An instance takes
 * the top level's options when it is made, and with record-cmd its first
 * enabled event registers the sched_switch and sched_wakeup probes that
 * record the tasks' names (and removing it unregisters them): live
 * patching of the kernel's text, in __schedule() among others. Under QEMU
 * TCG that patching hung the whole guest (a CPU stuck, interrupts off, at
 * the patched trace_sched_switch site in __schedule(); the rmdir waiting
 * for it in text_poke_bp(): "soft lockup ... [mailbox_trace]"). The tests
 * read pids from the events' own fields and need no names. The top-level
 * option is put back at once: the instance keeps its copy.
 */
static int instance_mkdir(const char *path)
{
	const char *opt = TRACEFS "/options/record-cmd";
	char old[8] = "";
	int ret = 0;

	if (mbt_read_file(opt, old, sizeof(old)) > 0 && old[0] == '1' &&
	    mbt_write_file(opt, "0", O_TRUNC))
		old[0] = 0;
	if (mkdir(path, 0700))
		ret = -errno;
	if (old[0] == '1' && mbt_write_file(opt, "1", O_TRUNC))
		fprintf(stderr, "# could not turn %s back on\n", opt);
	return ret;
}

int mbt_trace_open(struct mbt_trace *t, const char **why)
{
	int ret;

	memset(t, 0, sizeof(*t));
	*why = tracefs_missing();
	if (*why)
		return -EOPNOTSUPP;
	snprintf(t->inst, sizeof(t->inst), TRACEFS "/instances/mbt-%d",
		 (int)getpid());
	ret = instance_mkdir(t->inst);
	if (ret) {
		t->inst[0] = 0;
		return ret;
	}
	ret = mbt_trace_write(t, "trace_clock", "global");
	if (!ret)
		ret = mbt_trace_write(t, MBT_TRACE_EVENTS "/enable", "1");
	if (ret) {
		rmdir(t->inst);
		t->inst[0] = 0;
	}
	return ret;
}

void mbt_trace_close(struct mbt_trace *t)
{
	if (t->inst[0] && rmdir(t->inst))
		fprintf(stderr, "# rmdir %s: %s\n", t->inst, strerror(errno));
	t->inst[0] = 0;
}

/* "events/<system>[/<event @type>]/@file" (@type < 0: the system's). */
static void event_file(int type, const char *file, char *buf, size_t size)
{
	if (type < 0)
		snprintf(buf, size, MBT_TRACE_EVENTS "/%s", file);
	else
		snprintf(buf, size, MBT_TRACE_EVENTS "/%s/%s",
			 ev_trace_names[type], file);
}

void mbt_event_path(const struct mbt_trace *t, int type, const char *file,
		    char *path, size_t size)
{
	char rel[96];

	event_file(type, file, rel, sizeof(rel));
	snprintf(path, size, "%s/%s", t ? t->inst : TRACEFS, rel);
}

int mbt_event_set(const struct mbt_trace *t, int type, const char *file,
		  const char *val)
{
	char rel[96];
	int ret;

	event_file(type, file, rel, sizeof(rel));
	ret = mbt_trace_write(t, rel, val);
	if (ret)
		fprintf(stderr, "# writing \"%s\" to %s: %s\n", val, rel,
			strerror(-ret));
	return ret;
}

/* ---- a blocking call in a child --------------------------------------- */

static void on_signal(int sig)
{
	(void)sig;
}

static int call_main(void *p)
{
	struct mbt_call *c = p;
	uint64_t deadline, t0;
	char buf[MBT_CALL_MAX];
	int fd, i;

	/* Hold none of the test's descriptors: closing them must count. */
	for (i = 3; i < 1024; i++)
		close(i);
	fd = mbt_open(c->name, c->send ? MAILBOX_ACCESS_SEND :
					 MAILBOX_ACCESS_RECV);
	MBT_CHILD_CHECK(fd >= 0);
	if (c->handler != MBT_NO_HANDLER)
		MBT_CHILD_CHECK(!mbt_install_handler(on_signal,
				c->handler == MBT_HANDLER_RESTART));
	memset(buf, 'c', sizeof(buf));
	deadline = mbt_deadline_ms(MBT_BLOCK_MS);
	t0 = mbt_now_ns();
	if (c->send)
		c->ret = mbt_send(fd, buf, c->len, c->flags | MAILBOX_DEADLINE,
				  deadline, NULL);
	else
		c->ret = mbt_recv(fd, buf, c->len, c->flags | MAILBOX_DEADLINE,
				  deadline, &c->rcv);
	c->elapsed_ns = mbt_now_ns() - t0;
	return 0;
}

struct mbt_call *mbt_call_new(const char *name, bool send, uint32_t len)
{
	struct mbt_call *c;

	if (len > MBT_CALL_MAX)
		return NULL;
	c = mbt_shared(sizeof(*c));
	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->send = send;
	c->len = len;
	return c;
}

pid_t mbt_call_spawn(struct mbt_kids *kids, struct mbt_call *c)
{
	return mbt_spawn(kids, call_main, c);
}
