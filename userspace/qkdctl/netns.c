// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the session: like "ip -n NETNS", qkdctl joins the network
 * namespace before it opens its socket, so that every request goes to the
 * links of that namespace. Nothing else depends on the namespace (no /sys
 * remount as ip does), since qkdctl talks only netlink.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qkdctl.h"

/* A plain name lives in /run/netns (ip netns add); a path is taken as is. */
static int enter_netns(struct qkdctl *c)
{
	char path[4096];
	int fd, ret;

	if (strchr(c->netns, '/'))
		snprintf(path, sizeof(path), "%s", c->netns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", c->netns);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return qkdctl_fail(c, ret, "cannot open network namespace \"%s\": %s",
			    c->netns, strerror(-ret));
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		close(fd);
		return qkdctl_fail(c, ret, "cannot enter network namespace \"%s\": %s",
			    c->netns, strerror(-ret));
	}
	close(fd);
	return 0;
}

int qkdctl_open(struct qkdctl *c)
{
	int ret;

	if (c->netns) {
		ret = enter_netns(c);
		if (ret)
			return ret;
	}
	ret = qkd_nl_open(&c->nl);
	if (ret)
		return qkdctl_fail(c, ret, "%s", qkd_nl_strerror(ret));
	return 0;
}
