/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ETSI GS QKD 014 V1.1.1 API of the simulated KMEs, apart from HTTP:
 * a request arrives decoded (caller's SAE ID, path, arguments, body) and
 * leaves as a status code and a JSON body. Nothing here knows about sockets
 * or TLS, so the parsers can be fed directly by tests.
 */
#ifndef KMESIM_API_H
#define KMESIM_API_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "kmesim.h"

#define API_MAX_ARGS 4
#define API_NOTE_MAX 160

enum api_op { OP_STATUS, OP_ENC_KEYS, OP_DEC_KEYS };

struct api_arg {
	const char *name, *value;
};

struct api_request {
	enum kme_side side;
	const char *sae;		/* the caller: its certificate's CN */
	bool post;
	enum api_op op;
	const char *target;		/* the SAE ID in the path */
	const struct api_arg *args;	/* query arguments */
	size_t nargs;
	const char *body;
	size_t body_len;
};

struct api_reply {
	unsigned int status;
	struct json_object *json;
	bool truncate;			/* fault malformed-json: cut the body */
	char note[API_NOTE_MAX];	/* for the log; never key material */
	char *ids;			/* fault mismatched-key: the reply's key
					 * IDs, for the log (malloc()ed) */
};

bool api_route(const char *url, char *target, size_t len, enum api_op *op);
void api_handle(struct kmesim *k, const struct api_request *req,
		struct api_reply *rep);
__printf(3, 4) void api_error(struct api_reply *rep, unsigned int status,
			       const char *fmt, ...);
void api_wipe(struct json_object *json);

#endif
