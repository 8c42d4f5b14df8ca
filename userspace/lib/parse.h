/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of the values operators type, on qkdctl's command line and in
 * qkdd's configuration file alike; no netlink here, tested on the host.
 */
#ifndef QKD_PARSE_H
#define QKD_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "libqkd.h"

/*
 * A decimal number from 0 to max: no sign, no spaces, no other base. With
 * @suffix, a trailing K, M or G (or k, m, g) multiplies it by 1024, 1024^2
 * or 1024^3. Returns 0, -EINVAL for anything else, -ERANGE above max.
 */
int parse_uint(const char *s, uint64_t max, bool suffix, uint64_t *v);
/*
 * Stores v into the unsigned integer of size bytes (1, 2, 4 or 8) at p:
 * for option tables that describe struct fields by offset and size.
 */
void store_uint(void *p, size_t size, uint64_t v);

/*
 * An IPv4 or IPv6 address: *family AF_INET or AF_INET6, addr its 4 or 16
 * bytes in network order. Returns 0 or -EINVAL.
 */
int parse_addr(const char *s, int *family, uint8_t addr[16]);

/* The 36 characters of a UUID and a NUL. */
#define UUID_STR_LEN 37

/*
 * A UUID as text, 8-4-4-4-12 hex digits of either case, into its 16 bytes
 * in the order written (as the kernel's uuid_parse() reads it). Returns 0
 * or -EINVAL.
 */
int parse_uuid(const char *s, uint8_t id[16]);
/* The 16 bytes as a UUID in lower case. */
void format_uuid(const uint8_t id[16], char buf[UUID_STR_LEN]);

/*
 * Hex digits of either case, two per byte, into at most @max bytes; *len
 * gets the count. Returns 0, -EINVAL (empty, an odd count, not hex) or
 * -ERANGE (more than @max bytes). @buf may be written on failure.
 */
int parse_hex(const char *s, uint8_t *buf, size_t max, unsigned int *len);

/*
 * A keyring as keyctl(1) names it: a decimal serial from 1 to INT32_MAX,
 * or one of @t @p @s @u @us @g (the KEY_SPEC_* of <linux/keyctl.h>).
 * Returns 0 or -EINVAL.
 */
int parse_keyring(const char *s, int32_t *serial);

/*
 * One line of a key file, "DIR KEYID HEX" (fields apart by spaces or
 * tabs, the line's newline optional): DIR in or out, KEYID a UUID, HEX the
 * key material. Returns 0 with @key filled, 1 for a line to skip (blank, or
 * a comment starting with #), or -EINVAL with *why saying what is wrong;
 * the text never quotes the line, which may hold key material. The line is
 * cut up in place; the caller wipes it and @key.
 */
int parse_key_line(char *line, struct qkd_key *key, const char **why);

#endif /* QKD_PARSE_H */
