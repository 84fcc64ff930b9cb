/*
 * probe CALL...: make each call with harmless arguments and print one line per call:
 *     CALL ok           the call succeeded
 *     CALL ERRNO_NAME   it failed (EPERM, ENOSYS, EINVAL, ...)
 * Exit status 0. Calls:
 *   keyctl          keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)
 *   unshare         unshare(CLONE_NEWUTS)
 *   mount           mount("none", "/nonexistent-sysfence", "tmpfs", 0, NULL)
 *   reboot          reboot(0, 0, 0, NULL): bad magic, so EINVAL when it reaches the kernel
 *   clone-newnet    clone(CLONE_NEWNET | SIGCHLD): the child exits at once
 *   clone-plain     clone(SIGCHLD), the same without a namespace flag
 *   clone3          clone3(&args, 1): a size the kernel refuses with EINVAL
 *   vsock           socket(AF_VSOCK, SOCK_STREAM, 0)
 *   inet            socket(AF_INET, SOCK_STREAM, 0)
 *   kexec_load      kexec_load(0, 0, NULL, 0xdead0000): bad flags, EINVAL in the kernel
 *   bpf             bpf(-1, NULL, 0): EINVAL in the kernel
 *   ptrace          ptrace(PTRACE_TRACEME) in a child (which then exits)
 *   personality=N   personality(N) through glibc (N in any base strtoul takes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *ename(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ENOKEY: return "ENOKEY";
	case EBUSY: return "EBUSY";
	case E2BIG: return "E2BIG";
	case EFAULT: return "EFAULT";
	}
	static char buf[32];
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

static void report(const char *call, long r)
{
	if (r == -1)
		printf("%s %s\n", call, ename(errno));
	else
		printf("%s ok\n", call);
}

static long reap(long pid)
{
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *c = argv[i];
		long r;
		errno = 0;
		if (!strcmp(c, "keyctl")) {
			r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
		} else if (!strcmp(c, "unshare")) {
			r = unshare(CLONE_NEWUTS);
		} else if (!strcmp(c, "mount")) {
			r = syscall(SYS_mount, "none", "/nonexistent-sysfence", "tmpfs", 0, NULL);
		} else if (!strcmp(c, "reboot")) {
			r = syscall(SYS_reboot, 0, 0, 0, NULL);
		} else if (!strcmp(c, "clone-newnet")) {
			r = reap(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0));
		} else if (!strcmp(c, "clone-plain")) {
			r = reap(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
		} else if (!strcmp(c, "clone3")) {
			char args[128] = { 0 };
			r = syscall(SYS_clone3, args, 1);
			if (r == 0)
				_exit(0);
		} else if (!strcmp(c, "vsock") || !strcmp(c, "inet")) {
			r = socket(!strcmp(c, "vsock") ? AF_VSOCK : AF_INET, SOCK_STREAM, 0);
			if (r >= 0)
				close((int)r);
		} else if (!strcmp(c, "kexec_load")) {
			r = syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL);
		} else if (!strcmp(c, "bpf")) {
			r = syscall(SYS_bpf, -1, NULL, 0);
		} else if (!strcmp(c, "ptrace")) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 100 + errno);
			int st = 0;
			waitpid(pid, &st, 0);
			r = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
			if (r < 0)
				errno = WIFEXITED(st) ? WEXITSTATUS(st) - 100 : 0;
		} else if (!strncmp(c, "personality=", 12)) {
			r = personality(strtoul(c + 12, NULL, 0));
		} else {
			fprintf(stderr, "probe: unknown call %s\n", c);
			return 2;
		}
		report(c, r);
	}
	return 0;
}
