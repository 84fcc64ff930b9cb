/*
 * sysfence — architectures and their syscall tables (generated from the kernel's tables as
 * libseccomp lists them), with every spelling users write: libseccomp's, SCMP_ARCH_*, Go's.
 */
#ifndef SYSFENCE_ARCH_H
#define SYSFENCE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sf_arch {
	const char *name;      /* libseccomp's name: "x86_64", "x86", "x32", "mipsel64n32" */
	const char *scmp_name; /* "SCMP_ARCH_X86_64" */
	const char *go_name;   /* Go's GOARCH as Docker's includes/excludes use it ("amd64"); or NULL */
	uint32_t audit_arch;   /* AUDIT_ARCH_* as seccomp_data.arch carries it */
	unsigned bits;	       /* 32 or 64 */
	bool big_endian;
	uint32_t nr_offset; /* what the kernel adds to table numbers: x32 0x40000000, mips 4000.. */
	int socketcall_nr;  /* the multiplexer's kernel number, or -1 when the arch has none */
	int ipc_nr;
	unsigned column; /* this arch's column in the syscall table */
};

/* Every architecture, in a fixed order. */
size_t sf_arch_count(void);
const struct sf_arch *sf_arch_at(size_t i);
/* Any spelling, case-insensitive: "x86_64", "SCMP_ARCH_X86_64", "amd64", "386", "arm64". */
const struct sf_arch *sf_arch_find(const char *name);
/* The arch a seccomp_data.arch value means; x32 shares AUDIT_ARCH_X86_64 and is not returned. */
const struct sf_arch *sf_arch_by_audit(uint32_t audit_arch);
/* The architecture this program was built for. */
const struct sf_arch *sf_arch_native(void);

/* The table of syscall names (the union over all arches), sorted by name. */
size_t sf_syscall_count(void);
const char *sf_syscall_name_at(size_t i);
/* Index of a name in that table, or -1. */
long sf_syscall_index(const char *name);
/* The kernel's number of syscall index idx on arch (offset applied), or -1 when it has none. */
long sf_syscall_nr_at(const struct sf_arch *arch, size_t idx);
/* The kernel's number of name on arch, or -1 (unknown name, or not on that arch). */
long sf_syscall_nr(const struct sf_arch *arch, const char *name);
/* The numbers arch has, in ascending order: how many, and the i-th. */
size_t sf_syscall_arch_count(const struct sf_arch *arch);
long sf_syscall_nr_sorted(const struct sf_arch *arch, size_t i);
/* The name of kernel number nr on arch, or NULL. */
const char *sf_syscall_name(const struct sf_arch *arch, long nr);
/* The largest kernel number of arch's table. */
long sf_syscall_max_nr(const struct sf_arch *arch);

/*
 * Multiplexed syscalls: on arches with socketcall(2)/ipc(2), name may also be reached as
 * multiplexer(call, ...). Returns true and fills *mux_nr (kernel number of socketcall or ipc)
 * and *call (SYS_SOCKET=1 ..., SEMOP=1 ...) when it may.
 */
bool sf_syscall_multiplexed(const struct sf_arch *arch, const char *name, long *mux_nr,
			    unsigned *call);
/* The same for a name's sf_syscall_index. */
bool sf_syscall_multiplexed_at(const struct sf_arch *arch, long idx, long *mux_nr,
			       unsigned *call);

/* The closest known syscall name to a misspelt one (edit distance ≤ 2), or NULL. */
const char *sf_syscall_suggest(const char *name);

#ifdef __cplusplus
}
#endif
#endif
