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
	/* Extra condition added by multiplexing: (arg0 & call_mask) == call on socketcall/ipc. */
	bool has_call;
	uint32_t call;
	uint64_t call_mask;
};

/*
 * Build the decision of one syscall from its rules (in profile order) for an ABI of `bits`
 * bits. The result is either an action (out->node NULL) or a graph. Returns -EEXIST when
 * libseccomp would refuse a rule (two identical conditions with different actions), with
 * *bad set to that rule's index.
 */
int sf_tree_build(struct sf_arena *a, const struct trule *rules, size_t n, unsigned bits,
		  uint32_t default_ret, struct dtarget *out, size_t *bad);

#endif
