// SPDX-License-Identifier: GPL-2.0
/*
 * ETSI GS QKD 014 answers as qkdd checks them, on the host: a good key
 * container is taken whole; anything wrong in it (malformed JSON, a
 * missing member, a key of the wrong size, a duplicate or non-UUID key_ID,
 * bad base64) refuses the whole answer, leaves no key behind and says
 * what was wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "kme.h"
#include "parse.h"
#include "kselftest_harness.h"

#define ID1 "6f1c2a3e-0000-4000-8000-000000000001"
#define ID2 "6f1c2a3e-0000-4000-8000-000000000002"
#define ID3 "6f1c2a3e-0000-4000-8000-000000000003"

/* 32 bytes 0x00..0x1f and 32 bytes 0x20..0x3f, base64. */
#define K1 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define K2 "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
/* 31 bytes, and 33 bytes. */
#define K31 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="
#define K33 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"

#define ENTRY(id, key) "{\"key_ID\":\"" id "\",\"key\":\"" key "\"}"

struct result {
	int ret;
	unsigned int n;
	struct qkd_key keys[4];
	char why[KME_WHY_MAX];
};

static bool held_id2(const uint8_t id[QKD_KEY_ID_LEN], void *arg)
{
	uint8_t id2[QKD_KEY_ID_LEN];

	(void)arg;
	parse_uuid(ID2, id2);
	return !memcmp(id, id2, sizeof(id2));
}

static void keys(const char *json, unsigned int n, const char *const *want,
		 kme_held_fn held, struct result *r)
{
	uint8_t ids[4][QKD_KEY_ID_LEN];
	unsigned int i;

	memset(r, 0xa5, sizeof(*r));
	r->n = n;
	for (i = 0; want && i < n; i++)
		parse_uuid(want[i], ids[i]);
	r->ret = etsi014_parse_keys(json, strlen(json), n, 256, want ? ids : NULL,
				    held, NULL, r->keys, r->why);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* The answer is refused, nothing is left in the keys, and why says @want. */
#define EXPECT_REFUSED(r, want) do {					\
	EXPECT_EQ(-EBADMSG, (r).ret);					\
	EXPECT_STREQ(want, (r).why);					\
	EXPECT_TRUE(all_zero((r).keys, (r).n * sizeof((r).keys[0])));	\
} while (0)

TEST(good_answer_gives_ids_and_material_in_order)
{
	struct result r;
	uint8_t id[QKD_KEY_ID_LEN];
	unsigned int i;

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K2) "],"
	     " \"key_container_extension\": {}}\n", 2, NULL, NULL, &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.why);
	parse_uuid(ID1, id);
	EXPECT_EQ(0, memcmp(id, r.keys[0].id, sizeof(id)));
	parse_uuid(ID2, id);
	EXPECT_EQ(0, memcmp(id, r.keys[1].id, sizeof(id)));
	EXPECT_EQ(32, r.keys[0].len);
	EXPECT_EQ(32, r.keys[1].len);
	for (i = 0; i < 32; i++) {
		EXPECT_EQ(i, r.keys[0].material[i]);
		EXPECT_EQ(32 + i, r.keys[1].material[i]);
	}
}

TEST(malformed_json_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1), 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "malformed JSON: the answer ends early");
	keys("{\"keys\": [" ENTRY(ID1, K1) ",]}", 1, NULL, NULL, &r);
	EXPECT_EQ(-EBADMSG, r.ret);
	EXPECT_EQ(0, strncmp(r.why, "malformed JSON at byte", 22)) TH_LOG("%s", r.why);
	keys("{\"keys\": [" ENTRY(ID1, K1) "]} {}", 1, NULL, NULL, &r);
	EXPECT_EQ(-EBADMSG, r.ret);
	EXPECT_STREQ("malformed JSON at byte 115: unexpected character", r.why);
	EXPECT_TRUE(all_zero(r.keys, sizeof(r.keys[0])));
	keys("[]", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "the key container is not a JSON object");
}

TEST(missing_members_are_refused)
{
	struct result r;

	keys("{\"kees\": []}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "missing keys");
	keys("{\"keys\": {}}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "keys is not an array");
	keys("{\"keys\": [" ENTRY(ID1, K1) ", {\"key\":\"" K2 "\"}]}", 2, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 2: missing key_ID");
	keys("{\"keys\": [{\"key_ID\":\"" ID1 "\"}]}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1: missing key");
	keys("{\"keys\": [{\"key_ID\":7,\"key\":\"" K1 "\"}]}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1: key_ID is not a string");
}

TEST(wrong_key_size_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K31) "]}", 2, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 2 (" ID2 "): key is 31 bytes, expected 32");
	keys("{\"keys\": [" ENTRY(ID1, K33) "]}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1 (" ID1 "): key is 33 bytes, expected 32");
}

TEST(wrong_number_of_keys_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1) "]}", 2, NULL, NULL, &r);
	EXPECT_REFUSED(r, "1 keys in the answer, 2 asked for");
}

TEST(duplicate_key_id_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID1, K2) "]}", 2, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 2 (" ID1 "): duplicate key_ID");
}

TEST(key_id_held_already_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K2) "]}", 2, NULL,
	     held_id2, &r);
	EXPECT_REFUSED(r, "key 2 (" ID2 "): key_ID is held already");
}

TEST(non_uuid_key_id_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY("6f1c2a3e00004000800000000000000001", K1) "]}", 1,
	     NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1: key_ID is not a UUID");
	keys("{\"keys\": [" ENTRY("6f1c2a3e-0000-4000-8000-00000000000g", K1) "]}", 1,
	     NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1: key_ID is not a UUID");
}

TEST(key_id_with_an_embedded_nul_is_refused)
{
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1 "\\u0000tail", K1) "]}", 1, NULL, NULL, &r);
	EXPECT_REFUSED(r, "key 1: key_ID is not a UUID");
}

TEST(bad_base64_is_refused)
{
	static const char *const bad[] = {
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",		/* no padding */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd Hh8=",	/* a space */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh!=",		/* not base64 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx=dHh8=",		/* '=' inside */
		"",
	};
	char json[256];
	struct result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(json, sizeof(json), "{\"keys\": [{\"key_ID\":\"%s\",\"key\":\"%s\"}]}",
			 ID1, bad[i]);
		keys(json, 1, NULL, NULL, &r);
		EXPECT_REFUSED(r, "key 1 (" ID1 "): key is not valid base64");
	}
}

TEST(dec_keys_answer_follows_the_order_asked)
{
	static const char *const want[] = { ID2, ID1 };
	struct result r;
	uint8_t id[QKD_KEY_ID_LEN];

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K2) "]}", 2, want, NULL, &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.why);
	parse_uuid(ID2, id);
	EXPECT_EQ(0, memcmp(id, r.keys[0].id, sizeof(id)));
	EXPECT_EQ(32, r.keys[0].material[0]);
	EXPECT_EQ(0, r.keys[1].material[0]);
}

TEST(dec_keys_answer_with_other_ids_is_refused)
{
	static const char *const want[] = { ID1, ID3 };
	struct result r;

	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K2) "]}", 2, want, NULL, &r);
	EXPECT_REFUSED(r, "key 2 (" ID2 "): key_ID was not asked for");
	keys("{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID1, K2) "]}", 2, want, NULL, &r);
	EXPECT_REFUSED(r, "key 2 (" ID1 "): duplicate key_ID");
}

static int status(const char *json, struct kme_status *st, char *why)
{
	return etsi014_parse_status(json, strlen(json), st, why);
}

TEST(status_gives_sizes_and_counts)
{
	struct kme_status st;
	char why[KME_WHY_MAX];

	ASSERT_EQ(0, status("{\"source_KME_ID\":\"kme-a\",\"key_size\":256,"
			    "\"stored_key_count\":25000,\"max_key_count\":100000,"
			    "\"max_key_per_request\":128,\"max_key_size\":1024,"
			    "\"min_key_size\":64}", &st, why)) TH_LOG("%s", why);
	EXPECT_EQ(256, st.key_size);
	EXPECT_EQ(25000, st.stored_key_count);
	EXPECT_EQ(128, st.max_key_per_request);
	EXPECT_EQ(64, st.min_key_size);
	EXPECT_EQ(1024, st.max_key_size);
}

TEST(bad_status_is_refused)
{
	struct kme_status st;
	char why[KME_WHY_MAX];

	EXPECT_EQ(-EBADMSG, status("{\"stored_key_count\":1,\"max_key_per_request\":1}",
				   &st, why));
	EXPECT_STREQ("missing key_size", why);
	EXPECT_EQ(-EBADMSG, status("{\"key_size\":256,\"stored_key_count\":-1,"
				   "\"max_key_per_request\":1}", &st, why));
	EXPECT_STREQ("stored_key_count is out of range (-1)", why);
	EXPECT_EQ(-EBADMSG, status("{\"key_size\":\"256\",\"stored_key_count\":1,"
				   "\"max_key_per_request\":1}", &st, why));
	EXPECT_STREQ("key_size is not an integer", why);
	EXPECT_EQ(-EBADMSG, status("{\"key_size\":256,\"stored_key_count\":1,"
				   "\"max_key_per_request\":0}", &st, why));
	EXPECT_STREQ("max_key_per_request is 0", why);
	EXPECT_EQ(-EBADMSG, status("{\"key_size\":256,", &st, why));
}

TEST(request_bodies)
{
	uint8_t ids[2][QKD_KEY_ID_LEN];
	char *s;

	s = etsi014_enc_request(64, 256);
	EXPECT_STREQ("{\"number\":64,\"size\":256}", s);
	free(s);
	parse_uuid(ID1, ids[0]);
	parse_uuid(ID2, ids[1]);
	s = etsi014_dec_request(ids, 2);
	EXPECT_STREQ("{\"key_IDs\":[{\"key_ID\":\"" ID1 "\"},{\"key_ID\":\"" ID2 "\"}]}", s);
	free(s);
}

TEST_HARNESS_MAIN
