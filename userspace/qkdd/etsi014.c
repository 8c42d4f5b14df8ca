// SPDX-License-Identifier: GPL-2.0
/*
 * ETSI GS QKD 014 answers, checked strictly: pure functions of the JSON
 * text, tested on the host without HTTP. An answer is taken whole or not
 * at all; the first thing wrong is what the caller logs.
 *
 * Key material and json-c: json-c copies every string it parses into
 * buffers of its own, and offers no way to wipe them. We wipe what we can
 * reach: every string of the parsed tree, in place, before the tree is
 * freed (json_object_get_string() points at the object's own buffer), and
 * the tokenizer's scratch buffer, which still holds the last string it
 * read. Out of reach are the copies the scratch buffer leaves behind when
 * it grows (realloc()), and the strings of a tree json-c frees itself
 * after a parse error. The text itself is the caller's and is wiped there.
 */
#define _GNU_SOURCE		/* strcasestr() */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <openssl/evp.h>

#include "kme.h"
#include "parse.h"
#include "qkdd.h"

static int __printf(2, 3) bad(char why[KME_WHY_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, KME_WHY_MAX, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* Wipes every string of the tree @o, in place. */
static void wipe_tree(struct json_object *o, int depth)
{
	size_t i, n;

	if (!o || depth > JSON_TOKENER_DEFAULT_DEPTH)
		return;
	switch (json_object_get_type(o)) {
	case json_type_string:
		/* json-c's own buffer, writable while we hold the object. */
		explicit_bzero((char *)json_object_get_string(o),
			       json_object_get_string_len(o));
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			wipe_tree(json_object_array_get_idx(o, i), depth + 1);
		break;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			wipe_tree(v, depth + 1);
		}
		break;
	}
	default:
		break;
	}
}

static void tokener_wipe_free(struct json_tokener *tok)
{
	/*
	 * The fields of struct json_tokener are marked as json-c's own, but
	 * its scratch buffer is the one place that still holds the last
	 * string parsed, and nothing else reaches it.
	 */
	if (tok->pb && tok->pb->buf)
		explicit_bzero(tok->pb->buf, tok->pb->size);
	json_tokener_free(tok);
}

/* Parses all of @buf as one JSON value, or says why not. */
static struct json_object *parse_all(const char *buf, size_t len,
				     char why[KME_WHY_MAX])
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;
	size_t end;

	if (len > INT32_MAX) {
		bad(why, "answer too large");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		bad(why, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && e == json_tokener_continue)
		bad(why, "malformed JSON: the answer ends early");
	else if (!o)
		bad(why, "malformed JSON at byte %zu: %s", end,
		    json_tokener_error_desc(e));
	while (o && end < len && memchr(" \t\r\n", buf[end], 4))
		end++;
	if (o && end < len) {
		bad(why, "malformed JSON: text after the answer at byte %zu", end);
		wipe_tree(o, 0);
		json_object_put(o);
		o = NULL;
	}
	tokener_wipe_free(tok);
	return o;
}

/* A member that must be a non-negative integer below 2^31. */
static int get_uint(struct json_object *root, const char *name, bool required,
		    unsigned int *v, char why[KME_WHY_MAX])
{
	struct json_object *o;
	int64_t n;

	if (!json_object_object_get_ex(root, name, &o)) {
		if (required)
			return bad(why, "missing %s", name);
		*v = 0;
		return 0;
	}
	if (!json_object_is_type(o, json_type_int))
		return bad(why, "%s is not an integer", name);
	n = json_object_get_int64(o);
	if (n < 0 || n > INT32_MAX)
		return bad(why, "%s is out of range (%lld)", name, (long long)n);
	*v = n;
	return 0;
}

int etsi014_parse_status(const char *buf, size_t len, struct kme_status *st,
			 char why[KME_WHY_MAX])
{
	struct json_object *root = parse_all(buf, len, why);
	struct kme_status s;
	int ret;

	if (!root)
		return -EBADMSG;
	if (!json_object_is_type(root, json_type_object)) {
		ret = bad(why, "the status answer is not a JSON object");
		goto out;
	}
	ret = get_uint(root, "key_size", true, &s.key_size, why);
	if (!ret)
		ret = get_uint(root, "stored_key_count", true, &s.stored_key_count, why);
	if (!ret)
		ret = get_uint(root, "max_key_count", false, &s.max_key_count, why);
	if (!ret)
		ret = get_uint(root, "max_key_per_request", true,
			       &s.max_key_per_request, why);
	if (!ret)
		ret = get_uint(root, "min_key_size", false, &s.min_key_size, why);
	if (!ret)
		ret = get_uint(root, "max_key_size", false, &s.max_key_size, why);
	if (ret)
		goto out;
	if (!s.key_size)
		ret = bad(why, "key_size is 0");
	else if (!s.max_key_per_request)
		ret = bad(why, "max_key_per_request is 0");
	else
		*st = s;
out:
	json_object_put(root);
	return ret;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Strict base64 of exactly @bytes bytes into @out. OpenSSL decodes; we only
 * refuse what it would let through (white space) and check the length,
 * which EVP_DecodeBlock() reports padding included.
 */
static int decode_key(const char *s, size_t slen, unsigned int bytes,
		      uint8_t *out, const char *what, char why[KME_WHY_MAX])
{
	uint8_t tmp[QKD_KEY_BITS_MAX / 8 + 3];
	size_t pad = 0, got;
	int n;

	while (pad < 2 && pad < slen && s[slen - 1 - pad] == '=')
		pad++;
	if (!slen || slen % 4 || strspn(s, b64_alphabet) != slen - pad)
		return bad(why, "%s: key is not valid base64", what);
	got = slen / 4 * 3 - pad;
	if (got != bytes)
		return bad(why, "%s: key is %zu bytes, expected %u", what, got, bytes);
	/* bytes fits tmp, and so do the (slen / 4 * 3) bytes decoded. */
	n = EVP_DecodeBlock(tmp, (const unsigned char *)s, slen);
	if (n < 0 || (size_t)n != slen / 4 * 3) {
		explicit_bzero(tmp, sizeof(tmp));
		return bad(why, "%s: key is not valid base64", what);
	}
	memcpy(out, tmp, bytes);
	explicit_bzero(tmp, sizeof(tmp));
	return 0;
}

/* A string member of a key entry. */
static int get_str(struct json_object *entry, const char *name,
		   const char *what, struct json_object **o,
		   char why[KME_WHY_MAX])
{
	if (!json_object_object_get_ex(entry, name, o))
		return bad(why, "%s: missing %s", what, name);
	if (!json_object_is_type(*o, json_type_string))
		return bad(why, "%s: %s is not a string", what, name);
	return 0;
}

/* Position in @want of @id, or -1. */
static int want_index(const uint8_t (*want)[QKD_KEY_ID_LEN], unsigned int n,
		      const uint8_t *id)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!memcmp(want[i], id, QKD_KEY_ID_LEN))
			return i;
	return -1;
}

/*
 * Checks the key container @root against a request for @n keys; an
 * answer of @min to @n keys is taken. Returns how many, or -EBADMSG.
 */
static int check_keys(struct json_object *root, unsigned int min,
		      unsigned int n, unsigned int bits,
		      const uint8_t (*want)[QKD_KEY_ID_LEN], kme_held_fn held,
		      void *arg, struct qkd_key *keys, char why[KME_WHY_MAX])
{
	struct json_object *arr, *entry, *jid, *jkey;
	bool *filled = NULL;
	char what[64];
	uint8_t id[QKD_KEY_ID_LEN];
	unsigned int i, j;
	size_t count;
	int at, ret = 0;

	if (!json_object_is_type(root, json_type_object))
		return bad(why, "the key container is not a JSON object");
	if (!json_object_object_get_ex(root, "keys", &arr))
		return bad(why, "missing keys");
	if (!json_object_is_type(arr, json_type_array))
		return bad(why, "keys is not an array");
	count = json_object_array_length(arr);
	if (count > n || count < min)
		return bad(why, "%zu keys in the answer, %u asked for", count, n);
	filled = calloc(n ? n : 1, sizeof(*filled));
	if (!filled)
		return bad(why, "out of memory");

	for (i = 0; i < count && !ret; i++) {
		entry = json_object_array_get_idx(arr, i);
		snprintf(what, sizeof(what), "key %u", i + 1);
		if (!json_object_is_type(entry, json_type_object)) {
			ret = bad(why, "%s is not a JSON object", what);
			break;
		}
		ret = get_str(entry, "key_ID", what, &jid, why);
		if (!ret)
			ret = get_str(entry, "key", what, &jkey, why);
		if (ret)
			break;
		/* A JSON string may hold a NUL ("\u0000"): the UUID must be all of it. */
		if (json_object_get_string_len(jid) != UUID_STR_LEN - 1 ||
		    parse_uuid(json_object_get_string(jid), id)) {
			ret = bad(why, "%s: key_ID is not a UUID", what);
			break;
		}
		/* From here on the ID, which is no secret, names the key. */
		snprintf(what, sizeof(what), "key %u (%s)", i + 1,
			 json_object_get_string(jid));
		at = i;
		if (want) {
			at = want_index(want, n, id);
			if (at < 0) {
				ret = bad(why, "%s: key_ID was not asked for", what);
				break;
			}
		}
		if (filled[at]) {
			ret = bad(why, "%s: duplicate key_ID", what);
			break;
		}
		for (j = 0; !want && j < i; j++) {
			if (!memcmp(keys[j].id, id, QKD_KEY_ID_LEN)) {
				ret = bad(why, "%s: duplicate key_ID", what);
				break;
			}
		}
		if (ret)
			break;
		if (held && held(id, arg)) {
			ret = bad(why, "%s: key_ID is held already", what);
			break;
		}
		ret = decode_key(json_object_get_string(jkey),
				 json_object_get_string_len(jkey), bits / 8,
				 keys[at].material, what, why);
		if (ret)
			break;
		memcpy(keys[at].id, id, QKD_KEY_ID_LEN);
		keys[at].len = bits / 8;
		keys[at].dir = 0;
		keys[at].index = 0;
		filled[at] = true;
	}
	free(filled);
	return ret ? ret : (int)count;
}

static int parse_keys(const char *buf, size_t len, unsigned int min,
		      unsigned int n, unsigned int bits,
		      const uint8_t (*want)[QKD_KEY_ID_LEN], kme_held_fn held,
		      void *arg, struct qkd_key *keys, char why[KME_WHY_MAX])
{
	struct json_object *root;
	int ret;

	explicit_bzero(keys, n * sizeof(*keys));
	if (bits < QKD_KEY_BITS_MIN || bits > QKD_KEY_BITS_MAX || bits % 8)
		return bad(why, "cannot take keys of %u bits", bits);
	if (n > INT32_MAX)
		return bad(why, "cannot take %u keys", n);
	root = parse_all(buf, len, why);
	if (!root)
		return -EBADMSG;
	ret = check_keys(root, min, n, bits, want, held, arg, keys, why);
	if (ret < 0)
		explicit_bzero(keys, n * sizeof(*keys));
	wipe_tree(root, 0);
	json_object_put(root);
	return ret;
}

int etsi014_parse_keys(const char *buf, size_t len, unsigned int n,
		       unsigned int bits, const uint8_t (*want)[QKD_KEY_ID_LEN],
		       kme_held_fn held, void *arg, struct qkd_key *keys,
		       char why[KME_WHY_MAX])
{
	int ret = parse_keys(buf, len, n, n, bits, want, held, arg, keys, why);

	return ret < 0 ? ret : 0;
}

int etsi014_parse_enc_keys(const char *buf, size_t len, unsigned int n,
			   unsigned int bits, kme_held_fn held, void *arg,
			   struct qkd_key *keys, char why[KME_WHY_MAX])
{
	return parse_keys(buf, len, n ? 1 : 0, n, bits, NULL, held, arg, keys, why);
}

/*
 * The text of an error reply, as it goes into a log line: printable
 * ASCII on one line, white space runs made one space, other control
 * characters dropped and each non-ASCII character made one '?' (a reply
 * is no place for key material, but nothing from the wire reaches the
 * log unfiltered).
 */
struct text {
	char *out;
	size_t room, n;
	bool space;		/* white space seen since the last character */
	bool cut;		/* more text than room */
};

static void put(struct text *t, unsigned char c)
{
	if (c == ' ' || (c >= '\t' && c <= '\r')) {
		t->space = t->n > 0;
		return;
	}
	if ((c & 0xc0) == 0x80)
		return;		/* the rest of a UTF-8 sequence */
	if (c < ' ' || c == 0x7f)
		return;
	if (c > 0x7f)
		c = '?';
	if (t->n + t->space + 1 >= t->room) {
		t->cut = true;
		return;
	}
	if (t->space)
		t->out[t->n++] = ' ';
	t->space = false;
	t->out[t->n++] = c;
	t->out[t->n] = '\0';
}

/* Whether the tag text @s (of @len, no '<' or '>') names element @name. */
static bool tag_is(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && !strncasecmp(s, name, n) &&
	       (len == n || !isalnum((unsigned char)s[n]));
}

/*
 * The text of an HTML page: each tag read as a space, entities left as
 * written, and nothing of what <head>, <script> and <style> hold (the
 * title repeats the status; scripts and styles are no message).
 */
static void html_text(struct text *t, const char *s, size_t len)
{
	static const char *const skip[] = { "head", "script", "style" };
	const char *end = s + len, *gt;
	char close[16];
	size_t i, n;

	while (s < end && !t->cut) {
		if (*s != '<') {
			put(t, *s++);
			continue;
		}
		gt = memchr(s, '>', end - s);
		if (!gt)
			break;
		for (i = 0; i < ARRAY_SIZE(skip); i++)
			if (tag_is(s + 1, gt - s - 1, skip[i]))
				break;
		s = gt + 1;
		if (i < ARRAY_SIZE(skip)) {
			/* On to the closing tag, which the loop then skips. */
			n = snprintf(close, sizeof(close), "</%s", skip[i]);
			while (s < end && (end - s < (ptrdiff_t)n ||
					   strncasecmp(s, close, n)))
				s++;
			continue;
		}
		put(t, ' ');
	}
}

/* The first line of plain text that holds anything. */
static void text_line(struct text *t, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && !t->cut; i++) {
		if ((s[i] == '\n' || s[i] == '\r') && t->n)
			break;
		put(t, s[i]);
	}
}

void etsi014_parse_error(const char *buf, size_t len, const char *content_type,
			 struct kme_error *e)
{
	char full[KME_ERROR_TEXT_MAX], why[KME_WHY_MAX];
	struct text t = { .out = full, .room = sizeof(full) };
	struct json_object *root = NULL, *msg;
	const char *m;
	size_t i = 0, n;

	memset(e, 0, sizeof(*e));
	full[0] = '\0';
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i == len)
		return;		/* no body, no message */
	/* JSON by its text, whatever the Content-Type says. */
	if (buf[i] == '{' || buf[i] == '[')
		root = parse_all(buf, len, why);
	if (root) {
		if (json_object_is_type(root, json_type_object) &&
		    json_object_object_get_ex(root, "message", &msg) &&
		    json_object_is_type(msg, json_type_string)) {
			m = json_object_get_string(msg);
			n = json_object_get_string_len(msg);
			for (i = 0; i < n && !t.cut; i++)
				put(&t, m[i]);
		}
		json_object_put(root);
	} else {
		e->text = true;
		/* A page by its type or its look, as a proxy's may lack the type. */
		e->html = buf[i] == '<' ||
			  (content_type && strcasestr(content_type, "html"));
		if (e->html)
			html_text(&t, buf, len);
		else
			text_line(&t, buf, len);
	}
	e->no_keys = etsi014_says_no_keys(full);
	if (t.cut || strlen(full) >= sizeof(e->message))
		snprintf(e->message, sizeof(e->message), "%.*s...",
			 (int)sizeof(e->message) - 4, full);
	else
		snprintf(e->message, sizeof(e->message), "%s", full);
}

/*
 * What tells an empty store from a request that is wrong, in a 400's
 * message (see kme.h). Words of a retry settle it; words of a shortage
 * do unless words of a bad parameter come with them.
 */
static const char *const retry_words[] = {
	"try again", "retry", "later",
};
static const char *const short_words[] = {
	"not enough", "insufficient", "no key", "no more key", "out of key",
	"exhausted", "depleted", "empty", "not available", "unavailable",
};
static const char *const fault_words[] = {
	"invalid", "malformed", "must", "unknown", "not a ", "above",
	"exceed", "too large", "too big", "too many", "not allowed",
	"not supported", "unsupported", "missing",
};

static bool says(const char *text, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasestr(text, words[i]))
			return true;
	return false;
}

bool etsi014_says_no_keys(const char *text)
{
	if (says(text, retry_words, ARRAY_SIZE(retry_words)))
		return true;
	return says(text, short_words, ARRAY_SIZE(short_words)) &&
	       !says(text, fault_words, ARRAY_SIZE(fault_words));
}

/* The object's text, copied, and the object freed. */
static char *to_text(struct json_object *o)
{
	const char *s = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
	char *copy = s ? strdup(s) : NULL;

	json_object_put(o);
	return copy;
}

char *etsi014_enc_request(unsigned int n, unsigned int bits)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	if (json_object_object_add(o, "number", json_object_new_int64(n)) ||
	    json_object_object_add(o, "size", json_object_new_int64(bits))) {
		json_object_put(o);
		return NULL;
	}
	return to_text(o);
}

char *etsi014_dec_request(const uint8_t (*ids)[QKD_KEY_ID_LEN], unsigned int n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct json_object *e;
	char uuid[UUID_STR_LEN];
	unsigned int i;

	if (!o || !arr || json_object_object_add(o, "key_IDs", arr)) {
		json_object_put(arr);
		json_object_put(o);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		format_uuid(ids[i], uuid);
		e = json_object_new_object();
		if (!e || json_object_object_add(e, "key_ID", json_object_new_string(uuid)) ||
		    json_object_array_add(arr, e)) {
			json_object_put(e);
			json_object_put(o);
			return NULL;
		}
	}
	return to_text(o);
}
