// SPDX-License-Identifier: GPL-2.0
/*
 * The master's keys for one batch, from its KME: the status, a request
 * sized from it, and what to do when the KME is short or fails.
 *
 * stored_key_count is a hint, not a cap. Some KMEs count something else
 * there (the keys handed out and not yet fetched, 0 at rest) and hold
 * keys all the same; qkdd capped its requests at the count and never
 * called enc_keys on them. So the request is for what the pools need,
 * within what the status allows (max_key_per_request, max_key_count, the
 * key sizes), and only when the KME says it has too few for that does
 * the count come in: qkdd asks at once for as many as it says it holds
 * (a KME that counts as the standard does serves them), and with none,
 * backs off.
 *
 * A KME that gives fewer keys than asked has run short, and the next
 * batch waits BACKOFF_MIN_MS (batch.c): going on at once would fetch the
 * one or two keys it made meanwhile, three requests and a peer round trip
 * for each, as fast as the loop turns.
 *
 * "No keys now" (a 503, or a 400 that says so, see kme.c) is an episode:
 * logged once when it starts, then asked again after 1 s, doubling to
 * 30 s, quietly, until keys come. So is an outage, a KME that gives no
 * answer at all (kme.c: no connection, or a time-out), logged when it
 * starts and when the KME answers again, with how long it lasted. Any
 * other failure is logged at each try, with the same backoff.
 *
 * The calls (status, enc_keys, perhaps enc_keys again for fewer) run one
 * after the other without blocking the event loop (kme.c): the link
 * waits in B_FETCHING, each call bounded by the KME time limit, and the
 * peer's messages are read and answered meanwhile.
 */
#include <errno.h>
#include <stdio.h>

#include "daemon.h"

bool link_holds(const uint8_t id[QKD_KEY_ID_LEN], void *arg)
{
	struct link *l = arg;

	return idring_has(&l->ids, id);
}

void link_backoff(struct link *l, const char *what)
{
	l->kme_backoff = !l->kme_backoff ? BACKOFF_MIN_MS :
			 l->kme_backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			 l->kme_backoff * 2;
	l->retry_at = qkdd_now_ms() + l->kme_backoff;
	if (what)
		link_log(l, "%s; next try in %lld s", what,
			 (long long)l->kme_backoff / 1000);
}

/* The KME has too few keys for us: an episode, logged as it starts. */
static void no_keys(struct link *l)
{
	link_backoff(l, NULL);
	if (l->kme_short)
		return;
	l->kme_short = true;
	link_log(l, "KME has no keys for us now (%s); asking again in %lld s, "
		 "doubling up to %d s, without a line for each try", l->kme.why,
		 (long long)l->kme_backoff / 1000, BACKOFF_MAX_MS / 1000);
}

/*
 * The KME gave no answer to a try that began at @t0: an episode, logged
 * as it starts, and timed from its first try.
 */
static void kme_down(struct link *l, int64_t t0)
{
	link_backoff(l, NULL);
	l->kme_down_tries++;
	if (l->kme_down)
		return;
	l->kme_down = true;
	l->kme_down_since = t0;
	link_log(l, "KME gives no answer (%s); asking again in %lld s, doubling "
		 "up to %d s, without a line for each try", l->kme.why,
		 (long long)l->kme_backoff / 1000, BACKOFF_MAX_MS / 1000);
}

/* The KME answered (whatever it said): an outage is over. */
static void kme_up(struct link *l)
{
	if (!l->kme_down)
		return;
	link_log(l, "KME answers again, after %lld s without an answer (%u tries)",
		 (long long)(qkdd_now_ms() - l->kme_down_since + 500) / 1000,
		 l->kme_down_tries);
	l->kme_down = false;
	l->kme_down_tries = 0;
}

/* The end of the batch's enc_keys call (the fallback's, if it came to that). */
static unsigned int enc_keys_end(struct link *l, int ret)
{
	struct fetch *f = &l->fetch;
	char why[KME_WHY_MAX + 32];

	if (ret == -EAGAIN) {
		no_keys(l);
		return 0;
	}
	if (ret == -ENOTCONN) {
		kme_down(l, f->t0);
		return 0;
	}
	if (ret < 0) {
		snprintf(why, sizeof(why), "KME: %s; nothing pushed", l->kme.why);
		link_backoff(l, why);
		return 0;
	}
	l->kme_short = false;
	l->kme_partial = (unsigned int)ret < f->n;
	if (refill_count_misleads(ret, l->key_bits, &f->st))
		kme_quirk(&l->kme, KQ_STORED_COUNT,
			  "stored_key_count said %u, yet enc_keys gave %d keys at "
			  "once: qkdd takes stored_key_count as a hint and asks "
			  "for what it needs", f->st.stored_key_count, ret);
	else if ((unsigned int)ret <= refill_stored(l->key_bits, &f->st))
		kme_quirk_over(&l->kme, KQ_STORED_COUNT);
	return ret;
}

/*
 * The status call ended with @ret: on to enc_keys, or 0 (nothing to ask
 * for, or what went wrong logged). -EINPROGRESS: enc_keys is in flight.
 */
static int status_end(struct link *l, int ret)
{
	const char *sae = l->conf->kl.peer_sae;
	struct fetch *f = &l->fetch;
	unsigned int bits = l->key_bits;
	char why[KME_WHY_MAX + 32];

	if (ret == -ENOTCONN) {
		kme_down(l, f->t0);
		return 0;
	}
	kme_up(l);
	if (ret) {
		snprintf(why, sizeof(why), "KME: %s", l->kme.why);
		link_backoff(l, why);
		return 0;
	}
	if ((f->st.min_key_size && bits < f->st.min_key_size) ||
	    (f->st.max_key_size && bits > f->st.max_key_size)) {
		snprintf(why, sizeof(why), "KME: cannot give %u-bit keys (%u to %u)",
			 bits, f->st.min_key_size, f->st.max_key_size);
		link_backoff(l, why);
		return 0;
	}
	f->n = refill_count(f->out, f->in, f->capacity, bits, &f->st);
	if (!f->n) {
		/* Nothing lacking after all: look again later. */
		l->retry_at = qkdd_now_ms() + POLL_MS;
		return 0;
	}
	f->step = F_ENC_KEYS;
	ret = kme_enc_keys_start(&l->kme, sae, f->n, bits, link_holds, l, l->keys);
	return ret ? (int)enc_keys_end(l, ret) : -EINPROGRESS;
}

void fetch_kme_done(struct link *l, int ret)
{
	const char *sae = l->conf->kl.peer_sae;
	struct fetch *f = &l->fetch;
	unsigned int again;

	if (l->state != B_FETCHING)
		return;
	switch (f->step) {
	case F_STATUS:
		ret = status_end(l, ret);
		if (ret == -EINPROGRESS)
			return;
		batch_fetched(l, ret);
		return;
	case F_ENC_KEYS:
		again = ret == -EAGAIN ? refill_fallback(f->n, l->key_bits, &f->st) : 0;
		if (again) {
			f->step = F_ENC_KEYS_AGAIN;
			ret = kme_enc_keys_start(&l->kme, sae, again, l->key_bits,
						 link_holds, l, l->keys);
			if (!ret)
				return;
		}
		break;
	case F_ENC_KEYS_AGAIN:
		break;
	}
	batch_fetched(l, enc_keys_end(l, ret));
}

void fetch_start(struct link *l, const struct qkd_link *kl, uint32_t out,
		 uint32_t in)
{
	struct fetch *f = &l->fetch;
	int ret;

	f->step = F_STATUS;
	f->out = out;
	f->in = in;
	f->capacity = kl->capacity;
	f->n = 0;
	f->t0 = qkdd_now_ms();
	l->key_bits = kl->key_bits;
	l->state = B_FETCHING;
	ret = kme_status_start(&l->kme, l->conf->kl.peer_sae, &f->st);
	if (ret)
		fetch_kme_done(l, ret);
}
