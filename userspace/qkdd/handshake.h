/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The slave's peer listener: connections accepted and taken through the
 * server side of their TLS handshake by the event loop, each step when
 * poll() says its socket is ready, so that no connection, however slow or
 * silent, holds up the links' batches.
 */
#ifndef QKDD_HANDSHAKE_H
#define QKDD_HANDSHAKE_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "tls.h"

/*
 * TLS handshakes in progress at once. A master's handshake takes a round
 * trip or two; 64 leaves room for several masters reconnecting together,
 * and caps what a flood of connections costs (an SSL object and a socket
 * each).
 */
#define HANDSHAKE_MAX	64
/* A connection not through its handshake by then is closed. */
#define HANDSHAKE_MS	10000

struct handshake {
	struct tls_conn *c;		/* NULL: a free slot */
	int64_t started;
	short events;			/* what the next step waits for */
};

/*
 * Failures of the listener's connections (dropped, timed out, TLS errors,
 * accept errors) come in episodes: the first is logged as it happens, the
 * rest are counted and logged as one line once none has failed for a few
 * seconds.
 */
enum { HS_DROPPED, HS_TIMED_OUT, HS_FAILED, HS_ACCEPT, HS_NR };

struct handshakes {
	int listen_fd;			/* -1 without slave links */
	struct handshake hs[HANDSHAKE_MAX];
	unsigned int n;			/* in progress */
	int64_t paused_until;		/* accept failing: not polled until then */
	bool episode;
	int64_t episode_start, episode_last;
	unsigned int count[HS_NR];	/* failures after the episode's first */
};

/* idx of the listener among handshake_pollfds()'s entries. */
#define HANDSHAKE_LISTENER	(~0u)

struct qkdd;

/*
 * Fills @pfd (room for 1 + HANDSHAKE_MAX) with the listener and the
 * handshakes in progress, and @idx with what each entry is for (pass it
 * back to handshake_ready()); returns how many.
 */
unsigned int handshake_pollfds(struct handshakes *h, struct pollfd *pfd,
			       unsigned int *idx, int64_t now);
/* Entry @idx of handshake_pollfds(), on @fd, is ready. */
void handshake_ready(struct qkdd *d, unsigned int idx, int fd);
/* Closes the handshakes past their time; ends a quiet episode. */
void handshake_tick(struct handshakes *h, int64_t now);
/* Closes every handshake in progress (not the listener). */
void handshake_close_all(struct handshakes *h);

#endif /* QKDD_HANDSHAKE_H */
