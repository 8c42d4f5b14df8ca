// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz's runner: sends each request, reads its answers to the end, and
 * judges them against the verdict the generator gave. After a success that
 * may have changed state the model is read back from the kernel (a dump),
 * so the state rules of the next requests are exact: nobody else acts in
 * the namespace. Every reply and every event is searched for the key
 * pattern; the one place key material may appear is the material of a
 * KEY_TAKE reply, which is what that command is for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libqkd.h"
#include "nl_fuzz.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Failures shown in full per case; all are counted. */
#define REPORTS_MAX	12

const char *const fz_case_names[FZ_CASES] = {
	[FZ_ROOT] = "root", [FZ_USERNS] = "userns",
	[FZ_USERNS_ALLOWED] = "userns-allowed", [FZ_UNPRIV] = "unpriv",
};

static uint8_t rbuf[1 << 17];

int fz_sock_open(bool cap_ack, bool ext_ack)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	int fd, one = 1, size = 1 << 20, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if ((ext_ack && setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one))) ||
	    (cap_ack && setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* Best effort: an unprivileged caller gets rmem_max at most. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

void fz_hex(const char *prefix, const uint8_t *p, size_t len)
{
	printf("%s", prefix);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* The extended ACK's text, after the echoed request if there is one. */
static void extack_msg(struct nlmsghdr *nlh, char *msg, size_t len)
{
	struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);
	struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(a, nlh, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			snprintf(msg, len, "%s", mnl_attr_get_str(a));
}

/* Where the material of a KEY_TAKE reply lies in the message. */
static void take_material(struct nlmsghdr *nlh, size_t *from, size_t *to)
{
	struct nlattr *a, *k;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != QKD_A_KEY)
			continue;
		mnl_attr_for_each_nested(k, a) {
			if (mnl_attr_get_type(k) != QKD_A_KEY_MATERIAL)
				continue;
			*from = (uint8_t *)mnl_attr_get_payload(k) - (uint8_t *)nlh;
			*to = *from + mnl_attr_get_payload_len(k);
		}
	}
}

/* Judges one message of the answers to request @m: its leaks, its end. */
static bool answer(struct nlmsghdr *nlh, const struct fz_msg *m, uint16_t family,
		   struct fz_result *res)
{
	size_t from = 0, to = 0;
	long at;

	if (nlh->nlmsg_type == family && m->cmd == QKD_CMD_KEY_TAKE)
		take_material(nlh, &from, &to);
	at = fz_find_pattern((uint8_t *)nlh, nlh->nlmsg_len, from, to);
	if (at >= 0 && res->leak < 0)
		res->leak = (uint8_t *)nlh - rbuf + at;
	if (to && fz_find_pattern((uint8_t *)nlh, nlh->nlmsg_len, 0, 0) >= 0)
		res->material = true;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		extack_msg(nlh, res->msg, sizeof(res->msg));
	if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE) {
		res->n_data++;
		return false;
	}
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		memcpy(&res->err, NLMSG_DATA(nlh), sizeof(int));
	res->answered = true;
	return true;
}

void fz_exchange(int fd, struct fz_msg *m, int n, uint32_t seq, uint16_t family,
		 struct fz_result *res)
{
	static const uint8_t pad[NLMSG_ALIGNTO];
	struct iovec iov[2 * FZ_BATCH_MAX];
	struct msghdr mh = { .msg_iov = iov };
	int left = n;

	/* Each request starts where the kernel looks for it: aligned. */
	for (int k = 0; k < n; k++) {
		((struct nlmsghdr *)m[k].buf)->nlmsg_seq = seq + k;
		memset(&res[k], 0, sizeof(res[k]));
		res[k].leak = -1;
		iov[mh.msg_iovlen++] = (struct iovec) { m[k].buf, m[k].len };
		if (k < n - 1 && NLMSG_ALIGN(m[k].len) != m[k].len)
			iov[mh.msg_iovlen++] = (struct iovec) {
				(void *)pad, NLMSG_ALIGN(m[k].len) - m[k].len };
	}
	if (sendmsg(fd, &mh, 0) < 0) {
		for (int k = 0; k < n; k++) {
			res[k].err = -errno;
			res[k].answered = true;
		}
		return;
	}
	while (left) {
		ssize_t got = recv(fd, rbuf, sizeof(rbuf), 0);
		int len = got;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return;		/* no answer within SO_RCVTIMEO */
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			uint32_t k = nlh->nlmsg_seq - seq;

			/* Not of this batch: a late answer to an earlier request. */
			if (k >= (uint32_t)n || res[k].answered)
				continue;
			left -= answer(nlh, &m[k], family, &res[k]);
		}
	}
}

static int add_link(const struct qkd_link *l, void *arg)
{
	struct fz_model *model = arg;
	uint8_t alen = l->family == AF_INET6 ? 16 : 4;
	struct fz_link *f;

	if (model->n == FZ_LINKS_MAX) {
		model->partial = true;
		return 0;
	}
	f = &model->links[model->n++];
	snprintf(f->name, sizeof(f->name), "%s", l->name);
	f->cfg = (struct fz_cfg) {
		.reqid = l->reqid, .if_id = l->if_id, .capacity = l->capacity,
		.low_water = l->low_water, .rekey_time = l->rekey_time,
		.max_key_age = l->max_key_age, .key_bits = l->key_bits,
		.cipher = l->cipher, .consumer = l->consumer,
		.local_len = qkd_link_has(l, QKD_A_LINK_LOCAL_ADDR) ? alen : 0,
		.peer_len = qkd_link_has(l, QKD_A_LINK_PEER_ADDR) ? alen : 0,
	};
	f->batch = l->batch;
	f->staged = l->staged_batch;
	f->held = 0;
	for (int d = 0; d <= QKD_DIR_MAX; d++)
		f->held += l->pool[d].keys + l->pool[d].staged;
	return 0;
}

/* Reads the model back; a dump cut short by a change is tried again. */
static int refresh(struct fz_model *model, struct qkd_nl *nl)
{
	struct qkd_err err;
	int ret = 0;

	for (int tries = 0; tries < 5; tries++) {
		model->n = 0;
		model->partial = false;
		ret = qkd_link_dump(nl, add_link, model, &err);
		if (!ret)
			break;
	}
	return ret;
}

static bool in_pool(const struct fz_model *model, const char *name)
{
	for (int i = 0; i < model->n_names; i++)
		if (!strcmp(model->names[i], name))
			return true;
	return false;
}

/* Keeps links and keys bounded: flushes pools, deletes stray links. */
static void tidy(struct fz_model *model, struct qkd_nl *nl, bool all)
{
	struct qkd_err err;

	for (int i = 0; i < model->n; i++) {
		const char *name = model->links[i].name;

		if (all || !in_pool(model, name))
			qkd_link_del(nl, name, &err);
		else if (model->links[i].held)
			qkd_key_flush(nl, name, -1, &err);
	}
	refresh(model, nl);
}

static void report(const struct fz_model *model, const struct fz_opts *o,
		   const struct fz_tally *t, uint64_t i, const struct fz_msg *m,
		   const struct fz_result *res, const char *what)
{
	printf("# FAIL %s #%llu: %s%s %s (errno %d%s%s)\n",
	       fz_case_names[model->who], (unsigned long long)i,
	       fz_cmd_name(m->cmd), m->dump ? " dump" : "", what, -res->err,
	       m->rule ? "; rule: " : "", m->rule ? m->rule : "");
	printf("#   mutations: %s; replay: nl_fuzz --seed 0x%llx --case %s --replay %llu\n",
	       m->how[0] ? m->how : "none", (unsigned long long)o->seed,
	       fz_case_names[model->who], (unsigned long long)i);
	fz_hex("#   hex: ", m->buf, m->len);
}

static void count_rule(struct fz_tally *t, const char *rule, bool ok)
{
	for (int k = 0; k < 64; k++) {
		if (!t->rules[k].rule)
			t->rules[k].rule = rule;
		if (!strcmp(t->rules[k].rule, rule)) {
			t->rules[k].sent++;
			t->rules[k].ok += ok;
			return;
		}
	}
}

static void judge(const struct fz_model *model, const struct fz_opts *o,
		  struct fz_tally *t, uint64_t i, const struct fz_msg *m,
		  const struct fz_result *res)
{
	bool ok = res->answered && !res->err;
	const char *what = NULL;
	int e = -res->err;

	t->sent++;
	t->verdict[m->verdict]++;
	t->cmd_sent[m->cmd]++;
	t->errs[strcmp(fz_cmd_name(m->cmd), "unserved") ? m->cmd : 0]
	       [e >= 0 && e < 135 ? e : 135]++;
	if (ok) {
		t->ok[m->verdict]++;
		t->cmd_ok[m->cmd]++;
	}
	if (m->verdict == FZ_MUST_FAIL)
		count_rule(t, m->rule, ok);
	if (!res->answered) {
		t->no_answer++;
		what = "got no answer within 5 s";
	} else if (m->verdict == FZ_MUST_FAIL && ok && !strcmp(m->rule, fz_rule_after_nul)) {
		/* A gap of the kernel's with a test point of its own: shown less. */
		t->after_nul++;
		t->after_nul_cmd[m->cmd <= QKD_CMD_MAX ? m->cmd : 0]++;
		if (t->reported_after_nul++ < 3)
			report(model, o, t, i, m, res, "succeeded, which the contract forbids");
	} else if (m->verdict == FZ_MUST_FAIL && ok) {
		t->forbidden++;
		what = "succeeded, which the contract forbids";
	} else if (m->verdict == FZ_MUST_SUCCEED && !ok) {
		t->unfulfilled++;
		what = "is a well-formed read and failed";
	}
	if (m->expect_eperm) {
		t->eperm_expected++;
		if (res->answered && res->err != -EPERM) {
			t->eperm_wrong++;
			what = "was not refused with EPERM";
		}
	}
	if (res->err == -EDQUOT && m->cmd == QKD_CMD_LINK_NEW)
		t->link_quota++;
	if (res->err == -EDQUOT && m->cmd == QKD_CMD_KEY_ADD)
		t->key_quota++;
	if (res->leak >= 0) {
		t->leaks++;
		what = "has a reply that carries the key pattern";
	}
	if (what && t->reported++ < REPORTS_MAX)
		report(model, o, t, i, m, res, what);
}

static void drain_events(struct qkd_nl *ev, struct fz_tally *t)
{
	for (;;) {
		ssize_t n = recv(qkd_nl_fd(ev), rbuf, sizeof(rbuf), MSG_DONTWAIT);
		int len = n;

		if (n < 0 && (errno == ENOBUFS || errno == EINTR))
			continue;	/* some events were dropped: go on */
		if (n < 0)
			return;
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len))
			t->events++;
		if (fz_find_pattern(rbuf, n, 0, 0) >= 0 && !t->event_leaks++) {
			printf("# FAIL an event carries the key pattern\n");
			fz_hex("#   event: ", rbuf, n);
		}
	}
}

static void quota_check(const struct fz_model *model, const struct fz_opts *o,
			struct fz_tally *t, uint64_t i)
{
	uint64_t keys = 0;

	for (int k = 0; k < model->n; k++)
		keys += model->links[k].held;
	if ((uint64_t)model->n > t->links_seen)
		t->links_seen = model->n;
	if (keys > t->keys_seen)
		t->keys_seen = keys;
	if ((uint32_t)model->n > model->max_links || keys > o->max_keys) {
		if (!t->quota_breaches++)
			printf("# FAIL %s #%llu: the namespace holds %d links and %llu keys, above its quotas\n",
			       fz_case_names[model->who], (unsigned long long)i,
			       model->n, (unsigned long long)keys);
	}
}

static void show(uint64_t i, const struct fz_msg *m, const struct fz_result *res)
{
	static const char *const verdicts[] = { "may", "must-succeed", "must-fail", "survive" };

	printf("# #%llu %s%s %s%s%s [%s]: %s, errno %d, %u data, leak %ld\n",
	       (unsigned long long)i, fz_cmd_name(m->cmd), m->dump ? " dump" : "",
	       verdicts[m->verdict], m->rule ? ": " : "", m->rule ? m->rule : "",
	       m->how, res->answered ? "answered" : "no answer", -res->err,
	       res->n_data, res->leak);
	if (res->msg[0])
		printf("#   extack: %s\n", res->msg);
	fz_hex("#   hex: ", m->buf, m->len);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A batch ends with a request that may change what the model holds (its
 * success is read back before the next request is built, which depends on
 * it), with a dump (a second one would find the socket busy with it), and
 * before a tidy-up. So a batch sends the requests one by one would.
 */
static bool ends_batch(const struct fz_msg *m, uint64_t i, bool can_tidy)
{
	return m->dump || (fz_changes_state(m->cmd) && m->verdict != FZ_MUST_FAIL) ||
	       (can_tidy && i % 512 == 511);
}

int fz_run(struct fz_model *model, uint64_t count, const struct fz_opts *o,
	   struct fz_tally *t, int extra_fd)
{
	static struct fz_msg m[FZ_BATCH_MAX];
	static struct fz_result res[FZ_BATCH_MAX];
	bool can_tidy = model->who == FZ_ROOT || model->who == FZ_USERNS_ALLOWED;
	struct qkd_nl *nl = NULL, *ev = NULL;
	int socks[4], n_socks = 0, ret, n;
	struct timespec t0, t1;

	ret = qkd_nl_open(&nl);
	if (!ret)
		ret = qkd_nl_open(&ev);
	if (!ret)
		ret = qkd_nl_subscribe(ev);
	/* With NETLINK_CAP_ACK, without (the request echoed), without extack. */
	for (int k = 0; !ret && k < 3; k++) {
		socks[n_socks] = fz_sock_open(k == 0, k < 2);
		if (socks[n_socks] < 0)
			ret = socks[n_socks];
		else
			n_socks++;
	}
	if (!ret && extra_fd >= 0)
		socks[n_socks++] = extra_fd;
	if (!ret)
		ret = refresh(model, nl);
	if (ret) {
		snprintf(t->error, sizeof(t->error), "cannot open or read the family: %s",
			 strerror(-ret));
		return -1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < count; i += n) {
		int fd = socks[fz_mix(o->seed ^ ~i) % n_socks];
		uint32_t bytes = 0;
		bool changed = false;
		double a = now(), b;

		for (n = 0; i + n < count && n < FZ_BATCH_MAX &&
			    bytes <= FZ_BATCH_BYTES - FZ_MSG_MAX; n++) {
			fz_generate(&m[n], model, o->seed, i + n, o->family);
			bytes += NLMSG_ALIGN(m[n].len);
			if (ends_batch(&m[n], i + n, can_tidy)) {
				n++;
				break;
			}
		}
		b = now();
		t->t_gen += b - a;
		fz_exchange(fd, m, n, i + 1, o->family, res);
		a = now();
		t->t_xchg += a - b;
		t->batches++;
		for (int k = 0; k < n; k++) {
			judge(model, o, t, i + k, &m[k], &res[k]);
			if (o->verbose || (o->replaying && i + k == o->replay))
				show(i + k, &m[k], &res[k]);
			changed |= res[k].answered && !res[k].err && fz_changes_state(m[k].cmd);
		}
		if (changed) {
			b = now();
			t->refreshes++;
			ret = refresh(model, nl);
			t->t_refresh += now() - b;
			if (ret) {
				snprintf(t->error, sizeof(t->error),
					 "cannot read the links back after request %llu",
					 (unsigned long long)(i + n - 1));
				break;
			}
			if (model->who == FZ_USERNS_ALLOWED)
				quota_check(model, o, t, i + n - 1);
		}
		b = now();
		if ((i + n) / 8 != i / 8)
			drain_events(ev, t);
		a = now();
		t->t_events += a - b;
		if (can_tidy && ((i + n) % 512 == 0 || model->partial))
			tidy(model, nl, (i + n) % 4096 == 0);
		t->t_tidy += now() - a;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	drain_events(ev, t);
	if (can_tidy) {
		tidy(model, nl, true);
		if (model->n)
			snprintf(t->error, sizeof(t->error),
				 "%d links left after deleting them all", model->n);
	}
	t->secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	t->ran = true;
	for (int k = 0; k < n_socks; k++)
		if (socks[k] != extra_fd)
			close(socks[k]);
	qkd_nl_close(ev);
	qkd_nl_close(nl);
	return 0;
}

