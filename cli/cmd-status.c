/*
 * sysfence status: what confines a live process (seccomp mode and filters, no_new_privs,
 * capabilities, namespaces, cgroup and container, LSM label); --all lists every process.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sysfence/status.h>

#include "cli.h"

#define CMD "status"

const char help_status[] =
    "usage: sysfence status [options] [PID...]\n"
    "       sysfence status --all [--filters] [options]\n"
    "\n"
    "Show what confines a process: its seccomp mode (disabled, strict, filter) and number of\n"
    "filters, no_new_privs, its capabilities by name (effective, permitted, bounding, ambient,\n"
    "inheritable: \"all\", \"none\", \"all but ...\" or the list), the namespaces it does not\n"
    "share with PID 1, its cgroup and the container it belongs to when the cgroup path names\n"
    "one (Docker, containerd/CRI, CRI-O, podman, a Kubernetes pod UID and QoS class,\n"
    "systemd-nspawn, LXC), its LSM label (SELinux, AppArmor, ...), executable, uid and ABI.\n"
    "\n"
    "With no PID, sysfence reports on its own process, which has what it inherited from the\n"
    "shell or container that started it (like amicontained): run it inside a container to see\n"
    "that container's confinement. 'self' is that process too.\n"
    "\n"
    "The filters themselves are read as root (PTRACE_SECCOMP_GET_FILTER: the process is\n"
    "stopped for a moment with PTRACE_SEIZE and PTRACE_INTERRUPT, then detached) and run on\n"
    "every syscall of each ABI the process can call with (for an x86_64 process also the i386\n"
    "and x32 ABIs, whose calls a filter must check too), with all arguments zero: the report\n"
    "gives the most common action, how many syscalls are allowed and refused, the syscalls\n"
    "whose action differs from the most common one, and those whose result depends on\n"
    "their arguments (the program reads an argument on their path). With several filters,\n"
    "each is summarized and then their effect together, as the kernel runs them.\n"
    "\n"
    "The kernel sets limits, and status says which one stopped it; it then shows what\n"
    "/proc/PID/status tells (mode and number of filters):\n"
    "  - it needs CAP_SYS_ADMIN (root), and a kernel with CONFIG_CHECKPOINT_RESTORE;\n"
    "  - sysfence itself must not run under seccomp: not inside a container, not under\n"
    "    'sysfence run' (so with no PID, the filters of its own process cannot be read);\n"
    "  - a process already traced by another (strace, gdb) cannot be read.\n"
    "\n"
    "options:\n"
    "  -a, --all          one line per process (kernel threads left out): PID, command,\n"
    "                     seccomp mode, filters, no_new_privs, container; no process is\n"
    "                     stopped unless --filters is given\n"
    "  --filters          with --all: read every process's filters too (each process is\n"
    "                     stopped briefly; sysfence itself is skipped)\n"
    "  --no-filters       with PIDs: do not read the filters (no process is stopped)\n"
    "  -o, --output-format text|json\n"
    "                     json: {\"processes\":[{...}],\"not_found\":[PID...]}, one object per\n"
    "                     process with the keys pid, comm, exe, kernel_thread, uid, euid,\n"
    "                     abi, abis, seccomp {mode, filters}, no_new_privs, capabilities\n"
    "                     {effective, permitted, bounding, ambient, inheritable: {mask,\n"
    "                     summary, names}}, namespaces {NAME: {inode, pid1_inode, differs}},\n"
    "                     namespaces_not_pid1, cgroups, container {runtime, id, pod_uid, qos,\n"
    "                     monitor}, lsm {current, apparmor}, filters {status, reason,\n"
    "                     programs, effective}; unknown values are null\n"
    "  --output FILE      write there instead of standard output\n"
    "\n"
    "examples:\n"
    "  sysfence status                     # this shell's confinement (in a container: its)\n"
    "  sysfence status $(pidof nginx)      # a daemon's filters, per ABI\n"
    "  sysfence status --all | grep disabled   # who runs without seccomp?\n"
    "\n"
    "exit status: 0 reported, 1 a process does not exist (the others are still reported),\n"
    "2 usage or I/O error.\n";

static int parse_pid(const char *arg, pid_t *out)
{
	char *end;
	long v;

	if (strcmp(arg, "self") == 0) {
		*out = getpid();
		return 0;
	}
	if (!*arg || strspn(arg, "0123456789") != strlen(arg))
		return -1;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || v <= 0 || v > 0x3fffffff)
		return -1;
	*out = (pid_t)v;
	return 0;
}

struct report {
	int fmt;
	struct sf_buf out;
	struct sf_buf missing; /* JSON list of PIDs not found */
	size_t nshown;
	size_t nkernel, ndisabled, nstrict, nfilter, nunknown;
};

static void add(struct report *r, const struct sf_status *st, bool line)
{
	if (r->fmt == CLI_OUT_JSON) {
		if (r->nshown)
			sf_buf_putc(&r->out, ',');
		sf_status_write_json(st, &r->out);
	} else if (line) {
		if (!r->nshown)
			sf_status_write_line_header(&r->out);
		sf_status_write_line(st, &r->out);
	} else {
		if (r->nshown)
			sf_buf_putc(&r->out, '\n');
		sf_status_write_text(st, &r->out);
	}
	r->nshown++;
	switch (st->st.seccomp) {
	case SF_SECCOMP_DISABLED:
		r->ndisabled++;
		break;
	case SF_SECCOMP_STRICT:
		r->nstrict++;
		break;
	case SF_SECCOMP_FILTER:
		r->nfilter++;
		break;
	default:
		r->nunknown++;
	}
}

static void not_found(struct report *r, pid_t pid, const struct sf_error *err)
{
	cli_err(CMD, "%s", err->msg);
	if (err->code == -ESRCH)
		sf_buf_printf(&r->missing, "%s%d", r->missing.len ? "," : "", (int)pid);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return x < y ? -1 : x > y;
}

/* Every process of /proc, by PID. */
static int list_pids(pid_t **out, size_t *nout)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t *v = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t pid;
		if (parse_pid(e->d_name, &pid) < 0 || strcmp(e->d_name, "self") == 0)
			continue;
		if (n == cap) {
			pid_t *g = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!g) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = g;
		}
		v[n++] = pid;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_pid);
	*out = v;
	*nout = n;
	return 0;
}

static int run_all(struct report *r, bool filters)
{
	pid_t *pids = NULL, me = getpid();
	size_t n = 0;
	int e = list_pids(&pids, &n);

	if (e < 0) {
		cli_err(CMD, "cannot list /proc: %s", strerror(-e));
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		struct sf_status *st = NULL;
		struct sf_error err = {0};
		unsigned flags = filters && pids[i] != me ? SF_STATUS_FILTERS : 0;
		int k = sf_status_read(pids[i], flags, &st, &err);
		if (k == -ESRCH)
			continue; /* it exited since /proc was listed */
		if (k < 0) {
			cli_err(CMD, "process %d: %s", (int)pids[i], err.msg);
			continue;
		}
		if (st->kernel_thread)
			r->nkernel++;
		else
			add(r, st, true);
		sf_status_free(st);
	}
	free(pids);
	if (r->fmt == CLI_OUT_TEXT)
		sf_buf_printf(&r->out,
			      "sysfence: %zu processes: %zu without seccomp, %zu under filters, "
			      "%zu in strict mode%s; %zu kernel threads not shown\n",
			      r->nshown, r->ndisabled, r->nfilter, r->nstrict,
			      r->nunknown ? ", some unknown" : "", r->nkernel);
	return EXIT_OK;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"filters", no_argument, NULL, 'F'},
	    {"no-filters", no_argument, NULL, 'N'},
	    {"output-format", required_argument, NULL, 'o'},
	    {"output", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct report r = {.fmt = CLI_OUT_TEXT};
	const char *output = NULL;
	bool all = false, filters = false, no_filters = false;
	int c, status = EXIT_OK, w;

	while ((c = getopt_long(argc, argv, "ao:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'F':
			filters = true;
			break;
		case 'N':
			no_filters = true;
			break;
		case 'o':
			r.fmt = cli_parse_out(optarg, 1u << CLI_OUT_TEXT | 1u << CLI_OUT_JSON);
			if (r.fmt < 0)
				return cli_usage(CMD, "-o takes text or json, not '%s'", optarg);
			break;
		case 'O':
			output = optarg;
			break;
		case 'h':
			return cli_help(CMD);
		default:
			return cli_usage(CMD, "unknown option");
		}
	}
	if (all && optind < argc)
		return cli_usage(CMD, "--all takes no PID");
	if (filters && !all)
		return cli_usage(CMD, "--filters goes with --all (the filters of given PIDs are "
				      "read unless --no-filters)");
	if (no_filters && all)
		return cli_usage(CMD, "--no-filters goes with PIDs (--all reads no filters "
				      "unless --filters)");
	for (int i = optind; i < argc; i++) {
		pid_t pid;
		if (parse_pid(argv[i], &pid) < 0)
			return cli_usage(CMD, "'%s' is not a process ID", argv[i]);
	}

	if (r.fmt == CLI_OUT_JSON)
		sf_buf_puts(&r.out, "{\"processes\":[");
	if (all) {
		status = run_all(&r, filters);
	} else {
		unsigned flags = no_filters ? 0 : SF_STATUS_FILTERS;
		int npids = argc - optind;
		for (int i = 0; i < (npids ? npids : 1); i++) {
			struct sf_status *st = NULL;
			struct sf_error err = {0};
			pid_t pid = 0;
			if (npids)
				parse_pid(argv[optind + i], &pid);
			if (sf_status_read(pid, flags, &st, &err) < 0) {
				not_found(&r, pid, &err);
				status = EXIT_FINDINGS;
				continue;
			}
			add(&r, st, false);
			sf_status_free(st);
		}
	}
	if (r.fmt == CLI_OUT_JSON)
		sf_buf_printf(&r.out, "],\"not_found\":[%s]}\n",
			      r.missing.data ? r.missing.data : "");
	w = cli_write_output(CMD, output, &r.out);
	sf_buf_free(&r.out);
	sf_buf_free(&r.missing);
	return w != EXIT_OK ? w : status;
}
