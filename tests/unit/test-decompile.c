/*
 * lib/inspect/decompile.c: programs back into profiles. Each round trip is checked by the test
 * itself, not only by the decompiler's own verification: the recovered profile is compiled
 * again (with the bad-arch action and ENOSYS stub the decompiler found) and that program is
 * emulated against the original on the vectors of the ORIGINAL profile's policy (every table
 * number, the boundary values of its conditions) and of the recovered one. Programs come from
 * our compiler, from libseccomp (tests/support/oracle.c: another layout: binary trees, other
 * argument chains) and by hand (shapes neither makes, and what a profile cannot say).
 * About 5 s (15 s under ASan); SF_TEST_SEED reseeds the random profiles.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysfence/inspect.h>
#include <sysfence/sysfence.h>

#include "support/oracle.h"

#define NINSNS(a)	    (sizeof(a) / sizeof((a)[0]))
#define ST(code, k)	    ((struct sock_filter){(uint16_t)(code), 0, 0, (k)})
#define JP(code, k, jt, jf) ((struct sock_filter){(uint16_t)(code), (jt), (jf), (k)})
#define LD(off)		    ST(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(k)		    ST(BPF_RET | BPF_K, (k))
#define JEQ(k, jt, jf)	    JP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf))
#define OFF_NR		    offsetof(struct seccomp_data, nr)
#define OFF_ARCH	    offsetof(struct seccomp_data, arch)
#define OFF_ARG_LO(i)	    (16 + 8 * (i))
#define OFF_ARG_HI(i)	    (20 + 8 * (i))
#define X32_BIT		    0x40000000u

static uint64_t test_seed(void)
{
	const char *s = getenv("SF_TEST_SEED");
	return s ? strtoull(s, NULL, 0) : 0xdec0de5eedULL;
}


/* ---- the independent check ---- */

struct eq {
	const struct sf_prog *orig;
	size_t norig;
	const struct sf_prog *back;
	size_t checked, differ;
	char first[512];
};

static int eq_one(const struct seccomp_data *d0, void *p)
{
	struct eq *e = p;
	struct seccomp_data d = *d0, k;
	const struct sf_arch *a = sf_arch_by_audit(d.arch);
	uint32_t r1, r2;
	bool x32 = a && strcmp(a->name, "x86_64") == 0 && ((uint32_t)d.nr & X32_BIT) &&
		   (uint32_t)d.nr != 0xffffffffu;
	if (a && a->bits == 32 && !x32)
		for (int i = 0; i < 6; i++)
			d.args[i] &= 0xffffffffu; /* what the kernel gives a 32-bit ABI */
	sf_seccomp_data_for(a, &d, &k);
	assert_int_equal(sf_filters_eval(e->orig, e->norig, &k, &r1, NULL), 0);
	assert_int_equal(sf_bpf_emulate(e->back->insns, e->back->len, &k, &r2, NULL, NULL), 0);
	e->checked++;
	if (sf_ret_effect(r1) != sf_ret_effect(r2)) {
		if (!e->differ++) {
			char x[32], y[32];
			snprintf(e->first, sizeof(e->first),
				 "arch %#x nr %d args %#" PRIx64 " %#" PRIx64 " %#" PRIx64
				 " %#" PRIx64 ": original %s, recovered %s",
				 d.arch, d.nr, (uint64_t)d.args[0], (uint64_t)d.args[1],
				 (uint64_t)d.args[2], (uint64_t)d.args[3],
				 sf_ret_describe(r1, x, sizeof(x)),
				 sf_ret_describe(r2, y, sizeof(y)));
		}
	}
	return 0;
}

/* The recovered profile, compiled as dump tells the user to, means the original program(s) on
 * the original policy's vectors (when known) and on the recovered policy's. */
static void assert_equivalent(const struct sf_prog *orig, size_t norig,
			      const struct sf_policy *orig_pol, const struct sf_decompiled *d,
			      const char *what)
{
	struct sf_compile_opts o = {.arches = d->arches,
				    .narches = d->narches,
				    .has_bad_arch = true,
				    .bad_arch_ret = d->bad_arch_ret,
				    .runc_compat = d->runc_compat};
	struct sf_policy *pol = NULL;
	struct sf_prog back = {0};
	struct sf_error err = {0};
	struct eq e = {.orig = orig, .norig = norig, .back = &back};

	if (sf_policy_build(d->profile, &o, &pol, NULL, &err) < 0)
		fail_msg("%s: the recovered profile does not build: %s", what, err.msg);
	if (sf_policy_compile(pol, &back, &err) < 0 || sf_policy_verify(pol, &back, NULL, &err) < 0)
		fail_msg("%s: the recovered profile does not compile: %s", what, err.msg);
	if (orig_pol)
		sf_policy_vectors2(orig_pol, pol, eq_one, &e);
	else
		sf_policy_vectors(pol, eq_one, &e);
	if (e.differ)
		fail_msg("%s: %zu of %zu inputs differ, first: %s", what, e.differ, e.checked,
			 e.first);
	assert_true(e.checked > 300);
	sf_prog_free(&back);
	sf_policy_free(pol);
}

static void print_report(const struct sf_decompiled *d)
{
	for (size_t i = 0; i < d->report.n; i++)
		print_message("    %s %s: %s\n", d->report.v[i].code, d->report.v[i].path,
			      d->report.v[i].msg);
}

static bool has_code(const struct sf_decompiled *d, const char *code)
{
	for (size_t i = 0; i < d->report.n; i++)
		if (strcmp(d->report.v[i].code, code) == 0)
			return true;
	return false;
}

/* Decompile one program, which must come back exact, and check it. */
static void round_trip(const struct sf_prog *prog, const struct sf_policy *pol, const char *what)
{
	struct sf_decompiled d;
	struct sf_error err = {0};
	int r = sf_decompile(prog, 1, NULL, &d, &err);
	if (r < 0 || !d.exact) {
		print_report(&d);
		fail_msg("%s: not exact: %s", what, err.msg);
	}
	assert_int_equal(d.nmismatch, 0);
	assert_true(d.nchecked > 1000);
	assert_equivalent(prog, 1, pol, &d, what);
	sf_decompiled_clear(&d);
}

static struct sf_profile *load(const char *path)
{
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = {0};
	struct sf_target t = {.arch = "x86_64", .kernel_major = 6, .kernel_minor = 1};
	if (path[0] == '@' ? sf_profile_builtin(path, &p, &err) < 0
			   : sf_profile_read(path, SF_DOC_AUTO, NULL, &p, &err) < 0) {
		sf_profile_free(p);
		return NULL;
	}
	if (sf_profile_resolve(p, &t, &r, &err) < 0)
		fail_msg("resolve %s: %s", path, err.msg);
	sf_profile_free(p);
	return r;
}

/* Our program for p (with opts), decompiled and checked. */
static void ours(const struct sf_profile *p, const struct sf_compile_opts *o, const char *what)
{
	struct sf_policy *pol = NULL;
	struct sf_prog prog = {0};
	struct sf_error err = {0};
	if (sf_policy_build(p, o, &pol, NULL, &err) < 0 || sf_policy_compile(pol, &prog, &err) < 0)
		fail_msg("%s: %s", what, err.msg);
	round_trip(&prog, pol, what);
	sf_prog_free(&prog);
	sf_policy_free(pol);
}

static const char *shared_dir(void)
{
	const char *s = getenv("SYSFENCE_SHARED");
	return s ? s : "../shared";
}

/* ---- programs of our compiler ---- */

static void docker_default_round_trip(void **state)
{
	(void)state;
	struct sf_profile *p = load("@runtime-default");
	assert_non_null(p);
	ours(p, NULL, "@runtime-default");
	/* as runc loads it: with the ENOSYS stub, which the decompiler must find */
	struct sf_compile_opts o = {.runc_compat = true};
	struct sf_policy *pol = NULL;
	struct sf_prog prog = {0};
	struct sf_decompiled d;
	struct sf_error err = {0};
	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), 0);
	assert_int_equal(sf_policy_compile(pol, &prog, &err), 0);
	assert_int_equal(sf_decompile(&prog, 1, NULL, &d, &err), 0);
	assert_true(d.exact);
	assert_true(d.runc_compat);
	assert_equivalent(&prog, 1, pol, &d, "@runtime-default --runc-compat");
	sf_decompiled_clear(&d);
	/* another bad-arch action comes back as such */
	sf_prog_free(&prog);
	sf_policy_free(pol);
	o = (struct sf_compile_opts){.has_bad_arch = true, .bad_arch_ret = SECCOMP_RET_ERRNO | 38};
	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), 0);
	assert_int_equal(sf_policy_compile(pol, &prog, &err), 0);
	assert_int_equal(sf_decompile(&prog, 1, NULL, &d, &err), 0);
	assert_int_equal(d.bad_arch_ret, SECCOMP_RET_ERRNO | 38);
	assert_false(d.runc_compat);
	/* the names: Docker allows read, refuses ptrace's neighbour kexec_load by default */
	assert_int_equal(d.profile->default_action, SF_ACT_ERRNO);
	assert_int_equal(d.profile->default_errno, 1);
	sf_decompiled_clear(&d);
	sf_prog_free(&prog);
	sf_policy_free(pol);
	sf_profile_free(p);
}

static void corpus_round_trip(void **state)
{
	(void)state;
	char dir[4096], path[8192];
	snprintf(dir, sizeof(dir), "%s/corpus/profiles", shared_dir());
	DIR *dh = opendir(dir);
	if (!dh) {
		print_message("  %s absent: skipped\n", dir);
		skip();
	}
	size_t n = 0;
	for (struct dirent *e; (e = readdir(dh));) {
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct sf_profile *p = load(path);
		if (!p)
			continue; /* profiles the reader refuses (tested elsewhere) */
		ours(p, NULL, e->d_name);
		struct sf_compile_opts o = {.runc_compat = true};
		ours(p, &o, e->d_name);
		sf_profile_free(p);
		n++;
	}
	closedir(dh);
	print_message("  %zu corpus profiles round-trip exactly\n", n);
	assert_true(n >= 20);
}

/* The Kubernetes tutorial's profiles (audit, violation, fine-grained) by name. */
static void kubernetes_tutorial_profiles(void **state)
{
	(void)state;
	static const char *const files[] = {"k8s-violation.json", "k8s-fine-grained.json"};
	char path[4096];
	size_t n = 0;
	for (size_t i = 0; i < NINSNS(files); i++) {
		snprintf(path, sizeof(path), "%s/corpus/profiles/%s", shared_dir(), files[i]);
		struct sf_profile *p = load(path);
		if (!p)
			continue;
		ours(p, NULL, files[i]);
		sf_profile_free(p);
		n++;
	}
	/* the tutorial's audit.json is @audit's shape: default LOG */
	struct sf_profile *p = load("@audit");
	ours(p, NULL, "@audit");
	sf_profile_free(p);
	if (!n) {
		print_message("  corpus absent: only @audit\n");
		skip();
	}
}

static void argument_heavy_profile(void **state)
{
	(void)state;
	struct sf_profile *p = load("tests/data/dump/args.json");
	assert_non_null(p);
	ours(p, NULL, "args.json");
	struct sf_decompiled d;
	struct sf_policy *pol;
	struct sf_prog prog;
	struct sf_error err = {0};
	assert_int_equal(sf_policy_build(p, NULL, &pol, NULL, &err), 0);
	assert_int_equal(sf_policy_compile(pol, &prog, &err), 0);
	assert_int_equal(sf_decompile(&prog, 1, NULL, &d, &err), 0);
	/* the 64-bit condition is kept as such */
	bool found = false;
	for (size_t i = 0; i < d.profile->nrules; i++) {
		const struct sf_rule *r = &d.profile->rules[i];
		if (strcmp(r->names[0], "setsockopt") == 0) {
			assert_int_equal(r->action, SF_ACT_LOG);
			assert_int_equal(r->nargs, 1);
			assert_int_equal(r->args[0].index, 4);
			assert_true(r->args[0].value == 0x100000000ull);
			found = true;
		}
	}
	assert_true(found);
	sf_decompiled_clear(&d);
	sf_prog_free(&prog);
	sf_policy_free(pol);
	sf_profile_free(p);
}

/* Random profiles with argument conditions (tests/support's generator): every round trip is
 * exact or reported, never silently wrong; and nearly all are exact. */
static void random_profiles(void **state)
{
	(void)state;
	uint64_t seed = test_seed();
	size_t exact = 0, total = 0, reported = 0;
	for (int i = 0; i < 150; i++) {
		struct gen_opts go = gen_opts_default();
		go.max_args = 3;
		go.random_arches = true;
		go.overlap = i % 2;
		uint64_t s = seed + (uint64_t)i * 7919;
		struct sf_profile *p = gen_profile(&s, &go);
		assert_non_null(p);
		struct sf_policy *pol = NULL;
		struct sf_prog prog = {0};
		struct sf_error err = {0};
		if (sf_policy_build(p, NULL, &pol, NULL, &err) < 0 ||
		    sf_policy_compile(pol, &prog, &err) < 0) {
			/* libseccomp would refuse it (or hang): not a filter anyone loads */
			sf_policy_free(pol);
			sf_profile_free(p);
			continue;
		}
		struct sf_decompiled d;
		struct sf_decompile_opts o = {.partial = true};
		assert_int_equal(sf_decompile(&prog, 1, &o, &d, &err), 0);
		total++;
		char what[64];
		snprintf(what, sizeof(what), "random profile %d (seed %#" PRIx64 ")", i,
			 seed + (uint64_t)i * 7919);
		if (d.exact) {
			exact++;
			assert_int_equal(d.nmismatch, 0);
			assert_equivalent(&prog, 1, pol, &d, what);
		} else {
			/* not exact: it must say so, with at least one error naming a syscall */
			assert_true(d.report.nerrors > 0);
			if (getenv("SF_TEST_VERBOSE")) {
				print_message("  %s:\n", what);
				print_report(&d);
			}
			reported++;
		}
		sf_decompiled_clear(&d);
		sf_prog_free(&prog);
		sf_policy_free(pol);
		sf_profile_free(p);
	}
	print_message("  %zu/%zu random profiles exact, %zu reported as inexact\n", exact, total,
		      reported);
	assert_true(total >= 100);
	assert_true(exact * 100 >= total * 95);
}

/* ---- programs of libseccomp ---- */

static void libseccomp_one(const struct sf_profile *p, const struct oracle_opts *oo,
			   const char *what)
{
	struct sf_prog lib = {0};
	char lerr[256];
	struct sf_compile_opts co = {.arches = oo->arches,
				     .narches = oo->narches,
				     .has_bad_arch = true,
				     .bad_arch_ret = oo->bad_arch_ret ? oo->bad_arch_ret
								      : SECCOMP_RET_KILL_THREAD};
	struct sf_policy *pol = NULL;
	struct sf_error err = {0};
	struct sf_profile *common = oracle_profile_common(p, oo->arches, oo->narches, NULL);
	assert_non_null(common);
	if (oracle_build_opts(common, oo, &lib, NULL, lerr, sizeof(lerr)) < 0 ||
	    sf_policy_build(common, &co, &pol, NULL, &err) < 0) {
		sf_policy_free(pol);
		sf_profile_free(common);
		return;
	}
	round_trip(&lib, pol, what);
	sf_prog_free(&lib);
	sf_policy_free(pol);
	sf_profile_free(common);
}

static void libseccomp_filters(void **state)
{
	(void)state;
	const struct sf_arch *x86_64 = sf_arch_find("x86_64"), *x86 = sf_arch_find("x86"),
			     *x32 = sf_arch_find("x32");
	const struct sf_arch *all[] = {x86_64, x86, x32}, *one[] = {x86_64};
	static const char *const profiles[] = {"@runtime-default", "tests/data/dump/args.json",
					       "@audit", "@deny-all"};
	for (size_t i = 0; i < NINSNS(profiles); i++) {
		struct sf_profile *p = load(profiles[i]);
		assert_non_null(p);
		for (int opt = 1; opt <= 2; opt++) {
			struct oracle_opts oo = {.arches = all,
						 .narches = 3,
						 .optimize = opt,
						 .timeout_ms = ORACLE_TIMEOUT_MS};
			char what[128];
			snprintf(what, sizeof(what), "libseccomp -O%d %s", opt, profiles[i]);
			libseccomp_one(p, &oo, what);
			oo.arches = one;
			oo.narches = 1;
			oo.bad_arch_ret = SECCOMP_RET_ERRNO | 1;
			libseccomp_one(p, &oo, what);
		}
		sf_profile_free(p);
	}
	/* random profiles, through libseccomp at optimize level 1 (level 2 miscompiles some
	 * 64-bit conditions: test-oracle.c) */
	uint64_t seed = test_seed() ^ 0x11b5ecc0;
	for (int i = 0; i < 60; i++) {
		struct gen_opts go = gen_opts_default();
		go.max_args = 2;
		uint64_t s = seed + (uint64_t)i;
		struct sf_profile *p = gen_profile(&s, &go);
		struct oracle_opts oo = {
		    .arches = one, .narches = 1, .optimize = 1, .timeout_ms = ORACLE_TIMEOUT_MS};
		char what[64];
		snprintf(what, sizeof(what), "libseccomp random %d", i);
		libseccomp_one(p, &oo, what);
		sf_profile_free(p);
	}
}

/* ---- programs by hand ---- */

static struct sf_prog prog_of(const struct sock_filter *insns, size_t n)
{
	struct sf_prog p = {.insns = malloc(n * sizeof(*insns)), .len = n};
	assert_non_null(p.insns);
	memcpy(p.insns, insns, n * sizeof(*insns));
	return p;
}

/* x86_64 only; write (nr 1) ALLOW when its fd (args[0]) is 1, 2 or 3 -- tested with a mask and
 * JSET, as no compiler writes it -- else EBADF; getpid ERRNO(3), everything else ALLOW. */
static void hand_written_masks(void **state)
{
	(void)state;
	struct sock_filter f[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD(OFF_NR),
	    JP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 2),
	    JEQ(0xffffffffu, 1, 0), /* -1 goes on, as libseccomp lets it */
	    RET(SECCOMP_RET_KILL_PROCESS),
	    JEQ(39, 0, 1), /* getpid */
	    RET(SECCOMP_RET_ERRNO | 3),
	    JEQ(1, 0, 9), /* write */
	    LD(OFF_ARG_HI(0)),
	    JEQ(0, 0, 6),
	    LD(OFF_ARG_LO(0)),
	    ST(BPF_ALU | BPF_AND | BPF_K, ~3u),
	    JP(BPF_JMP | BPF_JSET | BPF_K, ~0u, 3, 0), /* 4 or more */
	    LD(OFF_ARG_LO(0)),
	    JP(BPF_JMP | BPF_JSET | BPF_K, 3, 0, 1), /* not 0 */
	    RET(SECCOMP_RET_ALLOW),
	    RET(SECCOMP_RET_ERRNO | 9),
	    RET(SECCOMP_RET_ALLOW),
	};
	struct sf_prog p = prog_of(f, NINSNS(f));
	struct sf_decompiled d;
	struct sf_error err = {0};
	int r = sf_decompile(&p, 1, NULL, &d, &err);
	if (r < 0)
		print_report(&d);
	assert_int_equal(r, 0);
	assert_true(d.exact);
	assert_int_equal(d.bad_arch_ret, SECCOMP_RET_KILL_PROCESS);
	assert_equivalent(&p, 1, NULL, &d, "hand-written masks");
	sf_decompiled_clear(&d);
	sf_prog_free(&p);
}

static void expect_inexact(const struct sock_filter *f, size_t n, const char *code)
{
	struct sf_prog p = prog_of(f, n);
	struct sf_decompiled d;
	struct sf_error err = {0};
	/* without --partial: an error that names the problem, no profile to write */
	assert_int_equal(sf_decompile(&p, 1, NULL, &d, &err), -EPROTO);
	assert_false(d.exact);
	if (!has_code(&d, code)) {
		print_report(&d);
		fail_msg("expected a '%s' report", code);
	}
	assert_non_null(strstr(err.msg, "--partial"));
	sf_decompiled_clear(&d);
	/* with --partial: written, marked */
	struct sf_decompile_opts o = {.partial = true};
	assert_int_equal(sf_decompile(&p, 1, &o, &d, &err), 0);
	assert_false(d.exact);
	assert_non_null(d.profile);
	assert_true(has_code(&d, code));
	sf_decompiled_clear(&d);
	sf_prog_free(&p);
}

static void instruction_pointer_is_reported(void **state)
{
	(void)state;
	struct sock_filter f[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD(OFF_NR),
	    JEQ(2, 0, 3), /* open: only from one address */
	    LD(offsetof(struct seccomp_data, instruction_pointer)),
	    JEQ(0x401000, 1, 0),
	    RET(SECCOMP_RET_ERRNO | 1),
	    RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "inexpressible-args");
}

static void unnamed_numbers_are_reported(void **state)
{
	(void)state;
	/* numbers from 1000 up get EPERM, the rest ALLOW: nothing names 1000.. */
	struct sock_filter f[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD(OFF_NR),
	    JP(BPF_JMP | BPF_JGE | BPF_K, 1000, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 1),
	    RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "unnamed-syscall");
}

static void unknown_arch_is_reported(void **state)
{
	(void)state;
	struct sock_filter f[] = {
	    LD(OFF_ARCH),	    JEQ(AUDIT_ARCH_X86_64, 2, 0),
	    JEQ(0x12345678, 1, 0),  RET(SECCOMP_RET_KILL_PROCESS),
	    RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "unknown-arch");
}

static void no_arch_check_is_reported(void **state)
{
	(void)state;
	struct sock_filter f[] = {
	    LD(OFF_NR),
	    JEQ(165, 0, 1), /* mount on x86_64 */
	    RET(SECCOMP_RET_ERRNO | 1),
	    RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "no-arch-check");
}

static void trap_with_data_is_reported(void **state)
{
	(void)state;
	struct sock_filter f[] = {
	    LD(OFF_ARCH),   JEQ(AUDIT_ARCH_X86_64, 1, 0), RET(SECCOMP_RET_KILL_PROCESS), LD(OFF_NR),
	    JEQ(165, 0, 1), RET(SECCOMP_RET_TRAP | 7),	  RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "inexpressible-action");
}

static void per_arch_difference_is_reported(void **state)
{
	(void)state;
	/* x86_64 refuses mount (165), x86 allows its mount (21): same name, two actions */
	struct sock_filter f[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 2, 0),
	    JEQ(AUDIT_ARCH_I386, 4, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD(OFF_NR),
	    JEQ(165, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 1),
	    RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "per-arch");
}

static void bad_arch_by_number_is_reported(void **state)
{
	(void)state;
	/* other architectures get KILL for 0, ALLOW for the rest: no --bad-arch says it */
	struct sock_filter f[] = {
	    LD(OFF_ARCH), JEQ(AUDIT_ARCH_X86_64, 3, 0),	 LD(OFF_NR),
	    JEQ(0, 0, 1), RET(SECCOMP_RET_KILL_PROCESS), RET(SECCOMP_RET_ALLOW),
	};
	expect_inexact(f, NINSNS(f), "bad-arch");
}

static void programs_it_cannot_follow(void **state)
{
	(void)state;
	struct sf_decompiled d;
	struct sf_error err = {0};
	/* arithmetic on the number: refused with the instruction named, not guessed */
	struct sock_filter f[] = {
	    LD(OFF_NR),
	    ST(BPF_ALU | BPF_ADD | BPF_K, 5),
	    JEQ(7, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 1),
	    RET(SECCOMP_RET_ALLOW),
	};
	struct sf_prog p = prog_of(f, NINSNS(f));
	assert_int_equal(sf_decompile(&p, 1, NULL, &d, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "instruction 1"));
	sf_decompiled_clear(&d);
	sf_prog_free(&p);
	/* a program the kernel would refuse */
	struct sock_filter bad[] = {LD(3), RET(SECCOMP_RET_ALLOW)};
	p = prog_of(bad, NINSNS(bad));
	assert_int_equal(sf_decompile(&p, 1, NULL, &d, &err), -EINVAL);
	sf_decompiled_clear(&d);
	sf_prog_free(&p);
}

/* ---- stacked filters ---- */

static void stacked_precedence(void **state)
{
	(void)state;
	/* older: mount ERRNO(1), getpid ERRNO(5); newer: mount ERRNO(13), getpid LOG, kill TRAP */
	struct sock_filter older[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RET(SECCOMP_RET_KILL_THREAD),
	    LD(OFF_NR),
	    JP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 2), /* x32: the bad-arch action */
	    JEQ(0xffffffffu, 1, 0),			  /* but -1, as libseccomp */
	    RET(SECCOMP_RET_KILL_PROCESS),
	    JEQ(165, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 1),
	    JEQ(39, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 5),
	    RET(SECCOMP_RET_ALLOW),
	};
	struct sock_filter newer[] = {
	    LD(OFF_ARCH),
	    JEQ(AUDIT_ARCH_X86_64, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    LD(OFF_NR),
	    JP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 2),
	    JEQ(0xffffffffu, 1, 0),
	    RET(SECCOMP_RET_KILL_PROCESS),
	    JEQ(165, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 13),
	    JEQ(39, 0, 1),
	    RET(SECCOMP_RET_LOG),
	    JEQ(62, 0, 1),
	    RET(SECCOMP_RET_TRAP),
	    RET(SECCOMP_RET_ALLOW),
	};
	struct sf_prog progs[2] = {prog_of(older, NINSNS(older)), prog_of(newer, NINSNS(newer))};
	struct seccomp_data dd = {.arch = AUDIT_ARCH_X86_64};
	uint32_t r;
	/* equal actions: the most recent filter's data */
	dd.nr = 165;
	assert_int_equal(sf_filters_eval(progs, 2, &dd, &r, NULL), 0);
	assert_int_equal(r, SECCOMP_RET_ERRNO | 13);
	/* ERRNO before LOG, whichever filter says it */
	dd.nr = 39;
	assert_int_equal(sf_filters_eval(progs, 2, &dd, &r, NULL), 0);
	assert_int_equal(r, SECCOMP_RET_ERRNO | 5);
	dd.nr = 62;
	assert_int_equal(sf_filters_eval(progs, 2, &dd, &r, NULL), 0);
	assert_int_equal(r, SECCOMP_RET_TRAP);
	/* other architectures: KILL_PROCESS (newer) before KILL_THREAD (older) */
	dd.arch = AUDIT_ARCH_I386;
	assert_int_equal(sf_filters_eval(progs, 2, &dd, &r, NULL), 0);
	assert_int_equal(r, SECCOMP_RET_KILL_PROCESS);

	struct sf_decompiled d;
	struct sf_error err = {0};
	if (sf_decompile(progs, 2, NULL, &d, &err) < 0) {
		print_report(&d);
		fail_msg("%s", err.msg);
	}
	assert_true(d.exact);
	assert_int_equal(d.bad_arch_ret, SECCOMP_RET_KILL_PROCESS);
	assert_equivalent(progs, 2, NULL, &d, "stacked");
	size_t seen = 0;
	for (size_t i = 0; i < d.profile->nrules; i++) {
		const struct sf_rule *rl = &d.profile->rules[i];
		if (strcmp(rl->names[0], "mount") == 0) {
			assert_int_equal(rl->action, SF_ACT_ERRNO);
			assert_int_equal(rl->errno_ret, 13);
			seen++;
		}
		if (strcmp(rl->names[0], "getpid") == 0) {
			assert_int_equal(rl->errno_ret, 5);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	sf_decompiled_clear(&d);
	/* one of them alone (what --index gives) */
	assert_int_equal(sf_decompile(&progs[1], 1, NULL, &d, &err), 0);
	assert_true(d.exact);
	sf_decompiled_clear(&d);
	sf_prog_free(&progs[0]);
	sf_prog_free(&progs[1]);
}

/* Stacked filters of real profiles: Docker's default under a runc-stub copy of itself and a
 * deny-list, combined, equal the combination. */
static void stacked_profiles(void **state)
{
	(void)state;
	struct sf_profile *a = load("@runtime-default"),
			  *b = load("tests/data/dump/deny-mount.json");
	struct sf_prog progs[2] = {{0}};
	struct sf_error err = {0};
	assert_int_equal(sf_bpf_compile(a, NULL, &progs[0], NULL, &err), 0);
	assert_int_equal(sf_bpf_compile(b, NULL, &progs[1], NULL, &err), 0);
	struct sf_decompiled d;
	if (sf_decompile(progs, 2, NULL, &d, &err) < 0) {
		print_report(&d);
		fail_msg("%s", err.msg);
	}
	assert_true(d.exact);
	assert_equivalent(progs, 2, NULL, &d, "Docker default + deny-mount");
	sf_decompiled_clear(&d);
	sf_prog_free(&progs[0]);
	sf_prog_free(&progs[1]);
	sf_profile_free(a);
	sf_profile_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(docker_default_round_trip),
	    cmocka_unit_test(corpus_round_trip),
	    cmocka_unit_test(kubernetes_tutorial_profiles),
	    cmocka_unit_test(argument_heavy_profile),
	    cmocka_unit_test(random_profiles),
	    cmocka_unit_test(libseccomp_filters),
	    cmocka_unit_test(hand_written_masks),
	    cmocka_unit_test(instruction_pointer_is_reported),
	    cmocka_unit_test(unnamed_numbers_are_reported),
	    cmocka_unit_test(unknown_arch_is_reported),
	    cmocka_unit_test(no_arch_check_is_reported),
	    cmocka_unit_test(trap_with_data_is_reported),
	    cmocka_unit_test(per_arch_difference_is_reported),
	    cmocka_unit_test(bad_arch_by_number_is_reported),
	    cmocka_unit_test(programs_it_cannot_follow),
	    cmocka_unit_test(stacked_precedence),
	    cmocka_unit_test(stacked_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
