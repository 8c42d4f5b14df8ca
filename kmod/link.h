/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A link: one pairwise key relationship with one peer gateway.
 */
#ifndef _QKD_LINK_H
#define _QKD_LINK_H

#include <linux/list.h>
#include <linux/timer.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/xfrm.h>
#include <linux/qkd.h>

#include "key_ids.h"
#include "pool.h"

struct key;
struct mem_cgroup;
struct netlink_ext_ack;
struct nlattr;
struct qkd_net;
struct qkd_sa;

/* Everything an operator sets; copied whole so a change is all or nothing. */
struct qkd_link_cfg {
	char local_sae[QKD_SAE_ID_MAX + 1];
	char peer_sae[QKD_SAE_ID_MAX + 1];
	u16 local_family;		/* AF_INET, AF_INET6, 0 when unset */
	u16 peer_family;
	xfrm_address_t local_addr;
	xfrm_address_t peer_addr;
	u32 reqid;
	u32 if_id;
	u32 capacity;
	u32 low_water;
	u32 rekey_time;
	u32 max_key_age;
	u64 rekey_bytes;
	u64 rekey_packets;
	u16 key_bits;
	u8 mode;
	u8 cipher;
	u8 on_empty;
	u8 consumer;
	u8 rx_window;
};

struct qkd_link {
	struct rhash_head name_node;	/* in qkd_net.names */
	struct net *net;		/* the namespace it lives and dies in */
	u32 id;
	char name[QKD_LINK_NAME_MAX + 1];
	struct qkd_link_cfg cfg;
	struct qkd_pool pool[__QKD_DIR_MAX];
	struct qkd_key_ids ids;		/* key IDs held, both directions */
	struct key *key;		/* its key in the namespace's keyring */
	struct list_head sas;		/* struct qkd_sa, oldest first */
	struct qkd_sa *prep;		/* the next out SA, built ahead */
	unsigned int n_sas;
	u64 batch;			/* newest batch committed, 0 none */
	u64 staged_batch;		/* batch with keys staged, 0 none */
	bool rekey;			/* an outbound rekey was asked for */
	bool holding;			/* out pool empty, SA kept past rekey */
	unsigned long sa_retry_at[__QKD_DIR_MAX];	/* jiffies */
	struct list_head sa_dirty;	/* in qkd_net.sa_dirty when marked */
	struct timer_list sa_timer;	/* its SAs' next deadline */
	bool sa_dead;			/* being destroyed: marked no more */
	struct mem_cgroup *memcg;	/* its creator's: pays for its SAs */
	struct rcu_head rcu;		/* the keyring reads links under RCU */
};

extern unsigned int qkd_max_pool_keys;
extern unsigned int qkd_max_links;

int qkd_link_init(void);
void qkd_link_exit(void);

bool qkd_link_name_valid(const char *name);
void qkd_link_cfg_defaults(struct qkd_link_cfg *cfg);
int qkd_link_cfg_verify(struct qkd_net *qn, const struct qkd_link *self,
			const struct qkd_link_cfg *cfg, struct nlattr **tb,
			struct netlink_ext_ack *extack);

int qkd_links_init(struct qkd_net *qn);
void qkd_links_exit(struct qkd_net *qn);
struct qkd_link *qkd_link_find(struct qkd_net *qn, const char *name);
int qkd_link_rebind(struct qkd_net *qn, struct qkd_link *link,
		    const struct qkd_link_cfg *cfg);
struct qkd_link *qkd_link_create(struct net *net, const char *name,
				 const struct qkd_link_cfg *cfg,
				 struct netlink_ext_ack *extack);
void qkd_link_destroy(struct qkd_net *qn, struct qkd_link *link);
void qkd_links_flush(struct qkd_net *qn);

#endif /* _QKD_LINK_H */
