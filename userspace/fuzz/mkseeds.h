/* SPDX-License-Identifier: GPL-2.0 */
/* What the two files of the seed writer share; see mkseeds.c. */
#ifndef FUZZ_MKSEEDS_H
#define FUZZ_MKSEEDS_H

#include <stddef.h>

/* Writes @len bytes at @buf to CORPUS-DIR/@target/@name, or exits. */
void write_seed(const char *target, const char *name, const void *buf,
		size_t len);

/* corpus/nlreply */
void nlreply_seeds(void);

#endif /* FUZZ_MKSEEDS_H */
