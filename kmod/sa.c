// SPDX-License-Identifier: GPL-2.0
/*
 * IPsec SAs keyed from the pools, installed and rotated by the module.
 *
 * A link is ready for xfrm when its consumer is xfrm and it has both
 * addresses and a reqid or an if-id. Then, each time qkd_sa_sync() runs
 * for it (see "Events" below: nothing runs for a link with nothing new):
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
 *
 * Events. A link's SAs are looked at only when something happened to it:
 * its settings or pools changed (qkd_sa_kick()), xfrm reported an expiry,
 * a deletion or a flush of one of its SAs or an acquire for its reqid or
 * if-id (the key manager below), its timer fired (a retired SA's grace
 * over, a failed install to retry), or traffic showed up on an SA that
 * waits for it (in SAs, and an out SA past its rekey point that carried
 * nothing: see wait_for_use()). The link then goes on its namespace's
 * list of links to look at, which one work item empties, a link at a
 * time, taking the namespace's lock for each. So an idle link costs
 * nothing, and no link waits for a walk over the others.
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
		/* Their first packet is an event (see wait_for_use()). */
		x->lft.soft_packet_limit = 0;
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

/* An SA for the oldest key of a pool, built but not in the SAD. */
static struct qkd_sa *sa_build(struct qkd_link *link, u8 dir)
{
	bool out = dir == QKD_DIR_OUT;
	struct qkd_sa_keys keys;
	struct xfrm_state *x;
	struct qkd_key key;
	struct qkd_sa *sa;
	int ret;

	ret = qkd_pool_peek(link, dir, &key);
	if (ret)
		return ERR_PTR(ret);
	ret = -ENOMEM;
	sa = kmem_cache_zalloc(sa_cache, GFP_KERNEL);
	if (!sa)
		goto out;
	ret = qkd_schedule_derive(link, &key, out, &keys);
	if (ret)
		goto out;
	x = state_build(link, out, &keys);
	if (IS_ERR(x)) {
		ret = PTR_ERR(x);
		goto out;
	}
	sa->x = x;
	sa->dir = dir;
	sa->spi = keys.spi;
	sa->index = key.index;
	memcpy(sa->id, key.id, QKD_KEY_ID_LEN);
	ret = 0;
out:
	memzero_explicit(&keys, sizeof(keys));
	qkd_key_wipe(&key);
	if (ret) {
		if (sa)
			kmem_cache_free(sa_cache, sa);
		return ERR_PTR(ret);
	}
	return sa;
}

/* Frees an SA that never went into the SAD. */
static void sa_drop(struct qkd_sa *sa)
{
	sa->x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(sa->x);
	kmem_cache_free(sa_cache, sa);
}

/* Puts a built SA in the SAD and the link's list; its key is consumed. */
static int sa_insert(struct qkd_link *link, struct qkd_sa *sa)
{
	struct km_event c = { .event = XFRM_MSG_NEWSA };
	struct xfrm_state *x = sa->x;
	int ret;

	/* Its lifetimes count from now, not from when it was built. */
	x->curlft.add_time = ktime_get_real_seconds();
	xfrm_state_hold(x);
	ret = xfrm_state_add(x);
	if (ret) {
		/* Most likely an SA with this SPI exists: never two. */
		__xfrm_state_put(x);
		return ret;
	}
	if (x->km.state == XFRM_STATE_VOID)
		x->km.state = XFRM_STATE_VALID;
	km_state_notify(x, &c);

	sa->state = sa->dir == QKD_DIR_OUT ? QKD_SA_ACTIVE : QKD_SA_PENDING;
	sa->added = jiffies;
	list_add_tail(&sa->node, &link->sas);
	link->n_sas++;
	qkd_pool_consume(link, sa->dir, false);
	return 0;
}

/*
 * The next out SA, built while the current one is in use, so that a
 * rotation is only its insertion; it is kept only while its key is still
 * the oldest of the out pool (indexes are never reused).
 */
static struct qkd_sa *take_prepared(struct qkd_link *link)
{
	struct qkd_sa *sa = link->prep;

	if (!sa)
		return NULL;
	link->prep = NULL;
	if (sa->index == qkd_pool_head_index(link, QKD_DIR_OUT))
		return sa;
	sa_drop(sa);
	return NULL;
}

void qkd_sa_unprepare(struct qkd_link *link)
{
	if (link->prep) {
		sa_drop(link->prep);
		link->prep = NULL;
	}
}

static struct qkd_sa *sa_add(struct qkd_link *link, u8 dir)
{
	bool out = dir == QKD_DIR_OUT;
	struct qkd_sa *sa = NULL;
	int ret;

	/* After a failure, wait before trying (and reporting) again. */
	if (time_before(jiffies, link->sa_retry_at[dir]))
		return ERR_PTR(-EAGAIN);
	if (out)
		sa = take_prepared(link);
	if (!sa) {
		sa = sa_build(link, dir);
		ret = PTR_ERR_OR_ZERO(sa);
		if (ret == -ENOENT)
			return sa;
		if (ret)
			goto err;
	}
	ret = sa_insert(link, sa);
	if (!ret)
		return sa;
	sa_drop(sa);
err:
	link->sa_retry_at[dir] = jiffies + RETRY;
	pr_warn_ratelimited("qkd: link %s: cannot install an %s SA: error %d\n",
			    link->name, out ? "out" : "in", ret);
	qkd_event_sa_error(link, dir, ret);
	return ERR_PTR(ret);
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

/*
 * An SA that waits for traffic (a pending in SA; an out SA past its rekey
 * point that has carried nothing): true while it has carried no packet,
 * with xfrm set to report its next one as a soft expiry. xfrm checks the
 * limits before it counts a packet, so a soft packet limit of 0 reports
 * the first. The report may come early: inbound, xfrm checks before the
 * packet is authenticated and counts it after, so a forged or early one
 * finds no packet counted here and the report is armed again. Under the
 * state's lock, which xfrm holds while it checks and while it counts.
 */
static bool wait_for_use(struct qkd_sa *sa)
{
	struct xfrm_state *x = sa->x;
	bool idle;

	spin_lock_bh(&x->lock);
	idle = !x->curlft.packets;
	if (idle && x->km.dying) {
		x->lft.soft_packet_limit = 0;
		x->km.dying = 0;
	}
	spin_unlock_bh(&x->lock);
	return idle;
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

	if (cur && !link->rekey && (!dying(cur) || wait_for_use(cur)))
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
		    !wait_for_use(sa))
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

/* Builds the next out SA ahead, if there is a current one and a key. */
static void prepare(struct qkd_link *link)
{
	struct mem_cgroup *old;
	struct qkd_sa *sa;

	if (link->prep || !link->pool[QKD_DIR_OUT].count || !active_out(link))
		return;
	old = set_active_memcg(link->memcg);
	sa = sa_build(link, QKD_DIR_OUT);
	set_active_memcg(old);
	/* Not built now, built at the rotation, which reports a failure. */
	if (!IS_ERR(sa))
		link->prep = sa;
}

/* Sets the link's timer for its next deadline, if it has one. */
static void arm(struct qkd_link *link)
{
	unsigned long at = 0;
	bool any = false;
	struct qkd_sa *sa;
	int dir;

	list_for_each_entry(sa, &link->sas, node) {
		if (sa->state == QKD_SA_RETIRING &&
		    (!any || time_before(sa->retire_at, at))) {
			at = sa->retire_at;
			any = true;
		}
	}
	for (dir = 0; dir < __QKD_DIR_MAX; dir++) {
		if (time_before(jiffies, link->sa_retry_at[dir]) &&
		    link->pool[dir].count &&
		    (!any || time_before(link->sa_retry_at[dir], at))) {
			at = link->sa_retry_at[dir];
			any = true;
		}
	}
	if (any)
		mod_timer(&link->sa_timer, at);
	else
		del_timer(&link->sa_timer);
}

void qkd_sa_sync(struct qkd_link *link)
{
	if (!qkd_sa_ready(link)) {
		qkd_sa_flush(link);
		del_timer(&link->sa_timer);
		return;
	}
	reap(link);
	sync_out(link);
	sync_in(link);
	prepare(link);
	arm(link);
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
	qkd_sa_unprepare(link);
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

/* Takes the links to look at one by one, the namespace's lock for each. */
static void sync_work(struct work_struct *work)
{
	struct qkd_net *qn = container_of(work, struct qkd_net, sa_work);
	struct qkd_link *link;

	for (;;) {
		mutex_lock(&qn->lock);
		spin_lock_bh(&qn->sa_lock);
		link = list_first_entry_or_null(&qn->sa_dirty, struct qkd_link,
						sa_dirty);
		if (link)
			list_del_init(&link->sa_dirty);
		spin_unlock_bh(&qn->sa_lock);
		if (link)
			qkd_sa_sync(link);
		mutex_unlock(&qn->lock);
		if (!link)
			return;
		cond_resched();
	}
}

/*
 * On an unbound workqueue: a rotation at a soft lifetime is this work,
 * queued from the packet path that expired the SA, and a worker bound to
 * that CPU waits until the softirq work of that traffic is done (2.6 ms
 * under TCG, make bench row 1); an unbound one runs on an idle CPU.
 */
static void mark(struct qkd_net *qn, struct qkd_link *link)
{
	spin_lock_bh(&qn->sa_lock);
	if (!link->sa_dead && list_empty(&link->sa_dirty)) {
		list_add_tail(&link->sa_dirty, &qn->sa_dirty);
		if (!qn->dying)
			queue_work(system_unbound_wq, &qn->sa_work);
	}
	spin_unlock_bh(&qn->sa_lock);
}

/* Has the link's SAs looked at soon, from the namespace's work; any context. */
void qkd_sa_kick(struct qkd_link *link)
{
	mark(qkd_net(link->net), link);
}

static void sa_timer(struct timer_list *t)
{
	struct qkd_link *link = from_timer(link, t, sa_timer);

	qkd_sa_kick(link);
}

void qkd_sa_link_init(struct qkd_link *link)
{
	INIT_LIST_HEAD(&link->sas);
	INIT_LIST_HEAD(&link->sa_dirty);
	timer_setup(&link->sa_timer, sa_timer, 0);
}

/*
 * Before the link's SAs are flushed and it is freed: no event reaches it
 * from now on (the key manager finds links under RCU, and the link is
 * freed after a grace period).
 */
void qkd_sa_link_exit(struct qkd_link *link)
{
	struct qkd_net *qn = qkd_net(link->net);

	spin_lock_bh(&qn->sa_lock);
	link->sa_dead = true;
	list_del_init(&link->sa_dirty);
	spin_unlock_bh(&qn->sa_lock);
	del_timer_sync(&link->sa_timer);
}

void qkd_sa_netns_init(struct qkd_net *qn)
{
	INIT_WORK(&qn->sa_work, sync_work);
	spin_lock_init(&qn->sa_lock);
	INIT_LIST_HEAD(&qn->sa_dirty);
}

/* Called before the namespace's links are flushed, without its lock. */
void qkd_sa_netns_exit(struct qkd_net *qn)
{
	spin_lock_bh(&qn->sa_lock);
	qn->dying = true;
	spin_unlock_bh(&qn->sa_lock);
	cancel_work_sync(&qn->sa_work);
}

/*
 * The xfrm key manager: an expiry, a deletion or an acquire for a link's
 * reqid or if-id gets that link's SAs looked at now; a flush, every link
 * of the namespace. Called in atomic context (often under the state's
 * lock), so it only marks links, which it finds under RCU.
 */
static struct qkd_link *km_link(struct qkd_net *qn, u32 reqid, u32 if_id)
{
	struct qkd_link *link = NULL;

	if (reqid)
		link = xa_load(&qn->by_reqid, reqid);
	if (!link && if_id)
		link = xa_load(&qn->by_if_id, if_id);
	return link;
}

static int km_notify(struct xfrm_state *x, const struct km_event *c)
{
	struct qkd_link *link;
	struct qkd_net *qn;
	unsigned long id;

	switch (c->event) {
	case XFRM_MSG_EXPIRE:
	case XFRM_MSG_DELSA:
		qn = qkd_net(xs_net(x));
		if (!READ_ONCE(qn->n_links))
			break;
		rcu_read_lock();
		link = km_link(qn, x->props.reqid, x->if_id);
		if (link)
			mark(qn, link);
		rcu_read_unlock();
		break;
	case XFRM_MSG_FLUSHSA:
		qn = qkd_net(c->net);
		if (!READ_ONCE(qn->n_links))
			break;
		rcu_read_lock();
		xa_for_each(&qn->links, id, link)
			mark(qn, link);
		rcu_read_unlock();
		break;
	}
	return 0;
}

static int km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
		      struct xfrm_policy *xp)
{
	struct qkd_net *qn = qkd_net(xs_net(x));
	struct qkd_link *link;

	if (!READ_ONCE(qn->n_links))
		return -ESRCH;
	rcu_read_lock();
	link = km_link(qn, t->reqid, x->if_id);
	if (link)
		mark(qn, link);
	rcu_read_unlock();
	return link ? 0 : -ESRCH;
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
