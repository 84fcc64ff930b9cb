/*
 * sysfence — recording what a program calls: the filter that sends every syscall of every ABI
 * to a supervisor (SECCOMP_RET_USER_NOTIF), the observed set per ABI (counts, the executable
 * that made each call first, when), and the minimal allowlist profile built from it.
 */
#ifndef SYSFENCE_RECORD_H
#define SYSFENCE_RECORD_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sysfence/arch.h>
#include <sysfence/bpf.h>
#include <sysfence/error.h>
#include <sysfence/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The recording filter: every syscall of every ABI gives SECCOMP_RET_USER_NOTIF — the ABIs this
 * machine runs are checked by name (x86_64 also carries x32's numbers; x86 is int $0x80), and
 * anything else is sent too, so that an unknown ABI is seen rather than missed. Load it with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER.
 */
int sf_record_prog(struct sf_prog *out, struct sf_error *err);

struct sf_recording;

/*
 * Arguments that decide what a call can do (sf_record_opts.args): for these syscalls the
 * distinct values seen are kept, per ABI, as the filter will compare them.
 *   socket (domain, arg 0), personality (arg 0), prctl (option, arg 0), ioctl (request, arg 1),
 *   socketcall (the call, arg 0: on i386 the socket calls' own arguments sit in memory, where
 *   no filter can read them): INT — the kernel reads an int, so the low 32 bits are kept;
 *   clone (flags, arg 0; arg 1 on s390x): NS_FLAGS — only the namespace flags (flags &
 *   SF_RECORD_NS_MASK, Docker's mask for clone);
 *   clone3: CLONE3 — its flags are in a struct clone_args in the caller's memory, which filters
 *   cannot read: they are read from there while the call waits (masked as for clone).
 */
#define SF_RECORD_NS_MASK 0x7E020000ULL /* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
#define SF_RECORD_ARGS_MAX 16		/* more distinct values than this: a plain allow */

enum sf_record_arg {
	SF_RECORD_ARG_NONE,
	SF_RECORD_ARG_INT,
	SF_RECORD_ARG_NS_FLAGS,
	SF_RECORD_ARG_CLONE3,
};

struct sf_recorded_value {
	uint64_t value; /* INT: the low 32 bits; NS_FLAGS, CLONE3: the namespace flags */
	/* INT on a 64-bit ABI: seen with the upper 32 bits set (a sign-extended int): the rule
	 * then compares the low 32 bits only (MASKED_EQ 0xffffffff), as the kernel does. */
	bool wide;
	uint64_t count;
};

/* One recorded syscall of one ABI. */
struct sf_recorded_call {
	const struct sf_arch *abi; /* x32 is its own ABI here */
	long nr;		   /* the kernel's number (x32: with bit 30) */
	const char *name;	   /* NULL when this library does not know the number */
	uint64_t count;
	const char *exe; /* the executable of the process that made it first, or "?" */
	double first;	 /* seconds since the recording began */
	/* Calls the base profile does not let run (sf_record_opts.base): those the profile must
	 * allow. Equal to count without a base. */
	uint64_t needed;
	/* With sf_record_opts.args: the argument kept (NONE for other syscalls), its index, and
	 * the distinct values of the needed calls, ascending; too_many when there were more than
	 * args_max (the values are then dropped: a plain allow). */
	enum sf_record_arg arg_kind;
	unsigned arg_index;
	const struct sf_recorded_value *values;
	size_t nvalues;
	bool too_many;
	/* clone3: a call whose flags clone cannot express (CLONE_NEWTIME, CLONE_CLEAR_SIGHAND,
	 * CLONE_INTO_CGROUP, set_tid) or could not be read: answering ENOSYS would leave no
	 * fallback, so clone3 is allowed as it is. */
	bool no_fallback;
};

struct sf_policy; /* compile.h */

/* What a recording keeps beyond counts. Set it before the first sf_recording_add. */
struct sf_record_opts {
	bool args;	   /* keep argument values (see above) */
	unsigned args_max; /* 0: SF_RECORD_ARGS_MAX */
	/* A base profile's policy (sf_policy_build), borrowed: it must outlive the recording.
	 * Calls it lets run (ALLOW, LOG) are counted but not needed. A clone3 it answers with
	 * ENOSYS is covered when it allows clone with the same namespace flags (C libraries fall
	 * back to clone, as they do under Docker's default profile). */
	const struct sf_policy *base;
};
void sf_recording_set_opts(struct sf_recording *r, const struct sf_record_opts *o);

struct sf_recording *sf_recording_new(void);
void sf_recording_free(struct sf_recording *r);
static inline void sf_recording_freep(struct sf_recording **r)
{
	sf_recording_free(*r);
}

/*
 * Count one call seen in a notification (d->arch, d->nr), made by thread pid. The first call of
 * each (ABI, number) reads the caller's executable (/proc/PID/exe), and a clone3 with args or a
 * base its struct clone_args (process_vm_readv): do it while the call still waits. Returns 0,
 * or -ENOMEM (the call, or its argument value, is then not kept).
 */
int sf_recording_add(struct sf_recording *r, const struct seccomp_data *d, pid_t pid);

/* Calls of an ABI this library does not know (a seccomp_data.arch value we have no table for). */
uint64_t sf_recording_unknown_abi(const struct sf_recording *r, uint32_t *first_audit_arch);
/* Every recorded (ABI, number), ABIs in sf_arch_at order, numbers ascending. Borrowed: valid
 * until the next sf_recording_add. */
size_t sf_recording_calls(struct sf_recording *r, const struct sf_recorded_call **out);
uint64_t sf_recording_total(const struct sf_recording *r);

struct sf_record_profile_opts {
	uint32_t errno_ret; /* defaultErrnoRet (EPERM when 0) */
	/* Syscalls the runtime itself makes between loading the filter and executing the
	 * command, added in a rule of their own with this comment when not already recorded. */
	const char *const *runtime_names; /* NULL-terminated, or NULL */
	const char *runtime_comment;
	/* The comment of the first rule (e.g. which base profile this one grows), or NULL. */
	const char *comment;
};

/*
 * The minimal allowlist: defaultAction SCMP_ACT_ERRNO (errno_ret); architectures the native
 * ABI first (the runtime's execve is made in it), then the other recorded ABIs; one ALLOW rule
 * with the recorded names sorted, then the runtime's rule. Calls of numbers without a name
 * cannot be written in a profile: they are left out (see sf_recording_calls). Only needed
 * calls count (with a base, those it does not let run). The same recording gives the same
 * profile.
 *
 * With argument values (sf_record_opts.args), a syscall whose values were kept is not in the
 * first rule: it gets one ALLOW rule per value, in name then value order — INT: SCMP_CMP_EQ
 * value (MASKED_EQ 0xffffffff value when wide); NS_FLAGS: MASKED_EQ SF_RECORD_NS_MASK value.
 * The values of every ABI are merged (OCI rules cannot name an ABI). A syscall with too_many
 * values is allowed plainly. clone3 is answered with ENOSYS (an ERRNO rule with a comment;
 * none when the default errno is ENOSYS already) and its namespace flags are allowed for clone,
 * which C libraries then call instead — unless a call had no_fallback: then clone3 is allowed
 * plainly.
 */
int sf_recording_profile(struct sf_recording *r, const struct sf_record_profile_opts *o,
			 struct sf_profile **out, struct sf_error *err);

/* What sysfence run (execve) and crun 1.8.1 (close of its sync socket, execve) call after
 * loading the filter and before the command runs; NULL-terminated. */
extern const char *const sf_record_runtime_names[];
extern const char sf_record_runtime_comment[];

/* ---- the ptrace recorder (lib/record/ptrace.c) ------------------------------------------ */

/*
 * Recording with ptrace instead of a filter: every syscall-entry stop (PTRACE_SYSCALL,
 * PTRACE_GET_SYSCALL_INFO) of the command or of a running process, its threads and
 * descendants, counted with sf_recording_add as the notify mechanism counts its notifications.
 * No filter is loaded, so no no_new_privs; and since the kernel reports the entry stop before
 * the filters stacked on the thread run, the calls those filters refuse are seen too.
 */
struct sf_ptrace_opts {
	/* Either a command, executed with execve (resolve it first: no PATH search here); its
	 * calls are recorded from the exec on ... */
	const char *path;
	char *const *argv, *const *envp;
	/* ... or, when pid > 0, a running process: it, all its threads and its descendants are
	 * attached (PTRACE_SEIZE) and recorded until they exit or SIGINT, SIGTERM, SIGHUP or
	 * SIGQUIT arrives; then every thread is detached, none left stopped or killed. */
	pid_t pid;
	/* Optional: the calls that a filter already on the calling thread refused (ERRNO, KILL,
	 * TRAP, TRACE) are added here as well as to the recording. */
	struct sf_recording *refused;
	/* Optional, as in struct sf_spawn: called every tick_ms milliseconds (0: never) between
	 * stops; and for each signal received (SIGCHLD aside) before it is acted on, returning
	 * true to keep it from the command (or, with pid, from ending the recording). Both run
	 * in the tracer's loop, never in a signal handler. */
	void (*on_tick)(void *ctx);
	unsigned tick_ms;
	bool (*on_signal)(void *ctx, int sig);
	void *ctx;
};

struct sf_ptrace_result {
	pid_t pid;	  /* the command's */
	int status;	  /* the command's wait status */
	bool exec_failed; /* the exec failed: the return value is -errno of execve */
	/* Processes still ran when the recording stopped (a second SIGINT or SIGTERM, or one
	 * after the command exited; --pid: any of them): they were detached and run on. */
	bool detached;
	size_t attached;     /* --pid: threads attached at the start */
	size_t not_attached; /* --pid: threads of descendants that could not be attached */
	/*
	 * Filters already on traced threads. With CAP_SYS_ADMIN (and the tracer itself under no
	 * filter) they are read with PTRACE_SECCOMP_GET_FILTER and run on each call: what they
	 * refuse is known exactly. Otherwise filters_unreadable is -errno of that request, and a
	 * refused call is known only when it kills (SIGSYS, no return) or traps (SIGSYS with
	 * si_code SYS_SECCOMP); an errno refusal looks like any failed call.
	 */
	bool filtered;
	int filters_unreadable;
	uint64_t refused;  /* calls refused by those filters */
	uint64_t notified; /* calls they sent to their own supervisor (USER_NOTIF): its answer */
};

/*
 * Record with ptrace. Command: fork, PTRACE_SEIZE with PTRACE_O_EXITKILL (the command does
 * not outlive the recorder), exec; exit status, stdin/stdout/stderr and environment pass
 * through; SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 are forwarded as by
 * sf_spawn_supervised (SIGINT and SIGQUIT only when a process sent them), and the processes
 * the command started are recorded until they exit, or until a second SIGINT or SIGTERM (or
 * one after the command exited) detaches them. While it runs those signals and SIGCHLD are
 * blocked in the calling thread (the mask is restored at the end). Returns 0 when the command
 * ran or the process was recorded, or -errno with err set (nothing ran, or the process could
 * not be attached: ptrace refused, with the reason).
 */
int sf_ptrace_record(struct sf_recording *r, const struct sf_ptrace_opts *o,
		     struct sf_ptrace_result *res, struct sf_error *err);

/*
 * Mark the refused calls in a profile made from all (sf_recording_profile): the names whose
 * every recorded call was refused (refused counts as many as all, over every ABI) leave the
 * ALLOW rules without arguments or comment and go to an ALLOW rule of their own, last, with
 * comment. Names refused only sometimes stay where they are. Returns how many names moved,
 * or -ENOMEM.
 */
int sf_recording_mark_refused(struct sf_profile *p, struct sf_recording *all,
			      struct sf_recording *refused, const char *comment,
			      struct sf_error *err);

#ifdef __cplusplus
}
#endif
#endif
