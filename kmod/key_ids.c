// SPDX-License-Identifier: GPL-2.0
/*
 * The key-ID index of a link (see pool.c for why it exists).
 *
 * Not an rhashtable: that one allocates its bucket tables in a worker and
 * uncharged, so a tenant's links would hold memory no cgroup pays for. Here
 * the bucket array is allocated with GFP_KERNEL_ACCOUNT by the caller that
 * adds keys, under the link's memory cgroup (pool.c), and doubles when the
 * IDs outnumber the buckets: at most two buckets an ID, 16 bytes a key at
 * worst, charged where the keys are. It never shrinks: a link that held
 * many keys will again. When it cannot grow, the chains get longer and
 * nothing fails.
 *
 * The hash is keyed by a random seed per table: key IDs come from the
 * namespace's administrator, who must not be able to pick IDs that land
 * in one chain.
 *
 * Locking: as pool.c, the caller holds the namespace lock.
 */
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "key_ids.h"

#define KEY_IDS_MIN	16

static struct qkd_id_node **bucket(const struct qkd_key_ids *t,
				   struct qkd_id_node **buckets, u32 mask,
				   const u8 *id)
{
	return &buckets[jhash(id, QKD_KEY_ID_LEN, t->seed) & mask];
}

int qkd_key_ids_init(struct qkd_key_ids *t)
{
	t->buckets = kvcalloc(KEY_IDS_MIN, sizeof(*t->buckets), GFP_KERNEL_ACCOUNT);
	if (!t->buckets)
		return -ENOMEM;
	t->mask = KEY_IDS_MIN - 1;
	t->n = 0;
	t->seed = get_random_u32();
	return 0;
}

void qkd_key_ids_destroy(struct qkd_key_ids *t)
{
	WARN_ON_ONCE(t->n);
	kvfree(t->buckets);
	t->buckets = NULL;
}

/* Twice the buckets, or as they were when that cannot be had. */
static void grow(struct qkd_key_ids *t)
{
	u32 size = t->mask + 1, mask = 2 * size - 1, i;
	struct qkd_id_node **buckets, *node, *next, **b;

	if (size > U32_MAX / 4)
		return;
	buckets = kvcalloc(2 * size, sizeof(*buckets),
			   GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buckets)
		return;
	for (i = 0; i < size; i++) {
		for (node = t->buckets[i]; node; node = next) {
			next = node->next;
			b = bucket(t, buckets, mask, node->id);
			node->next = *b;
			*b = node;
		}
	}
	kvfree(t->buckets);
	t->buckets = buckets;
	t->mask = mask;
}

int qkd_key_ids_insert(struct qkd_key_ids *t, struct qkd_id_node *node)
{
	struct qkd_id_node **b, *p;

	b = bucket(t, t->buckets, t->mask, node->id);
	for (p = *b; p; p = p->next)
		if (!memcmp(p->id, node->id, QKD_KEY_ID_LEN))
			return -EEXIST;
	if (t->n >= t->mask + 1) {
		grow(t);
		b = bucket(t, t->buckets, t->mask, node->id);
	}
	node->next = *b;
	*b = node;
	t->n++;
	return 0;
}

void qkd_key_ids_remove(struct qkd_key_ids *t, struct qkd_id_node *node)
{
	struct qkd_id_node **p;

	for (p = bucket(t, t->buckets, t->mask, node->id); *p; p = &(*p)->next) {
		if (*p == node) {
			*p = node->next;
			node->next = NULL;
			t->n--;
			return;
		}
	}
	WARN_ON_ONCE(1);
}
