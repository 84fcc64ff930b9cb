/*
 * trap [--restart] PATH: install a SIGSYS handler (with SA_RESTART when asked), then mkdir(PATH)
 * through the x86_64 mkdir syscall.
 * The handler prints what the kernel says about the trapped call:
 *     sigsys si_code=C si_syscall=N si_arch=0xA
 * (SECCOMP_RET_TRAP: si_code SYS_SECCOMP = 1, si_syscall the number, si_arch the AUDIT_ARCH);
 * then main prints "mkdir returned R errno E" and exits 0. Without a signal it prints
 * "no signal" before that line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[128];
	(void)sig;
	(void)ctx;
	int n = snprintf(buf, sizeof(buf), "sigsys si_code=%d si_syscall=%d si_arch=%#x\n",
			 si->si_code, si->si_syscall, si->si_arch);
	if (write(1, buf, (size_t)n) < 0) {
	}
	caught = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	bool restart = argc == 3 && strcmp(argv[1], "--restart") == 0;
	if (argc != 2 + restart) {
		fprintf(stderr, "usage: trap [--restart] PATH\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
	sigaction(SIGSYS, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	errno = 0;
	long r = syscall(SYS_mkdir, argv[argc - 1], 0755);
	int e = errno;
	if (!caught)
		printf("no signal\n");
	printf("mkdir returned %ld errno %d\n", r, r == -1 ? e : 0);
	return 0;
}
