// SPDX-License-Identifier: GPL-2.0
/*
 * One batch of keys, from the KME into both gateways' pools, so that no
 * side ever uses a key the other does not hold. Directions are the
 * master's: an `out` key is one the master encrypts with and the slave
 * decrypts with.
 *
 *   master                                  slave
 *   POOLS(our counts)                   -->
 *                                       <-- POOLS(its counts)
 *   n = what both sides have room for
 *   enc_keys (n keys, IDs and material)
 *   tag = key confirmation of the batch
 *   OFFER(seq, key bits, [(dir, ID)...], tag) -->
 *                                           dec_keys(IDs), checked: every
 *                                           ID once, the right size, the
 *                                           tag of our keys equal to tag
 *                                           stage the batch as seq
 *                                       <-- ACK1(seq), or NACK(seq, why)
 *   stage the batch as seq                  and nothing staged
 *   commit its in keys (receive SAs)
 *   ACK2(seq)                           -->
 *                                           commit the whole batch
 *                                       <-- DONE(seq)
 *   commit its out keys
 *
 * Staged keys (QKD_CMD_KEY_ADD with a batch number) are held by the
 * module but unusable until committed, and the module, not qkdd,
 * remembers where each link stands (its last committed batch and the one
 * staged), so a qkdd killed at any point finds it there when it starts
 * again. The order of the commits is what loses no packet: a key becomes
 * usable for sending on one side only once the other side has committed
 * it for receiving. Each side commits each direction in batch order, so
 * both FIFOs agree on which key comes next. One batch is in flight per
 * link.
 *
 * The tag (confirm.c) proves that both KMEs gave the same material for
 * the batch's key IDs before either side stages a key of it. When it
 * differs the slave refuses the batch (NACK with MSG_NACK_KEY_CONFIRM):
 * nothing of it is staged anywhere, its keys are wiped on both sides and
 * never used (the KMEs have delivered them: their IDs are burnt), and the
 * master backs off as after any refused batch. Both sides log the batch
 * and its key count, and raise the event "key-confirmation-failed"
 * (batch_event()).
 *
 * Whatever breaks a batch after the OFFER (a lost connection, a time-out,
 * a commit that failed, a daemon killed) leaves it to the next HELLO
 * (peer.c), which compares both modules' batch numbers: a batch both
 * sides hold, staged or committed, is completed from ACK2 on; one only
 * one side holds staged is discarded there. Every batch offered counts,
 * finished or not, so that both sides number alike.
 *
 * The pools of the two sides drain at different moments (the master's out
 * pool when it rekeys, the slave's in pool when traffic on the new SA
 * reaches it), so each batch starts with both sides' counts, and a
 * direction is refilled to the fuller side's count: pushing more would
 * overflow that side. The master refills at start, after each HELLO, and
 * when a pool of the link reaches its low-water mark on either gateway
 * (the slave forwards its low-water events as POOLS); it goes on batch
 * after batch until both pools are full or the KME runs short, and looks
 * again every few seconds while its own pools are low but the slave's are
 * not.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "confirm.h"
#include "daemon.h"

_Static_assert(MSG_TAG_LEN == CONFIRM_TAG_LEN, "the OFFER carries the whole tag");

void batch_free(struct link *l)
{
	/* A KME call of the batch still in flight goes with it. */
	kme_cancel(&l->kme);
	if (l->keys) {
		explicit_bzero(l->keys, QKD_KEY_BATCH_MAX * sizeof(*l->keys));
		free(l->keys);
	}
	l->keys = NULL;
	l->n = 0;
	l->state = B_IDLE;
}

int batch_alloc(struct link *l)
{
	l->keys = calloc(QKD_KEY_BATCH_MAX, sizeof(*l->keys));
	return l->keys ? 0 : -ENOMEM;
}

/* The batch ends; seq counts as finished whatever became of it. */
void batch_finish(struct link *l)
{
	if (l->seq > l->last_seq)
		l->last_seq = l->seq;
	l->resumed = false;
	batch_free(l);
}

/*
 * The batch breaks after keys may have been staged or committed on either
 * side: the connection goes, and the next HELLO settles the batch from
 * what both modules hold.
 */
void batch_broken(struct link *l, const char *why)
{
	char buf[400];

	snprintf(buf, sizeof(buf), "batch %llu broken: %s; the next HELLO settles it",
		 (unsigned long long)l->seq, why);
	peer_drop(l, buf);
}

void batch_lost(struct link *l)
{
	/* The modules hold the state of a batch in flight; ours goes. */
	batch_free(l);
}

/*
 * Test hook for the crash-recovery tests (tests/qkdd.sh): QKDD_CRASH_AT
 * names a step after which qkdd kills itself, as SIGKILL at the worst
 * moment would.
 */
void batch_crash_point(const char *step)
{
	static const char *at;

	if (!at)
		at = getenv("QKDD_CRASH_AT") ?: "";
	if (!strcmp(at, step)) {
		qkdd_log("QKDD_CRASH_AT=%s: killing myself", step);
		raise(SIGKILL);
	}
}

static void count_dirs(const struct link *l, unsigned int *out, unsigned int *in)
{
	unsigned int i;

	*out = *in = 0;
	for (i = 0; i < l->n; i++) {
		if (l->keys[i].dir == QKD_DIR_OUT)
			(*out)++;
		else
			(*in)++;
	}
}

/*
 * Sends ACK1, ACK2, DONE or NACK for the current batch. A failure drops
 * the connection, and with it a batch still in flight (peer_drop()).
 */
int batch_send(struct link *l, uint8_t type, const char *reason)
{
	struct msg m = { .type = type, .seq = l->seq };

	if (reason)
		snprintf(m.reason, sizeof(m.reason), "%s", reason);
	return peer_send(l, &m);
}

/*
 * An event for log scrapers and tests: one line with a fixed prefix,
 * "qkdd: event NAME link=LINK KEY=VALUE...", never key material.
 */
void batch_event(struct link *l, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	qkdd_log("event %s link=%s %s", name, l->name, buf);
}

/* The key confirmation tag of the batch in flight (l->keys, l->n, l->seq). */
int batch_tag(struct link *l, unsigned int key_bits, uint8_t tag[CONFIRM_TAG_LEN])
{
	const struct qkd_link *kl = &l->conf->kl;
	bool master = l->conf->role == QKDD_MASTER;
	struct confirm_batch b = {
		.link = l->name,
		.master_sae = master ? kl->local_sae : kl->peer_sae,
		.slave_sae = master ? kl->peer_sae : kl->local_sae,
		.seq = l->seq,
		.key_bits = key_bits,
	};

	return confirm_tag(&b, l->keys, l->n, tag);
}

/* The master starts a batch: first both sides' pool counts. */
static void master_ask(struct link *l)
{
	struct msg m = { .type = MSG_POOLS };
	struct qkd_link kl;

	if (module_read(l, &kl)) {
		link_backoff(l, "cannot read the pools");
		return;
	}
	if (kl.pool[QKD_DIR_OUT].keys >= kl.capacity &&
	    kl.pool[QKD_DIR_IN].keys >= kl.capacity) {
		l->need_refill = false;
		return;
	}
	m.out = kl.pool[QKD_DIR_OUT].keys;
	m.in = kl.pool[QKD_DIR_IN].keys;
	l->state = B_ASKED;
	l->deadline = qkdd_now_ms() + POOLS_MS;
	peer_send(l, &m);
}

/* With the slave's counts @p: the KME (fetch.c), then batch_fetched(). */
static void master_offer(struct link *l, const struct msg *p)
{
	struct qkd_link kl;
	uint32_t out, in, cap;

	l->state = B_IDLE;
	if (module_read(l, &kl)) {
		link_backoff(l, "cannot read the pools");
		return;
	}
	/* The slave's in keys are our out keys. */
	out = p->in > kl.pool[QKD_DIR_OUT].keys ? p->in : kl.pool[QKD_DIR_OUT].keys;
	in = p->out > kl.pool[QKD_DIR_IN].keys ? p->out : kl.pool[QKD_DIR_IN].keys;
	cap = kl.capacity;
	if (out >= cap && in >= cap) {
		if (kl.pool[QKD_DIR_OUT].keys > kl.low_water &&
		    kl.pool[QKD_DIR_IN].keys > kl.low_water)
			l->need_refill = false;
		else
			l->retry_at = qkdd_now_ms() + POLL_MS;
		return;
	}
	if (batch_alloc(l)) {
		link_backoff(l, "out of memory");
		return;
	}
	fetch_start(l, &kl, out, in);
}

/* The master's keys from the KME (fetch.c): the OFFER. */
void batch_fetched(struct link *l, unsigned int n)
{
	struct msg *m;
	unsigned int i;

	if (!n) {
		batch_free(l);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		batch_free(l);
		link_backoff(l, "out of memory");
		return;
	}
	/* The KME may give fewer keys than the pools lack: its batch. */
	refill_assign(l->fetch.out, l->fetch.in, l->keys, n);
	l->n = n;
	l->seq = l->last_seq + 1;
	if (batch_tag(l, l->key_bits, m->tag)) {
		batch_free(l);
		free(m);
		link_backoff(l, "cannot compute the key confirmation tag");
		return;
	}
	l->state = B_OFFERED;
	l->deadline = qkdd_now_ms() + BATCH_MS;

	m->type = MSG_OFFER;
	m->seq = l->seq;
	m->key_bits = l->key_bits;
	m->n = n;
	for (i = 0; i < n; i++) {
		m->keys[i].dir = l->keys[i].dir;
		memcpy(m->keys[i].id, l->keys[i].id, QKD_KEY_ID_LEN);
	}
	peer_send(l, m);
	free(m);
}

void batch_tick(struct link *l, int64_t now)
{
	char why[64];

	/* B_FETCHING has no deadline of its own: each KME call has its limit. */
	if (l->state != B_IDLE && l->state != B_FETCHING &&
	    l->conf->role == QKDD_MASTER && now >= l->deadline) {
		snprintf(why, sizeof(why), "no answer to batch %llu in time",
			 (unsigned long long)l->seq);
		peer_drop(l, why);
		return;
	}
	if (l->conf->role == QKDD_MASTER && l->ready && l->state == B_IDLE &&
	    l->need_refill && now >= l->retry_at)
		master_ask(l);
}

void batch_refilled(struct link *l)
{
	unsigned int out, in;

	if (l->resumed) {
		link_log(l, "batch %llu completed after a restart",
			 (unsigned long long)l->seq);
		return;
	}
	count_dirs(l, &out, &in);
	/* The slave's directions are the master's, swapped. */
	if (l->conf->role == QKDD_SLAVE)
		link_log(l, "refilled out +%u in +%u (batch %llu)", in, out,
			 (unsigned long long)l->seq);
	else
		link_log(l, "refilled out +%u in +%u (batch %llu)", out, in,
			 (unsigned long long)l->seq);
}

static void master_msg(struct link *l, const struct msg *m)
{
	char why[300];

	if (m->type == MSG_POOLS) {
		/* The answer to our POOLS, or the slave at low water. */
		if (l->state == B_ASKED) {
			master_offer(l, m);
		} else {
			l->need_refill = true;
			/* Not a KME failure, nor a KME gone short: now. */
			if (!l->kme_backoff && !l->kme_partial)
				l->retry_at = 0;
		}
		return;
	}
	if (l->state == B_IDLE || m->seq != l->seq)
		goto unexpected;
	switch (m->type) {
	case MSG_ACK1: {
		bool refused;

		if (l->state != B_OFFERED)
			goto unexpected;
		if (module_stage(l, &refused)) {
			if (!refused) {
				batch_broken(l, "the master's stage may or may not have happened");
				return;
			}
			/* Nothing staged here: the slave discards its stage. */
			batch_send(l, MSG_NACK, "the master could not stage the batch");
			batch_finish(l);
			link_backoff(l, "the master could not stage the batch");
			return;
		}
		batch_crash_point("master-staged");
		/* Our in keys first: the slave may send with them once it commits. */
		if (module_commit(l, l->seq, QKD_DIR_IN)) {
			batch_broken(l, "the master could not commit its in keys");
			return;
		}
		batch_crash_point("master-committed-in");
		l->state = B_MASTER_PUSHED;
		l->deadline = qkdd_now_ms() + BATCH_MS;
		batch_send(l, MSG_ACK2, NULL);
		return;
	}
	case MSG_DONE:
		if (l->state != B_MASTER_PUSHED)
			goto unexpected;
		/* The slave receives with them now: our out keys may go. */
		if (module_commit(l, l->seq, QKD_DIR_OUT)) {
			batch_broken(l, "the master could not commit its out keys");
			return;
		}
		batch_refilled(l);
		batch_finish(l);
		l->kme_backoff = 0;
		/* The KME ran short: let it make keys before the next batch. */
		if (l->kme_partial)
			l->retry_at = qkdd_now_ms() + BACKOFF_MIN_MS;
		return;
	case MSG_NACK:
		if (l->state == B_OFFERED) {
			snprintf(why, sizeof(why), "peer refused batch %llu: %s; nothing pushed",
				 (unsigned long long)l->seq, m->reason);
			if (m->code == MSG_NACK_KEY_CONFIRM)
				batch_event(l, "key-confirmation-failed",
					   "batch=%llu keys=%u role=master",
					   (unsigned long long)l->seq, l->n);
			batch_finish(l);
			link_backoff(l, why);
		} else {
			snprintf(why, sizeof(why), "the peer could not commit: %s", m->reason);
			batch_broken(l, why);
		}
		return;
	}
unexpected:
	snprintf(why, sizeof(why), "unexpected %s for batch %llu", msg_name(m->type),
		 (unsigned long long)m->seq);
	peer_drop(l, why);
}

void batch_kme_done(struct kme *k, int ret)
{
	struct link *l = k->owner;

	if (l->conf->role == QKDD_MASTER)
		fetch_kme_done(l, ret);
	else
		batch_slave_fetched(l, ret);
}

void batch_on_msg(struct link *l, const struct msg *m)
{
	if (l->conf->role == QKDD_MASTER)
		master_msg(l, m);
	else
		batch_slave_msg(l, m);
}

void batch_low(struct link *l)
{
	if (l->conf->role == QKDD_MASTER)
		l->need_refill = true;
	else
		batch_pools(l);
}

void batch_resume(struct link *l, uint64_t seq)
{
	l->seq = seq;
	l->n = 0;
	l->resumed = true;
	if (l->conf->role == QKDD_SLAVE) {
		/* The master's ACK2 comes next; committing again is harmless. */
		l->state = B_SLAVE_PUSHED;
		return;
	}
	if (module_commit(l, seq, QKD_DIR_IN)) {
		batch_broken(l, "the master could not commit its in keys");
		return;
	}
	l->state = B_MASTER_PUSHED;
	l->deadline = qkdd_now_ms() + BATCH_MS;
	batch_send(l, MSG_ACK2, NULL);
}
