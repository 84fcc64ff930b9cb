/*
 * bench/compile: Docker's default profile compiled by us and by libseccomp 2.5 (the test oracle,
 * which builds the program runc would): build time, program size, instructions run per syscall,
 * what the kernel's action cache can skip, and the cost of a syscall under each filter.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>
#include <sysfence/sysfence.h>

#include "support/oracle.h"

/* Build timings: RUNS in BLOCKS blocks per side, each after WARMUP untimed runs. */
#define WARMUP	     5
#define RUNS	     200
#define BLOCKS	     4
#define KERNEL_CALLS 1000000L
#define KERNEL_RUNS  3

/* An arch set, and what it must reach. */
struct set {
	const char *label;
	const struct sf_arch *arches[3];
	size_t n;
	double min_speedup;
};

/* The programs of one set. */
struct progs {
	struct sf_prog ours, linear, tree, runc;
	int runc_level; /* the optimize level runc picks for this profile */
};

struct bench {
	const struct sf_profile *p;
	const struct sf_arch *x86_64;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *verdict(int met)
{
	return met ? "met" : "MISSED";
}

static void loadavg(char *buf, size_t size)
{
	FILE *f = fopen("/proc/loadavg", "r");
	snprintf(buf, size, "?");
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "bench/compile: %s: %s\n", what, msg);
	return -1;
}

static int build_ours(const struct bench *b, const struct set *s, struct sf_prog *out,
		      struct sf_error *err)
{
	struct sf_compile_opts o = { .arches = s->arches, .narches = s->n };
	return sf_bpf_compile(b->p, &o, out, NULL, err);
}

/* optimize: 0 as runc chooses, 1 linear, 2 binary tree. */
static int build_ref(const struct bench *b, const struct set *s, int optimize, struct sf_prog *out,
		     int *level, char *errbuf, size_t errlen)
{
	struct oracle_opts o = { .arches = s->arches, .narches = s->n, .optimize = optimize };
	struct oracle_info info;
	int r = oracle_build_opts(b->p, &o, out, &info, errbuf, errlen);
	if (r == 0 && level)
		*level = info.optimize;
	return r;
}

static void progs_free(struct progs *g)
{
	sf_prog_free(&g->ours);
	sf_prog_free(&g->linear);
	sf_prog_free(&g->tree);
	sf_prog_free(&g->runc);
}

static int progs_build(const struct bench *b, const struct set *s, struct progs *g)
{
	struct sf_error err = { 0 };
	struct sf_prog *all[] = { &g->ours, &g->linear, &g->tree, &g->runc };
	char msg[512];

	memset(g, 0, sizeof(*g));
	if (build_ours(b, s, &g->ours, &err) < 0)
		return fail("sf_bpf_compile", err.msg);
	if (build_ref(b, s, 1, &g->linear, NULL, msg, sizeof(msg)) < 0 ||
	    build_ref(b, s, 2, &g->tree, NULL, msg, sizeof(msg)) < 0 ||
	    build_ref(b, s, 0, &g->runc, &g->runc_level, msg, sizeof(msg)) < 0)
		return fail("oracle_build_opts", msg);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (sf_bpf_validate(all[i]->insns, all[i]->len, &err) < 0)
			return fail("sf_bpf_validate", err.msg);
	return 0;
}

/*
 * CPU time of this thread (user + system), not wall time: on a shared machine the time spent
 * preempted would otherwise land on whichever side happened to run then.
 */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One timed build of each kind; *t gets the seconds of each stage. */
static int time_ours(const struct bench *b, const struct set *s, double *t)
{
	struct sf_error err = { 0 };
	struct sf_prog prog = { 0 };
	double t0 = cpu_now();
	int r = build_ours(b, s, &prog, &err);
	t[0] = cpu_now() - t0;
	sf_prog_free(&prog);
	return r < 0 ? fail("sf_bpf_compile", err.msg) : 0;
}

static int time_ref(const struct bench *b, const struct set *s, double *t)
{
	struct sf_prog prog = { 0 };
	char msg[512];
	double t0 = cpu_now();
	int r = build_ref(b, s, 0, &prog, NULL, msg, sizeof(msg));
	t[0] = cpu_now() - t0;
	sf_prog_free(&prog);
	return r < 0 ? fail("oracle_build_opts", msg) : 0;
}

static int time_split(const struct bench *b, const struct set *s, double *t)
{
	struct sf_compile_opts o = { .arches = s->arches, .narches = s->n };
	struct sf_error err = { 0 };
	struct sf_policy *pol = NULL;
	struct sf_prog prog = { 0 };
	double t0 = cpu_now(), t1 = t0, t2 = t0, t3 = t0;
	int r = sf_policy_build(b->p, &o, &pol, NULL, &err);
	if (r == 0) {
		t1 = cpu_now();
		r = sf_policy_compile(pol, &prog, &err);
	}
	if (r == 0) {
		t2 = cpu_now();
		r = sf_policy_verify(pol, &prog, NULL, &err);
		t3 = cpu_now();
	}
	sf_prog_free(&prog);
	sf_policy_free(pol);
	t[0] = t1 - t0;
	t[1] = t2 - t1;
	t[2] = t3 - t2;
	return r < 0 ? fail("sf_policy_build/compile/verify", err.msg) : 0;
}

typedef int (*timed_fn)(const struct bench *b, const struct set *s, double *t);

/* 1. Build time: the whole of ours (with verification) against runc's libseccomp build. */
static int bench_build(const struct bench *b, const struct set *s)
{
	static const timed_fn fn[3] = { time_ours, time_ref, time_split };
	double t[3][3][RUNS]; /* [fn][stage][run] */
	double one[3];
	size_t checked = 0;

	/* Each side in blocks of runs after a warm-up of its own (so that it runs with its own
	 * data in the caches, as a build that is not interleaved with the other would), the
	 * blocks alternating, so that a change of load on this shared machine hits all sides. */
	for (int blk = 0; blk < BLOCKS; blk++)
		for (int f = 0; f < 3; f++)
			for (int i = -WARMUP; i < RUNS / BLOCKS; i++) {
				if (fn[f](b, s, one) < 0)
					return -1;
				for (int k = 0; i >= 0 && k < 3; k++)
					t[f][k][blk * (RUNS / BLOCKS) + i] = one[k];
			}

	/* How many inputs the proof checks. */
	struct sf_compile_opts o = { .arches = s->arches, .narches = s->n };
	struct sf_error err = { 0 };
	struct sf_policy *pol = NULL;
	struct sf_prog prog = { 0 };
	int r = sf_policy_build(b->p, &o, &pol, NULL, &err);
	if (r == 0)
		r = sf_policy_compile(pol, &prog, &err);
	if (r == 0)
		r = sf_policy_verify(pol, &prog, &checked, &err);
	sf_prog_free(&prog);
	sf_policy_free(pol);
	if (r < 0)
		return fail("sf_policy_verify", err.msg);

	double ours = median(t[0][0], RUNS), ref = median(t[1][0], RUNS);
	double speedup = ref / ours;
	printf("build %s: ours %.3f ms, libseccomp %.3f ms, %.1fx faster (target >= %.0fx: %s)\n",
	       s->label, ours * 1e3, ref * 1e3, speedup, s->min_speedup,
	       verdict(speedup >= s->min_speedup));
	printf("build %s, ours split: policy %.3f ms + compile %.3f ms + verify %.3f ms "
	       "(%zu inputs checked)\n",
	       s->label, median(t[2][0], RUNS) * 1e3, median(t[2][1], RUNS) * 1e3,
	       median(t[2][2], RUNS) * 1e3, checked);
	return 0;
}

/* 2. Program size. */
static void bench_size(const struct set *s, const struct progs *g)
{
	double lin = (double)g->ours.len / (double)g->linear.len;
	printf("size %s: ours %zu insns, libseccomp linear %zu (ours %.2fx), tree %zu (ours %.2fx) "
	       "(target <= 0.5x linear: %s)\n",
	       s->label, g->ours.len, g->linear.len, lin, g->tree.len,
	       (double)g->ours.len / (double)g->tree.len, verdict(lin <= 0.5));
}

static void x86_64_data(struct seccomp_data *d, long nr, uint64_t args)
{
	memset(d, 0, sizeof(*d));
	d->nr = (int)nr;
	d->arch = AUDIT_ARCH_X86_64;
	for (int i = 0; i < 6; i++)
		d->args[i] = args;
}

static int run(const struct sf_prog *prog, const struct seccomp_data *d, uint32_t *ret,
	       size_t *steps)
{
	struct sf_error err = { 0 };
	if (sf_bpf_emulate(prog->insns, prog->len, d, ret, steps, &err) < 0)
		return fail("sf_bpf_emulate", err.msg);
	return 0;
}

/* Appends " name" to list while it fits. */
static void list_add(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);
	if (n + strlen(name) + 5 < size)
		snprintf(list + n, size - n, " %s", name);
	else if (n + 5 < size && strcmp(list + n - 4, " ...") != 0)
		snprintf(list + n, size - n, " ...");
}

/* 3. Instructions run per x86_64 syscall (arguments 0). */
static int bench_steps(const struct bench *b, const struct set *s, const struct progs *g)
{
	const struct sf_prog *pr[3] = { &g->ours, &g->linear, &g->tree };
	size_t max[3] = { 0 }, n = 0, differ = 0, unknown = 0;
	double sum[3] = { 0 };
	char names[512] = "";

	for (size_t i = 0; i < sf_syscall_count(); i++) {
		long nr = sf_syscall_nr_at(b->x86_64, i);
		const char *name = sf_syscall_name_at(i);
		struct seccomp_data d;
		uint32_t ret[3];
		if (nr < 0)
			continue;
		x86_64_data(&d, nr, 0);
		for (int k = 0; k < 3; k++) {
			size_t steps = 0;
			if (run(pr[k], &d, &ret[k], &steps) < 0)
				return -1;
			sum[k] += (double)steps;
			if (steps > max[k])
				max[k] = steps;
		}
		n++;
		if (ret[0] == ret[1] && ret[0] == ret[2])
			continue;
		differ++;
		list_add(names, sizeof(names), name);
		unknown += seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) < 0;
	}
	double mean[3];
	for (int k = 0; k < 3; k++)
		mean[k] = sum[k] / (double)n;
	printf("steps %s, mean over %zu syscalls: ours %.2f, libseccomp linear %.2f, tree %.2f; "
	       "ours %.3fx tree (target <= 0.7x: %s)\n",
	       s->label, n, mean[0], mean[1], mean[2], mean[0] / mean[2],
	       verdict(mean[0] <= 0.7 * mean[2]));
	printf("steps %s, max: ours %zu, libseccomp linear %zu, tree %zu "
	       "(target ours <= tree: %s)\n",
	       s->label, max[0], max[1], max[2], verdict(max[0] <= max[2]));
	if (differ)
		printf("steps %s: note: the programs disagree on %zu syscalls, %zu of them "
		       "unknown to libseccomp %u.%u.%u (runc skips them):%s\n",
		       s->label, differ, unknown, seccomp_version()->major,
		       seccomp_version()->minor, seccomp_version()->micro, names);
	return 0;
}

/* Whether prog allows x86_64 syscall nr whatever the arguments (tried: all 0, all ~0). */
static int allows_any_args(const struct sf_prog *prog, long nr, bool *yes)
{
	struct seccomp_data d;
	uint32_t r0, r1;

	x86_64_data(&d, nr, 0);
	if (run(prog, &d, &r0, NULL) < 0)
		return -1;
	x86_64_data(&d, nr, UINT64_MAX);
	if (run(prog, &d, &r1, NULL) < 0)
		return -1;
	*yes = r0 == SECCOMP_RET_ALLOW && r1 == SECCOMP_RET_ALLOW;
	return 0;
}

/*
 * The kernel's action cache (seccomp_cache_prepare) marks (arch, nr) always-allowed when the
 * program, run with only those two words known, reaches RET ALLOW: any other load, or an
 * instruction the kernel does not model there, leaves it out.
 */
static int cacheable(const struct sf_prog *prog, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->insns[pc];
		int taken;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return 0;
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			continue;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			taken = a == f->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			taken = a > f->k;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			taken = a >= f->k;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			taken = (a & f->k) != 0;
			break;
		default:
			return 0;
		}
		pc += taken ? f->jt : f->jf;
	}
	return 0;
}

/* Whether the profile has a rule with argument conditions naming name. */
static int has_arg_rule(const struct sf_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t j = 0; p->rules[i].nargs && j < p->rules[i].nnames; j++)
			if (strcmp(p->rules[i].names[j], name) == 0)
				return 1;
	return 0;
}

/* 4. Every syscall we allow on its number alone is one the kernel's cache can skip. */
static int bench_cache(const struct bench *b, const struct set *s, const struct progs *g)
{
	size_t n = 0, ours = 0, nref = 0, ref = 0;
	char missed[512] = "";

	for (size_t i = 0; i < sf_syscall_count(); i++) {
		long nr = sf_syscall_nr_at(b->x86_64, i);
		const char *name = sf_syscall_name_at(i);
		bool ok;
		if (nr < 0 || has_arg_rule(b->p, name))
			continue;
		if (allows_any_args(&g->ours, nr, &ok) < 0)
			return -1;
		if (ok) {
			n++;
			if (cacheable(&g->ours, AUDIT_ARCH_X86_64, (uint32_t)nr))
				ours++;
			else
				list_add(missed, sizeof(missed), name);
		}
		/* libseccomp's on its own set (it does not know some names). */
		if (allows_any_args(&g->runc, nr, &ok) < 0)
			return -1;
		if (ok) {
			nref++;
			ref += (size_t)cacheable(&g->runc, AUDIT_ARCH_X86_64, (uint32_t)nr);
		}
	}
	printf("cache %s: ours %zu of %zu number-only allowed syscalls cacheable; libseccomp "
	       "(level %d) %zu of %zu (target all of ours: %s)\n",
	       s->label, ours, n, g->runc_level, ref, nref, verdict(ours == n));
	if (ours != n)
		printf("cache %s: not cacheable in ours:%s\n", s->label, missed);
	return 0;
}

/*
 * 5. The real kernel. The refused call is keyctl with an operation number no kernel defines:
 * Docker's profile does not allow keyctl, and without a filter the kernel answers EOPNOTSUPP
 * before touching any keyring or user memory, so it is harmless when the "no filter" and
 * "allow-all" runs (as root) let it through. (kexec_load(0, 0, NULL, 0) would unload a loaded
 * kexec kernel, acct(NULL) would switch process accounting off, and add_key(NULL, ...) takes a
 * page-fault fixup path.) personality(0xffffffff) only reads the persona; Docker allows it for
 * this value among a few, so the filter must test the argument and the action cache cannot
 * skip it. The allow-all filter (one RET ALLOW) shows what merely having a filter costs.
 */
#define KEYCTL_NO_SUCH_OP 0x7fffffffL

enum { CALL_GETPPID, CALL_KEYCTL, CALL_PERSONALITY, NCALLS };
static const char *const call_label[NCALLS] = {
	"getppid (allowed, cacheable)",
	"keyctl (refused, EPERM)",
	"personality(0xffffffff) (argument test)",
};

enum { CONF_NONE, CONF_ALLOW_ALL, CONF_OURS, CONF_REF, NCONFS };

struct kresult {
	int failed_errno; /* installing the filter failed with this */
	int keyctl_errno;
	long personality_ret;
	double ns[NCALLS];
};

static double time_call(int call)
{
	double t0 = cpu_now();
	switch (call) {
	case CALL_GETPPID:
		for (long i = 0; i < KERNEL_CALLS; i++)
			syscall(SYS_getppid);
		break;
	case CALL_KEYCTL:
		for (long i = 0; i < KERNEL_CALLS; i++)
			syscall(SYS_keyctl, KEYCTL_NO_SUCH_OP, 0L, 0L, 0L, 0L);
		break;
	case CALL_PERSONALITY:
		for (long i = 0; i < KERNEL_CALLS; i++)
			syscall(SYS_personality, 0xffffffffUL);
		break;
	}
	return (cpu_now() - t0) / (double)KERNEL_CALLS * 1e9;
}

static void write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		c += w;
		n -= (size_t)w;
	}
}

/* In the forked child: install prog (NULL: none), time each call once, report through fd. */
static void __attribute__((noreturn)) kernel_child(const struct sf_prog *prog, int fd)
{
	struct kresult res = { 0 };

	if (prog) {
		struct sock_fprog fp = { .len = (unsigned short)prog->len, .filter = prog->insns };
		/* No SECCOMP_FILTER_FLAG_SPEC_ALLOW: runc does not pass it for Docker's profile. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0) {
			res.failed_errno = errno;
			write_all(fd, &res, sizeof(res));
			_exit(1);
		}
	}
	res.keyctl_errno = syscall(SYS_keyctl, KEYCTL_NO_SUCH_OP, 0L, 0L, 0L, 0L) < 0 ? errno : 0;
	res.personality_ret = syscall(SYS_personality, 0xffffffffUL);
	for (int c = 0; c < NCALLS; c++)
		res.ns[c] = time_call(c);
	write_all(fd, &res, sizeof(res));
	_exit(0);
}

static int kernel_measure(const char *label, const struct sf_prog *prog, bool refuses,
			  struct kresult *res)
{
	int fds[2], status;
	size_t got = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return fail("pipe", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return fail("fork", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		kernel_child(prog, fds[1]);
	}
	close(fds[1]);
	while (got < sizeof(*res)) {
		ssize_t n = read(fds[0], (char *)res + got, sizeof(*res) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid", strerror(errno));
	if (got != sizeof(*res))
		return fail(label, "the measuring child died without a result");
	if (res->failed_errno)
		return fail(label, strerror(res->failed_errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail(label, "the measuring child failed");
	if ((res->keyctl_errno == EPERM) != refuses)
		return fail(label, refuses ? "keyctl was not refused with EPERM under the filter"
					   : "keyctl gave EPERM without a refusing filter");
	if (res->personality_ret < 0)
		return fail(label, "personality(0xffffffff) failed");
	return 0;
}

/* What the emulated programs say about the three calls must be what the timings assume. */
static int kernel_precheck(const struct progs *g)
{
	static const struct {
		long nr;
		uint64_t arg0;
		uint32_t want;
	} calls[NCALLS] = {
		[CALL_GETPPID] = { SYS_getppid, 0, SECCOMP_RET_ALLOW },
		[CALL_KEYCTL] = { SYS_keyctl, KEYCTL_NO_SUCH_OP, SECCOMP_RET_ERRNO | EPERM },
		[CALL_PERSONALITY] = { SYS_personality, 0xffffffffu, SECCOMP_RET_ALLOW },
	};
	const struct sf_prog *pr[2] = { &g->ours, &g->runc };

	for (int c = 0; c < NCALLS; c++)
		for (int k = 0; k < 2; k++) {
			struct seccomp_data d;
			uint32_t ret;
			x86_64_data(&d, calls[c].nr, 0);
			d.args[0] = calls[c].arg0;
			if (run(pr[k], &d, &ret, NULL) < 0)
				return -1;
			if (ret != calls[c].want)
				return fail(call_label[c],
					    "the program does not give the expected action");
		}
	for (int k = 0; k < 2; k++)
		if (!cacheable(pr[k], AUDIT_ARCH_X86_64, SYS_getppid) ||
		    cacheable(pr[k], AUDIT_ARCH_X86_64, SYS_personality))
			return fail("kernel", "getppid/personality cacheability is not as assumed");
	return 0;
}

static int bench_kernel(const struct set *s, const struct progs *g)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	const struct sf_prog allow_all = { &allow, 1 };
	const struct sf_prog *prog[NCONFS] = { NULL, &allow_all, &g->ours, &g->runc };
	const bool refuses[NCONFS] = { false, false, true, true };
	const char *label[NCONFS] = { "no filter", "allow-all filter", "ours", "libseccomp" };
	double ns[NCONFS][NCALLS][KERNEL_RUNS], med[NCONFS][NCALLS];

	if (kernel_precheck(g) < 0)
		return -1;
	/* Rounds, each configuration once a round in a rotating order, so that a change of load
	 * during the seconds this takes spreads over all of them. */
	for (int r = 0; r < KERNEL_RUNS; r++)
		for (int i = 0; i < NCONFS; i++) {
			int c = (i + r) % NCONFS;
			struct kresult res;
			if (kernel_measure(label[c], prog[c], refuses[c], &res) < 0)
				return -1;
			for (int k = 0; k < NCALLS; k++)
				ns[c][k][r] = res.ns[k];
		}
	double spread = 0;
	for (int c = 0; c < NCONFS; c++)
		for (int k = 0; k < NCALLS; k++) {
			med[c][k] = median(ns[c][k], KERNEL_RUNS); /* sorts */
			double d = (ns[c][k][KERNEL_RUNS - 1] - ns[c][k][0]) / med[c][k];
			if (d > spread)
				spread = d;
		}
	for (int k = 0; k < NCALLS; k++)
		printf("syscall %s, %s filter, CPU ns/call: no filter %.1f, allow-all %.1f, ours "
		       "%.1f, libseccomp (level %d) %.1f; ours/libseccomp %.2fx (above allow-all: "
		       "ours %+.1f, libseccomp %+.1f)\n",
		       call_label[k], s->label, med[CONF_NONE][k], med[CONF_ALLOW_ALL][k],
		       med[CONF_OURS][k], g->runc_level, med[CONF_REF][k],
		       med[CONF_OURS][k] / med[CONF_REF][k],
		       med[CONF_OURS][k] - med[CONF_ALLOW_ALL][k],
		       med[CONF_REF][k] - med[CONF_ALLOW_ALL][k]);
	/* getppid never runs a filter (the action cache answers), so its figures under the three
	 * filters differ by noise alone: a yardstick for the others. */
	printf("syscall noise: runs of one configuration differ by up to %.0f%% of their median\n",
	       spread * 100);
	return 0;
}

static int load_profile(const char *path, struct sf_profile **out)
{
	struct sf_profile *p = NULL;
	struct sf_target t = { 0 }; /* native arch, Docker's default caps, running kernel */
	struct sf_error err = { 0 };
	char msg[SF_ERROR_MSG_MAX + 512];

	*out = NULL;
	if (sf_profile_read(path, SF_DOC_JSON, NULL, &p, &err) < 0) {
		sf_profile_free(p);
		sf_error_format(&err, msg, sizeof(msg));
		return fail("reading the profile", msg);
	}
	int r = sf_profile_resolve(p, &t, out, &err);
	sf_profile_free(p);
	if (r < 0) {
		sf_error_format(&err, msg, sizeof(msg));
		return fail("sf_profile_resolve", msg);
	}
	return 0;
}

int main(void)
{
	const char *shared = getenv("SYSFENCE_SHARED");
	struct sf_profile *p = NULL;
	struct utsname u;
	char path[4096], load[128];
	int status = 0;

	snprintf(path, sizeof(path), "%s/corpus/profiles/docker-default.json",
		 shared ? shared : "../shared");
	if (access(path, R_OK) < 0) {
		printf("compile docker-default.json: skipped (%s: %s)\n", path, strerror(errno));
		return 0;
	}
	const struct sf_arch *x86_64 = sf_arch_find("x86_64");
	if (sf_arch_native() != x86_64) {
		printf("compile docker-default.json: skipped (measured on x86_64 hosts only)\n");
		return 0;
	}
	if (load_profile(path, &p) < 0)
		return 1;

	struct bench b = { .p = p, .x86_64 = x86_64 };
	struct set sets[] = {
		{ "x86_64", { x86_64 }, 1, 20 },
		{ "x86_64+x86+x32", { x86_64, sf_arch_find("x86"), sf_arch_find("x32") }, 3, 100 },
	};
	const size_t nsets = sizeof(sets) / sizeof(sets[0]);
	struct progs g[2];

	uname(&u);
	loadavg(load, sizeof(load));
	printf("compile docker-default.json (resolved: %zu rules; kernel %s; libseccomp %u.%u.%u); "
	       "load average %s\n",
	       p->nrules, u.release, seccomp_version()->major, seccomp_version()->minor,
	       seccomp_version()->micro, load);

	for (size_t i = 0; i < nsets; i++)
		if (progs_build(&b, &sets[i], &g[i]) < 0) {
			for (size_t j = 0; j <= i; j++)
				progs_free(&g[j]);
			sf_profile_free(p);
			return 1;
		}
	for (size_t i = 0; i < nsets; i++)
		if (bench_build(&b, &sets[i]) < 0)
			status = 1;
	for (size_t i = 0; i < nsets; i++)
		bench_size(&sets[i], &g[i]);
	for (size_t i = nsets; i-- > 0;)
		if (bench_steps(&b, &sets[i], &g[i]) < 0)
			status = 1;
	for (size_t i = nsets; i-- > 0;)
		if (bench_cache(&b, &sets[i], &g[i]) < 0)
			status = 1;
	/* What runc installs for Docker on amd64: the three-arch program. */
	if (bench_kernel(&sets[1], &g[1]) < 0)
		status = 1;
	loadavg(load, sizeof(load));
	printf("compile: load average at the end %s\n", load);

	for (size_t i = 0; i < nsets; i++)
		progs_free(&g[i]);
	sf_profile_free(p);
	return status;
}
