/*
 * Differential tests of the compiler against libseccomp 2.5.4 (docs/semantics.md 10):
 *  (a) every case of tests/data/libseccomp-cases.txt through our policy and our verified
 *      program: libseccomp's result, except where the file marks a libseccomp defect or a
 *      deliberate difference, where it gives ours;
 *  (b) seeded random profiles, Docker's default and the Kubernetes tutorial profiles, one
 *      architecture at a time: our program against libseccomp's (the oracle) and against
 *      libseccomp's own tree (tests/support/lsmodel.c) on the oracle's vectors and on ours.
 *      Our program must mean libseccomp's tree everywhere. Where libseccomp's program does not
 *      mean its tree (its code-generation defects, docs/semantics.md 10.6) the input is counted
 *      and skipped, but only when the model of that defect predicts libseccomp's exact result.
 *      socketcall/ipc, where we differ on purpose (10.4), must be at least as strict.
 *      Refusals: a profile libseccomp refuses (EEXIST, or it never returns) we refuse for the
 *      same reason, naming the rule runc fails on; one it takes we take. Except where the
 *      refusal comes from a socketcall/ipc tree, whose rules differ on purpose, on either side
 *      (libseccomp's widened rules collide, or our fail-closed ones do: two rules as strict as
 *      the default with different actions reach one call): those are counted.
 *      Also: sf_profile_check reports "libseccomp-hang" exactly where libseccomp does not
 *      return.
 * SYSFENCE_DIFF_PROFILES scales (b) (profiles per arch and option set, default 80: about 20 s,
 * 35 s under ASan); SF_TEST_SEED reseeds; SYSFENCE_DIFF_COUNT=1 counts disagreements instead of
 * failing; SYSFENCE_DIFF_ONLY=test_name runs one test.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <seccomp.h>

#include <sysfence/sysfence.h>

#include "support/lsmodel.h"
#include "support/oracle.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define X32_BIT	      0x40000000u

static uint64_t test_seed(void)
{
	const char *s = getenv("SF_TEST_SEED");
	return s ? strtoull(s, NULL, 0) : 0x0facade5eedULL;
}

static const struct sf_arch *A(const char *name)
{
	const struct sf_arch *a = sf_arch_find(name);
	if (!a)
		fail_msg("unknown arch %s", name);
	return a;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *profile_json(const struct sf_profile *p)
{
	struct sf_buf b = {0};
	struct sf_error err = {0};

	if (sf_profile_write(p, SF_OUT_JSON, &b, &err) < 0)
		return strdup("(cannot write the profile)");
	return b.data;
}

static const char *ret_str(uint32_t r, char *buf, size_t n)
{
	return sf_ret_describe(r, buf, n);
}

/* Our program on a logical input (arguments as values). */
static uint32_t run_prog(const struct sf_prog *prog, const struct seccomp_data *d)
{
	struct seccomp_data k;
	struct sf_error err = {0};
	uint32_t ret = 0;

	sf_seccomp_data_for(sf_arch_by_audit(d->arch), d, &k);
	if (sf_bpf_emulate(prog->insns, prog->len, &k, &ret, NULL, &err) < 0)
		fail_msg("emulation: %s", err.msg);
	return ret;
}

/* ---------------------------------------------------------------------------------------------
 * (a) The cases file.
 */

struct crule {
	char name[64];
	enum sf_action action;
	bool has_errno;
	uint32_t errno_ret;
	struct sf_arg args[8];
	size_t nargs;
	bool has_rc;
	int rc;
	unsigned line;
};

struct cexpect {
	uint32_t audit;
	int32_t nr;
	uint64_t args[6];
	uint32_t lib, ours;
	bool has_ours;
	unsigned line;
};

struct ccase {
	char name[96];
	char defect[32], differs[32];
	const struct sf_arch *arches[8];
	size_t narches;
	enum sf_action def;
	bool has_def_errno;
	uint32_t def_errno;
	bool has_badarch;
	uint32_t badarch;
	struct crule rules[16];
	size_t nrules;
	struct cexpect expects[32];
	size_t nexpects;
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	bool neg = *s == '-';

	errno = 0;
	*v = strtoull(neg ? s + 1 : s, &end, 0);
	if (errno || *end || end == s + neg)
		return -1;
	if (neg)
		*v = (uint64_t)0 - *v;
	return 0;
}

/* ALLOW KILL KILL_PROCESS TRAP LOG ERRNO(n) TRACE(n) */
static int parse_action(const char *s, enum sf_action *a, bool *has, uint32_t *e)
{
	static const struct {
		const char *name;
		enum sf_action a;
	} plain[] = {
	    {"ALLOW", SF_ACT_ALLOW},
	    {"KILL", SF_ACT_KILL_THREAD},
	    {"KILL_THREAD", SF_ACT_KILL_THREAD},
	    {"KILL_PROCESS", SF_ACT_KILL_PROCESS},
	    {"TRAP", SF_ACT_TRAP},
	    {"LOG", SF_ACT_LOG},
	};
	unsigned n;

	*has = false;
	*e = 0;
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (strcmp(s, plain[i].name) == 0) {
			*a = plain[i].a;
			return 0;
		}
	if (sscanf(s, "ERRNO(%u)", &n) == 1) {
		*a = SF_ACT_ERRNO;
	} else if (sscanf(s, "TRACE(%u)", &n) == 1) {
		*a = SF_ACT_TRACE;
	} else {
		return -1;
	}
	*has = true;
	*e = n;
	return 0;
}

static enum sf_op parse_op(const char *s)
{
	static const char *const ops[] = {"", "NE", "LT", "LE", "EQ", "GE", "GT", "MASKED_EQ"};

	for (int i = 1; i < (int)ARRAY_SIZE(ops); i++)
		if (strcmp(s, ops[i]) == 0)
			return (enum sf_op)i;
	return SF_OP_INVALID;
}

static uint32_t parse_audit(const char *s)
{
	uint64_t v;

	if (strncmp(s, "0x", 2) == 0 && parse_u64(s, &v) == 0)
		return (uint32_t)v;
	return A(s)->audit_arch;
}

static size_t tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

static FILE *open_cases(void)
{
	static const char *const paths[] = {"tests/data/libseccomp-cases.txt",
					    "../tests/data/libseccomp-cases.txt",
					    "../../tests/data/libseccomp-cases.txt"};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		FILE *f = fopen(paths[i], "r");
		if (f)
			return f;
	}
	fail_msg("tests/data/libseccomp-cases.txt not found (run from the top directory)");
	return NULL;
}

/* Parse the whole file; returns the number of cases (calloc'd array in *out). */
static size_t read_cases(struct ccase **out)
{
	FILE *f = open_cases();
	char line[1024];
	unsigned lineno = 0;
	struct ccase *v = NULL, *c = NULL;
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *tok[64];
		size_t nt;

		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = 0;
		nt = tokenize(line, tok, ARRAY_SIZE(tok));
		if (!nt)
			continue;
		if (strcmp(tok[0], "case") == 0) {
			v = realloc(v, (n + 1) * sizeof(*v));
			assert_non_null(v);
			c = &v[n++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%s", nt > 1 ? tok[1] : "?");
			c->def = SF_ACT_ALLOW;
			continue;
		}
		if (!c)
			fail_msg("line %u: directive before the first case", lineno);
		if (strcmp(tok[0], "arch") == 0) {
			for (size_t i = 1; i < nt && c->narches < ARRAY_SIZE(c->arches); i++)
				c->arches[c->narches++] = A(tok[i]);
		} else if (strcmp(tok[0], "default") == 0 && nt == 2) {
			if (parse_action(tok[1], &c->def, &c->has_def_errno, &c->def_errno))
				fail_msg("line %u: action %s", lineno, tok[1]);
		} else if (strcmp(tok[0], "badarch") == 0 && nt == 2) {
			enum sf_action a;
			bool has;
			uint32_t e;
			if (parse_action(tok[1], &a, &has, &e))
				fail_msg("line %u: action %s", lineno, tok[1]);
			c->has_badarch = true;
			c->badarch = sf_action_ret(a, e);
		} else if (strcmp(tok[0], "optimize") == 0) {
			/* the result is the same at both levels (the case says so) */
		} else if (strcmp(tok[0], "defect") == 0 && nt == 2) {
			snprintf(c->defect, sizeof(c->defect), "%s", tok[1]);
		} else if (strcmp(tok[0], "differs") == 0 && nt == 2) {
			snprintf(c->differs, sizeof(c->differs), "%s", tok[1]);
		} else if (strcmp(tok[0], "rule") == 0 && nt >= 3) {
			struct crule *r = &c->rules[c->nrules++];
			size_t i = 3;
			assert_true(c->nrules <= ARRAY_SIZE(c->rules));
			memset(r, 0, sizeof(*r));
			r->line = lineno;
			snprintf(r->name, sizeof(r->name), "%s", tok[1]);
			if (parse_action(tok[2], &r->action, &r->has_errno, &r->errno_ret))
				fail_msg("line %u: action %s", lineno, tok[2]);
			while (i < nt) {
				uint64_t idx = 0;
				struct sf_arg *a = &r->args[r->nargs];
				if (strcmp(tok[i], "=>") == 0 && i + 1 < nt) {
					uint64_t rc;
					if (parse_u64(tok[i + 1], &rc))
						fail_msg("line %u: rc %s", lineno, tok[i + 1]);
					r->has_rc = true;
					r->rc = (int)(int64_t)rc;
					break;
				}
				if (i + 2 >= nt || parse_u64(tok[i], &idx) ||
				    (a->op = parse_op(tok[i + 1])) == SF_OP_INVALID ||
				    parse_u64(tok[i + 2], &a->value))
					fail_msg("line %u: condition at %s", lineno, tok[i]);
				a->index = (unsigned)idx;
				i += 3;
				if (a->op == SF_OP_MASKED_EQ) {
					if (i >= nt || parse_u64(tok[i], &a->value_two))
						fail_msg("line %u: MASKED_EQ datum", lineno);
					i++;
				}
				r->nargs++;
				assert_true(r->nargs < ARRAY_SIZE(r->args));
			}
		} else if (strcmp(tok[0], "expect") == 0 && nt >= 11) {
			struct cexpect *e = &c->expects[c->nexpects++];
			uint64_t x;
			assert_true(c->nexpects <= ARRAY_SIZE(c->expects));
			memset(e, 0, sizeof(*e));
			e->line = lineno;
			e->audit = parse_audit(tok[1]);
			if (parse_u64(tok[2], &x))
				fail_msg("line %u: nr", lineno);
			e->nr = (int32_t)(uint32_t)x;
			for (int i = 0; i < 6; i++)
				if (parse_u64(tok[3 + i], &e->args[i]))
					fail_msg("line %u: argument %d", lineno, i);
			if (strcmp(tok[9], "->") || parse_u64(tok[10], &x))
				fail_msg("line %u: result", lineno);
			e->lib = (uint32_t)x;
			if (nt >= 13 && strcmp(tok[11], "ours") == 0) {
				if (parse_u64(tok[12], &x))
					fail_msg("line %u: our result", lineno);
				e->has_ours = true;
				e->ours = (uint32_t)x;
			}
		} else {
			fail_msg("line %u: cannot read \"%s\"", lineno, tok[0]);
		}
	}
	fclose(f);
	*out = v;
	return n;
}

/* The profile of a case: its rules up to `upto`, without those libseccomp refused (but with
 * those refused for equalling the default, which runc skips and so do we). */
static struct sf_profile *case_profile(const struct ccase *c, size_t upto, bool with_refused)
{
	struct sf_profile *p = sf_profile_new();

	assert_non_null(p);
	p->default_action = c->def;
	p->has_default_errno = c->has_def_errno;
	p->default_errno = c->def_errno;
	for (size_t i = 0; i < upto; i++) {
		const struct crule *cr = &c->rules[i];
		if (cr->has_rc && cr->rc != -EACCES && !(with_refused && i + 1 == upto))
			continue;
		struct sf_rule *r = sf_profile_add_rule(p);
		assert_non_null(r);
		r->action = cr->action;
		r->has_errno = cr->has_errno;
		r->errno_ret = cr->errno_ret;
		assert_int_equal(sf_rule_add_name(p, r, cr->name), 0);
		for (size_t k = 0; k < cr->nargs; k++)
			assert_int_equal(sf_rule_add_arg(p, r, &cr->args[k]), 0);
	}
	return p;
}

static struct sf_compile_opts case_opts(const struct ccase *c)
{
	struct sf_compile_opts o = {.arches = c->arches, .narches = c->narches};

	if (!o.narches) {
		static const struct sf_arch *x86_64[1];
		x86_64[0] = A("x86_64");
		o.arches = x86_64;
		o.narches = 1;
	}
	o.has_bad_arch = c->has_badarch;
	o.bad_arch_ret = c->badarch;
	return o;
}

struct model;
static void model_build(struct model *m, const struct sf_profile *p,
			const struct sf_arch *const *arches, size_t narches, uint32_t badarch);
static uint32_t model_tree(const struct sf_profile *p, const struct sf_compile_opts *o,
			   const struct seccomp_data *d, bool prog);

static void test_cases_file(void **state)
{
	struct ccase *cases = NULL;
	size_t n = read_cases(&cases), nexpect = 0, nours = 0, nrefused = 0, nbad = 0;

	(void)state;
	assert_true(n >= 58);
	for (size_t ci = 0; ci < n; ci++) {
		const struct ccase *c = &cases[ci];
		struct sf_compile_opts o = case_opts(c);
		struct sf_policy *pol = NULL;
		struct sf_prog prog = {0};
		struct sf_error err = {0};
		struct sf_profile *p;

		/* A rule libseccomp refuses with EEXIST: we refuse the profile that has it. */
		for (size_t i = 0; i < c->nrules; i++) {
			if (!c->rules[i].has_rc || c->rules[i].rc != -EEXIST)
				continue;
			p = case_profile(c, i + 1, true);
			if (sf_policy_build(p, &o, &pol, NULL, &err) == 0)
				fail_msg(
				    "case %s (line %u): libseccomp refuses the rule with EEXIST, "
				    "we accept it",
				    c->name, c->rules[i].line);
			if (!strstr(err.msg, "EEXIST"))
				fail_msg("case %s: refused, but not for EEXIST: %s", c->name,
					 err.msg);
			nrefused++;
			sf_profile_free(p);
		}
		p = case_profile(c, c->nrules, false);
		if (sf_policy_build(p, &o, &pol, NULL, &err) < 0)
			fail_msg("case %s: %s", c->name, err.msg);
		if (sf_policy_compile(pol, &prog, &err) < 0 ||
		    sf_policy_verify(pol, &prog, NULL, &err) < 0)
			fail_msg("case %s: %s", c->name, err.msg);
		for (size_t k = 0; k < c->nexpects; k++) {
			const struct cexpect *e = &c->expects[k];
			struct seccomp_data d = {.nr = e->nr, .arch = e->audit};
			uint32_t want = e->has_ours ? e->ours : e->lib, pe, ge;
			char b1[48], b2[48], b3[48], b4[48];

			if (e->has_ours && !c->defect[0] && !c->differs[0])
				fail_msg("case %s line %u: \"ours\" without a defect or differs "
					 "marker",
					 c->name, e->line);
			if (e->has_ours && e->ours == e->lib)
				fail_msg("case %s line %u: \"ours\" equals libseccomp's result",
					 c->name, e->line);
			memcpy(d.args, e->args, sizeof(d.args));
			pe = sf_policy_eval(pol, &d);
			ge = run_prog(&prog, &d);
			/* Ours is the tree's meaning, as the model of libseccomp's tree has it;
			 * and the model of its code gives what libseccomp gave. */
			if (!c->differs[0] && pe != model_tree(p, &o, &d, false)) {
				print_message("case %s line %u: libseccomp's tree (modelled) gives "
					      "%#010x, we %#010x\n",
					      c->name, e->line, model_tree(p, &o, &d, false), pe);
				nbad++;
			}
			if (model_tree(p, &o, &d, true) != e->lib) {
				print_message("case %s line %u: libseccomp's program as modelled "
					      "gives %#010x\n",
					      c->name, e->line, model_tree(p, &o, &d, true));
				nbad++;
			}
			if (pe != want || ge != want) {
				print_message(
				    "case %s line %u: want %s (libseccomp %s), policy gives "
				    "%s (%#010x), program %s\n",
				    c->name, e->line, ret_str(want, b1, sizeof(b1)),
				    ret_str(e->lib, b3, sizeof(b3)), ret_str(pe, b2, sizeof(b2)),
				    pe, ret_str(ge, b4, sizeof(b4)));
				nbad++;
			}
			nexpect++;
			nours += e->has_ours;
		}
		sf_prog_free(&prog);
		sf_policy_free(pol);
		sf_profile_free(p);
	}
	print_message("  %zu cases, %zu inputs (%zu where we give the tree's meaning or fail "
		      "closed), %zu EEXIST refusals\n",
		      n, nexpect, nours, nrefused);
	free(cases);
	if (nbad)
		fail_msg("%zu inputs of the cases file give another result (above)", nbad);
}

/* ---------------------------------------------------------------------------------------------
 * (b) The model of libseccomp's filter for a profile, one arch section.
 */

struct model {
	const struct sf_arch *arch[2]; /* the filter's arches (x86_64 and x32 share a section) */
	struct lsm_filter *f[2];
	size_t n;
	uint32_t def, badarch;
	struct lsm_prog *prog; /* libseccomp's code for the section, as modelled */
	bool lost;	       /* the section's nr load is lost (lsmodel.h) */
	int err;	       /* the first rule add that failed, and where */
	int err_nr;
	size_t err_rule;
	const struct sf_arch *err_arch;
};

static bool is_mux_nr(const struct sf_arch *a, int nr)
{
	return nr >= 0 && ((a->socketcall_nr >= 0 && nr == a->socketcall_nr) ||
			   (a->ipc_nr >= 0 && nr == a->ipc_nr));
}

static int lsm_op_of(enum sf_op op)
{
	return (int)op; /* the same numbering as enum scmp_compare */
}

/* One seccomp_rule_add_array of runc, on one arch: the direct entry and, where the arch
 * multiplexes the call, the socketcall/ipc entry with a0 replaced by the call number. */
static int model_add(struct model *m, size_t k, const char *name, uint32_t act,
		     const struct sf_arg *args, size_t nargs, size_t ri)
{
	const struct sf_arch *a = m->arch[k];
	struct lsm_cond c[7];
	size_t n = 0;
	long mux;
	unsigned call;
	long direct = sf_syscall_nr(a, name);
	/* libseccomp names socket and IPC calls by pseudo numbers, then adds the direct syscall
	 * where the arch has one, or keeps the pseudo entry. */
	int nr = direct >= 0 ? (int)direct : oracle_syscall_nr(a, name), rc;

	for (size_t i = 0; i < nargs; i++)
		c[n++] = (struct lsm_cond){args[i].index, lsm_op_of(args[i].op), args[i].value,
					   args[i].value_two};
	if (sf_syscall_multiplexed(a, name, &mux, &call)) {
		struct lsm_cond mc[7];
		size_t mn = 0;
		mc[mn++] = (struct lsm_cond){0, LSM_EQ, call, 0};
		for (size_t i = 0; i < n; i++)
			if (c[i].arg != 0)
				mc[mn++] = c[i];
		rc = lsm_rule_add(m->f[k], (int)mux, act, mc, mn);
		if (rc < 0) {
			m->err_nr = (int)mux;
			goto fail;
		}
	}
	if (nr == __NR_SCMP_ERROR)
		return 0;
	rc = lsm_rule_add(m->f[k], nr, act, c, n);
	if (rc < 0) {
		m->err_nr = nr;
		goto fail;
	}
	return 0;
fail:
	m->err = rc;
	m->err_rule = ri;
	m->err_arch = a;
	return rc;
}

/* libseccomp's filter for p on arches (one section: one arch, or x86_64 + x32), as runc adds
 * the rules. m->err tells when libseccomp refuses it (EEXIST, or a loop: ELOOP). */
static void model_build(struct model *m, const struct sf_profile *p,
			const struct sf_arch *const *arches, size_t narches, uint32_t badarch)
{
	memset(m, 0, sizeof(*m));
	m->def = oracle_action(p->default_action, p->has_default_errno, p->default_errno);
	m->badarch = badarch;
	for (size_t i = 0; i < narches && m->n < 2; i++) {
		m->arch[m->n] = arches[i];
		m->f[m->n] = lsm_new(m->def, arches[i]->bits);
		assert_non_null(m->f[m->n]);
		m->n++;
	}
	for (size_t i = 0; i < p->nrules && !m->err; i++) {
		const struct sf_rule *r = &p->rules[i];
		uint32_t act = oracle_action(r->action, r->has_errno, r->errno_ret);
		bool repeats = false;

		if (act == m->def)
			continue;
		for (size_t x = 0; x < r->nargs; x++)
			for (size_t y = x + 1; y < r->nargs; y++)
				repeats |= r->args[x].index == r->args[y].index;
		for (size_t j = 0; j < r->nnames && !m->err; j++) {
			if (seccomp_syscall_resolve_name(r->names[j]) == __NR_SCMP_ERROR)
				continue;
			/* one seccomp_rule_add: every arch is tried; a loop in any never returns */
			for (size_t part = 0; part < (repeats ? r->nargs : 1) && !m->err; part++) {
				struct model first = {0};
				for (size_t k = 0; k < m->n; k++) {
					model_add(m, k, r->names[j], act,
						  repeats ? &r->args[part] : r->args,
						  repeats ? 1 : r->nargs, i);
					if (m->err && (!first.err || m->err == -ELOOP)) {
						first.err = m->err;
						first.err_nr = m->err_nr;
						first.err_rule = m->err_rule;
						first.err_arch = m->err_arch;
					}
					m->err = 0;
				}
				m->err = first.err;
				m->err_nr = first.err_nr;
				m->err_rule = first.err_rule;
				m->err_arch = first.err_arch;
			}
		}
	}
	if (!m->err) {
		bool x86_64 = false, x32 = false;
		for (size_t i = 0; i < m->n; i++) {
			x86_64 |= strcmp(m->arch[i]->name, "x86_64") == 0;
			x32 |= strcmp(m->arch[i]->name, "x32") == 0;
		}
		m->prog =
		    lsm_prog_build((const struct lsm_filter *const *)m->f, m->n, x86_64 != x32);
		assert_non_null(m->prog);
		m->lost = lsm_prog_lost(m->prog);
	}
}

static void model_free(struct model *m)
{
	lsm_prog_free(m->prog);
	for (size_t i = 0; i < m->n; i++)
		lsm_free(m->f[i]);
	m->n = 0;
}

/* The section of d, or NULL (another arch); *guarded when the x32 guard rejects d->nr. */
static bool model_section(const struct model *m, const struct seccomp_data *d, bool *guarded)
{
	bool has64 = false, has32 = false, ours = false;
	uint32_t nr = (uint32_t)d->nr;

	for (size_t i = 0; i < m->n; i++) {
		ours |= m->arch[i]->audit_arch == d->arch;
		has64 |= strcmp(m->arch[i]->name, "x86_64") == 0;
		has32 |= strcmp(m->arch[i]->name, "x32") == 0;
	}
	*guarded = false;
	if (ours && has64 && !has32)
		*guarded = nr >= X32_BIT && nr != 0xffffffffu;
	if (ours && has32 && !has64)
		*guarded = nr < X32_BIT;
	return ours;
}

/* What libseccomp's program returns for d, as modelled (lsm_prog_build). */
static uint32_t model_prog(const struct model *m, const struct seccomp_data *d)
{
	uint64_t args[6];
	bool guarded;

	if (!model_section(m, d, &guarded) || guarded)
		return m->badarch;
	for (unsigned i = 0; i < 6; i++)
		args[i] = d->args[i];
	return lsm_prog_run(m->prog, d->arch, d->nr, args);
}

/* The meaning of libseccomp's tree for d (bpf: what the code of d's entry alone computes). */
static uint32_t model_eval(const struct model *m, const struct seccomp_data *d, bool bpf)
{
	uint64_t args[6];
	bool guarded;

	if (!model_section(m, d, &guarded) || guarded)
		return m->badarch;
	for (unsigned i = 0; i < 6; i++)
		args[i] = d->args[i];
	if (d->nr < 0) /* pseudo entries emit no code; nothing targets -1 */
		return m->def;
	for (size_t i = 0; i < m->n; i++)
		if (lsm_has(m->f[i], d->nr))
			return bpf ? lsm_eval_bpf(m->f[i], d->nr, args)
				   : lsm_eval(m->f[i], d->nr, args);
	return m->def;
}

/* The tree's meaning for d (prog: what libseccomp's program returns, as modelled), for the
 * section of d's arch among o's arches (a case of (a)). */
static uint32_t model_tree(const struct sf_profile *p, const struct sf_compile_opts *o,
			   const struct seccomp_data *d, bool prog)
{
	const struct sf_arch *sec[2];
	size_t n = 0;
	struct model m;
	uint32_t r;

	for (size_t i = 0; i < o->narches && n < 2; i++)
		if (o->arches[i]->audit_arch == d->arch)
			sec[n++] = o->arches[i];
	if (!n)
		return o->has_bad_arch ? o->bad_arch_ret : SECCOMP_RET_KILL_THREAD;
	model_build(&m, p, sec, n, o->has_bad_arch ? o->bad_arch_ret : SECCOMP_RET_KILL_THREAD);
	assert_int_equal(m.err, 0);
	r = prog ? model_prog(&m, d) : model_eval(&m, d, false);
	model_free(&m);
	return r;
}

/* ---------------------------------------------------------------------------------------------
 * (b) The comparison.
 */

struct stats {
	size_t profiles, compared, vectors;
	size_t stale_skips, shared_skips, lost_skips, lost_sections;
	size_t mux_vectors, mux_stricter;
	size_t eexist, eexist_mux, hang, hang_mux, ours_mux_refusal;
	size_t dropped_names;
	size_t lib_differs; /* profiles where libseccomp's program and its tree disagree */
	size_t ours_differ; /* profiles where we disagree (SYSFENCE_DIFF_COUNT only) */
};

struct vctx {
	const struct sf_profile *p;
	const struct sf_arch *const *arches;
	size_t narches;
	const char *label;
	const struct sf_prog *lib, *ours;
	const struct sf_policy *pol;
	const struct model *m;
	struct stats *st;
	bool lib_differs;
	int failed;
	char msg[4096];
};

static void fail_vector(struct vctx *v, const struct seccomp_data *d, const char *what, uint32_t l,
			uint32_t o, uint32_t t, uint32_t lb)
{
	char in[256], b1[48], b2[48], b3[48], b4[48];
	char *json = profile_json(v->p);
	char *dump = NULL;

	for (size_t i = 0; i < v->m->n && !dump; i++)
		if (d->nr >= 0 && lsm_has(v->m->f[i], d->nr))
			dump = lsm_dump(v->m->f[i], d->nr);
	snprintf(v->msg, sizeof(v->msg),
		 "%s: %s\n  input %s\n  libseccomp %s, ours %s, libseccomp's tree %s, its code "
		 "modelled %s\n%s\nprofile: %s",
		 v->label, what, oracle_describe(d, NULL, in, sizeof(in)),
		 ret_str(l, b1, sizeof(b1)), ret_str(o, b2, sizeof(b2)), ret_str(t, b3, sizeof(b3)),
		 ret_str(lb, b4, sizeof(b4)), dump ? dump : "", json);
	free(dump);
	free(json);
	v->failed = 1;
}

/* One logical input (arguments as values). */
static int check_vector(struct vctx *v, const struct seccomp_data *d)
{
	struct seccomp_data k;
	const struct sf_arch *a = sf_arch_by_audit(d->arch);
	uint32_t l = 0, o, pe, t, lm;
	bool guarded;

	sf_seccomp_data_for(a, d, &k);
	if (sf_bpf_emulate(v->lib->insns, v->lib->len, &k, &l, NULL, NULL) < 0) {
		fail_vector(v, d, "libseccomp's program cannot be emulated", 0, 0, 0, 0);
		return 1;
	}
	o = run_prog(v->ours, d);
	pe = sf_policy_eval(v->pol, d);
	lm = model_prog(v->m, d);
	v->st->vectors++;
	if (o != pe) {
		fail_vector(v, d, "our program differs from our policy", l, o, pe, pe);
		return 1;
	}
	/* The model of libseccomp's program must be exact, or it explains nothing. */
	if (lm != l) {
		fail_vector(v, d, "libseccomp's program is not as modelled", l, o, lm, lm);
		return 1;
	}
	/* socketcall/ipc of an arch that multiplexes: we fail closed on purpose (10.4). */
	if (model_section(v->m, d, &guarded) && !guarded && a) {
		if (is_mux_nr(a, d->nr)) {
			v->st->mux_vectors++;
			if (sf_ret_is_refusal(l) && !sf_ret_is_refusal(o)) {
				fail_vector(v, d, "less strict than libseccomp on a multiplexer", l,
					    o, l, l);
				return 1;
			}
			v->st->mux_stricter += l != o;
			return 0;
		}
	}
	t = model_eval(v->m, d, false);
	if (o != t) {
		fail_vector(v, d, "our program does not mean libseccomp's tree", l, o, t,
			    model_eval(v->m, d, true));
		return 1;
	}
	if (l == t)
		return 0;
	v->lib_differs = true;
	/*
	 * libseccomp's program does not mean its tree, and the model of its code generation says
	 * so too (checked above): one of its defects. Which one: the section lost its nr load;
	 * the entry's own code tests a stale accumulator; or it does only through a block it
	 * shares with another syscall's code, placed (and given its reloads) for that one.
	 */
	if (v->m->lost)
		v->st->lost_skips++;
	else if (model_eval(v->m, d, true) == l)
		v->st->stale_skips++;
	else
		v->st->shared_skips++;
	return 0;
}

static int oracle_vec(const struct seccomp_data *d, const struct sf_arch *arch, void *ctx)
{
	struct seccomp_data logical = *d;

	for (unsigned i = 0; i < 6; i++)
		logical.args[i] = oracle_data_arg(d, arch, i);
	return check_vector(ctx, &logical);
}

static int policy_vec(const struct seccomp_data *d, void *ctx)
{
	return check_vector(ctx, d);
}

/* sf_profile_check reports the libseccomp hang; with path, where it reports the first one. */
static bool check_says_hang_at(const struct sf_profile *p, char *path, size_t size)
{
	struct sf_findings f;
	bool hang = false;

	sf_findings_init(&f, "gen");
	sf_profile_check(p, 0, &f);
	for (size_t i = 0; i < f.n && !hang; i++)
		if (strcmp(f.v[i].code, "libseccomp-hang") == 0) {
			hang = true;
			if (path)
				snprintf(path, size, "%s", f.v[i].path);
		}
	sf_findings_clear(&f);
	return hang;
}

static bool check_says_hang(const struct sf_profile *p)
{
	return check_says_hang_at(p, NULL, 0);
}

static bool err_is(const struct sf_error *err, const char *what)
{
	return strstr(err->msg, what) != NULL;
}

/*
 * SYSFENCE_DIFF_COUNT=1: count the profiles where we disagree instead of failing at the first
 * (to measure a compiler under development).
 */
static bool count_only(void)
{
	const char *s = getenv("SYSFENCE_DIFF_COUNT");
	return s && *s && *s != '0';
}

/* cmocka truncates long failure messages: the evidence goes to the output first. */
#define FAIL(...)                                                                                  \
	do {                                                                                       \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		fflush(stdout);                                                                    \
		fail_msg("%s: see above", label);                                                  \
	} while (0)

#define MISMATCH(st, ...)                                                                          \
	do {                                                                                       \
		if (!count_only())                                                                 \
			FAIL(__VA_ARGS__);                                                         \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		(st)->ours_differ++;                                                               \
		goto out;                                                                          \
	} while (0)

/*
 * Compare one profile on one section. Returns 0, or fails the test with the evidence. A
 * profile libseccomp refuses (EEXIST, or its endless loop) must be refused by us too, unless
 * the refusal comes from a socketcall/ipc tree, where our rules differ on purpose.
 */
static void diff_profile(const struct sf_profile *p0, const struct sf_arch *const *arches,
			 size_t narches, int timeout_ms, struct stats *st, const char *label)
{
	struct oracle_opts oo = {
	    .arches = arches, .narches = narches, .optimize = 1, .timeout_ms = timeout_ms};
	struct sf_compile_opts co = {.arches = arches, .narches = narches};
	size_t dropped = 0;
	struct sf_profile *p = oracle_profile_common(p0, arches, narches, &dropped);
	struct sf_prog lib = {0}, ours = {0};
	struct sf_policy *pol = NULL;
	struct sf_error err = {0};
	struct model m;
	char lerr[512], *json = NULL;
	int lrc, orc;

	assert_non_null(p);
	st->profiles++;
	st->dropped_names += dropped;
	/* check sees the arches as the profile lists them */
	p->narchitectures = 0;
	for (size_t i = 0; i < narches; i++)
		assert_int_equal(sf_profile_add_arch(p, arches[i]->scmp_name), 0);
	orc = sf_policy_build(p, &co, &pol, NULL, &err);
	model_build(&m, p, arches, narches, SECCOMP_RET_KILL_THREAD);
	/* A hang costs the whole timeout: a short one where we expect it. */
	if (orc == -ELOOP)
		oo.timeout_ms = 200;
	lrc = oracle_build_opts(p, &oo, &lib, NULL, lerr, sizeof(lerr));
	if (lrc == -ETIMEDOUT && orc != -ELOOP) {
		/* slow rather than endless? (its merging is exponential: seconds happen) */
		oo.timeout_ms = 120000;
		lrc = oracle_build_opts(p, &oo, &lib, NULL, lerr, sizeof(lerr));
	}
	if (lrc == -EEXIST || lrc == -ETIMEDOUT) {
		bool mux = m.err_arch && is_mux_nr(m.err_arch, m.err_nr);
		if (m.err != (lrc == -EEXIST ? -EEXIST : -ELOOP)) {
			json = profile_json(p);
			FAIL("%s: libseccomp refuses (%s), its model gives %d\n%s", label, lerr,
			     m.err, json);
		}
		if (lrc == -EEXIST) {
			st->eexist++;
			st->eexist_mux += mux;
		} else {
			st->hang++;
			st->hang_mux += mux;
			if (!check_says_hang(p))
				MISMATCH(st, "%s: libseccomp hangs, check does not say so", label);
		}
		/* our own socketcall/ipc rules may collide first, where libseccomp's do not */
		if (!mux && orc < 0 && err_is(&err, "EEXIST") &&
		    (err_is(&err, "\"socketcall\"") || err_is(&err, "\"ipc\""))) {
			st->ours_mux_refusal++;
			goto out;
		}
		if (!mux && (orc == 0 || !err_is(&err, lrc == -EEXIST ? "EEXIST" : "hang"))) {
			json = profile_json(p);
			MISMATCH(st, "%s: libseccomp refuses (%s), we %s: %s\n%s", label, lerr,
				 orc ? "refuse for another reason" : "accept it",
				 orc ? err.msg : "", json);
		}
		goto out;
	}
	if (lrc < 0)
		FAIL("%s: oracle: %s", label, lerr);
	if (check_says_hang(p))
		MISMATCH(st, "%s: check says libseccomp hangs, it does not", label);
	if (m.err) {
		json = profile_json(p);
		FAIL("%s: libseccomp takes it, its model gives %d (nr %d)\n%s", label, m.err,
		     m.err_nr, json);
	}
	if (orc < 0) {
		/* Only our own socketcall/ipc rules may collide where libseccomp's do not. */
		if (!err_is(&err, "EEXIST") ||
		    !(err_is(&err, "socketcall") || err_is(&err, "ipc"))) {
			json = profile_json(p);
			MISMATCH(st, "%s: libseccomp takes it, we refuse: %s\n%s", label, err.msg,
				 json);
		}
		st->ours_mux_refusal++;
		goto out;
	}
	if (sf_policy_compile(pol, &ours, &err) < 0 || sf_policy_verify(pol, &ours, NULL, &err) < 0)
		FAIL("%s: %s", label, err.msg);

	struct vctx v = {.p = p,
			 .arches = arches,
			 .narches = narches,
			 .label = label,
			 .lib = &lib,
			 .ours = &ours,
			 .pol = pol,
			 .m = &m,
			 .st = st};
	oracle_vectors(p, arches, narches, ORACLE_VEC_NO_TABLE, oracle_vec, &v);
	if (!v.failed)
		sf_policy_vectors(pol, policy_vec, &v);
	if (v.failed)
		MISMATCH(st, "%s", v.msg);
	st->compared++;
	st->lib_differs += v.lib_differs;
	st->lost_sections += m.lost;
out:
	free(json);
	model_free(&m);
	sf_prog_free(&lib);
	sf_prog_free(&ours);
	sf_policy_free(pol);
	sf_profile_free(p);
}

static void print_stats(const char *what, const struct stats *st, double secs)
{
	print_message("  %-26s %5zu profiles, %4zu compared on %8zu inputs: 0 disagreements; "
		      "libseccomp's program off its tree in %zu profiles (skipped inputs: %zu "
		      "stale accumulator, %zu of them through a block shared with another "
		      "syscall, %zu lost nr load in %zu sections); socketcall/ipc "
		      "%zu inputs, %zu where we are stricter; refused: %zu EEXIST (%zu from "
		      "socketcall/ipc), %zu endless loops (%zu), %zu our socketcall/ipc EEXIST; "
		      "%.1f s%s\n",
		      what, st->profiles, st->compared, st->vectors, st->lib_differs,
		      st->stale_skips + st->shared_skips, st->shared_skips, st->lost_skips,
		      st->lost_sections, st->mux_vectors, st->mux_stricter, st->eexist,
		      st->eexist_mux, st->hang, st->hang_mux, st->ours_mux_refusal, secs,
		      st->ours_differ ? " -- WE DISAGREE" : "");
	if (st->ours_differ)
		print_message("  %-26s we disagree on %zu profiles\n", what, st->ours_differ);
}

static void add_stats(struct stats *t, const struct stats *s)
{
	size_t *a = (size_t *)t;
	const size_t *b = (const size_t *)s;

	for (size_t i = 0; i < sizeof(*t) / sizeof(size_t); i++)
		a[i] += b[i];
}

/* The arch configurations: one arch at a time (x86_64 and x32 also as the section they share)
 * where libseccomp knows the arch. */
struct config {
	const char *label;
	const char *arches[2];
	size_t n;
};

static const struct config configs[] = {
    {"x86_64", {"x86_64"}, 1},	 {"x86", {"x86"}, 1},
    {"x32", {"x32"}, 1},	 {"x86_64+x32", {"x86_64", "x32"}, 2},
    {"aarch64", {"aarch64"}, 1}, {"arm", {"arm"}, 1},
    {"s390x", {"s390x"}, 1},	 {"ppc64le", {"ppc64le"}, 1},
};

static bool config_arches(const struct config *c, const struct sf_arch **out)
{
	for (size_t i = 0; i < c->n; i++) {
		out[i] = sf_arch_find(c->arches[i]);
		if (!out[i] || oracle_syscall_nr(out[i], "read") == __NR_SCMP_ERROR)
			return false; /* not known to this libseccomp */
	}
	return true;
}

/* Option sets: many rules per syscall (a small vocabulary), repeated indexes, many arguments. */
struct optset {
	const char *label;
	unsigned vocab, max_rules, max_args;
	bool overlap, repeat, conflicts;
};

static const struct optset optsets[] = {
    {"plain", 0, 8, 3, false, false, false},	  {"overlap", 6, 10, 3, true, false, false},
    {"same syscall", 2, 8, 3, true, false, true}, {"repeats", 4, 8, 4, true, true, false},
    {"many args", 3, 6, 6, true, false, false},
};

/* Vocabulary for small sets: syscalls every arch has (and socket, multiplexed on some). */
static const char *const small_vocab[] = {"ioctl",  "read",  "socket", "fcntl",
					  "openat", "write", "prctl",  "getppid"};

static size_t profiles_per_run(void)
{
	const char *s = getenv("SYSFENCE_DIFF_PROFILES");
	return s ? strtoul(s, NULL, 0) : 80;
}

/*
 * Rules that share their first condition (an NE or a range on a0, from a pool of two) and go on
 * with others: the shape on which libseccomp 2.5.4 links a node into a level twice, and on
 * 64-bit arches may then loop forever.
 */
static struct sf_profile *gen_shared_prefix(uint64_t *seed)
{
	static const enum sf_op ops[] = {SF_OP_NE, SF_OP_LT, SF_OP_LE,	     SF_OP_GT,
					 SF_OP_GE, SF_OP_EQ, SF_OP_MASKED_EQ};
	static const uint64_t vals[] = {0,	   2, 5, 0x80000000, 0xffffffff, 0x100000005ULL,
					UINT64_MAX};
	static const char *const names[] = {"ioctl", "ioctl", "ioctl", "fcntl"};
	struct sf_profile *p = sf_profile_new();
	struct sf_arg prefix[2];
	unsigned nrules = 2 + gen_below(seed, 6);

	assert_non_null(p);
	p->default_action = gen_below(seed, 2) ? SF_ACT_ALLOW : SF_ACT_ERRNO;
	for (int i = 0; i < 2; i++)
		prefix[i] = (struct sf_arg){.index = 0,
					    .op = ops[gen_below(seed, 5)],
					    .value = vals[gen_below(seed, ARRAY_SIZE(vals))]};
	for (unsigned r = 0; r < nrules; r++) {
		struct sf_rule *rule = sf_profile_add_rule(p);
		unsigned k = gen_below(seed, 4), nconds = 1 + gen_below(seed, 3);
		bool used[6] = {true};

		assert_non_null(rule);
		rule->action = k == 0 ? SF_ACT_TRAP : k == 1 ? SF_ACT_LOG : SF_ACT_ERRNO;
		if (rule->action == SF_ACT_ERRNO && p->default_action == SF_ACT_ERRNO)
			rule->action = SF_ACT_ALLOW;
		if (rule->action == SF_ACT_ERRNO) {
			rule->has_errno = true;
			rule->errno_ret = 1 + gen_below(seed, 3);
		}
		assert_int_equal(sf_rule_add_name(p, rule, names[gen_below(seed, 4)]), 0);
		if (gen_below(seed, 6))
			assert_int_equal(sf_rule_add_arg(p, rule, &prefix[gen_below(seed, 2)]), 0);
		for (unsigned c = 0; c < nconds; c++) {
			struct sf_arg a = {.index = 1 + gen_below(seed, 4),
					   .op = ops[gen_below(seed, ARRAY_SIZE(ops))],
					   .value = vals[gen_below(seed, ARRAY_SIZE(vals))]};
			if (used[a.index])
				continue;
			used[a.index] = true;
			if (a.op == SF_OP_MASKED_EQ)
				a.value_two = vals[gen_below(seed, ARRAY_SIZE(vals))] & a.value;
			assert_int_equal(sf_rule_add_arg(p, rule, &a), 0);
		}
	}
	return p;
}

static void test_shared_prefixes(void **state)
{
	static const char *const archs[] = {"x86_64", "x86", "aarch64", "s390x"};
	uint64_t seed = test_seed() ^ 0x5eedf00dULL;
	size_t per = (profiles_per_run() + 1) / 2;
	struct stats total = {0};
	double t0 = now_s();

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
		const struct sf_arch *arches[1] = {A(archs[a])};
		struct stats st = {0};
		double t1 = now_s();

		for (size_t i = 0; i < per; i++) {
			char label[160];
			struct sf_profile *p = gen_shared_prefix(&seed);
			snprintf(label, sizeof(label),
				 "%s, shared prefixes, profile %zu "
				 "(SF_TEST_SEED=%#" PRIx64 ")",
				 archs[a], i, test_seed());
			diff_profile(p, arches, 1, ORACLE_TIMEOUT_MS, &st, label);
			sf_profile_free(p);
		}
		print_stats(archs[a], &st, now_s() - t1);
		add_stats(&total, &st);
	}
	print_stats("all", &total, now_s() - t0);
	assert_true(total.compared > 0);
}

static void test_random_profiles(void **state)
{
	uint64_t seed = test_seed();
	size_t per = profiles_per_run();
	struct stats total = {0};
	double t0 = now_s();

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(configs); c++) {
		const struct sf_arch *arches[2];
		struct stats st = {0};
		double t1 = now_s();

		if (!config_arches(&configs[c], arches)) {
			print_message("  %s: not known to libseccomp %u.%u, skipped\n",
				      configs[c].label, seccomp_version()->major,
				      seccomp_version()->minor);
			continue;
		}
		for (size_t s = 0; s < ARRAY_SIZE(optsets); s++) {
			const struct optset *os = &optsets[s];
			struct gen_opts go = gen_opts_default();

			go.max_rules = os->max_rules;
			go.max_args = os->max_args;
			go.overlap = os->overlap;
			go.repeat_index = os->repeat;
			go.conflicts = os->conflicts;
			if (os->vocab) {
				go.vocab = small_vocab;
				go.nvocab = os->vocab;
				go.max_names = 2;
			}
			for (size_t i = 0; i < per; i++) {
				uint64_t pseed =
				    seed ^ (c * 0x100000001b3ULL) ^ (s << 40) ^ (i << 20);
				uint64_t g = pseed;
				char label[160];
				struct sf_profile *p = gen_profile(&g, &go);
				assert_non_null(p);
				snprintf(label, sizeof(label),
					 "%s, %s, profile %zu (SF_TEST_SEED=%#" PRIx64 ")",
					 configs[c].label, os->label, i, seed);
				double tp = now_s();
				diff_profile(p, arches, configs[c].n, ORACLE_TIMEOUT_MS, &st,
					     label);
				tp = now_s() - tp;
				if (tp > 0.2 && getenv("SYSFENCE_DIFF_SLOW")) {
					char *json = profile_json(p);
					printf("  slow (%.2f s): %s\n%s\n", tp, label, json);
					free(json);
				}
				sf_profile_free(p);
			}
		}
		print_stats(configs[c].label, &st, now_s() - t1);
		add_stats(&total, &st);
	}
	print_stats("all", &total, now_s() - t0);
	assert_true(total.compared > 0);
}

/*
 * The endless loop: compile refuses, naming both rules; check reports it; libseccomp does not
 * return (on a 64-bit arch; on x86 the same rules build).
 */
static void test_libseccomp_hang(void **state)
{
	static const char json[] = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
				   "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
				   "{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_NE\"},"
				   "{\"index\":1,\"value\":3,\"op\":\"SCMP_CMP_GT\"}]},"
				   "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
				   "{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_NE\"},"
				   "{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}";
	const struct sf_arch *x86_64[1] = {A("x86_64")}, *x86[1] = {A("x86")};
	struct sf_compile_opts o = {.arches = x86_64, .narches = 1};
	struct oracle_opts oo = {.arches = x86_64, .narches = 1, .timeout_ms = 300};
	struct sf_profile *p = NULL;
	struct sf_policy *pol = NULL;
	struct sf_error err = {0};
	struct sf_findings f;
	struct sf_prog prog = {0};
	char lerr[256];
	bool found = false;

	(void)state;
	assert_int_equal(
	    sf_profile_parse("t.json", json, strlen(json), SF_DOC_JSON, NULL, &p, &err), 0);
	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "syscalls[0] and syscalls[1]"));
	assert_non_null(strstr(err.msg, "would hang"));
	if (seccomp_version()->major == 2 && seccomp_version()->minor == 5 &&
	    seccomp_version()->micro == 4)
		assert_int_equal(oracle_build_opts(p, &oo, &prog, NULL, lerr, sizeof(lerr)),
				 -ETIMEDOUT);
	sf_findings_init(&f, "t.json");
	sf_profile_check(p, 0, &f);
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.v[i].code, "libseccomp-hang") == 0) {
			found = true;
			assert_int_equal(f.v[i].severity, SF_SEV_ERROR);
			assert_string_equal(f.v[i].path, "syscalls[1].names[0]");
		}
	assert_true(found);
	sf_findings_clear(&f);
	/* 32-bit: one node per condition, no shared continue points */
	o.arches = oo.arches = x86;
	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), 0);
	sf_policy_free(pol);
	oo.timeout_ms = ORACLE_TIMEOUT_MS;
	assert_int_equal(oracle_build_opts(p, &oo, &prog, NULL, lerr, sizeof(lerr)), 0);
	sf_prog_free(&prog);
	/* the other order: no loop */
	struct sf_rule tmp = p->rules[0];
	p->rules[0] = p->rules[1];
	p->rules[1] = tmp;
	o.arches = oo.arches = x86_64;
	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), 0);
	sf_policy_free(pol);
	assert_int_equal(oracle_build_opts(p, &oo, &prog, NULL, lerr, sizeof(lerr)), 0);
	sf_prog_free(&prog);
	sf_profile_free(p);
}

/* Where check reports the hang of test_libseccomp_hang's rules: a finding's path, or "". */
static void hang_path(const char *json, char *out, size_t size)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};

	out[0] = 0;
	assert_int_equal(
	    sf_profile_parse("t.json", json, strlen(json), SF_DOC_JSON, NULL, &p, &err), 0);
	check_says_hang_at(p, out, size);
	sf_profile_free(p);
}

/*
 * Rules under includes/excludes: the hang is found when the two rules can be in one resolved
 * profile (runc adds the rules of the capabilities and arches it has), not when they exclude
 * each other, and still found among the plain rules when filtered rules are elsewhere.
 */
static void test_libseccomp_hang_variants(void **state)
{
#define HANG_RULE(ACTION, VALUE, OP, FILTER)                                                       \
	"{\"names\":[\"ioctl\"],\"action\":\"" ACTION "\"," FILTER "\"args\":["                    \
	"{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_NE\"},"                                        \
	"{\"index\":1,\"value\":" VALUE ",\"op\":\"" OP "\"}]}"
#define WITH_ADMIN "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]},"
#define WITHOUT_ADMIN "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]},"
#define BOOT "{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ALLOW\"," \
	     "\"includes\":{\"caps\":[\"CAP_SYS_BOOT\"]}}"
#define PROFILE(RULES) "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" RULES "]}"
	char path[128];

	(void)state;
	/* the second rule only with CAP_SYS_ADMIN: a container with it hangs */
	hang_path(PROFILE(HANG_RULE("SCMP_ACT_ALLOW", "3", "SCMP_CMP_GT", "") "," BOOT ","
			  HANG_RULE("SCMP_ACT_LOG", "2", "SCMP_CMP_EQ", WITH_ADMIN)),
		  path, sizeof(path));
	assert_string_equal(path, "syscalls[2].names[0]");
	/* both filtered, on the same capability */
	hang_path(PROFILE(HANG_RULE("SCMP_ACT_ALLOW", "3", "SCMP_CMP_GT", WITH_ADMIN) ","
			  HANG_RULE("SCMP_ACT_LOG", "2", "SCMP_CMP_EQ", WITH_ADMIN)),
		  path, sizeof(path));
	assert_string_equal(path, "syscalls[1].names[0]");
	/* with and without CAP_SYS_ADMIN: never in one profile, no hang */
	hang_path(PROFILE(HANG_RULE("SCMP_ACT_ALLOW", "3", "SCMP_CMP_GT", WITH_ADMIN) ","
			  HANG_RULE("SCMP_ACT_LOG", "2", "SCMP_CMP_EQ", WITHOUT_ADMIN)),
		  path, sizeof(path));
	assert_string_equal(path, "");
	/* both plain, a filtered rule on another syscall before them */
	hang_path(PROFILE(BOOT "," HANG_RULE("SCMP_ACT_ALLOW", "3", "SCMP_CMP_GT", "") ","
			  HANG_RULE("SCMP_ACT_LOG", "2", "SCMP_CMP_EQ", "")),
		  path, sizeof(path));
	assert_string_equal(path, "syscalls[2].names[0]");
#undef HANG_RULE
#undef WITH_ADMIN
#undef WITHOUT_ADMIN
#undef BOOT
#undef PROFILE
}

/* ---------------------------------------------------------------------------------------------
 * Real profiles.
 */

static struct sf_profile *corpus(const char *file)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	char path[4096];
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = {0};
	struct sf_target t = {.arch = "x86_64", .kernel_major = 6, .kernel_minor = 1};

	snprintf(path, sizeof(path), "%s/corpus/profiles/%s", shared ? shared : "../shared", file);
	if (sf_profile_read(path, SF_DOC_AUTO, NULL, &p, &err) < 0) {
		print_message("  %s: %s\n", path, err.msg);
		sf_profile_free(p);
		return NULL;
	}
	if (sf_profile_resolve(p, &t, &r, &err) < 0)
		fail_msg("resolve %s: %s", file, err.msg);
	sf_profile_free(p);
	return r;
}

static void diff_real(const char *file, const struct sf_profile *p, struct stats *total)
{
	/* The profile's own arches and the native one, one at a time. */
	const char *names[16] = {"x86_64"};
	size_t n = 1;

	for (size_t i = 0; i < p->narchitectures && n < ARRAY_SIZE(names); i++) {
		const struct sf_arch *a = sf_arch_find(p->architectures[i]);
		bool dup = false;
		for (size_t k = 0; a && k < n; k++)
			dup |= strcmp(names[k], a->name) == 0;
		if (a && !dup)
			names[n++] = a->name;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sf_arch *arches[1] = {A(names[i])};
		struct stats st = {0};
		char label[128];
		double t = now_s();

		if (oracle_syscall_nr(arches[0], "read") == __NR_SCMP_ERROR)
			continue;
		snprintf(label, sizeof(label), "%s on %s", file, names[i]);
		diff_profile(p, arches, 1, ORACLE_TIMEOUT_MS, &st, label);
		assert_int_equal(st.compared, 1);
		print_stats(label, &st, now_s() - t);
		add_stats(total, &st);
	}
}

static void test_docker_default(void **state)
{
	struct sf_profile *p = corpus("docker-default.json");
	struct stats total = {0};

	(void)state;
	if (!p)
		skip();
	diff_real("docker-default.json", p, &total);
	sf_profile_free(p);
}

static void test_k8s_profiles(void **state)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	char dir[4096];
	struct stats total = {0};
	size_t n = 0;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/corpus/profiles", shared ? shared : "../shared");
	if (!(d = opendir(dir))) {
		print_message("  %s: %s\n", dir, strerror(errno));
		skip();
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "k8s-", 4) || len < 5 ||
		    strcmp(e->d_name + len - 5, ".json"))
			continue;
		struct sf_profile *p = corpus(e->d_name);
		if (!p)
			continue;
		diff_real(e->d_name, p, &total);
		sf_profile_free(p);
		n++;
	}
	closedir(d);
	assert_true(n >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases_file),	    cmocka_unit_test(test_libseccomp_hang),
	    cmocka_unit_test(test_libseccomp_hang_variants),
	    cmocka_unit_test(test_docker_default),  cmocka_unit_test(test_k8s_profiles),
	    cmocka_unit_test(test_shared_prefixes), cmocka_unit_test(test_random_profiles),
	};
	/* SYSFENCE_DIFF_ONLY=test_random_profiles: one test (a pattern, as cmocka takes it) */
	if (getenv("SYSFENCE_DIFF_ONLY"))
		cmocka_set_test_filter(getenv("SYSFENCE_DIFF_ONLY"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
