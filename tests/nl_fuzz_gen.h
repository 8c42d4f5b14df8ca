/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generator's insides, shared by the command models (nl_fuzz_gen.c)
 * and the mutations (nl_fuzz_mut.c): a request held as a tree of
 * attributes until it is written out, so that a mutation can change a
 * length, move a nest or add bytes inside one and still know what it broke.
 */
#ifndef NL_FUZZ_GEN_H
#define NL_FUZZ_GEN_H

#include "nl_fuzz.h"

#define NONE		(-1)
#define NODES_MAX	1200
#define B(t)		(1ULL << (t))

struct rng {
	uint64_t s;
};

uint64_t rnd(struct rng *r);

static inline uint32_t below(struct rng *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

/* How the contract reads an attribute of the top level. */
enum kind { K_NONE, K_NAME, K_STR, K_DESC, K_ADDR, K_U8, K_U16, K_U32,
	    K_U64, K_S32, K_NEST };

extern const uint8_t attr_kind[QKD_A_MAX + 1];
unsigned int kind_size(enum kind k);	/* fixed payload size, or 0 */

struct node {
	uint16_t type;		/* NLA_F_NESTED included where set */
	uint16_t len;		/* a leaf's payload length */
	uint32_t off;		/* a leaf's payload, in the arena */
	int child, last, next;	/* a nest's children; the next sibling */
	uint8_t trail[8];	/* bytes after a nest's children, inside it */
	uint8_t n_trail;
	bool nest;
};

struct gen {
	struct rng r;
	const struct fz_model *model;
	struct fz_msg *m;
	struct node n[NODES_MAX];
	int n_nodes;
	int top;		/* the top level; its trail follows the attributes */
	uint8_t arena[FZ_MSG_MAX];
	uint32_t used;
	uint64_t index;
	uint32_t n_ids;		/* key IDs made for this message */
	const struct fz_link *link;	/* the model's link the request names */
	uint32_t mat_len;	/* the material length that link takes */
	bool structural;	/* a rule is broken by the bytes themselves */
	bool header_tweak;	/* a header field the contract leaves alone */
	bool truncate;		/* cut inside an attribute when written out */
	unsigned int flips;	/* random bytes changed when written out */
};

int node_new(struct gen *g, int parent, uint16_t type, bool nest);
int leaf(struct gen *g, int parent, uint16_t type, const void *data,
	 uint32_t len);
int leaf_uint(struct gen *g, int parent, uint16_t type, uint64_t v,
	      unsigned int size);
int leaf_str(struct gen *g, int parent, uint16_t type, const char *s);
uint8_t *payload(struct gen *g, int i);
void set_len(struct gen *g, int i, uint32_t len);
int find(const struct gen *g, int parent, uint16_t type);
void drop(struct gen *g, int parent, int child);
int count(const struct gen *g, int parent);
int nth(const struct gen *g, int parent, int k);
void place(struct gen *g, int parent);
void set_uint(struct gen *g, int i, uint64_t v);
void set_payload(struct gen *g, int i, const void *p, uint32_t len);
void set_attr(struct gen *g, uint16_t t, uint64_t v);
void drop_type(struct gen *g, uint16_t t);

extern const char fz_name_chars[];

void must_fail(struct gen *g, const char *rule, const char *how);
int key_entry(struct gen *g, int keys, uint8_t dir, uint32_t mat_len);
void random_name(struct gen *g, char *buf, unsigned int len);
uint64_t cmd_attrs(uint8_t cmd, bool dump);
uint64_t cmd_required(uint8_t cmd, bool dump);

/* Writes the tree out as the request, truncated and flipped if asked. */
void emit(struct gen *g, uint16_t family, uint16_t flags, uint8_t version,
	  uint8_t reserved);
/* Breaks a rule between settings (nl_fuzz_gen.c, beside those rules). */
bool mut_cross(struct gen *g);
/* Applies one mutation that breaks a rule it names (nl_fuzz_mut.c). */
void mutate(struct gen *g);

#endif /* NL_FUZZ_GEN_H */
