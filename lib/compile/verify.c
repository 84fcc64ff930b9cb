/* The proof that a program means its policy, and the whole compile (build, generate, verify). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "compile/policy.h"

struct vctx {
	const struct sf_policy *pol;
	const struct sf_prog *prog;
	size_t checked;
	struct seccomp_data bad;
	uint32_t want, got;
	int emu_err;
};

static int check_one(const struct seccomp_data *d, void *p)
{
	struct vctx *v = p;
	uint32_t got;
	struct seccomp_data k;
	/* The program reads seccomp_data as its arch's kernel lays it out. */
	sf_seccomp_data_for(sf_arch_by_audit(d->arch), d, &k);
	int r = sf_bpf_emulate(v->prog->insns, v->prog->len, &k, &got, NULL, NULL);
	uint32_t want = sf_policy_eval(v->pol, d);

	v->checked++;
	if (r < 0 || got != want) {
		v->bad = *d;
		v->want = want;
		v->got = got;
		v->emu_err = r;
		return -EPROTO;
	}
	return 0;
}

/*
 * The proof for syscall numbers: follow the program over sets of inputs rather than single
 * ones. The architecture is either one value or "none of these"; the number is an interval.
 * Every jump on them splits the set; at a return, the policy must give that return for every
 * number of the interval, which holds when it does at the interval's ends and at each of its
 * breakpoints (decisions, the x32 and -1 edges, the ENOSYS limits) and their neighbours: the
 * policy is constant between breakpoints. Where the program reads arguments, the concrete
 * argument vectors of that number decide. A program of another shape (arithmetic, scratch
 * memory, jumps on X) is not followed: the caller falls back to concrete vectors.
 */
#define MAX_EXCLUDED 32
#define MAX_STATES 200000

struct state {
	size_t pc;
	enum { A_NONE, A_ARCH, A_NR } a;
	bool arch_known;
	uint32_t arch;
	uint32_t excluded[MAX_EXCLUDED];
	unsigned nexcluded;
	uint32_t lo, hi;
};

struct sym {
	struct vctx *v;
	struct state *stack;
	size_t n, cap, visited;
	int r;
};

static int push(struct sym *s, const struct state *st)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct state *v = reallocarray(s->stack, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->stack = v;
		s->cap = cap;
	}
	s->stack[s->n++] = *st;
	return 0;
}

/* The policy gives want_ret for nr in section ap (found already; i: nr's decision index, or
 * SIZE_MAX to look it up). */
static int check_point_in(struct vctx *v, const struct arch_policy *ap, uint32_t arch,
			  uint32_t nr, size_t i, uint32_t want_ret)
{
	uint32_t got = sf_policy_eval_nr(v->pol, ap, nr, i);
	v->checked++;
	if (got != want_ret) {
		/* Report as the concrete check would: the policy's answer against the program's. */
		v->bad = (struct seccomp_data){ .arch = arch, .nr = (int)nr };
		v->want = got;
		v->got = want_ret;
		v->emu_err = 0;
		return -EPROTO;
	}
	return 0;
}

static int check_point(struct vctx *v, uint32_t arch, uint32_t nr, uint32_t want_ret)
{
	return check_point_in(v, sf_policy_find_arch(v->pol, arch, nr), arch, nr, SIZE_MAX,
			      want_ret);
}

static bool in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	return x >= lo && x <= hi;
}

/* The policy gives ret for every number in [lo, hi] of a known arch (args not read). Each
 * point is checked once: the interval's ends, the edges and limits inside it, and each
 * decision in it with the first number after it. */
static int check_interval(struct vctx *v, uint32_t arch, uint32_t lo, uint32_t hi, uint32_t ret)
{
	const struct arch_policy *ap = sf_policy_find_arch(v->pol, arch, 0);
	int r;

	if (!ap) /* every number of an unknown arch has the bad-arch action */
		return check_point_in(v, NULL, arch, lo, SIZE_MAX, ret) ||
			       (hi != lo && check_point_in(v, NULL, arch, hi, SIZE_MAX, ret))
			       ? -EPROTO
			       : 0;
	/* The first decision at or above lo. */
	size_t a = 0, b = ap->ndec;
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (ap->dec[mid].nr < lo)
			a = mid + 1;
		else
			b = mid;
	}
	bool lo_dec = a < ap->ndec && ap->dec[a].nr == lo;
	if (!lo_dec && (r = check_point_in(v, ap, arch, lo, ap->ndec, ret)))
		return r;
	if (hi != lo && (r = check_point_in(v, ap, arch, hi, SIZE_MAX, ret)))
		return r;
	static const uint32_t edges[] = { SF_X32_BIT - 1, SF_X32_BIT, 0xfffffffeu, 0xffffffffu, 0,
					  1 };
	for (size_t i = 0; i < SF_ARRAY_SIZE(edges); i++)
		if (edges[i] > lo && edges[i] < hi &&
		    (r = check_point_in(v, ap, arch, edges[i], SIZE_MAX, ret)))
			return r;
	uint32_t lim[4] = { ap->enosys_max, ap->enosys_max + 1, ap->enosys_max_x32,
			    ap->enosys_max_x32 + 1 };
	for (size_t i = 0; i < 4; i++)
		if (lim[i] > lo && lim[i] < hi &&
		    (r = check_point_in(v, ap, arch, lim[i], SIZE_MAX, ret)))
			return r;
	/* Decisions in the interval (a graph there means the program ignored arguments the
	 * policy reads: its vectors show it), with their neighbours. Between decisions the
	 * policy is its default: one point of each gap shows it. */
	for (size_t i = a; i < ap->ndec && ap->dec[i].nr <= hi; i++) {
		uint32_t nr = ap->dec[i].nr;
		if (ap->dec[i].d.node)
			r = sf_vectors_number(ap, nr, check_one, v);
		else
			r = check_point_in(v, ap, arch, nr, i, ret);
		bool gap = nr < hi && (i + 1 == ap->ndec || ap->dec[i + 1].nr > nr + 1);
		if (!r && gap && nr + 1 != hi)
			r = check_point_in(v, ap, arch, nr + 1, ap->ndec, ret);
		if (r)
			return r;
	}
	return 0;
}

/* Numbers whose path reads arguments: their concrete vectors decide (few numbers, normally
 * one: the program tests the number exactly before looking at arguments). */
static int check_args(struct vctx *v, uint32_t arch, uint32_t lo, uint32_t hi)
{
	const struct arch_policy *ap = sf_policy_find_arch(v->pol, arch, 0);
	struct arch_policy none = { 0 };
	if (!ap) {
		none.arch = v->pol->archs[0].arch;
		ap = &none;
	}
	if ((uint64_t)hi - lo > 4096)
		return -ENOTSUP;
	for (uint64_t nr = lo; nr <= hi; nr++) {
		int r = sf_vectors_number(ap, (uint32_t)nr, check_one, v);
		if (r)
			return r;
	}
	return 0;
}

static bool excluded(const struct state *st, uint32_t x)
{
	for (unsigned i = 0; i < st->nexcluded; i++)
		if (st->excluded[i] == x)
			return true;
	return false;
}

static int step(struct sym *s, struct state st)
{
	const struct sf_prog *prog = s->v->prog;

	for (;;) {
		if (++s->visited > MAX_STATES || st.pc >= prog->len)
			return -ENOTSUP;
		const struct sock_filter *f = &prog->insns[st.pc];
		uint16_t cls = BPF_CLASS(f->code);
		if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (f->k == offsetof(struct seccomp_data, arch)) {
				st.a = A_ARCH;
			} else if (f->k == offsetof(struct seccomp_data, nr)) {
				st.a = A_NR;
			} else {
				/* Arguments or the instruction pointer: concrete from here. */
				if (!st.arch_known)
					return -ENOTSUP;
				return check_args(s->v, st.arch, st.lo, st.hi);
			}
			st.pc++;
			continue;
		}
		if (f->code == (BPF_RET | BPF_K)) {
			if (st.arch_known)
				return check_interval(s->v, st.arch, st.lo, st.hi, f->k);
			/* Any architecture but the excluded: the policy's must all be excluded. */
			for (size_t i = 0; i < s->v->pol->narchs; i++)
				if (!excluded(&st, s->v->pol->archs[i].arch->audit_arch))
					return check_point(s->v, s->v->pol->archs[i].arch->audit_arch,
							   st.lo, f->k);
			if (f->k != sf_policy_out(s->v->pol, s->v->pol->bad_arch_ret))
				return check_point(s->v, 0x12345678, st.lo, f->k);
			s->v->checked++;
			return 0;
		}
		if (f->code == (BPF_JMP | BPF_JA)) {
			st.pc += 1 + f->k;
			continue;
		}
		if (cls != BPF_JMP || BPF_SRC(f->code) != BPF_K || st.a == A_NONE)
			return -ENOTSUP;
		uint32_t k = f->k;
		struct state t = st, e = st;
		bool t_ok = true, e_ok = true;
		t.pc = st.pc + 1 + f->jt;
		e.pc = st.pc + 1 + f->jf;
		if (st.a == A_ARCH) {
			if (BPF_OP(f->code) != BPF_JEQ)
				return -ENOTSUP;
			if (st.arch_known) {
				t_ok = st.arch == k;
				e_ok = !t_ok;
			} else if (excluded(&st, k)) {
				t_ok = false;
			} else {
				t.arch_known = true;
				t.arch = k;
				if (e.nexcluded == MAX_EXCLUDED)
					return -ENOTSUP;
				e.excluded[e.nexcluded++] = k;
			}
		} else {
			switch (BPF_OP(f->code)) {
			case BPF_JGE:
				if (k == 0) {
					e_ok = false;
					break;
				}
				k--;
				/* x >= k+1 is x > k */
				__attribute__((fallthrough));
			case BPF_JGT:
				t_ok = st.hi > k;
				e_ok = st.lo <= k;
				if (t_ok && t.lo <= k)
					t.lo = k + 1;
				if (e_ok && e.hi > k)
					e.hi = k;
				break;
			case BPF_JEQ:
				t_ok = in_range(k, st.lo, st.hi);
				t.lo = t.hi = k;
				/* Not k: the interval minus one point, as its two sides. */
				if (t_ok && st.lo < k && k < st.hi) {
					struct state e2 = e;
					e2.lo = k + 1;
					e.hi = k - 1;
					int r = push(s, &e2);
					if (r)
						return r;
				} else if (t_ok) {
					e_ok = st.lo != st.hi;
					if (st.lo == k)
						e.lo = k + 1;
					else
						e.hi = k - 1;
				}
				break;
			case BPF_JSET:
				/* Only where the interval does not straddle a change of the bit. */
				if ((k & (k - 1)) != 0)
					return -ENOTSUP;
				if ((st.lo & k) == (st.hi & k) && st.hi - st.lo < k) {
					t_ok = (st.lo & k) != 0;
					e_ok = !t_ok;
				} else {
					/* split at the next change of the bit */
					uint32_t next = (st.lo | (k - 1)) + 1;
					struct state rest = st;
					rest.lo = next;
					int r = push(s, &rest);
					if (r)
						return r;
					st.hi = next - 1;
					continue;
				}
				break;
			default:
				return -ENOTSUP;
			}
		}
		if (t_ok && e_ok) {
			int r = push(s, &e);
			if (r)
				return r;
			st = t;
		} else if (t_ok) {
			st = t;
		} else if (e_ok) {
			st = e;
		} else {
			return 0; /* no input takes this path */
		}
	}
}

static int verify_symbolic(struct vctx *v)
{
	struct sym s = { .v = v };
	struct state st = { .pc = 0, .a = A_NONE, .lo = 0, .hi = 0xffffffffu };
	int r = push(&s, &st);

	while (r == 0 && s.n) {
		st = s.stack[--s.n];
		r = step(&s, st);
	}
	free(s.stack);
	return r;
}

int sf_policy_verify(const struct sf_policy *pol, const struct sf_prog *prog, size_t *checked,
		     struct sf_error *err)
{
	struct vctx v = { .pol = pol, .prog = prog };
	int r = sf_bpf_validate(prog->insns, prog->len, err);

	if (r < 0) {
		sf_error_prefix(err, "the generated program is not valid BPF: ");
		return -EPROTO;
	}
	r = verify_symbolic(&v);
	if (r == -ENOTSUP || r == -ENOMEM) {
		/* A shape the proof does not follow: every vector, concretely. */
		v.checked = 0;
		r = sf_policy_vectors(pol, check_one, &v);
	}
	if (checked)
		*checked = v.checked;
	if (r == -EPROTO) {
		char a[32], b[32];
		const struct sf_arch *arch = sf_arch_by_audit(v.bad.arch);
		const char *name = arch ? sf_syscall_name(arch, v.bad.nr) : NULL;
		sf_error_set(err, -EPROTO,
			     "verification failed (a bug in sysfence: please report it): arch %#x "
			     "(%s), nr %d (%s), args %#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64
			     ",%#" PRIx64 ",%#" PRIx64 ": the profile means %s, the program gives %s",
			     v.bad.arch, arch ? arch->name : "unknown", v.bad.nr, name ? name : "?",
			     (uint64_t)v.bad.args[0], (uint64_t)v.bad.args[1], (uint64_t)v.bad.args[2],
			     (uint64_t)v.bad.args[3], (uint64_t)v.bad.args[4], (uint64_t)v.bad.args[5],
			     sf_ret_describe(v.want, a, sizeof(a)),
			     v.emu_err ? "an emulation error" : sf_ret_describe(v.got, b, sizeof(b)));
	} else if (r < 0) {
		sf_error_set(err, r, "verification failed: %s", strerror(-r));
	}
	return r;
}

int sf_bpf_compile(const struct sf_profile *p, const struct sf_compile_opts *opts,
		   struct sf_prog *out, struct sf_findings *findings, struct sf_error *err)
{
	struct sf_policy *pol;
	int r = sf_policy_build(p, opts, &pol, findings, err);

	out->insns = NULL;
	out->len = 0;
	if (r < 0)
		return r;
	r = sf_policy_compile(pol, out, err);
	if (r == 0 && !(opts && opts->no_verify))
		r = sf_policy_verify(pol, out, NULL, err);
	if (r < 0)
		sf_prog_free(out);
	sf_policy_free(pol);
	return r;
}
