/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events on the "events" multicast group: pool levels and discards. They
 * carry names and counts, never key material.
 */
#ifndef _QKD_EVENT_H
#define _QKD_EVENT_H

#include <linux/types.h>

struct qkd_link;

void qkd_event_pool_drained(struct qkd_link *link, u8 dir, u32 before);
void qkd_event_discarded(struct qkd_link *link, u8 dir, u8 reason, u32 count);
void qkd_event_rekey(struct qkd_link *link, u32 old_spi, u32 new_spi, u64 index);
void qkd_event_sa_error(struct qkd_link *link, u8 dir, int err);
void qkd_event_holding(struct qkd_link *link, u32 spi);
void qkd_event_sa_blocked(struct qkd_link *link, u32 spi);

#endif /* _QKD_EVENT_H */
