// SPDX-License-Identifier: GPL-2.0
/*
 * Keys: add (or stage, commit and abort), flush, take and export.
 *
 * Requests and replies that carry key material go through
 * qkd_nl_talk_secret(), which wipes the socket's buffers behind them; the
 * callers own the struct qkd_key they pass and wipe it themselves. As for
 * links, the kernel judges every value: a key of the wrong length or
 * direction is sent as it is, and refused with an extack naming it.
 */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "libqkd.h"
#include "internal.h"

/* Bytes one key takes in a QKD_CMD_KEY_ADD request, at most. */
#define KEY_ENTRY_MAX (MNL_ATTR_HDRLEN + MNL_ALIGN(MNL_ATTR_HDRLEN + 1) + \
		       MNL_ALIGN(MNL_ATTR_HDRLEN + QKD_KEY_ID_LEN) +	      \
		       MNL_ALIGN(MNL_ATTR_HDRLEN + QKD_KEY_BITS_MAX / 8))

static int put_keys(struct nlmsghdr *nlh, const struct qkd_key *keys,
		    unsigned int n)
{
	size_t size = MNL_SOCKET_DUMP_SIZE;
	struct nlattr *nest, *key;
	unsigned int i;

	nest = mnl_attr_nest_start_check(nlh, size, QKD_A_KEYS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		const struct qkd_key *k = &keys[i];

		if (k->len > sizeof(k->material))
			return -EINVAL;
		key = mnl_attr_nest_start_check(nlh, size, QKD_A_KEY);
		if (!key ||
		    !mnl_attr_put_u8_check(nlh, size, QKD_A_KEY_DIR, k->dir) ||
		    !mnl_attr_put_check(nlh, size, QKD_A_KEY_ID, QKD_KEY_ID_LEN,
					k->id) ||
		    !mnl_attr_put_check(nlh, size, QKD_A_KEY_MATERIAL, k->len,
					k->material))
			return -EMSGSIZE;
		mnl_attr_nest_end(nlh, key);
	}
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

_Static_assert(QKD_KEY_BATCH_MAX * KEY_ENTRY_MAX + 512 <= MNL_SOCKET_DUMP_SIZE,
	       "a full batch of the largest keys fits the send buffer");

int qkd_key_stage(struct qkd_nl *nl, const char *link, uint64_t batch,
		  const struct qkd_key *keys, unsigned int n, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_ADD, 0);
	int ret;

	qkd_err_reset(err);
	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	if (batch)
		mnl_attr_put_u64(nlh, QKD_A_BATCH, batch);
	ret = put_keys(nlh, keys, n);
	if (ret) {
		/* What was put already is material: wipe it unsent. */
		explicit_bzero(nl->sbuf, sizeof(nl->sbuf));
		return qkd_err_fail(err, ret);
	}
	return qkd_nl_talk_secret(nl, nlh, NULL, NULL, err);
}

int qkd_key_add(struct qkd_nl *nl, const char *link, const struct qkd_key *keys,
		unsigned int n, struct qkd_err *err)
{
	return qkd_key_stage(nl, link, 0, keys, n, err);
}

int qkd_key_commit(struct qkd_nl *nl, const char *link, uint64_t batch, int dir,
		   struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_COMMIT, 0);

	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	mnl_attr_put_u64(nlh, QKD_A_BATCH, batch);
	if (dir >= 0)
		mnl_attr_put_u8(nlh, QKD_A_DIR, dir);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

int qkd_key_abort(struct qkd_nl *nl, const char *link, uint64_t batch,
		  struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_ABORT, 0);

	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	mnl_attr_put_u64(nlh, QKD_A_BATCH, batch);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

int qkd_key_flush(struct qkd_nl *nl, const char *link, int dir,
		  struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_FLUSH, 0);

	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	if (dir >= 0)
		mnl_attr_put_u8(nlh, QKD_A_DIR, dir);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}

/* What a take or export reply carries; the serial only in an export's. */
struct reply {
	struct qkd_key *key;
	int32_t serial;
	bool has_key;
	bool has_serial;
};

static int parse_key(const struct nlattr *nest, struct qkd_key *key)
{
	const struct nlattr *attr;
	size_t len;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		len = mnl_attr_get_payload_len(attr);
		switch (mnl_attr_get_type(attr)) {
		case QKD_A_KEY_DIR:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -EBADMSG;
			key->dir = mnl_attr_get_u8(attr);
			break;
		case QKD_A_KEY_ID:
			if (len != QKD_KEY_ID_LEN)
				return -EBADMSG;
			memcpy(key->id, mnl_attr_get_payload(attr), len);
			break;
		case QKD_A_KEY_INDEX:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -EBADMSG;
			key->index = mnl_attr_get_u64(attr);
			break;
		case QKD_A_KEY_MATERIAL:
			if (len > sizeof(key->material))
				return -EBADMSG;
			memcpy(key->material, mnl_attr_get_payload(attr), len);
			key->len = len;
			break;
		}
	}
	return 0;
}

static int reply_attr_cb(const struct nlattr *attr, void *data)
{
	struct reply *r = data;
	int ret;

	switch (mnl_attr_get_type(attr)) {
	case QKD_A_KEY:
		ret = parse_key(attr, r->key);
		if (ret) {
			errno = -ret;
			return MNL_CB_ERROR;
		}
		r->has_key = true;
		break;
	case QKD_A_KEY_SERIAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
			errno = EBADMSG;
			return MNL_CB_ERROR;
		}
		r->serial = (int32_t)mnl_attr_get_u32(attr);
		r->has_serial = true;
		break;
	}
	return MNL_CB_OK;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), reply_attr_cb,
			   data) != MNL_CB_OK)
		return MNL_CB_ERROR;
	return MNL_CB_STOP;
}

int qkd_key_take(struct qkd_nl *nl, const char *link, uint8_t dir,
		 struct qkd_key *key, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_TAKE, 0);
	struct reply r = { .key = key };
	int ret;

	memset(key, 0, sizeof(*key));
	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	mnl_attr_put_u8(nlh, QKD_A_DIR, dir);
	ret = qkd_nl_talk_secret(nl, nlh, reply_cb, &r, err);
	if (!ret && !r.has_key)
		ret = qkd_err_fail(err, -EPROTO);
	if (ret)
		explicit_bzero(key, sizeof(*key));
	return ret;
}

int qkd_key_export(struct qkd_nl *nl, const char *link, uint8_t dir,
		   int32_t keyring, const char *desc, int32_t *serial,
		   uint8_t id[QKD_KEY_ID_LEN], struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_KEY_EXPORT, 0);
	struct qkd_key key = {};
	struct reply r = { .key = &key };
	int ret;

	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	mnl_attr_put_u8(nlh, QKD_A_DIR, dir);
	mnl_attr_put_u32(nlh, QKD_A_KEYRING, (uint32_t)keyring);
	if (desc)
		mnl_attr_put_strz(nlh, QKD_A_KEY_DESC, desc);
	ret = qkd_nl_talk(nl, nlh, reply_cb, &r, err);
	if (ret)
		return ret;
	/* An export reply never holds material; one that did broke a promise. */
	if (!r.has_key || !r.has_serial || key.len) {
		explicit_bzero(&key, sizeof(key));
		return qkd_err_fail(err, -EPROTO);
	}
	*serial = r.serial;
	memcpy(id, key.id, QKD_KEY_ID_LEN);
	return 0;
}
