// SPDX-License-Identifier: GPL-2.0
/*
 * The seeds of corpus/nlreply (see mkseeds.c): an input of fuzz_nlreply,
 * u8 calls | u8 flags | datagrams, each datagram's messages built with
 * libmnl as the kernel sends them.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libqkd.h"
#include "fakenl.h"
#include "mkseeds.h"

/* fuzz_nlreply.c's enum call and flags */
enum { C_LINK_GET, C_LINK_DUMP, C_SA_DUMP, C_STATS, C_KEY_ADD, C_KEY_TAKE,
       C_KEY_EXPORT, C_LINK_NEW, C_COMMIT, C_EVENTS, C_NONE = 0xf };
#define FLAG_FAMILY	0x01

struct dgram {
	char buf[4096];
	size_t len;
};

static struct {
	uint8_t buf[16384];
	size_t len;
} seed;

static void seed_begin(unsigned int first, unsigned int second, unsigned int flags)
{
	seed.buf[0] = first | second << 4;
	seed.buf[1] = flags;
	seed.len = 2;
}

static void seed_dgram(struct dgram *d)
{
	seed.buf[seed.len++] = d->len;
	seed.buf[seed.len++] = d->len >> 8;
	memcpy(seed.buf + seed.len, d->buf, d->len);
	seed.len += d->len;
	memset(d, 0, sizeof(*d));
}

static void seed_end(const char *name)
{
	write_seed("nlreply", name, seed.buf, seed.len);
}

/* The sequence number of the messages made; 0 (any) unless set. */
static uint32_t seq;

static struct nlmsghdr *msg_begin(struct dgram *d, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->buf + d->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static void msg_end(struct dgram *d, struct nlmsghdr *nlh)
{
	d->len += MNL_ALIGN(nlh->nlmsg_len);
}

static struct nlmsghdr *genl_begin(struct dgram *d, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = msg_begin(d, FAKENL_FAMILY, flags);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	genl->cmd = cmd;
	genl->version = QKD_GENL_VERSION;
	return nlh;
}

/* An ACK (error 0) or error of @type (NLMSG_ERROR or NLMSG_DONE). */
static void put_error(struct dgram *d, uint16_t type, int error, const char *text,
		      int offs, int miss, const void *cookie, size_t cookie_len)
{
	bool tlvs = text || offs >= 0 || miss >= 0 || cookie;
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	nlh = msg_begin(d, type, (type == NLMSG_ERROR ? NLM_F_CAPPED : NLM_F_MULTI) |
			(tlvs ? NLM_F_ACK_TLVS : 0));
	if (type == NLMSG_ERROR) {
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = error;
		e->msg.nlmsg_len = 36;
		e->msg.nlmsg_type = FAKENL_FAMILY;
	} else {
		memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(error)), &error,
		       sizeof(error));
	}
	if (text)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	if (miss >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, miss);
	if (cookie)
		mnl_attr_put(nlh, NLMSGERR_ATTR_COOKIE, cookie_len, cookie);
	msg_end(d, nlh);
}

static void put_ack(struct dgram *d)
{
	put_error(d, NLMSG_ERROR, 0, NULL, -1, -1, NULL, 0);
}

static void put_pool(struct nlmsghdr *nlh, int type, uint32_t keys)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, QKD_A_POOL_KEYS, keys);
	mnl_attr_put_u64(nlh, QKD_A_POOL_BYTES, keys * 32ULL);
	mnl_attr_put_u64(nlh, QKD_A_POOL_ADDED, keys + 10);
	mnl_attr_put_u64(nlh, QKD_A_POOL_USED, 10);
	mnl_attr_put_u32(nlh, QKD_A_POOL_STAGED, 0);
	mnl_attr_nest_end(nlh, nest);
}

static void put_link(struct dgram *d, const char *name, uint16_t flags)
{
	struct nlmsghdr *nlh = genl_begin(d, QKD_CMD_LINK_GET, flags);
	uint8_t a4[4] = { 192, 0, 2, 1 }, b4[4] = { 192, 0, 2, 2 };

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	mnl_attr_put_u32(nlh, QKD_A_LINK_ID, 1);
	mnl_attr_put_strz(nlh, QKD_A_LINK_LOCAL_SAE, "sae-a");
	mnl_attr_put_strz(nlh, QKD_A_LINK_PEER_SAE, "sae-b");
	mnl_attr_put(nlh, QKD_A_LINK_LOCAL_ADDR, 4, a4);
	mnl_attr_put(nlh, QKD_A_LINK_PEER_ADDR, 4, b4);
	mnl_attr_put_u32(nlh, QKD_A_LINK_REQID, 42);
	mnl_attr_put_u8(nlh, QKD_A_LINK_MODE, QKD_MODE_TUNNEL);
	mnl_attr_put_u8(nlh, QKD_A_LINK_CIPHER, QKD_CIPHER_AES_GCM_256);
	mnl_attr_put_u16(nlh, QKD_A_LINK_KEY_BITS, 256);
	mnl_attr_put_u32(nlh, QKD_A_LINK_CAPACITY, 4096);
	mnl_attr_put_u64(nlh, QKD_A_LINK_REKEY_BYTES, 0);
	mnl_attr_put_u8(nlh, QKD_A_LINK_RX_WINDOW, 2);
	put_pool(nlh, QKD_A_POOL_OUT, 100);
	put_pool(nlh, QKD_A_POOL_IN, 90);
	mnl_attr_put_u64(nlh, QKD_A_LINK_BATCH, 12);
	mnl_attr_put_u64(nlh, QKD_A_LINK_STAGED, 0);
	msg_end(d, nlh);
}

static void put_sa(struct dgram *d, uint32_t spi)
{
	struct nlmsghdr *nlh = genl_begin(d, QKD_CMD_SA_GET, NLM_F_MULTI);
	uint8_t id[QKD_KEY_ID_LEN];
	struct nlattr *nest;

	memset(id, spi, sizeof(id));
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	nest = mnl_attr_nest_start(nlh, QKD_A_SA);
	mnl_attr_put_u8(nlh, QKD_A_SA_DIR, QKD_DIR_OUT);
	mnl_attr_put_u32(nlh, QKD_A_SA_SPI, spi);
	mnl_attr_put(nlh, QKD_A_SA_KEY_ID, sizeof(id), id);
	mnl_attr_put_u64(nlh, QKD_A_SA_KEY_INDEX, 7);
	mnl_attr_put_u8(nlh, QKD_A_SA_STATE, QKD_SA_ACTIVE);
	mnl_attr_put_u32(nlh, QKD_A_SA_AGE, 30);
	mnl_attr_put_u64(nlh, QKD_A_SA_BYTES, 1500);
	mnl_attr_put_u64(nlh, QKD_A_SA_PACKETS, 1);
	mnl_attr_nest_end(nlh, nest);
	msg_end(d, nlh);
}

static void put_key(struct nlmsghdr *nlh, bool material)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, QKD_A_KEY);
	uint8_t buf[32];

	memset(buf, 0x5c, sizeof(buf));
	mnl_attr_put_u8(nlh, QKD_A_KEY_DIR, QKD_DIR_OUT);
	mnl_attr_put(nlh, QKD_A_KEY_ID, QKD_KEY_ID_LEN, buf);
	mnl_attr_put_u64(nlh, QKD_A_KEY_INDEX, 1);
	if (material)
		mnl_attr_put(nlh, QKD_A_KEY_MATERIAL, sizeof(buf), buf);
	mnl_attr_nest_end(nlh, nest);
}

static void put_event(struct dgram *d, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_begin(d, cmd, 0);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	mnl_attr_put_u8(nlh, QKD_A_DIR, QKD_DIR_OUT);
	switch (cmd) {
	case QKD_CMD_EVENT_REKEY:
		nest = mnl_attr_nest_start(nlh, QKD_A_SA);
		mnl_attr_put_u32(nlh, QKD_A_SA_SPI, 0x1234);
		mnl_attr_put_u32(nlh, QKD_A_SA_OLD_SPI, 0x1233);
		mnl_attr_put_u64(nlh, QKD_A_SA_KEY_INDEX, 9);
		mnl_attr_nest_end(nlh, nest);
		break;
	case QKD_CMD_EVENT_SA_ERROR:
		mnl_attr_put_u32(nlh, QKD_A_ERRNO, (uint32_t)-ENOMEM);
		break;
	case QKD_CMD_EVENT_DISCARD:
		mnl_attr_put_u32(nlh, QKD_A_KEY_COUNT, 5);
		mnl_attr_put_u8(nlh, QKD_A_DISCARD_REASON, QKD_DISCARD_EXPIRED);
		mnl_attr_put_u32(nlh, QKD_A_DISCARD_COUNT, 3);
		break;
	default:
		mnl_attr_put_u32(nlh, QKD_A_KEY_COUNT, 1024);
		mnl_attr_put_u32(nlh, QKD_A_LINK_LOW_WATER, 1024);
		break;
	}
	msg_end(d, nlh);
}

static void put_stats(struct dgram *d)
{
	struct nlmsghdr *nlh = genl_begin(d, QKD_CMD_STATS_GET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, QKD_A_STATS);

	mnl_attr_put_u64(nlh, QKD_A_STATS_KEYS, 190);
	mnl_attr_put_u64(nlh, QKD_A_STATS_MAX_KEYS, 1048576);
	mnl_attr_put_u64(nlh, QKD_A_STATS_MEMORY, 12288);
	mnl_attr_nest_end(nlh, nest);
	msg_end(d, nlh);
}

/*
 * An error without NETLINK_CAP_ACK: the request (a link get of "dc1")
 * comes back whole before the extack, here QKD_A_LINK_NAME missing.
 */
static void put_uncapped(struct dgram *d)
{
	struct nlmsghdr *nlh = msg_begin(d, NLMSG_ERROR, NLM_F_ACK_TLVS);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + 12);
	struct genlmsghdr *genl = (void *)(e + 1);
	struct nlattr *attr = (void *)(genl + 1);

	e->error = -EINVAL;
	e->msg.nlmsg_len = sizeof(e->msg) + 12;
	e->msg.nlmsg_type = FAKENL_FAMILY;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl->cmd = QKD_CMD_LINK_GET;
	genl->version = QKD_GENL_VERSION;
	attr->nla_len = 8;
	attr->nla_type = QKD_A_LINK_NAME;
	memcpy(attr + 1, "dc1", 4);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, QKD_A_LINK_NAME);
	msg_end(d, nlh);
}

/* The controller's answer to the family lookup, as in fakenl.c. */
static void put_family(struct dgram *d)
{
	struct nlmsghdr *nlh = msg_begin(d, GENL_ID_CTRL, 0);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	struct nlattr *groups, *grp;

	genl->cmd = CTRL_CMD_NEWFAMILY;
	genl->version = 2;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, QKD_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKENL_FAMILY);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, QKD_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, FAKENL_GROUP);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	msg_end(d, nlh);
}

/*
 * Offsets into libqkd's requests, for NLMSGERR_ATTR_OFFS: 16 bytes of
 * netlink header and 4 of genl header, then the attributes. A key add:
 * QKD_A_LINK_NAME "dc1" (8), QKD_A_KEYS (4), then 68 bytes per key entry
 * (4, QKD_A_KEY_DIR 8, QKD_A_KEY_ID 20, QKD_A_KEY_MATERIAL 36).
 */
#define OFFS_NAME	20
#define OFFS_KEY1_MAT	(32 + 68 + 32)

void nlreply_seeds(void)
{
	struct qkd_room room = { .out = 3, .in = 0 };
	struct nlmsghdr *nlh;
	struct dgram d = {};

	seed_begin(C_LINK_GET, C_NONE, FLAG_FAMILY);
	put_link(&d, "dc1", 0);
	seed_dgram(&d);
	put_ack(&d);
	seed_dgram(&d);
	seed_end("link-get");

	seed_begin(C_LINK_GET, C_STATS, 0);
	put_family(&d);
	seed_dgram(&d);
	put_ack(&d);
	seed_dgram(&d);
	put_link(&d, "dc1", 0);
	put_ack(&d);
	seed_dgram(&d);
	put_stats(&d);
	put_ack(&d);
	seed_dgram(&d);
	seed_end("family-link-get-stats");

	seed_begin(C_LINK_GET, C_NONE, FLAG_FAMILY);
	put_error(&d, NLMSG_ERROR, -ENOENT, "no link of that name", OFFS_NAME, -1,
		  NULL, 0);
	seed_dgram(&d);
	seed_end("link-get-enoent");

	seed_begin(C_LINK_GET, C_NONE, FLAG_FAMILY);
	put_uncapped(&d);
	seed_dgram(&d);
	seed_end("link-get-uncapped");

	seed_begin(C_LINK_DUMP, C_NONE, FLAG_FAMILY);
	put_link(&d, "dc1", NLM_F_MULTI);
	put_link(&d, "dc2", NLM_F_MULTI);
	put_error(&d, NLMSG_DONE, 0, NULL, -1, -1, NULL, 0);
	seed_dgram(&d);
	seed_end("link-dump");

	/* With the right numbers, so that drain() stops at the dump's end. */
	seed_begin(C_LINK_DUMP, C_LINK_GET, FLAG_FAMILY);
	seq = FAKENL_TIME + 2;
	put_link(&d, "dc1", NLM_F_MULTI | NLM_F_DUMP_INTR);
	seed_dgram(&d);
	put_error(&d, NLMSG_DONE, 0, NULL, -1, -1, NULL, 0);
	seed_dgram(&d);
	seq = FAKENL_TIME + 3;
	put_link(&d, "dc1", 0);
	put_ack(&d);
	seed_dgram(&d);
	seq = 0;
	seed_end("link-dump-interrupted");

	seed_begin(C_SA_DUMP, C_NONE, FLAG_FAMILY);
	put_sa(&d, 0x1001);
	put_sa(&d, 0x1002);
	seed_dgram(&d);
	put_error(&d, NLMSG_DONE, -ENOENT, "no link of that name", OFFS_NAME, -1,
		  NULL, 0);
	seed_dgram(&d);
	seed_end("sa-dump");

	/*
	 * A last message of unaligned length whose last attribute ends in the
	 * padding: libmnl reads it whole, 2 bytes past the datagram.
	 */
	seed_begin(C_SA_DUMP, C_NONE, FLAG_FAMILY);
	put_sa(&d, 0x1003);
	nlh = (struct nlmsghdr *)d.buf;
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	nlh->nlmsg_len -= 2;
	d.len = nlh->nlmsg_len;
	seed_dgram(&d);
	seed_end("sa-dump-unaligned");

	seed_begin(C_KEY_ADD, C_NONE, FLAG_FAMILY);
	put_error(&d, NLMSG_ERROR, -ENOSPC, "pool is full", -1, -1, &room,
		  sizeof(room));
	seed_dgram(&d);
	seed_end("key-add-enospc");

	seed_begin(C_KEY_ADD, C_COMMIT, FLAG_FAMILY);
	put_error(&d, NLMSG_ERROR, -EINVAL, "key size differs from the link's key-bits",
		  OFFS_KEY1_MAT, -1, NULL, 0);
	seed_dgram(&d);
	put_ack(&d);
	seed_dgram(&d);
	seed_end("key-add-einval-commit");

	seed_begin(C_KEY_TAKE, C_NONE, FLAG_FAMILY);
	nlh = genl_begin(&d, QKD_CMD_KEY_TAKE, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	put_key(nlh, true);
	msg_end(&d, nlh);
	put_ack(&d);
	seed_dgram(&d);
	seed_end("key-take");

	seed_begin(C_KEY_EXPORT, C_NONE, FLAG_FAMILY);
	nlh = genl_begin(&d, QKD_CMD_KEY_EXPORT, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	mnl_attr_put_u32(nlh, QKD_A_KEY_SERIAL, 123456789);
	put_key(nlh, false);
	msg_end(&d, nlh);
	seed_dgram(&d);
	put_ack(&d);
	seed_dgram(&d);
	seed_end("key-export");

	seed_begin(C_LINK_NEW, C_NONE, FLAG_FAMILY);
	put_error(&d, NLMSG_ERROR, -ERANGE, "integer out of range", 76, -1, NULL, 0);
	seed_dgram(&d);
	seed_end("link-new-erange");

	/*
	 * A message claiming 2 GiB, which libmnl 1.0.4's mnl_nlmsg_ok() took
	 * for one that fits (libqkd then read far past its buffer), as a
	 * reply and as an event.
	 */
	seed_begin(C_LINK_GET, C_EVENTS, FLAG_FAMILY);
	nlh = msg_begin(&d, NLMSG_NOOP, 0);
	msg_end(&d, nlh);
	nlh->nlmsg_len = 0x80000010;
	seed_dgram(&d);
	nlh = genl_begin(&d, QKD_CMD_EVENT_EMPTY, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	msg_end(&d, nlh);
	nlh->nlmsg_len = 0xfff80600;
	seed_dgram(&d);
	seed_end("huge-nlmsg-len");

	seed_begin(C_EVENTS, C_NONE, FLAG_FAMILY);
	put_event(&d, QKD_CMD_EVENT_LOW_WATER);
	put_event(&d, QKD_CMD_EVENT_REKEY);
	seed_dgram(&d);
	put_event(&d, QKD_CMD_EVENT_SA_ERROR);
	put_event(&d, QKD_CMD_EVENT_DISCARD);
	put_event(&d, QKD_CMD_EVENT_EMPTY);
	seed_dgram(&d);
	seed_end("events");
}

