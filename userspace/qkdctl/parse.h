/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing of the values operators type; no netlink here, tested on the host. */
#ifndef QKDCTL_PARSE_H
#define QKDCTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A decimal number from 0 to max: no sign, no spaces, no other base. With
 * @suffix, a trailing K, M or G (or k, m, g) multiplies it by 1024, 1024^2
 * or 1024^3. Returns 0, -EINVAL for anything else, -ERANGE above max.
 */
int parse_uint(const char *s, uint64_t max, bool suffix, uint64_t *v);

/*
 * An IPv4 or IPv6 address: *family AF_INET or AF_INET6, addr its 4 or 16
 * bytes in network order. Returns 0 or -EINVAL.
 */
int parse_addr(const char *s, int *family, uint8_t addr[16]);

#endif /* QKDCTL_PARSE_H */
