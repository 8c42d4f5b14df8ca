// SPDX-License-Identifier: GPL-2.0
/*
 * IPsec SAs keyed from the pools, installed and rotated by the module.
 *
 * A link is ready for xfrm when its consumer is xfrm and it has both
 * addresses and a reqid or an if-id. Then, each time qkd_sa_sync() runs
 * (on every change to the link or its pools, on an xfrm expiry or acquire,
 * and every SYNC_PERIOD while the namespace has such links):
 *
 * - outbound: one active SA. When it reaches a soft lifetime (rekey-time,
 *   -bytes, -packets: the kernel marks it dying) or an operator asks for a
 *   rekey, the next out key becomes a new SA with a new SPI, which xfrm
 *   prefers from then on, and the old SA is retired: deleted after GRACE.
 *   With no out key left, `hold` keeps the old SA until its hard lifetime
 *   (max-key-age) and `block` deletes it at once: traffic stops.
 * - inbound: the SAs of the next rx-window in keys are installed ahead of
 *   use, so the peer may switch whenever it likes; when a newer one carries
 *   traffic, the older ones are retired and the window slides.
 *
 * The ESP key is erased from the xfrm state once the ESP transform holds
 * it, so that no dump (ip xfrm state) shows it and no free leaves it in
 * memory. Locking: the caller holds the namespace's qkd_net.lock.
 */
#include <linux/jiffies.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "event.h"
#include "link.h"
#include "netns.h"
#include "pool.h"
#include "sa.h"
#include "schedule.h"

#define GRACE		(2 * HZ)	/* a retired SA lives on this long */
#define SYNC_PERIOD	(HZ / 5)
#define REPLAY_WINDOW	128
#define RETRY		(5 * HZ)	/* after a failed install */

struct qkd_sa {
	struct list_head node;		/* in qkd_link.sas, oldest first */
	struct xfrm_state *x;		/* a reference of ours */
	u8 dir;
	u8 state;			/* enum qkd_sa_state */
	u32 spi;
	u64 index;
	u8 id[QKD_KEY_ID_LEN];
	unsigned long added;		/* jiffies */
	unsigned long retire_at;	/* jiffies, when retiring */
};

static struct kmem_cache *sa_cache;

bool qkd_sa_ready(const struct qkd_link *link)
{
	const struct qkd_link_cfg *cfg = &link->cfg;

	return cfg->consumer == QKD_CONSUMER_XFRM && cfg->local_family &&
	       cfg->peer_family && (cfg->reqid || cfg->if_id);
}

static u64 limit(u64 v)
{
	return v ? v : XFRM_INF;
}

static struct xfrm_state *state_build(struct qkd_link *link, bool out,
				      const struct qkd_sa_keys *keys)
{
	const struct qkd_link_cfg *cfg = &link->cfg;
	struct xfrm_replay_state_esn *esn;
	struct xfrm_state *x;
	size_t esn_len;
	int ret;

	x = xfrm_state_alloc(link->net);
	if (!x)
		return ERR_PTR(-ENOMEM);

	x->id.proto = IPPROTO_ESP;
	x->id.spi = htonl(keys->spi);
	x->id.daddr = out ? cfg->peer_addr : cfg->local_addr;
	x->props.saddr = out ? cfg->local_addr : cfg->peer_addr;
	x->props.family = cfg->local_family;
	x->props.mode = cfg->mode == QKD_MODE_TRANSPORT ? XFRM_MODE_TRANSPORT :
							   XFRM_MODE_TUNNEL;
	x->props.reqid = cfg->reqid;
	x->props.flags = XFRM_STATE_ESN;
	x->if_id = cfg->if_id;
	x->props.ealgo = cfg->cipher == QKD_CIPHER_CHACHA20_POLY1305 ?
			 SADB_EALG_NONE : SADB_X_EALG_AES_GCM_ICV16;

	x->lft.soft_byte_limit = XFRM_INF;
	x->lft.hard_byte_limit = XFRM_INF;
	x->lft.soft_packet_limit = XFRM_INF;
	x->lft.hard_packet_limit = XFRM_INF;
	if (out) {
		x->lft.soft_byte_limit = limit(cfg->rekey_bytes);
		x->lft.soft_packet_limit = limit(cfg->rekey_packets);
		x->lft.soft_add_expires_seconds = cfg->rekey_time;
		/* Counted from first use, as for in SAs: see sync_out(). */
		x->lft.hard_use_expires_seconds = cfg->max_key_age;
	} else {
		/* In SAs wait for the peer: their clock starts at first use. */
		x->lft.hard_use_expires_seconds =
			cfg->max_key_age ? cfg->max_key_age + GRACE / HZ : 0;
	}

	ret = -ENOMEM;
	x->aead = kzalloc(sizeof(*x->aead) + keys->keymat_len, GFP_KERNEL_ACCOUNT);
	if (!x->aead)
		goto err;
	strscpy(x->aead->alg_name, qkd_cipher_xfrm_name(cfg->cipher),
		sizeof(x->aead->alg_name));
	x->aead->alg_key_len = keys->keymat_len * 8;
	x->aead->alg_icv_len = 128;
	/* The IV generator xfrm_user would take from xfrm_algo's table. */
	x->geniv = "seqiv";
	memcpy(x->aead->alg_key, keys->keymat, keys->keymat_len);

	esn_len = sizeof(*esn) + REPLAY_WINDOW / 32 * sizeof(u32);
	x->replay_esn = kzalloc(esn_len, GFP_KERNEL_ACCOUNT);
	x->preplay_esn = kzalloc(esn_len, GFP_KERNEL_ACCOUNT);
	if (!x->replay_esn || !x->preplay_esn)
		goto err;
	x->replay_esn->bmp_len = REPLAY_WINDOW / 32;
	x->replay_esn->replay_window = REPLAY_WINDOW;
	x->preplay_esn->bmp_len = REPLAY_WINDOW / 32;
	x->preplay_esn->replay_window = REPLAY_WINDOW;
	x->props.replay_window = REPLAY_WINDOW;

	ret = __xfrm_init_state(x, true, false, NULL);
	memzero_explicit(x->aead->alg_key, keys->keymat_len);
	if (ret)
		goto err;
	return x;

err:
	if (x->aead)
		memzero_explicit(x->aead->alg_key, keys->keymat_len);
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
	return ERR_PTR(ret);
}

static struct qkd_sa *sa_add(struct qkd_link *link, u8 dir)
{
	bool out = dir == QKD_DIR_OUT;
	struct qkd_sa_keys keys;
	struct xfrm_state *x;
	struct qkd_key key;
	struct km_event c;
	struct qkd_sa *sa;
	int ret;

	/* After a failure, wait before trying (and reporting) again. */
	if (time_before(jiffies, link->sa_retry_at[dir]))
		return ERR_PTR(-EAGAIN);
	ret = qkd_pool_peek(link, dir, &key);
	if (ret)
		return ERR_PTR(ret);
	sa = kmem_cache_zalloc(sa_cache, GFP_KERNEL);
	if (!sa) {
		ret = -ENOMEM;
		goto out;
	}
	ret = qkd_schedule_derive(link, &key, out, &keys);
	if (ret)
		goto out;
	x = state_build(link, out, &keys);
	if (IS_ERR(x)) {
		ret = PTR_ERR(x);
		goto out;
	}

	xfrm_state_hold(x);
	ret = xfrm_state_add(x);
	if (ret) {
		/* Most likely an SA with this SPI exists: never two. */
		x->km.state = XFRM_STATE_DEAD;
		__xfrm_state_put(x);
		xfrm_state_put(x);
		goto out;
	}
	if (x->km.state == XFRM_STATE_VOID)
		x->km.state = XFRM_STATE_VALID;
	c.event = XFRM_MSG_NEWSA;
	c.seq = 0;
	c.portid = 0;
	km_state_notify(x, &c);

	sa->x = x;
	sa->dir = dir;
	sa->state = out ? QKD_SA_ACTIVE : QKD_SA_PENDING;
	sa->spi = keys.spi;
	sa->index = key.index;
	memcpy(sa->id, key.id, QKD_KEY_ID_LEN);
	sa->added = jiffies;
	list_add_tail(&sa->node, &link->sas);
	link->n_sas++;
	qkd_pool_consume(link, dir, false);
	ret = 0;
out:
	memzero_explicit(&keys, sizeof(keys));
	qkd_key_wipe(&key);
	if (ret) {
		if (sa)
			kmem_cache_free(sa_cache, sa);
		link->sa_retry_at[dir] = jiffies + RETRY;
		pr_warn_ratelimited("qkd: link %s: cannot install an %s SA: error %d\n",
				    link->name, out ? "out" : "in", ret);
		qkd_event_sa_error(link, dir, ret);
		return ERR_PTR(ret);
	}
	return sa;
}

/*
 * Installs the SA of the oldest key of a pool, which it then consumes. What
 * the module allocates for it is charged to the memory cgroup of the link's
 * creator, whichever task (a worker, another caller) does the work.
 */
static struct qkd_sa *sa_install(struct qkd_link *link, u8 dir)
{
	struct mem_cgroup *old = set_active_memcg(link->memcg);
	struct qkd_sa *sa = sa_add(link, dir);

	set_active_memcg(old);
	return sa;
}

/*
 * Deleted as `ip xfrm state delete` does, announced to xfrm's listeners
 * (ip xfrm monitor, IKE daemons) as its install was; an SA the kernel
 * killed already (-ESRCH) has been announced by whoever killed it.
 */
static void sa_remove(struct qkd_link *link, struct qkd_sa *sa)
{
	struct km_event c = { .event = XFRM_MSG_DELSA };

	if (!xfrm_state_delete(sa->x))
		km_state_notify(sa->x, &c);
	xfrm_state_put(sa->x);
	list_del(&sa->node);
	link->n_sas--;
	kmem_cache_free(sa_cache, sa);
}

static void sa_retire(struct qkd_sa *sa)
{
	sa->state = QKD_SA_RETIRING;
	sa->retire_at = jiffies + GRACE;
}

static struct qkd_sa *active_out(struct qkd_link *link)
{
	struct qkd_sa *sa;

	list_for_each_entry(sa, &link->sas, node)
		if (sa->dir == QKD_DIR_OUT &&
		    (sa->state == QKD_SA_ACTIVE || sa->state == QKD_SA_HOLDING))
			return sa;
	return NULL;
}

static bool dying(const struct qkd_sa *sa)
{
	return READ_ONCE(sa->x->km.dying);
}

static bool idle(const struct qkd_sa *sa)
{
	return !READ_ONCE(sa->x->curlft.packets);
}

/*
 * The peer keeps the SAs of our next rx-window keys and slides that window
 * when it sees traffic on a newer one; so an SA that has carried nothing
 * is not replaced at its rekey point (the peer would not know to move on,
 * and we would burn keys on an idle link), only once traffic shows up on
 * it. For the same reason its hard lifetime counts from its first use.
 */
static void sync_out(struct qkd_link *link)
{
	struct qkd_sa *cur = active_out(link), *next;

	if (cur && !link->rekey && (!dying(cur) || idle(cur)))
		return;

	if (link->pool[QKD_DIR_OUT].count) {
		next = sa_install(link, QKD_DIR_OUT);
		if (IS_ERR(next))
			return;
		link->rekey = false;
		link->holding = false;
		if (cur) {
			sa_retire(cur);
			qkd_event_rekey(link, cur->spi, next->spi, next->index);
		}
		return;
	}

	link->rekey = false;
	if (!cur || !dying(cur))
		return;
	if (link->cfg.on_empty == QKD_ON_EMPTY_BLOCK) {
		qkd_event_sa_blocked(link, cur->spi);
		sa_remove(link, cur);
	} else if (!link->holding) {
		cur->state = QKD_SA_HOLDING;
		link->holding = true;
		qkd_event_holding(link, cur->spi);
	}
}

static void sync_in(struct qkd_link *link)
{
	struct qkd_sa *sa, *used = NULL, *older;
	unsigned int pending = 0;

	list_for_each_entry(sa, &link->sas, node)
		if (sa->dir == QKD_DIR_IN && sa->state == QKD_SA_PENDING &&
		    READ_ONCE(sa->x->curlft.packets))
			used = sa;

	list_for_each_entry(older, &link->sas, node) {
		if (older == used)
			break;
		if (used && older->dir == QKD_DIR_IN &&
		    older->state != QKD_SA_RETIRING)
			sa_retire(older);
	}
	if (used)
		used->state = QKD_SA_ACTIVE;

	list_for_each_entry(sa, &link->sas, node)
		if (sa->dir == QKD_DIR_IN && sa->state == QKD_SA_PENDING)
			pending++;
	while (pending < link->cfg.rx_window && link->pool[QKD_DIR_IN].count) {
		if (IS_ERR(sa_install(link, QKD_DIR_IN)))
			break;
		pending++;
	}
}

/* Drops SAs the kernel killed (hard expiry, ip xfrm state flush). */
static void reap(struct qkd_link *link)
{
	struct qkd_sa *sa, *tmp;

	list_for_each_entry_safe(sa, tmp, &link->sas, node) {
		if (READ_ONCE(sa->x->km.state) == XFRM_STATE_DEAD ||
		    (sa->state == QKD_SA_RETIRING &&
		     time_after_eq(jiffies, sa->retire_at))) {
			if (sa->dir == QKD_DIR_OUT && sa->state != QKD_SA_RETIRING)
				link->holding = false;
			sa_remove(link, sa);
		}
	}
}

void qkd_sa_sync(struct qkd_link *link)
{
	if (!qkd_sa_ready(link)) {
		qkd_sa_flush(link);
		return;
	}
	reap(link);
	sync_out(link);
	sync_in(link);
}

/*
 * Asks for an outbound rekey now: 0 once the new SA is in, -EAGAIN when
 * the link has no out key, -EINVAL when it is not ready for xfrm.
 */
int qkd_sa_rekey(struct qkd_link *link)
{
	struct qkd_sa *before;

	if (!qkd_sa_ready(link))
		return -EINVAL;
	if (!link->pool[QKD_DIR_OUT].count)
		return -EAGAIN;
	before = active_out(link);
	link->rekey = true;
	qkd_sa_sync(link);
	return active_out(link) != before ? 0 : -EIO;
}

void qkd_sa_flush(struct qkd_link *link)
{
	struct qkd_sa *sa, *tmp;

	list_for_each_entry_safe(sa, tmp, &link->sas, node)
		sa_remove(link, sa);
	link->holding = false;
	link->rekey = false;
}

int qkd_sa_fill(struct sk_buff *skb, const struct qkd_link *link, int pos)
{
	const struct qkd_sa *sa;
	struct nlattr *nest;
	int i = 0;

	list_for_each_entry(sa, &link->sas, node) {
		if (i++ != pos)
			continue;
		nest = nla_nest_start(skb, QKD_A_SA);
		if (!nest ||
		    nla_put_u8(skb, QKD_A_SA_DIR, sa->dir) ||
		    nla_put_u32(skb, QKD_A_SA_SPI, sa->spi) ||
		    nla_put(skb, QKD_A_SA_KEY_ID, QKD_KEY_ID_LEN, sa->id) ||
		    nla_put_u64_64bit(skb, QKD_A_SA_KEY_INDEX, sa->index,
				      QKD_A_SA_PAD) ||
		    nla_put_u8(skb, QKD_A_SA_STATE, sa->state) ||
		    nla_put_u32(skb, QKD_A_SA_AGE,
				(jiffies - sa->added) / HZ) ||
		    nla_put_u64_64bit(skb, QKD_A_SA_BYTES,
				      READ_ONCE(sa->x->curlft.bytes), QKD_A_SA_PAD) ||
		    nla_put_u64_64bit(skb, QKD_A_SA_PACKETS,
				      READ_ONCE(sa->x->curlft.packets), QKD_A_SA_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
		return 1;
	}
	return 0;
}

static void sync_work(struct work_struct *work)
{
	struct qkd_net *qn = container_of(to_delayed_work(work), struct qkd_net,
					  sa_work);
	struct qkd_link *link;
	bool again = false;
	unsigned long id;

	mutex_lock(&qn->lock);
	xa_for_each(&qn->links, id, link) {
		qkd_sa_sync(link);
		again |= qkd_sa_ready(link);
	}
	if (again && !qn->dying)
		queue_delayed_work(system_wq, &qn->sa_work, SYNC_PERIOD);
	mutex_unlock(&qn->lock);
}

void qkd_sa_kick(struct qkd_net *qn)
{
	if (!READ_ONCE(qn->dying))
		mod_delayed_work(system_wq, &qn->sa_work, 0);
}

void qkd_sa_netns_init(struct qkd_net *qn)
{
	INIT_DELAYED_WORK(&qn->sa_work, sync_work);
}

/* Called before the namespace's links are flushed, without its lock. */
void qkd_sa_netns_exit(struct qkd_net *qn)
{
	WRITE_ONCE(qn->dying, true);
	cancel_delayed_work_sync(&qn->sa_work);
}

/*
 * The xfrm key manager: an expiry or an acquire in a namespace with links
 * gets its SAs looked at now rather than at the next period. Both are
 * called in atomic context, so they only queue the work.
 */
static int km_notify(struct xfrm_state *x, const struct km_event *c)
{
	if (c->event == XFRM_MSG_EXPIRE)
		qkd_sa_kick(qkd_net(xs_net(x)));
	return 0;
}

static int km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
		      struct xfrm_policy *xp)
{
	struct qkd_net *qn = qkd_net(xs_net(x));

	if (!READ_ONCE(qn->n_links))
		return -ESRCH;
	qkd_sa_kick(qn);
	return 0;
}

static struct xfrm_policy *km_compile_policy(struct sock *sk, int opt, u8 *data,
					     int len, int *dir)
{
	*dir = -EOPNOTSUPP;
	return NULL;
}

static struct xfrm_mgr qkd_km = {
	.notify = km_notify,
	.acquire = km_acquire,
	.compile_policy = km_compile_policy,
};

int qkd_sa_init(void)
{
	sa_cache = KMEM_CACHE(qkd_sa, SLAB_ACCOUNT);
	return sa_cache ? 0 : -ENOMEM;
}

void qkd_sa_exit(void)
{
	kmem_cache_destroy(sa_cache);
}

/* Registered while the per-namespace state exists, which it reads. */
void qkd_sa_km_register(void)
{
	xfrm_register_km(&qkd_km);
}

void qkd_sa_km_unregister(void)
{
	xfrm_unregister_km(&qkd_km);
}
