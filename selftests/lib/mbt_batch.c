// SPDX-License-Identifier: GPL-2.0
/*
 * SEND_BATCH and RECV_BATCH for the selftests: entries made ready, the
 * batch issued, its result and entries checked (each check logs what it
 * found and returns false), children that run a batch while the test
 * watches, and pages that fault where an entry or a buffer lies.
 */
#define _GNU_SOURCE
#define MBT_LIB
#include <sys/mman.h>
#include "mbt.h"

/* Message @k (0 <= k < MBT_BATCH_NMSG): "m<k>" and k dots. */
const char *mbt_bmsg(int k)
{
	static char tab[MBT_BATCH_NMSG][MBT_BATCH_NMSG + 4];
	int n = snprintf(tab[k], sizeof(tab[k]), "m%d", k);

	memset(tab[k] + n, '.', k);
	tab[k][n + k] = '\0';
	return tab[k];
}

uint32_t mbt_bmsg_len(int k)
{
	return strlen(mbt_bmsg(k));
}

/* A send entry of @len bytes at @buf; receivers marked untouched. */
void mbt_set_send(struct mailbox_send *s, const void *buf, uint32_t len,
		  uint32_t flags)
{
	*s = (struct mailbox_send){ .buf = (uintptr_t)buf, .len = len,
				    .flags = flags,
				    .receivers = MBT_UNTOUCHED };
}

/* Entries 0 to @n - 1 send mbt_bmsg(@first + k) to the bound mailbox. */
void mbt_set_sends(struct mailbox_send *s, int n, int first)
{
	int k;

	for (k = 0; k < n; k++)
		mbt_set_send(&s[k], mbt_bmsg(first + k),
			     mbt_bmsg_len(first + k), 0);
}

/* A receive entry into @size bytes at @buf; len marked untouched. */
void mbt_set_recv(struct mailbox_recv *r, void *buf, uint32_t size,
		  uint32_t flags)
{
	*r = (struct mailbox_recv){ .buf = (uintptr_t)buf, .size = size,
				    .flags = flags, .len = MBT_UNTOUCHED };
}

/* Entries 0 to @n - 1 receive into @bufs, filled with 0x5a. */
void mbt_set_recvs(struct mailbox_recv *r, int n,
		   char (*bufs)[MBT_BATCH_BUF])
{
	int k;

	memset(bufs, 0x5a, n * MBT_BATCH_BUF);
	for (k = 0; k < n; k++)
		mbt_set_recv(&r[k], bufs[k], MBT_BATCH_BUF, 0);
}

/* Issue @cmd on @count entries at @msgs; *@b gets the batch as left. */
int mbt_batch(int fd, unsigned long cmd, const void *msgs, uint32_t count,
	      struct mailbox_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->msgs = (uintptr_t)msgs;
	b->count = count;
	return mbt_ioctl(fd, cmd, b);
}

/*
 * A batch returned @ret and left @b: @want entries done and then @error,
 * or, when @want is an errno, failed at its first entry with done and
 * error left zero.
 */
bool mbt_batch_is(int ret, const struct mailbox_batch *b, int want,
		  int error)
{
	uint32_t done = want > 0 ? want : 0;

	if (want <= 0)
		error = 0;
	if (ret == want && b->done == done && b->error == error)
		return true;
	fprintf(stderr, "# batch: expected %d (done %u, error %d), got %d (done %u, error %d)\n",
		want, done, error, ret, b->done, b->error);
	return false;
}

/* Receive entry @r, with buffer @buf (0x5a after it), got @want from @sender. */
bool mbt_entry_got(const struct mailbox_recv *r, const char *buf,
		   const char *want, pid_t sender)
{
	uint32_t n = strlen(want);

	if (r->len == n && !memcmp(buf, want, n) && buf[n] == 0x5a &&
	    r->sender_pid == sender)
		return true;
	fprintf(stderr, "# entry: expected \"%s\" from %d, got len %u \"%.*s\" from %d\n",
		want, (int)sender, r->len, (int)(r->len < n ? r->len : n),
		buf, r->sender_pid);
	return false;
}

/* The mailbox of @fd holds exactly the @n messages @want, in order. */
bool mbt_msgs_are(int fd, const char *const *want, int n)
{
	int k;

	for (k = 0; k < n; k++)
		if (!mbt_recv_is(fd, 0, want[k], 0, NULL))
			return false;
	return mbt_recv_is(fd, 0, NULL, 0, NULL);
}

/*
 * Copy each nonzero 32-bit word of @patch over @dst (@size bytes, a
 * multiple of 4): the fields a uapi structure's patch sets, as all its
 * fields are made of such words.
 */
void mbt_overlay(void *dst, const void *patch, size_t size)
{
	const char *p = patch;
	char *d = dst;
	uint32_t w;
	size_t i;

	for (i = 0; i + sizeof(w) <= size; i += sizeof(w)) {
		memcpy(&w, p + i, sizeof(w));
		if (w)
			memcpy(d + i, &w, sizeof(w));
	}
}

/* Map @p's three pages: read-write, none, read-only. 0 or -errno. */
int mbt_pages_init(struct mbt_pages *p)
{
	p->size = sysconf(_SC_PAGESIZE);
	p->rw = mmap(NULL, 3 * p->size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->rw == MAP_FAILED)
		return -errno;
	p->none = p->rw + p->size;
	p->ro = p->none + p->size;
	if (mprotect(p->none, p->size, PROT_NONE) ||
	    mprotect(p->ro, p->size, PROT_READ))
		return -errno;
	return 0;
}

/* @size bytes of @src in the read-only page: that page, or NULL. */
void *mbt_ro_copy(const struct mbt_pages *p, const void *src, size_t size)
{
	if (size > p->size || mprotect(p->ro, p->size, PROT_READ | PROT_WRITE))
		return NULL;
	memcpy(p->ro, src, size);
	return mprotect(p->ro, p->size, PROT_READ) ? NULL : p->ro;
}

/* ---- children running a batch ----------------------------------------- */

static struct mbt_bkid *mbt_bkid_tab;

/* The children's batches, in memory shared with them, mapped once. */
struct mbt_bkid *mbt_bkids(void)
{
	if (!mbt_bkid_tab)
		mbt_bkid_tab = mbt_shared(MBT_MAX_SLOTS *
					  sizeof(*mbt_bkid_tab));
	return mbt_bkid_tab;
}

struct mbt_bjob_arg {
	const char *name;
	struct mbt_bkid *k;
	const struct mbt_bjob *job;
};

static int mbt_bjob_main(void *p)
{
	const struct mbt_bjob_arg *a = p;
	const struct mbt_bjob *job = a->job;
	struct mbt_bkid *k = a->k;
	int fd = mbt_open(a->name, MAILBOX_ACCESS_ALL);
	char *ro = NULL;
	uint32_t i;

	MBT_CHILD_CHECK(fd >= 0);
	MBT_CHILD_CHECK(job->count <= MBT_BATCH_NENT);
	MBT_CHILD_CHECK(!mbt_sigcount_install(job->handler));
	if (job->ro_buf) {
		ro = mbt_page(PROT_READ);
		MBT_CHILD_CHECK(ro != NULL);
	}
	if (job->recv)
		mbt_set_recvs(k->r, job->count, k->data);
	else
		mbt_set_sends(k->s, job->count, job->first);
	for (i = 0; ro && i < job->count; i++)
		k->r[i].buf = (uintptr_t)ro;
	k->t_start = mbt_now_ns();
	k->ret = mbt_batch(fd, job->recv ? MAILBOX_IOC_RECV_BATCH :
			   MAILBOX_IOC_SEND_BATCH,
			   job->recv ? (void *)k->r : (void *)k->s,
			   job->count, &k->b);
	k->t_end = mbt_now_ns();
	close(fd);
	return 0;
}

/*
 * Start a child running @job on the first name of @e, reporting into
 * result slot @idx of mbt_bkids(): its pid or -errno.
 */
pid_t mbt_bjob_spawn(struct mbt_env *e, int idx, const struct mbt_bjob *job)
{
	struct mbt_bkid *tab = mbt_bkids();
	struct mbt_bjob_arg a = { e->names[0], NULL, job };

	if (idx < 0 || idx >= MBT_MAX_SLOTS)
		return -EINVAL;
	if (!tab || mbt_sigcount_init())
		return -ENOMEM;
	a.k = &tab[idx];
	memset(a.k, 0, sizeof(*a.k));
	a.k->ret = MBT_NOT_DONE;
	return mbt_slot_spawn(&e->kids, idx, mbt_bjob_main, &a);
}
