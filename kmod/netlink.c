// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "qkd": policies, helpers the commands share,
 * the commands' table. The link and SA commands are in nl_link.c, the key
 * commands in nl_key.c.
 *
 * Every command runs in process context under genl_mutex (the family is not
 * parallel_ops) and takes the namespace's qkd_net.lock around its work. A
 * request is checked in three steps: the policy (types, lengths, ranges),
 * then qkd_link_cfg_verify() on the whole resulting link, then the change,
 * so that a refused request changes nothing.
 */
#include <net/genetlink.h>

#include "link.h"
#include "netlink.h"
#include "netns.h"

static const struct nla_policy link_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_LINK_ID]		= { .type = NLA_REJECT,
				    .reject_message = "id is assigned by the kernel" },
	[QKD_A_LINK_LOCAL_SAE]	= { .type = NLA_NUL_STRING, .len = QKD_SAE_ID_MAX },
	[QKD_A_LINK_PEER_SAE]	= { .type = NLA_NUL_STRING, .len = QKD_SAE_ID_MAX },
	[QKD_A_LINK_LOCAL_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
						   sizeof(struct in6_addr)),
	[QKD_A_LINK_PEER_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
						   sizeof(struct in6_addr)),
	[QKD_A_LINK_REQID]	= { .type = NLA_U32 },
	[QKD_A_LINK_IF_ID]	= { .type = NLA_U32 },
	[QKD_A_LINK_MODE]	= NLA_POLICY_MAX(NLA_U8, QKD_MODE_MAX),
	[QKD_A_LINK_CIPHER]	= NLA_POLICY_MAX(NLA_U8, QKD_CIPHER_MAX),
	[QKD_A_LINK_KEY_BITS]	= NLA_POLICY_RANGE(NLA_U16, QKD_KEY_BITS_MIN, QKD_KEY_BITS_MAX),
	[QKD_A_LINK_CAPACITY]	= NLA_POLICY_MIN(NLA_U32, 1),
	[QKD_A_LINK_LOW_WATER]	= { .type = NLA_U32 },
	[QKD_A_LINK_REKEY_TIME]	= { .type = NLA_U32 },
	[QKD_A_LINK_REKEY_BYTES] = { .type = NLA_U64 },
	[QKD_A_LINK_REKEY_PACKETS] = { .type = NLA_U64 },
	[QKD_A_LINK_ON_EMPTY]	= NLA_POLICY_MAX(NLA_U8, QKD_ON_EMPTY_MAX),
	[QKD_A_LINK_MAX_KEY_AGE] = { .type = NLA_U32 },
	[QKD_A_LINK_CONSUMER]	= NLA_POLICY_MAX(NLA_U8, QKD_CONSUMER_MAX),
	[QKD_A_LINK_RX_WINDOW]	= NLA_POLICY_RANGE(NLA_U8, 1, QKD_RX_WINDOW_MAX),
	[QKD_A_LINK_BATCH]	= { .type = NLA_REJECT,
				    .reject_message = "batch is set by committing one" },
	[QKD_A_LINK_STAGED]	= { .type = NLA_REJECT,
				    .reject_message = "staged-batch is set by staging one" },
};

/* Commands that only name a link take nothing else. */
static const struct nla_policy key_dir_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_DIR]		= NLA_POLICY_MAX(NLA_U8, QKD_DIR_MAX),
};

static const struct nla_policy key_commit_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_BATCH]		= NLA_POLICY_MIN(NLA_U64, 1),
	[QKD_A_DIR]		= NLA_POLICY_MAX(NLA_U8, QKD_DIR_MAX),
};

static const struct nla_policy key_abort_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_BATCH]		= NLA_POLICY_MIN(NLA_U64, 1),
};

static const struct nla_policy key_export_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
	[QKD_A_DIR]		= NLA_POLICY_MAX(NLA_U8, QKD_DIR_MAX),
	[QKD_A_KEYRING]		= { .type = NLA_S32 },
	[QKD_A_KEY_DESC]	= { .type = NLA_NUL_STRING, .len = QKD_KEY_DESC_MAX },
};

static const struct nla_policy stats_policy[QKD_A_MAX + 1] = {
};

static const struct nla_policy link_name_policy[QKD_A_MAX + 1] = {
	[QKD_A_LINK_NAME]	= { .type = NLA_NUL_STRING, .len = QKD_LINK_NAME_MAX },
};

/*
 * An NLA_NUL_STRING ends at its first NUL for the policy, which lets bytes
 * follow it: the contract's strings end with their attribute.
 */
bool qkd_nl_string_whole(const struct nlattr *nla)
{
	return strnlen(nla_data(nla), nla_len(nla)) == nla_len(nla) - 1;
}

/* The name a request gives, checked, or NULL with an extack. */
const char *qkd_nl_link_name(struct nlattr **tb, struct netlink_ext_ack *extack)
{
	const char *name;

	if (NL_REQ_ATTR_CHECK(extack, NULL, tb, QKD_A_LINK_NAME)) {
		NL_SET_ERR_MSG(extack, "link name is required");
		return NULL;
	}
	name = nla_data(tb[QKD_A_LINK_NAME]);
	if (!qkd_nl_string_whole(tb[QKD_A_LINK_NAME])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[QKD_A_LINK_NAME],
				    "link name: bytes after its terminating NUL");
		return NULL;
	}
	if (!qkd_link_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[QKD_A_LINK_NAME],
				    "link name must be letters, digits, '.', '_' or '-'");
		return NULL;
	}
	return name;
}

/* Under the namespace lock: the link the request names, or an extack. */
struct qkd_link *qkd_nl_link_lookup(struct qkd_net *qn, struct nlattr **tb,
				    struct netlink_ext_ack *extack)
{
	struct qkd_link *link;

	link = qkd_link_find(qn, nla_data(tb[QKD_A_LINK_NAME]));
	if (!link)
		NL_SET_ERR_MSG_ATTR(extack, tb[QKD_A_LINK_NAME],
				    "no link with this name");
	return link;
}

static const struct genl_ops qkd_genl_ops[] = {
	{
		.cmd = QKD_CMD_LINK_NEW,
		.doit = qkd_nl_link_new,
		.policy = link_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_LINK_SET,
		.doit = qkd_nl_link_set,
		.policy = link_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_LINK_DEL,
		.doit = qkd_nl_link_del,
		.policy = link_name_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_LINK_GET,
		.doit = qkd_nl_link_get,
		.dumpit = qkd_nl_link_dump,
		.policy = link_name_policy,
		.maxattr = QKD_A_MAX,
	},
	{
		/*
		 * Every KEY_ADD must reach code of the module that wipes it:
		 * the genl core frees what it refuses (a policy's refusal, a
		 * missing capability, a dump) without calling the command, and
		 * echoes it to a sender without NETLINK_CAP_ACK. So the op has
		 * no policy and no maxattr (the family's is 0, so the core
		 * parses nothing), no permission flag (qkd_nl_key_add() checks
		 * CAP_NET_ADMIN itself), and a dump whose start refuses it.
		 * qkd_nl_key_add() parses the request strictly itself. Only
		 * the core's refusals before any op runs remain: a dump already
		 * running on the socket (EBUSY) and a socket gone (ECONNREFUSED).
		 */
		.cmd = QKD_CMD_KEY_ADD,
		.doit = qkd_nl_key_add,
		.start = qkd_nl_key_add_dump_start,
		.dumpit = qkd_nl_key_add_dump,
	},
	{
		.cmd = QKD_CMD_KEY_COMMIT,
		.doit = qkd_nl_key_commit,
		.policy = key_commit_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_KEY_ABORT,
		.doit = qkd_nl_key_abort,
		.policy = key_abort_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_KEY_FLUSH,
		.doit = qkd_nl_key_flush,
		.policy = key_dir_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_KEY_TAKE,
		.doit = qkd_nl_key_take,
		.policy = key_dir_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_KEY_EXPORT,
		.doit = qkd_nl_key_export,
		.policy = key_export_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_LINK_REKEY,
		.doit = qkd_nl_link_rekey,
		.policy = link_name_policy,
		.maxattr = QKD_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = QKD_CMD_SA_GET,
		.start = qkd_nl_sa_dump_start,
		.dumpit = qkd_nl_sa_dump,
		.policy = link_name_policy,
		.maxattr = QKD_A_MAX,
	},
	{
		.cmd = QKD_CMD_STATS_GET,
		.doit = qkd_nl_stats_get,
		.policy = stats_policy,
		.maxattr = QKD_A_MAX,
	},
};

static const struct genl_multicast_group qkd_genl_mcgrps[] = {
	[QKD_NLGRP_EVENTS] = { .name = QKD_MCGRP_EVENTS },
};

struct genl_family qkd_genl_family __ro_after_init = {
	.name = QKD_GENL_NAME,
	.version = QKD_GENL_VERSION,
	/* Every op but KEY_ADD has its own (see there). */
	.maxattr = 0,
	.netnsok = true,
	/* Commands before this one may come without a policy (KEY_ADD). */
	.resv_start_op = QKD_CMD_KEY_ADD + 1,
	.module = THIS_MODULE,
	.ops = qkd_genl_ops,
	.n_ops = ARRAY_SIZE(qkd_genl_ops),
	.mcgrps = qkd_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(qkd_genl_mcgrps),
};

int __init qkd_genl_init(void)
{
	return genl_register_family(&qkd_genl_family);
}

void qkd_genl_exit(void)
{
	genl_unregister_family(&qkd_genl_family);
}
