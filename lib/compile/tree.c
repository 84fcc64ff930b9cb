/*
 * The decision of one syscall from its rules, exactly as libseccomp 2.5.4 builds its tree
 * (docs/libseccomp-tree.md; names follow its src/db.c). Each rule becomes a chain of tests of
 * 32-bit argument words (section 1); the chains of a syscall merge into one tree whose levels are
 * sorted lists of sibling tests, sharing equal tests (section 2: unconditional rules, prune,
 * merge, -EEXIST). The tree then becomes our decision graph with its evident meaning (section
 * 3.1): a level tests its nodes in order; a branch holding an action returns it; a branch into a
 * child level that fails continues with the parent's next sibling, and the root level fails to
 * the default action. The failing exits of a child level are targets like any other, so a level
 * reached in two contexts is built once per context.
 *
 * libseccomp's structure is kept as it is -- levels as doubly linked lists found through any of
 * their members, reference counts, a node linked from two continue points of one rule -- because
 * its quirks are part of the meaning. A merge can link a node into a level a second time and make
 * the level a cycle, which libseccomp then walks forever: every walk here counts its steps, and a
 * walk longer than the number of nodes ever made is that endless loop (-ELOOP).
 */
#include <errno.h>

#include "compile/tree.h"

/* A test of the tree (struct db_arg_chain_tree). */
struct lnode {
	struct lnode *nt, *nf; /* child levels of the true and false branches */
	struct lnode *lp, *ln; /* previous and next sibling */
	uint64_t dfull;	       /* the rule's 64-bit datum (merge decisions) */
	uint32_t mask, datum;  /* (word & mask) OP datum; datum is masked */
	uint32_t tact, fact;   /* actions of the branches, when ta / fa */
	uint32_t ref;
	uint32_t rule; /* index of the rule that made it (messages) */
	uint8_t arg;
	uint8_t op;	 /* SF_OP_EQ, SF_OP_MASKED_EQ, SF_OP_GT or SF_OP_GE */
	uint8_t op_orig; /* the rule's operator (sibling order) */
	bool hi, ta, fa;
};

#define FIRST_NODES 96
#define WORK_MAX    (1u << 26) /* steps before giving up (libseccomp's work is exponential) */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	struct lnode v[];
};

struct memo {
	const struct lnode *first;
	struct dtarget fail, val;
	bool used;
};

/* A prune of a level by a node of the new chain that removed nothing: while nothing is removed,
 * the same call gives the same flags (libseccomp repeats it once per path of the new chain). */
struct pmemo {
	const struct lnode *level, *n;
	unsigned fl_in, fl_out;
	size_t gen;
	bool used;
};

struct tb {
	struct sf_arena *out;
	bool wide;
	int err;
	size_t nalloc, depth, work;
	/* the syscall's entry: an action, or a tree */
	bool has_entry;
	struct lnode *chains;
	uint32_t action;
	/* the rule being added, the earlier rule whose node it last matched or conflicted with,
	 * and the rule whose merge linked a node twice */
	size_t cur, with, loop_rule, loop_with;
	bool has_loop;
	/* prunes that removed nothing, valid while gen (nodes unlinked so far) stays */
	struct pmemo *pmemo;
	size_t pmemo_cap, pmemo_n, gen;
	/* building the graph */
	struct memo *memo;
	size_t memo_cap, memo_n;
	struct lnode **stack;
	size_t stack_n, stack_cap;
	/* nodes: the first ones here, then in chunks */
	struct chunk *chunks;
	size_t nfirst;
	struct lnode first[FIRST_NODES];
};

static void fail(struct tb *b, int e)
{
	if (!b->err)
		b->err = e;
}

/* One more step of a walk that meets each node of a level at most `per` times (*w counts the
 * steps): false once it must be going round a cycle. */
static bool walk_n(struct tb *b, size_t *w, size_t per)
{
	if (b->err)
		return false;
	if (++b->work > WORK_MAX) {
		fail(b, -E2BIG);
		return false;
	}
	if (++*w > per * b->nalloc) {
		fail(b, -ELOOP);
		return false;
	}
	return true;
}

static bool walk(struct tb *b, size_t *w)
{
	return walk_n(b, w, 1);
}

/* Recursion: every level is walked within bounds, so only a cycle through child links (which a
 * corrupted level can make) goes deeper than this. */
static bool enter(struct tb *b)
{
	if (b->err)
		return false;
	if (++b->depth > 2 * b->nalloc + 64) {
		fail(b, -ELOOP);
		b->depth--;
		return false;
	}
	return true;
}

static void leave(struct tb *b)
{
	b->depth--;
}

static struct lnode *nnew(struct tb *b)
{
	struct lnode *n;

	if (b->nfirst < FIRST_NODES) {
		n = &b->first[b->nfirst++];
	} else {
		struct chunk *c = b->chunks;
		if (!c || c->used == c->cap) {
			size_t cap = c ? 2 * c->cap : 256;
			c = malloc(sizeof(*c) + cap * sizeof(c->v[0]));
			if (!c) {
				fail(b, -ENOMEM);
				return NULL;
			}
			c->cap = cap;
			c->used = 0;
			c->next = b->chunks;
			b->chunks = c;
		}
		n = &c->v[c->used++];
	}
	memset(n, 0, sizeof(*n));
	n->rule = (uint32_t)b->cur;
	b->nalloc++;
	return n;
}

static struct lnode *get(struct lnode *n)
{
	if (n)
		n->ref++;
	return n;
}

static struct lnode *level_first(struct tb *b, struct lnode *n)
{
	size_t w = 0;

	while (n->lp && walk(b, &w))
		n = n->lp;
	return n;
}

/* ---- order and identity (_db_chain_lt, _db_chain_eq) ---------------------------------------- */

static unsigned arg_prio(const struct lnode *a)
{
	return (a->arg << 1) + (a->hi ? 1 : 0);
}

static unsigned op_prio(unsigned op)
{
	switch (op) {
	case SF_OP_MASKED_EQ:
	case SF_OP_EQ:
	case SF_OP_NE:
		return 3;
	case SF_OP_LE:
	case SF_OP_LT:
		return 2;
	case SF_OP_GE:
	case SF_OP_GT:
		return 1;
	}
	return 0;
}

/* a sorts after b: a lower argument (lo before hi), a lower operator class, a smaller datum
 * (larger for LT/LE). */
static bool sorts_after(const struct lnode *a, const struct lnode *b)
{
	unsigned x = arg_prio(a), y = arg_prio(b);

	if (x != y)
		return x < y;
	x = op_prio(a->op_orig);
	y = op_prio(b->op_orig);
	if (x != y)
		return x < y;
	if (a->op_orig == SF_OP_LE || a->op_orig == SF_OP_LT)
		return a->datum > b->datum;
	return a->datum < b->datum;
}

/* The same test (the rule's operator aside). */
static bool same(const struct lnode *a, const struct lnode *b)
{
	return arg_prio(a) == arg_prio(b) && a->op == b->op && a->datum == b->datum &&
	       a->mask == b->mask;
}

static bool leaf(const struct lnode *n)
{
	return !n->nt && !n->nf;
}

static bool zombie(const struct lnode *n)
{
	return leaf(n) && !n->ta && !n->fa;
}

/* ---- references (_db_node_put, _db_level_clean, _db_tree_put, _db_tree_remove) ------------- */

static unsigned put(struct tb *b, struct lnode **pp);

static unsigned level_clean(struct tb *b, struct lnode *n)
{
	unsigned cnt = 0;
	size_t w = 0;
	struct lnode *start = n = level_first(b, n);

	for (; n && walk(b, &w); n = n->ln)
		if (n->ref > (n->lp ? 1u : 0u) + (n->ln ? 1u : 0u))
			return cnt;
	/* a node stays until its last reference goes: up to three puts each */
	w = 0;
	for (n = start; n && walk_n(b, &w, 3);)
		cnt += put(b, &n);
	return cnt;
}

static unsigned tree_put(struct tb *b, struct lnode **pp)
{
	unsigned cnt = put(b, pp);

	if (*pp && !b->err)
		cnt += level_clean(b, *pp);
	return cnt;
}

/* Drop a reference; at zero the node leaves its level (*pp becomes a neighbour) with its
 * subtrees. Returns the number of nodes dropped. */
static unsigned put(struct tb *b, struct lnode **pp)
{
	struct lnode *n = *pp;
	unsigned cnt = 0;

	if (!n || !enter(b))
		return 0;
	if (--n->ref == 0) {
		struct lnode *p = n->lp, *x = n->ln, *t = n->nt, *f = n->nf;
		b->gen++;
		if (p)
			p->ln = NULL;
		if (x)
			x->lp = NULL;
		if (p)
			cnt += put(b, &p);
		if (x)
			cnt += put(b, &x);
		if (p)
			p->ln = get(x);
		if (x)
			x->lp = get(p);
		*pp = p ? p : x;
		cnt += tree_put(b, &t);
		cnt += tree_put(b, &f);
		cnt++;
	}
	leave(b);
	return cnt;
}

/* Remove node from the tree (searched from the root, true subtree first), and the nodes left
 * without anything on the way. */
static unsigned tree_remove(struct tb *b, struct lnode **tree, struct lnode *node)
{
	unsigned cnt = 0;
	size_t w = 0;
	struct lnode *c;

	if (!tree || !*tree || !node || !enter(b))
		return 0;
	c = level_first(b, *tree);
	do {
		if (!walk(b, &w))
			goto out;
		if (c == node)
			goto remove;
		cnt += tree_remove(b, &c->nt, node);
		cnt += tree_remove(b, &c->nf, node);
		if (zombie(c))
			goto remove;
		c = c->ln;
	} while (c && cnt == 0);
	goto out;
remove:
	b->gen++;
	if (c == *tree)
		*tree = c->lp ? c->lp : c->ln;
	if (c->lp)
		c->lp->ln = c->ln;
	if (c->ln)
		c->ln->lp = c->lp;
	c->lp = c->ln = NULL;
	cnt += put(b, &c);
out:
	leave(b);
	return cnt;
}

/* _db_tree_act_check: every action in the level of tree and below is act. */
static bool acts_are(struct tb *b, struct lnode *tree, uint32_t act)
{
	size_t w = 0;
	bool ok = true;

	if (!tree || !enter(b))
		return true;
	for (struct lnode *c = level_first(b, tree); c && ok && walk(b, &w); c = c->ln) {
		if ((c->ta && c->tact != act) || (c->fa && c->fact != act)) {
			b->with = c->rule;
			ok = false;
		} else {
			ok = acts_are(b, c->nt, act) && acts_are(b, c->nf, act);
		}
	}
	leave(b);
	return ok;
}

/* ---- prune (_db_tree_prune) ------------------------------------------------------------------ */

enum {
	S_MATCH = 0x1,
	S_ONCE = 0x2,
	S_XFIN = 0x10,	/* the existing branch ends here */
	S_NFIN = 0x20,	/* the new chain ends here */
	S_XPRE = 0x100, /* the existing tree had extra nodes above */
	S_NPRE = 0x200, /* the new chain had extra nodes above */
};
#define S_MSET (S_MATCH | S_ONCE)
#define S_RED  (S_MATCH | S_XFIN | S_NPRE)

struct st {
	unsigned fl;
	uint32_t act;
};

static size_t pmemo_hash(const struct lnode *level, const struct lnode *n, unsigned fl)
{
	uintptr_t h =
	    (uintptr_t)level * 0x9e3779b97f4a7c15ull ^ (uintptr_t)n * 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ (h >> 29) ^ fl * 0x94d049bbu);
}

static struct pmemo *pmemo_find(struct tb *b, const struct lnode *level, const struct lnode *n,
				unsigned fl, bool make)
{
	if (make && (b->pmemo_n + 1) * 2 > b->pmemo_cap) {
		size_t cap = b->pmemo_cap ? 2 * b->pmemo_cap : 16;
		struct pmemo *v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL; /* only slower */
		b->pmemo_n = 0;
		for (size_t i = 0; i < b->pmemo_cap; i++) {
			const struct pmemo *m = &b->pmemo[i];
			if (!m->used || m->gen != b->gen)
				continue; /* stale: dropped */
			size_t h = pmemo_hash(m->level, m->n, m->fl_in) & (cap - 1);
			while (v[h].used)
				h = (h + 1) & (cap - 1);
			v[h] = *m;
			b->pmemo_n++;
		}
		free(b->pmemo);
		b->pmemo = v;
		b->pmemo_cap = cap;
	}
	if (!b->pmemo_cap)
		return NULL;
	for (size_t h = pmemo_hash(level, n, fl) & (b->pmemo_cap - 1);;
	     h = (h + 1) & (b->pmemo_cap - 1)) {
		struct pmemo *m = &b->pmemo[h];
		if (!m->used) {
			if (!make)
				return NULL;
			*m = (struct pmemo){.level = level, .n = n, .fl_in = fl, .used = true};
			b->pmemo_n++;
			return m;
		}
		if (m->level == level && m->n == n && m->fl_in == fl) {
			if (!make && m->gen != b->gen)
				return NULL;
			return m;
		}
	}
}

/* Remove what the new chain n makes redundant from the existing level *existing. */
static unsigned prune(struct tb *b, struct lnode **existing, struct lnode *n, struct st *s)
{
	unsigned cnt = 0;
	struct st nx, sn = *s;
	struct lnode *x = *existing, *xnext, *level = NULL;
	size_t w = 0, gen = b->gen;
	struct pmemo *m;

	if (!enter(b))
		return 0;
	if (!n || !x || (s->fl & S_MSET) == S_ONCE)
		goto out;
	x = level = level_first(b, x);
	if ((m = pmemo_find(b, level, n, s->fl, false))) {
		s->fl = m->fl_out;
		leave(b);
		return 0;
	}
	do {
		if (!walk(b, &w))
			goto out;
		xnext = x->ln;
		if (same(x, n)) {
			sn.fl |= S_MSET;
			if (leaf(n))
				sn.fl |= S_NFIN;
			if (leaf(x))
				sn.fl |= S_XFIN;
			if ((x->ta || x->nt) && !(n->ta || n->nt))
				goto out;
			if ((x->fa || x->nf) && !(n->fa || n->nf))
				goto out;
			if ((sn.fl & S_NFIN) && (sn.fl & S_XFIN) &&
			    (n->ta != x->ta || n->tact != x->tact || n->fa != x->fa ||
			     n->fact != x->fact))
				goto out;
			for (int side = 0; side < 2; side++) {
				struct lnode *nside = side ? n->nf : n->nt;
				if (!nside)
					continue;
				get(x);
				nx = *s;
				nx.fl |= S_MSET;
				cnt += prune(b, side ? &x->nf : &x->nt, nside, &nx);
				cnt += put(b, &x);
				if (nx.fl & S_MATCH)
					sn.fl |= nx.fl;
				if (!x)
					goto next;
			}
			if (b->err)
				goto out;
			if ((sn.fl & S_MATCH) && (sn.fl & S_NFIN) && (sn.fl & S_XPRE) &&
			    acts_are(b, x, sn.act)) {
				/* the new chain is shorter: the existing branch goes */
				cnt += tree_remove(b, &b->chains, x);
				if (!b->chains)
					goto out;
			} else if ((sn.fl & S_MATCH) && (sn.fl & S_XFIN) && (sn.fl & S_NPRE) &&
				   acts_are(b, x, sn.act)) {
				goto out;
			}
		} else if (sorts_after(x, n)) {
			/* the existing tree has an extra test here */
			if (s->fl & S_NPRE)
				goto out;
			for (int side = 0; side < 2; side++) {
				if (!(side ? x->nf : x->nt))
					continue;
				get(x);
				nx = *s;
				nx.fl = (nx.fl & ~(unsigned)S_MATCH) | S_XPRE;
				cnt += prune(b, side ? &x->nf : &x->nt, n, &nx);
				cnt += put(b, &x);
				if (nx.fl & S_MATCH) {
					sn.fl |= nx.fl;
					goto out;
				}
				if (!x)
					goto next;
			}
		} else {
			/* the new chain has an extra test here */
			if (s->fl & S_XPRE)
				goto out;
			for (int side = 0; side < 2; side++) {
				struct lnode *nside = side ? n->nf : n->nt;
				if (!nside)
					continue;
				get(x);
				nx = *s;
				nx.fl = (nx.fl & ~(unsigned)S_MATCH) | S_NPRE;
				cnt += prune(b, &x, nside, &nx);
				cnt += put(b, &x);
				if (nx.fl & S_MATCH) {
					sn.fl |= nx.fl;
					goto out;
				}
				if (!x)
					goto next;
			}
		}
	next:
		x = xnext;
	} while (x);
	sn.fl &= ~(unsigned)S_MATCH;
out:
	if (level && !b->err && b->gen == gen && (m = pmemo_find(b, level, n, s->fl, true))) {
		m->gen = gen;
		m->fl_out = sn.fl & S_MATCH ? s->fl | sn.fl : s->fl & ~(unsigned)S_MATCH;
	}
	if (sn.fl & S_MATCH)
		s->fl |= sn.fl;
	else
		s->fl &= ~(unsigned)S_MATCH;
	leave(b);
	return cnt;
}

/* ---- merge (_db_tree_add) -------------------------------------------------------------------- */

/* n joins a level; when it is already in one, libseccomp's lists are about to break. */
static void linking(struct tb *b, const struct lnode *n)
{
	if (n->lp || n->ln) {
		b->has_loop = true;
		b->loop_rule = b->cur;
		b->loop_with = b->with;
	}
}

/* Set one branch of x to an action: EEXIST unless every action under its child is the same. */
static int set_action(struct tb *b, struct lnode *x, bool t, uint32_t act)
{
	struct lnode **child = t ? &x->nt : &x->nf;

	if (!acts_are(b, *child, act))
		return -EEXIST;
	put(b, child);
	*child = NULL;
	if (t) {
		x->tact = act;
		x->ta = true;
	} else {
		x->fact = act;
		x->fa = true;
	}
	return 0;
}

static int tree_add(struct tb *b, struct lnode **existing, struct lnode *n)
{
	struct lnode *x = *existing;
	size_t w = 0;
	int rc = 0;

	if (!enter(b))
		return 0;
	do {
		if (!walk(b, &w))
			break;
		if (same(x, n)) {
			if (x->rule != b->cur)
				b->with = x->rule;
			if (n->ta) {
				if (!x->ta) {
					if ((rc = set_action(b, x, true, n->tact)))
						break;
				} else if (n->tact != x->tact) {
					/* GT/GE: on the high word the larger datum wins */
					if (n->hi && n->dfull > x->dfull)
						x->tact = n->tact;
					if (leaf(x) || leaf(n)) {
						rc = -EEXIST;
						break;
					}
				}
			}
			if (n->fa) {
				if (!x->fa) {
					if ((rc = set_action(b, x, false, n->fact)))
						break;
				} else if (n->fact != x->fact) {
					/* sic: libseccomp sets the true action here */
					if (n->hi && n->dfull < x->dfull)
						x->tact = n->tact;
					if (leaf(x) || leaf(n)) {
						rc = -EEXIST;
						break;
					}
				}
			}
			for (int side = 0; side < 2 && !rc; side++) {
				struct lnode *nside = side ? n->nf : n->nt;
				struct lnode **xside = side ? &x->nf : &x->nt;
				if (!nside)
					continue;
				/* an action there: the existing tree is shorter, the rest goes */
				if (*xside)
					rc = tree_add(b, xside, nside);
				else if (!(side ? x->fa : x->ta))
					*xside = get(nside);
				else
					break;
			}
			break;
		} else if (!sorts_after(x, n)) {
			if (!x->ln) {
				linking(b, n);
				n->lp = get(x);
				x->ln = get(n);
				break;
			}
			x = x->ln;
		} else {
			linking(b, n);
			if (x->lp) {
				x->lp->ln = get(n);
				n->lp = x->lp;
				x->lp = get(n);
				n->ln = x;
			} else {
				x->lp = get(n);
				n->ln = get(x);
			}
			if (*existing == x) {
				*existing = get(n);
				put(b, &x);
			}
			break;
		}
	} while (x);
	leave(b);
	return rc;
}

/* ---- rule -> chain (_db_rule_gen_arg_64 / _32) ---------------------------------------------- */

static struct lnode *node(struct tb *b, unsigned arg, bool hi, unsigned op, unsigned op_orig,
			  uint32_t mask, uint32_t datum, uint64_t dfull)
{
	struct lnode *n = nnew(b);

	if (n) {
		n->arg = (uint8_t)arg;
		n->hi = hi;
		n->op = (uint8_t)op;
		n->op_orig = (uint8_t)op_orig;
		n->mask = mask;
		n->datum = datum & mask;
		n->dfull = dfull;
	}
	return n;
}

static void link_to(struct lnode **prev, bool side, struct lnode *to)
{
	for (int i = 0; prev[i]; i++) {
		if (side)
			prev[i]->nt = get(to);
		else
			prev[i]->nf = get(to);
	}
}

/*
 * The chain of one rule (conditions in argument order), or NULL when no test remains (the rule
 * is unconditional). 64-bit ABIs: hi then lo word; EQ/NE/MASKED_EQ two nodes, ranges three
 * (hi > H; else hi == H and lo > / >= L), the rule going on from the accepting branches, both
 * of which lead to the same next node. 32-bit ABIs: one node on the low word.
 */
static struct lnode *chain(struct tb *b, const struct sf_arg *const byarg[6], uint32_t act)
{
	struct lnode *prev[3] = {NULL}, *head = NULL;
	bool side = false;

	for (unsigned a = 0; a < 6; a++) {
		const struct sf_arg *c = byarg[a];
		if (!c)
			continue;
		unsigned op = c->op;
		uint64_t mask = op == SF_OP_MASKED_EQ ? c->value : ~0ULL;
		uint64_t datum = op == SF_OP_MASKED_EQ ? c->value_two : c->value;
		uint32_t mh = (uint32_t)(mask >> 32), ml = (uint32_t)mask;
		uint32_t dh = (uint32_t)(datum >> 32), dl = (uint32_t)datum;
		if (b->wide) {
			struct lnode *x, *y, *z = NULL;
			if (op == SF_OP_MASKED_EQ && mask == 0)
				continue; /* no test at all */
			if (op == SF_OP_EQ || op == SF_OP_NE || op == SF_OP_MASKED_EQ) {
				unsigned nop = op == SF_OP_MASKED_EQ ? SF_OP_MASKED_EQ : SF_OP_EQ;
				x = node(b, a, true, nop, op, mh, dh, datum);
				y = node(b, a, false, nop, op, ml, dl, datum);
				if (!x || !y)
					return NULL;
				x->nt = get(y);
			} else {
				bool gt = op == SF_OP_GT || op == SF_OP_LE;
				x = node(b, a, true, SF_OP_GT, op, mh, dh, datum);
				y = node(b, a, true, SF_OP_EQ, op, mh, dh, datum);
				z = node(b, a, false, gt ? SF_OP_GT : SF_OP_GE, op, ml, dl, datum);
				if (!x || !y || !z)
					return NULL;
				x->nf = get(y);
				y->nt = get(z);
			}
			link_to(prev, side, x);
			prev[0] = prev[1] = NULL;
			if (!head)
				head = get(x);
			switch (op) {
			case SF_OP_GT:
			case SF_OP_GE:
				prev[0] = x;
				prev[1] = z;
				side = true;
				break;
			case SF_OP_LE:
			case SF_OP_LT:
				prev[0] = y;
				prev[1] = z;
				side = false;
				break;
			case SF_OP_NE:
				prev[0] = x;
				prev[1] = y;
				side = false;
				break;
			default: /* EQ, MASKED_EQ */
				prev[0] = y;
				side = true;
				break;
			}
		} else {
			struct lnode *x;
			unsigned nop = op;
			bool t = true;
			if (op == SF_OP_MASKED_EQ && ml == 0)
				continue;
			if (op == SF_OP_NE || op == SF_OP_LT || op == SF_OP_LE) {
				nop = op == SF_OP_NE   ? SF_OP_EQ
				      : op == SF_OP_LT ? SF_OP_GE
						       : SF_OP_GT;
				t = false;
			}
			x = node(b, a, false, nop, op, ml, dl, datum);
			if (!x)
				return NULL;
			link_to(prev, side, x);
			prev[0] = x;
			prev[1] = NULL;
			if (!head)
				head = get(x);
			side = t;
		}
	}
	for (int i = 0; head && prev[i]; i++) {
		if (side) {
			prev[i]->ta = true;
			prev[i]->tact = act;
		} else {
			prev[i]->fa = true;
			prev[i]->fact = act;
		}
	}
	return head;
}

/* ---- one rule (db_rule_add) ------------------------------------------------------------------ */

static int rule_add(struct tb *b, const struct trule *r)
{
	const struct sf_arg *byarg[6] = {NULL};
	struct sf_arg call;
	struct lnode *c;
	struct st st;
	bool rm = false;
	unsigned removed;
	int rc;

	if (r->has_call) {
		call = (struct sf_arg){.index = 0, .op = SF_OP_EQ, .value = r->call};
		if (r->call_mask != ~0ULL)
			call = (struct sf_arg){.index = 0,
					       .op = SF_OP_MASKED_EQ,
					       .value = r->call_mask,
					       .value_two = r->call};
		byarg[0] = &call;
	}
	for (size_t i = 0; i < r->nconds; i++) {
		const struct sf_arg *a = &r->conds[i];
		if (a->index >= 6 || byarg[a->index] || a->op < SF_OP_NE || a->op > SF_OP_MASKED_EQ)
			return -EINVAL;
		byarg[a->index] = a;
	}
	c = chain(b, byarg, r->ret);
	if (b->err)
		return b->err;
	if (!b->has_entry) {
		b->has_entry = true;
		b->chains = c;
		b->action = r->ret;
		return 0;
	}
again:
	if (!b->chains) {
		/* unconditional (the rule is dropped), or pruned to nothing (it takes over) */
		if (rm) {
			b->chains = c;
			b->action = r->ret;
		} else {
			tree_put(b, &c);
		}
		return b->err;
	}
	if (!c) {
		/* an unconditional rule replaces the tree */
		tree_put(b, &b->chains);
		b->chains = NULL;
		b->action = r->ret;
		return b->err;
	}
	st = (struct st){.act = r->ret};
	removed = prune(b, &b->chains, c, &st);
	if (b->err)
		return b->err;
	if (removed > 0) {
		rm = true;
		if (!b->chains)
			goto again;
	} else if ((st.fl & S_RED) == S_RED) {
		/* the existing tree is shorter: the new rule is dropped */
		tree_put(b, &c);
		return b->err;
	}
	rc = tree_add(b, &b->chains, c);
	if (rc < 0 || b->err)
		return rc < 0 ? rc : b->err;
	tree_put(b, &c);
	return b->err;
}

/* ---- the tree's meaning as a decision graph -------------------------------------------------- */

static struct dtarget leaf_ret(uint32_t ret)
{
	return (struct dtarget){.node = NULL, .ret = ret};
}

static bool target_eq(struct dtarget x, struct dtarget y)
{
	return x.node == y.node && (x.node || x.ret == y.ret);
}

static size_t memo_hash(const struct lnode *first, struct dtarget ft)
{
	uintptr_t h = (uintptr_t)first * 0x9e3779b97f4a7c15ull;
	h ^= (uintptr_t)ft.node * 0xbf58476d1ce4e5b9ull;
	h ^= ft.ret * 0x94d049bbu;
	return (size_t)(h ^ (h >> 29));
}

static struct memo *memo_find(struct tb *b, const struct lnode *first, struct dtarget ft, bool make)
{
	if (make && (b->memo_n + 1) * 2 > b->memo_cap) {
		size_t cap = b->memo_cap ? 2 * b->memo_cap : 16;
		struct memo *v = calloc(cap, sizeof(*v));
		if (!v) {
			fail(b, -ENOMEM);
			return NULL;
		}
		for (size_t i = 0; i < b->memo_cap; i++) {
			if (!b->memo[i].used)
				continue;
			size_t h = memo_hash(b->memo[i].first, b->memo[i].fail) & (cap - 1);
			while (v[h].used)
				h = (h + 1) & (cap - 1);
			v[h] = b->memo[i];
		}
		free(b->memo);
		b->memo = v;
		b->memo_cap = cap;
	}
	if (!b->memo_cap)
		return NULL;
	for (size_t h = memo_hash(first, ft) & (b->memo_cap - 1);;
	     h = (h + 1) & (b->memo_cap - 1)) {
		struct memo *m = &b->memo[h];
		if (!m->used) {
			if (!make)
				return NULL;
			*m = (struct memo){.first = first, .fail = ft, .used = true};
			b->memo_n++;
			return m;
		}
		if (m->first == first && target_eq(m->fail, ft))
			return m;
	}
}

/* A test of the graph; none when both branches go the same way or the mask leaves nothing. */
static struct dtarget test(struct tb *b, const struct lnode *n, struct dtarget t, struct dtarget f)
{
	enum dop op = n->op == SF_OP_GT ? DOP_GT : n->op == SF_OP_GE ? DOP_GE : DOP_EQ;
	struct dnode *d;

	if (n->mask == 0) {
		bool r = op == DOP_EQ ? n->datum == 0 : op == DOP_GE && n->datum == 0;
		return r ? t : f;
	}
	if (target_eq(t, f))
		return t;
	d = sf_arena_alloc(b->out, sizeof(*d));
	if (!d) {
		fail(b, -ENOMEM);
		return t;
	}
	d->arg = n->arg;
	d->hi = n->hi;
	d->op = op;
	d->k = n->datum;
	d->mask = n->mask;
	d->t = t;
	d->f = f;
	return (struct dtarget){.node = d};
}

static struct dtarget level_graph(struct tb *b, struct lnode *start, struct dtarget fail_to);

/* Where a branch goes: its child level (failing on to next), its action, or next. */
static struct dtarget branch(struct tb *b, struct lnode *child, bool has_act, uint32_t act,
			     struct dtarget next)
{
	if (child)
		return level_graph(b, child, next);
	return has_act ? leaf_ret(act) : next;
}

/*
 * The level that start belongs to (walked from its first node, as libseccomp walks it), when
 * failing goes to `fail`: its nodes in order, each branch an action, a child level whose failure
 * goes to the next sibling, or that next sibling itself.
 */
static struct dtarget level_graph(struct tb *b, struct lnode *start, struct dtarget fail_to)
{
	struct lnode *first = level_first(b, start);
	struct dtarget next = fail_to;
	size_t base = b->stack_n, w = 0;
	struct memo *m;

	if (b->err || !enter(b))
		return fail_to;
	if ((m = memo_find(b, first, fail_to, false))) {
		leave(b);
		return m->val;
	}
	for (struct lnode *n = first; n && walk(b, &w); n = n->ln) {
		if (b->stack_n == b->stack_cap) {
			size_t cap = b->stack_cap ? 2 * b->stack_cap : 32;
			struct lnode **v = realloc(b->stack, cap * sizeof(*v));
			if (!v) {
				fail(b, -ENOMEM);
				break;
			}
			b->stack = v;
			b->stack_cap = cap;
		}
		b->stack[b->stack_n++] = n;
	}
	for (size_t i = b->stack_n; i-- > base && !b->err;) {
		struct lnode *n = b->stack[i];
		struct dtarget t = branch(b, n->nt, n->ta, n->tact, next);
		struct dtarget f = branch(b, n->nf, n->fa, n->fact, next);
		next = test(b, n, t, f);
	}
	b->stack_n = base;
	if (!b->err && (m = memo_find(b, first, fail_to, true)))
		m->val = next;
	leave(b);
	return next;
}

/* ---- the whole syscall ----------------------------------------------------------------------- */

static bool unconditional(const struct trule *r, bool wide)
{
	if (r->has_call)
		return false;
	for (size_t i = 0; i < r->nconds; i++) {
		const struct sf_arg *a = &r->conds[i];
		if (a->op != SF_OP_MASKED_EQ || (wide ? a->value : (uint32_t)a->value) != 0)
			return false;
	}
	return true;
}

int sf_tree_build(struct sf_arena *a, const struct trule *rules, size_t n, unsigned bits,
		  uint32_t default_ret, struct dtarget *out, struct tree_fail *fail)
{
	struct tb *b;
	size_t first = 0, at;
	int rc = 0;

	*out = leaf_ret(default_ret);
	while (first < n && rules[first].ret == default_ret)
		first++;
	if (first == n)
		return 0;
	/* An unconditional first rule takes the syscall; every later rule is dropped. */
	if (unconditional(&rules[first], bits == 64)) {
		*out = leaf_ret(rules[first].ret);
		return 0;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(b, 0, offsetof(struct tb, first));
	b->out = a;
	b->wide = bits == 64;
	for (size_t i = first; i < n && rc == 0; i++) {
		if (rules[i].ret == default_ret)
			continue; /* runc skips it (libseccomp: EACCES) */
		b->cur = i;
		b->with = i;
		rc = rule_add(b, &rules[i]);
	}
	at = b->cur;
	if (rc == 0 && b->chains)
		*out = level_graph(b, b->chains, leaf_ret(default_ret));
	else if (rc == 0)
		*out = leaf_ret(b->action);
	if (rc == 0 && (rc = b->err))
		at = n; /* found walking the finished tree */
	if (rc < 0 && fail) {
		fail->at = at;
		fail->rule = rc == -ELOOP && b->has_loop ? b->loop_rule : b->cur;
		fail->with = rc == -ELOOP && b->has_loop ? b->loop_with : b->with;
	}
	for (struct chunk *c = b->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(b->memo);
	free(b->pmemo);
	free(b->stack);
	free(b);
	return rc;
}
