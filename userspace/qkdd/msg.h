/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The messages between two qkdd, inside their TLS channel. No message
 * carries key material: only key IDs, directions and counts.
 *
 * A frame is an 8-byte header, then the payload; numbers big-endian:
 *
 *   u8 version (MSG_VERSION) | u8 type | u16 0 | u32 payload length
 *
 *   HELLO  u8 flags | u8 n, n bytes link name | u8 n, n bytes sender's SAE
 *          | u8 n, n bytes receiver's SAE | u64 last batch seq
 *          | u64 the module's committed batch | u64 its staged batch (0: none)
 *   OFFER  u64 seq | u16 key bits | u16 n | n x (u8 dir | 16 bytes key ID)
 *          | 16 bytes key confirmation tag (confirm.c)
 *          (dir as the master sees it: 0 out, 1 in)
 *   ACK1, ACK2, DONE   u64 seq
 *   NACK   u64 seq | u8 code (MSG_NACK_*) | u8 n, n bytes reason
 *          (printable ASCII)
 *   POOLS  u32 out keys | u32 in keys (the sender's pools, its directions)
 *
 * Versions: 1 had no batch numbers in HELLO; 2 no key confirmation tag in
 * OFFER and no code in NACK. A frame of another version is malformed: two
 * qkdd of different versions do not talk.
 */
#ifndef QKDD_MSG_H
#define QKDD_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "libqkd.h"

#define MSG_VERSION	3
#define MSG_HDR_LEN	8
#define MSG_REASON_MAX	200
/* The key confirmation tag of an OFFER: CONFIRM_TAG_LEN (confirm.h). */
#define MSG_TAG_LEN	16
/* The largest payload: an OFFER of a full netlink key batch. */
#define MSG_PAYLOAD_MAX	(12 + QKD_KEY_BATCH_MAX * (1 + QKD_KEY_ID_LEN) + \
			 MSG_TAG_LEN)
#define MSG_FRAME_MAX	(MSG_HDR_LEN + MSG_PAYLOAD_MAX)

enum msg_type {
	MSG_HELLO = 1,
	MSG_OFFER,
	MSG_ACK1,
	MSG_ACK2,
	MSG_DONE,
	MSG_NACK,
	MSG_POOLS,
	__MSG_MAX,
};

/* NACK codes: why a batch was refused, where the sender must tell. */
enum msg_nack_code {
	MSG_NACK_REFUSED,		/* any reason: the text says which */
	MSG_NACK_KEY_CONFIRM,		/* the key confirmation tag differs */
	__MSG_NACK_MAX,
};

/* HELLO flags */
#define MSG_HELLO_DIRTY	0x01	/* the sender's pools hold keys from no batch */

struct msg_key {
	uint8_t dir;
	uint8_t id[QKD_KEY_ID_LEN];
};

struct msg {
	uint8_t type;
	uint64_t seq;		/* HELLO: the last batch; not in POOLS */
	/* HELLO */
	uint8_t flags;
	uint64_t batch;		/* the module's link: QKD_A_LINK_BATCH */
	uint64_t staged;	/* and QKD_A_LINK_STAGED */
	char link[QKD_LINK_NAME_MAX + 1];
	char sae[QKD_SAE_ID_MAX + 1];
	char peer_sae[QKD_SAE_ID_MAX + 1];
	/* OFFER */
	uint16_t key_bits;
	uint16_t n;
	struct msg_key keys[QKD_KEY_BATCH_MAX];
	uint8_t tag[MSG_TAG_LEN];
	/* NACK */
	uint8_t code;		/* enum msg_nack_code */
	char reason[MSG_REASON_MAX + 1];
	/* POOLS */
	uint32_t out;
	uint32_t in;
};

/* "HELLO", "OFFER", ... or NULL. */
const char *msg_name(unsigned int type);

/* The frame of @m into @buf (MSG_FRAME_MAX bytes): its length, or -EINVAL. */
int msg_encode(const struct msg *m, uint8_t *buf, size_t size);

/*
 * The payload length a frame header announces (0 to MSG_PAYLOAD_MAX), or
 * -EBADMSG for a header of another version or a payload too long.
 */
int msg_frame_len(const uint8_t hdr[MSG_HDR_LEN]);

/* A whole frame into @m: 0, or -EBADMSG for anything malformed. */
int msg_decode(const uint8_t *frame, size_t len, struct msg *m);

#endif /* QKDD_MSG_H */
