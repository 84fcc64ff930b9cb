/*
 * bench/run: what `sysfence run` adds to starting a command (target: under 1 ms), against
 * the command alone and against crun running the same profile in a container, all measured
 * in one run: `sysfence run --profile @runtime-default -- /bin/true` vs `/bin/true` vs crun.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median wall time of n runs of argv, in ms; -1 when it fails. */
static double measure(char *const *argv, int n)
{
	double *t = calloc((size_t)n, sizeof(*t));
	for (int i = 0; i < n; i++) {
		pid_t pid;
		int st;
		double t0 = now();
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			free(t);
			return -1;
		}
		t[i] = (now() - t0) * 1e3;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	double m = t[n / 2];
	free(t);
	return m;
}

static int sh(const char *cmd)
{
	int r = system(cmd);
	return r == 0 ? 0 : -1;
}

/* The floor of any runner: load a ready program and exec; nothing else. */
static int load_and_exec(const char *file, char **cmd)
{
	static struct sock_filter f[4096];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, f, sizeof(f));
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 98;
	struct sock_fprog p = { .len = (unsigned short)(n / 8), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &p) < 0)
		return 99;
	execv(cmd[0], cmd);
	return 97;
}

int main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "--load") == 0)
		return load_and_exec(argv[2], argv + 3);
	char sysfence[4096], rel[4096], dir[] = "/tmp/sysfence-bench-run-XXXXXX";
	const char *build = getenv("SYSFENCE_BUILD");
	snprintf(rel, sizeof(rel), "%s/sysfence", build ? build : "build");
	if (!realpath(rel, sysfence) || access(sysfence, X_OK) < 0) {
		fprintf(stderr, "bench/run: %s not found\n", sysfence);
		return 1;
	}
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char *bare[] = { "/bin/true", NULL };
	char *ours[] = { sysfence, "run", "--profile", "@runtime-default", "--", "/bin/true", NULL };
	char *ours_cold[] = { sysfence, "run", "--no-cache", "--profile", "@runtime-default", "--",
			      "/bin/true", NULL };
	char *ours_explain[] = { sysfence, "run", "--explain", "--explain-log", "/dev/null",
				 "--profile", "@runtime-default", "--", "/bin/true", NULL };
	/* warm up the page cache, and sysfence's cache of verified programs */
	measure(bare, 5);
	measure(ours, 5);
	double t_bare = measure(bare, n), t_ours = measure(ours, n), t_cold = measure(ours_cold, n),
	       t_explain = measure(ours_explain, n / 4 > 10 ? n / 4 : 10);
	if (t_bare < 0 || t_ours < 0 || t_cold < 0) {
		fprintf(stderr, "bench/run: a command failed\n");
		return 1;
	}
	printf("run /bin/true: alone %.3f ms, sysfence run @runtime-default %.3f ms: adds %.3f ms "
	       "(target < 1 ms: %s)\n",
	       t_bare, t_ours, t_ours - t_bare, t_ours - t_bare < 1.0 ? "met" : "MISSED");
	printf("run --no-cache (compile and prove every time): %.3f ms: adds %.3f ms\n", t_cold,
	       t_cold - t_bare);
	/* The floor: another exec and the kernel installing the same program, nothing else. */
	char prog[] = "/tmp/sysfence-bench-run-prog-XXXXXX", self[PATH_MAX];
	int pfd = mkstemp(prog);
	if (pfd >= 0 && realpath(argv[0], self)) {
		close(pfd);
		char *comp[] = { sysfence, "compile", "-o", prog, "@runtime-default", NULL };
		char *floor_cmd[] = { self, "--load", prog, "/bin/true", NULL };
		if (measure(comp, 1) >= 0) {
			double t_floor = measure(floor_cmd, n);
			if (t_floor >= 0)
				printf("a minimal loader (load the same program, exec): %.3f ms: adds "
				       "%.3f ms; sysfence run's own share: %.3f ms\n",
				       t_floor, t_floor - t_bare, t_ours - t_floor);
		}
		unlink(prog);
	}
	if (t_explain >= 0)
		printf("run --explain /bin/true: %.3f ms (adds %.3f ms: a supervisor process)\n",
		       t_explain, t_explain - t_bare);

	/* crun: a busybox rootfs, the same profile in config.json, the machine's cgroup2 dance. */
	if (!mkdtemp(dir) || access("/usr/bin/crun", X_OK) < 0 || access("/bin/busybox", X_OK) < 0) {
		printf("run crun: skipped (crun or busybox missing)\n");
		return 0;
	}
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; mkdir -p rootfs/bin rootfs/proc rootfs/dev rootfs/sys rootfs/tmp; "
		 "cp /bin/busybox rootfs/bin/; ln -s busybox rootfs/bin/true; ln -s busybox rootfs/bin/sh; "
		 "crun spec >/dev/null; %s show @runtime-default --resolve > profile.json; "
		 "python3 - <<'PY'\n"
		 "import json\n"
		 "c = json.load(open('config.json'))\n"
		 "c['process']['terminal'] = False\n"
		 "c['process']['args'] = ['/bin/true']\n"
		 "c['root']['readonly'] = False\n"
		 "c['linux']['seccomp'] = json.load(open('profile.json'))\n"
		 "c['linux'].pop('resources', None)\n"
		 "json.dump(c, open('config.json', 'w'))\n"
		 "PY\n",
		 dir, sysfence);
	if (sh(cmd) < 0) {
		printf("run crun: skipped (could not build the bundle)\n");
		return 0;
	}
	char script[4096];
	snprintf(script, sizeof(script),
		 "cd %s && mount --make-rprivate / && umount -R /sys/fs/cgroup && "
		 "mount -t cgroup2 none /sys/fs/cgroup && for i in $(seq %d); do "
		 "crun --cgroup-manager=disabled run bench-$$-$i >/dev/null || exit 1; done",
		 dir, n / 10 > 5 ? n / 10 : 5);
	char *crun[] = { "/usr/bin/unshare", "-m", "sh", "-c", script, NULL };
	double t0 = now();
	pid_t pid;
	int st;
	int runs = n / 10 > 5 ? n / 10 : 5;
	if (posix_spawn(&pid, crun[0], NULL, NULL, crun, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("run crun: skipped (crun failed on this machine)\n");
	} else {
		double t_crun = (now() - t0) * 1e3 / runs;
		printf("run crun @runtime-default /bin/true: %.3f ms per container (mean of %d); "
		       "sysfence run adds %.1fx less than crun's %.3f ms over the bare command\n",
		       t_crun, runs, (t_crun - t_bare) / (t_ours - t_bare > 0.001 ? t_ours - t_bare : 0.001),
		       t_crun - t_bare);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	sh(cmd);
	return 0;
}
