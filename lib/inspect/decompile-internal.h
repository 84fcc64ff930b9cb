/* Shared between the decompiler's files: the analysis of programs over syscall numbers. */
#ifndef SF_INSPECT_DECOMPILE_INTERNAL_H
#define SF_INSPECT_DECOMPILE_INTERNAL_H

#include <sysfence/inspect.h>

#include "util/util.h"

/*
 * One test a program makes on a 32-bit word of seccomp_data other than nr and arch:
 * (word & mask) OP k, OP one of EQ, GT, GE, or SET: (word & mask) != 0. word is the word's
 * index in seccomp_data counted from instruction_pointer: 0, 1 the instruction pointer, 2 + 2i
 * and 3 + 2i argument i (which one is the high half depends on the arch's byte order).
 */
enum { T_EQ, T_GT, T_GE, T_SET };
struct word_test {
	uint8_t word, op;
	uint32_t mask, k;
};

/* A range of syscall numbers of one AUDIT_ARCH value on which every program behaves alike, or
 * reads argument words (then tests lists what it may compare them with). */
struct piece {
	uint32_t lo, hi;
	bool args;
	struct word_test *tests;
	size_t ntests;
};

struct arch_pieces {
	uint32_t audit; /* the value; for `other`, none of the values the programs compare */
	bool other;
	struct piece *v;
	size_t n;
};

/* Every AUDIT_ARCH value the programs compare seccomp_data.arch with, and "any other". */
struct analysis {
	struct arch_pieces *archs;
	size_t narchs; /* the last one is `other` */
};

int sf_analyze(const struct sf_prog *progs, size_t n, struct analysis *out, struct sf_error *err);
void sf_analysis_free(struct analysis *a);
const struct piece *sf_piece_find(const struct arch_pieces *ap, uint32_t nr);

#endif
