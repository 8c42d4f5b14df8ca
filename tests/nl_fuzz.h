/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl_fuzz: what the message generator (nl_fuzz_gen.c) and the runner
 * (nl_fuzz.c) share.
 *
 * The generator builds one request of the "qkd" family from a model of
 * each command (valid attributes, random values), mutates it, and decides
 * by construction what the kernel may answer: a message that breaks a rule
 * of kmod/uapi/linux/qkd.h must be refused, whatever else it holds.
 */
#ifndef NL_FUZZ_H
#define NL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/qkd.h>

/* A batch of 257 keys of 64 bytes is the largest message: about 26 KiB. */
#define FZ_MSG_MAX	32768
#define FZ_LINKS_MAX	64
/*
 * Requests sent in one sendmsg(), and their bytes at most: the answers of a
 * batch (an ACK may echo its request) must fit in an unprivileged socket's
 * receive buffer, rmem_max (208 KiB by default) doubled.
 */
#define FZ_BATCH_MAX	32
#define FZ_BATCH_BYTES	65536

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum fz_verdict {
	FZ_MAY,			/* well-formed: success or a refusal for state */
	FZ_MUST_SUCCEED,	/* a well-formed read of what exists */
	FZ_MUST_FAIL,		/* breaks a rule: fz_msg.rule names it */
	FZ_SURVIVE,		/* mutated past classifying: survival only */
	FZ_VERDICTS,
};

/* A link's settings, as far as the rules between settings need them. */
struct fz_cfg {
	uint32_t reqid, if_id, capacity, low_water, rekey_time, max_key_age;
	uint16_t key_bits;
	uint8_t cipher, consumer;
	uint8_t local_len, peer_len;	/* address bytes: 4, 16, or 0 unset */
};

/* A link as the model knows it, read back from the kernel's dump. */
struct fz_link {
	char name[QKD_LINK_NAME_MAX + 1];
	struct fz_cfg cfg;
	uint64_t batch, staged;
	uint64_t held;			/* keys in both pools, staged included */
};

/* The privilege case, for the rules that depend on who sends. */
enum fz_case {
	FZ_ROOT,
	FZ_USERNS,		/* own user and network namespace */
	FZ_USERNS_ALLOWED,	/* the same with allow_userns=1 */
	FZ_UNPRIV,		/* uid 65534 in a namespace of root's */
	FZ_CASES,
};

struct fz_model {
	enum fz_case who;
	struct fz_link links[FZ_LINKS_MAX];
	int n;
	bool partial;			/* more links than the model holds */
	uint32_t max_pool_keys;		/* the module parameter */
	uint32_t max_links;		/* userns_max_links, FZ_USERNS_ALLOWED */
	const char *const *names;	/* the names most requests use */
	int n_names;
};

struct fz_msg {
	uint8_t buf[FZ_MSG_MAX];
	uint32_t len;
	uint8_t cmd;
	bool dump;
	enum fz_verdict verdict;
	const char *rule;		/* the first rule a FZ_MUST_FAIL breaks */
	char how[96];			/* the mutations applied, for reports */
	bool material;			/* carries the key pattern */
	bool expect_eperm;		/* must fail with EPERM exactly */
};

/*
 * Builds request @index of case @who's sequence: its bytes depend on the
 * seed, the case, the index and the model only, so a run repeats.
 */
void fz_generate(struct fz_msg *m, const struct fz_model *model,
		 uint64_t seed, uint64_t index, uint16_t family);

/* True for the commands that need CAP_NET_ADMIN over the namespace. */
bool fz_changes_state(uint8_t cmd);
const char *fz_cmd_name(uint8_t cmd);
const struct fz_link *fz_find(const struct fz_model *model, const char *name);

/*
 * The rule of a NUL-terminated string's end: the kernel's NLA_NUL_STRING
 * accepts bytes after the NUL, so it has a test point of its own.
 */
extern const char fz_rule_after_nul[];

/* Every key material the fuzzer sends is this pattern, repeated. */
extern const uint8_t fz_pattern[8];
/* Where the pattern is in @p outside [skip_from, skip_to), or -1. */
long fz_find_pattern(const uint8_t *p, size_t len, size_t skip_from,
		     size_t skip_to);

uint64_t fz_mix(uint64_t x);

/* What one case's run found; it lives in memory shared with the parent. */
struct fz_tally {
	bool ran;
	char error[200];		/* the case could not be set up */
	double secs;
	/* Where the seconds went: building, sending and reading, read-backs. */
	double t_gen, t_xchg, t_refresh, t_tidy, t_events;
	uint64_t batches, refreshes;
	uint64_t sent, verdict[FZ_VERDICTS], ok[FZ_VERDICTS];
	uint64_t cmd_sent[256], cmd_ok[256];
	uint64_t forbidden;		/* successes the contract forbids */
	uint64_t after_nul;		/* ... of strings with bytes after the NUL */
	uint32_t after_nul_cmd[QKD_CMD_MAX + 1];
	uint64_t unfulfilled;		/* well-formed reads that failed */
	uint64_t eperm_expected, eperm_wrong;
	uint64_t no_answer;
	uint64_t leaks, events, event_leaks;
	uint64_t quota_breaches, links_seen, keys_seen;
	uint64_t link_quota, key_quota;	/* EDQUOT for LINK_NEW, for KEY_ADD */
	uint64_t state_changes;		/* root's links changed by a user */
	uint64_t reported, reported_after_nul;
	uint32_t errs[QKD_CMD_MAX + 1][136];	/* answers: errno, per command */
	struct {
		const char *rule;	/* a string of the generator's */
		uint64_t sent, ok;
	} rules[64];
};

struct fz_opts {
	uint64_t seed;
	uint16_t family;
	bool verbose;
	bool replaying;			/* stop after request @replay */
	uint64_t replay;
	uint32_t max_keys;		/* userns_max_keys, FZ_USERNS_ALLOWED */
	uint32_t max_pool_keys;
};

struct fz_result {
	int err;			/* the ACK's or the dump's, 0 for success */
	bool answered;
	long leak;			/* where a reply holds the pattern, or -1 */
	bool material;			/* a KEY_TAKE reply handed the pattern out */
	unsigned int n_data;		/* data messages before the end */
	char msg[128];			/* the extended ACK's text */
};

extern const char *const fz_case_names[FZ_CASES];

int fz_sock_open(bool cap_ack, bool ext_ack);
/*
 * Sends requests @m[0..n) in one sendmsg(), as sequence numbers @seq on,
 * and reads the answers of each to its end, into @res[0..n).
 */
void fz_exchange(int fd, struct fz_msg *m, int n, uint32_t seq, uint16_t family,
		 struct fz_result *res);
void fz_hex(const char *prefix, const uint8_t *p, size_t len);
/*
 * Sends @count requests of @model's case and judges every answer; @extra_fd
 * is one more socket to send on (root's, kept by an unprivileged sender),
 * or -1. Returns 0 when it ran, whatever it found.
 */
int fz_run(struct fz_model *model, uint64_t count, const struct fz_opts *o,
	   struct fz_tally *t, int extra_fd);
/*
 * Checks the sender, the pattern scan and the generator on known requests
 * (root, in a namespace of its own): NULL, or what went wrong. Counts the
 * replies that carried the pattern in @leaks.
 */
const char *fz_self_check(const struct fz_opts *o, const struct fz_model *model,
			  uint64_t *leaks);
/* Sends one request given in hex and prints what came back. */
int fz_send_hex(const struct fz_opts *o, const char *hex);

#endif /* NL_FUZZ_H */
