/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the files of libqkd; not part of its API. */
#ifndef LIBQKD_INTERNAL_H
#define LIBQKD_INTERNAL_H

#include "libqkd.h"

/* Clears @err (which may be NULL) before a request: no error, no extack. */
void qkd_err_reset(struct qkd_err *err);
/* Records @ret in @err (which may be NULL) and returns it. */
int qkd_err_fail(struct qkd_err *err, int ret);

#endif /* LIBQKD_INTERNAL_H */
