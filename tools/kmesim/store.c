// SPDX-License-Identifier: GPL-2.0
/*
 * The key store shared by the two simulated KMEs.
 *
 * A real QKD link produces secret key continuously at its secret key rate
 * and the KMEs buffer it up to a limit. The simulator does the same lazily:
 * whenever a pair's store is looked at, it first adds the keys the link
 * would have produced since the last look (rate * elapsed time, in whole
 * keys), so no generator thread is needed and the count seen by an SAE is
 * exactly what a continuously running link would show. While the buffer is
 * full the link's output is lost, as in a real KME, so the store never holds
 * more than initial_keys + rate * uptime / key_size keys.
 *
 * enc_keys takes keys out of the stored ring and gives each a fresh UUID;
 * a copy waits in the pair's pending list until the slave claims it with
 * dec_keys, once. Every copy of a key is zeroized when it is dropped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "store.h"

static double elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static int fill_random(uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static size_t key_bytes(const struct store *s)
{
	return s->cfg.key_size / 8;
}

static uint8_t *slot(const struct store *s, const struct kme_pair *p,
		     size_t i)
{
	return p->ring + ((p->head + i) % s->cfg.max_keys) * key_bytes(s);
}

/* Appends up to n fresh keys to the ring; returns how many it added. */
static size_t produce(struct store *s, struct kme_pair *p, size_t n)
{
	size_t done;

	if (n > s->cfg.max_keys - p->count)
		n = s->cfg.max_keys - p->count;
	for (done = 0; done < n; done++) {
		if (fill_random(slot(s, p, p->count), key_bytes(s)))
			break;
		p->count++;
	}
	return done;
}

static void refill(struct store *s, struct kme_pair *p)
{
	struct timespec now;
	double whole;

	if (!s->cfg.rate) {
		produce(s, p, s->cfg.max_keys);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	p->credit += (double)s->cfg.rate * elapsed(&p->last, &now);
	p->last = now;
	whole = p->credit / s->cfg.key_size;
	if (whole >= (double)(s->cfg.max_keys - p->count)) {
		produce(s, p, s->cfg.max_keys);
		p->credit = 0;	/* a full buffer loses the link's output */
		return;
	}
	p->credit -= (double)produce(s, p, (size_t)whole) * s->cfg.key_size;
}

void kme_key_wipe(struct kme_key *k)
{
	if (k->bytes) {
		explicit_bzero(k->bytes, k->bits / 8);
		free(k->bytes);
	}
	explicit_bzero(k, sizeof(*k));
}

static void drop_oldest_pending(struct kme_pair *p)
{
	struct pending_key *pk = p->pending;

	p->pending = pk->next;
	if (!p->pending)
		p->pending_tail = &p->pending;
	p->npending--;
	kme_key_wipe(&pk->key);
	free(pk);
}

static void expire(struct store *s, struct kme_pair *p)
{
	struct timespec now;

	if (!s->cfg.pending_ttl)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	while (p->pending &&
	       elapsed(&p->pending->born, &now) >= s->cfg.pending_ttl)
		drop_oldest_pending(p);
}

int store_init(struct store *s, const struct store_config *cfg,
	       const char *const *masters, const char *const *slaves,
	       size_t npairs)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	pthread_mutex_init(&s->lock, NULL);
	s->pairs = calloc(npairs, sizeof(*s->pairs));
	if (!s->pairs)
		return -ENOMEM;
	s->npairs = npairs;
	for (i = 0; i < npairs; i++) {
		struct kme_pair *p = &s->pairs[i];
		size_t len = (size_t)cfg->max_keys * key_bytes(s);

		strncpy(p->master, masters[i], SAE_ID_MAX);
		strncpy(p->slave, slaves[i], SAE_ID_MAX);
		p->pending_tail = &p->pending;
		p->ring = calloc(1, len);
		if (!p->ring)
			return -ENOMEM;
		/*
		 * Keep the keys out of swap where the limit allows it; a
		 * simulator may run without CAP_IPC_LOCK, so this is best
		 * effort.
		 */
		mlock(p->ring, len);
		clock_gettime(CLOCK_MONOTONIC, &p->last);
		if (produce(s, p, cfg->initial_keys) < cfg->initial_keys)
			return -EIO;
	}
	return 0;
}

void store_destroy(struct store *s)
{
	size_t i;

	for (i = 0; i < s->npairs; i++) {
		struct kme_pair *p = &s->pairs[i];

		if (p->ring) {
			explicit_bzero(p->ring,
				       (size_t)s->cfg.max_keys * key_bytes(s));
			free(p->ring);
		}
		while (p->pending)
			drop_oldest_pending(p);
	}
	free(s->pairs);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

struct kme_pair *store_find(struct store *s, const char *master,
			    const char *slave)
{
	size_t i;

	for (i = 0; i < s->npairs; i++)
		if (!strcmp(s->pairs[i].master, master) &&
		    !strcmp(s->pairs[i].slave, slave))
			return &s->pairs[i];
	return NULL;
}

size_t store_count(struct store *s, struct kme_pair *p)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	refill(s, p);
	n = p->count;
	pthread_mutex_unlock(&s->lock);
	return n;
}

size_t store_pending(struct store *s, struct kme_pair *p)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	expire(s, p);
	n = p->npending;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Stored keys one delivered key of @bits consumes. */
static size_t keys_per_key(const struct store *s, unsigned int bits)
{
	return (bits + s->cfg.key_size - 1) / s->cfg.key_size;
}

/*
 * Builds one key of @bits from the next stored keys: a key longer than
 * key_size is the concatenation of several stored keys, a shorter one the
 * head of one stored key. The rest of the last stored key is discarded, so
 * that no bit ever serves two delivered keys.
 */
static void take_one(struct store *s, struct kme_pair *p, struct kme_key *k)
{
	size_t per = keys_per_key(s, k->bits), left = k->bits / 8, i;
	uint8_t *dst = k->bytes;

	for (i = 0; i < per; i++) {
		uint8_t *src = slot(s, p, 0);
		size_t n = left < key_bytes(s) ? left : key_bytes(s);

		memcpy(dst, src, n);
		explicit_bzero(src, key_bytes(s));
		dst += n;
		left -= n;
		p->head = (p->head + 1) % s->cfg.max_keys;
		p->count--;
	}
	uuid_generate_random(k->id);
}

static void free_partial(struct kme_key *out, struct pending_key **pk,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		kme_key_wipe(&out[i]);
		if (pk[i]) {
			kme_key_wipe(&pk[i]->key);
			free(pk[i]);
		}
	}
	free(pk);
}

/*
 * Takes @number keys of @bits for the master into @out and keeps a copy of
 * each pending for the slave. All or nothing: -EAGAIN when the store holds
 * too few keys, -ENOMEM. The caller checked the size rules.
 */
int store_take(struct store *s, struct kme_pair *p, unsigned int number,
	       unsigned int bits, struct kme_key *out)
{
	struct pending_key **pk;
	size_t bytes = bits / 8;
	unsigned int i;
	int ret = 0;

	/* Allocate everything first, so that a failure changes nothing. */
	pk = calloc(number, sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	memset(out, 0, number * sizeof(*out));
	for (i = 0; i < number; i++) {
		out[i].bits = bits;
		out[i].bytes = malloc(bytes);
		pk[i] = calloc(1, sizeof(*pk[i]));
		if (pk[i])
			pk[i]->key.bytes = malloc(bytes);
		if (!out[i].bytes || !pk[i] || !pk[i]->key.bytes) {
			free_partial(out, pk, i + 1);
			return -ENOMEM;
		}
	}

	pthread_mutex_lock(&s->lock);
	refill(s, p);
	expire(s, p);
	if (p->count < number * keys_per_key(s, bits)) {
		ret = -EAGAIN;
		goto unlock;
	}
	for (i = 0; i < number; i++) {
		take_one(s, p, &out[i]);
		uuid_copy(pk[i]->key.id, out[i].id);
		pk[i]->key.bits = bits;
		memcpy(pk[i]->key.bytes, out[i].bytes, bytes);
		clock_gettime(CLOCK_MONOTONIC, &pk[i]->born);
		/*
		 * KME B's buffer is as bounded as A's: a master that never
		 * lets its slave claim keys pushes the oldest out.
		 */
		if (p->npending >= s->cfg.max_keys)
			drop_oldest_pending(p);
		*p->pending_tail = pk[i];
		p->pending_tail = &pk[i]->next;
		p->npending++;
		pk[i] = NULL;
	}
unlock:
	pthread_mutex_unlock(&s->lock);
	if (ret)
		free_partial(out, pk, number);
	else
		free(pk);
	return ret;
}

/*
 * Hands the pending keys @ids to the slave, each exactly once: they move
 * into @out and leave the store. All or nothing: a key ID asked for twice
 * gives -EINVAL, one not pending (never issued, claimed before, expired)
 * -ENOENT, with its index in @bad.
 */
int store_claim(struct store *s, struct kme_pair *p, const uuid_t *ids,
		size_t n, struct kme_key *out, size_t *bad)
{
	struct pending_key **pp, *pk;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!uuid_compare(ids[i], ids[j])) {
				*bad = i;
				return -EINVAL;
			}

	pthread_mutex_lock(&s->lock);
	expire(s, p);
	for (i = 0; i < n; i++) {
		for (pk = p->pending; pk; pk = pk->next)
			if (!uuid_compare(pk->key.id, ids[i]))
				break;
		if (!pk) {
			*bad = i;
			ret = -ENOENT;
			goto unlock;
		}
	}
	for (i = 0; i < n; i++) {
		for (pp = &p->pending; uuid_compare((*pp)->key.id, ids[i]);
		     pp = &(*pp)->next)
			;
		pk = *pp;
		*pp = pk->next;
		if (p->pending_tail == &pk->next)
			p->pending_tail = pp;
		p->npending--;
		out[i] = pk->key;	/* ownership moves, no copy */
		free(pk);
	}
unlock:
	pthread_mutex_unlock(&s->lock);
	return ret;
}
