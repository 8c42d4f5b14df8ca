// SPDX-License-Identifier: GPL-2.0
/*
 * Key pools over the generic netlink family "qkd": batches all or nothing,
 * one-time take, accounting, events, privileges.
 *
 * Runs as root inside the test VM with qkd.ko loaded; every test starts in
 * a network namespace of its own (the harness forks for each).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "libqkd.h"
#include "kselftest_harness.h"
#include "test_keys.h"

static int new_link(struct qkd_nl *nl, const char *name, uint32_t capacity,
		    uint32_t low_water, uint8_t consumer)
{
	struct qkd_link l;
	struct qkd_err err;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.capacity = capacity;
	l.low_water = low_water;
	l.consumer = consumer;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	qkd_link_mark(&l, QKD_A_LINK_CONSUMER);
	return qkd_link_new(nl, &l, &err);
}

static struct qkd_pool_stats pool_of(struct qkd_nl *nl, const char *name,
				     uint8_t dir)
{
	struct qkd_pool_stats none = { .keys = 0xffffffff };
	struct qkd_err err;
	struct qkd_link l;

	if (qkd_link_get(nl, name, &l, &err) ||
	    !qkd_link_has(&l, dir == QKD_DIR_OUT ? QKD_A_POOL_OUT : QKD_A_POOL_IN))
		return none;
	return l.pool[dir];
}

FIXTURE(pool) {
	struct qkd_nl *nl;
	struct qkd_err err;
};

FIXTURE_SETUP(pool)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	ASSERT_EQ(0, new_link(self->nl, "dc1", 64, 16, QKD_CONSUMER_EXPORT));
}

FIXTURE_TEARDOWN(pool)
{
	qkd_nl_close(self->nl);
}

TEST_F(pool, added_keys_are_counted_per_direction)
{
	struct qkd_pool_stats out, in;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 10, &self->err));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 100, 3, &self->err));
	out = pool_of(self->nl, "dc1", QKD_DIR_OUT);
	in = pool_of(self->nl, "dc1", QKD_DIR_IN);
	EXPECT_EQ(10, out.keys);
	EXPECT_EQ(10, out.added);
	EXPECT_EQ(320, out.bytes);
	EXPECT_EQ(3, in.keys);
	EXPECT_EQ(3, in.added);
	EXPECT_EQ(96, in.bytes);
}

/* 100 good keys and a bad one at position 57: none goes in. */
static void bad_batch(struct qkd_key *batch, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		make_key(&batch[i], i % 2, i, 32);
}

TEST_F(pool, a_batch_with_a_short_key_adds_none_and_names_it)
{
	struct qkd_key batch[101];

	bad_batch(batch, 101);
	batch[57].len = 16;
	EXPECT_EQ(-EINVAL, qkd_key_add(self->nl, "dc1", batch, 101, &self->err));
	EXPECT_EQ(QKD_A_KEYS, self->err.bad_attr);
	EXPECT_EQ(57, self->err.bad_key);
	EXPECT_STREQ("key material length differs from the link's key-bits",
		     self->err.msg);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).added);
}

TEST_F(pool, a_batch_repeating_a_key_id_adds_none_and_names_the_repeat)
{
	struct qkd_key batch[101];

	bad_batch(batch, 101);
	memcpy(batch[57].id, batch[3].id, QKD_KEY_ID_LEN);
	EXPECT_EQ(-EEXIST, qkd_key_add(self->nl, "dc1", batch, 101, &self->err));
	EXPECT_EQ(QKD_A_KEYS, self->err.bad_attr);
	EXPECT_EQ(57, self->err.bad_key);
	EXPECT_STREQ("key ID already held by the link: the key streams are out of step",
		     self->err.msg);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
}

TEST_F(pool, a_key_id_already_held_in_either_direction_is_refused)
{
	struct qkd_key k;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 7, 1, &self->err));
	make_key(&k, QKD_DIR_IN, 7, 32);
	EXPECT_EQ(-EEXIST, qkd_key_add(self->nl, "dc1", &k, 1, &self->err));
	EXPECT_EQ(0, self->err.bad_key);
	EXPECT_EQ(1, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
}

TEST_F(pool, a_batch_missing_a_direction_adds_none)
{
	struct qkd_key batch[101];
	struct nlmsghdr *nlh;
	struct nlattr *keys, *key;

	bad_batch(batch, 101);
	nlh = qkd_nl_msg(self->nl, QKD_CMD_KEY_ADD, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	keys = mnl_attr_nest_start(nlh, QKD_A_KEYS);
	for (int i = 0; i < 101; i++) {
		key = mnl_attr_nest_start(nlh, QKD_A_KEY);
		if (i != 57)
			mnl_attr_put_u8(nlh, QKD_A_KEY_DIR, batch[i].dir);
		mnl_attr_put(nlh, QKD_A_KEY_ID, QKD_KEY_ID_LEN, batch[i].id);
		mnl_attr_put(nlh, QKD_A_KEY_MATERIAL, 32, batch[i].material);
		mnl_attr_nest_end(nlh, key);
	}
	mnl_attr_nest_end(nlh, keys);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_STREQ("key without a direction", self->err.msg);
	EXPECT_EQ(QKD_A_KEY_DIR, self->err.miss_type);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
}

TEST_F(pool, the_kernel_assigned_index_cannot_be_sent)
{
	struct nlmsghdr *nlh;
	struct nlattr *keys, *key;
	struct qkd_key k;

	make_key(&k, QKD_DIR_OUT, 1, 32);
	nlh = qkd_nl_msg(self->nl, QKD_CMD_KEY_ADD, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	keys = mnl_attr_nest_start(nlh, QKD_A_KEYS);
	key = mnl_attr_nest_start(nlh, QKD_A_KEY);
	mnl_attr_put_u8(nlh, QKD_A_KEY_DIR, k.dir);
	mnl_attr_put(nlh, QKD_A_KEY_ID, QKD_KEY_ID_LEN, k.id);
	mnl_attr_put(nlh, QKD_A_KEY_MATERIAL, 32, k.material);
	mnl_attr_put_u64(nlh, QKD_A_KEY_INDEX, 5);
	mnl_attr_nest_end(nlh, key);
	mnl_attr_nest_end(nlh, keys);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_STREQ("index is assigned by the kernel", self->err.msg);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
}

TEST_F(pool, a_full_pool_refuses_the_batch_and_reports_the_room_left)
{
	struct qkd_pool_stats out;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 60, &self->err));
	EXPECT_EQ(-ENOSPC, add_keys(self->nl, "dc1", QKD_DIR_OUT, 60, 5,
				    &self->err));
	EXPECT_TRUE(self->err.has_room);
	EXPECT_EQ(4, self->err.room.out);
	EXPECT_EQ(64, self->err.room.in);
	EXPECT_EQ(4, self->err.bad_key);
	out = pool_of(self->nl, "dc1", QKD_DIR_OUT);
	EXPECT_EQ(60, out.keys);
	EXPECT_EQ(60, out.added);
	EXPECT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 60, 4, &self->err));
	EXPECT_EQ(64, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
}

TEST_F(pool, more_keys_than_a_batch_may_hold_are_refused)
{
	static struct qkd_key batch[QKD_KEY_BATCH_MAX + 1];

	ASSERT_EQ(0, new_link(self->nl, "big", 4096, 0, QKD_CONSUMER_XFRM));
	bad_batch(batch, QKD_KEY_BATCH_MAX + 1);
	EXPECT_EQ(-E2BIG, qkd_key_add(self->nl, "big", batch,
				      QKD_KEY_BATCH_MAX + 1, &self->err));
	EXPECT_EQ(0, pool_of(self->nl, "big", QKD_DIR_OUT).keys);
}

TEST_F(pool, keys_for_an_unknown_link_are_refused)
{
	EXPECT_EQ(-ENOENT, add_keys(self->nl, "nope", QKD_DIR_OUT, 0, 1,
				    &self->err));
	EXPECT_STREQ("no link with this name", self->err.msg);
}

TEST_F(pool, take_hands_out_each_key_once_oldest_first)
{
	struct qkd_key want, got;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 3, &self->err));
	for (unsigned int n = 0; n < 3; n++) {
		make_key(&want, QKD_DIR_OUT, n, 32);
		ASSERT_EQ(0, qkd_key_take(self->nl, "dc1", QKD_DIR_OUT, &got,
					  &self->err));
		EXPECT_EQ(0, memcmp(want.id, got.id, QKD_KEY_ID_LEN));
		EXPECT_EQ(32, got.len);
		EXPECT_EQ(0, memcmp(want.material, got.material, 32));
		EXPECT_EQ(n + 1, got.index);
	}
	EXPECT_EQ(-ENOENT, qkd_key_take(self->nl, "dc1", QKD_DIR_OUT, &got,
					&self->err));
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(3, pool_of(self->nl, "dc1", QKD_DIR_OUT).exported);
	/* A key taken may come back: it is no longer held. */
	EXPECT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 1, &self->err));
}

TEST_F(pool, keys_of_an_xfrm_link_never_leave_the_kernel)
{
	struct qkd_key got;
	int32_t serial;
	uint8_t id[16];

	ASSERT_EQ(0, new_link(self->nl, "x", 64, 0, QKD_CONSUMER_XFRM));
	ASSERT_EQ(0, add_keys(self->nl, "x", QKD_DIR_OUT, 0, 1, &self->err));
	EXPECT_EQ(-EPERM, qkd_key_take(self->nl, "x", QKD_DIR_OUT, &got,
				       &self->err));
	EXPECT_STREQ("the link's consumer is xfrm: its keys never leave the kernel",
		     self->err.msg);
	EXPECT_EQ(-EPERM, qkd_key_export(self->nl, "x", QKD_DIR_OUT,
					 KEY_SPEC_USER_KEYRING, "qkd:x", &serial,
					 id, &self->err));
	EXPECT_EQ(1, pool_of(self->nl, "x", QKD_DIR_OUT).keys);
}

TEST_F(pool, flush_discards_one_direction_or_both_and_counts_them)
{
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 5, &self->err));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 10, 7, &self->err));
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", QKD_DIR_IN, &self->err));
	EXPECT_EQ(5, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
	EXPECT_EQ(7, pool_of(self->nl, "dc1", QKD_DIR_IN).discarded_flush);
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", -1, &self->err));
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(5, pool_of(self->nl, "dc1", QKD_DIR_OUT).discarded_flush);
	EXPECT_EQ(-ENOENT, qkd_key_flush(self->nl, "nope", -1, &self->err));
}

TEST_F(pool, key_bits_and_capacity_cannot_shrink_under_held_keys)
{
	struct qkd_link l;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 0, 10, &self->err));
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "dc1");
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	l.key_bits = 512;
	qkd_link_mark(&l, QKD_A_LINK_KEY_BITS);
	EXPECT_EQ(-EBUSY, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_STREQ("key-bits cannot change while the link holds keys",
		     self->err.msg);

	l.present = 0;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	l.capacity = 9;
	l.low_water = 0;
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	EXPECT_EQ(-EBUSY, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_STREQ("capacity below the keys the link holds", self->err.msg);
	l.capacity = 10;
	EXPECT_EQ(0, qkd_link_set(self->nl, &l, &self->err));
}

TEST_F(pool, deleting_a_link_discards_its_keys_in_the_module_counters)
{
	struct qkd_stats before, after;

	ASSERT_EQ(0, quiet_module_stats(self->nl, &before));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 9, &self->err));
	ASSERT_EQ(0, qkd_link_del(self->nl, "dc1", &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &after, &self->err));
	EXPECT_EQ(before.keys, after.keys);
	EXPECT_EQ(before.added + 9, after.added);
	EXPECT_EQ(before.discarded + 9, after.discarded);
}

TEST_F(pool, module_counters_follow_adds_and_takes)
{
	struct qkd_stats before, mid, after;
	struct qkd_key got;

	ASSERT_EQ(0, quiet_module_stats(self->nl, &before));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 20, &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &mid, &self->err));
	EXPECT_EQ(before.keys + 20, mid.keys);
	EXPECT_GT(mid.memory, before.memory);
	ASSERT_EQ(0, qkd_key_take(self->nl, "dc1", QKD_DIR_OUT, &got,
				  &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &after, &self->err));
	EXPECT_EQ(mid.keys - 1, after.keys);
	EXPECT_EQ(mid.exported + 1, after.exported);
	EXPECT_NE(0, after.max_keys);
}

/*
 * A pool's storage is sized to it: a link of 16 256-bit keys a way holds
 * them in two kmalloc-2k chunks (28 slots of 72 bytes each), not in two
 * pages. Read from the module's memory figure, which counts its chunks.
 */
TEST_F(pool, a_small_pool_does_not_take_a_page)
{
	struct qkd_stats before, after;

	ASSERT_EQ(0, new_link(self->nl, "small", 16, 0, QKD_CONSUMER_EXPORT));
	ASSERT_EQ(0, quiet_module_stats(self->nl, &before));
	ASSERT_EQ(0, add_keys(self->nl, "small", QKD_DIR_OUT, 0, 16, &self->err));
	ASSERT_EQ(0, add_keys(self->nl, "small", QKD_DIR_IN, 16, 16, &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &after, &self->err));
	EXPECT_EQ(2 * 2048, after.memory - before.memory);
}

static int set_max_keys(unsigned long v)
{
	FILE *f = fopen("/sys/module/qkd/parameters/max_keys", "w");

	if (!f)
		return -1;
	fprintf(f, "%lu\n", v);
	return fclose(f);
}

TEST_F(pool, the_module_wide_ceiling_refuses_keys_beyond_it)
{
	struct qkd_stats st;

	ASSERT_EQ(0, quiet_module_stats(self->nl, &st));
	ASSERT_EQ(0, set_max_keys(5));
	EXPECT_EQ(-EDQUOT, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 6,
				    &self->err));
	EXPECT_STREQ("the initial user namespace's namespaces hold max_keys keys already",
		     self->err.msg);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	EXPECT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 5, &self->err));
	ASSERT_EQ(0, set_max_keys(st.max_keys));
}

/* Takes one key and returns the next event, or a zeroed one on timeout. */
static struct qkd_event take_and_watch(struct qkd_nl *nl, struct qkd_nl *ev)
{
	struct qkd_event e = { 0 };
	struct qkd_err err;
	struct qkd_key got;

	qkd_key_take(nl, "dc1", QKD_DIR_OUT, &got, &err);
	if (qkd_event_recv(ev, &e, 0))
		memset(&e, 0, sizeof(e));
	return e;
}

TEST_F(pool, low_water_and_empty_events_come_exactly_at_the_crossings)
{
	struct qkd_event e;
	struct qkd_nl *ev;
	int n;

	ASSERT_EQ(0, qkd_nl_open(&ev));
	ASSERT_EQ(0, qkd_nl_subscribe(ev));
	/* 20 keys, low-water 16: the 4th take crosses, the 20th empties. */
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 20, &self->err));
	for (n = 1; n <= 20; n++) {
		e = take_and_watch(self->nl, ev);
		if (n == 4) {
			EXPECT_EQ(QKD_CMD_EVENT_LOW_WATER, e.cmd);
			EXPECT_STREQ("dc1", e.link);
			EXPECT_EQ(QKD_DIR_OUT, e.dir);
			EXPECT_EQ(16, e.count);
			EXPECT_EQ(16, e.low_water);
		} else if (n == 20) {
			EXPECT_EQ(QKD_CMD_EVENT_EMPTY, e.cmd);
			EXPECT_EQ(0, e.count);
		} else {
			EXPECT_EQ(0, e.cmd) TH_LOG("event after take %d", n);
		}
	}
	/* Refilled past the mark, the pool reports the next crossing again. */
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 100, 17, &self->err));
	e = take_and_watch(self->nl, ev);
	EXPECT_EQ(QKD_CMD_EVENT_LOW_WATER, e.cmd);
	qkd_nl_close(ev);
}

TEST_F(pool, a_flush_reports_the_discard_then_the_empty_pool)
{
	struct qkd_event e;
	struct qkd_nl *ev;

	ASSERT_EQ(0, qkd_nl_open(&ev));
	ASSERT_EQ(0, qkd_nl_subscribe(ev));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 0, 20, &self->err));
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", QKD_DIR_IN, &self->err));
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_DISCARD, e.cmd);
	EXPECT_EQ(QKD_DIR_IN, e.dir);
	EXPECT_EQ(QKD_DISCARD_FLUSH, e.reason);
	EXPECT_EQ(20, e.discarded);
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_LOW_WATER, e.cmd);
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_EMPTY, e.cmd);
	EXPECT_EQ(-ETIMEDOUT, qkd_event_recv(ev, &e, 0));
	qkd_nl_close(ev);
}

TEST_F(pool, events_stay_in_their_namespace)
{
	struct qkd_event e;
	struct qkd_nl *ev;

	/* A listener in another namespace hears nothing of dc1. */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&ev));
	ASSERT_EQ(0, qkd_nl_subscribe(ev));
	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 0, 3, &self->err));
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", -1, &self->err));
	EXPECT_EQ(-ETIMEDOUT, qkd_event_recv(ev, &e, 0));
	qkd_nl_close(ev);
}

TEST_F(pool, an_unprivileged_caller_cannot_add_flush_take_or_export)
{
	struct qkd_nl *user;
	struct qkd_key got;
	int32_t serial;
	uint8_t id[16];

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 2, &self->err));
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(0, qkd_nl_open(&user));
	EXPECT_EQ(-EPERM, add_keys(user, "dc1", QKD_DIR_OUT, 5, 1, &self->err));
	EXPECT_EQ(-EPERM, qkd_key_flush(user, "dc1", -1, &self->err));
	EXPECT_EQ(-EPERM, qkd_key_take(user, "dc1", QKD_DIR_OUT, &got,
				       &self->err));
	EXPECT_EQ(-EPERM, qkd_key_export(user, "dc1", QKD_DIR_OUT,
					 KEY_SPEC_USER_KEYRING, "qkd:x", &serial,
					 id, &self->err));
	EXPECT_EQ(2, pool_of(user, "dc1", QKD_DIR_OUT).keys);
	qkd_nl_close(user);
}

TEST_F(pool, another_namespace_cannot_reach_the_pools)
{
	struct qkd_nl *other;
	struct qkd_key got;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_OUT, 0, 2, &self->err));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&other));
	EXPECT_EQ(-ENOENT, add_keys(other, "dc1", QKD_DIR_OUT, 5, 1, &self->err));
	EXPECT_EQ(-ENOENT, qkd_key_take(other, "dc1", QKD_DIR_OUT, &got,
					&self->err));
	EXPECT_EQ(-ENOENT, qkd_key_flush(other, "dc1", -1, &self->err));
	EXPECT_EQ(2, pool_of(self->nl, "dc1", QKD_DIR_OUT).keys);
	qkd_nl_close(other);
}

TEST_F(pool, export_makes_a_logon_key_and_consumes_the_pool_key)
{
	int32_t serial = 0;
	uint8_t id[16];
	struct qkd_key want;

	ASSERT_EQ(0, add_keys(self->nl, "dc1", QKD_DIR_IN, 40, 2, &self->err));
	ASSERT_EQ(0, qkd_key_export(self->nl, "dc1", QKD_DIR_IN,
				    KEY_SPEC_USER_KEYRING, "qkd:test", &serial,
				    id, &self->err));
	make_key(&want, QKD_DIR_IN, 40, 32);
	EXPECT_GT(serial, 0);
	EXPECT_EQ(0, memcmp(want.id, id, QKD_KEY_ID_LEN));
	EXPECT_EQ(1, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
	EXPECT_EQ(1, pool_of(self->nl, "dc1", QKD_DIR_IN).exported);

	/* A description logon refuses, or no keyring: nothing is consumed. */
	EXPECT_EQ(-EINVAL, qkd_key_export(self->nl, "dc1", QKD_DIR_IN,
					  KEY_SPEC_USER_KEYRING, "nocolon",
					  &serial, id, &self->err));
	EXPECT_STREQ("desc must read PREFIX:NAME, as logon keys do",
		     self->err.msg);
	EXPECT_NE(0, qkd_key_export(self->nl, "dc1", QKD_DIR_IN, 0x7ffffff0,
				    "qkd:test", &serial, id, &self->err));
	EXPECT_STREQ("keyring not found or not writable", self->err.msg);
	EXPECT_EQ(1, pool_of(self->nl, "dc1", QKD_DIR_IN).keys);
}

TEST_HARNESS_MAIN
