/* Running a command under a filter with a listener, and serving its notifications. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sysfence/enforce.h>
#include <sysfence/profile.h>

#include "util/util.h"

/* The fd the child's listener gets: the lowest free one, which the child makes 3. */
#define LISTENER_FD 3

struct child_msg {
	int code; /* -errno */
	bool exec_failed;
	char msg[SF_ERROR_MSG_MAX];
};

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

/* Everything the child does runs under the filter once it is loaded: until the exec, its calls
 * are ours and the supervisor lets them run (sf_spawn's on_notif never sees them). */
static __attribute__((noreturn)) void child(const struct sf_spawn *s, int sync_fd, int msg_fd,
					     const sigset_t *old, pid_t parent)
{
	struct child_msg m = { .code = -EIO };
	struct sf_error err = { 0 };
	int saved3 = -1, flags3 = 0;

	sigprocmask(SIG_SETMASK, old, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			sf_error_set(&err, -errno, "cannot open /dev/null as fd %d", fd);
			goto fail;
		}
	/* The listener takes fd 3; the caller's fd 3, if any, is given back before the exec. */
	flags3 = fcntl(LISTENER_FD, F_GETFD);
	if (flags3 >= 0) {
		saved3 = fcntl(LISTENER_FD, F_DUPFD_CLOEXEC, 10);
		if (saved3 < 0) {
			sf_error_set(&err, -errno, "cannot move fd 3 aside: %s", strerror(errno));
			goto fail;
		}
		close(LISTENER_FD);
	}
	/* Killable-only waits once a notification is received: a signal sent to the command
	 * does not interrupt a call the supervisor is answering. Kernels before 5.19 lack it. */
	struct sf_load_opts lo = { .no_new_privs = s->no_new_privs,
				   .flags = s->flags | SF_FLAG_WAIT_KILLABLE_RECV,
				   .new_listener = true };
	int listener = -1;
	if (sf_seccomp_load(s->prog, &lo, &listener, &err) < 0 && err.code == -EINVAL) {
		lo.flags = s->flags;
		sf_error_clear(&err);
		sf_seccomp_load(s->prog, &lo, &listener, &err);
	}
	if (err.code)
		goto fail;
	if (listener != LISTENER_FD) {
		sf_error_set(&err, -EBADF, "the listener got fd %d, not %d", listener, LISTENER_FD);
		goto fail;
	}
	/* Wait until the supervisor holds the listener (this read waits for it too). */
	char go;
	if (read(sync_fd, &go, 1) != 1)
		_exit(125);
	if (saved3 >= 0 && dup3(saved3, LISTENER_FD, flags3 & FD_CLOEXEC ? O_CLOEXEC : 0) < 0) {
		sf_error_set(&err, -errno, "cannot give fd 3 back: %s", strerror(errno));
		goto fail;
	}
	execve(s->path, s->argv, s->envp);
	m.exec_failed = true;
	sf_error_set(&err, -errno, "cannot execute %s: %s", s->path, strerror(errno));
fail:
	m.code = err.code ? err.code : -EIO;
	snprintf(m.msg, sizeof(m.msg), "%s", err.msg);
	if (write(msg_fd, &m, sizeof(m)) < 0) {
	}
	_exit(m.exec_failed ? 127 : 125);
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Whether the child has executed the command: the message pipe (close-on-exec) has no writer
 * left and nothing in it. */
static bool execed(int msg_fd)
{
	struct pollfd p = { msg_fd, POLLIN, 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && !(p.revents & POLLIN);
}

/* Answer the remaining processes' calls (they run) until none holds the filter, in the
 * background: without an answer every call of theirs would fail with ENOSYS. */
static void detach(int listener)
{
	pid_t bg = fork();
	if (bg != 0)
		return;
	setsid();
	for (;;) {
		struct pollfd q = { listener, POLLIN, 0 };
		if (poll(&q, 1, -1) < 0 && errno != EINTR)
			break;
		if (q.revents & POLLIN) {
			struct sf_notif n;
			if (sf_notif_recv(listener, &n) == 0)
				sf_notif_respond(listener, n.id, 0, 0, true);
		} else if (q.revents & (POLLHUP | POLLERR)) {
			break;
		}
	}
	_exit(0);
}

int sf_spawn_supervised(const struct sf_spawn *s, struct sf_spawn_result *res, struct sf_error *err)
{
	int sync[2] = { -1, -1 }, msg[2] = { -1, -1 }, pidfd = -1, listener = -1, sfd = -1;
	sigset_t mask, old;
	int r = 0;

	memset(res, 0, sizeof(*res));
	res->pid = -1;
	if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(msg, O_CLOEXEC) < 0) {
		r = sf_error_set(err, -errno, "pipe: %s", strerror(errno));
		goto close_pipes;
	}
	/* Keep the pipes away from fd 3, which the listener takes. */
	for (int i = 0; i < 2; i++) {
		int a = fcntl(sync[i], F_DUPFD_CLOEXEC, 10), b = fcntl(msg[i], F_DUPFD_CLOEXEC, 10);
		close(sync[i]);
		close(msg[i]);
		sync[i] = a;
		msg[i] = b;
		if (a < 0 || b < 0) {
			r = sf_error_set(err, -EMFILE, "cannot place the setup pipes");
			goto close_pipes;
		}
	}
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT };
	sigemptyset(&mask);
	for (size_t i = 0; i < SF_ARRAY_SIZE(sigs); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		r = sf_error_set(err, -errno, "fork: %s", strerror(errno));
		goto restore;
	}
	if (pid == 0) {
		close(sync[1]);
		close(msg[0]);
		child(s, sync[0], msg[1], &old, parent);
	}
	res->pid = pid;
	close(sync[0]);
	close(msg[1]);
	sync[0] = msg[1] = -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		r = sf_error_set(err, -errno, "pidfd_open: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto restore;
	}
	/* Take the listener as soon as the child has it (it then waits for us). */
	struct timespec pause = { 0, 20000 };
	for (long tries = 0; listener < 0; tries++) {
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, LISTENER_FD, 0);
		if (fd >= 0 && is_listener(fd)) {
			listener = fd;
			break;
		}
		if (fd >= 0)
			close(fd);
		else if (errno != EBADF) {
			r = sf_error_set(err, -errno,
					 "cannot take the child's seccomp listener (pidfd_getfd: %s): "
					 "this needs ptrace access to the child (CAP_SYS_PTRACE, or Yama "
					 "ptrace_scope 0 or 1)",
					 strerror(errno));
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto restore;
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			struct child_msg m;
			if (read(msg[0], &m, sizeof(m)) == (ssize_t)sizeof(m)) {
				m.msg[sizeof(m.msg) - 1] = 0;
				res->exec_failed = m.exec_failed;
				r = sf_error_set(err, m.code, "%s", m.msg);
			} else {
				r = sf_error_set(err, -ECHILD, "the child died before it started");
			}
			res->status = st;
			goto restore;
		}
		if (tries > 500000) {
			r = sf_error_set(err, -ETIMEDOUT, "timed out waiting for the child's listener");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			goto restore;
		}
		nanosleep(&pause, NULL);
	}
	sf_notif_sync_wakeup(listener); /* harmless when unsupported (before 6.6) */
	if (write(sync[1], "g", 1) < 0) {
	}
	close(sync[1]);
	sync[1] = -1;
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);

	bool reaped = false, hup = false, is_execed = false, stop = false;
	int signals = 0;
	struct pollfd pfd[3] = { { listener, POLLIN, 0 }, { pidfd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	bool ticks = s->on_tick && s->tick_ms;
	int64_t next = ticks ? now_ms() + s->tick_ms : 0;
	while (!(reaped && (hup || stop || !s->wait_all))) {
		int timeout = -1;
		if (ticks) {
			int64_t now = now_ms();
			if (now >= next) {
				s->on_tick(s->ctx);
				now = now_ms();
				next = now + s->tick_ms;
			}
			timeout = (int)(next - now);
		}
		int np = poll(pfd, 3, timeout);
		if (np < 0) {
			if (errno == EINTR)
				continue;
			r = sf_error_set(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (np == 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			struct sf_notif n;
			if (sf_notif_recv(listener, &n) == 0) {
				if (!is_execed)
					is_execed = execed(msg[0]);
				if (!is_execed && n.pid == pid)
					sf_notif_respond(listener, n.id, 0, 0, true);
				else
					s->on_notif(s->ctx, listener, &n);
			}
		} else if (pfd[0].revents & (POLLHUP | POLLERR)) {
			hup = true;
			pfd[0].fd = -1;
		}
		if (pfd[1].revents & POLLIN) {
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid) {
				res->status = st;
				reaped = true;
				pfd[1].fd = -1;
			}
		}
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			int sig = (int)si.ssi_signo;
			if (sig == SIGCHLD)
				continue;
			if (s->on_signal && s->on_signal(s->ctx, sig))
				continue;
			bool from_process = si.ssi_code <= 0; /* SI_USER, SI_QUEUE, SI_TKILL */
			if (!reaped && (from_process || (sig != SIGINT && sig != SIGQUIT)))
				kill(pid, sig);
			/* A second one, or one once the command is gone: stop waiting. */
			if ((sig == SIGINT || sig == SIGTERM) && (reaped || ++signals > 1))
				stop = true;
		}
	}
	if (r == 0) {
		struct child_msg m;
		if (read(msg[0], &m, sizeof(m)) == (ssize_t)sizeof(m) && m.exec_failed) {
			m.msg[sizeof(m.msg) - 1] = 0;
			res->exec_failed = true;
			r = sf_error_set(err, m.code, "%s", m.msg);
		}
		if (!hup) {
			struct pollfd q = { listener, POLLIN, 0 };
			if (poll(&q, 1, 0) >= 0 && !(q.revents & (POLLHUP | POLLERR))) {
				detach(listener);
				res->detached = true;
			}
		}
	}
restore:
	if (sfd >= 0)
		close(sfd);
	if (listener >= 0)
		close(listener);
	if (pidfd >= 0)
		close(pidfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (sync[i] >= 0)
			close(sync[i]);
		if (msg[i] >= 0)
			close(msg[i]);
	}
	return r;
}
