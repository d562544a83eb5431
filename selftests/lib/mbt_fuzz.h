/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mbt: fuzzing - a seeded generator, numbers from the environment,
 * documented errnos, random arguments, and consistency checks of STAT and
 * of every mailbox listed (mbt_fuzz.c).
 * Included at the end of mbt.h, which tests include; not on its own.
 */
#ifndef MBT_FUZZ_H
#define MBT_FUZZ_H

#include "mbt.h"

/* ---- mbt_fuzz.c -------------------------------------------------------- */

/* A seeded generator (splitmix64): the same seed, the same draws. */
struct mbt_rng {
	uint64_t s;
};

uint64_t mbt_rnd64(struct mbt_rng *r);
uint32_t mbt_rnd(struct mbt_rng *r, uint32_t n);	/* 0 .. n - 1 */
bool mbt_chance(struct mbt_rng *r, uint32_t percent);
#define MBT_PICK(r, arr) ((arr)[mbt_rnd(r, MBT_ARRAY_SIZE(arr))])

/* The number in environment variable @var, or @def if unset or not one. */
unsigned long mbt_env_ul(const char *var, unsigned long def);
/* A seed: environment variable @var's, else from the time and pid. */
unsigned int mbt_seed(const char *var);
/* @e is an errno the module documents for some call. */
bool mbt_errno_ok(int e);

#define MBT_FUZZ_THREADS	4	/* of a fuzz test */
#define MBT_FUZZ_SLOTS		16	/* descriptors shared by them */
#define MBT_FUZZ_LOGGED		20	/* bad results logged in detail */
#define MBT_FUZZ_NAMES		512	/* of one test, unlinked at the end */

/*
 * What a fuzz test shares with its threads: the seed, a prefix for its
 * names, descriptors swapped at random, the memory random arguments point
 * into, and the count of bad results.
 */
struct mbt_fuzz {
	unsigned int seed;
	char prefix[24];		/* "fz<pid>-" */
	pid_t pid;			/* the test's process */
	int slot[MBT_FUZZ_SLOTS];	/* -1 or a descriptor */
	long page;
	char *dbuf;			/* dbuf_size bytes, then a guard page */
	size_t dbuf_size;
	char *guard;			/* PROT_NONE */
	char *ro;			/* one read-only page of 0xff */
	char *guard2;			/* PROT_NONE, after @ro */
	pthread_mutex_t log_lock;
	unsigned long bad;		/* undocumented errnos and the like */
	unsigned long logged;
};

/*
 * Set up @f: seed from environment variable @seed_var (or the time),
 * slots empty, and unless @dbuf_size is 0 the memory [dbuf][guard][ro]
 * [guard2], all 0xff, which no call accepts as arguments. 0 or -errno.
 */
int mbt_fuzz_init(struct mbt_fuzz *f, const char *seed_var,
		  size_t dbuf_size);
void mbt_fuzz_close_slots(struct mbt_fuzz *f);
/* Count a bad result; log the first MBT_FUZZ_LOGGED with the seed. */
void mbt_complain(struct mbt_fuzz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Complain if @ret < 0 with an errno the module does not document. */
void mbt_check_ret(struct mbt_fuzz *f, const char *what, int tid, int ret);

/* Random argument parts; the pointers into @f's memory or the kernel's. */
uint64_t mbt_rnd_kernel_ptr(struct mbt_rng *r);
uint64_t mbt_rnd_data_ptr(struct mbt_rng *r, const struct mbt_fuzz *f);
/*
 * An ioctl's argument: mostly @valid, sometimes NULL, 1, the read-only
 * page, a structure straddling the end of a mapping or a kernel address;
 * never memory the kernel could write and a later call read back.
 */
void *mbt_rnd_arg(struct mbt_rng *r, const struct mbt_fuzz *f, void *valid,
		  size_t size);
/* A length: up to @msg_max + 1, or one at an edge. */
uint32_t mbt_rnd_len(struct mbt_rng *r, const struct mbt_fuzz *f,
		     uint32_t msg_max);
/* Sometimes a random bit set in the reserved bytes @p. */
void mbt_rnd_reserved(struct mbt_rng *r, void *p, size_t size);
/* Mostly @valid bits, sometimes others. */
uint32_t mbt_rnd_bits(struct mbt_rng *r, uint32_t valid);
/* A MAILBOX_DEADLINE deadline: never more than 1 ms ahead. */
uint64_t mbt_rnd_deadline(struct mbt_rng *r);
/*
 * Flags of a send or receive among @valid: random, but whenever the call
 * might sleep (no MAILBOX_NONBLOCK) with MAILBOX_DEADLINE and a deadline
 * at most 1 ms ahead.
 */
void mbt_rnd_xfer_flags(struct mbt_rng *r, uint32_t valid, __u32 *flags,
			__u64 *deadline);

/*
 * What a batch returned, @ret, and left in @b, given what @in was: NULL
 * when consistent, else what is wrong.
 */
const char *mbt_batch_bad(int ret, const struct mailbox_batch *in,
			  const struct mailbox_batch *b, bool recv);
/*
 * STAT of @fd, if it answers, is consistent (@slack: messages beyond the
 * capacity that racing calls may show); @idle: no call is in the kernel,
 * so none waits. Logs what is wrong.
 */
bool mbt_stat_sane(int fd, uint32_t slack, bool idle);
/* Every mailbox listed is consistent: the number that is not, or -errno. */
int mbt_states_sane(uint32_t slack);
/*
 * Unlink every mailbox named @prefix...: how many are still listed, plus
 * how many inconsistent ones were (as mbt_states_sane(@slack)).
 */
int mbt_unlink_prefix(const char *prefix, uint32_t slack);

#endif /* MBT_FUZZ_H */
