// SPDX-License-Identifier: GPL-2.0
/*
 * Bench row 4, scale: N links in one namespace, each with keys and its SAs
 * (one out, the in window), against the same number of xfrm states added
 * by `ip -batch` in the same run:
 *
 * - time to create the links and load their keys, and until every SA is in;
 * - kernel memory per link (slab, /proc/slabinfo), all told and less the
 *   xfrm states, whose cost per state (crypto context included) the
 *   `ip xfrm` reference measures;
 * - idle CPU with the links against the same window with none;
 * - `qkdctl -j link show` against `ip -j xfrm state`;
 * - a rotation storm: every link rekeyed at once, back to back over one
 *   socket, until every link's out SA is a new one.
 *
 * With --here, in the caller's namespace and nothing else: N links made
 * as above, then a storm of every link the namespace holds (those of the
 * caller included), printing "storm SECONDS SWITCHED LINKS" for
 * tools/bench/storm.sh, which counts the packets lost on its own links.
 *
 * usage: scale --links N [--keys K] [--window SECS] [--reps R] [--here]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <arpa/inet.h>

#include "libqkd.h"
#include "bench.h"
#include "cpu.h"
#include "slab.h"

#define MAX_REPS 9

static unsigned int nlinks = 1000, nkeys = 4, reps = 3;
static double window = 3;
static char row[32];

struct sa_count {
	unsigned int out, in;
	uint32_t *spi;		/* active out SPI per link, or NULL */
	unsigned int switched;	/* links whose active SPI differs from spi[] */
};

static void die(const char *what, int err, const struct qkd_err *e)
{
	fprintf(stderr, "scale: %s: %s %s\n", what, strerror(-err),
		e ? e->msg : "");
	exit(1);
}

static void peer_addr(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "10.1.%u.%u", i / 250, i % 250 + 1);
}

/* Median wall time of R runs of a shell command, its spread in *spread. */
static double timed(const char *cmd, double *spread)
{
	double t[MAX_REPS];

	for (unsigned int r = 0; r < reps; r++) {
		t[r] = bench_now();
		if (system(cmd))
			fprintf(stderr, "scale: failed: %s\n", cmd);
		t[r] = bench_now() - t[r];
	}
	return bench_median(t, reps, spread);
}

/* CPU over R windows, medians; spreads are half ranges in points. */
static void idle(double *busy, double *kw, double *busy_sd, double *kw_sd)
{
	double b[MAX_REPS], k[MAX_REPS];

	for (unsigned int r = 0; r < reps; r++)
		cpu_window(window, &b[r], &k[r]);
	*busy = bench_median(b, reps, busy_sd);
	*busy_sd *= *busy;
	*kw = bench_median(k, reps, kw_sd);
	*kw_sd *= *kw;
}

struct reference {
	double add_time;	/* ip -batch of 3N states, seconds */
	double per_state;	/* slab bytes per state */
	double per_state_x;	/* of which the xfrm_state cache */
	double dump, dump_sd;	/* ip -j xfrm state, seconds */
};

/* 3N states as the module's would be: an out SA to each peer, two in. */
static void reference_run(struct reference *ref)
{
	const char *path = "/tmp/scale-ref.batch";
	struct slab_snap s0, s1;
	char peer[32];
	double t0;
	FILE *f = fopen(path, "w");

	if (!f)
		die("fopen", -errno, NULL);
	for (unsigned int i = 0; i < nlinks; i++) {
		peer_addr(i, peer, sizeof(peer));
		for (unsigned int d = 0; d < 3; d++)
			fprintf(f, "xfrm state add src %s dst %s proto esp spi 0x%x reqid %u mode tunnel flag esn replay-window 128 aead 'rfc4106(gcm(aes))' 0x%072x 128\n",
				d ? peer : "10.0.0.1", d ? "10.0.0.1" : peer,
				0x1000000 + i * 4 + d, i + 1, i * 3 + d);
	}
	fclose(f);
	slab_read(&s0);
	t0 = bench_now();
	if (system("ip -batch /tmp/scale-ref.batch"))
		die("ip -batch", -EIO, NULL);
	ref->add_time = bench_now() - t0;
	sleep(1);
	slab_read(&s1);
	ref->per_state = (s1.total - s0.total) / (3.0 * nlinks);
	ref->per_state_x = (s1.xfrm_state - s0.xfrm_state) / (3.0 * nlinks);
	ref->dump = timed("ip -j xfrm state >/dev/null", &ref->dump_sd);
	if (system("ip xfrm state flush"))
		die("ip xfrm state flush", -EIO, NULL);
	unlink(path);
}

static void link_make(struct qkd_nl *nl, unsigned int i)
{
	struct qkd_key keys[2 * 16];
	struct qkd_err err;
	struct qkd_link l;
	char peer[32];
	int ret;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "l%05u", i);
	l.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", l.local_addr);
	peer_addr(i, peer, sizeof(peer));
	inet_pton(AF_INET, peer, l.peer_addr);
	l.reqid = i + 1;
	l.capacity = 16;
	l.low_water = 0;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_LOCAL_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_REQID);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	ret = qkd_link_new(nl, &l, &err);
	if (ret)
		die("link new", ret, &err);
	memset(keys, 0, sizeof(keys));
	for (unsigned int k = 0; k < 2 * nkeys; k++) {
		keys[k].dir = k < nkeys ? QKD_DIR_OUT : QKD_DIR_IN;
		memcpy(keys[k].id, &i, sizeof(i));
		keys[k].id[8] = k;
		keys[k].id[15] = 0x5c;
		keys[k].len = 32;
		for (unsigned int b = 0; b < 32; b++)
			keys[k].material[b] = (uint8_t)(i * 7 + k * 13 + b);
	}
	ret = qkd_key_add(nl, l.name, keys, 2 * nkeys, &err);
	if (ret)
		die("key add", ret, &err);
}

static int count_sa(const struct qkd_sa *sa, void *arg)
{
	struct sa_count *c = arg;
	unsigned int i = strtoul(sa->link + 1, NULL, 10);

	if (sa->dir == QKD_DIR_OUT && sa->state == QKD_SA_ACTIVE) {
		c->out++;
		if (c->spi && i < nlinks) {
			if (c->switched != -1u && c->spi[i] != sa->spi)
				c->switched++;
			if (c->switched == -1u)
				c->spi[i] = sa->spi;
		}
	} else if (sa->dir == QKD_DIR_IN && sa->state != QKD_SA_RETIRING) {
		c->in++;
	}
	return 0;
}

static void sa_count(struct qkd_nl *nl, struct sa_count *c)
{
	struct qkd_err err;
	int ret;

	c->out = c->in = 0;
	ret = qkd_sa_dump(nl, NULL, count_sa, c, &err);
	if (ret)
		die("sa dump", ret, &err);
}

static int count_link(const struct qkd_link *l, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* Median wall time of R dumps of every link over our socket, no JSON. */
static double kernel_dump(struct qkd_nl *nl, double *spread)
{
	double t[MAX_REPS];
	struct qkd_err err;
	unsigned int n;
	int ret;

	for (unsigned int r = 0; r < reps; r++) {
		n = 0;
		t[r] = bench_now();
		ret = qkd_link_dump(nl, count_link, &n, &err);
		t[r] = bench_now() - t[r];
		if (ret || n != nlinks)
			die("link dump", ret ? ret : -EIO, ret ? &err : NULL);
	}
	return bench_median(t, reps, spread);
}

struct spis {
	uint32_t *v;
	unsigned int n, cap, fresh;
	bool after;
};

static int spi_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Before: notes each active out SPI; after: counts those not noted. */
static int note_spi(const struct qkd_sa *sa, void *arg)
{
	struct spis *s = arg;

	if (sa->dir != QKD_DIR_OUT || sa->state != QKD_SA_ACTIVE)
		return 0;
	if (s->after) {
		if (!bsearch(&sa->spi, s->v, s->n, sizeof(*s->v), spi_cmp))
			s->fresh++;
		return 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc", -ENOMEM, NULL);
	}
	s->v[s->n++] = sa->spi;
	return 0;
}

struct names {
	char (*v)[QKD_LINK_NAME_MAX + 1];
	unsigned int n, cap;
};

static int note_name(const struct qkd_link *l, void *arg)
{
	struct names *m = arg;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			die("realloc", -ENOMEM, NULL);
	}
	strcpy(m->v[m->n++], l->name);
	return 0;
}

/* --here: make the links, then rekey every link of the namespace at once. */
static int storm_here(void)
{
	struct spis sp = { 0 };
	struct names nm = { 0 };
	struct sa_count c = { 0 };
	struct qkd_err err;
	struct qkd_nl *nl;
	double t0, t;
	int ret;

	ret = qkd_nl_open(&nl);
	if (ret)
		die("open", ret, NULL);
	for (unsigned int i = 0; i < nlinks; i++)
		link_make(nl, i);
	t0 = bench_now();
	do {
		if (bench_now() - t0 > 900)
			die("SAs not all in after 900 s", -ETIMEDOUT, NULL);
		usleep(200000);
		sa_count(nl, &c);
	} while (c.out < nlinks || c.in < 2 * nlinks);

	ret = qkd_link_dump(nl, note_name, &nm, &err);
	if (!ret)
		ret = qkd_sa_dump(nl, NULL, note_spi, &sp, &err);
	if (ret)
		die("dump", ret, &err);
	qsort(sp.v, sp.n, sizeof(*sp.v), spi_cmp);
	t0 = bench_now();
	for (unsigned int i = 0; i < nm.n; i++) {
		ret = qkd_link_rekey(nl, nm.v[i], &err);
		if (ret)
			die("link rekey", ret, &err);
	}
	t = bench_now() - t0;
	sp.after = true;
	ret = qkd_sa_dump(nl, NULL, note_spi, &sp, &err);
	if (ret)
		die("sa dump", ret, &err);
	printf("storm %.3f %u %u\n", t, sp.fresh, nm.n);
	for (unsigned int i = 0; i < nlinks; i++) {
		snprintf(nm.v[0], sizeof(nm.v[0]), "l%05u", i);
		qkd_link_del(nl, nm.v[0], &err);
	}
	free(sp.v);
	free(nm.v);
	qkd_nl_close(nl);
	return 0;
}

static void noise_pts(char *buf, size_t len, double a, double b)
{
	snprintf(buf, len, "±%.2f / ±%.2f points", a, b);
}

int main(int argc, char **argv)
{
	double busy0, kw0, busy0_sd, kw0_sd, busy1, kw1, busy1_sd, kw1_sd;
	double t0, t_create, t_ready, t_first = 0, t_last = 0, t_storm, t;
	double dump, dump_sd, kdump, kdump_sd, per_link, mod_link, own, states;
	struct qkd_stats st0 = { 0 }, st1 = { 0 };
	struct reference ref;
	struct slab_snap s0, s1;
	struct sa_count c = { 0 };
	char fig[64], noise[64], cmd[64];
	struct qkd_err err;
	struct qkd_nl *nl;
	unsigned int tenth;
	bool here = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--here"))
			here = true;
		else if (!strcmp(argv[i], "--links") && i + 1 < argc)
			nlinks = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			nkeys = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--window") && i + 1 < argc)
			window = atof(argv[++i]);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = strtoul(argv[++i], NULL, 0);
		else
			return fprintf(stderr, "usage: scale --links N [--keys K] [--window SECS] [--reps R] [--here]\n"), 2;
	}
	if (nlinks < 10 || nlinks > 60000 || nkeys < 3 || nkeys > 16 ||
	    !reps || reps > MAX_REPS || window <= 0)
		return fprintf(stderr, "scale: 10 to 60000 links, 3 to 16 keys, 1 to %d reps\n",
			       MAX_REPS), 2;
	snprintf(row, sizeof(row), "4 scale, %u links", nlinks);
	tenth = nlinks / 10;
	if (here)
		return storm_here();

	if (unshare(CLONE_NEWNET))
		return perror("unshare"), 1;
	idle(&busy0, &kw0, &busy0_sd, &kw0_sd);
	reference_run(&ref);
	/* The flushed states are freed by xfrm's garbage collector. */
	sleep(2);

	ret = qkd_nl_open(&nl);
	if (ret)
		die("open", ret, NULL);
	slab_read(&s0);
	qkd_stats_get(nl, &st0, &err);
	t0 = bench_now();
	for (unsigned int i = 0; i < nlinks; i++) {
		t = bench_now();
		link_make(nl, i);
		t = bench_now() - t;
		if (i < tenth)
			t_first += t;
		else if (i >= nlinks - tenth)
			t_last += t;
	}
	t_create = bench_now() - t0;
	for (;;) {
		sa_count(nl, &c);
		if (c.out >= nlinks && c.in >= 2 * nlinks)
			break;
		if (bench_now() - t0 > 900)
			die("SAs not all in after 900 s", -ETIMEDOUT, NULL);
		usleep(200000);
	}
	t_ready = bench_now() - t0;
	sleep(1);
	slab_read(&s1);
	qkd_stats_get(nl, &st1, &err);
	states = c.out + c.in;

	snprintf(fig, sizeof(fig), "%.2f s", t_create);
	bench_row(row, "create links and load keys", fig, "ip -batch of as many xfrm states",
		  t_create / ref.add_time, "one run",
		  "all SAs in after %.2f s; per link %.2f ms in the first tenth, %.2f ms in the last; %.0f states by ip in %.2f s",
		  t_ready, t_first / tenth * 1e3, t_last / tenth * 1e3,
		  3.0 * nlinks, ref.add_time);

	/*
	 * The module's own: its caches (links, SA records) and its pool
	 * chunks (its counter), exact. The slab total less the states is
	 * beside it, for the whole picture, but it undercounts: the module's
	 * allocations reuse the slabs the reference's flushed states left.
	 */
	per_link = (s1.total - s0.total) / nlinks;
	mod_link = per_link - states / nlinks * ref.per_state;
	own = ((s1.qkd - s0.qkd) + (double)(st1.memory - st0.memory)) / nlinks;
	snprintf(fig, sizeof(fig), "%.2f KB", own / 1024);
	bench_row(row, "module memory per link, less its xfrm states", fig,
		  "its xfrm states as ip xfrm makes them",
		  own / (states / nlinks * ref.per_state), "one run",
		  "qkd_* caches %.2f KB and pool chunks %.2f KB a link (%u keys each way), plus the key-ID index (at most 16 bytes a key) and the next out SA built ahead (an xfrm state not yet in the SAD); slab per link %.1f KB all told, %.1f KB less the states (undercounted: the reference's freed slabs are reused), xfrm_state cache %.2f KB, for %.2f states; an ip xfrm state %.2f KB (xfrm_state cache %.2f KB); MemTotal-MemFree per link %.1f KB; total slab %.1f MB",
		  (s1.qkd - s0.qkd) / nlinks / 1024,
		  (double)(st1.memory - st0.memory) / nlinks / 1024, nkeys,
		  per_link / 1024, mod_link / 1024,
		  (s1.xfrm_state - s0.xfrm_state) / nlinks / 1024,
		  states / nlinks, ref.per_state / 1024, ref.per_state_x / 1024,
		  (s1.mem_used - s0.mem_used) / nlinks / 1024,
		  (s1.total - s0.total) / 1048576);

	idle(&busy1, &kw1, &busy1_sd, &kw1_sd);
	snprintf(fig, sizeof(fig), "%.2f%% of a CPU", busy1);
	noise_pts(noise, sizeof(noise), busy1_sd, busy0_sd);
	bench_row(row, "idle CPU, whole VM", fig, "the same window with no links",
		  busy0 > 0 ? busy1 / busy0 : 0, noise,
		  "%u windows of %.0f s; no links %.2f%%; kworkers %.2f%% against %.2f%% (±%.2f / ±%.2f)",
		  reps, window, busy0, kw1, kw0, kw1_sd, kw0_sd);

	dump = timed("qkdctl -j link show >/dev/null", &dump_sd);
	kdump = kernel_dump(nl, &kdump_sd);
	snprintf(fig, sizeof(fig), "%.3f s", dump);
	snprintf(noise, sizeof(noise), "±%.0f%% / ±%.0f%%", dump_sd * 100, ref.dump_sd * 100);
	bench_row(row, "JSON dump, qkdctl -j link show", fig,
		  "ip -j xfrm state of as many states", dump / ref.dump, noise,
		  "median of %u; ip %.3f s for %.0f states; both include a process start; the kernel's part, a netlink dump of every link with no JSON, %.3f s (±%.0f%%)",
		  reps, ref.dump, 3.0 * nlinks, kdump, kdump_sd * 100);

	/* The storm: note every active SPI, rekey all, count the new ones. */
	c.spi = calloc(nlinks, sizeof(*c.spi));
	if (!c.spi)
		die("calloc", -ENOMEM, NULL);
	c.switched = -1u;
	sa_count(nl, &c);
	t0 = bench_now();
	for (unsigned int i = 0; i < nlinks; i++) {
		snprintf(cmd, sizeof(cmd), "l%05u", i);
		ret = qkd_link_rekey(nl, cmd, &err);
		if (ret)
			die("link rekey", ret, &err);
	}
	t_storm = bench_now() - t0;
	c.switched = 0;
	sa_count(nl, &c);
	snprintf(fig, sizeof(fig), "%.2f s", t_storm);
	bench_row(row, "rotation storm, every link rekeyed at once", fig,
		  "ip -batch adding as many SAs", t_storm / (ref.add_time / 3), "one run",
		  "%u of %u links on a new out SA after it; %.2f ms a link; ip %.2f ms an SA; no traffic here: packets lost, the storm under traffic row",
		  c.switched, nlinks, t_storm / nlinks * 1e3, ref.add_time / 3 / nlinks * 1e3);
	free(c.spi);

	/* Leave nothing behind: the namespace's links go with it, but now. */
	for (unsigned int i = 0; i < nlinks; i++) {
		snprintf(cmd, sizeof(cmd), "l%05u", i);
		qkd_link_del(nl, cmd, &err);
	}
	qkd_nl_close(nl);
	return 0;
}
