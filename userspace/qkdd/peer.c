// SPDX-License-Identifier: GPL-2.0
/*
 * The channel to the peer qkdd of each link, and its HELLO.
 *
 * One TLS connection per link: the master connects to the slave's listen
 * address, with backoff (1 s doubling to 30 s) while that fails. Both
 * sides verify the other's certificate against the CA of [qkdd], and each
 * checks that the other's certificate CN is the link's peer-name (by
 * default its peer-sae). The slave learns which link a connection serves
 * from the master's HELLO, so its name check comes then. A link has the
 * same name on both gateways; each HELLO also carries the sender's and
 * the receiver's SAE IDs, which must be the crosswise SAE IDs of the link.
 *
 * HELLO carries where the sender's module stands on the link: its last
 * committed batch and the batch it has staged (0: none), read from the
 * module as the HELLO goes out, the last batch number the sender used
 * (refused offers count too), and a DIRTY flag: the pools hold keys but
 * the link never committed a batch, so they did not come from this
 * protocol. The master sends its HELLO first, the slave answers with its
 * own; then both decide alike from the two (hello_decide()):
 *
 * - a batch staged on one side that the other does not hold (staged or
 *   committed) is discarded where it is staged: the other side lost it
 *   before staging, so no side ever used it;
 * - a batch both sides hold, one of them still staged, is completed from
 *   ACK2 on (batch_resume());
 * - otherwise both sides must have committed the same last batch and
 *   neither be dirty. If not (a module reloaded on one side, pools fed by
 *   hand), nothing proves the pools in step, and both flush them: the
 *   safe mistake.
 *
 * Both carry on numbering after the highest batch number either used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

static int64_t next_backoff(int64_t cur)
{
	if (!cur)
		return BACKOFF_MIN_MS;
	return cur * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : cur * 2;
}

int peer_send(struct link *l, const struct msg *m)
{
	int ret;

	if (!l->conn)
		return -ENOTCONN;
	ret = tls_send(l->conn, m);
	if (ret) {
		char why[96];

		snprintf(why, sizeof(why), "cannot send %s: %s", msg_name(m->type),
			 strerror(-ret));
		peer_drop(l, why);
	}
	return ret;
}

void peer_drop(struct link *l, const char *why)
{
	if (!l->conn)
		return;
	link_log(l, "peer %s: connection closed: %s", l->conn->addr, why);
	tls_close(l->conn);
	l->conn = NULL;
	l->ready = false;
	batch_lost(l);
	if (l->conf->role == QKDD_MASTER) {
		l->connect_backoff = next_backoff(l->connect_backoff);
		l->connect_at = qkdd_now_ms() + l->connect_backoff;
	}
}

/* Our HELLO, with the module's state of the link, kept for hello_decide(). */
static int hello_fill(struct link *l, struct msg *m)
{
	struct qkd_link kl;
	uint64_t seq;

	memset(m, 0, sizeof(*m));
	if (module_read(l, &kl))
		return -EIO;
	seq = l->last_seq;
	if (kl.batch > seq)
		seq = kl.batch;
	if (kl.staged_batch > seq)
		seq = kl.staged_batch;
	l->hello.seq = seq;
	l->hello.batch = kl.batch;
	l->hello.staged = kl.staged_batch;
	l->hello.dirty = !kl.batch && !kl.staged_batch &&
			 (kl.pool[QKD_DIR_OUT].keys || kl.pool[QKD_DIR_IN].keys);
	m->type = MSG_HELLO;
	m->flags = l->hello.dirty ? MSG_HELLO_DIRTY : 0;
	m->seq = seq;
	m->batch = kl.batch;
	m->staged = kl.staged_batch;
	strcpy(m->link, l->name);
	strcpy(m->sae, l->conf->kl.local_sae);
	strcpy(m->peer_sae, l->conf->kl.peer_sae);
	return 0;
}

/* Whether a HELLO is for this link, seen from the other end; why not. */
static const char *hello_mismatch(const struct link *l, const struct msg *m)
{
	if (strcmp(m->link, l->name))
		return "link name differs";
	if (strcmp(m->sae, l->conf->kl.peer_sae))
		return "its SAE ID is not our peer-sae";
	if (strcmp(m->peer_sae, l->conf->kl.local_sae))
		return "its peer SAE ID is not our sae";
	/* The next batch would be numbered 0, which no side accepts. */
	if (m->seq == UINT64_MAX || m->batch > m->seq || m->staged > m->seq)
		return "its batch numbers are out of range";
	return NULL;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/*
 * Both sides run this with what their own HELLO said and the peer's HELLO
 * @m, and so decide alike.
 */
static void hello_decide(struct link *l, const struct msg *m)
{
	uint64_t b = l->hello.batch, s = l->hello.staged;
	uint64_t pb = m->batch, ps = m->staged;
	uint64_t n = max_u64(max_u64(b, s), max_u64(pb, ps));
	bool ours = s == n || b >= n, theirs = ps == n || pb >= n;
	bool resume = false;
	char why[160];

	l->last_seq = max_u64(l->hello.seq, m->seq);
	why[0] = '\0';
	if (n && (s == n || ps == n)) {
		if (ours && theirs) {
			resume = true;
		} else if (s == n) {
			/* Only we hold it: the peer lost it before staging. */
			if (module_abort(l, n, "the peer never staged it")) {
				peer_drop(l, "cannot discard the staged batch");
				return;
			}
		}
		/* Else only the peer holds it, and discards it. */
	}
	if (!resume) {
		if (b != pb)
			snprintf(why, sizeof(why), "the peer's last committed batch is %llu, ours %llu",
				 (unsigned long long)pb, (unsigned long long)b);
		else if (l->hello.dirty || (m->flags & MSG_HELLO_DIRTY))
			snprintf(why, sizeof(why), "%s pools hold keys from no batch",
				 l->hello.dirty && (m->flags & MSG_HELLO_DIRTY) ? "both sides'" :
				 l->hello.dirty ? "our" : "the peer's");
	}
	if (why[0] && module_flush(l, why)) {
		peer_drop(l, "cannot flush the pools");
		return;
	}
	l->ready = true;
	l->connect_backoff = 0;
	l->connect_failed = false;
	link_log(l, "peer %s (%s) in step, last batch %llu%s", l->conn->addr,
		 l->conn->peer_cn, (unsigned long long)l->last_seq,
		 resume ? "; completing it" : "");
	if (resume)
		batch_resume(l, n);
	if (l->conf->role == QKDD_MASTER)
		l->need_refill = true;
}

static void master_connect(struct link *l, int64_t now)
{
	const struct qkdd_link_conf *lc = l->conf;
	struct tls_conn *c;
	char why[704];
	struct msg m;
	int ret;

	ret = tls_connect(l->d->tls, &lc->peer, &c, why, sizeof(why));
	if (!ret && strcmp(c->peer_cn, lc->peer_name)) {
		snprintf(why, sizeof(why), "%s: certificate CN \"%s\" is not peer-name \"%s\"",
			 c->addr, c->peer_cn, lc->peer_name);
		tls_close(c);
		ret = -EPERM;
	}
	if (ret) {
		l->connect_backoff = next_backoff(l->connect_backoff);
		l->connect_at = now + l->connect_backoff;
		/* Once per outage, and whenever the reason is a certificate. */
		if (!l->connect_failed || ret == -EPERM || ret == -EPROTO)
			link_log(l, "peer: %s (retrying, at most every %d s)", why,
				 BACKOFF_MAX_MS / 1000);
		l->connect_failed = true;
		return;
	}
	l->conn = c;
	l->ready = false;
	l->hello_deadline = now + HELLO_MS;
	if (hello_fill(l, &m)) {
		peer_drop(l, "cannot read the link for HELLO");
		return;
	}
	peer_send(l, &m);
}

void peer_tick(struct link *l, int64_t now)
{
	if (l->conf->role == QKDD_MASTER && !l->conn && now >= l->connect_at)
		master_connect(l, now);
	if (l->conn && !l->ready && now >= l->hello_deadline)
		peer_drop(l, "no HELLO in time");
	batch_tick(l, now);
}

/* The master's side of HELLO: the slave's answer, or its refusal. */
static void master_hello(struct link *l, const struct msg *m)
{
	const char *bad;
	char why[300];

	if (m->type == MSG_NACK) {
		snprintf(why, sizeof(why), "the peer refused us: %s", m->reason);
		peer_drop(l, why);
		return;
	}
	if (m->type != MSG_HELLO) {
		snprintf(why, sizeof(why), "%s before HELLO", msg_name(m->type));
		peer_drop(l, why);
		return;
	}
	bad = hello_mismatch(l, m);
	if (bad) {
		snprintf(why, sizeof(why), "HELLO refused: %s", bad);
		peer_drop(l, why);
		return;
	}
	hello_decide(l, m);
}

/*
 * Where a message from a peer lands: too big for the stack, and with one
 * thread only one is read at a time. Nothing here is secret (key IDs only).
 */
static struct msg rx;

void peer_readable(struct link *l)
{
	struct tls_conn *c = l->conn;
	struct msg *m = &rx;
	char why[96];
	int ret;

	while (l->conn == c && c) {
		ret = tls_recv(c, m);
		if (ret == -EAGAIN)
			break;
		if (ret) {
			snprintf(why, sizeof(why), "%s", ret == -EBADMSG ?
				 "malformed message" : ret == -ECONNRESET ?
				 "closed by the peer" : strerror(-ret));
			peer_drop(l, why);
			break;
		}
		if (!l->ready)
			master_hello(l, m);
		else if (m->type == MSG_HELLO)
			peer_drop(l, "HELLO again");
		else
			batch_on_msg(l, m);
	}
}

void peer_pending_add(struct qkdd *d, struct tls_conn *c)
{
	unsigned int i;

	for (i = 0; i < QKDD_MAX_PENDING; i++) {
		if (!d->pending[i]) {
			d->pending[i] = c;
			d->pending_deadline[i] = qkdd_now_ms() + HELLO_MS;
			/* The HELLO may have come with the handshake's last bytes. */
			peer_pending_readable(d, i);
			return;
		}
	}
	qkdd_log("peer %s: too many connections without HELLO, closed", c->addr);
	tls_close(c);
}

/* NACK(0, reason) to a connection that serves no link, then closes it. */
static void refuse(struct qkdd *d, unsigned int i, const char *reason)
{
	struct tls_conn *c = d->pending[i];
	struct msg m = { .type = MSG_NACK };

	qkdd_log("peer %s (%s): refused: %s", c->addr, c->peer_cn, reason);
	snprintf(m.reason, sizeof(m.reason), "%s", reason);
	tls_send(c, &m);
	tls_close(c);
	d->pending[i] = NULL;
}

/* The slave's side of HELLO, on a connection not yet bound to a link. */
static void slave_hello(struct qkdd *d, unsigned int i, const struct msg *m)
{
	struct tls_conn *c = d->pending[i];
	struct link *l = NULL;
	char why[640];
	const char *bad;
	struct msg reply;
	unsigned int k;

	if (m->type != MSG_HELLO) {
		refuse(d, i, "expected HELLO");
		return;
	}
	for (k = 0; k < d->n_links; k++)
		if (!strcmp(d->links[k].name, m->link))
			l = &d->links[k];
	if (!l || l->conf->role != QKDD_SLAVE) {
		snprintf(why, sizeof(why), "no slave link %s here", m->link);
		refuse(d, i, why);
		return;
	}
	if (strcmp(c->peer_cn, l->conf->peer_name)) {
		snprintf(why, sizeof(why),
			 "link %s: certificate CN \"%s\" is not peer-name \"%s\"",
			 l->name, c->peer_cn, l->conf->peer_name);
		refuse(d, i, why);
		return;
	}
	bad = hello_mismatch(l, m);
	if (bad) {
		snprintf(why, sizeof(why), "link %s: %s", l->name, bad);
		refuse(d, i, why);
		return;
	}
	if (l->conn)
		peer_drop(l, "the master connected again");
	d->pending[i] = NULL;
	l->conn = c;
	if (hello_fill(l, &reply)) {
		peer_drop(l, "cannot read the link for HELLO");
		return;
	}
	if (peer_send(l, &reply))
		return;
	hello_decide(l, m);
	/* Last: it reads into rx, which @m may be. */
	if (l->conn == c)
		peer_readable(l);
}

void peer_pending_readable(struct qkdd *d, unsigned int i)
{
	struct tls_conn *c = d->pending[i];
	struct msg *m = &rx;
	int ret;

	ret = tls_recv(c, m);
	if (ret == -EAGAIN)
		return;
	if (ret) {
		qkdd_log("peer %s: closed before HELLO: %s", c->addr,
			 ret == -EBADMSG ? "malformed message" : strerror(-ret));
		tls_close(c);
		d->pending[i] = NULL;
	} else {
		slave_hello(d, i, m);
	}
}

void peer_pending_tick(struct qkdd *d, int64_t now)
{
	unsigned int i;

	for (i = 0; i < QKDD_MAX_PENDING; i++) {
		if (d->pending[i] && now >= d->pending_deadline[i]) {
			qkdd_log("peer %s: no HELLO in time, closed", d->pending[i]->addr);
			tls_close(d->pending[i]);
			d->pending[i] = NULL;
		}
	}
}
