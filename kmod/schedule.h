/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key schedule: from a raw QKD key to the ESP key, salt and SPI of the
 * SA it keys. README.md, "Key schedule", writes it down bit for bit.
 */
#ifndef _QKD_SCHEDULE_H
#define _QKD_SCHEDULE_H

#include <linux/types.h>

struct qkd_link;
struct qkd_key;

#define QKD_SA_KEYMAT_MAX	(32 + 4)	/* AEAD key and salt */

struct qkd_sa_keys {
	u32 spi;			/* host order */
	unsigned int keymat_len;
	u8 keymat[QKD_SA_KEYMAT_MAX];	/* as xfrm takes it: key || salt */
};

const char *qkd_cipher_xfrm_name(u8 cipher);
unsigned int qkd_cipher_keymat_len(u8 cipher);
int qkd_schedule_derive(const struct qkd_link *link, const struct qkd_key *key,
			bool outbound, struct qkd_sa_keys *sa);

#endif /* _QKD_SCHEDULE_H */
