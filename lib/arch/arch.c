/*
 * Architectures (every one libseccomp 2.5/2.6 knows, under every name users write) and lookups in
 * the generated syscall table (syscalls-table.c): name <-> kernel number, multiplexers, spelling.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sysfence/arch.h>

#include "syscalls-table.h"
#include "util/util.h"

/* AUDIT_ARCH_* (linux/audit.h): EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE | convention. */
#define AA_64	      0x80000000u
#define AA_LE	      0x40000000u
#define AA_N32	      0x20000000u /* __AUDIT_ARCH_CONVENTION_MIPS64_N32 */
#define EM_386_	      3u
#define EM_68K_	      4u
#define EM_MIPS_      8u
#define EM_PARISC_    15u
#define EM_PPC_	      20u
#define EM_PPC64_     21u
#define EM_S390_      22u
#define EM_ARM_	      40u
#define EM_SH_	      42u
#define EM_X86_64_    62u
#define EM_AARCH64_   183u
#define EM_RISCV_     243u
#define EM_LOONGARCH_ 258u

enum {
	A_X86,
	A_X86_64,
	A_X32,
	A_ARM,
	A_AARCH64,
	A_LOONGARCH64,
	A_M68K,
	A_MIPS,
	A_MIPSEL,
	A_MIPS64,
	A_MIPSEL64,
	A_MIPS64N32,
	A_MIPSEL64N32,
	A_PARISC,
	A_PARISC64,
	A_PPC,
	A_PPC64,
	A_PPC64LE,
	A_RISCV64,
	A_S390,
	A_S390X,
	A_SH,
	A_SHEB,
	A_COUNT
};

/*
 * Multiplexers. libseccomp (src/arch-*.c, .sys_socketcall/.sys_ipc) routes socket and SysV IPC
 * calls through socketcall(2) = 102 and ipc(2) = 117 on exactly these: x86, m68k, mips o32 (base
 * 4000: 4102/4117), ppc, ppc64(le), s390, s390x and sh(eb); syscalls.csv agrees (socketcall and ipc
 * are PNR on every other column). arm EABI, parisc, the 64-bit mips ABIs and the generic-table
 * arches (aarch64, riscv64, loongarch64) never had them, and x86_64/x32 have no socketcall.
 */
#define MUX_NONE  -1, -1
#define MUX(base) (base) + 102, (base) + 117

/*
 * go_name is the spelling Docker's includes/excludes "arches" compare with: moby's
 * profiles/seccomp goToNative[runtime.GOARCH] ("x86" for 386, "amd64", "arm64", "mipsel" for
 * mipsle, "mips3l64n32" — sic — for mips64p32le). Docker's own profiles also write "x32". Where
 * moby has no entry, Go's GOARCH (loong64, mips, riscv64); NULL where Go has no port.
 */
static const struct sf_arch arches[A_COUNT] = {
    [A_X86] = {"x86", "SCMP_ARCH_X86", "x86", EM_386_ | AA_LE, 32, false, 0, MUX(0), SF_COL_X86},
    [A_X86_64] = {"x86_64", "SCMP_ARCH_X86_64", "amd64", EM_X86_64_ | AA_64 | AA_LE, 64, false, 0,
		  MUX_NONE, SF_COL_X86_64},
    /* The kernel reports x32 as AUDIT_ARCH_X86_64 and tells it apart by __X32_SYSCALL_BIT. */
    [A_X32] = {"x32", "SCMP_ARCH_X32", "x32", EM_X86_64_ | AA_64 | AA_LE, 32, false, 0x40000000,
	       MUX_NONE, SF_COL_X32},
    [A_ARM] = {"arm", "SCMP_ARCH_ARM", "arm", EM_ARM_ | AA_LE, 32, false, 0, MUX_NONE, SF_COL_ARM},
    [A_AARCH64] = {"aarch64", "SCMP_ARCH_AARCH64", "arm64", EM_AARCH64_ | AA_64 | AA_LE, 64, false,
		   0, MUX_NONE, SF_COL_AARCH64},
    [A_LOONGARCH64] = {"loongarch64", "SCMP_ARCH_LOONGARCH64", "loong64",
		       EM_LOONGARCH_ | AA_64 | AA_LE, 64, false, 0, MUX_NONE, SF_COL_LOONGARCH64},
    [A_M68K] = {"m68k", "SCMP_ARCH_M68K", NULL, EM_68K_, 32, true, 0, MUX(0), SF_COL_M68K},
    [A_MIPS] = {"mips", "SCMP_ARCH_MIPS", "mips", EM_MIPS_, 32, true, 4000, MUX(4000), SF_COL_MIPS},
    [A_MIPSEL] = {"mipsel", "SCMP_ARCH_MIPSEL", "mipsel", EM_MIPS_ | AA_LE, 32, false, 4000,
		  MUX(4000), SF_COL_MIPS},
    [A_MIPS64] = {"mips64", "SCMP_ARCH_MIPS64", "mips64", EM_MIPS_ | AA_64, 64, true, 5000,
		  MUX_NONE, SF_COL_MIPS64},
    [A_MIPSEL64] = {"mipsel64", "SCMP_ARCH_MIPSEL64", "mipsel64", EM_MIPS_ | AA_64 | AA_LE, 64,
		    false, 5000, MUX_NONE, SF_COL_MIPS64},
    /* n32 is a 64-bit audit arch with 32-bit arguments; libseccomp says ARCH_SIZE_32. */
    [A_MIPS64N32] = {"mips64n32", "SCMP_ARCH_MIPS64N32", "mips64n32", EM_MIPS_ | AA_64 | AA_N32, 32,
		     true, 6000, MUX_NONE, SF_COL_MIPS64N32},
    [A_MIPSEL64N32] = {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32", "mips3l64n32",
		       EM_MIPS_ | AA_64 | AA_LE | AA_N32, 32, false, 6000, MUX_NONE,
		       SF_COL_MIPS64N32},
    [A_PARISC] = {"parisc", "SCMP_ARCH_PARISC", NULL, EM_PARISC_, 32, true, 0, MUX_NONE,
		  SF_COL_PARISC},
    [A_PARISC64] = {"parisc64", "SCMP_ARCH_PARISC64", NULL, EM_PARISC_ | AA_64, 64, true, 0,
		    MUX_NONE, SF_COL_PARISC64},
    [A_PPC] = {"ppc", "SCMP_ARCH_PPC", "ppc", EM_PPC_, 32, true, 0, MUX(0), SF_COL_PPC},
    [A_PPC64] = {"ppc64", "SCMP_ARCH_PPC64", "ppc64", EM_PPC64_ | AA_64, 64, true, 0, MUX(0),
		 SF_COL_PPC64},
    [A_PPC64LE] = {"ppc64le", "SCMP_ARCH_PPC64LE", "ppc64le", EM_PPC64_ | AA_64 | AA_LE, 64, false,
		   0, MUX(0), SF_COL_PPC64},
    [A_RISCV64] = {"riscv64", "SCMP_ARCH_RISCV64", "riscv64", EM_RISCV_ | AA_64 | AA_LE, 64, false,
		   0, MUX_NONE, SF_COL_RISCV64},
    [A_S390] = {"s390", "SCMP_ARCH_S390", "s390", EM_S390_, 32, true, 0, MUX(0), SF_COL_S390},
    [A_S390X] = {"s390x", "SCMP_ARCH_S390X", "s390x", EM_S390_ | AA_64, 64, true, 0, MUX(0),
		 SF_COL_S390X},
    /* libseccomp's "sh" is little-endian (AUDIT_ARCH_SHEL), "sheb" big-endian (AUDIT_ARCH_SH). */
    [A_SH] = {"sh", "SCMP_ARCH_SH", NULL, EM_SH_ | AA_LE, 32, false, 0, MUX(0), SF_COL_SH},
    [A_SHEB] = {"sheb", "SCMP_ARCH_SHEB", NULL, EM_SH_, 32, true, 0, MUX(0), SF_COL_SH},
};

/* Other spellings: Go's GOARCH where it differs from go_name, uname -m, Debian, Docker's typo. */
static const struct {
	const char *name;
	unsigned arch;
} aliases[] = {
    {"386", A_X86},
    {"i386", A_X86},
    {"i486", A_X86},
    {"i586", A_X86},
    {"i686", A_X86},
    {"ia32", A_X86},
    {"x86-64", A_X86_64},
    {"x64", A_X86_64},
    {"armhf", A_ARM},
    {"armel", A_ARM},
    {"armv7l", A_ARM},
    {"arm64", A_AARCH64},
    {"loong64", A_LOONGARCH64},
    {"mipsle", A_MIPSEL},
    {"mips64le", A_MIPSEL64},
    {"mips64el", A_MIPSEL64},
    {"mips64p32", A_MIPS64N32},
    {"mips64p32le", A_MIPSEL64N32},
    {"mipsel64n32", A_MIPSEL64N32},
    {"hppa", A_PARISC},
    {"hppa64", A_PARISC64},
    {"powerpc", A_PPC},
    {"powerpc64", A_PPC64},
    {"powerpc64le", A_PPC64LE},
    {"ppc64el", A_PPC64LE},
};

size_t sf_arch_count(void)
{
	return A_COUNT;
}

const struct sf_arch *sf_arch_at(size_t i)
{
	return i < A_COUNT ? &arches[i] : NULL;
}

const struct sf_arch *sf_arch_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < A_COUNT; i++) {
		const struct sf_arch *a = &arches[i];
		if (strcasecmp(name, a->name) == 0 || strcasecmp(name, a->scmp_name) == 0 ||
		    (a->go_name && strcasecmp(name, a->go_name) == 0))
			return a;
	}
	for (size_t i = 0; i < SF_ARRAY_SIZE(aliases); i++)
		if (strcasecmp(name, aliases[i].name) == 0)
			return &arches[aliases[i].arch];
	return NULL;
}

const struct sf_arch *sf_arch_by_audit(uint32_t audit_arch)
{
	for (size_t i = 0; i < A_COUNT; i++)
		if (i != A_X32 && arches[i].audit_arch == audit_arch)
			return &arches[i];
	return NULL;
}

const struct sf_arch *sf_arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return &arches[A_X32];
#elif defined(__x86_64__)
	return &arches[A_X86_64];
#elif defined(__i386__)
	return &arches[A_X86];
#elif defined(__aarch64__) && !defined(__AARCH64EB__) && !defined(__ILP32__)
	return &arches[A_AARCH64];
#elif defined(__arm__) && !defined(__ARMEB__)
	return &arches[A_ARM];
#elif defined(__loongarch__) && __loongarch_grlen == 64
	return &arches[A_LOONGARCH64];
#elif defined(__m68k__)
	return &arches[A_M68K];
#elif defined(__mips__) && _MIPS_SIM == _ABIO32
#if defined(__MIPSEL__)
	return &arches[A_MIPSEL];
#else
	return &arches[A_MIPS];
#endif
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
#if defined(__MIPSEL__)
	return &arches[A_MIPSEL64N32];
#else
	return &arches[A_MIPS64N32];
#endif
#elif defined(__mips__) && _MIPS_SIM == _ABI64
#if defined(__MIPSEL__)
	return &arches[A_MIPSEL64];
#else
	return &arches[A_MIPS64];
#endif
#elif defined(__hppa__) && defined(__LP64__)
	return &arches[A_PARISC64];
#elif defined(__hppa__)
	return &arches[A_PARISC];
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return &arches[A_PPC64LE];
#elif defined(__powerpc64__)
	return &arches[A_PPC64];
#elif defined(__powerpc__)
	return &arches[A_PPC];
#elif defined(__riscv) && __riscv_xlen == 64
	return &arches[A_RISCV64];
#elif defined(__s390x__)
	return &arches[A_S390X];
#elif defined(__s390__)
	return &arches[A_S390];
#elif defined(__sh__) && defined(__LITTLE_ENDIAN__)
	return &arches[A_SH];
#elif defined(__sh__)
	return &arches[A_SHEB];
#else
	return NULL;
#endif
}

size_t sf_syscall_count(void)
{
	return sf_syscall_table.nnames;
}

const char *sf_syscall_name_at(size_t i)
{
	return i < sf_syscall_table.nnames ? sf_syscall_table.names[i] : NULL;
}

long sf_syscall_index(const char *name)
{
	const struct sf_syscall_table *t = &sf_syscall_table;

	if (!name)
		return -1;
	for (uint32_t h = sf_name_hash(name) & t->hash_mask; t->hash[h];
	     h = (h + 1) & t->hash_mask) {
		size_t i = (size_t)t->hash[h] - 1;
		if (strcmp(name, t->names[i]) == 0)
			return (long)i;
	}
	return -1;
}

static const struct sf_syscall_column *column(const struct sf_arch *arch)
{
	if (!arch || arch->column >= sf_syscall_table.ncolumns)
		return NULL;
	return &sf_syscall_table.columns[arch->column];
}

long sf_syscall_nr_at(const struct sf_arch *arch, size_t idx)
{
	const struct sf_syscall_column *col = column(arch);

	if (!col || idx >= sf_syscall_table.nnames)
		return -1;
	return col->nr[idx];
}

long sf_syscall_nr(const struct sf_arch *arch, const char *name)
{
	long idx = sf_syscall_index(name);

	return idx < 0 ? -1 : sf_syscall_nr_at(arch, (size_t)idx);
}

size_t sf_syscall_arch_count(const struct sf_arch *arch)
{
	const struct sf_syscall_column *col = column(arch);

	return col ? col->count : 0;
}

long sf_syscall_nr_sorted(const struct sf_arch *arch, size_t i)
{
	const struct sf_syscall_column *col = column(arch);

	return col && i < col->count ? col->nr[col->by_nr[i]] : -1;
}

const char *sf_syscall_name(const struct sf_arch *arch, long nr)
{
	const struct sf_syscall_column *col = column(arch);
	size_t lo = 0, hi;

	if (!col || nr < 0 || nr > col->max_nr)
		return NULL;
	hi = col->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint16_t idx = col->by_nr[mid];
		long v = col->nr[idx];
		if (v == nr)
			return sf_syscall_table.names[idx];
		if (nr < v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

long sf_syscall_max_nr(const struct sf_arch *arch)
{
	const struct sf_syscall_column *col = column(arch);

	return col ? col->max_nr : -1;
}

/*
 * The multiplexed calls (the generated table's mux column): socketcall(2)'s numbers are
 * linux/net.h's SYS_SOCKET = 1 ... SYS_SENDMMSG = 20 (the kernel takes the call as an int);
 * ipc(2)'s are linux/ipc.h's, and the kernel splits its call argument as version << 16 | call,
 * so only the low 16 bits name it.
 */
bool sf_syscall_multiplexed_at(const struct sf_arch *arch, long idx, long *mux_nr,
			       unsigned *call)
{
	if (!arch || idx < 0 || (size_t)idx >= sf_syscall_table.nnames)
		return false;
	uint8_t m = sf_syscall_table.mux[idx];
	if (!m)
		return false;
	long nr = m & 0x80 ? arch->ipc_nr : arch->socketcall_nr;
	if (nr < 0)
		return false;
	if (mux_nr)
		*mux_nr = nr;
	if (call)
		*call = m & 0x7f;
	return true;
}

bool sf_syscall_multiplexed(const struct sf_arch *arch, const char *name, long *mux_nr,
			    unsigned *call)
{
	return sf_syscall_multiplexed_at(arch, sf_syscall_index(name), mux_nr, call);
}

const char *sf_syscall_suggest(const char *name)
{
	enum { MAX_DISTANCE = 2 };
	char lower[64];
	const char *best = NULL;
	unsigned best_d = MAX_DISTANCE + 1;
	size_t best_len = 0, n;

	if (!name)
		return NULL;
	/* Every syscall name is lower case: "Open" and "OPEN" mean open. */
	n = strlen(name);
	if (n >= sizeof(lower))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	/* names are sorted, so among equals (distance, then length) the first is alphabetical. */
	for (size_t i = 0; i < sf_syscall_table.nnames; i++) {
		const char *cand = sf_syscall_table.names[i];
		unsigned d = sf_edit_distance(lower, cand, MAX_DISTANCE);
		size_t len;
		if (d > MAX_DISTANCE || d > best_d)
			continue;
		len = strlen(cand);
		if (d < best_d || len < best_len) {
			best = cand;
			best_d = d;
			best_len = len;
		}
	}
	return best;
}
