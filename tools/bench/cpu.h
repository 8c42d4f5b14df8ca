/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU used over a window while nothing else runs: the machine's busy time
 * from /proc/stat and the CPU time of the kernel's kworker threads from
 * /proc/PID/stat, for the scale row's idle cost.
 */
#ifndef BENCH_CPU_H
#define BENCH_CPU_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Busy ticks of all CPUs (everything but idle and iowait). */
static inline double cpu_busy_ticks(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	double busy = 0;

	if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			&v[7]) == 8)
		busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	if (f)
		fclose(f);
	return busy;
}

/* utime + stime of every thread named kworker*, in ticks. */
static inline double cpu_kworker_ticks(void)
{
	char path[300], buf[512], *p;
	unsigned long ut, st;
	struct dirent *d;
	double sum = 0;
	DIR *dir = opendir("/proc");
	FILE *f;

	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && strstr(buf, "(kworker")) {
			p = strrchr(buf, ')');
			if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
					&ut, &st) == 2)
				sum += ut + st;
		}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return sum;
}

/*
 * Over secs seconds: *busy and *kworker as percent of one CPU. The
 * caller runs nothing meanwhile.
 */
static inline void cpu_window(double secs, double *busy, double *kworker)
{
	double hz = sysconf(_SC_CLK_TCK);
	double b0 = cpu_busy_ticks(), k0 = cpu_kworker_ticks();

	usleep(secs * 1e6);
	*busy = (cpu_busy_ticks() - b0) / hz / secs * 100;
	*kworker = (cpu_kworker_ticks() - k0) / hz / secs * 100;
}

#endif /* BENCH_CPU_H */
