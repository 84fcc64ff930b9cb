/*
 * sysfence — looking at live processes: their seccomp state from /proc, the filters themselves
 * through ptrace (PTRACE_SECCOMP_GET_FILTER), and a classic-BPF seccomp program (any layout:
 * ours, libseccomp's, hand-written) turned back into a verified OCI profile.
 */
#ifndef SYSFENCE_INSPECT_H
#define SYSFENCE_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sysfence/bpf.h>
#include <sysfence/error.h>
#include <sysfence/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The seccomp lines of /proc/PID/status (PID may be any thread's TID): *mode 0 disabled,
 * 1 strict, 2 filter, -1 when the kernel has no CONFIG_SECCOMP (no "Seccomp:" line);
 * *nfilters the "Seccomp_filters:" count (Linux ≥ 5.9; -1 when absent); *nnp NoNewPrivs.
 * Any output pointer may be NULL. Needs no privilege. -ESRCH when the process does not exist.
 */
int sf_proc_seccomp(pid_t pid, int *mode, int *nfilters, bool *nnp, struct sf_error *err);

/*
 * Read every seccomp filter of thread `pid` (a TID: filters belong to threads and may differ
 * between the threads of a process; the thread-group leader's are read when given the PID).
 *
 * Order: progs[i] is the filter the kernel numbers i in PTRACE_SECCOMP_GET_FILTER, and the
 * kernel counts from the OLDEST: progs[0] is the first filter installed, progs[n-1] the most
 * recently installed one (the one the kernel runs first). ptrace(2) says the opposite; the
 * kernel's get_nth_filter() and a test (tests/unit/test-filters.c) say this.
 *
 * A process that is not in filter mode (disabled, strict, a kernel thread) has 0 filters:
 * *progs = NULL, *n = 0, return 0, without stopping it or needing privileges. Otherwise the
 * thread is stopped briefly: PTRACE_SEIZE, PTRACE_INTERRUPT, waitpid(__WALL) for the stop, one
 * PTRACE_SECCOMP_GET_FILTER per filter until ENOENT, PTRACE_DETACH (a signal that arrived
 * meanwhile is delivered on detach). The caller must not reap the thread's ptrace stops itself
 * (e.g. waitpid(-1) in another thread or a SIGCHLD handler) while this runs.
 *
 * The limits are the kernel's; each has its own code so that callers can explain it:
 *   -ESRCH       no such process, or it exited while being read
 *   -EACCES      the caller runs under seccomp (inside a container, under `sysfence run`):
 *                the kernel refuses PTRACE_SECCOMP_GET_FILTER to a confined caller
 *   -EPERM       the caller lacks CAP_SYS_ADMIN, or may not ptrace the target (no
 *                CAP_SYS_PTRACE over it, Yama ptrace_scope, the caller itself); err says which
 *   -EBUSY       the target is already traced by another process (its TracerPid is named)
 *   -EOPNOTSUPP  the kernel lacks CONFIG_CHECKPOINT_RESTORE (it answers EINVAL although the
 *                process is in filter mode) or the request itself (EIO, before Linux 4.4)
 *   -EMEDIUMTYPE a filter that is not classic BPF (the kernel keeps no program to return)
 * Free the result with sf_filters_free.
 */
int sf_filters_read(pid_t pid, struct sf_prog **progs, size_t *n, struct sf_error *err);
void sf_filters_free(struct sf_prog *progs, size_t n);

/*
 * Stacked filters: the kernel runs every filter and keeps the result whose action comes first
 * in KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW; for equal actions,
 * the most recently installed filter's data (errno, trace message) wins. progs in
 * sf_filters_read's order (oldest first). *ret is the kernel's combined value (an unknown
 * action ranks by its value; the kernel then acts on it as KILL_PROCESS). -EINVAL when a
 * program cannot be run on d.
 */
int sf_filters_eval(const struct sf_prog *progs, size_t n, const struct seccomp_data *d,
		    uint32_t *ret, struct sf_error *err);

/* ---- decompiling ---- */

struct sf_decompile_opts {
	/* Write a profile even where it cannot say exactly what the program does; each such
	 * syscall is reported (and the profile says so in the rules' comments). */
	bool partial;
	/* Only these architectures (NULL/0: every arch the program accepts). */
	const struct sf_arch *const *arches;
	size_t narches;
};

struct sf_decompiled {
	struct sf_profile *profile; /* owned */
	/* What the profile cannot say: per syscall (path "abi/name", "abi/nr" or "abi/lo-hi"),
	 * with a code and the reason. Errors (the profile is not exact): "unnamed-syscall"
	 * (numbers without a name getting another action than the default), "inexpressible-args"
	 * (the instruction pointer, argument sets no rules say, too many tests),
	 * "inexpressible-action" (TRAP with data, a TRACE default with data), "per-arch" (a
	 * syscall doing something else on two ABIs), "per-arch-default", "bad-arch" (other
	 * architectures' action depends on the number), "runc-stub" (on some ABIs only),
	 * "unknown-arch", "no-arch-check", "recompile" (the recovered rules do not build), and
	 * "mismatch" (an input on which the verification found another action). Warnings:
	 * "arch-left-out" (an ABI not asked for with opts->arches). */
	struct sf_findings report;
	/* The architectures the program accepts, as found. */
	const struct sf_arch **arches;
	size_t narches;
	/* What any other architecture gets: profiles cannot say it, compile takes --bad-arch. */
	uint32_t bad_arch_ret;
	/* The program has runc's ENOSYS stub (numbers above the largest named one): profiles
	 * cannot say it either, compile takes --runc-compat. */
	bool runc_compat;
	/* Verification: inputs compared, and how many gave another action than the program. */
	size_t nchecked, nmismatch;
	bool exact; /* the profile, compiled with bad_arch_ret, equals the program(s) */
};
void sf_decompiled_clear(struct sf_decompiled *d);

/*
 * Decompile one program, or several stacked filters combined as the kernel combines them (see
 * sf_filters_eval; progs oldest first). The default action is what the numbers that no syscall
 * table names get (those among the names, else those above them), per ABI, then the commonest
 * over the ABIs; runc's ENOSYS stub (numbers above the largest name get ENOSYS) is recognised.
 * Rules are built from the programs' own constants: disjoint rules first, overlapping ones
 * (ordered and checked against libseccomp's reading of them) where those cannot say it. The result is verified by compiling it again (with
 * bad_arch_ret as the bad-arch action) and emulating both on every syscall number of every
 * architecture and on the boundary values of every comparison either makes. Returns 0 with
 * out->exact set; -EPROTO (out filled, the differences in out->report, err naming the syscalls)
 * when the profile is not exact and opts->partial is not set; -EINVAL for a program that does
 * not validate.
 */
int sf_decompile(const struct sf_prog *progs, size_t n, const struct sf_decompile_opts *opts,
		 struct sf_decompiled *out, struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
