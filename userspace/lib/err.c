// SPDX-License-Identifier: GPL-2.0
/* Turning a failed request into the one line an operator reads. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libqkd.h"

const char *qkd_nl_strerror(int err)
{
	if (err == -ENOENT)
		return "qkd module not loaded";
	return strerror(-err);
}

/* "reqid", or "type 42" for a type this library has no name for. */
static const char *attr_word(int type, char *buf, size_t len)
{
	const char *name = qkd_attr_name(type);

	if (name)
		return name;
	snprintf(buf, len, "type %d", type);
	return buf;
}

void qkd_err_print(const struct qkd_err *err)
{
	char buf[32];

	if (err->bad_attr >= 0)
		fprintf(stderr, "Error: %s (attribute %s)\n",
			err->msg[0] ? err->msg : strerror(-err->err),
			attr_word(err->bad_attr, buf, sizeof(buf)));
	else if (err->msg[0] && err->miss_type >= 0)
		fprintf(stderr, "Error: %s (missing attribute %s)\n", err->msg,
			attr_word(err->miss_type, buf, sizeof(buf)));
	else if (err->miss_type >= 0)
		fprintf(stderr, "Error: missing attribute %s\n",
			attr_word(err->miss_type, buf, sizeof(buf)));
	else if (err->msg[0])
		fprintf(stderr, "Error: %s\n", err->msg);
	else if (err->err < 0)
		fprintf(stderr, "Error: %s\n", strerror(-err->err));
	else
		fprintf(stderr, "Error: unknown error\n");
}
