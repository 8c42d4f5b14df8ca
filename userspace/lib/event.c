// SPDX-License-Identifier: GPL-2.0
/*
 * Events of the "events" multicast group: pool levels and discards, and
 * the SAs' rekeys, install errors, holding and blocking.
 *
 * The socket that subscribes should do nothing else: a reply to a request
 * would be read here as noise, and an event there as data. One datagram
 * may hold several messages; those not yet returned stay in the receive
 * buffer (nl->ev_off, nl->ev_len) for the next call.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libqkd.h"
#include "internal.h"

int qkd_nl_subscribe(struct qkd_nl *nl)
{
	unsigned int group = nl->events_group;

	/* A module without the group is older than this library. */
	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/* The QKD_A_SA nest of an SA event: the SPIs and the new key's index. */
static int event_sa(const struct nlattr *nest, struct qkd_event *ev)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case QKD_A_SA_SPI:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			ev->spi = mnl_attr_get_u32(attr);
			break;
		case QKD_A_SA_OLD_SPI:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			ev->old_spi = mnl_attr_get_u32(attr);
			break;
		case QKD_A_SA_KEY_INDEX:
			if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
				return -EBADMSG;
			ev->key_index = mnl_attr_get_u64(attr);
			break;
		}
	}
	return 0;
}

static int event_attr(const struct nlattr *attr, struct qkd_event *ev)
{
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case QKD_A_LINK_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    len > sizeof(ev->link))
			return -EBADMSG;
		memcpy(ev->link, mnl_attr_get_payload(attr), len);
		break;
	case QKD_A_DIR:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return -EBADMSG;
		ev->dir = mnl_attr_get_u8(attr);
		break;
	case QKD_A_KEY_COUNT:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		ev->count = mnl_attr_get_u32(attr);
		break;
	case QKD_A_LINK_LOW_WATER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		ev->low_water = mnl_attr_get_u32(attr);
		break;
	case QKD_A_DISCARD_REASON:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return -EBADMSG;
		ev->reason = mnl_attr_get_u8(attr);
		break;
	case QKD_A_DISCARD_COUNT:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		ev->discarded = mnl_attr_get_u32(attr);
		break;
	case QKD_A_SA:
		return event_sa(attr, ev);
	case QKD_A_ERRNO:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		ev->error = (int32_t)mnl_attr_get_u32(attr);
		break;
	}
	return 0;
}

/*
 * 0 and @ev filled for an event of the family; 1 for a message to skip
 * (not ours, or an event this library does not know); or -EBADMSG.
 */
static int event_parse(const struct qkd_nl *nl, const struct nlmsghdr *nlh,
		       struct qkd_event *ev)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	int ret;

	if (nlh->nlmsg_type != nl->family)
		return 1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EBADMSG;
	if (!qkd_event_name(genl->cmd))
		return 1;

	memset(ev, 0, sizeof(*ev));
	ev->cmd = genl->cmd;
	mnl_attr_for_each(attr, nlh, sizeof(*genl)) {
		ret = event_attr(attr, ev);
		if (ret)
			return ret;
	}
	return 0;
}

/* Milliseconds left until @deadline, or -1 for no deadline. */
static int time_left(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (!deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/*
 * Reads one datagram, if one is waiting, into nl->rbuf. Only the kernel
 * sends events: a datagram from another socket is dropped.
 */
static int read_datagram(struct qkd_nl *nl)
{
	struct sockaddr_nl addr;
	struct iovec iov = { nl->rbuf, sizeof(nl->rbuf) };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0)
		return 0;
	nl->ev_off = 0;
	nl->ev_len = n;
	return 0;
}

int qkd_event_recv(struct qkd_nl *nl, struct qkd_event *ev, int timeout_ms)
{
	struct timespec deadline, *dl = NULL;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN };
	int ret;

	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		dl = &deadline;
	}

	for (;;) {
		while (nl->ev_len > 0) {
			const struct nlmsghdr *nlh = (void *)(nl->rbuf + nl->ev_off);
			const struct nlmsghdr *next;
			int len = nl->ev_len;

			if (!qkd_nlmsg_ok(nlh, len)) {
				nl->ev_len = 0;
				break;
			}
			next = mnl_nlmsg_next(nlh, &len);
			nl->ev_off = (const char *)next - nl->rbuf;
			nl->ev_len = len;
			ret = event_parse(nl, nlh, ev);
			if (ret <= 0)
				return ret;
		}
		ret = poll(&pfd, 1, time_left(dl));
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		ret = read_datagram(nl);
		if (ret)
			return ret;
	}
}
