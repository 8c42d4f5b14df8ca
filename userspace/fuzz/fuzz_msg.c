// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the peer protocol's frames, as a qkdd reads them from its
 * peer (msg.c: msg_frame_len(), msg_decode()). An input is one frame,
 * header and payload.
 *
 * The decoding is strict and every field has one encoding, so a frame
 * that decodes must encode (msg_encode()) back to exactly its bytes; the
 * target checks that, and what the callers rely on: a known type, strings
 * of printable ASCII that end within their arrays, an OFFER of 1 to
 * QKD_KEY_BATCH_MAX keys with known directions, a NACK of a known code.
 */
#include "msg.h"
#include "fuzz.h"

static struct msg m;
static uint8_t frame[MSG_FRAME_MAX];

static void check_text(const char *s, size_t size)
{
	size_t i, n;

	CHECK(memchr(s, '\0', size));
	n = strlen(s);
	for (i = 0; i < n; i++)
		CHECK(s[i] >= 0x20 && s[i] <= 0x7e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int i;
	int len;

	if (size >= MSG_HDR_LEN)
		(void)msg_frame_len(data);
	if (msg_decode(data, size, &m))
		return 0;

	CHECK(msg_name(m.type));
	check_text(m.link, sizeof(m.link));
	check_text(m.sae, sizeof(m.sae));
	check_text(m.peer_sae, sizeof(m.peer_sae));
	check_text(m.reason, sizeof(m.reason));
	if (m.type == MSG_OFFER) {
		CHECK(m.n >= 1 && m.n <= QKD_KEY_BATCH_MAX);
		for (i = 0; i < m.n; i++)
			CHECK(m.keys[i].dir <= QKD_DIR_MAX);
	}
	CHECK(m.code < __MSG_NACK_MAX);
	CHECK(msg_frame_len(data) == (int)(size - MSG_HDR_LEN));

	len = msg_encode(&m, frame, sizeof(frame));
	CHECK(len == (int)size);
	CHECK(!memcmp(frame, data, size));
	return 0;
}
