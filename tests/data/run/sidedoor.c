/*
 * Side doors into the kernel from a 64-bit x86_64 process, for tests/integration/run.bats:
 *
 *   sidedoor i386-mkdir PATH       mkdir(PATH, 0755) through int $0x80 (i386 number 39)
 *   sidedoor i386-socket FAMILY    socket(FAMILY, SOCK_STREAM, 0) through int $0x80 (i386 359)
 *   sidedoor socketcall FAMILY     the same through i386 socketcall(SYS_SOCKET = 1, args)
 *                                  (int $0x80, eax 102), args in memory below 4 GiB
 *   sidedoor x32-mkdir PATH        mkdir through the x32 number (0x40000000 | 83)
 *   sidedoor mkdir PATH            the ordinary x86_64 mkdir (83)
 *
 * Prints "ok N" (N the result) and exits 0, or "errno E (message)" and exits 1.
 * Memory the i386 entry reads (paths, socketcall's argument block) is mapped with MAP_32BIT:
 * int $0x80 takes 32-bit registers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static long sys64(long nr, long a, long b)
{
	long ret;
	register long r10 __asm__("r10") = 0;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(0L), "r"(r10)
			 : "memory", "rcx", "r11");
	return ret;
}

static void *low_mem(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	if (p == MAP_FAILED || (unsigned long)p >= 0x100000000UL) {
		perror("mmap(MAP_32BIT)");
		exit(2);
	}
	return p;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sidedoor i386-mkdir|i386-socket|socketcall|x32-mkdir|mkdir ARG\n");
		return 2;
	}
	const char *what = argv[1], *arg = argv[2];
	char *low = low_mem();
	long r;

	if (strcmp(what, "i386-mkdir") == 0) {
		strcpy(low, arg);
		r = int80(39, (long)low, 0755, 0);
	} else if (strcmp(what, "i386-socket") == 0) {
		r = int80(359, atol(arg), 1 /* SOCK_STREAM */, 0);
	} else if (strcmp(what, "socketcall") == 0) {
		unsigned int *args = (unsigned int *)low; /* i386 longs */
		args[0] = (unsigned int)atol(arg);
		args[1] = 1; /* SOCK_STREAM */
		args[2] = 0;
		r = int80(102, 1 /* SYS_SOCKET */, (long)args, 0);
	} else if (strcmp(what, "x32-mkdir") == 0) {
		r = sys64(0x40000000L | 83, (long)arg, 0755);
	} else if (strcmp(what, "mkdir") == 0) {
		r = sys64(83, (long)arg, 0755);
	} else {
		fprintf(stderr, "sidedoor: unknown call %s\n", what);
		return 2;
	}
	if (r < 0 && r > -4096) {
		printf("errno %ld (%s)\n", -r, strerror((int)-r));
		return 1;
	}
	printf("ok %ld\n", r);
	return 0;
}
