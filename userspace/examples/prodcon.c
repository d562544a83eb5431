// SPDX-License-Identifier: GPL-2.0
/*
 * prodcon - producer/consumer over a kernel mailbox, with libmailbox.
 *
 * Usage: prodcon [COUNT [CAPACITY]]   (defaults: 1000 messages, capacity 8)
 *
 * The parent creates an owned mailbox (it dies with the parent's
 * descriptor) and forks. The child opens it by name for sending only and
 * produces COUNT numbered messages "seq N from pid P"; the parent consumes
 * them, checks that they arrive in order, complete and from the child, and
 * prints a summary. With a small capacity the producer has to block, which
 * the summary shows. Exit status 0 if everything checked out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "mailbox.h"

#define TIMEOUT_MS 10000	/* per message: a lost message fails, not hangs */

static unsigned long arg(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > 1000000000UL) {
		fprintf(stderr, "prodcon: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static int producer(const char *name, unsigned long count)
{
	char msg[64];
	int fd, ret;

	fd = mbox_open(name, MBOX_SEND_ONLY);
	if (fd < 0) {
		fprintf(stderr, "prodcon: producer: open '%s': %s\n", name,
			strerror(-fd));
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		struct timespec dl;
		int len = snprintf(msg, sizeof(msg), "seq %lu from pid %d", i,
				   (int)getpid());

		mbox_deadline_after(&dl, TIMEOUT_MS);
		ret = mbox_timedsend(fd, msg, (size_t)len, &dl);
		if (ret) {
			fprintf(stderr, "prodcon: producer: send %lu: %s\n", i,
				strerror(-ret));
			mbox_close(fd);
			return 1;
		}
	}
	mbox_close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count = 1000, i, bad = 0;
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_stat st;
	char name[MBOX_NAME_MAX + 1], buf[64], want[64];
	pid_t child;
	int fd, status, ret;

	attr.capacity = 8;
	attr.msg_size_max = sizeof(buf);
	if (argc > 3) {
		fprintf(stderr, "usage: prodcon [COUNT [CAPACITY]]\n");
		return 2;
	}
	if (argc > 1)
		count = arg(argv[1], "COUNT");
	if (argc > 2)
		attr.capacity = (unsigned int)arg(argv[2], "CAPACITY");

	snprintf(name, sizeof(name), "prodcon-%d", (int)getpid());
	fd = mbox_create(name, MBOX_EXCL | MBOX_OWNED | MBOX_RECV_ONLY, &attr);
	if (fd < 0) {
		fprintf(stderr, "prodcon: create '%s': %s\n", name,
			strerror(-fd));
		return 1;
	}

	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("prodcon: fork");
		return 1;
	}
	if (child == 0) {
		mbox_close(fd);	/* the child's copy; the parent's keeps it alive */
		_exit(producer(name, count));
	}

	for (i = 0; i < count; i++) {
		struct mbox_msginfo info;
		struct timespec dl;
		ssize_t n;

		mbox_deadline_after(&dl, TIMEOUT_MS);
		n = mbox_timedreceive(fd, buf, sizeof(buf) - 1, &info, &dl);
		if (n < 0) {
			fprintf(stderr, "prodcon: consumer: receive %lu: %s\n",
				i, strerror((int)-n));
			bad++;
			break;
		}
		buf[n] = '\0';
		snprintf(want, sizeof(want), "seq %lu from pid %d", i,
			 (int)child);
		if (strcmp(buf, want) || info.sender_pid != child ||
		    info.len != (size_t)n) {
			if (bad++ < 5)
				fprintf(stderr, "prodcon: consumer: got '%s' from pid %d, expected '%s'\n",
					buf, (int)info.sender_pid, want);
		}
	}

	ret = mbox_stat(fd, &st);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "prodcon: producer pid %d failed\n", (int)child);
		bad++;
	}
	if (ret) {
		fprintf(stderr, "prodcon: stat: %s\n", strerror(-ret));
		bad++;
	} else {
		printf("prodcon: mailbox '%s' capacity %u: producer pid %d sent %llu, consumer pid %d received %llu (%lu checked), %llu sends blocked\n",
		       st.name, st.capacity, (int)child,
		       (unsigned long long)st.sent, (int)getpid(),
		       (unsigned long long)st.received, i,
		       (unsigned long long)st.send_blocked);
	}
	mbox_close(fd);		/* owned: destroys the mailbox */
	printf("prodcon: %s\n", bad ? "FAILED" : "all messages in order");
	return bad ? 1 : 0;
}
