// SPDX-License-Identifier: GPL-2.0
/*
 * kmesim's command line. Defaults follow the reference experiment
 * (Mavromatis et al., ECOC 2018): 256-bit keys, a 1 Mbit buffer of about
 * 3900 of them, and the 1880 bit/s secret key rate of the 4 dB link.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmesim.h"

#define KEY_BITS_MAX 65536
#define MAX_KEYS_MAX (1u << 20)
#define PER_REQUEST_MAX 4096

static const char *const fault_names[] = {
	[FAULT_NONE] = "none",
	[FAULT_MALFORMED_JSON] = "malformed-json",
	[FAULT_WRONG_SIZE] = "wrong-size",
	[FAULT_DUPLICATE_ID] = "duplicate-id",
	[FAULT_MISMATCHED_KEY] = "mismatched-key",
};

const char *fault_name(enum fault_mode f)
{
	return fault_names[f];
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kmesim --ca FILE --cert FILE --key FILE [OPTIONS]\n"
		"An ETSI GS QKD 014 V1.1.1 KME pair: KME A serves master SAEs, KME B slave SAEs.\n"
		"  --listen-a ADDR:PORT, --listen-b ADDR:PORT\n"
		"                          HTTPS listeners (127.0.0.1:0; port 0: the kernel picks)\n"
		"  --ca FILE               CA that client (SAE) certificates must chain to\n"
		"  --cert FILE, --key FILE server certificate and key of both KMEs\n"
		"  --cert-a, --key-a, --cert-b, --key-b FILE   ... or of one KME\n"
		"  --kme-a-id ID, --kme-b-id ID                KME IDs (kme-a, kme-b)\n"
		"  --master-sae ID, --slave-sae ID  an SAE pair; repeat for more pairs,\n"
		"                          paired in order (default sae-a and sae-b)\n"
		"  --rate BITS_PER_S       secret key rate (1880; 0: unthrottled)\n"
		"  --unthrottled           keys always available up to --max-keys\n"
		"  --key-size BITS         size of a stored key (256)\n"
		"  --min-key-size BITS, --max-key-size BITS  sizes served (64, 1024)\n"
		"  --max-keys N            keys stored per pair (3900)\n"
		"  --initial-keys N        keys stored at start (0)\n"
		"  --max-keys-per-request N  (128)\n"
		"  --pending-ttl SECONDS   drop keys the slave has not claimed (0: never)\n"
		"  --fault MODE            malformed-json | wrong-size | duplicate-id |\n"
		"                          mismatched-key\n"
		"  --fault-listener a|b    only on this KME (default both)\n"
		"  --fault-request N       only the Nth key reply of the faulty KME(s)\n"
		"  --quirk NAME            behave as KMEs seen in the field, on both KMEs;\n"
		"                          repeat for several:\n"
		"      stored-count-pending  stored_key_count counts the keys handed out and\n"
		"                          not yet fetched by the slave (0 at rest)\n"
		"      empty-400           an empty store is 400 \"try again later\", not 503\n"
		"      html-errors         error replies are HTML pages, not JSON\n"
		"      get-ignores-number  GET enc_keys gives one key whatever number says\n"
		"      ignores-number      ... and so does POST\n"
		"      connection-close    Connection: close on every reply\n"
		"  --port-file FILE        write \"listening a=HOST:PORT b=HOST:PORT\" once ready\n"
		"  --pid-file FILE\n");
}

enum {
	OPT_LISTEN_A = 256, OPT_LISTEN_B, OPT_CA, OPT_CERT, OPT_KEY,
	OPT_CERT_A, OPT_KEY_A, OPT_CERT_B, OPT_KEY_B, OPT_KME_A, OPT_KME_B,
	OPT_MASTER, OPT_SLAVE, OPT_RATE, OPT_UNTHROTTLED, OPT_KEY_SIZE,
	OPT_MIN_SIZE, OPT_MAX_SIZE, OPT_MAX_KEYS, OPT_INITIAL, OPT_PER_REQUEST,
	OPT_PENDING_TTL, OPT_FAULT, OPT_FAULT_LISTENER, OPT_FAULT_REQUEST,
	OPT_QUIRK,
	OPT_PORT_FILE, OPT_PID_FILE,
};

static const struct option options[] = {
	{ "listen-a", required_argument, NULL, OPT_LISTEN_A },
	{ "listen-b", required_argument, NULL, OPT_LISTEN_B },
	{ "ca", required_argument, NULL, OPT_CA },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert-a", required_argument, NULL, OPT_CERT_A },
	{ "key-a", required_argument, NULL, OPT_KEY_A },
	{ "cert-b", required_argument, NULL, OPT_CERT_B },
	{ "key-b", required_argument, NULL, OPT_KEY_B },
	{ "kme-a-id", required_argument, NULL, OPT_KME_A },
	{ "kme-b-id", required_argument, NULL, OPT_KME_B },
	{ "master-sae", required_argument, NULL, OPT_MASTER },
	{ "slave-sae", required_argument, NULL, OPT_SLAVE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "unthrottled", no_argument, NULL, OPT_UNTHROTTLED },
	{ "key-size", required_argument, NULL, OPT_KEY_SIZE },
	{ "min-key-size", required_argument, NULL, OPT_MIN_SIZE },
	{ "max-key-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "max-keys", required_argument, NULL, OPT_MAX_KEYS },
	{ "initial-keys", required_argument, NULL, OPT_INITIAL },
	{ "max-keys-per-request", required_argument, NULL, OPT_PER_REQUEST },
	{ "pending-ttl", required_argument, NULL, OPT_PENDING_TTL },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "fault-listener", required_argument, NULL, OPT_FAULT_LISTENER },
	{ "fault-request", required_argument, NULL, OPT_FAULT_REQUEST },
	{ "quirk", required_argument, NULL, OPT_QUIRK },
	{ "port-file", required_argument, NULL, OPT_PORT_FILE },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static __printf(1, 2) int bad(const char *fmt, ...)
{
	va_list ap;

	fputs("kmesim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(", try \"kmesim --help\"\n", stderr);
	return -EINVAL;
}

static int number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *v > max)
		return bad("bad number '%s'", s);
	return 0;
}

static int uint_opt(const char *s, unsigned int max, unsigned int *v)
{
	unsigned long n;
	int ret = number(s, max, &n);

	*v = n;
	return ret;
}

/* SAE IDs are path segments and CNs: printable, no '/', 1 to 128 bytes. */
static int sae_id(const char *s)
{
	const char *c;

	if (!*s || strlen(s) > SAE_ID_MAX)
		return bad("bad SAE ID '%s'", s);
	for (c = s; *c; c++)
		if (*c <= ' ' || *c > '~' || *c == '/')
			return bad("bad SAE ID '%s'", s);
	return 0;
}

static int add_sae(const char **list, unsigned int *n, const char *id)
{
	if (*n == MAX_PAIRS)
		return bad("at most %d pairs", MAX_PAIRS);
	list[(*n)++] = id;
	return sae_id(id);
}

static int check(struct kmesim_config *cfg)
{
	struct store_config *sc = &cfg->store;
	unsigned int i, j;
	int s;

	if (!cfg->ca)
		return bad("--ca is required");
	for (s = KME_A; s <= KME_B; s++)
		if (!cfg->cert[s] || !cfg->key[s])
			return bad("%s needs a certificate and a key (--cert, --key)",
				   s == KME_A ? "KME A" : "KME B");
	if (cfg->nmasters != cfg->nslaves)
		return bad("--master-sae and --slave-sae must come in pairs");
	if (!cfg->nmasters) {
		cfg->masters[0] = "sae-a";
		cfg->slaves[0] = "sae-b";
		cfg->nmasters = cfg->nslaves = 1;
	}
	for (i = 0; i < cfg->nmasters; i++) {
		if (!strcmp(cfg->masters[i], cfg->slaves[i]))
			return bad("SAE '%s' cannot be its own slave",
				   cfg->masters[i]);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->masters[i], cfg->masters[j]) &&
			    !strcmp(cfg->slaves[i], cfg->slaves[j]))
				return bad("pair of master SAE '%s' given twice",
					   cfg->masters[i]);
	}
	if (sc->key_size % 8 || sc->min_key_size % 8 || sc->max_key_size % 8 ||
	    !sc->min_key_size || sc->min_key_size > sc->key_size ||
	    sc->key_size > sc->max_key_size)
		return bad("key sizes must be multiples of 8 with 0 < min <= key size <= max");
	if (!sc->max_keys || !sc->max_keys_per_request)
		return bad("--max-keys and --max-keys-per-request must be positive");
	if (sc->initial_keys > sc->max_keys)
		return bad("--initial-keys is above --max-keys");
	return 0;
}

/* Fills @cfg from the command line; 1 for --help, -EINVAL on misuse. */
int config_parse(struct kmesim_config *cfg, int argc, char **argv)
{
	unsigned long n;
	int opt, ret = 0;
	unsigned int f;

	memset(cfg, 0, sizeof(*cfg));
	cfg->listen[KME_A] = cfg->listen[KME_B] = "127.0.0.1:0";
	cfg->kme_id[KME_A] = "kme-a";
	cfg->kme_id[KME_B] = "kme-b";
	cfg->store = (struct store_config) {
		.key_size = 256, .min_key_size = 64, .max_key_size = 1024,
		.max_keys = 3900, .max_keys_per_request = 128, .rate = 1880,
	};
	cfg->fault_side = -1;

	while (!ret && (opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_LISTEN_A:
			cfg->listen[KME_A] = optarg;
			break;
		case OPT_LISTEN_B:
			cfg->listen[KME_B] = optarg;
			break;
		case OPT_CA:
			cfg->ca = optarg;
			break;
		case OPT_CERT:
			cfg->cert[KME_A] = cfg->cert[KME_B] = optarg;
			break;
		case OPT_KEY:
			cfg->key[KME_A] = cfg->key[KME_B] = optarg;
			break;
		case OPT_CERT_A:
			cfg->cert[KME_A] = optarg;
			break;
		case OPT_KEY_A:
			cfg->key[KME_A] = optarg;
			break;
		case OPT_CERT_B:
			cfg->cert[KME_B] = optarg;
			break;
		case OPT_KEY_B:
			cfg->key[KME_B] = optarg;
			break;
		case OPT_KME_A:
			cfg->kme_id[KME_A] = optarg;
			break;
		case OPT_KME_B:
			cfg->kme_id[KME_B] = optarg;
			break;
		case OPT_MASTER:
			ret = add_sae(cfg->masters, &cfg->nmasters, optarg);
			break;
		case OPT_SLAVE:
			ret = add_sae(cfg->slaves, &cfg->nslaves, optarg);
			break;
		case OPT_RATE:
			ret = number(optarg, ULONG_MAX / 2, &cfg->store.rate);
			break;
		case OPT_UNTHROTTLED:
			cfg->store.rate = 0;
			break;
		case OPT_KEY_SIZE:
			ret = uint_opt(optarg, KEY_BITS_MAX, &cfg->store.key_size);
			break;
		case OPT_MIN_SIZE:
			ret = uint_opt(optarg, KEY_BITS_MAX,
				       &cfg->store.min_key_size);
			break;
		case OPT_MAX_SIZE:
			ret = uint_opt(optarg, KEY_BITS_MAX,
				       &cfg->store.max_key_size);
			break;
		case OPT_MAX_KEYS:
			ret = uint_opt(optarg, MAX_KEYS_MAX, &cfg->store.max_keys);
			break;
		case OPT_INITIAL:
			ret = uint_opt(optarg, MAX_KEYS_MAX,
				       &cfg->store.initial_keys);
			break;
		case OPT_PER_REQUEST:
			ret = uint_opt(optarg, PER_REQUEST_MAX,
				       &cfg->store.max_keys_per_request);
			break;
		case OPT_PENDING_TTL:
			ret = uint_opt(optarg, INT_MAX, &cfg->store.pending_ttl);
			break;
		case OPT_FAULT:
			for (f = FAULT_MALFORMED_JSON; f <= FAULT_MISMATCHED_KEY; f++)
				if (!strcmp(optarg, fault_names[f]))
					cfg->fault = f;
			if (strcmp(optarg, fault_names[cfg->fault]))
				ret = bad("unknown fault '%s'", optarg);
			break;
		case OPT_FAULT_LISTENER:
			if (!strcmp(optarg, "a"))
				cfg->fault_side = KME_A;
			else if (!strcmp(optarg, "b"))
				cfg->fault_side = KME_B;
			else
				ret = bad("--fault-listener takes a or b, not '%s'",
					  optarg);
			break;
		case OPT_FAULT_REQUEST:
			ret = number(optarg, ULONG_MAX, &n);
			cfg->fault_request = n;
			break;
		case OPT_QUIRK:
			if (quirk_parse(optarg, &cfg->quirks))
				ret = bad("unknown quirk '%s'", optarg);
			break;
		case OPT_PORT_FILE:
			cfg->port_file = optarg;
			break;
		case OPT_PID_FILE:
			cfg->pid_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return bad("bad option");
		}
	}
	if (ret)
		return ret;
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	return check(cfg);
}
