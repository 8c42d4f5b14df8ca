// SPDX-License-Identifier: GPL-2.0
/*
 * The slave's side of a batch (batch.c has the protocol and the master's):
 * it checks an OFFER, fetches the same keys with dec_keys, compares the key
 * confirmation tag, stages the batch and commits it at ACK2.
 */
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "confirm.h"
#include "daemon.h"

/* The slave refuses the batch offered, saying why (@code, @why). */
static void slave_refuse_as(struct link *l, uint8_t code, const char *why)
{
	struct msg m = { .type = MSG_NACK, .seq = l->seq, .code = code };

	link_log(l, "batch %llu refused: %s; nothing pushed",
		 (unsigned long long)l->seq, why);
	batch_finish(l);
	snprintf(m.reason, sizeof(m.reason), "%s", why);
	peer_send(l, &m);
}

/* The slave refuses the batch offered; nothing of it was pushed. */
static void slave_refuse(struct link *l, const char *why)
{
	slave_refuse_as(l, MSG_NACK_REFUSED, why);
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

/* The OFFER @m: checked, then dec_keys (batch_slave_fetched() goes on). */
static void slave_offer(struct link *l, const struct msg *m)
{
	uint8_t (*ids)[QKD_KEY_ID_LEN];
	struct qkd_link kl;
	const char *bad;
	unsigned int i;
	int ret;

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
	for (i = 0; i < m->n; i++) {
		memcpy(ids[i], m->keys[i].id, QKD_KEY_ID_LEN);
		l->dirs[i] = m->keys[i].dir;
	}
	memcpy(l->offer_tag, m->tag, sizeof(l->offer_tag));
	l->n = m->n;
	l->key_bits = kl.key_bits;
	/* The loop reads and answers meanwhile (kme.c); ACK1 waits for it. */
	l->state = B_SLAVE_FETCHING;
	ret = kme_dec_keys_start(&l->kme, l->conf->kl.peer_sae, ids, m->n,
				 kl.key_bits, link_holds, l, l->keys);
	free(ids);
	if (ret)
		batch_slave_fetched(l, ret);
}

/* The slave's dec_keys ended with @ret: the tag, the stage, ACK1. */
void batch_slave_fetched(struct link *l, int ret)
{
	char why[KME_WHY_MAX + 32];
	uint8_t tag[CONFIRM_TAG_LEN];
	unsigned int i;
	bool refused;

	if (l->state != B_SLAVE_FETCHING)
		return;
	if (ret) {
		snprintf(why, sizeof(why), "KME: %s", l->kme.why);
		slave_refuse(l, why);
		return;
	}
	for (i = 0; i < l->n; i++)
		l->keys[i].dir = l->dirs[i];
	/* Before anything is staged: both KMEs gave the same keys. */
	if (batch_tag(l, l->key_bits, tag)) {
		slave_refuse(l, "the slave could not compute the key confirmation tag");
		return;
	}
	if (!confirm_tag_equal(tag, l->offer_tag)) {
		explicit_bzero(tag, sizeof(tag));
		batch_event(l, "key-confirmation-failed", "batch=%llu keys=%u role=slave",
			   (unsigned long long)l->seq, l->n);
		snprintf(why, sizeof(why), "key confirmation failed: the two KMEs gave "
			 "different key material for the %u key IDs of the batch", l->n);
		slave_refuse_as(l, MSG_NACK_KEY_CONFIRM, why);
		return;
	}
	explicit_bzero(tag, sizeof(tag));
	if (module_stage(l, &refused)) {
		if (refused) {
			/* The kernel stages all or none: nothing was staged. */
			slave_refuse(l, "the slave could not stage the batch");
			return;
		}
		batch_broken(l, "the slave's stage may or may not have happened");
		return;
	}
	batch_crash_point("slave-staged");
	l->state = B_SLAVE_PUSHED;
	batch_send(l, MSG_ACK1, NULL);
}

void batch_slave_msg(struct link *l, const struct msg *m)
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
		/* The master receives with our out keys already. */
		if (module_commit(l, l->seq, -1)) {
			batch_send(l, MSG_NACK, "the slave could not commit the batch");
			if (l->state != B_IDLE)
				batch_broken(l, "the slave could not commit the batch");
			return;
		}
		batch_crash_point("slave-committed");
		if (batch_send(l, MSG_DONE, NULL))
			return;
		batch_refilled(l);
		batch_finish(l);
		return;
	case MSG_NACK:
		if (l->state != B_SLAVE_PUSHED || m->seq != l->seq)
			goto unexpected;
		/* The master staged nothing. */
		snprintf(why, sizeof(why), "the master could not stage: %s", m->reason);
		if (module_abort(l, l->seq, why)) {
			batch_broken(l, "cannot discard the staged batch");
			return;
		}
		batch_finish(l);
		return;
	}
unexpected:
	snprintf(why, sizeof(why), "unexpected %s for batch %llu", msg_name(m->type),
		 (unsigned long long)m->seq);
	peer_drop(l, why);
}

/* The slave's pool counts to the master. */
void batch_pools(struct link *l)
{
	struct msg m = { .type = MSG_POOLS };
	struct qkd_link kl;

	if (!l->ready || module_read(l, &kl))
		return;
	m.out = kl.pool[QKD_DIR_OUT].keys;
	m.in = kl.pool[QKD_DIR_IN].keys;
	peer_send(l, &m);
}
