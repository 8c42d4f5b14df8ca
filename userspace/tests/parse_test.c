// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl's value parsers, on the host: no kernel, no netlink. What an
 * operator may type for a number, an address or a keyring, what a key file
 * line may hold, and what is refused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/keyctl.h>

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

TEST(uuid_in_either_case_gives_its_bytes_in_written_order)
{
	static const uint8_t want[16] = {
		0x6f, 0x1c, 0x2a, 0x3e, 0x00, 0x01, 0x40, 0x00,
		0x80, 0x00, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45,
	};
	uint8_t id[16];

	ASSERT_EQ(0, parse_uuid("6f1c2a3e-0001-4000-8000-abcdef012345", id));
	EXPECT_EQ(0, memcmp(want, id, 16));
	ASSERT_EQ(0, parse_uuid("6F1C2A3E-0001-4000-8000-ABCDEF012345", id));
	EXPECT_EQ(0, memcmp(want, id, 16));
}

TEST(uuid_formats_back_in_lower_case)
{
	char buf[UUID_STR_LEN];
	uint8_t id[16];

	ASSERT_EQ(0, parse_uuid("6F1C2A3E-0001-4000-8000-ABCDEF012345", id));
	format_uuid(id, buf);
	EXPECT_STREQ("6f1c2a3e-0001-4000-8000-abcdef012345", buf);
}

TEST(uuid_without_its_dashes_short_long_or_not_hex_is_invalid)
{
	const char *bad[] = {
		"6f1c2a3e00014000800000abcdef012345",
		"{6f1c2a3e-0001-4000-8000-abcdef012345}",
		"6f1c2a3e-0001-4000-8000-abcdef01234",
		"6f1c2a3e-0001-4000-8000-abcdef0123456",
		"6f1c2a3e-0001-4000-8000_abcdef012345",
		"6f1c2a3e-0001-4000-8000-abcdef01234g",
		"6f1c2a3-e0001-4000-8000-abcdef012345",
		"",
	};
	uint8_t id[16] = { 0x55 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_uuid(bad[i], id))
			TH_LOG("parse_uuid(\"%s\")", bad[i]);
	}
	EXPECT_EQ(0x55, id[0]);
}

TEST(hex_two_digits_per_byte_in_either_case)
{
	uint8_t buf[4];
	unsigned int len = 0;

	ASSERT_EQ(0, parse_hex("00fF7a", buf, sizeof(buf), &len));
	EXPECT_EQ(3, len);
	EXPECT_EQ(0x00, buf[0]);
	EXPECT_EQ(0xff, buf[1]);
	EXPECT_EQ(0x7a, buf[2]);
}

TEST(hex_empty_odd_or_not_hex_is_invalid)
{
	const char *bad[] = { "", "0", "abc", "0x12", "12 34", "zz" };
	uint8_t buf[8];
	unsigned int len = 99;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_hex(bad[i], buf, sizeof(buf), &len))
			TH_LOG("parse_hex(\"%s\")", bad[i]);
	}
	EXPECT_EQ(99, len);
}

TEST(hex_longer_than_the_buffer_is_out_of_range)
{
	uint8_t buf[2];
	unsigned int len = 99;

	EXPECT_EQ(-ERANGE, parse_hex("001122", buf, sizeof(buf), &len));
	EXPECT_EQ(99, len);
	EXPECT_EQ(0, parse_hex("0011", buf, sizeof(buf), &len));
}

TEST(keyring_special_names_are_the_key_spec_values)
{
	static const struct {
		const char *s;
		int32_t serial;
	} specials[] = {
		{ "@t", KEY_SPEC_THREAD_KEYRING },
		{ "@p", KEY_SPEC_PROCESS_KEYRING },
		{ "@s", KEY_SPEC_SESSION_KEYRING },
		{ "@u", KEY_SPEC_USER_KEYRING },
		{ "@us", KEY_SPEC_USER_SESSION_KEYRING },
		{ "@g", KEY_SPEC_GROUP_KEYRING },
	};
	int32_t serial;

	for (size_t i = 0; i < ARRAY_SIZE(specials); i++) {
		ASSERT_EQ(0, parse_keyring(specials[i].s, &serial));
		EXPECT_EQ(specials[i].serial, serial) TH_LOG("%s", specials[i].s);
	}
}

TEST(keyring_serial_is_decimal_from_1_to_int32_max)
{
	const char *bad[] = { "0", "-4", "2147483648", "0x10", "@", "@x", "" };
	int32_t serial = 0;

	ASSERT_EQ(0, parse_keyring("1", &serial));
	EXPECT_EQ(1, serial);
	ASSERT_EQ(0, parse_keyring("2147483647", &serial));
	EXPECT_EQ(INT32_MAX, serial);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, parse_keyring(bad[i], &serial))
			TH_LOG("parse_keyring(\"%s\")", bad[i]);
	}
}

#define KEY_ID "6f1c2a3e-0000-4000-8000-000000000001"

/* parse_key_line() of a copy of @text, which it cuts up. */
static int key_line(const char *text, struct qkd_key *key, const char **why)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%s", text);
	*why = NULL;
	return parse_key_line(buf, key, why);
}

TEST(key_line_gives_direction_id_and_material)
{
	struct qkd_key key;
	const char *why;

	ASSERT_EQ(0, key_line("in " KEY_ID " 0011aAfF\n", &key, &why));
	EXPECT_EQ(QKD_DIR_IN, key.dir);
	EXPECT_EQ(0x6f, key.id[0]);
	EXPECT_EQ(0x01, key.id[15]);
	EXPECT_EQ(4, key.len);
	EXPECT_EQ(0xaa, key.material[2]);
	EXPECT_EQ(0xff, key.material[3]);
	ASSERT_EQ(0, key_line("\tout  " KEY_ID "\t00 \r\n", &key, &why));
	EXPECT_EQ(QKD_DIR_OUT, key.dir);
	EXPECT_EQ(1, key.len);
}

TEST(key_line_blank_or_comment_is_skipped)
{
	const char *skip[] = { "", "\n", "  \t\r\n", "# out " KEY_ID " 00\n",
			       "   #\n" };
	struct qkd_key key;
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(skip); i++) {
		EXPECT_EQ(1, key_line(skip[i], &key, &why))
			TH_LOG("line %zu", i);
	}
}

TEST(key_line_malformed_says_why_without_quoting_it)
{
	static const struct {
		const char *line;
		const char *why;
	} bad[] = {
		{ "sideways " KEY_ID " 00", "the direction must be in or out" },
		{ "OUT " KEY_ID " 00", "the direction must be in or out" },
		{ "out", "missing key ID and key material" },
		{ "out " KEY_ID, "missing key material" },
		{ "out 00 " KEY_ID, "the key ID is not a UUID" },
		{ "out " KEY_ID " 001", "key material must be an even number" },
		{ "out " KEY_ID " 0g", "key material must be an even number" },
		{ "out " KEY_ID " 00 00", "unexpected text after the key material" },
		{ "out " KEY_ID " 00 #", "unexpected text after the key material" },
	};
	struct qkd_key key;
	const char *why;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, key_line(bad[i].line, &key, &why))
			TH_LOG("\"%s\"", bad[i].line);
		ASSERT_NE(NULL, why);
		EXPECT_EQ(0, strncmp(bad[i].why, why, strlen(bad[i].why)))
			TH_LOG("\"%s\": %s", bad[i].line, why);
		EXPECT_EQ(NULL, strstr(why, "00")) TH_LOG("%s", why);
	}
}

TEST(key_line_material_over_512_bits_is_refused)
{
	char line[300];
	struct qkd_key key;
	const char *why;

	snprintf(line, sizeof(line), "in %s %0128d", KEY_ID, 0);
	ASSERT_EQ(0, key_line(line, &key, &why));
	EXPECT_EQ(64, key.len);
	snprintf(line, sizeof(line), "in %s %0130d", KEY_ID, 0);
	EXPECT_EQ(-EINVAL, key_line(line, &key, &why));
	EXPECT_STREQ("key material longer than 512 bits", why);
}

TEST_HARNESS_MAIN
