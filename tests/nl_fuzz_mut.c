// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's mutations. Each changes a request that a command model built
 * and breaks one rule of kmod/uapi/linux/qkd.h, which it names: the kernel
 * must refuse the result. A mutation returns false when the request has
 * nothing it could break (no key entry to add bytes to, say), and another
 * is tried.
 *
 * A later mutation may undo an earlier one's damage only by breaking a
 * rule of its own, so the last rule named always holds: it is the one a
 * report shows.
 */
#include <stdint.h>
#include <string.h>
#include <linux/netlink.h>

#include "nl_fuzz_gen.h"

#define TAKES_SETTINGS(cmd) ((cmd) == QKD_CMD_LINK_NEW || (cmd) == QKD_CMD_LINK_SET)

static int keys_nest(struct gen *g)
{
	return g->m->cmd == QKD_CMD_KEY_ADD ? find(g, g->top, QKD_A_KEYS) : NONE;
}

/* A key entry of the request at random, or NONE. */
static int some_entry(struct gen *g)
{
	int keys = keys_nest(g), n;

	if (keys == NONE || !g->n[keys].nest || !count(g, keys))
		return NONE;
	n = nth(g, keys, below(&g->r, count(g, keys)));
	return g->n[n].nest && (g->n[n].type & NLA_TYPE_MASK) == QKD_A_KEY ? n : NONE;
}

/* A top-level type the command's policy does not know. */
static uint16_t unknown_type(struct gen *g)
{
	uint64_t known = cmd_attrs(g->m->cmd, g->m->dump);
	uint16_t t;

	/* The dump's policy takes a name, and ignores it. */
	if (g->m->cmd == QKD_CMD_LINK_GET)
		known |= B(QKD_A_LINK_NAME);
	if (TAKES_SETTINGS(g->m->cmd))
		known |= B(QKD_A_LINK_ID) | B(QKD_A_LINK_BATCH) | B(QKD_A_LINK_STAGED);
	do {
		switch (below(&g->r, 3)) {
		case 0:
			t = below(&g->r, QKD_A_MAX + 1);
			break;
		case 1:
			t = QKD_A_MAX + 1 + below(&g->r, 16);
			break;
		default:
			t = below(&g->r, NLA_TYPE_MASK + 1);
			break;
		}
	} while (t <= QKD_A_MAX && (known & B(t)));
	return t;
}

static bool mut_unknown(struct gen *g)
{
	int e = some_entry(g);

	if (e != NONE && chance(&g->r, 40)) {
		uint16_t t = chance(&g->r, 50) ? below(&g->r, 2) :
			     QKD_A_KEY_MAX + 1 + below(&g->r, NLA_TYPE_MASK - QKD_A_KEY_MAX);

		leaf(g, e, t, NULL, below(&g->r, 24));
		place(g, e);
		must_fail(g, "attribute unknown in a key entry", "unknown-in-key");
		return true;
	}
	leaf(g, g->top, unknown_type(g), NULL, below(&g->r, 24));
	place(g, g->top);
	must_fail(g, "attribute the command does not take", "unknown");
	return true;
}

static bool mut_readonly(struct gen *g)
{
	static const uint16_t ro[] = { QKD_A_LINK_ID, QKD_A_LINK_BATCH, QKD_A_LINK_STAGED };
	int e = some_entry(g);
	uint16_t t;

	if (TAKES_SETTINGS(g->m->cmd)) {
		t = ro[below(&g->r, 3)];
		leaf_uint(g, g->top, t, rnd(&g->r), kind_size(attr_kind[t]));
		place(g, g->top);
	} else if (e != NONE) {
		leaf_uint(g, e, QKD_A_KEY_INDEX, rnd(&g->r), 8);
		place(g, e);
	} else {
		return false;
	}
	must_fail(g, "read-only attribute in a request", "read-only");
	return true;
}

static bool mut_missing(struct gen *g)
{
	uint64_t req = cmd_required(g->m->cmd, g->m->dump);
	int e = some_entry(g), c, cand[8], n = 0;
	uint16_t t;

	/* Only what is required goes: another mutation's attribute stays. */
	if (e != NONE && chance(&g->r, 50)) {
		t = QKD_A_KEY_DIR + below(&g->r, 3);
		while ((c = find(g, e, t)) != NONE)
			drop(g, e, c);
		must_fail(g, "key entry without its dir, ID or material", "missing-in-key");
		return true;
	}
	for (c = g->n[g->top].child; c != NONE && n < 8; c = g->n[c].next)
		if ((g->n[c].type & NLA_TYPE_MASK) <= QKD_A_MAX &&
		    (req & B(g->n[c].type & NLA_TYPE_MASK)))
			cand[n++] = c;
	if (!n)
		return false;
	drop_type(g, g->n[cand[below(&g->r, n)]].type & NLA_TYPE_MASK);
	must_fail(g, "required attribute missing", "missing");
	return true;
}

static bool mut_length(struct gen *g)
{
	int cand[48], n = 0, e = some_entry(g), i;
	uint32_t len, want;
	uint16_t t;

	for (i = g->n[g->top].child; i != NONE && n < 40; i = g->n[i].next) {
		t = g->n[i].type & NLA_TYPE_MASK;
		if (!g->n[i].nest && t <= QKD_A_MAX &&
		    (kind_size(attr_kind[t]) || attr_kind[t] == K_ADDR))
			cand[n++] = i;
	}
	if (e != NONE)
		for (i = g->n[e].child; i != NONE && n < 48; i = g->n[i].next)
			if (!g->n[i].nest && g->n[i].type >= QKD_A_KEY_DIR &&
			    g->n[i].type <= QKD_A_KEY_MATERIAL)
				cand[n++] = i;
	if (!n)
		return false;
	i = cand[below(&g->r, n)];
	t = g->n[i].type & NLA_TYPE_MASK;
	if (e != NONE && find(g, e, t) == i) {
		if (t == QKD_A_KEY_MATERIAL && chance(&g->r, 50) && g->link) {
			do
				len = QKD_KEY_BITS_MIN / 8 + below(&g->r, 49);
			while (len == g->mat_len);
			set_len(g, i, len);
			must_fail(g, "material length is not key-bits / 8", "material-len");
			return true;
		}
		want = t == QKD_A_KEY_DIR ? 1 : t == QKD_A_KEY_ID ? QKD_KEY_ID_LEN : 0;
		if (!want)	/* material: outside what any link takes */
			len = chance(&g->r, 50) ? below(&g->r, 16) : 65 + below(&g->r, 40);
		else
			do
				len = below(&g->r, 2 * want + 3);
			while (len == want);
	} else if (attr_kind[t] == K_ADDR) {
		do
			len = below(&g->r, 25);
		while (len == 4 || len == 16);
	} else {
		want = kind_size(attr_kind[t]);
		do
			len = below(&g->r, 2 * want + 3);
		while (len == want);
	}
	set_len(g, i, len);
	must_fail(g, "attribute of the wrong length", "length");
	return true;
}

static bool mut_range(struct gen *g)
{
	static const uint16_t ranged[] = {
		QKD_A_LINK_MODE, QKD_A_LINK_CIPHER, QKD_A_LINK_ON_EMPTY,
		QKD_A_LINK_CONSUMER, QKD_A_LINK_RX_WINDOW, QKD_A_LINK_KEY_BITS,
		QKD_A_LINK_CAPACITY, QKD_A_DIR, QKD_A_BATCH,
	};
	uint64_t takes = cmd_attrs(g->m->cmd, g->m->dump);
	struct rng *r = &g->r;
	int cand[16], n = 0, e = some_entry(g), i;
	const char *rule = "value out of range";
	uint16_t t;

	for (size_t k = 0; k < ARRAY_SIZE(ranged); k++) {
		i = find(g, g->top, ranged[k]);
		if (i != NONE && !g->n[i].nest &&
		    g->n[i].len == kind_size(attr_kind[ranged[k]]))
			cand[n++] = i;
	}
	i = e != NONE ? find(g, e, QKD_A_KEY_DIR) : NONE;
	if (i != NONE && g->n[i].len == 1)
		cand[n++] = i;
	if (!n) {
		if (takes & B(QKD_A_DIR))
			cand[n++] = leaf_uint(g, g->top, QKD_A_DIR, 0, 1);
		else if (takes & B(QKD_A_BATCH))
			cand[n++] = leaf_uint(g, g->top, QKD_A_BATCH, 1, 8);
		else
			return false;
	}
	i = cand[below(r, n)];
	t = g->n[i].type & NLA_TYPE_MASK;
	if (e != NONE && find(g, e, QKD_A_KEY_DIR) == i)
		t = QKD_A_DIR;
	switch (t) {
	case QKD_A_LINK_MODE:
	case QKD_A_LINK_ON_EMPTY:
	case QKD_A_LINK_CONSUMER:
	case QKD_A_DIR:
		set_uint(g, i, 2 + below(r, 254));
		break;
	case QKD_A_LINK_CIPHER:
		set_uint(g, i, 3 + below(r, 253));
		break;
	case QKD_A_LINK_RX_WINDOW:
		set_uint(g, i, chance(r, 30) ? 0 : QKD_RX_WINDOW_MAX + 1 + below(r, 239));
		break;
	case QKD_A_LINK_KEY_BITS:
		switch (below(r, 3)) {
		case 0:
			set_uint(g, i, below(r, QKD_KEY_BITS_MIN));
			break;
		case 1:
			set_uint(g, i, QKD_KEY_BITS_MAX + 1 + below(r, 65023));
			break;
		default:
			set_uint(g, i, QKD_KEY_BITS_MIN + 8 * below(r, 48) + 1 + below(r, 7));
			rule = "key-bits not a multiple of 8";
		}
		break;
	case QKD_A_LINK_CAPACITY:
		if (chance(r, 40) || g->model->max_pool_keys == UINT32_MAX) {
			set_uint(g, i, 0);
		} else {
			set_uint(g, i, g->model->max_pool_keys + 1 +
				 below(r, UINT32_MAX - g->model->max_pool_keys));
			rule = "capacity above max_pool_keys";
		}
		break;
	case QKD_A_BATCH:
		set_uint(g, i, 0);
		break;
	}
	must_fail(g, rule, "range");
	return true;
}

static bool mut_name(struct gen *g)
{
	int i = find(g, g->top, QKD_A_LINK_NAME);
	char buf[80];
	uint32_t len = 1 + below(&g->r, QKD_LINK_NAME_MAX), extra;
	uint8_t bad;

	if (i == NONE || g->n[i].nest) {
		if (!(cmd_attrs(g->m->cmd, g->m->dump) & B(QKD_A_LINK_NAME)))
			return false;
		i = leaf(g, g->top, QKD_A_LINK_NAME, "", 0);
	}
	switch (below(&g->r, 5)) {
	case 0:
		set_payload(g, i, "", 1);
		must_fail(g, "link name empty", "name-empty");
		break;
	case 1:
		len = 1 + below(&g->r, 40);
		random_name(g, buf, len);
		set_payload(g, i, buf, len);
		must_fail(g, "link name not NUL-terminated", "name-no-nul");
		break;
	case 2:
		random_name(g, buf, QKD_LINK_NAME_MAX + 1 + below(&g->r, 28));
		set_payload(g, i, buf, strlen(buf) + 1);
		must_fail(g, "link name longer than QKD_LINK_NAME_MAX", "name-long");
		break;
	case 3:
		/*
		 * Bytes after the terminating NUL: the name is not the attribute.
		 * The request's own name goes first, so that the link it names
		 * exists (the one a truncating kernel would act on).
		 */
		if (g->n[i].len > 1 && g->n[i].len <= QKD_LINK_NAME_MAX + 1 &&
		    !payload(g, i)[g->n[i].len - 1]) {
			len = g->n[i].len - 1;
			memcpy(buf, payload(g, i), len + 1);
		} else {
			random_name(g, buf, len);
		}
		extra = 1 + below(&g->r, 8);
		for (uint32_t k = 0; k < extra; k++)
			buf[len + 1 + k] = rnd(&g->r);
		set_payload(g, i, buf, len + 1 + extra);
		must_fail(g, fz_rule_after_nul, "name-after-nul");
		break;
	default:
		random_name(g, buf, len);
		do
			bad = 1 + below(&g->r, 255);
		while (strchr(fz_name_chars, bad));
		buf[below(&g->r, len)] = bad;
		set_payload(g, i, buf, len + 1);
		must_fail(g, "link name byte outside [A-Za-z0-9._-]", "name-byte");
	}
	return true;
}

static bool mut_string(struct gen *g)
{
	uint16_t t = g->m->cmd == QKD_CMD_KEY_EXPORT ? QKD_A_KEY_DESC :
		     below(&g->r, 2) ? QKD_A_LINK_LOCAL_SAE : QKD_A_LINK_PEER_SAE;
	unsigned int max = t == QKD_A_KEY_DESC ? QKD_KEY_DESC_MAX : QKD_SAE_ID_MAX;
	int i = find(g, g->top, t);
	char buf[320];
	uint32_t len;

	if (g->m->cmd != QKD_CMD_KEY_EXPORT && !TAKES_SETTINGS(g->m->cmd))
		return false;
	if (i == NONE || g->n[i].nest)
		i = leaf(g, g->top, t, "", 0);
	switch (below(&g->r, t == QKD_A_KEY_DESC ? 6 : 3)) {
	case 0:
		len = max + 1 + below(&g->r, 40);
		random_name(g, buf, len);
		if (t == QKD_A_KEY_DESC)
			buf[2] = ':';
		set_payload(g, i, buf, len + 1);
		must_fail(g, "string longer than its limit", "string-long");
		break;
	case 1:
		len = 1 + below(&g->r, max);
		random_name(g, buf, len);
		set_payload(g, i, buf, len);
		must_fail(g, "string not NUL-terminated", "string-no-nul");
		break;
	case 2:
		/* A description keeps its PREFIX:NAME shape: only the tail is wrong. */
		len = 3 + below(&g->r, 20);
		random_name(g, buf, len);
		if (t == QKD_A_KEY_DESC)
			buf[len / 2] = ':';
		for (uint32_t k = 0; k < 4; k++)
			buf[len + 1 + k] = 1 + below(&g->r, 255);
		set_payload(g, i, buf, len + 1 + 1 + below(&g->r, 4));
		must_fail(g, fz_rule_after_nul, "string-after-nul");
		break;
	default:
		random_name(g, buf, 1 + below(&g->r, 20));
		len = strlen(buf);
		if (chance(&g->r, 50)) {
			buf[chance(&g->r, 50) ? 0 : len - 1] = ':';
			if (len == 1)
				buf[0] = ':';
		}
		set_payload(g, i, buf, len + 1);
		must_fail(g, "key description not PREFIX:NAME", "desc-format");
	}
	return true;
}

static bool mut_trail(struct gen *g)
{
	int keys = keys_nest(g), e = some_entry(g), where = below(&g->r, 3), host;
	struct node *n;
	const char *rule = "trailing bytes after the attributes";

	if (where == 1 && keys != NONE && g->n[keys].nest) {
		host = keys;
		rule = "trailing bytes inside QKD_A_KEYS";
	} else if (where == 2 && e != NONE) {
		host = e;
		rule = "trailing bytes inside a key entry";
	} else {
		host = g->top;
	}
	n = &g->n[host];
	n->n_trail = 1 + below(&g->r, 3);
	for (int k = 0; k < n->n_trail; k++)
		n->trail[k] = rnd(&g->r);
	/* At the top also an attribute header that cannot fit. */
	if (host == g->top && chance(&g->r, 40)) {
		uint16_t nla_len = chance(&g->r, 50) ? below(&g->r, NLA_HDRLEN) :
				   8 + below(&g->r, 250);

		n->n_trail = 4 + below(&g->r, 4);
		memcpy(n->trail, &nla_len, 2);
		for (int k = 2; k < n->n_trail; k++)
			n->trail[k] = rnd(&g->r);
	}
	must_fail(g, rule, "trail");
	return true;
}

/* Nests where the contract has none, or none where it has one. */
static bool mut_nest(struct gen *g)
{
	int keys = keys_nest(g), e = some_entry(g), i, c, cand[40], n = 0;
	struct rng *r = &g->r;
	uint16_t t;

	if (keys != NONE && g->n[keys].nest) {
		switch (below(r, 5)) {
		case 0:
			t = below(r, 2) ? QKD_A_KEY_MATERIAL : below(r, QKD_A_KEY);
			i = leaf(g, keys, t, NULL, 0);
			set_len(g, i, g->mat_len);
			place(g, keys);
			must_fail(g, "QKD_A_KEYS holds key entries only", "leaf-in-keys");
			return true;
		case 1:
			key_entry(g, g->top, below(r, 2), g->mat_len);
			place(g, g->top);
			must_fail(g, "key entry outside QKD_A_KEYS", "entry-at-top");
			return true;
		case 2:
			if (e == NONE)
				break;
			c = node_new(g, e, QKD_A_KEYS, true);
			key_entry(g, c, below(r, 2), g->mat_len);
			place(g, e);
			must_fail(g, "QKD_A_KEYS inside a key entry", "keys-in-entry");
			return true;
		case 3:
			node_new(g, keys, QKD_A_KEY, true);
			place(g, keys);
			must_fail(g, "key entry without its dir, ID or material", "empty-entry");
			return true;
		}
	}
	/*
	 * An attribute wrapped in a nest of its own type. Not a fixed-size
	 * one whose wrapping comes out at its size: a u64 around a leaf of 4
	 * bytes or fewer (an earlier length mutation) is a well-formed u64.
	 */
	for (i = g->n[g->top].child; i != NONE && n < 40; i = g->n[i].next) {
		t = g->n[i].type & NLA_TYPE_MASK;
		if (t > QKD_A_MAX)
			continue;
		if (kind_size(attr_kind[t]) && !g->n[i].nest &&
		    NLA_ALIGN(NLA_HDRLEN + g->n[i].len) == kind_size(attr_kind[t]))
			continue;
		if (kind_size(attr_kind[t]) || t == QKD_A_LINK_NAME || t == QKD_A_KEYS)
			cand[n++] = i;
	}
	if (!n)
		return false;
	i = cand[below(r, n)];
	t = g->n[i].type & NLA_TYPE_MASK;
	c = node_new(g, NONE, t, g->n[i].nest);
	g->n[c].off = g->n[i].off;
	g->n[c].len = g->n[i].len;
	g->n[c].child = g->n[i].child;
	g->n[c].last = g->n[i].last;
	g->n[i].nest = true;
	g->n[i].child = g->n[i].last = c;
	g->n[i].type = t | (chance(r, 50) ? NLA_F_NESTED : 0);
	must_fail(g, t == QKD_A_KEYS ? "QKD_A_KEYS holds key entries only" :
		  t == QKD_A_LINK_NAME ? "link name byte outside [A-Za-z0-9._-]" :
		  "attribute of the wrong length", "wrapped");
	return true;
}

static bool mut_flag(struct gen *g)
{
	int keys = keys_nest(g), e = some_entry(g), i;

	if (keys != NONE && g->n[keys].nest && chance(&g->r, 40)) {
		g->n[keys].type &= ~NLA_F_NESTED;
		must_fail(g, "NLA_F_NESTED missing on a nest (strict validation)", "no-nested-flag");
		return true;
	}
	i = e != NONE && chance(&g->r, 40) ? nth(g, e, below(&g->r, count(g, e))) :
	    nth(g, g->top, below(&g->r, count(g, g->top)));
	if (i == NONE || g->n[i].nest)
		return false;
	g->n[i].type |= NLA_F_NESTED;
	must_fail(g, "NLA_F_NESTED on an attribute that is no nest (strict validation)",
		  "nested-flag");
	return true;
}

static bool mut_dump(struct gen *g)
{
	if (g->m->cmd == QKD_CMD_LINK_GET)
		return false;
	if (g->m->cmd == QKD_CMD_SA_GET) {
		g->m->dump = false;
		must_fail(g, "SA_GET is a dump only", "sa-doit");
		return true;
	}
	g->m->dump = true;
	must_fail(g, "NLM_F_DUMP on a command without a dump", "dump");
	return true;
}

static bool mut_cmd(struct gen *g)
{
	static const uint8_t unserved[] = {
		QKD_CMD_UNSPEC, QKD_CMD_EVENT_LOW_WATER, QKD_CMD_EVENT_EMPTY,
		QKD_CMD_EVENT_DISCARD, QKD_CMD_EVENT_REKEY, QKD_CMD_EVENT_SA_ERROR,
		QKD_CMD_EVENT_HOLDING, QKD_CMD_EVENT_BLOCKED,
	};

	/* Key material goes to KEY_ADD only: it alone promises to wipe it. */
	if (g->m->material)
		return false;
	g->m->cmd = chance(&g->r, 60) ? unserved[below(&g->r, sizeof(unserved))] :
		    QKD_CMD_MAX + 1 + below(&g->r, 255 - QKD_CMD_MAX);
	must_fail(g, "a command the family does not serve", "cmd");
	return true;
}

static bool mut_keys_count(struct gen *g)
{
	int keys = keys_nest(g);

	if (keys == NONE || !g->n[keys].nest)
		return false;
	if (chance(&g->r, 50)) {
		g->n[keys].child = g->n[keys].last = NONE;
		must_fail(g, "no key in QKD_A_KEYS", "no-keys");
		return true;
	}
	while (count(g, keys) <= QKD_KEY_BATCH_MAX)
		key_entry(g, keys, below(&g->r, 2), g->mat_len);
	must_fail(g, "more than QKD_KEY_BATCH_MAX keys", "too-many-keys");
	return true;
}

static bool mut_dup_id(struct gen *g)
{
	int e = some_entry(g), id = e != NONE ? find(g, e, QKD_A_KEY_ID) : NONE, copy;

	if (id == NONE || g->n[id].len != QKD_KEY_ID_LEN)
		return false;
	copy = key_entry(g, keys_nest(g), below(&g->r, 2), g->mat_len);
	place(g, keys_nest(g));
	memcpy(payload(g, find(g, copy, QKD_A_KEY_ID)), payload(g, id), QKD_KEY_ID_LEN);
	must_fail(g, "a key ID twice in one batch", "dup-id");
	return true;
}

static bool mut_keyring(struct gen *g)
{
	int32_t v = chance(&g->r, 30) ? 0 : INT32_MIN + (int32_t)below(&g->r, INT32_MAX - 8);

	if (g->m->cmd != QKD_CMD_KEY_EXPORT)
		return false;
	set_attr(g, QKD_A_KEYRING, (uint32_t)v);
	must_fail(g, "keyring neither a serial nor a KEY_SPEC_*", "keyring");
	return true;
}

static bool mut_truncate(struct gen *g)
{
	g->truncate = true;
	must_fail(g, "message cut inside an attribute or header", "truncate");
	return true;
}

void mutate(struct gen *g)
{
	static const struct {
		bool (*fn)(struct gen *g);
		unsigned int weight;
	} muts[] = {
		{ mut_unknown, 12 }, { mut_readonly, 5 }, { mut_missing, 8 },
		{ mut_length, 12 }, { mut_range, 12 }, { mut_name, 12 },
		{ mut_string, 6 }, { mut_cross, 8 }, { mut_trail, 10 },
		{ mut_nest, 8 }, { mut_flag, 4 }, { mut_dump, 4 }, { mut_cmd, 4 },
		{ mut_keys_count, 3 }, { mut_dup_id, 3 }, { mut_keyring, 2 },
		{ mut_truncate, 8 },
	};
	unsigned int total = 0, w;

	for (size_t k = 0; k < ARRAY_SIZE(muts); k++)
		total += muts[k].weight;
	g->structural = true;
	for (int tries = 0; tries < 32; tries++) {
		w = below(&g->r, total);
		for (size_t k = 0; k < ARRAY_SIZE(muts); k++) {
			if (w >= muts[k].weight) {
				w -= muts[k].weight;
				continue;
			}
			if (muts[k].fn(g))
				return;
			break;
		}
	}
	mut_unknown(g);
}
