// SPDX-License-Identifier: GPL-2.0
/*
 * Key pools. Each link holds two FIFOs of keys (out and in), stored
 * compactly: fixed-size slots packed into page-sized chunks, allocated as
 * keys arrive and freed as they leave, so that an idle link costs almost
 * nothing. A per-link hash table of key IDs, over both directions, refuses
 * a key ID the link already holds: two gateways whose key streams have gone
 * out of step must not end up using different keys under one ID.
 *
 * A pool's FIFO holds its usable keys (count) first, then the keys of the
 * link's staged batch (staged). Every key goes in staged; a plain add
 * commits its keys at once. So a commit moves the boundary and cannot
 * fail, and undoing a half-done add or aborting a batch only ever pops
 * staged keys off the tail. A link stages one batch at a time, and no key
 * goes in while it does: nothing may overtake staged keys.
 *
 * Every slot is zeroized when its key leaves, and every chunk is freed with
 * kfree_sensitive(). Every key is counted: added (when committed), used,
 * exported, or discarded with a reason. Staged keys count towards the
 * pool's capacity and the module's max_keys, but not as added.
 *
 * Locking: the caller holds the link's namespace lock (qkd_net.lock).
 */
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "event.h"
#include "key_ids.h"
#include "link.h"
#include "netns.h"
#include "pool.h"

unsigned long qkd_max_keys __read_mostly = 1UL << 20;
module_param_named(max_keys, qkd_max_keys, ulong, 0644);
MODULE_PARM_DESC(max_keys,
		 "Most keys the namespaces of the initial user namespace hold together (tenants have userns_max_keys each)");

struct qkd_totals qkd_totals;

struct qkd_slot {
	struct qkd_id_node idn;		/* its ID, in qkd_link.ids */
	u64 index;
	u8 dir;
	u8 material[];
};

struct qkd_chunk {
	struct list_head node;
	u16 head;			/* first live slot */
	u16 tail;			/* one past the last live slot */
	u16 room;			/* slots it has */
	u8 slots[];
};

/* Its slots' size is fixed while a pool holds keys (kmod/link.c). */
static unsigned int slot_size(const struct qkd_link *link)
{
	return ALIGN(sizeof(struct qkd_slot) + link->cfg.key_bits / 8, 8);
}

static struct qkd_slot *slot_at(const struct qkd_link *link,
				struct qkd_chunk *chunk, unsigned int i)
{
	return (struct qkd_slot *)(chunk->slots + i * slot_size(link));
}

static size_t chunk_size(const struct qkd_link *link, unsigned int slots)
{
	return kmalloc_size_roundup(sizeof(struct qkd_chunk) +
				    slots * slot_size(link));
}

/*
 * A chunk has room for the pool's capacity or a page's worth of keys,
 * whichever is less, and for as many more as its kmalloc bucket holds: a
 * pool of 16 256-bit keys takes chunks of 2 KiB, not pages. A pool of
 * more takes pages, the oldest freed as its keys go.
 */
static struct qkd_chunk *chunk_alloc(struct qkd_link *link)
{
	unsigned int per_page = (PAGE_SIZE - sizeof(struct qkd_chunk)) /
				slot_size(link);
	struct qkd_chunk *chunk;
	size_t size;

	size = chunk_size(link, clamp(link->cfg.capacity, 1U, per_page));
	chunk = kmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!chunk)
		return NULL;
	chunk->head = 0;
	chunk->tail = 0;
	chunk->room = (size - sizeof(*chunk)) / slot_size(link);
	atomic64_add(size, &qkd_totals.memory);
	return chunk;
}

int qkd_pools_init(struct qkd_link *link)
{
	int dir;

	for (dir = 0; dir <= QKD_DIR_MAX; dir++) {
		INIT_LIST_HEAD(&link->pool[dir].chunks);
		link->pool[dir].next_index = 1;
	}
	return qkd_key_ids_init(&link->ids);
}

static void chunk_free(struct qkd_link *link, struct qkd_chunk *chunk)
{
	list_del(&chunk->node);
	atomic64_sub(chunk_size(link, chunk->room), &qkd_totals.memory);
	kfree_sensitive(chunk);
}

/*
 * Counts keys into (@n > 0) or out of the module's and their namespace's
 * totals; the operator's namespaces also count towards max_keys.
 */
static void keys_count(struct qkd_link *link, long n)
{
	struct qkd_net *qn = qkd_net(link->net);

	atomic64_add(n, &qkd_totals.keys);
	qn->n_keys += n;
	if (!qn->tenant)
		atomic64_add(n, &qkd_totals.initial_keys);
}

/* -EDQUOT if @n more keys would pass the namespace's ceiling. */
static int keys_room(struct qkd_link *link, unsigned int n)
{
	struct qkd_net *qn = qkd_net(link->net);

	if (qn->tenant)
		return qn->n_keys + n > READ_ONCE(qkd_userns_max_keys) ? -EDQUOT : 0;
	return atomic64_read(&qkd_totals.initial_keys) + n > READ_ONCE(qkd_max_keys) ?
	       -EDQUOT : 0;
}

/*
 * Removes the slot from the ID table and the module's count, and wipes it;
 * the caller counts it out of the pool's usable or staged keys.
 */
static void slot_clear(struct qkd_link *link, struct qkd_slot *slot)
{
	qkd_key_ids_remove(&link->ids, &slot->idn);
	memzero_explicit(slot, slot_size(link));
	keys_count(link, -1);
}

static struct qkd_slot *oldest(struct qkd_link *link, u8 dir)
{
	struct qkd_chunk *chunk;

	chunk = list_first_entry(&link->pool[dir].chunks, struct qkd_chunk, node);
	return slot_at(link, chunk, chunk->head);
}

/* Removes and wipes the oldest key of a pool, a usable one. */
static void pop_head(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];
	struct qkd_chunk *chunk;

	chunk = list_first_entry(&pool->chunks, struct qkd_chunk, node);
	slot_clear(link, slot_at(link, chunk, chunk->head));
	pool->count--;
	if (++chunk->head == chunk->tail)
		chunk_free(link, chunk);
}

/* Takes back the newest key of a pool, a staged one: undoes a push. */
static void pop_tail(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];
	struct qkd_chunk *chunk;

	chunk = list_last_entry(&pool->chunks, struct qkd_chunk, node);
	slot_clear(link, slot_at(link, chunk, --chunk->tail));
	pool->staged--;
	pool->next_index--;
	if (chunk->head == chunk->tail)
		chunk_free(link, chunk);
}

static int push(struct qkd_link *link, const struct qkd_key_in *in)
{
	struct qkd_pool *pool = &link->pool[in->dir];
	struct qkd_chunk *chunk = NULL;
	struct qkd_slot *slot;
	int ret;

	if (!list_empty(&pool->chunks)) {
		chunk = list_last_entry(&pool->chunks, struct qkd_chunk, node);
		if (chunk->tail == chunk->room)
			chunk = NULL;
	}
	if (!chunk) {
		chunk = chunk_alloc(link);
		if (!chunk)
			return -ENOMEM;
		list_add_tail(&chunk->node, &pool->chunks);
	}

	slot = slot_at(link, chunk, chunk->tail);
	slot->dir = in->dir;
	slot->index = pool->next_index;
	memcpy(slot->idn.id, in->id, QKD_KEY_ID_LEN);
	memcpy(slot->material, in->material, link->cfg.key_bits / 8);

	ret = qkd_key_ids_insert(&link->ids, &slot->idn);
	if (ret) {
		memzero_explicit(slot, slot_size(link));
		if (chunk->head == chunk->tail)
			chunk_free(link, chunk);
		return ret;
	}
	chunk->tail++;
	pool->staged++;
	pool->next_index++;
	keys_count(link, 1);
	return 0;
}

/* The staged keys of one direction become usable, at the end of the pool. */
static void commit_dir(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];

	pool->count += pool->staged;
	pool->added += pool->staged;
	atomic64_add(pool->staged, &qkd_totals.added);
	pool->staged = 0;
}

/* Discards the staged keys of one direction; returns how many there were. */
static u32 discard_staged(struct qkd_link *link, u8 dir)
{
	struct qkd_pool *pool = &link->pool[dir];
	u32 n = pool->staged;

	while (pool->staged)
		pop_tail(link, dir);
	pool->discarded[QKD_DISCARD_UNCOMMITTED] += n;
	atomic64_add(n, &qkd_totals.discarded);
	if (n)
		qkd_event_discarded(link, dir, QKD_DISCARD_UNCOMMITTED, n);
	return n;
}

/* A link whose pools stage no key stages no batch. */
static void staged_settle(struct qkd_link *link)
{
	if (!link->pool[QKD_DIR_OUT].staged && !link->pool[QKD_DIR_IN].staged)
		link->staged_batch = 0;
}

/*
 * Adds a batch of keys, all or none; with a @batch number (not 0), stages
 * them as that batch instead. The caller has checked each key's direction
 * and material length. On failure *@bad is the index of the key that could
 * not go in: -EEXIST, its ID is held already (staged keys included, or
 * repeats within the batch); -ENOSPC, its pool or the module is full.
 * -EBUSY: the link stages a batch already; -EINVAL: @batch is not above
 * the link's committed batch.
 */
int qkd_pool_add(struct qkd_link *link, const struct qkd_key_in *keys,
		 unsigned int n, u64 batch, unsigned int *bad)
{
	struct mem_cgroup *memcg;
	struct qkd_room room;
	unsigned int i;
	int dir, ret = 0;

	*bad = 0;
	if (link->staged_batch)
		return -EBUSY;
	if (batch && batch <= link->batch)
		return -EINVAL;

	qkd_pool_room(link, &room);
	for (i = 0; i < n; i++) {
		u32 *left = keys[i].dir == QKD_DIR_OUT ? &room.out : &room.in;

		if (!(*left)--) {
			*bad = i;
			return -ENOSPC;
		}
	}
	if (keys_room(link, n)) {
		*bad = 0;
		return -EDQUOT;
	}

	/* Chunks are charged to the link's creator, whoever adds the keys. */
	memcg = set_active_memcg(link->memcg);
	for (i = 0; i < n; i++) {
		ret = push(link, &keys[i]);
		if (ret)
			break;
	}
	set_active_memcg(memcg);
	if (ret) {
		*bad = i;
		while (i--)
			pop_tail(link, keys[i].dir);
		return ret;
	}

	if (batch) {
		link->staged_batch = batch;
		return 0;
	}
	for (dir = 0; dir <= QKD_DIR_MAX; dir++)
		commit_dir(link, dir);
	return 0;
}

/*
 * Commits the staged keys of @batch in @dir (both directions when @dir is
 * negative). Committing the link's committed batch again, with nothing of
 * it staged, succeeds and changes nothing: a restarted daemon may repeat
 * its last step. -ENOENT: @batch is neither.
 */
int qkd_pool_commit(struct qkd_link *link, u64 batch, int dir)
{
	int d;

	if (!batch || batch != link->staged_batch)
		return batch && batch == link->batch ? 0 : -ENOENT;
	for (d = 0; d <= QKD_DIR_MAX; d++)
		if (dir < 0 || dir == d)
			commit_dir(link, d);
	if (batch != QKD_BATCH_KEYRING)
		link->batch = batch;
	staged_settle(link);
	return 0;
}

/* Discards the keys of @batch still staged; -ENOENT: @batch is not staged. */
int qkd_pool_abort(struct qkd_link *link, u64 batch)
{
	int dir;

	if (!batch || batch != link->staged_batch)
		return -ENOENT;
	for (dir = 0; dir <= QKD_DIR_MAX; dir++)
		discard_staged(link, dir);
	link->staged_batch = 0;
	return 0;
}

/* Copies out the oldest key of a pool, which stays until consumed. */
/* The index of a pool's oldest usable key, 0 when it has none. */
u64 qkd_pool_head_index(struct qkd_link *link, u8 dir)
{
	return link->pool[dir].count ? oldest(link, dir)->index : 0;
}

int qkd_pool_peek(struct qkd_link *link, u8 dir, struct qkd_key *key)
{
	struct qkd_slot *slot;

	if (!link->pool[dir].count)
		return -ENOENT;
	slot = oldest(link, dir);
	key->index = slot->index;
	memcpy(key->id, slot->idn.id, QKD_KEY_ID_LEN);
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

/* Keys a pool holds: usable and staged. */
u32 qkd_pool_held(const struct qkd_link *link, u8 dir)
{
	return link->pool[dir].count + link->pool[dir].staged;
}

void qkd_pool_room(const struct qkd_link *link, struct qkd_room *room)
{
	u32 cap = link->cfg.capacity;

	/* Staged keys hold their place: a commit must always find room. */
	room->out = cap - min(cap, qkd_pool_held(link, QKD_DIR_OUT));
	room->in = cap - min(cap, qkd_pool_held(link, QKD_DIR_IN));
}

/*
 * Discards every key of a pool, the usable ones for @reason and the staged
 * ones as uncommitted; returns how many there were.
 */
unsigned int qkd_pool_flush(struct qkd_link *link, u8 dir, u8 reason)
{
	struct qkd_pool *pool = &link->pool[dir];
	u32 before = pool->count;
	u32 staged;

	while (pool->count)
		pop_head(link, dir);
	pool->discarded[reason] += before;
	atomic64_add(before, &qkd_totals.discarded);
	if (before) {
		qkd_event_discarded(link, dir, reason, before);
		qkd_event_pool_drained(link, dir, before);
	}
	staged = discard_staged(link, dir);
	staged_settle(link);
	return before + staged;
}

/* A deleted link's keys are discarded; its counters go with it. */
void qkd_pools_destroy(struct qkd_link *link)
{
	int dir;

	for (dir = 0; dir <= QKD_DIR_MAX; dir++) {
		struct qkd_pool *pool = &link->pool[dir];
		u32 n = pool->count + pool->staged;

		while (pool->count)
			pop_head(link, dir);
		while (pool->staged)
			pop_tail(link, dir);
		atomic64_add(n, &qkd_totals.discarded);
	}
	qkd_key_ids_destroy(&link->ids);
}

void qkd_key_wipe(struct qkd_key *key)
{
	memzero_explicit(key, sizeof(*key));
}
