// SPDX-License-Identifier: GPL-2.0
/* Module-wide figures: QKD_CMD_STATS_GET into struct qkd_stats. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/genetlink.h>

#include "libqkd.h"
#include "internal.h"

#define S(member) { true, offsetof(struct qkd_stats, member) }

/* Where each QKD_A_STATS_* lives in struct qkd_stats; all are u64. */
static const struct {
	bool known;
	size_t off;
} stats_fields[QKD_A_STATS_MAX + 1] = {
	[QKD_A_STATS_KEYS]	= S(keys),
	[QKD_A_STATS_MAX_KEYS]	= S(max_keys),
	[QKD_A_STATS_MEMORY]	= S(memory),
	[QKD_A_STATS_ADDED]	= S(added),
	[QKD_A_STATS_USED]	= S(used),
	[QKD_A_STATS_EXPORTED]	= S(exported),
	[QKD_A_STATS_DISCARDED]	= S(discarded),
};

struct get {
	struct qkd_stats *st;
	bool found;
};

/* Unknown figures, from a newer kernel, are skipped. */
static int parse_stats(const struct nlattr *nest, struct qkd_stats *st)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		int type = mnl_attr_get_type(attr);
		uint64_t v;

		if (type > QKD_A_STATS_MAX || !stats_fields[type].known)
			continue;	/* and QKD_A_STATS_PAD */
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return -EBADMSG;
		v = mnl_attr_get_u64(attr);
		memcpy((char *)st + stats_fields[type].off, &v, sizeof(v));
	}
	return 0;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct get *g = data;
	int ret;

	if (mnl_attr_get_type(attr) != QKD_A_STATS)
		return MNL_CB_OK;
	ret = parse_stats(attr, g->st);
	if (ret) {
		errno = -ret;
		return MNL_CB_ERROR;
	}
	g->found = true;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb,
			   data) != MNL_CB_OK)
		return MNL_CB_ERROR;
	return MNL_CB_STOP;
}

int qkd_stats_get(struct qkd_nl *nl, struct qkd_stats *st, struct qkd_err *err)
{
	struct nlmsghdr *nlh = qkd_nl_msg(nl, QKD_CMD_STATS_GET, 0);
	struct get g = { .st = st };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = qkd_nl_talk(nl, nlh, stats_cb, &g, err);
	if (ret)
		return ret;
	return g.found ? 0 : qkd_err_fail(err, -EPROTO);
}
