// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench - kernel mailboxes against the other ways two processes can
 * pass messages, on the same messages.
 *
 * Usage: ipcbench [--quick] [-n MSGS] [-l ROUNDTRIPS] [-r REPS]
 *                 [--sizes 8,64,...] [--transports a,b,...] [--depth D]
 *                 [--timeout SECS] [--csv FILE] [--lines] [--list]
 *
 * Transports (--list):
 *   floor       no IPC: syscall(SYS_getppid), the cheapest real system
 *               call. A "message" costs 2 of them (one send, one receive),
 *               a round trip 4: the floor of any kernel-mediated path.
 *   mailbox     /dev/mailbox through libmailbox, blocking calls
 *   mailbox-nb  the same with mbox_trysend()/mbox_tryreceive() and poll(2)
 *               when they would block
 *   mailbox-batch  the same messages, BATCH (32) per system call:
 *               mbox_send_batch() of 32 messages copied into a batch, and
 *               mbox_receive_batch() of up to 32, each copied out of it
 *               (tput, 1cpu and 2cpu only: a round trip has one message
 *               in flight, and 4to4 consumers would take each other's
 *               stop messages)
 *   mailbox-mapped  a mapped mailbox (MBOX_MAPPED): a ring shared with
 *               the kernel through mmap(2), mbox_map_send() and
 *               mbox_map_receive(), the kernel entered only to sleep and
 *               wake (--depth rounded up to a power of two)
 *   shm-spin    shmring (System V shared memory ring, fixed slots),
 *               SHMRING_SPIN
 *   shm-futex   the same, SHMRING_FUTEX
 *   pipe        pipe(2), each message one write(2) / read(2)
 *   unix        socketpair(AF_UNIX, SOCK_SEQPACKET)
 *   posix-mq    mq_open(3)
 *   mailbox-mq  mq_open(3) of libmailbox-mq (userspace/mq/): POSIX message
 *               queues on mailboxes (linked in under its own names,
 *               mqlib_*, beside the C library's)
 *   sysv-msg    msgget(2)
 *
 * Every transport gets a queue of --depth messages (default 256) where it
 * can be set: mailbox capacity, mq_maxmsg, msg_qbytes, the pipe's size,
 * the ring's slots; a UNIX socket's queue is net.unix.max_dgram_qlen
 * (vm/bench.sh raises it) and SO_SNDBUF.
 *
 * Figures, for each message size:
 *   tput  one-way throughput: a producer process sends MSGS messages, a
 *         consumer process receives them; time from the first send to the
 *         last receive (CLOCK_MONOTONIC). Metrics tput_msgs (msg/s) and
 *         tput_mbs (MB/s, 10^6 bytes of payload).
 *   lat   round-trip latency: ping-pong of ROUNDTRIPS messages between two
 *         processes (after a warm-up); every round trip is timed. Metrics
 *         lat_p50, lat_p99, lat_p999 (ns) are the percentiles of one
 *         repetition's samples.
 * Placements: 1cpu (both processes pinned to CPU 0), 2cpu (CPU 0 and 1),
 * 4to4 (tput only: 4 producers and 4 consumers on one queue, unpinned; for
 * the transports with message boundaries and several readers: mailbox,
 * unix, posix-mq, mailbox-mq, sysv-msg; "n/a" for the others), and self (one process
 * alone, pinned to CPU 0): metric self_ns, the ns of one send then
 * receive of the same message (floor: 2 getppid()), and slab_per_msg, the
 * bytes of /proc/meminfo's Slab: per message of a queue filled with 4096
 * (mailbox, posix-mq, mailbox-mq, sysv-msg); see self.c.
 * Each point is repeated REPS times; the CSV gives the median, min and max
 * over the repetitions of each metric.
 *
 * Every message carries a sequence number and a producer id, which the
 * receiver checks (nothing lost, duplicated or reordered per producer).
 * With --quick (1000 messages, 100 round trips, 1 repetition, sizes 64 and
 * 4096) the payload also varies with the sequence number and every byte is
 * checked against a checksum in the header. The exit status is 0 only if
 * every run completed and every check passed; speeds are not judged.
 *
 * CSV (stdout, or --csv FILE): transport,size,placement,metric,median,min,
 * max,reps,unit. Progress goes to stderr: one line rewritten in place on a
 * terminal, else (or with --lines) one line per point.
 */

#include "ipcbench.h"

const struct transport transports[T_COUNT] = {
	[T_FLOOR]	= { "floor", false, false },
	[T_MBOX]	= { "mailbox", true, false },
	[T_MBOX_NB]	= { "mailbox-nb", false, false },
	[T_MBOX_BATCH]	= { "mailbox-batch", false, true },
	[T_MBOX_MAPPED]	= { "mailbox-mapped", false, false },
	[T_SHM_SPIN]	= { "shm-spin", false, false },
	[T_SHM_FUTEX]	= { "shm-futex", false, false },
	[T_PIPE]	= { "pipe", false, false },
	[T_UNIX]	= { "unix", true, false },
	[T_MQ]		= { "posix-mq", true, false },
	[T_MBOX_MQ]	= { "mailbox-mq", true, false },
	[T_SYSV]	= { "sysv-msg", true, false },
};

const char *const place_names[] = { "1cpu", "2cpu", "4to4", "self" };

/* options */
unsigned long opt_msgs = 50000, opt_rtt = 5000, opt_reps = 5;
unsigned int opt_depth = 256, opt_timeout = 120;
bool opt_quick;
unsigned int sizes[16] = { 8, 64, 512, 4096 };
unsigned int nsizes = 4;
bool tsel[T_COUNT];
FILE *csv;
int ncpus;

struct shared *sh;
/* --quick: one bit per (producer, message) seen, to catch duplicates */
_Atomic unsigned char *seen;
size_t seen_bytes;

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: ipcbench [--quick] [-n MSGS] [-l ROUNDTRIPS] [-r REPS]\n"
		"                [--sizes 8,64,512,4096] [--transports a,b,...]\n"
		"                [--depth D] [--timeout SECS] [--csv FILE] [--lines] [--list]\n"
		"see the comment at the top of userspace/bench/ipcbench.c\n");
	exit(status);
}

static unsigned long num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno || v < 1 || v > max) {
		fprintf(stderr, "ipcbench: bad %s '%s'\n", what, s ? s : "");
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *csv_path = NULL;
	bool any_t = false, tty = isatty(2);
	unsigned int point = 0, npoints, fails = 0, runs = 0;
	uint64_t t_start = now_ns();
	cpu_set_t cs;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick")) {
			opt_quick = true;
			opt_msgs = 1000;
			opt_rtt = 100;
			opt_reps = 1;
			sizes[0] = 64;
			sizes[1] = 4096;
			nsizes = 2;
			opt_timeout = 60;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--msgs")) {
			opt_msgs = num(v, "message count", 100000000); i++;
		} else if (!strcmp(a, "-l") || !strcmp(a, "--roundtrips")) {
			opt_rtt = num(v, "round trip count", 10000000); i++;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--reps")) {
			opt_reps = num(v, "repetitions", 64); i++;
		} else if (!strcmp(a, "--depth")) {
			opt_depth = (unsigned int)num(v, "depth", 65535); i++;
		} else if (!strcmp(a, "--timeout")) {
			opt_timeout = (unsigned int)num(v, "timeout", 86400); i++;
		} else if (!strcmp(a, "--csv")) {
			if (!v)
				usage(2);
			csv_path = v; i++;
		} else if (!strcmp(a, "--sizes")) {
			char *copy, *tok, *save;

			if (!v)
				usage(2);
			copy = strdup(v);
			nsizes = 0;
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (nsizes == 16)
					usage(2);
				sizes[nsizes] = (unsigned int)num(tok, "size", 65536);
				if (sizes[nsizes] < HDR) {
					fprintf(stderr, "ipcbench: sizes start at %d bytes\n", HDR);
					exit(2);
				}
				nsizes++;
			}
			free(copy);
			i++;
		} else if (!strcmp(a, "--transports")) {
			char *copy, *tok, *save;

			if (!v)
				usage(2);
			copy = strdup(v);
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int k;

				for (k = 0; k < T_COUNT; k++)
					if (!strcmp(tok, transports[k].name))
						break;
				if (k == T_COUNT) {
					fprintf(stderr, "ipcbench: unknown transport '%s' (--list)\n", tok);
					exit(2);
				}
				tsel[k] = any_t = true;
			}
			free(copy);
			i++;
		} else if (!strcmp(a, "--lines")) {
			tty = false;
		} else if (!strcmp(a, "--list")) {
			for (int k = 0; k < T_COUNT; k++)
				printf("%s\n", transports[k].name);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(0);
		} else {
			usage(2);
		}
	}
	if (!any_t)
		for (int k = 0; k < T_COUNT; k++)
			tsel[k] = true;
	if (nsizes == 0)
		usage(2);

	csv = stdout;
	if (csv_path && !(csv = fopen(csv_path, "w"))) {
		fprintf(stderr, "ipcbench: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	CPU_ZERO(&cs);
	ncpus = sched_getaffinity(0, sizeof(cs), &cs) ? 1 : CPU_COUNT(&cs);
	if (ncpus < 2 || !CPU_ISSET(0, &cs) || !CPU_ISSET(1, &cs))
		fprintf(stderr, "ipcbench: CPUs 0 and 1 are not both usable: 2cpu is n/a\n");
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh) + opt_rtt * sizeof(uint64_t),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "ipcbench: mmap: %s\n", strerror(errno));
		return 1;
	}

	if (opt_quick) {
		seen_bytes = MAXPROC * (opt_msgs + 8) / 8 + 1;
		seen = mmap(NULL, seen_bytes, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (seen == MAP_FAILED) {
			fprintf(stderr, "ipcbench: mmap: %s\n", strerror(errno));
			return 1;
		}
	}

	npoints = 0;
	for (int k = 0; k < T_COUNT; k++)
		if (tsel[k])
			npoints += nsizes * 6;
	fprintf(stderr, "ipcbench: %u points x %lu reps; tput %lu msgs, lat %lu round trips,"
		" depth %u%s\n", npoints, opt_reps, opt_msgs, opt_rtt, opt_depth,
		opt_quick ? ", quick (every byte checked)" : "");
	fprintf(csv, "transport,size,placement,metric,median,min,max,reps,unit\n");

	for (int k = 0; k < T_COUNT; k++) {
		if (!tsel[k])
			continue;
		for (unsigned int si = 0; si < nsizes; si++) {
			unsigned int size = sizes[si];

			for (int pl = P_1CPU; pl <= P_4TO4; pl++) {
				for (int lat = 0; lat < 2; lat++) {
					struct sample s[64];
					unsigned int ok = 0;
					bool na = (pl == P_4TO4 && (lat || !transports[k].multi)) ||
						  (lat && transports[k].no_lat) ||
						  (pl == P_2CPU && ncpus < 2);
					uint64_t tp = now_ns();

					if (pl == P_4TO4 && lat)
						continue;	/* not measured, not listed */
					point++;
					if (na) {
						if (pl == P_4TO4) {
							emit_na(k, size, pl, M_MSGS);
							emit_na(k, size, pl, M_MBS);
						} else {
							for (int m = lat ? M_P50 : M_MSGS;
							     m <= (lat ? M_P999 : M_MBS); m++)
								emit_na(k, size, pl, m);
						}
						fflush(csv);
						continue;
					}
					if (!tty)
						fprintf(stderr, "[%u/%u] %s %uB %s %s x%lu ...",
							point, npoints, transports[k].name, size,
							place_names[pl], lat ? "lat" : "tput", opt_reps);
					for (unsigned int r = 0; r < opt_reps; r++) {
						int ret;

						if (tty)
							fprintf(stderr, "\r[%u/%u] %s %uB %s %s rep %u/%lu\033[K",
								point, npoints, transports[k].name, size,
								place_names[pl], lat ? "lat" : "tput",
								r + 1, opt_reps);
						for (int m = 0; m < M_COUNT; m++)
							s[ok].v[m] = -1;
						runs++;
						ret = lat ? run_lat(k, size, pl, &s[ok]) :
							    run_tput(k, size, pl, &s[ok]);
						if (ret)
							fails++;
						else
							ok++;
					}
					if (!tty)
						fprintf(stderr, " %.2fs\n", (now_ns() - tp) / 1e9);
					if (lat)
						for (int m = M_P50; m <= M_P999; m++)
							emit(k, size, pl, m, s, ok);
					else
						for (int m = M_MSGS; m <= M_MBS; m++)
							emit(k, size, pl, m, s, ok);
					fflush(csv);
				}
			}
			point++;
			if (!tty)
				fprintf(stderr, "[%u/%u] %s %uB self x%lu\n", point,
					npoints, transports[k].name, size, opt_reps);
			run_self(k, size, &fails, &runs);
		}
	}
	if (tty)
		fputc('\n', stderr);
	fprintf(stderr, "ipcbench: %u runs, %u failed, %.1f s%s\n", runs, fails,
		(now_ns() - t_start) / 1e9,
		opt_quick && !fails ? "; every message arrived intact" : "");
	if (csv != stdout && fclose(csv)) {
		fprintf(stderr, "ipcbench: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	return fails ? 1 : 0;
}
