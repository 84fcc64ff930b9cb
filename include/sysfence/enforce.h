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

#ifdef __cplusplus
}
#endif
#endif
