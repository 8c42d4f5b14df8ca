// SPDX-License-Identifier: GPL-2.0
/*
 * Events, sent to the listeners of the "events" group in the link's
 * namespace. A pool raises low-water when its count drops from above the
 * link's low-water mark to at or below it (never when the mark is 0), and
 * empty when it drops to 0; so each crossing is reported once, and again
 * only after the pool has been refilled past the mark.
 */
#include <net/genetlink.h>

#include "event.h"
#include "link.h"
#include "netlink.h"

static struct sk_buff *event_new(const struct qkd_link *link, u8 cmd,
				 u8 dir, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &qkd_genl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_string(skb, QKD_A_LINK_NAME, link->name) ||
	    nla_put_u8(skb, QKD_A_DIR, dir) ||
	    nla_put_u32(skb, QKD_A_KEY_COUNT, link->pool[dir].count)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void event_send(const struct qkd_link *link, struct sk_buff *skb,
		       void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&qkd_genl_family, link->net, skb, 0,
				QKD_NLGRP_EVENTS, GFP_KERNEL);
}

static void level_event(const struct qkd_link *link, u8 cmd, u8 dir)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(link, cmd, dir, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, QKD_A_LINK_LOW_WATER, link->cfg.low_water)) {
		nlmsg_free(skb);
		return;
	}
	event_send(link, skb, hdr);
}

void qkd_event_pool_drained(struct qkd_link *link, u8 dir, u32 before)
{
	u32 now = link->pool[dir].count;
	u32 mark = link->cfg.low_water;

	if (mark && before > mark && now <= mark)
		level_event(link, QKD_CMD_EVENT_LOW_WATER, dir);
	if (before && !now)
		level_event(link, QKD_CMD_EVENT_EMPTY, dir);
}

void qkd_event_discarded(struct qkd_link *link, u8 dir, u8 reason, u32 count)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(link, QKD_CMD_EVENT_DISCARD, dir, &hdr);
	if (!skb)
		return;
	if (nla_put_u8(skb, QKD_A_DISCARD_REASON, reason) ||
	    nla_put_u32(skb, QKD_A_DISCARD_COUNT, count)) {
		nlmsg_free(skb);
		return;
	}
	event_send(link, skb, hdr);
}

/* SA events: the link, the direction and the SPI(s) involved. */
static void sa_event(struct qkd_link *link, u8 cmd, u8 dir, u32 spi,
		     u32 old_spi, u64 index, int err)
{
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(link, cmd, dir, &hdr);
	if (!skb)
		return;
	nest = nla_nest_start(skb, QKD_A_SA);
	if (!nest ||
	    (spi && nla_put_u32(skb, QKD_A_SA_SPI, spi)) ||
	    (old_spi && nla_put_u32(skb, QKD_A_SA_OLD_SPI, old_spi)) ||
	    (index && nla_put_u64_64bit(skb, QKD_A_SA_KEY_INDEX, index,
					QKD_A_SA_PAD))) {
		nlmsg_free(skb);
		return;
	}
	nla_nest_end(skb, nest);
	if (err && nla_put_s32(skb, QKD_A_ERRNO, err)) {
		nlmsg_free(skb);
		return;
	}
	event_send(link, skb, hdr);
}

void qkd_event_rekey(struct qkd_link *link, u32 old_spi, u32 new_spi, u64 index)
{
	sa_event(link, QKD_CMD_EVENT_REKEY, QKD_DIR_OUT, new_spi, old_spi, index, 0);
}

void qkd_event_sa_error(struct qkd_link *link, u8 dir, int err)
{
	sa_event(link, QKD_CMD_EVENT_SA_ERROR, dir, 0, 0, 0, err);
}

void qkd_event_holding(struct qkd_link *link, u32 spi)
{
	sa_event(link, QKD_CMD_EVENT_HOLDING, QKD_DIR_OUT, spi, 0, 0, 0);
}

void qkd_event_sa_blocked(struct qkd_link *link, u32 spi)
{
	sa_event(link, QKD_CMD_EVENT_BLOCKED, QKD_DIR_OUT, spi, 0, 0, 0);
}
