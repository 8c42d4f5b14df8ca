/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys of the configuration file and the values each takes: tables,
 * and one parser for all of them that says what is wrong in words.
 */
#ifndef QKDD_OPTIONS_H
#define QKDD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "qkdd.h"

enum opt_kind {
	O_ADDR,		/* kernel: an IPv4 or IPv6 address */
	O_NUM,		/* kernel: a decimal number of the member's width */
	O_ENUM,		/* kernel: a word of libqkd's tables */
	O_SAE,		/* kernel: an SAE ID */
	O_PATH,		/* a file we must be able to read */
	O_URL,		/* the KME's https:// URL */
	O_ROLE,		/* master or slave */
	O_HOSTPORT,	/* HOST:PORT */
	O_CN,		/* a certificate common name */
	O_IFNAME,	/* a network interface's name */
	O_SCI,		/* a MACsec SCI: 16 hex digits */
	O_MAC,		/* a MAC address, six hex bytes with ':' */
	O_ONOFF,	/* on or off */
};

struct opt {
	const char *word;
	enum opt_kind kind;
	int type;		/* QKD_A_* for kernel settings, else 0 */
	size_t off;		/* in struct qkdd_link_conf, qkdd_conf or
				 * qkdd_macsec_conf */
	size_t size;
	bool suffix;		/* K, M, G accepted */
	int (*parse)(const char *s);
};

/* [qkdd], in this order. */
enum { G_LISTEN, G_CERT, G_KEY, G_CA, G_COUNT };
extern const struct opt global_opts[];
extern const size_t n_global_opts;
/* [link NAME] */
#define LINK_OPTS_MAX 32
extern const struct opt link_opts[];
extern const size_t n_link_opts;

/* [macsec NAME], in this order. */
enum {
	M_INTERFACE, M_LOWER, M_PORT, M_PEER_SCI, M_PEER_MAC, M_PEER_PORT,
	M_CIPHER, M_REKEY_TIME, M_PN_THRESHOLD, M_REPLAY_PROTECT,
	M_REPLAY_WINDOW, M_ON_EMPTY, M_COUNT
};
extern const struct opt macsec_opts[];
extern const size_t n_macsec_opts;

/* The option called @word in @opts, and its index; or NULL. */
const struct opt *option_find(const struct opt *opts, size_t n,
			      const char *word, size_t *idx);

/*
 * Parses @val into @base (a struct qkdd_conf for [qkdd], a struct
 * qkdd_link_conf for [link], a struct qkdd_macsec_conf for [macsec]; @kl
 * the link's kernel settings, where the present bit is set, or NULL). Returns 0, or -EINVAL with @why saying what is wrong.
 */
int option_set(const struct opt *o, void *base, struct qkd_link *kl,
	       const char *val, char *why, size_t n);

#endif /* QKDD_OPTIONS_H */
