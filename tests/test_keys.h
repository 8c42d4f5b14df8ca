/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pool, batch and tenant kselftests share: a test key stream, and
 * the module-wide figures once earlier tests' namespaces are gone.
 */
#ifndef QKD_TEST_KEYS_H
#define QKD_TEST_KEYS_H

#include <string.h>
#include <unistd.h>

#include "libqkd.h"

/* Key n of a test stream: its ID and material are derived from n. */
static inline void make_key(struct qkd_key *k, uint8_t dir, unsigned int n,
			    unsigned int len)
{
	memset(k, 0, sizeof(*k));
	k->dir = dir;
	k->id[0] = 0x51;
	k->id[12] = n >> 24;
	k->id[13] = n >> 16;
	k->id[14] = n >> 8;
	k->id[15] = n;
	k->len = len;
	for (unsigned int i = 0; i < len; i++)
		k->material[i] = (uint8_t)(n * 31 + i);
}

/* Adds keys first..first+n-1 of the stream, 32 bytes each, in batches. */
static inline int add_keys(struct qkd_nl *nl, const char *link, uint8_t dir,
			   unsigned int first, unsigned int n, struct qkd_err *err)
{
	static struct qkd_key batch[QKD_KEY_BATCH_MAX];
	unsigned int done = 0;
	int ret;

	while (done < n) {
		unsigned int m = n - done;

		if (m > QKD_KEY_BATCH_MAX)
			m = QKD_KEY_BATCH_MAX;
		for (unsigned int i = 0; i < m; i++)
			make_key(&batch[i], dir, first + done + i, 32);
		ret = qkd_key_add(nl, link, batch, m, err);
		if (ret)
			return ret;
		done += m;
	}
	return 0;
}

/*
 * Module-wide figures include the namespaces of earlier tests, which the
 * kernel tears down in the background: polls, with a deadline of 10 s,
 * until none holds a key.
 */
static inline int quiet_module_stats(struct qkd_nl *nl, struct qkd_stats *st)
{
	struct qkd_err err;

	for (int tries = 0; tries < 200; tries++) {
		if (qkd_stats_get(nl, st, &err))
			return -1;
		if (!st->keys)
			return 0;
		usleep(50000);
	}
	return -1;
}

#endif /* QKD_TEST_KEYS_H */
