/* Turning the rules of one syscall into its decision graph, as libseccomp does. */
#ifndef SF_COMPILE_TREE_H
#define SF_COMPILE_TREE_H

#include "compile/policy.h"

/* One rule for one syscall, after runc's splitting of repeated argument indexes. */
struct trule {
	uint32_t ret;
	const struct sf_arg *conds;
	size_t nconds;
	size_t rule; /* index in the profile, for messages */
	/* When runc adds it: the place of its (rule, name) pair in the profile, and the part of a
	 * rule split for a repeated argument index. */
	size_t pair;
	unsigned part;
	/* Extra condition added by multiplexing: (arg0 & call_mask) == call on socketcall/ipc. */
	bool has_call;
	uint32_t call;
	uint64_t call_mask;
	/* An argument rule made unconditional on the multiplexer (fail closed, see policy.c). */
	bool widened;
};

/* Where libseccomp fails: rules[rule] is the rule to name (for -ELOOP, the one whose merge linked
 * a test twice), rules[with] the earlier rule involved, rules[at] the rule whose addition fails
 * or never returns (at == n: none, the loop comes when the finished tree is walked, as
 * seccomp_export_bpf and seccomp_load do). */
struct tree_fail {
	size_t rule, with, at;
};

/*
 * Build the decision of one syscall from its rules (in profile order, as runc adds them) for an
 * ABI of `bits` bits: exactly the meaning of the tree libseccomp 2.5.4 builds from them
 * (docs/libseccomp-tree.md, sections 1-3.1), i.e. its evident reading, not the stale-accumulator
 * code libseccomp generates for it. The result is either an action (out->node NULL) or a graph
 * in arena a. Rules whose action is default_ret are skipped (runc skips them).
 *
 * Errors, with *fail (may be NULL) filled:
 *   -EEXIST  seccomp_rule_add refuses a rule (the same test with another action);
 *   -ELOOP   libseccomp never returns: merging a rule links one test into a level of the tree
 *            twice, and a walk of that level then cycles (in that seccomp_rule_add, a later
 *            one, or the export);
 *   -E2BIG   libseccomp's work (exponential in the worst case) is beyond what is modelled;
 *   -EINVAL  a rule compares one argument twice (runc splits those); -ENOMEM.
 */
int sf_tree_build(struct sf_arena *a, const struct trule *rules, size_t n, unsigned bits,
		  uint32_t default_ret, struct dtarget *out, struct tree_fail *fail);

#endif
