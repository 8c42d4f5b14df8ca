// SPDX-License-Identifier: GPL-2.0
/*
 * Mutual TLS between the two qkdd of a link (OpenSSL). Both ends present
 * their certificate and verify the other's against the CA of [qkdd]; the
 * name check (the peer certificate's CN against the link's peer-name) is
 * the caller's, since a slave learns which link a connection serves only
 * from its HELLO.
 *
 * The thread's OpenSSL error queue is shared with libcurl, whose KME
 * connections (a KME that times out, say) may leave errors on it, and
 * SSL_get_error() reads a non-empty queue as a fatal error of our call.
 * So the queue is cleared before every SSL_read(), SSL_write() and
 * handshake step: else a KME outage closes the peer connection, as it
 * did ("closed by the peer" on both sides, tests/qkdd_kme_faults.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls.h"

#define CONNECT_MS	10000
#define SEND_MS		10000

/* The first OpenSSL error of the thread's queue as text, the queue cleared. */
static const char *ssl_error(char *buf, size_t n)
{
	unsigned long e = ERR_get_error();

	if (!e)
		snprintf(buf, n, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
	return buf;
}

SSL_CTX *tls_ctx_new(const char *cert, const char *key, const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	char err[256];

	if (!ctx) {
		qkdd_log("TLS: %s", ssl_error(err, sizeof(err)));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	/* No session tickets: nothing but our frames after the handshake. */
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		qkdd_log("cert %s: %s", cert, ssl_error(err, sizeof(err)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		qkdd_log("key %s: %s", key, ssl_error(err, sizeof(err)));
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		qkdd_log("ca %s: %s", ca, ssl_error(err, sizeof(err)));
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int tls_listen(const struct qkdd_hostport *hp)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	}, *res;
	int fd, one = 1, ret;

	ret = getaddrinfo(hp->host, hp->port, &hints, &res);
	if (ret) {
		qkdd_log("listen %s:%s: %s", hp->host, hp->port, gai_strerror(ret));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 16)) {
		ret = -errno;
		qkdd_log("listen %s:%s: %s", hp->host, hp->port, strerror(-ret));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return ret;
	}
	freeaddrinfo(res);
	return fd;
}

/* Waits for @events on @fd until @deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left;
	int ret;

	for (;;) {
		left = deadline - qkdd_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		ret = poll(&p, 1, left);
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

/* The subject's single CN into c->peer_cn ("" when none or several). */
static void read_peer_cn(struct tls_conn *c)
{
	X509 *x = SSL_get0_peer_certificate(c->ssl);
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
	ASN1_STRING *s;
	int i;

	c->peer_cn[0] = '\0';
	if (!name)
		return;
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, i) >= 0)
		return;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	if (!s || ASN1_STRING_length(s) <= 0 ||
	    (size_t)ASN1_STRING_length(s) >= sizeof(c->peer_cn) ||
	    memchr(ASN1_STRING_get0_data(s), 0, ASN1_STRING_length(s)))
		return;
	memcpy(c->peer_cn, ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
	c->peer_cn[ASN1_STRING_length(s)] = '\0';
}

struct tls_conn *tls_conn_new(SSL_CTX *ctx, int fd, bool server, const char *addr,
			      char *why, size_t n)
{
	struct tls_conn *c = calloc(1, sizeof(*c));
	char err[256];

	if (!c) {
		close(fd);
		snprintf(why, n, "out of memory");
		return NULL;
	}
	c->fd = fd;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	c->ssl = SSL_new(ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
		snprintf(why, n, "%s", ssl_error(err, sizeof(err)));
		tls_close(c);
		return NULL;
	}
	if (server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	return c;
}

int tls_handshake_step(struct tls_conn *c, short *events, char *why, size_t n)
{
	char err[256];
	long vr;
	int ret;

	errno = 0;
	ERR_clear_error();
	ret = SSL_do_handshake(c->ssl);
	if (ret == 1) {
		read_peer_cn(c);
		return 0;
	}
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		*events = POLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*events = POLLOUT;
		return -EAGAIN;
	case SSL_ERROR_SYSCALL:
		if (!ERR_peek_error() && errno) {
			snprintf(why, n, "TLS handshake: %s", strerror(errno));
			return -EPROTO;
		}
		break;
	}
	vr = SSL_get_verify_result(c->ssl);
	if (vr != X509_V_OK)
		snprintf(why, n, "TLS handshake: certificate does not verify: %s",
			 X509_verify_cert_error_string(vr));
	else
		snprintf(why, n, "TLS handshake: %s", ssl_error(err, sizeof(err)));
	return -EPROTO;
}

/* The client side of the handshake, waiting for the socket until @deadline. */
static int handshake_until(struct tls_conn *c, int64_t deadline, char *why, size_t n)
{
	short events;
	int ret;

	for (;;) {
		ret = tls_handshake_step(c, &events, why, n);
		if (ret != -EAGAIN)
			return ret;
		ret = wait_fd(c->fd, events, deadline);
		if (ret) {
			snprintf(why, n, "TLS handshake: %s", strerror(-ret));
			return ret;
		}
	}
}

void tls_addr_text(const struct sockaddr *sa, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(buf, n, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(buf, n, "[%s]:%u", host, port);
	} else {
		snprintf(buf, n, "?");
	}
}

int tls_connect(SSL_CTX *ctx, const struct qkdd_hostport *hp,
		struct tls_conn **c, char *why, size_t n)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	}, *res, *ai;
	int64_t deadline = qkdd_now_ms() + CONNECT_MS;
	char addr[QKDD_HOST_MAX + 16];
	int fd = -1, ret, err = 0;
	socklen_t elen = sizeof(err);

	snprintf(addr, sizeof(addr), "%s:%s", hp->host, hp->port);
	ret = getaddrinfo(hp->host, hp->port, &hints, &res);
	if (ret) {
		snprintf(why, n, "%s: %s", addr, gai_strerror(ret));
		return -EHOSTUNREACH;
	}
	ret = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
			ret = -errno;
		} else {
			ret = wait_fd(fd, POLLOUT, deadline);
			if (!ret && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
				ret = -errno;
			else if (!ret && err)
				ret = -err;
		}
		if (!ret)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, n, "connect %s: %s", addr, strerror(-ret));
		return ret;
	}
	/* One time limit for the connect and the handshake together. */
	*c = tls_conn_new(ctx, fd, false, addr, why, n);
	if (!*c)
		return -ENOMEM;
	ret = handshake_until(*c, deadline, why, n);
	if (ret) {
		tls_close(*c);
		*c = NULL;
	}
	return ret;
}

int tls_send(struct tls_conn *c, const struct msg *m)
{
	int64_t deadline = qkdd_now_ms() + SEND_MS;
	uint8_t buf[MSG_FRAME_MAX];
	int len, ret;

	len = msg_encode(m, buf, sizeof(buf));
	if (len < 0)
		return len;
	for (;;) {
		ERR_clear_error();
		ret = SSL_write(c->ssl, buf, len);
		if (ret > 0)
			return 0;
		switch (SSL_get_error(c->ssl, ret)) {
		case SSL_ERROR_WANT_READ:
			ret = wait_fd(c->fd, POLLIN, deadline);
			break;
		case SSL_ERROR_WANT_WRITE:
			ret = wait_fd(c->fd, POLLOUT, deadline);
			break;
		default:
			ERR_clear_error();
			return -ECONNRESET;
		}
		if (ret)
			return ret;
	}
}

int tls_recv(struct tls_conn *c, struct msg *m)
{
	size_t want;
	int ret, plen;

	for (;;) {
		want = MSG_HDR_LEN;
		if (c->rx_len >= MSG_HDR_LEN) {
			plen = msg_frame_len(c->rx);
			if (plen < 0)
				return plen;
			want += plen;
			if (c->rx_len == want) {
				ret = msg_decode(c->rx, c->rx_len, m);
				c->rx_len = 0;
				return ret;
			}
		}
		ERR_clear_error();
		ret = SSL_read(c->ssl, c->rx + c->rx_len, want - c->rx_len);
		if (ret > 0) {
			c->rx_len += ret;
			continue;
		}
		switch (SSL_get_error(c->ssl, ret)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return -EAGAIN;
		default:
			ERR_clear_error();
			return -ECONNRESET;
		}
	}
}

void tls_close(struct tls_conn *c)
{
	if (!c)
		return;
	if (c->ssl) {
		/* A close_notify only ends a session that began. */
		if (SSL_is_init_finished(c->ssl))
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}
