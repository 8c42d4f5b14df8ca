// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

int parse_uint(const char *s, uint64_t max, bool suffix, uint64_t *v)
{
	uint64_t n = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (n > (UINT64_MAX - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	if (suffix && *p) {
		switch (*p++) {
		case 'K': case 'k':
			mult = 1ULL << 10;
			break;
		case 'M': case 'm':
			mult = 1ULL << 20;
			break;
		case 'G': case 'g':
			mult = 1ULL << 30;
			break;
		default:
			return -EINVAL;
		}
	}
	if (*p)
		return -EINVAL;
	if (n > UINT64_MAX / mult)
		return -ERANGE;
	n *= mult;
	if (n > max)
		return -ERANGE;
	*v = n;
	return 0;
}

int parse_addr(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}
