// SPDX-License-Identifier: GPL-2.0
/*
 * What each key of the configuration file takes. The kernel settings use
 * the words of "qkdctl link add" and its parsers (libqkd's parse.c); the
 * whole-link checks are config.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>

#include "macsec_key.h"
#include "options.h"
#include "parse.h"

#define LMEMBER(m) .off = offsetof(struct qkdd_link_conf, m), \
		   .size = sizeof(((struct qkdd_link_conf *)0)->m)
#define KMEMBER(m) .off = offsetof(struct qkdd_link_conf, kl.m), \
		   .size = sizeof(((struct qkdd_link_conf *)0)->kl.m)
#define GMEMBER(m) .off = offsetof(struct qkdd_conf, m), \
		   .size = sizeof(((struct qkdd_conf *)0)->m)

const struct opt global_opts[] = {
	{ "listen", O_HOSTPORT, 0, GMEMBER(listen) },
	{ "cert", O_PATH, 0, GMEMBER(cert) },
	{ "key", O_PATH, 0, GMEMBER(key) },
	{ "ca", O_PATH, 0, GMEMBER(ca) },
};

const struct opt link_opts[] = {
	{ "sae", O_SAE, QKD_A_LINK_LOCAL_SAE, KMEMBER(local_sae) },
	{ "peer-sae", O_SAE, QKD_A_LINK_PEER_SAE, KMEMBER(peer_sae) },
	{ "role", O_ROLE, 0, LMEMBER(role) },
	{ "peer", O_HOSTPORT, 0, LMEMBER(peer) },
	{ "peer-name", O_CN, 0, LMEMBER(peer_name) },
	{ "kme", O_URL, 0, LMEMBER(kme) },
	{ "kme-cert", O_PATH, 0, LMEMBER(kme_cert) },
	{ "kme-key", O_PATH, 0, LMEMBER(kme_key) },
	{ "kme-ca", O_PATH, 0, LMEMBER(kme_ca) },
	{ "local-addr", O_ADDR, QKD_A_LINK_LOCAL_ADDR, KMEMBER(local_addr) },
	{ "peer-addr", O_ADDR, QKD_A_LINK_PEER_ADDR, KMEMBER(peer_addr) },
	{ "reqid", O_NUM, QKD_A_LINK_REQID, KMEMBER(reqid) },
	{ "if-id", O_NUM, QKD_A_LINK_IF_ID, KMEMBER(if_id) },
	{ "mode", O_ENUM, QKD_A_LINK_MODE, KMEMBER(mode), .parse = qkd_mode_parse },
	{ "cipher", O_ENUM, QKD_A_LINK_CIPHER, KMEMBER(cipher),
	  .parse = qkd_cipher_parse },
	{ "key-bits", O_NUM, QKD_A_LINK_KEY_BITS, KMEMBER(key_bits) },
	{ "capacity", O_NUM, QKD_A_LINK_CAPACITY, KMEMBER(capacity) },
	{ "low-water", O_NUM, QKD_A_LINK_LOW_WATER, KMEMBER(low_water) },
	{ "rekey-time", O_NUM, QKD_A_LINK_REKEY_TIME, KMEMBER(rekey_time) },
	{ "rekey-bytes", O_NUM, QKD_A_LINK_REKEY_BYTES, KMEMBER(rekey_bytes),
	  .suffix = true },
	{ "rekey-packets", O_NUM, QKD_A_LINK_REKEY_PACKETS, KMEMBER(rekey_packets) },
	{ "on-empty", O_ENUM, QKD_A_LINK_ON_EMPTY, KMEMBER(on_empty),
	  .parse = qkd_on_empty_parse },
	{ "max-key-age", O_NUM, QKD_A_LINK_MAX_KEY_AGE, KMEMBER(max_key_age) },
	{ "consumer", O_ENUM, QKD_A_LINK_CONSUMER, KMEMBER(consumer),
	  .parse = qkd_consumer_parse },
	{ "rx-window", O_NUM, QKD_A_LINK_RX_WINDOW, KMEMBER(rx_window) },
};

#define MMEMBER(m) .off = offsetof(struct qkdd_macsec_conf, m), \
		   .size = sizeof(((struct qkdd_macsec_conf *)0)->m)

/* In the order of enum M_*. */
const struct opt macsec_opts[] = {
	{ "interface", O_IFNAME, 0, MMEMBER(ifname) },
	{ "lower", O_IFNAME, 0, MMEMBER(lower) },
	{ "port", O_NUM, 0, MMEMBER(port) },
	{ "peer-sci", O_SCI, 0, MMEMBER(peer_sci) },
	{ "peer-mac", O_MAC, 0, MMEMBER(peer_mac) },
	{ "peer-port", O_NUM, 0, MMEMBER(peer_port) },
	{ "cipher", O_ENUM, 0, MMEMBER(cipher), .parse = macsec_cipher_parse },
	{ "rekey-time", O_NUM, 0, MMEMBER(rekey_time) },
	{ "pn-threshold", O_NUM, 0, MMEMBER(pn_threshold) },
	{ "replay-protect", O_ONOFF, 0, MMEMBER(replay_protect) },
	{ "replay-window", O_NUM, 0, MMEMBER(replay_window) },
	{ "on-empty", O_ENUM, 0, MMEMBER(on_empty), .parse = qkd_on_empty_parse },
};

_Static_assert(ARRAY_SIZE(macsec_opts) == M_COUNT, "macsec_opts follows enum M_*");

const size_t n_macsec_opts = ARRAY_SIZE(macsec_opts);
const size_t n_global_opts = ARRAY_SIZE(global_opts);
const size_t n_link_opts = ARRAY_SIZE(link_opts);

static int __printf(3, 4) bad(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* HOST:PORT, HOST a name or an IPv4 address or [IPv6]. */
static int parse_hostport(const char *s, struct qkdd_hostport *hp)
{
	const char *colon = strrchr(s, ':');
	size_t hlen;
	uint64_t port;

	if (!colon || parse_uint(colon + 1, 65535, false, &port) || !port)
		return -EINVAL;
	hlen = colon - s;
	if (hlen && s[0] == '[') {
		if (hlen < 3 || s[hlen - 1] != ']')
			return -EINVAL;
		s++;
		hlen -= 2;
	} else if (memchr(s, ':', hlen) || memchr(s, ']', hlen)) {
		return -EINVAL;		/* IPv6 without brackets */
	}
	if (!hlen || hlen > QKDD_HOST_MAX)
		return -EINVAL;
	memcpy(hp->host, s, hlen);
	hp->host[hlen] = '\0';
	snprintf(hp->port, sizeof(hp->port), "%u", (unsigned int)port);
	return 0;
}

/* An https URL as curl reads it, its trailing slashes cut. */
static int parse_url(const char *s, char *dst, size_t size)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	size_t n = strlen(s);
	int ret = -EINVAL;

	if (!u)
		return -ENOMEM;
	if (n < size && !curl_url_set(u, CURLUPART_URL, s, 0) &&
	    !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	    !strcmp(scheme, "https") && !strchr(s, '?') && !strchr(s, '#')) {
		while (n && s[n - 1] == '/')
			n--;
		memcpy(dst, s, n);
		dst[n] = '\0';
		ret = 0;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	return ret;
}

/* A name the kernel would take for an interface (dev_valid_name()). */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n <= QKDD_IFNAME_MAX && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/: \t\n");
}

static int hex_digits(const char *s, size_t digits, uint64_t *v)
{
	size_t i;

	if (strlen(s) != digits)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < digits; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -EINVAL;
		*v = *v << 4 | d;
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	char byte[3] = "";
	uint64_t v;
	int i;

	if (strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (i < 5 && s[3 * i + 2] != ':')
			return -EINVAL;
		memcpy(byte, s + 3 * i, 2);
		if (hex_digits(byte, 2, &v))
			return -EINVAL;
		mac[i] = v;
	}
	return 0;
}

int option_set(const struct opt *o, void *base, struct qkd_link *kl,
	       const char *val, char *why, size_t n)
{
	void *p = (char *)base + o->off;
	const char *w = o->word;
	uint8_t addr[16];
	uint64_t max, v;
	int family, ret;

	switch (o->kind) {
	case O_SAE:
	case O_CN:
	case O_PATH:
		if (strlen(val) >= o->size)
			return bad(why, n, "%s is too long (at most %zu characters)",
				   w, o->size - 1);
		if (o->kind == O_PATH && access(val, R_OK))
			return bad(why, n, "cannot read %s %s: %s", w, val, strerror(errno));
		strcpy(p, val);
		break;
	case O_URL:
		if (parse_url(val, p, o->size))
			return bad(why, n, "invalid %s \"%s\" (expected https://HOST:PORT)",
				   w, val);
		break;
	case O_ROLE:
		if (strcmp(val, "master") && strcmp(val, "slave"))
			return bad(why, n, "invalid role \"%s\" (master or slave)", val);
		*(enum qkdd_role *)p = strcmp(val, "master") ? QKDD_SLAVE : QKDD_MASTER;
		break;
	case O_HOSTPORT:
		if (parse_hostport(val, p))
			return bad(why, n,
				   "invalid %s \"%s\" (expected HOST:PORT, [IPv6]:PORT)",
				   w, val);
		break;
	case O_ADDR:
		if (parse_addr(val, &family, addr))
			return bad(why, n, "invalid %s \"%s\" (not an IPv4 or IPv6 address)",
				   w, val);
		if (kl->family && kl->family != family)
			return bad(why, n,
				   "local-addr and peer-addr must both be IPv4 or both IPv6");
		kl->family = family;
		memcpy(p, addr, sizeof(addr));
		break;
	case O_IFNAME:
		if (!ifname_ok(val))
			return bad(why, n,
				   "invalid %s \"%s\" (an interface name: 1 to %d characters, no '/', ':' or blank)",
				   w, val, QKDD_IFNAME_MAX);
		strcpy(p, val);
		break;
	case O_SCI:
		if (hex_digits(val, 16, &v))
			return bad(why, n,
				   "invalid %s \"%s\" (expected 16 hex digits: the MAC address, then the port)",
				   w, val);
		*(uint64_t *)p = v;
		break;
	case O_MAC:
		if (parse_mac(val, p))
			return bad(why, n, "invalid %s \"%s\" (expected a MAC address, 02:00:00:00:00:01)",
				   w, val);
		break;
	case O_ONOFF:
		if (strcmp(val, "on") && strcmp(val, "off"))
			return bad(why, n, "invalid %s \"%s\" (on or off)", w, val);
		*(bool *)p = !strcmp(val, "on");
		break;
	case O_ENUM:
		ret = o->parse(val);
		if (ret < 0)
			return bad(why, n, "unknown %s \"%s\"", w, val);
		store_uint(p, o->size, ret);
		break;
	case O_NUM:
		max = o->size == 8 ? UINT64_MAX : (1ULL << (8 * o->size)) - 1;
		ret = parse_uint(val, max, o->suffix, &v);
		if (ret == -ERANGE)
			return bad(why, n, "%s \"%s\" is out of range (at most %llu)",
				   w, val, (unsigned long long)max);
		if (ret)
			return bad(why, n, "invalid %s \"%s\" (not a decimal number%s)",
				   w, val, o->suffix ? " with an optional K, M or G" : "");
		store_uint(p, o->size, v);
		break;
	}
	if (o->type && kl)
		qkd_link_mark(kl, o->type);
	return 0;
}

const struct opt *option_find(const struct opt *opts, size_t n,
			      const char *word, size_t *idx)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(opts[i].word, word)) {
			*idx = i;
			return &opts[i];
		}
	}
	return NULL;
}

