// SPDX-License-Identifier: GPL-2.0
/*
 * libqkd against a loaded qkd.ko (run it in the VM, in a fresh namespace):
 * that extack text, the offending attribute and the missing attribute come
 * back in struct qkd_err, that a dump spans several receive buffers, and
 * that the socket stays usable after a callback gives up half way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "libqkd.h"

static int failed, passed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

#define MANY 400	/* links: about 50 KB of dump, more than one buffer */

static int count(const struct qkd_link *l, void *arg)
{
	int *n = arg;

	(*n)++;
	return l->id && l->name[0] ? 0 : -EINVAL;
}

static int give_up(const struct qkd_link *l, void *arg)
{
	(void)l;
	(void)arg;
	return -ECANCELED;
}

static int stop_at_first(const struct qkd_link *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
	return 1;
}

int main(void)
{
	struct qkd_link l = {}, got;
	struct qkd_err err;
	struct qkd_nl *nl;
	int i, n, ret;

	ret = qkd_nl_open(&nl);
	if (ret) {
		fprintf(stderr, "qkd_nl_open: %s\n", qkd_nl_strerror(ret));
		return 1;
	}

	/* A request without the required name: a missing-attribute extack. */
	ret = qkd_link_del(nl, NULL, &err);
	CHECK(ret == -EINVAL && err.err == -EINVAL);
	CHECK(err.miss_type == QKD_A_LINK_NAME);
	CHECK(err.bad_attr == -1);
	qkd_err_print(&err);

	/* A value the policy refuses: the offset maps back to key-bits. */
	strcpy(l.name, "t0");
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	l.reqid = 7;
	qkd_link_mark(&l, QKD_A_LINK_REQID);
	l.key_bits = 100;
	qkd_link_mark(&l, QKD_A_LINK_KEY_BITS);
	ret = qkd_link_new(nl, &l, &err);
	CHECK(ret == -ERANGE || ret == -EINVAL);
	CHECK(err.bad_attr == QKD_A_LINK_KEY_BITS);
	CHECK(err.msg[0] != '\0');
	qkd_err_print(&err);

	/* An address without a family goes out empty and is refused. */
	l.present &= ~(1ULL << QKD_A_LINK_KEY_BITS);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	ret = qkd_link_new(nl, &l, &err);
	CHECK(ret < 0 && err.bad_attr == QKD_A_LINK_PEER_ADDR);
	qkd_err_print(&err);

	/* A good link, read back whole; then a duplicate. */
	l.present &= ~(1ULL << QKD_A_LINK_PEER_ADDR);
	l.family = AF_INET6;
	l.local_addr[15] = 1;
	l.peer_addr[15] = 2;
	qkd_link_mark(&l, QKD_A_LINK_LOCAL_ADDR);
	qkd_link_mark(&l, QKD_A_LINK_PEER_ADDR);
	l.rekey_bytes = 1ULL << 40;
	qkd_link_mark(&l, QKD_A_LINK_REKEY_BYTES);
	ret = qkd_link_new(nl, &l, &err);
	CHECK(ret == 0 && err.err == 0);
	ret = qkd_link_get(nl, "t0", &got, &err);
	CHECK(ret == 0);
	CHECK(!strcmp(got.name, "t0") && got.id > 0 && got.reqid == 7);
	CHECK(got.family == AF_INET6 && !memcmp(got.peer_addr, l.peer_addr, 16));
	CHECK(got.rekey_bytes == 1ULL << 40);
	CHECK(qkd_link_has(&got, QKD_A_LINK_RX_WINDOW) &&
	      !qkd_link_has(&got, QKD_A_LINK_LOCAL_SAE));
	ret = qkd_link_new(nl, &l, &err);
	CHECK(ret == -EEXIST && err.bad_attr == QKD_A_LINK_NAME);
	qkd_err_print(&err);

	/* Many links: the dump needs several receive buffers. */
	l.present = 0;
	qkd_link_mark(&l, QKD_A_LINK_NAME);
	for (i = 1; i <= MANY; i++) {
		snprintf(l.name, sizeof(l.name), "many-%d", i);
		ret = qkd_link_new(nl, &l, &err);
		if (ret) {
			qkd_err_print(&err);
			break;
		}
	}
	CHECK(ret == 0);
	n = 0;
	CHECK(qkd_link_dump(nl, count, &n, &err) == 0);
	CHECK(n == MANY + 1);

	/* A callback that gives up: its error, and a clean socket after. */
	CHECK(qkd_link_dump(nl, give_up, NULL, &err) == -ECANCELED);
	n = 0;
	CHECK(qkd_link_dump(nl, stop_at_first, &n, &err) == 0 && n == 1);
	CHECK(qkd_link_get(nl, "many-400", &got, &err) == 0 &&
	      !strcmp(got.name, "many-400"));
	CHECK(qkd_link_del(nl, "t0", &err) == 0);
	CHECK(qkd_link_get(nl, "t0", &got, &err) == -ENOENT);
	qkd_err_print(&err);

	qkd_nl_close(nl);
	printf("nl_test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
