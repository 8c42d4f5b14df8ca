// SPDX-License-Identifier: GPL-2.0
/*
 * The link and SA commands of the "qkd" family: a link's settings from
 * its attributes and back, its creation, change, deletion and dumps, a
 * rekey on request, and the dump of the SAs the module installed.
 *
 * Every command runs in process context under genl_mutex (the family is not
 * parallel_ops) and takes the namespace's qkd_net.lock around its work. A
 * request is checked in three steps: the policy (types, lengths, ranges),
 * then qkd_link_cfg_verify() on the whole resulting link, then the change,
 * so that a refused request changes nothing.
 */
#include <net/genetlink.h>

#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "sa.h"

static int addr_apply(struct nlattr *nla, u16 *family, xfrm_address_t *addr,
		      struct netlink_ext_ack *extack)
{
	if (!nla)
		return 0;

	switch (nla_len(nla)) {
	case sizeof(struct in_addr):
		*family = AF_INET;
		break;
	case sizeof(struct in6_addr):
		*family = AF_INET6;
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	nla_memcpy(addr, nla, sizeof(*addr));
	return 0;
}

/* Copies every setting present in the request over @cfg. */
static int link_cfg_apply(struct qkd_link_cfg *cfg, struct nlattr **tb,
			  struct netlink_ext_ack *extack)
{
	static const int saes[] = { QKD_A_LINK_LOCAL_SAE, QKD_A_LINK_PEER_SAE };
	int ret, i;

	for (i = 0; i < ARRAY_SIZE(saes); i++) {
		if (tb[saes[i]] && !qkd_nl_string_whole(tb[saes[i]])) {
			NL_SET_ERR_MSG_ATTR(extack, tb[saes[i]],
					    "SAE ID: bytes after its terminating NUL");
			return -EINVAL;
		}
	}
	if (tb[QKD_A_LINK_LOCAL_SAE])
		nla_strscpy(cfg->local_sae, tb[QKD_A_LINK_LOCAL_SAE], sizeof(cfg->local_sae));
	if (tb[QKD_A_LINK_PEER_SAE])
		nla_strscpy(cfg->peer_sae, tb[QKD_A_LINK_PEER_SAE], sizeof(cfg->peer_sae));

	ret = addr_apply(tb[QKD_A_LINK_LOCAL_ADDR], &cfg->local_family,
			 &cfg->local_addr, extack);
	if (ret)
		return ret;
	ret = addr_apply(tb[QKD_A_LINK_PEER_ADDR], &cfg->peer_family,
			 &cfg->peer_addr, extack);
	if (ret)
		return ret;

	if (tb[QKD_A_LINK_REQID])
		cfg->reqid = nla_get_u32(tb[QKD_A_LINK_REQID]);
	if (tb[QKD_A_LINK_IF_ID])
		cfg->if_id = nla_get_u32(tb[QKD_A_LINK_IF_ID]);
	if (tb[QKD_A_LINK_MODE])
		cfg->mode = nla_get_u8(tb[QKD_A_LINK_MODE]);
	if (tb[QKD_A_LINK_CIPHER])
		cfg->cipher = nla_get_u8(tb[QKD_A_LINK_CIPHER]);
	if (tb[QKD_A_LINK_KEY_BITS])
		cfg->key_bits = nla_get_u16(tb[QKD_A_LINK_KEY_BITS]);
	if (tb[QKD_A_LINK_CAPACITY])
		cfg->capacity = nla_get_u32(tb[QKD_A_LINK_CAPACITY]);
	if (tb[QKD_A_LINK_LOW_WATER])
		cfg->low_water = nla_get_u32(tb[QKD_A_LINK_LOW_WATER]);
	if (tb[QKD_A_LINK_REKEY_TIME])
		cfg->rekey_time = nla_get_u32(tb[QKD_A_LINK_REKEY_TIME]);
	if (tb[QKD_A_LINK_REKEY_BYTES])
		cfg->rekey_bytes = nla_get_u64(tb[QKD_A_LINK_REKEY_BYTES]);
	if (tb[QKD_A_LINK_REKEY_PACKETS])
		cfg->rekey_packets = nla_get_u64(tb[QKD_A_LINK_REKEY_PACKETS]);
	if (tb[QKD_A_LINK_ON_EMPTY])
		cfg->on_empty = nla_get_u8(tb[QKD_A_LINK_ON_EMPTY]);
	if (tb[QKD_A_LINK_MAX_KEY_AGE])
		cfg->max_key_age = nla_get_u32(tb[QKD_A_LINK_MAX_KEY_AGE]);
	if (tb[QKD_A_LINK_CONSUMER])
		cfg->consumer = nla_get_u8(tb[QKD_A_LINK_CONSUMER]);
	if (tb[QKD_A_LINK_RX_WINDOW])
		cfg->rx_window = nla_get_u8(tb[QKD_A_LINK_RX_WINDOW]);
	return 0;
}

static int pool_fill(struct sk_buff *skb, int type, const struct qkd_link *link,
		     u8 dir)
{
	const struct qkd_pool *pool = &link->pool[dir];
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, QKD_A_POOL_KEYS, pool->count) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_BYTES,
			      (u64)pool->count * (link->cfg.key_bits / 8),
			      QKD_A_POOL_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_ADDED, pool->added, QKD_A_POOL_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_USED, pool->used, QKD_A_POOL_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_EXPORTED, pool->exported,
			      QKD_A_POOL_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_DISCARDED_FLUSH,
			      pool->discarded[QKD_DISCARD_FLUSH], QKD_A_POOL_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_DISCARDED_EXPIRED,
			      pool->discarded[QKD_DISCARD_EXPIRED], QKD_A_POOL_PAD) ||
	    nla_put_u32(skb, QKD_A_POOL_STAGED, pool->staged) ||
	    nla_put_u64_64bit(skb, QKD_A_POOL_DISCARDED_UNCOMMITTED,
			      pool->discarded[QKD_DISCARD_UNCOMMITTED], QKD_A_POOL_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int link_fill(struct sk_buff *skb, const struct qkd_link *link,
		     u32 portid, u32 seq, int flags, struct netlink_callback *cb)
{
	const struct qkd_link_cfg *cfg = &link->cfg;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &qkd_genl_family, flags,
			  QKD_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	if (nla_put_string(skb, QKD_A_LINK_NAME, link->name) ||
	    nla_put_u32(skb, QKD_A_LINK_ID, link->id) ||
	    (cfg->local_sae[0] &&
	     nla_put_string(skb, QKD_A_LINK_LOCAL_SAE, cfg->local_sae)) ||
	    (cfg->peer_sae[0] &&
	     nla_put_string(skb, QKD_A_LINK_PEER_SAE, cfg->peer_sae)) ||
	    (cfg->local_family == AF_INET &&
	     nla_put_in_addr(skb, QKD_A_LINK_LOCAL_ADDR, cfg->local_addr.a4)) ||
	    (cfg->local_family == AF_INET6 &&
	     nla_put_in6_addr(skb, QKD_A_LINK_LOCAL_ADDR, &cfg->local_addr.in6)) ||
	    (cfg->peer_family == AF_INET &&
	     nla_put_in_addr(skb, QKD_A_LINK_PEER_ADDR, cfg->peer_addr.a4)) ||
	    (cfg->peer_family == AF_INET6 &&
	     nla_put_in6_addr(skb, QKD_A_LINK_PEER_ADDR, &cfg->peer_addr.in6)) ||
	    nla_put_u32(skb, QKD_A_LINK_REQID, cfg->reqid) ||
	    nla_put_u32(skb, QKD_A_LINK_IF_ID, cfg->if_id) ||
	    nla_put_u8(skb, QKD_A_LINK_MODE, cfg->mode) ||
	    nla_put_u8(skb, QKD_A_LINK_CIPHER, cfg->cipher) ||
	    nla_put_u16(skb, QKD_A_LINK_KEY_BITS, cfg->key_bits) ||
	    nla_put_u32(skb, QKD_A_LINK_CAPACITY, cfg->capacity) ||
	    nla_put_u32(skb, QKD_A_LINK_LOW_WATER, cfg->low_water) ||
	    nla_put_u32(skb, QKD_A_LINK_REKEY_TIME, cfg->rekey_time) ||
	    nla_put_u64_64bit(skb, QKD_A_LINK_REKEY_BYTES, cfg->rekey_bytes,
			      QKD_A_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_LINK_REKEY_PACKETS, cfg->rekey_packets,
			      QKD_A_PAD) ||
	    nla_put_u8(skb, QKD_A_LINK_ON_EMPTY, cfg->on_empty) ||
	    nla_put_u32(skb, QKD_A_LINK_MAX_KEY_AGE, cfg->max_key_age) ||
	    nla_put_u8(skb, QKD_A_LINK_CONSUMER, cfg->consumer) ||
	    nla_put_u8(skb, QKD_A_LINK_RX_WINDOW, cfg->rx_window) ||
	    pool_fill(skb, QKD_A_POOL_OUT, link, QKD_DIR_OUT) ||
	    pool_fill(skb, QKD_A_POOL_IN, link, QKD_DIR_IN) ||
	    nla_put_u64_64bit(skb, QKD_A_LINK_BATCH, link->batch, QKD_A_PAD) ||
	    nla_put_u64_64bit(skb, QKD_A_LINK_STAGED,
			      link->staged_batch == QKD_BATCH_KEYRING ? 0 :
			      link->staged_batch,
			      QKD_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int qkd_nl_link_new(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct qkd_link_cfg *cfg;
	struct qkd_link *link;
	const char *name;
	int ret;

	name = qkd_nl_link_name(info->attrs, info->extack);
	if (!name)
		return -EINVAL;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	qkd_link_cfg_defaults(cfg);
	ret = link_cfg_apply(cfg, tb, info->extack);
	if (ret)
		goto out_free;
	/* The low-water mark follows a given capacity unless set itself. */
	if (tb[QKD_A_LINK_CAPACITY] && !tb[QKD_A_LINK_LOW_WATER])
		cfg->low_water = cfg->capacity / 4;

	mutex_lock(&qn->lock);
	if (qkd_link_find(qn, name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[QKD_A_LINK_NAME],
				    "a link with this name already exists");
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = qkd_link_cfg_verify(qn, NULL, cfg, tb, info->extack);
	if (ret)
		goto out_unlock;
	link = qkd_link_create(genl_info_net(info), name, cfg, info->extack);
	if (IS_ERR(link))
		ret = PTR_ERR(link);
	else
		qkd_sa_kick(link);
out_unlock:
	mutex_unlock(&qn->lock);
out_free:
	kfree(cfg);
	return ret;
}

static bool sa_settings_differ(const struct qkd_link_cfg *a,
			       const struct qkd_link_cfg *b)
{
	return strcmp(a->local_sae, b->local_sae) ||
	       strcmp(a->peer_sae, b->peer_sae) ||
	       a->local_family != b->local_family ||
	       a->peer_family != b->peer_family ||
	       memcmp(&a->local_addr, &b->local_addr, sizeof(a->local_addr)) ||
	       memcmp(&a->peer_addr, &b->peer_addr, sizeof(a->peer_addr)) ||
	       a->reqid != b->reqid || a->if_id != b->if_id ||
	       a->mode != b->mode || a->cipher != b->cipher ||
	       a->consumer != b->consumer;
}

int qkd_nl_link_set(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct qkd_link_cfg *cfg;
	struct qkd_link *link;
	const char *name;
	int ret;

	name = qkd_nl_link_name(info->attrs, info->extack);
	if (!name)
		return -EINVAL;

	cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (!link) {
		ret = -ENOENT;
		goto out_unlock;
	}
	*cfg = link->cfg;
	ret = link_cfg_apply(cfg, tb, info->extack);
	if (ret)
		goto out_unlock;
	ret = qkd_link_cfg_verify(qn, link, cfg, tb, info->extack);
	if (ret)
		goto out_unlock;
	/* SAs built on the old settings go; new ones come from new keys. */
	ret = qkd_link_rebind(qn, link, cfg);
	if (ret)
		goto out_unlock;
	if (sa_settings_differ(&link->cfg, cfg))
		qkd_sa_flush(link);
	link->cfg = *cfg;
	/* The next out SA was built on the old settings. */
	qkd_sa_unprepare(link);
	qn->genid++;
	qkd_sa_kick(link);
out_unlock:
	mutex_unlock(&qn->lock);
	kfree(cfg);
	return ret;
}

int qkd_nl_link_del(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct qkd_link *link;
	const char *name;
	int ret = 0;

	name = qkd_nl_link_name(info->attrs, info->extack);
	if (!name)
		return -EINVAL;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (link)
		qkd_link_destroy(qn, link);
	else
		ret = -ENOENT;
	mutex_unlock(&qn->lock);
	return ret;
}

int qkd_nl_link_get(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct qkd_link *link;
	struct sk_buff *msg;
	const char *name;
	int ret;

	name = qkd_nl_link_name(info->attrs, info->extack);
	if (!name)
		return -EINVAL;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	if (link)
		ret = link_fill(msg, link, info->snd_portid, info->snd_seq, 0,
				NULL);
	else
		ret = -ENOENT;
	mutex_unlock(&qn->lock);

	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: id of the last link sent; the walk resumes after it. */
int qkd_nl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct qkd_net *qn = qkd_net(sock_net(skb->sk));
	unsigned long last = cb->args[0], id;
	struct qkd_link *link;

	mutex_lock(&qn->lock);
	cb->seq = qn->genid;
	xa_for_each_start(&qn->links, id, link, last + 1) {
		if (link_fill(skb, link, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			break;
		last = id;
	}
	mutex_unlock(&qn->lock);

	cb->args[0] = last;
	return skb->len;
}

int qkd_nl_link_rekey(struct sk_buff *skb, struct genl_info *info)
{
	struct qkd_net *qn = qkd_net(genl_info_net(info));
	struct nlattr *name = info->attrs[QKD_A_LINK_NAME];
	struct qkd_link *link;
	int ret;

	if (!qkd_nl_link_name(info->attrs, info->extack))
		return -EINVAL;

	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, info->attrs, info->extack);
	ret = link ? qkd_sa_rekey(link) : -ENOENT;
	mutex_unlock(&qn->lock);

	switch (ret) {
	case -EINVAL:
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "link not ready for xfrm: it needs consumer xfrm, both addresses and a reqid or if-id");
		break;
	case -EAGAIN:
		NL_SET_ERR_MSG_ATTR(info->extack, name, "no out key to rekey with");
		break;
	case -EIO:
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "the new SA could not be installed (see the sa-error event)");
		break;
	}
	return ret;
}

/* A dump of one link's SAs names a link that exists. */
int qkd_nl_sa_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *dinfo = genl_dumpit_info(cb);
	struct nlattr *only = dinfo->attrs[QKD_A_LINK_NAME];
	struct qkd_net *qn = qkd_net(sock_net(cb->skb->sk));
	struct qkd_link *link;

	if (!only)
		return 0;
	if (!qkd_nl_link_name(dinfo->attrs, cb->extack))
		return -EINVAL;
	mutex_lock(&qn->lock);
	link = qkd_nl_link_lookup(qn, dinfo->attrs, cb->extack);
	/* The dump starts at that link (and stops after it). */
	if (link)
		cb->args[0] = link->id;
	mutex_unlock(&qn->lock);
	return link ? 0 : -ENOENT;
}

/*
 * One message per SA. cb->args[0]: id of the link being dumped, args[1]:
 * position of the next SA in it. With QKD_A_LINK_NAME, that link only
 * (the dump's start found it).
 */
int qkd_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *dinfo = genl_dumpit_info(cb);
	struct nlattr *only = dinfo->attrs[QKD_A_LINK_NAME];
	struct qkd_net *qn = qkd_net(sock_net(skb->sk));
	struct qkd_link *link;
	unsigned long id;
	void *hdr;
	int ret = 0;

	/* args[2]: the one link asked for is done. */
	if (cb->args[2])
		return 0;
	mutex_lock(&qn->lock);
	xa_for_each_start(&qn->links, id, link, cb->args[0]) {
		if (only && nla_strcmp(only, link->name))
			continue;
		if (link->id != cb->args[0]) {
			cb->args[0] = link->id;
			cb->args[1] = 0;
		}
		for (;;) {
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &qkd_genl_family,
					  NLM_F_MULTI, QKD_CMD_SA_GET);
			if (!hdr)
				goto out;
			if (nla_put_string(skb, QKD_A_LINK_NAME, link->name)) {
				genlmsg_cancel(skb, hdr);
				goto out;
			}
			ret = qkd_sa_fill(skb, link, cb->args[1]);
			if (ret <= 0) {
				genlmsg_cancel(skb, hdr);
				if (ret < 0)
					goto out;
				break;
			}
			genlmsg_end(skb, hdr);
			cb->args[1]++;
		}
		cb->args[0] = link->id + 1;
		cb->args[1] = 0;
		if (only) {
			cb->args[2] = 1;
			break;
		}
	}
out:
	mutex_unlock(&qn->lock);
	return skb->len;
}
