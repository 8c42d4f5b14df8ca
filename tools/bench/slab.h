/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel memory read from /proc/slabinfo (active objects times object
 * size, cache by cache) and /proc/meminfo, for the scale row's memory
 * per link.
 */
#ifndef BENCH_SLAB_H
#define BENCH_SLAB_H

#include <stdio.h>
#include <string.h>

struct slab_snap {
	double total;		/* every cache */
	double xfrm_state;	/* the cache "xfrm_state" */
	double qkd;		/* the module's caches "qkd_*" */
	double mem_used;	/* MemTotal - MemFree, bytes */
};

static inline void slab_read(struct slab_snap *s)
{
	char line[512], name[64];
	unsigned long active, num, objsize;
	long total = 0, free_kb = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	memset(s, 0, sizeof(*s));
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num,
			   &objsize) != 4)
			continue;
		s->total += (double)active * objsize;
		if (!strcmp(name, "xfrm_state"))
			s->xfrm_state += (double)active * objsize;
		else if (!strncmp(name, "qkd_", 4))
			s->qkd += (double)active * objsize;
	}
	if (f)
		fclose(f);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemTotal: %ld kB", &total);
		sscanf(line, "MemFree: %ld kB", &free_kb);
	}
	if (f)
		fclose(f);
	s->mem_used = (double)(total - free_kb) * 1024;
}

#endif /* BENCH_SLAB_H */
