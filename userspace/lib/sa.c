// SPDX-License-Identifier: GPL-2.0
/*
 * The IPsec SAs the module installed for a link: the SA dump into struct
 * qkd_sa, and the request for an outbound rekey.
 *
 * An SA reply names the key the SA was derived from, by ID and index,
 * never its material: there is none to wipe here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/genetlink.h>

#include "libqkd.h"
#include "internal.h"

#define SA(member) { offsetof(struct qkd_sa, member), \
		     sizeof(((struct qkd_sa *)0)->member) }

/*
 * Where each QKD_A_SA_* lives in struct qkd_sa, and its width; the others
 * (QKD_A_SA_PAD, QKD_A_SA_OLD_SPI of events, a newer kernel's) are skipped.
 */
static const struct {
	size_t off;
	size_t size;
} sa_fields[QKD_A_SA_MAX + 1] = {
	[QKD_A_SA_DIR]		= SA(dir),
	[QKD_A_SA_SPI]		= SA(spi),
	[QKD_A_SA_KEY_ID]	= SA(key_id),
	[QKD_A_SA_KEY_INDEX]	= SA(key_index),
	[QKD_A_SA_STATE]	= SA(state),
	[QKD_A_SA_AGE]		= SA(age),
	[QKD_A_SA_BYTES]	= SA(bytes),
	[QKD_A_SA_PACKETS]	= SA(packets),
};

static int parse_sa(const struct nlattr *nest, struct qkd_sa *sa)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		int type = mnl_attr_get_type(attr);

		if (type > QKD_A_SA_MAX || !sa_fields[type].size)
			continue;
		if (mnl_attr_get_payload_len(attr) != sa_fields[type].size)
			return -EBADMSG;
		/* The integers come in host order, as the struct holds them. */
		memcpy((char *)sa + sa_fields[type].off,
		       mnl_attr_get_payload(attr), sa_fields[type].size);
	}
	return 0;
}

struct reply {
	struct qkd_sa *sa;
	int ret;
	bool has_link;
	bool has_sa;
};

static int sa_attr(const struct nlattr *attr, struct reply *r)
{
	size_t len = mnl_attr_get_payload_len(attr);
	int ret;

	switch (mnl_attr_get_type(attr)) {
	case QKD_A_LINK_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    len > sizeof(r->sa->link))
			return -EBADMSG;
		memcpy(r->sa->link, mnl_attr_get_payload(attr), len);
		r->has_link = true;
		break;
	case QKD_A_SA:
		ret = parse_sa(attr, r->sa);
		if (ret)
			return ret;
		r->has_sa = true;
		break;
	}
	return 0;
}

static int sa_attr_cb(const struct nlattr *attr, void *data)
{
	struct reply *r = data;

	r->ret = sa_attr(attr, r);
	return r->ret ? MNL_CB_ERROR : MNL_CB_OK;
}

/* One reply of the dump: the link's name and one SA, both required. */
static int sa_reply_parse(const struct nlmsghdr *nlh, struct qkd_sa *sa)
{
	struct reply r = { .sa = sa };

	memset(sa, 0, sizeof(*sa));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), sa_attr_cb,
			   &r) != MNL_CB_OK)
		return r.ret ? r.ret : -EBADMSG;
	return r.has_link && r.has_sa ? 0 : -EBADMSG;
}

struct dump {
	int (*fn)(const struct qkd_sa *sa, void *arg);
	void *arg;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct qkd_sa sa;
	int ret;

	ret = sa_reply_parse(nlh, &sa);
	if (!ret)
		ret = d->fn(&sa, d->arg);
	if (ret < 0) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	/* A positive return stops the walk without an error. */
	return ret ? MNL_CB_STOP : MNL_CB_OK;
}

int qkd_sa_dump(struct qkd_nl *nl, const char *link,
		int (*fn)(const struct qkd_sa *sa, void *arg), void *arg,
		struct qkd_err *err)
{
	struct dump d = { .fn = fn, .arg = arg };
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_SA_GET, NLM_F_DUMP);

	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	return qkd_nl_talk(nl, nlh, dump_cb, &d, err);
}

int qkd_link_rekey(struct qkd_nl *nl, const char *link, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_LINK_REKEY, 0);

	/* A NULL name sends none, for tests of the kernel's refusal. */
	if (link)
		mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, link);
	return qkd_nl_talk(nl, nlh, NULL, NULL, err);
}
