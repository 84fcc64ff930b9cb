/*
 * The compiler's intermediate form: for each target architecture, the decision of every syscall
 * number. A number with argument rules gets a decision graph over 32-bit argument words — the
 * shape classic BPF can test and libseccomp builds — whose leaves are actions.
 */
#ifndef SF_COMPILE_POLICY_H
#define SF_COMPILE_POLICY_H

#include <sysfence/compile.h>

#include "util/util.h"

/* One test of one 32-bit word of an argument: (word & mask) OP k. */
enum dop {
	DOP_EQ, /* == */
	DOP_GT, /* >  (unsigned) */
	DOP_GE, /* >= (unsigned) */
};

struct dnode;

struct dtarget {
	struct dnode *node; /* the next test, or NULL: ret is the outcome */
	uint32_t ret;
};

struct dnode {
	uint8_t arg; /* 0..5 */
	bool hi;     /* the high word (64-bit ABIs) */
	enum dop op;
	uint32_t k;
	uint32_t mask; /* 0xffffffff: no mask */
	struct dtarget t, f;
	unsigned id; /* codegen bookkeeping */
};

/* The decision for one syscall number. */
struct decision {
	uint32_t nr;
	const char *name; /* for messages and disassembly */
	struct dtarget d; /* .node NULL: unconditional */
};

/*
 * One section of the program: one AUDIT_ARCH value. x32 shares x86_64's, so when both are
 * targets their decisions share one number space (x32 numbers carry bit 30), as in libseccomp.
 */
struct arch_policy {
	const struct sf_arch *arch; /* x86_64 when the section also holds x32 */
	bool is_x86_64, is_s390;    /* the sections with special number handling */
	bool has_native_abi;	    /* arch's own numbers are targets (false: x32 alone) */
	bool has_x32;		    /* x32 numbers are targets too */
	uint32_t default_ret;
	struct decision *dec; /* sorted by nr; only decisions that differ from default_ret */
	size_t ndec;
	/* runc's ENOSYS stub: numbers above the largest the profile names return ENOSYS */
	bool enosys, enosys_x32;
	uint32_t enosys_max, enosys_max_x32;
};

struct sf_policy {
	struct arch_policy *archs; /* in dispatch order: the native arch first */
	size_t narchs;
	uint32_t bad_arch_ret;
	bool runc_compat;
	bool notify_refusals; /* refusals (KILL*, TRAP, ERRNO, bad arch) become USER_NOTIF */
	const double *freq;   /* --frequency: calls per number of the first section's ABI */
	size_t nfreq;
	struct sf_arena *arena;
};

/* The outcome as the program returns it: a refusal becomes USER_NOTIF when notify_refusals. */
uint32_t sf_policy_out(const struct sf_policy *pol, uint32_t ret);

/* The x32 bit, and x86_64's AUDIT_ARCH which x32 shares. */
#define SF_X32_BIT 0x40000000u

const struct arch_policy *sf_policy_find_arch(const struct sf_policy *pol, uint32_t audit,
					      uint32_t nr);
/* sf_policy_eval for a number with all arguments 0, in a section found already (NULL: an
 * arch without one); i is nr's index in ap->dec when the caller knows it, else SIZE_MAX. */
uint32_t sf_policy_eval_nr(const struct sf_policy *pol, const struct arch_policy *ap,
			   uint32_t nr, size_t i);
uint32_t sf_dtarget_eval(const struct dtarget *t, const struct seccomp_data *d, unsigned bits);
/* The vectors of one number of one section (its argument boundary values). */
int sf_vectors_number(const struct arch_policy *ap, uint32_t nr, sf_vector_fn fn, void *ctx);

#endif
