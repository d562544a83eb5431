// SPDX-License-Identifier: GPL-2.0
/*
 * mboxctl.h - what the files of mboxctl share: exit statuses, the
 * operations errors are reported for, the options of a new mailbox and of
 * receiving, and the functions one file offers the others.
 */
#ifndef MBOXCTL_H
#define MBOXCTL_H

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailbox.h"

#define PROC_MAILBOXES	"/proc/mailboxes"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What was being done when an error happened, for the hint. */
enum op { OP_CREATE, OP_OPEN, OP_SEND, OP_SEND_WAIT, OP_SEND_TO, OP_RECV,
	  OP_RECV_FROM, OP_UNLINK, OP_STAT, OP_DIRECT, OP_LIST };

/* What create and direct set for a new mailbox. */
struct new_opts {
	unsigned int *capacity;
	unsigned int *msg_size;
	unsigned int *delivery;
	unsigned int ndelivery;	/* the first N delivery modes are allowed */
	int capacity_opt;	/* the short option of --capacity */
};

/* What recv and direct receive, and how. */
struct recv_opts {
	unsigned long count;	/* 0: until empty, timed out, or forever */
	unsigned int flags;
	long timeout_ms;	/* < 0: none */
	bool verbose;
	pid_t from;		/* 0: anyone */
	bool set_prio;
	unsigned int prio;
};

#define RECV_LONGOPTS \
	{ "count",    required_argument, NULL, 'c' }, \
	{ "from",     required_argument, NULL, 'f' }, \
	{ "nonblock", no_argument,       NULL, 'n' }, \
	{ "timeout",  required_argument, NULL, 't' }, \
	{ "verbose",  no_argument,       NULL, 'v' }
#define RECV_SHORTOPTS "c:f:nt:v"

/* main.c */
void usage(FILE *f);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int bad_option(void);

/* errors.c */
const char *hint(enum op op, int err);
int fail(const char *cmd, const char *name, enum op op, int err);
int fail_timeout(const char *cmd, const char *name, long ms);

/* args.c */
const char *delivery_name(unsigned int delivery);
bool parse_delivery(const char *s, unsigned int n, unsigned int *out);
bool parse_ulong(const char *s, int base, unsigned long max,
		 unsigned long *out);
bool new_option(const char *cmd, int opt, const struct new_opts *no,
		int *ret);
int check_wait_opts(const char *cmd, unsigned int flags, long timeout_ms);
int one_name(const char *cmd, int argc, char **argv, const char **name);
bool parse_pid(const char *s, pid_t *out);
bool parse_prio(const char *s, unsigned int *out);

/* recv.c */
bool recv_option(const char *cmd, int opt, struct recv_opts *ro, int *err);
int recv_loop(const char *cmd, const char *name, int fd,
	      const struct recv_opts *ro);

/* ls_stat.c */
const char *state_name(unsigned int state);
int list_boxes(const char *name, struct mbox_stat **out);

/* The subcommands: argv[0] is "mboxctl CMD"; 0 or EXIT_*. */
int cmd_create(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_direct(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_stat(int argc, char **argv);

#endif /* MBOXCTL_H */
