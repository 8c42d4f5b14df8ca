/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmnl's netlink socket, faked for the fuzz targets. The link step
 * redirects libqkd's calls of mnl_socket_*(), the recv(), recvmsg() and
 * poll() it makes on the socket's descriptor, and time(), to the __wrap_*
 * functions of fakenl.c (ld --wrap, see the Makefile): every reply libqkd
 * reads comes from a queue the target fills, from the fuzzer's input or
 * from a fake kernel of its own, and nothing reaches a real socket.
 *
 * Each datagram handed to libqkd is copied to the start of its receive
 * buffer and the rest of the buffer (but the padding to a multiple of 4,
 * see pop()) is poisoned for AddressSanitizer, so that a parser reading
 * past the datagram is caught although the buffer is larger. Closing the socket (qkd_nl_close() does it before the free)
 * and libqkd's explicit_bzero() of the buffer unpoison it again.
 */
#ifndef FUZZ_FAKENL_H
#define FUZZ_FAKENL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* What the fake controller answers for the family "qkd". */
#define FAKENL_FAMILY	0x20
#define FAKENL_GROUP	7
/* Our socket's port id; replies may carry it, or 0. */
#define FAKENL_PORTID	0x4242

/*
 * qkd_nl_open() numbers requests from time(), which is wrapped too: the
 * Nth request of a socket (the family lookup is the first) has sequence
 * number FAKENL_TIME + N, so that an input may answer with the right one.
 */
#define FAKENL_TIME	1000000

/* Answer the family lookup of qkd_nl_open() with FAKENL_FAMILY. */
#define FAKENL_AUTO_FAMILY	0x01

/*
 * Called with each request sent (but the family lookup under
 * FAKENL_AUTO_FAMILY), before libqkd reads anything for it: a fake kernel
 * queues its answer here. NULL: the queue holds the answers already.
 */
typedef void (*fakenl_request_fn)(const struct nlmsghdr *req);

/* Empties the queue; a new run of a target. */
void fakenl_reset(unsigned int flags, fakenl_request_fn fn);

/* Queues one datagram of @len bytes, read after those queued before. */
void fakenl_push(const void *buf, size_t len);

/*
 * Queues the datagrams of a fuzzer's input: each a little-endian u16
 * length and that many bytes (the last one cut at the end of the input).
 */
void fakenl_push_input(const uint8_t *data, size_t size);

/*
 * Queues the kernel's answer to @req: an ACK for @error 0, else an error
 * with NLM_F_CAPPED and, when given, the extack text @msg, the offset
 * @offs (-1: none) and a @cookie of @cookie_len bytes.
 */
void fakenl_push_error(const struct nlmsghdr *req, int error, const char *msg,
		       int offs, const void *cookie, size_t cookie_len);

#endif /* FUZZ_FAKENL_H */
