/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qkdd, the QuantumNet helper daemon: what its files share.
 *
 *   config.c   the INI configuration file: sections, lines, whole-link checks
 *   options.c  the keys of the file and the values each takes
 *   etsi014.c  ETSI GS QKD 014 answers: strict, pure validators
 *   kme.c      the ETSI 014 client (libcurl, mutual TLS)
 *   module.c   the kernel side: links, pool counts, key pushes, flushes
 *   refill.c   how many keys a link needs, and their directions
 *   fetch.c    the master's keys from its KME: sizes, fallback, backoff
 *   msg.c      the peer protocol's messages: encoding and decoding
 *   tls.c      the peer channel: mutual TLS sockets and framing
 *   peer.c     the connection to the peer qkdd and its HELLO
 *   batch.c    the key-ID sync protocol of one batch
 *   macsec_key.c  MACsec's cipher suites and key schedule
 *   macsec.c   programming MACsec: the interface, its SAs, their state
 *   main.c     options, signals and the event loop
 *
 * Functions return 0 or a negative errno; what went wrong is logged once,
 * where it is best known. Key material is never logged, and every buffer
 * that held it is wiped (explicit_bzero) on every path.
 */
#ifndef QKDD_H
#define QKDD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "libqkd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Host names and ports as the config file gives them. */
#define QKDD_HOST_MAX	255
#define QKDD_PORT_MAX	5		/* "65535" */
/* The expected common name of the peer qkdd's certificate. */
#define QKDD_CN_MAX	255
#define QKDD_URL_MAX	1024
/* A network interface's name: IFNAMSIZ - 1. */
#define QKDD_IFNAME_MAX	15

enum qkdd_role {
	QKDD_MASTER,		/* calls enc_keys, drives the batches */
	QKDD_SLAVE,		/* calls dec_keys, answers */
};

struct qkdd_hostport {
	char host[QKDD_HOST_MAX + 1];
	char port[QKDD_PORT_MAX + 1];
};

/* One [link NAME] section. */
struct qkdd_link_conf {
	struct qkd_link kl;		/* kernel settings, name and SAE IDs */
	char kme[QKDD_URL_MAX + 1];	/* https://HOST:PORT[/PATH], no '/' at the end */
	char kme_cert[PATH_MAX];
	char kme_key[PATH_MAX];
	char kme_ca[PATH_MAX];
	enum qkdd_role role;
	struct qkdd_hostport peer;	/* master: the slave's listen address */
	char peer_name[QKDD_CN_MAX + 1];	/* peer certificate's CN */
	int line;			/* of the section header */
};

/* One [macsec NAME] section: MACsec keyed from link NAME's pools. */
struct qkdd_macsec_conf {
	char link[QKD_LINK_NAME_MAX + 1];
	char ifname[QKDD_IFNAME_MAX + 1];	/* "" when only lower is given */
	char lower[QKDD_IFNAME_MAX + 1];	/* "" when the interface exists */
	uint16_t port;			/* our SC's port */
	bool has_peer_sci;
	uint64_t peer_sci;		/* host order, as ip macsec prints it */
	bool has_peer_mac;
	uint8_t peer_mac[6];
	uint16_t peer_port;		/* with peer_mac */
	uint8_t cipher;			/* enum qkdd_macsec_cipher */
	uint32_t rekey_time;		/* seconds, 0: never by time */
	uint64_t pn_threshold;		/* rotate once the next PN reaches it */
	bool replay_protect;
	uint32_t replay_window;
	uint8_t on_empty;		/* enum qkd_on_empty */
	int line;			/* of the section header */
};

/* The whole file. */
struct qkdd_conf {
	char path[PATH_MAX];
	bool has_listen;
	struct qkdd_hostport listen;
	char cert[PATH_MAX];
	char key[PATH_MAX];
	char ca[PATH_MAX];
	struct qkdd_link_conf *links;
	unsigned int n_links;
	struct qkdd_macsec_conf *macsecs;
	unsigned int n_macsecs;
};

/* config.c */

/*
 * Reads and checks the configuration from @f (named @name in messages).
 * Every problem is printed to @errf as one line
 * "qkdd: NAME:LINE: what is wrong". Returns 0, -EINVAL when something was
 * printed, or another -errno. @conf is freed with config_free() either way.
 */
int config_parse(FILE *f, const char *name, struct qkdd_conf *conf, FILE *errf);
/* The same from a file; a file that cannot be opened is one line too. */
int config_load(const char *path, struct qkdd_conf *conf, FILE *errf);
void config_free(struct qkdd_conf *conf);

/* main.c: one line to stderr, "qkdd: ...". */
void qkdd_log(const char *fmt, ...) __printf(1, 2);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t qkdd_now_ms(void);

#endif /* QKDD_H */
