// SPDX-License-Identifier: GPL-2.0
/* The refill policy: batch sizes, key directions, recent key IDs. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "refill.h"

unsigned int refill_count(uint32_t out, uint32_t in, uint32_t capacity,
			  const struct kme_status *st)
{
	uint64_t want = 0;

	if (out < capacity)
		want += capacity - out;
	if (in < capacity)
		want += capacity - in;
	if (want > st->max_key_per_request)
		want = st->max_key_per_request;
	if (want > st->stored_key_count)
		want = st->stored_key_count;
	if (want > QKD_KEY_BATCH_MAX)
		want = QKD_KEY_BATCH_MAX;
	return want;
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
