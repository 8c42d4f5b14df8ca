// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures: every slab allocation that creating a link, adding
 * keys, exporting a key or feeding a key through add_key(2) makes is failed
 * in turn, and each time the operation either fails with an error and
 * leaves nothing behind, or completes in full. A leak on any of those paths
 * shows at the end of the run (kmemleak, and slub_debug's check of the
 * module's caches at rmmod).
 *
 * Needs a kernel with failslab (the debug kernel, `make check-debug`): the
 * fault goes to the Nth allocation of this task through
 * /proc/thread-self/fail-nth, so only what the request does in our own
 * context is hit (netlink's and the module's), never a kworker's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "libqkd.h"
#include "kselftest_harness.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"

/* The largest number of allocations one operation is expected to make. */
#define MAX_NTH 400

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* Fails the nth fault-injection point this thread reaches from now on. */
static void fail_nth(int fd, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	if (pwrite(fd, buf, len, 0) != len) {
		fprintf(stderr, "fail-nth: %s\n", strerror(errno));
		exit(1);
	}
}

/* True if the fault set by fail_nth() was injected; disarms it if not. */
static bool injected(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0) {
		fprintf(stderr, "fail-nth: %s\n", strerror(errno));
		exit(1);
	}
	if (atoi(buf) == 0)
		return true;
	fail_nth(fd, 0);
	return false;
}

static void make_key(struct qkd_key *k, uint8_t dir, unsigned int n)
{
	memset(k, 0, sizeof(*k));
	k->dir = dir;
	k->id[0] = 0xfa;
	k->id[14] = n >> 8;
	k->id[15] = n;
	k->len = 32;
	for (unsigned int i = 0; i < k->len; i++)
		k->material[i] = (uint8_t)(n * 7 + i);
}

static int new_link(struct qkd_nl *nl, const char *name, uint8_t consumer)
{
	struct qkd_link l;
	struct qkd_err err;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.consumer = consumer;
	l.reqid = 42;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CONSUMER);
	if (consumer == QKD_CONSUMER_XFRM)
		qkd_link_mark(&l, QKD_A_LINK_REQID);
	return qkd_link_new(nl, &l, &err);
}

/*
 * Keys in one pool of a link, usable or (@staged) staged, or -1 if the
 * link cannot be read.
 */
static long pool_count(struct qkd_nl *nl, const char *name, uint8_t dir,
		       bool staged)
{
	struct qkd_link l;
	struct qkd_err err;

	if (qkd_link_get(nl, name, &l, &err))
		return -1;
	return staged ? l.pool[dir].staged : l.pool[dir].keys;
}

static long pool_keys(struct qkd_nl *nl, const char *name, uint8_t dir)
{
	return pool_count(nl, name, dir, false);
}

static int count_link(const struct qkd_link *l, void *arg)
{
	(void)l;
	++*(int *)arg;
	return 0;
}

static int links(struct qkd_nl *nl)
{
	struct qkd_err err;
	int n = 0;

	if (qkd_link_dump(nl, count_link, &n, &err))
		return -1;
	return n;
}

/* A failed request reports running out of memory, nothing else. */
static bool out_of_memory(int ret)
{
	return ret == -ENOMEM || ret == -ENOBUFS;
}

FIXTURE(fi) {
	struct qkd_nl *nl;
	int nth;
};

FIXTURE_SETUP(fi)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	/* GFP_KERNEL allocations too, and no stack dump in the log for each. */
	write_file(FAILSLAB "ignore-gfp-wait", "N");
	write_file(FAILSLAB "verbose", "0");
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, self->nth) TH_LOG("no fail-nth: %s", strerror(errno));
}

FIXTURE_TEARDOWN(fi)
{
	fail_nth(self->nth, 0);
	close(self->nth);
	qkd_nl_close(self->nl);
}

TEST_F(fi, creating_a_link_fails_whole_or_succeeds_whole)
{
	unsigned int nth, failures = 0;
	int ret;

	for (nth = 1; nth < MAX_NTH; nth++) {
		fail_nth(self->nth, nth);
		ret = new_link(self->nl, "dc1", QKD_CONSUMER_XFRM);
		if (!injected(self->nth)) {
			ASSERT_EQ(0, ret);
			break;
		}
		failures++;
		/*
		 * Either refused for memory with no link left, or (when only
		 * the ACK could not be sent) done, and done in full.
		 */
		if (ret) {
			ASSERT_TRUE(out_of_memory(ret)) TH_LOG("nth %u: %s", nth, strerror(-ret));
		}
		if (pool_keys(self->nl, "dc1", QKD_DIR_OUT) >= 0) {
			ASSERT_EQ(1, links(self->nl));
			ASSERT_EQ(0, qkd_link_del(self->nl, "dc1", NULL));
		}
		ASSERT_EQ(0, links(self->nl)) TH_LOG("nth %u left a link", nth);
	}
	ASSERT_LT(nth, MAX_NTH);
	ASSERT_LT(0, failures);
	ASSERT_EQ(0, pool_keys(self->nl, "dc1", QKD_DIR_OUT));
	TH_LOG("%u allocations failed in turn", failures);
}

TEST_F(fi, a_key_batch_is_added_whole_or_not_at_all)
{
	struct qkd_key keys[8];
	unsigned int nth, failures = 0;
	struct qkd_err err;
	int ret;

	ASSERT_EQ(0, new_link(self->nl, "dc1", QKD_CONSUMER_EXPORT));

	for (nth = 1; nth < MAX_NTH; nth++) {
		long out, in;

		/* New IDs each time: a link remembers the IDs it has held. */
		for (unsigned int i = 0; i < 8; i++)
			make_key(&keys[i], i % 2 ? QKD_DIR_IN : QKD_DIR_OUT,
				 nth * 8 + i);
		fail_nth(self->nth, nth);
		ret = qkd_key_add(self->nl, "dc1", keys, 8, &err);
		if (!injected(self->nth)) {
			ASSERT_EQ(0, ret);
			break;
		}
		failures++;
		if (ret) {
			ASSERT_TRUE(out_of_memory(ret)) TH_LOG("nth %u: %s", nth, strerror(-ret));
		}
		out = pool_keys(self->nl, "dc1", QKD_DIR_OUT);
		in = pool_keys(self->nl, "dc1", QKD_DIR_IN);
		ASSERT_TRUE((out == 0 && in == 0) || (out == 4 && in == 4))
			TH_LOG("nth %u: out %ld in %ld", nth, out, in);
		if (out)
			ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", -1, &err));
	}
	ASSERT_LT(nth, MAX_NTH);
	ASSERT_LT(0, failures);
	ASSERT_EQ(4, pool_keys(self->nl, "dc1", QKD_DIR_OUT));
	ASSERT_EQ(4, pool_keys(self->nl, "dc1", QKD_DIR_IN));
}

TEST_F(fi, an_export_moves_the_key_whole_or_leaves_it_in_the_pool)
{
	unsigned int nth, failures = 0;
	uint8_t id[QKD_KEY_ID_LEN];
	struct qkd_key key;
	struct qkd_err err;
	int32_t serial = 0;
	int ret;

	ASSERT_EQ(0, new_link(self->nl, "dc1", QKD_CONSUMER_EXPORT));
	make_key(&key, QKD_DIR_OUT, 1);
	ASSERT_EQ(0, qkd_key_add(self->nl, "dc1", &key, 1, &err));

	for (nth = 1; nth < MAX_NTH; nth++) {
		long left;

		fail_nth(self->nth, nth);
		ret = qkd_key_export(self->nl, "dc1", QKD_DIR_OUT,
				     KEY_SPEC_PROCESS_KEYRING, "qkd:fi",
				     &serial, id, &err);
		if (!injected(self->nth)) {
			ASSERT_EQ(0, ret);
			break;
		}
		failures++;
		left = pool_keys(self->nl, "dc1", QKD_DIR_OUT);
		if (ret) {
			ASSERT_TRUE(out_of_memory(ret)) TH_LOG("nth %u: %s", nth, strerror(-ret));
		}
		/* Moved means gone from the pool and present as a logon key. */
		if (left == 0) {
			serial = syscall(SYS_request_key, "logon", "qkd:fi", NULL,
					 KEY_SPEC_PROCESS_KEYRING);
			ASSERT_LT(0, serial) TH_LOG("nth %u: key neither in the pool nor exported", nth);
			ASSERT_EQ(0, syscall(SYS_keyctl, KEYCTL_UNLINK, serial,
					     KEY_SPEC_PROCESS_KEYRING));
			make_key(&key, QKD_DIR_OUT, 100 + nth);
			ASSERT_EQ(0, qkd_key_add(self->nl, "dc1", &key, 1, &err));
		} else {
			ASSERT_EQ(1, left);
		}
	}
	ASSERT_LT(nth, MAX_NTH);
	ASSERT_LT(0, failures);
	ASSERT_EQ(0, pool_keys(self->nl, "dc1", QKD_DIR_OUT));
	ASSERT_LT(0, serial);
}

TEST_F(fi, add_key_feeds_the_pool_whole_or_not_at_all)
{
	unsigned int nth, failures = 0;
	unsigned char material[32];
	char desc[64];
	long ret, left;
	int err;

	memset(material, 0x5a, sizeof(material));
	ASSERT_EQ(0, new_link(self->nl, "dc1", QKD_CONSUMER_EXPORT));

	for (nth = 1; nth < MAX_NTH; nth++) {
		snprintf(desc, sizeof(desc),
			 "dc1:out:fa000000-0000-4000-8000-%012x", nth);
		fail_nth(self->nth, nth);
		ret = syscall(SYS_add_key, "qkd", desc, material, sizeof(material),
			      KEY_SPEC_PROCESS_KEYRING);
		err = errno;
		if (!injected(self->nth)) {
			ASSERT_LT(0, ret);
			break;
		}
		failures++;
		left = pool_keys(self->nl, "dc1", QKD_DIR_OUT);
		/* Refused: no key in the pool, none staged; taken: one. */
		if (ret < 0) {
			ASSERT_TRUE(err == ENOMEM || err == EDQUOT)
				TH_LOG("nth %u: %s", nth, strerror(err));
		}
		ASSERT_EQ(ret < 0 ? 0 : 1, left) TH_LOG("nth %u: %ld keys", nth, left);
		ASSERT_EQ(0, pool_count(self->nl, "dc1", QKD_DIR_OUT, true))
			TH_LOG("nth %u: a key left staged", nth);
		if (left) {
			struct qkd_err err;

			ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", -1, &err));
		}
	}
	ASSERT_LT(nth, MAX_NTH);
	ASSERT_LT(0, failures);
	ASSERT_EQ(1, pool_keys(self->nl, "dc1", QKD_DIR_OUT));
}

TEST_HARNESS_MAIN
