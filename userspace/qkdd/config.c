// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration file: INI, read with libinih.
 *
 *   [qkdd]              listen, cert, key, ca
 *   [link NAME]         the link's kernel settings (the words of
 *                       "qkdctl link add"), its KME, its role and its peer
 *   [macsec NAME]       MACsec keyed from link NAME's pools: the interface,
 *                       the peer's SCI, the cipher suite and rotation
 *
 * Every problem is one line "qkdd: FILE:LINE: ...". The checks go as far
 * as this side can judge a value (ranges from the UAPI header, files that
 * can be read, URLs curl accepts), so that --check-config catches what
 * would otherwise only show at start-up; the module has the last word.
 *
 * Debian's libinih passes no line numbers to the handler, so the file is
 * fed to it line by line through our own reader, which counts lines and
 * notes section headers (an empty section never reaches the handler) and
 * lines that reached no handler (syntax errors, which libinih reports
 * only once, as the first error's line).
 */
#include <errno.h>
#include <ini.h>
#include <net/if.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "macsec_key.h"
#include "parse.h"
#include "options.h"
#include "qkdd.h"

/* Options every link needs, by their index in link_opts. */
static const char *const link_required[] = {
	"sae", "peer-sae", "role", "kme", "kme-cert", "kme-key", "kme-ca",
};

#define MAX_OPTS ARRAY_SIZE(link_opts)

enum section { SEC_NONE, SEC_QKDD, SEC_LINK, SEC_MACSEC, SEC_BAD };

struct ctx {
	struct qkdd_conf *conf;
	const char *name;
	FILE *in;
	FILE *errf;
	int line;		/* the line handed to libinih last */
	int errors;
	int err_line;		/* the last line an error was printed for */
	bool line_needs_handler;	/* a NAME = VALUE line, not yet handled */
	bool line_handled;
	enum section sec;
	int sec_line;
	int qkdd_line;		/* of [qkdd], 0 when none */
	struct qkdd_link_conf *link;	/* of the current [link NAME] */
	struct qkdd_macsec_conf *macsec;	/* of the current [macsec NAME] */
	int seen[LINK_OPTS_MAX];	/* line of each option of this section, 0 if none */
	int (*mseen)[M_COUNT];	/* the same for each [macsec], by its index */
	int gseen[G_COUNT];	/* the same for [qkdd] */
};

static void __printf(3, 4) error_at(struct ctx *c, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->errf, "qkdd: %s:%d: ", c->name, line);
	va_start(ap, fmt);
	vfprintf(c->errf, fmt, ap);
	va_end(ap);
	fputc('\n', c->errf);
	c->errors++;
	c->err_line = line;
}

/* A mistake of the file as a whole, with no line to point at. */
static void __printf(2, 3) error_file(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->errf, "qkdd: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(c->errf, fmt, ap);
	va_end(ap);
	fputc('\n', c->errf);
	c->errors++;
}

static bool link_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > QKD_LINK_NAME_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789._-") == n;
}

/* Closes the current section: the checks of a whole [link NAME]. */
static void link_end(struct ctx *c);

/* A [macsec NAME] section: its defaults, checked at its end. */
static int macsec_begin(struct ctx *c, const char *name)
{
	struct qkdd_macsec_conf *m, *all;
	int (*seen)[M_COUNT];
	unsigned int i, n = c->conf->n_macsecs;

	for (i = 0; i < n; i++) {
		if (!strcmp(c->conf->macsecs[i].link, name)) {
			error_at(c, c->line, "duplicate macsec %s (first at line %d)",
				 name, c->conf->macsecs[i].line);
			return 0;
		}
	}
	all = realloc(c->conf->macsecs, (n + 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	c->conf->macsecs = all;
	seen = realloc(c->mseen, (n + 1) * sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	c->mseen = seen;
	memset(seen[n], 0, sizeof(seen[n]));
	m = &all[n];
	memset(m, 0, sizeof(*m));
	strcpy(m->link, name);
	m->port = 1;
	m->peer_port = 1;
	m->cipher = QKDD_MACSEC_GCM_AES_256;
	m->rekey_time = QKD_LINK_DEFAULT_REKEY_TIME;
	m->replay_protect = true;
	m->on_empty = QKD_ON_EMPTY_HOLD;
	m->line = c->line;
	c->conf->n_macsecs++;
	c->macsec = m;
	c->sec = SEC_MACSEC;
	return 0;
}

static int section_begin(struct ctx *c, const char *header)
{
	char buf[128], *word, *name, *extra, *save;
	struct qkdd_link_conf *l, *links;
	unsigned int i;

	memset(c->seen, 0, sizeof(c->seen));
	c->sec = SEC_BAD;
	c->sec_line = c->line;
	c->link = NULL;
	c->macsec = NULL;
	if (strlen(header) >= sizeof(buf)) {
		error_at(c, c->line, "section name too long");
		return 0;
	}
	strcpy(buf, header);
	word = strtok_r(buf, " \t", &save);
	name = word ? strtok_r(NULL, " \t", &save) : NULL;
	extra = name ? strtok_r(NULL, " \t", &save) : NULL;

	if (word && !strcmp(word, "qkdd") && !name) {
		if (c->qkdd_line) {
			error_at(c, c->line, "duplicate section [qkdd] (first at line %d)",
				 c->qkdd_line);
			return 0;
		}
		c->qkdd_line = c->line;
		c->sec = SEC_QKDD;
		return 0;
	}
	if (!word || (strcmp(word, "link") && strcmp(word, "macsec")) || extra) {
		error_at(c, c->line,
			 "unknown section [%s] (expected [qkdd], [link NAME] or [macsec NAME])",
			 header);
		return 0;
	}
	if (!name) {
		error_at(c, c->line, "missing link NAME in [%s NAME]", word);
		return 0;
	}
	if (!link_name_ok(name)) {
		error_at(c, c->line,
			 "invalid link name \"%s\" (1 to %d characters of A-Z a-z 0-9 . _ -)",
			 name, QKD_LINK_NAME_MAX);
		return 0;
	}
	if (!strcmp(word, "macsec"))
		return macsec_begin(c, name);
	for (i = 0; i < c->conf->n_links; i++) {
		if (!strcmp(c->conf->links[i].kl.name, name)) {
			error_at(c, c->line, "duplicate link %s (first at line %d)",
				 name, c->conf->links[i].line);
			return 0;
		}
	}
	links = realloc(c->conf->links, (c->conf->n_links + 1) * sizeof(*links));
	if (!links)
		return -ENOMEM;
	c->conf->links = links;
	l = &links[c->conf->n_links++];
	memset(l, 0, sizeof(*l));
	strcpy(l->kl.name, name);
	qkd_link_mark(&l->kl, QKD_A_LINK_NAME);
	l->line = c->line;
	c->link = l;
	c->sec = SEC_LINK;
	return 0;
}

static void macsec_end(struct ctx *c);

static void section_end(struct ctx *c)
{
	if (c->sec == SEC_LINK)
		link_end(c);
	else if (c->sec == SEC_MACSEC)
		macsec_end(c);
	c->sec = SEC_NONE;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct ctx *c = user;
	const struct opt *opts, *o;
	struct qkd_link *kl = NULL;
	const char *sec_word = "link";
	char why[PATH_MAX + 128];
	int *seen = c->seen;
	size_t n, i;
	void *base;

	(void)section;		/* the reader tracks sections, see above */
	c->line_handled = true;
	switch (c->sec) {
	case SEC_NONE:
		error_at(c, c->line, "%s outside a section", name);
		return 1;
	case SEC_BAD:
		return 1;	/* the header's error is enough */
	case SEC_QKDD:
		opts = global_opts;
		n = n_global_opts;
		base = c->conf;
		sec_word = "qkdd";
		break;
	case SEC_MACSEC:
		opts = macsec_opts;
		n = n_macsec_opts;
		base = c->macsec;
		sec_word = "macsec";
		seen = c->mseen[c->macsec - c->conf->macsecs];
		break;
	default:
		opts = link_opts;
		n = n_link_opts;
		base = c->link;
		kl = &c->link->kl;
		break;
	}
	o = option_find(opts, n, name, &i);
	if (!o) {
		error_at(c, c->line, "unknown key \"%s\" in [%s]", name, sec_word);
		return 1;
	}
	if (seen[i]) {
		error_at(c, c->line, "duplicate %s (first at line %d)", name, seen[i]);
		return 1;
	}
	seen[i] = c->line;
	if (c->sec == SEC_QKDD)
		c->gseen[i] = c->line;
	if (!*value)
		error_at(c, c->line, "missing value for %s", name);
	else if (option_set(o, base, kl, value, why, sizeof(why)))
		error_at(c, c->line, "%s", why);
	else if (c->sec == SEC_QKDD && i == G_LISTEN)
		c->conf->has_listen = true;
	return 1;
}

/* The line after the section header's '[', cut at its ']', or NULL. */
static char *header_name(char *line)
{
	char *p = line + strspn(line, " \t"), *end;

	if (*p != '[')
		return NULL;
	end = strchr(p, ']');
	if (!end)
		return NULL;
	*end = '\0';
	return p + 1;
}

/*
 * libinih's reader: one line, counted. A line that does not fit is an
 * error and ends the file, since libinih would read its rest as a line of
 * its own.
 */
static void check_line_handled(struct ctx *c)
{
	if (c->line_needs_handler && !c->line_handled && c->err_line != c->line)
		error_at(c, c->line, "syntax error (expected NAME = VALUE or [SECTION])");
	c->line_needs_handler = false;
}

static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	char copy[INI_MAX_LINE], *name, *p;
	size_t len;

	check_line_handled(c);
	if (!fgets(str, num, c->in))
		return NULL;
	c->line++;
	len = strlen(str);
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(c->in)) {
		error_at(c, c->line, "line too long (at most %d characters)", num - 3);
		return NULL;
	}
	p = str;
	/* libinih drops a UTF-8 byte order mark that starts the file. */
	if (c->line == 1 && !strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	p += strspn(p, " \t\r\n");
	c->line_needs_handler = *p && *p != ';' && *p != '#' && *p != '[';
	c->line_handled = false;
	if (*p == '[') {
		snprintf(copy, sizeof(copy), "%s", p);
		section_end(c);
		name = header_name(copy);
		if (!name) {
			c->sec = SEC_BAD;
			error_at(c, c->line, "syntax error (a section header needs a ']')");
		} else if (section_begin(c, name)) {
			return NULL;
		}
	}
	return str;
}

static unsigned int cipher_bits(uint8_t cipher)
{
	return cipher == QKD_CIPHER_AES_GCM_128 ? 128 : 256;
}

/* Gives every kernel setting the file left out its default. */
static void link_defaults(struct qkd_link *kl)
{
	static const struct {
		int type;
		size_t off, size;
		uint64_t v;
	} defs[] = {
#define DEF(t, m, v) { t, offsetof(struct qkd_link, m), \
		       sizeof(((struct qkd_link *)0)->m), v }
		DEF(QKD_A_LINK_REQID, reqid, 0),
		DEF(QKD_A_LINK_IF_ID, if_id, 0),
		DEF(QKD_A_LINK_MODE, mode, QKD_MODE_TUNNEL),
		DEF(QKD_A_LINK_CIPHER, cipher, QKD_CIPHER_AES_GCM_256),
		DEF(QKD_A_LINK_KEY_BITS, key_bits, QKD_LINK_DEFAULT_KEY_BITS),
		DEF(QKD_A_LINK_CAPACITY, capacity, QKD_LINK_DEFAULT_CAPACITY),
		DEF(QKD_A_LINK_REKEY_TIME, rekey_time, QKD_LINK_DEFAULT_REKEY_TIME),
		DEF(QKD_A_LINK_REKEY_BYTES, rekey_bytes, 0),
		DEF(QKD_A_LINK_REKEY_PACKETS, rekey_packets, 0),
		DEF(QKD_A_LINK_ON_EMPTY, on_empty, QKD_ON_EMPTY_HOLD),
		DEF(QKD_A_LINK_MAX_KEY_AGE, max_key_age, QKD_LINK_DEFAULT_MAX_KEY_AGE),
		DEF(QKD_A_LINK_CONSUMER, consumer, QKD_CONSUMER_XFRM),
		DEF(QKD_A_LINK_RX_WINDOW, rx_window, QKD_LINK_DEFAULT_RX_WINDOW),
#undef DEF
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(defs); i++) {
		if (qkd_link_has(kl, defs[i].type))
			continue;
		store_uint((char *)kl + defs[i].off, defs[i].size, defs[i].v);
		qkd_link_mark(kl, defs[i].type);
	}
	if (!qkd_link_has(kl, QKD_A_LINK_LOW_WATER)) {
		kl->low_water = kl->capacity / 4;
		qkd_link_mark(kl, QKD_A_LINK_LOW_WATER);
	}
}

static int seen_line(const struct ctx *c, const char *word)
{
	size_t i;

	return option_find(link_opts, n_link_opts, word, &i) ? c->seen[i] : 0;
}

static void link_end(struct ctx *c)
{
	struct qkdd_link_conf *l = c->link;
	struct qkd_link *kl = &l->kl;
	const char *name = kl->name;
	int at = c->sec_line;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(link_required); i++)
		if (!seen_line(c, link_required[i]))
			error_at(c, at, "link %s: missing %s", name, link_required[i]);
	if (seen_line(c, "role") && l->role == QKDD_MASTER && !seen_line(c, "peer"))
		error_at(c, at, "link %s: missing peer (a master connects to its slave)",
			 name);
	if (seen_line(c, "role") && l->role == QKDD_SLAVE && seen_line(c, "peer"))
		error_at(c, seen_line(c, "peer"),
			 "link %s: peer is for a master (a slave listens, see listen in [qkdd])",
			 name);
	if (!seen_line(c, "peer-name"))
		snprintf(l->peer_name, sizeof(l->peer_name), "%s", kl->peer_sae);

	link_defaults(kl);
	if (kl->reqid && kl->if_id)
		error_at(c, seen_line(c, "if-id"),
			 "link %s: reqid and if-id exclude each other", name);
	if (kl->key_bits < QKD_KEY_BITS_MIN || kl->key_bits > QKD_KEY_BITS_MAX ||
	    kl->key_bits % 8)
		error_at(c, seen_line(c, "key-bits"),
			 "link %s: key-bits must be %d to %d, a multiple of 8", name,
			 QKD_KEY_BITS_MIN, QKD_KEY_BITS_MAX);
	else if (kl->key_bits < cipher_bits(kl->cipher))
		error_at(c, seen_line(c, "key-bits"),
			 "link %s: key-bits must be at least the cipher's %u", name,
			 cipher_bits(kl->cipher));
	if (!kl->capacity)
		error_at(c, seen_line(c, "capacity"), "link %s: capacity must be at least 1",
			 name);
	if (kl->low_water > kl->capacity)
		error_at(c, seen_line(c, "low-water"),
			 "link %s: low-water must be at most the capacity (%u)", name,
			 kl->capacity);
	if (kl->rx_window < 1 || kl->rx_window > QKD_RX_WINDOW_MAX)
		error_at(c, seen_line(c, "rx-window"), "link %s: rx-window must be 1 to %d",
			 name, QKD_RX_WINDOW_MAX);
	if (kl->max_key_age && kl->rekey_time && kl->max_key_age < kl->rekey_time)
		error_at(c, seen_line(c, "max-key-age") ?: seen_line(c, "rekey-time"),
			 "link %s: max-key-age must be at least rekey-time", name);
}

static void macsec_end(struct ctx *c)
{
	struct qkdd_macsec_conf *m = c->macsec;
	const int *seen = c->mseen[m - c->conf->macsecs];
	const struct qkdd_macsec_suite *s = macsec_suite(m->cipher);
	const char *name = m->link;
	uint64_t pn_max = s->xpn ? UINT64_MAX : UINT32_MAX;
	int at = m->line;

	m->has_peer_sci = seen[M_PEER_SCI];
	m->has_peer_mac = seen[M_PEER_MAC];
	if (!seen[M_INTERFACE] && !seen[M_LOWER])
		error_at(c, at, "macsec %s: missing interface (or lower, to create it on)",
			 name);
	if (m->has_peer_sci && m->has_peer_mac)
		error_at(c, seen[M_PEER_MAC], "macsec %s: peer-sci and peer-mac exclude each other",
			 name);
	else if (!m->has_peer_sci && !m->has_peer_mac)
		error_at(c, at, "macsec %s: missing peer-sci (or peer-mac)", name);
	if (seen[M_PEER_PORT] && !m->has_peer_mac)
		error_at(c, seen[M_PEER_PORT], "macsec %s: peer-port goes with peer-mac", name);
	if (!m->port)
		error_at(c, seen[M_PORT], "macsec %s: port must be 1 to 65535", name);
	if (!m->peer_port)
		error_at(c, seen[M_PEER_PORT], "macsec %s: peer-port must be 1 to 65535", name);
	if (!seen[M_PN_THRESHOLD])
		m->pn_threshold = pn_max - pn_max / 4;
	else if (!m->pn_threshold || m->pn_threshold > pn_max)
		error_at(c, seen[M_PN_THRESHOLD], "macsec %s: pn-threshold must be 1 to %llu for %s",
			 name, (unsigned long long)pn_max, s->name);
	if (seen[M_LOWER] && !if_nametoindex(m->lower))
		error_at(c, seen[M_LOWER], "macsec %s: lower %s: no such interface", name,
			 m->lower);
	else if (!seen[M_LOWER] && seen[M_INTERFACE] && !if_nametoindex(m->ifname))
		error_at(c, seen[M_INTERFACE],
			 "macsec %s: interface %s: no such interface (give lower to create it)",
			 name, m->ifname);
}

/* What a [macsec NAME] asks of its link, once every link is read. */
static void macsec_check_link(struct ctx *c, const struct qkdd_macsec_conf *m,
			      const int *seen)
{
	const struct qkdd_macsec_suite *s = macsec_suite(m->cipher);
	const struct qkd_link *kl = NULL;
	unsigned int i;

	for (i = 0; i < c->conf->n_links; i++)
		if (!strcmp(c->conf->links[i].kl.name, m->link))
			kl = &c->conf->links[i].kl;
	if (!kl) {
		error_at(c, m->line, "macsec %s: no [link %s] section", m->link, m->link);
		return;
	}
	if (kl->consumer != QKD_CONSUMER_EXPORT)
		error_at(c, m->line,
			 "macsec %s: link %s needs consumer = export (MACsec takes its keys)",
			 m->link, m->link);
	if (kl->reqid || kl->if_id)
		error_at(c, m->line,
			 "macsec %s: link %s has a reqid or if-id (a MACsec link keys no IPsec SA)",
			 m->link, m->link);
	if (kl->key_bits < s->key_len * 8)
		error_at(c, seen[M_CIPHER] ?: m->line,
			 "macsec %s: cipher %s needs key-bits of at least %u (link %s has %u)",
			 m->link, s->name, s->key_len * 8, m->link, kl->key_bits);
}

/* The checks of the whole file, at its end. */
static void file_end(struct ctx *c)
{
	const struct qkdd_conf *conf = c->conf;
	bool slave = false;
	unsigned int i;

	for (i = 0; i < conf->n_links; i++)
		slave |= conf->links[i].role == QKDD_SLAVE;
	for (i = 0; i < conf->n_macsecs; i++)
		macsec_check_link(c, &conf->macsecs[i], c->mseen[i]);
	if (!conf->n_links)
		error_file(c, "no [link NAME] section");
	if (!c->qkdd_line) {
		error_file(c, "no [qkdd] section (cert, key and ca are needed)");
		return;
	}
	if (!c->gseen[G_CERT])
		error_at(c, c->qkdd_line, "missing cert in [qkdd]");
	if (!c->gseen[G_KEY])
		error_at(c, c->qkdd_line, "missing key in [qkdd]");
	if (!c->gseen[G_CA])
		error_at(c, c->qkdd_line, "missing ca in [qkdd]");
	if (slave && !c->gseen[G_LISTEN])
		error_at(c, c->qkdd_line,
			 "missing listen in [qkdd] (a slave link waits for its master)");
}

int config_parse(FILE *f, const char *name, struct qkdd_conf *conf, FILE *errf)
{
	struct ctx c = { .conf = conf, .name = name, .in = f, .errf = errf };
	int ret;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->path, sizeof(conf->path), "%s", name);
	ini_allow_multiline = false;
	ini_allow_bom = true;		/* what reader() expects */
	ret = ini_parse_stream(reader, &c, handler, &c);
	if (ret == -2 || ferror(f)) {
		free(c.mseen);
		return ret == -2 ? -ENOMEM : -EIO;
	}
	/* The reader's check of the last line, and the end of its section. */
	check_line_handled(&c);
	section_end(&c);
	if (ret > 0 && !c.errors)
		error_at(&c, ret, "syntax error");
	file_end(&c);
	free(c.mseen);
	return c.errors ? -EINVAL : 0;
}

int config_load(const char *path, struct qkdd_conf *conf, FILE *errf)
{
	FILE *f = fopen(path, "r");
	int ret;

	if (!f) {
		memset(conf, 0, sizeof(*conf));
		fprintf(errf, "qkdd: %s: %s\n", path, strerror(errno));
		return -EINVAL;
	}
	ret = config_parse(f, path, conf, errf);
	fclose(f);
	return ret;
}

void config_free(struct qkdd_conf *conf)
{
	free(conf->links);
	conf->links = NULL;
	conf->n_links = 0;
	free(conf->macsecs);
	conf->macsecs = NULL;
	conf->n_macsecs = 0;
}
