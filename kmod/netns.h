/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-network-namespace state of qkd.ko.
 */
#ifndef _QKD_NETNS_H
#define _QKD_NETNS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

struct key;

struct qkd_net {
	/*
	 * Serialises every change to the links of this namespace and every
	 * walk over them; taken in process context only.
	 */
	struct mutex lock;
	struct list_head links;		/* in order of creation, by id */
	unsigned int n_links;
	u32 next_id;			/* never reused within the namespace */
	u32 genid;			/* bumped on each change, for dumps */
	struct key *keyring;		/* ".qkd", made with the first link */
	struct delayed_work sa_work;	/* keeps the SAs of its links */
	bool dying;			/* no more work once set */
};

struct qkd_net *qkd_net(const struct net *net);

int qkd_netns_init(void);
void qkd_netns_exit(void);

#endif /* _QKD_NETNS_H */
