/*
 * sysfence record: run a command and write the minimal allowlist profile that lets it do what
 * it did — every syscall of the command and of everything it starts, per ABI.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sysfence/enforce.h>
#include <sysfence/record.h>

#include "cli.h"

extern char **environ;

const char help_record[] =
	"usage: sysfence record [-o FILE] [--format oci|yaml] [--errno E] -- CMD [ARGS...]\n"
	"\n"
	"Run CMD and write the smallest profile that allows what it did: every syscall made by\n"
	"CMD and by everything it starts (threads, forks, vfork, clone/clone3, exec: nothing\n"
	"escapes), in every ABI it used (x86_64, i386 via int $0x80, x32). The profile refuses\n"
	"everything else with EPERM (defaultAction SCMP_ACT_ERRNO), lists the ABIs seen (and this\n"
	"machine's own), allows the recorded names in one rule, and in a second rule, with a\n"
	"comment, what the runtime calls between loading the filter and starting the command\n"
	"(sysfence run: execve; crun 1.8.1: close, execve). The same recording gives the same\n"
	"bytes. Standard input, output, error and the environment pass through.\n"
	"\n"
	"Each call is sent to sysfence by the kernel (a filter returning SECCOMP_RET_USER_NOTIF,\n"
	"answered with SECCOMP_USER_NOTIF_FLAG_CONTINUE: the call runs as it would have), so the\n"
	"command runs as usual, only slower on syscalls. Processes that outlive CMD (daemons)\n"
	"are recorded until they exit too; the exit status is CMD's. The profile is written when\n"
	"CMD fails, crashes or is killed, and when record is interrupted: SIGINT and SIGTERM are\n"
	"passed to CMD; a second one (or one after CMD has exited) stops waiting for its\n"
	"descendants, which then run on unrecorded.\n"
	"\n"
	"no_new_privs is set, as loading a filter without CAP_SYS_ADMIN requires: setuid and\n"
	"setgid bits and file capabilities give nothing to CMD and its children (sudo, su, ping\n"
	"with file capabilities run with the caller's privileges only), so what is recorded is\n"
	"what they do unprivileged (as under a container's noNewPrivileges).\n"
	"\n"
	"When CMD starts under a seccomp filter already (a container, systemd's SystemCallFilter),\n"
	"calls that filter refuses are refused before sysfence sees them (the stricter action\n"
	"wins): they are missing from the recording. Seeing them needs a ptrace recorder, which\n"
	"sysfence does not have yet. A notice says so.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   write the profile there (atomically) instead of standard output\n"
	"  --format oci|yaml   the OCI profile as JSON (default), or as YAML\n"
	"  --errno E           the errno of refused calls: a name or number (default EPERM;\n"
	"                      ENOSYS makes programs fall back to older calls)\n"
	"  -v, --verbose       list every recorded call (ABI, count, first executable) on\n"
	"                      standard error\n"
	"\n"
	"exit status: CMD's, or 128+N when signal N ended it; 125 when sysfence itself fails\n"
	"(the profile could not be written, the filter refused); 126 when CMD cannot be\n"
	"executed, 127 when it is not found.\n";


/* Usage errors exit 125, as for sysfence run: 2 could be the command's own status. */
static int usage(const char *fmt, const char *arg) __attribute__((format(printf, 1, 0)));
static int usage(const char *fmt, const char *arg)
{
	char msg[256];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, arg);
#pragma GCC diagnostic pop
	cli_usage("record", "%s", msg);
	return EXIT_RUNNER;
}

static void on_notif(void *ctx, int listener, const struct sf_notif *n)
{
	/* Counting first: the executable is read while the caller still waits. */
	sf_recording_add(ctx, &n->data, n->pid);
	sf_notif_respond(listener, n->id, 0, 0, true);
}

static void report(struct sf_recording *rec, bool verbose)
{
	const struct sf_recorded_call *c;
	size_t n = sf_recording_calls(rec, &c);
	uint32_t arch;
	uint64_t unknown = sf_recording_unknown_abi(rec, &arch);

	if (verbose) {
		fprintf(stderr, "  %10s  %-8s %-22s %10s  %s\n", "count", "abi", "syscall", "first",
			"executable");
		for (size_t i = 0; i < n; i++) {
			char num[32];
			snprintf(num, sizeof(num), "#%ld", c[i].nr);
			fprintf(stderr, "  %10llu  %-8s %-22s %9.6fs  %s\n",
				(unsigned long long)c[i].count, c[i].abi->name,
				c[i].name ? c[i].name : num, c[i].first, c[i].exe);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!c[i].name)
			cli_err("record",
				"warning: %s syscall %ld (made by %s) has no name: a profile cannot "
				"allow it by name, it is left out",
				c[i].abi->name, c[i].nr, c[i].exe);
	if (unknown)
		cli_err("record",
			"warning: %llu call%s of an ABI sysfence does not know (AUDIT_ARCH %#x): "
			"left out of the profile",
			(unsigned long long)unknown, unknown == 1 ? "" : "s", arch);
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "errno", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	enum sf_out_format fmt = SF_OUT_JSON;
	uint32_t errno_ret = EPERM;
	bool verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "+o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "oci") == 0 || strcmp(optarg, "json") == 0)
				fmt = SF_OUT_JSON;
			else if (strcmp(optarg, "yaml") == 0)
				fmt = SF_OUT_YAML;
			else
				return usage("--format is oci or yaml, not '%s'", optarg);
			break;
		case 'e': {
			char *end;
			long v = strtol(optarg, &end, 10);
			int e = *optarg && !*end ? (int)v : sf_errno_from_name(optarg);
			if (e <= 0 || e > 4095 || v < 0)
				return usage("--errno: '%s' is not an errno", optarg);
			errno_ret = (uint32_t)e;
			break;
		}
		case 'v':
			verbose = true;
			break;
		case 'h':
			return cli_help("record");
		default:
			fprintf(stderr, "Try 'sysfence record --help'.\n");
			return EXIT_RUNNER;
		}
	}
	if (optind >= argc)
		return usage("%s", "no command given (sysfence record -- CMD [ARGS...])");
	char **cmd = argv + optind;
	char path[PATH_MAX];
	int found = cli_find_command(cmd[0], path, sizeof(path));
	if (found) {
		cli_err("record", "%s: %s", cmd[0],
			found == EXIT_NOTFOUND ? "command not found" : "permission denied");
		return found;
	}

	int mode, nfilters;
	if (sf_seccomp_self(&mode, &nfilters) == 0 && nfilters > 0)
		cli_err("record",
			"notice: this process runs under %d seccomp filter%s already: calls %s "
			"refuses are refused before sysfence sees them (the stricter action wins) and "
			"are missing from the recording; a ptrace recorder would see them, and "
			"sysfence has none yet",
			nfilters, nfilters == 1 ? "" : "s", nfilters == 1 ? "it" : "they");

	struct sf_recording *rec = sf_recording_new();
	struct sf_prog prog = { 0 };
	struct sf_error err = { 0 };
	struct sf_profile *p = NULL;
	struct sf_buf out = { 0 };
	int code = EXIT_RUNNER;

	if (!rec || sf_record_prog(&prog, &err) < 0) {
		cli_err("record", "out of memory");
		goto out;
	}
	struct sf_spawn sp = {
		.prog = &prog,
		.no_new_privs = true,
		.path = path,
		.argv = cmd,
		.envp = environ,
		.on_notif = on_notif,
		.ctx = rec,
		.wait_all = true,
	};
	struct sf_spawn_result res;
	int r = sf_spawn_supervised(&sp, &res, &err);
	if (r < 0) {
		cli_err("record", "%s", err.msg);
		code = res.exec_failed ? (r == -ENOENT || r == -ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC)
				       : EXIT_RUNNER;
		/* Nothing of the command's ran: no profile. */
		goto out;
	}
	code = cli_wait_status(res.status);
	if (res.detached)
		cli_err("record", "processes started by %s still run: they are no longer recorded",
			cmd[0]);
	report(rec, verbose);
	struct sf_record_profile_opts po = { .errno_ret = errno_ret,
					     .runtime_names = sf_record_runtime_names,
					     .runtime_comment = sf_record_runtime_comment };
	if (sf_recording_profile(rec, &po, &p, &err) < 0 || sf_profile_write(p, fmt, &out, &err) < 0) {
		cli_print_error(&err);
		code = EXIT_RUNNER;
		goto out;
	}
	if (cli_write_output("record", output, &out) != EXIT_OK)
		code = EXIT_RUNNER;
out:
	sf_buf_free(&out);
	sf_profile_free(p);
	sf_prog_free(&prog);
	sf_recording_free(rec);
	return code;
}
