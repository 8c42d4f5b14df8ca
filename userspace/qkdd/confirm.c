// SPDX-License-Identifier: GPL-2.0
/*
 * Key confirmation of a batch. Two KMEs that hand the two gateways
 * different material for the same key ID (a fault, a bug, a KME out of
 * step with its peer) would give SAs that cannot decrypt each other's
 * packets, found only when traffic is lost. So the master sends, with
 * each OFFER, a tag computed from the batch's keys, and the slave, once
 * its own KME has given it the keys, computes the tag again and refuses
 * the batch unless both agree (batch.c). The construction:
 *
 *   IKM = K_1 || ... || K_n         the batch's raw keys, in batch order,
 *                                   key-bits / 8 bytes each
 *   CK  = HKDF-SHA256(salt = "quantumnet-v1|confirm", IKM,
 *                     info = "quantumnet-v1|confirm|key", L = 32)
 *   tag = HMAC-SHA256(CK, "quantumnet-v1|confirm|tag"
 *                         || u8 len || link name
 *                         || u8 len || master SAE ID || u8 len || slave SAE ID
 *                         || u64 batch seq || u16 key bits || u16 n
 *                         || n x (u8 dir as the master sees it || 16-byte key ID))
 *         cut to its first 16 bytes; numbers big-endian, strings ASCII
 *         without their NUL.
 *
 * Why so:
 * - The tag is a PRF output under a key derived from the whole batch (at
 *   least 128 bits of QKD key): it says whether the two sides hold the
 *   same keys and nothing else. Nothing from which a key could be learnt
 *   goes out; a confirmation key CK of its own (HKDF with a fixed salt
 *   and label, where the ESP key schedule salts with a key ID and labels
 *   "quantumnet-v1|esp" or "|spi") keeps the tag apart from every key the
 *   module derives.
 * - Binding the link, the SAE IDs, the batch number and the ordered IDs
 *   and directions makes a tag good for this batch only: no tag of
 *   another batch, link or order of keys passes.
 * - The master sends it and the slave checks it, before anything is
 *   staged on either side (the slave stages only after the check, the
 *   master only after ACK1). Only one tag per batch crosses the wire, in
 *   one direction, and the slave, whose keys may be the wrong ones, sends
 *   nothing derived from them: only its verdict.
 * - 16 bytes: a forgery or an accidental match is a 2^-128 chance.
 *   Compared with CRYPTO_memcmp().
 *
 * The IKM buffer and the confirmation key are wiped on every path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "confirm.h"

#define CONFIRM_SALT	"quantumnet-v1|confirm"
#define CONFIRM_INFO	"quantumnet-v1|confirm|key"
#define CONFIRM_LABEL	"quantumnet-v1|confirm|tag"
#define CK_LEN		32

/* CK from the batch's keys. */
static int confirm_key(const struct qkd_key *keys, unsigned int n,
		       unsigned int bytes, uint8_t ck[CK_LEN])
{
	size_t ikm_len = (size_t)n * bytes;
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf = NULL;
	uint8_t *ikm;
	unsigned int i;
	int ret = -EIO;

	ikm = malloc(ikm_len);
	if (!ikm)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		memcpy(ikm + (size_t)i * bytes, keys[i].material, bytes);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm, ikm_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
			(char *)CONFIRM_SALT, strlen(CONFIRM_SALT));
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
			(char *)CONFIRM_INFO, strlen(CONFIRM_INFO));
	*p = OSSL_PARAM_construct_end();
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	if (kctx && EVP_KDF_derive(kctx, ck, CK_LEN, params) == 1)
		ret = 0;
	/* The context holds a copy of the IKM; freeing it cleanses it. */
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	OPENSSL_cleanse(ikm, ikm_len);
	free(ikm);
	return ret;
}

static void be(uint8_t *b, uint64_t v, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		b[i] = v >> (8 * (bytes - 1 - i));
}

static int mac_str(EVP_MAC_CTX *m, const char *s)
{
	size_t len = strlen(s);
	uint8_t n = len;

	if (len > 255)
		return 0;
	return EVP_MAC_update(m, &n, 1) && EVP_MAC_update(m, (const uint8_t *)s, len);
}

int confirm_tag(const struct confirm_batch *b, const struct qkd_key *keys,
		unsigned int n, uint8_t tag[CONFIRM_TAG_LEN])
{
	unsigned int bytes = b->key_bits / 8, i;
	uint8_t ck[CK_LEN], out[EVP_MAX_MD_SIZE], num[12];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *m = NULL;
	EVP_MAC *mac = NULL;
	size_t out_len = 0;
	int ret, ok;

	memset(tag, 0, CONFIRM_TAG_LEN);
	if (!n || n > QKD_KEY_BATCH_MAX || !bytes || b->key_bits % 8 ||
	    bytes > sizeof(keys[0].material))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (keys[i].len != bytes)
			return -EINVAL;
	ret = confirm_key(keys, n, bytes, ck);
	if (ret)
		goto out;
	ret = -EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		m = EVP_MAC_CTX_new(mac);
	ok = m && EVP_MAC_init(m, ck, CK_LEN, params) &&
	     EVP_MAC_update(m, (const uint8_t *)CONFIRM_LABEL, strlen(CONFIRM_LABEL)) &&
	     mac_str(m, b->link) && mac_str(m, b->master_sae) &&
	     mac_str(m, b->slave_sae);
	be(num, b->seq, 8);
	be(num + 8, b->key_bits, 2);
	be(num + 10, n, 2);
	ok = ok && EVP_MAC_update(m, num, sizeof(num));
	for (i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(m, &keys[i].dir, 1) &&
		     EVP_MAC_update(m, keys[i].id, QKD_KEY_ID_LEN);
	if (ok && EVP_MAC_final(m, out, &out_len, sizeof(out)) &&
	    out_len >= CONFIRM_TAG_LEN) {
		memcpy(tag, out, CONFIRM_TAG_LEN);
		ret = 0;
	}
	/* Freeing the context cleanses the HMAC state keyed with CK. */
	EVP_MAC_CTX_free(m);
	EVP_MAC_free(mac);
out:
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

bool confirm_tag_equal(const uint8_t a[CONFIRM_TAG_LEN],
		       const uint8_t b[CONFIRM_TAG_LEN])
{
	return !CRYPTO_memcmp(a, b, CONFIRM_TAG_LEN);
}
