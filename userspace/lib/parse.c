// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/keyctl.h>

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

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int parse_uuid(const char *s, uint8_t id[16])
{
	uint8_t out[16];
	int i, n = 0;

	for (i = 0; i < UUID_STR_LEN - 1; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_digit(s[i]);
		lo = hi < 0 ? -1 : hex_digit(s[i + 1]);
		if (lo < 0)
			return -EINVAL;
		out[n++] = hi << 4 | lo;
		i++;
	}
	if (s[i])
		return -EINVAL;
	memcpy(id, out, sizeof(out));
	return 0;
}

void format_uuid(const uint8_t id[16], char buf[UUID_STR_LEN])
{
	snprintf(buf, UUID_STR_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8],
		 id[9], id[10], id[11], id[12], id[13], id[14], id[15]);
}

int parse_hex(const char *s, uint8_t *buf, size_t max, unsigned int *len)
{
	size_t digits = strlen(s), i;

	if (!digits || digits % 2)
		return -EINVAL;
	for (i = 0; i < digits; i++)
		if (hex_digit(s[i]) < 0)
			return -EINVAL;
	if (digits / 2 > max)
		return -ERANGE;
	for (i = 0; i < digits / 2; i++)
		buf[i] = hex_digit(s[2 * i]) << 4 | hex_digit(s[2 * i + 1]);
	*len = digits / 2;
	return 0;
}

int parse_keyring(const char *s, int32_t *serial)
{
	static const struct {
		const char *name;
		int32_t serial;
	} specials[] = {
		{ "@t", KEY_SPEC_THREAD_KEYRING },
		{ "@p", KEY_SPEC_PROCESS_KEYRING },
		{ "@s", KEY_SPEC_SESSION_KEYRING },
		{ "@u", KEY_SPEC_USER_KEYRING },
		{ "@us", KEY_SPEC_USER_SESSION_KEYRING },
		{ "@g", KEY_SPEC_GROUP_KEYRING },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		if (!strcmp(s, specials[i].name)) {
			*serial = specials[i].serial;
			return 0;
		}
	}
	if (parse_uint(s, INT32_MAX, false, &v) || v == 0)
		return -EINVAL;
	*serial = v;
	return 0;
}

_Static_assert(QKD_KEY_BITS_MAX == 512, "the text of parse_key_line()");

int parse_key_line(char *line, struct qkd_key *key, const char **why)
{
	static const char sep[] = " \t\r\n\v\f";
	char *save, *dir, *id, *hex;
	int d, ret;

	dir = strtok_r(line, sep, &save);
	if (!dir || dir[0] == '#')
		return 1;
	id = strtok_r(NULL, sep, &save);
	hex = id ? strtok_r(NULL, sep, &save) : NULL;

	memset(key, 0, sizeof(*key));
	d = qkd_dir_parse(dir);
	if (d < 0) {
		*why = "the direction must be in or out";
		return -EINVAL;
	}
	key->dir = d;
	if (!id) {
		*why = "missing key ID and key material";
		return -EINVAL;
	}
	if (parse_uuid(id, key->id)) {
		*why = "the key ID is not a UUID";
		return -EINVAL;
	}
	if (!hex) {
		*why = "missing key material";
		return -EINVAL;
	}
	ret = parse_hex(hex, key->material, sizeof(key->material), &key->len);
	if (ret == -ERANGE) {
		*why = "key material longer than 512 bits";
		return -EINVAL;
	}
	if (ret) {
		*why = "key material must be an even number of hex digits";
		return -EINVAL;
	}
	if (strtok_r(NULL, sep, &save)) {
		*why = "unexpected text after the key material";
		return -EINVAL;
	}
	return 0;
}

void store_uint(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)p = v;
		break;
	case 2:
		*(uint16_t *)p = v;
		break;
	case 4:
		*(uint32_t *)p = v;
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}
