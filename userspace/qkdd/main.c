// SPDX-License-Identifier: GPL-2.0
/*
 * qkdd: fetches QKD keys from each link's KME (ETSI GS QKD 014) and pushes
 * them into qkd.ko, in step with the peer gateway's qkdd.
 *
 *   qkdd -c FILE                  run
 *   qkdd -c FILE --check-config   check the file, print nothing if it is good
 *
 * One thread: a poll() loop over the signal descriptor, the module's event
 * socket, the peer listener and connections, ticking every 250 ms for the
 * timers (backoffs, time limits). The slave's listener and the TLS
 * handshakes of the connections it accepts are stepped by the loop and
 * never block it (handshake.c), nor do calls to the KME: the loop waits
 * on their sockets and timers too (kme.c), so a KME that hangs holds up
 * no peer message and no other link. A master's connect to its slave
 * (TCP and TLS) blocks, for at most its time limit (10 s): a master
 * connects only to the slave it is configured with, and backs off while
 * that fails; phase 1 accepts that, with a handful of links per gateway.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon.h"

#define TICK_MS 250

void qkdd_log(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "qkdd: %s\n", buf);
}

int64_t qkdd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdd -c FILE [--check-config]\n"
		"       qkdd -h\n"
		"Fetches QKD keys from each link's KME (ETSI GS QKD 014) and pushes\n"
		"them into qkd.ko, in step with the peer gateway's qkdd. Runs in the\n"
		"gateway's network namespace, as root, until SIGTERM, SIGINT or SIGHUP.\n"
		"  -c, --config FILE   the configuration (see qkdd.conf.example)\n"
		"      --check-config  check FILE and exit: 0 if good, 1 if not\n");
}

static struct link *find_link(struct qkdd *d, const char *name)
{
	unsigned int i;

	for (i = 0; i < d->n_links; i++)
		if (!strcmp(d->links[i].name, name))
			return &d->links[i];
	return NULL;
}

/* Reads every event waiting; a pool at low water asks for a refill. */
static int read_events(struct qkdd *d)
{
	struct qkd_event ev;
	struct link *l;
	unsigned int i;
	int ret;

	for (;;) {
		ret = qkd_event_recv(d->ev, &ev, 0);
		if (ret == -ETIMEDOUT)
			return 0;
		if (ret == -ENOBUFS) {
			qkdd_log("module events lost (receive buffer overran); checking every link");
			for (i = 0; i < d->n_links; i++)
				batch_low(&d->links[i]);
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret == -EBADMSG || ret == -EMSGSIZE) {
			qkdd_log("module events: %s, skipped", strerror(-ret));
			continue;
		}
		if (ret) {
			qkdd_log("module events: %s", strerror(-ret));
			return ret;
		}
		if (ev.cmd != QKD_CMD_EVENT_LOW_WATER && ev.cmd != QKD_CMD_EVENT_EMPTY)
			continue;
		l = find_link(d, ev.link);
		if (!l)
			continue;
		link_log(l, "pool %s %s (%u keys)", qkd_dir_name(ev.dir) ?: "?",
			 qkd_event_name(ev.cmd), ev.count);
		batch_low(l);
	}
}

static int setup_links(struct qkdd *d)
{
	const struct qkdd_conf *conf = d->conf;
	int64_t now = qkdd_now_ms();
	unsigned int i;
	bool has_keys;
	int ret;

	d->links = calloc(conf->n_links, sizeof(*d->links));
	if (!d->links) {
		qkdd_log("cannot set up the links: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	d->n_links = conf->n_links;
	for (i = 0; i < conf->n_links; i++) {
		const struct qkdd_link_conf *lc = &conf->links[i];
		struct link *l = &d->links[i];

		l->d = d;
		l->conf = lc;
		l->name = lc->kl.name;
		l->kme.name = l->name;
		l->kme.url = lc->kme;
		l->kme.cert = lc->kme_cert;
		l->kme.key = lc->kme_key;
		l->kme.ca = lc->kme_ca;
		l->kme.done = batch_kme_done;
		l->kme.owner = l;
		l->need_refill = true;
		l->connect_at = now;
		l->retry_at = now;
		ret = idring_init(&l->ids, 2 * (size_t)lc->kl.capacity);
		if (ret) {
			link_log(l, "cannot set up its key ID ring: %s", strerror(-ret));
			return ret;
		}
		ret = module_setup(d->nl, lc, &has_keys);
		if (ret)
			return ret;
		/* Keys from before we started: the HELLO checks them with the peer. */
		link_log(l, "%s, %s %s:%s%s", lc->role == QKDD_MASTER ? "master" : "slave",
			 lc->role == QKDD_MASTER ? "peer" : "listening on",
			 lc->role == QKDD_MASTER ? lc->peer.host : conf->listen.host,
			 lc->role == QKDD_MASTER ? lc->peer.port : conf->listen.port,
			 has_keys ? ", pools hold keys from before" : "");
	}
	return 0;
}

static int start(struct qkdd *d)
{
	const struct qkdd_conf *conf = d->conf;
	bool slave = false;
	unsigned int i;
	int ret;

	ret = kme_global_init();
	if (ret) {
		qkdd_log("cannot initialise libcurl");
		return ret;
	}
	ret = qkd_nl_open(&d->nl);
	if (!ret)
		ret = qkd_nl_open(&d->ev);
	if (ret) {
		qkdd_log("netlink: %s", qkd_nl_strerror(ret));
		return ret;
	}
	ret = qkd_nl_subscribe(d->ev);
	if (ret) {
		qkdd_log("cannot subscribe to the module's events: %s", strerror(-ret));
		return ret;
	}
	ret = setup_links(d);
	if (ret)
		return ret;
	d->tls = tls_ctx_new(conf->cert, conf->key, conf->ca);
	if (!d->tls)
		return -EINVAL;
	for (i = 0; i < d->n_links; i++)
		slave |= d->links[i].conf->role == QKDD_SLAVE;
	if (slave) {
		d->hs.listen_fd = tls_listen(&conf->listen);
		if (d->hs.listen_fd < 0)
			return d->hs.listen_fd;
	}
	return 0;
}

static void stop(struct qkdd *d)
{
	unsigned int i;

	handshake_close_all(&d->hs);
	for (i = 0; i < QKDD_MAX_PENDING; i++)
		tls_close(d->pending[i]);
	for (i = 0; i < d->n_links; i++) {
		struct link *l = &d->links[i];

		tls_close(l->conn);
		batch_free(l);
		kme_close(&l->kme);
		idring_free(&l->ids);
	}
	free(d->links);
	if (d->hs.listen_fd >= 0)
		close(d->hs.listen_fd);
	SSL_CTX_free(d->tls);
	if (d->ev)
		qkd_nl_close(d->ev);
	if (d->nl)
		qkd_nl_close(d->nl);
	kme_global_cleanup();
}

/* What each pollfd stands for. */
enum { P_SIGNAL, P_EVENTS, P_HANDSHAKE, P_PENDING, P_LINK, P_KME };

/* Room for the KME requests' sockets: a link has one request at a time. */
#define KME_FDS(n_links) (2 * (n_links) + 2)

static int loop(struct qkdd *d, int sfd)
{
	unsigned int max = 3 + HANDSHAKE_MAX + QKDD_MAX_PENDING + d->n_links +
			   KME_FDS(d->n_links), n, i, k;
	int timeout;
	struct pollfd *pfd = calloc(max, sizeof(*pfd));
	unsigned int *what = calloc(max, sizeof(*what));
	unsigned int *idx = calloc(max, sizeof(*idx));
	int ret = 0;

	if (!pfd || !what || !idx) {
		ret = -ENOMEM;
		qkdd_log("cannot set up the event loop: %s", strerror(-ret));
		goto out;
	}
	for (;;) {
		int64_t now = qkdd_now_ms();

		handshake_tick(&d->hs, now);
		peer_pending_tick(d, now);
		for (i = 0; i < d->n_links; i++)
			peer_tick(&d->links[i], now);

		n = 0;
		pfd[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		what[n++] = P_SIGNAL;
		pfd[n] = (struct pollfd){ .fd = qkd_nl_fd(d->ev), .events = POLLIN };
		what[n++] = P_EVENTS;
		k = handshake_pollfds(&d->hs, pfd + n, idx + n, now);
		while (k--)
			what[n++] = P_HANDSHAKE;
		for (i = 0; i < QKDD_MAX_PENDING; i++) {
			if (!d->pending[i])
				continue;
			pfd[n] = (struct pollfd){ .fd = d->pending[i]->fd, .events = POLLIN };
			idx[n] = i;
			what[n++] = P_PENDING;
		}
		for (i = 0; i < d->n_links; i++) {
			if (!d->links[i].conn)
				continue;
			pfd[n] = (struct pollfd){ .fd = d->links[i].conn->fd, .events = POLLIN };
			idx[n] = i;
			what[n++] = P_LINK;
		}
		timeout = TICK_MS;
		k = kme_pollfds(pfd + n, KME_FDS(d->n_links), &timeout);
		while (k--)
			what[n++] = P_KME;
		ret = poll(pfd, n, timeout);
		if (ret < 0 && errno != EINTR) {
			ret = -errno;
			qkdd_log("poll: %s", strerror(-ret));
			goto out;
		}
		for (i = 0; ret > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			switch (what[i]) {
			case P_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					qkdd_log("%s, exiting", strsignal(si.ssi_signo));
					ret = 0;
					goto out;
				}
				break;
			}
			case P_EVENTS:
				if (read_events(d)) {
					ret = -EIO;
					goto out;
				}
				break;
			case P_HANDSHAKE:
				handshake_ready(d, idx[i], pfd[i].fd);
				break;
			case P_PENDING:
				/* Bound to a link by an earlier entry, or closed: skip. */
				if (d->pending[idx[i]] && d->pending[idx[i]]->fd == pfd[i].fd)
					peer_pending_readable(d, idx[i]);
				break;
			case P_LINK:
				if (d->links[idx[i]].conn &&
				    d->links[idx[i]].conn->fd == pfd[i].fd)
					peer_readable(&d->links[idx[i]]);
				break;
			case P_KME:
				break;	/* kme_run() below */
			}
		}
		/* Every time round: curl keeps its own time limits. */
		kme_run();
	}
out:
	free(pfd);
	free(what);
	free(idx);
	return ret;
}

/*
 * Key material passes through this process: keep it out of core dumps,
 * out of /proc/PID/mem for other users, and out of swap.
 */
static int protect_memory(void)
{
	static const struct rlimit no_core = { 0, 0 };
	int err;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || setrlimit(RLIMIT_CORE, &no_core)) {
		err = errno;
		qkdd_log("cannot turn off core dumps: %s", strerror(err));
		return -err;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		err = errno;
		if (err != ENOMEM && err != EPERM) {
			qkdd_log("cannot lock memory: %s", strerror(err));
			return -err;
		}
		qkdd_log("warning: cannot lock memory (%s); key material may be swapped out",
			 strerror(err));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct qkdd d = { .hs.listen_fd = -1 };
	struct qkdd_conf conf;
	const char *path = NULL;
	bool check = false;
	sigset_t mask;
	int c, sfd, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt == 'c')
				fprintf(stderr, "qkdd: missing value for -c\n");
			else if (optopt)
				fprintf(stderr, "qkdd: unknown option -%c\n", optopt);
			else
				fprintf(stderr, "qkdd: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "qkdd: unexpected \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!path) {
		fprintf(stderr, "qkdd: missing -c FILE\n");
		usage(stderr);
		return 2;
	}

	ret = config_load(path, &conf, stderr);
	if (ret || check) {
		config_free(&conf);
		return ret ? 1 : 0;
	}

	if (protect_memory()) {
		config_free(&conf);
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	sfd = sigprocmask(SIG_BLOCK, &mask, NULL) ? -1 :
	      signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		qkdd_log("signals: %s", strerror(errno));
		config_free(&conf);
		return 1;
	}
	d.conf = &conf;
	ret = start(&d);
	if (!ret) {
		qkdd_log("running, %u link%s", d.n_links, d.n_links == 1 ? "" : "s");
		ret = loop(&d, sfd);
	}
	stop(&d);
	close(sfd);
	config_free(&conf);
	return ret ? 1 : 0;
}
