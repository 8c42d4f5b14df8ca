// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's message generator: a model of every command of the "qkd"
 * family, and the verdict each request earns.
 *
 * A request is built as a tree of attributes, valid for its command: the
 * attributes the contract lists for it, random values in their ranges.
 * Mutations (nl_fuzz_mut.c) then break rules they name (the last one
 * named always holds: a mutation undoes another's damage only by breaking
 * a rule of its own). Next come the rules that depend on state, read off the finished
 * tree and the model's links (a name taken, a reqid bound, a link the
 * request needs and that does not exist, a batch not staged), and last the
 * rules of who sends. Random byte flips, applied when the tree is written
 * out, leave a message nobody can classify: it is sent to see that the
 * kernel survives it, and only the rules of who sends still bind it.
 */
#include <string.h>
#include <linux/netlink.h>

#include "nl_fuzz_gen.h"

static unsigned int cipher_bits(uint8_t cipher)
{
	return cipher == QKD_CIPHER_AES_GCM_128 ? 128 : 256;
}

/* Key IDs are unique per case, index and entry, and never the pattern. */
int key_entry(struct gen *g, int keys, uint8_t dir, uint32_t mat_len)
{
	uint64_t n = g->index;
	uint8_t id[QKD_KEY_ID_LEN] = { 0x1d, g->model->who };
	int e = node_new(g, keys, QKD_A_KEY, true), mat;

	for (int i = 0; i < 8; i++)
		id[2 + i] = n >> (56 - 8 * i);
	id[10] = g->n_ids >> 8;
	id[11] = g->n_ids++;
	/* Now and then an ID an earlier request may have added. */
	if (chance(&g->r, 4) && g->index > 0)
		id[9] ^= 1 + below(&g->r, 15);
	leaf_uint(g, e, QKD_A_KEY_DIR, dir, 1);
	leaf(g, e, QKD_A_KEY_ID, id, sizeof(id));
	mat = leaf(g, e, QKD_A_KEY_MATERIAL, "", 0);
	set_len(g, mat, mat_len);
	return e;
}

/* What the link a command names should be, for it to get anywhere. */
enum want { W_ANY, W_FRESH, W_STAGED, W_EXPORT, W_READY };

static bool wanted(const struct fz_link *l, enum want w)
{
	const struct fz_cfg *c = &l->cfg;

	switch (w) {
	case W_STAGED:
		return l->staged;
	case W_EXPORT:
		return c->consumer == QKD_CONSUMER_EXPORT && l->held;
	case W_READY:
		return c->consumer == QKD_CONSUMER_XFRM && c->local_len &&
		       c->peer_len && (c->reqid || c->if_id) && l->held;
	default:
		return false;
	}
}

static const char *pick_name(struct gen *g, enum want w, char *buf)
{
	const struct fz_model *model = g->model;
	unsigned int r = below(&g->r, 100), k;
	int fit[FZ_LINKS_MAX], n = 0;

	for (int i = 0; w > W_FRESH && i < model->n; i++)
		if (wanted(&model->links[i], w))
			fit[n++] = i;
	if (n && chance(&g->r, 70))
		return model->links[fit[below(&g->r, n)]].name;
	if (w == W_FRESH && chance(&g->r, 80)) {
		k = below(&g->r, model->n_names);
		for (int j = 0; j < model->n_names; j++) {
			const char *name = model->names[(k + j) % model->n_names];

			if (!fz_find(model, name))
				return name;
		}
	}
	if (r < 60 && model->n)
		return model->links[below(&g->r, model->n)].name;
	if (r < 93)
		return model->names[below(&g->r, model->n_names)];
	random_name(g, buf, chance(&g->r, 10) ? QKD_LINK_NAME_MAX :
			    1 + below(&g->r, 12));
	return buf;
}

static void put_name(struct gen *g, enum want w)
{
	char buf[QKD_LINK_NAME_MAX + 1];
	const char *name = pick_name(g, w, buf);

	leaf_str(g, g->top, QKD_A_LINK_NAME, name);
	g->link = fz_find(g->model, name);
	g->mat_len = g->link ? g->link->cfg.key_bits / 8 : 32;
}

/*
 * Settings valid together; each goes in with probability @pct. A @ready
 * link gets what its SAs need: both addresses and a reqid or an if-id.
 */
static void put_settings(struct gen *g, unsigned int pct, bool ready)
{
	struct rng *r = &g->r;
	uint8_t cipher = below(r, 3), addr[16], fam = chance(r, 50) ? 4 : 16;
	unsigned int cb = cipher_bits(cipher);
	uint32_t cap = chance(r, 10) ? g->model->max_pool_keys :
		       1 + below(r, chance(r, 60) ? 64 : 600);
	uint32_t rekey = chance(r, 20) ? 0 : chance(r, 10) ? 1 + below(r, 5) :
			 60 + below(r, 4000);
	uint32_t binding = 1 + below(r, 40);
	int top = g->top, which = below(r, ready ? 2 : 3);
	char sae[QKD_SAE_ID_MAX + 1];

	for (int t = QKD_A_LINK_LOCAL_SAE; t <= QKD_A_LINK_RX_WINDOW; t++) {
		bool need = ready && (t == QKD_A_LINK_LOCAL_ADDR || t == QKD_A_LINK_PEER_ADDR ||
				      t == (which ? QKD_A_LINK_IF_ID : QKD_A_LINK_REQID));

		if (!need && (!chance(r, pct) || (ready && t == QKD_A_LINK_CONSUMER)))
			continue;
		switch (t) {
		case QKD_A_LINK_LOCAL_SAE:
		case QKD_A_LINK_PEER_SAE:
			random_name(g, sae, chance(r, 5) ? QKD_SAE_ID_MAX :
					    below(r, 24));
			leaf_str(g, top, t, sae);
			break;
		case QKD_A_LINK_LOCAL_ADDR:
		case QKD_A_LINK_PEER_ADDR:
			for (int i = 0; i < 16; i++)
				addr[i] = rnd(r);
			leaf(g, top, t, addr, fam);
			break;
		case QKD_A_LINK_REQID:
		case QKD_A_LINK_IF_ID:
			leaf_uint(g, top, t, which == (t == QKD_A_LINK_REQID ? 0 : 1) ?
				  binding : 0, 4);
			break;
		case QKD_A_LINK_MODE:
		case QKD_A_LINK_ON_EMPTY:
		case QKD_A_LINK_CONSUMER:
			leaf_uint(g, top, t, below(r, 2), 1);
			break;
		case QKD_A_LINK_CIPHER:
			leaf_uint(g, top, t, cipher, 1);
			break;
		case QKD_A_LINK_KEY_BITS:
			leaf_uint(g, top, t, cb + 8 * below(r, (512 - cb) / 8 + 1), 2);
			break;
		case QKD_A_LINK_CAPACITY:
			leaf_uint(g, top, t, cap, 4);
			break;
		case QKD_A_LINK_LOW_WATER:
			leaf_uint(g, top, t, below(r, cap + 1), 4);
			break;
		case QKD_A_LINK_REKEY_TIME:
			leaf_uint(g, top, t, rekey, 4);
			break;
		case QKD_A_LINK_MAX_KEY_AGE:
			leaf_uint(g, top, t, chance(r, 30) ? 0 : rekey + below(r, 5000), 4);
			break;
		case QKD_A_LINK_REKEY_BYTES:
		case QKD_A_LINK_REKEY_PACKETS:
			leaf_uint(g, top, t, chance(r, 50) ? 0 : rnd(r) >> below(r, 64), 8);
			break;
		case QKD_A_LINK_RX_WINDOW:
			leaf_uint(g, top, t, 1 + below(r, ready ? 3 : QKD_RX_WINDOW_MAX), 1);
			break;
		}
	}
}

static uint64_t batch_for(struct gen *g, bool staging)
{
	const struct fz_link *l = g->link;

	if (l && l->staged && chance(&g->r, staging ? 20 : 70))
		return l->staged;
	if (l && chance(&g->r, 60) && (staging || l->batch))
		return l->batch + (staging ? 1 + below(&g->r, 3) : 0);
	return 1 + below(&g->r, 20);
}

static void build(struct gen *g)
{
	struct rng *r = &g->r;
	struct fz_msg *m = g->m;
	int keys, n;

	switch (m->cmd) {
	case QKD_CMD_LINK_NEW:
		put_name(g, W_FRESH);
		/* Rare: the SAs of a link ready for xfrm cost much time under TCG. */
		put_settings(g, 45, chance(r, 8));
		break;
	case QKD_CMD_LINK_SET:
		put_name(g, W_ANY);
		put_settings(g, 20, false);
		break;
	case QKD_CMD_LINK_GET:
	case QKD_CMD_SA_GET:
		m->dump = m->cmd == QKD_CMD_SA_GET || chance(r, 40);
		if (!m->dump || (m->cmd == QKD_CMD_SA_GET && chance(r, 50)))
			put_name(g, W_READY);
		break;
	case QKD_CMD_KEY_ADD:
		put_name(g, W_ANY);
		keys = node_new(g, g->top, QKD_A_KEYS, true);
		n = chance(r, 3) ? (chance(r, 40) ? QKD_KEY_BATCH_MAX :
				    9 + below(r, 200)) : 1 + below(r, 8);
		for (int i = 0; i < n; i++)
			key_entry(g, keys, below(r, 2), g->mat_len);
		if (chance(r, 35))
			leaf_uint(g, g->top, QKD_A_BATCH, batch_for(g, true), 8);
		m->material = true;
		break;
	case QKD_CMD_KEY_COMMIT:
	case QKD_CMD_KEY_ABORT:
		put_name(g, W_STAGED);
		leaf_uint(g, g->top, QKD_A_BATCH, batch_for(g, false), 8);
		if (m->cmd == QKD_CMD_KEY_COMMIT && chance(r, 40))
			leaf_uint(g, g->top, QKD_A_DIR, below(r, 2), 1);
		break;
	case QKD_CMD_KEY_FLUSH:
	case QKD_CMD_KEY_TAKE:
	case QKD_CMD_KEY_EXPORT:
		put_name(g, m->cmd == QKD_CMD_KEY_FLUSH ? W_ANY : W_EXPORT);
		if (m->cmd != QKD_CMD_KEY_FLUSH || chance(r, 50))
			leaf_uint(g, g->top, QKD_A_DIR, below(r, 2), 1);
		if (m->cmd == QKD_CMD_KEY_EXPORT) {
			char desc[40] = "fz:";

			/* Thread or process keyring: gone when the fuzzer is. */
			leaf_uint(g, g->top, QKD_A_KEYRING,
				  (uint32_t)(chance(r, 70) ? -1 : -2), 4);
			random_name(g, desc + 3, 1 + below(r, 30));
			leaf_str(g, g->top, QKD_A_KEY_DESC, desc);
		}
		break;
	case QKD_CMD_LINK_DEL:
	case QKD_CMD_LINK_REKEY:
		put_name(g, m->cmd == QKD_CMD_LINK_REKEY ? W_READY : W_ANY);
		break;
	}
}

static uint64_t get_uint(struct gen *g, int i)
{
	uint64_t v = 0;

	memcpy(&v, payload(g, i), g->n[i].len < 8 ? g->n[i].len : 8);
	return v;
}

/* The link the request would leave: @c overlaid with its settings. */
static void tree_cfg(struct gen *g, struct fz_cfg *c, bool is_new)
{
	for (int i = g->n[g->top].child; i != NONE; i = g->n[i].next) {
		uint64_t v = get_uint(g, i);

		switch (g->n[i].type & NLA_TYPE_MASK) {
		case QKD_A_LINK_LOCAL_ADDR:
			c->local_len = g->n[i].len;
			break;
		case QKD_A_LINK_PEER_ADDR:
			c->peer_len = g->n[i].len;
			break;
		case QKD_A_LINK_REQID:
			c->reqid = v;
			break;
		case QKD_A_LINK_IF_ID:
			c->if_id = v;
			break;
		case QKD_A_LINK_CIPHER:
			c->cipher = v;
			break;
		case QKD_A_LINK_KEY_BITS:
			c->key_bits = v;
			break;
		case QKD_A_LINK_CAPACITY:
			c->capacity = v;
			/* A new link's low-water follows a capacity given alone. */
			if (is_new && find(g, g->top, QKD_A_LINK_LOW_WATER) == NONE)
				c->low_water = v / 4;
			break;
		case QKD_A_LINK_LOW_WATER:
			c->low_water = v;
			break;
		case QKD_A_LINK_REKEY_TIME:
			c->rekey_time = v;
			break;
		case QKD_A_LINK_MAX_KEY_AGE:
			c->max_key_age = v;
			break;
		case QKD_A_LINK_CONSUMER:
			c->consumer = v;
			break;
		}
	}
}

/* The rules between settings and against the namespace's other links. */
static const char *cfg_rule(const struct fz_model *model, const struct fz_cfg *c,
			    const struct fz_link *self)
{
	if (c->reqid && c->if_id)
		return "reqid and if-id together";
	if (c->key_bits % 8)
		return "key-bits not a multiple of 8";
	if (c->key_bits < cipher_bits(c->cipher))
		return "key-bits below the cipher's key size";
	if (c->capacity > model->max_pool_keys)
		return "capacity above max_pool_keys";
	if (c->low_water > c->capacity)
		return "low-water above the capacity";
	if (c->max_key_age && c->max_key_age < c->rekey_time)
		return "max-key-age below rekey-time";
	if (c->local_len && c->peer_len && c->local_len != c->peer_len)
		return "local and peer addresses of two families";
	for (int i = 0; i < model->n; i++) {
		const struct fz_link *o = &model->links[i];

		if (o == self)
			continue;
		if (c->reqid && o->cfg.reqid == c->reqid)
			return "reqid bound to another link";
		if (c->if_id && o->cfg.if_id == c->if_id)
			return "if-id bound to another link";
	}
	return NULL;
}

/* Breaks one of cfg_rule()'s rules with settings valid one by one. */
bool mut_cross(struct gen *g)
{
	struct rng *r = &g->r;
	bool is_new = g->m->cmd == QKD_CMD_LINK_NEW;
	uint32_t cap_max = g->model->max_pool_keys < 2000 ? g->model->max_pool_keys : 2000;
	uint32_t v = 2 + below(r, 100000);
	uint8_t addr[16] = { 192, 0, 2, 1 };
	int i;

	if (!(g->m->cmd == QKD_CMD_LINK_NEW || g->m->cmd == QKD_CMD_LINK_SET))
		return false;
	switch (below(r, is_new ? 8 : 5)) {
	case 0:
		v = 1 + below(r, cap_max);
		set_attr(g, QKD_A_LINK_CAPACITY, v);
		set_attr(g, QKD_A_LINK_LOW_WATER, v + 1 + below(r, 5000));
		must_fail(g, "low-water above the capacity", "cross-low-water");
		break;
	case 1:
		set_attr(g, QKD_A_LINK_REKEY_TIME, v);
		set_attr(g, QKD_A_LINK_MAX_KEY_AGE, 1 + below(r, v - 1));
		must_fail(g, "max-key-age below rekey-time", "cross-age");
		break;
	case 2:
		set_attr(g, QKD_A_LINK_REQID, 1 + below(r, 1000000));
		set_attr(g, QKD_A_LINK_IF_ID, 1 + below(r, 1000000));
		must_fail(g, "reqid and if-id together", "cross-binding");
		break;
	case 3:
		drop_type(g, QKD_A_LINK_LOCAL_ADDR);
		drop_type(g, QKD_A_LINK_PEER_ADDR);
		i = chance(r, 50);
		leaf(g, g->top, QKD_A_LINK_LOCAL_ADDR, addr, i ? 4 : 16);
		place(g, g->top);
		leaf(g, g->top, QKD_A_LINK_PEER_ADDR, addr, i ? 16 : 4);
		place(g, g->top);
		must_fail(g, "local and peer addresses of two families", "cross-family");
		break;
	case 4:
		set_attr(g, QKD_A_LINK_CIPHER, chance(r, 50) ? QKD_CIPHER_AES_GCM_256 :
						QKD_CIPHER_CHACHA20_POLY1305);
		set_attr(g, QKD_A_LINK_KEY_BITS, QKD_KEY_BITS_MIN + 8 * below(r, 16));
		must_fail(g, "key-bits below the cipher's key size", "cross-key-bits");
		break;
	/* A new link against the documented defaults of what it leaves out. */
	case 5:
		drop_type(g, QKD_A_LINK_CAPACITY);
		set_attr(g, QKD_A_LINK_LOW_WATER, QKD_LINK_DEFAULT_CAPACITY + 1 + below(r, 10000));
		must_fail(g, "low-water above the default capacity", "default-low-water");
		break;
	case 6:
		drop_type(g, QKD_A_LINK_REKEY_TIME);
		set_attr(g, QKD_A_LINK_MAX_KEY_AGE, 1 + below(r, QKD_LINK_DEFAULT_REKEY_TIME - 1));
		must_fail(g, "max-key-age below the default rekey-time", "default-age");
		break;
	default:
		drop_type(g, QKD_A_LINK_CIPHER);
		set_attr(g, QKD_A_LINK_KEY_BITS, QKD_KEY_BITS_MIN + 8 * below(r, 16));
		must_fail(g, "key-bits below the default cipher's key size", "default-key-bits");
	}
	return true;
}

static const struct fz_cfg defaults = {
	.key_bits = QKD_LINK_DEFAULT_KEY_BITS,
	.capacity = QKD_LINK_DEFAULT_CAPACITY,
	.low_water = QKD_LINK_DEFAULT_CAPACITY / 4,
	.rekey_time = QKD_LINK_DEFAULT_REKEY_TIME,
	.max_key_age = QKD_LINK_DEFAULT_MAX_KEY_AGE,
};

static bool batch_ids_repeat(struct gen *g, int keys)
{
	for (int a = g->n[keys].child; a != NONE; a = g->n[a].next)
		for (int b = g->n[a].next; b != NONE; b = g->n[b].next) {
			int ia = find(g, a, QKD_A_KEY_ID), ib = find(g, b, QKD_A_KEY_ID);

			if (!memcmp(payload(g, ia), payload(g, ib), QKD_KEY_ID_LEN))
				return true;
		}
	return false;
}

/* Rules of state, for a request whose bytes break none. */
static void state_rules(struct gen *g)
{
	const struct fz_link *l = g->link;
	struct fz_msg *m = g->m;
	int name = find(g, g->top, QKD_A_LINK_NAME);
	int keys = find(g, g->top, QKD_A_KEYS), batch = find(g, g->top, QKD_A_BATCH);
	struct fz_cfg c;
	const char *rule;

	if (name == NONE && m->cmd != QKD_CMD_LINK_NEW)
		return;		/* a dump of everything, or STATS_GET */
	if (m->cmd == QKD_CMD_LINK_NEW) {
		c = defaults;
		tree_cfg(g, &c, true);
		if (l)
			must_fail(g, "link name taken", NULL);
		else if (g->model->partial)
			return;
		rule = cfg_rule(g->model, &c, NULL);
		if (rule)
			must_fail(g, rule, NULL);
		else if (g->model->max_links && g->model->n >= (int)g->model->max_links)
			must_fail(g, "userns_max_links reached", NULL);
		return;
	}
	if (!l) {
		/* A link's absence is known only from a whole dump. */
		if (!g->model->partial)
			must_fail(g, "no link of that name", NULL);
		return;
	}
	switch (m->cmd) {
	case QKD_CMD_LINK_SET:
		c = l->cfg;
		tree_cfg(g, &c, false);
		rule = g->model->partial ? NULL : cfg_rule(g->model, &c, l);
		if (rule)
			must_fail(g, rule, NULL);
		break;
	case QKD_CMD_KEY_TAKE:
	case QKD_CMD_KEY_EXPORT:
		if (l->cfg.consumer == QKD_CONSUMER_XFRM)
			must_fail(g, "keys of an xfrm link never leave the kernel", NULL);
		break;
	case QKD_CMD_LINK_REKEY:
		if (l->cfg.consumer != QKD_CONSUMER_XFRM || !l->cfg.local_len ||
		    !l->cfg.peer_len || !(l->cfg.reqid || l->cfg.if_id))
			must_fail(g, "rekey of a link not ready for xfrm", NULL);
		break;
	case QKD_CMD_KEY_ADD:
		for (int e = g->n[keys].child; e != NONE; e = g->n[e].next)
			if (g->n[find(g, e, QKD_A_KEY_MATERIAL)].len != g->mat_len)
				must_fail(g, "material length is not key-bits / 8", NULL);
		if (batch_ids_repeat(g, keys))
			must_fail(g, "a key ID twice in one batch", NULL);
		/* The contract leaves adding to the staged batch itself open. */
		if (l->staged && (batch == NONE || get_uint(g, batch) != l->staged))
			must_fail(g, "a batch is staged: no other key may go in", NULL);
		if (batch != NONE && get_uint(g, batch) <= l->batch)
			must_fail(g, "batch not above the committed one", NULL);
		break;
	case QKD_CMD_KEY_COMMIT:
		/* The committed batch again succeeds whatever else is staged. */
		if (get_uint(g, batch) != l->staged && get_uint(g, batch) != l->batch)
			must_fail(g, "commit of a batch neither staged nor committed", NULL);
		break;
	case QKD_CMD_KEY_ABORT:
		if (!l->staged || get_uint(g, batch) != l->staged)
			must_fail(g, "abort of a batch not staged", NULL);
		break;
	}
}

static uint8_t pick_cmd(struct rng *r)
{
	static const uint8_t weights[][2] = {
		{ QKD_CMD_LINK_NEW, 14 }, { QKD_CMD_LINK_SET, 12 },
		{ QKD_CMD_LINK_DEL, 5 }, { QKD_CMD_LINK_GET, 8 },
		{ QKD_CMD_KEY_ADD, 20 }, { QKD_CMD_KEY_COMMIT, 6 },
		{ QKD_CMD_KEY_ABORT, 4 }, { QKD_CMD_KEY_FLUSH, 5 },
		{ QKD_CMD_KEY_TAKE, 6 }, { QKD_CMD_KEY_EXPORT, 5 },
		{ QKD_CMD_STATS_GET, 4 }, { QKD_CMD_LINK_REKEY, 5 },
		{ QKD_CMD_SA_GET, 6 },
	};
	unsigned int w = below(r, 100);

	for (size_t i = 0; i < ARRAY_SIZE(weights); i++) {
		if (w < weights[i][1])
			return weights[i][0];
		w -= weights[i][1];
	}
	return QKD_CMD_STATS_GET;
}

static struct gen gen;

void fz_generate(struct fz_msg *m, const struct fz_model *model,
		 uint64_t seed, uint64_t index, uint16_t family)
{
	struct gen *g = &gen;
	struct rng *r = &g->r;
	uint16_t flags = 0;
	uint8_t version = QKD_GENL_VERSION, reserved = 0;
	unsigned int plan;

	g->r.s = fz_mix(seed ^ fz_mix(((uint64_t)model->who << 56) ^ index));
	g->model = model;
	g->m = m;
	g->n_nodes = 0;
	g->used = 0;
	g->index = index;
	g->n_ids = 0;
	g->link = NULL;
	g->mat_len = 32;
	g->structural = g->header_tweak = g->truncate = false;
	g->flips = 0;
	g->top = node_new(g, NONE, 0, true);
	m->cmd = pick_cmd(r);
	m->dump = m->material = m->expect_eperm = false;
	m->verdict = FZ_MAY;
	m->rule = NULL;
	m->how[0] = 0;
	build(g);

	plan = below(r, 100);
	if (plan >= 30) {
		mutate(g);
		if (chance(r, 15))
			mutate(g);
	}
	if (plan >= 88)
		g->flips = 1 + below(r, 6);
	if (chance(r, 8)) {
		g->header_tweak = true;
		version = rnd(r);
		reserved = chance(r, 50) ? rnd(r) : 0;
		flags = (chance(r, 50) ? NLM_F_ECHO : 0) |
			(chance(r, 50) ? NLM_F_ATOMIC : 0) | (chance(r, 50) ? NLM_F_APPEND : 0);
		if (!m->dump)
			flags |= chance(r, 50) ? NLM_F_ROOT : NLM_F_MATCH;
	}
	if (m->verdict == FZ_MAY)
		state_rules(g);
	if (m->verdict == FZ_MAY && !g->header_tweak &&
	    (m->cmd == QKD_CMD_LINK_GET || m->cmd == QKD_CMD_SA_GET ||
	     m->cmd == QKD_CMD_STATS_GET))
		m->verdict = FZ_MUST_SUCCEED;
	emit(g, family, flags, version, reserved);
	if (g->flips) {
		m->verdict = FZ_SURVIVE;
		m->rule = NULL;
	}

	/* Who sends: these rules bind whatever the bytes are. */
	if (model->who == FZ_UNPRIV && fz_changes_state(m->cmd)) {
		m->expect_eperm = !g->structural && !g->flips && !m->dump &&
				  !g->header_tweak;
		m->verdict = FZ_MUST_FAIL;
		m->rule = "a state change needs CAP_NET_ADMIN";
	}
	if (model->who == FZ_USERNS && fz_changes_state(m->cmd)) {
		m->expect_eperm = m->cmd == QKD_CMD_LINK_NEW &&
				  m->verdict == FZ_MAY && !g->header_tweak;
		m->verdict = FZ_MUST_FAIL;
		m->rule = m->cmd == QKD_CMD_LINK_NEW ?
			  "allow_userns is off: no link in a user namespace" :
			  "allow_userns is off: there is no link to act on";
	}
	if (model->who == FZ_USERNS && m->cmd == QKD_CMD_LINK_GET && !m->dump) {
		m->verdict = FZ_MUST_FAIL;
		m->rule = "allow_userns is off: there is no link to show";
	}
}

