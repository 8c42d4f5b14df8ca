// SPDX-License-Identifier: GPL-2.0
/*
 * Bench row 3, ingestion: keys per second into one link's pool through
 * netlink batches of 1, 16 and 256 keys and through add_key(2), against a
 * memcpy of the same bytes (key ID and material, 48 bytes a key) in the
 * same VM as the ceiling; and the module memory a stored key takes. Each
 * round measures every path once, in turn, so that drift hits them all
 * alike; a figure is the median over the rounds, its noise half the range. Runs in the VM with qkd.ko loaded, in a network
 * namespace of its own.
 *
 * usage: ingest [--rounds N] [--keys N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "libqkd.h"
#include "bench.h"

#define MAX_ROUNDS 32
#define KEY_BYTES (QKD_KEY_ID_LEN + 32)
#define PATHS 5		/* netlink 1, 16, 256; add_key; memcpy */

static const unsigned int sizes[] = { 1, 16, QKD_KEY_BATCH_MAX };
static struct qkd_key batch[QKD_KEY_BATCH_MAX];
static unsigned int nkeys = 65536;

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
	fprintf(stderr, "ingest: %s: %s %s\n", what, strerror(-err),
		e ? e->msg : "");
	exit(1);
}

/*
 * Fills link "b" with nkeys keys, size a message; the pool is then flushed.
 * With @full, the module's counters as the pool is full.
 */
static double fill_netlink(struct qkd_nl *nl, unsigned int size, struct qkd_stats *full)
{
	struct qkd_err err;
	double t0 = bench_now(), t;
	int ret;

	for (unsigned int n = 0; n < nkeys; n += size) {
		for (unsigned int i = 0; i < size; i++)
			make_key(&batch[i], n + i);
		ret = qkd_key_add(nl, "b", batch, size, &err);
		if (ret)
			die("key add", ret, &err);
	}
	t = bench_now() - t0;
	if (full)
		qkd_stats_get(nl, full, &err);
	qkd_key_flush(nl, "b", -1, &err);
	return nkeys / t;
}

/* add_key(2) is slower by far: an eighth of the keys is plenty. */
static double fill_add_key(struct qkd_nl *nl)
{
	unsigned int count = nkeys / 8;
	struct qkd_err err;
	struct qkd_key k;
	char desc[80];
	double t0 = bench_now(), t;

	for (unsigned int n = 0; n < count; n++) {
		make_key(&k, n);
		snprintf(desc, sizeof(desc),
			 "b:out:%02x%02x%02x%02x-0000-4000-8000-0000000000%02x",
			 k.id[0], k.id[1], k.id[2], k.id[3], k.id[15]);
		if (syscall(SYS_add_key, "qkd", desc, k.material, k.len,
			    KEY_SPEC_PROCESS_KEYRING) < 0) {
			fprintf(stderr, "ingest: add_key: %s\n", strerror(errno));
			exit(1);
		}
	}
	t = bench_now() - t0;
	qkd_key_flush(nl, "b", -1, &err);
	return count / t;
}

/*
 * The ceiling: the same bytes copied, a batch's worth at a time, into a
 * buffer as large as the pool, with the key generation of the other paths
 * included, so that only the transport differs.
 */
static double fill_memcpy(void)
{
	static uint8_t src[QKD_KEY_BATCH_MAX * KEY_BYTES];
	uint8_t *dst = malloc((size_t)nkeys * KEY_BYTES);
	unsigned int passes = 0;
	double t0, t;

	if (!dst)
		die("malloc", -ENOMEM, NULL);
	memset(dst, 0, (size_t)nkeys * KEY_BYTES);
	/* One pass over a small pool takes well under a tick: repeat it. */
	t0 = bench_now();
	do {
		for (unsigned int n = 0; n < nkeys; n += QKD_KEY_BATCH_MAX) {
			for (unsigned int i = 0; i < QKD_KEY_BATCH_MAX; i++) {
				make_key(&batch[i], n + i);
				memcpy(src + i * KEY_BYTES, batch[i].id,
				       QKD_KEY_ID_LEN);
				memcpy(src + i * KEY_BYTES + QKD_KEY_ID_LEN,
				       batch[i].material, 32);
			}
			memcpy(dst + (size_t)n * KEY_BYTES, src, sizeof(src));
			__asm__ volatile("" : : "r"(dst) : "memory");
		}
		passes++;
		t = bench_now() - t0;
	} while (t < 0.05);
	free(dst);
	return (double)nkeys * passes / t;
}

static void link_make(struct qkd_nl *nl)
{
	struct qkd_link l;
	struct qkd_err err;
	int ret;

	memset(&l, 0, sizeof(l));
	strcpy(l.name, "b");
	l.capacity = nkeys;
	l.low_water = 0;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	ret = qkd_link_new(nl, &l, &err);
	if (ret)
		die("link new", ret, &err);
}

static void fmt_noise(char *buf, size_t len, double spread)
{
	snprintf(buf, len, "±%.0f%%", spread * 100);
}

int main(int argc, char **argv)
{
	static const char *const names[PATHS] = {
		"netlink, 1 key a message", "netlink, 16 keys a message",
		"netlink, 256 keys a message", "add_key(2), 1 key a call",
		"memcpy of the same bytes",
	};
	double rate[PATHS][MAX_ROUNDS], ratio[PATHS][MAX_ROUNDS];
	double vs_add_key[MAX_ROUNDS], med[PATHS], noise_rate[PATHS], spread, r;
	char noise[64], fig[64];
	struct qkd_stats st0 = { 0 }, st1 = { 0 };
	struct qkd_err err;
	int rounds = 5;
	struct qkd_nl *nl;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			nkeys = strtoul(argv[++i], NULL, 0);
		else
			return fprintf(stderr, "usage: ingest [--rounds N] [--keys N]\n"), 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || nkeys < 2048 ||
	    nkeys % QKD_KEY_BATCH_MAX)
		return fprintf(stderr, "ingest: 1 to %d rounds, keys a multiple of 256 from 2048\n",
			       MAX_ROUNDS), 2;
	if (unshare(CLONE_NEWNET))
		return perror("unshare"), 1;
	ret = qkd_nl_open(&nl);
	if (ret)
		die("open", ret, NULL);
	link_make(nl);
	/*
	 * One warm-up fill, not timed: the slab grows its chunks here, so it
	 * is where the module's memory counter shows what a stored key costs.
	 */
	qkd_stats_get(nl, &st0, &err);
	fill_netlink(nl, QKD_KEY_BATCH_MAX, &st1);

	for (int k = 0; k < rounds; k++) {
		for (int s = 0; s < 3; s++)
			rate[s][k] = fill_netlink(nl, sizes[s], NULL);
		rate[3][k] = fill_add_key(nl);
		rate[4][k] = fill_memcpy();
		for (int p = 0; p < PATHS; p++)
			ratio[p][k] = rate[p][k] / rate[4][k];
		vs_add_key[k] = rate[2][k] / rate[3][k];
	}

	for (int p = 0; p < PATHS; p++)
		med[p] = bench_median(rate[p], rounds, &noise_rate[p]);
	for (int p = 0; p < PATHS; p++) {
		r = bench_median(ratio[p], rounds, &spread);
		fmt_noise(noise, sizeof(noise), spread);
		snprintf(fig, sizeof(fig), "%.0f keys/s", med[p]);
		if (p == 4)
			bench_row("3 ingestion", names[p], fig, "itself (the ceiling)",
				  1.0, "-", "%d rounds of %u keys, rate ±%.0f%%",
				  rounds, nkeys, noise_rate[p] * 100);
		else
			bench_row("3 ingestion", names[p], fig, "memcpy ceiling",
				  r, noise, "%d rounds of %u keys%s, rate ±%.0f%%, memcpy %.0f keys/s",
				  rounds, p == 3 ? nkeys / 8 : nkeys, p == 3 ? " (an eighth)" : "",
				  noise_rate[p] * 100, med[4]);
	}
	r = bench_median(vs_add_key, rounds, &spread);
	fmt_noise(noise, sizeof(noise), spread);
	snprintf(fig, sizeof(fig), "%.0f keys/s", med[2]);
	bench_row("3 ingestion", "netlink 256 a message against add_key(2)", fig,
		  "add_key(2)", r, noise, "add_key %.0f keys/s", med[3]);
	r = st1.keys > st0.keys ? (double)(st1.memory - st0.memory) / (st1.keys - st0.keys) : 0;
	snprintf(fig, sizeof(fig), "%.1f bytes", r);
	bench_row("3 ingestion", "module memory per stored key (pool chunks)", fig,
		  "the key's ID and material", r / KEY_BYTES, "-",
		  "%llu keys, %llu bytes (module counter)",
		  (unsigned long long)(st1.keys - st0.keys),
		  (unsigned long long)(st1.memory - st0.memory));
	qkd_nl_close(nl);
	return 0;
}
