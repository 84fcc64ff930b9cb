/*
 * sysfence run: run a command under a profile, as a container runtime would at the syscall
 * boundary (compile and verify, no_new_privs, load with the profile's flags, execve), and with
 * --explain, report every call the profile refuses while applying the profile's outcome.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compile-common.h"
#include "run-cache.h"

extern char **environ;

const char help_run[] =
	"usage: sysfence run [--profile P] [options] -- CMD [ARGS...]\n"
	"\n"
	"Run CMD under a seccomp profile, as a container runtime does at the syscall boundary:\n"
	"the profile is compiled and verified, no_new_privs is set, the filter is loaded with the\n"
	"profile's flags (SPEC_ALLOW when it gives none, as runc and crun do), and CMD is\n"
	"executed: nothing else runs under the filter. Standard input, output, error and the\n"
	"environment pass through. If anything fails before CMD starts, CMD does not run.\n"
	"\n"
	"P is a file, '-' (standard input), or a built-in: @runtime-default (the default: Docker's\n"
	"default profile resolved for Docker's default capabilities and this machine),\n"
	"@unconfined (no filter), @audit (allow and log everything), @deny-all.\n"
	"\n"
	"options:\n"
	"  -p, --profile P     the profile (default @runtime-default)\n"
	"  --explain           report every syscall the profile refuses, as it happens, without\n"
	"                      root, auditd or dmesg; a summary at exit. Refusals reach a\n"
	"                      supervisor (SECCOMP_RET_USER_NOTIF) that answers each with the\n"
	"                      profile's outcome: the errno; for KILL_PROCESS and KILL_THREAD the\n"
	"                      process dies of SIGSYS (a supervisor cannot kill one thread alone);\n"
	"                      for TRAP, SIGSYS is queued (si_code SI_QUEUE, not SYS_SECCOMP) and\n"
	"                      the call fails with ENOSYS. A workload that loads a filter with its\n"
	"                      own listener gets EBUSY (one listener per filter chain).\n"
	"  --explain-log FILE  write the reports there instead of standard error\n"
	"  --suggest           with --explain: at exit, print the rules that would allow what was\n"
	"                      refused, as a profile fragment to merge\n"
	"  --allow-privilege-escalation\n"
	"                      do not set no_new_privs; the filter is then loaded with\n"
	"                      CAP_SYS_ADMIN, as Docker and runc do by default. With no_new_privs\n"
	"                      (the default, like podman's no-new-privileges and Kubernetes'\n"
	"                      allowPrivilegeEscalation: false) setuid and setgid bits and file\n"
	"                      capabilities give nothing: su, sudo, ping with file capabilities run\n"
	"                      with the caller's privileges only. Without it they work, and the\n"
	"                      caller needs CAP_SYS_ADMIN.\n"
	"  --caps LIST, --kernel X.Y, --arch A, --bad-arch ACTION, --runc-compat, --strict\n"
	"                      as for sysfence compile\n"
	"  --no-cache          compile and prove the profile even when this machine has\n"
	"                      already done so for the same profile and options (verified\n"
	"                      programs are kept, as crun keeps compiled filters, in\n"
	"                      /var/cache/sysfence for root, else ~/.cache/sysfence: private,\n"
	"                      and used only when the whole key matches; SYSFENCE_NO_CACHE=1\n"
	"                      turns it off too, SYSFENCE_CACHE_DIR=DIR moves it)\n"
	"  -v, --verbose       say what was loaded\n"
	"\n"
	"exit status: CMD's, or 128+N when signal N ended it (a KILL action: 159, SIGSYS);\n"
	"125 when sysfence itself fails (profile invalid or refused by the kernel, usage);\n"
	"126 when CMD cannot be executed, 127 when it is not found.\n";


struct run_opts {
	struct target_opts t;
	const char *profile;
	bool explain, suggest, escalate, verbose, no_cache;
	const char *explain_log;
	/* run_explained (record --verify): names whose refusals the profile means (a rule of
	 * its own refuses them), and where to count the other refusals. */
	const char *const *expected;
	size_t *unexpected;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	fputs("sysfence run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNNER;
}

static unsigned load_flags(const struct sf_profile *p)
{
	/* runc and crun: no flags given → SPEC_ALLOW. TSYNC is moot for one thread. */
	if (!p->nflag_names)
		return SF_FLAG_SPEC_ALLOW;
	return p->flags & ~SF_FLAG_TSYNC;
}

/* ---- the supervisor (--explain) --------------------------------------------------------- */

struct denial_count {
	char name[64];
	char abi[16];
	char exe[256];
	char action[48];
	size_t count;
};

struct supervisor {
	const struct sf_policy *pol;
	int listener;
	/* Until the command is executed, the child's own calls (waiting for us, reporting a
	 * failed exec) are sysfence's, not the command's: they run, unreported. */
	pid_t child;
	int setup_read_fd, setup_write_fd, exec_pipe;
	bool execed;
	FILE *log;
	struct timespec t0;
	struct denial_count *v;
	size_t n, cap, total;
	const char *const *expected;
	size_t unexpected;
};

static void count_denial(struct supervisor *s, const char *name, const char *abi, const char *exe,
			 const char *action)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name) && !strcmp(s->v[i].abi, abi) &&
		    !strcmp(s->v[i].exe, exe) && !strcmp(s->v[i].action, action)) {
			s->v[i].count++;
			return;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct denial_count *v = reallocarray(s->v, cap, sizeof(*v));
		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	struct denial_count *d = &s->v[s->n++];
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->abi, sizeof(d->abi), "%s", abi);
	snprintf(d->exe, sizeof(d->exe), "%s", exe);
	snprintf(d->action, sizeof(d->action), "%s", action);
	d->count = 1;
}

/* Name and ABI of a notified call (x32 numbers carry bit 30 in x86_64's section). */
static const char *call_name(const struct seccomp_data *d, const char **abi)
{
	const struct sf_arch *a = sf_arch_by_audit(d->arch);
	*abi = a ? a->name : "unknown-arch";
	if (!a)
		return NULL;
	if (strcmp(a->name, "x86_64") == 0 && (d->nr & 0x40000000) && d->nr != -1) {
		*abi = "x32";
		return sf_syscall_name(sf_arch_find("x32"), d->nr);
	}
	return sf_syscall_name(a, d->nr);
}

/* Whether the child has executed the command: its exec pipe (close-on-exec) reads EOF. */
static void update_execed(struct supervisor *s)
{
	if (s->execed)
		return;
	struct pollfd p = { s->exec_pipe, POLLIN, 0 };
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLIN))) {
		char c;
		ssize_t k = recv(s->exec_pipe, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != ENOTSOCK))
			s->execed = true;
		else if (k < 0 && errno == ENOTSOCK) {
			/* a pipe: POLLHUP alone (no data) means every writer is gone */
			if ((p.revents & POLLHUP) && !(p.revents & POLLIN))
				s->execed = true;
		}
	}
}

static bool setup_call(struct supervisor *s, const struct sf_notif *n)
{
	const struct sf_arch *a = sf_arch_by_audit(n->data.arch);
	if (s->execed || n->pid != s->child || a != sf_arch_native())
		return false;
	const char *name = sf_syscall_name(a, n->data.nr);
	if (!name)
		return false;
	return (strcmp(name, "read") == 0 && n->data.args[0] == (uint64_t)s->setup_read_fd) ||
	       (strcmp(name, "write") == 0 && n->data.args[0] == (uint64_t)s->setup_write_fd) ||
	       strcmp(name, "exit_group") == 0;
}

static void handle(struct supervisor *s)
{
	struct sf_notif n;
	int r = sf_notif_recv(s->listener, &n);
	if (r < 0)
		return; /* the caller died, or an interruption: nothing to answer */
	update_execed(s);
	if (setup_call(s, &n)) {
		sf_notif_respond(s->listener, n.id, 0, 0, true);
		return;
	}
	uint32_t ret = sf_policy_eval(s->pol, &n.data);
	const char *abi, *name = call_name(&n.data, &abi);
	char exe[256], action[48], numbuf[32];
	struct sf_buf call = { 0 };
	struct timespec now;

	sf_proc_exe(n.pid, exe, sizeof(exe));
	sf_describe_call(s->listener, &n, name, &call);
	sf_ret_describe(ret, action, sizeof(action));
	clock_gettime(CLOCK_MONOTONIC, &now);
	double t = (double)(now.tv_sec - s->t0.tv_sec) + (double)(now.tv_nsec - s->t0.tv_nsec) / 1e9;
	fprintf(s->log, "sysfence: [%9.6f] pid %d %s: %s%s%s -> %s\n", t, (int)n.pid, exe,
		strcmp(abi, sf_arch_native()->name) ? abi : "", strcmp(abi, sf_arch_native()->name) ? " " : "",
		call.data ? call.data : "?", action);
	fflush(s->log);
	if (!name) {
		snprintf(numbuf, sizeof(numbuf), "syscall_%d", n.data.nr);
		name = numbuf;
	}
	count_denial(s, name, abi, exe, action);
	s->total++;
	bool expected = false;
	for (const char *const *e = s->expected; e && *e && !expected; e++)
		expected = strcmp(*e, name) == 0;
	s->unexpected += !expected;
	sf_buf_free(&call);
	sf_notif_apply(s->listener, &n, ret);
}

static int cmp_count(const void *a, const void *b)
{
	const struct denial_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void summary(struct supervisor *s, bool suggest)
{
	if (!s->total) {
		fprintf(s->log, "sysfence: the profile refused no syscall\n");
		return;
	}
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_count);
	fprintf(s->log, "sysfence: %zu refused call%s:\n", s->total, s->total == 1 ? "" : "s");
	fprintf(s->log, "  %6s  %-8s %-22s %-16s %s\n", "count", "abi", "syscall", "action",
		"executable");
	for (size_t i = 0; i < s->n; i++)
		fprintf(s->log, "  %6zu  %-8s %-22s %-16s %s\n", s->v[i].count, s->v[i].abi,
			s->v[i].name, s->v[i].action, s->v[i].exe);
	if (!suggest)
		return;
	/* The rule that allows what was refused, names sorted. */
	fprintf(s->log, "sysfence: to allow them, add to \"syscalls\":\n");
	char *names[512];
	size_t nn = 0;
	for (size_t i = 0; i < s->n && nn < 512; i++) {
		bool dup = false;
		for (size_t j = 0; j < nn; j++)
			dup |= strcmp(names[j], s->v[i].name) == 0;
		if (!dup && strncmp(s->v[i].name, "syscall_", 8) != 0)
			names[nn++] = s->v[i].name;
	}
	for (size_t i = 1; i < nn; i++)
		for (size_t j = i; j > 0 && strcmp(names[j], names[j - 1]) < 0; j--) {
			char *tmp = names[j];
			names[j] = names[j - 1];
			names[j - 1] = tmp;
		}
	printf("{\"names\": [");
	for (size_t i = 0; i < nn; i++)
		printf("%s\"%s\"", i ? ", " : "", names[i]);
	printf("], \"action\": \"SCMP_ACT_ALLOW\"}\n");
	fflush(stdout);
}

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_getfd_(int pidfd, int fd)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

static bool is_listener(int fd)
{
	char path[64], target[128];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return strstr(target, "seccomp notify") != NULL;
}

/* The fd the child's listener gets: the lowest free one, which the child makes 3. */
#define LISTENER_FD 3

static int explain(struct run_opts *o, const struct sf_policy *pol, const struct sf_prog *prog,
		   unsigned flags, const char *path, char **argv)
{
	int sync[2], err_pipe[2];
	struct supervisor s = { .pol = pol, .log = stderr, .expected = o->expected };
	sigset_t mask, old;

	if (o->explain_log && !(s.log = fopen(o->explain_log, "we")))
		return fail("cannot open %s: %s", o->explain_log, strerror(errno));
	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0)
		return fail("pipe: %s", strerror(errno));
	/* Keep the pipes above the listener's number. */
	for (int i = 0; i < 2; i++) {
		int a = fcntl(sync[i], F_DUPFD_CLOEXEC, 10), b = fcntl(err_pipe[i], F_DUPFD_CLOEXEC, 10);
		close(sync[i]);
		close(err_pipe[i]);
		sync[i] = a;
		err_pipe[i] = b;
	}
	/* Signals come through a signalfd; the terminal's own (INT, QUIT) reach the command
	 * directly, as it shares our process group. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct sf_error err = { 0 };
		int code = EXIT_RUNNER;
		sigprocmask(SIG_SETMASK, &old, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(EXIT_RUNNER);
		close(sync[1]);
		close(err_pipe[0]);
		/* 0, 1 and 2 open, 3 free: the listener gets 3. */
		for (int fd = 0; fd < 3; fd++)
			if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
				goto child_fail;
		close(LISTENER_FD);
		/* Killable-only waits once we hold a notification: a signal we queue (TRAP) or
		 * one sent to the command does not interrupt a call we are answering. */
		struct sf_load_opts lo = { .no_new_privs = !o->escalate,
					   .flags = flags | SF_FLAG_WAIT_KILLABLE_RECV,
					   .new_listener = true };
		int listener = -1;
		if (sf_seccomp_load(prog, &lo, &listener, &err) < 0 && err.code == -EINVAL) {
			/* kernels before 5.19 lack the flag */
			lo.flags = flags;
			sf_error_clear(&err);
			sf_seccomp_load(prog, &lo, &listener, &err);
		}
		if (err.code || listener != LISTENER_FD) {
			if (!err.code)
				sf_error_set(&err, -EBADF, "the listener did not get fd %d", LISTENER_FD);
			goto child_fail;
		}
		/* Wait for the supervisor to hold the listener (a refused read waits too). */
		char go;
		if (read(sync[0], &go, 1) < 0) {
		}
		execve(path, argv, environ);
		code = cli_exec_status(errno);
		sf_error_set(&err, -errno, "cannot execute %s: %s", path, strerror(errno));
	child_fail:
		if (write(err_pipe[1], &code, sizeof(code)) < 0 ||
		    write(err_pipe[1], err.msg, strlen(err.msg)) < 0) {
		}
		_exit(code);
	}
	close(sync[0]);
	close(err_pipe[1]);
	s.child = pid;
	s.setup_read_fd = sync[0];
	s.setup_write_fd = err_pipe[1];
	s.exec_pipe = err_pipe[0];
	int pidfd = pidfd_open_(pid);
	if (pidfd < 0) {
		kill(pid, SIGKILL);
		return fail("pidfd_open: %s", strerror(errno));
	}
	/* Take the listener as soon as the child has it (it then waits for us). */
	struct timespec pause = { 0, 50000 };
	for (int tries = 0; tries < 200000; tries++) {
		int fd = pidfd_getfd_(pidfd, LISTENER_FD);
		if (fd >= 0 && is_listener(fd)) {
			s.listener = fd;
			break;
		}
		if (fd >= 0)
			close(fd);
		if (fd < 0 && errno != EBADF) {
			kill(pid, SIGKILL);
			return fail("cannot take the child's seccomp listener (pidfd_getfd: %s): "
				    "--explain needs to ptrace its child (Yama ptrace_scope, or run "
				    "as root)",
				    strerror(errno));
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			int code = EXIT_RUNNER;
			char msg[SF_ERROR_MSG_MAX] = "";
			if (read(err_pipe[0], &code, sizeof(code)) == sizeof(code)) {
				ssize_t k = read(err_pipe[0], msg, sizeof(msg) - 1);
				msg[k > 0 ? k : 0] = 0;
			}
			fail("%s", msg[0] ? msg : "the command's process died before it started");
			return code;
		}
		nanosleep(&pause, NULL);
	}
	if (s.listener <= 0) {
		kill(pid, SIGKILL);
		return fail("timed out waiting for the child's seccomp listener");
	}
	sf_notif_sync_wakeup(s.listener);
	if (write(sync[1], "g", 1) < 0) {
	}
	close(sync[1]);

	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	struct pollfd pfd[3] = { { s.listener, POLLIN, 0 }, { pidfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	int status = -1, code = EXIT_RUNNER;
	while (status < 0) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN)
			handle(&s);
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD &&
			    si.ssi_signo != SIGINT && si.ssi_signo != SIGQUIT)
				kill(pid, (int)si.ssi_signo);
		}
		if (pfd[1].revents & POLLIN) {
			int st;
			if (waitpid(pid, &st, 0) == pid)
				status = st;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR))
			pfd[0].fd = -1;
	}
	/* If exec failed the child said why. */
	char msg[SF_ERROR_MSG_MAX] = "";
	int ecode = 0;
	if (read(err_pipe[0], &ecode, sizeof(ecode)) == sizeof(ecode)) {
		ssize_t k = read(err_pipe[0], msg, sizeof(msg) - 1);
		msg[k > 0 ? k : 0] = 0;
		fail("%s", msg);
		code = ecode;
	} else {
		code = cli_wait_status(status);
	}
	summary(&s, o->suggest);
	if (o->unexpected)
		*o->unexpected = s.unexpected;
	/* The command's children may outlive it (daemons): while any task holds the filter, a
	 * supervisor stays in the background to answer their calls with the profile's outcome
	 * (without one they would get ENOSYS), and reports them; we return the command's
	 * status now, as a shell does. */
	struct pollfd hup = { s.listener, POLLIN, 0 };
	if (poll(&hup, 1, 0) >= 0 && !(hup.revents & (POLLHUP | POLLERR))) {
		pid_t bg = fork();
		if (bg == 0) {
			setsid();
			s.execed = true;
			for (;;) {
				struct pollfd q = { s.listener, POLLIN, 0 };
				if (poll(&q, 1, -1) < 0 && errno != EINTR)
					break;
				if (q.revents & POLLIN)
					handle(&s);
				else if (q.revents & (POLLHUP | POLLERR))
					break;
			}
			_exit(0);
		}
	}
	if (s.log != stderr)
		fclose(s.log);
	free(s.v);
	close(s.listener);
	close(pidfd);
	return code;
}

/* --explain: the refusals become notifications, compiled and proven; then explain. */
static int explain_policy(struct run_opts *o, const struct sf_policy *pol, unsigned flags,
			  const char *path, char **cmd)
{
	struct sf_policy *npol = NULL;
	struct sf_prog prog = { 0 };
	struct sf_error err = { 0 };
	int r;

	if (sf_policy_notify_refusals(pol, &npol, &err) < 0 ||
	    sf_policy_compile(npol, &prog, &err) < 0 ||
	    sf_policy_verify(npol, &prog, NULL, &err) < 0) {
		cli_print_error(&err);
		r = EXIT_RUNNER;
		goto out;
	}
	/* LOG of refusals would double every report. */
	flags &= ~SF_FLAG_LOG;
	if (o->verbose)
		fprintf(stderr, "sysfence run: %s: %zu instructions, refusals explained\n",
			o->profile, prog.len);
	r = explain(o, pol, &prog, flags, path, cmd);
out:
	sf_prog_free(&prog);
	sf_policy_free(npol);
	return r;
}

int run_explained(const struct sf_profile *p, const char *path, char **argv,
		  const char *const *expected, size_t *unexpected)
{
	struct run_opts o = { .profile = "(profile)", .explain = true, .expected = expected,
			      .unexpected = unexpected };
	struct sf_policy *pol = NULL;

	if (target_policy("run", p, &o.t, &pol) != EXIT_OK)
		return EXIT_RUNNER;
	int r = explain_policy(&o, pol, load_flags(p), path, argv);
	sf_policy_free(pol);
	return r;
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "explain", no_argument, NULL, 'e' },
		{ "explain-log", required_argument, NULL, 'L' },
		{ "suggest", no_argument, NULL, 's' },
		{ "allow-privilege-escalation", no_argument, NULL, 'E' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-cache", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		TARGET_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { .profile = "@runtime-default" };
	int c, r;

	/* Options stop at the command: `sysfence run -- ls -l` and `sysfence run ls -l`. */
	while ((c = getopt_long(argc, argv, "+p:vh", opts, NULL)) != -1) {
		int k = target_option("run", c, optarg, &o.t);
		if (k < 0)
			return EXIT_RUNNER;
		if (k)
			continue;
		switch (c) {
		case 'p':
			o.profile = optarg;
			break;
		case 'e':
			o.explain = true;
			break;
		case 'L':
			o.explain_log = optarg;
			o.explain = true;
			break;
		case 's':
			o.suggest = true;
			break;
		case 'E':
			o.escalate = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'C':
			o.no_cache = true;
			break;
		case 'h':
			return cli_help("run");
		default:
			fprintf(stderr, "Try 'sysfence run --help'.\n");
			return EXIT_RUNNER;
		}
	}
	if (optind >= argc)
		return fail("no command given (sysfence run [options] -- CMD [ARGS...])");
	if (o.suggest && !o.explain)
		return fail("--suggest goes with --explain");
	char **cmd = argv + optind;
	char path[PATH_MAX];
	int found = cli_find_command(cmd[0], path, sizeof(path));
	if (found == EXIT_NOTFOUND) {
		fail("%s: command not found", cmd[0]);
		return EXIT_NOTFOUND;
	}
	if (found == EXIT_NOEXEC) {
		fail("%s: permission denied (not executable)", cmd[0]);
		return EXIT_NOEXEC;
	}
	if (o.escalate) {
		/* Without no_new_privs the kernel wants CAP_SYS_ADMIN: say so before it refuses. */
		if (prctl(PR_CAPBSET_READ, 21 /* CAP_SYS_ADMIN */, 0, 0, 0) != 1)
			return fail("--allow-privilege-escalation needs CAP_SYS_ADMIN");
	}

	struct sf_profile *p = NULL;
	struct sf_policy *pol = NULL;
	struct sf_prog prog = { 0 };
	struct sf_error err = { 0 };
	unsigned flags = 0;
	struct run_cache cache = { 0 };
	bool unconfined = strcmp(o.profile, "@unconfined") == 0;

	/* A verified program for the same profile and options: no need to prove it again. */
	if (!unconfined && !o.explain && !o.no_cache && !o.t.freq) {
		struct sf_buf opt = { 0 };
		sf_buf_printf(&opt, "caps=%s kernel=%u.%u bad=%d:%#x runc=%d strict=%d arches=",
			      o.t.caps_arg ? o.t.caps_arg : "", o.t.kernel_major, o.t.kernel_minor,
			      o.t.copts.has_bad_arch, o.t.copts.bad_arch_ret, o.t.copts.runc_compat,
			      o.t.copts.strict);
		for (size_t i = 0; i < o.t.narches; i++)
			sf_buf_printf(&opt, "%s,", o.t.arches[i]->name);
		if (!opt.oom)
			run_cache_init(&cache, o.profile, opt.data);
		sf_buf_free(&opt);
		if (run_cache_get(&cache, &prog, &flags)) {
			if (o.verbose)
				fprintf(stderr, "sysfence run: %s: %zu instructions (verified before, "
						"from the cache)\n",
					o.profile, prog.len);
			r = 0;
			goto load;
		}
	}
	if (!unconfined) {
		r = target_load("run", o.profile, &o.t, &p);
		if (r != EXIT_OK) {
			r = EXIT_RUNNER;
			goto out;
		}
		if (p->default_action == SF_ACT_ALLOW && !p->nrules)
			unconfined = !o.explain; /* nothing to filter */
	}
	if (unconfined) {
		sf_profile_free(p);
		run_cache_free(&cache);
		execv(path, cmd);
		fail("cannot execute %s: %s", path, strerror(errno));
		return cli_exec_status(errno);
	}
	/* NOTIFY needs an agent; sysfence run does not connect to listenerPath. */
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].action == SF_ACT_NOTIFY) {
			r = fail("the profile uses SCMP_ACT_NOTIFY: its seccomp agent (listenerPath) "
				 "answers those calls, and sysfence run does not hand the listener "
				 "to an agent; the command does not run");
			goto out;
		}
	flags = load_flags(p);
	if (target_policy("run", p, &o.t, &pol) != EXIT_OK) {
		r = EXIT_RUNNER;
		goto out;
	}
	/* The command runs in this machine's ABI: if that is not a target, every call it made
	 * would get the bad-arch action. */
	{
		bool native = false;
		for (size_t i = 0; i < sf_policy_narches(pol); i++)
			native |= sf_policy_arch(pol, i) == sf_arch_native();
		if (!native) {
			r = fail("%s is not among the profile's targets (--arch): every syscall of "
				 "the command would get the bad-arch action; it does not run",
				 sf_arch_native()->name);
			goto out;
		}
	}
	if (o.explain) {
		r = explain_policy(&o, pol, flags, path, cmd);
		goto out;
	}
	if (sf_policy_compile(pol, &prog, &err) < 0 || sf_policy_verify(pol, &prog, NULL, &err) < 0) {
		cli_print_error(&err);
		r = EXIT_RUNNER;
		goto out;
	}
	run_cache_put(&cache, &prog, flags);
load:
	/* A program that refuses execve itself: the command cannot start, and once the filter is
	 * loaded we could not even say so (--explain shows it happen). Asked of the program, so
	 * that a cached one is asked too. */
	{
		struct seccomp_data d = { .arch = sf_arch_native()->audit_arch,
					  .nr = (int)sf_syscall_nr(sf_arch_native(), "execve") };
		struct seccomp_data d2 = d;
		uint32_t e1 = 0, e2 = 0;
		memset(d2.args, 0xff, sizeof(d2.args));
		if (sf_bpf_emulate(prog.insns, prog.len, &d, &e1, NULL, NULL) == 0 &&
		    sf_bpf_emulate(prog.insns, prog.len, &d2, &e2, NULL, NULL) == 0 &&
		    sf_ret_is_refusal(e1) && sf_ret_is_refusal(e2)) {
			char desc[48];
			fail("the profile refuses execve (%s): the command cannot start",
			     sf_ret_describe(e1, desc, sizeof(desc)));
			r = EXIT_NOEXEC;
			goto out;
		}
	}
	if (o.verbose)
		fprintf(stderr, "sysfence run: %s: %zu instructions, flags %#x, no_new_privs %s\n",
			o.profile, prog.len, flags, o.escalate ? "off" : "on");
	struct sf_load_opts lo = { .no_new_privs = !o.escalate, .flags = flags };
	if (sf_seccomp_load(&prog, &lo, NULL, &err) < 0) {
		fail("%s", err.msg);
		r = EXIT_RUNNER;
		goto out;
	}
	/* From here on, everything runs under the filter: only execve. */
	execv(path, cmd);
	r = cli_exec_status(errno);
	fail("cannot execute %s under the profile: %s", path, strerror(errno));
out:
	run_cache_free(&cache);
	sf_prog_free(&prog);
	sf_policy_free(pol);
	sf_profile_free(p);
	return r;
}
