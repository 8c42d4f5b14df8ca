/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key confirmation: a tag over one batch that proves, without revealing
 * them, that the master's KME and the slave's KME gave the same key
 * material for the batch's key IDs (confirm.c; the construction is in
 * the README, "Key confirmation").
 */
#ifndef QKDD_CONFIRM_H
#define QKDD_CONFIRM_H

#include <stdbool.h>
#include <stdint.h>

#include "libqkd.h"

#define CONFIRM_TAG_LEN	16

/* What the tag binds besides the keys; the same on both sides. */
struct confirm_batch {
	const char *link;		/* the link's name */
	const char *master_sae;		/* the master's SAE ID */
	const char *slave_sae;		/* the slave's SAE ID */
	uint64_t seq;			/* the batch number */
	unsigned int key_bits;
};

/*
 * The tag of batch @b over its @n keys in batch order (@keys[i].dir as the
 * master sees it; each key's material key_bits / 8 bytes) into @tag.
 * Returns 0, or -EINVAL (bad arguments) or -EIO (OpenSSL failed) with
 * @tag zeroed. Every intermediate buffer is wiped.
 */
int confirm_tag(const struct confirm_batch *b, const struct qkd_key *keys,
		unsigned int n, uint8_t tag[CONFIRM_TAG_LEN]);

/* Whether two tags are equal, in constant time. */
bool confirm_tag_equal(const uint8_t a[CONFIRM_TAG_LEN],
		       const uint8_t b[CONFIRM_TAG_LEN]);

#endif /* QKDD_CONFIRM_H */
