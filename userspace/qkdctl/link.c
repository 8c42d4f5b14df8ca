// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl link: add, set, del and show QKD links, and rekey their SAs.
 *
 * One table lists the attributes in the order show prints them; parsing,
 * text output and JSON output all walk it. qkdctl checks only what it must
 * to build the request (words, number widths, string lengths, address
 * syntax): whether a value makes sense is the kernel's call, and its
 * refusal comes back as an extack message naming the attribute.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "parse.h"
#include "qkdctl.h"

enum opt_kind { O_STR, O_ADDR, O_NUM, O_ENUM };

struct link_opt {
	int type;		/* QKD_A_*; its word is qkd_attr_name(type) */
	enum opt_kind kind;
	size_t off;		/* of the value in struct qkd_link */
	size_t size;
	int line;		/* of the text output: 1 or 2 */
	bool read_only;		/* shown, never sent */
	bool suffix;		/* K, M, G accepted */
	bool hide_zero;		/* 0 means "none": left out of the text */
	int (*parse)(const char *s);
	const char *(*name)(unsigned int v);
};

#define MEMBER(m) .off = offsetof(struct qkd_link, m), \
		  .size = sizeof(((struct qkd_link *)0)->m)

static const struct link_opt opts[] = {
	{ QKD_A_LINK_ID, O_NUM, MEMBER(id), .line = 1, .read_only = true },
	{ QKD_A_LINK_LOCAL_SAE, O_STR, MEMBER(local_sae), .line = 1 },
	{ QKD_A_LINK_PEER_SAE, O_STR, MEMBER(peer_sae), .line = 1 },
	{ QKD_A_LINK_LOCAL_ADDR, O_ADDR, MEMBER(local_addr), .line = 1 },
	{ QKD_A_LINK_PEER_ADDR, O_ADDR, MEMBER(peer_addr), .line = 1 },
	{ QKD_A_LINK_REQID, O_NUM, MEMBER(reqid), .line = 1, .hide_zero = true },
	{ QKD_A_LINK_IF_ID, O_NUM, MEMBER(if_id), .line = 1, .hide_zero = true },
	{ QKD_A_LINK_MODE, O_ENUM, MEMBER(mode), .line = 1,
	  .parse = qkd_mode_parse, .name = qkd_mode_name },
	{ QKD_A_LINK_CIPHER, O_ENUM, MEMBER(cipher), .line = 1,
	  .parse = qkd_cipher_parse, .name = qkd_cipher_name },
	{ QKD_A_LINK_KEY_BITS, O_NUM, MEMBER(key_bits), .line = 1 },
	{ QKD_A_LINK_CAPACITY, O_NUM, MEMBER(capacity), .line = 2 },
	{ QKD_A_LINK_LOW_WATER, O_NUM, MEMBER(low_water), .line = 2 },
	{ QKD_A_LINK_REKEY_TIME, O_NUM, MEMBER(rekey_time), .line = 2 },
	{ QKD_A_LINK_REKEY_BYTES, O_NUM, MEMBER(rekey_bytes), .line = 2,
	  .suffix = true },
	{ QKD_A_LINK_REKEY_PACKETS, O_NUM, MEMBER(rekey_packets), .line = 2 },
	{ QKD_A_LINK_ON_EMPTY, O_ENUM, MEMBER(on_empty), .line = 2,
	  .parse = qkd_on_empty_parse, .name = qkd_on_empty_name },
	{ QKD_A_LINK_MAX_KEY_AGE, O_NUM, MEMBER(max_key_age), .line = 2 },
	{ QKD_A_LINK_CONSUMER, O_ENUM, MEMBER(consumer), .line = 2,
	  .parse = qkd_consumer_parse, .name = qkd_consumer_name },
	{ QKD_A_LINK_RX_WINDOW, O_NUM, MEMBER(rx_window), .line = 2 },
};

#define N_OPTS ARRAY_SIZE(opts)

void link_usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [-j] [-n NETNS] link add NAME [ATTR VALUE]...\n"
		"       qkdctl [-j] [-n NETNS] link set NAME [ATTR VALUE]...\n"
		"       qkdctl [-n NETNS] link { del | delete } NAME\n"
		"       qkdctl [-j] [-n NETNS] link { show | list } [NAME]\n"
		"       qkdctl [-n NETNS] link rekey NAME\n"
		"       qkdctl link help\n"
		"ATTR VALUE := { local-sae SAE_ID | peer-sae SAE_ID |\n"
		"                local-addr ADDR | peer-addr ADDR | reqid NUM | if-id NUM |\n"
		"                mode { tunnel | transport } |\n"
		"                cipher { aes-gcm-256 | aes-gcm-128 | chacha20-poly1305 } |\n"
		"                key-bits NUM | capacity NUM | low-water NUM |\n"
		"                rekey-time SECONDS | rekey-bytes NUM[K|M|G] |\n"
		"                rekey-packets NUM | on-empty { hold | block } |\n"
		"                max-key-age SECONDS | consumer { xfrm | export } |\n"
		"                rx-window NUM }\n"
		"ADDR is an IPv4 or IPv6 address; 0 turns reqid, if-id and the rekey\n"
		"and age limits off. The kernel says which values it accepts.\n"
		"rekey replaces the link's outbound SA now, with its next out key\n"
		"(see \"qkdctl sa show\").\n");
}

static const char *opt_word(const struct link_opt *o)
{
	return qkd_attr_name(o->type);
}

static const struct link_opt *find_opt(const char *word)
{
	size_t i;

	for (i = 0; i < N_OPTS; i++)
		if (!strcmp(word, opt_word(&opts[i])))
			return &opts[i];
	return NULL;
}

static uint64_t get_uint(const struct qkd_link *l, const struct link_opt *o)
{
	const void *p = (const char *)l + o->off;

	switch (o->size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return *(const uint16_t *)p;
	case 4:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

static void set_uint(struct qkd_link *l, const struct link_opt *o, uint64_t v)
{
	store_uint((char *)l + o->off, o->size, v);
}

static int set_string(char *dst, size_t size, const char *word,
		      const char *val)
{
	if (strlen(val) >= size)
		return usage_error("link", "%s \"%s\" is too long (at most %zu characters)",
				   word, val, size - 1);
	strcpy(dst, val);
	return 0;
}

static int parse_value(struct qkd_link *l, const struct link_opt *o,
		       const char *val)
{
	const char *word = opt_word(o);
	uint8_t addr[16];
	uint64_t max, v;
	int family, ret;

	switch (o->kind) {
	case O_STR:
		return set_string((char *)l + o->off, o->size, word, val);
	case O_ADDR:
		if (parse_addr(val, &family, addr))
			return usage_error("link",
					   "invalid %s \"%s\" (not an IPv4 or IPv6 address)",
					   word, val);
		if (l->family && l->family != family)
			return usage_error("link",
					   "local-addr and peer-addr must both be IPv4 or both IPv6");
		l->family = family;
		memcpy((char *)l + o->off, addr, sizeof(addr));
		return 0;
	case O_ENUM:
		ret = o->parse(val);
		if (ret < 0)
			return usage_error("link", "unknown %s \"%s\"", word, val);
		set_uint(l, o, ret);
		return 0;
	case O_NUM:
		max = o->size == 8 ? UINT64_MAX : (1ULL << (8 * o->size)) - 1;
		ret = parse_uint(val, max, o->suffix, &v);
		if (ret == -ERANGE)
			return usage_error("link",
					   "%s \"%s\" is out of range (at most %" PRIu64 ")",
					   word, val, max);
		if (ret)
			return usage_error("link",
					   "invalid %s \"%s\" (not a decimal number%s)", word,
					   val, o->suffix ? " with an optional K, M or G" : "");
		set_uint(l, o, v);
		return 0;
	}
	return -EINVAL;
}

/* A name that struct qkd_link can hold; its syntax is the kernel's call. */
static int check_name(const char *name)
{
	return check_link_name("link", name);
}

/* NAME [ATTR VALUE]... into @l, marking what is given. */
static int parse_link(struct qkd_link *l, int argc, char **argv)
{
	const struct link_opt *o;
	int i, ret;

	memset(l, 0, sizeof(*l));
	if (argc < 1)
		return usage_error("link", "missing link NAME");
	ret = check_name(argv[0]);
	if (ret)
		return ret;
	strcpy(l->name, argv[0]);
	qkd_link_mark(l, QKD_A_LINK_NAME);

	for (i = 1; i < argc; i += 2) {
		o = find_opt(argv[i]);
		if (!strcmp(argv[i], "name") || (o && o->read_only))
			return usage_error("link", "attribute \"%s\" cannot be set", argv[i]);
		if (!o)
			return usage_error("link", "unknown attribute \"%s\"", argv[i]);
		if (i + 1 >= argc)
			return usage_error("link", "missing value for \"%s\"", argv[i]);
		if (qkd_link_has(l, o->type))
			return usage_error("link", "duplicate attribute \"%s\"", argv[i]);
		ret = parse_value(l, o, argv[i + 1]);
		if (ret)
			return ret;
		qkd_link_mark(l, o->type);
	}
	return 0;
}

/* The text of a value; @buf holds what is not a string of @l already. */
static const char *value_str(const struct qkd_link *l,
			     const struct link_opt *o, char *buf, size_t len)
{
	const char *p = (const char *)l + o->off;
	const char *name;

	switch (o->kind) {
	case O_STR:
		return p;
	case O_ADDR:
		if (!inet_ntop(l->family, p, buf, len))
			snprintf(buf, len, "?");
		return buf;
	case O_ENUM:
		name = o->name(get_uint(l, o));
		if (name)
			return name;
		break;		/* a value newer than this qkdctl */
	case O_NUM:
		break;
	}
	snprintf(buf, len, "%" PRIu64, get_uint(l, o));
	return buf;
}

/* The counters of a pool, in the order shown, under their show words. */
static const struct {
	const char *word;
	size_t off;
} pool_counters[] = {
	{ "added", offsetof(struct qkd_pool_stats, added) },
	{ "used", offsetof(struct qkd_pool_stats, used) },
	{ "exported", offsetof(struct qkd_pool_stats, exported) },
	{ "discarded-flush", offsetof(struct qkd_pool_stats, discarded_flush) },
	{ "discarded-expired", offsetof(struct qkd_pool_stats, discarded_expired) },
};

static uint64_t pool_counter(const struct qkd_pool_stats *ps, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)ps + pool_counters[i].off, sizeof(v));
	return v;
}

static bool has_pools(const struct qkd_link *l)
{
	return qkd_link_has(l, QKD_A_POOL_OUT) && qkd_link_has(l, QKD_A_POOL_IN);
}

/*
 * "    pool out 10/4096 in 5/4096 batch 7", with " staged 8 (out 2 in 2)"
 * while a batch is staged, then a line of counters per direction; nothing
 * from a module that reports no pools.
 */
static void print_pools(const struct qkd_link *l)
{
	int dir;
	size_t i;

	if (!has_pools(l))
		return;
	printf("    pool out %" PRIu32 "/%" PRIu32 " in %" PRIu32 "/%" PRIu32,
	       l->pool[QKD_DIR_OUT].keys, l->capacity,
	       l->pool[QKD_DIR_IN].keys, l->capacity);
	if (qkd_link_has(l, QKD_A_LINK_BATCH))
		printf(" batch %" PRIu64, l->batch);
	if (qkd_link_has(l, QKD_A_LINK_STAGED) && l->staged_batch)
		printf(" staged %" PRIu64 " (out %" PRIu32 " in %" PRIu32 ")",
		       l->staged_batch, l->pool[QKD_DIR_OUT].staged,
		       l->pool[QKD_DIR_IN].staged);
	printf("\n");
	for (dir = 0; dir <= QKD_DIR_MAX; dir++) {
		printf("    %s", qkd_dir_name(dir));
		for (i = 0; i < ARRAY_SIZE(pool_counters); i++)
			printf(" %s %" PRIu64, pool_counters[i].word,
			       pool_counter(&l->pool[dir], i));
		printf("\n");
	}
}

static struct json_object *json_pool(const struct qkd_pool_stats *ps)
{
	struct json_object *p = json_object_new_object();
	size_t i;
	int ret;

	if (!p)
		return NULL;
	ret = json_add_uint(p, "keys", ps->keys);
	if (!ret)
		ret = json_add_uint(p, "bytes", ps->bytes);
	if (!ret)
		ret = json_add_uint(p, "staged", ps->staged);
	for (i = 0; i < ARRAY_SIZE(pool_counters) && !ret; i++)
		ret = json_add_uint(p, pool_counters[i].word, pool_counter(ps, i));
	if (!ret)
		ret = json_add_uint(p, "discarded-uncommitted",
				    ps->discarded_uncommitted);
	if (ret) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* "pool": {"out": {...}, "in": {...}} */
static int json_pools(struct json_object *obj, const struct qkd_link *l)
{
	struct json_object *pools;
	int dir, ret = 0;

	if (!has_pools(l))
		return 0;
	pools = json_object_new_object();
	if (!pools)
		return -ENOMEM;
	for (dir = 0; dir <= QKD_DIR_MAX && !ret; dir++)
		ret = json_add_object(pools, qkd_dir_name(dir),
				      json_pool(&l->pool[dir]));
	if (ret) {
		json_object_put(pools);
		return ret;
	}
	return json_add_object(obj, "pool", pools);
}

/*
 * iproute2 style: the name, then the identity of the link on its first
 * line, the pool and rekey policy indented on the second, then the state
 * of the pools.
 */
static void print_link(const struct qkd_link *l)
{
	char buf[INET6_ADDRSTRLEN + 32];
	int line = 1;
	size_t i;

	printf("%s:", l->name);
	for (i = 0; i < N_OPTS; i++) {
		const struct link_opt *o = &opts[i];

		if (!qkd_link_has(l, o->type))
			continue;
		if (o->hide_zero && !get_uint(l, o))
			continue;
		if (o->line != line) {
			printf("\n   ");
			line = o->line;
		}
		printf(" %s %s", opt_word(o), value_str(l, o, buf, sizeof(buf)));
	}
	printf("\n");
	print_pools(l);
}

/* Appends one object to @arr: every attribute the kernel sent. */
static int json_link(struct json_object *arr, const struct qkd_link *l)
{
	struct json_object *obj = json_object_new_object();
	char buf[INET6_ADDRSTRLEN + 32];
	size_t i;
	int ret;

	if (!obj)
		return -ENOMEM;
	ret = json_add_string(obj, "name", l->name);
	for (i = 0; i < N_OPTS && !ret; i++) {
		const struct link_opt *o = &opts[i];
		const char *word = opt_word(o);

		if (!qkd_link_has(l, o->type))
			continue;
		if (o->kind == O_NUM ||
		    (o->kind == O_ENUM && !o->name(get_uint(l, o))))
			ret = json_add_uint(obj, word, get_uint(l, o));
		else
			ret = json_add_string(obj, word,
					      value_str(l, o, buf, sizeof(buf)));
	}
	if (!ret && qkd_link_has(l, QKD_A_LINK_BATCH))
		ret = json_add_uint(obj, "batch", l->batch);
	if (!ret && qkd_link_has(l, QKD_A_LINK_STAGED))
		ret = json_add_uint(obj, "staged-batch", l->staged_batch);
	if (!ret)
		ret = json_pools(obj, l);
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_append(arr, obj);
}

static int show_one(const struct qkd_link *l, void *arg)
{
	struct json_object *arr = arg;

	if (arr)
		return json_link(arr, l);
	print_link(l);
	return 0;
}

static int link_show(struct qkdctl *c, int argc, char **argv)
{
	struct json_object *arr = NULL;
	struct qkd_link l;
	int ret;

	if (argc > 1)
		return usage_error("link", "unexpected \"%s\" after NAME", argv[1]);
	ret = argc == 1 ? check_name(argv[0]) : 0;
	if (!ret)
		ret = qkdctl_open(c);
	if (ret)
		return ret;

	if (c->json) {
		arr = json_object_new_array();
		if (!arr)
			return -ENOMEM;
	}
	if (argc == 1) {
		ret = qkd_link_get(c->nl, argv[0], &l, &c->err);
		if (!ret)
			ret = show_one(&l, arr);
	} else {
		ret = qkd_link_dump(c->nl, show_one, arr, &c->err);
	}
	if (arr) {
		if (ret) {
			json_object_put(arr);
			return ret;
		}
		return json_print_free(arr);
	}
	return ret;
}

static int link_add(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_link l;
	int ret;

	ret = parse_link(&l, argc, argv);
	if (!ret)
		ret = qkdctl_open(c);
	if (!ret)
		ret = qkd_link_new(c->nl, &l, &c->err);
	return ret;
}

static int link_set(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_link l;
	int ret;

	ret = parse_link(&l, argc, argv);
	if (!ret)
		ret = qkdctl_open(c);
	if (!ret)
		ret = qkd_link_set(c->nl, &l, &c->err);
	return ret;
}

/* NAME and nothing else, then the socket: for del and rekey. */
static int name_only(struct qkdctl *c, int argc, char **argv)
{
	int ret;

	if (argc < 1)
		return usage_error("link", "missing link NAME");
	if (argc > 1)
		return usage_error("link", "unexpected \"%s\" after NAME", argv[1]);
	ret = check_name(argv[0]);
	if (!ret)
		ret = qkdctl_open(c);
	return ret;
}

static int link_del(struct qkdctl *c, int argc, char **argv)
{
	int ret;

	ret = name_only(c, argc, argv);
	if (!ret)
		ret = qkd_link_del(c->nl, argv[0], &c->err);
	return ret;
}

static int link_rekey(struct qkdctl *c, int argc, char **argv)
{
	int ret;

	ret = name_only(c, argc, argv);
	if (!ret)
		ret = qkd_link_rekey(c->nl, argv[0], &c->err);
	return ret;
}

static int link_help(struct qkdctl *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	link_usage(stdout);
	return 0;
}

static const struct qkdctl_cmd link_cmds[] = {
	{ "add", link_add },
	{ "set", link_set },
	{ "del", link_del },
	{ "delete", link_del },
	{ "show", link_show },
	{ "list", link_show },
	{ "rekey", link_rekey },
	{ "help", link_help },
};

int cmd_link(struct qkdctl *c, int argc, char **argv)
{
	if (argc == 0)
		return link_show(c, 0, argv);
	return qkdctl_dispatch(c, "link", link_cmds, ARRAY_SIZE(link_cmds), argc, argv);
}
