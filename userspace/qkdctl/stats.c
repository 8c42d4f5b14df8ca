// SPDX-License-Identifier: GPL-2.0
/* qkdctl stats: the module-wide figures, across every namespace. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "qkdctl.h"

void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [-j] stats\n"
		"       qkdctl stats help\n"
		"Prints the keys the module holds in every namespace, its max_keys\n"
		"ceiling, the memory of the pools, and the keys ever added, used,\n"
		"exported and discarded.\n");
}

/* In the order printed; the first three on the first line. */
static const struct {
	const char *word;
	size_t off;
} figures[] = {
	{ "keys", offsetof(struct qkd_stats, keys) },
	{ "max-keys", offsetof(struct qkd_stats, max_keys) },
	{ "memory", offsetof(struct qkd_stats, memory) },
	{ "added", offsetof(struct qkd_stats, added) },
	{ "used", offsetof(struct qkd_stats, used) },
	{ "exported", offsetof(struct qkd_stats, exported) },
	{ "discarded", offsetof(struct qkd_stats, discarded) },
};

static uint64_t figure(const struct qkd_stats *st, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)st + figures[i].off, sizeof(v));
	return v;
}

static int print_stats(const struct qkd_stats *st)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(figures); i++)
		printf("%s%s %" PRIu64, i == 0 ? "" : i == 3 ? "\n" : " ",
		       figures[i].word, figure(st, i));
	printf("\n");
	return 0;
}

static int json_stats(const struct qkd_stats *st)
{
	struct json_object *obj = json_object_new_object();
	size_t i;
	int ret = 0;

	if (!obj)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(figures) && !ret; i++)
		ret = json_add_uint(obj, figures[i].word, figure(st, i));
	if (ret) {
		json_object_put(obj);
		return ret;
	}
	return json_print_free(obj);
}

int cmd_stats(struct qkdctl *c, int argc, char **argv)
{
	struct qkd_stats st;
	int ret;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		stats_usage(stdout);
		return 0;
	}
	if (argc >= 1)
		return usage_error("stats", "unexpected \"%s\"", argv[0]);
	ret = qkdctl_open(c);
	if (!ret)
		ret = qkd_stats_get(c->nl, &st, &c->err);
	if (ret)
		return ret;
	return c->json ? json_stats(&st) : print_stats(&st);
}
