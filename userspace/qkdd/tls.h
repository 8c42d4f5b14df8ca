/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel between two qkdd: TCP with mutual TLS (1.3), both sides
 * verifying the other's certificate against the configured CA, and the
 * frames of msg.h on top. Sockets are non-blocking: a frame is gathered
 * as it arrives; a send and the handshake wait for the socket with a time
 * limit.
 */
#ifndef QKDD_TLS_H
#define QKDD_TLS_H

#include <stdbool.h>
#include <openssl/ssl.h>

#include "msg.h"
#include "qkdd.h"

struct tls_conn {
	int fd;
	SSL *ssl;
	char peer_cn[QKDD_CN_MAX + 1];	/* the peer certificate's CN */
	char addr[64];			/* the peer's address, for messages */
	uint8_t rx[MSG_FRAME_MAX];
	size_t rx_len;
};

/* A context for both ends with our certificate, key and CA; NULL on failure (logged). */
SSL_CTX *tls_ctx_new(const char *cert, const char *key, const char *ca);

/* A listening socket on HOST:PORT, or -errno (logged). */
int tls_listen(const struct qkdd_hostport *hp);

/*
 * Accepts one connection on @lfd and runs the server side of the
 * handshake; connects to @hp and runs the client side. Each returns 0 and
 * *c, or a negative errno with @why saying what failed (a certificate that
 * does not verify, a refused connection, a time-out).
 */
int tls_accept(SSL_CTX *ctx, int lfd, struct tls_conn **c, char *why, size_t n);
int tls_connect(SSL_CTX *ctx, const struct qkdd_hostport *hp,
		struct tls_conn **c, char *why, size_t n);

/* Sends one message (waiting up to a few seconds): 0 or -errno. */
int tls_send(struct tls_conn *c, const struct msg *m);

/*
 * Reads what is there: 0 and @m when a whole frame arrived, -EAGAIN when
 * more is needed (call it until then: TLS may hold several frames that
 * poll() does not see), -ECONNRESET when the peer closed, -EBADMSG for a bad
 * frame, or another -errno.
 */
int tls_recv(struct tls_conn *c, struct msg *m);

void tls_close(struct tls_conn *c);

#endif /* QKDD_TLS_H */
