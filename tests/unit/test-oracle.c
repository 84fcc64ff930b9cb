/*
 * The test support code itself (tests/support/oracle.c): the libseccomp oracle gives the actions
 * hand-written profiles say, the generator is reproducible and makes profiles runc and our checker
 * accept, and the oracle's own vectors reach every boundary a program could get wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/audit.h>
#include <seccomp.h>

#include <sysfence/sysfence.h>

#include "support/oracle.h"

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define RET_TRACE(e) (SECCOMP_RET_TRACE | (e))

static uint64_t test_seed(void)
{
	const char *s = getenv("SF_TEST_SEED");
	return s ? strtoull(s, NULL, 0) : 0x0facade5eedULL;
}

static const struct sf_arch *A(const char *name)
{
	const struct sf_arch *a = sf_arch_find(name);
	assert_non_null(a);
	return a;
}

static struct sf_profile *parse(const char *json)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	int rc = sf_profile_parse("t.json", json, strlen(json), SF_DOC_AUTO, NULL, &p, &err);
	if (rc < 0)
		fail_msg("parsing %s: %s", json, err.msg);
	return p;
}

/* Build the oracle program for json on the given arches; fails the test on an error. */
static void build(const char *json, const struct sf_arch *const *arches, size_t narches,
		  uint32_t bad_arch, struct sf_prog *out)
{
	struct sf_profile *p = parse(json);
	char err[256];
	int rc = oracle_build(p, arches, narches, bad_arch, out, err, sizeof(err));
	if (rc < 0)
		fail_msg("oracle_build: %d %s", rc, err);
	sf_profile_free(p);
}

static uint32_t run_audit(const struct sf_prog *prog, const struct sf_arch *a, uint32_t audit,
			  uint32_t nr, uint64_t a0, uint64_t a1)
{
	const uint64_t args[6] = {a0, a1};
	struct seccomp_data d;
	struct sf_error err;
	uint32_t ret = 0xdeadbeef;

	oracle_data(&d, a, audit, (int)nr, args);
	if (sf_bpf_emulate(prog->insns, prog->len, &d, &ret, NULL, &err) < 0)
		fail_msg("emulate: %s", err.msg);
	return ret;
}

static uint32_t run(const struct sf_prog *prog, const struct sf_arch *a, const char *name,
		    uint64_t a0, uint64_t a1)
{
	long nr = sf_syscall_nr(a, name);
	assert_true(nr >= 0);
	return run_audit(prog, a, a->audit_arch, (uint32_t)nr, a0, a1);
}

/* --------------------------------------------------------------------------------------------
 * The oracle on hand-written profiles.
 */

static const char mkdir_deny[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":["
				 "\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\","
				 "\"errnoRet\":13}]}";

static void test_oracle_errno_rule_and_default(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64");
	const struct sf_arch *arches[] = {x86_64};
	struct sf_prog prog = {0};

	(void)state;
	build(mkdir_deny, arches, 1, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(sf_bpf_validate(prog.insns, prog.len, NULL), 0);
	assert_int_equal(run(&prog, x86_64, "mkdir", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x86_64, "mkdirat", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x86_64, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "openat", 0, 0), SECCOMP_RET_ALLOW);
	sf_prog_free(&prog);
}

static void test_oracle_bad_arch_and_x32_bit(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *aarch64 = A("aarch64");
	const struct sf_arch *arches[] = {x86_64};
	struct sf_prog prog = {0};

	(void)state;
	/* The default bad-arch action (libseccomp's: KILL_THREAD, 0). */
	build(mkdir_deny, arches, 1, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(run_audit(&prog, x86_64, aarch64->audit_arch, 0, 0, 0),
			 SECCOMP_RET_KILL_THREAD);
	/* x32 numbers on an x86_64-only filter: the bad-arch action. */
	assert_int_equal(run_audit(&prog, x86_64, AUDIT_ARCH_X86_64, 0x40000000u, 0, 0),
			 SECCOMP_RET_KILL_THREAD);
	sf_prog_free(&prog);

	build(mkdir_deny, arches, 1, SECCOMP_RET_KILL_PROCESS, &prog);
	assert_int_equal(run_audit(&prog, x86_64, aarch64->audit_arch, 0, 0, 0),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(run_audit(&prog, x86_64, AUDIT_ARCH_X86_64, 0x40000000u | 83, 0, 0),
			 SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(run_audit(&prog, x86_64, AUDIT_ARCH_I386, 39, 0, 0),
			 SECCOMP_RET_KILL_PROCESS);
	/* -1 is let through (ptrace's "skip this syscall") and gets the default action. */
	assert_int_equal(run_audit(&prog, x86_64, AUDIT_ARCH_X86_64, 0xffffffffu, 0, 0),
			 SECCOMP_RET_ALLOW);
	sf_prog_free(&prog);
}

static void test_oracle_arch_list_is_exact(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86"), *x32 = A("x32");
	const struct sf_arch *only_x86[] = {x86};
	const struct sf_arch *three[] = {x86_64, x86, x32};
	struct sf_prog prog = {0};

	(void)state;
	/* The native arch is removed when not listed: one arch at a time. */
	build(mkdir_deny, only_x86, 1, SECCOMP_RET_TRAP, &prog);
	assert_int_equal(run(&prog, x86, "mkdir", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x86, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "read", 0, 0), SECCOMP_RET_TRAP);
	sf_prog_free(&prog);

	build(mkdir_deny, three, 3, SECCOMP_RET_TRAP, &prog);
	assert_int_equal(run(&prog, x86_64, "mkdir", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x86, "mkdir", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x32, "mkdir", 0, 0), RET_ERRNO(13));
	assert_int_equal(run(&prog, x32, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run_audit(&prog, x86_64, A("aarch64")->audit_arch, 0, 0, 0),
			 SECCOMP_RET_TRAP);
	sf_prog_free(&prog);

	/* NULL arches: the native one plus the profile's, as runc. */
	build("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
	      "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	      NULL, 0, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(run(&prog, x86, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86, "write", 0, 0), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, sf_arch_native(), "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x32, "read", 0, 0), SECCOMP_RET_KILL_THREAD);
	sf_prog_free(&prog);
}

static void test_oracle_default_errno_and_skipped_rules(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64");
	const struct sf_arch *arches[] = {x86_64};
	struct sf_profile *p =
	    parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":["
		  "{\"names\":[\"read\",\"nosuchcall\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		  "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		  "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,"
		  "\"args\":[{\"index\":0,\"value\":3,\"op\":\"SCMP_CMP_EQ\"}]},"
		  "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_TRACE\"},"
		  "{\"names\":[\"dup\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":1},"
		  "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0}]}");
	struct oracle_opts o = {.arches = arches, .narches = 1};
	struct oracle_info info;
	struct sf_prog prog = {0};
	char err[256];

	(void)state;
	/* Our reader refuses errnoRet above 4095; runc casts it to int16 and keeps 16 bits. */
	p->rules[4].errno_ret = 65537;
	p->rules[5].errno_ret = 65536;
	assert_int_equal(oracle_build_opts(p, &o, &prog, &info, err, sizeof(err)), 0);
	assert_int_equal(info.default_ret, RET_ERRNO(38));
	assert_int_equal(info.skipped_default, 1); /* close: ERRNO(38) is the default */
	assert_int_equal(info.skipped_unknown, 1); /* nosuchcall */
	assert_int_equal(info.added, 5);
	assert_int_equal(info.optimize, 1);
	assert_int_equal(run(&prog, x86_64, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "write", 0, 0), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, x86_64, "close", 3, 0), RET_ERRNO(38));
	assert_int_equal(run(&prog, x86_64, "kill", 0, 0), RET_TRACE(EPERM));
	/* errnoRet goes through int16: only the low 16 bits count. */
	assert_int_equal(run(&prog, x86_64, "dup", 0, 0), RET_TRACE(1));
	assert_int_equal(run(&prog, x86_64, "getpid", 0, 0), RET_ERRNO(0));
	assert_int_equal(run(&prog, x86_64, "mkdir", 0, 0), RET_ERRNO(38));
	sf_prog_free(&prog);

	/* libseccomp refuses ERRNO data from 4095 on, so runc fails; TRACE takes any. */
	p->rules[5].errno_ret = 4095;
	assert_int_equal(oracle_build_opts(p, &o, &prog, &info, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "error adding seccomp filter rule for syscall getpid: Invalid "
				 "argument");
	p->rules[5].errno_ret = 4094;
	p->rules[4].errno_ret = 65535;
	assert_int_equal(oracle_build_opts(p, &o, &prog, &info, err, sizeof(err)), 0);
	assert_int_equal(run(&prog, x86_64, "getpid", 0, 0), RET_ERRNO(4094));
	assert_int_equal(run(&prog, x86_64, "dup", 0, 0), RET_TRACE(0xffff));
	sf_prog_free(&prog);
	p->default_errno = 4095;
	assert_int_equal(oracle_build_opts(p, &o, &prog, &info, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "error creating filter"));
	p->default_errno = 38;

	/* crun's strict mode: an unknown name fails the build. */
	o.strict_unknown = true;
	assert_int_equal(oracle_build_opts(p, &o, &prog, &info, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nosuchcall"));
	sf_profile_free(p);
}

static void test_oracle_args_and_32bit_truncation(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86");
	const struct sf_arch *arches[] = {x86_64, x86};
	struct sf_prog prog = {0};

	(void)state;
	build("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":4294967304,\"op\":\"SCMP_CMP_EQ\"}]},"
	      "{\"names\":[\"setuid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":18446744069414584320,\"valueTwo\":4294967296,"
	      "\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
	      "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
	      arches, 2, SECCOMP_RET_KILL_THREAD, &prog);
	/* x86_64 compares both words of EQ 0x100000008. */
	assert_int_equal(run(&prog, x86_64, "personality", 0x100000008ULL, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "personality", 8, 0), RET_ERRNO(EPERM));
	/* x86 only the low one (docs/semantics.md 6.3). */
	assert_int_equal(run(&prog, x86, "personality", 8, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86, "personality", 9, 0), RET_ERRNO(EPERM));
	/* A high-word-only mask: a real test on x86_64, no test at all on x86. */
	assert_int_equal(run(&prog, x86_64, "setuid", 0x100000000ULL, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "setuid", 0x200000000ULL, 0), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, x86, "setuid", 12345, 0), SECCOMP_RET_ALLOW);
	/* Docker's clone rule: no namespace flag set. */
	assert_int_equal(run(&prog, x86_64, "clone", 0x11, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "clone", 0x10000000, 0), RET_ERRNO(EPERM));
	sf_prog_free(&prog);
}

static void test_oracle_repeated_index_is_or(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64");
	const struct sf_arch *arches[] = {x86_64};
	struct sf_prog prog = {0};

	(void)state;
	/* runc splits an entry that compares one argument twice into single-condition rules. */
	build("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":1,\"value\":21505,\"op\":\"SCMP_CMP_EQ\"},"
	      "{\"index\":1,\"value\":21506,\"op\":\"SCMP_CMP_EQ\"},"
	      "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_LE\"}]},"
	      "{\"names\":[\"fcntl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
	      "{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_LE\"}]}]}",
	      arches, 1, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(run(&prog, x86_64, "ioctl", 9, 21505), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "ioctl", 9, 21506), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "ioctl", 1, 7), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "ioctl", 9, 7), RET_ERRNO(EPERM));
	/* Distinct indexes: one ANDed rule. */
	assert_int_equal(run(&prog, x86_64, "fcntl", 2, 1), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "fcntl", 3, 1), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, x86_64, "fcntl", 2, 2), RET_ERRNO(EPERM));
	sf_prog_free(&prog);
}

static void test_oracle_rule_precedence(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64");
	const struct sf_arch *arches[] = {x86_64};
	struct sf_prog prog = {0};
	struct sf_profile *p;
	char err[256];

	(void)state;
	/* Two unconditional rules: the first stays. A conditional rule after an unconditional one
	 * is dropped. Overlapping conditions on different arguments: the higher index decides. */
	build("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":["
	      "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
	      "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
	      "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
	      "{\"index\":1,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	      arches, 1, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(run(&prog, x86_64, "read", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "ioctl", 1, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, x86_64, "ioctl", 0, 2), SECCOMP_RET_LOG);
	assert_int_equal(run(&prog, x86_64, "ioctl", 1, 2), SECCOMP_RET_LOG);
	sf_prog_free(&prog);

	/* The same comparison with two actions: libseccomp refuses, and so does runc. */
	p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		  "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		  "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
		  "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_LOG\",\"args\":["
		  "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(oracle_build(p, arches, 1, 0, &prog, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "error adding seccomp rule for syscall ioctl: File exists");
	assert_null(prog.insns);
	sf_profile_free(p);
}

static void test_oracle_big_endian_arch(void **state)
{
	const struct sf_arch *s390x = A("s390x");
	const struct sf_arch *arches[] = {s390x};
	struct sf_prog prog = {0};

	(void)state;
	/* An arch of the other byte order: the native one must go first (libseccomp: -EDOM). The
	 * program loads the high word first; oracle_data lays the words out as s390x would. */
	build("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
	      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
	      "{\"index\":0,\"value\":4294967297,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	      arches, 1, SECCOMP_RET_KILL_THREAD, &prog);
	assert_int_equal(run(&prog, s390x, "read", 0x100000001ULL, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(run(&prog, s390x, "read", 1, 0), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, s390x, "read", 0x100000000ULL, 0), RET_ERRNO(EPERM));
	assert_int_equal(run_audit(&prog, s390x, AUDIT_ARCH_X86_64, 0, 0, 0),
			 SECCOMP_RET_KILL_THREAD);
	sf_prog_free(&prog);
}

/*
 * libseccomp 2.5.4's binary tree (optimize 2, which runc turns on above 32 rules) shares the
 * blocks of equal comparison chains between syscalls but drops the reload of the argument's high
 * word: a path that arrives with the low word in A compares it as the high word. Here dup2(1, ..)
 * must be TRACE (1 <= 2^32) and level 2 returns ERRNO. A real kernel agrees with the emulator
 * (checked by hand: dup2 returns EPERM under level 2, ENOSYS under level 1). The oracle keeps the
 * bug, since it is what runc loads; compare meanings against optimize = 1.
 */
static const char optimize2_bug[] =
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
    "{\"names\":[\"dup2\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
    "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_LT\"}]},"
    "{\"names\":[\"prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
    "{\"index\":0,\"value\":27,\"op\":\"SCMP_CMP_LT\"}]},"
    "{\"names\":[\"prctl\"],\"action\":\"SCMP_ACT_TRAP\",\"args\":["
    "{\"index\":0,\"value\":2147483647,\"op\":\"SCMP_CMP_GT\"}]},"
    "{\"names\":[\"prctl\",\"dup2\"],\"action\":\"SCMP_ACT_TRACE\",\"args\":["
    "{\"index\":0,\"value\":4294967296,\"op\":\"SCMP_CMP_LE\"}]}]}";

static void test_libseccomp_optimize2_miscompiles(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64");
	const struct sf_arch *arches[] = {x86_64};
	const struct scmp_version *v = seccomp_version();
	struct sf_profile *p = parse(optimize2_bug);
	struct oracle_opts o = {.arches = arches, .narches = 1, .optimize = 1};
	struct sf_prog p1 = {0}, p2 = {0};
	struct oracle_diff diff;

	(void)state;
	assert_int_equal(oracle_build_opts(p, &o, &p1, NULL, NULL, 0), 0);
	o.optimize = 2;
	assert_int_equal(oracle_build_opts(p, &o, &p2, NULL, NULL, 0), 0);
	assert_int_equal(run(&p1, x86_64, "dup2", 1, 0), RET_TRACE(1));
	assert_int_equal(run(&p1, x86_64, "prctl", 100, 0), RET_TRACE(1));
	assert_int_equal(run(&p1, x86_64, "prctl", 0x100000001ULL, 0), SECCOMP_RET_TRAP);
	if (v->major == 2 && v->minor == 5 && v->micro == 4) {
		assert_int_equal(run(&p2, x86_64, "dup2", 1, 0), RET_ERRNO(EPERM));
		assert_int_equal(run(&p2, x86_64, "prctl", 100, 0), RET_ERRNO(EPERM));
		assert_int_equal(oracle_diff_progs(&p1, &p2, p, arches, 1, 0, &diff), 1);
		print_message("  libseccomp 2.5.4, optimize 2: %s\n", diff.msg);
	}
	sf_prog_free(&p1);
	sf_prog_free(&p2);
	sf_profile_free(p);
}

/*
 * libseccomp 2.5.4 never returns from seccomp_rule_add for the second of these rules (found by the
 * generator: about one large overlapping profile in 300). runc would hang starting the container.
 */
static void test_libseccomp_rule_add_hangs(void **state)
{
	const struct scmp_version *v = seccomp_version();
	struct sf_profile *p =
	    parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		  "{\"names\":[\"setsid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":56,\"args\":["
		  "{\"index\":3,\"value\":4294967295,\"valueTwo\":4294967295,"
		  "\"op\":\"SCMP_CMP_MASKED_EQ\"},"
		  "{\"index\":1,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"}]},"
		  "{\"names\":[\"setsid\"],\"action\":\"SCMP_ACT_KILL_THREAD\",\"args\":["
		  "{\"index\":1,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"},"
		  "{\"index\":4,\"value\":4294967296,\"op\":\"SCMP_CMP_LT\"}]}]}");
	const struct sf_arch *arches[] = {A("x86_64")};
	struct oracle_opts o = {.arches = arches, .narches = 1, .timeout_ms = 300};
	struct sf_prog prog = {0};
	char err[256];
	int rc;

	(void)state;
	rc = oracle_build_opts(p, &o, &prog, NULL, err, sizeof(err));
	if (v->major == 2 && v->minor == 5 && v->micro == 4) {
		assert_int_equal(rc, -ETIMEDOUT);
		assert_non_null(strstr(err, "runc would hang"));
		assert_null(prog.insns);
	}
	/* Without the second rule it builds at once. */
	p->nrules = 1;
	assert_int_equal(oracle_build_opts(p, &o, &prog, NULL, err, sizeof(err)), 0);
	sf_prog_free(&prog);
	/* And in this process too. */
	o.timeout_ms = 0;
	assert_int_equal(oracle_build_opts(p, &o, &prog, NULL, err, sizeof(err)), 0);
	assert_int_equal(run(&prog, A("x86_64"), "setsid", 0, 0x100000000ULL), RET_ERRNO(EPERM));
	assert_int_equal(run(&prog, A("x86_64"), "setsid", 0, 0), RET_ERRNO(EPERM));
	sf_prog_free(&prog);
	sf_profile_free(p);
}

/* Levels 1 and 2 on random large profiles: the harness runs, and how often 2.5.4 goes wrong. */
static void test_oracle_optimize_levels(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86");
	const struct sf_arch *arches[] = {x86_64, x86};
	struct gen_opts go = gen_opts_default();
	uint64_t seed = test_seed();
	size_t built = 0, compared = 0, differ = 0, no_args_differ = 0;

	(void)state;
	go.min_rules = 30;
	go.max_rules = 45;
	go.max_names = 2;
	go.overlap = true;
	for (int n = 0; n < 40; n++) {
		bool args_only_small = n % 2;
		struct sf_profile *p;
		struct oracle_opts o1 = {
		    .arches = arches,
		    .narches = 2,
		    .optimize = 1,
		    .timeout_ms = ORACLE_TIMEOUT_MS,
		};
		struct oracle_opts o2 = o1, orunc = o1;
		struct oracle_info i1, i2, ir;
		struct sf_prog p1 = {0}, p2 = {0}, pr = {0};
		struct oracle_diff diff;
		size_t calls = 0;

		/* Every other profile without argument conditions: level 2 must be right there. */
		go.max_args = args_only_small ? 0 : 3;
		p = gen_profile(&seed, &go);
		assert_non_null(p);
		o2.optimize = 2;
		orunc.optimize = 0;
		for (size_t i = 0; i < p->nrules; i++)
			calls += p->rules[i].nnames;
		if (oracle_build_opts(p, &o1, &p1, &i1, NULL, 0) == 0) {
			assert_int_equal(oracle_build_opts(p, &o2, &p2, &i2, NULL, 0), 0);
			assert_int_equal(oracle_build_opts(p, &orunc, &pr, &ir, NULL, 0), 0);
			assert_int_equal(i1.optimize, 1);
			assert_int_equal(i2.optimize, 2);
			assert_int_equal(ir.optimize, calls > 32 ? 2 : 1);
			int rc = oracle_diff_progs(&p1, &p2, p, arches, 2, 0, &diff);
			assert_true(rc >= 0);
			differ += rc;
			no_args_differ += rc && args_only_small;
			compared += diff.checked;
			built++;
		}
		sf_prog_free(&p1);
		sf_prog_free(&p2);
		sf_prog_free(&pr);
		sf_profile_free(p);
	}
	print_message("  optimize 1 vs 2: %zu profiles, %zu inputs; %zu disagree (libseccomp)\n",
		      built, compared, differ);
	assert_int_equal(no_args_differ, 0);
	assert_true(built >= 25);
}

/* --------------------------------------------------------------------------------------------
 * The generator.
 */

static void test_gen_vocab_exists_on_x86_64_and_x86(void **state)
{
	(void)state;
	for (size_t i = 0; i < gen_nvocab; i++) {
		if (sf_syscall_nr(A("x86_64"), gen_vocab[i]) < 0 ||
		    sf_syscall_nr(A("x86"), gen_vocab[i]) < 0)
			fail_msg("%s is not on both x86_64 and x86", gen_vocab[i]);
		assert_int_not_equal(seccomp_syscall_resolve_name(gen_vocab[i]), __NR_SCMP_ERROR);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(gen_vocab[i], gen_vocab[j]);
	}
	assert_true(gen_nvocab > 32);
}

static bool rules_equal(const struct sf_rule *a, const struct sf_rule *b)
{
	if (a->action != b->action || a->has_errno != b->has_errno ||
	    a->errno_ret != b->errno_ret || a->nnames != b->nnames || a->nargs != b->nargs)
		return false;
	for (size_t i = 0; i < a->nnames; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nargs; i++)
		if (a->args[i].index != b->args[i].index || a->args[i].op != b->args[i].op ||
		    a->args[i].value != b->args[i].value ||
		    a->args[i].value_two != b->args[i].value_two)
			return false;
	return true;
}

static bool profiles_equal(const struct sf_profile *a, const struct sf_profile *b)
{
	if (a->default_action != b->default_action ||
	    a->has_default_errno != b->has_default_errno || a->default_errno != b->default_errno ||
	    a->narchitectures != b->narchitectures || a->nrules != b->nrules)
		return false;
	for (size_t i = 0; i < a->narchitectures; i++)
		if (strcmp(a->architectures[i], b->architectures[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nrules; i++)
		if (!rules_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

static void test_gen_deterministic(void **state)
{
	struct gen_opts o = gen_opts_default();
	size_t differ = 0;

	(void)state;
	o.overlap = o.repeat_index = o.random_arches = true;
	for (uint64_t s = 0; s < 200; s++) {
		uint64_t s1 = test_seed() + s, s2 = s1, s3 = s1 + 1;
		struct sf_profile *a = gen_profile(&s1, &o), *b = gen_profile(&s2, &o);
		struct sf_profile *c = gen_profile(&s3, &o);
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_true(profiles_equal(a, b));
		assert_int_equal(s1, s2); /* the seed advanced the same way */
		differ += !profiles_equal(a, c);
		sf_profile_free(a);
		sf_profile_free(b);
		sf_profile_free(c);
	}
	assert_true(differ > 190);
}

static void test_gen_respects_options(void **state)
{
	static const char *const two[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
	struct gen_opts o = gen_opts_default();
	uint64_t seed = test_seed();
	size_t repeats = 0, overlaps = 0, masked = 0, high = 0, ops[8] = {0};

	(void)state;
	o.min_rules = 3;
	o.max_rules = 5;
	o.arches = two;
	o.narches = 2;
	for (int n = 0; n < 300; n++) {
		struct sf_profile *p = gen_profile(&seed, &o);
		assert_non_null(p);
		assert_in_range(p->nrules, 3, 5);
		assert_int_equal(p->narchitectures, 2);
		assert_string_equal(p->architectures[1], "SCMP_ARCH_X86");
		assert_int_not_equal(p->default_action, SF_ACT_NOTIFY);
		if (p->has_default_errno)
			assert_true(sf_action_takes_errno(p->default_action));
		for (size_t i = 0; i < p->nrules; i++) {
			const struct sf_rule *r = &p->rules[i];
			bool seen[6] = {false};
			assert_in_range(r->nnames, 1, 3);
			assert_in_range(r->nargs, 0, 3);
			assert_int_not_equal(r->action, SF_ACT_NOTIFY);
			if (r->has_errno)
				assert_true(sf_action_takes_errno(r->action));
			for (size_t k = 0; k < r->nargs; k++) {
				assert_in_range(r->args[k].index, 0, 5);
				assert_in_range(r->args[k].op, SF_OP_NE, SF_OP_MASKED_EQ);
				ops[r->args[k].op]++;
				masked += r->args[k].op == SF_OP_MASKED_EQ;
				high += r->args[k].value >> 32 != 0;
				repeats += seen[r->args[k].index];
				seen[r->args[k].index] = true;
			}
			for (size_t j = 0; j < r->nnames; j++)
				for (size_t i2 = 0; i2 < i; i2++)
					for (size_t j2 = 0; j2 < p->rules[i2].nnames; j2++)
						overlaps += strcmp(r->names[j],
								   p->rules[i2].names[j2]) == 0;
		}
		sf_profile_free(p);
	}
	assert_int_equal(repeats, 0);
	assert_int_equal(overlaps, 0);
	for (int op = SF_OP_NE; op <= SF_OP_MASKED_EQ; op++)
		assert_true(ops[op] > 20);
	assert_true(masked > 20 && high > 50);

	/* And the switches on: repeats and overlaps happen. */
	o.repeat_index = o.overlap = true;
	for (int n = 0; n < 300; n++) {
		struct sf_profile *p = gen_profile(&seed, &o);
		for (size_t i = 0; i < p->nrules; i++) {
			const struct sf_rule *r = &p->rules[i];
			bool seen[6] = {false};
			for (size_t k = 0; k < r->nargs; k++) {
				repeats += seen[r->args[k].index];
				seen[r->args[k].index] = true;
			}
			for (size_t j = 0; j < r->nnames; j++)
				for (size_t i2 = 0; i2 < i; i2++)
					for (size_t j2 = 0; j2 < p->rules[i2].nnames; j2++)
						overlaps += strcmp(r->names[j],
								   p->rules[i2].names[j2]) == 0;
		}
		sf_profile_free(p);
	}
	assert_true(repeats > 30);
	assert_true(overlaps > 100);
}

/*
 * Every option set: the oracle (runc's way: the native arch plus the profile's) accepts most
 * profiles, and every profile it accepts checks without errors. The ones it refuses are counted,
 * with how many of them sf_profile_check saw coming (an error finding).
 */
static void test_gen_profiles_check_clean_and_build(void **state)
{
	static const struct {
		const char *name;
		bool overlap, repeat, big;
	} sets[] = {
	    {"plain", false, false, false},
	    {"repeated indexes", false, true, false},
	    {"overlapping rules", true, false, false},
	    {"overlap + repeats", true, true, false},
	    {"over 32 calls", true, true, true},
	};
	uint64_t seed = test_seed();

	(void)state;
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		struct gen_opts o = gen_opts_default();
		size_t accepted = 0, total = sets[s].big ? 200 : 1000, eexist = 0, hang = 0;
		size_t other = 0, foreseen = 0, warnings = 0;

		o.overlap = sets[s].overlap;
		o.repeat_index = sets[s].repeat;
		o.random_arches = true;
		if (sets[s].big) {
			o.min_rules = 25;
			o.max_rules = 40;
		}
		for (size_t n = 0; n < total; n++) {
			struct sf_profile *p = gen_profile(&seed, &o);
			struct sf_findings f;
			struct sf_prog prog = {0};
			char err[256];
			int rc;

			assert_non_null(p);
			sf_findings_init(&f, "gen");
			sf_profile_check(p, 0, &f);
			warnings += f.nwarnings;
			rc = oracle_build(p, NULL, 0, SECCOMP_RET_KILL_PROCESS, &prog, err,
					  sizeof(err));
			if (rc == 0) {
				accepted++;
				assert_int_equal(sf_bpf_validate(prog.insns, prog.len, NULL), 0);
				if (f.nerrors) {
					for (size_t i = 0; i < f.n; i++)
						print_message("  %s: %s\n", f.v[i].code,
							      f.v[i].msg);
					fail_msg(
					    "set %s, profile %zu: runc takes it, check gives %zu "
					    "errors",
					    sets[s].name, n, f.nerrors);
				}
			} else if (rc == -EEXIST || rc == -ETIMEDOUT) {
				eexist += rc == -EEXIST;
				hang += rc == -ETIMEDOUT;
				foreseen += f.nerrors > 0;
			} else {
				other++;
				print_message("  %s: %s\n", sets[s].name, err);
			}
			sf_findings_clear(&f);
			sf_prog_free(&prog);
			sf_profile_free(p);
		}
		print_message("  %-18s oracle accepts %zu/%zu (%.1f%%); refused: %zu EEXIST, %zu "
			      "hang (check foresaw %zu), %zu other; %.1f warnings a profile\n",
			      sets[s].name, accepted, total,
			      100.0 * (double)accepted / (double)total, eexist, hang, foreseen,
			      other, (double)warnings / (double)total);
		assert_int_equal(other, 0);
		/* Large overlapping profiles repeat a comparison chain with another action often
		 * enough (libseccomp: -EEXIST) to bring the rate down to about two thirds. */
		assert_true(accepted * 10 >= total * (sets[s].big ? 5 : 9));
	}
}

static void test_gen_conflicts_and_unknown_names(void **state)
{
	struct gen_opts o = gen_opts_default();
	uint64_t seed = test_seed();
	size_t conflicts = 0, unknown = 0, built = 0;

	(void)state;
	o.overlap = o.conflicts = o.unknown_names = true;
	o.max_args = 1;
	for (int n = 0; n < 300; n++) {
		struct sf_profile *p = gen_profile(&seed, &o);
		struct sf_findings f;
		struct sf_prog prog = {0};

		sf_findings_init(&f, "gen");
		sf_profile_check(p, 0, &f);
		for (size_t i = 0; i < f.n; i++) {
			conflicts += strcmp(f.v[i].code, "conflict") == 0;
			unknown += strcmp(f.v[i].code, "unknown-syscall") == 0;
		}
		sf_findings_clear(&f);
		/* runc takes them all the same. */
		built += oracle_build(p, NULL, 0, 0, &prog, NULL, 0) == 0;
		sf_prog_free(&prog);
		sf_profile_free(p);
	}
	assert_true(conflicts > 20);
	assert_true(unknown > 20);
	assert_true(built > 240);

	/* Wild errno values: runc refuses ERRNO from 4095 on (after its 16-bit cast). */
	size_t refused = 0, wrapped = 0;
	o = gen_opts_default();
	o.wild_errno = true;
	for (int n = 0; n < 300; n++) {
		struct sf_profile *p = gen_profile(&seed, &o);
		struct sf_prog prog = {0};
		bool bad = p->default_action == SF_ACT_ERRNO && p->has_default_errno &&
			   (p->default_errno & 0xffff) >= 4095;
		for (size_t i = 0; i < p->nrules; i++) {
			const struct sf_rule *r = &p->rules[i];
			bad |= r->action == SF_ACT_ERRNO && r->has_errno &&
			       (r->errno_ret & 0xffff) >= 4095;
			wrapped += r->has_errno && r->errno_ret > 0xffff;
		}
		int rc = oracle_build(p, NULL, 0, 0, &prog, NULL, 0);
		if (bad) {
			/* Unless every such rule was skipped for equalling the default. */
			refused += rc == -EINVAL;
		} else {
			assert_int_equal(rc, 0);
		}
		sf_prog_free(&prog);
		sf_profile_free(p);
	}
	assert_true(refused > 20);
	assert_true(wrapped > 10);
}

/* --------------------------------------------------------------------------------------------
 * The differential helpers and the oracle's own vectors.
 */

struct collect {
	struct seccomp_data *v;
	size_t n, cap;
};

static int collect_fn(const struct seccomp_data *d, const struct sf_arch *arch, void *ctx)
{
	struct collect *c = ctx;

	(void)arch;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	c->v[c->n++] = *d;
	return 0;
}

static bool has_vec(const struct collect *c, uint32_t audit, uint32_t nr, int idx, uint64_t val)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].arch == audit && (uint32_t)c->v[i].nr == nr &&
		    (idx < 0 || c->v[i].args[idx] == val))
			return true;
	return false;
}

static void test_vectors_cover_boundaries(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86");
	const struct sf_arch *arches[] = {x86_64, x86};
	struct sf_profile *p =
	    parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		  "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		  "{\"index\":0,\"value\":4294967296,\"op\":\"SCMP_CMP_LE\"},"
		  "{\"index\":3,\"value\":255,\"valueTwo\":16,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		  "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		  "{\"index\":0,\"value\":10,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	const uint32_t pers64 = (uint32_t)sf_syscall_nr(x86_64, "personality");
	const uint32_t pers32 = (uint32_t)sf_syscall_nr(x86, "personality");
	struct collect c = {0};

	(void)state;
	assert_int_equal(oracle_vectors(p, arches, 2, 0, collect_fn, &c), 0);
	print_message("  %zu vectors\n", c.n);
	/* Every number of each table, and just above it. */
	for (long nr = 0; nr <= sf_syscall_max_nr(x86_64) + 3; nr++) {
		assert_true(has_vec(&c, AUDIT_ARCH_X86_64, (uint32_t)nr, -1, 0));
		assert_true(has_vec(&c, AUDIT_ARCH_X86_64, (uint32_t)nr | 0x40000000u, -1, 0));
	}
	for (long nr = 0; nr <= sf_syscall_max_nr(x86) + 3; nr++)
		assert_true(has_vec(&c, AUDIT_ARCH_I386, (uint32_t)nr, -1, 0));
	assert_true(has_vec(&c, AUDIT_ARCH_X86_64, 0xffffffffu, -1, 0));
	assert_true(has_vec(&c, AUDIT_ARCH_I386, 0xffffffffu, -1, 0));
	assert_true(has_vec(&c, AUDIT_ARCH_AARCH64, 0, -1, 0));
	assert_true(has_vec(&c, 0, 0, -1, 0));
	/* The LE 2^32 condition: its value, both sides, and the high-word variants. */
	const uint64_t le[] = {1ULL << 32, (1ULL << 32) - 1, (1ULL << 32) + 1,
			       0,	   UINT64_MAX,	     0x1ffffffffULL};
	for (size_t i = 0; i < sizeof(le) / sizeof(le[0]); i++) {
		assert_true(has_vec(&c, AUDIT_ARCH_X86_64, pers64, 0, le[i]));
		assert_true(has_vec(&c, AUDIT_ARCH_I386, pers32, 0, le[i]));
	}
	/* MASKED_EQ 0xff / 0x10: the datum, a bit of the mask flipped, bits outside it set. */
	const uint64_t me[] = {0x10, 0x11, 0x90, 0xffffffffffffff10ULL, 0x100000010ULL};
	for (size_t i = 0; i < sizeof(me) / sizeof(me[0]); i++)
		assert_true(has_vec(&c, AUDIT_ARCH_X86_64, pers64, 3, me[i]));
	/* Combined: the edge of one condition with the datum of the other. */
	bool both = false;
	for (size_t i = 0; i < c.n && !both; i++)
		both = c.v[i].arch == AUDIT_ARCH_X86_64 && (uint32_t)c.v[i].nr == pers64 &&
		       c.v[i].args[0] == (1ULL << 32) + 1 && c.v[i].args[3] == 0x10;
	assert_true(both);
	/* socket on x86: also through socketcall(SYS_SOCKET, ...). */
	assert_true(has_vec(&c, AUDIT_ARCH_I386, 102, 0, 1));
	assert_true(has_vec(&c, AUDIT_ARCH_I386, (uint32_t)sf_syscall_nr(x86, "socket"), 0, 10));
	free(c.v);

	/* ORACLE_VEC_TRUNC32: nothing above 32 bits on x86; NO_TABLE: far fewer inputs. */
	struct collect t = {0};
	assert_int_equal(
	    oracle_vectors(p, arches, 2, ORACLE_VEC_TRUNC32 | ORACLE_VEC_NO_TABLE, collect_fn, &t),
	    0);
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].arch == AUDIT_ARCH_I386)
			for (int k = 0; k < 6; k++)
				assert_true(t.v[i].args[k] <= UINT32_MAX);
	assert_true(has_vec(&t, AUDIT_ARCH_X86_64, pers64, 0, 0x1ffffffffULL));
	assert_true(t.n < c.n);
	free(t.v);
	sf_profile_free(p);
}

static int stop_at_3(const struct seccomp_data *d, const struct sf_arch *arch, void *ctx)
{
	(void)d;
	(void)arch;
	return ++*(int *)ctx == 3 ? 42 : 0;
}

static void test_vectors_stop_early(void **state)
{
	struct sf_profile *p = parse(mkdir_deny);
	int n = 0;

	(void)state;
	assert_int_equal(oracle_vectors(p, NULL, 0, 0, stop_at_3, &n), 42);
	assert_int_equal(n, 3);
	sf_profile_free(p);
}

static void test_run_both_and_diff(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86");
	const struct sf_arch *arches[] = {x86_64, x86};
	static const char *const pairs[][2] = {
	    /* An off-by-one on LE vs LT. */
	    {"{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_LE\"}",
	     "{\"index\":0,\"value\":5,\"op\":\"SCMP_CMP_LT\"}"},
	    /* A forgotten high word (only x86_64 can tell). */
	    {"{\"index\":2,\"value\":4294967301,\"op\":\"SCMP_CMP_EQ\"}",
	     "{\"index\":2,\"value\":5,\"op\":\"SCMP_CMP_EQ\"}"},
	    /* A mask bit lost. */
	    {"{\"index\":1,\"value\":4294967552,\"valueTwo\":256,\"op\":\"SCMP_CMP_MASKED_EQ\"}",
	     "{\"index\":1,\"value\":256,\"valueTwo\":256,\"op\":\"SCMP_CMP_MASKED_EQ\"}"},
	    /* GT vs GE at the top of the range. */
	    {"{\"index\":5,\"value\":18446744073709551614,\"op\":\"SCMP_CMP_GT\"}",
	     "{\"index\":5,\"value\":18446744073709551614,\"op\":\"SCMP_CMP_GE\"}"},
	};
	char json[2][512], msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct sf_profile *p[2];
		struct sf_prog prog[2] = {{0}};
		struct oracle_diff diff;

		for (int k = 0; k < 2; k++) {
			snprintf(json[k], sizeof(json[k]),
				 "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":["
				 "\"prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[%s]}]}",
				 pairs[i][k]);
			p[k] = parse(json[k]);
			assert_int_equal(
			    oracle_build(p[k], arches, 2, 0, &prog[k], msg, sizeof(msg)), 0);
		}
		/* Each profile's vectors find the difference; a program agrees with itself. */
		for (int k = 0; k < 2; k++) {
			assert_int_equal(
			    oracle_diff_progs(&prog[0], &prog[1], p[k], arches, 2, 0, &diff), 1);
			assert_true(diff.differ);
			assert_int_not_equal(diff.ra, diff.rb);
			assert_non_null(strstr(diff.msg, "prctl"));
			uint32_t ra, rb;
			assert_int_equal(
			    run_both(&prog[0], &prog[1], &diff.d, &ra, &rb, msg, sizeof(msg)), 1);
			assert_int_equal(ra, diff.ra);
			assert_int_equal(
			    oracle_diff_progs(&prog[k], &prog[k], p[k], arches, 2, 0, &diff), 0);
			assert_false(diff.differ);
			assert_true(diff.checked > 900);
		}
		if (i == 1) /* on x86 the high word is invisible */
			assert_int_equal(oracle_diff_progs(&prog[0], &prog[1], p[0],
							   (const struct sf_arch *const[]){x86}, 1,
							   0, &diff),
					 0);
		for (int k = 0; k < 2; k++) {
			sf_prog_free(&prog[k]);
			sf_profile_free(p[k]);
		}
	}

	/* An invalid program is an error, not a difference. */
	struct sf_prog bad = {0}, good = {0};
	struct sf_profile *p = parse(mkdir_deny);
	struct seccomp_data d;
	assert_int_equal(oracle_build(p, NULL, 0, 0, &good, NULL, 0), 0);
	bad.insns = calloc(1, sizeof(*bad.insns));
	bad.len = 1;
	bad.insns[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* no return */
	oracle_data(&d, x86_64, AUDIT_ARCH_X86_64, 0, NULL);
	assert_true(run_both(&good, &bad, &d, NULL, NULL, msg, sizeof(msg)) < 0);
	assert_non_null(strstr(msg, "program b"));
	sf_prog_free(&bad);
	sf_prog_free(&good);
	sf_profile_free(p);
}

static void test_describe(void **state)
{
	struct seccomp_data d;
	const uint64_t args[6] = {1, 0x100000000ULL};
	char buf[256];

	(void)state;
	oracle_data(&d, A("x86_64"), AUDIT_ARCH_X86_64, 2, args);
	assert_string_equal(oracle_describe(&d, NULL, buf, sizeof(buf)),
			    "x86_64(0xc000003e) nr=2 (open) args=[0x1, 0x100000000, 0, 0, 0, 0]");
	oracle_data(&d, A("x86_64"), AUDIT_ARCH_X86_64, 0x40000000, NULL);
	assert_non_null(strstr(oracle_describe(&d, NULL, buf, sizeof(buf)), "x32"));
	assert_non_null(strstr(buf, "(read)"));
	/* s390x: the words are swapped in memory, and read back as the arch means them. */
	oracle_data(&d, A("s390x"), A("s390x")->audit_arch, 3, args);
	assert_int_equal(d.args[1], 1);
	assert_int_equal(oracle_data_arg(&d, A("s390x"), 1), 0x100000000ULL);
	assert_non_null(strstr(oracle_describe(&d, NULL, buf, sizeof(buf)), "0x100000000"));
	/* Truncation never overruns. */
	assert_int_equal(strlen(oracle_describe(&d, NULL, buf, 20)), 19);
}

static void test_oracle_tables_and_common_profile(void **state)
{
	const struct sf_arch *x86_64 = A("x86_64"), *x86 = A("x86"), *s390x = A("s390x");
	const struct sf_arch *arches[] = {x86_64, x86};
	struct sf_profile *p =
	    parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
		  "\"syscalls\":[{\"names\":[\"read\",\"file_getattr\",\"nosuchcall\"],"
		  "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,"
		  "\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"file_setattr\"],"
		  "\"action\":\"SCMP_ACT_LOG\"}]}");
	size_t dropped = 0;
	struct sf_profile *q;

	(void)state;
	assert_int_equal(oracle_syscall_nr(x86_64, "read"), 0);
	assert_int_equal(oracle_syscall_nr(x86, "socketcall"), 102);
	assert_true(oracle_syscall_nr(x86_64, "socketcall") < -1); /* a pseudo number */
	assert_int_equal(oracle_syscall_nr(x86_64, "nosuchcall"), __NR_SCMP_ERROR);
	assert_int_equal(oracle_syscall_nr(A("loongarch64"), "read"), __NR_SCMP_ERROR);
	assert_true(oracle_table_agrees(x86_64, "read"));
	assert_true(oracle_table_agrees(x86, "connect")); /* direct, and through socketcall */
	assert_true(oracle_table_agrees(s390x, "socket"));
	assert_true(oracle_table_agrees(x86_64, "nosuchcall")); /* both skip it */
	assert_true(oracle_table_agrees(x86_64, "socketcall"));
	/* Newer than libseccomp 2.5.4. */
	if (seccomp_syscall_resolve_name("file_getattr") == __NR_SCMP_ERROR)
		assert_false(oracle_table_agrees(x86_64, "file_getattr"));

	q = oracle_profile_common(p, arches, 2, &dropped);
	assert_non_null(q);
	if (seccomp_syscall_resolve_name("file_getattr") == __NR_SCMP_ERROR) {
		assert_int_equal(dropped, 2);
		assert_int_equal(q->nrules, 1);
		assert_int_equal(q->rules[0].nnames, 2);
		assert_string_equal(q->rules[0].names[1], "nosuchcall");
	}
	assert_int_equal(q->rules[0].nargs, 1);
	assert_int_equal(q->default_action, SF_ACT_ERRNO);
	assert_int_equal(q->narchitectures, 1);
	sf_profile_free(q);
	sf_profile_free(p);
}

static void test_profile_add_arch(void **state)
{
	struct sf_profile *p = sf_profile_new();
	struct sf_profile *q = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":["
				     "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}");
	char name[32];

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "SCMP_ARCH_%d", i);
		assert_int_equal(sf_profile_add_arch(p, name), 0);
	}
	assert_int_equal(p->narchitectures, 40);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "SCMP_ARCH_%d", i);
		assert_string_equal(p->architectures[i], name);
	}
	/* A profile read from a document: arrays of exactly its length, nodes kept parallel. */
	for (int i = 0; i < 9; i++)
		assert_int_equal(sf_profile_add_arch(q, "SCMP_ARCH_AARCH64"), 0);
	assert_int_equal(q->narchitectures, 12);
	assert_string_equal(q->architectures[2], "SCMP_ARCH_X32");
	assert_string_equal(q->architectures[11], "SCMP_ARCH_AARCH64");
	assert_non_null(q->arch_nodes[2]);
	assert_null(q->arch_nodes[11]);
	sf_profile_free(p);
	sf_profile_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oracle_errno_rule_and_default),
	    cmocka_unit_test(test_oracle_bad_arch_and_x32_bit),
	    cmocka_unit_test(test_oracle_arch_list_is_exact),
	    cmocka_unit_test(test_oracle_default_errno_and_skipped_rules),
	    cmocka_unit_test(test_oracle_args_and_32bit_truncation),
	    cmocka_unit_test(test_oracle_repeated_index_is_or),
	    cmocka_unit_test(test_oracle_rule_precedence),
	    cmocka_unit_test(test_oracle_big_endian_arch),
	    cmocka_unit_test(test_libseccomp_optimize2_miscompiles),
	    cmocka_unit_test(test_libseccomp_rule_add_hangs),
	    cmocka_unit_test(test_oracle_optimize_levels),
	    cmocka_unit_test(test_gen_vocab_exists_on_x86_64_and_x86),
	    cmocka_unit_test(test_gen_deterministic),
	    cmocka_unit_test(test_gen_respects_options),
	    cmocka_unit_test(test_gen_profiles_check_clean_and_build),
	    cmocka_unit_test(test_gen_conflicts_and_unknown_names),
	    cmocka_unit_test(test_vectors_cover_boundaries),
	    cmocka_unit_test(test_vectors_stop_early),
	    cmocka_unit_test(test_run_both_and_diff),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_oracle_tables_and_common_profile),
	    cmocka_unit_test(test_profile_add_arch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
