/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two sides of a batch share: batch.c (the protocol, the
 * master's side) and batch_slave.c (the slave's). The daemon's entry points
 * are in daemon.h.
 */
#ifndef QKDD_BATCH_H
#define QKDD_BATCH_H

#include <stdint.h>

#include "confirm.h"
#include "daemon.h"

int batch_alloc(struct link *l);
/* The batch ends; seq counts as finished whatever became of it. */
void batch_finish(struct link *l);
/* The batch breaks after keys may be staged: the next HELLO settles it. */
void batch_broken(struct link *l, const char *why);
/* Test hook: QKDD_CRASH_AT names the step after which qkdd kills itself. */
void batch_crash_point(const char *step);
/* ACK1, ACK2, DONE or NACK for the current batch; a failure drops the peer. */
int batch_send(struct link *l, uint8_t type, const char *reason);
/* "qkdd: event NAME link=LINK ...", never key material. */
void __printf(3, 4) batch_event(struct link *l, const char *name, const char *fmt, ...);
/* The key confirmation tag of the batch in flight. */
int batch_tag(struct link *l, unsigned int key_bits, uint8_t tag[CONFIRM_TAG_LEN]);
/* The "refilled" line of a batch both sides committed. */
void batch_refilled(struct link *l);

/* The slave's side (batch_slave.c). */
void batch_slave_msg(struct link *l, const struct msg *m);
void batch_slave_fetched(struct link *l, int ret);
/* The slave's pool counts to the master. */
void batch_pools(struct link *l);

#endif /* QKDD_BATCH_H */
