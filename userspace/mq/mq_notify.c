// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmailbox-mq: mq_notify().
 *
 * The kernel keeps the registration and decides when it fires
 * (MAILBOX_IOC_NOTIFY): a message queued into an empty mailbox while no
 * receiver is blocked. SIGEV_SIGNAL and SIGEV_NONE are the kernel's own
 * (signal 0, which Linux accepts and never delivers, is SIGEV_NONE).
 * SIGEV_THREAD is a MAILBOX_NOTIFY_POLL registration: a helper thread of
 * the library sleeps in poll() for the descriptor's EPOLLPRI, takes the
 * mark (MAILBOX_NOTIFY_TAKE) and starts sigev_notify_function in a new
 * detached thread, created with sigev_notify_attributes (used when the
 * notification fires: they must stay valid until then). The helper
 * decides nothing; it only delivers. It ends when the notification fired,
 * when mq_notify(mqdes, NULL) or mq_close(mqdes) removes the registration,
 * or when the mailbox is destroyed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "mq_internal.h"

struct thread_reg {
	int fd;
	int efd;			/* written to stop the helper */
	bool done;			/* the helper has ended */
	void (*fn)(union sigval);
	union sigval value;
	pthread_attr_t *attr;
	struct thread_reg *next;
};

static pthread_mutex_t regs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t regs_cond = PTHREAD_COND_INITIALIZER;
static struct thread_reg *regs;		/* guarded by regs_lock */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A fork()ed child has none of the helpers, and owns no registration. */
static void atfork_child(void)
{
	struct thread_reg *r, *next;

	pthread_mutex_init(&regs_lock, NULL);
	pthread_cond_init(&regs_cond, NULL);
	for (r = regs; r; r = next) {
		next = r->next;
		close(r->efd);
		free(r);
	}
	regs = NULL;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

static void *notify_thread(void *arg)
{
	struct thread_reg *r = arg;

	r->fn(r->value);
	return NULL;
}

static void start_notification(struct thread_reg *r)
{
	int detach = PTHREAD_CREATE_JOINABLE;
	pthread_t t;

	if (r->attr)
		pthread_attr_getdetachstate(r->attr, &detach);
	if (pthread_create(&t, r->attr, notify_thread, r) == 0 &&
	    detach != PTHREAD_CREATE_DETACHED)
		pthread_detach(t);
}

static void *helper(void *arg)
{
	struct thread_reg *r = arg;
	struct mailbox_notify take = { .kind = MAILBOX_NOTIFY_TAKE };
	struct pollfd p[2] = {
		{ .fd = r->fd, .events = POLLPRI },
		{ .fd = r->efd, .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		if (p[0].revents & POLLPRI) {
			if (mq_ioctl(r->fd, MAILBOX_IOC_NOTIFY, &take) == 1) {
				start_notification(r);
				break;
			}
			continue;
		}
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
	}
	pthread_mutex_lock(&regs_lock);
	r->done = true;
	pthread_cond_broadcast(&regs_cond);
	pthread_mutex_unlock(&regs_lock);
	return NULL;
}

/* Stop and free @fd's helper; regs_lock held. */
static void forget_locked(int fd)
{
	struct thread_reg **pp = &regs, *r;
	uint64_t one = 1;

	while ((r = *pp)) {
		if (r->fd != fd) {
			pp = &r->next;
			continue;
		}
		/* An eventfd's counter does not fill up: this cannot fail. */
		(void)!write(r->efd, &one, sizeof(one));
		while (!r->done)
			pthread_cond_wait(&regs_cond, &regs_lock);
		*pp = r->next;
		close(r->efd);
		free(r);
	}
}

void mq_notify_forget(int fd)
{
	pthread_mutex_lock(&regs_lock);
	forget_locked(fd);
	pthread_mutex_unlock(&regs_lock);
}

/* Registered already (MAILBOX_NOTIFY_POLL): start the helper. */
static int start_helper(int fd, const struct sigevent *sev)
{
	struct thread_reg *r = calloc(1, sizeof(*r));
	sigset_t all, old;
	pthread_attr_t pa;
	pthread_t t;
	int err;

	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->fn = sev->sigev_notify_function;
	r->value = sev->sigev_value;
	r->attr = sev->sigev_notify_attributes;
	r->efd = eventfd(0, EFD_CLOEXEC);
	if (r->efd < 0) {
		err = -errno;
		free(r);
		return err;
	}
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&regs_lock);
	forget_locked(fd);
	r->next = regs;
	regs = r;
	/* The helper takes no signal of the application's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&pa);
	pthread_attr_setdetachstate(&pa, PTHREAD_CREATE_DETACHED);
	err = -pthread_create(&t, &pa, helper, r);
	pthread_attr_destroy(&pa);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		regs = r->next;
		close(r->efd);
		free(r);
	}
	pthread_mutex_unlock(&regs_lock);
	return err;
}

MQ_EXPORT int mqlib_notify(mqd_t mqdes, const struct sigevent *sevp)
{
	struct mailbox_notify n = { .kind = MAILBOX_NOTIFY_REMOVE };
	int ret;

	if (!mq_features()->wide)
		return mq_fail(ENOSYS);
	if (!sevp) {
		ret = mq_ioctl(mqdes, MAILBOX_IOC_NOTIFY, &n);
		if (ret < 0)
			return mq_fail(-ret);
		mq_notify_forget(mqdes);
		return 0;
	}
	switch (sevp->sigev_notify) {
	case SIGEV_NONE:
		n.kind = MAILBOX_NOTIFY_NONE;
		break;
	case SIGEV_SIGNAL:
		if (sevp->sigev_signo < 0 || sevp->sigev_signo >= 65)
			return mq_fail(EINVAL);
		if (sevp->sigev_signo == 0) {
			n.kind = MAILBOX_NOTIFY_NONE;
			break;
		}
		n.kind = MAILBOX_NOTIFY_SIGNAL;
		n.signo = sevp->sigev_signo;
		n.value = (uintptr_t)sevp->sigev_value.sival_ptr;
		break;
	case SIGEV_THREAD:
		n.kind = MAILBOX_NOTIFY_POLL;
		break;
	default:
		return mq_fail(EINVAL);
	}
	ret = mq_ioctl(mqdes, MAILBOX_IOC_NOTIFY, &n);
	if (ret < 0)
		return mq_fail(-ret);
	if (sevp->sigev_notify == SIGEV_THREAD) {
		ret = start_helper(mqdes, sevp);
		if (ret < 0) {
			n.kind = MAILBOX_NOTIFY_REMOVE;
			mq_ioctl(mqdes, MAILBOX_IOC_NOTIFY, &n);
			return mq_fail(-ret);
		}
	}
	return 0;
}
MQ_SYMVERS(mqlib_notify, mq_notify);
