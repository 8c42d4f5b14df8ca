// SPDX-License-Identifier: GPL-2.0
/*
 * The peer messages, encoded and decoded strictly: every length checked,
 * every field's range, nothing left over. Pure functions, host-tested.
 */
#include <errno.h>
#include <string.h>

#include "msg.h"

static const char *const names[] = {
	[MSG_HELLO] = "HELLO",
	[MSG_OFFER] = "OFFER",
	[MSG_ACK1] = "ACK1",
	[MSG_ACK2] = "ACK2",
	[MSG_DONE] = "DONE",
	[MSG_NACK] = "NACK",
	[MSG_POOLS] = "POOLS",
};

const char *msg_name(unsigned int type)
{
	return type && type < __MSG_MAX ? names[type] : NULL;
}

/* A cursor over a buffer; a short buffer turns it bad, once and for all. */
struct cur {
	uint8_t *w;		/* writing */
	const uint8_t *r;	/* reading */
	size_t left;
	bool bad;
};

static void put(struct cur *c, const void *p, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return;
	}
	memcpy(c->w, p, n);
	c->w += n;
	c->left -= n;
}

static void put_u(struct cur *c, uint64_t v, size_t bytes)
{
	uint8_t b[8];
	size_t i;

	for (i = 0; i < bytes; i++)
		b[i] = v >> (8 * (bytes - 1 - i));
	put(c, b, bytes);
}

static void put_str(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if (n > 255) {
		c->bad = true;
		return;
	}
	put_u(c, n, 1);
	put(c, s, n);
}

static void get(struct cur *c, void *p, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, c->r, n);
	c->r += n;
	c->left -= n;
}

static uint64_t get_u(struct cur *c, size_t bytes)
{
	uint8_t b[8];
	uint64_t v = 0;
	size_t i;

	get(c, b, bytes);
	for (i = 0; i < bytes; i++)
		v = v << 8 | b[i];
	return v;
}

/* A string of at most @max printable ASCII characters. */
static void get_str(struct cur *c, char *s, size_t max)
{
	size_t n = get_u(c, 1), i;

	if (n > max) {
		c->bad = true;
		n = 0;
	}
	get(c, s, n);
	s[c->bad ? 0 : n] = '\0';
	for (i = 0; i < n && !c->bad; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			c->bad = true;
}

int msg_encode(const struct msg *m, uint8_t *buf, size_t size)
{
	struct cur c = { .w = buf + MSG_HDR_LEN, .left = size };
	unsigned int i;
	size_t len;

	if (size < MSG_HDR_LEN)
		return -EINVAL;
	c.left = size - MSG_HDR_LEN;
	switch (m->type) {
	case MSG_HELLO:
		put_u(&c, m->flags, 1);
		put_str(&c, m->link);
		put_str(&c, m->sae);
		put_str(&c, m->peer_sae);
		put_u(&c, m->seq, 8);
		put_u(&c, m->batch, 8);
		put_u(&c, m->staged, 8);
		break;
	case MSG_OFFER:
		if (m->n > QKD_KEY_BATCH_MAX)
			return -EINVAL;
		put_u(&c, m->seq, 8);
		put_u(&c, m->key_bits, 2);
		put_u(&c, m->n, 2);
		for (i = 0; i < m->n; i++) {
			put_u(&c, m->keys[i].dir, 1);
			put(&c, m->keys[i].id, QKD_KEY_ID_LEN);
		}
		put(&c, m->tag, MSG_TAG_LEN);
		break;
	case MSG_ACK1:
	case MSG_ACK2:
	case MSG_DONE:
		put_u(&c, m->seq, 8);
		break;
	case MSG_NACK:
		if (m->code >= __MSG_NACK_MAX)
			return -EINVAL;
		put_u(&c, m->seq, 8);
		put_u(&c, m->code, 1);
		put_str(&c, m->reason);
		break;
	case MSG_POOLS:
		put_u(&c, m->out, 4);
		put_u(&c, m->in, 4);
		break;
	default:
		return -EINVAL;
	}
	if (c.bad)
		return -EINVAL;
	len = c.w - buf - MSG_HDR_LEN;
	buf[0] = MSG_VERSION;
	buf[1] = m->type;
	buf[2] = 0;
	buf[3] = 0;
	buf[4] = len >> 24;
	buf[5] = len >> 16;
	buf[6] = len >> 8;
	buf[7] = len;
	return MSG_HDR_LEN + len;
}

int msg_frame_len(const uint8_t hdr[MSG_HDR_LEN])
{
	uint32_t len = (uint32_t)hdr[4] << 24 | hdr[5] << 16 | hdr[6] << 8 | hdr[7];

	if (hdr[0] != MSG_VERSION || hdr[2] || hdr[3] || len > MSG_PAYLOAD_MAX)
		return -EBADMSG;
	return len;
}

int msg_decode(const uint8_t *frame, size_t len, struct msg *m)
{
	struct cur c = { .r = frame + MSG_HDR_LEN };
	unsigned int i;
	int plen;

	if (len < MSG_HDR_LEN)
		return -EBADMSG;
	plen = msg_frame_len(frame);
	if (plen < 0 || (size_t)plen != len - MSG_HDR_LEN)
		return -EBADMSG;
	c.left = plen;
	memset(m, 0, sizeof(*m));
	m->type = frame[1];
	switch (m->type) {
	case MSG_HELLO:
		m->flags = get_u(&c, 1);
		get_str(&c, m->link, QKD_LINK_NAME_MAX);
		get_str(&c, m->sae, QKD_SAE_ID_MAX);
		get_str(&c, m->peer_sae, QKD_SAE_ID_MAX);
		m->seq = get_u(&c, 8);
		m->batch = get_u(&c, 8);
		m->staged = get_u(&c, 8);
		if (m->flags & ~MSG_HELLO_DIRTY)
			return -EBADMSG;
		break;
	case MSG_OFFER:
		m->seq = get_u(&c, 8);
		m->key_bits = get_u(&c, 2);
		m->n = get_u(&c, 2);
		if (!m->n || m->n > QKD_KEY_BATCH_MAX)
			return -EBADMSG;
		for (i = 0; i < m->n; i++) {
			m->keys[i].dir = get_u(&c, 1);
			get(&c, m->keys[i].id, QKD_KEY_ID_LEN);
			if (m->keys[i].dir > QKD_DIR_MAX)
				return -EBADMSG;
		}
		get(&c, m->tag, MSG_TAG_LEN);
		break;
	case MSG_ACK1:
	case MSG_ACK2:
	case MSG_DONE:
		m->seq = get_u(&c, 8);
		break;
	case MSG_NACK:
		m->seq = get_u(&c, 8);
		m->code = get_u(&c, 1);
		if (m->code >= __MSG_NACK_MAX)
			return -EBADMSG;
		get_str(&c, m->reason, MSG_REASON_MAX);
		break;
	case MSG_POOLS:
		m->out = get_u(&c, 4);
		m->in = get_u(&c, 4);
		break;
	default:
		return -EBADMSG;
	}
	if (c.bad || c.left)
		return -EBADMSG;
	return 0;
}
