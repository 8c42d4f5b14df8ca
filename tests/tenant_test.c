// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants: a network namespace owned by a user namespace an unprivileged
 * user made (`unshare -Urn`) gets no link unless the operator allows it
 * (allow_userns), stays within its quotas (userns_max_links,
 * userns_max_keys), pays for its memory (its memory cgroup) and its keyring
 * keys (its owner's key quota), and can never make the operator's key adds
 * fail.
 *
 * Each test runs as root inside the test VM with qkd.ko loaded, in a network
 * namespace of its own (the operator's side: owned by the initial user
 * namespace), and forks the tenant: uid 65534 in a new user and network
 * namespace. The tenant does its part, reports over a pipe, and keeps its
 * namespace until the test lets it go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libqkd.h"
#include "kselftest_harness.h"
#include "test_keys.h"

#define TENANT_UID	65534
/* A user no other test is: its key quota holds nothing of theirs. */
#define QUOTA_UID	65533
/* Nor this: the keys of earlier tests' tenants are collected lazily. */
#define SA_UID		65532
#define CGROUP		"/sys/fs/cgroup/qkd-tenant-test"

static int write_file(const char *path, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	ret = fclose(f);
	return ret ? -errno : 0;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int set_param(const char *name, long v)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/qkd/parameters/%s", name);
	return write_file(path, "%ld\n", v);
}

static long get_param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/qkd/parameters/%s", name);
	return read_long(path);
}

/* A bool parameter: 1 for Y, 0 for N, -1 if unreadable. */
static int get_bool_param(const char *name)
{
	char path[128], c = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/qkd/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, " %c", &c) != 1)
		c = 0;
	fclose(f);
	return c == 'Y' ? 1 : c == 'N' ? 0 : -1;
}

static int new_link(struct qkd_nl *nl, const char *name, uint32_t capacity,
		    struct qkd_err *err)
{
	struct qkd_link l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.capacity = capacity;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	return qkd_link_new(nl, &l, err);
}

/* What a tenant reports: up to eight figures and the last extack. */
struct report {
	long v[8];
	char msg[256];
};

struct tenant {
	pid_t pid;
	int from;		/* the tenant's report */
	int to;			/* closed by the test: the tenant may go */
};

/*
 * Forks the tenant: (in @cgroup when set, joined as root) uid @uid, then a
 * user namespace mapping its root to 65534 and a network namespace, then
 * @fn's report goes up the pipe and the tenant waits for its release.
 */
static int tenant_start(struct tenant *t, const char *cgroup, uid_t uid,
			void (*fn)(struct qkd_nl *nl, struct report *r))
{
	int up[2], down[2];
	struct report r;
	struct qkd_nl *nl;
	char c;

	if (pipe(up) || pipe(down))
		return -1;
	t->pid = fork();
	if (t->pid < 0)
		return -1;
	if (t->pid) {
		close(up[1]);
		close(down[0]);
		t->from = up[0];
		t->to = down[1];
		return 0;
	}
	close(up[0]);
	close(down[1]);
	memset(&r, 0, sizeof(r));
	r.v[0] = -1000;
	/* A failed step reports -1000 - its number, and errno in v[1]. */
	if (cgroup && write_file(CGROUP "/cgroup.procs", "%d\n", getpid()))
		goto out;
	r.v[0]--;
	if (setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		goto out;
	r.v[0]--;
	/* Changing uid made /proc/self root's: the maps need it ours again. */
	if (prctl(PR_SET_DUMPABLE, 1) || unshare(CLONE_NEWUSER | CLONE_NEWNET))
		goto out;
	r.v[0]--;
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 %d 1", uid) ||
	    write_file("/proc/self/gid_map", "0 %d 1", uid))
		goto out;
	r.v[0]--;
	if (qkd_nl_open(&nl))
		goto out;
	r.v[0] = 0;
	fn(nl, &r);
out:
	if (r.v[0] <= -1000)
		r.v[1] = errno;
	if (write(up[1], &r, sizeof(r)) != sizeof(r))
		_exit(1);
	/* Holds the namespace (and its links) until the test is done. */
	if (read(down[0], &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static int tenant_report(struct tenant *t, struct report *r)
{
	return read(t->from, r, sizeof(*r)) == sizeof(*r) ? 0 : -1;
}

static int tenant_end(struct tenant *t)
{
	int status;

	close(t->to);
	close(t->from);
	if (waitpid(t->pid, &status, 0) != t->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(tenant) {
	struct qkd_nl *nl;
	struct qkd_err err;
	long allow, max_links, max_keys, module_max_keys;
	long keys_maxkeys, keys_maxbytes;
};

FIXTURE_SETUP(tenant)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	memset(&self->err, 0, sizeof(self->err));
	self->allow = get_bool_param("allow_userns");
	self->max_links = get_param("userns_max_links");
	self->max_keys = get_param("userns_max_keys");
	self->module_max_keys = get_param("max_keys");
	self->keys_maxkeys = read_long("/proc/sys/kernel/keys/maxkeys");
	self->keys_maxbytes = read_long("/proc/sys/kernel/keys/maxbytes");
	ASSERT_LT(0, self->max_links);
	ASSERT_LT(0, self->max_keys);
	ASSERT_LT(0, self->keys_maxkeys);
}

FIXTURE_TEARDOWN(tenant)
{
	set_param("allow_userns", 0);
	set_param("userns_max_links", self->max_links);
	set_param("userns_max_keys", self->max_keys);
	set_param("max_keys", self->module_max_keys);
	write_file("/proc/sys/kernel/keys/maxkeys", "%ld\n", self->keys_maxkeys);
	write_file("/proc/sys/kernel/keys/maxbytes", "%ld\n", self->keys_maxbytes);
	qkd_nl_close(self->nl);
}

static void try_one_link(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };

	r->v[0] = new_link(nl, "t1", 64, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

TEST_F(tenant, by_default_a_user_namespace_cannot_create_a_link)
{
	struct tenant t;
	struct report r;

	/* The parameter reads N (bool): off unless the operator said so. */
	ASSERT_EQ(0, self->allow);
	ASSERT_EQ(0, tenant_start(&t, NULL, TENANT_UID, try_one_link));
	ASSERT_EQ(0, tenant_report(&t, &r));
	EXPECT_EQ(-EPERM, r.v[0]);
	EXPECT_STREQ("links in a namespace of a non-initial user namespace are off (module parameter allow_userns)",
		     r.msg);
	EXPECT_EQ(0, tenant_end(&t));

	/* Allowed, the same tenant gets its link. */
	ASSERT_EQ(0, set_param("allow_userns", 1));
	ASSERT_EQ(0, tenant_start(&t, NULL, TENANT_UID, try_one_link));
	ASSERT_EQ(0, tenant_report(&t, &r));
	EXPECT_EQ(0, r.v[0]);
	EXPECT_EQ(0, tenant_end(&t));
}

/* Fills the quota: as many keys as userns_max_keys, then one more. */
static void fill_key_quota(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };
	long quota = get_param("userns_max_keys");

	r->v[0] = new_link(nl, "t1", 4096, &err);
	if (r->v[0])
		return;
	r->v[1] = add_keys(nl, "t1", QKD_DIR_OUT, 0, quota, &err);
	r->v[2] = add_keys(nl, "t1", QKD_DIR_IN, quota, 1, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

TEST_F(tenant, a_tenant_cannot_make_the_operators_key_add_fail)
{
	struct qkd_stats st;
	struct tenant t;
	struct report r;

	ASSERT_EQ(0, set_param("allow_userns", 1));
	ASSERT_EQ(0, set_param("userns_max_keys", 100));
	ASSERT_EQ(0, quiet_module_stats(self->nl, &st));
	/* The operator's ceiling leaves room for 10 keys, no more. */
	ASSERT_EQ(0, set_param("max_keys", st.keys + 10));

	ASSERT_EQ(0, tenant_start(&t, NULL, TENANT_UID, fill_key_quota));
	ASSERT_EQ(0, tenant_report(&t, &r));
	ASSERT_EQ(0, r.v[0]);
	EXPECT_EQ(0, r.v[1]);
	EXPECT_EQ(-EDQUOT, r.v[2]);
	EXPECT_STREQ("the namespace holds userns_max_keys keys already", r.msg);

	/* The tenant holds 100 keys and the operator still gets its 10. */
	ASSERT_EQ(0, qkd_stats_get(self->nl, &st, &self->err));
	EXPECT_LE(100, st.keys);
	ASSERT_EQ(0, new_link(self->nl, "dc1", 64, &self->err));
	EXPECT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 10, &self->err));
	EXPECT_EQ(-EDQUOT, add_keys(self->nl, "dc1", QKD_DIR_OUT, 10, 1, &self->err));
	EXPECT_STREQ("the initial user namespace's namespaces hold max_keys keys already",
		     self->err.msg);
	EXPECT_EQ(0, tenant_end(&t));
}

static void fill_link_quota(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };
	long quota = get_param("userns_max_links");
	char name[24];

	for (r->v[0] = 0; r->v[0] < quota; r->v[0]++) {
		snprintf(name, sizeof(name), "t%ld", r->v[0]);
		if (new_link(nl, name, 64, &err))
			return;
	}
	r->v[1] = new_link(nl, "one-more", 64, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

TEST_F(tenant, a_tenant_cannot_hold_more_links_than_its_quota)
{
	struct tenant t;
	struct report r;

	ASSERT_EQ(0, set_param("allow_userns", 1));
	ASSERT_EQ(0, set_param("userns_max_links", 5));
	ASSERT_EQ(0, tenant_start(&t, NULL, TENANT_UID, fill_link_quota));
	ASSERT_EQ(0, tenant_report(&t, &r));
	EXPECT_EQ(5, r.v[0]);
	EXPECT_EQ(-EDQUOT, r.v[1]);
	EXPECT_STREQ("too many links in this namespace (module parameter userns_max_links)",
		     r.msg);
	EXPECT_EQ(0, tenant_end(&t));
}

/* Keys user @uid holds, from /proc/key-users. */
static long owner_keys(uid_t want)
{
	FILE *f = fopen("/proc/key-users", "r");
	char line[256];
	long uid, n, keys = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %ld: %ld", &uid, &n) == 2 && uid == want)
			keys = n;
	fclose(f);
	return keys;
}

static void three_links(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };

	r->v[0] = new_link(nl, "t1", 64, &err) ?: new_link(nl, "t2", 64, &err) ?:
		  new_link(nl, "t3", 64, &err);
}

TEST_F(tenant, a_tenants_keyring_keys_count_against_its_key_quota)
{
	struct tenant t;
	struct report r;
	long before;

	ASSERT_EQ(0, set_param("allow_userns", 1));
	before = owner_keys(QUOTA_UID);
	ASSERT_LE(0, before);
	ASSERT_EQ(0, tenant_start(&t, NULL, QUOTA_UID, three_links));
	ASSERT_EQ(0, tenant_report(&t, &r));
	ASSERT_EQ(0, r.v[0]);
	/* The namespace's ".qkd" keyring and a key per link. */
	EXPECT_EQ(before + 4, owner_keys(QUOTA_UID));
	EXPECT_EQ(0, tenant_end(&t));
}

/*
 * A figure of the cgroup's memory.stat, or -1: "slab" is the bytes of slab
 * objects charged to it, and of kmalloc()s too large for a slab (6.1
 * counts their pages as slab too). Not memory.current:
 * that page counter is charged ahead in per-CPU batches of 64 pages, up to
 * 512 KiB on two CPUs, which would blur the figures below; a read of
 * memory.stat flushes what the CPUs have counted.
 */
static long cgroup_stat(const char *name)
{
	FILE *f = fopen(CGROUP "/memory.stat", "r");
	char line[128], fmt[32];
	long v = -1;

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "%s %%ld", name);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * Creates MEM_LINKS links of 4096-key pools, fills four of them, 32768
 * keys in all, then flushes them, reading the cgroup's slab bytes around
 * each step. The flush frees the keys' chunks; what stays is the filled
 * links' key-ID indexes, which do not shrink.
 */
#define MEM_LINKS	1000
#define MEM_FILLED	4
#define MEM_KEYS	(MEM_FILLED * 2 * 4096)
/* Slots of 256-bit keys in a pool chunk (kmod/pool.c: 72-byte slots). */
#define CHUNK_SLOTS	56
/*
 * A link's key-ID index (kmod/key_ids.c): 16 buckets of 8 bytes at first,
 * doubled as the IDs outnumber them, so 8192 buckets for 8192 keys.
 */
#define IDS_FIRST	(16 * 8)
#define IDS_FILLED	(2 * 4096 * 8)

static void charge_links_and_keys(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };
	char name[24];
	long ret = 0;

	r->v[1] = cgroup_stat("slab");
	for (int i = 0; i < MEM_LINKS && !ret; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		ret = new_link(nl, name, 4096, &err);
	}
	r->v[2] = cgroup_stat("slab");
	for (int i = 0; i < MEM_FILLED && !ret; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		ret = add_keys(nl, name, QKD_DIR_OUT, 2 * i * 4096, 4096, &err) ?:
		      add_keys(nl, name, QKD_DIR_IN, (2 * i + 1) * 4096, 4096, &err);
	}
	r->v[3] = cgroup_stat("slab");
	for (int i = 0; i < MEM_FILLED && !ret; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		ret = qkd_key_flush(nl, name, -1, &err);
	}
	r->v[4] = cgroup_stat("slab");
	r->v[0] = ret;
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

/* /sys/kernel/slab/NAME/slab_size, for the cgroup-charged cache if any. */
static long slab_size(const char *name)
{
	char path[96];
	long v;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/slab_size", name);
	v = read_long(path);
	if (v >= 0 || strncmp(name, "kmalloc-cg-", 11))
		return v;
	snprintf(path, sizeof(path), "/sys/kernel/slab/kmalloc-%s/slab_size", name + 11);
	return read_long(path);
}

/*
 * Room for a tenant of @links links and @keys keys in a memory cgroup of
 * its own (cgroup2, the memory controller on for the root's children):
 * tenants allowed, quotas, and a keyring key a link in the owner's key
 * quota. 0, or the first step that failed (errno set).
 */
static int tenant_room(int links, int keys)
{
	if (read_long("/sys/fs/cgroup/cgroup.procs") < 0 &&
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		return 1;
	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		return 2;
	if (mkdir(CGROUP, 0755) && errno != EEXIST)
		return 3;
	if (set_param("allow_userns", 1) ||
	    set_param("userns_max_links", links) ||
	    set_param("userns_max_keys", keys))
		return 4;
	if (write_file("/proc/sys/kernel/keys/maxkeys", "%d\n", 2 * links) ||
	    write_file("/proc/sys/kernel/keys/maxbytes", "%d\n", 100 * links))
		return 5;
	return 0;
}

TEST_F(tenant, a_tenants_links_and_keys_are_charged_to_its_memory_cgroup)
{
	long per_link, per_key, link_slab, ids_slab, chunk_slab, ids_kept;
	struct tenant t;
	struct report r;

	ASSERT_EQ(0, tenant_room(MEM_LINKS, MEM_KEYS)) TH_LOG("%m");
	ASSERT_EQ(0, tenant_start(&t, CGROUP, TENANT_UID, charge_links_and_keys));
	ASSERT_EQ(0, tenant_report(&t, &r));
	ASSERT_EQ(0, r.v[0]) TH_LOG("%s", r.msg);
	ASSERT_LE(0, r.v[1]);

	per_link = (r.v[2] - r.v[1]) / MEM_LINKS;
	per_key = (r.v[3] - r.v[2]) / MEM_KEYS;
	ids_kept = r.v[4] - r.v[2];
	/* What the slabs take, red zones and all (the VM runs slub_debug). */
	link_slab = slab_size("qkd_link");
	ids_slab = slab_size("kmalloc-cg-128");
	chunk_slab = slab_size("kmalloc-cg-4k");
	TH_LOG("charged to the tenant's memory cgroup: %ld bytes a link (its slab object and its first ID index: %ld + %ld), %ld bytes a key (a 4 KiB chunk's slab object over its %d slots: %ld), %ld bytes kept after the flush by the %d filled links' ID indexes (%d each)",
	       per_link, link_slab, ids_slab, per_key, CHUNK_SLOTS,
	       chunk_slab / CHUNK_SLOTS, ids_kept, MEM_FILLED, IDS_FILLED);
	/*
	 * A link is charged its own object and its first ID index, a key
	 * its chunk's share, and a filled link its grown ID index, which
	 * the flush leaves; within 10% for what the CPUs had not yet counted
	 * when memory.stat was read.
	 */
	ASSERT_LT(0, link_slab);
	ASSERT_LE(IDS_FIRST, ids_slab);
	ASSERT_LT(0, chunk_slab);
	EXPECT_LE((link_slab + ids_slab) * 9 / 10, per_link);
	EXPECT_LE(chunk_slab / CHUNK_SLOTS * 9 / 10, per_key);
	EXPECT_LE(MEM_FILLED * IDS_FILLED * 9 / 10, ids_kept);
	EXPECT_EQ(0, tenant_end(&t));
	rmdir(CGROUP);
}

/*
 * SAs: SA_LINKS links of SA_KEYS keys each way get an address pair but no
 * reqid, so that nothing is installed; the cgroup's slab bytes are read,
 * then each link is given a reqid, which makes it ready for xfrm: the
 * module installs its out SA and its rx-window of in SAs (a key each,
 * counted as used) and builds the next out SA ahead, and the slab bytes
 * are read again once every link shows them. The xfrm states and their crypto contexts are the kernel's
 * (xfrm allocates them uncharged, as for `ip xfrm state add`); what the
 * module allocates for an SA is charged: its own record, the AEAD key
 * buffer and the two replay buffers.
 */
#define SA_LINKS	50
#define SA_KEYS		4
/* Its out SA, its rx-window of in SAs, and the next out SA, built ahead. */
#define SA_PER_LINK	(1 + QKD_LINK_DEFAULT_RX_WINDOW + 1)

static int sa_link(struct qkd_nl *nl, int i, bool ready, struct qkd_err *err)
{
	struct qkd_link l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "s%d", i);
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	if (ready) {
		l.reqid = 1000 + i;
		qkd_link_mark(&l, QKD_A_LINK_REQID);
		return qkd_link_set(nl, &l, err);
	}
	l.capacity = 16;
	l.family = AF_INET;
	memcpy(l.local_addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(l.peer_addr, (uint8_t[]){ 192, 0, 2, 2 }, 4);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOCAL_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	return qkd_link_new(nl, &l, err);
}

/* 1 when link s@i has used a key for each of its SAs, else 0 or -errno. */
static int sa_installed(struct qkd_nl *nl, int i, struct qkd_err *err)
{
	struct qkd_link l;
	char name[24];
	int ret;

	snprintf(name, sizeof(name), "s%d", i);
	ret = qkd_link_get(nl, name, &l, err);
	if (ret)
		return ret;
	return l.pool[QKD_DIR_OUT].used == 1 &&
	       l.pool[QKD_DIR_IN].used == QKD_LINK_DEFAULT_RX_WINDOW;
}

static void charge_sas(struct qkd_nl *nl, struct report *r)
{
	struct qkd_err err = { 0 };
	long ret = 0;
	char name[24];
	int i, polls;

	for (i = 0; i < SA_LINKS && !ret; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		ret = sa_link(nl, i, false, &err) ?:
		      add_keys(nl, name, QKD_DIR_OUT, 2 * i * SA_KEYS, SA_KEYS, &err) ?:
		      add_keys(nl, name, QKD_DIR_IN, (2 * i + 1) * SA_KEYS, SA_KEYS, &err);
	}
	r->v[1] = cgroup_stat("slab");
	for (i = 0; i < SA_LINKS && !ret; i++)
		ret = sa_link(nl, i, true, &err);
	/* The SAs go in from the module's work: poll, for at most 60 s. */
	for (i = 0, polls = 0; i < SA_LINKS && !ret && polls < 600;) {
		ret = sa_installed(nl, i, &err);
		if (ret == 1) {
			ret = 0;
			i++;
		} else if (!ret) {
			polls++;
			usleep(100 * 1000);
		}
	}
	r->v[2] = cgroup_stat("slab");
	r->v[3] = i;
	r->v[0] = ret;
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
}

/* Slower on the debug kernel than the harness's 30 s by default. */
TEST_F_TIMEOUT(tenant, a_tenants_sas_are_charged_to_its_memory_cgroup, 120)
{
	long per_sa, sa_slab, aead_slab, replay_slab;
	struct tenant t;
	struct report r;

	ASSERT_EQ(0, tenant_room(SA_LINKS, 2 * SA_LINKS * SA_KEYS)) TH_LOG("%m");
	ASSERT_EQ(0, tenant_start(&t, CGROUP, SA_UID, charge_sas));
	ASSERT_EQ(0, tenant_report(&t, &r));
	ASSERT_EQ(0, r.v[0]) TH_LOG("%s", r.msg);
	ASSERT_EQ(SA_LINKS, r.v[3]) TH_LOG("links with their SAs within 60 s");
	ASSERT_LE(0, r.v[1]);

	per_sa = (r.v[2] - r.v[1]) / (SA_LINKS * SA_PER_LINK);
	/* struct qkd_sa; xfrm_algo_aead and its 36 key bytes; ESN of 128. */
	sa_slab = slab_size("qkd_sa");
	aead_slab = slab_size("kmalloc-cg-128");
	replay_slab = slab_size("kmalloc-cg-64");
	TH_LOG("charged to the tenant's memory cgroup: %ld bytes an SA (the module's record %ld, its AEAD key buffer %ld, its two replay buffers 2 x %ld); the xfrm state and its crypto context are xfrm's, uncharged",
	       per_sa, sa_slab, aead_slab, replay_slab);
	ASSERT_LT(0, sa_slab);
	ASSERT_LT(0, aead_slab);
	ASSERT_LT(0, replay_slab);
	EXPECT_LE((sa_slab + aead_slab + 2 * replay_slab) * 9 / 10, per_sa);
	EXPECT_EQ(0, tenant_end(&t));
	rmdir(CGROUP);
}

TEST_HARNESS_MAIN
