/*
 * bench/dump: the time `sysfence dump` takes on Docker's default filter, in its two parts:
 * reading the filter of a live process (PTRACE_SEIZE, INTERRUPT, GET_FILTER, DETACH: the time
 * the process is stopped) and decompiling + verifying it. Two programs of the same profile: ours
 * (as under `sysfence run`) and libseccomp's (as under crun/runc). For scale, in the same run:
 * how long libseccomp takes to build that program, and how long we take to compile it.
 * Reading needs root (skipped otherwise).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sysfence/inspect.h>
#include <sysfence/sysfence.h>

#include "support/oracle.h"

#define READS	  200
#define DECOMPILE 20
#define BUILDS	  50

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A child under prog, waiting to be read. */
static pid_t confined(const struct sf_prog *prog)
{
	int p[2];
	char c;
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct sock_fprog f = {.len = (unsigned short)prog->len, .filter = prog->insns};
		close(p[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

static int one(const char *label, const struct sf_prog *prog, double *read_us, double *dec_ms)
{
	double t[READS > DECOMPILE ? READS : DECOMPILE];
	struct sf_error err = {0};
	struct sf_decompiled d;

	*read_us = -1;
	if (geteuid() == 0) {
		pid_t pid = confined(prog);
		if (pid < 0) {
			fprintf(stderr, "%s: cannot start a confined child\n", label);
			return 1;
		}
		for (int i = 0; i < READS; i++) {
			struct sf_prog *progs;
			size_t n;
			double t0 = now();
			if (sf_filters_read(pid, &progs, &n, &err) < 0 || n != 1 ||
			    progs[0].len != prog->len) {
				fprintf(stderr, "%s: read: %s\n", label, err.msg);
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				return 1;
			}
			t[i] = now() - t0;
			sf_filters_free(progs, n);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		*read_us = median(t, READS) * 1e6;
	}
	for (int i = 0; i < DECOMPILE; i++) {
		double t0 = now();
		if (sf_decompile(prog, 1, NULL, &d, &err) < 0 || !d.exact) {
			fprintf(stderr, "%s: decompile: %s\n", label, err.msg);
			sf_decompiled_clear(&d);
			return 1;
		}
		t[i] = now() - t0;
		if (i == 0)
			printf("  %-22s %4zu instructions, %zu rules recovered, verified on %zu "
			       "inputs\n",
			       label, prog->len, d.profile->nrules, d.nchecked);
		sf_decompiled_clear(&d);
	}
	*dec_ms = median(t, DECOMPILE) * 1e3;
	return 0;
}

int main(void)
{
	struct sf_profile *p = NULL, *r = NULL;
	struct sf_error err = {0};
	struct sf_prog ours = {0}, lib = {0};
	double t[BUILDS], ours_ms, lib_ms;
	char lerr[256];

	if (sf_profile_builtin("@runtime-default", &p, &err) < 0 ||
	    sf_profile_resolve(p, NULL, &r, &err) < 0) {
		fprintf(stderr, "dump bench: %s\n", err.msg);
		return 1;
	}
	const struct sf_arch *x86_64 = sf_arch_find("x86_64"), *x86 = sf_arch_find("x86"),
			     *x32 = sf_arch_find("x32");
	const struct sf_arch *arches[] = {x86_64, x32, x86};
	struct oracle_opts oo = {.arches = arches, .narches = 3};
	struct sf_compile_opts co = {.arches = arches, .narches = 3};
	struct sf_profile *common = oracle_profile_common(r, arches, 3, NULL);

	for (int i = 0; i < BUILDS; i++) {
		double t0 = now();
		sf_prog_free(&ours);
		if (sf_bpf_compile(r, &co, &ours, NULL, &err) < 0) {
			fprintf(stderr, "dump bench: compile: %s\n", err.msg);
			return 1;
		}
		t[i] = now() - t0;
	}
	ours_ms = median(t, BUILDS) * 1e3;
	for (int i = 0; i < BUILDS; i++) {
		double t0 = now();
		sf_prog_free(&lib);
		if (oracle_build_opts(common, &oo, &lib, NULL, lerr, sizeof(lerr)) < 0) {
			fprintf(stderr, "dump bench: libseccomp: %s\n", lerr);
			return 1;
		}
		t[i] = now() - t0;
	}
	lib_ms = median(t, BUILDS) * 1e3;

	printf("sysfence dump of Docker's default filter (x86_64, x32, x86), medians:\n");
	double r1, d1, r2, d2;
	if (one("our program", &ours, &r1, &d1) || one("libseccomp's program", &lib, &r2, &d2))
		return 1;
	printf("  %-22s %10s %14s %12s\n", "", "read (us)", "decompile (ms)", "total (ms)");
	if (r1 >= 0) {
		printf("  %-22s %10.1f %14.2f %12.2f\n", "our program", r1, d1, r1 / 1e3 + d1);
		printf("  %-22s %10.1f %14.2f %12.2f\n", "libseccomp's program", r2, d2,
		       r2 / 1e3 + d2);
	} else {
		printf("  (not root: the live read is not measured)\n");
		printf("  %-22s %10s %14.2f\n", "our program", "-", d1);
		printf("  %-22s %10s %14.2f\n", "libseccomp's program", "-", d2);
	}
	printf("  for scale: libseccomp builds that program in %.2f ms, sysfence compile (with its "
	       "proof) in %.2f ms\n",
	       lib_ms, ours_ms);
	printf("  ratio: dump of libseccomp's program / libseccomp's build = %.2f\n",
	       ((r2 > 0 ? r2 / 1e3 : 0) + d2) / lib_ms);
	sf_prog_free(&ours);
	sf_prog_free(&lib);
	sf_profile_free(common);
	sf_profile_free(r);
	sf_profile_free(p);
	return 0;
}
