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
		     "16: unknown section [tunnel x] (expected [qkdd] or [link NAME])");
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

TEST_HARNESS_MAIN
