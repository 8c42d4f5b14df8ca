/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pool and batch kselftests share: a test key stream, and the
 * module-wide figures once earlier tests' namespaces are gone.
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
