/* SPDX-License-Identifier: GPL-2.0 */
/*
 * example_util.h - the small parts that the producer/consumer examples
 * (prodcon over a kernel mailbox, shmprodcon over a shared-memory ring)
 * have in common: argument parsing and the numbered messages they pass.
 * Header-only; each example includes it once.
 */
#ifndef EXAMPLE_UTIL_H
#define EXAMPLE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define EX_TIMEOUT_MS 10000	/* per message: a lost message fails, not hangs */

/* More than @max arguments: print "usage: USAGE" and exit 2. */
static inline void ex_usage(int argc, int max, const char *usage)
{
	if (argc - 1 > max) {
		fprintf(stderr, "usage: %s\n", usage);
		exit(2);
	}
}

/*
 * Argument @i, decimal 0..10^9, or @dflt if there are fewer arguments. A
 * bad one prints "PROG: bad WHAT" and exits 2.
 */
static inline unsigned long ex_arg(const char *prog, int argc, char **argv,
				   int i, const char *what,
				   unsigned long dflt)
{
	const char *s;
	unsigned long v;
	char *end;

	if (argc <= i)
		return dflt;
	s = argv[i];
	v = strtoul(s, &end, 10);
	if (!*s || *end || v > 1000000000UL) {
		fprintf(stderr, "%s: bad %s '%s'\n", prog, what, s);
		exit(2);
	}
	return v;
}

/* Message number @seq from @pid, as the producers send it. Returns its
 * length (without the NUL). */
static inline int ex_msg(char *buf, size_t size, unsigned long seq, pid_t pid)
{
	return snprintf(buf, size, "seq %lu from pid %d", seq, (int)pid);
}

/*
 * The consumer's check of message @seq, whose receive returned @n (the
 * length, or -errno) into @buf (room for @n + 1 bytes): it must be what
 * @pid sent as number @seq, and @from (the sender the transport reports,
 * -1 if it reports none) must be @pid. A failed receive or a mismatch
 * counts in *@bad; the first five mismatches are printed.
 *
 * Return: 0 to go on, -1 if the receive failed (the stream is over).
 */
static inline int ex_check(const char *prog, char *buf, ssize_t n,
			   unsigned long seq, pid_t pid, pid_t from,
			   unsigned long *bad)
{
	char want[64];

	if (n < 0) {
		fprintf(stderr, "%s: consumer: receive %lu: %s\n", prog, seq,
			strerror((int)-n));
		(*bad)++;
		return -1;
	}
	buf[n] = '\0';
	ex_msg(want, sizeof(want), seq, pid);
	if (!strcmp(buf, want) && (from == -1 || from == pid))
		return 0;
	if ((*bad)++ >= 5)
		return 0;
	if (from != -1)
		fprintf(stderr, "%s: consumer: got '%s' from pid %d, expected '%s'\n",
			prog, buf, (int)from, want);
	else
		fprintf(stderr, "%s: consumer: got '%s', expected '%s'\n",
			prog, buf, want);
	return 0;
}

#endif /* EXAMPLE_UTIL_H */
