// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: one measurement: a throughput run (1cpu, 2cpu, 4to4) or a
 * latency run of one transport at one message size.
 */
#include "ipcbench.h"

static unsigned long tput_count(unsigned int size)
{
	/* big messages cost more per message: fewer of them, same budget */
	unsigned long n = opt_msgs;

	if (!opt_quick && size >= 4096)
		n /= 2;
	return n < NMULTI ? NMULTI : n - n % NMULTI;
}

/* 4to4: after the producers, one stop message for each consumer */
static void send_stops(void *arg)
{
	struct chan *c = arg;
	unsigned char *buf = msg_buffer(c->size);

	chan_open(c, SEND);
	for (int i = 0; i < NMULTI; i++) {
		make_msg(buf, c->size, SEQ_STOP, 0);
		chan_send(c, buf);
	}
	chan_close(c);
	free(buf - 64);
}

int run_tput(enum kind k, unsigned int size, enum place pl, struct sample *out)
{
	unsigned long n = tput_count(size);
	struct proc p[MAXPROC];
	struct job jobs[MAXPROC];
	struct chan c;
	int np = 0, ret;
	uint64_t t0 = UINT64_MAX, t1 = 0, total = 0;
	char what[96];

	snprintf(what, sizeof(what), "%s %uB %s tput", transports[k].name, size,
		 place_names[pl]);
	memset(sh, 0, sizeof(*sh));
	memset(p, 0, sizeof(p));
	if (seen)
		memset((void *)seen, 0, seen_bytes);
	if (k == T_FLOOR) {
		jobs[0] = (struct job){ .cpu = 0, .idx = 0, .open = nop_open,
			.run = floor_tput, .count = n };
		start_proc(&p[0], &jobs[0]);
		go_procs(p, 1);
		if (wait_procs(p, 1, what, 0, NULL, NULL))
			return -1;
		t0 = sh->t_first[0];
		t1 = sh->t_last[1];
		total = n;
		goto done;
	}
	chan_setup(&c, k, size);
	if (pl == P_4TO4) {
		/* producers first in p[] (wait_procs), consumers started first */
		for (int i = 0; i < NMULTI; i++) {
			jobs[NMULTI + i] = (struct job){ .cpu = -1, .idx = i,
				.open = open_recv_a, .run = consumer, .a = &c, .count = 0 };
			start_proc(&p[NMULTI + i], &jobs[NMULTI + i]);
		}
		for (int i = 0; i < NMULTI; i++) {
			jobs[i] = (struct job){ .cpu = -1, .idx = i, .open = open_send_a,
				.run = producer, .a = &c, .count = n / NMULTI };
			start_proc(&p[i], &jobs[i]);
		}
		np = 2 * NMULTI;
		go_procs(p, np);
		ret = wait_procs(p, np, what, NMULTI, send_stops, &c);
	} else {
		/* the consumer first: it creates a shm ring */
		jobs[0] = (struct job){ .cpu = pl == P_2CPU ? 1 : 0, .idx = 0,
			.open = open_recv_a, .run = consumer, .a = &c, .count = n };
		start_proc(&p[0], &jobs[0]);
		jobs[1] = (struct job){ .cpu = 0, .idx = 0, .open = open_send_a,
			.run = producer, .a = &c, .count = n };
		start_proc(&p[1], &jobs[1]);
		np = 2;
		go_procs(p, np);
		ret = wait_procs(p, np, what, 0, NULL, NULL);
	}
	chan_teardown(&c);
	if (ret)
		return -1;

	for (int i = 0; i < np; i++) {
		if (jobs[i].run == producer && sh->t_first[jobs[i].idx] < t0)
			t0 = sh->t_first[jobs[i].idx];
		if (jobs[i].run == consumer && sh->t_last[jobs[i].idx] > t1)
			t1 = sh->t_last[jobs[i].idx];
	}
	for (int prod = 0; prod < (pl == P_4TO4 ? NMULTI : 1); prod++) {
		uint64_t sum = 0;

		for (int cons = 0; cons < MAXPROC; cons++)
			sum += sh->got[cons][prod];
		if (sum != (pl == P_4TO4 ? n / NMULTI : n)) {
			fprintf(stderr, "ipcbench: %s: producer %d: %" PRIu64
				" of %lu messages arrived\n", what, prod, sum,
				pl == P_4TO4 ? n / NMULTI : n);
			return -1;
		}
		total += sum;
	}
done:
	if (t1 <= t0) {
		fprintf(stderr, "ipcbench: %s: no elapsed time\n", what);
		return -1;
	}
	out->v[M_MSGS] = (double)total * 1e9 / (double)(t1 - t0);
	out->v[M_MBS] = k == T_FLOOR ? -1 : out->v[M_MSGS] * size / 1e6;
	return 0;
}

int run_lat(enum kind k, unsigned int size, enum place pl, struct sample *out)
{
	unsigned long n = opt_rtt;
	struct proc p[2];
	struct job jobs[2];
	struct chan a, b;
	int np = 0, ret;
	char what[96];

	snprintf(what, sizeof(what), "%s %uB %s lat", transports[k].name, size,
		 place_names[pl]);
	memset(sh, 0, sizeof(*sh));
	memset(p, 0, sizeof(p));
	if (k == T_FLOOR) {
		jobs[0] = (struct job){ .cpu = 0, .open = nop_open, .run = floor_lat,
			.count = n };
		start_proc(&p[0], &jobs[0]);
		go_procs(p, 1);
		if (wait_procs(p, 1, what, 0, NULL, NULL))
			return -1;
	} else {
		chan_setup(&a, k, size);
		chan_setup(&b, k, size);
		jobs[np] = (struct job){ .cpu = 0, .open = open_pinger, .run = pinger,
			.a = &a, .b = &b, .count = n };
		start_proc(&p[np], &jobs[np]);
		np++;
		jobs[np] = (struct job){ .cpu = pl == P_2CPU ? 1 : 0, .open = open_ponger,
			.run = ponger, .a = &a, .b = &b, .count = n };
		start_proc(&p[np], &jobs[np]);
		np++;
		go_procs(p, np);
		ret = wait_procs(p, np, what, 0, NULL, NULL);
		chan_teardown(&a);
		chan_teardown(&b);
		if (ret)
			return -1;
	}
	qsort(sh->lat, n, sizeof(sh->lat[0]), cmp_u64);
	if (sh->lat[0] == 0 && sh->lat[n - 1] == 0) {
		fprintf(stderr, "ipcbench: %s: no samples\n", what);
		return -1;
	}
	out->v[M_P50] = pct(sh->lat, n, 0.50);
	out->v[M_P99] = pct(sh->lat, n, 0.99);
	out->v[M_P999] = pct(sh->lat, n, 0.999);
	return 0;
}
