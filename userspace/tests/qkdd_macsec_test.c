// SPDX-License-Identifier: GPL-2.0
/*
 * The MACsec key schedule (README, "MACsec key schedule"), on the host.
 *
 * The expected values were computed on the host with OpenSSL's command
 * line, as the README tells a peer's operator to, for the public test key
 * K = 00 01 .. 1f and key ID ID = a0b1c2d3e4f5061728394a5b6c7d8e9f:
 *
 *   openssl kdf -keylen L -kdfopt digest:SHA256 -kdfopt hexkey:$K \
 *       -kdfopt hexsalt:$ID -kdfopt info:'quantumnet-v1|macsec|CIPHER|gw-a|gw-b' HKDF
 *
 * They are written here rather than computed by running openssl from the
 * test, because openssl kdf takes the key only on its command line, and no
 * key goes on a command line, not even a test's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "macsec_key.h"
#include "kselftest_harness.h"

static void test_key(struct qkd_key *k, unsigned int len)
{
	static const uint8_t id[16] = {
		0xa0, 0xb1, 0xc2, 0xd3, 0xe4, 0xf5, 0x06, 0x17,
		0x28, 0x39, 0x4a, 0x5b, 0x6c, 0x7d, 0x8e, 0x9f,
	};
	unsigned int i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < len; i++)
		k->material[i] = i;
	k->len = len;
	memcpy(k->id, id, sizeof(id));
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
}

FIXTURE(schedule) {
	struct qkd_key key;
	struct qkdd_macsec_sa_keys sa;
};

FIXTURE_VARIANT(schedule) {
	int cipher;
	const char *keymat;	/* openssl kdf's output: SAK, then the salt */
};

FIXTURE_VARIANT_ADD(schedule, gcm_aes_128) {
	.cipher = QKDD_MACSEC_GCM_AES_128,
	.keymat = "E7ABF4D87D24D7F42E4195EB01FBE280",
};

FIXTURE_VARIANT_ADD(schedule, gcm_aes_256) {
	.cipher = QKDD_MACSEC_GCM_AES_256,
	.keymat = "2EE6A71F3C6511A966EFE676CFF18E4CDFBA47365EB79997A20F63DAEF490E79",
};

FIXTURE_VARIANT_ADD(schedule, gcm_aes_xpn_128) {
	.cipher = QKDD_MACSEC_GCM_AES_XPN_128,
	.keymat = "AAE78F60CDBA41462FD651B4783C2EE12298720AF5E61554C045C932",
};

FIXTURE_VARIANT_ADD(schedule, gcm_aes_xpn_256) {
	.cipher = QKDD_MACSEC_GCM_AES_XPN_256,
	.keymat = "9DAAB97AE7D9EC34E2007DE42C56CE1079B8AA7816897FA0CF9013596B14D6A4"
		  "1C24D3EEA8389FE7B4769CBA",
};

FIXTURE_SETUP(schedule)
{
	test_key(&self->key, 32);
}

FIXTURE_TEARDOWN(schedule)
{
	macsec_sa_keys_wipe(&self->sa);
}

TEST_F(schedule, sak_and_salt_are_openssl_kdf_output)
{
	const struct qkdd_macsec_suite *s = macsec_suite(variant->cipher);
	char got[2 * (32 + MACSEC_SALT_LEN) + 1] = "";

	ASSERT_EQ(0, macsec_derive(&self->key, variant->cipher, "gw-a", "gw-b", &self->sa));
	ASSERT_EQ(s->key_len, self->sa.sak_len);
	hex(self->sa.sak, s->key_len, got);
	if (s->xpn)
		hex(self->sa.salt, MACSEC_SALT_LEN, got + 2 * s->key_len);
	EXPECT_STREQ(variant->keymat, got);
}

TEST_F(schedule, keyid_is_the_qkd_key_id_and_ssci_is_one_for_xpn)
{
	const struct qkdd_macsec_suite *s = macsec_suite(variant->cipher);
	static const uint8_t zero[MACSEC_SALT_LEN];

	ASSERT_EQ(0, macsec_derive(&self->key, variant->cipher, "gw-a", "gw-b", &self->sa));
	EXPECT_EQ(0, memcmp(self->key.id, self->sa.keyid, MACSEC_KEYID_LEN));
	if (s->xpn) {
		EXPECT_EQ(QKDD_MACSEC_SSCI, self->sa.ssci);
		EXPECT_EQ(1, self->sa.ssci);
	} else {
		EXPECT_EQ(0, self->sa.ssci);
		EXPECT_EQ(0, memcmp(zero, self->sa.salt, sizeof(zero)));
	}
}

TEST_F(schedule, the_two_directions_never_share_a_sak)
{
	struct qkdd_macsec_sa_keys back;

	ASSERT_EQ(0, macsec_derive(&self->key, variant->cipher, "gw-a", "gw-b", &self->sa));
	ASSERT_EQ(0, macsec_derive(&self->key, variant->cipher, "gw-b", "gw-a", &back));
	EXPECT_NE(0, memcmp(self->sa.sak, back.sak, self->sa.sak_len));
	macsec_sa_keys_wipe(&back);
}

TEST_F(schedule, a_key_shorter_than_the_sak_is_refused_and_nothing_left)
{
	const struct qkdd_macsec_suite *s = macsec_suite(variant->cipher);
	static const struct qkdd_macsec_sa_keys zero;

	test_key(&self->key, s->key_len - 1);
	memset(&self->sa, 0xaa, sizeof(self->sa));
	EXPECT_EQ(-EINVAL, macsec_derive(&self->key, variant->cipher, "gw-a", "gw-b",
					 &self->sa));
	EXPECT_EQ(0, memcmp(&zero, &self->sa, sizeof(zero)));
}

/* Receiver gw-a of a key gw-b sends with: the labels swap, as for ESP. */
TEST(receiver_side_is_openssl_kdf_output_with_the_sender_first)
{
	struct qkdd_macsec_sa_keys sa;
	struct qkd_key key;
	char got[65];

	test_key(&key, 32);
	ASSERT_EQ(0, macsec_derive(&key, QKDD_MACSEC_GCM_AES_256, "gw-b", "gw-a", &sa));
	hex(sa.sak, sa.sak_len, got);
	EXPECT_STREQ("67D2AF1CC51C7F570B3D5BB8DBFE071437912B5388CAD5043C461FC6B27317E7", got);
	macsec_sa_keys_wipe(&sa);
}

TEST(cipher_words_are_those_of_ip_macsec)
{
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_128, macsec_cipher_parse("gcm-aes-128"));
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_256, macsec_cipher_parse("gcm-aes-256"));
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_XPN_128, macsec_cipher_parse("gcm-aes-xpn-128"));
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_XPN_256, macsec_cipher_parse("gcm-aes-xpn-256"));
	EXPECT_EQ(-EINVAL, macsec_cipher_parse("aes-gcm-256"));
	EXPECT_EQ(-EINVAL, macsec_cipher_parse("GCM-AES-128"));
	EXPECT_TRUE(macsec_suite(4) == NULL);
	EXPECT_EQ(MACSEC_CIPHER_ID_GCM_AES_XPN_256, macsec_suite(3)->id);
}

TEST_HARNESS_MAIN
