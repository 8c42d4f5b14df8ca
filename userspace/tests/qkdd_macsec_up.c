// SPDX-License-Identifier: GPL-2.0
/*
 * qkdd_macsec_up CONFIG: the first SA pair of each [macsec NAME] of a qkdd
 * configuration, programmed with qkdd's own code (config.c, macsec_key.c,
 * macsec.c) until qkdd's loop drives MACsec itself: the interface found or
 * made, one out key taken from the link for the TX SA on AN 0, one in key
 * for the peer's RX SA on AN 0, AN 0 made the encoding SA; then the SAs as
 * the kernel reports them, one line each (AN, KEYID, never a key). For
 * tests/macsec.sh, in the VM. Exit status 0, or 1 with one line saying why.
 */
#include <stdio.h>
#include <string.h>

#include "macsec.h"
#include "qkdd.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* Takes the next key of @dir and derives its SA keys; the key is wiped. */
static int take(struct qkd_nl *nl, const struct qkdd_link_conf *l,
		const struct qkdd_macsec_conf *mc, uint8_t dir,
		struct qkdd_macsec_sa_keys *out)
{
	struct qkd_key key;
	struct qkd_err err;
	int ret;

	ret = qkd_key_take(nl, l->kl.name, dir, &key, &err);
	if (ret) {
		fprintf(stderr, "take %s key: %s %s\n", dir == QKD_DIR_OUT ? "out" : "in",
			strerror(-ret), err.msg);
		return ret;
	}
	if (dir == QKD_DIR_OUT)
		ret = macsec_derive(&key, mc->cipher, l->kl.local_sae, l->kl.peer_sae, out);
	else
		ret = macsec_derive(&key, mc->cipher, l->kl.peer_sae, l->kl.local_sae, out);
	explicit_bzero(&key, sizeof(key));
	return ret;
}

static int up(struct qkd_nl *nl, const struct qkdd_conf *conf,
	      const struct qkdd_macsec_conf *mc)
{
	const struct qkdd_link_conf *l = NULL;
	struct qkdd_macsec_sa_keys k;
	struct qkdd_macsec_state st;
	struct qkdd_macsec m;
	char id[2 * MACSEC_KEYID_LEN + 1];
	unsigned int i;
	int ret;

	for (i = 0; i < conf->n_links; i++)
		if (!strcmp(conf->links[i].kl.name, mc->link))
			l = &conf->links[i];
	ret = macsec_open(&m, mc);
	if (ret)
		return ret;
	ret = take(nl, l, mc, QKD_DIR_IN, &k);
	if (!ret)
		ret = macsec_rx_sa_add(&m, 0, &k);
	if (!ret)
		ret = take(nl, l, mc, QKD_DIR_OUT, &k);
	if (!ret)
		ret = macsec_tx_sa_add(&m, 0, &k);
	if (!ret)
		ret = macsec_encoding_sa_set(&m, 0);
	if (!ret)
		ret = macsec_state_read(&m, &st);
	for (i = 0; !ret && i < QKDD_MACSEC_ANS; i++) {
		if (st.tx[i].present) {
			hex(st.tx[i].keyid, MACSEC_KEYID_LEN, id);
			printf("%s tx an %u keyid %s encoding %u\n", m.ifname, i, id,
			       st.encoding_sa);
		}
		if (st.rx[i].present) {
			hex(st.rx[i].keyid, MACSEC_KEYID_LEN, id);
			printf("%s rx an %u keyid %s\n", m.ifname, i, id);
		}
	}
	macsec_sa_keys_wipe(&k);
	macsec_close(&m);
	return ret;
}

int main(int argc, char **argv)
{
	struct qkdd_conf conf;
	struct qkd_nl *nl;
	unsigned int i;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: qkdd_macsec_up CONFIG\n");
		return 2;
	}
	if (config_load(argv[1], &conf, stderr))
		return 1;
	ret = qkd_nl_open(&nl);
	if (ret) {
		fprintf(stderr, "qkd: %s\n", strerror(-ret));
		config_free(&conf);
		return 1;
	}
	for (i = 0; !ret && i < conf.n_macsecs; i++)
		ret = up(nl, &conf, &conf.macsecs[i]);
	qkd_nl_close(nl);
	config_free(&conf);
	return ret ? 1 : 0;
}
