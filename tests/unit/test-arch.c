/*
 * lib/arch: the architecture list and the generated syscall table, checked against libseccomp
 * (the test-only oracle, 2.5.4 here) and the kernel's uapi headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/audit.h>
#include <linux/ipc.h>
#include <linux/net.h>
#include <seccomp.h>

#include <sysfence/arch.h>

#include "arch/syscalls-table.h"
#include "util/util.h"

static const struct sf_arch *arch(const char *name)
{
	const struct sf_arch *a = sf_arch_find(name);
	if (!a)
		fail_msg("no arch '%s'", name);
	return a;
}

/* libseccomp's token for a, or 0 when this libseccomp does not know it (2.5.4: sh, m68k, ...). */
static uint32_t scmp_token(const struct sf_arch *a)
{
	return seccomp_arch_resolve_name(a->name);
}

/* The arches every libseccomp since 2.5 has, with their SCMP_ARCH_* tokens. */
static const struct {
	const char *name;
	uint32_t token;
} scmp_known[] = {
    {"x86", SCMP_ARCH_X86},
    {"x86_64", SCMP_ARCH_X86_64},
    {"x32", SCMP_ARCH_X32},
    {"arm", SCMP_ARCH_ARM},
    {"aarch64", SCMP_ARCH_AARCH64},
    {"mips", SCMP_ARCH_MIPS},
    {"mipsel", SCMP_ARCH_MIPSEL},
    {"mips64", SCMP_ARCH_MIPS64},
    {"mipsel64", SCMP_ARCH_MIPSEL64},
    {"mips64n32", SCMP_ARCH_MIPS64N32},
    {"mipsel64n32", SCMP_ARCH_MIPSEL64N32},
    {"parisc", SCMP_ARCH_PARISC},
    {"parisc64", SCMP_ARCH_PARISC64},
    {"ppc", SCMP_ARCH_PPC},
    {"ppc64", SCMP_ARCH_PPC64},
    {"ppc64le", SCMP_ARCH_PPC64LE},
    {"riscv64", SCMP_ARCH_RISCV64},
    {"s390", SCMP_ARCH_S390},
    {"s390x", SCMP_ARCH_S390X},
};

/* Every arch against linux/audit.h: what the kernel puts in seccomp_data.arch. */
static const struct {
	const char *name;
	uint32_t audit;
} uapi_audit[] = {
    {"x86", AUDIT_ARCH_I386},
    {"x86_64", AUDIT_ARCH_X86_64},
    {"x32", AUDIT_ARCH_X86_64},
    {"arm", AUDIT_ARCH_ARM},
    {"aarch64", AUDIT_ARCH_AARCH64},
    {"loongarch64", AUDIT_ARCH_LOONGARCH64},
    {"m68k", AUDIT_ARCH_M68K},
    {"mips", AUDIT_ARCH_MIPS},
    {"mipsel", AUDIT_ARCH_MIPSEL},
    {"mips64", AUDIT_ARCH_MIPS64},
    {"mipsel64", AUDIT_ARCH_MIPSEL64},
    {"mips64n32", AUDIT_ARCH_MIPS64N32},
    {"mipsel64n32", AUDIT_ARCH_MIPSEL64N32},
    {"parisc", AUDIT_ARCH_PARISC},
    {"parisc64", AUDIT_ARCH_PARISC64},
    {"ppc", AUDIT_ARCH_PPC},
    {"ppc64", AUDIT_ARCH_PPC64},
    {"ppc64le", AUDIT_ARCH_PPC64LE},
    {"riscv64", AUDIT_ARCH_RISCV64},
    {"s390", AUDIT_ARCH_S390},
    {"s390x", AUDIT_ARCH_S390X},
    {"sh", AUDIT_ARCH_SHEL},
    {"sheb", AUDIT_ARCH_SH},
};

static void arch_list_is_every_libseccomp_arch(void **state)
{
	assert_int_equal(sf_arch_count(), SF_ARRAY_SIZE(uapi_audit));
	for (size_t i = 0; i < SF_ARRAY_SIZE(uapi_audit); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		assert_non_null(a);
		assert_string_equal(a->name, uapi_audit[i].name);
	}
	assert_null(sf_arch_at(sf_arch_count()));
}

static void audit_arch_is_the_kernels(void **state)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(uapi_audit); i++) {
		const struct sf_arch *a = arch(uapi_audit[i].name);
		assert_int_equal(a->audit_arch, uapi_audit[i].audit);
		/* The audit flags agree with the other fields (x32 and n32: 64-bit regs, ILP32). */
		assert_int_equal(!(a->audit_arch & __AUDIT_ARCH_LE), a->big_endian);
		if (strcmp(a->name, "x32") && strcmp(a->name, "mips64n32") &&
		    strcmp(a->name, "mipsel64n32"))
			assert_int_equal(a->bits, a->audit_arch & __AUDIT_ARCH_64BIT ? 64 : 32);
		else
			assert_int_equal(a->bits, 32);
	}
}

static void names_are_libseccomps(void **state)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(scmp_known); i++) {
		const struct sf_arch *a = arch(scmp_known[i].name);
		assert_int_equal(seccomp_arch_resolve_name(a->name), scmp_known[i].token);
		/* SCMP_ARCH_* tokens are AUDIT_ARCH_* values, except x32's (EM_X86_64 | LE). */
		if (strcmp(a->name, "x32") == 0) {
			assert_int_equal(scmp_known[i].token,
					 AUDIT_ARCH_X86_64 & ~__AUDIT_ARCH_64BIT);
			assert_int_equal(a->audit_arch, AUDIT_ARCH_X86_64);
		} else {
			assert_int_equal(a->audit_arch, scmp_known[i].token);
		}
		/* scmp_name is "SCMP_ARCH_" + the upper-cased libseccomp name. */
		char want[64];
		int n = snprintf(want, sizeof(want), "SCMP_ARCH_%s", a->name);
		assert_true(n > 0 && (size_t)n < sizeof(want));
		for (char *p = want; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		assert_string_equal(a->scmp_name, want);
	}
}

static void find_accepts_every_spelling(void **state)
{
	static const struct {
		const char *spelling, *arch;
	} cases[] = {
	    {"x86_64", "x86_64"},
	    {"X86_64", "x86_64"},
	    {"SCMP_ARCH_X86_64", "x86_64"},
	    {"scmp_arch_x86_64", "x86_64"},
	    {"amd64", "x86_64"},
	    {"AMD64", "x86_64"},
	    {"x86", "x86"},
	    {"386", "x86"},
	    {"i386", "x86"},
	    {"i686", "x86"},
	    {"SCMP_ARCH_X86", "x86"},
	    {"x32", "x32"},
	    {"SCMP_ARCH_X32", "x32"},
	    {"arm", "arm"},
	    {"armhf", "arm"},
	    {"arm64", "aarch64"},
	    {"aarch64", "aarch64"},
	    {"SCMP_ARCH_AARCH64", "aarch64"},
	    {"loong64", "loongarch64"},
	    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
	    {"SCMP_ARCH_M68K", "m68k"},
	    {"mipsle", "mipsel"},
	    {"mips64le", "mipsel64"},
	    {"mips64el", "mipsel64"},
	    {"mips64p32", "mips64n32"},
	    {"mips64p32le", "mipsel64n32"},
	    {"mips3l64n32", "mipsel64n32"},
	    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
	    {"hppa", "parisc"},
	    {"SCMP_ARCH_PARISC64", "parisc64"},
	    {"powerpc64le", "ppc64le"},
	    {"ppc64el", "ppc64le"},
	    {"SCMP_ARCH_PPC", "ppc"},
	    {"riscv64", "riscv64"},
	    {"s390", "s390"},
	    {"SCMP_ARCH_S390X", "s390x"},
	    {"sh", "sh"},
	    {"SCMP_ARCH_SHEB", "sheb"},
	};
	for (size_t i = 0; i < SF_ARRAY_SIZE(cases); i++) {
		const struct sf_arch *a = sf_arch_find(cases[i].spelling);
		if (!a)
			fail_msg("'%s' not found", cases[i].spelling);
		assert_string_equal(a->name, cases[i].arch);
	}
	/* Each arch's own names lead back to it: no spelling means two arches. */
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		assert_ptr_equal(sf_arch_find(a->name), a);
		assert_ptr_equal(sf_arch_find(a->scmp_name), a);
		if (a->go_name)
			assert_ptr_equal(sf_arch_find(a->go_name), a);
	}
	assert_null(sf_arch_find(NULL));
	assert_null(sf_arch_find(""));
	assert_null(sf_arch_find("x86_65"));
	assert_null(sf_arch_find("SCMP_ARCH_"));
	assert_null(sf_arch_find("sparc64"));
}

static void go_names_are_dockers(void **state)
{
	/* What moby's goToNative gives and Docker's default profile writes in "arches". */
	assert_string_equal(arch("x86")->go_name, "x86");
	assert_string_equal(arch("x86_64")->go_name, "amd64");
	assert_string_equal(arch("x32")->go_name, "x32");
	assert_string_equal(arch("aarch64")->go_name, "arm64");
	assert_string_equal(arch("mipsel")->go_name, "mipsel");
	assert_string_equal(arch("mipsel64n32")->go_name, "mips3l64n32");
	assert_string_equal(arch("ppc64le")->go_name, "ppc64le");
	assert_string_equal(arch("s390x")->go_name, "s390x");
	assert_null(arch("m68k")->go_name);
}

static void by_audit_never_returns_x32(void **state)
{
	assert_string_equal(sf_arch_by_audit(AUDIT_ARCH_X86_64)->name, "x86_64");
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		if (strcmp(a->name, "x32") == 0)
			continue;
		assert_ptr_equal(sf_arch_by_audit(a->audit_arch), a);
	}
	assert_null(sf_arch_by_audit(0));
	assert_null(sf_arch_by_audit(AUDIT_ARCH_SPARC64));
}

static void native_is_this_build(void **state)
{
	const struct sf_arch *n = sf_arch_native();
	uint32_t token = seccomp_arch_native();

	assert_non_null(n);
	if (token == SCMP_ARCH_X32)
		assert_string_equal(n->name, "x32");
	else
		assert_int_equal(n->audit_arch, token);
#if defined(__x86_64__) && !defined(__ILP32__)
	assert_string_equal(n->name, "x86_64");
#elif defined(__aarch64__)
	assert_string_equal(n->name, "aarch64");
#endif
}

static void names_are_sorted_and_found(void **state)
{
	size_t n = sf_syscall_count();

	assert_true(n > 400);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(strcmp(sf_syscall_name_at(i - 1), sf_syscall_name_at(i)) < 0);
		assert_int_equal(sf_syscall_index(sf_syscall_name_at(i)), (long)i);
	}
	assert_null(sf_syscall_name_at(n));
	assert_int_equal(sf_syscall_index("zzz"), -1);
	assert_int_equal(sf_syscall_index(""), -1);
	assert_int_equal(sf_syscall_index(NULL), -1);
	assert_int_equal(sf_syscall_index("Read"), -1);
}

static void numbers_are_the_kernels(void **state)
{
	assert_int_equal(sf_syscall_nr(arch("x86_64"), "read"), 0);
	assert_int_equal(sf_syscall_nr(arch("x86"), "read"), 3);
	assert_int_equal(sf_syscall_nr(arch("x32"), "read"), 0x40000000);
	assert_int_equal(sf_syscall_nr(arch("x32"), "execve"), 0x40000000 | 520);
	assert_int_equal(sf_syscall_nr(arch("aarch64"), "openat"), 56);
	assert_int_equal(sf_syscall_nr(arch("mips"), "read"), 4003);
	assert_int_equal(sf_syscall_nr(arch("mipsel"), "read"), 4003);
	assert_int_equal(sf_syscall_nr(arch("mips64"), "read"), 5000);
	assert_int_equal(sf_syscall_nr(arch("mipsel64n32"), "read"), 6000);
	assert_int_equal(sf_syscall_nr(arch("arm"), "cacheflush"), 0x0f0002);
	assert_int_equal(sf_syscall_nr(arch("x86_64"), "mmap2"), -1);
	assert_int_equal(sf_syscall_nr(arch("x86_64"), "nosuchcall"), -1);
	assert_int_equal(sf_syscall_nr(NULL, "read"), -1);
	assert_int_equal(sf_syscall_nr_at(arch("x86_64"), sf_syscall_count()), -1);
	/* The column's offset is the arch's. */
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		assert_true(a->column < sf_syscall_table.ncolumns);
		assert_int_equal(sf_syscall_table.columns[a->column].offset, a->nr_offset);
	}
}

static void number_to_name_round_trips(void **state)
{
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		long max = -1;
		size_t have = 0;
		for (size_t k = 0; k < sf_syscall_count(); k++) {
			long nr = sf_syscall_nr_at(a, k);
			if (nr < 0)
				continue;
			have++;
			assert_string_equal(sf_syscall_name(a, nr), sf_syscall_name_at(k));
			if (nr > max)
				max = nr;
		}
		assert_true(have > 300);
		assert_int_equal(sf_syscall_max_nr(a), max);
		assert_null(sf_syscall_name(a, max + 1));
		assert_null(sf_syscall_name(a, -1));
	}
	assert_string_equal(sf_syscall_name(arch("x86_64"), 0), "read");
	assert_null(sf_syscall_name(arch("x32"), 0)); /* x32 numbers carry the x32 bit */
	assert_string_equal(sf_syscall_name(arch("x32"), 0x40000000), "read");
	assert_null(sf_syscall_name(arch("mips"), 3));
	assert_null(sf_syscall_name(NULL, 0));
	assert_int_equal(sf_syscall_max_nr(NULL), -1);
}

/*
 * Every name on every arch libseccomp knows: where libseccomp gives a number, ours is the same.
 * libseccomp 2.5.4's table is older: a name it has no number for (__NR_SCMP_ERROR, or a __PNR_*
 * pseudo-number) is counted, not failed, as long as our number means nothing else to libseccomp.
 * Pseudo-numbers for calls the arch multiplexes are expected: libseccomp steers socket calls to
 * socketcall(2) on x86, for instance, even where the kernel also has a direct number.
 */
/*
 * Where the kernel changed after libseccomp 2.5.4's table was made. Each is explained; any other
 * difference fails the test.
 */
static const struct {
	const char *arch, *name;
} known_changes[] = {
    /* Linux made _llseek 32-bit only on parisc (syscall.tbl: "140 common" became "140 32"). */
    {"parisc64", "_llseek"},
};

static bool known_change(const char *a, const char *name)
{
	for (size_t i = 0; i < SF_ARRAY_SIZE(known_changes); i++)
		if (strcmp(known_changes[i].arch, a) == 0 &&
		    strcmp(known_changes[i].name, name) == 0)
			return true;
	return false;
}

static void numbers_agree_with_libseccomp(void **state)
{
	size_t compared = 0, absent = 0, pseudo = 0, archs = 0, changed = 0;
	uint32_t *absent_on = calloc(sf_syscall_count(), sizeof(*absent_on)); /* bit: arch index */

	assert_non_null(absent_on);
	assert_true(sf_arch_count() <= 32);

	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		uint32_t token = scmp_token(a);
		if (!token)
			continue;
		archs++;
		for (size_t k = 0; k < sf_syscall_count(); k++) {
			const char *name = sf_syscall_name_at(k);
			long ours = sf_syscall_nr_at(a, k);
			int theirs = seccomp_syscall_resolve_name_arch(token, name);
			if (theirs >= 0 && ours != theirs && known_change(a->name, name)) {
				changed++;
			} else if (theirs >= 0) {
				compared++;
				if (ours != theirs)
					fail_msg("%s on %s: ours %ld, libseccomp %d", name, a->name,
						 ours, theirs);
				char *back = seccomp_syscall_resolve_num_arch(token, theirs);
				if (back && strcmp(back, name) != 0)
					fail_msg("%s: %d is %s in libseccomp, %s in ours", a->name,
						 theirs, back, name);
				free(back);
			} else if (ours >= 0 && sf_syscall_multiplexed(a, name, NULL, NULL) &&
				   theirs != __NR_SCMP_ERROR) {
				pseudo++;
			} else if (ours >= 0) {
				/* Not in libseccomp's table for this arch; then neither may our
				 * number be taken by another name there. */
				char *other = seccomp_syscall_resolve_num_arch(token, (int)ours);
				if (other)
					fail_msg(
					    "%s on %s: ours %ld, which libseccomp calls %s (it "
					    "gives %s %d)",
					    name, a->name, ours, other, name, theirs);
				absent++;
				absent_on[k] |= 1u << i;
			}
		}
	}
	print_message(
	    "libseccomp %u.%u.%u: %zu arches, %zu names: %zu numbers compared, all "
	    "equal; %zu multiplexed (libseccomp gives __PNR_*); %zu not in its table; %zu "
	    "changed by the kernel since\n",
	    seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro, archs,
	    sf_syscall_count(), compared, pseudo, absent, changed);
	for (size_t k = 0; getenv("SF_TEST_VERBOSE") && k < sf_syscall_count(); k++) {
		char line[512];
		size_t len = 0;
		if (!absent_on[k])
			continue;
		for (size_t i = 0; i < sf_arch_count(); i++)
			if (absent_on[k] & (1u << i) && len < sizeof(line))
				len += (size_t)snprintf(line + len, sizeof(line) - len, " %s",
							sf_arch_at(i)->name);
		print_message("  not in libseccomp's table: %s on%s\n", sf_syscall_name_at(k),
			      line);
	}
	free(absent_on);
	assert_true(archs >= SF_ARRAY_SIZE(scmp_known));
	assert_true(compared > 5000);
}

static void multiplexers_are_libseccomps(void **state)
{
	for (size_t i = 0; i < sf_arch_count(); i++) {
		const struct sf_arch *a = sf_arch_at(i);
		/* The table agrees: socketcall/ipc exist exactly where the arch multiplexes. */
		assert_int_equal(sf_syscall_nr(a, "socketcall"), a->socketcall_nr);
		assert_int_equal(sf_syscall_nr(a, "ipc"), a->ipc_nr);
		assert_int_equal(a->socketcall_nr >= 0, a->ipc_nr >= 0);
		uint32_t token = scmp_token(a);
		if (!token)
			continue;
		/* libseccomp's numbers for the multiplexers, and its steering of socket calls. */
		int sc = seccomp_syscall_resolve_name_arch(token, "socketcall");
		int ipc = seccomp_syscall_resolve_name_arch(token, "ipc");
		assert_int_equal(a->socketcall_nr >= 0 ? a->socketcall_nr : -1, sc >= 0 ? sc : -1);
		assert_int_equal(a->ipc_nr >= 0 ? a->ipc_nr : -1, ipc >= 0 ? ipc : -1);
		/* Where libseccomp steers socket/semop to a multiplexer (__PNR_*), so do we. */
		if (seccomp_syscall_resolve_name_arch(token, "socket") < 0)
			assert_true(sf_syscall_multiplexed(a, "socket", NULL, NULL));
		if (seccomp_syscall_resolve_name_arch(token, "semop") < 0)
			assert_true(sf_syscall_multiplexed(a, "semop", NULL, NULL));
	}
	/* The arches libseccomp 2.6 gives .sys_socketcall/.sys_ipc (src/arch-*.c), by name. */
	static const char *const mux[] = {"x86",     "m68k", "mips",  "mipsel", "ppc", "ppc64",
					  "ppc64le", "s390", "s390x", "sh",	"sheb"};
	size_t n = 0;
	for (size_t i = 0; i < sf_arch_count(); i++)
		n += sf_arch_at(i)->socketcall_nr >= 0;
	assert_int_equal(n, SF_ARRAY_SIZE(mux));
	for (size_t i = 0; i < SF_ARRAY_SIZE(mux); i++)
		assert_true(arch(mux[i])->socketcall_nr >= 0);
}

static void multiplexed_calls_use_uapi_numbers(void **state)
{
	static const struct {
		const char *name;
		unsigned call;
		bool ipc;
	} cases[] = {
	    {"socket", SYS_SOCKET, false},
	    {"bind", SYS_BIND, false},
	    {"connect", SYS_CONNECT, false},
	    {"listen", SYS_LISTEN, false},
	    {"accept", SYS_ACCEPT, false},
	    {"getsockname", SYS_GETSOCKNAME, false},
	    {"getpeername", SYS_GETPEERNAME, false},
	    {"socketpair", SYS_SOCKETPAIR, false},
	    {"send", SYS_SEND, false},
	    {"recv", SYS_RECV, false},
	    {"sendto", SYS_SENDTO, false},
	    {"recvfrom", SYS_RECVFROM, false},
	    {"shutdown", SYS_SHUTDOWN, false},
	    {"setsockopt", SYS_SETSOCKOPT, false},
	    {"getsockopt", SYS_GETSOCKOPT, false},
	    {"sendmsg", SYS_SENDMSG, false},
	    {"recvmsg", SYS_RECVMSG, false},
	    {"accept4", SYS_ACCEPT4, false},
	    {"recvmmsg", SYS_RECVMMSG, false},
	    {"sendmmsg", SYS_SENDMMSG, false},
	    {"semop", SEMOP, true},
	    {"semget", SEMGET, true},
	    {"semctl", SEMCTL, true},
	    {"semtimedop", SEMTIMEDOP, true},
	    {"msgsnd", MSGSND, true},
	    {"msgrcv", MSGRCV, true},
	    {"msgget", MSGGET, true},
	    {"msgctl", MSGCTL, true},
	    {"shmat", SHMAT, true},
	    {"shmdt", SHMDT, true},
	    {"shmget", SHMGET, true},
	    {"shmctl", SHMCTL, true},
	};
	const struct sf_arch *x86 = arch("x86"), *mips = arch("mips");
	long mux;
	unsigned call;

	for (size_t i = 0; i < SF_ARRAY_SIZE(cases); i++) {
		mux = -2;
		call = 0;
		assert_true(sf_syscall_multiplexed(x86, cases[i].name, &mux, &call));
		assert_int_equal(mux, cases[i].ipc ? 117 : 102);
		assert_int_equal(call, cases[i].call);
		assert_true(sf_syscall_multiplexed(mips, cases[i].name, &mux, &call));
		assert_int_equal(mux, cases[i].ipc ? 4117 : 4102);
		/* Every one is a syscall we know by name. */
		assert_true(sf_syscall_index(cases[i].name) >= 0);
	}
	assert_true(sf_syscall_multiplexed(x86, "socket", NULL, NULL));
	assert_false(sf_syscall_multiplexed(x86, "read", &mux, &call));
	assert_false(sf_syscall_multiplexed(x86, "semtimedop_time64", &mux, &call));
	assert_false(sf_syscall_multiplexed(arch("x86_64"), "socket", &mux, &call));
	assert_false(sf_syscall_multiplexed(arch("aarch64"), "semop", &mux, &call));
	assert_false(sf_syscall_multiplexed(arch("arm"), "socket", &mux, &call));
	assert_false(sf_syscall_multiplexed(arch("parisc"), "socket", &mux, &call));
	assert_false(sf_syscall_multiplexed(NULL, "socket", &mux, &call));
	assert_false(sf_syscall_multiplexed(x86, NULL, &mux, &call));
	/* s390x's socket calls: direct numbers since 4.3, and socketcall still works. */
	assert_int_equal(sf_syscall_nr(arch("s390x"), "socket"), 359);
	assert_true(sf_syscall_multiplexed(arch("s390x"), "socket", &mux, &call));
	assert_int_equal(mux, 102);
	/* semop has no number of its own on x86: ipc(SEMOP) is the only way. */
	assert_int_equal(sf_syscall_nr(x86, "semop"), -1);
	assert_true(sf_syscall_multiplexed(x86, "semop", &mux, &call));
	assert_int_equal(mux, 117);
	assert_int_equal(call, 1);
}

static void suggest_finds_the_closest_name(void **state)
{
	assert_string_equal(sf_syscall_suggest("mkdirr"), "mkdir");
	assert_string_equal(sf_syscall_suggest("opne"), "open");
	assert_string_equal(sf_syscall_suggest("OPENAT"), "openat");
	assert_string_equal(sf_syscall_suggest("exceve"), "execve");
	assert_string_equal(sf_syscall_suggest("read"), "read");
	/* Ties: the shorter name, then the first alphabetically. */
	assert_string_equal(sf_syscall_suggest("pipe3"), "pipe");
	assert_string_equal(sf_syscall_suggest("dup4"), "dup");
	assert_null(sf_syscall_suggest("definitelynotasyscall"));
	assert_null(sf_syscall_suggest(NULL));
	char long_name[200];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	assert_null(sf_syscall_suggest(long_name));
}

static void table_says_where_it_came_from(void **state)
{
	assert_non_null(strstr(sf_syscall_table.source, "syscalls.csv"));
	assert_non_null(strstr(sf_syscall_table.source, "Linux v"));
	assert_int_equal(sf_syscall_table.ncolumns, SF_COL_COUNT);
	for (size_t c = 0; c < SF_COL_COUNT; c++) {
		const struct sf_syscall_column *col = &sf_syscall_table.columns[c];
		assert_non_null(col->name);
		for (size_t k = 1; k < col->count; k++)
			assert_true(col->nr[col->by_nr[k - 1]] < col->nr[col->by_nr[k]]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arch_list_is_every_libseccomp_arch),
	    cmocka_unit_test(audit_arch_is_the_kernels),
	    cmocka_unit_test(names_are_libseccomps),
	    cmocka_unit_test(find_accepts_every_spelling),
	    cmocka_unit_test(go_names_are_dockers),
	    cmocka_unit_test(by_audit_never_returns_x32),
	    cmocka_unit_test(native_is_this_build),
	    cmocka_unit_test(names_are_sorted_and_found),
	    cmocka_unit_test(numbers_are_the_kernels),
	    cmocka_unit_test(number_to_name_round_trips),
	    cmocka_unit_test(numbers_agree_with_libseccomp),
	    cmocka_unit_test(multiplexers_are_libseccomps),
	    cmocka_unit_test(multiplexed_calls_use_uapi_numbers),
	    cmocka_unit_test(suggest_finds_the_closest_name),
	    cmocka_unit_test(table_says_where_it_came_from),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
