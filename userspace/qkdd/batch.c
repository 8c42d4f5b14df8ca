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
 *   OFFER(seq, key bits, [(dir, ID)...]) -->
 *                                           dec_keys(IDs), checked: every
 *                                           ID once, the right size
 *                                           push the master's out keys as
 *                                           in keys (receive SAs only)
 *                                       <-- ACK1(seq), or NACK(seq, why)
 *   push the whole batch                    and nothing pushed
 *   ACK2(seq)                           -->
 *                                           push the master's in keys as
 *                                           out keys
 *                                       <-- DONE(seq)
 *
 * A key reaches an out pool only once the other side holds it as an in
 * key; each side pushes each direction in batch order, so both FIFOs
 * agree on which key comes next. One batch is in flight per link.
 *
 * What breaks a batch after anything may have been pushed (a NACK after
 * ACK1 or ACK2, a push that may have half happened, a lost connection, a
 * time-out) flushes both pools of the link on the side that sees it, marks
 * that side dirty and closes the connection. The two sides need not see
 * the same end: the slave may have sent DONE, and finished the batch in
 * step, when the master gives up waiting for it; both then report the same
 * batch number at the next HELLO, so the batch number alone cannot tell.
 * The DIRTY flag of that HELLO (peer.c) makes both sides flush; only that
 * flush clears it. Every batch offered counts, finished or not, so that
 * both sides number alike.
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
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

static bool held(const uint8_t id[QKD_KEY_ID_LEN], void *arg)
{
	struct link *l = arg;

	return idring_has(&l->ids, id);
}

void batch_free(struct link *l)
{
	if (l->keys) {
		explicit_bzero(l->keys, QKD_KEY_BATCH_MAX * sizeof(*l->keys));
		free(l->keys);
	}
	l->keys = NULL;
	l->n = 0;
	l->state = B_IDLE;
}

static int batch_alloc(struct link *l)
{
	l->keys = calloc(QKD_KEY_BATCH_MAX, sizeof(*l->keys));
	return l->keys ? 0 : -ENOMEM;
}

static int send_simple(struct link *l, uint8_t type, const char *reason);

/* The batch ends; seq counts as finished whatever became of it. */
static void finish(struct link *l)
{
	l->last_seq = l->seq;
	batch_free(l);
}

/*
 * The batch ends after keys may have been pushed on either side: flush
 * both pools now, so that no key the peer may lack is used, and stay
 * dirty until the flush of the next HELLO, which the peer joins whatever
 * it saw of the batch.
 */
static void finish_flush(struct link *l, const char *why)
{
	char buf[300];
	uint64_t seq = l->seq;

	snprintf(buf, sizeof(buf), "batch %llu broken: %s", (unsigned long long)seq,
		 why);
	module_flush(l, buf);
	l->dirty = true;
	finish(l);
	snprintf(buf, sizeof(buf), "batch %llu broken; a new HELLO settles it",
		 (unsigned long long)seq);
	peer_drop(l, buf);
}

/* Tells the peer why the batch broke, then ends it as above. */
static void nack_flush(struct link *l, const char *why)
{
	send_simple(l, MSG_NACK, why);
	/* A failed send dropped the connection, and the batch with it. */
	if (l->state != B_IDLE)
		finish_flush(l, why);
}

void batch_lost(struct link *l)
{
	if (l->state == B_ASKED)
		l->state = B_IDLE;	/* nothing offered yet */
	else if (l->state != B_IDLE)
		finish_flush(l, "connection lost");
}

static void backoff(struct link *l, const char *what)
{
	l->kme_backoff = !l->kme_backoff ? BACKOFF_MIN_MS :
			 l->kme_backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			 l->kme_backoff * 2;
	l->retry_at = qkdd_now_ms() + l->kme_backoff;
	link_log(l, "%s; next try in %lld s", what, (long long)l->kme_backoff / 1000);
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
static int send_simple(struct link *l, uint8_t type, const char *reason)
{
	struct msg m = { .type = type, .seq = l->seq };

	if (reason)
		snprintf(m.reason, sizeof(m.reason), "%s", reason);
	return peer_send(l, &m);
}

/* The master starts a batch: first both sides' pool counts. */
static void master_ask(struct link *l)
{
	struct msg m = { .type = MSG_POOLS };
	struct qkd_link kl;

	if (module_read(l, &kl)) {
		backoff(l, "cannot read the pools");
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
	l->deadline = qkdd_now_ms() + BATCH_MS;
	peer_send(l, &m);
}

/* With the slave's counts @p: the KME, then the OFFER. */
static void master_offer(struct link *l, const struct msg *p)
{
	const struct qkd_link *cfg = &l->conf->kl;
	struct kme_status st;
	struct qkd_link kl;
	struct msg *m;
	uint32_t out, in, cap;
	unsigned int n, i;
	char why[KME_WHY_MAX + 32];

	l->state = B_IDLE;
	if (module_read(l, &kl)) {
		backoff(l, "cannot read the pools");
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
	if (kme_status(&l->kme, cfg->peer_sae, &st)) {
		snprintf(why, sizeof(why), "KME: %s", l->kme.why);
		backoff(l, why);
		return;
	}
	if ((st.min_key_size && kl.key_bits < st.min_key_size) ||
	    (st.max_key_size && kl.key_bits > st.max_key_size)) {
		snprintf(why, sizeof(why), "KME: cannot give %u-bit keys (%u to %u)",
			 kl.key_bits, st.min_key_size, st.max_key_size);
		backoff(l, why);
		return;
	}
	n = refill_count(out, in, cap, &st);
	if (!n) {
		if (!l->kme_short)
			link_log(l, "KME holds no keys for us now; polling its status");
		l->kme_short = true;
		l->retry_at = qkdd_now_ms() + BACKOFF_MIN_MS;
		return;
	}
	l->kme_short = false;
	m = calloc(1, sizeof(*m));
	if (!m || batch_alloc(l)) {
		free(m);
		backoff(l, "out of memory");
		return;
	}
	if (kme_enc_keys(&l->kme, cfg->peer_sae, n, kl.key_bits, held, l, l->keys)) {
		snprintf(why, sizeof(why), "KME: %s; nothing pushed", l->kme.why);
		batch_free(l);
		free(m);
		backoff(l, why);
		return;
	}
	refill_assign(out, in, l->keys, n);
	l->n = n;
	l->seq = l->last_seq + 1;
	l->state = B_OFFERED;
	l->deadline = qkdd_now_ms() + BATCH_MS;

	m->type = MSG_OFFER;
	m->seq = l->seq;
	m->key_bits = kl.key_bits;
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

	if (l->state != B_IDLE && l->conf->role == QKDD_MASTER && now >= l->deadline) {
		snprintf(why, sizeof(why), "no answer to batch %llu in time",
			 (unsigned long long)l->seq);
		peer_drop(l, why);
		return;
	}
	if (l->conf->role == QKDD_MASTER && l->ready && l->state == B_IDLE &&
	    l->need_refill && now >= l->retry_at)
		master_ask(l);
}

static void refilled(struct link *l)
{
	unsigned int out, in;

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
			if (!l->kme_backoff)
				l->retry_at = 0;	/* not a KME failure: now */
		}
		return;
	}
	if (l->state == B_IDLE || m->seq != l->seq)
		goto unexpected;
	switch (m->type) {
	case MSG_ACK1:
		if (l->state != B_OFFERED)
			goto unexpected;
		if (module_push(l, -1, NULL)) {
			nack_flush(l, "the master could not push the batch");
			return;
		}
		l->state = B_MASTER_PUSHED;
		l->deadline = qkdd_now_ms() + BATCH_MS;
		send_simple(l, MSG_ACK2, NULL);
		return;
	case MSG_DONE:
		if (l->state != B_MASTER_PUSHED)
			goto unexpected;
		refilled(l);
		finish(l);
		l->kme_backoff = 0;
		return;
	case MSG_NACK:
		if (l->state == B_OFFERED) {
			snprintf(why, sizeof(why), "peer refused batch %llu: %s; nothing pushed",
				 (unsigned long long)l->seq, m->reason);
			finish(l);
			backoff(l, why);
		} else {
			snprintf(why, sizeof(why), "the peer could not push its keys: %s",
				 m->reason);
			finish_flush(l, why);
		}
		return;
	}
unexpected:
	snprintf(why, sizeof(why), "unexpected %s for batch %llu", msg_name(m->type),
		 (unsigned long long)m->seq);
	peer_drop(l, why);
}

/* The slave refuses the batch offered; nothing of it was pushed. */
static void slave_refuse(struct link *l, const char *why)
{
	link_log(l, "batch %llu refused: %s; nothing pushed",
		 (unsigned long long)l->seq, why);
	finish(l);
	send_simple(l, MSG_NACK, why);
}

/* Checks an OFFER against the link; NULL when it fits. */
static const char *offer_check(struct link *l, const struct msg *m,
			       const struct qkd_link *kl)
{
	unsigned int i, j, out = 0, in = 0;

	if (m->key_bits != kl->key_bits)
		return "key size differs from the link's key-bits";
	for (i = 0; i < m->n; i++) {
		/* Our in keys are the master's out keys. */
		if (m->keys[i].dir == QKD_DIR_OUT)
			in++;
		else
			out++;
		for (j = 0; j < i; j++)
			if (!memcmp(m->keys[i].id, m->keys[j].id, QKD_KEY_ID_LEN))
				return "duplicate key ID in the offer";
		if (idring_has(&l->ids, m->keys[i].id))
			return "a key ID of the offer is held already";
	}
	if (kl->pool[QKD_DIR_OUT].keys + out > kl->capacity ||
	    kl->pool[QKD_DIR_IN].keys + in > kl->capacity)
		return "no room in the pools";
	return NULL;
}

static void slave_offer(struct link *l, const struct msg *m)
{
	uint8_t (*ids)[QKD_KEY_ID_LEN];
	struct qkd_link kl;
	char why[KME_WHY_MAX + 32];
	const char *bad;
	unsigned int i;
	bool refused;

	l->seq = m->seq;
	if (module_read(l, &kl)) {
		slave_refuse(l, "cannot read the pools");
		return;
	}
	bad = offer_check(l, m, &kl);
	if (bad) {
		slave_refuse(l, bad);
		return;
	}
	ids = calloc(m->n, sizeof(*ids));
	if (!ids || batch_alloc(l)) {
		free(ids);
		slave_refuse(l, "out of memory");
		return;
	}
	for (i = 0; i < m->n; i++)
		memcpy(ids[i], m->keys[i].id, QKD_KEY_ID_LEN);
	if (kme_dec_keys(&l->kme, l->conf->kl.peer_sae, ids, m->n, kl.key_bits,
			 held, l, l->keys)) {
		free(ids);
		snprintf(why, sizeof(why), "KME: %s", l->kme.why);
		slave_refuse(l, why);
		return;
	}
	free(ids);
	l->n = m->n;
	for (i = 0; i < m->n; i++)
		l->keys[i].dir = m->keys[i].dir;
	if (module_push(l, QKD_DIR_OUT, &refused)) {
		if (refused) {
			/* The kernel adds all or none: nothing was pushed. */
			slave_refuse(l, "the slave could not push its in keys");
			return;
		}
		/* No answer from the kernel: some keys may be in. */
		finish_flush(l, "the slave's push of its in keys may be partial");
		return;
	}
	l->state = B_SLAVE_PUSHED;
	send_simple(l, MSG_ACK1, NULL);
}

static void batch_pools(struct link *l);

static void slave_msg(struct link *l, const struct msg *m)
{
	char why[300];

	switch (m->type) {
	case MSG_POOLS:
		batch_pools(l);
		return;
	case MSG_OFFER:
		if (l->state != B_IDLE || m->seq != l->last_seq + 1)
			goto unexpected;
		slave_offer(l, m);
		return;
	case MSG_ACK2:
		if (l->state != B_SLAVE_PUSHED || m->seq != l->seq)
			goto unexpected;
		if (module_push(l, QKD_DIR_IN, NULL)) {
			nack_flush(l, "the slave could not push its out keys");
			return;
		}
		if (send_simple(l, MSG_DONE, NULL))
			return;
		refilled(l);
		finish(l);
		return;
	case MSG_NACK:
		if (l->state != B_SLAVE_PUSHED || m->seq != l->seq)
			goto unexpected;
		snprintf(why, sizeof(why), "the master could not push: %s", m->reason);
		finish_flush(l, why);
		return;
	}
unexpected:
	snprintf(why, sizeof(why), "unexpected %s for batch %llu", msg_name(m->type),
		 (unsigned long long)m->seq);
	peer_drop(l, why);
}

void batch_on_msg(struct link *l, const struct msg *m)
{
	if (l->conf->role == QKDD_MASTER)
		master_msg(l, m);
	else
		slave_msg(l, m);
}

/* The slave's pool counts to the master. */
static void batch_pools(struct link *l)
{
	struct msg m = { .type = MSG_POOLS };
	struct qkd_link kl;

	if (!l->ready || module_read(l, &kl))
		return;
	m.out = kl.pool[QKD_DIR_OUT].keys;
	m.in = kl.pool[QKD_DIR_IN].keys;
	peer_send(l, &m);
}

void batch_low(struct link *l)
{
	if (l->conf->role == QKDD_MASTER)
		l->need_refill = true;
	else
		batch_pools(l);
}
