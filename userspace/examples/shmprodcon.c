// SPDX-License-Identifier: GPL-2.0
/*
 * shmprodcon - producer/consumer through a shared-memory ring (shmring),
 * the counterpart of prodcon, which goes through a kernel mailbox.
 *
 * Usage: shmprodcon [COUNT [SIZE [spin|futex]]]
 *        (defaults: 1000000 messages, a 4096-byte ring, futex)
 *
 * The parent creates a ring of variable-size records under a System V key
 * (made from its pid) as the consumer and forks. The child attaches to it
 * by the key, as an unrelated process would, and produces COUNT numbered
 * messages "seq N from pid P"; the parent consumes them, checks that they
 * arrive in order and complete, and prints a summary with the rate. The
 * producer's close (at detach) ends the stream: the consumer then gets
 * -EPIPE. Exit status 0 if everything checked out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/wait.h>

#include "shmring.h"
#include "example_util.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec deadline(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += EX_TIMEOUT_MS / 1000;
	return ts;
}

static int producer(key_t key, unsigned int wait, unsigned long count)
{
	struct shmring *r;
	char msg[64];
	int ret;

	ret = shmring_attach(&r, key, SHMRING_PRODUCER | wait);
	if (ret) {
		fprintf(stderr, "shmprodcon: producer: attach key %#x: %s\n",
			(unsigned int)key, strerror(-ret));
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		struct timespec dl = deadline();
		int len = ex_msg(msg, sizeof(msg), i, getpid());

		ret = shmring_timedsend(r, msg, (size_t)len, &dl);
		if (ret) {
			fprintf(stderr, "shmprodcon: producer: send %lu: %s\n",
				i, strerror(-ret));
			shmring_detach(r);
			return 1;
		}
	}
	shmring_detach(r);	/* closes: the consumer sees the end */
	return 0;
}

int main(int argc, char **argv)
{
	struct shmring_geom geom = { SHMRING_RECORDS, 0, 4096, 0600 };
	unsigned int wait = SHMRING_FUTEX;
	unsigned long count = 1000000, i, bad = 0;
	char buf[64];
	struct shmring *r;
	key_t key = 0;
	ssize_t n = 0;
	pid_t child;
	int status, ret = -EEXIST;
	double t0, t;

	ex_usage(argc, 3, "shmprodcon [COUNT [SIZE [spin|futex]]]");
	count = ex_arg("shmprodcon", argc, argv, 1, "COUNT", count);
	geom.size = (unsigned int)ex_arg("shmprodcon", argc, argv, 2, "SIZE",
					 geom.size);
	if (argc > 3) {
		if (!strcmp(argv[3], "spin"))
			wait = SHMRING_SPIN;
		else if (strcmp(argv[3], "futex")) {
			fprintf(stderr, "shmprodcon: strategy is spin or futex\n");
			return 2;
		}
	}

	/* a key of our own: try the next one while they are taken */
	for (int k = 0; k < 256 && ret == -EEXIST; k++) {
		key = (key_t)(0x50430000 ^ ((unsigned int)getpid() << 8) ^ k);
		ret = shmring_create(&r, key, &geom, SHMRING_CONSUMER | wait);
	}
	if (ret) {
		fprintf(stderr, "shmprodcon: create: %s\n", strerror(-ret));
		return 1;
	}

	fflush(stdout);
	t0 = now();
	child = fork();
	if (child < 0) {
		perror("shmprodcon: fork");
		shmring_destroy(r);
		return 1;
	}
	if (child == 0)
		_exit(producer(key, wait, count));

	for (i = 0; i < count; i++) {
		struct timespec dl = deadline();

		n = shmring_timedrecv(r, buf, sizeof(buf) - 1, &dl);
		if (i == 0)
			shmring_destroy(r);	/* attached: the key can go */
		if (ex_check("shmprodcon", buf, n, i, child, -1, &bad))
			break;
	}
	t = now() - t0;
	if (!bad && (n = shmring_recv(r, buf, sizeof(buf))) != -EPIPE) {
		fprintf(stderr, "shmprodcon: consumer: no end of stream: %zd\n",
			n);
		bad++;
	}
	shmring_destroy(r);
	shmring_detach(r);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "shmprodcon: producer pid %d failed\n",
			(int)child);
		bad++;
	}
	printf("shmprodcon: %u-byte ring, %s: producer pid %d, consumer pid %d: %lu messages in %.3f s (%.2f M msg/s)\n",
	       geom.size, wait == SHMRING_SPIN ? "spin" : "futex", (int)child,
	       (int)getpid(), i, t, t > 0 ? i / t / 1e6 : 0.0);
	printf("shmprodcon: %s\n", bad ? "FAILED" : "all messages in order");
	return bad ? 1 : 0;
}
