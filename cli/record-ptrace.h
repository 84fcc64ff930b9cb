/* sysfence record's ptrace mechanism (--mechanism ptrace, --pid): the glue between the
 * command's options and sf_ptrace_record. */
#ifndef SF_CLI_RECORD_PTRACE_H
#define SF_CLI_RECORD_PTRACE_H

#include <stdbool.h>
#include <sys/types.h>

#include <sysfence/record.h>

struct record_ptrace {
	/* Optional, set by the caller: passed to sf_ptrace_record (see struct sf_ptrace_opts). */
	void (*on_tick)(void *ctx);
	unsigned tick_ms;
	bool (*on_signal)(void *ctx, int sig);
	void *ctx;

	struct sf_recording *refused; /* the calls a filter already on the caller refused */
	struct sf_ptrace_result res;
};

/* --pid's argument: a process that exists. 0, or prints why not and returns -1. */
int record_ptrace_parse_pid(const char *arg, pid_t *pid);

/*
 * Record the command (path, argv: pid 0) or the running process pid into rec. Returns -1 with
 * *code set when nothing was recorded (the error printed: 125, or 126/127 when the command
 * cannot be executed); else 0 with *code the status record gives: the command's (128+N when
 * signal N ended it), 0 for --pid. Notices about what was refused, what could not be known
 * and what was left running are printed.
 */
int record_ptrace_run(struct record_ptrace *rp, struct sf_recording *rec, const char *path,
		      char **argv, pid_t pid, int *code);

/* Put the names whose every call was refused in a rule of their own, with a comment (nothing
 * without ptrace). 0, or -ENOMEM with err set. */
int record_ptrace_mark(struct record_ptrace *rp, struct sf_profile *p, struct sf_recording *rec,
		       struct sf_error *err);

void record_ptrace_free(struct record_ptrace *rp);

#endif
