// SPDX-License-Identifier: GPL-2.0
/*
 * mqdemo: an ordinary POSIX message queue program; nothing in it knows of
 * mailboxes. Built with -lrt it uses the kernel's mq; linked with
 * -lmailbox-mq first, or run with LD_PRELOAD=libmailbox-mq.so.1, the same
 * code uses kernel mailboxes (README, "POSIX message queues on
 * mailboxes"). It sends three messages of different priorities, receives
 * them, highest first, and leaves a fourth in the queue for whoever reads
 * it next.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "/mqdemo";
	static const struct { const char *text; unsigned int prio; } msgs[] = {
		{ "low", 1 }, { "high", 30000 }, { "middle", 500 },
	};
	struct mq_attr attr = { .mq_maxmsg = 64, .mq_msgsize = 128 };
	char buf[128];
	unsigned int i, prio;
	ssize_t n;
	mqd_t q;

	q = mq_open(name, O_RDWR | O_CREAT, 0600, &attr);
	if (q == (mqd_t)-1) {
		perror("mq_open");
		return 1;
	}
	for (i = 0; i < 3; i++) {
		if (mq_send(q, msgs[i].text, strlen(msgs[i].text), msgs[i].prio)) {
			perror("mq_send");
			return 1;
		}
	}
	if (mq_getattr(q, &attr)) {
		perror("mq_getattr");
		return 1;
	}
	printf("%s: mq_maxmsg %ld, mq_msgsize %ld, mq_curmsgs %ld\n", name,
	       attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs);
	for (i = 0; i < 3; i++) {
		n = mq_receive(q, buf, sizeof(buf), &prio);
		if (n < 0) {
			perror("mq_receive");
			return 1;
		}
		printf("received \"%.*s\", priority %u\n", (int)n, buf, prio);
	}
	if (mq_send(q, "left for the next reader", 24, 7)) {
		perror("mq_send");
		return 1;
	}
	mq_close(q);
	return 0;
}
