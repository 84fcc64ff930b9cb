/*
 * The decision of one syscall from its rules. Each condition becomes tests of 32-bit argument
 * words (64-bit ABIs test the high word, then the low; 32-bit ABIs only see the low word, as
 * libseccomp compares them); a rule is the AND of its conditions; the rules of a syscall combine
 * as in libseccomp (docs/libseccomp-tree.md).
 */
#include <errno.h>

#include "compile/tree.h"

struct tb {
	struct sf_arena *a;
	unsigned bits;
	int err;
};

static struct dtarget leaf(uint32_t ret)
{
	return (struct dtarget){ .node = NULL, .ret = ret };
}

static struct dtarget node(struct tb *b, unsigned arg, bool hi, enum dop op, uint32_t k,
			   uint32_t mask, struct dtarget t, struct dtarget f)
{
	struct dnode *n = sf_arena_alloc(b->a, sizeof(*n));
	if (!n) {
		b->err = -ENOMEM;
		return t;
	}
	n->arg = (uint8_t)arg;
	n->hi = hi;
	n->op = op;
	n->k = k & mask;
	n->mask = mask;
	n->t = t;
	n->f = f;
	return (struct dtarget){ .node = n };
}

/* (word & mask) == k, or always true when the mask is empty. */
static struct dtarget word_eq(struct tb *b, unsigned arg, bool hi, uint32_t k, uint32_t mask,
			      struct dtarget t, struct dtarget f)
{
	if (mask == 0)
		return (k & mask) == 0 ? t : f;
	return node(b, arg, hi, DOP_EQ, k, mask, t, f);
}

/* Whether the 64-bit (or low 32-bit) argument satisfies op against v: T, else F. */
static struct dtarget cond(struct tb *b, const struct sf_arg *c, struct dtarget t, struct dtarget f)
{
	unsigned i = c->index;
	uint64_t v = c->value;
	uint32_t H = (uint32_t)(v >> 32), L = (uint32_t)v;
	bool wide = b->bits == 64;

	switch (c->op) {
	case SF_OP_EQ:
		if (!wide)
			return word_eq(b, i, false, L, ~0u, t, f);
		return word_eq(b, i, true, H, ~0u, word_eq(b, i, false, L, ~0u, t, f), f);
	case SF_OP_NE:
		if (!wide)
			return word_eq(b, i, false, L, ~0u, f, t);
		return word_eq(b, i, true, H, ~0u, word_eq(b, i, false, L, ~0u, f, t), t);
	case SF_OP_MASKED_EQ: {
		uint64_t mask = c->value, datum = c->value_two & mask;
		uint32_t MH = (uint32_t)(mask >> 32), ML = (uint32_t)mask;
		uint32_t DH = (uint32_t)(datum >> 32), DL = (uint32_t)datum;
		if (!wide)
			return word_eq(b, i, false, DL, ML, t, f);
		return word_eq(b, i, true, DH, MH, word_eq(b, i, false, DL, ML, t, f), f);
	}
	case SF_OP_GT:
	case SF_OP_LE: {
		/* GT: hi > H, or hi == H and lo > L. LE is its negation. */
		struct dtarget yes = c->op == SF_OP_GT ? t : f, no = c->op == SF_OP_GT ? f : t;
		struct dtarget lo = node(b, i, false, DOP_GT, L, ~0u, yes, no);
		if (!wide)
			return lo;
		return node(b, i, true, DOP_GT, H, ~0u, yes, word_eq(b, i, true, H, ~0u, lo, no));
	}
	case SF_OP_GE:
	case SF_OP_LT: {
		struct dtarget yes = c->op == SF_OP_GE ? t : f, no = c->op == SF_OP_GE ? f : t;
		struct dtarget lo = node(b, i, false, DOP_GE, L, ~0u, yes, no);
		if (!wide)
			return lo;
		return node(b, i, true, DOP_GT, H, ~0u, yes, word_eq(b, i, true, H, ~0u, lo, no));
	}
	case SF_OP_INVALID:
		break;
	}
	b->err = -EINVAL;
	return f;
}

/* A rule: all its conditions (and the multiplexer's call number) hold → its action. */
static struct dtarget rule_chain(struct tb *b, const struct trule *r, struct dtarget f)
{
	struct dtarget t = leaf(r->ret);
	for (size_t j = r->nconds; j-- > 0;)
		t = cond(b, &r->conds[j], t, f);
	if (r->has_call) {
		struct sf_arg c = { .index = 0, .value = r->call, .op = SF_OP_EQ };
		if (r->call_mask != ~0ull)
			c = (struct sf_arg){ .index = 0, .value = r->call_mask, .value_two = r->call,
					     .op = SF_OP_MASKED_EQ };
		t = cond(b, &c, t, f);
	}
	return t;
}

static bool same_conds(const struct trule *x, const struct trule *y)
{
	if (x->nconds != y->nconds || x->has_call != y->has_call || x->call != y->call ||
	    x->call_mask != y->call_mask)
		return false;
	for (size_t i = 0; i < x->nconds; i++) {
		const struct sf_arg *a = &x->conds[i], *c = &y->conds[i];
		if (a->index != c->index || a->op != c->op || a->value != c->value ||
		    (a->op == SF_OP_MASKED_EQ && (a->value_two & a->value) != (c->value_two & c->value)))
			return false;
	}
	return true;
}

static unsigned priority(const struct trule *r)
{
	unsigned p = 0;
	for (size_t i = 0; i < r->nconds; i++)
		if (r->conds[i].index + 1 > p)
			p = r->conds[i].index + 1;
	return p;
}

int sf_tree_build(struct sf_arena *a, const struct trule *rules, size_t n, unsigned bits,
		  uint32_t default_ret, struct dtarget *out, size_t *bad)
{
	struct tb b = { .a = a, .bits = bits };
	const struct trule **order;
	struct dtarget next = leaf(default_ret);

	/* An unconditional rule takes the whole syscall; the first one stays. */
	for (size_t i = 0; i < n; i++)
		if (!rules[i].nconds && !rules[i].has_call) {
			*out = leaf(rules[i].ret);
			return 0;
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (same_conds(&rules[i], &rules[j]) && rules[i].ret != rules[j].ret) {
				*bad = i;
				return -EEXIST;
			}
	order = calloc(n ? n : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = &rules[i];
	/* Stable insertion sort by priority, highest first. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && priority(order[j]) > priority(order[j - 1]); j--) {
			const struct trule *t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t i = n; i-- > 0;)
		next = rule_chain(&b, order[i], next);
	free(order);
	*out = next;
	return b.err;
}
