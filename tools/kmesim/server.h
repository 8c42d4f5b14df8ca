/* SPDX-License-Identifier: GPL-2.0 */
/* One simulated KME: an HTTPS listener (libmicrohttpd) and its requests. */
#ifndef KMESIM_SERVER_H
#define KMESIM_SERVER_H

#include <netinet/in.h>
#include <stddef.h>

#include "kmesim.h"

struct kme_server {
	struct kmesim *k;
	enum kme_side side;
	struct MHD_Daemon *daemon;
	char *cert, *key, *ca;		/* PEM, kept while the daemon runs */
	size_t key_len;
	char addr[INET6_ADDRSTRLEN + 8];	/* HOST:PORT once listening */
};

int server_start(struct kme_server *srv, struct kmesim *k,
		 enum kme_side side);
void server_stop(struct kme_server *srv);

#endif
