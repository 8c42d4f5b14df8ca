// SPDX-License-Identifier: GPL-2.0
/*
 * qkdd's peer messages and refill policy, on the host: every message
 * survives a round trip; a frame that is short, long, of another version
 * or out of range is refused; batches ask for what both pools lack, within
 * the KME's limits, and give the emptier direction its keys first.
 */
#include <errno.h>
#include <string.h>

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
	o = round_trip(&m, &len);
	ASSERT_NE(NULL, o);
	EXPECT_EQ(MSG_FRAME_MAX, len);
	EXPECT_EQ(7, o->seq);
	EXPECT_EQ(256, o->key_bits);
	EXPECT_EQ(QKD_KEY_BATCH_MAX, o->n);
	EXPECT_EQ(0, memcmp(m.keys, o->keys, sizeof(m.keys)));
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

	frame[0] = MSG_VERSION - 1;	/* phase 1 peers: no batch numbers in HELLO */
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
