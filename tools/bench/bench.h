/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the C benchmarks of tools/bench: a clock, medians with their
 * spread, and the one output line per table row that tools/bench/report
 * turns into Markdown (see the format there).
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median of v[0..n) (sorted in place) and, in *spread, half the range
 * as a fraction of it: the noise stated beside every figure.
 */
static inline double bench_median(double *v, int n, double *spread)
{
	double m;

	qsort(v, n, sizeof(*v), bench_cmp);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*spread = m ? (v[n - 1] - v[0]) / 2 / m : 0;
	return m;
}

/*
 * One row: "bench|ROW|MEASURE|FIGURE|REFERENCE|RATIO|NOISE|RAW", the
 * reproducing command added by the shell driver that ran the program.
 */
#define bench_row(row, measure, figure, ref, ratio, noise, raw...) do {	\
	printf("bench|%s|%s|%s|%s|", row, measure, figure, ref);	\
	printf("%.3g|%s|", ratio, noise);				\
	printf(raw);							\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#endif /* BENCH_H */
