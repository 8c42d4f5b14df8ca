// SPDX-License-Identifier: GPL-2.0
/*
 * Programming MACsec from qkdd (see macsec.h). Linux 6.1 lets no module
 * set MACsec keys, so the SAs go through the "macsec" generic netlink
 * family, as ip macsec sends them (iproute2's ip/ipmacsec.c shows the
 * attribute use): an SCI is the big-endian 64-bit value (MAC address,
 * then port) carried as a u64 in network order, a PN a u32, or a u64 with
 * XPN, and an XPN SA needs its SSCI (a be32) and its 12-byte salt. The
 * interface and its encoding SA are rtnetlink's, where libnl-route-3's
 * MACsec link object spares us building IFLA_LINKINFO by hand.
 *
 * Requests that carry a SAK go through qkd_nl_talk_secret(), which wipes
 * the request and the receive buffer once the kernel has answered; the
 * caller's copy is wiped here on every path.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/genetlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macsec.h>

#include "macsec.h"

static int nle(struct qkdd_macsec *m, const char *what, int err)
{
	qkdd_log("macsec %s: %s: %s", m->conf->link, what, nl_geterror(err));
	switch (-err) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

static int genl_fail(struct qkdd_macsec *m, const char *what, int ret,
		     const struct qkd_err *err)
{
	qkdd_log("macsec %s: %s: %s%s%s", m->conf->link, what, strerror(-ret),
		 err->msg[0] ? ": " : "", err->msg);
	return ret;
}

/* The interface, made on the lower device with the file's settings. */
static int link_create(struct qkdd_macsec *m)
{
	const struct qkdd_macsec_conf *c = m->conf;
	const struct qkdd_macsec_suite *s = macsec_suite(c->cipher);
	struct rtnl_link *link;
	int lower = if_nametoindex(c->lower), err;

	if (!lower) {
		qkdd_log("macsec %s: lower %s: no such interface", c->link, c->lower);
		return -ENODEV;
	}
	link = rtnl_link_macsec_alloc();
	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, m->ifname);
	rtnl_link_set_link(link, lower);
	rtnl_link_macsec_set_port(link, c->port);
	rtnl_link_macsec_set_cipher_suite(link, s->id);
	rtnl_link_macsec_set_icv_len(link, QKDD_MACSEC_ICV_LEN);
	rtnl_link_macsec_set_protect(link, 1);
	rtnl_link_macsec_set_encrypt(link, 1);
	rtnl_link_macsec_set_validation_type(link, MACSEC_VALIDATE_STRICT);
	rtnl_link_macsec_set_replay_protect(link, c->replay_protect);
	if (c->replay_protect)
		rtnl_link_macsec_set_window(link, c->replay_window);
	rtnl_link_macsec_set_encoding_sa(link, 0);
	err = rtnl_link_add(m->rt, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	if (err < 0)
		return nle(m, "cannot create the interface", err);
	qkdd_log("macsec %s: created %s on %s (%s)", c->link, m->ifname, c->lower,
		 s->name);
	return 0;
}

static void put_sci(struct nlmsghdr *nlh, uint64_t sci)
{
	struct nlattr *rxsc = mnl_attr_nest_start(nlh, MACSEC_ATTR_RXSC_CONFIG);

	mnl_attr_put_u64(nlh, MACSEC_RXSC_ATTR_SCI, htobe64(sci));
	mnl_attr_nest_end(nlh, rxsc);
}

static int rxsc_add(struct qkdd_macsec *m)
{
	struct nlmsghdr *nlh = qkd_nl_msg(m->genl, MACSEC_CMD_ADD_RXSC, 0);
	struct nlattr *rxsc;
	struct qkd_err err;
	int ret;

	mnl_attr_put_u32(nlh, MACSEC_ATTR_IFINDEX, m->ifindex);
	rxsc = mnl_attr_nest_start(nlh, MACSEC_ATTR_RXSC_CONFIG);
	mnl_attr_put_u64(nlh, MACSEC_RXSC_ATTR_SCI, htobe64(m->peer_sci));
	mnl_attr_put_u8(nlh, MACSEC_RXSC_ATTR_ACTIVE, 1);
	mnl_attr_nest_end(nlh, rxsc);
	ret = qkd_nl_talk(m->genl, nlh, NULL, NULL, &err);
	if (ret == -EEXIST)
		return 0;		/* a restart: the SC and its SAs stay */
	return ret ? genl_fail(m, "cannot add the peer's RX SC", ret, &err) : 0;
}

int macsec_open(struct qkdd_macsec *m, const struct qkdd_macsec_conf *conf)
{
	const struct qkdd_macsec_suite *s = macsec_suite(conf->cipher);
	int ret, i;

	memset(m, 0, sizeof(*m));
	m->conf = conf;
	m->xpn = s->xpn;
	if (conf->has_peer_sci) {
		m->peer_sci = conf->peer_sci;
	} else {
		for (i = 0; i < 6; i++)
			m->peer_sci = m->peer_sci << 8 | conf->peer_mac[i];
		m->peer_sci = m->peer_sci << 16 | conf->peer_port;
	}
	if (conf->ifname[0])
		snprintf(m->ifname, sizeof(m->ifname), "%s", conf->ifname);
	else
		snprintf(m->ifname, sizeof(m->ifname), "qkd-%.*s",
			 (int)sizeof(m->ifname) - 5, conf->link);

	m->rt = nl_socket_alloc();
	if (!m->rt)
		return -ENOMEM;
	ret = nl_connect(m->rt, NETLINK_ROUTE);
	if (ret < 0) {
		ret = nle(m, "rtnetlink", ret);
		goto err;
	}
	m->ifindex = if_nametoindex(m->ifname);
	if (!m->ifindex) {
		if (!conf->lower[0]) {
			qkdd_log("macsec %s: interface %s: no such interface", conf->link,
				 m->ifname);
			ret = -ENODEV;
			goto err;
		}
		ret = link_create(m);
		if (ret)
			goto err;
		m->ifindex = if_nametoindex(m->ifname);
		if (!m->ifindex) {
			ret = -ENODEV;
			goto err;
		}
	}
	ret = qkd_genl_open(&m->genl, MACSEC_GENL_NAME, MACSEC_GENL_VERSION);
	if (ret) {
		qkdd_log("macsec %s: genl family %s: %s", conf->link, MACSEC_GENL_NAME,
			 strerror(-ret));
		goto err;
	}
	ret = rxsc_add(m);
	if (ret)
		goto err;
	return 0;
err:
	macsec_close(m);
	return ret;
}

void macsec_close(struct qkdd_macsec *m)
{
	qkd_nl_close(m->genl);
	m->genl = NULL;
	if (m->rt)
		nl_socket_free(m->rt);
	m->rt = NULL;
}

static int sa_add(struct qkdd_macsec *m, uint8_t cmd, bool rx, uint8_t an,
		  struct qkdd_macsec_sa_keys *k)
{
	struct nlmsghdr *nlh;
	struct nlattr *sa;
	struct qkd_err err;
	int ret;

	if (an >= QKDD_MACSEC_ANS || !k->sak_len) {
		macsec_sa_keys_wipe(k);
		return -EINVAL;
	}
	nlh = qkd_nl_msg(m->genl, cmd, 0);
	mnl_attr_put_u32(nlh, MACSEC_ATTR_IFINDEX, m->ifindex);
	if (rx)
		put_sci(nlh, m->peer_sci);
	sa = mnl_attr_nest_start(nlh, MACSEC_ATTR_SA_CONFIG);
	mnl_attr_put_u8(nlh, MACSEC_SA_ATTR_AN, an);
	if (m->xpn)
		mnl_attr_put_u64(nlh, MACSEC_SA_ATTR_PN, 1);
	else
		mnl_attr_put_u32(nlh, MACSEC_SA_ATTR_PN, 1);
	mnl_attr_put_u8(nlh, MACSEC_SA_ATTR_ACTIVE, 1);
	mnl_attr_put(nlh, MACSEC_SA_ATTR_KEYID, MACSEC_KEYID_LEN, k->keyid);
	mnl_attr_put(nlh, MACSEC_SA_ATTR_KEY, k->sak_len, k->sak);
	if (m->xpn) {
		mnl_attr_put_u32(nlh, MACSEC_SA_ATTR_SSCI, htobe32(k->ssci));
		mnl_attr_put(nlh, MACSEC_SA_ATTR_SALT, MACSEC_SALT_LEN, k->salt);
	}
	mnl_attr_nest_end(nlh, sa);
	/* The request holds the only other copy; talk_secret wipes it. */
	macsec_sa_keys_wipe(k);
	ret = qkd_nl_talk_secret(m->genl, nlh, NULL, NULL, &err);
	if (ret)
		return genl_fail(m, rx ? "cannot add RX SA" : "cannot add TX SA", ret, &err);
	return 0;
}

int macsec_tx_sa_add(struct qkdd_macsec *m, uint8_t an,
		     struct qkdd_macsec_sa_keys *keys)
{
	return sa_add(m, MACSEC_CMD_ADD_TXSA, false, an, keys);
}

int macsec_rx_sa_add(struct qkdd_macsec *m, uint8_t an,
		     struct qkdd_macsec_sa_keys *keys)
{
	return sa_add(m, MACSEC_CMD_ADD_RXSA, true, an, keys);
}

static int sa_del(struct qkdd_macsec *m, uint8_t cmd, bool rx, uint8_t an)
{
	struct nlmsghdr *nlh = qkd_nl_msg(m->genl, cmd, 0);
	struct nlattr *sa;
	struct qkd_err err;
	int ret;

	mnl_attr_put_u32(nlh, MACSEC_ATTR_IFINDEX, m->ifindex);
	if (rx)
		put_sci(nlh, m->peer_sci);
	sa = mnl_attr_nest_start(nlh, MACSEC_ATTR_SA_CONFIG);
	mnl_attr_put_u8(nlh, MACSEC_SA_ATTR_AN, an);
	mnl_attr_nest_end(nlh, sa);
	ret = qkd_nl_talk(m->genl, nlh, NULL, NULL, &err);
	if (ret)
		return genl_fail(m, rx ? "cannot delete RX SA" : "cannot delete TX SA", ret,
				 &err);
	return 0;
}

int macsec_tx_sa_del(struct qkdd_macsec *m, uint8_t an)
{
	return sa_del(m, MACSEC_CMD_DEL_TXSA, false, an);
}

int macsec_rx_sa_del(struct qkdd_macsec *m, uint8_t an)
{
	return sa_del(m, MACSEC_CMD_DEL_RXSA, true, an);
}

int macsec_encoding_sa_set(struct qkdd_macsec *m, uint8_t an)
{
	struct rtnl_link *orig = NULL, *change;
	int err;

	err = rtnl_link_get_kernel(m->rt, m->ifindex, NULL, &orig);
	if (err < 0)
		return nle(m, "cannot read the interface", err);
	change = rtnl_link_macsec_alloc();
	if (!change) {
		rtnl_link_put(orig);
		return -ENOMEM;
	}
	rtnl_link_macsec_set_encoding_sa(change, an);
	err = rtnl_link_change(m->rt, orig, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(orig);
	return err < 0 ? nle(m, "cannot switch the encoding SA", err) : 0;
}

/* A counter or a PN, whatever its width in the dump (SA stats are u32). */
static uint64_t num(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	}
	return 0;
}

static void sa_stats(const struct nlattr *nest, struct qkdd_macsec_sa *sa)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case MACSEC_SA_STATS_ATTR_IN_PKTS_OK:
		case MACSEC_SA_STATS_ATTR_OUT_PKTS_PROTECTED:
		case MACSEC_SA_STATS_ATTR_OUT_PKTS_ENCRYPTED:
			sa->packets += num(a);
			break;
		case MACSEC_SA_STATS_ATTR_IN_PKTS_INVALID:
		case MACSEC_SA_STATS_ATTR_IN_PKTS_NOT_VALID:
			sa->not_valid += num(a);
			break;
		}
	}
}

/* One SA list of a dump into @sas, by AN. */
static void sa_list(const struct nlattr *list, struct qkdd_macsec_sa *sas)
{
	const struct nlattr *entry, *a;

	mnl_attr_for_each_nested(entry, list) {
		struct qkdd_macsec_sa sa = { .present = true };
		int an = -1;

		mnl_attr_for_each_nested(a, entry) {
			switch (mnl_attr_get_type(a)) {
			case MACSEC_SA_ATTR_AN:
				an = num(a);
				break;
			case MACSEC_SA_ATTR_ACTIVE:
				sa.active = num(a);
				break;
			case MACSEC_SA_ATTR_PN:
				sa.next_pn = num(a);
				break;
			case MACSEC_SA_ATTR_KEYID:
				if (mnl_attr_get_payload_len(a) == MACSEC_KEYID_LEN)
					memcpy(sa.keyid, mnl_attr_get_payload(a),
					       MACSEC_KEYID_LEN);
				break;
			case MACSEC_SA_ATTR_STATS:
				sa_stats(a, &sa);
				break;
			}
		}
		if (an >= 0 && an < QKDD_MACSEC_ANS)
			sas[an] = sa;
	}
}

struct dump {
	struct qkdd_macsec *m;
	struct qkdd_macsec_state *st;
	bool found;
};

static void rxsc(const struct nlattr *entry, struct dump *d)
{
	const struct nlattr *a, *list = NULL, *stats = NULL;
	bool ours = false;

	mnl_attr_for_each_nested(a, entry) {
		switch (mnl_attr_get_type(a)) {
		case MACSEC_RXSC_ATTR_SCI:
			ours = be64toh(num(a)) == d->m->peer_sci;
			break;
		case MACSEC_RXSC_ATTR_SA_LIST:
			list = a;
			break;
		case MACSEC_RXSC_ATTR_STATS:
			stats = a;
			break;
		}
	}
	if (!ours)
		return;
	d->st->has_rxsc = true;
	if (list)
		sa_list(list, d->st->rx);
	if (!stats)
		return;
	mnl_attr_for_each_nested(a, stats) {
		if (mnl_attr_get_type(a) == MACSEC_RXSC_STATS_ATTR_IN_PKTS_LATE)
			d->st->rx_late = num(a);
		else if (mnl_attr_get_type(a) == MACSEC_RXSC_STATS_ATTR_IN_PKTS_NOT_USING_SA)
			d->st->rx_not_using_sa = num(a);
	}
}

/* One SecY of the dump: the kernel dumps every one in the namespace. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *secy = NULL, *txsa = NULL, *rxscs = NULL, *e;
	struct dump *d = data;
	int ifindex = -1;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case MACSEC_ATTR_IFINDEX:
			ifindex = num(a);
			break;
		case MACSEC_ATTR_SECY:
			secy = a;
			break;
		case MACSEC_ATTR_TXSA_LIST:
			txsa = a;
			break;
		case MACSEC_ATTR_RXSC_LIST:
			rxscs = a;
			break;
		}
	}
	if (ifindex != d->m->ifindex)
		return MNL_CB_OK;
	d->found = true;
	if (secy)
		mnl_attr_for_each_nested(e, secy)
			if (mnl_attr_get_type(e) == MACSEC_SECY_ATTR_ENCODING_SA)
				d->st->encoding_sa = num(e);
	if (txsa)
		sa_list(txsa, d->st->tx);
	if (rxscs)
		mnl_attr_for_each_nested(e, rxscs)
			rxsc(e, d);
	return MNL_CB_OK;
}

int macsec_state_read(struct qkdd_macsec *m, struct qkdd_macsec_state *st)
{
	struct nlmsghdr *nlh = qkd_nl_msg(m->genl, MACSEC_CMD_GET_TXSC, NLM_F_DUMP);
	struct dump d = { .m = m, .st = st };
	struct qkd_err err;
	int ret;

	memset(st, 0, sizeof(*st));
	mnl_attr_put_u32(nlh, MACSEC_ATTR_IFINDEX, m->ifindex);
	ret = qkd_nl_talk(m->genl, nlh, dump_cb, &d, &err);
	if (ret)
		return genl_fail(m, "cannot read the SAs", ret, &err);
	if (!d.found) {
		qkdd_log("macsec %s: %s is gone", m->conf->link, m->ifname);
		return -ENODEV;
	}
	return 0;
}
