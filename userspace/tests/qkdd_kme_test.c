// SPDX-License-Identifier: GPL-2.0
/*
 * ETSI GS QKD 014 answers as qkdd checks them, on the host: a good key
 * container is taken whole; anything wrong in it (malformed JSON, a
 * missing member, a key of the wrong size, a duplicate or non-UUID key_ID,
 * bad base64) refuses the whole answer, leaves no key behind and says
 * what was wrong. And what qkdd makes of KMEs that bend the standard:
 * fewer keys than asked, error replies as HTML pages, a 400 for an empty
 * store, a stored_key_count that is only a hint, each logged once.
 * And that a KME that takes the connection and never answers holds up
 * only its own request: the caller's loop turns all the while, and the
 * request ends as "no answer" at its time limit.
 */
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <openssl/evp.h>

#include "kme.h"
#include "parse.h"
#include "qkdd.h"
#include "refill.h"
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

TEST(enc_keys_answer_with_fewer_keys_is_taken)
{
	struct qkd_key k[4];
	char why[KME_WHY_MAX];
	const char *one = "{\"keys\": [" ENTRY(ID1, K1) "]}";
	const char *two = "{\"keys\": [" ENTRY(ID1, K1) ", " ENTRY(ID2, K2) "]}";
	uint8_t id[QKD_KEY_ID_LEN];

	memset(k, 0xa5, sizeof(k));
	ASSERT_EQ(1, etsi014_parse_enc_keys(one, strlen(one), 4, 256, NULL, NULL,
					    k, why)) TH_LOG("%s", why);
	parse_uuid(ID1, id);
	EXPECT_EQ(0, memcmp(id, k[0].id, sizeof(id)));
	EXPECT_EQ(32, k[0].len);
	EXPECT_TRUE(all_zero(&k[1], 3 * sizeof(k[0])));
	EXPECT_EQ(2, etsi014_parse_enc_keys(two, strlen(two), 2, 256, NULL, NULL,
					    k, why));
	/* More than asked, or none, is no answer. */
	EXPECT_EQ(-EBADMSG, etsi014_parse_enc_keys(two, strlen(two), 1, 256, NULL,
						   NULL, k, why));
	EXPECT_STREQ("2 keys in the answer, 1 asked for", why);
	EXPECT_TRUE(all_zero(k, sizeof(k[0])));
	EXPECT_EQ(-EBADMSG, etsi014_parse_enc_keys("{\"keys\": []}", 12, 2, 256,
						   NULL, NULL, k, why));
	EXPECT_STREQ("0 keys in the answer, 2 asked for", why);
	/* The checks are those of a whole answer. */
	EXPECT_EQ(-EBADMSG, etsi014_parse_enc_keys(two, strlen(two), 4, 256,
						   held_id2, NULL, k, why));
	EXPECT_STREQ("key 2 (" ID2 "): key_ID is held already", why);
	EXPECT_TRUE(all_zero(k, sizeof(k)));
	/* dec_keys still wants every key asked for. */
	EXPECT_EQ(-EBADMSG, etsi014_parse_keys(one, strlen(one), 2, 256, NULL,
					       NULL, NULL, k, why));
}

static void error_of(const char *body, const char *type, struct kme_error *e)
{
	etsi014_parse_error(body, strlen(body), type, e);
}

TEST(error_message_comes_from_the_etsi_error_object)
{
	struct kme_error e;

	error_of("{\"message\": \"number 200 is above max_key_per_request 128\","
		 " \"details\": [{\"x\": 1}]}", "application/json", &e);
	EXPECT_STREQ("number 200 is above max_key_per_request 128", e.message);
	EXPECT_FALSE(e.text);
	EXPECT_FALSE(e.no_keys);
	/* JSON by its text, whatever the type says. */
	error_of(" {\"message\": \"not enough keys\"}", "text/plain", &e);
	EXPECT_STREQ("not enough keys", e.message);
	EXPECT_FALSE(e.text);
	EXPECT_TRUE(e.no_keys);
	error_of("{\"details\": []}", "application/json", &e);
	EXPECT_STREQ("", e.message);
	EXPECT_FALSE(e.text);
	error_of("", NULL, &e);
	EXPECT_STREQ("", e.message);
	EXPECT_FALSE(e.text);
}

TEST(error_message_comes_from_the_text_of_an_html_page)
{
	struct kme_error e;

	/* kmesim's --quirk html-errors, a web server's page. */
	error_of("<!DOCTYPE html>\n<html>\n<head><title>400 Bad Request</title></head>\n"
		 "<body>\n<h1>400 Bad Request</h1>\n<p>Not enough key material "
		 "available. Please try again later.</p>\n</body>\n</html>\n",
		 "text/html; charset=utf-8", &e);
	EXPECT_TRUE(e.text);
	EXPECT_TRUE(e.html);
	EXPECT_STREQ("400 Bad Request Not enough key material available. "
		     "Please try again later.", e.message);
	EXPECT_TRUE(e.no_keys);
	/* nginx's, no type: its look is enough; styles and scripts go too. */
	error_of("<html>\r\n<head><title>503 Service Temporarily Unavailable</title>"
		 "<style>h1 { color: red }</style></head>\r\n<body>\r\n<center><h1>"
		 "503 Service Temporarily Unavailable</h1></center>\r\n<script>x()"
		 "</script><hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", NULL, &e);
	EXPECT_TRUE(e.html);
	EXPECT_STREQ("503 Service Temporarily Unavailable nginx", e.message);
	/* <header> is no <head>. */
	error_of("<body><header>Key service</header></body>", "text/html", &e);
	EXPECT_STREQ("Key service", e.message);
}

TEST(error_message_of_plain_text_is_its_first_line)
{
	struct kme_error e;

	error_of("\n  Keys exhausted, retry in 5 s\nstack trace:\n at x\n", "text/plain", &e);
	EXPECT_TRUE(e.text);
	EXPECT_FALSE(e.html);
	EXPECT_STREQ("Keys exhausted, retry in 5 s", e.message);
	EXPECT_TRUE(e.no_keys);
}

TEST(error_message_is_sanitised_and_cut)
{
	char body[600];
	struct kme_error e;
	size_t len;

	/* Control characters dropped, non-ASCII one '?' each, tabs a space. */
	error_of("Cl\xc3\xa9 \x1b[31mabsente\x07\tnow", "text/plain", &e);
	EXPECT_STREQ("Cl? [31mabsente now", e.message);
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	error_of(body, "text/plain", &e);
	len = strlen(e.message);
	EXPECT_EQ(KME_MESSAGE_MAX - 1, len);
	EXPECT_STREQ("...", e.message + len - 3);
}

TEST(a_400_says_no_keys_only_in_words_of_a_shortage_or_a_retry)
{
	static const char *const empty[] = {
		"Not enough key material available. Please try again later.",
		"Key store empty",
		"No keys available for the requested SAE",
		"insufficient keys: 3 stored",
		"Service busy, retry",
		"out of keys",
		"KEYS EXHAUSTED",
	};
	static const char *const wrong[] = {
		"",
		"number 200 is above max_key_per_request 128",
		"size 100 is not a multiple of 8 in [64, 1024]",
		"the request body is not a JSON object",
		"unknown parameter 'colour'",
		"key_ID 6f1c2a3e-0000-4000-8000-000000000001 is unknown: never issued, delivered or expired",
		"Invalid size: no key of 100 bits",
		"Requested number of keys exceeds what is available",
		"Bad Request",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(empty); i++)
		EXPECT_TRUE(etsi014_says_no_keys(empty[i])) TH_LOG("empty[%u]", i);
	for (i = 0; i < ARRAY_SIZE(wrong); i++)
		EXPECT_FALSE(etsi014_says_no_keys(wrong[i])) TH_LOG("wrong[%u]", i);
}

static const struct kme_status kme_st = {
	.key_size = 256, .stored_key_count = 0, .max_key_count = 3900,
	.max_key_per_request = 128,
};

TEST(stored_key_count_does_not_cap_the_request)
{
	struct kme_status st = kme_st;

	/* 0 at rest: ask for what the pools lack anyway. */
	EXPECT_EQ(64, refill_count(0, 0, 32, 256, &st));
	st.stored_key_count = 5;
	EXPECT_EQ(64, refill_count(0, 0, 32, 256, &st));
	/* The limits of the status hold: per request, and the store's size
	 * in keys of the link's size. */
	EXPECT_EQ(128, refill_count(0, 0, 4096, 256, &st));
	st.max_key_count = 100;
	EXPECT_EQ(100, refill_count(0, 0, 4096, 256, &st));
	EXPECT_EQ(50, refill_count(0, 0, 4096, 512, &st));
	EXPECT_EQ(100, refill_count(0, 0, 4096, 128, &st));
	st.max_key_count = 1;
	EXPECT_EQ(1, refill_count(0, 0, 4096, 512, &st));
	st.max_key_count = 0;		/* not said: no limit */
	EXPECT_EQ(128, refill_count(0, 0, 4096, 256, &st));
}

TEST(a_short_kme_is_asked_again_for_what_its_status_says)
{
	struct kme_status st = kme_st;

	st.stored_key_count = 10;
	EXPECT_EQ(10, refill_fallback(64, 256, &st));
	EXPECT_EQ(5, refill_fallback(64, 512, &st));
	/* Nothing better to ask for: back off. */
	EXPECT_EQ(0, refill_fallback(10, 256, &st));
	EXPECT_EQ(0, refill_fallback(8, 256, &st));
	st.stored_key_count = 0;
	EXPECT_EQ(0, refill_fallback(64, 256, &st));
}

TEST(stored_key_count_misleads_when_far_below_what_came)
{
	struct kme_status st = kme_st;

	EXPECT_TRUE(refill_count_misleads(64, 256, &st));
	EXPECT_TRUE(refill_count_misleads(2, 256, &st));
	/* A store that grew between status and enc_keys. */
	EXPECT_FALSE(refill_count_misleads(1, 256, &st));
	st.stored_key_count = 10;
	EXPECT_FALSE(refill_count_misleads(16, 256, &st));
	EXPECT_FALSE(refill_count_misleads(21, 256, &st));
	EXPECT_TRUE(refill_count_misleads(22, 256, &st));
}

TEST(a_quirk_is_logged_once_an_episode)
{
	struct kme k = { .name = "dc1" };

	EXPECT_TRUE(kme_quirk(&k, KQ_EMPTY_400, "answers %d", 400));
	EXPECT_FALSE(kme_quirk(&k, KQ_EMPTY_400, "answers %d", 400));
	EXPECT_TRUE(kme_quirk(&k, KQ_TEXT_ERRORS, "HTML"));
	EXPECT_FALSE(kme_quirk(&k, KQ_EMPTY_400, "answers %d", 400));
	kme_quirk_over(&k, KQ_EMPTY_400);
	EXPECT_TRUE(kme_quirk(&k, KQ_EMPTY_400, "answers %d", 400));
	EXPECT_FALSE(kme_quirk(&k, KQ_TEXT_ERRORS, "HTML"));
}

static int silent_ret = 1;

static void silent_done(struct kme *k, int ret)
{
	(void)k;
	silent_ret = ret;
}

TEST(a_kme_that_never_answers_holds_up_nothing_but_its_own_request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char exe[PATH_MAX], dir[PATH_MAX], url[64], cert[PATH_MAX + 16],
	     key[PATH_MAX + 16], ca[PATH_MAX + 16];
	socklen_t len = sizeof(sa);
	struct kme k = { .name = "dc1", .done = silent_done };
	struct kme_status st;
	int64_t t0, elapsed;
	unsigned int turns = 0;
	ssize_t n;
	int fd;

	/* The test certificates of the build: BUILD/tests/THIS, BUILD/certs. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	snprintf(dir, sizeof(dir), "%s", dirname(dirname(exe)));
	snprintf(cert, sizeof(cert), "%s/certs/sae-a.pem", dir);
	snprintf(key, sizeof(key), "%s/certs/sae-a.key", dir);
	snprintf(ca, sizeof(ca), "%s/certs/ca.pem", dir);
	if (access(cert, R_OK) || access(key, R_OK) || access(ca, R_OK))
		SKIP(return, "no test certificates beside the test binary (make tests)");

	/* A KME that is stopped: its kernel takes the connection, and no
	 * byte comes back. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(fd, 4));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&sa, &len));
	snprintf(url, sizeof(url), "https://127.0.0.1:%u", ntohs(sa.sin_port));
	k.url = url;
	k.cert = cert;
	k.key = key;
	k.ca = ca;

	ASSERT_EQ(0, kme_global_init());
	ASSERT_EQ(0, kme_status_start(&k, "sae-b", &st));
	EXPECT_TRUE(kme_busy(&k));
	/* qkdd's loop: poll() with a 250 ms tick, then kme_run(). */
	t0 = qkdd_now_ms();
	while (silent_ret == 1 && qkdd_now_ms() - t0 < 20000) {
		struct pollfd pfd[8];
		int timeout = 250;
		unsigned int m = kme_pollfds(pfd, 8, &timeout);

		poll(pfd, m, timeout);
		kme_run();
		turns++;
	}
	elapsed = qkdd_now_ms() - t0;
	EXPECT_EQ(-ENOTCONN, silent_ret);
	EXPECT_FALSE(kme_busy(&k));
	/* Its time limit, 10 s, and no more. */
	EXPECT_LE(9500, elapsed);
	EXPECT_GE(12000, elapsed);
	/* The loop came round at every tick, or nearly (a loaded host). */
	EXPECT_LE(elapsed / 250 / 2, turns);
	TH_LOG("%u turns in %lld ms: %s", turns, (long long)elapsed, k.why);
	kme_close(&k);
	kme_global_cleanup();
	close(fd);
}

TEST_HARNESS_MAIN
