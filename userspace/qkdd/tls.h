/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The channel between two qkdd: TCP with mutual TLS (1.3), both sides
 * verifying the other's certificate against the configured CA, and the
 * frames of msg.h on top. Sockets are non-blocking: a frame is gathered
 * as it arrives; a send and the master's connect wait for the socket with
 * a time limit; the slave's handshakes are stepped by the event loop
 * (handshake.c).
 */
#ifndef QKDD_TLS_H
#define QKDD_TLS_H

#include <stdbool.h>
#include <sys/socket.h>
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
 * A connection on the connected socket @fd (taken: closed on failure),
 * its handshake not begun, the server's side if @server; NULL with @why.
 */
struct tls_conn *tls_conn_new(SSL_CTX *ctx, int fd, bool server, const char *addr,
			      char *why, size_t n);

/*
 * One step of the handshake, never waiting: 0 when it is done (peer_cn
 * read), -EAGAIN when it needs the socket to be ready for *@events
 * (POLLIN or POLLOUT), or -EPROTO with @why saying what failed.
 */
int tls_handshake_step(struct tls_conn *c, short *events, char *why, size_t n);

/* A socket address as text: "192.0.2.1:7000", "[2001:db8::1]:7000". */
void tls_addr_text(const struct sockaddr *sa, char *buf, size_t n);

/*
 * Connects to @hp and runs the client side of the handshake, waiting up
 * to 10 s for both together (the master's loop waits with it): 0 and *c,
 * or a negative errno with @why saying what failed (a certificate that
 * does not verify, a refused connection, a time-out).
 */
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
