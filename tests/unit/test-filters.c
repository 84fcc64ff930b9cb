/*
 * lib/inspect/filters.c against the real kernel: children load real filters with seccomp(2) and
 * wait; the test reads them with sf_filters_read (PTRACE_SECCOMP_GET_FILTER) and their state with
 * sf_proc_seccomp. The kernel's limits are provoked for real: a caller under seccomp, a caller
 * without CAP_SYS_ADMIN, a target already traced. Real profiles (ours and libseccomp's programs)
 * are loaded, read back byte for byte and decompiled. Needs root (skipped otherwise). About 2 s.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <sysfence/inspect.h>
#include <sysfence/sysfence.h>

#include "support/oracle.h"

#define NINSNS(a) (sizeof(a) / sizeof((a)[0]))

static struct sock_filter allow_all[] = {
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
/* refuses acct(2) (163 on x86_64) with EPERM, allows the rest */
static struct sock_filter deny_acct[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 163, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("  not root: skipped\n");
		skip();
	}
}

static int load(const struct sock_filter *f, size_t n)
{
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = (struct sock_filter *)f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/* A child that loads `count` filters (allow_all then deny_acct alternately; strict mode when
 * count < 0), tells the parent, and waits for SIGKILL. */
static pid_t child(int count)
{
	int p[2];
	char c = 0;
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < count; i++)
			if (i % 2 ? load(deny_acct, NINSNS(deny_acct)) : load(allow_all, 1))
				_exit(1);
		if (count < 0) {
			if (write(p[1], "s", 1) != 1)
				_exit(1);
			prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT);
			for (;;)
				syscall(SYS_read, 0, &c, 0); /* allowed in strict mode */
		}
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	if (count < 0)
		usleep(20000); /* let it enter strict mode */
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void no_filter_and_strict_mode(void **state)
{
	(void)state;
	need_root();
	struct sf_prog *progs = (struct sf_prog *)1;
	size_t n = 99;
	struct sf_error err = {0};
	int mode, nf;
	bool nnp;

	pid_t pid = child(0);
	assert_int_equal(sf_proc_seccomp(pid, &mode, &nf, &nnp, &err), 0);
	assert_int_equal(mode, 0);
	assert_int_equal(nf, 0);
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), 0);
	assert_null(progs);
	assert_int_equal(n, 0);
	reap(pid);

	pid = child(-1);
	assert_int_equal(sf_proc_seccomp(pid, &mode, &nf, &nnp, &err), 0);
	assert_int_equal(mode, 1);
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), 0);
	assert_int_equal(n, 0);
	reap(pid);
}

/* The kernel numbers filters from the oldest: index 0 is the first one loaded. */
static void stacked_filters_oldest_first(void **state)
{
	(void)state;
	need_root();
	struct sf_prog *progs;
	size_t n;
	struct sf_error err = {0};
	int mode, nf;
	bool nnp;

	pid_t pid = child(3); /* allow_all, deny_acct, allow_all */
	assert_int_equal(sf_proc_seccomp(pid, &mode, &nf, &nnp, &err), 0);
	assert_int_equal(mode, 2);
	assert_int_equal(nf, 3);
	assert_true(nnp);
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(progs[0].len, 1);
	assert_int_equal(progs[1].len, NINSNS(deny_acct));
	assert_memory_equal(progs[1].insns, deny_acct, sizeof(deny_acct));
	assert_int_equal(progs[2].len, 1);
	/* the child goes on running after the brief stop */
	char path[64], st = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%*d %*s %c", &st), 1);
	fclose(f);
	assert_true(st == 'S' || st == 'R');
	assert_int_equal(sf_proc_seccomp(pid, &mode, &nf, &nnp, &err), 0);
	reap(pid);
	/* combined as the kernel does: acct refused */
	struct seccomp_data d = {.nr = 163, .arch = AUDIT_ARCH_X86_64};
	uint32_t r;
	assert_int_equal(sf_filters_eval(progs, n, &d, &r, &err), 0);
	assert_int_equal(r, SECCOMP_RET_ERRNO | EPERM);
	sf_filters_free(progs, n);
}

static void no_such_process(void **state)
{
	(void)state;
	struct sf_prog *progs;
	size_t n;
	struct sf_error err = {0};
	pid_t pid = child(0);
	reap(pid); /* the number is free now (pid reuse within a test is not a concern) */
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), -ESRCH);
	assert_non_null(strstr(err.msg, "no process"));
	assert_int_equal(sf_proc_seccomp(pid, NULL, NULL, NULL, &err), -ESRCH);
	assert_int_equal(sf_filters_read(-4, &progs, &n, &err), -EINVAL);
}

/* A helper child does something and reports sf_filters_read's code on target. */
static int read_from_child(pid_t target, void (*prepare)(void), char *msg, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sf_prog *progs;
		size_t n;
		struct sf_error err = {0};
		close(p[0]);
		prepare();
		int code = sf_filters_read(target, &progs, &n, &err);
		if (write(p[1], &code, sizeof(code)) != sizeof(code) ||
		    write(p[1], err.msg, sizeof(err.msg)) != sizeof(err.msg))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	int code = 1;
	char buf[SF_ERROR_MSG_MAX] = "";
	assert_int_equal(read(p[0], &code, sizeof(code)), sizeof(code));
	assert_int_equal(read(p[0], buf, sizeof(buf)), sizeof(buf));
	close(p[0]);
	waitpid(pid, NULL, 0);
	snprintf(msg, size, "%s", buf);
	return code;
}

static void under_seccomp(void)
{
	if (load(allow_all, 1) < 0)
		_exit(1);
}

static void without_sys_admin(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		_exit(1);
	d[0].effective &= ~(1u << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &h, d) < 0)
		_exit(1);
}

/* the kernel's EACCES for a confined caller, named as such */
static void caller_under_seccomp(void **state)
{
	(void)state;
	need_root();
	char msg[SF_ERROR_MSG_MAX];
	pid_t pid = child(1);
	assert_int_equal(read_from_child(pid, under_seccomp, msg, sizeof(msg)), -EACCES);
	assert_non_null(strstr(msg, "under seccomp"));
	assert_non_null(strstr(msg, "sysfence run"));
	reap(pid);
}

static void caller_without_cap_sys_admin(void **state)
{
	(void)state;
	need_root();
	char msg[SF_ERROR_MSG_MAX];
	pid_t pid = child(1);
	assert_int_equal(read_from_child(pid, without_sys_admin, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "CAP_SYS_ADMIN"));
	reap(pid);
}

/* a target with a tracer already: -EBUSY naming the tracer */
static void target_already_traced(void **state)
{
	(void)state;
	need_root();
	struct sf_prog *progs;
	size_t n;
	struct sf_error err = {0};
	pid_t pid = child(1);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t tracer = fork();
	assert_true(tracer >= 0);
	if (tracer == 0) {
		close(p[0]);
		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
			_exit(1);
		if (write(p[1], "t", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), -EBUSY);
	char want[32];
	snprintf(want, sizeof(want), "process %d", (int)tracer);
	assert_non_null(strstr(err.msg, want));
	reap(tracer);
	reap(pid);
}

/* a stopped target (SIGSTOP) is read and stays stopped */
static void stopped_target(void **state)
{
	(void)state;
	need_root();
	struct sf_prog *progs;
	size_t n;
	struct sf_error err = {0};
	pid_t pid = child(2);
	int st;
	kill(pid, SIGSTOP);
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(sf_filters_read(pid, &progs, &n, &err), 0);
	assert_int_equal(n, 2);
	sf_filters_free(progs, n);
	/* detached, it goes back into its group stop (it may run for an instant first) */
	char path[64], s = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 100 && s != 'T'; i++) {
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%*d %*s %c", &s), 1);
		fclose(f);
		if (s != 'T')
			usleep(10000);
	}
	assert_int_equal(s, 'T');
	kill(pid, SIGCONT);
	reap(pid);
}

/* A child that loads prog and spins without a syscall (any filter lets it live), read live. */
static void live_round_trip(const struct sf_prog *prog, const char *what, size_t *exact)
{
	int p[2];
	char c;
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (write(p[1], "x", 1) != 1 || load(prog->insns, prog->len) < 0)
			_exit(1);
		for (volatile int spin = 1; spin;)
			;
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	struct sf_prog *progs = NULL;
	size_t n = 0;
	struct sf_error err = {0};
	int mode = 0;
	for (int i = 0; i < 200 && mode != 2; i++) {
		if (sf_proc_seccomp(pid, &mode, NULL, NULL, &err) < 0)
			break;
		if (mode != 2)
			usleep(1000);
	}
	/* the spinning child goes before any assertion can leave it behind */
	int rc = sf_filters_read(pid, &progs, &n, &err);
	reap(pid);
	assert_int_equal(mode, 2);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_int_equal(progs[0].len, prog->len);
	assert_memory_equal(progs[0].insns, prog->insns, prog->len * sizeof(*prog->insns));
	struct sf_decompiled d;
	struct sf_decompile_opts o = {.partial = true};
	assert_int_equal(sf_decompile(progs, n, &o, &d, &err), 0);
	if (d.exact)
		(*exact)++;
	else
		print_message("  %s: not exact (%zu problems)\n", what, d.report.nerrors);
	assert_true(d.exact || d.report.nerrors > 0);
	sf_decompiled_clear(&d);
	sf_filters_free(progs, n);
}

/* Profiles loaded for real (ours and libseccomp's programs), read back and decompiled: the
 * Docker default, the Kubernetes tutorial's, argument-heavy and random ones. test-decompile.c
 * checks the meaning of such round trips in depth; here the programs come from the kernel. */
static void live_round_trips(void **state)
{
	(void)state;
	need_root();
	const char *shared = getenv("SYSFENCE_SHARED") ? getenv("SYSFENCE_SHARED") : "../shared";
	char k8s[2][4096];
	snprintf(k8s[0], sizeof(k8s[0]), "%s/corpus/profiles/k8s-fine-grained.json", shared);
	snprintf(k8s[1], sizeof(k8s[1]), "%s/corpus/profiles/k8s-violation.json", shared);
	const char *files[] = {"@runtime-default",
			       "@audit",
			       "tests/data/dump/args.json",
			       "tests/data/dump/args-denylist.json",
			       k8s[0],
			       k8s[1]};
	const struct sf_arch *native[] = {sf_arch_native()};
	size_t exact = 0, total = 0;
	for (size_t i = 0; i < NINSNS(files); i++) {
		struct sf_profile *p = NULL, *r = NULL;
		struct sf_error err = {0};
		if ((files[i][0] == '@'
			 ? sf_profile_builtin(files[i], &p, &err)
			 : sf_profile_read(files[i], SF_DOC_AUTO, NULL, &p, &err)) < 0) {
			print_message("  %s: %s: skipped\n", files[i], err.msg);
			sf_profile_free(p);
			continue;
		}
		assert_int_equal(sf_profile_resolve(p, NULL, &r, &err), 0);
		struct sf_prog prog = {0};
		assert_int_equal(sf_bpf_compile(r, NULL, &prog, NULL, &err), 0);
		live_round_trip(&prog, files[i], &exact);
		total++;
		sf_prog_free(&prog);
		/* and libseccomp's program of it, as crun loads it */
		struct oracle_opts oo = {.arches = native, .narches = 1, .optimize = 1};
		struct sf_profile *common = oracle_profile_common(r, native, 1, NULL);
		char lerr[256];
		if (oracle_build_opts(common, &oo, &prog, NULL, lerr, sizeof(lerr)) == 0) {
			live_round_trip(&prog, files[i], &exact);
			total++;
			sf_prog_free(&prog);
		}
		sf_profile_free(common);
		sf_profile_free(r);
		sf_profile_free(p);
	}
	uint64_t seed = 0x11fe5eedULL;
	for (int i = 0; i < 20; i++) {
		struct gen_opts go = gen_opts_default();
		go.max_args = 2;
		struct sf_profile *p = gen_profile(&seed, &go);
		struct sf_prog prog = {0};
		struct sf_error err = {0};
		if (sf_bpf_compile(p, NULL, &prog, NULL, &err) == 0) {
			live_round_trip(&prog, "random", &exact);
			total++;
		}
		sf_prog_free(&prog);
		sf_profile_free(p);
	}
	print_message("  %zu/%zu live filters decompiled exactly\n", exact, total);
	assert_true(total >= 25);
	assert_true(exact * 100 >= total * 90);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_filter_and_strict_mode),
	    cmocka_unit_test(stacked_filters_oldest_first),
	    cmocka_unit_test(no_such_process),
	    cmocka_unit_test(caller_under_seccomp),
	    cmocka_unit_test(caller_without_cap_sys_admin),
	    cmocka_unit_test(target_already_traced),
	    cmocka_unit_test(stopped_target),
	    cmocka_unit_test(live_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
