// SPDX-License-Identifier: GPL-2.0
/*
 * Links: struct qkd_link to and from QKD_A_LINK_* attributes, and the four
 * link commands. One table says where each attribute lives in the struct
 * and how wide it is, so that putting and parsing cannot drift apart.
 *
 * The pools (QKD_A_POOL_OUT, QKD_A_POOL_IN) and the batches
 * (QKD_A_LINK_BATCH, QKD_A_LINK_STAGED) are read, never sent.
 *
 * Nothing here checks values: the kernel is the one judge of a link, and
 * its extack names what it refuses. The tests rely on that to send
 * whatever they like through this library.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "libqkd.h"
#include "internal.h"

enum kind { K_NONE, K_STR, K_ADDR, K_U8, K_U16, K_U32, K_U64, K_POOL };

struct field {
	enum kind kind;
	size_t off;
	size_t size;
};

#define F(k, member) { k, offsetof(struct qkd_link, member), \
		       sizeof(((struct qkd_link *)0)->member) }

static const struct field fields[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]		= F(K_STR, name),
	[QKD_A_LINK_ID]			= F(K_U32, id),
	[QKD_A_LINK_LOCAL_SAE]		= F(K_STR, local_sae),
	[QKD_A_LINK_PEER_SAE]		= F(K_STR, peer_sae),
	[QKD_A_LINK_LOCAL_ADDR]		= F(K_ADDR, local_addr),
	[QKD_A_LINK_PEER_ADDR]		= F(K_ADDR, peer_addr),
	[QKD_A_LINK_REQID]		= F(K_U32, reqid),
	[QKD_A_LINK_IF_ID]		= F(K_U32, if_id),
	[QKD_A_LINK_MODE]		= F(K_U8, mode),
	[QKD_A_LINK_CIPHER]		= F(K_U8, cipher),
	[QKD_A_LINK_KEY_BITS]		= F(K_U16, key_bits),
	[QKD_A_LINK_CAPACITY]		= F(K_U32, capacity),
	[QKD_A_LINK_LOW_WATER]		= F(K_U32, low_water),
	[QKD_A_LINK_REKEY_TIME]		= F(K_U32, rekey_time),
	[QKD_A_LINK_REKEY_BYTES]	= F(K_U64, rekey_bytes),
	[QKD_A_LINK_REKEY_PACKETS]	= F(K_U64, rekey_packets),
	[QKD_A_LINK_ON_EMPTY]		= F(K_U8, on_empty),
	[QKD_A_LINK_MAX_KEY_AGE]	= F(K_U32, max_key_age),
	[QKD_A_LINK_CONSUMER]		= F(K_U8, consumer),
	[QKD_A_LINK_RX_WINDOW]		= F(K_U8, rx_window),
	/* Read only: the kernel reports the pools, nobody sets them. */
	[QKD_A_POOL_OUT]		= F(K_POOL, pool[QKD_DIR_OUT]),
	[QKD_A_POOL_IN]			= F(K_POOL, pool[QKD_DIR_IN]),
	[QKD_A_LINK_BATCH]		= F(K_U64, batch),
	[QKD_A_LINK_STAGED]		= F(K_U64, staged_batch),
};

#define P(member) { offsetof(struct qkd_pool_stats, member), \
		    sizeof(((struct qkd_pool_stats *)0)->member) }

/* Where each QKD_A_POOL_* lives in struct qkd_pool_stats, and its width. */
static const struct {
	size_t off;
	size_t size;
} pool_fields[QKD_A_POOL_MAX + 1] = {
	[QKD_A_POOL_KEYS]		= P(keys),
	[QKD_A_POOL_BYTES]		= P(bytes),
	[QKD_A_POOL_ADDED]		= P(added),
	[QKD_A_POOL_USED]		= P(used),
	[QKD_A_POOL_EXPORTED]		= P(exported),
	[QKD_A_POOL_DISCARDED_FLUSH]	= P(discarded_flush),
	[QKD_A_POOL_DISCARDED_EXPIRED]	= P(discarded_expired),
	[QKD_A_POOL_STAGED]		= P(staged),
	[QKD_A_POOL_DISCARDED_UNCOMMITTED] = P(discarded_uncommitted),
};

_Static_assert(QKD_A_MAX < 64, "struct qkd_link.present has 64 bits");

static const size_t int_size[] = {
	[K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_U64] = 8,
};

static size_t addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	/* An address without a family goes out empty: the kernel refuses it. */
	return 0;
}

void qkd_link_put(struct nlmsghdr *nlh, const struct qkd_link *l)
{
	int type;

	for (type = 0; type <= QKD_A_MAX; type++) {
		const struct field *f = &fields[type];
		const char *p = (const char *)l + f->off;

		if (f->kind == K_NONE || f->kind == K_POOL ||
		    type == QKD_A_LINK_ID || type == QKD_A_LINK_BATCH ||
		    type == QKD_A_LINK_STAGED || !qkd_link_has(l, type))
			continue;
		switch (f->kind) {
		case K_STR:
			mnl_attr_put_strz(nlh, type, p);
			break;
		case K_ADDR:
			mnl_attr_put(nlh, type, addr_len(l->family), p);
			break;
		default:
			/* The struct holds each integer in its host order. */
			mnl_attr_put(nlh, type, int_size[f->kind], p);
			break;
		}
	}
}

struct parse {
	struct qkd_link *l;
	int ret;
};

/* A pool nest; unknown attributes are skipped, like the top level's. */
static int parse_pool(const struct nlattr *nest, struct qkd_pool_stats *ps)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		int type = mnl_attr_get_type(attr);

		if (type > QKD_A_POOL_MAX || !pool_fields[type].size)
			continue;	/* newer kernel, or QKD_A_POOL_PAD */
		if (mnl_attr_get_payload_len(attr) != pool_fields[type].size)
			return -EBADMSG;
		memcpy((char *)ps + pool_fields[type].off,
		       mnl_attr_get_payload(attr), pool_fields[type].size);
	}
	return 0;
}

static int parse_attr(const struct nlattr *attr, struct qkd_link *l)
{
	int type = mnl_attr_get_type(attr);
	const void *data = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	const struct field *f;
	char *p;
	int family;

	if (type > QKD_A_MAX || fields[type].kind == K_NONE)
		return 0;	/* newer kernel, or QKD_A_PAD */
	f = &fields[type];
	p = (char *)l + f->off;

	switch (f->kind) {
	case K_STR:
		if (len == 0 || len > f->size || ((const char *)data)[len - 1])
			return -EBADMSG;
		memcpy(p, data, len);
		break;
	case K_ADDR:
		if (len == 4)
			family = AF_INET;
		else if (len == 16)
			family = AF_INET6;
		else
			return -EBADMSG;
		/* One family field serves both addresses. */
		if (l->family && l->family != family)
			return -EBADMSG;
		l->family = family;
		memcpy(p, data, len);
		break;
	case K_POOL:
		if (parse_pool(attr, (struct qkd_pool_stats *)p))
			return -EBADMSG;
		break;
	default:
		if (len != int_size[f->kind])
			return -EBADMSG;
		memcpy(p, data, len);
		break;
	}
	qkd_link_mark(l, type);
	return 0;
}

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	struct parse *ps = data;

	ps->ret = parse_attr(attr, ps->l);
	return ps->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

int qkd_link_parse(const struct nlmsghdr *nlh, struct qkd_link *l)
{
	struct parse ps = { .l = l };

	memset(l, 0, sizeof(*l));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_attr_cb,
			   &ps) != MNL_CB_OK)
		return ps.ret ? ps.ret : -EBADMSG;
	return 0;
}

static int link_change(struct qkd_nl *nl, uint8_t cmd,
		       const struct qkd_link *l, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, cmd, 0);

	qkd_link_put(nlh, l);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

int qkd_link_new(struct qkd_nl *nl, const struct qkd_link *l,
		 struct qkd_err *err)
{
	return link_change(nl, QKD_CMD_LINK_NEW, l, err);
}

int qkd_link_set(struct qkd_nl *nl, const struct qkd_link *l,
		 struct qkd_err *err)
{
	return link_change(nl, QKD_CMD_LINK_SET, l, err);
}

int qkd_link_del(struct qkd_nl *nl, const char *name, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_LINK_DEL, 0);

	/* A NULL name sends none, for tests of the kernel's refusal. */
	if (name)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

struct get {
	struct qkd_link *l;
	bool found;
};

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get *g = data;
	int ret;

	ret = qkd_link_parse(nlh, g->l);
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	g->found = true;
	return MNL_CB_STOP;
}

int qkd_link_get(struct qkd_nl *nl, const char *name, struct qkd_link *l,
		 struct qkd_err *err)
{
	struct get g = { .l = l };
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_LINK_GET, 0);
	int ret;

	if (name)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, name);
	ret = qkd_nl_talk(nl, nlh, get_cb, &g, err);
	if (ret)
		return ret;
	/* An ACK with no link before it: the kernel broke its promise. */
	return g.found ? 0 : qkd_err_fail(err, -EPROTO);
}

struct dump {
	int (*fn)(const struct qkd_link *l, void *arg);
	void *arg;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct qkd_link l;
	int ret;

	ret = qkd_link_parse(nlh, &l);
	if (!ret)
		ret = d->fn(&l, d->arg);
	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	/* A positive return stops the walk without an error. */
	return ret ? MNL_CB_STOP : MNL_CB_OK;
}

int qkd_link_dump(struct qkd_nl *nl,
		  int (*fn)(const struct qkd_link *l, void *arg), void *arg,
		  struct qkd_err *err)
{
	struct dump d = { .fn = fn, .arg = arg };
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_LINK_GET, NLM_F_DUMP);

	return qkd_nl_talk(nl, nlh, dump_cb, &d, err);
}
