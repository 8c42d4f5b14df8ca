// SPDX-License-Identifier: GPL-2.0
/*
 * Links over the generic netlink family "qkd": lifecycle, every attribute,
 * bad input, privileges and network namespaces.
 *
 * Runs as root inside the test VM with qkd.ko loaded. The harness forks for
 * every test, and every test starts in a network namespace of its own, so
 * that no test sees another's links.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libqkd.h"
#include "kselftest_harness.h"

FIXTURE(link) {
	struct qkd_nl *nl;
	struct qkd_err err;
};

FIXTURE_SETUP(link)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	memset(&self->err, 0, sizeof(self->err));
}

FIXTURE_TEARDOWN(link)
{
	qkd_nl_close(self->nl);
}

static void link_init(struct qkd_link *l, const char *name)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	qkd_link_mark(l, QKD_A_LINK_NAME);
}

static int add_named(struct qkd_nl *nl, const char *name)
{
	struct qkd_link l;
	struct qkd_err err;

	link_init(&l, name);
	return qkd_link_new(nl, &l, &err);
}

static int count_cb(const struct qkd_link *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
	return 0;
}

static int count_links(struct qkd_nl *nl)
{
	struct qkd_err err;
	int n = 0;

	if (qkd_link_dump(nl, count_cb, &n, &err))
		return -1;
	return n;
}

/* Sends a LINK_NEW (or other command) with a u32 attribute, raw. */
static int send_u32(struct qkd_nl *nl, uint8_t cmd, const char *name,
		    uint16_t type, uint32_t value, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, cmd, 0);

	if (name)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	mnl_attr_put_u32(nlh, type, value);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

static int send_u8(struct qkd_nl *nl, uint8_t cmd, const char *name,
		   uint16_t type, uint8_t value, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, cmd, 0);

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	mnl_attr_put_u8(nlh, type, value);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

static int send_u16(struct qkd_nl *nl, uint8_t cmd, const char *name,
		    uint16_t type, uint16_t value, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, cmd, 0);

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	mnl_attr_put_u16(nlh, type, value);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

TEST_F(link, new_with_only_a_name_takes_the_documented_defaults)
{
	struct qkd_link l;

	ASSERT_EQ(0, add_named(self->nl, "dc1"));
	ASSERT_EQ(0, qkd_link_get(self->nl, "dc1", &l, &self->err));
	EXPECT_STREQ("dc1", l.name);
	EXPECT_EQ(1, l.id);
	EXPECT_FALSE(qkd_link_has(&l, QKD_A_LINK_LOCAL_SAE));
	EXPECT_FALSE(qkd_link_has(&l, QKD_A_LINK_LOCAL_ADDR));
	EXPECT_EQ(0, l.reqid);
	EXPECT_EQ(0, l.if_id);
	EXPECT_EQ(QKD_MODE_TUNNEL, l.mode);
	EXPECT_EQ(QKD_CIPHER_AES_GCM_256, l.cipher);
	EXPECT_EQ(QKD_LINK_DEFAULT_KEY_BITS, l.key_bits);
	EXPECT_EQ(QKD_LINK_DEFAULT_CAPACITY, l.capacity);
	EXPECT_EQ(QKD_LINK_DEFAULT_CAPACITY / 4, l.low_water);
	EXPECT_EQ(QKD_LINK_DEFAULT_REKEY_TIME, l.rekey_time);
	EXPECT_EQ(0, l.rekey_bytes);
	EXPECT_EQ(0, l.rekey_packets);
	EXPECT_EQ(QKD_ON_EMPTY_HOLD, l.on_empty);
	EXPECT_EQ(QKD_LINK_DEFAULT_MAX_KEY_AGE, l.max_key_age);
	EXPECT_EQ(QKD_CONSUMER_XFRM, l.consumer);
	EXPECT_EQ(QKD_LINK_DEFAULT_RX_WINDOW, l.rx_window);
}

static void full_link(struct qkd_link *l, int family)
{
	link_init(l, "edge-7.b_x");
	strcpy(l->local_sae, "sae-gw-a-0123456789");
	strcpy(l->peer_sae, "sae-gw-b-9876543210");
	l->family = family;
	if (family == AF_INET6) {
		inet_pton(AF_INET6, "2001:db8::a", l->local_addr);
		inet_pton(AF_INET6, "2001:db8:1::b", l->peer_addr);
	} else {
		inet_pton(AF_INET, "192.0.2.1", l->local_addr);
		inet_pton(AF_INET, "198.51.100.2", l->peer_addr);
	}
	l->if_id = 7;
	l->mode = QKD_MODE_TRANSPORT;
	l->cipher = QKD_CIPHER_CHACHA20_POLY1305;
	l->key_bits = 512;
	l->capacity = 1000;
	l->low_water = 999;
	l->rekey_time = 60;
	l->rekey_bytes = 5000000000ULL;
	l->rekey_packets = 1ULL << 40;
	l->on_empty = QKD_ON_EMPTY_BLOCK;
	l->max_key_age = 61;
	l->consumer = QKD_CONSUMER_EXPORT;
	l->rx_window = QKD_RX_WINDOW_MAX;
	for (int t = QKD_A_LINK_LOCAL_SAE; t <= QKD_A_LINK_RX_WINDOW; t++)
		if (t != QKD_A_LINK_REQID)
			qkd_link_mark(l, t);
}

static void expect_same_settings(struct __test_metadata *_metadata,
				 const struct qkd_link *a,
				 const struct qkd_link *b)
{
	EXPECT_STREQ(a->name, b->name);
	EXPECT_STREQ(a->local_sae, b->local_sae);
	EXPECT_STREQ(a->peer_sae, b->peer_sae);
	EXPECT_EQ(a->family, b->family);
	EXPECT_EQ(0, memcmp(a->local_addr, b->local_addr, 16));
	EXPECT_EQ(0, memcmp(a->peer_addr, b->peer_addr, 16));
	EXPECT_EQ(a->reqid, b->reqid);
	EXPECT_EQ(a->if_id, b->if_id);
	EXPECT_EQ(a->mode, b->mode);
	EXPECT_EQ(a->cipher, b->cipher);
	EXPECT_EQ(a->key_bits, b->key_bits);
	EXPECT_EQ(a->capacity, b->capacity);
	EXPECT_EQ(a->low_water, b->low_water);
	EXPECT_EQ(a->rekey_time, b->rekey_time);
	EXPECT_EQ(a->rekey_bytes, b->rekey_bytes);
	EXPECT_EQ(a->rekey_packets, b->rekey_packets);
	EXPECT_EQ(a->on_empty, b->on_empty);
	EXPECT_EQ(a->max_key_age, b->max_key_age);
	EXPECT_EQ(a->consumer, b->consumer);
	EXPECT_EQ(a->rx_window, b->rx_window);
}

TEST_F(link, every_attribute_round_trips_with_ipv6_addresses)
{
	struct qkd_link in, out;

	full_link(&in, AF_INET6);
	ASSERT_EQ(0, qkd_link_new(self->nl, &in, &self->err));
	ASSERT_EQ(0, qkd_link_get(self->nl, in.name, &out, &self->err));
	expect_same_settings(_metadata, &in, &out);
}

TEST_F(link, every_attribute_round_trips_with_ipv4_addresses_and_reqid)
{
	struct qkd_link in, out;

	full_link(&in, AF_INET);
	in.if_id = 0;
	in.reqid = 0xfffffffe;
	qkd_link_mark(&in, QKD_A_LINK_REQID);
	ASSERT_EQ(0, qkd_link_new(self->nl, &in, &self->err));
	ASSERT_EQ(0, qkd_link_get(self->nl, in.name, &out, &self->err));
	expect_same_settings(_metadata, &in, &out);
}

TEST_F(link, set_changes_only_the_given_attributes)
{
	struct qkd_link in, change, out;

	full_link(&in, AF_INET);
	ASSERT_EQ(0, qkd_link_new(self->nl, &in, &self->err));

	link_init(&change, in.name);
	change.rekey_time = 30;
	change.max_key_age = 0;
	qkd_link_mark(&change, QKD_A_LINK_REKEY_TIME);
	qkd_link_mark(&change, QKD_A_LINK_MAX_KEY_AGE);
	ASSERT_EQ(0, qkd_link_set(self->nl, &change, &self->err));

	ASSERT_EQ(0, qkd_link_get(self->nl, in.name, &out, &self->err));
	in.rekey_time = 30;
	in.max_key_age = 0;
	expect_same_settings(_metadata, &in, &out);
}

TEST_F(link, refused_set_is_checked_as_a_whole_and_changes_nothing)
{
	struct qkd_link in, change, out;

	full_link(&in, AF_INET);
	ASSERT_EQ(0, qkd_link_new(self->nl, &in, &self->err));

	/* A valid rekey time with a low-water above the capacity. */
	link_init(&change, in.name);
	change.rekey_time = 10;
	change.capacity = 10;
	qkd_link_mark(&change, QKD_A_LINK_REKEY_TIME);
	qkd_link_mark(&change, QKD_A_LINK_CAPACITY);
	EXPECT_EQ(-ERANGE, qkd_link_set(self->nl, &change, &self->err));
	EXPECT_STREQ("low-water above the capacity", self->err.msg);
	EXPECT_EQ(QKD_A_LINK_CAPACITY, self->err.bad_attr);

	ASSERT_EQ(0, qkd_link_get(self->nl, in.name, &out, &self->err));
	expect_same_settings(_metadata, &in, &out);
}

TEST_F(link, del_removes_the_link)
{
	struct qkd_link l;

	ASSERT_EQ(0, add_named(self->nl, "a"));
	ASSERT_EQ(0, add_named(self->nl, "b"));
	ASSERT_EQ(0, qkd_link_del(self->nl, "a", &self->err));
	EXPECT_EQ(-ENOENT, qkd_link_get(self->nl, "a", &l, &self->err));
	EXPECT_EQ(0, qkd_link_get(self->nl, "b", &l, &self->err));
	EXPECT_EQ(1, count_links(self->nl));
}

struct dump_check {
	int n;
	uint32_t last_id;
	int out_of_order;
};

static int dump_check_cb(const struct qkd_link *l, void *arg)
{
	struct dump_check *dc = arg;
	char want[32];

	snprintf(want, sizeof(want), "l%d", dc->n);
	if (strcmp(want, l->name) || l->id <= dc->last_id)
		dc->out_of_order++;
	dc->last_id = l->id;
	dc->n++;
	return 0;
}

TEST_F(link, dump_lists_every_link_once_in_creation_order)
{
	struct dump_check dc = { 0 };
	char name[32];

	/* Enough links that the dump takes several messages. */
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		ASSERT_EQ(0, add_named(self->nl, name));
	}
	ASSERT_EQ(0, qkd_link_dump(self->nl, dump_check_cb, &dc, &self->err));
	EXPECT_EQ(600, dc.n);
	EXPECT_EQ(0, dc.out_of_order);
}

TEST_F(link, ids_are_not_reused_after_delete)
{
	struct qkd_link a, b;

	ASSERT_EQ(0, add_named(self->nl, "a"));
	ASSERT_EQ(0, qkd_link_get(self->nl, "a", &a, &self->err));
	ASSERT_EQ(0, qkd_link_del(self->nl, "a", &self->err));
	ASSERT_EQ(0, add_named(self->nl, "a"));
	ASSERT_EQ(0, qkd_link_get(self->nl, "a", &b, &self->err));
	EXPECT_GT(b.id, a.id);
}

TEST_F(link, new_without_a_name_is_refused)
{
	struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

	mnl_attr_put_u32(nlh, QKD_A_LINK_REQID, 42);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.miss_type);
	EXPECT_STREQ("link name is required", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, name_of_32_characters_is_accepted_and_33_refused)
{
	const char *n32 = "abcdefghijklmnopqrstuvwxyz012345";
	const char *n33 = "abcdefghijklmnopqrstuvwxyz0123456";

	ASSERT_EQ(32, strlen(n32));
	EXPECT_EQ(0, add_named(self->nl, n32));

	struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, n33);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.bad_attr);
	EXPECT_NE(0, strlen(self->err.msg));
	EXPECT_EQ(1, count_links(self->nl));
}

TEST_F(link, names_outside_the_allowed_characters_are_refused)
{
	const char *bad[] = { "", "dc:1", "dc 1", "dc/1", "dc\n" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, bad[i]);
		EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL,
					       &self->err));
		EXPECT_EQ(QKD_A_LINK_NAME, self->err.bad_attr);
		EXPECT_STREQ("link name must be letters, digits, '.', '_' or '-'",
			     self->err.msg);
	}
	EXPECT_EQ(0, count_links(self->nl));
}

/* Byte by byte: the contract's ASCII set, no Latin-1 letter (0xC0-0xFF). */
TEST_F(link, every_byte_outside_the_contract_is_refused_in_a_name)
{
	for (int b = 1; b < 256; b++) {
		bool ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
			  (b >= '0' && b <= '9') || b == '.' || b == '_' || b == '-';
		char name[] = { 'd', (char)b, 'c', 0 };
		int ret;

		ret = add_named(self->nl, name);
		EXPECT_EQ(ok ? 0 : -EINVAL, ret) TH_LOG("byte 0x%02x", b);
		if (!ret)
			EXPECT_EQ(0, qkd_link_del(self->nl, name, &self->err));
	}
	EXPECT_EQ(0, count_links(self->nl));
}

/* A string ends with its attribute: "ab\0cd" is not the name "ab". */
TEST_F(link, bytes_after_the_nul_of_a_name_or_sae_id_are_refused)
{
	static const uint16_t types[] = { QKD_A_LINK_NAME, QKD_A_LINK_LOCAL_SAE,
					  QKD_A_LINK_PEER_SAE };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

		if (types[i] != QKD_A_LINK_NAME)
			mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "ab");
		mnl_attr_put(nlh, types[i], 6, "ab\0cd");
		EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
		EXPECT_EQ(types[i], self->err.bad_attr);
	}
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, duplicate_name_is_refused_and_the_first_link_is_unchanged)
{
	struct qkd_link l;

	ASSERT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_NEW, "dc1",
			      QKD_A_LINK_REQID, 42, &self->err));
	EXPECT_EQ(-EEXIST, send_u32(self->nl, QKD_CMD_LINK_NEW, "dc1",
				    QKD_A_LINK_REQID, 43, &self->err));
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.bad_attr);
	EXPECT_STREQ("a link with this name already exists", self->err.msg);
	ASSERT_EQ(0, qkd_link_get(self->nl, "dc1", &l, &self->err));
	EXPECT_EQ(42, l.reqid);
	EXPECT_EQ(1, count_links(self->nl));
}

TEST_F(link, key_bits_outside_128_to_512_or_not_whole_bytes_are_refused)
{
	const uint16_t bad[] = { 0, 120, 127, 513, 520 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-ERANGE, send_u16(self->nl, QKD_CMD_LINK_NEW, "k",
					    QKD_A_LINK_KEY_BITS, bad[i],
					    &self->err));
		EXPECT_EQ(QKD_A_LINK_KEY_BITS, self->err.bad_attr);
		EXPECT_NE(0, strlen(self->err.msg));
	}
	EXPECT_EQ(-EINVAL, send_u16(self->nl, QKD_CMD_LINK_NEW, "k",
				    QKD_A_LINK_KEY_BITS, 260, &self->err));
	EXPECT_EQ(QKD_A_LINK_KEY_BITS, self->err.bad_attr);
	EXPECT_STREQ("key-bits must be a multiple of 8", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, capacity_of_zero_or_above_the_module_ceiling_is_refused)
{
	EXPECT_EQ(-ERANGE, send_u32(self->nl, QKD_CMD_LINK_NEW, "c",
				    QKD_A_LINK_CAPACITY, 0, &self->err));
	EXPECT_EQ(QKD_A_LINK_CAPACITY, self->err.bad_attr);
	EXPECT_EQ(-ERANGE, send_u32(self->nl, QKD_CMD_LINK_NEW, "c",
				    QKD_A_LINK_CAPACITY, 0xffffffff, &self->err));
	EXPECT_EQ(QKD_A_LINK_CAPACITY, self->err.bad_attr);
	EXPECT_STREQ("capacity above the module's max_pool_keys", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, capacity_alone_sets_low_water_to_a_quarter)
{
	struct qkd_link l;

	ASSERT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_NEW, "c",
			      QKD_A_LINK_CAPACITY, 100, &self->err));
	ASSERT_EQ(0, qkd_link_get(self->nl, "c", &l, &self->err));
	EXPECT_EQ(100, l.capacity);
	EXPECT_EQ(25, l.low_water);
}

TEST_F(link, low_water_above_the_capacity_is_refused)
{
	EXPECT_EQ(-ERANGE, send_u32(self->nl, QKD_CMD_LINK_NEW, "w",
				    QKD_A_LINK_LOW_WATER,
				    QKD_LINK_DEFAULT_CAPACITY + 1, &self->err));
	EXPECT_EQ(QKD_A_LINK_LOW_WATER, self->err.bad_attr);
	EXPECT_STREQ("low-water above the capacity", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, unknown_attribute_is_refused)
{
	struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "u");
	mnl_attr_put_u32(nlh, QKD_A_MAX + 1, 1);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_MAX + 1, self->err.bad_attr);
	EXPECT_NE(0, strlen(self->err.msg));
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, attribute_of_the_wrong_size_is_refused)
{
	EXPECT_EQ(-EINVAL, send_u8(self->nl, QKD_CMD_LINK_NEW, "s",
				   QKD_A_LINK_REQID, 1, &self->err));
	EXPECT_EQ(QKD_A_LINK_REQID, self->err.bad_attr);
	EXPECT_NE(0, strlen(self->err.msg));

	struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);
	uint8_t addr[8] = { 192, 0, 2, 1 };

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "s");
	mnl_attr_put(nlh, QKD_A_LINK_LOCAL_ADDR, sizeof(addr), addr);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_LOCAL_ADDR, self->err.bad_attr);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, enum_values_beyond_the_last_are_refused)
{
	const uint16_t types[] = { QKD_A_LINK_MODE, QKD_A_LINK_CIPHER,
				   QKD_A_LINK_ON_EMPTY, QKD_A_LINK_CONSUMER };
	const uint8_t first_bad[] = { QKD_MODE_MAX + 1, QKD_CIPHER_MAX + 1,
				      QKD_ON_EMPTY_MAX + 1,
				      QKD_CONSUMER_MAX + 1 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		EXPECT_EQ(-ERANGE, send_u8(self->nl, QKD_CMD_LINK_NEW, "e",
					   types[i], first_bad[i], &self->err));
		EXPECT_EQ(types[i], self->err.bad_attr);
	}
	EXPECT_EQ(-ERANGE, send_u8(self->nl, QKD_CMD_LINK_NEW, "e",
				   QKD_A_LINK_RX_WINDOW, 0, &self->err));
	EXPECT_EQ(-ERANGE, send_u8(self->nl, QKD_CMD_LINK_NEW, "e",
				   QKD_A_LINK_RX_WINDOW, QKD_RX_WINDOW_MAX + 1,
				   &self->err));
	EXPECT_EQ(QKD_A_LINK_RX_WINDOW, self->err.bad_attr);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, the_kernel_assigned_id_cannot_be_set)
{
	EXPECT_EQ(-EINVAL, send_u32(self->nl, QKD_CMD_LINK_NEW, "i",
				    QKD_A_LINK_ID, 5, &self->err));
	EXPECT_EQ(QKD_A_LINK_ID, self->err.bad_attr);
	EXPECT_STREQ("id is assigned by the kernel", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, addresses_of_different_families_are_refused)
{
	struct qkd_link l, out;

	link_init(&l, "f");
	l.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.1", l.local_addr);
	qkd_link_mark(&l, QKD_A_LINK_LOCAL_ADDR);
	ASSERT_EQ(0, qkd_link_new(self->nl, &l, &self->err));

	/* The peer address alone, as IPv6: the link would mix families. */
	link_init(&l, "f");
	l.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::2", l.peer_addr);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	EXPECT_EQ(-EINVAL, qkd_link_set(self->nl, &l, &self->err));
	EXPECT_EQ(QKD_A_LINK_PEER_ADDR, self->err.bad_attr);
	EXPECT_STREQ("local-addr and peer-addr are of different families",
		     self->err.msg);
	ASSERT_EQ(0, qkd_link_get(self->nl, "f", &out, &self->err));
	EXPECT_FALSE(qkd_link_has(&out, QKD_A_LINK_PEER_ADDR));
}

TEST_F(link, reqid_and_if_id_together_are_refused)
{
	struct nlmsghdr *nlh = qkd_nl_msg(self->nl, QKD_CMD_LINK_NEW, 0);

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "x");
	mnl_attr_put_u32(nlh, QKD_A_LINK_REQID, 1);
	mnl_attr_put_u32(nlh, QKD_A_LINK_IF_ID, 1);
	EXPECT_EQ(-EINVAL, qkd_nl_talk(self->nl, nlh, NULL, NULL, &self->err));
	EXPECT_EQ(QKD_A_LINK_IF_ID, self->err.bad_attr);
	EXPECT_STREQ("reqid and if-id exclude each other", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, a_reqid_or_if_id_bound_to_one_link_is_refused_for_another)
{
	ASSERT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_NEW, "a",
			      QKD_A_LINK_REQID, 42, &self->err));
	ASSERT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_NEW, "b",
			      QKD_A_LINK_IF_ID, 7, &self->err));

	EXPECT_EQ(-EEXIST, send_u32(self->nl, QKD_CMD_LINK_NEW, "c",
				    QKD_A_LINK_REQID, 42, &self->err));
	EXPECT_EQ(QKD_A_LINK_REQID, self->err.bad_attr);
	EXPECT_STREQ("reqid already bound to another link", self->err.msg);
	EXPECT_EQ(-EEXIST, send_u32(self->nl, QKD_CMD_LINK_NEW, "c",
				    QKD_A_LINK_IF_ID, 7, &self->err));
	EXPECT_STREQ("if-id already bound to another link", self->err.msg);
	EXPECT_EQ(2, count_links(self->nl));

	/* Set obeys the same rule, and a link may keep its own reqid. */
	ASSERT_EQ(0, add_named(self->nl, "c"));
	EXPECT_EQ(-EEXIST, send_u32(self->nl, QKD_CMD_LINK_SET, "c",
				    QKD_A_LINK_REQID, 42, &self->err));
	EXPECT_EQ(QKD_A_LINK_REQID, self->err.bad_attr);
	EXPECT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_SET, "a",
			      QKD_A_LINK_REQID, 42, &self->err));
}

TEST_F(link, key_bits_shorter_than_the_cipher_key_are_refused)
{
	struct qkd_link l;

	EXPECT_EQ(-EINVAL, send_u16(self->nl, QKD_CMD_LINK_NEW, "k",
				    QKD_A_LINK_KEY_BITS, 128, &self->err));
	EXPECT_EQ(QKD_A_LINK_KEY_BITS, self->err.bad_attr);
	EXPECT_STREQ("key-bits too short for the cipher", self->err.msg);

	/* AES-GCM-128 is content with 128 bits; going back to 256 is not. */
	link_init(&l, "k");
	l.cipher = QKD_CIPHER_AES_GCM_128;
	l.key_bits = 128;
	qkd_link_mark(&l, QKD_A_LINK_CIPHER);
	qkd_link_mark(&l, QKD_A_LINK_KEY_BITS);
	ASSERT_EQ(0, qkd_link_new(self->nl, &l, &self->err));
	EXPECT_EQ(-EINVAL, send_u8(self->nl, QKD_CMD_LINK_SET, "k",
				   QKD_A_LINK_CIPHER,
				   QKD_CIPHER_CHACHA20_POLY1305, &self->err));
	EXPECT_EQ(QKD_A_LINK_CIPHER, self->err.bad_attr);
	ASSERT_EQ(0, qkd_link_get(self->nl, "k", &l, &self->err));
	EXPECT_EQ(QKD_CIPHER_AES_GCM_128, l.cipher);
}

TEST_F(link, max_key_age_below_the_rekey_time_is_refused)
{
	EXPECT_EQ(-ERANGE, send_u32(self->nl, QKD_CMD_LINK_NEW, "m",
				    QKD_A_LINK_MAX_KEY_AGE,
				    QKD_LINK_DEFAULT_REKEY_TIME - 1, &self->err));
	EXPECT_EQ(QKD_A_LINK_MAX_KEY_AGE, self->err.bad_attr);
	EXPECT_STREQ("max-key-age below rekey-time", self->err.msg);
	EXPECT_EQ(0, count_links(self->nl));
}

TEST_F(link, set_del_and_get_of_an_unknown_link_say_so)
{
	struct qkd_link l;

	EXPECT_EQ(-ENOENT, send_u32(self->nl, QKD_CMD_LINK_SET, "nope",
				    QKD_A_LINK_REQID, 1, &self->err));
	EXPECT_STREQ("no link with this name", self->err.msg);
	EXPECT_EQ(QKD_A_LINK_NAME, self->err.bad_attr);
	EXPECT_EQ(-ENOENT, qkd_link_del(self->nl, "nope", &self->err));
	EXPECT_STREQ("no link with this name", self->err.msg);
	EXPECT_EQ(-ENOENT, qkd_link_get(self->nl, "nope", &l, &self->err));
	EXPECT_STREQ("no link with this name", self->err.msg);
}

TEST_F(link, del_and_get_take_nothing_but_the_name)
{
	ASSERT_EQ(0, add_named(self->nl, "d"));
	EXPECT_EQ(-EINVAL, send_u32(self->nl, QKD_CMD_LINK_DEL, "d",
				    QKD_A_LINK_REQID, 1, &self->err));
	EXPECT_EQ(QKD_A_LINK_REQID, self->err.bad_attr);
	EXPECT_EQ(1, count_links(self->nl));
}

TEST_F(link, unprivileged_caller_cannot_change_links_but_can_read_them)
{
	struct qkd_nl *user;
	struct qkd_link l;

	ASSERT_EQ(0, add_named(self->nl, "p"));
	/* Dropping root's uid drops its capabilities. */
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(0, qkd_nl_open(&user));

	EXPECT_EQ(-EPERM, add_named(user, "q"));
	EXPECT_EQ(-EPERM, send_u32(user, QKD_CMD_LINK_SET, "p",
				   QKD_A_LINK_REQID, 9, &self->err));
	EXPECT_EQ(-EPERM, qkd_link_del(user, "p", &self->err));
	EXPECT_EQ(0, qkd_link_get(user, "p", &l, &self->err));
	EXPECT_EQ(0, l.reqid);
	EXPECT_EQ(1, count_links(user));
	qkd_nl_close(user);
}

TEST_F(link, a_link_is_invisible_from_another_network_namespace)
{
	struct qkd_nl *other;
	struct qkd_link l;

	ASSERT_EQ(0, send_u32(self->nl, QKD_CMD_LINK_NEW, "dc1",
			      QKD_A_LINK_REQID, 42, &self->err));

	/* self->nl stays in the first namespace; `other` opens in a new one. */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&other));
	EXPECT_EQ(-ENOENT, qkd_link_get(other, "dc1", &l, &self->err));
	EXPECT_EQ(0, count_links(other));
	EXPECT_EQ(-ENOENT, qkd_link_del(other, "dc1", &self->err));

	/* The same name and reqid are free there. */
	EXPECT_EQ(0, send_u32(other, QKD_CMD_LINK_NEW, "dc1",
			      QKD_A_LINK_REQID, 42, &self->err));
	EXPECT_EQ(0, qkd_link_del(other, "dc1", &self->err));
	EXPECT_EQ(0, qkd_link_get(self->nl, "dc1", &l, &self->err));
	EXPECT_EQ(1, count_links(self->nl));
	qkd_nl_close(other);
}

TEST_HARNESS_MAIN
