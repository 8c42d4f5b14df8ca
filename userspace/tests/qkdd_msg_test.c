// SPDX-License-Identifier: GPL-2.0
/*
 * qkdd's peer messages and refill policy, on the host: every message
 * survives a round trip; a frame that is short, long, of another version
 * or out of range is refused; an OFFER's key confirmation tag travels
 * whole and binds the keys, their IDs, order and directions, the batch
 * and the link; batches ask for what both pools lack, within the KME's
 * limits, and give the emptier direction its keys first.
 */
#include <errno.h>
#include <string.h>

#include "confirm.h"
#include "msg.h"
#include "refill.h"
#include "kselftest_harness.h"

static uint8_t frame[MSG_FRAME_MAX];

static struct msg *round_trip(const struct msg *m, int *len)
{
	static struct msg out;

	*len = msg_encode(m, frame, sizeof(frame));
	if (*len < 0 || msg_decode(frame, *len, &out))
		return NULL;
	return &out;
}

TEST(hello_round_trip)
{
	struct msg m = { .type = MSG_HELLO, .flags = MSG_HELLO_DIRTY, .seq = 1ULL << 40,
			 .batch = 41, .staged = 1ULL << 63 };
	struct msg *o;
	int len;

	strcpy(m.link, "dc1");
	strcpy(m.sae, "sae-a");
	strcpy(m.peer_sae, "sae-b");
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(MSG_HDR_LEN + 1 + 4 + 6 + 6 + 8 + 8 + 8, len);
	EXPECT_EQ(MSG_HELLO, o->type);
	EXPECT_EQ(MSG_HELLO_DIRTY, o->flags);
	EXPECT_EQ(1ULL << 40, o->seq);
	EXPECT_EQ(41, o->batch);
	EXPECT_EQ(1ULL << 63, o->staged);
	EXPECT_STREQ("dc1", o->link);
	EXPECT_STREQ("sae-a", o->sae);
	EXPECT_STREQ("sae-b", o->peer_sae);
}

TEST(full_offer_round_trip)
{
	static struct msg m = { .type = MSG_OFFER, .seq = 7, .key_bits = 256,
				.n = QKD_KEY_BATCH_MAX };
	struct msg *o;
	unsigned int i;
	int len;

	for (i = 0; i < m.n; i++) {
		m.keys[i].dir = i % 2;
		memset(m.keys[i].id, i, QKD_KEY_ID_LEN);
	}
	for (i = 0; i < MSG_TAG_LEN; i++)
		m.tag[i] = 0xa0 + i;
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(MSG_FRAME_MAX, len);
	EXPECT_EQ(MSG_HDR_LEN + 12 + QKD_KEY_BATCH_MAX * 17 + 16, len);
	EXPECT_EQ(7, o->seq);
	EXPECT_EQ(256, o->key_bits);
	EXPECT_EQ(QKD_KEY_BATCH_MAX, o->n);
	EXPECT_EQ(0, memcmp(m.keys, o->keys, sizeof(m.keys)));
	/* The tag comes last, whole. */
	EXPECT_EQ(0, memcmp(m.tag, o->tag, MSG_TAG_LEN));
	EXPECT_EQ(0, memcmp(m.tag, frame + len - MSG_TAG_LEN, MSG_TAG_LEN));
}

TEST(offer_without_its_whole_tag_is_refused)
{
	static struct msg m = { .type = MSG_OFFER, .seq = 1, .key_bits = 256, .n = 2 };
	struct msg o;
	int len, cut;

	len = msg_encode(&m, frame, sizeof(frame));
	ASSERT_EQ(MSG_HDR_LEN + 12 + 2 * 17 + MSG_TAG_LEN, len);
	ASSERT_EQ(0, msg_decode(frame, len, &o));
	/* A tag cut short, or none at all (a version 2 OFFER): the header
	 * told the shorter length, so only the payload is wrong. */
	for (cut = 1; cut <= MSG_TAG_LEN; cut += MSG_TAG_LEN - 1) {
		len = msg_encode(&m, frame, sizeof(frame)) - cut;
		frame[7] -= cut;
		EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o)) TH_LOG("%d bytes short", cut);
	}
	/* A byte too many. */
	len = msg_encode(&m, frame, sizeof(frame));
	frame[len] = 0;
	frame[7]++;
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len + 1, &o));
}

TEST(small_messages_round_trip)
{
	static const uint8_t types[] = { MSG_ACK1, MSG_ACK2, MSG_DONE };
	struct msg m = { .type = MSG_NACK, .seq = 3 }, *o;
	unsigned int i;
	int len;

	strcpy(m.reason, "KME: dec_keys: HTTP status 400");
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ(m.reason, o->reason);
	EXPECT_EQ(3, o->seq);
	EXPECT_EQ(MSG_NACK_REFUSED, o->code);
	EXPECT_EQ(MSG_HDR_LEN + 8 + 1 + 1 + strlen(m.reason), len);
	m.code = MSG_NACK_KEY_CONFIRM;
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(MSG_NACK_KEY_CONFIRM, o->code);
	/* An unknown code is refused both ways. */
	frame[MSG_HDR_LEN + 8] = __MSG_NACK_MAX;
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, o));
	m.code = __MSG_NACK_MAX;
	EXPECT_EQ(-EINVAL, msg_encode(&m, frame, sizeof(frame)));
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct msg a = { .type = types[i], .seq = 99 };

		o = round_trip(&a, &len);
		ASSERT_NE(NULL, o);
		EXPECT_EQ(types[i], o->type);
		EXPECT_EQ(99, o->seq);
		EXPECT_EQ(MSG_HDR_LEN + 8, len);
	}
	m = (struct msg){ .type = MSG_POOLS, .out = 5, .in = 4096 };
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(5, o->out);
	EXPECT_EQ(4096, o->in);
}

TEST(truncated_or_padded_frame_is_refused)
{
	struct msg m = { .type = MSG_ACK1, .seq = 1 }, o;
	int len = msg_encode(&m, frame, sizeof(frame));

	EXPECT_EQ(-EBADMSG, msg_decode(frame, len - 1, &o));
	frame[7]--;	/* the header agrees with the shorter length */
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len - 1, &o));
	frame[7] += 2;
	frame[len] = 0;
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len + 1, &o));
	EXPECT_EQ(-EBADMSG, msg_decode(frame, 3, &o));
}

TEST(other_version_unknown_type_or_long_payload_is_refused)
{
	struct msg m = { .type = MSG_DONE, .seq = 1 }, o;
	int len = msg_encode(&m, frame, sizeof(frame));

	EXPECT_EQ(3, MSG_VERSION);
	frame[0] = MSG_VERSION - 1;	/* no key confirmation tag in OFFER */
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	frame[0] = MSG_VERSION - 2;	/* phase 1 peers: no batch numbers in HELLO */
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	frame[0] = MSG_VERSION;
	frame[1] = 0;
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	frame[1] = __MSG_MAX;
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	memcpy(frame + 4, "\x00\x01\x00\x00", 4);
	EXPECT_EQ(-EBADMSG, msg_frame_len(frame));
}

TEST(offer_out_of_range_is_refused)
{
	static struct msg m = { .type = MSG_OFFER, .seq = 1, .key_bits = 256, .n = 2 };
	struct msg o;
	int len;

	len = msg_encode(&m, frame, sizeof(frame));
	ASSERT_GT(len, 0);
	frame[MSG_HDR_LEN + 12] = 2;	/* the first key's direction */
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	m.n = 0;
	len = msg_encode(&m, frame, sizeof(frame));
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	m.n = QKD_KEY_BATCH_MAX + 1;
	EXPECT_EQ(-EINVAL, msg_encode(&m, frame, sizeof(frame)));
}

TEST(hello_strings_must_be_printable)
{
	struct msg m = { .type = MSG_HELLO }, o;
	int len;

	strcpy(m.link, "dc1");
	strcpy(m.sae, "a\x01");
	len = msg_encode(&m, frame, sizeof(frame));
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
	m.sae[1] = 'b';
	m.flags = 0x80;
	len = msg_encode(&m, frame, sizeof(frame));
	EXPECT_EQ(-EBADMSG, msg_decode(frame, len, &o));
}

static struct qkd_key tag_keys[3];

static void tag_keys_fill(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tag_keys); i++) {
		tag_keys[i].dir = i == 1 ? QKD_DIR_IN : QKD_DIR_OUT;
		memset(tag_keys[i].id, 0x10 + i, QKD_KEY_ID_LEN);
		memset(tag_keys[i].material, 0x40 + i, 32);
		tag_keys[i].len = 32;
	}
}

static const struct confirm_batch tag_batch = {
	.link = "dc1", .master_sae = "sae-a", .slave_sae = "sae-b",
	.seq = 5, .key_bits = 256,
};

/* The tag of batch @b over the first @n of tag_keys, as they stand. */
static int tag_of(const struct confirm_batch *b, unsigned int n,
		  uint8_t tag[CONFIRM_TAG_LEN])
{
	return confirm_tag(b, tag_keys, n, tag);
}

TEST(key_confirmation_tag_is_the_documented_construction)
{
	/*
	 * The README's construction ("Key confirmation"), computed apart
	 * with the openssl command line as shown there: the three keys of
	 * tag_keys_fill() (32 bytes of 0x40, 0x41, 0x42; IDs 16 bytes of
	 * 0x10, 0x11, 0x12; out, in, out), batch 5 of dc1, sae-a to sae-b.
	 */
	static const uint8_t want[CONFIRM_TAG_LEN] = {
		0xf3, 0xcc, 0x98, 0x3d, 0x85, 0x7d, 0x34, 0xf8,
		0x21, 0x76, 0x50, 0xef, 0x0d, 0xc7, 0xc0, 0x11,
	};
	uint8_t tag[CONFIRM_TAG_LEN];

	tag_keys_fill();
	ASSERT_EQ(0, tag_of(&tag_batch, 3, tag));
	EXPECT_EQ(0, memcmp(want, tag, CONFIRM_TAG_LEN));
}

TEST(key_confirmation_tag_binds_keys_ids_order_dirs_batch_and_link)
{
	uint8_t tag[CONFIRM_TAG_LEN], other[CONFIRM_TAG_LEN];
	struct confirm_batch b = tag_batch;
	struct qkd_key k;

	tag_keys_fill();
	ASSERT_EQ(0, tag_of(&b, 3, tag));
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_TRUE(confirm_tag_equal(tag, other));
	/* One bit of one key's material: the fault kmesim makes. */
	tag_keys[2].material[0] ^= 0x01;
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	tag_keys_fill();
	tag_keys[0].id[15] ^= 0x80;
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	tag_keys_fill();
	tag_keys[1].dir = QKD_DIR_OUT;
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	tag_keys_fill();
	k = tag_keys[0];
	tag_keys[0] = tag_keys[1];
	tag_keys[1] = k;
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	tag_keys_fill();
	ASSERT_EQ(0, tag_of(&b, 2, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	b.seq = 6;
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	b = tag_batch;
	b.link = "dc2";
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
	b = tag_batch;
	b.master_sae = "sae-b";
	b.slave_sae = "sae-a";
	ASSERT_EQ(0, tag_of(&b, 3, other));
	EXPECT_FALSE(confirm_tag_equal(tag, other));
}

TEST(key_confirmation_tag_refuses_keys_of_the_wrong_size)
{
	uint8_t tag[CONFIRM_TAG_LEN];
	struct confirm_batch b = tag_batch;

	tag_keys_fill();
	tag_keys[1].len = 31;
	EXPECT_EQ(-EINVAL, confirm_tag(&b, tag_keys, 3, tag));
	tag_keys_fill();
	EXPECT_EQ(-EINVAL, confirm_tag(&b, tag_keys, 0, tag));
	b.key_bits = 255;
	EXPECT_EQ(-EINVAL, confirm_tag(&b, tag_keys, 3, tag));
}

static const struct kme_status kme_plenty = {
	.key_size = 256, .stored_key_count = 100000, .max_key_per_request = 1000,
};

TEST(refill_asks_for_what_both_pools_lack)
{
	struct kme_status st = kme_plenty;

	EXPECT_EQ(30, refill_count(90, 80, 100, 256, &st));
	EXPECT_EQ(0, refill_count(100, 100, 100, 256, &st));
	EXPECT_EQ(QKD_KEY_BATCH_MAX, refill_count(0, 0, 4096, 256, &st));
	st.max_key_per_request = 128;
	EXPECT_EQ(128, refill_count(0, 0, 4096, 256, &st));
	/* stored_key_count is a hint, no cap (qkdd_kme_test.c). */
	st.stored_key_count = 5;
	EXPECT_EQ(128, refill_count(0, 0, 4096, 256, &st));
	st.stored_key_count = 0;
	EXPECT_EQ(128, refill_count(0, 0, 4096, 256, &st));
}

TEST(refill_fills_the_emptier_direction_first)
{
	struct qkd_key keys[8];
	unsigned int i;

	refill_assign(10, 6, keys, 8);
	/* in 6 -> 10 first, then alternately, out first on a tie. */
	for (i = 0; i < 4; i++)
		EXPECT_EQ(QKD_DIR_IN, keys[i].dir);
	EXPECT_EQ(QKD_DIR_OUT, keys[4].dir);
	EXPECT_EQ(QKD_DIR_IN, keys[5].dir);
	EXPECT_EQ(QKD_DIR_OUT, keys[6].dir);
	EXPECT_EQ(QKD_DIR_IN, keys[7].dir);
}

TEST(idring_remembers_the_newest_ids)
{
	struct idring r;
	uint8_t id[QKD_KEY_ID_LEN] = {};
	unsigned int i;

	ASSERT_EQ(0, idring_init(&r, 4));
	for (i = 1; i <= 6; i++) {
		id[0] = i;
		idring_add(&r, id);
	}
	for (i = 1; i <= 6; i++) {
		id[0] = i;
		EXPECT_EQ(i > 2, idring_has(&r, id)) TH_LOG("id %u", i);
	}
	idring_free(&r);
}

TEST_HARNESS_MAIN
