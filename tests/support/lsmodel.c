/*
 * Test support: libseccomp 2.5.4's per-syscall tree, kept as libseccomp keeps it (see
 * lsmodel.h and docs/libseccomp-tree.md; function names follow src/db.c and src/gen_bpf.c).
 * Nodes are never freed while the filter lives (a node libseccomp frees is only marked), so
 * that the quirks of its reference counting cannot make this code unsafe. A walk along a level
 * that meets more nodes than were ever allocated has entered a cycle: that is libseccomp's
 * endless loop (its rule add, or its export, never returns).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsmodel.h"

#define MAX_DEPTH 100000
#define CHUNK	  256

struct lnode {
	unsigned arg;
	bool hi;
	int op, op_orig; /* op: LSM_EQ, LSM_MASKED_EQ, LSM_GT or LSM_GE */
	uint32_t mask, datum;
	uint64_t dfull;
	struct lnode *nt, *nf, *lp, *ln;
	bool ta, fa;
	uint32_t tact, fact;
	int ref;
	bool dead;
};

struct lsys {
	int nr;
	bool valid;
	struct lnode *chains;
	uint32_t action;
	int cnt; /* node_cnt: the priority is 0xFFFF - cnt */
};

struct chunk {
	struct chunk *next;
	size_t used;
	struct lnode v[CHUNK];
};

struct lsm_filter {
	uint32_t def;
	bool is64;
	struct lsys *sys;
	size_t nsys, cap;
	struct chunk *pool;
	long nalloc, depth;
	jmp_buf hang;
	bool oom;
};

/* One more node on a walk along a level (*w counts them). */
static void step(struct lsm_filter *f, long *w)
{
	if (++*w > f->nalloc + 1)
		longjmp(f->hang, 1);
}

/* Entering (+1) or leaving (-1) a recursion. */
static void nest(struct lsm_filter *f, int d)
{
	f->depth += d;
	if (f->depth > MAX_DEPTH)
		longjmp(f->hang, 1);
}

static struct lnode *nnew(struct lsm_filter *f)
{
	if (!f->pool || f->pool->used == CHUNK) {
		struct chunk *c = calloc(1, sizeof(*c));
		if (!c) {
			f->oom = true;
			longjmp(f->hang, 2);
		}
		c->next = f->pool;
		f->pool = c;
	}
	f->nalloc++;
	return &f->pool->v[f->pool->used++];
}

static struct lnode *get(struct lnode *n)
{
	if (n)
		n->ref++;
	return n;
}

/* ---- ordering and identity (_db_chain_lt, _db_chain_eq) ---- */

static unsigned argprio(const struct lnode *a)
{
	return (a->arg << 1) + (a->hi ? 1 : 0);
}

static unsigned opprio(int op)
{
	switch (op) {
	case LSM_MASKED_EQ:
	case LSM_EQ:
	case LSM_NE:
		return 3;
	case LSM_LE:
	case LSM_LT:
		return 2;
	case LSM_GE:
	case LSM_GT:
		return 1;
	}
	return 0;
}

/* a sorts after b */
static bool lt(const struct lnode *a, const struct lnode *b)
{
	unsigned x = argprio(a), y = argprio(b);

	if (x != y)
		return x < y;
	x = opprio(a->op_orig);
	y = opprio(b->op_orig);
	if (x != y)
		return x < y;
	if (a->op_orig == LSM_LE || a->op_orig == LSM_LT)
		return a->datum > b->datum;
	return a->datum < b->datum;
}

static bool same(const struct lnode *a, const struct lnode *b)
{
	return argprio(a) == argprio(b) && a->op == b->op && a->datum == b->datum &&
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

/* ---- references (_db_node_put, _db_level_clean, _db_tree_put, _db_tree_remove) ---- */

static unsigned put(struct lsm_filter *f, struct lnode **pp);

static unsigned level_clean(struct lsm_filter *f, struct lnode *n)
{
	unsigned cnt = 0;
	struct lnode *start;
	long w1 = 0, w2 = 0, w3 = 0;

	while (n->lp) {
		step(f, &w1);
		n = n->lp;
	}
	start = n;
	for (; n; n = n->ln) {
		int links = (n->lp ? 1 : 0) + (n->ln ? 1 : 0);
		step(f, &w2);
		if (n->ref > links)
			return cnt;
	}
	n = start;
	while (n) {
		step(f, &w3);
		cnt += put(f, &n);
	}
	return cnt;
}

static unsigned tree_put(struct lsm_filter *f, struct lnode **pp)
{
	unsigned cnt = put(f, pp);

	if (*pp)
		cnt += level_clean(f, *pp);
	return cnt;
}

static unsigned put(struct lsm_filter *f, struct lnode **pp)
{
	unsigned cnt = 0;
	struct lnode *n = *pp;

	if (!n)
		return 0;
	nest(f, 1);
	if (--n->ref == 0) {
		struct lnode *p = n->lp, *x = n->ln, *t = n->nt, *fl = n->nf;
		if (p)
			p->ln = NULL;
		if (x)
			x->lp = NULL;
		if (p)
			cnt += put(f, &p);
		if (x)
			cnt += put(f, &x);
		if (p)
			p->ln = get(x);
		if (x)
			x->lp = get(p);
		*pp = p ? p : x;
		cnt += tree_put(f, &t);
		cnt += tree_put(f, &fl);
		n->dead = true;
		cnt++;
	}
	nest(f, -1);
	return cnt;
}

static unsigned tree_remove(struct lsm_filter *f, struct lnode **tree, struct lnode *node)
{
	unsigned cnt = 0;
	struct lnode *c;
	long w1 = 0, w2 = 0;

	if (!tree || !*tree || !node)
		return 0;
	c = *tree;
	while (c->lp) {
		step(f, &w1);
		c = c->lp;
	}
	do {
		step(f, &w2);
		if (c == node)
			goto remove;
		nest(f, 1);
		cnt += tree_remove(f, &c->nt, node);
		cnt += tree_remove(f, &c->nf, node);
		nest(f, -1);
		if (zombie(c))
			goto remove;
		c = c->ln;
	} while (c && cnt == 0);
	return cnt;
remove:
	if (c == *tree)
		*tree = c->lp ? c->lp : c->ln;
	if (c->lp)
		c->lp->ln = c->ln;
	if (c->ln)
		c->ln->lp = c->lp;
	c->lp = c->ln = NULL;
	cnt += put(f, &c);
	return cnt;
}

/* _db_tree_act_check: every action under tree is act. */
static int act_check(struct lsm_filter *f, struct lnode *tree, uint32_t act)
{
	struct lnode *c = tree;
	long w1 = 0, w2 = 0;
	int rc = 0;

	if (!tree)
		return 0;
	while (c->lp) {
		step(f, &w1);
		c = c->lp;
	}
	nest(f, 1);
	for (; c && !rc; c = c->ln) {
		step(f, &w2);
		if ((c->ta && c->tact != act) || (c->fa && c->fact != act))
			rc = -EEXIST;
		else if (act_check(f, c->nt, act) < 0 || act_check(f, c->nf, act) < 0)
			rc = -EEXIST;
	}
	nest(f, -1);
	return rc;
}

/* ---- _db_tree_prune ---- */

enum {
	S_MATCH = 1,
	S_ONCE = 2,
	S_XFIN = 0x10,
	S_NFIN = 0x20,
	S_XPRE = 0x100,
	S_NPRE = 0x200,
};
#define S_MSET (S_MATCH | S_ONCE)
#define S_RED  (S_MATCH | S_XFIN | S_NPRE)

struct st {
	unsigned fl;
	uint32_t act;
	struct lsys *sx;
};

/* Prune the existing tree below one side of x, or the same level for a side of n. */
static int prune(struct lsm_filter *f, struct lnode **existing, struct lnode *nw, struct st *s);

static int prune(struct lsm_filter *f, struct lnode **existing, struct lnode *nw, struct st *s)
{
	int cnt = 0;
	struct st nx, sn = *s;
	struct lnode *x = *existing, *n = nw, *xnext;
	long w1 = 0, w2 = 0;

	nest(f, 1);
	if (!n || !x)
		goto out;
	if ((s->fl & S_MSET) == S_ONCE)
		goto out;
	while (x->lp) {
		step(f, &w1);
		x = x->lp;
	}
	do {
		step(f, &w2);
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
			if ((sn.fl & S_NFIN) && (sn.fl & S_XFIN)) {
				if (n->ta != x->ta || n->tact != x->tact)
					goto out;
				if (n->fa != x->fa || n->fact != x->fact)
					goto out;
			}
			for (int side = 0; side < 2; side++) {
				struct lnode *nside = side ? n->nf : n->nt;
				if (!nside)
					continue;
				get(x);
				nx = *s;
				nx.fl |= S_MSET;
				cnt += prune(f, side ? &x->nf : &x->nt, nside, &nx);
				cnt += (int)put(f, &x);
				if (nx.fl & S_MATCH)
					sn.fl |= nx.fl;
				if (!x)
					goto next;
			}
			if (!act_check(f, x, sn.act) && (sn.fl & S_MATCH) && (sn.fl & S_NFIN) &&
			    (sn.fl & S_XPRE)) {
				cnt += (int)tree_remove(f, &s->sx->chains, x);
				if (!s->sx->chains)
					goto out;
			} else if (!act_check(f, x, sn.act) && (sn.fl & S_MATCH) &&
				   (sn.fl & S_XFIN) && (sn.fl & S_NPRE)) {
				goto out;
			}
		} else if (lt(x, n)) {
			if (s->fl & S_NPRE)
				goto out;
			for (int side = 0; side < 2; side++) {
				if (!(side ? x->nf : x->nt))
					continue;
				get(x);
				nx = *s;
				nx.fl &= ~(unsigned)S_MATCH;
				nx.fl |= S_XPRE;
				cnt += prune(f, side ? &x->nf : &x->nt, n, &nx);
				cnt += (int)put(f, &x);
				if (nx.fl & S_MATCH) {
					sn.fl |= nx.fl;
					goto out;
				}
				if (!x)
					goto next;
			}
		} else {
			if (s->fl & S_XPRE)
				goto out;
			for (int side = 0; side < 2; side++) {
				struct lnode *nside = side ? n->nf : n->nt;
				if (!nside)
					continue;
				get(x);
				nx = *s;
				nx.fl &= ~(unsigned)S_MATCH;
				nx.fl |= S_NPRE;
				cnt += prune(f, &x, nside, &nx);
				cnt += (int)put(f, &x);
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
	if (sn.fl & S_MATCH)
		s->fl |= sn.fl;
	else
		s->fl &= ~(unsigned)S_MATCH;
	nest(f, -1);
	return cnt;
}

/* ---- _db_tree_add ---- */

static int tree_add(struct lsm_filter *f, struct lnode **existing, struct lnode *nw, struct st *s)
{
	struct lnode *x = *existing, *n = nw;
	long w = 0;
	int rc;

	do {
		step(f, &w);
		if (same(x, n)) {
			if (n->ta) {
				if (!x->ta) {
					if ((rc = act_check(f, x->nt, n->tact)))
						return rc;
					rc = (int)put(f, &x->nt);
					x->nt = NULL;
					x->tact = n->tact;
					x->ta = true;
					s->sx->cnt -= rc;
				} else if (n->tact != x->tact) {
					if (n->hi && n->dfull > x->dfull)
						x->tact = n->tact;
					if (leaf(x) || leaf(n))
						return -EEXIST;
				}
			}
			if (n->fa) {
				if (!x->fa) {
					if ((rc = act_check(f, x->nf, n->fact)))
						return rc;
					rc = (int)put(f, &x->nf);
					x->nf = NULL;
					x->fact = n->fact;
					x->fa = true;
					s->sx->cnt -= rc;
				} else if (n->fact != x->fact) {
					/* sic: libseccomp assigns the true action here */
					if (n->hi && n->dfull < x->dfull)
						x->tact = n->tact;
					if (leaf(x) || leaf(n))
						return -EEXIST;
				}
			}
			if (n->nt) {
				if (x->nt) {
					nest(f, 1);
					rc = tree_add(f, &x->nt, n->nt, s);
					nest(f, -1);
					if (rc)
						return rc;
				} else if (!x->ta) {
					x->nt = get(n->nt);
				} else {
					return 0;
				}
			}
			if (n->nf) {
				if (x->nf) {
					nest(f, 1);
					rc = tree_add(f, &x->nf, n->nf, s);
					nest(f, -1);
					if (rc)
						return rc;
				} else if (!x->fa) {
					x->nf = get(n->nf);
				} else {
					return 0;
				}
			}
			return 0;
		} else if (!lt(x, n)) {
			if (!x->ln) {
				n->lp = get(x);
				x->ln = get(n);
				return 0;
			}
			x = x->ln;
		} else {
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
				put(f, &x);
			}
			return 0;
		}
	} while (x);
	return 0;
}

/* ---- _db_rule_gen ---- */

static void link_prev(struct lnode **prev, bool side, struct lnode *to)
{
	for (int i = 0; prev[i]; i++) {
		if (side)
			prev[i]->nt = get(to);
		else
			prev[i]->nf = get(to);
	}
}

static void gen(struct lsm_filter *f, const struct lsm_cond *const byarg[6], uint32_t action,
		struct lsys *s)
{
	struct lnode *prev[4] = {0};
	bool side = false;

	s->chains = NULL;
	s->cnt = 0;
	for (unsigned a = 0; a < 6; a++) {
		const struct lsm_cond *c = byarg[a];
		if (!c)
			continue;
		uint64_t mask = c->op == LSM_MASKED_EQ ? c->a : ~0ULL;
		uint64_t datum = c->op == LSM_MASKED_EQ ? c->b : c->a;
		uint32_t mh = (uint32_t)(mask >> 32), ml = (uint32_t)mask;
		uint32_t dh = (uint32_t)(datum >> 32), dl = (uint32_t)datum;
		if (f->is64) {
			struct lnode *A, *B, *C = NULL;
			if (c->op == LSM_MASKED_EQ && mh == 0 && ml == 0)
				continue;
			A = nnew(f);
			B = nnew(f);
			A->arg = B->arg = a;
			A->dfull = B->dfull = datum;
			A->op_orig = B->op_orig = c->op;
			if (c->op == LSM_EQ || c->op == LSM_NE || c->op == LSM_MASKED_EQ) {
				A->hi = true;
				B->hi = false;
				A->mask = mh;
				B->mask = ml;
				A->datum = dh & mh;
				B->datum = dl & ml;
				A->op = B->op = c->op == LSM_MASKED_EQ ? LSM_MASKED_EQ : LSM_EQ;
				A->nt = get(B);
			} else {
				C = nnew(f);
				C->arg = a;
				C->dfull = datum;
				C->op_orig = c->op;
				A->hi = B->hi = true;
				C->hi = false;
				A->mask = B->mask = mh;
				C->mask = ml;
				A->datum = B->datum = dh & mh;
				C->datum = dl & ml;
				A->op = LSM_GT;
				B->op = LSM_EQ;
				C->op = (c->op == LSM_GT || c->op == LSM_LE) ? LSM_GT : LSM_GE;
				A->nf = get(B);
				B->nt = get(C);
			}
			link_prev(prev, side, A);
			memset(prev, 0, sizeof(prev));
			if (!s->chains)
				s->chains = get(A);
			switch (c->op) {
			case LSM_GT:
			case LSM_GE:
				prev[0] = A;
				prev[1] = C;
				side = true;
				break;
			case LSM_EQ:
			case LSM_MASKED_EQ:
				prev[0] = B;
				side = true;
				break;
			case LSM_LE:
			case LSM_LT:
				prev[0] = B;
				prev[1] = C;
				side = false;
				break;
			default: /* NE */
				prev[0] = A;
				prev[1] = B;
				side = false;
				break;
			}
			s->cnt += C ? 3 : 2;
		} else {
			struct lnode *N;
			if (c->op == LSM_MASKED_EQ && ml == 0)
				continue;
			N = nnew(f);
			N->arg = a;
			N->hi = false;
			N->op_orig = c->op;
			N->mask = ml;
			N->datum = dl;
			N->dfull = datum;
			link_prev(prev, side, N);
			prev[0] = N;
			prev[1] = NULL;
			if (!s->chains)
				s->chains = get(N);
			s->cnt++;
			switch (c->op) {
			case LSM_NE:
				N->op = LSM_EQ;
				side = false;
				break;
			case LSM_LT:
				N->op = LSM_GE;
				side = false;
				break;
			case LSM_LE:
				N->op = LSM_GT;
				side = false;
				break;
			default:
				N->op = c->op;
				side = true;
			}
			N->datum &= N->mask;
		}
	}
	if (s->chains) {
		for (int i = 0; prev[i]; i++) {
			if (side) {
				prev[i]->ta = true;
				prev[i]->tact = action;
			} else {
				prev[i]->fa = true;
				prev[i]->fact = action;
			}
		}
	} else {
		s->action = action;
	}
}

/* gen_bpf walks every level from every branch that points into it: a cycle never ends. */
static void walk_all(struct lsm_filter *f, struct lnode *n)
{
	long w1 = 0, w2 = 0;

	if (!n)
		return;
	while (n->lp) {
		step(f, &w1);
		n = n->lp;
	}
	nest(f, 1);
	for (; n; n = n->ln) {
		step(f, &w2);
		walk_all(f, n->nt);
		walk_all(f, n->nf);
	}
	nest(f, -1);
}

static struct lsys *find(const struct lsm_filter *f, int nr)
{
	for (size_t i = 0; i < f->nsys; i++)
		if (f->sys[i].nr == nr)
			return &f->sys[i];
	return NULL;
}

/* db_rule_add */
static int rule_add_db(struct lsm_filter *f, int nr, uint32_t action,
		       const struct lsm_cond *const byarg[6])
{
	struct lsys nw = {.nr = nr, .valid = true};
	struct lsys *x = find(f, nr);
	bool rm = false;
	struct st st;
	int rc;

	gen(f, byarg, action, &nw);
	if (!x) {
		if (f->nsys == f->cap) {
			size_t cap = f->cap ? 2 * f->cap : 64;
			struct lsys *v = realloc(f->sys, cap * sizeof(*v));
			if (!v) {
				f->oom = true;
				return -ENOMEM;
			}
			f->sys = v;
			f->cap = cap;
		}
		f->sys[f->nsys++] = nw;
		return 0;
	}
again:
	if (!x->chains) {
		if (rm || !x->valid) {
			x->chains = nw.chains;
			x->action = nw.action;
			x->cnt = nw.cnt;
			x->valid = true;
			return 0;
		}
		tree_put(f, &nw.chains);
		return 0;
	} else if (!nw.chains) {
		tree_put(f, &x->chains);
		x->chains = NULL;
		x->cnt = 0;
		x->action = action;
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.sx = x;
	st.act = action;
	rc = prune(f, &x->chains, nw.chains, &st);
	if (rc > 0) {
		rm = true;
		x->cnt -= rc;
		if (!x->chains)
			goto again;
	} else if ((st.fl & S_RED) == S_RED) {
		tree_put(f, &nw.chains);
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.sx = x;
	rc = tree_add(f, &x->chains, nw.chains, &st);
	if (rc < 0)
		return rc;
	x->cnt += nw.cnt;
	x->cnt -= (int)tree_put(f, &nw.chains);
	return 0;
}

struct lsm_filter *lsm_new(uint32_t default_ret, unsigned bits)
{
	struct lsm_filter *f = calloc(1, sizeof(*f));

	if (f) {
		f->def = default_ret;
		f->is64 = bits == 64;
	}
	return f;
}

void lsm_free(struct lsm_filter *f)
{
	if (!f)
		return;
	for (struct chunk *c = f->pool, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(f->sys);
	free(f);
}

int lsm_rule_add(struct lsm_filter *f, int nr, uint32_t action, const struct lsm_cond *c, size_t n)
{
	const struct lsm_cond *byarg[6] = {0};
	int rc;

	if (action == f->def)
		return -EACCES;
	for (size_t i = 0; i < n; i++) {
		if (c[i].arg >= 6 || c[i].op < LSM_NE || c[i].op > LSM_MASKED_EQ || byarg[c[i].arg])
			return -EINVAL;
		byarg[c[i].arg] = &c[i];
	}
	f->depth = 0;
	switch (setjmp(f->hang)) {
	case 0:
		break;
	case 1:
		return -ELOOP;
	default:
		return -ENOMEM;
	}
	rc = rule_add_db(f, nr, action, byarg);
	if (rc == 0) {
		struct lsys *x = find(f, nr);
		walk_all(f, x ? x->chains : NULL);
	}
	return rc;
}

/* ---- evaluation: the tree's meaning ---- */

#define FAIL UINT64_MAX

static uint64_t eval_level(const struct lnode *n, const uint64_t a[6])
{
	while (n->lp)
		n = n->lp;
	for (; n; n = n->ln) {
		uint32_t w = n->hi ? (uint32_t)(a[n->arg] >> 32) : (uint32_t)a[n->arg];
		bool r;
		w &= n->mask;
		r = n->op == LSM_GT   ? w > n->datum
		    : n->op == LSM_GE ? w >= n->datum
				      : w == n->datum;
		const struct lnode *child = r ? n->nt : n->nf;
		if (child) {
			uint64_t v = eval_level(child, a);
			if (v != FAIL)
				return v;
		} else if (r ? n->ta : n->fa) {
			return r ? n->tact : n->fact;
		}
	}
	return FAIL;
}

bool lsm_has(const struct lsm_filter *f, int nr)
{
	return find(f, nr) != NULL;
}

uint32_t lsm_eval(const struct lsm_filter *f, int nr, const uint64_t args[6])
{
	const struct lsys *s = find(f, nr);
	uint64_t v;

	if (!s || !s->valid)
		return f->def;
	if (!s->chains)
		return s->action;
	v = eval_level(s->chains, args);
	return v == FAIL ? f->def : (uint32_t)v;
}

/* ---- evaluation: libseccomp's code for one entry (_gen_bpf_chain and placement) ---- */

struct acc {
	int off;
	uint32_t mask;
};

#define UNDEF ((struct acc){-1, 0xffffffff})

static bool acc_eq(struct acc a, struct acc b)
{
	return a.off == b.off && a.mask == b.mask;
}

struct blk {
	bool ret;
	uint32_t act;
	bool ld, and_;
	int ldoff;
	uint32_t andm;
	int op;
	uint32_t k;
	struct blk *jt, *jf;
	struct acc as, ae;
	bool hashed, placed;
	bool rl; /* reload prepended at placement */
	struct acc rla;
	struct blk *prev, *next; /* placement list */
};

struct gen {
	struct blk **reg;
	size_t nreg, cap;
	bool is64, oom;
};

static struct blk *gen_new(struct gen *g)
{
	struct blk *b;

	if (g->nreg == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct blk **v = realloc(g->reg, cap * sizeof(*v));
		if (!v) {
			g->oom = true;
			return NULL;
		}
		g->reg = v;
		g->cap = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		g->oom = true;
		return NULL;
	}
	g->reg[g->nreg++] = b;
	return b;
}

static struct blk *mkret(struct gen *g, uint32_t act)
{
	struct blk *b;

	for (size_t i = 0; i < g->nreg; i++)
		if (g->reg[i]->ret && g->reg[i]->act == act)
			return g->reg[i];
	b = gen_new(g);
	if (b) {
		b->ret = true;
		b->act = act;
		b->as = b->ae = UNDEF;
		b->hashed = true;
	}
	return b;
}

/* Identical blocks are shared, as libseccomp's block hash does. */
static struct blk *hashblk(struct gen *g, struct blk *b)
{
	if (b->hashed)
		return b;
	b->hashed = true;
	for (size_t i = 0; i < g->nreg; i++) {
		struct blk *x = g->reg[i];
		if (x == b || !x->hashed || x->ret || x->ld != b->ld || x->ldoff != b->ldoff ||
		    x->and_ != b->and_ || x->andm != b->andm || x->op != b->op || x->k != b->k ||
		    x->jt != b->jt || x->jf != b->jf)
			continue;
		b->hashed = false; /* never matched again */
		return x;
	}
	return b;
}

static int word_off(const struct lnode *n, bool is64)
{
	return 16 + 8 * (int)n->arg + (is64 && n->hi ? 4 : 0);
}

static struct blk *gen_level(struct gen *g, const struct lnode *start, struct blk *nxt,
			     struct acc entry)
{
	const struct lnode **ns = NULL;
	struct blk **bs = NULL;
	size_t k = 0, cap = 0;
	struct acc acc = entry;
	struct blk *first = NULL;

	while (start->lp)
		start = start->lp;
	for (const struct lnode *n = start; n; n = n->ln) {
		if (k == cap) {
			cap = cap ? 2 * cap : 8;
			const struct lnode **v = realloc(ns, cap * sizeof(*v));
			if (!v)
				goto oom;
			ns = v;
		}
		ns[k++] = n;
	}
	bs = calloc(k, sizeof(*bs));
	if (!bs)
		goto oom;
	for (size_t i = 0; i < k; i++) {
		struct blk *b = gen_new(g);
		int off = word_off(ns[i], g->is64);
		uint32_t m = ns[i]->mask;
		if (!b)
			goto out;
		b->as = acc;
		if (off != acc.off || (m & acc.mask) != m) {
			b->ld = true;
			b->ldoff = off;
			acc = (struct acc){off, 0xffffffff};
			b->as = UNDEF;
		}
		if (m != acc.mask) {
			b->and_ = true;
			b->andm = m;
			acc.mask = m;
		}
		b->ae = acc;
		b->op = ns[i]->op;
		b->k = ns[i]->datum;
		bs[i] = b;
	}
	/* resolve from the last node to the first */
	for (size_t i = k; i-- > 0;) {
		struct blk *b = bs[i], *after = i + 1 < k ? bs[i + 1] : nxt;
		const struct lnode *n = ns[i];
		b->jt = n->nt	? gen_level(g, n->nt, after, b->as)
			: n->ta ? mkret(g, n->tact)
				: after;
		b->jf = n->nf	? gen_level(g, n->nf, after, b->as)
			: n->fa ? mkret(g, n->fact)
				: after;
		if (!b->jt || !b->jf)
			goto out;
		bs[i] = hashblk(g, b);
	}
	first = k ? bs[0] : nxt;
	goto out;
oom:
	g->oom = true;
out:
	free(ns);
	free(bs);
	return first;
}

static void place_after(struct blk *p, struct blk *b)
{
	b->prev = p;
	b->next = p->next;
	if (p->next)
		p->next->prev = b;
	p->next = b;
}

static uint32_t wordv(const uint64_t a[6], int off)
{
	int i = (off - 16) / 8;

	return (off % 8) == 4 ? (uint32_t)(a[i] >> 32) : (uint32_t)a[i];
}

/*
 * Placement (_gen_bpf_build_bpf): from the end of the list backwards, the first block with a
 * jump (true first) to a block not yet placed pulls it in right after itself, and the scan
 * starts again from the end. A block pulled by one whose accumulator differs from the state the
 * block was generated for gets a reload; a block reached from elsewhere later gets none.
 */
static void place(struct blk *tail)
{
	struct blk *lt_ = tail, *it = tail;

	while (it) {
		struct blk *pull = NULL;
		if (!it->ret) {
			if (it->jt && !it->jt->placed)
				pull = it->jt;
			else if (it->jf && !it->jf->placed)
				pull = it->jf;
		}
		if (pull) {
			pull->placed = true;
			if (pull->as.off != -1 && !acc_eq(it->ae, pull->as)) {
				pull->rl = true;
				pull->rla = pull->as;
				pull->as = UNDEF;
			}
			place_after(it, pull);
			while (lt_->next)
				lt_ = lt_->next;
			it = lt_;
		} else {
			it = it->prev;
		}
	}
}

/* Run blocks from b with A as given; offset 0 is the syscall number. */
static uint32_t run(const struct blk *b, uint32_t A, uint32_t nr, const uint64_t args[6],
		    uint32_t dflt)
{
	for (int steps = 0; b && steps < 100000; steps++) {
		if (b->ret)
			return b->act;
		if (b->rl) {
			A = b->rla.off ? wordv(args, b->rla.off) : nr;
			if (b->rla.mask != 0xffffffff)
				A &= b->rla.mask;
		}
		if (b->ld)
			A = b->ldoff ? wordv(args, b->ldoff) : nr;
		if (b->and_)
			A &= b->andm;
		bool r = b->op == LSM_GT ? A > b->k : b->op == LSM_GE ? A >= b->k : A == b->k;
		b = r ? b->jt : b->jf;
	}
	return dflt;
}

static void gen_free(struct gen *g)
{
	for (size_t i = 0; i < g->nreg; i++)
		free(g->reg[i]);
	free(g->reg);
}

uint32_t lsm_eval_bpf(const struct lsm_filter *f, int nr, const uint64_t args[6])
{
	const struct lsys *s = find(f, nr);
	struct gen g = {.is64 = f->is64};
	struct blk sysb = {0}, tail = {0}, *def, *head;
	uint32_t res = f->def;

	if (!s || !s->valid)
		return f->def;
	if (!s->chains)
		return s->action;
	def = mkret(&g, f->def);
	head = def ? gen_level(&g, s->chains, def, UNDEF) : NULL;
	if (!head || g.oom)
		goto out;
	/* the list is [syscall block, tail] */
	sysb.jt = head;
	sysb.jf = def;
	sysb.ae = (struct acc){0, 0xffffffff};
	sysb.placed = tail.placed = true;
	sysb.next = &tail;
	tail.prev = &sysb;
	tail.ret = true;
	place(&tail);
	res = run(head, 0, (uint32_t)nr, args, f->def);
out:
	gen_free(&g);
	return res;
}

/* ---- the arch section (_gen_bpf_arch, optimize level 1) ---- */

struct lsm_prog {
	struct gen g;
	struct blk *first; /* the first syscall check, or NULL */
	struct blk **sysb;
	size_t nsysb;
	bool lost, guard;
	uint32_t def;
};

/* The entries in code order: by priority (0xFFFF - node count), highest first; ties in the
 * order of the databases (primary, then x32's), each sorted by number as unsigned. */
static size_t order_entries(const struct lsm_filter *const *fs, size_t n, const struct lsys **out)
{
	size_t k = 0;

	for (size_t d = 0; d < n; d++) {
		size_t base = k;
		for (size_t i = 0; i < fs[d]->nsys; i++) {
			const struct lsys *s = &fs[d]->sys[i];
			size_t j = k++;
			/* insertion by unsigned number within this database */
			while (j > base && (uint32_t)out[j - 1]->nr > (uint32_t)s->nr) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = s;
		}
	}
	/* libseccomp's insertion: walk while the new priority is <= the node's, then insert
	 * before the node when higher, else append at the end; a stable sort, highest first. */
	for (size_t i = 1; i < k; i++) {
		const struct lsys *s = out[i];
		size_t j = i;
		while (j > 0 && 0xffff - s->cnt > 0xffff - out[j - 1]->cnt) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = s;
	}
	return k;
}

struct lsm_prog *lsm_prog_build(const struct lsm_filter *const *fs, size_t n, bool guard)
{
	struct lsm_prog *p = calloc(1, sizeof(*p));
	const struct lsys **ents = NULL;
	struct blk *def, *next, *tail, *prev = NULL;
	size_t total = 0, k;

	if (!p)
		return NULL;
	p->guard = guard;
	p->def = n ? fs[0]->def : 0;
	p->g.is64 = n && fs[0]->is64;
	for (size_t d = 0; d < n; d++)
		total += fs[d]->nsys;
	ents = calloc(total + 1, sizeof(*ents));
	p->sysb = calloc(total + 1, sizeof(*p->sysb));
	if (!ents || !p->sysb)
		goto fail;
	k = order_entries(fs, n, ents);
	/* The bad-arch return ends the list; the default is pulled in where first used. */
	tail = calloc(1, sizeof(*tail));
	if (!tail)
		goto fail;
	tail->ret = tail->placed = true;
	tail->as = tail->ae = UNDEF;
	def = mkret(&p->g, p->def);
	if (!def)
		goto fail;
	/* 2.5.4 emits no code for pseudo entries: when one comes first, so does its `ld nr`. */
	p->lost = !guard && k && ents[0]->nr < 0;
	next = def;
	for (size_t i = k; i-- > 0;) {
		const struct lsys *s = ents[i];
		struct blk *chain, *b;
		if (!s->valid || s->nr < 0)
			continue;
		chain =
		    s->chains ? gen_level(&p->g, s->chains, def, UNDEF) : mkret(&p->g, s->action);
		b = gen_new(&p->g);
		if (!chain || !b)
			goto fail;
		b->hashed = b->placed = true;
		b->ld = !guard && i == 0;
		b->ldoff = 0;
		b->as = b->ld ? UNDEF : (struct acc){0, 0xffffffff};
		b->ae = (struct acc){0, 0xffffffff};
		b->op = LSM_EQ;
		b->k = (uint32_t)s->nr;
		b->jt = chain;
		b->jf = next;
		next = b;
		p->sysb[p->nsysb++] = b;
	}
	/* link [syscall checks in code order, tail] */
	for (size_t i = p->nsysb; i-- > 0;) {
		struct blk *b = p->sysb[i];
		if (prev)
			prev->next = b;
		b->prev = prev;
		prev = b;
	}
	if (prev)
		prev->next = tail;
	tail->prev = prev;
	p->first = p->nsysb ? p->sysb[p->nsysb - 1] : NULL;
	place(tail);
	free(tail);
	free(ents);
	return p;
fail:
	free(ents);
	lsm_prog_free(p);
	return NULL;
}

uint32_t lsm_prog_run(const struct lsm_prog *p, uint32_t arch_token, int nr, const uint64_t args[6])
{
	/* A holds nr after the guard or the first check's load; else still the arch token */
	uint32_t A = p->guard || !p->lost ? (uint32_t)nr : arch_token;

	if (!p->first)
		return p->def;
	return run(p->first, A, (uint32_t)nr, args, p->def);
}

bool lsm_prog_lost(const struct lsm_prog *p)
{
	return p->lost;
}

void lsm_prog_free(struct lsm_prog *p)
{
	if (!p)
		return;
	gen_free(&p->g);
	free(p->sysb);
	free(p);
}

/* ---- dump ---- */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!b->p && !(b->p = malloc(b->cap = 1024)))
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		char *q = realloc(b->p, b->cap * 2);
		if (!q)
			return;
		b->p = q;
		b->cap *= 2;
	}
}

static void dump_level(struct sbuf *b, const struct lnode *n, int ind, int depth)
{
	static const char *const on[] = {"?", "!=", "<", "<=", "==", ">=", ">", "&=="};

	if (depth > 32)
		return;
	while (n->lp)
		n = n->lp;
	for (; n; n = n->ln) {
		sb_printf(b, "%*sa%u.%s & %08x %s %08x  (rule op %s)\n", ind, "", n->arg,
			  n->hi ? "hi" : "lo", n->mask, on[n->op], n->datum, on[n->op_orig]);
		if (n->ta)
			sb_printf(b, "%*s T: %#010x\n", ind, "", n->tact);
		if (n->nt) {
			sb_printf(b, "%*s T:\n", ind, "");
			dump_level(b, n->nt, ind + 4, depth + 1);
		}
		if (n->fa)
			sb_printf(b, "%*s F: %#010x\n", ind, "", n->fact);
		if (n->nf) {
			sb_printf(b, "%*s F:\n", ind, "");
			dump_level(b, n->nf, ind + 4, depth + 1);
		}
	}
}

char *lsm_dump(const struct lsm_filter *f, int nr)
{
	const struct lsys *s = find(f, nr);
	struct sbuf b = {0};

	if (!s)
		sb_printf(&b, "syscall %d: no entry (default %#010x)\n", nr, f->def);
	else if (!s->chains)
		sb_printf(&b, "syscall %d: %#010x\n", nr, s->action);
	else {
		sb_printf(&b, "syscall %d (default %#010x):\n", nr, f->def);
		dump_level(&b, s->chains, 2, 0);
	}
	return b.p;
}
