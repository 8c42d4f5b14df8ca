// SPDX-License-Identifier: GPL-2.0
/*
 * The slave's peer listener and the TLS handshakes of the connections it
 * accepts, stepped by the event loop (main.c) and never waited for: a
 * connection that sends nothing, or sends it a byte at a time, costs a
 * slot and nothing else, so that a flood of them does not hold up the
 * links' batches. A connection through its handshake goes to peer.c,
 * which waits for its HELLO.
 *
 * Limits. Each handshake has 10 s (HANDSHAKE_MS); at most HANDSHAKE_MAX
 * run at once. When a connection comes with every slot taken, the oldest
 * handshake is dropped, not the newcomer: a master's handshake takes a
 * round trip or two, so it loses its slot only if 64 connections arrive
 * while it runs; refusing newcomers instead would let 64 idle connections,
 * renewed every 10 s, lock every master out.
 *
 * Logging. Failures (dropped for a newer connection, out of time, a TLS
 * error such as a certificate that does not verify or bytes that are no
 * TLS, an accept() error) come in episodes: the first of an episode is
 * logged as it happens, with its reason, as a lone misconfigured master
 * needs; the second says an episode is under way; the rest are counted,
 * and one line gives the count once none has failed for EPISODE_QUIET_MS.
 * A flood is three lines, not one per connection.
 */
#define _GNU_SOURCE		/* accept4() */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

/* An episode of failures ends once none has come for this long. */
#define EPISODE_QUIET_MS	5000
/* Connections accepted per wakeup, so that the loop turns during a flood. */
#define ACCEPT_BURST		16
/* accept() failing for want of descriptors or memory: a pause, no spin. */
#define ACCEPT_PAUSE_MS		1000

static void failed(struct handshakes *h, int kind, const char *addr,
		   const char *why, int64_t now)
{
	if (!h->episode) {
		qkdd_log("peer %s: %s", addr, why);
		h->episode = true;
		h->episode_start = now;
		memset(h->count, 0, sizeof(h->count));
	} else {
		if (!h->count[HS_DROPPED] && !h->count[HS_TIMED_OUT] &&
		    !h->count[HS_FAILED] && !h->count[HS_ACCEPT])
			qkdd_log("peer listener: more connections fail before their TLS handshake ends (%s: %s); counting them, one line when none has failed for %d s",
				 addr, why, EPISODE_QUIET_MS / 1000);
		h->count[kind]++;
	}
	h->episode_last = now;
}

static void episode_tick(struct handshakes *h, int64_t now)
{
	unsigned int n;

	if (!h->episode || now - h->episode_last < EPISODE_QUIET_MS)
		return;
	h->episode = false;
	n = h->count[HS_DROPPED] + h->count[HS_TIMED_OUT] + h->count[HS_FAILED] +
	    h->count[HS_ACCEPT];
	if (!n)
		return;
	qkdd_log("peer listener: %u more connection%s failed in %lld s: %u dropped for newer ones (%d handshakes at most), %u out of time (%d s), %u TLS errors, %u accept errors",
		 n, n == 1 ? "" : "s",
		 (long long)(h->episode_last - h->episode_start + 999) / 1000,
		 h->count[HS_DROPPED], HANDSHAKE_MAX, h->count[HS_TIMED_OUT],
		 HANDSHAKE_MS / 1000, h->count[HS_FAILED], h->count[HS_ACCEPT]);
}

static void drop(struct handshakes *h, unsigned int i, int kind, const char *why,
		 int64_t now)
{
	struct tls_conn *c = h->hs[i].c;

	failed(h, kind, c->addr, why, now);
	tls_close(c);
	h->hs[i].c = NULL;
	h->n--;
}

/* A free slot, the oldest handshake's made free if there is none. */
static unsigned int free_slot(struct handshakes *h, int64_t now)
{
	char why[96];
	unsigned int i, oldest = 0;

	for (i = 0; i < HANDSHAKE_MAX; i++) {
		if (!h->hs[i].c)
			return i;
		if (h->hs[i].started < h->hs[oldest].started)
			oldest = i;
	}
	snprintf(why, sizeof(why),
		 "dropped for a newer connection: %d TLS handshakes in progress, the most at once",
		 HANDSHAKE_MAX);
	drop(h, oldest, HS_DROPPED, why, now);
	return oldest;
}

/* Whether accept() failed for a reason that waiting cures (no spin). */
static bool accept_exhausted(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static void accept_some(struct qkdd *d)
{
	struct handshakes *h = &d->hs;
	struct sockaddr_storage ss;
	struct tls_conn *c;
	char addr[64], why[320];
	unsigned int k, i;
	socklen_t len;
	int64_t now;
	int fd, err;

	for (k = 0; k < ACCEPT_BURST; k++) {
		len = sizeof(ss);
		fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &len,
			     SOCK_CLOEXEC | SOCK_NONBLOCK);
		now = qkdd_now_ms();
		if (fd < 0) {
			err = errno;
			if (err == EAGAIN || err == EWOULDBLOCK)
				return;
			if (err == EINTR || err == ECONNABORTED)
				continue;
			snprintf(why, sizeof(why), "accept: %s", strerror(err));
			failed(h, HS_ACCEPT, "listener", why, now);
			if (accept_exhausted(err))
				h->paused_until = now + ACCEPT_PAUSE_MS;
			return;
		}
		tls_addr_text((struct sockaddr *)&ss, addr, sizeof(addr));
		c = tls_conn_new(d->tls, fd, true, addr, why, sizeof(why));
		if (!c) {
			failed(h, HS_FAILED, addr, why, now);
			continue;
		}
		i = free_slot(h, now);
		h->hs[i] = (struct handshake){ .c = c, .started = now, .events = POLLIN };
		h->n++;
	}
}

static void step(struct qkdd *d, unsigned int i)
{
	struct handshakes *h = &d->hs;
	struct tls_conn *c = h->hs[i].c;
	char why[320];
	int ret;

	ret = tls_handshake_step(c, &h->hs[i].events, why, sizeof(why));
	if (ret == -EAGAIN)
		return;
	if (ret) {
		drop(h, i, HS_FAILED, why, qkdd_now_ms());
		return;
	}
	h->hs[i].c = NULL;
	h->n--;
	peer_pending_add(d, c);
}

unsigned int handshake_pollfds(struct handshakes *h, struct pollfd *pfd,
			       unsigned int *idx, int64_t now)
{
	unsigned int n = 0, i;

	if (h->listen_fd < 0)
		return 0;
	if (now >= h->paused_until) {
		pfd[n] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
		idx[n++] = HANDSHAKE_LISTENER;
	}
	for (i = 0; i < HANDSHAKE_MAX; i++) {
		if (!h->hs[i].c)
			continue;
		pfd[n] = (struct pollfd){ .fd = h->hs[i].c->fd, .events = h->hs[i].events };
		idx[n++] = i;
	}
	return n;
}

void handshake_ready(struct qkdd *d, unsigned int idx, int fd)
{
	struct handshakes *h = &d->hs;

	if (idx == HANDSHAKE_LISTENER) {
		accept_some(d);
		return;
	}
	/*
	 * Closed by an earlier entry of the same poll(), or its slot given to
	 * a newer connection since (which a step only asks to wait): skip.
	 */
	if (h->hs[idx].c && h->hs[idx].c->fd == fd)
		step(d, idx);
}

void handshake_tick(struct handshakes *h, int64_t now)
{
	char why[64];
	unsigned int i;

	for (i = 0; h->n && i < HANDSHAKE_MAX; i++) {
		if (h->hs[i].c && now - h->hs[i].started >= HANDSHAKE_MS) {
			snprintf(why, sizeof(why), "no TLS handshake within %d s",
				 HANDSHAKE_MS / 1000);
			drop(h, i, HS_TIMED_OUT, why, now);
		}
	}
	episode_tick(h, now);
}

void handshake_close_all(struct handshakes *h)
{
	unsigned int i;

	for (i = 0; i < HANDSHAKE_MAX; i++) {
		tls_close(h->hs[i].c);
		h->hs[i].c = NULL;
	}
	h->n = 0;
}
