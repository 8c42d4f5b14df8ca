// SPDX-License-Identifier: GPL-2.0
/*
 * Per-network-namespace state, and the tenants' quotas (see netns.h): the
 * links of a namespace live and die with it. Deleting the namespace, or
 * unloading the module (which runs the exit handler for every namespace
 * still alive), frees each of them.
 */
#include <linux/module.h>
#include <net/netns/generic.h>

#include "keyring.h"
#include "link.h"
#include "netns.h"
#include "sa.h"

static unsigned int qkd_net_id __read_mostly;

bool qkd_allow_userns __read_mostly;
module_param_named(allow_userns, qkd_allow_userns, bool, 0644);
MODULE_PARM_DESC(allow_userns,
		 "Allow links in network namespaces owned by a non-initial user namespace (default off)");

unsigned int qkd_userns_max_links __read_mostly = 16;
module_param_named(userns_max_links, qkd_userns_max_links, uint, 0644);
MODULE_PARM_DESC(userns_max_links,
		 "Most links a namespace owned by a non-initial user namespace may hold");

unsigned int qkd_userns_max_keys __read_mostly = 8192;
module_param_named(userns_max_keys, qkd_userns_max_keys, uint, 0644);
MODULE_PARM_DESC(userns_max_keys,
		 "Most keys a namespace owned by a non-initial user namespace may hold");

struct qkd_net *qkd_net(const struct net *net)
{
	return net_generic(net, qkd_net_id);
}

static int __net_init qkd_net_init(struct net *net)
{
	struct qkd_net *qn = qkd_net(net);

	int ret;

	mutex_init(&qn->lock);
	ret = qkd_links_init(qn);
	if (ret)
		return ret;
	qn->next_id = 1;
	qn->tenant = net->user_ns != &init_user_ns;
	qkd_sa_netns_init(qn);
	return 0;
}

static void __net_exit qkd_net_exit(struct net *net)
{
	struct qkd_net *qn = qkd_net(net);

	qkd_sa_netns_exit(qn);
	mutex_lock(&qn->lock);
	qkd_links_flush(qn);
	qkd_keyring_netns_exit(qn);
	qkd_links_exit(qn);
	mutex_unlock(&qn->lock);
	mutex_destroy(&qn->lock);
}

static struct pernet_operations qkd_net_ops = {
	.init = qkd_net_init,
	.exit = qkd_net_exit,
	.id = &qkd_net_id,
	.size = sizeof(struct qkd_net),
};

int qkd_netns_init(void)
{
	return register_pernet_subsys(&qkd_net_ops);
}

void qkd_netns_exit(void)
{
	unregister_pernet_subsys(&qkd_net_ops);
}
