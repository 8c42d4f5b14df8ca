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
 * A string attribute ends with its NUL: bytes after it are refused, as
 * trailing bytes anywhere are.
 *
 * Links live in the network namespace of the socket that created them; a
 * link is invisible from every other namespace.
 *
 * Tenants. A namespace owned by the initial user namespace is the
 * operator's; one owned by any other user namespace (which an unprivileged
 * user can make, `unshare -Urn`) is a tenant's. No tenant can take from
 * another namespace what it needs:
 *
 *   - a tenant's QKD_CMD_LINK_NEW is refused (EPERM) unless the module
 *     parameter allow_userns is set (default off);
 *   - a tenant's namespace holds at most userns_max_links links (EDQUOT)
 *     and userns_max_keys keys, staged ones included (EDQUOT); the
 *     operator's namespaces share the max_keys ceiling, which no tenant's
 *     key counts against, so a tenant cannot make the operator's adds fail;
 *   - what the module allocates for a link (the link, its pools, its SAs'
 *     key and replay buffers) is charged to the memory cgroup of the task
 *     that created it, also when a kernel worker does the work; a tenant's
 *     ".qkd" keyring and link keys belong to the owner of its user
 *     namespace and count against that user's key quota
 *     (kernel.keys.maxkeys and maxbytes).
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
 *   strings and addresses only when set; and the state of both pools:
 *
 *   QKD_A_POOL_OUT, QKD_A_POOL_IN: nested
 *     QKD_A_POOL_KEYS: u32, keys present
 *     QKD_A_POOL_BYTES: u64, bytes of key material present
 *     QKD_A_POOL_ADDED, QKD_A_POOL_USED, QKD_A_POOL_EXPORTED,
 *     QKD_A_POOL_DISCARDED_FLUSH, QKD_A_POOL_DISCARDED_EXPIRED: u64
 *     QKD_A_POOL_STAGED: u32, keys staged, not usable yet
 *     QKD_A_POOL_DISCARDED_UNCOMMITTED: u64, staged keys discarded
 *
 *   and where the link's staged batches stand (see "Staged batches"):
 *
 *   QKD_A_LINK_BATCH: u64, the newest batch committed, in part or whole;
 *                     0 before any
 *   QKD_A_LINK_STAGED: u64, the batch with keys staged now, 0 when none
 *
 *   QKD_A_LINK_ID, QKD_A_LINK_BATCH and QKD_A_LINK_STAGED are read only:
 *   QKD_CMD_LINK_NEW and QKD_CMD_LINK_SET refuse them.
 *
 * QKD_CMD_KEY_ADD
 * ---------------
 *
 *   QKD_A_LINK_NAME: required
 *   QKD_A_KEYS: nested, 1 to QKD_KEY_BATCH_MAX entries, all added or none
 *     QKD_A_KEY: nested
 *       QKD_A_KEY_DIR: u8, enum qkd_dir
 *       QKD_A_KEY_ID: QKD_KEY_ID_LEN bytes, not held by the link already
 *                     (in either direction)
 *       QKD_A_KEY_MATERIAL: key-bits / 8 bytes
 *
 *   QKD_A_BATCH: u64, from 1, optional: stage the keys as that batch
 *                instead of adding them (see "Staged batches" below)
 *
 *   A refusal points at the offending key entry (or an attribute in it);
 *   bytes after the last entry of QKD_A_KEYS are refused like any other.
 *   A full pool (ENOSPC) puts a struct qkd_room in the ACK's cookie; the
 *   max_keys ceiling (userns_max_keys for a tenant) gives EDQUOT. The
 *   request's key material is zeroized in the kernel on every path, the
 *   refusals the netlink core would make itself included (a caller without
 *   CAP_NET_ADMIN, NLM_F_DUMP, unknown attributes, trailing bytes): the
 *   module checks them itself, after which the whole request is wiped. A
 *   sender should set NETLINK_CAP_ACK (libqkd does) so that no error echoes
 *   a request back. While a batch is staged, a
 *   KEY_ADD without QKD_A_BATCH is refused (EBUSY): staged keys come last
 *   in their pools, and nothing may overtake them.
 *
 * Staged batches: QKD_CMD_KEY_ADD with QKD_A_BATCH, QKD_CMD_KEY_COMMIT,
 * QKD_CMD_KEY_ABORT
 * ---------------------------------------------------------------------
 *
 *   How two gateways' daemons keep their pools in step across a crash of
 *   either: both stage a batch, then commit it; the kernel, not the
 *   daemon, remembers where each link stands. A link stages one batch at
 *   a time (at most QKD_KEY_BATCH_MAX keys, both directions):
 *
 *   - KEY_ADD with QKD_A_BATCH N stages its keys: the link holds them
 *     (their IDs count as held, they take room in the pools, the module's
 *     max_keys counts them) but nothing uses them: no SA, no take, no
 *     export, not in QKD_A_POOL_KEYS (QKD_A_POOL_STAGED counts them).
 *     N must be above the link's QKD_A_LINK_BATCH (EINVAL otherwise), and
 *     no other batch may be staged (EBUSY).
 *   - QKD_CMD_KEY_COMMIT: QKD_A_LINK_NAME, QKD_A_BATCH required,
 *     QKD_A_DIR optional (that direction only; both when absent). The
 *     staged keys of that direction join the end of their pool, in the
 *     order they were staged, usable from now on and counted as added;
 *     QKD_A_LINK_BATCH becomes N. Once no key of N is staged, the link
 *     stages nothing (QKD_A_LINK_STAGED 0). Committing the link's
 *     QKD_A_LINK_BATCH again with nothing of it staged succeeds and
 *     changes nothing, so a restarted daemon may repeat its last step;
 *     any other batch not staged is ENOENT.
 *   - QKD_CMD_KEY_ABORT: QKD_A_LINK_NAME, QKD_A_BATCH required. The keys
 *     of N still staged are discarded (zeroized, counted in
 *     QKD_A_POOL_DISCARDED_UNCOMMITTED, a discard event with reason
 *     QKD_DISCARD_UNCOMMITTED); keys of N already committed stay. A batch
 *     not staged is ENOENT.
 *   - QKD_CMD_KEY_FLUSH discards staged keys too (of its direction), as
 *     uncommitted; once none is left, the link stages nothing.
 *
 *   Keys discarded while staged leave no gap in QKD_A_KEY_INDEX: the next
 *   keys of the pool take their arrival numbers.
 *
 * QKD_CMD_KEY_FLUSH
 * -----------------
 *
 *   QKD_A_LINK_NAME: required
 *   QKD_A_DIR: u8, enum qkd_dir; both directions when absent
 *
 * QKD_CMD_KEY_TAKE (links whose consumer is QKD_CONSUMER_EXPORT only)
 * ----------------
 *
 *   QKD_A_LINK_NAME, QKD_A_DIR: required
 *
 *   The reply hands out the oldest key of that pool, once:
 *   QKD_A_LINK_NAME, QKD_A_KEY: nested QKD_A_KEY_DIR, QKD_A_KEY_ID,
 *   QKD_A_KEY_INDEX (u64, its arrival number in the pool, from 1),
 *   QKD_A_KEY_MATERIAL.
 *
 * QKD_CMD_KEY_EXPORT (export links only)
 * ------------------
 *
 *   QKD_A_LINK_NAME, QKD_A_DIR: required
 *   QKD_A_KEYRING: s32, a keyring serial or KEY_SPEC_*, writable by the
 *                  caller
 *   QKD_A_KEY_DESC: NUL-terminated string, "PREFIX:NAME", at most
 *                   QKD_KEY_DESC_MAX
 *
 *   Moves the oldest key of that pool into a new "logon" key (readable by
 *   in-kernel users only). The reply: QKD_A_LINK_NAME, QKD_A_KEY_SERIAL
 *   (s32), QKD_A_KEY (nested QKD_A_KEY_DIR, QKD_A_KEY_ID, QKD_A_KEY_INDEX).
 *
 * QKD_CMD_STATS_GET
 * -----------------
 *
 *   No attributes. The reply: QKD_A_STATS, nested enum qkd_stats_attr,
 *   figures over the whole module.
 *
 * QKD_CMD_LINK_REKEY
 * ------------------
 *
 *   QKD_A_LINK_NAME: required; a link whose consumer is xfrm, with both
 *   addresses and a reqid or an if-id
 *
 *   Replaces the link's outbound SA now with one keyed by the next out
 *   key (EAGAIN: the pool is empty; EIO: the install failed, see
 *   QKD_CMD_EVENT_SA_ERROR); the old SA is removed after a grace period.
 *
 * QKD_CMD_SA_GET (dump only)
 * --------------
 *
 *   QKD_A_LINK_NAME: optional, that link's SAs only (ENOENT if it does not
 *   exist); all links' otherwise
 *
 *   One message per SA the module installed, oldest first within a link:
 *   QKD_A_LINK_NAME, QKD_A_SA: nested QKD_A_SA_DIR, QKD_A_SA_SPI,
 *   QKD_A_SA_KEY_ID, QKD_A_SA_KEY_INDEX, QKD_A_SA_STATE, QKD_A_SA_AGE,
 *   QKD_A_SA_BYTES, QKD_A_SA_PACKETS. Never key material.
 *
 * Events (multicast group "events", in the link's namespace)
 * ------
 *
 *   QKD_CMD_EVENT_LOW_WATER: a pool dropped from above the link's low-water
 *   mark to at or below it (never with a mark of 0);
 *   QKD_CMD_EVENT_EMPTY: a pool dropped to 0;
 *     both: QKD_A_LINK_NAME, QKD_A_DIR, QKD_A_KEY_COUNT (u32, keys now),
 *     QKD_A_LINK_LOW_WATER
 *   QKD_CMD_EVENT_DISCARD: keys left a pool unused;
 *     QKD_A_LINK_NAME, QKD_A_DIR, QKD_A_KEY_COUNT, QKD_A_DISCARD_REASON
 *     (u8, enum qkd_discard), QKD_A_DISCARD_COUNT (u32)
 *
 *   QKD_CMD_EVENT_REKEY: the out SA was replaced; QKD_A_LINK_NAME,
 *     QKD_A_DIR (out), QKD_A_SA: nested QKD_A_SA_SPI (the new SA),
 *     QKD_A_SA_OLD_SPI, QKD_A_SA_KEY_INDEX (the new SA's key)
 *   QKD_CMD_EVENT_SA_ERROR: an SA could not be installed (the module
 *     retries after a back-off); QKD_A_LINK_NAME, QKD_A_DIR, QKD_A_ERRNO
 *     (s32, a negative errno)
 *   QKD_CMD_EVENT_HOLDING: on-empty hold: the out SA passed its rekey
 *     point with no out key to replace it and is kept until max-key-age;
 *     QKD_A_LINK_NAME, QKD_A_DIR, QKD_A_SA: nested QKD_A_SA_SPI
 *   QKD_CMD_EVENT_BLOCKED: on-empty block: the out SA reached its rekey
 *     point with no out key and was removed, traffic stops until keys
 *     arrive; the same attributes as QKD_CMD_EVENT_HOLDING
 *
 *   Events carry names, counts and SPIs, never key material.
 *
 * Keyring
 * -------
 *
 *   Key type "qkd" has no read method. Each link has a "qkd" key, named
 *   after it, in a keyring ".qkd" of its namespace; the key's description
 *   shows the pool state ("dc1: out 10/4096 in 12/4096").
 *   add_key("qkd", "LINK:in|out:KEYID", material, ...) with KEYID a UUID
 *   feeds one key into the pool of that link in the caller's namespace,
 *   with the checks of QKD_CMD_KEY_ADD and CAP_NET_ADMIN; it leaves an
 *   empty key that expires at once.
 */

#ifndef _UAPI_LINUX_QKD_H
#define _UAPI_LINUX_QKD_H

#include <linux/types.h>

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
	QKD_CMD_KEY_ADD,
	QKD_CMD_KEY_FLUSH,
	QKD_CMD_KEY_TAKE,
	QKD_CMD_KEY_EXPORT,
	QKD_CMD_STATS_GET,
	QKD_CMD_EVENT_LOW_WATER,
	QKD_CMD_EVENT_EMPTY,
	QKD_CMD_EVENT_DISCARD,
	QKD_CMD_LINK_REKEY,
	QKD_CMD_SA_GET,
	QKD_CMD_EVENT_REKEY,
	QKD_CMD_EVENT_SA_ERROR,
	QKD_CMD_EVENT_HOLDING,
	QKD_CMD_EVENT_BLOCKED,
	QKD_CMD_KEY_COMMIT,
	QKD_CMD_KEY_ABORT,
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
	QKD_A_POOL_OUT,
	QKD_A_POOL_IN,
	QKD_A_KEYS,
	QKD_A_KEY,
	QKD_A_DIR,
	QKD_A_KEYRING,
	QKD_A_KEY_DESC,
	QKD_A_KEY_SERIAL,
	QKD_A_DISCARD_REASON,
	QKD_A_DISCARD_COUNT,
	QKD_A_STATS,
	QKD_A_KEY_COUNT,
	QKD_A_SA,
	QKD_A_ERRNO,
	QKD_A_BATCH,
	QKD_A_LINK_BATCH,
	QKD_A_LINK_STAGED,
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

/* One QKD key: in QKD_A_KEYS of QKD_CMD_KEY_ADD, and QKD_CMD_KEY_TAKE. */
enum qkd_key_attr {
	QKD_A_KEY_UNSPEC,
	QKD_A_KEY_PAD,
	QKD_A_KEY_DIR,
	QKD_A_KEY_ID,
	QKD_A_KEY_MATERIAL,
	QKD_A_KEY_INDEX,
	__QKD_A_KEY_MAX,
};

#define QKD_A_KEY_MAX (__QKD_A_KEY_MAX - 1)

/* A key's direction: out, we encrypt with it; in, the peer does. */
enum qkd_dir {
	QKD_DIR_OUT,
	QKD_DIR_IN,
	__QKD_DIR_MAX,
};

#define QKD_DIR_MAX (__QKD_DIR_MAX - 1)

#define QKD_KEY_ID_LEN		16
#define QKD_KEY_DESC_MAX	255
/* Most keys one QKD_CMD_KEY_ADD may carry. */
#define QKD_KEY_BATCH_MAX	256

/*
 * When QKD_CMD_KEY_ADD fails with ENOSPC (a pool is full), the error ACK's
 * cookie (NLMSGERR_ATTR_COOKIE) holds the room left, in keys.
 */
struct qkd_room {
	__u32 out;
	__u32 in;
};

/* The state and counters of one pool (QKD_A_POOL_OUT, QKD_A_POOL_IN). */
enum qkd_pool_attr {
	QKD_A_POOL_UNSPEC,
	QKD_A_POOL_PAD,
	QKD_A_POOL_KEYS,		/* u32, keys present now */
	QKD_A_POOL_BYTES,		/* u64, bytes of key material present */
	QKD_A_POOL_ADDED,		/* u64, keys ever added */
	QKD_A_POOL_USED,		/* u64, keys used by the kernel (SAs) */
	QKD_A_POOL_EXPORTED,		/* u64, keys taken or exported */
	QKD_A_POOL_DISCARDED_FLUSH,	/* u64, keys dropped by a flush */
	QKD_A_POOL_DISCARDED_EXPIRED,	/* u64, keys dropped for their age */
	QKD_A_POOL_STAGED,		/* u32, keys staged, not usable yet */
	QKD_A_POOL_DISCARDED_UNCOMMITTED,	/* u64, staged keys discarded */
	__QKD_A_POOL_MAX,
};

#define QKD_A_POOL_MAX (__QKD_A_POOL_MAX - 1)

/* Why keys left a pool unused (QKD_A_DISCARD_REASON). */
enum qkd_discard {
	QKD_DISCARD_FLUSH,
	QKD_DISCARD_EXPIRED,
	QKD_DISCARD_UNCOMMITTED,	/* staged, never committed */
	__QKD_DISCARD_MAX,
};

#define QKD_DISCARD_MAX (__QKD_DISCARD_MAX - 1)

/* One SA the module installed (QKD_A_SA). No key material, ever. */
enum qkd_sa_attr {
	QKD_A_SA_UNSPEC,
	QKD_A_SA_PAD,
	QKD_A_SA_DIR,			/* u8, enum qkd_dir */
	QKD_A_SA_SPI,			/* u32, host order */
	QKD_A_SA_KEY_ID,		/* QKD_KEY_ID_LEN bytes */
	QKD_A_SA_KEY_INDEX,		/* u64 */
	QKD_A_SA_STATE,			/* u8, enum qkd_sa_state */
	QKD_A_SA_AGE,			/* u32, seconds since installed */
	QKD_A_SA_BYTES,			/* u64 */
	QKD_A_SA_PACKETS,		/* u64 */
	QKD_A_SA_OLD_SPI,		/* u32, rekey events: the SA replaced */
	__QKD_A_SA_MAX,
};

#define QKD_A_SA_MAX (__QKD_A_SA_MAX - 1)

enum qkd_sa_state {
	QKD_SA_ACTIVE,		/* out: carries our traffic; in: the peer's */
	QKD_SA_PENDING,		/* in: installed ahead, not used yet */
	QKD_SA_RETIRING,	/* replaced; removed after a grace period */
	QKD_SA_HOLDING,		/* out: past its rekey point, no key to replace it */
	__QKD_SA_STATE_MAX,
};

#define QKD_SA_STATE_MAX (__QKD_SA_STATE_MAX - 1)

/* Module-wide figures, in QKD_A_STATS of QKD_CMD_STATS_GET. */
enum qkd_stats_attr {
	QKD_A_STATS_UNSPEC,
	QKD_A_STATS_PAD,
	QKD_A_STATS_KEYS,		/* u64, keys held in every namespace */
	QKD_A_STATS_MAX_KEYS,		/* u64, the max_keys ceiling */
	QKD_A_STATS_MEMORY,		/* u64, bytes allocated for pools */
	QKD_A_STATS_ADDED,		/* u64, the pool counters, summed */
	QKD_A_STATS_USED,
	QKD_A_STATS_EXPORTED,
	QKD_A_STATS_DISCARDED,
	__QKD_A_STATS_MAX,
};

#define QKD_A_STATS_MAX (__QKD_A_STATS_MAX - 1)

#endif /* _UAPI_LINUX_QKD_H */
