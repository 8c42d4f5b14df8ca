/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MACsec's cipher suites and its key schedule (README, "MACsec key
 * schedule"): the SAK, and for XPN the salt and SSCI, of one SA from one
 * raw QKD key. No I/O; OpenSSL's HKDF only.
 */
#ifndef QKDD_MACSEC_KEY_H
#define QKDD_MACSEC_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_macsec.h>

#include "libqkd.h"

enum qkdd_macsec_cipher {
	QKDD_MACSEC_GCM_AES_128,
	QKDD_MACSEC_GCM_AES_256,
	QKDD_MACSEC_GCM_AES_XPN_128,
	QKDD_MACSEC_GCM_AES_XPN_256,
};

struct qkdd_macsec_suite {
	const char *name;	/* as ip macsec spells it, and in the info label */
	uint64_t id;		/* MACSEC_CIPHER_ID_* */
	unsigned int key_len;	/* SAK bytes */
	bool xpn;		/* 64-bit PNs, salt and SSCI */
};

/* The SSCI of every SA, TX and RX (see the README for why one value). */
#define QKDD_MACSEC_SSCI	1u
#define QKDD_MACSEC_ICV_LEN	16

/* The suite of @c, or NULL for a value out of the enum. */
const struct qkdd_macsec_suite *macsec_suite(int c);
/* The enum value for a name ("gcm-aes-256"...), or -EINVAL. */
int macsec_cipher_parse(const char *s);

/* One SA's keys; wipe with macsec_sa_keys_wipe(). */
struct qkdd_macsec_sa_keys {
	uint8_t sak[32];
	unsigned int sak_len;
	uint8_t salt[MACSEC_SALT_LEN];	/* XPN only */
	uint32_t ssci;			/* XPN only */
	uint8_t keyid[MACSEC_KEYID_LEN];
};

/*
 * Derives the keys of the SA that @sender encrypts with to @receiver
 * (SAE IDs) from @key (its material and ID) for @cipher. Returns 0,
 * -EINVAL for a key shorter than the SAK or an unknown cipher, or -EIO
 * when OpenSSL fails; @out is wiped on failure.
 */
int macsec_derive(const struct qkd_key *key, int cipher, const char *sender,
		  const char *receiver, struct qkdd_macsec_sa_keys *out);
void macsec_sa_keys_wipe(struct qkdd_macsec_sa_keys *k);

#endif /* QKDD_MACSEC_KEY_H */
