/*
 * sysfence — putting a program to work: loading filters (no_new_privs, the profile's flags,
 * the kernel's limits), and answering user notifications (SECCOMP_RET_USER_NOTIF): receiving
 * them, applying a policy's outcome as faithfully as a supervisor can, describing the call.
 */
#ifndef SYSFENCE_ENFORCE_H
#define SYSFENCE_ENFORCE_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sysfence/bpf.h>
#include <sysfence/doc.h>
#include <sysfence/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sf_load_opts {
	bool no_new_privs; /* set PR_SET_NO_NEW_PRIVS first (required without CAP_SYS_ADMIN) */
	unsigned flags;	   /* SF_FLAG_* (profile.h) */
	bool new_listener; /* SECCOMP_FILTER_FLAG_NEW_LISTENER: *listener gets the fd */
};

/*
 * Load prog on the calling thread. Errors say what the kernel refused and why, e.g. the
 * stacked filters' 32,768-instruction limit (ENOMEM), a flag or action this kernel lacks
 * (EINVAL), no CAP_SYS_ADMIN without no_new_privs (EACCES).
 */
int sf_seccomp_load(const struct sf_prog *prog, const struct sf_load_opts *o, int *listener,
		    struct sf_error *err);

/* Whether the kernel supports an action (SECCOMP_GET_ACTION_AVAIL), e.g. SECCOMP_RET_LOG. */
bool sf_seccomp_action_available(uint32_t action);

/* The calling process's seccomp state from /proc/self/status: mode (0, 1 strict, 2 filter)
 * and the number of filters stacked on it; -1 when unknown. */
int sf_seccomp_self(int *mode, int *nfilters);

/* ---- user notifications ---------------------------------------------------------------- */

struct sf_notif {
	uint64_t id;
	pid_t pid; /* the calling thread, in the supervisor's pid namespace */
	struct seccomp_data data;
};

/* Ask the kernel to wake the notified thread on the supervisor's CPU (Linux >= 6.6): cross-CPU
 * wake-ups dominate a supervisor's cost. Returns 0, or -errno when unsupported (harmless). */
int sf_notif_sync_wakeup(int listener);
/* Receive one notification (blocks). -ENOENT: the caller died meanwhile; -EINTR: retry. */
int sf_notif_recv(int listener, struct sf_notif *n);
/* Whether the notified call is still waiting (call after reading its memory). */
bool sf_notif_valid(int listener, uint64_t id);
/* Answer: the call returns -error (error > 0), or val; or it runs (cont). */
int sf_notif_respond(int listener, uint64_t id, int64_t val, int error, bool cont);

/*
 * Apply a filter outcome to a notified call, as the kernel would have: ERRNO(e) → fails with e;
 * ALLOW, LOG → runs; TRACE → ENOSYS (no tracer); KILL_PROCESS → the process dies of SIGSYS;
 * KILL_THREAD → SIGSYS too (a supervisor cannot kill one thread of a process alone: the whole
 * process dies); TRAP → SIGSYS is queued to the thread (si_code SI_QUEUE, not SYS_SECCOMP:
 * si_syscall is not set) and the call fails with ENOSYS; load the filter with
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV so that the signal waits for the answer instead of
 * interrupting the call. Returns 0 or -errno.
 */
int sf_notif_apply(int listener, const struct sf_notif *n, uint32_t ret);

/*
 * A readable account of the call: "mkdirat(AT_FDCWD, \"/tmp/x\", 0755)" with paths read from
 * the caller's memory (when still waiting), socket families and clone namespace flags named,
 * other arguments in hex. name may be NULL (the number is printed).
 */
void sf_describe_call(int listener, const struct sf_notif *n, const char *name,
		      struct sf_buf *out);

/* The executable of a process ("/usr/bin/mkdir"), or "?"; and its thread group id. */
void sf_proc_exe(pid_t pid, char *buf, size_t size);
pid_t sf_proc_tgid(pid_t tid);

/* ---- running a command under a supervisor ----------------------------------------------- */

struct sf_spawn {
	const struct sf_prog *prog; /* loaded in the child with a listener, just before the exec */
	unsigned flags;		    /* SF_FLAG_* (NEW_LISTENER is implied) */
	bool no_new_privs;
	const char *path; /* executed with execve: resolve it first (no PATH search here) */
	char *const *argv, *const *envp;
	/*
	 * Called for each notification of the command and of everything it starts (threads,
	 * forks, execs all inherit the filter); it must answer it (sf_notif_respond, apply).
	 * The child's own calls between loading the filter and the exec are not passed: they
	 * run unreported.
	 */
	void (*on_notif)(void *ctx, int listener, const struct sf_notif *n);
	void *ctx;
	/* Keep serving after the command was reaped while processes it started still hold the
	 * filter (daemons), until none does; otherwise return when the command is reaped. */
	bool wait_all;
	/* Optional: called every tick_ms milliseconds (0: never) while serving, between
	 * notifications (sysfence record --snapshot-every). */
	void (*on_tick)(void *ctx);
	unsigned tick_ms;
	/* Optional: called for each signal received (SIGCHLD aside) before it is forwarded;
	 * returning true keeps it from the command (sysfence record: SIGUSR1 writes a snapshot). */
	bool (*on_signal)(void *ctx, int sig);
};

struct sf_spawn_result {
	pid_t pid;
	int status;	  /* the command's wait status */
	bool exec_failed; /* the exec failed: the return value is -errno of execve */
	/* Processes the command started still held the filter when we returned (no wait_all;
	 * or a second SIGINT/SIGTERM, or one after the command was reaped, stopped the wait): a
	 * background process keeps answering their calls (SECCOMP_USER_NOTIF_FLAG_CONTINUE:
	 * they run) until they are gone; on_notif does not see them. */
	bool detached;
};

/*
 * Run path under prog with a supervisor: the child sets up, loads prog with a new listener
 * (which it gets at fd 3; an fd 3 of the caller's is kept for the command), the caller takes
 * the listener with pidfd_getfd (ptrace access to the child: CAP_SYS_PTRACE or Yama
 * ptrace_scope <= 1), asks for synchronous wake-ups, and then serves notifications through
 * on_notif. While it runs, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are
 * blocked in the calling thread and read from a signalfd: they are forwarded to the command
 * (SIGINT and SIGQUIT only when a process sent them: the terminal sends its own to the whole
 * process group); the mask is restored at the end. Returns 0 when the command ran (res->status),
 * or -errno with err set when it could not start.
 */
int sf_spawn_supervised(const struct sf_spawn *s, struct sf_spawn_result *res,
			struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
