/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz targets share: libFuzzer's entry points, and CHECK(),
 * which turns a broken promise of a parser (a result its callers rely on)
 * into a crash that libFuzzer reports, as it does a sanitizer's finding.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* A string that ends within its array. */
#define CHECK_STR(s) CHECK(memchr((s), '\0', sizeof(s)) != NULL)

#endif /* FUZZ_FUZZ_H */
