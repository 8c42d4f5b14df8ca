/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key store of a simulated KME pair: for each (master SAE, slave SAE)
 * pair, the keys both KMEs hold and no SAE has had yet, and the keys handed
 * to the master and still pending for the slave.
 */
#ifndef KMESIM_STORE_H
#define KMESIM_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uuid/uuid.h>

#define SAE_ID_MAX 128

struct store_config {
	unsigned int key_size;		/* bits of one stored key */
	unsigned int min_key_size;	/* bounds of a requested size, bits */
	unsigned int max_key_size;
	unsigned int max_keys;		/* stored keys per pair */
	unsigned int max_keys_per_request;
	unsigned int initial_keys;
	unsigned long rate;		/* secret key rate, bit/s; 0: unthrottled */
	unsigned int pending_ttl;	/* seconds; 0: pending keys never expire */
};

/* One key as it leaves the store; kme_key_wipe() zeroizes and frees it. */
struct kme_key {
	uuid_t id;
	unsigned int bits;
	uint8_t *bytes;
};

struct pending_key {
	struct pending_key *next;
	struct timespec born;
	struct kme_key key;
};

struct kme_pair {
	char master[SAE_ID_MAX + 1];
	char slave[SAE_ID_MAX + 1];
	/* A ring of max_keys slots of key_size / 8 bytes each. */
	uint8_t *ring;
	size_t head, count;
	/* Bits of key the link has made since the last refill, not yet a key. */
	double credit;
	struct timespec last;
	/* Pending for the slave, oldest first. */
	struct pending_key *pending, **pending_tail;
	size_t npending;
};

/*
 * Locking: one mutex guards every pair; each HTTPS listener runs its own
 * thread and both reach the same pairs.
 */
struct store {
	pthread_mutex_t lock;
	struct store_config cfg;
	struct kme_pair *pairs;
	size_t npairs;
};

int store_init(struct store *s, const struct store_config *cfg,
	       const char *const *masters, const char *const *slaves,
	       size_t npairs);
void store_destroy(struct store *s);

struct kme_pair *store_find(struct store *s, const char *master,
			    const char *slave);
size_t store_count(struct store *s, struct kme_pair *p);
/* Keys handed to the master and not yet claimed by the slave. */
size_t store_pending(struct store *s, struct kme_pair *p);
int store_take(struct store *s, struct kme_pair *p, unsigned int number,
	       unsigned int bits, struct kme_key *out);
int store_claim(struct store *s, struct kme_pair *p, const uuid_t *ids,
		size_t n, struct kme_key *out, size_t *bad);

void kme_key_wipe(struct kme_key *k);

#endif
