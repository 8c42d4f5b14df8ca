/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the files of libqkd; not part of its API. */
#ifndef LIBQKD_INTERNAL_H
#define LIBQKD_INTERNAL_H

#include "libqkd.h"

/* libmnl 1.0.5 defines it; 1.0.4 (Debian 12) does not. */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

struct qkd_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint8_t version;	/* of the family's genl header */
	bool qkd;		/* the "qkd" family, whose attributes we know */
	uint32_t events_group;	/* id of the "events" group, 0 if none */
	int ev_len;		/* bytes of rbuf from ev_off not yet read */
	size_t ev_off;		/* by qkd_event_recv() */
	char sbuf[MNL_SOCKET_DUMP_SIZE];
	char rbuf[MNL_SOCKET_DUMP_SIZE];
};

/*
 * mnl_nlmsg_ok() as libmnl 1.0.5 has it. Debian 12's 1.0.4 compares
 * (int)nlmsg_len with the bytes left, so that a message claiming more
 * than INT_MAX bytes passes for one that fits, and walking it (to the
 * next message, or through its attributes) leaves the buffer.
 */
static inline bool qkd_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

/*
 * How many of the @len bytes at @buf hold whole messages: what may be
 * handed to mnl_cb_run2(), which walks with 1.0.4's check. It reads what
 * 1.0.5 would, stopping at the first message that does not fit.
 */
static inline int qkd_nlmsg_whole(const void *buf, int len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len;

	while (qkd_nlmsg_ok(nlh, left))
		nlh = mnl_nlmsg_next(nlh, &left);
	return left > 0 ? len - left : len;
}

/* Clears @err (which may be NULL) before a request: no error, no extack. */
void qkd_err_reset(struct qkd_err *err);
/* Records @ret in @err (which may be NULL) and returns it. */
int qkd_err_fail(struct qkd_err *err, int ret);


#endif /* LIBQKD_INTERNAL_H */
