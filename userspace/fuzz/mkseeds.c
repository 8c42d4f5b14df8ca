// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the binary seed corpora of the fuzz targets: corpus/kme (a
 * 3-byte header, then the JSON), corpus/msg (peer frames, by msg_encode())
 * and corpus/nlreply (netlink replies, mkseeds_nl.c). corpus/config and
 * corpus/keyload are text, written by hand.
 *
 *   make -C userspace fuzz-corpus     # rewrites the three folders
 *
 * Each seed is valid, or near-valid in one way that a parser must refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libqkd.h"
#include "msg.h"
#include "mkseeds.h"

static const char *dir;

void write_seed(const char *target, const char *name, const void *buf,
		size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* corpus/kme */

static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;
	uint32_t v;

	for (i = 0; i < n; i += 3) {
		v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		*out++ = a[v >> 18 & 63];
		*out++ = a[v >> 12 & 63];
		*out++ = i + 1 < n ? a[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? a[v & 63] : '=';
	}
	*out = '\0';
}

/* The key of @bits bits, numbered @i, in base64. */
static const char *key_b64(unsigned int i, unsigned int bits)
{
	static char out[4][(QKD_KEY_BITS_MAX / 8 + 2) / 3 * 4 + 1];
	uint8_t k[QKD_KEY_BITS_MAX / 8];
	unsigned int j;

	for (j = 0; j < bits / 8; j++)
		k[j] = i * 37 + j * 11;
	base64(k, bits / 8, out[i % 4]);
	return out[i % 4];
}

/* fuzz_kme.c's modes, and want_id(i): what a dec_keys answer must carry. */
enum { M_STATUS, M_ENC, M_DEC, M_ENC_FEWER, M_ERROR, M_HELD = 0x80 };

#define WANT(i)	"6f1c2a3e-0000-4000-8000-00000000000" #i

static void kme(const char *name, unsigned int mode, unsigned int n,
		unsigned int bits, const char *json)
{
	char buf[4096];
	size_t len = strlen(json);

	buf[0] = mode;
	buf[1] = n;
	buf[2] = bits / 4;
	memcpy(buf + 3, json, len);
	write_seed("kme", name, buf, len + 3);
}

static void kme_seeds(void)
{
	char json[2048];

	kme("status", M_STATUS, 0, 0,
	    "{\"source_KME_ID\":\"kme-a\",\"target_KME_ID\":\"kme-b\","
	    "\"master_SAE_ID\":\"sae-a\",\"slave_SAE_ID\":\"sae-b\","
	    "\"key_size\":256,\"stored_key_count\":25000,"
	    "\"max_key_count\":100000,\"max_key_per_request\":128,"
	    "\"max_key_size\":1024,\"min_key_size\":64,\"max_SAE_ID_count\":0}");
	kme("status-minimal", M_STATUS, 0, 0,
	    "{\"key_size\":256,\"stored_key_count\":0,\"max_key_per_request\":1}");
	kme("status-bad-types", M_STATUS, 0, 0,
	    "{\"key_size\":256.0,\"stored_key_count\":-1,"
	    "\"max_key_per_request\":4294967296}");
	kme("status-error", M_STATUS, 0, 0, "{\"message\":\"unknown SAE\"}\n");

	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"bc490419-7d60-487f-adc1-4ddcc177c139\","
		 "\"key\":\"%s\"},{\"key_ID\":\"0a782fb5-3434-48fe-aa4d-14f41d46cf92\","
		 "\"key\":\"%s\",\"key_ID_extension\":{}}],\"key_container_extension\":[]}",
		 key_b64(0, 256), key_b64(1, 256));
	kme("enc-2x256", M_ENC, 2, 256, json);
	kme("enc-2-of-3", M_ENC_FEWER, 3, 256, json);
	/* The same IDs twice; and the second held (fuzz_kme.c's held_id()). */
	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"bc490419-7d60-487f-adc1-4ddcc177c139\","
		 "\"key\":\"%s\"},{\"key_ID\":\"BC490419-7D60-487F-ADC1-4DDCC177C139\","
		 "\"key\":\"%s\"}]}", key_b64(0, 256), key_b64(1, 256));
	kme("enc-duplicate", M_ENC, 2, 256, json);
	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"bc490419-7d60-487f-adc1-4ddcc1770fff\","
		 "\"key\":\"%s\"}]}", key_b64(2, 256));
	kme("enc-held", M_ENC | M_HELD, 1, 256, json);
	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"2f5e6d6c-3b6a-4e1f-9c2d-8a7b6c5d4e3f\","
		 "\"key\":\"%s\"}]}", key_b64(3, 512));
	kme("enc-1x512", M_ENC, 1, 512, json);
	snprintf(json, sizeof(json),
		 " {\"keys\": [ {\"key_ID\": \"2f5e6d6c-3b6a-4e1f-9c2d-8a7b6c5d4e3f\","
		 " \"key\": \"%s\"} ] }\r\n", key_b64(4, 136));
	kme("enc-136-padded", M_ENC, 1, 136, json);
	kme("enc-bad-base64", M_ENC, 1, 128,
	    "{\"keys\":[{\"key_ID\":\"2f5e6d6c-3b6a-4e1f-9c2d-8a7b6c5d4e3f\","
	    "\"key\":\"AAAAAAAA AAAAAAAAAAAAA==\"}]}");
	kme("enc-nul-in-id", M_ENC, 1, 128,
	    "{\"keys\":[{\"key_ID\":\"2f5e6d6c-3b6a-4e1f-9c2d-8a7b6c5d4e3f\\u0000\","
	    "\"key\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}]}");
	kme("enc-cut", M_ENC, 1, 256,
	    "{\"keys\":[{\"key_ID\":\"2f5e6d6c-3b6a-4e1f-9c2d-8a7b6c5d4e3f\",\"ke");
	kme("enc-trailing", M_ENC, 0, 256, "{\"keys\":[]} {}");

	/* dec_keys: the IDs asked for, in another order. */
	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"" WANT(1) "\",\"key\":\"%s\"},"
		 "{\"key_ID\":\"" WANT(0) "\",\"key\":\"%s\"},"
		 "{\"key_ID\":\"" WANT(2) "\",\"key\":\"%s\"}]}",
		 key_b64(0, 256), key_b64(1, 256), key_b64(2, 256));
	kme("dec-3x256", M_DEC, 3, 256, json);
	snprintf(json, sizeof(json),
		 "{\"keys\":[{\"key_ID\":\"" WANT(0) "\",\"key\":\"%s\"},"
		 "{\"key_ID\":\"" WANT(3) "\",\"key\":\"%s\"}]}",
		 key_b64(0, 128), key_b64(1, 128));
	kme("dec-not-asked", M_DEC | M_HELD, 2, 128, json);

	/* Error replies; n % 4 picks the Content-Type (fuzz_kme.c). */
	kme("error-json", M_ERROR, 1, 0,
	    "{\"message\":\"Not enough keys:\\n\\t try again later\",\"details\":[]}");
	kme("error-html", M_ERROR, 2, 0,
	    "<!DOCTYPE html><html><head><title>503 Service Unavailable</title>"
	    "<style>p{}</style></head><body><h1>Service\r\nUnavailable</h1>"
	    "<script>x<y</script><p>No keys &amp; \xc3\xa9 more</P></body></html>");
	kme("error-html-unclosed", M_ERROR, 0, 0, "  <HEAD x>text <p class=");
	kme("error-text", M_ERROR, 3, 0, "\r\n\tnumber exceeds max_key_per_request\r\nline 2");
}

/* corpus/msg */

static void msg_seed(const char *name, const struct msg *m, int cut, int patch_at,
		     uint8_t patch)
{
	uint8_t buf[MSG_FRAME_MAX];
	int len = msg_encode(m, buf, sizeof(buf));

	if (len < 0) {
		fprintf(stderr, "mkseeds: cannot encode %s\n", name);
		exit(1);
	}
	if (patch_at >= 0)
		buf[patch_at] = patch;
	write_seed("msg", name, buf, len - cut);
}

static void msg_seeds(void)
{
	struct msg m = { .type = MSG_HELLO, .flags = MSG_HELLO_DIRTY, .seq = 12,
			 .batch = 11, .staged = 12 };
	unsigned int i;

	strcpy(m.link, "dc1");
	strcpy(m.sae, "sae-a");
	strcpy(m.peer_sae, "sae-b");
	msg_seed("hello", &m, 0, -1, 0);
	msg_seed("hello-bad-flags", &m, 0, MSG_HDR_LEN, 0x80);
	msg_seed("hello-short", &m, 1, -1, 0);
	memset(&m, 0, sizeof(m));
	m.type = MSG_OFFER;
	m.seq = 13;
	m.key_bits = 256;
	m.n = 3;
	for (i = 0; i < m.n; i++) {
		m.keys[i].dir = i % 2;
		memset(m.keys[i].id, 0x40 + i, QKD_KEY_ID_LEN);
	}
	memset(m.tag, 0x5a, MSG_TAG_LEN);
	msg_seed("offer", &m, 0, -1, 0);
	/* A version 2 OFFER, without its tag (the header says the whole). */
	msg_seed("offer-no-tag", &m, MSG_TAG_LEN, -1, 0);
	/* The count's low byte: an OFFER of no keys. */
	msg_seed("offer-empty", &m, 0, MSG_HDR_LEN + 11, 0);
	msg_seed("offer-bad-dir", &m, 0, MSG_HDR_LEN + 12, 2);
	m.type = MSG_ACK1;
	msg_seed("ack1", &m, 0, -1, 0);
	msg_seed("ack1-version-1", &m, 0, 0, 1);
	m.type = MSG_ACK2;
	msg_seed("ack2", &m, 0, -1, 0);
	m.type = MSG_DONE;
	msg_seed("done", &m, 0, -1, 0);
	m.type = MSG_NACK;
	strcpy(m.reason, "batch 13: key_ID held already");
	msg_seed("nack", &m, 0, -1, 0);
	/* After the seq, the code and the reason's length: its first byte. */
	msg_seed("nack-control-char", &m, 0, MSG_HDR_LEN + 10, '\n');
	msg_seed("nack-bad-code", &m, 0, MSG_HDR_LEN + 8, __MSG_NACK_MAX);
	m.code = MSG_NACK_KEY_CONFIRM;
	strcpy(m.reason, "key confirmation failed: the two KMEs gave different key material");
	msg_seed("nack-key-confirm", &m, 0, -1, 0);
	m.type = MSG_POOLS;
	m.out = 4000;
	m.in = 96;
	msg_seed("pools", &m, 0, -1, 0);
	msg_seed("unknown-type", &m, 0, 1, __MSG_MAX);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds CORPUS-DIR\n");
		return 2;
	}
	dir = argv[1];
	kme_seeds();
	msg_seeds();
	nlreply_seeds();
	return 0;
}
