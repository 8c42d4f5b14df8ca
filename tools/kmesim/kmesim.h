/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmesim: an ETSI GS QKD 014 V1.1.1 KME pair simulator. KME A serves the
 * master SAEs, KME B the slave SAEs; both share one key store per pair.
 */
#ifndef KMESIM_H
#define KMESIM_H

#include <stdatomic.h>
#include <stdbool.h>

#include "quirk.h"
#include "store.h"

#define MAX_PAIRS 16

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))

enum kme_side { KME_A, KME_B };

/* Deliberately wrong answers, for the error handling of SAEs such as qkdd. */
enum fault_mode {
	FAULT_NONE,
	FAULT_MALFORMED_JSON,	/* the key reply is cut short: invalid JSON */
	FAULT_WRONG_SIZE,	/* every key is one byte shorter than asked */
	FAULT_DUPLICATE_ID,	/* two keys of the reply share a key_ID */
	FAULT_MISMATCHED_KEY,	/* the last key's first byte inverted: material
				 * other than the other KME gives for its ID */
};

struct kmesim_config {
	const char *listen[2];
	const char *cert[2], *key[2];
	const char *ca;
	const char *kme_id[2];
	const char *masters[MAX_PAIRS], *slaves[MAX_PAIRS];
	unsigned int nmasters, nslaves;
	struct store_config store;
	enum fault_mode fault;
	int fault_side;			/* KME_A, KME_B, or -1 for both */
	unsigned long fault_request;	/* only the Nth key reply; 0: all */
	unsigned int quirks;		/* enum quirk bits (quirk.h) */
	const char *port_file, *pid_file;
};

struct kmesim {
	const struct kmesim_config *cfg;
	struct store store;
	/* Key replies (enc_keys, dec_keys) given by the faulty listener(s). */
	atomic_ulong key_replies;
};

int config_parse(struct kmesim_config *cfg, int argc, char **argv);
const char *fault_name(enum fault_mode f);

#endif
