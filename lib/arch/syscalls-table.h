/*
 * The generated syscall table (syscalls-table.c, written by tools/gen-syscalls): internal to
 * lib/arch. The public view is include/sysfence/arch.h.
 */
#ifndef SF_ARCH_SYSCALLS_TABLE_H
#define SF_ARCH_SYSCALLS_TABLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The number columns of libseccomp's syscalls.csv. Little- and big-endian forms of an arch share
 * one (mips/mipsel, ppc64/ppc64le, sh/sheb). tools/gen-syscalls refuses a CSV whose columns differ
 * from this list, and the generated file initialises by these names, so the two cannot drift.
 */
enum sf_syscall_col {
	SF_COL_X86,
	SF_COL_X86_64,
	SF_COL_X32,
	SF_COL_ARM,
	SF_COL_AARCH64,
	SF_COL_LOONGARCH64,
	SF_COL_M68K,
	SF_COL_MIPS,
	SF_COL_MIPS64,
	SF_COL_MIPS64N32,
	SF_COL_PARISC,
	SF_COL_PARISC64,
	SF_COL_PPC,
	SF_COL_PPC64,
	SF_COL_RISCV64,
	SF_COL_S390,
	SF_COL_S390X,
	SF_COL_SH,
	SF_COL_COUNT
};

/* One column; by_nr lists the name indices of the syscalls it has, by ascending number. */
struct sf_syscall_column {
	const char *name;      /* the CSV's column name */
	uint32_t offset;       /* added to the CSV's table numbers: x32 0x40000000, mips 4000.. */
	const int32_t *nr;     /* by name index: the kernel's number (offset applied), or -1 */
	const uint16_t *by_nr; /* count name indices */
	size_t count;
	int32_t max_nr; /* the largest number, or -1 when empty */
};

struct sf_syscall_table {
	const char *source;	  /* what the table was generated from */
	const char *const *names; /* sorted by strcmp */
	size_t nnames;
	const uint8_t *mux;	/* by name index: socketcall/ipc call number, bit 7 for ipc; 0 */
	const uint16_t *hash;	/* by sf_name_hash & hash_mask: name index + 1, or 0; probe on */
	uint32_t hash_mask;
	const struct sf_syscall_column *columns; /* indexed by enum sf_syscall_col */
	size_t ncolumns;
};

extern const struct sf_syscall_table sf_syscall_table;

/* FNV-1a over the name's bytes (tools/gen-syscalls computes the same). */
static inline uint32_t sf_name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

#endif
