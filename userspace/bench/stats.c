// SPDX-License-Identifier: GPL-2.0
/*
 * ipcbench: the clock, percentiles of round trips, and the CSV lines
 * (median, min and max over the repetitions of each metric).
 */
#include "ipcbench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const char *const metric_names[] = {
	"tput_msgs", "tput_mbs", "lat_p50", "lat_p99", "lat_p999", "self_ns",
	"slab_per_msg" };
const char *const metric_units[] = { "msg/s", "MB/s", "ns", "ns", "ns", "ns", "B" };

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double pct(const uint64_t *s, unsigned long n, double q)
{
	unsigned long k = (unsigned long)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)s[k - 1];
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void emit(enum kind k, unsigned int size, enum place pl, int m,
	  struct sample *s, unsigned int reps)
{
	double v[64];
	unsigned int n = 0;

	for (unsigned int r = 0; r < reps; r++)
		if (s[r].v[m] >= 0)
			v[n++] = s[r].v[m];
	if (n == 0) {
		fprintf(csv, "%s,%u,%s,%s,n/a,n/a,n/a,0,%s\n", transports[k].name,
			size, place_names[pl], metric_names[m], metric_units[m]);
		return;
	}
	qsort(v, n, sizeof(v[0]), cmp_dbl);
	/* the median of an even count: the mean of the middle two */
	fprintf(csv, "%s,%u,%s,%s,%.6g,%.6g,%.6g,%u,%s\n", transports[k].name,
		size, place_names[pl], metric_names[m],
		n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1],
		n, metric_units[m]);
}

void emit_na(enum kind k, unsigned int size, enum place pl, int m)
{
	fprintf(csv, "%s,%u,%s,%s,n/a,n/a,n/a,0,%s\n", transports[k].name, size,
		place_names[pl], metric_names[m], metric_units[m]);
}
