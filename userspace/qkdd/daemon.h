/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running daemon: its links and their state. One thread, one event
 * loop (main.c); nothing here is locked.
 */
#ifndef QKDD_DAEMON_H
#define QKDD_DAEMON_H

#include "handshake.h"
#include "kme.h"
#include "msg.h"
#include "qkdd.h"
#include "refill.h"
#include "tls.h"

/* Where the batch in flight stands; one batch per link at a time. */
enum batch_state {
	B_IDLE,
	B_ASKED,		/* master: POOLS sent, waiting for the slave's */
	B_FETCHING,		/* master: asking the KME for the batch (fetch.c) */
	B_OFFERED,		/* master: OFFER sent, waiting for ACK1 */
	B_MASTER_PUSHED,	/* master: staged, in keys committed, ACK2 sent,
				 * waiting for DONE */
	B_SLAVE_FETCHING,	/* slave: OFFER taken, dec_keys in flight */
	B_SLAVE_PUSHED,		/* slave: batch staged, ACK1 sent, waiting for ACK2 */
};

struct qkdd;

struct link {
	struct qkdd *d;
	const struct qkdd_link_conf *conf;
	const char *name;
	struct kme kme;
	struct idring ids;		/* key IDs taken in lately */

	struct tls_conn *conn;		/* to the peer qkdd, or NULL */
	bool ready;			/* HELLO exchanged on conn */
	int64_t hello_deadline;
	uint64_t last_seq;		/* the last batch finished (done or dropped) */
	struct msg_hello_state {	/* what our HELLO told the peer */
		uint64_t seq, batch, staged;
		bool dirty;
	} hello;

	/* master */
	bool need_refill;
	int64_t retry_at;		/* no batch before this (KME backoff) */
	int64_t kme_backoff;
	bool kme_short;			/* "no keys now" episode (fetch.c) */
	bool kme_partial;		/* the last batch got fewer than asked */
	bool kme_down;			/* "KME gives no answer" episode (fetch.c) */
	int64_t kme_down_since;
	unsigned int kme_down_tries;
	int64_t connect_at;
	int64_t connect_backoff;
	bool connect_failed;		/* logged once until it works again */

	/* master: the KME calls of the batch being fetched (fetch.c) */
	struct fetch {
		enum { F_STATUS, F_ENC_KEYS, F_ENC_KEYS_AGAIN } step;
		struct kme_status st;
		uint32_t out, in;	/* what the pools hold, the fuller side's */
		unsigned int capacity;
		unsigned int n;		/* keys asked for first */
		int64_t t0;		/* when the first call began */
	} fetch;

	/* the batch in flight */
	enum batch_state state;
	uint64_t seq;
	unsigned int n;
	unsigned int key_bits;
	struct qkd_key *keys;		/* QKD_KEY_BATCH_MAX; dir as the master sees it */
	/* slave: the OFFER's directions and tag, while dec_keys runs */
	uint8_t dirs[QKD_KEY_BATCH_MAX];
	uint8_t offer_tag[MSG_TAG_LEN];
	int64_t deadline;
	bool resumed;			/* completed from a HELLO, keys unknown */
};

#define QKDD_MAX_PENDING 16

struct qkdd {
	const struct qkdd_conf *conf;
	struct qkd_nl *nl;		/* requests */
	struct qkd_nl *ev;		/* the "events" group */
	SSL_CTX *tls;
	struct handshakes hs;		/* the listener, handshakes in progress */
	struct tls_conn *pending[QKDD_MAX_PENDING];	/* through TLS, no HELLO yet */
	int64_t pending_deadline[QKDD_MAX_PENDING];
	struct link *links;
	unsigned int n_links;
};

#define link_log(l, fmt, ...) qkdd_log("link %s: " fmt, (l)->name, ##__VA_ARGS__)

/* Backoffs and time limits, in milliseconds. */
#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	30000
#define HELLO_MS	10000
/* The master's wait for ACK1 and DONE: the slave's dec_keys included. */
#define BATCH_MS	30000
/*
 * The master's wait for the slave's POOLS: no KME call, and no KME call
 * holds the slave's loop (kme.c), so this is the network's and the
 * scheduler's time. A slave that stopped answering is noticed within it.
 */
#define POOLS_MS	15000
/* How often the master looks again while the slave's pools are fuller. */
#define POLL_MS		5000

/* module.c */
int module_setup(struct qkd_nl *nl, const struct qkdd_link_conf *lc,
		 bool *has_keys);
int module_read(struct link *l, struct qkd_link *kl);
/*
 * Stages the keys of the batch in flight as batch l->seq, in batch order,
 * each with the direction this side sees, then wipes their material.
 * Returns 0 or -errno (logged); on failure *@refused tells whether the
 * kernel refused the request, which stages all keys or none; if not, it
 * cannot be told whether the batch is staged.
 */
int module_stage(struct link *l, bool *refused);
/*
 * Commits the staged keys of batch @seq whose direction, as the master
 * sees it, is @mdir (-1: all). Committing a batch committed already
 * succeeds.
 */
int module_commit(struct link *l, uint64_t seq, int mdir);
/* Discards what is still staged of batch @seq, logging @why. */
int module_abort(struct link *l, uint64_t seq, const char *why);
/* Flushes both pools of the link, logging @why. */
int module_flush(struct link *l, const char *why);

/* peer.c: the connection and its HELLO. */
void peer_tick(struct link *l, int64_t now);
/* Takes a connection through its handshake (handshake.c) until its HELLO. */
void peer_pending_add(struct qkdd *d, struct tls_conn *c);
void peer_pending_readable(struct qkdd *d, unsigned int i);
void peer_readable(struct link *l);
int peer_send(struct link *l, const struct msg *m);
void peer_drop(struct link *l, const char *why);
void peer_pending_tick(struct qkdd *d, int64_t now);

/* fetch.c: the master's keys from its KME. */
/*
 * Starts asking the KME for the keys of a batch that lacks @out and @in
 * (the master's directions) to fill @kl's pools, into l->keys; the link
 * is in B_FETCHING meanwhile. It ends in batch_fetched() with how many
 * the KME gave, or 0 with the next try set (l->retry_at) and what went
 * wrong logged as it should be; perhaps before fetch_start() returns.
 */
void fetch_start(struct link *l, const struct qkd_link *kl, uint32_t out,
		 uint32_t in);
/* The KME call fetch.c started ended with @ret (kme.h). */
void fetch_kme_done(struct link *l, int ret);
/* Whether the link took in key ID @id lately (arg: the link). */
bool link_holds(const uint8_t id[QKD_KEY_ID_LEN], void *arg);
/*
 * No batch before the next backoff step (1 s, doubling up to 30 s, back
 * to 1 s after a batch is done); logs "@what; next try in N s" unless
 * @what is NULL.
 */
void link_backoff(struct link *l, const char *what);

/* batch.c: the sync protocol of one batch. */
void batch_tick(struct link *l, int64_t now);
void batch_on_msg(struct link *l, const struct msg *m);
void batch_lost(struct link *l);
void batch_low(struct link *l);
void batch_free(struct link *l);
/* Completes batch @seq, which both sides hold, from ACK2 on (peer.c). */
void batch_resume(struct link *l, uint64_t seq);
/* The master's keys of the batch came: @n of them (0: none, see fetch_start()). */
void batch_fetched(struct link *l, unsigned int n);
/* A KME call of the link ended (struct kme's done). */
void batch_kme_done(struct kme *k, int ret);

#endif /* QKDD_DAEMON_H */
