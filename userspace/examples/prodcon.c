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
#include "example_util.h"

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
		int len = ex_msg(msg, sizeof(msg), i, getpid());

		mbox_deadline_after(&dl, EX_TIMEOUT_MS);
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
	char name[MBOX_NAME_MAX + 1], buf[64];
	pid_t child;
	int fd, status, ret;

	attr.capacity = 8;
	attr.msg_size_max = sizeof(buf);
	ex_usage(argc, 2, "prodcon [COUNT [CAPACITY]]");
	count = ex_arg("prodcon", argc, argv, 1, "COUNT", count);
	attr.capacity = (unsigned int)ex_arg("prodcon", argc, argv, 2,
					     "CAPACITY", attr.capacity);

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
		struct mbox_msginfo info = { 0 };
		struct timespec dl;
		ssize_t n;

		mbox_deadline_after(&dl, EX_TIMEOUT_MS);
		n = mbox_timedreceive(fd, buf, sizeof(buf) - 1, &info, &dl);
		if (ex_check("prodcon", buf, n, i, child, info.sender_pid,
			     &bad))
			break;
		if (info.len != (size_t)n && bad++ < 5)
			fprintf(stderr, "prodcon: consumer: %zd bytes, info.len %zu\n",
				n, (size_t)info.len);
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
