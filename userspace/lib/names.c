// SPDX-License-Identifier: GPL-2.0
/*
 * The words qkdctl and its users read and write for attribute types and
 * enum values. They are spelled as the operator types them, and printed
 * back the same way, so that show output can be pasted into a command.
 */
#include <stddef.h>
#include <string.h>

#include "libqkd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const attr_names[] = {
	[QKD_A_LINK_NAME]		= "name",
	[QKD_A_LINK_ID]			= "id",
	[QKD_A_LINK_LOCAL_SAE]		= "local-sae",
	[QKD_A_LINK_PEER_SAE]		= "peer-sae",
	[QKD_A_LINK_LOCAL_ADDR]		= "local-addr",
	[QKD_A_LINK_PEER_ADDR]		= "peer-addr",
	[QKD_A_LINK_REQID]		= "reqid",
	[QKD_A_LINK_IF_ID]		= "if-id",
	[QKD_A_LINK_MODE]		= "mode",
	[QKD_A_LINK_CIPHER]		= "cipher",
	[QKD_A_LINK_KEY_BITS]		= "key-bits",
	[QKD_A_LINK_CAPACITY]		= "capacity",
	[QKD_A_LINK_LOW_WATER]		= "low-water",
	[QKD_A_LINK_REKEY_TIME]		= "rekey-time",
	[QKD_A_LINK_REKEY_BYTES]	= "rekey-bytes",
	[QKD_A_LINK_REKEY_PACKETS]	= "rekey-packets",
	[QKD_A_LINK_ON_EMPTY]		= "on-empty",
	[QKD_A_LINK_MAX_KEY_AGE]	= "max-key-age",
	[QKD_A_LINK_CONSUMER]		= "consumer",
	[QKD_A_LINK_RX_WINDOW]		= "rx-window",
	[QKD_A_POOL_OUT]		= "pool-out",
	[QKD_A_POOL_IN]			= "pool-in",
	[QKD_A_KEYS]			= "keys",
	[QKD_A_KEY]			= "key",
	[QKD_A_DIR]			= "dir",
	[QKD_A_KEYRING]			= "keyring",
	[QKD_A_KEY_DESC]		= "desc",
	[QKD_A_KEY_SERIAL]		= "serial",
	[QKD_A_DISCARD_REASON]		= "reason",
	[QKD_A_DISCARD_COUNT]		= "discarded",
	[QKD_A_STATS]			= "stats",
	[QKD_A_KEY_COUNT]		= "count",
	[QKD_A_SA]			= "sa",
	[QKD_A_ERRNO]			= "errno",
	[QKD_A_BATCH]			= "batch",
	[QKD_A_LINK_BATCH]		= "link-batch",
	[QKD_A_LINK_STAGED]		= "staged-batch",
};

static const char *const mode_names[] = {
	[QKD_MODE_TUNNEL]		= "tunnel",
	[QKD_MODE_TRANSPORT]		= "transport",
};

static const char *const cipher_names[] = {
	[QKD_CIPHER_AES_GCM_256]	= "aes-gcm-256",
	[QKD_CIPHER_AES_GCM_128]	= "aes-gcm-128",
	[QKD_CIPHER_CHACHA20_POLY1305]	= "chacha20-poly1305",
};

static const char *const on_empty_names[] = {
	[QKD_ON_EMPTY_HOLD]		= "hold",
	[QKD_ON_EMPTY_BLOCK]		= "block",
};

static const char *const consumer_names[] = {
	[QKD_CONSUMER_XFRM]		= "xfrm",
	[QKD_CONSUMER_EXPORT]		= "export",
};

static const char *const dir_names[] = {
	[QKD_DIR_OUT]			= "out",
	[QKD_DIR_IN]			= "in",
};

static const char *const discard_names[] = {
	[QKD_DISCARD_FLUSH]		= "flush",
	[QKD_DISCARD_EXPIRED]		= "expired",
	[QKD_DISCARD_UNCOMMITTED]	= "uncommitted",
};

static const char *const sa_state_names[] = {
	[QKD_SA_ACTIVE]			= "active",
	[QKD_SA_PENDING]		= "pending",
	[QKD_SA_RETIRING]		= "retiring",
	[QKD_SA_HOLDING]		= "holding",
};

/* Indexed by command: only the events have a word. */
static const char *const event_names[QKD_CMD_MAX + 1] = {
	[QKD_CMD_EVENT_LOW_WATER]	= "low-water",
	[QKD_CMD_EVENT_EMPTY]		= "empty",
	[QKD_CMD_EVENT_DISCARD]		= "discard",
	[QKD_CMD_EVENT_REKEY]		= "rekey",
	[QKD_CMD_EVENT_SA_ERROR]	= "sa-error",
	[QKD_CMD_EVENT_HOLDING]		= "holding",
	[QKD_CMD_EVENT_BLOCKED]		= "blocked",
};

/* A new value in the UAPI without a word here fails the build. */
_Static_assert(ARRAY_SIZE(attr_names) == QKD_A_MAX + 1, "attr_names");
_Static_assert(ARRAY_SIZE(mode_names) == QKD_MODE_MAX + 1, "mode_names");
_Static_assert(ARRAY_SIZE(cipher_names) == QKD_CIPHER_MAX + 1, "cipher_names");
_Static_assert(ARRAY_SIZE(on_empty_names) == QKD_ON_EMPTY_MAX + 1, "on_empty_names");
_Static_assert(ARRAY_SIZE(consumer_names) == QKD_CONSUMER_MAX + 1, "consumer_names");
_Static_assert(ARRAY_SIZE(dir_names) == QKD_DIR_MAX + 1, "dir_names");
_Static_assert(ARRAY_SIZE(discard_names) == QKD_DISCARD_MAX + 1, "discard_names");
_Static_assert(ARRAY_SIZE(sa_state_names) == QKD_SA_STATE_MAX + 1, "sa_state_names");
/* A new command is a reason to look here: is it an event? */
_Static_assert(QKD_CMD_MAX == QKD_CMD_KEY_ABORT, "event_names");

static const char *name_of(const char *const *names, size_t n, unsigned int v)
{
	return v < n ? names[v] : NULL;
}

static int parse_word(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

const char *qkd_attr_name(int type)
{
	if (type < 0)
		return NULL;
	return name_of(attr_names, ARRAY_SIZE(attr_names), type);
}

const char *qkd_mode_name(unsigned int v)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), v);
}

int qkd_mode_parse(const char *s)
{
	return parse_word(mode_names, ARRAY_SIZE(mode_names), s);
}

const char *qkd_cipher_name(unsigned int v)
{
	return name_of(cipher_names, ARRAY_SIZE(cipher_names), v);
}

int qkd_cipher_parse(const char *s)
{
	return parse_word(cipher_names, ARRAY_SIZE(cipher_names), s);
}

const char *qkd_on_empty_name(unsigned int v)
{
	return name_of(on_empty_names, ARRAY_SIZE(on_empty_names), v);
}

int qkd_on_empty_parse(const char *s)
{
	return parse_word(on_empty_names, ARRAY_SIZE(on_empty_names), s);
}

const char *qkd_consumer_name(unsigned int v)
{
	return name_of(consumer_names, ARRAY_SIZE(consumer_names), v);
}

int qkd_consumer_parse(const char *s)
{
	return parse_word(consumer_names, ARRAY_SIZE(consumer_names), s);
}

const char *qkd_dir_name(unsigned int v)
{
	return name_of(dir_names, ARRAY_SIZE(dir_names), v);
}

int qkd_dir_parse(const char *s)
{
	return parse_word(dir_names, ARRAY_SIZE(dir_names), s);
}

const char *qkd_discard_name(unsigned int v)
{
	return name_of(discard_names, ARRAY_SIZE(discard_names), v);
}

const char *qkd_sa_state_name(unsigned int v)
{
	return name_of(sa_state_names, ARRAY_SIZE(sa_state_names), v);
}

const char *qkd_event_name(unsigned int cmd)
{
	return name_of(event_names, ARRAY_SIZE(event_names), cmd);
}
