/*
 * lib/record/ptrace.c: the ptrace recorder on real processes. This binary is its own workload:
 * run as `test-record-ptrace --helper NAME`, it makes a known set of calls (counted exactly),
 * from threads, children, the i386 and x32 ABIs, under filters that refuse some of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <sysfence/sysfence.h>

extern char **environ;

/* ---- the workloads (--helper NAME) ---- */

static void getppid_n(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void *thread_getppid(void *arg)
{
	getppid_n((int)(long)arg);
	return NULL;
}

static void *thread_exec(void *arg)
{
	char *argv[] = { (char *)arg, "--helper", "getppid5", NULL };
	execve("/proc/self/exe", argv, environ);
	_exit(99);
}

/* A filter answering `ret` for syscall nr (x86_64) and ALLOW for everything else. */
static int load_filter(int nr, uint32_t ret)
{
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, ret),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p);
}

static void *thread_tsync(void *arg)
{
	/* From a thread that is not the leader, for every thread of the process. */
	struct sock_filter f[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpgid, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
	long r = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
		     ? -1
		     : syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &p);
	return (void *)r;
}

static int helper(const char *name, char *self)
{
	if (strcmp(name, "getppid5") == 0) {
		getppid_n(5);
		return 0;
	}
	if (strcmp(name, "exit7") == 0) {
		getppid_n(3);
		return 7;
	}
	if (strcmp(name, "sigterm") == 0) {
		raise(SIGTERM);
		return 1;
	}
	if (strcmp(name, "tree") == 0) {
		/* 1 in the main thread, 10 in a thread, 100 in a child */
		pthread_t t;
		getppid_n(1);
		if (pthread_create(&t, NULL, thread_getppid, (void *)10L) || pthread_join(t, NULL))
			return 2;
		pid_t c = fork();
		if (c == 0) {
			getppid_n(100);
			_exit(0);
		}
		int st;
		return c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st) ? 0 : 3;
	}
	if (strcmp(name, "thread-exec") == 0) {
		/* A thread that is not the leader executes: it takes the leader's thread id. */
		pthread_t t;
		if (pthread_create(&t, NULL, thread_exec, self))
			return 2;
		pause();
		return 3;
	}
	if (strcmp(name, "abis") == 0) {
		/* getpid through int $0x80 (i386: 20) and with the x32 bit (x86_64 39) */
		long r;
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
		syscall(0x40000000 | 39);
		return r > 0 ? 0 : 2;
	}
	if (strcmp(name, "errno-filter") == 0) {
		/* The older filter refuses getpgid; the newer one allows all: refused. (Calls no
		 * C library or sanitizer runtime makes on its own.) */
		if (load_filter(SYS_getpgid, SECCOMP_RET_ERRNO | EPERM) < 0 ||
		    load_filter(SYS_getsid, SECCOMP_RET_ALLOW) < 0)
			return 2;
		for (int i = 0; i < 3; i++)
			syscall(SYS_getpgid, 0);
		syscall(SYS_getsid, 0);
		syscall(SYS_getsid, 0);
		return 0;
	}
	if (strcmp(name, "tsync-filter") == 0) {
		/* The main thread made calls before (its filters were read: none); a thread
		 * gives it one; its calls after that are refused. */
		pthread_t t;
		void *r;
		syscall(SYS_getpgid, 0);
		if (pthread_create(&t, NULL, thread_tsync, NULL) || pthread_join(t, &r) || r)
			return 2;
		syscall(SYS_getpgid, 0);
		syscall(SYS_getpgid, 0);
		return 0;
	}
	if (strcmp(name, "kill-filter") == 0) {
		if (load_filter(SYS_getppid, SECCOMP_RET_KILL_PROCESS) < 0)
			return 2;
		getppid_n(1);
		return 3;
	}
	if (strcmp(name, "trap-filter") == 0) {
		if (load_filter(SYS_getppid, SECCOMP_RET_TRAP) < 0)
			return 2;
		getppid_n(1);
		return 3;
	}
	if (strcmp(name, "target") == 0) {
		/* For --pid: two threads and the main one call getppid until killed. */
		pthread_t t;
		for (int i = 0; i < 2; i++)
			if (pthread_create(&t, NULL, thread_getppid, (void *)1000000000L))
				return 2;
		for (;;) {
			struct timespec ts = { 0, 2 * 1000 * 1000 };
			syscall(SYS_getppid);
			nanosleep(&ts, NULL);
		}
	}
	return 100;
}

/* ---- running them under the recorder ---- */

struct run {
	struct sf_recording *rec, *refused;
	struct sf_ptrace_result res;
	int ret;
	struct sf_error err;
};

static void record(const char *name, struct run *r)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	char *argv[] = { self, "--helper", (char *)name, NULL };
	memset(r, 0, sizeof(*r));
	r->rec = sf_recording_new();
	r->refused = sf_recording_new();
	assert_non_null(r->rec);
	assert_non_null(r->refused);
	struct sf_ptrace_opts o = {
	    .path = self, .argv = argv, .envp = environ, .refused = r->refused };
	r->ret = sf_ptrace_record(r->rec, &o, &r->res, &r->err);
}

static void done(struct run *r)
{
	sf_recording_free(r->rec);
	sf_recording_free(r->refused);
}

/* Calls of name in abi ("x86_64", "x86", "x32"). */
static uint64_t count(struct sf_recording *rec, const char *abi, const char *name)
{
	const struct sf_recorded_call *c;
	size_t n = sf_recording_calls(rec, &c);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].abi->name, abi) == 0 && c[i].name && strcmp(c[i].name, name) == 0)
			return c[i].count;
	return 0;
}

static bool can_read_filters(void)
{
	int mode = 0, n = 0;
	return geteuid() == 0 && sf_seccomp_self(&mode, &n) == 0 && n == 0;
}

/* ---- the tests ---- */

static void every_call_is_counted_once_and_the_status_passes(void **state)
{
	struct run r;
	record("exit7", &r);
	assert_int_equal(r.ret, 0);
	assert_true(WIFEXITED(r.res.status));
	assert_int_equal(WEXITSTATUS(r.res.status), 7);
	/* entry stops only: not the exit stops, not the calls before the exec */
	assert_int_equal(count(r.rec, "x86_64", "getppid"), 3);
	assert_int_equal(count(r.rec, "x86_64", "exit_group"), 1);
	assert_int_equal(count(r.rec, "x86_64", "execve"), 0);
	assert_int_equal(r.res.refused, 0);
	done(&r);
}

static void a_command_killed_by_a_signal_gives_its_wait_status(void **state)
{
	struct run r;
	record("sigterm", &r);
	assert_int_equal(r.ret, 0);
	assert_true(WIFSIGNALED(r.res.status));
	assert_int_equal(WTERMSIG(r.res.status), SIGTERM);
	assert_true(count(r.rec, "x86_64", "kill") + count(r.rec, "x86_64", "tgkill") >= 1);
	done(&r);
}

static void a_command_that_cannot_be_executed_is_an_error(void **state)
{
	char *argv[] = { "/nonexistent/x", NULL };
	struct sf_recording *rec = sf_recording_new();
	struct sf_ptrace_result res;
	struct sf_error err = { 0 };
	struct sf_ptrace_opts o = { .path = argv[0], .argv = argv, .envp = environ };
	assert_int_equal(sf_ptrace_record(rec, &o, &res, &err), -ENOENT);
	assert_true(res.exec_failed);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));
	assert_int_equal(sf_recording_total(rec), 0);
	sf_recording_free(rec);
}

static void threads_and_children_are_followed(void **state)
{
	struct run r;
	record("tree", &r);
	assert_int_equal(r.ret, 0);
	assert_int_equal(WEXITSTATUS(r.res.status), 0);
	assert_int_equal(count(r.rec, "x86_64", "getppid"), 111);
	assert_true(count(r.rec, "x86_64", "clone3") + count(r.rec, "x86_64", "clone") >= 2);
	done(&r);
}

static void an_exec_from_a_thread_takes_the_leaders_id(void **state)
{
	struct run r;
	record("thread-exec", &r);
	assert_int_equal(r.ret, 0);
	assert_true(WIFEXITED(r.res.status));
	assert_int_equal(WEXITSTATUS(r.res.status), 0);
	/* the program it executed was recorded (its 5 calls), under the leader's id */
	assert_int_equal(count(r.rec, "x86_64", "getppid"), 5);
	assert_int_equal(count(r.rec, "x86_64", "execve"), 1);
	done(&r);
}

static void int80_is_the_i386_abi_and_bit_30_is_x32(void **state)
{
	struct run r;
	record("abis", &r);
	assert_int_equal(r.ret, 0);
	assert_int_equal(WEXITSTATUS(r.res.status), 0);
	assert_int_equal(count(r.rec, "x86", "getpid"), 1);
	assert_int_equal(count(r.rec, "x32", "getpid"), 1);
	done(&r);
}

static void calls_a_filter_refuses_are_seen_and_marked(void **state)
{
	struct run r;
	record("errno-filter", &r);
	assert_int_equal(r.ret, 0);
	assert_int_equal(WEXITSTATUS(r.res.status), 0);
	assert_true(r.res.filtered);
	/* seen: the entry stop comes before the filters run */
	assert_int_equal(count(r.rec, "x86_64", "getpgid"), 3);
	if (!can_read_filters()) {
		assert_int_not_equal(r.res.filters_unreadable, 0);
		done(&r);
		skip();
	}
	assert_int_equal(r.res.filters_unreadable, 0);
	assert_int_equal(r.res.refused, 3);
	assert_int_equal(count(r.refused, "x86_64", "getpgid"), 3);
	assert_int_equal(count(r.refused, "x86_64", "getsid"), 0);
	assert_int_equal(count(r.rec, "x86_64", "getsid"), 2);
	done(&r);
}

static void a_filter_given_to_every_thread_applies_to_all(void **state)
{
	if (!can_read_filters())
		skip();
	struct run r;
	record("tsync-filter", &r);
	assert_int_equal(r.ret, 0);
	assert_int_equal(WEXITSTATUS(r.res.status), 0);
	assert_int_equal(count(r.rec, "x86_64", "getpgid"), 3);
	assert_int_equal(count(r.refused, "x86_64", "getpgid"), 2);
	done(&r);
}

static void a_call_a_filter_kills_or_traps_is_marked(void **state)
{
	static const char *const names[] = { "kill-filter", "trap-filter" };
	for (size_t i = 0; i < 2; i++) {
		struct run r;
		record(names[i], &r);
		assert_int_equal(r.ret, 0);
		assert_true(WIFSIGNALED(r.res.status));
		assert_int_equal(WTERMSIG(r.res.status), SIGSYS);
		assert_int_equal(count(r.rec, "x86_64", "getppid"), 1);
		/* known from the filter, or without it from the SIGSYS */
		assert_int_equal(r.res.refused, 1);
		assert_int_equal(count(r.refused, "x86_64", "getppid"), 1);
		done(&r);
	}
}

/* A recorder under a filter itself cannot read its tracees' (the kernel refuses
 * PTRACE_SECCOMP_GET_FILTER to a confined caller): kills and traps are still known from the
 * SIGSYS, an errno refusal is not. Run in a child that loads an allow-all filter first. */
static void without_the_filters_kills_and_traps_are_still_marked(void **state)
{
	pid_t c = fork();
	if (c == 0) {
		if (load_filter(SYS_acct, SECCOMP_RET_ERRNO | EPERM) < 0)
			_exit(10);
		static const char *const names[] = { "kill-filter", "trap-filter", "errno-filter" };
		for (int i = 0; i < 3; i++) {
			struct run r;
			record(names[i], &r);
			if (r.ret || !r.res.filtered || r.res.filters_unreadable != -EACCES)
				_exit(20 + i);
			const char *call = i < 2 ? "getppid" : "getpgid";
			if (count(r.rec, "x86_64", call) != (i < 2 ? 1 : 3))
				_exit(30 + i);
			if (r.res.refused != (i < 2 ? 1 : 0))
				_exit(40 + i);
			if (count(r.refused, "x86_64", call) != (i < 2 ? 1 : 0))
				_exit(50 + i);
			done(&r);
		}
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(c, &st, 0), c);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void *send_sigint(void *arg)
{
	struct timespec ts = { 0, 400 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	kill(getpid(), SIGINT);
	return NULL;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static void pid_attaches_every_thread_and_lets_go_on_sigint(void **state)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	pid_t target = fork();
	if (target == 0) {
		execl(self, self, "--helper", "target", (char *)NULL);
		_exit(127);
	}
	assert_true(target > 0);
	struct timespec settle = { 0, 200 * 1000 * 1000 };
	nanosleep(&settle, NULL);

	/* SIGINT comes from a thread; it is blocked in every thread but read by the recorder. */
	sigset_t m, old;
	sigemptyset(&m);
	sigaddset(&m, SIGINT);
	pthread_sigmask(SIG_BLOCK, &m, &old);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, send_sigint, NULL), 0);

	struct sf_recording *rec = sf_recording_new();
	struct sf_ptrace_result res;
	struct sf_error err = { 0 };
	struct sf_ptrace_opts o = { .pid = target };
	int ret = sf_ptrace_record(rec, &o, &res, &err);
	pthread_join(t, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	assert_int_equal(ret, 0);
	assert_int_equal(res.attached, 3);
	assert_true(res.detached);
	assert_true(count(rec, "x86_64", "getppid") > 10);
	assert_true(count(rec, "x86_64", "clock_nanosleep") + count(rec, "x86_64", "nanosleep") >
		    0);
	/* It runs on: not stopped, not traced, not killed. */
	nanosleep(&settle, NULL);
	char s = proc_state(target);
	assert_true(s == 'S' || s == 'R');
	int st;
	assert_int_equal(waitpid(target, &st, WNOHANG), 0);
	kill(target, SIGKILL);
	assert_int_equal(waitpid(target, &st, 0), target);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	sf_recording_free(rec);
}

static void pid_of_nothing_is_an_error(void **state)
{
	struct sf_recording *rec = sf_recording_new();
	struct sf_ptrace_result res;
	struct sf_error err = { 0 };
	struct sf_ptrace_opts o = { .pid = getpid() };
	assert_true(sf_ptrace_record(rec, &o, &res, &err) < 0);
	assert_non_null(strstr(err.msg, "sysfence itself"));
	o.pid = 0x3ffffff0;
	assert_int_equal(sf_ptrace_record(rec, &o, &res, &err), -ESRCH);
	sf_recording_free(rec);
}

static void add(struct sf_recording *r, const char *abi, const char *name, int times)
{
	const struct sf_arch *a = sf_arch_find(abi);
	struct seccomp_data d = { .nr = (int)sf_syscall_nr(a, name), .arch = a->audit_arch };
	for (int i = 0; i < times; i++)
		assert_int_equal(sf_recording_add(r, &d, getpid()), 0);
}

static void names_refused_every_time_get_a_rule_of_their_own(void **state)
{
	struct sf_recording *all = sf_recording_new(), *refused = sf_recording_new();
	struct sf_profile *p = NULL;
	struct sf_error err = { 0 };
	add(all, "x86_64", "read", 2);
	add(all, "x86_64", "mkdir", 2); /* refused every time */
	add(refused, "x86_64", "mkdir", 2);
	add(all, "x86_64", "socket", 3); /* refused once in three: it ran */
	add(refused, "x86_64", "socket", 1);
	add(all, "x86", "symlink", 1); /* refused in both ABIs */
	add(all, "x86_64", "symlink", 1);
	add(refused, "x86", "symlink", 1);
	add(refused, "x86_64", "symlink", 1);
	assert_int_equal(sf_recording_profile(all, NULL, &p, &err), 0);
	assert_int_equal(sf_recording_mark_refused(p, all, refused, "refused", &err), 2);
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[0].nnames, 2);
	assert_string_equal(p->rules[0].names[0], "read");
	assert_string_equal(p->rules[0].names[1], "socket");
	assert_int_equal(p->rules[1].action, SF_ACT_ALLOW);
	assert_string_equal(p->rules[1].comment, "refused");
	assert_int_equal(p->rules[1].nnames, 2);
	assert_string_equal(p->rules[1].names[0], "mkdir");
	assert_string_equal(p->rules[1].names[1], "symlink");
	sf_profile_free(p);

	/* Everything refused: the first rule goes, the refused one stays. */
	struct sf_recording *all2 = sf_recording_new();
	add(all2, "x86_64", "mkdir", 2);
	assert_int_equal(sf_recording_profile(all2, NULL, &p, &err), 0);
	assert_int_equal(sf_recording_mark_refused(p, all2, refused, "refused", &err), 1);
	assert_int_equal(p->nrules, 1);
	assert_string_equal(p->rules[0].comment, "refused");
	sf_profile_free(p);
	sf_recording_free(all2);
	sf_recording_free(all);
	sf_recording_free(refused);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--helper") == 0)
		return helper(argv[2], argv[0]);
	/* The workloads are this binary: under a sanitizer, LeakSanitizer cannot run in a traced
	 * process (it stops the world with ptrace itself) and would change their exit status. */
	setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_call_is_counted_once_and_the_status_passes),
	    cmocka_unit_test(a_command_killed_by_a_signal_gives_its_wait_status),
	    cmocka_unit_test(a_command_that_cannot_be_executed_is_an_error),
	    cmocka_unit_test(threads_and_children_are_followed),
	    cmocka_unit_test(an_exec_from_a_thread_takes_the_leaders_id),
	    cmocka_unit_test(int80_is_the_i386_abi_and_bit_30_is_x32),
	    cmocka_unit_test(calls_a_filter_refuses_are_seen_and_marked),
	    cmocka_unit_test(a_filter_given_to_every_thread_applies_to_all),
	    cmocka_unit_test(a_call_a_filter_kills_or_traps_is_marked),
	    cmocka_unit_test(without_the_filters_kills_and_traps_are_still_marked),
	    cmocka_unit_test(pid_attaches_every_thread_and_lets_go_on_sigint),
	    cmocka_unit_test(pid_of_nothing_is_an_error),
	    cmocka_unit_test(names_refused_every_time_get_a_rule_of_their_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
