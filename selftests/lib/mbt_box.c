// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mailbox for the selftests: raw ioctls with no library in between,
 * so that the tests exercise the kernel interface itself. Each helper
 * returns 0 (or a length, or a descriptor) or -errno. And the fixture's
 * bookkeeping, struct mbt_env.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <sys/mman.h>
#include "mbt.h"

const char mbt_payload[] = "0123456789abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Copy @name into a zeroed name field, cut at MAILBOX_NAME_LEN - 1 bytes. */
void mbt_set_name(char dst[MAILBOX_NAME_LEN], const char *name)
{
	memcpy(dst, name, strnlen(name, MAILBOX_NAME_LEN - 1));
}

/* A unique-enough name: prefix, pid and a counter. */
void mbt_name(char *buf, const char *prefix)
{
	static unsigned int seq;

	snprintf(buf, MAILBOX_NAME_LEN, "%s-%d-%u", prefix, (int)getpid(),
		 seq++);
}

int mbt_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Open /dev/mailbox with O_RDWR | O_CLOEXEC | @oflags: the fd or -errno. */
int mbt_dev_flags(int oflags)
{
	int fd = open(MBT_DEV, O_RDWR | O_CLOEXEC | oflags);

	return fd < 0 ? -errno : fd;
}

int mbt_dev(void)
{
	return mbt_dev_flags(0);
}

/*
 * The module's per-message header, MAILBOX_IOC_VERSION's msg_header: what
 * a message is charged besides its length (64 for modules that do not say).
 */
unsigned long mbt_msg_header(void)
{
	struct mailbox_version v;

	memset(&v, 0, sizeof(v));
	if (mbt_fresh_ioctl(MAILBOX_IOC_VERSION, &v) || !v.msg_header)
		return 64;
	return v.msg_header;
}

/* Issue one ioctl on a new, unbound descriptor and close it again. */
int mbt_fresh_ioctl(unsigned long cmd, void *arg)
{
	int fd = mbt_dev();
	int ret;

	if (fd < 0)
		return fd;
	ret = mbt_ioctl(fd, cmd, arg);
	close(fd);
	return ret;
}

/*
 * For helpers that open /dev/mailbox as @fd and then bind it with an ioctl
 * that returned @ret: @fd, or -errno with @fd closed.
 */
int mbt_fd_or_close(int fd, int ret)
{
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* CREATE @name with @b on @fd: 1 (created), 0 (opened) or -errno. */
int mbt_box_create_fd(int fd, const char *name, const struct mbt_box *b)
{
	struct mailbox_create c;

	memset(&c, 0, sizeof(c));
	mbt_set_name(c.name, name);
	c.flags = b->flags;
	c.access = b->access;
	c.mode = b->mode;
	c.capacity = b->capacity;
	c.msg_size_max = b->msg_size_max;
	c.delivery = b->delivery;
	return mbt_ioctl(fd, MAILBOX_IOC_CREATE, &c);
}

/* A new descriptor bound to @name, created (or opened) with @b; or -errno. */
int mbt_box_create(const char *name, const struct mbt_box *b)
{
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	return mbt_fd_or_close(fd, mbt_box_create_fd(fd, name, b));
}

int mbt_create_ex_fd(int fd, const char *name, uint32_t flags,
		     uint32_t access, uint32_t mode, uint32_t capacity,
		     uint32_t msg_size_max, uint32_t delivery)
{
	struct mbt_box b = { flags, access, mode, capacity, msg_size_max,
			     delivery };

	return mbt_box_create_fd(fd, name, &b);
}

int mbt_create_ex(const char *name, uint32_t flags, uint32_t access,
		  uint32_t mode, uint32_t capacity, uint32_t msg_size_max,
		  uint32_t delivery)
{
	struct mbt_box b = { flags, access, mode, capacity, msg_size_max,
			     delivery };

	return mbt_box_create(name, &b);
}

/* CREATE (queue delivery, every access) on @fd: the ioctl's result. */
int mbt_create_fd(int fd, const char *name, uint32_t flags, uint32_t mode,
		  uint32_t capacity, uint32_t msg_size_max)
{
	return mbt_create_ex_fd(fd, name, flags, MAILBOX_ACCESS_ALL, mode,
				capacity, msg_size_max, MAILBOX_DELIVER_QUEUE);
}

/* A new descriptor with a queue mailbox of every access: fd or -errno. */
int mbt_create(const char *name, uint32_t flags, uint32_t mode,
	       uint32_t capacity, uint32_t msg_size_max)
{
	return mbt_create_ex(name, flags, MAILBOX_ACCESS_ALL, mode, capacity,
			     msg_size_max, MAILBOX_DELIVER_QUEUE);
}

/* A new descriptor (@oflags: O_NONBLOCK) bound to @name: fd or -errno. */
int mbt_open_flags(const char *name, uint32_t access, int oflags)
{
	struct mailbox_open o;
	int fd = mbt_dev_flags(oflags);

	if (fd < 0)
		return fd;
	memset(&o, 0, sizeof(o));
	mbt_set_name(o.name, name);
	o.access = access;
	return mbt_fd_or_close(fd, mbt_ioctl(fd, MAILBOX_IOC_OPEN, &o));
}

int mbt_open(const char *name, uint32_t access)
{
	return mbt_open_flags(name, access, 0);
}

int mbt_unlink(const char *name)
{
	struct mailbox_unlink u;

	memset(&u, 0, sizeof(u));
	mbt_set_name(u.name, name);
	return mbt_fresh_ioctl(MAILBOX_IOC_UNLINK, &u);
}

/* The argument of CREATE, OPEN and UNLINK with these fields, zero else. */
struct mailbox_create mbt_create_args(const char *name, uint32_t flags,
				      uint32_t access, uint32_t mode,
				      uint32_t capacity, uint32_t msg_size_max)
{
	struct mailbox_create c = {
		.flags = flags, .access = access, .mode = mode,
		.capacity = capacity, .msg_size_max = msg_size_max,
	};

	mbt_set_name(c.name, name);
	return c;
}

struct mailbox_open mbt_open_args(const char *name, uint32_t access)
{
	struct mailbox_open o = { .access = access };

	mbt_set_name(o.name, name);
	return o;
}

struct mailbox_unlink mbt_unlink_args(const char *name)
{
	struct mailbox_unlink u = { .flags = 0 };

	mbt_set_name(u.name, name);
	return u;
}

/* Result of opening @name with @access: 0 or -errno; nothing stays open. */
int mbt_open_result(const char *name, uint32_t access)
{
	struct mailbox_open o = mbt_open_args(name, access);

	return mbt_fresh_ioctl(MAILBOX_IOC_OPEN, &o);
}

/* Result of CREATE (no EXCL, 0600, 4 x 64) of @name: 1, 0 or -errno. */
int mbt_create_result(const char *name, uint32_t access)
{
	struct mailbox_create c = mbt_create_args(name, 0, access, 0600, 4,
						  64);

	return mbt_fresh_ioctl(MAILBOX_IOC_CREATE, &c);
}

int mbt_stat(int fd, struct mailbox_info *info)
{
	memset(info, 0, sizeof(*info));
	return mbt_ioctl(fd, MAILBOX_IOC_STAT, info);
}

/*
 * Fill a struct mailbox_send with every field and issue @cmd (SEND or
 * SEND_TO) with it. *@out, if given, gets the structure as the kernel left
 * it (receiver_pid, receivers). All the send helpers come here.
 */
int mbt_send_cmd(int fd, unsigned long cmd, int32_t to_pid, const void *buf,
		 uint32_t len, uint32_t flags, uint64_t deadline,
		 uint32_t priority, struct mailbox_send *out)
{
	struct mailbox_send s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.buf = (uintptr_t)buf;
	s.len = len;
	s.flags = flags;
	s.deadline_ns = deadline;
	s.priority = priority;
	s.to_pid = to_pid;
	ret = mbt_ioctl(fd, cmd, &s);
	if (out)
		*out = s;
	return ret;
}

/* SEND; @deadline counts with MAILBOX_DEADLINE; *@receiver: receiver_pid. */
int mbt_send(int fd, const void *buf, uint32_t len, uint32_t flags,
	     uint64_t deadline, int32_t *receiver)
{
	struct mailbox_send s;
	int ret;

	ret = mbt_send_cmd(fd, MAILBOX_IOC_SEND, 0, buf, len, flags, deadline,
			   0, &s);
	if (receiver)
		*receiver = s.receiver_pid;
	return ret;
}

/* SEND (@to_pid 0) or SEND_TO (@to_pid != 0) with every field. */
int mbt_send_ex(int fd, int32_t to_pid, const void *buf, uint32_t len,
		uint32_t flags, uint64_t deadline, uint32_t priority,
		struct mailbox_send *out)
{
	return mbt_send_cmd(fd, to_pid ? MAILBOX_IOC_SEND_TO : MAILBOX_IOC_SEND,
			    to_pid, buf, len, flags, deadline, priority, out);
}

/* SEND_TO process @pid through any descriptor @fd. */
int mbt_send_to(int fd, int32_t pid, const void *buf, uint32_t len,
		uint32_t flags, uint64_t deadline, struct mailbox_send *out)
{
	return mbt_send_cmd(fd, MAILBOX_IOC_SEND_TO, pid, buf, len, flags,
			    deadline, 0, out);
}

/* SEND the string @s without its NUL; with MAILBOX_DEADLINE, MBT_SLACK_MS. */
int mbt_send_str(int fd, const char *s, uint32_t flags)
{
	uint64_t deadline = 0;

	if (flags & MAILBOX_DEADLINE)
		deadline = mbt_deadline_ms(MBT_SLACK_MS);
	return mbt_send(fd, s, strlen(s), flags, deadline, NULL);
}

/* RECV only what process @from_pid sent (0: from anyone). */
int mbt_recv_from(int fd, int32_t from_pid, void *buf, uint32_t size,
		  uint32_t flags, uint64_t deadline, struct mailbox_recv *out)
{
	struct mailbox_recv r = {
		.buf = (uintptr_t)buf, .size = size, .flags = flags,
		.deadline_ns = deadline, .from_pid = from_pid,
	};
	int ret = mbt_ioctl(fd, MAILBOX_IOC_RECV, &r);

	if (out)
		*out = r;
	return ret;
}

/* RECV into @buf: the length or -errno; *@out gets the metadata. */
int mbt_recv(int fd, void *buf, uint32_t size, uint32_t flags,
	     uint64_t deadline, struct mailbox_recv *out)
{
	return mbt_recv_from(fd, 0, buf, size, flags, deadline, out);
}

/*
 * OPEN_DIRECT on @fd with the given attributes and policy (@pids: @count
 * pids for MAILBOX_POLICY_LIST, else NULL and 0). Returns 1 (created),
 * 0 (bound to the existing one) or -errno.
 */
int mbt_open_direct_fd(int fd, uint32_t capacity, uint32_t msg_size_max,
		       uint32_t delivery, uint32_t policy, const int32_t *pids,
		       uint32_t count)
{
	struct mailbox_direct d;

	memset(&d, 0, sizeof(d));
	d.capacity = capacity;
	d.msg_size_max = msg_size_max;
	d.delivery = delivery;
	d.policy = policy;
	d.count = count;
	d.pids = (uintptr_t)pids;
	return mbt_ioctl(fd, MAILBOX_IOC_OPEN_DIRECT, &d);
}

/* A new descriptor bound to this process's direct mailbox (policy ANY). */
int mbt_open_direct(uint32_t capacity, uint32_t msg_size_max,
		    uint32_t delivery)
{
	int fd = mbt_dev();

	if (fd < 0)
		return fd;
	return mbt_fd_or_close(fd, mbt_open_direct_fd(fd, capacity,
						      msg_size_max, delivery,
						      MAILBOX_POLICY_ANY,
						      NULL, 0));
}

int mbt_set_policy(int fd, uint32_t policy, const int32_t *pids,
		   uint32_t count)
{
	struct mailbox_policy p;

	memset(&p, 0, sizeof(p));
	p.policy = policy;
	p.count = count;
	p.pids = (uintptr_t)pids;
	return mbt_ioctl(fd, MAILBOX_IOC_SET_POLICY, &p);
}

int mbt_set_recv_prio(int fd, uint32_t priority)
{
	struct mailbox_recv_prio p;

	memset(&p, 0, sizeof(p));
	p.priority = priority;
	return mbt_ioctl(fd, MAILBOX_IOC_SET_RECV_PRIO, &p);
}

/* ---- the fixture ------------------------------------------------------- */

/*
 * Start @e for a test whose names begin with @prefix: 0, or -ENOENT when
 * /dev/mailbox is missing (the module is not loaded).
 */
int mbt_env_init(struct mbt_env *e, const char *prefix)
{
	memset(e, 0, sizeof(*e));
	e->owner = getpid();
	e->prefix = prefix;
	e->fd = -1;
	return access(MBT_DEV, F_OK) ? -ENOENT : 0;
}

/*
 * A new name starting with @prefix, unlinked again by mbt_env_cleanup()
 * (also if the test changes it); NULL if there are too many.
 */
char *mbt_env_name_as(struct mbt_env *e, const char *prefix)
{
	if (e->nnames >= MBT_MAX_NAMES)
		return NULL;
	mbt_name(e->names[e->nnames], prefix);
	return e->names[e->nnames++];
}

/* A new name starting with the fixture's prefix. */
const char *mbt_env_name(struct mbt_env *e)
{
	return mbt_env_name_as(e, e->prefix ? e->prefix : "mbt");
}

/*
 * Undo what the test did: in the test's process, kill its children and
 * close its descriptor; in either, unlink its names and restore the
 * module parameters, the last changed first.
 */
void mbt_env_cleanup(struct mbt_env *e)
{
	bool owner = e->owner == getpid();
	int i;

	if (owner) {
		mbt_kill_all(&e->kids);
		if (e->fd >= 0)
			close(e->fd);
		e->fd = -1;
		if (e->res)
			munmap(e->res, MBT_MAX_SLOTS * sizeof(*e->res));
		e->res = NULL;
	}
	for (i = 0; i < e->nnames; i++)
		mbt_unlink(e->names[i]);
	e->nnames = 0;
	for (i = e->nparams - 1; i >= 0; i--)
		mbt_param_write(e->params[i].param, e->params[i].old);
	e->nparams = 0;
}
