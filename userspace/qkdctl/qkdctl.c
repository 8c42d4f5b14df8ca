// SPDX-License-Identifier: GPL-2.0
/*
 * qkdctl: configure QKD links of qkd.ko. This file only reads the global
 * options and hands over to one file per command area; errors come back
 * as -errno and are printed here, once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qkdctl.h"

static const struct {
	const char *name;
	int (*fn)(struct qkdctl *c, int argc, char **argv);
} commands[] = {
	{ "link", cmd_link },
	{ "key", cmd_key },
	{ "monitor", cmd_monitor },
	{ "stats", cmd_stats },
	{ "sa", cmd_sa },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: qkdctl [OPTIONS] COMMAND [ARGS]...\n"
		"       qkdctl help\n"
		"OPTIONS := { -j | --json | -n NETNS | --netns NETNS | -h | --help }\n"
		"  -j      print JSON\n"
		"  -n      run in network namespace NETNS (a name under /run/netns, or a path)\n"
		"COMMAND := { link | key | sa | monitor | stats | help }\n"
		"\n");
	link_usage(f);
	fputc('\n', f);
	key_usage(f);
	fputc('\n', f);
	sa_usage(f);
	fputc('\n', f);
	monitor_usage(f);
	fputc('\n', f);
	stats_usage(f);
}

int usage_error(const char *area, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ", try \"qkdctl%s%s help\".\n", area ? " " : "",
		area ? area : "");
	return -EUSAGE;
}

int qkdctl_fail(struct qkdctl *c, int ret, const char *fmt, ...)
{
	va_list ap;

	c->err.err = ret;
	c->err.bad_attr = -1;
	c->err.miss_type = -1;
	c->err.bad_key = -1;
	c->err.has_room = false;
	va_start(ap, fmt);
	vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
	va_end(ap);
	return ret;
}

int check_link_name(const char *area, const char *name)
{
	if (strlen(name) > QKD_LINK_NAME_MAX)
		return usage_error(area, "NAME \"%s\" is too long (at most %d characters)",
				   name, QKD_LINK_NAME_MAX);
	return 0;
}

const char *enum_word(const char *name, unsigned int v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

/* The one place where a failure is printed: exit status 0, 1 or 2. */
static int report(struct qkdctl *c, int ret)
{
	if (!ret)
		return 0;
	if (ret == -EUSAGE)
		return 2;
	if (c->err.err == ret)
		qkd_err_print(&c->err);
	else
		fprintf(stderr, "Error: %s\n", strerror(-ret));
	return 1;
}

static int run(struct qkdctl *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	size_t i;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jn:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c->json = true;
			break;
		case 'n':
			c->netns = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error(NULL, "option \"-%c\" needs an argument",
					   optopt);
		default:
			if (optopt)
				return usage_error(NULL, "unknown option \"-%c\"",
						   optopt);
			return usage_error(NULL, "unknown option \"%s\"",
					   argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0) {
		usage(stderr);
		return -EUSAGE;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].fn(c, argc - 1, argv + 1);
	return usage_error(NULL, "unknown command \"%s\"", argv[0]);
}

int qkdctl_dispatch(struct qkdctl *c, const char *area,
		    const struct qkdctl_cmd *cmds, size_t n, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].fn(c, argc - 1, argv + 1);
	return usage_error(area, "unknown %s command \"%s\"", area, argv[0]);
}

int main(int argc, char **argv)
{
	struct qkdctl c = {
		.err = { .bad_attr = -1, .miss_type = -1, .bad_key = -1 },
	};
	int ret;

	ret = run(&c, argc, argv);
	qkd_nl_close(c.nl);
	if (fflush(stdout) == EOF && !ret)
		ret = -errno;
	return report(&c, ret);
}
