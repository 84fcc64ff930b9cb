/*
 * The compiler: programs loaded into the real kernel behave as the profile says (every action,
 * argument rules, the i386 and x32 side doors), number-only allows stay cacheable by the kernel,
 * far jumps and the size limit are handled, and small profiles disassemble as recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <sysfence/sysfence.h>

static struct sf_profile *parse(const char *text)
{
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = { 0 };
	struct sf_target t = { .kernel_major = 6, .kernel_minor = 1 };
	if (sf_profile_parse("t.json", text, strlen(text), SF_DOC_JSON, NULL, &p, &err) < 0)
		fail_msg("parse: %s", err.msg);
	if (sf_profile_resolve(p, &t, &r, &err) < 0)
		fail_msg("resolve: %s", err.msg);
	sf_profile_free(p);
	return r;
}

static void compile(const char *text, const struct sf_compile_opts *o, struct sf_prog *prog)
{
	struct sf_profile *p = parse(text);
	struct sf_error err = { 0 };
	if (sf_bpf_compile(p, o, prog, NULL, &err) < 0)
		fail_msg("compile: %s", err.msg);
	sf_profile_free(p);
}

/* Outcome of one syscall made by a child under the program. */
struct outcome {
	int exited, status, sig; /* how the child ended */
	long ret;		 /* what the syscall returned (when it returned) */
	int err;		 /* errno */
	int trap_nr, trap_err, trapped;
};

static volatile sig_atomic_t trap_syscall = -1, trap_errno = -1;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	trap_syscall = si->si_syscall;
	trap_errno = si->si_errno;
}

typedef long (*syscall_fn)(void);

/* Fork; the child loads prog, makes the call, and writes what happened to a pipe. */
static struct outcome run_under(const struct sf_prog *prog, syscall_fn call)
{
	int fds[2];
	struct outcome o = { 0 };
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
		struct sock_fprog fp = { .len = (unsigned short)prog->len, .filter = prog->insns };
		struct outcome r = { 0 };
		close(fds[0]);
		sigaction(SIGSYS, &sa, NULL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(99);
		errno = 0;
		r.ret = call();
		r.err = errno;
		r.trapped = trap_syscall != -1;
		r.trap_nr = trap_syscall;
		r.trap_err = trap_errno;
		/* write and exit_group are allowed by every test profile */
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(98);
		_exit(0);
	}
	close(fds[1]);
	int st;
	ssize_t n = read(fds[0], &o, sizeof(o));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (n != sizeof(o))
		memset(&o, 0, sizeof(o));
	o.exited = WIFEXITED(st);
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	o.sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	return o;
}

#define BASE_ALLOW "\"read\",\"write\",\"exit\",\"exit_group\",\"rt_sigreturn\",\"rt_sigaction\""

static long do_mkdir(void)
{
	return syscall(SYS_mkdirat, AT_FDCWD, "/nonexistent-dir/x", 0700);
}

static long do_getppid(void)
{
	return syscall(SYS_getppid);
}

static void test_errno_with_custom_value(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdirat\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_mkdir);
	assert_true(o.exited);
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, EACCES);
	sf_prog_free(&prog);
}

static void test_errno_default_is_eperm(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdirat\"],"
		"\"action\":\"SCMP_ACT_ERRNO\"}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_mkdir);
	assert_int_equal(o.err, EPERM);
	sf_prog_free(&prog);
}

static void test_kill_process_and_kill_thread(void **state)
{
	static const char *const actions[] = { "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
					       "SCMP_ACT_KILL" };
	for (size_t i = 0; i < 3; i++) {
		char text[512];
		struct sf_prog prog;
		snprintf(text, sizeof(text),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			 "[\"getppid\"],\"action\":\"%s\"}]}",
			 actions[i]);
		compile(text, NULL, &prog);
		struct outcome o = run_under(&prog, do_getppid);
		assert_false(o.exited);
		assert_int_equal(o.sig, SIGSYS);
		sf_prog_free(&prog);
	}
}

static void test_trap_sets_si_syscall(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_TRAP\"}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_getppid);
	assert_true(o.exited);
	assert_true(o.trapped);
	assert_int_equal(o.trap_nr, SYS_getppid);
	sf_prog_free(&prog);
}

static void test_log_and_allow_run(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[" BASE_ALLOW
		"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_LOG\"}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_getppid);
	assert_true(o.exited);
	assert_int_equal(o.ret, getpid());
	o = run_under(&prog, do_mkdir);
	assert_int_equal(o.err, EPERM);
	sf_prog_free(&prog);
}

static void test_trace_without_tracer_is_enosys(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":5}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_getppid);
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, ENOSYS);
	sf_prog_free(&prog);
}

static long do_personality_query(void)
{
	return syscall(SYS_personality, 0xffffffffUL);
}

static long do_personality_8(void)
{
	return syscall(SYS_personality, 8UL);
}

static void test_argument_rules(void **state)
{
	struct sf_prog prog;
	compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":["
		"{\"names\":[" BASE_ALLOW "],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
		"\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_personality_query);
	assert_true(o.ret >= 0);
	o = run_under(&prog, do_personality_8);
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, EPERM);
	sf_prog_free(&prog);
}

/* i386 getppid (64) through int $0x80 from a 64-bit process: seccomp sees AUDIT_ARCH_I386. */
static long do_int80_getppid(void)
{
	long ret = 64;
	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static void test_i386_side_door(void **state)
{
	struct sf_prog prog;
	/* X86 listed: its rules judge the int $0x80 call: getppid refused there too. */
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77}]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_int80_getppid);
	assert_true(o.exited);
	assert_int_equal(o.err, 77);
	sf_prog_free(&prog);
	/* X86 not listed: the bad-arch action (KILL_THREAD by default). */
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		NULL, &prog);
	o = run_under(&prog, do_int80_getppid);
	assert_false(o.exited);
	assert_int_equal(o.sig, SIGSYS);
	sf_prog_free(&prog);
	/* --bad-arch ERRNO(38) */
	struct sf_compile_opts opts = { .has_bad_arch = true,
					.bad_arch_ret = SECCOMP_RET_ERRNO | 38 };
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
		&opts, &prog);
	o = run_under(&prog, do_int80_getppid);
	assert_true(o.exited);
	assert_int_equal(o.err, 38);
	sf_prog_free(&prog);
}

static long do_x32_getppid(void)
{
	return syscall(0x40000000 | SYS_getppid);
}

static void test_x32_numbers(void **state)
{
	struct sf_prog prog;
	/* No X32 in the profile: an x32 number gets the bad-arch action. */
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}",
		NULL, &prog);
	struct outcome o = run_under(&prog, do_x32_getppid);
	assert_int_equal(o.sig, SIGSYS);
	sf_prog_free(&prog);
	/* X32 listed and allowed: the filter lets it pass; this kernel has no x32 ABI. */
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X32\"]}",
		NULL, &prog);
	o = run_under(&prog, do_x32_getppid);
	assert_true(o.exited);
	assert_int_equal(o.err, ENOSYS);
	sf_prog_free(&prog);
	/* The verdict itself, by emulation: x32 getppid under a profile that refuses it. */
	compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
		"\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"getppid\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9}]}",
		NULL, &prog);
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64, .nr = 0x40000000 | SYS_getppid };
	uint32_t ret;
	assert_int_equal(sf_bpf_emulate(prog.insns, prog.len, &d, &ret, NULL, NULL), 0);
	assert_int_equal(ret, SECCOMP_RET_ERRNO | 9);
	d.nr = -1; /* a tracer skipping a call: passes to the rules */
	assert_int_equal(sf_bpf_emulate(prog.insns, prog.len, &d, &ret, NULL, NULL), 0);
	assert_int_equal(ret, SECCOMP_RET_ALLOW);
	sf_prog_free(&prog);
}

/*
 * The kernel's action cache (Linux >= 5.11) decides per (arch, nr) by following the program with
 * only arch and nr known: a syscall is cached as allowed when that path loads nothing else and
 * ends in RET ALLOW. Follow the same path here.
 */
static bool const_allow(const struct sf_prog *p, uint32_t arch, uint32_t nr)
{
	uint32_t A = 0;
	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->insns[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, arch))
				A = arch;
			else if (f->k == offsetof(struct seccomp_data, nr))
				A = nr;
			else
				return false;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += A == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += A > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += A >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += A & f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		default:
			return false;
		}
	}
	return false;
}

static void test_number_only_allows_are_cacheable(void **state)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	char path[4096];
	snprintf(path, sizeof(path), "%s/corpus/profiles/docker-default.json",
		 shared ? shared : "../shared");
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = { 0 };
	if (sf_profile_read(path, SF_DOC_AUTO, NULL, &p, &err) < 0) {
		print_message("skipped: %s\n", err.msg);
		skip();
	}
	struct sf_target t = { 0 };
	assert_int_equal(sf_profile_resolve(p, &t, &r, &err), 0);
	struct sf_prog prog;
	assert_int_equal(sf_bpf_compile(r, NULL, &prog, NULL, &err), 0);
	const struct sf_arch *arches[] = { sf_arch_find("x86_64"), sf_arch_find("x86") };
	size_t allowed = 0;
	for (size_t a = 0; a < 2; a++)
		for (size_t i = 0; i < sf_syscall_count(); i++) {
			long nr = sf_syscall_nr_at(arches[a], i);
			if (nr < 0)
				continue;
			/* Every syscall allowed whatever its arguments must be cacheable. */
			struct seccomp_data d = { .arch = arches[a]->audit_arch, .nr = (int)nr };
			uint32_t r1, r2;
			sf_bpf_emulate(prog.insns, prog.len, &d, &r1, NULL, NULL);
			memset(d.args, 0xff, sizeof(d.args));
			d.instruction_pointer = 0x1234;
			sf_bpf_emulate(prog.insns, prog.len, &d, &r2, NULL, NULL);
			bool with_args = false;
			for (size_t k = 0; k < r->nrules; k++)
				for (size_t j = 0; j < r->rules[k].nnames; j++)
					if (r->rules[k].nargs &&
					    strcmp(r->rules[k].names[j], sf_syscall_name_at(i)) == 0)
						with_args = true;
			if (r1 == SECCOMP_RET_ALLOW && r2 == SECCOMP_RET_ALLOW && !with_args) {
				allowed++;
				if (!const_allow(&prog, arches[a]->audit_arch, (uint32_t)nr))
					fail_msg("%s %s is allowed but not cacheable", arches[a]->name,
						 sf_syscall_name_at(i));
			}
		}
	assert_true(allowed > 600);
	sf_prog_free(&prog);
	sf_profile_free(p);
	sf_profile_free(r);
}

/* Many distinct outcomes force jumps beyond 255 instructions: they must still be right. */
static void test_far_jumps_and_size_limit(void **state)
{
	struct sf_buf b = { 0 };
	sf_buf_puts(&b, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	size_t n = 0;
	for (size_t i = 0; i < sf_syscall_count() && n < 300; i++) {
		const char *name = sf_syscall_name_at(i);
		if (sf_syscall_nr(sf_arch_native(), name) < 0)
			continue;
		/* every second syscall gets an argument rule, so that graphs push code apart */
		sf_buf_printf(&b, "%s{\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":%zu%s}",
			      n ? "," : "", name, 1 + n % 60,
			      n % 2 ? ",\"args\":[{\"index\":1,\"value\":7,\"op\":\"SCMP_CMP_GT\"}]" : "");
		n++;
	}
	sf_buf_puts(&b, "]}");
	struct sf_prog prog;
	compile(b.data, NULL, &prog); /* verified inside: far jumps resolved correctly */
	assert_true(prog.len > 300);
	bool ja = false;
	for (size_t i = 0; i < prog.len; i++)
		ja |= prog.insns[i].code == (BPF_JMP | BPF_JA) && prog.insns[i].k > 0;
	assert_true(ja);
	sf_prog_free(&prog);
	sf_buf_free(&b);

	/* Beyond 4096 instructions: a clear error, no program. (Values that differ in the high
	 * word: libseccomp's tree shares a common high-word test between rules.) */
	sf_buf_puts(&b, "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[");
	for (int i = 0; i < 1500; i++)
		sf_buf_printf(&b, "%s{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
				  "\"args\":[{\"index\":0,\"value\":%llu,\"op\":\"SCMP_CMP_EQ\"}]}",
			      i ? "," : "", (unsigned long long)(i + 1) << 32 | 1);
	sf_buf_puts(&b, "]}");
	struct sf_profile *p = parse(b.data);
	struct sf_error err = { 0 };
	int r = sf_bpf_compile(p, NULL, &prog, NULL, &err);
	assert_int_equal(r, -E2BIG);
	assert_non_null(strstr(err.msg, "4096"));
	assert_null(prog.insns);
	sf_profile_free(p);
	sf_buf_free(&b);
}

static void test_unknown_names_warn_or_fail(void **state)
{
	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				     "[{\"names\":[\"mkdirr\",\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
	struct sf_findings f;
	struct sf_error err = { 0 };
	struct sf_prog prog;
	sf_findings_init(&f, "t");
	assert_int_equal(sf_bpf_compile(p, NULL, &prog, &f, &err), 0);
	assert_int_equal(f.nwarnings, 1);
	assert_non_null(strstr(f.v[0].msg, "mkdirr"));
	sf_prog_free(&prog);
	struct sf_compile_opts strict = { .strict = true };
	assert_int_equal(sf_bpf_compile(p, &strict, &prog, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "mkdirr"));
	sf_findings_clear(&f);
	sf_profile_free(p);
}

static void test_verifier_refuses_a_wrong_program(void **state)
{
	struct sf_profile *p = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
				     "[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
	struct sf_policy *pol;
	struct sf_error err = { 0 };
	struct sf_prog prog;
	assert_int_equal(sf_policy_build(p, NULL, &pol, NULL, &err), 0);
	assert_int_equal(sf_policy_compile(pol, &prog, &err), 0);
	size_t checked = 0;
	assert_int_equal(sf_policy_verify(pol, &prog, &checked, &err), 0);
	assert_true(checked > 0);
	/* Break one return: the proof names the input and both outcomes. */
	for (size_t i = 0; i < prog.len; i++)
		if (prog.insns[i].code == (BPF_RET | BPF_K) &&
		    prog.insns[i].k == (SECCOMP_RET_ERRNO | EPERM))
			prog.insns[i].k = SECCOMP_RET_ERRNO | EACCES;
	assert_int_equal(sf_policy_verify(pol, &prog, NULL, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "mkdir"));
	assert_non_null(strstr(err.msg, "ERRNO(1)"));
	assert_non_null(strstr(err.msg, "ERRNO(13)"));
	sf_prog_free(&prog);
	sf_policy_free(pol);
	sf_profile_free(p);
}

/* The concrete check: the policy against a program on every vector of the policy. */
struct concrete {
	const struct sf_policy *pol;
	const struct sf_prog *prog;
};

static int concrete_one(const struct seccomp_data *d, void *p)
{
	const struct concrete *c = p;
	struct seccomp_data k;
	uint32_t got;
	sf_seccomp_data_for(sf_arch_by_audit(d->arch), d, &k);
	if (sf_bpf_emulate(c->prog->insns, c->prog->len, &k, &got, NULL, NULL) < 0)
		return 1;
	return got != sf_policy_eval(c->pol, d);
}

/*
 * The proof is sound: every one-instruction mutant of real programs (a jump's constant moved
 * by one, its targets swapped, a return changed) is either refused by sf_policy_verify or
 * means the same on every concrete vector; and most mutants are refused.
 */
static void verify_mutants(const struct sf_profile *p, const struct sf_arch *const *arches,
			   size_t narches)
{
	struct sf_compile_opts o = { .arches = arches, .narches = narches };
	struct sf_policy *pol;
	struct sf_error err = { 0 };
	struct sf_prog prog;
	size_t mutants = 0, refused = 0;

	assert_int_equal(sf_policy_build(p, &o, &pol, NULL, &err), 0);
	assert_int_equal(sf_policy_compile(pol, &prog, &err), 0);
	assert_int_equal(sf_policy_verify(pol, &prog, NULL, &err), 0);
	for (size_t i = 0; i < prog.len; i++) {
		struct sock_filter orig = prog.insns[i];
		for (int m = 0; m < 4; m++) {
			struct sock_filter *f = &prog.insns[i];
			*f = orig;
			if (BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) != BPF_JA &&
			    BPF_SRC(f->code) == BPF_K) {
				if (m == 0)
					f->k++;
				else if (m == 1)
					f->k--;
				else if (m == 2 && f->jt != f->jf) {
					uint8_t t = f->jt;
					f->jt = f->jf;
					f->jf = t;
				} else
					continue;
			} else if (f->code == (BPF_RET | BPF_K) && m < 2) {
				f->k = m == 0 ? f->k ^ 1 : SECCOMP_RET_ALLOW + (f->k == SECCOMP_RET_ALLOW);
			} else {
				continue;
			}
			if (sf_bpf_validate(prog.insns, prog.len, NULL) < 0)
				continue;
			mutants++;
			struct concrete c = { pol, &prog };
			int proved = sf_policy_verify(pol, &prog, NULL, &err);
			if (proved != 0) {
				assert_int_equal(proved, -EPROTO);
				refused++;
			} else if (sf_policy_vectors(pol, concrete_one, &c) != 0) {
				fail_msg("instruction %zu, mutation %d: verified, but wrong", i, m);
			}
		}
		prog.insns[i] = orig;
	}
	/* A mutant that changes nothing (a bound moved inside a gap) passes; most cannot. */
	assert_true(mutants > 0);
	assert_true(refused * 2 > mutants);
	sf_prog_free(&prog);
	sf_policy_free(pol);
}

static void test_verifier_sound_on_mutants(void **state)
{
	const struct sf_arch *x86_64 = sf_arch_find("x86_64"), *x86 = sf_arch_find("x86"),
			     *x32 = sf_arch_find("x32");
	const struct sf_arch *three[] = { x86_64, x86, x32 };
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = { 0 };
	struct sf_target t = { .arch = "x86_64" };

	assert_int_equal(sf_profile_builtin("@runtime-default", &p, &err), 0);
	assert_int_equal(sf_profile_resolve(p, &t, &r, &err), 0);
	verify_mutants(r, three, 1);
	sf_profile_free(r);
	sf_profile_free(p);
	p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		  "{\"names\":[\"read\",\"write\",\"close\",\"exit_group\"],"
		  "\"action\":\"SCMP_ACT_ALLOW\"},"
		  "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
		  "[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
		  "{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
		  "[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		  "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}");
	verify_mutants(p, three, 3);
	sf_profile_free(p);
}

/* Golden disassembly: small profiles, checked by hand once, kept as files in tests/data. */
static void golden(const char *profile, const char *file)
{
	struct sf_prog prog;
	const struct sf_arch *x86_64 = sf_arch_find("x86_64");
	struct sf_compile_opts o = { .arches = &x86_64, .narches = 1 };
	compile(profile, &o, &prog);
	struct sf_buf b = { 0 };
	sf_bpf_disasm(prog.insns, prog.len, NULL, &b);
	char path[512], *want = NULL;
	size_t len = 0;
	struct sf_error err = { 0 };
	snprintf(path, sizeof(path), "tests/data/golden/%s", file);
	if (getenv("SYSFENCE_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");
		fputs(b.data, f);
		fclose(f);
	}
	assert_int_equal(sf_read_file(path, &want, &len, &err), 0);
	assert_string_equal(b.data, want);
	free(want);
	sf_buf_free(&b);
	sf_prog_free(&prog);
}

static void test_golden_disassembly(void **state)
{
	golden("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
	       "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
	       "mkdir-deny.txt");
	golden("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\","
	       "\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],"
	       "\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,"
	       "\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\","
	       "\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,"
	       "\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
	       "allowlist-args.txt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_with_custom_value),
		cmocka_unit_test(test_errno_default_is_eperm),
		cmocka_unit_test(test_kill_process_and_kill_thread),
		cmocka_unit_test(test_trap_sets_si_syscall),
		cmocka_unit_test(test_log_and_allow_run),
		cmocka_unit_test(test_trace_without_tracer_is_enosys),
		cmocka_unit_test(test_argument_rules),
		cmocka_unit_test(test_i386_side_door),
		cmocka_unit_test(test_x32_numbers),
		cmocka_unit_test(test_number_only_allows_are_cacheable),
		cmocka_unit_test(test_far_jumps_and_size_limit),
		cmocka_unit_test(test_unknown_names_warn_or_fail),
		cmocka_unit_test(test_verifier_refuses_a_wrong_program),
		cmocka_unit_test(test_verifier_sound_on_mutants),
		cmocka_unit_test(test_golden_disassembly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
