/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Programming MACsec: the interface (found, or made on its lower device,
 * through rtnetlink with libnl-route-3), the peer's RX SC, TX and RX SAs
 * (the "macsec" generic netlink family, through libqkd's transport), the
 * encoding SA, and the SA state read back from the kernel. What to install
 * when is the caller's; see the README, "MACsec".
 *
 * Key material passed in is wiped before these functions return, on every
 * path: the kernel holds the SAK once the request is acknowledged, and
 * nothing of it stays in qkdd.
 */
#ifndef QKDD_MACSEC_H
#define QKDD_MACSEC_H

#include <stdbool.h>
#include <stdint.h>

#include "macsec_key.h"
#include "qkdd.h"

#define QKDD_MACSEC_ANS	4	/* association numbers 0 to 3 */

struct nl_sock;

struct qkdd_macsec {
	const struct qkdd_macsec_conf *conf;
	char ifname[QKDD_IFNAME_MAX + 1];
	int ifindex;
	uint64_t peer_sci;		/* host order */
	bool xpn;
	struct qkd_nl *genl;		/* the "macsec" family */
	struct nl_sock *rt;		/* rtnetlink, libnl-route-3 */
};

/* One SA as the kernel reports it; never key material. */
struct qkdd_macsec_sa {
	bool present;
	bool active;
	uint64_t next_pn;
	uint8_t keyid[MACSEC_KEYID_LEN];
	uint64_t packets;	/* TX: protected + encrypted; RX: InPktsOK */
	uint64_t not_valid;	/* RX: InPktsNotValid + InPktsInvalid */
};

struct qkdd_macsec_state {
	uint8_t encoding_sa;
	struct qkdd_macsec_sa tx[QKDD_MACSEC_ANS];
	bool has_rxsc;		/* the peer's RX SC exists */
	struct qkdd_macsec_sa rx[QKDD_MACSEC_ANS];
	uint64_t rx_late;	/* the peer SC's InPktsLate */
	uint64_t rx_not_using_sa;	/* InPktsNotUsingSA */
};

/*
 * Finds the interface the configuration names, or makes it on its lower
 * device (named "qkd-LINK", cut to 15 characters, when the file names
 * none), and makes the peer's RX SC if it is missing. An existing
 * interface keeps its SAs: a restarted qkdd picks up from there.
 */
int macsec_open(struct qkdd_macsec *m, const struct qkdd_macsec_conf *conf);
void macsec_close(struct qkdd_macsec *m);

/*
 * Installs the TX SA (or the peer's RX SA) on @an, active, from @keys,
 * which is wiped. PNs start at 1.
 */
int macsec_tx_sa_add(struct qkdd_macsec *m, uint8_t an,
		     struct qkdd_macsec_sa_keys *keys);
int macsec_rx_sa_add(struct qkdd_macsec *m, uint8_t an,
		     struct qkdd_macsec_sa_keys *keys);
int macsec_tx_sa_del(struct qkdd_macsec *m, uint8_t an);
int macsec_rx_sa_del(struct qkdd_macsec *m, uint8_t an);
/* Makes @an the encoding SA (rtnetlink, IFLA_MACSEC_ENCODING_SA). */
int macsec_encoding_sa_set(struct qkdd_macsec *m, uint8_t an);
/* The SecY's SAs and counters as the kernel holds them now. */
int macsec_state_read(struct qkdd_macsec *m, struct qkdd_macsec_state *st);

#endif /* QKDD_MACSEC_H */
