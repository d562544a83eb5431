/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmailbox-mq's functions under their own names, for a program that
 * needs them beside the C library's mq_*() in one binary (ipcbench's
 * mailbox-mq transport): compile the files of userspace/mq/ with
 * -DMQ_NO_PUBLIC_NAMES, and the objects define only these.
 */
#ifndef MQLIB_H
#define MQLIB_H

#include <mqueue.h>
#include <signal.h>
#include <time.h>

mqd_t mqlib_open(const char *name, int oflag, ...);
int mqlib_close(mqd_t mqdes);
int mqlib_unlink(const char *name);
int mqlib_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
	       unsigned int msg_prio);
int mqlib_timedsend(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
		    unsigned int msg_prio, const struct timespec *abs_timeout);
ssize_t mqlib_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
		      unsigned int *msg_prio);
ssize_t mqlib_timedreceive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
			   unsigned int *msg_prio,
			   const struct timespec *abs_timeout);
int mqlib_getattr(mqd_t mqdes, struct mq_attr *mqstat);
int mqlib_setattr(mqd_t mqdes, const struct mq_attr *mqstat,
		  struct mq_attr *omqstat);
int mqlib_notify(mqd_t mqdes, const struct sigevent *sevp);

#endif /* MQLIB_H */
