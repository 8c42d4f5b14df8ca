// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the input of "qkdctl key load LINK file PATH" (qkdctl's
 * key.c: its line reader, batches and error lines; parse.c:
 * parse_key_line(), parse_uuid(), parse_hex()). An input is the key file,
 * written to a memfd that qkdctl opens by its /proc path, so that the
 * whole command runs as an operator's would: through libqkd's
 * qkd_key_add() to the fake socket of fakenl.c, where a fake kernel
 * judges each batch as qkd.ko does the parts that shape qkdctl's
 * answer: a key of another size than the link's is refused with an extack
 * pointing at it, a pool past POOL_CAP keys with ENOSPC and the room left.
 * The fake link's keys are one byte long (qkdctl does not know the size),
 * so that a file of more than one batch fits a small input: 257 lines of
 * "in UUID 00" are 11 KB.
 *
 * Beyond the sanitizers' findings, the target checks that a failure is
 * recorded once, as qkdctl's main() prints it, and that its text quotes
 * no key material (no run of 8 hex digits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ctype.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "qkdctl.h"
#include "fakenl.h"
#include "fuzz.h"

#define KEY_BYTES	1	/* the fake link's key-bits: 8 */
#define POOL_CAP	128	/* keys per direction: half a batch */

static unsigned int pool[2];
static int memfd = -1;
static char path[64];

static void fake_kernel(const struct nlmsghdr *req)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	const struct nlattr *attr, *key, *a;
	unsigned int add[2] = {}, dir, len;
	struct qkd_room room;
	int off;

	if (req->nlmsg_type != FAKENL_FAMILY || genl->cmd != QKD_CMD_KEY_ADD) {
		fakenl_push_error(req, -EOPNOTSUPP, NULL, -1, NULL, 0);
		return;
	}
	mnl_attr_for_each(attr, req, sizeof(*genl)) {
		if (mnl_attr_get_type(attr) != QKD_A_KEYS)
			continue;
		mnl_attr_for_each_nested(key, attr) {
			dir = QKD_DIR_MAX + 1;
			len = 0;
			off = (const char *)key - (const char *)req;
			mnl_attr_for_each_nested(a, key) {
				if (mnl_attr_get_type(a) == QKD_A_KEY_DIR)
					dir = mnl_attr_get_u8(a);
				if (mnl_attr_get_type(a) == QKD_A_KEY_MATERIAL) {
					len = mnl_attr_get_payload_len(a);
					off = (const char *)a - (const char *)req;
				}
			}
			if (dir > QKD_DIR_MAX) {
				fakenl_push_error(req, -EINVAL, "unknown direction",
						  off, NULL, 0);
				return;
			}
			if (len != KEY_BYTES) {
				fakenl_push_error(req, -EINVAL,
						  "key size differs from the link's key-bits",
						  off, NULL, 0);
				return;
			}
			add[dir]++;
		}
	}
	if (pool[0] + add[0] > POOL_CAP || pool[1] + add[1] > POOL_CAP) {
		room.out = POOL_CAP - pool[QKD_DIR_OUT];
		room.in = POOL_CAP - pool[QKD_DIR_IN];
		fakenl_push_error(req, -ENOSPC, "pool is full", -1, &room,
				  sizeof(room));
		return;
	}
	pool[0] += add[0];
	pool[1] += add[1];
	fakenl_push_error(req, 0, NULL, -1, NULL, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("keys", MFD_CLOEXEC);
	if (memfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void check_no_hex_run(const char *s)
{
	unsigned int run = 0;

	for (; *s; s++) {
		run = isxdigit((unsigned char)*s) ? run + 1 : 0;
		CHECK(run < 8);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char w_load[] = "load", w_link[] = "dc1", w_file[] = "file";
	char *argv[] = { w_load, w_link, w_file, path, NULL };
	struct qkdctl c = {
		.err = { .bad_attr = -1, .miss_type = -1, .bad_key = -1 },
	};
	int ret;

	CHECK(!ftruncate(memfd, 0));
	CHECK(pwrite(memfd, data, size, 0) == (ssize_t)size);
	pool[0] = pool[1] = 0;
	fakenl_reset(FAKENL_AUTO_FAMILY, fake_kernel);

	ret = cmd_key(&c, 4, argv);
	qkd_nl_close(c.nl);
	CHECK(ret <= 0 && ret != -EUSAGE);
	if (ret) {
		CHECK(c.err.err == ret);
		CHECK_STR(c.err.msg);
		check_no_hex_run(c.err.msg);
	}
	return 0;
}
