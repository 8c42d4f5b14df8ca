// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink transport of libqkd: one generic netlink socket per
 * struct qkd_nl, the family resolved at open time, and one request in
 * flight at a time. qkd_nl_talk() reads until the request is finished (its
 * ACK, its error, or the NLMSG_DONE of a dump), so the socket is always
 * clean for the next request, even when a callback gives up half way.
 *
 * The family's "events" group id is resolved at open time too, for
 * qkd_nl_subscribe(). Requests that carry key material go through
 * qkd_nl_talk_secret(), which wipes both buffers behind them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libqkd.h"
#include "internal.h"

/* One request in flight: what qkd_nl_talk() hands to the callbacks. */
struct talk {
	const struct nlmsghdr *req;
	mnl_cb_t cb;
	void *data;
	struct qkd_err *err;
	uint16_t family;
	int ret;		/* first error of a callback, or the kernel's */
	bool stopped;		/* the callback wants no more data messages */
	bool secret;		/* the request carries key material */
};

void qkd_err_reset(struct qkd_err *err)
{
	if (!err)
		return;
	err->err = 0;
	err->msg[0] = '\0';
	err->bad_attr = -1;
	err->miss_type = -1;
	err->bad_key = -1;
	err->has_room = false;
	memset(&err->room, 0, sizeof(err->room));
}

int qkd_err_fail(struct qkd_err *err, int ret)
{
	if (err)
		err->err = ret;
	return ret;
}

static struct nlmsghdr *msg_start(struct qkd_nl *nl, uint16_t type,
				  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	nlh = mnl_nlmsg_put_header(nl->sbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *qkd_nl_msg(struct qkd_nl *nl, uint8_t cmd, uint16_t flags)
{
	return msg_start(nl, nl->family, cmd, nl->version, flags);
}

uint16_t qkd_nl_family(const struct qkd_nl *nl)
{
	return nl->family;
}

static bool attr_holds(const struct nlmsghdr *req, const struct nlattr *attr,
		       uint32_t offs)
{
	uint32_t start = (const char *)attr - (const char *)req;

	return offs >= start && offs < start + attr->nla_len;
}

/*
 * Points err at the top-level attribute of the request that contains byte
 * @offs (counted from the start of the netlink header): an offset inside a
 * nested attribute yields the top-level attribute holding it. Inside
 * QKD_A_KEYS, err->bad_key also gets the position of the key entry.
 */
static void point_at(const struct nlmsghdr *req, uint32_t offs,
		     struct qkd_err *err)
{
	const struct nlattr *attr, *key;
	int pos = 0;

	if (!req)
		return;
	mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
		if (!attr_holds(req, attr, offs))
			continue;
		err->bad_attr = mnl_attr_get_type(attr);
		if (err->bad_attr != QKD_A_KEYS)
			return;
		mnl_attr_for_each_nested(key, attr) {
			if (attr_holds(req, key, offs)) {
				err->bad_key = pos;
				return;
			}
			pos++;
		}
		return;
	}
}

/* The genl command of a request to the qkd family, or -1. */
static int req_cmd(const struct nlmsghdr *req, uint16_t family)
{
	const struct genlmsghdr *genl;

	if (!req || req->nlmsg_type != family ||
	    mnl_nlmsg_get_payload_len(req) < sizeof(*genl))
		return -1;
	genl = mnl_nlmsg_get_payload(req);
	return genl->cmd;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	switch (type) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_OK;
		break;
	case NLMSGERR_ATTR_OFFS:
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		break;
	case NLMSGERR_ATTR_COOKIE:
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * Fills t->err from the extended ACK TLVs that follow the first @hlen
 * bytes of the payload of an NLMSG_ERROR or NLMSG_DONE message.
 */
static void extack_parse(const struct nlmsghdr *nlh, size_t hlen,
			 struct talk *t)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	struct qkd_err *err = t->err;

	if (!err || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (hlen > mnl_nlmsg_get_payload_len(nlh))
		return;
	if (mnl_attr_parse(nlh, hlen, extack_attr_cb, tb) != MNL_CB_OK)
		return;

	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(err->msg, sizeof(err->msg), "%s",
			 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS])
		point_at(t->req, mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]), err);
	/* Key entries are the qkd family's; another family has none. */
	if (!t->family)
		err->bad_key = -1;
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		err->miss_type = mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	/* Only a key add that found a pool full puts its room there. */
	if (tb[NLMSGERR_ATTR_COOKIE] && t->ret == -ENOSPC &&
	    req_cmd(t->req, t->family) == QKD_CMD_KEY_ADD &&
	    mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_COOKIE]) ==
	    sizeof(err->room)) {
		memcpy(&err->room, mnl_attr_get_payload(tb[NLMSGERR_ATTR_COOKIE]),
		       sizeof(err->room));
		err->has_room = true;
	}
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;
	size_t hlen = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->ret = -EBADMSG;
		return MNL_CB_STOP;
	}
	if (e->error == 0)		/* the ACK */
		return MNL_CB_STOP;

	/* Some subsystems send the errno positive; netlink means negative. */
	t->ret = e->error < 0 ? e->error : -e->error;
	/* Without NETLINK_CAP_ACK the request itself comes back first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += mnl_nlmsg_get_payload_len(&e->msg);
	extack_parse(nlh, hlen, t);
	return MNL_CB_STOP;
}

/* The end of a dump carries its error, if any, and then the extack TLVs. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error < 0) {
		t->ret = error;
		extack_parse(nlh, sizeof(error), t);
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/*
 * Data messages go to the caller's callback until it stops or fails; the
 * rest are read and dropped, so that the request still ends cleanly.
 */
static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int ret;

	if (t->stopped || !t->cb)
		return MNL_CB_OK;
	errno = 0;
	ret = t->cb(nlh, t->data);
	if (ret == MNL_CB_ERROR) {
		t->ret = errno ? -errno : -EIO;
		t->stopped = true;
	} else if (ret == MNL_CB_STOP) {
		t->stopped = true;
	}
	return MNL_CB_OK;
}

/* Not const: mnl_cb_run2() takes a plain pointer, though it only reads. */
static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP]	= noop_cb,
	[NLMSG_ERROR]	= error_cb,
	[NLMSG_DONE]	= done_cb,
	[NLMSG_OVERRUN]	= noop_cb,
};

/*
 * After libmnl gave up on a reply (an interrupted dump, a truncated or
 * malformed message), reads and drops what is left of request @seq without
 * blocking, so the next request does not trip over it.
 */
static void drain(struct qkd_nl *nl, uint32_t seq)
{
	int fd = mnl_socket_get_fd(nl->sock);

	for (;;) {
		const struct nlmsghdr *nlh = (const void *)nl->rbuf;
		ssize_t n = recv(fd, nl->rbuf, sizeof(nl->rbuf), MSG_DONTWAIT);
		int len = n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (; qkd_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq == seq &&
			    (nlh->nlmsg_type == NLMSG_DONE ||
			     nlh->nlmsg_type == NLMSG_ERROR))
				return;
		}
	}
}

/*
 * Wipes the material of every key in QKD_A_KEYS, keeping the attribute
 * headers: the extended ACK's offset is read against them.
 */
static void wipe_material(struct nlmsghdr *nlh)
{
	struct nlattr *keys, *key, *attr;

	mnl_attr_for_each(keys, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(keys) != QKD_A_KEYS)
			continue;
		mnl_attr_for_each_nested(key, keys) {
			mnl_attr_for_each_nested(attr, key) {
				if (mnl_attr_get_type(attr) == QKD_A_KEY_MATERIAL)
					explicit_bzero(mnl_attr_get_payload(attr),
						       mnl_attr_get_payload_len(attr));
			}
		}
	}
}

/* Sends the request, then reads until it is finished. */
static int exchange(struct qkd_nl *nl, struct nlmsghdr *nlh, struct talk *t)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	n = mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len);
	ret = -errno;
	/* Other families' requests are wiped whole once answered (talk()). */
	if (t->secret && nl->qkd)
		wipe_material(nlh);
	if (n < 0)
		return ret;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			drain(nl, seq);
			return ret;
		}
		/* Only whole messages: libmnl 1.0.4's walk, see internal.h. */
		ret = mnl_cb_run2(nl->rbuf, qkd_nlmsg_whole(nl->rbuf, n), seq,
				  nl->portid, data_cb, t, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR) {
			/* libmnl's own refusal: EINTR is an interrupted dump. */
			ret = errno ? -errno : -EPROTO;
			if (ret == -EINTR && t->err)
				snprintf(t->err->msg, sizeof(t->err->msg),
					 "dump interrupted by a concurrent change, try again");
			drain(nl, seq);
			return ret;
		}
		if (ret == MNL_CB_STOP)
			return t->ret;
	}
}

static int talk(struct qkd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, struct qkd_err *err, bool secret)
{
	struct talk t = {
		.req = nlh, .cb = cb, .data = data, .err = err,
		.family = nl->qkd ? nl->family : 0, .secret = secret,
	};
	size_t len;
	int ret;

	qkd_err_reset(err);
	/* Events read ahead by qkd_event_recv() are not kept over a request. */
	nl->ev_len = 0;
	/* Without an ACK a request that has no reply could not be waited for. */
	nlh->nlmsg_flags |= NLM_F_ACK;
	len = nlh->nlmsg_len;

	ret = exchange(nl, nlh, &t);
	if (secret) {
		/* The request had material, a reply (of take) may have had. */
		explicit_bzero(nlh, len);
		explicit_bzero(nl->rbuf, sizeof(nl->rbuf));
	}
	return ret ? qkd_err_fail(err, ret) : 0;
}

int qkd_nl_talk(struct qkd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, struct qkd_err *err)
{
	return talk(nl, nlh, cb, data, err, false);
}

int qkd_nl_talk_secret(struct qkd_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		       void *data, struct qkd_err *err)
{
	return talk(nl, nlh, cb, data, err, true);
}

struct family {
	uint16_t id;
	uint32_t events_group;
};

/* One entry of CTRL_ATTR_MCAST_GROUPS: a name and an id. */
static void mcast_group(const struct nlattr *grp, struct family *f)
{
	const struct nlattr *attr;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(attr, grp) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(attr);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(attr);
			break;
		}
	}
	if (name && !strcmp(name, QKD_MCGRP_EVENTS))
		f->events_group = id;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family *f = data;
	const struct nlattr *grp;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			break;
		mnl_attr_for_each_nested(grp, attr)
			mcast_group(grp, f);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

/* The controller answers -ENOENT when no family @name is registered. */
static int resolve_family(struct qkd_nl *nl, const char *name)
{
	struct family f = {};
	struct nlmsghdr *nlh;
	int ret;

	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = qkd_nl_talk(nl, nlh, family_cb, &f, NULL);
	if (ret)
		return ret;
	if (!f.id)
		return -EPROTO;
	nl->family = f.id;
	nl->events_group = f.events_group;
	return 0;
}

static int open_family(struct qkd_nl **nlp, const char *name, uint8_t version)
{
	struct qkd_nl *nl;
	int one = 1;
	int ret;

	*nlp = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;

	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		ret = -errno;
		goto err;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one,
				  sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one,
				  sizeof(one)) < 0 ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	nl->qkd = !strcmp(name, QKD_GENL_NAME);
	nl->version = version;
	ret = resolve_family(nl, name);
	if (ret)
		goto err;
	*nlp = nl;
	return 0;

err:
	qkd_nl_close(nl);
	return ret;
}

int qkd_nl_open(struct qkd_nl **nlp)
{
	return open_family(nlp, QKD_GENL_NAME, QKD_GENL_VERSION);
}

int qkd_genl_open(struct qkd_nl **nlp, const char *family, uint8_t version)
{
	return open_family(nlp, family, version);
}

void qkd_nl_close(struct qkd_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

/* The socket's descriptor, for callers that poll() it with others (qkdd). */
int qkd_nl_fd(const struct qkd_nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}
