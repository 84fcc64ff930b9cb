/*
 * Unit tests of the recording model (lib/record/record.c) and of the union of profiles
 * (lib/profile/merge.c): counts and first executable per (ABI, number), x32 and unknown ABIs,
 * argument value sets and their threshold, what a base profile already allows, the profile
 * written from a recording (deterministic, and meaning what was recorded), and which profiles
 * merge into what.
 */
#include <errno.h>
#include <linux/sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sysfence/arch.h>
#include <sysfence/compile.h>
#include <sysfence/profile.h>
#include <sysfence/record.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct sf_arch *arch(const char *name)
{
	const struct sf_arch *a = sf_arch_find(name);
	assert_non_null(a);
	return a;
}

/* One call of name on ABI abi (x32 numbers carry their bit), with arguments. */
static void add(struct sf_recording *r, const char *abi, const char *name, uint64_t a0, uint64_t a1)
{
	const struct sf_arch *a = arch(abi);
	long nr = sf_syscall_nr(a, name);
	assert_true(nr >= 0);
	struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch, .args = {a0, a1}};
	assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
}

static const struct sf_recorded_call *find(struct sf_recording *r, const char *abi,
					   const char *name)
{
	const struct sf_recorded_call *c;
	size_t n = sf_recording_calls(r, &c);
	for (size_t i = 0; i < n; i++)
		if (c[i].abi == arch(abi) && c[i].name && strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

static struct sf_recording *recording(bool args, unsigned max, const struct sf_policy *base)
{
	struct sf_recording *r = sf_recording_new();
	assert_non_null(r);
	struct sf_record_opts o = {.args = args, .args_max = max, .base = base};
	sf_recording_set_opts(r, &o);
	return r;
}

static struct sf_profile *profile_of(struct sf_recording *r, uint32_t errno_ret)
{
	struct sf_record_profile_opts o = {.errno_ret = errno_ret,
					   .runtime_names = sf_record_runtime_names,
					   .runtime_comment = sf_record_runtime_comment};
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	if (sf_recording_profile(r, &o, &p, &err) < 0)
		fail_msg("profile: %s", err.msg);
	return p;
}

static char *text(const struct sf_profile *p)
{
	struct sf_buf b = {0};
	struct sf_error err = {0};
	if (sf_profile_write(p, SF_OUT_JSON, &b, &err) < 0)
		fail_msg("write: %s", err.msg);
	return b.data;
}

static struct sf_policy *policy(const struct sf_profile *p)
{
	struct sf_policy *pol = NULL;
	struct sf_error err = {0};
	if (sf_policy_build(p, NULL, &pol, NULL, &err) < 0)
		fail_msg("policy: %s", err.msg);
	return pol;
}

/* The outcome of name(a0, a1) on abi under pol. */
static uint32_t eval(const struct sf_policy *pol, const char *abi, const char *name, uint64_t a0,
		     uint64_t a1)
{
	const struct sf_arch *a = arch(abi);
	struct seccomp_data d = {
	    .nr = (int)sf_syscall_nr(a, name), .arch = a->audit_arch, .args = {a0, a1}};
	return sf_policy_eval(pol, &d);
}

static struct sf_profile *parse(const char *name, const char *json)
{
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	if (sf_profile_parse(name, json, strlen(json), SF_DOC_JSON, NULL, &p, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	return p;
}

static struct sf_profile *runtime_default(void)
{
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = {0};
	struct sf_target t = {0};
	if (sf_profile_builtin("@runtime-default", &p, &err) < 0 ||
	    sf_profile_resolve(p, &t, &r, &err) < 0)
		fail_msg("@runtime-default: %s", err.msg);
	sf_profile_free(p);
	return r;
}

/* ---- counting -------------------------------------------------------------------------- */

static void test_counts_and_first_executable(void **state)
{
	(void)state;
	struct sf_recording *r = recording(false, 0, NULL);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;

	for (int i = 0; i < 1000; i++)
		add(r, "x86_64", "getppid", 0, 0);
	add(r, "x86_64", "read", 0, 0);
	assert_int_equal(sf_recording_total(r), 1001);
	const struct sf_recorded_call *c = find(r, "x86_64", "getppid");
	assert_non_null(c);
	assert_int_equal(c->count, 1000);
	assert_int_equal(c->needed, 1000); /* no base: every call is needed */
	assert_string_equal(c->exe, self);
	assert_true(c->first >= 0 && c->first < 60);
	assert_int_equal(c->arg_kind, SF_RECORD_ARG_NONE);
	double first = c->first; /* c is valid until the next sf_recording_calls */
	assert_true(find(r, "x86_64", "read")->first >= first);
	sf_recording_free(r);
}

static void test_each_abi_is_its_own(void **state)
{
	(void)state;
	struct sf_recording *r = recording(false, 0, NULL);
	add(r, "x86_64", "read", 0, 0);
	add(r, "x86", "read", 0, 0);
	add(r, "x86", "read", 0, 0);
	add(r, "x86", "set_thread_area", 0, 0);
	/* The same name, two numbers: 0 on x86_64, 3 on i386. */
	assert_int_equal(find(r, "x86_64", "read")->nr, 0);
	assert_int_equal(find(r, "x86_64", "read")->count, 1);
	assert_int_equal(find(r, "x86", "read")->nr, 3);
	assert_int_equal(find(r, "x86", "read")->count, 2);
	assert_null(find(r, "x86_64", "set_thread_area"));

	struct sf_profile *p = profile_of(r, 0);
	assert_int_equal(p->narchitectures, 2);
	assert_string_equal(p->architectures[0], "SCMP_ARCH_X86_64");
	assert_string_equal(p->architectures[1], "SCMP_ARCH_X86");
	sf_profile_free(p);
	sf_recording_free(r);
}

static void test_x32_bit_makes_x32_calls(void **state)
{
	(void)state;
	struct sf_recording *r = recording(false, 0, NULL);
	/* x32 calls arrive with AUDIT_ARCH_X86_64 and bit 30 set in the number. */
	struct seccomp_data d = {.nr = 0x40000000 | 39, .arch = arch("x86_64")->audit_arch};
	assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
	const struct sf_recorded_call *c = find(r, "x32", "getpid");
	assert_non_null(c);
	assert_int_equal(c->nr, 0x40000000 | 39);
	assert_null(find(r, "x86_64", "getpid"));
	struct sf_profile *p = profile_of(r, 0);
	bool x32 = false;
	for (size_t i = 0; i < p->narchitectures; i++)
		x32 |= strcmp(p->architectures[i], "SCMP_ARCH_X32") == 0;
	assert_true(x32);
	sf_profile_free(p);
	sf_recording_free(r);
}

static void test_unknown_abi_is_counted_not_written(void **state)
{
	(void)state;
	struct sf_recording *r = recording(false, 0, NULL);
	struct seccomp_data d = {.nr = 1, .arch = 0x12345678};
	uint32_t first = 0;
	assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
	assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
	assert_int_equal(sf_recording_unknown_abi(r, &first), 2);
	assert_int_equal(first, 0x12345678);
	const struct sf_recorded_call *c;
	assert_int_equal(sf_recording_calls(r, &c), 0);
	/* A number without a name on a known ABI: listed, but cannot be written. */
	struct seccomp_data u = {.nr = 4000, .arch = arch("x86_64")->audit_arch};
	assert_int_equal(sf_recording_add(r, &u, getpid()), 0);
	assert_int_equal(sf_recording_calls(r, &c), 1);
	assert_null(c[0].name);
	struct sf_profile *p = profile_of(r, 0);
	char *t = text(p);
	assert_null(strstr(t, "4000"));
	free(t);
	sf_profile_free(p);
	sf_recording_free(r);
}

/* ---- argument values --------------------------------------------------------------------- */

static void test_args_keep_distinct_values_per_abi(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	add(r, "x86_64", "socket", 2, 1);
	add(r, "x86_64", "socket", 10, 1);
	add(r, "x86_64", "socket", 2, 2);
	add(r, "x86", "socket", 1, 1);
	add(r, "x86_64", "ioctl", 1, 0x5401);
	add(r, "x86_64", "prctl", 38, 1);
	add(r, "x86_64", "personality", 0xffffffff, 0);
	add(r, "x86_64", "read", 7, 7);

	const struct sf_recorded_call *c = find(r, "x86_64", "socket");
	assert_int_equal(c->arg_kind, SF_RECORD_ARG_INT);
	assert_int_equal(c->arg_index, 0);
	assert_int_equal(c->nvalues, 2);
	assert_int_equal(c->values[0].value, 2);
	assert_int_equal(c->values[0].count, 2);
	assert_int_equal(c->values[1].value, 10);
	assert_int_equal(c->values[1].count, 1);
	c = find(r, "x86", "socket");
	assert_int_equal(c->nvalues, 1);
	assert_int_equal(c->values[0].value, 1);
	c = find(r, "x86_64", "ioctl");
	assert_int_equal(c->arg_index, 1);
	assert_int_equal(c->values[0].value, 0x5401);
	assert_int_equal(find(r, "x86_64", "prctl")->values[0].value, 38);
	assert_int_equal(find(r, "x86_64", "personality")->values[0].value, 0xffffffff);
	assert_int_equal(find(r, "x86_64", "read")->arg_kind, SF_RECORD_ARG_NONE);
	assert_int_equal(find(r, "x86_64", "read")->nvalues, 0);
	sf_recording_free(r);
}

static void test_args_int_compares_the_low_32_bits(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	/* An int request passed sign-extended (musl's ioctl), and the same zero-extended. */
	add(r, "x86_64", "ioctl", 1, 0xffffffff802c542aULL);
	const struct sf_recorded_call *c = find(r, "x86_64", "ioctl");
	assert_int_equal(c->nvalues, 1);
	assert_int_equal(c->values[0].value, 0x802c542aULL);
	assert_true(c->values[0].wide);
	add(r, "x86_64", "ioctl", 1, 0x5401);
	c = find(r, "x86_64", "ioctl");
	assert_false(c->values[0].wide);

	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	/* Both spellings of the wide value run; the zero-extended value is exact. */
	assert_int_equal(eval(pol, "x86_64", "ioctl", 1, 0xffffffff802c542aULL), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "ioctl", 1, 0x802c542aULL), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "ioctl", 1, 0x5401), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "ioctl", 1, 0x5402), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "ioctl", 1, 0x100005401ULL),
			 SECCOMP_RET_ERRNO | EPERM);
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);
}

static void test_args_clone_keeps_namespace_flags(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	/* pthread_create's flags, and a fork with CLONE_NEWNET: only namespace bits are kept. */
	add(r, "x86_64", "clone", 0x3d0f00, 0);
	add(r, "x86_64", "clone", 0x01200011 | 0x40000000, 0);
	const struct sf_recorded_call *c = find(r, "x86_64", "clone");
	assert_int_equal(c->arg_kind, SF_RECORD_ARG_NS_FLAGS);
	assert_int_equal(c->nvalues, 2);
	assert_int_equal(c->values[0].value, 0);
	assert_int_equal(c->values[1].value, 0x40000000);

	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x1200011, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x40000011, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x10000011, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x50000011, 0), SECCOMP_RET_ERRNO | EPERM);
	/* Docker's form: MASKED_EQ over the namespace mask. */
	bool masked = false;
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].nargs && !strcmp(p->rules[i].names[0], "clone"))
			masked = p->rules[i].args[0].op == SF_OP_MASKED_EQ &&
				 p->rules[i].args[0].value == 0x7E020000ULL;
	assert_true(masked);
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);
}

static void add_clone3(struct sf_recording *r, const struct clone_args *ca, size_t size)
{
	const struct sf_arch *a = arch("x86_64");
	struct seccomp_data d = {.nr = (int)sf_syscall_nr(a, "clone3"),
				 .arch = a->audit_arch,
				 .args = {(uint64_t)(uintptr_t)ca, size}};
	assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
}

static void test_args_clone3_flags_read_from_memory(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	struct clone_args ca = {.flags = CLONE_VM | CLONE_FS | CLONE_NEWUTS};
	add_clone3(r, &ca, sizeof(ca));
	const struct sf_recorded_call *c = find(r, "x86_64", "clone3");
	assert_int_equal(c->arg_kind, SF_RECORD_ARG_CLONE3);
	assert_false(c->no_fallback);
	assert_int_equal(c->nvalues, 1);
	assert_int_equal(c->values[0].value, CLONE_NEWUTS);

	add(r, "x86_64", "socket", 2, 0);
	add(r, "x86_64", "brk", 0, 0);
	/* clone3 gets ENOSYS; clone, never called, is allowed with clone3's flags, its rule in
	 * name order with the other value rules. */
	struct sf_profile *p = profile_of(r, 0);
	assert_string_equal(p->rules[0].names[0], "brk");
	assert_string_equal(p->rules[1].names[0], "clone");
	assert_string_equal(p->rules[2].names[0], "socket");
	assert_string_equal(p->rules[3].names[0], "clone3");
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	assert_int_equal(eval(pol, "x86_64", "clone", CLONE_NEWUTS | 0x11, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x11, 0), SECCOMP_RET_ERRNO | EPERM);
	sf_policy_free(pol);
	sf_profile_free(p);
	/* With ENOSYS as the default, no rule is needed (nor accepted by libseccomp). */
	p = profile_of(r, ENOSYS);
	for (size_t i = 0; i < p->nrules; i++)
		assert_int_not_equal(p->rules[i].action, SF_ACT_ERRNO);
	sf_profile_free(p);
	sf_recording_free(r);
}

static void test_args_clone3_without_fallback_is_allowed_plainly(void **state)
{
	(void)state;
	/* CLONE_NEWTIME sits in clone's signal byte: clone cannot express it. */
	struct sf_recording *r = recording(true, 0, NULL);
	struct clone_args ca = {.flags = CLONE_NEWTIME};
	add_clone3(r, &ca, sizeof(ca));
	assert_true(find(r, "x86_64", "clone3")->no_fallback);
	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "clone3", 0, 0), SECCOMP_RET_ALLOW);
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);

	/* Memory that cannot be read, and a struct too small: the same. */
	r = recording(true, 0, NULL);
	add_clone3(r, (const struct clone_args *)(uintptr_t)8, 88);
	assert_true(find(r, "x86_64", "clone3")->no_fallback);
	sf_recording_free(r);
	r = recording(true, 0, NULL);
	add_clone3(r, &ca, 16);
	assert_true(find(r, "x86_64", "clone3")->no_fallback);
	sf_recording_free(r);
}

static void test_args_threshold_falls_back_to_plain_allow(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	for (uint64_t v = 0; v < SF_RECORD_ARGS_MAX; v++)
		add(r, "x86_64", "prctl", v, 0);
	assert_false(find(r, "x86_64", "prctl")->too_many);
	assert_int_equal(find(r, "x86_64", "prctl")->nvalues, SF_RECORD_ARGS_MAX);
	add(r, "x86_64", "prctl", 3, 0); /* seen before: still 16 */
	assert_false(find(r, "x86_64", "prctl")->too_many);
	add(r, "x86_64", "prctl", 1000, 0);
	const struct sf_recorded_call *c = find(r, "x86_64", "prctl");
	assert_true(c->too_many);
	assert_int_equal(c->nvalues, 0);
	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "prctl", 123456, 0), SECCOMP_RET_ALLOW);
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);

	/* A lower threshold. */
	r = recording(true, 2, NULL);
	add(r, "x86_64", "socket", 1, 0);
	add(r, "x86_64", "socket", 2, 0);
	assert_false(find(r, "x86_64", "socket")->too_many);
	add(r, "x86_64", "socket", 10, 0);
	assert_true(find(r, "x86_64", "socket")->too_many);
	sf_recording_free(r);
}

/* A plain-allowed name on one ABI and values on another: a plain allow (rules name no ABI). */
static void test_args_values_of_every_abi_are_united(void **state)
{
	(void)state;
	struct sf_recording *r = recording(true, 0, NULL);
	add(r, "x86_64", "socket", 2, 0);
	add(r, "x86", "socket", 10, 0);
	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "socket", 10, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86", "socket", 2, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "socket", 16, 0), SECCOMP_RET_ERRNO | EPERM);
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);
}

/* ---- the profile --------------------------------------------------------------------------- */

static void test_profile_is_deterministic_and_ordered(void **state)
{
	(void)state;
	struct sf_recording *a = recording(true, 0, NULL), *b = recording(true, 0, NULL);
	add(a, "x86_64", "socket", 10, 0);
	add(a, "x86_64", "write", 0, 0);
	add(a, "x86_64", "socket", 2, 0);
	add(a, "x86_64", "brk", 0, 0);
	add(b, "x86_64", "brk", 0, 0);
	add(b, "x86_64", "socket", 2, 0);
	add(b, "x86_64", "write", 0, 0);
	add(b, "x86_64", "socket", 10, 0);
	add(b, "x86_64", "socket", 10, 0);
	struct sf_profile *pa = profile_of(a, 0), *pb = profile_of(b, 0);
	char *ta = text(pa), *tb = text(pb);
	assert_string_equal(ta, tb);
	/* names sorted in the first rule, then one rule per value ascending, then the runtime's */
	assert_string_equal(pa->rules[0].names[0], "brk");
	assert_string_equal(pa->rules[0].names[1], "write");
	assert_int_equal(pa->rules[0].nnames, 2);
	assert_string_equal(pa->rules[1].names[0], "socket");
	assert_int_equal(pa->rules[1].args[0].value, 2);
	assert_int_equal(pa->rules[1].args[0].op, SF_OP_EQ);
	assert_int_equal(pa->rules[2].args[0].value, 10);
	assert_string_equal(pa->rules[3].names[0], "close");
	assert_string_equal(pa->rules[3].names[1], "execve");
	assert_non_null(pa->rules[3].comment);
	/* The profile reads back and checks without an error. */
	struct sf_profile *back = parse("back.json", ta);
	struct sf_findings f;
	sf_findings_init(&f, "back.json");
	sf_profile_check(back, 0, &f);
	assert_int_equal(f.nerrors, 0);
	sf_findings_clear(&f);
	sf_profile_free(back);
	free(ta);
	free(tb);
	sf_profile_free(pa);
	sf_profile_free(pb);
	sf_recording_free(a);
	sf_recording_free(b);
}

static void test_profile_comment_goes_on_the_first_rule(void **state)
{
	(void)state;
	struct sf_recording *r = recording(false, 0, NULL);
	add(r, "x86_64", "read", 0, 0);
	struct sf_record_profile_opts o = {.comment = "beyond @x"};
	struct sf_profile *p = NULL;
	struct sf_error err = {0};
	assert_int_equal(sf_recording_profile(r, &o, &p, &err), 0);
	assert_string_equal(p->rules[0].comment, "beyond @x");
	sf_profile_free(p);
	sf_recording_free(r);
}

/* ---- a base profile ---------------------------------------------------------------------- */

static void test_base_filters_what_it_allows(void **state)
{
	(void)state;
	struct sf_profile *base = runtime_default();
	struct sf_policy *bpol = policy(base);
	struct sf_recording *r = recording(true, 0, bpol);

	add(r, "x86_64", "read", 0, 0);		  /* allowed by the base */
	add(r, "x86_64", "keyctl", 9999, 0);	  /* refused by the base */
	add(r, "x86_64", "socket", 2, 1);	  /* AF_INET: allowed */
	add(r, "x86_64", "socket", 40, 1);	  /* AF_VSOCK: refused by Docker's rule */
	add(r, "x86_64", "clone", 0x1200011, 0);  /* a fork: allowed */
	add(r, "x86_64", "clone", 0x10000011, 0); /* CLONE_NEWUSER: refused */
	struct clone_args plain = {.flags = CLONE_VM};
	add_clone3(r, &plain, sizeof(plain)); /* ENOSYS, then clone without namespaces: covered */
	struct clone_args userns = {.flags = CLONE_NEWUSER};
	add_clone3(r, &userns, sizeof(userns)); /* ENOSYS, then clone refused: needed */

	assert_int_equal(find(r, "x86_64", "read")->count, 1);
	assert_int_equal(find(r, "x86_64", "read")->needed, 0);
	assert_int_equal(find(r, "x86_64", "keyctl")->needed, 1);
	const struct sf_recorded_call *c = find(r, "x86_64", "socket");
	assert_int_equal(c->count, 2);
	assert_int_equal(c->needed, 1);
	assert_int_equal(c->nvalues, 1);
	assert_int_equal(c->values[0].value, 40);
	c = find(r, "x86_64", "clone3");
	assert_int_equal(c->count, 2);
	assert_int_equal(c->needed, 1);
	assert_int_equal(c->values[0].value, CLONE_NEWUSER);

	/* The profile has nothing the base allows; with the base, everything recorded runs. */
	struct sf_profile *p = profile_of(r, 0);
	struct sf_policy *pol = policy(p);
	assert_int_equal(eval(pol, "x86_64", "read", 0, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "socket", 2, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "socket", 40, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "keyctl", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "clone", 0x10000011, 0), SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; j < p->rules[i].nnames; j++) {
			const char *n = p->rules[i].names[j];
			/* the runtime's close and execve: the base allows them, so none added */
			assert_true(strcmp(n, "close") && strcmp(n, "execve") && strcmp(n, "read"));
		}
	sf_policy_free(pol);
	sf_profile_free(p);
	sf_recording_free(r);
	sf_policy_free(bpol);
	sf_profile_free(base);
}

/* ---- merge ------------------------------------------------------------------------------- */

struct union_ctx {
	const struct sf_policy *m, *const *in;
	size_t n, checked;
};

static bool runs(uint32_t ret)
{
	return (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW ||
	       (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_LOG;
}

static int union_vector(const struct seccomp_data *d, void *ctx)
{
	struct union_ctx *u = ctx;
	bool any = false;
	for (size_t i = 0; i < u->n; i++)
		any |= runs(sf_policy_eval(u->in[i], d));
	u->checked++;
	return any != runs(sf_policy_eval(u->m, d));
}

/* m allows exactly what one of in allows, on every vector of all (read for m's targets). */
static void assert_union(const struct sf_profile *m, struct sf_profile *const *in, size_t n)
{
	const struct sf_arch *targets[8] = {sf_arch_native()};
	size_t nt = 1;
	for (size_t i = 0; i < m->narchitectures; i++) {
		const struct sf_arch *a = arch(m->architectures[i]);
		bool dup = false;
		for (size_t k = 0; k < nt; k++)
			dup |= targets[k] == a;
		if (!dup)
			targets[nt++] = a;
	}
	struct sf_compile_opts o = {.arches = targets, .narches = nt};
	struct sf_policy *pm = NULL, *pi[8] = {0};
	struct sf_error err = {0};
	assert_int_equal(sf_policy_build(m, &o, &pm, NULL, &err), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sf_policy_build(in[i], &o, &pi[i], NULL, &err), 0);
	struct union_ctx u = {pm, (const struct sf_policy *const *)pi, n, 0};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sf_policy_vectors2(pm, pi[i], union_vector, &u), 0);
	assert_true(u.checked > 100);
	for (size_t i = 0; i < n; i++)
		sf_policy_free(pi[i]);
	sf_policy_free(pm);
}

static struct sf_profile *merge_ok(struct sf_profile *const *in, size_t n)
{
	struct sf_profile *m = NULL;
	struct sf_error err = {0};
	if (sf_profile_merge((const struct sf_profile *const *)in, NULL, n, &m, &err) < 0)
		fail_msg("merge: %s", err.msg);
	assert_union(m, in, n);
	return m;
}

static void merge_fails(struct sf_profile *const *in, size_t n, const char *what)
{
	struct sf_profile *m = NULL;
	struct sf_error err = {0};
	if (sf_profile_merge((const struct sf_profile *const *)in, NULL, n, &m, &err) != -EINVAL)
		fail_msg("merge did not fail (expected \"%s\")", what);
	assert_null(m);
	if (!strstr(err.msg, what))
		fail_msg("expected \"%s\" in: %s", what, err.msg);
	assert_true(err.file[0] != 0);
}

#define ALLOWLIST(arches, rules)                                                                   \
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [" arches "], "                \
	"\"syscalls\": [" rules "]}"

static void test_merge_unites_names_and_architectures(void **state)
{
	(void)state;
	struct sf_profile *in[2] = {
	    parse("a.json",
		  ALLOWLIST("\"SCMP_ARCH_X86_64\"",
			    "{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}")),
	    parse("b.json",
		  ALLOWLIST("\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"",
			    "{\"names\": [\"close\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"}")),
	};
	struct sf_profile *m = merge_ok(in, 2);
	assert_int_equal(m->narchitectures, 2);
	assert_string_equal(m->architectures[1], "SCMP_ARCH_X86");
	assert_int_equal(m->nrules, 1);
	assert_int_equal(m->rules[0].nnames, 3);
	assert_string_equal(m->rules[0].names[0], "close");
	assert_string_equal(m->rules[0].names[1], "read");
	assert_string_equal(m->rules[0].names[2], "write");
	/* The same inputs in another order: the same bytes. */
	struct sf_profile *rev[2] = {in[1], in[0]}, *m2 = merge_ok(rev, 2);
	char *t1 = text(m), *t2 = text(m2);
	assert_string_equal(strstr(t1, "\"syscalls\""), strstr(t2, "\"syscalls\""));
	free(t1);
	free(t2);
	sf_profile_free(m2);
	sf_profile_free(m);
	sf_profile_free(in[0]);
	sf_profile_free(in[1]);
}

static void test_merge_argument_rules(void **state)
{
	(void)state;
	/* Conditional allows of two inputs are united; an unconditional allow wins over them; an
	 * argument rule only one input has is copied as it is. */
	struct sf_profile *in[3] = {
	    parse("a.json",
		  ALLOWLIST(
		      "\"SCMP_ARCH_X86_64\"",
		      "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		      "[{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
		      "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		      "[{\"index\": 1, \"value\": 21505, \"op\": \"SCMP_CMP_EQ\"}]},"
		      "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		      "[{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}")),
	    parse("b.json",
		  ALLOWLIST("\"SCMP_ARCH_X86_64\"",
			    "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			    "[{\"index\": 0, \"value\": 10, \"op\": \"SCMP_CMP_EQ\"}]},"
			    "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			    "[{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]},"
			    "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\"}")),
	    parse(
		"c.json",
		ALLOWLIST(
		    "\"SCMP_ARCH_X86_64\"",
		    "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}")),
	};
	struct sf_profile *m = merge_ok(in, 3);
	size_t socket_rules = 0;
	for (size_t i = 0; i < m->nrules; i++)
		if (!strcmp(m->rules[i].names[0], "socket"))
			socket_rules++;
	assert_int_equal(socket_rules, 2); /* 2 once, 10 */
	struct sf_policy *pol = policy(m);
	assert_int_equal(eval(pol, "x86_64", "ioctl", 0, 1), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "personality", 8, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "personality", 9, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	sf_policy_free(pol);
	sf_profile_free(m);
	for (int i = 0; i < 3; i++)
		sf_profile_free(in[i]);
}

static void test_merge_with_runtime_default(void **state)
{
	(void)state;
	struct sf_profile *in[2] = {
	    runtime_default(),
	    parse(
		"rec.json",
		ALLOWLIST("\"SCMP_ARCH_X86_64\"",
			  "{\"names\": [\"keyctl\", \"clone3\"], \"action\": \"SCMP_ACT_ALLOW\"}")),
	};
	struct sf_profile *m = merge_ok(in, 2);
	struct sf_policy *pol = policy(m);
	/* The recording's unconditional allow of clone3 wins over the base's ENOSYS. */
	assert_int_equal(eval(pol, "x86_64", "clone3", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "keyctl", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "socket", 40, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86_64", "socket", 2, 0), SECCOMP_RET_ALLOW);
	sf_policy_free(pol);
	sf_profile_free(m);
	sf_profile_free(in[0]);
	sf_profile_free(in[1]);
}

static void test_merge_refuses_what_has_no_exact_union(void **state)
{
	(void)state;
	struct sf_profile *allow = parse("allow.json", ALLOWLIST("", ""));
	struct sf_profile *deny = parse("deny.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	struct sf_profile *enosys = parse("enosys.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
							 "\"defaultErrnoRet\": 38}");
	struct sf_profile *flags =
	    parse("flags.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": "
				"[\"SECCOMP_FILTER_FLAG_LOG\"]}");
	struct sf_profile *inc = parse(
	    "inc.json",
	    ALLOWLIST("", "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": "
			  "{\"caps\": [\"CAP_SYS_ADMIN\"]}}"));
	struct sf_profile *r38 = parse(
	    "r38.json",
	    ALLOWLIST(
		"", "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38}"));
	struct sf_profile *kill = parse(
	    "kill.json",
	    ALLOWLIST("", "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}"));
	struct sf_profile *cond = parse(
	    "cond.json",
	    ALLOWLIST("", "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
			  "[{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}"));
	struct sf_profile *cref = parse(
	    "cref.json",
	    ALLOWLIST("",
		      "{\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38, "
		      "\"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"));

	struct sf_profile *v[2] = {allow, deny};
	merge_fails(v, 2, "only allowlists");
	v[1] = enosys;
	merge_fails(v, 2, "differs from");
	v[1] = flags;
	merge_fails(v, 2, "flags differ");
	v[1] = inc;
	merge_fails(v, 2, "resolve the profile first");
	v[0] = r38;
	v[1] = kill;
	merge_fails(v, 2, "cannot keep both");
	v[1] = cond;
	merge_fails(v, 2, "allowed here under conditions");
	v[0] = cond;
	v[1] = cref;
	merge_fails(v, 2, "conditional rule");
	/* One input alone keeps its refusals and conditions as they are. */
	v[0] = cref;
	struct sf_profile *m = merge_ok(v, 1);
	assert_int_equal(m->nrules, 1);
	assert_int_equal(m->rules[0].action, SF_ACT_ERRNO);
	sf_profile_free(m);
	v[0] = r38;
	v[1] = r38;
	m = merge_ok(v, 2);
	assert_int_equal(m->nrules, 1);
	sf_profile_free(m);

	struct sf_profile *all[] = {allow, deny, enosys, flags, inc, r38, kill, cond, cref};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sf_profile_free(all[i]);
}

static void test_merge_recordings(void **state)
{
	(void)state;
	/* Two recordings with --args: their union allows both workloads' calls. */
	struct sf_recording *a = recording(true, 0, NULL), *b = recording(true, 0, NULL);
	add(a, "x86_64", "socket", 2, 0);
	add(a, "x86_64", "read", 0, 0);
	add(b, "x86_64", "socket", 1, 0);
	add(b, "x86", "write", 0, 0);
	struct clone_args ca = {.flags = CLONE_VM};
	add_clone3(a, &ca, sizeof(ca));
	add_clone3(b, &ca, sizeof(ca));
	struct sf_profile *in[2] = {profile_of(a, 0), profile_of(b, 0)};
	struct sf_profile *m = merge_ok(in, 2);
	struct sf_policy *pol = policy(m);
	assert_int_equal(eval(pol, "x86_64", "socket", 1, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "socket", 2, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "socket", 16, 0), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(eval(pol, "x86", "write", 0, 0), SECCOMP_RET_ALLOW);
	assert_int_equal(eval(pol, "x86_64", "clone3", 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
	sf_policy_free(pol);
	sf_profile_free(m);
	sf_profile_free(in[0]);
	sf_profile_free(in[1]);
	sf_recording_free(a);
	sf_recording_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_and_first_executable),
	    cmocka_unit_test(test_each_abi_is_its_own),
	    cmocka_unit_test(test_x32_bit_makes_x32_calls),
	    cmocka_unit_test(test_unknown_abi_is_counted_not_written),
	    cmocka_unit_test(test_args_keep_distinct_values_per_abi),
	    cmocka_unit_test(test_args_int_compares_the_low_32_bits),
	    cmocka_unit_test(test_args_clone_keeps_namespace_flags),
	    cmocka_unit_test(test_args_clone3_flags_read_from_memory),
	    cmocka_unit_test(test_args_clone3_without_fallback_is_allowed_plainly),
	    cmocka_unit_test(test_args_threshold_falls_back_to_plain_allow),
	    cmocka_unit_test(test_args_values_of_every_abi_are_united),
	    cmocka_unit_test(test_profile_is_deterministic_and_ordered),
	    cmocka_unit_test(test_profile_comment_goes_on_the_first_rule),
	    cmocka_unit_test(test_base_filters_what_it_allows),
	    cmocka_unit_test(test_merge_unites_names_and_architectures),
	    cmocka_unit_test(test_merge_argument_rules),
	    cmocka_unit_test(test_merge_with_runtime_default),
	    cmocka_unit_test(test_merge_refuses_what_has_no_exact_union),
	    cmocka_unit_test(test_merge_recordings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
