/*
 * bench/record: what `sysfence record` costs a syscall-heavy program, against strace (the
 * usual way to find what a program calls): N getppid calls (default 1,000,000) untraced, under
 * `strace -f -c -o /dev/null`, under `sysfence record`, and under `sysfence record --mechanism
 * ptrace`. Target: record <= 0.1x strace's wall time; the ptrace mechanism's ratio is reported
 * too. `bench/record N` sets the count; this program is its own workload (--loop N).
 *
 * The ratio depends on what else the machine does. Idle, strace's tracer and its tracee run
 * on different CPUs and every stop pays two cross-CPU wake-ups (tens of microseconds on these
 * VMs), while the user-notification listener wakes its supervisor synchronously
 * (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP). With the other CPU busy the scheduler keeps tracer and
 * tracee on one CPU and strace gets several times faster. So the load average is printed
 * before and after.
 */
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time of one run of argv, in seconds; -1 when it fails. */
static double measure(char *const *argv)
{
	pid_t pid;
	int st;
	double t0 = now();
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return now() - t0;
}

/* The 1-minute load average, or -1. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

/* The best of k runs: the least disturbed by the rest of the machine. */
static double best(char *const *argv, int k)
{
	double b = -1;
	for (int i = 0; i < k; i++) {
		double t = measure(argv);
		if (t < 0)
			return -1;
		if (b < 0 || t < b)
			b = t;
	}
	return b;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--loop") == 0) {
		long n = atol(argv[2]);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	char sysfence[PATH_MAX], rel[PATH_MAX], self[PATH_MAX];
	const char *build = getenv("SYSFENCE_BUILD");
	snprintf(rel, sizeof(rel), "%s/sysfence", build ? build : "build");
	if (!realpath(rel, sysfence) || access(sysfence, X_OK) < 0 ||
	    !realpath("/proc/self/exe", self)) {
		fprintf(stderr, "bench/record: %s not found\n", rel);
		return 1;
	}
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int k = argc > 2 ? atoi(argv[2]) : 3;
	char count[32];
	snprintf(count, sizeof(count), "%ld", n);
	char *bare[] = { self, "--loop", count, NULL };
	char *strace[] = { "/usr/bin/strace", "-f", "-c", "-o", "/dev/null", self, "--loop", count,
			   NULL };
	char *ours[] = { sysfence, "record", "-o", "/dev/null", "--", self, "--loop", count, NULL };
	char *pt[] = { sysfence, "record", "--mechanism", "ptrace", "-o", "/dev/null", "--", self,
		       "--loop", count, NULL };

	double load0 = loadavg();
	double t_bare = best(bare, k), t_ours = best(ours, k);
	double t_strace = access(strace[0], X_OK) == 0 ? best(strace, k) : -1;
	double t_pt = best(pt, k);
	if (t_bare < 0 || t_ours < 0 || t_pt < 0) {
		fprintf(stderr, "bench/record: a run failed\n");
		return 1;
	}
	printf("record: %ld getppid calls (best of %d): untraced %.3f s, sysfence record %.3f s "
	       "(%.2f us a call)\n",
	       n, k, t_bare, t_ours, (t_ours - t_bare) / (double)n * 1e6);
	/* ptrace stops each call twice (entry and exit), as strace does: no target, a figure. */
	printf("record: sysfence record --mechanism ptrace %.3f s (%.2f us a call), %.1fx "
	       "notify's\n",
	       t_pt, (t_pt - t_bare) / (double)n * 1e6, t_pt / t_ours);
	if (t_strace < 0) {
		printf("record: strace not found: no reference\n");
		return 0;
	}
	double ratio = t_ours / t_strace, load1 = loadavg();
	printf("record: load average %.2f before, %.2f after (other work on the CPUs makes "
	       "strace faster)\n",
	       load0, load1);
	printf("record: strace -f -c %.3f s (%.2f us a call); sysfence record / strace = %.3fx "
	       "(target <= 0.1x: %s)\n",
	       t_strace, (t_strace - t_bare) / (double)n * 1e6, ratio,
	       ratio <= 0.1 ? "met" : "MISSED");
	printf("record: sysfence record --mechanism ptrace / strace = %.3fx\n", t_pt / t_strace);
	return 0;
}
