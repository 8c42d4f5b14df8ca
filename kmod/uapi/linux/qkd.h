/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * QuantumNet: Quantum Key Distribution keys in the Linux kernel.
 *
 * This header is the contract between qkd.ko and userspace. Userspace
 * builds against it; nothing keeps a hand copy.
 *
 * Generic netlink family "qkd", version QKD_GENL_VERSION, multicast group
 * "events". Every command is strictly validated: unknown attributes, wrong
 * lengths and out-of-range values are refused, and every refusal carries an
 * extended ACK message together with the offending attribute (or, for a
 * missing attribute, its type). Commands that change state need
 * CAP_NET_ADMIN over the network namespace of the socket; QKD_CMD_LINK_GET
 * shows no key material and is open to every caller.
 *
 * Links live in the network namespace of the socket that created them; a
 * link is invisible from every other namespace.
 *
 * QKD_CMD_LINK_NEW
 * ----------------
 *
 *   QKD_A_LINK_NAME: NUL-terminated string, 1 to QKD_LINK_NAME_MAX
 *                    characters from [A-Za-z0-9._-], unique per namespace;
 *                    required
 *   QKD_A_LINK_LOCAL_SAE: NUL-terminated string, at most QKD_SAE_ID_MAX
 *   QKD_A_LINK_PEER_SAE: NUL-terminated string, at most QKD_SAE_ID_MAX
 *   QKD_A_LINK_LOCAL_ADDR: 4 (IPv4) or 16 (IPv6) bytes, network order
 *   QKD_A_LINK_PEER_ADDR: 4 or 16 bytes, same family as the local address
 *   QKD_A_LINK_REQID: u32, 0 for none; unique per namespace
 *   QKD_A_LINK_IF_ID: u32, 0 for none; unique per namespace; a link has
 *                     a reqid or an if-id, never both
 *   QKD_A_LINK_MODE: u8, enum qkd_mode
 *   QKD_A_LINK_CIPHER: u8, enum qkd_cipher
 *   QKD_A_LINK_KEY_BITS: u16, QKD_KEY_BITS_MIN to QKD_KEY_BITS_MAX, a
 *                        multiple of 8, at least the cipher's key size
 *   QKD_A_LINK_CAPACITY: u32, keys per direction, 1 to the module's
 *                        max_pool_keys parameter
 *   QKD_A_LINK_LOW_WATER: u32, at most the capacity; a quarter of the
 *                         capacity when absent from QKD_CMD_LINK_NEW
 *   QKD_A_LINK_REKEY_TIME: u32, seconds, 0 for no time limit
 *   QKD_A_LINK_REKEY_BYTES: u64, 0 for no byte limit
 *   QKD_A_LINK_REKEY_PACKETS: u64, 0 for no packet limit
 *   QKD_A_LINK_ON_EMPTY: u8, enum qkd_on_empty
 *   QKD_A_LINK_MAX_KEY_AGE: u32, seconds, 0 for none; when set, at least
 *                           the rekey time
 *   QKD_A_LINK_CONSUMER: u8, enum qkd_consumer
 *   QKD_A_LINK_RX_WINDOW: u8, 1 to QKD_RX_WINDOW_MAX inbound keys
 *                         installed ahead of use
 *
 *   Every attribute but the name is optional; QKD_LINK_DEFAULT_* gives the
 *   value an absent attribute takes.
 *
 * QKD_CMD_LINK_SET
 * ----------------
 *
 *   QKD_A_LINK_NAME: required, names the link
 *   any other attribute of QKD_CMD_LINK_NEW: replaces that setting; the
 *   resulting link is checked as a whole, and a refused change leaves the
 *   link as it was
 *
 * QKD_CMD_LINK_DEL
 * ----------------
 *
 *   QKD_A_LINK_NAME: required
 *
 * QKD_CMD_LINK_GET
 * ----------------
 *
 *   With QKD_A_LINK_NAME (doit) the reply describes that link; as a dump
 *   (NLM_F_DUMP, no attributes) there is one message per link, in order of
 *   creation. Each reply carries:
 *
 *   QKD_A_LINK_NAME, QKD_A_LINK_ID (u32, assigned by the kernel, never
 *   reused within a namespace) and every setting of QKD_CMD_LINK_NEW; the
 *   strings and addresses only when set.
 */

#ifndef _UAPI_LINUX_QKD_H
#define _UAPI_LINUX_QKD_H

#define QKD_GENL_NAME		"qkd"
#define QKD_GENL_VERSION	1
#define QKD_MCGRP_EVENTS	"events"

/* Limits, counted in characters without the terminating NUL. */
#define QKD_LINK_NAME_MAX	32
#define QKD_SAE_ID_MAX		128

#define QKD_KEY_BITS_MIN	128
#define QKD_KEY_BITS_MAX	512
#define QKD_RX_WINDOW_MAX	16

/*
 * Defaults: a 4096-key pool is the 1 Mbit key buffer of the reference
 * experiment (Mavromatis et al., ECOC 2018) at 256-bit keys, and keys were
 * refreshed there every 30 minutes.
 */
#define QKD_LINK_DEFAULT_KEY_BITS	256
#define QKD_LINK_DEFAULT_CAPACITY	4096
#define QKD_LINK_DEFAULT_REKEY_TIME	1800
#define QKD_LINK_DEFAULT_MAX_KEY_AGE	3600
#define QKD_LINK_DEFAULT_RX_WINDOW	2

enum qkd_cmd {
	QKD_CMD_UNSPEC,
	QKD_CMD_LINK_NEW,
	QKD_CMD_LINK_SET,
	QKD_CMD_LINK_DEL,
	QKD_CMD_LINK_GET,
	__QKD_CMD_MAX,
};

#define QKD_CMD_MAX (__QKD_CMD_MAX - 1)

enum qkd_attr {
	QKD_A_UNSPEC,
	QKD_A_PAD,
	QKD_A_LINK_NAME,
	QKD_A_LINK_ID,
	QKD_A_LINK_LOCAL_SAE,
	QKD_A_LINK_PEER_SAE,
	QKD_A_LINK_LOCAL_ADDR,
	QKD_A_LINK_PEER_ADDR,
	QKD_A_LINK_REQID,
	QKD_A_LINK_IF_ID,
	QKD_A_LINK_MODE,
	QKD_A_LINK_CIPHER,
	QKD_A_LINK_KEY_BITS,
	QKD_A_LINK_CAPACITY,
	QKD_A_LINK_LOW_WATER,
	QKD_A_LINK_REKEY_TIME,
	QKD_A_LINK_REKEY_BYTES,
	QKD_A_LINK_REKEY_PACKETS,
	QKD_A_LINK_ON_EMPTY,
	QKD_A_LINK_MAX_KEY_AGE,
	QKD_A_LINK_CONSUMER,
	QKD_A_LINK_RX_WINDOW,
	__QKD_A_MAX,
};

#define QKD_A_MAX (__QKD_A_MAX - 1)

/* IPsec encapsulation of the SAs a link keys. */
enum qkd_mode {
	QKD_MODE_TUNNEL,
	QKD_MODE_TRANSPORT,
	__QKD_MODE_MAX,
};

#define QKD_MODE_MAX (__QKD_MODE_MAX - 1)

/* ESP AEAD; the first is the default. */
enum qkd_cipher {
	QKD_CIPHER_AES_GCM_256,		/* rfc4106(gcm(aes)), 256-bit key */
	QKD_CIPHER_AES_GCM_128,		/* rfc4106(gcm(aes)), 128-bit key */
	QKD_CIPHER_CHACHA20_POLY1305,	/* rfc7539esp(chacha20,poly1305) */
	__QKD_CIPHER_MAX,
};

#define QKD_CIPHER_MAX (__QKD_CIPHER_MAX - 1)

/* What a link does when its out pool runs dry at rekey time. */
enum qkd_on_empty {
	QKD_ON_EMPTY_HOLD,	/* keep the current SA, up to max key age */
	QKD_ON_EMPTY_BLOCK,	/* let it expire: traffic stops (fails closed) */
	__QKD_ON_EMPTY_MAX,
};

#define QKD_ON_EMPTY_MAX (__QKD_ON_EMPTY_MAX - 1)

/* Who may use a link's keys. */
enum qkd_consumer {
	QKD_CONSUMER_XFRM,	/* keys never leave the kernel */
	QKD_CONSUMER_EXPORT,	/* keys may be taken once by a privileged user */
	__QKD_CONSUMER_MAX,
};

#define QKD_CONSUMER_MAX (__QKD_CONSUMER_MAX - 1)

#endif /* _UAPI_LINUX_QKD_H */
