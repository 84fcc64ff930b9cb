/*
 * sysfence — compiling a profile into a classic-BPF seccomp program.
 *
 * A profile is first turned into a policy: for each target architecture, the decision for every
 * syscall number, as runc + libseccomp would build it (rule precedence, argument combination,
 * 32-bit truncation, socketcall/ipc multiplexing, x32 and bad-arch handling). The policy can be
 * evaluated directly on a seccomp_data (the reference meaning), compiled into a program, and the
 * program verified against the policy on every syscall number and on the boundary values of
 * every argument condition.
 */
#ifndef SYSFENCE_COMPILE_H
#define SYSFENCE_COMPILE_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sysfence/arch.h>
#include <sysfence/bpf.h>
#include <sysfence/error.h>
#include <sysfence/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sf_compile_opts {
	/* Target architectures; NULL/0: the native one plus the profile's architectures (a
	 * profile's list never removes the native arch, as in libseccomp's context). */
	const struct sf_arch *const *arches;
	size_t narches;
	/* What a syscall of any other architecture gets (libseccomp's default: KILL_THREAD). */
	bool has_bad_arch;
	uint32_t bad_arch_ret;
	/* runc's ENOSYS stub: numbers above the largest the profile names for a listed arch
	 * return ENOSYS (when the default action is not ALLOW, LOG or TRACE). */
	bool runc_compat;
	/* Unknown syscall names are an error rather than skipped with a warning. */
	bool strict;
	/* Skip the proof that the program equals the policy. */
	bool no_verify;
	/* Optional: relative frequency of each syscall of the native arch (by kernel number, up to
	 * nfreq): frequent syscalls are placed nearer the root of the search tree. */
	const double *freq;
	size_t nfreq;
};

/* The meaning of a profile for a set of architectures. Opaque. */
struct sf_policy;

/*
 * Build the policy of a profile (resolved for Docker's includes/excludes when it has any: see
 * sf_profile_resolve). Warnings (unknown names skipped, rules without effect, libseccomp
 * widenings) are added to findings when it is not NULL.
 */
int sf_policy_build(const struct sf_profile *p, const struct sf_compile_opts *opts,
		    struct sf_policy **out, struct sf_findings *findings, struct sf_error *err);
void sf_policy_free(struct sf_policy *pol);

/* The action (SECCOMP_RET_*) the policy gives d: the reference the program is proven against. */
uint32_t sf_policy_eval(const struct sf_policy *pol, const struct seccomp_data *d);

size_t sf_policy_narches(const struct sf_policy *pol);
const struct sf_arch *sf_policy_arch(const struct sf_policy *pol, size_t i);

/*
 * Every input that can tell two programs for this policy apart: each syscall number of each
 * target arch (table numbers, numbers outside the table, the x32 bit, -1), an unknown
 * architecture, and for argument conditions the boundary values (value, value±1, mask edges,
 * high-word variants) combined per rule. fn returns non-zero to stop (that value is returned).
 */
typedef int (*sf_vector_fn)(const struct seccomp_data *d, void *ctx);
int sf_policy_vectors(const struct sf_policy *pol, sf_vector_fn fn, void *ctx);
/* The same over the union of two policies' vectors (for diff). */
int sf_policy_vectors2(const struct sf_policy *a, const struct sf_policy *b, sf_vector_fn fn,
		       void *ctx);

/*
 * A policy whose refusals (KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, and the bad-arch action)
 * become SECCOMP_RET_USER_NOTIF, for a supervisor that reports them and answers each with the
 * original policy's outcome (sysfence run --explain). It borrows pol, which must outlive it;
 * free it with sf_policy_free. Compile and verify it like any policy.
 */
int sf_policy_notify_refusals(const struct sf_policy *pol, struct sf_policy **out,
			      struct sf_error *err);
/* Whether an outcome refuses the call (KILL_*, TRAP, ERRNO). */
bool sf_ret_is_refusal(uint32_t ret);

/* Generate the program. */
int sf_policy_compile(const struct sf_policy *pol, struct sf_prog *out, struct sf_error *err);

/*
 * Prove prog equals pol on every vector; on a mismatch -EPROTO with the first differing input
 * and both outcomes in err. *checked (may be NULL) counts the inputs compared.
 */
int sf_policy_verify(const struct sf_policy *pol, const struct sf_prog *prog, size_t *checked,
		     struct sf_error *err);

/* All of it: build, compile, verify (unless opts->no_verify). */
int sf_bpf_compile(const struct sf_profile *p, const struct sf_compile_opts *opts,
		   struct sf_prog *out, struct sf_findings *findings, struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
