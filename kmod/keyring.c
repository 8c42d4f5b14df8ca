// SPDX-License-Identifier: GPL-2.0
/*
 * Keyring integration.
 *
 * Key type "qkd" has no read method: no key material ever reaches
 * userspace through it. Its keys are of two kinds:
 *
 * - a link's key, named after the link, in a keyring ".qkd" per network
 *   namespace (made when the namespace's first link is). Its description,
 *   as /proc/keys and `keyctl describe` show it, carries the pool state:
 *   "dc1: out 10/4096 in 12/4096". It points at its link under RCU; the
 *   link's deletion clears the pointer and invalidates the key.
 *
 * - a receipt: add_key("qkd", "LINK:in|out:KEYID", material, ring) feeds
 *   the material into that link's pool of the caller's namespace, with the
 *   checks of a netlink key add and CAP_NET_ADMIN over the namespace, and
 *   leaves an empty key that expires at once.
 *
 * Export turns the next key of an export link into a "logon" key, which
 * in-kernel users such as dm-crypt take by description and userspace can
 * never read.
 */
#include <keys/user-type.h>
#include <linux/capability.h>
#include <linux/key-type.h>
#include <linux/nsproxy.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>
#include <linux/uuid.h>
#include <net/net_namespace.h>

#include "keyring.h"
#include "link.h"
#include "netns.h"
#include "pool.h"
#include "sa.h"

/* The payload a link's own key is made with; userspace cannot pass it. */
static const char link_key_marker;
/* Where an add_key() stands between preparse and free_preparse (ingest()). */
static char staged_marker, receipt_marker;

static void describe(const struct key *key, struct seq_file *m)
{
	const struct qkd_link *link;

	seq_puts(m, key->description);
	link = rcu_dereference(key->payload.rcu_data0);
	if (link && key_is_positive(key))
		seq_printf(m, ": out %u/%u in %u/%u",
			   READ_ONCE(link->pool[QKD_DIR_OUT].count),
			   READ_ONCE(link->cfg.capacity),
			   READ_ONCE(link->pool[QKD_DIR_IN].count),
			   READ_ONCE(link->cfg.capacity));
}

/* "LINK:in|out:KEYID", KEYID a UUID. */
static int parse_receipt(const char *desc, char *name, u8 *dir, uuid_t *id)
{
	const char *c1, *c2;

	c1 = strchr(desc, ':');
	if (!c1 || c1 == desc || c1 - desc > QKD_LINK_NAME_MAX)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (!c2)
		return -EINVAL;
	memcpy(name, desc, c1 - desc);
	name[c1 - desc] = '\0';

	if (c2 - c1 - 1 == 3 && !memcmp(c1 + 1, "out", 3))
		*dir = QKD_DIR_OUT;
	else if (c2 - c1 - 1 == 2 && !memcmp(c1 + 1, "in", 2))
		*dir = QKD_DIR_IN;
	else
		return -EINVAL;

	if (strlen(c2 + 1) != UUID_STRING_LEN)
		return -EINVAL;
	return uuid_parse(c2 + 1, id);
}

/*
 * The key goes in staged, as QKD_BATCH_KEYRING: add_key() still allocates
 * the receipt and links it after preparse(), and any of that may fail.
 * free_preparse() commits the key if instantiate() ran, and takes it back
 * otherwise, so that add_key() feeds the pool whole or not at all.
 */
static int ingest(struct key_preparsed_payload *prep)
{
	struct net *net = current->nsproxy->net_ns;
	char name[QKD_LINK_NAME_MAX + 1];
	struct qkd_net *qn = qkd_net(net);
	struct qkd_key_in in;
	struct qkd_link *link;
	unsigned int bad;
	uuid_t id;
	int ret;

	ret = parse_receipt(prep->orig_description, name, &in.dir, &id);
	if (ret)
		return ret;
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	in.id = id.b;
	in.material = prep->data;

	mutex_lock(&qn->lock);
	link = qkd_link_find(qn, name);
	if (!link)
		ret = -ENOENT;
	else if (prep->datalen != link->cfg.key_bits / 8)
		ret = -EINVAL;
	else
		ret = qkd_pool_add(link, &in, 1, QKD_BATCH_KEYRING, &bad);
	mutex_unlock(&qn->lock);
	if (ret)
		return ret;

	/* The receipt holds nothing, costs no quota and expires now. */
	prep->quotalen = 0;
	prep->expiry = ktime_get_real_seconds();
	prep->payload.data[0] = &staged_marker;
	return 0;
}

static int preparse(struct key_preparsed_payload *prep)
{
	if (prep->data == &link_key_marker)
		return 0;
	/* Keys of this type are made by add_key() with a description. */
	if (!prep->orig_description || !prep->data)
		return -EINVAL;
	return ingest(prep);
}

/* The receipt is made: the key it stands for may be used. */
static int instantiate(struct key *key, struct key_preparsed_payload *prep)
{
	bool staged = prep->payload.data[0] == &staged_marker;
	int ret;

	prep->payload.data[0] = NULL;
	ret = generic_key_instantiate(key, prep);
	if (!ret && staged)
		prep->payload.data[0] = &receipt_marker;
	return ret;
}

/* Commits or takes back the key ingest() staged; see there. */
static void free_preparse(struct key_preparsed_payload *prep)
{
	struct qkd_net *qn = qkd_net(current->nsproxy->net_ns);
	void *state = prep->payload.data[0];
	char name[QKD_LINK_NAME_MAX + 1];
	struct qkd_link *link;
	uuid_t id;
	u8 dir;

	if (state != &staged_marker && state != &receipt_marker)
		return;
	prep->payload.data[0] = NULL;
	if (parse_receipt(prep->orig_description, name, &dir, &id))
		return;
	mutex_lock(&qn->lock);
	link = qkd_link_find(qn, name);
	if (link && link->staged_batch == QKD_BATCH_KEYRING) {
		if (state == &receipt_marker) {
			qkd_pool_commit(link, QKD_BATCH_KEYRING, -1);
			qkd_sa_kick(link);
		} else {
			qkd_pool_abort(link, QKD_BATCH_KEYRING);
		}
	}
	mutex_unlock(&qn->lock);
}

static struct key_type key_type_qkd = {
	.name = "qkd",
	.preparse = preparse,
	.free_preparse = free_preparse,
	.instantiate = instantiate,
	.describe = describe,
};

int qkd_keyring_init(void)
{
	return register_key_type(&key_type_qkd);
}

void qkd_keyring_exit(void)
{
	unregister_key_type(&key_type_qkd);
}

/*
 * The keyring and the links' keys belong to the owner of the namespace's
 * user namespace: root for the operator's namespaces, whose keys cost no
 * quota, and for a tenant's the user who made it, whose key quota
 * (kernel.keys.maxkeys, maxbytes) pays for them.
 */
static unsigned long alloc_flags(const struct qkd_net *qn)
{
	return qn->tenant ? KEY_ALLOC_IN_QUOTA : KEY_ALLOC_NOT_IN_QUOTA;
}

static struct key *netns_keyring(struct qkd_net *qn, const struct user_namespace *ns)
{
	struct key *ring;

	if (qn->keyring)
		return qn->keyring;
	ring = keyring_alloc(".qkd", ns->owner, ns->group, current_cred(),
			     KEY_POS_VIEW | KEY_POS_READ | KEY_POS_SEARCH |
			     KEY_USR_VIEW | KEY_USR_READ | KEY_USR_SEARCH,
			     alloc_flags(qn), NULL, NULL);
	if (!IS_ERR(ring))
		qn->keyring = ring;
	return ring;
}

int qkd_keyring_link_add(struct qkd_net *qn, struct qkd_link *link)
{
	const struct user_namespace *ns;
	struct key *ring, *key;
	int ret;

	lockdep_assert_held(&qn->lock);

	ns = link->net->user_ns;
	ring = netns_keyring(qn, ns);
	if (IS_ERR(ring))
		return PTR_ERR(ring);

	key = key_alloc(&key_type_qkd, link->name, ns->owner, ns->group,
			current_cred(), KEY_POS_VIEW | KEY_POS_SEARCH | KEY_USR_VIEW,
			alloc_flags(qn), NULL);
	if (IS_ERR(key))
		return PTR_ERR(key);
	ret = key_instantiate_and_link(key, &link_key_marker, 0, ring, NULL);
	if (ret) {
		key_put(key);
		return ret;
	}
	rcu_assign_pointer(key->payload.rcu_data0, link);
	link->key = key;
	return 0;
}

void qkd_keyring_link_del(struct qkd_link *link)
{
	struct key *key = link->key;

	/* The link itself is freed after an RCU grace period. */
	RCU_INIT_POINTER(key->payload.rcu_data0, NULL);
	key_invalidate(key);
	key_put(key);
	link->key = NULL;
}

void qkd_keyring_netns_exit(struct qkd_net *qn)
{
	if (!qn->keyring)
		return;
	key_invalidate(qn->keyring);
	key_put(qn->keyring);
	qn->keyring = NULL;
}

/*
 * Called with the namespace lock held, so not through key_create_or_update():
 * that holds key_types_sem, under which add_key() runs our preparse(), which
 * takes the namespace lock (a lock order lockdep rightly refuses). A logon
 * key of the same description in @ring is replaced, not updated in place.
 */
key_ref_t qkd_keyring_logon_create(key_ref_t ring, const char *desc,
				   const struct qkd_key *key)
{
	const struct cred *cred = current_cred();
	struct key *logon;
	int ret;

	logon = key_alloc(&key_type_logon, desc, cred->fsuid, cred->fsgid, cred,
			  (KEY_POS_ALL & ~KEY_POS_READ) | KEY_USR_VIEW,
			  KEY_ALLOC_IN_QUOTA, NULL);
	if (IS_ERR(logon))
		return ERR_CAST(logon);
	ret = key_instantiate_and_link(logon, key->material, key->len,
				       key_ref_to_ptr(ring), NULL);
	if (ret) {
		key_put(logon);
		return ERR_PTR(ret);
	}
	return make_key_ref(logon, true);
}
