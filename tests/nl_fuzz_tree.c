// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's request tree: the attributes of a request held as nodes until
 * they are written out, and what the models and mutations share about the
 * family (the attributes each command takes, how each is read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl_fuzz_gen.h"

const char fz_rule_after_nul[] = "bytes after a string's terminating NUL";

const uint8_t fz_pattern[8] = { 0xa5, 'Q', 'K', 'D', 0x5a, 'f', 'z', 0xc3 };

const uint8_t attr_kind[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME] = K_NAME,		[QKD_A_LINK_ID] = K_U32,
	[QKD_A_LINK_LOCAL_SAE] = K_STR,		[QKD_A_LINK_PEER_SAE] = K_STR,
	[QKD_A_LINK_LOCAL_ADDR] = K_ADDR,	[QKD_A_LINK_PEER_ADDR] = K_ADDR,
	[QKD_A_LINK_REQID] = K_U32,		[QKD_A_LINK_IF_ID] = K_U32,
	[QKD_A_LINK_MODE] = K_U8,		[QKD_A_LINK_CIPHER] = K_U8,
	[QKD_A_LINK_KEY_BITS] = K_U16,		[QKD_A_LINK_CAPACITY] = K_U32,
	[QKD_A_LINK_LOW_WATER] = K_U32,		[QKD_A_LINK_REKEY_TIME] = K_U32,
	[QKD_A_LINK_REKEY_BYTES] = K_U64,	[QKD_A_LINK_REKEY_PACKETS] = K_U64,
	[QKD_A_LINK_ON_EMPTY] = K_U8,		[QKD_A_LINK_MAX_KEY_AGE] = K_U32,
	[QKD_A_LINK_CONSUMER] = K_U8,		[QKD_A_LINK_RX_WINDOW] = K_U8,
	[QKD_A_KEYS] = K_NEST,			[QKD_A_DIR] = K_U8,
	[QKD_A_KEYRING] = K_S32,		[QKD_A_KEY_DESC] = K_DESC,
	[QKD_A_BATCH] = K_U64,			[QKD_A_LINK_BATCH] = K_U64,
	[QKD_A_LINK_STAGED] = K_U64,
};

#define SETTINGS	(((B(QKD_A_LINK_RX_WINDOW + 1) - 1)) & ~(B(QKD_A_LINK_LOCAL_SAE) - 1))

uint64_t fz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t rnd(struct rng *r)
{
	return fz_mix(r->s++);
}

unsigned int kind_size(enum kind k)
{
	static const unsigned int size[] = {
		[K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_U64] = 8, [K_S32] = 4,
	};

	return k < ARRAY_SIZE(size) ? size[k] : 0;
}

bool fz_changes_state(uint8_t cmd)
{
	switch (cmd) {
	case QKD_CMD_LINK_GET:
	case QKD_CMD_SA_GET:
	case QKD_CMD_STATS_GET:
		return false;
	default:
		return cmd >= QKD_CMD_LINK_NEW && cmd <= QKD_CMD_MAX &&
		       !(cmd >= QKD_CMD_EVENT_LOW_WATER && cmd <= QKD_CMD_EVENT_DISCARD) &&
		       !(cmd >= QKD_CMD_EVENT_REKEY && cmd <= QKD_CMD_EVENT_BLOCKED);
	}
}

const char *fz_cmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		[QKD_CMD_LINK_NEW] = "LINK_NEW",	[QKD_CMD_LINK_SET] = "LINK_SET",
		[QKD_CMD_LINK_DEL] = "LINK_DEL",	[QKD_CMD_LINK_GET] = "LINK_GET",
		[QKD_CMD_KEY_ADD] = "KEY_ADD",		[QKD_CMD_KEY_FLUSH] = "KEY_FLUSH",
		[QKD_CMD_KEY_TAKE] = "KEY_TAKE",	[QKD_CMD_KEY_EXPORT] = "KEY_EXPORT",
		[QKD_CMD_STATS_GET] = "STATS_GET",	[QKD_CMD_LINK_REKEY] = "LINK_REKEY",
		[QKD_CMD_SA_GET] = "SA_GET",		[QKD_CMD_KEY_COMMIT] = "KEY_COMMIT",
		[QKD_CMD_KEY_ABORT] = "KEY_ABORT",
	};

	return cmd < ARRAY_SIZE(names) && names[cmd] ?
	       names[cmd] : "unserved";
}

const struct fz_link *fz_find(const struct fz_model *model, const char *name)
{
	for (int i = 0; i < model->n; i++)
		if (!strcmp(model->links[i].name, name))
			return &model->links[i];
	return NULL;
}

long fz_find_pattern(const uint8_t *p, size_t len, size_t skip_from,
		     size_t skip_to)
{
	for (size_t i = 0; i + sizeof(fz_pattern) <= len; i++) {
		if (p[i] != fz_pattern[0] ||
		    memcmp(p + i, fz_pattern, sizeof(fz_pattern)))
			continue;
		if (i >= skip_from && i + sizeof(fz_pattern) <= skip_to)
			continue;
		return i;
	}
	return -1;
}

/* The tree. Running out of nodes or arena is a bug of the generator. */
int node_new(struct gen *g, int parent, uint16_t type, bool nest)
{
	struct node *n;
	int i;

	if (g->n_nodes == NODES_MAX)
		abort();
	i = g->n_nodes++;
	n = &g->n[i];
	memset(n, 0, sizeof(*n));
	n->type = type | (nest ? NLA_F_NESTED : 0);
	n->nest = nest;
	n->child = n->last = n->next = NONE;
	if (parent != NONE) {
		if (g->n[parent].last == NONE)
			g->n[parent].child = i;
		else
			g->n[g->n[parent].last].next = i;
		g->n[parent].last = i;
	}
	return i;
}

static uint32_t arena_take(struct gen *g, uint32_t len)
{
	uint32_t off = g->used;

	if (g->used + len > sizeof(g->arena))
		abort();
	g->used += len;
	return off;
}

uint8_t *payload(struct gen *g, int i)
{
	return g->arena + g->n[i].off;
}

/* Without @data the payload is random, or the key pattern for material. */
int leaf(struct gen *g, int parent, uint16_t type, const void *data,
	 uint32_t len)
{
	int i = node_new(g, parent, type, false);

	g->n[i].off = arena_take(g, len);
	g->n[i].len = len;
	if (data)
		memcpy(payload(g, i), data, len);
	else
		for (uint32_t k = 0; k < len; k++)
			payload(g, i)[k] = rnd(&g->r);
	return i;
}

int leaf_uint(struct gen *g, int parent, uint16_t type, uint64_t v,
	      unsigned int size)
{
	uint8_t b[8];

	/* Host order, as netlink integers are; the VM is little-endian. */
	memcpy(b, &v, 8);
	return leaf(g, parent, type, b, size);
}

int leaf_str(struct gen *g, int parent, uint16_t type, const char *s)
{
	return leaf(g, parent, type, s, strlen(s) + 1);
}

/* A longer payload keeps what it had and fills up like the old one. */
void set_len(struct gen *g, int i, uint32_t len)
{
	struct node *n = &g->n[i];
	uint32_t off, keep = n->len < len ? n->len : len;

	if (len <= n->len) {
		n->len = len;
		return;
	}
	off = arena_take(g, len);
	memmove(g->arena + off, payload(g, i), keep);
	for (uint32_t k = keep; k < len; k++)
		g->arena[off + k] = (n->type & NLA_TYPE_MASK) == QKD_A_KEY_MATERIAL ?
				    fz_pattern[k % 8] : rnd(&g->r);
	n->off = off;
	n->len = len;
}

int find(const struct gen *g, int parent, uint16_t type)
{
	for (int c = g->n[parent].child; c != NONE; c = g->n[c].next)
		if ((g->n[c].type & NLA_TYPE_MASK) == type)
			return c;
	return NONE;
}

void drop(struct gen *g, int parent, int child)
{
	int *link = &g->n[parent].child, prev = NONE;

	while (*link != NONE && *link != child) {
		prev = *link;
		link = &g->n[*link].next;
	}
	if (*link == NONE)
		return;
	*link = g->n[child].next;
	if (g->n[parent].last == child)
		g->n[parent].last = prev;
}

int count(const struct gen *g, int parent)
{
	int k = 0;

	for (int c = g->n[parent].child; c != NONE; c = g->n[c].next)
		k++;
	return k;
}

int nth(const struct gen *g, int parent, int k)
{
	int c = g->n[parent].child;

	while (c != NONE && k--)
		c = g->n[c].next;
	return c;
}

/* Moves the parent's last child to a random place among its siblings. */
void place(struct gen *g, int parent)
{
	int n = count(g, parent), k = below(&g->r, n), c = g->n[parent].last;
	int prev;

	if (c == NONE || k == n - 1)
		return;
	drop(g, parent, c);
	if (!k) {
		g->n[c].next = g->n[parent].child;
		g->n[parent].child = c;
		return;
	}
	prev = nth(g, parent, k - 1);
	g->n[c].next = g->n[prev].next;
	g->n[prev].next = c;
}

/* Writes @v over a fixed-size attribute, in its own width. */
void set_uint(struct gen *g, int i, uint64_t v)
{
	memcpy(payload(g, i), &v, g->n[i].len);
}

/* Replaces the payload of leaf @i. */
void set_payload(struct gen *g, int i, const void *p, uint32_t len)
{
	set_len(g, i, len);
	memcpy(payload(g, i), p, len);
}

/* Sets a top-level integer setting, replacing the one there. */
void set_attr(struct gen *g, uint16_t t, uint64_t v)
{
	int i = find(g, g->top, t);
	unsigned int size = kind_size(attr_kind[t]);

	if (i == NONE || g->n[i].nest) {
		leaf_uint(g, g->top, t, v, size);
		place(g, g->top);
		return;
	}
	set_len(g, i, size);
	set_uint(g, i, v);
}

void drop_type(struct gen *g, uint16_t t)
{
	int i;

	while ((i = find(g, g->top, t)) != NONE)
		drop(g, g->top, i);
}

void must_fail(struct gen *g, const char *rule, const char *how)
{
	struct fz_msg *m = g->m;
	size_t len = strlen(m->how);

	/* The last rule broken is one no later change undid. */
	m->verdict = FZ_MUST_FAIL;
	m->rule = rule;
	if (how)
		snprintf(m->how + len, sizeof(m->how) - len, "%s%s",
			 len ? "," : "", how);
}

const char fz_name_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

void random_name(struct gen *g, char *buf, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		buf[i] = fz_name_chars[below(&g->r, sizeof(fz_name_chars) - 1)];
	buf[len] = 0;
}

/* The attributes each command takes (the LINK_GET dump: none). */
uint64_t cmd_attrs(uint8_t cmd, bool dump)
{
	const uint64_t name = B(QKD_A_LINK_NAME);

	switch (cmd) {
	case QKD_CMD_LINK_NEW:
	case QKD_CMD_LINK_SET:
		return name | SETTINGS;
	case QKD_CMD_LINK_GET:
		return dump ? 0 : name;
	case QKD_CMD_LINK_DEL:
	case QKD_CMD_LINK_REKEY:
	case QKD_CMD_SA_GET:
		return name;
	case QKD_CMD_KEY_ADD:
		return name | B(QKD_A_KEYS) | B(QKD_A_BATCH);
	case QKD_CMD_KEY_COMMIT:
		return name | B(QKD_A_BATCH) | B(QKD_A_DIR);
	case QKD_CMD_KEY_ABORT:
		return name | B(QKD_A_BATCH);
	case QKD_CMD_KEY_FLUSH:
	case QKD_CMD_KEY_TAKE:
		return name | B(QKD_A_DIR);
	case QKD_CMD_KEY_EXPORT:
		return name | B(QKD_A_DIR) | B(QKD_A_KEYRING) | B(QKD_A_KEY_DESC);
	default:
		return 0;
	}
}

uint64_t cmd_required(uint8_t cmd, bool dump)
{
	uint64_t all = cmd_attrs(cmd, dump);

	switch (cmd) {
	case QKD_CMD_LINK_NEW:
	case QKD_CMD_LINK_SET:
	case QKD_CMD_KEY_FLUSH:
		return B(QKD_A_LINK_NAME);
	case QKD_CMD_SA_GET:
		return 0;
	case QKD_CMD_KEY_ADD:
		return B(QKD_A_LINK_NAME) | B(QKD_A_KEYS);
	case QKD_CMD_KEY_COMMIT:
		return B(QKD_A_LINK_NAME) | B(QKD_A_BATCH);
	default:
		return all;
	}
}

/* Writes a node; returns the position after it and its padding. */
static uint32_t put(struct gen *g, int i, uint8_t *buf, uint32_t pos)
{
	struct node *n = &g->n[i];
	struct nlattr *nla = (struct nlattr *)(buf + pos);
	uint32_t start = pos;

	if (pos + NLA_HDRLEN + n->len + 8 > FZ_MSG_MAX)
		abort();
	pos += NLA_HDRLEN;
	if (n->nest) {
		for (int c = n->child; c != NONE; c = g->n[c].next)
			pos = put(g, c, buf, pos);
		memcpy(buf + pos, n->trail, n->n_trail);
		pos += n->n_trail;
	} else {
		memcpy(buf + pos, payload(g, i), n->len);
		pos += n->len;
	}
	nla->nla_len = pos - start;
	nla->nla_type = n->type;
	while (pos % NLA_ALIGNTO)
		buf[pos++] = 0;
	return pos;
}

void emit(struct gen *g, uint16_t family, uint16_t flags, uint8_t version,
	  uint8_t reserved)
{
	struct fz_msg *m = g->m;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *gh = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	uint32_t pos = NLMSG_HDRLEN + GENL_HDRLEN, at[64], len[64];
	int spans = 0;

	for (int c = g->n[g->top].child; c != NONE; c = g->n[c].next) {
		uint32_t start = pos;

		pos = put(g, c, m->buf, pos);
		if (spans < 64) {
			at[spans] = start;
			len[spans++] = ((struct nlattr *)(m->buf + start))->nla_len;
		}
	}
	memcpy(m->buf + pos, g->n[g->top].trail, g->n[g->top].n_trail);
	pos += g->n[g->top].n_trail;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags |
			   (m->dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	gh->cmd = m->cmd;
	gh->version = version;
	gh->reserved = reserved;

	/*
	 * A cut strictly inside an attribute leaves bytes that no attribute
	 * covers; a cut into the genl header leaves a message too short.
	 */
	if (g->truncate) {
		if (spans && chance(&g->r, 90)) {
			int k = below(&g->r, spans);

			pos = at[k] + 1 + below(&g->r, len[k] - 1);
		} else {
			pos = NLMSG_HDRLEN + 1 + below(&g->r, GENL_HDRLEN - 1);
		}
	}
	for (unsigned int f = 0; f < g->flips && pos > NLMSG_HDRLEN + GENL_HDRLEN; f++)
		m->buf[NLMSG_HDRLEN + GENL_HDRLEN +
		       below(&g->r, pos - NLMSG_HDRLEN - GENL_HDRLEN)] ^= 1 + below(&g->r, 255);
	nlh->nlmsg_len = pos;
	m->len = pos;
}
