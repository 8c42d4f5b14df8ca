// SPDX-License-Identifier: GPL-2.0
/*
 * A refused QKD_CMD_KEY_ADD leaves its key material nowhere: not in the
 * reply, not in the request's buffer. Each test sends a request whose
 * material is a recognisable pattern, refused at one stage: by the
 * privilege check, as a dump, for an unknown attribute, for trailing bytes
 * (at the top level, inside QKD_A_KEYS) and for a bad key entry.
 *
 * The socket has NETLINK_CAP_ACK off, so the kernel's error reply echoes
 * the request as its buffer stands when the ACK is built, after the
 * module's handler (or the netlink core's refusal) is done with it: the
 * echo is the request's buffer, afterwards. Each test checks that the echo
 * is there and holds no byte of the pattern, then that with NETLINK_CAP_ACK
 * on, as libqkd sets it, the reply carries no request at all.
 *
 * Runs as root inside the test VM with qkd.ko loaded, each test in a
 * network namespace of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "libqkd.h"
#include "kselftest_harness.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The pattern: no valid request carries this run of bytes otherwise. */
#define PATTERN		0xa5
#define KEY_BYTES	32

enum defect {
	WELL_FORMED,
	UNKNOWN_ATTR,		/* a top-level attribute beyond QKD_A_MAX */
	TRAILING_TOP,		/* bytes after the last top-level attribute */
	TRAILING_KEYS,		/* bytes after the last entry of QKD_A_KEYS */
	BAD_ENTRY,		/* material of the wrong length for the link */
};

/* Builds the request into @buf; returns its length. */
static size_t build(struct qkd_nl *nl, void *buf, uint16_t flags, enum defect d)
{
	struct nlmsghdr *src = qkd_nl_msg(nl, QKD_CMD_KEY_ADD, flags);
	uint8_t material[KEY_BYTES + 8], id[QKD_KEY_ID_LEN];
	struct nlattr *keys, *key;
	struct nlmsghdr *nlh;

	/* qkd_nl_msg() gives the family and header; copy them out. */
	memcpy(buf, src, src->nlmsg_len);
	nlh = buf;
	memset(material, PATTERN, sizeof(material));
	memset(id, 0x11, sizeof(id));

	mnl_attr_put_strz(nlh, QKD_A_LINK_NAME, "dc1");
	keys = mnl_attr_nest_start(nlh, QKD_A_KEYS);
	key = mnl_attr_nest_start(nlh, QKD_A_KEY);
	mnl_attr_put_u8(nlh, QKD_A_KEY_DIR, QKD_DIR_OUT);
	mnl_attr_put(nlh, QKD_A_KEY_ID, sizeof(id), id);
	mnl_attr_put(nlh, QKD_A_KEY_MATERIAL,
		     d == BAD_ENTRY ? KEY_BYTES + 8 : KEY_BYTES, material);
	mnl_attr_nest_end(nlh, key);
	if (d == TRAILING_KEYS) {
		/* Three bytes: less than an attribute header. */
		memset((char *)nlh + nlh->nlmsg_len, PATTERN, 3);
		nlh->nlmsg_len += 3;
		keys->nla_len += 3;
		nlh->nlmsg_len = MNL_ALIGN(nlh->nlmsg_len);
	}
	mnl_attr_nest_end(nlh, keys);
	if (d == UNKNOWN_ATTR)
		mnl_attr_put(nlh, QKD_A_MAX + 1, KEY_BYTES, material);
	if (d == TRAILING_TOP) {
		memset((char *)nlh + nlh->nlmsg_len, PATTERN, 3);
		nlh->nlmsg_len += 3;
	}
	return nlh->nlmsg_len;
}

/*
 * Three pattern bytes in a row: the shortest run a request carries (the
 * trailing bytes), and one no header or extack field comes near.
 */
static bool has_pattern(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++)
		if (p[i] == PATTERN && p[i + 1] == PATTERN && p[i + 2] == PATTERN)
			return true;
	return false;
}

static int set_cap_ack(struct qkd_nl *nl, int on)
{
	return setsockopt(qkd_nl_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK, &on,
			  sizeof(on));
}

/*
 * Sends the request raw and reads the one reply: its errno (negative) in
 * @error, the bytes of the reply that follow struct nlmsgerr's error field
 * (the echoed request, when there is one, and the extack) in @echo.
 */
static int send_raw(struct qkd_nl *nl, const void *req, size_t len,
		    int *error, uint8_t *echo, size_t *echo_len)
{
	static uint8_t reply[65536];
	const struct nlmsghdr *nlh = (const void *)reply;
	const struct nlmsgerr *e;
	ssize_t n;

	if (send(qkd_nl_fd(nl), req, len, 0) != (ssize_t)len)
		return -errno;
	n = recv(qkd_nl_fd(nl), reply, sizeof(reply), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*e)) || nlh->nlmsg_type != NLMSG_ERROR)
		return -EBADMSG;
	e = NLMSG_DATA(nlh);
	*error = e->error;
	*echo_len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(e->error);
	memcpy(echo, &e->msg, *echo_len);
	return 0;
}

/*
 * The request refused with @want, its echo (CAP_ACK off) as long as the
 * request and free of the pattern, and then with CAP_ACK on no echo.
 */
static void check_refusal(struct __test_metadata *_metadata, struct qkd_nl *nl,
			  uint16_t flags, enum defect d, int want)
{
	static uint8_t req[4096], echo[65536];
	size_t len, echo_len;
	int error;

	ASSERT_EQ(0, set_cap_ack(nl, 0));
	len = build(nl, req, flags, d);
	ASSERT_TRUE(has_pattern(req, len));
	ASSERT_EQ(0, send_raw(nl, req, len, &error, echo, &echo_len));
	EXPECT_EQ(want, error);
	/* The echo is there, so the check below can fail. */
	ASSERT_GE(echo_len, len);
	EXPECT_FALSE(has_pattern(echo, len));

	ASSERT_EQ(0, set_cap_ack(nl, 1));
	len = build(nl, req, flags, d);
	ASSERT_EQ(0, send_raw(nl, req, len, &error, echo, &echo_len));
	EXPECT_EQ(want, error);
	EXPECT_LT(echo_len, len);
	EXPECT_FALSE(has_pattern(echo, echo_len));
}

FIXTURE(wipe) {
	struct qkd_nl *nl;
	struct qkd_err err;
};

FIXTURE_SETUP(wipe)
{
	struct qkd_link l;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, qkd_nl_open(&self->nl));
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "dc1");
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	ASSERT_EQ(0, qkd_link_new(self->nl, &l, &self->err));
}

FIXTURE_TEARDOWN(wipe)
{
	qkd_nl_close(self->nl);
}

/* The tests' request, without a defect, is taken: each refusal is its defect's. */
TEST_F(wipe, the_request_of_these_tests_is_accepted_without_its_defect)
{
	static uint8_t req[4096], echo[65536];
	size_t len, echo_len;
	int error;

	ASSERT_EQ(0, set_cap_ack(self->nl, 0));
	len = build(self->nl, req, NLM_F_ACK, WELL_FORMED);
	ASSERT_EQ(0, send_raw(self->nl, req, len, &error, echo, &echo_len));
	EXPECT_EQ(0, error);
	EXPECT_FALSE(has_pattern(echo, echo_len));
}

TEST_F(wipe, an_unprivileged_add_leaves_no_key_material)
{
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	check_refusal(_metadata, self->nl, NLM_F_ACK, WELL_FORMED, -EPERM);
}

TEST_F(wipe, an_add_sent_as_a_dump_leaves_no_key_material)
{
	check_refusal(_metadata, self->nl, NLM_F_DUMP, WELL_FORMED, -EOPNOTSUPP);
}

TEST_F(wipe, an_add_with_an_unknown_attribute_leaves_no_key_material)
{
	check_refusal(_metadata, self->nl, NLM_F_ACK, UNKNOWN_ATTR, -EINVAL);
}

TEST_F(wipe, an_add_with_trailing_bytes_leaves_no_key_material)
{
	check_refusal(_metadata, self->nl, NLM_F_ACK, TRAILING_TOP, -EINVAL);
}

TEST_F(wipe, trailing_bytes_after_the_last_key_entry_are_refused_and_wiped)
{
	struct qkd_link l;

	check_refusal(_metadata, self->nl, NLM_F_ACK, TRAILING_KEYS, -EINVAL);
	ASSERT_EQ(0, qkd_link_get(self->nl, "dc1", &l, &self->err));
	EXPECT_EQ(0, l.pool[QKD_DIR_OUT].keys);
}

TEST_F(wipe, an_add_with_a_bad_key_entry_leaves_no_key_material)
{
	check_refusal(_metadata, self->nl, NLM_F_ACK, BAD_ENTRY, -EINVAL);
}

TEST_HARNESS_MAIN
