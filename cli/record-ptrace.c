/*
 * sysfence record --mechanism ptrace, --pid: run sf_ptrace_record, say what the filters the
 * workload ran under refused, and mark those calls in the profile.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sysfence/record.h>

#include "cli.h"
#include "record-ptrace.h"

extern char **environ;

static const char refused_comment[] =
    "refused while recorded by a seccomp filter the workload already ran under: it asked for "
    "them and did without; remove this rule to keep refusing them";

int record_ptrace_parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v <= 0 || v > 0x3fffffff) {
		cli_usage("record", "--pid: '%s' is not a process id", arg);
		return -1;
	}
	if (kill((pid_t)v, 0) < 0 && errno == ESRCH) {
		cli_err("record", "--pid %ld: no such process", v);
		return -1;
	}
	*pid = (pid_t)v;
	return 0;
}

static void notices(const struct record_ptrace *rp, pid_t pid, const char *cmd)
{
	const struct sf_ptrace_result *res = &rp->res;
	const struct sf_recorded_call *c;
	size_t n = rp->refused ? sf_recording_calls(rp->refused, &c) : 0;

	if (pid > 0 && res->not_attached)
		cli_err("record",
			"warning: %zu thread%s of process %d's descendants could not be attached "
			"(ptrace refused): not recorded",
			res->not_attached, res->not_attached == 1 ? "" : "s", (int)pid);
	if (res->detached && pid > 0)
		cli_err("record", "detached from process %d and its descendants: they run on",
			(int)pid);
	else if (res->detached)
		cli_err("record", "processes started by %s still run: they are no longer recorded",
			cmd);
	if (res->filtered && res->filters_unreadable)
		cli_err(
		    "record",
		    "notice: %s ran under seccomp filters that could not be read "
		    "(PTRACE_SECCOMP_GET_FILTER: %s; it needs CAP_SYS_ADMIN, and sysfence under "
		    "no filter itself): the calls they refused with an errno look like failed "
		    "calls "
		    "and are recorded as made; those it killed or trapped are marked refused",
		    "the traced processes", strerror(-res->filters_unreadable));
	if (res->notified)
		cli_err(
		    "record",
		    "notice: %llu call%s went to the supervisor of a filter the traced "
		    "processes ran under (SECCOMP_RET_USER_NOTIF): what it answered is not known",
		    (unsigned long long)res->notified, res->notified == 1 ? "" : "s");
	if (!res->refused)
		return;
	cli_err("record",
		"notice: %llu call%s refused by the seccomp filters the traced processes "
		"ran under (recorded; the names whose every call was refused are in a rule of "
		"their own, with a comment):",
		(unsigned long long)res->refused, res->refused == 1 ? " was" : "s were");
	for (size_t i = 0; i < n; i++) {
		char num[32];
		snprintf(num, sizeof(num), "#%ld", c[i].nr);
		cli_err("record", "  refused: %s %s (%llu call%s, first by %s)", c[i].abi->name,
			c[i].name ? c[i].name : num, (unsigned long long)c[i].count,
			c[i].count == 1 ? "" : "s", c[i].exe);
	}
}

int record_ptrace_run(struct record_ptrace *rp, struct sf_recording *rec, const char *path,
		      char **argv, pid_t pid, int *code)
{
	struct sf_error err = { 0 };

	*code = EXIT_RUNNER;
	rp->refused = sf_recording_new();
	if (!rp->refused) {
		cli_err("record", "out of memory");
		return -1;
	}
	struct sf_ptrace_opts o = {
	    .path = path,
	    .argv = argv,
	    .envp = environ,
	    .pid = pid,
	    .refused = rp->refused,
	    .on_tick = rp->on_tick,
	    .tick_ms = rp->tick_ms,
	    .on_signal = rp->on_signal,
	    .ctx = rp->ctx,
	};
	int r = sf_ptrace_record(rec, &o, &rp->res, &err);
	if (r < 0) {
		cli_err("record", "%s", err.msg);
		if (rp->res.exec_failed)
			*code = r == -ENOENT || r == -ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
		return -1;
	}
	notices(rp, pid, argv ? argv[0] : "the command");
	*code = pid > 0 ? EXIT_OK : cli_wait_status(rp->res.status);
	return 0;
}

int record_ptrace_mark(struct record_ptrace *rp, struct sf_profile *p, struct sf_recording *rec,
		       struct sf_error *err)
{
	if (!rp->refused || !rp->res.refused)
		return 0;
	int r = sf_recording_mark_refused(p, rec, rp->refused, refused_comment, err);
	return r < 0 ? r : 0;
}

void record_ptrace_free(struct record_ptrace *rp)
{
	sf_recording_free(rp->refused);
	rp->refused = NULL;
}
