// SPDX-License-Identifier: GPL-2.0
/*
 * Key pools. Each link holds two FIFOs of keys (out and in), stored
 * compactly: fixed-size slots packed into page-sized chunks, allocated as
 * keys arrive and freed as they leave, so that an idle link costs almost
 * nothing. A per-link hash table of key IDs, over both directions, refuses
 * a key ID the link already holds: two gateways whose key streams have gone
 * out of step must not end up using different keys under one ID.
 *
 * Every slot is zeroized when its key leaves, and every chunk is freed with
 * kfree_sensitive(). Every key is counted: added, used, exported, or
 * discarded with a reason.
 *
 * Locking: the caller holds the link's namespace lock (qkd_net.lock).
 */
#include <linux/module.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "event.h"
#include "link.h"
#include "pool.h"

unsigned long qkd_max_keys __read_mostly = 1UL << 20;
module_param_named(max_keys, qkd_max_keys, ulong, 0644);
MODULE_PARM_DESC(max_keys, "Most keys the module holds, over every link and namespace");

struct qkd_totals qkd_totals;

struct qkd_slot {
	struct rhash_head node;		/* in qkd_link.ids */
	u64 index;
	u8 dir;
	u8 id[QKD_KEY_ID_LEN];
	u8 material[];
};

struct qkd_chunk {
	struct list_head node;
	u16 head;			/* first live slot */
	u16 tail;			/* one past the last live slot */
	u8 slots[];
};

#define CHUNK_SIZE PAGE_SIZE

static const struct rhashtable_params id_params = {
	.key_len = QKD_KEY_ID_LEN,
	.key_offset = offsetof(struct qkd_slot, id),
	.head_offset = offsetof(struct qkd_slot, node),
	.automatic_shrinking = true,
};

static unsigned int slot_size(const struct qkd_link *link)
{
	return ALIGN(sizeof(struct qkd_slot) + link->cfg.key_bits / 8, 8);
}

static unsigned int chunk_slots(const struct qkd_link *link)
{
	return (CHUNK_SIZE - sizeof(struct qkd_chunk)) / slot_size(link);
}

static struct qkd_slot *slot_at(const struct qkd_link *link,
				struct qkd_chunk *chunk, unsigned int i)
{
	return (struct qkd_slot *)(chunk->slots + i * slot_size(link));
}

int qkd_pools_init(struct qkd_link *link)
{
	int dir;

	for (dir = 0; dir <= QKD_DIR_MAX; dir++) {
		INIT_LIST_HEAD(&link->pool[dir].chunks);
		link->pool[dir].next_index = 1;
	}
	return rhashtable_init(&link->ids, &id_params);
}

static void chunk_free(struct qkd_chunk *chunk)
{
	list_del(&chunk->node);
	kfree_sensitive(chunk);
	atomic64_sub(CHUNK_SIZE, &qkd_totals.memory);
}

/* Removes the slot from the ID table and the counts, and wipes it. */
static void slot_clear(struct qkd_link *link, struct qkd_pool *pool,
		       struct qkd_slot *slot)
{
	rhashtable_remove_fast(&link->ids, &slot->node, id_params);
	memzero_explicit(slot, slot_size(link));
	pool->count--;
	atomic64_dec(&qkd_totals.keys);
}

static struct qkd_slot *oldest(struct qkd_link *link, u8 dir)
{
	struct qkd_chunk *chunk;

	chunk = list_first_entry(&link->pool[dir].chunks, struct qkd_chunk, node);
	return slot_at(link, chunk, chunk->head);
}

/* Removes and wipes the oldest key of a pool. */
static void pop_head(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];
	struct qkd_chunk *chunk;

	chunk = list_first_entry(&pool->chunks, struct qkd_chunk, node);
	slot_clear(link, pool, slot_at(link, chunk, chunk->head));
	if (++chunk->head == chunk->tail)
		chunk_free(chunk);
}

/* Takes back the newest key of a pool: undoes a push. */
static void pop_tail(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];
	struct qkd_chunk *chunk;

	chunk = list_last_entry(&pool->chunks, struct qkd_chunk, node);
	slot_clear(link, pool, slot_at(link, chunk, --chunk->tail));
	pool->next_index--;
	if (chunk->head == chunk->tail)
		chunk_free(chunk);
}

static int push(struct qkd_link *link, const struct qkd_key_in *in)
{
	struct qkd_pool *pool = &link->pool[in->dir];
	struct qkd_chunk *chunk = NULL;
	struct qkd_slot *slot;
	int ret;

	if (!list_empty(&pool->chunks)) {
		chunk = list_last_entry(&pool->chunks, struct qkd_chunk, node);
		if (chunk->tail == chunk_slots(link))
			chunk = NULL;
	}
	if (!chunk) {
		chunk = kmalloc(CHUNK_SIZE, GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return -ENOMEM;
		chunk->head = 0;
		chunk->tail = 0;
		list_add_tail(&chunk->node, &pool->chunks);
		atomic64_add(CHUNK_SIZE, &qkd_totals.memory);
	}

	slot = slot_at(link, chunk, chunk->tail);
	slot->dir = in->dir;
	slot->index = pool->next_index;
	memcpy(slot->id, in->id, QKD_KEY_ID_LEN);
	memcpy(slot->material, in->material, link->cfg.key_bits / 8);

	ret = rhashtable_lookup_insert_fast(&link->ids, &slot->node, id_params);
	if (ret) {
		memzero_explicit(slot, slot_size(link));
		if (chunk->head == chunk->tail)
			chunk_free(chunk);
		return ret;
	}
	chunk->tail++;
	pool->count++;
	pool->next_index++;
	atomic64_inc(&qkd_totals.keys);
	return 0;
}

/*
 * Adds a batch of keys, all or none. The caller has checked each key's
 * direction and material length. On failure *@bad is the index of the key
 * that could not go in: -EEXIST, its ID is held already (or repeats within
 * the batch); -ENOSPC, its pool or the module is full.
 */
int qkd_pool_add(struct qkd_link *link, const struct qkd_key_in *keys,
		 unsigned int n, unsigned int *bad)
{
	struct qkd_room room;
	unsigned int i;
	int ret;

	qkd_pool_room(link, &room);
	for (i = 0; i < n; i++) {
		u32 *left = keys[i].dir == QKD_DIR_OUT ? &room.out : &room.in;

		if (!(*left)--) {
			*bad = i;
			return -ENOSPC;
		}
	}
	if (atomic64_read(&qkd_totals.keys) + n > READ_ONCE(qkd_max_keys)) {
		*bad = 0;
		return -EDQUOT;
	}

	for (i = 0; i < n; i++) {
		ret = push(link, &keys[i]);
		if (ret) {
			*bad = i;
			while (i--)
				pop_tail(link, keys[i].dir);
			return ret;
		}
	}

	for (i = 0; i < n; i++)
		link->pool[keys[i].dir].added++;
	atomic64_add(n, &qkd_totals.added);
	return 0;
}

/* Copies out the oldest key of a pool, which stays until consumed. */
int qkd_pool_peek(struct qkd_link *link, u8 dir, struct qkd_key *key)
{
	struct qkd_slot *slot;

	if (!link->pool[dir].count)
		return -ENOENT;
	slot = oldest(link, dir);
	key->index = slot->index;
	memcpy(key->id, slot->id, QKD_KEY_ID_LEN);
	key->len = link->cfg.key_bits / 8;
	memcpy(key->material, slot->material, key->len);
	return 0;
}

/*
 * Removes the oldest key of a pool, the one qkd_pool_peek() gave, once it
 * has been used by the kernel or handed out (exported).
 */
void qkd_pool_consume(struct qkd_link *link, u8 dir, bool exported)
{
	struct qkd_pool *pool = &link->pool[dir];
	u32 before = pool->count;

	pop_head(link, dir);
	if (exported) {
		pool->exported++;
		atomic64_inc(&qkd_totals.exported);
	} else {
		pool->used++;
		atomic64_inc(&qkd_totals.used);
	}
	qkd_event_pool_drained(link, dir, before);
}

void qkd_pool_room(const struct qkd_link *link, struct qkd_room *room)
{
	u32 cap = link->cfg.capacity;

	room->out = cap - min(cap, link->pool[QKD_DIR_OUT].count);
	room->in = cap - min(cap, link->pool[QKD_DIR_IN].count);
}

/* Discards every key of a pool; returns how many there were. */
unsigned int qkd_pool_flush(struct qkd_link *link, u8 dir, u8 reason)
{
	struct qkd_pool *pool = &link->pool[dir];
	u32 before = pool->count;

	while (pool->count)
		pop_head(link, dir);
	pool->discarded[reason] += before;
	atomic64_add(before, &qkd_totals.discarded);
	if (before) {
		qkd_event_discarded(link, dir, reason, before);
		qkd_event_pool_drained(link, dir, before);
	}
	return before;
}

/* A deleted link's keys are discarded; its counters go with it. */
void qkd_pools_destroy(struct qkd_link *link)
{
	int dir;

	for (dir = 0; dir <= QKD_DIR_MAX; dir++) {
		u32 n = link->pool[dir].count;

		while (link->pool[dir].count)
			pop_head(link, dir);
		atomic64_add(n, &qkd_totals.discarded);
	}
	rhashtable_destroy(&link->ids);
}

void qkd_key_wipe(struct qkd_key *key)
{
	memzero_explicit(key, sizeof(*key));
}
