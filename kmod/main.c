// SPDX-License-Identifier: GPL-2.0
/*
 * QuantumNet: Quantum Key Distribution keys in the Linux kernel.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "keyring.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "sa.h"

static int __init qkd_init(void)
{
	int ret;

	ret = qkd_link_init();
	if (ret)
		return ret;

	ret = qkd_keyring_init();
	if (ret)
		goto err_keyring;

	ret = qkd_sa_init();
	if (ret)
		goto err_sa;

	ret = qkd_netns_init();
	if (ret)
		goto err_netns;

	qkd_sa_km_register();

	ret = qkd_genl_init();
	if (ret)
		goto err_genl;

	return 0;

err_genl:
	qkd_sa_km_unregister();
	qkd_netns_exit();
err_netns:
	qkd_sa_exit();
err_sa:
	qkd_keyring_exit();
err_keyring:
	qkd_link_exit();
	return ret;
}

static void __exit qkd_exit(void)
{
	/* No request can arrive once the family is gone; then free links. */
	qkd_genl_exit();
	qkd_sa_km_unregister();
	qkd_netns_exit();
	qkd_sa_exit();
	qkd_keyring_exit();
	qkd_link_exit();
}

module_init(qkd_init);
module_exit(qkd_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("QuantumNet: QKD key pools and IPsec keying");
MODULE_AUTHOR("QuantumNet developers");
MODULE_ALIAS_GENL_FAMILY(QKD_GENL_NAME);
