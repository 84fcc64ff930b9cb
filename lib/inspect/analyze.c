/*
 * Following seccomp programs over sets of inputs (for the decompiler): the architecture is one
 * value or "none of these", the syscall number an interval, argument words are not constrained
 * but every test on them is noted. The result, per AUDIT_ARCH value, is the number line cut into
 * pieces on which each program takes one path (or reads arguments, with the tests it makes).
 */
#include <errno.h>
#include <stdio.h>

#include "inspect/decompile-internal.h"

#define MAX_EXCL   24
#define MAX_STATES 100000
#define MAX_SPLIT  4096 /* blocks a masked test on the number may cut an interval into */

enum { V_CONST, V_ARCH, V_NR, V_WORD };

/* No padding anywhere in a state: states are hashed and compared as bytes. */
struct aval {
	uint8_t kind, word;
	uint16_t zero;
	uint32_t mask; /* V_NR, V_WORD: the value is (x & mask) */
	uint32_t c;    /* V_CONST */
};

struct state {
	uint32_t pc;
	struct aval a, x, mem[BPF_MEMWORDS];
	bool arch_known, args;
	uint8_t nexcl, zero;
	uint32_t arch;
	uint32_t excl[MAX_EXCL];
	uint32_t lo, hi;
};
_Static_assert(sizeof(struct state) == 4 + 18 * 12 + 4 + 4 + 4 * MAX_EXCL + 8, "padding");

/* What a path found: on (arch state, [lo, hi]) it returns, or it tested a word. */
struct record {
	bool arch_known, is_test, args;
	uint8_t nexcl;
	uint32_t arch, lo, hi;
	uint32_t excl[MAX_EXCL];
	struct word_test t;
};

struct run {
	const struct sf_prog *prog;
	size_t prog_index;
	struct state *stack;
	size_t n, cap;
	/* visited states at jumps: open addressing over hashes, states kept */
	struct state *seen;
	uint64_t *seen_hash;
	size_t *seen_idx;
	size_t nseen, seen_cap;
	struct record *rec;
	size_t nrec, rec_cap;
	uint32_t *arches; /* values compared with seccomp_data.arch */
	size_t narches, arches_cap;
	struct sf_error *err;
};

static int unsupported(struct run *r, uint32_t pc, const char *why)
{
	const struct sock_filter *f = &r->prog->insns[pc];
	return sf_error_set(r->err, -ENOTSUP,
			    "filter %zu, instruction %u (code 0x%04x, k 0x%x): %s; sysfence cannot "
			    "follow this program over all inputs, so it cannot decompile it",
			    r->prog_index, pc, f->code, f->k, why);
}

static int push(struct run *r, const struct state *st)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct state *v = reallocarray(r->stack, cap, sizeof(*v));
		if (!v)
			return sf_error_set(r->err, -ENOMEM, "out of memory");
		r->stack = v;
		r->cap = cap;
	}
	r->stack[r->n++] = *st;
	return 0;
}

static uint64_t hash_state(const struct state *st)
{
	const unsigned char *p = (const unsigned char *)st;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < sizeof(*st); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h | 1; /* 0 marks an empty slot */
}

/* true when st was seen before (the path from here is known); else remembers it. */
static int seen_before(struct run *r, const struct state *st, bool *seen)
{
	if ((r->nseen + 1) * 2 > r->seen_cap) {
		size_t cap = r->seen_cap ? 2 * r->seen_cap : 1024;
		uint64_t *h = calloc(cap, sizeof(*h));
		size_t *idx = calloc(cap, sizeof(*idx));
		struct state *v = h && idx ? reallocarray(r->seen, cap / 2, sizeof(*v)) : NULL;
		if (!v) {
			free(h);
			free(idx);
			return sf_error_set(r->err, -ENOMEM, "out of memory");
		}
		r->seen = v;
		for (size_t i = 0; i < r->nseen; i++) {
			uint64_t hv = hash_state(&r->seen[i]);
			size_t s = (size_t)hv & (cap - 1);
			while (h[s])
				s = (s + 1) & (cap - 1);
			h[s] = hv;
			idx[s] = i;
		}
		free(r->seen_hash);
		free(r->seen_idx);
		r->seen_hash = h;
		r->seen_idx = idx;
		r->seen_cap = cap;
	}
	uint64_t hv = hash_state(st);
	size_t s = (size_t)hv & (r->seen_cap - 1);
	for (; r->seen_hash[s]; s = (s + 1) & (r->seen_cap - 1))
		if (r->seen_hash[s] == hv &&
		    memcmp(&r->seen[r->seen_idx[s]], st, sizeof(*st)) == 0) {
			*seen = true;
			return 0;
		}
	if (r->nseen >= MAX_STATES)
		return sf_error_set(r->err, -E2BIG,
				    "filter %zu has more paths than sysfence follows (%d states)",
				    r->prog_index, MAX_STATES);
	r->seen_hash[s] = hv;
	r->seen_idx[s] = r->nseen;
	r->seen[r->nseen++] = *st;
	*seen = false;
	return 0;
}

static int add_record(struct run *r, const struct state *st, bool is_test,
		      const struct word_test *t)
{
	if (r->nrec == r->rec_cap) {
		size_t cap = r->rec_cap ? 2 * r->rec_cap : 256;
		struct record *v = reallocarray(r->rec, cap, sizeof(*v));
		if (!v)
			return sf_error_set(r->err, -ENOMEM, "out of memory");
		r->rec = v;
		r->rec_cap = cap;
	}
	struct record *rc = &r->rec[r->nrec++];
	memset(rc, 0, sizeof(*rc));
	rc->arch_known = st->arch_known;
	rc->arch = st->arch;
	rc->nexcl = st->nexcl;
	memcpy(rc->excl, st->excl, sizeof(rc->excl));
	rc->lo = st->lo;
	rc->hi = st->hi;
	rc->args = st->args;
	rc->is_test = is_test;
	if (t)
		rc->t = *t;
	return 0;
}

static int note_arch(struct run *r, uint32_t v)
{
	for (size_t i = 0; i < r->narches; i++)
		if (r->arches[i] == v)
			return 0;
	if (r->narches == r->arches_cap) {
		size_t cap = r->arches_cap ? 2 * r->arches_cap : 8;
		uint32_t *a = reallocarray(r->arches, cap, sizeof(*a));
		if (!a)
			return sf_error_set(r->err, -ENOMEM, "out of memory");
		r->arches = a;
		r->arches_cap = cap;
	}
	r->arches[r->narches++] = v;
	return 0;
}

static bool excluded(const struct state *st, uint32_t v)
{
	for (unsigned i = 0; i < st->nexcl; i++)
		if (st->excl[i] == v)
			return true;
	return false;
}

static bool cmp(unsigned op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_JEQ:
		return a == k;
	case BPF_JGT:
		return a > k;
	case BPF_JGE:
		return a >= k;
	default:
		return (a & k) != 0;
	}
}

static uint32_t alu(unsigned op, uint32_t a, uint32_t k)
{
	switch (op) {
	case BPF_ADD:
		return a + k;
	case BPF_SUB:
		return a - k;
	case BPF_MUL:
		return a * k;
	case BPF_DIV:
		return k ? a / k : 0;
	case BPF_OR:
		return a | k;
	case BPF_AND:
		return a & k;
	case BPF_XOR:
		return a ^ k;
	case BPF_LSH:
		return a << (k & 31);
	case BPF_RSH:
		return a >> (k & 31);
	case BPF_NEG:
		return 0u - a;
	default:
		return 0;
	}
}

/* A masked or bit test on the syscall number: cut [lo, hi] where its outcome changes. The
 * masked number changes only at multiples of the mask's lowest bit. */
static int split_masked(struct run *r, struct state *st, uint32_t mask, unsigned op, uint32_t k,
			uint32_t jt_pc, uint32_t jf_pc)
{
	uint32_t eff = op == BPF_JSET ? mask & k : mask;
	if (eff == 0) {
		bool c = cmp(op, st->lo & mask, k);
		st->pc = c ? jt_pc : jf_pc;
		return 1; /* continue with st */
	}
	uint64_t block = (uint64_t)(eff & -eff);
	uint64_t x = st->lo, end = st->hi;
	uint64_t start = x;
	bool cur = cmp(op, (uint32_t)x & mask, k);
	unsigned steps = 0;
	while (x <= end) {
		uint64_t next = (x | (block - 1)) + 1;
		bool c = x == start ? cur : cmp(op, (uint32_t)x & mask, k);
		if (c != cur) {
			struct state part = *st;
			part.lo = (uint32_t)start;
			part.hi = (uint32_t)(x - 1);
			part.pc = cur ? jt_pc : jf_pc;
			int e = push(r, &part);
			if (e)
				return e;
			start = x;
			cur = c;
		}
		if (++steps > MAX_SPLIT)
			return unsupported(r, st->pc,
					   "a masked test of the syscall number cuts it into too "
					   "many pieces");
		x = next;
	}
	st->lo = (uint32_t)start;
	st->pc = cur ? jt_pc : jf_pc;
	return 1;
}

static int run_state(struct run *r, struct state st)
{
	const struct sf_prog *p = r->prog;
	int e;

	for (;;) {
		if (st.pc >= p->len)
			return unsupported(r, (uint32_t)p->len - 1, "falls off the end");
		const struct sock_filter *f = &p->insns[st.pc];
		uint32_t k = f->k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			struct aval v = {.kind = V_CONST, .mask = ~0u};
			bool to_x = BPF_CLASS(f->code) == BPF_LDX;
			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				if (to_x || BPF_SIZE(f->code) != BPF_W)
					return unsupported(r, st.pc, "not a seccomp load");
				if (k == offsetof(struct seccomp_data, nr)) {
					v.kind = V_NR;
				} else if (k == offsetof(struct seccomp_data, arch)) {
					v.kind = V_ARCH;
				} else if (k >= 8 && k < sizeof(struct seccomp_data) && !(k & 3)) {
					v.kind = V_WORD;
					v.word = (uint8_t)((k - 8) / 4);
					st.args = true;
				} else {
					return unsupported(r, st.pc, "load outside seccomp_data");
				}
				break;
			case BPF_IMM:
				v.c = k;
				break;
			case BPF_LEN:
				v.c = sizeof(struct seccomp_data);
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					return unsupported(r, st.pc, "scratch word out of range");
				v = st.mem[k];
				break;
			default:
				return unsupported(r, st.pc, "load mode");
			}
			if (to_x)
				st.x = v;
			else
				st.a = v;
			st.pc++;
			continue;
		}
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return unsupported(r, st.pc, "scratch word out of range");
			st.mem[k] = BPF_CLASS(f->code) == BPF_ST ? st.a : st.x;
			st.pc++;
			continue;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				st.x = st.a;
			else
				st.a = st.x;
			st.pc++;
			continue;
		case BPF_ALU: {
			unsigned op = BPF_OP(f->code);
			uint32_t src = k;
			if (op != BPF_NEG && BPF_SRC(f->code) == BPF_X) {
				if (st.x.kind != V_CONST)
					return unsupported(r, st.pc,
							   "arithmetic between two inputs");
				src = st.x.c;
				if (op == BPF_DIV && src == 0) {
					/* the kernel ends the program with 0 */
					return add_record(r, &st, false, NULL);
				}
			}
			if (st.a.kind == V_CONST) {
				st.a.c = alu(op, st.a.c, src);
			} else if (op == BPF_AND && (st.a.kind == V_NR || st.a.kind == V_WORD)) {
				st.a.mask &= src;
			} else {
				return unsupported(r, st.pc,
						   st.a.kind == V_WORD
						       ? "arithmetic on an argument other than "
							 "a mask (OCI profiles compare arguments "
							 "only)"
						       : "arithmetic on the syscall number or "
							 "architecture");
			}
			st.pc++;
			continue;
		}
		case BPF_RET: {
			/* The value itself is found again by emulation. */
			if (BPF_RVAL(f->code) == BPF_A && st.a.kind != V_CONST)
				return unsupported(r, st.pc, "returns a value read from the input");
			return add_record(r, &st, false, NULL);
		}
		case BPF_JMP:
			break;
		default:
			return unsupported(r, st.pc, "instruction class");
		}

		/* Jumps. */
		unsigned op = BPF_OP(f->code);
		if (op == BPF_JA) {
			st.pc += 1 + k;
			continue;
		}
		bool seen;
		if ((e = seen_before(r, &st, &seen)))
			return e;
		if (seen)
			return 0;
		if (BPF_SRC(f->code) == BPF_X) {
			if (st.x.kind != V_CONST)
				return unsupported(r, st.pc, "a comparison between two inputs");
			k = st.x.c;
		}
		uint32_t jt_pc = st.pc + 1 + f->jt, jf_pc = st.pc + 1 + f->jf;
		struct state t = st, fl = st;
		bool t_ok = true, f_ok = true;
		t.pc = jt_pc;
		fl.pc = jf_pc;
		switch (st.a.kind) {
		case V_CONST:
			if (cmp(op, st.a.c, k))
				f_ok = false;
			else
				t_ok = false;
			break;
		case V_ARCH:
			if (op != BPF_JEQ)
				return unsupported(r, st.pc,
						   "a comparison of the architecture other than "
						   "equality");
			if ((e = note_arch(r, k)))
				return e;
			if (st.arch_known) {
				t_ok = st.arch == k;
				f_ok = !t_ok;
			} else if (excluded(&st, k)) {
				t_ok = false;
			} else {
				t.arch_known = true;
				t.arch = k;
				t.nexcl = 0;
				memset(t.excl, 0, sizeof(t.excl));
				if (fl.nexcl == MAX_EXCL)
					return unsupported(r, st.pc, "too many architectures");
				fl.excl[fl.nexcl++] = k;
			}
			break;
		case V_NR:
			if (st.a.mask != ~0u || op == BPF_JSET) {
				e = split_masked(r, &st, st.a.mask, op, k, jt_pc, jf_pc);
				if (e < 0)
					return e;
				continue;
			}
			if (op == BPF_JEQ) {
				t_ok = k >= st.lo && k <= st.hi;
				if (!t_ok)
					break;
				t.lo = t.hi = k;
				if (st.lo < k && k < st.hi) {
					struct state rest = fl;
					rest.lo = k + 1;
					fl.hi = k - 1;
					if ((e = push(r, &rest)))
						return e;
				} else if (st.lo == st.hi) {
					f_ok = false;
				} else if (st.lo == k) {
					fl.lo = k + 1;
				} else {
					fl.hi = k - 1;
				}
			} else {
				/* x > k, or x >= k as x > k - 1 */
				if (op == BPF_JGE) {
					if (k == 0) {
						f_ok = false;
						break;
					}
					k--;
				}
				t_ok = st.hi > k;
				f_ok = st.lo <= k;
				if (t_ok && t.lo <= k)
					t.lo = k + 1;
				if (f_ok && fl.hi > k)
					fl.hi = k;
			}
			break;
		case V_WORD: {
			struct word_test wt = {.word = st.a.word, .mask = st.a.mask, .k = k};
			switch (op) {
			case BPF_JEQ:
				wt.op = T_EQ;
				break;
			case BPF_JGT:
				wt.op = T_GT;
				break;
			case BPF_JGE:
				wt.op = T_GE;
				break;
			default:
				wt.op = T_SET;
				wt.mask = st.a.mask & k;
				wt.k = 0;
			}
			if ((e = add_record(r, &st, true, &wt)))
				return e;
			break;
		}
		}
		if (t_ok && f_ok) {
			if ((e = push(r, &fl)))
				return e;
			st = t;
		} else if (t_ok) {
			st = t;
		} else if (f_ok) {
			st = fl;
		} else {
			return 0;
		}
	}
}

static int run_prog(struct run *r)
{
	struct state st;
	int e;

	memset(&st, 0, sizeof(st));
	st.a.mask = st.x.mask = ~0u;
	for (unsigned i = 0; i < BPF_MEMWORDS; i++)
		st.mem[i].mask = ~0u;
	st.hi = 0xffffffffu;
	if ((e = push(r, &st)))
		return e;
	while (r->n) {
		st = r->stack[--r->n];
		if ((e = run_state(r, st)))
			return e;
	}
	return 0;
}

/* ---- pieces ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static bool applies(const struct record *rc, const struct arch_pieces *ap)
{
	if (ap->other)
		return !rc->arch_known;
	if (rc->arch_known)
		return rc->arch == ap->audit;
	for (unsigned i = 0; i < rc->nexcl; i++)
		if (rc->excl[i] == ap->audit)
			return false;
	return true;
}

static bool same_test(const struct word_test *a, const struct word_test *b)
{
	return a->word == b->word && a->op == b->op && a->mask == b->mask && a->k == b->k;
}

static int add_test(struct piece *pc, const struct word_test *t)
{
	for (size_t i = 0; i < pc->ntests; i++)
		if (same_test(&pc->tests[i], t))
			return 0;
	struct word_test *v = reallocarray(pc->tests, pc->ntests + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	pc->tests = v;
	pc->tests[pc->ntests++] = *t;
	return 0;
}

static size_t piece_index(const struct arch_pieces *ap, uint32_t nr)
{
	size_t lo = 0, hi = ap->n;
	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;
		if (ap->v[mid].lo <= nr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

const struct piece *sf_piece_find(const struct arch_pieces *ap, uint32_t nr)
{
	return ap->n ? &ap->v[piece_index(ap, nr)] : NULL;
}

static int build_pieces(struct arch_pieces *ap, struct record *const *recs, const size_t *nrecs,
			size_t nprogs)
{
	size_t nb = 1, cap = 1;
	for (size_t p = 0; p < nprogs; p++)
		cap += 2 * nrecs[p];
	uint32_t *b = malloc(cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	b[0] = 0;
	for (size_t p = 0; p < nprogs; p++)
		for (size_t i = 0; i < nrecs[p]; i++) {
			const struct record *rc = &recs[p][i];
			if (!applies(rc, ap))
				continue;
			b[nb++] = rc->lo;
			if (rc->hi != 0xffffffffu)
				b[nb++] = rc->hi + 1;
		}
	qsort(b, nb, sizeof(*b), cmp_u32);
	size_t m = 0;
	for (size_t i = 0; i < nb; i++)
		if (m == 0 || b[m - 1] != b[i])
			b[m++] = b[i];
	ap->v = calloc(m, sizeof(*ap->v));
	if (!ap->v) {
		free(b);
		return -ENOMEM;
	}
	ap->n = m;
	for (size_t i = 0; i < m; i++) {
		ap->v[i].lo = b[i];
		ap->v[i].hi = i + 1 < m ? b[i + 1] - 1 : 0xffffffffu;
	}
	free(b);
	for (size_t p = 0; p < nprogs; p++)
		for (size_t i = 0; i < nrecs[p]; i++) {
			const struct record *rc = &recs[p][i];
			if (!applies(rc, ap) || !(rc->is_test || rc->args))
				continue;
			for (size_t j = piece_index(ap, rc->lo); j < ap->n && ap->v[j].lo <= rc->hi;
			     j++) {
				ap->v[j].args = true;
				if (rc->is_test && add_test(&ap->v[j], &rc->t) < 0)
					return -ENOMEM;
			}
		}
	return 0;
}

void sf_analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->narchs; i++) {
		for (size_t j = 0; j < a->archs[i].n; j++)
			free(a->archs[i].v[j].tests);
		free(a->archs[i].v);
	}
	free(a->archs);
	a->archs = NULL;
	a->narchs = 0;
}

int sf_analyze(const struct sf_prog *progs, size_t n, struct analysis *out, struct sf_error *err)
{
	struct record **recs = calloc(n ? n : 1, sizeof(*recs));
	size_t *nrecs = calloc(n ? n : 1, sizeof(*nrecs));
	uint32_t *arches = NULL;
	size_t narches = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!recs || !nrecs) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t p = 0; p < n && !r; p++) {
		struct run run = {.prog = &progs[p], .prog_index = p, .err = err};
		r = sf_bpf_validate(progs[p].insns, progs[p].len, err);
		if (r < 0) {
			sf_error_prefix(err, "filter %zu: ", p);
			r = -EINVAL;
		} else {
			r = run_prog(&run);
		}
		recs[p] = run.rec;
		nrecs[p] = run.nrec;
		for (size_t i = 0; i < run.narches && !r; i++) {
			bool dup = false;
			for (size_t j = 0; j < narches; j++)
				dup |= arches[j] == run.arches[i];
			if (dup)
				continue;
			uint32_t *v = reallocarray(arches, narches + 1, sizeof(*v));
			if (!v) {
				r = sf_error_set(err, -ENOMEM, "out of memory");
				break;
			}
			arches = v;
			arches[narches++] = run.arches[i];
		}
		free(run.stack);
		free(run.seen);
		free(run.seen_hash);
		free(run.seen_idx);
		free(run.arches);
	}
	if (r)
		goto out;
	out->archs = calloc(narches + 1, sizeof(*out->archs));
	if (!out->archs) {
		r = sf_error_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	out->narchs = narches + 1;
	for (size_t i = 0; i <= narches; i++) {
		struct arch_pieces *ap = &out->archs[i];
		ap->other = i == narches;
		ap->audit = i < narches ? arches[i] : 0;
		if (build_pieces(ap, recs, nrecs, n) < 0) {
			r = sf_error_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	for (size_t p = 0; recs && p < n; p++)
		free(recs[p]);
	free(recs);
	free(nrecs);
	free(arches);
	if (r)
		sf_analysis_free(out);
	return r;
}
