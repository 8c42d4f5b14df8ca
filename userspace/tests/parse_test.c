// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl's value parsers, on the host: no kernel, no netlink. What an
 * operator may type for a number or an address, and what is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "kselftest_harness.h"

/* What a refused parse must leave in its output. */
#define UNTOUCHED 12345

/*
 * parse_uint(s) returns ret; on success the value is want, on failure the
 * output is left as it was.
 */
#define EXPECT_UINT(s, max, suffix, ret, want) do {			\
	uint64_t v = UNTOUCHED;						\
									\
	EXPECT_EQ(ret, parse_uint(s, max, suffix, &v))			\
		TH_LOG("parse_uint(\"%s\")", s);			\
	EXPECT_EQ((ret) ? UNTOUCHED : (want), v)			\
		TH_LOG("the value of \"%s\"", s);			\
} while (0)

TEST(uint_decimal_up_to_the_maximum_is_accepted)
{
	EXPECT_UINT("0", 255, false, 0, 0);
	EXPECT_UINT("255", 255, false, 0, 255);
	EXPECT_UINT("007", 255, false, 0, 7);
	EXPECT_UINT("4294967295", UINT32_MAX, false, 0, UINT32_MAX);
	EXPECT_UINT("18446744073709551615", UINT64_MAX, false, 0, UINT64_MAX);
}

TEST(uint_above_the_maximum_is_out_of_range)
{
	EXPECT_UINT("256", 255, false, -ERANGE, 0);
	EXPECT_UINT("4294967296", UINT32_MAX, false, -ERANGE, 0);
	EXPECT_UINT("18446744073709551616", UINT64_MAX, false, -ERANGE, 0);
	EXPECT_UINT("99999999999999999999999", UINT64_MAX, false, -ERANGE, 0);
}

TEST(uint_empty_signed_spaced_or_not_decimal_is_invalid)
{
	EXPECT_UINT("", 255, false, -EINVAL, 0);
	EXPECT_UINT("-1", 255, false, -EINVAL, 0);
	EXPECT_UINT("+1", 255, false, -EINVAL, 0);
	EXPECT_UINT(" 1", 255, false, -EINVAL, 0);
	EXPECT_UINT("1 ", 255, false, -EINVAL, 0);
	EXPECT_UINT("0x10", 255, false, -EINVAL, 0);
	EXPECT_UINT("1e3", UINT32_MAX, false, -EINVAL, 0);
	EXPECT_UINT("12abc", UINT32_MAX, false, -EINVAL, 0);
}

TEST(uint_suffix_is_invalid_where_none_is_allowed)
{
	EXPECT_UINT("1K", UINT64_MAX, false, -EINVAL, 0);
}

TEST(uint_suffix_k_m_g_multiplies_by_powers_of_1024)
{
	EXPECT_UINT("1K", UINT64_MAX, true, 0, 1024);
	EXPECT_UINT("3k", UINT64_MAX, true, 0, 3072);
	EXPECT_UINT("2M", UINT64_MAX, true, 0, 2ULL << 20);
	EXPECT_UINT("16G", UINT64_MAX, true, 0, 16ULL << 30);
}

TEST(uint_other_or_longer_or_bare_suffix_is_invalid)
{
	EXPECT_UINT("1T", UINT64_MAX, true, -EINVAL, 0);
	EXPECT_UINT("1KB", UINT64_MAX, true, -EINVAL, 0);
	EXPECT_UINT("K", UINT64_MAX, true, -EINVAL, 0);
}

TEST(uint_suffixed_value_above_the_maximum_is_out_of_range)
{
	/* 2^34 G is 2^64: the multiplication itself overflows. */
	EXPECT_UINT("17179869184G", UINT64_MAX, true, -ERANGE, 0);
	EXPECT_UINT("1K", 1000, true, -ERANGE, 0);
}

TEST(addr_ipv4_gives_af_inet_and_its_4_bytes)
{
	static const uint8_t v4[16] = { 192, 0, 2, 1 };
	uint8_t addr[16];
	int family = 0;

	ASSERT_EQ(0, parse_addr("192.0.2.1", &family, addr));
	EXPECT_EQ(AF_INET, family);
	EXPECT_EQ(0, memcmp(addr, v4, 16));
}

TEST(addr_ipv6_gives_af_inet6_and_its_16_bytes)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t addr[16];
	int family = 0;

	ASSERT_EQ(0, parse_addr("2001:db8::1", &family, addr));
	EXPECT_EQ(AF_INET6, family);
	EXPECT_EQ(0, memcmp(addr, v6, 16));
}

TEST(addr_ipv4_mapped_ipv6_stays_ipv6)
{
	uint8_t addr[16];
	int family = 0;

	ASSERT_EQ(0, parse_addr("::ffff:192.0.2.1", &family, addr));
	EXPECT_EQ(AF_INET6, family);
}

TEST(addr_short_out_of_range_prefixed_or_a_name_is_invalid)
{
	const char *bad[] = { "192.0.2", "192.0.2.256", "192.0.2.1/24", "gw-a",
			      "" };
	uint8_t addr[16];
	int family = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_addr(bad[i], &family, addr))
			TH_LOG("parse_addr(\"%s\")", bad[i]);
	}
}

TEST_HARNESS_MAIN
