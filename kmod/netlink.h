/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _QKD_NETLINK_H
#define _QKD_NETLINK_H

#include <linux/qkd.h>

int qkd_genl_init(void);
void qkd_genl_exit(void);

#endif /* _QKD_NETLINK_H */
