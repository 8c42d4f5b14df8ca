/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ETSI GS QKD 014: the answers a KME gives (etsi014.c, pure functions) and
 * the HTTPS client that asks for them (kme.c), driven by the event loop.
 */
#ifndef QKDD_KME_H
#define QKDD_KME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libqkd.h"

/* The members of a Status answer qkdd uses; sizes in bits. */
struct kme_status {
	unsigned int key_size;
	unsigned int stored_key_count;
	unsigned int max_key_count;
	unsigned int max_key_per_request;
	unsigned int min_key_size;	/* 0 when the KME does not say */
	unsigned int max_key_size;	/* 0 when the KME does not say */
};

/* Room for the text of what was wrong with an answer. */
#define KME_WHY_MAX 256

/*
 * Checks a Status answer (@len bytes of JSON at @buf, not NUL-terminated)
 * and fills @st. Returns 0, or -EBADMSG with @why saying what was wrong.
 */
int etsi014_parse_status(const char *buf, size_t len, struct kme_status *st,
			 char why[KME_WHY_MAX]);

/* Whether a key ID is held already (by the link, from earlier batches). */
typedef bool (*kme_held_fn)(const uint8_t id[QKD_KEY_ID_LEN], void *arg);

/*
 * Checks a Key container answer to a request for @n keys of @bits bits,
 * and on success fills @keys[0..n-1] (ID, material, length; dir 0):
 *
 * - the JSON parses, as a whole, into {"keys": [{"key_ID": S, "key": S}...]}
 *   (extension members are allowed and ignored);
 * - exactly @n keys; each key_ID a UUID, no two alike, none that @held
 *   (may be NULL) says is held;
 * - each key strict base64 (no white space, padding only at the end) of
 *   exactly bits / 8 bytes;
 * - with @want (dec_keys: the IDs asked for), exactly those IDs, each
 *   once; @keys then follows the order of @want, not the answer's.
 *
 * On failure nothing is left in @keys (it is wiped) and @why says what was
 * wrong, naming the key by its position and its ID, never its material.
 * The JSON text at @buf is the caller's to wipe; what json-c copied is
 * wiped here as far as json-c lets us (see etsi014.c).
 */
int etsi014_parse_keys(const char *buf, size_t len, unsigned int n,
		       unsigned int bits, const uint8_t (*want)[QKD_KEY_ID_LEN],
		       kme_held_fn held, void *arg, struct qkd_key *keys,
		       char why[KME_WHY_MAX]);

/*
 * As etsi014_parse_keys() for an enc_keys answer to a request for @n keys,
 * without @want, but an answer of fewer keys (at least one) is taken too:
 * some KMEs give fewer than asked (one, ignoring number). Returns how many
 * keys it gave, in @keys[0..], or -EBADMSG.
 */
int etsi014_parse_enc_keys(const char *buf, size_t len, unsigned int n,
			   unsigned int bits, kme_held_fn held, void *arg,
			   struct qkd_key *keys, char why[KME_WHY_MAX]);

/* The text of an error reply considered, and the part of it logged. */
#define KME_ERROR_TEXT_MAX	1024
#define KME_MESSAGE_MAX		120

/* What an error reply (an HTTP status other than 200) said. */
struct kme_error {
	/* The KME's message on one line, printable ASCII, cut to fit with
	 * "..."; "" when it gave none. */
	char message[KME_MESSAGE_MAX];
	bool text;		/* the body is no JSON: a page or plain text */
	bool html;		/* ... an HTML page */
	bool no_keys;		/* the message says the store is short */
};

/*
 * Reads the error reply @buf (@len bytes, not NUL-terminated; its
 * @content_type may be NULL): the ETSI Error object's "message", or from
 * a body that is no JSON, the text of an HTML page (markup dropped, the
 * <head> too) or the first line of plain text. Then tells, from the
 * message, whether it says the store is short (etsi014_says_no_keys()).
 */
void etsi014_parse_error(const char *buf, size_t len, const char *content_type,
			 struct kme_error *e);

/*
 * Whether a KME's message says it has too few keys now rather than that
 * the request is wrong: it speaks of trying again or later, or of a
 * shortage ("not enough", "no keys", "exhausted", "unavailable"...) and of
 * no bad parameter ("invalid", "must", "above", "exceed", "unknown"...).
 * See kme.c for when it is asked.
 */
bool etsi014_says_no_keys(const char *text);

/*
 * The JSON bodies of the two requests, {"number":N,"size":BITS} and
 * {"key_IDs":[{"key_ID":"UUID"}...]}: malloc()ed strings, or NULL.
 */
char *etsi014_enc_request(unsigned int n, unsigned int bits);
char *etsi014_dec_request(const uint8_t (*ids)[QKD_KEY_ID_LEN], unsigned int n);

/*
 * Ways in which KMEs met in the field bend the standard, which qkdd copes
 * with. Each is logged once, the first time a reply shows it, and again
 * only after a reply has shown the KME keeping the standard on that point
 * (kme_quirk_over()): once per episode, never at each retry.
 */
enum kme_quirk {
	KQ_STORED_COUNT,	/* stored_key_count far below what enc_keys gives */
	KQ_EMPTY_400,		/* an empty store is 400 "try again later", not 503 */
	KQ_TEXT_ERRORS,		/* error replies are HTML or text, not JSON */
	KQ_FEWER_KEYS,		/* enc_keys gives fewer keys than asked */
	KQ_CONNECTION_CLOSE,	/* Connection: close on every reply */
};

struct kme_req;

/* A KME of one link: its URL, our SAE's certificate, the KME's CA. */
struct kme {
	const char *name;		/* the link's, for log lines */
	const char *url;		/* https://HOST:PORT, no trailing '/' */
	const char *cert;
	const char *key;
	const char *ca;
	/* Called from kme_run() when a request started here ends. */
	void (*done)(struct kme *k, int ret);
	void *owner;			/* the link, for done */
	void *curl;			/* the easy handle, kept for its connection */
	struct kme_req *req;		/* the request in flight, or NULL */
	char why[KME_WHY_MAX];		/* what went wrong, after a failure */
	unsigned int quirks;		/* 1 << KQ_*: logged, episode not over */
	unsigned int closes;		/* replies in a row with Connection: close */
};

/*
 * The three calls of ETSI 014 qkdd makes, started here and ended in
 * kme_run(), never blocking: one at a time per link. A start returns 0,
 * or a negative errno with k->why (nothing started, done not called).
 * Once started, k->done(k, ret) is called with ret 0 (enc_keys: the
 * number of keys given, 1 to @n), or a negative errno with k->why saying
 * what went wrong (a curl error such as a certificate that does not
 * verify, an HTTP status with the KME's message, or what the answer's
 * validation found); nothing from a failed answer is kept. -EAGAIN means
 * the KME has too few keys now: a 503, or a 400 whose message says so;
 * -ENOTCONN that it gave no answer (no connection, or none within 10 s:
 * a KME down or stopped). @st and @keys must stay until then; @ids are
 * copied.
 */
int kme_status_start(struct kme *k, const char *slave_sae, struct kme_status *st);
int kme_enc_keys_start(struct kme *k, const char *slave_sae, unsigned int n,
		       unsigned int bits, kme_held_fn held, void *arg,
		       struct qkd_key *keys);
int kme_dec_keys_start(struct kme *k, const char *master_sae,
		       const uint8_t (*ids)[QKD_KEY_ID_LEN], unsigned int n,
		       unsigned int bits, kme_held_fn held, void *arg,
		       struct qkd_key *keys);
/* Drops the request in flight, if any, without calling done. */
void kme_cancel(struct kme *k);
/* Whether a request is in flight. */
bool kme_busy(const struct kme *k);

struct pollfd;
/*
 * The event loop's side: the sockets every request in flight waits on,
 * into @pfd (at most @max), with *@timeout_ms lowered to when curl's next
 * time limit or retry falls due; then, after poll(), kme_run() moves the
 * requests on and calls done for each that ended.
 */
unsigned int kme_pollfds(struct pollfd *pfd, unsigned int max, int *timeout_ms);
void kme_run(void);

/*
 * Logs "link NAME: KME: TEXT" if quirk @q is not logged in this episode;
 * returns whether it logged.
 */
bool kme_quirk(struct kme *k, enum kme_quirk q, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A reply kept the standard on the point of @q: its episode is over. */
void kme_quirk_over(struct kme *k, enum kme_quirk q);

/* Drops the request in flight and frees the handle (and its connection). */
void kme_close(struct kme *k);

int kme_global_init(void);
void kme_global_cleanup(void);

#endif /* QKDD_KME_H */
