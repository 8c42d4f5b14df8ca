// SPDX-License-Identifier: GPL-2.0
/*
 * The key schedule, HKDF-SHA256 (RFC 5869) over the kernel's hmac(sha256):
 *
 *   PRK    = HKDF-Extract(salt = key ID (16 bytes), IKM = raw QKD key)
 *   keymat = HKDF-Expand(PRK, "quantumnet-v1|esp|CIPHER|SENDER|RECEIVER", L)
 *   spi    = HKDF-Expand(PRK, "quantumnet-v1|spi|SENDER|RECEIVER", 4),
 *            read big-endian, plus 256 when below 256 (SPIs 1-255 are
 *            reserved)
 *
 * SENDER and RECEIVER are the SAE IDs of the gateway that encrypts with the
 * key and of the one that decrypts (an out key: local, then peer; an in
 * key: peer, then local), so both gateways derive the same SA from the same
 * key, and the two directions of a link never share a label. CIPHER is the
 * CLI word (aes-gcm-256, aes-gcm-128, chacha20-poly1305); L is the AEAD key
 * length plus its 4-byte salt, in the order xfrm takes them.
 */
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "link.h"
#include "schedule.h"

#define LABEL_MAX (32 + 2 * QKD_SAE_ID_MAX + 32)

static const struct {
	const char *word;		/* in labels, as the CLI spells it */
	const char *xfrm;		/* the xfrm AEAD */
	unsigned int keymat;		/* key and salt bytes */
} ciphers[] = {
	[QKD_CIPHER_AES_GCM_256]	= { "aes-gcm-256", "rfc4106(gcm(aes))", 32 + 4 },
	[QKD_CIPHER_AES_GCM_128]	= { "aes-gcm-128", "rfc4106(gcm(aes))", 16 + 4 },
	[QKD_CIPHER_CHACHA20_POLY1305]	= { "chacha20-poly1305",
					    "rfc7539esp(chacha20,poly1305)", 32 + 4 },
};

const char *qkd_cipher_xfrm_name(u8 cipher)
{
	return ciphers[cipher].xfrm;
}

unsigned int qkd_cipher_keymat_len(u8 cipher)
{
	return ciphers[cipher].keymat;
}

static int hmac(struct crypto_shash *tfm, const u8 *key, unsigned int keylen,
		const u8 *a, unsigned int alen, const u8 *b, unsigned int blen,
		const u8 *c, unsigned int clen, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_setkey(tfm, key, keylen) ?:
	      crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, a, alen) ?:
	      crypto_shash_update(desc, b, blen) ?:
	      crypto_shash_update(desc, c, clen) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

/* HKDF-Expand for up to two blocks. */
static int expand(struct crypto_shash *tfm, const u8 *prk, const char *info,
		  u8 *out, unsigned int len)
{
	u8 t[2][SHA256_DIGEST_SIZE];
	u8 one = 1, two = 2;
	int ret;

	ret = hmac(tfm, prk, SHA256_DIGEST_SIZE, NULL, 0, info, strlen(info),
		   &one, 1, t[0]);
	if (!ret && len > SHA256_DIGEST_SIZE)
		ret = hmac(tfm, prk, SHA256_DIGEST_SIZE, t[0], SHA256_DIGEST_SIZE,
			   info, strlen(info), &two, 1, t[1]);
	if (!ret)
		memcpy(out, t, len);
	memzero_explicit(t, sizeof(t));
	return ret;
}

int qkd_schedule_derive(const struct qkd_link *link, const struct qkd_key *key,
			bool outbound, struct qkd_sa_keys *sa)
{
	const char *sender = outbound ? link->cfg.local_sae : link->cfg.peer_sae;
	const char *receiver = outbound ? link->cfg.peer_sae : link->cfg.local_sae;
	const char *word = ciphers[link->cfg.cipher].word;
	u8 prk[SHA256_DIGEST_SIZE];
	struct crypto_shash *tfm;
	char *info;
	__be32 spi;
	int ret;

	BUILD_BUG_ON(QKD_SA_KEYMAT_MAX > 2 * SHA256_DIGEST_SIZE);

	info = kmalloc(LABEL_MAX, GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm)) {
		kfree(info);
		return PTR_ERR(tfm);
	}

	ret = hmac(tfm, key->id, QKD_KEY_ID_LEN, NULL, 0, key->material,
		   key->len, NULL, 0, prk);
	if (ret)
		goto out;

	sa->keymat_len = ciphers[link->cfg.cipher].keymat;
	snprintf(info, LABEL_MAX, "quantumnet-v1|esp|%s|%s|%s", word, sender,
		 receiver);
	ret = expand(tfm, prk, info, sa->keymat, sa->keymat_len);
	if (ret)
		goto out;

	snprintf(info, LABEL_MAX, "quantumnet-v1|spi|%s|%s", sender, receiver);
	ret = expand(tfm, prk, info, (u8 *)&spi, sizeof(spi));
	sa->spi = be32_to_cpu(spi);
	if (sa->spi < 256)
		sa->spi += 256;
out:
	memzero_explicit(prk, sizeof(prk));
	crypto_free_shash(tfm);
	kfree(info);
	return ret;
}
