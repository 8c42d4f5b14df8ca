// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the netlink replies libqkd parses, read through the fake
 * socket of fakenl.c. An input is
 *
 *   u8 calls | u8 flags | datagrams: u16 length (little-endian), bytes...
 *
 * and drives qkd_nl_open() and then one or two libqkd calls (the low and
 * the high nibble of calls; a high nibble of C_COUNT or more: none). The
 * datagrams are what the "kernel" answers, in order, to everything sent:
 * the family lookup first (family_cb(), mcast_group()) unless
 * FLAG_FAMILY has the fake answer it, then each call's data messages (the
 * parsers of link.c, sa.c, stats.c, key.c and event.c) and its
 * NLMSG_ERROR or NLMSG_DONE with their extended ACK (nl.c: error_cb(),
 * done_cb(), extack_parse(), point_at()), and whatever libmnl lets
 * through to them.
 *
 * Beyond the sanitizers' findings, the target checks what libqkd's callers
 * rely on: strings that end within their arrays, an error's key position
 * inside the request, room only for a full pool, a failed take wiped.
 */
#include <errno.h>
#include <sys/socket.h>
#include <linux/qkd.h>

#include "libqkd.h"
#include "fakenl.h"
#include "fuzz.h"

enum call {
	C_LINK_GET,
	C_LINK_DUMP,
	C_SA_DUMP,
	C_STATS,
	C_KEY_ADD,
	C_KEY_TAKE,
	C_KEY_EXPORT,
	C_LINK_NEW,
	C_COMMIT,
	C_EVENTS,
	C_COUNT,
};

#define FLAG_FAMILY	0x01	/* the fake answers the family lookup */
#define FLAG_CB_STOP	0x02	/* dump callbacks stop at the first entry */
#define FLAG_CB_FAIL	0x04	/* dump callbacks fail at the first entry */
#define FLAG_STAGE	0x08	/* C_KEY_ADD stages batch 7 */

/* Keys in C_KEY_ADD's request, for its extack offsets to point into. */
#define N_KEYS		3
#define EVENTS_MAX	32

static unsigned int flags;

static void check_link(const struct qkd_link *l)
{
	CHECK_STR(l->name);
	CHECK_STR(l->local_sae);
	CHECK_STR(l->peer_sae);
	CHECK(l->family == 0 || l->family == AF_INET || l->family == AF_INET6);
	CHECK(!qkd_link_has(l, QKD_A_LINK_LOCAL_ADDR) || l->family);
	CHECK(!qkd_link_has(l, QKD_A_LINK_PEER_ADDR) || l->family);
	CHECK(!(l->present >> QKD_A_MAX >> 1));
	/* What qkdctl prints of them: a word, or NULL for a number. */
	(void)qkd_mode_name(l->mode);
	(void)qkd_cipher_name(l->cipher);
	(void)qkd_on_empty_name(l->on_empty);
	(void)qkd_consumer_name(l->consumer);
}

static int cb_result(void)
{
	if (flags & FLAG_CB_FAIL)
		return -ECANCELED;
	return flags & FLAG_CB_STOP ? 1 : 0;
}

static int link_fn(const struct qkd_link *l, void *arg)
{
	(void)arg;
	check_link(l);
	return cb_result();
}

static int sa_fn(const struct qkd_sa *sa, void *arg)
{
	(void)arg;
	CHECK_STR(sa->link);
	(void)qkd_dir_name(sa->dir);
	(void)qkd_sa_state_name(sa->state);
	return cb_result();
}

static void check_event(const struct qkd_event *ev)
{
	CHECK_STR(ev->link);
	CHECK(qkd_event_name(ev->cmd));
	(void)qkd_dir_name(ev->dir);
	(void)qkd_discard_name(ev->reason);
}

static void fill_keys(struct qkd_key *keys, unsigned int n)
{
	unsigned int i;

	memset(keys, 0, n * sizeof(*keys));
	for (i = 0; i < n; i++) {
		keys[i].dir = i % 2;
		memset(keys[i].id, 0x10 + i, sizeof(keys[i].id));
		memset(keys[i].material, 0xa0 + i, 32);
		keys[i].len = 32;
	}
}

/* A link with every setting present: the longest request to point into. */
static void fill_link(struct qkd_link *l)
{
	int type;

	memset(l, 0, sizeof(*l));
	strcpy(l->name, "dc1");
	strcpy(l->local_sae, "sae-a");
	strcpy(l->peer_sae, "sae-b");
	l->family = AF_INET;
	memset(l->local_addr, 1, 4);
	memset(l->peer_addr, 2, 4);
	l->reqid = 42;
	l->key_bits = 256;
	l->capacity = 4096;
	for (type = QKD_A_LINK_NAME; type <= QKD_A_LINK_RX_WINDOW; type++)
		qkd_link_mark(l, type);
}

static int call(struct qkd_nl *nl, enum call c, struct qkd_err *err)
{
	struct qkd_key keys[N_KEYS], key;
	uint8_t id[QKD_KEY_ID_LEN], zero[sizeof(key)] = {};
	struct qkd_stats st;
	struct qkd_event ev;
	struct qkd_link l;
	int32_t serial;
	int ret, i;

	switch (c) {
	case C_LINK_GET:
		ret = qkd_link_get(nl, "dc1", &l, err);
		if (!ret)
			check_link(&l);
		return ret;
	case C_LINK_DUMP:
		return qkd_link_dump(nl, link_fn, NULL, err);
	case C_SA_DUMP:
		return qkd_sa_dump(nl, flags & FLAG_STAGE ? "dc1" : NULL, sa_fn,
				   NULL, err);
	case C_STATS:
		return qkd_stats_get(nl, &st, err);
	case C_KEY_ADD:
		fill_keys(keys, N_KEYS);
		ret = qkd_key_stage(nl, "dc1", flags & FLAG_STAGE ? 7 : 0, keys,
				    N_KEYS, err);
		CHECK(!err->has_room || ret == -ENOSPC);
		return ret;
	case C_KEY_TAKE:
		ret = qkd_key_take(nl, "dc1", QKD_DIR_OUT, &key, err);
		CHECK(key.len <= sizeof(key.material));
		CHECK(!ret || !memcmp(&key, zero, sizeof(key)));
		return ret;
	case C_KEY_EXPORT:
		return qkd_key_export(nl, "dc1", QKD_DIR_IN, -4, "qkd:disk",
				      &serial, id, err);
	case C_LINK_NEW:
		fill_link(&l);
		return qkd_link_new(nl, &l, err);
	case C_COMMIT:
		return qkd_key_commit(nl, "dc1", 7, -1, err);
	case C_EVENTS:
		ret = qkd_nl_subscribe(nl);
		for (i = 0; !ret && i < EVENTS_MAX; i++) {
			ret = qkd_event_recv(nl, &ev, 0);
			if (!ret)
				check_event(&ev);
		}
		return ret;
	default:
		return 0;
	}
}

static void check_err(enum call c, int ret, const struct qkd_err *err)
{
	if (c == C_EVENTS)
		return;		/* events take no struct qkd_err */
	CHECK_STR(err->msg);
	CHECK(ret ? err->err == ret : !err->err);
	CHECK(err->bad_key >= -1);
	CHECK(err->bad_key < (c == C_KEY_ADD ? N_KEYS : 0));
	CHECK(err->bad_key < 0 || err->bad_attr == QKD_A_KEYS);
	CHECK(!err->has_room || c == C_KEY_ADD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qkd_err err;
	struct qkd_nl *nl;
	enum call c[2];
	int i, ret;

	if (size < 2)
		return 0;
	c[0] = (data[0] & 0xf) % C_COUNT;
	c[1] = data[0] >> 4;
	flags = data[1];
	/* The fake's answers come after what is queued: the input goes last. */
	fakenl_reset(flags & FLAG_FAMILY ? FAKENL_AUTO_FAMILY : 0, NULL);
	if (!(flags & FLAG_FAMILY))
		fakenl_push_input(data + 2, size - 2);
	ret = qkd_nl_open(&nl);
	if (flags & FLAG_FAMILY)
		fakenl_push_input(data + 2, size - 2);
	if (ret) {
		CHECK(!nl);
		return 0;
	}
	for (i = 0; i < 2 && c[i] < C_COUNT; i++) {
		memset(&err, 0xa5, sizeof(err));
		ret = call(nl, c[i], &err);
		check_err(c[i], ret, &err);
	}
	qkd_nl_close(nl);
	return 0;
}
