/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The refill policy, as pure functions: how many keys a batch asks for,
 * which direction each key gets, and the key IDs a link has seen.
 */
#ifndef QKDD_REFILL_H
#define QKDD_REFILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kme.h"
#include "libqkd.h"

/*
 * How many keys of @bits the next batch asks the KME for: what both pools
 * lack to reach @capacity (each pool counted at the fuller of the two
 * gateways' figures, so that neither side overflows), but no more than
 * the KME hands out in one request (max_key_per_request), could ever
 * store (max_key_count, when it says), or one netlink key batch carries.
 *
 * Not capped at stored_key_count: some KMEs count something else there
 * (the keys handed out and not yet fetched, 0 at rest) and hold keys all
 * the same. The count is a hint, for refill_fallback().
 */
unsigned int refill_count(uint32_t out, uint32_t in, uint32_t capacity,
			  unsigned int bits, const struct kme_status *st);

/*
 * Keys of @bits that stored_key_count stands for: a key larger than the
 * KME's key_size takes several of its keys.
 */
unsigned int refill_stored(unsigned int bits, const struct kme_status *st);

/*
 * After the KME said it had too few keys for a request of @n: how many to
 * ask for again at once, the keys its status says it holds, when fewer
 * than @n but some; 0 when its status offers nothing better (then back
 * off). A KME that counts as the standard does serves that many.
 */
unsigned int refill_fallback(unsigned int n, unsigned int bits,
			     const struct kme_status *st);

/*
 * Whether a KME that gave @got keys of @bits right after a status saying
 * stored_key_count does not count stored keys as the standard means: it
 * gave more than twice what it claimed, plus one. A few more is a store
 * that grew between the two calls.
 */
bool refill_count_misleads(unsigned int got, unsigned int bits,
			   const struct kme_status *st);

/*
 * Gives each of the @n keys a direction, from the master's point of view:
 * each to the emptier pool (out on a tie), counting the keys given so far,
 * so that a batch fills the direction consumed most first and then both
 * alike.
 */
void refill_assign(uint32_t out, uint32_t in, struct qkd_key *keys,
		   unsigned int n);

/*
 * The key IDs a link took in lately (a ring of the newest @size), so that
 * a KME answer repeating one is refused before anything is pushed. The
 * module holds the final check: it refuses an ID it holds already.
 */
struct idring {
	uint8_t (*ids)[QKD_KEY_ID_LEN];
	unsigned int size;
	unsigned int head;
	unsigned int count;
};

int idring_init(struct idring *r, size_t size);
void idring_free(struct idring *r);
void idring_add(struct idring *r, const uint8_t id[QKD_KEY_ID_LEN]);
bool idring_has(const struct idring *r, const uint8_t id[QKD_KEY_ID_LEN]);

#endif /* QKDD_REFILL_H */
