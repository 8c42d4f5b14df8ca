// SPDX-License-Identifier: GPL-2.0
/*
 * Key commands of the "qkd" family: add (or stage), commit, abort, flush,
 * take, export, and the module-wide statistics.
 *
 * Key material is zeroized wherever it passes: the add request once parsed
 * (on every path, which is why KEY_ADD parses its own attributes), the
 * copies taken out of a pool, and a reply that could not be sent. Like the
 * link commands, each runs under the namespace's qkd_net.lock.
 */
#include <linux/key.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "keyring.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "pool.h"
#include "sa.h"

static const struct nla_policy key_policy[QKD_A_KEY_MAX + 1] = {
	[QKD_A_KEY_DIR]		= NLA_POLICY_MAX(NLA_U8, QKD_DIR_MAX),
	[QKD_A_KEY_ID]		= NLA_POLICY_EXACT_LEN(QKD_KEY_ID_LEN),
	[QKD_A_KEY_MATERIAL]	= NLA_POLICY_RANGE(NLA_BINARY, QKD_KEY_BITS_MIN / 8,
						   QKD_KEY_BITS_MAX / 8),
	[QKD_A_KEY_INDEX]	= { .type = NLA_REJECT,
				    .reject_message = "index is assigned by the kernel" },
};

static const struct nla_policy key_add_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_KEYS]		= NLA_POLICY_NESTED_ARRAY(key_policy),
	[QKD_A_BATCH]		= NLA_POLICY_MIN(NLA_U64, 1),
};

/*
 * Wipes the whole request after its genl header: key material may sit
 * anywhere in a malformed one (a truncated nest, an attribute of the wrong
 * type), and nothing of a refused request is needed after the reply.
 */
static void wipe_request(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len > NLMSG_HDRLEN + GENL_HDRLEN)
		memzero_explicit((u8 *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
				 nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

struct key_batch {
	unsigned int n;
	struct qkd_key_in keys[QKD_KEY_BATCH_MAX];
	struct nlattr *nests[QKD_KEY_BATCH_MAX];
	struct nlattr *ids[QKD_KEY_BATCH_MAX];
	struct nlattr *materials[QKD_KEY_BATCH_MAX];
};

static int batch_parse(struct key_batch *b, struct nlattr *keys,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[QKD_A_KEY_MAX + 1];
	struct nlattr *nest;
	int rem, ret;

	b->n = 0;
	nla_for_each_nested(nest, keys, rem) {
		if (nla_type(nest) != QKD_A_KEY) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "keys holds key entries only");
			return -EINVAL;
		}
		if (b->n == QKD_KEY_BATCH_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "keys: more than QKD_KEY_BATCH_MAX in one message");
			return -E2BIG;
		}
		ret = nla_parse_nested(tb, QKD_A_KEY_MAX, nest, key_policy, extack);
		if (ret)
			return ret;
		if (NL_REQ_ATTR_CHECK(extack, nest, tb, QKD_A_KEY_DIR)) {
			NL_SET_ERR_MSG(extack, "key without a direction");
			return -EINVAL;
		}
		if (NL_REQ_ATTR_CHECK(extack, nest, tb, QKD_A_KEY_ID)) {
			NL_SET_ERR_MSG(extack, "key without an ID");
			return -EINVAL;
		}
		if (NL_REQ_ATTR_CHECK(extack, nest, tb, QKD_A_KEY_MATERIAL)) {
			NL_SET_ERR_MSG(extack, "key without material");
			return -EINVAL;
		}
		b->nests[b->n] = nest;
		b->ids[b->n] = tb[QKD_A_KEY_ID];
		b->materials[b->n] = tb[QKD_A_KEY_MATERIAL];
		b->keys[b->n].dir = nla_get_u8(tb[QKD_A_KEY_DIR]);
		b->keys[b->n].id = nla_data(tb[QKD_A_KEY_ID]);
		b->keys[b->n].material = nla_data(tb[QKD_A_KEY_MATERIAL]);
		b->n++;
	}
	if (rem) {
		NL_SET_ERR_MSG_ATTR(extack, keys, "keys: trailing bytes after the last key entry");
		return -EINVAL;
	}
	if (!b->n) {
		NL_SET_ERR_MSG_ATTR(extack, keys, "keys holds no key");
		return -EINVAL;
	}
	return 0;
}

static int batch_add(struct qkd_link *link, struct key_batch *b,
		     struct nlattr *batch_attr, struct netlink_ext_ack *extack)
{
	u64 batch = batch_attr ? nla_get_u64(batch_attr) : 0;
	struct qkd_room room;
	unsigned int i, bad;
	int ret;

	if (batch == QKD_BATCH_KEYRING) {
		NL_SET_ERR_MSG_ATTR(extack, batch_attr, "batch number reserved");
		return -EINVAL;
	}
	for (i = 0; i < b->n; i++) {
		if (nla_len(b->materials[i]) != link->cfg.key_bits / 8) {
			NL_SET_ERR_MSG_ATTR(extack, b->materials[i],
					    "key material length differs from the link's key-bits");
			return -EINVAL;
		}
	}

	ret = qkd_pool_add(link, b->keys, b->n, batch, &bad);
	switch (ret) {
	case 0:
		break;
	case -EBUSY:
		if (!batch_attr) {
			NL_SET_ERR_MSG(extack,
				       "a batch is staged: keys without a batch may not overtake it");
			NL_SET_ERR_ATTR_MISS(extack, NULL, QKD_A_BATCH);
		} else if (batch == link->staged_batch) {
			NL_SET_ERR_MSG_ATTR(extack, batch_attr,
					    "batch staged already: commit or abort it");
		} else {
			NL_SET_ERR_MSG_ATTR(extack, batch_attr,
					    "another batch is staged: commit or abort it first");
		}
		break;
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(extack, batch_attr,
				    "batch not above the link's committed batch");
		break;
	case -EEXIST:
		NL_SET_ERR_MSG_ATTR(extack, b->ids[bad],
				    "key ID already held by the link: the key streams are out of step");
		break;
	case -ENOSPC:
		/* The room left goes in the cookie: 6.1's extack cannot format. */
		NL_SET_ERR_MSG_ATTR(extack, b->nests[bad], "pool full");
		qkd_pool_room(link, &room);
		BUILD_BUG_ON(sizeof(room) > NETLINK_MAX_COOKIE_LEN);
		memcpy(extack->cookie, &room, sizeof(room));
		extack->cookie_len = sizeof(room);
		break;
	case -EDQUOT:
		if (qkd_net(link->net)->tenant)
			NL_SET_ERR_MSG(extack,
				       "the namespace holds userns_max_keys keys already");
		else
			NL_SET_ERR_MSG(extack,
				       "the initial user namespace's namespaces hold max_keys keys already");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, b->nests[bad], "cannot store the key");
		break;
	}
	return ret;
}

int qkd_nl_key_add(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr *tb[QKD_A_MAX + 1];
	struct key_batch *batch = NULL;
	struct qkd_link *link;
	int ret;

	/* The op carries no GENL_UNS_ADMIN_PERM: a refusal must wipe too. */
	if (!netlink_ns_capable(skb, genl_info_net(info)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "adding keys needs CAP_NET_ADMIN over the namespace");
		ret = -EPERM;
		goto out;
	}
	ret = nlmsg_parse(info->nlhdr, GENL_HDRLEN, tb, QKD_A_MAX,
			  key_add_policy, info->extack);
	if (ret)
		goto out;
	if (!qkd_nl_link_name(tb, info->extack)) {
		ret = -EINVAL;
		goto out;
	}
	if (NL_REQ_ATTR_CHECK(info->extack, NULL, tb, QKD_A_KEYS)) {
		NL_SET_ERR_MSG(info->extack, "keys are required");
		ret = -EINVAL;
		goto out;
	}

	batch = kmalloc(sizeof(*batch), GFP_KERNEL_ACCOUNT);
	if (!batch) {
		ret = -ENOMEM;
		goto out;
	}
	ret = batch_parse(batch, tb[QKD_A_KEYS], info->extack);
	if (ret)
		goto out;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, tb, info->extack);
	ret = link ? batch_add(link, batch, tb[QKD_A_BATCH], info->extack) : -ENOENT;
	/* Staged keys are no use to an SA: only added ones wake the worker. */
	if (!ret && !tb[QKD_A_BATCH])
		qkd_sa_kick(link);
	mutex_unlock(&qn->lock);
out:
	wipe_request(info->nlhdr);
	kfree(batch);
	return ret;
}

/*
 * KEY_ADD sent as a dump: the genl core would refuse it before any code of
 * the module ran (the op has no dump of its own), so it gets one whose start
 * wipes the request and refuses it.
 */
int qkd_nl_key_add_dump_start(struct netlink_callback *cb)
{
	wipe_request(cb->nlh);
	NL_SET_ERR_MSG(cb->extack, "key add is not a dump");
	return -EOPNOTSUPP;
}

int qkd_nl_key_add_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return 0;
}

static int require_dir(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, QKD_A_DIR)) {
		GENL_SET_ERR_MSG(info, "direction is required");
		return -EINVAL;
	}
	return nla_get_u8(info->attrs[QKD_A_DIR]);
}

static int require_batch(struct genl_info *info, u64 *batch)
{
	if (!qkd_nl_link_name(info->attrs, info->extack))
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, QKD_A_BATCH)) {
		GENL_SET_ERR_MSG(info, "batch is required");
		return -EINVAL;
	}
	*batch = nla_get_u64(info->attrs[QKD_A_BATCH]);
	if (*batch == QKD_BATCH_KEYRING) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKD_A_BATCH],
				    "batch number reserved");
		return -EINVAL;
	}
	return 0;
}

int qkd_nl_key_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr *dir_attr = info->attrs[QKD_A_DIR];
	struct qkd_link *link;
	u64 batch;
	int ret;

	ret = require_batch(info, &batch);
	if (ret)
		return ret;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (link) {
		ret = qkd_pool_commit(link, batch,
				      dir_attr ? nla_get_u8(dir_attr) : -1);
		if (ret)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKD_A_BATCH],
					    "batch neither staged nor the link's committed batch");
		else
			qkd_sa_kick(link);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&qn->lock);
	return ret;
}

int qkd_nl_key_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct qkd_link *link;
	u64 batch;
	int ret;

	ret = require_batch(info, &batch);
	if (ret)
		return ret;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (link) {
		ret = qkd_pool_abort(link, batch);
		if (ret)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKD_A_BATCH],
					    "batch not staged");
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&qn->lock);
	return ret;
}

int qkd_nl_key_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr *dir_attr = info->attrs[QKD_A_DIR];
	struct qkd_link *link;
	int dir;

	if (!qkd_nl_link_name(info->attrs, info->extack))
		return -EINVAL;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (link) {
		for (dir = 0; dir <= QKD_DIR_MAX; dir++)
			if (!dir_attr || nla_get_u8(dir_attr) == dir)
				qkd_pool_flush(link, dir, QKD_DISCARD_FLUSH);
	}
	mutex_unlock(&qn->lock);
	return link ? 0 : -ENOENT;
}

/* The link of a take or export: it must hand keys out, and have one. */
static struct qkd_link *export_link(struct qkd_net *qn, struct genl_info *info,
				    u8 dir, struct qkd_key *key, int *ret)
{
	struct qkd_link *link;

	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (!link) {
		*ret = -ENOENT;
		return NULL;
	}
	if (link->cfg.consumer != QKD_CONSUMER_EXPORT) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKD_A_LINK_NAME],
				    "the link's consumer is xfrm: its keys never leave the kernel");
		*ret = -EPERM;
		return NULL;
	}
	*ret = qkd_pool_peek(link, dir, key);
	if (*ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[QKD_A_DIR],
				    "no key in the pool of this direction");
		return NULL;
	}
	return link;
}

static int key_fill(struct sk_buff *skb, const struct qkd_key *key, u8 dir,
		    bool material)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, QKD_A_KEY);
	if (!nest ||
	    nla_put_u8(skb, QKD_A_KEY_DIR, dir) ||
	    nla_put(skb, QKD_A_KEY_ID, QKD_KEY_ID_LEN, key->id) ||
	    nla_put_u64_64bit(skb, QKD_A_KEY_INDEX, key->index, QKD_A_KEY_PAD) ||
	    (material && nla_put(skb, QKD_A_KEY_MATERIAL, key->len, key->material)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static void wipe_skb_free(struct sk_buff *skb)
{
	memzero_explicit(skb->data, skb->len);
	nlmsg_free(skb);
}

/*
 * Hands the oldest key of an export link's pool to the caller, once. The
 * reply is the only copy; if the caller's socket cannot take it, the key
 * is gone all the same (counted as exported), never handed out twice.
 */
int qkd_nl_key_take(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct qkd_link *link;
	struct qkd_key key;
	struct sk_buff *msg;
	void *hdr;
	int dir, ret;

	if (!qkd_nl_link_name(info->attrs, info->extack))
		return -EINVAL;
	dir = require_dir(info);
	if (dir < 0)
		return dir;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&qn->lock);
	link = export_link(qn, info, dir, &key, &ret);
	if (link) {
		hdr = genlmsg_put_reply(msg, info, &qkd_genl_family, 0,
					QKD_CMD_KEY_TAKE);
		if (!hdr || nla_put_string(msg, QKD_A_LINK_NAME, link->name) ||
		    key_fill(msg, &key, dir, true)) {
			ret = -EMSGSIZE;
		} else {
			genlmsg_end(msg, hdr);
			qkd_pool_consume(link, dir, true);
		}
	}
	mutex_unlock(&qn->lock);
	qkd_key_wipe(&key);

	if (ret) {
		wipe_skb_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* Logon keys are described "PREFIX:NAME"; the logon type insists. */
static bool logon_desc_valid(const char *desc)
{
	const char *colon = strchr(desc, ':');

	return colon && colon != desc && colon[1];
}

int qkd_nl_key_export(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	key_ref_t ring, logon;
	struct qkd_link *link;
	struct qkd_key key;
	struct sk_buff *msg;
	const char *desc;
	void *hdr;
	int dir, ret;

	if (!qkd_nl_link_name(tb, info->extack))
		return -EINVAL;
	dir = require_dir(info);
	if (dir < 0)
		return dir;
	if (GENL_REQ_ATTR_CHECK(info, QKD_A_KEYRING)) {
		GENL_SET_ERR_MSG(info, "keyring is required");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, QKD_A_KEY_DESC)) {
		GENL_SET_ERR_MSG(info, "desc is required");
		return -EINVAL;
	}
	desc = nla_data(tb[QKD_A_KEY_DESC]);
	if (!qkd_nl_string_whole(tb[QKD_A_KEY_DESC]) || !logon_desc_valid(desc)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[QKD_A_KEY_DESC],
				    "desc must read PREFIX:NAME, as logon keys do");
		return -EINVAL;
	}

	ring = lookup_user_key(nla_get_s32(tb[QKD_A_KEYRING]), KEY_LOOKUP_CREATE,
			       KEY_NEED_WRITE);
	if (IS_ERR(ring)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[QKD_A_KEYRING],
				    "keyring not found or not writable");
		return PTR_ERR(ring);
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		key_ref_put(ring);
		return -ENOMEM;
	}

	mutex_lock(&qn->lock);
	link = export_link(qn, info, dir, &key, &ret);
	if (!link)
		goto out_unlock;
	hdr = genlmsg_put_reply(msg, info, &qkd_genl_family, 0,
				QKD_CMD_KEY_EXPORT);
	/* Everything that can fail comes before the logon key exists. */
	if (!hdr || nla_put_string(msg, QKD_A_LINK_NAME, link->name) ||
	    key_fill(msg, &key, dir, false) ||
	    skb_tailroom(msg) < nla_total_size(sizeof(s32))) {
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	logon = qkd_keyring_logon_create(ring, desc, &key);
	if (IS_ERR(logon)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[QKD_A_KEY_DESC],
				    "cannot create the logon key");
		ret = PTR_ERR(logon);
		goto out_unlock;
	}
	nla_put_s32(msg, QKD_A_KEY_SERIAL, key_ref_to_ptr(logon)->serial);
	key_ref_put(logon);
	/* The logon key exists now: the pool key has been handed out. */
	qkd_pool_consume(link, dir, true);
	genlmsg_end(msg, hdr);
out_unlock:
	mutex_unlock(&qn->lock);
	qkd_key_wipe(&key);
	key_ref_put(ring);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

int qkd_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_totals *t = &qkd_totals;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &qkd_genl_family, 0,
				QKD_CMD_STATS_GET);
	if (!hdr)
		goto nomem;
	nest = nla_nest_start(msg, QKD_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_KEYS, atomic64_read(&t->keys),
			      QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_MAX_KEYS, READ_ONCE(qkd_max_keys),
			      QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_MEMORY, atomic64_read(&t->memory),
			      QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_ADDED, atomic64_read(&t->added),
			      QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_USED, atomic64_read(&t->used),
			      QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_EXPORTED,
			      atomic64_read(&t->exported), QKD_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, QKD_A_STATS_DISCARDED,
			      atomic64_read(&t->discarded), QKD_A_STATS_PAD))
		goto nomem;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nomem:
	nlmsg_free(msg);
	return -EMSGSIZE;
}
