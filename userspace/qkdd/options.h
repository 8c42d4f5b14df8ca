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
};

struct opt {
	const char *word;
	enum opt_kind kind;
	int type;		/* QKD_A_* for kernel settings, else 0 */
	size_t off;		/* in struct qkdd_link_conf or qkdd_conf */
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

/* The option called @word in @opts, and its index; or NULL. */
const struct opt *option_find(const struct opt *opts, size_t n,
			      const char *word, size_t *idx);

/*
 * Parses @val into @base (a struct qkdd_conf for [qkdd], a struct
 * qkdd_link_conf for [link]; @kl its kernel settings, where the present
 * bit is set). Returns 0, or -EINVAL with @why saying what is wrong.
 */
int option_set(const struct opt *o, void *base, struct qkd_link *kl,
	       const char *val, char *why, size_t n);

#endif /* QKDD_OPTIONS_H */
