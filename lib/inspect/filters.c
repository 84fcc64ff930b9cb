/* A live process's seccomp state: /proc/PID/status, and its filters through ptrace. */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sysfence/inspect.h>

#include "util/util.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* The fields of /proc/PID/status this file needs. */
struct proc_status {
	int mode, nfilters;
	bool nnp;
	long tracer;
	uint64_t cap_eff;
	bool has_cap_eff;
};

static int status_read(pid_t pid, struct proc_status *st, struct sf_error *err)
{
	char path[64], line[512];
	FILE *f;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	*st = (struct proc_status){.mode = -1, .nfilters = -1};
	f = fopen(path, "re");
	if (!f) {
		int e = errno;
		if (e == ENOENT)
			return sf_error_set(err, -ESRCH, "no process %d (%s does not exist)",
					    (int)pid, path);
		return sf_error_set(err, -e, "%s: %s", path, strerror(e));
	}
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');
		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(line, "Seccomp") == 0)
			st->mode = (int)strtol(v, NULL, 10);
		else if (strcmp(line, "Seccomp_filters") == 0)
			st->nfilters = (int)strtol(v, NULL, 10);
		else if (strcmp(line, "NoNewPrivs") == 0)
			st->nnp = strtol(v, NULL, 10) != 0;
		else if (strcmp(line, "TracerPid") == 0)
			st->tracer = strtol(v, NULL, 10);
		else if (strcmp(line, "CapEff") == 0) {
			st->cap_eff = strtoull(v, NULL, 16);
			st->has_cap_eff = true;
		}
	}
	fclose(f);
	return 0;
}

int sf_proc_seccomp(pid_t pid, int *mode, int *nfilters, bool *nnp, struct sf_error *err)
{
	struct proc_status st;
	int r;

	if (pid <= 0)
		return sf_error_set(err, -EINVAL, "invalid process id %d", (int)pid);
	r = status_read(pid, &st, err);
	if (r < 0)
		return r;
	if (mode)
		*mode = st.mode;
	if (nfilters)
		*nfilters = st.nfilters;
	if (nnp)
		*nnp = st.nnp;
	return 0;
}

void sf_filters_free(struct sf_prog *progs, size_t n)
{
	if (!progs)
		return;
	for (size_t i = 0; i < n; i++)
		sf_prog_free(&progs[i]);
	free(progs);
}

/* Why PTRACE_SEIZE said EPERM: another tracer, or ptrace refused to us. */
static int seize_refused(pid_t pid, struct sf_error *err)
{
	struct proc_status st;
	char scope[16] = "";
	FILE *f;

	if (status_read(pid, &st, NULL) == 0 && st.tracer != 0)
		return sf_error_set(
		    err, -EBUSY,
		    "process %d is already traced by process %ld (a debugger, strace, "
		    "a recorder): a process has one tracer; detach it and retry",
		    (int)pid, st.tracer);
	if (pid == getpid() || pid == gettid())
		return sf_error_set(err, -EPERM, "a process cannot ptrace itself (pid %d)",
				    (int)pid);
	f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f) {
		if (!fgets(scope, sizeof(scope), f))
			scope[0] = '\0';
		fclose(f);
		scope[strcspn(scope, "\n")] = '\0';
	}
	return sf_error_set(err, -EPERM,
			    "ptrace refused on process %d: it needs CAP_SYS_PTRACE over the target "
			    "(root in its user namespace)%s%s%s",
			    (int)pid, scope[0] ? "; Yama ptrace_scope is " : "", scope,
			    strcmp(scope, "3") == 0 ? " (no attaching at all until reboot)" : "");
}

/* Wait for the stop PTRACE_INTERRUPT asks for; *sig is a signal to give back on detach. */
static int wait_stop(pid_t pid, int *sig, struct sf_error *err)
{
	int status;

	*sig = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return sf_error_set(err, -errno, "waiting for process %d to stop: %s",
					    (int)pid, strerror(errno));
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return sf_error_set(err, -ESRCH, "process %d exited while being read",
					    (int)pid);
		if (!WIFSTOPPED(status))
			continue;
		/* A signal-delivery stop (the signal arrived before our interrupt) holds the
		 * signal: it is given back on detach. Event stops (ours, group stops) hold none. */
		if ((status >> 16) == 0)
			*sig = WSTOPSIG(status);
		return 0;
	}
}

/* Read filter after filter from a stopped tracee. */
static int get_filters(pid_t pid, struct sf_prog **out, size_t *nout, struct sf_error *err)
{
	struct sf_prog *progs = NULL;
	size_t n = 0;
	int r = 0;

	for (;; n++) {
		long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(uintptr_t)n, NULL);
		if (len < 0) {
			int e = errno;
			if (e == ENOENT)
				break;
			switch (e) {
			case EACCES:
				/* Checked before attaching: this means our state changed meanwhile.
				 */
				r = sf_error_set(
				    err, -EACCES,
				    "the kernel refused PTRACE_SECCOMP_GET_FILTER: it needs "
				    "CAP_SYS_ADMIN in the initial user namespace and a caller "
				    "not itself under seccomp");
				break;
			case EINVAL:
				if (n == 0) {
					struct proc_status st;
					if (status_read(pid, &st, NULL) == 0 && st.mode != 2) {
						/* It left filter mode: impossible, but not an
						 * error. */
						goto done;
					}
				}
				r = sf_error_set(
				    err, -EOPNOTSUPP,
				    "the kernel cannot return seccomp filters: "
				    "PTRACE_SECCOMP_GET_FILTER answered EINVAL for a process "
				    "in filter mode, so it was built without "
				    "CONFIG_CHECKPOINT_RESTORE");
				break;
			case EIO:
				r = sf_error_set(
				    err, -EOPNOTSUPP,
				    "the kernel does not know PTRACE_SECCOMP_GET_FILTER "
				    "(Linux ≥ 4.4 with CONFIG_CHECKPOINT_RESTORE needed)");
				break;
			case EMEDIUMTYPE:
				r = sf_error_set(
				    err, -EMEDIUMTYPE,
				    "filter %zu of process %d is not a classic BPF program: "
				    "the kernel keeps nothing to return",
				    n, (int)pid);
				break;
			case ESRCH:
				r = sf_error_set(err, -ESRCH, "process %d exited while being read",
						 (int)pid);
				break;
			default:
				r = sf_error_set(err, -e,
						 "PTRACE_SECCOMP_GET_FILTER %zu on process %d: %s",
						 n, (int)pid, strerror(e));
			}
			goto fail;
		}
		if (len == 0 || len > SF_BPF_MAXINSNS) {
			r = sf_error_set(err, -EPROTO,
					 "filter %zu of process %d: the kernel gave a "
					 "length of %ld instructions",
					 n, (int)pid, len);
			goto fail;
		}
		struct sf_prog *grown = realloc(progs, (n + 1) * sizeof(*progs));
		if (!grown) {
			r = sf_error_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		progs = grown;
		progs[n] = (struct sf_prog){
		    .insns = calloc((size_t)len, sizeof(struct sock_filter)), .len = (size_t)len};
		if (!progs[n].insns) {
			n++;
			r = sf_error_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		long got =
		    ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)(uintptr_t)n, progs[n].insns);
		if (got != len) {
			int e = errno;
			n++;
			r = sf_error_set(err, got < 0 ? -e : -EPROTO,
					 "reading filter %zu of process %d: %s", n - 1, (int)pid,
					 got < 0 ? strerror(e) : "its length changed");
			goto fail;
		}
		if (n >= SF_BPF_MAX_TOTAL_INSNS) {
			n++;
			r = sf_error_set(err, -EPROTO,
					 "process %d: more filters than the kernel allows",
					 (int)pid);
			goto fail;
		}
	}
done:
	*out = progs;
	*nout = n;
	return 0;
fail:
	sf_filters_free(progs, n);
	return r;
}

int sf_filters_read(pid_t pid, struct sf_prog **progs, size_t *n, struct sf_error *err)
{
	struct proc_status target, self;
	int r, sig = 0;

	*progs = NULL;
	*n = 0;
	if (pid <= 0)
		return sf_error_set(err, -EINVAL, "invalid process id %d", (int)pid);
	r = status_read(pid, &target, err);
	if (r < 0)
		return r;
	/* Disabled or strict mode: no filter to read, nothing to stop. */
	if (target.mode != 2)
		return 0;
	r = status_read(0, &self, err);
	if (r < 0)
		return r;
	if (self.mode != 0)
		return sf_error_set(
		    err, -EACCES,
		    "this process runs under seccomp (mode %s): the kernel returns "
		    "filters only to an unconfined caller, so not inside a container "
		    "or under sysfence run",
		    self.mode == 1 ? "strict" : "filter");
	if (self.has_cap_eff && !(self.cap_eff & (UINT64_C(1) << CAP_SYS_ADMIN)))
		return sf_error_set(err, -EPERM,
				    "reading seccomp filters needs CAP_SYS_ADMIN (run as root)");
	if (target.tracer != 0)
		return sf_error_set(
		    err, -EBUSY,
		    "process %d is already traced by process %ld (a debugger, strace, "
		    "a recorder): a process has one tracer; detach it and retry",
		    (int)pid, target.tracer);

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		int e = errno;
		if (e == ESRCH)
			return sf_error_set(err, -ESRCH, "no process %d", (int)pid);
		if (e == EPERM)
			return seize_refused(pid, err);
		return sf_error_set(err, -e, "PTRACE_SEIZE %d: %s", (int)pid, strerror(e));
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
		int e = errno;
		/* Not stopped, so it cannot be detached: it exited, which ends the tracing. */
		return sf_error_set(err, e == ESRCH ? -ESRCH : -e, "PTRACE_INTERRUPT %d: %s",
				    (int)pid, strerror(e));
	}
	r = wait_stop(pid, &sig, err);
	if (r < 0)
		return r;
	r = get_filters(pid, progs, n, err);
	if (ptrace(PTRACE_DETACH, pid, NULL, (void *)(uintptr_t)sig) < 0 && errno != ESRCH &&
	    r == 0) {
		int e = errno;
		sf_filters_free(*progs, *n);
		*progs = NULL;
		*n = 0;
		return sf_error_set(err, -e, "PTRACE_DETACH %d: %s", (int)pid, strerror(e));
	}
	return r;
}

/* The kernel's precedence (kernel/seccomp.c, seccomp_run_filters): the result whose action part
 * is smallest as a signed 32-bit value wins (KILL_PROCESS is 0x80000000, the smallest). */
static int32_t action_only(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

int sf_filters_eval(const struct sf_prog *progs, size_t n, const struct seccomp_data *d,
		    uint32_t *ret, struct sf_error *err)
{
	uint32_t best = SECCOMP_RET_ALLOW;

	/* As the kernel: start from ALLOW, walk from the newest filter to the oldest and replace
	 * the result only by a strictly smaller action, so among equal actions the newest
	 * filter's data stays. */
	for (size_t k = n; k-- > 0;) {
		uint32_t r;
		int e = sf_bpf_emulate(progs[k].insns, progs[k].len, d, &r, NULL, err);
		if (e < 0)
			return e;
		if (action_only(r) < action_only(best))
			best = r;
	}
	*ret = best;
	return 0;
}
