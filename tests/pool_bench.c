// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench` for key pools, run in the test VM with qkd.ko loaded:
 * keys per second fed through netlink at several batch sizes and through
 * add_key(2), and the memory one stored key costs. Figures under TCG are
 * only meaningful as ratios within one run; the ratios are printed too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "libqkd.h"

#define POOL_KEYS 65536		/* the module's default max_pool_keys */
#define ROUNDS 3

static struct qkd_key batch[QKD_KEY_BATCH_MAX];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_key(struct qkd_key *k, unsigned int n)
{
	memset(k, 0, sizeof(*k));
	k->dir = QKD_DIR_OUT;
	memcpy(k->id, &n, sizeof(n));
	k->id[15] = 0xb;
	k->len = 32;
	for (unsigned int i = 0; i < k->len; i++)
		k->material[i] = (uint8_t)(n + i);
}

static void die(const char *what, int err, const struct qkd_err *e)
{
	fprintf(stderr, "pool_bench: %s: %s %s\n", what, strerror(-err),
		e ? e->msg : "");
	exit(1);
}

/* Fills the pool of link "b" with POOL_KEYS keys, `size` per message. */
static double fill_netlink(struct qkd_nl *nl, unsigned int size)
{
	struct qkd_err err;
	double t0 = now();
	int ret;

	for (unsigned int n = 0; n < POOL_KEYS; n += size) {
		for (unsigned int i = 0; i < size; i++)
			make_key(&batch[i], n + i);
		ret = qkd_key_add(nl, "b", batch, size, &err);
		if (ret)
			die("key add", ret, &err);
	}
	return POOL_KEYS / (now() - t0);
}

static double fill_add_key(unsigned int count)
{
	char desc[80];
	double t0 = now();
	struct qkd_key k;

	for (unsigned int n = 0; n < count; n++) {
		make_key(&k, n);
		snprintf(desc, sizeof(desc),
			 "b:out:%02x%02x%02x%02x-0000-4000-8000-0000000000%02x",
			 k.id[0], k.id[1], k.id[2], k.id[3], k.id[15]);
		if (syscall(SYS_add_key, "qkd", desc, k.material, k.len,
			    KEY_SPEC_PROCESS_KEYRING) < 0) {
			fprintf(stderr, "pool_bench: add_key: %s\n", strerror(errno));
			exit(1);
		}
	}
	return count / (now() - t0);
}

static long mem_free_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static double best(double a, double b)
{
	return a > b ? a : b;
}

int main(void)
{
	static const unsigned int sizes[] = { 1, 16, 256 };
	double rate[3] = { 0 }, keyring = 0;
	struct qkd_stats st0, st1;
	struct qkd_link l;
	struct qkd_err err;
	struct qkd_nl *nl;
	long free0, free1;
	int ret;

	if (unshare(CLONE_NEWNET))
		return perror("unshare"), 1;
	ret = qkd_nl_open(&nl);
	if (ret)
		die("open", ret, NULL);
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "b");
	l.capacity = POOL_KEYS;
	l.low_water = 0;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	ret = qkd_link_new(nl, &l, &err);
	if (ret)
		die("link new", ret, &err);

	/* Memory first, on a cold module: freed chunks stay in the slab. */
	qkd_stats_get(nl, &st0, &err);
	free0 = mem_free_kb();
	fill_netlink(nl, QKD_KEY_BATCH_MAX);
	free1 = mem_free_kb();
	qkd_stats_get(nl, &st1, &err);
	qkd_key_flush(nl, "b", -1, &err);

	for (int r = 0; r < ROUNDS; r++) {
		for (int s = 0; s < 3; s++) {
			rate[s] = best(rate[s], fill_netlink(nl, sizes[s]));
			qkd_key_flush(nl, "b", -1, &err);
		}
		keyring = best(keyring, fill_add_key(POOL_KEYS / 8));
		qkd_key_flush(nl, "b", -1, &err);
	}

	printf("pool_bench: 256-bit keys, pool of %d, best of %d rounds (TCG: compare ratios only)\n",
	       POOL_KEYS, ROUNDS);
	for (int s = 0; s < 3; s++)
		printf("  netlink, %3u keys a message: %9.0f keys/s  (x%.1f of 1 a message)\n",
		       sizes[s], rate[s], rate[s] / rate[0]);
	printf("  add_key(2), 1 key a call:    %9.0f keys/s  (x%.1f of netlink 1 a message)\n",
	       keyring, keyring / rate[0]);
	printf("  memory per stored key: %.1f bytes in pool chunks (module counter), %.1f bytes all told (MemFree, key-ID table included)\n",
	       (double)(st1.memory - st0.memory) / (st1.keys - st0.keys),
	       (double)(free0 - free1) * 1024 / (st1.keys - st0.keys));
	qkd_nl_close(nl);
	return 0;
}
