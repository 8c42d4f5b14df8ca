// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl monitor: the events of the namespace's links, one line each, as
 * they come; with -j one compact JSON object per line. Every line is
 * flushed as it is printed, so that a pipe sees it at once.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "parse.h"
#include "qkdctl.h"

void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [-j] [-n NETNS] monitor [count N]\n"
		"       qkdctl monitor help\n"
		"Prints the events of the namespace's links as they come, one per line:\n"
		"  low-water LINK dir DIR keys N low-water N\n"
		"  empty LINK dir DIR keys N\n"
		"  discard LINK dir DIR reason { flush | expired } count N keys N\n"
		"  rekey LINK dir out spi SPI old-spi SPI index N\n"
		"  sa-error LINK dir DIR error TEXT\n"
		"  holding LINK dir out spi SPI\n"
		"  blocked LINK dir out spi SPI\n"
		"(with -j one JSON object per line), until SIGINT or SIGTERM (exit 0)\n"
		"or, with count, after N events. \"monitoring\" goes to stderr once\n"
		"the subscription is in place.\n");
}

static int print_text(const struct qkd_event *ev)
{
	char dir[16], reason[16];

	printf("%s %s dir %s", qkd_event_name(ev->cmd), ev->link,
	       enum_word(qkd_dir_name(ev->dir), ev->dir, dir, sizeof(dir)));
	switch (ev->cmd) {
	case QKD_CMD_EVENT_LOW_WATER:
		printf(" keys %" PRIu32 " low-water %" PRIu32 "\n", ev->count,
		       ev->low_water);
		break;
	case QKD_CMD_EVENT_EMPTY:
		printf(" keys %" PRIu32 "\n", ev->count);
		break;
	case QKD_CMD_EVENT_DISCARD:
		printf(" reason %s count %" PRIu32 " keys %" PRIu32 "\n",
		       enum_word(qkd_discard_name(ev->reason), ev->reason, reason,
				 sizeof(reason)),
		       ev->discarded, ev->count);
		break;
	case QKD_CMD_EVENT_REKEY:
		printf(" spi 0x%08" PRIx32 " old-spi 0x%08" PRIx32 " index %" PRIu64 "\n",
		       ev->spi, ev->old_spi, ev->key_index);
		break;
	case QKD_CMD_EVENT_SA_ERROR:
		printf(" error %s\n", strerror(-ev->error));
		break;
	case QKD_CMD_EVENT_HOLDING:
	case QKD_CMD_EVENT_BLOCKED:
		printf(" spi 0x%08" PRIx32 "\n", ev->spi);
		break;
	default:
		printf("\n");
		break;
	}
	return fflush(stdout) == EOF ? -errno : 0;
}

/* The members of a pool event: the pool's count, and why it moved. */
static int json_pool_event(struct json_object *obj, const struct qkd_event *ev)
{
	int ret = 0;

	if (ev->cmd == QKD_CMD_EVENT_DISCARD) {
		ret = json_add_word(obj, "reason", qkd_discard_name(ev->reason),
				    ev->reason);
		if (!ret)
			ret = json_add_uint(obj, "count", ev->discarded);
	}
	if (!ret)
		ret = json_add_uint(obj, "keys", ev->count);
	if (!ret && ev->cmd == QKD_CMD_EVENT_LOW_WATER)
		ret = json_add_uint(obj, "low-water", ev->low_water);
	return ret;
}

/*
 * The members of an SA event; SPIs are numbers. An error is its text, as
 * in the text output, and its (positive) errno for scripts.
 */
static int json_sa_event(struct json_object *obj, const struct qkd_event *ev)
{
	int ret;

	if (ev->cmd == QKD_CMD_EVENT_SA_ERROR) {
		ret = json_add_string(obj, "error", strerror(-ev->error));
		if (!ret)
			ret = json_add_int(obj, "errno", -(int64_t)ev->error);
		return ret;
	}
	ret = json_add_uint(obj, "spi", ev->spi);
	if (!ret && ev->cmd == QKD_CMD_EVENT_REKEY) {
		ret = json_add_uint(obj, "old-spi", ev->old_spi);
		if (!ret)
			ret = json_add_uint(obj, "index", ev->key_index);
	}
	return ret;
}

/* The same members as the text, under the same words. */
static int print_json(const struct qkd_event *ev)
{
	struct json_object *obj = json_object_new_object();
	int ret;

	if (!obj)
		return -ENOMEM;
	ret = json_add_string(obj, "event", qkd_event_name(ev->cmd));
	if (!ret)
		ret = json_add_string(obj, "link", ev->link);
	if (!ret)
		ret = json_add_word(obj, "dir", qkd_dir_name(ev->dir), ev->dir);
	if (!ret) {
		switch (ev->cmd) {
		case QKD_CMD_EVENT_LOW_WATER:
		case QKD_CMD_EVENT_EMPTY:
		case QKD_CMD_EVENT_DISCARD:
			ret = json_pool_event(obj, ev);
			break;
		case QKD_CMD_EVENT_REKEY:
		case QKD_CMD_EVENT_SA_ERROR:
		case QKD_CMD_EVENT_HOLDING:
		case QKD_CMD_EVENT_BLOCKED:
			ret = json_sa_event(obj, ev);
			break;
		}
	}
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_print_line_free(obj);
}

/*
 * Every line is out by the time a signal comes, so the handler may end the
 * process itself; a flag checked around poll() would leave a window in
 * which the signal is missed until the next event.
 */
static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static int catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

int cmd_monitor(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_event ev;
	uint64_t count = 0, seen = 0;
	int ret;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		monitor_usage(stdout);
		return 0;
	}
	if (argc >= 1) {
		if (strcmp(argv[0], "count"))
			return usage_error("monitor", "unknown argument \"%s\"", argv[0]);
		if (argc == 1)
			return usage_error("monitor", "missing value for \"count\"");
		if (argc > 2)
			return usage_error("monitor", "unexpected \"%s\" after count",
					   argv[2]);
		if (parse_uint(argv[1], UINT64_MAX, false, &count) || !count)
			return usage_error("monitor",
					   "invalid count \"%s\" (a decimal number from 1)",
					   argv[1]);
	}

	ret = catch_signals();
	if (!ret)
		ret = qkdctl_open(c);
	if (ret)
		return ret;
	ret = qkd_nl_subscribe(c->nl);
	if (ret == -ENOENT)
		return qkdctl_fail(c, ret, "the qkd module has no \"%s\" group",
				   QKD_MCGRP_EVENTS);
	if (ret)
		return ret;
	fputs("monitoring\n", stderr);

	while (!count || seen < count) {
		ret = qkd_event_recv(c->nl, &ev, -1);
		if (ret == -ENOBUFS) {
			/* The socket overran: say so, and listen on. */
			fputs("Warning: events lost, the receive buffer overran\n",
			      stderr);
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret)
			return ret;
		ret = c->json ? print_json(&ev) : print_text(&ev);
		if (ret)
			return ret;
		seen++;
	}
	return 0;
}
