/* Unit tests of the built-in profiles: each reads and checks clean, @runtime-default means what
 * Docker's default profile means (by emulation, against the corpus file), and the postures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sysfence/arch.h>
#include <sysfence/compile.h>
#include <sysfence/doc.h>
#include <sysfence/profile.h>

#include "profile/runtime-default.h"

static struct sf_profile *builtin(const char *name)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};

	if (sf_profile_builtin(name, &p, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	assert_non_null(p);
	return p;
}

/* The corpus copy of Docker's default, or NULL (the test is then skipped). */
static struct sf_profile *docker_default(void)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	char path[4096];
	struct sf_profile *p = NULL;
	struct sf_error err = {0};

	snprintf(path, sizeof(path), "%s/corpus/profiles/docker-default.json",
		 shared ? shared : "../shared");
	if (sf_profile_read(path, SF_DOC_AUTO, NULL, &p, &err) < 0) {
		print_message("skipped: %s: %s\n", path, err.msg);
		sf_profile_free(p);
		return NULL;
	}
	return p;
}

static char *write_text(const struct sf_profile *p)
{
	struct sf_buf b = {0};
	struct sf_error err = {0};

	if (sf_profile_write(p, SF_OUT_JSON, &b, &err) < 0)
		fail_msg("write: %s", err.msg);
	return b.data;
}

static struct sf_profile *resolve(const struct sf_profile *p, const char *arch,
				  const char *const *caps, unsigned major, unsigned minor)
{
	struct sf_target t = {
	    .arch = arch, .caps = caps, .kernel_major = major, .kernel_minor = minor};
	struct sf_profile *r = NULL;
	struct sf_error err = {0};

	if (sf_profile_resolve(p, &t, &r, &err) < 0)
		fail_msg("resolve: %s", err.msg);
	return r;
}

static struct sf_policy *policy(const struct sf_profile *p, const struct sf_arch *const *arches,
				size_t narches)
{
	struct sf_compile_opts o = {.arches = arches, .narches = narches};
	struct sf_policy *pol = NULL;
	struct sf_error err = {0};

	if (sf_policy_build(p, &o, &pol, NULL, &err) < 0)
		fail_msg("policy: %s", err.msg);
	return pol;
}

/* Every built-in reads, and checks without an error. */
static void test_every_builtin_reads_and_checks(void **state)
{
	const char *const *names = sf_profile_builtin_names();
	size_t n = 0;

	for (; names[n]; n++) {
		struct sf_profile *p = builtin(names[n]);
		struct sf_findings f;

		assert_int_equal(names[n][0], '@');
		sf_findings_init(&f, names[n]);
		sf_profile_check(p, 0, &f);
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].severity == SF_SEV_ERROR)
				fail_msg("%s: %s: %s", names[n], f.v[i].path, f.v[i].msg);
		sf_findings_clear(&f);
		sf_profile_free(p);
	}
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "@runtime-default");
}

/* An unknown name is -ENOENT, and the message lists every built-in. */
static void test_unknown_name_lists_the_builtins(void **state)
{
	static const char *const bad[] = {"@nope", "runtime-default", "@", "@Runtime-Default"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct sf_profile *p = (struct sf_profile *)1;
		struct sf_error err = {0};
		assert_int_equal(sf_profile_builtin(bad[i], &p, &err), -ENOENT);
		assert_null(p);
		assert_int_equal(err.code, -ENOENT);
		assert_string_equal(err.file, bad[i]);
		for (const char *const *b = sf_profile_builtin_names(); *b; b++)
			assert_non_null(strstr(err.msg, *b));
	}
}

/* Each call returns a profile of its own. */
static void test_builtins_are_owned_by_the_caller(void **state)
{
	struct sf_profile *a = builtin("@runtime-default"), *b = builtin("@runtime-default");
	assert_ptr_not_equal(a, b);
	a->rules[0].action = SF_ACT_KILL;
	assert_int_equal(b->rules[0].action, SF_ACT_ALLOW);
	sf_profile_free(a);
	sf_profile_free(b);
}

/* @runtime-default is returned as Docker's file states it: archMap and includes/excludes kept. */
static void test_runtime_default_is_unresolved(void **state)
{
	struct sf_profile *p = builtin("@runtime-default");
	bool min_kernel = false, caps = false, excludes = false;

	assert_int_equal(p->default_action, SF_ACT_ERRNO);
	assert_true(p->has_default_errno);
	assert_int_equal(p->default_errno, EPERM);
	assert_int_equal(p->narchitectures, 0);
	assert_true(p->narchmap >= 2);
	assert_string_equal(p->archmap[0].arch, "SCMP_ARCH_X86_64");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sf_rule *r = &p->rules[i];
		min_kernel |= r->includes.min_kernel && strcmp(r->includes.min_kernel, "4.8") == 0;
		caps |= r->includes.ncaps > 0;
		excludes |= r->excludes.ncaps > 0;
	}
	assert_true(min_kernel && caps && excludes);
	sf_profile_free(p);
}

/* The text is sysfence's canonical compact JSON: writing the model back gives the same bytes. */
static void test_runtime_default_text_is_canonical(void **state)
{
	struct sf_profile *p = builtin("@runtime-default");
	struct sf_doc *doc = NULL;
	struct sf_error err = {0};
	struct sf_buf b = {0};

	assert_int_equal(sf_profile_to_doc(p, &doc, &err), 0);
	assert_int_equal(sf_node_write_json(sf_doc_root(doc), SF_JSON_COMPACT, &b), 0);
	assert_int_equal(b.len, sf_runtime_default_json_len);
	assert_memory_equal(b.data, sf_runtime_default_json, b.len);
	sf_buf_free(&b);
	sf_doc_free(doc);
	sf_profile_free(p);
}

/* The same model as the corpus file it was generated from (canonical output is equal). */
static void test_runtime_default_states_the_corpus_file(void **state)
{
	struct sf_profile *d = docker_default(), *p;
	if (!d)
		skip();
	p = builtin("@runtime-default");
	char *a = write_text(p), *b = write_text(d);
	assert_string_equal(a, b);
	free(a);
	free(b);
	sf_profile_free(p);
	sf_profile_free(d);
}

struct cmp {
	const struct sf_policy *a, *b;
	size_t n, ndiff;
	bool quiet;
};

static int on_vector(const struct seccomp_data *d, void *ctx)
{
	struct cmp *c = ctx;
	uint32_t a = sf_policy_eval(c->a, d), b = sf_policy_eval(c->b, d);

	c->n++;
	if (a != b && c->ndiff++ < 10 && !c->quiet)
		print_message("arch %#x nr %d args %#llx %#llx: built-in %#x, file %#x\n", d->arch,
			      d->nr, (unsigned long long)d->args[0], (unsigned long long)d->args[1],
			      a, b);
	return 0;
}

/* How many inputs tell @runtime-default (resolved for x86_64 with caps and kernel a) and the corpus
 * file (the same, kernel b) apart, both built for x86_64, x86 and x32: every input that can tell
 * two programs apart is tried. (size_t)-1 when the corpus file is absent. */
static size_t differences(const char *const *caps, unsigned major_a, unsigned minor_a,
			  unsigned major_b, unsigned minor_b)
{
	const struct sf_arch *arches[] = {sf_arch_find("x86_64"), sf_arch_find("x86"),
					  sf_arch_find("x32")};
	struct sf_profile *d = docker_default(), *p, *rp, *rd;
	if (!d)
		return (size_t)-1;
	p = builtin("@runtime-default");
	rp = resolve(p, "x86_64", caps, major_a, minor_a);
	rd = resolve(d, "x86_64", caps, major_b, minor_b);
	struct cmp c = {.a = policy(rp, arches, 3),
			.b = policy(rd, arches, 3),
			.quiet = major_a != major_b || minor_a != minor_b};
	assert_int_equal(sf_policy_vectors2(c.a, c.b, on_vector, &c), 0);
	assert_true(c.n > 1000);
	sf_policy_free((struct sf_policy *)c.a);
	sf_policy_free((struct sf_policy *)c.b);
	sf_profile_free(rp);
	sf_profile_free(rd);
	sf_profile_free(p);
	sf_profile_free(d);
	return c.ndiff;
}

static void same_meaning(const char *const *caps, unsigned major, unsigned minor)
{
	size_t n = differences(caps, major, minor, major, minor);
	if (n == (size_t)-1)
		skip();
	assert_int_equal(n, 0);
}

static void test_runtime_default_means_docker_default(void **state)
{
	same_meaning(NULL, 6, 1);
}

static void test_runtime_default_means_docker_default_with_sys_admin(void **state)
{
	const char *caps[32];
	size_t n = 0;
	for (const char *const *c = sf_docker_default_caps; *c; c++)
		caps[n++] = *c;
	caps[n++] = "CAP_SYS_ADMIN";
	caps[n] = NULL;
	same_meaning(caps, 6, 1);
}

static void test_runtime_default_means_docker_default_on_kernel_4_4(void **state)
{
	same_meaning(NULL, 4, 4);
}

/* The comparison has teeth: another kernel is told apart (ptrace and process_vm_*v). */
static void test_emulation_tells_kernel_4_4_from_6_1(void **state)
{
	size_t n = differences(NULL, 4, 4, 6, 1);
	if (n == (size_t)-1)
		skip();
	assert_true(n > 0);
}

static uint32_t eval_x86_64(const struct sf_profile *resolved, const char *name)
{
	const struct sf_arch *x86_64 = sf_arch_find("x86_64");
	struct sf_policy *pol = policy(resolved, &x86_64, 1);
	struct seccomp_data d = {.arch = x86_64->audit_arch,
				 .nr = (int)sf_syscall_nr(x86_64, name)};
	uint32_t ret = sf_policy_eval(pol, &d);
	sf_policy_free(pol);
	return ret;
}

/* ptrace (with process_vm_readv/writev) is allowed from kernel 4.8 on (its minKernel rule), and
 * before that only with CAP_SYS_PTRACE (its caps rule). */
static void test_ptrace_follows_min_kernel_4_8(void **state)
{
	static const char *const names[] = {"ptrace", "process_vm_readv", "process_vm_writev"};
	const char *with_ptrace[32];
	size_t n = 0;
	for (const char *const *c = sf_docker_default_caps; *c; c++)
		with_ptrace[n++] = *c;
	with_ptrace[n++] = "CAP_SYS_PTRACE";
	with_ptrace[n] = NULL;

	struct sf_profile *p = builtin("@runtime-default");
	struct sf_profile *new = resolve(p, "x86_64", NULL, 6, 1);
	struct sf_profile *edge = resolve(p, "x86_64", NULL, 4, 8);
	struct sf_profile *old = resolve(p, "x86_64", NULL, 4, 4);
	struct sf_profile *old_cap = resolve(p, "x86_64", with_ptrace, 4, 4);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		assert_int_equal(eval_x86_64(new, names[i]), SECCOMP_RET_ALLOW);
		assert_int_equal(eval_x86_64(edge, names[i]), SECCOMP_RET_ALLOW);
		assert_int_equal(eval_x86_64(old, names[i]), SECCOMP_RET_ERRNO | EPERM);
		assert_int_equal(eval_x86_64(old_cap, names[i]), SECCOMP_RET_ALLOW);
	}
	/* Resolution drops the rule itself: no ptrace in the 4.4 profile at all. */
	for (size_t i = 0; i < old->nrules; i++)
		for (size_t j = 0; j < old->rules[i].nnames; j++)
			assert_string_not_equal(old->rules[i].names[j], "ptrace");
	sf_profile_free(new);
	sf_profile_free(edge);
	sf_profile_free(old);
	sf_profile_free(old_cap);
	sf_profile_free(p);
}

/* The architectures @audit and @deny-all list: the native one and its 32-bit companions. */
static void assert_native_arches(const struct sf_profile *p)
{
	const struct sf_arch *native = sf_arch_native();
	const char *want[3] = {native->scmp_name};
	size_t n = 1;

	if (strcmp(native->name, "x86_64") == 0) {
		want[n++] = "SCMP_ARCH_X86";
		want[n++] = "SCMP_ARCH_X32";
	} else if (strcmp(native->name, "aarch64") == 0) {
		want[n++] = "SCMP_ARCH_ARM";
	}
	assert_int_equal(p->narchitectures, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(p->architectures[i], want[i]);
}

/* Every syscall of every listed arch gets the expected outcome, but those named in except. */
static void assert_outcome(const struct sf_profile *p, uint32_t want, const char *const *except,
			   uint32_t except_want)
{
	struct sf_policy *pol = policy(p, NULL, 0);
	size_t checked = 0;

	for (size_t a = 0; a < sf_policy_narches(pol); a++) {
		const struct sf_arch *arch = sf_policy_arch(pol, a);
		for (size_t i = 0; i < sf_syscall_count(); i++) {
			long nr = sf_syscall_nr_at(arch, i);
			bool is_except = false;
			if (nr < 0)
				continue;
			for (const char *const *e = except; e && *e; e++)
				is_except |= strcmp(*e, sf_syscall_name_at(i)) == 0;
			struct seccomp_data d = {.arch = arch->audit_arch, .nr = (int)nr};
			memset(d.args, 0xa5, sizeof(d.args));
			uint32_t got = sf_policy_eval(pol, &d);
			if (got != (is_except ? except_want : want))
				fail_msg("%s %s: %#x", arch->name, sf_syscall_name_at(i), got);
			checked++;
		}
	}
	assert_true(checked > 300);
	sf_policy_free(pol);
}

/* @unconfined: Kubernetes' Unconfined, no filter; as a profile, ALLOW and nothing else. */
static void test_unconfined_allows_everything(void **state)
{
	struct sf_profile *p = builtin("@unconfined");
	assert_int_equal(p->default_action, SF_ACT_ALLOW);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->narchitectures, 0);
	assert_int_equal(p->narchmap, 0);
	assert_outcome(p, SECCOMP_RET_ALLOW, NULL, 0);
	sf_profile_free(p);
}

/* @audit: every syscall of the native arch and its companions is allowed and logged. */
static void test_audit_logs_everything(void **state)
{
	struct sf_profile *p = builtin("@audit");
	assert_int_equal(p->default_action, SF_ACT_LOG);
	assert_int_equal(p->nrules, 0);
	assert_native_arches(p);
	assert_outcome(p, SECCOMP_RET_LOG, NULL, 0);
	sf_profile_free(p);
}

/* @deny-all: EPERM for everything but exit and exit_group. */
static void test_deny_all_allows_only_exit(void **state)
{
	static const char *const exits[] = {"exit", "exit_group", NULL};
	struct sf_profile *p = builtin("@deny-all");
	assert_int_equal(p->default_action, SF_ACT_ERRNO);
	assert_true(p->has_default_errno);
	assert_int_equal(p->default_errno, EPERM);
	assert_native_arches(p);
	assert_int_equal(p->nrules, 1);
	assert_int_equal(p->rules[0].action, SF_ACT_ALLOW);
	assert_outcome(p, SECCOMP_RET_ERRNO | EPERM, exits, SECCOMP_RET_ALLOW);
	sf_profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_builtin_reads_and_checks),
	    cmocka_unit_test(test_unknown_name_lists_the_builtins),
	    cmocka_unit_test(test_builtins_are_owned_by_the_caller),
	    cmocka_unit_test(test_runtime_default_is_unresolved),
	    cmocka_unit_test(test_runtime_default_text_is_canonical),
	    cmocka_unit_test(test_runtime_default_states_the_corpus_file),
	    cmocka_unit_test(test_runtime_default_means_docker_default),
	    cmocka_unit_test(test_runtime_default_means_docker_default_with_sys_admin),
	    cmocka_unit_test(test_runtime_default_means_docker_default_on_kernel_4_4),
	    cmocka_unit_test(test_emulation_tells_kernel_4_4_from_6_1),
	    cmocka_unit_test(test_ptrace_follows_min_kernel_4_8),
	    cmocka_unit_test(test_unconfined_allows_everything),
	    cmocka_unit_test(test_audit_logs_everything),
	    cmocka_unit_test(test_deny_all_allows_only_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
