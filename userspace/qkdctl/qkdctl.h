/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the subcommands of qkdctl share. A subcommand returns 0, a
 * negative errno (main() prints it once: the kernel's extack through
 * qkd_err_print() when c->err holds it, strerror otherwise; exit status
 * 1), or -EUSAGE after usage_error() printed the reason (exit status 2).
 */
#ifndef QKDCTL_H
#define QKDCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "libqkd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Above every errno: a usage error, already printed. */
#define EUSAGE 4096

struct qkdctl {
	bool json;
	const char *netns;	/* -n: a name under /run/netns, or a path */
	struct qkd_nl *nl;	/* opened by qkdctl_open() */
	struct qkd_err err;	/* the failure main() prints */
};

/* Enters the namespace of -n, if any, and opens the netlink socket. */
int qkdctl_open(struct qkdctl *c);

/*
 * Prints "Error: <what>, try "qkdctl[ <area>] help"." to stderr and
 * returns -EUSAGE; area may be NULL.
 */
int usage_error(const char *area, const char *fmt, ...)
	__printf(2, 3);

/*
 * Records a failure of qkdctl's own in c->err, its text from @fmt, for
 * main() to print once as "Error: <text>"; returns @ret.
 */
int qkdctl_fail(struct qkdctl *c, int ret, const char *fmt, ...)
	__printf(3, 4);

/* A link NAME that struct qkd_link can hold, or a usage error of @area. */
int check_link_name(const char *area, const char *name);

/*
 * The word of an enum value (@name, from libqkd's tables), or, for a value
 * newer than this qkdctl (@name NULL), its number written into @buf.
 */
const char *enum_word(const char *name, unsigned int v, char *buf, size_t len);

/* A subcommand of an area ("link add", "key load", ...). */
struct qkdctl_cmd {
	const char *name;
	int (*fn)(struct qkdctl *c, int argc, char **argv);
};

/*
 * Runs the subcommand argv[0] names from cmds, with the arguments after it;
 * an unknown word is a usage error of AREA.
 */
int qkdctl_dispatch(struct qkdctl *c, const char *area,
		    const struct qkdctl_cmd *cmds, size_t n, int argc, char **argv);

int cmd_link(struct qkdctl *c, int argc, char **argv);
void link_usage(FILE *f);
int cmd_key(struct qkdctl *c, int argc, char **argv);
void key_usage(FILE *f);
int cmd_monitor(struct qkdctl *c, int argc, char **argv);
void monitor_usage(FILE *f);
int cmd_stats(struct qkdctl *c, int argc, char **argv);
void stats_usage(FILE *f);
int cmd_sa(struct qkdctl *c, int argc, char **argv);
void sa_usage(FILE *f);

#endif /* QKDCTL_H */
