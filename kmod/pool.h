/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key pools: per link and direction, a bounded FIFO of QKD keys. The
 * first count keys are usable; the staged keys of the link's staged batch
 * follow them, held but unusable until committed.
 */
#ifndef _QKD_POOL_H
#define _QKD_POOL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/qkd.h>

struct qkd_link;

struct qkd_pool {
	struct list_head chunks;	/* FIFO of struct qkd_chunk */
	u32 count;			/* keys usable */
	u32 staged;			/* keys after them, staged */
	u64 next_index;			/* index the next key arrives with */
	u64 added;
	u64 used;
	u64 exported;
	u64 discarded[__QKD_DISCARD_MAX];
};

/* A key as it leaves a pool; the caller zeroizes it (qkd_key_wipe). */
struct qkd_key {
	u64 index;
	u8 id[QKD_KEY_ID_LEN];
	u8 material[QKD_KEY_BITS_MAX / 8];
	unsigned int len;
};

/* One key of a batch on its way in; pointers into the request. */
struct qkd_key_in {
	u8 dir;
	const u8 *id;
	const u8 *material;
};

/* Module-wide figures, across every namespace. */
struct qkd_totals {
	atomic64_t keys;
	atomic64_t initial_keys;	/* of the operator's namespaces: max_keys */
	atomic64_t memory;
	atomic64_t added;
	atomic64_t used;
	atomic64_t exported;
	atomic64_t discarded;
};

extern struct qkd_totals qkd_totals;
extern unsigned long qkd_max_keys;

int qkd_pools_init(struct qkd_link *link);
void qkd_pools_destroy(struct qkd_link *link);

/*
 * add_key(2)'s own stage, committed once the keyring has made its receipt
 * (keyring.c): never the number of a daemon's batch, which netlink refuses.
 */
#define QKD_BATCH_KEYRING	U64_MAX

int qkd_pool_add(struct qkd_link *link, const struct qkd_key_in *keys,
		 unsigned int n, u64 batch, unsigned int *bad);
int qkd_pool_commit(struct qkd_link *link, u64 batch, int dir);
int qkd_pool_abort(struct qkd_link *link, u64 batch);
u64 qkd_pool_head_index(struct qkd_link *link, u8 dir);
int qkd_pool_peek(struct qkd_link *link, u8 dir, struct qkd_key *key);
void qkd_pool_consume(struct qkd_link *link, u8 dir, bool exported);
void qkd_pool_room(const struct qkd_link *link, struct qkd_room *room);
u32 qkd_pool_held(const struct qkd_link *link, u8 dir);
unsigned int qkd_pool_flush(struct qkd_link *link, u8 dir, u8 reason);

void qkd_key_wipe(struct qkd_key *key);

#endif /* _QKD_POOL_H */
