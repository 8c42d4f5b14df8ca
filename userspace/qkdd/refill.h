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
 * How many keys the next batch asks the KME for: what both pools lack to
 * reach @capacity (each pool counted at the fuller of the two gateways'
 * figures, so that neither side overflows), but no more than the KME hands
 * out in one request, holds now, or one netlink key batch carries.
 */
unsigned int refill_count(uint32_t out, uint32_t in, uint32_t capacity,
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
