/*
 * Code generation: a policy becomes classic BPF.
 *
 *   ld [arch]; one jeq per section (the native arch first); else ret BAD_ARCH
 *   section: ld [nr]; runc's ENOSYS stub; the x32 guard; a search tree over ranges of syscall
 *   numbers with the same outcome; the decision graphs of syscalls with argument rules; the
 *   section's return instructions, each outcome once.
 *
 * Number-only paths load nothing but arch and nr, so the kernel's action cache can prove every
 * unconditionally allowed syscall. Code is assembled with symbolic labels; a conditional jump
 * farther than 255 instructions goes through an inserted `ja` (whose reach is 32 bits).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "compile/policy.h"

#define NO_LABEL (-1)

struct sym {
	uint16_t code;
	uint32_t k;
	int jt, jf;  /* labels for conditional jumps; jt is the target of ja */
	int label;   /* label defined at this instruction, or NO_LABEL */
	bool is_jmp; /* conditional jump */
	bool is_ja;
};

struct cg {
	struct sym *v;
	size_t n, cap;
	int nlabels;
	const struct sf_policy *pol;
	int pending_label; /* to attach to the next instruction */
	int (*alias)[2];   /* [label, same place as label] */
	size_t nalias, alias_cap;
	int err;
	/* labels of the return instruction of each outcome, per section */
	struct {
		uint32_t ret;
		int label;
	} rets[64];
	size_t nrets;
};

static int new_label(struct cg *g)
{
	return g->nlabels++;
}

static struct sym *emit(struct cg *g, uint16_t code, uint32_t k)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct sym *v = reallocarray(g->v, cap, sizeof(*v));
		if (!v) {
			g->err = -ENOMEM;
			return NULL;
		}
		g->v = v;
		g->cap = cap;
	}
	struct sym *s = &g->v[g->n++];
	*s = (struct sym){ .code = code, .k = k, .jt = NO_LABEL, .jf = NO_LABEL, .label = NO_LABEL };
	if (g->pending_label != NO_LABEL) {
		s->label = g->pending_label;
		g->pending_label = NO_LABEL;
	}
	return s;
}

/* Define a label at the next instruction; a second label there becomes an alias of the first. */
static void place(struct cg *g, int label)
{
	if (g->pending_label == NO_LABEL) {
		g->pending_label = label;
		return;
	}
	if (g->nalias == g->alias_cap) {
		size_t cap = g->alias_cap ? g->alias_cap * 2 : 32;
		int(*v)[2] = reallocarray(g->alias, cap, sizeof(*v));
		if (!v) {
			g->err = -ENOMEM;
			return;
		}
		g->alias = v;
		g->alias_cap = cap;
	}
	g->alias[g->nalias][0] = label;
	g->alias[g->nalias][1] = g->pending_label;
	g->nalias++;
}

static void jmp(struct cg *g, uint16_t op, uint32_t k, int jt, int jf)
{
	struct sym *s = emit(g, BPF_JMP | op | BPF_K, k);
	if (s) {
		s->is_jmp = true;
		s->jt = jt;
		s->jf = jf;
	}
}

static void ja(struct cg *g, int label)
{
	struct sym *s = emit(g, BPF_JMP | BPF_JA, 0);
	if (s) {
		s->is_ja = true;
		s->jt = label;
	}
}

static void ld(struct cg *g, uint32_t off)
{
	emit(g, BPF_LD | BPF_W | BPF_ABS, off);
}

/* The label of a section's return instruction for an outcome (emitted at the section's end). */
static int ret_label(struct cg *g, uint32_t ret)
{
	ret = sf_policy_out(g->pol, ret);
	for (size_t i = 0; i < g->nrets; i++)
		if (g->rets[i].ret == ret)
			return g->rets[i].label;
	if (g->nrets == SF_ARRAY_SIZE(g->rets)) {
		g->err = -E2BIG;
		return 0;
	}
	g->rets[g->nrets].ret = ret;
	g->rets[g->nrets].label = new_label(g);
	return g->rets[g->nrets++].label;
}

static void flush_rets(struct cg *g)
{
	for (size_t i = 0; i < g->nrets; i++) {
		place(g, g->rets[i].label);
		emit(g, BPF_RET | BPF_K, g->rets[i].ret);
	}
	g->nrets = 0;
}

/* Offset of an argument's word in seccomp_data as the target kernel lays it out: a
 * little-endian kernel stores the low word first, a big-endian one the high word. */
static uint32_t arg_off(unsigned arg, bool hi, bool big_endian)
{
	uint32_t off = (uint32_t)offsetof(struct seccomp_data, args) + 8 * arg;
	return hi != big_endian ? off + 4 : off;
}

/* ---- decision graphs -------------------------------------------------------------------- */

struct gnode {
	const struct dnode *n;
	int label;
	unsigned npred;	      /* predecessors in the graph (entry counts as one) */
	unsigned npred_same;  /* of which leave A holding this node's word, unmasked */
	bool placed;
};

struct graph {
	struct gnode *v;
	size_t n, cap;
};

static struct gnode *gfind(struct graph *gr, const struct dnode *n)
{
	for (size_t i = 0; i < gr->n; i++)
		if (gr->v[i].n == n)
			return &gr->v[i];
	return NULL;
}

static int gcollect(struct graph *gr, struct cg *g, const struct dnode *n)
{
	if (!n || gfind(gr, n))
		return 0;
	if (gr->n == gr->cap) {
		size_t cap = gr->cap ? gr->cap * 2 : 16;
		struct gnode *v = reallocarray(gr->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		gr->v = v;
		gr->cap = cap;
	}
	gr->v[gr->n++] = (struct gnode){ .n = n, .label = new_label(g) };
	int r = gcollect(gr, g, n->t.node);
	return r ? r : gcollect(gr, g, n->f.node);
}

/* Topological order (every node before the nodes it jumps to): reversed post-order. */
static void gorder(struct graph *gr, const struct dnode *n, const struct dnode **out, size_t *k,
		   bool *seen)
{
	if (!n)
		return;
	struct gnode *gn = gfind(gr, n);
	size_t idx = (size_t)(gn - gr->v);
	if (seen[idx])
		return;
	seen[idx] = true;
	/* The false branch is visited last so that it lands right after the node. */
	gorder(gr, n->t.node, out, k, seen);
	gorder(gr, n->f.node, out, k, seen);
	out[(*k)++] = n;
}

static bool same_word(const struct dnode *a, const struct dnode *b)
{
	return a->arg == b->arg && a->hi == b->hi && a->mask == ~0u;
}

static int target_label(struct cg *g, struct graph *gr, const struct dtarget *t)
{
	return t->node ? gfind(gr, t->node)->label : ret_label(g, t->ret);
}

/* Emit the graph of one syscall; entry reached with A = nr (so the first test loads). */
static int emit_graph(struct cg *g, const struct dtarget *root, int entry, bool big_endian)
{
	struct graph gr = { 0 };
	const struct dnode **order = NULL;
	bool *seen = NULL;
	size_t k = 0;
	int r = gcollect(&gr, g, root->node);

	if (r == 0 && (!(order = calloc(gr.n, sizeof(*order))) || !(seen = calloc(gr.n, 1))))
		r = -ENOMEM;
	if (r == 0) {
		gorder(&gr, root->node, order, &k, seen);
		/* Whether A holds a node's word on every way in decides if it must load. */
		gfind(&gr, root->node)->npred = 1;
		for (size_t i = 0; i < gr.n; i++) {
			const struct dnode *n = gr.v[i].n;
			const struct dnode *kids[2] = { n->t.node, n->f.node };
			for (int j = 0; j < 2; j++) {
				if (!kids[j] || (j == 1 && kids[1] == kids[0]))
					continue;
				struct gnode *kg = gfind(&gr, kids[j]);
				kg->npred++;
				if (same_word(n, kids[j]))
					kg->npred_same++;
			}
		}
		place(g, entry);
		for (size_t i = k; i-- > 0;) {
			const struct dnode *n = order[i];
			struct gnode *gn = gfind(&gr, n);
			place(g, gn->label);
			if (gn->npred_same != gn->npred || n->mask != ~0u)
				ld(g, arg_off(n->arg, n->hi, big_endian));
			if (n->mask != ~0u)
				emit(g, BPF_ALU | BPF_AND | BPF_K, n->mask);
			uint16_t op = n->op == DOP_EQ ? BPF_JEQ : n->op == DOP_GT ? BPF_JGT : BPF_JGE;
			jmp(g, op, n->k, target_label(g, &gr, &n->t), target_label(g, &gr, &n->f));
		}
	}
	free(order);
	free(seen);
	free(gr.v);
	return r;
}

/* ---- syscall numbers -------------------------------------------------------------------- */

/* A range of numbers [lo, next range's lo) with one outcome. */
struct range {
	uint32_t lo;
	const struct decision *dec; /* with a graph, or NULL */
	uint32_t ret;
	int label;     /* of the graph */
	double weight; /* how often calls land in it: its syscalls, or --frequency */
};

static size_t build_ranges(const struct sf_policy *pol, const struct arch_policy *ap,
			   struct range *out)
{
	size_t n = 0;
	uint64_t next = 0; /* first number not yet covered */

	for (size_t i = 0; i < ap->ndec; i++) {
		const struct decision *d = &ap->dec[i];
		if (d->nr > next)
			out[n++] = (struct range){ .lo = (uint32_t)next, .ret = ap->default_ret };
		out[n++] = (struct range){ .lo = d->nr, .dec = d->d.node ? d : NULL, .ret = d->d.ret };
		next = (uint64_t)d->nr + 1;
	}
	if (next <= 0xffffffffu)
		out[n++] = (struct range){ .lo = (uint32_t)next, .ret = ap->default_ret };
	/*
	 * libseccomp's x32 guard as ranges of the same search: on x86_64 without x32, numbers
	 * from 0x40000000 up are another ABI (bad arch) but -1, which tracers use to skip a
	 * call; with x32 alone, the numbers below 0x40000000 are. No decision lies there.
	 */
	if (ap->is_x86_64 && !ap->has_x32) {
		while (n && out[n - 1].lo >= SF_X32_BIT)
			n--;
		out[n++] = (struct range){ .lo = SF_X32_BIT, .ret = pol->bad_arch_ret };
		out[n++] = (struct range){ .lo = 0xffffffffu, .ret = ap->default_ret };
	} else if (ap->is_x86_64 && !ap->has_native_abi) {
		/* x32 alone: below 0x40000000 (where no decision lies) is another ABI. */
		size_t k = 0;
		while (k < n && out[k].lo < SF_X32_BIT)
			k++;
		uint32_t at_bit = k ? out[k - 1].ret : ap->default_ret;
		size_t m = 0;
		struct range head[2] = { { .lo = 0, .ret = pol->bad_arch_ret },
					 { .lo = SF_X32_BIT, .ret = at_bit } };
		size_t nhead = k < n && out[k].lo == SF_X32_BIT ? 1 : 2;
		memmove(&out[nhead], &out[k], (n - k) * sizeof(*out));
		for (m = 0; m < nhead; m++)
			out[m] = head[m];
		n = nhead + (n - k);
	}
	/* Neighbours with the same plain outcome are one range. */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m && !out[i].dec && !out[m - 1].dec && out[i].ret == out[m - 1].ret)
			continue;
		out[m++] = out[i];
	}
	return m;
}

static int range_target(struct cg *g, const struct range *r)
{
	return r->dec ? r->label : ret_label(g, r->ret);
}

/*
 * Weights: each range counts the syscalls of the section's ABIs it holds (so the mean over the
 * syscall table is what the tree minimises), or the --frequency counts when given; a range
 * holding no syscall weighs a little, so that it sits deep but not absurdly so.
 */
static void weigh(const struct sf_policy *pol, const struct arch_policy *ap, struct range *rg,
		  size_t n)
{
	const struct sf_arch *abis[2] = { ap->has_native_abi ? ap->arch : NULL,
					  ap->has_x32 ? sf_arch_find("x32") : NULL };
	for (size_t i = 0; i < n; i++)
		rg[i].weight = 0.05;
	for (int k = 0; k < 2; k++) {
		if (!abis[k])
			continue;
		/* Numbers ascending, ranges ascending: one walk; each number's range is the last
		 * one starting at or below it. */
		size_t lo = 0, count = sf_syscall_arch_count(abis[k]);
		for (size_t j = 0; j < count; j++) {
			long nr = sf_syscall_nr_sorted(abis[k], j);
			if (nr < 0)
				continue;
			while (lo + 1 < n && rg[lo + 1].lo <= (uint32_t)nr)
				lo++;
			double w = 1.0;
			if (pol->freq && ap == &pol->archs[0] && k == 0)
				w = (size_t)nr < pol->nfreq ? pol->freq[nr] : 0.0;
			rg[lo].weight += w;
		}
	}
}

/* A search over ranges [a, b] split where the weight is halved: jge splits; a single range is
 * a jump target. */
static void search(struct cg *g, const struct range *rg, size_t a, size_t b, int here)
{
	if (a == b)
		return; /* reached by a jump to its target directly */
	double total = 0, left = 0;
	for (size_t i = a; i <= b; i++)
		total += rg[i].weight;
	size_t mid = a + 1; /* first range of the upper half */
	for (size_t i = a; i < b; i++) {
		/* Stop before the range that would take the left side past half. */
		if (i > a && left + rg[i].weight / 2 > total / 2)
			break;
		left += rg[i].weight;
		mid = i + 1;
	}
	int lower = a == mid - 1 ? range_target(g, &rg[a]) : new_label(g);
	int right = mid == b ? range_target(g, &rg[b]) : new_label(g);
	if (here != NO_LABEL)
		place(g, here);
	jmp(g, BPF_JGE, rg[mid].lo, right, lower);
	if (a != mid - 1)
		search(g, rg, a, mid - 1, lower);
	if (mid != b)
		search(g, rg, mid, b, right);
}

static int emit_section(struct cg *g, const struct sf_policy *pol, const struct arch_policy *ap,
			int entry)
{
	struct range *rg = calloc(2 * ap->ndec + 4, sizeof(*rg));
	int body = new_label(g);
	bool x86_64 = ap->is_x86_64;

	if (!rg)
		return -ENOMEM;
	place(g, entry);
	ld(g, (uint32_t)offsetof(struct seccomp_data, nr));
	/* runc's ENOSYS stub, ABI by ABI (x86_64 and x32 told apart by bit 30). */
	if (ap->enosys || ap->enosys_x32) {
		int enosys = ret_label(g, SECCOMP_RET_ERRNO | ENOSYS);
		int native = new_label(g), x32 = new_label(g), guard = new_label(g);
		if (x86_64) {
			jmp(g, BPF_JSET, SF_X32_BIT, x32, native);
			place(g, x32);
			if (ap->enosys_x32)
				jmp(g, BPF_JGT, ap->enosys_max_x32, enosys, guard);
			else
				ja(g, guard);
		}
		place(g, native);
		if (ap->enosys) {
			bool s390 = ap->is_s390;
			int next = s390 ? new_label(g) : guard;
			jmp(g, BPF_JGT, ap->enosys_max, enosys, next);
			if (s390) {
				place(g, next);
				jmp(g, BPF_JEQ, 0, enosys, guard);
			}
		} else {
			ja(g, guard);
		}
		place(g, guard);
	}
	size_t n = build_ranges(pol, ap, rg);
	weigh(pol, ap, rg, n);
	for (size_t i = 0; i < n; i++)
		if (rg[i].dec)
			rg[i].label = new_label(g);
	if (n == 1) {
		place(g, body);
		ja(g, range_target(g, &rg[0]));
	} else {
		search(g, rg, 0, n - 1, body);
	}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		if (rg[i].dec)
			r = emit_graph(g, &rg[i].dec->d, rg[i].label, ap->arch->big_endian);
	flush_rets(g);
	free(rg);
	return r;
}

/* ---- assembly --------------------------------------------------------------------------- */

static int assemble(struct cg *g, struct sf_prog *out, struct sf_error *err)
{
	int *pos = NULL;
	int r = 0;

	for (;;) {
		free(pos);
		pos = malloc((size_t)(g->nlabels ? g->nlabels : 1) * sizeof(*pos));
		if (!pos)
			return -ENOMEM;
		for (int i = 0; i < g->nlabels; i++)
			pos[i] = -1;
		for (size_t i = 0; i < g->n; i++)
			if (g->v[i].label != NO_LABEL)
				pos[g->v[i].label] = (int)i;
		/* Aliases in the order they were made: each names an earlier-placed label. */
		for (size_t i = 0; i < g->nalias; i++)
			pos[g->alias[i][0]] = pos[g->alias[i][1]];
		/* Find the first conditional jump out of reach and give it a trampoline. */
		size_t fix = SIZE_MAX;
		bool fix_t = false;
		for (size_t i = 0; i < g->n && fix == SIZE_MAX; i++) {
			struct sym *s = &g->v[i];
			if (!s->is_jmp)
				continue;
			if (pos[s->jt] < 0 || pos[s->jf] < 0) {
				r = sf_error_set(err, -EFAULT, "internal error: unplaced label");
				goto out;
			}
			long dt = pos[s->jt] - (long)i - 1, df = pos[s->jf] - (long)i - 1;
			if (dt < 0 || df < 0) {
				r = sf_error_set(err, -EFAULT, "internal error: backward jump");
				goto out;
			}
			if (dt > 255 || df > 255) {
				fix = i;
				fix_t = dt > 255;
			}
		}
		if (fix == SIZE_MAX)
			break;
		/* Insert `ja target` right after the jump and aim the jump at it. */
		if (g->n == g->cap) {
			struct sym *v = reallocarray(g->v, g->cap * 2, sizeof(*v));
			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			g->v = v;
			g->cap *= 2;
		}
		memmove(&g->v[fix + 2], &g->v[fix + 1], (g->n - fix - 1) * sizeof(*g->v));
		g->n++;
		int tl = new_label(g);
		struct sym *s = &g->v[fix];
		g->v[fix + 1] = (struct sym){ .code = BPF_JMP | BPF_JA, .is_ja = true, .label = tl,
					      .jt = fix_t ? s->jt : s->jf, .jf = NO_LABEL };
		if (fix_t)
			s->jt = tl;
		else
			s->jf = tl;
		/* The instruction after the jump had a label: it moved one further, intact. */
	}
	if (g->n > SF_BPF_MAXINSNS) {
		r = sf_error_set(err, -E2BIG,
				 "the program needs %zu instructions, more than the kernel's limit "
				 "of %d for one filter",
				 g->n, SF_BPF_MAXINSNS);
		goto out;
	}
	out->insns = calloc(g->n, sizeof(*out->insns));
	if (!out->insns) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < g->n; i++) {
		struct sym *s = &g->v[i];
		struct sock_filter *f = &out->insns[i];
		f->code = s->code;
		f->k = s->k;
		if (s->is_jmp) {
			f->jt = (uint8_t)(pos[s->jt] - (int)i - 1);
			f->jf = (uint8_t)(pos[s->jf] - (int)i - 1);
		} else if (s->is_ja) {
			f->k = (uint32_t)(pos[s->jt] - (int)i - 1);
		}
	}
	out->len = g->n;
out:
	free(pos);
	return r;
}

int sf_policy_compile(const struct sf_policy *pol, struct sf_prog *out, struct sf_error *err)
{
	struct cg g = { .pending_label = NO_LABEL, .pol = pol };
	int r = 0;
	int *entry = calloc(pol->narchs + 1, sizeof(*entry));

	out->insns = NULL;
	out->len = 0;
	if (!entry)
		return sf_error_set(err, -ENOMEM, "out of memory");
	ld(&g, (uint32_t)offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < pol->narchs; i++) {
		entry[i] = new_label(&g);
		int next = i + 1 < pol->narchs ? new_label(&g) : ret_label(&g, pol->bad_arch_ret);
		jmp(&g, BPF_JEQ, pol->archs[i].arch->audit_arch, entry[i], next);
		if (i + 1 < pol->narchs)
			place(&g, next);
	}
	flush_rets(&g);
	for (size_t i = 0; i < pol->narchs && r == 0 && !g.err; i++)
		r = emit_section(&g, pol, &pol->archs[i], entry[i]);
	if (r == 0)
		r = g.err;
	if (r == 0 && g.pending_label != NO_LABEL)
		r = -EFAULT;
	if (r == 0)
		r = assemble(&g, out, err);
	else if (r == -ENOMEM)
		sf_error_set(err, r, "out of memory");
	else if (r == -E2BIG)
		sf_error_set(err, r, "the profile has more distinct outcomes than one section holds");
	else if (!err || !err->code)
		sf_error_set(err, r, "internal error while generating code");
	free(g.v);
	free(g.alias);
	free(entry);
	return r;
}
