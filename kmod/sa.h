/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPsec SAs the module keys from a link's pools and rotates.
 */
#ifndef _QKD_SA_H
#define _QKD_SA_H

#include <linux/types.h>

struct qkd_link;
struct qkd_net;
struct sk_buff;

int qkd_sa_init(void);
void qkd_sa_exit(void);
void qkd_sa_km_register(void);
void qkd_sa_km_unregister(void);
void qkd_sa_netns_init(struct qkd_net *qn);
void qkd_sa_netns_exit(struct qkd_net *qn);

bool qkd_sa_ready(const struct qkd_link *link);
void qkd_sa_sync(struct qkd_link *link);
void qkd_sa_flush(struct qkd_link *link);
void qkd_sa_unprepare(struct qkd_link *link);
int qkd_sa_rekey(struct qkd_link *link);
void qkd_sa_kick(struct qkd_link *link);
void qkd_sa_link_init(struct qkd_link *link);
void qkd_sa_link_exit(struct qkd_link *link);
int qkd_sa_fill(struct sk_buff *skb, const struct qkd_link *link, int pos);

#endif /* _QKD_SA_H */
