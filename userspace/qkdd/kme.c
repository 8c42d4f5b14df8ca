// SPDX-License-Identifier: GPL-2.0
/*
 * The ETSI GS QKD 014 client: HTTPS with mutual TLS through libcurl's
 * multi interface, driven by qkdd's event loop (kme_pollfds(), kme_run()),
 * one request at a time per link, each with a time limit. Each link keeps
 * its easy handle, so that its connection to the KME is reused.
 *
 * Why not curl_easy_perform(), as qkdd did first: it blocks the one
 * thread for as long as the KME takes, up to TIMEOUT_S. A KME that hangs
 * (stopped, cut off) then held the loop 10 s at each try, and meanwhile
 * no peer message was read or answered, no other link served, and a
 * master waiting for this slave's POOLS (POOLS_MS, 15 s) could give up on
 * it. Here a request is started, the loop waits on its sockets and
 * timer with everything else, and when it ends the link's done function
 * carries on (fetch.c for the master, batch.c for the slave). The bounds
 * are the same: TIMEOUT_S for every request, the connection included. A
 * thread per request would have done as much, but every link's state
 * would then need a lock; the loop keeps the daemon lock-free.
 *
 * An answer lands in a buffer of a fixed size that we own (never
 * realloc()ed, which would leave copies of key material behind), is
 * checked by etsi014.c and wiped on every path. curl's and OpenSSL's own
 * receive buffers are out of our reach.
 *
 * KMEs met in the field bend the standard; what qkdd makes of each way
 * (enum kme_quirk) is decided here and in fetch.c, and each is logged once
 * an episode (kme_quirk()):
 *
 * - error replies that are HTML pages or plain text, not the Error
 *   object: the message is read from the text (etsi014_parse_error());
 * - Connection: close on every reply: libcurl connects afresh for each
 *   request, which costs a handshake and nothing else; logged once two
 *   replies in a row carried it, since one alone is plain HTTP;
 * - fewer keys than asked (a KME ignoring number): what it gave is taken;
 * - an empty store answered with 400 instead of 503, see http_error().
 *
 * A KME that does not answer at all (down, stopped, cut off: no
 * connection, or none of its answer within TIMEOUT_S) is -ENOTCONN, an
 * outage, which fetch.c logs once an episode. Every request has that
 * time limit, the connection included: a stopped KME whose kernel still
 * accepts connections and takes our bytes would otherwise hold us for
 * ever.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/select.h>
#include <curl/curl.h>

#include "kme.h"
#include "qkdd.h"

/* 256 keys of 512 bits take about 40 KiB of JSON. */
#define ANSWER_MAX	(256 * 1024)
#define TIMEOUT_S	10L

struct answer {
	char *buf;
	size_t len;
	bool overflow;
};

static int __printf(3, 4) fail(struct kme *k, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * curl's errors that say the KME gave no answer, rather than a wrong one:
 * not a certificate or TLS error, which is a configuration's, logged at
 * each try.
 */
static bool no_answer(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return true;
	default:
		return false;
	}
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct answer *a = data;
	size_t n = size * nmemb;

	if (n > ANSWER_MAX - a->len) {
		a->overflow = true;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	memcpy(a->buf + a->len, ptr, n);
	a->len += n;
	return n;
}

bool kme_quirk(struct kme *k, enum kme_quirk q, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (k->quirks & (1u << q))
		return false;
	k->quirks |= 1u << q;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	qkdd_log("link %s: KME: %s", k->name ? k->name : "?", text);
	return true;
}

void kme_quirk_over(struct kme *k, enum kme_quirk q)
{
	k->quirks &= ~(1u << q);
}

/* Whether the reply carried Connection: close (curl's header API). */
static bool closes(CURL *c)
{
	struct curl_header *h;
	const char *v;
	size_t i;

	if (curl_easy_header(c, "Connection", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return false;
	/* A list of tokens: "close" among them. */
	for (v = h->value; *v; v += i) {
		v += strspn(v, " \t,");
		i = strcspn(v, " \t,");
		if (i == 5 && !strncasecmp(v, "close", 5))
			return true;
	}
	return false;
}

static void note_connection(struct kme *k, CURL *c)
{
	if (!closes(c)) {
		k->closes = 0;
		kme_quirk_over(k, KQ_CONNECTION_CLOSE);
		return;
	}
	if (++k->closes >= 2)
		kme_quirk(k, KQ_CONNECTION_CLOSE,
			  "closes the connection after every reply (Connection: close): "
			  "qkdd connects afresh for each request");
}

/*
 * An answer with an HTTP status other than 200: k->why says the status
 * and the KME's message, and the return value what qkdd makes of it.
 *
 * An empty store is 503 in ETSI GS QKD 014, and 400 is a request the KME
 * cannot serve as asked. Some KMEs answer an empty store with 400 and a
 * message such as "not enough keys, try again later". qkdd reads a 400
 * as "no keys now" (-EAGAIN: back off and ask again, quietly) only when
 * both hold:
 *
 * - the request was one the KME's status allows: fetch.c asks only for
 *   keys of a size within min_key_size and max_key_size, and at most
 *   max_key_per_request of them, from the status it has just read, so a
 *   400 is unlikely to be about the request's form;
 * - the message says so (etsi014_says_no_keys()): it speaks of trying
 *   again or later, or of a shortage without naming a bad parameter.
 *   A 400 without a message, or whose message names a parameter, is
 *   taken for a request that is wrong.
 *
 * Either way qkdd backs off (1 s doubling to 30 s) and asks again: the
 * two differ in what the log says, since a request that is wrong is
 * logged at each try, "no keys now" once an episode. So a misread costs
 * log lines, never keys or a stalled link.
 */
static int http_error(struct kme *k, const char *call, long code,
		      const struct answer *a, const char *content_type)
{
	struct kme_error e;
	int ret = -EIO;

	etsi014_parse_error(a->buf, a->len, content_type, &e);
	if (e.text)
		kme_quirk(k, KQ_TEXT_ERRORS,
			  "sends error replies as %s, not the ETSI Error object "
			  "(JSON): qkdd reads the message from the text "
			  "(%s: HTTP %ld \"%s\")", e.html ? "HTML pages" : "plain text",
			  call, code, e.message);
	else if (a->len)
		kme_quirk_over(k, KQ_TEXT_ERRORS);
	if (code == 503) {
		ret = -EAGAIN;
		if (!strcmp(call, "enc_keys"))
			kme_quirk_over(k, KQ_EMPTY_400);
	} else if (code == 400 && e.no_keys) {
		ret = -EAGAIN;
		kme_quirk(k, KQ_EMPTY_400,
			  "answers an empty store with HTTP 400, not 503 (\"%s\"): "
			  "qkdd reads such a 400 as no keys now and backs off",
			  e.message);
	}
	if (e.message[0])
		return fail(k, ret, "%s: HTTP %ld \"%s\"", call, code, e.message);
	return fail(k, ret, "%s: HTTP status %ld", call, code);
}

/*
 * The request in flight on a link's handle, from its start to its end:
 * what curl needs to keep (the body, the headers, the error buffer) and
 * what the answer is checked against.
 */
struct kme_req {
	const char *call;		/* "status", "enc_keys", "dec_keys" */
	char *body;			/* NULL for status (GET) */
	struct curl_slist *hdrs;
	char err[CURL_ERROR_SIZE];
	struct answer a;
	struct kme_status *st;		/* status: the answer goes here */
	unsigned int n, bits;		/* enc_keys, dec_keys */
	uint8_t (*ids)[QKD_KEY_ID_LEN];	/* dec_keys: the IDs asked for (a copy) */
	kme_held_fn held;
	void *held_arg;
	struct qkd_key *keys;
};

/* Every link's requests, driven by the event loop (kme_pollfds(), kme_run()). */
static CURLM *multi;
static int kme_running;		/* transfers curl has in hand */

static void answer_free(struct answer *a)
{
	if (a->buf) {
		explicit_bzero(a->buf, ANSWER_MAX);
		free(a->buf);
	}
	a->buf = NULL;
}

static void req_free(struct kme_req *r)
{
	if (!r)
		return;
	answer_free(&r->a);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	free(r->ids);
	free(r);
}

/*
 * Starts GET (r->body NULL) or POST r->body to KME_URL/api/v1/keys/SAE/CALL
 * on the link's handle; it ends in kme_run(). Returns 0, or a negative
 * errno with k->why (nothing started, @r freed).
 */
static int request_start(struct kme *k, const char *sae, struct kme_req *r)
{
	const char *call = r->call;
	char url[2048];
	struct curl_slist *h;
	char *esc = NULL;
	CURLcode rc;
	CURL *c;
	int ret;

	if (k->req) {
		req_free(r);
		return fail(k, -EBUSY, "%s: a request is in flight already", call);
	}
	r->a.buf = malloc(ANSWER_MAX);
	if (!r->a.buf) {
		ret = fail(k, -ENOMEM, "%s: out of memory", call);
		goto err;
	}
	if (!k->curl)
		k->curl = curl_easy_init();
	c = k->curl;
	if (c)
		esc = curl_easy_escape(c, sae, 0);
	if (!c || !esc) {
		ret = fail(k, -ENOMEM, "%s: cannot set up curl", call);
		goto err;
	}
	snprintf(url, sizeof(url), "%s/api/v1/keys/%s/%s", k->url, esc, call);
	curl_free(esc);

	h = curl_slist_append(NULL, "Accept: application/json");
	if (h && r->body) {
		r->hdrs = h;
		h = curl_slist_append(r->hdrs, "Content-Type: application/json");
	}
	if (!h) {
		ret = fail(k, -ENOMEM, "%s: out of memory", call);
		goto err;
	}
	r->hdrs = h;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	/* What keeps the key exchange private: not one may be left unset. */
	rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_SSLCERT, k->cert);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_SSLKEY, k->key);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_CAINFO, k->ca);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	if (!rc)
		rc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rc) {
		ret = fail(k, -EINVAL, "%s: cannot set up TLS: %s", call,
			   curl_easy_strerror(rc));
		goto err;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->err);
	curl_easy_setopt(c, CURLOPT_PRIVATE, k);
	if (r->body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
	if (!multi || curl_multi_add_handle(multi, c) != CURLM_OK) {
		ret = fail(k, -ENOMEM, "%s: cannot start the request", call);
		goto err;
	}
	k->req = r;
	return 0;
err:
	req_free(r);
	return ret;
}

/*
 * The end of the request on @c with curl's result @rc: the HTTP status,
 * then the answer checked as the call wants. 0 (enc_keys: the number of
 * keys given) or a negative errno with k->why.
 */
static int request_end(struct kme *k, CURL *c, CURLcode rc)
{
	struct kme_req *r = k->req;
	const char *call = r->call;
	char why[KME_WHY_MAX];
	char *ctype = NULL;
	long code = 0;
	int ret;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
	if (rc == CURLE_OK)
		note_connection(k, c);
	if (r->a.overflow)
		return fail(k, -EMSGSIZE, "%s: answer larger than %d bytes", call,
			    ANSWER_MAX);
	if (rc != CURLE_OK)
		return fail(k, no_answer(rc) ? -ENOTCONN : -EIO, "%s: %s", call,
			    r->err[0] ? r->err : curl_easy_strerror(rc));
	if (code != 200)
		return http_error(k, call, code, &r->a, ctype);

	if (r->st) {
		if (etsi014_parse_status(r->a.buf, r->a.len, r->st, why))
			return fail(k, -EBADMSG, "status: %s", why);
		return 0;
	}
	if (r->ids)
		ret = etsi014_parse_keys(r->a.buf, r->a.len, r->n, r->bits, r->ids,
					 r->held, r->held_arg, r->keys, why);
	else
		ret = etsi014_parse_enc_keys(r->a.buf, r->a.len, r->n, r->bits,
					     r->held, r->held_arg, r->keys, why);
	if (ret < 0)
		return fail(k, -EBADMSG, "%s: %s", call, why);
	if (!r->ids && (unsigned int)ret < r->n)
		kme_quirk(k, KQ_FEWER_KEYS,
			  "gave only %d of the %u keys asked for: qkdd takes what it gives",
			  ret, r->n);
	else if (!r->ids && r->n > 1)
		/* One key asked and given says nothing of the KME's manners. */
		kme_quirk_over(k, KQ_FEWER_KEYS);
	return r->ids ? 0 : ret;
}

/* Takes the link's handle out of the multi handle, and drops its request. */
static void request_drop(struct kme *k)
{
	if (!k->req)
		return;
	curl_multi_remove_handle(multi, k->curl);
	/* The handle must not keep pointers to what is freed now. */
	curl_easy_setopt(k->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, NULL);
	req_free(k->req);
	k->req = NULL;
}

void kme_cancel(struct kme *k)
{
	request_drop(k);
}

bool kme_busy(const struct kme *k)
{
	return k->req;
}

int kme_status_start(struct kme *k, const char *slave_sae, struct kme_status *st)
{
	struct kme_req *r = calloc(1, sizeof(*r));

	if (!r)
		return fail(k, -ENOMEM, "status: out of memory");
	r->call = "status";
	r->st = st;
	return request_start(k, slave_sae, r);
}

/*
 * An enc_keys or dec_keys request: sends @body (NULL: out of memory; taken
 * either way) and checks the answer against @n keys of @bits, with @ids
 * the IDs asked for (dec_keys; copied) or NULL (enc_keys).
 */
static int keys_start(struct kme *k, const char *sae, const char *call,
		      char *body, unsigned int n, unsigned int bits,
		      const uint8_t (*ids)[QKD_KEY_ID_LEN], kme_held_fn held,
		      void *arg, struct qkd_key *keys)
{
	struct kme_req *r = calloc(1, sizeof(*r));

	if (!r || !body) {
		free(r);
		free(body);
		return fail(k, -ENOMEM, "%s: out of memory", call);
	}
	r->call = call;
	r->body = body;
	r->n = n;
	r->bits = bits;
	r->held = held;
	r->held_arg = arg;
	r->keys = keys;
	if (ids) {
		r->ids = malloc(n * sizeof(*r->ids));
		if (!r->ids) {
			req_free(r);
			return fail(k, -ENOMEM, "%s: out of memory", call);
		}
		memcpy(r->ids, ids, n * sizeof(*r->ids));
	}
	return request_start(k, sae, r);
}

int kme_enc_keys_start(struct kme *k, const char *slave_sae, unsigned int n,
		       unsigned int bits, kme_held_fn held, void *arg,
		       struct qkd_key *keys)
{
	return keys_start(k, slave_sae, "enc_keys", etsi014_enc_request(n, bits),
			  n, bits, NULL, held, arg, keys);
}

int kme_dec_keys_start(struct kme *k, const char *master_sae,
		       const uint8_t (*ids)[QKD_KEY_ID_LEN], unsigned int n,
		       unsigned int bits, kme_held_fn held, void *arg,
		       struct qkd_key *keys)
{
	return keys_start(k, master_sae, "dec_keys", etsi014_dec_request(ids, n),
			  n, bits, ids, held, arg, keys);
}

unsigned int kme_pollfds(struct pollfd *pfd, unsigned int max, int *timeout_ms)
{
	fd_set r, w, e;
	int maxfd = -1, fd;
	unsigned int n = 0;
	long t = -1;

	if (!multi)
		return 0;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	/* curl leaves out sockets at or above FD_SETSIZE; qkdd has a few dozen. */
	curl_multi_fdset(multi, &r, &w, &e, &maxfd);
	for (fd = 0; fd <= maxfd; fd++) {
		short ev = (FD_ISSET(fd, &r) ? POLLIN : 0) |
			   (FD_ISSET(fd, &w) ? POLLOUT : 0) |
			   (FD_ISSET(fd, &e) ? POLLPRI : 0);

		if (!ev)
			continue;
		if (n == max) {
			/* No room for them all: look again soon. */
			t = 10;
			break;
		}
		pfd[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	if (t < 0)
		curl_multi_timeout(multi, &t);
	/* A transfer with no socket to wait on yet (resolving, say). */
	if (t < 0 && maxfd < 0 && kme_running)
		t = 100;
	if (t >= 0 && t < *timeout_ms)
		*timeout_ms = t;
	return n;
}

void kme_run(void)
{
	struct kme *k;
	CURLMsg *m;
	CURLcode rc;
	CURL *c;
	int left, ret;

	if (!multi)
		return;
	curl_multi_perform(multi, &kme_running);
	while ((m = curl_multi_info_read(multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		/* m does not outlive curl_multi_remove_handle(). */
		c = m->easy_handle;
		rc = m->data.result;
		k = NULL;
		curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&k);
		if (!k || !k->req || k->curl != c) {
			curl_multi_remove_handle(multi, c);
			continue;
		}
		ret = request_end(k, c, rc);
		request_drop(k);
		/* It may start the next request, on this handle or another. */
		k->done(k, ret);
	}
}

void kme_close(struct kme *k)
{
	request_drop(k);
	if (k->curl)
		curl_easy_cleanup(k->curl);
	k->curl = NULL;
}

int kme_global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -EIO;
	multi = curl_multi_init();
	return multi ? 0 : -ENOMEM;
}

void kme_global_cleanup(void)
{
	if (multi)
		curl_multi_cleanup(multi);
	multi = NULL;
	curl_global_cleanup();
}
