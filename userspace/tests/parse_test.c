// SPDX-License-Identifier: GPL-2.0
/* Host test of qkdctl's value parsers: no kernel, no netlink. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

static int failed, passed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

static int uint_is(const char *s, uint64_t max, bool suffix, int ret,
		   uint64_t want)
{
	uint64_t v = 12345;
	int r = parse_uint(s, max, suffix, &v);

	if (r != ret)
		return 0;
	return ret ? v == 12345 : v == want;
}

static void test_uint(void)
{
	CHECK(uint_is("0", 255, false, 0, 0));
	CHECK(uint_is("255", 255, false, 0, 255));
	CHECK(uint_is("007", 255, false, 0, 7));
	CHECK(uint_is("256", 255, false, -ERANGE, 0));
	CHECK(uint_is("4294967295", UINT32_MAX, false, 0, UINT32_MAX));
	CHECK(uint_is("4294967296", UINT32_MAX, false, -ERANGE, 0));
	CHECK(uint_is("18446744073709551615", UINT64_MAX, false, 0, UINT64_MAX));
	CHECK(uint_is("18446744073709551616", UINT64_MAX, false, -ERANGE, 0));
	CHECK(uint_is("99999999999999999999999", UINT64_MAX, false, -ERANGE, 0));
	CHECK(uint_is("", 255, false, -EINVAL, 0));
	CHECK(uint_is("-1", 255, false, -EINVAL, 0));
	CHECK(uint_is("+1", 255, false, -EINVAL, 0));
	CHECK(uint_is(" 1", 255, false, -EINVAL, 0));
	CHECK(uint_is("1 ", 255, false, -EINVAL, 0));
	CHECK(uint_is("0x10", 255, false, -EINVAL, 0));
	CHECK(uint_is("1e3", UINT32_MAX, false, -EINVAL, 0));
	CHECK(uint_is("12abc", UINT32_MAX, false, -EINVAL, 0));
	CHECK(uint_is("1K", UINT64_MAX, false, -EINVAL, 0));
	CHECK(uint_is("1K", UINT64_MAX, true, 0, 1024));
	CHECK(uint_is("3k", UINT64_MAX, true, 0, 3072));
	CHECK(uint_is("2M", UINT64_MAX, true, 0, 2ULL << 20));
	CHECK(uint_is("16G", UINT64_MAX, true, 0, 16ULL << 30));
	CHECK(uint_is("1T", UINT64_MAX, true, -EINVAL, 0));
	CHECK(uint_is("1KB", UINT64_MAX, true, -EINVAL, 0));
	CHECK(uint_is("K", UINT64_MAX, true, -EINVAL, 0));
	CHECK(uint_is("17179869184G", UINT64_MAX, true, -ERANGE, 0));
	CHECK(uint_is("1K", 1000, true, -ERANGE, 0));
}

static void test_addr(void)
{
	static const uint8_t v4[16] = { 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t addr[16];
	int family = 0;

	CHECK(parse_addr("192.0.2.1", &family, addr) == 0 &&
	      family == AF_INET && !memcmp(addr, v4, 16));
	CHECK(parse_addr("2001:db8::1", &family, addr) == 0 &&
	      family == AF_INET6 && !memcmp(addr, v6, 16));
	CHECK(parse_addr("::ffff:192.0.2.1", &family, addr) == 0 &&
	      family == AF_INET6);
	CHECK(parse_addr("192.0.2", &family, addr) == -EINVAL);
	CHECK(parse_addr("192.0.2.256", &family, addr) == -EINVAL);
	CHECK(parse_addr("192.0.2.1/24", &family, addr) == -EINVAL);
	CHECK(parse_addr("gw-a", &family, addr) == -EINVAL);
	CHECK(parse_addr("", &family, addr) == -EINVAL);
}

int main(void)
{
	test_uint();
	test_addr();
	printf("parse_test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
