/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipcbench.h - what the files of ipcbench share: the transports, the
 * options, the memory the children report into, a channel (one queue of
 * one transport) and the functions one file offers the others. What
 * ipcbench measures and how: the comment at the top of ipcbench.c.
 */
#ifndef IPCBENCH_H
#define IPCBENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mailbox.h"
#include "shmring.h"

#define MAXPROC		8	/* 4to4: 4 producers + 4 consumers */
#define NMULTI		4
#define HDR		8	/* struct hdr */
#define SEQ_STOP	0xffffffffU
#define WARMUP		100

enum kind {
	T_FLOOR, T_MBOX, T_MBOX_NB, T_MBOX_BATCH, T_MBOX_MAPPED, T_SHM_SPIN, T_SHM_FUTEX, T_PIPE, T_UNIX,
	T_MQ, T_MBOX_MQ, T_SYSV, T_COUNT
};

extern const struct transport {
	const char *name;
	bool multi;		/* 4to4 meaningful */
	bool no_lat;		/* round trips not meaningful */
} transports[T_COUNT];

#define BATCH		32	/* mailbox-batch: messages per system call */

enum place { P_1CPU, P_2CPU, P_4TO4, P_SELF };
extern const char *const place_names[];

/* options (ipcbench.c) */
extern unsigned long opt_msgs, opt_rtt, opt_reps;
extern unsigned int opt_depth, opt_timeout;
extern bool opt_quick;
extern unsigned int sizes[16];
extern unsigned int nsizes;
extern bool tsel[T_COUNT];
extern FILE *csv;
extern int ncpus;

/* what the children tell the parent */
struct shared {
	uint64_t t_first[MAXPROC];	/* producer: before its first send */
	uint64_t t_last[MAXPROC];	/* consumer: after its last receive */
	uint64_t got[MAXPROC][MAXPROC];	/* consumer x producer: messages */
	uint64_t lat[];			/* pinger: round trip times, ns */
};
extern struct shared *sh;
/* --quick: one bit per (producer, message) seen, to catch duplicates */
extern _Atomic unsigned char *seen;
extern size_t seen_bytes;

/* a one-way channel; both ends are opened in each child as needed */
struct chan {
	enum kind kind;
	unsigned int size;
	char name[64];		/* mailbox, posix-mq */
	int fds[2];		/* pipe, unix: [0] receive end, [1] send end */
	int msqid;		/* sysv-msg */
	key_t key;		/* shm */
	int fd;			/* mailbox: this process's descriptor */
	mqd_t mq;
	struct shmring *ring;
	struct mbox_map *map;	/* mailbox-mapped: this process's side */
	/* mailbox-batch: BATCH messages of size bytes, at vec[i].buf */
	unsigned char *batch;
	struct mbox_vec vec[BATCH];
	unsigned int nvec;	/* send: queued; receive: received */
	unsigned int next;	/* receive: the next to hand out */
	bool sender;		/* this process opened the send end */
};

enum role { SEND, RECV };

/* chan.c: a channel, whatever its transport */
extern unsigned int chan_serial;
void chan_setup(struct chan *c, enum kind kind, unsigned int size);
void chan_open(struct chan *c, enum role role);
void chan_send(struct chan *c, unsigned char *buf);
long chan_recv(struct chan *c, unsigned char *buf);
void chan_close(struct chan *c);
void chan_teardown(struct chan *c);

/*
 * What a family of transports does for each call (NULL: nothing, or for
 * send and receive: not a transport that moves messages).
 */
struct chan_ops {
	void (*setup)(struct chan *c);	/* the parent: create the queue */
	void (*open)(struct chan *c, enum role role);
	void (*send)(struct chan *c, unsigned char *buf);
	long (*recv)(struct chan *c, unsigned char *buf);
	void (*teardown)(struct chan *c); /* the parent, after chan_close() */
};

extern const struct chan_ops chan_mbox_ops;	/* chan_mailbox.c */
extern const struct chan_ops chan_mapped_ops;	/* chan_mapped.c */
extern const struct chan_ops chan_shm_ops;	/* chan_shmring.c */
extern const struct chan_ops chan_pipe_ops;	/* chan_pipe_socket.c */
extern const struct chan_ops chan_unix_ops;
/* posix-mq: the C library's mq_*(); mailbox-mq: libmailbox-mq's. */
struct mq_api {
	mqd_t (*open)(const char *name, int oflag, ...);
	int (*close)(mqd_t mqdes);
	int (*unlink)(const char *name);
	int (*send)(mqd_t mqdes, const char *msg, size_t len, unsigned int prio);
	ssize_t (*receive)(mqd_t mqdes, char *msg, size_t len, unsigned int *prio);
	int (*setattr)(mqd_t mqdes, const struct mq_attr *a, struct mq_attr *old);
};
const struct mq_api *mq_api(enum kind k);	/* chan_mq_sysv.c */
extern const struct chan_ops chan_mq_ops;	/* chan_mq_sysv.c */
extern const struct chan_ops chan_sysv_ops;
/* mailbox-batch: send the messages queued in the batch (chan_close()) */
void chan_mbox_flush(struct chan *c);

/* message.c */
void make_msg(unsigned char *buf, unsigned int len, uint32_t seq,
	      unsigned int prod);
unsigned int check_msg(const unsigned char *buf, long len,
		       unsigned int size, const char *what);
uint32_t msg_seq(const unsigned char *buf);
unsigned char *msg_buffer(unsigned int size);

/* procs.c: the children */
struct proc {
	pid_t pid;
	int ready[2], go[2];
};

struct job {
	int cpu;
	int idx;
	void (*open)(struct job *);
	void (*run)(struct job *);
	struct chan *a, *b;
	unsigned long count;
};

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void pin(int cpu);
void start_proc(struct proc *p, struct job *j);
void go_procs(struct proc *p, int n);
int wait_procs(struct proc *p, int n, const char *what, int nprod,
	       void (*done)(void *), void *arg);
void open_send_a(struct job *j);
void open_recv_a(struct job *j);
void producer(struct job *j);
void consumer(struct job *j);
void open_pinger(struct job *j);
void open_ponger(struct job *j);
void pinger(struct job *j);
void ponger(struct job *j);
void nop_open(struct job *j);
void floor_tput(struct job *j);
void floor_lat(struct job *j);

/* stats.c: the clock, percentiles, the CSV */
struct sample {
	double v[7];		/* by metric */
};

enum metric { M_MSGS, M_MBS, M_P50, M_P99, M_P999, M_SELF, M_SLAB, M_COUNT };
extern const char *const metric_names[];
extern const char *const metric_units[];

uint64_t now_ns(void);
int cmp_u64(const void *a, const void *b);
double pct(const uint64_t *s, unsigned long n, double q);
void emit(enum kind k, unsigned int size, enum place pl, int m,
	  struct sample *s, unsigned int reps);
void emit_na(enum kind k, unsigned int size, enum place pl, int m);

/* measure.c: one measurement */
int run_tput(enum kind k, unsigned int size, enum place pl, struct sample *out);
int run_lat(enum kind k, unsigned int size, enum place pl, struct sample *out);

/* self.c: placement "self": send+receive in one process, slab per message */
bool self_ok(enum kind k);
bool fill_ok(enum kind k);
void run_self(enum kind k, unsigned int size, unsigned int *fails,
	      unsigned int *runs);

#endif /* IPCBENCH_H */
