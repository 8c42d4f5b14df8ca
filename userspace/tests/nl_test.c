// SPDX-License-Identifier: GPL-2.0
/*
 * libqkd against a loaded qkd.ko: that the extack text, the offending
 * attribute and the missing attribute come back in struct qkd_err, that a
 * link reads back as it was sent, that a dump spans several receive
 * buffers, and that the socket stays usable after a callback gives up half
 * way.
 *
 * Runs as root inside the test VM. The harness forks for every test, and
 * every test starts in a network namespace of its own, so that no test
 * sees another's links.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "libqkd.h"
#include "kselftest_harness.h"

#define MANY 400	/* links: about 50 KB of dump, more than one buffer */

FIXTURE(nl) {
	struct qkd_nl *nl;
	struct qkd_err err;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl))
		TH_LOG("qkd_nl_open: is qkd.ko loaded?");
	memset(&self->err, 0, sizeof(self->err));
}

FIXTURE_TEARDOWN(nl)
{
	qkd_nl_close(self->nl);
}

/* "t0" with a reqid and a pair of IPv6 addresses: a link the kernel takes. */
static void good_link(struct qkd_link *l)
{
	memset(l, 0, sizeof(*l));
	strcpy(l->name, "t0");
	qkd_link_mark(l, QKD_A_LINK_NAME);
	l->reqid = 7;
	qkd_link_mark(l, QKD_A_LINK_REQID);
	l->family = AF_INET6;
	l->local_addr[15] = 1;
	l->peer_addr[15] = 2;
	qkd_link_mark(l, QKD_A_LINK_LOCAL_ADDR);
	qkd_link_mark(l, QKD_A_LINK_PEER_ADDR);
	l->rekey_bytes = 1ULL << 40;
	qkd_link_mark(l, QKD_A_LINK_REKEY_BYTES);
}

/* Links "many-1" to "many-MANY", with nothing but a name. */
static int add_many(struct qkd_nl *nl, struct qkd_err *err)
{
	struct qkd_link l = {};
	int ret;

	qkd_link_mark(&l, QKD_A_LINK_NAME);
	for (int i = 1; i <= MANY; i++) {
		snprintf(l.name, sizeof(l.name), "many-%d", i);
		ret = qkd_link_new(nl, &l, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int count(const struct qkd_link *l, void *arg)
{
	int *n = arg;

	(*n)++;
	return l->id && l->name[0] ? 0 : -EINVAL;
}

static int give_up(const struct qkd_link *l, void *arg)
{
	return -ECANCELED;
}

static int stop_at_first(const struct qkd_link *l, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

TEST_F(nl, missing_name_comes_back_as_the_missing_attribute)
{
	/* qkd_link_del() with a NULL name sends a request without one. */
	EXPECT_EQ(-EINVAL, qkd_link_del(self->nl, NULL, &self->err));
	EXPECT_EQ(-EINVAL, self->err.err);
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.miss_type);
	EXPECT_EQ(-1, self->err.bad_attr);
}

TEST_F(nl, policy_refusal_comes_back_with_its_text_and_attribute)
{
	struct qkd_link l;
	int ret;

	good_link(&l);
	l.present &= ~(1ULL << QKD_A_LINK_LOCAL_ADDR | 1ULL << QKD_A_LINK_PEER_ADDR);
	l.key_bits = 100;
	qkd_link_mark(&l, QKD_A_LINK_KEY_BITS);
	ret = qkd_link_new(self->nl, &l, &self->err);
	EXPECT_TRUE(ret == -ERANGE || ret == -EINVAL)
		TH_LOG("qkd_link_new returned %d", ret);
	/* The kernel's offset into the request maps back to key-bits. */
	EXPECT_EQ(QKD_A_LINK_KEY_BITS, self->err.bad_attr);
	EXPECT_NE(0, strlen(self->err.msg));
}

TEST_F(nl, address_without_a_family_goes_out_empty_and_is_refused)
{
	struct qkd_link l;

	good_link(&l);
	l.present &= ~(1ULL << QKD_A_LINK_LOCAL_ADDR);
	l.family = 0;
	EXPECT_GT(0, qkd_link_new(self->nl, &l, &self->err));
	EXPECT_EQ(QKD_A_LINK_PEER_ADDR, self->err.bad_attr);
}

TEST_F(nl, new_link_reads_back_as_sent)
{
	struct qkd_link l, got;

	good_link(&l);
	EXPECT_EQ(0, qkd_link_new(self->nl, &l, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, self->err.err);
	ASSERT_EQ(0, qkd_link_get(self->nl, "t0", &got, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_STREQ("t0", got.name);
	EXPECT_GT(got.id, 0);
	EXPECT_EQ(7, got.reqid);
	EXPECT_EQ(AF_INET6, got.family);
	EXPECT_EQ(0, memcmp(got.peer_addr, l.peer_addr, 16));
	EXPECT_EQ(1ULL << 40, got.rekey_bytes);
	/* Every setting comes back, set or default; absent strings do not. */
	EXPECT_TRUE(qkd_link_has(&got, QKD_A_LINK_RX_WINDOW));
	EXPECT_FALSE(qkd_link_has(&got, QKD_A_LINK_LOCAL_SAE));
}

TEST_F(nl, duplicate_name_comes_back_as_eexist_on_the_name)
{
	struct qkd_link l;

	good_link(&l);
	ASSERT_EQ(0, qkd_link_new(self->nl, &l, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EEXIST, qkd_link_new(self->nl, &l, &self->err));
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.bad_attr);
}

TEST_F(nl, dump_over_several_receive_buffers_sees_every_link)
{
	int n = 0;

	ASSERT_EQ(0, add_many(self->nl, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, qkd_link_dump(self->nl, count, &n, &self->err));
	EXPECT_EQ(MANY, n);
}

TEST_F(nl, callback_error_ends_the_dump_and_leaves_the_socket_usable)
{
	struct qkd_link got;

	ASSERT_EQ(0, add_many(self->nl, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-ECANCELED, qkd_link_dump(self->nl, give_up, NULL,
					    &self->err));
	EXPECT_EQ(0, qkd_link_get(self->nl, "many-400", &got, &self->err));
	EXPECT_STREQ("many-400", got.name);
}

TEST_F(nl, callback_stop_ends_the_dump_quietly_and_leaves_the_socket_usable)
{
	struct qkd_link got;
	int n = 0;

	ASSERT_EQ(0, add_many(self->nl, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, qkd_link_dump(self->nl, stop_at_first, &n, &self->err));
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, qkd_link_get(self->nl, "many-400", &got, &self->err));
	EXPECT_STREQ("many-400", got.name);
}

TEST_F(nl, get_after_del_comes_back_as_enoent)
{
	struct qkd_link l, got;

	good_link(&l);
	ASSERT_EQ(0, qkd_link_new(self->nl, &l, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, qkd_link_del(self->nl, "t0", &self->err));
	EXPECT_EQ(-ENOENT, qkd_link_get(self->nl, "t0", &got, &self->err));
}

TEST_HARNESS_MAIN
