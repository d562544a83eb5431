// SPDX-License-Identifier: GPL-2.0
/*
 * apicheck - quick checks of libmailbox (run by `make check`).
 *
 * Always: argument checking done by the library itself. Without
 * /dev/mailbox: every call that opens the device returns -ENOENT. With it
 * (in the VM): a short live round trip. Not a replacement for the
 * selftests, which test the kernel interface directly.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailbox.h"

static int failures;

#define CHECK(expr, want) do {						\
	long _got = (long)(expr), _want = (long)(want);			\
	if (_got != _want) {						\
		fprintf(stderr, "FAIL %s:%d: %s = %ld (%s), want %ld\n",	\
			__FILE__, __LINE__, #expr, _got,		\
			_got < 0 ? strerror((int)-_got) : "ok", _want);	\
		failures++;						\
	}								\
} while (0)

static void check_args(void)
{
	char longname[MBOX_NAME_MAX + 2];
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct timespec ts, bad = { .tv_sec = 1, .tv_nsec = 1000000000L };

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	CHECK(mbox_create(NULL, 0, NULL), -EINVAL);
	CHECK(mbox_open(NULL, 0), -EINVAL);
	CHECK(mbox_unlink(NULL), -EINVAL);
	CHECK(mbox_create(longname, 0, NULL), -ENAMETOOLONG);
	CHECK(mbox_open(longname, 0), -ENAMETOOLONG);
	CHECK(mbox_unlink(longname), -ENAMETOOLONG);
	CHECK(mbox_create("x", 0x1000, NULL), -EINVAL);
	CHECK(mbox_create("x", MBOX_SEND_ONLY | MBOX_RECV_ONLY, NULL), -EINVAL);
	CHECK(mbox_open("x", MBOX_EXCL), -EINVAL);
	CHECK(mbox_open("x", MBOX_OWNED), -EINVAL);
	attr.mode = 01000;
	CHECK(mbox_create("x", 0, &attr), -EINVAL);
	attr.mode = 0600;
	attr.msg_size_max = 0;
	CHECK(mbox_create("x", 0, &attr), -EINVAL);

	CHECK(mbox_sendx(-1, "", 0, 0x100, NULL, NULL), -EINVAL);
	CHECK(mbox_sendx(-1, "", 0, MBOX_F_PEEK, NULL, NULL), -EINVAL);
	CHECK(mbox_sendx(-1, "", 0, MBOX_F_NONBLOCK, &bad, NULL), -EINVAL);
	CHECK(mbox_timedsend(-1, "", 0, &bad), -EINVAL);
	if (sizeof(size_t) > 4)
		CHECK(mbox_send(-1, "", (size_t)UINT32_MAX + 1), -EMSGSIZE);
	CHECK(mbox_send(-1, "", 0), -EBADF);
	CHECK(mbox_receivex(-1, NULL, 0, MBOX_F_WAIT, NULL, NULL), -EINVAL);
	CHECK(mbox_receivex(-1, NULL, 0, MBOX_F_PEEK | MBOX_F_NONBLOCK, NULL,
			    NULL), -EINVAL);
	CHECK(mbox_timedreceive(-1, NULL, 0, NULL, &bad), -EINVAL);
	CHECK(mbox_receive(-1, NULL, 0, NULL), -EBADF);
	CHECK(mbox_next_size(-1), -EBADF);
	CHECK(mbox_stat(-1, NULL), -EINVAL);
	CHECK(mbox_close(-1), -EBADF);

	/* A non-mailbox descriptor: the ioctls are unknown to it. */
	CHECK(mbox_next_size(STDERR_FILENO) == -ENOTTY ||
	      mbox_next_size(STDERR_FILENO) == -EINVAL, 1);

	CHECK(mbox_deadline_after(NULL, 1), -EINVAL);
	CHECK(mbox_deadline_after(&ts, -1), -EINVAL);
	CHECK(mbox_deadline_after(&ts, 1500), 0);
	CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L, 1);
	CHECK(mbox_deadline_after(&ts, LONG_MAX), 0);	/* fits in time_t */
}

static void check_nodev(void)
{
	CHECK(mbox_create("apicheck", 0, NULL), -ENOENT);
	CHECK(mbox_open("apicheck", 0), -ENOENT);
	CHECK(mbox_unlink("apicheck"), -ENOENT);
}

static void check_live(void)
{
	struct mbox_attr attr = MBOX_ATTR_INIT;
	struct mbox_msginfo info;
	struct mbox_stat st;
	struct timespec dl;
	char name[MBOX_NAME_MAX + 1], buf[16], big[32] = "";
	int fd, rfd, created = -1;
	pid_t receiver = -1;

	snprintf(name, sizeof(name), "apicheck-%d", (int)getpid());
	attr.capacity = 2;
	attr.msg_size_max = 16;
	fd = mbox_createx(name, MBOX_EXCL | MBOX_SEND_ONLY, &attr, &created);
	CHECK(fd >= 0, 1);
	if (fd < 0)
		return;
	CHECK(created, 1);
	rfd = mbox_createx(name, MBOX_RECV_ONLY, NULL, &created);
	CHECK(rfd >= 0, 1);
	CHECK(created, 0);
	CHECK(mbox_create(name, MBOX_EXCL, NULL), -EEXIST);

	CHECK(mbox_next_size(rfd), -EAGAIN);
	CHECK(mbox_tryreceive(rfd, buf, sizeof(buf), NULL), -EAGAIN);
	CHECK(mbox_send(fd, "hello", 5), 0);
	CHECK(mbox_sendx(fd, "world!", 6, 0, NULL, &receiver), 0);
	CHECK(receiver, 0);
	CHECK(mbox_trysend(fd, "full", 4), -EAGAIN);
	CHECK(mbox_deadline_after(&dl, 10), 0);
	CHECK(mbox_timedsend(fd, "full", 4, &dl), -ETIMEDOUT);
	CHECK(mbox_send(fd, big, 17), -EMSGSIZE);

	CHECK(mbox_stat(rfd, &st), 0);
	CHECK(strcmp(st.name, name), 0);
	CHECK(st.state, MBOX_STATE_LINKED);
	CHECK(st.capacity, 2);
	CHECK(st.msg_size_max, 16);
	CHECK(st.depth, 2);
	CHECK(st.bytes, 11);
	CHECK(st.next_len, 5);
	CHECK(st.access, MBOX_ACCESS_RECV);
	CHECK(st.uid, geteuid());

	CHECK(mbox_next_size(rfd), 5);
	CHECK(mbox_receive(rfd, buf, 4, &info), -EMSGSIZE);
	CHECK(info.len, 5);
	CHECK(mbox_receive(rfd, buf, sizeof(buf), &info), 5);
	CHECK(memcmp(buf, "hello", 5), 0);
	CHECK(info.len, 5);
	CHECK(info.sender_pid, getpid());
	CHECK(info.sender_uid, geteuid());
	CHECK(mbox_deadline_after(&dl, 1000), 0);
	CHECK(mbox_timedreceive(rfd, buf, sizeof(buf), NULL, &dl), 6);
	CHECK(mbox_deadline_after(&dl, 10), 0);
	CHECK(mbox_timedreceive(rfd, buf, sizeof(buf), NULL, &dl), -ETIMEDOUT);
	CHECK(mbox_receive(fd, buf, sizeof(buf), NULL), -EBADF);
	CHECK(mbox_send(rfd, "x", 1), -EBADF);

	CHECK(mbox_unlink(name), 0);
	CHECK(mbox_unlink(name), -ENOENT);
	CHECK(mbox_stat(fd, &st), 0);
	CHECK(st.state, MBOX_STATE_UNLINKED);
	CHECK(mbox_close(fd), 0);
	CHECK(mbox_close(rfd), 0);
}

int main(void)
{
	check_args();
	if (access(MBOX_DEVICE, F_OK)) {
		printf("apicheck: %s missing: checking -ENOENT\n", MBOX_DEVICE);
		check_nodev();
	} else {
		printf("apicheck: %s present: live round trip\n", MBOX_DEVICE);
		check_live();
	}
	printf("apicheck: %s (%d failures)\n", failures ? "FAIL" : "ok",
	       failures);
	return failures ? 1 : 0;
}
