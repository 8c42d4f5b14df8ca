// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the ETSI GS QKD 014 answers qkdd takes from its KME
 * (etsi014.c: etsi014_parse_status(), etsi014_parse_keys(),
 * etsi014_parse_enc_keys() and etsi014_parse_error(), the JSON parsing
 * with json-c, the base64 of the keys, the UUIDs of their IDs through
 * parse_uuid(), the text of HTML and plain error pages). An input is
 *
 *   u8 mode | u8 n | u8 bits / 4 | the answer's text (not NUL-terminated)
 *
 * (mode & 0x7f) % 5 is what answers: 0 a Status request; 1 an enc_keys
 * request for n keys of that many bits, exactly; 3 the same where fewer
 * keys are taken; 2 a dec_keys request for the n IDs of want_id(); 4 a
 * request that failed (the error reply, its Content-Type the n % 4th of
 * content_types[]). With bit 7 of mode, the IDs of held_id() are held.
 *
 * Beyond the sanitizers' findings, the target checks the promises of
 * kme.h: a refused answer leaves @keys wiped and @st untouched and says
 * why; an accepted one has exactly the IDs asked for (dec_keys), no two
 * alike and none held (enc_keys), each key bits / 8 bytes long, and
 * nothing past the keys given; an error's message is printable ASCII.
 */
#include <errno.h>

#include "kme.h"
#include "fuzz.h"

/* ID i of a dec_keys request: 6f1c2a3e-0000-4000-8000-00000000IIII. */
static void want_id(unsigned int i, uint8_t id[QKD_KEY_ID_LEN])
{
	static const uint8_t base[QKD_KEY_ID_LEN] = {
		0x6f, 0x1c, 0x2a, 0x3e, 0, 0, 0x40, 0, 0x80,
	};

	memcpy(id, base, QKD_KEY_ID_LEN);
	id[14] = i >> 8;
	id[15] = i;
}

/* Held: an ID whose last byte is 0xff (want_id() has one at i = 255). */
static bool held_id(const uint8_t id[QKD_KEY_ID_LEN], void *arg)
{
	(void)arg;
	return id[15] == 0xff;
}

static void check_status(const char *buf, size_t len)
{
	struct kme_status st, before;
	char why[KME_WHY_MAX];
	int ret;

	memset(&st, 0x5a, sizeof(st));
	before = st;
	memset(why, 0x5a, sizeof(why));
	ret = etsi014_parse_status(buf, len, &st, why);
	if (ret) {
		CHECK(ret == -EBADMSG);
		CHECK_STR(why);
		CHECK(!memcmp(&st, &before, sizeof(st)));
		return;
	}
	CHECK(st.key_size && st.key_size <= INT32_MAX);
	CHECK(st.max_key_per_request && st.max_key_per_request <= INT32_MAX);
	CHECK(st.stored_key_count <= INT32_MAX && st.max_key_count <= INT32_MAX);
	CHECK(st.min_key_size <= INT32_MAX && st.max_key_size <= INT32_MAX);
}

enum { M_STATUS, M_ENC, M_DEC, M_ENC_FEWER, M_ERROR, M_COUNT };

static void check_keys(const char *buf, size_t len, unsigned int n,
		       unsigned int bits, int mode, bool held)
{
	bool dec = mode == M_DEC;
	uint8_t (*want)[QKD_KEY_ID_LEN] = NULL;
	char why[KME_WHY_MAX];
	struct qkd_key *keys;
	unsigned int i, j;
	uint8_t *p;
	int ret;

	/* Exactly n of each (ASan's malloc(0) is not NULL): a write past is seen. */
	keys = malloc(n * sizeof(*keys));
	want = malloc(n * sizeof(*want));
	CHECK(keys && want);
	memset(keys, 0x5a, n * sizeof(*keys));
	for (i = 0; i < n; i++)
		want_id(i, want[i]);
	memset(why, 0x5a, sizeof(why));

	if (mode == M_ENC_FEWER)
		ret = etsi014_parse_enc_keys(buf, len, n, bits,
					     held ? held_id : NULL, NULL, keys, why);
	else
		ret = etsi014_parse_keys(buf, len, n, bits, dec ? want : NULL,
					 held ? held_id : NULL, NULL, keys, why);
	if (ret < 0) {
		CHECK(ret == -EBADMSG);
		CHECK_STR(why);
		ret = 0;
	} else if (mode == M_ENC_FEWER) {
		CHECK(n ? ret >= 1 && ret <= (int)n : !ret);
	} else {
		CHECK(!ret);
		ret = n;
	}
	/* What was not given is zero: the wiped keys of a refusal too. */
	for (p = (uint8_t *)&keys[ret]; p < (uint8_t *)&keys[n]; p++)
		CHECK(!*p);
	for (i = 0; i < (unsigned int)ret; i++) {
		CHECK(keys[i].len == bits / 8);
		CHECK(!keys[i].dir);
		CHECK(!held || !held_id(keys[i].id, NULL));
		if (dec)
			CHECK(!memcmp(keys[i].id, want[i], QKD_KEY_ID_LEN));
		for (j = 0; j < i; j++)
			CHECK(memcmp(keys[i].id, keys[j].id, QKD_KEY_ID_LEN));
	}
	free(want);
	free(keys);
}

static void check_error(const char *buf, size_t len, const char *type)
{
	struct kme_error e;
	size_t i;

	memset(&e, 0x5a, sizeof(e));
	etsi014_parse_error(buf, len, type, &e);
	CHECK_STR(e.message);
	for (i = 0; e.message[i]; i++)
		CHECK(e.message[i] >= 0x20 && e.message[i] <= 0x7e);
	CHECK(!e.html || e.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const content_types[] = {
		NULL, "application/json", "text/html; charset=UTF-8", "text/plain",
	};
	/* libFuzzer's copy of the input ends where it does: ASan sees past it. */
	const char *buf = (const char *)data + 3;
	unsigned int mode, n, bits;

	if (size < 3)
		return 0;
	mode = (data[0] & 0x7f) % M_COUNT;
	n = data[1];
	bits = data[2] * 4;
	switch (mode) {
	case M_STATUS:
		check_status(buf, size - 3);
		break;
	case M_ERROR:
		check_error(buf, size - 3, content_types[n % 4]);
		break;
	default:
		check_keys(buf, size - 3, n, bits, mode, data[0] & 0x80);
		break;
	}
	return 0;
}
