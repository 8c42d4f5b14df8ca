// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side, through libqkd: a link created or brought in line with
 * the config file, its pool counts and batch numbers read, batches staged,
 * committed and discarded, pools flushed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* One line for a refused request: the kernel's extack, or strerror. */
static const char *nl_error(const struct qkd_err *e, int ret, char *buf, size_t n)
{
	const char *msg = e->msg[0] ? e->msg : strerror(-ret);
	const char *attr = e->bad_attr >= 0 ? qkd_attr_name(e->bad_attr) : NULL;

	if (!attr && e->miss_type >= 0)
		snprintf(buf, n, "%s (missing attribute %s)", msg,
			 qkd_attr_name(e->miss_type) ?: "?");
	else if (attr)
		snprintf(buf, n, "%s (attribute %s)", msg, attr);
	else
		snprintf(buf, n, "%s", msg);
	return buf;
}

enum cmp_kind { C_STR, C_ADDR, C_NUM };

static const struct {
	int type;
	enum cmp_kind kind;
	size_t off, size;
} settings[] = {
#define S(t, k, m) { t, k, offsetof(struct qkd_link, m), \
		     sizeof(((struct qkd_link *)0)->m) }
	S(QKD_A_LINK_LOCAL_SAE, C_STR, local_sae),
	S(QKD_A_LINK_PEER_SAE, C_STR, peer_sae),
	S(QKD_A_LINK_LOCAL_ADDR, C_ADDR, local_addr),
	S(QKD_A_LINK_PEER_ADDR, C_ADDR, peer_addr),
	S(QKD_A_LINK_REQID, C_NUM, reqid),
	S(QKD_A_LINK_IF_ID, C_NUM, if_id),
	S(QKD_A_LINK_MODE, C_NUM, mode),
	S(QKD_A_LINK_CIPHER, C_NUM, cipher),
	S(QKD_A_LINK_KEY_BITS, C_NUM, key_bits),
	S(QKD_A_LINK_CAPACITY, C_NUM, capacity),
	S(QKD_A_LINK_LOW_WATER, C_NUM, low_water),
	S(QKD_A_LINK_REKEY_TIME, C_NUM, rekey_time),
	S(QKD_A_LINK_REKEY_BYTES, C_NUM, rekey_bytes),
	S(QKD_A_LINK_REKEY_PACKETS, C_NUM, rekey_packets),
	S(QKD_A_LINK_ON_EMPTY, C_NUM, on_empty),
	S(QKD_A_LINK_MAX_KEY_AGE, C_NUM, max_key_age),
	S(QKD_A_LINK_CONSUMER, C_NUM, consumer),
	S(QKD_A_LINK_RX_WINDOW, C_NUM, rx_window),
#undef S
};

/* Whether setting @i of @want differs from the kernel's @cur. */
static bool differs(const struct qkd_link *want, const struct qkd_link *cur,
		    size_t i)
{
	const char *a = (const char *)want + settings[i].off;
	const char *b = (const char *)cur + settings[i].off;

	if (!qkd_link_has(cur, settings[i].type))
		return true;
	switch (settings[i].kind) {
	case C_STR:
		return strcmp(a, b);
	case C_ADDR:
		return want->family != cur->family || memcmp(a, b, settings[i].size);
	default:
		return memcmp(a, b, settings[i].size);
	}
}

int module_setup(struct qkd_nl *nl, const struct qkdd_link_conf *lc,
		 bool *has_keys)
{
	const struct qkd_link *want = &lc->kl;
	struct qkd_link cur, diff;
	struct qkd_err err;
	char buf[512], changed[384] = "";
	size_t i, len = 0;
	int ret;

	*has_keys = false;
	ret = qkd_link_get(nl, want->name, &cur, &err);
	if (ret == -ENOENT) {
		ret = qkd_link_new(nl, want, &err);
		if (ret)
			qkdd_log("link %s: cannot create it: %s", want->name,
				 nl_error(&err, ret, buf, sizeof(buf)));
		else
			qkdd_log("link %s: created", want->name);
		return ret;
	}
	if (ret) {
		qkdd_log("link %s: cannot read it: %s", want->name,
			 nl_error(&err, ret, buf, sizeof(buf)));
		return ret;
	}
	*has_keys = cur.pool[QKD_DIR_OUT].keys || cur.pool[QKD_DIR_IN].keys;

	memset(&diff, 0, sizeof(diff));
	strcpy(diff.name, want->name);
	qkd_link_mark(&diff, QKD_A_LINK_NAME);
	diff.family = want->family;
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!qkd_link_has(want, settings[i].type) || !differs(want, &cur, i))
			continue;
		memcpy((char *)&diff + settings[i].off,
		       (const char *)want + settings[i].off, settings[i].size);
		qkd_link_mark(&diff, settings[i].type);
		len += snprintf(changed + len, sizeof(changed) - len, "%s%s",
				len ? ", " : "", qkd_attr_name(settings[i].type));
		if (len >= sizeof(changed))
			len = sizeof(changed) - 1;
	}
	if (!changed[0])
		return 0;
	ret = qkd_link_set(nl, &diff, &err);
	if (ret)
		qkdd_log("link %s: cannot update %s: %s", want->name, changed,
			 nl_error(&err, ret, buf, sizeof(buf)));
	else
		qkdd_log("link %s: updated %s", want->name, changed);
	return ret;
}

int module_read(struct link *l, struct qkd_link *kl)
{
	struct qkd_err err;
	char buf[512];
	int ret;

	ret = qkd_link_get(l->d->nl, l->name, kl, &err);
	if (!ret && !(qkd_link_has(kl, QKD_A_POOL_OUT) && qkd_link_has(kl, QKD_A_POOL_IN))) {
		err.msg[0] = '\0';
		err.bad_attr = err.miss_type = -1;
		ret = -EPROTO;
	}
	if (ret)
		link_log(l, "cannot read the pools: %s", nl_error(&err, ret, buf, sizeof(buf)));
	return ret;
}

/*
 * Whether the kernel answered a failed request itself, with its extended
 * ACK, rather than the exchange failing on the way (a receive error, a
 * reply libmnl could not read), after which it cannot be told what the
 * kernel did. qkd.ko gives every refusal of a key add a message; one
 * without (from the netlink core) counts as unknown, so that the caller
 * flushes, the safe mistake.
 */
static bool kernel_refused(const struct qkd_err *e)
{
	return e->msg[0] || e->bad_attr >= 0 || e->miss_type >= 0 || e->has_room;
}

int module_stage(struct link *l, bool *refused)
{
	bool slave = l->conf->role == QKDD_SLAVE;
	size_t size = (l->n ? l->n : 1) * sizeof(struct qkd_key);
	struct qkd_key *keys;
	struct qkd_err err;
	unsigned int i;
	char buf[512];
	int ret;

	*refused = true;
	keys = calloc(1, size);
	if (!keys) {
		link_log(l, "cannot stage batch %llu: %s", (unsigned long long)l->seq,
			 strerror(ENOMEM));
		return -ENOMEM;
	}
	for (i = 0; i < l->n; i++) {
		keys[i] = l->keys[i];
		if (slave)
			keys[i].dir = keys[i].dir == QKD_DIR_OUT ? QKD_DIR_IN : QKD_DIR_OUT;
	}
	ret = qkd_key_stage(l->d->nl, l->name, l->seq, keys, l->n, &err);
	explicit_bzero(keys, size);
	free(keys);
	if (ret) {
		*refused = kernel_refused(&err);
		link_log(l, "cannot stage batch %llu: %s", (unsigned long long)l->seq,
			 nl_error(&err, ret, buf, sizeof(buf)));
		return ret;
	}
	/* In the module now: our copy of the material has done its work. */
	for (i = 0; i < l->n; i++) {
		idring_add(&l->ids, l->keys[i].id);
		explicit_bzero(l->keys[i].material, sizeof(l->keys[i].material));
	}
	return 0;
}

int module_commit(struct link *l, uint64_t seq, int mdir)
{
	struct qkd_err err;
	char buf[512];
	int dir = mdir;
	int ret;

	/* The slave's directions are the master's, swapped. */
	if (dir >= 0 && l->conf->role == QKDD_SLAVE)
		dir = dir == QKD_DIR_OUT ? QKD_DIR_IN : QKD_DIR_OUT;
	ret = qkd_key_commit(l->d->nl, l->name, seq, dir, &err);
	if (ret)
		link_log(l, "cannot commit batch %llu: %s", (unsigned long long)seq,
			 nl_error(&err, ret, buf, sizeof(buf)));
	return ret;
}

int module_abort(struct link *l, uint64_t seq, const char *why)
{
	struct qkd_err err;
	char buf[512];
	int ret;

	ret = qkd_key_abort(l->d->nl, l->name, seq, &err);
	if (ret)
		link_log(l, "cannot discard staged batch %llu (%s): %s",
			 (unsigned long long)seq, why, nl_error(&err, ret, buf, sizeof(buf)));
	else
		link_log(l, "discarded staged batch %llu: %s", (unsigned long long)seq, why);
	return ret;
}

int module_flush(struct link *l, const char *why)
{
	struct qkd_err err;
	char buf[512];
	int ret;

	ret = qkd_key_flush(l->d->nl, l->name, -1, &err);
	if (ret)
		link_log(l, "cannot flush the pools (%s): %s", why,
			 nl_error(&err, ret, buf, sizeof(buf)));
	else
		link_log(l, "flushed both pools: %s", why);
	return ret;
}
