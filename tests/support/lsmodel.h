/*
 * Test support: a model of what libseccomp 2.5.4 builds for the rules of one architecture
 * (docs/libseccomp-tree.md), independent of the compiler's lib/compile/tree.c. It keeps
 * libseccomp's own data structure (a tree of 32-bit word tests per syscall, levels as doubly
 * linked lists, reference counts), follows seccomp_rule_add_array step by step (chain
 * generation, prune, merge, -EEXIST, the loop that never ends) and evaluates the result:
 *   - lsm_eval: the tree's evident meaning (a failing level backtracks to the parent's next
 *     sibling; at the root, the default action), what sysfence compiles;
 *   - lsm_eval_bpf: what libseccomp's code for that one syscall computes, stale accumulator
 *     included (section 3.2);
 *   - lsm_prog_build/lsm_prog_run: what libseccomp's program for a whole arch section returns
 *     (blocks shared between syscalls, placement, reloads, the lost `ld nr` of section 4):
 *     exact on every input the differential tests have tried, so that where libseccomp's
 *     program and its tree disagree, the defect is known, not guessed.
 * Ported from the scratch model that was fuzzed against the real library (0 mismatches on
 * 30 M inputs); it shares no code with lib/compile/tree.c. Arch dispatch (arch check, x32
 * guard) is the caller's.
 */
#ifndef SF_TEST_LSMODEL_H
#define SF_TEST_LSMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libseccomp's enum scmp_compare values (and sysfence's enum sf_op). */
enum lsm_op { LSM_NE = 1, LSM_LT, LSM_LE, LSM_EQ, LSM_GE, LSM_GT, LSM_MASKED_EQ };

/* One struct scmp_arg_cmp: for MASKED_EQ a is the mask and b the datum, else a the datum. */
struct lsm_cond {
	unsigned arg;
	int op;
	uint64_t a, b;
};

struct lsm_filter;

/* One architecture's filter: its default action and argument size (32 or 64 bits). */
struct lsm_filter *lsm_new(uint32_t default_ret, unsigned bits);
void lsm_free(struct lsm_filter *f);

/*
 * One seccomp_rule_add_array() on this arch for syscall nr (negative: one of libseccomp's
 * pseudo numbers). Returns 0, -EACCES (the default action), -EINVAL (bad argument or operator,
 * an argument compared twice), -EEXIST, or -ELOOP where libseccomp never returns (from the
 * rule add, or from exporting the filter). After a failure the filter must not be used again.
 */
int lsm_rule_add(struct lsm_filter *f, int nr, uint32_t action, const struct lsm_cond *c, size_t n);

/* Whether nr has an entry, and the tree's meaning for it (the default without an entry). */
bool lsm_has(const struct lsm_filter *f, int nr);
uint32_t lsm_eval(const struct lsm_filter *f, int nr, const uint64_t args[6]);
/* What libseccomp's code for that entry returns (stale accumulator included). */
uint32_t lsm_eval_bpf(const struct lsm_filter *f, int nr, const uint64_t args[6]);

/*
 * libseccomp's code for one arch section made of these filters (x86_64 and x32 share one; the
 * primary first), at optimize level 1: the syscall checks in priority order, every chain's
 * blocks shared with identical ones of any syscall, placed and given reloads as
 * _gen_bpf_build_bpf does. guard: the section loads nr itself (x86_64 alone, x32 alone). NULL
 * when out of memory. lsm_prog_run gives what it returns for an input of that arch that passed
 * the arch check (and the guard).
 */
struct lsm_prog;
struct lsm_prog *lsm_prog_build(const struct lsm_filter *const *fs, size_t n, bool guard);
uint32_t lsm_prog_run(const struct lsm_prog *p, uint32_t arch_token, int nr,
		      const uint64_t args[6]);
/* Its first entry is a pseudo entry, which emits no code: nothing loads nr. */
bool lsm_prog_lost(const struct lsm_prog *p);
void lsm_prog_free(struct lsm_prog *p);

/* A readable dump of one entry (malloc'd), for failure messages. */
char *lsm_dump(const struct lsm_filter *f, int nr);

#endif
