/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key IDs one link holds, over both directions: a hash table whose
 * bucket array is charged to the memory cgroup active when it grows.
 */
#ifndef _QKD_KEY_IDS_H
#define _QKD_KEY_IDS_H

#include <linux/types.h>
#include <linux/qkd.h>

/* Embedded in what holds the ID; chained through @next. */
struct qkd_id_node {
	struct qkd_id_node *next;
	u8 id[QKD_KEY_ID_LEN];
};

struct qkd_key_ids {
	struct qkd_id_node **buckets;
	u32 mask;			/* buckets - 1 */
	u32 n;
	u32 seed;
};

int qkd_key_ids_init(struct qkd_key_ids *t);
void qkd_key_ids_destroy(struct qkd_key_ids *t);
/* Adds @node (its ID set); -EEXIST if the link holds that ID already. */
int qkd_key_ids_insert(struct qkd_key_ids *t, struct qkd_id_node *node);
void qkd_key_ids_remove(struct qkd_key_ids *t, struct qkd_id_node *node);

#endif
