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

/* One recorded syscall of one ABI. */
struct sf_recorded_call {
	const struct sf_arch *abi; /* x32 is its own ABI here */
	long nr;		   /* the kernel's number (x32: with bit 30) */
	const char *name;	   /* NULL when this library does not know the number */
	uint64_t count;
	const char *exe; /* the executable of the process that made it first, or "?" */
	double first;	 /* seconds since the recording began */
};

struct sf_recording *sf_recording_new(void);
void sf_recording_free(struct sf_recording *r);
static inline void sf_recording_freep(struct sf_recording **r)
{
	sf_recording_free(*r);
}

/*
 * Count one call seen in a notification (d->arch, d->nr), made by thread pid. The first call of
 * each (ABI, number) reads the caller's executable (/proc/PID/exe): do it while the call still
 * waits. Returns 0, or -ENOMEM (the call is then not counted).
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
};

/*
 * The minimal allowlist: defaultAction SCMP_ACT_ERRNO (errno_ret); architectures the native
 * ABI first (the runtime's execve is made in it), then the other recorded ABIs; one ALLOW rule
 * with the recorded names sorted, then the runtime's rule. Calls of numbers without a name
 * cannot be written in a profile: they are left out (see sf_recording_calls). The same
 * recording gives the same profile.
 */
int sf_recording_profile(struct sf_recording *r, const struct sf_record_profile_opts *o,
			 struct sf_profile **out, struct sf_error *err);

/* What sysfence run (execve) and crun 1.8.1 (close of its sync socket, execve) call after
 * loading the filter and before the command runs; NULL-terminated. */
extern const char *const sf_record_runtime_names[];
extern const char sf_record_runtime_comment[];

#ifdef __cplusplus
}
#endif
#endif
