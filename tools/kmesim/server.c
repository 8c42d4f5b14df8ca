// SPDX-License-Identifier: GPL-2.0
/*
 * One simulated KME on one HTTPS listener. libmicrohttpd runs it in a
 * thread of its own; a request is read whole (body capped), then checked in
 * a fixed order, so that an SAE learns nothing it may not know:
 *
 *   1. client certificate, verified against the CA     401
 *   2. path /api/v1/keys/{SAE_ID}/{status|enc_keys|dec_keys}  404
 *   3. method: GET for status, GET or POST for keys    405
 *   4. body size                                       413
 *   5. the API itself (api.c)                          400, 401, 503
 *
 * Each request is logged on one line to stderr: KME, method, path (never
 * the query, never a body), SAE, status and a note.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "server.h"
#include "tls.h"

#define BODY_MAX (64 * 1024)
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct request {
	char *body;
	size_t len;
	bool too_big;
};

/* What a queued response needs until libmicrohttpd has sent it. */
struct sent {
	struct json_object *json;
	char *text;		/* json-c's own serialization buffer */
	size_t len;
};

struct args {
	struct api_arg v[API_MAX_ARGS];
	size_t n;
	bool overflow;
};

static const char side_name[] = { [KME_A] = 'a', [KME_B] = 'b' };

/* The serialized reply may hold keys: zeroize it with the JSON tree. */
static void sent_free(void *cls)
{
	struct sent *s = cls;

	explicit_bzero(s->text, s->len);
	api_wipe(s->json);
	json_object_put(s->json);
	free(s);
}

/*
 * Quirk html-errors: the error page a web server in front of the KME
 * would send, with the API's message. Errors carry no key material.
 */
static struct MHD_Response *html_reply(struct api_reply *rep)
{
	struct json_object *msg;
	struct MHD_Response *resp;
	char *html;
	size_t len;

	if (!json_object_object_get_ex(rep->json, "message", &msg))
		msg = NULL;
	html = quirk_html(rep->status, msg ? json_object_get_string(msg) : "",
			  &len);
	json_object_put(rep->json);
	if (!html)
		return NULL;
	resp = MHD_create_response_from_buffer_with_free_callback(len, html, free);
	if (!resp) {
		free(html);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/html; charset=utf-8");
	return resp;
}

static struct MHD_Response *json_reply(struct api_reply *rep)
{
	struct MHD_Response *resp;
	struct sent *s = calloc(1, sizeof(*s));
	size_t len;

	if (!s) {
		api_wipe(rep->json);
		json_object_put(rep->json);
		return NULL;
	}
	s->json = rep->json;
	s->text = (char *)json_object_to_json_string_length(rep->json,
			JSON_C_TO_STRING_PLAIN |
			JSON_C_TO_STRING_NOSLASHESCAPE, &s->len);
	/* Fault malformed-json: the body ends half way, as a cut reply. */
	len = rep->truncate ? s->len / 2 : s->len;
	resp = MHD_create_response_from_buffer_with_free_callback_cls(len,
			s->text, sent_free, s);
	if (!resp) {
		sent_free(s);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	return resp;
}

static enum MHD_Result send_reply(struct kme_server *srv,
				  struct MHD_Connection *conn,
				  struct api_reply *rep, const char *allow)
{
	unsigned int quirks = srv->k->cfg->quirks;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (rep->status >= 400 && (quirks & QUIRK_HTML_ERRORS))
		resp = html_reply(rep);
	else
		resp = json_reply(rep);
	if (!resp)
		return MHD_NO;
	/* libmicrohttpd closes the connection once this reply is sent. */
	if (quirks & QUIRK_CONNECTION_CLOSE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
				   const char *name, const char *value)
{
	struct args *a = cls;

	(void)kind;
	if (a->n == API_MAX_ARGS) {
		a->overflow = true;
		return MHD_NO;
	}
	a->v[a->n].name = name;
	a->v[a->n].value = value;
	a->n++;
	return MHD_YES;
}

static enum MHD_Result respond(struct kme_server *srv,
			       struct MHD_Connection *conn, const char *url,
			       const char *method, struct request *r)
{
	char sae[SAE_ID_MAX + 1] = "-", target[SAE_ID_MAX + 1];
	struct api_reply rep = { 0 };
	struct api_request req = { 0 };
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET);
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
	const char *allow = NULL;
	struct args args = { 0 };
	char why[API_NOTE_MAX];
	enum MHD_Result ret;

	if (tls_client_sae(conn, sae, sizeof(sae), why, sizeof(why))) {
		strcpy(sae, "-");
		api_error(&rep, 401, "%s", why);
	} else if (!api_route(url, target, sizeof(target), &req.op)) {
		api_error(&rep, 404, "no such resource: %.80s", url);
	} else if (!get && !(post && req.op != OP_STATUS)) {
		allow = req.op == OP_STATUS ? "GET" : "GET, POST";
		api_error(&rep, 405, "method %.16s not allowed, only %s",
			  method, allow);
	} else if (r->too_big) {
		api_error(&rep, 413, "request body above %d bytes", BODY_MAX);
	} else {
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
					  collect_arg, &args);
		req.side = srv->side;
		req.sae = sae;
		req.post = post;
		req.target = target;
		req.args = args.v;
		req.nargs = args.n;
		req.body = r->body ? r->body : "";
		req.body_len = r->len;
		if (args.overflow)
			api_error(&rep, 400, "too many parameters");
		else
			api_handle(srv->k, &req, &rep);
	}
	fprintf(stderr, "kmesim: %c %s %s sae=%s %u %s%s%s\n",
		side_name[srv->side], method, url, sae, rep.status, rep.note,
		rep.ids ? ", key_IDs " : "", rep.ids ? rep.ids : "");
	free(rep.ids);
	ret = send_reply(srv, conn, &rep, allow);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct request *r = *con_cls;
	char *grown;

	(void)version;
	if (!r) {
		r = calloc(1, sizeof(*r));
		*con_cls = r;
		return r ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		if (r->len + *upload_data_size > BODY_MAX) {
			r->too_big = true;
		} else if (!r->too_big) {
			grown = realloc(r->body, r->len + *upload_data_size + 1);
			if (!grown)
				return MHD_NO;
			r->body = grown;
			memcpy(r->body + r->len, upload_data, *upload_data_size);
			r->len += *upload_data_size;
			r->body[r->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return respond(cls, conn, url, method, r);
}

static void request_done(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode code)
{
	struct request *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)code;
	if (r) {
		free(r->body);
		free(r);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct kme_server *srv = cls;
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "kmesim: %c: %s%s", side_name[srv->side], msg,
		msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static char *read_pem(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size > 1024 * 1024)
		goto fail;
	buf = malloc(st.st_size + 1);
	if (!buf)
		goto fail;
	n = read(fd, buf, st.st_size);
	if (n != st.st_size)
		goto fail;
	buf[n] = '\0';
	close(fd);
	if (len)
		*len = n;
	return buf;
fail:
	fprintf(stderr, "kmesim: cannot read %s: %s\n", path,
		errno ? strerror(errno) : "short read");
	free(buf);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* HOST:PORT or [V6]:PORT into @ss. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | AI_PASSIVE,
	}, *res;
	char host[256];
	const char *port = strrchr(spec, ':');
	size_t hl;
	int ret;

	if (!port || port == spec)
		return -EINVAL;
	hl = port - spec;
	if (spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	ret = getaddrinfo(host, port + 1, &hints, &res);
	if (ret)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

int server_start(struct kme_server *srv, struct kmesim *k,
		 enum kme_side side)
{
	const struct kmesim_config *cfg = k->cfg;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss = { 0 };
	unsigned int flags = MHD_USE_TLS | MHD_USE_AUTO_INTERNAL_THREAD |
			     MHD_USE_ERROR_LOG;
	char host[INET6_ADDRSTRLEN];

	memset(srv, 0, sizeof(*srv));
	srv->k = k;
	srv->side = side;
	if (parse_listen(cfg->listen[side], &ss)) {
		fprintf(stderr, "kmesim: bad listen address '%s'\n",
			cfg->listen[side]);
		return -EINVAL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->cert = read_pem(cfg->cert[side], NULL);
	srv->key = read_pem(cfg->key[side], &srv->key_len);
	srv->ca = read_pem(cfg->ca, NULL);
	if (!srv->cert || !srv->key || !srv->ca)
		return -EINVAL;

	/* The logger comes first, so that it sees every message. */
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, srv,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_HTTPS_MEM_CERT, srv->cert,
			MHD_OPTION_HTTPS_MEM_KEY, srv->key,
			MHD_OPTION_HTTPS_MEM_TRUST, srv->ca,
			MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
			MHD_OPTION_NOTIFY_COMPLETED, request_done, srv,
			MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			MHD_OPTION_END);
	if (!srv->daemon) {
		fprintf(stderr, "kmesim: KME %c cannot listen on %s\n",
			side_name[side], cfg->listen[side]);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (getnameinfo((struct sockaddr *)&ss, sizeof(ss), host, sizeof(host),
			NULL, 0, NI_NUMERICHOST))
		strcpy(host, "?");
	snprintf(srv->addr, sizeof(srv->addr),
		 ss.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 info ? info->port : 0);
	return 0;
}

void server_stop(struct kme_server *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	if (srv->key) {
		explicit_bzero(srv->key, srv->key_len);
		free(srv->key);
	}
	free(srv->cert);
	free(srv->ca);
	memset(srv, 0, sizeof(*srv));
}
