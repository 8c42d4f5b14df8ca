// SPDX-License-Identifier: GPL-2.0
/*
 * qkdd's configuration file, on the host: what a good file gives, and the
 * one line "qkdd: FILE:LINE: ..." each kind of mistake gets.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "macsec_key.h"
#include "qkdd.h"
#include "kselftest_harness.h"

/* A good file; its lines are numbered in the comments, EXTRA starts at 16. */
#define GOOD_HEAD							\
	"[qkdd]\n"				/*  1 */		\
	"listen = 192.0.2.2:7000\n"		/*  2 */		\
	"cert = /dev/null\n"			/*  3 */		\
	"key = /dev/null\n"			/*  4 */		\
	"ca = /dev/null\n"			/*  5 */		\
	"\n"					/*  6 */		\
	"[link dc1]\n"				/*  7 */		\
	"role = master\n"			/*  8 */		\
	"sae = sae-a\n"				/*  9 */		\
	"peer-sae = sae-b\n"			/* 10 */		\
	"peer = 192.0.2.2:7000\n"		/* 11 */		\
	"kme = https://127.0.0.1:8443/\n"	/* 12 */		\
	"kme-cert = /dev/null\n"		/* 13 */		\
	"kme-key = /dev/null\n"			/* 14 */		\
	"kme-ca = /dev/null\n"			/* 15 */

struct result {
	int ret;
	char *errs;
	struct qkdd_conf conf;
};

static void parse(const char *text, struct result *r)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	size_t len;
	FILE *err = open_memstream(&r->errs, &len);

	r->ret = config_parse(in, "t.conf", &r->conf, err);
	fclose(err);
	fclose(in);
}

/* GOOD_HEAD with its line @n (from 1) replaced by @line; free() it. */
static char *replace_line(int n, const char *line)
{
	const char *p = GOOD_HEAD, *end;
	char *out = malloc(sizeof(GOOD_HEAD) + strlen(line) + 1);
	size_t len;

	while (--n)
		p = strchr(p, '\n') + 1;
	end = strchr(p, '\n');
	len = p - GOOD_HEAD;
	memcpy(out, GOOD_HEAD, len);
	strcpy(out + len, line);
	strcat(out, end);
	return out;
}

static void done(struct result *r)
{
	config_free(&r->conf);
	free(r->errs);
}

/* @text gives exactly the error line(s) @want. */
#define EXPECT_ERROR(text, want) do {					\
	struct result r;						\
									\
	parse(text, &r);						\
	EXPECT_TRUE(r.errs != NULL);					\
	EXPECT_EQ(-EINVAL, r.ret);					\
	EXPECT_STREQ("qkdd: t.conf:" want "\n", r.errs);		\
	done(&r);							\
} while (0)

TEST(good_file_gives_the_link_its_settings_and_defaults)
{
	struct result r;
	const struct qkdd_link_conf *l;

	parse(GOOD_HEAD
	      "reqid = 42\n"
	      "capacity = 100\n"
	      "cipher = chacha20-poly1305\n"
	      "rekey-bytes = 1M ; an inline comment\n"
	      "local-addr = 192.0.2.1\n"
	      "peer-addr = 192.0.2.2\n"
	      "# a comment\n"
	      "[link dc2]\n"
	      "role = slave\n"
	      "sae = sae-c\n"
	      "peer-sae = sae-d\n"
	      "peer-name = qkdd-d\n"
	      "kme = https://[2001:db8::1]:443/qkd\n"
	      "kme-cert = /dev/null\n"
	      "kme-key = /dev/null\n"
	      "kme-ca = /dev/null\n", &r);
	ASSERT_EQ(0, r.ret);
	EXPECT_STREQ("", r.errs);
	EXPECT_TRUE(r.conf.has_listen);
	EXPECT_STREQ("192.0.2.2", r.conf.listen.host);
	EXPECT_STREQ("7000", r.conf.listen.port);
	EXPECT_STREQ("/dev/null", r.conf.ca);
	ASSERT_EQ(2, r.conf.n_links);

	l = &r.conf.links[0];
	EXPECT_STREQ("dc1", l->kl.name);
	EXPECT_EQ(7, l->line);
	EXPECT_EQ(QKDD_MASTER, l->role);
	EXPECT_STREQ("sae-a", l->kl.local_sae);
	EXPECT_STREQ("sae-b", l->kl.peer_sae);
	EXPECT_STREQ("sae-b", l->peer_name);
	EXPECT_STREQ("192.0.2.2", l->peer.host);
	EXPECT_STREQ("7000", l->peer.port);
	EXPECT_STREQ("https://127.0.0.1:8443", l->kme);
	EXPECT_EQ(42, l->kl.reqid);
	EXPECT_EQ(100, l->kl.capacity);
	EXPECT_EQ(25, l->kl.low_water);
	EXPECT_EQ(QKD_CIPHER_CHACHA20_POLY1305, l->kl.cipher);
	EXPECT_EQ(1 << 20, l->kl.rekey_bytes);
	EXPECT_EQ(AF_INET, l->kl.family);
	EXPECT_EQ(QKD_LINK_DEFAULT_KEY_BITS, l->kl.key_bits);
	EXPECT_EQ(QKD_LINK_DEFAULT_REKEY_TIME, l->kl.rekey_time);
	EXPECT_EQ(QKD_LINK_DEFAULT_RX_WINDOW, l->kl.rx_window);
	EXPECT_TRUE(qkd_link_has(&l->kl, QKD_A_LINK_LOCAL_SAE));
	EXPECT_TRUE(qkd_link_has(&l->kl, QKD_A_LINK_ON_EMPTY));
	EXPECT_FALSE(qkd_link_has(&l->kl, QKD_A_LINK_ID));

	l = &r.conf.links[1];
	EXPECT_STREQ("dc2", l->kl.name);
	EXPECT_EQ(QKDD_SLAVE, l->role);
	EXPECT_STREQ("qkdd-d", l->peer_name);
	EXPECT_STREQ("https://[2001:db8::1]:443/qkd", l->kme);
	EXPECT_EQ(QKD_LINK_DEFAULT_CAPACITY, l->kl.capacity);
	EXPECT_FALSE(qkd_link_has(&l->kl, QKD_A_LINK_LOCAL_ADDR));
	done(&r);
}

TEST(ipv6_peer_address_takes_brackets)
{
	struct result r;
	char *text;

	parse(GOOD_HEAD "", &r);
	ASSERT_EQ(0, r.ret);
	done(&r);
	text = replace_line(2, "listen = ::1:7000");
	EXPECT_ERROR(text, "2: invalid listen \"::1:7000\" (expected HOST:PORT, [IPv6]:PORT)");
	free(text);
	parse("[qkdd]\nlisten = [::1]:7000\ncert = /dev/null\nkey = /dev/null\n"
	      "ca = /dev/null\n[link x]\nrole = slave\nsae = a\npeer-sae = b\n"
	      "kme = https://k:1\nkme-cert = /dev/null\nkme-key = /dev/null\n"
	      "kme-ca = /dev/null\n", &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.errs);
	EXPECT_STREQ("::1", r.conf.listen.host);
	done(&r);
}

TEST(unknown_key_names_its_line)
{
	EXPECT_ERROR(GOOD_HEAD "colour = blue\n", "16: unknown key \"colour\" in [link]");
	char *text = replace_line(2, "reqid = 1");

	EXPECT_ERROR(text, "2: unknown key \"reqid\" in [qkdd]");
	free(text);
}

TEST(unknown_section_is_refused)
{
	EXPECT_ERROR(GOOD_HEAD "[tunnel x]\n",
		     "16: unknown section [tunnel x] (expected [qkdd], [link NAME] or [macsec NAME])");
	EXPECT_ERROR(GOOD_HEAD "[link]\n", "16: missing link NAME in [link NAME]");
	EXPECT_ERROR(GOOD_HEAD "[link a:b]\n",
		     "16: invalid link name \"a:b\" (1 to 32 characters of A-Z a-z 0-9 . _ -)");
}

TEST(missing_required_key_names_the_section)
{
	EXPECT_ERROR(GOOD_HEAD "[link dc2]\nrole = slave\nsae = x\npeer-sae = y\n"
		     "kme-cert = /dev/null\nkme-key = /dev/null\nkme-ca = /dev/null\n",
		     "16: link dc2: missing kme");
	EXPECT_ERROR(GOOD_HEAD "[link dc2]\n",
		     "16: link dc2: missing sae\n"
		     "qkdd: t.conf:16: link dc2: missing peer-sae\n"
		     "qkdd: t.conf:16: link dc2: missing role\n"
		     "qkdd: t.conf:16: link dc2: missing kme\n"
		     "qkdd: t.conf:16: link dc2: missing kme-cert\n"
		     "qkdd: t.conf:16: link dc2: missing kme-key\n"
		     "qkdd: t.conf:16: link dc2: missing kme-ca");
}

TEST(master_needs_peer_and_slave_takes_none)
{
	char *text = replace_line(11, "# no peer");

	EXPECT_ERROR(text, "7: link dc1: missing peer (a master connects to its slave)");
	free(text);
	text = replace_line(8, "role = slave");
	EXPECT_ERROR(text,
		     "11: link dc1: peer is for a master (a slave listens, see listen in [qkdd])");
	free(text);
}

TEST(slave_needs_listen)
{
	char *text = replace_line(2, "; no listen"), *p;

	p = strstr(text, "role = master");
	memcpy(p, "role = slave ", 13);
	p = strstr(text, "peer = ");
	p[0] = ';';
	EXPECT_ERROR(text, "1: missing listen in [qkdd] (a slave link waits for its master)");
	free(text);
}

TEST(bad_values_are_named)
{
	char *text = replace_line(3, "cert =");

	EXPECT_ERROR(text, "3: missing value for cert");
	free(text);
	EXPECT_ERROR(GOOD_HEAD "reqid = 12x\n",
		     "16: invalid reqid \"12x\" (not a decimal number)");
	EXPECT_ERROR(GOOD_HEAD "reqid = 4294967296\n",
		     "16: reqid \"4294967296\" is out of range (at most 4294967295)");
	EXPECT_ERROR(GOOD_HEAD "cipher = rot13\n", "16: unknown cipher \"rot13\"");
	EXPECT_ERROR(GOOD_HEAD "local-addr = 192.0.2\n",
		     "16: invalid local-addr \"192.0.2\" (not an IPv4 or IPv6 address)");
	EXPECT_ERROR(GOOD_HEAD "local-addr = 192.0.2.1\npeer-addr = 2001:db8::2\n",
		     "17: local-addr and peer-addr must both be IPv4 or both IPv6");
	EXPECT_ERROR(GOOD_HEAD "rx-window = 0\n", "16: link dc1: rx-window must be 1 to 16");
	EXPECT_ERROR(GOOD_HEAD "key-bits = 100\n",
		     "16: link dc1: key-bits must be 128 to 512, a multiple of 8");
	EXPECT_ERROR(GOOD_HEAD "key-bits = 128\n",
		     "16: link dc1: key-bits must be at least the cipher's 256");
	EXPECT_ERROR(GOOD_HEAD "capacity = 10\nlow-water = 11\n",
		     "17: link dc1: low-water must be at most the capacity (10)");
	EXPECT_ERROR(GOOD_HEAD "reqid = 1\nif-id = 2\n",
		     "17: link dc1: reqid and if-id exclude each other");
	EXPECT_ERROR(GOOD_HEAD "rekey-time = 100\nmax-key-age = 50\n",
		     "17: link dc1: max-key-age must be at least rekey-time");

}

TEST(role_url_and_files_are_checked)
{
	char *text = replace_line(8, "role = boss");

	EXPECT_ERROR(text, "8: invalid role \"boss\" (master or slave)");
	free(text);
	text = replace_line(12, "kme = http://127.0.0.1:80");
	EXPECT_ERROR(text, "12: invalid kme \"http://127.0.0.1:80\" (expected https://HOST:PORT)");
	free(text);
	text = replace_line(5, "ca = /no/such");
	EXPECT_ERROR(text, "5: cannot read ca /no/such: No such file or directory");
	free(text);
}

TEST(duplicates_are_refused)
{
	EXPECT_ERROR(GOOD_HEAD "sae = again\n", "16: duplicate sae (first at line 9)");
	EXPECT_ERROR(GOOD_HEAD "[qkdd]\n", "16: duplicate section [qkdd] (first at line 1)");
	EXPECT_ERROR(GOOD_HEAD "[link dc1]\n", "16: duplicate link dc1 (first at line 7)");
}

TEST(syntax_errors_name_their_line)
{
	EXPECT_ERROR(GOOD_HEAD "just words\n",
		     "16: syntax error (expected NAME = VALUE or [SECTION])");
	EXPECT_ERROR(GOOD_HEAD "[link x\n",
		     "16: syntax error (a section header needs a ']')");
	EXPECT_ERROR("reqid = 1\n" GOOD_HEAD, "1: reqid outside a section");
}

TEST(continuation_lines_are_not_values)
{
	EXPECT_ERROR(GOOD_HEAD "  more = x\n", "16: unknown key \"more\" in [link]");
}

TEST(byte_order_mark_is_skipped)
{
	struct result r;

	parse("\xef\xbb\xbf" GOOD_HEAD, &r);
	EXPECT_EQ(0, r.ret);
	EXPECT_STREQ("", r.errs);
	done(&r);
}

TEST(too_long_line_is_refused)
{
	char text[sizeof(GOOD_HEAD) + 400];

	strcpy(text, GOOD_HEAD "peer-name = ");
	memset(text + strlen(text), 'x', 300);
	strcpy(text + strlen(GOOD_HEAD "peer-name = ") + 300, "\n");
	EXPECT_ERROR(text, "16: line too long (at most 197 characters)");
}

TEST(empty_file_says_what_is_missing)
{
	struct result r;

	parse("", &r);
	EXPECT_EQ(-EINVAL, r.ret);
	EXPECT_STREQ("qkdd: t.conf: no [link NAME] section\n"
		     "qkdd: t.conf: no [qkdd] section (cert, key and ca are needed)\n",
		     r.errs);
	done(&r);
}

TEST(unreadable_file_is_one_line)
{
	struct qkdd_conf conf;
	char *errs;
	size_t len;
	FILE *err = open_memstream(&errs, &len);

	EXPECT_EQ(-EINVAL, config_load("/no/such.conf", &conf, err));
	fclose(err);
	EXPECT_STREQ("qkdd: /no/such.conf: No such file or directory\n", errs);
	free(errs);
	config_free(&conf);
}

/* GOOD_HEAD made a MACsec link; EXTRA lines start at 20. */
#define MACSEC_HEAD							\
	GOOD_HEAD							\
	"consumer = export\n"			/* 16 */		\
	"[macsec dc1]\n"			/* 17 */		\
	"lower = lo\n"				/* 18 */		\
	"peer-sci = 020000000002000a\n"		/* 19 */

TEST(macsec_section_gives_its_settings_and_defaults)
{
	const struct qkdd_macsec_conf *m;
	struct result r;

	parse(MACSEC_HEAD "interface = qmacsec0\n", &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.errs);
	EXPECT_STREQ("", r.errs);
	ASSERT_EQ(1, r.conf.n_macsecs);
	m = &r.conf.macsecs[0];
	EXPECT_STREQ("dc1", m->link);
	EXPECT_EQ(17, m->line);
	EXPECT_STREQ("lo", m->lower);
	EXPECT_STREQ("qmacsec0", m->ifname);
	EXPECT_TRUE(m->has_peer_sci);
	EXPECT_FALSE(m->has_peer_mac);
	EXPECT_EQ(0x020000000002000aULL, m->peer_sci);
	EXPECT_EQ(1, m->port);
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_256, m->cipher);
	EXPECT_EQ(QKD_LINK_DEFAULT_REKEY_TIME, m->rekey_time);
	EXPECT_EQ(0xc0000000ULL, m->pn_threshold);
	EXPECT_TRUE(m->replay_protect);
	EXPECT_EQ(0, m->replay_window);
	EXPECT_EQ(QKD_ON_EMPTY_HOLD, m->on_empty);
	done(&r);
}

TEST(macsec_section_takes_every_setting)
{
	const struct qkdd_macsec_conf *m;
	struct result r;

	parse(GOOD_HEAD "consumer = export\nkey-bits = 128\ncipher = aes-gcm-128\n"
	      "[macsec dc1]\n"
	      "interface = lo\n"
	      "port = 7\n"
	      "peer-mac = 02:00:00:00:00:0B\n"
	      "peer-port = 3\n"
	      "cipher = gcm-aes-xpn-128\n"
	      "rekey-time = 2\n"
	      "pn-threshold = 5000000000\n"
	      "replay-protect = off\n"
	      "replay-window = 32\n"
	      "on-empty = block\n", &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.errs);
	m = &r.conf.macsecs[0];
	EXPECT_STREQ("lo", m->ifname);
	EXPECT_STREQ("", m->lower);
	EXPECT_EQ(7, m->port);
	EXPECT_TRUE(m->has_peer_mac);
	EXPECT_EQ(0x0b, m->peer_mac[5]);
	EXPECT_EQ(0x02, m->peer_mac[0]);
	EXPECT_EQ(3, m->peer_port);
	EXPECT_EQ(QKDD_MACSEC_GCM_AES_XPN_128, m->cipher);
	EXPECT_EQ(2, m->rekey_time);
	EXPECT_EQ(5000000000ULL, m->pn_threshold);
	EXPECT_FALSE(m->replay_protect);
	EXPECT_EQ(32, m->replay_window);
	EXPECT_EQ(QKD_ON_EMPTY_BLOCK, m->on_empty);
	done(&r);
}

TEST(macsec_xpn_threshold_defaults_to_three_quarters_of_64_bits)
{
	struct result r;

	parse(MACSEC_HEAD "cipher = gcm-aes-xpn-256\n", &r);
	ASSERT_EQ(0, r.ret) TH_LOG("%s", r.errs);
	EXPECT_EQ(0xc000000000000000ULL, r.conf.macsecs[0].pn_threshold);
	done(&r);
}

TEST(macsec_unknown_cipher_names_the_setting)
{
	EXPECT_ERROR(MACSEC_HEAD "cipher = aes-gcm-256\n",
		     "20: unknown cipher \"aes-gcm-256\"");
}

TEST(macsec_key_too_short_for_the_cipher_names_both)
{
	EXPECT_ERROR(GOOD_HEAD "consumer = export\nkey-bits = 128\ncipher = aes-gcm-128\n"
		     "[macsec dc1]\nlower = lo\npeer-sci = 020000000002000a\ncipher = gcm-aes-256\n",
		     "22: macsec dc1: cipher gcm-aes-256 needs key-bits of at least 256 (link dc1 has 128)");
	/* The default cipher, gcm-aes-256, points at the section. */
	EXPECT_ERROR(GOOD_HEAD "consumer = export\nkey-bits = 128\ncipher = aes-gcm-128\n"
		     "[macsec dc1]\nlower = lo\npeer-sci = 020000000002000a\n",
		     "19: macsec dc1: cipher gcm-aes-256 needs key-bits of at least 256 (link dc1 has 128)");
}

TEST(macsec_missing_interface_is_refused)
{
	EXPECT_ERROR(GOOD_HEAD "consumer = export\n[macsec dc1]\npeer-sci = 020000000002000a\n",
		     "17: macsec dc1: missing interface (or lower, to create it on)");
	EXPECT_ERROR(GOOD_HEAD "consumer = export\n[macsec dc1]\ninterface = nosuch0\n"
		     "peer-sci = 020000000002000a\n",
		     "18: macsec dc1: interface nosuch0: no such interface (give lower to create it)");
	EXPECT_ERROR(GOOD_HEAD "consumer = export\n[macsec dc1]\nlower = nosuch0\n"
		     "peer-sci = 020000000002000a\n",
		     "18: macsec dc1: lower nosuch0: no such interface");
	EXPECT_ERROR(MACSEC_HEAD "interface = a/b\n",
		     "20: invalid interface \"a/b\" (an interface name: 1 to 15 characters, no '/', ':' or blank)");
	EXPECT_ERROR(MACSEC_HEAD "interface = abcdefghijklmnop\n",
		     "20: invalid interface \"abcdefghijklmnop\" (an interface name: 1 to 15 characters, no '/', ':' or blank)");
}

TEST(macsec_sci_that_does_not_parse_names_the_setting)
{
	static const char *const bad[] = {
		"02000000000200", "020000000002000g", "0x0200000000020a", "020000000002000a0",
	};
	char text[1024], want[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), GOOD_HEAD "consumer = export\n[macsec dc1]\n"
			 "lower = lo\npeer-sci = %s\n", bad[i]);
		snprintf(want, sizeof(want),
			 "19: invalid peer-sci \"%s\" (expected 16 hex digits: the MAC address, then the port)",
			 bad[i]);
		struct result r;

		parse(text, &r);
		EXPECT_EQ(-EINVAL, r.ret);
		EXPECT_TRUE(strstr(r.errs, want) != NULL) TH_LOG("%s", r.errs);
		done(&r);
	}
	EXPECT_ERROR(GOOD_HEAD "consumer = export\n[macsec dc1]\nlower = lo\n"
		     "peer-mac = 02:00:00:00:00\n",
		     "19: invalid peer-mac \"02:00:00:00:00\" (expected a MAC address, 02:00:00:00:00:01)");
}

TEST(macsec_peer_is_sci_or_mac_not_both)
{
	EXPECT_ERROR(GOOD_HEAD "consumer = export\n[macsec dc1]\nlower = lo\n",
		     "17: macsec dc1: missing peer-sci (or peer-mac)");
	EXPECT_ERROR(MACSEC_HEAD "peer-mac = 02:00:00:00:00:0b\n",
		     "20: macsec dc1: peer-sci and peer-mac exclude each other");
	EXPECT_ERROR(MACSEC_HEAD "peer-port = 2\n",
		     "20: macsec dc1: peer-port goes with peer-mac");
	EXPECT_ERROR(MACSEC_HEAD "port = 0\n", "20: macsec dc1: port must be 1 to 65535");
}

TEST(macsec_pn_threshold_fits_the_pn_size)
{
	EXPECT_ERROR(MACSEC_HEAD "pn-threshold = 4294967296\n",
		     "20: macsec dc1: pn-threshold must be 1 to 4294967295 for gcm-aes-256");
	EXPECT_ERROR(MACSEC_HEAD "pn-threshold = 0\n",
		     "20: macsec dc1: pn-threshold must be 1 to 4294967295 for gcm-aes-256");
}

TEST(macsec_needs_an_export_link_of_its_name)
{
	EXPECT_ERROR(GOOD_HEAD "[macsec dc1]\nlower = lo\npeer-sci = 020000000002000a\n",
		     "16: macsec dc1: link dc1 needs consumer = export (MACsec takes its keys)");
	EXPECT_ERROR(GOOD_HEAD "consumer = export\nreqid = 4\n[macsec dc1]\nlower = lo\n"
		     "peer-sci = 020000000002000a\n",
		     "18: macsec dc1: link dc1 has a reqid or if-id (a MACsec link keys no IPsec SA)");
	EXPECT_ERROR(MACSEC_HEAD "[macsec dc9]\nlower = lo\npeer-sci = 020000000002000a\n",
		     "20: macsec dc9: no [link dc9] section");
	EXPECT_ERROR(MACSEC_HEAD "[macsec dc1]\n",
		     "20: duplicate macsec dc1 (first at line 17)");
	EXPECT_ERROR(MACSEC_HEAD "lower = lo\n", "20: duplicate lower (first at line 18)");
	EXPECT_ERROR(MACSEC_HEAD "sae = x\n", "20: unknown key \"sae\" in [macsec]");
	EXPECT_ERROR(MACSEC_HEAD "replay-protect = yes\n",
		     "20: invalid replay-protect \"yes\" (on or off)");
}

TEST_HARNESS_MAIN
