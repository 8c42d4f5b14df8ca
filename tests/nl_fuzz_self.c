// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's self-check and one-off sends: before the fuzzing, known
 * requests show that the sender, the pattern scan and the generator work,
 * so that a run that finds nothing has looked; --send repeats one request
 * given in hex.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libqkd.h"
#include "nl_fuzz.h"

static struct nlmsghdr *raw_start(struct fz_msg *m, uint16_t family, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct genlmsghdr *gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	gh->cmd = cmd;
	gh->version = QKD_GENL_VERSION;
	m->cmd = cmd;
	return nlh;
}

static int raw(int fd, uint16_t family, struct fz_msg *m, struct nlmsghdr *nlh,
	       struct fz_result *res, uint64_t *leaks)
{
	m->len = nlh->nlmsg_len;
	fz_exchange(fd, m, 1, 1, family, res);
	if (res->leak >= 0)
		(*leaks)++;
	return res->answered ? res->err : -ETIMEDOUT;
}

static int count_cb(const struct qkd_link *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
	return 0;
}

static struct nlmsghdr *key_add(struct fz_msg *m, uint16_t family, uint16_t flags)
{
	struct nlmsghdr *nlh = raw_start(m, family, QKD_CMD_KEY_ADD, flags);
	struct nlattr *keys, *key;
	uint8_t material[32];

	for (unsigned int i = 0; i < sizeof(material); i++)
		material[i] = fz_pattern[i % sizeof(fz_pattern)];
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "fz-self");
	keys = mnl_attr_nest_start(nlh, QKD_A_KEYS);
	for (int k = 0; k < 2; k++) {
		uint8_t id[QKD_KEY_ID_LEN] = { 0x3f, flags != 0, k };

		key = mnl_attr_nest_start(nlh, QKD_A_KEY);
		mnl_attr_put_u8(nlh, QKD_A_KEY_DIR, k);
		mnl_attr_put(nlh, QKD_A_KEY_ID, sizeof(id), id);
		mnl_attr_put(nlh, QKD_A_KEY_MATERIAL, sizeof(material), material);
		mnl_attr_nest_end(nlh, key);
	}
	mnl_attr_nest_end(nlh, keys);
	return nlh;
}

const char *fz_self_check(const struct fz_opts *o, const struct fz_model *base,
			  uint64_t *leaks)
{
	static struct fz_msg m;
	static struct fz_model model;
	uint64_t verdicts[FZ_VERDICTS] = { 0 }, cmds[256] = { 0 };
	uint16_t fam = o->family;
	struct nlmsghdr *nlh;
	struct fz_result res;
	struct qkd_nl *nl;
	struct qkd_err err;
	int fd, n = 0;

	if (unshare(CLONE_NEWNET) || qkd_nl_open(&nl))
		return "no namespace or socket of its own";
	fd = fz_sock_open(false, true);
	if (fd < 0)
		return "no raw socket";
	nlh = raw_start(&m, fam, QKD_CMD_LINK_NEW, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "fz-self");
	mnl_attr_put_u8(nlh, QKD_A_LINK_CONSUMER, QKD_CONSUMER_EXPORT);
	mnl_attr_put_u32(nlh, QKD_A_LINK_REQID, 4242);
	if (raw(fd, fam, &m, nlh, &res, leaks))
		return "a valid LINK_NEW was refused";
	if (raw(fd, fam, &m, nlh, &res, leaks) != -EEXIST)
		return "a second LINK_NEW of one name was not refused with EEXIST";
	nlh = raw_start(&m, fam, QKD_CMD_LINK_NEW, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "fz:self");
	if (raw(fd, fam, &m, nlh, &res, leaks) >= 0)
		return "a LINK_NEW named fz:self succeeded";
	if (qkd_link_dump(nl, count_cb, &n, &err) || n != 1)
		return "the dump does not show the one link made";
	if (raw(fd, fam, &m, key_add(&m, fam, 0), &res, leaks))
		return "a valid KEY_ADD was refused";
	if (raw(fd, fam, &m, key_add(&m, fam, NLM_F_DUMP), &res, leaks) >= 0)
		return "KEY_ADD with NLM_F_DUMP succeeded";
	nlh = raw_start(&m, fam, QKD_CMD_KEY_TAKE, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "fz-self");
	mnl_attr_put_u8(nlh, QKD_A_DIR, QKD_DIR_OUT);
	if (raw(fd, fam, &m, nlh, &res, leaks))
		return "KEY_TAKE of an export link with keys failed";
	if (!res.material)
		return "the pattern scan missed the material of a KEY_TAKE reply";
	nlh = raw_start(&m, fam, QKD_CMD_LINK_DEL, 0);
	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "fz-self");
	if (raw(fd, fam, &m, nlh, &res, leaks))
		return "LINK_DEL of the link failed";

	/* The generator: every verdict, every command, sound headers. */
	model = *base;
	model.n = 0;
	for (uint64_t i = 0; i < 5000; i++) {
		fz_generate(&m, &model, o->seed, i, fam);
		verdicts[m.verdict]++;
		cmds[m.cmd]++;
		if (m.len < NLMSG_HDRLEN + 1 || m.len > FZ_MSG_MAX ||
		    ((struct nlmsghdr *)m.buf)->nlmsg_len != m.len)
			return "a generated request has a wrong length";
		if (m.verdict == FZ_MUST_FAIL && !m.rule)
			return "a generated request must fail for no rule";
	}
	for (int v = 0; v < FZ_VERDICTS; v++)
		if (!verdicts[v])
			return "the generator misses a verdict";
	for (int c = QKD_CMD_LINK_NEW; c <= QKD_CMD_MAX; c++)
		if (!cmds[c] && strcmp(fz_cmd_name(c), "unserved"))
			return "the generator misses a command";
	return NULL;
}

int fz_send_hex(const struct fz_opts *o, const char *hex)
{
	static struct fz_msg m;
	struct fz_result res;
	size_t n = strlen(hex) / 2;
	int fd;

	/* The caller's namespace: what the request did stays there to see. */
	if (n < NLMSG_HDRLEN + 1 || n > FZ_MSG_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &m.buf[i]) != 1)
			return -EINVAL;
	fd = fz_sock_open(false, true);
	if (fd < 0)
		return fd;
	m.len = n;
	m.cmd = m.buf[NLMSG_HDRLEN];
	((struct nlmsghdr *)m.buf)->nlmsg_type = o->family;
	fz_exchange(fd, &m, 1, 1, o->family, &res);
	printf("# %s: %s, errno %d (%s), %u data messages, key pattern %s%s%s\n",
	       fz_cmd_name(m.cmd), res.answered ? "answered" : "no answer", -res.err,
	       strerror(-res.err), res.n_data, res.leak >= 0 ? "in a reply" : "in no reply",
	       res.msg[0] ? "; extack: " : "", res.msg);
	return res.answered ? res.err : -ETIMEDOUT;
}
