// SPDX-License-Identifier: GPL-2.0
/*
 * The MACsec key schedule, as the README writes it down:
 *
 *   keymat = HKDF-SHA256(salt = key ID, IKM = raw QKD key,
 *            info = "quantumnet-v1|macsec|CIPHER|SENDER|RECEIVER",
 *            L = SAK length (+ 12 for XPN))
 *   SAK = keymat's first bytes, salt (XPN) the 12 after; KEYID = key ID;
 *   SSCI (XPN) = 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "macsec_key.h"

#define LABEL "quantumnet-v1|macsec"

static const struct qkdd_macsec_suite suites[] = {
	[QKDD_MACSEC_GCM_AES_128] = { "gcm-aes-128", MACSEC_CIPHER_ID_GCM_AES_128, 16, false },
	[QKDD_MACSEC_GCM_AES_256] = { "gcm-aes-256", MACSEC_CIPHER_ID_GCM_AES_256, 32, false },
	[QKDD_MACSEC_GCM_AES_XPN_128] = { "gcm-aes-xpn-128",
					  MACSEC_CIPHER_ID_GCM_AES_XPN_128, 16, true },
	[QKDD_MACSEC_GCM_AES_XPN_256] = { "gcm-aes-xpn-256",
					  MACSEC_CIPHER_ID_GCM_AES_XPN_256, 32, true },
};

const struct qkdd_macsec_suite *macsec_suite(int c)
{
	if (c < 0 || (size_t)c >= sizeof(suites) / sizeof(suites[0]))
		return NULL;
	return &suites[c];
}

int macsec_cipher_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(s, suites[i].name))
			return i;
	return -EINVAL;
}

void macsec_sa_keys_wipe(struct qkdd_macsec_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

static int hkdf(const struct qkd_key *key, const char *info, uint8_t *out,
		size_t len)
{
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;
	int ret = -EIO;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
			(void *)key->material, key->len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(void *)key->id, QKD_KEY_ID_LEN);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			(void *)info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	if (kctx && EVP_KDF_derive(kctx, out, len, params) == 1)
		ret = 0;
	/* Freeing the context cleanses its copies of the key and the PRK. */
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ret;
}

int macsec_derive(const struct qkd_key *key, int cipher, const char *sender,
		  const char *receiver, struct qkdd_macsec_sa_keys *out)
{
	const struct qkdd_macsec_suite *s = macsec_suite(cipher);
	uint8_t keymat[32 + MACSEC_SALT_LEN];
	char info[2 * QKD_SAE_ID_MAX + 64];
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!s || key->len < s->key_len || key->len > sizeof(key->material))
		return -EINVAL;
	if ((size_t)snprintf(info, sizeof(info), LABEL "|%s|%s|%s", s->name,
			     sender, receiver) >= sizeof(info))
		return -EINVAL;
	len = s->key_len + (s->xpn ? MACSEC_SALT_LEN : 0);
	ret = hkdf(key, info, keymat, len);
	if (!ret) {
		memcpy(out->sak, keymat, s->key_len);
		out->sak_len = s->key_len;
		if (s->xpn) {
			memcpy(out->salt, keymat + s->key_len, MACSEC_SALT_LEN);
			out->ssci = QKDD_MACSEC_SSCI;
		}
		memcpy(out->keyid, key->id, MACSEC_KEYID_LEN);
	}
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (ret)
		macsec_sa_keys_wipe(out);
	return ret;
}
