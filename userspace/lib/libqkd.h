/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libqkd: the one client of the "qkd" generic netlink family, used by
 * qkdctl, qkdd and the tests. Built on libmnl.
 *
 * Every function returns 0 or a negative errno. Where a struct qkd_err is
 * passed, it is filled on failure with the kernel's extended ACK: its text
 * and the attribute it points at, so that a caller can print one line such
 * as "Error: integer out of range (attribute key-bits)".
 */
#ifndef LIBQKD_H
#define LIBQKD_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/qkd.h>

struct qkd_nl;

struct qkd_err {
	int err;		/* negative errno, 0 when none */
	char msg[256];		/* the kernel's extack text, "" when none */
	int bad_attr;		/* type of the top-level attribute the kernel
				 * pointed at (NLMSGERR_ATTR_OFFS), or -1 */
	int miss_type;		/* type of a missing attribute
				 * (NLMSGERR_ATTR_MISS_TYPE), or -1 */
	int bad_key;		/* when bad_attr is QKD_A_KEYS: the position
				 * (0-based) of the key entry the offset
				 * falls in, within that request, or -1 */
	bool has_room;		/* ENOSPC of a key add: the cookie's room */
	struct qkd_room room;
};

/* Opens a socket in the caller's network namespace, resolves the family. */
int qkd_nl_open(struct qkd_nl **nlp);
void qkd_nl_close(struct qkd_nl *nl);
/*
 * The same transport for another generic netlink family (qkdd's MACsec
 * agent talks to "macsec" through it): extended ACKs, one request in
 * flight, qkd_nl_msg() and qkd_nl_talk() as for qkd. qkd_nl_talk_secret()
 * wipes such a request whole once it is answered, and the receive buffer.
 */
int qkd_genl_open(struct qkd_nl **nlp, const char *family, uint8_t version);
uint16_t qkd_nl_family(const struct qkd_nl *nl);
/*
 * The socket's file descriptor, to poll() it among others; readable means
 * qkd_event_recv() with a timeout of 0 has something (which it may skip).
 */
int qkd_nl_fd(const struct qkd_nl *nl);

/*
 * Starts a request in the socket's buffer: netlink and genl headers, with
 * NLM_F_REQUEST | NLM_F_ACK | flags. Attributes go on with mnl_attr_put*().
 */
struct nlmsghdr *qkd_nl_msg(struct qkd_nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Sends the request and reads replies until the ACK (or NLMSG_DONE of a
 * dump), calling cb for each data message when cb is not NULL. cb returns
 * MNL_CB_OK to go on, MNL_CB_STOP to skip the remaining data messages, or
 * MNL_CB_ERROR with errno set; either way the request is read to its end,
 * and the first error (the kernel's, or else the callback's) is returned.
 */
int qkd_nl_talk(struct qkd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, struct qkd_err *err);
/*
 * qkd_nl_talk() for a request or a reply that holds key material: the
 * material of the request's QKD_A_KEYS is wiped as soon as it is sent, and
 * the whole request and the receive buffer once the request is finished
 * (for another family, qkd_genl_open(), the request whole once answered).
 */
int qkd_nl_talk_secret(struct qkd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		       void *data, struct qkd_err *err);

/* "reqid", "key-bits", ...: the CLI word for a QKD_A_* type, or NULL. */
const char *qkd_attr_name(int type);

/*
 * Prints one line to stderr:
 *   "Error: <msg> (attribute <name>)" when the kernel named an attribute
 *   (strerror in place of <msg> when it gave no text);
 *   "Error: missing attribute <name>" for a missing one (or
 *   "Error: <msg> (missing attribute <name>)" when it gave text);
 *   else "Error: <msg>", else "Error: <strerror>".
 */
void qkd_err_print(const struct qkd_err *err);

/*
 * The text for a failure of qkd_nl_open(): -ENOENT means that no family
 * "qkd" is registered, "qkd module not loaded"; anything else strerror().
 */
const char *qkd_nl_strerror(int err);

/* A pool's state and counters (QKD_A_POOL_OUT, QKD_A_POOL_IN). */
struct qkd_pool_stats {
	uint32_t keys;
	uint64_t bytes;
	uint64_t added;
	uint64_t used;
	uint64_t exported;
	uint64_t discarded_flush;
	uint64_t discarded_expired;
	uint32_t staged;		/* QKD_A_POOL_STAGED */
	uint64_t discarded_uncommitted;
};

/* A link as configured; `present` says which QKD_A_* are set. */
struct qkd_link {
	uint64_t present;		/* bit (1ULL << QKD_A_*) per attribute */
	char name[QKD_LINK_NAME_MAX + 1];
	uint32_t id;
	char local_sae[QKD_SAE_ID_MAX + 1];
	char peer_sae[QKD_SAE_ID_MAX + 1];
	int family;			/* AF_INET, AF_INET6, 0 when none */
	uint8_t local_addr[16];
	uint8_t peer_addr[16];
	uint32_t reqid;
	uint32_t if_id;
	uint8_t mode;			/* enum qkd_mode */
	uint8_t cipher;			/* enum qkd_cipher */
	uint16_t key_bits;
	uint32_t capacity;
	uint32_t low_water;
	uint32_t rekey_time;
	uint64_t rekey_bytes;
	uint64_t rekey_packets;
	uint8_t on_empty;		/* enum qkd_on_empty */
	uint32_t max_key_age;
	uint8_t consumer;		/* enum qkd_consumer */
	uint8_t rx_window;
	struct qkd_pool_stats pool[2];	/* [QKD_DIR_OUT], [QKD_DIR_IN]; read
					 * only, present bits QKD_A_POOL_* */
	uint64_t batch;			/* QKD_A_LINK_BATCH, read only */
	uint64_t staged_batch;		/* QKD_A_LINK_STAGED, read only */
};

static inline bool qkd_link_has(const struct qkd_link *l, int type)
{
	return l->present & (1ULL << type);
}

static inline void qkd_link_mark(struct qkd_link *l, int type)
{
	l->present |= 1ULL << type;
}

/*
 * Puts every attribute marked present; the read-only QKD_A_LINK_ID,
 * QKD_A_LINK_BATCH and QKD_A_LINK_STAGED are never sent.
 */
void qkd_link_put(struct nlmsghdr *nlh, const struct qkd_link *l);
/* Parses a QKD_CMD_LINK_GET reply; unknown attributes are ignored. */
int qkd_link_parse(const struct nlmsghdr *nlh, struct qkd_link *l);

int qkd_link_new(struct qkd_nl *nl, const struct qkd_link *l,
		 struct qkd_err *err);
int qkd_link_set(struct qkd_nl *nl, const struct qkd_link *l,
		 struct qkd_err *err);
/* For del and get a NULL name sends none (the kernel refuses that). */
int qkd_link_del(struct qkd_nl *nl, const char *name, struct qkd_err *err);
int qkd_link_get(struct qkd_nl *nl, const char *name, struct qkd_link *l,
		 struct qkd_err *err);
/*
 * Calls fn for every link of the namespace, in order of creation. fn
 * returns 0 to go on, a positive value to stop quietly, or a negative
 * errno to stop with that error, which qkd_link_dump() returns.
 */
int qkd_link_dump(struct qkd_nl *nl,
		  int (*fn)(const struct qkd_link *l, void *arg), void *arg,
		  struct qkd_err *err);

/* One QKD key. Callers wipe it (explicit_bzero) when done. */
struct qkd_key {
	uint8_t dir;			/* enum qkd_dir */
	uint8_t id[QKD_KEY_ID_LEN];
	uint8_t material[QKD_KEY_BITS_MAX / 8];
	unsigned int len;		/* bytes of material */
	uint64_t index;			/* set by qkd_key_take() */
};

/*
 * Adds keys to a link in one message, all or none (n at most
 * QKD_KEY_BATCH_MAX). The request buffer is wiped after sending.
 */
int qkd_key_add(struct qkd_nl *nl, const char *link, const struct qkd_key *keys,
		unsigned int n, struct qkd_err *err);
/*
 * Stages keys as batch @batch (QKD_A_BATCH), all or none: held by the
 * link, unusable until qkd_key_commit(). A @batch of 0 sends no
 * QKD_A_BATCH: the keys are added at once, as by qkd_key_add().
 */
int qkd_key_stage(struct qkd_nl *nl, const char *link, uint64_t batch,
		  const struct qkd_key *keys, unsigned int n, struct qkd_err *err);
/* Commits the staged keys of @batch in @dir (-1: both directions). */
int qkd_key_commit(struct qkd_nl *nl, const char *link, uint64_t batch, int dir,
		   struct qkd_err *err);
/* Discards the keys of @batch still staged. */
int qkd_key_abort(struct qkd_nl *nl, const char *link, uint64_t batch,
		  struct qkd_err *err);
/* dir: QKD_DIR_OUT, QKD_DIR_IN, or -1 for both. */
int qkd_key_flush(struct qkd_nl *nl, const char *link, int dir,
		  struct qkd_err *err);
/* Takes the oldest key of an export link's pool, once. */
int qkd_key_take(struct qkd_nl *nl, const char *link, uint8_t dir,
		 struct qkd_key *key, struct qkd_err *err);
/*
 * Moves the oldest key of an export link's pool into a new logon key
 * DESC ("PREFIX:NAME") in KEYRING (a serial, or KEY_SPEC_* such as -4 for
 * the user keyring). *serial gets the logon key's serial, id its key ID.
 */
int qkd_key_export(struct qkd_nl *nl, const char *link, uint8_t dir,
		   int32_t keyring, const char *desc, int32_t *serial,
		   uint8_t id[QKD_KEY_ID_LEN], struct qkd_err *err);

/* Module-wide figures (QKD_CMD_STATS_GET). */
struct qkd_stats {
	uint64_t keys;
	uint64_t max_keys;
	uint64_t memory;
	uint64_t added;
	uint64_t used;
	uint64_t exported;
	uint64_t discarded;
};

int qkd_stats_get(struct qkd_nl *nl, struct qkd_stats *st, struct qkd_err *err);

/* An IPsec SA the module installed for a link. No key material, ever. */
struct qkd_sa {
	char link[QKD_LINK_NAME_MAX + 1];
	uint8_t dir;			/* enum qkd_dir */
	uint32_t spi;
	uint8_t key_id[QKD_KEY_ID_LEN];	/* of the key it was derived from */
	uint64_t key_index;
	uint8_t state;			/* enum qkd_sa_state */
	uint32_t age;			/* seconds since installed */
	uint64_t bytes;
	uint64_t packets;
};

/*
 * Calls fn for every SA of one link (link NULL: of every link in the
 * namespace), link by link in order of creation, each link's oldest SA
 * first. fn returns as for qkd_link_dump(). A link that does not exist
 * simply has no SAs: the kernel does not refuse its name.
 */
int qkd_sa_dump(struct qkd_nl *nl, const char *link,
		int (*fn)(const struct qkd_sa *sa, void *arg), void *arg,
		struct qkd_err *err);
/*
 * Replaces the link's outbound SA now with one from its next out key
 * (QKD_CMD_LINK_REKEY); a NULL link sends no name.
 */
int qkd_link_rekey(struct qkd_nl *nl, const char *link, struct qkd_err *err);

/* An event from the "events" group. */
struct qkd_event {
	uint8_t cmd;			/* QKD_CMD_EVENT_* */
	char link[QKD_LINK_NAME_MAX + 1];
	uint8_t dir;
	uint32_t count;			/* keys in the pool now */
	uint32_t low_water;		/* low-water and empty events */
	uint8_t reason;			/* discard events: enum qkd_discard */
	uint32_t discarded;		/* discard events: how many keys */
	uint32_t spi;			/* SA events but sa-error: the SA */
	uint32_t old_spi;		/* rekey events: the SA replaced */
	uint64_t key_index;		/* rekey events: the new SA's key */
	int32_t error;			/* sa-error events: a negative errno */
};

/* Joins the "events" group; use a socket of its own for events. */
int qkd_nl_subscribe(struct qkd_nl *nl);
/*
 * Waits up to timeout_ms (-1: for ever) for the next event: 0, or
 * -ETIMEDOUT, or another -errno.
 */
int qkd_event_recv(struct qkd_nl *nl, struct qkd_event *ev, int timeout_ms);
/* "low-water", "empty", "discard", "rekey", "sa-error", "holding", "blocked" */
const char *qkd_event_name(unsigned int cmd);
const char *qkd_dir_name(unsigned int v);	/* "out", "in" */
int qkd_dir_parse(const char *s);
const char *qkd_discard_name(unsigned int v);	/* "flush", "expired", "uncommitted" */
/* "active", "pending", "retiring", "holding" */
const char *qkd_sa_state_name(unsigned int v);

/* Names of enum values as the CLI spells them, and back (-1 if unknown). */
const char *qkd_mode_name(unsigned int v);
const char *qkd_cipher_name(unsigned int v);
const char *qkd_on_empty_name(unsigned int v);
const char *qkd_consumer_name(unsigned int v);
int qkd_mode_parse(const char *s);
int qkd_cipher_parse(const char *s);
int qkd_on_empty_parse(const char *s);
int qkd_consumer_parse(const char *s);

#endif /* LIBQKD_H */
