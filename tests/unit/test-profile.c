/* Unit tests of the profile model: reading every field, every check, round trip, resolution. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <dirent.h>

#include <cmocka.h>

#include <sysfence/sysfence.h>

/* Read and check a profile given as text; the findings stay in *f for assertions. */
static struct sf_profile *load(const char *text, struct sf_findings *f, int *rc)
{
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };

	sf_findings_init(f, "t.json");
	*rc = sf_profile_parse("t.json", text, strlen(text), SF_DOC_AUTO, f, &p, &err);
	if (p)
		sf_profile_check(p, 0, f);
	return p;
}

static const struct sf_finding *find(const struct sf_findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0)
			return &f->v[i];
	return NULL;
}

/* Assert that checking text yields a finding `code` of severity sev (at line:col when given). */
static void expect(const char *text, const char *code, enum sf_severity sev, unsigned line,
		   unsigned col)
{
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load(text, &f, &rc);
	const struct sf_finding *x = find(&f, code);
	if (!x) {
		for (size_t i = 0; i < f.n; i++)
			print_message("  have: %s %s\n", f.v[i].code, f.v[i].msg);
		fail_msg("no finding '%s' for %s", code, text);
	}
	assert_int_equal(x->severity, sev);
	if (line) {
		assert_int_equal(x->line, line);
		assert_int_equal(x->col, col);
	}
	assert_non_null(x->msg);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void expect_clean(const char *text)
{
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load(text, &f, &rc);
	for (size_t i = 0; i < f.n; i++)
		print_message("  unexpected: %s %s\n", f.v[i].code, f.v[i].msg);
	assert_int_equal(rc, 0);
	assert_int_equal(f.n, 0);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

#define ALLOWLIST_HEAD "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"

static void test_every_field_is_read(void **state)
{
	const char *text =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\n"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\n"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
		"\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"x=1\",\n"
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"comment\":\"io\"},\n"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":18446744073709551615,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]},\n"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},\n"
		"{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_NOTIFY\"},\n"
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}],"
		"\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"],\"arches\":[\"s390x\"]},"
		"\"includes\":{\"minKernel\":\"4.8\"}}]}";
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load(text, &f, &rc);

	assert_int_equal(rc, 0);
	assert_int_equal(f.nerrors, 0);
	assert_int_equal(p->default_action, SF_ACT_ERRNO);
	assert_true(p->has_default_errno);
	assert_int_equal(p->default_errno, 38);
	assert_int_equal(p->narchitectures, 2);
	assert_string_equal(p->architectures[1], "SCMP_ARCH_X86");
	assert_int_equal(p->flags, SF_FLAG_LOG | SF_FLAG_SPEC_ALLOW);
	assert_string_equal(p->listener_path, "/run/agent.sock");
	assert_string_equal(p->listener_metadata, "x=1");
	assert_int_equal(p->nrules, 5);
	assert_int_equal(p->rules[0].nnames, 2);
	assert_string_equal(p->rules[0].comment, "io");
	assert_int_equal(p->rules[1].args[0].value, UINT64_MAX);
	assert_int_equal(p->rules[1].args[0].op, SF_OP_EQ);
	assert_int_equal(p->rules[2].errno_ret, 13);
	assert_int_equal(p->rules[3].action, SF_ACT_NOTIFY);
	assert_int_equal(p->rules[4].args[0].op, SF_OP_MASKED_EQ);
	assert_string_equal(p->rules[4].excludes.caps[0], "CAP_SYS_ADMIN");
	assert_string_equal(p->rules[4].excludes.arches[0], "s390x");
	assert_string_equal(p->rules[4].includes.min_kernel, "4.8");
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void test_every_action_operator_and_flag_name(void **state)
{
	static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
					       "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
					       "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
					       "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY" };
	static const char *const ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
					   "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
					   "SCMP_CMP_MASKED_EQ" };
	for (size_t i = 0; i < sizeof(actions) / sizeof(*actions); i++) {
		enum sf_action a = sf_action_from_name(actions[i]);
		assert_int_not_equal(a, SF_ACT_INVALID);
		assert_string_equal(sf_action_name(a), actions[i]);
	}
	assert_int_equal(sf_action_ret(SF_ACT_KILL, 0), sf_action_ret(SF_ACT_KILL_THREAD, 0));
	assert_int_equal(sf_action_ret(SF_ACT_ERRNO, 13), 0x0005000d);
	assert_int_equal(sf_action_ret(SF_ACT_TRACE, 5), 0x7ff00005);
	assert_int_equal(sf_action_ret(SF_ACT_KILL_PROCESS, 0), 0x80000000);
	assert_int_equal(sf_action_from_name("SCMP_ACT_allow"), SF_ACT_INVALID);
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		assert_string_equal(sf_op_name(sf_op_from_name(ops[i])), ops[i]);
	assert_int_equal(sf_flag_from_name("SECCOMP_FILTER_FLAG_TSYNC"), SF_FLAG_TSYNC);
	assert_int_equal(sf_flag_from_name("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
			 SF_FLAG_WAIT_KILLABLE_RECV);
	assert_int_equal(sf_errno_from_name("ENOSYS"), ENOSYS);
	assert_string_equal(sf_errno_name(EPERM), "EPERM");
	assert_string_equal(sf_errno_name(EAGAIN), "EAGAIN");
	assert_int_equal(sf_errno_from_name("EWOULDBLOCK"), EAGAIN);
	assert_int_equal(sf_errno_from_name("EFOO"), -1);
}

static void test_legacy_name_is_read_as_names(void **state)
{
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load(ALLOWLIST_HEAD "\"syscalls\":[{\"name\":\"read\","
					"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[]}]}",
				    &f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(p->rules[0].nnames, 1);
	assert_string_equal(p->rules[0].names[0], "read");
	assert_true(p->rules[0].legacy_name);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void test_name_and_names_together_is_an_error(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"name\":\"read\",\"names\":[\"write\"],"
			      "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	       "name-and-names", SF_SEV_ERROR, 0, 0);
}

static void test_podman_errno_names(void **state)
{
	struct sf_findings f;
	int rc;
	/* A name alone gives the number. */
	struct sf_profile *p =
		load("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrno\":\"ENOSYS\","
		     "\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"mkdir\"],"
		     "\"action\":\"SCMP_ACT_ERRNO\",\"errno\":\"EACCES\"}]}",
		     &f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(f.n, 0);
	assert_true(p->has_default_errno);
	assert_int_equal(p->default_errno, ENOSYS);
	assert_int_equal(p->rules[0].errno_ret, EACCES);
	sf_profile_free(p);
	sf_findings_clear(&f);
	/* Both, agreeing (podman's own default profile does this). */
	expect_clean(ALLOWLIST_HEAD "\"defaultErrnoRet\":38,\"defaultErrno\":\"ENOSYS\","
				    "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
				    "\"errnoRet\":1,\"errno\":\"EPERM\"}]}");
	/* Both, disagreeing. */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			      "\"errnoRet\":1,\"errno\":\"EACCES\"}]}",
	       "errno-mismatch", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			      "\"errno\":\"EWHAT\"}]}",
	       "unknown-errno", SF_SEV_ERROR, 0, 0);
	/* podman knows 82 names: EINTR is not one of them, so podman refuses it. */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			      "\"errno\":\"EINTR\"}]}",
	       "errno-name-podman", SF_SEV_ERROR, 0, 0);
	/* A decimal string is a number to podman. */
	p = load(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
				"\"errno\":\"13\"}]}",
		 &f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(p->rules[0].errno_ret, 13);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void test_syntax_error_is_located(void **state)
{
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	const char *text = "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [,]\n}";
	int rc = sf_profile_parse("t.json", text, strlen(text), SF_DOC_AUTO, NULL, &p, &err);
	assert_true(rc < 0);
	assert_null(p);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 16);
	assert_string_equal(err.file, "t.json");
}

static void test_wrong_types(void **state)
{
	expect("{\"defaultAction\": 1}", "type", SF_SEV_ERROR, 1, 19);
	expect(ALLOWLIST_HEAD "\"syscalls\":{}}", "type", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"}]}",
	       "type", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":\"0\",\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "type", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":1.5,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "type", SF_SEV_ERROR, 0, 0);
	expect("[1,2]", "type", SF_SEV_ERROR, 1, 1);
}

static void test_numbers_out_of_range(void **state)
{
	/* value beyond 2^64-1 */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":18446744073709551616,"
			      "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "range", SF_SEV_ERROR, 0, 0);
	/* negative value */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "range", SF_SEV_ERROR, 0, 0);
	/* index beyond 5, and negative */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "range", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":-1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "range", SF_SEV_ERROR, 0, 0);
	/* errno beyond 4095 */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\","
			      "\"errnoRet\":4096}]}",
	       "errno-range", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}", "errno-range",
	       SF_SEV_ERROR, 0, 0);
}

static void test_unknown_syscall_gets_a_suggestion(void **state)
{
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load(ALLOWLIST_HEAD "\n\"syscalls\":[{\"names\":[\"read\",\"mkdirr\"],"
					"\"action\":\"SCMP_ACT_ALLOW\"}]}",
				    &f, &rc);
	const struct sf_finding *x = find(&f, "unknown-syscall");
	assert_non_null(x);
	assert_int_equal(x->severity, SF_SEV_ERROR);
	assert_string_equal(x->path, "syscalls[0].names[1]");
	assert_int_equal(x->line, 2);
	assert_int_equal(x->col, 30);
	assert_non_null(x->hint);
	assert_non_null(strstr(x->hint, "\"mkdir\""));
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void test_unknown_action_operator_arch(void **state)
{
	expect("{\"defaultAction\":\"SCMP_ACT_EROR\"}", "unknown-action", SF_SEV_ERROR, 1, 18);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQUAL\"}]}]}",
	       "unknown-operator", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X87\"]}",
	       "unknown-arch", SF_SEV_ERROR, 1, 52);
	/* libseccomp's short names are not what runtimes take */
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"x86_64\"]}",
	       "unknown-arch", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"flags\":[\"SECCOMP_FILTER_FLAG_FOO\"]}",
	       "unknown-flag", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
	       "runtime-flag", SF_SEV_ERROR, 0, 0);
}

static void test_errno_on_action_without_errno(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"errnoRet\":1}]}",
	       "errno-on-action", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_KILL\",\"defaultErrnoRet\":1,"
	       "\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
	       "errno-on-action", SF_SEV_ERROR, 0, 0);
	/* TRACE takes one */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],"
				    "\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":5}]}");
}

static void test_value_two_on_other_operators_warns(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":1,\"valueTwo\":2,"
			      "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "value-two-ignored", SF_SEV_WARNING, 0, 0);
	/* valueTwo 0 on EQ is what podman's and apptainer's profiles carry: no finding */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
				    "\"args\":[{\"index\":0,\"value\":1,\"valueTwo\":0,"
				    "\"op\":\"SCMP_CMP_EQ\"}]}]}");
}

static void test_conflicting_actions(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			      "\n{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\"}]}",
	       "conflict", SF_SEV_ERROR, 2, 11);
	/* Same syscall, same action, twice: a warning. */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	       "duplicate-rule", SF_SEV_WARNING, 0, 0);
	/* An unconditional rule takes the whole syscall: argument rules beside it never decide,
	 * in either order (libseccomp keeps one tree per syscall). */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
			      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\"}]}",
	       "args-overridden", SF_SEV_WARNING, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\"},"
			      "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "args-overridden", SF_SEV_WARNING, 0, 0);
	/* Argument rules with different actions side by side are fine. */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\","
				    "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
				    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\","
				    "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	/* Alternatives under different includes are Docker's way: judged after resolving. */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"ptrace\"],"
				    "\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
				    "[\"CAP_SYS_PTRACE\"]}},{\"names\":[\"ptrace\"],"
				    "\"action\":\"SCMP_ACT_KILL\",\"excludes\":{\"caps\":"
				    "[\"CAP_SYS_PTRACE\"]}}]}");
}

static void test_duplicates_and_no_effect(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\",\"read\"],"
			      "\"action\":\"SCMP_ACT_ALLOW\"}]}",
	       "duplicate-name", SF_SEV_WARNING, 0, 0);
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
	       "no-effect", SF_SEV_WARNING, 0, 0);
	/* ERRNO with another errno is an effect. */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
				    "\"errnoRet\":38}]}");
	/* KILL and KILL_THREAD are the same action */
	expect("{\"defaultAction\":\"SCMP_ACT_KILL\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL_THREAD\"}]}",
	       "no-effect", SF_SEV_WARNING, 0, 0);
}

static void test_duplicate_keys_name_both_positions(void **state)
{
	struct sf_findings f;
	int rc;
	struct sf_profile *p = load("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\n"
				    " \"defaultAction\":\"SCMP_ACT_ALLOW\"}",
				    &f, &rc);
	const struct sf_finding *x = find(&f, "duplicate-key");
	assert_non_null(x);
	assert_int_equal(x->severity, SF_SEV_ERROR);
	assert_int_equal(x->line, 2);
	assert_int_equal(x->col, 2);
	assert_non_null(strstr(x->msg, "1:2"));
	sf_profile_free(p);
	sf_findings_clear(&f);
}

static void test_syscall_on_no_listed_arch(void **state)
{
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_AARCH64\"],"
	       "\"syscalls\":[{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
	       "syscall-not-on-arch", SF_SEV_WARNING, 0, 0);
}

static void test_posture_warnings(void **state)
{
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\"}", "no-architectures", SF_SEV_WARNING, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
	       "deny-list", SF_SEV_WARNING, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"defaultAktion\":1}",
	       "unknown-field", SF_SEV_WARNING, 1, 72);
	expect("{\"architectures\":[\"SCMP_ARCH_X86_64\"]}", "missing-default-action", SF_SEV_ERROR,
	       0, 0);
}

static void test_notify_rules(void **state)
{
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
	       "notify-without-listener", SF_SEV_ERROR, 0, 0);
	expect("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"listenerPath\":\"/x\"}",
	       "notify-default", SF_SEV_ERROR, 0, 0);
	expect(ALLOWLIST_HEAD "\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	       "killable-without-listener", SF_SEV_ERROR, 0, 0);
}

static void test_int_argument_extension(void **state)
{
	/* AT_FDCWD written sign-extended matches only callers that sign-extend. */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":18446744073709551516,"
			      "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "int-extension", SF_SEV_WARNING, 0, 0);
	/* kill(-1) written zero-extended matches only callers that zero-extend. */
	expect(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\","
			      "\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "int-extension", SF_SEV_WARNING, 0, 0);
	/* Non-negative ints, the low-word mask, non-int arguments and 32-bit-only profiles:
	 * nothing to say. */
	expect_clean(ALLOWLIST_HEAD "\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
				    "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},"
				    "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
				    "\"value\":4294967295,\"valueTwo\":4294967295,"
				    "\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
				    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
				    "\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	expect_clean("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_ARM\"],"
		     "\"syscalls\":[{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\","
		     "\"args\":[{\"index\":0,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}");
}

static void test_multiplexed_socket_rules(void **state)
{
	/* With x86 listed, socket's argument rules cannot be checked through socketcall. */
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	       "\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\","
	       "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "multiplexed-args", SF_SEV_WARNING, 0, 0);
	/* ALLOW AF_INET, then ERRNO AF_VSOCK: both become socketcall(a0 == SYS_SOCKET) with
	 * different actions on x86: libseccomp fails with EEXIST, runc and crun refuse. */
	expect("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
	       "\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_LOG\","
	       "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"socket\"],"
	       "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":40,"
	       "\"op\":\"SCMP_CMP_EQ\"}]}]}",
	       "multiplexed-conflict", SF_SEV_ERROR, 0, 0);
	/* x86_64 alone has no socketcall: nothing to say. */
	expect_clean("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		     "\"syscalls\":[{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_LOG\","
		     "\"args\":[{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"socket\"],"
		     "\"action\":\"SCMP_ACT_KILL\",\"args\":[{\"index\":0,\"value\":40,"
		     "\"op\":\"SCMP_CMP_EQ\"}]}]}");
}

static void test_arch_and_archmap_together(void **state)
{
	expect("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	       "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
	       "[\"SCMP_ARCH_X86\"]}]}",
	       "arch-and-archmap", SF_SEV_ERROR, 0, 0);
}

static void test_spo_object_reads_its_spec(void **state)
{
	const char *yaml = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
			   "kind: SeccompProfile\n"
			   "metadata:\n  name: demo\n"
			   "spec:\n"
			   "  defaultAction: SCMP_ACT_ERRNO\n"
			   "  architectures: [SCMP_ARCH_X86_64]\n"
			   "  syscalls:\n"
			   "  - action: SCMP_ACT_ALLOW\n"
			   "    names: [read, write]\n"
			   "  - action: SCMP_ACT_ERRNO\n"
			   "    names: [mkdirr]\n";
	struct sf_findings f;
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	sf_findings_init(&f, "t.yaml");
	int rc = sf_profile_parse("t.yaml", yaml, strlen(yaml), SF_DOC_AUTO, &f, &p, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[0].names[1], "write");
	sf_profile_check(p, 0, &f);
	const struct sf_finding *x = find(&f, "unknown-syscall");
	assert_non_null(x);
	assert_int_equal(x->line, 12);
	assert_int_equal(x->col, 13);
	sf_profile_free(p);
	sf_findings_clear(&f);
}

/* Writing: canonical, deterministic, and read back to the same model. */
static char *write_text(const struct sf_profile *p, enum sf_out_format fmt)
{
	struct sf_buf b = { 0 };
	struct sf_error err = { 0 };
	assert_int_equal(sf_profile_write(p, fmt, &b, &err), 0);
	return b.data;
}

static void assert_same_model(const struct sf_profile *a, const struct sf_profile *b)
{
	assert_int_equal(a->default_action, b->default_action);
	assert_int_equal(a->has_default_errno, b->has_default_errno);
	assert_int_equal(a->default_errno, b->default_errno);
	assert_int_equal(a->narchitectures, b->narchitectures);
	for (size_t i = 0; i < a->narchitectures; i++)
		assert_string_equal(a->architectures[i], b->architectures[i]);
	assert_int_equal(a->narchmap, b->narchmap);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++) {
		const struct sf_rule *x = &a->rules[i], *y = &b->rules[i];
		assert_int_equal(x->nnames, y->nnames);
		for (size_t j = 0; j < x->nnames; j++)
			assert_string_equal(x->names[j], y->names[j]);
		assert_int_equal(x->action, y->action);
		assert_int_equal(x->has_errno, y->has_errno);
		assert_int_equal(x->errno_ret, y->errno_ret);
		assert_int_equal(x->nargs, y->nargs);
		for (size_t j = 0; j < x->nargs; j++) {
			assert_int_equal(x->args[j].index, y->args[j].index);
			assert_true(x->args[j].value == y->args[j].value);
			assert_true(x->args[j].value_two == y->args[j].value_two);
			assert_int_equal(x->args[j].op, y->args[j].op);
		}
		assert_int_equal(x->includes.ncaps, y->includes.ncaps);
		assert_int_equal(x->excludes.ncaps, y->excludes.ncaps);
		assert_int_equal(x->includes.narches, y->includes.narches);
		assert_int_equal(!!x->includes.min_kernel, !!y->includes.min_kernel);
	}
}

static void round_trip(const char *text, enum sf_out_format fmt)
{
	struct sf_error err = { 0 };
	struct sf_profile *a = NULL, *b = NULL;
	assert_int_equal(sf_profile_parse("a", text, strlen(text), SF_DOC_AUTO, NULL, &a, &err), 0);
	char *t1 = write_text(a, fmt);
	char *t2 = write_text(a, fmt);
	assert_string_equal(t1, t2);
	assert_int_equal(sf_profile_parse("b", t1, strlen(t1),
					  fmt == SF_OUT_YAML ? SF_DOC_YAML : SF_DOC_JSON, NULL, &b,
					  &err),
			 0);
	assert_same_model(a, b);
	char *t3 = write_text(b, fmt);
	assert_string_equal(t1, t3);
	free(t1);
	free(t2);
	free(t3);
	sf_profile_free(a);
	sf_profile_free(b);
}

static const char round_trip_profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
	"\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":"
	"[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}],\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
	"\"syscalls\":[{\"name\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
	"\"value\":18446744073709551615,\"op\":\"SCMP_CMP_NE\"},{\"index\":1,\"value\":255,"
	"\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}],\"comment\":\"with \\\"quotes\\\"\"},"
	"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,"
	"\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"],\"arches\":[\"amd64\"],\"minKernel\":\"5.4\"}}]}";

static void test_round_trip_json(void **state)
{
	round_trip(round_trip_profile, SF_OUT_JSON);
}

static void test_round_trip_yaml(void **state)
{
	round_trip(round_trip_profile, SF_OUT_YAML);
}

/* Docker's resolution: archMap for the arch, includes/excludes against caps, arch, kernel. */
static struct sf_profile *resolve(const char *text, const char *arch, const char *const *caps,
				  unsigned major, unsigned minor)
{
	struct sf_error err = { 0 };
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_target t = { .arch = arch, .caps = caps, .kernel_major = major,
			       .kernel_minor = minor };
	assert_int_equal(sf_profile_parse("r", text, strlen(text), SF_DOC_AUTO, NULL, &p, &err), 0);
	assert_int_equal(sf_profile_resolve(p, &t, &r, &err), 0);
	sf_profile_free(p);
	return r;
}

static bool has_rule_for(const struct sf_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; j < p->rules[i].nnames; j++)
			if (strcmp(p->rules[i].names[j], name) == 0)
				return true;
	return false;
}

static const char resolve_profile[] =
	"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":["
	"{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\","
	"\"SCMP_ARCH_X32\"]},{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":"
	"[\"SCMP_ARCH_ARM\"]}],\"syscalls\":["
	"{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
	"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.8\"}},"
	"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
	"[\"CAP_SYS_ADMIN\"]}},"
	"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":"
	"[\"CAP_SYS_ADMIN\"]}},"
	"{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":"
	"[\"amd64\",\"x32\"]}},"
	"{\"names\":[\"sync_file_range2\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":"
	"[\"arm64\"]}},"
	"{\"names\":[\"uselib\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":"
	"[\"amd64\"]}},"
	"{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
	"[\"CAP_SYS_ADMIN\",\"CAP_BPF\"]}}]}";

static void test_resolve_archmap_for_target_arch(void **state)
{
	struct sf_profile *r = resolve(resolve_profile, "x86_64", NULL, 6, 1);
	assert_int_equal(r->narchitectures, 3);
	assert_string_equal(r->architectures[0], "SCMP_ARCH_X86_64");
	assert_string_equal(r->architectures[1], "SCMP_ARCH_X86");
	assert_string_equal(r->architectures[2], "SCMP_ARCH_X32");
	assert_int_equal(r->narchmap, 0);
	sf_profile_free(r);
	r = resolve(resolve_profile, "arm64", NULL, 6, 1);
	assert_int_equal(r->narchitectures, 2);
	assert_string_equal(r->architectures[1], "SCMP_ARCH_ARM");
	sf_profile_free(r);
}

static void test_resolve_includes_excludes(void **state)
{
	static const char *const admin[] = { "CAP_SYS_ADMIN", NULL };
	static const char *const admin_bpf[] = { "CAP_SYS_ADMIN", "CAP_BPF", NULL };
	struct sf_profile *r = resolve(resolve_profile, "amd64", NULL, 6, 1);
	assert_true(has_rule_for(r, "read"));
	assert_true(has_rule_for(r, "ptrace"));
	assert_false(has_rule_for(r, "mount"));
	assert_true(has_rule_for(r, "clone"));
	assert_true(has_rule_for(r, "arch_prctl"));
	assert_false(has_rule_for(r, "sync_file_range2"));
	assert_false(has_rule_for(r, "uselib"));
	assert_false(has_rule_for(r, "bpf"));
	for (size_t i = 0; i < r->nrules; i++)
		assert_int_equal(r->rules[i].includes.ncaps + r->rules[i].excludes.ncaps, 0);
	sf_profile_free(r);

	r = resolve(resolve_profile, "amd64", admin, 4, 4);
	assert_false(has_rule_for(r, "ptrace")); /* minKernel 4.8 > 4.4 */
	assert_true(has_rule_for(r, "mount"));
	assert_false(has_rule_for(r, "clone"));
	assert_false(has_rule_for(r, "bpf")); /* every included cap is needed */
	sf_profile_free(r);

	r = resolve(resolve_profile, "aarch64", admin_bpf, 4, 8);
	assert_true(has_rule_for(r, "ptrace")); /* 4.8 >= 4.8 */
	assert_true(has_rule_for(r, "bpf"));
	assert_false(has_rule_for(r, "arch_prctl"));
	assert_true(has_rule_for(r, "sync_file_range2"));
	assert_true(has_rule_for(r, "uselib"));
	sf_profile_free(r);
}

static void test_capability_names(void **state)
{
	assert_string_equal(sf_cap_name(21), "CAP_SYS_ADMIN");
	assert_int_equal(sf_cap_from_name("sys_admin"), 21);
	assert_int_equal(sf_cap_from_name("CAP_BPF"), 39);
	assert_int_equal(sf_cap_from_name("CAP_NOPE"), -1);
	for (const char *const *c = sf_docker_default_caps; *c; c++)
		assert_true(sf_cap_from_name(*c) >= 0);
}

/* Every real profile in the shared corpus reads and checks without error (warnings allowed),
 * except those whose meaning the kernel silently changes, named here with the reason. */
static void test_corpus_profiles_check(void **state)
{
	static const struct {
		const char *file, *code;
	} expected_errors[] = {
		/* errnoRet 12345: the kernel caps errno at 4095, so the program sees 4095. */
		{ "moby-fixture-example.json", "errno-range" },
	};
	const char *shared = getenv("SYSFENCE_SHARED");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/corpus/profiles", shared ? shared : "../shared");
	DIR *d = opendir(dir);
	if (!d) {
		print_message("skipped: %s not found\n", dir);
		skip();
	}
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		char path[8192];
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct sf_findings f;
		struct sf_profile *p = NULL;
		struct sf_error err = { 0 };
		sf_findings_init(&f, path);
		sf_profile_read(path, SF_DOC_AUTO, &f, &p, &err);
		assert_non_null(p);
		sf_profile_check(p, 0, &f);
		const char *allowed = NULL;
		for (size_t i = 0; i < sizeof(expected_errors) / sizeof(*expected_errors); i++)
			if (strcmp(expected_errors[i].file, e->d_name) == 0)
				allowed = expected_errors[i].code;
		for (size_t i = 0; i < f.n; i++) {
			if (f.v[i].severity != SF_SEV_ERROR)
				continue;
			if (allowed && strcmp(f.v[i].code, allowed) == 0)
				continue;
			fail_msg("%s:%u:%u: %s: %s", e->d_name, f.v[i].line, f.v[i].col,
				 f.v[i].path, f.v[i].msg);
		}
		if (allowed)
			assert_non_null(find(&f, allowed));
		/* And each survives a canonical round trip. */
		char *t1 = write_text(p, SF_OUT_JSON);
		struct sf_profile *q = NULL;
		assert_int_equal(sf_profile_parse("rt", t1, strlen(t1), SF_DOC_JSON, NULL, &q, &err),
				 0);
		assert_same_model(p, q);
		free(t1);
		sf_profile_free(q);
		sf_profile_free(p);
		sf_findings_clear(&f);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

/* Hostile inputs: an error or success, never a crash; and the 100,000-rule profile. */
static void test_hostile_inputs(void **state)
{
	struct sf_error err = { 0 };
	struct sf_profile *p = NULL;
	size_t n = 200000;
	char *deep = malloc(n + 1);
	memset(deep, '[', n);
	deep[n] = 0;
	assert_true(sf_profile_parse("deep", deep, n, SF_DOC_JSON, NULL, &p, &err) < 0);
	assert_true(sf_profile_parse("deep", deep, n, SF_DOC_YAML, NULL, &p, &err) < 0);
	free(deep);
	const char nul[] = "{\"defaultAction\":\"SCMP_ACT_\0ERRNO\"}";
	assert_true(sf_profile_parse("nul", nul, sizeof(nul) - 1, SF_DOC_JSON, NULL, &p, &err) < 0);
	const char nulstr[] = "{\"defaultAction\":\"SCMP_ACT_\\u0000ERRNO\"}";
	sf_profile_parse("nul", nulstr, sizeof(nulstr) - 1, SF_DOC_JSON, NULL, &p, &err);
	assert_non_null(p); /* read, and refused by the profile layer */
	sf_profile_free(p);
	const char bad_utf8[] = "{\"defaultAction\":\"SCMP_ACT_\xff\"}";
	assert_true(sf_profile_parse("u", bad_utf8, sizeof(bad_utf8) - 1, SF_DOC_JSON, NULL, &p,
				     &err) < 0);
	assert_true(sf_profile_parse("u", bad_utf8, sizeof(bad_utf8) - 1, SF_DOC_YAML, NULL, &p,
				     &err) < 0);
	assert_true(sf_profile_read("/", SF_DOC_AUTO, NULL, &p, &err) < 0);
	assert_int_equal(err.code, -EISDIR);
	assert_true(sf_profile_read("/nonexistent/x.json", SF_DOC_AUTO, NULL, &p, &err) < 0);
	assert_int_equal(err.code, -ENOENT);
	/* Truncated at every offset. */
	for (size_t cut = 0; cut < sizeof(round_trip_profile) - 1; cut++) {
		p = NULL;
		int rc = sf_profile_parse("cut", round_trip_profile, cut, SF_DOC_JSON, NULL, &p, &err);
		assert_true(rc < 0);
		sf_profile_free(p);
	}
	/* 10 MB of garbage. */
	size_t big = 10u << 20;
	char *garbage = malloc(big);
	unsigned seed = 12345;
	for (size_t i = 0; i < big; i++)
		garbage[i] = (char)(rand_r(&seed) & 0xff);
	assert_true(sf_profile_parse("g", garbage, big, SF_DOC_JSON, NULL, &p, &err) < 0);
	assert_true(sf_profile_parse("g", garbage, big, SF_DOC_YAML, NULL, &p, &err) < 0);
	free(garbage);
}

static void test_hundred_thousand_rules(void **state)
{
	struct sf_buf b = { 0 };
	sf_buf_puts(&b, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":"
			"[\"SCMP_ARCH_X86_64\"],\"syscalls\":[\n");
	for (int i = 0; i < 100000; i++)
		sf_buf_printf(&b, "%s{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
				  "\"args\":[{\"index\":0,\"value\":%d,\"op\":\"SCMP_CMP_EQ\"}]}\n",
			      i ? "," : "", i);
	sf_buf_puts(&b, "]}\n");
	struct sf_findings f;
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	sf_findings_init(&f, "big");
	assert_int_equal(sf_profile_parse("big", b.data, b.len, SF_DOC_JSON, &f, &p, &err), 0);
	assert_int_equal(p->nrules, 100000);
	sf_profile_check(p, 0, &f);
	assert_int_equal(f.nerrors, 0);
	sf_profile_free(p);
	sf_findings_clear(&f);
	sf_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field_is_read),
		cmocka_unit_test(test_every_action_operator_and_flag_name),
		cmocka_unit_test(test_legacy_name_is_read_as_names),
		cmocka_unit_test(test_name_and_names_together_is_an_error),
		cmocka_unit_test(test_podman_errno_names),
		cmocka_unit_test(test_syntax_error_is_located),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_numbers_out_of_range),
		cmocka_unit_test(test_unknown_syscall_gets_a_suggestion),
		cmocka_unit_test(test_unknown_action_operator_arch),
		cmocka_unit_test(test_errno_on_action_without_errno),
		cmocka_unit_test(test_value_two_on_other_operators_warns),
		cmocka_unit_test(test_conflicting_actions),
		cmocka_unit_test(test_duplicates_and_no_effect),
		cmocka_unit_test(test_duplicate_keys_name_both_positions),
		cmocka_unit_test(test_syscall_on_no_listed_arch),
		cmocka_unit_test(test_posture_warnings),
		cmocka_unit_test(test_notify_rules),
		cmocka_unit_test(test_int_argument_extension),
		cmocka_unit_test(test_multiplexed_socket_rules),
		cmocka_unit_test(test_arch_and_archmap_together),
		cmocka_unit_test(test_spo_object_reads_its_spec),
		cmocka_unit_test(test_round_trip_json),
		cmocka_unit_test(test_round_trip_yaml),
		cmocka_unit_test(test_resolve_archmap_for_target_arch),
		cmocka_unit_test(test_resolve_includes_excludes),
		cmocka_unit_test(test_capability_names),
		cmocka_unit_test(test_corpus_profiles_check),
		cmocka_unit_test(test_hostile_inputs),
		cmocka_unit_test(test_hundred_thousand_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
