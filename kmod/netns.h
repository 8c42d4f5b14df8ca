/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-network-namespace state of qkd.ko.
 */
#ifndef _QKD_NETNS_H
#define _QKD_NETNS_H

#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

struct key;

/*
 * The tenant model: a namespace owned by the initial user namespace is the
 * operator's; one owned by any other user namespace is a tenant's, which an
 * unprivileged user can make. Tenants get links only when the operator
 * allows them (allow_userns), each within its own quotas (userns_max_links,
 * userns_max_keys); the operator's namespaces share max_keys, which no
 * tenant's key counts against, so no tenant can starve the gateway.
 */
extern bool qkd_allow_userns;
extern unsigned int qkd_userns_max_links;
extern unsigned int qkd_userns_max_keys;

struct qkd_net {
	/*
	 * Serialises every change to the links of this namespace and every
	 * walk over them; taken in process context only.
	 */
	struct mutex lock;
	/*
	 * The links, found in constant time by id (in order of creation, so
	 * that a dump resumes where it stopped), name, reqid and if-id.
	 */
	struct xarray links;
	struct rhashtable names;
	struct xarray by_reqid;
	struct xarray by_if_id;
	unsigned int n_links;
	u32 next_id;			/* never reused within the namespace */
	u32 genid;			/* bumped on each change, for dumps */
	struct key *keyring;		/* ".qkd", made with the first link */
	/*
	 * The links whose SAs are to be looked at, and the work that does it
	 * (kmod/sa.c); the spinlock guards the list and dying, and is taken
	 * in any context.
	 */
	spinlock_t sa_lock;
	struct list_head sa_dirty;
	struct work_struct sa_work;
	bool dying;			/* no more work once set */
	bool tenant;			/* owned by a non-initial user namespace */
	unsigned long n_keys;		/* keys its links hold, staged included */
};

struct qkd_net *qkd_net(const struct net *net);

int qkd_netns_init(void);
void qkd_netns_exit(void);

#endif /* _QKD_NETNS_H */
