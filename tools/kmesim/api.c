// SPDX-License-Identifier: GPL-2.0
/*
 * The three calls of ETSI GS QKD 014 V1.1.1, section 5:
 *
 *   GET      /api/v1/keys/{slave_SAE_ID}/status     master at KME A
 *   GET      /api/v1/keys/{master_SAE_ID}/status    slave at KME B
 *   GET|POST /api/v1/keys/{slave_SAE_ID}/enc_keys   master at KME A
 *   GET|POST /api/v1/keys/{master_SAE_ID}/dec_keys  slave at KME B
 *
 * Errors are the standard's Error object, {"message": "..."}, with 400 for
 * a request the KME cannot serve as asked, 401 for an SAE that may not make
 * it, 503 when too few keys are stored.
 *
 * Key sizes: any multiple of 8 in [min_key_size, max_key_size] is served.
 * A delivered key takes ceil(size / key_size) stored keys: their
 * concatenation, cut to size bits; the unused tail is discarded so no bit
 * ever serves two keys.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define API_PREFIX "/api/v1/keys/"

static const char *const op_names[] = {
	[OP_STATUS] = "status",
	[OP_ENC_KEYS] = "enc_keys",
	[OP_DEC_KEYS] = "dec_keys",
};

/* Splits /api/v1/keys/{SAE_ID}/{op}; false for any other path. */
bool api_route(const char *url, char *target, size_t len, enum api_op *op)
{
	const char *id, *slash;
	size_t i;

	if (strncmp(url, API_PREFIX, strlen(API_PREFIX)))
		return false;
	id = url + strlen(API_PREFIX);
	slash = strchr(id, '/');
	if (!slash || slash == id || (size_t)(slash - id) >= len)
		return false;
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		if (!strcmp(slash + 1, op_names[i])) {
			memcpy(target, id, slash - id);
			target[slash - id] = '\0';
			*op = i;
			return true;
		}
	}
	return false;
}

void api_error(struct api_reply *rep, unsigned int status,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep->note, sizeof(rep->note), fmt, ap);
	va_end(ap);
	rep->status = status;
	rep->json = json_object_new_object();
	json_object_object_add(rep->json, "message",
			       json_object_new_string(rep->note));
}

/* Zeroizes the key strings of a key container before it is freed. */
void api_wipe(struct json_object *json)
{
	struct json_object *keys, *key;
	size_t i, n;

	if (!json || !json_object_object_get_ex(json, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array))
		return;
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(keys, i),
					       "key", &key))
			continue;
		/* json-c keeps strings in writable heap memory of its own. */
		explicit_bzero((char *)json_object_get_string(key),
			       json_object_get_string_len(key));
	}
}

static bool sae_known(const struct store *s, const char *sae)
{
	size_t i;

	for (i = 0; i < s->npairs; i++)
		if (!strcmp(s->pairs[i].master, sae) ||
		    !strcmp(s->pairs[i].slave, sae))
			return true;
	return false;
}

/*
 * The pair a request is about, or NULL with a 401 reply. KME A serves the
 * master, whose path names the slave; KME B the slave, whose path names the
 * master.
 */
static struct kme_pair *authorize(struct kmesim *k,
				  const struct api_request *req,
				  struct api_reply *rep)
{
	const struct kmesim_config *cfg = k->cfg;
	const char *self = cfg->kme_id[req->side];
	struct kme_pair *p;

	if (!sae_known(&k->store, req->sae)) {
		api_error(rep, 401, "SAE '%s' is not known to KME '%s'",
			  req->sae, self);
		return NULL;
	}
	if (req->op == OP_ENC_KEYS && req->side != KME_A) {
		api_error(rep, 401, "enc_keys is served to master SAEs by KME '%s'",
			  cfg->kme_id[KME_A]);
		return NULL;
	}
	if (req->op == OP_DEC_KEYS && req->side != KME_B) {
		api_error(rep, 401, "dec_keys is served to slave SAEs by KME '%s'",
			  cfg->kme_id[KME_B]);
		return NULL;
	}
	if (req->side == KME_A)
		p = store_find(&k->store, req->sae, req->target);
	else
		p = store_find(&k->store, req->target, req->sae);
	if (!p)
		api_error(rep, 401, "SAE '%s' shares no keys with SAE '%s' as %s SAE at KME '%s'",
			  req->sae, req->target,
			  req->side == KME_A ? "master" : "slave", self);
	return p;
}

static void status(struct kmesim *k, const struct api_request *req,
		   struct kme_pair *p, struct api_reply *rep)
{
	const struct store_config *sc = &k->store.cfg;
	struct json_object *j = json_object_new_object();
	bool pending = k->cfg->quirks & QUIRK_STORED_COUNT_PENDING;
	size_t stored = pending ? store_pending(&k->store, p) :
				  store_count(&k->store, p);

	json_object_object_add(j, "source_KME_ID",
			       json_object_new_string(k->cfg->kme_id[req->side]));
	json_object_object_add(j, "target_KME_ID",
			       json_object_new_string(k->cfg->kme_id[!req->side]));
	json_object_object_add(j, "master_SAE_ID",
			       json_object_new_string(p->master));
	json_object_object_add(j, "slave_SAE_ID",
			       json_object_new_string(p->slave));
	json_object_object_add(j, "key_size", json_object_new_int(sc->key_size));
	json_object_object_add(j, "stored_key_count",
			       json_object_new_int64(stored));
	json_object_object_add(j, "max_key_count",
			       json_object_new_int(sc->max_keys));
	json_object_object_add(j, "max_key_per_request",
			       json_object_new_int(sc->max_keys_per_request));
	json_object_object_add(j, "max_key_size",
			       json_object_new_int(sc->max_key_size));
	json_object_object_add(j, "min_key_size",
			       json_object_new_int(sc->min_key_size));
	/* No key multicast: additional_slave_SAE_IDs must stay empty. */
	json_object_object_add(j, "max_SAE_ID_count", json_object_new_int(0));
	rep->status = 200;
	rep->json = j;
	snprintf(rep->note, sizeof(rep->note), "stored %zu%s", stored,
		 pending ? " (keys not yet fetched: quirk stored-count-pending)" : "");
}

/* A strict decimal in [1, UINT_MAX]. */
static bool parse_uint(const char *s, unsigned int *v)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || !n || n > UINT_MAX)
		return false;
	*v = n;
	return true;
}

/* A JSON body must be exactly one JSON object. */
static struct json_object *parse_body(const struct api_request *req,
				      struct api_reply *rep)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *j = NULL;
	size_t end;

	if (!tok) {
		api_error(rep, 503, "out of memory");
		return NULL;
	}
	if (req->body_len && req->body_len < INT_MAX)
		j = json_tokener_parse_ex(tok, req->body, req->body_len);
	end = json_tokener_get_parse_end(tok);
	while (end < req->body_len && strchr(" \t\r\n", req->body[end]))
		end++;
	if (!j || json_tokener_get_error(tok) != json_tokener_success ||
	    end != req->body_len || !json_object_is_type(j, json_type_object)) {
		api_error(rep, 400, "the request body is not a JSON object");
		json_object_put(j);
		j = NULL;
	}
	json_tokener_free(tok);
	return j;
}

static bool json_uint(struct json_object *v, const char *name,
		      unsigned int *out, struct api_reply *rep)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int)) {
		api_error(rep, 400, "%s must be an integer", name);
		return false;
	}
	n = json_object_get_int64(v);
	if (n < 1 || n > UINT_MAX) {
		api_error(rep, 400, "%s must be a positive integer", name);
		return false;
	}
	*out = n;
	return true;
}

static bool empty_array(struct json_object *v)
{
	return json_object_is_type(v, json_type_array) &&
	       !json_object_array_length(v);
}

static bool enc_request(const struct api_request *req, unsigned int *number,
			unsigned int *size, struct api_reply *rep)
{
	unsigned int seen = 0, bit;
	struct json_object *j;
	size_t i;

	if (!req->post) {
		for (i = 0; i < req->nargs; i++) {
			const struct api_arg *a = &req->args[i];
			unsigned int *v;

			if (!strcmp(a->name, "number")) {
				v = number;
				bit = 1;
			} else if (!strcmp(a->name, "size")) {
				v = size;
				bit = 2;
			} else {
				goto unknown_arg;
			}
			if (seen & bit)
				goto twice;
			seen |= bit;
			if (!a->value || !parse_uint(a->value, v)) {
				api_error(rep, 400, "%s must be a positive integer",
					  a->name);
				return false;
			}
		}
		return true;
unknown_arg:
		api_error(rep, 400, "unknown parameter '%s'", req->args[i].name);
		return false;
twice:
		api_error(rep, 400, "parameter '%s' given twice",
			  req->args[i].name);
		return false;
	}

	if (req->nargs) {
		api_error(rep, 400, "POST takes its parameters in the JSON body");
		return false;
	}
	j = parse_body(req, rep);
	if (!j)
		return false;
	json_object_object_foreach(j, name, v) {
		if (!strcmp(name, "number")) {
			if (!json_uint(v, name, number, rep))
				goto bad;
		} else if (!strcmp(name, "size")) {
			if (!json_uint(v, name, size, rep))
				goto bad;
		} else if (!strcmp(name, "additional_slave_SAE_IDs")) {
			if (!empty_array(v)) {
				api_error(rep, 400, "additional_slave_SAE_IDs: max_SAE_ID_count is 0");
				goto bad;
			}
		} else if (!strcmp(name, "extension_mandatory")) {
			if (!json_object_is_type(v, json_type_array) ||
			    json_object_array_length(v)) {
				api_error(rep, 400, "extension_mandatory: none supported");
				goto bad;
			}
		} else if (strcmp(name, "extension_optional")) {
			api_error(rep, 400, "unknown field '%s'", name);
			goto bad;
		}
	}
	json_object_put(j);
	return true;
bad:
	json_object_put(j);
	return false;
}

/* Which replies the configured fault hits; counts the key replies. */
static bool fault_hits(struct kmesim *k, enum kme_side side)
{
	const struct kmesim_config *cfg = k->cfg;
	unsigned long n;

	if (cfg->fault == FAULT_NONE ||
	    (cfg->fault_side >= 0 && cfg->fault_side != (int)side))
		return false;
	n = atomic_fetch_add(&k->key_replies, 1) + 1;
	return !cfg->fault_request || n == cfg->fault_request;
}

static struct json_object *key_entry(const uuid_t id, const uint8_t *bytes,
				     size_t len)
{
	struct json_object *e = json_object_new_object();
	gnutls_datum_t in = { (unsigned char *)bytes, len }, out = { 0 };
	char uuid[37];

	uuid_unparse_lower(id, uuid);
	json_object_object_add(e, "key_ID", json_object_new_string(uuid));
	if (gnutls_base64_encode2(&in, &out) < 0) {
		json_object_put(e);
		return NULL;
	}
	json_object_object_add(e, "key",
			       json_object_new_string_len((char *)out.data,
							  out.size));
	explicit_bzero(out.data, out.size);
	gnutls_free(out.data);
	return e;
}

/* The key IDs of @keys, comma-separated: a malloc()ed string or NULL. */
static char *key_ids(const struct kme_key *keys, unsigned int n)
{
	char *s = malloc((size_t)n * 37), *p = s;
	unsigned int i;

	for (i = 0; s && i < n; i++) {
		uuid_unparse_lower(keys[i].id, p);
		p += 36;
		*p++ = i + 1 < n ? ',' : '\0';
	}
	return s;
}

/*
 * The key container {"keys": [{"key_ID", "key"}, ...]}, falsified as the
 * fault asks. The keys themselves are wiped by the caller.
 */
static void key_reply(struct kmesim *k, const struct api_request *req,
		      const struct kme_key *keys, unsigned int n,
		      struct api_reply *rep)
{
	enum fault_mode f = fault_hits(k, req->side) ? k->cfg->fault :
						       FAULT_NONE;
	struct json_object *arr = json_object_new_array(), *e;
	uint8_t *flipped = NULL;
	size_t len;
	unsigned int i;

	rep->status = 200;
	rep->json = json_object_new_object();
	json_object_object_add(rep->json, "keys", arr);
	for (i = 0; i < n; i++) {
		const unsigned char *id = keys[i].id;

		/* duplicate-id: the last of several keys takes the first's ID */
		if (f == FAULT_DUPLICATE_ID && i && i == n - 1)
			id = keys[0].id;
		len = keys[i].bits / 8 - (f == FAULT_WRONG_SIZE);
		/* mismatched-key: the last key with its first byte inverted */
		if (f == FAULT_MISMATCHED_KEY && i == n - 1) {
			flipped = malloc(len);
			if (!flipped)
				goto fail;
			memcpy(flipped, keys[i].bytes, len);
			flipped[0] ^= 0xff;
			e = key_entry(id, flipped, len);
			explicit_bzero(flipped, len);
			free(flipped);
		} else {
			e = key_entry(id, keys[i].bytes, len);
		}
		if (!e)
			goto fail;
		json_object_array_add(arr, e);
	}
	if (f == FAULT_MISMATCHED_KEY)
		rep->ids = key_ids(keys, n);
	/* ... and a lone key comes twice. */
	if (f == FAULT_DUPLICATE_ID && n == 1) {
		e = key_entry(keys[0].id, keys[0].bytes, keys[0].bits / 8);
		if (!e)
			goto fail;
		json_object_array_add(arr, e);
	}
	rep->truncate = f == FAULT_MALFORMED_JSON;
	snprintf(rep->note, sizeof(rep->note), "%u key(s) of %u bits%s%s", n,
		 keys[0].bits, f ? ", fault " : "", f ? fault_name(f) : "");
	return;
fail:
	api_wipe(rep->json);
	json_object_put(rep->json);
	api_error(rep, 503, "cannot encode the keys");
}

static void enc_keys(struct kmesim *k, const struct api_request *req,
		     struct kme_pair *p, struct api_reply *rep)
{
	const struct store_config *sc = &k->store.cfg;
	unsigned int number = 1, size = sc->key_size, i;
	struct kme_key *keys;
	int ret;

	if (!enc_request(req, &number, &size, rep))
		return;
	/* Checked, then dropped, as such a KME reads only what it knows. */
	if (quirk_ignores_number(k->cfg->quirks, req->post))
		number = 1;
	if (number > sc->max_keys_per_request) {
		api_error(rep, 400, "number %u is above max_key_per_request %u",
			  number, sc->max_keys_per_request);
		return;
	}
	if (size % 8 || size < sc->min_key_size || size > sc->max_key_size) {
		api_error(rep, 400, "size %u is not a multiple of 8 in [%u, %u]",
			  size, sc->min_key_size, sc->max_key_size);
		return;
	}
	keys = calloc(number, sizeof(*keys));
	if (!keys) {
		api_error(rep, 503, "out of memory");
		return;
	}
	ret = store_take(&k->store, p, number, size, keys);
	if (ret == -EAGAIN && (k->cfg->quirks & QUIRK_EMPTY_400)) {
		api_error(rep, 400, "Not enough key material available. Please try again later.");
	} else if (ret == -EAGAIN) {
		api_error(rep, 503, "not enough keys: %u needed, %zu stored",
			  number * ((size + sc->key_size - 1) / sc->key_size),
			  store_count(&k->store, p));
	} else if (ret) {
		api_error(rep, 503, "cannot take keys: %s", strerror(-ret));
	} else {
		key_reply(k, req, keys, number, rep);
		for (i = 0; i < number; i++)
			kme_key_wipe(&keys[i]);
	}
	free(keys);
}

/* The key IDs of a dec_keys request, into @ids (max_key_per_request). */
static size_t dec_request(struct kmesim *k, const struct api_request *req,
			  uuid_t *ids, struct api_reply *rep)
{
	unsigned int max = k->store.cfg.max_keys_per_request;
	struct json_object *j, *list = NULL, *e, *id;
	size_t i, n = 0;

	if (!req->post) {
		if (req->nargs != 1 || strcmp(req->args[0].name, "key_ID") ||
		    !req->args[0].value) {
			api_error(rep, 400, "GET dec_keys takes exactly one parameter, key_ID");
			return 0;
		}
		if (uuid_parse(req->args[0].value, ids[0])) {
			api_error(rep, 400, "key_ID '%s' is not a UUID",
				  req->args[0].value);
			return 0;
		}
		return 1;
	}

	if (req->nargs) {
		api_error(rep, 400, "POST takes its parameters in the JSON body");
		return 0;
	}
	j = parse_body(req, rep);
	if (!j)
		return 0;
	json_object_object_foreach(j, name, v) {
		if (!strcmp(name, "key_IDs")) {
			list = v;
		} else if (strcmp(name, "key_IDs_extension")) {
			api_error(rep, 400, "unknown field '%s'", name);
			goto out;
		}
	}
	if (!list || !json_object_is_type(list, json_type_array) ||
	    !json_object_array_length(list)) {
		api_error(rep, 400, "key_IDs must be a non-empty array");
		goto out;
	}
	if (json_object_array_length(list) > max) {
		api_error(rep, 400, "%zu key_IDs are above max_key_per_request %u",
			  json_object_array_length(list), max);
		goto out;
	}
	for (i = 0; i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "key_ID", &id) ||
		    !json_object_is_type(id, json_type_string)) {
			api_error(rep, 400, "key_IDs[%zu] has no key_ID string",
				  i);
			goto out;
		}
		if (uuid_parse(json_object_get_string(id), ids[i])) {
			api_error(rep, 400, "key_ID '%.40s' is not a UUID",
				  json_object_get_string(id));
			goto out;
		}
	}
	n = i;
out:
	json_object_put(j);
	return n;
}

static void dec_keys(struct kmesim *k, const struct api_request *req,
		     struct kme_pair *p, struct api_reply *rep)
{
	unsigned int max = k->store.cfg.max_keys_per_request;
	struct kme_key *keys = calloc(max, sizeof(*keys));
	uuid_t *ids = calloc(max, sizeof(*ids));
	char uuid[37];
	size_t n, i, bad = 0;
	int ret;

	if (!keys || !ids) {
		api_error(rep, 503, "out of memory");
		goto out;
	}
	n = dec_request(k, req, ids, rep);
	if (!n)
		goto out;
	ret = store_claim(&k->store, p, (const uuid_t *)ids, n, keys, &bad);
	if (ret) {
		uuid_unparse_lower(ids[bad], uuid);
		api_error(rep, 400, ret == -EINVAL ?
			  "key_ID %s is asked for twice" :
			  "key_ID %s is unknown: never issued, delivered or expired",
			  uuid);
		goto out;
	}
	key_reply(k, req, keys, n, rep);
	for (i = 0; i < n; i++)
		kme_key_wipe(&keys[i]);
out:
	free(keys);
	free(ids);
}

void api_handle(struct kmesim *k, const struct api_request *req,
		struct api_reply *rep)
{
	struct kme_pair *p = authorize(k, req, rep);

	if (!p)
		return;
	switch (req->op) {
	case OP_STATUS:
		if (req->nargs)
			api_error(rep, 400, "status takes no parameters");
		else
			status(k, req, p, rep);
		break;
	case OP_ENC_KEYS:
		enc_keys(k, req, p, rep);
		break;
	case OP_DEC_KEYS:
		dec_keys(k, req, p, rep);
		break;
	}
}
