/*
 * Test support: libseccomp 2.5 as the oracle (the program runc would hand to the kernel, built
 * the way runc builds it), a seeded random profile generator, and differential-testing helpers
 * with a boundary-vector set of their own. Test-only: the product never links libseccomp.
 */
#ifndef SF_TEST_ORACLE_H
#define SF_TEST_ORACLE_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/arch.h>
#include <sysfence/bpf.h>
#include <sysfence/profile.h>

/* ---------------------------------------------------------------------------------------------
 * (a) The oracle: libseccomp's program for a resolved profile (no includes/excludes left).
 */

struct oracle_opts {
	/* The filter's architectures, exactly: the native one is removed when it is not listed,
	 * so that one architecture can be tested at a time. NULL/0: the native arch plus the
	 * profile's architectures, as runc does. */
	const struct sf_arch *const *arches;
	size_t narches;
	/* SCMP_FLTATR_ACT_BADARCH; 0 is libseccomp's default, SECCOMP_RET_KILL_THREAD. */
	uint32_t bad_arch_ret;
	/* SCMP_FLTATR_CTL_OPTIMIZE: 0 as runc (2 when the profile has more than 32 (rule, name)
	 * pairs, else libseccomp's default 1); 1 or 2 forces the level. */
	int optimize;
	/* An unknown name is an error (crun's run.oci.seccomp_fail_unknown_syscall) rather than
	 * skipped as runc does. */
	bool strict_unknown;
	/* libseccomp 2.5.4 can loop forever adding some rules. > 0: build in a helper process
	 * (forked once, reused) and give up after that many ms with -ETIMEDOUT; the time is spent
	 * in the helper, not in this thread. 0: build in this process, no limit (benchmarks). */
	int timeout_ms;
};

#define ORACLE_TIMEOUT_MS 1000

/* What the build did, for tests that want to know why a program looks the way it does. */
struct oracle_info {
	size_t added;		/* seccomp_rule_add* calls made (and accepted) */
	size_t skipped_unknown; /* (rule, name) pairs whose name the native arch does not know */
	size_t skipped_default; /* (rule, name) pairs whose action equals the default */
	int optimize;		/* the level the program was generated with */
	uint32_t default_ret;	/* the default action, as libseccomp was given it */
};

/*
 * Build the program: 0, or a negative errno with errbuf holding runc's message for the failure
 * (e.g. "error adding seccomp filter rule for syscall X: File exists"; -ETIMEDOUT when libseccomp
 * hangs, -ECHILD when it crashes). out is filled only on success (sf_prog_free it), in host byte
 * order (libseccomp writes the arches' byte order). info and errbuf may be NULL.
 *
 * libseccomp 2.5.4 at optimize level 2 miscompiles some 64-bit argument comparisons (see
 * test-oracle.c): what runc loads then differs from what its rules say. Compare the meaning of a
 * program against optimize = 1; use level 2 to see what runc really loads.
 */
int oracle_build_opts(const struct sf_profile *resolved, const struct oracle_opts *o,
		      struct sf_prog *out, struct oracle_info *info, char *errbuf, size_t errlen);
/* The same with runc's choices (optimize level, unknown names skipped), built in the helper
 * process with timeout_ms = ORACLE_TIMEOUT_MS. */
int oracle_build(const struct sf_profile *resolved, const struct sf_arch *const *arches,
		 size_t narches, uint32_t bad_arch_ret, struct sf_prog *out, char *errbuf,
		 size_t errlen);
/* libseccomp's pseudo-code of the same filter (malloc'd), for failure messages; NULL on error. */
char *oracle_pfc(const struct sf_profile *resolved, const struct oracle_opts *o);

/*
 * libseccomp's number for name on arch: >= 0 a syscall; below -1 a pseudo number it rewrites
 * (socketcall/ipc multiplexing); -1 (__NR_SCMP_ERROR) when it knows neither the name there nor
 * the arch. libseccomp 2.5.4's tables lack the newest syscalls (file_getattr, ...).
 */
int oracle_syscall_nr(const struct sf_arch *arch, const char *name);
/* Whether our table and libseccomp see name alike on arch: both have it (the same number when
 * both give a real one) or neither does. */
bool oracle_table_agrees(const struct sf_arch *arch, const char *name);
/*
 * A copy of p without the names our table and libseccomp see differently on one of arches, so
 * that a comparison with the oracle is between like and like; a rule left without names goes.
 * *dropped (may be NULL) counts the names removed. NULL when out of memory.
 */
struct sf_profile *oracle_profile_common(const struct sf_profile *p,
					 const struct sf_arch *const *arches, size_t narches,
					 size_t *dropped);

/* The 32-bit action runc gives libseccomp for an action and its optional errnoRet (int16 cast:
 * only the low 16 bits count; EPERM when absent). */
uint32_t oracle_action(enum sf_action a, bool has_errno, uint32_t errno_ret);

/* ---------------------------------------------------------------------------------------------
 * (b) Random profiles that runc accepts. Every choice comes from *seed (splitmix64), so a seed
 * replays a profile exactly.
 */

struct gen_opts {
	unsigned min_rules, max_rules; /* rules in the profile (min_rules >= 1) */
	unsigned max_names;	       /* names per rule: 1..max_names */
	unsigned max_args;	       /* conditions per rule: 0..max_args (at most 6) */
	bool repeat_index;	       /* one rule may compare an argument twice (runc ORs them) */
	/* Several rules may name the same syscall (with different actions and conditions). */
	bool overlap;
	/* ... including two unconditional rules with different actions: sf_profile_check calls it
	 * an error, runc accepts it (the first wins). Off, generated profiles check clean. */
	bool conflicts;
	/* Names unknown to every arch now and then (sf_profile_check: error; runc: skipped). */
	bool unknown_names;
	/* errnoRet values runc refuses or wraps: ERRNO data >= 4095 (libseccomp: -EINVAL), values
	 * above 16 bits (runc's int16 cast wraps 65536 to 0). Off: ERRNO 0..4094, TRACE 0..4095. */
	bool wild_errno;
	/* The architectures listed, exactly (SCMP_ARCH_* names), unless random_arches. */
	const char *const *arches;
	size_t narches;
	/* A random subset of SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 (maybe none). */
	bool random_arches;
	/* The syscall names to draw from; NULL: gen_vocab. */
	const char *const *vocab;
	size_t nvocab;
};

/* 48 syscalls that exist on x86_64, x86 and x32 (socket and connect are multiplexed on x86). */
extern const char *const gen_vocab[];
extern const size_t gen_nvocab;

/* 1..8 rules, 1..3 names, 0..3 conditions, no repeats, no overlap, no architectures listed. */
struct gen_opts gen_opts_default(void);
/* o NULL: gen_opts_default(). NULL only when out of memory. */
struct sf_profile *gen_profile(uint64_t *seed, const struct gen_opts *o);

uint64_t gen_rand(uint64_t *seed);
uint32_t gen_below(uint64_t *seed, uint32_t n);
/* A value worth comparing with: 0, 1, small, 2^31-1, 2^31, 2^32-1, 2^32, 2^63, 2^64-1, random,
 * with the high word set now and then. */
uint64_t gen_value(uint64_t *seed);

/* ---------------------------------------------------------------------------------------------
 * (c) Differential testing.
 */

/* A seccomp_data as a kernel of arch's byte order presents it: on a host of the other byte order
 * the two halves of each argument are swapped, so that the 32-bit loads of a program built for
 * arch see the words its kernel would. */
void oracle_data(struct seccomp_data *d, const struct sf_arch *arch, uint32_t audit_arch, int nr,
		 const uint64_t args[6]);
/* The arguments as the program's arch means them (undoes oracle_data's swap). */
uint64_t oracle_data_arg(const struct seccomp_data *d, const struct sf_arch *arch, unsigned i);

/* "x86_64(0xc000003e) nr=2 (open) args=[0x1, 0, ...]"; the arch is told from d->arch (and the
 * x32 bit) unless arch matches it. Returns buf. */
const char *oracle_describe(const struct seccomp_data *d, const struct sf_arch *arch, char *buf,
			    size_t size);

/*
 * Run both programs on d. 0 when they return the same, 1 when they differ, a negative errno when
 * one cannot be emulated (errbuf says which and why). ra/rb (may be NULL) get the results.
 */
int run_both(const struct sf_prog *a, const struct sf_prog *b, const struct seccomp_data *d,
	     uint32_t *ra, uint32_t *rb, char *errbuf, size_t errlen);

enum {
	/* Skip the walk over every number offset..max+3 of each arch (rules and edges still come).
	 */
	ORACLE_VEC_NO_TABLE = 1 << 0,
	/* On arches with 32-bit arguments (sf_arch.bits == 32, x32 included although an x32 task
	 * can pass 64-bit registers), give only arguments that fit in 32 bits. */
	ORACLE_VEC_TRUNC32 = 1 << 1,
};

/*
 * The oracle side's own inputs, independent of the compiler's: for each arch, every number from
 * the arch's offset to its table's maximum + 3, numbers around the x32 bit, -1, large numbers,
 * x32-bit variants on x86_64/x32, a foreign AUDIT_ARCH; and for each rule and name, boundary
 * values of each condition (value, value±1, 0, UINT64_MAX, high-word variants, mask edges)
 * combined over the rule's arguments (other arguments 0), plus the matching and missing value of
 * every condition on that syscall combined over all its rules (so rule precedence is exercised).
 * Multiplexed names (socketcall/ipc) also go through their multiplexer. arches NULL/0: the native
 * one. fn returns non-zero to stop, and that value is returned; 0 when every input was given.
 */
typedef int (*oracle_vec_fn)(const struct seccomp_data *d, const struct sf_arch *arch, void *ctx);
int oracle_vectors(const struct sf_profile *p, const struct sf_arch *const *arches, size_t narches,
		   unsigned flags, oracle_vec_fn fn, void *ctx);

struct oracle_diff {
	size_t checked; /* vectors compared */
	bool differ;
	struct seccomp_data d; /* the first input they disagree on */
	const struct sf_arch *arch;
	uint32_t ra, rb;
	char msg[512]; /* the input and both results, readable */
};

/*
 * Compare two programs on oracle_vectors(p, arches): 0 when they agree everywhere, 1 at the first
 * disagreement (res filled), a negative errno when emulation fails (res->msg says why).
 */
int oracle_diff_progs(const struct sf_prog *a, const struct sf_prog *b, const struct sf_profile *p,
		      const struct sf_arch *const *arches, size_t narches, unsigned flags,
		      struct oracle_diff *res);

#endif
