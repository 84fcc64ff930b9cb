/* sysfence dump: a live process's seccomp filters, as a verified profile, raw or disassembled. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sysfence/inspect.h>

#include "cli.h"

const char help_dump[] =
    "usage: sysfence dump PID [--index N] [--format profile|yaml|raw|disasm] [-o FILE]\n"
    "                     [--arch A,...] [--partial] [-v]\n"
    "       sysfence dump --from-file RAW [same options]\n"
    "\n"
    "Read the seccomp filters of a live thread (PTRACE_SECCOMP_GET_FILTER: the thread is\n"
    "seized, stopped for the time of the read, and detached) and turn them back into an OCI\n"
    "profile: for every architecture the filter accepts, the action of every syscall, with\n"
    "the argument conditions recovered from the program's comparisons. Stacked filters are\n"
    "combined as the kernel combines them (the strictest action wins: KILL_PROCESS,\n"
    "KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE, LOG, ALLOW; for equal actions the most\n"
    "recently installed filter's errno or data). The profile is verified before it is\n"
    "written: compiled again, it must give the same action as the live program on every\n"
    "syscall number of every architecture, at every number where either program can change,\n"
    "and on the boundary values of every argument comparison either makes. What a profile\n"
    "cannot say (numbers without a syscall name, a test of the instruction pointer, rules\n"
    "that differ between architectures, a TRAP with data, ranges of an argument) is\n"
    "reported by syscall, and nothing is written unless --partial is given.\n"
    "\n"
    "Filters belong to threads: PID is a thread id (a process id reads its main thread).\n"
    "A process without filters (seccomp disabled or strict) has nothing to dump.\n"
    "\n"
    "options:\n"
    "  --index N           only the filter the kernel numbers N: 0 is the FIRST installed\n"
    "                      (oldest), the last index the most recent one\n"
    "  --format F          profile (default: JSON; YAML when -o names a .yaml/.yml file),\n"
    "                      yaml, raw (struct sock_filter[] as seccomp_export_bpf writes it;\n"
    "                      needs --index when there are several filters), disasm (each filter,\n"
    "                      oldest first)\n"
    "  -o, --output FILE   write there (atomically) instead of standard output\n"
    "  --from-file RAW     decompile a raw program file instead of a live process\n"
    "  --arch A,...        only these architectures of the filter\n"
    "  --partial           write the profile even when it is not exact; each uncertain rule\n"
    "                      says so in its comment, and the report tells what and why\n"
    "  -v, --verbose       print what was read, the time taken and the verification count\n"
    "\n"
    "Two things a live filter decides are not profile fields: what other architectures get\n"
    "(compile's --bad-arch) and runc's ENOSYS stub (compile's --runc-compat); dump says which\n"
    "to use to compile the profile back into the same filter.\n"
    "\n"
    "Limits (the kernel's): reading needs CAP_SYS_ADMIN and a kernel with\n"
    "CONFIG_CHECKPOINT_RESTORE; the caller must not itself run under seccomp (not inside a\n"
    "container, not under sysfence run); a process already traced (by a debugger, strace) cannot\n"
    "be read.\n"
    "\n"
    "exit status: 0 written (exact, or --partial), 1 not exact, no filter, or the process\n"
    "cannot be read, 2 usage or I/O error.\n";

#define CMD "dump"

enum fmt { F_PROFILE, F_YAML, F_RAW, F_DISASM };

static const char *mode_name(int mode)
{
	return mode == 0 ? "disabled" : mode == 1 ? "strict" : mode == 2 ? "filter" : "unknown";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int parse_arches(const char *arg, const struct sf_arch **v, size_t *n)
{
	char *copy = strdup(arg), *save = NULL;
	if (!copy)
		return -1;
	*n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct sf_arch *a = sf_arch_find(t);
		if (!a || *n == 32) {
			cli_usage(CMD, "unknown architecture '%s'", t);
			free(copy);
			return -1;
		}
		v[(*n)++] = a;
	}
	free(copy);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *ret_option(uint32_t ret, char *buf, size_t size)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		return "KILL_PROCESS";
	case SECCOMP_RET_KILL_THREAD:
		return "KILL_THREAD";
	default:
		return sf_ret_describe(ret, buf, size);
	}
}

static void print_report(const struct sf_decompiled *d, const char *source)
{
	for (size_t i = 0; i < d->report.n; i++) {
		const struct sf_finding *f = &d->report.v[i];
		fprintf(stderr, "%s: %s: %s%s%s [%s]\n", source,
			f->severity == SF_SEV_ERROR ? "error" : "warning", f->path ? f->path : "",
			f->path && f->path[0] ? ": " : "", f->msg, f->code);
	}
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"index", required_argument, NULL, 'i'},  {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'}, {"from-file", required_argument, NULL, 'F'},
	    {"raw", required_argument, NULL, 'F'},    {"arch", required_argument, NULL, 'a'},
	    {"partial", no_argument, NULL, 'p'},      {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const char *output = NULL, *from = NULL;
	const struct sf_arch *arches[32];
	size_t narches = 0, nprogs = 0;
	long index = -1;
	int fmt = -1, c, status = EXIT_FINDINGS;
	bool partial = false, verbose = false;
	struct sf_prog *progs = NULL;
	struct sf_error err = {0};
	struct sf_buf out = {0};
	struct sf_decompiled d = {0};
	char source[64];
	pid_t pid = 0;
	double t0, t_read = 0, t_dec = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i': {
			char *end;
			errno = 0;
			index = strtol(optarg, &end, 10);
			if (errno || *end || index < 0 || index > SF_BPF_MAX_TOTAL_INSNS)
				return cli_usage(CMD,
						 "--index takes a filter number (0, 1, ...), not "
						 "'%s'",
						 optarg);
			break;
		}
		case 'f':
			if (strcmp(optarg, "profile") == 0 || strcmp(optarg, "json") == 0)
				fmt = F_PROFILE;
			else if (strcmp(optarg, "yaml") == 0)
				fmt = F_YAML;
			else if (strcmp(optarg, "raw") == 0)
				fmt = F_RAW;
			else if (strcmp(optarg, "disasm") == 0)
				fmt = F_DISASM;
			else
				return cli_usage(CMD,
						 "--format takes profile, yaml, raw or disasm, "
						 "not '%s'",
						 optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			from = optarg;
			break;
		case 'a':
			if (parse_arches(optarg, arches, &narches) < 0)
				return EXIT_USAGE;
			break;
		case 'p':
			partial = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			return cli_help(CMD);
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (from ? optind != argc : optind != argc - 1)
		return cli_usage(CMD, from	       ? "a PID or --from-file, not both"
				      : optind == argc ? "a PID is needed (or --from-file RAW)"
						       : "one PID at a time");
	if (fmt < 0)
		fmt = output && (ends_with(output, ".yaml") || ends_with(output, ".yml"))
			  ? F_YAML
			  : F_PROFILE;

	t0 = now();
	if (from) {
		progs = calloc(1, sizeof(*progs));
		if (!progs) {
			cli_err(CMD, "out of memory");
			return EXIT_USAGE;
		}
		nprogs = 1;
		if (sf_bpf_read_raw(from, &progs[0], &err) < 0) {
			cli_print_error(&err);
			status = err.code == -EINVAL ? EXIT_FINDINGS : EXIT_USAGE;
			goto out;
		}
		snprintf(source, sizeof(source), "%s", from);
	} else {
		char *end;
		long v;
		int mode = -1, nf = -1;
		errno = 0;
		v = strtol(argv[optind], &end, 10);
		if (errno || *end || v <= 0 || v > INT32_MAX)
			return cli_usage(CMD, "'%s' is not a process id", argv[optind]);
		pid = (pid_t)v;
		snprintf(source, sizeof(source), "pid %d", (int)pid);
		if (sf_filters_read(pid, &progs, &nprogs, &err) < 0) {
			fprintf(stderr, "sysfence %s: %s\n", CMD, err.msg);
			goto out;
		}
		if (nprogs == 0) {
			sf_proc_seccomp(pid, &mode, &nf, NULL, NULL);
			cli_err(CMD,
				"process %d has no seccomp filter (seccomp mode: %s): nothing to "
				"dump",
				(int)pid, mode_name(mode));
			goto out;
		}
	}
	t_read = now() - t0;
	if (index >= 0 && (size_t)index >= nprogs) {
		cli_err(CMD, "%s has %zu filter%s (indexes 0 to %zu): no filter %ld", source,
			nprogs, nprogs == 1 ? "" : "s", nprogs - 1, index);
		goto out;
	}
	const struct sf_prog *sel = index >= 0 ? &progs[index] : progs;
	size_t nsel = index >= 0 ? 1 : nprogs;

	if (fmt == F_RAW) {
		if (nsel != 1) {
			cli_err(CMD,
				"%s has %zu filters: raw writes one, choose it with --index "
				"(0 is the oldest)",
				source, nsel);
			status = EXIT_USAGE;
			goto out;
		}
		sf_buf_put(&out, sel->insns, sel->len * sizeof(*sel->insns));
		status = cli_write_output(CMD, output, &out);
		goto out;
	}
	if (fmt == F_DISASM) {
		for (size_t i = 0; i < nsel; i++) {
			size_t k = index >= 0 ? (size_t)index : i;
			sf_buf_printf(&out, "%s# filter %zu of %zu (%s), %zu instructions\n",
				      i ? "\n" : "", k, nprogs,
				      k + 1 == nprogs ? "the most recent"
				      : k == 0	      ? "the oldest"
						      : "",
				      progs[k].len);
			if (sf_bpf_disasm(progs[k].insns, progs[k].len, NULL, &out) < 0) {
				cli_err(CMD, "out of memory");
				status = EXIT_USAGE;
				goto out;
			}
		}
		status = cli_write_output(CMD, output, &out);
		goto out;
	}

	struct sf_decompile_opts dopts = {.partial = partial, .arches = arches, .narches = narches};
	t0 = now();
	int r = sf_decompile(sel, nsel, &dopts, &d, &err);
	t_dec = now() - t0;
	print_report(&d, source);
	if (r < 0) {
		fprintf(stderr, "sysfence %s: %s: %s\n", CMD, source, err.msg);
		goto out;
	}
	if (sf_profile_write(d.profile, fmt == F_YAML ? SF_OUT_YAML : SF_OUT_JSON, &out, &err) <
	    0) {
		cli_print_error(&err);
		status = EXIT_USAGE;
		goto out;
	}
	status = cli_write_output(CMD, output, &out);
	if (status != EXIT_OK)
		goto out;
	{
		char a[32], list[256] = "";
		size_t len = 0;
		bool default_bad = d.bad_arch_ret == SECCOMP_RET_KILL_THREAD;
		for (size_t i = 0; i < d.narches && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
						i ? "," : "", d.arches[i]->name);
		if (!default_bad || d.runc_compat)
			fprintf(
			    stderr,
			    "sysfence %s: to compile this profile into the same filter: sysfence "
			    "compile PROFILE --arch %s%s%s%s\n",
			    CMD, list, default_bad ? "" : " --bad-arch ",
			    default_bad ? "" : ret_option(d.bad_arch_ret, a, sizeof(a)),
			    d.runc_compat ? " --runc-compat" : "");
	}
	if (!d.exact)
		fprintf(
		    stderr,
		    "sysfence %s: warning: %s: the profile is NOT exact (--partial): %zu problem%s "
		    "above; its uncertain rules say so in their comments\n",
		    CMD, source, d.report.nerrors, d.report.nerrors == 1 ? "" : "s");
	if (verbose) {
		size_t insns = 0;
		for (size_t i = 0; i < nsel; i++)
			insns += sel[i].len;
		fprintf(
		    stderr,
		    "sysfence %s: %s: %zu filter%s (%zu instructions) read in %.3f ms, decompiled "
		    "and verified in %.3f ms on %zu inputs (%zu differ); architectures:",
		    CMD, source, nsel, nsel == 1 ? "" : "s", insns, t_read * 1e3, t_dec * 1e3,
		    d.nchecked, d.nmismatch);
		for (size_t i = 0; i < d.narches; i++)
			fprintf(stderr, " %s", d.arches[i]->name);
		fputc('\n', stderr);
	}
out:
	sf_decompiled_clear(&d);
	sf_filters_free(progs, nprogs);
	sf_buf_free(&out);
	return status;
}
