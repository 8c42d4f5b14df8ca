// SPDX-License-Identifier: GPL-2.0
/*
 * The ETSI GS QKD 014 client: HTTPS with mutual TLS through libcurl, one
 * request at a time, blocking with a time limit. Each link keeps its easy
 * handle, so that its connection to the KME is reused.
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
 * GET (@body NULL) or POST @body to KME_URL/api/v1/keys/SAE/CALL. On
 * success @a holds the answer of an HTTP 200; the caller wipes and frees
 * a->buf in every case.
 */
static int request(struct kme *k, const char *sae, const char *call,
		   const char *body, struct answer *a)
{
	char url[2048], err[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL, *h;
	char *esc = NULL, *ctype = NULL;
	CURLcode rc;
	long code = 0;
	CURL *c;

	a->buf = malloc(ANSWER_MAX);
	a->len = 0;
	a->overflow = false;
	if (!a->buf)
		return fail(k, -ENOMEM, "%s: out of memory", call);
	if (!k->curl)
		k->curl = curl_easy_init();
	c = k->curl;
	if (c)
		esc = curl_easy_escape(c, sae, 0);
	if (!c || !esc)
		return fail(k, -ENOMEM, "%s: cannot set up curl", call);
	snprintf(url, sizeof(url), "%s/api/v1/keys/%s/%s", k->url, esc, call);
	curl_free(esc);

	h = curl_slist_append(NULL, "Accept: application/json");
	if (h && body) {
		hdrs = h;
		h = curl_slist_append(hdrs, "Content-Type: application/json");
	}
	if (!h) {
		curl_slist_free_all(hdrs);
		return fail(k, -ENOMEM, "%s: out of memory", call);
	}
	hdrs = h;

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
		curl_slist_free_all(hdrs);
		return fail(k, -EINVAL, "%s: cannot set up TLS: %s", call,
			    curl_easy_strerror(rc));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
	if (rc == CURLE_OK)
		note_connection(k, c);
	/* The handle must not keep pointers to our stack or the headers. */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);

	if (a->overflow)
		return fail(k, -EMSGSIZE, "%s: answer larger than %d bytes", call,
			    ANSWER_MAX);
	if (rc != CURLE_OK)
		return fail(k, no_answer(rc) ? -ENOTCONN : -EIO, "%s: %s", call,
			    err[0] ? err : curl_easy_strerror(rc));
	if (code != 200)
		return http_error(k, call, code, a, ctype);
	return 0;
}

static void answer_free(struct answer *a)
{
	if (a->buf) {
		explicit_bzero(a->buf, ANSWER_MAX);
		free(a->buf);
	}
	a->buf = NULL;
}

int kme_status(struct kme *k, const char *slave_sae, struct kme_status *st)
{
	struct answer a = {};
	char why[KME_WHY_MAX];
	int ret;

	ret = request(k, slave_sae, "status", NULL, &a);
	if (!ret && etsi014_parse_status(a.buf, a.len, st, why))
		ret = fail(k, -EBADMSG, "status: %s", why);
	answer_free(&a);
	return ret;
}

/*
 * One enc_keys or dec_keys call: sends body (NULL: out of memory; freed
 * here) and checks the answer against n keys of bits, with ids the IDs
 * asked for (dec_keys) or NULL (enc_keys).
 */
static int fetch_keys(struct kme *k, const char *sae, const char *call,
		      char *body, unsigned int n, unsigned int bits,
		      const uint8_t (*ids)[QKD_KEY_ID_LEN], kme_held_fn held,
		      void *arg, struct qkd_key *keys)
{
	struct answer a = {};
	char why[KME_WHY_MAX];
	int ret;

	if (!body)
		return fail(k, -ENOMEM, "%s: out of memory", call);
	ret = request(k, sae, call, body, &a);
	free(body);
	if (ret)
		goto out;
	if (ids)
		ret = etsi014_parse_keys(a.buf, a.len, n, bits, ids, held, arg,
					 keys, why);
	else
		ret = etsi014_parse_enc_keys(a.buf, a.len, n, bits, held, arg,
					     keys, why);
	if (ret < 0) {
		ret = fail(k, -EBADMSG, "%s: %s", call, why);
	} else if (!ids && (unsigned int)ret < n) {
		kme_quirk(k, KQ_FEWER_KEYS,
			  "gave only %d of the %u keys asked for: qkdd takes what it gives",
			  ret, n);
	} else if (!ids && n > 1) {
		/* One key asked and given says nothing of the KME's manners. */
		kme_quirk_over(k, KQ_FEWER_KEYS);
	}
out:
	answer_free(&a);
	return ret;
}

int kme_enc_keys(struct kme *k, const char *slave_sae, unsigned int n,
		 unsigned int bits, kme_held_fn held, void *arg,
		 struct qkd_key *keys)
{
	return fetch_keys(k, slave_sae, "enc_keys", etsi014_enc_request(n, bits),
			  n, bits, NULL, held, arg, keys);
}

int kme_dec_keys(struct kme *k, const char *master_sae,
		 const uint8_t (*ids)[QKD_KEY_ID_LEN], unsigned int n,
		 unsigned int bits, kme_held_fn held, void *arg,
		 struct qkd_key *keys)
{
	int ret = fetch_keys(k, master_sae, "dec_keys",
			     etsi014_dec_request(ids, n), n, bits, ids, held,
			     arg, keys);

	return ret < 0 ? ret : 0;
}

void kme_close(struct kme *k)
{
	if (k->curl)
		curl_easy_cleanup(k->curl);
	k->curl = NULL;
}

int kme_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) ? -EIO : 0;
}

void kme_global_cleanup(void)
{
	curl_global_cleanup();
}
