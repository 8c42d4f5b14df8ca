// SPDX-License-Identifier: GPL-2.0
/* The refill policy: batch sizes, key directions, recent key IDs. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "refill.h"

/* Stored keys of the KME's key_size one key of @bits takes. */
static unsigned int per_key(unsigned int bits, const struct kme_status *st)
{
	unsigned int per;

	if (!st->key_size)
		return 1;
	per = (bits + st->key_size - 1) / st->key_size;
	return per ? per : 1;
}

unsigned int refill_count(uint32_t out, uint32_t in, uint32_t capacity,
			  unsigned int bits, const struct kme_status *st)
{
	uint64_t want = 0, most;

	if (out < capacity)
		want += capacity - out;
	if (in < capacity)
		want += capacity - in;
	if (want > st->max_key_per_request)
		want = st->max_key_per_request;
	if (st->max_key_count) {
		/* At least one: the KME then says what it makes of it. */
		most = st->max_key_count / per_key(bits, st);
		if (want > (most ? most : 1))
			want = most ? most : 1;
	}
	if (want > QKD_KEY_BATCH_MAX)
		want = QKD_KEY_BATCH_MAX;
	return want;
}

unsigned int refill_stored(unsigned int bits, const struct kme_status *st)
{
	return st->stored_key_count / per_key(bits, st);
}

unsigned int refill_fallback(unsigned int n, unsigned int bits,
			     const struct kme_status *st)
{
	unsigned int stored = refill_stored(bits, st);

	return stored && stored < n ? stored : 0;
}

bool refill_count_misleads(unsigned int got, unsigned int bits,
			   const struct kme_status *st)
{
	return got > 2 * (uint64_t)refill_stored(bits, st) + 1;
}

void refill_assign(uint32_t out, uint32_t in, struct qkd_key *keys,
		   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (out <= in) {
			keys[i].dir = QKD_DIR_OUT;
			out++;
		} else {
			keys[i].dir = QKD_DIR_IN;
			in++;
		}
	}
}

int idring_init(struct idring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (size > UINT_MAX)
		return -EOVERFLOW;
	r->ids = calloc(size ? size : 1, sizeof(*r->ids));
	if (!r->ids)
		return -ENOMEM;
	r->size = size ? size : 1;
	return 0;
}

void idring_free(struct idring *r)
{
	free(r->ids);
	memset(r, 0, sizeof(*r));
}

void idring_add(struct idring *r, const uint8_t id[QKD_KEY_ID_LEN])
{
	memcpy(r->ids[r->head], id, QKD_KEY_ID_LEN);
	r->head = (r->head + 1) % r->size;
	if (r->count < r->size)
		r->count++;
}

bool idring_has(const struct idring *r, const uint8_t id[QKD_KEY_ID_LEN])
{
	unsigned int i;

	for (i = 0; i < r->count; i++)
		if (!memcmp(r->ids[i], id, QKD_KEY_ID_LEN))
			return true;
	return false;
}
