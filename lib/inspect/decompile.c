/*
 * A classic-BPF seccomp program (or stacked filters) back into an OCI profile, verified.
 *
 * analyze.c cuts each architecture's number line into pieces on which the programs take one
 * path, or read arguments. Here: per ABI, the default (what the numbers no table names get),
 * the bad-arch action (what any other architecture gets), runc's ENOSYS stub when present, and
 * for every named syscall its action, or -- where arguments are read -- a grid of argument
 * classes (each argument's values grouped by the outcome of every test the programs make on it)
 * whose every point is emulated, then covered by OCI rules (one condition per argument, as runc
 * allows) built from the programs' own constants. The profile is then compiled again and both
 * emulated on every number at which either can change and on the boundary values of every
 * comparison either makes; what differs, or could not be said, is reported by syscall.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <sysfence/compile.h>

#include "inspect/decompile-internal.h"

#define X32_BIT	   0x40000000u
#define MAX_ABIS   32
#define MAX_WVALS  48	 /* candidate values of one 32-bit word */
#define MAX_VALS   1024	 /* candidate values of one argument */
#define MAX_CELLS  256	 /* argument classes of one argument */
#define MAX_CANDS  768	 /* conditions tried on one argument */
#define MAX_GRID   65536 /* points of one syscall's grid */
#define MAX_COMBOS 4096	 /* boxes tried around one point */
#define MAX_REPORT 64	 /* mismatches listed one by one */
#define DIM_IP	   6	 /* the instruction pointer as a seventh "argument" */

/* ---- actions ---- */

/* The profile's action for a return value; false (and *why) when OCI cannot say it. */
static bool ret_action(uint32_t r, enum sf_action *a, bool *has_errno, uint32_t *data,
		       const char **why)
{
	uint32_t act = r & SECCOMP_RET_ACTION_FULL;
	*has_errno = false;
	*data = r & SECCOMP_RET_DATA;
	switch (act) {
	case SECCOMP_RET_KILL_PROCESS:
		*a = SF_ACT_KILL_PROCESS;
		return true;
	case SECCOMP_RET_KILL_THREAD:
		*a = SF_ACT_KILL_THREAD;
		return true;
	case SECCOMP_RET_TRAP:
		*a = SF_ACT_TRAP;
		if (*data) {
			*why = "TRAP with data (si_errno): an OCI profile's SCMP_ACT_TRAP has none";
			return false;
		}
		return true;
	case SECCOMP_RET_ERRNO:
		*a = SF_ACT_ERRNO;
		*has_errno = true;
		return true;
	case SECCOMP_RET_USER_NOTIF:
		*a = SF_ACT_NOTIFY;
		return true;
	case SECCOMP_RET_TRACE:
		*a = SF_ACT_TRACE;
		*has_errno = true;
		return true;
	case SECCOMP_RET_LOG:
		*a = SF_ACT_LOG;
		return true;
	case SECCOMP_RET_ALLOW:
		*a = SF_ACT_ALLOW;
		return true;
	default:
		*a = SF_ACT_KILL_PROCESS;
		return true;
	}
}

/* ---- the decompiler's state ---- */

#define MAX_ALTS 6

/* One rule of a syscall. Each condition may have equivalents on this ABI (a < 0x80000000000 and
 * a <= 0x7ffffffffff) that differ on another (a 32-bit ABI truncates the value). */
struct fbox {
	uint32_t ret;
	unsigned nconds;
	struct sf_arg conds[6];
	struct sf_arg alts[6][MAX_ALTS];
	uint8_t nalts[6];
};

/* What one syscall of one ABI does. */
struct func {
	bool set;
	bool dontcare; /* inside runc's ENOSYS stub: the stub says it */
	bool constant;
	uint32_t ret;
	struct fbox *boxes;
	size_t nboxes;
	bool uncertain;
	char *key; /* canonical text, to compare ABIs and group rules */
};

struct hist_entry {
	uint32_t ret;
	uint64_t n;
};
struct hist {
	struct hist_entry v[16];
	size_t n;
};

struct abi {
	const struct sf_arch *arch;
	const struct arch_pieces *ap;
	uint32_t base_lo, base_hi; /* its numbers, for the default */
	uint32_t *named;	   /* its table's numbers, sorted */
	size_t nnamed;
	uint32_t dflt;
	bool has_dflt;
	struct hist gap, above; /* unnamed numbers below and above the last name */
	uint32_t top, limit;
	bool stub_cand, stub;
	uint32_t stub_max;
	struct func *funcs; /* by table index */
};

struct ctx {
	const struct sf_prog *progs;
	size_t nprogs;
	bool partial;
	struct sf_decompiled *out;
	struct sf_error *err;
	struct analysis an;
	struct abi abis[MAX_ABIS];
	size_t nabis;
	uint32_t foreign; /* an AUDIT_ARCH value no program compares */
	uint32_t dflt;
	bool stub;
	bool restricted; /* only the ABIs of opts->arches */
};

static struct sf_findings *rep(struct ctx *c)
{
	return &c->out->report;
}

#define report(c, sev, path, code, ...)                                                            \
	sf_findings_add(rep(c), (sev), NULL, (path), (code), NULL, __VA_ARGS__)

static bool is_x32(const struct abi *b)
{
	return b->arch->nr_offset == X32_BIT && strcmp(b->arch->name, "x32") == 0;
}

/* Whether the kernel gives this ABI 32-bit arguments (zero-extended: high words are 0). */
static bool narrow(const struct sf_arch *a)
{
	return a->bits == 32;
}

/* The programs' combined answer for a logical input (arguments as values). */
static uint32_t live(const struct ctx *c, const struct seccomp_data *d)
{
	struct seccomp_data k;
	uint32_t r;
	sf_seccomp_data_for(sf_arch_by_audit(d->arch), d, &k);
	if (sf_filters_eval(c->progs, c->nprogs, &k, &r, NULL) < 0)
		return SECCOMP_RET_KILL_PROCESS; /* validated: cannot happen */
	return sf_ret_effect(r);
}

static uint32_t live_nr(const struct ctx *c, uint32_t audit, uint32_t nr)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = audit};
	return live(c, &d);
}

static const char *abi_name_of(const struct abi *b, uint32_t nr, char *buf, size_t size)
{
	const char *n = sf_syscall_name(b->arch, nr);
	if (n)
		snprintf(buf, size, "%s/%s", b->arch->name, n);
	else
		snprintf(buf, size, "%s/%u", b->arch->name, nr);
	return buf;
}

/* ---- argument grids ---- */

struct cand {
	enum sf_op op;
	uint64_t v, v2;
	uint64_t cells[MAX_CELLS / 64]; /* the classes where it holds */
	size_t size;
	struct sf_arg alt[MAX_ALTS]; /* conditions with the same classes */
	uint8_t nalt;
};

struct axis {
	unsigned dim; /* 0..5 an argument, DIM_IP */
	uint64_t vals[MAX_VALS];
	uint16_t cell_of[MAX_VALS];
	size_t nvals;
	uint64_t rep[MAX_CELLS];
	size_t ncells;
	struct cand *cands;
	size_t ncands;
};

struct grid {
	const struct abi *abi;
	uint32_t nr;
	struct axis *ax; /* the dimensions with more than one class */
	size_t nax;
	size_t npoints;
	uint32_t *f;
	bool truncated; /* some classes may be missing (too many values) */
};

static bool word_hi(const struct sf_arch *a, unsigned word)
{
	bool first = (word & 1) == 0; /* the first word of its 8-byte slot */
	return first == a->big_endian;
}

static unsigned word_dim(unsigned word)
{
	return word < 2 ? DIM_IP : (word - 2) / 2;
}

static bool test_eval(const struct word_test *t, uint32_t w)
{
	w &= t->mask;
	switch (t->op) {
	case T_EQ:
		return w == t->k;
	case T_GT:
		return w > t->k;
	case T_GE:
		return w >= t->k;
	default:
		return w != 0;
	}
}

static void add_u32(uint32_t *v, size_t *n, uint32_t x)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == x)
			return;
	if (*n < MAX_WVALS)
		v[(*n)++] = x;
}

/* The values of one word worth trying: each test's edges. */
static void word_values(const struct word_test *tests, size_t n, unsigned word, uint32_t *v,
			size_t *nv)
{
	*nv = 0;
	add_u32(v, nv, 0);
	add_u32(v, nv, ~0u);
	for (size_t i = 0; i < n; i++) {
		const struct word_test *t = &tests[i];
		if (t->word != word)
			continue;
		uint32_t m = t->mask, low = m & -m;
		if (t->op == T_SET) {
			add_u32(v, nv, m);
			add_u32(v, nv, low);
			add_u32(v, nv, ~m);
			add_u32(v, nv, m & ~low);
			continue;
		}
		for (int d = -1; d <= 1; d++) {
			uint32_t k = t->k + (uint32_t)d;
			add_u32(v, nv, k & m);
			add_u32(v, nv, (k & m) | ~m);
		}
		if (m != ~0u) {
			add_u32(v, nv, (t->k & m) ^ low);
			/* with every other masked test of the word satisfied too */
			for (size_t j = 0; j < n; j++)
				if (j != i && tests[j].word == word && tests[j].op == T_EQ &&
				    tests[j].mask != ~0u)
					add_u32(v, nv,
						(t->k & m) | (tests[j].k & tests[j].mask & ~m));
		}
	}
}

static void cell_set(uint64_t *bits, size_t i)
{
	bits[i / 64] |= 1ull << (i % 64);
}

static bool cell_has(const uint64_t *bits, size_t i)
{
	return bits[i / 64] >> (i % 64) & 1;
}

/* An OCI condition on a value, as the policy means it for an ABI of `bits` bits. */
static bool cond_holds(enum sf_op op, uint64_t v, uint64_t v2, uint64_t x, bool narrow_abi)
{
	if (narrow_abi) {
		v &= 0xffffffffu;
		v2 &= 0xffffffffu;
		x &= 0xffffffffu;
	}
	switch (op) {
	case SF_OP_EQ:
		return x == v;
	case SF_OP_NE:
		return x != v;
	case SF_OP_LT:
		return x < v;
	case SF_OP_LE:
		return x <= v;
	case SF_OP_GT:
		return x > v;
	case SF_OP_GE:
		return x >= v;
	case SF_OP_MASKED_EQ:
		return (x & v) == v2;
	default:
		return false;
	}
}

static void try_cand(struct axis *ax, enum sf_op op, uint64_t v, uint64_t v2, bool narrow_abi)
{
	struct cand c = {.op = op, .v = v, .v2 = v2};
	uint8_t state[MAX_CELLS] = {0}; /* 0 unknown, 1 holds, 2 does not */

	if (ax->ncands >= MAX_CANDS)
		return;
	for (size_t i = 0; i < ax->nvals; i++) {
		uint8_t s = cond_holds(op, v, v2, ax->vals[i], narrow_abi) ? 1 : 2;
		uint16_t cell = ax->cell_of[i];
		if (state[cell] && state[cell] != s)
			return; /* splits a class: not a condition the programs can see */
		state[cell] = s;
	}
	for (size_t i = 0; i < ax->ncells; i++)
		if (state[i] == 1) {
			cell_set(c.cells, i);
			c.size++;
		}
	if (c.size == 0 || c.size == ax->ncells)
		return;
	for (size_t i = 0; i < ax->ncands; i++)
		if (memcmp(ax->cands[i].cells, c.cells, sizeof(c.cells)) == 0) {
			/* the same classes: the first (simplest) is used, the others kept */
			struct cand *o = &ax->cands[i];
			if (o->nalt < MAX_ALTS)
				o->alt[o->nalt++] = (struct sf_arg){
				    .index = ax->dim, .op = op, .value = v, .value_two = v2};
			return;
		}
	ax->cands[ax->ncands++] = c;
}

/* Conditions built from the programs' constants on this argument, simplest first. */
static int axis_cands(struct axis *ax, const struct word_test *tests, size_t n,
		      const struct sf_arch *arch)
{
	bool nar = narrow(arch);
	uint64_t hv[MAX_WVALS], lv[MAX_WVALS], vals[4 * MAX_WVALS];
	size_t nh = 0, nl = 0, nv = 0;
	struct {
		uint32_t m, k;
	} mh[MAX_WVALS], ml[MAX_WVALS];
	size_t nmh = 0, nml = 0;

	ax->cands = calloc(MAX_CANDS, sizeof(*ax->cands));
	if (!ax->cands)
		return -ENOMEM;
	hv[nh++] = 0;
	lv[nl++] = 0;
	mh[nmh].m = 0;
	mh[nmh++].k = 0;
	ml[nml].m = 0;
	ml[nml++].k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct word_test *t = &tests[i];
		if (word_dim(t->word) != ax->dim)
			continue;
		bool hi = word_hi(arch, t->word);
		{
			/* values to compare with: the constant and its neighbours; for a mask,
			 * the ends of the runs of values it cannot tell apart (a mask of high
			 * bits, 0xfffffffc, is a range test: "< 4") */
			uint64_t *v = hi ? hv : lv;
			size_t *cnt = hi ? &nh : &nl;
			uint32_t m = t->mask, low = m & -m;
			uint32_t base = t->op == T_SET ? 0 : t->k & m;
			uint32_t e[6] = {t->k - 1, t->k, t->k + 1, 0, 0, 0};
			size_t ne = 3;
			if (m != ~0u || t->op == T_SET) {
				ne = 0;
				e[ne++] = base;
				e[ne++] = base | (low - 1);
				e[ne++] = (base | (low - 1)) + 1;
				e[ne++] = base - 1;
			}
			for (size_t d = 0; d < ne; d++) {
				bool dup = false;
				for (size_t j = 0; j < *cnt; j++)
					dup |= v[j] == e[d];
				if (!dup && *cnt < MAX_WVALS)
					v[(*cnt)++] = e[d];
			}
		}
		if (t->op == T_EQ || t->op == T_SET) {
			uint32_t m = t->mask, k = t->op == T_SET ? t->mask : t->k & t->mask;
			for (int pass = 0; pass < (t->op == T_SET ? 2 : 1); pass++) {
				if (hi && nmh < MAX_WVALS) {
					mh[nmh].m = m;
					mh[nmh++].k = pass ? 0 : k;
				} else if (!hi && nml < MAX_WVALS) {
					ml[nml].m = m;
					ml[nml++].k = pass ? 0 : k;
				}
			}
		}
	}
	if (nar)
		nh = 1; /* the high word is 0 */
	for (size_t i = 0; i < nh; i++) {
		for (size_t j = 0; j < nl && nv < SF_ARRAY_SIZE(vals); j++)
			vals[nv++] = hv[i] << 32 | lv[j];
		if (!nar && nv < SF_ARRAY_SIZE(vals))
			vals[nv++] = hv[i] << 32 | 0xffffffffu;
	}
	static const enum sf_op order[] = {SF_OP_EQ, SF_OP_NE, 0,	SF_OP_GE,
					   SF_OP_GT, SF_OP_LE, SF_OP_LT};
	for (size_t o = 0; o < SF_ARRAY_SIZE(order); o++) {
		if (order[o] == 0) {
			for (size_t i = 0; i < (nar ? 1 : nmh); i++)
				for (size_t j = 0; j < nml; j++) {
					uint64_t m = (uint64_t)(nar ? 0 : mh[i].m) << 32 | ml[j].m;
					uint64_t k = (uint64_t)(nar ? 0 : mh[i].k & mh[i].m) << 32 |
						     (ml[j].k & ml[j].m);
					if (m != 0)
						try_cand(ax, SF_OP_MASKED_EQ, m, k, nar);
				}
			continue;
		}
		for (size_t i = 0; i < nv; i++)
			try_cand(ax, order[o], vals[i], 0, nar);
	}
	return 0;
}

/* One argument's classes: its candidate values grouped by the outcomes of every test on it. */
static int axis_build(struct axis *ax, unsigned dim, const struct word_test *tests, size_t n,
		      const struct sf_arch *arch, bool *truncated)
{
	uint32_t hv[MAX_WVALS], lv[MAX_WVALS];
	size_t nh, nl;
	unsigned whi = 0, wlo = 0; /* the words of this dimension */
	size_t nt = 0;
	const struct word_test *mine[256];

	for (unsigned w = 0; w < 14; w++)
		if (word_dim(w) == dim) {
			if (word_hi(arch, w))
				whi = w;
			else
				wlo = w;
		}
	for (size_t i = 0; i < n; i++)
		if (word_dim(tests[i].word) == dim) {
			if (nt == SF_ARRAY_SIZE(mine)) {
				*truncated = true;
				break;
			}
			mine[nt++] = &tests[i];
		}
	word_values(tests, n, whi, hv, &nh);
	word_values(tests, n, wlo, lv, &nl);
	if (narrow(arch) && dim != DIM_IP) {
		hv[0] = 0;
		nh = 1;
	}
	ax->dim = dim;
	ax->nvals = 0;
	ax->ncells = 0;
	uint8_t(*sigs)[256] = malloc(MAX_CELLS * sizeof(*sigs));
	if (!sigs)
		return -ENOMEM;
	for (size_t i = 0; i < nh; i++)
		for (size_t j = 0; j < nl; j++) {
			if (ax->nvals == MAX_VALS) {
				*truncated = true;
				goto done;
			}
			uint64_t v = (uint64_t)hv[i] << 32 | lv[j];
			uint8_t sig[256];
			for (size_t t = 0; t < nt; t++)
				sig[t] = test_eval(mine[t], word_hi(arch, mine[t]->word)
								? (uint32_t)(v >> 32)
								: (uint32_t)v);
			size_t cell = 0;
			while (cell < ax->ncells && memcmp(sigs[cell], sig, nt) != 0)
				cell++;
			if (cell == ax->ncells) {
				if (ax->ncells == MAX_CELLS) {
					*truncated = true;
					goto done;
				}
				memcpy(sigs[cell], sig, nt);
				ax->rep[cell] = v;
				ax->ncells++;
			}
			ax->vals[ax->nvals] = v;
			ax->cell_of[ax->nvals++] = (uint16_t)cell;
		}
done:
	free(sigs);
	return 0;
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->nax; i++)
		free(g->ax[i].cands);
	free(g->ax);
	free(g->f);
	memset(g, 0, sizeof(*g));
}

static void grid_point(const struct grid *g, size_t p, size_t *coord)
{
	for (size_t i = 0; i < g->nax; i++) {
		coord[i] = p % g->ax[i].ncells;
		p /= g->ax[i].ncells;
	}
}

static void grid_data(const struct grid *g, const size_t *coord, struct seccomp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->nr = (int)g->nr;
	d->arch = g->abi->arch->audit_arch;
	for (size_t i = 0; i < g->nax; i++) {
		uint64_t v = g->ax[i].rep[coord[i]];
		if (g->ax[i].dim == DIM_IP)
			d->instruction_pointer = v;
		else
			d->args[g->ax[i].dim] = v;
	}
}

/* The grid of one syscall whose piece reads arguments; f emulated at every point. */
static int grid_build(struct ctx *c, const struct abi *b, uint32_t nr, const struct piece *pc,
		      struct grid *g)
{
	memset(g, 0, sizeof(*g));
	g->abi = b;
	g->nr = nr;
	g->ax = calloc(7, sizeof(*g->ax));
	if (!g->ax)
		return -ENOMEM;
	g->npoints = 1;
	for (unsigned dim = 0; dim < 7; dim++) {
		struct axis *ax = &g->ax[g->nax];
		if (axis_build(ax, dim, pc->tests, pc->ntests, b->arch, &g->truncated) < 0)
			return -ENOMEM;
		if (ax->ncells < 2)
			continue;
		if (dim != DIM_IP && axis_cands(ax, pc->tests, pc->ntests, b->arch) < 0)
			return -ENOMEM;
		if (g->npoints * ax->ncells > MAX_GRID) {
			g->truncated = true;
			free(ax->cands);
			ax->cands = NULL;
			return -E2BIG;
		}
		g->npoints *= ax->ncells;
		g->nax++;
	}
	g->f = malloc(g->npoints * sizeof(*g->f));
	if (!g->f)
		return -ENOMEM;
	size_t coord[7];
	for (size_t p = 0; p < g->npoints; p++) {
		struct seccomp_data d;
		grid_point(g, p, coord);
		grid_data(g, coord, &d);
		g->f[p] = live(c, &d);
	}
	return 0;
}

/* ---- covering a grid with rules ---- */

struct bits {
	uint64_t *w;
	size_t n;
};

static bool bit(const struct bits *b, size_t i)
{
	return b->w[i / 64] >> (i % 64) & 1;
}

/* Option o of axis a: -1 any, else a candidate. */
static bool opt_has(const struct axis *ax, int o, size_t cell)
{
	return o < 0 || cell_has(ax->cands[o].cells, cell);
}

static size_t opt_size(const struct axis *ax, int o)
{
	return o < 0 ? ax->ncells : ax->cands[o].size;
}

#define CELL_WORDS (MAX_CELLS / 64)

/* Whether the box (a set of classes per axis) lies inside S; *gain counts its points in
 * todo. */
static bool box_inside(const struct grid *g, const uint64_t (*sets)[CELL_WORDS],
		       const struct bits *s, const struct bits *todo, size_t *gain)
{
	size_t idx[7] = {0}, nl[7];
	uint16_t lists[7][MAX_CELLS];
	*gain = 0;
	for (size_t i = 0; i < g->nax; i++) {
		nl[i] = 0;
		for (size_t cell = 0; cell < g->ax[i].ncells; cell++)
			if (cell_has(sets[i], cell))
				lists[i][nl[i]++] = (uint16_t)cell;
		if (!nl[i])
			return false;
	}
	for (;;) {
		size_t p = 0, mul = 1;
		for (size_t i = 0; i < g->nax; i++) {
			p += lists[i][idx[i]] * mul;
			mul *= g->ax[i].ncells;
		}
		if (!bit(s, p))
			return false;
		if (bit(todo, p))
			(*gain)++;
		size_t i = 0;
		for (; i < g->nax; i++) {
			if (++idx[i] < nl[i])
				break;
			idx[i] = 0;
		}
		if (i == g->nax)
			return true;
	}
}

static void opt_set(const struct axis *ax, int o, uint64_t *set)
{
	memset(set, 0, CELL_WORDS * sizeof(*set));
	for (size_t cell = 0; cell < ax->ncells; cell++)
		if (opt_has(ax, o, cell))
			cell_set(set, cell);
}

static void box_clear(const struct grid *g, const int *opt, struct bits *todo)
{
	for (size_t p = 0; p < g->npoints; p++) {
		size_t coord[7] = {0};
		bool in = true;
		grid_point(g, p, coord);
		for (size_t i = 0; i < g->nax && in; i++)
			in = opt_has(&g->ax[i], opt[i], coord[i]);
		if (in)
			todo->w[p / 64] &= ~(1ull << (p % 64));
	}
}

/* The search for the box around a point: one option per axis, the largest first; a choice is
 * pruned when even the smallest remaining choices (each axis's intersection of the options
 * holding the point: every option holds it) leave S. */
struct search {
	const struct grid *g;
	const struct bits *s, *todo;
	int opts[7][MAX_CANDS + 1];
	size_t nopts[7];
	uint64_t atom[7][CELL_WORDS];
	uint64_t sets[7][CELL_WORDS];
	int cur[7], best[7];
	size_t best_gain, budget;
	unsigned best_conds;
	bool found;
};

static void search(struct search *sr, size_t level, unsigned conds)
{
	const struct grid *g = sr->g;
	size_t gain;
	if (!sr->budget)
		return;
	if (level == g->nax) {
		sr->budget--;
		if (box_inside(g, (const uint64_t(*)[CELL_WORDS])sr->sets, sr->s, sr->todo,
			       &gain) &&
		    (!sr->found || gain > sr->best_gain ||
		     (gain == sr->best_gain && conds < sr->best_conds))) {
			sr->found = true;
			sr->best_gain = gain;
			sr->best_conds = conds;
			memcpy(sr->best, sr->cur, sizeof(sr->cur));
		}
		return;
	}
	for (size_t o = 0; o < sr->nopts[level] && sr->budget; o++) {
		int opt = sr->opts[level][o];
		sr->cur[level] = opt;
		opt_set(&g->ax[level], opt, sr->sets[level]);
		for (size_t j = level + 1; j < g->nax; j++)
			memcpy(sr->sets[j], sr->atom[j], sizeof(sr->atom[j]));
		sr->budget--;
		if (!box_inside(g, (const uint64_t(*)[CELL_WORDS])sr->sets, sr->s, sr->todo, &gain))
			continue;
		search(sr, level + 1, conds + (opt >= 0));
	}
}

/* The best box around point p inside s: the most new points, then the fewest conditions. */
static bool best_box(const struct grid *g, size_t p, const struct bits *s, const struct bits *todo,
		     int *best)
{
	size_t coord[7] = {0};
	struct search *sr = calloc(1, sizeof(*sr));
	bool found;

	if (!sr)
		return false;
	sr->g = g;
	sr->s = s;
	sr->todo = todo;
	sr->budget = MAX_COMBOS;
	grid_point(g, p, coord);
	for (size_t i = 0; i < g->nax; i++) {
		const struct axis *ax = &g->ax[i];
		size_t n = 0;
		sr->opts[i][n++] = -1;
		opt_set(ax, -1, sr->atom[i]);
		for (size_t o = 0; o < ax->ncands; o++)
			if (cell_has(ax->cands[o].cells, coord[i])) {
				sr->opts[i][n++] = (int)o;
				for (size_t w = 0; w < CELL_WORDS; w++)
					sr->atom[i][w] &= ax->cands[o].cells[w];
			}
		/* larger classes first (any is the largest) */
		for (size_t a = 1; a < n; a++)
			for (size_t b2 = a; b2 > 0 && opt_size(ax, sr->opts[i][b2]) >
							  opt_size(ax, sr->opts[i][b2 - 1]);
			     b2--) {
				int t = sr->opts[i][b2];
				sr->opts[i][b2] = sr->opts[i][b2 - 1];
				sr->opts[i][b2 - 1] = t;
			}
		sr->nopts[i] = n;
	}
	search(sr, 0, 0);
	found = sr->found;
	if (found)
		memcpy(best, sr->best, g->nax * sizeof(*best));
	free(sr);
	return found;
}

static int fbox_cmp(const void *a, const void *b)
{
	const struct fbox *x = a, *y = b;
	if (x->ret != y->ret)
		return x->ret < y->ret ? -1 : 1;
	if (x->nconds != y->nconds)
		return x->nconds < y->nconds ? -1 : 1;
	for (unsigned i = 0; i < x->nconds; i++) {
		const struct sf_arg *p = &x->conds[i], *q = &y->conds[i];
		if (p->index != q->index)
			return p->index < q->index ? -1 : 1;
		if (p->op != q->op)
			return p->op < q->op ? -1 : 1;
		if (p->value != q->value)
			return p->value < q->value ? -1 : 1;
		if (p->value_two != q->value_two)
			return p->value_two < q->value_two ? -1 : 1;
	}
	return 0;
}

static int func_key(struct func *fn)
{
	struct sf_buf b = {0};
	if (fn->constant) {
		fn->key = sf_strdup_printf("=%08x", fn->ret);
		return fn->key ? 0 : -ENOMEM;
	}
	/* in a canonical order (the rules' own order is kept: it matters to libseccomp) */
	struct fbox *sorted = malloc((fn->nboxes ? fn->nboxes : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	if (fn->nboxes) {
		memcpy(sorted, fn->boxes, fn->nboxes * sizeof(*sorted));
		qsort(sorted, fn->nboxes, sizeof(*sorted), fbox_cmp);
	}
	for (size_t i = 0; i < fn->nboxes; i++) {
		sf_buf_printf(&b, "%08x", sorted[i].ret);
		for (unsigned j = 0; j < sorted[i].nconds; j++) {
			const struct sf_arg *a = &sorted[i].conds[j];
			sf_buf_printf(&b, " %u:%d:%" PRIx64 ":%" PRIx64, a->index, a->op, a->value,
				      a->value_two);
		}
		sf_buf_putc(&b, ';');
	}
	free(sorted);
	sf_buf_putc(&b, '\0');
	if (b.oom) {
		sf_buf_free(&b);
		return -ENOMEM;
	}
	fn->key = b.data;
	return 0;
}

/* The rules of one syscall from its grid: the points of every action but the default covered
 * by boxes. false when a point cannot be covered (why set). */
static int grid_cover(struct ctx *c, struct grid *g, uint32_t dflt, bool relaxed, struct func *fn,
		      const char **why)
{
	size_t nw = (g->npoints + 63) / 64;
	struct bits s = {calloc(nw, 8), nw}, todo = {calloc(nw, 8), nw};
	uint32_t acts[64];
	size_t nacts = 0;
	int r = 0;

	*why = NULL;
	if (!s.w || !todo.w) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t p = 0; p < g->npoints; p++) {
		bool dup = false;
		for (size_t i = 0; i < nacts; i++)
			dup |= acts[i] == g->f[p];
		if (!dup && nacts < SF_ARRAY_SIZE(acts))
			acts[nacts++] = g->f[p];
	}
	/* Depends on the instruction pointer: no profile can say it. */
	for (size_t i = 0; i < g->nax && !*why; i++) {
		if (g->ax[i].dim != DIM_IP)
			continue;
		size_t mul = 1;
		for (size_t j = 0; j < i; j++)
			mul *= g->ax[j].ncells;
		for (size_t p = 0; p < g->npoints && !*why; p++) {
			size_t coord[7] = {0};
			grid_point(g, p, coord);
			if (coord[i] != 0 && g->f[p] != g->f[p - coord[i] * mul])
				*why =
				    "the action depends on the instruction pointer, which an OCI "
				    "profile cannot test";
		}
	}
	if (nacts == 1) {
		fn->constant = true;
		fn->ret = acts[0];
		goto out;
	}
	for (size_t a = 0; a < nacts; a++) {
		if (acts[a] == dflt)
			continue;
		/* relaxed: a rule may also hold where another rule's action is due, when
		 * libseccomp's precedence (checked after) gives that one */
		memset(s.w, 0, nw * 8);
		memset(todo.w, 0, nw * 8);
		for (size_t p = 0; p < g->npoints; p++) {
			if (g->f[p] == acts[a])
				todo.w[p / 64] |= 1ull << (p % 64);
			if (g->f[p] == acts[a] || (relaxed && g->f[p] != dflt))
				s.w[p / 64] |= 1ull << (p % 64);
		}
		for (size_t p = 0; p < g->npoints; p++) {
			if (!bit(&todo, p))
				continue;
			int opt[7] = {0};
			if (!best_box(g, p, &s, &todo, opt)) {
				if (!*why)
					*why = "the argument conditions cannot be written as OCI "
					       "rules "
					       "(one condition per argument in a rule)";
				todo.w[p / 64] &= ~(1ull << (p % 64));
				continue;
			}
			box_clear(g, opt, &todo);
			struct fbox *v = reallocarray(fn->boxes, fn->nboxes + 1, sizeof(*v));
			if (!v) {
				r = -ENOMEM;
				goto out;
			}
			fn->boxes = v;
			struct fbox *bx = &fn->boxes[fn->nboxes++];
			memset(bx, 0, sizeof(*bx));
			bx->ret = acts[a];
			for (size_t i = 0; i < g->nax; i++) {
				if (opt[i] < 0 || g->ax[i].dim == DIM_IP)
					continue;
				const struct cand *cd = &g->ax[i].cands[opt[i]];
				memcpy(bx->alts[bx->nconds], cd->alt, sizeof(cd->alt));
				bx->nalts[bx->nconds] = cd->nalt;
				bx->conds[bx->nconds++] = (struct sf_arg){.index = g->ax[i].dim,
									  .op = cd->op,
									  .value = cd->v,
									  .value_two = cd->v2};
			}
		}
	}
	if (g->truncated && !*why)
		*why = "the argument tests are too many to follow every combination";
out:
	(void)c;
	free(s.w);
	free(todo.w);
	return r;
}

/* ---- per ABI ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static size_t named_in(const struct abi *b, uint32_t lo, uint32_t hi)
{
	size_t a = 0, z = b->nnamed;
	while (a < z) {
		size_t m = (a + z) / 2;
		if (b->named[m] < lo)
			a = m + 1;
		else
			z = m;
	}
	size_t n = 0;
	while (a + n < b->nnamed && b->named[a + n] <= hi)
		n++;
	return n;
}

static int abi_add(struct ctx *c, const struct sf_arch *arch, const struct arch_pieces *ap,
		   uint32_t lo, uint32_t hi)
{
	if (c->nabis == MAX_ABIS)
		return 0;
	struct abi *b = &c->abis[c->nabis];
	memset(b, 0, sizeof(*b));
	b->arch = arch;
	b->ap = ap;
	b->base_lo = lo;
	b->base_hi = hi;
	b->named = malloc(sf_syscall_count() * sizeof(*b->named));
	b->funcs = calloc(sf_syscall_count(), sizeof(*b->funcs));
	if (!b->named || !b->funcs) {
		free(b->named);
		free(b->funcs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sf_syscall_count(); i++) {
		long nr = sf_syscall_nr_at(arch, i);
		if (nr >= 0)
			b->named[b->nnamed++] = (uint32_t)nr;
	}
	qsort(b->named, b->nnamed, sizeof(*b->named), cmp_u32);
	c->nabis++;
	return 0;
}

static bool wanted(const struct sf_decompile_opts *o, const struct sf_arch *a)
{
	if (!o || !o->narches)
		return true;
	for (size_t i = 0; i < o->narches; i++)
		if (o->arches[i] == a)
			return true;
	return false;
}

/* Whether syscall nr of arch always gets ret, whatever its arguments. */
static bool nr_always(struct ctx *c, const struct sf_arch *arch, const struct arch_pieces *ap,
		      uint32_t nr, uint32_t ret)
{
	const struct piece *pc = sf_piece_find(ap, nr);
	if (!pc->args)
		return live_nr(c, ap->audit, nr) == ret;
	struct abi tmp = {.arch = arch, .ap = ap};
	struct grid g;
	bool all = grid_build(c, &tmp, nr, pc, &g) == 0;
	for (size_t p = 0; all && p < g.npoints; p++)
		all = g.f[p] == ret;
	grid_free(&g);
	return all;
}

/* Whether every number in [lo, hi] of ap gets the bad-arch action: then the ABI is not one
 * the filter accepts (as when stacked filters refuse it in one of them). */
static bool all_bad(struct ctx *c, const struct sf_arch *arch, const struct arch_pieces *ap,
		    uint32_t lo, uint32_t hi)
{
	for (size_t k = 0; k < ap->n; k++) {
		const struct piece *pc = &ap->v[k];
		if (pc->hi < lo || pc->lo > hi)
			continue;
		uint32_t x = pc->lo > lo ? pc->lo : lo;
		if (pc->args ? pc->lo != pc->hi || !nr_always(c, arch, ap, x, c->out->bad_arch_ret)
			     : live_nr(c, ap->audit, x) != c->out->bad_arch_ret)
			return false;
	}
	return true;
}

static void left_out(struct ctx *c, const struct sf_arch *arch)
{
	report(c, SF_SEV_WARNING, arch->name, "arch-left-out",
	       "the filter accepts %s too; left out as asked (--arch): the profile says nothing of "
	       "it, and it was not compared",
	       arch->name);
}

/* The ABIs: each compared AUDIT_ARCH value's; x86_64's section also holds x32 when the x32
 * numbers get something else than the bad-arch action. Native first. */
static int find_abis(struct ctx *c, const struct sf_decompile_opts *o)
{
	const struct arch_pieces *other = &c->an.archs[c->an.narchs - 1];
	uint32_t bad = c->out->bad_arch_ret;
	int r;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i + 1 < c->an.narchs; i++) {
			const struct arch_pieces *ap = &c->an.archs[i];
			const struct sf_arch *arch = sf_arch_by_audit(ap->audit);
			char path[32];
			if (!arch) {
				if (pass == 0)
					continue;
				snprintf(path, sizeof(path), "arch/%#x", ap->audit);
				report(c, SF_SEV_ERROR, path, "unknown-arch",
				       "the program accepts the architecture %#x, which sysfence "
				       "does not know: a profile cannot name it",
				       ap->audit);
				continue;
			}
			if ((pass == 0) != (arch == sf_arch_native()))
				continue;
			if (!wanted(o, arch))
				left_out(c, arch);
			if (!wanted(o, arch) &&
			    !(strcmp(arch->name, "x86_64") == 0 && wanted(o, sf_arch_find("x32"))))
				continue;
			if (strcmp(arch->name, "x86_64") != 0) {
				if (!all_bad(c, arch, ap, 0, 0xffffffffu) &&
				    (r = abi_add(c, arch, ap, 0, 0xffffffffu)))
					return r;
				continue;
			}
			if (wanted(o, arch) && !all_bad(c, arch, ap, 0, X32_BIT - 1) &&
			    (r = abi_add(c, arch, ap, 0, X32_BIT - 1)))
				return r;
			const struct sf_arch *x32 = sf_arch_find("x32");
			bool used = false;
			for (size_t k = 0; k < sf_syscall_count() && !used; k++) {
				long nr = sf_syscall_nr_at(x32, k);
				if (nr < 0)
					continue;
				used = !nr_always(c, x32, ap, (uint32_t)nr, bad);
			}
			if (used && !wanted(o, x32))
				left_out(c, x32);
			if (used && wanted(o, x32) &&
			    (r = abi_add(c, x32, ap, X32_BIT, 2 * X32_BIT - 1)))
				return r;
		}
	if (c->nabis == 0) {
		/* every architecture gets the bad-arch action: keep the first one named */
		for (size_t i = 0; i + 1 < c->an.narchs && !c->nabis; i++) {
			const struct sf_arch *arch = sf_arch_by_audit(c->an.archs[i].audit);
			if (arch && wanted(o, arch) &&
			    (r = abi_add(c, arch, &c->an.archs[i], 0,
					 strcmp(arch->name, "x86_64") ? 0xffffffffu : X32_BIT - 1)))
				return r;
		}
	}
	if (c->nabis == 0 && c->an.narchs == 1) {
		report(c, SF_SEV_ERROR, "arch", "no-arch-check",
		       "the program never checks seccomp_data.arch: it gives every architecture "
		       "the same numbers' actions, which a profile (checked per architecture) "
		       "cannot say; decompiled for %s",
		       sf_arch_native()->name);
		return abi_add(c, sf_arch_native(), other, 0, 0xffffffffu);
	}
	return 0;
}

/* What the numbers no table names get, per ABI: those above the last name first (runc's stub
 * gives them ENOSYS: then it starts above the largest name that is not ENOSYS), then those
 * among the names (the gaps) below that, which are the default's. */
static void hist_add(struct hist *h, uint32_t ret, uint64_t n)
{
	size_t k = 0;
	while (k < h->n && h->v[k].ret != ret)
		k++;
	if (k == h->n && h->n < SF_ARRAY_SIZE(h->v))
		h->v[h->n++] = (struct hist_entry){ret, 0};
	if (k < h->n)
		h->v[k].n += n;
}

static size_t hist_max(const struct hist *h)
{
	size_t best = 0;
	for (size_t k = 1; k < h->n; k++)
		if (h->v[k].n > h->v[best].n)
			best = k;
	return best;
}

/* Unnamed numbers of b in [lo, hi] into h (those whose action depends on arguments are
 * reported: a profile cannot name them). */
static void survey(struct ctx *c, const struct abi *b, uint32_t lo, uint32_t hi, struct hist *h)
{
	char path[64];
	if (lo > hi)
		return;
	for (size_t i = 0; i < b->ap->n; i++) {
		const struct piece *pc = &b->ap->v[i];
		uint32_t l = pc->lo > lo ? pc->lo : lo, u = pc->hi < hi ? pc->hi : hi;
		if (l > u)
			continue;
		uint64_t n = (uint64_t)u - l + 1 - named_in(b, l, u);
		if (n == 0)
			continue;
		if (pc->args) {
			snprintf(path, sizeof(path), "%s/%u-%u", b->arch->name, l, u);
			report(c, SF_SEV_ERROR, path, "unnamed-syscall",
			       "numbers %u to %u have no name on %s and their action depends on "
			       "arguments: a profile cannot name them",
			       l, u, b->arch->name);
			continue;
		}
		/* the piece is one action, but may hold named numbers: take an unnamed one */
		uint32_t x = l;
		while (x < u && named_in(b, x, x))
			x++;
		hist_add(h, live_nr(c, b->ap->audit, x), n);
	}
}

static bool stub_allowed(uint32_t dflt)
{
	uint32_t act = dflt & SECCOMP_RET_ACTION_FULL;
	return dflt != (SECCOMP_RET_ERRNO | ENOSYS) && act != SECCOMP_RET_ALLOW &&
	       act != SECCOMP_RET_LOG && act != SECCOMP_RET_TRACE;
}

static void abi_survey(struct ctx *c, struct abi *b)
{
	uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS;
	size_t a = named_in(b, 0, b->base_lo ? b->base_lo - 1 : 0) * (b->base_lo != 0);
	size_t z = a + named_in(b, b->base_lo, b->base_hi);
	uint32_t top = z > a ? b->named[z - 1] : b->base_lo;

	b->top = top;
	if (top < b->base_hi)
		survey(c, b, top + 1, b->base_hi, &b->above);
	b->limit = top;
	if (b->above.n == 1 && b->above.v[0].ret == enosys) {
		for (size_t k = z; k-- > a;) {
			uint32_t nr = b->named[k];
			const struct piece *pc = sf_piece_find(b->ap, nr);
			if (pc->args || live_nr(c, b->ap->audit, nr) != enosys) {
				b->stub_cand = true;
				b->stub_max = nr;
				b->limit = nr;
				break;
			}
		}
	}
	survey(c, b, b->base_lo, b->limit, &b->gap);
	if (b->gap.n) {
		b->dflt = b->gap.v[hist_max(&b->gap)].ret;
		b->has_dflt = true;
	} else if (!b->stub_cand && b->above.n) {
		b->dflt = b->above.v[hist_max(&b->above)].ret;
		b->has_dflt = true;
	}
}

/* Once the profile's default is known: the stub, and the unnamed numbers it does not cover. */
static void abi_finish(struct ctx *c, struct abi *b)
{
	char path[64], a[32], d[32];
	b->stub = b->stub_cand && stub_allowed(c->dflt);
	for (size_t k = 0; k < b->gap.n; k++) {
		if (b->gap.v[k].ret == c->dflt)
			continue;
		snprintf(path, sizeof(path), "%s", b->arch->name);
		report(c, SF_SEV_ERROR, path, "unnamed-syscall",
		       "%" PRIu64 " numbers without a name on %s get %s, not the default %s: a "
		       "profile can only name syscalls",
		       b->gap.v[k].n, b->arch->name, sf_ret_describe(b->gap.v[k].ret, a, sizeof(a)),
		       sf_ret_describe(c->dflt, d, sizeof(d)));
	}
	if (b->stub)
		return;
	for (size_t k = 0; k < b->above.n; k++) {
		if (b->above.v[k].ret == c->dflt)
			continue;
		snprintf(path, sizeof(path), "%s/%u-", b->arch->name, b->top + 1);
		report(c, SF_SEV_ERROR, path, "unnamed-syscall",
		       "%" PRIu64 " numbers above the last named one on %s (%u) get %s, not the "
		       "default %s",
		       b->above.v[k].n, b->arch->name, b->top,
		       sf_ret_describe(b->above.v[k].ret, a, sizeof(a)),
		       sf_ret_describe(c->dflt, d, sizeof(d)));
	}
}

struct mean_ctx {
	struct ctx *c;
	const struct sf_policy *pol;
	uint32_t nr, audit;
	const struct sf_arch *arch;
	bool ok;
};

static int mean_one(const struct seccomp_data *d0, void *p)
{
	struct mean_ctx *m = p;
	struct seccomp_data d = *d0;
	if ((uint32_t)d.nr != m->nr || d.arch != m->audit)
		return 0;
	if (narrow(m->arch) && strcmp(m->arch->name, "x32") != 0)
		for (int i = 0; i < 6; i++)
			d.args[i] &= 0xffffffffu;
	if (sf_ret_effect(sf_policy_eval(m->pol, &d)) != live(m->c, &d)) {
		m->ok = false;
		return 1;
	}
	return 0;
}

/* Whether the rules of fn, in their order, compile for b (libseccomp would neither refuse nor
 * hang on them) and mean the grid: a profile of this syscall alone is built and evaluated. */
static int rules_mean(struct ctx *c, const struct abi *b, size_t idx, const struct grid *g,
		      const struct func *fn, bool *ok)
{
	struct sf_profile *p = sf_profile_new();
	struct sf_policy *pol = NULL;
	const struct sf_arch *arches[1] = {b->arch};
	struct sf_compile_opts o = {.arches = arches,
				    .narches = 1,
				    .has_bad_arch = true,
				    .bad_arch_ret = c->out->bad_arch_ret,
				    .no_verify = true};
	const char *why;
	bool he;
	uint32_t data;
	int r = 0;

	*ok = false;
	if (!p)
		return -ENOMEM;
	ret_action(c->dflt, &p->default_action, &he, &data, &why);
	p->has_default_errno = he;
	p->default_errno = data;
	if (fn->constant && fn->ret != c->dflt) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule)
			r = -ENOMEM;
		else {
			ret_action(fn->ret, &rule->action, &rule->has_errno, &rule->errno_ret,
				   &why);
			r = sf_rule_add_name(p, rule, sf_syscall_name_at(idx));
		}
	}
	for (size_t i = 0; i < (fn->constant ? 0 : fn->nboxes) && r == 0; i++) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule) {
			r = -ENOMEM;
			break;
		}
		ret_action(fn->boxes[i].ret, &rule->action, &rule->has_errno, &rule->errno_ret,
			   &why);
		r = sf_rule_add_name(p, rule, sf_syscall_name_at(idx));
		for (unsigned k = 0; k < fn->boxes[i].nconds && r == 0; k++)
			r = sf_rule_add_arg(p, rule, &fn->boxes[i].conds[k]);
	}
	if (r == 0 && sf_policy_build(p, &o, &pol, NULL, NULL) == 0) {
		size_t coord[7] = {0};
		*ok = true;
		for (size_t pt = 0; pt < g->npoints && *ok; pt++) {
			struct seccomp_data d;
			grid_point(g, pt, coord);
			grid_data(g, coord, &d);
			*ok = sf_ret_effect(sf_policy_eval(pol, &d)) == g->f[pt];
		}
		/* and on the edges of the rules' own conditions */
		struct mean_ctx mc = {.c = c,
				      .pol = pol,
				      .nr = g->nr,
				      .audit = g->abi->ap->audit,
				      .arch = g->abi->arch,
				      .ok = *ok};
		if (*ok)
			sf_policy_vectors(pol, mean_one, &mc);
		*ok = mc.ok;
	}
	sf_policy_free(pol);
	sf_profile_free(p);
	return r < 0 ? -ENOMEM : 0;
}

/* An order of fn's rules that means the grid (libseccomp's precedence and its hangs depend
 * on it): as found, then other permutations (few rules: all of them). */
static int order_boxes(struct ctx *c, const struct abi *b, size_t idx, const struct grid *g,
		       struct func *fn, bool *ok)
{
	size_t n = fn->nboxes, k[8] = {0}, i = 1;
	int r = rules_mean(c, b, idx, g, fn, ok);
	if (r < 0 || *ok || n < 2)
		return r;
	if (n > 6) {
		/* too many to permute: reversed only */
		for (size_t a = 0, z = n - 1; a < z; a++, z--) {
			struct fbox t = fn->boxes[a];
			fn->boxes[a] = fn->boxes[z];
			fn->boxes[z] = t;
		}
		return rules_mean(c, b, idx, g, fn, ok);
	}
	/* Heap's algorithm, iteratively */
	while (i < n) {
		if (k[i] < i) {
			size_t j = i % 2 ? k[i] : 0;
			struct fbox t = fn->boxes[j];
			fn->boxes[j] = fn->boxes[i];
			fn->boxes[i] = t;
			if ((r = rules_mean(c, b, idx, g, fn, ok)) < 0 || *ok)
				return r;
			k[i]++;
			i = 1;
		} else {
			k[i] = 0;
			i++;
		}
	}
	return 0;
}

/* Rules that overlap, as profiles often have them (libseccomp tests the rules whose first
 * condition is on a higher argument first): tried where disjoint rules cannot say it. */
static int relaxed_cover(struct ctx *c, const struct abi *b, size_t idx, struct grid *g,
			 struct func *fn, const char **why)
{
	struct func alt = {0};
	const char *why2 = NULL;
	bool ok = false;
	int r = grid_cover(c, g, c->dflt, true, &alt, &why2);
	if (r == 0 && !why2 && !alt.constant)
		r = order_boxes(c, b, idx, g, &alt, &ok);
	if (r == 0 && ok) {
		free(fn->boxes);
		alt.set = true;
		*fn = alt;
		*why = NULL;
		return 0;
	}
	free(alt.boxes);
	return r;
}

static int abi_funcs(struct ctx *c, struct abi *b)
{
	char path[96];
	for (size_t idx = 0; idx < sf_syscall_count(); idx++) {
		long lnr = sf_syscall_nr_at(b->arch, idx);
		if (lnr < 0)
			continue;
		uint32_t nr = (uint32_t)lnr;
		struct func *fn = &b->funcs[idx];
		const struct piece *pc = sf_piece_find(b->ap, nr);
		fn->set = true;
		if (b->stub && nr > b->stub_max) {
			fn->dontcare = true;
			continue;
		}
		if (!pc->args) {
			fn->constant = true;
			fn->ret = live_nr(c, b->ap->audit, nr);
		} else {
			struct grid g;
			const char *why = NULL;
			int r = grid_build(c, b, nr, pc, &g);
			if (r == -E2BIG) {
				why = "its argument tests make too many combinations to follow";
				fn->constant = true;
				fn->ret = live_nr(c, b->ap->audit, nr);
			} else if (r < 0) {
				grid_free(&g);
				return r;
			} else if ((r = grid_cover(c, &g, c->dflt, false, fn, &why)) < 0) {
				grid_free(&g);
				return r;
			} else if (!why && !fn->constant) {
				bool ok;
				if ((r = order_boxes(c, b, idx, &g, fn, &ok)) < 0) {
					grid_free(&g);
					return r;
				}
				if (!ok)
					why =
					    "no order of the rules that say it is read by "
					    "libseccomp "
					    "as it should be (it merges them otherwise, or hangs)";
			}
			if (why && !fn->constant && r == 0 &&
			    (r = relaxed_cover(c, b, idx, &g, fn, &why)) < 0) {
				grid_free(&g);
				return r;
			}
			grid_free(&g);
			if (why) {
				fn->uncertain = true;
				report(c, SF_SEV_ERROR, abi_name_of(b, nr, path, sizeof(path)),
				       "inexpressible-args", "%s", why);
			}
		}
		const char *why = NULL;
		enum sf_action a;
		bool he;
		uint32_t data;
		for (size_t i = 0; i < (fn->constant ? 1 : fn->nboxes); i++) {
			uint32_t ret = fn->constant ? fn->ret : fn->boxes[i].ret;
			if (ret != c->dflt && !ret_action(ret, &a, &he, &data, &why)) {
				fn->uncertain = true;
				report(c, SF_SEV_ERROR, abi_name_of(b, nr, path, sizeof(path)),
				       "inexpressible-action", "%s", why);
				break;
			}
		}
		if (func_key(fn) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- one function for every ABI ---- */

static int rules_mean(struct ctx *c, const struct abi *b, size_t idx, const struct grid *g,
		      const struct func *fn, bool *ok);

/* Whether the rules of fn (found on another ABI) say what syscall idx does on b: compiled for
 * b alone, they must give what the programs give on b's grid of that syscall and on the edges
 * of their own conditions. */
static int func_fits(struct ctx *c, const struct func *fn, const struct func *mine,
		     const struct abi *b, size_t idx, bool *fits)
{
	uint32_t nr = (uint32_t)sf_syscall_nr_at(b->arch, idx);
	const struct piece *pc = sf_piece_find(b->ap, nr);
	*fits = strcmp(fn->key, mine->key) == 0;
	if (*fits || mine->uncertain)
		return 0;
	if (fn->constant) /* mine is not the same constant: it differs somewhere */
		return 0;
	struct grid g;
	int r = grid_build(c, b, nr, pc, &g);
	if (r == 0)
		r = rules_mean(c, b, idx, &g, fn, fits);
	grid_free(&g);
	return r == -E2BIG ? 0 : r;
}

/* Whether fn fits every ABI but the one (skip) it was found on. */
static int fits_all(struct ctx *c, size_t idx, size_t skip, const struct func *fn, bool *all)
{
	*all = true;
	for (size_t j = 0; j < c->nabis && *all; j++) {
		const struct func *o = &c->abis[j].funcs[idx];
		if (j == skip || !o->set || o->dontcare)
			continue;
		int r = func_fits(c, fn, o, &c->abis[j], idx, all);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Try the equivalents of fn's conditions (all combinations, up to a budget) until the rules
 * fit every ABI; fn is changed to them. 1 found, 0 not. */
static int try_variants(struct ctx *c, size_t idx, size_t skip, struct func *fn)
{
	struct {
		size_t box;
		unsigned cond;
	} slots[64];
	size_t nslots = 0, choice[64] = {0};
	uint64_t combos = 1;
	for (size_t b = 0; b < fn->nboxes; b++)
		for (unsigned k = 0; k < fn->boxes[b].nconds; k++)
			if (fn->boxes[b].nalts[k] && nslots < SF_ARRAY_SIZE(slots)) {
				slots[nslots].box = b;
				slots[nslots++].cond = k;
				if (combos < 100000)
					combos *= 1u + fn->boxes[b].nalts[k];
			}
	if (!nslots)
		return 0;
	struct fbox *orig = malloc(fn->nboxes * sizeof(*orig));
	char *key = fn->key;
	if (!orig)
		return -ENOMEM;
	memcpy(orig, fn->boxes, fn->nboxes * sizeof(*orig));
	for (unsigned tries = 0; tries < 512; tries++) {
		/* next combination (the first, all originals, was tried already) */
		size_t s2 = 0;
		for (; s2 < nslots; s2++) {
			if (++choice[s2] <= fn->boxes[slots[s2].box].nalts[slots[s2].cond])
				break;
			choice[s2] = 0;
		}
		if (s2 == nslots)
			break;
		for (size_t k = 0; k < nslots; k++) {
			struct fbox *bx = &fn->boxes[slots[k].box];
			unsigned cd = slots[k].cond;
			bx->conds[cd] = choice[k] ? orig[slots[k].box].alts[cd][choice[k] - 1]
						  : orig[slots[k].box].conds[cd];
		}
		fn->key = NULL;
		bool all;
		int r = func_key(fn);
		if (r == 0)
			r = fits_all(c, idx, skip, fn, &all);
		if (r == 0 && all) {
			/* still right where it was found (rules that overlap depend on the form) */
			const struct abi *b = &c->abis[skip];
			uint32_t nr = (uint32_t)sf_syscall_nr_at(b->arch, idx);
			struct grid g;
			r = grid_build(c, b, nr, sf_piece_find(b->ap, nr), &g);
			if (r == 0)
				r = rules_mean(c, b, idx, &g, fn, &all);
			grid_free(&g);
			if (r == -E2BIG) {
				r = 0;
				all = false;
			}
		}
		if (r < 0) {
			free(fn->key);
			fn->key = key;
			memcpy(fn->boxes, orig, fn->nboxes * sizeof(*orig));
			free(orig);
			return r;
		}
		if (all) {
			free(key);
			free(orig);
			return 1;
		}
		free(fn->key);
	}
	fn->key = key;
	memcpy(fn->boxes, orig, fn->nboxes * sizeof(*orig));
	free(orig);
	return 0;
}

/* The function to write for syscall idx: one whose rules fit every ABI, else the first ABI's
 * (and the others are reported). NULL when no ABI has it. */
static int pick_func(struct ctx *c, size_t idx, const struct func **out)
{
	const char *name = sf_syscall_name_at(idx);
	char path[96];
	*out = NULL;
	for (size_t i = 0; i < c->nabis; i++) {
		const struct func *fn = &c->abis[i].funcs[idx];
		if (!fn->set || fn->dontcare)
			continue;
		bool all = true;
		for (size_t j = 0; j < c->nabis && all; j++) {
			const struct func *o = &c->abis[j].funcs[idx];
			if (j == i || !o->set || o->dontcare)
				continue;
			int r = func_fits(c, fn, o, &c->abis[j], idx, &all);
			if (r < 0)
				return r;
		}
		if (all) {
			*out = fn;
			return 0;
		}
		if (!*out)
			*out = fn;
	}
	/* Equivalent conditions may fit where the first ones do not. */
	for (size_t i = 0; i < c->nabis; i++) {
		struct func *fn = &c->abis[i].funcs[idx];
		if (!fn->set || fn->dontcare || fn->constant)
			continue;
		int r = try_variants(c, idx, i, fn);
		if (r < 0)
			return r;
		if (r > 0) {
			*out = fn;
			return 0;
		}
	}
	if (!*out)
		return 0;
	const struct abi *first = NULL;
	for (size_t i = 0; i < c->nabis; i++)
		if (&c->abis[i].funcs[idx] == *out)
			first = &c->abis[i];
	for (size_t j = 0; j < c->nabis; j++) {
		const struct func *o = &c->abis[j].funcs[idx];
		bool fits;
		if (&c->abis[j] == first || !o->set || o->dontcare)
			continue;
		int r = func_fits(c, *out, o, &c->abis[j], idx, &fits);
		if (r < 0)
			return r;
		if (fits)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->abis[j].arch->name, name);
		report(c, SF_SEV_ERROR, path, "per-arch",
		       "%s does something else on %s than on %s: a profile's rules hold for all "
		       "its architectures (the profile says what %s does)",
		       name, c->abis[j].arch->name, first->arch->name, first->arch->name);
	}
	return 0;
}

/* ---- the profile ---- */

struct group {
	uint32_t ret;
	const struct fbox *box; /* NULL: unconditional */
	const char *key;
	const char **names;
	size_t nnames;
	bool uncertain;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_to_group(struct group **gs, size_t *ng, uint32_t ret, const struct fbox *box,
			const char *name, bool uncertain)
{
	char key[256];
	int len = snprintf(key, sizeof(key), "%08x", ret);
	for (unsigned j = 0; box && j < box->nconds; j++)
		len += snprintf(key + len, sizeof(key) - (size_t)len, " %u:%d:%" PRIx64 ":%" PRIx64,
				box->conds[j].index, box->conds[j].op, box->conds[j].value,
				box->conds[j].value_two);
	size_t i = 0;
	while (i < *ng && !(strcmp((*gs)[i].key, key) == 0 && (*gs)[i].uncertain == uncertain))
		i++;
	if (i == *ng) {
		struct group *v = reallocarray(*gs, *ng + 1, sizeof(*v));
		char *k = strdup(key);
		if (!v || !k) {
			free(k);
			if (v)
				*gs = v;
			return -ENOMEM;
		}
		*gs = v;
		(*gs)[i] = (struct group){.ret = ret, .box = box, .key = k, .uncertain = uncertain};
		(*ng)++;
	}
	const char **n = reallocarray((void *)(*gs)[i].names, (*gs)[i].nnames + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	(*gs)[i].names = n;
	n[(*gs)[i].nnames++] = name;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	/* unconditional rules first, then by action, then by first name */
	if (!x->box != !y->box)
		return x->box ? 1 : -1;
	if (x->ret != y->ret)
		return x->ret > y->ret ? -1 : 1;
	return strcmp(x->names[0], y->names[0]);
}

static int set_action(struct sf_rule *r, uint32_t ret)
{
	const char *why;
	bool he;
	uint32_t data;
	ret_action(ret, &r->action, &he, &data, &why);
	r->has_errno = he;
	r->errno_ret = data;
	return 0;
}

static const char uncertain_comment[] =
    "UNCERTAIN (sysfence dump --partial): the live filter does something this rule does not "
    "say exactly; see the report";

static int make_profile(struct ctx *c, struct sf_profile **out)
{
	struct sf_profile *p = sf_profile_new();
	struct group *gs = NULL;
	size_t ng = 0;
	int r = 0;

	if (!p)
		return -ENOMEM;
	{
		const char *why;
		bool he;
		uint32_t data;
		if (!ret_action(c->dflt, &p->default_action, &he, &data, &why))
			report(c, SF_SEV_ERROR, "defaultAction", "inexpressible-action", "%s", why);
		/* ERRNO and TRACE: their data (runc gives EPERM when none is written) */
		if (he) {
			p->has_default_errno = true;
			p->default_errno = data;
		}
	}
	for (size_t i = 0; i < c->nabis; i++)
		if ((r = sf_profile_add_arch(p, c->abis[i].arch->scmp_name)) < 0)
			goto out;
	for (size_t idx = 0; idx < sf_syscall_count(); idx++) {
		const char *name = sf_syscall_name_at(idx);
		const struct func *pick;
		if ((r = pick_func(c, idx, &pick)) < 0)
			goto out;
		bool anchor = false;
		for (size_t i = 0; i < c->nabis; i++)
			anchor |= c->abis[i].stub && sf_syscall_nr_at(c->abis[i].arch, idx) ==
							 (long)c->abis[i].stub_max;
		if (!pick) {
			continue;
		}
		bool unc = pick->uncertain && c->partial;
		if (pick->constant) {
			if (pick->ret != c->dflt || anchor || unc)
				r = add_to_group(&gs, &ng, pick->ret, NULL, name, unc);
		} else if (pick->nboxes == 0) {
			/* nothing said: named with the default when uncertain, to say so */
			if (unc || anchor)
				r = add_to_group(&gs, &ng, c->dflt, NULL, name, unc);
		} else if (pick->nboxes == 1) {
			r = add_to_group(&gs, &ng, pick->boxes[0].ret, &pick->boxes[0], name, unc);
		} else {
			/* several rules: kept together, in the order checked against libseccomp */
			struct sf_rule *rule;
			for (size_t b = 0; b < pick->nboxes && !r; b++) {
				if (!(rule = sf_profile_add_rule(p))) {
					r = -ENOMEM;
					break;
				}
				set_action(rule, pick->boxes[b].ret);
				r = sf_rule_add_name(p, rule, name);
				for (unsigned j = 0; j < pick->boxes[b].nconds && !r; j++)
					r = sf_rule_add_arg(p, rule, &pick->boxes[b].conds[j]);
				if (unc)
					rule->comment = sf_profile_strdup(p, uncertain_comment);
			}
		}
		if (r)
			goto out;
	}
	if (ng)
		qsort(gs, ng, sizeof(*gs), group_cmp);
	for (size_t i = 0; i < ng; i++) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		if (!rule) {
			r = -ENOMEM;
			goto out;
		}
		qsort((void *)gs[i].names, gs[i].nnames, sizeof(*gs[i].names), cmp_str);
		for (size_t j = 0; j < gs[i].nnames; j++)
			if ((r = sf_rule_add_name(p, rule, gs[i].names[j])) < 0)
				goto out;
		set_action(rule, gs[i].ret);
		for (unsigned j = 0; gs[i].box && j < gs[i].box->nconds; j++)
			if ((r = sf_rule_add_arg(p, rule, &gs[i].box->conds[j])) < 0)
				goto out;
		if (gs[i].ret == c->dflt && !gs[i].box)
			rule->comment = sf_profile_strdup(
			    p, "the default action: named so that runc's ENOSYS stub "
			       "(--runc-compat) starts above it");
		if (gs[i].uncertain)
			rule->comment = sf_profile_strdup(p, uncertain_comment);
	}
out:
	for (size_t i = 0; i < ng; i++) {
		free((void *)gs[i].key);
		free((void *)gs[i].names);
	}
	free(gs);
	if (r < 0) {
		sf_profile_free(p);
		return r;
	}
	*out = p;
	return 0;
}

/* ---- verification ---- */

struct vctx {
	struct ctx *c;
	const struct sf_policy *pol;
	size_t checked, mismatches;
	struct {
		uint32_t arch, nr;
		struct seccomp_data d;
		uint32_t live, got;
	} bad[MAX_REPORT];
	size_t nbad;
};

/* Whether an input is of an ABI chosen (or of an architecture the programs do not accept:
 * the bad-arch action's), not of one left out with --arch. */
static bool chosen_input(const struct ctx *c, const struct seccomp_data *d, const struct sf_arch *a,
			 bool x32)
{
	bool accepted = false;
	for (size_t i = 0; i + 1 < c->an.narchs; i++)
		accepted |= c->an.archs[i].audit == d->arch;
	if (!accepted)
		return true;
	/* what is no x86_64 number on x86_64 (above its range) is x32's to say */
	if (a && strcmp(a->name, "x86_64") == 0 && (uint32_t)d->nr >= X32_BIT &&
	    (uint32_t)d->nr != 0xffffffffu)
		x32 = true;
	const struct sf_arch *abi = x32 ? sf_arch_find("x32") : a;
	for (size_t i = 0; i < c->nabis; i++)
		if (c->abis[i].arch == abi)
			return true;
	return false;
}

static int vcheck(const struct seccomp_data *d0, void *p)
{
	struct vctx *v = p;
	struct seccomp_data d = *d0;
	const struct sf_arch *a = sf_arch_by_audit(d.arch);
	bool x32 = a && strcmp(a->name, "x86_64") == 0 && ((uint32_t)d.nr & X32_BIT) &&
		   (uint32_t)d.nr != 0xffffffffu;
	/* The kernel zero-extends a 32-bit ABI's arguments: other inputs do not happen. */
	if (a && narrow(a) && !x32)
		for (int i = 0; i < 6; i++)
			d.args[i] &= 0xffffffffu;
	/* ABIs left out on request (--arch) are not compared */
	if (v->c->restricted && !chosen_input(v->c, &d, a, x32))
		return 0;
	uint32_t want = live(v->c, &d), got = sf_ret_effect(sf_policy_eval(v->pol, &d));
	v->checked++;
	if (want == got)
		return 0;
	v->mismatches++;
	for (size_t i = 0; i < v->nbad; i++)
		if (v->bad[i].arch == d.arch && v->bad[i].nr == (uint32_t)d.nr)
			return 0;
	if (v->nbad < MAX_REPORT) {
		v->bad[v->nbad].arch = d.arch;
		v->bad[v->nbad].nr = (uint32_t)d.nr;
		v->bad[v->nbad].d = d;
		v->bad[v->nbad].live = want;
		v->bad[v->nbad].got = got;
		v->nbad++;
	}
	return 0;
}

/* The grid's points and each argument's every value, for one number that reads arguments. */
static void check_args(struct vctx *v, const struct abi *b, uint32_t nr, const struct piece *pc)
{
	struct grid g;
	int r = grid_build(v->c, b, nr, pc, &g);
	size_t coord[7];
	struct seccomp_data d;
	if (r == 0 || r == -E2BIG) {
		size_t n = r == 0 ? g.npoints : 0;
		for (size_t p = 0; p < n && p < MAX_GRID; p++) {
			grid_point(&g, p, coord);
			grid_data(&g, coord, &d);
			vcheck(&d, v);
		}
		/* every value of one argument, the others at their first class */
		for (size_t i = 0; i < g.nax; i++)
			for (size_t k = 0; k < g.ax[i].nvals; k++) {
				memset(coord, 0, sizeof(coord));
				grid_data(&g, coord, &d);
				if (g.ax[i].dim == DIM_IP)
					d.instruction_pointer = g.ax[i].vals[k];
				else
					d.args[g.ax[i].dim] = g.ax[i].vals[k];
				vcheck(&d, v);
			}
	}
	grid_free(&g);
}

static void check_number(struct vctx *v, const struct abi *b, uint32_t nr)
{
	const struct piece *pc = sf_piece_find(b->ap, nr);
	struct seccomp_data d = {.nr = (int)nr, .arch = b->ap->audit};
	if (pc->args) {
		check_args(v, b, nr, pc);
	} else {
		vcheck(&d, v);
		for (int i = 0; i < 6; i++)
			d.args[i] = 0xfedcba9876543210ull ^ (uint64_t)i;
		d.instruction_pointer = 0x7f0000001000ull;
		vcheck(&d, v);
	}
}

static int verify(struct ctx *c, const struct sf_profile *p, bool stub)
{
	const struct sf_arch *arches[MAX_ABIS];
	struct sf_compile_opts o = {.arches = arches,
				    .narches = c->nabis,
				    .has_bad_arch = true,
				    .bad_arch_ret = c->out->bad_arch_ret,
				    .runc_compat = stub};
	struct sf_policy *pol = NULL;
	struct sf_findings fs;
	struct sf_error e = {0};
	struct vctx *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < c->nabis; i++)
		arches[i] = c->abis[i].arch;
	sf_findings_init(&fs, "");
	r = sf_policy_build(p, &o, &pol, &fs, &e);
	sf_findings_clear(&fs);
	if (r < 0) {
		report(c, SF_SEV_ERROR, "", "recompile",
		       "the recovered profile does not compile as its rules say: %s", e.msg);
		c->out->nmismatch = 1;
		free(v);
		return 0;
	}
	v->c = c;
	v->pol = pol;
	/* The recovered profile's own vectors: its conditions' edges, every table number. */
	sf_policy_vectors(pol, vcheck, v);
	/* The programs' view: every number at which they may change, and around it. */
	static const uint32_t edges[] = {0,	     1,		 0x3fffffff, 0x40000000,
					 0x40000001, 0x7fffffff, 0x80000000, 0xbfffffff,
					 0xc0000000, 0xfffffffe, 0xffffffff};
	for (size_t i = 0; i < c->nabis; i++) {
		const struct abi *b = &c->abis[i];
		if (i > 0 && b->ap == c->abis[i - 1].ap)
			continue; /* x32 shares x86_64's pieces: done */
		for (size_t k = 0; k < b->ap->n; k++) {
			const struct piece *pc = &b->ap->v[k];
			check_number(v, b, pc->lo);
			check_number(v, b, pc->hi);
			if (pc->lo)
				check_number(v, b, pc->lo - 1);
			if (pc->hi != 0xffffffffu)
				check_number(v, b, pc->hi + 1);
		}
		for (size_t k = 0; k < SF_ARRAY_SIZE(edges); k++)
			check_number(v, b, edges[k]);
		for (size_t j = 0; j < c->nabis; j++) {
			const struct abi *bj = &c->abis[j];
			if (bj->ap != b->ap)
				continue;
			for (size_t k = 0; k < bj->nnamed; k++) {
				check_number(v, b, bj->named[k]);
				check_number(v, b, bj->named[k] + 1);
				if (bj->named[k])
					check_number(v, b, bj->named[k] - 1);
			}
			if (bj->stub) {
				check_number(v, b, bj->stub_max);
				check_number(v, b, bj->stub_max + 1);
			}
		}
	}
	/* Other architectures: the compared values that are no ABI, and one nobody compares. */
	for (size_t i = 0; i < c->an.narchs; i++) {
		const struct arch_pieces *ap = &c->an.archs[i];
		bool abi = false;
		for (size_t j = 0; j < c->nabis; j++)
			abi |= c->abis[j].ap == ap && !ap->other;
		if (abi)
			continue;
		uint32_t audit = ap->other ? c->foreign : ap->audit;
		for (size_t k = 0; k < ap->n; k++) {
			struct seccomp_data d = {.nr = (int)ap->v[k].lo, .arch = audit};
			vcheck(&d, v);
			d.nr = (int)ap->v[k].hi;
			vcheck(&d, v);
		}
	}
	c->out->nchecked = v->checked;
	c->out->nmismatch = v->mismatches;
	for (size_t i = 0; i < v->nbad; i++) {
		const struct sf_arch *a = sf_arch_by_audit(v->bad[i].arch);
		const struct abi *b = NULL;
		for (size_t j = 0; j < c->nabis; j++)
			if (c->abis[j].arch->audit_arch == v->bad[i].arch &&
			    (!(v->bad[i].nr & X32_BIT) || v->bad[i].nr == 0xffffffffu) ==
				!is_x32(&c->abis[j]))
				b = &c->abis[j];
		char path[96], lw[32], gw[32];
		if (b)
			abi_name_of(b, v->bad[i].nr, path, sizeof(path));
		else
			snprintf(path, sizeof(path), "%s/%u", a ? a->name : "other-arch",
				 v->bad[i].nr);
		const struct seccomp_data *d = &v->bad[i].d;
		report(c, SF_SEV_ERROR, path, "mismatch",
		       "the live filter gives %s, the recovered profile %s (args %#" PRIx64
		       ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ",%#" PRIx64 ")",
		       sf_ret_describe(v->bad[i].live, lw, sizeof(lw)),
		       sf_ret_describe(v->bad[i].got, gw, sizeof(gw)), (uint64_t)d->args[0],
		       (uint64_t)d->args[1], (uint64_t)d->args[2], (uint64_t)d->args[3],
		       (uint64_t)d->args[4], (uint64_t)d->args[5]);
	}
	sf_policy_free(pol);
	free(v);
	return 0;
}

/* ---- the whole ---- */

void sf_decompiled_clear(struct sf_decompiled *d)
{
	if (!d)
		return;
	sf_profile_free(d->profile);
	sf_findings_clear(&d->report);
	free(d->arches);
	memset(d, 0, sizeof(*d));
}

static uint32_t foreign_arch(const struct analysis *an)
{
	for (size_t i = 0; i < sf_arch_count(); i++) {
		uint32_t a = sf_arch_at(i)->audit_arch;
		bool used = false;
		for (size_t j = 0; j + 1 < an->narchs; j++)
			used |= an->archs[j].audit == a;
		if (!used)
			return a;
	}
	return 0x12345678;
}

int sf_decompile(const struct sf_prog *progs, size_t n, const struct sf_decompile_opts *opts,
		 struct sf_decompiled *out, struct sf_error *err)
{
	struct ctx *c = calloc(1, sizeof(*c));
	int r;

	memset(out, 0, sizeof(*out));
	sf_findings_init(&out->report, "");
	if (!c)
		return sf_error_set(err, -ENOMEM, "out of memory");
	if (n == 0) {
		free(c);
		return sf_error_set(err, -EINVAL, "no filter to decompile");
	}
	c->progs = progs;
	c->nprogs = n;
	c->partial = opts && opts->partial;
	c->restricted = opts && opts->narches;
	c->out = out;
	c->err = err;
	r = sf_analyze(progs, n, &c->an, err);
	if (r < 0)
		goto out;
	c->foreign = foreign_arch(&c->an);

	/* What other architectures get: one action for every number, or a report. */
	{
		const struct arch_pieces *other = &c->an.archs[c->an.narchs - 1];
		out->bad_arch_ret = live_nr(c, c->foreign, 0);
		for (size_t k = 0; k < other->n; k++) {
			if (other->v[k].args ||
			    live_nr(c, c->foreign, other->v[k].lo) != out->bad_arch_ret) {
				if (c->an.narchs > 1)
					report(c, SF_SEV_ERROR, "arch", "bad-arch",
					       "what other architectures get depends on the "
					       "syscall or its arguments: a profile (and "
					       "compile's --bad-arch) gives them one action");
				break;
			}
		}
	}
	if ((r = find_abis(c, opts)) < 0)
		goto nomem;
	if (c->nabis == 0) {
		r = sf_error_set(err, -EINVAL,
				 "the program accepts no architecture sysfence knows");
		goto out;
	}
	out->arches = calloc(c->nabis, sizeof(*out->arches));
	if (!out->arches)
		goto nomem;
	for (size_t i = 0; i < c->nabis; i++)
		out->arches[out->narches++] = c->abis[i].arch;

	/* The default: per ABI, then one for all. */
	for (size_t i = 0; i < c->nabis; i++)
		abi_survey(c, &c->abis[i]);
	{
		struct hist votes = {0};
		for (size_t i = 0; i < c->nabis; i++)
			if (c->abis[i].has_dflt)
				hist_add(&votes, c->abis[i].dflt, c->abis[i].nnamed);
		if (!votes.n) {
			/* every number has a name (or the stub): the commonest action of the names
			 */
			for (size_t i = 0; i < c->nabis; i++)
				for (size_t k = 0; k < c->abis[i].nnamed; k++) {
					uint32_t nr = c->abis[i].named[k];
					if (nr < c->abis[i].base_lo || nr > c->abis[i].base_hi ||
					    (c->abis[i].stub_cand && nr > c->abis[i].stub_max) ||
					    sf_piece_find(c->abis[i].ap, nr)->args)
						continue;
					hist_add(&votes, live_nr(c, c->abis[i].ap->audit, nr), 1);
				}
		}
		c->dflt =
		    votes.n ? votes.v[hist_max(&votes)].ret : live_nr(c, c->abis[0].ap->audit, 0);
		for (size_t i = 0; i < c->nabis; i++) {
			char a[32], d[32];
			if (c->abis[i].has_dflt && c->abis[i].dflt != c->dflt)
				report(c, SF_SEV_ERROR, c->abis[i].arch->name, "per-arch-default",
				       "the default on %s is %s, elsewhere %s: a profile has one "
				       "defaultAction",
				       c->abis[i].arch->name,
				       sf_ret_describe(c->abis[i].dflt, a, sizeof(a)),
				       sf_ret_describe(c->dflt, d, sizeof(d)));
			abi_finish(c, &c->abis[i]);
		}
		/* runc's stub is one option for the whole profile */
		size_t nstub = 0;
		for (size_t i = 0; i < c->nabis; i++)
			nstub += c->abis[i].stub;
		c->stub = nstub > 0;
		if (nstub && nstub != c->nabis)
			report(
			    c, SF_SEV_ERROR, "", "runc-stub",
			    "runc's ENOSYS stub is on some architectures only: a profile compiled "
			    "with --runc-compat has it on all");
		out->runc_compat = c->stub;
	}
	for (size_t i = 0; i < c->nabis; i++)
		if ((r = abi_funcs(c, &c->abis[i])) < 0)
			goto nomem;
	if ((r = make_profile(c, &out->profile)) < 0)
		goto nomem;
	if ((r = verify(c, out->profile, c->stub)) < 0)
		goto nomem;
	out->exact = out->nmismatch == 0 && out->report.nerrors == 0;
	if (!out->exact && !c->partial) {
		char names[512] = "";
		size_t len = 0, shown = 0;
		for (size_t i = 0; i < out->report.n && len + 1 < sizeof(names); i++) {
			const struct sf_finding *f = &out->report.v[i];
			if (f->severity != SF_SEV_ERROR || !f->path || !f->path[0] || shown >= 12)
				continue;
			bool dup = false;
			for (size_t j = 0; j < i; j++)
				dup |= out->report.v[j].severity == SF_SEV_ERROR &&
				       out->report.v[j].path &&
				       strcmp(out->report.v[j].path, f->path) == 0;
			if (dup)
				continue;
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						shown ? ", " : "", f->path);
			shown++;
		}
		r = sf_error_set(
		    err, -EPROTO,
		    "the filter cannot be written exactly as a profile (%zu problem%s%s%s%s); "
		    "--partial writes it anyway, marking what is uncertain",
		    out->report.nerrors, out->report.nerrors == 1 ? "" : "s", names[0] ? ": " : "",
		    names, out->report.nerrors > shown ? ", ..." : "");
	}
	goto out;
nomem:
	if (r == -ENOMEM)
		r = sf_error_set(err, -ENOMEM, "out of memory");
out:
	for (size_t i = 0; i < c->nabis; i++) {
		for (size_t k = 0; k < sf_syscall_count(); k++) {
			free(c->abis[i].funcs[k].boxes);
			free(c->abis[i].funcs[k].key);
		}
		free(c->abis[i].funcs);
		free(c->abis[i].named);
	}
	sf_analysis_free(&c->an);
	free(c);
	return r;
}
