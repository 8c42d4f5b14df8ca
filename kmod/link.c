// SPDX-License-Identifier: GPL-2.0
/*
 * Links: creation, lookup, the rules a link's settings obey, and teardown.
 *
 * Locking: every function here that takes a struct qkd_net runs with its
 * lock (qkd_net.lock) held; the lock protects the list of links, their
 * settings and the id counter. Links are allocated from their own slab
 * cache, so that a link left behind at unload is reported by the slab
 * allocator (kmem_cache_destroy() complains about remaining objects).
 */
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "keyring.h"
#include "link.h"
#include "netns.h"
#include "sa.h"

unsigned int qkd_max_pool_keys __read_mostly = 65536;
module_param_named(max_pool_keys, qkd_max_pool_keys, uint, 0644);
MODULE_PARM_DESC(max_pool_keys, "Largest capacity of one link's pool, in keys per direction");

unsigned int qkd_max_links __read_mostly = 65536;
module_param_named(max_links, qkd_max_links, uint, 0644);
MODULE_PARM_DESC(max_links, "Most links one network namespace may hold");

static struct kmem_cache *link_cache;

int qkd_link_init(void)
{
	link_cache = kmem_cache_create("qkd_link", sizeof(struct qkd_link), 0,
				       SLAB_ACCOUNT, NULL);
	return link_cache ? 0 : -ENOMEM;
}

void qkd_link_exit(void)
{
	rcu_barrier();		/* links freed by call_rcu() */
	kmem_cache_destroy(link_cache);
}

/* Names appear in keyring descriptions ("LINK:DIR:KEYID"): no ':' there. */
bool qkd_link_name_valid(const char *name)
{
	const char *p;

	if (!*name)
		return false;
	/*
	 * Byte by byte in ASCII: the kernel's isalnum() counts the Latin-1
	 * letters 0xC0-0xFF too, which the contract does not allow.
	 */
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

void qkd_link_cfg_defaults(struct qkd_link_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = QKD_MODE_TUNNEL;
	cfg->cipher = QKD_CIPHER_AES_GCM_256;
	cfg->key_bits = QKD_LINK_DEFAULT_KEY_BITS;
	cfg->capacity = QKD_LINK_DEFAULT_CAPACITY;
	cfg->low_water = QKD_LINK_DEFAULT_CAPACITY / 4;
	cfg->rekey_time = QKD_LINK_DEFAULT_REKEY_TIME;
	cfg->on_empty = QKD_ON_EMPTY_HOLD;
	cfg->max_key_age = QKD_LINK_DEFAULT_MAX_KEY_AGE;
	cfg->consumer = QKD_CONSUMER_XFRM;
	cfg->rx_window = QKD_LINK_DEFAULT_RX_WINDOW;
}

static unsigned int cipher_key_bits(u8 cipher)
{
	switch (cipher) {
	case QKD_CIPHER_AES_GCM_128:
		return 128;
	case QKD_CIPHER_AES_GCM_256:
	case QKD_CIPHER_CHACHA20_POLY1305:
	default:
		return 256;
	}
}

/* The attribute a refusal points at: the one in the request, if any. */
static struct nlattr *attr(struct nlattr **tb, int type)
{
	return tb ? tb[type] : NULL;
}

/* For a rule between two settings: the first of them the request holds. */
static struct nlattr *either(struct nlattr **tb, int first, int second)
{
	return attr(tb, first) ?: attr(tb, second);
}

/*
 * The rules that involve more than one setting, or other links. The single
 * values have passed the netlink policy already; @self is the link being
 * changed (NULL for a new one), which may keep its own reqid and if-id.
 */
int qkd_link_cfg_verify(struct qkd_net *qn, const struct qkd_link *self,
			const struct qkd_link_cfg *cfg, struct nlattr **tb,
			struct netlink_ext_ack *extack)
{
	struct qkd_link *other;
	u32 held_out, held_in;

	lockdep_assert_held(&qn->lock);

	if (cfg->reqid && cfg->if_id) {
		NL_SET_ERR_MSG_ATTR(extack, either(tb, QKD_A_LINK_IF_ID, QKD_A_LINK_REQID),
				    "reqid and if-id exclude each other");
		return -EINVAL;
	}
	if (cfg->key_bits % 8) {
		NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_KEY_BITS),
				    "key-bits must be a multiple of 8");
		return -EINVAL;
	}
	if (cfg->key_bits < cipher_key_bits(cfg->cipher)) {
		NL_SET_ERR_MSG_ATTR(extack, either(tb, QKD_A_LINK_KEY_BITS, QKD_A_LINK_CIPHER),
				    "key-bits too short for the cipher");
		return -EINVAL;
	}
	if (cfg->capacity > READ_ONCE(qkd_max_pool_keys)) {
		NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_CAPACITY),
				    "capacity above the module's max_pool_keys");
		return -ERANGE;
	}
	if (cfg->low_water > cfg->capacity) {
		NL_SET_ERR_MSG_ATTR(extack, either(tb, QKD_A_LINK_LOW_WATER, QKD_A_LINK_CAPACITY),
				    "low-water above the capacity");
		return -ERANGE;
	}
	if (cfg->max_key_age && cfg->max_key_age < cfg->rekey_time) {
		NL_SET_ERR_MSG_ATTR(extack,
				    either(tb, QKD_A_LINK_MAX_KEY_AGE, QKD_A_LINK_REKEY_TIME),
				    "max-key-age below rekey-time");
		return -ERANGE;
	}
	if (cfg->local_family && cfg->peer_family &&
	    cfg->local_family != cfg->peer_family) {
		NL_SET_ERR_MSG_ATTR(extack, either(tb, QKD_A_LINK_PEER_ADDR, QKD_A_LINK_LOCAL_ADDR),
				    "local-addr and peer-addr are of different families");
		return -EINVAL;
	}

	/*
	 * Held keys, staged ones included, were cut to the link's key size
	 * and fill its pools.
	 */
	held_out = self ? qkd_pool_held(self, QKD_DIR_OUT) : 0;
	held_in = self ? qkd_pool_held(self, QKD_DIR_IN) : 0;
	if (held_out || held_in) {
		if (cfg->key_bits != self->cfg.key_bits) {
			NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_KEY_BITS),
					    "key-bits cannot change while the link holds keys");
			return -EBUSY;
		}
		if (cfg->capacity < max(held_out, held_in)) {
			NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_CAPACITY),
					    "capacity below the keys the link holds");
			return -EBUSY;
		}
	}

	other = cfg->reqid ? xa_load(&qn->by_reqid, cfg->reqid) : NULL;
	if (other && other != self) {
		NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_REQID),
				    "reqid already bound to another link");
		return -EEXIST;
	}
	other = cfg->if_id ? xa_load(&qn->by_if_id, cfg->if_id) : NULL;
	if (other && other != self) {
		NL_SET_ERR_MSG_ATTR(extack, attr(tb, QKD_A_LINK_IF_ID),
				    "if-id already bound to another link");
		return -EEXIST;
	}
	return 0;
}

/*
 * The name table is keyed by the whole name buffer: a link's is zeroed
 * past its NUL (the link is allocated zeroed), and so is a lookup's key.
 */
static const struct rhashtable_params name_params = {
	.key_len = QKD_LINK_NAME_MAX + 1,
	.key_offset = offsetof(struct qkd_link, name),
	.head_offset = offsetof(struct qkd_link, name_node),
	.automatic_shrinking = true,
};

int qkd_links_init(struct qkd_net *qn)
{
	xa_init_flags(&qn->links, XA_FLAGS_ACCOUNT);
	xa_init_flags(&qn->by_reqid, XA_FLAGS_ACCOUNT);
	xa_init_flags(&qn->by_if_id, XA_FLAGS_ACCOUNT);
	return rhashtable_init(&qn->names, &name_params);
}

/* Once every link is gone. */
void qkd_links_exit(struct qkd_net *qn)
{
	rhashtable_destroy(&qn->names);
	xa_destroy(&qn->by_if_id);
	xa_destroy(&qn->by_reqid);
	xa_destroy(&qn->links);
}

struct qkd_link *qkd_link_find(struct qkd_net *qn, const char *name)
{
	char key[QKD_LINK_NAME_MAX + 1] = {};

	lockdep_assert_held(&qn->lock);

	if (strscpy(key, name, sizeof(key)) < 0)
		return NULL;
	return rhashtable_lookup_fast(&qn->names, key, name_params);
}

/* Enters @link under a reqid or if-id @id (0: none) it did not hold. */
static int bind_id(struct xarray *xa, u32 id, u32 old, struct qkd_link *link)
{
	if (!id || id == old)
		return 0;
	return xa_insert(xa, id, link, GFP_KERNEL_ACCOUNT);
}

static void unbind_id(struct xarray *xa, u32 id, u32 keep)
{
	if (id && id != keep)
		xa_erase(xa, id);
}

/*
 * Moves @link to @cfg's reqid and if-id, which qkd_link_cfg_verify() found
 * free: the new entries first, so that a failed allocation changes nothing.
 */
int qkd_link_rebind(struct qkd_net *qn, struct qkd_link *link,
		    const struct qkd_link_cfg *cfg)
{
	int ret;

	lockdep_assert_held(&qn->lock);

	ret = bind_id(&qn->by_reqid, cfg->reqid, link->cfg.reqid, link);
	if (ret)
		return ret;
	ret = bind_id(&qn->by_if_id, cfg->if_id, link->cfg.if_id, link);
	if (ret) {
		unbind_id(&qn->by_reqid, cfg->reqid, link->cfg.reqid);
		return ret;
	}
	unbind_id(&qn->by_reqid, link->cfg.reqid, cfg->reqid);
	unbind_id(&qn->by_if_id, link->cfg.if_id, cfg->if_id);
	return 0;
}

/* Enters a new link (its id, name and settings set) in every table. */
static int index_add(struct qkd_net *qn, struct qkd_link *link)
{
	int ret;

	ret = xa_insert(&qn->links, link->id, link, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret;
	ret = rhashtable_lookup_insert_fast(&qn->names, &link->name_node, name_params);
	if (ret)
		goto err_id;
	ret = bind_id(&qn->by_reqid, link->cfg.reqid, 0, link);
	if (ret)
		goto err_name;
	ret = bind_id(&qn->by_if_id, link->cfg.if_id, 0, link);
	if (ret)
		goto err_reqid;
	return 0;

err_reqid:
	unbind_id(&qn->by_reqid, link->cfg.reqid, 0);
err_name:
	rhashtable_remove_fast(&qn->names, &link->name_node, name_params);
err_id:
	xa_erase(&qn->links, link->id);
	return ret;
}

static void index_del(struct qkd_net *qn, struct qkd_link *link)
{
	unbind_id(&qn->by_if_id, link->cfg.if_id, 0);
	unbind_id(&qn->by_reqid, link->cfg.reqid, 0);
	rhashtable_remove_fast(&qn->names, &link->name_node, name_params);
	xa_erase(&qn->links, link->id);
}

/* @name and @cfg have been checked by the caller. */
struct qkd_link *qkd_link_create(struct net *net, const char *name,
				 const struct qkd_link_cfg *cfg,
				 struct netlink_ext_ack *extack)
{
	struct qkd_net *qn = qkd_net(net);
	struct qkd_link *link;
	int ret;

	lockdep_assert_held(&qn->lock);

	if (qn->tenant && !READ_ONCE(qkd_allow_userns)) {
		NL_SET_ERR_MSG(extack,
			       "links in a namespace of a non-initial user namespace are off (module parameter allow_userns)");
		return ERR_PTR(-EPERM);
	}
	if (qn->tenant && qn->n_links >= READ_ONCE(qkd_userns_max_links)) {
		NL_SET_ERR_MSG(extack,
			       "too many links in this namespace (module parameter userns_max_links)");
		return ERR_PTR(-EDQUOT);
	}
	if (qn->n_links >= READ_ONCE(qkd_max_links)) {
		NL_SET_ERR_MSG(extack,
			       "too many links in this namespace (module parameter max_links)");
		return ERR_PTR(-ENOSPC);
	}
	/* Ids are never reused; after 2^32 creations the namespace is full. */
	if (!qn->next_id) {
		NL_SET_ERR_MSG(extack, "link ids of this namespace are exhausted");
		return ERR_PTR(-ENOSPC);
	}

	/* The cache is SLAB_ACCOUNT: the caller's memory cgroup pays. */
	link = kmem_cache_zalloc(link_cache, GFP_KERNEL);
	if (!link)
		return ERR_PTR(-ENOMEM);

	link->net = net;
	/* Work done later for the link (its SAs) is charged to it too. */
	link->memcg = get_mem_cgroup_from_mm(current->mm);
	qkd_sa_link_init(link);
	strscpy(link->name, name, sizeof(link->name));
	link->cfg = *cfg;
	ret = qkd_pools_init(link);
	if (ret)
		goto err_free;
	ret = qkd_keyring_link_add(qn, link);
	if (ret)
		goto err_pools;
	link->id = qn->next_id;
	ret = index_add(qn, link);
	if (ret)
		goto err_keyring;

	qn->next_id++;
	qn->n_links++;
	qn->genid++;
	return link;

err_keyring:
	qkd_keyring_link_del(link);
err_pools:
	qkd_pools_destroy(link);
err_free:
	mem_cgroup_put(link->memcg);
	kmem_cache_free(link_cache, link);
	return ERR_PTR(ret);
}

static void link_free_rcu(struct rcu_head *rcu)
{
	struct qkd_link *link = container_of(rcu, struct qkd_link, rcu);

	mem_cgroup_put(link->memcg);
	kmem_cache_free(link_cache, link);
}

void qkd_link_destroy(struct qkd_net *qn, struct qkd_link *link)
{
	lockdep_assert_held(&qn->lock);

	index_del(qn, link);
	qn->n_links--;
	qn->genid++;
	qkd_sa_link_exit(link);
	qkd_sa_flush(link);
	qkd_keyring_link_del(link);
	qkd_pools_destroy(link);
	call_rcu(&link->rcu, link_free_rcu);
}

void qkd_links_flush(struct qkd_net *qn)
{
	struct qkd_link *link;
	unsigned long id;

	xa_for_each(&qn->links, id, link)
		qkd_link_destroy(qn, link);
}
