/*
 * The inputs on which two programs for a policy could differ. Syscall numbers: every decision's
 * number and its neighbours, every number of each target ABI's table, the ends of the number
 * space, the x32 bit, -1, and an architecture that is not a target. Arguments: for a syscall with
 * a decision graph, the boundary values of every word test it makes (k, k±1, the mask's edges),
 * combined across arguments exhaustively when that is small, else along every path of the graph
 * with each argument swept around it.
 */
#include <errno.h>

#include "compile/policy.h"

#define MAX_CANDS 24
#define MAX_COMBOS 4096

struct word_cands {
	uint32_t v[MAX_CANDS];
	unsigned n;
};

struct arg_cands {
	struct word_cands lo, hi;
	bool used;
};

static void add_cand(struct word_cands *w, uint32_t v)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->v[i] == v)
			return;
	if (w->n < MAX_CANDS)
		w->v[w->n++] = v;
}

static void collect_node(const struct dnode *n, struct arg_cands *c)
{
	struct arg_cands *ac = &c[n->arg];
	struct word_cands *w = n->hi ? &ac->hi : &ac->lo;
	ac->used = true;
	add_cand(w, n->k);
	add_cand(w, n->k + 1);
	add_cand(w, n->k - 1);
	if (n->mask != ~0u) {
		add_cand(w, n->k | ~n->mask);
		add_cand(w, n->k ^ (n->mask & -n->mask)); /* flip the mask's lowest bit */
	}
}

/* Every node of the graph once: its nodes are shared, so following paths would take time
 * exponential in the number of rules. */
static int collect(const struct dnode *root, struct arg_cands *c)
{
	const struct dnode **seen = NULL, **stack = NULL;
	size_t cap = 0, nseen = 0, nstack = 0;
	int r = 0;

	for (const struct dnode *n = root; n;) {
		if ((nseen + 1) * 2 > cap) {
			/* grow the set (at most half full) and the stack (at most 2 per node) */
			size_t ncap = cap ? 2 * cap : 16;
			const struct dnode **v = calloc(ncap, sizeof(*v));
			const struct dnode **st = reallocarray(stack, ncap, sizeof(*st));
			if (st)
				stack = st;
			if (!v || !st) {
				free(v);
				r = -ENOMEM;
				break;
			}
			for (size_t i = 0; i < cap; i++) {
				if (!seen[i])
					continue;
				size_t h = ((uintptr_t)seen[i] >> 4) & (ncap - 1);
				while (v[h])
					h = (h + 1) & (ncap - 1);
				v[h] = seen[i];
			}
			free(seen);
			seen = v;
			cap = ncap;
		}
		size_t h = ((uintptr_t)n >> 4) & (cap - 1);
		while (seen[h] && seen[h] != n)
			h = (h + 1) & (cap - 1);
		if (!seen[h]) {
			seen[h] = n;
			nseen++;
			collect_node(n, c);
			if (n->t.node)
				stack[nstack++] = n->t.node;
			if (n->f.node)
				stack[nstack++] = n->f.node;
		}
		n = nstack ? stack[--nstack] : NULL;
	}
	free(seen);
	free(stack);
	return r;
}

/* The 64-bit candidates of one argument: every high word with every low word. */
static size_t arg_values(const struct arg_cands *ac, uint64_t *out, size_t max)
{
	size_t n = 0;
	for (unsigned h = 0; h < ac->hi.n; h++)
		for (unsigned l = 0; l < ac->lo.n && n < max; l++)
			out[n++] = (uint64_t)ac->hi.v[h] << 32 | ac->lo.v[l];
	return n;
}

struct emit {
	sf_vector_fn fn;
	void *ctx;
	int r;
	struct seccomp_data d;
};

static bool emit(struct emit *e)
{
	if (e->r == 0)
		e->r = e->fn(&e->d, e->ctx);
	return e->r == 0;
}

/* Walk every path of the graph, choosing for each test a word value that takes the branch. */
struct path_state {
	struct emit *e;
	const struct arg_cands *c;
	uint64_t *vals[6]; /* each argument's candidates, in one allocation */
	size_t nvals[6];
	size_t budget;
};

static bool word_ok(const struct dnode *n, uint32_t w, bool branch)
{
	w &= n->mask;
	bool r = n->op == DOP_EQ ? w == n->k : n->op == DOP_GT ? w > n->k : w >= n->k;
	return r == branch;
}

/* Constraints along a path: per argument word, the tests and the branch taken. */
struct constraint {
	const struct dnode *n;
	bool branch;
};

static void emit_path(struct path_state *ps, const struct constraint *cs, size_t ncs)
{
	struct emit *e = ps->e;
	uint64_t base[6] = { 0 };

	for (unsigned arg = 0; arg < 6; arg++) {
		for (size_t i = 0; i < ps->nvals[arg]; i++) {
			uint64_t v = ps->vals[arg][i];
			bool ok = true;
			for (size_t j = 0; j < ncs && ok; j++) {
				const struct dnode *n = cs[j].n;
				if (n->arg != arg)
					continue;
				ok = word_ok(n, n->hi ? (uint32_t)(v >> 32) : (uint32_t)v, cs[j].branch);
			}
			if (ok) {
				base[arg] = v;
				break;
			}
		}
	}
	memcpy(e->d.args, base, sizeof(base));
	if (!emit(e))
		return;
	/* Sweep each argument around the path's values. */
	for (unsigned arg = 0; arg < 6 && ps->budget; arg++) {
		if (!ps->c[arg].used)
			continue;
		for (size_t i = 0; i < ps->nvals[arg] && ps->budget; i++, ps->budget--) {
			memcpy(e->d.args, base, sizeof(base));
			e->d.args[arg] = ps->vals[arg][i];
			if (!emit(e))
				return;
		}
	}
}

static void walk(struct path_state *ps, const struct dtarget *t, struct constraint *cs, size_t ncs)
{
	if (ps->e->r || !ps->budget)
		return;
	if (!t->node || ncs >= 128) {
		emit_path(ps, cs, ncs);
		return;
	}
	cs[ncs] = (struct constraint){ t->node, true };
	walk(ps, &t->node->t, cs, ncs + 1);
	cs[ncs] = (struct constraint){ t->node, false };
	walk(ps, &t->node->f, cs, ncs + 1);
}

static void arg_vectors(struct emit *e, const struct dtarget *t)
{
	struct path_state state = { 0 }, *ps = &state;
	struct arg_cands c[6] = { 0 };
	size_t product = 1, total = 0;
	uint64_t *all;

	for (unsigned i = 0; i < 6; i++) {
		add_cand(&c[i].lo, 0);
		add_cand(&c[i].lo, ~0u);
		add_cand(&c[i].hi, 0);
		add_cand(&c[i].hi, ~0u);
	}
	if (collect(t->node, c) < 0) {
		e->r = -ENOMEM;
		return;
	}
	/* Exactly the candidates' room: a fresh process pays a page fault for every page. */
	for (unsigned i = 0; i < 6; i++)
		total += (size_t)c[i].hi.n * c[i].lo.n;
	all = malloc(total * sizeof(*all));
	if (!all) {
		e->r = -ENOMEM;
		return;
	}
	ps->e = e;
	ps->c = c;
	ps->budget = MAX_COMBOS;
	for (unsigned i = 0, off = 0; i < 6; i++) {
		size_t room = (size_t)c[i].hi.n * c[i].lo.n;
		ps->vals[i] = all + off;
		off += (unsigned)room;
		ps->nvals[i] = arg_values(&c[i], ps->vals[i], room);
		if (c[i].used && product <= MAX_COMBOS)
			product *= ps->nvals[i];
	}
	if (product <= MAX_COMBOS) {
		/* Every combination of the candidates of the arguments the graph tests. */
		size_t idx[6] = { 0 };
		for (;;) {
			for (unsigned i = 0; i < 6; i++)
				e->d.args[i] = c[i].used ? ps->vals[i][idx[i]] : 0;
			if (!emit(e))
				break;
			unsigned i = 0;
			for (; i < 6; i++) {
				if (!c[i].used)
					continue;
				if (++idx[i] < ps->nvals[i])
					break;
				idx[i] = 0;
			}
			if (i == 6)
				break;
		}
	} else {
		struct constraint cs[128];
		walk(ps, t, cs, 0);
	}
	memset(e->d.args, 0, sizeof(e->d.args));
	free(all);
}

static void number(struct emit *e, const struct arch_policy *ap, uint32_t nr);

int sf_vectors_number(const struct arch_policy *ap, uint32_t nr, sf_vector_fn fn, void *ctx)
{
	struct emit e = { .fn = fn, .ctx = ctx };
	e.d.arch = ap->arch->audit_arch;
	e.d.instruction_pointer = 0x7f0000001000ull;
	number(&e, ap, nr);
	/* Arguments all zero too: a graph's vectors may not include it, a plain number's do not. */
	e.d.nr = (int)nr;
	memset(e.d.args, 0, sizeof(e.d.args));
	emit(&e);
	return e.r;
}

static void number(struct emit *e, const struct arch_policy *ap, uint32_t nr)
{
	e->d.nr = (int)nr;
	memset(e->d.args, 0, sizeof(e->d.args));
	const struct decision *dec = NULL;
	for (size_t lo = 0, hi = ap->ndec; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		if (ap->dec[mid].nr < nr) {
			lo = mid + 1;
		} else if (ap->dec[mid].nr > nr) {
			hi = mid;
		} else {
			dec = &ap->dec[mid];
			break;
		}
	}
	if (dec && dec->d.node) {
		arg_vectors(e, &dec->d);
		return;
	}
	/* Arguments never matter here: a busy pattern shows the program does not read them. */
	for (unsigned i = 0; i < 6; i++)
		e->d.args[i] = 0xfedcba9876543210ull ^ i;
	emit(e);
}

/* A set of numbers (open addressing); the order they are tried in does not matter. */
struct numbers {
	uint32_t *v;
	bool *used;
	size_t cap;
	uint32_t *list;
	size_t n;
};

static int numbers_init(struct numbers *ns, size_t want)
{
	ns->cap = 1;
	while (ns->cap < want * 2)
		ns->cap <<= 1;
	ns->v = malloc(ns->cap * sizeof(*ns->v));
	ns->used = calloc(ns->cap, sizeof(*ns->used));
	ns->list = malloc(want * sizeof(*ns->list));
	ns->n = 0;
	return ns->v && ns->used && ns->list ? 0 : -ENOMEM;
}

static void numbers_free(struct numbers *ns)
{
	free(ns->v);
	free(ns->used);
	free(ns->list);
}

static void add_nr(struct numbers *ns, uint32_t nr)
{
	size_t h = (nr * 0x9e3779b1u) & (ns->cap - 1);
	while (ns->used[h]) {
		if (ns->v[h] == nr)
			return;
		h = (h + 1) & (ns->cap - 1);
	}
	ns->used[h] = true;
	ns->v[h] = nr;
	ns->list[ns->n++] = nr;
}

/*
 * The numbers of a section: the ends of the number space and of the x32 range, every number of
 * each target ABI's table, and each decision's number with its neighbours — the policy is
 * constant between those, and the program's number tests compare against them.
 */
static void section(struct emit *e, const struct arch_policy *ap)
{
	static const uint32_t edges[] = { 0,	      1,	  0x3fffffff, 0x40000000,
					  0x40000001, 0x7fffffff, 0x80000000, 0xbfffffff,
					  0xc0000000, 0xfffffffe, 0xffffffff };
	const struct sf_arch *x32 = ap->has_x32 ? sf_arch_find("x32") : NULL;
	struct numbers ns = { 0 };

	if (numbers_init(&ns, SF_ARRAY_SIZE(edges) + 3 * ap->ndec + 2 * sf_syscall_count() + 8) <
	    0) {
		numbers_free(&ns);
		e->r = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < SF_ARRAY_SIZE(edges); i++)
		add_nr(&ns, edges[i]);
	for (size_t i = 0; i < ap->ndec; i++) {
		add_nr(&ns, ap->dec[i].nr - 1);
		add_nr(&ns, ap->dec[i].nr);
		add_nr(&ns, ap->dec[i].nr + 1);
	}
	for (size_t i = 0; i < sf_syscall_count(); i++) {
		long nr = sf_syscall_nr_at(ap->arch, i);
		if (nr >= 0)
			add_nr(&ns, (uint32_t)nr);
		if (x32 && (nr = sf_syscall_nr_at(x32, i)) >= 0)
			add_nr(&ns, (uint32_t)nr);
	}
	if (ap->enosys) {
		add_nr(&ns, ap->enosys_max);
		add_nr(&ns, ap->enosys_max + 1);
	}
	if (ap->enosys_x32) {
		add_nr(&ns, ap->enosys_max_x32);
		add_nr(&ns, ap->enosys_max_x32 + 1);
	}
	add_nr(&ns, (uint32_t)sf_syscall_max_nr(ap->arch) + 1);
	e->d.arch = ap->arch->audit_arch;
	e->d.instruction_pointer = 0x7f0000001000ull;
	for (size_t i = 0; i < ns.n && !e->r; i++)
		number(e, ap, ns.list[i]);
	numbers_free(&ns);
}

/* An AUDIT_ARCH value none of the policies targets. */
static uint32_t foreign_arch(const struct sf_policy *a, const struct sf_policy *b)
{
	for (size_t i = 0; i < sf_arch_count(); i++) {
		uint32_t audit = sf_arch_at(i)->audit_arch;
		if (!sf_policy_find_arch(a, audit, 0) && (!b || !sf_policy_find_arch(b, audit, 0)))
			return audit;
	}
	return 0x12345678;
}

static int vectors(const struct sf_policy *a, const struct sf_policy *b, sf_vector_fn fn,
		   void *ctx)
{
	struct emit e = { .fn = fn, .ctx = ctx };

	for (size_t i = 0; i < a->narchs && !e.r; i++)
		section(&e, &a->archs[i]);
	for (size_t i = 0; b && i < b->narchs && !e.r; i++)
		section(&e, &b->archs[i]);
	e.d.arch = foreign_arch(a, b);
	number(&e, &(struct arch_policy){ .arch = a->archs[0].arch }, 0);
	e.d.arch = 0;
	number(&e, &(struct arch_policy){ .arch = a->archs[0].arch }, 1);
	return e.r;
}

int sf_policy_vectors(const struct sf_policy *pol, sf_vector_fn fn, void *ctx)
{
	return vectors(pol, NULL, fn, ctx);
}

int sf_policy_vectors2(const struct sf_policy *a, const struct sf_policy *b, sf_vector_fn fn,
		       void *ctx)
{
	return vectors(a, b, fn, ctx);
}
