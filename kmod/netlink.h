/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _QKD_NETLINK_H
#define _QKD_NETLINK_H

#include <net/genetlink.h>
#include <linux/qkd.h>

struct qkd_net;

/* Multicast groups, in the order of the family's mcgrps. */
enum qkd_nlgrp {
	QKD_NLGRP_EVENTS,
};

extern struct genl_family qkd_genl_family;

int qkd_genl_init(void);
void qkd_genl_exit(void);

/* Link and SA commands (nl_link.c). */
int qkd_nl_link_new(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_link_set(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_link_del(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_link_get(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb);
int qkd_nl_link_rekey(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_sa_dump_start(struct netlink_callback *cb);
int qkd_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* Key commands (nl_key.c). */
int qkd_nl_key_add(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_key_add_dump_start(struct netlink_callback *cb);
int qkd_nl_key_add_dump(struct sk_buff *skb, struct netlink_callback *cb);
int qkd_nl_key_commit(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_key_abort(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_key_flush(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_key_take(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_key_export(struct sk_buff *skb, struct genl_info *info);
int qkd_nl_stats_get(struct sk_buff *skb, struct genl_info *info);

/* Shared by the commands: the link a request names, with extack. */
struct qkd_link *qkd_nl_link_lookup(struct qkd_net *qn, struct nlattr **tb,
				    struct netlink_ext_ack *extack);
bool qkd_nl_string_whole(const struct nlattr *nla);
const char *qkd_nl_link_name(struct nlattr **tb, struct netlink_ext_ack *extack);

#endif /* _QKD_NETLINK_H */
