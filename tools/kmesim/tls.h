/* SPDX-License-Identifier: GPL-2.0 */
/* The SAE behind a TLS connection: its verified client certificate's CN. */
#ifndef KMESIM_TLS_H
#define KMESIM_TLS_H

#include <stddef.h>
#include <microhttpd.h>

int tls_client_sae(struct MHD_Connection *conn, char *sae, size_t len,
		   char *why, size_t why_len);

#endif
