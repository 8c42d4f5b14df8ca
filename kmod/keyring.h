/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel keyring side of qkd.ko: key type "qkd", a keyring per network
 * namespace with one key per link, add_key() ingestion, logon export.
 */
#ifndef _QKD_KEYRING_H
#define _QKD_KEYRING_H

#include <linux/key.h>

struct qkd_link;
struct qkd_net;
struct qkd_key;

int qkd_keyring_init(void);
void qkd_keyring_exit(void);

int qkd_keyring_link_add(struct qkd_net *qn, struct qkd_link *link);
void qkd_keyring_link_del(struct qkd_link *link);
void qkd_keyring_netns_exit(struct qkd_net *qn);

key_ref_t qkd_keyring_logon_create(key_ref_t ring, const char *desc,
				   const struct qkd_key *key);

#endif /* _QKD_KEYRING_H */
