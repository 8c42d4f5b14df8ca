// SPDX-License-Identifier: GPL-2.0
/* What qkdd's main.c gives the other files, for the host tests. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "qkdd.h"

void qkdd_log(const char *fmt, ...)
{
	va_list ap;

	fputs("qkdd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int64_t qkdd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
