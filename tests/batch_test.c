// SPDX-License-Identifier: GPL-2.0
/*
 * Staged batches over the generic netlink family "qkd": KEY_ADD with
 * QKD_A_BATCH stages keys (held, not usable), KEY_COMMIT makes them usable
 * per direction, KEY_ABORT discards them; the link remembers its committed
 * and its staged batch for a restarted daemon.
 *
 * Runs as root inside the test VM with qkd.ko loaded; every test starts in
 * a network namespace of its own (the harness forks for each).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libqkd.h"
#include "kselftest_harness.h"
#include "test_keys.h"

#define OUT QKD_DIR_OUT
#define IN QKD_DIR_IN
#define BOTH (-1)

/*
 * One KEY_ADD of n_out out keys from out_first and n_in in keys from
 * in_first, staged as @batch (0: added at once).
 */
static int stage(struct qkd_nl *nl, const char *link, uint64_t batch,
		 unsigned int out_first, unsigned int n_out,
		 unsigned int in_first, unsigned int n_in, struct qkd_err *err)
{
	static struct qkd_key keys[QKD_KEY_BATCH_MAX];
	unsigned int i;

	for (i = 0; i < n_out; i++)
		make_key(&keys[i], OUT, out_first + i, 32);
	for (i = 0; i < n_in; i++)
		make_key(&keys[n_out + i], IN, in_first + i, 32);
	return qkd_key_stage(nl, link, batch, keys, n_out + n_in, err);
}

static int new_link(struct qkd_nl *nl, const char *name, uint8_t consumer)
{
	struct qkd_link l;
	struct qkd_err err;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.capacity = 64;
	l.low_water = 16;
	l.consumer = consumer;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	qkd_link_mark(&l, QKD_A_LINK_CONSUMER);
	return qkd_link_new(nl, &l, &err);
}

/* A link the module keys SAs for: consumer xfrm, addresses and a reqid. */
static int new_xfrm_link(struct qkd_nl *nl, const char *name)
{
	struct qkd_link l;
	struct qkd_err err;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", l.local_addr);
	inet_pton(AF_INET, "198.51.100.2", l.peer_addr);
	l.reqid = 9;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	qkd_link_mark(&l, QKD_A_LINK_LOCAL_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_REQID);
	return qkd_link_new(nl, &l, &err);
}

static struct qkd_link link_of(struct qkd_nl *nl, const char *name)
{
	struct qkd_link l = { .batch = ~0ULL, .staged_batch = ~0ULL };
	struct qkd_err err;

	if (qkd_link_get(nl, name, &l, &err) ||
	    !qkd_link_has(&l, QKD_A_LINK_BATCH) ||
	    !qkd_link_has(&l, QKD_A_LINK_STAGED))
		memset(&l.pool, 0xff, sizeof(l.pool));
	return l;
}

static struct qkd_pool_stats pool_of(struct qkd_nl *nl, const char *name,
				     uint8_t dir)
{
	return link_of(nl, name).pool[dir];
}

struct sa_count {
	int out;
	int in;
};

static int count_sa(const struct qkd_sa *sa, void *arg)
{
	struct sa_count *c = arg;

	if (sa->dir == OUT)
		c->out++;
	else
		c->in++;
	return 0;
}

static struct sa_count sas_of(struct qkd_nl *nl, const char *name)
{
	struct sa_count c = { 0 };
	struct qkd_err err;

	if (qkd_sa_dump(nl, name, count_sa, &c, &err))
		c.out = c.in = -1;
	return c;
}

FIXTURE(batch) {
	struct qkd_nl *nl;
	struct qkd_err err;
};

FIXTURE_SETUP(batch)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	ASSERT_EQ(0, new_link(self->nl, "dc1", QKD_CONSUMER_EXPORT));
}

FIXTURE_TEARDOWN(batch)
{
	qkd_nl_close(self->nl);
}

TEST_F(batch, staged_keys_are_held_but_not_usable)
{
	struct qkd_link l;
	struct qkd_key got;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(0, l.pool[OUT].keys);
	EXPECT_EQ(0, l.pool[OUT].bytes);
	EXPECT_EQ(3, l.pool[OUT].staged);
	EXPECT_EQ(0, l.pool[OUT].added);
	EXPECT_EQ(0, l.pool[IN].keys);
	EXPECT_EQ(2, l.pool[IN].staged);
	EXPECT_EQ(0, l.batch);
	EXPECT_EQ(1, l.staged_batch);
	EXPECT_EQ(-ENOENT, qkd_key_take(self->nl, "dc1", OUT, &got, &self->err));
	EXPECT_EQ(-ENOENT, qkd_key_take(self->nl, "dc1", IN, &got, &self->err));
}

TEST_F(batch, staged_keys_key_no_sa)
{
	ASSERT_EQ(0, new_xfrm_link(self->nl, "gw"));
	ASSERT_EQ(0, stage(self->nl, "gw", 1, 0, 3, 100, 2, &self->err));
	/* A rekey runs the SA sync at once: no out key for it to use. */
	EXPECT_EQ(-EAGAIN, qkd_link_rekey(self->nl, "gw", &self->err));
	EXPECT_EQ(0, sas_of(self->nl, "gw").out);
	EXPECT_EQ(0, sas_of(self->nl, "gw").in);
}

TEST_F(batch, committed_keys_key_sas_in_the_committed_direction_only)
{
	ASSERT_EQ(0, new_xfrm_link(self->nl, "gw"));
	ASSERT_EQ(0, stage(self->nl, "gw", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "gw", 1, OUT, &self->err));
	/* The rekey syncs the inbound SAs too, from the still staged keys. */
	ASSERT_EQ(0, qkd_link_rekey(self->nl, "gw", &self->err));
	EXPECT_LE(1, sas_of(self->nl, "gw").out);
	EXPECT_EQ(0, sas_of(self->nl, "gw").in);
	ASSERT_EQ(0, qkd_key_commit(self->nl, "gw", 1, IN, &self->err));
	ASSERT_EQ(0, qkd_link_rekey(self->nl, "gw", &self->err));
	EXPECT_EQ(QKD_LINK_DEFAULT_RX_WINDOW, sas_of(self->nl, "gw").in);
}

TEST_F(batch, committing_one_direction_makes_only_it_usable_and_sets_the_batch)
{
	struct qkd_link l;
	struct qkd_key got;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, IN, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(2, l.pool[IN].keys);
	EXPECT_EQ(0, l.pool[IN].staged);
	EXPECT_EQ(2, l.pool[IN].added);
	EXPECT_EQ(0, l.pool[OUT].keys);
	EXPECT_EQ(3, l.pool[OUT].staged);
	EXPECT_EQ(0, l.pool[OUT].added);
	EXPECT_EQ(1, l.batch);
	EXPECT_EQ(1, l.staged_batch);
	EXPECT_EQ(0, qkd_key_take(self->nl, "dc1", IN, &got, &self->err));
	EXPECT_EQ(-ENOENT, qkd_key_take(self->nl, "dc1", OUT, &got, &self->err));
}

TEST_F(batch, committing_the_rest_clears_the_staged_batch)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, IN, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, OUT, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(3, l.pool[OUT].keys);
	EXPECT_EQ(0, l.pool[OUT].staged);
	EXPECT_EQ(3, l.pool[OUT].added);
	EXPECT_EQ(96, l.pool[OUT].bytes);
	EXPECT_EQ(1, l.batch);
	EXPECT_EQ(0, l.staged_batch);
}

TEST_F(batch, a_commit_without_a_direction_commits_both)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 4, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 4, BOTH, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(3, l.pool[OUT].keys);
	EXPECT_EQ(2, l.pool[IN].keys);
	EXPECT_EQ(4, l.batch);
	EXPECT_EQ(0, l.staged_batch);
}

TEST_F(batch, a_batch_with_keys_of_one_direction_is_done_once_that_is_committed)
{
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, OUT, &self->err));
	EXPECT_EQ(0, link_of(self->nl, "dc1").staged_batch);
}

TEST_F(batch, repeating_a_commit_of_the_committed_batch_succeeds_and_changes_nothing)
{
	struct qkd_link before, after;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	before = link_of(self->nl, "dc1");
	EXPECT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, OUT, &self->err));
	after = link_of(self->nl, "dc1");
	EXPECT_EQ(0, memcmp(&before.pool, &after.pool, sizeof(before.pool)));
	EXPECT_EQ(1, after.batch);
	EXPECT_EQ(0, after.staged_batch);
}

TEST_F(batch, commit_of_a_batch_not_staged_is_enoent_naming_the_batch)
{
	/* Nothing staged, nothing committed. */
	EXPECT_EQ(-ENOENT, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_STREQ("batch neither staged nor the link's committed batch",
		     self->err.msg);
	/* Another batch staged, or an older one committed. */
	ASSERT_EQ(0, stage(self->nl, "dc1", 2, 0, 1, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 2, BOTH, &self->err));
	ASSERT_EQ(0, stage(self->nl, "dc1", 3, 1, 1, 0, 0, &self->err));
	EXPECT_EQ(-ENOENT, qkd_key_commit(self->nl, "dc1", 4, BOTH, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_EQ(-ENOENT, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_EQ(1, pool_of(self->nl, "dc1", OUT).staged);
}

TEST_F(batch, abort_of_a_batch_not_staged_is_enoent_naming_the_batch)
{
	EXPECT_EQ(-ENOENT, qkd_key_abort(self->nl, "dc1", 1, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_STREQ("batch not staged", self->err.msg);
	/* A batch wholly committed is not staged any more. */
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 2, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(-ENOENT, qkd_key_abort(self->nl, "dc1", 1, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_EQ(2, pool_of(self->nl, "dc1", OUT).keys);
}

TEST_F(batch, abort_discards_the_staged_keys_as_uncommitted_and_keeps_the_batch)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 5, 0, 1, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 5, BOTH, &self->err));
	ASSERT_EQ(0, stage(self->nl, "dc1", 6, 10, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_abort(self->nl, "dc1", 6, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(1, l.pool[OUT].keys);
	EXPECT_EQ(0, l.pool[OUT].staged);
	EXPECT_EQ(1, l.pool[OUT].added);
	EXPECT_EQ(3, l.pool[OUT].discarded_uncommitted);
	EXPECT_EQ(0, l.pool[OUT].discarded_flush);
	EXPECT_EQ(0, l.pool[IN].keys);
	EXPECT_EQ(0, l.pool[IN].staged);
	EXPECT_EQ(2, l.pool[IN].discarded_uncommitted);
	EXPECT_EQ(5, l.batch);
	EXPECT_EQ(0, l.staged_batch);
}

TEST_F(batch, abort_after_a_partial_commit_keeps_the_committed_direction)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, IN, &self->err));
	ASSERT_EQ(0, qkd_key_abort(self->nl, "dc1", 1, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(2, l.pool[IN].keys);
	EXPECT_EQ(0, l.pool[IN].discarded_uncommitted);
	EXPECT_EQ(0, l.pool[OUT].keys);
	EXPECT_EQ(3, l.pool[OUT].discarded_uncommitted);
	EXPECT_EQ(1, l.batch);
	EXPECT_EQ(0, l.staged_batch);
}

TEST_F(batch, abort_reports_a_discard_per_direction_with_reason_uncommitted)
{
	struct qkd_event e;
	struct qkd_nl *ev;

	ASSERT_EQ(0, qkd_nl_open(&ev));
	ASSERT_EQ(0, qkd_nl_subscribe(ev));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_abort(self->nl, "dc1", 1, &self->err));
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_DISCARD, e.cmd);
	EXPECT_EQ(OUT, e.dir);
	EXPECT_EQ(QKD_DISCARD_UNCOMMITTED, e.reason);
	EXPECT_EQ(3, e.discarded);
	EXPECT_EQ(0, e.count);
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_DISCARD, e.cmd);
	EXPECT_EQ(IN, e.dir);
	EXPECT_EQ(QKD_DISCARD_UNCOMMITTED, e.reason);
	EXPECT_EQ(2, e.discarded);
	EXPECT_EQ(-ETIMEDOUT, qkd_event_recv(ev, &e, 0));
	qkd_nl_close(ev);
}

TEST_F(batch, an_aborted_batch_may_be_staged_again_with_the_same_keys)
{
	struct qkd_key got, want;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_abort(self->nl, "dc1", 1, &self->err));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 3, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	/* The aborted keys left no trace, not even in the arrival numbers. */
	ASSERT_EQ(0, qkd_key_take(self->nl, "dc1", OUT, &got, &self->err));
	make_key(&want, OUT, 0, 32);
	EXPECT_EQ(0, memcmp(want.id, got.id, QKD_KEY_ID_LEN));
	EXPECT_EQ(1, got.index);
}

TEST_F(batch, a_batch_not_above_the_links_batch_is_einval)
{
	ASSERT_EQ(0, stage(self->nl, "dc1", 3, 0, 1, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 3, BOTH, &self->err));
	EXPECT_EQ(-EINVAL, stage(self->nl, "dc1", 3, 10, 1, 0, 0, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_STREQ("batch not above the link's committed batch", self->err.msg);
	EXPECT_EQ(-EINVAL, stage(self->nl, "dc1", 2, 10, 1, 0, 0, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", OUT).staged);
	EXPECT_EQ(0, link_of(self->nl, "dc1").staged_batch);
	EXPECT_EQ(0, stage(self->nl, "dc1", 9, 10, 1, 0, 0, &self->err));
}

TEST_F(batch, batch_zero_is_refused)
{
	EXPECT_EQ(-ERANGE, qkd_key_commit(self->nl, "dc1", 0, BOTH, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_EQ(-ERANGE, qkd_key_abort(self->nl, "dc1", 0, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
}

TEST_F(batch, a_second_stage_while_one_is_staged_is_ebusy)
{
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 2, 0, 0, &self->err));
	EXPECT_EQ(-EBUSY, stage(self->nl, "dc1", 2, 10, 1, 0, 0, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_STREQ("another batch is staged: commit or abort it first",
		     self->err.msg);
	/* The same batch again: one KEY_ADD per batch. */
	EXPECT_EQ(-EBUSY, stage(self->nl, "dc1", 1, 10, 1, 0, 0, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.bad_attr);
	EXPECT_STREQ("batch staged already: commit or abort it", self->err.msg);
	EXPECT_EQ(2, pool_of(self->nl, "dc1", OUT).staged);
	EXPECT_EQ(1, link_of(self->nl, "dc1").staged_batch);
}

TEST_F(batch, a_plain_add_while_a_batch_is_staged_is_ebusy)
{
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 2, 0, 0, &self->err));
	EXPECT_EQ(-EBUSY, stage(self->nl, "dc1", 0, 10, 1, 100, 1, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.miss_type);
	EXPECT_STREQ("a batch is staged: keys without a batch may not overtake it",
		     self->err.msg);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", OUT).keys);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", IN).keys);
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(0, stage(self->nl, "dc1", 0, 10, 1, 100, 1, &self->err));
}

TEST_F(batch, staged_key_ids_are_held_and_a_batch_repeating_one_stages_none)
{
	/* Key 7 out, then key 7 in: the second finds the first held. */
	EXPECT_EQ(-EEXIST, stage(self->nl, "dc1", 1, 5, 3, 7, 1, &self->err));
	EXPECT_EQ(QKD_A_KEYS, self->err.bad_attr);
	EXPECT_EQ(3, self->err.bad_key);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", OUT).staged);
	EXPECT_EQ(0, link_of(self->nl, "dc1").staged_batch);
	/* A staged key's ID stays held once committed. */
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 5, 3, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(-EEXIST, stage(self->nl, "dc1", 2, 0, 0, 6, 1, &self->err));
	EXPECT_EQ(0, link_of(self->nl, "dc1").staged_batch);
}

TEST_F(batch, staging_beyond_the_room_left_is_enospc_and_stages_none)
{
	ASSERT_EQ(0, stage(self->nl, "dc1", 0, 0, 60, 0, 0, &self->err));
	EXPECT_EQ(-ENOSPC, stage(self->nl, "dc1", 1, 100, 5, 0, 0, &self->err));
	EXPECT_TRUE(self->err.has_room);
	EXPECT_EQ(4, self->err.room.out);
	EXPECT_EQ(0, pool_of(self->nl, "dc1", OUT).staged);
	EXPECT_EQ(0, link_of(self->nl, "dc1").staged_batch);
}

TEST_F(batch, staged_keys_count_as_held_for_capacity_and_key_bits)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 10, 0, 0, &self->err));
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "dc1");
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	l.capacity = 9;
	l.low_water = 0;
	qkd_link_mark(&l, QKD_A_LINK_CAPACITY);
	qkd_link_mark(&l, QKD_A_LINK_LOW_WATER);
	EXPECT_EQ(-EBUSY, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_STREQ("capacity below the keys the link holds", self->err.msg);
	l.capacity = 10;
	ASSERT_EQ(0, qkd_link_set(self->nl, &l, &self->err));

	memset(&l, 0, sizeof(l));
	strcpy(l.name, "dc1");
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	l.key_bits = 512;
	qkd_link_mark(&l, QKD_A_LINK_KEY_BITS);
	EXPECT_EQ(-EBUSY, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_STREQ("key-bits cannot change while the link holds keys",
		     self->err.msg);
	/* A full pool of staged keys commits: its room was held for it. */
	EXPECT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(10, pool_of(self->nl, "dc1", OUT).keys);
}

TEST_F(batch, flush_discards_staged_keys_as_uncommitted)
{
	struct qkd_link l;

	ASSERT_EQ(0, stage(self->nl, "dc1", 0, 0, 2, 0, 0, &self->err));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 10, 3, 100, 2, &self->err));
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", OUT, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(0, l.pool[OUT].keys);
	EXPECT_EQ(0, l.pool[OUT].staged);
	EXPECT_EQ(2, l.pool[OUT].discarded_flush);
	EXPECT_EQ(3, l.pool[OUT].discarded_uncommitted);
	/* The in keys of batch 1 are still staged. */
	EXPECT_EQ(2, l.pool[IN].staged);
	EXPECT_EQ(1, l.staged_batch);
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", BOTH, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(2, l.pool[IN].discarded_uncommitted);
	EXPECT_EQ(0, l.staged_batch);
	EXPECT_EQ(0, l.batch);
}

TEST_F(batch, flush_reports_staged_keys_discarded_as_uncommitted)
{
	struct qkd_event e;
	struct qkd_nl *ev;

	ASSERT_EQ(0, qkd_nl_open(&ev));
	ASSERT_EQ(0, qkd_nl_subscribe(ev));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 0, 100, 4, &self->err));
	ASSERT_EQ(0, qkd_key_flush(self->nl, "dc1", IN, &self->err));
	ASSERT_EQ(0, qkd_event_recv(ev, &e, 0));
	EXPECT_EQ(QKD_CMD_EVENT_DISCARD, e.cmd);
	EXPECT_EQ(IN, e.dir);
	EXPECT_EQ(QKD_DISCARD_UNCOMMITTED, e.reason);
	EXPECT_EQ(4, e.discarded);
	/* No usable key left the pool: no level event. */
	EXPECT_EQ(-ETIMEDOUT, qkd_event_recv(ev, &e, 0));
	qkd_nl_close(ev);
}

TEST_F(batch, committed_keys_follow_older_keys_in_the_order_staged)
{
	unsigned int want_ids[] = { 0, 1, 20, 21, 22 };
	struct qkd_key got, want;

	ASSERT_EQ(0, stage(self->nl, "dc1", 0, 0, 2, 0, 0, &self->err));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 20, 3, 0, 0, &self->err));
	ASSERT_EQ(0, qkd_key_commit(self->nl, "dc1", 1, OUT, &self->err));
	for (unsigned int i = 0; i < 5; i++) {
		ASSERT_EQ(0, qkd_key_take(self->nl, "dc1", OUT, &got,
					  &self->err));
		make_key(&want, OUT, want_ids[i], 32);
		EXPECT_EQ(0, memcmp(want.id, got.id, QKD_KEY_ID_LEN))
			TH_LOG("take %u", i);
		EXPECT_EQ(0, memcmp(want.material, got.material, 32));
		EXPECT_EQ(i + 1, got.index);
	}
	EXPECT_EQ(-ENOENT, qkd_key_take(self->nl, "dc1", OUT, &got, &self->err));
}

TEST_F(batch, staged_keys_count_in_the_module_and_go_with_their_link)
{
	struct qkd_stats before, mid, after;

	ASSERT_EQ(0, quiet_module_stats(self->nl, &before));
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 9, 100, 4, &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &mid, &self->err));
	EXPECT_EQ(before.keys + 13, mid.keys);
	EXPECT_EQ(before.added, mid.added);
	ASSERT_EQ(0, qkd_link_del(self->nl, "dc1", &self->err));
	ASSERT_EQ(0, qkd_stats_get(self->nl, &after, &self->err));
	EXPECT_EQ(before.keys, after.keys);
	EXPECT_EQ(before.added, after.added);
	EXPECT_EQ(before.discarded + 13, after.discarded);
}

TEST_F(batch, an_unprivileged_caller_cannot_commit_or_abort)
{
	struct qkd_nl *user;

	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 2, 0, 0, &self->err));
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(0, qkd_nl_open(&user));
	EXPECT_EQ(-EPERM, stage(user, "dc1", 2, 10, 1, 0, 0, &self->err));
	EXPECT_EQ(-EPERM, qkd_key_commit(user, "dc1", 1, BOTH, &self->err));
	EXPECT_EQ(-EPERM, qkd_key_abort(user, "dc1", 1, &self->err));
	EXPECT_EQ(2, pool_of(user, "dc1", OUT).staged);
	EXPECT_EQ(1, link_of(user, "dc1").staged_batch);
	qkd_nl_close(user);
}

TEST_F(batch, the_links_batches_are_read_only)
{
	struct nlmsghdr *nlh;
	struct qkd_link l;

	nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_SET, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	mnl_attr_put_u64(nlh, QKD_A_LINK_BATCH, 5);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_BATCH, self->err.bad_attr);
	EXPECT_STREQ("batch is set by committing one", self->err.msg);
	nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc2");
	mnl_attr_put_u64(nlh, QKD_A_LINK_STAGED, 5);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_STAGED, self->err.bad_attr);
	/* A link read back and set again: the library leaves them out. */
	ASSERT_EQ(0, stage(self->nl, "dc1", 1, 0, 1, 0, 0, &self->err));
	l = link_of(self->nl, "dc1");
	EXPECT_EQ(0, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_EQ(1, link_of(self->nl, "dc1").staged_batch);
}

TEST_F(batch, commit_and_abort_require_a_batch)
{
	struct nlmsghdr *nlh;

	nlh = qkd_nl_msg(self->nl, QKD_CMD_KEY_COMMIT, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.miss_type);
	EXPECT_STREQ("batch is required", self->err.msg);
	nlh = qkd_nl_msg(self->nl, QKD_CMD_KEY_ABORT, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_BATCH, self->err.miss_type);
}

TEST_HARNESS_MAIN
